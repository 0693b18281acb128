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
use tokio::sync::watch;

use crate::common::*;

#[derive(Default)]
struct Received {
    requests: Vec<(HeaderMap, Bytes)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_signed_retried_and_verifiable() {
    let got = Arc::new(Mutex::new(Received::default()));
    // How many requests each route received, for the test to wait on.
    let (count_tx, mut count) = watch::channel(0usize);
    let (sentinel_tx, mut sentinel) = watch::channel(0usize);
    let sink = got.clone();
    let app = Router::new()
        .route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let sink = sink.clone();
                let count_tx = count_tx.clone();
                async move {
                    let mut r = sink.lock().unwrap();
                    r.requests.push((headers, body));
                    count_tx.send_replace(r.requests.len());
                    // The first delivery fails: the sender must retry.
                    if r.requests.len() == 1 {
                        StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        StatusCode::OK
                    }
                }
            }),
        )
        .route(
            "/sentinel",
            post(move || {
                sentinel_tx.send_modify(|n| *n += 1);
                async { StatusCode::OK }
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
        events: vec!["published".into()],
        backoff_ms: 10,
        ..WebhookConfig::new(format!("http://{addr}/hook"), "whsec-test")
    };
    e.set_webhook(&ws, OWNER, Some(&cfg)).await.unwrap();
    // A second workspace whose hook wants its pause: the sentinel that the dispatcher, which
    // reads events in order, is past the first workspace's pause.
    let other = e.create_workspace("other", "Other", OWNER).await.unwrap();
    let sentinel_cfg = WebhookConfig {
        events: vec!["paused".into()],
        ..WebhookConfig::new(format!("http://{addr}/sentinel"), "whsec-other")
    };
    e.set_webhook(&other, OWNER, Some(&sentinel_cfg))
        .await
        .unwrap();
    let hooks = e.spawn_webhooks();
    e.submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    e.run_once().await.unwrap();
    e.pause_workspace(&ws, OWNER, "filtered out").await.unwrap();
    e.pause_workspace(&other, OWNER, "sentinel").await.unwrap();
    let deadline = std::time::Duration::from_secs(30);
    tokio::time::timeout(deadline, count.wait_for(|n| *n >= 2))
        .await
        .expect("the failed delivery is retried")
        .unwrap();
    tokio::time::timeout(deadline, sentinel.wait_for(|n| *n >= 1))
        .await
        .expect("the sentinel arrives")
        .unwrap();
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
