//! X adapter against its twin: every mapped error, media processing on a manual clock,
//! validation before any request, and no token in any error or `Debug` output.

use std::sync::Arc;
use std::time::Duration;

use socialkit::adapters::x::twin::{Twin, TwinOptions, XFault};
use socialkit::adapters::x::{X, XConfig};
use socialkit::clock::ManualClock;
use socialkit::http::Client;
use socialkit::model::{InteractionKind, InteractionQuery, Media, Post, PostRef, PublishOptions};
use socialkit::testkit::twin::Canned;
use socialkit::{ErrorKind, Platform, PlatformExt, Registry};

/// A client on a manual clock: retries and media polling take no real time.
fn manual_client() -> (Client, ManualClock) {
    let clock = ManualClock::new(chrono::Utc::now());
    (Client::default().with_clock(Arc::new(clock.clone())), clock)
}

async fn setup() -> (Twin, X, ManualClock) {
    let twin = Twin::start().await.unwrap();
    let (client, clock) = manual_client();
    let x = X::with_client(twin.config(), client);
    (twin, x, clock)
}

fn video(bytes: usize) -> Media {
    Media::from_bytes("video/mp4", vec![7u8; bytes])
}

#[tokio::test]
async fn duplicate_content_is_duplicate() {
    let (twin, x, _) = setup().await;
    x.publish_text("same words").await.unwrap();
    let e = x.publish_text("same words").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Duplicate, "{e}");
    assert!(!e.is_retryable());
    assert_eq!(e.context().http_status, Some(403));
    assert_eq!(twin.handle().tweets().len(), 1);
}

#[tokio::test]
async fn a_rejected_token_without_refresh_means_reconnect_and_never_leaks() {
    let (twin, x, _) = setup().await;
    twin.handle().revoke_access_token();
    let e = x.publish_text("hello").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert!(e.to_string().contains("reconnect"), "{e}");
    let token = TwinOptions::default().token;
    for shown in [
        e.to_string(),
        format!("{e:?}"),
        format!("{x:?}"),
        format!("{:?}", twin.config()),
    ] {
        assert!(!shown.contains(&token), "{shown}");
    }
    let e = x.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_when_the_config_can() {
    let twin = Twin::start().await.unwrap();
    let (client, _) = manual_client();
    let x = X::with_client(twin.config_with_refresh(), client);
    twin.handle().revoke_access_token();
    x.publish_text("after refresh").await.unwrap();
    assert_eq!(
        twin.handle().requests().count_to("POST", "/2/oauth2/token"),
        1
    );
    // Two creates: the refused one (nothing created) and the resent one.
    assert_eq!(twin.handle().requests().count_to("POST", "/2/tweets"), 2);
    assert_eq!(twin.handle().tweets().len(), 1);
    let token = x.tokens().token().await;
    assert_eq!(token.access_token.expose(), twin.handle().access_token());
    assert!(token.expires_at.is_some());
}

#[tokio::test]
async fn rate_limits_carry_the_reset_and_creates_are_not_resent() {
    let (twin, x, _) = setup().await;
    let h = twin.handle();
    h.inject(
        Some("POST"),
        Some("/2/tweets"),
        1,
        XFault::rate_limited(600),
    );
    let e = x.publish_text("limited").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    let wait = e.retry_after().unwrap() - chrono::Utc::now();
    assert!(wait > chrono::Duration::seconds(590) && wait <= chrono::Duration::seconds(600));
    assert_eq!(
        h.requests().count_to("POST", "/2/tweets"),
        1,
        "a create is sent once"
    );

    // The 24-hour user cap used up, the 15-minute window not: wait for the daily reset.
    h.inject(
        Some("POST"),
        Some("/2/tweets"),
        1,
        XFault::daily_cap(20 * 3600),
    );
    let e = x.publish_text("capped").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    let wait = e.retry_after().unwrap() - chrono::Utc::now();
    assert!(wait > chrono::Duration::hours(19), "{wait}");

    h.inject(Some("POST"), Some("/2/tweets"), 1, XFault::usage_capped());
    let e = x.publish_text("usage").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(!e.is_retryable());
    assert_eq!(e.context().platform_code.as_deref(), Some("usage-capped"));
    assert!(h.tweets().is_empty());
}

#[tokio::test]
async fn the_twins_own_daily_cap_answers_429_with_the_24_hour_headers() {
    let twin = Twin::start_with(TwinOptions {
        user_daily_posts: 1,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let x = X::with_client(twin.config(), manual_client().0);
    x.publish_text("one").await.unwrap();
    let e = x.publish_text("two").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    let wait = e.retry_after().unwrap() - chrono::Utc::now();
    assert!(wait > chrono::Duration::hours(23), "{wait}");
}

#[tokio::test]
async fn permission_and_server_errors() {
    let (twin, x, _) = setup().await;
    let h = twin.handle();
    h.inject(
        Some("POST"),
        Some("/2/tweets"),
        1,
        XFault::client_forbidden(),
    );
    let e = x.publish_text("forbidden").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("client-forbidden")
    );

    // A write failing with 503 is not resent: its outcome would be unknown.
    h.inject(
        Some("POST"),
        Some("/2/tweets"),
        1,
        XFault::server_error(503),
    );
    let e = x.publish_text("busy").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(e.is_retryable());
    assert_eq!(h.requests().count_to("POST", "/2/tweets"), 2);

    // A read failing with an HTML 502 is retried and succeeds.
    h.inject(
        Some("GET"),
        Some("/2/users/me"),
        1,
        XFault::server_error_html(502),
    );
    let me = x.channel().await.unwrap();
    assert_eq!(me.handle, "acme");

    h.inject(
        Some("GET"),
        Some("/2/users/me"),
        3,
        XFault::server_error_html(502),
    );
    let e = x.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(
        e.context()
            .platform_message
            .as_deref()
            .unwrap_or("")
            .contains("502")
    );

    h.inject(
        Some("GET"),
        Some("/2/users/me"),
        1,
        Canned::malformed_json(),
    );
    assert_eq!(x.channel().await.unwrap_err().kind(), ErrorKind::Unexpected);
}

#[tokio::test]
async fn validation_happens_before_any_request() {
    let (twin, x, _) = setup().await;
    let h = twin.handle();
    let long = "word ".repeat(60);
    let e = x.publish_text(&long).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("the limit is 280"), "{e}");
    // CJK weighs 2: 141 of them are 282.
    let e = x.publish_text(&"漢".repeat(141)).await.unwrap_err();
    assert!(e.to_string().contains("282"), "{e}");
    // Five images, a video with an image, a link that makes the text too long, a big GIF.
    let img = || Media::image_bytes("image/png", vec![1; 10]);
    let mut five = Post::text("five");
    for _ in 0..5 {
        five = five.with_media(img());
    }
    assert_eq!(
        x.publish(&five, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    let mixed = Post::text("mixed").with_media(img()).with_media(video(10));
    assert_eq!(
        x.publish(&mixed, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    let linked = Post::text("x".repeat(270)).with_link("https://example.com/a");
    assert_eq!(
        x.publish(&linked, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    let gif =
        Post::text("gif").with_media(Media::from_bytes("image/gif", vec![0; 16 * 1024 * 1024]));
    assert_eq!(
        x.publish(&gif, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        x.publish_text("  ").await.unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(h.requests().count(), 0, "nothing was sent");
}

#[tokio::test]
async fn the_servers_too_long_answer_is_validation() {
    // The adapter believes in 4000 (Premium), the account has 280.
    let twin = Twin::start().await.unwrap();
    let mut config = twin.config();
    config.max_chars = 4000;
    let x = X::with_client(config, manual_client().0);
    let e = x.publish_text(&"a".repeat(300)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(
        e.context()
            .platform_message
            .as_deref()
            .unwrap_or("")
            .contains("too long")
    );
}

#[tokio::test]
async fn video_upload_is_chunked_polled_on_the_clock_and_gets_alt_text() {
    let (twin, x, clock) = setup().await;
    let size = 9 * 1024 * 1024 + 5;
    let post = Post::text("a video").with_media(video(size).with_alt("A spinning anvil"));
    let p = x.publish(&post, &PublishOptions::default()).await.unwrap();
    let tweet = twin.handle().tweet(&p.post.id).unwrap();
    let media = twin.handle().media(&tweet.media_ids[0]).unwrap();
    assert_eq!(media.segments.len(), 3, "4 MiB segments");
    assert_eq!(media.segments.values().sum::<usize>(), size);
    assert_eq!(media.category, "tweet_video");
    assert_eq!(media.alt_text.as_deref(), Some("A spinning anvil"));
    // finalize said pending, then two STATUS answers: in_progress, succeeded.
    assert_eq!(
        twin.handle().requests().count_to("GET", "/2/media/upload"),
        2
    );
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1); 2]);
}

#[tokio::test]
async fn failed_processing_is_content_rejected_and_nothing_is_posted() {
    let twin = Twin::start_with(TwinOptions {
        media_processing_fails: true,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let x = X::with_client(twin.config(), manual_client().0);
    let post = Post::text("bad video").with_media(video(100));
    let e = x
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentRejected, "{e}");
    assert_eq!(e.context().platform_code.as_deref(), Some("InvalidMedia"));
    assert!(twin.handle().tweets().is_empty());
}

#[tokio::test]
async fn processing_that_never_ends_times_out_on_the_clock() {
    let twin = Twin::start_with(TwinOptions {
        media_processing_polls: 1000,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let (client, clock) = manual_client();
    let mut config = twin.config();
    config.media_timeout = Duration::from_secs(5);
    let x = X::with_client(config, client);
    let e = x
        .publish(
            &Post::text("slow").with_media(video(10)),
            &PublishOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(clock.sleeps().len() <= 5);
}

#[tokio::test]
async fn a_thread_that_fails_midway_says_which_parts_exist() {
    let (twin, x, _) = setup().await;
    twin.handle().faults().inject_after(
        1,
        Some("POST"),
        Some("/2/tweets"),
        1,
        XFault::server_error(503),
    );
    let e = x
        .publish_thread(&["one", "two", "three"])
        .await
        .unwrap_err();
    let first = twin.handle().tweets()[0].id.clone();
    assert!(e.to_string().contains(&first), "{e}");
    assert!(e.to_string().contains("1 part(s)"), "{e}");
    assert_eq!(e.kind(), ErrorKind::Platform);
}

#[tokio::test]
async fn replies_to_deleted_posts_and_double_deletes() {
    let (twin, x, _) = setup().await;
    let p = x.publish_text("short-lived").await.unwrap();
    x.delete(&p.post).await.unwrap();
    assert_eq!(
        x.delete(&p.post).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let reply = Post::text("late reply").in_reply_to(p.post.clone());
    let e = x
        .publish(&reply, &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    assert!(twin.handle().tweets().is_empty());
}

#[tokio::test]
async fn metrics_leave_out_deleted_posts_and_read_every_count() {
    let (twin, x, _) = setup().await;
    let a = x.publish_text("metrics a").await.unwrap().post;
    let b = x.publish_text("metrics b").await.unwrap().post;
    twin.handle().engage(&a.id, 1000, 20, 5, 3);
    x.delete(&b).await.unwrap();
    let gone = PostRef::new("x", "1");
    let m = x.post_metrics(&[a.clone(), b, gone]).await.unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].post.id, a.id);
    assert_eq!(
        (m[0].impressions, m[0].likes, m[0].reposts, m[0].bookmarks),
        (Some(1000), Some(20), Some(5), Some(3))
    );
    assert_eq!(m[0].reach, None, "X does not report reach");
}

#[tokio::test]
async fn mentions_page_forward_with_kinds_and_authors() {
    let (twin, x, _) = setup().await;
    let h = twin.handle();
    let p = x.publish_text("talk to me").await.unwrap();
    let bob = h.add_user("bob");
    h.mention(&bob, "hello");
    h.reply(&p.post.id, &bob, "a reply");
    h.quote(&p.post.id, &bob, "a quote");
    let page = x
        .interactions(&InteractionQuery::default().limit(2))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.has_more);
    assert_eq!(page.items[0].kind, InteractionKind::Mention);
    assert_eq!(page.items[1].kind, InteractionKind::Reply);
    assert_eq!(page.items[1].post.as_ref().unwrap().id, p.post.id);
    assert_eq!(page.items[0].author.handle, "bob");
    let next = InteractionQuery::default().cursor(page.next_cursor.clone().unwrap());
    let page2 = x.interactions(&next).await.unwrap();
    assert_eq!(page2.items.len(), 1);
    assert_eq!(page2.items[0].kind, InteractionKind::Quote);
    assert!(!page2.has_more);
    let page3 = x
        .interactions(&InteractionQuery::default().cursor(page2.next_cursor.unwrap()))
        .await
        .unwrap();
    assert!(page3.items.is_empty());
    // Kind filter.
    let replies = x
        .interactions(&InteractionQuery::default().kinds([InteractionKind::Reply]))
        .await
        .unwrap();
    assert_eq!(replies.items.len(), 1);
}

#[tokio::test]
async fn registry_builds_x_from_a_channel_url() {
    let twin = Twin::start().await.unwrap();
    let x = Registry::default().from_url(&twin.channel_url()).unwrap();
    assert_eq!(x.name(), "x");
    let me = x.channel().await.unwrap();
    assert_eq!(me.metrics.posts, Some(0));
    let err = Registry::default()
        .from_url("x://very-secret-token@api.x.com?oops=1")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    assert!(!format!("{err} {err:?}").contains("very-secret-token"));
    let config: XConfig = serde_json::from_value(serde_json::json!({
        "token": "very-secret-token", "refresh": {"client_id": "c", "refresh_token": "rt-secret"}
    }))
    .unwrap();
    assert!(!format!("{config:?}").contains("very-secret-token"));
    assert!(!format!("{config:?}").contains("rt-secret"));
}

#[path = "x_twin/oauth1.rs"]
mod oauth1;
#[path = "x_twin/search.rs"]
mod search;
