//! The engine as seen by one member of one workspace: [`Engine::member`] binds the workspace
//! and the acting user once, so the workflow calls do not repeat them.
//!
//! Each method is the [`Engine`] method of the same name with `ws` and `who` filled in; roles
//! are checked the same way, on every call (a member removed after the handle was made is
//! refused).
//!
//! ```
//! use std::sync::Arc;
//! use socialkit::adapters::sandbox::Sandbox;
//! use socialkit::engine::Engine;
//! use socialkit::model::Post;
//! use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore, Role};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
//! let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
//! let olga = engine.member(&ws, "olga");
//! let acme = Sandbox::from_url("sandbox://engine-doc-member").unwrap();
//! olga.connect(ChannelRecord::new("c", "sandbox"), acme).await.unwrap();
//! olga.add_member("eddie", Role::Editor).await.unwrap();
//!
//! let eddie = engine.member(&ws, "eddie");
//! let draft = eddie.draft(Post::text("Our anvil"), &["c".into()]).await.unwrap();
//! eddie.request_review(&draft.post).await.unwrap();
//! let scheduled = olga.approve(&draft.post, "good").await.unwrap();
//! assert_eq!(scheduled[0].state, DeliveryState::Scheduled);
//! # });
//! ```

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::schedule::Recurrence;
use super::{Engine, Submitted};
use crate::Result;
use crate::model::{InteractionRef, Post, Published};
use crate::platform::Platform;
use crate::store::vault::ChannelSource;
use crate::store::{
    Attempt, ChannelId, ChannelRecord, Comment, Delivery, DeliveryId, HistoryEntry, PostId, Role,
    WorkspaceId,
};

/// One member of one workspace acting through the engine: made by [`Engine::member`].
///
/// Cheap to make and to clone (it borrows the engine); make one per request or per user.
#[derive(Debug, Clone)]
pub struct MemberHandle<'e> {
    engine: &'e Engine,
    ws: WorkspaceId,
    who: String,
}

impl Engine {
    /// A handle for `who` acting in `ws`, so the workflow calls need neither.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use socialkit::engine::Engine;
    /// # use socialkit::store::{MemoryStore, Role};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// let olga = engine.member(&ws, "olga");
    /// assert_eq!(olga.role().await.unwrap(), Some(Role::Owner));
    /// assert_eq!(olga.who(), "olga");
    /// # });
    /// ```
    pub fn member(&self, ws: &WorkspaceId, who: &str) -> MemberHandle<'_> {
        MemberHandle {
            engine: self,
            ws: ws.clone(),
            who: who.to_string(),
        }
    }
}

impl<'e> MemberHandle<'e> {
    /// The engine behind the handle.
    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// The workspace the member acts in.
    pub fn workspace(&self) -> &WorkspaceId {
        &self.ws
    }

    /// The acting user.
    pub fn who(&self) -> &str {
        &self.who
    }

    /// The member's role in the workspace (`None` when they are not, or no longer, a member).
    pub async fn role(&self) -> Result<Option<Role>> {
        self.engine.role(&self.ws, &self.who).await
    }

    /// [`Engine::connect`]: connects a channel (owners).
    pub async fn connect(&self, record: ChannelRecord, platform: Arc<dyn Platform>) -> Result<()> {
        self.engine
            .connect(&self.ws, &self.who, record, platform)
            .await
    }

    /// [`Engine::connect_stored`]: connects a channel whose configuration and credentials are
    /// sealed in the store's vault, so the engine rebuilds it after a restart (owners).
    pub async fn connect_stored(
        &self,
        record: ChannelRecord,
        source: ChannelSource,
    ) -> Result<Arc<dyn Platform>> {
        self.engine
            .connect_stored(&self.ws, &self.who, record, source)
            .await
    }

    /// [`Engine::add_member`]: adds `user` with `role` (owners).
    pub async fn add_member(&self, user: &str, role: Role) -> Result<()> {
        self.engine
            .add_member(&self.ws, &self.who, user, role)
            .await
    }

    /// [`Engine::remove_member`]: removes `user` (owners).
    pub async fn remove_member(&self, user: &str) -> Result<()> {
        self.engine.remove_member(&self.ws, &self.who, user).await
    }

    /// [`Engine::submit`]: validates and fans a post out to `channels`, scheduled or in review
    /// as the member's role and the workspace's settings decide.
    pub async fn submit(&self, post: Post, channels: &[ChannelId]) -> Result<Submitted> {
        self.engine
            .submit(&self.ws, &self.who, post, channels)
            .await
    }

    /// [`Engine::draft`]: stores a draft for `channels`.
    pub async fn draft(&self, post: Post, channels: &[ChannelId]) -> Result<Submitted> {
        self.engine.draft(&self.ws, &self.who, post, channels).await
    }

    /// [`Engine::edit`]: replaces the content of a post's open deliveries.
    pub async fn edit(&self, post: &PostId, content: Post) -> Result<Vec<Delivery>> {
        self.engine.edit(&self.ws, &self.who, post, content).await
    }

    /// [`Engine::request_review`]: submits a draft for review.
    pub async fn request_review(&self, post: &PostId) -> Result<Vec<Delivery>> {
        self.engine.request_review(&self.ws, &self.who, post).await
    }

    /// [`Engine::approve`]: approves a post in review (approvers).
    pub async fn approve(&self, post: &PostId, why: &str) -> Result<Vec<Delivery>> {
        self.engine.approve(&self.ws, &self.who, post, why).await
    }

    /// [`Engine::request_changes`]: sends a post in review back to its author (approvers).
    pub async fn request_changes(&self, post: &PostId, why: &str) -> Result<Vec<Delivery>> {
        self.engine
            .request_changes(&self.ws, &self.who, post, why)
            .await
    }

    /// [`Engine::request_changes`] under the name a review tool uses: rejects the post as it
    /// stands and asks for changes.
    pub async fn reject(&self, post: &PostId, why: &str) -> Result<Vec<Delivery>> {
        self.request_changes(post, why).await
    }

    /// [`Engine::schedule`]: schedules an approved post at `at` (now when `None`).
    pub async fn schedule(
        &self,
        post: &PostId,
        at: Option<DateTime<Utc>>,
    ) -> Result<Vec<Delivery>> {
        self.engine.schedule(&self.ws, &self.who, post, at).await
    }

    /// [`Engine::schedule_recurring`]: one post per occurrence of `recurrence` until `until`.
    pub async fn schedule_recurring(
        &self,
        post: Post,
        channels: &[ChannelId],
        recurrence: &Recurrence,
        until: DateTime<Utc>,
    ) -> Result<Vec<Submitted>> {
        self.engine
            .schedule_recurring(&self.ws, &self.who, post, channels, recurrence, until)
            .await
    }

    /// [`Engine::cancel`]: cancels a post's open deliveries.
    pub async fn cancel(&self, post: &PostId, why: &str) -> Result<Vec<Delivery>> {
        self.engine.cancel(&self.ws, &self.who, post, why).await
    }

    /// [`Engine::retry`]: schedules a failed delivery again.
    pub async fn retry(&self, delivery: &DeliveryId, why: &str) -> Result<Delivery> {
        self.engine.retry(&self.ws, &self.who, delivery, why).await
    }

    /// [`Engine::settle`]: records the outcome of a delivery in doubt.
    pub async fn settle(
        &self,
        delivery: &DeliveryId,
        published: Option<Published>,
        why: &str,
    ) -> Result<Delivery> {
        self.engine
            .settle(&self.ws, &self.who, delivery, published, why)
            .await
    }

    /// [`Engine::reply`]: answers an interaction through `channel`'s outbox.
    pub async fn reply(
        &self,
        channel: &ChannelId,
        to: InteractionRef,
        post: Post,
    ) -> Result<DeliveryId> {
        self.engine
            .reply(&self.ws, &self.who, channel, to, post)
            .await
    }

    /// [`Engine::comment`]: adds a comment to a post's discussion.
    pub async fn comment(&self, post: &PostId, text: &str) -> Result<()> {
        self.engine.comment(&self.ws, &self.who, post, text).await
    }

    /// [`Engine::comments`]: a post's discussion.
    pub async fn comments(&self, post: &PostId) -> Result<Vec<Comment>> {
        self.engine.comments(&self.ws, &self.who, post).await
    }

    /// [`Engine::audit_log`]: the workspace's last `limit` audit entries.
    pub async fn audit_log(&self, limit: usize) -> Result<Vec<HistoryEntry>> {
        self.engine.audit_log(&self.ws, &self.who, limit).await
    }

    /// [`Engine::history`]: a delivery's transitions and attempts.
    pub async fn history(
        &self,
        delivery: &DeliveryId,
    ) -> Result<(Vec<HistoryEntry>, Vec<Attempt>)> {
        self.engine.history(&self.ws, &self.who, delivery).await
    }
}
