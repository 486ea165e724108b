//! The diagnostic log's view of a request: waits in words people read, and
//! headers at `-vvv` with every secret shown as `(redacted)`. Pure, except that
//! `trace_response` writes to the log.

use log::trace;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use std::time::Duration;

/// A wait for the log: `276 ms`, `1.5 s`, `120 s` (not `275.605316ms`).
pub(super) fn for_people(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d < Duration::from_secs(10) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} s", d.as_secs())
    }
}

/// `-vvv`: the status line and headers of an answer, secrets redacted.
pub(super) fn trace_response(status: StatusCode, headers: &HeaderMap) {
    if !log::log_enabled!(log::Level::Trace) {
        return;
    }
    trace!("< {status}");
    for (name, value) in headers {
        trace!("< {name}: {}", header_for_log(name, value));
    }
}

/// A header's value as the log shows it: the token, credentials and cookies
/// never, whatever the value (only `(redacted)`).
pub(super) fn header_for_log(name: &HeaderName, value: &HeaderValue) -> String {
    const SECRET: [&str; 5] = [
        "private-token",
        "authorization",
        "cookie",
        "set-cookie",
        "job-token",
    ];
    if value.is_sensitive() || SECRET.contains(&name.as_str()) {
        "(redacted)".to_string()
    } else {
        value
            .to_str()
            .map(str::to_string)
            .unwrap_or_else(|_| "(not text)".to_string())
    }
}
