//! Contact resolution during ingest in ONE SQLite transaction per page: the contacts and the
//! inbox of a workspace live in the same database file, so a page's erased-key check, its
//! identities and touches ([`observe`]), its items and its cursor
//! ([`SqliteInboxStore::commit_page_in`]) are written by one `BEGIN IMMEDIATE … COMMIT`, one
//! fsync instead of the two of [`Resolving`](crate::contacts::resolve::Resolving) over two
//! stores. An error anywhere in the page rolls all of it back: no item is stored without its
//! identity and the cursor never passes an item that is not stored.

use async_trait::async_trait;

use super::sqlite::{erased_keys, observe};
use crate::contacts::resolve::{seen_of, without_erased};
use crate::error::Result;
use crate::inbox::sla::{SlaKind, SlaPolicy, SlaReport};
use crate::inbox::{
    InboxItem, InboxStore, Narrowing, PageCursor, SlaNote, SortOrder, SqliteInboxStore,
};
use crate::store::SqliteHandle;

/// The inbox of one workspace, resolving contacts in the same transaction as each page
/// (made by [`SqliteContactStore::resolving_inbox`](super::SqliteContactStore::resolving_inbox)).
#[derive(Debug, Clone)]
pub(super) struct SqliteResolving {
    pub(super) db: SqliteHandle,
    pub(super) workspace: String,
    pub(super) inbox: SqliteInboxStore,
}

#[async_trait]
impl InboxStore for SqliteResolving {
    async fn cursor(&self, channel: &str) -> Result<Option<String>> {
        self.inbox.cursor(channel).await
    }

    async fn commit_page(
        &self,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
        sla: &SlaPolicy,
    ) -> Result<usize> {
        let (ws, inbox, channel) = (
            self.workspace.clone(),
            self.inbox.clone(),
            channel.to_string(),
        );
        let (items, cursor, sla) = (items.to_vec(), cursor.map(str::to_string), sla.clone());
        self.db
            .write(move |tx| {
                // An item of an erased person read again is dropped (see `Resolving`).
                let keys: Vec<String> = items.iter().map(|i| i.key.clone()).collect();
                let erased = erased_keys(tx, &ws, &keys)?;
                let items = without_erased(&items, &erased);
                if !items.is_empty() {
                    observe(tx, &ws, &seen_of(&items), false)?;
                }
                inbox.commit_page_in(tx, &channel, &items, cursor.as_deref(), &sla)
            })
            .await
    }

    async fn get(&self, key: &str) -> Result<Option<InboxItem>> {
        self.inbox.get(key).await
    }

    async fn put(&self, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
        // A reply, an assignment, a state change: the touch follows, in the same transaction.
        let (ws, inbox, item, sla) = (
            self.workspace.clone(),
            self.inbox.clone(),
            item.clone(),
            sla.clone(),
        );
        self.db
            .write(move |tx| {
                observe(tx, &ws, &seen_of(std::slice::from_ref(&item)), true)?;
                inbox.put_in(tx, &item, &sla)
            })
            .await
    }

    async fn page(
        &self,
        query: &Narrowing,
        sort: SortOrder,
        after: Option<&PageCursor>,
        limit: usize,
        sla: &SlaPolicy,
    ) -> Result<Vec<InboxItem>> {
        self.inbox.page(query, sort, after, limit, sla).await
    }

    async fn count(&self, query: &Narrowing, sla: &SlaPolicy) -> Result<usize> {
        self.inbox.count(query, sla).await
    }

    async fn sla_report(&self, sla: &SlaPolicy) -> Result<SlaReport> {
        self.inbox.sla_report(sla).await
    }

    async fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool> {
        self.inbox.note_sla(key, kind, note).await
    }
}
