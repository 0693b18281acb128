//! Time as socialkit sees it: UTC instants and sleeps from a [`Clock`] that tests and
//! simulations can control.
//!
//! Every part that reads the time or waits (the HTTP layer's backoff, token expiry, the
//! sandbox's simulated audience, the engine's scheduler) takes an `Arc<dyn Clock>`, so a test
//! can run weeks of simulated time in milliseconds, deterministically.
//!
//! Time is UTC inside and IANA zones at the edges: [`resolve_local`] is the one rule that
//! turns a local wall-clock time into an instant across DST gaps and overlaps.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::offset::LocalResult;
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use futures::future::BoxFuture;

/// The UTC instant of local time `local` in `zone`, with socialkit's DST rule (gap → the
/// first valid instant after the gap, overlap → the earlier one); the rule of
/// [`engine::schedule`](crate::engine::schedule), [`strategy::localtime`](crate::strategy::localtime)
/// and the inbox's business hours alike: a time in a gap → the first valid instant after the gap; a time in an
/// overlap → the earlier instant.
///
/// ```
/// use chrono::NaiveDate;
/// use socialkit::clock::resolve_local;
/// let berlin = chrono_tz::Europe::Berlin;
/// let gap = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap().and_hms_opt(2, 30, 0).unwrap();
/// assert_eq!(resolve_local(berlin, gap).to_rfc3339(), "2026-03-29T01:00:00+00:00");
/// let overlap = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap().and_hms_opt(2, 30, 0).unwrap();
/// assert_eq!(resolve_local(berlin, overlap).to_rfc3339(), "2026-10-25T00:30:00+00:00");
/// ```
pub fn resolve_local(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            // Gaps end on a whole minute in every zone in use: walk to it.
            let mut t = local
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(local);
            for _ in 0..(48 * 60) {
                t += Duration::minutes(1);
                if let Some(v) = zone.from_local_datetime(&t).earliest() {
                    return v.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

/// A source of the current instant (UTC) and of sleeps.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Waits for `duration`. The default sleeps on the tokio timer.
    fn sleep(&self, duration: StdDuration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The real clock: `chrono::Utc::now()` and `tokio::time::sleep`.
///
/// ```
/// use socialkit::clock::{Clock, SystemClock};
/// let before = chrono::Utc::now();
/// assert!(SystemClock.now() >= before);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; a `sleep` returns at once after advancing the clock
/// by its duration and recording it. Clones share the same time.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use socialkit::clock::{Clock, ManualClock};
/// let start = "2026-03-29T00:00:00Z".parse().unwrap();
/// let clock = ManualClock::new(start);
/// clock.advance(chrono::Duration::hours(2));
/// clock.sleep(std::time::Duration::from_secs(30)).await;
/// assert_eq!(clock.now(), start + chrono::Duration::hours(2) + chrono::Duration::seconds(30));
/// assert_eq!(clock.sleeps(), vec![std::time::Duration::from_secs(30)]);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
}

#[derive(Debug)]
struct ManualState {
    now: DateTime<Utc>,
    sleeps: Vec<StdDuration>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock {
            state: Arc::new(Mutex::new(ManualState {
                now: start,
                sleeps: Vec::new(),
            })),
        }
    }

    /// Moves the clock forward (or backward, with a negative duration) without recording a
    /// sleep.
    pub fn advance(&self, by: Duration) {
        let mut s = self.lock();
        s.now = s
            .now
            .checked_add_signed(by)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        self.lock().now = at;
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<StdDuration> {
        self.lock().sleeps.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        // A poisoned lock only means a test panicked while holding it; the time is still valid.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.lock().now
    }

    fn sleep(&self, duration: StdDuration) -> BoxFuture<'static, ()> {
        {
            let mut s = self.lock();
            let by = Duration::from_std(duration).unwrap_or(Duration::MAX);
            s.now = s
                .now
                .checked_add_signed(by)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            s.sleeps.push(duration);
        }
        Box::pin(std::future::ready(()))
    }
}

/// A shared clock handle.
pub type SharedClock = Arc<dyn Clock>;
