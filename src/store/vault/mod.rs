//! The credential vault: each channel's configuration and credentials, stored with the
//! channel, sealed at rest.
//!
//! - A channel is stored as a [`ChannelSource`] (a channel URL or a [`ChannelConfig`]) sealed
//!   with XChaCha20-Poly1305 under a key from a [`KeyProvider`]; the ciphertext names the key
//!   id that sealed it and is bound to its workspace, channel and platform. Beside it, in
//!   clear, only what needs no secrecy: the platform, the token's expiry, the channel's
//!   [`ChannelHealth`], a version and a refresh lease.
//! - Keys rotate: put a new sealing key first in the provider, keep the old one, and call
//!   [`Vault::rotate`] (or let a worker do it); records are re-sealed one by one, each only if
//!   unchanged since it was read, and old keys open old records until then.
//! - A missing key, a different key under the same id, or a damaged record is a clear error
//!   naming the key id (its source a [`VaultError`]) and changes nothing.
//! - Nothing secret is in `Debug`, errors, events or the clear columns. The raw database file
//!   holds ciphertext only (a test reads the SQLite file's bytes).
//!
//! Storage is a [`VaultStore`] the [`Store`](super::Store) hands out
//! ([`Store::vault`](super::Store::vault)): rows in the same database as the channels, so
//! posts and the credentials they need survive together.
//!
//! ```
//! use std::sync::Arc;
//! use socialkit::ChannelConfig;
//! use socialkit::store::{MemoryStore, Store, Workspace};
//! use socialkit::store::vault::{ChannelSource, KeyRing, Vault};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let store = MemoryStore::new();
//! store.create_workspace(&Workspace::new("acme", "ACME")).await.unwrap();
//! let keys = Arc::new(KeyRing::single("k1".parse().unwrap(), [9; 32]));
//! let vault = Vault::new(store.vault().unwrap(), keys);
//! let config = ChannelConfig { platform: "sandbox".into(), settings: serde_json::json!({"name": "acme", "token": "s3cr3t"}) };
//! vault.put(&"acme".into(), &"main".into(), &ChannelSource::Config(config.clone()), chrono::Utc::now()).await.unwrap();
//! let opened = vault.open(&"acme".into(), &"main".into()).await.unwrap();
//! assert_eq!(opened.source, ChannelSource::Config(config));
//! assert!(!format!("{opened:?}").contains("s3cr3t"));
//! # });
//! ```

mod key;
pub(crate) mod memory;
mod seal;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use key::{EnvKeyProvider, FileKeyProvider, KeyId, KeyProvider, KeyRing, VaultKey};
pub use memory::MemoryVault;
#[cfg(feature = "sqlite")]
pub(crate) use sqlite::SqliteVault;

use super::{ChannelId, WorkspaceId};
use crate::registry::ChannelConfig;
use crate::{Error, ErrorKind, Result};

/// Why a vault record could not be opened: the typed source of the [`Error`] the vault
/// returns. Names the key id, never key material.
///
/// ```
/// use socialkit::store::vault::VaultError;
/// let e = VaultError::MissingKey { key_id: "k1".parse().unwrap() };
/// assert!(e.to_string().contains("k1"));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The key provider has no key with this id.
    #[error("vault key '{key_id}' is missing")]
    MissingKey {
        /// The id the record names.
        key_id: KeyId,
    },
    /// The provider's key under this id is not the one that sealed the record.
    #[error("vault key '{key_id}' is not the key that sealed the record")]
    WrongKey {
        /// The id the record names.
        key_id: KeyId,
    },
    /// The record is damaged (or was moved onto another channel's row).
    #[error("vault record damaged (key id {key_id:?})")]
    Corrupt {
        /// The id the record names, when it could be read.
        key_id: Option<KeyId>,
    },
}

impl VaultError {
    /// The `VaultError` behind `err`, if any.
    ///
    /// ```
    /// let e = socialkit::Error::config("x");
    /// assert!(socialkit::store::vault::VaultError::of(&e).is_none());
    /// ```
    pub fn of(err: &Error) -> Option<&VaultError> {
        std::error::Error::source(err).and_then(|s| s.downcast_ref::<VaultError>())
    }
}

/// How a channel is built again: its URL or its serde config. Both hold credentials, so both
/// are sealed, and `Debug` prints neither.
///
/// ```
/// use socialkit::store::vault::ChannelSource;
/// let s = ChannelSource::Url("mastodon://s3cr3t@example.social".into());
/// assert_eq!(s.platform(), "mastodon");
/// assert!(!format!("{s:?}").contains("s3cr3t"));
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ChannelSource {
    /// A channel URL (`x://TOKEN@api.x.com`).
    Url(String),
    /// A serde config.
    Config(ChannelConfig),
}

impl ChannelSource {
    /// The platform scheme.
    pub fn platform(&self) -> String {
        match self {
            ChannelSource::Url(u) => u
                .split_once("://")
                .map(|(s, _)| s.to_ascii_lowercase())
                .unwrap_or_default(),
            ChannelSource::Config(c) => c.platform.clone(),
        }
    }
}

impl fmt::Debug for ChannelSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelSource::Url(_) => write!(f, "Url({}://***)", self.platform()),
            ChannelSource::Config(c) => f.debug_tuple("Config").field(c).finish(),
        }
    }
}

/// Why a channel needs the account to be connected again.
///
/// ```
/// use socialkit::store::vault::ReauthReason;
/// assert_eq!(ReauthReason::Revoked.as_str(), "revoked");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReauthReason {
    /// The user or the platform revoked the grant, or the refresh token was refused.
    Revoked,
    /// The token expired and cannot be refreshed.
    Expired,
    /// The grant lacks a scope the channel needs.
    ScopeMissing,
    /// The account's password (Bluesky app password) no longer works.
    PasswordChanged,
    /// A refresh answer was lost before it was stored (the process died in between) and the
    /// platform rotates refresh tokens, so the stored one is dead.
    RefreshLost,
    /// The vault record cannot be opened (missing or wrong key, damaged record).
    VaultUnreadable,
    /// The platform refused the credentials for another reason.
    Other,
}

impl ReauthReason {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReauthReason::Revoked => "revoked",
            ReauthReason::Expired => "expired",
            ReauthReason::ScopeMissing => "scope_missing",
            ReauthReason::PasswordChanged => "password_changed",
            ReauthReason::RefreshLost => "refresh_lost",
            ReauthReason::VaultUnreadable => "vault_unreadable",
            ReauthReason::Other => "other",
        }
    }
}

/// A channel's health, as data.
///
/// ```
/// use socialkit::store::vault::{ChannelHealth, ReauthReason};
/// let h = ChannelHealth::NeedsReauth { reason: ReauthReason::Revoked, message: "token revoked".into(), since: chrono::Utc::now() };
/// assert!(h.needs_reauth());
/// let json = serde_json::to_value(&h).unwrap();
/// assert_eq!(json["status"], "needs_reauth");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChannelHealth {
    /// Credentials work (as far as is known).
    Connected,
    /// The token expires at `at` and cannot be renewed automatically before then.
    ExpiringSoon {
        /// When it expires.
        at: DateTime<Utc>,
    },
    /// The account must be connected again; deliveries wait.
    NeedsReauth {
        /// Why.
        reason: ReauthReason,
        /// What the platform or the vault said (never a secret).
        message: String,
        /// Since when.
        since: DateTime<Utc>,
    },
}

impl ChannelHealth {
    /// Whether the account must be connected again.
    pub fn needs_reauth(&self) -> bool {
        matches!(self, ChannelHealth::NeedsReauth { .. })
    }
}

/// One vault row as stored: clear metadata and the sealed source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedChannel {
    /// The workspace.
    pub workspace: WorkspaceId,
    /// The channel.
    pub channel: ChannelId,
    /// The platform scheme.
    pub platform: String,
    /// The sealed [`ChannelSource`] (`skv1.<key id>.…`).
    pub sealed: String,
    /// The id of the key that sealed it.
    pub key_id: KeyId,
    /// When the access token expires, when known.
    pub expires_at: Option<DateTime<Utc>>,
    /// The channel's health as last recorded.
    pub health: ChannelHealth,
    /// Bumped by every write of the sealed source.
    pub version: u64,
    /// When the sealed source was last written.
    pub updated_at: DateTime<Utc>,
}

/// A refresh lease on a vault row: who holds it until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultLease {
    /// The holder (a process-unique name).
    pub holder: String,
    /// Until when.
    pub until: DateTime<Utc>,
}

/// What [`VaultStore::try_lease`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseOutcome {
    /// The lease is taken. `took_over` is a lease another holder left to expire without
    /// releasing it or writing: that holder died or hung, perhaps in the middle of a refresh.
    Taken {
        /// The expired lease that was replaced.
        took_over: Option<VaultLease>,
    },
    /// Someone else holds it.
    HeldBy(VaultLease),
}

/// Where vault rows live: beside the channels in the engine's store. Implementations store
/// and compare; they never see a key or a clear secret.
#[async_trait]
pub trait VaultStore: Send + Sync + fmt::Debug {
    /// Writes a row. With `expected = Some(v)`, only if the stored row has version `v`
    /// ([`Conflict`](ErrorKind::Conflict) otherwise); with `None`, inserts or replaces. The
    /// stored version becomes the old one plus one (1 for a new row), which is returned. A
    /// write ends any lease on the row.
    async fn put(&self, row: &SealedChannel, expected: Option<u64>) -> Result<u64>;
    /// Reads a row.
    async fn get(&self, ws: &WorkspaceId, channel: &ChannelId) -> Result<Option<SealedChannel>>;
    /// Every row of `ws`, or of every workspace, by workspace and channel.
    async fn list(&self, ws: Option<&WorkspaceId>) -> Result<Vec<SealedChannel>>;
    /// Removes a row (no error if absent).
    async fn remove(&self, ws: &WorkspaceId, channel: &ChannelId) -> Result<()>;
    /// Records a channel's health (the sealed source and version are unchanged).
    async fn set_health(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        health: &ChannelHealth,
    ) -> Result<()>;
    /// Takes the row's refresh lease for `holder` until `until` if nobody else holds one at
    /// `now` (see [`LeaseOutcome`]). `NotFound` without a row.
    async fn try_lease(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseOutcome>;
    /// Ends `holder`'s lease on the row (no error if it holds none).
    async fn release(&self, ws: &WorkspaceId, channel: &ChannelId, holder: &str) -> Result<()>;
}

/// A channel opened from the vault.
#[derive(Debug, Clone)]
pub struct OpenedChannel {
    /// How to build it.
    pub source: ChannelSource,
    /// The row's version (for a compare-and-swap write).
    pub version: u64,
    /// The row's clear metadata.
    pub row: SealedChannel,
}

/// What [`Vault::rotate`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotationReport {
    /// Records re-sealed under the sealing key.
    pub resealed: usize,
    /// Records already under it.
    pub current: usize,
    /// Records changed by someone else meanwhile (re-sealed at the next rotation).
    pub raced: usize,
    /// Records that could not be opened, with the error (they are left as they are).
    pub failed: Vec<(WorkspaceId, ChannelId, String)>,
}

/// The vault: a [`VaultStore`] and a [`KeyProvider`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Vault {
    store: Arc<dyn VaultStore>,
    keys: Arc<dyn KeyProvider>,
}

impl Vault {
    /// A vault on `store` with keys from `keys`.
    pub fn new(store: Arc<dyn VaultStore>, keys: Arc<dyn KeyProvider>) -> Self {
        Vault { store, keys }
    }

    /// The rows' store.
    pub fn store(&self) -> &Arc<dyn VaultStore> {
        &self.store
    }

    /// Seals and stores a channel (a new connection: replaces any row, health Connected).
    /// Returns the new version.
    pub async fn put(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        source: &ChannelSource,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let row = self
            .seal_row(ws, channel, source, ChannelHealth::Connected, now)
            .await?;
        self.store.put(&row, None).await
    }

    /// Seals and stores a channel's new source (a refreshed token) only if the row is still at
    /// `version` (a [`Conflict`](ErrorKind::Conflict) otherwise). Ends the refresh lease.
    pub async fn replace(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        source: &ChannelSource,
        health: ChannelHealth,
        version: u64,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let row = self.seal_row(ws, channel, source, health, now).await?;
        self.store.put(&row, Some(version)).await
    }

    async fn seal_row(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        source: &ChannelSource,
        health: ChannelHealth,
        now: DateTime<Utc>,
    ) -> Result<SealedChannel> {
        let platform = source.platform();
        if platform.is_empty() {
            return Err(Error::config(
                "a channel URL looks like scheme://…; nothing was stored",
            ));
        }
        let key = self.keys.sealing_key().await?;
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(source).map_err(|e| Error::unexpected(e.to_string()))?,
        );
        let sealed = seal::seal(
            &key,
            &plain,
            &seal::aad(ws.as_str(), channel.as_str(), &platform),
        )?;
        Ok(SealedChannel {
            workspace: ws.clone(),
            channel: channel.clone(),
            platform,
            sealed,
            key_id: key.id().clone(),
            expires_at: expiry_of(source),
            health,
            version: 0,
            updated_at: now,
        })
    }

    /// Opens a channel's record. `NotFound` without a row; a missing or wrong key or a
    /// damaged record is an error naming the key id (see [`VaultError`]).
    pub async fn open(&self, ws: &WorkspaceId, channel: &ChannelId) -> Result<OpenedChannel> {
        let row = self.store.get(ws, channel).await?.ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("channel {channel} has no vault record in workspace {ws}"),
            )
        })?;
        self.open_row(row).await
    }

    /// Opens a row read with [`VaultStore::list`] or [`VaultStore::get`].
    pub async fn open_row(&self, row: SealedChannel) -> Result<OpenedChannel> {
        let context = |e: Error| {
            e.with_channel(row.channel.as_str())
                .with_platform(&row.platform)
        };
        let key = self.keys.key(&row.key_id).await.map_err(context)?;
        let aad = seal::aad(row.workspace.as_str(), row.channel.as_str(), &row.platform);
        let plain = seal::open(&key, &row.sealed, &aad).map_err(context)?;
        let source: ChannelSource = serde_json::from_slice(&plain).map_err(|_| {
            context(
                Error::new(
                    ErrorKind::Storage,
                    "a vault record opened but is not a channel source",
                )
                .with_source(VaultError::Corrupt {
                    key_id: Some(row.key_id.clone()),
                }),
            )
        })?;
        Ok(OpenedChannel {
            source,
            version: row.version,
            row,
        })
    }

    /// Re-seals every record not sealed with the current sealing key. Each record is opened
    /// with the key it names and written back only if unchanged meanwhile; records that
    /// cannot be opened are reported and left untouched.
    pub async fn rotate(&self, now: DateTime<Utc>) -> Result<RotationReport> {
        let sealing = self.keys.sealing_key().await?;
        let mut report = RotationReport::default();
        for row in self.store.list(None).await? {
            if &row.key_id == sealing.id() {
                report.current += 1;
                continue;
            }
            let (ws, ch, health) = (
                row.workspace.clone(),
                row.channel.clone(),
                row.health.clone(),
            );
            let opened = match self.open_row(row).await {
                Ok(o) => o,
                Err(e) => {
                    report.failed.push((ws, ch, e.to_string()));
                    continue;
                }
            };
            match self
                .replace(&ws, &ch, &opened.source, health, opened.version, now)
                .await
            {
                Ok(_) => report.resealed += 1,
                Err(e) if e.kind() == ErrorKind::Conflict => report.raced += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }
}

/// The token expiry a source states, where the platform's config has one.
pub(crate) fn expiry_of(source: &ChannelSource) -> Option<DateTime<Utc>> {
    let ChannelSource::Config(c) = source else {
        return None;
    };
    ["expires_at", "token_expires_at"]
        .iter()
        .find_map(|k| c.settings.get(*k))
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

#[cfg(test)]
pub(crate) mod conformance;
