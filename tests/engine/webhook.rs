//! Signed webhooks from the events outbox against a local server on 127.0.0.1: retries on
//! the engine's clock, dead letters and replay, a spawned sender, and two senders on one
//! SQLite file that never send one event at the same time.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use crate::echo::EchoPlatform;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Duration;
use socialkit::clock::{Clock, ManualClock};
use socialkit::engine::{Engine, WebhookConfig, WebhookReport, verify};
use socialkit::model::Post;
use socialkit::store::{EventStatus, MemoryStore, Replay, SqliteStore};
use tokio::sync::watch;

use crate::common::*;

/// A receiver that answers with the status in `status` and counts what it got.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    status: Arc<AtomicU16>,
    count: watch::Receiver<usize>,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start(status: u16) -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(status));
        let (tx, count) = watch::channel(0usize);
        let (sink, answer) = (got.clone(), status.clone());
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let (sink, answer, tx) = (sink.clone(), answer.clone(), tx.clone());
                async move {
                    let n = {
                        let mut r = sink.lock().unwrap();
                        r.push((headers, body));
                        r.len()
                    };
                    tx.send_replace(n);
                    StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver {
            url,
            got,
            status,
            count,
            server,
        }
    }

    fn requests(&self) -> Vec<(HeaderMap, Bytes)> {
        self.got.lock().unwrap().clone()
    }
}

fn header(h: &HeaderMap, name: &str) -> String {
    h[name].to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_signed_retried_and_verifiable() {
    let rx = Receiver::start(503).await;
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", Arc::new(EchoPlatform::new("demo"))).await;
    let cfg = WebhookConfig {
        events: vec![socialkit::engine::EventType::Published],
        backoff_ms: 1000,
        ..WebhookConfig::new(&rx.url, "whsec-test")
    };
    e.set_webhook(&ws, OWNER, Some(&cfg)).await.unwrap();
    let mut sub = e.subscribe();
    e.submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    e.run_once().await.unwrap();
    e.pause_workspace(&ws, OWNER, "filtered out").await.unwrap();
    let broadcast = sub.recv().await.unwrap();

    // The first send fails (503): retried later; the paused event is filtered out.
    let r = e.deliver_webhooks().await.unwrap();
    assert_eq!(
        r,
        WebhookReport {
            claimed: 2,
            retried: 1,
            skipped: 1,
            ..WebhookReport::default()
        }
    );
    assert_eq!(
        e.deliver_webhooks().await.unwrap().claimed,
        0,
        "not due yet"
    );
    rx.status.store(200, Ordering::SeqCst);
    // Equal jitter: the first retry waits between 0.5 and 1 s.
    clock.advance(Duration::milliseconds(499));
    assert_eq!(e.deliver_webhooks().await.unwrap().claimed, 0);
    clock.advance(Duration::milliseconds(501));
    assert_eq!(e.deliver_webhooks().await.unwrap().delivered, 1);
    assert_eq!(
        e.deliver_webhooks().await.unwrap().claimed,
        0,
        "acknowledged"
    );

    let r = rx.requests();
    assert_eq!(r.len(), 2, "one failure, one retry");
    let (h1, b1) = &r[0];
    let (h2, b2) = &r[1];
    assert_eq!(b1, b2, "a retry repeats the body");
    assert_eq!(
        h1["socialkit-event-id"], h2["socialkit-event-id"],
        "receivers dedupe on the id"
    );
    assert_eq!(header(h1, "socialkit-attempt"), "1");
    assert_eq!(header(h2, "socialkit-attempt"), "2");
    assert_eq!(h2["socialkit-event"], "published");
    let ts = h2["socialkit-timestamp"].to_str().unwrap();
    let sig = h2["socialkit-signature"].to_str().unwrap();
    let five = chrono::Duration::minutes(5);
    verify(b"whsec-test", ts, sig, b2, clock.now(), five).unwrap();
    assert!(verify(b"wrong", ts, sig, b2, clock.now(), five).is_err());
    assert!(
        verify(
            b"whsec-test",
            ts,
            sig,
            b2,
            clock.now() + chrono::Duration::hours(1),
            five
        )
        .is_err(),
        "replay"
    );
    let body: serde_json::Value = serde_json::from_slice(b2).unwrap();
    assert_eq!(body["type"], "published");
    assert_eq!(body["workspace"], "acme");
    // The id in the body and the header is the stored event's, and the broadcast's.
    assert_eq!(body["id"], header(h2, "socialkit-event-id"));
    assert_eq!(broadcast.id, header(h2, "socialkit-event-id"));
    assert!(broadcast.id.starts_with("ev_"));
    let stored = e
        .events(&ws, OWNER, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .map(|x| (x.event.kind, x.status))
        .collect::<Vec<_>>();
    assert_eq!(
        stored,
        [
            ("published".to_string(), EventStatus::Delivered),
            ("paused".to_string(), EventStatus::Skipped)
        ]
    );
    rx.server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_are_listed_and_replayed_with_the_same_id() {
    let rx = Receiver::start(500).await;
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", Arc::new(EchoPlatform::new("demo"))).await;
    let cfg = WebhookConfig {
        max_attempts: 3,
        backoff_ms: 1000,
        ..WebhookConfig::new(&rx.url, "whsec-test")
    };
    e.set_webhook(&ws, OWNER, Some(&cfg)).await.unwrap();
    e.submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    e.run_once().await.unwrap();
    // Three 500s, each after its backoff (at most 1, 2 s): then dead.
    let mut dead = 0;
    for _ in 0..3 {
        let r = e.deliver_webhooks().await.unwrap();
        assert_eq!(r.claimed, 1);
        dead += r.dead;
        clock.advance(Duration::seconds(2));
    }
    assert_eq!(dead, 1);
    assert_eq!(e.deliver_webhooks().await.unwrap().claimed, 0);
    let letters = e.dead_letters(&ws, OWNER, 10).await.unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(
        letters[0].last_error.as_deref(),
        Some("the receiver answered HTTP 500")
    );
    assert_eq!(letters[0].attempts, 3);
    // The receiver is fixed: replay everything dead.
    rx.status.store(204, Ordering::SeqCst);
    assert_eq!(e.replay(&ws, OWNER, &Replay::AllDead).await.unwrap(), 1);
    assert_eq!(e.deliver_webhooks().await.unwrap().delivered, 1);
    assert!(e.dead_letters(&ws, OWNER, 10).await.unwrap().is_empty());
    let ids: Vec<String> = rx
        .requests()
        .iter()
        .map(|(h, _)| header(h, "socialkit-event-id"))
        .collect();
    assert_eq!(ids.len(), 4);
    assert!(ids.iter().all(|i| *i == ids[0]), "one id for every send");
    // A refusal (4xx) is not retried: dead at once, and replaying one works too.
    rx.status.store(410, Ordering::SeqCst);
    e.pause_workspace(&ws, OWNER, "gone").await.unwrap();
    let r = e.deliver_webhooks().await.unwrap();
    assert_eq!((r.claimed, r.dead), (1, 1));
    let letter = e.dead_letters(&ws, OWNER, 10).await.unwrap().remove(0);
    assert_eq!(letter.event.kind, "paused");
    rx.status.store(200, Ordering::SeqCst);
    let one = Replay::One(letter.event.id.clone());
    assert_eq!(e.replay(&ws, OWNER, &one).await.unwrap(), 1);
    assert_eq!(e.deliver_webhooks().await.unwrap().delivered, 1);
    // Only owners replay.
    let denied = e.replay(&ws, "stranger", &Replay::AllDead).await;
    assert!(denied.is_err());
    rx.server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spawned_sender_delivers_what_is_written() {
    let mut rx = Receiver::start(200).await;
    let e = Engine::builder(Arc::new(MemoryStore::new()))
        .config(config())
        .build();
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", Arc::new(EchoPlatform::new("demo"))).await;
    e.set_webhook(&ws, OWNER, Some(&WebhookConfig::new(&rx.url, "s")))
        .await
        .unwrap();
    let sender = e.spawn_webhooks();
    e.submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    e.run_once().await.unwrap();
    // Wait for the receiver to see it (a deadline, not a sleep).
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        rx.count.wait_for(|n| *n >= 1),
    )
    .await
    .expect("delivered within 20 s")
    .unwrap();
    sender.shutdown().await;
    let events = e.events(&ws, OWNER, &Default::default()).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status, EventStatus::Delivered);
    rx.server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_senders_on_one_file_never_send_an_event_twice() {
    let rx = Receiver::start(200).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let clock = ManualClock::new(t0());
    let a = engine(Arc::new(SqliteStore::open(&path).unwrap()), &clock, None);
    let b = engine(Arc::new(SqliteStore::open(&path).unwrap()), &clock, None);
    let ws = workspace(&a).await;
    connect(&a, &ws, "c", Arc::new(EchoPlatform::new("demo"))).await;
    a.set_webhook(&ws, OWNER, Some(&WebhookConfig::new(&rx.url, "s")))
        .await
        .unwrap();
    let n = 40;
    for i in 0..n {
        a.submit(&ws, OWNER, Post::text(format!("post {i}")), &["c".into()])
            .await
            .unwrap();
    }
    while a.run_once().await.unwrap().claimed > 0 {}
    // Both senders drain the outbox at the same time.
    let drain = |e: Engine| async move {
        let mut sent = 0;
        loop {
            let r = e.deliver_webhooks().await.unwrap();
            if r.claimed == 0 {
                return sent;
            }
            sent += r.delivered;
        }
    };
    let (x, y) = tokio::join!(drain(a.clone()), drain(b.clone()));
    assert_eq!(x + y, n, "every event once between them");
    let mut ids: Vec<String> = rx
        .requests()
        .iter()
        .map(|(h, _)| header(h, "socialkit-event-id"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
    assert_eq!(rx.requests().len(), n, "no event sent by both");
    rx.server.abort();
}
