//! The engine publishing on TikTok through its twin: TikTok has no idempotency key, so a
//! publish whose outcome is unknown (a crash between the call and storing its result) is
//! looked up in the creator's videos (`video/list`) and never sent again; a publish refused
//! at the gateway before TikTok saw it is looked up, found missing, and sent once.

use std::sync::Arc;

use chrono::Utc;
use socialkit::adapters::tiktok::TikTok;
use socialkit::adapters::tiktok::twin::Twin;
use socialkit::clock::ManualClock;
use socialkit::model::{Media, Post};
use socialkit::platform::{Idempotency, Platform};
use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore, Store};
use socialkit::testkit::twin::Canned;

#[path = "engine_support/mod.rs"]
mod engine_support;
use engine_support::{OWNER, engine};

fn post(text: &str) -> Post {
    Post::text(text).with_media(Media::from_bytes("video/mp4", vec![9; 4096]))
}

#[tokio::test]
async fn a_crashed_publish_is_found_in_the_video_list_not_resent() {
    let twin = Twin::start().await.unwrap();
    let tiktok: Arc<dyn Platform> = Arc::new(TikTok::with_client(twin.config(), twin.client()));
    assert_eq!(tiktok.capabilities().idempotency, Idempotency::None);
    let clock = ManualClock::new(Utc::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = engine(store.clone(), &clock, true);
    let ws = first.create_workspace("acme", "ACME", OWNER).await.unwrap();
    let record = || ChannelRecord::new("tt", "tiktok");
    first
        .connect(&ws, OWNER, record(), tiktok.clone())
        .await
        .unwrap();
    let sub = first
        .submit(&ws, OWNER, post("Night shift at the forge"), &["tt".into()])
        .await
        .unwrap();
    assert_eq!(first.run_once().await.unwrap().abandoned, 1);
    drop(first);
    let h = twin.handle();
    assert_eq!(h.videos().len(), 1, "the publish reached tiktok");

    let second = engine(store, &clock, false);
    second.connect(&ws, OWNER, record(), tiktok).await.unwrap();
    second.recover().await.unwrap();
    second.run_simulated(&clock, 20).await.unwrap();
    let d = second.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    assert_eq!(h.videos().len(), 1, "exactly one video on tiktok");
    assert_eq!(h.publishes().len(), 1, "never initialised again");
    assert_eq!(d.result.unwrap().post.id, h.videos()[0].id);
}

#[tokio::test]
async fn a_publish_refused_at_the_gateway_is_looked_up_then_sent_once() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let tiktok: Arc<dyn Platform> = Arc::new(TikTok::with_client(twin.config(), twin.client()));
    let clock = ManualClock::new(Utc::now());
    let e = engine(Arc::new(MemoryStore::new()), &clock, false);
    let ws = e.create_workspace("acme", "ACME", OWNER).await.unwrap();
    e.connect(&ws, OWNER, ChannelRecord::new("tt", "tiktok"), tiktok)
        .await
        .unwrap();
    // A 502 before the route runs: nothing was made, but the engine cannot know that.
    h.faults()
        .inject(Some("POST"), Some("/video/init/"), 1, Canned::html(502));
    let sub = e
        .submit(&ws, OWNER, post("Doors open at ten"), &["tt".into()])
        .await
        .unwrap();
    e.run_simulated(&clock, 20).await.unwrap();
    let d = e.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    assert_eq!(
        h.videos().len(),
        1,
        "published once after the lookup found nothing"
    );
    assert_eq!(h.log().count_to("POST", "/v2/post/publish/video/init/"), 2);
    assert!(
        h.log().count_to("POST", "/v2/video/list/") >= 1,
        "looked up before re-sending"
    );
}
