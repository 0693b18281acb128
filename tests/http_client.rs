//! The HTTP client against a local wiremock server: retries, backoff, rate limits, timeouts,
//! bodies, error mapping.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use socialkit::ErrorKind;
use socialkit::auth::Secret;
use socialkit::http::{
    Call, Client, DefaultErrorMapper, ErrorMapper, HttpConfig, ManualClock, Multipart, Part,
    RateLimitStyle, Response, Retry, RetryPolicy,
};
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn start() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap()
}

fn client_with(config: HttpConfig) -> (Client, ManualClock) {
    let clock = ManualClock::new(start());
    let client = Client::new(config)
        .unwrap()
        .with_clock(Arc::new(clock.clone()));
    (client, clock)
}

fn client() -> (Client, ManualClock) {
    client_with(HttpConfig::default())
}

fn url(server: &MockServer, p: &str) -> Url {
    Url::parse(&format!("{}{p}", server.uri())).unwrap()
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn get_success_sends_user_agent_and_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .and(header("authorization", "Bearer tok"))
        .and(header("user-agent", socialkit::http::DEFAULT_USER_AGENT))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "1"})))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client();
    let call = Call::get(
        "mastodon",
        "channel",
        url(&server, "/api/v1/accounts/verify_credentials"),
    )
    .bearer(&Secret::new("tok"));
    let resp = client.send(call, &DefaultErrorMapper).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v: serde_json::Value = resp.json().unwrap();
    assert_eq!(v["id"], "1");
    assert_eq!(resp.platform(), "mastodon");
    assert_eq!(resp.operation(), "channel");
}

#[tokio::test]
async fn configured_and_per_call_user_agents() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let mut cfg = HttpConfig::default();
    cfg.user_agent = Some("web:app:1.0 (by /u/me)".into());
    let (client, _) = client_with(cfg);
    client
        .send(
            Call::get("reddit", "channel", url(&server, "/a")),
            &DefaultErrorMapper,
        )
        .await
        .unwrap();
    client
        .send(
            Call::get("reddit", "channel", url(&server, "/b")).user_agent("web:other:2.0"),
            &DefaultErrorMapper,
        )
        .await
        .unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs[0].headers["user-agent"], "web:app:1.0 (by /u/me)");
    assert_eq!(reqs[1].headers["user-agent"], "web:other:2.0");
}

#[tokio::test]
async fn idempotent_get_is_retried_after_5xx_with_jittered_backoff() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let (client, clock) = client();
    let resp = client
        .send(
            Call::get("p", "read", url(&server, "/x")),
            &DefaultErrorMapper,
        )
        .await
        .unwrap();
    assert!(resp.is_success());
    assert_eq!(requests(&server).await.len(), 3);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps[0] <= Duration::from_millis(500), "{sleeps:?}");
    assert!(sleeps[1] <= Duration::from_secs(1), "{sleeps:?}");
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_returned() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .mount(&server)
        .await;
    let (client, clock) = client();
    let err = client
        .send(
            Call::get("bluesky", "read", url(&server, "/x")),
            &DefaultErrorMapper,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Platform);
    assert!(err.is_retryable());
    assert_eq!(err.context().http_status, Some(502));
    assert_eq!(err.context().platform.as_deref(), Some("bluesky"));
    assert_eq!(err.context().operation.as_deref(), Some("read"));
    assert!(
        err.context()
            .platform_message
            .as_deref()
            .unwrap()
            .contains("Bad Gateway")
    );
    assert_eq!(requests(&server).await.len(), 3);
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn never_calls_are_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let (client, clock) = client();
    let err = client
        .send(
            Call::post("x", "publish", url(&server, "/2/tweets"))
                .json(&serde_json::json!({"text": "hi"})),
            &DefaultErrorMapper,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Platform);
    assert_eq!(requests(&server).await.len(), 1);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn non_retryable_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(serde_json::json!({"error": "Record not found"})),
        )
        .mount(&server)
        .await;
    let (client, _) = client();
    let err = client
        .send(
            Call::get("mastodon", "read", url(&server, "/x")),
            &DefaultErrorMapper,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        err.context().platform_message.as_deref(),
        Some("Record not found")
    );
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn retry_after_within_the_cap_is_slept_exactly() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "2"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let (client, clock) = client();
    client
        .send(
            Call::get("p", "read", url(&server, "/x")),
            &DefaultErrorMapper,
        )
        .await
        .unwrap();
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(2)]);
}

#[tokio::test]
async fn rate_limit_reset_over_the_cap_returns_retry_after_without_sleeping() {
    let server = MockServer::start().await;
    // X: 15-minute window exhausted, no Retry-After.
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-rate-limit-limit", "75")
                .insert_header("x-rate-limit-remaining", "0")
                .insert_header(
                    "x-rate-limit-reset",
                    (start().timestamp() + 900).to_string(),
                ),
        )
        .mount(&server)
        .await;
    let (client, clock) = client();
    let err = client
        .send(
            Call::get("x", "channel", url(&server, "/2/users/me"))
                .rate_limit_style(RateLimitStyle::X),
            &DefaultErrorMapper,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(
        err.retry_after(),
        Some(start() + chrono::Duration::seconds(900))
    );
    assert!(clock.sleeps().is_empty());
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn total_time_is_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "40"))
        .mount(&server)
        .await;
    let mut cfg = HttpConfig::default();
    cfg.retry.max_attempts = 10;
    cfg.retry.max_elapsed = Duration::from_secs(100);
    let (client, clock) = client_with(cfg);
    let err = client
        .send(
            Call::get("p", "read", url(&server, "/x")),
            &DefaultErrorMapper,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    // 40 s + 40 s fit in 100 s, a third wait would not.
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(40); 2]);
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn success_responses_carry_rate_limit_state() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-RateLimit-Limit", "300")
                .insert_header("X-RateLimit-Remaining", "12")
                .insert_header("X-RateLimit-Reset", "2025-01-01T12:05:00.000Z"),
        )
        .mount(&server)
        .await;
    let (client, _) = client();
    let resp = client
        .send(
            Call::get("mastodon", "read", url(&server, "/x"))
                .rate_limit_style(RateLimitStyle::Mastodon),
            &DefaultErrorMapper,
        )
        .await
        .unwrap();
    let rl = resp.rate_limit().unwrap();
    assert_eq!(rl.remaining, Some(12));
    assert_eq!(rl.reset_at, Some(start() + chrono::Duration::minutes(5)));
    assert_eq!(resp.received_at(), start());
}

#[tokio::test]
async fn timeout_on_a_write_is_timeout_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let mut cfg = HttpConfig::default();
    cfg.request_timeout = Duration::from_millis(200);
    let (client, clock) = client_with(cfg);
    let err = client
        .send(
            Call::post("mastodon", "publish", url(&server, "/api/v1/statuses")),
            &DefaultErrorMapper,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.to_string().contains("reconcile"), "{err}");
    assert!(clock.sleeps().is_empty());
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn timeout_on_a_read_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let (client, clock) = client();
    let err = client
        .send(
            Call::get("p", "read", url(&server, "/x")).timeout(Duration::from_millis(150)),
            &DefaultErrorMapper,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(clock.sleeps().len(), 2);
}

async fn closed_port_url(p: &str) -> Url {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    Url::parse(&format!("http://127.0.0.1:{port}{p}")).unwrap()
}

#[tokio::test]
async fn connection_refused_is_network_and_retried_only_when_idempotent() {
    let (client, clock) = client();
    let u = closed_port_url("/x").await;
    let err = client
        .send(Call::get("p", "read", u.clone()), &DefaultErrorMapper)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(clock.sleeps().len(), 2);
    let err = client
        .send(Call::post("p", "publish", u), &DefaultErrorMapper)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(clock.sleeps().len(), 2, "a Never call is not retried");
}

#[tokio::test]
async fn multipart_body_is_rebuilt_for_each_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "m1"})))
        .mount(&server)
        .await;
    let (client, _) = client();
    let body = Multipart::new().text("description", "alt text here").part(
        Part::bytes("file", b"PNGDATA".to_vec())
            .file_name("a.png")
            .mime("image/png"),
    );
    let call = Call::post("mastodon", "upload_media", url(&server, "/api/v2/media"))
        .idempotency_key("Idempotency-Key", "media-1")
        .multipart(body);
    client.send(call, &DefaultErrorMapper).await.unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        let text = String::from_utf8_lossy(&r.body);
        assert!(
            text.contains("alt text here") && text.contains("PNGDATA"),
            "{text}"
        );
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("multipart/form-data")
        );
        assert_eq!(r.headers["idempotency-key"], "media-1");
    }
}

#[tokio::test]
async fn form_json_and_bytes_bodies_have_content_types() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let (client, _) = client();
    for call in [
        Call::post("p", "o", url(&server, "/f")).form([("a", "1 2"), ("b", "&")]),
        Call::post("p", "o", url(&server, "/j")).json(&serde_json::json!({"k": "v"})),
        Call::post("p", "o", url(&server, "/b")).bytes("image/png", vec![1u8, 2, 3]),
        Call::post("p", "o", url(&server, "/o"))
            .header("content-type", "application/vnd.custom")
            .bytes("image/png", vec![1u8]),
    ] {
        client.send(call, &DefaultErrorMapper).await.unwrap();
    }
    let reqs = requests(&server).await;
    assert_eq!(
        reqs[0].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(reqs[0].body, b"a=1+2&b=%26");
    assert_eq!(reqs[1].headers["content-type"], "application/json");
    assert_eq!(reqs[1].body, br#"{"k":"v"}"#);
    assert_eq!(reqs[2].headers["content-type"], "image/png");
    assert_eq!(reqs[2].body, vec![1u8, 2, 3]);
    assert_eq!(reqs[3].headers.get_all("content-type").iter().count(), 1);
    assert_eq!(reqs[3].headers["content-type"], "application/vnd.custom");
}

#[tokio::test]
async fn custom_mapper_decides_the_kind() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "detail": "You are not allowed to create a Tweet with duplicate content.",
            "type": "about:blank", "title": "Forbidden", "status": 403
        })))
        .mount(&server)
        .await;
    let (client, _) = client();
    let mapper = |r: &Response| {
        if r.text_lossy().contains("duplicate content") {
            r.error(ErrorKind::Duplicate, "duplicate post")
        } else {
            DefaultErrorMapper.map(r)
        }
    };
    let err = client
        .send(
            Call::post("x", "publish", url(&server, "/2/tweets")),
            &mapper,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Duplicate);
    assert_eq!(err.context().http_status, Some(403));
}

#[tokio::test]
async fn builder_errors_are_returned_before_sending() {
    let server = MockServer::start().await;
    let (client, _) = client();
    let call = Call::get("p", "o", url(&server, "/x")).header("x-bad", "line\nbreak");
    let err = client.send(call, &DefaultErrorMapper).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn retry_policy_none_disables_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let mut cfg = HttpConfig::default();
    cfg.retry = RetryPolicy::none();
    let (client, _) = client_with(cfg);
    let call = Call::get("p", "o", url(&server, "/x"));
    assert_eq!(call.retry_mode(), Retry::Idempotent);
    client.send(call, &DefaultErrorMapper).await.unwrap_err();
    assert_eq!(requests(&server).await.len(), 1);
}

/// Gives each attempt its own serial number, as an OAuth 1.0a signer gives each its own nonce.
#[derive(Debug, Default)]
struct Serial(std::sync::atomic::AtomicU32);

impl socialkit::http::Sign for Serial {
    fn sign(&self, call: Call) -> Call {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        call.header("x-attempt", n.to_string())
    }
}

#[tokio::test]
async fn each_retry_is_signed_afresh() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let (client, _) = client();
    let signer = Arc::new(Serial::default());
    let call = Call::get("p", "read", url(&server, "/x")).sign_each_attempt(signer.clone());
    assert!(
        client
            .send(call, &DefaultErrorMapper)
            .await
            .unwrap()
            .is_success()
    );
    let seen: Vec<String> = requests(&server)
        .await
        .iter()
        .map(|r| r.headers["x-attempt"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(
        seen,
        ["1", "2", "3"],
        "a retry must not replay the first signature"
    );
}

#[tokio::test]
async fn oauth1_retries_carry_new_nonces() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let (client, _) = client();
    let signer = socialkit::auth::oauth1::OAuth1Signer::consumer("ck", "cs");
    let call =
        Call::get("x", "read", url(&server, "/2/users/me")).sign_each_attempt(Arc::new(signer));
    client.send(call, &DefaultErrorMapper).await.unwrap();
    let nonces: Vec<String> = requests(&server)
        .await
        .iter()
        .map(|r| {
            let h = r.headers["authorization"].to_str().unwrap();
            h.split("oauth_nonce=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(nonces.len(), 2);
    assert_ne!(nonces[0], nonces[1]);
}
