//! Where the inbox keeps its cursors and items: [`InboxStore`], with [`MemoryInboxStore`] and
//! (feature `sqlite`) [`SqliteInboxStore`].
//!
//! A page of interactions and the cursor after it are saved in one step
//! ([`InboxStore::commit_page`]), so a crash never leaves a cursor ahead of the items it
//! covers (nothing missed) nor items without their cursor (reading again is deduplicated).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::sla::SlaKind;
use super::{InboxItem, Narrowing};
use crate::error::Result;

/// What the SLA loop records on an item so it raises each event once.
///
/// ```
/// use socialkit::inbox::SlaNote;
/// assert_ne!(SlaNote::Breached, SlaNote::AtRisk);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlaNote {
    /// The target was missed ([`InboxItem::breaches`]).
    Breached,
    /// The target was about to be missed ([`InboxItem::warnings`]).
    AtRisk,
}

/// Adds `kind` to the list `note` names on `item`; whether it was not there.
pub(crate) fn note_on(item: &mut InboxItem, kind: SlaKind, note: SlaNote) -> bool {
    let list = match note {
        SlaNote::Breached => &mut item.breaches,
        SlaNote::AtRisk => &mut item.warnings,
    };
    if list.contains(&kind) {
        return false;
    }
    list.push(kind);
    true
}

/// Storage of inbox cursors and items. Implementations must make
/// [`commit_page`](InboxStore::commit_page) atomic and ignore items whose key exists already.
///
/// ```
/// use socialkit::inbox::{InboxStore, MemoryInboxStore};
/// let store = MemoryInboxStore::default();
/// store.commit_page("acme", &[], Some("c1")).unwrap();
/// assert_eq!(store.cursor("acme").unwrap().as_deref(), Some("c1"));
/// ```
pub trait InboxStore: Send + Sync {
    /// The stored cursor of channel `channel`.
    fn cursor(&self, channel: &str) -> Result<Option<String>>;
    /// Inserts the items not stored yet (by [`InboxItem::key`]) and sets the channel's cursor,
    /// atomically. Returns how many items were new.
    fn commit_page(
        &self,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
    ) -> Result<usize>;
    /// One item by key.
    fn get(&self, key: &str) -> Result<Option<InboxItem>>;
    /// Replaces a stored item (same key).
    fn put(&self, item: &InboxItem) -> Result<()>;
    /// Every item, by key.
    fn list(&self) -> Result<Vec<InboxItem>>;
    /// The items `narrowing` admits and `keep` accepts, by key. The store evaluates the
    /// narrowing where it is cheap (an index, a column) and runs `keep` on the rest, so it
    /// copies out only what is wanted. The default filters [`list`](InboxStore::list).
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, ItemState, MemoryInboxStore, Narrowing};
    /// let store = MemoryInboxStore::default();
    /// let open = Narrowing { states: vec![ItemState::New, ItemState::Pending], ..Default::default() };
    /// assert!(store.select(&open, &|i| i.assignee.is_none()).unwrap().is_empty());
    /// ```
    fn select(
        &self,
        narrowing: &Narrowing,
        keep: &dyn Fn(&InboxItem) -> bool,
    ) -> Result<Vec<InboxItem>> {
        let mut items = self.list()?;
        items.retain(|i| narrowing.admits(i) && keep(i));
        Ok(items)
    }
    /// How many items [`select`](InboxStore::select) would give, without copying them out
    /// where the store can.
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, MemoryInboxStore, Narrowing};
    /// assert_eq!(MemoryInboxStore::default().count(&Narrowing::default(), &|_| true).unwrap(), 0);
    /// ```
    fn count(&self, narrowing: &Narrowing, keep: &dyn Fn(&InboxItem) -> bool) -> Result<usize> {
        Ok(self.select(narrowing, keep)?.len())
    }
    /// Records `note` for target `kind` on item `key` unless recorded already, changing
    /// nothing else of the stored item; whether it was new. Implementations make this atomic
    /// so two loops never raise the same event twice; the default reads and writes back.
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, MemoryInboxStore, SlaNote, sla::SlaKind};
    /// let store = MemoryInboxStore::default();
    /// // No such item: nothing recorded.
    /// assert!(!store.note_sla("k", SlaKind::FirstResponse, SlaNote::Breached).unwrap());
    /// ```
    fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool> {
        let Some(mut item) = self.get(key)? else {
            return Ok(false);
        };
        let new = note_on(&mut item, kind, note);
        if new {
            self.put(&item)?;
        }
        Ok(new)
    }
}

/// An in-memory [`InboxStore`].
///
/// ```
/// use socialkit::inbox::{InboxStore, MemoryInboxStore};
/// assert!(MemoryInboxStore::default().list().unwrap().is_empty());
/// ```
#[derive(Debug, Default)]
pub struct MemoryInboxStore {
    inner: Mutex<(BTreeMap<String, String>, BTreeMap<String, InboxItem>)>,
}

impl InboxStore for MemoryInboxStore {
    fn cursor(&self, channel: &str) -> Result<Option<String>> {
        Ok(self.lock().0.get(channel).cloned())
    }

    fn commit_page(
        &self,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
    ) -> Result<usize> {
        let mut g = self.lock();
        let mut new = 0;
        for item in items {
            if !g.1.contains_key(&item.key) {
                g.1.insert(item.key.clone(), item.clone());
                new += 1;
            }
        }
        if let Some(c) = cursor {
            g.0.insert(channel.to_string(), c.to_string());
        }
        Ok(new)
    }

    fn get(&self, key: &str) -> Result<Option<InboxItem>> {
        Ok(self.lock().1.get(key).cloned())
    }

    fn put(&self, item: &InboxItem) -> Result<()> {
        self.lock().1.insert(item.key.clone(), item.clone());
        Ok(())
    }

    fn list(&self) -> Result<Vec<InboxItem>> {
        Ok(self.lock().1.values().cloned().collect())
    }

    // `keep` runs under the lock: writers wait for a view to be read.
    fn select(
        &self,
        narrowing: &Narrowing,
        keep: &dyn Fn(&InboxItem) -> bool,
    ) -> Result<Vec<InboxItem>> {
        Ok(self
            .lock()
            .1
            .values()
            .filter(|i| narrowing.admits(i) && keep(i))
            .cloned()
            .collect())
    }

    fn count(&self, narrowing: &Narrowing, keep: &dyn Fn(&InboxItem) -> bool) -> Result<usize> {
        Ok(self
            .lock()
            .1
            .values()
            .filter(|i| narrowing.admits(i) && keep(i))
            .count())
    }

    fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool> {
        Ok(self
            .lock()
            .1
            .get_mut(key)
            .is_some_and(|i| note_on(i, kind, note)))
    }
}

impl MemoryInboxStore {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, (BTreeMap<String, String>, BTreeMap<String, InboxItem>)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// An [`InboxStore`] that counts the writes that can move an SLA due instant (new items,
/// replaced items), so the SLA loop wakes up for them. The inbox wraps its store in one.
pub(crate) struct Watched {
    inner: Arc<dyn InboxStore>,
    changes: watch::Sender<u64>,
}

impl Watched {
    pub(crate) fn new(inner: Arc<dyn InboxStore>) -> Self {
        Watched {
            inner,
            changes: watch::Sender::new(0),
        }
    }

    pub(crate) fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn bump(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }
}

impl InboxStore for Watched {
    fn cursor(&self, channel: &str) -> Result<Option<String>> {
        self.inner.cursor(channel)
    }

    fn commit_page(
        &self,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
    ) -> Result<usize> {
        let new = self.inner.commit_page(channel, items, cursor)?;
        if new > 0 {
            self.bump();
        }
        Ok(new)
    }

    fn get(&self, key: &str) -> Result<Option<InboxItem>> {
        self.inner.get(key)
    }

    fn put(&self, item: &InboxItem) -> Result<()> {
        self.inner.put(item)?;
        self.bump();
        Ok(())
    }

    fn list(&self) -> Result<Vec<InboxItem>> {
        self.inner.list()
    }

    fn select(
        &self,
        narrowing: &Narrowing,
        keep: &dyn Fn(&InboxItem) -> bool,
    ) -> Result<Vec<InboxItem>> {
        self.inner.select(narrowing, keep)
    }

    fn count(&self, narrowing: &Narrowing, keep: &dyn Fn(&InboxItem) -> bool) -> Result<usize> {
        self.inner.count(narrowing, keep)
    }

    // A note changes no due instant: the loop that writes it does not need waking.
    fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool> {
        self.inner.note_sla(key, kind, note)
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
