//! Versioned schema migrations of the PostgreSQL store, run once however many processes start
//! together.
//!
//! Every feature that keeps tables in the database (the engine's store under `store`, the
//! inbox under its own name) has a row in `socialkit_schema` with its version. A migration
//! runs in one transaction that first takes a transaction-scoped advisory lock
//! (`pg_advisory_xact_lock`), so when eight processes open a fresh database at once one of
//! them creates the tables and the others wait, then find them current. PostgreSQL's DDL is
//! transactional: a failed step leaves the database as it was. A database whose version is
//! newer than this code is refused with [`ConfigInvalid`](crate::ErrorKind::ConfigInvalid)
//! rather than guessed at. Add a migration by appending a step; never edit one that shipped.

use deadpool_postgres::Pool;

use super::pg;
use crate::{Error, ErrorKind, Result};

/// The advisory lock every migration takes (the bytes of "skmigrat").
const LOCK: i64 = 0x736b_6d69_6772_6174;

/// The engine store's steps; `STORE[i]` goes from version `i` to `i + 1`.
pub(crate) const STORE: &[&str] = &[
    // 1: the engine's tables. Times are microseconds since the Unix epoch (UTC). Records are
    // JSON in `data`; the columns beside it are what queries filter, sort and lock on.
    r#"
    CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        paused BOOLEAN NOT NULL DEFAULT FALSE,
        data TEXT NOT NULL
    );
    CREATE TABLE members (
        workspace TEXT NOT NULL REFERENCES workspaces(id),
        member TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, member)
    );
    CREATE TABLE settings (
        workspace TEXT NOT NULL REFERENCES workspaces(id),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (workspace, key)
    );
    CREATE TABLE channels (
        workspace TEXT NOT NULL REFERENCES workspaces(id),
        id TEXT NOT NULL,
        min_spacing_secs BIGINT,
        next_free_at BIGINT,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, id)
    );
    CREATE TABLE posts (
        workspace TEXT NOT NULL REFERENCES workspaces(id),
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, id)
    );
    CREATE TABLE deliveries (
        workspace TEXT NOT NULL REFERENCES workspaces(id),
        id TEXT NOT NULL,
        post TEXT NOT NULL,
        channel TEXT NOT NULL,
        state TEXT NOT NULL,
        due_at BIGINT,
        created_at BIGINT NOT NULL,
        lease_worker TEXT,
        reply_to TEXT,
        data TEXT NOT NULL,
        content TEXT NOT NULL,
        PRIMARY KEY (workspace, id)
    );
    -- Claiming due work: only Scheduled and Publishing rows, by due time.
    CREATE INDEX deliveries_ready ON deliveries (due_at) WHERE state IN ('scheduled', 'publishing');
    -- A worker that starts again frees its own leases.
    CREATE INDEX deliveries_lease ON deliveries (lease_worker) WHERE state = 'publishing';
    CREATE INDEX deliveries_post ON deliveries (workspace, post, created_at, id);
    CREATE INDEX deliveries_listing ON deliveries (workspace, created_at, id);
    CREATE INDEX deliveries_state ON deliveries (workspace, state);
    CREATE INDEX deliveries_reply_to ON deliveries (workspace, reply_to) WHERE reply_to IS NOT NULL;
    CREATE TABLE history (
        seq BIGSERIAL PRIMARY KEY,
        workspace TEXT NOT NULL,
        delivery TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX history_delivery ON history (workspace, delivery, seq);
    CREATE INDEX history_workspace ON history (workspace, seq);
    CREATE TABLE attempts (
        workspace TEXT NOT NULL,
        delivery TEXT NOT NULL,
        id TEXT NOT NULL,
        number BIGINT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, id)
    );
    CREATE INDEX attempts_delivery ON attempts (workspace, delivery, number);
    CREATE TABLE comments (
        seq BIGSERIAL PRIMARY KEY,
        workspace TEXT NOT NULL,
        post TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX comments_post ON comments (workspace, post, seq);
    "#,
    // 2: the credential vault (store/vault): one row per channel with its sealed source, the
    // key id that sealed it, clear metadata and a refresh lease that works across processes.
    r#"
    CREATE TABLE vault_channels (
        workspace TEXT NOT NULL REFERENCES workspaces(id),
        channel TEXT NOT NULL,
        platform TEXT NOT NULL,
        key_id TEXT NOT NULL,
        sealed TEXT NOT NULL,
        expires_at BIGINT,
        health TEXT NOT NULL,
        version BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        lease_holder TEXT,
        lease_until BIGINT,
        PRIMARY KEY (workspace, channel)
    );
    CREATE INDEX vault_channels_key ON vault_channels (key_id);
    "#,
    // 3: the events outbox (store/events.rs, postgres/events.rs): each event written in the
    // transaction of the change it describes, an opaque record (kind name, JSON payload), with
    // its delivery state: status, attempts, when it is due, a sender's lease, the last error.
    r#"
    CREATE TABLE events (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        workspace TEXT NOT NULL REFERENCES workspaces(id),
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at BIGINT NOT NULL,
        lease_worker TEXT,
        lease_until BIGINT,
        last_error TEXT
    );
    -- Claiming: only Pending rows, oldest first.
    CREATE INDEX events_pending ON events (seq) WHERE status = 'pending';
    CREATE INDEX events_workspace ON events (workspace, status, seq);
    "#,
];

/// What one call of `migrate` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// The version found.
    pub from: usize,
    /// The version left (the newest this code knows).
    pub to: usize,
}

impl Migrated {
    /// Whether this call ran any step.
    pub fn ran(&self) -> bool {
        self.from < self.to
    }
}

/// Brings `feature`'s tables to the newest of `steps`, in one transaction under the
/// migration advisory lock.
pub(crate) async fn migrate(pool: &Pool, feature: &str, steps: &[&str]) -> Result<Migrated> {
    let mut client = pool.get().await.map_err(pg)?;
    let tx = client.transaction().await.map_err(pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .await
        .map_err(pg)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS socialkit_schema (
            feature TEXT PRIMARY KEY,
            version INTEGER NOT NULL
        )",
    )
    .await
    .map_err(pg)?;
    let found: Option<i32> = tx
        .query_opt(
            "SELECT version FROM socialkit_schema WHERE feature = $1",
            &[&feature],
        )
        .await
        .map_err(pg)?
        .map(|r| r.get(0));
    let from = usize::try_from(found.unwrap_or(0)).unwrap_or(usize::MAX);
    if from > steps.len() {
        return Err(Error::new(
            ErrorKind::ConfigInvalid,
            format!(
                "the database's {feature} tables have schema version {from}, newer than this socialkit knows ({}); upgrade socialkit before opening it",
                steps.len()
            ),
        ));
    }
    for step in &steps[from..] {
        tx.batch_execute(step).await.map_err(pg)?;
    }
    let to = steps.len();
    if from < to || found.is_none() {
        tx.execute(
            "INSERT INTO socialkit_schema (feature, version) VALUES ($1, $2)
             ON CONFLICT (feature) DO UPDATE SET version = excluded.version",
            &[&feature, &(to as i32)],
        )
        .await
        .map_err(pg)?;
    }
    tx.commit().await.map_err(pg)?;
    Ok(Migrated { from, to })
}
