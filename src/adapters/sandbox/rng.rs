//! Counter-based deterministic randomness: every random number of the sandbox is a hash of the
//! seed and of *what* it decides (which post, which hour, which event), never of *when* it was
//! asked. That is what makes the simulation independent of how often anyone reads it.
//!
//! The mixing function is SplitMix64's finalizer, written out here so the numbers never change
//! with a dependency's version.

/// A position in the random stream: derive children with [`Key::with`], read values with
/// [`Key::unit`], [`Key::below`], [`Key::normal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key(u64);

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over the bytes: a stable hash of a name.
fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

impl Key {
    /// The root of a stream.
    pub(crate) fn new(seed: u64) -> Key {
        Key(mix(seed))
    }

    /// A child stream for `x`.
    pub(crate) fn with(self, x: u64) -> Key {
        Key(mix(self.0 ^ mix(x.wrapping_add(0x632B_E59B_D9B4_E019))))
    }

    /// A child stream for a name.
    pub(crate) fn with_str(self, s: &str) -> Key {
        self.with(hash_str(s))
    }

    /// A uniform number in `[0, 1)`.
    pub(crate) fn unit(self) -> f64 {
        (mix(self.0) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform integer in `[0, n)`; 0 when `n` is 0.
    pub(crate) fn below(self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((u128::from(mix(self.0)) * u128::from(n)) >> 64) as u64
    }

    /// A standard normal number (Box–Muller).
    pub(crate) fn normal(self) -> f64 {
        let u1 = self.with(1).unit().max(f64::MIN_POSITIVE);
        let u2 = self.with(2).unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A Poisson-distributed count with mean `lambda` (inverse CDF below 30, a rounded normal
    /// above). Non-finite or non-positive means give 0.
    pub(crate) fn poisson(self, lambda: f64) -> u64 {
        if !lambda.is_finite() || lambda <= 0.0 {
            return 0;
        }
        if lambda >= 30.0 {
            let x = lambda + lambda.sqrt() * self.normal();
            return x.round().max(0.0) as u64;
        }
        let u = self.unit();
        let mut p = (-lambda).exp();
        let mut cdf = p;
        let mut k = 0u64;
        while u > cdf && k < 200 {
            k += 1;
            p *= lambda / k as f64;
            cdf += p;
        }
        k
    }

    /// Picks an index with probability proportional to `weights`; 0 when they are all zero.
    pub(crate) fn weighted(self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().filter(|w| w.is_finite() && **w > 0.0).sum();
        if total <= 0.0 {
            return 0;
        }
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if !w.is_finite() || *w <= 0.0 {
                continue;
            }
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_numbers() {
        let a = Key::new(42).with_str("acme").with(7);
        let b = Key::new(42).with_str("acme").with(7);
        assert_eq!(a.unit(), b.unit());
        assert_ne!(a.unit(), Key::new(43).with_str("acme").with(7).unit());
    }

    #[test]
    fn poisson_mean_is_close() {
        for lambda in [0.3, 4.0, 80.0] {
            let n = 4000;
            let sum: u64 = (0..n).map(|i| Key::new(1).with(i).poisson(lambda)).sum();
            let mean = sum as f64 / n as f64;
            assert!(
                (mean - lambda).abs() < lambda * 0.1 + 0.05,
                "{lambda}: {mean}"
            );
        }
        assert_eq!(Key::new(1).poisson(f64::NAN), 0);
    }

    #[test]
    fn below_and_weighted_stay_in_range() {
        for i in 0..1000 {
            assert!(Key::new(i).below(7) < 7);
            assert!(Key::new(i).weighted(&[0.0, 1.0, 2.0]) >= 1);
        }
        assert_eq!(Key::new(1).weighted(&[0.0, 0.0]), 0);
    }
}
