//! Signed webhooks against a local server on 127.0.0.1, with a retry.

use std::sync::{Arc, Mutex};

use crate::echo::EchoPlatform;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use socialkit::clock::{Clock, ManualClock};
use socialkit::engine::{WebhookConfig, verify};
use socialkit::model::Post;
use socialkit::store::MemoryStore;

use crate::common::*;

#[derive(Default)]
struct Received {
    requests: Vec<(HeaderMap, Bytes)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_signed_retried_and_verifiable() {
    let got = Arc::new(Mutex::new(Received::default()));
    let sink = got.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let mut r = sink.lock().unwrap();
                r.requests.push((headers, body));
                // The first delivery fails: the sender must retry.
                if r.requests.len() == 1 {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", Arc::new(EchoPlatform::new("demo"))).await;
    let cfg = WebhookConfig {
        events: vec![socialkit::engine::EventType::Published],
        backoff_ms: 10,
        ..WebhookConfig::new(format!("http://{addr}/hook"), "whsec-test")
    };
    e.set_webhook(&ws, OWNER, Some(&cfg)).await.unwrap();
    let hooks = e.spawn_webhooks();
    e.submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    e.run_once().await.unwrap();
    e.pause_workspace(&ws, OWNER, "filtered out").await.unwrap();
    for _ in 0..500 {
        if got.lock().unwrap().requests.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    hooks.shutdown().await;
    server.abort();
    let r = got.lock().unwrap();
    assert_eq!(
        r.requests.len(),
        2,
        "one failure, one retry; the paused event is filtered out"
    );
    let (h1, b1) = &r.requests[0];
    let (h2, b2) = &r.requests[1];
    assert_eq!(b1, b2);
    assert_eq!(
        h1["socialkit-event-id"], h2["socialkit-event-id"],
        "receivers dedupe on the id"
    );
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
}
