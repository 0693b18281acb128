//! Anomaly detection on volume (or any) series: a **seasonal baseline** — the median of the
//! recent past at the same time of day (or of week, in UTC or a local time zone) — a **robust
//! outlier test** — the distance from that baseline in robust standard deviations (1.4826 · MAD
//! of the same values, floored by the noise a count would have at that level, so a quiet
//! series of small counts does not alarm on every stray mention) — and a **trigger** that turns
//! scores into alarms: at least [`Config::threshold`], a new record among the scores of the last
//! [`Config::record_secs`] (so a noisy series has to outdo its own recent noise, and after a
//! level shift the detector alarms once and then adapts), and a cool-down.
//!
//! What "far" means depends on what the values are: [`Transform::Auto`] (the default) decides
//! from a series' first [`AUTO_SAMPLE`] values whether they are counts (judged against
//! counting noise on a square-root scale) or measurements such as rates and utilisation
//! (judged as they are, against their own resolution).
//!
//! It runs **streaming** ([`Detector::update`], one point at a time, memory bounded by
//! `slots × max_per_slot` values plus one record window and [`AUTO_SAMPLE`] points) or in
//! **batch** ([`detect`]), with identical results: batch is the streaming detector run over
//! the points.
//!
//! The default [`Config`] was chosen by cross-validation on 54 series of the Numenta Anomaly
//! Benchmark (`examples/nab_score.rs`, results in `tests/data/nab_cv.json`); see the README.
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
//! assert_eq!(found.last().unwrap().at, t0 + Duration::hours(240));
//! assert!(found.len() <= 2, "at most one record of the rhythm itself while it is learnt");
//!
//! let mut d = Detector::new(Config::default());
//! let streamed: Vec<_> = points.iter().filter_map(|(t, v)| d.update(*t, *v)).collect();
//! assert_eq!(streamed, found);
//! ```

use std::collections::VecDeque;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Which past values form the baseline of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Season {
    /// No seasonality: all recent values.
    None,
    /// Same time of day (UTC, or local time in [`Config::zone`]).
    Daily,
    /// Same time of week (UTC, or local time in [`Config::zone`]).
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

/// How values are transformed before the test, and the noise floor of the scale in the
/// transformed units (the standard deviation a Poisson count would have at the baseline, so
/// small counts are judged against counting noise, not against a lucky quiet week).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// As they are; floor `sqrt(max(|baseline|, 1))`.
    Identity,
    /// `ln(1 + max(x, 0))`; floor `sqrt(max(λ, 1)) / (1 + λ)` at the baseline count `λ`.
    Log1p,
    /// Anscombe's `2·sqrt(max(x, 0) + 3/8)`, which gives counts a variance of about one; floor 1.
    Sqrt,
    /// Decided per series from its first [`AUTO_SAMPLE`] finite values by [`Resolved::of`]:
    /// counts (every value a non-negative integer) get [`Transform::Sqrt`] and its counting-noise
    /// floor; measurements (rates, utilisation, latency, temperatures) are taken as they are
    /// with the floor of their own resolution. Until the detector has decided, its points are
    /// learnt but not judged. As a function ([`Transform::apply`], [`Transform::invert`],
    /// [`Transform::noise_floor`]) it is [`Transform::Identity`]; [`Detector::resolved`] says
    /// what a detector decided.
    Auto,
}

/// Values [`Transform::Auto`] looks at before deciding (at 5-minute points, 8 hours 20 minutes;
/// at hourly points, about four days). Fixed before any setting was scored with it.
pub const AUTO_SAMPLE: usize = 100;

/// What a detector applies: [`Transform::Auto`]'s decision, or the configured transform.
///
/// ```
/// use socialkit::listen::anomaly::{Resolved, Transform};
/// // Counts: Anscombe's square root with the floor of counting noise.
/// assert_eq!(Resolved::of(&[0.0, 3.0, 7.0, 2.0]), Resolved::Fixed(Transform::Sqrt));
/// // A rate quantised to 0.01: taken as it is, judged against that resolution at least.
/// let r = Resolved::of(&[0.51, 0.52, 0.55, 0.51, 0.53]);
/// assert!(matches!(r, Resolved::Measured { floor } if (floor - 0.01).abs() < 1e-9));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolved {
    /// A fixed transform with its own noise floor ([`Transform::noise_floor`]).
    Fixed(Transform),
    /// Values as they are ([`Transform::Identity`]), with a floor of the scale measured from
    /// the first values: the larger of their resolution (the smallest gap between two distinct
    /// values) and 5% of their robust spread (1.4826 · MAD), and above zero.
    Measured {
        /// The smallest scale.
        floor: f64,
    },
}

impl Resolved {
    /// The rule of [`Transform::Auto`] on a sample of finite values (fixed before scoring):
    /// all non-negative integers → [`Transform::Sqrt`], else [`Resolved::Measured`].
    pub fn of(sample: &[f64]) -> Resolved {
        if sample.iter().all(|v| *v >= 0.0 && v.fract() == 0.0) {
            return Resolved::Fixed(Transform::Sqrt);
        }
        let mut v: Vec<f64> = sample.iter().copied().filter(|v| v.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let resolution = v
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d > 0.0)
            .fold(f64::INFINITY, f64::min);
        let spread = if v.is_empty() {
            0.0
        } else {
            let m = median(&mut v.clone());
            let mut dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
            1.4826 * median(&mut dev)
        };
        let magnitude = v.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        let floor = [
            if resolution.is_finite() {
                resolution
            } else {
                0.0
            },
            0.05 * spread,
            1e-9 * magnitude,
            f64::MIN_POSITIVE,
        ]
        .into_iter()
        .fold(0.0, f64::max);
        Resolved::Measured { floor }
    }

    /// The transform applied to values.
    pub fn transform(self) -> Transform {
        match self {
            Resolved::Fixed(t) => t,
            Resolved::Measured { .. } => Transform::Identity,
        }
    }

    /// The smallest scale at a (transformed) baseline.
    pub fn noise_floor(self, baseline: f64) -> f64 {
        match self {
            Resolved::Fixed(t) => t.noise_floor(baseline),
            Resolved::Measured { floor } => floor,
        }
    }
}

impl Transform {
    /// The transformed value.
    ///
    /// ```
    /// use socialkit::listen::anomaly::Transform;
    /// assert_eq!(Transform::Log1p.apply(0.0), 0.0);
    /// assert!((Transform::Sqrt.apply(0.0) - 2.0 * 0.375f64.sqrt()).abs() < 1e-12);
    /// ```
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Transform::Identity | Transform::Auto => x,
            Transform::Log1p => x.max(0.0).ln_1p(),
            Transform::Sqrt => 2.0 * (x.max(0.0) + 0.375).sqrt(),
        }
    }

    /// Back from transformed units (a baseline as a value).
    ///
    /// ```
    /// use socialkit::listen::anomaly::Transform;
    /// for t in [Transform::Identity, Transform::Log1p, Transform::Sqrt] {
    ///     assert!((t.invert(t.apply(42.0)) - 42.0).abs() < 1e-9);
    /// }
    /// ```
    pub fn invert(self, y: f64) -> f64 {
        match self {
            Transform::Identity | Transform::Auto => y,
            Transform::Log1p => y.exp_m1(),
            Transform::Sqrt => (y / 2.0).powi(2) - 0.375,
        }
    }

    /// The smallest scale at a (transformed) baseline.
    pub fn noise_floor(self, baseline: f64) -> f64 {
        match self {
            Transform::Identity | Transform::Auto => baseline.abs().max(1.0).sqrt(),
            Transform::Log1p => {
                let lambda = baseline.exp_m1().max(0.0);
                lambda.max(1.0).sqrt() / (1.0 + lambda)
            }
            Transform::Sqrt => 1.0,
        }
    }
}

/// Detector settings. [`Config::default`] is what cross-validation on 54 NAB series picked
/// (see the README and `examples/nab_score.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Seasonality of the baseline.
    pub season: Season,
    /// The time zone whose clock the season follows (`None`: UTC). With a zone, "09:00" stays
    /// 09:00 local across daylight-saving changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Tz>,
    /// Width of a season slot in seconds (3,600: the baseline of 14:35 is built from the values
    /// between 14:00 and 15:00 of past days).
    pub slot_secs: i64,
    /// How far back the baseline looks, in seconds.
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
    /// A point is an anomaly only if its score beats every score of the last this many
    /// seconds (0: no such rule). A series must outdo its own recent noise, and a level shift
    /// alarms once instead of until the baseline has caught up.
    #[serde(default)]
    pub record_secs: i64,
    /// How far a score must reach towards the record to count as one: a point is a record
    /// when its score exceeds `record_ratio` × the highest score of the last
    /// [`Config::record_secs`] (1: a strict record; 0.5: at least half the recent extreme, so
    /// one huge burst does not hide every smaller one for weeks). Kept within (0, 1].
    #[serde(default = "one")]
    pub record_ratio: f64,
    /// One alarm per excursion: after an alarm, the next needs the score to have fallen
    /// below [`Config::threshold`] first (a level shift, whose scores stay high until the
    /// baseline has caught up, alarms once however long that takes).
    #[serde(default)]
    pub rearm: bool,
}

fn one() -> f64 {
    1.0
}

impl Default for Config {
    /// What cross-validation on 54 NAB series chose (standard profile; `tests/data/nab_cv.json`)
    /// among the settings within the false-alarm budget on the synthetic normal series: a daily
    /// season of hourly slots over the last 7 days, the transform decided per series
    /// ([`Transform::Auto`]: counts square-rooted, as their noise grows with their level;
    /// measurements as they are), a point is an anomaly from 6 robust standard deviations either way
    /// *if* its score reaches half the highest of the last 14 days, one alarm per excursion
    /// (re-armed once the score falls below the threshold), then quiet for a day.
    fn default() -> Self {
        Config {
            season: Season::Daily,
            zone: None,
            slot_secs: 3_600,
            history_secs: 7 * 86_400,
            max_per_slot: 2_016,
            min_samples: 6,
            threshold: 6.0,
            direction: Direction::Both,
            cooldown_secs: 86_400,
            transform: Transform::Auto,
            smooth: 1,
            record_secs: 14 * 86_400,
            record_ratio: 0.5,
            rearm: true,
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
    /// The anomaly, if the point is one.
    pub anomaly: Option<Anomaly>,
}

/// The last stage of a [`Detector`]: turns scores into alarms (threshold, direction, record
/// window, cool-down). Public so a score stream can be re-judged under other trigger settings
/// without recomputing baselines; the detector uses exactly this.
///
/// ```
/// use socialkit::listen::anomaly::{Config, Trigger};
/// let mut t = Trigger::new(&Config {
///     threshold: 3.0,
///     record_secs: 3_600,
///     record_ratio: 1.0,
///     rearm: false,
///     cooldown_secs: 0,
///     ..Config::default()
/// });
/// assert!(!t.check(0, Some(2.0)), "below the threshold");
/// assert!(t.check(60, Some(4.0)));
/// assert!(!t.check(120, Some(3.5)), "no record within the hour");
/// assert!(t.check(3_700, Some(3.6)), "the 4.0 left the window, 3.6 beats the 3.5");
/// ```
#[derive(Debug, Clone)]
pub struct Trigger {
    direction: Direction,
    threshold: f64,
    cooldown_secs: i64,
    record_secs: i64,
    record_ratio: f64,
    rearm: bool,
    /// Whether the score has been below the threshold since the last alarm (with `rearm`).
    armed: bool,
    last_alarm: Option<i64>,
    /// Scores of the record window, decreasing from the front (the front is the maximum).
    record: VecDeque<(i64, f64)>,
}

impl Trigger {
    /// The trigger of `config`.
    pub fn new(config: &Config) -> Trigger {
        Trigger {
            direction: config.direction,
            threshold: if config.threshold.is_finite() {
                config.threshold
            } else {
                Config::default().threshold
            },
            cooldown_secs: config.cooldown_secs,
            record_secs: config.record_secs.max(0),
            record_ratio: record_ratio(config.record_ratio),
            rearm: config.rearm,
            armed: true,
            last_alarm: None,
            record: VecDeque::new(),
        }
    }

    /// Judges the score `z` of the point at Unix time `ts` (`None`: no baseline yet); returns
    /// whether it is an alarm.
    pub fn check(&mut self, ts: i64, z: Option<f64>) -> bool {
        let Some(z) = z.filter(|z| !z.is_nan()) else {
            return false;
        };
        let s = match self.direction {
            Direction::Up => z,
            Direction::Down => -z,
            Direction::Both => z.abs(),
        };
        let mut record = true;
        if self.record_secs > 0 {
            while self
                .record
                .front()
                .is_some_and(|(t, _)| ts.saturating_sub(*t) > self.record_secs)
            {
                self.record.pop_front();
            }
            // The bar: `ratio` of a positive record (a negative record is the bar itself).
            let ratio = self.record_ratio;
            record = self
                .record
                .front()
                .is_none_or(|(_, m)| s > if *m > 0.0 { ratio * m } else { *m });
            while self.record.back().is_some_and(|(_, m)| *m <= s) {
                self.record.pop_back();
            }
            self.record.push_back((ts, s));
        }
        let cooling = self
            .last_alarm
            .is_some_and(|t| ts >= t && ts.saturating_sub(t) < self.cooldown_secs);
        if s < self.threshold {
            self.armed = true;
        }
        if s >= self.threshold && record && !cooling && (self.armed || !self.rearm) {
            self.last_alarm = Some(ts);
            self.armed = false;
            true
        } else {
            false
        }
    }
}

/// [`Config::record_ratio`] brought into (0, 1] (1 when it is not a number).
fn record_ratio(r: f64) -> f64 {
    if r.is_nan() {
        1.0
    } else {
        r.clamp(f64::MIN_POSITIVE, 1.0)
    }
}

/// The streaming detector.
#[derive(Debug, Clone)]
pub struct Detector {
    config: Config,
    slots: Vec<VecDeque<(i64, f64)>>,
    scratch: Vec<f64>,
    recent: VecDeque<f64>,
    trigger: Trigger,
    /// The transform and floor in use (`None`: [`Transform::Auto`] has not decided yet).
    resolved: Option<Resolved>,
    /// With [`Transform::Auto`], the points seen before deciding (at most [`AUTO_SAMPLE`]).
    pending: Vec<(DateTime<Utc>, f64)>,
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
        config.record_secs = config.record_secs.max(0);
        config.record_ratio = record_ratio(config.record_ratio);
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
            trigger: Trigger::new(&config),
            resolved: (config.transform != Transform::Auto)
                .then_some(Resolved::Fixed(config.transform)),
            config,
            scratch: Vec::new(),
            recent: VecDeque::new(),
            pending: Vec::new(),
        }
    }

    /// What the detector applies to values: the configured transform, or what
    /// [`Transform::Auto`] decided (`None` until it has seen [`AUTO_SAMPLE`] finite values).
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use socialkit::listen::anomaly::{AUTO_SAMPLE, Config, Detector, Resolved, Transform};
    /// let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    /// let mut d = Detector::new(Config { transform: Transform::Auto, ..Config::default() });
    /// for k in 0..AUTO_SAMPLE as i64 {
    ///     assert_eq!(d.resolved(), None);
    ///     d.update(t0 + Duration::minutes(5 * k), 40.0 + (k % 7) as f64 * 0.25);
    /// }
    /// assert!(matches!(d.resolved(), Some(Resolved::Measured { .. })));
    /// ```
    pub fn resolved(&self) -> Option<Resolved> {
        self.resolved
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn slot_of(&self, at: DateTime<Utc>) -> usize {
        let (of_day, weekday) = match self.config.zone {
            Some(tz) => {
                let local = at.with_timezone(&tz);
                (local.num_seconds_from_midnight(), local.weekday())
            }
            None => (at.num_seconds_from_midnight(), at.weekday()),
        };
        let secs = match self.config.season {
            Season::None => 0,
            Season::Daily => of_day as i64,
            Season::Weekly => weekday.num_days_from_monday() as i64 * 86_400 + of_day as i64,
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
        let obs = Observation {
            at,
            value,
            baseline: None,
            score: 0.0,
            anomaly: None,
        };
        if !value.is_finite() {
            return obs;
        }
        let resolved = match self.resolved {
            Some(r) => r,
            None => {
                // Transform::Auto: collect the sample, then decide and learn it unjudged.
                self.pending.push((at, value));
                if self.pending.len() < AUTO_SAMPLE {
                    return obs;
                }
                let sample: Vec<f64> = self.pending.iter().map(|(_, v)| *v).collect();
                let r = Resolved::of(&sample);
                self.resolved = Some(r);
                let mut pending = std::mem::take(&mut self.pending);
                let last = pending.pop();
                for (t, v) in pending {
                    self.step(r, t, v, false);
                }
                return match last {
                    Some((t, v)) => self.step(r, t, v, true),
                    None => obs,
                };
            }
        };
        self.step(resolved, at, value, true)
    }

    /// One finite point under `resolved`: learnt, and judged by the trigger when `judge`.
    fn step(
        &mut self,
        resolved: Resolved,
        at: DateTime<Utc>,
        value: f64,
        judge: bool,
    ) -> Observation {
        let mut obs = Observation {
            at,
            value,
            baseline: None,
            score: 0.0,
            anomaly: None,
        };
        let ts = at.timestamp();
        let slot = self.slot_of(at);
        let x = resolved.transform().apply(value);
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
        let mut judged = None;
        if history.len() >= cfg.min_samples {
            self.scratch.clear();
            self.scratch.extend(history.iter().map(|(_, v)| *v));
            let base = median(&mut self.scratch);
            for v in self.scratch.iter_mut() {
                *v = (*v - base).abs();
            }
            let mad = median(&mut self.scratch);
            let scale = (1.4826 * mad).max(resolved.noise_floor(base));
            let z = (signal - base) / scale;
            obs.baseline = Some(base);
            obs.score = z;
            judged = Some((base, scale, z));
        }
        history.push_back((ts, signal));
        if history.len() > cfg.max_per_slot {
            history.pop_front();
        }
        if judge && self.trigger.check(ts, judged.map(|(_, _, z)| z)) {
            let (baseline, scale, score) = judged.unwrap_or_default();
            obs.anomaly = Some(Anomaly {
                at,
                value,
                baseline,
                scale,
                score,
            });
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
mod tests;
