//! The worker dies between the platform call and the stored result; a restart reconciles.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::echo::{Cue, EchoPlatform};
use socialkit::clock::ManualClock;
use socialkit::engine::{AfterPublish, EngineConfig, Hooks};
use socialkit::model::Post;
use socialkit::platform::Idempotency;
use socialkit::store::{AttemptOutcome, DeliveryState, MemoryStore, SqliteStore, Store};
use socialkit::{Published, Result};

use crate::common::*;

/// Crashes after the first `n` platform calls.
#[derive(Debug)]
struct CrashAfterCall(AtomicUsize);

impl Hooks for CrashAfterCall {
    fn after_publish(&self, _: &socialkit::store::Delivery, _: &Result<Published>) -> AfterPublish {
        let left = self.0.load(Ordering::SeqCst);
        if left > 0 {
            self.0.store(left - 1, Ordering::SeqCst);
            AfterPublish::Crash
        } else {
            AfterPublish::Store
        }
    }
}

/// Publishes, "kills" the worker after the platform answered and before the store write,
/// starts a new engine on the same store, and checks there is exactly one post.
async fn crash_and_restart(
    make_store: impl Fn() -> Arc<dyn Store>,
    platform: EchoPlatform,
) -> Vec<AttemptOutcome> {
    let clock = ManualClock::new(t0());
    let platform = Arc::new(platform.with_clock(Arc::new(clock.clone())));
    let (ws, delivery) = {
        let hook = Arc::new(CrashAfterCall(AtomicUsize::new(1)));
        let first = engine(make_store(), &clock, Some(hook));
        let ws = workspace(&first).await;
        connect(&first, &ws, "c", platform.clone()).await;
        let sub = first
            .submit(&ws, OWNER, Post::text("Launch day"), &["c".into()])
            .await
            .unwrap();
        let r = first.run_once().await.unwrap();
        assert_eq!(r.abandoned, 1, "the worker died before storing the result");
        assert_eq!(platform.published().len(), 1, "the post is on the platform");
        let d = first
            .store()
            .delivery(&ws, &sub.deliveries[0].id)
            .await
            .unwrap();
        assert_eq!(d.state, DeliveryState::Publishing, "in doubt");
        (ws, d.id)
        // `first` is dropped here: the process is gone.
    };
    clock.advance(chrono::Duration::seconds(5));
    let second = engine(make_store(), &clock, None);
    connect(&second, &ws, "c", platform.clone()).await;
    assert_eq!(
        second.recover().await.unwrap(),
        1,
        "its old lease is freed at start-up"
    );
    let r = second.run_once().await.unwrap();
    assert_eq!(r.published, 1);
    assert_eq!(
        platform.published().len(),
        1,
        "exactly one post on the platform"
    );
    let d = second.store().delivery(&ws, &delivery).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published);
    assert_eq!(
        d.result.as_ref().unwrap().post.id,
        platform.published()[0].post.id
    );
    let attempts = second.store().attempts(&ws, &delivery).await.unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(
        attempts[0].key, attempts[1].key,
        "the in-doubt retry keeps its key"
    );
    attempts.into_iter().filter_map(|a| a.outcome).collect()
}

#[tokio::test]
async fn crash_with_keyed_platform_resends_with_the_same_key() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let p = EchoPlatform::new("keyed").with_recent_posts(false);
    let outcomes = crash_and_restart(|| store.clone(), p).await;
    assert_eq!(outcomes[0], AttemptOutcome::Abandoned);
    assert!(
        matches!(outcomes[1], AttemptOutcome::Published { .. }),
        "the platform deduped the re-send: {outcomes:?}"
    );
}

#[tokio::test]
async fn crash_with_keyed_platform_that_lists_posts_looks_first() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let outcomes = crash_and_restart(|| store.clone(), EchoPlatform::new("keyed")).await;
    assert!(
        matches!(outcomes[1], AttemptOutcome::Reconciled { .. }),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn crash_with_unkeyed_platform_reconciles_by_recent_posts() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let p = EchoPlatform::new("plain").with_idempotency(Idempotency::None);
    let outcomes = crash_and_restart(|| store.clone(), p).await;
    assert!(
        matches!(outcomes[1], AttemptOutcome::Reconciled { .. }),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn crash_with_sqlite_file_and_a_real_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("engine.db");
    let p = EchoPlatform::new("plain").with_idempotency(Idempotency::None);
    let outcomes = crash_and_restart(|| Arc::new(SqliteStore::open(&path).unwrap()), p).await;
    assert!(
        matches!(outcomes[1], AttemptOutcome::Reconciled { .. }),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn another_worker_takes_over_when_the_lease_ends() {
    let clock = ManualClock::new(t0());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let p = Arc::new(
        EchoPlatform::new("plain")
            .with_idempotency(Idempotency::None)
            .with_clock(Arc::new(clock.clone())),
    );
    let hook = Arc::new(CrashAfterCall(AtomicUsize::new(1)));
    let a = engine(store.clone(), &clock, Some(hook));
    let ws = workspace(&a).await;
    connect(&a, &ws, "c", p.clone()).await;
    a.submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    a.run_once().await.unwrap();
    let b = socialkit::engine::Engine::builder(store.clone())
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            worker: "worker-2".into(),
            ..config()
        })
        .build();
    connect(&b, &ws, "c", p.clone()).await;
    assert_eq!(
        b.run_once().await.unwrap().claimed,
        0,
        "the lease still holds"
    );
    clock.advance(chrono::Duration::minutes(6));
    let r = b.run_once().await.unwrap();
    assert_eq!((r.claimed, r.reconciled), (1, 1));
    assert_eq!(p.published().len(), 1);
}

#[tokio::test]
async fn in_doubt_without_any_way_to_check_fails_visibly() {
    let clock = ManualClock::new(t0());
    let p = Arc::new(
        EchoPlatform::new("blind")
            .with_idempotency(Idempotency::None)
            .with_recent_posts(false),
    );
    p.cue(Cue::LoseAnswer);
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", p.clone()).await;
    let sub = e
        .submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    e.run_simulated(&clock, 20).await.unwrap();
    assert_eq!(p.published().len(), 1, "never a second post");
    let d = e
        .store()
        .delivery(&ws, &sub.deliveries[0].id)
        .await
        .unwrap();
    assert_eq!(d.state, DeliveryState::Failed);
    assert!(d.in_doubt());
    assert!(
        d.error
            .unwrap()
            .message
            .contains("outcome of an earlier attempt is unknown")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_in_flight_work_within_the_grace() {
    let clock = ManualClock::new(t0());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let p = Arc::new(EchoPlatform::new("slow").with_gate());
    let e = socialkit::engine::Engine::builder(store.clone())
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            shutdown_grace: std::time::Duration::from_secs(5),
            ..config()
        })
        .build();
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", p.clone()).await;
    let sub = e
        .submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    let worker = e.spawn_worker();
    p.wait_for_calls(1).await;
    // The call is in flight when the shutdown begins; it finishes within the grace.
    let shutdown = tokio::spawn(worker.shutdown());
    p.open_gate();
    shutdown.await.unwrap().unwrap();
    let d = store.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(
        d.state,
        DeliveryState::Published,
        "the in-flight call finished and was stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_past_the_grace_leaves_work_in_doubt_and_the_next_start_reconciles() {
    let clock = ManualClock::new(t0());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    // Its call never finishes: the gate stays closed.
    let slow = Arc::new(EchoPlatform::new("slow").with_gate());
    let e = socialkit::engine::Engine::builder(store.clone())
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            shutdown_grace: std::time::Duration::from_millis(20),
            ..config()
        })
        .build();
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", slow.clone()).await;
    let sub = e
        .submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    let worker = e.spawn_worker();
    slow.wait_for_calls(1).await;
    worker.shutdown().await.unwrap();
    let d = store.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(
        d.state,
        DeliveryState::Publishing,
        "abandoned in flight: in doubt"
    );
    // Next start, same worker name, the platform is fast again.
    let fast = Arc::new(EchoPlatform::new("slow"));
    let again = engine(store.clone(), &clock, None);
    connect(&again, &ws, "c", fast.clone()).await;
    again.recover().await.unwrap();
    again.run_once().await.unwrap();
    assert_eq!(
        store.delivery(&ws, &d.id).await.unwrap().state,
        DeliveryState::Published
    );
    assert_eq!(fast.published().len(), 1);
}
