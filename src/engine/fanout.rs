//! Fan-out: one post to many channels, one delivery each.
//!
//! Each delivery's content is the post resolved for its channel
//! ([`Post::resolve`] with the platform's variant, then the channel's), with the workspace's
//! brand rules applied (hashtag sets, UTM parameters) — and, before anything is stored,
//! checked against the brand rules and validated against that channel's capabilities, which
//! are loaded first ([`Platform::load_capabilities`](crate::Platform::load_capabilities): a
//! Mastodon instance's own limits, never "whatever the channel happens to hold now"). A post
//! that any channel would refuse is refused as a whole, with every channel's reason, so nothing
//! half-goes out because of a content error; failures while publishing are per delivery
//! ([`PostStatus`](super::PostStatus)).

use serde::{Deserialize, Serialize};

use super::{BrandRules, Engine, Permission};
use crate::model::Post;
use crate::platform::Operation;
use crate::store::{ChannelId, Delivery, DeliveryState, PostId, PostRecord, Role, WorkspaceId};
use crate::{Error, ErrorKind, Result};

/// A post the engine accepted, and its deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    /// The post's id.
    pub post: PostId,
    /// One delivery per channel, in the order the channels were given.
    pub deliveries: Vec<Delivery>,
}

/// A post resolved for one channel.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub channel: ChannelId,
    pub platform: String,
    pub content: Post,
}

impl Engine {
    /// Submits a post to `channels` (editors and up). Approvers and owners — and editors where
    /// the workspace needs no approval — schedule it at once (at `post.scheduled_at`, else
    /// now); an editor's post otherwise goes to review.
    ///
    /// Refused, with nothing stored, when a channel is not connected, appears twice, or would
    /// refuse the content (a [`Validation`](ErrorKind::Validation) error listing each channel's
    /// reason, brand-rule violations included).
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
    /// let long = Sandbox::from_url("sandbox://engine-doc-long").unwrap();
    /// let short = Sandbox::from_url("sandbox://engine-doc-short?max_chars=5").unwrap();
    /// engine.connect(&ws, "olga", ChannelRecord::new("long", "sandbox"), long).await.unwrap();
    /// engine.connect(&ws, "olga", ChannelRecord::new("short", "sandbox"), short).await.unwrap();
    /// let err = engine.submit(&ws, "olga", Post::text("far too long"), &["long".into(), "short".into()]).await.unwrap_err();
    /// assert!(err.to_string().contains("short"));
    /// let ok = engine.submit(&ws, "olga", Post::text("fits"), &["long".into(), "short".into()]).await.unwrap();
    /// assert_eq!(ok.deliveries.len(), 2);
    /// # });
    /// ```
    pub async fn submit(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: Post,
        channels: &[ChannelId],
    ) -> Result<Submitted> {
        let role = self.require(ws, who, Permission::Write).await?;
        let settings = self.workflow_settings(ws).await?;
        let state = if role >= Role::Approver || !settings.approval_required {
            DeliveryState::Scheduled
        } else {
            DeliveryState::InReview
        };
        let why = if state == DeliveryState::Scheduled {
            "submitted and scheduled"
        } else {
            "submitted for review"
        };
        let out = self
            .create(ws, who, post, channels, state, true, why)
            .await?;
        self.wake();
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn create(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: Post,
        channels: &[ChannelId],
        state: DeliveryState,
        check: bool,
        why: &str,
    ) -> Result<Submitted> {
        let resolved = self.resolve_all(ws, &post, channels, check).await?;
        let now = self.now();
        let rec = PostRecord {
            workspace: ws.clone(),
            id: PostId::generate(),
            created_by: who.to_string(),
            created_at: now,
            post,
        };
        let deliveries: Vec<Delivery> = resolved
            .into_iter()
            .map(|r| {
                Delivery::new(
                    ws.clone(),
                    rec.id.clone(),
                    r.channel,
                    r.platform,
                    r.content,
                    state,
                    rec.post.scheduled_at,
                    now,
                )
            })
            .collect();
        self.store().insert_post(&rec, &deliveries, why).await?;
        Ok(Submitted {
            post: rec.id,
            deliveries,
        })
    }

    /// Resolves `post` for each channel and applies the brand rules; with `check`, also checks
    /// them and validates against each channel's capabilities, refusing with every reason.
    pub(crate) async fn resolve_all(
        &self,
        ws: &WorkspaceId,
        post: &Post,
        channels: &[ChannelId],
        check: bool,
    ) -> Result<Vec<Resolved>> {
        if channels.is_empty() {
            return Err(Error::validation("a post needs at least one channel"));
        }
        let rules: BrandRules = self.brand_rules(ws).await?;
        let mut out = Vec::with_capacity(channels.len());
        let mut problems: Vec<String> = Vec::new();
        let mut first: Option<Error> = None;
        for (i, ch) in channels.iter().enumerate() {
            if channels[..i].contains(ch) {
                return Err(Error::validation(format!("channel {ch} is named twice")));
            }
            let platform = self.require_platform(ws, ch)?;
            let mut content = post.resolve(platform.name(), Some(ch.as_str()));
            content.scheduled_at = post.scheduled_at;
            rules.apply(&mut content, platform.name(), ch);
            if check {
                // The channel's limits as the platform states them, read before the first
                // check (a Mastodon instance's own): the same post gets the same answer.
                platform
                    .load_capabilities()
                    .await
                    .map_err(|e| e.or_context(platform.name(), Some(ch.as_str()), "check"))?;
                for v in rules.check(&content) {
                    problems.push(format!("{ch}: {v}"));
                }
                if let Err(e) = platform.check_for(&content, Operation::Publish) {
                    problems.push(format!("{ch}: {}", e.message()));
                    first.get_or_insert(e);
                }
            }
            out.push(Resolved {
                channel: ch.clone(),
                platform: platform.name().to_string(),
                content,
            });
        }
        if !problems.is_empty() {
            let n = problems.len();
            let mut e = Error::new(
                ErrorKind::Validation,
                format!(
                    "the post cannot go out as it is ({n} problem{}): {}",
                    if n == 1 { "" } else { "s" },
                    problems.join("; ")
                ),
            );
            if let Some(d) = first.as_ref().and_then(|f| f.detail()) {
                e = e.with_detail(d.clone());
            }
            return Err(e);
        }
        Ok(out)
    }
}
