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
    /// The event's type, what subscribers and webhooks filter on.
    ///
    /// ```
    /// use socialkit::engine::{EventKind, EventType};
    /// let k = EventKind::Paused { who: "ana".into(), why: "storm".into(), deliveries: 2 };
    /// assert_eq!(k.event_type(), EventType::Paused);
    /// ```
    pub fn event_type(&self) -> EventType {
        match self {
            EventKind::Published { .. } => EventType::Published,
            EventKind::Replied { .. } => EventType::Replied,
            EventKind::Failed { .. } => EventType::Failed,
            EventKind::PartiallyFailed { .. } => EventType::PartiallyFailed,
            EventKind::NeedsReauth { .. } => EventType::NeedsReauth,
            EventKind::ChannelHealth { .. } => EventType::ChannelHealth,
            EventKind::Paused { .. } => EventType::Paused,
            EventKind::Resumed { .. } => EventType::Resumed,
            EventKind::Crisis { .. } => EventType::Crisis,
        }
    }

    /// The event's stable name (`"published"`, `"needs_reauth"` …), as in its JSON `type`
    /// and the webhook's `Socialkit-Event` header.
    pub fn name(&self) -> &'static str {
        self.event_type().as_str()
    }
}

/// The type of an [`Event`], without its data: what a subscriber or a
/// [`WebhookConfig`](super::WebhookConfig) filters on. Its serde form is the wire name (the
/// JSON `type` of the event and the `Socialkit-Event` header), so a stored webhook
/// configuration keeps reading.
///
/// ```
/// use socialkit::engine::EventType;
/// assert_eq!(EventType::NeedsReauth.as_str(), "needs_reauth");
/// assert_eq!(serde_json::to_string(&EventType::PartiallyFailed).unwrap(), "\"partially_failed\"");
/// assert_eq!("crisis".parse::<EventType>().unwrap(), EventType::Crisis);
/// assert!("publised".parse::<EventType>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventType {
    /// [`EventKind::Published`].
    Published,
    /// [`EventKind::Replied`].
    Replied,
    /// [`EventKind::Failed`].
    Failed,
    /// [`EventKind::PartiallyFailed`].
    PartiallyFailed,
    /// [`EventKind::NeedsReauth`].
    NeedsReauth,
    /// [`EventKind::ChannelHealth`].
    ChannelHealth,
    /// [`EventKind::Paused`].
    Paused,
    /// [`EventKind::Resumed`].
    Resumed,
    /// [`EventKind::Crisis`].
    Crisis,
}

impl EventType {
    /// Every event type.
    pub const ALL: [EventType; 9] = [
        EventType::Published,
        EventType::Replied,
        EventType::Failed,
        EventType::PartiallyFailed,
        EventType::NeedsReauth,
        EventType::ChannelHealth,
        EventType::Paused,
        EventType::Resumed,
        EventType::Crisis,
    ];

    /// The wire name (`"published"`, `"needs_reauth"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Published => "published",
            EventType::Replied => "replied",
            EventType::Failed => "failed",
            EventType::PartiallyFailed => "partially_failed",
            EventType::NeedsReauth => "needs_reauth",
            EventType::ChannelHealth => "channel_health",
            EventType::Paused => "paused",
            EventType::Resumed => "resumed",
            EventType::Crisis => "crisis",
        }
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EventType {
    type Err = crate::Error;

    /// Parses a wire name; an unknown name is a [`Validation`](crate::ErrorKind::Validation)
    /// error that lists the known ones.
    fn from_str(s: &str) -> crate::Result<Self> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
                crate::Error::validation(format!(
                    "unknown event type {s:?}; known: {}",
                    known.join(", ")
                ))
            })
    }
}

impl Event {
    /// Whether this event is of one of `types` (an empty list matches every event).
    ///
    /// ```
    /// use socialkit::engine::{Event, EventKind, EventType};
    /// let e = Event::new("acme".into(), EventKind::Resumed { who: "ana".into(), why: "over".into(), deliveries: 1 }, chrono::Utc::now());
    /// assert!(e.is_any_of(&[EventType::Resumed, EventType::Paused]));
    /// assert!(!e.is_any_of(&[EventType::Failed]));
    /// assert!(e.is_any_of(&[]));
    /// ```
    pub fn is_any_of(&self, types: &[EventType]) -> bool {
        types.is_empty() || types.contains(&self.kind.event_type())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_round_trips_by_its_wire_name() {
        for t in EventType::ALL {
            assert_eq!(t.as_str().parse::<EventType>().unwrap(), t);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{t}\""));
            assert_eq!(serde_json::from_str::<EventType>(&json).unwrap(), t);
        }
        let e = "nope".parse::<EventType>().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation);
        assert!(e.to_string().contains("needs_reauth"), "{e}");
    }

    /// The JSON `type` of an event is its event type's wire name.
    #[test]
    fn the_json_type_is_the_wire_name() {
        let k = EventKind::Resumed {
            who: "ana".into(),
            why: "over".into(),
            deliveries: 0,
        };
        let e = Event::new("acme".into(), k, Utc::now());
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], e.kind.event_type().as_str());
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
