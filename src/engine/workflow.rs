//! Members, roles and the approval workflow.
//!
//! Draft → InReview → Approved | ChangesRequested → Scheduled → Publishing →
//! Published | Failed | Cancelled. Each step checks the actor's role ([`Permission`]) and is
//! stored with who, when and why; the state machine itself
//! ([`DeliveryState::can_move_to`](crate::store::DeliveryState::can_move_to)) refuses every
//! illegal move. Workflow steps act on all open deliveries of a post at once.
//!
//! | role     | read | comment, draft, edit, submit for review | approve, schedule, cancel, pause | members, channels, brand rules |
//! |----------|------|------------------------------------------|-----------------------------------|--------------------------------|
//! | viewer   | yes  |                                          |                                   |                                |
//! | editor   | yes  | yes                                      |                                   |                                |
//! | approver | yes  | yes                                      | yes                               |                                |
//! | owner    | yes  | yes                                      | yes                               | yes                            |
//!
//! ```
//! use std::sync::Arc;
//! use socialkit::adapters::sandbox::Sandbox;
//! use socialkit::engine::Engine;
//! use socialkit::model::Post;
//! use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore, Role};
//! use socialkit::ErrorKind;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
//! let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
//! let acme = Sandbox::from_url("sandbox://engine-doc-workflow").unwrap();
//! engine.connect(&ws, "olga", ChannelRecord::new("c", "sandbox"), acme).await.unwrap();
//! engine.add_member(&ws, "olga", "eddie", Role::Editor).await.unwrap();
//! engine.add_member(&ws, "olga", "anna", Role::Approver).await.unwrap();
//!
//! let draft = engine.draft(&ws, "eddie", Post::text("Our anvil"), &["c".into()]).await.unwrap();
//! engine.request_review(&ws, "eddie", &draft.post).await.unwrap();
//! let denied = engine.approve(&ws, "eddie", &draft.post, "lgtm").await.unwrap_err();
//! assert_eq!(denied.kind(), ErrorKind::PermissionDenied);
//! engine.request_changes(&ws, "anna", &draft.post, "name the weight").await.unwrap();
//! engine.edit(&ws, "eddie", &draft.post, Post::text("Our anvil: 50 kg")).await.unwrap();
//! engine.request_review(&ws, "eddie", &draft.post).await.unwrap();
//! let scheduled = engine.approve(&ws, "anna", &draft.post, "good").await.unwrap();
//! assert_eq!(scheduled[0].state, DeliveryState::Scheduled);
//!
//! let log = engine.audit_log(&ws, "olga", 100).await.unwrap();
//! assert_eq!(log.last().unwrap().who, "anna");
//! assert_eq!(engine.comments(&ws, "olga", &draft.post).await.unwrap()[0].text, "name the weight");
//! # });
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Engine, Submitted};
use crate::model::Post;
use crate::store::{
    Attempt, Change, ChannelId, Comment, Delivery, DeliveryId, DeliveryState, HistoryEntry, Member,
    PostId, Role, Selector, Stamp, WorkspaceId,
};
use crate::{Error, ErrorKind, Result};

/// What an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read posts, deliveries, the audit log.
    Read,
    /// Comment, write and edit drafts, submit for review.
    Write,
    /// Approve, ask for changes, schedule, cancel, retry, publish without review, pause.
    Approve,
    /// Members, channels, brand rules, webhooks, workflow settings.
    Manage,
}

impl Permission {
    /// The least role that has it.
    ///
    /// ```
    /// use socialkit::engine::Permission;
    /// use socialkit::store::Role;
    /// assert_eq!(Permission::Approve.least_role(), Role::Approver);
    /// ```
    pub fn least_role(self) -> Role {
        match self {
            Permission::Read => Role::Viewer,
            Permission::Write => Role::Editor,
            Permission::Approve => Role::Approver,
            Permission::Manage => Role::Owner,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write posts",
            Permission::Approve => "approve, schedule or pause",
            Permission::Manage => "manage the workspace",
        }
    }
}

/// How a workspace's workflow runs (stored as its `workflow` setting).
///
/// ```
/// let s = socialkit::engine::WorkflowSettings::default();
/// assert!(s.approval_required && s.schedule_on_approval && !s.four_eyes);
/// assert!(!s.replies_need_approval, "replies skip review unless the workspace asks");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowSettings {
    /// Editors' posts go to review before they are scheduled. Approvers and owners always
    /// schedule directly.
    pub approval_required: bool,
    /// Approval schedules the post at once (at its planned time, or now).
    pub schedule_on_approval: bool,
    /// An approver may not approve a post they wrote.
    pub four_eyes: bool,
    /// Editors' replies ([`Engine::reply`]) go to review too. Off by default: answers to
    /// customers are usually sent by the people on the inbox without review, and a workspace
    /// that wants four eyes on them switches it on.
    #[serde(default)]
    pub replies_need_approval: bool,
}

impl Default for WorkflowSettings {
    fn default() -> Self {
        WorkflowSettings {
            approval_required: true,
            schedule_on_approval: true,
            four_eyes: false,
            replies_need_approval: false,
        }
    }
}

const WORKFLOW_KEY: &str = "workflow";

impl Engine {
    /// The role of `user` in `ws`, if a member.
    pub async fn role(&self, ws: &WorkspaceId, user: &str) -> Result<Option<Role>> {
        Ok(self
            .members_of(ws)
            .await?
            .iter()
            .find(|m| m.user == user)
            .map(|m| m.role))
    }

    /// Checks that `who` may do what `perm` covers in `ws`; returns their role, or
    /// [`PermissionDenied`](ErrorKind::PermissionDenied).
    pub async fn require(&self, ws: &WorkspaceId, who: &str, perm: Permission) -> Result<Role> {
        match self.role(ws, who).await? {
            Some(r) if r >= perm.least_role() => Ok(r),
            Some(r) => Err(Error::new(
                ErrorKind::PermissionDenied,
                format!(
                    "{who} is {r:?} in workspace {ws} and may not {}",
                    perm.verb()
                )
                .to_lowercase(),
            )),
            None => Err(Error::new(
                ErrorKind::PermissionDenied,
                format!("{who} is not a member of workspace {ws}"),
            )),
        }
    }

    /// Adds a member or changes a role (owners only).
    pub async fn add_member(
        &self,
        ws: &WorkspaceId,
        who: &str,
        user: &str,
        role: Role,
    ) -> Result<()> {
        self.require(ws, who, Permission::Manage).await?;
        let m = Member::new(user, role);
        self.writing_workspace(ws, self.store().put_member(ws, &m))
            .await
    }

    /// Removes a member (owners only).
    pub async fn remove_member(&self, ws: &WorkspaceId, who: &str, user: &str) -> Result<()> {
        self.require(ws, who, Permission::Manage).await?;
        self.writing_workspace(ws, self.store().remove_member(ws, user))
            .await
    }

    /// The workflow settings of `ws`.
    pub async fn workflow_settings(&self, ws: &WorkspaceId) -> Result<WorkflowSettings> {
        match self.setting_of(ws, WORKFLOW_KEY).await? {
            Some(v) => serde_json::from_value(v).map_err(|e| {
                Error::new(ErrorKind::Storage, "stored workflow settings are invalid")
                    .with_source(e)
            }),
            None => Ok(WorkflowSettings::default()),
        }
    }

    /// Sets the workflow settings (owners only).
    pub async fn set_workflow_settings(
        &self,
        ws: &WorkspaceId,
        who: &str,
        s: &WorkflowSettings,
    ) -> Result<()> {
        self.require(ws, who, Permission::Manage).await?;
        let v = serde_json::to_value(s)?;
        self.writing_workspace(ws, self.store().put_setting(ws, WORKFLOW_KEY, &v))
            .await
    }

    /// Saves a draft for `channels` (editors and up). Nothing is checked yet; brand rules and
    /// capabilities are checked when it goes to review.
    pub async fn draft(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: Post,
        channels: &[ChannelId],
    ) -> Result<Submitted> {
        self.require(ws, who, Permission::Write).await?;
        self.create(
            ws,
            who,
            post,
            channels,
            DeliveryState::Draft,
            false,
            "draft saved",
        )
        .await
    }

    /// Replaces a draft's content (editors and up; Draft or ChangesRequested only).
    pub async fn edit(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: &PostId,
        content: Post,
    ) -> Result<Vec<Delivery>> {
        self.require(ws, who, Permission::Write).await?;
        let mut rec = self.store().post(ws, post).await?;
        let deliveries = self.deliveries(ws, post).await?;
        let channels: Vec<ChannelId> = deliveries.iter().map(|d| d.channel.clone()).collect();
        let resolved = self.resolve_all(ws, &content, &channels, false).await?;
        let contents = deliveries
            .iter()
            .zip(resolved)
            .map(|(d, r)| (d.id.clone(), r.content))
            .collect::<Vec<_>>();
        rec.post = content;
        let stamp = Stamp::new(who, "edited", self.now());
        self.store().edit_post(&rec, &contents, &stamp).await
    }

    /// Sends a draft to review (editors and up), after checking brand rules and every
    /// channel's capabilities: a post that breaks them is refused with a
    /// [`Validation`](ErrorKind::Validation) error naming each channel and rule.
    pub async fn request_review(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: &PostId,
    ) -> Result<Vec<Delivery>> {
        self.require(ws, who, Permission::Write).await?;
        let deliveries = self.deliveries(ws, post).await?;
        let rec = self.store().post(ws, post).await?;
        let channels: Vec<ChannelId> = deliveries.iter().map(|d| d.channel.clone()).collect();
        self.resolve_all(ws, &rec.post, &channels, true).await?;
        self.move_post(
            ws,
            who,
            post,
            DeliveryState::InReview,
            None,
            "submitted for review",
        )
        .await
    }

    /// Approves a post in review (approvers and up); schedules it too when the workspace's
    /// [`WorkflowSettings::schedule_on_approval`] says so.
    pub async fn approve(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: &PostId,
        why: &str,
    ) -> Result<Vec<Delivery>> {
        self.require(ws, who, Permission::Approve).await?;
        let settings = self.workflow_settings(ws).await?;
        if settings.four_eyes && self.store().post(ws, post).await?.created_by == who {
            return Err(Error::new(
                ErrorKind::PermissionDenied,
                format!("{who} wrote post {post} and may not approve it (four-eyes rule)"),
            ));
        }
        let out = self
            .move_post(ws, who, post, DeliveryState::Approved, None, why)
            .await?;
        if settings.schedule_on_approval {
            return self.schedule(ws, who, post, None).await;
        }
        Ok(out)
    }

    /// Sends a post in review back to its author with a comment (approvers and up).
    pub async fn request_changes(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: &PostId,
        why: &str,
    ) -> Result<Vec<Delivery>> {
        self.require(ws, who, Permission::Approve).await?;
        let out = self
            .move_post(ws, who, post, DeliveryState::ChangesRequested, None, why)
            .await?;
        self.comment(ws, who, post, why).await?;
        Ok(out)
    }

    /// Schedules an approved post at `at` (else its planned time, else now) (approvers and up).
    pub async fn schedule(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: &PostId,
        at: Option<DateTime<Utc>>,
    ) -> Result<Vec<Delivery>> {
        self.require(ws, who, Permission::Approve).await?;
        let out = self
            .move_post(ws, who, post, DeliveryState::Scheduled, at, "scheduled")
            .await?;
        self.wake();
        Ok(out)
    }

    /// Cancels every open delivery of a post (approvers and up). A delivery being published
    /// right now cannot be cancelled (a `Conflict`; nothing changes).
    pub async fn cancel(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: &PostId,
        why: &str,
    ) -> Result<Vec<Delivery>> {
        self.require(ws, who, Permission::Approve).await?;
        self.move_post(ws, who, post, DeliveryState::Cancelled, None, why)
            .await
    }

    /// Schedules a failed delivery again, now (approvers and up).
    pub async fn retry(
        &self,
        ws: &WorkspaceId,
        who: &str,
        delivery: &DeliveryId,
        why: &str,
    ) -> Result<Delivery> {
        self.require(ws, who, Permission::Approve).await?;
        let change = Change::Move {
            to: DeliveryState::Scheduled,
            due_at: Some(self.now()),
        };
        let stamp = Stamp::new(who, why, self.now());
        let mut out = self
            .store()
            .apply(ws, &Selector::Delivery(delivery.clone()), &change, &stamp)
            .await?;
        self.wake();
        out.pop().ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("delivery {delivery} not found"),
            )
        })
    }

    /// Settles a delivery that failed in doubt ([`Delivery::needs_decision`]) after a person
    /// looked at the channel (approvers and up): `Some(result)` — the post or reply is there
    /// (Published with that result, and the event); `None` — it is not (scheduled again now,
    /// under a fresh idempotency key). Anything else is a [`Conflict`](ErrorKind::Conflict).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::adapters::sandbox::Sandbox;
    /// use socialkit::engine::Engine;
    /// use socialkit::model::Post;
    /// use socialkit::store::{ChannelRecord, MemoryStore};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// let p = Sandbox::from_url("sandbox://engine-doc-settle").unwrap();
    /// engine.connect(&ws, "olga", ChannelRecord::new("c", "sandbox"), p).await.unwrap();
    /// let sub = engine.submit(&ws, "olga", Post::text("hi"), &["c".into()]).await.unwrap();
    /// let err = engine.settle(&ws, "olga", &sub.deliveries[0].id, None, "checked").await.unwrap_err();
    /// assert_eq!(err.kind(), socialkit::ErrorKind::Conflict, "nothing is in doubt");
    /// # });
    /// ```
    pub async fn settle(
        &self,
        ws: &WorkspaceId,
        who: &str,
        delivery: &DeliveryId,
        published: Option<crate::model::Published>,
        why: &str,
    ) -> Result<Delivery> {
        self.require(ws, who, Permission::Approve).await?;
        let change = Change::Settle { published };
        let stamp = Stamp::new(who, why, self.now());
        // A settle that finds the post publishes it: the change and its event commit together.
        let emit = super::events::Recording::new(super::events::Emit(|changed: &[Delivery]| {
            changed
                .iter()
                .filter(|d| d.state == DeliveryState::Published)
                .filter_map(|d| {
                    d.result
                        .as_ref()
                        .map(|p| super::outbox::published_event(d, p))
                })
                .collect()
        }));
        let (mut changed, events) = self
            .store()
            .apply_emitting(
                ws,
                &Selector::Delivery(delivery.clone()),
                &change,
                &stamp,
                emit.clone(),
            )
            .await?;
        self.broadcast_recorded(&events, &emit);
        let d = changed.pop().ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("delivery {delivery} not found"),
            )
        })?;
        if d.result.is_none() {
            self.wake();
        }
        Ok(d)
    }

    /// Comments on a post (editors and up).
    pub async fn comment(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: &PostId,
        text: &str,
    ) -> Result<()> {
        self.require(ws, who, Permission::Write).await?;
        self.store()
            .add_comment(&Comment {
                workspace: ws.clone(),
                post: post.clone(),
                who: who.to_string(),
                at: self.now(),
                text: text.to_string(),
            })
            .await
    }

    /// A post's comments (viewers and up).
    pub async fn comments(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: &PostId,
    ) -> Result<Vec<Comment>> {
        self.require(ws, who, Permission::Read).await?;
        self.store().comments(ws, post).await
    }

    /// The workspace's audit log, last `limit` entries (viewers and up).
    pub async fn audit_log(
        &self,
        ws: &WorkspaceId,
        who: &str,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>> {
        self.require(ws, who, Permission::Read).await?;
        self.store().audit_log(ws, limit).await
    }

    /// A delivery's transitions and attempts (viewers and up).
    pub async fn history(
        &self,
        ws: &WorkspaceId,
        who: &str,
        delivery: &DeliveryId,
    ) -> Result<(Vec<HistoryEntry>, Vec<Attempt>)> {
        self.require(ws, who, Permission::Read).await?;
        let h = self.store().history(ws, delivery).await?;
        let a = self.store().attempts(ws, delivery).await?;
        Ok((h, a))
    }

    async fn move_post(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: &PostId,
        to: DeliveryState,
        due_at: Option<DateTime<Utc>>,
        why: &str,
    ) -> Result<Vec<Delivery>> {
        let stamp = Stamp::new(who, why, self.now());
        self.store()
            .apply(
                ws,
                &Selector::Post(post.clone()),
                &Change::Move { to, due_at },
                &stamp,
            )
            .await
    }
}
