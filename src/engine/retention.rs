//! Retention of the events outbox: events that are done with (delivered, or skipped because
//! nobody wanted them) are deleted once they are older than
//! [`EngineConfig::event_retention`](super::EngineConfig::event_retention), so the outbox
//! does not grow without bound. Dead events (waiting for a replay) and pending ones (still to
//! be sent) stay whatever their age. The worker purges when it starts and then at most once
//! per [`PURGE_EVERY`] of the engine's clock, when it has nothing due; any process may call
//! [`Engine::purge_events`] itself.

use chrono::{DateTime, Duration, Utc};

use super::Engine;
use crate::{ErrorKind, Result};

/// How often a worker purges (by the engine's clock).
pub const PURGE_EVERY: Duration = Duration::hours(1);

/// Events deleted per statement: a purge never holds a long lock on the outbox.
const BATCH: usize = 1000;

impl Engine {
    /// Deletes the outbox's events that are done with and were written more than
    /// [`event_retention`](super::EngineConfig::event_retention) before now (by the engine's
    /// clock), in batches; returns how many. Nothing with retention `None`, or on a store
    /// that keeps no events outbox.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::ManualClock;
    /// use socialkit::engine::{Engine, EngineConfig};
    /// use socialkit::store::MemoryStore;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let clock = Arc::new(ManualClock::new("2026-03-02T09:00:00Z".parse().unwrap()));
    /// let engine = Engine::builder(Arc::new(MemoryStore::new()))
    ///     .clock(clock.clone())
    ///     .config(EngineConfig { event_retention: Some(chrono::Duration::days(7)), ..EngineConfig::default() })
    ///     .build();
    /// assert_eq!(engine.purge_events().await.unwrap(), 0);
    /// # });
    /// ```
    pub async fn purge_events(&self) -> Result<usize> {
        let Some(keep) = self.config().event_retention else {
            return Ok(0);
        };
        let before = self.now() - keep;
        let mut total = 0;
        loop {
            let n = match self.store().purge_events(before, BATCH).await {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Unsupported => return Ok(total),
                Err(e) => return Err(e),
            };
            total += n;
            if n < BATCH {
                return Ok(total);
            }
        }
    }

    /// The worker's purge: when `last` is `None` or [`PURGE_EVERY`] ago; returns when it
    /// purged (or tried: a failure is logged and tried again after the interval).
    pub(crate) async fn purge_if_due(&self, last: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        let now = self.now();
        if last.is_some_and(|t| now - t < PURGE_EVERY) {
            return last;
        }
        match self.purge_events().await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(deleted = n, "old events purged from the outbox"),
            Err(e) => tracing::warn!(error = %e, "purging old events failed; trying again later"),
        }
        Some(now)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::adapters::sandbox::Sandbox;
    use crate::clock::ManualClock;
    use crate::engine::{EngineConfig, WebhookConfig};
    use crate::model::Post;
    use crate::store::{ChannelRecord, EventFilter, EventStatus, MemoryStore, Store, WorkspaceId};

    fn start() -> DateTime<Utc> {
        "2026-03-02T09:00:00Z".parse().unwrap()
    }

    /// Workspace `acme` (no webhook: its events are skipped) and `dead` (a webhook nobody
    /// answers, one attempt: its events die), each with one post published and its events
    /// finished.
    async fn engine_with_finished_events(store: Arc<dyn Store>) -> (Engine, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(start()));
        let engine = Engine::builder(store)
            .clock(clock.clone())
            .config(EngineConfig {
                event_retention: Some(Duration::days(30)),
                ..EngineConfig::default()
            })
            .build();
        for ws in ["acme", "dead"] {
            let id = engine.create_workspace(ws, ws, "olga").await.unwrap();
            let p = Sandbox::from_url(&format!("sandbox://retention-{ws}")).unwrap();
            engine
                .connect(&id, "olga", ChannelRecord::new("c", "sandbox"), p)
                .await
                .unwrap();
            if ws == "dead" {
                let hook = WebhookConfig {
                    max_attempts: 1,
                    ..WebhookConfig::new("http://127.0.0.1:1/hook", "whsec")
                };
                engine.set_webhook(&id, "olga", Some(&hook)).await.unwrap();
            }
            engine
                .submit(&id, "olga", Post::text("hello"), &["c".into()])
                .await
                .unwrap();
        }
        while engine.run_once().await.unwrap().claimed > 0 {}
        while engine.deliver_webhooks().await.unwrap().claimed > 0 {}
        (engine, clock)
    }

    async fn statuses(engine: &Engine, ws: &str) -> Vec<EventStatus> {
        engine
            .store()
            .events(&WorkspaceId::new(ws), &EventFilter::default())
            .await
            .unwrap()
            .iter()
            .map(|e| e.status)
            .collect()
    }

    async fn finished_events_go_after_the_retention_and_dead_ones_stay(store: Arc<dyn Store>) {
        let (engine, clock) = engine_with_finished_events(store).await;
        let skipped = statuses(&engine, "acme").await;
        assert!(!skipped.is_empty());
        assert!(
            skipped.iter().all(|s| *s == EventStatus::Skipped),
            "{skipped:?}"
        );
        let dead = statuses(&engine, "dead").await;
        assert!(dead.contains(&EventStatus::Dead), "{dead:?}");
        // Not yet: 30 days have not passed.
        clock.advance(Duration::days(30) - Duration::seconds(1));
        assert_eq!(engine.purge_events().await.unwrap(), 0);
        assert_eq!(statuses(&engine, "acme").await, skipped);
        // Past them: the finished ones go, the dead ones stay for a replay.
        clock.advance(Duration::seconds(2));
        let gone = engine.purge_events().await.unwrap();
        assert_eq!(
            gone,
            skipped.len() + dead.len() - dead.iter().filter(|s| **s == EventStatus::Dead).count()
        );
        assert!(statuses(&engine, "acme").await.is_empty());
        assert!(
            statuses(&engine, "dead")
                .await
                .iter()
                .all(|s| *s == EventStatus::Dead)
        );
        assert_eq!(
            engine
                .dead_letters(&"dead".into(), "olga", 10)
                .await
                .unwrap()
                .len(),
            1
        );
    }

    #[tokio::test]
    async fn memory_store() {
        finished_events_go_after_the_retention_and_dead_ones_stay(Arc::new(MemoryStore::new()))
            .await;
    }

    #[cfg(feature = "sqlite")]
    #[tokio::test]
    async fn sqlite_store() {
        let store = crate::store::SqliteStore::in_memory().unwrap();
        finished_events_go_after_the_retention_and_dead_ones_stay(Arc::new(store)).await;
    }

    #[tokio::test]
    async fn the_worker_purges_when_it_starts_and_then_hourly() {
        let (engine, clock) = engine_with_finished_events(Arc::new(MemoryStore::new())).await;
        clock.advance(Duration::days(31));
        // A worker purges before its first round (shut down at once, it has purged).
        engine.spawn_worker().shutdown().await.unwrap();
        assert!(statuses(&engine, "acme").await.is_empty());
        // The interval: due when none ran, then not again within PURGE_EVERY.
        let t = engine.purge_if_due(None).await.unwrap();
        assert_eq!(engine.purge_if_due(Some(t)).await, Some(t));
        clock.advance(PURGE_EVERY);
        assert_eq!(engine.purge_if_due(Some(t)).await, Some(t + PURGE_EVERY));
    }

    #[tokio::test]
    async fn no_retention_keeps_everything() {
        let clock = Arc::new(ManualClock::new(start()));
        let engine = Engine::builder(Arc::new(MemoryStore::new()))
            .clock(clock.clone())
            .config(EngineConfig {
                event_retention: None,
                ..EngineConfig::default()
            })
            .build();
        let ws = engine
            .create_workspace("acme", "ACME", "olga")
            .await
            .unwrap();
        engine
            .store()
            .append_events(
                &ws,
                &[crate::store::NewEvent::new("x", serde_json::json!({}))],
                start(),
            )
            .await
            .unwrap();
        while engine.deliver_webhooks().await.unwrap().claimed > 0 {}
        clock.advance(Duration::days(3650));
        assert_eq!(engine.purge_events().await.unwrap(), 0);
        assert_eq!(statuses(&engine, "acme").await, [EventStatus::Skipped]);
    }
}
