//! Time as the HTTP layer and the token manager see it: the wall clock for rate-limit instants
//! and token expiry, and a sleep for backoff. Injectable, so tests run without waiting.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

/// A source of wall-clock time and of sleeps.
///
/// [`SystemClock`] is the default; [`MockClock`] makes retry and expiry tests instant and
/// deterministic. (`tokio::time::pause()` also works with [`SystemClock`] for code that does no
/// real I/O while paused.)
///
/// ```
/// use socialkit::http::{Clock, SystemClock};
/// let before = chrono::Utc::now();
/// assert!(SystemClock.now() >= before);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The real clock: `chrono::Utc::now()` and `tokio::time::sleep`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use socialkit::http::{Clock, SystemClock};
/// SystemClock.sleep(std::time::Duration::from_millis(1)).await;
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock for tests: time stands still until advanced, and `sleep` returns at once after
/// advancing the clock by the duration and recording it.
///
/// Clones share the same time.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chrono::TimeZone;
/// use socialkit::http::{Clock, MockClock};
/// use std::time::Duration;
///
/// let start = chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
/// let clock = MockClock::new(start);
/// clock.sleep(Duration::from_secs(2)).await;
/// assert_eq!(clock.now(), start + chrono::Duration::seconds(2));
/// assert_eq!(clock.sleeps(), vec![Duration::from_secs(2)]);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MockClock {
    state: Arc<Mutex<MockState>>,
}

#[derive(Debug)]
struct MockState {
    now: DateTime<Utc>,
    sleeps: Vec<Duration>,
}

impl MockClock {
    /// A clock standing at `start`.
    ///
    /// ```
    /// use socialkit::http::{Clock, MockClock};
    /// let start = chrono::Utc::now();
    /// assert_eq!(MockClock::new(start).now(), start);
    /// ```
    pub fn new(start: DateTime<Utc>) -> Self {
        MockClock {
            state: Arc::new(Mutex::new(MockState {
                now: start,
                sleeps: Vec::new(),
            })),
        }
    }

    /// Moves the clock forward without recording a sleep.
    ///
    /// ```
    /// use socialkit::http::{Clock, MockClock};
    /// let c = MockClock::new(chrono::Utc::now());
    /// let t0 = c.now();
    /// c.advance(std::time::Duration::from_secs(60));
    /// assert_eq!(c.now() - t0, chrono::Duration::seconds(60));
    /// ```
    pub fn advance(&self, by: Duration) {
        let mut s = self.lock();
        s.now = add(s.now, by);
    }

    /// Sets the clock to `now`.
    ///
    /// ```
    /// use socialkit::http::{Clock, MockClock};
    /// let c = MockClock::new(chrono::Utc::now());
    /// let later = c.now() + chrono::Duration::hours(1);
    /// c.set(later);
    /// assert_eq!(c.now(), later);
    /// ```
    pub fn set(&self, now: DateTime<Utc>) {
        self.lock().now = now;
    }

    /// Every sleep requested so far, in order.
    ///
    /// ```
    /// assert!(socialkit::http::MockClock::new(chrono::Utc::now()).sleeps().is_empty());
    /// ```
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MockState> {
        // A poisoned lock only means a test panicked while holding it; the data is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn add(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(by)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Clock for MockClock {
    fn now(&self) -> DateTime<Utc> {
        self.lock().now
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        {
            let mut s = self.lock();
            s.now = add(s.now, duration);
            s.sleeps.push(duration);
        }
        Box::pin(std::future::ready(()))
    }
}
