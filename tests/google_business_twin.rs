//! The Google Business Profile adapter against its twin: standard, event and offer posts,
//! delete, reviews read with a cursor, reply / update / delete the reply, the rating summary,
//! errors, token refresh, and reviews flowing into the unified inbox, answered through the
//! engine's outbox and measured against the SLA.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use socialkit::adapters::google_business::twin::Twin;
use socialkit::adapters::google_business::{
    Action, EventDetails, GoogleBusiness, LocalPostDraft, Topic,
};
use socialkit::clock::ManualClock;
use socialkit::engine::{Engine, EngineConfig};
use socialkit::inbox::{Inbox, ItemState, MemoryInboxStore, PageRequest};
use socialkit::model::{
    ChannelMetrics, InteractionKind, InteractionQuery, Media, Post, PublishOptions, Rating,
};
use socialkit::store::{ChannelRecord, MemoryStore};
use socialkit::{ErrorKind, Platform, PlatformExt};

#[tokio::test]
async fn standard_event_and_offer_posts_with_their_fields() {
    let twin = Twin::start().await.unwrap();
    let mut config = twin.config();
    config.time_zone = chrono_tz::America::New_York;
    let gbp = GoogleBusiness::new(config);
    let post = Post::text("New spring hours: open until 8pm")
        .with_link("https://acme.example/hours")
        .with_media(Media::from_url(
            "image/jpeg",
            "https://acme.example/shop.jpg",
        ));
    let standard = gbp
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap();
    assert!(
        standard
            .post
            .id
            .starts_with("accounts/1001/locations/2002/localPosts/")
    );
    assert!(
        standard
            .url()
            .unwrap()
            .starts_with("https://local.google.com/")
    );
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 14, 0, 0).unwrap();
    let mut event = LocalPostDraft::standard("Forge open day");
    event.topic = Topic::Event(EventDetails {
        title: "Open day".into(),
        start,
        end: start + Duration::hours(5),
    });
    event.button = Some((Action::SignUp, Some("https://acme.example/rsvp".into())));
    gbp.publish_local_post(&event).await.unwrap();
    let mut offer = LocalPostDraft::standard("Two anvils for one");
    offer.topic = Topic::Offer {
        event: EventDetails {
            title: "BOGO anvils".into(),
            start,
            end: start + Duration::days(7),
        },
        coupon_code: Some("BOGO".into()),
        redeem_url: Some("https://acme.example/redeem".into()),
        terms: Some("While stocks last".into()),
    };
    gbp.publish_local_post(&offer).await.unwrap();
    let posts = twin.handle().posts();
    assert_eq!(posts.len(), 3);
    assert_eq!(posts[0]["topicType"], "STANDARD");
    assert_eq!(posts[0]["callToAction"]["actionType"], "LEARN_MORE");
    assert_eq!(
        posts[0]["media"][0]["sourceUrl"],
        "https://acme.example/shop.jpg"
    );
    assert_eq!(posts[1]["topicType"], "EVENT");
    // 14:00 UTC on 1 November 2026 is 09:00 in New York (EST, the day DST ended).
    assert_eq!(posts[1]["event"]["schedule"]["startTime"]["hours"], 9);
    assert_eq!(posts[1]["callToAction"]["actionType"], "SIGN_UP");
    assert_eq!(posts[2]["offer"]["couponCode"], "BOGO");
    assert!(posts[2].get("callToAction").is_none());
    // Listed newest first for reconciliation, then deleted.
    let recent = gbp.recent_posts(10).await.unwrap();
    assert_eq!(recent.len(), 3);
    assert_eq!(recent[2].text, "New spring hours: open until 8pm");
    gbp.delete(&standard.post).await.unwrap();
    let e = gbp.delete(&standard.post).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(twin.handle().posts().len(), 2);
}

#[tokio::test]
async fn bad_posts_are_refused_before_any_request() {
    let twin = Twin::start().await.unwrap();
    let gbp = GoogleBusiness::new(twin.config());
    for post in [
        Post::text("x".repeat(1501)),
        Post::text("photo bytes").with_media(Media::image_bytes("image/png", vec![1])),
        Post::text("bad link").with_link("javascript:alert(1)"),
        Post::thread(["a", "b"]),
    ] {
        let e = gbp
            .publish(&post, &PublishOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Validation | ErrorKind::Unsupported),
            "{e}"
        );
    }
    assert_eq!(twin.handle().log().count(), 0);
}

#[tokio::test]
async fn reviews_are_read_once_and_answered_updated_and_unanswered() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let gbp = GoogleBusiness::new(twin.config());
    let r1 = h.review("Ann", 5, "Best anvils in town", Duration::minutes(30));
    let r2 = h.review("Bob", 2, "Waited an hour", Duration::minutes(20));
    let page = gbp
        .interactions(&InteractionQuery::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].reference.id, r1, "oldest first");
    assert_eq!(page.items[0].kind, InteractionKind::Comment);
    assert_eq!(
        page.items[1]
            .reference
            .meta
            .get("star_rating")
            .map(String::as_str),
        Some("2")
    );
    let s = gbp.review_summary().await.unwrap();
    assert_eq!(
        (s.average_rating, s.total_review_count),
        (Rating::from_stars(3.5), Some(2))
    );

    // Reply, update the reply, delete it.
    let bob = page.items[1].reference.clone();
    gbp.reply_text(&bob, "Sorry, Bob: we added a second counter.")
        .await
        .unwrap();
    assert_eq!(
        h.review_by_id(&r2).unwrap().reply.as_deref(),
        Some("Sorry, Bob: we added a second counter.")
    );
    gbp.set_review_reply(&r2, "Sorry, Bob: a second counter opens Monday.")
        .await
        .unwrap();
    assert_eq!(
        h.review_by_id(&r2).unwrap().reply.as_deref(),
        Some("Sorry, Bob: a second counter opens Monday.")
    );
    gbp.delete_review_reply(&r2).await.unwrap();
    assert_eq!(h.review_by_id(&r2).unwrap().reply, None);
    assert_eq!(
        gbp.delete_review_reply(&r2).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );

    // The cursor: only what is new.
    let r3 = h.review("Cem", 4, "Friendly staff", Duration::minutes(1));
    let next = gbp
        .interactions(&InteractionQuery::default().cursor(page.next_cursor.unwrap()))
        .await
        .unwrap();
    let ids: Vec<&str> = next.items.iter().map(|i| i.reference.id.as_str()).collect();
    assert_eq!(ids, [r3.as_str()]);
}

/// `channel()` reports `reviews.list`'s `totalReviewCount` and `averageRating` as channel
/// metrics; a location has no followers, following or post count in the API.
#[tokio::test]
async fn rating_and_review_count_are_channel_metrics() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let gbp = GoogleBusiness::new(twin.config());
    let empty = gbp.channel().await.unwrap();
    assert_eq!(empty.id, "accounts/1001/locations/2002");
    assert_eq!(
        empty.metrics,
        ChannelMetrics {
            reviews: Some(0),
            ..ChannelMetrics::default()
        },
        "no rating before the first review, and zero reviews is known"
    );
    for (who, stars) in [("Ann", 5), ("Bob", 4), ("Cem", 4)] {
        h.review(who, stars, "fine", Duration::minutes(5));
    }
    let m = gbp.channel().await.unwrap().metrics;
    assert_eq!(m.reviews, Some(3));
    let rating = m.average_rating.unwrap();
    assert_eq!(rating.hundredths(), 433, "13 / 3 stars, to the hundredth");
    assert_eq!(format!("{rating:.1}"), "4.3");
    assert_eq!((m.followers, m.following, m.posts), (None, None, None));
    let asked = h.log().all();
    let last = asked.last().unwrap();
    assert_eq!(last.path, "/v4/accounts/1001/locations/2002/reviews");
    assert_eq!(last.query.as_deref(), Some("pageSize=1"));

    // Out of range or mistyped answers are no rating or an error, never a panic.
    let list = "/v4/accounts/1001/locations/2002/reviews";
    let canned = |body| socialkit::testkit::twin::Canned::json(200, body);
    h.faults().inject(
        Some("GET"),
        Some(list),
        1,
        canned(serde_json::json!({"averageRating": 7.5, "totalReviewCount": 3})),
    );
    let m = gbp.channel().await.unwrap().metrics;
    assert_eq!((m.reviews, m.average_rating), (Some(3), None));
    h.faults().inject(
        Some("GET"),
        Some(list),
        1,
        canned(serde_json::json!({"averageRating": "4.5", "totalReviewCount": 3})),
    );
    let e = gbp.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unexpected, "{e}");
}

#[tokio::test]
async fn a_long_review_backlog_is_paged_without_loss() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let gbp = GoogleBusiness::new(twin.config());
    for i in 0..130 {
        h.review(&format!("r{i}"), 4, "ok", Duration::minutes(200 - i));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = None;
    for _ in 0..10 {
        let mut q = InteractionQuery::default().limit(50);
        if let Some(c) = &cursor {
            q = q.cursor(c);
        }
        let page = gbp.interactions(&q).await.unwrap();
        for i in page.items {
            assert!(seen.insert(i.reference.id), "read twice");
        }
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len(), 130);
}

#[tokio::test]
async fn documented_errors_and_token_refresh() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let gbp = GoogleBusiness::new(twin.config());
    h.set_verified(false);
    let e = gbp.publish_text("Hello").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("FAILED_PRECONDITION")
    );
    h.set_verified(true);
    h.faults().inject(
        Some("GET"),
        Some("/v4/accounts/1001/locations/2002/reviews"),
        1,
        socialkit::testkit::twin::Canned::json(429, serde_json::json!({"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}})),
    );
    let mut http = socialkit::http::HttpConfig::default();
    http.retry = socialkit::http::RetryPolicy::none();
    let once =
        GoogleBusiness::with_client(twin.config(), socialkit::http::Client::new(http).unwrap());
    let e = once.review_summary().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.retry_after().is_some());
    h.expire_token();
    gbp.publish_text("After a refresh").await.unwrap();
    assert_eq!(h.log().count_to("POST", "/token"), 1);
}

/// Reviews reach the unified inbox, the reply goes out through the engine's outbox, and the
/// first response is measured.
#[tokio::test]
async fn reviews_flow_into_the_inbox_and_its_sla() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let gbp: Arc<dyn Platform> = Arc::new(GoogleBusiness::new(twin.config()));
    let clock = ManualClock::new(Utc::now());
    let engine = Engine::builder(Arc::new(MemoryStore::new()))
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            seed: Some(3),
            ..EngineConfig::default()
        })
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    engine
        .connect(
            &ws,
            "olga",
            ChannelRecord::new("gbp", "google_business"),
            gbp.clone(),
        )
        .await
        .unwrap();
    let mut inbox = Inbox::new(
        Arc::new(MemoryInboxStore::default()),
        Arc::new(clock.clone()),
    )
    .with_engine(engine.clone(), ws.clone());
    inbox.connect("gbp", gbp);
    let review = h.review(
        "Dana",
        1,
        "The anvil arrived cracked. I want a refund!",
        Duration::minutes(5),
    );
    let report = inbox.sync().await.unwrap();
    assert_eq!(report.new, 1);
    let item = inbox
        .items(PageRequest::first(10))
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(item.interaction.reference.id, review);
    assert_eq!(item.state, ItemState::New);
    assert!(item.classification.is_some(), "classified like any comment");
    clock.advance(Duration::minutes(20));
    inbox
        .reply(
            &item.key,
            "olga",
            "We are sorry, Dana: a new anvil ships today.",
        )
        .await
        .unwrap();
    engine.run_once().await.unwrap();
    inbox.record_replies().await.unwrap();
    let done = inbox.item(&item.key).await.unwrap();
    assert!(done.first_response_at.is_some(), "{done:?}");
    assert_eq!(
        h.review_by_id(&review).unwrap().reply.as_deref(),
        Some("We are sorry, Dana: a new anvil ships today.")
    );
    // A second sync reads nothing new.
    assert_eq!(inbox.sync().await.unwrap().new, 0);
}
