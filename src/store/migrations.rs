//! Versioned schema migrations of the SQLite store.
//!
//! The schema version lives in SQLite's `user_version`. Each migration runs once, in its own
//! transaction, in order; a database newer than this code is refused rather than guessed at.
//! Add a migration by appending to [`MIGRATIONS`]; never edit one that has shipped.

use rusqlite::Connection;

use super::storage;
use crate::{Error, ErrorKind, Result};

/// The migrations, in order; `MIGRATIONS[i]` brings the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the first schema. Times are microseconds since the Unix epoch (UTC). Records are JSON
    // in `data`; the columns beside it are what queries filter and sort on.
    r#"
    CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        paused INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL
    );
    CREATE TABLE members (
        workspace TEXT NOT NULL REFERENCES workspaces(id),
        user TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, user)
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
        next_free_at INTEGER,
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
        due_at INTEGER,
        created_at INTEGER NOT NULL,
        data TEXT NOT NULL,
        content TEXT NOT NULL,
        PRIMARY KEY (workspace, id)
    );
    -- Claiming due work: only Scheduled and Publishing rows, by due time.
    CREATE INDEX deliveries_ready ON deliveries(due_at)
        WHERE state IN ('scheduled', 'publishing');
    -- In-flight rows (few), for a worker that restarts.
    CREATE INDEX deliveries_publishing ON deliveries(workspace, id) WHERE state = 'publishing';
    CREATE INDEX deliveries_post ON deliveries(workspace, post);
    CREATE INDEX deliveries_state ON deliveries(workspace, state);
    CREATE TABLE history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace TEXT NOT NULL,
        delivery TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX history_delivery ON history(workspace, delivery, seq);
    CREATE INDEX history_workspace ON history(workspace, seq);
    CREATE TABLE attempts (
        workspace TEXT NOT NULL,
        delivery TEXT NOT NULL,
        id TEXT NOT NULL,
        number INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, id)
    );
    CREATE INDEX attempts_delivery ON attempts(workspace, delivery, number);
    CREATE TABLE comments (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace TEXT NOT NULL,
        post TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX comments_post ON comments(workspace, post, seq);
    "#,
    // 2: replies through the outbox. A reply's delivery carries the interaction it answers
    // (in `data`); this column holds that interaction's platform id, so the replies to one
    // interaction are found without reading every delivery. NULL for publishes.
    r#"
    ALTER TABLE deliveries ADD COLUMN reply_to TEXT;
    CREATE INDEX deliveries_reply_to ON deliveries(workspace, reply_to)
        WHERE reply_to IS NOT NULL;
    "#,
    // 3: was the inbox's tables; the inbox owns them now and creates them through
    // `SqliteHandle::migrate_feature` (see `src/inbox/store/sqlite.rs`, whose first step is
    // what stood here). Kept, empty, so the versions after it keep their numbers.
    "-- moved to the inbox",
    // 4: the credential vault (store/vault): one row per channel with its sealed source, the
    // key id that sealed it, clear metadata (platform, token expiry, health as JSON) and a
    // refresh lease that works across processes.
    r#"
    CREATE TABLE vault_channels (
        workspace TEXT NOT NULL REFERENCES workspaces(id),
        channel TEXT NOT NULL,
        platform TEXT NOT NULL,
        key_id TEXT NOT NULL,
        sealed TEXT NOT NULL,
        expires_at INTEGER,
        health TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        lease_holder TEXT,
        lease_until INTEGER,
        PRIMARY KEY (workspace, channel)
    );
    CREATE INDEX vault_channels_key ON vault_channels(key_id);
    "#,
    // 5: the events outbox (store/events.rs): each event written in the transaction of the
    // change it describes, an opaque record (kind name, JSON payload), with its delivery
    // state: status, attempts, when it is due, a sender's lease and the last error.
    r#"
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        workspace TEXT NOT NULL REFERENCES workspaces(id),
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        lease_worker TEXT,
        lease_until INTEGER,
        last_error TEXT
    );
    -- Claiming: only Pending rows, oldest first.
    CREATE INDEX events_pending ON events(seq) WHERE status = 'pending';
    CREATE INDEX events_workspace ON events(workspace, status, seq);
    "#,
];

/// Brings the database to the newest schema. Returns the version it is at.
pub(crate) fn migrate(conn: &mut Connection) -> Result<usize> {
    let current: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map_err(storage)?
        .try_into()
        .unwrap_or(0);
    if current > MIGRATIONS.len() {
        return Err(Error::new(
            ErrorKind::Storage,
            format!(
                "the database has schema version {current}, newer than this socialkit knows ({})",
                MIGRATIONS.len()
            ),
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction().map_err(storage)?;
        tx.execute_batch(sql).map_err(storage)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .map_err(storage)?;
        tx.commit().map_err(storage)?;
    }
    Ok(MIGRATIONS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_database_gains_the_reply_column_and_keeps_its_rows() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch(MIGRATIONS[0]).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute_batch(
            "INSERT INTO workspaces (id, data) VALUES ('acme', '{}');
             INSERT INTO deliveries (workspace, id, post, channel, state, created_at, data, content)
             VALUES ('acme', 'd1', 'p1', 'c', 'scheduled', 0, '{}', '{}');",
        )
        .unwrap();
        assert_eq!(migrate(&mut c).unwrap(), MIGRATIONS.len());
        let r: Option<String> = c
            .query_row("SELECT reply_to FROM deliveries WHERE id = 'd1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(r, None, "an existing delivery is no reply");
    }

    #[test]
    fn migrates_once_and_refuses_newer() {
        let mut c = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut c).unwrap(), MIGRATIONS.len());
        assert_eq!(migrate(&mut c).unwrap(), MIGRATIONS.len());
        let cols: Vec<String> = c
            .prepare("SELECT name FROM pragma_table_info('deliveries')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(cols.contains(&"reply_to".to_string()), "{cols:?}");
        c.pragma_update(None, "user_version", 99).unwrap();
        assert_eq!(migrate(&mut c).unwrap_err().kind(), ErrorKind::Storage);
    }
}
