//! The publishing engine: a post handed to socialkit is published once, at the right time, to
//! every channel it names, or fails visibly with a typed error — never lost, never doubled.
//!
//! - [`Engine::submit`] fans a post out to channels: one delivery per channel, each resolved
//!   with its variant, brand rules applied and checked, validated against the channel's
//!   capabilities before anything is stored (`fanout.rs`).
//! - [`Engine::reply`] answers an interaction through the same outbox: one delivery whose
//!   target is the interaction, sent with [`Platform::reply`] exactly once (`reply.rs`).
//! - The outbox (`outbox.rs`) stores the intent (Publishing, attempt id, idempotency key)
//!   before the platform call and the result or typed failure after; in-doubt deliveries are
//!   reconciled with the platform before any retry.
//! - A [`Worker`] loop (`worker.rs`) claims due work under leases and shuts down gracefully.
//! - The approval workflow with roles (`workflow.rs`), brand rules (`brand.rs`), schedules and
//!   recurrence across DST (`schedule.rs`), crisis mode and the [`CrisisSwitch`] a listening
//!   crisis signal turns on (`crisis.rs`), events and signed
//!   webhooks (`events.rs`, `webhook.rs`).
//!
//! Time is UTC inside; zones appear only where people plan ([`schedule`]). The engine reads
//! time from a [`Clock`](crate::clock::Clock), so tests run weeks in milliseconds.
//!
//! ```
//! use std::sync::Arc;
//! use socialkit::engine::Engine;
//! use socialkit::model::Post;
//! use socialkit::adapters::sandbox::Sandbox;
//! use socialkit::store::{ChannelRecord, MemoryStore};
//! use socialkit::Platform;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
//! let ws = engine.create_workspace("acme", "ACME Anvils", "olga").await.unwrap();
//! let platform = Sandbox::from_url("sandbox://engine-doc-acme").unwrap();
//! engine.connect(&ws, "olga", ChannelRecord::new("acme-demo", "sandbox"), platform.clone()).await.unwrap();
//! let sub = engine.submit(&ws, "olga", Post::text("Our anvil is here"), &["acme-demo".into()]).await.unwrap();
//! engine.run_once().await.unwrap();
//! let status = engine.status(&ws, &sub.post).await.unwrap();
//! assert_eq!((status.published, status.failed, status.pending), (1, 0, 0));
//! assert_eq!(platform.recent_posts(10).await.unwrap().len(), 1);
//! # });
//! ```

mod brand;
mod cache;
mod crisis;
mod events;
mod fanout;
mod hooks;
mod member;
mod outbox;
mod reply;
mod restore;
mod retention;
pub mod schedule;
mod token_store;
mod webhook;
mod worker;
mod workflow;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use chrono::Duration;
use rand::SeedableRng;
// Seeded runs must give the same jitter with every `rand` release: ChaCha12 from
// `rand_chacha` (what `StdRng` is today, without `StdRng`'s "may change" caveat).
use rand_chacha::ChaCha12Rng as StdRng;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, broadcast};

pub use crate::http::Backoff;
pub use brand::{
    BrandRules, Disclosure, HashtagSet, ProfileDifference, ProfileReport, UtmRules, Violation,
};
pub use crisis::{
    Contact, CrisisMode, CrisisSignal, CrisisSwitch, Deviation, HoldingStatement, Indicator,
    Playbook, escalate,
};
pub use events::{Event, EventKind, EventType};
pub use fanout::Submitted;
pub use hooks::{AfterPublish, Hooks};
pub use member::MemberHandle;
pub use outbox::RunReport;
pub use reply::reply_target;
pub use restore::RestoreReport;
pub use retention::PURGE_EVERY;
pub use webhook::{
    ATTEMPT_HEADER, EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
    WebhookConfig, WebhookDispatcher, WebhookReport, sign, verify,
};
pub use worker::Worker;
pub use workflow::{Permission, WorkflowSettings};

use crate::clock::{SharedClock, SystemClock};
use crate::platform::Platform;
use crate::store::{
    ChannelId, ChannelRecord, Delivery, DeliveryFilter, DeliveryState, PostId, Store, Workspace,
    WorkspaceId,
};
use crate::{Error, ErrorKind, Result};

use events::EventBus;

/// How the engine behaves. The defaults suit a single embedded worker.
///
/// ```
/// let c = socialkit::engine::EngineConfig::default();
/// assert_eq!(c.max_attempts, 6);
/// ```
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// This worker's name: its leases carry it, and on start it frees the leases it held.
    pub worker: String,
    /// Deliveries claimed (and published concurrently) per round.
    pub batch: usize,
    /// How long a lease holds; a delivery still Publishing after it is in doubt. Longer than
    /// any platform call can take.
    pub lease: Duration,
    /// Counted failures (timeouts, 5xx, network) before a delivery fails. A failed look-up of
    /// an in-doubt post (reconciliation) is not counted: it says nothing about the post, and
    /// an outage of the platform's read API must not fail posts that may be published; such
    /// look-ups are bounded by `max_total_attempts`.
    pub max_attempts: u32,
    /// Attempts of any kind (rate limits included) before a delivery fails.
    pub max_total_attempts: u32,
    /// Backoff between counted failures.
    pub backoff: Backoff,
    /// How many recent posts reconciliation reads first; it doubles the window while the
    /// posts it got are all newer than the in-doubt attempt.
    pub reconcile_window: usize,
    /// The most recent posts reconciliation reads; past it, the outcome counts as unknowable
    /// and the delivery fails visibly rather than risk a second post.
    pub reconcile_max_window: usize,
    /// How far before an in-doubt attempt a post found by its text may have been created
    /// (clock skew between socialkit and the platform).
    pub reconcile_skew: Duration,
    /// The least time between an attempt that left doubt and the lookup that settles it. A
    /// request that timed out may still be running on the server: a lookup too soon would not
    /// see the post it is about to make and would send it a second time. Longer than any
    /// request timeout (the HTTP layer's default is 30 s). Default 60 s.
    pub reconcile_after: Duration,
    /// When a delivery whose channel is not connected is tried again.
    pub unconnected_retry: Duration,
    /// The longest a worker sleeps between looks for due work.
    pub poll_interval: std::time::Duration,
    /// How long a worker that is shutting down waits for in-flight calls; after it, they stay
    /// Publishing and are reconciled at the next start.
    pub shutdown_grace: std::time::Duration,
    /// Capacity of the event broadcast.
    pub event_capacity: usize,
    /// How long a webhook sender holds the events it claimed (longer than a round of sends: up
    /// to 4 waves of 10 s timeouts); a sender that dies leaves them to another after it.
    pub webhook_lease: Duration,
    /// How long events that are done with (delivered, or skipped: nobody wanted them) stay
    /// in the outbox; the worker deletes older ones ([`Engine::purge_events`]). Dead and
    /// pending events stay whatever their age. `None` keeps every event. Default 30 days.
    pub event_retention: Option<Duration>,
    /// Seed of the backoff jitter (`None`: from the OS).
    pub seed: Option<u64>,
    /// How long the engine trusts its copy of a workspace's members and settings (roles,
    /// workflow settings, brand rules) before it reads them again. The engine's own writes
    /// replace the copy at once; this bounds how long a change made by another process (or
    /// straight to the store) goes unseen. Zero reads the store on every call. Default 2 s.
    pub settings_ttl: std::time::Duration,
    /// How long deliveries of a channel that needs re-authorisation wait for it to be
    /// reconnected before they fail.
    pub reauth_wait: Duration,
    /// How often a delivery waiting for re-authorisation looks again.
    pub reauth_retry: Duration,
    /// How long one process may hold a channel's refresh lease (a dead holder blocks others
    /// at most this long).
    pub refresh_lease: Duration,
    /// How far ahead an expiry that cannot be renewed automatically makes a channel
    /// "expiring soon".
    pub expiry_warning: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            worker: "worker-1".into(),
            batch: 8,
            lease: Duration::minutes(5),
            max_attempts: 6,
            max_total_attempts: 50,
            backoff: Backoff::default(),
            reconcile_window: 50,
            reconcile_max_window: 800,
            reconcile_skew: Duration::minutes(5),
            reconcile_after: Duration::seconds(60),
            unconnected_retry: Duration::minutes(1),
            poll_interval: std::time::Duration::from_secs(1),
            shutdown_grace: std::time::Duration::from_secs(30),
            event_capacity: 4096,
            webhook_lease: Duration::minutes(2),
            event_retention: Some(Duration::days(30)),
            seed: None,
            settings_ttl: std::time::Duration::from_secs(2),
            reauth_wait: Duration::days(7),
            reauth_retry: Duration::minutes(1),
            refresh_lease: Duration::minutes(2),
            expiry_warning: Duration::days(7),
        }
    }
}

/// Builds an [`Engine`].
///
/// ```
/// use std::sync::Arc;
/// use socialkit::clock::ManualClock;
/// use socialkit::engine::{Engine, EngineConfig};
/// use socialkit::store::MemoryStore;
/// let clock = ManualClock::new("2026-03-02T09:00:00Z".parse().unwrap());
/// let engine = Engine::builder(Arc::new(MemoryStore::new()))
///     .clock(Arc::new(clock))
///     .config(EngineConfig { worker: "w1".into(), ..EngineConfig::default() })
///     .build();
/// assert_eq!(engine.config().worker, "w1");
/// ```
#[derive(Debug)]
pub struct EngineBuilder {
    store: Arc<dyn Store>,
    clock: SharedClock,
    config: EngineConfig,
    hooks: Option<Arc<dyn Hooks>>,
    keys: Option<Arc<dyn crate::store::vault::KeyProvider>>,
    registry: Option<crate::registry::Registry>,
}

impl EngineBuilder {
    /// Keeps channels in the store's credential vault, sealed with keys from `keys`: channels
    /// connected with [`Engine::connect_stored`] are rebuilt at start ([`EngineBuilder::open`],
    /// [`Engine::restore`], a worker's start) and their renewed tokens are stored before use.
    pub fn vault(mut self, keys: Arc<dyn crate::store::vault::KeyProvider>) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The registry that builds stored channels (default: every adapter compiled in).
    pub fn registry(mut self, registry: crate::registry::Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Sets the clock (default: the system clock).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the configuration.
    pub fn config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets test hooks (crash simulation; see [`Hooks`]).
    pub fn hooks(mut self, hooks: Arc<dyn Hooks>) -> Self {
        self.hooks = Some(hooks);
        self
    }

    /// Builds the engine.
    pub fn build(self) -> Engine {
        let rng = match self.config.seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_os_rng(),
        };
        let vault = self.keys.and_then(|keys| match self.store.vault() {
            Ok(rows) => Some(crate::store::vault::Vault::new(rows, keys)),
            Err(e) => {
                tracing::warn!(error = %e, "this store holds no vault; channels are not stored");
                None
            }
        });
        Engine {
            inner: Arc::new(Inner {
                vault,
                registry: self.registry.unwrap_or_default(),
                holder: restore::holder_name(&self.config.worker),
                events: EventBus::new(self.config.event_capacity),
                cache: cache::WorkspaceCache::new(self.config.settings_ttl),
                store: self.store,
                clock: self.clock,
                config: self.config,
                hooks: self.hooks,
                platforms: RwLock::new(HashMap::new()),
                rng: Mutex::new(rng),
                wake: Notify::new(),
                events_written: Notify::new(),
                webhook_client: std::sync::OnceLock::new(),
            }),
        }
    }
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn Store>,
    clock: SharedClock,
    config: EngineConfig,
    hooks: Option<Arc<dyn Hooks>>,
    platforms: RwLock<HashMap<(WorkspaceId, ChannelId), Arc<dyn Platform>>>,
    events: EventBus,
    /// Members and settings per workspace (`cache.rs`).
    cache: cache::WorkspaceCache,
    rng: Mutex<StdRng>,
    wake: Notify,
    /// Told when this process wrote events (wakes the webhook sender).
    events_written: Notify,
    /// The webhook sender's HTTP client, made on first use.
    webhook_client: std::sync::OnceLock<reqwest::Client>,
    vault: Option<crate::store::vault::Vault>,
    registry: crate::registry::Registry,
    /// This engine's name as a refresh-lease holder (unique per process).
    holder: String,
}

/// The publishing engine. Cheap to clone; clones share everything.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::engine::Engine;
/// use socialkit::store::MemoryStore;
/// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
/// let _events = engine.subscribe();
/// assert_eq!(engine.config().batch, 8);
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

/// Where a post's deliveries stand, counted.
///
/// ```
/// let s = socialkit::engine::PostStatus { total: 3, published: 2, failed: 1, cancelled: 0, pending: 0 };
/// assert!(s.is_complete());
/// assert!(s.is_partially_failed());
/// assert_eq!(s.to_string(), "published 2 / failed 1 / pending 0");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostStatus {
    /// Deliveries.
    pub total: usize,
    /// Published.
    pub published: usize,
    /// Failed (with a typed error each).
    pub failed: usize,
    /// Cancelled.
    pub cancelled: usize,
    /// Anything else: in the workflow, scheduled, publishing, paused.
    pub pending: usize,
}

impl PostStatus {
    /// Counts `deliveries`.
    pub fn of(deliveries: &[Delivery]) -> Self {
        let mut s = PostStatus {
            total: deliveries.len(),
            ..PostStatus::default()
        };
        for d in deliveries {
            match d.state {
                DeliveryState::Published => s.published += 1,
                DeliveryState::Failed => s.failed += 1,
                DeliveryState::Cancelled => s.cancelled += 1,
                _ => s.pending += 1,
            }
        }
        s
    }

    /// Nothing pending any more.
    pub fn is_complete(&self) -> bool {
        self.pending == 0
    }

    /// Complete, with some published and some failed.
    pub fn is_partially_failed(&self) -> bool {
        self.is_complete() && self.failed > 0 && self.published > 0
    }
}

impl std::fmt::Display for PostStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "published {} / failed {} / pending {}",
            self.published, self.failed, self.pending
        )
    }
}

impl Engine {
    /// Starts building an engine on `store`.
    pub fn builder(store: Arc<dyn Store>) -> EngineBuilder {
        EngineBuilder {
            store,
            clock: Arc::new(SystemClock),
            config: EngineConfig::default(),
            hooks: None,
            keys: None,
            registry: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The current instant from the engine's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// Subscribes to events (see [`Event`]).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    /// Writes an event that goes with no delivery change to the events outbox and
    /// broadcasts it. If the store fails, the event is still broadcast (with a fresh id) and
    /// the failure logged: it will not reach webhooks.
    pub(crate) async fn emit(&self, ws: &WorkspaceId, kind: EventKind) {
        match self
            .inner
            .store
            .append_events(ws, &[kind.record()], self.now())
            .await
        {
            Ok(stored) => {
                let typed = (stored.len() == 1).then(|| vec![kind]);
                self.broadcast_typed(&stored, typed)
            }
            Err(e) => {
                tracing::warn!(workspace = %ws, kind = kind.name(), error = %e, "event not stored; webhooks will not see it");
                self.inner
                    .events
                    .emit(Event::new(ws.clone(), kind, self.now()));
            }
        }
    }

    /// Broadcasts the events the store wrote through `emitter` (typed, as the emitter made
    /// them), and wakes the webhook sender.
    pub(crate) fn broadcast_recorded<K: events::Kinds>(
        &self,
        stored: &[crate::store::StoredEvent],
        emitter: &events::Recording<K>,
    ) {
        self.broadcast_typed(stored, emitter.take(stored));
    }

    /// Broadcasts events the store wrote — `typed`, when given, are their kinds one for one
    /// (no decoding of the stored JSON); else they are decoded from the records — and wakes
    /// the webhook sender. With no subscriber nothing is built.
    pub(crate) fn broadcast_typed(
        &self,
        stored: &[crate::store::StoredEvent],
        typed: Option<Vec<EventKind>>,
    ) {
        if stored.is_empty() {
            return;
        }
        if self.inner.events.has_subscribers() {
            match typed {
                Some(kinds) => {
                    for (e, kind) in stored.iter().zip(kinds) {
                        self.inner.events.emit(Event {
                            id: e.id.0.clone(),
                            at: e.created_at,
                            workspace: e.workspace.clone(),
                            kind,
                        });
                    }
                }
                None => {
                    for e in stored {
                        match Event::from_stored(e) {
                            Ok(ev) => self.inner.events.emit(ev),
                            Err(x) => {
                                tracing::warn!(event = %e.id, error = %x, "stored event not broadcast")
                            }
                        }
                    }
                }
            }
        }
        self.inner.events_written.notify_one();
    }

    /// Creates a workspace with `owner` as its owner.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use socialkit::engine::Engine;
    /// # use socialkit::store::{MemoryStore, Role};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// assert_eq!(engine.role(&ws, "olga").await.unwrap(), Some(Role::Owner));
    /// # });
    /// ```
    pub async fn create_workspace(
        &self,
        id: impl Into<WorkspaceId>,
        name: &str,
        owner: &str,
    ) -> Result<WorkspaceId> {
        let ws = Workspace::new(id, name);
        self.inner.store.create_workspace(&ws).await?;
        let owner = crate::store::Member::new(owner, crate::store::Role::Owner);
        self.writing_workspace(&ws.id, self.inner.store.put_member(&ws.id, &owner))
            .await?;
        Ok(ws.id)
    }

    /// Connects a channel to a workspace (owners only): stores its record and keeps the
    /// platform handle for the outbox. Call it again after a restart to re-attach the
    /// platform; deliveries of a channel that is not connected wait.
    pub async fn connect(
        &self,
        ws: &WorkspaceId,
        who: &str,
        mut record: ChannelRecord,
        platform: Arc<dyn Platform>,
    ) -> Result<()> {
        self.require(ws, who, Permission::Manage).await?;
        record.platform = crate::model::PlatformId::named(platform.name());
        self.inner.store.put_channel(ws, &record).await?;
        self.inner
            .platforms
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert((ws.clone(), record.id), platform);
        Ok(())
    }

    /// The platform connected as `channel` in `ws`.
    pub fn platform(&self, ws: &WorkspaceId, channel: &ChannelId) -> Option<Arc<dyn Platform>> {
        self.inner
            .platforms
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(ws.clone(), channel.clone()))
            .cloned()
    }

    pub(crate) fn require_platform(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
    ) -> Result<Arc<dyn Platform>> {
        self.platform(ws, channel).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("channel {channel} is not connected to workspace {ws}"),
            )
        })
    }

    /// Where a post's deliveries stand.
    pub async fn status(&self, ws: &WorkspaceId, post: &PostId) -> Result<PostStatus> {
        let list = self.deliveries(ws, post).await?;
        Ok(PostStatus::of(&list))
    }

    /// A post's deliveries.
    pub async fn deliveries(&self, ws: &WorkspaceId, post: &PostId) -> Result<Vec<Delivery>> {
        self.inner
            .store
            .deliveries(ws, &DeliveryFilter::post(post.clone()))
            .await
    }

    /// Wakes a sleeping worker (new work was added).
    pub(crate) fn wake(&self) {
        self.inner.wake.notify_waiters();
    }
}
