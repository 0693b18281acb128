//! The YouTube adapter against its twin: resumable uploads (also across a connection cut
//! mid-chunk), metadata and thumbnails, the daily quota, comments with cursors, replies,
//! metrics, deletes, token refresh and error mapping.

use std::sync::Arc;

use chrono::Utc;
use socialkit::adapters::youtube::quota::{QuotaConfig, next_reset};
use socialkit::adapters::youtube::twin::{Twin, TwinOptions};
use socialkit::adapters::youtube::{Privacy, VideoUpload, Youtube, YoutubeConfig};
use socialkit::model::{InteractionKind, InteractionQuery, Media, Post, PostRef, PublishOptions};
use socialkit::testkit::twin::Canned;
use socialkit::{ErrorKind, Platform, PlatformExt, Registry};

const UNIT: usize = 256 * 1024;

/// Bytes that differ at every position, so a misplaced chunk shows.
fn video_bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8 ^ (i / 251) as u8).collect()
}

fn adapter(twin: &Twin, f: impl FnOnce(&mut YoutubeConfig)) -> Youtube {
    let mut c = twin.config();
    f(&mut c);
    Youtube::new(c)
}

#[tokio::test]
async fn a_video_is_uploaded_in_chunks_with_its_metadata_and_thumbnail() {
    let twin = Twin::start().await.unwrap();
    let yt = adapter(&twin, |_| {});
    let data = video_bytes(2 * UNIT + 1000);
    let post = Post::text("Anvil 2.0 unboxing\nEverything in the box.\nSee you at the forge.")
        .with_media(Media::from_bytes("video/mp4", data.clone()))
        .with_media(Media::image_bytes(
            "image/jpeg",
            vec![0xFF, 0xD8, 0xFF, 1, 2, 3],
        ));
    let published = yt.publish(&post, &PublishOptions::default()).await.unwrap();
    let h = twin.handle();
    let v = h.video(&published.post.id).expect("the video exists");
    assert_eq!(v.bytes, data);
    assert_eq!(v.title, "Anvil 2.0 unboxing");
    assert_eq!(
        v.description,
        "Everything in the box.\nSee you at the forge."
    );
    assert_eq!(v.privacy, "public");
    assert_eq!(v.made_for_kids, Some(false));
    assert_eq!(v.thumbnail, Some(("image/jpeg".to_string(), 6)));
    assert_eq!(
        published.url(),
        Some(format!("https://www.youtube.com/watch?v={}", v.id).as_str())
    );
    // Three chunks of 256 KiB, 256 KiB and the rest.
    let total = data.len();
    assert_eq!(
        h.content_ranges(),
        [
            format!("bytes 0-{}/{total}", UNIT - 1),
            format!("bytes {UNIT}-{}/{total}", 2 * UNIT - 1),
            format!("bytes {}-{}/{total}", 2 * UNIT, total - 1),
        ]
    );
    // One videos.insert from its bucket, 50 units for the thumbnail.
    assert_eq!(h.spent(), (50, 1));
}

#[tokio::test]
async fn a_cut_connection_resumes_from_the_last_acknowledged_byte() {
    let twin = Twin::start().await.unwrap();
    // Chunks of 512 KiB; the connection breaks 300 KiB into the first one. The twin keeps
    // whole 256 KiB units of what reached it, so it acknowledges less than the client sent.
    let yt = adapter(&twin, |c| c.chunk_size = 2 * UNIT);
    let data = video_bytes(3 * UNIT + 77);
    let total = data.len();
    let h = twin.handle();
    h.cut_upload_after(300 * 1024);
    let mut upload = VideoUpload::new(
        "Cut and resumed",
        Media::from_bytes("video/mp4", data.clone()),
    );
    upload.tags = vec!["anvils".into()];
    let published = yt.upload(&upload).await.unwrap();
    let videos = h.videos();
    assert_eq!(videos.len(), 1, "one video, never two");
    assert_eq!(videos[0].id, published.post.id);
    assert_eq!(videos[0].bytes, data, "every byte once, in order");
    assert_eq!(
        h.content_ranges(),
        [
            format!("bytes 0-{}/{total}", 2 * UNIT - 1),
            // The network failed: where does the session stand?
            format!("bytes */{total}"),
            // 308 Range: bytes=0-262143 → resume at 262144, not at 0 nor at 524288.
            format!("bytes {UNIT}-{}/{total}", 3 * UNIT - 1),
            format!("bytes {}-{}/{total}", 3 * UNIT, total - 1),
        ]
    );
}

#[tokio::test]
async fn an_upload_that_makes_no_progress_gives_up_without_a_video() {
    let twin = Twin::start().await.unwrap();
    let mut retry = socialkit::http::RetryPolicy::default();
    retry.initial_backoff = std::time::Duration::from_millis(5);
    let mut config = socialkit::http::HttpConfig::default();
    config.retry = retry;
    let fast = socialkit::http::Client::new(config).unwrap();
    let yt = Youtube::with_client(twin.config(), fast);
    let h = twin.handle();
    // Every status check answers 503: the upload stops after its bounded resumptions.
    h.faults().inject(
        Some("PUT"),
        Some("/upload/youtube/v3/videos"),
        100,
        Canned::text(503, "busy"),
    );
    let e = yt
        .upload(&VideoUpload::new(
            "Never",
            Media::from_bytes("video/mp4", video_bytes(10)),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Platform | ErrorKind::Network),
        "{e}"
    );
    assert!(h.videos().is_empty());
    let puts = h.log().count_to("PUT", "/upload/youtube/v3/videos");
    assert!((2..=12).contains(&puts), "bounded: {puts} PUTs");
}

#[tokio::test]
async fn the_daily_quota_waits_for_pacific_midnight_before_sending() {
    let twin = Twin::start().await.unwrap();
    let yt = adapter(&twin, |c| {
        c.quota = QuotaConfig {
            daily_uploads: 1,
            ..QuotaConfig::default()
        }
    });
    let post = |t: &str| Post::text(t).with_media(Media::from_bytes("video/mp4", video_bytes(100)));
    yt.publish(&post("First"), &PublishOptions::default())
        .await
        .unwrap();
    let before = twin.handle().log().count();
    let e = yt
        .publish(&post("Second"), &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    let at = e.retry_after().expect("waits for the reset");
    let now = Utc::now();
    assert_eq!(at, next_reset(now));
    assert!(at > now && at - now <= chrono::Duration::hours(25));
    assert_eq!(twin.handle().log().count(), before, "nothing was sent");
    assert_eq!(twin.handle().videos().len(), 1);
}

#[tokio::test]
async fn youtubes_own_quota_exceeded_closes_the_day_for_the_adapter() {
    let twin = Twin::start_with(TwinOptions {
        daily_units: 2,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let yt = adapter(&twin, |c| c.channel_id = Some(twin.handle().channel_id()));
    let video = PostRef::new("youtube", "nope");
    yt.post_metrics(std::slice::from_ref(&video)).await.unwrap();
    yt.post_metrics(std::slice::from_ref(&video)).await.unwrap();
    let e = yt
        .post_metrics(std::slice::from_ref(&video))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.context().platform_code.as_deref(), Some("quotaExceeded"));
    assert!(e.retry_after().is_some());
    let seen = twin.handle().log().count();
    let e = yt.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(twin.handle().log().count(), seen, "refused before sending");
    assert_eq!(yt.quota().left(Utc::now()), (0, 0));
}

#[tokio::test]
async fn comments_are_read_once_with_the_cursor_and_answered() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let yt = adapter(&twin, |_| {});
    let video = yt
        .publish(
            &Post::text("Comment here").with_media(Media::from_bytes("video/mp4", video_bytes(10))),
            &PublishOptions::default(),
        )
        .await
        .unwrap()
        .post;
    let t1 = h.comment(&video.id, "UCviewerA", "Does it come in red?");
    let t2 = h.comment(&video.id, "UCviewerB", "Great anvil");
    let page = yt.interactions(&InteractionQuery::default()).await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(
        page.items
            .iter()
            .all(|i| i.kind == InteractionKind::Comment)
    );
    assert_eq!(page.items[0].post.as_ref().unwrap().id, video.id);
    let cursor = page.next_cursor.clone().unwrap();

    // Answer the first; the channel's own reply is not an interaction.
    let first = page.items.iter().find(|i| i.reference.id == t1).unwrap();
    let sent = yt
        .reply_text(&first.reference, "Red is coming in May")
        .await
        .unwrap();
    assert!(
        sent.url()
            .unwrap()
            .contains(&format!("lc={}", sent.post.id))
    );
    let reply = h.reply(&t2, "UCviewerC", "Agreed!").unwrap();
    let t3 = h.comment(&video.id, "UCviewerD", "Price?");
    let page = yt
        .interactions(&InteractionQuery::default().cursor(cursor))
        .await
        .unwrap();
    let ids: Vec<(&str, InteractionKind)> = page
        .items
        .iter()
        .map(|i| (i.reference.id.as_str(), i.kind))
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&(reply.as_str(), InteractionKind::Reply)));
    assert!(ids.contains(&(t3.as_str(), InteractionKind::Comment)));
    // Nothing new: nothing read.
    let again = yt
        .interactions(&InteractionQuery::default().cursor(page.next_cursor.clone().unwrap()))
        .await
        .unwrap();
    assert!(again.items.is_empty() && !again.has_more);

    // The thread's replies, and deleting the channel's own reply.
    let replies = yt.comment_replies(&t1, None).await.unwrap();
    assert_eq!(replies.items.len(), 1);
    yt.delete_comment(&sent.post.id).await.unwrap();
    assert!(
        yt.comment_replies(&t1, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let e = yt.delete_comment(&sent.post.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn a_long_backlog_is_read_across_calls_without_loss_or_repeats() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let yt = adapter(&twin, |_| {});
    for i in 0..250 {
        h.comment("vid1", &format!("UCv{i}"), &format!("comment {i}"));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor: Option<String> = None;
    let mut calls = 0;
    loop {
        let mut q = InteractionQuery::default().limit(100);
        if let Some(c) = &cursor {
            q = q.cursor(c.clone());
        }
        let page = yt.interactions(&q).await.unwrap();
        calls += 1;
        for i in &page.items {
            assert!(
                seen.insert(i.reference.id.clone()),
                "read twice: {}",
                i.reference.id
            );
        }
        cursor = page.next_cursor.clone();
        if !page.has_more {
            break;
        }
        assert!(calls < 10, "the backlog ends");
    }
    assert_eq!(seen.len(), 250);
    assert_eq!(calls, 3);
    // Comments written during nothing: nothing more.
    let later = h.comment("vid1", "UCz", "one more");
    let page = yt
        .interactions(&InteractionQuery::default().cursor(cursor.unwrap()))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].reference.id, later);
}

#[tokio::test]
async fn metrics_channel_recent_posts_and_delete() {
    let twin = Twin::start_with(TwinOptions {
        subscribers: None,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let h = twin.handle();
    let yt = adapter(&twin, |_| {});
    let post = Post::text("Stats\nA video to count")
        .with_media(Media::from_bytes("video/mp4", video_bytes(10)));
    let video = yt
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap()
        .post;
    h.set_stats(&video.id, 1200, 34);
    h.comment(&video.id, "UCa", "nice");
    let m = yt.post_metrics(std::slice::from_ref(&video)).await.unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].video_views, m[0].likes, m[0].replies),
        (Some(1200), Some(34), Some(1))
    );
    assert_eq!((m[0].impressions, m[0].reach), (None, None));
    let ch = yt.channel().await.unwrap();
    assert_eq!(ch.id, h.channel_id());
    assert_eq!(ch.handle, "@twinanvils");
    assert_eq!(ch.metrics.followers, None, "hidden subscriber count");
    assert_eq!(ch.metrics.posts, Some(1));
    let recent = yt.recent_posts(10).await.unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].post.id, video.id);
    assert_eq!(recent[0].text, "Stats\nA video to count");
    yt.delete(&video).await.unwrap();
    assert!(h.videos().is_empty());
    let e = yt.delete(&video).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.context().platform_code.as_deref(), Some("videoNotFound"));
}

#[tokio::test]
async fn scheduled_private_and_unlisted_uploads() {
    let twin = Twin::start().await.unwrap();
    let yt = adapter(&twin, |_| {});
    let at = Utc::now() + chrono::Duration::days(2);
    let post = Post::text("Launch day")
        .with_media(Media::from_bytes("video/mp4", video_bytes(10)).with_size(1080, 1920))
        .scheduled_at(at);
    let published = yt.publish(&post, &PublishOptions::default()).await.unwrap();
    let v = twin.handle().video(&published.post.id).unwrap();
    assert_eq!(v.privacy, "private");
    assert_eq!(v.publish_at.map(|t| t.timestamp()), Some(at.timestamp()));
    assert_eq!(published.post.meta("short"), Some("true"));
    let mut unlisted =
        VideoUpload::new("Unlisted", Media::from_bytes("video/mp4", video_bytes(10)));
    unlisted.privacy = Privacy::Unlisted;
    let p = yt.upload(&unlisted).await.unwrap();
    assert_eq!(twin.handle().video(&p.post.id).unwrap().privacy, "unlisted");
}

#[tokio::test]
async fn bad_posts_are_refused_before_any_request() {
    let twin = Twin::start().await.unwrap();
    let yt = adapter(&twin, |_| {});
    let video = || Media::from_bytes("video/mp4", video_bytes(10));
    for post in [
        Post::text("No video"),
        Post::text(format!("{}\nbody", "t".repeat(101))).with_media(video()),
        Post::text(format!("Title\n{}", "d".repeat(5001))).with_media(video()),
        Post::text("Title <b>").with_media(video()),
        Post::text("Title").with_media(Media::from_bytes("image/gif", vec![1])),
        Post::thread(["a", "b"]).with_media(video()),
    ] {
        let e = yt
            .publish(&post, &PublishOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Validation | ErrorKind::Unsupported),
            "{e}"
        );
    }
    assert_eq!(twin.handle().log().count(), 0);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once() {
    let twin = Twin::start().await.unwrap();
    let yt = adapter(&twin, |_| {});
    twin.handle().expire_token();
    let ch = yt.channel().await.unwrap();
    assert_eq!(ch.id, twin.handle().channel_id());
    assert_eq!(twin.handle().log().count_to("POST", "/token"), 1);
    // Without a refresh setup it is "reconnect".
    let yt = adapter(&twin, |c| c.refresh = None);
    twin.handle().expire_token();
    let e = yt.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
}

#[tokio::test]
async fn documented_errors_reach_the_caller_typed() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let yt = adapter(&twin, |_| {});
    let quota = |reason: &str, status: u16| {
        Canned::json(
            status,
            serde_json::json!({"error": {"code": status, "message": "m",
                "errors": [{"domain": "youtube", "reason": reason}]}}),
        )
    };
    let post = || Post::text("T").with_media(Media::from_bytes("video/mp4", video_bytes(10)));
    h.faults().inject(
        Some("POST"),
        Some("/upload/youtube/v3/videos"),
        1,
        quota("uploadLimitExceeded", 400),
    );
    let e = yt
        .publish(&post(), &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.retry_after().is_some());
    // A 401 is tried once more with a refreshed token; both say the same.
    h.faults().inject(
        Some("POST"),
        Some("/upload/youtube/v3/videos"),
        2,
        quota("youtubeSignupRequired", 401),
    );
    let e = yt
        .publish(&post(), &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    h.faults().inject(
        Some("GET"),
        Some("/youtube/v3/videos"),
        1,
        Canned::malformed_json(),
    );
    let e = yt
        .post_metrics(&[PostRef::new("youtube", "x")])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unexpected);
    h.faults().inject(
        Some("POST"),
        Some("/youtube/v3/comments"),
        1,
        quota("commentsDisabled", 403),
    );
    let to = socialkit::model::InteractionRef::new("youtube", "Ugz1");
    let e = yt.reply_text(&to, "hi").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert!(h.videos().is_empty());
}

#[tokio::test]
async fn channel_urls_build_the_adapter() {
    let twin = Twin::start().await.unwrap();
    let p: Arc<dyn Platform> = Registry::default().from_url(&twin.channel_url()).unwrap();
    assert_eq!(p.name(), "youtube");
    let ch = p.channel().await.unwrap();
    assert_eq!(ch.id, twin.handle().channel_id());
}

/// Google OAuth through the shared connect flow: PKCE, offline access, a single-use code,
/// and the token it gives publishes.
#[tokio::test]
async fn connecting_a_channel_with_google_oauth_and_pkce() {
    use socialkit::auth::connect::{Callback, ConnectError, PendingConnect};
    use socialkit::auth::{OAuth2Client, OAuth2Refresh};
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let mut config =
        socialkit::adapters::youtube::oauth::config(&h.client_id(), "http://127.0.0.1/cb");
    config.token_url = twin.config().token_url.unwrap();
    let oauth = OAuth2Client::new("youtube", config);
    let http = socialkit::http::Client::default();
    let (url, pending) = PendingConnect::start(&oauth, true, Utc::now());
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["access_type"], "offline");
    assert_eq!(q["code_challenge_method"], "S256");
    let code = h.authorize(&q["code_challenge"]);
    let cb = Callback::parse(&format!("code={code}&state={}", q["state"])).unwrap();
    let token = pending.complete(&oauth, &http, &cb).await.unwrap();
    assert!(
        token.refresh_token.is_some(),
        "offline access gives a refresh token"
    );
    // A code works once.
    let e = pending.complete(&oauth, &http, &cb).await.unwrap_err();
    assert_eq!(ConnectError::of(&e), Some(&ConnectError::CodeRejected));
    // The token and its refresh setup make a working channel.
    let mut c = YoutubeConfig::new(token.access_token.clone())
        .unwrap()
        .with_base_url(twin.config().base_url.as_str())
        .unwrap()
        .with_refresh(OAuth2Refresh::new(
            h.client_id(),
            token.refresh_token.clone().unwrap(),
        ));
    c.token_url = twin.config().token_url;
    let yt = Youtube::new(c);
    assert_eq!(yt.channel().await.unwrap().id, h.channel_id());
    // A denied consent is typed.
    let (_, pending) = PendingConnect::start(&oauth, true, Utc::now());
    let cb = Callback::parse(&format!(
        "error=access_denied&state={}",
        pending.state.as_str()
    ))
    .unwrap();
    let e = pending.complete(&oauth, &http, &cb).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
}
