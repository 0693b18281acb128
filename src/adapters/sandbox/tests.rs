//! Unit tests of the sandbox: determinism, idempotency, faults, paging, validation, timing.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::model::{Media, PostRef};
use crate::{ErrorKind, PlatformExt};

/// Tuesday 2026-03-03, 09:00 UTC (10:00 in Berlin).
fn start() -> DateTime<Utc> {
    "2026-03-03T09:00:00Z".parse().unwrap()
}

fn world_and(name: &str, config: SandboxConfig) -> (SandboxWorld, Arc<Sandbox>) {
    let world = SandboxWorld::simulated(start());
    let acme = world.channel(name, config).unwrap();
    (world, acme)
}

fn acme() -> (SandboxWorld, Arc<Sandbox>) {
    world_and("acme", SandboxConfig::default().with_seed(42))
}

async fn all_interactions(p: &Sandbox) -> Vec<Interaction> {
    let mut out = Vec::new();
    let mut q = InteractionQuery::default().limit(7);
    loop {
        let page = p.interactions(&q).await.unwrap();
        out.extend(page.items);
        q.cursor = page.next_cursor;
        if !page.has_more {
            return out;
        }
    }
}

// ---- determinism ----------------------------------------------------------------------------

async fn scripted_run(read_every: Option<Duration>) -> (Vec<Interaction>, Vec<PostMetrics>) {
    let (world, acme) = world_and(
        "acme",
        SandboxConfig::default().with_seed(7).with_followers(3000),
    );
    let mut posts = Vec::new();
    for (i, text) in ["Hello?", "Our anvil", "Sale now on https://acme.example"]
        .iter()
        .enumerate()
    {
        posts.push(acme.publish_text(text).await.unwrap().post);
        let until = world.now() + Duration::hours(5 + i as i64);
        match read_every {
            Some(step) => {
                while world.now() + step <= until {
                    world.advance(step).unwrap();
                    acme.interactions(&InteractionQuery::default().limit(1))
                        .await
                        .unwrap();
                }
                world.advance_to(until).unwrap();
            }
            None => world.advance_to(until).unwrap(),
        }
    }
    world.advance(Duration::hours(30)).unwrap();
    (
        all_interactions(&acme).await,
        acme.post_metrics(&posts).await.unwrap(),
    )
}

#[tokio::test]
async fn same_seed_same_calls_same_clock_same_numbers() {
    let a = scripted_run(None).await;
    let b = scripted_run(None).await;
    assert_eq!(a, b);
    assert!(a.0.len() > 20, "the audience should be busy: {}", a.0.len());
    assert!(a.1.iter().all(|m| m.impressions.unwrap() > 0));
}

#[tokio::test]
async fn reading_often_or_rarely_sees_the_same_world() {
    let rarely = scripted_run(None).await;
    let often = scripted_run(Some(Duration::minutes(13))).await;
    assert_eq!(rarely, often);
}

#[tokio::test]
async fn another_seed_gives_other_numbers() {
    let (world, a) = world_and("acme", SandboxConfig::default().with_seed(1));
    let b = world
        .channel("acme2", SandboxConfig::default().with_seed(2))
        .unwrap();
    let pa = a.publish_text("x").await.unwrap().post;
    let pb = b.publish_text("x").await.unwrap().post;
    world.advance(Duration::hours(24)).unwrap();
    let ma = a.post_metrics(&[pa]).await.unwrap();
    let mb = b.post_metrics(&[pb]).await.unwrap();
    assert_ne!(ma[0].impressions, mb[0].impressions);
}

#[tokio::test]
async fn metrics_match_interactions_and_are_none_where_undeclared() {
    let (world, acme) = world_and("acme", SandboxConfig::default().with_followers(20_000));
    let post = acme.publish_text("Big news?").await.unwrap().post;
    world.advance(Duration::hours(30)).unwrap();
    let m = &acme
        .post_metrics(std::slice::from_ref(&post))
        .await
        .unwrap()[0];
    let on_post: Vec<_> = all_interactions(&acme)
        .await
        .into_iter()
        .filter(|i| i.post.as_ref() == Some(&post))
        .collect();
    let count = |k: InteractionKind| on_post.iter().filter(|i| i.kind == k).count() as u64;
    assert_eq!(m.likes, Some(count(InteractionKind::Like)));
    assert_eq!(m.reposts, Some(count(InteractionKind::Repost)));
    assert_eq!(m.replies, Some(count(InteractionKind::Reply)));
    assert_eq!(m.quotes, Some(count(InteractionKind::Quote)));
    assert!(m.reach.unwrap() <= m.impressions.unwrap());
    assert!(m.likes.unwrap() > 0);
    assert_eq!(m.bookmarks, None);
    assert_eq!(m.video_views, None);
    let texts: Vec<_> = on_post.iter().filter_map(|i| i.text.as_ref()).collect();
    assert!(!texts.is_empty());
    assert!(
        on_post
            .iter()
            .filter(|i| i.text.is_some())
            .all(|i| i.reference.meta.contains_key("mood") && i.language.is_some())
    );
}

// ---- registry and worlds --------------------------------------------------------------------

#[tokio::test]
async fn the_registry_reaches_the_same_account_twice() {
    let registry = Registry::default();
    let a = registry.from_url("sandbox://unit-same?seed=5").unwrap();
    let b = registry.from_url("sandbox://unit-same?seed=5").unwrap();
    let published = a.publish_text("once").await.unwrap();
    let recent = b.recent_posts(5).await.unwrap();
    assert_eq!(recent[0].post, published.post);
    let c = registry
        .from_config(&crate::ChannelConfig {
            platform: "sandbox".into(),
            settings: serde_json::json!({"name": "unit-same", "seed": 5}),
        })
        .unwrap();
    assert_eq!(c.recent_posts(5).await.unwrap().len(), 1);
    let err = registry.from_url("sandbox://unit-same?seed=6").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    let other_world = registry
        .from_url("sandbox://unit-same?seed=6&world=unit-other")
        .unwrap();
    assert!(other_world.recent_posts(5).await.unwrap().is_empty());
}

#[test]
fn advancing_needs_an_owned_clock_and_goes_forward() {
    let world = SandboxWorld::new(Arc::new(crate::clock::SystemClock));
    assert_eq!(
        world.advance(Duration::hours(1)).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    let (sim, _) = acme();
    assert_eq!(
        sim.advance(Duration::hours(-1)).unwrap_err().kind(),
        ErrorKind::Validation
    );
}

// ---- publishing -----------------------------------------------------------------------------

#[tokio::test]
async fn threads_are_reply_chains_with_sequential_ids() {
    let (_, acme) = acme();
    let p = acme.publish_thread(&["one", "two", "three"]).await.unwrap();
    let ids: Vec<&str> = p.parts.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert_eq!(p.post, p.parts[0]);
    assert_eq!(
        p.parts[2].url.as_deref(),
        Some("https://sandbox.invalid/@acme/3")
    );
    let parents: Vec<Option<String>> = p
        .parts
        .iter()
        .map(|r| acme.inspect(r).unwrap().reply_to)
        .collect();
    assert_eq!(parents, [None, Some("1".into()), Some("2".into())]);
    assert!(
        p.parts
            .iter()
            .all(|r| acme.inspect(r).unwrap().thread_root == "1")
    );
    let recent: Vec<String> = acme
        .recent_posts(10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.text)
        .collect();
    assert_eq!(recent, ["three", "two", "one"]);
}

#[tokio::test]
async fn media_with_alt_text_and_link_cards_are_kept() {
    let (_, acme) = acme();
    let post = Post::text("Look")
        .with_media(
            Media::image_bytes("image/png", sample_png(3, 3, [9, 9, 9])).with_alt("A grey square"),
        )
        .with_link("https://acme.example/anvil")
        .with_content_warning("anvils");
    let p = acme
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap();
    let stored = acme.inspect(&p.post).unwrap();
    assert_eq!(stored.media[0].alt.as_deref(), Some("A grey square"));
    assert_eq!(stored.link.as_deref(), Some("https://acme.example/anvil"));
    assert_eq!(stored.content_warning.as_deref(), Some("anvils"));
}

#[tokio::test]
async fn media_from_a_path_is_read_and_checked() {
    let dir = std::env::temp_dir().join(format!("socialkit-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("ok.png");
    std::fs::write(&good, sample_png(2, 2, [0, 0, 0])).unwrap();
    let (_, acme) = acme();
    let ok = Post::text("file").with_media(Media::from_path("image/png", &good));
    let p = acme.publish(&ok, &PublishOptions::default()).await.unwrap();
    assert!(acme.inspect(&p.post).unwrap().media[0].bytes > 0);
    let missing =
        Post::text("file").with_media(Media::from_path("image/png", dir.join("nope.png")));
    assert!(
        acme.publish(&missing, &PublishOptions::default())
            .await
            .is_err()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn idempotency_key_returns_the_first_result_and_creates_nothing() {
    let (_, acme) = acme();
    let opts = PublishOptions::with_key("delivery-1");
    let first = acme
        .publish(&Post::thread(["a", "b"]), &opts)
        .await
        .unwrap();
    let again = acme
        .publish(&Post::text("something else"), &opts)
        .await
        .unwrap();
    assert_eq!(first, again);
    let recent = acme.recent_posts(10).await.unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[1].idempotency_key.as_deref(), Some("delivery-1"));
    assert_eq!(recent[0].idempotency_key, None);
    let other = acme
        .publish(&Post::text("c"), &PublishOptions::with_key("delivery-2"))
        .await
        .unwrap();
    assert_ne!(other.post, first.post);
}

#[tokio::test]
async fn validation_happens_before_any_state_changes() {
    let (_, acme) = world_and("acme", SandboxConfig::default().with_max_chars(10));
    let too_long = acme.publish_text("eleven char").await.unwrap_err();
    assert_eq!(too_long.kind(), ErrorKind::Validation);
    assert!(too_long.to_string().contains("11 graphemes"), "{too_long}");
    assert_eq!(too_long.context().operation.as_deref(), Some("publish"));
    assert_eq!(too_long.context().channel.as_deref(), Some("acme"));
    let cases = [
        Post::text(""),
        Post::text("   "),
        Post::thread(["ok", ""]),
        Post::text("x").with_media(Media::image_bytes("image/png", vec![1, 2, 3])),
        Post::text("x").with_media(Media::image_bytes("image/jpeg", sample_png(1, 1, [0; 3]))),
        Post::text("x").with_media(Media::image_bytes("image/tiff", vec![0; 4])),
        Post::text("x").with_media(Media::from_url("image/png", "https://example.com/a.png")),
        Post::text("x").with_media(Media::image_bytes("image/png", {
            let mut big = sample_png(1, 1, [0; 3]);
            big.resize(5 * 1024 * 1024 + 1, 0);
            big
        })),
        (0..5).fold(Post::text("x"), |p, _| {
            p.with_media(Media::image_bytes("image/png", sample_png(1, 1, [0; 3])))
        }),
        Post::text("x").with_media(
            Media::image_bytes("image/png", sample_png(1, 1, [0; 3])).with_alt("a".repeat(1501)),
        ),
    ];
    for post in cases {
        let err = acme
            .publish(&post, &PublishOptions::with_key("k"))
            .await
            .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Validation | ErrorKind::ConfigInvalid),
            "{err}"
        );
    }
    assert!(acme.recent_posts(10).await.unwrap().is_empty());
    assert_eq!(
        acme.faults().calls(Call::Publish),
        0,
        "nothing reached the platform"
    );
    // The key was never used, so it still publishes.
    acme.publish(&Post::text("fine"), &PublishOptions::with_key("k"))
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_edit_and_not_found() {
    let (world, acme) = acme();
    let p = acme.publish_text("typo").await.unwrap().post;
    let edited = acme.edit(&p, &Post::text("fixed")).await.unwrap();
    assert_eq!(edited.post, p);
    assert_eq!(acme.inspect(&p).unwrap().text, "fixed");
    assert!(acme.inspect(&p).unwrap().edited_at.is_some());
    assert_eq!(
        acme.edit(&p, &Post::thread(["a", "b"]))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    acme.delete(&p).await.unwrap();
    for err in [
        acme.delete(&p).await.unwrap_err(),
        acme.edit(&p, &Post::text("x")).await.unwrap_err(),
        acme.post_metrics(std::slice::from_ref(&p))
            .await
            .unwrap_err(),
        acme.delete(&PostRef::new("sandbox", "999"))
            .await
            .unwrap_err(),
        acme.delete(&PostRef::new("sandbox", "abc"))
            .await
            .unwrap_err(),
        acme.delete(&PostRef::new("mastodon", "1"))
            .await
            .unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    }
    // Another account's post is not ours, even with the same id.
    let other = world.channel("other", SandboxConfig::default()).unwrap();
    let theirs = other.publish_text("theirs").await.unwrap().post;
    let ours = acme.publish_text("ours").await.unwrap().post;
    assert_eq!(theirs.id, "1");
    assert_eq!(
        acme.delete(&theirs).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(acme.delete(&ours).await.is_ok());
    assert!(acme.recent_posts(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn replies_answer_interactions_and_dms_stay_direct() {
    let (_, acme) = acme();
    let post = acme.publish_text("Ask me").await.unwrap().post;
    let question = acme
        .receive(
            IncomingInteraction::new(InteractionKind::Reply)
                .on(post.clone())
                .text("Price?")
                .by("ann"),
        )
        .unwrap();
    assert_eq!(question.author.handle, "ann");
    assert_eq!(question.post.as_ref(), Some(&post));
    assert!(!question.reference.meta.contains_key("mood"));
    let answer = acme.reply_text(&question.reference, "50 €").await.unwrap();
    let stored = acme.inspect(&answer.post).unwrap();
    assert_eq!(
        stored.reply_to.as_deref(),
        question.reference.post.as_ref().map(|p| p.id.as_str())
    );
    let dm = acme
        .receive(IncomingInteraction::new(InteractionKind::DirectMessage))
        .unwrap();
    assert!(dm.text.is_some());
    let dm_answer = acme.reply_text(&dm.reference, "Hi!").await.unwrap();
    assert_eq!(
        acme.inspect(&dm_answer.post).unwrap().visibility,
        Visibility::Direct
    );
    let like = acme
        .receive(IncomingInteraction::new(InteractionKind::Like).on(post))
        .unwrap();
    assert_eq!(
        acme.reply_text(&like.reference, "thanks")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        acme.reply_text(&InteractionRef::new("sandbox", "n999"), "?")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let keyed = PublishOptions::with_key("reply-1");
    let r1 = acme
        .reply(&question.reference, &Post::text("once"), &keyed)
        .await
        .unwrap();
    let r2 = acme
        .reply(&question.reference, &Post::text("once"), &keyed)
        .await
        .unwrap();
    assert_eq!(r1, r2);
}

#[tokio::test]
async fn undeclared_operations_are_unsupported() {
    let (_, limited) = world_and(
        "limited",
        SandboxConfig::default()
            .without(Operation::Delete)
            .without(Operation::Thread)
            .without(Operation::Media)
            .without(Operation::Interactions),
    );
    assert!(!limited.capabilities().delete);
    let err = limited
        .delete(&PostRef::new("sandbox", "1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(err.to_string().contains("sandbox does not support delete"));
    let err = limited.publish_thread(&["a", "b"]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let err = limited
        .interactions(&InteractionQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let img = Post::text("x").with_media(Media::image_bytes("image/png", sample_png(1, 1, [0; 3])));
    assert_eq!(
        limited
            .publish(&img, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Unsupported
    );
}

// ---- faults ---------------------------------------------------------------------------------

#[tokio::test]
async fn every_fault_kind() {
    let (world, acme) = acme();
    let f = acme.faults();
    let posts = |acme: Arc<Sandbox>| async move { acme.recent_posts(50).await.unwrap().len() };

    f.inject(
        Fault::RateLimited {
            retry_after_secs: 30,
        },
        Trigger::next(Call::Publish, 1),
    );
    let e = acme.publish_text("a").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(world.now() + Duration::seconds(30)));
    assert_eq!(e.context().platform.as_deref(), Some("sandbox"));
    assert_eq!(e.context().operation.as_deref(), Some("publish"));
    assert_eq!(e.context().channel.as_deref(), Some("acme"));
    assert_eq!(e.context().http_status, Some(429));
    assert_eq!(posts(acme.clone()).await, 0);

    f.inject(
        Fault::ServerError { status: 503 },
        Trigger::next(Call::Publish, 1),
    );
    let e = acme.publish_text("a").await.unwrap_err();
    assert_eq!((e.kind(), e.is_retryable()), (ErrorKind::Platform, true));
    assert_eq!(posts(acme.clone()).await, 0);

    f.inject(Fault::Timeout, Trigger::next(Call::Publish, 1));
    let e = acme.publish_text("a").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(posts(acme.clone()).await, 0, "timed out before the write");

    f.inject(
        Fault::Rejected {
            reason: "spam".into(),
        },
        Trigger::next(Call::Publish, 1),
    );
    let e = acme.publish_text("a").await.unwrap_err();
    assert_eq!(
        (e.kind(), e.is_retryable()),
        (ErrorKind::ContentRejected, false)
    );
    assert_eq!(e.context().platform_message.as_deref(), Some("spam"));
    assert_eq!(posts(acme.clone()).await, 0);

    f.inject(Fault::Unauthenticated, Trigger::next(Call::Channel, 1));
    let e = acme.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert_eq!(e.context().operation.as_deref(), Some("channel"));
    assert!(acme.channel().await.is_ok(), "only the next call");

    assert_eq!(f.calls(Call::Publish), 4);
}

#[tokio::test]
async fn lost_answer_creates_the_post_and_returns_a_timeout() {
    let (_, acme) = acme();
    let id = acme
        .faults()
        .inject(Fault::LostAnswer, Trigger::next(Call::Publish, 1));
    let opts = PublishOptions::with_key("delivery-7");
    let e = acme
        .publish(&Post::text("launch"), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.is_retryable());
    assert_eq!(acme.faults().fired(id), 1);
    // The engine reconciles: the post exists, with its key.
    let recent = acme.recent_posts(10).await.unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].idempotency_key.as_deref(), Some("delivery-7"));
    // A retry with the same key returns it instead of posting again.
    let retry = acme.publish(&Post::text("launch"), &opts).await.unwrap();
    assert_eq!(retry.post, recent[0].post);
    assert_eq!(acme.recent_posts(10).await.unwrap().len(), 1);

    // A lost delete answer: the post is gone anyway.
    acme.faults()
        .inject(Fault::LostAnswer, Trigger::next(Call::Delete, 1));
    assert_eq!(
        acme.delete(&retry.post).await.unwrap_err().kind(),
        ErrorKind::Timeout
    );
    assert_eq!(
        acme.delete(&retry.post).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn triggers_by_probability_and_call_count_are_deterministic() {
    async fn run() -> Vec<bool> {
        let (_, acme) = acme();
        acme.faults().inject(
            Fault::ServerError { status: 502 },
            Trigger::probability(Call::Publish, 0.4, 3),
        );
        let mut failed = Vec::new();
        for i in 0..40 {
            failed.push(acme.publish_text(&format!("post {i}")).await.is_err());
        }
        failed
    }
    let a = run().await;
    assert_eq!(a, run().await);
    let n = a.iter().filter(|x| **x).count();
    assert!((8..=24).contains(&n), "{n}");

    let (_, acme) = acme();
    let id = acme
        .faults()
        .inject(Fault::Timeout, Trigger::at_call(Call::RecentPosts, 3));
    let results: Vec<bool> = futures::future::join_all((0..5).map(|_| acme.recent_posts(1)))
        .await
        .iter()
        .map(Result::is_ok)
        .collect();
    assert_eq!(results, [true, true, false, true, true]);
    assert!(acme.faults().remove(id));
    assert!(!acme.faults().remove(id));
    acme.faults()
        .inject(Fault::Timeout, Trigger::any_call(When::Always));
    assert!(acme.channel().await.is_err());
    assert!(acme.recent_posts(1).await.is_err());
    acme.faults().clear();
    assert!(acme.channel().await.is_ok());
}

#[tokio::test]
async fn faults_are_shared_by_every_handle_of_the_account() {
    let (world, a) = acme();
    let b = world
        .channel("acme", SandboxConfig::default().with_seed(42))
        .unwrap();
    a.faults()
        .inject(Fault::Timeout, Trigger::next(Call::Publish, 1));
    assert!(b.publish_text("x").await.is_err());
    assert!(a.publish_text("x").await.is_ok());
}

// ---- paging ---------------------------------------------------------------------------------

#[tokio::test]
async fn paging_never_repeats_or_skips_while_interactions_arrive() {
    let (world, acme) = world_and("acme", SandboxConfig::default().with_followers(5000));
    let post = acme.publish_text("Tell us?").await.unwrap().post;
    let mut seen = Vec::new();
    let mut q = InteractionQuery::default().limit(3);
    for round in 0..40 {
        // New interactions arrive between pages: from the audience as time passes, and
        // directly.
        world.advance(Duration::minutes(20)).unwrap();
        if round % 3 == 0 {
            acme.receive(IncomingInteraction::new(InteractionKind::Reply).on(post.clone()))
                .unwrap();
        }
        let page = acme.interactions(&q).await.unwrap();
        assert!(page.next_cursor.is_some());
        seen.extend(page.items);
        q.cursor = page.next_cursor;
    }
    // Drain what is left.
    loop {
        let page = acme.interactions(&q).await.unwrap();
        seen.extend(page.items);
        q.cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    let everything = all_interactions(&acme).await;
    assert_eq!(
        seen, everything,
        "in order, nothing repeated, nothing skipped"
    );
    let ids: HashSet<_> = seen.iter().map(|i| i.reference.id.clone()).collect();
    assert_eq!(ids.len(), seen.len());
    assert!(seen.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    assert!(seen.len() > 14);
}

#[tokio::test]
async fn paging_filters_by_kind_and_since_and_checks_cursors() {
    let (world, acme) = acme();
    let post = acme.publish_text("x").await.unwrap().post;
    acme.receive(IncomingInteraction::new(InteractionKind::Like).on(post.clone()))
        .unwrap();
    world.advance(Duration::minutes(1)).unwrap();
    let t = world.now();
    acme.receive(IncomingInteraction::new(InteractionKind::Reply).on(post.clone()))
        .unwrap();
    acme.receive(IncomingInteraction::new(InteractionKind::Like).on(post))
        .unwrap();
    let likes = acme
        .interactions(&InteractionQuery::default().kinds([InteractionKind::Like]))
        .await
        .unwrap();
    assert_eq!(likes.items.len(), 2);
    let since = acme
        .interactions(&InteractionQuery {
            since: Some(t),
            ..InteractionQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(since.items.len(), 2);
    // An empty page keeps the position.
    let empty = acme
        .interactions(&InteractionQuery::default().cursor(since.next_cursor.clone().unwrap()))
        .await
        .unwrap();
    assert!(empty.items.is_empty());
    assert_eq!(empty.next_cursor, since.next_cursor);
    for bad in ["x", "999999"] {
        let e = acme
            .interactions(&InteractionQuery::default().cursor(bad))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
    }
    let e = acme
        .interactions(&InteractionQuery::default().limit(0))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
}

// ---- the audience ---------------------------------------------------------------------------

#[tokio::test]
async fn posts_at_peak_hours_outperform_posts_at_3am() {
    // Tuesday 2026-03-03: 19:00 and 03:00 in Berlin are 18:00 and 02:00 UTC.
    let peak: DateTime<Utc> = "2026-03-03T18:00:00Z".parse().unwrap();
    let night: DateTime<Utc> = "2026-03-03T02:00:00Z".parse().unwrap();
    async fn outcome(seed: u64, at: DateTime<Utc>) -> (u64, u64) {
        let world = SandboxWorld::simulated(at);
        let acme = world
            .channel("acme", SandboxConfig::default().with_seed(seed))
            .unwrap();
        let p = acme.publish_text("Our new anvil").await.unwrap().post;
        world.advance(Duration::hours(48)).unwrap();
        let m = acme.post_metrics(&[p]).await.unwrap().remove(0);
        (m.impressions.unwrap(), m.engagements().unwrap())
    }
    let (mut wins, mut peak_total, mut night_total, mut peak_eng, mut night_eng) = (0, 0, 0, 0, 0);
    let runs = 60;
    for seed in 0..runs {
        let (pi, pe) = outcome(seed, peak).await;
        let (ni, ne) = outcome(seed, night).await;
        wins += u64::from(pi > ni);
        peak_total += pi;
        night_total += ni;
        peak_eng += pe;
        night_eng += ne;
    }
    assert!(
        peak_total as f64 > 1.4 * night_total as f64,
        "{peak_total} vs {night_total}"
    );
    assert!(peak_eng > night_eng, "{peak_eng} vs {night_eng}");
    assert!(wins > runs * 3 / 4, "{wins} of {runs}");
}

#[tokio::test]
async fn the_audience_writes_in_its_languages_and_moods_and_follows() {
    let (world, acme) = world_and("acme", SandboxConfig::default().with_followers(20_000));
    acme.publish_thread(&["Launch day?", "Details inside https://acme.example"])
        .await
        .unwrap();
    world.advance(Duration::days(3)).unwrap();
    let all = all_interactions(&acme).await;
    let kinds: HashSet<_> = all.iter().map(|i| i.kind).collect();
    for k in [
        InteractionKind::Like,
        InteractionKind::Repost,
        InteractionKind::Reply,
        InteractionKind::Quote,
        InteractionKind::Mention,
        InteractionKind::DirectMessage,
        InteractionKind::Follow,
    ] {
        assert!(kinds.contains(&k), "no {k:?}");
    }
    let languages: HashSet<_> = all.iter().filter_map(|i| i.language.clone()).collect();
    assert!(
        languages.contains("en") && languages.contains("de"),
        "{languages:?}"
    );
    let moods: HashSet<_> = all
        .iter()
        .filter_map(|i| i.reference.meta.get("mood").cloned())
        .collect();
    assert!(moods.len() >= 4, "{moods:?}");
    assert!(
        all.iter()
            .filter(|i| i.kind == InteractionKind::Mention)
            .all(|i| i.text.as_deref().unwrap().starts_with("@acme "))
    );
    let channel = acme.channel().await.unwrap();
    let follows = all
        .iter()
        .filter(|i| i.kind == InteractionKind::Follow)
        .count() as u64;
    assert_eq!(channel.metrics.followers, Some(20_000 + follows));
    assert_eq!(channel.metrics.posts, Some(2));
    assert_eq!(
        channel.url.as_deref(),
        Some("https://sandbox.invalid/@acme")
    );
}

#[tokio::test]
async fn deleted_posts_stop_collecting() {
    let (world, acme) = world_and("acme", SandboxConfig::default().with_followers(20_000));
    let p = acme.publish_text("short-lived").await.unwrap().post;
    world.advance(Duration::hours(2)).unwrap();
    acme.delete(&p).await.unwrap();
    let before = all_interactions(&acme)
        .await
        .iter()
        .filter(|i| i.post.as_ref() == Some(&p))
        .count();
    world.advance(Duration::hours(24)).unwrap();
    let after = all_interactions(&acme)
        .await
        .iter()
        .filter(|i| i.post.as_ref() == Some(&p))
        .count();
    assert_eq!(before, after);
}

#[tokio::test]
async fn extreme_clocks_and_configs_do_not_panic() {
    let world = SandboxWorld::simulated(start());
    let acme = world
        .channel("acme", SandboxConfig::default().with_followers(1_000_000))
        .unwrap();
    let p = acme.publish_text("Hello?").await.unwrap().post;
    world.advance(Duration::days(365 * 20)).unwrap();
    assert!(acme.post_metrics(std::slice::from_ref(&p)).await.is_ok());
    assert!(acme.channel().await.is_ok());
    assert!(world.advance(Duration::MAX).is_err());
    let late = SandboxWorld::simulated(DateTime::<Utc>::MAX_UTC - Duration::hours(1));
    let acme = late.channel("acme", SandboxConfig::default()).unwrap();
    let p = acme.publish_text("at the end of time").await.unwrap().post;
    late.advance(Duration::minutes(59)).unwrap();
    assert!(acme.post_metrics(&[p]).await.is_ok());
    assert!(
        world
            .channel("big", SandboxConfig::default().with_followers(1_000_001))
            .is_err()
    );
}

#[test]
fn settings_are_checked() {
    let registry = Registry::default();
    let bad = [
        serde_json::json!({"name": "x", "sede": 1}),
        serde_json::json!({"seed": 1}),
        serde_json::json!({"name": "x", "audience": {"activity": [1.0]}}),
        serde_json::json!({"name": "x", "audience": {"time_zone": "Nowhere/Else"}}),
        serde_json::json!({"name": "x", "audience": {"rates": {"like": 2.0}}}),
    ];
    for settings in bad {
        let err = registry
            .from_config(&crate::ChannelConfig {
                platform: "sandbox".into(),
                settings,
            })
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "{err}");
    }
    let ok = serde_json::json!({
        "name": "settings-ok", "world": "unit-settings",
        "audience": {"time_zone": "America/New_York", "languages": {"en": 1.0}}
    });
    assert!(
        registry
            .from_config(&crate::ChannelConfig {
                platform: "sandbox".into(),
                settings: ok,
            })
            .is_ok()
    );
}

// ---- long texts -----------------------------------------------------------------------------

#[tokio::test]
async fn long_text_is_rejected_or_split_on_request() {
    let (_world, acme) = acme();
    let sentence = "Our new anvil ships in March and weighs fifty kilograms. ";
    let long = sentence.repeat(25); // ~1400 graphemes, the limit is 500
    let err = acme.publish_text(&long).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.to_string().contains("over"), "{err}");

    let opts = PublishOptions {
        split_long_text: true,
        ..PublishOptions::default()
    };
    let published = acme.publish(&Post::text(&long), &opts).await.unwrap();
    assert!(published.parts.len() >= 3, "{}", published.parts.len());
    for (i, part) in published.parts.iter().enumerate() {
        let stored = acme.inspect(part).unwrap();
        assert!(stored.text.chars().count() <= 500);
        assert!(
            stored
                .text
                .ends_with(&format!("{}/{}", i + 1, published.parts.len())),
            "{}",
            stored.text
        );
    }
}
