//! The embedded default store: SQLite (bundled), one file or in memory.
//!
//! Durable by default: WAL journal, `synchronous=FULL` (a committed transaction survives a
//! power cut), foreign keys on, versioned migrations (see `migrations.rs`). Every write is one
//! `BEGIN IMMEDIATE` transaction, so several processes sharing the file claim work safely.
//! Blocking calls run on the calling thread of a multi-thread runtime (`block_in_place`) and on
//! tokio's blocking pool under a current-thread runtime.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::events::{
    self, Emitter, EventFilter, EventId, EventLease, EventOutcome, EventStatus, Finished, NewEvent,
    OutboxEvent, Replay, StoredEvent,
};
use super::migrations::migrate;
use super::{
    Attempt, AttemptOutcome, Change, ChannelRecord, Claim, Comment, Delivery, DeliveryFilter,
    DeliveryId, DeliveryState, HistoryEntry, Member, PostId, PostRecord, Selector, Stamp, Store,
    Workspace, WorkspaceId, claim, claim_window, created, not_found, spacing_defers, storage,
};
use crate::model::Post;
use crate::{Error, ErrorKind, Result};

/// A [`Store`] on SQLite.
///
/// ```
/// use socialkit::store::{SqliteStore, Store, Workspace};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("sk-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("socialkit.db");
/// let store = SqliteStore::open(&path).unwrap();
/// store.create_workspace(&Workspace::new("acme", "ACME")).await.unwrap();
/// drop(store);
/// let again = SqliteStore::open(&path).unwrap();
/// assert_eq!(again.workspace(&"acme".into()).await.unwrap().name, "ACME");
/// # std::fs::remove_dir_all(&dir).ok();
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    /// Where blocking work runs ([`SqliteStore::on_blocking_pool`]).
    pool: bool,
}

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

/// One row's one value from a cached statement (`None` when there is no row).
fn row_value<T: rusqlite::types::FromSql>(
    c: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Option<T>> {
    c.prepare_cached(sql)
        .and_then(|mut s| s.query_row(args, |r| r.get(0)).optional())
        .map_err(storage)
}

/// Runs a cached statement; the rows it changed.
fn exec(c: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<usize> {
    c.prepare_cached(sql)
        .and_then(|mut s| s.execute(args))
        .map_err(storage)
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(storage)
}

fn parse<T: DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(storage)
}

fn us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_us(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(v).unwrap_or_default()
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` and migrates it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let conn = Connection::open(path).map_err(storage)?;
        Self::setup(conn)
    }

    /// A private in-memory database (gone when the store is dropped).
    pub fn in_memory() -> Result<Self> {
        Self::setup(Connection::open_in_memory().map_err(storage)?)
    }

    fn setup(mut conn: Connection) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(storage)?;
        // The outbox's path alone uses about 20 statements; rusqlite caches 16 by default, so
        // they evicted each other and every step prepared its statements again.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Plans that do not depend on bound values. Without this, SQLite marks a statement
        // whose plan looked at a parameter (`LIMIT ?`, `col = ?` as a filter) to be prepared
        // again whenever that parameter is rebound, and rusqlite clears the bindings of every
        // statement it puts back in its cache: the claim, a post's deliveries and the members
        // were parsed and planned again on every call (9 % of the outbox's instructions).
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(storage)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )
        .map_err(storage)?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            pool: false,
        })
    }

    /// Runs every call on tokio's blocking pool, also on a multi-thread runtime (by default
    /// such a runtime runs the work on the calling thread with `tokio::task::block_in_place`).
    /// Needed inside a `tokio::task::LocalSet` on a multi-thread runtime, where tokio forbids
    /// `block_in_place`; costs two thread wake-ups per call.
    ///
    /// ```
    /// let store = socialkit::store::SqliteStore::in_memory().unwrap().on_blocking_pool();
    /// # drop(store);
    /// ```
    pub fn on_blocking_pool(mut self) -> Self {
        self.pool = true;
        self
    }

    /// A handle on this store's connection, for a feature above the engine that keeps its
    /// own tables in the same database (the inbox: `SqliteInboxStore`). The store knows
    /// nothing of such features; they run their own migrations through the handle.
    ///
    /// ```
    /// let store = socialkit::store::SqliteStore::in_memory().unwrap();
    /// let handle = store.handle();
    /// assert!(format!("{handle:?}").starts_with("SqliteHandle"));
    /// ```
    pub fn handle(&self) -> SqliteHandle {
        SqliteHandle {
            conn: self.conn.clone(),
            pool: self.pool,
        }
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction (it takes the write lock at once, so
    /// concurrent writers queue instead of failing midway) through [`blocking`]; commits on
    /// `Ok`.
    async fn tx<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.run(Begin::Immediate, f).await
    }

    /// Runs a read-only `f` in a deferred transaction (a consistent snapshot, no write lock).
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.run(Begin::Deferred, f).await
    }

    async fn run<T, F>(&self, begin: Begin, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        blocking(self.pool, move || {
            let c = conn.lock().unwrap_or_else(|p| p.into_inner());
            in_transaction(&c, begin, f)
        })
        .await
    }
}

/// Runs blocking SQLite work from async code with the fewest thread hops the runtime allows.
///
/// On a multi-thread runtime the work runs on the calling thread
/// ([`tokio::task::block_in_place`]: a worker hands its other tasks to another thread first;
/// inside `Runtime::block_on` it simply runs). Handing every call to the blocking pool instead
/// cost two thread wake-ups per call (there and back): about 20 futex calls per delivery, and
/// on a loaded machine each wake-up waits for a CPU. On a current-thread runtime, where
/// blocking the only thread would stall every other task (a busy database can make a call wait
/// up to the busy timeout), the work still goes to the blocking pool; so it does with `pool`
/// ([`SqliteStore::on_blocking_pool`]).
pub(crate) async fn blocking<T, F>(pool: bool, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    use tokio::runtime::{Handle, RuntimeFlavor};
    let multi =
        Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread);
    if multi && !pool {
        return tokio::task::block_in_place(f);
    }
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::new(ErrorKind::Storage, "a store task failed").with_source(e))?
}

/// A shared handle on a [`SqliteStore`]'s connection ([`SqliteStore::handle`]): how a
/// feature above the engine (the inbox) keeps its tables in the engine's database without the
/// store knowing it. The feature runs its own migrations (`SqliteHandle::migrate_feature`,
/// versioned per feature in the table `feature_versions`) and its queries off the async threads
/// in one transaction each, like the store does.
#[derive(Clone)]
pub struct SqliteHandle {
    conn: Arc<Mutex<Connection>>,
    pool: bool,
}

impl std::fmt::Debug for SqliteHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteHandle").finish_non_exhaustive()
    }
}

impl SqliteHandle {
    /// Runs `f` in one `BEGIN IMMEDIATE` transaction through [`blocking`]; commits on `Ok`.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        run_on(
            self.conn.clone(),
            self.pool,
            TransactionBehavior::Immediate,
            f,
        )
        .await
    }

    /// Runs a read-only `f` in a deferred transaction through [`blocking`].
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        run_on(
            self.conn.clone(),
            self.pool,
            TransactionBehavior::Deferred,
            f,
        )
        .await
    }

    /// Brings feature `feature`'s tables to the newest of `steps` (`steps[i]` goes from
    /// version `i` to `i + 1`), each step in its own transaction; returns the version. The
    /// version lives in `feature_versions`; for a database that has none for the feature yet,
    /// `adopt` says which version its tables are at already (schemas older than the table).
    /// A database newer than `steps` is refused. Blocks: call it when opening.
    pub(crate) fn migrate_feature(
        &self,
        feature: &str,
        steps: &[&str],
        adopt: impl FnOnce(&Connection) -> Result<usize>,
    ) -> Result<usize> {
        let mut c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        c.execute_batch(
            "CREATE TABLE IF NOT EXISTS feature_versions (
                feature TEXT PRIMARY KEY, version INTEGER NOT NULL)",
        )
        .map_err(storage)?;
        let tx = c
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(storage)?;
        let known: Option<i64> = tx
            .query_row(
                "SELECT version FROM feature_versions WHERE feature = ?1",
                [feature],
                |r| r.get(0),
            )
            .optional()
            .map_err(storage)?;
        let mut version = match known {
            Some(v) => usize::try_from(v).unwrap_or(usize::MAX),
            None => adopt(&tx)?,
        };
        if version > steps.len() {
            return Err(Error::new(
                ErrorKind::Storage,
                format!(
                    "the {feature} tables have schema version {version}, newer than this socialkit knows ({})",
                    steps.len()
                ),
            ));
        }
        let set = |tx: &Transaction<'_>, v: usize| {
            tx.execute(
                "INSERT INTO feature_versions (feature, version) VALUES (?1, ?2)
                 ON CONFLICT(feature) DO UPDATE SET version = excluded.version",
                params![feature, v as i64],
            )
            .map_err(storage)
        };
        set(&tx, version)?;
        tx.commit().map_err(storage)?;
        while version < steps.len() {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(storage)?;
            // Another process may have migrated meanwhile.
            let now: i64 = tx
                .query_row(
                    "SELECT version FROM feature_versions WHERE feature = ?1",
                    [feature],
                    |r| r.get(0),
                )
                .map_err(storage)?;
            version = usize::try_from(now).unwrap_or(usize::MAX);
            if version >= steps.len() {
                break;
            }
            tx.execute_batch(steps[version]).map_err(storage)?;
            version += 1;
            set(&tx, version)?;
            tx.commit().map_err(storage)?;
        }
        Ok(version)
    }
}

async fn run_on<T, F>(
    conn: Arc<Mutex<Connection>>,
    pool: bool,
    behavior: TransactionBehavior,
    f: F,
) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
{
    blocking(pool, move || {
        let mut c = conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = c.transaction_with_behavior(behavior).map_err(storage)?;
        let out = f(&tx)?;
        tx.commit().map_err(storage)?;
        Ok(out)
    })
    .await
}

/// How the store's own transactions begin.
#[derive(Debug, Clone, Copy)]
enum Begin {
    /// `BEGIN IMMEDIATE`: takes the write lock at once, so concurrent writers queue instead
    /// of failing midway.
    Immediate,
    /// `BEGIN DEFERRED`: a consistent snapshot for reads, no write lock.
    Deferred,
}

impl Begin {
    fn sql(self) -> &'static str {
        match self {
            Begin::Immediate => "BEGIN IMMEDIATE",
            Begin::Deferred => "BEGIN DEFERRED",
        }
    }
}

/// Rolls back the open transaction when dropped before [`Open::commit`]: on an error of the
/// work inside it, and on a panic (the connection is shared; it must not stay inside a
/// transaction).
struct Open<'a> {
    c: &'a Connection,
    committed: bool,
}

impl Open<'_> {
    fn commit(mut self) -> Result<()> {
        exec(self.c, "COMMIT", [])?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        // SQLite may have rolled back already (some errors end the transaction).
        if !self.committed && !self.c.is_autocommit() {
            if let Err(e) = exec(self.c, "ROLLBACK", []) {
                tracing::warn!(error = %e, "a store transaction could not be rolled back");
            }
        }
    }
}

/// Runs `f` in one transaction on `c`; commits on `Ok`. `BEGIN`, `COMMIT` and `ROLLBACK`
/// come from the statement cache: rusqlite's `Transaction` parses them again for every
/// transaction, and the outbox runs several small ones per delivery.
fn in_transaction<T>(
    c: &Connection,
    begin: Begin,
    f: impl FnOnce(&Connection) -> Result<T>,
) -> Result<T> {
    exec(c, begin.sql(), [])?;
    let open = Open {
        c,
        committed: false,
    };
    let out = f(c)?;
    open.commit()?;
    Ok(out)
}

fn paused(c: &Connection, ws: &WorkspaceId) -> Result<bool> {
    row_value::<bool>(
        c,
        "SELECT paused FROM workspaces WHERE id = ?1",
        [ws.as_str()],
    )?
    .ok_or_else(|| {
        Error::new(
            ErrorKind::NotFound,
            format!("workspace {ws} does not exist"),
        )
    })
}

fn load(c: &Connection, ws: &WorkspaceId, id: &DeliveryId) -> Result<Delivery> {
    let row: Option<(String, String)> = c
        .prepare_cached("SELECT data, content FROM deliveries WHERE workspace = ?1 AND id = ?2")
        .and_then(|mut s| {
            s.query_row([ws.as_str(), id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(storage)?;
    let (data, content) = row.ok_or_else(|| not_found("delivery", id, ws))?;
    let mut d: Delivery = parse(&data)?;
    d.content = parse(&content)?;
    Ok(d)
}

/// The delivery's JSON without its content (kept in its own column, written only when it
/// changes).
fn data_of(d: &mut Delivery) -> Result<String> {
    // Taken out and put back rather than a copy of the whole delivery without it.
    let content = std::mem::take(&mut d.content);
    let data = json(d);
    d.content = content;
    data
}

fn insert(c: &Connection, d: &mut Delivery) -> Result<()> {
    let data = data_of(d)?;
    let d = &*d;
    c.prepare_cached(
        "INSERT INTO deliveries (workspace, id, post, channel, state, due_at, created_at, data, content, reply_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut s| {
        s.execute(params![
            d.workspace.as_str(),
            d.id.as_str(),
            d.post.as_str(),
            d.channel.as_str(),
            d.state.as_str(),
            d.due_at.map(us),
            us(d.created_at),
            data,
            json(&d.content).unwrap_or_default(),
            d.reply_to.as_ref().map(|r| r.id.as_str()),
        ])
    })
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            Error::new(ErrorKind::Conflict, format!("delivery {} exists already", d.id))
        }
        e => storage(e),
    })?;
    Ok(())
}

fn save(c: &Connection, d: &mut Delivery) -> Result<()> {
    let data = data_of(d)?;
    c.prepare_cached(
        "UPDATE deliveries SET state = ?3, due_at = ?4, data = ?5 WHERE workspace = ?1 AND id = ?2",
    )
    .and_then(|mut s| {
        s.execute(params![
            d.workspace.as_str(),
            d.id.as_str(),
            d.state.as_str(),
            d.due_at.map(us),
            data
        ])
    })
    .map_err(storage)?;
    Ok(())
}

fn log(c: &Connection, h: &HistoryEntry) -> Result<()> {
    let data = json(h)?;
    c.prepare_cached("INSERT INTO history (workspace, delivery, data) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![h.workspace.as_str(), h.delivery.as_str(), data]))
        .map_err(storage)?;
    Ok(())
}

fn put_attempt(c: &Connection, a: &Attempt) -> Result<()> {
    let data = json(a)?;
    c.prepare_cached(
        "INSERT OR REPLACE INTO attempts (workspace, delivery, id, number, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| {
        s.execute(params![
            a.workspace.as_str(),
            a.delivery.as_str(),
            a.id,
            a.number,
            data
        ])
    })
    .map_err(storage)?;
    Ok(())
}

fn end_attempt(
    c: &Connection,
    ws: &WorkspaceId,
    id: &str,
    o: AttemptOutcome,
    at: DateTime<Utc>,
) -> Result<()> {
    // Read, set and written back whole: cheaper than SQLite's `json_set`, which parses the
    // record and the outcome as JSON and encodes the record again.
    let data: Option<String> = row_value(
        c,
        "SELECT data FROM attempts WHERE workspace = ?1 AND id = ?2",
        [ws.as_str(), id],
    )?;
    if let Some(data) = data {
        let mut a: Attempt = parse(&data)?;
        a.outcome = Some(o);
        a.finished_at = Some(at);
        exec(
            c,
            "UPDATE attempts SET data = ?3 WHERE workspace = ?1 AND id = ?2",
            params![ws.as_str(), id, json(&a)?],
        )?;
    }
    Ok(())
}

fn ids(c: &Connection, sql: &str, args: &[&str]) -> Result<Vec<DeliveryId>> {
    let mut s = c.prepare_cached(sql).map_err(storage)?;
    let rows = s
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })
        .map_err(storage)?;
    rows.map(|r| r.map(DeliveryId).map_err(storage)).collect()
}

fn select(c: &Connection, ws: &WorkspaceId, selector: &Selector) -> Result<Vec<Delivery>> {
    match selector {
        Selector::Delivery(id) => Ok(vec![load(c, ws, id)?]),
        Selector::Post(p) => {
            let exists: bool = c
                .query_row(
                    "SELECT EXISTS(SELECT 1 FROM posts WHERE workspace = ?1 AND id = ?2)",
                    [ws.as_str(), p.as_str()],
                    |r| r.get(0),
                )
                .map_err(storage)?;
            if !exists {
                return Err(not_found("post", p, ws));
            }
            let list = ids(
                c,
                "SELECT id FROM deliveries WHERE workspace = ?1 AND post = ?2 ORDER BY created_at, id",
                &[ws.as_str(), p.as_str()],
            )?;
            let mut out = Vec::new();
            for id in list {
                let d = load(c, ws, &id)?;
                if !d.state.is_terminal() {
                    out.push(d);
                }
            }
            Ok(out)
        }
    }
}

/// Applies `change` to each delivery; an error rolls the whole transaction back.
fn apply_all(
    c: &Connection,
    list: Vec<Delivery>,
    change: &Change,
    stamp: &Stamp,
    paused: bool,
) -> Result<Vec<Delivery>> {
    let ctx = stamp.ctx(paused);
    let mut out = Vec::with_capacity(list.len());
    for mut d in list {
        let applied = change.apply(&mut d, &ctx)?;
        if let Some((id, outcome)) = applied.attempt {
            end_attempt(c, &d.workspace, &id, outcome, stamp.at)?;
        }
        log(c, &applied.history)?;
        save(c, &mut d)?;
        out.push(d);
    }
    Ok(out)
}

fn records<T: DeserializeOwned>(c: &Connection, sql: &str, args: &[&str]) -> Result<Vec<T>> {
    let mut s = c.prepare_cached(sql).map_err(storage)?;
    let rows = s
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })
        .map_err(storage)?;
    rows.map(|r| r.map_err(storage).and_then(|s| parse(&s)))
        .collect()
}

/// The due deliveries a claim looks at, oldest due first (`?1` now, `?2` how many).
const CLAIM_CANDIDATES: &str = "SELECT d.workspace, d.id FROM deliveries d
    JOIN workspaces w ON w.id = d.workspace
    WHERE d.state IN ('scheduled', 'publishing') AND d.due_at <= ?1 AND w.paused = 0
    ORDER BY d.due_at LIMIT ?2";

fn claim_in(
    c: &Connection,
    now: DateTime<Utc>,
    worker: &str,
    limit: usize,
    lease: Duration,
) -> Result<Vec<Claim>> {
    let candidates: Vec<(String, String)> = {
        let mut s = c.prepare_cached(CLAIM_CANDIDATES).map_err(storage)?;
        let rows = s
            .query_map(params![us(now), claim_window(limit) as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(storage)?;
        rows.collect::<rusqlite::Result<_>>().map_err(storage)?
    };
    let mut out = Vec::new();
    for (ws, id) in candidates {
        if out.len() >= limit {
            break;
        }
        let (ws, id) = (WorkspaceId(ws), DeliveryId(id));
        let mut d = load(c, &ws, &id)?;
        // The spacing is read from the record in SQL: no channel JSON decoded per claim.
        let slot: Option<(Option<i64>, Option<i64>)> = c
            .prepare_cached(
                "SELECT next_free_at, json_extract(data, '$.min_spacing_secs') FROM channels
                 WHERE workspace = ?1 AND id = ?2",
            )
            .and_then(|mut s| {
                s.query_row([ws.as_str(), d.channel.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
            })
            .map_err(storage)?;
        let next_free = slot.as_ref().and_then(|(t, _)| t.map(from_us));
        if let Some(at) = spacing_defers(next_free, now) {
            if d.state == DeliveryState::Scheduled {
                d.due_at = Some(at);
                save(c, &mut d)?;
                continue;
            }
        }
        let claimed = claim(&mut d, now, worker, lease)?;
        if let Some(old) = &claimed.abandoned {
            end_attempt(c, &ws, old, AttemptOutcome::Abandoned, now)?;
        }
        if let Some((_, Some(s))) = slot {
            exec(
                c,
                "UPDATE channels SET next_free_at = ?3 WHERE workspace = ?1 AND id = ?2",
                params![
                    ws.as_str(),
                    d.channel.as_str(),
                    us(now + Duration::seconds(s))
                ],
            )?;
        }
        put_attempt(c, &claimed.attempt)?;
        log(c, &claimed.history)?;
        save(c, &mut d)?;
        out.push(Claim {
            delivery: d,
            attempt: claimed.attempt,
        });
    }
    Ok(out)
}

/// Writes events, Pending and due at `at`, in the caller's transaction.
fn append(
    c: &Connection,
    ws: &WorkspaceId,
    list: Vec<NewEvent>,
    at: DateTime<Utc>,
) -> Result<Vec<StoredEvent>> {
    let mut out = Vec::with_capacity(list.len());
    if list.is_empty() {
        return Ok(out);
    }
    let mut st = c
        .prepare_cached(
            "INSERT INTO events (id, workspace, kind, payload, created_at, status, next_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?5)",
        )
        .map_err(storage)?;
    for e in list {
        let id = EventId::generate(at);
        st.execute(params![
            id.as_str(),
            ws.as_str(),
            e.kind,
            json(&e.payload)?,
            us(at)
        ])
        .map_err(storage)?;
        out.push(StoredEvent {
            id,
            seq: c.last_insert_rowid(),
            workspace: ws.clone(),
            kind: e.kind,
            payload: e.payload,
            created_at: at,
        });
    }
    Ok(out)
}

/// The events `emit` computes for `changed`, written in the caller's transaction.
fn emit_in(
    c: &Connection,
    ws: &WorkspaceId,
    changed: &[Delivery],
    emit: &dyn Emitter,
    at: DateTime<Utc>,
) -> Result<Vec<StoredEvent>> {
    let list = events::emitted(emit, changed, |p| {
        ids(
            c,
            "SELECT id FROM deliveries WHERE workspace = ?1 AND post = ?2 ORDER BY created_at, id",
            &[ws.as_str(), p.as_str()],
        )?
        .iter()
        // The changed ones as they are (no second read); the others from the table.
        .map(|id| match changed.iter().find(|d| &d.id == id) {
            Some(d) => Ok(d.clone()),
            None => load(c, ws, id),
        })
        .collect()
    })?;
    append(c, ws, list, at)
}

const EVENT_COLUMNS: &str = "seq, id, workspace, kind, payload, created_at, status, attempts, \
                             next_at, lease_worker, lease_until, last_error";

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        seq: r.get(0)?,
        id: r.get(1)?,
        workspace: r.get(2)?,
        kind: r.get(3)?,
        payload: r.get(4)?,
        created_at: r.get(5)?,
        status: r.get(6)?,
        attempts: r.get(7)?,
        next_at: r.get(8)?,
        lease_worker: r.get(9)?,
        lease_until: r.get(10)?,
        last_error: r.get(11)?,
    })
}

/// An events row as read, before its payload is parsed.
struct EventRow {
    seq: i64,
    id: String,
    workspace: String,
    kind: String,
    payload: String,
    created_at: i64,
    status: String,
    attempts: u32,
    next_at: i64,
    lease_worker: Option<String>,
    lease_until: Option<i64>,
    last_error: Option<String>,
}

impl EventRow {
    fn parse(self) -> Result<OutboxEvent> {
        Ok(OutboxEvent {
            event: StoredEvent {
                id: EventId(self.id),
                seq: self.seq,
                workspace: WorkspaceId(self.workspace),
                kind: self.kind,
                payload: parse(&self.payload)?,
                created_at: from_us(self.created_at),
            },
            status: EventStatus::parse(&self.status)?,
            attempts: self.attempts,
            next_at: from_us(self.next_at),
            lease: match (self.lease_worker, self.lease_until) {
                (Some(worker), Some(until)) => Some(EventLease {
                    worker,
                    until: from_us(until),
                }),
                _ => None,
            },
            last_error: self.last_error,
        })
    }
}

fn event_rows(
    c: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<OutboxEvent>> {
    let mut st = c.prepare_cached(sql).map_err(storage)?;
    let rows = st.query_map(args, event_row).map_err(storage)?;
    rows.map(|r| r.map_err(storage).and_then(EventRow::parse))
        .collect()
}

fn load_event(c: &Connection, ws: &WorkspaceId, id: &EventId) -> Result<OutboxEvent> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE workspace = ?1 AND id = ?2");
    event_rows(c, &sql, &[&ws.as_str(), &id.as_str()])?
        .pop()
        .ok_or_else(|| not_found("event", id, ws))
}

/// Writes back an event's delivery state.
fn save_event(c: &Connection, e: &OutboxEvent) -> Result<()> {
    c.prepare_cached(
        "UPDATE events SET status = ?2, attempts = ?3, next_at = ?4, lease_worker = ?5,
         lease_until = ?6, last_error = ?7 WHERE seq = ?1",
    )
    .and_then(|mut st| {
        st.execute(params![
            e.event.seq,
            e.status.as_str(),
            e.attempts,
            us(e.next_at),
            e.lease.as_ref().map(|l| l.worker.as_str()),
            e.lease.as_ref().map(|l| us(l.until)),
            e.last_error,
        ])
    })
    .map_err(storage)?;
    Ok(())
}

/// Crisis mode on or off in the caller's transaction; the deliveries changed.
fn pause_in(c: &Connection, ws: &WorkspaceId, pause: bool, stamp: &Stamp) -> Result<Vec<Delivery>> {
    paused(c, ws)?;
    let (sql, change) = if pause {
        (
            "SELECT id FROM deliveries WHERE workspace = ?1 AND state IN
             ('draft', 'in_review', 'changes_requested', 'approved', 'scheduled')
             ORDER BY created_at, id",
            Change::Pause,
        )
    } else {
        (
            "SELECT id FROM deliveries WHERE workspace = ?1 AND state = 'paused' ORDER BY created_at, id",
            Change::Resume,
        )
    };
    let list = ids(c, sql, &[ws.as_str()])?
        .into_iter()
        .map(|id| load(c, ws, &id))
        .collect::<Result<Vec<_>>>()?;
    let out = apply_all(c, list, &change, stamp, pause)?;
    let data: String = c
        .query_row(
            "SELECT data FROM workspaces WHERE id = ?1",
            [ws.as_str()],
            |r| r.get(0),
        )
        .map_err(storage)?;
    let mut w: Workspace = parse(&data)?;
    w.paused = pause;
    c.execute(
        "UPDATE workspaces SET paused = ?2, data = ?3 WHERE id = ?1",
        params![ws.as_str(), pause, json(&w)?],
    )
    .map_err(storage)?;
    Ok(out)
}

#[async_trait]
impl Store for SqliteStore {
    fn vault(&self) -> Result<Arc<dyn super::vault::VaultStore>> {
        Ok(Arc::new(super::vault::SqliteVault::new(self.conn.clone())))
    }

    async fn create_workspace(&self, workspace: &Workspace) -> Result<()> {
        let w = workspace.clone();
        self.tx(move |c| {
            let n = c
                .execute(
                    "INSERT OR IGNORE INTO workspaces (id, paused, data) VALUES (?1, ?2, ?3)",
                    params![w.id.as_str(), w.paused, json(&w)?],
                )
                .map_err(storage)?;
            if n == 0 {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!("workspace {} exists already", w.id),
                ));
            }
            Ok(())
        })
        .await
    }

    async fn workspace(&self, id: &WorkspaceId) -> Result<Workspace> {
        let id = id.clone();
        self.read(move |c| {
            let p = paused(c, &id)?;
            let data: String = c
                .query_row(
                    "SELECT data FROM workspaces WHERE id = ?1",
                    [id.as_str()],
                    |r| r.get(0),
                )
                .map_err(storage)?;
            let mut w: Workspace = parse(&data)?;
            w.paused = p;
            Ok(w)
        })
        .await
    }

    async fn put_member(&self, ws: &WorkspaceId, member: &Member) -> Result<()> {
        let (ws, m) = (ws.clone(), member.clone());
        self.tx(move |c| {
            paused(c, &ws)?;
            c.execute(
                "INSERT OR REPLACE INTO members (workspace, user, data) VALUES (?1, ?2, ?3)",
                params![ws.as_str(), m.user, json(&m)?],
            )
            .map_err(storage)?;
            Ok(())
        })
        .await
    }

    async fn remove_member(&self, ws: &WorkspaceId, user: &str) -> Result<()> {
        let (ws, user) = (ws.clone(), user.to_string());
        self.tx(move |c| {
            paused(c, &ws)?;
            c.execute(
                "DELETE FROM members WHERE workspace = ?1 AND user = ?2",
                [ws.as_str(), &user],
            )
            .map_err(storage)?;
            Ok(())
        })
        .await
    }

    async fn members(&self, ws: &WorkspaceId) -> Result<Vec<Member>> {
        let ws = ws.clone();
        self.read(move |c| {
            paused(c, &ws)?;
            records(
                c,
                "SELECT data FROM members WHERE workspace = ?1 ORDER BY user",
                &[ws.as_str()],
            )
        })
        .await
    }

    async fn put_setting(
        &self,
        ws: &WorkspaceId,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<()> {
        let (ws, key, value) = (ws.clone(), key.to_string(), value.to_string());
        self.tx(move |c| {
            paused(c, &ws)?;
            c.execute(
                "INSERT OR REPLACE INTO settings (workspace, key, value) VALUES (?1, ?2, ?3)",
                [ws.as_str(), &key, &value],
            )
            .map_err(storage)?;
            Ok(())
        })
        .await
    }

    async fn setting(&self, ws: &WorkspaceId, key: &str) -> Result<Option<serde_json::Value>> {
        let (ws, key) = (ws.clone(), key.to_string());
        self.read(move |c| {
            paused(c, &ws)?;
            let v: Option<String> = row_value(
                c,
                "SELECT value FROM settings WHERE workspace = ?1 AND key = ?2",
                [ws.as_str(), &key],
            )?;
            v.map(|s| parse(&s)).transpose()
        })
        .await
    }

    async fn put_channel(&self, ws: &WorkspaceId, channel: &ChannelRecord) -> Result<()> {
        let (ws, ch) = (ws.clone(), channel.clone());
        self.tx(move |c| {
            paused(c, &ws)?;
            c.execute(
                "INSERT INTO channels (workspace, id, data) VALUES (?1, ?2, ?3)
                 ON CONFLICT (workspace, id) DO UPDATE SET data = excluded.data",
                params![ws.as_str(), ch.id.as_str(), json(&ch)?],
            )
            .map_err(storage)?;
            Ok(())
        })
        .await
    }

    async fn channels(&self, ws: &WorkspaceId) -> Result<Vec<ChannelRecord>> {
        let ws = ws.clone();
        self.read(move |c| {
            paused(c, &ws)?;
            records(
                c,
                "SELECT data FROM channels WHERE workspace = ?1 ORDER BY id",
                &[ws.as_str()],
            )
        })
        .await
    }

    async fn insert_post(
        &self,
        post: &PostRecord,
        deliveries: &[Delivery],
        why: &str,
    ) -> Result<()> {
        let (post, mut list, why) = (post.clone(), deliveries.to_vec(), why.to_string());
        self.tx(move |c| {
            paused(c, &post.workspace)?;
            let n = exec(
                c,
                "INSERT OR IGNORE INTO posts (workspace, id, data) VALUES (?1, ?2, ?3)",
                params![post.workspace.as_str(), post.id.as_str(), json(&post)?],
            )?;
            if n == 0 {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!("post {} exists already", post.id),
                ));
            }
            for d in &mut list {
                if d.workspace != post.workspace || d.post != post.id {
                    return Err(Error::new(
                        ErrorKind::Conflict,
                        "a delivery must belong to the post's workspace and post",
                    ));
                }
                let h = created(d, &post.created_by, &why)?;
                insert(c, d)?;
                log(c, &h)?;
            }
            Ok(())
        })
        .await
    }

    async fn post(&self, ws: &WorkspaceId, id: &PostId) -> Result<PostRecord> {
        let (ws, id) = (ws.clone(), id.clone());
        self.read(move |c| {
            paused(c, &ws)?;
            let data: Option<String> = c
                .query_row(
                    "SELECT data FROM posts WHERE workspace = ?1 AND id = ?2",
                    [ws.as_str(), id.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(storage)?;
            parse(&data.ok_or_else(|| not_found("post", &id, &ws))?)
        })
        .await
    }

    async fn edit_post(
        &self,
        post: &PostRecord,
        contents: &[(DeliveryId, Post)],
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>> {
        let (post, contents, stamp) = (post.clone(), contents.to_vec(), stamp.clone());
        self.tx(move |c| {
            let p = paused(c, &post.workspace)?;
            let n = c
                .execute(
                    "UPDATE posts SET data = ?3 WHERE workspace = ?1 AND id = ?2",
                    params![post.workspace.as_str(), post.id.as_str(), json(&post)?],
                )
                .map_err(storage)?;
            if n == 0 {
                return Err(not_found("post", &post.id, &post.workspace));
            }
            let ctx = stamp.ctx(p);
            let mut out = Vec::new();
            for (id, content) in contents {
                let mut d = load(c, &post.workspace, &id)?;
                if d.post != post.id {
                    return Err(not_found("delivery", &id, &post.workspace));
                }
                let applied = Change::Edit {
                    content: Box::new(content),
                }
                .apply(&mut d, &ctx)?;
                log(c, &applied.history)?;
                save(c, &mut d)?;
                c.execute(
                    "UPDATE deliveries SET content = ?3 WHERE workspace = ?1 AND id = ?2",
                    params![d.workspace.as_str(), d.id.as_str(), json(&d.content)?],
                )
                .map_err(storage)?;
                out.push(d);
            }
            Ok(out)
        })
        .await
    }

    async fn delivery(&self, ws: &WorkspaceId, id: &DeliveryId) -> Result<Delivery> {
        let (ws, id) = (ws.clone(), id.clone());
        self.read(move |c| {
            paused(c, &ws)?;
            load(c, &ws, &id)
        })
        .await
    }

    async fn deliveries(&self, ws: &WorkspaceId, filter: &DeliveryFilter) -> Result<Vec<Delivery>> {
        let (ws, filter) = (ws.clone(), filter.clone());
        self.read(move |c| {
            paused(c, &ws)?;
            let mut sql = "SELECT data, content FROM deliveries WHERE workspace = ?1".to_string();
            let mut args: Vec<String> = vec![ws.0.clone()];
            if let Some(p) = &filter.post {
                args.push(p.0.clone());
                sql.push_str(&format!(" AND post = ?{}", args.len()));
            }
            if let Some(ch) = &filter.channel {
                args.push(ch.0.clone());
                sql.push_str(&format!(" AND channel = ?{}", args.len()));
            }
            if let Some(r) = &filter.reply_to {
                args.push(r.clone());
                sql.push_str(&format!(" AND reply_to = ?{}", args.len()));
            }
            if !filter.states.is_empty() {
                let marks: Vec<String> = filter
                    .states
                    .iter()
                    .map(|s| {
                        args.push(s.as_str().to_string());
                        format!("?{}", args.len())
                    })
                    .collect();
                sql.push_str(&format!(" AND state IN ({})", marks.join(", ")));
            }
            sql.push_str(" ORDER BY created_at, id");
            if let Some(n) = filter.limit {
                sql.push_str(&format!(" LIMIT {n}"));
            }
            let mut s = c.prepare(&sql).map_err(storage)?;
            let rows = s
                .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(storage)?;
            let mut out = Vec::new();
            for row in rows {
                let (data, content) = row.map_err(storage)?;
                let mut d: Delivery = parse(&data)?;
                d.content = parse(&content)?;
                out.push(d);
            }
            Ok(out)
        })
        .await
    }

    async fn apply(
        &self,
        ws: &WorkspaceId,
        selector: &Selector,
        change: &Change,
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>> {
        let (ws, selector, change, stamp) =
            (ws.clone(), selector.clone(), change.clone(), stamp.clone());
        self.tx(move |c| {
            let p = paused(c, &ws)?;
            let list = select(c, &ws, &selector)?;
            apply_all(c, list, &change, &stamp, p)
        })
        .await
    }

    async fn set_paused(
        &self,
        ws: &WorkspaceId,
        pause: bool,
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>> {
        let (ws, stamp) = (ws.clone(), stamp.clone());
        self.tx(move |c| pause_in(c, &ws, pause, &stamp)).await
    }

    async fn apply_emitting(
        &self,
        ws: &WorkspaceId,
        selector: &Selector,
        change: &Change,
        stamp: &Stamp,
        emit: Arc<dyn Emitter>,
    ) -> Result<(Vec<Delivery>, Vec<StoredEvent>)> {
        let (ws, selector, change, stamp) =
            (ws.clone(), selector.clone(), change.clone(), stamp.clone());
        self.tx(move |c| {
            let p = paused(c, &ws)?;
            let list = select(c, &ws, &selector)?;
            let changed = apply_all(c, list, &change, &stamp, p)?;
            let events = emit_in(c, &ws, &changed, emit.as_ref(), stamp.at)?;
            Ok((changed, events))
        })
        .await
    }

    async fn set_paused_emitting(
        &self,
        ws: &WorkspaceId,
        pause: bool,
        stamp: &Stamp,
        emit: Arc<dyn Emitter>,
    ) -> Result<(Vec<Delivery>, Vec<StoredEvent>)> {
        let (ws, stamp) = (ws.clone(), stamp.clone());
        self.tx(move |c| {
            let changed = pause_in(c, &ws, pause, &stamp)?;
            let events = emit_in(c, &ws, &changed, emit.as_ref(), stamp.at)?;
            Ok((changed, events))
        })
        .await
    }

    async fn append_events(
        &self,
        ws: &WorkspaceId,
        list: &[NewEvent],
        at: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>> {
        let (ws, list) = (ws.clone(), list.to_vec());
        self.tx(move |c| {
            paused(c, &ws)?;
            append(c, &ws, list, at)
        })
        .await
    }

    async fn claim_events(
        &self,
        now: DateTime<Utc>,
        worker: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxEvent>> {
        let worker = worker.to_string();
        self.tx(move |c| {
            let sql = format!(
                "UPDATE events SET attempts = attempts + 1, lease_worker = ?2, lease_until = ?3
                 WHERE seq IN (SELECT seq FROM events WHERE status = 'pending' AND next_at <= ?1
                               AND (lease_until IS NULL OR lease_until <= ?1)
                               ORDER BY seq LIMIT ?4)
                 RETURNING {EVENT_COLUMNS}"
            );
            let mut out = event_rows(
                c,
                &sql,
                &[&us(now), &worker, &us(now + lease), &(limit as i64)],
            )?;
            out.sort_by_key(|e| e.event.seq);
            Ok(out)
        })
        .await
    }

    async fn finish_event(
        &self,
        ws: &WorkspaceId,
        id: &EventId,
        worker: &str,
        outcome: &EventOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (ws, id, worker, outcome) =
            (ws.clone(), id.clone(), worker.to_string(), outcome.clone());
        self.tx(move |c| {
            let mut e = load_event(c, &ws, &id)?;
            events::finish(&mut e, &worker, &outcome, now)?;
            save_event(c, &e)
        })
        .await
    }

    async fn finish_events(
        &self,
        worker: &str,
        done: &[Finished],
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<()>>> {
        let (worker, done) = (worker.to_string(), done.to_vec());
        // One transaction for the lot (one commit, one fsync); each event read and written
        // under the rules every store shares.
        self.tx(move |c| {
            let mut out = Vec::with_capacity(done.len());
            for f in &done {
                let one = load_event(c, &f.workspace, &f.id)
                    .and_then(|mut e| events::finish(&mut e, &worker, &f.outcome, now).map(|_| e));
                match one {
                    Ok(e) => out.push(save_event(c, &e)),
                    // Not held (or gone): that entry's answer; the others still count.
                    Err(x) if matches!(x.kind(), ErrorKind::Conflict | ErrorKind::NotFound) => {
                        out.push(Err(x))
                    }
                    Err(x) => return Err(x),
                }
            }
            Ok(out)
        })
        .await
    }

    async fn purge_events(&self, before: DateTime<Utc>, limit: usize) -> Result<usize> {
        // Oldest first along the primary key: old events have the low `seq`s.
        self.tx(move |c| {
            c.execute(
                "DELETE FROM events WHERE seq IN (SELECT seq FROM events
                 WHERE status IN ('delivered', 'skipped') AND created_at < ?1 ORDER BY seq LIMIT ?2)",
                params![us(before), i64::try_from(limit).unwrap_or(i64::MAX)],
            )
            .map_err(storage)
        })
        .await
    }

    async fn events(&self, ws: &WorkspaceId, filter: &EventFilter) -> Result<Vec<OutboxEvent>> {
        let (ws, filter) = (ws.clone(), filter.clone());
        self.read(move |c| {
            paused(c, &ws)?;
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE workspace = ?1
                 AND (?2 IS NULL OR status = ?2) AND seq > ?3 ORDER BY seq LIMIT ?4"
            );
            let limit = filter.limit.map_or(-1, |n| n as i64);
            event_rows(
                c,
                &sql,
                &[
                    &ws.as_str(),
                    &filter.status.map(EventStatus::as_str),
                    &filter.after.unwrap_or(0),
                    &limit,
                ],
            )
        })
        .await
    }

    async fn replay_events(
        &self,
        ws: &WorkspaceId,
        which: &Replay,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let (ws, which) = (ws.clone(), which.clone());
        self.tx(move |c| {
            paused(c, &ws)?;
            match which {
                Replay::One(id) => {
                    let mut e = load_event(c, &ws, &id)?;
                    if !events::revive(&mut e, now) {
                        return Err(Error::new(
                            ErrorKind::Conflict,
                            format!("event {id} is {}, not dead", e.status.as_str()),
                        ));
                    }
                    save_event(c, &e)?;
                    Ok(1)
                }
                Replay::AllDead => c
                    .execute(
                        "UPDATE events SET status = 'pending', attempts = 0, next_at = ?2,
                         lease_worker = NULL, lease_until = NULL
                         WHERE workspace = ?1 AND status = 'dead'",
                        params![ws.as_str(), us(now)],
                    )
                    .map_err(storage),
            }
        })
        .await
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        worker: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<Claim>> {
        let worker = worker.to_string();
        self.tx(move |c| claim_in(c, now, &worker, limit, lease))
            .await
    }

    async fn expire_leases(&self, worker: &str, now: DateTime<Utc>) -> Result<usize> {
        let worker = worker.to_string();
        self.tx(move |c| {
            let rows: Vec<(String, String)> = {
                let mut s = c
                    .prepare_cached(
                        "SELECT workspace, id FROM deliveries WHERE state = 'publishing'",
                    )
                    .map_err(storage)?;
                let rows = s
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(storage)?;
                rows.collect::<rusqlite::Result<_>>().map_err(storage)?
            };
            let mut n = 0;
            for (ws, id) in rows {
                let mut d = load(c, &WorkspaceId(ws), &DeliveryId(id))?;
                let mine = d
                    .lease
                    .as_mut()
                    .filter(|l| l.worker == worker && l.until > now);
                if let Some(l) = mine {
                    l.until = now;
                    d.due_at = Some(now);
                    save(c, &mut d)?;
                    n += 1;
                }
            }
            Ok(n)
        })
        .await
    }

    async fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        self.read(|c| {
            let v: Option<i64> = c
                .query_row(
                    "SELECT d.due_at FROM deliveries d JOIN workspaces w ON w.id = d.workspace
                     WHERE d.state IN ('scheduled', 'publishing') AND d.due_at IS NOT NULL AND w.paused = 0
                     ORDER BY d.due_at LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .map_err(storage)?;
            Ok(v.map(from_us))
        })
        .await
    }

    async fn history(&self, ws: &WorkspaceId, delivery: &DeliveryId) -> Result<Vec<HistoryEntry>> {
        let (ws, id) = (ws.clone(), delivery.clone());
        self.read(move |c| {
            paused(c, &ws)?;
            records(
                c,
                "SELECT data FROM history WHERE workspace = ?1 AND delivery = ?2 ORDER BY seq",
                &[ws.as_str(), id.as_str()],
            )
        })
        .await
    }

    async fn audit_log(&self, ws: &WorkspaceId, limit: usize) -> Result<Vec<HistoryEntry>> {
        let ws = ws.clone();
        let limit = limit.to_string();
        self.read(move |c| {
            paused(c, &ws)?;
            records(
                c,
                "SELECT data FROM (SELECT seq, data FROM history WHERE workspace = ?1
                 ORDER BY seq DESC LIMIT CAST(?2 AS INTEGER)) ORDER BY seq",
                &[ws.as_str(), &limit],
            )
        })
        .await
    }

    async fn attempts(&self, ws: &WorkspaceId, delivery: &DeliveryId) -> Result<Vec<Attempt>> {
        let (ws, id) = (ws.clone(), delivery.clone());
        self.read(move |c| {
            paused(c, &ws)?;
            records(
                c,
                "SELECT data FROM attempts WHERE workspace = ?1 AND delivery = ?2 ORDER BY number",
                &[ws.as_str(), id.as_str()],
            )
        })
        .await
    }

    async fn add_comment(&self, comment: &Comment) -> Result<()> {
        let cm = comment.clone();
        self.tx(move |c| {
            paused(c, &cm.workspace)?;
            let exists: bool = c
                .query_row(
                    "SELECT EXISTS(SELECT 1 FROM posts WHERE workspace = ?1 AND id = ?2)",
                    [cm.workspace.as_str(), cm.post.as_str()],
                    |r| r.get(0),
                )
                .map_err(storage)?;
            if !exists {
                return Err(not_found("post", &cm.post, &cm.workspace));
            }
            c.execute(
                "INSERT INTO comments (workspace, post, data) VALUES (?1, ?2, ?3)",
                params![cm.workspace.as_str(), cm.post.as_str(), json(&cm)?],
            )
            .map_err(storage)?;
            Ok(())
        })
        .await
    }

    async fn comments(&self, ws: &WorkspaceId, post: &PostId) -> Result<Vec<Comment>> {
        let (ws, post) = (ws.clone(), post.clone());
        self.read(move |c| {
            paused(c, &ws)?;
            records(
                c,
                "SELECT data FROM comments WHERE workspace = ?1 AND post = ?2 ORDER BY seq",
                &[ws.as_str(), post.as_str()],
            )
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn conformance_in_memory() {
        crate::store::conformance::run(|| async {
            Arc::new(SqliteStore::in_memory().unwrap()) as Arc<dyn Store>
        })
        .await;
    }

    /// On a multi-thread runtime the store runs its work on the calling thread
    /// (`block_in_place`) instead of the blocking pool: the same behaviour, from a worker
    /// task and from `Runtime::block_on`'s own thread.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn conformance_on_a_multi_thread_runtime() {
        crate::store::conformance::run(|| async {
            Arc::new(SqliteStore::in_memory().unwrap()) as Arc<dyn Store>
        })
        .await;
        // From a spawned task (a worker thread, which hands its other tasks on first).
        let s = SqliteStore::in_memory().unwrap();
        let on_worker = s.clone();
        tokio::spawn(async move {
            on_worker
                .create_workspace(&Workspace::new("acme", "ACME"))
                .await
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(s.workspace(&"acme".into()).await.unwrap().name, "ACME");
    }

    #[test]
    fn runs_inside_a_multi_thread_block_on() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let s = SqliteStore::in_memory().unwrap();
        let thread = std::thread::current().id();
        let ran_on = rt.block_on(async {
            s.create_workspace(&Workspace::new("acme", "ACME"))
                .await
                .unwrap();
            s.read(|_| Ok(std::thread::current().id())).await.unwrap()
        });
        assert_eq!(ran_on, thread, "no hop to another thread");
        let other = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let ran_on = other.block_on(s.read(|_| Ok(std::thread::current().id())));
        assert_ne!(
            ran_on.unwrap(),
            thread,
            "the blocking pool on a current-thread runtime"
        );
        let pooled = s.clone().on_blocking_pool();
        let ran_on = rt.block_on(pooled.read(|_| Ok(std::thread::current().id())));
        assert_ne!(ran_on.unwrap(), thread, "on the blocking pool when asked");
        // Inside a LocalSet on a multi-thread runtime (where tokio forbids block_in_place).
        let local = tokio::task::LocalSet::new();
        let ran = local.block_on(&rt, async {
            tokio::task::spawn_local(async move { pooled.read(|_| Ok(1)).await })
                .await
                .unwrap()
        });
        assert_eq!(ran.unwrap(), 1);
    }

    #[tokio::test]
    async fn conformance_on_file_and_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let n = std::sync::atomic::AtomicUsize::new(0);
        let dir_path = dir.path().to_path_buf();
        crate::store::conformance::run(|| {
            let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let path = dir_path.join(format!("s{i}.db"));
            async move { Arc::new(SqliteStore::open(path).unwrap()) as Arc<dyn Store> }
        })
        .await;
        let s = SqliteStore::open(dir.path().join("p.db")).unwrap();
        let c = s.conn.lock().unwrap();
        let mode: String = c
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2, "FULL");
    }

    #[test]
    fn claim_uses_the_due_index() {
        let s = SqliteStore::in_memory().unwrap();
        let c = s.conn.lock().unwrap();
        let plan: Vec<String> = c
            .prepare(&format!("EXPLAIN QUERY PLAN {CLAIM_CANDIDATES}"))
            .unwrap()
            .query_map(params![0, 10], |r| r.get::<_, String>(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(
            plan.iter().any(|p| p.contains("deliveries_ready")),
            "{plan:?}"
        );
    }

    #[tokio::test]
    async fn cached_statements_are_not_prepared_again() {
        // `LIMIT ?2` made SQLite plan the claim with the bound value, and rusqlite clears the
        // bindings of every statement it caches: each claim parsed and planned it again.
        let s = SqliteStore::in_memory().unwrap();
        s.create_workspace(&Workspace::new("acme", "ACME"))
            .await
            .unwrap();
        let now = Utc::now();
        for limit in [1, 8, 2] {
            s.claim_due(now, "w1", limit, Duration::seconds(60))
                .await
                .unwrap();
        }
        let c = s.conn.lock().unwrap();
        let st = c.prepare_cached(CLAIM_CANDIDATES).unwrap();
        assert_eq!(st.get_status(rusqlite::StatementStatus::RePrepare), 0);
        assert!(
            st.get_status(rusqlite::StatementStatus::Run) >= 3,
            "the claims ran this cached statement"
        );
    }

    #[test]
    fn a_failed_or_panicking_transaction_is_rolled_back() {
        let s = SqliteStore::in_memory().unwrap();
        let c = s.conn.lock().unwrap();
        let add = |c: &Connection, id: &str| {
            exec(
                c,
                "INSERT INTO workspaces (id, paused, data) VALUES (?1, 0, '{}')",
                [id],
            )
        };
        let count = |c: &Connection| -> i64 {
            c.query_row("SELECT COUNT(*) FROM workspaces", [], |r| r.get(0))
                .unwrap()
        };
        let failed: Result<()> = in_transaction(&c, Begin::Immediate, |c| {
            add(c, "a")?;
            Err(Error::new(ErrorKind::Conflict, "refused"))
        });
        assert_eq!(failed.unwrap_err().kind(), ErrorKind::Conflict);
        assert!(c.is_autocommit(), "no transaction left open");
        assert_eq!(count(&c), 0, "rolled back");
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            in_transaction(&c, Begin::Immediate, |c| -> Result<()> {
                add(c, "b")?;
                panic!("a bug inside a transaction")
            })
        }));
        assert!(panicked.is_err());
        assert!(c.is_autocommit(), "no transaction left open");
        assert_eq!(count(&c), 0, "rolled back");
        in_transaction(&c, Begin::Immediate, |c| add(c, "c")).unwrap();
        in_transaction(&c, Begin::Deferred, |c| {
            assert_eq!(count(c), 1, "committed");
            Ok(())
        })
        .unwrap();
    }
}
