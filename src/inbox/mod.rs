//! The unified inbox (DESIGN.md §6): interactions from every connected channel in one place,
//! deduplicated, threaded, classified, assigned, answered exactly once and measured against an
//! SLA in business hours.
//!
//! - **Ingest** ([`Inbox::sync`]): each channel is read through [`Platform::interactions`]
//!   from its stored cursor; each page and the cursor after it are committed in one step to an
//!   [`InboxStore`], so nothing is read twice or missed across restarts. Items are keyed by
//!   channel, platform and interaction id ([`InboxItem::key`]); a key already stored is
//!   ignored (dedupe).
//! - **Threading**: every item carries the post it belongs to and a conversation id (the
//!   platform's conversation, else the post, else the interaction itself).
//! - **Classification**: [`Classifier`] from `listen::classify` (sentiment, intent, priority,
//!   and its rules that tag, assign and prioritise).
//! - **Workflow**: [`ItemState`] New → Pending → Resolved, [`Inbox::assign`], saved replies
//!   with `{variables}` ([`SavedReply`]).
//! - **Replies** go through the engine's outbox ([`Inbox::with_engine`],
//!   [`Engine::reply_as`]), so a reply is sent exactly once like a post: stored before the
//!   call, sent with the outbox's idempotency key, reconciled after a crash, retried, deferred
//!   on rate limits, held by crisis mode. The item records the reply's delivery
//!   ([`InboxItem::reply_delivery`], an id derived from the item: [`reply_delivery_id`]), so a
//!   second [`Inbox::reply`] — after a crash too — queues nothing new; the published reply is
//!   recorded when the engine reports it ([`Inbox::record_replies`], or any later
//!   [`Inbox::reply`] on the item).
//! - **SLA** ([`sla`]): first-response and resolution time in business hours of an IANA time
//!   zone with holidays; [`Inbox::spawn_sla_timer`] runs a loop that raises each breach (and,
//!   if asked, an "at risk" warning before it) as an [`InboxEvent`] on a broadcast channel
//!   ([`Inbox::subscribe`]) at the instant it happens, once; [`Inbox::report`] gives median and
//!   90th percentile per channel and per member.
//! - **Views**: [`InboxFilter`] (state, assignee, channel, intent, sentiment, priority, tags,
//!   SLA standing, text query, time range), [`SortOrder`], keyset paging ([`PageCursor`]) and
//!   saved [`View`]s as data; [`Inbox::view`] and [`Inbox::counts`] (badges). The store
//!   filters, sorts, pages and aggregates where the items are: no call reads the whole inbox.
//! - **Storage**: [`InboxStore`] (async); in memory ([`MemoryInboxStore`]) or in SQLite
//!   ([`SqliteInboxStore`]): a file of its own, or the engine's database through the store's
//!   [`SqliteHandle`](crate::store::SqliteHandle) — the inbox owns its tables and their
//!   migrations, the engine's store knows nothing of them.
//!
//! ```
//! use std::sync::Arc;
//! use chrono::Duration;
//! use socialkit::adapters::sandbox::{SandboxConfig, SandboxWorld};
//! use socialkit::inbox::{Inbox, MemoryInboxStore, PageRequest};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
//! let acme = world.channel("acme", SandboxConfig::default().with_seed(7)).unwrap();
//! let mut inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), world.clock());
//! inbox.connect("acme", acme.clone());
//! acme.receive(socialkit::adapters::sandbox::IncomingInteraction::new(
//!     socialkit::model::InteractionKind::Mention).text("@acme where is my order?")).unwrap();
//! world.advance(Duration::minutes(5)).unwrap();
//! let report = inbox.sync().await.unwrap();
//! assert!(report.new >= 1);
//! let page = inbox.items(PageRequest::first(50)).await.unwrap();
//! assert!(page.items.iter().any(|i| i.classification.is_some()));
//! # });
//! ```

mod ingest;
mod sla_impl;
mod store;
mod timer;
mod view;

pub mod sla {
    //! Business hours, SLA policies and reports; see [`BusinessHours`].
    pub use super::sla_impl::*;
}

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;

#[cfg(feature = "postgres")]
pub use store::PgInboxStore;
#[cfg(feature = "sqlite")]
pub use store::SqliteInboxStore;
pub use store::{InboxStore, MemoryInboxStore, PageCursor, SlaNote};
pub use timer::{SlaTimer, SlaTimerConfig};
pub use view::{
    AssigneeFilter, FilterContext, InboxFilter, Narrowing, PageRequest, SIGNAL_TAG,
    SIGNAL_TAG_PREFIX, SlaFilter, SlaStanding, SortOrder, TimeRange, View, ViewPage,
};

use crate::clock::SharedClock;
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, ErrorRecord, Result};
use crate::listen::classify::{Classification, Classifier};
use crate::model::{Interaction, InteractionKind, InteractionQuery, Post, PostRef, Published};
use crate::platform::Platform;
use crate::store::{ChannelId, Delivery, DeliveryId, DeliveryState, WorkspaceId};
use sla::{SlaBreach, SlaKind, SlaPolicy, SlaReport, SlaWarning};

/// Where an item is in its workflow.
///
/// ```
/// use socialkit::inbox::ItemState;
/// assert!(ItemState::New.can_become(ItemState::Pending));
/// assert!(ItemState::Resolved.can_become(ItemState::Pending));
/// assert!(!ItemState::Pending.can_become(ItemState::New));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Nobody has acted on it yet.
    New,
    /// Someone is on it (assigned or answered), not finished.
    Pending,
    /// Done.
    Resolved,
}

impl ItemState {
    /// Whether moving from `self` to `to` is allowed: forward, or reopening a resolved item
    /// (Resolved → Pending).
    pub fn can_become(self, to: ItemState) -> bool {
        matches!(
            (self, to),
            (ItemState::New, ItemState::Pending)
                | (ItemState::New, ItemState::Resolved)
                | (ItemState::Pending, ItemState::Resolved)
                | (ItemState::Resolved, ItemState::Pending)
        ) || self == to
    }
}

/// One interaction in the inbox, with its workflow state.
///
/// ```
/// use socialkit::inbox::InboxItem;
/// assert_eq!(InboxItem::key_of("acme", "sandbox", "n1"), "acme\u{1f}sandbox\u{1f}n1");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxItem {
    /// The dedupe key: channel, platform and interaction id.
    pub key: String,
    /// The channel name it was read from (as given to [`Inbox::connect`]).
    pub channel: String,
    /// The interaction as the platform gave it.
    pub interaction: Interaction,
    /// The post it belongs to, when known.
    pub post: Option<PostRef>,
    /// The conversation it belongs to: the platform's conversation id, else the post's id,
    /// else the interaction's own id.
    pub conversation: String,
    /// Sentiment, intent, priority, tags and rule assignee.
    pub classification: Option<Classification>,
    /// Workflow state.
    pub state: ItemState,
    /// The member it is assigned to.
    pub assignee: Option<String>,
    /// When the inbox read it.
    pub received_at: DateTime<Utc>,
    /// The reply sent, once the engine reports it published.
    pub reply: Option<Published>,
    /// The engine delivery of the latest reply, from the moment it is queued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_delivery: Option<DeliveryId>,
    /// How many replies were started anew after an earlier one definitely did not go out
    /// (failed or cancelled); part of [`reply_delivery_id`].
    #[serde(default)]
    pub reply_generation: u32,
    /// Who replied.
    pub replied_by: Option<String>,
    /// When the first response was sent.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// SLA breaches raised already (each at most once).
    #[serde(default)]
    pub breaches: Vec<SlaKind>,
    /// SLA "at risk" warnings raised already (each at most once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<SlaKind>,
}

impl InboxItem {
    /// The dedupe key of an interaction `id` on `platform` read from `channel`.
    pub fn key_of(channel: &str, platform: &str, id: &str) -> String {
        format!("{channel}\u{1f}{platform}\u{1f}{id}")
    }

    /// A new item for `interaction` read from `channel` at `now`, threaded, not classified.
    pub fn new(channel: &str, interaction: Interaction, now: DateTime<Utc>) -> Self {
        let post = interaction
            .post
            .clone()
            .or_else(|| interaction.reference.post.clone());
        let conversation = interaction
            .conversation
            .clone()
            .or_else(|| post.as_ref().map(|p| p.id.clone()))
            .unwrap_or_else(|| interaction.reference.id.clone());
        InboxItem {
            key: Self::key_of(
                channel,
                interaction.reference.platform.as_str(),
                &interaction.reference.id,
            ),
            channel: channel.to_string(),
            interaction,
            post,
            conversation,
            classification: None,
            state: ItemState::New,
            assignee: None,
            received_at: now,
            reply: None,
            reply_delivery: None,
            reply_generation: 0,
            replied_by: None,
            first_response_at: None,
            resolved_at: None,
            breaches: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// When the customer wrote (the SLA clock starts here).
    pub fn opened_at(&self) -> DateTime<Utc> {
        self.interaction.created_at
    }
}

/// The engine delivery id of reply number `generation` (0 first) to item `key`:
/// `d-reply-`, the first 32 hex digits of the key's SHA-256 and the generation. The same item
/// and generation always give the same id, so queueing a reply again after a crash finds the
/// first one instead of making a second.
///
/// ```
/// use socialkit::inbox::reply_delivery_id;
/// assert_eq!(reply_delivery_id("a", 0), reply_delivery_id("a", 0));
/// assert_ne!(reply_delivery_id("a", 0), reply_delivery_id("b", 0));
/// assert_ne!(reply_delivery_id("a", 0), reply_delivery_id("a", 1));
/// assert!(reply_delivery_id("a", 0).as_str().starts_with("d-reply-"));
/// ```
pub fn reply_delivery_id(key: &str, generation: u32) -> DeliveryId {
    let digest = Sha256::digest(key.as_bytes());
    DeliveryId::new(format!(
        "d-reply-{}-{generation}",
        &hex::encode(digest)[..32]
    ))
}

/// Where an item's reply stands, as [`Inbox::reply`] and [`Inbox::reply_status`] report it.
///
/// ```
/// use socialkit::inbox::ReplyStatus;
/// use socialkit::store::DeliveryState;
/// let s = ReplyStatus::Queued { delivery: "d-1".into(), state: DeliveryState::Scheduled };
/// assert!(s.published().is_none());
/// assert_eq!(s.delivery().as_str(), "d-1");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReplyStatus {
    /// On the platform.
    Sent {
        /// The reply's delivery.
        delivery: DeliveryId,
        /// The platform's answer.
        published: Published,
    },
    /// In the outbox: in review, scheduled, being sent, held by crisis mode. The worker sends
    /// it.
    Queued {
        /// The reply's delivery.
        delivery: DeliveryId,
        /// Its state.
        state: DeliveryState,
    },
    /// Stopped with a typed error. With `in_doubt` the reply may be out all the same and a
    /// person settles it ([`Engine::settle`]); without, a new [`Inbox::reply`] sends one.
    Failed {
        /// The reply's delivery.
        delivery: DeliveryId,
        /// Why.
        error: ErrorRecord,
        /// Whether it may have gone out.
        in_doubt: bool,
    },
    /// Withdrawn by a person; a new [`Inbox::reply`] sends one.
    Cancelled {
        /// The reply's delivery.
        delivery: DeliveryId,
    },
}

impl ReplyStatus {
    /// The status of reply delivery `d`.
    ///
    /// ```
    /// use socialkit::inbox::ReplyStatus;
    /// use socialkit::model::Post;
    /// use socialkit::store::{Delivery, DeliveryState};
    /// let d = Delivery::new("acme".into(), "p".into(), "c".into(), "sandbox", Post::text("hi"), DeliveryState::Scheduled, None, chrono::Utc::now());
    /// assert_eq!(ReplyStatus::of(&d), ReplyStatus::Queued { delivery: d.id.clone(), state: DeliveryState::Scheduled });
    /// ```
    pub fn of(d: &Delivery) -> Self {
        let delivery = d.id.clone();
        match (d.state, &d.result) {
            (DeliveryState::Published, Some(p)) => ReplyStatus::Sent {
                delivery,
                published: p.clone(),
            },
            (DeliveryState::Failed, _) => ReplyStatus::Failed {
                delivery,
                error: d.error.clone().unwrap_or_else(|| {
                    Error::new(ErrorKind::Unexpected, "failed without an error").to_record()
                }),
                in_doubt: d.in_doubt(),
            },
            (DeliveryState::Cancelled, _) => ReplyStatus::Cancelled { delivery },
            (state, _) => ReplyStatus::Queued { delivery, state },
        }
    }

    /// The reply's delivery.
    ///
    /// ```
    /// let s = socialkit::inbox::ReplyStatus::Cancelled { delivery: "d-1".into() };
    /// assert_eq!(s.delivery().as_str(), "d-1");
    /// ```
    pub fn delivery(&self) -> &DeliveryId {
        match self {
            ReplyStatus::Sent { delivery, .. }
            | ReplyStatus::Queued { delivery, .. }
            | ReplyStatus::Failed { delivery, .. }
            | ReplyStatus::Cancelled { delivery } => delivery,
        }
    }

    /// The platform's answer, once sent.
    ///
    /// ```
    /// use socialkit::inbox::ReplyStatus;
    /// use socialkit::model::{PostRef, Published};
    /// let p = Published::single(PostRef::new("sandbox", "7"), chrono::Utc::now());
    /// let s = ReplyStatus::Sent { delivery: "d-1".into(), published: p.clone() };
    /// assert_eq!(s.published(), Some(&p));
    /// ```
    pub fn published(&self) -> Option<&Published> {
        match self {
            ReplyStatus::Sent { published, .. } => Some(published),
            _ => None,
        }
    }

    /// Whether it definitely did not go out and a new reply may be sent.
    fn may_send_again(&self) -> bool {
        matches!(
            self,
            ReplyStatus::Cancelled { .. }
                | ReplyStatus::Failed {
                    in_doubt: false,
                    ..
                }
        )
    }
}

/// A saved reply with `{variables}`: `{name}`, `{handle}`, `{channel}`, `{agent}` are filled
/// from the item, others from the map given to [`SavedReply::render`]. Unknown variables stay
/// as written; `{{` and `}}` are literal braces.
///
/// ```
/// use std::collections::BTreeMap;
/// use socialkit::inbox::SavedReply;
/// let r = SavedReply::new("Hi {name}, order {order} ships {day}.");
/// let vars = BTreeMap::from([("name".to_string(), "Ann".to_string()), ("order".to_string(), "42".to_string())]);
/// assert_eq!(r.render(&vars), "Hi Ann, order 42 ships {day}.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedReply {
    /// The template.
    pub template: String,
}

impl SavedReply {
    /// A saved reply from its template.
    pub fn new(template: impl Into<String>) -> Self {
        SavedReply {
            template: template.into(),
        }
    }

    /// Fills the variables.
    pub fn render(&self, vars: &BTreeMap<String, String>) -> String {
        let mut out = String::with_capacity(self.template.len());
        let mut rest = self.template.as_str();
        while let Some(i) = rest.find(['{', '}']) {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                out.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            if let Some(stripped) = tail.strip_prefix('{')
                && let Some(end) = stripped.find('}')
            {
                let name = &stripped[..end];
                match vars.get(name.trim()) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &stripped[end + 1..];
                continue;
            }
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
        out.push_str(rest);
        out
    }
}

/// Something the inbox reports on its broadcast channel.
#[derive(Debug, Clone, PartialEq)]
pub enum InboxEvent {
    /// New items were ingested from a channel.
    Ingested {
        /// The channel.
        channel: String,
        /// How many new items.
        count: usize,
    },
    /// An SLA target was missed.
    SlaBreached(SlaBreach),
    /// An SLA target is about to be missed ([`SlaTimerConfig::warn_before`]).
    SlaAtRisk(SlaWarning),
}

/// What one [`Inbox::sync`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Items stored for the first time.
    pub new: usize,
    /// Interactions read that were stored already.
    pub duplicates: usize,
    /// Pages read.
    pub pages: usize,
    /// Channels that failed, with the error message (the others went on).
    pub failed: Vec<(String, String)>,
}

/// The unified inbox over connected channels; see the [module docs](self).
pub struct Inbox {
    store: Arc<dyn InboxStore>,
    clock: SharedClock,
    channels: Vec<(String, Arc<dyn Platform>)>,
    classifier: Classifier,
    query: InteractionQuery,
    saved: BTreeMap<String, SavedReply>,
    sla: SlaPolicy,
    events: broadcast::Sender<InboxEvent>,
    outbox: Option<(Engine, WorkspaceId)>,
    changes: tokio::sync::watch::Receiver<u64>,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox")
            .field(
                "channels",
                &self.channels.iter().map(|c| &c.0).collect::<Vec<_>>(),
            )
            .field("sla", &self.sla)
            .finish()
    }
}

impl Inbox {
    /// An inbox over `store`, reading the time from `clock`, with the default classifier,
    /// [`SlaPolicy::default`] and reading the kinds that carry text.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore};
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// assert!(format!("{inbox:?}").starts_with("Inbox"));
    /// ```
    pub fn new(store: Arc<dyn InboxStore>, clock: SharedClock) -> Self {
        let (events, _) = broadcast::channel(1024);
        let store = store::Watched::new(store);
        let changes = store.changes();
        Inbox {
            store: Arc::new(store),
            changes,
            clock,
            channels: Vec::new(),
            classifier: Classifier::default(),
            query: InteractionQuery::default()
                .kinds(InteractionKind::ALL.into_iter().filter(|k| k.has_text()))
                .limit(100),
            saved: BTreeMap::new(),
            sla: SlaPolicy::default(),
            events,
            outbox: None,
        }
    }

    /// Sends replies through `engine`'s outbox in workspace `ws`. The inbox's channel names
    /// (as given to [`Inbox::connect`]) must be the channel ids connected to the engine, and
    /// the members who reply must be members of the workspace (editors and up; see
    /// [`WorkflowSettings::replies_need_approval`](crate::engine::WorkflowSettings::replies_need_approval)).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::engine::Engine;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore};
    /// use socialkit::store::MemoryStore;
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock))
    ///     .with_engine(engine, "acme".into());
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert!(inbox.item("none").await.is_err());
    /// # });
    /// ```
    pub fn with_engine(mut self, engine: Engine, ws: WorkspaceId) -> Self {
        self.outbox = Some((engine, ws));
        self
    }

    /// Uses `classifier` (with its rules) for new items.
    pub fn with_classifier(mut self, classifier: Classifier) -> Self {
        self.classifier = classifier;
        self
    }

    /// Uses `query` (kinds, page size) to read channels; its cursor is ignored.
    pub fn with_query(mut self, query: InteractionQuery) -> Self {
        self.query = query;
        self
    }

    /// Uses `sla`.
    pub fn with_sla(mut self, sla: SlaPolicy) -> Self {
        self.sla = sla;
        self
    }

    /// Connects channel `name` (the name keys cursors and items; keep it stable).
    pub fn connect(&mut self, name: impl Into<String>, platform: Arc<dyn Platform>) {
        self.channels.push((name.into(), platform));
    }

    /// Saves a reply template under `name`.
    pub fn save_reply(&mut self, name: impl Into<String>, reply: SavedReply) {
        self.saved.insert(name.into(), reply);
    }

    /// Events: ingestion and SLA breaches.
    pub fn subscribe(&self) -> broadcast::Receiver<InboxEvent> {
        self.events.subscribe()
    }

    /// The classifier.
    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    /// Reads every channel from its stored cursor until it has no more, classifying and
    /// storing new items. A failing channel is reported in [`SyncReport::failed`]; its cursor
    /// stays where the last committed page left it.
    pub async fn sync(&self) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        for (name, platform) in &self.channels {
            match self
                .sync_channel(name, platform.as_ref(), &mut report)
                .await
            {
                Ok(count) if count > 0 => {
                    let _ = self.events.send(InboxEvent::Ingested {
                        channel: name.clone(),
                        count,
                    });
                }
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Storage => return Err(e),
                Err(e) => report.failed.push((name.clone(), e.to_string())),
            }
        }
        Ok(report)
    }

    async fn sync_channel(
        &self,
        name: &str,
        platform: &dyn Platform,
        report: &mut SyncReport,
    ) -> Result<usize> {
        let mut cursor = self.store.cursor(name).await?;
        let mut total = 0;
        loop {
            let mut query = self.query.clone();
            query.cursor = cursor.clone();
            let page = platform.interactions(&query).await?;
            report.pages += 1;
            let now = self.clock.now();
            let items: Vec<InboxItem> = page
                .items
                .into_iter()
                .map(|i| self.prepare(name, i, now))
                .collect();
            let next = page.next_cursor.clone().or(cursor.clone());
            let new = self
                .store
                .commit_page(name, &items, next.as_deref(), &self.sla)
                .await?;
            report.new += new;
            report.duplicates += items.len() - new;
            total += new;
            let moved = next != cursor;
            cursor = next;
            if !page.has_more || !moved {
                break;
            }
        }
        Ok(total)
    }

    /// Builds the item for `interaction` from channel `channel`: threads and classifies it,
    /// and applies a rule's assignment.
    pub fn prepare(
        &self,
        channel: &str,
        interaction: Interaction,
        now: DateTime<Utc>,
    ) -> InboxItem {
        let mut item = InboxItem::new(channel, interaction, now);
        let c = self
            .classifier
            .classify_in(&item.interaction, Some(channel));
        if let Some(who) = &c.assignee {
            item.assignee = Some(who.clone());
        }
        item.classification = Some(c);
        item
    }

    /// A page of every item, oldest first (see [`Inbox::view`] for filters and orders).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore, PageRequest};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// let page = inbox.items(PageRequest::first(100)).await.unwrap();
    /// assert!(page.items.is_empty() && page.next.is_none());
    /// # });
    /// ```
    pub async fn items(&self, page: PageRequest) -> Result<ViewPage> {
        self.page_of(&Narrowing::default(), SortOrder::Oldest, page)
            .await
    }

    /// One item.
    pub async fn item(&self, key: &str) -> Result<InboxItem> {
        self.store
            .get(key)
            .await?
            .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("no inbox item {key:?}")))
    }

    /// Assigns item `key` to `member`; a new item becomes pending.
    pub async fn assign(&self, key: &str, member: &str) -> Result<InboxItem> {
        let mut item = self.item(key).await?;
        item.assignee = Some(member.to_string());
        if item.state == ItemState::New {
            item.state = ItemState::Pending;
        }
        self.store.put(&item, &self.sla).await?;
        Ok(item)
    }

    /// Moves item `key` to `state` (see [`ItemState::can_become`]); resolving records the
    /// resolution time, reopening clears it.
    pub async fn set_state(&self, key: &str, state: ItemState) -> Result<InboxItem> {
        let mut item = self.item(key).await?;
        if !item.state.can_become(state) {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("item {key:?} cannot go from {:?} to {state:?}", item.state),
            ));
        }
        match state {
            ItemState::Resolved if item.resolved_at.is_none() => {
                item.resolved_at = Some(self.clock.now())
            }
            ItemState::Pending => item.resolved_at = None,
            _ => {}
        }
        item.state = state;
        self.store.put(&item, &self.sla).await?;
        Ok(item)
    }

    /// Replies `text` to item `key` as `member` through the engine's outbox
    /// ([`with_engine`](Inbox::with_engine)), exactly once: the first call queues the reply
    /// (a delivery with [`reply_delivery_id`]) and records its delivery on the item; later
    /// calls queue nothing while that reply is queued, sent, or failed in doubt — they report
    /// it. Only after it definitely did not go out (failed, cancelled) does a call send a new
    /// one. The item becomes pending (if new) and is assigned to `member` if unassigned; its
    /// first response time is the reply's publication, recorded when the engine reports it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::adapters::sandbox::{IncomingInteraction, SandboxConfig, SandboxWorld};
    /// use socialkit::engine::Engine;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore, ReplyStatus};
    /// use socialkit::model::InteractionKind;
    /// use socialkit::store::{ChannelRecord, MemoryStore};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    /// let acme = world.channel("acme", SandboxConfig::default().with_followers(0)).unwrap();
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).clock(world.clock()).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// engine.connect(&ws, "olga", ChannelRecord::new("acme", "sandbox"), acme.clone()).await.unwrap();
    /// let mut inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), world.clock())
    ///     .with_engine(engine.clone(), ws);
    /// inbox.connect("acme", acme.clone());
    /// acme.receive(IncomingInteraction::new(InteractionKind::Mention).text("@acme hi?")).unwrap();
    /// inbox.sync().await.unwrap();
    /// let key = inbox.items(socialkit::inbox::PageRequest::first(1)).await.unwrap().items[0].key.clone();
    /// let queued = inbox.reply(&key, "olga", "Hello!").await.unwrap();
    /// assert!(matches!(queued, ReplyStatus::Queued { .. }));
    /// engine.run_once().await.unwrap(); // the worker sends it
    /// let sent = inbox.reply(&key, "olga", "Hello again!").await.unwrap();
    /// assert_eq!(sent.delivery(), queued.delivery(), "no second reply");
    /// assert_eq!(acme.inspect(&sent.published().unwrap().post).unwrap().text, "Hello!");
    /// assert!(inbox.item(&key).await.unwrap().first_response_at.is_some());
    /// # });
    /// ```
    pub async fn reply(&self, key: &str, member: &str, text: &str) -> Result<ReplyStatus> {
        let (engine, ws) = self.outbox.as_ref().ok_or_else(|| {
            Error::config(
                "replies go through the engine's outbox: give the inbox one with Inbox::with_engine",
            )
        })?;
        let mut item = self.item(key).await?;
        if let Some(id) = item.reply_delivery.clone() {
            let status = self
                .absorb(&mut item, &engine.delivery(ws, &id).await?)
                .await?;
            if !status.may_send_again() {
                return Ok(status);
            }
            item.reply_generation += 1;
        }
        let id = reply_delivery_id(&item.key, item.reply_generation);
        let channel = ChannelId::new(item.channel.clone());
        let to = item.interaction.reference.clone();
        let d = engine
            .reply_as(ws, member, &channel, to, Post::text(text), id)
            .await?;
        item.reply_delivery = Some(d.id.clone());
        item.replied_by = Some(member.to_string());
        if item.assignee.is_none() {
            item.assignee = Some(member.to_string());
        }
        if item.state == ItemState::New {
            item.state = ItemState::Pending;
        }
        self.store.put(&item, &self.sla).await?;
        self.absorb(&mut item, &d).await
    }

    /// Where item `key`'s latest reply stands (`None`: no reply yet); records it on the item
    /// once sent. See [`Inbox::reply`] for an example with an engine.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use socialkit::clock::SystemClock;
    /// # use socialkit::inbox::{Inbox, MemoryInboxStore};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// let err = inbox.reply_status("no such item").await.unwrap_err();
    /// assert_eq!(err.kind(), socialkit::ErrorKind::NotFound);
    /// # });
    /// ```
    pub async fn reply_status(&self, key: &str) -> Result<Option<ReplyStatus>> {
        let mut item = self.item(key).await?;
        let (Some((engine, ws)), Some(id)) = (&self.outbox, item.reply_delivery.clone()) else {
            return Ok(None);
        };
        let d = engine.delivery(ws, &id).await?;
        self.absorb(&mut item, &d).await.map(Some)
    }

    /// Asks the engine about every reply queued and not yet recorded as sent, and records the
    /// sent ones on their items (reply and first response time). Returns the items it
    /// updated. Call it after the worker ran, or on [`EventKind::Replied`](crate::engine::EventKind::Replied).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use socialkit::clock::SystemClock;
    /// # use socialkit::inbox::{Inbox, MemoryInboxStore};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// assert!(inbox.record_replies().await.unwrap().is_empty(), "no engine, nothing queued");
    /// # });
    /// ```
    pub async fn record_replies(&self) -> Result<Vec<InboxItem>> {
        let Some((engine, ws)) = &self.outbox else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let awaiting = Narrowing {
            awaiting_reply: true,
            ..Narrowing::default()
        };
        for mut item in store::all(self.store.as_ref(), &awaiting, &self.sla).await? {
            let Some(id) = item.reply_delivery.clone().filter(|_| item.reply.is_none()) else {
                continue;
            };
            let d = engine.delivery(ws, &id).await?;
            if let ReplyStatus::Sent { .. } = self.absorb(&mut item, &d).await? {
                out.push(item);
            }
        }
        Ok(out)
    }

    /// Records a sent reply delivery `d` on `item` (once) and reports its status.
    async fn absorb(&self, item: &mut InboxItem, d: &Delivery) -> Result<ReplyStatus> {
        let status = ReplyStatus::of(d);
        if let ReplyStatus::Sent { published, .. } = &status {
            if item.reply.as_ref() != Some(published) {
                item.reply = Some(published.clone());
                item.first_response_at.get_or_insert(published.published_at);
                self.store.put(item, &self.sla).await?;
            }
        }
        Ok(status)
    }

    /// Replies with saved reply `name`, filling `{name}` (display name or handle), `{handle}`,
    /// `{channel}`, `{agent}` and then `vars`.
    pub async fn reply_saved(
        &self,
        key: &str,
        member: &str,
        name: &str,
        vars: &BTreeMap<String, String>,
    ) -> Result<ReplyStatus> {
        let saved = self
            .saved
            .get(name)
            .ok_or_else(|| Error::config(format!("no saved reply {name:?}")))?;
        let item = self.item(key).await?;
        let a = &item.interaction.author;
        let mut all = BTreeMap::from([
            (
                "name".to_string(),
                a.display_name.clone().unwrap_or_else(|| a.handle.clone()),
            ),
            ("handle".to_string(), a.handle.clone()),
            ("channel".to_string(), item.channel.clone()),
            ("agent".to_string(), member.to_string()),
        ]);
        all.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
        let text = saved.render(&all);
        self.reply(key, member, &text).await
    }

    /// Median and 90th percentile of first-response and resolution time (business hours) per
    /// channel and per member, aggregated by the store.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// assert!(inbox.report().await.unwrap().channels.is_empty());
    /// # });
    /// ```
    pub async fn report(&self) -> Result<SlaReport> {
        self.store.sla_report(&self.sla).await
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
impl Inbox {
    /// Every item, oldest first (tests).
    pub(crate) async fn everything(&self) -> Vec<InboxItem> {
        store::all(self.store.as_ref(), &Narrowing::default(), &self.sla)
            .await
            .unwrap()
    }
}
