//! What the engine tells subscribers: published, replied, failed, partially failed, needs
//! reauth, paused, resumed, crisis.
//!
//! Events are durable: each is written to the store's events outbox
//! ([`store::events`](crate::store::events)) in the same transaction as the change it
//! describes — a delivery's outcome and its `published`/`failed` event commit together, and
//! crisis mode's `paused`/`resumed` with the paused deliveries — so a crash never keeps one
//! without the other. The store gives each event its id (`ev_…`, stable across retries and
//! replays). Webhooks are sent from the outbox ([`webhook`](super::WebhookConfig)), at least
//! once, from any process.
//!
//! [`Engine::subscribe`](super::Engine::subscribe) still returns a `tokio::sync::broadcast`
//! receiver of this process's events as they were written (same ids; the typed event is sent
//! as the engine made it, not decoded from the stored JSON again). A subscriber
//! that falls more than the channel's capacity behind loses the oldest broadcasts (it sees
//! `RecvError::Lagged`); the outbox keeps them ([`Engine::events`](super::Engine::events)).
//! `partially_failed` is written in the transaction that ends a post's last delivery, so it is
//! written once per post.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use super::PostStatus;
use super::crisis::CrisisSignal;
use crate::model::{InteractionRef, Published};
use crate::store::{
    ChannelId, Delivery, DeliveryId, DeliveryState, Emitter, Finish, NewEvent, PostId, StoredEvent,
    WorkspaceId,
};
use crate::{ErrorKind, ErrorRecord, Result};

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
    /// An event with a fresh id (the store gives stored events theirs).
    pub fn new(workspace: WorkspaceId, kind: EventKind, at: DateTime<Utc>) -> Self {
        Event {
            id: crate::store::EventId::generate(at).0,
            at,
            workspace,
            kind,
        }
    }

    /// The event a stored record holds; `Storage` when its payload is not an [`EventKind`]
    /// (a record written by a newer socialkit).
    ///
    /// ```
    /// use socialkit::engine::{Event, EventKind};
    /// use socialkit::store::{EventId, StoredEvent};
    /// let kind = EventKind::Resumed { who: "ana".into(), why: "over".into(), deliveries: 3 };
    /// let stored = StoredEvent { id: EventId("ev_1".into()), seq: 1, workspace: "acme".into(), kind: "resumed".into(), payload: serde_json::to_value(&kind).unwrap(), created_at: chrono::Utc::now() };
    /// assert_eq!(Event::from_stored(&stored).unwrap().kind, kind);
    /// ```
    pub fn from_stored(e: &StoredEvent) -> Result<Event> {
        let kind: EventKind = serde_json::from_value(e.payload.clone()).map_err(|x| {
            crate::Error::new(
                ErrorKind::Storage,
                format!("event {} holds an unknown kind {:?}", e.id, e.kind),
            )
            .with_source(x)
        })?;
        Ok(Event {
            id: e.id.0.clone(),
            at: e.created_at,
            workspace: e.workspace.clone(),
            kind,
        })
    }

    /// The JSON a webhook receives for a stored event: its payload (with `type`) and `id`,
    /// `at` and `workspace` — the same shape as an [`Event`]'s JSON, built without decoding
    /// the payload (so events of kinds this version does not know still go out as written).
    pub(crate) fn body_of(e: &StoredEvent) -> serde_json::Value {
        let mut body = match &e.payload {
            serde_json::Value::Object(m) => m.clone(),
            other => {
                let mut m = serde_json::Map::new();
                m.insert("type".into(), serde_json::Value::String(e.kind.clone()));
                m.insert("payload".into(), other.clone());
                m
            }
        };
        body.insert("id".into(), e.id.0.clone().into());
        body.insert(
            "at".into(),
            serde_json::to_value(e.created_at).unwrap_or_default(),
        );
        body.insert("workspace".into(), e.workspace.0.clone().into());
        serde_json::Value::Object(body)
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

impl EventKind {
    /// The record the store writes.
    pub(crate) fn record(&self) -> NewEvent {
        NewEvent::new(
            self.name(),
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null),
        )
    }
}

/// The typed events of a change: what an [`Emitter`] writes, before it becomes records.
pub(crate) trait Kinds: Send + Sync {
    /// The events of the change, from the changed deliveries.
    fn kinds(&self, changed: &[Delivery]) -> Vec<EventKind>;

    /// A post whose every delivery [`post_kinds`](Kinds::post_kinds) wants to see.
    fn post(&self, changed: &[Delivery]) -> Option<PostId> {
        let _ = changed;
        None
    }

    /// Events about the whole post named by [`post`](Kinds::post).
    fn post_kinds(&self, all: &[Delivery]) -> Vec<EventKind> {
        let _ = all;
        Vec::new()
    }
}

/// An [`Emitter`] that hands the store the records of `K`'s events and keeps the typed
/// events, so the broadcast after the commit sends them as they are instead of decoding the
/// stored JSON again ([`Recording::take`]).
pub(crate) struct Recording<K> {
    kinds: K,
    seen: std::sync::Mutex<Vec<EventKind>>,
}

impl<K: Kinds> Recording<K> {
    pub(crate) fn new(kinds: K) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Recording {
            kinds,
            seen: std::sync::Mutex::new(Vec::new()),
        })
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Vec<EventKind>> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The typed events behind `stored`, in its order; `None` when they do not line up one
    /// for one (then the stored records are decoded).
    pub(crate) fn take(&self, stored: &[StoredEvent]) -> Option<Vec<EventKind>> {
        let seen = std::mem::take(&mut *self.seen());
        let same =
            seen.len() == stored.len() && seen.iter().zip(stored).all(|(k, s)| k.name() == s.kind);
        same.then_some(seen)
    }
}

impl<K: Kinds> Emitter for Recording<K> {
    fn events(&self, changed: &[Delivery]) -> Vec<NewEvent> {
        // Called first for every change (again if a store runs the transaction again).
        let kinds = self.kinds.kinds(changed);
        let out = kinds.iter().map(EventKind::record).collect();
        *self.seen() = kinds;
        out
    }

    fn post(&self, changed: &[Delivery]) -> Option<PostId> {
        self.kinds.post(changed)
    }

    fn post_events(&self, all: &[Delivery]) -> Vec<NewEvent> {
        let kinds = self.kinds.post_kinds(all);
        let out = kinds.iter().map(EventKind::record).collect();
        self.seen().extend(kinds);
        out
    }
}

/// Events computed from the changed deliveries by a function.
pub(crate) struct Emit<F>(pub(crate) F);

impl<F> Kinds for Emit<F>
where
    F: Fn(&[Delivery]) -> Vec<EventKind> + Send + Sync,
{
    fn kinds(&self, changed: &[Delivery]) -> Vec<EventKind> {
        (self.0)(changed)
    }
}

/// The events of an attempt's outcome: `published`/`replied`, or `needs_reauth` and `failed`;
/// and `partially_failed` when it ended the post's last delivery with some published and some
/// failed — computed in the outcome's transaction, so exactly once per post.
pub(crate) struct OutcomeEvents {
    pub(crate) outcome: Finish,
}

impl Kinds for OutcomeEvents {
    fn kinds(&self, changed: &[Delivery]) -> Vec<EventKind> {
        let mut out = Vec::new();
        for d in changed {
            match &self.outcome {
                Finish::Published(p) | Finish::Reconciled(p) => {
                    out.push(super::outbox::published_event(d, p));
                }
                Finish::Fail { error, .. } => {
                    if error.kind == ErrorKind::Unauthenticated {
                        out.push(EventKind::NeedsReauth {
                            channel: d.channel.clone(),
                            error: error.clone(),
                        });
                    }
                    out.push(EventKind::Failed {
                        post: d.post.clone(),
                        delivery: d.id.clone(),
                        channel: d.channel.clone(),
                        error: error.clone(),
                    });
                }
                Finish::Retry { .. } | Finish::Release { .. } => {}
            }
        }
        out
    }

    fn post(&self, changed: &[Delivery]) -> Option<PostId> {
        changed
            .iter()
            .find(|d| matches!(d.state, DeliveryState::Published | DeliveryState::Failed))
            .map(|d| d.post.clone())
    }

    fn post_kinds(&self, all: &[Delivery]) -> Vec<EventKind> {
        let status = PostStatus::of(all);
        match all.first() {
            Some(d) if status.is_partially_failed() => vec![EventKind::PartiallyFailed {
                post: d.post.clone(),
                status,
            }],
            _ => Vec::new(),
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

    /// Whether anyone listens (no one: nothing to build).
    pub(crate) fn has_subscribers(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    pub(crate) fn emit(&self, event: Event) {
        tracing::debug!(workspace = %event.workspace, kind = event.kind.name(), "event");
        // No subscriber is not an error.
        let _ = self.tx.send(event);
    }
}
