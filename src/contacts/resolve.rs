//! Contact resolution during ingest: [`Resolving`] wraps an [`InboxStore`] and records every
//! item's author as an identity (a new one gets its own contact) and the item as a touch
//! before the inbox stores it.
//!
//! Identities and touches are written *before* the page and its cursor: a crash in between
//! leaves the cursor where it was, the page is read again, and recording it again changes
//! nothing (touches are keyed by the item's key). So no item reaches the inbox without its
//! contact, across restarts too. Where the contacts and the inbox share a database,
//! [`SqliteContactStore::resolving_inbox`](super::SqliteContactStore::resolving_inbox) and
//! `PgContactStore::resolving_inbox` (feature `postgres`) do the same in
//! one transaction per page (identities, touches, items and cursor), one commit instead of
//! two.
//!
//! Items of an erased person read again are dropped ([`ContactStore::erased_keys`]): their
//! stored keys may have been rewritten by the erasure, and without this a re-read would
//! store the item, author and text included, as new.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use super::model::{ContactId, Identity, Touch};
use super::store::ContactStore;
use crate::error::Result;
use crate::inbox::sla::{SlaKind, SlaPolicy, SlaReport};
use crate::inbox::{InboxItem, InboxStore, Narrowing, PageCursor, SlaNote, SortOrder};

/// An [`InboxStore`] that resolves contacts on the way in; give it to
/// [`Inbox::new`](crate::inbox::Inbox::new) ([`Contacts::resolving`](super::Contacts::resolving)
/// makes one).
#[derive(Debug)]
pub struct Resolving {
    inner: Arc<dyn InboxStore>,
    contacts: Arc<dyn ContactStore>,
}

impl Resolving {
    /// `inner`, recording identities and touches in `contacts`.
    pub fn new(inner: Arc<dyn InboxStore>, contacts: Arc<dyn ContactStore>) -> Self {
        Resolving { inner, contacts }
    }

    async fn observe(&self, items: &[InboxItem], replace: bool) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        self.contacts.observe(&seen_of(items), replace).await?;
        Ok(())
    }
}

/// What resolving `items` records: each item's author as an identity (of no contact yet: the
/// store knows or makes it) and the item as a touch.
pub(crate) fn seen_of(items: &[InboxItem]) -> Vec<(Identity, Touch)> {
    items
        .iter()
        .map(|i| (Identity::of(i, ContactId::from("")), Touch::of(i)))
        .collect()
}

/// `items` without those whose key is in `erased` (items of an erased person read again).
pub(crate) fn without_erased<'a>(
    items: &'a [InboxItem],
    erased: &BTreeSet<String>,
) -> Cow<'a, [InboxItem]> {
    if erased.is_empty() {
        return Cow::Borrowed(items);
    }
    Cow::Owned(
        items
            .iter()
            .filter(|i| !erased.contains(&i.key))
            .cloned()
            .collect(),
    )
}

#[async_trait]
impl InboxStore for Resolving {
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
        // An item of an erased person read again (its stored key was rewritten) is dropped,
        // not stored as new: the platform still holds it, socialkit no longer does.
        let keys: Vec<String> = items.iter().map(|i| i.key.clone()).collect();
        let erased = self.contacts.erased_keys(&keys).await?;
        let items = without_erased(items, &erased);
        self.observe(&items, false).await?;
        self.inner.commit_page(channel, &items, cursor, sla).await
    }

    async fn get(&self, key: &str) -> Result<Option<InboxItem>> {
        self.inner.get(key).await
    }

    async fn put(&self, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
        // A reply, an assignment, a state change: the touch follows (response time).
        self.observe(std::slice::from_ref(item), true).await?;
        self.inner.put(item, sla).await
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

    async fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool> {
        self.inner.note_sla(key, kind, note).await
    }
}
