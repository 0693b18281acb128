//! The Bluesky adapter against its twin: publishing, threads, idempotency, sessions, error
//! paths, interactions, metrics.
#![cfg(all(feature = "bluesky", feature = "testkit"))]

use std::sync::Arc;

use socialkit::adapters::bluesky::twin::{BlueskyTwin, Failure, TwinOptions};
use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig, Tid};
use socialkit::clock::ManualClock;
use socialkit::model::{InteractionKind, InteractionQuery, Media, Post, PostRef};
use socialkit::{ErrorKind, Platform, PlatformExt, PublishOptions, Registry};

fn adapter(twin: &BlueskyTwin, handle: &str) -> Bluesky {
    Bluesky::from_url(&twin.channel_url(handle).unwrap()).unwrap()
}

/// A twin on a manual clock, for tests that set every instant themselves.
async fn twin_on(clock: &ManualClock, options: TwinOptions) -> BlueskyTwin {
    BlueskyTwin::start_with(TwinOptions {
        clock: Arc::new(clock.clone()),
        ..options
    })
    .await
    .unwrap()
}

fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(&[0u8; 64]);
    v
}

#[tokio::test]
async fn publishes_text_with_facets_langs_and_a_bsky_url() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let bob = twin.account("bob.test").unwrap();
    let post = Post::text("Hi @bob.test and @nobody.test, see https://example.com/launch #anvils")
        .with_language("en");
    let published = alice
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap();
    let r = &published.post;
    assert!(r.id.starts_with("at://did:plc:"), "{}", r.id);
    assert!(r.meta("cid").unwrap().starts_with("bafyrei"));
    let rkey = r.id.rsplit('/').next().unwrap();
    assert!(Tid::is_valid(rkey));
    assert_eq!(
        r.url.as_deref(),
        Some(format!("https://bsky.app/profile/alice.test/post/{rkey}").as_str())
    );
    let record = twin.record(&r.id).unwrap();
    assert_eq!(record["langs"], serde_json::json!(["en"]));
    let facets = record["facets"].as_array().unwrap();
    // @bob.test resolves; @nobody.test stays text; the link and the tag are facets.
    assert_eq!(facets.len(), 3, "{record}");
    assert_eq!(facets[0]["features"][0]["did"], bob.did);
    let text = record["text"].as_str().unwrap();
    let b = &facets[0]["index"];
    let (s, e) = (
        b["byteStart"].as_u64().unwrap() as usize,
        b["byteEnd"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], "@bob.test");
    assert!(record["createdAt"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn publishes_images_with_alt_and_aspect_ratio_and_link_cards() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let post = Post::text("Two pictures")
        .with_media(
            Media::image_bytes("image/png", png())
                .with_alt("A red anvil")
                .with_size(1200, 800),
        )
        .with_media(Media::image_bytes("image/png", png()));
    let p = alice
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap();
    let rec = twin.record(&p.post.id).unwrap();
    let images = rec["embed"]["images"].as_array().unwrap();
    assert_eq!(rec["embed"]["$type"], "app.bsky.embed.images");
    assert_eq!(images.len(), 2);
    assert_eq!(images[0]["alt"], "A red anvil");
    assert_eq!(
        images[0]["aspectRatio"],
        serde_json::json!({"width": 1200, "height": 800})
    );
    assert_eq!(images[1]["alt"], "");
    assert!(images[1].get("aspectRatio").is_none());
    assert_eq!(images[0]["image"]["mimeType"], "image/png");
    assert_eq!(twin.blob_count(), 1, "the same bytes are one blob");

    let card = alice
        .publish(
            &Post::text("Read this").with_link("https://example.com/post"),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    let rec = twin.record(&card.post.id).unwrap();
    assert_eq!(rec["embed"]["$type"], "app.bsky.embed.external");
    assert_eq!(rec["embed"]["external"]["uri"], "https://example.com/post");
    assert_eq!(rec["embed"]["external"]["title"], "example.com/post");
    assert_eq!(rec["embed"]["external"]["description"], "");
}

#[tokio::test]
async fn threads_carry_root_and_parent_refs() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let p = alice
        .publish_thread(&["one", "two", "three"])
        .await
        .unwrap();
    assert_eq!(p.parts.len(), 3);
    let root = &p.parts[0];
    assert!(twin.record(&root.id).unwrap().get("reply").is_none());
    for i in 1..3 {
        let rec = twin.record(&p.parts[i].id).unwrap();
        assert_eq!(rec["reply"]["root"]["uri"], root.id.as_str());
        assert_eq!(rec["reply"]["root"]["cid"], root.meta("cid").unwrap());
        assert_eq!(rec["reply"]["parent"]["uri"], p.parts[i - 1].id.as_str());
        assert_eq!(
            rec["reply"]["parent"]["cid"],
            p.parts[i - 1].meta("cid").unwrap()
        );
    }
}

#[tokio::test]
async fn a_long_text_is_split_into_a_thread_when_asked() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let text = (0..80)
        .map(|i| format!("Sentence number {i} is here."))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(alice.check(&Post::text(text.clone())).is_err());
    let opts = PublishOptions {
        split_long_text: true,
        idempotency_key: Some("long-1".into()),
    };
    let p = alice
        .publish(&Post::text(text.clone()), &opts)
        .await
        .unwrap();
    assert!(p.parts.len() >= 3, "{} parts", p.parts.len());
    for (i, part) in p.parts.iter().enumerate() {
        let rec = twin.record(&part.id).unwrap();
        let t = rec["text"].as_str().unwrap();
        assert!(socialkit::text::rules::bluesky().fits(t), "part {i}: {t}");
        if i > 0 {
            assert_eq!(rec["reply"]["parent"]["uri"], p.parts[i - 1].id.as_str());
        }
    }
    // The same key: the same split, the same record keys, no second thread.
    let again = alice.publish(&Post::text(text), &opts).await.unwrap();
    assert_eq!(again.parts, p.parts);
}

#[tokio::test]
async fn a_repeated_publish_with_the_same_key_returns_the_first_post() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let did = twin.account("alice.test").unwrap().did;
    let post = Post::thread(["first part", "second part"]);
    let opts = PublishOptions::with_key("delivery-7");
    let a = alice.publish(&post, &opts).await.unwrap();
    let b = alice.publish(&post, &opts).await.unwrap();
    assert_eq!(a.parts, b.parts);
    assert_eq!(twin.posts(&did).len(), 2);
    assert_eq!(
        a.post.id.rsplit('/').next().unwrap(),
        Tid::from_key("delivery-7", 0).to_string()
    );
    // The twin answered the collisions like PDS 0.5.35: HTTP 500.
    assert_eq!(twin.stats().calls("com.atproto.repo.createRecord"), 4);

    // The same key with other content is a conflict, not a silent success.
    let e = alice
        .publish(&Post::text("something else"), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
}

#[tokio::test]
async fn a_lost_response_is_recovered_by_reading_the_record_key() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let did = twin.account("alice.test").unwrap().did;
    alice.sign_in().await.unwrap();
    // The create happens, the answer is lost (a proxy's 502).
    twin.inject("com.atproto.repo.createRecord", Failure::LoseResponse(502));
    let p = alice
        .publish(&Post::text("hello"), &PublishOptions::with_key("k-lost"))
        .await
        .unwrap();
    assert_eq!(twin.posts(&did).len(), 1);
    assert_eq!(twin.record(&p.post.id).unwrap()["text"], "hello");

    // Without a create on the server, a 5xx stays a retryable error.
    twin.inject("com.atproto.repo.createRecord", Failure::Status(503));
    let e = alice
        .publish(&Post::text("again"), &PublishOptions::with_key("k-503"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(e.is_retryable());
    assert_eq!(twin.posts(&did).len(), 1);
    // The retry with the same key publishes once.
    alice
        .publish(&Post::text("again"), &PublishOptions::with_key("k-503"))
        .await
        .unwrap();
    assert_eq!(twin.posts(&did).len(), 2);
}

#[tokio::test]
async fn deletes_by_at_uri() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let did = twin.account("alice.test").unwrap().did;
    let p = alice.publish_text("short-lived").await.unwrap();
    alice.delete(&p.post).await.unwrap();
    assert!(twin.posts(&did).is_empty());
    // The PDS answers 200 without a commit; the adapter says what it means.
    let e = alice.delete(&p.post).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e = alice
        .delete(&PostRef::new("bluesky", "not-an-at-uri"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let bob_post = adapter(&twin, "bob.test")
        .publish_text("bob's")
        .await
        .unwrap();
    let e = alice.delete(&bob_post.post).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
}

#[tokio::test]
async fn expired_access_token_is_refreshed_once_with_rotation() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let first = alice.sign_in().await.unwrap();
    twin.expire_access_tokens();
    alice.publish_text("after expiry").await.unwrap();
    let second = alice.session().await.unwrap();
    assert_ne!(
        first.refresh_jwt, second.refresh_jwt,
        "the refresh token rotated"
    );
    assert_ne!(first.access_jwt, second.access_jwt);
    let stats = twin.stats();
    assert_eq!(stats.sessions_created, 1);
    assert_eq!(stats.refreshes, 1);
    // The old refresh token is dead; the stored one works.
    twin.expire_access_tokens();
    alice.publish_text("second expiry").await.unwrap();
    assert_eq!(twin.stats().refreshes, 2);
    assert_eq!(twin.stats().sessions_created, 1);
}

#[tokio::test]
async fn a_hundred_concurrent_calls_share_one_refresh_and_one_session() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    // 100 calls race for the first session too.
    let mut tasks = Vec::new();
    for i in 0..100 {
        let a = alice.clone();
        tasks.push(tokio::spawn(async move {
            a.publish_text(&format!("warm-up {i}")).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(twin.stats().sessions_created, 1);
    twin.expire_access_tokens();
    let mut tasks = Vec::new();
    for i in 0..100 {
        let a = alice.clone();
        tasks.push(tokio::spawn(async move {
            a.publish_text(&format!("post {i}")).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let stats = twin.stats();
    assert_eq!(stats.refreshes, 1, "{stats:?}");
    assert_eq!(stats.sessions_created, 1, "{stats:?}");
    assert_eq!(stats.calls("com.atproto.server.createSession"), 1);
}

#[tokio::test]
async fn a_dead_refresh_token_leads_to_one_new_session_and_bad_credentials_to_reconnect() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    alice.sign_in().await.unwrap();
    twin.expire_access_tokens();
    twin.revoke_refresh_tokens();
    alice.publish_text("still works").await.unwrap();
    assert_eq!(twin.stats().sessions_created, 2);

    let url = twin
        .channel_url("alice.test")
        .unwrap()
        .replace("alice-app-pass", "wrong-pass");
    let wrong = Bluesky::from_url(&url).unwrap();
    let e = wrong.publish_text("nope").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert!(e.to_string().contains("reconnect"), "{e}");
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("wrong-pass") && !shown.contains("alice-app-pass"));
}

#[tokio::test]
async fn passwords_and_tokens_never_show() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let s = alice.sign_in().await.unwrap();
    let shown = format!("{alice:?} {s:?} {:?}", alice.config());
    for secret in [
        "alice-app-pass",
        s.access_jwt.expose(),
        s.refresh_jwt.expose(),
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
    // An error after a token failure does not carry the token either.
    twin.expire_access_tokens();
    twin.revoke_refresh_tokens();
    for _ in 0..10 {
        twin.inject("com.atproto.server.createSession", Failure::Status(500));
    }
    let e = alice.publish_text("x").await.unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(s.access_jwt.expose()) && !shown.contains(s.refresh_jwt.expose()));
}

#[tokio::test]
async fn rate_limits_give_retry_after() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    alice.sign_in().await.unwrap();
    twin.inject(
        "com.atproto.repo.createRecord",
        Failure::RateLimited {
            reset_in_secs: 120,
            retry_after_secs: None,
        },
    );
    let before = chrono::Utc::now();
    let e = alice.publish_text("too fast").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.is_retryable());
    let at = e.retry_after().expect("retry_after");
    assert!(
        at >= before + chrono::Duration::seconds(110)
            && at <= before + chrono::Duration::seconds(130),
        "{at}"
    );
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("RateLimitExceeded")
    );
}

#[tokio::test]
async fn server_errors_html_and_malformed_json_are_typed() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let p = alice.publish_text("for metrics").await.unwrap();
    // Reads are retried by the HTTP layer; make every attempt fail.
    for _ in 0..10 {
        twin.inject("app.bsky.feed.getPosts", Failure::Html(502));
    }
    let e = alice
        .post_metrics(std::slice::from_ref(&p.post))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(e.is_retryable());
    assert!(e.to_string().contains("not JSON"), "{e}");

    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let p = alice.publish_text("for metrics").await.unwrap();
    twin.inject("app.bsky.feed.getPosts", Failure::MalformedJson);
    let e = alice
        .post_metrics(std::slice::from_ref(&p.post))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unexpected, "{e}");

    twin.inject(
        "com.atproto.repo.createRecord",
        Failure::Xrpc {
            status: 400,
            error: "AccountTakedown".into(),
            message: "Account has been taken down".into(),
        },
    );
    let e = alice.publish_text("x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
}

#[tokio::test]
async fn validation_happens_before_any_request() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let too_long = "a".repeat(301);
    let e = alice.publish_text(&too_long).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("1 over"), "{e}");
    let too_many_bytes = "👍🏽".repeat(299); // 299 graphemes, 2392 bytes: fits
    assert!(alice.check(&Post::text(too_many_bytes)).is_ok());
    let bytes = "👨‍👩‍👧‍👦".repeat(200); // 200 graphemes, 5000 bytes
    assert_eq!(
        alice.publish_text(&bytes).await.unwrap_err().kind(),
        ErrorKind::Validation
    );
    let five = (0..5).fold(Post::text("five"), |p, _| {
        p.with_media(Media::image_bytes("image/png", png()))
    });
    assert_eq!(
        alice
            .publish(&five, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    let big = Post::text("big").with_media(Media::image_bytes("image/png", vec![0; 2_000_001]));
    assert_eq!(
        alice
            .publish(&big, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    let gif = Post::text("gif").with_media(Media::image_bytes("image/gif", png()));
    assert!(
        alice
            .publish(&gif, &PublishOptions::default())
            .await
            .is_err()
    );
    assert_eq!(twin.stats().total(), 0, "{:?}", twin.stats());
}

#[tokio::test]
async fn interactions_page_forward_and_replies_use_the_right_refs() {
    let clock = ManualClock::new(chrono::Utc::now());
    let twin = twin_on(&clock, TwinOptions::default()).await;
    let alice = twin.adapter("alice.test").unwrap();
    let p = alice.publish_text("Hello world").await.unwrap();
    let uri = p.post.id.clone();
    // Distinct instants, so the expected order is the only right one.
    let tick = || clock.advance(chrono::Duration::milliseconds(3));
    twin.like("bob.test", &uri).unwrap();
    tick();
    twin.repost("bob.test", &uri).unwrap();
    tick();
    twin.follow("bob.test", "alice.test").unwrap();
    tick();
    let (reply_uri, _) = twin.reply("bob.test", &uri, "Nice!").unwrap();
    tick();
    twin.mention("bob.test", "alice.test", "look").unwrap();
    tick();
    twin.quote("bob.test", &uri, "quoting").unwrap();

    let q = InteractionQuery::default().limit(4);
    let page = alice.interactions(&q).await.unwrap();
    assert_eq!(page.items.len(), 4);
    assert!(page.has_more);
    let kinds: Vec<_> = page.items.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            InteractionKind::Like,
            InteractionKind::Repost,
            InteractionKind::Follow,
            InteractionKind::Reply
        ]
    );
    assert_eq!(page.items[0].post.as_ref().unwrap().id, uri);
    assert_eq!(page.items[0].author.handle, "bob.test");
    let reply = &page.items[3];
    assert_eq!(reply.text.as_deref(), Some("Nice!"));
    assert_eq!(reply.conversation.as_deref(), Some(uri.as_str()));
    let page2 = alice
        .interactions(&q.clone().cursor(page.next_cursor.clone().unwrap()))
        .await
        .unwrap();
    let kinds: Vec<_> = page2.items.iter().map(|i| i.kind).collect();
    assert_eq!(kinds, [InteractionKind::Mention, InteractionKind::Quote]);
    assert!(!page2.has_more);
    let page3 = alice
        .interactions(&q.clone().cursor(page2.next_cursor.clone().unwrap()))
        .await
        .unwrap();
    assert!(page3.items.is_empty());

    // Reply to bob's reply: parent = his reply, root = alice's post.
    let answer = alice.reply_text(&reply.reference, "Thanks!").await.unwrap();
    let rec = twin.record(&answer.post.id).unwrap();
    assert_eq!(rec["reply"]["parent"]["uri"], reply_uri.as_str());
    assert_eq!(rec["reply"]["root"]["uri"], uri.as_str());
    assert_eq!(rec["reply"]["root"]["cid"], p.post.meta("cid").unwrap());
    // Likes cannot be answered.
    let e = alice
        .reply_text(&page.items[0].reference, "x")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);

    // Only some kinds.
    let only = alice
        .interactions(&InteractionQuery::default().kinds([InteractionKind::Reply]))
        .await
        .unwrap();
    assert_eq!(only.items.len(), 1);
}

#[tokio::test]
async fn metrics_come_in_batches_of_25() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let mut refs = Vec::new();
    for i in 0..30 {
        refs.push(alice.publish_text(&format!("post {i}")).await.unwrap().post);
    }
    twin.like("bob.test", &refs[29].id).unwrap();
    twin.reply("bob.test", &refs[29].id, "r").unwrap();
    let m = alice.post_metrics(&refs).await.unwrap();
    assert_eq!(m.len(), 30);
    assert_eq!(twin.stats().calls("app.bsky.feed.getPosts"), 2);
    let last = &m[29];
    assert_eq!(last.post, refs[29]);
    assert_eq!(
        (last.likes, last.replies, last.reposts, last.quotes),
        (Some(1), Some(1), Some(0), Some(0))
    );
    assert_eq!(last.impressions, None);
}

#[tokio::test]
async fn channel_from_profile_and_without_appview() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    twin.follow("bob.test", "alice.test").unwrap();
    alice.publish_text("one").await.unwrap();
    let c = alice.channel().await.unwrap();
    assert_eq!(c.handle, "alice.test");
    assert!(c.id.starts_with("did:plc:"));
    assert_eq!(c.metrics.followers, Some(1));
    assert_eq!(c.metrics.posts, Some(1));
    assert_eq!(
        c.url.as_deref(),
        Some("https://bsky.app/profile/alice.test")
    );

    let bare = BlueskyTwin::start_with(TwinOptions {
        appview: false,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let alice = adapter(&bare, "alice.test");
    let c = alice.channel().await.unwrap();
    assert_eq!(c.handle, "alice.test");
    assert_eq!(c.metrics.followers, None, "unknown, not zero");
    let e = alice
        .interactions(&InteractionQuery::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn recent_posts_lists_records_newest_first() {
    let clock = ManualClock::new(chrono::Utc::now());
    let twin = twin_on(&clock, TwinOptions::default()).await;
    let alice = twin.adapter("alice.test").unwrap();
    let tick = || clock.advance(chrono::Duration::milliseconds(5));
    alice
        .publish(&Post::text("keyed"), &PublishOptions::with_key("k1"))
        .await
        .unwrap();
    tick();
    alice.publish_text("plain").await.unwrap();
    tick();
    alice
        .publish(&Post::text("keyed later"), &PublishOptions::with_key("k2"))
        .await
        .unwrap();
    let recent = alice.recent_posts(10).await.unwrap();
    let texts: Vec<_> = recent.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, ["keyed later", "plain", "keyed"]);
}

#[tokio::test]
async fn recent_posts_finds_keyed_posts_behind_many_others() {
    for appview in [true, false] {
        let clock = ManualClock::new(chrono::Utc::now());
        let twin = twin_on(
            &clock,
            TwinOptions {
                appview,
                ..TwinOptions::default()
            },
        )
        .await;
        let alice = twin.adapter("alice.test").unwrap();
        for i in 0..120 {
            alice.publish_text(&format!("filler {i}")).await.unwrap();
            clock.advance(chrono::Duration::milliseconds(1));
        }
        clock.advance(chrono::Duration::milliseconds(5));
        // Its record key sorts below every clock-based key in the repo listing.
        alice
            .publish(
                &Post::text("the newest, keyed"),
                &PublishOptions::with_key("late-key"),
            )
            .await
            .unwrap();
        let recent = alice.recent_posts(3).await.unwrap();
        assert_eq!(recent[0].text, "the newest, keyed", "appview: {appview}");
        assert_eq!(recent[1].text, "filler 119");
        assert_eq!(recent.len(), 3);
    }
}

#[tokio::test]
async fn registry_builds_from_url_and_config() {
    let twin = BlueskyTwin::start().await.unwrap();
    let registry = Registry::default();
    assert!(registry.schemes().contains(&"bluesky"));
    let p = registry
        .from_url(&twin.channel_url("alice.test").unwrap())
        .unwrap();
    p.publish_text("via registry").await.unwrap();
    let cfg = socialkit::ChannelConfig {
        platform: "bluesky".into(),
        settings: serde_json::to_value(
            BlueskyConfig::new("alice.test", "alice-app-pass").with_pds(twin.url()),
        )
        .unwrap(),
    };
    let p: Arc<dyn Platform> = registry.from_config(&cfg).unwrap();
    assert_eq!(p.name(), "bluesky");
    p.publish_text("via config").await.unwrap();
    let e = registry
        .from_url("bluesky://alice.test@localhost")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
}

/// Collects everything `tracing` writes while the adapter signs in, refreshes, fails and
/// recovers, and checks no password or token is in it.
#[tokio::test]
async fn logs_never_carry_passwords_or_tokens() {
    use std::io::Write;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let first = alice.sign_in().await.unwrap();
    twin.expire_access_tokens();
    alice.publish_text("after expiry").await.unwrap();
    let second = alice.session().await.unwrap();
    twin.inject("com.atproto.repo.createRecord", Failure::Status(500));
    let _ = alice.publish_text("fails").await;
    alice.break_access_token_for_testing().await;
    alice.publish_text("after a broken token").await.unwrap();
    let third = alice.session().await.unwrap();
    let wrong = Bluesky::from_url(
        &twin
            .channel_url("alice.test")
            .unwrap()
            .replace("alice-app-pass", "wrong-pass"),
    )
    .unwrap();
    let _ = wrong.publish_text("nope").await;

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("bluesky"), "the adapter logged: {logs}");
    for secret in [
        "alice-app-pass",
        "wrong-pass",
        first.access_jwt.expose(),
        first.refresh_jwt.expose(),
        second.access_jwt.expose(),
        second.refresh_jwt.expose(),
        third.access_jwt.expose(),
        third.refresh_jwt.expose(),
    ] {
        assert!(!logs.contains(secret), "a secret is in the logs");
    }
}

#[tokio::test]
async fn a_backlog_deeper_than_one_read_is_read_from_its_newest_end_without_gaps() {
    let twin = BlueskyTwin::start_with(TwinOptions {
        rate_limit: u32::MAX,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let alice = adapter(&twin, "alice.test");
    let p = alice.publish_text("popular").await.unwrap();
    // Many likes share a millisecond: the AppView-like paging must not lose ties at page ends.
    let likes: Vec<String> = (0..1050)
        .map(|_| twin.like("bob.test", &p.post.id).unwrap())
        .collect();
    let mut q = InteractionQuery::default().limit(100);
    let mut all = Vec::new();
    loop {
        let page = alice.interactions(&q).await.unwrap();
        all.extend(page.items.into_iter().map(|i| i.reference.id));
        q.cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    let unique: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "nothing twice");
    // One read covers MAX_NOTIFICATION_PAGES pages (overlapping at shared milliseconds); the
    // oldest likes beyond that are skipped, everything newer is delivered, oldest first.
    assert!(all.len() >= 700, "{} delivered", all.len());
    assert_eq!(all, likes[likes.len() - all.len()..].to_vec());
    // Later ones still come.
    let last = twin.like("bob.test", &p.post.id).unwrap();
    let page = alice.interactions(&q).await.unwrap();
    assert_eq!(
        page.items
            .iter()
            .map(|i| i.reference.id.clone())
            .collect::<Vec<_>>(),
        [last]
    );
}

#[tokio::test]
async fn notifications_sharing_a_millisecond_across_server_pages_all_arrive() {
    let twin = BlueskyTwin::start().await.unwrap();
    let alice = adapter(&twin, "alice.test");
    let p = alice.publish_text("liked a lot").await.unwrap();
    let likes: Vec<String> = (0..450)
        .map(|_| twin.like("bob.test", &p.post.id).unwrap())
        .collect();
    let mut q = InteractionQuery::default().limit(1000);
    let page = alice.interactions(&q).await.unwrap();
    let got: Vec<String> = page.items.iter().map(|i| i.reference.id.clone()).collect();
    assert_eq!(got, likes);
    assert!(!page.has_more);
    q.cursor = page.next_cursor;
    assert!(alice.interactions(&q).await.unwrap().items.is_empty());
}
