//! The Mastodon adapter against its twin: publishing (text, content warning, media with the
//! 202 path, threads, idempotency), interactions paging, replies, metrics, edit, delete,
//! capabilities, OAuth, and every error path (401, 403, 404, 422, 429, 5xx, non-JSON and
//! malformed bodies, validation before any request).

use std::time::Duration;

use chrono::Utc;
use socialkit::adapters::mastodon::oauth::{AppRegistration, MastodonApp};
use socialkit::adapters::mastodon::twin::{Fault, Twin, TwinOptions};
use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
use socialkit::auth::{Pkce, State};
use socialkit::http::{Client, HttpConfig, RetryPolicy};
use socialkit::model::{
    InteractionKind, InteractionQuery, Media, Post, PostRef, PublishOptions, Visibility,
};
use socialkit::platform::Idempotency;
use socialkit::{ErrorKind, Platform, PlatformExt};

fn png() -> Vec<u8> {
    vec![
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 0,
    ]
}

/// A client that retries fast, so the tests do not wait.
fn fast_client() -> Client {
    let mut config = HttpConfig::default();
    let mut retry = RetryPolicy::default();
    retry.initial_backoff = Duration::from_millis(10);
    retry.max_backoff = Duration::from_millis(50);
    config.retry = retry;
    Client::new(config).unwrap()
}

async fn setup_with(options: TwinOptions) -> (Twin, Mastodon) {
    let twin = Twin::start_with(options).await.unwrap();
    let m = Mastodon::connect_with_client(twin.config(), fast_client())
        .await
        .unwrap();
    twin.handle().reset_requests();
    (twin, m)
}

async fn setup() -> (Twin, Mastodon) {
    setup_with(TwinOptions::default()).await
}

// ----- publishing ---------------------------------------------------------------------

#[tokio::test]
async fn publishes_text_with_content_warning_visibility_and_language() {
    let (twin, m) = setup().await;
    let post = Post::text("Our new anvil is here https://acme.example/anvil")
        .with_content_warning("product news")
        .with_language("en");
    let post = Post {
        visibility: Visibility::Followers,
        ..post
    };
    let p = m.publish(&post, &PublishOptions::default()).await.unwrap();
    assert_eq!(p.parts.len(), 1);
    assert!(p.url().unwrap().starts_with(twin.url().as_str()));
    let s = twin.handle().status(&p.post.id).unwrap();
    assert_eq!(s.spoiler_text, "product news");
    assert_eq!(s.visibility, "private");
    assert_eq!(s.language.as_deref(), Some("en"));
    assert!(
        s.idempotency_key.is_some(),
        "every status create carries a key"
    );
    assert_eq!(twin.handle().statuses_created(), 1);
}

#[tokio::test]
async fn media_upload_takes_the_202_path_and_polls_until_processed() {
    let (twin, m) = setup_with(TwinOptions {
        media_processing_polls: 3,
        ..TwinOptions::default()
    })
    .await;
    let post = Post::text("with a picture")
        .with_media(Media::image_bytes("image/png", png()).with_alt("A red anvil on a bench"));
    let p = m.publish(&post, &PublishOptions::default()).await.unwrap();
    let s = twin.handle().status(&p.post.id).unwrap();
    assert_eq!(s.media_ids.len(), 1);
    assert_eq!(
        twin.handle().media_description(&s.media_ids[0]).as_deref(),
        Some("A red anvil on a bench")
    );
    assert_eq!(twin.handle().requests_to("POST", "/api/v2/media"), 1);
    // Three 206 answers, then the 200.
    assert_eq!(twin.handle().requests_to("GET", "/api/v1/media/"), 4);
}

#[tokio::test]
async fn synchronous_media_needs_no_polling() {
    let (twin, m) = setup_with(TwinOptions {
        media_processing_polls: 0,
        ..TwinOptions::default()
    })
    .await;
    let post = Post::text("sync").with_media(Media::image_bytes("image/png", png()));
    m.publish(&post, &PublishOptions::default()).await.unwrap();
    assert_eq!(twin.handle().requests_to("GET", "/api/v1/media/"), 0);
}

#[tokio::test]
async fn failed_media_processing_is_content_rejected_and_publishes_nothing() {
    let (twin, m) = setup_with(TwinOptions {
        media_processing_fails: true,
        ..TwinOptions::default()
    })
    .await;
    let post = Post::text("broken").with_media(Media::image_bytes("image/png", png()));
    let e = m
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentRejected, "{e}");
    assert_eq!(e.context().http_status, Some(422));
    assert_eq!(twin.handle().statuses_created(), 0);
}

#[tokio::test]
async fn media_processing_wait_is_bounded() {
    let twin = Twin::start_with(TwinOptions {
        media_processing_polls: 10_000,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let config = twin.config().with_media_timeout(Duration::from_millis(600));
    let m = Mastodon::connect_with_client(config, fast_client())
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let post = Post::text("slow").with_media(Media::image_bytes("image/png", png()));
    let e = m
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(twin.handle().statuses_created(), 0);
}

#[tokio::test]
async fn threads_are_reply_chains_and_a_repeat_with_the_same_key_creates_nothing() {
    let (twin, m) = setup().await;
    let post = Post::thread(["one", "two", "three"]).with_content_warning("long read");
    let opts = PublishOptions::with_key("delivery-7");
    let p = m.publish(&post, &opts).await.unwrap();
    assert_eq!(p.parts.len(), 3);
    let h = twin.handle();
    let s: Vec<_> = p.parts.iter().map(|r| h.status(&r.id).unwrap()).collect();
    assert_eq!(s[0].in_reply_to_id, None);
    assert_eq!(s[1].in_reply_to_id.as_deref(), Some(s[0].id.as_str()));
    assert_eq!(s[2].in_reply_to_id.as_deref(), Some(s[1].id.as_str()));
    assert!(s.iter().all(|x| x.spoiler_text == "long read"));
    assert_eq!(s[0].idempotency_key.as_deref(), Some("delivery-7-0"));
    assert_eq!(s[2].idempotency_key.as_deref(), Some("delivery-7-2"));

    let again = m.publish(&post, &opts).await.unwrap();
    assert_eq!(again.parts, p.parts);
    assert_eq!(h.statuses_created(), 3);
}

#[tokio::test]
async fn a_thread_that_failed_halfway_is_finished_by_a_retry_with_the_same_key() {
    let (twin, m) = setup().await;
    let h = twin.handle();
    // The second status create fails (a create is never re-sent by the HTTP layer).
    h.inject_after(
        1,
        Some("POST"),
        Some("/api/v1/statuses"),
        1,
        Fault::json(503, "down"),
    );
    let post = Post::thread(["first", "second", "third"]);
    let opts = PublishOptions::with_key("delivery-9");
    let e = m.publish(&post, &opts).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(e.is_retryable());
    assert!(
        e.to_string()
            .contains("1 part(s) of the thread were published"),
        "{e}"
    );
    assert_eq!(h.statuses_created(), 1);

    let p = m.publish(&post, &opts).await.unwrap();
    assert_eq!(h.statuses_created(), 3);
    assert_eq!(p.parts.len(), 3);
    let first = h
        .statuses()
        .into_iter()
        .find(|s| s.text == "first")
        .unwrap();
    assert_eq!(
        p.parts[0].id, first.id,
        "the first part was not created twice"
    );
}

#[tokio::test]
async fn a_long_text_is_split_into_a_thread_when_asked() {
    let (twin, m) = setup().await;
    let sentence = "Anvils are forged from steel and last for generations. ";
    let text = sentence.repeat(20);
    let mut opts = PublishOptions::with_key("split-1");
    opts.split_long_text = true;
    let post = Post::text(text.trim()).with_content_warning("long");
    let p = m.publish(&post, &opts).await.unwrap();
    assert!(p.parts.len() >= 3, "{} parts", p.parts.len());
    let h = twin.handle();
    for (i, r) in p.parts.iter().enumerate() {
        let s = h.status(&r.id).unwrap();
        assert!(
            s.text.ends_with(&format!("{}/{}", i + 1, p.parts.len())),
            "{}",
            s.text
        );
        assert_eq!(s.spoiler_text, "long");
    }
    // Without the option the same post is a validation error, and nothing is sent.
    h.reset_requests();
    let e = m
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(h.requests(), 0);
}

#[tokio::test]
async fn link_is_appended_to_the_text() {
    let (twin, m) = setup().await;
    let p = m
        .publish(
            &Post::text("Read the story").with_link("https://acme.example/story"),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        twin.handle().status(&p.post.id).unwrap().text,
        "Read the story\nhttps://acme.example/story"
    );
}

#[tokio::test]
async fn edit_delete_and_recent_posts() {
    let (twin, m) = setup().await;
    let a = m.publish_text("alpha").await.unwrap();
    let b = m.publish_text("beta").await.unwrap();
    let edited = m.edit(&b.post, &Post::text("beta, edited")).await.unwrap();
    assert_eq!(edited.post.id, b.post.id);
    let s = twin.handle().status(&b.post.id).unwrap();
    assert_eq!(s.text, "beta, edited");
    assert!(s.edited_at.is_some());

    let recent = m.recent_posts(10).await.unwrap();
    let texts: Vec<&str> = recent.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, ["beta, edited", "alpha"]);

    m.delete(&a.post).await.unwrap();
    assert!(twin.handle().status(&a.post.id).unwrap().deleted);
    let e = m.delete(&a.post).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(m.recent_posts(10).await.unwrap().len(), 1);
    let e = m
        .edit(&b.post, &Post::thread(["x", "y"]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn channel_profile_and_metrics() {
    let (twin, m) = setup().await;
    let bob = twin.handle().add_account("bob");
    twin.handle().follow(&bob);
    let c = m.channel().await.unwrap();
    assert_eq!(c.platform, "mastodon");
    assert_eq!(c.id, twin.handle().owner_id());
    assert!(c.handle.starts_with("acme@127.0.0.1:"), "{}", c.handle);
    assert_eq!(c.profile.display_name.as_deref(), Some("ACME Anvils"));
    assert_eq!(
        c.profile.bio.as_deref(),
        Some("We make anvils & more.\nSince 1949.")
    );
    assert_eq!(
        c.profile.website.as_deref(),
        Some("https://shop.acme.example")
    );
    assert!(c.profile.avatar.is_some());
    assert_eq!(c.metrics.followers, Some(1));
    assert_eq!(c.metrics.following, Some(0));
    assert_eq!(c.metrics.posts, Some(0));
}

#[tokio::test]
async fn post_metrics_report_what_mastodon_has_and_none_for_the_rest() {
    let (twin, m) = setup().await;
    let h = twin.handle();
    let p = m.publish_text("measure me").await.unwrap();
    let q = m.publish_text("and me").await.unwrap();
    let bob = h.add_account("bob");
    let carol = h.add_account("carol");
    h.favourite(&p.post.id, &bob);
    h.favourite(&p.post.id, &carol);
    h.reblog(&p.post.id, &bob);
    h.reply(&p.post.id, &carol, "nice");
    h.quote(&p.post.id, &bob, "look at this");
    let metrics = m
        .post_metrics(&[p.post.clone(), q.post.clone()])
        .await
        .unwrap();
    assert_eq!(metrics.len(), 2);
    assert_eq!(metrics[0].post, p.post);
    assert_eq!(metrics[0].likes, Some(2));
    assert_eq!(metrics[0].reposts, Some(1));
    assert_eq!(metrics[0].replies, Some(1));
    assert_eq!(metrics[0].quotes, Some(1));
    assert_eq!(metrics[0].impressions, None);
    assert_eq!(metrics[0].reach, None);
    assert_eq!(metrics[1].likes, Some(0));
    let e = m
        .post_metrics(&[PostRef::new("mastodon", "999999999")])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

// ----- interactions -------------------------------------------------------------------

#[tokio::test]
async fn interactions_of_every_kind_and_a_reply_to_one() {
    let (twin, m) = setup().await;
    let h = twin.handle();
    let p = m.publish_text("hello").await.unwrap();
    let bob = h.add_account("bob");
    h.favourite(&p.post.id, &bob);
    h.reblog(&p.post.id, &bob);
    h.follow(&bob);
    let reply_id = h.reply(&p.post.id, &bob, "where can I buy it?");
    h.mention(&bob, "hey there");
    h.quote(&p.post.id, &bob, "worth a look");
    h.other_notification("poll", &bob);

    let page = m.interactions(&InteractionQuery::default()).await.unwrap();
    let kinds: Vec<InteractionKind> = page.items.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            InteractionKind::Like,
            InteractionKind::Repost,
            InteractionKind::Follow,
            InteractionKind::Reply,
            InteractionKind::Mention,
            InteractionKind::Quote
        ]
    );
    let reply = &page.items[3];
    assert_eq!(reply.text.as_deref(), Some("@acme where can I buy it?"));
    assert_eq!(reply.post.as_ref().unwrap().id, p.post.id);
    assert_eq!(
        reply.author.handle,
        format!(
            "bob@{}",
            twin.url().host_str().unwrap().to_string()
                + ":"
                + &twin.url().port().unwrap().to_string()
        )
    );
    assert!(page.items.iter().all(|i| i.created_at <= Utc::now()));

    let answer = m
        .reply_text(&reply.reference, "At the shop!")
        .await
        .unwrap();
    let s = h.status(&answer.post.id).unwrap();
    assert_eq!(s.in_reply_to_id.as_deref(), Some(reply_id.as_str()));
    assert_eq!(s.text, "@bob At the shop!");

    // A like is not a post: nothing to reply to.
    let e = m
        .reply_text(&page.items[0].reference, "thanks")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);

    // Filtering by kind.
    let only = m
        .interactions(&InteractionQuery::default().kinds([InteractionKind::Reply]))
        .await
        .unwrap();
    assert_eq!(only.items.len(), 1);
    assert_eq!(only.items[0].kind, InteractionKind::Reply);

    // Nothing new after the cursor.
    let next = m
        .interactions(&InteractionQuery::default().cursor(page.next_cursor.clone().unwrap()))
        .await
        .unwrap();
    assert!(next.items.is_empty());
    assert_eq!(next.next_cursor, page.next_cursor);
}

async fn page_through(twin: &Twin, m: &Mastodon, limit: usize) -> Vec<String> {
    let h = twin.handle();
    let mut cursor: Option<String> = None;
    let mut seen: Vec<String> = Vec::new();
    let bob = h.add_account("bob-late");
    for round in 0..200 {
        let mut q = InteractionQuery::default().limit(limit);
        q.cursor = cursor.clone();
        let page = m.interactions(&q).await.unwrap();
        seen.extend(page.items.iter().map(|i| i.reference.id.clone()));
        cursor = page.next_cursor.clone();
        // Arrivals between pages.
        if round < 3 {
            h.follow(&bob);
            h.follow(&bob);
        }
        if !page.has_more && round >= 3 {
            break;
        }
    }
    seen
}

#[tokio::test]
async fn paging_forward_neither_skips_nor_repeats_on_mastodon_and_snac_semantics() {
    for lower_bound in [false, true] {
        let (twin, m) = setup_with(TwinOptions {
            min_id_is_lower_bound: lower_bound,
            ..TwinOptions::default()
        })
        .await;
        let h = twin.handle();
        let bob = h.add_account("bob");
        for i in 0..95 {
            if i % 10 == 0 {
                h.other_notification("poll", &bob); // not an interaction: skipped, not a hole
            }
            h.follow(&bob);
        }
        let seen = page_through(&twin, &m, 20).await;
        let expected = 95 + 6;
        assert_eq!(seen.len(), expected, "lower_bound={lower_bound}");
        let mut sorted: Vec<u64> = seen.iter().map(|s| s.parse().unwrap()).collect();
        let in_order = sorted.windows(2).all(|w| w[0] < w[1]);
        assert!(
            in_order,
            "oldest first across pages (lower_bound={lower_bound})"
        );
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            expected,
            "no repeats (lower_bound={lower_bound})"
        );
    }
}

// ----- capabilities -------------------------------------------------------------------

#[tokio::test]
async fn capabilities_come_from_the_instance_with_v1_fallback() {
    let (_twin, m) = setup_with(TwinOptions {
        max_characters: 1000,
        max_media: 6,
        url_length: 30,
        ..TwinOptions::default()
    })
    .await;
    let caps = m.capabilities();
    assert_eq!(caps.text.max, 1000);
    assert_eq!(caps.media.max_count, 6);
    assert_eq!(caps.media.alt_text_max, Some(1500));
    assert!(caps.media.mime_types.contains(&"image/png".to_string()));

    let (twin, m) = setup_with(TwinOptions {
        instance_v2: false,
        max_characters: 777,
        ..TwinOptions::default()
    })
    .await;
    assert_eq!(m.capabilities().text.max, 777);
    let _ = twin;
}

#[tokio::test]
async fn capabilities_are_read_before_the_first_write_whatever_the_post() {
    let twin = Twin::start_with(TwinOptions {
        max_characters: 1000,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let m = Mastodon::with_client(twin.config(), fast_client());
    assert!(!m.capabilities_loaded());
    assert_eq!(m.capabilities().text.max, 500);
    assert_eq!(
        m.capabilities().idempotency,
        Idempotency::None,
        "no key trusted unread"
    );
    m.publish_text("short").await.unwrap();
    assert!(
        m.capabilities_loaded(),
        "even a post within the defaults waits for the instance: its idempotency decides"
    );
    assert_eq!(
        m.capabilities().idempotency,
        Idempotency::Key,
        "Mastodon 4.5 honours it"
    );
    m.publish_text(&"x".repeat(700)).await.unwrap();
    assert_eq!(m.capabilities().text.max, 1000);
    assert_eq!(twin.handle().requests_to("GET", "/api/v2/instance"), 1);
    let e = m.publish_text(&"x".repeat(1001)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(
        twin.handle().requests_to("GET", "/api/v2/instance"),
        1,
        "read once"
    );
}

#[tokio::test]
async fn registry_builds_a_working_adapter_from_the_channel_url() {
    let twin = Twin::start().await.unwrap();
    let p = socialkit::Registry::default()
        .from_url(&twin.channel_url())
        .unwrap();
    let published = p.publish_text("from the registry").await.unwrap();
    assert_eq!(
        twin.handle().status(&published.post.id).unwrap().text,
        "from the registry"
    );
}

// ----- validation before the network --------------------------------------------------

#[tokio::test]
async fn validation_errors_send_nothing() {
    let (twin, m) = setup().await;
    let too_long = m.publish_text(&"a".repeat(501)).await.unwrap_err();
    assert_eq!(too_long.kind(), ErrorKind::Validation);
    assert!(too_long.to_string().contains("1 over"), "{too_long}");
    let cw = m
        .publish(
            &Post::text("a".repeat(495)).with_content_warning("spoilers"),
            &PublishOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        cw.kind(),
        ErrorKind::Validation,
        "the content warning counts"
    );
    let mut five = Post::text("five images");
    for _ in 0..5 {
        five = five.with_media(Media::image_bytes("image/png", png()));
    }
    assert_eq!(
        m.publish(&five, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    let bad_type = Post::text("pdf").with_media(Media::from_bytes("application/pdf", vec![1]));
    assert!(
        m.publish(&bad_type, &PublishOptions::default())
            .await
            .is_err()
    );
    let long_alt = Post::text("alt")
        .with_media(Media::image_bytes("image/png", png()).with_alt("a".repeat(1501)));
    assert_eq!(
        m.publish(&long_alt, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        m.publish_text("   ").await.unwrap_err().kind(),
        ErrorKind::Validation
    );
    let thread = Post::thread(["fine", &"b".repeat(600)]);
    let e = m
        .publish(&thread, &PublishOptions::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("part 2"), "{e}");
    assert_eq!(
        twin.handle().requests(),
        0,
        "the twin saw no request at all"
    );
}

// ----- error paths --------------------------------------------------------------------

#[tokio::test]
async fn unauthenticated_401_without_leaking_the_token() {
    let twin = Twin::start().await.unwrap();
    let config = MastodonConfig::new(twin.url().as_str(), "WRONG-SECRET-TOKEN").unwrap();
    let m = Mastodon::connect_with_client(config, fast_client())
        .await
        .unwrap();
    let e = m.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert!(!e.is_retryable());
    assert_eq!(e.context().http_status, Some(401));
    assert_eq!(
        e.context().platform_message.as_deref(),
        Some("The access token is invalid")
    );
    let e2 = m.publish_text("hi").await.unwrap_err();
    assert_eq!(e2.kind(), ErrorKind::Unauthenticated);
    for shown in [
        e.to_string(),
        format!("{e:?}"),
        e2.to_string(),
        format!("{e2:?}"),
        format!("{m:?}"),
    ] {
        assert!(!shown.contains("WRONG-SECRET-TOKEN"), "{shown}");
    }
    assert_eq!(
        twin.handle().requests_to("POST", "/api/v1/statuses"),
        1,
        "401 is not retried"
    );
}

#[tokio::test]
async fn forbidden_403_and_not_found_404() {
    let (twin, m) = setup().await;
    twin.handle().inject(
        Some("POST"),
        Some("/api/v1/statuses"),
        1,
        Fault::json(403, "Your login is currently disabled"),
    );
    let e = m.publish_text("hi").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        e.context().platform_message.as_deref(),
        Some("Your login is currently disabled")
    );
    let e = m
        .delete(&PostRef::new("mastodon", "123456"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.context().http_status, Some(404));
}

#[tokio::test]
async fn unprocessable_422_carries_the_server_message() {
    // The instance advertises more than it enforces, so the post passes socialkit's check and
    // the server's own validator answers.
    let (twin, m) = setup_with(TwinOptions {
        max_characters: 100,
        advertised_max_characters: Some(500),
        ..TwinOptions::default()
    })
    .await;
    let e = m.publish_text(&"z".repeat(200)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(!e.is_retryable());
    assert_eq!(e.context().http_status, Some(422));
    assert!(
        e.to_string()
            .contains("Text character limit of 100 exceeded"),
        "{e}"
    );
    assert_eq!(twin.handle().requests_to("POST", "/api/v1/statuses"), 1);
}

#[tokio::test]
async fn rate_limited_429_with_retry_after_from_the_reset_header() {
    let (twin, m) = setup().await;
    twin.handle().inject(
        None,
        Some("/api/v1/statuses"),
        1,
        Fault::RateLimited {
            reset_in: Duration::from_secs(300),
        },
    );
    let before = Utc::now();
    let e = m.publish_text("hi").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.is_retryable());
    let at = e.retry_after().expect("retry_after from X-RateLimit-Reset");
    let wait = (at - before).num_seconds();
    assert!((295..=301).contains(&wait), "{wait}");
    // Too far off to sleep through: given back at once, not retried.
    assert_eq!(twin.handle().requests_to("POST", "/api/v1/statuses"), 1);
    assert_eq!(twin.handle().statuses_created(), 0);
}

#[tokio::test]
async fn server_errors_are_retried_for_idempotent_calls_only() {
    let (twin, m) = setup().await;
    let h = twin.handle();
    // A status create is sent once even with its Idempotency-Key: the 503 comes back
    // (retryable, in doubt for the engine), and a publish again with the key makes one status.
    h.inject(
        Some("POST"),
        Some("/api/v1/statuses"),
        1,
        Fault::json(503, "busy"),
    );
    let opts = PublishOptions::with_key("survivor");
    let e = m
        .publish(&Post::text("survives a 503"), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(e.is_retryable());
    assert_eq!(h.requests_to("POST", "/api/v1/statuses"), 1);
    m.publish(&Post::text("survives a 503"), &opts)
        .await
        .unwrap();
    assert_eq!(h.requests_to("POST", "/api/v1/statuses"), 2);
    assert_eq!(h.statuses_created(), 1);

    // Reads are retried too.
    h.inject(Some("GET"), Some("verify_credentials"), 2, Fault::html(502));
    m.channel().await.unwrap();
    assert_eq!(h.requests_to("GET", "verify_credentials"), 3);

    // A media upload has no key: sent once, the failure is returned (retryable for the caller).
    h.inject(
        Some("POST"),
        Some("/api/v2/media"),
        1,
        Fault::json(500, "boom"),
    );
    let post = Post::text("pic").with_media(Media::image_bytes("image/png", png()));
    let e = m
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(e.is_retryable());
    assert_eq!(h.requests_to("POST", "/api/v2/media"), 1);
    assert_eq!(h.statuses_created(), 1);

    // App registration is not idempotent either.
    h.inject(
        Some("POST"),
        Some("/api/v1/apps"),
        1,
        Fault::json(503, "busy"),
    );
    let e = MastodonApp::register(
        &fast_client(),
        &twin.url(),
        &AppRegistration::new("t", "urn:ietf:wg:oauth:2.0:oob"),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert_eq!(h.requests_to("POST", "/api/v1/apps"), 1);
}

#[tokio::test]
async fn status_creates_are_not_resent_where_the_server_ignores_the_key() {
    let (twin, m) = setup_with(TwinOptions {
        version: "4.0.0 (not true; really snac/2.75)".into(),
        ..TwinOptions::default()
    })
    .await;
    assert_eq!(
        m.capabilities().idempotency,
        socialkit::platform::Idempotency::None
    );
    let h = twin.handle();
    h.inject(
        Some("POST"),
        Some("/api/v1/statuses"),
        1,
        Fault::json(503, "busy"),
    );
    let e = m.publish_text("once only").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(e.is_retryable(), "the caller may retry after reconciling");
    assert_eq!(h.requests_to("POST", "/api/v1/statuses"), 1);
    assert_eq!(h.statuses_created(), 0);
}

#[tokio::test]
async fn non_json_and_malformed_bodies_are_typed_errors() {
    let (twin, m) = setup().await;
    let h = twin.handle();
    h.inject(Some("GET"), Some("verify_credentials"), 5, Fault::html(502));
    let e = m.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert_eq!(e.context().http_status, Some(502));
    assert!(
        e.context()
            .platform_message
            .as_deref()
            .unwrap_or("")
            .contains("502")
    );
    h.clear_faults();

    h.inject(Some("DELETE"), None, 1, Fault::html(404));
    let e = m.delete(&PostRef::new("mastodon", "1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);

    h.inject(
        Some("GET"),
        Some("verify_credentials"),
        1,
        Fault::MalformedJson,
    );
    let e = m.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unexpected);

    h.inject(
        Some("POST"),
        Some("/api/v1/statuses"),
        1,
        Fault::MalformedJson,
    );
    let e = m.publish_text("what happened?").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unexpected);

    h.inject(
        Some("GET"),
        Some("/api/v1/notifications"),
        1,
        Fault::MalformedJson,
    );
    let e = m
        .interactions(&InteractionQuery::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unexpected);
}

// ----- OAuth --------------------------------------------------------------------------

#[tokio::test]
async fn oauth_register_authorize_and_exchange() {
    let twin = Twin::start().await.unwrap();
    let http = fast_client();
    let app = MastodonApp::register(
        &http,
        &twin.url(),
        &AppRegistration::new("socialkit tests", "urn:ietf:wg:oauth:2.0:oob"),
    )
    .await
    .unwrap();
    assert!(app.client_id.starts_with("twin-client-"));
    assert!(!format!("{app:?}").contains("twin-secret"));
    let (state, pkce) = (State::new(), Pkce::new());
    let url = app.authorize_url(&state, &pkce);
    assert_eq!(url.path(), "/oauth/authorize");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], app.client_id);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"], pkce.challenge());
    assert_eq!(q["state"], state.as_str());
    assert_eq!(q["redirect_uri"], "urn:ietf:wg:oauth:2.0:oob");

    let config = app.connect(&http, "twin-code", &pkce).await.unwrap();
    assert_eq!(config.token.expose(), twin.token());
    let m = Mastodon::with_client(config, http.clone());
    assert_eq!(m.channel().await.unwrap().id, twin.handle().owner_id());

    let e = app
        .exchange_code(&http, "wrong-code", &pkce)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}");
}

// ----- secrets ------------------------------------------------------------------------

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn tokens_never_reach_logs_errors_or_debug_output() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let twin = Twin::start().await.unwrap();
    let good = Mastodon::connect_with_client(twin.config(), fast_client())
        .await
        .unwrap();
    let p = good.publish_text("logged").await.unwrap();
    good.delete(&p.post).await.unwrap();
    twin.handle()
        .inject(Some("GET"), Some("verify_credentials"), 5, Fault::html(500));
    let e1 = good.channel().await.unwrap_err();
    let bad = Mastodon::with_client(
        MastodonConfig::new(twin.url().as_str(), "LEAKY-BAD-TOKEN").unwrap(),
        fast_client(),
    );
    let e2 = bad.publish_text("nope").await.unwrap_err();
    let url_form = MastodonConfig::from_url_str(&twin.channel_url()).unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("http"), "the calls were traced: {logs}");
    for shown in [
        logs,
        e1.to_string(),
        format!("{e1:?}"),
        e2.to_string(),
        format!("{e2:?}"),
        format!("{good:?}"),
        format!("{bad:?}"),
        format!("{url_form:?}"),
    ] {
        assert!(!shown.contains(twin.token()), "the token leaked: {shown}");
        assert!(
            !shown.contains("LEAKY-BAD-TOKEN"),
            "the token leaked: {shown}"
        );
    }
}

// ----- the twin itself ----------------------------------------------------------------

#[tokio::test]
async fn the_twin_speaks_the_documented_wire_format() {
    let twin = Twin::start().await.unwrap();
    let http = reqwest::Client::new();
    let url = |p: &str| twin.url().join(p).unwrap();

    // Rate-limit headers on every answer, the reset as ISO-8601.
    let r = http.get(url("api/v2/instance")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["x-ratelimit-limit"], "300");
    let remaining: u64 = h["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(remaining < 300);
    let reset = h["x-ratelimit-reset"].to_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(reset).is_ok(),
        "{reset}"
    );
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["configuration"]["statuses"]["max_characters"], 500);

    // 401 with Mastodon's body.
    let r = http
        .get(url("api/v1/accounts/verify_credentials"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("x-ratelimit-reset"));
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"error": "The access token is invalid"})
    );

    // Idempotency-Key: same key, same status, nothing new.
    let post = |key: &'static str| {
        http.post(url("api/v1/statuses"))
            .bearer_auth(twin.token())
            .header("Idempotency-Key", key)
            .form(&[("status", "form body"), ("visibility", "unlisted")])
            .send()
    };
    let a: serde_json::Value = post("k1").await.unwrap().json().await.unwrap();
    let b: serde_json::Value = post("k1").await.unwrap().json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["visibility"], "unlisted");
    assert_eq!(twin.handle().statuses_created(), 1);

    // Notifications with a Link header; since_id/max_id/min_id windows.
    let bob = twin.handle().add_account("bob");
    for _ in 0..5 {
        twin.handle().follow(&bob);
    }
    let r = http
        .get(url("api/v1/notifications?limit=2"))
        .bearer_auth(twin.token())
        .send()
        .await
        .unwrap();
    let link = r.headers()["link"].to_str().unwrap().to_string();
    assert!(
        link.contains("rel=\"next\"") && link.contains("rel=\"prev\""),
        "{link}"
    );
    let newest: Vec<serde_json::Value> = r.json().await.unwrap();
    assert_eq!(newest.len(), 2);
    let ids = |v: &Vec<serde_json::Value>| -> Vec<u64> {
        v.iter()
            .map(|n| n["id"].as_str().unwrap().parse().unwrap())
            .collect()
    };
    let newest_ids = ids(&newest);
    assert!(newest_ids[0] > newest_ids[1], "newest first");
    let first: u64 = newest_ids[1] - 3; // the oldest notification
    let after: Vec<serde_json::Value> = http
        .get(url(&format!("api/v1/notifications?min_id={first}&limit=2")))
        .bearer_auth(twin.token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ids(&after),
        [first + 2, first + 1],
        "min_id: the adjacent page, newest first"
    );
    let since: Vec<serde_json::Value> = http
        .get(url(&format!(
            "api/v1/notifications?since_id={first}&limit=2"
        )))
        .bearer_auth(twin.token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&since), newest_ids, "since_id: the newest page");
}

/// The twin keeps time by its injected clock: `created_at`s, the rate-limit window and a
/// 429's reset all follow a `ManualClock`, so nothing here waits; a lost answer still creates
/// the status (through the shared twin's fault layer).
#[tokio::test]
async fn the_twin_keeps_time_by_its_injected_clock() {
    use socialkit::clock::ManualClock;
    let start = "2026-03-02T09:00:00Z".parse().unwrap();
    let clock = ManualClock::new(start);
    let (twin, m) = setup_with(TwinOptions {
        clock: std::sync::Arc::new(clock.clone()),
        rate_limit: 3,
        ..TwinOptions::default()
    })
    .await;
    let h = twin.handle();
    assert_eq!(h.now(), start);
    let p = m.publish_text("on the twin's clock").await.unwrap();
    assert_eq!(h.status(&p.post.id).unwrap().created_at, start);

    // The window: three calls in five minutes, then a fresh window once the clock moves on.
    let url = twin
        .url()
        .join("api/v1/accounts/verify_credentials")
        .unwrap();
    let call = || {
        reqwest::Client::new()
            .get(url.clone())
            .bearer_auth(twin.token())
            .send()
    };
    let r = call().await.unwrap();
    assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(r.headers()["x-ratelimit-reset"], "2026-03-02T09:05:00.000Z");
    clock.advance(chrono::Duration::minutes(6));
    let r = call().await.unwrap();
    assert_eq!(r.headers()["x-ratelimit-remaining"], "2");
    assert_eq!(r.headers()["x-ratelimit-reset"], "2026-03-02T09:11:00.000Z");

    // A 429's reset is reckoned on the same clock.
    h.inject(
        None,
        Some("/api/v1/accounts"),
        1,
        Fault::RateLimited {
            reset_in: Duration::from_secs(120),
        },
    );
    let r = call().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(r.headers()["x-ratelimit-reset"], "2026-03-02T09:08:00.000Z");

    // A lost answer: the status is made, the client sees the proxy's 504.
    h.inject(
        Some("POST"),
        Some("/api/v1/statuses"),
        1,
        Fault::AnswerLost { status: 504 },
    );
    let r = reqwest::Client::new()
        .post(twin.url().join("api/v1/statuses").unwrap())
        .bearer_auth(twin.token())
        .json(&serde_json::json!({"status": "made, answer lost"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 504);
    assert!(h.statuses().iter().any(|s| s.text == "made, answer lost"));
    assert_eq!(h.log().count_to("POST", "/api/v1/statuses"), 2);
}
