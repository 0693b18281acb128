//! The Discord adapter against its twin: attachments with alt text, nonces, webhooks with
//! `wait=true`, forum threads, interactions with `after` cursors, per-route buckets and the
//! global limit across concurrent calls, and the documented errors.

use std::sync::Arc;
use std::time::Duration;

use socialkit::adapters::discord::twin::{Twin, TwinOptions};
use socialkit::adapters::discord::{Discord, DiscordConfig};
use socialkit::model::{InteractionKind, InteractionQuery, Media, Post, PostRef, PublishOptions};
use socialkit::testkit::twin::Canned;
use socialkit::{ErrorKind, Platform, PlatformExt, Registry};

fn png(alt: &str) -> Media {
    Media::image_bytes("image/png", vec![0x89, b'P', b'N', b'G', 9, 9]).with_alt(alt)
}

#[tokio::test]
async fn attachments_carry_their_alt_text_as_description() {
    let twin = Twin::start().await.unwrap();
    let d = Discord::new(twin.bot_config());
    let post = Post::text("Two anvils")
        .with_media(png("A red anvil"))
        .with_media(png("A blue anvil"));
    let p = d.publish(&post, &PublishOptions::default()).await.unwrap();
    let m = twin.handle().message(&p.post.id).unwrap();
    assert_eq!(
        m.attachments,
        [
            ("file0.png".to_string(), Some("A red anvil".to_string()), 6),
            ("file1.png".to_string(), Some("A blue anvil".to_string()), 6)
        ]
    );
    assert_eq!(
        p.url(),
        Some(format!("https://discord.com/channels/900/1000/{}", p.post.id).as_str())
    );
    // Alt text over 1024 characters is refused before anything is sent.
    let before = twin.handle().log().count();
    let e = d
        .publish(
            &Post::text("x").with_media(png(&"a".repeat(1025))),
            &PublishOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(twin.handle().log().count(), before);
}

#[tokio::test]
async fn a_nonce_returns_the_first_message_within_its_window() {
    let twin = Twin::start().await.unwrap();
    let d = Discord::new(twin.bot_config());
    let opts = PublishOptions::with_key("sk-delivery-0123456789abcdef-1");
    let a = d.publish(&Post::text("once"), &opts).await.unwrap();
    let b = d.publish(&Post::text("once"), &opts).await.unwrap();
    assert_eq!(a.post.id, b.post.id);
    let m = twin.handle().message(&a.post.id).unwrap();
    assert_eq!(
        m.nonce.as_deref().map(str::len),
        Some(25),
        "a long key is hashed to 25 characters"
    );
    // A short key is the nonce itself.
    let c = d
        .publish(&Post::text("short"), &PublishOptions::with_key("sk-7-1"))
        .await
        .unwrap();
    assert_eq!(
        twin.handle().message(&c.post.id).unwrap().nonce.as_deref(),
        Some("sk-7-1")
    );
    // Without a key, two publishes are two messages.
    let x = d.publish_text("twice").await.unwrap();
    let y = d.publish_text("twice").await.unwrap();
    assert_ne!(x.post.id, y.post.id);
}

#[tokio::test]
async fn a_keyed_publish_is_resent_after_a_5xx_and_discord_keeps_one_message() {
    let twin = Twin::start().await.unwrap();
    let d = Discord::new(twin.bot_config());
    let h = twin.handle();
    // The first answer is lost behind a 502; the HTTP layer resends with the same nonce.
    h.faults()
        .inject_after(0, Some("POST"), Some("/messages"), 1, Canned::html(502));
    let p = d
        .publish(
            &Post::text("resent safely"),
            &PublishOptions::with_key("sk-9-1"),
        )
        .await
        .unwrap();
    assert_eq!(
        h.log().count_to("POST", "/api/v10/channels/1000/messages"),
        2
    );
    assert_eq!(h.messages("1000").len(), 1);
    assert_eq!(h.message(&p.post.id).unwrap().content, "resent safely");
    // Without a key a 502 is returned, never resent.
    h.faults()
        .inject(Some("POST"), Some("/messages"), 1, Canned::html(502));
    let e = d.publish_text("not resent").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert_eq!(
        h.log().count_to("POST", "/api/v10/channels/1000/messages"),
        3
    );
}

#[tokio::test]
async fn a_webhook_waits_for_the_message_and_edits_and_deletes_its_own() {
    let twin = Twin::start().await.unwrap();
    let d = Discord::new(twin.webhook_config());
    let p = d
        .publish(
            &Post::text("From the hook").with_media(png("alt")),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    let seen = twin.handle().log().all();
    let post = seen.iter().find(|s| s.method == "POST").unwrap();
    assert_eq!(post.query.as_deref(), Some("wait=true"));
    assert!(!format!("{p:?}").contains("twinWebhookToken"));
    let m = twin.handle().message(&p.post.id).unwrap();
    assert!(m.webhook);
    assert_eq!(m.attachments[0].1.as_deref(), Some("alt"));
    d.edit(&p.post, &Post::text("Edited")).await.unwrap();
    assert_eq!(twin.handle().message(&p.post.id).unwrap().content, "Edited");
    let metrics = d.post_metrics(std::slice::from_ref(&p.post)).await.unwrap();
    assert_eq!(metrics[0].likes, Some(0));
    d.delete(&p.post).await.unwrap();
    assert_eq!(
        d.delete(&p.post).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        d.interactions(&InteractionQuery::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Unsupported
    );
    // A wrong webhook token is a credential to replace.
    let mut wrong = twin.webhook_config();
    if let socialkit::adapters::discord::DiscordAuth::Webhook { token, .. } = &mut wrong.auth {
        *token = "wrongToken".into();
    }
    let e = Discord::new(wrong).publish_text("x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert!(!format!("{e:?}").contains("wrongToken"));
}

#[tokio::test]
async fn a_forum_post_is_a_thread_and_a_wrong_mode_is_refused_before_sending() {
    let twin = Twin::start().await.unwrap();
    let d = Discord::new(twin.forum_config());
    let p = d
        .publish(
            &Post::thread(["Patch notes 1.2\nDetails inside", "Part two"]),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    let thread = p.post.meta("channel_id").unwrap().to_string();
    assert_ne!(thread, "1001", "the post lives in its own thread");
    let msgs = twin.handle().messages(&thread);
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[1].reply_to.as_deref(), Some(p.post.id.as_str()));
    // The forum channel configured as a text channel: refused, nothing sent.
    let mut as_text = twin.forum_config();
    as_text.forum = false;
    let e = Discord::new(as_text).publish_text("x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
    assert_eq!(
        twin.handle()
            .log()
            .count_to("POST", "/api/v10/channels/1001"),
        1
    );
}

#[tokio::test]
async fn replies_and_mentions_are_read_forward_from_the_cursor() {
    let twin = Twin::start().await.unwrap();
    let d = Discord::new(twin.bot_config());
    let h = twin.handle();
    let bob = h.add_user("bob");
    let p = d.publish_text("Ask me anything").await.unwrap();
    h.reply(&p.post.id, &bob, "when is the launch?");
    h.mention(&bob, "are you there?");
    let unrelated = h.add_user("carol");
    h.reply(
        &h.mention(&unrelated, "x"),
        &bob,
        "a reply to carol, not to us",
    );
    let q = InteractionQuery::default().limit(2);
    let first = d.interactions(&q).await.unwrap();
    let second = d
        .interactions(&q.clone().cursor(first.next_cursor.clone().unwrap()))
        .await
        .unwrap();
    let third = d
        .interactions(&q.clone().cursor(second.next_cursor.clone().unwrap()))
        .await
        .unwrap();
    let all: Vec<_> = first
        .items
        .iter()
        .chain(&second.items)
        .chain(&third.items)
        .collect();
    let kinds: Vec<InteractionKind> = all.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            InteractionKind::Reply,
            InteractionKind::Mention,
            InteractionKind::Mention
        ]
    );
    assert_eq!(all[0].post.as_ref().unwrap().id, p.post.id);
    assert!(!third.has_more);
    // Replying answers the reply, in the channel.
    let r = d.reply_text(&all[0].reference, "next week").await.unwrap();
    assert_eq!(
        h.message(&r.post.id).unwrap().reply_to.as_deref(),
        Some(all[0].reference.id.as_str())
    );
    let again = d
        .interactions(&q.cursor(third.next_cursor.clone().unwrap()))
        .await
        .unwrap();
    assert!(
        again.items.is_empty(),
        "the bot's own reply is no interaction"
    );
}

#[tokio::test]
async fn buckets_are_honoured_across_concurrent_calls() {
    let twin = Twin::start_with(TwinOptions {
        bucket_limit: 2,
        bucket_window: Duration::from_millis(400),
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let d = Arc::new(Discord::new(twin.bot_config()));
    // Learn the bucket from a first answer, then send 5 at once without keys: a 429 would
    // fail one of them (no retry without a key).
    d.publish_text("warm-up").await.unwrap();
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let d = d.clone();
            tokio::spawn(async move { d.publish_text(&format!("burst {i}")).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(twin.handle().messages("1000").len(), 6);
    assert_eq!(
        twin.handle()
            .log()
            .count_to("POST", "/api/v10/channels/1000/messages"),
        6
    );
}

#[tokio::test]
async fn a_global_429_holds_every_route_until_it_passes() {
    let twin = Twin::start().await.unwrap();
    let d = Discord::new(twin.bot_config());
    let h = twin.handle();
    h.faults().inject(
        Some("POST"),
        Some("/messages"),
        1,
        Canned::json(429, serde_json::json!({"message": "You are being rate limited.", "retry_after": 0.3, "global": true}))
            .with_header("x-ratelimit-global", "true")
            .with_header("x-ratelimit-scope", "global")
            .with_header("retry-after", "1"),
    );
    let e = d.publish_text("held").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.retry_after().is_some());
    let before = std::time::Instant::now();
    d.edit(
        &PostRef::new("discord", "1").with_meta("channel_id", "1000"),
        &Post::text("x"),
    )
    .await
    .unwrap_err();
    assert!(
        before.elapsed() >= Duration::from_millis(250),
        "the next call waited for the global limit"
    );
}

#[tokio::test]
async fn documented_errors_arrive_as_their_kinds() {
    let twin = Twin::start().await.unwrap();
    let d = Discord::new(twin.bot_config());
    let h = twin.handle();
    let cases = [
        (
            403,
            50013,
            "Missing Permissions",
            ErrorKind::PermissionDenied,
        ),
        (403, 50001, "Missing Access", ErrorKind::PermissionDenied),
        (
            400,
            200000,
            "Message was blocked by automatic moderation",
            ErrorKind::ContentRejected,
        ),
        (404, 10003, "Unknown Channel", ErrorKind::NotFound),
    ];
    d.channel().await.unwrap();
    for (status, code, message, kind) in cases {
        h.faults().inject(
            Some("POST"),
            Some("/messages"),
            1,
            Canned::json(
                status,
                serde_json::json!({"code": code, "message": message}),
            ),
        );
        assert_eq!(
            d.publish_text("x").await.unwrap_err().kind(),
            kind,
            "{message}"
        );
    }
    let gone = PostRef::new("discord", "4242").with_meta("channel_id", "1000");
    let e = d
        .publish(
            &Post::text("x").in_reply_to(gone),
            &PublishOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let mut bad = twin.bot_config();
    if let socialkit::adapters::discord::DiscordAuth::Bot { token, .. } = &mut bad.auth {
        *token = "wrongBotToken".into();
    }
    let e = Discord::new(bad).publish_text("x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert!(!format!("{e:?}").contains("wrongBotToken"));
}

#[tokio::test]
async fn the_registry_builds_both_forms_from_channel_urls() {
    let twin = Twin::start().await.unwrap();
    let host = format!(
        "{}:{}",
        twin.url().host_str().unwrap(),
        twin.url().port().unwrap()
    );
    let bot = Registry::default()
        .from_url(&format!(
            "discord://twin-discord-bot-token@{host}?scheme=http&channel_id=1000"
        ))
        .unwrap();
    assert_eq!(bot.channel().await.unwrap().handle, "general");
    let hook = Registry::default()
        .from_url(&format!(
            "discord+webhook://7000:twinWebhookToken-1@{host}?scheme=http"
        ))
        .unwrap();
    assert_eq!(hook.channel().await.unwrap().handle, "ACME Hook");
    assert!(!hook.capabilities().reply);
    let from_config = Registry::default()
        .from_config(&socialkit::ChannelConfig {
            platform: "discord".into(),
            settings: serde_json::to_value(DiscordConfig::bot("t", "1000").unwrap()).unwrap(),
        })
        .unwrap();
    assert!(from_config.capabilities().reply);
}

/// Snowflakes carry the twin's clock: a message sent at a set instant has that timestamp.
#[tokio::test]
async fn snowflakes_follow_the_twins_injected_clock() {
    use socialkit::clock::ManualClock;
    let start: chrono::DateTime<chrono::Utc> = "2026-05-04T08:00:00Z".parse().unwrap();
    let clock = ManualClock::new(start);
    let twin = Twin::start_with(TwinOptions {
        clock: Arc::new(clock.clone()),
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let d = Discord::new(twin.bot_config());
    let first = d.publish_text("at eight").await.unwrap();
    clock.advance(chrono::Duration::hours(1));
    let second = d.publish_text("at nine").await.unwrap();
    let millis = |id: &str| (id.parse::<u64>().unwrap() >> 22) as i64 + 1_420_070_400_000;
    assert_eq!(millis(&first.post.id), start.timestamp_millis());
    assert_eq!(
        millis(&second.post.id),
        start.timestamp_millis() + 3_600_000
    );
}
