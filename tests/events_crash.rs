//! Durable events proved with real killed processes on SQLite.
//!
//! The parent (this test) runs a webhook receiver on loopback that records every event id it
//! gets (it answers 503 to every 7th request, so retries happen too). Each step is a child
//! process — this same test binary run with `--ignored --exact child_*` — sharing nothing
//! with the parent but the SQLite file and the receiver's URL:
//!
//! 1. `child_commit_then_wait` publishes posts (each outcome commits with its `published`
//!    event) and prints `COMMITTED` before any webhook sender runs; the parent SIGKILLs it
//!    there: killed between the commit and the webhook send.
//! 2. `child_work`, several times: submits and publishes posts while a webhook sender runs;
//!    the parent SIGKILLs it at a random point (after a random number of requests reached the
//!    receiver: mid-send, mid-commit, mid-claim).
//! 3. `child_drain`: a restarted process publishes what is left and sends every pending
//!    event, until the outbox has none (a deadline, no sleeps as synchronisation).
//!
//! Then: every stored event is Delivered, every id reached the receiver at least once, every
//! published delivery has its `published` event; the counts are printed.

#![cfg(feature = "sqlite")]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use chrono::Duration;
use rand::Rng;
use socialkit::adapters::sandbox::Sandbox;
use socialkit::engine::{Engine, EngineConfig, WebhookConfig};
use socialkit::model::Post;
use socialkit::store::{
    ChannelRecord, DeliveryFilter, DeliveryState, EventFilter, EventStatus, SqliteStore, Store,
    WorkspaceId,
};

mod webhook_support;
use webhook_support::{Tally, receiver};

const WS: &str = "acme";
const OWNER: &str = "olga";

// ---------------------------------------------------------------------------------------
// Children.

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent test"))
}

async fn child_engine() -> (Engine, WorkspaceId) {
    let store = SqliteStore::open(env("SK_CHILD_DB")).unwrap();
    let engine = Engine::builder(Arc::new(store))
        .config(EngineConfig {
            // One name for every child: a restarted worker frees its predecessor's leases.
            worker: "crash-worker".into(),
            lease: Duration::seconds(2),
            reconcile_after: Duration::milliseconds(200),
            webhook_lease: Duration::seconds(1),
            poll_interval: std::time::Duration::from_millis(50),
            ..EngineConfig::default()
        })
        .build();
    let ws = match engine.create_workspace(WS, "ACME", OWNER).await {
        Ok(ws) => ws,
        Err(_) => WorkspaceId::new(WS),
    };
    // The sandbox lives in the process; what matters here is the engine's store.
    let platform = Sandbox::from_url("sandbox://events-crash").unwrap();
    engine
        .connect(&ws, OWNER, ChannelRecord::new("c", "sandbox"), platform)
        .await
        .unwrap();
    let hook = WebhookConfig {
        backoff_ms: 20,
        max_backoff_secs: 1,
        max_attempts: 50,
        ..WebhookConfig::new(env("SK_CHILD_HOOK"), "whsec-crash")
    };
    engine.set_webhook(&ws, OWNER, Some(&hook)).await.unwrap();
    (engine, ws)
}

/// Publishes posts (their events committed), says so, and waits to be killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the events crash test"]
async fn child_commit_then_wait() {
    let (engine, ws) = child_engine().await;
    for i in 0..3 {
        engine
            .submit(
                &ws,
                OWNER,
                Post::text(format!("committed {i}")),
                &["c".into()],
            )
            .await
            .unwrap();
    }
    while engine.run_once().await.unwrap().claimed > 0 {}
    println!("COMMITTED");
    // Blocks until the parent kills this process (stdin stays open).
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    panic!("the parent should have killed this process");
}

/// Submits and publishes posts while a webhook sender runs, until killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the events crash test"]
async fn child_work() {
    let (engine, ws) = child_engine().await;
    let round = env("SK_CHILD_ROUND");
    let sender = engine.spawn_webhooks();
    for i in 0..400 {
        engine
            .submit(
                &ws,
                OWNER,
                Post::text(format!("round {round} post {i}")),
                &["c".into()],
            )
            .await
            .unwrap();
        engine.run_once().await.unwrap();
    }
    sender.shutdown().await;
}

/// Publishes what is left and sends every pending event; prints the counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the events crash test"]
async fn child_drain() {
    let (engine, ws) = child_engine().await;
    let store = engine.store().clone();
    let worker = engine.spawn_worker();
    let sender = engine.spawn_webhooks();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let open = store
            .deliveries(&ws, &DeliveryFilter::default())
            .await
            .unwrap()
            .iter()
            .filter(|d| !d.state.is_terminal())
            .count();
        let pending = store
            .events(&ws, &EventFilter::status(EventStatus::Pending))
            .await
            .unwrap()
            .len();
        if open == 0 && pending == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "drained within 120 s ({open} deliveries open, {pending} events pending)"
        );
        // Leases of the killed processes end on their own time: look again shortly.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    sender.shutdown().await;
    worker.shutdown().await.unwrap();
    println!("DRAINED");
}

// ---------------------------------------------------------------------------------------
// The parent.

fn child(name: &str, db: &std::path::Path, hook: &str, round: usize) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        name,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("SK_CHILD_DB", db)
    .env("SK_CHILD_HOOK", hook)
    .env("SK_CHILD_ROUND", round.to_string())
    .env_remove("RUST_LOG");
    c
}

async fn pending_events(db: &std::path::Path) -> usize {
    let store = SqliteStore::open(db).unwrap();
    store
        .events(&WS.into(), &EventFilter::status(EventStatus::Pending))
        .await
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_processes_lose_no_event() {
    let (hook, got, mut count) = receiver(7).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("socialkit.db");

    // 1. Killed between the commit and the webhook send.
    let mut c = child("child_commit_then_wait", &db, &hook, 0);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let status = tokio::task::spawn_blocking(move || {
        let mut ch = c.spawn().unwrap();
        let out = ch.stdout.take().unwrap();
        let seen = BufReader::new(out)
            .lines()
            .map_while(|l| l.ok())
            .any(|l| l.contains("COMMITTED"));
        assert!(seen, "the child committed its events");
        ch.kill().unwrap(); // SIGKILL
        ch.wait().unwrap()
    })
    .await
    .unwrap();
    assert!(!status.success());
    let after_first = pending_events(&db).await;
    assert_eq!(after_first, 3, "three events committed, none sent");
    assert_eq!(got.lock().unwrap().requests, 0);

    // 2. Killed at random points while working.
    let seed: u64 = rand::random();
    println!("seed {seed}");
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
    let kills = 10;
    let mut pending_at_kills = Vec::new();
    for round in 1..=kills {
        let before = *count.borrow();
        let target = before + rng.random_range(1..=12);
        let mut ch = child("child_work", &db, &hook, round)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let reached = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            count.wait_for(|n| *n >= target),
        )
        .await;
        assert!(reached.is_ok(), "round {round}: the receiver got requests");
        ch.kill().unwrap(); // SIGKILL
        let status = tokio::task::spawn_blocking(move || ch.wait().unwrap())
            .await
            .unwrap();
        assert!(!status.success(), "round {round}: killed, not finished");
        pending_at_kills.push(pending_events(&db).await);
    }

    // 3. A restarted process delivers everything.
    let out = child("child_drain", &db, &hook, 0).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("DRAINED"),
        "drain failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let store = SqliteStore::open(&db).unwrap();
    let ws = WorkspaceId::new(WS);
    let events = store.events(&ws, &EventFilter::default()).await.unwrap();
    let published = store
        .deliveries(
            &ws,
            &DeliveryFilter::default().in_state(DeliveryState::Published),
        )
        .await
        .unwrap();
    let g = got.lock().unwrap();
    let t = Tally::of(&events, &published, &g);
    println!(
        "events crash test: {} kills (1 between commit and send, {kills} at random points; \
         events pending at the kills: {after_first}, {pending_at_kills:?}); {} events stored, \
         {} deliveries published; receiver: {} requests, {} distinct ids, {} \
         duplicates (at least once), {} lost, {} not delivered, {} \
         published deliveries without their event",
        kills + 1,
        events.len(),
        published.len(),
        t.requests,
        t.received,
        t.duplicates,
        t.lost.len(),
        t.not_delivered,
        t.without_event,
    );
    assert!(t.lost.is_empty(), "lost events: {:?}", t.lost);
    assert_eq!(t.not_delivered, 0);
    assert_eq!(t.unknown, 0, "every id received was stored");
    assert_eq!(t.without_event, 0, "every publish has its event");
    assert!(events.len() > 3);
}
