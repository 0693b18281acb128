//! The engine publishing on YouTube through its twin: an upload whose outcome was lost (a
//! crash between the upload and storing its result) is found in the channel's uploads
//! playlist and never uploaded again; a delivery over the daily quota waits for the reset at
//! midnight Pacific Time (DST included) and is published then, never failed.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use socialkit::adapters::youtube::Youtube;
use socialkit::adapters::youtube::quota::{QuotaConfig, next_reset};
use socialkit::adapters::youtube::twin::Twin;
use socialkit::clock::ManualClock;
use socialkit::http::{Client, HttpConfig};
use socialkit::model::{Media, Post};
use socialkit::platform::{Idempotency, Platform};
use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore, Store};

#[path = "engine_support/mod.rs"]
mod engine_support;
use engine_support::{OWNER, engine};

fn video_post(text: &str) -> Post {
    Post::text(text).with_media(Media::from_bytes("video/mp4", vec![7; 300 * 1024]))
}

#[tokio::test]
async fn a_crashed_upload_is_found_in_the_uploads_playlist_not_uploaded_again() {
    let twin = Twin::start().await.unwrap();
    let yt: Arc<dyn Platform> = Arc::new(Youtube::new(twin.config()));
    assert_eq!(yt.capabilities().idempotency, Idempotency::None);
    let clock = ManualClock::new(Utc::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = engine(store.clone(), &clock, true);
    let ws = first.create_workspace("acme", "ACME", OWNER).await.unwrap();
    let record = || ChannelRecord::new("yt", "youtube");
    first
        .connect(&ws, OWNER, record(), yt.clone())
        .await
        .unwrap();
    let sub = first
        .submit(
            &ws,
            OWNER,
            video_post("Anvil 2.0\nUnboxed in four minutes."),
            &["yt".into()],
        )
        .await
        .unwrap();
    assert_eq!(first.run_once().await.unwrap().abandoned, 1);
    drop(first);
    let h = twin.handle();
    assert_eq!(h.videos().len(), 1, "the upload reached YouTube");

    let second = engine(store, &clock, false);
    second.connect(&ws, OWNER, record(), yt).await.unwrap();
    second.recover().await.unwrap();
    second.run_simulated(&clock, 20).await.unwrap();
    let d = second.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    let videos = h.videos();
    assert_eq!(videos.len(), 1, "exactly one video");
    assert_eq!(d.result.unwrap().post.id, videos[0].id);
    assert_eq!(h.spent().1, 1, "one videos.insert");
}

/// 23:00 PST on 7 March 2026, the evening before the spring DST change: the quota resets at
/// 08:00 UTC (midnight PST), and the next day is 23 hours long (its reset is 07:00 UTC).
#[tokio::test]
async fn over_the_quota_a_delivery_waits_for_pacific_midnight_and_is_published_then() {
    let twin = Twin::start().await.unwrap();
    let start = Utc.with_ymd_and_hms(2026, 3, 8, 7, 0, 0).unwrap();
    let clock = ManualClock::new(start);
    let client = Client::new(HttpConfig::default())
        .unwrap()
        .with_clock(Arc::new(clock.clone()));
    let mut config = twin.config();
    config.quota = QuotaConfig {
        daily_uploads: 1,
        ..QuotaConfig::default()
    };
    let yt: Arc<dyn Platform> = Arc::new(Youtube::with_client(config, client));
    let e = engine(Arc::new(MemoryStore::new()), &clock, false);
    let ws = e.create_workspace("acme", "ACME", OWNER).await.unwrap();
    e.connect(&ws, OWNER, ChannelRecord::new("yt", "youtube"), yt)
        .await
        .unwrap();
    let a = e
        .submit(&ws, OWNER, video_post("First of the day"), &["yt".into()])
        .await
        .unwrap();
    e.run_once().await.unwrap();
    let b = e
        .submit(&ws, OWNER, video_post("Second of the day"), &["yt".into()])
        .await
        .unwrap();
    e.run_once().await.unwrap();
    let first = e.delivery(&ws, &a.deliveries[0].id).await.unwrap();
    assert_eq!(first.state, DeliveryState::Published);
    let waiting = e.delivery(&ws, &b.deliveries[0].id).await.unwrap();
    assert_eq!(
        waiting.state,
        DeliveryState::Scheduled,
        "waits, not failed: {waiting:?}"
    );
    let reset = Utc.with_ymd_and_hms(2026, 3, 8, 8, 0, 0).unwrap();
    assert_eq!(next_reset(socialkit::clock::Clock::now(&clock)), reset);
    assert_eq!(waiting.due_at, Some(reset), "{waiting:?}");
    assert_eq!(
        twin.handle().videos().len(),
        1,
        "nothing sent over the quota"
    );

    // The engine sleeps to the reset and uploads then.
    e.run_simulated(&clock, 10).await.unwrap();
    let done = e.delivery(&ws, &b.deliveries[0].id).await.unwrap();
    assert_eq!(done.state, DeliveryState::Published, "{done:?}");
    assert_eq!(twin.handle().videos().len(), 2);

    // The short day: its quota resets 23 hours later, at 07:00 UTC (midnight PDT).
    let c = e
        .submit(&ws, OWNER, video_post("Third"), &["yt".into()])
        .await
        .unwrap();
    e.run_once().await.unwrap();
    let waiting = e.delivery(&ws, &c.deliveries[0].id).await.unwrap();
    assert_eq!(
        waiting.due_at,
        Some(Utc.with_ymd_and_hms(2026, 3, 9, 7, 0, 0).unwrap())
    );
}

/// A video with its thumbnail passes the engine's check at submit (the adapter's own rules,
/// not only the capabilities'), and a text reply to a comment goes out through the outbox
/// although YouTube posts need a video.
#[tokio::test]
async fn a_video_with_a_thumbnail_and_a_text_reply_go_through_the_engine() {
    use socialkit::model::InteractionQuery;
    let twin = Twin::start().await.unwrap();
    let yt = Arc::new(Youtube::new(twin.config()));
    let clock = ManualClock::new(Utc::now());
    let e = engine(Arc::new(MemoryStore::new()), &clock, false);
    let ws = e.create_workspace("acme", "ACME", OWNER).await.unwrap();
    e.connect(&ws, OWNER, ChannelRecord::new("yt", "youtube"), yt.clone())
        .await
        .unwrap();
    let post = video_post("With a thumbnail").with_media(Media::image_bytes(
        "image/png",
        vec![0x89, b'P', b'N', b'G'],
    ));
    let sub = e.submit(&ws, OWNER, post, &["yt".into()]).await.unwrap();
    e.run_simulated(&clock, 5).await.unwrap();
    let d = e.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    let video = twin.handle().videos().remove(0);
    assert_eq!(
        video.thumbnail.as_ref().map(|t| t.0.as_str()),
        Some("image/png")
    );
    // A viewer comments; the channel answers through the outbox.
    twin.handle()
        .comment(&video.id, "UCviewer", "Nice thumbnail");
    let comment = yt
        .interactions(&InteractionQuery::default())
        .await
        .unwrap()
        .items
        .remove(0);
    let reply = e
        .reply(
            &ws,
            OWNER,
            &"yt".into(),
            comment.reference.clone(),
            Post::text("Thanks!"),
        )
        .await
        .unwrap();
    e.run_simulated(&clock, 5).await.unwrap();
    let d = e.delivery(&ws, &reply).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    assert!(twin.handle().comments().iter().any(|c| c.text == "Thanks!"));
}
