//! Where the inbox keeps its cursors and items: [`InboxStore`], with [`MemoryInboxStore`] and
//! (feature `sqlite`) [`SqliteInboxStore`].
//!
//! A page of interactions and the cursor after it are saved in one step
//! ([`InboxStore::commit_page`]), so a crash never leaves a cursor ahead of the items it
//! covers (nothing missed) nor items without their cursor (reading again is deduplicated).

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::InboxItem;
use crate::error::Result;

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
}

impl MemoryInboxStore {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, (BTreeMap<String, String>, BTreeMap<String, InboxItem>)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(feature = "sqlite")]
pub use sqlite::SqliteInboxStore;

#[cfg(feature = "sqlite")]
mod sqlite {
    use std::path::Path;
    use std::sync::Mutex;

    use rusqlite::{Connection, OptionalExtension, params};

    use super::{InboxItem, InboxStore};
    use crate::error::{Error, ErrorKind, Result};

    fn storage(e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::new(ErrorKind::Storage, format!("inbox store: {e}")).with_source(e)
    }

    /// An [`InboxStore`] in a SQLite file (tables `inbox_cursors`, `inbox_items`; items as
    /// JSON). Several inbox instances over time may open the same file.
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, SqliteInboxStore};
    /// let store = SqliteInboxStore::open_in_memory().unwrap();
    /// store.commit_page("acme", &[], Some("c9")).unwrap();
    /// assert_eq!(store.cursor("acme").unwrap().as_deref(), Some("c9"));
    /// ```
    #[derive(Debug)]
    pub struct SqliteInboxStore {
        conn: Mutex<Connection>,
    }

    impl SqliteInboxStore {
        /// Opens (creating) the file at `path`.
        pub fn open(path: impl AsRef<Path>) -> Result<Self> {
            Self::setup(Connection::open(path).map_err(storage)?)
        }

        /// A private in-memory database.
        pub fn open_in_memory() -> Result<Self> {
            Self::setup(Connection::open_in_memory().map_err(storage)?)
        }

        fn setup(conn: Connection) -> Result<Self> {
            conn.execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE IF NOT EXISTS inbox_cursors (channel TEXT PRIMARY KEY, cursor TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS inbox_items (key TEXT PRIMARY KEY, data TEXT NOT NULL);",
            )
            .map_err(storage)?;
            Ok(SqliteInboxStore {
                conn: Mutex::new(conn),
            })
        }

        fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
            self.conn.lock().unwrap_or_else(|p| p.into_inner())
        }
    }

    impl InboxStore for SqliteInboxStore {
        fn cursor(&self, channel: &str) -> Result<Option<String>> {
            self.conn()
                .query_row(
                    "SELECT cursor FROM inbox_cursors WHERE channel = ?1",
                    [channel],
                    |r| r.get(0),
                )
                .optional()
                .map_err(storage)
        }

        fn commit_page(
            &self,
            channel: &str,
            items: &[InboxItem],
            cursor: Option<&str>,
        ) -> Result<usize> {
            let mut conn = self.conn();
            let tx = conn.transaction().map_err(storage)?;
            let mut new = 0;
            for item in items {
                let data = serde_json::to_string(item)?;
                new += tx
                    .execute(
                        "INSERT OR IGNORE INTO inbox_items (key, data) VALUES (?1, ?2)",
                        params![item.key, data],
                    )
                    .map_err(storage)?;
            }
            if let Some(c) = cursor {
                tx.execute(
                    "INSERT INTO inbox_cursors (channel, cursor) VALUES (?1, ?2)
                     ON CONFLICT(channel) DO UPDATE SET cursor = excluded.cursor",
                    params![channel, c],
                )
                .map_err(storage)?;
            }
            tx.commit().map_err(storage)?;
            Ok(new)
        }

        fn get(&self, key: &str) -> Result<Option<InboxItem>> {
            let data: Option<String> = self
                .conn()
                .query_row("SELECT data FROM inbox_items WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(storage)?;
            Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
        }

        fn put(&self, item: &InboxItem) -> Result<()> {
            let data = serde_json::to_string(item)?;
            self.conn()
                .execute(
                    "INSERT INTO inbox_items (key, data) VALUES (?1, ?2)
                     ON CONFLICT(key) DO UPDATE SET data = excluded.data",
                    params![item.key, data],
                )
                .map_err(storage)?;
            Ok(())
        }

        fn list(&self) -> Result<Vec<InboxItem>> {
            let conn = self.conn();
            let mut stmt = conn
                .prepare("SELECT data FROM inbox_items ORDER BY key")
                .map_err(storage)?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(storage)?;
            let mut out = Vec::new();
            for row in rows {
                out.push(serde_json::from_str(&row.map_err(storage)?)?);
            }
            Ok(out)
        }
    }
}
