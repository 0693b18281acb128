//! [`Backoff`]: the one exponential backoff of the crate — the HTTP layer's retries
//! ([`RetryPolicy`](super::RetryPolicy)), the engine's retries of failed deliveries and the
//! webhook re-sends all wait by it.

use std::time::Duration;

use rand::Rng;

/// How a delay is drawn below its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Jitter {
    /// The cap itself, every time (reproducible waits).
    None,
    /// Uniform between zero and the cap (the HTTP layer's retries).
    Full,
    /// Uniform between half the cap and the cap (the engine's retries: never much sooner
    /// than planned, yet spread).
    Equal,
}

/// Exponential backoff: the n-th retry waits at most `base · factor^(n-1)`, capped at `max`,
/// drawn below that cap by `jitter`. Jitter spreads retries of many calls or deliveries that
/// failed together (a platform outage) so they do not return as one wave.
///
/// ```
/// use std::time::Duration;
/// use socialkit::http::{Backoff, Jitter};
/// let b = Backoff::new(Duration::from_secs(10), Duration::from_secs(60), Jitter::Equal);
/// assert_eq!(b.cap(3), Duration::from_secs(40));
/// assert_eq!(b.cap(10), Duration::from_secs(60));
/// let mut rng = rand::rng();
/// let d = b.delay(3, &mut rng);
/// assert!(d >= Duration::from_secs(20) && d <= Duration::from_secs(40));
/// assert!(b.delay(10, &mut rng) <= Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The cap of the first retry.
    pub base: Duration,
    /// The growth per retry (at least 1).
    pub factor: f64,
    /// The largest cap.
    pub max: Duration,
    /// How a delay is drawn below its cap.
    pub jitter: Jitter,
}

impl Default for Backoff {
    /// The engine's default: 30 s, doubling, at most an hour, equal jitter.
    fn default() -> Self {
        Backoff::new(
            Duration::from_secs(30),
            Duration::from_secs(3600),
            Jitter::Equal,
        )
    }
}

impl Backoff {
    /// Doubling from `base` up to `max`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use socialkit::http::{Backoff, Jitter};
    /// let b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30), Jitter::None);
    /// assert_eq!(b.delay(2, &mut rand::rng()), Duration::from_secs(1));
    /// ```
    pub const fn new(base: Duration, max: Duration, jitter: Jitter) -> Self {
        Backoff {
            base,
            factor: 2.0,
            max,
            jitter,
        }
    }

    /// The upper bound of the wait before retry number `n` (1 = the first retry):
    /// `min(max, base · factor^(n-1))`, in whole milliseconds.
    ///
    /// ```
    /// use std::time::Duration;
    /// use socialkit::http::{Backoff, Jitter};
    /// let b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30), Jitter::Full);
    /// assert_eq!(b.cap(1), Duration::from_millis(500));
    /// assert_eq!(b.cap(3), Duration::from_secs(2));
    /// assert_eq!(b.cap(u32::MAX), Duration::from_secs(30));
    /// ```
    pub fn cap(&self, n: u32) -> Duration {
        let exp = self
            .factor
            .max(1.0)
            .powi(n.saturating_sub(1).min(60) as i32);
        let max_ms = self.max.as_millis() as f64;
        let ms = (self.base.as_millis() as f64 * exp).min(max_ms).max(0.0);
        Duration::from_millis(ms as u64)
    }

    /// The wait before retry number `n` (1 = the first retry), drawn from `rng` below
    /// [`Backoff::cap`] as [`Backoff::jitter`] says.
    pub fn delay(&self, n: u32, rng: &mut impl Rng) -> Duration {
        let full_ms = u64::try_from(self.cap(n).as_millis()).unwrap_or(u64::MAX);
        let ms = match self.jitter {
            Jitter::None => full_ms,
            Jitter::Full => rng.random_range(0..=full_ms),
            Jitter::Equal => {
                let half = full_ms / 2;
                let spread = full_ms - half;
                half + if spread > 0 {
                    rng.random_range(0..=spread)
                } else {
                    0
                }
            }
        };
        Duration::from_millis(ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn equal_jitter_stays_in_the_upper_half() {
        let b = Backoff::new(
            Duration::from_secs(30),
            Duration::from_secs(3600),
            Jitter::Equal,
        );
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for n in 1..20 {
            let d = b.delay(n, &mut rng);
            assert!(d >= b.cap(n) / 2 && d <= b.cap(n), "retry {n}: {d:?}");
        }
    }

    #[test]
    fn caps_saturate_without_overflow() {
        let b = Backoff {
            factor: 10.0,
            ..Backoff::new(Duration::from_secs(1), Duration::from_secs(5), Jitter::None)
        };
        assert_eq!(b.cap(0), Duration::from_secs(1));
        assert_eq!(b.cap(u32::MAX), Duration::from_secs(5));
        assert_eq!(b.delay(u32::MAX, &mut rand::rng()), Duration::from_secs(5));
    }
}
