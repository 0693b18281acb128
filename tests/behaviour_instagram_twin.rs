//! Instagram against the Graph twin: the shared behaviour suite, the container flow (async
//! processing, errors, a bounded wait, carousels), the publishing quota, no double publish,
//! every mapped error, validation before any request, and tokens kept out of errors.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use socialkit::adapters::graph::WaitPolicy;
use socialkit::adapters::graph::twin::{Fault, NodeKind};
use socialkit::adapters::instagram::Instagram;
use socialkit::adapters::instagram::twin::InstagramTwin;
use socialkit::clock::ManualClock;
use socialkit::http::{Client, HttpConfig};
use socialkit::model::{InteractionKind, InteractionQuery, Media, Post, PostRef, PublishOptions};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{ErrorKind, Platform, PlatformExt, Registry, Result};

fn fast_client() -> Client {
    let mut config = HttpConfig::default();
    config.retry.initial_backoff = Duration::from_millis(5);
    config.retry.max_backoff = Duration::from_millis(20);
    Client::new(config).unwrap()
}

fn image(n: u32) -> Media {
    Media::from_url("image/jpeg", format!("https://cdn.example/anvil-{n}.jpg"))
}

fn photo_post(text: &str) -> Post {
    Post::text(text).with_media(image(1))
}

struct TwinHarness {
    twin: InstagramTwin,
    platform: Arc<Instagram>,
}

#[async_trait]
impl Harness for TwinHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.platform.clone()
    }

    async fn induce_interaction(&self, post: &PostRef, kind: InteractionKind) -> Result<bool> {
        if kind != InteractionKind::Comment {
            return Ok(false);
        }
        self.twin
            .handle()
            .comment(&post.id, "bob", "a comment from the twin");
        Ok(true)
    }

    fn media_sample(&self) -> Media {
        Media::from_url("image/jpeg", "https://cdn.example/socialkit-suite.jpg")
            .with_alt("A small red square (socialkit behaviour suite)")
    }
}

#[tokio::test]
async fn the_instagram_twin_passes_the_behaviour_suite() {
    let twin = InstagramTwin::start().await.unwrap();
    let platform = Arc::new(Instagram::with_client(twin.config(), fast_client()).unwrap());
    let harness = TwinHarness { twin, platform };
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    let mut skipped: Vec<String> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        // `search` passes where the platform declares it, and is skipped for that reason where
        // it does not (the suite fails on anything else).
        .filter(|c| c.name != "search")
        .map(|c| c.name.clone())
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        [
            "delete_then_delete_again",
            "edit",
            "idempotency_key",
            "publish_link_card",
            "publish_thread"
        ]
    );
    assert!(report.skipped_for(SkipCause::Harness).is_empty());
    // Containers went through IN_PROGRESS before they were published.
    let polls = harness.twin.handle().requests_to("GET", "/17841");
    assert!(polls > 0);
}

async fn account() -> (InstagramTwin, Instagram) {
    let twin = InstagramTwin::start().await.unwrap();
    let ig = Instagram::with_client(twin.config(), fast_client()).unwrap();
    (twin, ig)
}

#[tokio::test]
async fn containers_are_polled_until_finished_and_carousels_wait_for_their_children() {
    let (twin, ig) = account().await;
    let h = twin.handle();
    h.set_container_polls(3);
    let p = ig
        .publish(&photo_post("one image"), &PublishOptions::default())
        .await
        .unwrap();
    let container = h.containers().pop().unwrap();
    assert_eq!(
        container.params.get("image_url").unwrap(),
        "https://cdn.example/anvil-1.jpg"
    );
    // Three IN_PROGRESS answers, then FINISHED.
    assert_eq!(h.requests_to("GET", &format!("/{}", container.id)), 4);
    assert!(p.url().unwrap().starts_with("https://www.instagram.com/p/"));

    let carousel = Post::text("three")
        .with_media(image(1))
        .with_media(Media::from_url("video/mp4", "https://cdn.example/clip.mp4"))
        .with_media(image(3));
    let p = ig
        .publish(&carousel, &PublishOptions::default())
        .await
        .unwrap();
    let media = h.node(&p.post.id).unwrap();
    assert_eq!(media.media_type, "CAROUSEL_ALBUM");
    assert_eq!(media.children.len(), 3);
    let children: Vec<_> = media.children.iter().map(|c| h.node(c).unwrap()).collect();
    assert!(
        children
            .iter()
            .all(|c| c.params.get("is_carousel_item").map(String::as_str) == Some("true"))
    );
    assert_eq!(
        children[1].params.get("media_type").map(String::as_str),
        Some("VIDEO")
    );
    // A single video is a Reel.
    let reel =
        Post::text("reel").with_media(Media::from_url("video/mp4", "https://cdn.example/r.mp4"));
    let p = ig.publish(&reel, &PublishOptions::default()).await.unwrap();
    assert_eq!(h.node(&p.post.id).unwrap().media_type, "VIDEO");
    assert_eq!(
        h.containers()
            .last()
            .unwrap()
            .params
            .get("media_type")
            .map(String::as_str),
        Some("REELS")
    );
}

#[tokio::test]
async fn container_errors_and_a_wait_that_runs_out() {
    let (twin, ig) = account().await;
    let h = twin.handle();
    h.fail_next_container("ERROR: Media download has failed");
    let e = ig
        .publish(&photo_post("broken"), &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentRejected);
    assert!(e.to_string().contains("Media download has failed"), "{e}");
    assert!(h.posts().is_empty());

    // The wait is bounded on the client's clock: five simulated minutes, no real waiting.
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let mut config = twin.config();
    config.graph.container_wait = WaitPolicy {
        first_poll: Duration::from_secs(1),
        max_interval: Duration::from_secs(60),
        max_wait: Duration::from_secs(300),
    };
    let slow = Instagram::with_client(config, fast_client().with_clock(clock.clone())).unwrap();
    h.set_container_polls(1_000_000);
    let opts = PublishOptions::with_key("slow-1");
    let e = slow
        .publish(&photo_post("slow video"), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.is_retryable());
    assert!(e.to_string().contains("still being processed"), "{e}");
    assert!(e.to_string().contains("nothing was published"), "{e}");
    let slept: Duration = clock.sleeps().iter().sum();
    assert!(slept <= Duration::from_secs(300), "{slept:?}");
    assert!(clock.sleeps().len() < 15, "{:?}", clock.sleeps());
    // The retry with the same key continues with the same container.
    let containers = h.containers().len();
    h.finish_container(&h.containers().last().unwrap().id);
    let p = slow
        .publish(&photo_post("slow video"), &opts)
        .await
        .unwrap();
    assert_eq!(h.containers().len(), containers);
    assert_eq!(h.posts().len(), 1);
    assert_eq!(h.node(&p.post.id).unwrap().text, "slow video");
}

#[tokio::test]
async fn an_expired_container_is_retryable() {
    let (twin, _) = account().await;
    let h = twin.handle();
    h.set_container_polls(1_000_000);
    let mut config = twin.config();
    config.graph.container_wait =
        WaitPolicy::fast(Duration::from_millis(2), Duration::from_millis(100));
    let quick = Instagram::with_client(config, fast_client()).unwrap();
    let opts = PublishOptions::with_key("exp-1");
    quick
        .publish(&photo_post("expiring"), &opts)
        .await
        .unwrap_err();
    h.expire_container(&h.containers().last().unwrap().id);
    h.set_container_polls(0);
    // The remembered container expired: a new one is made and published.
    let p = quick.publish(&photo_post("expiring"), &opts).await.unwrap();
    assert_eq!(h.containers().len(), 2);
    assert_eq!(h.node(&p.post.id).unwrap().text, "expiring");
    // Without the ledger, the expired container itself is reported.
    h.set_container_polls(1_000_000);
    quick
        .publish(&photo_post("expiring 2"), &PublishOptions::default())
        .await
        .unwrap_err();
}

#[tokio::test]
async fn a_retried_publish_with_the_same_key_is_not_doubled() {
    let (twin, ig) = account().await;
    let h = twin.handle();
    let opts = PublishOptions::with_key("delivery-7");
    let first = ig.publish(&photo_post("once"), &opts).await.unwrap();
    h.reset_requests();
    let again = ig.publish(&photo_post("once"), &opts).await.unwrap();
    assert_eq!(first.post.id, again.post.id);
    assert!(
        h.requests().iter().all(|(m, _)| m == "GET"),
        "{:?}",
        h.requests()
    );

    // The publish went through but its answer was lost: the retry finds the media.
    let opts = PublishOptions::with_key("delivery-8");
    h.inject(Some("POST"), Some("/media_publish"), 1, Fault::Lost);
    let e = ig
        .publish(&photo_post("lost answer"), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert_eq!(h.posts().len(), 2);
    // Even with the quota used up: the retry finds the media, it makes nothing new.
    h.use_quota(100);
    let p = ig.publish(&photo_post("lost answer"), &opts).await.unwrap();
    h.use_quota(0);
    assert_eq!(h.posts().len(), 2, "published once");
    assert_eq!(h.node(&p.post.id).unwrap().text, "lost answer");

    // A publish refused before it happened continues with the same container.
    let opts = PublishOptions::with_key("delivery-9");
    h.inject(Some("POST"), Some("/media_publish"), 1, Fault::transient(2));
    ig.publish(&photo_post("second try"), &opts)
        .await
        .unwrap_err();
    let containers = h.containers().len();
    ig.publish(&photo_post("second try"), &opts).await.unwrap();
    assert_eq!(h.containers().len(), containers);
    assert_eq!(h.posts().len(), 3);
}

#[tokio::test]
async fn the_quota_is_checked_before_any_container() {
    let (twin, ig) = account().await;
    let h = twin.handle();
    h.use_quota(100);
    h.reset_requests();
    let e = ig
        .publish(&photo_post("over quota"), &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.to_string().contains("100 posts per 24 hours"), "{e}");
    assert!(h.containers().is_empty());
    assert_eq!(h.requests_to("POST", ""), 0);
    let limit = ig.publishing_limit().await.unwrap();
    assert_eq!(
        (limit.quota_usage, limit.quota_total),
        (Some(100), Some(100))
    );
    // The platform's own answer when the quota runs out between check and publish.
    h.use_quota(0);
    h.inject(
        Some("POST"),
        Some("/media_publish"),
        1,
        Fault::graph(4, Some(2207042), "Application request limit reached"),
    );
    let e = ig
        .publish(&photo_post("raced"), &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
}

#[tokio::test]
async fn invalid_posts_are_refused_before_any_request() {
    let (twin, ig) = account().await;
    let h = twin.handle();
    let tags: String = (0..6).map(|i| format!("#tag{i} ")).collect();
    let mentions: String = (0..21).map(|i| format!("@user{i} ")).collect();
    let mut eleven = Post::text("eleven");
    for i in 0..11 {
        eleven = eleven.with_media(image(i));
    }
    let cases: Vec<(Post, ErrorKind, &str)> = vec![
        (
            Post::text("text only"),
            ErrorKind::Validation,
            "needs at least one image or video",
        ),
        (
            Post::text("bytes").with_media(Media::image_bytes("image/jpeg", vec![1, 2, 3])),
            ErrorKind::Validation,
            "instagram needs a public URL",
        ),
        (
            Post::text("file").with_media(Media::from_path("image/jpeg", "/tmp/a.jpg")),
            ErrorKind::Validation,
            "public URL",
        ),
        (
            photo_post(&"a".repeat(2201)),
            ErrorKind::Validation,
            "1 over",
        ),
        (photo_post(&tags), ErrorKind::Validation, "6 hashtags"),
        (photo_post(&mentions), ErrorKind::Validation, "21 mentions"),
        (eleven, ErrorKind::Validation, "11 media"),
        (
            Post::thread(["a", "b"]).with_media(image(1)),
            ErrorKind::Unsupported,
            "threads",
        ),
        (
            Post::text("png").with_media(Media::from_url("image/png", "https://cdn.example/a.png")),
            ErrorKind::Validation,
            "image/png",
        ),
    ];
    for (post, kind, says) in cases {
        let e = ig
            .publish(&post, &PublishOptions::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert!(e.to_string().contains(says), "{e}");
    }
    // The caption is checked first, even on a post without media.
    let e = ig.publish_text(&"a".repeat(2300)).await.unwrap_err();
    assert!(
        e.to_string().contains("2300") && e.to_string().contains("2200"),
        "{e}"
    );
    assert!(h.requests().is_empty(), "{:?}", h.requests());
    // Delete is not offered by the API.
    let e = ig
        .delete(&PostRef::new("instagram", "1"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("instagram does not support delete"));
    assert!(h.requests().is_empty());
}

#[tokio::test]
async fn each_mapped_error_has_its_kind() {
    let twin = InstagramTwin::start().await.unwrap();
    let h = twin.handle();
    let cases: Vec<(&str, Fault, ErrorKind)> = vec![
        (
            "/media",
            Fault::graph(
                190,
                Some(463),
                "Error validating access token: Session has expired",
            ),
            ErrorKind::Unauthenticated,
        ),
        (
            "/media",
            Fault::Throttle {
                code: 4,
                regain_minutes: 3,
            },
            ErrorKind::RateLimited,
        ),
        (
            "/media",
            Fault::graph(10, None, "(#10) Requires instagram_content_publish"),
            ErrorKind::PermissionDenied,
        ),
        (
            "/media",
            Fault::graph(9004, Some(2207052), "Media download has failed"),
            ErrorKind::Validation,
        ),
        (
            "/media",
            Fault::graph(100, Some(2207010), "The caption is too long"),
            ErrorKind::Validation,
        ),
        (
            "/media_publish",
            Fault::graph(25, Some(2207001), "This post was flagged as spam"),
            ErrorKind::ContentRejected,
        ),
        (
            "/media_publish",
            Fault::graph(9007, Some(2207027), "Media ID is not available"),
            ErrorKind::Platform,
        ),
        (
            "/media_publish",
            Fault::graph(368, None, "Temporarily blocked for policy violations"),
            ErrorKind::ContentRejected,
        ),
        ("/media_publish", Fault::transient(1), ErrorKind::Platform),
    ];
    for (path, fault, kind) in cases {
        let fresh = Instagram::with_client(twin.config(), fast_client()).unwrap();
        h.inject(Some("POST"), Some(path), 1, fault.clone());
        let e = fresh
            .publish(&photo_post("error case"), &PublishOptions::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{fault:?}: {e}");
        assert_eq!(e.context().platform.as_deref(), Some("instagram"));
    }
    assert!(h.posts().is_empty());
}

#[tokio::test]
async fn comments_replies_metrics_and_profile() {
    let (twin, ig) = account().await;
    let h = twin.handle();
    let p = ig
        .publish(&photo_post("comment on me"), &PublishOptions::default())
        .await
        .unwrap();
    let c = h.comment(&p.post.id, "bob", "love it");
    let nested = h.comment(&c, "carol", "me too");
    let page = ig.interactions(&InteractionQuery::default()).await.unwrap();
    let ids: Vec<&str> = page.items.iter().map(|i| i.reference.id.as_str()).collect();
    assert_eq!(ids, [c.as_str(), nested.as_str()]);
    assert_eq!(page.items[1].author.handle, "carol");
    // A reply to a reply joins its comment (Instagram nests one level).
    let r = ig
        .reply_text(&page.items[1].reference, "thank you!")
        .await
        .unwrap();
    assert_eq!(
        h.node(&r.post.id).unwrap().parent.as_deref(),
        Some(c.as_str())
    );
    let more = ig
        .interactions(&InteractionQuery::default().cursor(page.next_cursor.unwrap()))
        .await
        .unwrap();
    assert!(more.items.is_empty(), "our own reply is not an interaction");
    // A post with reply_to is a comment on that media.
    let comment = ig
        .publish(
            &Post::text("from the account").in_reply_to(p.post.clone()),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(h.node(&comment.post.id).unwrap().kind, NodeKind::Comment);
    // Metrics from insights, with like and comment counts as the fallback.
    for (name, v) in [
        ("views", 900),
        ("reach", 700),
        ("saved", 12),
        ("likes", 40),
        ("shares", 5),
    ] {
        h.set_count(&p.post.id, name, v);
    }
    let m = &ig
        .post_metrics(std::slice::from_ref(&p.post))
        .await
        .unwrap()[0];
    assert_eq!(
        (
            m.impressions,
            m.reach,
            m.saves,
            m.likes,
            m.reposts,
            m.replies
        ),
        (Some(900), Some(700), Some(12), Some(40), Some(5), Some(2))
    );
    h.inject(
        Some("GET"),
        Some("/insights"),
        1,
        Fault::graph(10, None, "(#10) Requires instagram_manage_insights"),
    );
    let m = &ig.post_metrics(&[p.post]).await.unwrap()[0];
    assert_eq!(
        (m.likes, m.replies, m.reach, m.impressions),
        (Some(40), Some(4), None, None)
    );
    let ch = ig.channel().await.unwrap();
    assert_eq!(
        (ch.metrics.followers, ch.metrics.following, ch.metrics.posts),
        (Some(1234), Some(42), Some(1))
    );
    assert_eq!(ch.url.as_deref(), Some("https://www.instagram.com/acme/"));
}

#[tokio::test]
async fn tokens_never_show_and_the_registry_builds_from_a_url() {
    let (twin, ig) = account().await;
    let token = twin.handle().token();
    twin.handle().inject(None, None, 1, Fault::EchoToken);
    let e = ig.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert!(!format!("{e} {e:?}").contains(&token));
    assert!(!format!("{ig:?}").contains(&token));
    let from_url = Registry::default().from_url(&twin.channel_url()).unwrap();
    assert_eq!(from_url.channel().await.unwrap().handle, "acme");
    assert!(!format!("{from_url:?}").contains(&token));
    let bad = twin.channel_url().replace("ig_user_id", "user_id");
    let e = Registry::default().from_url(&bad).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
    assert!(!format!("{e} {e:?}").contains(&token));
}
