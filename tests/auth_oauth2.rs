//! OAuth 2.0 against a local wiremock token endpoint: authorize URL, code exchange (Basic and
//! form client auth, PKCE), refresh with and without rotation, error bodies, and the token
//! manager's single-flight refresh.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::TimeZone;
use socialkit::ErrorKind;
use socialkit::auth::{
    ClientAuth, OAuth2Client, OAuth2Config, OAuth2Refresher, Pkce, Secret, State, Token,
    TokenManager, refresh_fn,
};
use socialkit::http::{Client, HttpConfig, ManualClock};
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap()
}

fn http(clock: &ManualClock) -> Client {
    Client::new(HttpConfig::default())
        .unwrap()
        .with_clock(Arc::new(clock.clone()))
}

fn config(server: &MockServer) -> OAuth2Config {
    OAuth2Config::new(
        "client id",
        Url::parse("https://auth.example/oauth/authorize?audience=api").unwrap(),
        Url::parse(&format!("{}/oauth/token", server.uri())).unwrap(),
        "https://app.example/callback",
    )
    .with_client_secret("s3cr:et")
    .with_scopes(["read", "write"])
}

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    reqs.remove(0)
}

fn token_json() -> serde_json::Value {
    serde_json::json!({
        "access_token": "new-access",
        "token_type": "bearer",
        "expires_in": 7200,
        "refresh_token": "new-refresh",
        "scope": "read write"
    })
}

#[test]
fn authorize_url_has_every_parameter() {
    let cfg = OAuth2Config::new(
        "cid",
        Url::parse("https://threads.net/oauth/authorize").unwrap(),
        Url::parse("https://graph.threads.net/oauth/access_token").unwrap(),
        "https://app.example/cb?x=1",
    )
    .with_scopes(["threads_basic", "threads_content_publish"])
    .with_scope_separator(",")
    .with_authorize_param("duration", "permanent");
    let client = OAuth2Client::new("threads", cfg);
    let state = State::from_string("st4te");
    let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    let url = client.authorize_url(&state, Some(&pkce));
    assert_eq!(url.host_str(), Some("threads.net"));
    assert_eq!(url.path(), "/oauth/authorize");
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "cid");
    assert_eq!(q["redirect_uri"], "https://app.example/cb?x=1");
    assert_eq!(q["scope"], "threads_basic,threads_content_publish");
    assert_eq!(q["state"], "st4te");
    assert_eq!(
        q["code_challenge"],
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["duration"], "permanent");
    assert!(
        !url.as_str().contains("dBjftJeZ4CVP"),
        "the verifier never goes into the URL"
    );

    // Without PKCE or scopes those parameters are absent; existing query parameters stay.
    let server_less = OAuth2Config::new(
        "cid",
        Url::parse("https://auth.example/authorize?audience=api").unwrap(),
        Url::parse("https://auth.example/token").unwrap(),
        "https://app.example/cb",
    );
    let url = OAuth2Client::new("p", server_less).authorize_url(&state, None);
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["audience"], "api");
    assert!(!q.contains_key("scope") && !q.contains_key("code_challenge"));
}

#[tokio::test]
async fn exchange_code_with_basic_auth_and_pkce() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json()))
        .mount(&server)
        .await;
    let clock = ManualClock::new(now());
    let client = OAuth2Client::new("x", config(&server));
    let pkce = Pkce::new();
    let token = client
        .exchange_code(&http(&clock), "the-code", Some(&pkce))
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), "new-access");
    assert_eq!(
        token.refresh_token.as_ref().unwrap().expose(),
        "new-refresh"
    );
    assert_eq!(
        token.expires_at,
        Some(now() + chrono::Duration::seconds(7200))
    );
    assert_eq!(token.scope.as_deref(), Some("read write"));
    assert_eq!(token.token_type.as_deref(), Some("bearer"));

    let req = only_request(&server).await;
    // urlencoded "client id" : "s3cr:et" → "client+id:s3cr%3Aet"
    use base64::Engine as _;
    let expected = base64::engine::general_purpose::STANDARD.encode("client+id:s3cr%3Aet");
    assert_eq!(
        req.headers["authorization"],
        format!("Basic {expected}").as_str()
    );
    assert_eq!(req.headers["accept"], "application/json");
    let f = form(&req.body);
    assert_eq!(f["grant_type"], "authorization_code");
    assert_eq!(f["code"], "the-code");
    assert_eq!(f["redirect_uri"], "https://app.example/callback");
    assert_eq!(f["code_verifier"], pkce.verifier().expose());
    assert!(!f.contains_key("client_secret"));
    assert!(!f.contains_key("client_id"));
}

#[tokio::test]
async fn exchange_code_with_form_client_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "a", "token_type": "Bearer", "scope": "read", "created_at": 1
        })))
        .mount(&server)
        .await;
    let clock = ManualClock::new(now());
    let cfg = config(&server).with_client_auth(ClientAuth::RequestBody);
    let token = OAuth2Client::new("mastodon", cfg)
        .exchange_code(&http(&clock), "c", None)
        .await
        .unwrap();
    assert_eq!(token.expires_at, None, "Mastodon tokens do not expire");
    let req = only_request(&server).await;
    assert!(req.headers.get("authorization").is_none());
    let f = form(&req.body);
    assert_eq!(f["client_id"], "client id");
    assert_eq!(f["client_secret"], "s3cr:et");
    assert!(!f.contains_key("code_verifier"));
}

#[tokio::test]
async fn public_client_sends_client_id_only() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json()))
        .mount(&server)
        .await;
    let clock = ManualClock::new(now());
    let mut cfg = config(&server);
    cfg.client_secret = None;
    OAuth2Client::new("x", cfg)
        .exchange_code(&http(&clock), "c", Some(&Pkce::new()))
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert!(req.headers.get("authorization").is_none());
    assert_eq!(form(&req.body)["client_id"], "client id");
}

#[tokio::test]
async fn refresh_with_rotation_stores_the_new_refresh_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json()))
        .mount(&server)
        .await;
    let clock = ManualClock::new(now());
    let token = OAuth2Client::new("x", config(&server))
        .refresh(&http(&clock), &Secret::new("old-refresh"))
        .await
        .unwrap();
    assert_eq!(token.refresh_token.unwrap().expose(), "new-refresh");
    let f = form(&only_request(&server).await.body);
    assert_eq!(f["grant_type"], "refresh_token");
    assert_eq!(f["refresh_token"], "old-refresh");
}

#[tokio::test]
async fn refresh_without_rotation_keeps_the_old_refresh_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "a2", "expires_in": "3600"
        })))
        .mount(&server)
        .await;
    let clock = ManualClock::new(now());
    let token = OAuth2Client::new("reddit", config(&server))
        .refresh(&http(&clock), &Secret::new("old-refresh"))
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), "a2");
    assert_eq!(token.refresh_token.unwrap().expose(), "old-refresh");
    assert_eq!(
        token.expires_at,
        Some(now() + chrono::Duration::seconds(3600))
    );
}

async fn refresh_error(status: u16, body: &str) -> socialkit::Error {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    let clock = ManualClock::new(now());
    let err = OAuth2Client::new("x", config(&server))
        .refresh(&http(&clock), &Secret::new("REFRESHSECRET"))
        .await
        .unwrap_err();
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "token requests are never retried"
    );
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(
            !shown.contains("REFRESHSECRET") && !shown.contains("s3cr:et"),
            "{shown}"
        );
    }
    err
}

#[tokio::test]
async fn token_endpoint_errors_are_typed() {
    let e = refresh_error(
        400,
        r#"{"error":"invalid_grant","error_description":"Refresh token REFRESHSECRET revoked"}"#,
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert_eq!(e.context().platform_code.as_deref(), Some("invalid_grant"));
    assert_eq!(e.context().operation.as_deref(), Some("token_refresh"));
    assert!(e.to_string().contains("reconnected"));

    let e = refresh_error(401, r#"{"error":"invalid_client"}"#).await;
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
    assert_eq!(e.context().platform_code.as_deref(), Some("invalid_client"));

    let e = refresh_error(
        400,
        r#"{"error":"invalid_scope","error_description":"nope"}"#,
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid);

    // Some servers answer 200 with an error body.
    let e = refresh_error(200, r#"{"error":"invalid_grant"}"#).await;
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);

    let e = refresh_error(503, "<html>maintenance</html>").await;
    assert_eq!(e.kind(), ErrorKind::Platform);
    assert!(e.is_retryable());

    let e = refresh_error(200, "access_token=abc&token_type=bearer").await;
    assert_eq!(e.kind(), ErrorKind::Unexpected);

    let e = refresh_error(200, r#"{"token_type":"bearer"}"#).await;
    assert_eq!(e.kind(), ErrorKind::Unexpected);
    assert!(e.to_string().contains("without an access_token"));
}

// ---- TokenManager ----

#[tokio::test]
async fn single_flight_refresh_under_concurrency() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_json())
                .set_delay(Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    let clock = ManualClock::new(now());
    let http = http(&clock);
    let stored = Arc::new(std::sync::Mutex::new(Vec::<Token>::new()));
    let stored_in_hook = stored.clone();
    let expired = Token::new("old-access")
        .with_refresh_token("old-refresh")
        .with_expires_at(now() - chrono::Duration::seconds(1));
    let manager = TokenManager::builder("x", expired)
        .refresher(Arc::new(OAuth2Refresher::new(
            OAuth2Client::new("x", config(&server)),
            http,
        )))
        .clock(Arc::new(clock.clone()))
        .on_refresh(move |t| {
            let stored = stored_in_hook.clone();
            async move { stored.lock().unwrap().push(t) }
        })
        .build();

    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let m = manager.clone();
            tokio::spawn(async move { m.access_token().await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().expose(), "new-access");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    let stored = stored.lock().unwrap().clone();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].refresh_token.as_ref().unwrap().expose(),
        "new-refresh"
    );
    assert_eq!(manager.token().await.access_token.expose(), "new-access");
}

#[tokio::test]
async fn refreshes_ahead_of_expiry_by_the_skew() {
    let clock = ManualClock::new(now());
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let manager = TokenManager::builder(
        "bluesky",
        Token::new("a1").with_expires_at(now() + chrono::Duration::seconds(90)),
    )
    .skew(Duration::from_secs(60))
    .clock(Arc::new(clock.clone()))
    .refresher(refresh_fn(move |_current: Token| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            Ok(Token::new(format!("a{}", n + 1))
                .with_expires_at(now() + chrono::Duration::hours(2)))
        }
    }))
    .build();
    assert_eq!(manager.access_token().await.unwrap().expose(), "a1");
    clock.advance(chrono::Duration::seconds(31));
    assert_eq!(manager.access_token().await.unwrap().expose(), "a2");
    assert_eq!(manager.access_token().await.unwrap().expose(), "a2");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn expired_without_refresh_means_reconnect() {
    let clock = ManualClock::new(now());
    let manager = TokenManager::builder(
        "linkedin",
        Token::new("a").with_expires_at(now() - chrono::Duration::days(1)),
    )
    .clock(Arc::new(clock))
    .build();
    let err = manager.access_token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert!(err.to_string().contains("must be reconnected"), "{err}");
    assert_eq!(err.context().platform.as_deref(), Some("linkedin"));
}

#[tokio::test]
async fn oauth_refresher_without_refresh_token_means_reconnect() {
    let server = MockServer::start().await;
    let clock = ManualClock::new(now());
    let manager = TokenManager::builder("x", Token::new("a").with_expires_at(now()))
        .clock(Arc::new(clock.clone()))
        .refresher(Arc::new(OAuth2Refresher::new(
            OAuth2Client::new("x", config(&server)),
            http(&clock),
        )))
        .build();
    let err = manager.access_token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert!(err.to_string().contains("no refresh token"));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn failed_refresh_of_a_still_valid_token_keeps_the_token() {
    let clock = ManualClock::new(now());
    let manager = TokenManager::builder(
        "x",
        Token::new("still-good")
            .with_refresh_token("r")
            .with_expires_at(now() + chrono::Duration::seconds(30)),
    )
    .clock(Arc::new(clock.clone()))
    .refresher(refresh_fn(|_t: Token| async {
        Err(socialkit::Error::new(ErrorKind::Network, "offline"))
    }))
    .build();
    assert_eq!(manager.access_token().await.unwrap().expose(), "still-good");
    clock.advance(chrono::Duration::seconds(31));
    let err = manager.access_token().await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Network,
        "a transient failure is not a reconnect"
    );
}

#[tokio::test]
async fn invalid_grant_on_refresh_surfaces_as_unauthenticated() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": "invalid_grant"})),
        )
        .mount(&server)
        .await;
    let clock = ManualClock::new(now());
    let manager = TokenManager::builder(
        "x",
        Token::new("a")
            .with_refresh_token("r")
            .with_expires_at(now()),
    )
    .clock(Arc::new(clock.clone()))
    .refresher(Arc::new(OAuth2Refresher::new(
        OAuth2Client::new("x", config(&server)),
        http(&clock),
    )))
    .build();
    let err = manager.access_token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert!(err.to_string().contains("reconnected"));
}

// Tokio's paused clock: the refresh's 50 ms pass only when every task is waiting, so all
// eight rejections are in before the one refresh ends (no real time, no race).
#[tokio::test(start_paused = true)]
async fn invalidate_refreshes_once_for_concurrent_rejections() {
    let clock = ManualClock::new(now());
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let manager = TokenManager::builder("bluesky", Token::new("rejected").with_refresh_token("r"))
        .clock(Arc::new(clock))
        .refresher(refresh_fn(move |current: Token| {
            counter.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                assert_eq!(current.refresh_token.unwrap().expose(), "r");
                Ok(Token::new("fresh"))
            }
        }))
        .build();
    let rejected = Secret::new("rejected");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (m, r) = (manager.clone(), rejected.clone());
            tokio::spawn(async move { m.invalidate(&r).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().expose(), "fresh");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // Not rotated: the old refresh token is kept.
    assert_eq!(manager.token().await.refresh_token.unwrap().expose(), "r");
}

#[tokio::test]
async fn send_refreshes_once_when_the_platform_rejects_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/post"))
        .and(wiremock::matchers::header("authorization", "Bearer stale"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"error": "The access token expired"})),
        )
        .expect(2) // once for each manager below
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/post"))
        .and(wiremock::matchers::header("authorization", "Bearer fresh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "1"})))
        .expect(1)
        .mount(&server)
        .await;
    let clock = ManualClock::new(now());
    let http = http(&clock);
    let manager = TokenManager::builder("x", Token::new("stale").with_refresh_token("r"))
        .clock(Arc::new(clock))
        .refresher(refresh_fn(|_t: Token| async { Ok(Token::new("fresh")) }))
        .build();
    let url = Url::parse(&format!("{}/api/post", server.uri())).unwrap();
    let resp = manager
        .send(&http, &socialkit::http::DefaultErrorMapper, |token| {
            socialkit::http::Call::post("x", "publish", url.clone()).bearer(token)
        })
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);

    // Without a refresher the 401 is returned as it is, after one request.
    let fixed = TokenManager::fixed("x", Token::new("stale"));
    let err = fixed
        .send(&http, &socialkit::http::DefaultErrorMapper, |token| {
            socialkit::http::Call::post("x", "publish", url.clone()).bearer(token)
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

/// A token endpoint's error answer that quotes the request's secrets (refresh token, client
/// secret, the access token being replaced), and a malformed success answer holding a new
/// token: no error shows any of them.
#[tokio::test]
async fn token_errors_never_show_the_secrets_of_the_request_or_answer() {
    let clock = ManualClock::new(now());
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(426).set_body_string(
                r#"{"error": "x", "echo": "rt-0123456789 s3cr:et at-0123456789"}"#,
            ),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"access_token": new-token-0123456789"#),
        )
        .mount(&server)
        .await;
    let mut current = Token::new("at-0123456789");
    current.refresh_token = Some(Secret::new("rt-0123456789"));
    let refresher = OAuth2Refresher::new(OAuth2Client::new("x", config(&server)), http(&clock));
    // First the quoting error answer, then the malformed success.
    for _ in 0..2 {
        let err = socialkit::auth::Refresher::refresh(&refresher, &current)
            .await
            .unwrap_err();
        let shown = format!("{err} {err:?}");
        for secret in [
            "rt-0123456789",
            "s3cr:et",
            "at-0123456789",
            "new-token-0123456789",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
