//! Data-protection duties, modelled on GDPR articles 15 (access: [`Contacts::export`]),
//! 17 (erasure: [`Contacts::erase`]) and 5(1)(e) (storage limitation: [`RetentionPolicy`],
//! run by [`Contacts::run_retention`] or the loop of [`Contacts::spawn_retention`]).
//!
//! **Erasure** removes a person from everything socialkit stores: their identities, contact,
//! notes and tags are deleted; their inbox items keep their place (counts, SLA times,
//! sentiment and intent, so reports still compute) but lose author, text and platform
//! metadata; their touches and the audit entries that named them are rewritten to a random
//! pseudonym. On SQLite and PostgreSQL every text (and JSON, and text array) column of every
//! table of the database — the engine's deliveries (our replies), attempts, history, events
//! outbox (webhooks), the inbox, the contact tables — is then searched for their ids,
//! handles, names, links and message texts, each replaced by the pseudonym; an engine store
//! in memory ([`Contacts::with_events`]) has the same done to every text of its posts,
//! deliveries, history, attempts, comments and events ([`Store::rewrite_text`]). One audit
//! entry records the erasure: who, when, the pseudonym and rows changed per table, nothing
//! about the person.
//!
//! **Item keys.** An inbox item's key holds the platform's id of the item, and some
//! platforms put the author in it (a Bluesky `at://did:…/…` URI): the rewrite reaches the
//! stored key too. So that reading the same item again (a cursor reset, an overlapping page)
//! does not store it anew, author and text included, the contact store keeps a salted
//! SHA-256 digest of each erased item key ([`ContactStore::erased_keys`]; the salt is random
//! per workspace) and the resolving inbox store ([`Contacts::resolving`]) drops such an item.
//! The digest tells nothing to anyone who does not already hold the exact key. A *new* item
//! by the same person is stored: erasure is no block list, and they become a new identity.
//!
//! Keep the contacts in the engine's database ([`SqliteContactStore`](super::SqliteContactStore)
//! or `PgContactStore` on the store's handle): a memory contact store beside an SQLite or
//! PostgreSQL engine store reaches none of the engine's tables.
//!
//! Out of scope: posts and replies already published on platforms (delete those through the
//! platform), data a caller keeps outside socialkit (a listening [`WatchState`] the caller
//! stores, exports already handed out).
//!
//! [`Store::rewrite_text`]: crate::store::Store::rewrite_text
//! [`ContactStore::erased_keys`]: super::ContactStore::erased_keys
//!
//! [`WatchState`]: crate::listen::search::WatchState

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::Contacts;
use super::model::{
    AuditAction, AuditEntry, Contact, ContactId, Identity, IdentityKey, Touch, base_handle,
};
use super::store::{Forget, replace_words};
use crate::error::{Error, ErrorKind, Result};
use crate::inbox::InboxItem;
use crate::model::Author;
use crate::store::rewrite_record;

/// Whom an export or an erasure is about: a contact (all its identities) or one platform
/// identity.
///
/// ```
/// use socialkit::contacts::{IdentityKey, Subject};
/// let s = Subject::Identity(IdentityKey::new("x", "7"));
/// assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"identity":{"platform":"x","id":"7"}}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A contact and all its identities.
    Contact(ContactId),
    /// One identity.
    Identity(IdentityKey),
}

/// Our reply to one of the person's interactions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyRecord {
    /// The inbox item answered.
    pub item: String,
    /// Who answered.
    pub replied_by: Option<String>,
    /// When.
    pub at: Option<DateTime<Utc>>,
    /// The reply's text, when the engine's store is attached and holds it.
    pub text: Option<String>,
    /// Where it was published.
    pub published: Option<crate::model::Published>,
}

/// Everything socialkit holds about a person (article 15), as one JSON document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonExport {
    /// Whom it is about.
    pub subject: Subject,
    /// When it was made.
    pub exported_at: DateTime<Utc>,
    /// Their contact: tags, notes, owner, VIP, aggregates.
    pub contact: Option<Contact>,
    /// Their identities.
    pub identities: Vec<Identity>,
    /// Their interactions as the inbox holds them.
    pub interactions: Vec<InboxItem>,
    /// Our replies to them.
    pub replies: Vec<ReplyRecord>,
    /// Their history as the contact layer keeps it.
    pub history: Vec<Touch>,
    /// Audit entries that name them (other contacts and identities an entry names are left
    /// out).
    pub audit: Vec<AuditEntry>,
}

impl PersonExport {
    /// The export as pretty JSON.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

/// What an erasure changed: the pseudonym that replaced the person, rows per table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErasureReport {
    /// The random pseudonym now standing in their place.
    pub pseudonym: String,
    /// Rows changed per table (`inbox` counts items rewritten through the inbox store).
    pub counts: BTreeMap<String, u64>,
}

/// How long a workspace keeps personal data (article 5(1)(e)).
///
/// ```
/// use socialkit::contacts::RetentionPolicy;
/// let p: RetentionPolicy = serde_json::from_str(r#"{"interactions_days": 365}"#).unwrap();
/// assert_eq!(p.interactions_days, Some(365));
/// assert_eq!(RetentionPolicy::default().interactions_days, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionPolicy {
    /// Interactions older than this many days lose author and text (the inbox item stays
    /// for the aggregates) and leave the contacts' history. `None` keeps them.
    pub interactions_days: Option<u32>,
}

/// The random pseudonym of one erasure.
fn pseudonym() -> String {
    let bytes: [u8; 8] = rand::rng().random();
    format!("erased-{}", hex::encode(bytes))
}

/// `item` without its author's identity, text and platform metadata; classification kept
/// without the cues read off the text.
pub(crate) fn pseudonymise(item: &mut InboxItem, pseudonym: &str) {
    let i = &mut item.interaction;
    i.author = Author {
        id: pseudonym.to_string(),
        handle: pseudonym.to_string(),
        ..Author::default()
    };
    i.text = None;
    i.reference.meta.clear();
    if let Some(c) = &mut item.classification {
        c.reasons.clear();
        c.features = Default::default();
    }
}

/// What a person can be found by in text: ids, handles, names, links.
fn needles_of(identities: &[Identity]) -> Vec<String> {
    let mut out = Vec::new();
    for i in identities {
        out.push(i.key.id.clone());
        out.push(i.handle.trim_start_matches('@').to_string());
        let base = base_handle(&i.handle);
        if base.chars().count() >= 3 {
            out.push(base);
        }
        out.extend(i.display_name.clone());
        out.extend(i.url.clone());
        out.extend(i.links.iter().cloned());
    }
    out.retain(|n| !n.trim().is_empty());
    out.sort();
    out.dedup();
    out
}

/// A text rewrite replacing each whole-word occurrence of every needle (longer first, so a
/// message text goes whole before a handle inside it) with `with`.
fn words_rewrite(
    needles: &[String],
    with: &str,
) -> impl Fn(&str) -> Option<String> + Send + Sync + use<> {
    let mut forms: Vec<String> = needles
        .iter()
        .filter(|n| !n.trim().is_empty())
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    let with = with.to_string();
    move |text: &str| {
        let mut out: Option<String> = None;
        for f in &forms {
            if let Some(n) = replace_words(out.as_deref().unwrap_or(text), f, &with) {
                out = Some(n);
            }
        }
        out
    }
}

impl Contacts {
    /// The identities a subject covers, and its contact.
    async fn resolve(&self, subject: &Subject) -> Result<(Option<ContactId>, Vec<Identity>)> {
        match subject {
            Subject::Contact(id) => {
                if self.store.contact(id).await?.is_none() {
                    return Err(Error::new(ErrorKind::NotFound, "no such contact"));
                }
                Ok((Some(id.clone()), self.store.identities(id).await?))
            }
            Subject::Identity(key) => {
                let Some(i) = self.store.identity(key).await? else {
                    return Err(Error::new(ErrorKind::NotFound, "no such identity"));
                };
                Ok((None, vec![i]))
            }
        }
    }

    /// Everything held about `subject` (article 15): contact, identities, their interactions
    /// and our replies, history and the audit entries naming them, and nothing of anyone
    /// else. The export itself is audited.
    pub async fn export(&self, subject: &Subject, by: &str) -> Result<PersonExport> {
        let (contact_id, identities) = self.resolve(subject).await?;
        let keys: Vec<IdentityKey> = identities.iter().map(|i| i.key.clone()).collect();
        let contact = match &contact_id {
            Some(id) => self.store.contact(id).await?,
            None => None,
        };
        let history = self.store.touches(&keys).await?;
        let mut interactions = Vec::new();
        let mut replies = Vec::new();
        if let Some((inbox, _)) = &self.inbox {
            for t in &history {
                let Some(item) = inbox.get(&t.key).await? else {
                    continue;
                };
                if item.reply.is_some() || item.reply_delivery.is_some() {
                    let text = match (&self.engine, &item.reply_delivery) {
                        (Some((store, ws)), Some(d)) => {
                            store.delivery(ws, d).await.ok().map(|d| d.content.text)
                        }
                        _ => None,
                    };
                    replies.push(ReplyRecord {
                        item: item.key.clone(),
                        replied_by: item.replied_by.clone(),
                        at: item.first_response_at,
                        text,
                        published: item.reply.clone(),
                    });
                }
                interactions.push(item);
            }
        }
        let audit = self
            .store
            .audit(Some((contact_id.as_ref(), &keys)))
            .await?
            .into_iter()
            .map(|mut e| {
                e.contacts.retain(|c| Some(c) == contact_id.as_ref());
                e.identities.retain(|i| keys.contains(i));
                e
            })
            .collect();
        let now = self.clock.now();
        self.store
            .append_audit(
                &AuditEntry::new(now, by, AuditAction::Exported)
                    .naming(contact_id.clone())
                    .about(keys.clone()),
            )
            .await?;
        Ok(PersonExport {
            subject: subject.clone(),
            exported_at: now,
            contact,
            identities,
            interactions,
            replies,
            history,
            audit,
        })
    }

    /// Erases `subject` everywhere socialkit stores it (article 17); see the module docs for
    /// what that covers and what it does not. Returns the pseudonym and rows changed.
    pub async fn erase(&self, subject: &Subject, by: &str) -> Result<ErasureReport> {
        let (contact, identities) = self.resolve(subject).await?;
        let keys: Vec<IdentityKey> = identities.iter().map(|i| i.key.clone()).collect();
        let pseudonym = pseudonym();
        let mut needles = needles_of(&identities);
        let mut counts = BTreeMap::new();
        let history = self.store.touches(&keys).await?;
        if let Some((inbox, sla)) = &self.inbox {
            // Their platform ids, handles and names left in the item (its platform id and
            // conversation, the URL of our reply) go too; its key stays the store's key
            // (a shared database rewrites that below, a memory store cannot).
            let names = words_rewrite(&needles, &pseudonym);
            let mut n = 0;
            for t in &history {
                let Some(mut item) = inbox.get(&t.key).await? else {
                    continue;
                };
                needles.extend(item.interaction.text.clone());
                pseudonymise(&mut item, &pseudonym);
                let key = item.key.clone();
                rewrite_record(&mut item, &names)?;
                item.key = key;
                inbox.put(&item, sla).await?;
                n += 1;
            }
            counts.insert("inbox".to_string(), n);
        }
        // The contact goes when it is left without identities: its id and notes go too (an
        // identity of a contact with others leaves the contact and its notes in place).
        let owner = match &contact {
            Some(c) => Some(c.clone()),
            None => self.store.contact_of(&keys[0]).await?,
        };
        if let Some(c) = &owner
            && self.store.identities(c).await?.len() == keys.len()
            && let Some(c) = self.store.contact(c).await?
        {
            needles.extend(c.notes.iter().map(|n| n.text.clone()));
            needles.push(c.id.to_string());
        }
        let mut report = BTreeMap::new();
        report.insert("identities".to_string(), keys.len() as u64);
        report.insert("interactions".to_string(), history.len() as u64);
        let audit = AuditEntry::new(
            self.clock.now(),
            by,
            AuditAction::Erased {
                pseudonym: pseudonym.clone(),
                counts: report,
            },
        );
        let forget = Forget {
            identities: keys,
            contact: owner,
            pseudonym: pseudonym.clone(),
            keys: history.iter().map(|t| t.key.clone()).collect(),
        };
        counts.extend(self.store.forget(&forget, &audit).await?);
        needles.retain(|n| !n.trim().is_empty());
        for (table, n) in self.store.scrub(&needles, &pseudonym).await? {
            *counts.entry(table).or_default() += n;
        }
        // An engine store no shared database reaches (memory): its records are rewritten
        // through the store itself.
        if let Some((store, ws)) = &self.engine {
            let rewrite = words_rewrite(&needles, &pseudonym);
            if let Some(changed) = store.rewrite_text(ws, &rewrite).await? {
                for (table, n) in changed {
                    *counts.entry(table).or_default() += n;
                }
            }
        }
        Ok(ErasureReport { pseudonym, counts })
    }

    /// Sets the workspace's retention policy.
    pub async fn set_retention(&self, policy: &RetentionPolicy) -> Result<()> {
        self.store.set_retention(policy).await
    }

    /// Applies the retention policy at the clock's now: every interaction older than the
    /// policy allows loses author and text in the inbox and leaves the contacts' history
    /// (aggregates follow), in batches of 500, each audited. Returns how many.
    pub async fn run_retention(&self) -> Result<u64> {
        let Some(days) = self.store.retention().await?.interactions_days else {
            return Ok(0);
        };
        let now = self.clock.now();
        let cutoff = now - Duration::days(i64::from(days));
        const BATCH: usize = 500;
        let mut total = 0;
        loop {
            let batch = self.store.touches_before(cutoff, BATCH).await?;
            if batch.is_empty() {
                return Ok(total);
            }
            if let Some((inbox, sla)) = &self.inbox {
                let pseudonym = pseudonym();
                for t in &batch {
                    if let Some(mut item) = inbox.get(&t.key).await? {
                        pseudonymise(&mut item, &pseudonym);
                        inbox.put(&item, sla).await?;
                    }
                }
            }
            let keys: Vec<String> = batch.iter().map(|t| t.key.clone()).collect();
            let n = keys.len() as u64;
            let audit = AuditEntry::new(now, "retention", AuditAction::Expired { count: n });
            self.store.drop_touches(&keys, &audit).await?;
            total += n;
            if batch.len() < BATCH {
                return Ok(total);
            }
        }
    }

    /// Runs [`run_retention`](Contacts::run_retention) now and then every `every` on the
    /// clock, until [`RetentionWorker::shutdown`]. A failed pass is reported by the next
    /// shutdown and does not stop the loop.
    pub fn spawn_retention(self: &Arc<Self>, every: StdDuration) -> RetentionWorker {
        let (stop, mut stopped) = watch::channel(false);
        let me = self.clone();
        let handle = tokio::spawn(async move {
            let mut last = Ok(());
            loop {
                if let Err(e) = me.run_retention().await {
                    last = Err(e);
                }
                tokio::select! {
                    _ = me.clock.sleep(every) => {}
                    _ = stopped.changed() => return last,
                }
            }
        });
        RetentionWorker { stop, handle }
    }
}

/// The retention loop of [`Contacts::spawn_retention`].
#[derive(Debug)]
pub struct RetentionWorker {
    stop: watch::Sender<bool>,
    handle: JoinHandle<Result<()>>,
}

impl RetentionWorker {
    /// Stops the loop (a pass under way finishes first); the last pass's error, if any.
    pub async fn shutdown(self) -> Result<()> {
        let _ = self.stop.send(true);
        self.handle.await.map_err(|e| {
            Error::new(ErrorKind::Unexpected, "the retention loop failed").with_source(e)
        })?
    }
}
