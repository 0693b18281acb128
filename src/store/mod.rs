//! Durable state of the publishing engine: workspaces, members, channels, posts, their
//! per-channel deliveries, the audit log, attempts with their idempotency keys, results and
//! typed failures.
//!
//! [`Store`] is object-safe (`Arc<dyn Store>`). Two stores ship: [`MemoryStore`] (tests,
//! simulations) and, behind the default `sqlite` feature, [`SqliteStore`] (the embedded
//! default: a file or in-memory, WAL, `synchronous=FULL`, versioned migrations). The trait is
//! shaped so a PostgreSQL store with several workers can follow: every change is data
//! ([`Change`]) applied by one shared function ([`Change::apply`], [`claim`]), and claiming
//! due work ([`Store::claim_due`]) is one atomic step that a PostgreSQL store implements with
//! `SELECT … FOR UPDATE SKIP LOCKED`.
//!
//! Workspaces separate an agency's clients: every key includes the workspace, every query
//! but the outbox's [`claim_due`](Store::claim_due) is scoped to one, and what `claim_due`
//! returns carries its workspace.
//!
//! ```
//! use std::sync::Arc;
//! use socialkit::store::{MemoryStore, Store, Workspace};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
//! store.create_workspace(&Workspace::new("acme", "ACME")).await.unwrap();
//! assert_eq!(store.workspace(&"acme".into()).await.unwrap().name, "ACME");
//! assert!(store.workspace(&"globex".into()).await.is_err());
//! # });
//! ```

mod change;
pub mod events;
mod memory;
#[cfg(feature = "sqlite")]
mod migrations;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
mod state;
mod types;
pub mod vault;

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

pub use change::{Applied, Change, ChangeCtx, Claimed, Finish, claim, created, spacing_defers};
pub use events::{
    Emitter, EventFilter, EventId, EventLease, EventOutcome, EventStatus, Finished, NewEvent,
    NoEvents, OutboxEvent, Replay, StoredEvent,
};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::{PgHandle, PgStore};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteHandle, SqliteStore};
pub use state::DeliveryState;
pub use types::{
    Attempt, AttemptOutcome, ChannelId, ChannelRecord, Claim, Comment, Delivery, DeliveryFilter,
    DeliveryId, HistoryEntry, Lease, Member, PostId, PostRecord, Role, Workspace, WorkspaceId,
};

use crate::model::Post;
use crate::{Error, ErrorKind, Result};

/// Who makes a change, why, and when: what the audit log records.
///
/// ```
/// let s = socialkit::store::Stamp::new("ana", "approved for launch", chrono::Utc::now());
/// assert_eq!(s.who, "ana");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// Who: a member's user id, `worker:<name>` or `system`.
    pub who: String,
    /// Why, for people.
    pub why: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl Stamp {
    /// A stamp.
    pub fn new(who: impl Into<String>, why: impl Into<String>, at: DateTime<Utc>) -> Self {
        Stamp {
            who: who.into(),
            why: why.into(),
            at,
        }
    }

    pub(crate) fn ctx(&self, workspace_paused: bool) -> ChangeCtx<'_> {
        ChangeCtx {
            now: self.at,
            who: &self.who,
            why: &self.why,
            workspace_paused,
        }
    }
}

/// Which deliveries a [`Change`] applies to.
///
/// ```
/// let s = socialkit::store::Selector::Post("p-1".into());
/// assert!(matches!(s, socialkit::store::Selector::Post(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// One delivery.
    Delivery(DeliveryId),
    /// Every delivery of a post that is not Published or Cancelled.
    Post(PostId),
}

/// The durable state of the engine.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::model::Post;
/// use socialkit::store::*;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
/// let now = chrono::Utc::now();
/// store.create_workspace(&Workspace::new("acme", "ACME")).await.unwrap();
/// let post = PostRecord { workspace: "acme".into(), id: "p1".into(), post: Post::text("hi"), created_by: "olga".into(), created_at: now };
/// let d = Delivery::new("acme".into(), "p1".into(), "c".into(), "sandbox", Post::text("hi"), DeliveryState::Scheduled, None, now);
/// store.insert_post(&post, &[d.clone()], "scheduled").await.unwrap();
/// // A worker claims it under a lease: intent stored before any call.
/// let claims = store.claim_due(now, "w1", 10, chrono::Duration::minutes(5)).await.unwrap();
/// assert_eq!(claims[0].delivery.state, DeliveryState::Publishing);
/// assert_eq!(claims[0].attempt.key, d.idempotency_key());
/// let h = store.history(&"acme".into(), &d.id).await.unwrap();
/// assert_eq!(h.len(), 2);
/// # });
/// ```
///
/// Every method is scoped to one workspace except the
/// outbox's [`claim_due`](Store::claim_due), [`expire_leases`](Store::expire_leases) and
/// [`next_due`](Store::next_due), which serve every workspace and return records that carry
/// theirs.
///
/// Errors: a missing record is [`NotFound`](ErrorKind::NotFound); a change the state machine
/// refuses, or a record that exists already, is [`Conflict`](ErrorKind::Conflict); a failure of
/// the store itself is [`Storage`](ErrorKind::Storage). A change to several deliveries is
/// all-or-nothing.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// Creates a workspace; `Conflict` if the id is taken.
    async fn create_workspace(&self, workspace: &Workspace) -> Result<()>;
    /// Reads a workspace.
    async fn workspace(&self, id: &WorkspaceId) -> Result<Workspace>;

    /// Adds a member or changes their role.
    async fn put_member(&self, ws: &WorkspaceId, member: &Member) -> Result<()>;
    /// Removes a member (no error if absent).
    async fn remove_member(&self, ws: &WorkspaceId, user: &str) -> Result<()>;
    /// The members, by user id.
    async fn members(&self, ws: &WorkspaceId) -> Result<Vec<Member>>;

    /// Stores a workspace setting (brand rules, webhooks …) as JSON.
    async fn put_setting(
        &self,
        ws: &WorkspaceId,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<()>;
    /// Reads a workspace setting.
    async fn setting(&self, ws: &WorkspaceId, key: &str) -> Result<Option<serde_json::Value>>;

    /// Adds or replaces a channel record.
    async fn put_channel(&self, ws: &WorkspaceId, channel: &ChannelRecord) -> Result<()>;
    /// The workspace's channels, by id.
    async fn channels(&self, ws: &WorkspaceId) -> Result<Vec<ChannelRecord>>;

    /// Stores a post and its deliveries, and an audit entry for each delivery (stamped with
    /// the post's author, its creation time and `why`), in one transaction.
    async fn insert_post(
        &self,
        post: &PostRecord,
        deliveries: &[Delivery],
        why: &str,
    ) -> Result<()>;
    /// Reads a post.
    async fn post(&self, ws: &WorkspaceId, id: &PostId) -> Result<PostRecord>;
    /// Replaces a draft's content and its deliveries' resolved content (each must be Draft or
    /// ChangesRequested), in one transaction.
    async fn edit_post(
        &self,
        post: &PostRecord,
        contents: &[(DeliveryId, Post)],
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>>;

    /// Reads a delivery.
    async fn delivery(&self, ws: &WorkspaceId, id: &DeliveryId) -> Result<Delivery>;
    /// Lists deliveries, oldest first.
    async fn deliveries(&self, ws: &WorkspaceId, filter: &DeliveryFilter) -> Result<Vec<Delivery>>;

    /// Applies `change` to the selected deliveries: all or none.
    async fn apply(
        &self,
        ws: &WorkspaceId,
        selector: &Selector,
        change: &Change,
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>>;

    /// Applies `change` like [`apply`](Store::apply) and writes the events `emit` computes
    /// from the changed deliveries into the events outbox ([`events`]), in the same
    /// transaction: the change and its events commit together or not at all. Returns the
    /// changed deliveries and the stored events (with the ids the store gave them).
    ///
    /// The provided version is for stores without an events outbox of their own yet: it
    /// applies the change, then appends its events in a second step (not atomic: a crash
    /// between the two loses the events), and writes none where
    /// [`append_events`](Store::append_events) is unsupported. Every shipped store overrides it.
    async fn apply_emitting(
        &self,
        ws: &WorkspaceId,
        selector: &Selector,
        change: &Change,
        stamp: &Stamp,
        emit: std::sync::Arc<dyn Emitter>,
    ) -> Result<(Vec<Delivery>, Vec<StoredEvent>)> {
        let changed = self.apply(ws, selector, change, stamp).await?;
        let events = events::append_after(self, ws, &changed, emit.as_ref(), stamp.at).await?;
        Ok((changed, events))
    }

    /// [`set_paused`](Store::set_paused) with its events written in the same transaction
    /// (the provided version: in a second step, as for
    /// [`apply_emitting`](Store::apply_emitting)).
    async fn set_paused_emitting(
        &self,
        ws: &WorkspaceId,
        paused: bool,
        stamp: &Stamp,
        emit: std::sync::Arc<dyn Emitter>,
    ) -> Result<(Vec<Delivery>, Vec<StoredEvent>)> {
        let changed = self.set_paused(ws, paused, stamp).await?;
        let events = events::append_after(self, ws, &changed, emit.as_ref(), stamp.at).await?;
        Ok((changed, events))
    }

    /// Writes events that go with no delivery change (a channel's health, a crisis signal),
    /// in one transaction, Pending and due at `at`.
    async fn append_events(
        &self,
        ws: &WorkspaceId,
        events: &[NewEvent],
        at: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>> {
        let _ = (ws, events, at);
        Err(events::unsupported())
    }

    /// Atomically claims up to `limit` due Pending events of every workspace whose lease (if
    /// any) has ended, oldest first (by `seq`), for `worker` under a lease of `lease`; counts
    /// an attempt on each. While the lease holds no other sender gets them.
    async fn claim_events(
        &self,
        now: DateTime<Utc>,
        worker: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxEvent>> {
        let _ = (now, worker, limit, lease);
        Err(events::unsupported())
    }

    /// Stores how a send of an event `worker` holds ended; `Conflict` when it does not hold
    /// it (any more).
    async fn finish_event(
        &self,
        ws: &WorkspaceId,
        id: &EventId,
        worker: &str,
        outcome: &EventOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let _ = (ws, id, worker, outcome, now);
        Err(events::unsupported())
    }

    /// Stores how the sends of several events `worker` holds ended, in one step (one
    /// statement where the store can): an answer per entry, in order — `Ok`, or `Conflict`
    /// when `worker` does not hold that event (any more), as [`finish_event`](Store::finish_event)
    /// would answer it. Each event appears once. The provided version calls `finish_event` for
    /// each; every shipped store overrides it.
    async fn finish_events(
        &self,
        worker: &str,
        done: &[Finished],
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<()>>> {
        let mut out = Vec::with_capacity(done.len());
        for f in done {
            match self
                .finish_event(&f.workspace, &f.id, worker, &f.outcome, now)
                .await
            {
                Err(e) if e.kind() == ErrorKind::Unsupported => return Err(e),
                other => out.push(other),
            }
        }
        Ok(out)
    }

    /// Retention: deletes up to `limit` events of every workspace that are done with
    /// (Delivered or Skipped) and were written before `before`, oldest first; returns how many. Pending events (still to be sent) and dead
    /// ones (waiting for a replay) stay whatever their age. The engine's worker calls it
    /// ([`EngineConfig::event_retention`](crate::engine::EngineConfig::event_retention)).
    async fn purge_events(&self, before: DateTime<Utc>, limit: usize) -> Result<usize> {
        let _ = (before, limit);
        Err(events::unsupported())
    }

    /// The workspace's events, oldest first.
    async fn events(&self, ws: &WorkspaceId, filter: &EventFilter) -> Result<Vec<OutboxEvent>> {
        let _ = (ws, filter);
        Err(events::unsupported())
    }

    /// Makes dead events Pending again, due at `now`, with their attempts reset; returns how
    /// many. Replaying one that is not dead is `Conflict`; one that does not exist, `NotFound`.
    async fn replay_events(
        &self,
        ws: &WorkspaceId,
        which: &Replay,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let _ = (ws, which, now);
        Err(events::unsupported())
    }

    /// Crisis mode: sets the workspace's paused flag and pauses every pending delivery
    /// (`paused = true`) or resumes every paused one to the state it was paused from, in one
    /// transaction. Returns the deliveries changed.
    async fn set_paused(
        &self,
        ws: &WorkspaceId,
        paused: bool,
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>>;

    /// Atomically claims up to `limit` due deliveries of workspaces that are not paused,
    /// oldest due first: Scheduled ones whose due time has come, and Publishing ones whose
    /// lease expired (these become in doubt). Each moves to Publishing under a lease of
    /// `lease` for `worker` with a new attempt (see [`claim`]). A delivery whose channel's
    /// minimum spacing is not over yet is deferred to the instant it is. Safe with several
    /// workers: no delivery is claimed twice while a lease holds.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        worker: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<Claim>>;

    /// Ends every lease `worker` holds at `now`, so its Publishing deliveries are claimable
    /// (in doubt) at once: what a worker does when it starts again under the same name.
    async fn expire_leases(&self, worker: &str, now: DateTime<Utc>) -> Result<usize>;

    /// The earliest instant any delivery of a workspace that is not paused is due (a
    /// scheduled time or a lease's end).
    async fn next_due(&self) -> Result<Option<DateTime<Utc>>>;

    /// Waits at most `max` for work: returns early when the store learns that a delivery was
    /// submitted or became due (PostgreSQL: a `NOTIFY` from any process). The default, for
    /// stores one process owns (memory, SQLite), just sleeps `max`: the engine wakes its own
    /// worker in-process, and polling ([`next_due`](Store::next_due)) covers the rest.
    ///
    /// ```
    /// use socialkit::store::{MemoryStore, Store};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let started = std::time::Instant::now();
    /// MemoryStore::new().wait_for_work(std::time::Duration::from_millis(5)).await;
    /// assert!(started.elapsed() >= std::time::Duration::from_millis(5));
    /// # });
    /// ```
    async fn wait_for_work(&self, max: std::time::Duration) {
        tokio::time::sleep(max).await;
    }

    /// A delivery's audit entries, oldest first.
    async fn history(&self, ws: &WorkspaceId, delivery: &DeliveryId) -> Result<Vec<HistoryEntry>>;
    /// The workspace's audit log: its last `limit` entries, oldest first.
    async fn audit_log(&self, ws: &WorkspaceId, limit: usize) -> Result<Vec<HistoryEntry>>;
    /// A delivery's attempts, first first.
    async fn attempts(&self, ws: &WorkspaceId, delivery: &DeliveryId) -> Result<Vec<Attempt>>;

    /// Adds a comment to a post.
    async fn add_comment(&self, comment: &Comment) -> Result<()>;
    /// A post's comments, oldest first.
    async fn comments(&self, ws: &WorkspaceId, post: &PostId) -> Result<Vec<Comment>>;

    /// Rewrites every text value of workspace `ws`'s posts, deliveries, history, attempts,
    /// comments and events (their payloads, as webhooks send them) with `rewrite` (`None`:
    /// unchanged); how many records changed per kind. For erasure by a feature above that
    /// knows what to look for (the contact layer).
    ///
    /// Only a store whose records no feature reaches another way implements it (memory);
    /// SQLite and PostgreSQL answer `Ok(None)`, because a feature sharing their database
    /// through its handle rewrites their tables itself, every column of every table.
    ///
    /// ```
    /// use socialkit::store::{MemoryStore, Store};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let changed = MemoryStore::new()
    ///     .rewrite_text(&"acme".into(), &|t: &str| (t == "ann").then(|| "X".to_string()))
    ///     .await
    ///     .unwrap();
    /// assert_eq!(changed, Some(Default::default()));
    /// # });
    /// ```
    async fn rewrite_text(
        &self,
        ws: &WorkspaceId,
        rewrite: &TextRewrite,
    ) -> Result<Option<std::collections::BTreeMap<String, u64>>> {
        let _ = (ws, rewrite);
        Ok(None)
    }

    /// The credential vault's rows in this store ([`vault`]): beside the channels, so posts
    /// and the credentials they need survive a restart together. Stores that cannot hold a
    /// vault answer [`Unsupported`](ErrorKind::Unsupported).
    ///
    /// ```
    /// use socialkit::store::{MemoryStore, Store};
    /// assert!(MemoryStore::new().vault().is_ok());
    /// ```
    fn vault(&self) -> Result<std::sync::Arc<dyn vault::VaultStore>> {
        Err(Error::new(
            ErrorKind::Unsupported,
            "this store holds no credential vault",
        ))
    }
}

/// A rewrite of one text value for [`Store::rewrite_text`]: the new text, or `None` to keep
/// it.
pub type TextRewrite = dyn Fn(&str) -> Option<String> + Send + Sync;

/// `record` with every string value inside it (as serialised to JSON) passed through
/// `rewrite`; whether anything changed. Object keys (field names, map keys) are left alone,
/// and a rewritten value the record's type refuses (an enum's tag that happens to equal
/// what is searched for) is kept as it was, so the record always stays readable.
pub(crate) fn rewrite_record<T: serde::Serialize + serde::de::DeserializeOwned>(
    record: &mut T,
    rewrite: &TextRewrite,
) -> Result<bool> {
    fn walk(
        v: &serde_json::Value,
        at: String,
        rewrite: &TextRewrite,
        out: &mut Vec<(String, String)>,
    ) {
        match v {
            serde_json::Value::String(s) => {
                if let Some(new) = rewrite(s).filter(|n| n != s) {
                    out.push((at, new));
                }
            }
            serde_json::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(v, format!("{at}/{i}"), rewrite, out);
                }
            }
            serde_json::Value::Object(o) => {
                for (k, v) in o {
                    let k = k.replace('~', "~0").replace('/', "~1");
                    walk(v, format!("{at}/{k}"), rewrite, out);
                }
            }
            _ => {}
        }
    }
    fn set(v: &mut serde_json::Value, at: &str, new: &str) {
        if let Some(s) = v.pointer_mut(at) {
            *s = serde_json::Value::String(new.to_string());
        }
    }
    let original = serde_json::to_value(&*record).map_err(storage)?;
    let mut changes = Vec::new();
    walk(&original, String::new(), rewrite, &mut changes);
    if changes.is_empty() {
        return Ok(false);
    }
    let mut all = original.clone();
    for (at, new) in &changes {
        set(&mut all, at, new);
    }
    if let Ok(r) = serde_json::from_value(all) {
        *record = r;
        return Ok(true);
    }
    // One at a time, keeping each the type accepts.
    let mut kept = original;
    let mut changed = false;
    for (at, new) in &changes {
        let mut next = kept.clone();
        set(&mut next, at, new);
        if serde_json::from_value::<T>(next.clone()).is_ok() {
            kept = next;
            changed = true;
        }
    }
    *record = serde_json::from_value(kept).map_err(storage)?;
    Ok(changed)
}

pub(crate) fn not_found(what: &str, id: &dyn fmt::Display, ws: &WorkspaceId) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("{what} {id} does not exist in workspace {ws}"),
    )
}

#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn storage(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::new(ErrorKind::Storage, "the store failed").with_source(e)
}

/// How many candidates a claim looks at for `limit` claims: more than `limit`, because
/// spacing may defer some.
pub(crate) fn claim_window(limit: usize) -> usize {
    limit.saturating_mul(4).saturating_add(16)
}

#[cfg(test)]
pub(crate) mod conformance;
#[cfg(test)]
mod events_conformance;
