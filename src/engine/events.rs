//! What the engine tells subscribers: published, replied, failed, partially failed, needs
//! reauth, paused, resumed, crisis.
//!
//! [`Engine::subscribe`](super::Engine::subscribe) returns a `tokio::sync::broadcast`
//! receiver. A subscriber that falls more than the channel's capacity behind loses the oldest
//! events (it sees `RecvError::Lagged`), and events are not stored: a process that stops loses
//! the ones not yet handled. The store stays the source of truth (every transition is in the
//! audit log). `partially_failed` is sent when a post's last delivery ends; two deliveries
//! ending at the same instant on two workers may both send it (dedupe on the post).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use super::PostStatus;
use super::crisis::CrisisSignal;
use crate::ErrorRecord;
use crate::model::{InteractionRef, Published};
use crate::store::{ChannelId, DeliveryId, PostId, WorkspaceId};

/// Something that happened in a workspace.
///
/// ```
/// use socialkit::engine::{Event, EventKind};
/// let e = Event::new("acme".into(), EventKind::Resumed { who: "ana".into(), why: "over".into(), deliveries: 3 }, chrono::Utc::now());
/// assert_eq!(e.kind.name(), "resumed");
/// let json = serde_json::to_string(&e).unwrap();
/// assert!(json.contains("\"type\":\"resumed\""));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// A unique id (webhook receivers dedupe on it).
    pub id: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The workspace.
    pub workspace: WorkspaceId,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// An event with a fresh id.
    pub fn new(workspace: WorkspaceId, kind: EventKind, at: DateTime<Utc>) -> Self {
        Event {
            id: format!("ev-{:016x}", rand::random::<u64>()),
            at,
            workspace,
            kind,
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A delivery is on the platform.
    Published {
        /// The post.
        post: PostId,
        /// The delivery.
        delivery: DeliveryId,
        /// The channel.
        channel: ChannelId,
        /// The platform's answer.
        result: Published,
    },
    /// A reply ([`Engine::reply`](super::Engine::reply)) is on the platform.
    Replied {
        /// The reply's post.
        post: PostId,
        /// The reply's delivery.
        delivery: DeliveryId,
        /// The channel.
        channel: ChannelId,
        /// The interaction it answers.
        to: InteractionRef,
        /// The platform's answer.
        result: Published,
    },
    /// A delivery (a post's or a reply's) stopped with a typed error.
    Failed {
        /// The post.
        post: PostId,
        /// The delivery.
        delivery: DeliveryId,
        /// The channel.
        channel: ChannelId,
        /// The error.
        error: ErrorRecord,
    },
    /// Every delivery of a post has ended, some published and some failed.
    PartiallyFailed {
        /// The post.
        post: PostId,
        /// The counts.
        status: PostStatus,
    },
    /// A channel's credentials were refused: the account must be reconnected.
    NeedsReauth {
        /// The channel.
        channel: ChannelId,
        /// The platform's error.
        error: ErrorRecord,
    },
    /// A channel's health changed: connected, expiring soon, or needs re-authorisation (why).
    ChannelHealth {
        /// The channel.
        channel: ChannelId,
        /// Its health now.
        health: crate::store::vault::ChannelHealth,
    },
    /// Crisis mode on: pending deliveries are held.
    Paused {
        /// Who.
        who: String,
        /// Why.
        why: String,
        /// How many deliveries were paused.
        deliveries: usize,
    },
    /// Crisis mode off: paused deliveries are back where they were.
    Resumed {
        /// Who.
        who: String,
        /// Why.
        why: String,
        /// How many deliveries were resumed.
        deliveries: usize,
    },
    /// A crisis signal switched crisis mode on (see
    /// [`CrisisSwitch`](super::CrisisSwitch)); a `paused` event precedes it when this signal
    /// paused the workspace.
    Crisis {
        /// Who switched (the switch's member).
        who: String,
        /// How many deliveries this signal paused (0 when the workspace was already paused).
        deliveries: usize,
        /// Whether the workspace was already paused when the signal came.
        already_paused: bool,
        /// The evidence: which indicators moved and how far, sample interactions and the
        /// playbook.
        signal: Box<CrisisSignal>,
    },
}

impl EventKind {
    /// The event's stable name (`"published"`, `"needs_reauth"` …), as in its JSON `type`.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Published { .. } => "published",
            EventKind::Replied { .. } => "replied",
            EventKind::Failed { .. } => "failed",
            EventKind::PartiallyFailed { .. } => "partially_failed",
            EventKind::NeedsReauth { .. } => "needs_reauth",
            EventKind::ChannelHealth { .. } => "channel_health",
            EventKind::Paused { .. } => "paused",
            EventKind::Resumed { .. } => "resumed",
            EventKind::Crisis { .. } => "crisis",
        }
    }
}

/// The engine's broadcast of events.
#[derive(Debug, Clone)]
pub(crate) struct EventBus {
    tx: broadcast::Sender<Event>,
}

impl EventBus {
    pub(crate) fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(1));
        EventBus { tx }
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }

    pub(crate) fn emit(&self, event: Event) {
        tracing::debug!(workspace = %event.workspace, kind = event.kind.name(), "event");
        // No subscriber is not an error.
        let _ = self.tx.send(event);
    }
}
