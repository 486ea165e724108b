//! `WOW_*` and GitLab CI variables, read from a map (never from `std::env`, so tests pass
//! their own), and the checks a value from a variable or a flag must pass. Pure. Errors name
//! the variable or flag and say what is allowed; they never contain a token.

use super::{Action, ConfigError, Links};
use chrono::{DateTime, Utc};
use reqwest::Url;
use std::collections::BTreeMap;

/// The process environment as a map, with GitLab's habit of defining unset variables as
/// empty strings (an empty pipeline variable, an unset CI/CD variable) smoothed over.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env<'a> {
    vars: &'a BTreeMap<String, String>,
}

impl<'a> Env<'a> {
    pub(crate) fn new(vars: &'a BTreeMap<String, String>) -> Self {
        Env { vars }
    }

    /// The value without surrounding whitespace; empty counts as unset.
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// Inside a GitLab CI job (`CI=true`, or `GITLAB_CI` set).
    pub(crate) fn in_ci(&self) -> bool {
        self.get("CI") == Some("true") || self.get("GITLAB_CI").is_some()
    }

    /// Links for the report; each absent outside CI.
    pub(crate) fn links(&self) -> Links {
        let get = |name: &str| self.get(name).map(str::to_string);
        Links {
            pipeline_url: get("CI_PIPELINE_URL"),
            job_url: get("CI_JOB_URL"),
            project_url: get("CI_PROJECT_URL"),
            pipeline_source: get("CI_PIPELINE_SOURCE"),
            project_id: get("CI_PROJECT_ID"),
            project_path: get("CI_PROJECT_PATH"),
        }
    }
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`), any case.
pub(crate) fn parse_bool(origin: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ConfigError::new(origin, Some(value), "expected true or false")),
    }
}

/// An http(s) API base such as `https://gitlab.example.com/api/v4`, returned without a
/// trailing slash (gitlab-api.md §1: paths are appended to it).
pub(crate) fn parse_api_url(origin: &str, value: &str) -> Result<String, ConfigError> {
    const EXPECTED: &str = "expected the API base, e.g. https://gitlab.example.com/api/v4";
    let url = Url::parse(value.trim())
        .map_err(|e| ConfigError::new(origin, Some(value), format!("not a URL ({e}); {EXPECTED}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        // Never echo credentials: show the URL without them.
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(ConfigError::new(
            origin,
            Some(shown.as_str()),
            "must not contain a user name or password; put the token in WOW_TOKEN",
        ));
    }
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(ConfigError::new(
            origin,
            Some(value),
            format!("the scheme must be http or https; {EXPECTED}"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::new(
            origin,
            Some(value),
            format!("must not have a query (?) or fragment (#); {EXPECTED}"),
        ));
    }
    if url.path().trim_end_matches('/').is_empty() {
        return Err(ConfigError::new(
            origin,
            Some(value),
            format!("this is the server's address, not its API: add /api/v4; {EXPECTED}"),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// A project or group: a numeric id, or a full path (`group/sub/project`).
pub(crate) fn parse_scope_id(origin: &str, value: &str) -> Result<String, ConfigError> {
    const EXPECTED: &str = "expected a numeric id like 42 or a full path like group/subgroup/project \
         (letters, digits, _ - . and / between the parts)";
    let id = value.trim();
    let fail = |message: String| Err(ConfigError::new(origin, Some(value), message));
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        if id.bytes().all(|b| b == b'0') {
            return fail(format!("0 is not an id; {EXPECTED}"));
        }
        return Ok(id.to_string());
    }
    if id.contains("://") {
        return fail(format!(
            "give the path without the server, e.g. group/project; {EXPECTED}"
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/');
    if let Some(bad) = id.chars().find(|c| !allowed(*c)) {
        return fail(format!("{bad:?} is not allowed; {EXPECTED}"));
    }
    if id
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return fail(format!(
            "empty, \".\" or \"..\" part (leading, trailing or double slash?); {EXPECTED}"
        ));
    }
    Ok(id.to_string())
}

/// An RFC 3339 moment, as UTC.
pub(crate) fn parse_now(origin: &str, value: &str) -> Result<DateTime<Utc>, ConfigError> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ConfigError::new(
                origin,
                Some(value),
                "not an RFC 3339 time; expected e.g. 2026-11-25T09:00:00Z or 2026-11-25T10:00:00+01:00",
            )
        })
}

/// `run`, `rotate` or `audit`, any case.
pub(crate) fn parse_action(origin: &str, value: &str) -> Result<Action, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "run" => Ok(Action::Run),
        "rotate" => Ok(Action::Rotate),
        "audit" => Ok(Action::Audit),
        _ => Err(ConfigError::new(
            origin,
            Some(value),
            "unknown action; allowed: run, rotate, audit",
        )),
    }
}

/// A token must fit in an HTTP header. The error never shows the value.
pub(crate) fn check_token(origin: &str, secret: &str) -> Result<(), ConfigError> {
    if secret
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii())
    {
        return Err(ConfigError::new(
            origin,
            None,
            "the token contains spaces, line breaks or other characters a token cannot have; \
             set the variable to the token alone",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn empty_and_blank_values_are_unset() {
        let map = vars(&[("A", ""), ("B", "  "), ("C", " x "), ("D", "y")]);
        let env = Env::new(&map);
        assert_eq!(env.get("A"), None);
        assert_eq!(env.get("B"), None);
        assert_eq!(env.get("C"), Some("x"));
        assert_eq!(env.get("missing"), None);
    }

    #[test]
    fn in_ci_from_ci_or_gitlab_ci() {
        let cases: [(&[(&str, &str)], bool); 6] = [
            (&[], false),
            (&[("CI", "true")], true),
            (&[("CI", "false")], false),
            (&[("CI", "")], false),
            (&[("GITLAB_CI", "true")], true),
            (&[("GITLAB_CI", "")], false),
        ];
        for (pairs, expected) in cases {
            assert_eq!(Env::new(&vars(pairs)).in_ci(), expected, "{pairs:?}");
        }
    }

    #[test]
    fn links_come_from_ci_variables() {
        let map = vars(&[
            ("CI_PIPELINE_URL", "https://g/p/-/pipelines/1"),
            ("CI_JOB_URL", "https://g/p/-/jobs/2"),
            ("CI_PROJECT_URL", ""),
            ("CI_PIPELINE_SOURCE", "schedule"),
            ("CI_PROJECT_ID", "42"),
            ("CI_PROJECT_PATH", "team/ops"),
        ]);
        let links = Env::new(&map).links();
        assert_eq!(
            links,
            Links {
                pipeline_url: Some("https://g/p/-/pipelines/1".into()),
                job_url: Some("https://g/p/-/jobs/2".into()),
                project_url: None,
                pipeline_source: Some("schedule".into()),
                project_id: Some("42".into()),
                project_path: Some("team/ops".into()),
            }
        );
    }

    #[test]
    fn booleans() {
        for (text, expected) in [("true", true), ("TRUE", true), ("1", true), ("Yes", true)]
            .into_iter()
            .chain([("false", false), ("False", false), ("0", false), ("no", false)])
        {
            assert_eq!(parse_bool("WOW_DRY_RUN", text), Ok(expected), "{text}");
        }
        assert_eq!(
            parse_bool("WOW_DRY_RUN", "nope").unwrap_err().to_string(),
            "WOW_DRY_RUN = \"nope\": expected true or false"
        );
    }

    #[test]
    fn api_urls() {
        let good = [
            ("https://gitlab.com/api/v4", "https://gitlab.com/api/v4"),
            ("https://gitlab.com/api/v4/", "https://gitlab.com/api/v4"),
            ("http://127.0.0.1:8080/api/v4", "http://127.0.0.1:8080/api/v4"),
            (
                "https://example.com/gitlab/api/v4//",
                "https://example.com/gitlab/api/v4",
            ),
            (
                " https://GitLab.Example.com:443/api/v4 ",
                "https://gitlab.example.com/api/v4",
            ),
        ];
        for (text, expected) in good {
            assert_eq!(
                parse_api_url("WOW_API_URL", text).as_deref(),
                Ok(expected),
                "{text}"
            );
        }
        let bad = [
            (
                "gitlab.com/api/v4",
                "WOW_API_URL = \"gitlab.com/api/v4\": not a URL (relative URL without a base); \
                 expected the API base, e.g. https://gitlab.example.com/api/v4",
            ),
            (
                "ftp://gitlab.com/api/v4",
                "WOW_API_URL = \"ftp://gitlab.com/api/v4\": the scheme must be http or https; \
                 expected the API base, e.g. https://gitlab.example.com/api/v4",
            ),
            (
                "https://gitlab.com/",
                "WOW_API_URL = \"https://gitlab.com/\": this is the server's address, not its \
                 API: add /api/v4; expected the API base, e.g. https://gitlab.example.com/api/v4",
            ),
            (
                "https://gitlab.com/api/v4?x=1",
                "WOW_API_URL = \"https://gitlab.com/api/v4?x=1\": must not have a query (?) or \
                 fragment (#); expected the API base, e.g. https://gitlab.example.com/api/v4",
            ),
            (
                "https://bot:s3cret@gitlab.com/api/v4",
                "WOW_API_URL = \"https://gitlab.com/api/v4\": must not contain a user name or \
                 password; put the token in WOW_TOKEN",
            ),
            (
                "https://",
                "WOW_API_URL = \"https://\": not a URL (empty host); expected the API base, e.g. \
                 https://gitlab.example.com/api/v4",
            ),
        ];
        for (text, expected) in bad {
            let message = parse_api_url("WOW_API_URL", text).unwrap_err().to_string();
            assert_eq!(message, expected, "{text}");
            assert!(!message.contains("s3cret"));
        }
    }

    #[test]
    fn project_and_group_ids() {
        let good = [
            ("42", "42"),
            (" 42 ", "42"),
            ("group/app", "group/app"),
            ("my-group/sub.group/my_app", "my-group/sub.group/my_app"),
            ("team", "team"),
            ("007", "007"),
        ];
        for (text, expected) in good {
            assert_eq!(
                parse_scope_id("WOW_PROJECT", text).as_deref(),
                Ok(expected),
                "{text}"
            );
        }
        let path_rule = "expected a numeric id like 42 or a full path like group/subgroup/project \
                         (letters, digits, _ - . and / between the parts)";
        let bad = [
            ("0", format!("0 is not an id; {path_rule}")),
            (
                "/group/app",
                format!("empty, \".\" or \"..\" part (leading, trailing or double slash?); {path_rule}"),
            ),
            (
                "group/app/",
                format!("empty, \".\" or \"..\" part (leading, trailing or double slash?); {path_rule}"),
            ),
            (
                "group//app",
                format!("empty, \".\" or \"..\" part (leading, trailing or double slash?); {path_rule}"),
            ),
            (
                "group/../app",
                format!("empty, \".\" or \"..\" part (leading, trailing or double slash?); {path_rule}"),
            ),
            ("group app", format!("' ' is not allowed; {path_rule}")),
            ("group%2Fapp", format!("'%' is not allowed; {path_rule}")),
            ("grüppe/app", format!("'ü' is not allowed; {path_rule}")),
            (
                "https://gitlab.com/group/app",
                format!("give the path without the server, e.g. group/project; {path_rule}"),
            ),
        ];
        for (text, reason) in bad {
            let expected = format!("WOW_PROJECT = {text:?}: {reason}");
            assert_eq!(
                parse_scope_id("WOW_PROJECT", text).unwrap_err().to_string(),
                expected
            );
        }
    }

    #[test]
    fn now_and_action() {
        let t = parse_now("WOW_NOW", "2026-11-25T10:00:00+01:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-25T09:00:00+00:00");
        for bad in [
            "tomorrow",
            "2026-11-25",
            "2026-11-25 09:00:00",
            "2026-11-25T09:00:00",
        ] {
            assert_eq!(
                parse_now("--now", bad).unwrap_err().to_string(),
                format!(
                    "--now = {bad:?}: not an RFC 3339 time; expected e.g. 2026-11-25T09:00:00Z \
                     or 2026-11-25T10:00:00+01:00"
                )
            );
        }
        for (text, action) in [
            ("run", Action::Run),
            ("Rotate", Action::Rotate),
            (" audit ", Action::Audit),
        ] {
            assert_eq!(parse_action("WOW_ACTION", text), Ok(action));
        }
        assert_eq!(
            parse_action("WOW_ACTION", "fix").unwrap_err().to_string(),
            "WOW_ACTION = \"fix\": unknown action; allowed: run, rotate, audit"
        );
    }

    #[test]
    fn token_errors_never_show_the_token() {
        assert!(check_token("WOW_TOKEN", "glpat-abc_DEF-123").is_ok());
        for bad in ["glpat abc", "glpat\nabc", "glpät"] {
            let message = check_token("WOW_TOKEN", bad).unwrap_err().to_string();
            assert!(message.starts_with("WOW_TOKEN: the token contains"), "{message}");
            assert!(!message.contains("glpat"), "{message}");
        }
    }
}
