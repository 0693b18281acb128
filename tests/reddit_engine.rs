//! The engine publishing on Reddit through its twin, across a lost answer: reddit has no
//! idempotency key, so a submit whose outcome is unknown (a crash between the send and
//! storing its result, or an answer lost on the way) is looked up in the account's own
//! listing (`/user/{name}/overview`) and never sent a second time; a delivery whose submit
//! never happened is published once.

use std::sync::Arc;

use chrono::Utc;
use socialkit::adapters::reddit::Reddit;
use socialkit::adapters::reddit::twin::Twin;
use socialkit::clock::ManualClock;
use socialkit::model::Post;
use socialkit::platform::{Idempotency, Platform};
use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore, Store};
use socialkit::testkit::twin::Canned;

#[path = "engine_support/mod.rs"]
mod engine_support;
use engine_support::{OWNER, engine};

#[tokio::test]
async fn a_crashed_submit_is_found_in_the_listing_not_resent() {
    let twin = Twin::start().await.unwrap();
    let reddit: Arc<dyn Platform> = Arc::new(Reddit::new(twin.script_config()));
    assert_eq!(reddit.capabilities().idempotency, Idempotency::None);
    let clock = ManualClock::new(Utc::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = engine(store.clone(), &clock, true);
    let ws = first.create_workspace("acme", "ACME", OWNER).await.unwrap();
    let record = || ChannelRecord::new("sub", "reddit");
    first
        .connect(&ws, OWNER, record(), reddit.clone())
        .await
        .unwrap();
    let text = "Maintenance tonight\nThe shop is closed from 22:00 UTC.";
    let sub = first
        .submit(&ws, OWNER, Post::text(text), &["sub".into()])
        .await
        .unwrap();
    assert_eq!(first.run_once().await.unwrap().abandoned, 1);
    drop(first);
    let h = twin.handle();
    assert_eq!(
        h.things_by("twin_poster").len(),
        1,
        "the submit reached reddit"
    );

    let second = engine(store, &clock, false);
    second.connect(&ws, OWNER, record(), reddit).await.unwrap();
    second.recover().await.unwrap();
    second.run_simulated(&clock, 20).await.unwrap();
    let d = second.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    let posts = h.things_by("twin_poster");
    assert_eq!(posts.len(), 1, "exactly one post on reddit");
    assert_eq!(d.result.unwrap().post.id, posts[0].fullname());
}

#[tokio::test]
async fn a_lost_answer_is_found_in_the_listing_not_resent() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let reddit: Arc<dyn Platform> = Arc::new(Reddit::new(twin.script_config()));
    let clock = ManualClock::new(Utc::now());
    let e = engine(Arc::new(MemoryStore::new()), &clock, false);
    let ws = e.create_workspace("acme", "ACME", OWNER).await.unwrap();
    e.connect(&ws, OWNER, ChannelRecord::new("sub", "reddit"), reddit)
        .await
        .unwrap();
    // Reddit makes the post, the answer is lost (502): the delivery is in doubt.
    h.lose_submit_answers(1);
    let sub = e
        .submit(
            &ws,
            OWNER,
            Post::thread(["Doors open at nine", "Bring a friend"]),
            &["sub".into()],
        )
        .await
        .unwrap();
    e.run_simulated(&clock, 20).await.unwrap();
    let d = e.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    assert_eq!(
        h.log().count_to("POST", "/api/submit"),
        1,
        "the submit was never sent again"
    );
    assert!(
        h.log().count_to("GET", "/user/twin_poster/overview") >= 1,
        "looked up in the listing"
    );
    let mine = h.things_by("twin_poster");
    assert_eq!(
        mine.len(),
        2,
        "the post once, and the thread finished from it: {mine:?}"
    );
    assert_eq!(mine[0].title, "Doors open at nine");
    assert_eq!(mine[1].parent.as_deref(), Some(mine[0].fullname().as_str()));
    let result = d.result.unwrap();
    assert_eq!(result.parts.len(), 2);
    assert_eq!(result.post.id, mine[0].fullname());
}

#[tokio::test]
async fn a_submit_refused_at_the_gateway_is_looked_up_then_sent_once() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let reddit: Arc<dyn Platform> = Arc::new(Reddit::new(twin.script_config()));
    let clock = ManualClock::new(Utc::now());
    let e = engine(Arc::new(MemoryStore::new()), &clock, false);
    let ws = e.create_workspace("acme", "ACME", OWNER).await.unwrap();
    e.connect(&ws, OWNER, ChannelRecord::new("sub", "reddit"), reddit)
        .await
        .unwrap();
    // A 502 before the route runs: nothing was made, but the engine cannot know that.
    h.faults()
        .inject(Some("POST"), Some("/api/submit"), 1, Canned::html(502));
    let sub = e
        .submit(&ws, OWNER, Post::text("Doors open at ten"), &["sub".into()])
        .await
        .unwrap();
    e.run_simulated(&clock, 20).await.unwrap();
    let d = e.delivery(&ws, &sub.deliveries[0].id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    assert_eq!(
        h.things_by("twin_poster").len(),
        1,
        "published once after the lookup found nothing"
    );
    assert_eq!(h.log().count_to("POST", "/api/submit"), 2);
    assert!(
        h.log().count_to("GET", "/user/twin_poster/overview") >= 1,
        "looked up before re-sending"
    );
}
