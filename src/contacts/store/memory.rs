//! [`ContactStore`] in memory, for tests and short-lived tools.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{ContactStore, Forget, Relink, Segment, key_digest};
use crate::contacts::model::{
    AuditEntry, Contact, ContactId, ContactStats, Identity, IdentityKey, Touch,
};
use crate::contacts::privacy::RetentionPolicy;
use crate::error::{Error, ErrorKind, Result};

#[derive(Debug, Default)]
struct State {
    contacts: BTreeMap<ContactId, Contact>,
    identities: BTreeMap<IdentityKey, Identity>,
    touches: BTreeMap<String, Touch>,
    audit: Vec<AuditEntry>,
    signals: BTreeSet<(ContactId, String, String)>,
    retention: RetentionPolicy,
    /// Salted digests of erased item keys.
    erased: BTreeSet<String>,
}

impl State {
    fn restat(&mut self, contact: &ContactId) {
        let ids: BTreeSet<&IdentityKey> = self
            .identities
            .values()
            .filter(|i| &i.contact == contact)
            .map(|i| &i.key)
            .collect();
        let stats = ContactStats::of(self.touches.values().filter(|t| ids.contains(&t.identity)));
        if let Some(c) = self.contacts.get_mut(contact) {
            c.stats = stats;
        }
    }

    fn audit(&mut self, entry: &AuditEntry) {
        let mut e = entry.clone();
        e.seq = self.audit.len() as u64 + 1;
        self.audit.push(e);
    }
}

/// A [`ContactStore`] in memory.
///
/// ```
/// use socialkit::contacts::{ContactStore, MemoryContactStore, Segment};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let s = MemoryContactStore::default();
/// assert!(s.segment(&Segment::default(), None, 10).await.unwrap().is_empty());
/// # });
/// ```
#[derive(Debug)]
pub struct MemoryContactStore {
    state: Mutex<State>,
    /// The salt of erased keys' digests.
    salt: String,
}

impl Default for MemoryContactStore {
    fn default() -> Self {
        MemoryContactStore {
            state: Mutex::default(),
            salt: hex::encode(rand::random::<[u8; 16]>()),
        }
    }
}

impl MemoryContactStore {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s)
    }
}

#[async_trait]
impl ContactStore for MemoryContactStore {
    async fn observe(&self, seen: &[(Identity, Touch)], replace: bool) -> Result<usize> {
        self.with(|s| {
            let mut new = 0;
            let mut touched = BTreeSet::new();
            for (identity, touch) in seen {
                let fresh = !s.identities.contains_key(&identity.key);
                let contact = match s.identities.get_mut(&identity.key) {
                    Some(known) => {
                        known.absorb(identity);
                        known.contact.clone()
                    }
                    None => {
                        let c = Contact::new(identity.first_seen);
                        let mut i = identity.clone();
                        i.contact = c.id.clone();
                        s.identities.insert(i.key.clone(), i);
                        let id = c.id.clone();
                        s.contacts.insert(id.clone(), c);
                        id
                    }
                };
                let known = s.touches.contains_key(&touch.key);
                if !known {
                    // A new touch adds itself to its author's contact; a replaced one (or a
                    // new identity whose touch was stored before) recomputes the aggregates.
                    s.touches.insert(touch.key.clone(), touch.clone());
                    match s.contacts.get_mut(&contact) {
                        Some(c) if touch.identity == identity.key => c.stats.add(touch),
                        _ => {
                            touched.insert(contact);
                        }
                    }
                } else if replace {
                    s.touches.insert(touch.key.clone(), touch.clone());
                    touched.insert(contact);
                } else if fresh {
                    touched.insert(contact);
                }
                new += usize::from(!known);
            }
            for c in touched {
                s.restat(&c);
            }
            Ok(new)
        })
    }

    async fn contact(&self, id: &ContactId) -> Result<Option<Contact>> {
        self.with(|s| Ok(s.contacts.get(id).cloned()))
    }

    async fn contact_of(&self, key: &IdentityKey) -> Result<Option<ContactId>> {
        self.with(|s| Ok(s.identities.get(key).map(|i| i.contact.clone())))
    }

    async fn identity(&self, key: &IdentityKey) -> Result<Option<Identity>> {
        self.with(|s| Ok(s.identities.get(key).cloned()))
    }

    async fn identities(&self, contact: &ContactId) -> Result<Vec<Identity>> {
        self.with(|s| {
            Ok(s.identities
                .values()
                .filter(|i| &i.contact == contact)
                .cloned()
                .collect())
        })
    }

    async fn all_identities(&self) -> Result<Vec<Identity>> {
        self.with(|s| Ok(s.identities.values().cloned().collect()))
    }

    async fn put_identity(&self, identity: &Identity, audit: &AuditEntry) -> Result<()> {
        self.with(|s| {
            let Some(known) = s.identities.get_mut(&identity.key) else {
                return Err(Error::new(ErrorKind::NotFound, "no such identity"));
            };
            *known = identity.clone();
            s.audit(audit);
            Ok(())
        })
    }

    async fn touches(&self, identities: &[IdentityKey]) -> Result<Vec<Touch>> {
        self.with(|s| {
            let mut out: Vec<Touch> = s
                .touches
                .values()
                .filter(|t| identities.contains(&t.identity))
                .cloned()
                .collect();
            out.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
            Ok(out)
        })
    }

    async fn mentions(&self) -> Result<Vec<(IdentityKey, String)>> {
        self.with(|s| {
            let set: BTreeSet<(IdentityKey, String)> = s
                .touches
                .values()
                .flat_map(|t| t.mentions.iter().map(|m| (t.identity.clone(), m.clone())))
                .collect();
            Ok(set.into_iter().collect())
        })
    }

    async fn put_contact(&self, contact: &Contact, audit: &AuditEntry) -> Result<()> {
        self.with(|s| {
            let Some(known) = s.contacts.get_mut(&contact.id) else {
                return Err(Error::new(ErrorKind::NotFound, "no such contact"));
            };
            let stats = known.stats.clone();
            *known = contact.clone();
            known.stats = stats;
            s.audit(audit);
            Ok(())
        })
    }

    async fn relink(&self, change: &Relink) -> Result<()> {
        self.with(|s| {
            for (key, _) in &change.moves {
                if !s.identities.contains_key(key) {
                    return Err(Error::new(ErrorKind::NotFound, "no such identity"));
                }
            }
            for c in &change.upsert {
                let stats = s.contacts.get(&c.id).map(|k| k.stats.clone());
                let mut c = c.clone();
                c.stats = stats.unwrap_or_default();
                s.contacts.insert(c.id.clone(), c);
            }
            for (key, to) in &change.moves {
                if let Some(i) = s.identities.get_mut(key) {
                    i.contact = to.clone();
                }
            }
            for id in &change.remove {
                s.contacts.remove(id);
            }
            for c in &change.upsert {
                s.restat(&c.id);
            }
            s.audit(&change.audit);
            Ok(())
        })
    }

    async fn segment(
        &self,
        segment: &Segment,
        after: Option<&ContactId>,
        limit: usize,
    ) -> Result<Vec<Contact>> {
        self.with(|s| {
            Ok(s.contacts
                .values()
                .filter(|c| after.is_none_or(|a| &c.id > a) && segment.admits(c))
                .take(limit)
                .cloned()
                .collect())
        })
    }

    async fn audit(
        &self,
        filter: Option<(Option<&ContactId>, &[IdentityKey])>,
    ) -> Result<Vec<AuditEntry>> {
        self.with(|s| {
            Ok(s.audit
                .iter()
                .filter(|e| filter.is_none_or(|(c, ids)| e.names(c, ids)))
                .cloned()
                .collect())
        })
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        self.with(|s| {
            s.audit(entry);
            Ok(())
        })
    }

    async fn note_signal(
        &self,
        contact: &ContactId,
        rule: &str,
        fingerprint: &str,
        _at: DateTime<Utc>,
    ) -> Result<bool> {
        self.with(|s| {
            Ok(s.signals
                .insert((contact.clone(), rule.to_string(), fingerprint.to_string())))
        })
    }

    async fn signal_raised(&self, contact: &ContactId, rule: &str, fp: &str) -> Result<bool> {
        self.with(|s| {
            Ok(s.signals
                .contains(&(contact.clone(), rule.to_string(), fp.to_string())))
        })
    }

    async fn forget(&self, f: &Forget, audit: &AuditEntry) -> Result<BTreeMap<String, u64>> {
        self.with(|s| {
            let mut counts = BTreeMap::new();
            let pseudonym = IdentityKey::new("erased", f.pseudonym.clone());
            let mut n = 0;
            for k in &f.identities {
                n += u64::from(s.identities.remove(k).is_some());
            }
            counts.insert("contact_identities".into(), n);
            // Their touches stay (aggregates count them) under the pseudonym, and under new
            // keys: an item key holds the item's platform id, which can name its author (a
            // Mastodon status URI holds the handle). A database rewrites such words in every
            // key ([`ContactStore::scrub`]); here the keys are replaced whole.
            let theirs: Vec<String> = s
                .touches
                .iter()
                .filter(|(_, t)| f.identities.contains(&t.identity))
                .map(|(k, _)| k.clone())
                .collect();
            for (n, key) in theirs.iter().enumerate() {
                if let Some(mut t) = s.touches.remove(key) {
                    t.key = format!("{}\u{1f}{n}", f.pseudonym);
                    t.identity = pseudonym.clone();
                    t.mentions.clear();
                    t.replied_by = None;
                    s.touches.insert(t.key.clone(), t);
                }
            }
            counts.insert("contact_touches".into(), theirs.len() as u64);
            let mut n = 0;
            let mut gone = None;
            if let Some(c) = &f.contact {
                let left = s.identities.values().any(|i| &i.contact == c);
                if left {
                    s.restat(c);
                } else {
                    gone = Some(c.clone());
                    n += u64::from(s.contacts.remove(c).is_some());
                    s.signals.retain(|(sc, _, _)| sc != c);
                }
            }
            counts.insert("contacts".into(), n);
            let mut n = 0;
            for e in &mut s.audit {
                let before = (e.contacts.len(), e.identities.len());
                if let Some(c) = &gone {
                    e.contacts.retain(|x| x != c);
                }
                e.identities.retain(|i| !f.identities.contains(i));
                if before != (e.contacts.len(), e.identities.len()) {
                    e.identities.push(pseudonym.clone());
                    n += 1;
                }
            }
            counts.insert("contact_audit".into(), n);
            s.erased
                .extend(f.keys.iter().map(|k| key_digest(&self.salt, k)));
            s.audit(audit);
            Ok(counts)
        })
    }

    async fn erased_keys(&self, keys: &[String]) -> Result<BTreeSet<String>> {
        self.with(|s| {
            if s.erased.is_empty() {
                return Ok(BTreeSet::new());
            }
            Ok(keys
                .iter()
                .filter(|k| s.erased.contains(&key_digest(&self.salt, k)))
                .cloned()
                .collect())
        })
    }

    async fn scrub(&self, _: &[String], _: &str) -> Result<BTreeMap<String, u64>> {
        Ok(BTreeMap::new())
    }

    async fn touches_before(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Touch>> {
        self.with(|s| {
            let mut out: Vec<Touch> = s
                .touches
                .values()
                .filter(|t| t.at < before)
                .cloned()
                .collect();
            out.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
            out.truncate(limit);
            Ok(out)
        })
    }

    async fn drop_touches(&self, keys: &[String], audit: &AuditEntry) -> Result<()> {
        self.with(|s| {
            let mut owners = BTreeSet::new();
            for k in keys {
                if let Some(t) = s.touches.remove(k)
                    && let Some(i) = s.identities.get(&t.identity)
                {
                    owners.insert(i.contact.clone());
                }
            }
            for c in owners {
                s.restat(&c);
            }
            s.audit(audit);
            Ok(())
        })
    }

    async fn retention(&self) -> Result<RetentionPolicy> {
        self.with(|s| Ok(s.retention.clone()))
    }

    async fn set_retention(&self, policy: &RetentionPolicy) -> Result<()> {
        self.with(|s| {
            s.retention = policy.clone();
            Ok(())
        })
    }
}
