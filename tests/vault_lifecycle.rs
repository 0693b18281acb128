//! The token lifecycle and channel health of stored channels, against the X twin (which
//! rotates refresh tokens and refuses a used one, like X).
//!
//! - Two engines on one SQLite file (two connections, as two processes would have) need a
//!   refresh at the same moment: the channel row's lease lets one refresh, the other adopts
//!   the stored result — one token request, both calls succeed.
//! - A revoked token: the channel is marked needs-reauthorisation (event and signed webhook),
//!   its delivery waits with the reason, and goes out once after a reconnect.
//! - Health: an expiry that cannot be renewed makes the channel "expiring soon".

#![cfg(all(feature = "x", feature = "testkit", feature = "sqlite"))]

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::{Duration, SubsecRound, Utc};
use socialkit::adapters::x::XConfig;
use socialkit::adapters::x::twin::Twin;
use socialkit::clock::ManualClock;
use socialkit::engine::{Engine, EngineConfig, EventKind, WebhookConfig, verify};
use socialkit::model::Post;
use socialkit::store::vault::{ChannelHealth, ChannelSource, KeyRing, ReauthReason};
use socialkit::store::{ChannelRecord, DeliveryFilter, DeliveryState, SqliteStore};
use socialkit::{ChannelConfig, ErrorKind};

fn source(config: XConfig) -> ChannelSource {
    ChannelSource::Config(ChannelConfig {
        platform: "x".into(),
        settings: serde_json::to_value(config).unwrap(),
    })
}

fn keys() -> Arc<KeyRing> {
    Arc::new(KeyRing::single("k1".parse().unwrap(), [5; 32]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refresh_across_two_engines_on_one_file() {
    let twin = Twin::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.db");
    let a = Engine::builder(Arc::new(SqliteStore::open(&path).unwrap()))
        .vault(keys())
        .build();
    let ws = a.create_workspace("acme", "ACME", "olga").await.unwrap();
    let mut cfg = twin.config_with_refresh();
    cfg.expires_at = Some(Utc::now() - Duration::minutes(1));
    let pa = a
        .connect_stored(&ws, "olga", ChannelRecord::new("x", "x"), source(cfg))
        .await
        .unwrap();
    let b = Engine::builder(Arc::new(SqliteStore::open(&path).unwrap()))
        .vault(keys())
        .open()
        .await
        .unwrap();
    let pb = b.platform(&ws, &"x".into()).expect("restored");
    let before = twin.handle().requests().count_to("POST", "/2/oauth2/token");
    let (ra, rb) = tokio::join!(pa.channel(), pb.channel());
    ra.unwrap();
    rb.unwrap();
    assert_eq!(
        twin.handle().requests().count_to("POST", "/2/oauth2/token") - before,
        1,
        "one refresh; the other engine adopted the stored token"
    );
    // The vault holds the token X accepts now.
    let opened = a.vault().unwrap().open(&ws, &"x".into()).await.unwrap();
    let ChannelSource::Config(c) = opened.source else {
        panic!()
    };
    assert_eq!(c.settings["token"], twin.handle().access_token());
    assert_eq!(
        a.channel_health(&ws, &"x".into()).await.unwrap(),
        ChannelHealth::Connected
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_channel_waits_tells_a_signed_webhook_and_resumes_after_reconnect() {
    let twin = Twin::start().await.unwrap();
    // A webhook receiver that hands every request to the test.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(HeaderMap, Bytes)>();
    let app = Router::new().route(
        "/hook",
        post(move |h: HeaderMap, b: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((h, b));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let clock = ManualClock::new(Utc::now().trunc_subsecs(0));
    let engine = Engine::builder(Arc::new(SqliteStore::in_memory().unwrap()))
        .vault(keys())
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            reauth_retry: Duration::minutes(5),
            ..EngineConfig::default()
        })
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    let hook = WebhookConfig {
        events: vec![socialkit::engine::EventType::ChannelHealth],
        ..WebhookConfig::new(format!("http://{addr}/hook"), "whsec-vault")
    };
    engine.set_webhook(&ws, "olga", Some(&hook)).await.unwrap();
    let hooks = engine.spawn_webhooks();
    // No refresh setup: a revoked token cannot be renewed.
    engine
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new("x", "x"),
            source(twin.config()),
        )
        .await
        .unwrap();
    let connected = rx.recv().await.unwrap();
    assert_eq!(connected.0["socialkit-event"], "channel_health");

    twin.handle().revoke_access_token();
    engine
        .submit(&ws, "olga", Post::text("Held, not lost"), &["x".into()])
        .await
        .unwrap();
    let r = engine.run_once().await.unwrap();
    assert_eq!((r.claimed, r.published, r.failed), (1, 0, 0));

    // Health as data …
    let (ws_id, ch) = (ws.clone(), "x".into());
    let health = engine.channel_health(&ws_id, &ch).await.unwrap();
    assert!(
        matches!(
            &health,
            ChannelHealth::NeedsReauth {
                reason: ReauthReason::Revoked,
                ..
            }
        ),
        "{health:?}"
    );
    assert!(engine.platform(&ws_id, &ch).is_none(), "detached");
    // … on the delivery …
    let d = engine
        .store()
        .deliveries(&ws_id, &DeliveryFilter::default())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(d.state, DeliveryState::Scheduled);
    let err = d.error.clone().unwrap();
    assert_eq!(err.kind, ErrorKind::Unauthenticated);
    assert!(
        err.message.contains("needs re-authorisation"),
        "{}",
        err.message
    );
    // … and as a signed webhook.
    let (h, body) = rx.recv().await.unwrap();
    verify(
        b"whsec-vault",
        h["socialkit-timestamp"].to_str().unwrap(),
        h["socialkit-signature"].to_str().unwrap(),
        &body,
        clock_now(&clock),
        Duration::hours(1),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["type"], "channel_health");
    assert_eq!(json["health"]["status"], "needs_reauth");
    assert_eq!(json["health"]["reason"], "revoked");
    assert!(!String::from_utf8_lossy(&body).contains(&twin.handle().access_token()));

    // While it waits, rounds do not fail it.
    clock.advance(Duration::minutes(5));
    let r = engine.run_once().await.unwrap();
    assert_eq!((r.claimed, r.published, r.failed), (1, 0, 0));
    assert!(twin.handle().tweets().is_empty());

    // Reconnect with the token the twin accepts now: the delivery goes out, once.
    let mut fresh = twin.config();
    fresh.token = twin.handle().access_token().into();
    engine
        .connect_stored(&ws, "olga", ChannelRecord::new("x", "x"), source(fresh))
        .await
        .unwrap();
    clock.advance(Duration::minutes(5));
    let r = engine.run_once().await.unwrap();
    assert_eq!((r.claimed, r.published), (1, 1));
    assert_eq!(twin.handle().tweets().len(), 1);
    assert_eq!(engine.run_once().await.unwrap().claimed, 0);
    assert_eq!(
        engine.channel_health(&ws_id, &ch).await.unwrap(),
        ChannelHealth::Connected
    );
    hooks.shutdown().await;
    server.abort();
}

fn clock_now(clock: &ManualClock) -> chrono::DateTime<Utc> {
    use socialkit::clock::Clock;
    clock.now()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reauth_wait_that_runs_out_fails_the_delivery_visibly() {
    let twin = Twin::start().await.unwrap();
    let clock = ManualClock::new(Utc::now().trunc_subsecs(0));
    let engine = Engine::builder(Arc::new(SqliteStore::in_memory().unwrap()))
        .vault(keys())
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            reauth_wait: Duration::hours(1),
            reauth_retry: Duration::minutes(30),
            ..EngineConfig::default()
        })
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    engine
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new("x", "x"),
            source(twin.config()),
        )
        .await
        .unwrap();
    twin.handle().revoke_access_token();
    engine
        .submit(&ws, "olga", Post::text("Too late"), &["x".into()])
        .await
        .unwrap();
    let report = engine.run_simulated(&clock, 10).await.unwrap();
    assert_eq!((report.published, report.failed), (0, 1));
    let d = engine
        .store()
        .deliveries(&ws, &DeliveryFilter::default())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(d.state, DeliveryState::Failed);
    assert_eq!(d.error.unwrap().kind, ErrorKind::Unauthenticated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiring_soon_only_without_automatic_renewal() {
    let twin = Twin::start().await.unwrap();
    let engine = Engine::builder(Arc::new(SqliteStore::in_memory().unwrap()))
        .vault(keys())
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    let at = Utc::now() + Duration::days(2);
    let mut fixed = twin.config();
    fixed.expires_at = Some(at);
    engine
        .connect_stored(&ws, "olga", ChannelRecord::new("fixed", "x"), source(fixed))
        .await
        .unwrap();
    let mut renewing = twin.config_with_refresh();
    renewing.expires_at = Some(at);
    engine
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new("renewing", "x"),
            source(renewing),
        )
        .await
        .unwrap();
    let mut events = engine.subscribe();
    assert_eq!(
        engine.sweep_health().await.unwrap(),
        1,
        "only the fixed one changed"
    );
    let e = events.try_recv().unwrap();
    assert!(
        matches!(&e.kind, EventKind::ChannelHealth { channel, health: ChannelHealth::ExpiringSoon { .. } } if channel.as_str() == "fixed"),
        "{e:?}"
    );
    assert_eq!(engine.sweep_health().await.unwrap(), 0, "told once");
    let h = engine.channel_health(&ws, &"fixed".into()).await.unwrap();
    assert_eq!(
        h,
        ChannelHealth::ExpiringSoon {
            at: at.trunc_subsecs_us()
        }
    );
    assert_eq!(
        engine
            .channel_health(&ws, &"renewing".into())
            .await
            .unwrap(),
        ChannelHealth::Connected
    );
    // A bad config stores nothing.
    let bad = ChannelSource::Config(ChannelConfig {
        platform: "x".into(),
        settings: serde_json::json!({"base_url": "http://127.0.0.1:1"}),
    });
    let err = engine
        .connect_stored(&ws, "olga", ChannelRecord::new("bad", "x"), bad)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    assert!(
        engine
            .vault()
            .unwrap()
            .store()
            .get(&ws, &"bad".into())
            .await
            .unwrap()
            .is_none()
    );
}

trait TruncUs {
    fn trunc_subsecs_us(self) -> Self;
}

impl TruncUs for chrono::DateTime<Utc> {
    fn trunc_subsecs_us(self) -> Self {
        chrono::DateTime::from_timestamp_micros(self.timestamp_micros()).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_reseals_in_the_background_and_the_old_key_can_go() {
    let twin = Twin::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotate.db");
    let k1 = [1u8; 32];
    let k2 = [2u8; 32];
    let first = Engine::builder(Arc::new(SqliteStore::open(&path).unwrap()))
        .vault(Arc::new(KeyRing::single("k1".parse().unwrap(), k1)))
        .build();
    let ws = first
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    first
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new("x", "x"),
            source(twin.config()),
        )
        .await
        .unwrap();
    drop(first);
    // k2 seals now; k1 still opens until the re-seal.
    let both = KeyRing::single("k2".parse().unwrap(), k2).with_old_key("k1".parse().unwrap(), k1);
    let second = Engine::builder(Arc::new(SqliteStore::open(&path).unwrap()))
        .vault(Arc::new(both))
        .open()
        .await
        .unwrap();
    assert!(
        second.platform(&ws, &"x".into()).is_some(),
        "k1 opens the old record"
    );
    second.spawn_vault_rotation().unwrap().await.unwrap();
    let row = second
        .vault()
        .unwrap()
        .store()
        .get(&ws, &"x".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.key_id.as_str(), "k2");
    drop(second);
    // k1 is gone from the provider: everything still opens.
    let third = Engine::builder(Arc::new(SqliteStore::open(&path).unwrap()))
        .vault(Arc::new(KeyRing::single("k2".parse().unwrap(), k2)))
        .open()
        .await
        .unwrap();
    assert!(third.platform(&ws, &"x".into()).is_some());
    // Without the key at all: the channel is marked, named by key id, nothing overwritten.
    let before = third
        .vault()
        .unwrap()
        .store()
        .get(&ws, &"x".into())
        .await
        .unwrap()
        .unwrap();
    drop(third);
    let fourth = Engine::builder(Arc::new(SqliteStore::open(&path).unwrap()))
        .vault(Arc::new(KeyRing::single("k3".parse().unwrap(), [3; 32])))
        .open()
        .await
        .unwrap();
    assert!(fourth.platform(&ws, &"x".into()).is_none());
    match fourth.channel_health(&ws, &"x".into()).await.unwrap() {
        ChannelHealth::NeedsReauth {
            reason, message, ..
        } => {
            assert_eq!(reason, ReauthReason::VaultUnreadable);
            assert!(message.contains("'k2'"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let after = fourth
        .vault()
        .unwrap()
        .store()
        .get(&ws, &"x".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.sealed, after.version),
        (before.sealed, before.version)
    );
    drop(fourth);
    // The key comes back: the channel is restored and healthy again.
    let fifth = Engine::builder(Arc::new(SqliteStore::open(&path).unwrap()))
        .vault(Arc::new(KeyRing::single("k2".parse().unwrap(), k2)))
        .open()
        .await
        .unwrap();
    assert!(fifth.platform(&ws, &"x".into()).is_some());
    assert_eq!(
        fifth.channel_health(&ws, &"x".into()).await.unwrap(),
        ChannelHealth::Connected
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_expired_at_x_is_renewed_stored_before_use_and_its_expiry_discovered() {
    use socialkit::adapters::x::twin::TwinOptions;
    let clock = ManualClock::new(Utc::now().trunc_subsecs(0));
    let twin = Twin::start_with(TwinOptions {
        access_token_lifetime: Some(Duration::hours(2)),
        clock: Arc::new(clock.clone()),
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let engine = Engine::builder(Arc::new(SqliteStore::in_memory().unwrap()))
        .vault(keys())
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    // The config does not say when the token expires.
    let cfg = twin.config_with_refresh();
    assert!(cfg.expires_at.is_none());
    engine
        .connect_stored(&ws, "olga", ChannelRecord::new("x", "x"), source(cfg))
        .await
        .unwrap();
    engine
        .submit(&ws, "olga", Post::text("Before expiry"), &["x".into()])
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().published, 1);

    // Three hours later on the twin's clock, X refuses the token (401): one refresh, stored,
    // then the publish goes through.
    clock.advance(Duration::hours(3));
    engine
        .submit(&ws, "olga", Post::text("After expiry"), &["x".into()])
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().published, 1);
    assert_eq!(
        twin.handle().requests().count_to("POST", "/2/oauth2/token"),
        1
    );
    assert_eq!(twin.handle().tweets().len(), 2);
    let opened = engine
        .vault()
        .unwrap()
        .open(&ws, &"x".into())
        .await
        .unwrap();
    assert_eq!(opened.version, 2, "the renewed pair was written once");
    let ChannelSource::Config(c) = opened.source else {
        panic!()
    };
    assert_eq!(c.settings["token"], twin.handle().access_token());
    assert_ne!(
        c.settings["refresh"]["refresh_token"], "twin-x-refresh-token",
        "rotated"
    );
    assert!(
        opened.row.expires_at.is_some(),
        "expiry discovered from expires_in"
    );
}
