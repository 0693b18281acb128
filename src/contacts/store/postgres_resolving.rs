//! Contact resolution during ingest in ONE PostgreSQL transaction per page: the contacts and
//! the inbox of a workspace live in the same database, so a page's erased-key check, its
//! identities and touches ([`observe_batch`]), its items and its cursor
//! ([`PgInboxStore::commit_page_in`]) are written by one transaction, one commit instead of
//! the two of [`Resolving`](crate::contacts::resolve::Resolving) over two stores. An error
//! anywhere in the page rolls all of it back: no item is stored without its identity and
//! the cursor never passes an item that is not stored.

use async_trait::async_trait;
use deadpool_postgres::Pool;

use super::postgres::{erased_keys, observe_batch};
use super::storage;
use crate::contacts::resolve::{seen_of, without_erased};
use crate::error::Result;
use crate::inbox::sla::{SlaKind, SlaPolicy, SlaReport};
use crate::inbox::{
    InboxItem, InboxStore, Narrowing, PageCursor, PgInboxStore, SlaNote, SortOrder,
};

/// The inbox of one workspace, resolving contacts in the same transaction as each page
/// (made by [`PgContactStore::resolving_inbox`](super::PgContactStore::resolving_inbox)).
pub(super) struct PgResolving {
    pub(super) pool: Pool,
    pub(super) workspace: String,
    pub(super) inbox: PgInboxStore,
}

impl std::fmt::Debug for PgResolving {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgResolving")
            .field("workspace", &self.workspace)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl InboxStore for PgResolving {
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
        let mut c = self.pool.get().await.map_err(storage)?;
        let tx = c.transaction().await.map_err(storage)?;
        // An item of an erased person read again is dropped (see `Resolving`).
        let keys: Vec<String> = items.iter().map(|i| i.key.clone()).collect();
        let erased = erased_keys(&tx, &self.workspace, &keys).await?;
        let items = without_erased(items, &erased);
        if !items.is_empty() {
            observe_batch(&tx, &self.workspace, &seen_of(&items), false).await?;
        }
        let new = self
            .inbox
            .commit_page_in(&tx, channel, &items, cursor, sla)
            .await?;
        tx.commit().await.map_err(storage)?;
        Ok(new)
    }

    async fn get(&self, key: &str) -> Result<Option<InboxItem>> {
        self.inbox.get(key).await
    }

    async fn put(&self, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
        // A reply, an assignment, a state change: the touch follows, in the same transaction.
        let mut c = self.pool.get().await.map_err(storage)?;
        let tx = c.transaction().await.map_err(storage)?;
        observe_batch(
            &tx,
            &self.workspace,
            &seen_of(std::slice::from_ref(item)),
            true,
        )
        .await?;
        self.inbox.put_in(&tx, item, sla).await?;
        tx.commit().await.map_err(storage)
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
