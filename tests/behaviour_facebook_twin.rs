//! Facebook Pages against the Graph twin: the shared behaviour suite, every mapped error,
//! validation before any request, and tokens kept out of errors and `Debug`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use socialkit::adapters::facebook::twin::FacebookTwin;
use socialkit::adapters::facebook::{Facebook, FacebookConfig, connect_pages, page_accounts};
use socialkit::adapters::graph::twin::Fault;
use socialkit::http::{Client, HttpConfig};
use socialkit::model::{InteractionKind, InteractionQuery, Media, Post, PostRef, PublishOptions};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{ErrorKind, Platform, PlatformExt, Registry, Result};

fn fast_client() -> Client {
    let mut config = HttpConfig::default();
    config.retry.initial_backoff = Duration::from_millis(5);
    config.retry.max_backoff = Duration::from_millis(20);
    Client::new(config).unwrap()
}

struct TwinHarness {
    twin: FacebookTwin,
    platform: Arc<Facebook>,
}

impl TwinHarness {
    async fn start() -> TwinHarness {
        let twin = FacebookTwin::start().await.unwrap();
        let platform = Arc::new(Facebook::with_client(twin.config(), fast_client()).unwrap());
        TwinHarness { twin, platform }
    }
}

#[async_trait]
impl Harness for TwinHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.platform.clone()
    }

    async fn induce_interaction(&self, post: &PostRef, kind: InteractionKind) -> Result<bool> {
        if kind != InteractionKind::Comment {
            return Ok(false);
        }
        self.twin
            .handle()
            .comment(&post.id, "bob", "a comment from the twin");
        Ok(true)
    }
}

#[tokio::test]
async fn the_facebook_twin_passes_the_behaviour_suite() {
    let harness = TwinHarness::start().await;
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    let mut skipped: Vec<String> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        // `search` passes where the platform declares it, and is skipped for that reason where
        // it does not (the suite fails on anything else).
        .filter(|c| c.name != "search")
        .map(|c| c.name.clone())
        .collect();
    skipped.sort();
    // Facebook has no threads, no edit here, and no idempotency key.
    assert_eq!(skipped, ["edit", "idempotency_key", "publish_thread"]);
    assert!(report.skipped_for(SkipCause::Harness).is_empty());
    // The cleanup deleted what the suite published.
    let left = harness.platform.recent_posts(100).await.unwrap();
    assert!(left.is_empty(), "{} posts left", left.len());
}

async fn page() -> (FacebookTwin, Facebook) {
    let twin = FacebookTwin::start().await.unwrap();
    let page = Facebook::with_client(twin.config(), fast_client()).unwrap();
    (twin, page)
}

#[tokio::test]
async fn each_mapped_graph_error_has_its_kind() {
    let (twin, page) = page().await;
    let h = twin.handle();
    let cases: Vec<(Fault, ErrorKind, bool)> = vec![
        (
            Fault::graph(
                190,
                Some(463),
                "Error validating access token: Session has expired",
            ),
            ErrorKind::Unauthenticated,
            false,
        ),
        (
            Fault::graph(
                10,
                None,
                "(#10) Application does not have permission for this action",
            ),
            ErrorKind::PermissionDenied,
            false,
        ),
        (
            Fault::graph(200, None, "(#200) Requires pages_manage_posts permission"),
            ErrorKind::PermissionDenied,
            false,
        ),
        (
            Fault::graph(299, None, "(#299) Permission denied"),
            ErrorKind::PermissionDenied,
            false,
        ),
        (
            Fault::graph(
                368,
                None,
                "The action attempted has been deemed abusive or is otherwise disallowed",
            ),
            ErrorKind::ContentRejected,
            false,
        ),
        (
            Fault::graph(506, None, "(#506) Duplicate status message"),
            ErrorKind::Duplicate,
            false,
        ),
        (
            Fault::graph(100, Some(1366051), "This photo was already posted"),
            ErrorKind::Duplicate,
            false,
        ),
        (
            Fault::graph(100, None, "(#100) Invalid parameter"),
            ErrorKind::Validation,
            false,
        ),
        (
            Fault::graph(1, None, "An unknown error occurred"),
            ErrorKind::Platform,
            true,
        ),
        (
            Fault::graph(2, None, "Service temporarily unavailable"),
            ErrorKind::Platform,
            true,
        ),
        (Fault::transient(9999), ErrorKind::Platform, true),
    ];
    for (fault, kind, retryable) in cases {
        h.reset_requests();
        h.inject(Some("POST"), Some("/feed"), 1, fault.clone());
        let e = page
            .publish_text(&format!("error case {fault:?}"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{fault:?}: {e}");
        assert_eq!(e.is_retryable(), retryable, "{fault:?}");
        assert_eq!(e.context().platform.as_deref(), Some("facebook"));
        assert_eq!(e.context().channel.as_deref(), Some("1000001"));
        assert!(e.context().platform_code.is_some());
        // A write is never resent blindly.
        assert_eq!(h.requests_to("POST", "/feed"), 1, "{fault:?}");
    }
    assert!(h.posts().is_empty());
}

#[tokio::test]
async fn throttles_carry_the_regain_time_and_block_until_then() {
    for code in [4, 17, 32, 613, 80001] {
        let (twin, page) = page().await;
        let h = twin.handle();
        h.inject(
            Some("GET"),
            None,
            1,
            Fault::Throttle {
                code,
                regain_minutes: 7,
            },
        );
        let before = Utc::now();
        let e = page.channel().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited, "{code}");
        let at = e.retry_after().expect("the regain time");
        let wait = at - before;
        assert!(
            wait > chrono::Duration::minutes(6) && wait <= chrono::Duration::minutes(8),
            "{code}: {wait}"
        );
        // Until then, nothing is sent.
        h.reset_requests();
        let again = page.publish_text("too soon").await.unwrap_err();
        assert_eq!(again.kind(), ErrorKind::RateLimited);
        assert_eq!(again.retry_after(), Some(at));
        assert!(h.requests().is_empty(), "{code}: {:?}", h.requests());
    }
}

#[tokio::test]
async fn usage_headers_become_rate_limit_state() {
    let (twin, page) = page().await;
    twin.handle().add_usage(64);
    page.channel().await.unwrap();
    let rl = page.rate_limit().unwrap();
    assert!(rl.usage_percent.unwrap() >= 64.0);
    assert!(rl.regain_access_at.is_none());
}

#[tokio::test]
async fn server_failures_and_junk_answers() {
    let (twin, page) = page().await;
    let h = twin.handle();
    // A read is retried through a transient 5xx page and succeeds.
    h.inject(Some("GET"), None, 1, Fault::html(502));
    assert_eq!(page.channel().await.unwrap().id, "1000001");
    // A write is not: the HTML answer becomes a retryable platform error with a snippet.
    h.inject(Some("POST"), None, 1, Fault::html(503));
    let e = page.publish_text("through a proxy").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(e.is_retryable());
    assert!(
        e.context()
            .platform_message
            .as_deref()
            .unwrap_or("")
            .contains("something went wrong")
    );
    // Malformed JSON never panics.
    h.inject(Some("GET"), None, 1, Fault::MalformedJson);
    assert_eq!(
        page.channel().await.unwrap_err().kind(),
        ErrorKind::Unexpected
    );
    // A deleted post is not found.
    let p = page.publish_text("short-lived").await.unwrap();
    page.delete(&p.post).await.unwrap();
    assert_eq!(
        page.delete(&p.post).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        page.post_metrics(&[p.post]).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn an_immediate_duplicate_is_refused_as_duplicate() {
    let (_twin, page) = page().await;
    page.publish_text("Same words twice").await.unwrap();
    let e = page.publish_text("Same words twice").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Duplicate);
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn invalid_posts_are_refused_before_any_request() {
    let (twin, page) = page().await;
    let h = twin.handle();
    let png = || Media::image_bytes("image/png", vec![0x89, b'P', b'N', b'G']);
    let mut eleven = Post::text("many photos");
    for _ in 0..11 {
        eleven = eleven.with_media(png());
    }
    let cases: Vec<(Post, ErrorKind)> = vec![
        (Post::text("a".repeat(63_207)), ErrorKind::Validation),
        (Post::text(""), ErrorKind::Validation),
        (Post::thread(["one", "two"]), ErrorKind::Unsupported),
        (eleven, ErrorKind::Validation),
        (
            Post::text("video").with_media(Media::from_bytes("video/mp4", vec![0; 10])),
            ErrorKind::Validation,
        ),
        (
            Post::text("huge").with_media(Media::image_bytes(
                "image/png",
                vec![0; 4 * 1024 * 1024 + 1],
            )),
            ErrorKind::Validation,
        ),
        (
            Post::text("gif").with_media(Media::image_bytes("image/gif", vec![0; 10])),
            ErrorKind::Validation,
        ),
    ];
    for (post, kind) in cases {
        let e = page
            .publish(&post, &PublishOptions::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
    }
    let long = page.publish_text(&"a".repeat(63_300)).await.unwrap_err();
    assert!(long.to_string().contains("94 over"), "{long}");
    assert!(h.requests().is_empty(), "{:?}", h.requests());
}

#[tokio::test]
async fn tokens_never_show_in_errors_or_debug() {
    let (twin, page) = page().await;
    let token = twin.handle().token();
    // The platform echoes the token in its error message.
    twin.handle().inject(None, None, 1, Fault::EchoToken);
    let e = page.publish_text("echo").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    for shown in [
        e.to_string(),
        format!("{e:?}"),
        format!("{:?}", e.to_record()),
    ] {
        assert!(!shown.contains(&token), "{shown}");
    }
    // Header placement too.
    let mut config = twin.config();
    config.graph.token_in = socialkit::adapters::graph::TokenPlacement::Header;
    let by_header = Facebook::with_client(config.clone(), fast_client()).unwrap();
    twin.handle().inject(None, None, 1, Fault::EchoToken);
    let e = by_header.channel().await.unwrap_err();
    assert!(!format!("{e} {e:?}").contains(&token));
    assert_eq!(by_header.channel().await.unwrap().id, "1000001");
    // Debug of the adapter and config, and a transport failure.
    assert!(!format!("{page:?} {config:?}").contains(&token));
    let mut gone = config;
    gone.graph.base_url = Some(url::Url::parse("http://127.0.0.1:9").unwrap());
    let e = Facebook::with_client(gone, fast_client())
        .unwrap()
        .channel()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert!(!format!("{e} {e:?}").contains(&token));
    // A wrong token in a channel URL.
    let url = twin.channel_url().replace(&token, "EAAwrongTOKEN");
    let wrong = Registry::default().from_url(&url).unwrap();
    let e = wrong.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert!(!format!("{e} {e:?}").contains("EAAwrongTOKEN"));
}

#[tokio::test]
async fn photos_links_and_comments() {
    let (twin, page) = page().await;
    let h = twin.handle();
    // One photo from a URL: a published photo and its feed post.
    let one = Post::text("one photo")
        .with_media(Media::from_url(
            "image/jpeg",
            "https://cdn.example/anvil.jpg",
        ))
        .with_link("https://acme.example/anvil");
    let p = page
        .publish(&one, &PublishOptions::default())
        .await
        .unwrap();
    let node = h.node(&p.post.id).unwrap();
    assert_eq!(node.text, "one photo https://acme.example/anvil");
    assert_eq!(node.children.len(), 1);
    assert!(
        p.url()
            .unwrap()
            .starts_with("https://www.facebook.com/1000001/posts/")
    );
    // Several photos: unpublished uploads, then one post with attached_media.
    let several = Post::text("three photos")
        .with_media(Media::from_url("image/jpeg", "https://cdn.example/1.jpg"))
        .with_media(Media::image_bytes("image/png", vec![1, 2, 3]))
        .with_media(Media::from_url("image/jpeg", "https://cdn.example/3.jpg"));
    let p = page
        .publish(&several, &PublishOptions::default())
        .await
        .unwrap();
    let node = h.node(&p.post.id).unwrap();
    assert_eq!(node.children.len(), 3);
    assert_eq!(h.requests_to("POST", "/photos"), 4);
    let photo = h.node(&node.children[1]).unwrap();
    assert_eq!(photo.media[0].0, "upload:3");
    // A link post.
    let link = page
        .publish(
            &Post::text("read this").with_link("https://acme.example/blog"),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        h.node(&link.post.id).unwrap().link.as_deref(),
        Some("https://acme.example/blog")
    );
    // Comments, a reply to a reply joining its thread, and the Page's own comments left out.
    let c1 = h.comment(&link.post.id, "bob", "first!");
    let c2 = h.comment(&c1, "carol", "second, on bob's");
    let inbox = page
        .interactions(&InteractionQuery::default())
        .await
        .unwrap();
    assert_eq!(inbox.items.len(), 2);
    let reply_to = inbox.items.iter().find(|i| i.reference.id == c2).unwrap();
    let r = page
        .reply_text(&reply_to.reference, "thanks both")
        .await
        .unwrap();
    assert_eq!(
        h.node(&r.post.id).unwrap().parent.as_deref(),
        Some(c1.as_str())
    );
    let next = page
        .interactions(&InteractionQuery::default().cursor(inbox.next_cursor.clone().unwrap()))
        .await
        .unwrap();
    assert!(next.items.is_empty(), "our own reply is not an interaction");
    // A post that replies to another becomes a comment on it.
    let c = page
        .publish(
            &Post::text("a comment").in_reply_to(link.post.clone()),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        h.node(&c.post.id).unwrap().parent.as_deref(),
        Some(link.post.id.as_str())
    );
    // Metrics: reactions, comments, shares, insights.
    h.set_count(&link.post.id, "likes", 12);
    h.set_count(&link.post.id, "shares", 3);
    h.set_count(&link.post.id, "reach", 400);
    h.set_count(&link.post.id, "clicks", 9);
    let m = &page
        .post_metrics(std::slice::from_ref(&link.post))
        .await
        .unwrap()[0];
    assert_eq!(
        (m.likes, m.replies, m.reposts, m.reach, m.clicks),
        (Some(12), Some(4), Some(3), Some(400), Some(9))
    );
    assert_eq!(m.impressions, None);
    // Insights the token may not read leave those numbers unknown, not zero.
    h.inject(
        Some("GET"),
        Some("/insights"),
        1,
        Fault::graph(10, None, "(#10) Requires read_insights"),
    );
    let m = &page.post_metrics(&[link.post]).await.unwrap()[0];
    assert_eq!((m.likes, m.reach, m.clicks), (Some(12), None, None));
    // Page metrics.
    let ch = page.channel().await.unwrap();
    assert_eq!(ch.metrics.followers, Some(1234));
    assert_eq!(ch.handle, "acme");
}

#[tokio::test]
async fn page_tokens_from_a_user_token() {
    let twin = FacebookTwin::start().await.unwrap();
    let http = fast_client();
    let graph = twin.url().join("v23.0").unwrap();
    let (user, pages) = connect_pages(
        &http,
        &graph,
        "app-id",
        &"app-secret".into(),
        &"short-lived".into(),
    )
    .await
    .unwrap();
    assert!(user.expires_at.is_some());
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].access_token.expose(), twin.handle().token());
    let again = page_accounts(&http, &graph, &user.access_token)
        .await
        .unwrap();
    assert_eq!(again, pages);
    // The user token itself cannot publish as the Page.
    let mut config: FacebookConfig = twin.config();
    config.graph.token = user.access_token.clone();
    let e = Facebook::with_client(config, http)
        .unwrap()
        .publish_text("as a user")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
}

#[derive(Clone, Default)]
struct Capture(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn tokens_in_query_strings_never_reach_logs() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let (twin, page) = page().await;
    let token = twin.handle().token();
    // Reads carry the token in the query string, writes in the form body.
    let p = page.publish_text("logged").await.unwrap();
    page.channel().await.unwrap();
    page.post_metrics(std::slice::from_ref(&p.post))
        .await
        .unwrap();
    twin.handle().inject(Some("GET"), None, 3, Fault::html(503));
    page.channel().await.unwrap_err();
    twin.handle().inject(None, None, 1, Fault::EchoToken);
    page.delete(&p.post).await.unwrap_err();
    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("graph") || logs.contains("127.0.0.1"),
        "{logs}"
    );
    assert!(!logs.contains(&token), "{logs}");
}

#[tokio::test]
async fn page_tokens_in_a_broken_answer_are_not_repeated() {
    let twin = FacebookTwin::start().await.unwrap();
    let body = r#"{"data":[{"id":"1000001","name":"ACME","access_token":"EAApageSECRETtoken"#;
    twin.handle().inject(
        Some("GET"),
        Some("/me/accounts"),
        1,
        Fault::Status {
            status: 200,
            body: body.into(),
            content_type: "application/json".into(),
        },
    );
    let graph = twin.url().join("v23.0").unwrap();
    let e = page_accounts(&fast_client(), &graph, &"EAAuserTOKEN".into())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unexpected);
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("EAApageSECRETtoken"), "{shown}");
    assert!(!shown.contains("EAAuserTOKEN"), "{shown}");
}
