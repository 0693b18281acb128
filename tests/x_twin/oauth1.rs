//! OAuth 1.0a user context against the twin, which recomputes every signature.

use socialkit::adapters::x::X;
use socialkit::adapters::x::twin::{Twin, TwinOptions};
use socialkit::auth::Secret;
use socialkit::auth::oauth1::{OAuth1Credentials, OAuth1Signer};
use socialkit::http::Call;
use socialkit::model::{InteractionQuery, Media, Post, SearchQuery};
use socialkit::{ErrorKind, Platform, PlatformExt, Registry};

use super::manual_client;

#[tokio::test]
async fn every_operation_works_signed_with_oauth1_media_upload_included() {
    let twin = Twin::start().await.unwrap();
    let x = X::with_client(twin.config_oauth1(), manual_client().0);
    let me = x.channel().await.unwrap();
    assert_eq!(me.handle, "acme");
    // An image: JSON initialize, multipart append, finalize, JSON alt text, JSON create.
    let post = Post::text("signed with a picture")
        .with_media(Media::from_bytes("image/png", vec![1u8; 2048]).with_alt("a square"));
    let published = x.publish(&post, &Default::default()).await.unwrap();
    let h = twin.handle();
    let tweet = h.tweet(&published.post.id).unwrap();
    assert_eq!(tweet.media_ids.len(), 1);
    assert_eq!(
        h.media(&tweet.media_ids[0]).unwrap().alt_text.as_deref(),
        Some("a square")
    );
    assert_eq!(h.requests().count_to("POST", "/2/media/upload/"), 3);
    // Reads with query parameters are signed over them.
    let bob = h.add_user("bob");
    h.mention(&bob, "hello there");
    let page = x
        .interactions(&InteractionQuery::default().limit(10))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let found = x.search(&SearchQuery::new("signed picture")).await.unwrap();
    assert_eq!(found.items.len(), 1);
    let metrics = x
        .post_metrics(std::slice::from_ref(&published.post))
        .await
        .unwrap();
    assert_eq!(metrics.len(), 1);
    assert_eq!(x.recent_posts(5).await.unwrap().len(), 1);
    x.delete(&published.post).await.unwrap();
    assert!(h.tweets().is_empty());
    // No bearer token was ever sent.
    assert!(x.tokens().token().await.access_token.is_empty());
}

#[tokio::test]
async fn a_wrong_token_secret_is_refused_with_xs_401_and_nothing_is_posted() {
    let twin = Twin::start().await.unwrap();
    let mut config = twin.config_oauth1();
    let real = config.oauth1.clone().unwrap();
    config.oauth1 = Some(OAuth1Credentials {
        token_secret: Secret::new("not-the-token-secret"),
        ..real.clone()
    });
    let x = X::with_client(config, manual_client().0);
    let e = x.publish_text("should not appear").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}");
    assert_eq!(e.context().http_status, Some(401));
    assert_eq!(
        e.context().platform_message.as_deref(),
        Some("Unauthorized")
    );
    assert!(twin.handle().tweets().is_empty());
    let e = x.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    let shown = format!("{e} {e:?} {x:?}");
    for secret in ["not-the-token-secret", real.consumer_secret.expose()] {
        assert!(!shown.contains(secret), "{shown}");
    }

    // A wrong consumer secret, and an unknown token: refused too.
    let mut config = twin.config_oauth1();
    config.oauth1 = Some(OAuth1Credentials {
        consumer_secret: Secret::new("wrong"),
        ..real.clone()
    });
    let e = X::with_client(config, manual_client().0)
        .channel()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    let mut config = twin.config_oauth1();
    config.oauth1 = Some(OAuth1Credentials {
        token: Secret::new("1-someone-else"),
        ..real
    });
    let e = X::with_client(config, manual_client().0)
        .channel()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
}

#[tokio::test]
async fn the_twin_checks_the_signature_over_what_arrives() {
    let twin = Twin::start().await.unwrap();
    let signer = OAuth1Signer::new(&twin.oauth1_credentials());
    let url = twin
        .url()
        .join("2/users/me?user.fields=public_metrics")
        .unwrap();
    let signed = signer.sign(Call::get("x", "channel", url.clone()));
    let header = signed.headers()["authorization"].clone();
    let http = reqwest::Client::new();
    let ok = http
        .get(url.clone())
        .header("authorization", header.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    // The same header on another query: the signature no longer matches.
    let tampered = twin
        .url()
        .join("2/users/me?user.fields=description")
        .unwrap();
    let refused = http
        .get(tampered)
        .header("authorization", header.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["title"], "Unauthorized");
    assert_eq!(body["type"], "about:blank");
    // Another method on the same URL: refused.
    let refused = http
        .delete(url)
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    // A signed form body: its parameters are part of the signature.
    let creds = twin.oauth1_credentials();
    let rt_url = twin.url().join("oauth/request_token").unwrap();
    let call = OAuth1Signer::consumer(creds.consumer_key.clone(), creds.consumer_secret.clone())
        .sign_with(
            Call::post("x", "request_token", rt_url.clone())
                .form([("x_auth_access_type", "write")]),
            &[("oauth_callback", "https://app.example/cb")],
        );
    let header = call.headers()["authorization"].clone();
    let ok = http
        .post(rt_url.clone())
        .header("authorization", header.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x_auth_access_type=write")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let refused = http
        .post(rt_url)
        .header("authorization", header)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x_auth_access_type=read")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], 32);
}

#[tokio::test]
async fn the_three_legged_flow_gives_working_credentials() {
    let twin = Twin::start().await.unwrap();
    let (http, _) = manual_client();
    let flow = twin.oauth1_client();
    let request = flow
        .request_token(&http, "https://app.example/x/callback")
        .await
        .unwrap();
    assert!(request.callback_confirmed);
    let authorize = flow.authorize_url(&request);
    assert_eq!(authorize.path(), "/oauth/authorize");
    // The authorize page redirects to the callback with the token and a verifier.
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(authorize)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 302);
    let to = url::Url::parse(page.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(to.path(), "/x/callback");
    let param = |name: &str| {
        to.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    assert_eq!(param("oauth_token"), request.token.expose());
    // A wrong verifier is refused, and the right one then still works.
    let e = flow
        .access_token(&http, &request, "guessed")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    let access = flow
        .access_token(&http, &request, &param("oauth_verifier"))
        .await
        .unwrap();
    assert_eq!(access.get("screen_name"), Some("acme"));
    assert_eq!(
        access.get("user_id"),
        Some(twin.handle().owner_id().as_str())
    );
    // The request token is used up.
    let e = flow
        .access_token(&http, &request, &param("oauth_verifier"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    let o = TwinOptions::default();
    let mut config = twin.config();
    config.token = Secret::default();
    config.oauth1 = Some(access.credentials(o.consumer_key, o.consumer_secret));
    let x = X::with_client(config, http.clone());
    assert_eq!(x.channel().await.unwrap().handle, "acme");
    // A wrong consumer secret cannot even get a request token.
    let bad =
        socialkit::adapters::x::oauth::oauth1_client_at(&twin.url(), "twin-x-consumer-key", "nope");
    let e = bad
        .request_token(&http, "https://app.example/x/callback")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert_eq!(e.context().http_status, Some(401));
}

#[tokio::test]
async fn the_registry_builds_an_oauth1_channel_from_its_url() {
    let twin = Twin::start().await.unwrap();
    let c = twin.oauth1_credentials();
    let url = format!(
        "x://{}:{}@{}?scheme=http&oauth_token={}&oauth_token_secret={}",
        c.consumer_key.expose(),
        c.consumer_secret.expose(),
        twin.url().host_str().unwrap().to_string() + ":" + &twin.url().port().unwrap().to_string(),
        c.token.expose(),
        c.token_secret.expose()
    );
    let x = Registry::default().from_url(&url).unwrap();
    assert_eq!(x.channel().await.unwrap().handle, "acme");
    assert!(!format!("{x:?}").contains(c.token_secret.expose()));
    let config: socialkit::ChannelConfig = serde_json::from_value(serde_json::json!({
        "platform": "x", "settings": {"user_id": "1"}
    }))
    .unwrap();
    let e = Registry::default()
        .from_config(&config)
        .map(drop)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
}

#[tokio::test]
async fn a_stale_timestamp_is_refused() {
    let twin = Twin::start().await.unwrap();
    // The client's clock is an hour behind: its signatures carry an old oauth_timestamp.
    let clock = socialkit::clock::ManualClock::new(chrono::Utc::now() - chrono::Duration::hours(1));
    let client = socialkit::http::Client::default().with_clock(std::sync::Arc::new(clock.clone()));
    let x = X::with_client(twin.config_oauth1(), client);
    let e = x.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    // Back in sync, the same adapter works.
    clock.set(chrono::Utc::now());
    assert_eq!(x.channel().await.unwrap().handle, "acme");
}
