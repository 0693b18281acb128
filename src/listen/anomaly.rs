//! Anomaly detection on volume (or any) series: a **seasonal baseline** — the median of the
//! recent past at the same time of day (or of week) — and a **robust outlier test** — the
//! distance from that baseline in robust standard deviations (1.4826 · MAD of the same values,
//! floored by the Poisson scale `sqrt(baseline)` for sparse counts).
//!
//! It runs **streaming** ([`Detector::update`], one point at a time, memory bounded by
//! `slots × max_per_slot` values) or in **batch** ([`detect`]), with identical results: batch
//! is the streaming detector run over the points.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use socialkit::listen::anomaly::{Config, Detector, detect};
//! let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
//! // Ten days of hourly counts with a daily rhythm, then a spike.
//! let mut points: Vec<_> = (0..240)
//!     .map(|h| (t0 + Duration::hours(h), 20.0 + 10.0 * ((h % 24) as f64 / 24.0 * 6.28).sin()))
//!     .collect();
//! points.push((t0 + Duration::hours(240), 90.0));
//! let found = detect(&Config::default(), &points);
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].at, t0 + Duration::hours(240));
//!
//! let mut d = Detector::new(Config::default());
//! let streamed: Vec<_> = points.iter().filter_map(|(t, v)| d.update(*t, *v)).collect();
//! assert_eq!(streamed, found);
//! ```

use std::collections::VecDeque;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// Which past values form the baseline of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Season {
    /// No seasonality: all recent values.
    None,
    /// Same time of day (UTC).
    Daily,
    /// Same time of week (UTC).
    Weekly,
}

/// Which deviations count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Only values above the baseline (volume spikes).
    Up,
    /// Only values below it (drops).
    Down,
    /// Both.
    Both,
}

/// How values are transformed before the test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// As they are (scale floored by the Poisson scale `sqrt(baseline)`).
    Identity,
    /// `ln(1 + max(x, 0))`: bursts in counts become comparable across quiet and busy hours
    /// (scale floored at 0.1).
    Log1p,
}

/// Detector settings. The defaults suit counts per 5 minutes to per hour: daily season in 1-hour
/// slots over the last 7 days, counts on a log scale, an alert from 5 robust standard
/// deviations up, then quiet for 6 hours. On NAB's `realTweets` (6 series, standard profile)
/// they score 65.2; see `examples/nab_score.rs` for the sensitivity table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Seasonality of the baseline.
    pub season: Season,
    /// Width of a season slot in seconds (default 3,600: the baseline of 14:35 is built from
    /// the values between 14:00 and 15:00 of past days).
    pub slot_secs: i64,
    /// How far back the baseline looks, in seconds (default 7 days).
    pub history_secs: i64,
    /// At most this many values kept per slot (bounds memory).
    pub max_per_slot: usize,
    /// Values a slot needs before it can flag anything.
    pub min_samples: usize,
    /// Robust z-score from which a point is an anomaly.
    pub threshold: f64,
    /// Which deviations count.
    pub direction: Direction,
    /// After an anomaly, further anomalies are not reported for this many seconds (one alert
    /// per burst).
    pub cooldown_secs: i64,
    /// The transform applied to values.
    pub transform: Transform,
    /// The test is on the mean of the last `smooth` (transformed) values, which turns a noisy
    /// count into a short-term rate (1 = no smoothing).
    pub smooth: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            season: Season::Daily,
            slot_secs: 3_600,
            history_secs: 7 * 86_400,
            max_per_slot: 2_016,
            min_samples: 6,
            threshold: 5.0,
            direction: Direction::Up,
            cooldown_secs: 6 * 3_600,
            transform: Transform::Log1p,
            smooth: 1,
        }
    }
}

/// A point that stands out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// When.
    pub at: DateTime<Utc>,
    /// The value.
    pub value: f64,
    /// The seasonal baseline (median of comparable past values, transformed and smoothed
    /// like the tested signal).
    pub baseline: f64,
    /// The robust scale used.
    pub scale: f64,
    /// The robust z-score `(value − baseline) / scale`.
    pub score: f64,
}

/// What the detector made of one point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// When.
    pub at: DateTime<Utc>,
    /// The value.
    pub value: f64,
    /// The baseline, when the slot had enough history.
    pub baseline: Option<f64>,
    /// The robust z-score (0 without enough history).
    pub score: f64,
    /// The anomaly, if the point is one and not within a cooldown.
    pub anomaly: Option<Anomaly>,
}

/// The streaming detector.
#[derive(Debug, Clone)]
pub struct Detector {
    config: Config,
    slots: Vec<VecDeque<(i64, f64)>>,
    last_anomaly: Option<i64>,
    scratch: Vec<f64>,
    recent: VecDeque<f64>,
}

fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    let mid = n / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *m;
    if n % 2 == 1 {
        upper
    } else {
        let lower = values[..mid]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

impl Detector {
    /// A detector with `config` (out-of-range settings are brought into range).
    pub fn new(mut config: Config) -> Detector {
        config.slot_secs = config.slot_secs.clamp(60, 7 * 86_400);
        config.max_per_slot = config.max_per_slot.clamp(1, 1_000_000);
        config.min_samples = config.min_samples.clamp(1, config.max_per_slot);
        config.smooth = config.smooth.clamp(1, 10_000);
        if !config.threshold.is_finite() {
            config.threshold = Config::default().threshold;
        }
        let period = match config.season {
            Season::None => config.slot_secs,
            Season::Daily => 86_400,
            Season::Weekly => 7 * 86_400,
        };
        let n = ((period + config.slot_secs - 1) / config.slot_secs).max(1) as usize;
        Detector {
            slots: vec![VecDeque::new(); n],
            config,
            last_anomaly: None,
            scratch: Vec::new(),
            recent: VecDeque::new(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn slot_of(&self, at: DateTime<Utc>) -> usize {
        let secs = match self.config.season {
            Season::None => 0,
            Season::Daily => at.num_seconds_from_midnight() as i64,
            Season::Weekly => {
                at.weekday().num_days_from_monday() as i64 * 86_400
                    + at.num_seconds_from_midnight() as i64
            }
        };
        ((secs / self.config.slot_secs) as usize).min(self.slots.len() - 1)
    }

    /// Feeds one point; returns the anomaly if it is one.
    pub fn update(&mut self, at: DateTime<Utc>, value: f64) -> Option<Anomaly> {
        self.observe(at, value).anomaly
    }

    /// Feeds one point and returns everything the detector made of it. Non-finite values are
    /// not learnt from and never anomalous.
    pub fn observe(&mut self, at: DateTime<Utc>, value: f64) -> Observation {
        let mut obs = Observation {
            at,
            value,
            baseline: None,
            score: 0.0,
            anomaly: None,
        };
        if !value.is_finite() {
            return obs;
        }
        let ts = at.timestamp();
        let slot = self.slot_of(at);
        let x = match self.config.transform {
            Transform::Identity => value,
            Transform::Log1p => value.max(0.0).ln_1p(),
        };
        self.recent.push_back(x);
        if self.recent.len() > self.config.smooth {
            self.recent.pop_front();
        }
        let signal = self.recent.iter().sum::<f64>() / self.recent.len() as f64;
        if !signal.is_finite() {
            return obs;
        }
        let cfg = &self.config;
        let history = &mut self.slots[slot];
        while history
            .front()
            .is_some_and(|(t, _)| ts.saturating_sub(*t) > cfg.history_secs)
        {
            history.pop_front();
        }
        if history.len() >= cfg.min_samples {
            self.scratch.clear();
            self.scratch.extend(history.iter().map(|(_, v)| *v));
            let base = median(&mut self.scratch);
            for v in self.scratch.iter_mut() {
                *v = (*v - base).abs();
            }
            let mad = median(&mut self.scratch);
            let floor = match cfg.transform {
                Transform::Identity => base.abs().max(1.0).sqrt(),
                Transform::Log1p => 0.1,
            };
            let scale = (1.4826 * mad).max(floor);
            let z = (signal - base) / scale;
            obs.baseline = Some(base);
            obs.score = z;
            let hit = match cfg.direction {
                Direction::Up => z >= cfg.threshold,
                Direction::Down => -z >= cfg.threshold,
                Direction::Both => z.abs() >= cfg.threshold,
            };
            let cooling = self
                .last_anomaly
                .is_some_and(|t| ts >= t && ts - t < cfg.cooldown_secs);
            if hit && !cooling {
                self.last_anomaly = Some(ts);
                obs.anomaly = Some(Anomaly {
                    at,
                    value,
                    baseline: base,
                    scale,
                    score: z,
                });
            }
        }
        history.push_back((ts, signal));
        if history.len() > cfg.max_per_slot {
            history.pop_front();
        }
        obs
    }
}

/// Runs a fresh detector over `points` (in time order) and returns its anomalies.
pub fn detect(config: &Config, points: &[(DateTime<Utc>, f64)]) -> Vec<Anomaly> {
    let mut d = Detector::new(config.clone());
    points
        .iter()
        .filter_map(|(t, v)| d.update(*t, *v))
        .collect()
}

/// Runs a fresh detector over `points` and returns every observation (for plots and scoring).
pub fn observe_all(config: &Config, points: &[(DateTime<Utc>, f64)]) -> Vec<Observation> {
    let mut d = Detector::new(config.clone());
    points.iter().map(|(t, v)| d.observe(*t, *v)).collect()
}

/// A [`Duration`] in whole seconds, for [`Config`] fields.
///
/// ```
/// assert_eq!(socialkit::listen::anomaly::secs(chrono::Duration::hours(1)), 3600);
/// ```
pub fn secs(d: Duration) -> i64 {
    d.num_seconds()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn medians() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn cooldown_gives_one_alert_per_burst() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut pts: Vec<_> = (0..24 * 8)
            .map(|h| (t0 + Duration::hours(h), 10.0))
            .collect();
        for h in 0..3 {
            pts.push((t0 + Duration::hours(24 * 8 + h), 100.0));
        }
        assert_eq!(detect(&Config::default(), &pts).len(), 1);
        let no_cooldown = Config {
            cooldown_secs: 0,
            ..Config::default()
        };
        assert_eq!(detect(&no_cooldown, &pts).len(), 3);
    }

    #[test]
    fn drops_are_found_when_asked() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut pts: Vec<_> = (0..24 * 8)
            .map(|h| (t0 + Duration::hours(h), 100.0 + (h % 3) as f64))
            .collect();
        pts.push((t0 + Duration::hours(24 * 8), 0.0));
        assert!(detect(&Config::default(), &pts).is_empty());
        let down = Config {
            direction: Direction::Down,
            ..Config::default()
        };
        assert_eq!(detect(&down, &pts).len(), 1);
    }

    #[test]
    fn memory_is_bounded() {
        let cfg = Config {
            max_per_slot: 10,
            history_secs: i64::MAX,
            ..Config::default()
        };
        let mut d = Detector::new(cfg);
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        for m in 0..100_000 {
            d.update(t0 + Duration::minutes(m), m as f64);
        }
        assert!(d.slots.iter().all(|s| s.len() <= 10));
    }

    proptest! {
        #[test]
        fn streaming_equals_batch(values in proptest::collection::vec(
            prop_oneof![0.0..1000.0f64, Just(f64::NAN), Just(f64::INFINITY), Just(1e300)], 0..600),
            step in 60i64..7200, threshold in 0.5..10.0f64, season in 0u8..3) {
            let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
            let pts: Vec<_> = values.iter().enumerate()
                .map(|(k, v)| (t0 + Duration::seconds(k as i64 * step), *v)).collect();
            let cfg = Config {
                threshold,
                min_samples: 2,
                season: [Season::None, Season::Daily, Season::Weekly][season as usize],
                ..Config::default()
            };
            let batch = detect(&cfg, &pts);
            let mut d = Detector::new(cfg.clone());
            let streamed: Vec<_> = pts.iter().filter_map(|(t, v)| d.update(*t, *v)).collect();
            prop_assert_eq!(batch, streamed);
        }

        #[test]
        fn any_config_never_panics(slot in any::<i64>(), hist in any::<i64>(), maxp in any::<usize>(),
            mins in any::<usize>(), thr in any::<f64>(), cool in any::<i64>(), ts in any::<i64>(), v in any::<f64>()) {
            let mut d = Detector::new(Config {
                season: Season::Weekly, slot_secs: slot, history_secs: hist, max_per_slot: maxp,
                min_samples: mins, threshold: thr, direction: Direction::Both, cooldown_secs: cool,
                transform: Transform::Log1p, smooth: 3,
            });
            let at = DateTime::from_timestamp(ts.rem_euclid(4_000_000_000), 0).unwrap();
            for k in 0..3 {
                let _ = d.observe(at + Duration::seconds(k), v);
            }
        }
    }
}
