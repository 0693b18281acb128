//! The engine publishing on Telegram through its twin on 127.0.0.1. Telegram has no
//! idempotency key and a bot cannot list a chat's history, so a delivery whose outcome was
//! lost (a crash between the send and storing its result) cannot be checked: it fails in
//! doubt, visibly, is never sent a second time, and a person settles it.

use std::sync::Arc;

use chrono::Utc;
use socialkit::adapters::telegram::Telegram;
use socialkit::adapters::telegram::twin::Twin;
use socialkit::clock::ManualClock;
use socialkit::model::{Post, PostRef, Published};
use socialkit::platform::{Idempotency, Platform};
use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore, Store};

#[path = "engine_support/mod.rs"]
mod engine_support;
use engine_support::{OWNER, engine};

#[tokio::test]
async fn a_lost_telegram_delivery_waits_for_a_person_and_is_never_resent() {
    let twin = Twin::start().await.unwrap();
    let telegram: Arc<dyn Platform> = Arc::new(Telegram::new(twin.config()));
    let caps = telegram.capabilities();
    assert_eq!(caps.idempotency, Idempotency::None);
    assert!(!caps.recent_posts);
    let clock = ManualClock::new(Utc::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = engine(store.clone(), &clock, true);
    let ws = first.create_workspace("acme", "ACME", OWNER).await.unwrap();
    let record = || ChannelRecord::new("news", "telegram");
    first
        .connect(&ws, OWNER, record(), telegram.clone())
        .await
        .unwrap();
    let sub = first
        .submit(
            &ws,
            OWNER,
            Post::text("Doors open at nine"),
            &["news".into()],
        )
        .await
        .unwrap();
    assert_eq!(first.run_once().await.unwrap().abandoned, 1);
    drop(first);
    let h = twin.handle();
    let channel = h.channel_id();
    assert_eq!(h.messages(channel).len(), 1, "the send reached Telegram");

    let second = engine(store, &clock, false);
    second
        .connect(&ws, OWNER, record(), telegram.clone())
        .await
        .unwrap();
    second.recover().await.unwrap();
    second.run_simulated(&clock, 20).await.unwrap();
    let id = &sub.deliveries[0].id;
    let d = second.delivery(&ws, id).await.unwrap();
    assert!(d.needs_decision(), "failed in doubt, for a person: {d:?}");
    assert_eq!(h.messages(channel).len(), 1, "never sent a second time");

    // A person finds the message in the channel and settles the delivery with it.
    let m = &h.messages(channel)[0];
    let found = Published::single(
        PostRef::new("telegram", m.message_id.to_string())
            .with_meta("chat_id", channel.to_string()),
        Utc::now(),
    );
    let settled = second
        .settle(&ws, OWNER, id, Some(found.clone()), "seen in the channel")
        .await
        .unwrap();
    assert_eq!(settled.state, DeliveryState::Published);
    assert_eq!(settled.result, Some(found));
    assert_eq!(h.messages(channel).len(), 1);
}
