//! Contacts (DESIGN.md §1): people across channels, retention signals, and the
//! data-protection duties of a company that stores its customers' messages.
//!
//! - **Identities from ingest**: wrap the inbox's store in [`Contacts::resolving`] and every
//!   interaction's author becomes a platform [`Identity`] (platform + account id) with its own
//!   [`Contact`], recorded before the inbox stores the item ([`resolve`]).
//! - **One person, many channels**: [`Contacts::merge`] and [`Contacts::split`] link
//!   identities by hand, audited ([`AuditEntry`]); [`Contacts::suggestions`] finds evidence
//!   (the same link in two profiles, the same handle on two platforms, an explicit mention of
//!   another account); nothing merges by itself unless the caller switches a rule to
//!   [`RuleMode::AutoMerge`] ([`Contacts::auto_merge`]).
//! - **History**: [`Contacts::history`] — interactions across channels, our responses and
//!   response times — and [`Contacts::sentiment_series`] (sentiment over time); tags, notes,
//!   an owner, VIP status.
//! - **Retention signals** ([`signals`]): rules as data ([`SignalRule`]: unanswered
//!   complaints, falling sentiment, gone quiet, repeated questions), raised once per evidence
//!   as [`ContactEvent::Signal`] and, with [`Contacts::with_events`], as durable
//!   `contact_signal` events in the engine's outbox (webhooks); each names the inbox items
//!   that are its evidence. With [`Contacts::with_inbox`] every classified item of a contact
//!   with an open signal is marked ([`SIGNAL_TAG`] and
//!   `signal:<rule>` tags, read by [`InboxItem::signals`](crate::inbox::InboxItem::signals)),
//!   so a view filters on them ([`InboxFilter::has_signal`](crate::inbox::InboxFilter::has_signal))
//!   and shows them; each check unmarks the signals that closed.
//! - **Segments** ([`Segment`]: tags, platforms, activity, sentiment, VIP, owner) with CSV
//!   export ([`Contacts::segment_csv`]).
//! - **Data protection** ([`privacy`]): export of a person as JSON, erasure everywhere
//!   socialkit stores them, retention policies per workspace run by a worker loop.
//! - **Storage**: [`ContactStore`]; in memory or in SQLite in the engine's database through
//!   the store's [`SqliteHandle`](crate::store::SqliteHandle), like the inbox.
//!
//! ```
//! use std::sync::Arc;
//! use socialkit::clock::SystemClock;
//! use socialkit::contacts::{Contacts, MemoryContactStore, Segment};
//! use socialkit::inbox::{Inbox, MemoryInboxStore};
//! use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let inbox_store = Arc::new(MemoryInboxStore::default());
//! let contacts = Contacts::new(Arc::new(MemoryContactStore::default()), Arc::new(SystemClock))
//!     .with_inbox(inbox_store.clone(), Default::default());
//! let inbox = Inbox::new(contacts.resolving(inbox_store), Arc::new(SystemClock));
//! let said = |platform: &str, id: &str, who: &str| Interaction {
//!     reference: InteractionRef::new(platform, id), kind: InteractionKind::Mention,
//!     author: Author { id: who.into(), handle: who.into(), ..Default::default() },
//!     text: Some("where is my order?".into()), created_at: chrono::Utc::now(),
//!     post: None, conversation: None, language: None,
//! };
//! inbox.ingest("acme-x", vec![said("x", "1", "ann_k")]).await.unwrap();
//! inbox.ingest("acme-masto", vec![said("mastodon", "9", "ann_k")]).await.unwrap();
//! let all = contacts.segment(&Segment::default(), None, 10).await.unwrap();
//! assert_eq!(all.len(), 2); // two identities, two contacts until someone merges them
//! let s = contacts.suggestions(&Default::default()).await.unwrap();
//! assert_eq!(s.len(), 1); // the same handle on two platforms
//! let one = contacts.merge(&s[0].contacts[0], &s[0].contacts[1], "olga").await.unwrap();
//! assert_eq!(contacts.history(&one.id).await.unwrap().len(), 2);
//! # });
//! ```

mod model;
pub mod privacy;
pub mod resolve;
pub mod signals;
mod store;
pub mod suggest;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

pub use model::{
    AuditAction, AuditEntry, Contact, ContactId, ContactStats, Identity, IdentityKey, Note, Touch,
    base_handle, mentions_in, normalise_handle,
};
pub use privacy::{
    ErasureReport, PersonExport, ReplyRecord, RetentionPolicy, RetentionWorker, Subject,
};
pub use resolve::Resolving;
pub use signals::{NamedRule, Signal, SignalRule};
#[cfg(feature = "postgres")]
pub use store::PgContactStore;
#[cfg(feature = "sqlite")]
pub use store::SqliteContactStore;
pub use store::{ContactStore, Forget, MemoryContactStore, Relink, Segment};
pub use suggest::{Evidence, RuleMode, SuggestRules, Suggestion, normalise_link};

use crate::clock::SharedClock;
use crate::error::{Error, ErrorKind, Result};
use crate::inbox::sla::SlaPolicy;
use crate::inbox::{InboxStore, Narrowing, PageCursor, SIGNAL_TAG, SIGNAL_TAG_PREFIX, SortOrder};
use crate::store::{NewEvent, Store, WorkspaceId};

/// What the contact layer announces on [`Contacts::subscribe`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ContactEvent {
    /// A retention rule fired (once per evidence).
    Signal(Signal),
    /// Contacts were merged.
    Merged {
        /// The contact that remains.
        into: ContactId,
        /// The contact merged into it (gone).
        from: ContactId,
    },
}

/// One point of a contact's sentiment over time: the mean of the classified interactions of a
/// UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentPoint {
    /// The day.
    pub day: chrono::NaiveDate,
    /// Mean compound score.
    pub mean: f64,
    /// How many interactions.
    pub count: usize,
}

/// The contact layer of one workspace: a [`ContactStore`], the clock, optionally the inbox's
/// store (for export, erasure and retention) and the engine's store (for durable events and
/// our replies' texts).
#[derive(Debug)]
pub struct Contacts {
    store: Arc<dyn ContactStore>,
    clock: SharedClock,
    inbox: Option<(Arc<dyn InboxStore>, SlaPolicy)>,
    engine: Option<(Arc<dyn Store>, WorkspaceId)>,
    events: broadcast::Sender<ContactEvent>,
}

impl Contacts {
    /// Contacts kept in `store`, with time from `clock`.
    pub fn new(store: Arc<dyn ContactStore>, clock: SharedClock) -> Self {
        Contacts {
            store,
            clock,
            inbox: None,
            engine: None,
            events: broadcast::channel(256).0,
        }
    }

    /// The inbox's own store (not the [`resolving`](Contacts::resolving) wrapper) and its SLA
    /// policy: export reads the person's items from it, erasure and retention rewrite them.
    pub fn with_inbox(mut self, inbox: Arc<dyn InboxStore>, sla: SlaPolicy) -> Self {
        self.inbox = Some((inbox, sla));
        self
    }

    /// The engine's store and workspace: signals become durable `contact_signal` events in
    /// its outbox (sent to webhooks), and exports carry our replies' texts.
    pub fn with_events(mut self, store: Arc<dyn Store>, ws: WorkspaceId) -> Self {
        self.engine = Some((store, ws));
        self
    }

    /// `inbox` wrapped so that every item stored through it resolves its author's contact
    /// first: give this to [`Inbox::new`](crate::inbox::Inbox::new).
    pub fn resolving(&self, inbox: Arc<dyn InboxStore>) -> Arc<dyn InboxStore> {
        Arc::new(Resolving::new(inbox, self.store.clone()))
    }

    /// Signals and merges as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<ContactEvent> {
        self.events.subscribe()
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn ContactStore> {
        &self.store
    }

    async fn must(&self, id: &ContactId) -> Result<Contact> {
        self.store
            .contact(id)
            .await?
            .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("no contact {id}")))
    }

    /// A contact.
    pub async fn contact(&self, id: &ContactId) -> Result<Contact> {
        self.must(id).await
    }

    /// The contact of an identity.
    pub async fn contact_of(&self, key: &IdentityKey) -> Result<Option<Contact>> {
        match self.store.contact_of(key).await? {
            Some(id) => self.store.contact(&id).await,
            None => Ok(None),
        }
    }

    /// A contact's identities.
    pub async fn identities(&self, id: &ContactId) -> Result<Vec<Identity>> {
        self.store.identities(id).await
    }

    /// A contact's history across channels, oldest first: each interaction with our first
    /// response and its time ([`Touch::response_time`]).
    pub async fn history(&self, id: &ContactId) -> Result<Vec<Touch>> {
        let keys: Vec<IdentityKey> = self
            .store
            .identities(id)
            .await?
            .into_iter()
            .map(|i| i.key)
            .collect();
        self.store.touches(&keys).await
    }

    /// A contact's sentiment over time, one point per UTC day with classified interactions.
    pub async fn sentiment_series(&self, id: &ContactId) -> Result<Vec<SentimentPoint>> {
        let mut out: Vec<SentimentPoint> = Vec::new();
        for t in self.history(id).await? {
            let Some(s) = t.sentiment else { continue };
            let day = t.at.date_naive();
            match out.last_mut() {
                Some(p) if p.day == day => {
                    p.mean = (p.mean * p.count as f64 + s) / (p.count + 1) as f64;
                    p.count += 1;
                }
                _ => out.push(SentimentPoint {
                    day,
                    mean: s,
                    count: 1,
                }),
            }
        }
        Ok(out)
    }

    async fn edit(
        &self,
        id: &ContactId,
        by: &str,
        action: AuditAction,
        f: impl FnOnce(&mut Contact),
    ) -> Result<Contact> {
        let mut c = self.must(id).await?;
        f(&mut c);
        let audit = AuditEntry::new(self.clock.now(), by, action).naming([id.clone()]);
        self.store.put_contact(&c, &audit).await?;
        Ok(c)
    }

    /// Adds a tag (not empty, no commas).
    pub async fn tag(&self, id: &ContactId, tag: &str, by: &str) -> Result<Contact> {
        let tag = valid_tag(tag)?;
        let t = tag.clone();
        self.edit(id, by, AuditAction::Tagged { tag }, |c| {
            c.tags.insert(t);
        })
        .await
    }

    /// Removes a tag.
    pub async fn untag(&self, id: &ContactId, tag: &str, by: &str) -> Result<Contact> {
        let t = tag.to_string();
        self.edit(id, by, AuditAction::Untagged { tag: t.clone() }, |c| {
            c.tags.remove(&t);
        })
        .await
    }

    /// Adds a note by `by`.
    pub async fn note(&self, id: &ContactId, text: &str, by: &str) -> Result<Contact> {
        if text.trim().is_empty() {
            return Err(Error::new(ErrorKind::Validation, "a note needs text"));
        }
        let note = Note {
            at: self.clock.now(),
            author: by.to_string(),
            text: text.to_string(),
        };
        self.edit(id, by, AuditAction::Noted, |c| c.notes.push(note))
            .await
    }

    /// Sets or clears the owner.
    pub async fn set_owner(
        &self,
        id: &ContactId,
        owner: Option<&str>,
        by: &str,
    ) -> Result<Contact> {
        let owner = owner.map(str::to_string);
        let o = owner.clone();
        self.edit(id, by, AuditAction::Owner { owner }, |c| c.owner = o)
            .await
    }

    /// Sets VIP status.
    pub async fn set_vip(&self, id: &ContactId, vip: bool, by: &str) -> Result<Contact> {
        self.edit(id, by, AuditAction::Vip { vip }, |c| c.vip = vip)
            .await
    }

    /// Records the websites or links in bio of an identity (evidence for suggestions).
    pub async fn record_links(
        &self,
        key: &IdentityKey,
        links: &[String],
        by: &str,
    ) -> Result<Identity> {
        let Some(mut i) = self.store.identity(key).await? else {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("no identity {key}"),
            ));
        };
        for l in links {
            if url::Url::parse(l).is_err() && !l.contains('.') {
                return Err(Error::new(
                    ErrorKind::Validation,
                    "a link must be a URL or a domain",
                ));
            }
        }
        i.links = links.to_vec();
        let audit = AuditEntry::new(self.clock.now(), by, AuditAction::Linked)
            .naming([i.contact.clone()])
            .about([key.clone()]);
        self.store.put_identity(&i, &audit).await?;
        Ok(i)
    }

    /// Merges contact `from` into `into`: every identity of `from` moves, tags and notes join,
    /// VIP if either, the owner of `into` else of `from`; `from` is gone. History follows the
    /// identities, so nothing of it is lost. Audited.
    pub async fn merge(&self, into: &ContactId, from: &ContactId, by: &str) -> Result<Contact> {
        self.merge_as(into, from, by, None).await
    }

    async fn merge_as(
        &self,
        into: &ContactId,
        from: &ContactId,
        by: &str,
        rule: Option<String>,
    ) -> Result<Contact> {
        if into == from {
            return Err(Error::new(
                ErrorKind::Validation,
                "cannot merge a contact with itself",
            ));
        }
        let mut a = self.must(into).await?;
        let b = self.must(from).await?;
        let moved: Vec<IdentityKey> = self
            .store
            .identities(from)
            .await?
            .into_iter()
            .map(|i| i.key)
            .collect();
        a.tags.extend(b.tags);
        a.notes.extend(b.notes);
        a.notes.sort_by_key(|n| n.at);
        a.vip |= b.vip;
        a.owner = a.owner.or(b.owner);
        a.created_at = a.created_at.min(b.created_at);
        let audit = AuditEntry::new(self.clock.now(), by, AuditAction::Merged { rule })
            .naming([into.clone(), from.clone()])
            .about(moved.clone());
        self.store
            .relink(&Relink {
                moves: moved.into_iter().map(|k| (k, into.clone())).collect(),
                upsert: vec![a],
                remove: vec![from.clone()],
                audit,
            })
            .await?;
        let _ = self.events.send(ContactEvent::Merged {
            into: into.clone(),
            from: from.clone(),
        });
        self.must(into).await
    }

    /// Splits `identities` off contact `id` into a new contact (no tags or notes: a person
    /// decides what belongs to whom); their history goes with them. Audited.
    pub async fn split(
        &self,
        id: &ContactId,
        identities: &[IdentityKey],
        by: &str,
    ) -> Result<Contact> {
        let old = self.must(id).await?;
        let own: BTreeSet<IdentityKey> = self
            .store
            .identities(id)
            .await?
            .into_iter()
            .map(|i| i.key)
            .collect();
        if identities.is_empty() || identities.iter().any(|k| !own.contains(k)) {
            return Err(Error::new(
                ErrorKind::Validation,
                "split names identities the contact does not have",
            ));
        }
        if identities.len() == own.len() {
            return Err(Error::new(
                ErrorKind::Validation,
                "a split must leave the contact at least one identity",
            ));
        }
        let new = Contact::new(self.clock.now());
        let audit = AuditEntry::new(self.clock.now(), by, AuditAction::Split)
            .naming([id.clone(), new.id.clone()])
            .about(identities.iter().cloned());
        let new_id = new.id.clone();
        self.store
            .relink(&Relink {
                moves: identities
                    .iter()
                    .map(|k| (k.clone(), new_id.clone()))
                    .collect(),
                upsert: vec![old, new],
                remove: vec![],
                audit,
            })
            .await?;
        self.must(&new_id).await
    }

    /// Suggestions to merge, from evidence under `rules`.
    pub async fn suggestions(&self, rules: &SuggestRules) -> Result<Vec<Suggestion>> {
        let identities = self.store.all_identities().await?;
        let mentions = self.store.mentions().await?;
        Ok(suggest::suggest(&identities, &mentions, rules))
    }

    /// Merges every suggestion with evidence of a rule set to [`RuleMode::AutoMerge`]
    /// (audited as `rule:<name>`); returns the contacts that remain. Does nothing unless the
    /// caller enabled such a rule.
    pub async fn auto_merge(&self, rules: &SuggestRules) -> Result<Vec<ContactId>> {
        if !rules.merges() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        // A merge changes later suggestions: one at a time, looked up again after each.
        loop {
            let next = self.suggestions(rules).await?.into_iter().find_map(|s| {
                s.evidence
                    .iter()
                    .find(|e| rules.mode(e) == RuleMode::AutoMerge)
                    .map(|e| (s.contacts.clone(), e.rule()))
            });
            let Some(([a, b], rule)) = next else {
                return Ok(out);
            };
            self.merge_as(&a, &b, &format!("rule:{rule}"), Some(rule.to_string()))
                .await?;
            out.push(a);
        }
    }

    /// Up to `limit` contacts of `segment` after `after` (by id; pass the last id of a page
    /// for the next).
    pub async fn segment(
        &self,
        segment: &Segment,
        after: Option<&ContactId>,
        limit: usize,
    ) -> Result<Vec<Contact>> {
        self.store.segment(segment, after, limit).await
    }

    /// The whole segment as CSV: `id,platforms,interactions,first_at,last_at,sentiment,tags,
    /// vip,owner` (RFC 4180 quoting; lists joined by `;`; no personal data but the owner).
    pub async fn segment_csv(&self, segment: &Segment) -> Result<String> {
        let mut out =
            String::from("id,platforms,interactions,first_at,last_at,sentiment,tags,vip,owner\r\n");
        let mut after: Option<ContactId> = None;
        loop {
            let page = self.store.segment(segment, after.as_ref(), 1000).await?;
            for c in &page {
                let s = &c.stats;
                let fields = [
                    c.id.to_string(),
                    s.platforms.iter().cloned().collect::<Vec<_>>().join(";"),
                    s.touches.to_string(),
                    s.first_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    s.last_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    s.sentiment().map(|v| format!("{v:.4}")).unwrap_or_default(),
                    c.tags.iter().cloned().collect::<Vec<_>>().join(";"),
                    c.vip.to_string(),
                    c.owner.clone().unwrap_or_default(),
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                out.push_str(&line.join(","));
                out.push_str("\r\n");
            }
            match page.last() {
                Some(last) if page.len() == 1000 => after = Some(last.id.clone()),
                _ => return Ok(out),
            }
        }
    }

    /// Evaluates `rules` at the clock's now over the contacts that can fire them and raises
    /// each signal not raised before for the same evidence: on [`Contacts::subscribe`] and,
    /// with [`Contacts::with_events`], as a durable `contact_signal` event (written before it
    /// is recorded as raised, so a crash in between raises it again rather than never).
    /// Returns the new signals.
    pub async fn check_signals(&self, rules: &[NamedRule]) -> Result<Vec<Signal>> {
        let now = self.clock.now();
        let mut candidates: BTreeSet<ContactId> = BTreeSet::new();
        for r in rules {
            let since = now - r.rule.horizon();
            let seg = match r.rule {
                SignalRule::GoneQuiet { min_touches, .. } => Segment {
                    quiet_since: Some(since),
                    min_touches: Some(min_touches),
                    ..Segment::default()
                },
                _ => Segment {
                    active_since: Some(since),
                    ..Segment::default()
                },
            };
            let mut after: Option<ContactId> = None;
            loop {
                let page = self.store.segment(&seg, after.as_ref(), 1000).await?;
                candidates.extend(page.iter().map(|c| c.id.clone()));
                match page.last() {
                    Some(last) if page.len() == 1000 => after = Some(last.id.clone()),
                    _ => break,
                }
            }
        }
        let mut raised = Vec::new();
        let mut open: std::collections::BTreeMap<ContactId, BTreeSet<String>> = Default::default();
        for id in candidates {
            let history = self.history(&id).await?;
            let firing = open.entry(id.clone()).or_default();
            for r in rules {
                let Some((evidence, detail)) = r.rule.evaluate(&history, now) else {
                    continue;
                };
                firing.insert(r.name.clone());
                let signal = Signal {
                    contact: id.clone(),
                    rule: r.name.clone(),
                    at: now,
                    evidence,
                    detail,
                };
                let fp = signal.fingerprint();
                if self.store.signal_raised(&id, &r.name, &fp).await? {
                    continue;
                }
                if let Some((store, ws)) = &self.engine {
                    store
                        .append_events(
                            ws,
                            &[NewEvent::new(
                                "contact_signal",
                                serde_json::to_value(&signal)?,
                            )],
                            now,
                        )
                        .await?;
                }
                self.store.note_signal(&id, &r.name, &fp, now).await?;
                let _ = self.events.send(ContactEvent::Signal(signal.clone()));
                raised.push(signal);
            }
        }
        let names: BTreeSet<String> = rules.iter().map(|r| r.name.clone()).collect();
        self.badge(open, &names).await?;
        Ok(raised)
    }

    /// Marks the inbox items of contacts with open signals ([`SIGNAL_TAG`] and one
    /// [`SIGNAL_TAG_PREFIX`]`<rule>` tag per open signal, in the item's classification) and
    /// unmarks those whose signals of `rules` closed: `open` holds the evaluated contacts
    /// with the rules firing now; contacts marked before and no longer evaluated (no rule
    /// can fire for them) have theirs closed. Signals of other rules stay as marked.
    async fn badge(
        &self,
        mut open: std::collections::BTreeMap<ContactId, BTreeSet<String>>,
        rules: &BTreeSet<String>,
    ) -> Result<()> {
        let Some((inbox, sla)) = &self.inbox else {
            return Ok(());
        };
        // Contacts marked before.
        let marked = Narrowing {
            tags: vec![SIGNAL_TAG.to_string()],
            ..Narrowing::default()
        };
        let mut after: Option<PageCursor> = None;
        loop {
            let page = inbox
                .page(&marked, SortOrder::Oldest, after.as_ref(), 500, sla)
                .await?;
            for item in &page {
                if let Some(c) = self.store.contact_of(&IdentityKey::of(item)).await? {
                    open.entry(c).or_default();
                }
            }
            match page.last() {
                Some(last) if page.len() == 500 => {
                    after = Some(PageCursor::after(last, SortOrder::Oldest, sla));
                }
                _ => break,
            }
        }
        for (id, firing) in open {
            for t in self.history(&id).await? {
                let Some(mut item) = inbox.get(&t.key).await? else {
                    continue;
                };
                let Some(c) = &mut item.classification else {
                    continue;
                };
                let mut tags: Vec<String> = c
                    .tags
                    .iter()
                    .filter(|t| {
                        t.as_str() != SIGNAL_TAG
                            && t.strip_prefix(SIGNAL_TAG_PREFIX)
                                .is_none_or(|rule| !rules.contains(rule))
                    })
                    .cloned()
                    .collect();
                tags.extend(firing.iter().map(|r| format!("{SIGNAL_TAG_PREFIX}{r}")));
                if tags.iter().any(|t| t.starts_with(SIGNAL_TAG_PREFIX)) {
                    tags.push(SIGNAL_TAG.to_string());
                }
                if tags != c.tags {
                    c.tags = tags;
                    inbox.put(&item, sla).await?;
                }
            }
        }
        Ok(())
    }

    /// The audit entries naming a contact (all entries with `None`).
    pub async fn audit(&self, id: Option<&ContactId>) -> Result<Vec<AuditEntry>> {
        match id {
            Some(id) => self.store.audit(Some((Some(id), &[]))).await,
            None => self.store.audit(None).await,
        }
    }

    /// The clock's now.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

fn valid_tag(tag: &str) -> Result<String> {
    let t = tag.trim();
    if t.is_empty() || t.contains(',') {
        return Err(Error::new(
            ErrorKind::Validation,
            "a tag must be non-empty and hold no comma",
        ));
    }
    Ok(t.to_string())
}

fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests;
