//! Crisis detection: three indicators per time bucket — **volume** (interactions, against a
//! seasonal baseline), **negative share** (of scored interactions, against the share of the
//! past week, in binomial standard errors) and **reach** (followers of the authors of negative
//! interactions, against its own past) — are combined into one score: negativity must be up
//! *and* either volume or reach must be up (`min(share, max(volume, reach))`, each in standard
//! deviations from normal). A crisis is raised when that score passes a threshold set by a
//! **false-alarm budget**: the caller says how many alarms a month a channel may raise
//! ([`CrisisConfig::alarms_per_month`]), and a score must beat all but that many of the scores
//! of the last 30 days (and an absolute floor). So a monitor on a noisy channel cannot cry wolf
//! more often than it was allowed to.
//!
//! Each [`CrisisSignal`] carries its evidence (which indicators moved, how far from normal,
//! sample interactions) and the [`Playbook`] to follow, and says whether the engine's crisis
//! mode should be switched on ([`CrisisMode`]). The signal types live in
//! [`crate::engine`] (re-exported here) so the engine needs nothing from listening.
//!
//! `examples/crisis_eval.rs` replays NAB series with synthetic negative bursts injected into
//! them and reports precision, recall and alarms per month for several budgets.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use socialkit::listen::crisis::{CrisisConfig, CrisisMonitor, Indicator, Playbook};
//! use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
//! let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
//! let mk = |n: u64, minutes: i64, compound: f64| (Interaction {
//!     reference: InteractionRef::new("sandbox", format!("i{n}")), kind: InteractionKind::Mention,
//!     author: Author::default(), text: Some("…".into()), created_at: t0 + Duration::minutes(minutes),
//!     post: None, conversation: None, language: None,
//! }, compound);
//! let mut m = CrisisMonitor::new(CrisisConfig {
//!     playbook: Playbook { name: "product recall".into(), ..Default::default() },
//!     ..CrisisConfig::default()
//! });
//! let mut n = 0;
//! // Eight quiet days: 6 mentions an hour, one in six negative.
//! for minute in (0..8 * 24 * 60).step_by(10) {
//!     n += 1;
//!     let c = if n % 6 == 0 { -0.6 } else { 0.4 };
//!     assert!(m.observe(&mk(n, minute, c).0, Some(c)).is_empty());
//! }
//! // Then 120 mentions within an hour, most of them negative.
//! let start = 8 * 24 * 60;
//! let mut signals = Vec::new();
//! for k in 0..120 {
//!     n += 1;
//!     let c = if k % 4 == 0 { 0.3 } else { -0.7 };
//!     signals.extend(m.observe(&mk(n, start + k / 2, c).0, Some(c)));
//! }
//! signals.extend(m.flush(t0 + Duration::minutes(start + 90)));
//! assert_eq!(signals.len(), 1);
//! let share = signals[0].deviation(Indicator::NegativeShare).unwrap();
//! assert!(share.value > 0.6 && share.baseline < 0.2);
//! assert_eq!(signals[0].playbook.name, "product recall");
//! ```

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use crate::engine::{
    Contact, CrisisMode, CrisisSignal, Deviation, HoldingStatement, Indicator, Playbook, escalate,
};
use crate::listen::anomaly::{self, Detector};
use crate::listen::sentiment::Polarity;
use crate::model::{Interaction, InteractionRef};

/// Crisis detection settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrisisConfig {
    /// Width of the time buckets in seconds (default 15 minutes).
    pub bucket_secs: i64,
    /// The indicators are measured over the last this many seconds (default 1 hour).
    pub recent_secs: i64,
    /// The volume detector (its timestamps are bucket starts; it sees the count of each
    /// bucket and smooths over the recent window).
    pub anomaly: anomaly::Config,
    /// The normal negative share and reach are measured over this many seconds before the
    /// recent window (default 7 days).
    pub baseline_secs: i64,
    /// How many alarms a month this monitor (one channel) may raise, roughly at most: a score
    /// must beat all but `floor(b)` of the scores of the last 30 days outside alarm episodes (for a budget `b` below
    /// one, all of the scores of the last `30 / b` days, at most a year; 0 never alarms).
    /// Default 1.
    pub alarms_per_month: f64,
    /// The combined score must be at least this (standard deviations, default 3).
    pub min_score: f64,
    /// The negative share must rise by at least this much (absolute, default 0.15).
    pub min_jump: f64,
    /// At least this many negative interactions in the recent window (default 5).
    pub min_negative: u64,
    /// After an alarm, none for this many seconds (default 6 hours: one alarm per crisis).
    pub cooldown_secs: i64,
    /// How many sample interactions the signal carries (default 5).
    pub samples: usize,
    /// Whether a crisis should switch the engine's crisis mode on (pause publishing).
    pub switch_crisis_mode: bool,
    /// The playbook the signal carries.
    pub playbook: Playbook,
}

impl Default for CrisisConfig {
    fn default() -> Self {
        CrisisConfig {
            bucket_secs: 900,
            recent_secs: 3_600,
            anomaly: anomaly::Config {
                season: anomaly::Season::Daily,
                slot_secs: 3_600,
                history_secs: 7 * 86_400,
                max_per_slot: 2_016,
                min_samples: 4,
                transform: anomaly::Transform::Log1p,
                smooth: 4,
                // The crisis detector's own trigger, independent of what cross-validation
                // picks for `anomaly::Config::default()` (its evaluation, `crisis_eval`, was
                // made with these).
                threshold: 2.0,
                direction: anomaly::Direction::Both,
                cooldown_secs: 6 * 3_600,
                record_secs: 14 * 86_400,
                record_ratio: 1.0,
                rearm: false,
                zone: None,
            },
            baseline_secs: 7 * 86_400,
            alarms_per_month: 1.0,
            min_score: 3.0,
            min_jump: 0.15,
            min_negative: 5,
            cooldown_secs: 6 * 3_600,
            samples: 5,
            switch_crisis_mode: false,
            playbook: Playbook::default(),
        }
    }
}

/// What happened in one time bucket: the input of [`CrisisMonitor::observe_tally`] for callers
/// that count elsewhere (and what [`CrisisMonitor::observe`] adds up).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Interactions.
    pub count: u64,
    /// Of those, scored for sentiment.
    pub scored: u64,
    /// Of those, negative.
    pub negative: u64,
    /// Followers of the authors of the negative ones (where known).
    pub negative_reach: u64,
    /// Whether any author's followers were known (reach is only judged then).
    pub reach_known: bool,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.count += o.count;
        self.scored += o.scored;
        self.negative += o.negative;
        self.negative_reach = self.negative_reach.saturating_add(o.negative_reach);
        self.reach_known |= o.reach_known;
    }
}

const MONTH_SECS: i64 = 30 * 86_400;

/// Watches a stream of scored interactions of one channel for crises. Memory is bounded by
/// the baseline and the 30-day budget window in buckets, and the number of samples.
#[derive(Debug, Clone)]
pub struct CrisisMonitor {
    config: CrisisConfig,
    detector: Detector,
    current: Option<(i64, Tally)>,
    /// Closed buckets of the baseline and recent windows.
    history: VecDeque<(i64, Tally)>,
    /// `ln(1 + negative reach)` of the recent window at each past bucket, for the reach baseline.
    reach_history: VecDeque<(i64, f64)>,
    /// Combined scores of the last 30 days, for the budget.
    scores: VecDeque<(i64, f64)>,
    last_alarm: Option<i64>,
    samples: VecDeque<(DateTime<Utc>, InteractionRef)>,
    scratch: Vec<f64>,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

impl CrisisMonitor {
    /// A monitor with `config` (out-of-range settings are brought into range).
    pub fn new(mut config: CrisisConfig) -> CrisisMonitor {
        config.bucket_secs = config.bucket_secs.clamp(60, 86_400);
        config.recent_secs = config.recent_secs.clamp(config.bucket_secs, 7 * 86_400);
        config.baseline_secs = config.baseline_secs.clamp(config.bucket_secs, 90 * 86_400);
        config.samples = config.samples.min(1_000);
        if !config.alarms_per_month.is_finite() || config.alarms_per_month < 0.0 {
            config.alarms_per_month = CrisisConfig::default().alarms_per_month;
        }
        if !config.min_score.is_finite() {
            config.min_score = CrisisConfig::default().min_score;
        }
        CrisisMonitor {
            detector: Detector::new(config.anomaly.clone()),
            config,
            current: None,
            history: VecDeque::new(),
            reach_history: VecDeque::new(),
            scores: VecDeque::new(),
            last_alarm: None,
            samples: VecDeque::new(),
            scratch: Vec::new(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &CrisisConfig {
        &self.config
    }

    fn start_of(&self, index: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(index.saturating_mul(self.config.bucket_secs), 0)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// Feeds one interaction with its compound sentiment (`None` when not scored). Returns a
    /// signal when a bucket closes with the evidence complete. Interactions must come in time
    /// order; a late one is counted in the current bucket.
    pub fn observe(
        &mut self,
        interaction: &Interaction,
        compound: Option<f64>,
    ) -> Vec<CrisisSignal> {
        let index = interaction
            .created_at
            .timestamp()
            .div_euclid(self.config.bucket_secs);
        let out = self.advance_to(index);
        let (_, cur) = self.current.get_or_insert((index, Tally::default()));
        cur.count += 1;
        if let Some(c) = compound.filter(|c| c.is_finite()) {
            cur.scored += 1;
            if Polarity::of(c) == Polarity::Negative {
                cur.negative += 1;
                if let Some(f) = interaction.author.followers {
                    cur.negative_reach = cur.negative_reach.saturating_add(f);
                }
                self.samples
                    .push_back((interaction.created_at, interaction.reference.clone()));
                if self.samples.len() > self.config.samples.max(1) * 4 {
                    self.samples.pop_front();
                }
            }
        }
        if interaction.author.followers.is_some() {
            cur.reach_known = true;
        }
        out
    }

    /// Feeds the tally of the bucket that contains `at` (added to what was observed there).
    pub fn observe_tally(&mut self, at: DateTime<Utc>, tally: Tally) -> Vec<CrisisSignal> {
        let index = at.timestamp().div_euclid(self.config.bucket_secs);
        let out = self.advance_to(index);
        let (_, cur) = self.current.get_or_insert((index, Tally::default()));
        cur.add(&tally);
        out
    }

    /// Closes every bucket that ended by `now` (call it on a timer so quiet periods count).
    pub fn flush(&mut self, now: DateTime<Utc>) -> Vec<CrisisSignal> {
        let index = now.timestamp().div_euclid(self.config.bucket_secs);
        self.advance_to(index)
    }

    /// Closes buckets before `index`, empty ones included (at most one baseline's worth).
    fn advance_to(&mut self, index: i64) -> Vec<CrisisSignal> {
        let mut out = Vec::new();
        let Some((cur, tally)) = self.current else {
            return out;
        };
        if index <= cur {
            return out;
        }
        let max_gap = self.config.baseline_secs / self.config.bucket_secs + 1;
        let first_empty = (cur + 1).max(index - max_gap);
        out.extend(self.close(cur, tally));
        for i in first_empty..index {
            out.extend(self.close(i, Tally::default()));
        }
        self.current = None;
        out
    }

    fn close(&mut self, index: i64, tally: Tally) -> Option<CrisisSignal> {
        let c = &self.config;
        let start = self.start_of(index);
        let end = start + Duration::seconds(c.bucket_secs);
        let ts = end.timestamp();
        let volume = self.detector.observe(start, tally.count as f64);
        self.history.push_back((index, tally));
        let keep = (c.baseline_secs + c.recent_secs) / c.bucket_secs + 1;
        while self.history.len() as i64 > keep {
            self.history.pop_front();
        }
        // The recent window and the baseline before it.
        let recent_buckets = (c.recent_secs / c.bucket_secs).max(1);
        let mut recent = Tally::default();
        let mut before = Tally::default();
        for (i, t) in &self.history {
            if *i > index - recent_buckets {
                recent.add(t);
            } else {
                before.add(t);
            }
        }
        // Volume: the detector's robust z of the smoothed count.
        let k = recent_buckets as f64;
        let volume_dev = volume.baseline.map(|b| {
            let per_bucket = c.anomaly.transform.invert(b);
            Deviation {
                indicator: Indicator::Volume,
                value: recent.count as f64,
                baseline: per_bucket.max(0.0) * k,
                score: volume.score,
            }
        });
        // Negative share: binomial z against the baseline share.
        let share_dev = (recent.scored > 0 && before.scored > 0).then(|| {
            let p0 = before.negative as f64 / before.scored as f64;
            let p = p0.clamp(0.01, 0.99);
            let se = (p * (1.0 - p) / recent.scored as f64).sqrt();
            let share = recent.negative as f64 / recent.scored as f64;
            Deviation {
                indicator: Indicator::NegativeShare,
                value: share,
                baseline: p0,
                score: (share - p0) / se,
            }
        });
        // Reach: robust z of ln(1 + negative reach) against its past values.
        let reach_x = (recent.negative_reach as f64).ln_1p();
        while self
            .reach_history
            .front()
            .is_some_and(|(t, _)| ts - t > c.baseline_secs)
        {
            self.reach_history.pop_front();
        }
        let reach_dev = (recent.reach_known && self.reach_history.len() >= 24).then(|| {
            self.scratch.clear();
            self.scratch
                .extend(self.reach_history.iter().map(|(_, v)| *v));
            let base = median(&mut self.scratch);
            for v in self.scratch.iter_mut() {
                *v = (*v - base).abs();
            }
            let scale = (1.4826 * median(&mut self.scratch)).max(0.5);
            Deviation {
                indicator: Indicator::Reach,
                value: recent.negative_reach as f64,
                baseline: base.exp_m1(),
                score: (reach_x - base) / scale,
            }
        });
        if recent.reach_known {
            self.reach_history.push_back((ts, reach_x));
        }
        // Combined: negativity up, and volume or reach up.
        let attention = volume_dev
            .map(|d| d.score)
            .into_iter()
            .chain(reach_dev.map(|d| d.score))
            .fold(f64::NEG_INFINITY, f64::max);
        let score = share_dev.map_or(f64::NEG_INFINITY, |d| d.score.min(attention));
        // The budget: beat all but `alarms_per_month` of the last 30 days' scores.
        let budget_window = self.budget_window();
        while self
            .scores
            .front()
            .is_some_and(|(t, _)| ts - t > budget_window)
        {
            self.scores.pop_front();
        }
        let threshold = self.budget_threshold();
        let c = &self.config;
        let cooling = self
            .last_alarm
            .is_some_and(|t| ts >= t && ts - t < c.cooldown_secs);
        let alarm = !cooling
            && score >= threshold
            && share_dev.is_some_and(|d| d.value - d.baseline >= c.min_jump)
            && recent.negative >= c.min_negative;
        // The budget learns from ordinary times: an alarm's episode (the alarm and its
        // cool-down) does not raise the bar for the next crisis.
        if !alarm && !cooling && score.is_finite() {
            self.scores.push_back((ts, score));
        }
        if !alarm {
            return None;
        }
        self.last_alarm = Some(ts);
        let since = end - Duration::seconds(recent_buckets * c.bucket_secs);
        let mut evidence: Vec<Deviation> = [volume_dev, share_dev, reach_dev]
            .into_iter()
            .flatten()
            .collect();
        evidence.sort_by(|a, b| b.score.total_cmp(&a.score));
        let samples = self
            .samples
            .iter()
            .rev()
            .filter(|(t, _)| *t >= since)
            .take(c.samples)
            .map(|(_, r)| r.clone())
            .collect();
        Some(CrisisSignal {
            at: end,
            since,
            score,
            threshold,
            evidence,
            samples,
            switch_crisis_mode: c.switch_crisis_mode,
            playbook: c.playbook.clone(),
        })
    }

    /// How far back the budget looks: 30 days, longer for a budget below one a month.
    fn budget_window(&self) -> i64 {
        let b = self.config.alarms_per_month;
        if b >= 1.0 {
            MONTH_SECS
        } else {
            ((MONTH_SECS as f64 / b.max(1e-9)) as i64).min(365 * 86_400)
        }
    }

    /// The score to beat: the floor, or just above the `(budget + 1)`-th largest score of the
    /// budget window when that is higher.
    fn budget_threshold(&mut self) -> f64 {
        let floor = self.config.min_score;
        if self.config.alarms_per_month <= 0.0 {
            return f64::INFINITY;
        }
        let allowed = self.config.alarms_per_month.floor().min(1e6) as usize;
        if self.scores.len() <= allowed {
            return floor;
        }
        self.scratch.clear();
        self.scratch.extend(self.scores.iter().map(|(_, s)| *s));
        let n = self.scratch.len();
        let (_, kth, _) = self
            .scratch
            .select_nth_unstable_by(n - 1 - allowed, f64::total_cmp);
        // Strictly above the k-th largest: nudge by a hair so ties do not pass.
        let bar = *kth;
        if bar >= floor { bar + 1e-9 } else { floor }
    }
}

/// Runs a monitor over scored interactions (sorted by time here) and returns every crisis.
pub fn detect_crises(
    config: &CrisisConfig,
    scored: &[(Interaction, Option<f64>)],
) -> Vec<CrisisSignal> {
    let mut items: Vec<&(Interaction, Option<f64>)> = scored.iter().collect();
    items.sort_by_key(|(i, _)| i.created_at);
    let mut m = CrisisMonitor::new(config.clone());
    let mut out = Vec::new();
    for (i, c) in items {
        out.extend(m.observe(i, *c));
    }
    if let Some((last, _)) = scored.iter().max_by_key(|(i, _)| i.created_at) {
        let end = last.created_at + Duration::seconds(m.config.bucket_secs + m.config.recent_secs);
        out.extend(m.flush(end));
    }
    out
}

#[cfg(test)]
mod tests;
