//! Fault injection: latency, 5xx, 429 throttling (GitLab's Rack::Attack shape,
//! gitlab-api.md §7), a write cap that simulates a job killed mid-run, malformed
//! bodies and connections dropped after the headers.
//!
//! `Faults::decide` is the only place that looks at a request before the API sees
//! it. The rate limit alone uses the real clock (`Instant`/`SystemTime`) because it
//! is about pacing; everything else is counted per request, never timed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the server does with a request before (or instead of) answering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 5xx: JSON `{"message":..}` for 500, an HTML proxy page otherwise (§1).
    Fail(u16),
    /// 429 plain text `Retry later` with `Retry-After` (seconds).
    Throttle { retry_after: u64 },
    /// 500 `{"message":"sandbox: write cap reached"}`.
    WriteCapReached,
    /// 200 with a body that is not JSON.
    Malformed,
}

/// The rate-limit headers of one response (§7), and whether it is over the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitVerdict {
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
    throttle_next: Vec<u64>,
    throttle_every: Option<(u64, u64)>,
    reset_next: usize,
    malformed_next: usize,
    pub(crate) writes_applied: usize,
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
    /// Drops every pending one-shot fault and the limits.
    pub fn clear(&mut self) {
        *self = Faults::default();
    }

    pub(crate) fn write_cap_reached(&self) -> bool {
        self.write_cap.is_some_and(|cap| self.writes_applied >= cap)
    }

    /// The fault for this request, if any, consuming one-shot counters.
    /// Order: write cap (the job is dead), queued 5xx, throttles, malformed.
    pub(crate) fn decide(&mut self) -> Option<Fault> {
        self.requests_seen += 1;
        if self.write_cap_reached() {
            return Some(Fault::WriteCapReached);
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

/// Shortcuts on the world, so a test can write `w.fail_next(1, 503)`.
impl super::state::World {
    pub fn set_latency(&mut self, latency: Duration) {
        self.faults.latency = latency;
    }
    pub fn fail_next(&mut self, n: usize, status: u16) {
        self.faults.fail_next(n, status);
    }
    pub fn throttle_next(&mut self, n: usize, retry_after_secs: u64) {
        self.faults.throttle_next(n, retry_after_secs);
    }
    pub fn throttle_every(&mut self, k: u64, retry_after_secs: u64) {
        self.faults.throttle_every(k, retry_after_secs);
    }
    pub fn set_write_cap(&mut self, n: usize) {
        self.faults.set_write_cap(n);
    }
    pub fn clear_write_cap(&mut self) {
        self.faults.clear_write_cap();
    }
    pub fn set_rate_limit(&mut self, per_minute: Option<u32>) {
        self.faults.rate_limit = per_minute;
    }
    pub fn reset_after_header(&mut self, n: usize) {
        self.faults.reset_after_header(n);
    }
    pub fn malformed_next(&mut self, n: usize) {
        self.faults.malformed_next(n);
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
        assert_eq!(f.decide(), Some(Fault::Fail(503)));
        assert_eq!(f.decide(), Some(Fault::Throttle { retry_after: 7 }));
        assert_eq!(f.decide(), Some(Fault::Malformed));
        assert_eq!(f.decide(), None);
    }

    #[test]
    fn throttle_every_kth_request() {
        let mut f = Faults::default();
        f.throttle_every(3, 0);
        let hits: Vec<bool> = (0..6).map(|_| f.decide().is_some()).collect();
        assert_eq!(hits, vec![false, false, true, false, false, true]);
    }

    #[test]
    fn write_cap_counts_applied_writes() {
        let mut f = Faults::default();
        f.set_write_cap(1);
        assert_eq!(f.decide(), None);
        f.writes_applied += 1;
        assert_eq!(f.decide(), Some(Fault::WriteCapReached));
        f.clear_write_cap();
        assert_eq!(f.decide(), None);
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
