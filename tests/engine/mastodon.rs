//! The engine against a real adapter over HTTP: Mastodon and its twin on 127.0.0.1. The
//! adapter sends the engine's idempotency key as `Idempotency-Key` and lists recent statuses
//! for reconciliation.

use std::sync::Arc;
use std::time::Duration;

use socialkit::adapters::mastodon::Mastodon;
use socialkit::adapters::mastodon::twin::{Fault, Twin};
use socialkit::clock::{Clock, ManualClock};
use socialkit::http::{Client, HttpConfig, RetryPolicy};
use socialkit::model::Post;
use socialkit::store::{DeliveryState, MemoryStore};

use crate::common::*;

async fn mastodon() -> (Twin, Arc<Mastodon>) {
    let twin = Twin::start().await.unwrap();
    let mut config = HttpConfig::default();
    let mut retry = RetryPolicy::default();
    retry.initial_backoff = Duration::from_millis(10);
    retry.max_backoff = Duration::from_millis(50);
    config.retry = retry;
    let m = Mastodon::connect_with_client(twin.config(), Client::new(config).unwrap())
        .await
        .unwrap();
    (twin, Arc::new(m))
}

#[tokio::test]
async fn server_errors_still_make_one_status_with_the_engines_key() {
    let (twin, m) = mastodon().await;
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "masto", m.clone()).await;
    // Every status POST fails with a 502 three times in a row (beyond the HTTP layer's own
    // keyed retries, if any), then the server recovers.
    twin.handle()
        .inject(Some("POST"), Some("/api/v1/statuses"), 3, Fault::html(502));
    let sub = e
        .submit(
            &ws,
            OWNER,
            Post::text("Hello from the engine"),
            &["masto".into()],
        )
        .await
        .unwrap();
    let r = e.run_simulated(&clock, 30).await.unwrap();
    let d = e
        .store()
        .delivery(&ws, &sub.deliveries[0].id)
        .await
        .unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{r:?} {:?}", d.error);
    assert_eq!(twin.handle().statuses_created(), 1);
    let created = twin.handle().statuses();
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0]
            .idempotency_key
            .as_deref()
            .map(|k| k.starts_with(&format!("sk-{}", d.id))),
        Some(true),
        "the engine's key reached the server"
    );
}

#[tokio::test]
async fn rate_limits_from_headers_defer_the_delivery() {
    let (twin, m) = mastodon().await;
    let clock = ManualClock::new(chrono::Utc::now());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "masto", m.clone()).await;
    twin.handle().inject(
        Some("POST"),
        Some("/api/v1/statuses"),
        10,
        Fault::RateLimited {
            reset_in: Duration::from_secs(600),
        },
    );
    let sub = e
        .submit(&ws, OWNER, Post::text("later"), &["masto".into()])
        .await
        .unwrap();
    e.run_once().await.unwrap();
    let d = e
        .store()
        .delivery(&ws, &sub.deliveries[0].id)
        .await
        .unwrap();
    assert_eq!(d.state, DeliveryState::Scheduled);
    assert_eq!(d.failures, 0, "a rate limit is not a failure");
    let wait = d.due_at.unwrap() - clock.now();
    assert!(
        wait > chrono::Duration::minutes(9) && wait <= chrono::Duration::minutes(11),
        "{wait}"
    );
    assert_eq!(d.error.unwrap().kind, socialkit::ErrorKind::RateLimited);
}

/// Dies once, right after the platform answered.
#[derive(Debug)]
struct DieOnce(std::sync::atomic::AtomicBool);

impl socialkit::engine::Hooks for DieOnce {
    fn after_publish(
        &self,
        _: &socialkit::store::Delivery,
        _: &socialkit::Result<socialkit::Published>,
    ) -> socialkit::engine::AfterPublish {
        if self.0.swap(false, std::sync::atomic::Ordering::SeqCst) {
            socialkit::engine::AfterPublish::Crash
        } else {
            socialkit::engine::AfterPublish::Store
        }
    }
}

#[tokio::test]
async fn killed_after_the_status_was_created_reconciles_by_listing() {
    let (twin, m) = mastodon().await;
    let clock = ManualClock::new(chrono::Utc::now());
    let store: Arc<dyn socialkit::store::Store> = Arc::new(MemoryStore::new());
    let first = engine(store.clone(), &clock, Some(Arc::new(DieOnce(true.into()))));
    let ws = workspace(&first).await;
    connect(&first, &ws, "masto", m.clone()).await;
    let text = "Launch: https://acme.example/anvil";
    let sub = first
        .submit(&ws, OWNER, Post::text(text), &["masto".into()])
        .await
        .unwrap();
    assert_eq!(first.run_once().await.unwrap().abandoned, 1);
    drop(first);
    let second = engine(store.clone(), &clock, None);
    connect(&second, &ws, "masto", m.clone()).await;
    second.recover().await.unwrap();
    let r = second.run_once().await.unwrap();
    assert_eq!(
        (r.published, r.reconciled),
        (1, 1),
        "found among the account's statuses"
    );
    assert_eq!(twin.handle().statuses_created(), 1);
    let d = store.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published);
}

#[tokio::test]
async fn a_crashed_reply_is_found_by_its_in_reply_to_id_not_resent() {
    use socialkit::model::{InteractionKind, InteractionQuery};
    use socialkit::platform::Platform;
    use socialkit::store::AttemptOutcome;
    let (twin, m) = mastodon().await;
    assert!(m.capabilities().replies_in_recent_posts);
    let h = twin.handle();
    let kim = h.add_account("kim");
    let mention_id = h.mention(&kim, "is the shop open on Sunday?");
    let page = m
        .interactions(&InteractionQuery::default().kinds([InteractionKind::Mention]))
        .await
        .unwrap();
    let to = page.items[0].reference.clone();
    let (state, outcomes) = reply_through_a_crash(m, to, "Yes, 10 to 16").await;
    assert_eq!(state, DeliveryState::Published);
    assert!(
        matches!(outcomes.last(), Some(AttemptOutcome::Reconciled { .. })),
        "{outcomes:?}"
    );
    let replies: Vec<_> = h
        .statuses()
        .into_iter()
        .filter(|s| s.in_reply_to_id.as_deref() == Some(mention_id.as_str()))
        .collect();
    assert_eq!(replies.len(), 1, "exactly one reply");
    assert!(
        replies[0].text.ends_with("Yes, 10 to 16"),
        "{}",
        replies[0].text
    );
}
