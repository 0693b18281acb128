//! Vault rows in the PostgreSQL store's database (table `vault_channels`, store migration 2):
//! the same database as the channels and posts. Writes lock the row (`FOR UPDATE`), so the
//! version compare-and-swap and the refresh lease hold across processes and machines.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use tokio_postgres::Row;

use super::{from_us, pg, us};
use crate::store::vault::memory::{conflict, no_row};
use crate::store::vault::{ChannelHealth, LeaseOutcome, SealedChannel, VaultLease, VaultStore};
use crate::store::{ChannelId, WorkspaceId};
use crate::{Error, ErrorKind, Result};

/// Vault rows on the PostgreSQL store's pool.
#[derive(Debug, Clone)]
pub(crate) struct PgVault {
    pool: Pool,
}

const COLUMNS: &str =
    "workspace, channel, platform, key_id, sealed, expires_at, health, version, updated_at";

fn sealed_of(r: &Row) -> Result<SealedChannel> {
    let bad = |what: &str| {
        Error::new(
            ErrorKind::Storage,
            format!("a vault row has an unreadable {what}"),
        )
    };
    Ok(SealedChannel {
        workspace: r.get::<_, String>(0).into(),
        channel: r.get::<_, String>(1).into(),
        platform: r.get(2),
        key_id: r.get::<_, &str>(3).parse().map_err(|_| bad("key id"))?,
        sealed: r.get(4),
        expires_at: r.get::<_, Option<i64>>(5).map(from_us),
        health: serde_json::from_str(r.get(6)).map_err(|_| bad("health"))?,
        version: u64::try_from(r.get::<_, i64>(7)).map_err(|_| bad("version"))?,
        updated_at: from_us(r.get(8)),
    })
}

impl PgVault {
    pub(crate) fn new(pool: Pool) -> Self {
        PgVault { pool }
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pg)
    }
}

#[async_trait]
impl VaultStore for PgVault {
    async fn put(&self, row: &SealedChannel, expected: Option<u64>) -> Result<u64> {
        let health = serde_json::to_string(&row.health).map_err(pg)?;
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let (ws, ch) = (row.workspace.as_str(), row.channel.as_str());
        let found = tx
            .query_opt(
                "SELECT version FROM vault_channels WHERE workspace = $1 AND channel = $2 FOR UPDATE",
                &[&ws, &ch],
            )
            .await
            .map_err(pg)?
            .and_then(|r| u64::try_from(r.get::<_, i64>(0)).ok());
        if let Some(v) = expected {
            if found != Some(v) {
                return Err(conflict(&row.workspace, &row.channel, found, v));
            }
        }
        let version = found.unwrap_or(0) + 1;
        let v = i64::try_from(version).map_err(|_| Error::unexpected("vault version overflow"))?;
        // Two first writes of one row race on the primary key: the loser gets a Conflict
        // (unique violation), as a compare-and-swap should.
        tx.execute(
            &format!(
                "INSERT INTO vault_channels ({COLUMNS}, lease_holder, lease_until)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL)
                 ON CONFLICT (workspace, channel) DO UPDATE SET
                   platform = excluded.platform, key_id = excluded.key_id,
                   sealed = excluded.sealed, expires_at = excluded.expires_at,
                   health = excluded.health, version = excluded.version,
                   updated_at = excluded.updated_at, lease_holder = NULL, lease_until = NULL"
            ),
            &[
                &ws,
                &ch,
                &row.platform,
                &row.key_id.as_str(),
                &row.sealed,
                &row.expires_at.map(us),
                &health,
                &v,
                &us(row.updated_at),
            ],
        )
        .await
        .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(version)
    }

    async fn get(&self, ws: &WorkspaceId, channel: &ChannelId) -> Result<Option<SealedChannel>> {
        let c = self.client().await?;
        c.query_opt(
            &format!("SELECT {COLUMNS} FROM vault_channels WHERE workspace = $1 AND channel = $2"),
            &[&ws.as_str(), &channel.as_str()],
        )
        .await
        .map_err(pg)?
        .as_ref()
        .map(sealed_of)
        .transpose()
    }

    async fn list(&self, ws: Option<&WorkspaceId>) -> Result<Vec<SealedChannel>> {
        let c = self.client().await?;
        c.query(
            &format!(
                "SELECT {COLUMNS} FROM vault_channels
                 WHERE $1::TEXT IS NULL OR workspace = $1 ORDER BY workspace, channel"
            ),
            &[&ws.map(|w| w.as_str())],
        )
        .await
        .map_err(pg)?
        .iter()
        .map(sealed_of)
        .collect()
    }

    async fn remove(&self, ws: &WorkspaceId, channel: &ChannelId) -> Result<()> {
        let c = self.client().await?;
        c.execute(
            "DELETE FROM vault_channels WHERE workspace = $1 AND channel = $2",
            &[&ws.as_str(), &channel.as_str()],
        )
        .await
        .map_err(pg)?;
        Ok(())
    }

    async fn set_health(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        health: &ChannelHealth,
    ) -> Result<()> {
        let health = serde_json::to_string(health).map_err(pg)?;
        let c = self.client().await?;
        let n = c
            .execute(
                "UPDATE vault_channels SET health = $3 WHERE workspace = $1 AND channel = $2",
                &[&ws.as_str(), &channel.as_str(), &health],
            )
            .await
            .map_err(pg)?;
        if n == 0 {
            return Err(no_row(ws, channel));
        }
        Ok(())
    }

    async fn try_lease(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseOutcome> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let current = tx
            .query_opt(
                "SELECT lease_holder, lease_until FROM vault_channels
                 WHERE workspace = $1 AND channel = $2 FOR UPDATE",
                &[&ws.as_str(), &channel.as_str()],
            )
            .await
            .map_err(pg)?;
        let Some(r) = current else {
            return Err(no_row(ws, channel));
        };
        let old = match (r.get::<_, Option<String>>(0), r.get::<_, Option<i64>>(1)) {
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
            "UPDATE vault_channels SET lease_holder = $3, lease_until = $4
             WHERE workspace = $1 AND channel = $2",
            &[&ws.as_str(), &channel.as_str(), &holder, &us(until)],
        )
        .await
        .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(LeaseOutcome::Taken { took_over: old })
    }

    async fn release(&self, ws: &WorkspaceId, channel: &ChannelId, holder: &str) -> Result<()> {
        let c = self.client().await?;
        c.execute(
            "UPDATE vault_channels SET lease_holder = NULL, lease_until = NULL
             WHERE workspace = $1 AND channel = $2 AND lease_holder = $3",
            &[&ws.as_str(), &channel.as_str(), &holder],
        )
        .await
        .map_err(pg)?;
        Ok(())
    }
}
