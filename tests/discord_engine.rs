//! The engine publishing on Discord through its twin on 127.0.0.1, across a crash between the
//! send and storing its result: as a bot (nonce and a listable channel) the message is found
//! by listing the channel and never sent again; through a webhook (no key, no listing) the
//! delivery fails in doubt and waits for a person.

use std::sync::Arc;

use chrono::Utc;
use socialkit::adapters::discord::twin::Twin;
use socialkit::adapters::discord::{Discord, DiscordConfig};
use socialkit::clock::ManualClock;
use socialkit::engine::Engine;
use socialkit::model::{Post, Published};
use socialkit::platform::Platform;
use socialkit::store::{ChannelRecord, Delivery, DeliveryState, MemoryStore, Store};

#[path = "engine_support/mod.rs"]
mod engine_support;
use engine_support::{OWNER, engine};

/// Submits `text`, crashes after the send, recovers on a second engine; the delivery.
async fn through_a_crash(
    config: DiscordConfig,
    text: &str,
) -> (Engine, socialkit::store::WorkspaceId, Delivery) {
    let platform: Arc<dyn Platform> = Arc::new(Discord::new(config));
    let clock = ManualClock::new(Utc::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = engine(store.clone(), &clock, true);
    let ws = first.create_workspace("acme", "ACME", OWNER).await.unwrap();
    let record = || ChannelRecord::new("community", "discord");
    first
        .connect(&ws, OWNER, record(), platform.clone())
        .await
        .unwrap();
    let sub = first
        .submit(&ws, OWNER, Post::text(text), &["community".into()])
        .await
        .unwrap();
    assert_eq!(first.run_once().await.unwrap().abandoned, 1);
    drop(first);
    let second = engine(store, &clock, false);
    second
        .connect(&ws, OWNER, record(), platform)
        .await
        .unwrap();
    second.recover().await.unwrap();
    second.run_simulated(&clock, 20).await.unwrap();
    let d = second.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    (second, ws, d)
}

#[tokio::test]
async fn a_crashed_bot_publish_is_found_in_the_channel_not_resent() {
    let twin = Twin::start().await.unwrap();
    let (_, _, d) = through_a_crash(twin.bot_config(), "Server maintenance at 22:00").await;
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    let sent: Vec<_> = twin
        .handle()
        .messages("1000")
        .into_iter()
        .filter(|m| m.content == "Server maintenance at 22:00")
        .collect();
    assert_eq!(sent.len(), 1, "exactly one message on Discord");
    assert_eq!(d.result.unwrap().post.id, sent[0].id);
}

#[tokio::test]
async fn a_crashed_webhook_publish_waits_for_a_person() {
    let twin = Twin::start().await.unwrap();
    let (engine, ws, d) = through_a_crash(twin.webhook_config(), "Hook news").await;
    assert!(d.needs_decision(), "{d:?}");
    assert_eq!(
        twin.handle().messages("1000").len(),
        1,
        "never sent a second time"
    );
    // A person finds the message in the channel and settles the delivery with it.
    let m = twin.handle().messages("1000").remove(0);
    let found = Published::single(
        socialkit::model::PostRef::new("discord", m.id).with_meta("channel_id", "1000"),
        Utc::now(),
    );
    let settled = engine
        .settle(
            &ws,
            OWNER,
            &d.id,
            Some(found.clone()),
            "seen in the channel",
        )
        .await
        .unwrap();
    assert_eq!(settled.state, DeliveryState::Published);
    assert_eq!(settled.result, Some(found));
}
