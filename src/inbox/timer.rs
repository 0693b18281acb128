//! The SLA loop: raises each breach at the moment it happens.
//!
//! Each pass looks at the items whose clocks run (new and pending ones, and those resolved
//! since the last pass), raises what is due, and computes the next instant something falls
//! due in business hours ([`SlaPolicy::pending`](super::sla::SlaPolicy::pending), built on
//! [`BusinessHours::latest_at`](super::sla::BusinessHours::latest_at): over nights, weekends,
//! holidays and DST changes). The loop then sleeps on the inbox's [`Clock`] until that instant,
//! or until the store changes (new items from `sync`, a reply, a state change or assignment),
//! or until it is told to stop. The first pass looks at every item, so breaches missed while
//! no loop ran are raised on start.
//!
//! Each breach (and each "at risk" warning) is recorded on its item
//! ([`InboxItem::breaches`], [`InboxItem::warnings`]) with
//! [`InboxStore::note_sla`](super::InboxStore::note_sla) before its event is sent, so it is
//! raised once, across restarts and between loops sharing a store.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use super::sla::{SlaBreach, SlaKind, SlaPolicy, SlaWarning};
use super::store::{OPEN, SlaNote, all};
use super::{Inbox, InboxEvent, InboxItem, InboxStore, ItemState, Narrowing};
use crate::clock::SharedClock;
use crate::error::{Error, ErrorKind, Result};
use std::sync::Arc;

/// How the SLA loop runs.
///
/// ```
/// use socialkit::inbox::SlaTimerConfig;
/// let c = SlaTimerConfig::default().warn_before(chrono::Duration::minutes(30));
/// assert_eq!(c.warn_before, Some(chrono::Duration::minutes(30)));
/// assert_eq!(c.max_sleep, std::time::Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaTimerConfig {
    /// Raise [`InboxEvent::SlaAtRisk`] this much business time before a target is missed;
    /// `None` for no warnings.
    pub warn_before: Option<Duration>,
    /// Sleep at most this long at a time, so changes made by other processes to a shared
    /// store are seen. (With a [`ManualClock`](crate::clock::ManualClock) each sleep moves
    /// the clock: the loop then walks to the next due instant in steps of this size.)
    pub max_sleep: StdDuration,
}

impl Default for SlaTimerConfig {
    /// No warnings; sleeps of at most a minute.
    fn default() -> Self {
        SlaTimerConfig {
            warn_before: None,
            max_sleep: StdDuration::from_secs(60),
        }
    }
}

impl SlaTimerConfig {
    /// Warns `lead` business time before each breach.
    ///
    /// ```
    /// use socialkit::inbox::SlaTimerConfig;
    /// let c = SlaTimerConfig::default().warn_before(chrono::Duration::minutes(15));
    /// assert_eq!(c.warn_before.unwrap().num_minutes(), 15);
    /// ```
    pub fn warn_before(mut self, lead: Duration) -> Self {
        self.warn_before = Some(lead);
        self
    }

    /// Sleeps at most `max` at a time (at least a millisecond).
    ///
    /// ```
    /// use std::time::Duration;
    /// use socialkit::inbox::SlaTimerConfig;
    /// assert_eq!(SlaTimerConfig::default().max_sleep(Duration::ZERO).max_sleep, Duration::from_millis(1));
    /// ```
    pub fn max_sleep(mut self, max: StdDuration) -> Self {
        self.max_sleep = max.max(StdDuration::from_millis(1));
        self
    }
}

/// A running SLA loop; see [`Inbox::spawn_sla_timer`].
///
/// ```
/// use std::sync::Arc;
/// use socialkit::clock::SystemClock;
/// use socialkit::inbox::{Inbox, MemoryInboxStore, SlaTimerConfig};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
/// let timer = inbox.spawn_sla_timer(SlaTimerConfig::default());
/// assert!(!timer.is_finished());
/// timer.shutdown().await.unwrap();
/// # });
/// ```
#[derive(Debug)]
pub struct SlaTimer {
    stop: watch::Sender<bool>,
    handle: JoinHandle<Result<()>>,
}

impl SlaTimer {
    /// Asks the loop to stop and waits for it (a pass under way finishes first).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore, SlaTimerConfig};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// let timer = inbox.spawn_sla_timer(SlaTimerConfig::default());
    /// assert!(!timer.is_finished());
    /// timer.shutdown().await.unwrap();
    /// # });
    /// ```
    pub async fn shutdown(self) -> Result<()> {
        let _ = self.stop.send(true);
        self.handle.await.map_err(|e| {
            Error::new(ErrorKind::Unexpected, "the SLA loop task failed").with_source(e)
        })?
    }

    /// Whether the loop has stopped.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore, SlaTimerConfig};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// let timer = inbox.spawn_sla_timer(SlaTimerConfig::default());
    /// assert!(!timer.is_finished());
    /// timer.shutdown().await.unwrap();
    /// # });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}

/// What one pass of the loop needs: the parts of the inbox it reads.
struct Pass {
    store: Arc<dyn InboxStore>,
    clock: SharedClock,
    policy: SlaPolicy,
    events: broadcast::Sender<InboxEvent>,
    warn_before: Option<Duration>,
}

impl Pass {
    /// Raises what is due at `now` among `items`; the breaches raised and the next instant
    /// something falls due.
    async fn run(
        &self,
        items: Vec<InboxItem>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<SlaBreach>, Option<DateTime<Utc>>)> {
        let mut raised = Vec::new();
        let mut next: Option<DateTime<Utc>> = None;
        let mut at = |t: DateTime<Utc>| next = Some(next.map_or(t, |n| n.min(t)));
        for item in items {
            for b in self.policy.breaches(&item, now) {
                if !item.breaches.contains(&b.kind)
                    && self
                        .store
                        .note_sla(&item.key, b.kind, SlaNote::Breached)
                        .await?
                {
                    let _ = self.events.send(InboxEvent::SlaBreached(b.clone()));
                    raised.push(b);
                }
            }
            for (kind, due) in self.policy.pending(&item) {
                if due <= now {
                    continue; // breached just above
                }
                at(due);
                let Some(lead) = self.warn_before else {
                    continue;
                };
                if item.warnings.contains(&kind) {
                    continue;
                }
                let warn = self.warn_at(&item, kind, lead).unwrap_or(due);
                if warn > now {
                    at(warn);
                } else if self
                    .store
                    .note_sla(&item.key, kind, SlaNote::AtRisk)
                    .await?
                {
                    let _ = self.events.send(InboxEvent::SlaAtRisk(SlaWarning {
                        item: item.key.clone(),
                        channel: item.channel.clone(),
                        assignee: item.assignee.clone(),
                        kind,
                        due,
                        remaining: self.policy.hours.between(now, due),
                        detected_at: now,
                    }));
                }
            }
        }
        Ok((raised, next))
    }

    fn warn_at(&self, item: &InboxItem, kind: SlaKind, lead: Duration) -> Option<DateTime<Utc>> {
        let left = (self.policy.target(kind) - lead).max(Duration::zero());
        self.policy.hours.latest_at(item.opened_at(), left)
    }

    /// The items whose clocks may have run out since `since`: open ones, and those resolved
    /// at or after it. Every item when `since` is `None`.
    async fn candidates(&self, since: Option<DateTime<Utc>>) -> Result<Vec<InboxItem>> {
        let store = self.store.as_ref();
        let Some(since) = since else {
            return all(store, &Narrowing::default(), &self.policy).await;
        };
        let mut items = all(
            store,
            &Narrowing {
                states: OPEN.to_vec(),
                measured: true,
                ..Narrowing::default()
            },
            &self.policy,
        )
        .await?;
        items.extend(
            all(
                store,
                &Narrowing {
                    states: vec![ItemState::Resolved],
                    resolved_since: Some(since),
                    measured: true,
                    ..Narrowing::default()
                },
                &self.policy,
            )
            .await?,
        );
        Ok(items)
    }
}

async fn stopped(rx: &mut watch::Receiver<bool>) {
    while !*rx.borrow() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}

async fn changed(rx: &mut watch::Receiver<u64>) {
    if rx.changed().await.is_err() {
        // The inbox and its store are gone: nothing will change any more.
        std::future::pending::<()>().await;
    }
}

async fn run(
    pass: Pass,
    cfg: SlaTimerConfig,
    mut changes: watch::Receiver<u64>,
    mut stop: watch::Receiver<bool>,
) -> Result<()> {
    let mut since: Option<DateTime<Utc>> = None;
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        changes.borrow_and_update();
        let now = pass.clock.now();
        let outcome = match pass.candidates(since).await {
            Ok(items) => pass.run(items, now).await,
            Err(e) => Err(e),
        };
        let next = match outcome {
            Ok((_, next)) => {
                since = Some(now);
                next
            }
            Err(e) => {
                tracing::warn!(error = %e, "SLA pass failed; trying again");
                Some(now + Duration::from_std(cfg.max_sleep).unwrap_or(Duration::MAX))
            }
        };
        let sleep = next.map(|t| {
            (t - now)
                .to_std()
                .unwrap_or(StdDuration::ZERO)
                .min(cfg.max_sleep)
        });
        let nap = async {
            match sleep {
                Some(d) => pass.clock.sleep(d).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            biased;
            _ = stopped(&mut stop) => return Ok(()),
            _ = changed(&mut changes) => {}
            _ = nap => {}
        }
    }
}

impl Inbox {
    fn sla_pass(&self, warn_before: Option<Duration>) -> Pass {
        Pass {
            store: self.store.clone(),
            clock: self.clock.clone(),
            policy: self.sla.clone(),
            events: self.events.clone(),
            warn_before,
        }
    }

    /// Checks every item against the SLA at the clock's now; raises each breach once (as an
    /// [`InboxEvent::SlaBreached`], recorded on the item) and returns the new ones. The loop
    /// of [`spawn_sla_timer`](Inbox::spawn_sla_timer) does this by itself, at each due instant.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore};
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert!(inbox.check_sla().await.unwrap().is_empty());
    /// # });
    /// ```
    pub async fn check_sla(&self) -> Result<Vec<SlaBreach>> {
        let pass = self.sla_pass(None);
        let items = pass.candidates(None).await?;
        Ok(pass.run(items, self.clock.now()).await?.0)
    }

    /// Starts the SLA loop on the current tokio runtime: it raises
    /// [`InboxEvent::SlaBreached`] at the instant each target is missed (and
    /// [`InboxEvent::SlaAtRisk`] before, if configured), sleeping on the inbox's clock in
    /// between and waking when the store changes. Stop it with [`SlaTimer::shutdown`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::ManualClock;
    /// use socialkit::inbox::{Inbox, InboxEvent, MemoryInboxStore, SlaTimerConfig};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let monday = "2026-03-02T09:00:00Z".parse().unwrap();
    /// let clock = Arc::new(ManualClock::new(monday));
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), clock.clone());
    /// let mut events = inbox.subscribe();
    /// let timer = inbox.spawn_sla_timer(SlaTimerConfig::default());
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Mention,
    ///     author: Author::default(), text: Some("where is my order?".into()),
    ///     created_at: monday, post: None, conversation: None, language: None,
    /// };
    /// inbox.ingest("acme", vec![i]).await.unwrap();
    /// // The default policy: 4 business hours (09–17 UTC) to the first response.
    /// loop {
    ///     if let InboxEvent::SlaBreached(b) = events.recv().await.unwrap() {
    ///         assert_eq!(b.due, "2026-03-02T13:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    ///         assert_eq!(b.detected_at, b.due);
    ///         break;
    ///     }
    /// }
    /// timer.shutdown().await.unwrap();
    /// # });
    /// ```
    pub fn spawn_sla_timer(&self, config: SlaTimerConfig) -> SlaTimer {
        let (stop, rx) = watch::channel(false);
        let pass = self.sla_pass(config.warn_before);
        let changes = self.changes.clone();
        let handle = tokio::spawn(run(pass, config, changes, rx));
        SlaTimer { stop, handle }
    }
}

#[cfg(test)]
#[path = "timer_tests.rs"]
mod tests;
