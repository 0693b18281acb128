//! The Reddit adapter against its twin: both auth kinds and token renewal, title and body,
//! threads as comment chains, image posts through the media lease, flair, the inbox with its
//! cursor, comments, metrics, search, deletes, rate limits and the documented errors.

use std::time::Duration;

use chrono::Utc;
use socialkit::adapters::reddit::twin::{Twin, TwinOptions};
use socialkit::adapters::reddit::{Reddit, RedditConfig};
use socialkit::model::{
    InteractionKind, InteractionQuery, Media, Post, PostRef, PublishOptions, SearchQuery,
};
use socialkit::testkit::twin::Canned;
use socialkit::{ErrorKind, Platform, PlatformExt, Registry};

fn png() -> Media {
    Media::image_bytes("image/png", vec![0x89, b'P', b'N', b'G', 1, 2, 3])
        .with_alt("not sent: no alt text on reddit")
}

#[tokio::test]
async fn a_script_app_posts_title_and_body_with_one_password_grant() {
    let twin = Twin::start().await.unwrap();
    let reddit = Reddit::new(twin.script_config());
    let h = twin.handle();
    let p = reddit
        .publish_text("Release 2.0 is out\n\nChangelog:\n- faster")
        .await
        .unwrap();
    assert!(p.post.id.starts_with("t3_"), "{:?}", p.post);
    let t = h.thing(&p.post.id).unwrap();
    assert_eq!(t.title, "Release 2.0 is out");
    assert_eq!(t.text, "Changelog:\n- faster");
    assert_eq!(t.subreddit, "socialkit_twin");
    assert!(
        p.url()
            .unwrap()
            .starts_with("https://www.reddit.com/r/socialkit_twin/comments/")
    );
    reddit.publish_text("Second post").await.unwrap();
    assert_eq!(h.tokens_issued(), 1, "the token is reused until it expires");
    assert_eq!(h.log().count_to("POST", "/api/v1/access_token"), 1);
    // Registry: the same URL form.
    let channel = reddit.channel().await.unwrap();
    assert_eq!(
        (channel.handle.as_str(), channel.platform.as_str()),
        ("twin_poster", "reddit")
    );
}

#[tokio::test]
async fn a_refused_token_is_renewed_once_and_the_call_made_again() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    for config in [twin.script_config(), twin.token_config()] {
        let reddit = Reddit::new(config);
        reddit.publish_text("before expiry").await.unwrap();
        let issued = h.tokens_issued();
        h.expire_tokens();
        let p = reddit.publish_text("after expiry").await.unwrap();
        assert_eq!(h.thing(&p.post.id).unwrap().title, "after expiry");
        assert_eq!(h.tokens_issued(), issued + 1);
    }
    // A wrong password: reconnect.
    let mut config = twin.script_config();
    if let socialkit::adapters::reddit::RedditAuth::Script { password, .. } = &mut config.auth {
        *password = "wrong".into();
    }
    let e = Reddit::new(config).publish_text("never").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}");
    assert!(!e.to_string().contains("wrong"));
    // A token without refresh: reconnect.
    let mut config = twin.token_config();
    if let socialkit::adapters::reddit::RedditAuth::Token { refresh_token, .. } = &mut config.auth {
        *refresh_token = None;
    }
    let reddit = Reddit::new(config);
    h.expire_tokens();
    assert_eq!(
        reddit.publish_text("x").await.unwrap_err().kind(),
        ErrorKind::Unauthenticated
    );
}

#[tokio::test]
async fn a_thread_is_a_post_and_a_chain_of_comments() {
    let twin = Twin::start().await.unwrap();
    let reddit = Reddit::new(twin.script_config());
    let p = reddit
        .publish(
            &Post::thread(["Part one\nbody", "part two", "part three"]),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(p.parts.len(), 3);
    let h = twin.handle();
    let two = h.thing(&p.parts[1].id).unwrap();
    let three = h.thing(&p.parts[2].id).unwrap();
    assert_eq!(
        (two.kind, two.parent.as_deref()),
        ("t1", Some(p.parts[0].id.as_str()))
    );
    assert_eq!(three.parent.as_deref(), Some(p.parts[1].id.as_str()));
    // Listed newest first with what each answers, so the engine can follow the thread.
    let recent = reddit.recent_posts(10).await.unwrap();
    assert_eq!(recent[0].post.id, p.parts[2].id);
    assert_eq!(
        recent[0].in_reply_to.as_deref(),
        Some(p.parts[1].id.as_str())
    );
    assert_eq!(recent[2].text, "Part one\nbody");
}

#[tokio::test]
async fn an_image_goes_up_through_the_media_lease_and_is_found_after_submit() {
    let twin = Twin::start().await.unwrap();
    let reddit = Reddit::new(twin.script_config());
    let p = reddit
        .publish(
            &Post::text("Our new anvil").with_media(png()),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    let h = twin.handle();
    let t = h.thing(&p.post.id).unwrap();
    assert_eq!(t.title, "Our new anvil");
    assert!(t.url.unwrap().contains("/s3-upload/rte_images/"));
    assert_eq!(h.log().count_to("POST", "/s3-upload"), 1);
    assert_eq!(h.log().count_to("GET", "/user/twin_poster/submitted"), 1);
    // An image post has a title only.
    let e = reddit
        .publish(
            &Post::text("Title\nand a body").with_media(png()),
            &PublishOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    // Too large for the upload form.
    let small = Twin::start_with(TwinOptions {
        max_upload_bytes: 3,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let e = Reddit::new(small.script_config())
        .publish(
            &Post::text("Big").with_media(png()),
            &PublishOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    assert_eq!(e.context().platform_code.as_deref(), Some("EntityTooLarge"));
    assert_eq!(small.handle().log().count_to("POST", "/api/submit"), 0);
}

#[tokio::test]
async fn a_subreddit_that_requires_flair_says_so_and_takes_the_configured_one() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    h.require_flair("socialkit_twin", &[("f-news", "News"), ("f-help", "Help")]);
    let reddit = Reddit::new(twin.script_config());
    let e = reddit.publish_text("No flair").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid, "{e}");
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("SUBMIT_VALIDATION_FLAIR_REQUIRED")
    );
    assert!(e.to_string().contains("flair_id"), "{e}");
    let flairs = reddit.link_flairs().await.unwrap();
    assert_eq!(
        flairs.iter().map(|f| f.text.as_str()).collect::<Vec<_>>(),
        ["News", "Help"]
    );
    let mut config = twin.script_config();
    config.flair_id = Some(flairs[0].id.clone());
    let p = Reddit::new(config)
        .publish_text("With flair")
        .await
        .unwrap();
    assert_eq!(
        h.thing(&p.post.id).unwrap().flair_id.as_deref(),
        Some("f-news")
    );
}

#[tokio::test]
async fn documented_errors_arrive_as_their_kinds() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    // SUBREDDIT_NOEXIST: the config is wrong.
    let config = twin.script_config().in_subreddit("no_such_place").unwrap();
    let e = Reddit::new(config).publish_text("Hello").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("SUBREDDIT_NOEXIST")
    );
    let reddit = Reddit::new(twin.script_config());
    // RATELIMIT with "try again in N minutes".
    h.faults().inject(
        Some("POST"),
        Some("/api/submit"),
        1,
        Canned::json(200, serde_json::json!({"json": {"errors": [["RATELIMIT", "Looks like you've been doing that a lot. Take a break for 7 minutes before trying again.", "ratelimit"]]}})),
    );
    let e = reddit.publish_text("Too fast").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    let wait = e.retry_after().unwrap() - Utc::now();
    assert!(
        wait > chrono::Duration::minutes(6) && wait <= chrono::Duration::minutes(7),
        "{wait}"
    );
    // ALREADY_SUB, NO_TEXT, TOO_LONG as the server sends them.
    for (code, kind) in [
        ("ALREADY_SUB", ErrorKind::Duplicate),
        ("NO_TEXT", ErrorKind::Validation),
        ("TOO_LONG", ErrorKind::Validation),
        ("SUBREDDIT_NOTALLOWED", ErrorKind::PermissionDenied),
    ] {
        h.faults().inject(
            Some("POST"),
            Some("/api/submit"),
            1,
            Canned::json(
                200,
                serde_json::json!({"json": {"errors": [[code, "reddit's words", "title"]]}}),
            ),
        );
        let e = reddit.publish_text("Refused").await.unwrap_err();
        assert_eq!(
            (e.kind(), e.context().platform_code.as_deref()),
            (kind, Some(code))
        );
    }
    // A 5xx on submit: in doubt, never re-sent by the HTTP layer.
    h.log().reset();
    h.faults()
        .inject(Some("POST"), Some("/api/submit"), 1, Canned::html(503));
    let e = reddit.publish_text("Maybe").await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    assert_eq!(h.log().count_to("POST", "/api/submit"), 1);
    // A malformed answer is an error, not a panic.
    h.faults().inject(
        Some("GET"),
        Some("/message/inbox"),
        1,
        Canned::malformed_json(),
    );
    assert!(
        reddit
            .interactions(&InteractionQuery::default())
            .await
            .is_err()
    );
    // Too long a title: refused before anything is sent.
    h.log().reset();
    let e = reddit.publish_text(&"t".repeat(301)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(
        e.to_string().contains("301") && e.to_string().contains("300"),
        "{e}"
    );
    assert_eq!(h.log().count(), 0);
}

#[tokio::test]
async fn a_used_up_window_stops_requests_until_the_reset() {
    let twin = Twin::start_with(TwinOptions {
        rate_limit: 2,
        rate_window: Duration::from_secs(120),
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let h = twin.handle();
    let reddit = Reddit::new(twin.script_config());
    // The user name is in the config (no /api/v1/me): after two submits 0 remain.
    reddit.publish_text("one").await.unwrap();
    reddit.publish_text("two").await.unwrap();
    let before = h.log().count();
    let e = reddit.publish_text("three").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    let wait = e.retry_after().unwrap() - Utc::now();
    assert!(
        wait > chrono::Duration::seconds(100) && wait <= chrono::Duration::seconds(120),
        "{wait}"
    );
    assert_eq!(h.log().count(), before, "nothing was sent");
}

#[tokio::test]
async fn the_inbox_reads_replies_mentions_and_messages_forward_with_its_cursor() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let reddit = Reddit::new(twin.script_config());
    let bob = h.add_user("bob_reader");
    let p = reddit.publish_text("Ask me anything").await.unwrap();
    let c1 = h.comment(&p.post.id, &bob, "first question");
    h.mention(&bob, "have you seen");
    h.message(&bob, "hello", "a private word");
    let q = InteractionQuery {
        since: Some(p.published_at - chrono::Duration::seconds(5)),
        limit: 2,
        ..InteractionQuery::default()
    };
    let first = reddit.interactions(&q).await.unwrap();
    assert_eq!(first.items.len(), 2);
    assert!(first.has_more);
    assert_eq!(first.items[0].kind, InteractionKind::Reply);
    assert_eq!(first.items[0].reference.id, c1);
    assert_eq!(first.items[0].post.as_ref().unwrap().id, p.post.id);
    assert_eq!(first.items[1].kind, InteractionKind::Mention);
    let q2 = InteractionQuery {
        cursor: first.next_cursor.clone(),
        ..q.clone()
    };
    let second = reddit.interactions(&q2).await.unwrap();
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.items[0].kind, InteractionKind::DirectMessage);
    assert!(!second.has_more);
    // Nothing new: nothing read twice.
    let q3 = InteractionQuery {
        cursor: second.next_cursor.clone(),
        ..q.clone()
    };
    assert!(reddit.interactions(&q3).await.unwrap().items.is_empty());
    // Replies go to the comment and to the message.
    let answer = reddit
        .reply_text(&first.items[0].reference, "an answer")
        .await
        .unwrap();
    assert_eq!(
        h.thing(&answer.post.id).unwrap().parent.as_deref(),
        Some(c1.as_str())
    );
    let dm = reddit
        .reply_text(&second.items[0].reference, "thanks")
        .await
        .unwrap();
    assert_eq!(h.thing(&dm.post.id).unwrap().kind, "t4");
    // The post's comment tree.
    let comments = reddit.post_comments(&p.post).await.unwrap();
    let ids: Vec<&str> = comments.iter().map(|c| c.reference.id.as_str()).collect();
    assert_eq!(ids, [c1.as_str(), answer.post.id.as_str()]);
}

#[tokio::test]
async fn metrics_search_edit_and_delete() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let reddit = Reddit::new(twin.script_config());
    let p = reddit
        .publish_text("Metrics please\nzebra-quartz")
        .await
        .unwrap();
    h.comment(&p.post.id, &h.add_user("carol_c"), "nice");
    h.vote(&p.post.id, 42, 0.91);
    let m = reddit
        .post_metrics(std::slice::from_ref(&p.post))
        .await
        .unwrap();
    assert_eq!(
        (m[0].likes, m[0].replies, m[0].impressions),
        (Some(42), Some(1), None)
    );
    let s = reddit
        .submission_stats(std::slice::from_ref(&p.post))
        .await
        .unwrap();
    assert_eq!((s[0].score, s[0].upvote_ratio), (42, Some(0.91)));
    let found = reddit
        .search(&SearchQuery::new("zebra-quartz"))
        .await
        .unwrap();
    assert_eq!(
        found.items[0].reference.post.as_ref().unwrap().id,
        p.post.id
    );
    let edited = reddit
        .edit(&p.post, &Post::text("a new body"))
        .await
        .unwrap();
    assert_eq!(edited.post.id, p.post.id);
    assert_eq!(h.thing(&p.post.id).unwrap().text, "a new body");
    assert_eq!(h.thing(&p.post.id).unwrap().title, "Metrics please");
    reddit.delete(&p.post).await.unwrap();
    assert_eq!(
        reddit.delete(&p.post).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(
        reddit
            .post_metrics(std::slice::from_ref(&p.post))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        reddit
            .delete(&PostRef::new("reddit", "not-a-fullname"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
}

#[tokio::test]
async fn a_web_app_connects_with_a_permanent_grant_and_posts() {
    use socialkit::adapters::reddit::{RedditAuth, oauth};
    use socialkit::auth::OAuth2Client;
    use socialkit::auth::connect::{Callback, PendingConnect};
    let twin = Twin::start().await.unwrap();
    let mut config = oauth::config(
        "twin-app",
        Some("twin-app-secret"),
        "http://127.0.0.1:8080/cb",
    );
    config.token_url = twin.url().join("api/v1/access_token").unwrap();
    let client = OAuth2Client::new("reddit", config);
    let (url, pending) = PendingConnect::start(&client, false, Utc::now());
    assert!(
        url.as_str().contains("duration=permanent") && url.as_str().contains("response_type=code")
    );
    let callback =
        Callback::parse(&format!("code=twin-code&state={}", pending.state.as_str())).unwrap();
    let mut http = socialkit::http::HttpConfig::default();
    http.user_agent = Some("web:acme-social:1.0 (by /u/twin_poster)".into());
    let http = socialkit::http::Client::new(http).unwrap();
    let token = pending.complete(&client, &http, &callback).await.unwrap();
    let mut channel = twin.token_config();
    channel.auth = RedditAuth::Token {
        access_token: token.access_token.clone(),
        expires_at: token.expires_at,
        refresh_token: token.refresh_token.clone(),
        client_id: Some("twin-app".into()),
        client_secret: Some("twin-app-secret".into()),
    };
    let p = Reddit::new(channel)
        .publish_text("Connected through the web flow")
        .await
        .unwrap();
    assert_eq!(
        twin.handle().thing(&p.post.id).unwrap().title,
        "Connected through the web flow"
    );
    // A code used twice is refused.
    let again = Callback::parse(&format!("code=used&state={}", pending.state.as_str())).unwrap();
    assert_eq!(
        pending
            .complete(&client, &http, &again)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Unauthenticated
    );
}

#[tokio::test]
async fn the_registry_builds_reddit_from_its_url_and_config() {
    let twin = Twin::start().await.unwrap();
    let config = twin.script_config();
    let value = serde_json::to_value(&config).unwrap();
    let channel = socialkit::registry::ChannelConfig {
        platform: "reddit".into(),
        settings: value,
    };
    let p = Registry::default().from_config(&channel).unwrap();
    assert_eq!(p.capabilities().platform, "reddit");
    let e = Registry::default()
        .from_url("reddit://t@oauth.reddit.com")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
    assert!(RedditConfig::token("t", "web:acme:1.0 (by /u/acme)").is_ok());
}
