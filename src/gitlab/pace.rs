//! Pacing: slow down *before* GitLab answers 429, from the `RateLimit-*` headers
//! it sends on every response where a throttle is on (gitlab-api.md §7).
//!
//! GitLab's throttle counts requests in a fixed window that ends at
//! `RateLimit-Reset` (Unix seconds). The fastest run that never gets a 429 sends
//! at full speed while budget remains and, once it is spent, holds every task
//! until the window resets. Spreading the last requests evenly over the window
//! instead would make a run that needs exactly the remaining budget wait for the
//! whole window for nothing, so we don't. What makes this safe is counting
//! requests still in flight: the budget a response reports is reduced by the
//! requests we started after it, and each new start takes one unit.
//!
//! [`PaceState`] is the pure state machine (time is an argument); [`Pacer`] is the
//! thin shared shell around it that sleeps. Nothing here sends requests.

use super::retry::{header_str, reset_in_secs, response_now};
use reqwest::header::HeaderMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// The longest the pacer holds requests on its own. A `RateLimit-Reset` further
/// away (or nonsense from a skewed clock) is capped; should the budget still be
/// spent then, the 429's `Retry-After` takes over.
pub const MAX_HOLD: Duration = Duration::from_secs(60);

/// What one response said about the throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// `RateLimit-Remaining`.
    pub remaining: u64,
    /// `RateLimit-Reset` as sent: identifies the window.
    pub window: i64,
    /// Time from the response until the window resets.
    pub reset_in: Duration,
    /// `RateLimit-Limit`, if sent.
    pub limit: Option<u64>,
}

/// Reads the `RateLimit-*` headers; `None` when the response has none
/// (throttles are off by default on self-managed GitLab).
pub fn observation_from_headers(headers: &HeaderMap, local_now_epoch: i64) -> Option<Observation> {
    let remaining = header_str(headers, "ratelimit-remaining")?.parse::<u64>().ok()?;
    let window = header_str(headers, "ratelimit-reset")?.parse::<i64>().ok()?;
    let limit = header_str(headers, "ratelimit-limit").and_then(|v| v.parse::<u64>().ok());
    let now = response_now(headers, local_now_epoch);
    let reset_in = Duration::from_secs(reset_in_secs(window, now));
    Some(Observation {
        remaining,
        window,
        reset_in,
        limit,
    })
}

/// Our estimate of the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The window's `RateLimit-Reset` value; `None` right after a reset, before a
    /// response from the new window arrived.
    pub window: Option<i64>,
    /// Requests we may still start in this window (can go below 0 when the server
    /// counted requests we did not expect).
    pub remaining: i64,
    /// When the window resets (`None`: not known yet).
    pub reset_at: Option<Instant>,
    pub limit: Option<u64>,
}

/// What a task about to send a request must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send now; the number is the request's ticket.
    Go(u64),
    /// Sleep until then, and ask again.
    WaitUntil(Instant),
    /// Budget unknown and requests in flight: wait for one to come back, ask again.
    WaitForResponse,
}

/// The pacer's state. Pure: every method takes `now`.
#[derive(Debug, Clone, Default)]
pub struct PaceState {
    pub budget: Option<Budget>,
    /// Set by a 429: nobody starts before this.
    pub hold_until: Option<Instant>,
    /// Requests started so far (tickets are 0, 1, 2, ...).
    pub started: u64,
    pub in_flight: u64,
    /// No response seen yet: send one probe before anything else so a run that
    /// starts with an almost spent budget does not fire `concurrency` requests blind.
    pub probing: bool,
    /// The newest window that has already reset: late answers from it are ignored.
    pub expired_window: Option<i64>,
}

impl PaceState {
    pub fn new() -> Self {
        PaceState {
            probing: true,
            ..PaceState::default()
        }
    }

    /// May a request start now? On `Go` the start is recorded.
    pub fn next(&mut self, now: Instant) -> Decision {
        if let Some(hold) = self.hold_until {
            if hold > now {
                return Decision::WaitUntil(hold);
            }
            self.hold_until = None;
        }
        self.refill_if_reset(now);
        let go = match &self.budget {
            None => !(self.probing && self.in_flight > 0),
            Some(b) if b.remaining > 0 => true,
            Some(b) => match b.reset_at {
                Some(at) => return Decision::WaitUntil(at),
                // Spent, reset time unknown: the next answer will say; with nothing
                // in flight nobody would, so go.
                None => self.in_flight == 0,
            },
        };
        if !go {
            return Decision::WaitForResponse;
        }
        if let Some(b) = &mut self.budget {
            b.remaining -= 1;
        }
        let ticket = self.started;
        self.started += 1;
        self.in_flight += 1;
        Decision::Go(ticket)
    }

    /// The request with `ticket` finished (answer or failure); `obs` is what its
    /// answer said about the throttle.
    pub fn finish(&mut self, ticket: u64, obs: Option<Observation>, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.probing = false;
        let Some(obs) = obs else { return };
        if self.expired_window.is_some_and(|w| obs.window <= w) {
            return;
        }
        // Requests started after this one may not have been counted yet: assume
        // they were not (conservative: at worst we wait a little early).
        let started_after = self.started.saturating_sub(ticket + 1);
        let remaining = (obs.remaining as i64).saturating_sub(started_after as i64);
        let fresh = Budget {
            window: Some(obs.window),
            remaining,
            reset_at: Some(now + obs.reset_in.min(MAX_HOLD)),
            limit: obs.limit,
        };
        self.budget = Some(match self.budget {
            None => fresh,
            Some(cur) => match cur.window {
                // First answer after a reset: both counts are estimates; keep the lower.
                None => Budget {
                    remaining: remaining.min(cur.remaining),
                    ..fresh
                },
                Some(w) if obs.window > w => fresh,
                Some(w) if obs.window < w => cur, // late answer from an older window
                Some(_) => Budget {
                    remaining: remaining.min(cur.remaining),
                    reset_at: cur.reset_at.max(fresh.reset_at),
                    limit: obs.limit.or(cur.limit),
                    ..cur
                },
            },
        });
    }

    /// A 429 arrived: nobody starts before `until`, and this window is spent.
    pub fn throttled(&mut self, until: Instant) {
        self.hold_until = self.hold_until.max(Some(until));
        if let Some(b) = &mut self.budget {
            b.remaining = b.remaining.min(0);
        }
    }

    fn refill_if_reset(&mut self, now: Instant) {
        let Some(b) = self.budget else { return };
        if b.reset_at.is_none_or(|at| now < at) {
            return;
        }
        self.expired_window = b.window.or(self.expired_window);
        self.budget = match b.limit {
            // A new window holds `limit`; count our starts against it until an
            // answer from the window tells the real number.
            Some(limit) => Some(Budget {
                window: None,
                remaining: limit as i64,
                reset_at: None,
                limit: Some(limit),
            }),
            None => {
                self.probing = true;
                None
            }
        };
    }
}

/// The shared pacer: one per client, used by every concurrent task.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<PaceState>,
    answered: Notify,
}

/// A started request; give it back with [`Pacer::finish`]. Dropping it (a
/// cancelled request) counts as finished without an answer.
#[derive(Debug)]
pub struct Ticket {
    pacer: Arc<Pacer>,
    number: u64,
    done: bool,
}

impl Pacer {
    pub fn new() -> Arc<Pacer> {
        Arc::new(Pacer {
            state: Mutex::new(PaceState::new()),
            answered: Notify::new(),
        })
    }

    // The lock is never held across an await; a poisoned lock still holds valid counts.
    fn lock(&self) -> MutexGuard<'_, PaceState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until a request may start.
    pub async fn acquire(self: &Arc<Self>) -> Ticket {
        loop {
            let notified = self.answered.notified();
            tokio::pin!(notified);
            // Registered before deciding, so an answer between the decision and
            // the await still wakes us.
            notified.as_mut().enable();
            let decision = self.lock().next(Instant::now());
            match decision {
                Decision::Go(number) => {
                    return Ticket {
                        pacer: Arc::clone(self),
                        number,
                        done: false,
                    };
                }
                Decision::WaitUntil(at) => {
                    let why = if self.lock().hold_until == Some(at) {
                        "GitLab answered 429"
                    } else {
                        "the RateLimit budget of this window is spent"
                    };
                    log::debug!(
                        "pacing: holding requests for {:?}: {why}",
                        at.saturating_duration_since(Instant::now())
                    );
                    tokio::time::sleep_until(at).await;
                }
                Decision::WaitForResponse => notified.await,
            }
        }
    }

    /// The request finished; `obs` is read from its answer (`None` if it failed).
    pub fn finish(&self, mut ticket: Ticket, obs: Option<Observation>) {
        ticket.done = true;
        self.lock().finish(ticket.number, obs, Instant::now());
        self.answered.notify_waiters();
    }

    /// A 429: hold everyone until `until`.
    pub fn throttled(&self, until: Instant) {
        self.lock().throttled(until);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if !self.done {
            self.pacer.lock().finish(self.number, None, Instant::now());
            self.pacer.answered.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn obs(remaining: u64, window: i64, reset_in: u64, limit: u64) -> Observation {
        Observation {
            remaining,
            window,
            reset_in: secs(reset_in),
            limit: Some(limit),
        }
    }

    fn go(d: Decision) -> u64 {
        match d {
            Decision::Go(t) => t,
            other => panic!("expected Go, got {other:?}"),
        }
    }

    #[test]
    fn reads_ratelimit_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(observation_from_headers(&h, 0), None);
        h.insert("RateLimit-Remaining", HeaderValue::from_static("7"));
        h.insert("RateLimit-Reset", HeaderValue::from_static("1767744030"));
        h.insert("RateLimit-Limit", HeaderValue::from_static("600"));
        h.insert("Date", HeaderValue::from_static("Wed, 07 Jan 2026 00:00:00 GMT"));
        assert_eq!(
            observation_from_headers(&h, 0),
            Some(obs(7, 1_767_744_030, 30, 600))
        );
        h.insert("RateLimit-Remaining", HeaderValue::from_static("many"));
        assert_eq!(observation_from_headers(&h, 0), None);
    }

    #[test]
    fn probe_first_then_full_speed_without_headers() {
        let t0 = Instant::now();
        let mut s = PaceState::new();
        assert_eq!(go(s.next(t0)), 0);
        // The probe is out: others wait for its answer.
        assert_eq!(s.next(t0), Decision::WaitForResponse);
        s.finish(0, None, t0);
        // No RateLimit headers (throttle off): never slow down.
        for want in 1..50 {
            assert_eq!(go(s.next(t0)), want);
        }
    }

    #[test]
    fn plentiful_budget_never_waits() {
        let t0 = Instant::now();
        let mut s = PaceState::new();
        go(s.next(t0));
        s.finish(0, Some(obs(1999, 100, 59, 2000)), t0);
        for _ in 0..300 {
            let t = go(s.next(t0));
            s.finish(t, Some(obs(1000, 100, 59, 2000)), t0);
        }
        assert_eq!(s.hold_until, None);
    }

    #[test]
    fn spent_budget_holds_until_reset_then_refills_from_limit() {
        let t0 = Instant::now();
        let mut s = PaceState::new();
        go(s.next(t0));
        s.finish(0, Some(obs(3, 100, 10, 5)), t0);
        // Three left: three go, the fourth waits for the reset 10 s later.
        for _ in 0..3 {
            go(s.next(t0));
        }
        assert_eq!(s.next(t0), Decision::WaitUntil(t0 + secs(10)));
        assert_eq!(s.next(t0 + secs(9)), Decision::WaitUntil(t0 + secs(10)));
        // After the reset: up to `limit` start before any answer arrives.
        let t1 = t0 + secs(10);
        for _ in 0..5 {
            go(s.next(t1));
        }
        // Spent and reset time unknown with requests in flight: wait for an answer.
        assert_eq!(s.next(t1), Decision::WaitForResponse);
        // A late answer from the old window changes nothing.
        s.finish(1, Some(obs(0, 100, 0, 5)), t1);
        assert_eq!(s.next(t1), Decision::WaitForResponse);
        // An answer from the new window (ticket 4, four started after it): 4 - 4 = 0 left.
        s.finish(4, Some(obs(4, 160, 60, 5)), t1);
        assert_eq!(s.next(t1), Decision::WaitUntil(t1 + secs(60)));
    }

    #[test]
    fn in_flight_requests_are_counted_against_the_reported_budget() {
        let t0 = Instant::now();
        let mut s = PaceState::new();
        go(s.next(t0));
        s.finish(0, Some(obs(10, 100, 30, 600)), t0);
        // Start 6 (tickets 1..=6), then ticket 1's answer says 9 remain:
        // the 5 started after it may not be counted yet → 4 left.
        for _ in 0..6 {
            go(s.next(t0));
        }
        s.finish(1, Some(obs(9, 100, 30, 600)), t0);
        assert_eq!(s.budget.map(|b| b.remaining), Some(4));
        // A stale, higher figure never raises the estimate within a window.
        s.finish(2, Some(obs(50, 100, 30, 600)), t0);
        assert_eq!(s.budget.map(|b| b.remaining), Some(4));
        // Someone else spends the budget: the server's lower number wins.
        s.finish(6, Some(obs(1, 100, 30, 600)), t0);
        assert_eq!(s.budget.map(|b| b.remaining), Some(1));
    }

    #[test]
    fn a_429_holds_everyone() {
        let t0 = Instant::now();
        let mut s = PaceState::new();
        go(s.next(t0));
        s.finish(0, None, t0);
        s.throttled(t0 + secs(5));
        assert_eq!(s.next(t0 + secs(1)), Decision::WaitUntil(t0 + secs(5)));
        // A shorter hold never shortens a longer one.
        s.throttled(t0 + secs(2));
        assert_eq!(s.next(t0 + secs(3)), Decision::WaitUntil(t0 + secs(5)));
        go(s.next(t0 + secs(5)));
    }

    #[test]
    fn a_far_or_skewed_reset_is_capped() {
        let t0 = Instant::now();
        let mut s = PaceState::new();
        go(s.next(t0));
        s.finish(0, Some(obs(0, 100, 86_400, 600)), t0);
        assert_eq!(s.next(t0), Decision::WaitUntil(t0 + MAX_HOLD));
    }

    #[tokio::test(start_paused = true)]
    async fn pacer_wakes_waiters_when_an_answer_arrives() {
        let pacer = Pacer::new();
        let probe = pacer.acquire().await;
        let p2 = Arc::clone(&pacer);
        let waiter = tokio::spawn(async move { p2.acquire().await.number });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        pacer.finish(probe, None);
        assert_eq!(waiter.await.unwrap(), 1);
        // A dropped ticket (cancelled request) releases waiters too.
        let t = pacer.acquire().await;
        assert_eq!(pacer.lock().in_flight, 1);
        drop(t);
        assert_eq!(pacer.lock().in_flight, 0);
    }
}
