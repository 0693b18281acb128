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
//! A listening [`CrisisSignal`] switches crisis mode on through a [`CrisisSwitch`], the
//! engine's [`CrisisMode`]: it pauses the workspace with a reason built from the evidence and
//! sends a `crisis` event carrying the signal to subscribers and webhooks.

use async_trait::async_trait;

use super::{Engine, EventKind, Permission};
use crate::Result;
use crate::listen::crisis::{CrisisMode, CrisisSignal};
use crate::store::{Stamp, WorkspaceId};

/// The engine's [`CrisisMode`] for one workspace: a crisis signal handed to it (directly or
/// through [`escalate`](crate::listen::crisis::escalate)) pauses every pending delivery of the
/// workspace as `who` (a member with the approver role or above, typically a service account),
/// with a reason naming the playbook and the evidence, and emits an
/// [`EventKind::Crisis`] with the signal. A signal that arrives while the workspace is already
/// paused does not fail: it pauses nothing more and its event says `already_paused`.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::engine::{Engine, EventKind};
/// use socialkit::listen::crisis::{escalate, CrisisSignal};
/// use socialkit::store::MemoryStore;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
/// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
/// let mut events = engine.subscribe();
/// let switch = engine.crisis_switch(&ws, "olga");
/// let signal: CrisisSignal = serde_json::from_str(r#"{"at":"2026-03-01T00:00:00Z",
///     "anomaly":{"at":"2026-03-01T00:00:00Z","value":90.0,"baseline":6.0,"scale":2.0,"score":42.0},
///     "negative_share_before":0.17,"negative_share_after":0.75,"standard_error":0.04,
///     "scored_before":1000,"scored_after":120,"samples":[],"switch_crisis_mode":true,
///     "playbook":{"name":"product recall"}}"#).unwrap();
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
    format!(
        "{name} at {}: volume {:.0} against a baseline of {:.1} (score {:.1}), negative share \
         {:.0}% -> {:.0}% ({} samples)",
        signal.at.to_rfc3339(),
        signal.anomaly.value,
        signal.anomaly.baseline,
        signal.anomaly.score,
        signal.negative_share_before * 100.0,
        signal.negative_share_after * 100.0,
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
        engine.emit(
            &self.workspace,
            EventKind::Crisis {
                who: self.who.clone(),
                deliveries,
                already_paused,
                signal: Box::new(signal.clone()),
            },
        );
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
        let n = self.store().set_paused(ws, true, &stamp).await?.len();
        self.emit(
            ws,
            EventKind::Paused {
                who: who.into(),
                why: why.into(),
                deliveries: n,
            },
        );
        Ok(n)
    }

    /// Resumes every paused delivery of `ws` to the state it was paused from (approvers and
    /// up). Returns how many.
    pub async fn resume_workspace(&self, ws: &WorkspaceId, who: &str, why: &str) -> Result<usize> {
        self.require(ws, who, Permission::Approve).await?;
        let stamp = Stamp::new(who, format!("crisis over: {why}"), self.now());
        let n = self.store().set_paused(ws, false, &stamp).await?.len();
        self.emit(
            ws,
            EventKind::Resumed {
                who: who.into(),
                why: why.into(),
                deliveries: n,
            },
        );
        self.wake();
        Ok(n)
    }
}
