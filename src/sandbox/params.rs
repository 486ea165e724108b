//! Request parameters as GitLab's Grape layer reads them: query string and body
//! (JSON or form) merged into one map, with GitLab's parsing quirks — `+` in a
//! query is a space (gitlab-api.md §1), `iids[]` and a JSON array are the same
//! list, label lists are comma-separated, timestamps are ISO 8601 with offsets.
//!
//! Pure: no state, no I/O. Errors come back as `ApiError` with GitLab's bodies.

use super::reply::ApiError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use percent_encoding::percent_decode_str;
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
pub(crate) struct Params {
    values: BTreeMap<String, Vec<String>>,
}

/// Form/query decoding: `+` is a space, then percent-decoding.
pub(super) fn form_decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn normalize_key(k: &str) -> String {
    k.strip_suffix("[]").unwrap_or(k).to_string()
}

impl Params {
    /// Query string then body; a body value wins for single-valued reads.
    pub(crate) fn parse(query: &str, content_type: &str, body: &[u8]) -> Result<Params, ApiError> {
        let mut p = Params::default();
        p.add_form(query);
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(p);
        }
        let text = String::from_utf8_lossy(body);
        if content_type.contains("json") || text.trim_start().starts_with('{') {
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|_| ApiError::bad_request_error("400 Bad request - invalid JSON body"))?;
            let Some(obj) = value.as_object() else {
                return Err(ApiError::bad_request_error(
                    "400 Bad request - body must be a JSON object",
                ));
            };
            for (k, v) in obj {
                let key = normalize_key(k);
                let items: Vec<String> = match v {
                    serde_json::Value::Array(a) => a.iter().map(scalar).collect(),
                    other => vec![scalar(other)],
                };
                p.values.entry(key).or_default().extend(items);
            }
        } else {
            p.add_form(&text);
        }
        Ok(p)
    }

    fn add_form(&mut self, s: &str) {
        for pair in s.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            self.values
                .entry(normalize_key(&form_decode(k)))
                .or_default()
                .push(form_decode(v));
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(|v| v.last()).map(String::as_str)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// All values of a comma-list parameter (`labels=a,b` or repeated keys), trimmed.
    pub(crate) fn list(&self, key: &str) -> Vec<String> {
        self.values
            .get(key)
            .into_iter()
            .flatten()
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    pub(crate) fn u64_list(&self, key: &str) -> Result<Vec<u64>, ApiError> {
        self.list(key)
            .iter()
            .map(|v| v.parse().map_err(|_| invalid(key)))
            .collect()
    }

    pub(crate) fn bool(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
    }

    pub(crate) fn time(&self, key: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => parse_time(v).map(Some).ok_or_else(|| invalid(key)),
        }
    }

    /// A `YYYY-MM-DD` date; `Some(None)` when sent empty (clears it).
    pub(crate) fn date(&self, key: &str) -> Result<Option<Option<NaiveDate>>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some("") => Ok(Some(None)),
            Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(|d| Some(Some(d)))
                .map_err(|_| invalid(key)),
        }
    }

    /// `page` and `per_page` (default 20, capped at 100 — §6).
    pub(crate) fn paging(&self) -> Result<(usize, usize), ApiError> {
        let page = match self.get("page") {
            None | Some("") => 1,
            Some(v) => v.parse::<usize>().map_err(|_| invalid("page"))?.max(1),
        };
        let per_page = match self.get("per_page") {
            None | Some("") => 20,
            Some(v) => match v.parse::<usize>().map_err(|_| invalid("per_page"))? {
                0 => 20,
                n => n.min(100),
            },
        };
        Ok((page, per_page))
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn invalid(key: &str) -> ApiError {
    ApiError::bad_request_error(&format!("{key} is invalid"))
}

/// ISO 8601: with an offset or `Z`, without one (UTC), or a bare date (midnight UTC).
/// A `+01:00` sent unencoded arrives as ` 01:00` and is rejected, as a client bug.
pub(super) fn parse_time(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, fmt) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_body_merge_with_gitlab_decoding() {
        let p = Params::parse(
            "milestone=Next+WoW&iids%5B%5D=1&iids[]=2&updated_after=2026-01-07T00:00:00%2B01:00",
            "application/json",
            br#"{"labels":["a","b,c"],"milestone_id":null}"#,
        )
        .unwrap();
        assert_eq!(p.get("milestone"), Some("Next WoW"));
        assert_eq!(p.u64_list("iids").unwrap(), vec![1, 2]);
        assert_eq!(p.list("labels"), vec!["a", "b", "c"]);
        assert_eq!(p.get("milestone_id"), Some(""));
        assert_eq!(
            p.time("updated_after").unwrap(),
            parse_time("2026-01-06T23:00:00Z")
        );
    }

    #[test]
    fn times_and_pages() {
        let cases = [
            ("2026-01-07T00:00:00Z", Some("2026-01-07T00:00:00+00:00")),
            ("2026-01-07T01:00:00+01:00", Some("2026-01-07T00:00:00+00:00")),
            ("2026-01-07T00:00:00.500Z", Some("2026-01-07T00:00:00.500+00:00")),
            ("2026-01-07", Some("2026-01-07T00:00:00+00:00")),
            ("2026-01-07T01:00:00 01:00", None),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_time(input).map(|t| t.to_rfc3339()),
                want.map(String::from),
                "{input}"
            );
        }
        let p = Params::parse("per_page=500&page=0", "", b"").unwrap();
        assert_eq!(p.paging().unwrap(), (1, 100));
        let p = Params::parse("per_page=x", "", b"").unwrap();
        assert_eq!(p.paging().unwrap_err().status, 400);
        let p = Params::parse("", "application/x-www-form-urlencoded", b"title=a+b").unwrap();
        assert_eq!(p.get("title"), Some("a b"));
    }
}
