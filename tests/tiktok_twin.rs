//! TikTok against its twin: every publish path (chunked file upload, pull from URL, photos,
//! inbox), the creator-info checks, the fail reasons, tokens, metrics and the failure paths
//! (429, 5xx, lost chunk answers, malformed answers, a post that never finishes).

use socialkit::adapters::tiktok::twin::{Twin, TwinOptions};
use socialkit::adapters::tiktok::upload::MIB;
use socialkit::adapters::tiktok::{PostMode, PrivacyLevel, TikTok, TikTokConfig};
use socialkit::model::{Media, Post, PostRef, PublishOptions, Visibility};
use socialkit::testkit::twin::Canned;
use socialkit::{ErrorKind, Platform};

fn video(len: usize) -> Media {
    Media::from_bytes("video/mp4", (0..len).map(|i| (i % 251) as u8).collect())
}

fn adapter(twin: &Twin, change: impl FnOnce(&mut TikTokConfig)) -> TikTok {
    let mut config = twin.config();
    change(&mut config);
    TikTok::with_client(config, twin.client())
}

async fn publish(t: &TikTok, post: Post) -> socialkit::Result<socialkit::model::Published> {
    t.publish(&post, &PublishOptions::default()).await
}

#[tokio::test]
async fn a_large_video_goes_in_chunks_by_the_rules_and_is_published() {
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |c| c.chunk_size = 5 * MIB);
    let media = video((12 * MIB) as usize);
    let bytes = match &media.source {
        socialkit::model::MediaSource::Bytes(b) => b.clone(),
        _ => unreachable!(),
    };
    let p = publish(&t, Post::text("A long one #anvil").with_media(media))
        .await
        .unwrap();
    let h = twin.handle();
    let publishes = h.publishes();
    assert_eq!(publishes.len(), 1);
    let pb = &publishes[0];
    // 12 MiB in 5 MiB chunks: floor(12/5) = 2 chunks, the last one 7 MiB.
    assert_eq!(pb.plan, Some((12 * MIB, 5 * MIB, 2)));
    assert_eq!(pb.chunks, 2);
    assert!(pb.received == bytes, "the bytes arrived whole and in order");
    assert_eq!(pb.privacy, "SELF_ONLY");
    assert_eq!(p.post.id, pb.post_id.clone().unwrap());
    assert_eq!(p.post.meta("publish_id"), Some(pb.publish_id.as_str()));
    assert_eq!(h.video(&p.post.id).unwrap().title, "A long one #anvil");
    // Creator info first, then the init, two chunks, and the status polls.
    let paths: Vec<String> = h.log().all().into_iter().map(|s| s.path).collect();
    assert_eq!(paths[0], "/v2/post/publish/creator_info/query/");
    assert_eq!(paths[1], "/v2/post/publish/video/init/");
    assert!(paths[2].starts_with("/upload/") && paths[3].starts_with("/upload/"));
}

#[tokio::test]
async fn a_lost_chunk_answer_is_sent_again_and_the_upload_completes() {
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |_| {});
    twin.handle().faults().inject(
        Some("PUT"),
        Some("/upload/"),
        1,
        Canned::text(502, "bad gateway"),
    );
    let p = publish(&t, Post::text("retry").with_media(video(4000)))
        .await
        .unwrap();
    assert!(twin.handle().video(&p.post.id).is_some());
    assert_eq!(twin.handle().log().count_to("PUT", "/upload/"), 2);
}

#[tokio::test]
async fn a_video_by_url_is_pulled_and_an_unverified_url_is_refused() {
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |_| {});
    let ok = Media::from_url("video/mp4", "https://media.example.com/a.mp4");
    let p = publish(&t, Post::text("pulled").with_media(ok))
        .await
        .unwrap();
    let pb = &twin.handle().publishes()[0];
    assert_eq!(pb.urls, ["https://media.example.com/a.mp4"]);
    assert!(pb.publish_id.starts_with("v_pub_url"));
    assert!(twin.handle().video(&p.post.id).is_some());

    let bad = Media::from_url("video/mp4", "https://elsewhere.example/a.mp4");
    let e = publish(&t, Post::text("x").with_media(bad))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("url_ownership_unverified")
    );
    assert!(e.to_string().contains("verified"), "{e}");
}

#[tokio::test]
async fn photos_go_by_url_and_bytes_are_refused_before_sending() {
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |_| {});
    let post = Post::text("Three anvils")
        .with_media(Media::from_url(
            "image/jpeg",
            "https://media.example.com/1.jpg",
        ))
        .with_media(Media::from_url(
            "image/jpeg",
            "https://media.example.com/2.jpg",
        ));
    let p = publish(&t, post).await.unwrap();
    let pb = &twin.handle().publishes()[0];
    assert_eq!((pb.media_type, pb.urls.len()), ("photo", 2));
    assert_eq!(
        twin.handle().video(&p.post.id).unwrap().title,
        "Three anvils"
    );

    twin.handle().log().reset();
    let bytes = Post::text("x").with_media(Media::image_bytes("image/jpeg", vec![1, 2, 3]));
    let e = publish(&t, bytes).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let mixed = Post::text("x")
        .with_media(video(10))
        .with_media(Media::from_url(
            "image/jpeg",
            "https://media.example.com/1.jpg",
        ));
    assert_eq!(
        publish(&t, mixed).await.unwrap_err().kind(),
        ErrorKind::Validation
    );
    let none = Post::text("text alone");
    assert_eq!(
        publish(&t, none).await.unwrap_err().kind(),
        ErrorKind::Validation
    );
    let long = Post::text("é".repeat(2201)).with_media(video(10));
    assert_eq!(
        publish(&t, long).await.unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(twin.handle().log().count(), 0, "nothing was sent");
}

#[tokio::test]
async fn an_inbox_upload_ends_in_the_creators_inbox() {
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |c| c.mode = PostMode::Inbox);
    let p = publish(&t, Post::text("draft").with_media(video(2000)))
        .await
        .unwrap();
    let pb = &twin.handle().publishes()[0];
    assert!(!pb.direct);
    assert_eq!(pb.status, "SEND_TO_USER_INBOX");
    assert_eq!(
        p.post.id, pb.publish_id,
        "no video id until the creator posts it"
    );
    assert_eq!(p.post.meta("status"), Some("SEND_TO_USER_INBOX"));
    assert_eq!(
        twin.handle()
            .log()
            .count_to("POST", "/v2/post/publish/inbox/video/init/"),
        1
    );
    // Metrics of a publish id: nothing to ask, every value None.
    let m = t.post_metrics(&[p.post]).await.unwrap();
    assert_eq!(m[0].video_views, None);
}

#[tokio::test]
async fn a_failed_post_reports_its_reason() {
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |_| {});
    for (reason, kind) in [
        ("duration_check_failed", ErrorKind::Validation),
        ("spam_risk_text", ErrorKind::ContentRejected),
        ("auth_removed", ErrorKind::Unauthenticated),
        ("internal", ErrorKind::Platform),
    ] {
        twin.handle().fail_next(reason);
        let e = publish(&t, Post::text("x").with_media(video(100)))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{reason}");
        assert_eq!(e.context().platform_code.as_deref(), Some(reason));
    }
}

#[tokio::test]
async fn creator_info_refusals_stop_the_publish_before_any_upload() {
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |_| {});
    twin.handle()
        .refuse_posting(Some("spam_risk_too_many_posts"));
    let e = publish(&t, Post::text("x").with_media(video(100)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.retry_after().is_some());
    twin.handle()
        .refuse_posting(Some("spam_risk_user_banned_from_posting"));
    let e = publish(&t, Post::text("x").with_media(video(100)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        twin.handle()
            .log()
            .count_to("POST", "/v2/post/publish/video"),
        0
    );
}

#[tokio::test]
async fn privacy_follows_the_audit_and_the_creators_options() {
    // The creator allows only private posts: a followers post is refused before the init.
    let options = TwinOptions {
        audited: true,
        privacy_options: vec!["SELF_ONLY"],
        ..TwinOptions::default()
    };
    let twin = Twin::start_with(options).await.unwrap();
    let t = adapter(&twin, |c| c.audited = true);
    assert!(
        t.capabilities()
            .visibilities
            .contains(&Visibility::Followers)
    );
    let mut post = Post::text("followers").with_media(video(100));
    post.visibility = Visibility::Followers;
    let e = publish(&t, post).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("privacy_level_option_mismatch")
    );
    assert_eq!(
        twin.handle()
            .log()
            .count_to("POST", "/v2/post/publish/video"),
        0
    );

    // An app that claims an audit TikTok has not done: TikTok's refusal, typed.
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |c| {
        c.audited = true;
        c.privacy = PrivacyLevel::PublicToEveryone;
    });
    let e = publish(&t, Post::text("public").with_media(video(100)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert!(e.to_string().contains("SELF_ONLY"), "{e}");

    // Unaudited: private posts only, refused before anything is sent.
    let t = adapter(&twin, |_| {});
    assert!(t.capabilities().visibilities.is_empty());
    twin.handle().log().reset();
    let mut post = Post::text("followers").with_media(video(100));
    post.visibility = Visibility::Followers;
    let e = publish(&t, post).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert_eq!(twin.handle().log().count(), 0, "nothing was sent");
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_rotated_refresh_token_kept() {
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |_| {});
    twin.handle().expire_tokens();
    let c = t.channel().await.unwrap();
    assert_eq!(c.handle, "twin.creator");
    assert_eq!(c.metrics.followers, Some(1200));
    let token = t.tokens().token().await;
    assert_eq!(token.access_token.expose(), "act.twin1");
    assert_eq!(token.refresh_token.unwrap().expose(), "rft.twin1");
    let live: Vec<String> = twin
        .handle()
        .refresh_tokens()
        .iter()
        .map(|s| s.expose().to_string())
        .collect();
    assert_eq!(live, ["rft.twin1"], "the old refresh token is retired");
    // Again: the rotated refresh token is the one used.
    twin.handle().expire_tokens();
    t.channel().await.unwrap();
    assert_eq!(t.tokens().token().await.access_token.expose(), "act.twin2");
    assert!(!format!("{t:?}").contains("act.twin"));
}

#[tokio::test]
async fn metrics_come_from_video_query_and_unreported_ones_are_none() {
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |_| {});
    let p = publish(&t, Post::text("counted").with_media(video(100)))
        .await
        .unwrap();
    twin.handle().set_stats(&p.post.id, 900, 41);
    let unknown = PostRef::new("tiktok", "7300000000000099999");
    let m = t.post_metrics(&[p.post.clone(), unknown]).await.unwrap();
    assert_eq!(
        (m[0].video_views, m[0].likes, m[0].replies),
        (Some(900), Some(41), Some(0))
    );
    assert_eq!(m[0].impressions, None);
    assert_eq!(m[1].likes, None);
    let recent = t.recent_posts(5).await.unwrap();
    assert_eq!(recent[0].post.id, p.post.id);
    assert_eq!(recent[0].text, "counted");
}

#[tokio::test]
async fn rate_limits_server_errors_and_malformed_answers_are_typed() {
    let twin = Twin::start().await.unwrap();
    let t = adapter(&twin, |_| {});
    let h = twin.handle();
    let limited = Canned::json(
        429,
        serde_json::json!({"error": {"code": "rate_limit_exceeded", "message": "slow down", "log_id": "x"}}),
    )
    .with_header("Retry-After", "30");
    h.faults()
        .inject(Some("POST"), Some("creator_info"), 10, limited);
    let e = publish(&t, Post::text("x").with_media(video(100)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.retry_after().is_some());
    h.faults().clear();

    // A status fetch that fails with 503 is asked again (it changes nothing).
    h.faults().inject(
        Some("POST"),
        Some("status/fetch"),
        1,
        Canned::text(503, "busy"),
    );
    publish(&t, Post::text("y").with_media(video(100)))
        .await
        .unwrap();

    // A malformed answer is an error, not a panic.
    h.faults().inject(
        Some("GET"),
        Some("/v2/user/info/"),
        1,
        Canned::malformed_json(),
    );
    assert_eq!(t.channel().await.unwrap_err().kind(), ErrorKind::Unexpected);
    h.faults().inject(
        Some("GET"),
        Some("/v2/user/info/"),
        1,
        Canned::json(200, serde_json::json!({"error": {"code": "ok"}})),
    );
    assert_eq!(t.channel().await.unwrap_err().kind(), ErrorKind::Unexpected);
    // A failed video init (5xx) is not sent again: a write is in doubt.
    h.faults().inject(
        Some("POST"),
        Some("video/init"),
        1,
        Canned::text(500, "oops"),
    );
    let before = h.log().count_to("POST", "/v2/post/publish/video/init/");
    let e = publish(&t, Post::text("z").with_media(video(100)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert_eq!(
        h.log().count_to("POST", "/v2/post/publish/video/init/"),
        before + 1
    );
}

#[tokio::test]
async fn a_post_that_never_finishes_times_out_on_the_clock() {
    let options = TwinOptions {
        processing_polls: 100_000,
        ..TwinOptions::default()
    };
    let twin = Twin::start_with(options).await.unwrap();
    let t = adapter(&twin, |_| {});
    let e = publish(&t, Post::text("slow").with_media(video(100)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    // Every 5 s for 10 minutes: about 120 fetches, no real waiting.
    let polls = twin
        .handle()
        .log()
        .count_to("POST", "/v2/post/publish/status/fetch/");
    assert!((100..=125).contains(&polls), "{polls}");
}

#[tokio::test]
async fn the_connect_flow_sends_the_client_key_and_the_refresh_keeps_it() {
    use socialkit::adapters::tiktok::oauth;
    use socialkit::auth::connect::PendingConnect;
    let client = oauth::client(
        "twin-client-key",
        "twin-client-secret",
        "https://app.example/cb",
    );
    let (url, pending) = PendingConnect::start(&client, false, chrono::Utc::now());
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(q.contains(&("client_key".into(), "twin-client-key".into())));
    assert!(!q.iter().any(|(k, _)| k == "client_id"));
    assert!(q.contains(&("scope".into(), oauth::SCOPES.join(","))));
    // The code comes back and is exchanged at the twin with client_key in the form.
    let twin = Twin::start().await.unwrap();
    let mut config = oauth::config(
        "twin-client-key",
        "twin-client-secret",
        "https://app.example/cb",
    );
    config.token_url = twin.url().join("v2/oauth/token/").unwrap();
    let client = socialkit::auth::OAuth2Client::new("tiktok", config);
    let cb = socialkit::auth::connect::Callback::parse(&format!(
        "code={}&state={}",
        socialkit::adapters::tiktok::twin::TWIN_CODE,
        pending.state.as_str()
    ))
    .unwrap();
    let token = pending
        .complete(&client, &twin.client(), &cb)
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), "act.twin1");
    assert!(token.refresh_token.is_some());
}
