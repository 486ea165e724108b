//! Bounded concurrency for independent requests (e.g. one resource-event read per
//! issue): at most `limit` futures run at once, results come back in input order.
//! It only schedules; it must not retry or pace — the client does both per request.

use futures::stream::{self, StreamExt};
use std::future::Future;

/// Runs `f` on every item with at most `limit` (at least 1) running at once and
/// returns the outputs in the order of `items`.
pub async fn fan_out<I, T, F, Fut>(limit: usize, items: I, f: F) -> Vec<T>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = T>,
{
    stream::iter(items).map(f).buffered(limit.max(1)).collect().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn keeps_order_and_bounds_concurrency() {
        for limit in [0, 1, 3, 10] {
            let running = AtomicUsize::new(0);
            let peak = AtomicUsize::new(0);
            let out = fan_out(limit, 0..20u64, |i| {
                let (running, peak) = (&running, &peak);
                async move {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    // Later items finish first: order must still be the input's.
                    tokio::time::sleep(Duration::from_millis(100 - i * 5)).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    i * 2
                }
            })
            .await;
            assert_eq!(out, (0..20).map(|i| i * 2).collect::<Vec<_>>(), "limit {limit}");
            assert_eq!(peak.load(Ordering::SeqCst), limit.max(1), "limit {limit}");
        }
    }
}
