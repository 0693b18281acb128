//! LinkedIn adapter against its twin: every mapped error, escaping, uploads on a manual
//! clock, validation before any request, the 60-day token signals, no token in any output.

use std::sync::Arc;
use std::time::Duration;

use socialkit::adapters::linkedin::twin::{LinkedInFault, Twin, TwinOptions};
use socialkit::adapters::linkedin::{LinkedIn, LinkedInConfig};
use socialkit::clock::ManualClock;
use socialkit::http::Client;
use socialkit::model::{Media, Post, PostRef, PublishOptions};
use socialkit::{ErrorKind, Platform, PlatformExt, Registry};

fn manual_client() -> (Client, ManualClock) {
    let clock = ManualClock::new(chrono::Utc::now());
    (Client::default().with_clock(Arc::new(clock.clone())), clock)
}

async fn setup_with(options: TwinOptions) -> (Twin, LinkedIn, ManualClock) {
    let twin = Twin::start_with(options).await.unwrap();
    let (client, clock) = manual_client();
    let li = LinkedIn::with_client(twin.config(), client);
    (twin, li, clock)
}

async fn setup() -> (Twin, LinkedIn, ManualClock) {
    setup_with(TwinOptions::default()).await
}

#[tokio::test]
async fn escaping_keeps_the_whole_text_and_hashtags() {
    let (twin, li, _) = setup().await;
    let text = "Launch (v2) is *live* — see <docs> @team #rust_lang ~ {all}";
    let p = li.publish_text(text).await.unwrap();
    let stored = twin.handle().post(&p.post.id).unwrap();
    assert_eq!(
        stored.shown, stored.commentary,
        "LinkedIn would have cut the text"
    );
    assert!(stored.shown.contains(r"{hashtag|\#|rust\_lang}"));
    let recent = li.recent_posts(1).await.unwrap();
    assert_eq!(
        recent[0].text, text,
        "recent posts show the text as written"
    );
}

#[tokio::test]
async fn duplicate_post_is_duplicate() {
    let (twin, li, _) = setup().await;
    li.publish_text("same words").await.unwrap();
    let e = li.publish_text("same words").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Duplicate, "{e}");
    assert_eq!(e.context().platform_code.as_deref(), Some("DUPLICATE_POST"));
    assert_eq!(twin.handle().posts().len(), 1);
}

#[tokio::test]
async fn revoked_and_expired_tokens_mean_reconnect_without_leaking() {
    let (twin, li, _) = setup().await;
    twin.handle().revoke();
    let e = li.publish_text("hello").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert!(
        e.to_string().contains("revoked") && e.to_string().contains("reconnected"),
        "{e}"
    );
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("REVOKED_ACCESS_TOKEN")
    );
    let token = TwinOptions::default().token;
    for shown in [
        e.to_string(),
        format!("{e:?}"),
        format!("{li:?}"),
        format!("{:?}", twin.config()),
    ] {
        assert!(!shown.contains(&token), "{shown}");
    }

    // A token known to be expired is refused before any request.
    let twin = Twin::start().await.unwrap();
    let mut config = twin.config();
    config.expires_at = Some(chrono::Utc::now() - chrono::Duration::hours(1));
    let li = LinkedIn::with_client(config, manual_client().0);
    assert!(li.reconnect_due(chrono::Duration::days(7)).await);
    let e = li.publish_text("too late").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert!(e.to_string().contains("reconnected"), "{e}");
    assert_eq!(twin.handle().requests().count(), 0);
}

#[tokio::test]
async fn throttling_waits_until_midnight_utc_and_creates_are_sent_once() {
    let (twin, li, clock) = setup().await;
    let h = twin.handle();
    h.inject(
        Some("POST"),
        Some("/rest/posts"),
        1,
        LinkedInFault::throttled(),
    );
    let e = li.publish_text("limited").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    let at = e.retry_after().unwrap();
    let now = socialkit::clock::Clock::now(&clock);
    assert!(at > now && at - now <= chrono::Duration::hours(24));
    assert_eq!(at.format("%H:%M:%S").to_string(), "00:00:00");
    assert_eq!(h.requests().count_to("POST", "/rest/posts"), 1);

    let (twin, li, _) = setup_with(TwinOptions {
        daily_calls: 1,
        ..TwinOptions::default()
    })
    .await;
    li.publish_text("one").await.unwrap();
    assert_eq!(
        li.publish_text("two").await.unwrap_err().kind(),
        ErrorKind::RateLimited
    );
    assert_eq!(twin.handle().posts().len(), 1);
}

#[tokio::test]
async fn permission_validation_and_server_errors() {
    let (twin, li, _) = setup().await;
    let h = twin.handle();
    h.inject(
        Some("POST"),
        Some("/rest/posts"),
        1,
        LinkedInFault::access_denied(),
    );
    assert_eq!(
        li.publish_text("a").await.unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    h.inject(
        Some("POST"),
        Some("/rest/posts"),
        1,
        LinkedInFault::illegal_argument(),
    );
    assert_eq!(
        li.publish_text("b").await.unwrap_err().kind(),
        ErrorKind::Validation
    );
    h.inject(
        Some("POST"),
        Some("/rest/posts"),
        1,
        LinkedInFault::server_error(503),
    );
    let e = li.publish_text("c").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(e.is_retryable());
    // Reads are retried past a 5xx.
    h.inject(
        Some("GET"),
        Some("/v2/userinfo"),
        1,
        socialkit::testkit::twin::Canned::html(502),
    );
    assert_eq!(li.channel().await.unwrap().platform, "linkedin");
    // A posted author that the token may not use: the twin's 403.
    let mut config = twin.config();
    config.author = Some("urn:li:organization:999".into());
    let other = LinkedIn::with_client(config, manual_client().0);
    assert_eq!(
        other.publish_text("d").await.unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    assert!(h.posts().is_empty());
}

#[tokio::test]
async fn validation_happens_before_any_request() {
    let (twin, li, _) = setup().await;
    let e = li.publish_thread(&["one", "two"]).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(
        e.to_string().contains("linkedin does not support threads"),
        "{e}"
    );
    // 2990 characters fit as written, but not once 20 parentheses are escaped.
    let text = format!("{}{}", "a".repeat(2970), "()".repeat(10));
    let e = li.publish_text(&text).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("escaped"), "{e}");
    let e = li.publish_text(&"a".repeat(3001)).await.unwrap_err();
    assert!(e.to_string().contains("the limit is 3000"), "{e}");
    let both = Post::text("both")
        .with_link("https://example.com")
        .with_media(Media::image_bytes("image/png", vec![1]));
    assert_eq!(
        li.publish(&both, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    let mixed = Post::text("mixed")
        .with_media(Media::from_bytes("application/pdf", vec![1]))
        .with_media(Media::image_bytes("image/png", vec![1]));
    assert_eq!(
        li.publish(&mixed, &PublishOptions::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    assert_eq!(twin.handle().requests().count(), 0);
}

#[tokio::test]
async fn video_parts_carry_etags_and_processing_is_polled_on_the_clock() {
    let (twin, li, clock) = setup_with(TwinOptions {
        video_part_bytes: 1000,
        media_processing_polls: 3,
        ..TwinOptions::default()
    })
    .await;
    let post = Post::text("video")
        .with_media(Media::from_bytes("video/mp4", vec![3; 2500]).with_alt("anvil"));
    let p = li.publish(&post, &PublishOptions::default()).await.unwrap();
    let stored = twin.handle().post(&p.post.id).unwrap();
    let urn = stored.content.unwrap()["media"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let asset = twin.handle().asset(&urn).unwrap();
    assert_eq!(asset.received, vec![1000, 1000, 500]);
    assert_eq!(asset.status, "AVAILABLE");
    assert_eq!(twin.handle().requests().count_to("PUT", "/dms-uploads/"), 3);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1); 2]);

    // Several images become a multiImage post; a PDF a document post.
    let images = Post::text("gallery")
        .with_media(Media::image_bytes("image/png", vec![1; 10]).with_alt("one"))
        .with_media(Media::image_bytes("image/jpeg", vec![2; 10]));
    let p = li
        .publish(&images, &PublishOptions::default())
        .await
        .unwrap();
    let content = twin.handle().post(&p.post.id).unwrap().content.unwrap();
    assert_eq!(content["multiImage"]["images"].as_array().unwrap().len(), 2);
    let doc = Post::text("deck")
        .with_media(Media::from_bytes("application/pdf", vec![9; 10]).with_alt("Q3 deck"));
    let p = li.publish(&doc, &PublishOptions::default()).await.unwrap();
    let content = twin.handle().post(&p.post.id).unwrap().content.unwrap();
    assert!(
        content["media"]["id"]
            .as_str()
            .unwrap()
            .starts_with("urn:li:document:")
    );
}

#[tokio::test]
async fn failed_processing_is_content_rejected() {
    let (twin, li, _) = setup_with(TwinOptions {
        media_processing_fails: true,
        ..TwinOptions::default()
    })
    .await;
    let post = Post::text("bad").with_media(Media::from_bytes("video/mp4", vec![1; 10]));
    let e = li
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentRejected, "{e}");
    assert!(twin.handle().posts().is_empty());
}

#[tokio::test]
async fn deletes_report_not_found_although_linkedin_answers_204() {
    let (twin, li, _) = setup().await;
    let p = li.publish_text("gone soon").await.unwrap();
    li.delete(&p.post).await.unwrap();
    assert_eq!(
        li.delete(&p.post).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(twin.handle().posts().is_empty());
    let nowhere = PostRef::new("linkedin", "urn:li:share:1");
    assert_eq!(
        li.delete(&nowhere).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn organization_channel_and_metrics() {
    let (twin, li, _) = setup_with(TwinOptions::organization()).await;
    let me = li.channel().await.unwrap();
    assert_eq!(me.handle, "acme");
    assert_eq!(me.metrics.followers, Some(1234));
    let p = li.publish_text("metrics").await.unwrap();
    twin.handle().engage(&p.post.id, 7, 1000, 30, 4);
    twin.handle()
        .add_comment(&p.post.id, "urn:li:person:bob", "nice")
        .unwrap();
    let m = li
        .post_metrics(std::slice::from_ref(&p.post))
        .await
        .unwrap();
    assert_eq!(
        (
            m[0].likes,
            m[0].replies,
            m[0].impressions,
            m[0].reach,
            m[0].clicks,
            m[0].reposts
        ),
        (Some(7), Some(1), Some(1000), Some(500), Some(30), Some(4))
    );
    assert_eq!(m[0].saves, None);
}

#[tokio::test]
async fn statistics_that_do_not_list_a_post_report_none_not_zero() {
    let (twin, li, _) = setup_with(TwinOptions::organization()).await;
    let p = li.publish_text("too fresh for statistics").await.unwrap();
    twin.handle().engage(&p.post.id, 2, 1000, 30, 4);
    // LinkedIn's statistics lag: the answer does not list the new post yet.
    twin.handle().inject(
        Some("GET"),
        Some("/rest/organizationalEntityShareStatistics"),
        1,
        socialkit::testkit::twin::Canned::json(
            200,
            serde_json::json!({"elements": [], "paging": {"start": 0, "count": 10, "links": []}}),
        ),
    );
    let m = li
        .post_metrics(std::slice::from_ref(&p.post))
        .await
        .unwrap();
    assert_eq!(m[0].likes, Some(2), "socialMetadata still answers");
    assert_eq!(
        (m[0].impressions, m[0].reach, m[0].clicks, m[0].reposts),
        (None, None, None, None)
    );
}

#[tokio::test]
async fn registry_and_config_forms() {
    let twin = Twin::start().await.unwrap();
    let li = Registry::default().from_url(&twin.channel_url()).unwrap();
    assert_eq!(li.name(), "linkedin");
    li.publish_text("via the registry").await.unwrap();
    let err = Registry::default()
        .from_url("linkedin://very-secret-token@api.linkedin.com?author=acme")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    assert!(!format!("{err} {err:?}").contains("very-secret-token"));
    let c: LinkedInConfig =
        serde_json::from_value(serde_json::json!({"token": "very-secret-token"})).unwrap();
    assert!(!format!("{c:?}").contains("very-secret-token"));
    assert!(
        serde_json::from_value::<LinkedInConfig>(
            serde_json::json!({"token": "t", "version": "2026-01"})
        )
        .is_err()
    );
}
