//! A listening crisis signal switches the engine's crisis mode on: scheduled deliveries are
//! held, nothing is published, the `crisis` event carries the evidence to subscribers and to a
//! signed webhook; resuming lets the deliveries go.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::{DateTime, Duration, TimeZone, Utc};
use socialkit::adapters::sandbox::Sandbox;
use socialkit::clock::ManualClock;
use socialkit::engine::{Engine, EngineConfig, Event, EventKind, WebhookConfig, verify};
use socialkit::listen::crisis::{
    CrisisConfig, CrisisSignal, Indicator, Playbook, detect_crises, escalate,
};
use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef, Post};
use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore};
use socialkit::{ErrorKind, Platform};

const OWNER: &str = "olga";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()
}

/// A real signal: eight quiet days, then a burst of mostly negative mentions.
fn signal() -> CrisisSignal {
    let mk = |n: usize, at: DateTime<Utc>, c: f64| {
        (
            Interaction {
                reference: InteractionRef::new("sandbox", format!("m{n}")),
                kind: InteractionKind::Post,
                author: Author::default(),
                text: Some("…".into()),
                created_at: at,
                post: None,
                conversation: None,
                language: None,
            },
            Some(c),
        )
    };
    let mut scored = Vec::new();
    for (n, minute) in (0..8 * 24 * 60).step_by(10).enumerate() {
        let c = if n % 6 == 0 { -0.6 } else { 0.4 };
        scored.push(mk(n, t0() + Duration::minutes(minute), c));
    }
    for k in 0..120 {
        let c = if k % 4 == 0 { 0.3 } else { -0.7 };
        scored.push(mk(
            10_000 + k,
            t0() + Duration::days(8) + Duration::seconds(k as i64 * 30),
            c,
        ));
    }
    let cfg = CrisisConfig {
        switch_crisis_mode: true,
        playbook: Playbook {
            name: "product recall".into(),
            ..Playbook::default()
        },
        ..CrisisConfig::default()
    };
    let mut signals = detect_crises(&cfg, &scored);
    assert_eq!(signals.len(), 1);
    signals.remove(0)
}

type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// Waits until the receiver has `n` requests: each request rings `arrived` once, so this
/// waits on the requests themselves, with a 10 s limit so a broken sender fails the test.
async fn wait_for(
    got: &Received,
    arrived: &mut tokio::sync::mpsc::UnboundedReceiver<()>,
    n: usize,
) {
    while got.lock().unwrap().len() < n {
        tokio::time::timeout(std::time::Duration::from_secs(10), arrived.recv())
            .await
            .expect("webhook request within 10 s")
            .expect("receiver open");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crisis_signal_pauses_the_workspace_and_tells_everyone() {
    // A webhook receiver on loopback.
    let got: Received = Arc::default();
    let sink = got.clone();
    let (ring, mut arrived) = tokio::sync::mpsc::unbounded_channel::<()>();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            let ring = ring.clone();
            async move {
                // Webhooks are at least once: a receiver keeps the first copy of each event id
                // (a send whose acknowledgement came after its lease ran out is sent again).
                let mut seen = sink.lock().unwrap();
                let id = headers.get("Socialkit-Event-Id").cloned();
                if !seen
                    .iter()
                    .any(|(h, _)| h.get("Socialkit-Event-Id") == id.as_ref())
                {
                    seen.push((headers, body));
                    let _ = ring.send(());
                }
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let now = t0() + Duration::days(8) + Duration::hours(2);
    let clock = ManualClock::new(now);
    let engine = Engine::builder(Arc::new(MemoryStore::new()))
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            seed: Some(7),
            ..EngineConfig::default()
        })
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", OWNER)
        .await
        .unwrap();
    engine
        .add_member(&ws, OWNER, "eddie", socialkit::store::Role::Editor)
        .await
        .unwrap();
    let platform = Sandbox::from_url("sandbox://listen-crisis-mode").unwrap();
    engine
        .connect(
            &ws,
            OWNER,
            ChannelRecord::new("c", "sandbox"),
            platform.clone(),
        )
        .await
        .unwrap();
    let cfg = WebhookConfig {
        events: vec![socialkit::engine::EventType::Crisis],
        ..WebhookConfig::new(format!("http://{addr}/hook"), "whsec-crisis")
    };
    engine.set_webhook(&ws, OWNER, Some(&cfg)).await.unwrap();
    let hooks = engine.spawn_webhooks();

    let a = engine
        .submit(
            &ws,
            OWNER,
            Post::text("Our spring anvils are here").scheduled_at(now + Duration::minutes(30)),
            &["c".into()],
        )
        .await
        .unwrap();
    let b = engine
        .submit(
            &ws,
            OWNER,
            Post::text("Anvil tip of the week").scheduled_at(now + Duration::hours(1)),
            &["c".into()],
        )
        .await
        .unwrap();
    let mut events = engine.subscribe();

    // An editor may not switch crisis mode on.
    let e = escalate(&signal(), &engine.crisis_switch(&ws, "eddie"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);

    let signal = signal();
    let switch = engine.crisis_switch(&ws, OWNER);
    assert!(escalate(&signal, &switch).await.unwrap());
    for post in [&a.post, &b.post] {
        let d = engine.deliveries(&ws, post).await.unwrap();
        assert_eq!(d[0].state, DeliveryState::Paused);
    }

    // The webhook signs when it sends: let the first one go out before the clock moves.
    wait_for(&got, &mut arrived, 1).await;

    // Time passes the schedule: the worker publishes nothing.
    clock.advance(Duration::hours(2));
    let r = engine.run_once().await.unwrap();
    assert_eq!(r.claimed, 0);
    assert!(platform.recent_posts(10).await.unwrap().is_empty());

    // A second signal while paused does not fail.
    assert!(escalate(&signal, &switch).await.unwrap());

    let seen: Vec<Event> = std::iter::from_fn(|| events.try_recv().ok()).collect();
    let names: Vec<&str> = seen.iter().map(|e| e.kind.name()).collect();
    assert_eq!(names, ["paused", "crisis", "crisis"]);
    match &seen[0].kind {
        EventKind::Paused {
            why, deliveries, ..
        } => {
            assert_eq!(*deliveries, 2);
            assert!(why.contains("product recall"), "{why}");
            assert!(why.contains("negative share"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    match (&seen[1].kind, &seen[2].kind) {
        (
            EventKind::Crisis {
                who,
                deliveries,
                already_paused,
                signal: evidence,
            },
            EventKind::Crisis {
                deliveries: again,
                already_paused: was_paused,
                ..
            },
        ) => {
            assert_eq!(who, OWNER);
            assert_eq!((*deliveries, *already_paused), (2, false));
            assert_eq!((*again, *was_paused), (0, true));
            assert_eq!(**evidence, signal);
            assert_eq!(evidence.playbook.name, "product recall");
            let share = evidence.deviation(Indicator::NegativeShare).unwrap();
            assert!(share.value > share.baseline);
            assert!(!evidence.samples.is_empty());
        }
        other => panic!("{other:?}"),
    }

    // The webhook got both crisis events, signed, with the evidence in the body.
    wait_for(&got, &mut arrived, 2).await;
    hooks.shutdown().await;
    server.abort();
    {
        let received = got.lock().unwrap();
        assert_eq!(received.len(), 2);
        let (headers, body) = &received[0];
        let h = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_string();
        assert_eq!(h("Socialkit-Event"), "crisis");
        verify(
            b"whsec-crisis",
            &h("Socialkit-Timestamp"),
            &h("Socialkit-Signature"),
            body,
            now, // signed when the first signal came, before the clock moved on
            Duration::minutes(5),
        )
        .unwrap();
        let (headers2, body2) = &received[1];
        let h2 = |n: &str| headers2.get(n).unwrap().to_str().unwrap().to_string();
        verify(
            b"whsec-crisis",
            &h2("Socialkit-Timestamp"),
            &h2("Socialkit-Signature"),
            body2,
            now + Duration::hours(2),
            Duration::minutes(5),
        )
        .unwrap();
        let json: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(json["type"], "crisis");
        assert_eq!(json["signal"]["playbook"]["name"], "product recall");
        assert!(
            json["signal"]["score"].as_f64().unwrap()
                >= json["signal"]["threshold"].as_f64().unwrap()
        );
        assert!(
            json["signal"]["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["indicator"] == "volume")
        );
        assert_eq!(
            json["signal"]["samples"].as_array().unwrap().len(),
            signal.samples.len()
        );
        let back: Event = serde_json::from_slice(body).unwrap();
        assert_eq!(
            (&back.id, back.at, back.kind.name()),
            (&seen[1].id, seen[1].at, "crisis")
        );
    }

    // Crisis over: the deliveries go.
    assert_eq!(
        engine.resume_workspace(&ws, OWNER, "over").await.unwrap(),
        2
    );
    engine.run_once().await.unwrap();
    assert_eq!(platform.recent_posts(10).await.unwrap().len(), 2);
    assert_eq!(engine.status(&ws, &a.post).await.unwrap().published, 1);
    assert_eq!(engine.status(&ws, &b.post).await.unwrap().published, 1);
}
