//! The inbox in SQLite: tables `inbox_cursors`, `inbox_items` and `inbox_item_data` of the
//! engine's schema (migration 2 in `store/migrations.rs`), scoped by workspace, so one file
//! holds the engine and the inbox. `inbox_items` has one narrow row per item (channel,
//! state, assignee, intent, priority rank, opened and resolved instants in microseconds):
//! what [`InboxStore::select`] narrows on; the items are JSON in `inbox_item_data`.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::types::Value;
use rusqlite::{
    Connection, OptionalExtension, Transaction, TransactionBehavior, params, params_from_iter,
};
use serde::Serialize;

use super::sla::SlaKind;
use super::store::{SlaNote, note_on};
use super::{InboxItem, InboxStore, Narrowing};
use crate::error::Result;
use crate::store::{SqliteStore, WorkspaceId, storage};

/// An [`InboxStore`] in SQLite. [`SqliteInboxStore::open`] makes a file of its own (it holds
/// the engine's schema too, so a [`SqliteStore`] can open it later);
/// [`SqliteStore::inbox_store`] gives one over the engine's own connection, so an app keeps
/// one file. Each store is scoped to one workspace (the standalone ones to the empty id).
///
/// ```
/// use socialkit::inbox::{InboxStore, SqliteInboxStore};
/// let store = SqliteInboxStore::open_in_memory().unwrap();
/// store.commit_page("acme", &[], Some("c9")).unwrap();
/// assert_eq!(store.cursor("acme").unwrap().as_deref(), Some("c9"));
/// ```
#[derive(Debug, Clone)]
pub struct SqliteInboxStore {
    conn: Arc<Mutex<Connection>>,
    workspace: String,
}

impl SqliteInboxStore {
    /// Opens (creating and migrating) the file at `path`.
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, SqliteInboxStore};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("inbox.db");
    /// SqliteInboxStore::open(&path).unwrap().commit_page("acme", &[], Some("c1")).unwrap();
    /// assert_eq!(SqliteInboxStore::open(&path).unwrap().cursor("acme").unwrap().as_deref(), Some("c1"));
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Ok(SqliteStore::open(path)?.inbox_store(&WorkspaceId::from("")))
    }

    /// A private in-memory database.
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, SqliteInboxStore};
    /// assert!(SqliteInboxStore::open_in_memory().unwrap().list().unwrap().is_empty());
    /// ```
    pub fn open_in_memory() -> Result<Self> {
        Ok(SqliteStore::in_memory()?.inbox_store(&WorkspaceId::from("")))
    }

    pub(crate) fn over(conn: Arc<Mutex<Connection>>, workspace: &WorkspaceId) -> Self {
        SqliteInboxStore {
            conn,
            workspace: workspace.as_str().to_string(),
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction (writers queue instead of failing
    /// midway); commits on `Ok`.
    fn write_tx<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(storage)?;
        let out = f(&tx)?;
        tx.commit().map_err(storage)?;
        Ok(out)
    }
}

impl SqliteStore {
    /// The inbox of workspace `workspace` in this store's database (same file, same
    /// connection).
    ///
    /// ```
    /// use socialkit::inbox::InboxStore;
    /// use socialkit::store::SqliteStore;
    /// let store = SqliteStore::in_memory().unwrap();
    /// let inbox = store.inbox_store(&"acme".into());
    /// inbox.commit_page("mastodon", &[], Some("c1")).unwrap();
    /// assert_eq!(store.inbox_store(&"acme".into()).cursor("mastodon").unwrap().as_deref(), Some("c1"));
    /// assert_eq!(store.inbox_store(&"globex".into()).cursor("mastodon").unwrap(), None);
    /// ```
    pub fn inbox_store(&self, workspace: &WorkspaceId) -> SqliteInboxStore {
        SqliteInboxStore::over(self.connection(), workspace)
    }
}

/// The serde name of a unit variant (`ItemState::New` → `new`).
fn tag<T: Serialize>(v: &T) -> Result<String> {
    match serde_json::to_value(v)? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

/// The column values of `item` in `inbox_items`, after workspace and key.
fn columns(item: &InboxItem) -> Result<[Value; 7]> {
    let c = item.classification.as_ref();
    Ok([
        Value::Text(item.channel.clone()),
        Value::Text(tag(&item.state)?),
        item.assignee.clone().map_or(Value::Null, Value::Text),
        match c {
            Some(c) => Value::Text(tag(&c.intent)?),
            None => Value::Null,
        },
        c.map_or(Value::Null, |c| Value::Integer(c.priority as i64)),
        Value::Integer(item.opened_at().timestamp_micros()),
        item.resolved_at
            .map_or(Value::Null, |t| Value::Integer(t.timestamp_micros())),
    ])
}

const INSERT_COLUMNS: &str = "INSERT INTO inbox_items
    (workspace, key, channel, state, assignee, intent, priority, opened_at, resolved_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

const UPSERT_DATA: &str = "INSERT INTO inbox_item_data (workspace, key, data) VALUES (?1, ?2, ?3)
    ON CONFLICT(workspace, key) DO UPDATE SET data = excluded.data";

fn row(ws: &str, item: &InboxItem) -> Result<Vec<Value>> {
    let mut v = vec![Value::Text(ws.to_string()), Value::Text(item.key.clone())];
    v.extend(columns(item)?);
    Ok(v)
}

fn write_data(conn: &Connection, ws: &str, item: &InboxItem) -> Result<()> {
    conn.prepare_cached(UPSERT_DATA)
        .map_err(storage)?
        .execute(params![ws, item.key, serde_json::to_string(item)?])
        .map_err(storage)?;
    Ok(())
}

/// Replaces (or inserts) `item`, columns and data.
fn write(conn: &Connection, ws: &str, item: &InboxItem) -> Result<()> {
    conn.prepare_cached(&format!(
        "{INSERT_COLUMNS} ON CONFLICT(workspace, key) DO UPDATE SET channel = excluded.channel,
         state = excluded.state, assignee = excluded.assignee, intent = excluded.intent,
         priority = excluded.priority, opened_at = excluded.opened_at,
         resolved_at = excluded.resolved_at"
    ))
    .map_err(storage)?
    .execute(params_from_iter(row(ws, item)?))
    .map_err(storage)?;
    write_data(conn, ws, item)
}

/// Item `key` of workspace `ws`.
fn read_one(conn: &Connection, ws: &str, key: &str) -> Result<Option<InboxItem>> {
    let data: Option<String> = conn
        .query_row(
            "SELECT data FROM inbox_item_data WHERE workspace = ?1 AND key = ?2",
            params![ws, key],
            |r| r.get(0),
        )
        .optional()
        .map_err(storage)?;
    Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
}

/// Runs `sql` (selecting one JSON column) and hands each item to `each`.
fn each_item(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    mut each: impl FnMut(InboxItem),
) -> Result<()> {
    let mut stmt = conn.prepare_cached(sql).map_err(storage)?;
    let mut rows = stmt.query(args).map_err(storage)?;
    while let Some(row) = rows.next().map_err(storage)? {
        let data = row.get_ref(0).map_err(storage)?.as_str().map_err(storage)?;
        each(serde_json::from_str(data)?);
    }
    Ok(())
}

/// `column IN (?, ?, …)` over `values`, appending them to `args`.
fn any_of(column: &str, values: Vec<String>, args: &mut Vec<Value>) -> String {
    let marks = vec!["?"; values.len()].join(", ");
    args.extend(values.into_iter().map(Value::Text));
    format!(" AND {column} IN ({marks})")
}

impl SqliteInboxStore {
    /// The query for the items `n` admits (coarsely: the exact test follows in Rust).
    fn narrowed(&self, n: &Narrowing) -> Result<(String, Vec<Value>)> {
        let mut args = vec![Value::Text(self.workspace.clone())];
        let mut sql = String::from(
            "SELECT d.data FROM inbox_items i JOIN inbox_item_data d
             ON d.workspace = i.workspace AND d.key = i.key WHERE i.workspace = ?",
        );
        if !n.states.is_empty() {
            let states = n.states.iter().map(tag).collect::<Result<Vec<_>>>()?;
            sql += &any_of("i.state", states, &mut args);
        }
        match &n.assignee {
            None => {}
            Some(None) => sql += " AND i.assignee IS NULL",
            Some(Some(m)) => {
                sql += " AND i.assignee = ?";
                args.push(Value::Text(m.clone()));
            }
        }
        if n.assigned {
            sql += " AND i.assignee IS NOT NULL";
        }
        if !n.channels.is_empty() {
            sql += &any_of("i.channel", n.channels.clone(), &mut args);
        }
        if !n.intents.is_empty() {
            let intents = n.intents.iter().map(tag).collect::<Result<Vec<_>>>()?;
            sql += &any_of("i.intent", intents, &mut args);
        }
        if let Some(p) = n.min_priority {
            sql += " AND i.priority >= ?";
            args.push(Value::Integer(p as i64));
        }
        // Columns hold truncated microseconds (rows carried over from the old standalone
        // file: milliseconds), so the bounds get a margin.
        let margin = 2_000;
        if let Some(from) = n.opened.from {
            sql += " AND i.opened_at >= ?";
            args.push(Value::Integer(from.timestamp_micros() - margin));
        }
        if let Some(to) = n.opened.to {
            sql += " AND i.opened_at <= ?";
            args.push(Value::Integer(to.timestamp_micros() + margin));
        }
        if let Some(since) = n.resolved_since {
            sql += " AND i.resolved_at >= ?";
            args.push(Value::Integer(since.timestamp_micros() - margin));
        }
        sql += " ORDER BY i.key";
        Ok((sql, args))
    }
}

impl InboxStore for SqliteInboxStore {
    fn cursor(&self, channel: &str) -> Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT cursor FROM inbox_cursors WHERE workspace = ?1 AND channel = ?2",
                params![self.workspace, channel],
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
        self.write_tx(|tx| {
            let mut new = 0;
            let mut insert = tx
                .prepare_cached(&format!(
                    "{INSERT_COLUMNS} ON CONFLICT(workspace, key) DO NOTHING"
                ))
                .map_err(storage)?;
            for item in items {
                if insert
                    .execute(params_from_iter(row(&self.workspace, item)?))
                    .map_err(storage)?
                    == 1
                {
                    write_data(tx, &self.workspace, item)?;
                    new += 1;
                }
            }
            if let Some(c) = cursor {
                tx.execute(
                    "INSERT INTO inbox_cursors (workspace, channel, cursor) VALUES (?1, ?2, ?3)
                     ON CONFLICT(workspace, channel) DO UPDATE SET cursor = excluded.cursor",
                    params![self.workspace, channel, c],
                )
                .map_err(storage)?;
            }
            Ok(new)
        })
    }

    fn get(&self, key: &str) -> Result<Option<InboxItem>> {
        read_one(&self.conn(), &self.workspace, key)
    }

    fn put(&self, item: &InboxItem) -> Result<()> {
        self.write_tx(|tx| write(tx, &self.workspace, item))
    }

    fn list(&self) -> Result<Vec<InboxItem>> {
        let mut out = Vec::new();
        each_item(
            &self.conn(),
            "SELECT data FROM inbox_item_data WHERE workspace = ?1 ORDER BY key",
            [&self.workspace],
            |i| out.push(i),
        )?;
        Ok(out)
    }

    fn select(&self, n: &Narrowing, keep: &dyn Fn(&InboxItem) -> bool) -> Result<Vec<InboxItem>> {
        let (sql, args) = self.narrowed(n)?;
        let mut out = Vec::new();
        each_item(&self.conn(), &sql, params_from_iter(args), |i| {
            if n.admits(&i) && keep(&i) {
                out.push(i);
            }
        })?;
        Ok(out)
    }

    fn count(&self, n: &Narrowing, keep: &dyn Fn(&InboxItem) -> bool) -> Result<usize> {
        let (sql, args) = self.narrowed(n)?;
        let mut count = 0;
        each_item(&self.conn(), &sql, params_from_iter(args), |i| {
            count += usize::from(n.admits(&i) && keep(&i));
        })?;
        Ok(count)
    }

    fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool> {
        self.write_tx(|tx| {
            let Some(mut item) = read_one(tx, &self.workspace, key)? else {
                return Ok(false);
            };
            let new = note_on(&mut item, kind, note);
            if new {
                // A note changes none of the columns.
                write_data(tx, &self.workspace, &item)?;
            }
            Ok(new)
        })
    }
}
