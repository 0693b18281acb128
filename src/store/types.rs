//! The records a [`Store`](super::Store) keeps: plain serde data, the same for every store.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::DeliveryState;
use crate::ErrorRecord;
use crate::model::{InteractionRef, PlatformId, Post, Profile, Published};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// An id from a string the caller chose.
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            /// A fresh random id with this type's prefix.
            pub fn generate() -> Self {
                $name(format!(concat!($prefix, "-{:016x}"), rand::random::<u64>()))
            }

            /// The id as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_string())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }
    };
}

id_type!(
    /// A workspace: one client of an agency. Every record belongs to exactly one.
    ///
    /// ```
    /// let ws = socialkit::store::WorkspaceId::new("acme");
    /// assert_eq!(ws.to_string(), "acme");
    /// assert!(socialkit::store::WorkspaceId::generate().as_str().starts_with("ws-"));
    /// ```
    WorkspaceId,
    "ws"
);
id_type!(
    /// A post as the store knows it (the content plus its deliveries).
    ///
    /// ```
    /// assert!(socialkit::store::PostId::generate().as_str().starts_with("p-"));
    /// ```
    PostId,
    "p"
);
id_type!(
    /// One post to one channel.
    ///
    /// ```
    /// assert!(socialkit::store::DeliveryId::generate().as_str().starts_with("d-"));
    /// ```
    DeliveryId,
    "d"
);
id_type!(
    /// A connected channel inside a workspace, by the name the workspace gives it.
    ///
    /// ```
    /// let c: socialkit::store::ChannelId = "acme-mastodon".into();
    /// assert_eq!(c.as_str(), "acme-mastodon");
    /// ```
    ChannelId,
    "ch"
);

/// What a member may do in a workspace.
///
/// ```
/// use socialkit::store::Role;
/// assert!(Role::Owner > Role::Viewer);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Writes drafts, comments, submits for review.
    Editor,
    /// Approves or asks for changes, schedules, cancels, pauses.
    Approver,
    /// Everything, including members, brand rules and channels.
    Owner,
}

/// A person's membership in a workspace.
///
/// ```
/// use socialkit::store::{Member, Role};
/// let m = Member::new("ana", Role::Editor);
/// assert_eq!(m.role, Role::Editor);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The user's id in the embedding application.
    pub user: String,
    /// The role.
    pub role: Role,
}

impl Member {
    /// A member.
    pub fn new(user: impl Into<String>, role: Role) -> Self {
        Member {
            user: user.into(),
            role,
        }
    }
}

/// A workspace and whether crisis mode holds it.
///
/// ```
/// let w = socialkit::store::Workspace::new("acme", "ACME Anvils");
/// assert!(!w.paused);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// The id.
    pub id: WorkspaceId,
    /// A name for people.
    pub name: String,
    /// Whether crisis mode is on: nothing publishes.
    #[serde(default)]
    pub paused: bool,
}

impl Workspace {
    /// A workspace that is not paused.
    pub fn new(id: impl Into<WorkspaceId>, name: impl Into<String>) -> Self {
        Workspace {
            id: id.into(),
            name: name.into(),
            paused: false,
        }
    }
}

/// A channel connected to a workspace: which platform, and how far apart its posts must be.
///
/// ```
/// let c = socialkit::store::ChannelRecord::new("acme-x", "x").with_min_spacing_secs(600);
/// assert_eq!(c.min_spacing_secs, Some(600));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRecord {
    /// The workspace's name for the channel.
    pub id: ChannelId,
    /// The platform (stored and serialised as its name, `"mastodon"`).
    pub platform: PlatformId,
    /// The least time between two publishes on this channel, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_spacing_secs: Option<i64>,
    /// The public profile last read from the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
}

impl ChannelRecord {
    /// A channel with no spacing.
    pub fn new(id: impl Into<ChannelId>, platform: impl Into<PlatformId>) -> Self {
        ChannelRecord {
            id: id.into(),
            platform: platform.into(),
            min_spacing_secs: None,
            profile: None,
        }
    }

    /// Sets the minimum spacing between publishes.
    pub fn with_min_spacing_secs(mut self, secs: i64) -> Self {
        self.min_spacing_secs = Some(secs);
        self
    }
}

/// A post as submitted: the content with its variants, who wrote it, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRecord {
    /// The workspace.
    pub workspace: WorkspaceId,
    /// The id.
    pub id: PostId,
    /// The content as written (with variants).
    pub post: Post,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The lease a worker holds on a delivery in [`Publishing`](DeliveryState::Publishing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The worker.
    pub worker: String,
    /// The attempt the lease is for; a result is stored only for the attempt that holds it.
    pub attempt_id: String,
    /// When the lease was taken.
    pub since: DateTime<Utc>,
    /// When the lease expires and the delivery becomes in doubt.
    pub until: DateTime<Utc>,
}

/// One post to one channel, with everything the outbox needs.
///
/// ```
/// use socialkit::model::Post;
/// use socialkit::store::{Delivery, DeliveryState};
/// let d = Delivery::new("acme".into(), "p-1".into(), "acme-x".into(), "x", Post::text("hi"), DeliveryState::Draft, None, chrono::Utc::now());
/// assert!(!d.in_doubt() && !d.is_ready_state());
/// let json = serde_json::to_string(&d).unwrap();
/// assert_eq!(serde_json::from_str::<Delivery>(&json).unwrap(), d);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The workspace.
    pub workspace: WorkspaceId,
    /// The id.
    pub id: DeliveryId,
    /// The post it delivers.
    pub post: PostId,
    /// The channel it goes to.
    pub channel: ChannelId,
    /// The channel's platform (stored and serialised as its name).
    pub platform: PlatformId,
    /// The content resolved for this channel (variant applied, brand rules applied).
    pub content: Post,
    /// Set for a reply: the interaction it answers. The outbox then calls
    /// [`Platform::reply`](crate::Platform::reply) instead of
    /// [`publish`](crate::Platform::publish), with the same states, key, retries and
    /// reconciliation (see [`Engine::reply`](crate::engine::Engine::reply)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<InteractionRef>,
    /// Where it stands.
    pub state: DeliveryState,
    /// The state crisis mode paused it from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_from: Option<DeliveryState>,
    /// When it should be published, as planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<DateTime<Utc>>,
    /// When the outbox should act on it next: the due time while Scheduled (moved by
    /// backoff, rate limits and spacing), the lease's end while Publishing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    /// Attempts (leases) taken so far.
    #[serde(default)]
    pub attempts: u32,
    /// Retryable failures counted towards the attempt limit (rate limits are not counted).
    #[serde(default)]
    pub failures: u32,
    /// Increments only when an attempt ended with a definite "not published" answer; the
    /// idempotency key is derived from it, so an in-doubt attempt is always retried with the
    /// same key.
    #[serde(default = "one")]
    pub key_generation: u32,
    /// Set while an earlier attempt's outcome is unknown (timeout, lost answer, crash): the
    /// next attempt reconciles with the platform before it publishes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_doubt_since: Option<DateTime<Utc>>,
    /// After the last allowed attempt ended in doubt: reconcile only, never publish again.
    #[serde(default)]
    pub reconcile_only: bool,
    /// The lease while Publishing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<Lease>,
    /// The platform's answer once Published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Published>,
    /// The last error (the typed failure once Failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorRecord>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

fn one() -> u32 {
    1
}

impl Delivery {
    /// A new delivery in `state`, due at `scheduled_for` (or at creation) once Scheduled.
    ///
    /// ```
    /// use socialkit::model::Post;
    /// use socialkit::store::{Delivery, DeliveryState};
    /// let now = chrono::Utc::now();
    /// let d = Delivery::new("acme".into(), "p-1".into(), "acme-x".into(), "x", Post::text("hi"), DeliveryState::Scheduled, None, now);
    /// assert_eq!(d.due_at, Some(now));
    /// assert_eq!(d.idempotency_key(), format!("sk-{}-1", d.id));
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        workspace: WorkspaceId,
        post: PostId,
        channel: ChannelId,
        platform: impl Into<PlatformId>,
        content: Post,
        state: DeliveryState,
        scheduled_for: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        Delivery {
            workspace,
            id: DeliveryId::generate(),
            post,
            channel,
            platform: platform.into(),
            content,
            reply_to: None,
            state,
            paused_from: None,
            scheduled_for,
            due_at: (state == DeliveryState::Scheduled).then(|| scheduled_for.unwrap_or(now)),
            attempts: 0,
            failures: 0,
            key_generation: 1,
            in_doubt_since: None,
            reconcile_only: false,
            lease: None,
            result: None,
            error: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// The idempotency key of the current attempt: `sk-<delivery>-<generation>`. It stays the
    /// same across retries of an in-doubt attempt, so the platform (or reconciliation) can
    /// recognise the earlier one.
    pub fn idempotency_key(&self) -> String {
        format!("sk-{}-{}", self.id, self.key_generation)
    }

    /// Makes the delivery a reply to `to`.
    ///
    /// ```
    /// use socialkit::model::{InteractionRef, Post};
    /// use socialkit::store::{Delivery, DeliveryState};
    /// let d = Delivery::new("acme".into(), "p-1".into(), "c".into(), "sandbox", Post::text("On it"), DeliveryState::Scheduled, None, chrono::Utc::now())
    ///     .replying_to(InteractionRef::new("sandbox", "n1"));
    /// assert!(d.is_reply());
    /// assert_eq!(d.reply_to.unwrap().id, "n1");
    /// ```
    pub fn replying_to(mut self, to: InteractionRef) -> Self {
        self.reply_to = Some(to);
        self
    }

    /// Whether the delivery is a reply (see [`reply_to`](Delivery::reply_to)).
    ///
    /// ```
    /// use socialkit::model::Post;
    /// use socialkit::store::{Delivery, DeliveryState};
    /// let d = Delivery::new("acme".into(), "p-1".into(), "c".into(), "x", Post::text("hi"), DeliveryState::Draft, None, chrono::Utc::now());
    /// assert!(!d.is_reply(), "a publish");
    /// ```
    pub fn is_reply(&self) -> bool {
        self.reply_to.is_some()
    }

    /// Whether an earlier attempt's outcome is unknown.
    pub fn in_doubt(&self) -> bool {
        self.in_doubt_since.is_some()
    }

    /// Failed while in doubt: the outbox could not tell whether the platform made the post (or
    /// reply) and did not send it again. A person looks and decides
    /// ([`Engine::settle`](crate::engine::Engine::settle)).
    ///
    /// ```
    /// use socialkit::model::Post;
    /// use socialkit::store::{Delivery, DeliveryState};
    /// let now = chrono::Utc::now();
    /// let mut d = Delivery::new("acme".into(), "p-1".into(), "c".into(), "x", Post::text("hi"), DeliveryState::Failed, None, now);
    /// assert!(!d.needs_decision());
    /// d.in_doubt_since = Some(now);
    /// assert!(d.needs_decision());
    /// ```
    pub fn needs_decision(&self) -> bool {
        self.state == DeliveryState::Failed && self.in_doubt()
    }

    /// Whether the outbox acts on it at some time: Scheduled, or Publishing under a lease.
    pub fn is_ready_state(&self) -> bool {
        matches!(
            self.state,
            DeliveryState::Scheduled | DeliveryState::Publishing
        )
    }
}

/// One entry of the audit log: a delivery's transition, who made it, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The workspace.
    pub workspace: WorkspaceId,
    /// The delivery.
    pub delivery: DeliveryId,
    /// Its post.
    pub post: PostId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who: a member's user id, or `worker:<name>` / `system`.
    pub who: String,
    /// The state before (`None` at creation).
    pub from: Option<DeliveryState>,
    /// The state after.
    pub to: DeliveryState,
    /// Why, for people.
    pub why: String,
    /// The attempt, for outbox transitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_id: Option<String>,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The platform answered with the post.
    Published {
        /// The answer.
        result: Published,
    },
    /// Reconciliation found the post an earlier attempt had made.
    Reconciled {
        /// What was found.
        result: Published,
    },
    /// The call failed; `in_doubt` when the post may exist all the same.
    Failed {
        /// The error.
        error: ErrorRecord,
        /// Whether the outcome is unknown (timeout, lost answer, 5xx).
        in_doubt: bool,
    },
    /// Handed back unstarted (shutdown, channel not connected).
    Released,
    /// The lease expired with no result: the worker died or hung. In doubt.
    Abandoned,
}

/// One attempt (lease) at publishing a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// The workspace.
    pub workspace: WorkspaceId,
    /// The delivery.
    pub delivery: DeliveryId,
    /// `<delivery>/<number>`: unique, and the fencing token of the lease.
    pub id: String,
    /// 1, 2, 3 …
    pub number: u32,
    /// The idempotency key sent.
    pub key: String,
    /// The worker that held the lease.
    pub worker: String,
    /// When it was claimed.
    pub started_at: DateTime<Utc>,
    /// When its outcome was stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// How it ended (`None` while running).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<AttemptOutcome>,
}

/// A comment on a post (drafts and reviews).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The workspace.
    pub workspace: WorkspaceId,
    /// The post.
    pub post: PostId,
    /// Who wrote it.
    pub who: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The text.
    pub text: String,
}

/// A delivery claimed by a worker: it is in Publishing under a fresh lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The delivery as claimed.
    pub delivery: Delivery,
    /// The new attempt.
    pub attempt: Attempt,
}

/// Which deliveries of a workspace to list.
///
/// ```
/// use socialkit::store::{DeliveryFilter, DeliveryState};
/// let f = DeliveryFilter::default().in_state(DeliveryState::Failed).limit(10);
/// assert_eq!(f.states, vec![DeliveryState::Failed]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryFilter {
    /// Only this post's.
    pub post: Option<PostId>,
    /// Only this channel's.
    pub channel: Option<ChannelId>,
    /// Only these states (empty = all).
    pub states: Vec<DeliveryState>,
    /// Only replies to the interaction with this platform id
    /// ([`InteractionRef::id`](crate::model::InteractionRef::id)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// At most this many (`None` = all).
    pub limit: Option<usize>,
}

impl DeliveryFilter {
    /// Only the deliveries of `post`.
    pub fn post(post: PostId) -> Self {
        DeliveryFilter {
            post: Some(post),
            ..DeliveryFilter::default()
        }
    }

    /// Only replies to the interaction whose platform id is `interaction`.
    ///
    /// ```
    /// let f = socialkit::store::DeliveryFilter::replies_to("n1");
    /// assert_eq!(f.reply_to.as_deref(), Some("n1"));
    /// ```
    pub fn replies_to(interaction: impl Into<String>) -> Self {
        DeliveryFilter {
            reply_to: Some(interaction.into()),
            ..DeliveryFilter::default()
        }
    }

    /// Adds a state.
    pub fn in_state(mut self, state: DeliveryState) -> Self {
        self.states.push(state);
        self
    }

    /// Sets the limit.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Whether `d` passes the filter (the limit aside).
    pub fn matches(&self, d: &Delivery) -> bool {
        self.post.as_ref().is_none_or(|p| &d.post == p)
            && self.channel.as_ref().is_none_or(|c| &d.channel == c)
            && (self.states.is_empty() || self.states.contains(&d.state))
            && self
                .reply_to
                .as_ref()
                .is_none_or(|id| d.reply_to.as_ref().is_some_and(|r| &r.id == id))
    }
}
