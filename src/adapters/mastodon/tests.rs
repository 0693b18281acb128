//! Unit tests of the Mastodon adapter's pure parts: notification mapping, capability parsing,
//! status text, profile website, validation with the content warning.

use super::*;

fn notification(json: serde_json::Value) -> api::Notification {
    serde_json::from_value(json).unwrap()
}

fn adapter() -> Mastodon {
    Mastodon::new(MastodonConfig::new("https://m.example", "tok").unwrap()).unwrap()
}

#[test]
fn notifications_map_to_interaction_kinds() {
    let m = adapter();
    let me = "1";
    let reply = notification(serde_json::json!({
        "id": "10", "type": "mention", "created_at": "2026-01-01T00:00:00Z",
        "account": {"id": "2", "acct": "bob@other.example", "display_name": "Bob", "followers_count": 7},
        "status": {"id": "s2", "content": "<p><span class=\"h-card\"><a href=\"x\">@<span>acme</span></a></span> nice &amp; shiny</p>",
                   "in_reply_to_id": "s1", "in_reply_to_account_id": "1", "language": "en",
                   "url": "https://other.example/@bob/s2"}
    }));
    let i = m.to_interaction(reply, me).unwrap();
    assert_eq!(i.kind, InteractionKind::Reply);
    assert_eq!(i.text.as_deref(), Some("@acme nice & shiny"));
    assert_eq!(i.post.as_ref().unwrap().id, "s1");
    assert_eq!(i.reference.post.as_ref().unwrap().id, "s2");
    assert_eq!(i.reference.id, "10");
    assert_eq!(i.author.handle, "bob@other.example");
    assert_eq!(i.author.followers, Some(7));
    assert_eq!(i.language.as_deref(), Some("en"));

    // A reply to someone else's status that mentions us is a mention.
    let mention = notification(serde_json::json!({
        "id": "11", "type": "mention", "account": {"id": "2", "acct": "bob"},
        "status": {"id": "s3", "content": "hi", "in_reply_to_id": "x", "in_reply_to_account_id": "9"}
    }));
    let i = m.to_interaction(mention, me).unwrap();
    assert_eq!(i.kind, InteractionKind::Mention);
    assert_eq!(i.post, None);
    assert_eq!(
        i.author.handle, "bob@m.example",
        "local accounts get the instance host"
    );

    let fav = notification(serde_json::json!({
        "id": "12", "type": "favourite", "account": {"id": "2", "acct": "bob"},
        "status": {"id": "s1", "content": "ours"}
    }));
    let i = m.to_interaction(fav, me).unwrap();
    assert_eq!(i.kind, InteractionKind::Like);
    assert_eq!(i.post.unwrap().id, "s1");
    assert_eq!(i.text, None);
    assert_eq!(i.reference.post, None, "a like is not a post to reply to");

    // snac wraps the favourited status in a reblog with the same id.
    let reblog = notification(serde_json::json!({
        "id": "13", "type": "reblog", "account": {"id": "2", "acct": "bob"},
        "status": {"id": "w", "content": "", "reblog": {"id": "s1", "content": "ours"}}
    }));
    let i = m.to_interaction(reblog, me).unwrap();
    assert_eq!(i.kind, InteractionKind::Repost);
    assert_eq!(i.post.unwrap().id, "s1");

    let follow = notification(
        serde_json::json!({"id": "14", "type": "follow", "account": {"id": "2", "acct": "bob"}}),
    );
    assert_eq!(
        m.to_interaction(follow, me).unwrap().kind,
        InteractionKind::Follow
    );

    let quote = notification(serde_json::json!({
        "id": "15", "type": "quote", "account": {"id": "2", "acct": "bob"},
        "status": {"id": "q1", "content": "<p>look</p>", "quote": {"state": "accepted", "quoted_status": {"id": "s1"}}}
    }));
    let i = m.to_interaction(quote, me).unwrap();
    assert_eq!(i.kind, InteractionKind::Quote);
    assert_eq!(i.post.unwrap().id, "s1");
    assert_eq!(i.text.as_deref(), Some("look"));

    for other in [
        "poll",
        "update",
        "admin.sign_up",
        "follow_request",
        "status",
    ] {
        let n =
            notification(serde_json::json!({"id": "16", "type": other, "account": {"id": "2"}}));
        assert!(m.to_interaction(n, me).is_none(), "{other}");
    }
    // A mention without its status (deleted meanwhile) is skipped, not a panic.
    let n =
        notification(serde_json::json!({"id": "17", "type": "mention", "account": {"id": "2"}}));
    assert!(m.to_interaction(n, me).is_none());
}

#[test]
fn capabilities_from_v2_instance() {
    let i: api::Instance = serde_json::from_value(serde_json::json!({
        "domain": "m.example", "version": "4.3.2",
        "configuration": {
            "statuses": {"max_characters": 5000, "max_media_attachments": 6, "characters_reserved_per_url": 30},
            "media_attachments": {"supported_mime_types": ["image/png", "image/jpeg", "video/mp4"],
                "image_size_limit": 10485760, "video_size_limit": 41943040, "description_limit": 1000}
        }
    }))
    .unwrap();
    let c = capabilities_from_instance(&i);
    assert_eq!(c.text.max, 5000);
    assert_eq!(c.text.counting, Counting::Mastodon { url_length: 30 });
    assert_eq!(c.media.max_count, 6);
    assert_eq!(c.media.max_image_bytes, Some(10_485_760));
    assert_eq!(c.media.max_video_bytes, Some(41_943_040));
    assert_eq!(c.media.alt_text_max, Some(1000));
    assert_eq!(c.media.kinds, vec![MediaKind::Image, MediaKind::Video]);
    assert!(!c.metrics.contains(&Metric::Quotes), "quotes need 4.5");
    assert!(!c.interactions.contains(&InteractionKind::Quote));
}

#[test]
fn capabilities_from_v1_compatibles_and_defaults() {
    let pleroma: api::Instance = serde_json::from_value(serde_json::json!({
        "uri": "p.example", "version": "2.7.2 (compatible; Pleroma 2.5.0)", "max_toot_chars": 5000
    }))
    .unwrap();
    let c = capabilities_from_instance(&pleroma);
    assert_eq!(c.text.max, 5000);
    assert_eq!(c.text.counting, Counting::Mastodon { url_length: 23 });
    assert_eq!(c.media.max_count, 4);

    let snac: api::Instance = serde_json::from_value(serde_json::json!({
        "uri": "localhost:8001", "version": "4.0.0 (not true; really snac/2.75)",
        "configuration": {"statuses": {"characters_reserved_per_url": 32, "max_characters": 100000, "max_media_attachments": 4}}
    }))
    .unwrap();
    let c = capabilities_from_instance(&snac);
    assert_eq!(
        c.idempotency,
        Idempotency::None,
        "snac ignores Idempotency-Key"
    );
    assert!(c.edit);
    assert_eq!(c.text.max, 100_000);
    assert_eq!(c.text.counting, Counting::Mastodon { url_length: 32 });

    let empty = api::Instance::default();
    assert!(!says_something(&empty));
    let c = capabilities_from_instance(&empty);
    assert_eq!(c, default_capabilities());

    let mastodon45: api::Instance = serde_json::from_value(
        serde_json::json!({"version": "4.5.0", "configuration": {"statuses": {}}}),
    )
    .unwrap();
    assert!(
        capabilities_from_instance(&mastodon45)
            .metrics
            .contains(&Metric::Quotes)
    );
    assert_eq!(
        capabilities_from_instance(&mastodon45).idempotency,
        Idempotency::Key
    );
    let old: api::Instance =
        serde_json::from_value(serde_json::json!({"version": "3.4.1", "max_toot_chars": 500}))
            .unwrap();
    assert!(
        !capabilities_from_instance(&old).edit,
        "edits came with 3.5"
    );
}

#[test]
fn version_check() {
    assert!(mastodon_at_least("4.5.0", 4, 5));
    assert!(mastodon_at_least("4.6.0-beta.1", 4, 5));
    assert!(mastodon_at_least("5.0.0", 4, 5));
    assert!(!mastodon_at_least("4.4.3", 4, 5));
    assert!(!mastodon_at_least("4.5.0 (compatible; GoToSocial)", 4, 5));
    assert!(!mastodon_at_least("", 4, 5));
}

#[test]
fn link_goes_into_the_text_once() {
    let p = Part {
        text: "Read this".into(),
        media: vec![],
        link: Some("https://example.com/a".into()),
    };
    assert_eq!(status_text(&p), "Read this\nhttps://example.com/a");
    let p = Part {
        text: "Read https://example.com/a now".into(),
        media: vec![],
        link: Some("https://example.com/a".into()),
    };
    assert_eq!(status_text(&p), "Read https://example.com/a now");
}

#[test]
fn content_warning_counts_toward_the_limit() {
    let caps = default_capabilities();
    let text = "a".repeat(490);
    assert!(check_post(&caps, &Post::text(&text)).is_ok());
    let e = check_post(
        &caps,
        &Post::text(&text).with_content_warning("spoilers ahead"),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("504"), "{e}");
    assert!(e.to_string().contains("4 over"), "{e}");
    // URLs count as 23, whatever their length.
    let long_url = format!(
        "{} https://example.com/{}",
        "a".repeat(470),
        "x".repeat(200)
    );
    assert!(check_post(&caps, &Post::text(&long_url)).is_ok());
    // The part of a thread that is too long is named.
    let e = check_post(
        &caps,
        &Post::thread(["ok", &"b".repeat(495)]).with_content_warning("cw: twelve"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("part 2"), "{e}");
}

#[test]
fn website_from_fields_or_profile_url() {
    let a: api::Account = serde_json::from_value(serde_json::json!({
        "id": "1", "url": "https://m.example/@acme",
        "fields": [{"name": "Pronouns", "value": "they"},
                   {"name": "Homepage", "value": "<a href=\"https://acme.example\"><span class=\"invisible\">https://</span><span>acme.example</span></a>"}]
    }))
    .unwrap();
    assert_eq!(website_of(&a).as_deref(), Some("https://acme.example"));
    let a: api::Account = serde_json::from_value(serde_json::json!({
        "id": "1", "url": "https://m.example/@acme",
        "fields": [{"name": "Shop", "value": "<a href=\"https://shop.example\">https://shop.example</a>"}]
    }))
    .unwrap();
    assert_eq!(website_of(&a).as_deref(), Some("https://shop.example"));
    let a: api::Account =
        serde_json::from_value(serde_json::json!({"id": "1", "url": "https://m.example/@acme"}))
            .unwrap();
    assert_eq!(website_of(&a).as_deref(), Some("https://m.example/@acme"));
}

#[test]
fn ids_cannot_escape_the_path() {
    let m = adapter();
    let url = m
        .url(&["api", "v1", "statuses", "../../admin?x=1#y"])
        .unwrap();
    assert_eq!(url.path(), "/api/v1/statuses/..%2F..%2Fadmin%3Fx=1%23y");
    assert_eq!(url.query(), None);
}

#[test]
fn debug_never_shows_the_token() {
    let m = Mastodon::new(MastodonConfig::new("https://m.example", "TOPSECRET-TOKEN").unwrap())
        .unwrap();
    assert!(!format!("{m:?}").contains("TOPSECRET"));
    assert!(!format!("{:?}", m.config()).contains("TOPSECRET"));
}

#[test]
fn registry_builds_from_url_and_settings() {
    let r = Registry::default();
    let p = r.from_url("mastodon://tok@m.example").unwrap();
    assert_eq!(p.name(), "mastodon");
    assert_eq!(p.capabilities().text.max, 500);
    let p = r
        .from_config(&crate::ChannelConfig {
            platform: "mastodon".into(),
            settings: serde_json::json!({"instance": "m.example", "token": "tok"}),
        })
        .unwrap();
    assert_eq!(p.name(), "mastodon");
    let e = r
        .from_config(&crate::ChannelConfig {
            platform: "mastodon".into(),
            settings: serde_json::json!({"instance": "m.example"}),
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
    let e = r.from_url("mastodon://TOPSECRET@").unwrap_err();
    assert!(!e.to_string().contains("TOPSECRET"));
}

#[test]
fn unreadable_notifications_keep_their_place() {
    let n = lenient_notification(
        serde_json::json!({"id": "5", "type": 7, "created_at": "2026-01-01T00:00:00Z"}),
    )
    .unwrap();
    assert_eq!(n.id, "5");
    assert_eq!(n.kind, "unreadable");
    assert!(adapter().to_interaction(n, "1").is_none());
    let n = lenient_notification(
        serde_json::json!({"id": 6, "type": "follow", "account": {"id": "2"}}),
    )
    .unwrap();
    assert_eq!(n.id, "6");
    assert_eq!(
        n.kind, "unreadable",
        "a numeric id is not a Mastodon notification"
    );
    assert!(lenient_notification(serde_json::json!({"type": "follow"})).is_none());
    assert!(lenient_notification(serde_json::json!("garbage")).is_none());
    let ok = lenient_notification(
        serde_json::json!({"id": "7", "type": "follow", "account": {"id": "2"}}),
    )
    .unwrap();
    assert_eq!(ok.kind, "follow");
}

#[tokio::test]
async fn calls_to_a_server_that_closes_every_connection_say_connection_close() {
    use super::twin::{Twin, TwinOptions};
    let url = url::Url::parse("https://m.example/api/v1/statuses").unwrap();
    let snac = Twin::start_with(TwinOptions {
        version: "4.0.0 (not true; really snac/2.75)".into(),
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let m = Mastodon::connect(snac.config()).await.unwrap();
    let call = m.authed(Call::get(PLATFORM, "x", url.clone()));
    assert_eq!(call.headers()["connection"], "close");
    let mastodon = Twin::start().await.unwrap();
    let m = Mastodon::connect(mastodon.config()).await.unwrap();
    let call = m.authed(Call::get(PLATFORM, "x", url));
    assert!(
        call.headers().get("connection").is_none(),
        "keep-alive elsewhere"
    );
}
