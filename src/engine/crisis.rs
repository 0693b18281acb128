//! Crisis mode: one call holds every pending delivery of a workspace; one call lets them go.
//!
//! [`Engine::pause_workspace`] moves every delivery in Draft … Scheduled to Paused in one
//! transaction and marks the workspace paused, so the outbox claims nothing of it (deliveries
//! already in flight finish; a retry that lands while paused lands in Paused too).
//! [`Engine::resume_workspace`] moves each back to the state it was paused from. A scheduled
//! delivery whose time passed while paused is due at once on resume. Posts submitted or
//! approved while the workspace is paused keep their state and are not claimed until it is
//! resumed.
//!
//! A [`CrisisSignal`] switches crisis mode on through a [`CrisisSwitch`], the engine's
//! [`CrisisMode`]: it pauses the workspace with a reason built from the evidence and sends a
//! `crisis` event carrying the signal to subscribers and webhooks. The signal is defined here,
//! below listening, so the engine knows nothing of how it was raised; `listen::crisis` raises
//! it (and re-exports these types).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Engine, EventKind, Permission};
use crate::Result;
use crate::model::InteractionRef;
use crate::store::{Stamp, WorkspaceId};

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

/// A measured quantity that can make a crisis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// Interactions per time bucket.
    Volume,
    /// Share of scored interactions that are negative.
    NegativeShare,
    /// Followers of the authors of negative interactions (how many people may see them).
    Reach,
}

impl Indicator {
    /// The indicator's name in prose (`"negative share"`).
    pub fn label(self) -> &'static str {
        match self {
            Indicator::Volume => "volume",
            Indicator::NegativeShare => "negative share",
            Indicator::Reach => "reach",
        }
    }
}

/// How far one indicator was from normal when a crisis was raised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    /// Which indicator.
    pub indicator: Indicator,
    /// Its value in the recent window (a count, a share in 0..=1, or followers).
    pub value: f64,
    /// Its normal value at that time.
    pub baseline: f64,
    /// How far from normal, in standard deviations (positive: above normal).
    pub score: f64,
}

/// A raised crisis with its evidence: which indicators moved, how far from normal, and which
/// interactions.
///
/// ```
/// use socialkit::engine::{CrisisSignal, Indicator};
/// let s: CrisisSignal = serde_json::from_str(r#"{"at":"2026-03-01T00:00:00Z",
///     "since":"2026-02-28T23:00:00Z","score":9.5,"threshold":6.0,
///     "evidence":[{"indicator":"volume","value":90.0,"baseline":6.0,"score":7.0},
///                 {"indicator":"negative_share","value":0.75,"baseline":0.17,"score":5.2}],
///     "samples":[],"switch_crisis_mode":true,"playbook":{"name":"product recall"}}"#).unwrap();
/// assert_eq!(s.deviation(Indicator::NegativeShare).unwrap().value, 0.75);
/// assert!(s.deviation(Indicator::Reach).is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrisisSignal {
    /// When it was raised (the end of the time bucket that completed the evidence).
    pub at: DateTime<Utc>,
    /// Start of the recent window the evidence was measured over.
    pub since: DateTime<Utc>,
    /// The combined score that crossed the threshold.
    pub score: f64,
    /// The threshold it crossed (set by the monitor's false-alarm budget).
    pub threshold: f64,
    /// How far each indicator was from normal, strongest first.
    pub evidence: Vec<Deviation>,
    /// Recent negative interactions, newest first.
    pub samples: Vec<InteractionRef>,
    /// Whether the engine's crisis mode should be switched on.
    pub switch_crisis_mode: bool,
    /// What to do.
    pub playbook: Playbook,
}

impl CrisisSignal {
    /// The evidence of one indicator, if it was measured.
    pub fn deviation(&self, indicator: Indicator) -> Option<&Deviation> {
        self.evidence.iter().find(|d| d.indicator == indicator)
    }
}

/// Switches crisis mode on; the engine implements it ([`CrisisSwitch`]), tests and apps can
/// pass a closure.
///
/// ```
/// use socialkit::engine::{CrisisMode, CrisisSignal};
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
/// use socialkit::engine::{escalate, CrisisSignal};
/// # let signal: CrisisSignal = serde_json::from_str(r#"{"at":"2026-03-01T00:00:00Z","since":"2026-03-01T00:00:00Z","score":8.0,"threshold":6.0,"evidence":[],"samples":[],"switch_crisis_mode":true,"playbook":{"name":"x"}}"#).unwrap();
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

/// The engine's [`CrisisMode`] for one workspace: a crisis signal handed to it (directly or
/// through [`escalate`]) pauses every pending delivery of the
/// workspace as `who` (a member with the approver role or above, typically a service account),
/// with a reason naming the playbook and the evidence, and emits an
/// [`EventKind::Crisis`] with the signal. A signal that arrives while the workspace is already
/// paused does not fail: it pauses nothing more and its event says `already_paused`.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::engine::{Engine, EventKind};
/// use socialkit::engine::{escalate, CrisisSignal};
/// use socialkit::store::MemoryStore;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
/// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
/// let mut events = engine.subscribe();
/// let switch = engine.crisis_switch(&ws, "olga");
/// let signal: CrisisSignal = serde_json::from_str(r#"{"at":"2026-03-01T00:00:00Z",
///     "since":"2026-02-28T23:00:00Z","score":9.5,"threshold":6.0,
///     "evidence":[{"indicator":"volume","value":90.0,"baseline":6.0,"score":7.0},
///                 {"indicator":"negative_share","value":0.75,"baseline":0.17,"score":5.2}],
///     "samples":[],"switch_crisis_mode":true,"playbook":{"name":"product recall"}}"#).unwrap();
/// assert!(escalate(&signal, &switch).await.unwrap());
/// assert!(escalate(&signal, &switch).await.unwrap(), "a second signal does not fail");
/// let names: Vec<_> = std::iter::from_fn(|| events.try_recv().ok()).map(|e| e.kind.name()).collect();
/// assert_eq!(names, ["paused", "crisis", "crisis"]);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct CrisisSwitch {
    engine: Engine,
    workspace: WorkspaceId,
    who: String,
}

impl CrisisSwitch {
    /// The workspace it pauses.
    pub fn workspace(&self) -> &WorkspaceId {
        &self.workspace
    }

    /// The member it acts as.
    pub fn who(&self) -> &str {
        &self.who
    }
}

/// The reason stored with every paused delivery: the playbook and the evidence in a line.
fn reason(signal: &CrisisSignal) -> String {
    let name = if signal.playbook.name.trim().is_empty() {
        "crisis signal".to_string()
    } else {
        format!("crisis signal \"{}\"", signal.playbook.name)
    };
    let evidence: Vec<String> = signal
        .evidence
        .iter()
        .map(|d| match d.indicator {
            Indicator::NegativeShare => format!(
                "negative share {:.0}% against {:.0}% ({:.1} sd)",
                d.value * 100.0,
                d.baseline * 100.0,
                d.score
            ),
            other => format!(
                "{} {:.0} against {:.1} ({:.1} sd)",
                other.label(),
                d.value,
                d.baseline,
                d.score
            ),
        })
        .collect();
    format!(
        "{name} at {}: {} ({} samples)",
        signal.at.to_rfc3339(),
        evidence.join(", "),
        signal.samples.len()
    )
}

#[async_trait]
impl CrisisMode for CrisisSwitch {
    async fn switch_on(&self, signal: &CrisisSignal) -> Result<()> {
        let engine = &self.engine;
        engine
            .require(&self.workspace, &self.who, Permission::Approve)
            .await?;
        let already_paused = engine.store().workspace(&self.workspace).await?.paused;
        let deliveries = if already_paused {
            0
        } else {
            engine
                .pause_workspace(&self.workspace, &self.who, &reason(signal))
                .await?
        };
        engine
            .emit(
                &self.workspace,
                EventKind::Crisis {
                    who: self.who.clone(),
                    deliveries,
                    already_paused,
                    signal: Box::new(signal.clone()),
                },
            )
            .await;
        Ok(())
    }
}

impl Engine {
    /// The [`CrisisSwitch`] that pauses `ws` as `who` when a crisis signal comes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::engine::Engine;
    /// use socialkit::store::MemoryStore;
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
    /// let switch = engine.crisis_switch(&"acme".into(), "listening-bot");
    /// assert_eq!(switch.who(), "listening-bot");
    /// assert_eq!(switch.workspace().as_str(), "acme");
    /// ```
    pub fn crisis_switch(&self, ws: &WorkspaceId, who: &str) -> CrisisSwitch {
        CrisisSwitch {
            engine: self.clone(),
            workspace: ws.clone(),
            who: who.to_string(),
        }
    }

    /// Pauses every pending delivery of `ws` at once (approvers and up). Returns how many.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::adapters::sandbox::Sandbox;
    /// use socialkit::engine::Engine;
    /// use socialkit::Platform;
    /// use socialkit::model::Post;
    /// use socialkit::store::{ChannelRecord, MemoryStore};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// let p = Sandbox::from_url("sandbox://engine-doc-crisis").unwrap();
    /// engine.connect(&ws, "olga", ChannelRecord::new("c", "demo"), p.clone()).await.unwrap();
    /// engine.submit(&ws, "olga", Post::text("hello"), &["c".into()]).await.unwrap();
    /// assert_eq!(engine.pause_workspace(&ws, "olga", "a crisis").await.unwrap(), 1);
    /// engine.run_once().await.unwrap();
    /// assert!(p.recent_posts(10).await.unwrap().is_empty());
    /// engine.resume_workspace(&ws, "olga", "over").await.unwrap();
    /// engine.run_once().await.unwrap();
    /// assert_eq!(p.recent_posts(10).await.unwrap().len(), 1);
    /// # });
    /// ```
    pub async fn pause_workspace(&self, ws: &WorkspaceId, who: &str, why: &str) -> Result<usize> {
        self.require(ws, who, Permission::Approve).await?;
        let stamp = Stamp::new(who, format!("crisis mode: {why}"), self.now());
        // Crisis mode and its event commit together.
        let (who_, why_) = (who.to_string(), why.to_string());
        let emit = super::events::Recording::new(super::events::Emit(
            move |changed: &[crate::store::Delivery]| {
                vec![EventKind::Paused {
                    who: who_.clone(),
                    why: why_.clone(),
                    deliveries: changed.len(),
                }]
            },
        ));
        let (changed, events) = self
            .store()
            .set_paused_emitting(ws, true, &stamp, emit.clone())
            .await?;
        self.broadcast_recorded(&events, &emit);
        let n = changed.len();
        Ok(n)
    }

    /// Resumes every paused delivery of `ws` to the state it was paused from (approvers and
    /// up). Returns how many.
    pub async fn resume_workspace(&self, ws: &WorkspaceId, who: &str, why: &str) -> Result<usize> {
        self.require(ws, who, Permission::Approve).await?;
        let stamp = Stamp::new(who, format!("crisis over: {why}"), self.now());
        // Crisis mode and its event commit together.
        let (who_, why_) = (who.to_string(), why.to_string());
        let emit = super::events::Recording::new(super::events::Emit(
            move |changed: &[crate::store::Delivery]| {
                vec![EventKind::Resumed {
                    who: who_.clone(),
                    why: why_.clone(),
                    deliveries: changed.len(),
                }]
            },
        ));
        let (changed, events) = self
            .store()
            .set_paused_emitting(ws, false, &stamp, emit.clone())
            .await?;
        self.broadcast_recorded(&events, &emit);
        let n = changed.len();
        self.wake();
        Ok(n)
    }
}
