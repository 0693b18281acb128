//! Pinterest against its twin: image, carousel and video pins, board and section choice,
//! limits, delete, analytics, tokens and the failure paths.

use socialkit::adapters::pinterest::twin::{BOARD, OTHER_BOARD, SECTION, Twin};
use socialkit::adapters::pinterest::{Pinterest, PinterestConfig};
use socialkit::model::{Media, Post, PostRef, PublishOptions};
use socialkit::testkit::twin::Canned;
use socialkit::{ErrorKind, Platform};

fn adapter(twin: &Twin) -> Pinterest {
    Pinterest::with_client(twin.config(), twin.client())
}

fn image(n: u8) -> Media {
    Media::from_url("image/jpeg", format!("https://cdn.example/{n}.jpg"))
}

#[tokio::test]
async fn an_image_pin_has_title_description_link_and_alt_text() {
    let twin = Twin::start().await.unwrap();
    let p = adapter(&twin);
    let post = Post::text("Anvils of 2026\nOur favourites, forged in Sheffield.")
        .with_link("https://acme.example/anvils")
        .with_media(image(1).with_alt("A red anvil"));
    let published = p.publish(&post, &PublishOptions::default()).await.unwrap();
    let pin = twin.handle().pin(&published.post.id).unwrap();
    assert_eq!(pin.title.as_deref(), Some("Anvils of 2026"));
    assert_eq!(
        pin.description.as_deref(),
        Some("Our favourites, forged in Sheffield.")
    );
    assert_eq!(pin.link.as_deref(), Some("https://acme.example/anvils"));
    assert_eq!(pin.alt_text.as_deref(), Some("A red anvil"));
    assert_eq!(
        (pin.board_id.as_str(), pin.source_type.as_str()),
        (BOARD, "image_url")
    );
    assert!(published.post.url.unwrap().contains(&pin.id));
}

#[tokio::test]
async fn bytes_carousels_and_other_boards() {
    let twin = Twin::start().await.unwrap();
    let p = adapter(&twin);
    let bytes = Post::text("one").with_media(Media::image_bytes(
        "image/png",
        vec![0x89, b'P', b'N', b'G'],
    ));
    let a = p.publish(&bytes, &PublishOptions::default()).await.unwrap();
    assert_eq!(
        twin.handle().pin(&a.post.id).unwrap().source_type,
        "image_base64"
    );
    let carousel = Post::text("three")
        .with_media(image(1))
        .with_media(image(2))
        .with_media(image(3));
    let b = p.publish_to(&carousel, OTHER_BOARD, None).await.unwrap();
    let pin = twin.handle().pin(&b.post.id).unwrap();
    assert_eq!(
        (
            pin.source_type.as_str(),
            pin.media_count,
            pin.board_id.as_str()
        ),
        ("multiple_image_urls", 3, OTHER_BOARD)
    );
    let c = p
        .publish_to(
            &Post::text("sectioned").with_media(image(4)),
            BOARD,
            Some(SECTION),
        )
        .await
        .unwrap();
    assert_eq!(
        twin.handle()
            .pin(&c.post.id)
            .unwrap()
            .board_section_id
            .as_deref(),
        Some(SECTION)
    );
    // A board that is not the account's: NotFound from Pinterest.
    let e = p
        .publish_to(&Post::text("x").with_media(image(5)), "42", None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    // Boards and sections to choose from.
    assert_eq!(p.boards().await.unwrap().len(), 2);
    assert_eq!(p.board_sections(BOARD).await.unwrap()[0].id, SECTION);
}

#[tokio::test]
async fn limits_are_refused_before_sending() {
    let twin = Twin::start().await.unwrap();
    let p = adapter(&twin);
    let cases = [
        Post::text(format!("{}\nbody", "t".repeat(101))).with_media(image(1)),
        Post::text("d".repeat(801)).with_media(image(1)),
        Post::text("x").with_media(image(1).with_alt("a".repeat(501))),
        Post::text("x")
            .with_media(image(1))
            .with_link(format!("https://a.example/{}", "p".repeat(2048))),
        Post::text("six")
            .with_media(image(1))
            .with_media(image(2))
            .with_media(image(3))
            .with_media(image(4))
            .with_media(image(5))
            .with_media(image(6)),
        Post::text("no media"),
        Post::text("gif").with_media(Media::from_url("image/gif", "https://cdn.example/a.gif")),
    ];
    for post in cases {
        let e = p
            .publish(&post, &PublishOptions::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    }
    assert!(
        p.publish_to(&Post::text("x").with_media(image(1)), "not-digits", None)
            .await
            .is_err()
    );
    assert_eq!(twin.handle().log().count(), 0, "nothing was sent");
}

#[tokio::test]
async fn a_video_is_registered_uploaded_processed_then_pinned() {
    let twin = Twin::start().await.unwrap();
    let p = adapter(&twin);
    let video = Post::text("Forging\nTen minutes at the anvil")
        .with_media(Media::from_bytes("video/mp4", vec![5; 3000]));
    let published = p.publish(&video, &PublishOptions::default()).await.unwrap();
    assert_eq!(
        twin.handle().pin(&published.post.id).unwrap().source_type,
        "video_id"
    );
    let h = twin.handle();
    assert_eq!(h.log().count_to("POST", "/v5/media"), 1);
    assert_eq!(h.log().count_to("POST", "/s3-upload"), 1);
    assert!(
        h.log().count_to("GET", "/v5/media/") >= 2,
        "polled until succeeded"
    );
    // A video Pinterest cannot process: a typed error, no pin.
    h.fail_next_video();
    let e = p
        .publish(&video, &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(h.pins().len(), 1);
}

#[tokio::test]
async fn delete_metrics_recent_and_channel() {
    let twin = Twin::start().await.unwrap();
    let p = adapter(&twin);
    let a = p
        .publish(
            &Post::text("Counted\nwith numbers").with_media(image(1)),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    twin.handle().set_stats(&a.post.id, 240, 20);
    let m = p.post_metrics(std::slice::from_ref(&a.post)).await.unwrap();
    assert_eq!(
        (m[0].impressions, m[0].saves, m[0].clicks),
        (Some(240), Some(20), Some(0))
    );
    assert_eq!(
        (m[0].likes, m[0].replies, m[0].reach),
        (Some(1), Some(0), None)
    );
    let recent = p.recent_posts(10).await.unwrap();
    assert_eq!(recent[0].text, "Counted\nwith numbers");
    let c = p.channel().await.unwrap();
    assert_eq!(
        (c.handle.as_str(), c.metrics.followers),
        ("acme_twin", Some(10))
    );
    p.delete(&a.post).await.unwrap();
    assert_eq!(
        p.delete(&a.post).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let e = p
        .post_metrics(&[PostRef::new("pinterest", "999")])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn tokens_refresh_and_failures_are_typed() {
    let twin = Twin::start().await.unwrap();
    let p = adapter(&twin);
    let h = twin.handle();
    h.expire_tokens();
    p.channel().await.unwrap();
    let t = p.tokens().token().await;
    assert_eq!(t.access_token.expose(), "pina_twin1");
    assert_eq!(t.refresh_token.unwrap().expose(), "pinr_twin1");
    let limited = || {
        Canned::json(
            429,
            serde_json::json!({"code": 8, "message": "Rate limit exceeded"}),
        )
        .with_header("Retry-After", "30")
    };
    // One 429 on a read: waited out (on the manual clock) and asked again.
    h.faults()
        .inject(Some("GET"), Some("/v5/user_account"), 1, limited());
    p.channel().await.unwrap();
    // Throttled for good: a typed error with the time to come back.
    h.faults()
        .inject(Some("GET"), Some("/v5/user_account"), 50, limited());
    let e = p.channel().await.unwrap_err();
    h.faults().clear();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.retry_after().is_some());
    h.faults().inject(
        Some("GET"),
        Some("/v5/user_account"),
        1,
        Canned::malformed_json(),
    );
    assert_eq!(p.channel().await.unwrap_err().kind(), ErrorKind::Unexpected);
    // A pin create that fails with 5xx is not sent again (in doubt: the engine reconciles).
    h.faults()
        .inject(Some("POST"), Some("/v5/pins"), 1, Canned::text(503, "busy"));
    let e = p
        .publish(
            &Post::text("x").with_media(image(1)),
            &PublishOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert_eq!(h.log().count_to("POST", "/v5/pins"), 1);
    assert!(!format!("{p:?}").contains("pina_twin"));
    let bad =
        PinterestConfig::from_url_str("pinterest://t@api.pinterest.com?board_id=1&refresh_token=r");
    assert_eq!(bad.unwrap_err().kind(), ErrorKind::ConfigInvalid);
}

#[tokio::test]
async fn the_connect_flow_exchanges_the_code_with_basic_auth() {
    use socialkit::adapters::pinterest::oauth;
    use socialkit::auth::connect::{Callback, PendingConnect};
    let twin = Twin::start().await.unwrap();
    let mut config = oauth::config("1484362", "twin-app-secret", "https://app.example/cb");
    config.token_url = twin.url().join("v5/oauth/token").unwrap();
    let client = socialkit::auth::OAuth2Client::new("pinterest", config);
    let (url, pending) = PendingConnect::start(&client, false, chrono::Utc::now());
    assert!(
        url.as_str()
            .contains("scope=user_accounts%3Aread%2Cboards%3Aread")
    );
    let cb = Callback::parse(&format!(
        "code={}&state={}",
        socialkit::adapters::pinterest::twin::TWIN_CODE,
        pending.state.as_str()
    ))
    .unwrap();
    let token = pending
        .complete(&client, &twin.client(), &cb)
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), "pina_twin1");
}
