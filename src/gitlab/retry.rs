//! When to retry and how long to wait first, from the status, the response
//! headers and the attempt number (gitlab-api.md §7). Pure: no I/O, no clock —
//! the caller passes "now" (the response's `Date`, else the local clock), the
//! time spent so far and the jitter draw. Sleeping and counting attempts belong
//! to `client.rs`.
//!
//! Timeouts are retried once: each try costs a whole `api.timeout` (30 s by
//! default), and a server that stayed silent twice in a row is stuck, not
//! hiccuping, so a silent GitLab fails a request after at most 2 × `api.timeout`
//! plus one backoff instead of (`api.max_retries` + 1) × `api.timeout`. The retry
//! time limit counts the next try's timeout too.

use reqwest::header::{HeaderMap, DATE, RETRY_AFTER};
use std::time::Duration;

/// The longest exponential backoff between two attempts (server hints may ask for more).
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Statuses that mean "try again later": throttled, or a proxy/GitLab hiccup.
/// 400/401/403/404/409/422 are answers, never retried.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// What a response said about when to come back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryHints {
    /// `Retry-After`, in seconds (an HTTP-date value is converted against `now_epoch`).
    pub retry_after: Option<u64>,
    /// `RateLimit-Reset` as seconds from `now_epoch` (GitLab sends Unix epoch seconds, §7).
    pub reset_in: Option<u64>,
}

/// Reads `Retry-After`, `RateLimit-Reset` and `Date`. `local_now_epoch` is used
/// only when the response has no readable `Date`.
pub fn hints_from_headers(headers: &HeaderMap, local_now_epoch: i64) -> RetryHints {
    let now = response_now(headers, local_now_epoch);
    let retry_after = header_str(headers, RETRY_AFTER.as_str()).and_then(|v| match v.parse::<u64>() {
        Ok(secs) => Some(secs),
        Err(_) => http_date_epoch(v).map(|at| at.saturating_sub(now).max(0) as u64),
    });
    let reset_in = header_str(headers, "ratelimit-reset")
        .and_then(|v| v.parse::<i64>().ok())
        .map(|reset| reset_in_secs(reset, now));
    RetryHints {
        retry_after,
        reset_in,
    }
}

/// Seconds until a `RateLimit-Reset` value. GitLab sends Unix epoch seconds (§7); the
/// IETF draft (and some proxies) send a delay instead — values below 10^9 are read as one.
pub fn reset_in_secs(reset: i64, now_epoch: i64) -> u64 {
    if reset < 1_000_000_000 {
        reset.max(0) as u64
    } else {
        reset.saturating_sub(now_epoch).max(0) as u64
    }
}

/// "Now" as the server saw it: its `Date` header, else the local clock.
pub fn response_now(headers: &HeaderMap, local_now_epoch: i64) -> i64 {
    header_str(headers, DATE.as_str())
        .and_then(http_date_epoch)
        .unwrap_or(local_now_epoch)
}

/// Parses an HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`) to Unix seconds.
pub fn http_date_epoch(value: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|d| d.timestamp())
}

pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// A request that timed out this many times is not tried again (see the module doc).
pub const MAX_TIMEOUTS: u32 = 2;

/// How one attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptFailure {
    /// An answer with this (non-2xx) status.
    Status(u16),
    /// No connection (refused, DNS, ...).
    Connect,
    /// No answer within `api.timeout`.
    Timeout,
    /// Reset or cut off mid-answer.
    Io,
    /// Retrying cannot help: the request could not be built, or the server
    /// speaks another protocol than the URL says.
    Fatal,
}

/// The bounds of one request's retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_retries: u32,
    /// Time from the first try after which no retry starts.
    pub max_retry_time: Duration,
    pub backoff_base: Duration,
    /// `api.timeout`: what a try that times out costs.
    pub timeout: Duration,
}

/// What to do after a failed attempt; `why` is for the `-vv` log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Retry { wait: Duration, why: String },
    GiveUp { why: String },
}

/// After attempt number `attempt` (1 = the first try) failed with `failure`:
/// retry, and after how long, or give up. `timeouts` counts the attempts that
/// timed out so far, this one included; `elapsed` is the time since the first try.
pub fn next_step(
    failure: AttemptFailure,
    attempt: u32,
    timeouts: u32,
    elapsed: Duration,
    hints: &RetryHints,
    limits: &Limits,
    jitter: f64,
) -> Next {
    let give_up = |why: String| Next::GiveUp { why };
    match failure {
        AttemptFailure::Fatal => return give_up("retrying cannot help".into()),
        AttemptFailure::Status(s) if !is_retryable_status(s) => {
            return give_up(format!("HTTP {s} is an answer, not a hiccup"))
        }
        AttemptFailure::Timeout if timeouts >= MAX_TIMEOUTS => {
            return give_up(format!(
                "timed out {timeouts} times; a timeout is retried only once, as each try costs api.timeout ({:?})",
                limits.timeout
            ))
        }
        _ => {}
    }
    if attempt > limits.max_retries {
        return give_up(format!("api.max_retries ({}) used up", limits.max_retries));
    }
    let cap = MAX_BACKOFF.min(limits.max_retry_time);
    let wait = retry_wait(attempt, hints, limits.backoff_base, cap, jitter);
    let next_try = if failure == AttemptFailure::Timeout {
        limits.timeout
    } else {
        Duration::ZERO
    };
    if elapsed + wait + next_try > limits.max_retry_time {
        return give_up(format!(
            "waiting {wait:?} would pass the retry time limit of {:?}",
            limits.max_retry_time
        ));
    }
    let why = match (hints.retry_after, hints.reset_in) {
        (Some(s), _) if Duration::from_secs(s) == wait => {
            format!("the server asked for it (Retry-After: {s})")
        }
        (None, Some(s)) if Duration::from_secs(s) == wait => {
            format!("the server asked for it (RateLimit-Reset in {s}s)")
        }
        _ => "exponential backoff with jitter".to_string(),
    };
    Next::Retry { wait, why }
}

/// The wait before retry number `attempt` (1 = first retry).
///
/// Exponential backoff `base · 2^(attempt-1)`, capped at `cap`, scaled by a jitter
/// factor in [0.5, 1.0] (`jitter` is a draw in [0, 1]) so concurrent tasks spread out.
/// A server hint (`Retry-After`, else `RateLimit-Reset`) is a floor: the wait is the
/// larger of the two. A hint may exceed `cap`; the caller's `max_retry_time` decides
/// whether waiting that long is worth it.
pub fn retry_wait(attempt: u32, hints: &RetryHints, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(31);
    let backoff = base.saturating_mul(1u32 << exponent).min(cap);
    let factor = 0.5 + 0.5 * jitter.clamp(0.0, 1.0);
    let backoff = backoff.mul_f64(factor);
    let hint = hints.retry_after.or(hints.reset_in).map(Duration::from_secs);
    match hint {
        Some(h) => h.max(backoff),
        None => backoff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn retryable_statuses() {
        for s in [429, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [200, 201, 204, 400, 401, 403, 404, 409, 422, 500, 501] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }

    #[test]
    fn wait_table() {
        let none = RetryHints::default();
        let after = |s| RetryHints {
            retry_after: Some(s),
            reset_in: None,
        };
        let reset = |s| RetryHints {
            retry_after: None,
            reset_in: Some(s),
        };
        let both = RetryHints {
            retry_after: Some(2),
            reset_in: Some(50),
        };
        let base = MS(100);
        let cap = Duration::from_secs(30);
        // (attempt, hints, jitter, expected)
        let table: Vec<(u32, RetryHints, f64, Duration)> = vec![
            (1, none, 1.0, MS(100)),
            (2, none, 1.0, MS(200)),
            (3, none, 1.0, MS(400)),
            (3, none, 0.0, MS(200)), // jitter halves at most
            (3, none, 0.5, MS(300)),
            (20, none, 1.0, cap),        // capped
            (200, none, 1.0, cap),       // no overflow
            (1, after(0), 1.0, MS(100)), // Retry-After: 0 → backoff only
            (1, after(5), 1.0, Duration::from_secs(5)),
            (1, after(120), 1.0, Duration::from_secs(120)), // hint may exceed the cap
            (1, reset(7), 1.0, Duration::from_secs(7)),
            (1, both, 1.0, Duration::from_secs(2)), // Retry-After wins over Reset
            (20, after(1), 1.0, cap),               // backoff larger than the hint
            (1, none, 7.0, MS(100)),                // jitter clamped
        ];
        for (attempt, hints, jitter, want) in table {
            assert_eq!(
                retry_wait(attempt, &hints, base, cap, jitter),
                want,
                "attempt {attempt}, {hints:?}, jitter {jitter}"
            );
        }
        // Test settings: 1 ms base and Retry-After: 0 give millisecond waits.
        assert_eq!(retry_wait(1, &after(0), MS(1), cap, 1.0), MS(1));
    }

    #[test]
    fn next_step_table() {
        use AttemptFailure::*;
        let limits = Limits {
            max_retries: 5,
            max_retry_time: Duration::from_secs(300),
            backoff_base: MS(100),
            timeout: Duration::from_secs(30),
        };
        let none = RetryHints::default();
        let after = |s| RetryHints {
            retry_after: Some(s),
            reset_in: None,
        };
        let reset = RetryHints {
            retry_after: None,
            reset_in: Some(7),
        };
        let secs = Duration::from_secs;
        let retry = |ms: u64, why: &str| Next::Retry {
            wait: MS(ms),
            why: why.to_string(),
        };
        let give_up = |why: &str| Next::GiveUp { why: why.to_string() };
        // (failure, attempt, timeouts so far, elapsed, hints, expected)
        let table: Vec<(AttemptFailure, u32, u32, Duration, RetryHints, Next)> = vec![
            (
                Status(503),
                1,
                0,
                secs(0),
                none,
                retry(100, "exponential backoff with jitter"),
            ),
            (
                Status(429),
                1,
                0,
                secs(0),
                after(5),
                retry(5000, "the server asked for it (Retry-After: 5)"),
            ),
            (
                Status(429),
                1,
                0,
                secs(0),
                reset,
                retry(7000, "the server asked for it (RateLimit-Reset in 7s)"),
            ),
            (
                Status(429),
                1,
                0,
                secs(0),
                after(0),
                retry(100, "exponential backoff with jitter"),
            ),
            (
                Connect,
                3,
                0,
                secs(1),
                none,
                retry(400, "exponential backoff with jitter"),
            ),
            (
                Io,
                5,
                0,
                secs(1),
                none,
                retry(1600, "exponential backoff with jitter"),
            ),
            (
                Status(503),
                6,
                0,
                secs(1),
                none,
                give_up("api.max_retries (5) used up"),
            ),
            (
                Status(404),
                1,
                0,
                secs(0),
                none,
                give_up("HTTP 404 is an answer, not a hiccup"),
            ),
            (
                Status(302),
                1,
                0,
                secs(0),
                none,
                give_up("HTTP 302 is an answer, not a hiccup"),
            ),
            (Fatal, 1, 0, secs(0), none, give_up("retrying cannot help")),
            // A first timeout is retried, a second is not, whatever max_retries says.
            (
                Timeout,
                1,
                1,
                secs(30),
                none,
                retry(100, "exponential backoff with jitter"),
            ),
            (
                Timeout,
                2,
                2,
                secs(60),
                none,
                give_up(
                    "timed out 2 times; a timeout is retried only once, as each try costs api.timeout (30s)",
                ),
            ),
            (
                Timeout,
                4,
                2,
                secs(60),
                none,
                give_up(
                    "timed out 2 times; a timeout is retried only once, as each try costs api.timeout (30s)",
                ),
            ),
            // 503s between timeouts do not reset the count; other failures still retry.
            (
                Status(503),
                3,
                2,
                secs(61),
                none,
                retry(400, "exponential backoff with jitter"),
            ),
            // The retry time limit counts the wait, and for a timeout the next try's timeout.
            (
                Status(429),
                1,
                0,
                secs(0),
                after(3600),
                give_up("waiting 3600s would pass the retry time limit of 300s"),
            ),
            (
                Timeout,
                1,
                1,
                secs(271),
                none,
                give_up("waiting 100ms would pass the retry time limit of 300s"),
            ),
            (
                Status(503),
                1,
                0,
                secs(271),
                none,
                retry(100, "exponential backoff with jitter"),
            ),
        ];
        for (failure, attempt, timeouts, elapsed, hints, want) in table {
            assert_eq!(
                next_step(failure, attempt, timeouts, elapsed, &hints, &limits, 1.0),
                want,
                "{failure:?} attempt {attempt}, {timeouts} timeouts, {elapsed:?}, {hints:?}"
            );
        }
        // max_retries 0: nothing is retried.
        let none_left = Limits {
            max_retries: 0,
            ..limits
        };
        assert_eq!(
            next_step(Timeout, 1, 1, secs(1), &none, &none_left, 1.0),
            give_up("api.max_retries (0) used up")
        );
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn hints_table() {
        // 2026-01-07T00:00:00Z
        let date = "Wed, 07 Jan 2026 00:00:00 GMT";
        let epoch = 1_767_744_000;
        let local = epoch + 1000; // local clock off: Date must win
        let table: Vec<(Vec<(&'static str, &str)>, RetryHints)> = vec![
            (vec![], RetryHints::default()),
            (
                vec![("retry-after", "30")],
                RetryHints {
                    retry_after: Some(30),
                    reset_in: None,
                },
            ),
            (
                vec![("Retry-After", " 0 ")],
                RetryHints {
                    retry_after: Some(0),
                    reset_in: None,
                },
            ),
            (vec![("retry-after", "soon")], RetryHints::default()),
            (
                vec![("date", date), ("retry-after", "Wed, 07 Jan 2026 00:00:20 GMT")],
                RetryHints {
                    retry_after: Some(20),
                    reset_in: None,
                },
            ),
            (
                vec![("date", date), ("ratelimit-reset", "1767744045")],
                RetryHints {
                    retry_after: None,
                    reset_in: Some(45),
                },
            ),
            // reset already past → 0, never negative
            (
                vec![("date", date), ("ratelimit-reset", "1767743990")],
                RetryHints {
                    retry_after: None,
                    reset_in: Some(0),
                },
            ),
            // delta-seconds form
            (
                vec![("ratelimit-reset", "12")],
                RetryHints {
                    retry_after: None,
                    reset_in: Some(12),
                },
            ),
        ];
        for (pairs, want) in table {
            assert_eq!(hints_from_headers(&headers(&pairs), local), want, "{pairs:?}");
        }
        // Without Date, the local clock is "now".
        let h = headers(&[("ratelimit-reset", "1767744045")]);
        assert_eq!(hints_from_headers(&h, epoch + 40).reset_in, Some(5));
        assert_eq!(http_date_epoch(date), Some(epoch));
        assert_eq!(http_date_epoch("not a date"), None);
    }
}
