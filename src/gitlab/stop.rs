//! The stop signal of a run (SPEC "Cancel and timeout"): GitLab's runner stops a
//! job with SIGTERM; from then on the client sends no new request, and a request
//! already in flight gets a short grace to be answered, so the report can say
//! truthfully what was applied. Shared by clones; set once.

use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

#[derive(Clone, Default)]
pub struct Stop {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stop").field("signal", &self.signal()).finish()
    }
}

#[derive(Default)]
struct Inner {
    /// The signal's name and when it came.
    at: OnceLock<(&'static str, Instant)>,
    notify: Notify,
}

impl Stop {
    /// Records the signal (the first one counts) and wakes everyone waiting.
    pub fn trigger(&self, signal: &'static str) {
        if self.inner.at.set((signal, Instant::now())).is_ok() {
            self.inner.notify.notify_waiters();
        }
    }

    /// The signal that stopped the run, if one did.
    pub fn signal(&self) -> Option<&'static str> {
        self.inner.at.get().map(|(s, _)| *s)
    }

    /// Resolves once the run is stopped.
    pub async fn stopped(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.inner.at.get().is_some() {
                return;
            }
            notified.await;
        }
    }

    /// Resolves `grace` after the run was stopped: what a request in flight may
    /// still take.
    pub async fn grace_over(&self, grace: Duration) {
        self.stopped().await;
        if let Some((_, at)) = self.inner.at.get() {
            tokio::time::sleep_until(*at + grace).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn grace_runs_from_the_signal() {
        let stop = Stop::default();
        assert_eq!(stop.signal(), None);
        let waiter = {
            let stop = stop.clone();
            tokio::spawn(async move {
                stop.grace_over(Duration::from_secs(5)).await;
                Instant::now()
            })
        };
        tokio::time::sleep(Duration::from_secs(2)).await;
        let at = Instant::now();
        stop.trigger("SIGTERM");
        stop.trigger("SIGINT");
        assert_eq!(stop.signal(), Some("SIGTERM"), "the first signal counts");
        let over = waiter.await.unwrap_or(at);
        assert!(over - at >= Duration::from_secs(5), "{:?}", over - at);
        stop.stopped().await;
    }
}
