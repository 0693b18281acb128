//! Crisis detection: a crisis is raised when a **volume anomaly** and a **jump in the negative
//! share** come together within a window. The signal carries its evidence (the anomaly, the
//! negative share before and after, sample interactions) and the [`Playbook`] to follow, and
//! says whether the engine's crisis mode should be switched on ([`CrisisMode`]).
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use socialkit::listen::crisis::{CrisisConfig, CrisisMonitor, Playbook};
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
//! let s = &signals[0];
//! assert!(s.negative_share_after > 0.6 && s.negative_share_before < 0.2);
//! assert_eq!(s.playbook.name, "product recall");
//! ```

use std::collections::VecDeque;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::listen::anomaly::{self, Anomaly, Detector};
use crate::listen::sentiment::Polarity;
use crate::model::{Interaction, InteractionRef};

/// A prepared statement to publish while the facts are being established.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HoldingStatement {
    /// Language tag (`"en"`, `"de"`).
    pub language: String,
    /// The text.
    pub text: String,
}

/// Someone to alert.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// Role ("Head of Communications", "Legal").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// What to do in a crisis, as data an app stores and shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Playbook {
    /// Name ("product recall", "outage").
    pub name: String,
    /// Holding statements, per language.
    #[serde(default)]
    pub holding_statements: Vec<HoldingStatement>,
    /// Who to alert, in order.
    #[serde(default)]
    pub escalation: Vec<Contact>,
    /// Steps to follow.
    #[serde(default)]
    pub steps: Vec<String>,
}

/// Crisis detection settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrisisConfig {
    /// Width of the volume buckets in seconds (default 15 minutes).
    pub bucket_secs: i64,
    /// The volume anomaly detector (its timestamps are bucket starts).
    pub anomaly: anomaly::Config,
    /// A volume anomaly and a negative jump must come within this many seconds (default 2 h).
    pub window_secs: i64,
    /// The negative share "after" is measured over the last this many seconds (default 1 h).
    pub recent_secs: i64,
    /// The negative share "before" is measured over this many seconds before the anomaly
    /// (default 7 days).
    pub baseline_secs: i64,
    /// The negative share must rise by at least this much (absolute, default 0.15).
    pub min_jump: f64,
    /// … and by at least this many binomial standard errors `sqrt(p(1−p)/n)`, with `p` the
    /// baseline share and `n` the scored interactions in the recent window (default 3).
    pub min_sigmas: f64,
    /// … with at least this many negative interactions in the recent window (default 5).
    pub min_negative: u64,
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
            anomaly: anomaly::Config {
                slot_secs: 3_600,
                min_samples: 4,
                ..anomaly::Config::default()
            },
            window_secs: 2 * 3_600,
            recent_secs: 3_600,
            baseline_secs: 7 * 86_400,
            min_jump: 0.15,
            min_sigmas: 3.0,
            min_negative: 5,
            samples: 5,
            switch_crisis_mode: false,
            playbook: Playbook::default(),
        }
    }
}

/// A raised crisis with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrisisSignal {
    /// When it was raised (the end of the bucket that completed the evidence).
    pub at: DateTime<Utc>,
    /// The volume anomaly.
    pub anomaly: Anomaly,
    /// Negative share of scored interactions in the baseline period before the anomaly.
    pub negative_share_before: f64,
    /// Negative share in the recent window.
    pub negative_share_after: f64,
    /// The binomial standard error of the recent share at the baseline share.
    pub standard_error: f64,
    /// Scored interactions in the baseline / recent windows.
    pub scored_before: u64,
    /// Scored interactions in the recent window.
    pub scored_after: u64,
    /// Recent negative interactions, newest first.
    pub samples: Vec<InteractionRef>,
    /// Whether the engine's crisis mode should be switched on.
    pub switch_crisis_mode: bool,
    /// What to do.
    pub playbook: Playbook,
}

/// Switches crisis mode on; the engine implements it (its `pause_workspace`), tests and apps
/// can pass a closure.
///
/// ```
/// use socialkit::listen::crisis::{CrisisMode, CrisisSignal};
/// struct Log;
/// #[async_trait::async_trait]
/// impl CrisisMode for Log {
///     async fn switch_on(&self, signal: &CrisisSignal) -> socialkit::Result<()> {
///         println!("crisis: {}", signal.playbook.name);
///         Ok(())
///     }
/// }
/// ```
#[async_trait]
pub trait CrisisMode: Send + Sync {
    /// Switches crisis mode on because of `signal`.
    async fn switch_on(&self, signal: &CrisisSignal) -> Result<()>;
}

#[async_trait]
impl<F> CrisisMode for F
where
    F: Fn(&CrisisSignal) -> Result<()> + Send + Sync,
{
    async fn switch_on(&self, signal: &CrisisSignal) -> Result<()> {
        self(signal)
    }
}

/// Acts on a signal: switches crisis mode on through `mode` when the signal says so. Returns
/// whether it did.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use socialkit::listen::crisis::{escalate, CrisisSignal};
/// # let signal: CrisisSignal = serde_json::from_str(r#"{"at":"2026-03-01T00:00:00Z","anomaly":{"at":"2026-03-01T00:00:00Z","value":9.0,"baseline":1.0,"scale":1.0,"score":8.0},"negative_share_before":0.1,"negative_share_after":0.7,"standard_error":0.05,"scored_before":100,"scored_after":40,"samples":[],"switch_crisis_mode":true,"playbook":{"name":"x"}}"#).unwrap();
/// let paused = AtomicBool::new(false);
/// let mode = |_: &CrisisSignal| { paused.store(true, Ordering::SeqCst); Ok(()) };
/// assert!(escalate(&signal, &mode).await.unwrap());
/// assert!(paused.load(Ordering::SeqCst));
/// # });
/// ```
pub async fn escalate(signal: &CrisisSignal, mode: &dyn CrisisMode) -> Result<bool> {
    if !signal.switch_crisis_mode {
        return Ok(false);
    }
    mode.switch_on(signal).await?;
    Ok(true)
}

#[derive(Debug, Clone, Copy)]
struct BucketStats {
    index: i64,
    count: u64,
    negative: u64,
    scored: u64,
}

/// Watches a stream of scored interactions for crises. Memory is bounded by the baseline
/// length in buckets and the number of samples.
#[derive(Debug, Clone)]
pub struct CrisisMonitor {
    config: CrisisConfig,
    detector: Detector,
    current: Option<BucketStats>,
    history: VecDeque<BucketStats>,
    pending: Option<Anomaly>,
    samples: VecDeque<(DateTime<Utc>, InteractionRef)>,
}

impl CrisisMonitor {
    /// A monitor with `config` (out-of-range settings are brought into range).
    pub fn new(mut config: CrisisConfig) -> CrisisMonitor {
        config.bucket_secs = config.bucket_secs.clamp(60, 86_400);
        config.baseline_secs = config.baseline_secs.clamp(config.bucket_secs, 90 * 86_400);
        config.samples = config.samples.min(1_000);
        CrisisMonitor {
            detector: Detector::new(config.anomaly.clone()),
            config,
            current: None,
            history: VecDeque::new(),
            pending: None,
            samples: VecDeque::new(),
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
        let cur = self.current.get_or_insert(BucketStats {
            index,
            count: 0,
            negative: 0,
            scored: 0,
        });
        cur.count += 1;
        if let Some(c) = compound.filter(|c| c.is_finite()) {
            cur.scored += 1;
            if Polarity::of(c) == Polarity::Negative {
                cur.negative += 1;
                self.samples
                    .push_back((interaction.created_at, interaction.reference.clone()));
                if self.samples.len() > self.config.samples.max(1) * 4 {
                    self.samples.pop_front();
                }
            }
        }
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
        let Some(cur) = self.current else {
            return out;
        };
        if index <= cur.index {
            return out;
        }
        let max_gap = self.config.baseline_secs / self.config.bucket_secs + 1;
        let first_empty = (cur.index + 1).max(index - max_gap);
        out.extend(self.close(cur));
        for i in first_empty..index {
            out.extend(self.close(BucketStats {
                index: i,
                count: 0,
                negative: 0,
                scored: 0,
            }));
        }
        self.current = None;
        out
    }

    fn close(&mut self, b: BucketStats) -> Option<CrisisSignal> {
        let start = self.start_of(b.index);
        if let Some(a) = self.detector.update(start, b.count as f64) {
            self.pending = Some(a);
        }
        self.history.push_back(b);
        let keep =
            (self.config.baseline_secs + self.config.window_secs) / self.config.bucket_secs + 1;
        while self.history.len() as i64 > keep {
            self.history.pop_front();
        }
        let anomaly = self.pending?;
        let end = start + Duration::seconds(self.config.bucket_secs);
        if (end - anomaly.at).num_seconds() > self.config.window_secs {
            self.pending = None;
            return None;
        }
        let signal = self.evaluate(anomaly, end)?;
        self.pending = None;
        Some(signal)
    }

    fn evaluate(&self, anomaly: Anomaly, end: DateTime<Utc>) -> Option<CrisisSignal> {
        let c = &self.config;
        let recent_from = end - Duration::seconds(c.recent_secs);
        let base_to = anomaly.at.min(recent_from);
        let base_from = base_to - Duration::seconds(c.baseline_secs);
        let (mut nb, mut sb, mut na, mut sa) = (0u64, 0u64, 0u64, 0u64);
        for b in &self.history {
            let t = self.start_of(b.index);
            if t >= recent_from {
                na += b.negative;
                sa += b.scored;
            } else if t >= base_from && t < base_to {
                nb += b.negative;
                sb += b.scored;
            }
        }
        if sa == 0 || sb == 0 || na < c.min_negative {
            return None;
        }
        let before = nb as f64 / sb as f64;
        let after = na as f64 / sa as f64;
        // A baseline share of exactly 0 or 1 would make any change infinitely significant.
        let p = before.clamp(0.01, 0.99);
        let se = (p * (1.0 - p) / sa as f64).sqrt();
        if after - before < c.min_jump || after < before + c.min_sigmas * se {
            return None;
        }
        let samples = self
            .samples
            .iter()
            .rev()
            .filter(|(t, _)| *t >= recent_from)
            .take(c.samples)
            .map(|(_, r)| r.clone())
            .collect();
        Some(CrisisSignal {
            at: end,
            anomaly,
            negative_share_before: before,
            negative_share_after: after,
            standard_error: se,
            scored_before: sb,
            scored_after: sa,
            samples,
            switch_crisis_mode: c.switch_crisis_mode,
            playbook: c.playbook.clone(),
        })
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
        let end = last.created_at + Duration::seconds(m.config.bucket_secs + m.config.window_secs);
        out.extend(m.flush(end));
    }
    out
}

#[cfg(test)]
mod tests;
