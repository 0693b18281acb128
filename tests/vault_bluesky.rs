//! Bluesky sessions in the vault, against the Bluesky twin (which expires access tokens,
//! rotates refresh tokens and revokes them like the PDS):
//!
//! - the first session (`createSession`) is written to the vault; an engine opened again on
//!   the same file starts from it, with no new `createSession`;
//! - an expired access token is refreshed (`refreshSession`) and the rotated pair is written
//!   before it is used;
//! - a revoked refresh token leads to a new session with the app password, stored;
//! - an app password that no longer works marks the channel needs-reauthorisation with the
//!   reason `password_changed`; its delivery waits with the reason instead of failing.

#![cfg(all(feature = "bluesky", feature = "testkit", feature = "sqlite"))]

use std::sync::Arc;

use chrono::Utc;
use serde_json::{Value, json};
use socialkit::adapters::bluesky::twin::BlueskyTwin;
use socialkit::engine::{Engine, EngineConfig};
use socialkit::model::Post;
use socialkit::store::vault::{ChannelHealth, ChannelSource, KeyRing, ReauthReason};
use socialkit::store::{ChannelRecord, DeliveryFilter, DeliveryState, SqliteStore, WorkspaceId};
use socialkit::{ChannelConfig, PlatformExt};

fn keys() -> Arc<KeyRing> {
    Arc::new(KeyRing::single("k1".parse().unwrap(), [3; 32]))
}

async fn open(path: &std::path::Path) -> Engine {
    Engine::builder(Arc::new(SqliteStore::open(path).unwrap()))
        .vault(keys())
        .config(EngineConfig {
            reauth_retry: chrono::Duration::seconds(1),
            ..EngineConfig::default()
        })
        .open()
        .await
        .unwrap()
}

async fn stored(engine: &Engine, ws: &WorkspaceId) -> (Value, u64) {
    let o = engine
        .vault()
        .unwrap()
        .open(ws, &"bsky".into())
        .await
        .unwrap();
    match o.source {
        ChannelSource::Config(c) => (c.settings, o.version),
        other => panic!("stored as {other:?}"),
    }
}

fn s(v: &Value, k: &str) -> String {
    v["session"][k].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_live_in_the_vault_and_are_written_before_use() {
    let twin = BlueskyTwin::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bsky.db");
    let first = Engine::builder(Arc::new(SqliteStore::open(&path).unwrap()))
        .vault(keys())
        .build();
    let ws = first
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    // Stored as a URL, as the CLI does: the first session turns it into a config.
    let p = first
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new("bsky", "bluesky"),
            ChannelSource::Url(twin.channel_url("alice.test").unwrap()),
        )
        .await
        .unwrap();
    p.channel().await.unwrap();
    assert_eq!(twin.stats().sessions_created, 1);
    let (settings, _) = stored(&first, &ws).await;
    let did = twin.account("alice.test").unwrap().did;
    assert_eq!(settings["session"]["did"], json!(did));
    assert_eq!(settings["session"]["handle"], "alice.test");
    let session1 = s(&settings, "refresh_jwt");
    assert!(!session1.is_empty());
    drop(first);

    // A restart: the stored session is used, no new sign-in.
    let second = open(&path).await;
    let p = second.platform(&ws, &"bsky".into()).expect("restored");
    p.publish_text("after a restart").await.unwrap();
    assert_eq!(
        twin.stats().sessions_created,
        1,
        "no createSession after a restart"
    );
    assert_eq!(twin.stats().refreshes, 0);

    // An expired access token: one refresh; the rotated pair is in the vault.
    twin.expire_access_tokens();
    p.publish_text("after a refresh").await.unwrap();
    assert_eq!(twin.stats().refreshes, 1);
    let (settings, _) = stored(&second, &ws).await;
    let session2 = s(&settings, "refresh_jwt");
    assert_ne!(session2, session1, "the rotated refresh token is stored");

    // A revoked refresh token: a new session with the app password, stored.
    twin.expire_access_tokens();
    twin.revoke_refresh_tokens();
    p.publish_text("after a new session").await.unwrap();
    assert_eq!(twin.stats().sessions_created, 2);
    let (settings, version) = stored(&second, &ws).await;
    assert_ne!(s(&settings, "refresh_jwt"), session2);
    assert_eq!(twin.posts(&did).len(), 3);

    // The app password is revoked (the stored one no longer works) and so is the session.
    let mut settings = settings;
    settings["app_password"] = json!("revoked-app-password");
    second
        .vault()
        .unwrap()
        .replace(
            &ws,
            &"bsky".into(),
            &ChannelSource::Config(ChannelConfig {
                platform: "bluesky".into(),
                settings,
            }),
            ChannelHealth::Connected,
            version,
            Utc::now(),
        )
        .await
        .unwrap();
    drop(second);
    twin.expire_access_tokens();
    twin.revoke_refresh_tokens();
    let third = open(&path).await;
    third
        .submit(
            &ws,
            "olga",
            Post::text("waits for a reconnect"),
            &["bsky".into()],
        )
        .await
        .unwrap();
    third.run_once().await.unwrap();
    match third.channel_health(&ws, &"bsky".into()).await.unwrap() {
        ChannelHealth::NeedsReauth {
            reason, message, ..
        } => {
            assert_eq!(reason, ReauthReason::PasswordChanged);
            assert!(!message.contains("revoked-app-password"), "{message}");
        }
        other => panic!("health {other:?}"),
    }
    let waiting = third
        .store()
        .deliveries(&ws, &DeliveryFilter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.content.text == "waits for a reconnect")
        .unwrap();
    assert_ne!(waiting.state, DeliveryState::Failed, "it waits");
    assert!(
        waiting
            .error
            .as_ref()
            .is_some_and(|e| e.message.contains("password_changed")),
        "{:?}",
        waiting.error
    );
    assert_eq!(twin.posts(&did).len(), 3, "nothing was sent");
}

/// An access token whose `exp` is (almost) reached is renewed before the call — the path the
/// peer test found hanging (a read lock held across the renewal's write).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_token_about_to_expire_is_renewed_before_the_call() {
    let twin = BlueskyTwin::start().await.unwrap();
    twin.set_access_ttl(std::time::Duration::from_secs(30));
    let bsky =
        socialkit::adapters::bluesky::Bluesky::from_url(&twin.channel_url("alice.test").unwrap())
            .unwrap();
    bsky.sign_in().await.unwrap();
    let published = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        bsky.publish_text("renewed first"),
    )
    .await
    .expect("no deadlock");
    published.unwrap();
    assert!(twin.stats().refreshes >= 1, "renewed before the call");
}
