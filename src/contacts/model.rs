//! The contact layer's data: identities, contacts, touches (one interaction of an identity),
//! notes and audit entries. Plain serde data, no I/O.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::inbox::InboxItem;
use crate::listen::classify::Intent;
use crate::model::InteractionKind;

/// One account on one platform: the platform's name and the platform's own account id
/// (the handle when a platform gives no id).
///
/// ```
/// use socialkit::contacts::IdentityKey;
/// let k = IdentityKey::new("bluesky", "did:plc:ann");
/// assert_eq!(k.to_string(), "bluesky:did:plc:ann");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IdentityKey {
    /// The platform's name (`"mastodon"`, `"bluesky"` …).
    pub platform: String,
    /// The platform's account id.
    pub id: String,
}

impl IdentityKey {
    /// The key of account `id` on `platform`.
    pub fn new(platform: impl Into<String>, id: impl Into<String>) -> Self {
        IdentityKey {
            platform: platform.into(),
            id: id.into(),
        }
    }

    /// The author of `item` (its id, else its handle).
    pub(crate) fn of(item: &InboxItem) -> Self {
        let a = &item.interaction.author;
        let id = if a.id.is_empty() { &a.handle } else { &a.id };
        IdentityKey::new(item.interaction.reference.platform.as_str(), id.clone())
    }
}

impl fmt::Display for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.id)
    }
}

/// A contact's id: `ct_` and 20 random hex digits. Random, not derived from any account, so
/// it says nothing about the person once their data is erased.
///
/// ```
/// use socialkit::contacts::ContactId;
/// let a = ContactId::generate();
/// assert!(a.as_str().starts_with("ct_"));
/// assert_ne!(a, ContactId::generate());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContactId(String);

impl ContactId {
    /// A fresh random id.
    pub fn generate() -> Self {
        let bytes: [u8; 10] = rand::rng().random();
        ContactId(format!("ct_{}", hex::encode(bytes)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for ContactId {
    fn from(s: &str) -> Self {
        ContactId(s.to_string())
    }
}

impl fmt::Display for ContactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A platform account as the inbox saw it, linked to exactly one contact.
///
/// ```
/// use socialkit::contacts::{ContactId, Identity, IdentityKey};
/// let at = chrono::Utc::now();
/// let i = Identity::new(IdentityKey::new("mastodon", "1"), "ann@social.example", ContactId::from("ct_1"), at);
/// assert_eq!(i.first_seen, i.last_seen);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// Platform and account id.
    pub key: IdentityKey,
    /// The handle last seen.
    pub handle: String,
    /// The display name last seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The profile URL last seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Verified websites or links in the profile, recorded by the caller
    /// ([`Contacts::record_links`](super::Contacts::record_links)): evidence for suggestions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// The contact it belongs to.
    pub contact: ContactId,
    /// Its first interaction's time.
    pub first_seen: DateTime<Utc>,
    /// Its latest interaction's time.
    pub last_seen: DateTime<Utc>,
}

impl Identity {
    /// An identity seen once, at `at`.
    pub fn new(
        key: IdentityKey,
        handle: impl Into<String>,
        contact: ContactId,
        at: DateTime<Utc>,
    ) -> Self {
        Identity {
            key,
            handle: handle.into(),
            display_name: None,
            url: None,
            links: Vec::new(),
            contact,
            first_seen: at,
            last_seen: at,
        }
    }

    /// The author of `item` as an identity of `contact`.
    pub(crate) fn of(item: &InboxItem, contact: ContactId) -> Self {
        let a = &item.interaction.author;
        let mut i = Identity::new(
            IdentityKey::of(item),
            a.handle.clone(),
            contact,
            item.opened_at(),
        );
        i.display_name = a.display_name.clone();
        i.url = a.url.clone();
        i
    }

    /// Takes the profile facts of `newer` (seen again) and widens the time span.
    pub(crate) fn absorb(&mut self, newer: &Identity) {
        if newer.last_seen >= self.last_seen {
            self.handle = newer.handle.clone();
            if newer.display_name.is_some() {
                self.display_name = newer.display_name.clone();
            }
            if newer.url.is_some() {
                self.url = newer.url.clone();
            }
        }
        self.first_seen = self.first_seen.min(newer.first_seen);
        self.last_seen = self.last_seen.max(newer.last_seen);
    }
}

/// One interaction of an identity, as the contact layer keeps it: the inbox item's key and
/// what history, segments and retention signals need (no text; the text stays in the inbox).
///
/// ```
/// use socialkit::contacts::{IdentityKey, Touch};
/// use socialkit::model::InteractionKind;
/// let t = Touch::new("k1", IdentityKey::new("x", "7"), "acme-x", InteractionKind::Mention, chrono::Utc::now());
/// assert!(t.sentiment.is_none() && !t.answered());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Touch {
    /// The inbox item's key.
    pub key: String,
    /// Who wrote it.
    pub identity: IdentityKey,
    /// The channel it came in on.
    pub channel: String,
    /// What it is.
    pub kind: InteractionKind,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// VADER compound score, −1 … +1, when classified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<f64>,
    /// The intent, when classified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<Intent>,
    /// When we first responded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_at: Option<DateTime<Utc>>,
    /// Who replied for us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_by: Option<String>,
    /// When it was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// Accounts the text names (`@handle`, normalised): evidence for suggestions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
}

impl Touch {
    /// A touch with nothing classified or answered.
    pub fn new(
        key: impl Into<String>,
        identity: IdentityKey,
        channel: impl Into<String>,
        kind: InteractionKind,
        at: DateTime<Utc>,
    ) -> Self {
        Touch {
            key: key.into(),
            identity,
            channel: channel.into(),
            kind,
            at,
            sentiment: None,
            intent: None,
            first_response_at: None,
            replied_by: None,
            resolved_at: None,
            mentions: Vec::new(),
        }
    }

    /// The touch of inbox item `item`.
    pub(crate) fn of(item: &InboxItem) -> Self {
        let mut t = Touch::new(
            item.key.clone(),
            IdentityKey::of(item),
            item.channel.clone(),
            item.interaction.kind,
            item.opened_at(),
        );
        if let Some(c) = &item.classification {
            t.sentiment = Some(c.sentiment.compound);
            t.intent = Some(c.intent);
        }
        t.first_response_at = item.first_response_at;
        t.replied_by = item.replied_by.clone();
        t.resolved_at = item.resolved_at;
        t.mentions = item
            .interaction
            .text
            .as_deref()
            .map(mentions_in)
            .unwrap_or_default();
        t
    }

    /// Whether we responded.
    pub fn answered(&self) -> bool {
        self.first_response_at.is_some()
    }

    /// How long the first response took.
    pub fn response_time(&self) -> Option<chrono::Duration> {
        self.first_response_at.map(|r| r - self.at)
    }
}

/// The `@handles` in `text`, normalised ([`normalise_handle`]), in order, without repeats.
///
/// ```
/// use socialkit::contacts::mentions_in;
/// assert_eq!(mentions_in("me too, I'm @Ann@social.example and @ann.bsky.social!"),
///            vec!["ann@social.example", "ann.bsky.social"]);
/// assert!(mentions_in("mail a@b").is_empty());
/// ```
pub fn mentions_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    for (i, ch) in text.char_indices() {
        let starts = ch == '@' && prev.is_none_or(|p| !(p.is_alphanumeric() || p == '_'));
        prev = Some(ch);
        if !starts {
            continue;
        }
        let rest = &text[i + 1..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '-' | ':')))
            .unwrap_or(rest.len());
        let h = normalise_handle(&rest[..end]);
        if !h.is_empty() && !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

/// A handle as compared for evidence: without a leading `@`, lower case, without trailing
/// punctuation.
///
/// ```
/// use socialkit::contacts::normalise_handle;
/// assert_eq!(normalise_handle("@Ann@Social.Example."), "ann@social.example");
/// ```
pub fn normalise_handle(h: &str) -> String {
    h.trim()
        .trim_start_matches('@')
        .trim_end_matches(['.', ':', '-', '@'])
        .to_lowercase()
}

/// The account name part of a handle, for comparing across platforms: before a Mastodon
/// `@domain`, before a Bluesky `.bsky.social`.
///
/// ```
/// use socialkit::contacts::base_handle;
/// assert_eq!(base_handle("ann@social.example"), "ann");
/// assert_eq!(base_handle("@Ann.bsky.social"), "ann");
/// assert_eq!(base_handle("ann.example.com"), "ann.example.com");
/// ```
pub fn base_handle(h: &str) -> String {
    let h = normalise_handle(h);
    let h = h.split('@').next().unwrap_or_default();
    h.strip_suffix(".bsky.social").unwrap_or(h).to_string()
}

/// A person's aggregates across channels, kept beside the contact so segment queries never
/// read the history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactStats {
    /// How many interactions.
    pub touches: u64,
    /// The first one's time.
    pub first_at: Option<DateTime<Utc>>,
    /// The latest one's time.
    pub last_at: Option<DateTime<Utc>>,
    /// The sum of the classified ones' sentiment.
    pub sentiment_sum: f64,
    /// How many were classified.
    pub sentiment_n: u64,
    /// The platforms of its identities' interactions.
    pub platforms: BTreeSet<String>,
}

impl ContactStats {
    /// The statistics of `touches`.
    pub fn of<'a>(touches: impl IntoIterator<Item = &'a Touch>) -> Self {
        let mut s = ContactStats::default();
        for t in touches {
            s.add(t);
        }
        s
    }

    /// Counts one more touch.
    pub fn add(&mut self, t: &Touch) {
        self.touches += 1;
        self.first_at = Some(self.first_at.map_or(t.at, |f| f.min(t.at)));
        self.last_at = Some(self.last_at.map_or(t.at, |l| l.max(t.at)));
        if let Some(s) = t.sentiment {
            self.sentiment_sum += s;
            self.sentiment_n += 1;
        }
        self.platforms.insert(t.identity.platform.clone());
    }

    /// The mean sentiment, when any interaction was classified.
    ///
    /// ```
    /// use socialkit::contacts::ContactStats;
    /// assert_eq!(ContactStats::default().sentiment(), None);
    /// ```
    pub fn sentiment(&self) -> Option<f64> {
        (self.sentiment_n > 0).then(|| self.sentiment_sum / self.sentiment_n as f64)
    }
}

/// A note on a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// When.
    pub at: DateTime<Utc>,
    /// Which member wrote it.
    pub author: String,
    /// The note.
    pub text: String,
}

/// A person across channels: one or more identities, with what the team records about them.
///
/// ```
/// use socialkit::contacts::Contact;
/// let c = Contact::new(chrono::Utc::now());
/// assert!(!c.vip && c.tags.is_empty() && c.owner.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Its id.
    pub id: ContactId,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeSet<String>,
    /// Notes, oldest first.
    #[serde(default)]
    pub notes: Vec<Note>,
    /// The member who owns the relationship.
    #[serde(default)]
    pub owner: Option<String>,
    /// Whether it is a VIP.
    #[serde(default)]
    pub vip: bool,
    /// Aggregates over its identities' interactions (kept by the store).
    #[serde(default)]
    pub stats: ContactStats,
}

impl Contact {
    /// A new contact with a fresh id.
    pub fn new(at: DateTime<Utc>) -> Self {
        Contact {
            id: ContactId::generate(),
            created_at: at,
            tags: BTreeSet::new(),
            notes: Vec::new(),
            owner: None,
            vip: false,
            stats: ContactStats::default(),
        }
    }
}

/// What an audit entry records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AuditAction {
    /// Contacts merged into the first named (by hand, or by an enabled rule).
    Merged {
        /// The suggestion rule that merged them, if not a person.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule: Option<String>,
    },
    /// Identities split off the first named contact into the second.
    Split,
    /// A tag added.
    Tagged {
        /// The tag.
        tag: String,
    },
    /// A tag removed.
    Untagged {
        /// The tag.
        tag: String,
    },
    /// A note added.
    Noted,
    /// The owner set or cleared.
    Owner {
        /// The new owner.
        owner: Option<String>,
    },
    /// VIP status set.
    Vip {
        /// On or off.
        vip: bool,
    },
    /// Links recorded on an identity.
    Linked,
    /// A person's data exported.
    Exported,
    /// A person's data erased: names no contact or identity, only the random pseudonym that
    /// replaced them and how many rows each table changed.
    Erased {
        /// The pseudonym.
        pseudonym: String,
        /// Rows changed per table.
        counts: std::collections::BTreeMap<String, u64>,
    },
    /// Interactions past the workspace's retention period forgotten.
    Expired {
        /// How many.
        count: u64,
    },
}

/// One audited change: who, when, what, and the contacts and identities it names.
///
/// ```
/// use socialkit::contacts::{AuditAction, AuditEntry};
/// let e = AuditEntry::new(chrono::Utc::now(), "olga", AuditAction::Split);
/// assert_eq!(e.seq, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its place in the workspace's audit (set by the store; 0 before).
    #[serde(default)]
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (a member, or `rule:<name>`, or `retention`).
    pub actor: String,
    /// What.
    #[serde(flatten)]
    pub action: AuditAction,
    /// The contacts it concerns.
    #[serde(default)]
    pub contacts: Vec<ContactId>,
    /// The identities it concerns.
    #[serde(default)]
    pub identities: Vec<IdentityKey>,
}

impl AuditEntry {
    /// An entry naming nothing yet.
    pub fn new(at: DateTime<Utc>, actor: impl Into<String>, action: AuditAction) -> Self {
        AuditEntry {
            seq: 0,
            at,
            actor: actor.into(),
            action,
            contacts: Vec::new(),
            identities: Vec::new(),
        }
    }

    /// Names `contacts`.
    pub fn naming(mut self, contacts: impl IntoIterator<Item = ContactId>) -> Self {
        self.contacts.extend(contacts);
        self
    }

    /// Names `identities`.
    pub fn about(mut self, identities: impl IntoIterator<Item = IdentityKey>) -> Self {
        self.identities.extend(identities);
        self
    }

    /// Whether it names `contact` or one of `identities`.
    pub fn names(&self, contact: Option<&ContactId>, identities: &[IdentityKey]) -> bool {
        contact.is_some_and(|c| self.contacts.contains(c))
            || self.identities.iter().any(|i| identities.contains(i))
    }
}
