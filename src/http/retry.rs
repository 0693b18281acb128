//! The retry policy: which failures are sent again, and how long to wait in between.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use super::backoff::{Backoff, Jitter};
use super::call::Retry;
use super::serde_secs;
use crate::error::Error;

/// How [`Client::send`](super::Client::send) retries a [`Retry::Idempotent`] call.
///
/// A failure is retried only when the error is retryable (5xx, 429, timeouts, connection
/// errors), attempts remain, and the total time stays within `max_elapsed`. The wait is the
/// platform's own (`Retry-After`, a reset with no requests left) when it gave one — unless that
/// is longer than `max_wait`, in which case the
/// [`ErrorKind::RateLimited`](crate::ErrorKind::RateLimited) error is returned at once with its `retry_after`, for the
/// caller to defer the work — and otherwise exponential backoff with full jitter: a random wait
/// between zero and `min(max_backoff, initial_backoff · 2^(retry − 1))`.
///
/// Durations are (fractional) seconds in serde form.
///
/// ```
/// let p: socialkit::http::RetryPolicy = serde_json::from_str(r#"{"max_attempts": 5, "initial_backoff": 0.25}"#).unwrap();
/// assert_eq!(p.max_attempts, 5);
/// assert_eq!(p.initial_backoff, std::time::Duration::from_millis(250));
/// assert_eq!(p.max_wait, socialkit::http::RetryPolicy::default().max_wait);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry). Default 3.
    pub max_attempts: u32,
    /// The backoff cap of the first retry. Default 0.5 s.
    #[serde(with = "serde_secs::required")]
    pub initial_backoff: Duration,
    /// The largest backoff cap. Default 30 s.
    #[serde(with = "serde_secs::required")]
    pub max_backoff: Duration,
    /// The longest a call may take, retries and waits included, before giving up. Default 120 s.
    #[serde(with = "serde_secs::required")]
    pub max_elapsed: Duration,
    /// The longest platform-requested wait the client sleeps through. Default 60 s.
    #[serde(with = "serde_secs::required")]
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
            max_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    ///
    /// ```
    /// assert_eq!(socialkit::http::RetryPolicy::none().max_attempts, 1);
    /// ```
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The upper bound of the jittered backoff before retry number `retry` (1 = first retry):
    /// `min(max_backoff, initial_backoff · 2^(retry − 1))`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = socialkit::http::RetryPolicy::default();
    /// assert_eq!(p.backoff_cap(1), Duration::from_millis(500));
    /// assert_eq!(p.backoff_cap(3), Duration::from_secs(2));
    /// assert_eq!(p.backoff_cap(60), Duration::from_secs(30));
    /// ```
    pub fn backoff_cap(&self, retry: u32) -> Duration {
        self.backoff().cap(retry)
    }

    /// The policy's waits as a [`Backoff`]: doubling from `initial_backoff` up to
    /// `max_backoff`, full jitter.
    ///
    /// ```
    /// use socialkit::http::{Jitter, RetryPolicy};
    /// assert_eq!(RetryPolicy::default().backoff().jitter, Jitter::Full);
    /// ```
    pub fn backoff(&self) -> Backoff {
        Backoff::new(self.initial_backoff, self.max_backoff, Jitter::Full)
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait this long, then send again.
    RetryAfter(Duration),
    /// Return the error.
    GiveUp,
}

/// Decides whether attempt number `attempt` (1-based), which failed with `err`, is followed by
/// another one. `elapsed` is the time since the first attempt started; `jitter` draws a
/// duration in `[0, cap]`.
pub(crate) fn decide(
    policy: &RetryPolicy,
    retry: Retry,
    err: &Error,
    attempt: u32,
    elapsed: Duration,
    now: DateTime<Utc>,
    jitter: impl FnOnce(Duration) -> Duration,
) -> Decision {
    if retry == Retry::Never || !err.is_retryable() || attempt >= policy.max_attempts {
        return Decision::GiveUp;
    }
    let delay = match err.retry_after() {
        Some(at) => {
            let wait = (at - now).to_std().unwrap_or(Duration::ZERO);
            if wait > policy.max_wait {
                return Decision::GiveUp;
            }
            wait
        }
        None => jitter(policy.backoff_cap(attempt)),
    };
    if elapsed.saturating_add(delay) > policy.max_elapsed {
        return Decision::GiveUp;
    }
    Decision::RetryAfter(delay)
}

/// Full jitter: uniform in `[0, cap]`.
pub(crate) fn full_jitter(cap: Duration) -> Duration {
    let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::rng().random_range(0..=cap_ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_735_732_800, 0).unwrap()
    }

    fn max(cap: Duration) -> Duration {
        cap
    }

    #[test]
    fn never_is_never_retried() {
        let err = Error::new(ErrorKind::Timeout, "t");
        let d = decide(
            &RetryPolicy::default(),
            Retry::Never,
            &err,
            1,
            Duration::ZERO,
            now(),
            max,
        );
        assert_eq!(d, Decision::GiveUp);
    }

    #[test]
    fn non_retryable_errors_are_not_retried() {
        let err = Error::new(ErrorKind::Validation, "v");
        let d = decide(
            &RetryPolicy::default(),
            Retry::Idempotent,
            &err,
            1,
            Duration::ZERO,
            now(),
            max,
        );
        assert_eq!(d, Decision::GiveUp);
    }

    #[test]
    fn attempts_are_bounded() {
        let p = RetryPolicy::default();
        let err = Error::new(ErrorKind::Platform, "p");
        assert!(matches!(
            decide(&p, Retry::Idempotent, &err, 2, Duration::ZERO, now(), max),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            decide(&p, Retry::Idempotent, &err, 3, Duration::ZERO, now(), max),
            Decision::GiveUp
        );
    }

    #[test]
    fn exponential_caps() {
        let p = RetryPolicy::default();
        let err = Error::new(ErrorKind::Network, "n");
        let delays: Vec<_> = (1..=2)
            .map(|a| decide(&p, Retry::Idempotent, &err, a, Duration::ZERO, now(), max))
            .collect();
        assert_eq!(
            delays,
            vec![
                Decision::RetryAfter(Duration::from_millis(500)),
                Decision::RetryAfter(Duration::from_secs(1))
            ]
        );
        assert_eq!(p.backoff_cap(u32::MAX), p.max_backoff);
        assert_eq!(p.backoff_cap(0), p.initial_backoff);
    }

    #[test]
    fn retry_after_is_respected_within_the_cap() {
        let p = RetryPolicy::default();
        let err = Error::new(ErrorKind::RateLimited, "r")
            .with_retry_after(now() + chrono::Duration::seconds(5));
        assert_eq!(
            decide(&p, Retry::Idempotent, &err, 1, Duration::ZERO, now(), max),
            Decision::RetryAfter(Duration::from_secs(5))
        );
        let past = Error::new(ErrorKind::RateLimited, "r")
            .with_retry_after(now() - chrono::Duration::seconds(5));
        assert_eq!(
            decide(&p, Retry::Idempotent, &past, 1, Duration::ZERO, now(), max),
            Decision::RetryAfter(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_over_the_cap_gives_up() {
        let p = RetryPolicy::default();
        let err = Error::new(ErrorKind::RateLimited, "r")
            .with_retry_after(now() + chrono::Duration::minutes(15));
        assert_eq!(
            decide(&p, Retry::Idempotent, &err, 1, Duration::ZERO, now(), max),
            Decision::GiveUp
        );
    }

    #[test]
    fn total_time_is_bounded() {
        let p = RetryPolicy::default();
        let err = Error::new(ErrorKind::Platform, "p");
        assert_eq!(
            decide(
                &p,
                Retry::Idempotent,
                &err,
                1,
                Duration::from_secs(120),
                now(),
                max
            ),
            Decision::GiveUp
        );
    }

    #[test]
    fn full_jitter_stays_within_cap() {
        for _ in 0..200 {
            assert!(full_jitter(Duration::from_millis(300)) <= Duration::from_millis(300));
        }
        assert_eq!(full_jitter(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn serde_rejects_negative_durations() {
        assert!(serde_json::from_str::<RetryPolicy>(r#"{"max_wait": -1}"#).is_err());
        let p: RetryPolicy = serde_json::from_str("{}").unwrap();
        assert_eq!(p, RetryPolicy::default());
    }
}
