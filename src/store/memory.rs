//! A store in memory: for tests and simulations. Nothing survives the process.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::events::{
    self, Emitter, EventFilter, EventId, EventOutcome, EventStatus, Finished, NewEvent,
    OutboxEvent, Replay, StoredEvent,
};
use super::{
    Attempt, AttemptOutcome, Change, ChannelId, ChannelRecord, Claim, Comment, Delivery,
    DeliveryFilter, DeliveryId, DeliveryState, HistoryEntry, Member, PostId, PostRecord, Selector,
    Stamp, Store, TextRewrite, Workspace, WorkspaceId, claim, claim_window, created, not_found,
    rewrite_record, spacing_defers,
};
use crate::model::Post;
use crate::{Error, ErrorKind, Result};

type Key<T> = (WorkspaceId, T);

#[derive(Debug, Default)]
struct Mem {
    workspaces: HashMap<WorkspaceId, Workspace>,
    members: HashMap<WorkspaceId, BTreeMap<String, Member>>,
    settings: HashMap<Key<String>, serde_json::Value>,
    channels: HashMap<WorkspaceId, BTreeMap<ChannelId, ChannelRecord>>,
    next_free: HashMap<Key<ChannelId>, DateTime<Utc>>,
    posts: HashMap<Key<PostId>, PostRecord>,
    deliveries: HashMap<Key<DeliveryId>, Delivery>,
    by_post: HashMap<Key<PostId>, Vec<DeliveryId>>,
    /// Scheduled and Publishing deliveries by the instant they are due.
    ready: BTreeSet<(DateTime<Utc>, WorkspaceId, DeliveryId)>,
    history: HashMap<WorkspaceId, Vec<HistoryEntry>>,
    history_of: HashMap<Key<DeliveryId>, Vec<usize>>,
    attempts: HashMap<Key<DeliveryId>, Vec<Attempt>>,
    comments: HashMap<Key<PostId>, Vec<Comment>>,
    /// The events outbox by `seq` (the order written; purged events leave gaps).
    events: BTreeMap<i64, OutboxEvent>,
    /// The last `seq` given (never given again, even when that event was purged).
    last_seq: i64,
    /// The `seq` of Pending events.
    pending_events: BTreeSet<i64>,
}

/// A [`Store`] in memory. Cheap to make; every test can have its own.
///
/// ```
/// use socialkit::store::{MemoryStore, Store, Workspace};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// store.create_workspace(&Workspace::new("acme", "ACME")).await.unwrap();
/// assert!(store.create_workspace(&Workspace::new("acme", "again")).await.is_err());
/// # });
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    mem: Mutex<Mem>,
    vault: std::sync::Arc<super::vault::MemoryVault>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Mem> {
        self.mem.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Mem {
    fn ws(&self, ws: &WorkspaceId) -> Result<&Workspace> {
        self.workspaces.get(ws).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("workspace {ws} does not exist"),
            )
        })
    }

    fn get(&self, ws: &WorkspaceId, id: &DeliveryId) -> Result<&Delivery> {
        self.deliveries
            .get(&(ws.clone(), id.clone()))
            .ok_or_else(|| not_found("delivery", id, ws))
    }

    /// Writes a delivery back, keeping the due index right.
    fn save(&mut self, d: Delivery) {
        let key = (d.workspace.clone(), d.id.clone());
        if let Some(old) = self.deliveries.get(&key) {
            if let (true, Some(at)) = (old.is_ready_state(), old.due_at) {
                self.ready.remove(&(at, key.0.clone(), key.1.clone()));
            }
        }
        if let (true, Some(at)) = (d.is_ready_state(), d.due_at) {
            self.ready.insert((at, key.0.clone(), key.1.clone()));
        }
        self.deliveries.insert(key, d);
    }

    fn log(&mut self, h: HistoryEntry) {
        let list = self.history.entry(h.workspace.clone()).or_default();
        self.history_of
            .entry((h.workspace.clone(), h.delivery.clone()))
            .or_default()
            .push(list.len());
        list.push(h);
    }

    fn end_attempt(
        &mut self,
        ws: &WorkspaceId,
        d: &DeliveryId,
        id: &str,
        o: AttemptOutcome,
        at: DateTime<Utc>,
    ) {
        if let Some(a) = self
            .attempts
            .get_mut(&(ws.clone(), d.clone()))
            .and_then(|v| v.iter_mut().rev().find(|a| a.id == id))
        {
            a.outcome = Some(o);
            a.finished_at = Some(at);
        }
    }

    fn select(&self, ws: &WorkspaceId, selector: &Selector) -> Result<Vec<Delivery>> {
        match selector {
            Selector::Delivery(id) => Ok(vec![self.get(ws, id)?.clone()]),
            Selector::Post(p) => {
                if !self.posts.contains_key(&(ws.clone(), p.clone())) {
                    return Err(not_found("post", p, ws));
                }
                let ids = self
                    .by_post
                    .get(&(ws.clone(), p.clone()))
                    .cloned()
                    .unwrap_or_default();
                ids.iter()
                    .map(|id| self.get(ws, id).cloned())
                    .filter(|d| d.as_ref().map_or(true, |d| !d.state.is_terminal()))
                    .collect()
            }
        }
    }

    /// Writes events, Pending and due at `at`.
    fn append(
        &mut self,
        ws: &WorkspaceId,
        list: Vec<NewEvent>,
        at: DateTime<Utc>,
    ) -> Vec<StoredEvent> {
        let mut out = Vec::with_capacity(list.len());
        for e in list {
            self.last_seq += 1;
            let event = StoredEvent {
                id: EventId::generate(at),
                seq: self.last_seq,
                workspace: ws.clone(),
                kind: e.kind,
                payload: e.payload,
                created_at: at,
            };
            self.pending_events.insert(self.last_seq);
            self.events.insert(
                self.last_seq,
                OutboxEvent {
                    event: event.clone(),
                    status: EventStatus::Pending,
                    attempts: 0,
                    next_at: at,
                    lease: None,
                    last_error: None,
                },
            );
            out.push(event);
        }
        out
    }

    /// The events `emit` computes for `changed`, written.
    fn emit(
        &mut self,
        ws: &WorkspaceId,
        changed: &[Delivery],
        emit: &dyn Emitter,
        at: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>> {
        let list = events::emitted(emit, changed, |p| {
            Ok(self
                .by_post
                .get(&(ws.clone(), p.clone()))
                .map(|ids| {
                    ids.iter()
                        .filter_map(|id| self.get(ws, id).ok().cloned())
                        .collect()
                })
                .unwrap_or_default())
        })?;
        Ok(self.append(ws, list, at))
    }

    fn event_mut(&mut self, ws: &WorkspaceId, id: &EventId) -> Result<(i64, &mut OutboxEvent)> {
        let is = |e: &OutboxEvent| &e.event.workspace == ws && &e.event.id == id;
        // A held event is Pending: look there first, the whole outbox only when not found.
        let seq = self
            .pending_events
            .iter()
            .copied()
            .find(|s| self.events.get(s).is_some_and(is))
            .or_else(|| self.events.iter().find(|(_, e)| is(e)).map(|(seq, _)| *seq));
        seq.and_then(|s| self.events.get_mut(&s).map(|e| (s, e)))
            .ok_or_else(|| not_found("event", id, ws))
    }

    /// Records how the send of an event `worker` holds ended; a finished event leaves the
    /// pending index.
    fn finish_event(
        &mut self,
        ws: &WorkspaceId,
        id: &EventId,
        worker: &str,
        outcome: &EventOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (i, e) = self.event_mut(ws, id)?;
        events::finish(e, worker, outcome, now)?;
        if e.status != EventStatus::Pending {
            self.pending_events.remove(&i);
        }
        Ok(())
    }

    /// Crisis mode on or off; the deliveries changed.
    fn pause(&mut self, ws: &WorkspaceId, paused: bool, stamp: &Stamp) -> Result<Vec<Delivery>> {
        self.ws(ws)?;
        let (list, change): (Vec<Delivery>, Change) = if paused {
            let l = self
                .deliveries
                .iter()
                .filter(|((w, _), d)| w == ws && d.state.is_pending())
                .map(|(_, d)| d.clone())
                .collect();
            (l, Change::Pause)
        } else {
            let l = self
                .deliveries
                .iter()
                .filter(|((w, _), d)| w == ws && d.state == DeliveryState::Paused)
                .map(|(_, d)| d.clone())
                .collect();
            (l, Change::Resume)
        };
        let out = self.apply_all(list, &change, stamp, paused)?;
        if let Some(w) = self.workspaces.get_mut(ws) {
            w.paused = paused;
        }
        Ok(out)
    }

    /// Applies `change` to every delivery in `list`; writes them all or none.
    fn apply_all(
        &mut self,
        list: Vec<Delivery>,
        change: &Change,
        stamp: &Stamp,
        paused: bool,
    ) -> Result<Vec<Delivery>> {
        let ctx = stamp.ctx(paused);
        let mut done = Vec::with_capacity(list.len());
        for mut d in list {
            let applied = change.apply(&mut d, &ctx)?;
            done.push((d, applied));
        }
        let mut out = Vec::with_capacity(done.len());
        for (d, applied) in done {
            if let Some((id, outcome)) = applied.attempt {
                self.end_attempt(&d.workspace, &d.id, &id, outcome, stamp.at);
            }
            self.log(applied.history);
            out.push(d.clone());
            self.save(d);
        }
        Ok(out)
    }
}

#[async_trait]
impl Store for MemoryStore {
    fn vault(&self) -> Result<std::sync::Arc<dyn super::vault::VaultStore>> {
        Ok(self.vault.clone())
    }

    async fn rewrite_text(
        &self,
        ws: &WorkspaceId,
        rewrite: &TextRewrite,
    ) -> Result<Option<BTreeMap<String, u64>>> {
        fn each<'a, T: serde::Serialize + serde::de::DeserializeOwned + 'a>(
            records: impl Iterator<Item = &'a mut T>,
            rewrite: &TextRewrite,
        ) -> Result<u64> {
            let mut n = 0;
            for r in records {
                n += u64::from(rewrite_record(r, rewrite)?);
            }
            Ok(n)
        }
        let mut m = self.lock();
        let m = &mut *m;
        let mut counts = BTreeMap::new();
        let mine = |k: &WorkspaceId| k == ws;
        let n = each(
            m.posts
                .iter_mut()
                .filter(|(k, _)| mine(&k.0))
                .map(|(_, v)| v),
            rewrite,
        )?;
        counts.insert("posts".to_string(), n);
        let n = each(
            m.deliveries
                .iter_mut()
                .filter(|(k, _)| mine(&k.0))
                .map(|(_, v)| v),
            rewrite,
        )?;
        counts.insert("deliveries".to_string(), n);
        let n = each(m.history.get_mut(ws).into_iter().flatten(), rewrite)?;
        counts.insert("history".to_string(), n);
        let n = each(
            m.attempts
                .iter_mut()
                .filter(|(k, _)| mine(&k.0))
                .flat_map(|(_, v)| v),
            rewrite,
        )?;
        counts.insert("attempts".to_string(), n);
        let n = each(
            m.comments
                .iter_mut()
                .filter(|(k, _)| mine(&k.0))
                .flat_map(|(_, v)| v),
            rewrite,
        )?;
        counts.insert("comments".to_string(), n);
        let n = each(
            m.events.values_mut().filter(|e| mine(&e.event.workspace)),
            rewrite,
        )?;
        counts.insert("events".to_string(), n);
        counts.retain(|_, n| *n > 0);
        Ok(Some(counts))
    }

    async fn create_workspace(&self, workspace: &Workspace) -> Result<()> {
        let mut m = self.lock();
        if m.workspaces.contains_key(&workspace.id) {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("workspace {} exists already", workspace.id),
            ));
        }
        m.workspaces.insert(workspace.id.clone(), workspace.clone());
        Ok(())
    }

    async fn workspace(&self, id: &WorkspaceId) -> Result<Workspace> {
        self.lock().ws(id).cloned()
    }

    async fn put_member(&self, ws: &WorkspaceId, member: &Member) -> Result<()> {
        let mut m = self.lock();
        m.ws(ws)?;
        m.members
            .entry(ws.clone())
            .or_default()
            .insert(member.user.clone(), member.clone());
        Ok(())
    }

    async fn remove_member(&self, ws: &WorkspaceId, user: &str) -> Result<()> {
        let mut m = self.lock();
        m.ws(ws)?;
        if let Some(list) = m.members.get_mut(ws) {
            list.remove(user);
        }
        Ok(())
    }

    async fn members(&self, ws: &WorkspaceId) -> Result<Vec<Member>> {
        let m = self.lock();
        m.ws(ws)?;
        Ok(m.members
            .get(ws)
            .map(|l| l.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn put_setting(
        &self,
        ws: &WorkspaceId,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<()> {
        let mut m = self.lock();
        m.ws(ws)?;
        m.settings
            .insert((ws.clone(), key.to_string()), value.clone());
        Ok(())
    }

    async fn setting(&self, ws: &WorkspaceId, key: &str) -> Result<Option<serde_json::Value>> {
        let m = self.lock();
        m.ws(ws)?;
        Ok(m.settings.get(&(ws.clone(), key.to_string())).cloned())
    }

    async fn put_channel(&self, ws: &WorkspaceId, channel: &ChannelRecord) -> Result<()> {
        let mut m = self.lock();
        m.ws(ws)?;
        m.channels
            .entry(ws.clone())
            .or_default()
            .insert(channel.id.clone(), channel.clone());
        Ok(())
    }

    async fn channels(&self, ws: &WorkspaceId) -> Result<Vec<ChannelRecord>> {
        let m = self.lock();
        m.ws(ws)?;
        Ok(m.channels
            .get(ws)
            .map(|l| l.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn insert_post(
        &self,
        post: &PostRecord,
        deliveries: &[Delivery],
        why: &str,
    ) -> Result<()> {
        let mut m = self.lock();
        let ws = &post.workspace;
        m.ws(ws)?;
        let key = (ws.clone(), post.id.clone());
        if m.posts.contains_key(&key) {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("post {} exists already", post.id),
            ));
        }
        let mut entries = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            if &d.workspace != ws || d.post != post.id {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    "a delivery must belong to the post's workspace and post",
                ));
            }
            if m.deliveries.contains_key(&(ws.clone(), d.id.clone())) {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!("delivery {} exists already", d.id),
                ));
            }
            entries.push(created(d, &post.created_by, why)?);
        }
        m.posts.insert(key.clone(), post.clone());
        m.by_post
            .insert(key, deliveries.iter().map(|d| d.id.clone()).collect());
        for (d, h) in deliveries.iter().zip(entries) {
            m.save(d.clone());
            m.log(h);
        }
        Ok(())
    }

    async fn post(&self, ws: &WorkspaceId, id: &PostId) -> Result<PostRecord> {
        let m = self.lock();
        m.ws(ws)?;
        m.posts
            .get(&(ws.clone(), id.clone()))
            .cloned()
            .ok_or_else(|| not_found("post", id, ws))
    }

    async fn edit_post(
        &self,
        post: &PostRecord,
        contents: &[(DeliveryId, Post)],
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>> {
        let mut m = self.lock();
        let ws = &post.workspace;
        let paused = m.ws(ws)?.paused;
        let key = (ws.clone(), post.id.clone());
        if !m.posts.contains_key(&key) {
            return Err(not_found("post", &post.id, ws));
        }
        let ctx = stamp.ctx(paused);
        let mut done = Vec::new();
        for (id, content) in contents {
            let mut d = m.get(ws, id)?.clone();
            if d.post != post.id {
                return Err(not_found("delivery", id, ws));
            }
            let change = Change::Edit {
                content: Box::new(content.clone()),
            };
            let applied = change.apply(&mut d, &ctx)?;
            done.push((d, applied.history));
        }
        m.posts.insert(key, post.clone());
        let mut out = Vec::new();
        for (d, h) in done {
            m.log(h);
            out.push(d.clone());
            m.save(d);
        }
        Ok(out)
    }

    async fn delivery(&self, ws: &WorkspaceId, id: &DeliveryId) -> Result<Delivery> {
        let m = self.lock();
        m.ws(ws)?;
        m.get(ws, id).cloned()
    }

    async fn deliveries(&self, ws: &WorkspaceId, filter: &DeliveryFilter) -> Result<Vec<Delivery>> {
        let m = self.lock();
        m.ws(ws)?;
        let mut out: Vec<Delivery> = match &filter.post {
            Some(p) => m
                .by_post
                .get(&(ws.clone(), p.clone()))
                .into_iter()
                .flatten()
                .filter_map(|id| m.deliveries.get(&(ws.clone(), id.clone())))
                .filter(|d| filter.matches(d))
                .cloned()
                .collect(),
            None => m
                .deliveries
                .iter()
                .filter(|((w, _), d)| w == ws && filter.matches(d))
                .map(|(_, d)| d.clone())
                .collect(),
        };
        out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        if let Some(n) = filter.limit {
            out.truncate(n);
        }
        Ok(out)
    }

    async fn apply(
        &self,
        ws: &WorkspaceId,
        selector: &Selector,
        change: &Change,
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>> {
        let mut m = self.lock();
        let paused = m.ws(ws)?.paused;
        let list = m.select(ws, selector)?;
        m.apply_all(list, change, stamp, paused)
    }

    async fn set_paused(
        &self,
        ws: &WorkspaceId,
        paused: bool,
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>> {
        self.lock().pause(ws, paused, stamp)
    }

    async fn apply_emitting(
        &self,
        ws: &WorkspaceId,
        selector: &Selector,
        change: &Change,
        stamp: &Stamp,
        emit: std::sync::Arc<dyn Emitter>,
    ) -> Result<(Vec<Delivery>, Vec<StoredEvent>)> {
        let mut m = self.lock();
        let paused = m.ws(ws)?.paused;
        let list = m.select(ws, selector)?;
        // Compute before writing anything, so a refused change writes no event.
        let changed = m.apply_all(list, change, stamp, paused)?;
        let events = m.emit(ws, &changed, emit.as_ref(), stamp.at)?;
        Ok((changed, events))
    }

    async fn set_paused_emitting(
        &self,
        ws: &WorkspaceId,
        paused: bool,
        stamp: &Stamp,
        emit: std::sync::Arc<dyn Emitter>,
    ) -> Result<(Vec<Delivery>, Vec<StoredEvent>)> {
        let mut m = self.lock();
        let changed = m.pause(ws, paused, stamp)?;
        let events = m.emit(ws, &changed, emit.as_ref(), stamp.at)?;
        Ok((changed, events))
    }

    async fn append_events(
        &self,
        ws: &WorkspaceId,
        list: &[NewEvent],
        at: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>> {
        let mut m = self.lock();
        m.ws(ws)?;
        Ok(m.append(ws, list.to_vec(), at))
    }

    async fn claim_events(
        &self,
        now: DateTime<Utc>,
        worker: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxEvent>> {
        let mut m = self.lock();
        let m = &mut *m;
        let mut out = Vec::new();
        for seq in &m.pending_events {
            if out.len() >= limit {
                break;
            }
            let Some(e) = m.events.get_mut(seq) else {
                continue;
            };
            if events::claimable(e, now) {
                events::take(e, worker, now, lease);
                out.push(e.clone());
            }
        }
        Ok(out)
    }

    async fn finish_event(
        &self,
        ws: &WorkspaceId,
        id: &EventId,
        worker: &str,
        outcome: &EventOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.lock().finish_event(ws, id, worker, outcome, now)
    }

    async fn finish_events(
        &self,
        worker: &str,
        done: &[Finished],
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<()>>> {
        let mut m = self.lock();
        Ok(done
            .iter()
            .map(|f| m.finish_event(&f.workspace, &f.id, worker, &f.outcome, now))
            .collect())
    }

    async fn purge_events(&self, before: DateTime<Utc>, limit: usize) -> Result<usize> {
        let mut m = self.lock();
        let old: Vec<i64> = m
            .events
            .iter()
            .filter(|(_, e)| events::purgeable(e, before))
            .map(|(seq, _)| *seq)
            .take(limit)
            .collect();
        for seq in &old {
            m.events.remove(seq);
        }
        Ok(old.len())
    }

    async fn events(&self, ws: &WorkspaceId, filter: &EventFilter) -> Result<Vec<OutboxEvent>> {
        let m = self.lock();
        m.ws(ws)?;
        Ok(m.events
            .values()
            .filter(|e| &e.event.workspace == ws && filter.wants(e))
            .take(filter.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }

    async fn replay_events(
        &self,
        ws: &WorkspaceId,
        which: &Replay,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut m = self.lock();
        m.ws(ws)?;
        match which {
            Replay::One(id) => {
                let (i, e) = m.event_mut(ws, id)?;
                if !events::revive(e, now) {
                    return Err(Error::new(
                        ErrorKind::Conflict,
                        format!("event {id} is {}, not dead", e.status.as_str()),
                    ));
                }
                m.pending_events.insert(i);
                Ok(1)
            }
            Replay::AllDead => {
                let mut n = 0;
                let m = &mut *m;
                for (seq, e) in m.events.iter_mut() {
                    if &e.event.workspace == ws && events::revive(e, now) {
                        m.pending_events.insert(*seq);
                        n += 1;
                    }
                }
                Ok(n)
            }
        }
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        worker: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<Claim>> {
        let mut m = self.lock();
        let candidates: Vec<(DateTime<Utc>, WorkspaceId, DeliveryId)> = m
            .ready
            .iter()
            .take_while(|(at, _, _)| *at <= now)
            .filter(|(_, ws, _)| m.workspaces.get(ws).is_some_and(|w| !w.paused))
            .take(claim_window(limit))
            .cloned()
            .collect();
        let mut out = Vec::new();
        for (_, ws, id) in candidates {
            if out.len() >= limit {
                break;
            }
            let mut d = m.get(&ws, &id)?.clone();
            let slot = (ws.clone(), d.channel.clone());
            if let Some(at) = spacing_defers(m.next_free.get(&slot).copied(), now) {
                if d.state == DeliveryState::Scheduled {
                    d.due_at = Some(at);
                    m.save(d);
                    continue;
                }
            }
            let c = claim(&mut d, now, worker, lease)?;
            if let Some(old) = &c.abandoned {
                m.end_attempt(&ws, &id, old, AttemptOutcome::Abandoned, now);
            }
            let spacing = m
                .channels
                .get(&ws)
                .and_then(|l| l.get(&d.channel))
                .and_then(|c| c.min_spacing_secs);
            if let Some(s) = spacing {
                m.next_free.insert(slot, now + Duration::seconds(s));
            }
            m.attempts
                .entry((ws.clone(), id.clone()))
                .or_default()
                .push(c.attempt.clone());
            m.log(c.history);
            m.save(d.clone());
            out.push(Claim {
                delivery: d,
                attempt: c.attempt,
            });
        }
        Ok(out)
    }

    async fn expire_leases(&self, worker: &str, now: DateTime<Utc>) -> Result<usize> {
        let mut m = self.lock();
        let held: Vec<Delivery> = m
            .deliveries
            .values()
            .filter(|d| {
                d.state == DeliveryState::Publishing
                    && d.lease
                        .as_ref()
                        .is_some_and(|l| l.worker == worker && l.until > now)
            })
            .cloned()
            .collect();
        let n = held.len();
        for mut d in held {
            if let Some(l) = d.lease.as_mut() {
                l.until = now;
            }
            d.due_at = Some(now);
            m.save(d);
        }
        Ok(n)
    }

    async fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        let m = self.lock();
        Ok(m.ready
            .iter()
            .find(|(_, ws, _)| m.workspaces.get(ws).is_some_and(|w| !w.paused))
            .map(|(at, _, _)| *at))
    }

    async fn history(&self, ws: &WorkspaceId, delivery: &DeliveryId) -> Result<Vec<HistoryEntry>> {
        let m = self.lock();
        m.ws(ws)?;
        let list = m.history.get(ws);
        Ok(m.history_of
            .get(&(ws.clone(), delivery.clone()))
            .into_iter()
            .flatten()
            .filter_map(|i| list.and_then(|l| l.get(*i)).cloned())
            .collect())
    }

    async fn audit_log(&self, ws: &WorkspaceId, limit: usize) -> Result<Vec<HistoryEntry>> {
        let m = self.lock();
        m.ws(ws)?;
        let list = m.history.get(ws).map(Vec::as_slice).unwrap_or_default();
        Ok(list[list.len().saturating_sub(limit)..].to_vec())
    }

    async fn attempts(&self, ws: &WorkspaceId, delivery: &DeliveryId) -> Result<Vec<Attempt>> {
        let m = self.lock();
        m.ws(ws)?;
        Ok(m.attempts
            .get(&(ws.clone(), delivery.clone()))
            .cloned()
            .unwrap_or_default())
    }

    async fn add_comment(&self, comment: &Comment) -> Result<()> {
        let mut m = self.lock();
        m.ws(&comment.workspace)?;
        let key = (comment.workspace.clone(), comment.post.clone());
        if !m.posts.contains_key(&key) {
            return Err(not_found("post", &comment.post, &comment.workspace));
        }
        m.comments.entry(key).or_default().push(comment.clone());
        Ok(())
    }

    async fn comments(&self, ws: &WorkspaceId, post: &PostId) -> Result<Vec<Comment>> {
        let m = self.lock();
        m.ws(ws)?;
        Ok(m.comments
            .get(&(ws.clone(), post.clone()))
            .cloned()
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn conformance() {
        crate::store::conformance::run(|| async { std::sync::Arc::new(MemoryStore::new()) as _ })
            .await;
    }
}
