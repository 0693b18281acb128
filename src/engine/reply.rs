//! Replies through the outbox: an answer to an interaction (a comment, a mention, a direct
//! message) is a delivery like any post, so it is sent exactly once too.
//!
//! [`Engine::reply`] stores one delivery whose [`reply_to`](Delivery::reply_to) names the
//! interaction. From there it follows the publish path (DESIGN §5): Publishing with an attempt
//! id and the key `sk-<delivery>-<generation>` before the call, [`Platform::reply`] with that
//! key, the result or the typed failure stored after; retries with backoff, rate limits
//! deferred to `retry_after`, crisis mode holding it, events ([`EventKind::Replied`](super::EventKind::Replied),
//! [`EventKind::Failed`](super::EventKind::Failed)) and the audit log.
//!
//! **Approval.** Customer-service answers usually skip review: by default an editor's reply is
//! scheduled at once. A workspace that reviews replies too sets
//! [`WorkflowSettings::replies_need_approval`](super::WorkflowSettings::replies_need_approval);
//! an editor's reply then waits in review like a post (approvers' and owners' replies never
//! do). Viewers cannot reply.
//!
//! **An in-doubt reply** (the answer was lost, the worker died) is reconciled before anything
//! is sent again:
//! - where [`recent_posts`](Platform::recent_posts) lists replies with their target
//!   ([`Capabilities::replies_in_recent_posts`](crate::platform::Capabilities::replies_in_recent_posts)),
//!   a post with the key, or with the same text answering the same post since the attempt
//!   began, is the reply (found: Published); none is proof that it was not made;
//! - elsewhere, where the platform honours the key, re-sending with the same key is safe;
//! - where neither holds (X, LinkedIn, Meta replies today), nothing is sent again: the
//!   delivery stops as Failed with its doubt kept ([`Delivery::needs_decision`]) and a person
//!   looks at the conversation and decides ([`Engine::settle`]).

use super::{Engine, Permission};
use crate::model::{InteractionRef, Post, RecentPost};
use crate::platform::{Operation, Platform};
use crate::store::{
    ChannelId, Delivery, DeliveryFilter, DeliveryId, DeliveryState, PostId, PostRecord, Role,
    WorkspaceId,
};
use crate::{Error, ErrorKind, Result};

use super::brand::Violation;

/// The platform id of the post a reply to `to` answers: the interaction's own post where it is
/// one (a reply, a mention, a quote), else the interaction's id (a comment id).
///
/// ```
/// use socialkit::engine::reply_target;
/// use socialkit::model::{InteractionRef, PostRef};
/// assert_eq!(reply_target(&InteractionRef::new("sandbox", "n1").with_post(PostRef::new("sandbox", "r1"))), "r1");
/// assert_eq!(reply_target(&InteractionRef::new("facebook", "c-9")), "c-9");
/// ```
pub fn reply_target(to: &InteractionRef) -> &str {
    to.post.as_ref().map_or(to.id.as_str(), |p| p.id.as_str())
}

/// Whether a listed post is a reply to `target` with the text `sent`: it answers the same
/// post, and its text is the one sent — possibly after mentions the platform or the adapter put
/// in front (Mastodon replies start with `@author`).
pub(crate) fn is_the_reply(listed: &RecentPost, target: &str, sent: &Post) -> bool {
    if listed.in_reply_to.as_deref() != Some(target) {
        return false;
    }
    let link = sent.link.as_deref();
    if super::outbox::sent_as(&listed.text, &sent.text, link) {
        return true;
    }
    let mut rest = listed.text.trim_start();
    while rest.starts_with('@') {
        rest = rest
            .split_once(char::is_whitespace)
            .map_or("", |(_, r)| r)
            .trim_start();
        if super::outbox::sent_as(rest, &sent.text, link) {
            return true;
        }
    }
    false
}

/// `d`, the reply stored under an id a caller chose, if it answers `to` on `channel`; else the
/// id was reused for another reply, a [`Conflict`](ErrorKind::Conflict).
fn same_reply(d: Delivery, channel: &ChannelId, to: &InteractionRef) -> Result<Delivery> {
    let same = &d.channel == channel
        && d.reply_to
            .as_ref()
            .is_some_and(|r| r.platform == to.platform && r.id == to.id);
    if same {
        Ok(d)
    } else {
        Err(Error::new(
            ErrorKind::Conflict,
            format!(
                "delivery {} is a reply to another interaction or channel; choose another id",
                d.id
            ),
        ))
    }
}

impl Engine {
    /// Replies `post` to interaction `to` on `channel`, through the outbox (editors and up).
    /// Returns the reply's delivery; the worker sends it with [`Platform::reply`] and the
    /// outbox's idempotency key, with the retries, rate-limit deferral, crisis pause and audit
    /// of a publish. [`EventKind::Replied`](super::EventKind::Replied) tells when it is on the
    /// platform.
    ///
    /// An editor's reply is scheduled at once unless the workspace sets
    /// [`WorkflowSettings::replies_need_approval`](super::WorkflowSettings::replies_need_approval)
    /// (then it waits in review like a post); approvers' and owners' replies never wait.
    ///
    /// A reply whose outcome is unknown (lost answer, crash) is looked for among the channel's
    /// recent posts where they list replies with their target
    /// ([`Capabilities::replies_in_recent_posts`](crate::platform::Capabilities::replies_in_recent_posts)),
    /// else re-sent with the same key where the platform honours keys; where neither holds it
    /// is not sent again: it fails with its doubt kept ([`Delivery::needs_decision`]) until a
    /// person settles it ([`Engine::settle`]).
    ///
    /// Refused with nothing stored when the channel is not connected, cannot reply, the
    /// interaction belongs to another platform, or the content breaks the channel's limits or
    /// the brand's forbidden words (a [`Validation`](ErrorKind::Validation) error).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::adapters::sandbox::{IncomingInteraction, SandboxConfig, SandboxWorld};
    /// use socialkit::engine::Engine;
    /// use socialkit::model::{InteractionKind, InteractionQuery, Post};
    /// use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    /// let acme = world.channel("acme", SandboxConfig::default().with_followers(0)).unwrap();
    /// acme.receive(IncomingInteraction::new(InteractionKind::Mention).text("@acme where is my order?")).unwrap();
    /// let asked = acme.interactions(&InteractionQuery::default()).await.unwrap().items.remove(0);
    ///
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).clock(world.clock()).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// engine.connect(&ws, "olga", ChannelRecord::new("acme", "sandbox"), acme.clone()).await.unwrap();
    /// let id = engine.reply(&ws, "olga", &"acme".into(), asked.reference.clone(), Post::text("It ships today")).await.unwrap();
    /// engine.run_once().await.unwrap();
    /// let d = engine.delivery(&ws, &id).await.unwrap();
    /// assert_eq!(d.state, DeliveryState::Published);
    /// let sent = acme.inspect(&d.result.unwrap().post).unwrap();
    /// assert_eq!(sent.reply_to.as_deref(), Some(asked.reference.post.unwrap().id.as_str()));
    /// # });
    /// ```
    pub async fn reply(
        &self,
        ws: &WorkspaceId,
        who: &str,
        channel: &ChannelId,
        to: InteractionRef,
        post: Post,
    ) -> Result<DeliveryId> {
        let d = self
            .reply_as(ws, who, channel, to, post, DeliveryId::generate())
            .await?;
        Ok(d.id)
    }

    /// [`reply`](Engine::reply) under a delivery id the caller chooses, derived from what it
    /// answers (the inbox derives it from the item): a second call with the same id creates
    /// nothing and returns the delivery the first one stored, whatever its state. A caller
    /// that crashed after the first call and calls again therefore never queues a second
    /// reply.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::adapters::sandbox::{IncomingInteraction, SandboxConfig, SandboxWorld};
    /// use socialkit::engine::Engine;
    /// use socialkit::model::{InteractionKind, InteractionQuery, Post};
    /// use socialkit::store::{ChannelRecord, DeliveryId, MemoryStore};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    /// let acme = world.channel("acme", SandboxConfig::default().with_followers(0)).unwrap();
    /// acme.receive(IncomingInteraction::new(InteractionKind::Comment).text("Nice anvil")).unwrap();
    /// let to = acme.interactions(&InteractionQuery::default()).await.unwrap().items.remove(0).reference;
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).clock(world.clock()).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// engine.connect(&ws, "olga", ChannelRecord::new("acme", "sandbox"), acme.clone()).await.unwrap();
    /// let id = DeliveryId::new("reply-to-n1");
    /// let a = engine.reply_as(&ws, "olga", &"acme".into(), to.clone(), Post::text("Thanks!"), id.clone()).await.unwrap();
    /// let b = engine.reply_as(&ws, "olga", &"acme".into(), to, Post::text("Thanks!!"), id).await.unwrap();
    /// assert_eq!(a.id, b.id);
    /// assert_eq!(b.content.text, "Thanks!", "the first call's reply stands");
    /// engine.run_once().await.unwrap();
    /// assert_eq!(acme.faults().calls(socialkit::adapters::sandbox::Call::Reply), 1);
    /// # });
    /// ```
    pub async fn reply_as(
        &self,
        ws: &WorkspaceId,
        who: &str,
        channel: &ChannelId,
        to: InteractionRef,
        post: Post,
        id: DeliveryId,
    ) -> Result<Delivery> {
        let role = self.require(ws, who, Permission::Write).await?;
        if let Some(d) = self.existing_reply(ws, &id).await? {
            return same_reply(d, channel, &to);
        }
        let platform = self.require_platform(ws, channel)?;
        let content = self
            .reply_content(ws, platform.as_ref(), channel, &to, &post)
            .await?;
        let settings = self.workflow_settings(ws).await?;
        let state = if role >= Role::Approver || !settings.replies_need_approval {
            DeliveryState::Scheduled
        } else {
            DeliveryState::InReview
        };
        let why = if state == DeliveryState::Scheduled {
            "reply queued"
        } else {
            "reply submitted for review"
        };
        let now = self.now();
        let rec = PostRecord {
            workspace: ws.clone(),
            id: PostId::new(format!("p-{id}")),
            created_by: who.to_string(),
            created_at: now,
            post,
        };
        let mut d = Delivery::new(
            ws.clone(),
            rec.id.clone(),
            channel.clone(),
            platform.name(),
            content,
            state,
            rec.post.scheduled_at,
            now,
        )
        .replying_to(to.clone());
        d.id = id;
        match self
            .store()
            .insert_post(&rec, std::slice::from_ref(&d), why)
            .await
        {
            Ok(()) => {}
            // Another call with the same id won the race: its reply stands.
            Err(e) if e.kind() == ErrorKind::Conflict => {
                if let Some(existing) = self.existing_reply(ws, &d.id).await? {
                    return same_reply(existing, channel, &to);
                }
                return Err(e);
            }
            Err(e) => return Err(e),
        }
        self.wake();
        Ok(d)
    }

    /// The delivery stored under `id`, if any; a delivery that is no reply is a conflict.
    async fn existing_reply(&self, ws: &WorkspaceId, id: &DeliveryId) -> Result<Option<Delivery>> {
        match self.store().delivery(ws, id).await {
            Ok(d) if d.is_reply() => Ok(Some(d)),
            Ok(_) => Err(Error::new(
                ErrorKind::Conflict,
                format!("delivery {id} exists and is not a reply"),
            )),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The reply resolved for the channel and checked: the channel can reply, the interaction
    /// is on its platform, the brand's forbidden words and disclosures hold, the platform's
    /// limits hold.
    async fn reply_content(
        &self,
        ws: &WorkspaceId,
        platform: &dyn Platform,
        channel: &ChannelId,
        to: &InteractionRef,
        post: &Post,
    ) -> Result<Post> {
        // The channel's limits as the platform states them, read before the first check.
        platform
            .load_capabilities()
            .await
            .map_err(|e| e.or_context(platform.name(), Some(channel.as_str()), "check"))?;
        let caps = platform.capabilities();
        caps.require(Operation::Reply)?;
        if to.platform != platform.name() {
            return Err(Error::validation(format!(
                "interaction {} is on {}, but channel {channel} is on {}",
                to.id,
                to.platform,
                platform.name()
            )));
        }
        let mut content = post.resolve(platform.name(), Some(channel.as_str()));
        content.scheduled_at = post.scheduled_at;
        let rules = self.brand_rules(ws).await?;
        rules.apply(&mut content, platform.name(), channel);
        // Required words are for campaign posts; an answer to a customer need not carry them.
        let broken: Vec<String> = rules
            .check(&content)
            .into_iter()
            .filter(|v| !matches!(v, Violation::MissingRequired { .. }))
            .map(|v| v.to_string())
            .collect();
        if !broken.is_empty() {
            return Err(Error::validation(format!(
                "the reply cannot go out as it is: {}",
                broken.join("; ")
            )));
        }
        platform.check_for(&content, Operation::Reply)?;
        Ok(content)
    }

    /// The replies stored for interaction `to` (by its platform id) in `ws`, oldest first
    /// (viewers and up).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use socialkit::engine::Engine;
    /// # use socialkit::model::InteractionRef;
    /// # use socialkit::store::MemoryStore;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// assert!(engine.replies(&ws, "olga", &InteractionRef::new("sandbox", "n1")).await.unwrap().is_empty());
    /// # });
    /// ```
    pub async fn replies(
        &self,
        ws: &WorkspaceId,
        who: &str,
        to: &InteractionRef,
    ) -> Result<Vec<Delivery>> {
        self.require(ws, who, Permission::Read).await?;
        let all = self
            .store()
            .deliveries(ws, &DeliveryFilter::replies_to(to.id.clone()))
            .await?;
        Ok(all
            .into_iter()
            .filter(|d| {
                d.reply_to
                    .as_ref()
                    .is_some_and(|r| r.platform == to.platform)
            })
            .collect())
    }

    /// One delivery (a post's or a reply's).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use socialkit::engine::Engine;
    /// # use socialkit::store::MemoryStore;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// let err = engine.delivery(&ws, &"d-none".into()).await.unwrap_err();
    /// assert_eq!(err.kind(), socialkit::ErrorKind::NotFound);
    /// # });
    /// ```
    pub async fn delivery(&self, ws: &WorkspaceId, id: &DeliveryId) -> Result<Delivery> {
        self.store().delivery(ws, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PostRef;

    fn listed(text: &str, to: Option<&str>) -> RecentPost {
        RecentPost {
            post: PostRef::new("sandbox", "9"),
            text: text.into(),
            created_at: chrono::Utc::now(),
            idempotency_key: None,
            in_reply_to: to.map(String::from),
        }
    }

    #[test]
    fn a_reply_matches_by_target_and_text_with_leading_mentions() {
        let sent = Post::text("It ships today");
        assert!(is_the_reply(
            &listed("It ships today", Some("r1")),
            "r1",
            &sent
        ));
        assert!(is_the_reply(
            &listed("@kim It ships today", Some("r1")),
            "r1",
            &sent
        ));
        assert!(is_the_reply(
            &listed("@kim@x.example @bo  It ships today", Some("r1")),
            "r1",
            &sent
        ));
        assert!(
            !is_the_reply(&listed("It ships today", Some("r2")), "r1", &sent),
            "another customer"
        );
        assert!(
            !is_the_reply(&listed("It ships today", None), "r1", &sent),
            "not a reply"
        );
        assert!(!is_the_reply(
            &listed("@kim It ships tomorrow", Some("r1")),
            "r1",
            &sent
        ));
    }
}
