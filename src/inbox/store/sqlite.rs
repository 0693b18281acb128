//! The inbox in SQLite, in the engine's database: tables `inbox_cursors`, `inbox_items` and
//! `inbox_item_data`, scoped by workspace, created and migrated by the inbox itself (the
//! steps below, versioned as feature `inbox` through the store's
//! [`SqliteHandle`](crate::store::SqliteHandle)). `inbox_items` has one narrow row per item:
//! the item's facts (state, assignee, intent, priority, sentiment band, tags, instants in
//! microseconds, the SLA's due instants and business times), what pages filter and sort on
//! and the SLA report aggregates; the items themselves are JSON in `inbox_item_data`, read
//! only for the rows a page returns. Every query runs on tokio's blocking pool.

use std::path::Path;

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::query::{self, Binder, Columns};
use super::{InboxStore, PageCursor, SlaNote, note_on, policy_id};
use crate::error::{Error, ErrorKind, Result};
use crate::inbox::sla::{GroupStats, SlaKind, SlaPolicy, SlaReport, Stats};
use crate::inbox::{InboxItem, Narrowing, SortOrder};
use crate::store::{SqliteHandle, SqliteStore, WorkspaceId};

fn storage(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::new(ErrorKind::Storage, "the inbox store failed").with_source(e)
}

/// The inbox's schema steps (feature `inbox`); `STEPS[i]` goes from version `i` to `i + 1`.
/// Append; never edit a step that has shipped.
const STEPS: &[&str] = &[
    // 1: the inbox's tables, scoped by workspace (this step was migration 3 of the engine's
    // store before the inbox owned its tables; a database that ran it is at version 1). What
    // views filter on is one narrow row per item in `inbox_items` (`priority` is the rank of
    // `Priority`, low 0 … urgent 3; times are microseconds); the items are JSON in
    // `inbox_item_data`. A file written by the standalone inbox store of before (tables
    // `inbox_cursors (channel, cursor)` and `inbox_items (key, data)`, no workspace) is
    // carried over into the empty workspace.
    r#"
    CREATE TABLE IF NOT EXISTS inbox_cursors (channel TEXT PRIMARY KEY, cursor TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS inbox_items (key TEXT PRIMARY KEY, data TEXT NOT NULL);
    ALTER TABLE inbox_cursors RENAME TO inbox_cursors_old;
    ALTER TABLE inbox_items RENAME TO inbox_items_old;
    CREATE TABLE inbox_cursors (
        workspace TEXT NOT NULL,
        channel TEXT NOT NULL,
        cursor TEXT NOT NULL,
        PRIMARY KEY (workspace, channel)
    );
    CREATE TABLE inbox_items (
        workspace TEXT NOT NULL,
        key TEXT NOT NULL,
        channel TEXT NOT NULL,
        state TEXT NOT NULL,
        assignee TEXT,
        intent TEXT,
        priority INTEGER,
        opened_at INTEGER NOT NULL,
        resolved_at INTEGER,
        PRIMARY KEY (workspace, key)
    ) WITHOUT ROWID;
    CREATE TABLE inbox_item_data (
        workspace TEXT NOT NULL,
        key TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, key)
    );
    INSERT INTO inbox_cursors (workspace, channel, cursor)
        SELECT '', channel, cursor FROM inbox_cursors_old;
    INSERT INTO inbox_items
        SELECT '', key,
            json_extract(data, '$.channel'),
            json_extract(data, '$.state'),
            json_extract(data, '$.assignee'),
            json_extract(data, '$.classification.intent'),
            CASE json_extract(data, '$.classification.priority')
                WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3
            END,
            CAST(unixepoch(json_extract(data, '$.interaction.created_at'), 'subsec')
                * 1000 AS INTEGER) * 1000,
            CAST(unixepoch(json_extract(data, '$.resolved_at'), 'subsec')
                * 1000 AS INTEGER) * 1000
        FROM inbox_items_old;
    INSERT INTO inbox_item_data (workspace, key, data) SELECT '', key, data FROM inbox_items_old;
    DROP TABLE inbox_cursors_old;
    DROP TABLE inbox_items_old;
    CREATE INDEX inbox_items_state ON inbox_items(workspace, state, opened_at);
    CREATE INDEX inbox_items_assignee ON inbox_items(workspace, assignee, state);
    CREATE INDEX inbox_items_resolved ON inbox_items(workspace, resolved_at)
        WHERE resolved_at IS NOT NULL;
    "#,
    // 2: the rest of the facts, so pages, counts and the SLA report run in SQL.
    // `inbox_policy` holds the fingerprint of the SLA policy a workspace's SLA columns were
    // computed under; under another one (or none: rows from before this step) every row's
    // facts are computed again from its JSON before the next query or write. `urgency` is 3 − the priority's rank, 9 unclassified; `next_due` is the soonest
    // due instant of a running target, i64::MAX for none; `*_time` are business times in µs.
    r#"
    ALTER TABLE inbox_items ADD COLUMN first_response_at INTEGER;
    ALTER TABLE inbox_items ADD COLUMN member TEXT;
    ALTER TABLE inbox_items ADD COLUMN polarity TEXT;
    ALTER TABLE inbox_items ADD COLUMN tags TEXT;
    ALTER TABLE inbox_items ADD COLUMN urgency INTEGER NOT NULL DEFAULT 9;
    ALTER TABLE inbox_items ADD COLUMN breached INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE inbox_items ADD COLUMN awaiting_reply INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE inbox_items ADD COLUMN measured INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE inbox_items ADD COLUMN first_response_due INTEGER;
    ALTER TABLE inbox_items ADD COLUMN resolution_due INTEGER;
    ALTER TABLE inbox_items ADD COLUMN next_due INTEGER NOT NULL DEFAULT 9223372036854775807;
    ALTER TABLE inbox_items ADD COLUMN first_response_time INTEGER;
    ALTER TABLE inbox_items ADD COLUMN resolution_time INTEGER;
    CREATE TABLE inbox_policy (workspace TEXT PRIMARY KEY, policy TEXT NOT NULL);
    CREATE INDEX inbox_items_by_priority ON inbox_items(workspace, urgency, opened_at, key);
    CREATE INDEX inbox_items_by_age ON inbox_items(workspace, opened_at, key);
    CREATE INDEX inbox_items_by_due ON inbox_items(workspace, next_due, opened_at, key);
    CREATE INDEX inbox_items_awaiting ON inbox_items(workspace, key) WHERE awaiting_reply = 1;
    -- The SLA report: covering indexes of the measured times per channel and per member,
    -- holding only items with a time (new items have none).
    CREATE INDEX inbox_items_channel_fr ON inbox_items(workspace, channel, first_response_time)
        WHERE first_response_time IS NOT NULL;
    CREATE INDEX inbox_items_channel_res ON inbox_items(workspace, channel, resolution_time)
        WHERE resolution_time IS NOT NULL;
    CREATE INDEX inbox_items_member_fr ON inbox_items(workspace, member, first_response_time)
        WHERE first_response_time IS NOT NULL AND member IS NOT NULL;
    CREATE INDEX inbox_items_member_res ON inbox_items(workspace, member, resolution_time)
        WHERE resolution_time IS NOT NULL AND member IS NOT NULL;
    "#,
];

/// The version the tables of `c` are at without a `feature_versions` row: 1 when the
/// engine's store created them (they have a `workspace` column), else 0.
fn adopt(c: &Connection) -> Result<usize> {
    let n: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM pragma_table_info('inbox_items') WHERE name = 'workspace'",
            [],
            |r| r.get(0),
        )
        .map_err(storage)?;
    Ok(usize::from(n > 0))
}

/// An [`InboxStore`] in SQLite, scoped to one workspace. [`SqliteInboxStore::new`] keeps the
/// inbox in an engine store's database (one file for both); [`SqliteInboxStore::open`] makes
/// a file of its own (it holds the engine's schema too, so a [`SqliteStore`] can open it
/// later; its inbox is the empty workspace's).
///
/// ```
/// use socialkit::inbox::{InboxStore, SqliteInboxStore, sla::SlaPolicy};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = SqliteInboxStore::open_in_memory().unwrap();
/// store.commit_page("acme", &[], Some("c9"), &SlaPolicy::default()).await.unwrap();
/// assert_eq!(store.cursor("acme").await.unwrap().as_deref(), Some("c9"));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct SqliteInboxStore {
    db: SqliteHandle,
    workspace: String,
}

impl SqliteInboxStore {
    /// The inbox of workspace `workspace` in the database of `handle`
    /// ([`SqliteStore::handle`]); creates or migrates the inbox's tables (this blocks
    /// briefly: open it at start-up, like the store).
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, SqliteInboxStore, sla::SlaPolicy};
    /// use socialkit::store::SqliteStore;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = SqliteStore::in_memory().unwrap();
    /// let acme = SqliteInboxStore::new(&store.handle(), &"acme".into()).unwrap();
    /// acme.commit_page("mastodon", &[], Some("c1"), &SlaPolicy::default()).await.unwrap();
    /// let again = SqliteInboxStore::new(&store.handle(), &"acme".into()).unwrap();
    /// assert_eq!(again.cursor("mastodon").await.unwrap().as_deref(), Some("c1"));
    /// let globex = SqliteInboxStore::new(&store.handle(), &"globex".into()).unwrap();
    /// assert_eq!(globex.cursor("mastodon").await.unwrap(), None);
    /// # });
    /// ```
    pub fn new(handle: &SqliteHandle, workspace: &WorkspaceId) -> Result<Self> {
        handle.migrate_feature("inbox", STEPS, adopt)?;
        Ok(SqliteInboxStore {
            db: handle.clone(),
            workspace: workspace.as_str().to_string(),
        })
    }

    /// Opens (creating and migrating) the file at `path`.
    ///
    /// ```
    /// use socialkit::inbox::{InboxStore, SqliteInboxStore, sla::SlaPolicy};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("inbox.db");
    /// SqliteInboxStore::open(&path).unwrap().commit_page("acme", &[], Some("c1"), &SlaPolicy::default()).await.unwrap();
    /// assert_eq!(SqliteInboxStore::open(&path).unwrap().cursor("acme").await.unwrap().as_deref(), Some("c1"));
    /// # });
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::new(&SqliteStore::open(path)?.handle(), &WorkspaceId::from(""))
    }

    /// A private in-memory database.
    pub fn open_in_memory() -> Result<Self> {
        Self::new(&SqliteStore::in_memory()?.handle(), &WorkspaceId::from(""))
    }

    /// [`InboxStore::commit_page`] inside the caller's transaction `tx` on this store's
    /// database: for a layer above (the contact layer) that stores its own rows of the page
    /// in the same transaction, so the page is stored whole or not at all.
    pub(crate) fn commit_page_in(
        &self,
        tx: &Connection,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
        sla: &SlaPolicy,
    ) -> Result<usize> {
        commit_page_in(tx, &self.workspace, channel, items, cursor, sla)
    }

    /// [`InboxStore::put`] inside the caller's transaction `tx` (see
    /// [`commit_page_in`](Self::commit_page_in)).
    pub(crate) fn put_in(&self, tx: &Connection, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
        put_in(tx, &self.workspace, item, sla)
    }

    /// Computes the facts again if they were computed under another policy than `sla`.
    async fn measure(&self, sla: &SlaPolicy) -> Result<()> {
        let ws = self.workspace.clone();
        let id = policy_id(sla);
        let check = id.clone();
        let current = self
            .db
            .read(move |c| Ok(recorded(c, &ws)?.as_deref() == Some(check.as_str())))
            .await?;
        if current {
            return Ok(());
        }
        let (ws, sla) = (self.workspace.clone(), sla.clone());
        self.db.write(move |tx| align(tx, &ws, &sla, &id)).await
    }
}

/// The fingerprint of the policy the facts of `ws` were computed under.
fn recorded(c: &Connection, ws: &str) -> Result<Option<String>> {
    c.prepare_cached("SELECT policy FROM inbox_policy WHERE workspace = ?1")
        .map_err(storage)?
        .query_row([ws], |r| r.get(0))
        .optional()
        .map_err(storage)
}

/// Brings the facts of every row of `ws` under `sla` (fingerprint `id`) unless they are.
fn align(c: &Connection, ws: &str, sla: &SlaPolicy, id: &str) -> Result<()> {
    if recorded(c, ws)?.as_deref() == Some(id) {
        return Ok(());
    }
    let mut after = String::new();
    loop {
        let mut items = Vec::new();
        each_item(
            c,
            "SELECT data FROM inbox_item_data WHERE workspace = ?1 AND key > ?2
             ORDER BY key LIMIT 1000",
            params![ws, after],
            |i| items.push(i),
        )?;
        let Some(last) = items.last() else {
            break;
        };
        after = last.key.clone();
        for item in &items {
            write_facts(c, ws, item, sla)?;
        }
    }
    c.execute(
        "INSERT INTO inbox_policy (workspace, policy) VALUES (?1, ?2)
         ON CONFLICT(workspace) DO UPDATE SET policy = excluded.policy",
        params![ws, id],
    )
    .map_err(storage)?;
    Ok(())
}

fn opt(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Integer)
}

fn text(v: Option<String>) -> Value {
    v.map_or(Value::Null, Value::Text)
}

/// Arguments of one SQLite statement, bound by number (`?1`, `?2`, …).
#[derive(Debug, Default)]
struct Args(Vec<Value>);

impl Binder for Args {
    fn int(&mut self, v: i64) -> String {
        self.0.push(Value::Integer(v));
        format!("?{}", self.0.len())
    }

    fn text(&mut self, v: String) -> String {
        self.0.push(Value::Text(v));
        format!("?{}", self.0.len())
    }

    fn has_tag(&mut self, tag: String) -> String {
        format!(
            "EXISTS (SELECT 1 FROM json_each(i.tags) WHERE value = {})",
            self.text(tag)
        )
    }
}

/// The row of `item` in `inbox_items` (tags as a JSON array, flags as 0 or 1).
fn row(ws: &str, item: &InboxItem, sla: &SlaPolicy) -> Result<Vec<Value>> {
    let c = Columns::of(item, sla)?;
    let f = c.facts;
    Ok(vec![
        Value::Text(ws.to_string()),
        Value::Text(item.key.clone()),
        Value::Text(c.channel),
        Value::Text(c.state),
        text(c.assignee),
        text(c.intent),
        opt(c.priority),
        Value::Integer(f.opened_at),
        opt(f.resolved_at),
        opt(f.first_response_at),
        text(f.member),
        text(c.polarity),
        text(c.tags.map(|t| serde_json::to_string(&t)).transpose()?),
        Value::Integer(f.urgency),
        Value::Integer(f.breached.into()),
        Value::Integer(f.awaiting_reply.into()),
        Value::Integer(f.measured.into()),
        opt(f.first_response_due),
        opt(f.resolution_due),
        Value::Integer(f.next_due),
        opt(f.first_response_time),
        opt(f.resolution_time),
    ])
}

fn insert_sql(tail: &str) -> String {
    query::insert_sql(|i| format!("?{i}"), tail)
}

fn write_data(conn: &Connection, ws: &str, item: &InboxItem) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO inbox_item_data (workspace, key, data) VALUES (?1, ?2, ?3)
         ON CONFLICT(workspace, key) DO UPDATE SET data = excluded.data",
    )
    .map_err(storage)?
    .execute(params![ws, item.key, serde_json::to_string(item)?])
    .map_err(storage)?;
    Ok(())
}

/// Replaces (or inserts) `item`, facts and data.
fn write(conn: &Connection, ws: &str, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
    write_facts(conn, ws, item, sla)?;
    write_data(conn, ws, item)
}

/// Replaces (or inserts) the facts of `item`.
fn write_facts(conn: &Connection, ws: &str, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
    conn.prepare_cached(&insert_sql(&query::upsert_tail()))
        .map_err(storage)?
        .execute(params_from_iter(row(ws, item, sla)?))
        .map_err(storage)?;
    Ok(())
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

/// Runs `sql` (selecting one JSON column) and hands each item to `each` until it says stop.
fn each_item(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    mut each: impl FnMut(InboxItem),
) -> Result<()> {
    each_item_while(conn, sql, args, |i| {
        each(i);
        true
    })
}

fn each_item_while(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    mut each: impl FnMut(InboxItem) -> bool,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(sql).map_err(storage)?;
    let mut rows = stmt.query(args).map_err(storage)?;
    while let Some(row) = rows.next().map_err(storage)? {
        let data = row.get_ref(0).map_err(storage)?.as_str().map_err(storage)?;
        if !each(serde_json::from_str(data)?) {
            break;
        }
    }
    Ok(())
}

/// The nearest-rank median and 90th percentile ([`Stats::of`]) of `value` per `group`: the
/// count of each group from a covering index, then the two ranks looked up in it.
fn stats(
    c: &Connection,
    ws: &str,
    group: &str,
    value: &str,
) -> Result<std::collections::BTreeMap<String, Stats>> {
    let only = format!("workspace = ?1 AND {value} IS NOT NULL AND {group} IS NOT NULL");
    let counts: Vec<(String, i64)> = c
        .prepare_cached(&format!(
            "SELECT {group}, COUNT(*) FROM inbox_items WHERE {only} GROUP BY {group}"
        ))
        .map_err(storage)?
        .query_map([ws], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(storage)?
        .collect::<rusqlite::Result<_>>()
        .map_err(storage)?;
    let mut at = c
        .prepare_cached(&format!(
            "SELECT {value} FROM inbox_items WHERE {only} AND {group} = ?2
             ORDER BY {value} LIMIT 1 OFFSET ?3"
        ))
        .map_err(storage)?;
    let mut out = std::collections::BTreeMap::new();
    for (g, n) in counts {
        let mut rank = |r: i64| -> Result<chrono::Duration> {
            let v: i64 = at
                .query_row(params![ws, g, r - 1], |r| r.get(0))
                .map_err(storage)?;
            Ok(chrono::Duration::microseconds(v))
        };
        let s = Stats {
            count: n as usize,
            median: rank((n + 1) / 2)?,
            p90: rank((9 * n + 9) / 10)?,
        };
        out.insert(g, s);
    }
    Ok(out)
}

/// The groups (channels or members) with a measured time, with their stats.
fn groups(
    c: &Connection,
    ws: &str,
    group: &str,
) -> Result<std::collections::BTreeMap<String, GroupStats>> {
    let mut out: std::collections::BTreeMap<String, GroupStats> = std::collections::BTreeMap::new();
    for (g, s) in stats(c, ws, group, "first_response_time")? {
        out.entry(g).or_default().first_response = Some(s);
    }
    for (g, s) in stats(c, ws, group, "resolution_time")? {
        out.entry(g).or_default().resolution = Some(s);
    }
    Ok(out)
}

/// [`InboxStore::commit_page`] for workspace `ws` inside the caller's transaction `tx`: the
/// new items (facts and data) and the channel's cursor. The inbox's own path runs it in a
/// transaction of its own; the contact layer runs it in the transaction that also records
/// the page's identities and touches, so a page is stored whole or not at all.
fn commit_page_in(
    tx: &Connection,
    ws: &str,
    channel: &str,
    items: &[InboxItem],
    cursor: Option<&str>,
    sla: &SlaPolicy,
) -> Result<usize> {
    align(tx, ws, sla, &policy_id(sla))?;
    let mut new = 0;
    let mut insert = tx
        .prepare_cached(&insert_sql("ON CONFLICT (workspace, key) DO NOTHING"))
        .map_err(storage)?;
    for item in items {
        if insert
            .execute(params_from_iter(row(ws, item, sla)?))
            .map_err(storage)?
            == 1
        {
            write_data(tx, ws, item)?;
            new += 1;
        }
    }
    if let Some(c) = cursor {
        tx.execute(
            "INSERT INTO inbox_cursors (workspace, channel, cursor) VALUES (?1, ?2, ?3)
             ON CONFLICT(workspace, channel) DO UPDATE SET cursor = excluded.cursor",
            params![ws, channel, c],
        )
        .map_err(storage)?;
    }
    Ok(new)
}

/// [`InboxStore::put`] for workspace `ws` inside the caller's transaction `tx` (see
/// [`commit_page_in`]).
fn put_in(tx: &Connection, ws: &str, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
    align(tx, ws, sla, &policy_id(sla))?;
    write(tx, ws, item, sla)
}

const DATA: &str = "SELECT d.data FROM inbox_items i JOIN inbox_item_data d
    ON d.workspace = i.workspace AND d.key = i.key WHERE i.workspace = ";

#[async_trait]
impl InboxStore for SqliteInboxStore {
    async fn cursor(&self, channel: &str) -> Result<Option<String>> {
        let (ws, channel) = (self.workspace.clone(), channel.to_string());
        self.db
            .read(move |c| {
                c.query_row(
                    "SELECT cursor FROM inbox_cursors WHERE workspace = ?1 AND channel = ?2",
                    params![ws, channel],
                    |r| r.get(0),
                )
                .optional()
                .map_err(storage)
            })
            .await
    }

    async fn commit_page(
        &self,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
        sla: &SlaPolicy,
    ) -> Result<usize> {
        let (ws, channel) = (self.workspace.clone(), channel.to_string());
        let (items, cursor, sla) = (items.to_vec(), cursor.map(str::to_string), sla.clone());
        self.db
            .write(move |tx| commit_page_in(tx, &ws, &channel, &items, cursor.as_deref(), &sla))
            .await
    }

    async fn get(&self, key: &str) -> Result<Option<InboxItem>> {
        let (ws, key) = (self.workspace.clone(), key.to_string());
        self.db.read(move |c| read_one(c, &ws, &key)).await
    }

    async fn put(&self, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
        let (ws, item, sla) = (self.workspace.clone(), item.clone(), sla.clone());
        self.db.write(move |tx| put_in(tx, &ws, &item, &sla)).await
    }

    async fn page(
        &self,
        query: &Narrowing,
        sort: SortOrder,
        after: Option<&PageCursor>,
        limit: usize,
        sla: &SlaPolicy,
    ) -> Result<Vec<InboxItem>> {
        self.measure(sla).await?;
        let mut args = Args::default();
        let mut sql = format!("{DATA}{}", args.text(self.workspace.clone()));
        sql += &query::conditions(query, &mut args)?;
        let (after, order) = query::order(sort, after, &mut args);
        sql += &after;
        sql += &order;
        let text = query.text.clone();
        if text.is_none() {
            sql += &format!(
                " LIMIT {}",
                args.int(i64::try_from(limit).unwrap_or(i64::MAX))
            );
        }
        let args = args.0;
        self.db
            .read(move |c| {
                let mut out = Vec::new();
                if limit == 0 {
                    return Ok(out);
                }
                each_item_while(c, &sql, params_from_iter(args), |i| {
                    if text.as_ref().is_none_or(|q| q.matches(&i.interaction)) {
                        out.push(i);
                    }
                    out.len() < limit
                })?;
                Ok(out)
            })
            .await
    }

    async fn count(&self, query: &Narrowing, sla: &SlaPolicy) -> Result<usize> {
        self.measure(sla).await?;
        let mut args = Args::default();
        let ws = args.text(self.workspace.clone());
        let cond = query::conditions(query, &mut args)?;
        let (cond, args) = (format!("{ws}{cond}"), args.0);
        let text = query.text.clone();
        self.db
            .read(move |c| match text {
                None => {
                    let n: i64 = c
                        .prepare_cached(&format!(
                            "SELECT COUNT(*) FROM inbox_items i WHERE i.workspace = {cond}"
                        ))
                        .map_err(storage)?
                        .query_row(params_from_iter(args), |r| r.get(0))
                        .map_err(storage)?;
                    Ok(n as usize)
                }
                Some(q) => {
                    let mut n = 0;
                    each_item(c, &format!("{DATA}{cond}"), params_from_iter(args), |i| {
                        n += usize::from(q.matches(&i.interaction));
                    })?;
                    Ok(n)
                }
            })
            .await
    }

    async fn sla_report(&self, sla: &SlaPolicy) -> Result<SlaReport> {
        self.measure(sla).await?;
        let ws = self.workspace.clone();
        self.db
            .read(move |c| {
                Ok(SlaReport {
                    channels: groups(c, &ws, "channel")?,
                    members: groups(c, &ws, "member")?,
                })
            })
            .await
    }

    async fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool> {
        let (ws, key) = (self.workspace.clone(), key.to_string());
        self.db
            .write(move |tx| {
                let Some(mut item) = read_one(tx, &ws, &key)? else {
                    return Ok(false);
                };
                let new = note_on(&mut item, kind, note);
                if new {
                    // A note changes no fact but the breach flag.
                    write_data(tx, &ws, &item)?;
                    tx.execute(
                        "UPDATE inbox_items SET breached = ?3 WHERE workspace = ?1 AND key = ?2",
                        params![ws, key, !item.breaches.is_empty()],
                    )
                    .map_err(storage)?;
                }
                Ok(new)
            })
            .await
    }
}

/// The inbox's first schema step (what the engine's store ran as its migration 3).
#[cfg(test)]
pub(crate) fn first_step_for_tests() -> &'static str {
    STEPS[0]
}
