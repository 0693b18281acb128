//! The events outbox: events stored as opaque records in the same transaction as the change
//! they describe, then handed out to senders (webhooks) under leases, at least once.
//!
//! The store knows nothing of what an event means: a record is an id the store makes, a
//! workspace, a kind name, a JSON payload and the instant it was written. The engine's
//! `Event`/`EventKind` (above the store) turn into and out of these records.
//!
//! An event moves through [`EventStatus`]: `Pending` (due at `next_at`) → `Delivered`,
//! `Skipped` (nobody wanted it) or `Dead` (gave up; [`Store::replay_events`] makes it
//! `Pending` again). A sender [claims](Store::claim_events) due events under a lease: while
//! the lease holds, no other sender gets the event; a sender that dies leaves it to be claimed
//! again when the lease ends (so an event may be sent twice, never lost). Only the holder of
//! the lease can [finish](Store::finish_event) it.
//!
//! ```
//! use socialkit::store::{EventOutcome, MemoryStore, NewEvent, Store, Workspace};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let store = MemoryStore::new();
//! store.create_workspace(&Workspace::new("acme", "ACME")).await.unwrap();
//! let now = chrono::Utc::now();
//! let ev = NewEvent::new("published", serde_json::json!({"post": "p1"}));
//! let stored = store.append_events(&"acme".into(), &[ev], now).await.unwrap();
//! let claimed = store.claim_events(now, "sender-1", 10, chrono::Duration::minutes(1)).await.unwrap();
//! assert_eq!(claimed[0].event.id, stored[0].id);
//! store.finish_event(&claimed[0].event.workspace, &stored[0].id, "sender-1", &EventOutcome::Delivered, now).await.unwrap();
//! assert!(store.claim_events(now, "sender-2", 10, chrono::Duration::minutes(1)).await.unwrap().is_empty());
//! # });
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{Delivery, DeliveryFilter, PostId, Store, WorkspaceId};
use crate::{Error, ErrorKind, Result};

/// An event's id, made by the store when the event is written: `ev_` and 26 Crockford base32
/// characters (48 bits of milliseconds, 80 random bits, ULID-like), so ids sort by time and
/// never repeat. Webhook receivers dedupe on it.
///
/// ```
/// let id = socialkit::store::EventId::generate(chrono::Utc::now());
/// assert!(id.as_str().starts_with("ev_") && id.as_str().len() == 29);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub String);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl EventId {
    /// A fresh id for an event written at `at`.
    pub fn generate(at: DateTime<Utc>) -> Self {
        let ms = u128::try_from(at.timestamp_millis().max(0)).unwrap_or(0) & ((1 << 48) - 1);
        let random: u128 = rand::rng().random::<u128>() & ((1 << 80) - 1);
        let mut v = (ms << 80) | random;
        let mut out = [0u8; 26];
        for c in out.iter_mut().rev() {
            *c = CROCKFORD[(v & 31) as usize];
            v >>= 5;
        }
        EventId(format!("ev_{}", String::from_utf8_lossy(&out)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for EventId {
    fn from(s: &str) -> Self {
        EventId(s.to_string())
    }
}

/// An event to write: its kind's name and its JSON payload.
///
/// ```
/// let e = socialkit::store::NewEvent::new("paused", serde_json::json!({"deliveries": 3}));
/// assert_eq!(e.kind, "paused");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The kind's stable name (`"published"` …).
    pub kind: String,
    /// The payload.
    pub payload: serde_json::Value,
}

impl NewEvent {
    /// An event of `kind` with `payload`.
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        NewEvent {
            kind: kind.into(),
            payload,
        }
    }
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// Its id (stable: a retry or a replay repeats it).
    pub id: EventId,
    /// Its place in the store's order of writes (increasing; gaps possible).
    pub seq: i64,
    /// The workspace.
    pub workspace: WorkspaceId,
    /// The kind's name.
    pub kind: String,
    /// The payload.
    pub payload: serde_json::Value,
    /// When it was written (the change's instant).
    pub created_at: DateTime<Utc>,
}

/// Where an event's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Waiting to be sent, due at `next_at`.
    Pending,
    /// Sent and acknowledged.
    Delivered,
    /// Nobody wanted it (no webhook, or the webhook filters it out).
    Skipped,
    /// Given up after too many attempts or too long; [`Store::replay_events`] revives it.
    Dead,
}

impl EventStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Pending => "pending",
            EventStatus::Delivered => "delivered",
            EventStatus::Skipped => "skipped",
            EventStatus::Dead => "dead",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => EventStatus::Pending,
            "delivered" => EventStatus::Delivered,
            "skipped" => EventStatus::Skipped,
            "dead" => EventStatus::Dead,
            other => {
                return Err(Error::new(
                    ErrorKind::Storage,
                    format!("unknown event status {other:?} in the store"),
                ));
            }
        })
    }
}

/// A sender's hold on an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLease {
    /// The sender.
    pub worker: String,
    /// Until when.
    pub until: DateTime<Utc>,
}

/// An event with its delivery state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEvent {
    /// The event.
    pub event: StoredEvent,
    /// Where its delivery stands.
    pub status: EventStatus,
    /// Attempts to send it so far (a replay starts again at 0).
    pub attempts: u32,
    /// When it is due (Pending) or was last tried.
    pub next_at: DateTime<Utc>,
    /// The sender holding it, if a lease holds.
    pub lease: Option<EventLease>,
    /// Why the last attempt failed (no secrets: a status code or an error kind).
    pub last_error: Option<String>,
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// Acknowledged.
    Delivered,
    /// Nobody wants it.
    Skipped,
    /// Try again at `at`.
    Retry {
        /// When.
        at: DateTime<Utc>,
        /// Why this attempt failed.
        error: String,
    },
    /// Give up (it can be replayed).
    Dead {
        /// Why.
        error: String,
    },
}

/// How the send of one held event ended, for [`Store::finish_events`] (which stores many
/// in one step).
///
/// ```
/// use socialkit::store::{EventOutcome, Finished};
/// let f = Finished::new("acme".into(), "ev_01".into(), EventOutcome::Delivered);
/// assert_eq!(f.id.as_str(), "ev_01");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// The event's workspace.
    pub workspace: WorkspaceId,
    /// The event.
    pub id: EventId,
    /// How its send ended.
    pub outcome: EventOutcome,
}

impl Finished {
    /// The outcome of the send of event `id` of `workspace`.
    pub fn new(workspace: WorkspaceId, id: EventId, outcome: EventOutcome) -> Self {
        Finished {
            workspace,
            id,
            outcome,
        }
    }
}

/// What an outcome writes into a held event's row (the rules of [`finish`], as columns, for
/// stores that apply many outcomes in one statement): the new status, the new `next_at` (or
/// none to keep it), and the new last error (`None` to keep it, `Some(None)` to clear it).
#[cfg(feature = "postgres")]
pub(crate) fn outcome_columns(
    outcome: &EventOutcome,
) -> (EventStatus, Option<DateTime<Utc>>, Option<Option<&str>>) {
    match outcome {
        EventOutcome::Delivered => (EventStatus::Delivered, None, Some(None)),
        EventOutcome::Skipped => (EventStatus::Skipped, None, None),
        EventOutcome::Retry { at, error } => (EventStatus::Pending, Some(*at), Some(Some(error))),
        EventOutcome::Dead { error } => (EventStatus::Dead, None, Some(Some(error))),
    }
}

/// Which events [`Store::events`] lists.
///
/// ```
/// let f = socialkit::store::EventFilter::status(socialkit::store::EventStatus::Dead);
/// assert_eq!(f.limit, Some(100));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only these.
    pub status: Option<EventStatus>,
    /// Only those written after this `seq`.
    pub after: Option<i64>,
    /// At most this many, oldest first.
    pub limit: Option<usize>,
}

impl EventFilter {
    /// Up to 100 events with `status`.
    pub fn status(status: EventStatus) -> Self {
        EventFilter {
            status: Some(status),
            after: None,
            limit: Some(100),
        }
    }

    pub(crate) fn wants(&self, e: &OutboxEvent) -> bool {
        self.status.is_none_or(|s| s == e.status) && self.after.is_none_or(|a| e.event.seq > a)
    }
}

/// Which dead events [`Store::replay_events`] revives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// This one.
    One(EventId),
    /// Every dead event of the workspace.
    AllDead,
}

/// What a change tells: the events the store writes in the change's own transaction,
/// computed from the deliveries as the change left them. The store knows nothing of what they
/// mean.
///
/// ```
/// use socialkit::store::{Delivery, Emitter, NewEvent};
/// struct Count;
/// impl Emitter for Count {
///     fn events(&self, changed: &[Delivery]) -> Vec<NewEvent> {
///         vec![NewEvent::new("changed", serde_json::json!({"n": changed.len()}))]
///     }
/// }
/// assert_eq!(Count.events(&[])[0].payload["n"], 0);
/// ```
pub trait Emitter: Send + Sync {
    /// The events of the change, from the changed deliveries.
    fn events(&self, changed: &[Delivery]) -> Vec<NewEvent>;

    /// A post whose every delivery (as the change left them) the emitter wants to see in
    /// [`post_events`](Emitter::post_events), inside the same transaction.
    fn post(&self, changed: &[Delivery]) -> Option<PostId> {
        let _ = changed;
        None
    }

    /// Events about the whole post named by [`post`](Emitter::post).
    fn post_events(&self, all: &[Delivery]) -> Vec<NewEvent> {
        let _ = all;
        Vec::new()
    }
}

/// An [`Emitter`] with nothing to say.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl Emitter for NoEvents {
    fn events(&self, _: &[Delivery]) -> Vec<NewEvent> {
        Vec::new()
    }
}

pub(crate) fn unsupported() -> Error {
    Error::new(ErrorKind::Unsupported, "this store keeps no events outbox")
}

pub(crate) fn not_held(id: &EventId, worker: &str) -> Error {
    Error::new(
        ErrorKind::Conflict,
        format!("event {id} is not held by {worker}: its lease ended or another sender has it"),
    )
}

/// Applies a send's outcome to an event held by `worker` (the rules every store shares).
pub(crate) fn finish(
    e: &mut OutboxEvent,
    worker: &str,
    outcome: &EventOutcome,
    now: DateTime<Utc>,
) -> Result<()> {
    let held = e.status == EventStatus::Pending
        && e.lease
            .as_ref()
            .is_some_and(|l| l.worker == worker && l.until > now);
    if !held {
        return Err(not_held(&e.event.id, worker));
    }
    e.lease = None;
    match outcome {
        EventOutcome::Delivered => {
            e.status = EventStatus::Delivered;
            e.last_error = None;
        }
        EventOutcome::Skipped => e.status = EventStatus::Skipped,
        EventOutcome::Retry { at, error } => {
            e.next_at = *at;
            e.last_error = Some(error.clone());
        }
        EventOutcome::Dead { error } => {
            e.status = EventStatus::Dead;
            e.last_error = Some(error.clone());
        }
    }
    Ok(())
}

/// Claims a due event for `worker` (the rules every store shares): it must be Pending, due,
/// and not held under a live lease. Counts the attempt.
pub(crate) fn claimable(e: &OutboxEvent, now: DateTime<Utc>) -> bool {
    e.status == EventStatus::Pending
        && e.next_at <= now
        && e.lease.as_ref().is_none_or(|l| l.until <= now)
}

pub(crate) fn take(e: &mut OutboxEvent, worker: &str, now: DateTime<Utc>, lease: chrono::Duration) {
    e.attempts += 1;
    e.lease = Some(EventLease {
        worker: worker.to_string(),
        until: now + lease,
    });
}

/// Whether retention deletes `e` (the rule every store shares): done with (Delivered, or
/// Skipped: nobody wanted it), and written before `before`. Pending events are still to be
/// sent and dead ones wait for a replay.
pub(crate) fn purgeable(e: &OutboxEvent, before: DateTime<Utc>) -> bool {
    matches!(e.status, EventStatus::Delivered | EventStatus::Skipped) && e.event.created_at < before
}

/// Revives a dead event (the rules every store shares).
pub(crate) fn revive(e: &mut OutboxEvent, now: DateTime<Utc>) -> bool {
    if e.status != EventStatus::Dead {
        return false;
    }
    e.status = EventStatus::Pending;
    e.attempts = 0;
    e.next_at = now;
    e.lease = None;
    true
}

/// The events an emitter gives for `changed`, and for the post's deliveries when it asks
/// (`all_of_post` loads them as the change left them).
pub(crate) fn emitted(
    emit: &dyn Emitter,
    changed: &[Delivery],
    all_of_post: impl FnOnce(&PostId) -> Result<Vec<Delivery>>,
) -> Result<Vec<NewEvent>> {
    let mut out = emit.events(changed);
    if let Some(p) = emit.post(changed) {
        let all = all_of_post(&p)?;
        out.extend(emit.post_events(&all));
    }
    Ok(out)
}

/// What the provided `…_emitting` methods of [`Store`] write after the change, for stores
/// without an events outbox of their own (not atomic; nothing where events are unsupported).
pub(crate) async fn append_after<S: Store + ?Sized>(
    store: &S,
    ws: &WorkspaceId,
    changed: &[Delivery],
    emit: &dyn Emitter,
    at: DateTime<Utc>,
) -> Result<Vec<StoredEvent>> {
    let mut list = emit.events(changed);
    if let Some(p) = emit.post(changed) {
        let all = store.deliveries(ws, &DeliveryFilter::post(p)).await?;
        list.extend(emit.post_events(&all));
    }
    match store.append_events(ws, &list, at).await {
        Err(e) if e.kind() == ErrorKind::Unsupported => Ok(Vec::new()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_differ() {
        let t = Utc::now();
        let a = EventId::generate(t);
        let b = EventId::generate(t);
        let c = EventId::generate(t + chrono::Duration::milliseconds(2));
        assert_ne!(a, b);
        assert!(a < c && b < c);
        assert!(a.as_str()[3..].bytes().all(|x| CROCKFORD.contains(&x)));
    }
}
