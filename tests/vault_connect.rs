//! Connect flows end to end: Mastodon app registration on the twin, the authorization URL
//! with state and PKCE, completion from the callback, and a stored channel that publishes; and
//! every bad callback (wrong state, denied consent, reused code, missing scope) as a typed
//! error with nothing stored.
//!
//! The error answers follow RFC 6749: §4.1.2.1 (`error=access_denied` on the redirect) and
//! §5.2 (`invalid_grant` for an expired or used code,
//! <https://www.rfc-editor.org/rfc/rfc6749#section-5.2>).

#![cfg(all(feature = "mastodon", feature = "testkit", feature = "sqlite"))]

use std::sync::Arc;

use socialkit::adapters::mastodon::oauth::{AppRegistration, MastodonApp};
use socialkit::adapters::mastodon::twin::Twin;
use socialkit::auth::connect::{Callback, ConnectError, PendingConnect};
use socialkit::auth::{OAuth2Client, OAuth2Config};
use socialkit::engine::Engine;
use socialkit::model::Post;
use socialkit::store::vault::{ChannelSource, KeyRing};
use socialkit::store::{ChannelRecord, SqliteStore};
use socialkit::{ErrorKind, http::Client};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn engine() -> Engine {
    Engine::builder(Arc::new(SqliteStore::in_memory().unwrap()))
        .vault(Arc::new(KeyRing::single("k1".parse().unwrap(), [8; 32])))
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_connect_registers_authorizes_stores_and_publishes() {
    let twin = Twin::start().await.unwrap();
    let http = Client::default();
    let redirect = "http://127.0.0.1:8765/callback";
    let app = MastodonApp::register(
        &http,
        &twin.url(),
        &AppRegistration::new("socialkit-test", redirect),
    )
    .await
    .unwrap();
    let oauth = app.oauth_client().unwrap();
    let (url, pending) = PendingConnect::start(&oauth, true, http.now());
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["state"], pending.state.as_str());
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["redirect_uri"], redirect);
    // The pending flow survives a round trip through the app's session store.
    let pending: PendingConnect =
        serde_json::from_str(&serde_json::to_string(&pending).unwrap()).unwrap();

    // The user approved; the instance redirects with the twin's code.
    let cb = Callback::parse(&format!("code=twin-code&state={}", q["state"])).unwrap();
    let token = pending.complete(&oauth, &http, &cb).await.unwrap();
    let config = socialkit::adapters::mastodon::MastodonConfig::new(
        twin.url().as_str(),
        token.access_token.clone(),
    )
    .unwrap();
    let engine = engine();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    engine
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new("masto", "mastodon"),
            ChannelSource::Url(config.to_url()),
        )
        .await
        .unwrap();
    engine
        .submit(
            &ws,
            "olga",
            Post::text("Connected through OAuth"),
            &["masto".into()],
        )
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().published, 1);
}

/// A token endpoint that accepts `good-code` once (then says `invalid_grant`, as a used code
/// gets) and grants only `read` for `narrow-code`.
async fn token_endpoint() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("code=good-code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "at-1", "token_type": "bearer", "expires_in": 7200,
            "scope": "read write", "refresh_token": "rt-1"
        })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("code=narrow-code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "at-2", "token_type": "bearer", "scope": "read"
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_grant",
            "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
        })))
        .with_priority(5)
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_callbacks_are_typed_errors_and_store_nothing() {
    let server = token_endpoint().await;
    let base = url::Url::parse(&server.uri()).unwrap();
    let config = OAuth2Config::new(
        "app",
        base.join("authorize").unwrap(),
        base.join("token").unwrap(),
        "http://127.0.0.1:8765/callback",
    )
    .with_scopes(["read", "write"]);
    let oauth = OAuth2Client::new("linkedin", config);
    let http = Client::default();
    let (_, pending) = PendingConnect::start(&oauth, true, http.now());
    let state = pending.state.as_str().to_string();
    let kind_of = |e: &socialkit::Error| (e.kind(), ConnectError::of(e).cloned());

    // Wrong state: refused before any exchange.
    let cb = Callback::parse("code=good-code&state=someone-else").unwrap();
    let e = pending.complete(&oauth, &http, &cb).await.unwrap_err();
    assert_eq!(
        kind_of(&e),
        (ErrorKind::Validation, Some(ConnectError::StateMismatch))
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        0,
        "no exchange"
    );

    // Denied consent.
    let cb = Callback::parse(&format!(
        "error=access_denied&error_description=The+user+cancelled&state={state}"
    ))
    .unwrap();
    let e = pending.complete(&oauth, &http, &cb).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert!(
        matches!(ConnectError::of(&e), Some(ConnectError::Denied { error, .. }) if error == "access_denied")
    );
    assert!(e.to_string().contains("The user cancelled"));

    // A good code works once; reused, it is refused.
    let cb = Callback::parse(&format!("code=good-code&state={state}")).unwrap();
    let token = pending.complete(&oauth, &http, &cb).await.unwrap();
    assert_eq!(token.access_token.expose(), "at-1");
    let e = pending.complete(&oauth, &http, &cb).await.unwrap_err();
    assert_eq!(
        kind_of(&e),
        (ErrorKind::Unauthenticated, Some(ConnectError::CodeRejected))
    );
    assert!(e.to_string().contains("start the connection again"));

    // A scope not granted.
    let cb = Callback::parse(&format!("code=narrow-code&state={state}")).unwrap();
    let e = pending.complete(&oauth, &http, &cb).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        ConnectError::of(&e),
        Some(&ConnectError::MissingScope {
            missing: vec!["write".into()]
        })
    );

    // Too late.
    let old = PendingConnect {
        started_at: http.now() - chrono::Duration::hours(1),
        ..pending.clone()
    };
    let e = old.complete(&oauth, &http, &cb).await.unwrap_err();
    assert_eq!(ConnectError::of(&e), Some(&ConnectError::Expired));

    // No code or token in the errors' text.
    let text = format!("{e} {e:?}");
    assert!(
        !text.contains("narrow-code") && !text.contains("at-2"),
        "{text}"
    );
}
