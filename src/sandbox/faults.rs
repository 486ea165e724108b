//! Fault injection: latency, 5xx, 429 throttling (GitLab's Rack::Attack shape,
//! gitlab-api.md §7), a write cap that simulates a job killed mid-run, malformed
//! bodies, connections dropped after the headers, and the answers of a wrong URL
//! (an HTML page, a redirect) or of a server that never answers. Any of these can
//! be aimed at the requests whose method and path match (`Target`), e.g. only
//! `POST …/notes`, so a test can make one kind of write fail while the rest work.
//!
//! `Faults::decide` is the only place that looks at a request before the API sees
//! it. This module knows nothing of the world it is part of (no import of
//! `state`): the world owns a `Faults` and hands it out through `faults_mut`. The
//! rate limit alone uses the real clock (`Instant`/`SystemTime`) because it is
//! about pacing; everything else is counted per request, never timed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the server does with a request before (or instead of) answering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 5xx: JSON `{"message":..}` for 500, an HTML proxy page otherwise (§1);
    /// 4xx: GitLab's JSON error body for that status (`{"message":"403 Forbidden"}`).
    Fail(u16),
    /// 429 plain text `Retry later` with `Retry-After` (seconds).
    Throttle { retry_after: u64 },
    /// 500 `{"message":"sandbox: write cap reached"}`.
    WriteCapReached,
    /// 200 with a body that is not JSON.
    Malformed,
    /// 200 `text/html`: GitLab's sign-in page, as a URL without `/api/v4` gets.
    Html,
    /// 302 to this `Location`, with Rails' "You are being redirected" HTML body.
    Redirect(String),
    /// The connection is accepted and the request read, but no answer ever comes
    /// (the client's timeout ends it). Logged with status 0.
    Silent,
}

/// Which requests a targeted fault applies to: a method (`None` = any) and a
/// substring of the path as received (`/api/v4/projects/1/issues/3/notes`, still
/// percent-encoded, no query); a trailing `$` anchors it to the path's end, so
/// `/issues$` is issue creation and not `/issues/3/notes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub method: Option<String>,
    pub path: Option<String>,
}

impl Target {
    /// Every request.
    pub fn any() -> Target {
        Target::default()
    }
    /// `method` (empty or `*` = any) and a path pattern (empty = any), as above.
    pub fn matching(method: &str, path: &str) -> Target {
        Target {
            method: Some(method.to_ascii_uppercase()).filter(|m| !m.is_empty() && m != "*"),
            path: Some(path.to_string()).filter(|p| !p.is_empty()),
        }
    }
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_ok = self.path.as_deref().is_none_or(|p| match p.strip_suffix('$') {
            Some(end) => path.ends_with(end),
            None => path.contains(p),
        });
        method_ok && path_ok
    }
}

/// A fault waiting for the next `remaining` requests that match `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    target: Target,
    remaining: usize,
    fault: Fault,
}

/// The rate-limit headers of one response (§7), and whether it is over the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RateLimitVerdict {
    pub headers: Vec<(String, String)>,
    pub exceeded: bool,
    pub retry_after: u64,
    pub reset_time: String,
}

#[derive(Debug, Default)]
pub struct Faults {
    /// Added before every /api/v4 answer.
    pub latency: Duration,
    /// After this many applied writes (counted only while a cap is set; `set_write_cap`
    /// restarts the count), every request — read or write — answers 500.
    pub write_cap: Option<usize>,
    /// Requests per window (a minute unless `rate_period` says otherwise), in fixed
    /// windows aligned to the Unix epoch on the real clock, as Rack::Attack counts
    /// (so `RateLimit-Reset` is exactly when the next window opens).
    pub rate_limit: Option<u32>,
    /// The window of `rate_limit`; zero means 60 s (GitLab's). Tests shorten it.
    pub rate_period: Duration,
    fail: Vec<u16>,
    /// Targeted one-shot faults, in the order they were set.
    rules: Vec<Rule>,
    throttle_next: Vec<u64>,
    throttle_every: Option<(u64, u64)>,
    reset_next: usize,
    malformed_next: usize,
    pub(crate) writes_applied: usize,
    /// `silent_after_writes`: applied writes still to come before the next request
    /// is held unanswered.
    silent_after: Option<usize>,
    requests_seen: u64,
    /// The current window's index (epoch seconds ÷ period) and requests seen in it.
    window: Option<(u64, u32)>,
}

impl Faults {
    /// The next `n` requests answer `status` (500, 502, 503, 504, ...).
    pub fn fail_next(&mut self, n: usize, status: u16) {
        self.fail.extend(std::iter::repeat_n(status, n));
    }
    /// The next `n` requests answer 429 with `Retry-After: retry_after_secs`.
    pub fn throttle_next(&mut self, n: usize, retry_after_secs: u64) {
        self.throttle_next
            .extend(std::iter::repeat_n(retry_after_secs, n));
    }
    /// Every `k`-th request (counted from now) answers 429; `k = 0` turns it off.
    pub fn throttle_every(&mut self, k: u64, retry_after_secs: u64) {
        self.requests_seen = 0;
        self.throttle_every = (k > 0).then_some((k, retry_after_secs));
    }
    /// Cap applied writes at `n` from now on.
    pub fn set_write_cap(&mut self, n: usize) {
        self.write_cap = Some(n);
        self.writes_applied = 0;
    }
    pub fn clear_write_cap(&mut self) {
        self.write_cap = None;
        self.writes_applied = 0;
    }
    /// The next `n` requests are processed, then the connection drops after the headers.
    pub fn reset_after_header(&mut self, n: usize) {
        self.reset_next += n;
    }
    /// The next `n` requests answer 200 with a non-JSON body (and are not processed).
    pub fn malformed_next(&mut self, n: usize) {
        self.malformed_next += n;
    }
    /// The next `n` requests matching `target` get `fault` (the general form of
    /// the helpers below).
    pub fn inject(&mut self, target: Target, n: usize, fault: Fault) {
        if n > 0 {
            self.rules.push(Rule {
                target,
                remaining: n,
                fault,
            });
        }
    }
    /// The next `n` requests with this method (empty = any) whose path matches
    /// `path` (see `Target`) answer `status` — e.g. `("POST", "/notes", 1, 403)`.
    pub fn fail_matching(&mut self, method: &str, path: &str, n: usize, status: u16) {
        self.inject(Target::matching(method, path), n, Fault::Fail(status));
    }
    /// The next `n` requests answer 200 with an HTML page (a URL that is not the API).
    pub fn html_next(&mut self, n: usize) {
        self.inject(Target::any(), n, Fault::Html);
    }
    /// The next `n` requests answer 302 with `Location: location`.
    pub fn redirect_next(&mut self, n: usize, location: &str) {
        self.inject(Target::any(), n, Fault::Redirect(location.to_string()));
    }
    /// The next `n` requests are read and never answered.
    pub fn silent_next(&mut self, n: usize) {
        self.inject(Target::any(), n, Fault::Silent);
    }
    /// After `n` more applied writes, the next request is read and never
    /// answered: a run stopped there (SIGTERM) has a request in flight.
    pub fn silent_after_writes(&mut self, n: usize) {
        if n == 0 {
            self.silent_next(1);
        } else {
            self.silent_after = Some(n);
        }
    }
    /// Counts one applied (2xx) write, for the write cap and `silent_after_writes`.
    pub(crate) fn write_applied(&mut self) {
        if self.write_cap.is_some() {
            self.writes_applied += 1;
        }
        if let Some(n) = self.silent_after {
            if n <= 1 {
                self.silent_after = None;
                self.silent_next(1);
            } else {
                self.silent_after = Some(n - 1);
            }
        }
    }
    /// Drops every pending one-shot fault and the limits.
    pub fn clear(&mut self) {
        *self = Faults::default();
    }

    pub(crate) fn write_cap_reached(&self) -> bool {
        self.write_cap.is_some_and(|cap| self.writes_applied >= cap)
    }

    /// The fault for this request, if any, consuming one-shot counters.
    /// Order: write cap (the job is dead), targeted faults (oldest first), queued
    /// 5xx, throttles, malformed.
    pub(crate) fn decide(&mut self, method: &str, path: &str) -> Option<Fault> {
        self.requests_seen += 1;
        if self.write_cap_reached() {
            return Some(Fault::WriteCapReached);
        }
        if let Some(i) = self.rules.iter().position(|r| r.target.matches(method, path)) {
            let rule = &mut self.rules[i];
            rule.remaining -= 1;
            let fault = rule.fault.clone();
            if rule.remaining == 0 {
                self.rules.remove(i);
            }
            return Some(fault);
        }
        if !self.fail.is_empty() {
            return Some(Fault::Fail(self.fail.remove(0)));
        }
        if !self.throttle_next.is_empty() {
            return Some(Fault::Throttle {
                retry_after: self.throttle_next.remove(0),
            });
        }
        if let Some((k, retry_after)) = self.throttle_every {
            if self.requests_seen % k == 0 {
                return Some(Fault::Throttle { retry_after });
            }
        }
        if self.malformed_next > 0 {
            self.malformed_next -= 1;
            return Some(Fault::Malformed);
        }
        None
    }

    pub(crate) fn take_reset(&mut self) -> bool {
        if self.reset_next > 0 {
            self.reset_next -= 1;
            true
        } else {
            false
        }
    }

    /// Counts the request against the rate limit (if one is set).
    pub(crate) fn rate_limit(&mut self) -> Option<RateLimitVerdict> {
        let limit = self.rate_limit?;
        let period = match self.rate_period.as_secs() {
            0 => 60,
            p => p,
        };
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let index = since_epoch.as_secs() / period;
        let observed = match self.window {
            Some((i, n)) if i == index => n + 1,
            _ => 1,
        };
        self.window = Some((index, observed));
        let reset_epoch = (index + 1) * period;
        let left = Duration::from_secs(reset_epoch).saturating_sub(since_epoch);
        let retry_after = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let reset_time = chrono::DateTime::<chrono::Utc>::from(UNIX_EPOCH + Duration::from_secs(reset_epoch))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        Some(RateLimitVerdict {
            headers: vec![
                ("RateLimit-Name".into(), "throttle_authenticated_api".into()),
                ("RateLimit-Limit".into(), limit.to_string()),
                ("RateLimit-Observed".into(), observed.to_string()),
                (
                    "RateLimit-Remaining".into(),
                    limit.saturating_sub(observed).to_string(),
                ),
                ("RateLimit-Reset".into(), reset_epoch.to_string()),
            ],
            exceeded: observed > limit,
            retry_after,
            reset_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_faults_are_consumed_in_order() {
        let mut f = Faults::default();
        f.fail_next(1, 503);
        f.throttle_next(1, 7);
        f.malformed_next(1);
        assert_eq!(f.decide("GET", "/api/v4/user"), Some(Fault::Fail(503)));
        assert_eq!(
            f.decide("GET", "/api/v4/user"),
            Some(Fault::Throttle { retry_after: 7 })
        );
        assert_eq!(f.decide("GET", "/api/v4/user"), Some(Fault::Malformed));
        assert_eq!(f.decide("GET", "/api/v4/user"), None);
    }

    #[test]
    fn targets_match_method_and_path() {
        let cases = [
            (
                ("POST", "/notes"),
                ("POST", "/api/v4/projects/1/issues/3/notes"),
                true,
            ),
            (
                ("post", "/notes"),
                ("POST", "/api/v4/projects/1/issues/3/notes"),
                true,
            ),
            (
                ("POST", "/notes"),
                ("GET", "/api/v4/projects/1/issues/3/notes"),
                false,
            ),
            (("", "/notes"), ("GET", "/api/v4/projects/1/issues/3/notes"), true),
            (("*", ""), ("DELETE", "/api/v4/anything"), true),
            (("POST", "/issues$"), ("POST", "/api/v4/projects/1/issues"), true),
            (
                ("POST", "/issues$"),
                ("POST", "/api/v4/projects/1/issues/3/notes"),
                false,
            ),
            (
                ("POST", "/issues"),
                ("POST", "/api/v4/projects/1/issues/3/notes"),
                true,
            ),
            (
                ("PUT", "/milestones/"),
                ("PUT", "/api/v4/projects/1/milestones/501"),
                true,
            ),
        ];
        for ((method, pattern), (m, path), want) in cases {
            assert_eq!(
                Target::matching(method, pattern).matches(m, path),
                want,
                "{method} {pattern} vs {m} {path}"
            );
        }
    }

    #[test]
    fn targeted_faults_fire_only_on_matching_requests_in_order() {
        let mut f = Faults::default();
        f.fail_matching("POST", "/notes", 2, 403);
        f.redirect_next(1, "http://elsewhere/api/v4");
        let note = ("POST", "/api/v4/projects/1/issues/3/notes");
        // The first non-matching request gets the untargeted redirect.
        assert_eq!(
            f.decide("GET", "/api/v4/projects/1"),
            Some(Fault::Redirect("http://elsewhere/api/v4".into()))
        );
        assert_eq!(f.decide("GET", "/api/v4/projects/1"), None);
        assert_eq!(f.decide(note.0, note.1), Some(Fault::Fail(403)));
        assert_eq!(f.decide("PUT", "/api/v4/projects/1/issues/3"), None);
        assert_eq!(f.decide(note.0, note.1), Some(Fault::Fail(403)));
        assert_eq!(f.decide(note.0, note.1), None);
        f.html_next(1);
        f.silent_next(1);
        assert_eq!(f.decide("GET", "/api/v4/user"), Some(Fault::Html));
        assert_eq!(f.decide("GET", "/api/v4/user"), Some(Fault::Silent));
        f.inject(Target::any(), 0, Fault::Html);
        assert_eq!(f.decide("GET", "/api/v4/user"), None);
    }

    #[test]
    fn throttle_every_kth_request() {
        let mut f = Faults::default();
        f.throttle_every(3, 0);
        let hits: Vec<bool> = (0..6)
            .map(|_| f.decide("GET", "/api/v4/user").is_some())
            .collect();
        assert_eq!(hits, vec![false, false, true, false, false, true]);
    }

    #[test]
    fn write_cap_counts_applied_writes() {
        let mut f = Faults::default();
        f.set_write_cap(1);
        assert_eq!(f.decide("GET", "/api/v4/user"), None);
        f.writes_applied += 1;
        assert_eq!(f.decide("GET", "/api/v4/user"), Some(Fault::WriteCapReached));
        f.clear_write_cap();
        assert_eq!(f.decide("GET", "/api/v4/user"), None);
    }

    #[test]
    fn silent_after_writes_holds_the_request_after_the_nth_write() {
        let mut f = Faults::default();
        f.silent_after_writes(2);
        f.write_applied();
        assert_eq!(f.decide("PUT", "/api/v4/projects/1/issues/3"), None);
        f.write_applied();
        assert_eq!(
            f.decide("PUT", "/api/v4/projects/1/issues/4"),
            Some(Fault::Silent)
        );
        assert_eq!(
            f.decide("PUT", "/api/v4/projects/1/issues/5"),
            None,
            "one request only"
        );
        f.silent_after_writes(0);
        assert_eq!(f.decide("GET", "/api/v4/user"), Some(Fault::Silent));
    }

    #[test]
    fn rate_limit_counts_down_then_exceeds() {
        let mut f = Faults {
            rate_limit: Some(2),
            ..Faults::default()
        };
        let a = f.rate_limit().unwrap();
        let b = f.rate_limit().unwrap();
        let c = f.rate_limit().unwrap();
        assert!(!a.exceeded && !b.exceeded && c.exceeded);
        assert!(b
            .headers
            .contains(&("RateLimit-Remaining".to_string(), "0".to_string())));
        // Windows are aligned to the epoch: the reset is the next multiple of 60 s.
        assert!((1..=60).contains(&c.retry_after), "{}", c.retry_after);
        let reset: u64 = c
            .headers
            .iter()
            .find(|(k, _)| k == "RateLimit-Reset")
            .unwrap()
            .1
            .parse()
            .unwrap();
        assert_eq!(reset % 60, 0);
    }
}
