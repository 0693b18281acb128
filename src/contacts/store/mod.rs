//! Where the contact layer keeps its data: [`ContactStore`], with [`MemoryContactStore`],
//! (feature `sqlite`) [`SqliteContactStore`], which keeps its tables in the engine's SQLite
//! database through the store's [`SqliteHandle`](crate::store::SqliteHandle), as the inbox
//! does, and (feature `postgres`) [`PgContactStore`] on a
//! [`PgStore`](crate::store::PgStore)'s pool through its [`PgHandle`](crate::store::PgHandle).
//! One store value serves one workspace; every method is one transaction.

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_resolving;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod rewrite;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_resolving;

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use memory::MemoryContactStore;
#[cfg(feature = "postgres")]
pub use postgres::PgContactStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteContactStore;

use super::model::{AuditEntry, Contact, ContactId, Identity, IdentityKey, Touch};
use super::privacy::RetentionPolicy;
use crate::error::Result;

/// Which contacts a segment holds; every condition set must hold.
///
/// ```
/// use socialkit::contacts::Segment;
/// let s: Segment = serde_json::from_str(r#"{"tags": ["churn-risk"], "platforms": ["x"], "max_sentiment": -0.05}"#).unwrap();
/// assert_eq!(s.tags, vec!["churn-risk"]);
/// assert!(Segment::default().tags.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Segment {
    /// Carries every one of these tags.
    pub tags: Vec<String>,
    /// Was heard on at least one of these platforms (any when empty).
    pub platforms: Vec<String>,
    /// Last heard at or after.
    pub active_since: Option<DateTime<Utc>>,
    /// Last heard before (gone quiet since).
    pub quiet_since: Option<DateTime<Utc>>,
    /// At least this many interactions.
    pub min_touches: Option<u64>,
    /// Mean sentiment at least.
    pub min_sentiment: Option<f64>,
    /// Mean sentiment at most.
    pub max_sentiment: Option<f64>,
    /// VIP or not.
    pub vip: Option<bool>,
    /// Owned by.
    pub owner: Option<String>,
}

impl Segment {
    /// Whether `c` belongs (the meaning every store implements).
    pub fn admits(&self, c: &Contact) -> bool {
        let s = &c.stats;
        self.tags.iter().all(|t| c.tags.contains(t))
            && (self.platforms.is_empty() || self.platforms.iter().any(|p| s.platforms.contains(p)))
            && self
                .active_since
                .is_none_or(|t| s.last_at.is_some_and(|l| l >= t))
            && self
                .quiet_since
                .is_none_or(|t| s.last_at.is_some_and(|l| l < t))
            && self.min_touches.is_none_or(|n| s.touches >= n)
            && self
                .min_sentiment
                .is_none_or(|m| s.sentiment().is_some_and(|v| v >= m))
            && self
                .max_sentiment
                .is_none_or(|m| s.sentiment().is_some_and(|v| v <= m))
            && self.vip.is_none_or(|v| c.vip == v)
            && self
                .owner
                .as_ref()
                .is_none_or(|o| c.owner.as_ref() == Some(o))
    }
}

/// A change of who belongs to whom (merge and split), applied atomically: identities moved,
/// contacts written (their aggregates recomputed from their identities' touches), contacts
/// removed, one audit entry.
#[derive(Debug, Clone)]
pub struct Relink {
    /// Identity → its new contact.
    pub moves: Vec<(IdentityKey, ContactId)>,
    /// Contacts to write (created or updated).
    pub upsert: Vec<Contact>,
    /// Contacts to delete (they hold no identity after the moves).
    pub remove: Vec<ContactId>,
    /// The audit entry.
    pub audit: AuditEntry,
}

/// What erasing a person changes in a contact store.
#[derive(Debug, Clone)]
pub struct Forget {
    /// Their identities: deleted.
    pub identities: Vec<IdentityKey>,
    /// Their contact, deleted with its notes when it holds no other identity.
    pub contact: Option<ContactId>,
    /// Replaces their identities in touches and audit entries, so aggregates still count.
    pub pseudonym: String,
    /// The keys of their inbox items as the platform names them: kept only as salted digests
    /// ([`ContactStore::erased_keys`]), so a later re-read of the same item is recognised.
    pub keys: Vec<String>,
}

/// Storage of identities, contacts, touches, audit, signals raised and the retention policy
/// of one workspace. Each method is atomic (one transaction); implementations keep blocking
/// work off the async runtime's threads and evaluate a [`Segment`] as
/// [`Segment::admits`] does.
///
/// ```
/// use socialkit::contacts::{ContactStore, MemoryContactStore, IdentityKey};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let s = MemoryContactStore::default();
/// assert!(s.contact_of(&IdentityKey::new("x", "1")).await.unwrap().is_none());
/// # });
/// ```
#[async_trait]
pub trait ContactStore: Send + Sync + fmt::Debug {
    /// Records identities and touches: an unknown identity gets a new contact, a known one its
    /// profile facts updated; a touch is inserted, and with `replace` one stored under its
    /// key is replaced (without, kept: a page read again carries no reply facts); contact
    /// aggregates follow. Idempotent. Returns how many touches were new.
    async fn observe(&self, seen: &[(Identity, Touch)], replace: bool) -> Result<usize>;
    /// A contact.
    async fn contact(&self, id: &ContactId) -> Result<Option<Contact>>;
    /// The contact an identity belongs to.
    async fn contact_of(&self, key: &IdentityKey) -> Result<Option<ContactId>>;
    /// One identity.
    async fn identity(&self, key: &IdentityKey) -> Result<Option<Identity>>;
    /// A contact's identities.
    async fn identities(&self, contact: &ContactId) -> Result<Vec<Identity>>;
    /// Every identity of the workspace (for suggestions).
    async fn all_identities(&self) -> Result<Vec<Identity>>;
    /// Replaces an identity's profile facts (links), with an audit entry.
    async fn put_identity(&self, identity: &Identity, audit: &AuditEntry) -> Result<()>;
    /// The touches of `identities`, oldest first.
    async fn touches(&self, identities: &[IdentityKey]) -> Result<Vec<Touch>>;
    /// Every `(identity, mentioned handle)` pair (for suggestions).
    async fn mentions(&self) -> Result<Vec<(IdentityKey, String)>>;
    /// Writes a contact's own fields (tags, notes, owner, VIP; not its aggregates), with an
    /// audit entry.
    async fn put_contact(&self, contact: &Contact, audit: &AuditEntry) -> Result<()>;
    /// Applies a merge or split.
    async fn relink(&self, change: &Relink) -> Result<()>;
    /// Up to `limit` contacts of `segment` with ids after `after`, by id.
    async fn segment(
        &self,
        segment: &Segment,
        after: Option<&ContactId>,
        limit: usize,
    ) -> Result<Vec<Contact>>;
    /// Audit entries, oldest first: all, or those naming `contact` or one of `identities`.
    async fn audit(
        &self,
        filter: Option<(Option<&ContactId>, &[IdentityKey])>,
    ) -> Result<Vec<AuditEntry>>;
    /// Appends an audit entry.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<()>;
    /// Records that signal `fingerprint` of rule `rule` was raised for `contact`; whether it
    /// was new.
    async fn note_signal(
        &self,
        contact: &ContactId,
        rule: &str,
        fingerprint: &str,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Whether signal `fingerprint` of rule `rule` was recorded for `contact`.
    async fn signal_raised(
        &self,
        contact: &ContactId,
        rule: &str,
        fingerprint: &str,
    ) -> Result<bool>;
    /// Erases a person from this store's own tables (see [`Forget`]) and appends `audit`.
    /// Returns rows changed per table.
    async fn forget(
        &self,
        forget: &Forget,
        audit: &AuditEntry,
    ) -> Result<std::collections::BTreeMap<String, u64>>;
    /// Which of `keys` (inbox item keys) belonged to an erased person: the store keeps a
    /// salted SHA-256 digest of each key a [`Forget`] names, under a random salt of the
    /// workspace, never the key.
    async fn erased_keys(&self, keys: &[String]) -> Result<std::collections::BTreeSet<String>>;
    /// Replaces every whole-word occurrence of each of `needles` with `replacement` in the
    /// text columns of every table of the database this store lives in — the engine's and
    /// the inbox's too — in the rows of this store's workspace (every row of a table that
    /// has no `workspace` column); rows changed per table. A JSON value has only its string
    /// values rewritten (never a field name, a number or, where the record type is known, an
    /// enum tag the type would refuse), so every row still reads back; columns holding the
    /// stores' own scopes and states (`workspace`, `state`, `status`, `kind`, `health`,
    /// `intent`) are left alone. A store that shares no database (memory) changes nothing
    /// and returns an empty map.
    async fn scrub(
        &self,
        needles: &[String],
        replacement: &str,
    ) -> Result<std::collections::BTreeMap<String, u64>>;
    /// Up to `limit` touches written before `before`, oldest first.
    async fn touches_before(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Touch>>;
    /// Deletes touches by key (aggregates follow) and appends `audit`.
    async fn drop_touches(&self, keys: &[String], audit: &AuditEntry) -> Result<()>;
    /// The workspace's retention policy.
    async fn retention(&self) -> Result<RetentionPolicy>;
    /// Sets the workspace's retention policy.
    async fn set_retention(&self, policy: &RetentionPolicy) -> Result<()>;
}

/// A database error of a contact store, with its cause kept as the source.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn storage(e: impl std::error::Error + Send + Sync + 'static) -> crate::error::Error {
    crate::error::Error::new(crate::error::ErrorKind::Storage, "the contact store failed")
        .with_source(e)
}

/// The digest an erased item key is kept as: hex SHA-256 of the salt, a separator and the
/// key.
pub(crate) fn key_digest(salt: &str, key: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0x1f]);
    h.update(key.as_bytes());
    hex::encode(h.finalize())
}

/// Whether `hay[at..at + len]` stands as a whole word (no letter, digit or `_` on either
/// side).
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))] // used by the SQLite and PostgreSQL erasure
pub(crate) fn whole_word(hay: &str, at: usize, len: usize) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    hay[..at].chars().next_back().is_none_or(|c| !word(c))
        && hay[at + len..].chars().next().is_none_or(|c| !word(c))
}

/// `hay` with each whole-word occurrence of `needle` replaced; `None` when there was none.
///
/// ```ignore
/// assert_eq!(replace_words("@ann and annie", "ann", "X"), Some("@X and annie".into()));
/// ```
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))] // used by the SQLite and PostgreSQL erasure
pub(crate) fn replace_words(hay: &str, needle: &str, with: &str) -> Option<String> {
    if needle.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(hay.len());
    let mut last = 0;
    let mut changed = false;
    for (at, _) in hay.match_indices(needle) {
        if at < last || !whole_word(hay, at, needle.len()) {
            continue;
        }
        out.push_str(&hay[last..at]);
        out.push_str(with);
        last = at + needle.len();
        changed = true;
    }
    changed.then(|| {
        out.push_str(&hay[last..]);
        out
    })
}

/// The forms of `needle` a text column can hold: as written and JSON-escaped.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))] // used by the SQLite and PostgreSQL erasure
pub(crate) fn needle_forms(needle: &str) -> Vec<String> {
    let mut forms = vec![needle.to_string()];
    if let Ok(json) = serde_json::to_string(needle) {
        let inner = json[1..json.len() - 1].to_string();
        if inner != needle {
            forms.push(inner);
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert_eq!(
            replace_words("@ann and annie, ann.", "ann", "X").as_deref(),
            Some("@X and annie, X.")
        );
        assert_eq!(replace_words("annie", "ann", "X"), None);
        assert_eq!(replace_words("u10", "u1", "X"), None);
        assert_eq!(
            needle_forms("say \"hi\""),
            vec!["say \"hi\"", "say \\\"hi\\\""]
        );
    }
}
