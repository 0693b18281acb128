//! Where the inbox keeps its cursors and items: [`InboxStore`], with [`MemoryInboxStore`] and
//! (feature `sqlite`) [`SqliteInboxStore`], which keeps its tables in the engine's SQLite
//! database through the store's [`SqliteHandle`](crate::store::SqliteHandle) — the engine's
//! store knows nothing of the inbox.
//!
//! A page of interactions and the cursor after it are saved in one step
//! ([`InboxStore::commit_page`]), so a crash never leaves a cursor ahead of the items it
//! covers (nothing missed) nor items without their cursor (reading again is deduplicated).
//!
//! Beside each item a store keeps what queries filter, sort and aggregate on (its "facts":
//! state, assignee, intent, priority, sentiment band, tags, and the SLA's due instants and
//! business times under the inbox's [`SlaPolicy`]), so a page of a view
//! ([`InboxStore::page`], a keyset cursor: [`PageCursor`]), a count and the SLA report
//! ([`InboxStore::sla_report`]) never read the whole inbox. Instants in facts are whole
//! microseconds, in every store alike. Facts computed under another policy are computed
//! again before a query that depends on them.

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod query;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

pub use memory::MemoryInboxStore;
#[cfg(feature = "postgres")]
pub use postgres::PgInboxStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteInboxStore;

use super::sla::{SlaKind, SlaPolicy, SlaReport};
use super::{InboxItem, ItemState, Narrowing, SlaStanding, SortOrder};
use crate::error::Result;

/// What the SLA loop records on an item so it raises each event once.
///
/// ```
/// use socialkit::inbox::SlaNote;
/// assert_ne!(SlaNote::Breached, SlaNote::AtRisk);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlaNote {
    /// The target was missed ([`InboxItem::breaches`]).
    Breached,
    /// The target was about to be missed ([`InboxItem::warnings`]).
    AtRisk,
}

/// Adds `kind` to the list `note` names on `item`; whether it was not there.
pub(crate) fn note_on(item: &mut InboxItem, kind: SlaKind, note: SlaNote) -> bool {
    let list = match note {
        SlaNote::Breached => &mut item.breaches,
        SlaNote::AtRisk => &mut item.warnings,
    };
    if list.contains(&kind) {
        return false;
    }
    list.push(kind);
    true
}

/// Where a page of a view ends: the sort key of its last item. Give it back (in a
/// [`PageRequest`](super::PageRequest)) for the page after; it stays valid while items
/// change (keyset paging), and it serializes for a client to hold.
///
/// ```
/// use socialkit::inbox::PageCursor;
/// let c: PageCursor = serde_json::from_str(r#"{"sort":"newest","rank":0,"at":5,"key":"k"}"#).unwrap();
/// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"sort":"newest","rank":0,"at":5,"key":"k"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCursor {
    sort: SortOrder,
    rank: i64,
    at: i64,
    key: String,
}

impl PageCursor {
    /// The cursor after `item` in `sort` order under `sla`.
    pub(crate) fn after(item: &InboxItem, sort: SortOrder, sla: &SlaPolicy) -> Self {
        let f = Facts::of(item, sla);
        let (rank, at) = f.sort_key(sort);
        PageCursor {
            sort,
            rank,
            at,
            key: item.key.clone(),
        }
    }

    /// Whether this cursor was made for `sort` (one of another order is ignored).
    pub(crate) fn fits(&self, sort: SortOrder) -> bool {
        self.sort == sort
    }

    pub(crate) fn parts(&self) -> (i64, i64, &str) {
        (self.rank, self.at, &self.key)
    }
}

/// Storage of inbox cursors and items. Implementations make
/// [`commit_page`](InboxStore::commit_page) atomic, ignore items whose key exists already,
/// evaluate a [`Narrowing`] and a [`SortOrder`] exactly as [`MemoryInboxStore`] does, and
/// keep blocking work off the async runtime's threads.
///
/// ```
/// use socialkit::inbox::{InboxStore, MemoryInboxStore, sla::SlaPolicy};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = MemoryInboxStore::default();
/// store.commit_page("acme", &[], Some("c1"), &SlaPolicy::default()).await.unwrap();
/// assert_eq!(store.cursor("acme").await.unwrap().as_deref(), Some("c1"));
/// # });
/// ```
#[async_trait]
pub trait InboxStore: Send + Sync + fmt::Debug {
    /// The stored cursor of channel `channel`.
    async fn cursor(&self, channel: &str) -> Result<Option<String>>;
    /// Inserts the items not stored yet (by [`InboxItem::key`]) with their facts under `sla`,
    /// and sets the channel's cursor, atomically. Returns how many items were new.
    async fn commit_page(
        &self,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
        sla: &SlaPolicy,
    ) -> Result<usize>;
    /// One item by key.
    async fn get(&self, key: &str) -> Result<Option<InboxItem>>;
    /// Replaces a stored item (same key), with its facts under `sla`.
    async fn put(&self, item: &InboxItem, sla: &SlaPolicy) -> Result<()>;
    /// Up to `limit` items `query` admits, in `sort` order, after `after` (a cursor of
    /// another order counts as none).
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, ItemState, MemoryInboxStore, Narrowing, SortOrder, sla::SlaPolicy};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = MemoryInboxStore::default();
    /// let open = Narrowing { states: vec![ItemState::New, ItemState::Pending], ..Default::default() };
    /// let page = store.page(&open, SortOrder::Newest, None, 50, &SlaPolicy::default()).await.unwrap();
    /// assert!(page.is_empty());
    /// # });
    /// ```
    async fn page(
        &self,
        query: &Narrowing,
        sort: SortOrder,
        after: Option<&PageCursor>,
        limit: usize,
        sla: &SlaPolicy,
    ) -> Result<Vec<InboxItem>>;
    /// How many items `query` admits.
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, MemoryInboxStore, Narrowing, sla::SlaPolicy};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert_eq!(MemoryInboxStore::default().count(&Narrowing::default(), &SlaPolicy::default()).await.unwrap(), 0);
    /// # });
    /// ```
    async fn count(&self, query: &Narrowing, sla: &SlaPolicy) -> Result<usize>;
    /// Median and 90th percentile of first-response and resolution time per channel and per
    /// member under `sla`, aggregated where the items are (the same numbers as
    /// [`SlaReport::build`] over every item, at microsecond resolution).
    async fn sla_report(&self, sla: &SlaPolicy) -> Result<SlaReport>;
    /// Records `note` for target `kind` on item `key` unless recorded already, changing
    /// nothing else of the stored item; whether it was new. Atomic, so two loops never raise
    /// the same event twice.
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, MemoryInboxStore, SlaNote, sla::SlaKind};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = MemoryInboxStore::default();
    /// // No such item: nothing recorded.
    /// assert!(!store.note_sla("k", SlaKind::FirstResponse, SlaNote::Breached).await.unwrap());
    /// # });
    /// ```
    async fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool>;
}

/// An instant in whole microseconds since the epoch (what facts hold).
pub(crate) fn us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn dur_us(d: Duration) -> i64 {
    d.num_microseconds().unwrap_or(i64::MAX)
}

/// The fingerprint of `sla`: facts computed under it carry it.
pub(crate) fn policy_id(sla: &SlaPolicy) -> String {
    let json = serde_json::to_vec(sla).unwrap_or_default();
    hex::encode(&Sha256::digest(&json)[..8])
}

/// What a store keeps beside an item to filter, sort and aggregate on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Facts {
    /// 3 − the priority's rank (urgent 0 … low 3); unclassified 9. Sorts by priority.
    pub urgency: i64,
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
    pub first_response_at: Option<i64>,
    /// The assignee, else who replied: whom the report counts it for.
    pub member: Option<String>,
    pub breached: bool,
    pub awaiting_reply: bool,
    /// Whether the SLA measures it.
    pub measured: bool,
    pub first_response_due: Option<i64>,
    pub resolution_due: Option<i64>,
    /// The soonest due instant of a running target; `i64::MAX` for none.
    pub next_due: i64,
    pub first_response_time: Option<i64>,
    pub resolution_time: Option<i64>,
}

impl Facts {
    pub(crate) fn of(item: &InboxItem, sla: &SlaPolicy) -> Facts {
        let measured = sla.applies(item);
        let due = |k| measured.then(|| sla.due(item, k)).flatten().map(us);
        Facts {
            urgency: item
                .classification
                .as_ref()
                .map_or(9, |c| 3 - c.priority as i64),
            opened_at: us(item.opened_at()),
            resolved_at: item.resolved_at.map(us),
            first_response_at: item.first_response_at.map(us),
            member: item.assignee.clone().or_else(|| item.replied_by.clone()),
            breached: !item.breaches.is_empty(),
            awaiting_reply: item.reply_delivery.is_some() && item.reply.is_none(),
            measured,
            first_response_due: due(SlaKind::FirstResponse),
            resolution_due: due(SlaKind::Resolution),
            next_due: sla.pending(item).first().map_or(i64::MAX, |(_, d)| us(*d)),
            first_response_time: sla.first_response_time(item).map(dur_us),
            resolution_time: sla.resolution_time(item).map(dur_us),
        }
    }

    /// The first two parts of the sort key in `sort` order (the item's key is the third).
    /// [`SortOrder::Newest`] sorts `at` descending, every other part ascends.
    pub(crate) fn sort_key(&self, sort: SortOrder) -> (i64, i64) {
        match sort {
            SortOrder::PriorityThenAge => (self.urgency, self.opened_at),
            SortOrder::Newest | SortOrder::Oldest => (0, self.opened_at),
            SortOrder::SlaDueSoonest => (self.next_due, self.opened_at),
        }
    }

    /// Whether the SLA target is missed at `at` (µs): a breach recorded, or a running
    /// target past its due instant, or a stopped one stopped at or after it.
    pub(crate) fn breached_at(&self, at: i64) -> bool {
        self.breached
            || self.measured
                && (self.first_response_due.is_some_and(|d| {
                    self.first_response_at.or(self.resolved_at).unwrap_or(at) >= d
                }) || self
                    .resolution_due
                    .is_some_and(|d| self.resolved_at.unwrap_or(at) >= d))
    }
}

/// Orders `(rank, at, key)` sort keys in `sort` order.
pub(crate) fn cmp_keys(
    sort: SortOrder,
    a: (i64, i64, &str),
    b: (i64, i64, &str),
) -> std::cmp::Ordering {
    if sort == SortOrder::Newest {
        (a.0, std::cmp::Reverse(a.1), a.2).cmp(&(b.0, std::cmp::Reverse(b.1), b.2))
    } else {
        a.cmp(&b)
    }
}

impl Narrowing {
    /// Whether the item with facts `f` meets every condition (the meaning every store
    /// implements).
    pub(crate) fn admits_facts(&self, item: &InboxItem, f: &Facts) -> bool {
        let c = item.classification.as_ref();
        (self.states.is_empty() || self.states.contains(&item.state))
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| item.assignee.as_ref() == a.as_ref())
            && (!self.assigned || item.assignee.is_some())
            && (self.channels.is_empty() || self.channels.contains(&item.channel))
            && (self.intents.is_empty() || c.is_some_and(|c| self.intents.contains(&c.intent)))
            && self
                .min_priority
                .is_none_or(|p| c.is_some_and(|c| c.priority >= p))
            && (self.sentiment.is_empty()
                || c.is_some_and(|c| self.sentiment.contains(&c.sentiment.polarity())))
            && (self.tags.is_empty()
                || c.is_some_and(|c| self.tags.iter().all(|t| c.tags.contains(t))))
            && self.opened.from.is_none_or(|t| f.opened_at >= us(t))
            && self.opened.to.is_none_or(|t| f.opened_at < us(t))
            && self
                .resolved_since
                .is_none_or(|t| f.resolved_at.is_some_and(|r| r >= us(t)))
            && (!self.measured || f.measured)
            && (!self.awaiting_reply || f.awaiting_reply)
            && match &self.sla {
                None => true,
                Some(SlaStanding::Breached { at }) => f.breached_at(us(*at)),
                Some(SlaStanding::AtRisk { at, due_by }) => {
                    !f.breached_at(us(*at))
                        && f.next_due != i64::MAX
                        && due_by.is_none_or(|b| f.next_due <= us(b))
                }
            }
            && self
                .text
                .as_ref()
                .is_none_or(|q| q.matches(&item.interaction))
    }
}

/// An [`InboxStore`] that counts the writes that can move an SLA due instant (new items,
/// replaced items), so the SLA loop wakes up for them. The inbox wraps its store in one.
#[derive(Debug)]
pub(crate) struct Watched {
    inner: Arc<dyn InboxStore>,
    changes: watch::Sender<u64>,
}

impl Watched {
    pub(crate) fn new(inner: Arc<dyn InboxStore>) -> Self {
        Watched {
            inner,
            changes: watch::Sender::new(0),
        }
    }

    pub(crate) fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn bump(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }
}

#[async_trait]
impl InboxStore for Watched {
    async fn cursor(&self, channel: &str) -> Result<Option<String>> {
        self.inner.cursor(channel).await
    }

    async fn commit_page(
        &self,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
        sla: &SlaPolicy,
    ) -> Result<usize> {
        let new = self.inner.commit_page(channel, items, cursor, sla).await?;
        if new > 0 {
            self.bump();
        }
        Ok(new)
    }

    async fn get(&self, key: &str) -> Result<Option<InboxItem>> {
        self.inner.get(key).await
    }

    async fn put(&self, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
        self.inner.put(item, sla).await?;
        self.bump();
        Ok(())
    }

    async fn page(
        &self,
        query: &Narrowing,
        sort: SortOrder,
        after: Option<&PageCursor>,
        limit: usize,
        sla: &SlaPolicy,
    ) -> Result<Vec<InboxItem>> {
        self.inner.page(query, sort, after, limit, sla).await
    }

    async fn count(&self, query: &Narrowing, sla: &SlaPolicy) -> Result<usize> {
        self.inner.count(query, sla).await
    }

    async fn sla_report(&self, sla: &SlaPolicy) -> Result<SlaReport> {
        self.inner.sla_report(sla).await
    }

    // A note changes no due instant: the loop that writes it does not need waking.
    async fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool> {
        self.inner.note_sla(key, kind, note).await
    }
}

/// Every item `query` admits, page by page (for the SLA loop and replies awaiting their
/// report: bounded by what is open, never by the whole inbox's history).
pub(crate) async fn all(
    store: &dyn InboxStore,
    query: &Narrowing,
    sla: &SlaPolicy,
) -> Result<Vec<InboxItem>> {
    const PAGE: usize = 500;
    let mut out: Vec<InboxItem> = Vec::new();
    let mut after: Option<PageCursor> = None;
    loop {
        let page = store
            .page(query, SortOrder::Oldest, after.as_ref(), PAGE, sla)
            .await?;
        let done = page.len() < PAGE;
        if let Some(last) = page.last() {
            after = Some(PageCursor::after(last, SortOrder::Oldest, sla));
        }
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

/// The open states.
pub(crate) const OPEN: [ItemState; 2] = [ItemState::New, ItemState::Pending];

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod tests;
