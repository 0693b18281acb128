//! The engine pinning through the Pinterest twin: Pinterest has no idempotency key, so a
//! pin whose outcome is unknown (a crash between the call and storing its result) is looked
//! up in the account's pins and never made twice.

use std::sync::Arc;

use chrono::Utc;
use socialkit::adapters::pinterest::Pinterest;
use socialkit::adapters::pinterest::twin::Twin;
use socialkit::clock::ManualClock;
use socialkit::model::{Media, Post};
use socialkit::platform::Platform;
use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore, Store};

#[path = "engine_support/mod.rs"]
mod engine_support;
use engine_support::{OWNER, engine};

#[tokio::test]
async fn a_crashed_pin_is_found_in_the_account_not_made_twice() {
    let twin = Twin::start().await.unwrap();
    let pinterest: Arc<dyn Platform> =
        Arc::new(Pinterest::with_client(twin.config(), twin.client()));
    let clock = ManualClock::new(Utc::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = engine(store.clone(), &clock, true);
    let ws = first.create_workspace("acme", "ACME", OWNER).await.unwrap();
    let record = || ChannelRecord::new("pin", "pinterest");
    first
        .connect(&ws, OWNER, record(), pinterest.clone())
        .await
        .unwrap();
    let post = Post::text("Spring anvils\nNew colours for the season").with_media(Media::from_url(
        "image/jpeg",
        "https://cdn.example/spring.jpg",
    ));
    let sub = first
        .submit(&ws, OWNER, post, &["pin".into()])
        .await
        .unwrap();
    assert_eq!(first.run_once().await.unwrap().abandoned, 1);
    drop(first);
    let h = twin.handle();
    assert_eq!(h.pins().len(), 1, "the pin reached pinterest");

    let second = engine(store, &clock, false);
    second
        .connect(&ws, OWNER, record(), pinterest)
        .await
        .unwrap();
    second.recover().await.unwrap();
    second.run_simulated(&clock, 20).await.unwrap();
    let d = second.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    assert_eq!(h.pins().len(), 1, "exactly one pin");
    assert_eq!(h.log().count_to("POST", "/v5/pins"), 1);
    assert_eq!(d.result.unwrap().post.id, h.pins()[0].id);
}
