//! Waiting for work the platform does after it answered: media processing (X's upload
//! `STATUS`, LinkedIn's video `PROCESSING` → `AVAILABLE`, Meta's containers).
//!
//! An adapter writes one step that asks the platform once and says [`Poll::Ready`] or
//! [`Poll::Wait`] (for how long, usually what the platform suggested); [`poll_until`] repeats it,
//! sleeping through the crate [`Clock`] (so tests on a [`ManualClock`](crate::clock::ManualClock)
//! take no time) and gives up with a [`Timeout`](crate::ErrorKind::Timeout) error after the bound.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use socialkit::clock::{Clock, ManualClock};
//! use socialkit::http::{poll_until, Poll};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let clock = ManualClock::new("2026-01-01T00:00:00Z".parse().unwrap());
//! let shared: Arc<dyn Clock> = Arc::new(clock.clone());
//! let mut left = 3;
//! let done = poll_until(&shared, Duration::from_secs(60), "x", "video processing", || {
//!     left -= 1;
//!     let answer = if left == 0 { Poll::Ready("done") } else { Poll::Wait(Duration::from_secs(5)) };
//!     async move { Ok(answer) }
//! })
//! .await
//! .unwrap();
//! assert_eq!(done, "done");
//! assert_eq!(clock.sleeps(), vec![Duration::from_secs(5); 2]);
//! # });
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::error::{Error, ErrorKind, Result};

/// The longest single wait, whatever the platform suggests.
///
/// ```
/// assert_eq!(socialkit::http::MAX_POLL_WAIT.as_secs(), 60);
/// ```
pub const MAX_POLL_WAIT: Duration = Duration::from_secs(60);

/// What one step of a poll found.
///
/// ```
/// use socialkit::http::Poll;
/// let p: Poll<u8> = Poll::Wait(std::time::Duration::from_secs(1));
/// assert!(matches!(p, Poll::Wait(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll<T> {
    /// The work is done: here is the result.
    Ready(T),
    /// Not done yet: ask again after this long (capped at [`MAX_POLL_WAIT`]).
    Wait(Duration),
}

/// Runs `step` until it is [`Poll::Ready`], sleeping on `clock` in between, for at most
/// `timeout` of clock time. An error from a step ends the poll with that error. When the time
/// is up, the error is a retryable [`ErrorKind::Timeout`] naming the platform and `what`.
pub async fn poll_until<T, F, Fut>(
    clock: &Arc<dyn Clock>,
    timeout: Duration,
    platform: &str,
    what: &str,
    mut step: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>>>,
{
    let started = clock.now();
    let mut polls: u32 = 0;
    loop {
        polls = polls.saturating_add(1);
        match step().await? {
            Poll::Ready(value) => return Ok(value),
            Poll::Wait(wait) => {
                let wait = wait.min(MAX_POLL_WAIT);
                let elapsed = (clock.now() - started).to_std().unwrap_or(Duration::ZERO);
                if elapsed.saturating_add(wait) > timeout {
                    return Err(Error::new(
                        ErrorKind::Timeout,
                        format!(
                            "{platform}: {what} was not finished after {} s ({polls} checks); \
                             try again later",
                            elapsed.as_secs()
                        ),
                    )
                    .with_platform(platform));
                }
                clock.sleep(wait).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn gives_up_after_the_bound_without_real_sleeps() {
        let clock = ManualClock::new(chrono::Utc::now());
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let err = poll_until(
            &shared,
            Duration::from_secs(30),
            "x",
            "media processing",
            || async { Ok(Poll::<()>::Wait(Duration::from_secs(600))) },
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(err.to_string().contains("media processing"), "{err}");
        // 600 s suggested, capped at 60 s: 60 > 30, so no sleep at all.
        assert!(clock.sleeps().is_empty());
    }

    #[tokio::test]
    async fn step_errors_end_the_poll() {
        let shared: Arc<dyn Clock> = Arc::new(ManualClock::new(chrono::Utc::now()));
        let err = poll_until(&shared, Duration::from_secs(30), "x", "m", || async {
            Err::<Poll<()>, _>(Error::validation("bad media"))
        })
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
    }
}
