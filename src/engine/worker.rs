//! The worker loop: claims due work under leases, publishes it, sleeps until the next due
//! instant (or until woken), and shuts down gracefully.
//!
//! Shutdown ([`Worker::shutdown`]) stops claiming at once; calls in flight get
//! [`shutdown_grace`](super::EngineConfig::shutdown_grace) to finish and store their outcome.
//! Past that they are dropped and stay in Publishing: in doubt, reconciled at the next start
//! (when a worker of the same name calls [`Engine::recover`]) or when their lease ends.

use std::time::Duration as StdDuration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::Engine;
use crate::{Error, ErrorKind, Result};

/// A running worker.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::adapters::sandbox::Sandbox;
/// use socialkit::engine::Engine;
/// use socialkit::Platform;
/// use socialkit::model::Post;
/// use socialkit::store::{ChannelRecord, MemoryStore};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
/// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
/// let p = Sandbox::from_url("sandbox://engine-doc-worker").unwrap();
/// engine.connect(&ws, "olga", ChannelRecord::new("c", "demo"), p.clone()).await.unwrap();
/// let worker = engine.spawn_worker();
/// engine.submit(&ws, "olga", Post::text("hello"), &["c".into()]).await.unwrap();
/// while p.recent_posts(1).await.unwrap().is_empty() {
///     tokio::time::sleep(std::time::Duration::from_millis(5)).await;
/// }
/// worker.shutdown().await.unwrap();
/// # });
/// ```
#[derive(Debug)]
pub struct Worker {
    stop: watch::Sender<bool>,
    handle: JoinHandle<Result<()>>,
}

impl Worker {
    /// Asks the worker to stop and waits for it (at most the grace period plus one store call).
    pub async fn shutdown(self) -> Result<()> {
        let _ = self.stop.send(true);
        self.handle.await.map_err(|e| {
            Error::new(ErrorKind::Unexpected, "the worker task failed").with_source(e)
        })?
    }

    /// Whether the worker has stopped (after shutdown, or on a store error at start-up).
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}

async fn stopped(rx: &mut watch::Receiver<bool>) {
    while !*rx.borrow() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}

impl Engine {
    /// Starts a worker on the current tokio runtime: it first frees its own old leases
    /// ([`recover`](Engine::recover)), then loops.
    pub fn spawn_worker(&self) -> Worker {
        let (stop, rx) = watch::channel(false);
        let engine = self.clone();
        let handle = tokio::spawn(async move { engine.work(rx).await });
        Worker { stop, handle }
    }

    async fn work(&self, mut rx: watch::Receiver<bool>) -> Result<()> {
        let cfg = self.config().clone();
        self.recover().await?;
        if self.vault().is_some() {
            // Channels stored in the vault come back without application code.
            if let Err(e) = self.restore().await {
                tracing::warn!(error = %e, "restoring channels from the vault failed; deliveries retry it");
            }
            if let Err(e) = self.sweep_health().await {
                tracing::warn!(error = %e, "checking channel health failed");
            }
            // Records sealed with an older key are re-sealed in the background.
            self.spawn_vault_rotation();
        }
        let mut purged = self.purge_if_due(None).await;
        loop {
            if *rx.borrow() {
                return Ok(());
            }
            let claims = match self
                .store()
                .claim_due(self.now(), &cfg.worker, cfg.batch.max(1), cfg.lease)
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming due work failed; trying again");
                    Vec::new()
                }
            };
            if !claims.is_empty() {
                let work = self.process_claims(claims);
                tokio::pin!(work);
                let mut stop_rx = rx.clone();
                let grace = cfg.shutdown_grace;
                let deadline = async move {
                    stopped(&mut stop_rx).await;
                    tokio::time::sleep(grace).await;
                };
                tokio::select! {
                    _ = &mut work => {}
                    _ = deadline => {
                        tracing::warn!("shutdown grace over: in-flight deliveries stay in doubt");
                        return Ok(());
                    }
                }
                continue;
            }
            // Idle: the outbox's old events go (at most once per PURGE_EVERY).
            purged = self.purge_if_due(purged).await;
            let wait = match self.store().next_due().await.ok().flatten() {
                Some(t) => (t - self.now())
                    .to_std()
                    .unwrap_or(StdDuration::ZERO)
                    .min(cfg.poll_interval),
                None => cfg.poll_interval,
            }
            .max(StdDuration::from_millis(5));
            tokio::select! {
                // Other processes' submissions wake it through the store (PostgreSQL's
                // NOTIFY); this process's through `wake`.
                _ = self.store().wait_for_work(wait) => {}
                _ = self.inner.wake.notified() => {}
                _ = stopped(&mut rx) => return Ok(()),
            }
        }
    }
}
