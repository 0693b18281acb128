//! Vault rows in the SQLite store's database (table `vault_channels`, migration 4): the same
//! file as the channels and posts, the same durability (WAL, `synchronous=FULL`), and leases
//! that work across processes sharing the file (every write is a `BEGIN IMMEDIATE`
//! transaction).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::memory::{conflict, no_row};
use super::{ChannelHealth, LeaseOutcome, SealedChannel, VaultLease, VaultStore};
use crate::store::{ChannelId, WorkspaceId, storage};
use crate::{Error, ErrorKind, Result};

/// Vault rows on the SQLite store's connection.
#[derive(Debug, Clone)]
pub(crate) struct SqliteVault {
    conn: Arc<Mutex<Connection>>,
}

fn us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_us(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(v).unwrap_or_default()
}

const COLUMNS: &str =
    "workspace, channel, platform, key_id, sealed, expires_at, health, version, updated_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SealedChannelRaw> {
    Ok(SealedChannelRaw {
        workspace: r.get(0)?,
        channel: r.get(1)?,
        platform: r.get(2)?,
        key_id: r.get(3)?,
        sealed: r.get(4)?,
        expires_at: r.get(5)?,
        health: r.get(6)?,
        version: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

struct SealedChannelRaw {
    workspace: String,
    channel: String,
    platform: String,
    key_id: String,
    sealed: String,
    expires_at: Option<i64>,
    health: String,
    version: i64,
    updated_at: i64,
}

impl SealedChannelRaw {
    fn into_row(self) -> Result<SealedChannel> {
        let bad = |what: &str| {
            Error::new(
                ErrorKind::Storage,
                format!("a vault row has an unreadable {what}"),
            )
        };
        Ok(SealedChannel {
            workspace: self.workspace.into(),
            channel: self.channel.into(),
            platform: self.platform,
            key_id: self.key_id.parse().map_err(|_| bad("key id"))?,
            sealed: self.sealed,
            expires_at: self.expires_at.map(from_us),
            health: serde_json::from_str(&self.health).map_err(|_| bad("health"))?,
            version: u64::try_from(self.version).map_err(|_| bad("version"))?,
            updated_at: from_us(self.updated_at),
        })
    }
}

impl SqliteVault {
    pub(crate) fn new(conn: Arc<Mutex<Connection>>) -> Self {
        SqliteVault { conn }
    }

    async fn run<T, F>(&self, behavior: TransactionBehavior, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = conn.lock().unwrap_or_else(|p| p.into_inner());
            let tx = c.transaction_with_behavior(behavior).map_err(storage)?;
            let out = f(&tx)?;
            tx.commit().map_err(storage)?;
            Ok(out)
        })
        .await
        .map_err(|e| Error::new(ErrorKind::Storage, "a vault task failed").with_source(e))?
    }
}

fn version_of(tx: &Transaction<'_>, ws: &str, channel: &str) -> Result<Option<u64>> {
    tx.query_row(
        "SELECT version FROM vault_channels WHERE workspace = ?1 AND channel = ?2",
        params![ws, channel],
        |r| r.get::<_, i64>(0),
    )
    .optional()
    .map_err(storage)
    .map(|v| v.and_then(|v| u64::try_from(v).ok()))
}

#[async_trait]
impl VaultStore for SqliteVault {
    async fn put(&self, row: &SealedChannel, expected: Option<u64>) -> Result<u64> {
        let row = row.clone();
        let health = serde_json::to_string(&row.health).map_err(storage)?;
        self.run(TransactionBehavior::Immediate, move |tx| {
            let (ws, ch) = (row.workspace.as_str(), row.channel.as_str());
            let found = version_of(tx, ws, ch)?;
            if let Some(v) = expected {
                if found != Some(v) {
                    return Err(conflict(&row.workspace, &row.channel, found, v));
                }
            }
            let version = found.unwrap_or(0) + 1;
            tx.execute(
                &format!(
                    "INSERT INTO vault_channels ({COLUMNS}, lease_holder, lease_until)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, NULL)
                     ON CONFLICT (workspace, channel) DO UPDATE SET
                       platform = excluded.platform, key_id = excluded.key_id,
                       sealed = excluded.sealed, expires_at = excluded.expires_at,
                       health = excluded.health, version = excluded.version,
                       updated_at = excluded.updated_at, lease_holder = NULL, lease_until = NULL"
                ),
                params![
                    ws,
                    ch,
                    row.platform,
                    row.key_id.as_str(),
                    row.sealed,
                    row.expires_at.map(us),
                    health,
                    i64::try_from(version)
                        .map_err(|_| Error::unexpected("vault version overflow"))?,
                    us(row.updated_at),
                ],
            )
            .map_err(storage)?;
            Ok(version)
        })
        .await
    }

    async fn get(&self, ws: &WorkspaceId, channel: &ChannelId) -> Result<Option<SealedChannel>> {
        let (ws, ch) = (ws.clone(), channel.clone());
        self.run(TransactionBehavior::Deferred, move |tx| {
            tx.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM vault_channels WHERE workspace = ?1 AND channel = ?2"
                ),
                params![ws.as_str(), ch.as_str()],
                row,
            )
            .optional()
            .map_err(storage)?
            .map(SealedChannelRaw::into_row)
            .transpose()
        })
        .await
    }

    async fn list(&self, ws: Option<&WorkspaceId>) -> Result<Vec<SealedChannel>> {
        let ws = ws.cloned();
        self.run(TransactionBehavior::Deferred, move |tx| {
            let mut stmt = tx
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM vault_channels
                     WHERE ?1 IS NULL OR workspace = ?1 ORDER BY workspace, channel"
                ))
                .map_err(storage)?;
            let rows = stmt
                .query_map(params![ws.as_ref().map(|w| w.as_str())], row)
                .map_err(storage)?;
            rows.map(|r| r.map_err(storage).and_then(SealedChannelRaw::into_row))
                .collect()
        })
        .await
    }

    async fn remove(&self, ws: &WorkspaceId, channel: &ChannelId) -> Result<()> {
        let (ws, ch) = (ws.clone(), channel.clone());
        self.run(TransactionBehavior::Immediate, move |tx| {
            tx.execute(
                "DELETE FROM vault_channels WHERE workspace = ?1 AND channel = ?2",
                params![ws.as_str(), ch.as_str()],
            )
            .map_err(storage)?;
            Ok(())
        })
        .await
    }

    async fn set_health(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        health: &ChannelHealth,
    ) -> Result<()> {
        let (ws, ch) = (ws.clone(), channel.clone());
        let health = serde_json::to_string(health).map_err(storage)?;
        self.run(TransactionBehavior::Immediate, move |tx| {
            let n = tx
                .execute(
                    "UPDATE vault_channels SET health = ?3 WHERE workspace = ?1 AND channel = ?2",
                    params![ws.as_str(), ch.as_str(), health],
                )
                .map_err(storage)?;
            if n == 0 {
                return Err(no_row(&ws, &ch));
            }
            Ok(())
        })
        .await
    }

    async fn try_lease(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseOutcome> {
        let (ws, ch, holder) = (ws.clone(), channel.clone(), holder.to_string());
        self.run(TransactionBehavior::Immediate, move |tx| {
            let current: Option<(Option<String>, Option<i64>)> = tx
                .query_row(
                    "SELECT lease_holder, lease_until FROM vault_channels WHERE workspace = ?1 AND channel = ?2",
                    params![ws.as_str(), ch.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(storage)?;
            let Some((h, u)) = current else {
                return Err(no_row(&ws, &ch));
            };
            let old = match (h, u) {
                (Some(h), Some(u)) if h != holder => Some(VaultLease {
                    holder: h,
                    until: from_us(u),
                }),
                _ => None,
            };
            if let Some(l) = &old {
                if l.until > now {
                    return Ok(LeaseOutcome::HeldBy(l.clone()));
                }
            }
            tx.execute(
                "UPDATE vault_channels SET lease_holder = ?3, lease_until = ?4 WHERE workspace = ?1 AND channel = ?2",
                params![ws.as_str(), ch.as_str(), holder, us(until)],
            )
            .map_err(storage)?;
            Ok(LeaseOutcome::Taken { took_over: old })
        })
        .await
    }

    async fn release(&self, ws: &WorkspaceId, channel: &ChannelId, holder: &str) -> Result<()> {
        let (ws, ch, holder) = (ws.clone(), channel.clone(), holder.to_string());
        self.run(TransactionBehavior::Immediate, move |tx| {
            tx.execute(
                "UPDATE vault_channels SET lease_holder = NULL, lease_until = NULL
                 WHERE workspace = ?1 AND channel = ?2 AND lease_holder = ?3",
                params![ws.as_str(), ch.as_str(), holder],
            )
            .map_err(storage)?;
            Ok(())
        })
        .await
    }
}
