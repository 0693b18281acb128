//! The store for many workers on many machines: PostgreSQL (feature `postgres`), on
//! `tokio-postgres` with a `deadpool-postgres` pool.
//!
//! - Claims take due deliveries with `SELECT … FOR UPDATE SKIP LOCKED` under leases (attempt
//!   id, worker, lease end), so any number of worker processes share one database and never
//!   claim a delivery twice while its lease holds; [`Store::expire_leases`] hands a restarted
//!   worker's deliveries back at once.
//! - A transaction that leaves a delivery Scheduled sends `NOTIFY socialkit_work`; a waiting
//!   worker ([`Store::wait_for_work`]) wakes within milliseconds. Polling stays the fallback.
//! - Migrations run once under an advisory lock when several processes start together, and a
//!   database newer than this code is refused ([`ConfigInvalid`](ErrorKind::ConfigInvalid)).
//! - Features above the engine (the inbox) keep their own tables in the same database through
//!   a [`PgHandle`] and migrate them themselves; this store knows nothing of them.
//! - Durable like PostgreSQL is: every change is one transaction, committed before the call
//!   returns (keep `synchronous_commit` and `fsync` on).
//!
//! ```no_run
//! use socialkit::store::{PgStore, Store, Workspace};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let url = std::env::var("SOCIALKIT_POSTGRES_URL").unwrap();
//! let store = PgStore::connect(&url).await.unwrap();
//! store.create_workspace(&Workspace::new("acme", "ACME")).await.unwrap();
//! # });
//! ```

mod events;
mod migrations;
#[cfg(any(test, feature = "testkit"))]
pub mod scratch;
mod vault;
mod wake;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Transaction};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

pub use migrations::Migrated;

use super::events::{
    Emitter, EventFilter, EventId, EventOutcome, NewEvent, OutboxEvent, Replay, StoredEvent,
};
use super::{
    Attempt, AttemptOutcome, Change, ChannelRecord, Claim, Comment, Delivery, DeliveryFilter,
    DeliveryId, DeliveryState, HistoryEntry, Member, PostId, PostRecord, Selector, Stamp, Store,
    Workspace, WorkspaceId, claim, claim_window, created, not_found, spacing_defers,
};
use crate::model::Post;
use crate::{Error, ErrorKind, Result};

/// The pool size [`PgStore::connect`] uses.
pub const DEFAULT_POOL_SIZE: usize = 8;

/// A [`Store`] on PostgreSQL. Cheap to clone (one pool).
///
/// `Debug` shows neither the URL nor its password.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    listener: Arc<wake::Listener>,
    migrated: Migrated,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("pool_size", &self.pool.status().max_size)
            .finish_non_exhaustive()
    }
}

/// A shared handle on a [`PgStore`]'s pool ([`PgStore::handle`]): how a feature above the
/// engine (the inbox) keeps its tables in the engine's database without the store knowing it.
/// The feature migrates its own tables ([`PgHandle::migrate_feature`], versioned per feature,
/// under the same advisory lock as the store's).
#[derive(Clone)]
pub struct PgHandle {
    pool: Pool,
}

impl std::fmt::Debug for PgHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgHandle").finish_non_exhaustive()
    }
}

impl PgHandle {
    /// The pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Brings feature `feature`'s tables to the newest of `steps` (`steps[i]` goes from
    /// version `i` to `i + 1`) in one transaction under the migration lock. A database newer
    /// than `steps` is refused with [`ConfigInvalid`](ErrorKind::ConfigInvalid).
    pub async fn migrate_feature(&self, feature: &str, steps: &[&str]) -> Result<Migrated> {
        migrations::migrate(&self.pool, feature, steps).await
    }
}

/// A failure of the database or the pool, as a [`Storage`](ErrorKind::Storage) error. The
/// URL and its password are never part of it.
pub(crate) fn pg(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::new(ErrorKind::Storage, "the PostgreSQL store failed").with_source(e)
}

fn code(e: &tokio_postgres::Error) -> Option<&SqlState> {
    e.code()
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(pg)
}

fn parse<T: DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(pg)
}

fn us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_us(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(v).unwrap_or_default()
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:pass@host:port/db`) with a pool of
    /// [`DEFAULT_POOL_SIZE`] connections and migrates it.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, DEFAULT_POOL_SIZE).await
    }

    /// [`connect`](PgStore::connect) with a pool of `pool_size` connections (at least 1).
    pub async fn connect_with(url: &str, pool_size: usize) -> Result<Self> {
        let config: tokio_postgres::Config = url.parse().map_err(|_| {
            Error::new(
                ErrorKind::ConfigInvalid,
                "the PostgreSQL URL is not valid (expected postgres://user@host:port/database)",
            )
        })?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .build()
            .map_err(pg)?;
        let migrated = migrations::migrate(&pool, "store", migrations::STORE).await?;
        Ok(PgStore {
            pool,
            listener: Arc::new(wake::Listener::new(config)),
            migrated,
        })
    }

    /// What opening this store migrated.
    pub fn migrated(&self) -> Migrated {
        self.migrated
    }

    /// A handle on this store's pool, for a feature above the engine that keeps its own
    /// tables in the same database (the inbox).
    pub fn handle(&self) -> PgHandle {
        PgHandle {
            pool: self.pool.clone(),
        }
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pg)
    }
}

type Tx<'a> = Transaction<'a>;

async fn paused(tx: &Tx<'_>, ws: &WorkspaceId) -> Result<bool> {
    let st = tx
        .prepare_cached("SELECT paused FROM workspaces WHERE id = $1")
        .await
        .map_err(pg)?;
    tx.query_opt(&st, &[&ws.as_str()])
        .await
        .map_err(pg)?
        .map(|r| r.get::<_, bool>(0))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("workspace {ws} does not exist"),
            )
        })
}

fn delivery_of(data: &str, content: &str) -> Result<Delivery> {
    let mut d: Delivery = parse(data)?;
    d.content = parse(content)?;
    Ok(d)
}

/// Reads a delivery; `lock` takes its row lock (for a write).
async fn load(tx: &Tx<'_>, ws: &WorkspaceId, id: &DeliveryId, lock: bool) -> Result<Delivery> {
    let sql = if lock {
        "SELECT data, content FROM deliveries WHERE workspace = $1 AND id = $2 FOR UPDATE"
    } else {
        "SELECT data, content FROM deliveries WHERE workspace = $1 AND id = $2"
    };
    let st = tx.prepare_cached(sql).await.map_err(pg)?;
    let row = tx
        .query_opt(&st, &[&ws.as_str(), &id.as_str()])
        .await
        .map_err(pg)?
        .ok_or_else(|| not_found("delivery", id, ws))?;
    delivery_of(row.get(0), row.get(1))
}

/// The delivery's JSON without its content (kept in its own column, written only when it
/// changes).
fn data_of(d: &Delivery) -> Result<String> {
    let mut light = d.clone();
    light.content = Post::default();
    json(&light)
}

fn lease_worker(d: &Delivery) -> Option<&str> {
    (d.state == DeliveryState::Publishing)
        .then(|| d.lease.as_ref().map(|l| l.worker.as_str()))
        .flatten()
}

async fn insert(tx: &Tx<'_>, d: &Delivery) -> Result<()> {
    let st = tx
        .prepare_cached(
            "INSERT INTO deliveries (workspace, id, post, channel, state, due_at, created_at,
                lease_worker, reply_to, data, content)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .await
        .map_err(pg)?;
    let (data, content) = (data_of(d)?, json(&d.content)?);
    tx.execute(
        &st,
        &[
            &d.workspace.as_str(),
            &d.id.as_str(),
            &d.post.as_str(),
            &d.channel.as_str(),
            &d.state.as_str(),
            &d.due_at.map(us),
            &us(d.created_at),
            &lease_worker(d),
            &d.reply_to.as_ref().map(|r| r.id.as_str()),
            &data,
            &content,
        ],
    )
    .await
    .map_err(|e| {
        if code(&e) == Some(&SqlState::UNIQUE_VIOLATION) {
            Error::new(
                ErrorKind::Conflict,
                format!("delivery {} exists already", d.id),
            )
        } else {
            pg(e)
        }
    })?;
    Ok(())
}

async fn save(tx: &Tx<'_>, d: &Delivery) -> Result<()> {
    let st = tx
        .prepare_cached(
            "UPDATE deliveries SET state = $3, due_at = $4, lease_worker = $5, data = $6
             WHERE workspace = $1 AND id = $2",
        )
        .await
        .map_err(pg)?;
    tx.execute(
        &st,
        &[
            &d.workspace.as_str(),
            &d.id.as_str(),
            &d.state.as_str(),
            &d.due_at.map(us),
            &lease_worker(d),
            &data_of(d)?,
        ],
    )
    .await
    .map_err(pg)?;
    Ok(())
}

async fn log(tx: &Tx<'_>, h: &HistoryEntry) -> Result<()> {
    let st = tx
        .prepare_cached("INSERT INTO history (workspace, delivery, data) VALUES ($1, $2, $3)")
        .await
        .map_err(pg)?;
    tx.execute(
        &st,
        &[&h.workspace.as_str(), &h.delivery.as_str(), &json(h)?],
    )
    .await
    .map_err(pg)?;
    Ok(())
}

async fn put_attempt(tx: &Tx<'_>, a: &Attempt) -> Result<()> {
    let st = tx
        .prepare_cached(
            "INSERT INTO attempts (workspace, delivery, id, number, data) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (workspace, id) DO UPDATE SET number = excluded.number, data = excluded.data",
        )
        .await
        .map_err(pg)?;
    tx.execute(
        &st,
        &[
            &a.workspace.as_str(),
            &a.delivery.as_str(),
            &a.id,
            &i64::from(a.number),
            &json(a)?,
        ],
    )
    .await
    .map_err(pg)?;
    Ok(())
}

async fn end_attempt(
    tx: &Tx<'_>,
    ws: &WorkspaceId,
    id: &str,
    o: AttemptOutcome,
    at: DateTime<Utc>,
) -> Result<()> {
    let st = tx
        .prepare_cached("SELECT data FROM attempts WHERE workspace = $1 AND id = $2")
        .await
        .map_err(pg)?;
    if let Some(row) = tx.query_opt(&st, &[&ws.as_str(), &id]).await.map_err(pg)? {
        let mut a: Attempt = parse(row.get(0))?;
        a.outcome = Some(o);
        a.finished_at = Some(at);
        put_attempt(tx, &a).await?;
    }
    Ok(())
}

/// Sends the wake-up (delivered at commit, to every listening worker).
async fn wake(tx: &Tx<'_>) -> Result<()> {
    tx.batch_execute(&format!("NOTIFY {}", wake::CHANNEL))
        .await
        .map_err(pg)
}

/// Saves each delivery after `change` and wakes workers if one is Scheduled now.
async fn apply_all(
    tx: &Tx<'_>,
    list: Vec<Delivery>,
    change: &Change,
    stamp: &Stamp,
    paused: bool,
) -> Result<Vec<Delivery>> {
    let ctx = stamp.ctx(paused);
    let mut out = Vec::with_capacity(list.len());
    let mut scheduled = false;
    for mut d in list {
        let applied = change.apply(&mut d, &ctx)?;
        if let Some((id, outcome)) = applied.attempt {
            end_attempt(tx, &d.workspace, &id, outcome, stamp.at).await?;
        }
        log(tx, &applied.history).await?;
        save(tx, &d).await?;
        scheduled |= d.state == DeliveryState::Scheduled;
        out.push(d);
    }
    if scheduled {
        wake(tx).await?;
    }
    Ok(out)
}

async fn records<T: DeserializeOwned>(
    tx: &Tx<'_>,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Vec<T>> {
    let st = tx.prepare_cached(sql).await.map_err(pg)?;
    tx.query(&st, args)
        .await
        .map_err(pg)?
        .iter()
        .map(|r| parse(r.get::<_, &str>(0)))
        .collect()
}

async fn deliveries_where(
    tx: &Tx<'_>,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Delivery>> {
    let st = tx.prepare_cached(sql).await.map_err(pg)?;
    tx.query(&st, args)
        .await
        .map_err(pg)?
        .iter()
        .map(|r| delivery_of(r.get(0), r.get(1)))
        .collect()
}

async fn post_exists(tx: &Tx<'_>, ws: &WorkspaceId, post: &PostId) -> Result<bool> {
    let st = tx
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM posts WHERE workspace = $1 AND id = $2)")
        .await
        .map_err(pg)?;
    Ok(tx
        .query_one(&st, &[&ws.as_str(), &post.as_str()])
        .await
        .map_err(pg)?
        .get(0))
}

/// The deliveries a selector names, locked for the write.
async fn select(tx: &Tx<'_>, ws: &WorkspaceId, selector: &Selector) -> Result<Vec<Delivery>> {
    match selector {
        Selector::Delivery(id) => Ok(vec![load(tx, ws, id, true).await?]),
        Selector::Post(p) => {
            if !post_exists(tx, ws, p).await? {
                return Err(not_found("post", p, ws));
            }
            let list = deliveries_where(
                tx,
                "SELECT data, content FROM deliveries WHERE workspace = $1 AND post = $2
                 ORDER BY created_at, id FOR UPDATE",
                &[&ws.as_str(), &p.as_str()],
            )
            .await?;
            Ok(list
                .into_iter()
                .filter(|d| !d.state.is_terminal())
                .collect())
        }
    }
}

/// Whether a failed claim round is worth one more try (a deadlock or serialization
/// failure between concurrent claimers: PostgreSQL aborted this one to let the other go).
fn transient(e: &Error) -> bool {
    std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<tokio_postgres::Error>())
        .and_then(code)
        .is_some_and(|c| {
            *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE
        })
}

async fn claim_in(
    tx: &Tx<'_>,
    now: DateTime<Utc>,
    worker: &str,
    limit: usize,
    lease: Duration,
) -> Result<Vec<Claim>> {
    let candidates = deliveries_where(
        tx,
        "SELECT d.data, d.content FROM deliveries d JOIN workspaces w ON w.id = d.workspace
         WHERE d.state IN ('scheduled', 'publishing') AND d.due_at <= $1 AND NOT w.paused
         ORDER BY d.due_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED",
        &[&us(now), &(claim_window(limit) as i64)],
    )
    .await?;
    let spacing = tx
        .prepare_cached(
            "SELECT min_spacing_secs, next_free_at FROM channels WHERE workspace = $1 AND id = $2",
        )
        .await
        .map_err(pg)?;
    let lock_channel = tx
        .prepare_cached(
            "SELECT next_free_at FROM channels WHERE workspace = $1 AND id = $2
             FOR UPDATE SKIP LOCKED",
        )
        .await
        .map_err(pg)?;
    let mut out = Vec::new();
    for mut d in candidates {
        if out.len() >= limit {
            break;
        }
        let (ws, ch) = (d.workspace.clone(), d.channel.clone());
        let slot = tx
            .query_opt(&spacing, &[&ws.as_str(), &ch.as_str()])
            .await
            .map_err(pg)?;
        let (min_spacing, mut next_free): (Option<i64>, Option<i64>) = slot
            .as_ref()
            .map(|r| (r.get(0), r.get(1)))
            .unwrap_or((None, None));
        if min_spacing.is_some() || next_free.is_some() {
            // A spaced channel: its row serializes the claimers of the channel. Held by
            // another claimer right now: leave the delivery for the next round.
            match tx
                .query_opt(&lock_channel, &[&ws.as_str(), &ch.as_str()])
                .await
                .map_err(pg)?
            {
                Some(r) => next_free = r.get(0),
                None => continue,
            }
            if let Some(at) = spacing_defers(next_free.map(from_us), now) {
                if d.state == DeliveryState::Scheduled {
                    d.due_at = Some(at);
                    save(tx, &d).await?;
                    continue;
                }
            }
        }
        let claimed = claim(&mut d, now, worker, lease)?;
        if let Some(old) = &claimed.abandoned {
            end_attempt(tx, &ws, old, AttemptOutcome::Abandoned, now).await?;
        }
        if let Some(s) = min_spacing {
            let st = tx
                .prepare_cached(
                    "UPDATE channels SET next_free_at = $3 WHERE workspace = $1 AND id = $2",
                )
                .await
                .map_err(pg)?;
            tx.execute(
                &st,
                &[&ws.as_str(), &ch.as_str(), &us(now + Duration::seconds(s))],
            )
            .await
            .map_err(pg)?;
        }
        put_attempt(tx, &claimed.attempt).await?;
        log(tx, &claimed.history).await?;
        save(tx, &d).await?;
        out.push(Claim {
            delivery: d,
            attempt: claimed.attempt,
        });
    }
    Ok(out)
}

/// Opens a transaction on a pooled connection, runs the body, commits.
/// Crisis mode on or off in the caller's transaction; the deliveries changed.
async fn pause_in(
    tx: &Tx<'_>,
    ws: &WorkspaceId,
    pause: bool,
    stamp: &Stamp,
) -> Result<Vec<Delivery>> {
    // The workspace row first: concurrent pauses of one workspace queue here.
    let row = tx
        .query_opt(
            "SELECT data FROM workspaces WHERE id = $1 FOR UPDATE",
            &[&ws.as_str()],
        )
        .await
        .map_err(pg)?
        .ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("workspace {ws} does not exist"),
            )
        })?;
    let mut w: Workspace = parse(row.get::<_, &str>(0))?;
    let (sql, change) = if pause {
        (
            "SELECT data, content FROM deliveries WHERE workspace = $1 AND state IN
                 ('draft', 'in_review', 'changes_requested', 'approved', 'scheduled')
                 ORDER BY created_at, id FOR UPDATE",
            Change::Pause,
        )
    } else {
        (
            "SELECT data, content FROM deliveries WHERE workspace = $1 AND state = 'paused'
                 ORDER BY created_at, id FOR UPDATE",
            Change::Resume,
        )
    };
    let list = deliveries_where(tx, sql, &[&ws.as_str()]).await?;
    let out = apply_all(tx, list, &change, stamp, pause).await?;
    w.paused = pause;
    tx.execute(
        "UPDATE workspaces SET paused = $2, data = $3 WHERE id = $1",
        &[&ws.as_str(), &pause, &json(&w)?],
    )
    .await
    .map_err(pg)?;
    Ok(out)
}

macro_rules! in_tx {
    ($store:expr, |$tx:ident| $body:expr) => {{
        let mut client = $store.client().await?;
        let $tx = client.transaction().await.map_err(pg)?;
        let out: Result<_> = async { $body }.await;
        match out {
            Ok(v) => {
                $tx.commit().await.map_err(pg)?;
                Ok(v)
            }
            Err(e) => {
                // All or nothing: nothing of a failed change stays.
                let _ = $tx.rollback().await;
                Err(e)
            }
        }
    }};
}

#[async_trait]
impl Store for PgStore {
    fn vault(&self) -> Result<Arc<dyn super::vault::VaultStore>> {
        Ok(Arc::new(vault::PgVault::new(self.pool.clone())))
    }

    async fn wait_for_work(&self, max: std::time::Duration) {
        self.listener.wait(max).await;
    }

    async fn create_workspace(&self, workspace: &Workspace) -> Result<()> {
        let w = workspace;
        in_tx!(self, |tx| {
            let n = tx
                .execute(
                    "INSERT INTO workspaces (id, paused, data) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO NOTHING",
                    &[&w.id.as_str(), &w.paused, &json(w)?],
                )
                .await
                .map_err(pg)?;
            if n == 0 {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!("workspace {} exists already", w.id),
                ));
            }
            Ok(())
        })
    }

    async fn workspace(&self, id: &WorkspaceId) -> Result<Workspace> {
        in_tx!(self, |tx| {
            let row = tx
                .query_opt(
                    "SELECT paused, data FROM workspaces WHERE id = $1",
                    &[&id.as_str()],
                )
                .await
                .map_err(pg)?
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::NotFound,
                        format!("workspace {id} does not exist"),
                    )
                })?;
            let mut w: Workspace = parse(row.get(1))?;
            w.paused = row.get(0);
            Ok(w)
        })
    }

    async fn put_member(&self, ws: &WorkspaceId, member: &Member) -> Result<()> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            tx.execute(
                "INSERT INTO members (workspace, member, data) VALUES ($1, $2, $3)
                 ON CONFLICT (workspace, member) DO UPDATE SET data = excluded.data",
                &[&ws.as_str(), &member.user, &json(member)?],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    async fn remove_member(&self, ws: &WorkspaceId, user: &str) -> Result<()> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            tx.execute(
                "DELETE FROM members WHERE workspace = $1 AND member = $2",
                &[&ws.as_str(), &user],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    async fn members(&self, ws: &WorkspaceId) -> Result<Vec<Member>> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            records(
                &tx,
                "SELECT data FROM members WHERE workspace = $1 ORDER BY member",
                &[&ws.as_str()],
            )
            .await
        })
    }

    async fn put_setting(
        &self,
        ws: &WorkspaceId,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<()> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            tx.execute(
                "INSERT INTO settings (workspace, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (workspace, key) DO UPDATE SET value = excluded.value",
                &[&ws.as_str(), &key, &value.to_string()],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    async fn setting(&self, ws: &WorkspaceId, key: &str) -> Result<Option<serde_json::Value>> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            let v = tx
                .query_opt(
                    "SELECT value FROM settings WHERE workspace = $1 AND key = $2",
                    &[&ws.as_str(), &key],
                )
                .await
                .map_err(pg)?;
            v.map(|r| parse(r.get::<_, &str>(0))).transpose()
        })
    }

    async fn put_channel(&self, ws: &WorkspaceId, channel: &ChannelRecord) -> Result<()> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            tx.execute(
                "INSERT INTO channels (workspace, id, min_spacing_secs, data) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (workspace, id) DO UPDATE
                 SET min_spacing_secs = excluded.min_spacing_secs, data = excluded.data",
                &[
                    &ws.as_str(),
                    &channel.id.as_str(),
                    &channel.min_spacing_secs,
                    &json(channel)?,
                ],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    async fn channels(&self, ws: &WorkspaceId) -> Result<Vec<ChannelRecord>> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            records(
                &tx,
                "SELECT data FROM channels WHERE workspace = $1 ORDER BY id",
                &[&ws.as_str()],
            )
            .await
        })
    }

    async fn insert_post(
        &self,
        post: &PostRecord,
        deliveries: &[Delivery],
        why: &str,
    ) -> Result<()> {
        in_tx!(self, |tx| {
            paused(&tx, &post.workspace).await?;
            let n = tx
                .execute(
                    "INSERT INTO posts (workspace, id, data) VALUES ($1, $2, $3)
                     ON CONFLICT (workspace, id) DO NOTHING",
                    &[&post.workspace.as_str(), &post.id.as_str(), &json(post)?],
                )
                .await
                .map_err(pg)?;
            if n == 0 {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!("post {} exists already", post.id),
                ));
            }
            let mut scheduled = false;
            for d in deliveries {
                if d.workspace != post.workspace || d.post != post.id {
                    return Err(Error::new(
                        ErrorKind::Conflict,
                        "a delivery must belong to the post's workspace and post",
                    ));
                }
                let h = created(d, &post.created_by, why)?;
                insert(&tx, d).await?;
                log(&tx, &h).await?;
                scheduled |= d.state == DeliveryState::Scheduled;
            }
            if scheduled {
                wake(&tx).await?;
            }
            Ok(())
        })
    }

    async fn post(&self, ws: &WorkspaceId, id: &PostId) -> Result<PostRecord> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            let row = tx
                .query_opt(
                    "SELECT data FROM posts WHERE workspace = $1 AND id = $2",
                    &[&ws.as_str(), &id.as_str()],
                )
                .await
                .map_err(pg)?
                .ok_or_else(|| not_found("post", id, ws))?;
            parse(row.get::<_, &str>(0))
        })
    }

    async fn edit_post(
        &self,
        post: &PostRecord,
        contents: &[(DeliveryId, Post)],
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>> {
        in_tx!(self, |tx| {
            let p = paused(&tx, &post.workspace).await?;
            let n = tx
                .execute(
                    "UPDATE posts SET data = $3 WHERE workspace = $1 AND id = $2",
                    &[&post.workspace.as_str(), &post.id.as_str(), &json(post)?],
                )
                .await
                .map_err(pg)?;
            if n == 0 {
                return Err(not_found("post", &post.id, &post.workspace));
            }
            let ctx = stamp.ctx(p);
            let mut out = Vec::new();
            for (id, content) in contents {
                let mut d = load(&tx, &post.workspace, id, true).await?;
                if d.post != post.id {
                    return Err(not_found("delivery", id, &post.workspace));
                }
                let applied = Change::Edit {
                    content: Box::new(content.clone()),
                }
                .apply(&mut d, &ctx)?;
                log(&tx, &applied.history).await?;
                save(&tx, &d).await?;
                tx.execute(
                    "UPDATE deliveries SET content = $3 WHERE workspace = $1 AND id = $2",
                    &[&d.workspace.as_str(), &d.id.as_str(), &json(&d.content)?],
                )
                .await
                .map_err(pg)?;
                out.push(d);
            }
            Ok(out)
        })
    }

    async fn delivery(&self, ws: &WorkspaceId, id: &DeliveryId) -> Result<Delivery> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            load(&tx, ws, id, false).await
        })
    }

    async fn deliveries(&self, ws: &WorkspaceId, filter: &DeliveryFilter) -> Result<Vec<Delivery>> {
        let mut sql = "SELECT data, content FROM deliveries WHERE workspace = $1".to_string();
        let mut args: Vec<String> = vec![ws.0.clone()];
        if let Some(p) = &filter.post {
            args.push(p.0.clone());
            sql.push_str(&format!(" AND post = ${}", args.len()));
        }
        if let Some(ch) = &filter.channel {
            args.push(ch.0.clone());
            sql.push_str(&format!(" AND channel = ${}", args.len()));
        }
        if let Some(r) = &filter.reply_to {
            args.push(r.clone());
            sql.push_str(&format!(" AND reply_to = ${}", args.len()));
        }
        if !filter.states.is_empty() {
            let marks: Vec<String> = filter
                .states
                .iter()
                .map(|s| {
                    args.push(s.as_str().to_string());
                    format!("${}", args.len())
                })
                .collect();
            sql.push_str(&format!(" AND state IN ({})", marks.join(", ")));
        }
        sql.push_str(" ORDER BY created_at, id");
        if let Some(n) = filter.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let refs: Vec<&(dyn ToSql + Sync)> =
            args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            deliveries_where(&tx, &sql, &refs).await
        })
    }

    async fn apply(
        &self,
        ws: &WorkspaceId,
        selector: &Selector,
        change: &Change,
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>> {
        in_tx!(self, |tx| {
            let p = paused(&tx, ws).await?;
            let list = select(&tx, ws, selector).await?;
            apply_all(&tx, list, change, stamp, p).await
        })
    }

    async fn set_paused(
        &self,
        ws: &WorkspaceId,
        pause: bool,
        stamp: &Stamp,
    ) -> Result<Vec<Delivery>> {
        in_tx!(self, |tx| pause_in(&tx, ws, pause, stamp).await)
    }

    async fn apply_emitting(
        &self,
        ws: &WorkspaceId,
        selector: &Selector,
        change: &Change,
        stamp: &Stamp,
        emit: Arc<dyn Emitter>,
    ) -> Result<(Vec<Delivery>, Vec<StoredEvent>)> {
        in_tx!(self, |tx| {
            let p = paused(&tx, ws).await?;
            let list = select(&tx, ws, selector).await?;
            let changed = apply_all(&tx, list, change, stamp, p).await?;
            let stored = events::emit_in(&tx, ws, &changed, emit.as_ref(), stamp.at).await?;
            Ok((changed, stored))
        })
    }

    async fn set_paused_emitting(
        &self,
        ws: &WorkspaceId,
        pause: bool,
        stamp: &Stamp,
        emit: Arc<dyn Emitter>,
    ) -> Result<(Vec<Delivery>, Vec<StoredEvent>)> {
        in_tx!(self, |tx| {
            let changed = pause_in(&tx, ws, pause, stamp).await?;
            let stored = events::emit_in(&tx, ws, &changed, emit.as_ref(), stamp.at).await?;
            Ok((changed, stored))
        })
    }

    async fn append_events(
        &self,
        ws: &WorkspaceId,
        list: &[NewEvent],
        at: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            events::append(&tx, ws, list.to_vec(), at).await
        })
    }

    async fn claim_events(
        &self,
        now: DateTime<Utc>,
        worker: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxEvent>> {
        events::claim(&self.client().await?, now, worker, limit, lease).await
    }

    async fn finish_events(
        &self,
        worker: &str,
        done: &[super::Finished],
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<()>>> {
        events::finish_many(&self.client().await?, worker, done, now).await
    }

    async fn finish_event(
        &self,
        ws: &WorkspaceId,
        id: &EventId,
        worker: &str,
        outcome: &EventOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        in_tx!(self, |tx| events::finish(&tx, ws, id, worker, outcome, now)
            .await)
    }

    async fn purge_events(&self, before: DateTime<Utc>, limit: usize) -> Result<usize> {
        // Oldest first along the primary key: old events have the low `seq`s.
        let c = self.client().await?;
        let n = c
            .execute(
                "DELETE FROM events WHERE seq IN (SELECT seq FROM events
                 WHERE status IN ('delivered', 'skipped') AND created_at < $1 ORDER BY seq LIMIT $2)",
                &[&us(before), &i64::try_from(limit).unwrap_or(i64::MAX)],
            )
            .await
            .map_err(pg)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn events(&self, ws: &WorkspaceId, filter: &EventFilter) -> Result<Vec<OutboxEvent>> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            events::list(&tx, ws, filter).await
        })
    }

    async fn replay_events(
        &self,
        ws: &WorkspaceId,
        which: &Replay,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            events::replay(&tx, ws, which, now).await
        })
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        worker: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<Claim>> {
        let mut tries = 0;
        loop {
            tries += 1;
            let round: Result<Vec<Claim>> =
                async { in_tx!(self, |tx| claim_in(&tx, now, worker, limit, lease).await) }.await;
            match round {
                Err(e) if tries < 3 && transient(&e) => continue,
                other => return other,
            }
        }
    }

    async fn expire_leases(&self, worker: &str, now: DateTime<Utc>) -> Result<usize> {
        in_tx!(self, |tx| {
            let list = deliveries_where(
                &tx,
                "SELECT data, content FROM deliveries WHERE state = 'publishing' AND lease_worker = $1
                 FOR UPDATE",
                &[&worker],
            )
            .await?;
            let mut n = 0;
            for mut d in list {
                let mine = d
                    .lease
                    .as_mut()
                    .filter(|l| l.worker == worker && l.until > now);
                if let Some(l) = mine {
                    l.until = now;
                    d.due_at = Some(now);
                    save(&tx, &d).await?;
                    n += 1;
                }
            }
            if n > 0 {
                wake(&tx).await?;
            }
            Ok(n)
        })
    }

    async fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        in_tx!(self, |tx| {
            let st = tx
                .prepare_cached(
                    "SELECT d.due_at FROM deliveries d JOIN workspaces w ON w.id = d.workspace
                     WHERE d.state IN ('scheduled', 'publishing') AND d.due_at IS NOT NULL
                       AND NOT w.paused
                     ORDER BY d.due_at LIMIT 1",
                )
                .await
                .map_err(pg)?;
            let v = tx.query_opt(&st, &[]).await.map_err(pg)?;
            Ok(v.map(|r| from_us(r.get(0))))
        })
    }

    async fn history(&self, ws: &WorkspaceId, delivery: &DeliveryId) -> Result<Vec<HistoryEntry>> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            records(
                &tx,
                "SELECT data FROM history WHERE workspace = $1 AND delivery = $2 ORDER BY seq",
                &[&ws.as_str(), &delivery.as_str()],
            )
            .await
        })
    }

    async fn audit_log(&self, ws: &WorkspaceId, limit: usize) -> Result<Vec<HistoryEntry>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            records(
                &tx,
                "SELECT data FROM (SELECT seq, data FROM history WHERE workspace = $1
                 ORDER BY seq DESC LIMIT $2) last ORDER BY seq",
                &[&ws.as_str(), &limit],
            )
            .await
        })
    }

    async fn attempts(&self, ws: &WorkspaceId, delivery: &DeliveryId) -> Result<Vec<Attempt>> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            records(
                &tx,
                "SELECT data FROM attempts WHERE workspace = $1 AND delivery = $2 ORDER BY number",
                &[&ws.as_str(), &delivery.as_str()],
            )
            .await
        })
    }

    async fn add_comment(&self, comment: &Comment) -> Result<()> {
        let cm = comment;
        in_tx!(self, |tx| {
            paused(&tx, &cm.workspace).await?;
            if !post_exists(&tx, &cm.workspace, &cm.post).await? {
                return Err(not_found("post", &cm.post, &cm.workspace));
            }
            tx.execute(
                "INSERT INTO comments (workspace, post, data) VALUES ($1, $2, $3)",
                &[&cm.workspace.as_str(), &cm.post.as_str(), &json(cm)?],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    async fn comments(&self, ws: &WorkspaceId, post: &PostId) -> Result<Vec<Comment>> {
        in_tx!(self, |tx| {
            paused(&tx, ws).await?;
            records(
                &tx,
                "SELECT data FROM comments WHERE workspace = $1 AND post = $2 ORDER BY seq",
                &[&ws.as_str(), &post.as_str()],
            )
            .await
        })
    }
}

#[cfg(test)]
mod tests;
