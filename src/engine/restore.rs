//! Channels that survive restarts: connecting a channel into the vault, rebuilding every
//! stored channel when an engine opens, channel health, and deliveries that wait for a
//! channel that needs re-authorisation.
//!
//! - [`Engine::connect_stored`] builds the platform from a channel URL or config through the
//!   [`Registry`](crate::Registry) first (a bad config stores nothing), then seals the source
//!   into the vault and attaches the platform.
//! - [`EngineBuilder::open`](super::EngineBuilder::open), [`Engine::restore`] and every
//!   worker's start rebuild each stored channel that is not attached yet; a delivery that
//!   finds its stored channel detached tries to rebuild it too. No application code
//!   re-connects anything.
//! - Renewed tokens go to the vault before use, under a lease (see `token_store.rs` and
//!   [`crate::auth::lifecycle`]).
//! - Health ([`ChannelHealth`]) is data in the vault row, an [`EventKind::ChannelHealth`]
//!   event (and so a signed webhook), and [`Engine::channel_health`]. A channel that needs
//!   re-authorisation is detached; its deliveries wait (up to
//!   [`EngineConfig::reauth_wait`](super::EngineConfig::reauth_wait)) with the reason as their
//!   error, and go out once it is connected again.
//!
//! ```
//! use std::sync::Arc;
//! use socialkit::engine::Engine;
//! use socialkit::model::Post;
//! use socialkit::store::{ChannelRecord, MemoryStore, Store};
//! use socialkit::store::vault::{ChannelSource, KeyRing};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
//! let keys = Arc::new(KeyRing::single("k1".parse().unwrap(), [7; 32]));
//! let first = Engine::builder(store.clone()).vault(keys.clone()).build();
//! let ws = first.create_workspace("acme", "ACME", "olga").await.unwrap();
//! let source = ChannelSource::Url("sandbox://restore-doc-acme".into());
//! first.connect_stored(&ws, "olga", socialkit::store::ChannelRecord::new("main", "sandbox"), source).await.unwrap();
//! first.submit(&ws, "olga", Post::text("after the restart"), &["main".into()]).await.unwrap();
//! drop(first);
//! // A new engine on the same store: the channel comes back from the vault.
//! let second = Engine::builder(store).vault(keys).open().await.unwrap();
//! assert!(second.platform(&ws, &"main".into()).is_some());
//! assert_eq!(second.run_once().await.unwrap().published, 1);
//! # });
//! ```

use std::sync::Arc;

use super::{Engine, EngineBuilder, EventKind, Permission};
use crate::error::Error;
use crate::platform::Platform;
use crate::store::vault::{ChannelHealth, ChannelSource, ReauthReason, Vault};
use crate::store::{ChannelId, ChannelRecord, Delivery, Finish, WorkspaceId};
use crate::{ErrorKind, Result};

/// What [`Engine::restore`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Channels rebuilt and attached.
    pub restored: usize,
    /// Channels attached already.
    pub attached: usize,
    /// Channels left detached because they need re-authorisation.
    pub needs_reauth: usize,
    /// Channels that could not be rebuilt, with why (they are marked needs-reauthorisation
    /// when the vault cannot open them; other errors are tried again later).
    pub failed: Vec<(WorkspaceId, ChannelId, String)>,
}

/// A lease-holder name unique to this process and engine.
pub(crate) fn holder_name(worker: &str) -> String {
    format!(
        "{worker}/{}/{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

impl EngineBuilder {
    /// Builds the engine and rebuilds every channel stored in its vault
    /// ([`Engine::restore`]); without a vault, the same as [`build`](EngineBuilder::build).
    pub async fn open(self) -> Result<Engine> {
        let engine = self.build();
        if engine.inner.vault.is_some() {
            let report = engine.restore().await?;
            tracing::info!(
                restored = report.restored,
                needs_reauth = report.needs_reauth,
                failed = report.failed.len(),
                "channels restored from the vault"
            );
        }
        Ok(engine)
    }
}

impl Engine {
    fn require_vault(&self) -> Result<&Vault> {
        self.inner.vault.as_ref().ok_or_else(|| {
            Error::config("this engine has no vault: build it with EngineBuilder::vault(keys)")
        })
    }

    /// The vault, when the engine has one.
    pub fn vault(&self) -> Option<&Vault> {
        self.inner.vault.as_ref()
    }

    /// Builds a platform from `source` so that its renewed tokens go to the vault row of
    /// `channel`.
    fn build_platform(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        source: &ChannelSource,
    ) -> Result<Arc<dyn Platform>> {
        let factory = super::token_store::factory(&self.inner, ws, channel);
        crate::auth::lifecycle::with_token_store(factory, || match source {
            ChannelSource::Url(url) => self.inner.registry.from_url(url),
            ChannelSource::Config(config) => self.inner.registry.from_config(config),
        })
    }

    fn attach(&self, ws: &WorkspaceId, channel: &ChannelId, platform: Arc<dyn Platform>) {
        self.inner
            .platforms
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert((ws.clone(), channel.clone()), platform);
    }

    fn detach(&self, ws: &WorkspaceId, channel: &ChannelId) {
        self.inner
            .platforms
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(ws.clone(), channel.clone()));
    }

    /// Connects a channel and keeps it in the vault (owners only): the platform is built from
    /// `source` through the registry first — an invalid URL or config is an error and nothing
    /// is stored — then the source is sealed into the vault, the channel record stored and
    /// the platform attached. Connecting a channel that needs re-authorisation again (with
    /// new credentials) makes it healthy, and its waiting deliveries go out.
    pub async fn connect_stored(
        &self,
        ws: &WorkspaceId,
        who: &str,
        mut record: ChannelRecord,
        source: ChannelSource,
    ) -> Result<Arc<dyn Platform>> {
        self.require(ws, who, Permission::Manage).await?;
        let vault = self.require_vault()?;
        let platform = self.build_platform(ws, &record.id, &source)?;
        record.platform = crate::model::PlatformId::named(platform.name());
        self.inner.store.put_channel(ws, &record).await?;
        vault.put(ws, &record.id, &source, self.now()).await?;
        self.attach(ws, &record.id, platform.clone());
        self.emit(
            ws,
            EventKind::ChannelHealth {
                channel: record.id.clone(),
                health: ChannelHealth::Connected,
            },
        )
        .await;
        self.wake();
        Ok(platform)
    }

    /// Disconnects a stored channel (owners only): its vault record — the credentials — is
    /// deleted and its platform detached. The channel record and its history stay. No error
    /// for a channel that is not stored.
    pub async fn disconnect_stored(
        &self,
        ws: &WorkspaceId,
        who: &str,
        channel: &ChannelId,
    ) -> Result<()> {
        self.require(ws, who, Permission::Manage).await?;
        let vault = self.require_vault()?;
        vault.store().remove(ws, channel).await?;
        self.detach(ws, channel);
        Ok(())
    }

    /// Re-seals, in a background task, every vault record not sealed with the key provider's
    /// current sealing key ([`Vault::rotate`]); a worker does this at its start. Records
    /// changed meanwhile are left for the next rotation; records that cannot be opened are
    /// logged and left as they are.
    pub fn spawn_vault_rotation(&self) -> Option<tokio::task::JoinHandle<()>> {
        let vault = self.inner.vault.clone()?;
        let now = self.now();
        Some(tokio::spawn(async move {
            match vault.rotate(now).await {
                Ok(r) if r.resealed > 0 || !r.failed.is_empty() => tracing::info!(
                    resealed = r.resealed,
                    raced = r.raced,
                    unreadable = r.failed.len(),
                    "vault key rotation"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "vault key rotation failed"),
            }
        }))
    }

    /// Rebuilds every channel stored in the vault that is not attached yet, in every
    /// workspace. Channels that need re-authorisation stay detached (their deliveries wait);
    /// a record the vault cannot open (missing or wrong key, damage) marks its channel
    /// needs-reauthorisation with the reason and changes nothing else.
    pub async fn restore(&self) -> Result<RestoreReport> {
        let vault = self.require_vault()?;
        let mut report = RestoreReport::default();
        for row in vault.store().list(None).await? {
            let (ws, ch) = (row.workspace.clone(), row.channel.clone());
            if self.platform(&ws, &ch).is_some() {
                report.attached += 1;
                continue;
            }
            if row.health.needs_reauth() && !unreadable(&row.health) {
                report.needs_reauth += 1;
                continue;
            }
            match self.restore_row(vault, row).await {
                Ok(()) => report.restored += 1,
                Err(e) => report.failed.push((ws, ch, e.to_string())),
            }
        }
        Ok(report)
    }

    async fn restore_row(
        &self,
        vault: &Vault,
        row: crate::store::vault::SealedChannel,
    ) -> Result<()> {
        let (ws, ch) = (row.workspace.clone(), row.channel.clone());
        let opened = match vault.open_row(row).await {
            Ok(o) => o,
            Err(e) => {
                if crate::store::vault::VaultError::of(&e).is_some() {
                    self.mark_needs_reauth(&ws, &ch, ReauthReason::VaultUnreadable, e.to_string())
                        .await;
                }
                return Err(e);
            }
        };
        let platform = self.build_platform(&ws, &ch, &opened.source)?;
        self.attach(&ws, &ch, platform);
        if unreadable(&opened.row.health) {
            // The key is back: the channel is healthy again.
            vault
                .store()
                .set_health(&ws, &ch, &ChannelHealth::Connected)
                .await?;
            self.emit(
                &ws,
                EventKind::ChannelHealth {
                    channel: ch,
                    health: ChannelHealth::Connected,
                },
            )
            .await;
        }
        Ok(())
    }

    /// A stored channel's health: needs re-authorisation (why) as recorded, else expiring
    /// soon when its token expires within
    /// [`expiry_warning`](super::EngineConfig::expiry_warning) and cannot be renewed without
    /// the user, else connected.
    pub async fn channel_health(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
    ) -> Result<ChannelHealth> {
        let vault = self.require_vault()?;
        let row = vault.store().get(ws, channel).await?.ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("channel {channel} is not stored in workspace {ws}"),
            )
        })?;
        if row.health.needs_reauth() {
            return Ok(row.health);
        }
        let now = self.now();
        if let Some(at) = row.expires_at {
            let renewable = match vault.open_row(row.clone()).await {
                Ok(o) => renewable(&o.source),
                Err(_) => false,
            };
            if !renewable && at - now <= self.inner.config.expiry_warning {
                return Ok(ChannelHealth::ExpiringSoon { at });
            }
        }
        Ok(ChannelHealth::Connected)
    }

    /// Looks at every stored channel's health ([`Engine::channel_health`]) and, where it
    /// changed since it was recorded (a token now expiring soon, or renewed), records it and
    /// emits an [`EventKind::ChannelHealth`] event. A worker does this at its start; call it
    /// periodically (daily suits 60-day tokens) to warn users before a token that cannot be
    /// renewed without them runs out. Returns how many channels changed.
    pub async fn sweep_health(&self) -> Result<usize> {
        let vault = self.require_vault()?;
        let mut changed = 0;
        for row in vault.store().list(None).await? {
            if row.health.needs_reauth() {
                continue;
            }
            let health = self.channel_health(&row.workspace, &row.channel).await?;
            if health == row.health {
                continue;
            }
            vault
                .store()
                .set_health(&row.workspace, &row.channel, &health)
                .await?;
            self.emit(
                &row.workspace,
                EventKind::ChannelHealth {
                    channel: row.channel.clone(),
                    health,
                },
            )
            .await;
            changed += 1;
        }
        Ok(changed)
    }

    /// Records that a stored channel needs re-authorisation, detaches it (its deliveries
    /// wait) and tells subscribers (a [`EventKind::ChannelHealth`] event, which webhooks
    /// carry). Does nothing for a channel that is not stored.
    pub(crate) async fn mark_needs_reauth(
        &self,
        ws: &WorkspaceId,
        channel: &ChannelId,
        reason: ReauthReason,
        message: String,
    ) {
        let Some(vault) = self.inner.vault.as_ref() else {
            return;
        };
        let health = ChannelHealth::NeedsReauth {
            reason,
            message,
            since: self.now(),
        };
        match vault.store().get(ws, channel).await {
            Ok(Some(row)) if row.health.needs_reauth() => {
                self.detach(ws, channel);
                return;
            }
            Ok(Some(_)) => {}
            _ => return,
        }
        if let Err(e) = vault.store().set_health(ws, channel, &health).await {
            tracing::warn!(error = %e, channel = %channel, "could not record the channel's health");
        }
        tracing::warn!(channel = %channel, reason = reason.as_str(), "channel needs re-authorisation");
        self.detach(ws, channel);
        self.emit(
            ws,
            EventKind::ChannelHealth {
                channel: channel.clone(),
                health,
            },
        )
        .await;
    }

    /// The outbox found no platform for `d`'s channel: rebuild a stored channel, or let the
    /// delivery wait for re-authorisation with the reason as its error (failing after
    /// `reauth_wait`), or — a channel that is not stored — wait for a hand connect.
    pub(crate) async fn unconnected(&self, d: &Delivery) -> (Finish, String) {
        let now = self.now();
        let cfg = &self.inner.config;
        let wait = || {
            (
                Finish::Release {
                    due_at: now + cfg.unconnected_retry,
                },
                format!("channel {} is not connected; waiting", d.channel),
            )
        };
        let Some(vault) = self.inner.vault.as_ref() else {
            return wait();
        };
        let row = match vault.store().get(&d.workspace, &d.channel).await {
            Ok(Some(row)) => row,
            _ => return wait(),
        };
        match row.health.clone() {
            ChannelHealth::NeedsReauth {
                reason,
                message,
                since,
            } if reason != ReauthReason::VaultUnreadable => self.hold(d, reason, &message, since),
            health => match self.restore_row(vault, row).await {
                Ok(()) => (
                    Finish::Release { due_at: now },
                    format!("channel {} restored from the vault", d.channel),
                ),
                Err(e) => {
                    tracing::warn!(channel = %d.channel, error = %e, "restoring the channel failed");
                    match health {
                        ChannelHealth::NeedsReauth {
                            reason,
                            message,
                            since,
                        } => self.hold(d, reason, &message, since),
                        _ => wait(),
                    }
                }
            },
        }
    }

    /// A publish of `d` failed with `e`: when its stored channel's credentials were refused
    /// (or its refresh was, during this call), mark the channel and hold the delivery instead
    /// of failing it.
    pub(crate) async fn hold_for_reauth(
        &self,
        d: &Delivery,
        e: &Error,
    ) -> Option<(Finish, String)> {
        let vault = self.inner.vault.as_ref()?;
        vault.store().get(&d.workspace, &d.channel).await.ok()??;
        if e.kind() == ErrorKind::Unauthenticated {
            self.mark_needs_reauth(
                &d.workspace,
                &d.channel,
                ReauthReason::Revoked,
                format!("the platform refused the credentials: {}", e.message()),
            )
            .await;
        }
        // The channel's token store may have marked it during this call (a refused refresh).
        let row = vault.store().get(&d.workspace, &d.channel).await.ok()??;
        match row.health {
            ChannelHealth::NeedsReauth {
                reason,
                message,
                since,
            } => Some(self.hold(d, reason, &message, since)),
            _ => None,
        }
    }

    fn hold(
        &self,
        d: &Delivery,
        reason: ReauthReason,
        message: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> (Finish, String) {
        let now = self.now();
        let cfg = &self.inner.config;
        let why = format!(
            "channel {} needs re-authorisation ({}): {message}",
            d.channel,
            reason.as_str()
        );
        let error = Error::new(ErrorKind::Unauthenticated, why.clone())
            .with_channel(d.channel.as_str())
            .to_record();
        if now - since > cfg.reauth_wait {
            return (
                Finish::Fail {
                    error,
                    in_doubt: d.in_doubt(),
                    settled: false,
                },
                format!(
                    "{why}; waited longer than {} hours",
                    cfg.reauth_wait.num_hours()
                ),
            );
        }
        (
            Finish::Retry {
                error,
                due_at: now + cfg.reauth_retry,
                counted: false,
                in_doubt: false,
                reconcile_only: d.reconcile_only,
                settled: false,
            },
            format!("{why}; waiting for it to be reconnected"),
        )
    }
}

/// Whether the channel was marked because its vault record could not be opened (a key that
/// may come back), rather than because the platform refused it.
fn unreadable(health: &ChannelHealth) -> bool {
    matches!(
        health,
        ChannelHealth::NeedsReauth {
            reason: ReauthReason::VaultUnreadable,
            ..
        }
    )
}

/// Whether a stored channel renews its token without the user.
fn renewable(source: &ChannelSource) -> bool {
    match source {
        ChannelSource::Url(_) => false,
        ChannelSource::Config(c) => {
            c.settings.get("refresh").is_some_and(|r| !r.is_null())
                || matches!(c.platform.as_str(), "threads" | "instagram" | "bluesky")
        }
    }
}
