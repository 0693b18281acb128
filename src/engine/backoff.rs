//! Exponential backoff with jitter, for retryable failures.

use chrono::Duration;
use rand::Rng;

/// Exponential backoff with "equal jitter": the n-th retry waits between half and all of
/// `base · factor^(n-1)`, capped at `max`. Jitter spreads retries of many deliveries that
/// failed together (a platform outage) so they do not return as one wave.
///
/// ```
/// use chrono::Duration;
/// use socialkit::engine::Backoff;
/// let b = Backoff { base: Duration::seconds(10), factor: 2.0, max: Duration::seconds(60) };
/// let mut rng = rand::rng();
/// let d = b.delay(3, &mut rng);
/// assert!(d >= Duration::seconds(20) && d <= Duration::seconds(40));
/// assert!(b.delay(10, &mut rng) <= Duration::seconds(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The first delay.
    pub base: Duration,
    /// The growth per retry.
    pub factor: f64,
    /// The longest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::seconds(30),
            factor: 2.0,
            max: Duration::hours(1),
        }
    }
}

impl Backoff {
    /// The delay before retry number `n` (1 = the first retry).
    pub fn delay(&self, n: u32, rng: &mut impl Rng) -> Duration {
        let exp = self
            .factor
            .max(1.0)
            .powi(n.saturating_sub(1).min(60) as i32);
        let full_ms = (self.base.num_milliseconds() as f64 * exp)
            .min(self.max.num_milliseconds() as f64)
            .max(0.0) as i64;
        let half = full_ms / 2;
        let jitter = if full_ms - half > 0 {
            rng.random_range(0..=(full_ms - half))
        } else {
            0
        };
        Duration::milliseconds(half + jitter)
    }
}
