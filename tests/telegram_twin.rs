//! The Telegram adapter against its twin: albums, captions and entities in UTF-16 units,
//! edits, deletes, updates with their cursor, webhooks with the secret header, flood control
//! and the documented errors.

use socialkit::adapters::telegram::twin::{Twin, TwinOptions};
use socialkit::adapters::telegram::{Telegram, WEBHOOK_SECRET_HEADER};
use socialkit::model::{InteractionKind, InteractionQuery, Media, Post, PostRef, PublishOptions};
use socialkit::testkit::twin::Canned;
use socialkit::{ErrorKind, Platform, PlatformExt, Registry};

fn png() -> Media {
    Media::image_bytes("image/png", vec![0x89, b'P', b'N', b'G', 1, 2, 3]).with_alt("ignored")
}

fn id(post: &PostRef) -> i64 {
    post.id.parse().unwrap()
}

#[tokio::test]
async fn an_album_goes_up_in_one_media_group_and_is_deleted_whole() {
    let twin = Twin::start().await.unwrap();
    let t = Telegram::new(twin.config());
    let post = Post::text("Three anvils 🔨 #launch")
        .with_media(png())
        .with_media(png())
        .with_media(Media::from_url("image/jpeg", "https://example.com/a.jpg"));
    let p = t.publish(&post, &PublishOptions::default()).await.unwrap();
    let h = twin.handle();
    assert_eq!(
        h.log().count_to("POST", "/bot"),
        1,
        "one sendMediaGroup, no lookup first"
    );
    let channel = h.channel_id();
    let album = h.messages(channel);
    assert_eq!(album.len(), 3);
    assert_eq!(album[0].text, "Three anvils 🔨 #launch");
    assert_eq!(album[0].uploaded, [7]);
    assert_eq!(
        album[2].uploaded,
        [0],
        "the URL is passed for Telegram to fetch"
    );
    assert!(
        album
            .iter()
            .all(|m| m.media_group_id == album[0].media_group_id)
    );
    // The hashtag entity counts the hammer as 2 UTF-16 units.
    assert_eq!(
        album[0].entities,
        serde_json::json!([{"type": "hashtag", "offset": 16, "length": 7}])
    );
    assert_eq!(p.post.meta("album"), Some("1,2,3"));
    assert_eq!(p.url(), Some("https://t.me/acme_news/1"));
    t.delete(&p.post).await.unwrap();
    assert!(h.messages(channel).is_empty());
    assert_eq!(
        t.delete(&p.post).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn captions_are_held_to_1024_utf16_units_before_anything_is_sent() {
    let twin = Twin::start().await.unwrap();
    let t = Telegram::new(twin.config());
    let before = twin.handle().log().count();
    // 513 emoji: 1026 UTF-16 units, 513 characters.
    let post = Post::text("😀".repeat(513)).with_media(png());
    let e = t
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(
        e.to_string().contains("1026") && e.to_string().contains("1024"),
        "{e}"
    );
    assert_eq!(twin.handle().log().count(), before);
    // The same text is a fine message without media: 1026 of 4096.
    t.publish_text(&"😀".repeat(513)).await.unwrap();
    // 2049 emoji are 4098 units: over the text limit, though only 2049 characters.
    let e = t.publish_text(&"😀".repeat(2049)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("4098"), "{e}");
}

#[tokio::test]
async fn formatting_goes_as_entities_with_utf16_offsets() {
    let twin = Twin::start().await.unwrap();
    let t = Telegram::new(twin.config());
    let text = "👩‍👩‍👧 see example.com and https://acme.com/ä @acme_news #año";
    let p = t.publish_text(text).await.unwrap();
    let m = twin
        .handle()
        .message(twin.handle().channel_id(), id(&p.post))
        .unwrap();
    assert_eq!(m.text, text, "the text is sent as it is, nothing escaped");
    let units: Vec<u16> = text.encode_utf16().collect();
    let slices: Vec<(String, String)> = m
        .entities
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let (o, l) = (
                e["offset"].as_u64().unwrap() as usize,
                e["length"].as_u64().unwrap() as usize,
            );
            (
                e["type"].as_str().unwrap().to_string(),
                String::from_utf16(&units[o..o + l]).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        slices,
        [
            ("text_link".to_string(), "example.com".to_string()),
            ("url".into(), "https://acme.com/ä".into()),
            ("mention".into(), "@acme_news".into()),
            ("hashtag".into(), "#año".into()),
        ]
    );
}

#[tokio::test]
async fn a_link_becomes_the_preview_and_threads_are_reply_chains() {
    let twin = Twin::start().await.unwrap();
    let t = Telegram::new(twin.config());
    let post = Post::text("Read the notes")
        .with_link("https://example.com/notes")
        .then("Part two");
    let p = t.publish(&post, &PublishOptions::default()).await.unwrap();
    let h = twin.handle();
    let first = h.message(h.channel_id(), id(&p.parts[0])).unwrap();
    let second = h.message(h.channel_id(), id(&p.parts[1])).unwrap();
    assert_eq!(first.text, "Read the notes https://example.com/notes");
    assert_eq!(
        first.preview_url.as_deref(),
        Some("https://example.com/notes")
    );
    assert_eq!(second.reply_to, Some(first.message_id));
}

#[tokio::test]
async fn edits_change_text_or_caption_and_the_same_content_is_no_error() {
    let twin = Twin::start().await.unwrap();
    let t = Telegram::new(twin.config());
    let h = twin.handle();
    let text = t.publish_text("before").await.unwrap();
    t.edit(&text.post, &Post::text("after #edit"))
        .await
        .unwrap();
    let m = h.message(h.channel_id(), id(&text.post)).unwrap();
    assert_eq!(m.text, "after #edit");
    assert!(m.edit_date.is_some());
    // Telegram's "message is not modified" is what was asked for.
    t.edit(&text.post, &Post::text("after #edit"))
        .await
        .unwrap();
    let photo = t
        .publish(
            &Post::text("caption").with_media(png()),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    t.edit(&photo.post, &Post::text("new caption"))
        .await
        .unwrap();
    assert_eq!(
        h.message(h.channel_id(), id(&photo.post)).unwrap().text,
        "new caption"
    );
    let e = t
        .edit(&photo.post, &Post::text("😀".repeat(513)))
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Validation,
        "a caption stays within 1024 units"
    );
    let e = t
        .edit(&text.post, &Post::text("x").with_media(png()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    let gone = PostRef::new("telegram", "999").with_meta("chat_id", h.channel_id().to_string());
    assert_eq!(
        t.edit(&gone, &Post::text("x")).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn updates_are_read_once_from_the_stored_cursor_in_every_kind() {
    let twin = Twin::start().await.unwrap();
    let t = Telegram::new(twin.config());
    let h = twin.handle();
    let bob = h.add_user("bob_subscriber");
    let p = t.publish_text("Comment on me").await.unwrap();
    h.comment(id(&p.post), bob, "nice");
    h.mention(bob, "hey");
    h.direct_message(bob, "help please");
    h.react(id(&p.post), bob, "🔥");
    let page = t.interactions(&InteractionQuery::default()).await.unwrap();
    let kinds: Vec<InteractionKind> = page.items.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            InteractionKind::Reply,
            InteractionKind::Mention,
            InteractionKind::DirectMessage,
            InteractionKind::Like
        ]
    );
    let reply = &page.items[0];
    assert_eq!(
        reply.post.as_ref().unwrap().id,
        p.post.id,
        "the comment is on the channel post"
    );
    assert_eq!(reply.author.handle, "bob_subscriber");
    assert_eq!(
        page.items[3]
            .reference
            .meta
            .get("reaction")
            .map(String::as_str),
        Some("🔥")
    );
    // Nothing twice: the cursor confirms what was read.
    let cursor = page.next_cursor.clone().unwrap();
    let again = t
        .interactions(&InteractionQuery::default().cursor(cursor.clone()))
        .await
        .unwrap();
    assert!(again.items.is_empty());
    assert_eq!(again.next_cursor.as_deref(), Some(cursor.as_str()));
    assert_eq!(h.pending_updates(), 0);
    // Answering the DM goes to the private chat, as a reply.
    let dm = &page.items[2];
    let answer = t.reply_text(&dm.reference, "on it").await.unwrap();
    let m = h.message(bob, id(&answer.post)).unwrap();
    assert_eq!(
        m.reply_to,
        Some(dm.reference.meta["message_id"].parse().unwrap())
    );
}

#[tokio::test]
async fn webhooks_need_the_secret_header_and_block_get_updates() {
    let twin = Twin::start().await.unwrap();
    let config = twin.config().with_webhook_secret("hook-s3cret_1").unwrap();
    let t = Telegram::new(config);
    let h = twin.handle();
    t.set_webhook("https://bots.example.com/telegram")
        .await
        .unwrap();
    assert_eq!(
        h.webhook(),
        Some((
            "https://bots.example.com/telegram".into(),
            "hook-s3cret_1".into()
        ))
    );
    let e = t
        .interactions(&InteractionQuery::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let bob = h.add_user("bob_subscriber");
    h.direct_message(bob, "pushed");
    let body = serde_json::to_vec(&h.last_update().unwrap()).unwrap();
    for wrong in [None, Some("hook-s3cret_2"), Some("")] {
        let e = t.receive_webhook(wrong, &body).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthenticated);
        assert!(!format!("{e:?}").contains("s3cret"));
    }
    let i = t
        .receive_webhook(Some("hook-s3cret_1"), &body)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(i.kind, InteractionKind::DirectMessage);
    assert_eq!(i.text.as_deref(), Some("pushed"));
    let e = t
        .receive_webhook(Some("hook-s3cret_1"), b"{not json")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unexpected);
    assert_eq!(WEBHOOK_SECRET_HEADER, "x-telegram-bot-api-secret-token");
    // A config without a secret accepts no pushed update at all.
    let open = Telegram::new(twin.config());
    assert_eq!(
        open.receive_webhook(Some("x"), &body)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::ConfigInvalid
    );
    t.delete_webhook().await.unwrap();
    assert!(t.interactions(&InteractionQuery::default()).await.is_ok());
}

#[tokio::test]
async fn flood_control_is_rate_limited_with_retry_after_and_never_resent() {
    let twin = Twin::start_with(TwinOptions {
        sends_per_minute: 2,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let t = Telegram::new(twin.config());
    t.publish_text("one").await.unwrap();
    t.publish_text("two").await.unwrap();
    let before = twin.handle().log().count_to("POST", "/bot");
    let e = t.publish_text("three").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    let wait = e.retry_after().unwrap() - chrono::Utc::now();
    assert!(wait > chrono::Duration::seconds(50), "{wait}");
    assert_eq!(twin.handle().log().count_to("POST", "/bot"), before + 1);
    assert_eq!(twin.handle().messages(twin.handle().channel_id()).len(), 2);
}

#[tokio::test]
async fn documented_errors_arrive_as_their_kinds_without_the_token() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let mut bad = twin.config();
    bad.token = "7000001:AAH-wrong".into();
    let e = Telegram::new(bad).publish_text("x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert!(!format!("{e:?}").contains("AAH-wrong"));
    let mut nowhere = twin.config();
    nowhere.chat_id = "@nobody_here".into();
    let e = Telegram::new(nowhere).publish_text("x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let t = Telegram::new(twin.config());
    let cases = [
        (
            403,
            "Forbidden: bot is not a member of the channel chat",
            ErrorKind::PermissionDenied,
        ),
        (
            400,
            "Bad Request: need administrator rights in the channel chat",
            ErrorKind::PermissionDenied,
        ),
        (502, "Bad Gateway", ErrorKind::Platform),
    ];
    for (status, description, kind) in cases {
        h.faults().inject(
            Some("POST"),
            Some("/sendMessage"),
            1,
            Canned::json(
                status,
                serde_json::json!({"ok": false, "error_code": status, "description": description}),
            ),
        );
        let before = h.log().count_to("POST", "/bot");
        let e = t.publish_text("x").await.unwrap_err();
        assert_eq!(e.kind(), kind, "{description}");
        assert_eq!(
            h.log().count_to("POST", "/bot"),
            before + 1,
            "a send is never repeated"
        );
    }
    h.faults()
        .inject(Some("POST"), Some("/sendMessage"), 1, Canned::html(502));
    assert_eq!(
        t.publish_text("x").await.unwrap_err().kind(),
        ErrorKind::Platform
    );
    h.faults().inject(
        Some("POST"),
        Some("/sendMessage"),
        1,
        Canned::malformed_json(),
    );
    assert_eq!(
        t.publish_text("x").await.unwrap_err().kind(),
        ErrorKind::Unexpected
    );
    // A reply to a message that is gone.
    let gone = PostRef::new("telegram", "4242");
    let e = t
        .publish(
            &Post::text("x").in_reply_to(gone),
            &PublishOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn the_registry_builds_it_from_a_channel_url() {
    let twin = Twin::start().await.unwrap();
    let url = format!(
        "telegram://7000001:AAH-twin-telegram-token@{}?scheme=http&chat_id=@acme_news",
        twin.url().host_str().unwrap().to_string() + ":" + &twin.url().port().unwrap().to_string()
    );
    let t = Registry::default().from_url(&url).unwrap();
    let channel = t.channel().await.unwrap();
    assert_eq!(channel.handle, "acme_news");
    assert_eq!(channel.metrics.followers, Some(1234));
    assert_eq!(channel.url.as_deref(), Some("https://t.me/acme_news"));
    assert!(!format!("{t:?}").contains("AAH-twin"));
}

/// The twin dates messages and edits by its injected clock.
#[tokio::test]
async fn the_twin_dates_messages_by_its_injected_clock() {
    use socialkit::clock::ManualClock;
    let start: chrono::DateTime<chrono::Utc> = "2026-05-04T08:00:00Z".parse().unwrap();
    let clock = ManualClock::new(start);
    let twin = Twin::start_with(TwinOptions {
        clock: std::sync::Arc::new(clock.clone()),
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let t = Telegram::new(twin.config());
    let p = t.publish_text("dated by the twin's clock").await.unwrap();
    let h = twin.handle();
    let m = h.message(h.channel_id(), id(&p.post)).unwrap();
    assert_eq!(m.date, start.timestamp());
    assert_eq!(m.edit_date, None);
    clock.advance(chrono::Duration::minutes(3));
    let user = h.add_user("olga");
    let comment = h.comment(id(&p.post), user, "nice");
    assert_eq!(comment["date"], start.timestamp() + 180);
}
