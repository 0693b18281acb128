//! Discord's per-route rate-limit buckets and its global limit, honoured across concurrent
//! calls (<https://discord.com/developers/docs/topics/rate-limits>).
//!
//! Each answer names its bucket (`X-RateLimit-Bucket`, shared by routes that share a limit)
//! with what is left (`X-RateLimit-Remaining`) and when it refills
//! (`X-RateLimit-Reset-After`); a limit applies per bucket *and* per top-level resource (the
//! channel or webhook in the path). Before a call, `Limiter::acquire` takes one request
//! from the bucket under a lock — so two tasks never both spend the last request — and waits
//! (on the client's clock) until the bucket refills when it is empty, or until a global 429
//! (`X-RateLimit-Global`, body `global: true`) has passed. A wait longer than `max_wait` is
//! returned as `RateLimited` with `retry_after` instead, so the engine defers the delivery.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::http::RateLimit;
use crate::{Error, ErrorKind, Result};

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Requests per window (`X-RateLimit-Limit`).
    limit: u64,
    /// The window's length, as the last answer implied it.
    window: chrono::Duration,
    remaining: u64,
    reset_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct State {
    /// Route → bucket id, as the answers named them.
    routes: HashMap<String, String>,
    /// `bucket:major` (or `route:major` before the bucket is known) → its state.
    buckets: HashMap<String, Bucket>,
    global_until: Option<DateTime<Utc>>,
}

/// The buckets of one adapter (one token). Cheap to share.
#[derive(Debug)]
pub(crate) struct Limiter {
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
    max_wait: Duration,
}

/// Most times a call waits for a bucket before it gives up (each wait lasts until a reset).
const MAX_WAITS: usize = 8;

impl Limiter {
    pub(crate) fn new(clock: Arc<dyn Clock>, max_wait: Duration) -> Self {
        Limiter {
            state: Mutex::new(State::default()),
            clock,
            max_wait,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn key(state: &State, route: &str, major: &str) -> String {
        match state.routes.get(route) {
            Some(bucket) => format!("{bucket}:{major}"),
            None => format!("{route}:{major}"),
        }
    }

    /// Takes one request from the bucket of `route` on resource `major`, waiting while it or
    /// the global limit is spent.
    pub(crate) async fn acquire(&self, route: &str, major: &str) -> Result<()> {
        for _ in 0..MAX_WAITS {
            let wait = {
                let mut s = self.lock();
                let now = self.clock.now();
                match s.global_until.filter(|t| *t > now) {
                    Some(until) => until - now,
                    None => {
                        let key = Self::key(&s, route, major);
                        match s.buckets.get_mut(&key) {
                            Some(b) => {
                                if b.reset_at <= now {
                                    // The window passed: it refills; until an answer says
                                    // otherwise, the next window is as long as the last.
                                    b.remaining = b.limit;
                                    b.reset_at = now + b.window;
                                }
                                if b.remaining == 0 {
                                    b.reset_at - now
                                } else {
                                    b.remaining -= 1;
                                    return Ok(());
                                }
                            }
                            None => return Ok(()),
                        }
                    }
                }
            };
            let wait = wait.to_std().unwrap_or(Duration::ZERO);
            if wait > self.max_wait {
                return Err(self.limited(wait));
            }
            tracing::debug!(
                route,
                wait_ms = wait.as_millis() as u64,
                "discord bucket empty, waiting"
            );
            self.clock.sleep(wait).await;
        }
        Err(self.limited(Duration::from_secs(1)))
    }

    fn limited(&self, wait: Duration) -> Error {
        let at =
            self.clock.now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        Error::new(
            ErrorKind::RateLimited,
            "discord rate limit: the route's bucket is spent until its reset",
        )
        .with_platform(super::PLATFORM)
        .with_retry_after(at)
    }

    /// Records what an answer said about the bucket of `route` on `major`.
    pub(crate) fn update(&self, route: &str, major: &str, rl: Option<&RateLimit>) {
        let Some(rl) = rl else { return };
        let mut s = self.lock();
        if rl.global {
            let until = rl.retry_after.or(rl.reset_at);
            s.global_until = s.global_until.max(until);
            return;
        }
        if let Some(bucket) = &rl.bucket {
            let before = format!("{route}:{major}");
            s.routes.insert(route.to_string(), bucket.clone());
            s.buckets.remove(&before);
        }
        let (Some(remaining), Some(reset_at)) = (rl.remaining, rl.reset_at.or(rl.retry_after))
        else {
            return;
        };
        let key = Self::key(&s, route, major);
        let now = self.clock.now();
        let fresh = Bucket {
            limit: rl.limit.unwrap_or(remaining.saturating_add(1)).max(1),
            window: (reset_at - now).max(chrono::Duration::milliseconds(1)),
            remaining,
            reset_at,
        };
        let entry = s.buckets.entry(key).or_insert(fresh);
        // Answers of concurrent calls arrive in any order: within one window the smallest
        // count left is the true one.
        if reset_at > entry.reset_at + chrono::Duration::milliseconds(500) {
            *entry = fresh;
        } else {
            entry.remaining = entry.remaining.min(remaining);
            entry.reset_at = entry.reset_at.max(reset_at);
            entry.limit = fresh.limit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn rl(remaining: u64, reset_after_ms: i64, now: DateTime<Utc>, bucket: &str) -> RateLimit {
        RateLimit {
            remaining: Some(remaining),
            reset_at: Some(now + chrono::Duration::milliseconds(reset_after_ms)),
            bucket: Some(bucket.to_string()),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn an_empty_bucket_waits_for_its_reset_and_buckets_are_per_resource() {
        let clock = ManualClock::new(Utc::now());
        let l = Limiter::new(Arc::new(clock.clone()), Duration::from_secs(30));
        let now = clock.now();
        l.update(
            "POST channels/{c}/messages",
            "1",
            Some(&rl(1, 2000, now, "abc")),
        );
        l.acquire("POST channels/{c}/messages", "1").await.unwrap();
        assert!(clock.sleeps().is_empty(), "one request was left");
        // Another channel has its own count in the same bucket.
        l.acquire("POST channels/{c}/messages", "2").await.unwrap();
        assert!(clock.sleeps().is_empty());
        l.acquire("POST channels/{c}/messages", "1").await.unwrap();
        assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
    }

    #[tokio::test]
    async fn a_global_limit_stops_every_route_and_long_waits_are_returned() {
        let clock = ManualClock::new(Utc::now());
        let l = Limiter::new(Arc::new(clock.clone()), Duration::from_secs(5));
        let g = RateLimit {
            global: true,
            retry_after: Some(clock.now() + chrono::Duration::seconds(3)),
            ..Default::default()
        };
        l.update("GET channels/{c}/messages", "1", Some(&g));
        l.acquire("PATCH channels/{c}/messages/{m}", "9")
            .await
            .unwrap();
        assert_eq!(clock.sleeps(), [Duration::from_secs(3)]);
        let now = clock.now();
        l.update(
            "POST channels/{c}/messages",
            "1",
            Some(&rl(0, 60_000, now, "b")),
        );
        let e = l
            .acquire("POST channels/{c}/messages", "1")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after(), Some(now + chrono::Duration::seconds(60)));
    }

    #[tokio::test]
    async fn concurrent_callers_never_share_the_last_request() {
        let clock = ManualClock::new(Utc::now());
        let l = Arc::new(Limiter::new(
            Arc::new(clock.clone()),
            Duration::from_secs(30),
        ));
        let now = clock.now();
        l.update("POST r", "1", Some(&rl(3, 1000, now, "b")));
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move { l.acquire("POST r", "1").await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        // Three went at once; the other two waited for the reset.
        assert!(!clock.sleeps().is_empty());
        assert!(clock.sleeps().len() <= 2);
    }
}
