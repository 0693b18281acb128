//! Crisis mode: one call holds every pending delivery of a workspace; one call lets them go.
//!
//! [`Engine::pause_workspace`] moves every delivery in Draft … Scheduled to Paused in one
//! transaction and marks the workspace paused, so the outbox claims nothing of it (deliveries
//! already in flight finish; a retry that lands while paused lands in Paused too).
//! [`Engine::resume_workspace`] moves each back to the state it was paused from. A scheduled
//! delivery whose time passed while paused is due at once on resume. Posts submitted or
//! approved while the workspace is paused keep their state and are not claimed until it is
//! resumed.

use super::{Engine, EventKind, Permission};
use crate::Result;
use crate::store::{Stamp, WorkspaceId};

impl Engine {
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
