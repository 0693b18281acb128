//! Meta's long-lived token exchanges against a local wiremock Graph API.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::TimeZone;
use socialkit::ErrorKind;
use socialkit::auth::{Secret, Token, TokenManager, meta, refresh_fn};
use socialkit::http::{Client, HttpConfig, ManualClock};
use url::Url;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap()
}

fn http() -> Client {
    Client::new(HttpConfig::default())
        .unwrap()
        .with_clock(Arc::new(ManualClock::new(now())))
}

fn long_lived() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": "LONGLIVED",
        "token_type": "bearer",
        "expires_in": 5_183_944
    }))
}

async fn query_of_only_request(server: &MockServer) -> HashMap<String, String> {
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method.as_str(), "GET");
    reqs[0].url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn facebook_exchange() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v21.0/oauth/access_token"))
        .and(query_param("grant_type", "fb_exchange_token"))
        .respond_with(long_lived())
        .mount(&server)
        .await;
    let graph = Url::parse(&format!("{}/v21.0", server.uri())).unwrap();
    let token = meta::fb_exchange_token(
        &http(),
        &graph,
        "app-id",
        &Secret::new("app-secret"),
        &Secret::new("SHORT"),
    )
    .await
    .unwrap();
    assert_eq!(token.access_token.expose(), "LONGLIVED");
    assert_eq!(
        token.expires_at,
        Some(now() + chrono::Duration::seconds(5_183_944))
    );
    assert_eq!(token.refresh_token, None);
    let q = query_of_only_request(&server).await;
    assert_eq!(q["client_id"], "app-id");
    assert_eq!(q["client_secret"], "app-secret");
    assert_eq!(q["fb_exchange_token"], "SHORT");
}

#[tokio::test]
async fn threads_exchange_and_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/access_token"))
        .and(query_param("grant_type", "th_exchange_token"))
        .respond_with(long_lived())
        .mount(&server)
        .await;
    let graph = Url::parse(&server.uri()).unwrap();
    let token = meta::th_exchange_token(&http(), &graph, &Secret::new("cs"), &Secret::new("SHORT"))
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), "LONGLIVED");
    let q = query_of_only_request(&server).await;
    assert_eq!(q["client_secret"], "cs");
    assert_eq!(q["access_token"], "SHORT");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/refresh_access_token"))
        .and(query_param("grant_type", "th_refresh_token"))
        .and(query_param("access_token", "LONGLIVED"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "REFRESHED", "token_type": "bearer", "expires_in": 5_183_944
        })))
        .expect(1)
        .mount(&server)
        .await;
    let graph = Url::parse(&server.uri()).unwrap();
    let token = meta::th_refresh_token(&http(), &graph, &Secret::new("LONGLIVED"))
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), "REFRESHED");
}

#[tokio::test]
async fn instagram_exchange_and_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/access_token"))
        .and(query_param("grant_type", "ig_exchange_token"))
        .and(query_param("client_secret", "cs"))
        .and(query_param("access_token", "SHORT"))
        .respond_with(long_lived())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/refresh_access_token"))
        .and(query_param("grant_type", "ig_refresh_token"))
        .and(query_param("access_token", "LONGLIVED"))
        .respond_with(long_lived())
        .expect(1)
        .mount(&server)
        .await;
    let graph = Url::parse(&server.uri()).unwrap();
    let http = http();
    let long = meta::ig_exchange_token(&http, &graph, &Secret::new("cs"), &Secret::new("SHORT"))
        .await
        .unwrap();
    let again = meta::ig_refresh_token(&http, &graph, &long.access_token)
        .await
        .unwrap();
    assert_eq!(again.access_token.expose(), "LONGLIVED");
}

#[tokio::test]
async fn expired_token_is_unauthenticated_and_secrets_stay_out_of_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": {
                "message": "Error validating access token: Session has expired. Token EXPIREDTOKEN",
                "type": "OAuthException",
                "code": 190,
                "error_subcode": 463,
                "fbtrace_id": "AbC"
            }
        })))
        .mount(&server)
        .await;
    let graph = Url::parse(&server.uri()).unwrap();
    let err = meta::th_refresh_token(&http(), &graph, &Secret::new("EXPIREDTOKEN"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert_eq!(err.context().platform_code.as_deref(), Some("190"));
    assert_eq!(err.context().platform.as_deref(), Some("threads"));
    assert_eq!(err.context().operation.as_deref(), Some("token_refresh"));
    assert!(err.message().contains("subcode 463"));
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("EXPIREDTOKEN"), "{shown}");
    }
}

#[tokio::test]
async fn throttled_exchange_is_rate_limited_with_regain_time() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header(
                    "x-business-use-case-usage",
                    r#"{"1":[{"type":"pages","call_count":100,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":30}]}"#,
                )
                .set_body_json(serde_json::json!({
                    "error": {"message": "User request limit reached", "type": "OAuthException", "code": 17}
                })),
        )
        .mount(&server)
        .await;
    let graph = Url::parse(&server.uri()).unwrap();
    let err = meta::ig_refresh_token(&http(), &graph, &Secret::new("LONGLIVED"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    // 30 minutes is over the client's max wait: returned at once, with the time to come back.
    assert_eq!(
        err.retry_after(),
        Some(now() + chrono::Duration::minutes(30))
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn threads_refresh_through_a_token_manager() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/refresh_access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "REFRESHED", "expires_in": 5_183_944
        })))
        .expect(1)
        .mount(&server)
        .await;
    let graph = Url::parse(&server.uri()).unwrap();
    let http = http();
    let clock = ManualClock::new(now());
    let manager = TokenManager::builder(
        "threads",
        Token::new("LONGLIVED").with_expires_at(now() + chrono::Duration::hours(1)),
    )
    .skew(std::time::Duration::from_secs(2 * 24 * 3600))
    .clock(Arc::new(clock))
    .refresher(refresh_fn(move |current: Token| {
        let (http, graph) = (http.clone(), graph.clone());
        async move { meta::th_refresh_token(&http, &graph, &current.access_token).await }
    }))
    .build();
    assert_eq!(manager.access_token().await.unwrap().expose(), "REFRESHED");
}
