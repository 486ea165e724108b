//! The next step a failed request's error gives, for the failures whose cause is
//! outside wowctl: a wrong API URL (an HTML page where JSON was expected, a
//! redirect to somewhere else, TLS spoken to a plain-HTTP port or the reverse, an
//! untrusted certificate) and a GitLab that is throttling, overloaded, slow or
//! cut off. Pure: text in, text out, no I/O; whether to retry is `retry.rs`'s call.
//!
//! Transport failures are recognised by the text of their error chain (rustls and
//! hyper give no stable type through reqwest); the table tests pin the texts.

use super::error::GitlabError;
use reqwest::Url;
use std::time::Duration;

/// Why a request kept failing with something worth retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hiccup {
    /// 429.
    Throttled,
    /// 502, 503, 504.
    Overloaded,
    /// No answer within `api.timeout`.
    Timeout,
    /// Reset or cut off mid-answer.
    ConnectionBroken,
}

const RESUME: &str = "a re-run resumes where this one stopped";

/// The next step after the retries of a [`Hiccup`] ran out.
pub fn transient_next_step(hiccup: Hiccup) -> String {
    match hiccup {
        Hiccup::Throttled => format!("GitLab is rate-limiting this token: try again later; {RESUME}."),
        Hiccup::Overloaded => {
            format!("GitLab, or a proxy in front of it, is overloaded or down: try again later; {RESUME}.")
        }
        Hiccup::Timeout => format!(
            "GitLab is slow or unreachable: try again later ({RESUME}), or raise api.timeout in .wow.yml if GitLab is only slow."
        ),
        Hiccup::ConnectionBroken => format!("The connection to GitLab broke: try again later; {RESUME}."),
    }
}

/// "no answer within 30s (api.timeout)".
pub fn timeout_text(timeout: Duration) -> String {
    format!("no answer within {timeout:?} (api.timeout)")
}

/// Is this answer an HTML page? `text/html`, or a body that starts like one.
pub fn looks_like_html(content_type: Option<&str>, body: &[u8]) -> bool {
    let html_type = content_type.is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("text/html"));
    let start: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(14)
        .map(u8::to_ascii_lowercase)
        .collect();
    html_type || start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}

/// "an HTML page (\"Sign in · GitLab\")", or "an HTML page" without a title.
pub fn describe_page(body: &[u8]) -> String {
    match html_title(&String::from_utf8_lossy(body)) {
        Some(title) => format!("an HTML page (\"{title}\")"),
        None => "an HTML page".to_string(),
    }
}

/// The page's `<title>`, on one line, at most 80 characters.
fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = text[start..end]
        .replace("&middot;", "·")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!title.is_empty()).then(|| super::error::shorten(&title, 80))
}

/// The HTML-instead-of-JSON error for a request to `api_url`.
pub fn not_api(api_url: &str, method: &str, path: &str, body: &[u8]) -> GitlabError {
    GitlabError::NotApi {
        url: api_url.to_string(),
        method: method.to_string(),
        path: path.to_string(),
        page: describe_page(body),
        hint: api_url_hint(api_url),
    }
}

/// What to do about a URL that answered HTML: its `/api/v4` form, or, when it
/// already has one, what else may stand in the way.
pub fn api_url_hint(api_url: &str) -> String {
    let trimmed = api_url.trim_end_matches('/');
    if trimmed.ends_with("/api/v4") {
        return "It is probably not GitLab's API, or a proxy or sign-in page stands in front of it: WOW_API_URL must be GitLab's own API URL, ending in /api/v4.".to_string();
    }
    let suggestion = match trimmed.find("/api/v4/") {
        Some(i) => Some(format!("{}/api/v4", &trimmed[..i])),
        None => Url::parse(trimmed).ok().map(|u| {
            if u.path().trim_matches('/').is_empty() {
                format!("{trimmed}/api/v4")
            } else {
                format!("{}/api/v4", origin(&u))
            }
        }),
    };
    match suggestion {
        Some(s) => format!("The URL is probably not the API: WOW_API_URL should end in /api/v4, like {s}."),
        None => "The URL is probably not the API: WOW_API_URL should end in /api/v4.".to_string(),
    }
}

/// `scheme://host[:port]`, the port only when it is not the scheme's default.
fn origin(u: &Url) -> String {
    let host = u.host_str().unwrap_or("");
    match u.port() {
        Some(p) => format!("{}://{host}:{p}", u.scheme()),
        None => format!("{}://{host}", u.scheme()),
    }
}

/// `host:port`, the port always shown (it is what to check).
fn server(u: &Url) -> String {
    let host = u.host_str().unwrap_or("");
    match u.port_or_known_default() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// `api_url` with the other scheme, on the same host and port.
fn with_scheme(u: &Url, scheme: &str) -> String {
    let host = u.host_str().unwrap_or("");
    let port = u
        .port_or_known_default()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    format!("{scheme}://{host}{port}{}", u.path().trim_end_matches('/'))
}

/// The error for a redirect the client did not follow. `location` is already
/// resolved against the request's URL.
pub fn redirected(api_url: &str, method: &str, path: &str, status: u16, location: &str) -> GitlabError {
    let origin = Url::parse(api_url)
        .map(|u| origin(&u))
        .unwrap_or_else(|_| api_url.to_string());
    GitlabError::Redirected {
        method: method.to_string(),
        path: path.to_string(),
        status,
        location: super::error::shorten(location, 200),
        origin,
        hint: redirect_hint(api_url, location),
    }
}

/// Why a redirect probably happened, and what to set instead.
pub fn redirect_hint(api_url: &str, location: &str) -> String {
    let (Ok(api), Ok(to)) = (Url::parse(api_url), Url::parse(location)) else {
        return "Check WOW_API_URL: it should be GitLab's API URL, ending in /api/v4.".to_string();
    };
    if to.path().contains("/users/sign_in") {
        return "It points to a sign-in page: the URL is probably not the API; WOW_API_URL should end in /api/v4."
            .to_string();
    }
    let same_origin = api.scheme() == to.scheme()
        && api.host_str() == to.host_str()
        && api.port_or_known_default() == to.port_or_known_default();
    if same_origin {
        return "It kept redirecting (more than 5 times): check WOW_API_URL and any proxy in front of GitLab."
            .to_string();
    }
    let api_path = api.path().trim_end_matches('/');
    if !api_path.is_empty() && to.path().starts_with(api_path) {
        let suggestion = format!("{}{api_path}", origin(&to));
        if api.scheme() == "http" && to.scheme() == "https" && api.host_str() == to.host_str() {
            return format!("GitLab answers on HTTPS: use {suggestion} as WOW_API_URL.");
        }
        return format!(
            "If GitLab moved there, use {suggestion} as WOW_API_URL; otherwise check WOW_API_URL."
        );
    }
    "Check WOW_API_URL: it should be GitLab's API URL, ending in /api/v4.".to_string()
}

/// A failure that says the URL's scheme does not match what the server speaks,
/// or that its certificate is not trusted; `None` for anything else. `cause` is
/// the error chain of a failed request, or the body of a 400 answer.
pub fn protocol_mismatch(api_url: &str, cause: &str) -> Option<GitlabError> {
    let u = Url::parse(api_url).ok()?;
    let message = match u.scheme() {
        "https"
            if ["InvalidContentType", "UnknownProtocolVersion"]
                .iter()
                .any(|s| cause.contains(s)) =>
        {
            let detail = cause.rsplit(": ").next().unwrap_or(cause);
            format!(
                "the server at {} does not speak TLS ({detail}): use {} as WOW_API_URL, or check the port.",
                server(&u),
                with_scheme(&u, "http")
            )
        }
        "https" if cause.contains("invalid peer certificate") => {
            let detail = &cause[cause.find("invalid peer certificate").unwrap_or(0)..];
            format!(
                "the TLS certificate of {} is not trusted ({detail}): if GitLab uses a private CA, set CI_SERVER_TLS_CA_FILE to its certificate (PEM); otherwise check WOW_API_URL.",
                server(&u)
            )
        }
        "http"
            if [
                "invalid HTTP version parsed",
                "plain HTTP request was sent to HTTPS port",
                "HTTP request to an HTTPS server",
            ]
            .iter()
            .any(|s| cause.contains(s)) =>
        {
            format!(
                "the server at {} does not answer plain HTTP; it probably speaks TLS: use {} as WOW_API_URL, or check the port.",
                server(&u),
                with_scheme(&u, "https")
            )
        }
        _ => return None,
    };
    Some(GitlabError::Protocol {
        url: api_url.to_string(),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_recognised_by_type_or_start() {
        let table: [(Option<&str>, &str, bool); 8] = [
            (Some("text/html; charset=utf-8"), "anything", true),
            (Some("TEXT/HTML"), "", true),
            (None, "\n  <!DOCTYPE html>\n<html>", true),
            (Some("application/json"), "<html><body>x</body></html>", true),
            (Some("application/json"), "{\"id\": 1, \"title\": \"trunc", false),
            (None, "[]", false),
            (None, "<?xml version=\"1.0\"?>", false),
            (None, "", false),
        ];
        for (ct, body, want) in table {
            assert_eq!(looks_like_html(ct, body.as_bytes()), want, "{ct:?} {body:?}");
        }
    }

    #[test]
    fn pages_are_named_by_their_title() {
        let table = [
            (
                "<!DOCTYPE html>\n<html><head><title>Sign in · GitLab</title></head>",
                "an HTML page (\"Sign in · GitLab\")",
            ),
            (
                "<html><head><TITLE lang=en>\n  Sign in &middot;\n GitLab </TITLE>",
                "an HTML page (\"Sign in · GitLab\")",
            ),
            ("<html><title></title></html>", "an HTML page"),
            ("<html><body>no title</body></html>", "an HTML page"),
            ("<html><title>unterminated", "an HTML page"),
        ];
        for (body, want) in table {
            assert_eq!(describe_page(body.as_bytes()), want, "{body}");
        }
        let long = format!("<title>{}</title>", "x".repeat(200));
        assert_eq!(
            describe_page(long.as_bytes()).chars().count(),
            "an HTML page (\"\")".len() + 81
        );
    }

    #[test]
    fn api_url_hint_table() {
        let table = [
            (
                "https://gitlab.example.com",
                "The URL is probably not the API: WOW_API_URL should end in /api/v4, like https://gitlab.example.com/api/v4.",
            ),
            (
                "https://gitlab.example.com/",
                "The URL is probably not the API: WOW_API_URL should end in /api/v4, like https://gitlab.example.com/api/v4.",
            ),
            (
                "https://gitlab.example.com/group/app",
                "The URL is probably not the API: WOW_API_URL should end in /api/v4, like https://gitlab.example.com/api/v4.",
            ),
            (
                "http://127.0.0.1:8080/api/v4/projects/1",
                "The URL is probably not the API: WOW_API_URL should end in /api/v4, like http://127.0.0.1:8080/api/v4.",
            ),
            (
                "https://gitlab.example.com/api/v4",
                "It is probably not GitLab's API, or a proxy or sign-in page stands in front of it: WOW_API_URL must be GitLab's own API URL, ending in /api/v4.",
            ),
            (
                "not a url",
                "The URL is probably not the API: WOW_API_URL should end in /api/v4.",
            ),
        ];
        for (url, want) in table {
            assert_eq!(api_url_hint(url), want, "{url}");
        }
    }

    #[test]
    fn not_api_message() {
        let e = not_api(
            "https://gitlab.example.com",
            "GET",
            "/projects/1/milestones",
            b"<html><title>Sign in \xc2\xb7 GitLab</title>",
        );
        assert_eq!(
            e.to_string(),
            "https://gitlab.example.com did not answer like GitLab's API: GET /projects/1/milestones got an HTML page (\"Sign in · GitLab\") where JSON was expected. The URL is probably not the API: WOW_API_URL should end in /api/v4, like https://gitlab.example.com/api/v4."
        );
    }

    #[test]
    fn redirect_hint_table() {
        let api = "http://gitlab.example.com/api/v4";
        let table = [
            (
                "https://gitlab.example.com/api/v4/projects/1",
                "GitLab answers on HTTPS: use https://gitlab.example.com/api/v4 as WOW_API_URL.",
            ),
            (
                "https://gitlab.example.com:8443/api/v4/projects/1",
                "GitLab answers on HTTPS: use https://gitlab.example.com:8443/api/v4 as WOW_API_URL.",
            ),
            (
                "https://gitlab.example.com/users/sign_in",
                "It points to a sign-in page: the URL is probably not the API; WOW_API_URL should end in /api/v4.",
            ),
            (
                "http://gitlab.example.com/api/v4/projects/1",
                "It kept redirecting (more than 5 times): check WOW_API_URL and any proxy in front of GitLab.",
            ),
            (
                "https://new.example.org/api/v4/projects/1",
                "If GitLab moved there, use https://new.example.org/api/v4 as WOW_API_URL; otherwise check WOW_API_URL.",
            ),
            (
                "https://sso.example.org/login?next=x",
                "Check WOW_API_URL: it should be GitLab's API URL, ending in /api/v4.",
            ),
            (
                "/relative",
                "Check WOW_API_URL: it should be GitLab's API URL, ending in /api/v4.",
            ),
        ];
        for (location, want) in table {
            assert_eq!(redirect_hint(api, location), want, "{location}");
        }
        let e = redirected(
            "http://127.0.0.1:8080/api/v4",
            "GET",
            "/projects/1",
            302,
            "https://127.0.0.1:8080/api/v4/projects/1",
        );
        assert_eq!(
            e.to_string(),
            "GET /projects/1 was redirected (302) to https://127.0.0.1:8080/api/v4/projects/1; wowctl follows redirects only within http://127.0.0.1:8080, as the token goes along. GitLab answers on HTTPS: use https://127.0.0.1:8080/api/v4 as WOW_API_URL."
        );
    }

    #[test]
    fn protocol_mismatch_table() {
        let https = "https://127.0.0.1:8080/api/v4";
        let http = "http://127.0.0.1:8443/api/v4";
        let plain = "http://gitlab.example.com/api/v4";
        let table: [(&str, &str, Option<&str>); 9] = [
            (
                https,
                "error sending request for url (https://127.0.0.1:8080/api/v4/projects/1): client error (Connect): received corrupt message of type InvalidContentType",
                Some("the server at 127.0.0.1:8080 does not speak TLS (received corrupt message of type InvalidContentType): use http://127.0.0.1:8080/api/v4 as WOW_API_URL, or check the port."),
            ),
            (
                "https://gitlab.example.com/api/v4",
                "client error (Connect): received corrupt message of type UnknownProtocolVersion",
                Some("the server at gitlab.example.com:443 does not speak TLS (received corrupt message of type UnknownProtocolVersion): use http://gitlab.example.com:443/api/v4 as WOW_API_URL, or check the port."),
            ),
            (
                "https://gitlab.example.com/api/v4",
                "client error (Connect): invalid peer certificate: UnknownIssuer",
                Some("the TLS certificate of gitlab.example.com:443 is not trusted (invalid peer certificate: UnknownIssuer): if GitLab uses a private CA, set CI_SERVER_TLS_CA_FILE to its certificate (PEM); otherwise check WOW_API_URL."),
            ),
            (
                http,
                "error sending request for url (http://127.0.0.1:8443/api/v4/projects/1): client error (SendRequest): invalid HTTP version parsed",
                Some("the server at 127.0.0.1:8443 does not answer plain HTTP; it probably speaks TLS: use https://127.0.0.1:8443/api/v4 as WOW_API_URL, or check the port."),
            ),
            (
                plain,
                "<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head></html>",
                Some("the server at gitlab.example.com:80 does not answer plain HTTP; it probably speaks TLS: use https://gitlab.example.com:80/api/v4 as WOW_API_URL, or check the port."),
            ),
            (
                plain,
                "Client sent an HTTP request to an HTTPS server.",
                Some("the server at gitlab.example.com:80 does not answer plain HTTP; it probably speaks TLS: use https://gitlab.example.com:80/api/v4 as WOW_API_URL, or check the port."),
            ),
            // The same texts on the other scheme, and ordinary failures: not a mismatch.
            (http, "received corrupt message of type InvalidContentType", None),
            (https, "client error (SendRequest): connection closed before message completed", None),
            (plain, "tcp connect error: Connection refused (os error 111)", None),
        ];
        for (url, cause, want) in table {
            let got = protocol_mismatch(url, cause).map(|e| e.to_string());
            assert_eq!(got.as_deref(), want, "{url} {cause}");
        }
    }

    #[test]
    fn next_steps_for_hiccups() {
        assert_eq!(
            timeout_text(Duration::from_secs(30)),
            "no answer within 30s (api.timeout)"
        );
        for h in [
            Hiccup::Throttled,
            Hiccup::Overloaded,
            Hiccup::Timeout,
            Hiccup::ConnectionBroken,
        ] {
            let text = transient_next_step(h);
            assert!(
                text.contains("try again later") && text.contains(RESUME),
                "{text}"
            );
        }
        assert!(transient_next_step(Hiccup::Timeout).contains("raise api.timeout in .wow.yml"));
    }
}
