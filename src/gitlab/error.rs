//! Typed GitLab errors: callers branch on them (retry on `Transient`, rotation on
//! `TitleTaken`), and each one's message says what went wrong and what to do.
//! Also the pure mapping from an error answer (status + body + request path) to
//! a variant. Messages never contain the token; error bodies are never assumed
//! to be JSON (gitlab-api.md §1).

use percent_encoding::percent_decode_str;
use serde_json::Value;
use thiserror::Error;

#[derive(Debug, Clone, Error)]
pub enum GitlabError {
    #[error("GitLab rejected the token in {origin} (401): it is invalid, expired or revoked. Create a project access token with the Planner role and scope `api`, and store it as a masked, protected CI/CD variable {origin}.")]
    Unauthorized { origin: String },

    #[error("GitLab refused {action} ({what}): 403 Forbidden{detail}. The token needs {role}.")]
    Forbidden {
        action: String,
        what: String,
        detail: String,
        role: String,
    },

    #[error("{what} was not found (404). Check the id or path, and that the token's user can see it.")]
    NotFound { what: String },

    /// HTTP 400 with "already being used": the title exists (perhaps created by a concurrent run).
    #[error("the title \"{title}\" is already used by another milestone (400): {message}")]
    TitleTaken { title: String, message: String },

    /// 429, 502, 503, 504, connection reset, timeout — after the retries ran out.
    /// `next` says what to do (`next_steps::transient_next_step`).
    #[error("{method} {path} failed after {}: {}. {next}", attempts_text(*.attempts), .last.trim_end_matches('.'))]
    Transient {
        method: String,
        path: String,
        attempts: u32,
        last: String,
        next: String,
    },

    /// An HTML page (a sign-in page, a proxy's page) where the API answers JSON:
    /// the configured URL is not the API. Never retried.
    #[error(
        "{url} did not answer like GitLab's API: {method} {path} got {page} where JSON was expected. {hint}"
    )]
    NotApi {
        url: String,
        method: String,
        path: String,
        /// `an HTML page ("Sign in · GitLab")`.
        page: String,
        hint: String,
    },

    /// A redirect to another scheme, host or port (or a redirect loop): not
    /// followed, because the token would go along. Never retried.
    #[error("{method} {path} was redirected ({status}) to {location}; wowctl follows redirects only within {origin}, as the token goes along. {hint}")]
    Redirected {
        method: String,
        path: String,
        status: u16,
        location: String,
        origin: String,
        hint: String,
    },

    /// TLS spoken to a plain-HTTP port or the reverse, or a certificate that is
    /// not trusted: retrying cannot help. `message` comes from `next_steps::protocol_mismatch`.
    #[error("{message}")]
    Protocol { url: String, message: String },

    #[error("cannot reach GitLab at {url}: {reason}. Check WOW_API_URL / CI_API_V4_URL and the network.")]
    Unreachable { url: String, reason: String },

    #[error("GitLab's answer to {method} {path} could not be read: {reason}")]
    Decode {
        method: String,
        path: String,
        reason: String,
    },

    /// GitLab answered 200 but did not make the change: the token's role is too low
    /// (gitlab-api.md §3, "Silent no-ops").
    #[error(
        "GitLab accepted {what} but did not apply it: the token's role is too low. The token needs {role}."
    )]
    DroppedWrite { what: String, role: String },

    /// The run was stopped (SIGTERM/SIGINT). `in_flight`: the request was sent and
    /// its answer never came, so GitLab may or may not have applied it.
    #[error("{}", stopped_text(.signal, *.in_flight))]
    Stopped { signal: String, in_flight: bool },

    #[error("{method} {path} failed with HTTP {status}: {message}")]
    Http {
        method: String,
        path: String,
        status: u16,
        message: String,
    },
}

fn stopped_text(signal: &str, in_flight: bool) -> String {
    if in_flight {
        format!("stopped by {signal} before GitLab answered: it may or may not have been applied; the next run looks and finishes it")
    } else {
        format!("not sent: the run was stopped by {signal}")
    }
}

/// "1 attempt", "6 attempts".
fn attempts_text(n: u32) -> String {
    if n == 1 {
        "1 attempt".to_string()
    } else {
        format!("{n} attempts")
    }
}

impl GitlabError {
    /// The run was stopped by a signal before this request was answered.
    pub fn is_stopped(&self) -> bool {
        matches!(self, GitlabError::Stopped { .. })
    }

    pub fn is_title_taken(&self) -> bool {
        matches!(self, GitlabError::TitleTaken { .. })
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, GitlabError::NotFound { .. })
    }
}

/// The error for a non-retryable, non-2xx answer. `request_body` is what we sent
/// (for the title of a `TitleTaken`); `token_origin` names the token's variable.
pub fn from_status(
    method: &str,
    path: &str,
    status: u16,
    body: &[u8],
    request_body: Option<&Value>,
    token_origin: &str,
) -> GitlabError {
    let text = String::from_utf8_lossy(body);
    let message = error_message(&text);
    match status {
        401 => GitlabError::Unauthorized {
            origin: token_origin.to_string(),
        },
        403 => forbidden(method, path, &text, &message),
        404 => GitlabError::NotFound {
            what: describe_path(path),
        },
        // §2: match on status 400 + substring, the rest is Ruby's Hash#inspect.
        400 if text.contains("already being used") => GitlabError::TitleTaken {
            title: request_body
                .and_then(|b| b.get("title"))
                .and_then(Value::as_str)
                .unwrap_or("(unknown)")
                .to_string(),
            message,
        },
        _ => GitlabError::Http {
            method: method.to_string(),
            path: path.to_string(),
            status,
            message,
        },
    }
}

fn forbidden(method: &str, path: &str, text: &str, message: &str) -> GitlabError {
    let body: Option<Value> = serde_json::from_str(text).ok();
    let field = |k: &str| body.as_ref().and_then(|b| b.get(k)).and_then(Value::as_str);
    let place = if path.starts_with("/groups/") {
        "group"
    } else {
        "project"
    };
    let write = method != "GET";
    let (detail, role) = if field("error") == Some("insufficient_scope") {
        let scope = field("scope").unwrap_or(if write { "api" } else { "read_api" });
        (
            ": insufficient_scope".to_string(),
            format!("scope `{scope}`; a token's scopes cannot be changed, so create a new token with scope `{scope}`"),
        )
    } else {
        // "403 Forbidden - <reason>" carries a reason worth showing.
        let reason = message
            .strip_prefix("403 Forbidden")
            .map(|r| r.trim_start_matches([' ', '-']).trim())
            .unwrap_or(message);
        // Plain-text "Forbidden", an HTML page or an empty body add nothing.
        let useless =
            reason.is_empty() || reason.eq_ignore_ascii_case("forbidden") || reason.starts_with('(');
        let detail = if useless {
            String::new()
        } else {
            format!(" - {reason}")
        };
        let role = if write {
            format!("the Planner role (or higher) in the {place} and scope `api`")
        } else {
            format!("at least the Guest/Reporter role in the {place} and scope `read_api`")
        };
        (detail, role)
    };
    GitlabError::Forbidden {
        action: format!("{method} {path}"),
        what: describe_path(path),
        detail,
        role,
    }
}

/// A short human text from an error body: JSON `message` (string or field map),
/// `error` + `error_description`, else the text itself (an HTML page is named, not shown).
pub fn error_message(text: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        let s = |k: &str| v.get(k).and_then(Value::as_str);
        match v.get("message") {
            Some(Value::String(m)) => return m.clone(),
            Some(Value::Object(fields)) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| match v {
                        Value::Array(items) => {
                            let items: Vec<String> = items
                                .iter()
                                .map(|i| i.as_str().map(str::to_string).unwrap_or_else(|| i.to_string()))
                                .collect();
                            format!("{k} {}", items.join(", "))
                        }
                        Value::String(s) => format!("{k}: {s}"),
                        other => format!("{k}: {other}"),
                    })
                    .collect();
                return parts.join("; ");
            }
            _ => {}
        }
        if let Some(e) = s("error") {
            return match s("error_description") {
                Some(d) => format!("{e}: {d}"),
                None => e.to_string(),
            };
        }
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        "(empty body)".to_string()
    } else if trimmed.starts_with('<') {
        "(an HTML error page, probably from a proxy)".to_string()
    } else {
        shorten(trimmed, 200)
    }
}

/// At most `max` characters, on a char boundary.
pub fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// What a request path is about, for people: `/projects/group%2Fapp` → `project
/// group/app`, `/projects/1/milestones/7` → `milestone 7 of project 1`. A list's
/// 404 means its owner is missing, so a list path names the owner.
pub fn describe_path(path: &str) -> String {
    let path_only = path.split('?').next().unwrap_or(path);
    let segs: Vec<String> = path_only
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let owner = match segs.first().map(String::as_str) {
        Some("projects") => "project",
        Some("groups") => "group",
        _ => return path_only.to_string(),
    };
    let Some(id) = segs.get(1) else {
        return path_only.to_string();
    };
    let owner = format!("{owner} {id}");
    match (segs.get(2).map(String::as_str), segs.get(3)) {
        (Some("milestones"), Some(m)) => format!("milestone {m} of {owner}"),
        (Some("issues"), Some(i)) => format!("issue #{i} of {owner}"),
        (Some("labels"), Some(l)) => format!("label \"{l}\" of {owner}"),
        _ => owner,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn describe_path_table() {
        let table = [
            ("/projects/42", "project 42"),
            ("/projects/group%2Fapp", "project group/app"),
            ("/projects/group%2Fsub%2Fapp/milestones", "project group/sub/app"),
            ("/projects/1/milestones/7", "milestone 7 of project 1"),
            ("/projects/1/milestones/7/issues", "milestone 7 of project 1"),
            ("/projects/1/issues/5", "issue #5 of project 1"),
            (
                "/projects/1/issues/5/resource_milestone_events",
                "issue #5 of project 1",
            ),
            (
                "/projects/1/labels/Feature%20Proposal",
                "label \"Feature Proposal\" of project 1",
            ),
            ("/groups/team/milestones/3", "milestone 3 of group team"),
            ("/groups/a%2Fb/issues?state=opened", "group a/b"),
            ("/user", "/user"),
            ("/projects", "/projects"),
        ];
        for (path, want) in table {
            assert_eq!(describe_path(path), want, "{path}");
        }
    }

    #[test]
    fn error_message_table() {
        let table = [
            (r#"{"message":"404 Project Not Found"}"#, "404 Project Not Found"),
            (
                r#"{"message":{"title":["can't be blank"]}}"#,
                "title can't be blank",
            ),
            (r#"{"error":"title is missing"}"#, "title is missing"),
            (
                r#"{"error":"invalid_token","error_description":"Token is expired."}"#,
                "invalid_token: Token is expired.",
            ),
            ("Retry later\n", "Retry later"),
            (
                "<html><body>502 Bad Gateway</body></html>",
                "(an HTML error page, probably from a proxy)",
            ),
            ("", "(empty body)"),
            ("[1,2]", "[1,2]"),
        ];
        for (body, want) in table {
            assert_eq!(error_message(body), want, "{body}");
        }
        assert_eq!(shorten("ééééé", 2), "éé…");
    }

    #[test]
    fn from_status_table() {
        let title = json!({"title": "WoW ending 2026-01-06"});
        let taken = r#"{"message":"Failed to update milestone {:title=>[\"already being used for another group or project milestone.\"]}"}"#;
        let cases: Vec<(&str, &str, u16, &str, String)> = vec![
            ("GET", "/projects/1", 401, r#"{"message":"401 Unauthorized"}"#,
             "GitLab rejected the token in WOW_TOKEN (401): it is invalid, expired or revoked. Create a project access token with the Planner role and scope `api`, and store it as a masked, protected CI/CD variable WOW_TOKEN.".into()),
            ("PUT", "/projects/1/milestones/7", 403, r#"{"message":"403 Forbidden"}"#,
             "GitLab refused PUT /projects/1/milestones/7 (milestone 7 of project 1): 403 Forbidden. The token needs the Planner role (or higher) in the project and scope `api`.".into()),
            ("POST", "/groups/g/labels", 403, r#"{"message":"403 Forbidden - Not allowed"}"#,
             "GitLab refused POST /groups/g/labels (group g): 403 Forbidden - Not allowed. The token needs the Planner role (or higher) in the group and scope `api`.".into()),
            ("GET", "/projects/1/issues", 403, "Forbidden",
             "GitLab refused GET /projects/1/issues (project 1): 403 Forbidden. The token needs at least the Guest/Reporter role in the project and scope `read_api`.".into()),
            ("PUT", "/projects/1/issues/5", 403, r#"{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}"#,
             "GitLab refused PUT /projects/1/issues/5 (issue #5 of project 1): 403 Forbidden: insufficient_scope. The token needs scope `api`; a token's scopes cannot be changed, so create a new token with scope `api`.".into()),
            ("GET", "/projects/group%2Fapp/milestones", 404, r#"{"message":"404 Project Not Found"}"#,
             "project group/app was not found (404). Check the id or path, and that the token's user can see it.".into()),
            ("PUT", "/projects/1/milestones/9", 400, taken,
             "the title \"WoW ending 2026-01-06\" is already used by another milestone (400): Failed to update milestone {:title=>[\"already being used for another group or project milestone.\"]}".into()),
            ("PUT", "/projects/1/milestones/9", 400, r#"{"error":"state_event does not have a valid value"}"#,
             "PUT /projects/1/milestones/9 failed with HTTP 400: state_event does not have a valid value".into()),
            ("POST", "/projects/1/labels", 409, r#"{"message":"Label already exists"}"#,
             "POST /projects/1/labels failed with HTTP 409: Label already exists".into()),
        ];
        for (method, path, status, body, want) in cases {
            let e = from_status(method, path, status, body.as_bytes(), Some(&title), "WOW_TOKEN");
            assert_eq!(e.to_string(), want, "{method} {path} {status}");
        }
        let e = from_status(
            "PUT",
            "/projects/1/milestones/9",
            400,
            taken.as_bytes(),
            Some(&title),
            "T",
        );
        assert!(e.is_title_taken());
        assert!(from_status("GET", "/projects/1", 404, b"", None, "T").is_not_found());
    }
}
