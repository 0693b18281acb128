//! [`MemoryVault`]: vault rows in memory (the [`MemoryStore`](crate::store::MemoryStore)'s).

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{ChannelHealth, LeaseOutcome, SealedChannel, VaultLease, VaultStore};
use crate::store::{ChannelId, WorkspaceId};
use crate::{Error, ErrorKind, Result};

type Key = (WorkspaceId, ChannelId);

/// Vault rows in memory.
///
/// ```
/// use socialkit::store::vault::{MemoryVault, VaultStore};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let v = MemoryVault::default();
/// assert!(v.list(None).await.unwrap().is_empty());
/// # });
/// ```
#[derive(Debug, Default)]
pub struct MemoryVault {
    rows: Mutex<BTreeMap<Key, (SealedChannel, Option<VaultLease>)>>,
}

impl MemoryVault {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, BTreeMap<Key, (SealedChannel, Option<VaultLease>)>> {
        self.rows.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(crate) fn conflict(
    ws: &WorkspaceId,
    channel: &ChannelId,
    found: Option<u64>,
    expected: u64,
) -> Error {
    Error::new(
        ErrorKind::Conflict,
        format!(
            "the vault record of channel {channel} in workspace {ws} changed meanwhile (version {found:?}, expected {expected})"
        ),
    )
}

pub(crate) fn no_row(ws: &WorkspaceId, channel: &ChannelId) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("channel {channel} has no vault record in workspace {ws}"),
    )
}

#[async_trait]
impl VaultStore for MemoryVault {
    async fn put(&self, row: &SealedChannel, expected: Option<u64>) -> Result<u64> {
        let mut rows = self.lock();
        let key = (row.workspace.clone(), row.channel.clone());
        let found = rows.get(&key).map(|(r, _)| r.version);
        if let Some(v) = expected {
            if found != Some(v) {
                return Err(conflict(&row.workspace, &row.channel, found, v));
            }
        }
        let mut stored = row.clone();
        stored.version = found.unwrap_or(0) + 1;
        let v = stored.version;
        rows.insert(key, (stored, None));
        Ok(v)
    }

    async fn get(&self, ws: &WorkspaceId, channel: &ChannelId) -> Result<Option<SealedChannel>> {
        Ok(self
            .lock()
            .get(&(ws.clone(), channel.clone()))
            .map(|(r, _)| r.clone()))
    }

    async fn list(&self, ws: Option<&WorkspaceId>) -> Result<Vec<SealedChannel>> {
        Ok(self
            .lock()
            .values()
            .filter(|(r, _)| ws.is_none_or(|w| &r.workspace == w))
            .map(|(r, _)| r.clone())
            .collect())
    }

    async fn remove(&self, ws: &WorkspaceId, channel: &ChannelId) -> Result<()> {
        self.lock().remove(&(ws.clone(), channel.clone()));
        Ok(())
    }

    async fn set_health(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        health: &ChannelHealth,
    ) -> Result<()> {
        let mut rows = self.lock();
        let (row, _) = rows
            .get_mut(&(ws.clone(), channel.clone()))
            .ok_or_else(|| no_row(ws, channel))?;
        row.health = health.clone();
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
        let mut rows = self.lock();
        let (_, lease) = rows
            .get_mut(&(ws.clone(), channel.clone()))
            .ok_or_else(|| no_row(ws, channel))?;
        match lease {
            Some(l) if l.holder != holder && l.until > now => Ok(LeaseOutcome::HeldBy(l.clone())),
            _ => {
                let old = lease.replace(VaultLease {
                    holder: holder.to_string(),
                    until,
                });
                Ok(LeaseOutcome::Taken {
                    took_over: old.filter(|l| l.holder != holder),
                })
            }
        }
    }

    async fn release(&self, ws: &WorkspaceId, channel: &ChannelId, holder: &str) -> Result<()> {
        if let Some((_, lease)) = self.lock().get_mut(&(ws.clone(), channel.clone())) {
            if lease.as_ref().is_some_and(|l| l.holder == holder) {
                *lease = None;
            }
        }
        Ok(())
    }
}
