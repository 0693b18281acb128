//! The engine publishing a local post through the Google Business Profile twin: a post whose
//! outcome was lost (a crash between the call and storing its result) is found through
//! `localPosts.list` and never created a second time.

use std::sync::Arc;

use chrono::Utc;
use socialkit::adapters::google_business::GoogleBusiness;
use socialkit::adapters::google_business::twin::Twin;
use socialkit::clock::ManualClock;
use socialkit::model::Post;
use socialkit::platform::Platform;
use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore, Store};

#[path = "engine_support/mod.rs"]
mod engine_support;
use engine_support::{OWNER, engine};

#[tokio::test]
async fn a_crashed_local_post_is_found_in_the_listing_not_resent() {
    let twin = Twin::start().await.unwrap();
    let gbp: Arc<dyn Platform> = Arc::new(GoogleBusiness::new(twin.config()));
    let clock = ManualClock::new(Utc::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = engine(store.clone(), &clock, true);
    let ws = first.create_workspace("acme", "ACME", OWNER).await.unwrap();
    let record = || ChannelRecord::new("shop", "google_business");
    first
        .connect(&ws, OWNER, record(), gbp.clone())
        .await
        .unwrap();
    let sub = first
        .submit(
            &ws,
            OWNER,
            Post::text("Closed on Monday for inventory"),
            &["shop".into()],
        )
        .await
        .unwrap();
    assert_eq!(first.run_once().await.unwrap().abandoned, 1);
    drop(first);
    assert_eq!(twin.handle().posts().len(), 1, "the post reached Google");

    let second = engine(store, &clock, false);
    second.connect(&ws, OWNER, record(), gbp).await.unwrap();
    second.recover().await.unwrap();
    second.run_simulated(&clock, 20).await.unwrap();
    let d = second.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    let posts = twin.handle().posts();
    assert_eq!(posts.len(), 1, "exactly one post");
    assert_eq!(
        posts[0]["name"],
        serde_json::json!(d.result.unwrap().post.id)
    );
}
