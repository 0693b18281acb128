//! atproto OAuth against the real reference PDS (`../shared/peers/`, `bluesky-pds`), in
//! separate processes sharing only a SQLite file and the vault key.
//!
//! 1. Process 1 connects alice with atproto OAuth as an app does: a loopback client
//!    (`http://localhost?redirect_uri=…`), handle → DID (PDS `resolveHandle`) → DID document
//!    (the peer's PLC directory) → PDS → authorization server metadata, PAR with PKCE and
//!    DPoP (the PDS asks for its nonce first). The user's part is played through the PDS's
//!    own sign-in app the way its JavaScript does: the authorization page (device and CSRF
//!    cookies), `POST /@atproto/oauth-provider/~api/sign-in`, `…/~api/consent`, and the
//!    redirect page, which sends the browser to the local callback with `code`, `state` and
//!    `iss`. The code is exchanged (DPoP), the channel stored in the vault (tokens and DPoP
//!    key sealed), one post published with DPoP-bound requests; the process exits.
//! 2. Between the processes the test moves the stored `expires_at` into the past (the PDS
//!    issues access tokens for an hour; the client decides from the stored expiry).
//! 3. Process 2 opens the file with the key (no connect call), refreshes (the PDS rotates
//!    the refresh token), writes the pair to the vault before using it, and publishes one
//!    more post. The test counts alice's posts on the PDS (`listRecords`): one each.
//! 4. SIGKILL in the window: process 3 must refresh again, the PDS answers, and the process
//!    is killed before the vault write. Process 4 finds the stored refresh token spent: the
//!    PDS treats it as a replay and ends the session, so the channel needs
//!    re-authorisation (`refresh_lost`) and the post waits (scheduled, not failed, not sent).
//!
//! Without the peer the test prints `SKIPPED: …` and passes, except with `CI=true`.

#![cfg(all(feature = "bluesky", feature = "testkit", feature = "sqlite"))]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use socialkit::ChannelConfig;
use socialkit::ErrorKind;
use socialkit::adapters::bluesky::oauth::{OAuthClient, Resolver};
use socialkit::auth::connect::{Callback, ConnectError};
use socialkit::engine::{Engine, EngineConfig, EventKind, Hooks};
use socialkit::http::Client;
use socialkit::model::Post;
use socialkit::store::vault::{ChannelHealth, ChannelSource, EnvKeyProvider, ReauthReason};
use socialkit::store::{ChannelRecord, DeliveryFilter, DeliveryState, SqliteStore};

mod vault_support;
use vault_support::{Run, pds_count};

const WS: &str = "acme";
const BSKY: &str = "bsky-oauth";

fn peer() -> Option<HashMap<String, String>> {
    let file = std::env::var_os("SOCIALKIT_PEERS_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/socialkit-peers")
        })
        .join("run/bluesky-pds.env");
    match std::fs::read_to_string(&file) {
        Ok(text) => Some(
            text.lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect(),
        ),
        Err(_) => {
            assert!(
                std::env::var("CI").map(|v| v != "true").unwrap_or(true),
                "bluesky-pds is not running ({} missing) and CI=true",
                file.display()
            );
            println!("SKIPPED: bluesky-pds not running");
            None
        }
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent test"))
}

fn config() -> EngineConfig {
    EngineConfig {
        worker: "oauth-peer-worker".into(),
        refresh_lease: Duration::seconds(2),
        reauth_retry: Duration::seconds(1),
        ..EngineConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// The user's part, played through the PDS's sign-in app.

/// The browser: cookies by name (the PDS's are `Secure`, which a browser keeps for
/// `localhost`; kept by hand here) and the Fetch-Metadata headers a browser sends.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

impl Browser {
    fn new() -> Self {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for c in r.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let pair = c.split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.insert(k.trim().into(), v.trim().into());
            }
        }
    }

    /// A top-level navigation.
    async fn navigate(
        &mut self,
        url: &str,
        site: &str,
        referer: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .get(url)
            .header("sec-fetch-mode", "navigate")
            .header("sec-fetch-dest", "document")
            .header("sec-fetch-site", site)
            .header("cookie", self.cookie_header());
        if let Some(r) = referer {
            req = req.header("referer", r);
        }
        let r = req.send().await.unwrap();
        self.keep(&r);
        r
    }

    /// A `fetch()` from the authorization page to the sign-in app's API.
    async fn api(
        &mut self,
        page: &url::Url,
        endpoint: &str,
        body: Value,
        bearer: Option<&str>,
    ) -> Value {
        let origin = page.origin().ascii_serialization();
        let mut req = self
            .http
            .post(format!("{origin}/@atproto/oauth-provider/~api{endpoint}"))
            .header("origin", &origin)
            .header("referer", page.as_str())
            .header("sec-fetch-mode", "same-origin")
            .header("sec-fetch-site", "same-origin")
            .header("sec-fetch-dest", "empty")
            .header(
                "x-csrf-token",
                self.cookies.get("csrf-token").cloned().unwrap_or_default(),
            )
            .header("cookie", self.cookie_header())
            .json(&body);
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        let r = req.send().await.unwrap();
        self.keep(&r);
        let status = r.status();
        let out: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{endpoint}: {status} {out}");
        out
    }
}

fn resolver(pds: &HashMap<String, String>) -> Resolver {
    Resolver::new(
        url::Url::parse(&pds["SOCIALKIT_BLUESKY_PDS_URL"]).unwrap(),
        url::Url::parse(&pds["SOCIALKIT_BLUESKY_PLC_URL"]).unwrap(),
    )
}

/// Opens the authorization page like a browser (device and CSRF cookies).
async fn open_page(authorize: &url::Url) -> Browser {
    let mut browser = Browser::new();
    let page = browser
        .navigate(authorize.as_str(), "cross-site", None)
        .await;
    assert!(
        page.status().is_success(),
        "authorization page: {}",
        page.status()
    );
    assert!(
        browser.cookies.contains_key("csrf-token"),
        "{:?}",
        browser.cookies.keys()
    );
    browser
}

/// The user refuses: the PDS redirects with `error=access_denied`; completing gives a
/// typed `PermissionDenied` and nothing else happens.
async fn denied(pds: &HashMap<String, String>) {
    let (redirect, rx) = vault_support::callback_server().await;
    let redirect = url::Url::parse(&redirect).unwrap();
    let client = OAuthClient::loopback(redirect)
        .unwrap()
        .with_resolver(resolver(pds));
    let http = Client::default();
    let (authorize, pending) = client
        .start(&http, &pds["SOCIALKIT_BLUESKY_HANDLE"])
        .await
        .unwrap();
    let mut browser = open_page(&authorize).await;
    let rejected = browser.api(&authorize, "/reject", json!({}), None).await;
    let r = browser
        .navigate(
            rejected["url"].as_str().unwrap(),
            "same-origin",
            Some(authorize.as_str()),
        )
        .await;
    let location = r.headers()["location"].to_str().unwrap().to_string();
    browser.navigate(&location, "cross-site", None).await;
    let query = rx.await.unwrap();
    let err = client
        .complete(&http, &pending, &Callback::parse(&query).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert!(matches!(
        ConnectError::of(&err),
        Some(ConnectError::Denied { .. })
    ));
    println!("denied: {err}");
}

/// Connects alice with atproto OAuth and returns the channel config.
async fn connect(pds: &HashMap<String, String>) -> socialkit::adapters::bluesky::BlueskyConfig {
    let (redirect, rx) = vault_support::callback_server().await;
    let redirect = url::Url::parse(&redirect).unwrap();
    let client = OAuthClient::loopback(redirect)
        .unwrap()
        .with_resolver(resolver(pds));
    let http = Client::default();
    let handle = &pds["SOCIALKIT_BLUESKY_HANDLE"];
    let (authorize, pending) = client.start(&http, handle).await.unwrap();
    assert_eq!(pending.did, pds["SOCIALKIT_BLUESKY_DID"]);
    let mut browser = open_page(&authorize).await;
    let signed_in = browser
        .api(
            &authorize,
            "/sign-in",
            json!({"locale": "en", "username": handle, "password": pds["SOCIALKIT_BLUESKY_PASSWORD"], "remember": false}),
            None,
        )
        .await;
    let did = signed_in["account"]["sub"]
        .as_str()
        .or(signed_in["account"]["did"].as_str())
        .unwrap_or_else(|| panic!("sign-in answer: {}", signed_in["account"]))
        .to_string();
    let ephemeral = signed_in["ephemeralToken"].as_str().map(str::to_string);
    let consent = browser
        .api(
            &authorize,
            "/consent",
            json!({"did": did}),
            ephemeral.as_deref(),
        )
        .await;
    let redirect_page = consent["url"].as_str().unwrap();
    let r = browser
        .navigate(redirect_page, "same-origin", Some(authorize.as_str()))
        .await;
    assert_eq!(
        r.status().as_u16(),
        303,
        "the PDS sends the browser back to the app"
    );
    let location = r.headers()["location"].to_str().unwrap().to_string();
    // The browser follows the redirect to the app's callback.
    browser.navigate(&location, "cross-site", None).await;
    let query = tokio::time::timeout(std::time::Duration::from_secs(30), rx)
        .await
        .expect("the callback arrives")
        .unwrap();
    let callback = Callback::parse(&query).unwrap();
    assert!(callback.iss.is_some(), "the PDS names itself (RFC 9207)");
    // Forged callbacks are refused before the code is sent anywhere (it stays usable).
    let mut forged = callback.clone();
    forged.state = Some("forged".into());
    let err = client.complete(&http, &pending, &forged).await.unwrap_err();
    assert_eq!(ConnectError::of(&err), Some(&ConnectError::StateMismatch));
    let mut other_server = callback.clone();
    other_server.iss = Some("https://evil.example".into());
    let err = client
        .complete(&http, &pending, &other_server)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.to_string().contains("iss"), "{err}");
    client.complete(&http, &pending, &callback).await.unwrap()
}

// ---------------------------------------------------------------------------------------
// Children.

async fn publish_and_wait(engine: &Engine, text: &str) {
    let ws = socialkit::store::WorkspaceId::new(WS);
    let mut events = engine.subscribe();
    engine
        .submit(&ws, "olga", Post::text(text), &[BSKY.into()])
        .await
        .unwrap();
    let worker = engine.spawn_worker();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(e)) if matches!(e.kind, EventKind::Published { .. }) => break,
            Ok(Ok(e)) if matches!(e.kind, EventKind::Failed { .. }) => panic!("failed: {e:?}"),
            Ok(Ok(_)) => {}
            other => panic!("no publish event in time: {other:?}"),
        }
    }
    worker.shutdown().await.unwrap();
    println!("PUBLISHED");
}

/// Process 1: connect with OAuth, store, publish once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the OAuth peer test"]
async fn child_connect_and_publish() {
    let pds = peer().unwrap();
    let store = SqliteStore::open(env("SK_CHILD_DB")).unwrap();
    let keys = Arc::new(EnvKeyProvider::new().unwrap());
    let engine = Engine::builder(Arc::new(store))
        .vault(keys)
        .config(config())
        .build();
    let ws = engine.create_workspace(WS, "ACME", "olga").await.unwrap();
    denied(&pds).await;
    let cfg = connect(&pds).await;
    assert!(!format!("{cfg:?}").contains(cfg.oauth.as_ref().unwrap().access_token.expose()));
    engine
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new(BSKY, "bluesky"),
            ChannelSource::Config(ChannelConfig {
                platform: "bluesky".into(),
                settings: serde_json::to_value(&cfg).unwrap(),
            }),
        )
        .await
        .unwrap();
    publish_and_wait(&engine, &env("SK_CHILD_TEXT")).await;
}

/// Process 2: no connect call; publish once (refreshing on the way).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the OAuth peer test"]
async fn child_publish() {
    let engine = vault_support::child_engine(config(), None).await;
    assert!(engine.platform(&WS.into(), &BSKY.into()).is_some());
    publish_and_wait(&engine, &env("SK_CHILD_TEXT")).await;
}

#[derive(Debug)]
struct DieBeforeTokenWrite;

impl Hooks for DieBeforeTokenWrite {
    fn before_token_write(
        &self,
        _: &socialkit::store::WorkspaceId,
        _: &socialkit::store::ChannelId,
    ) {
        use std::io::Write;
        println!("TOKEN-ANSWERED");
        std::io::stdout().flush().unwrap();
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        std::process::exit(3);
    }
}

/// Process 3: submits a post, then reads the channel, which needs a refresh; stops in the
/// window (the post stays scheduled, not claimed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the OAuth peer test"]
async fn child_refresh_then_die() {
    let engine = vault_support::child_engine(config(), Some(Arc::new(DieBeforeTokenWrite))).await;
    engine
        .submit(
            &WS.into(),
            "olga",
            Post::text(env("SK_CHILD_TEXT")),
            &[BSKY.into()],
        )
        .await
        .unwrap();
    let bsky = engine.platform(&WS.into(), &BSKY.into()).unwrap();
    let _ = bsky.channel().await;
    unreachable!("the hook stops the process");
}

/// Process 4: one round of the worker; prints what it did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the OAuth peer test"]
async fn child_round() {
    let engine = vault_support::child_engine(config(), None).await;
    let r = engine.run_once().await.unwrap();
    println!("ROUND {r:?}");
}

// ---------------------------------------------------------------------------------------
// Parent.

impl Run {
    async fn oauth(&self) -> (Value, u64) {
        let opened = self
            .engine()
            .vault()
            .unwrap()
            .open(&WS.into(), &BSKY.into())
            .await
            .unwrap();
        match opened.source {
            ChannelSource::Config(c) => (c.settings, opened.version),
            ChannelSource::Url(_) => panic!("stored as a config"),
        }
    }

    /// Moves the stored access token's expiry into the past.
    async fn expire(&self) {
        let (mut settings, version) = self.oauth().await;
        settings["oauth"]["expires_at"] = json!(Utc::now() - Duration::minutes(5));
        self.engine()
            .vault()
            .unwrap()
            .replace(
                &WS.into(),
                &BSKY.into(),
                &ChannelSource::Config(ChannelConfig {
                    platform: "bluesky".into(),
                    settings,
                }),
                ChannelHealth::Connected,
                version,
                Utc::now(),
            )
            .await
            .unwrap();
    }
}

fn text(v: &Value, k: &str) -> String {
    v["oauth"][k].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_connect_restart_refresh_publish_on_the_real_pds() {
    let Some(pds) = peer() else { return };
    let run = Run::new();
    let tag = format!("{:08x}", rand::random::<u32>());
    let (first, second, third) = (
        format!("oauth {tag}-1 connected with atproto OAuth"),
        format!("oauth {tag}-2 after a restart and a refresh"),
        format!("oauth {tag}-3 waits for reconnection"),
    );

    // Process 1: connect, store, publish.
    let out = run
        .child(
            "child_connect_and_publish",
            &[("SK_CHILD_TEXT", first.clone())],
        )
        .await;
    assert!(out.contains("PUBLISHED"), "{out}");
    assert_eq!(pds_count(&pds, &format!("{tag}-1 ")).await, 1);
    let (stored, _) = run.oauth().await;
    assert_eq!(
        stored["oauth"]["did"],
        pds["SOCIALKIT_BLUESKY_DID"].as_str()
    );
    assert!(!text(&stored, "dpop_key").is_empty());
    let raw = std::fs::read(run.db()).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    for secret in [
        text(&stored, "access_token"),
        text(&stored, "refresh_token"),
        text(&stored, "dpop_key"),
    ] {
        assert!(!raw.contains(&secret), "a secret is in the file in clear");
    }

    // Process 2: the stored access token has expired; refresh, store, publish.
    run.expire().await;
    let out = run
        .child("child_publish", &[("SK_CHILD_TEXT", second.clone())])
        .await;
    assert!(out.contains("PUBLISHED"), "{out}");
    assert_eq!(pds_count(&pds, &format!("{tag}-1 ")).await, 1);
    assert_eq!(pds_count(&pds, &format!("{tag}-2 ")).await, 1);
    let (renewed, _) = run.oauth().await;
    assert_ne!(
        text(&renewed, "refresh_token"),
        text(&stored, "refresh_token"),
        "rotated"
    );
    assert_ne!(
        text(&renewed, "access_token"),
        text(&stored, "access_token")
    );
    assert_eq!(
        text(&renewed, "dpop_key"),
        text(&stored, "dpop_key"),
        "the key stays"
    );
    println!("refresh rotated and stored; 2 posts, one each");

    // Process 3: killed after the PDS answered a refresh, before the vault write.
    run.expire().await;
    let mut c = run.command(
        "child_refresh_then_die",
        &[("SK_CHILD_TEXT", third.clone())],
    );
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let status = tokio::task::spawn_blocking(move || {
        let mut child = c.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let seen = BufReader::new(stdout)
            .lines()
            .map_while(|l| l.ok())
            .any(|l| l.contains("TOKEN-ANSWERED"));
        assert!(
            seen,
            "the child reached the window between answer and write"
        );
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap()
    })
    .await
    .unwrap();
    assert!(!status.success());

    // Process 4: the stored refresh token was spent; the PDS ends the session on its reuse.
    let out = run.child("child_round", &[]).await;
    println!("{out}");
    let engine = run.engine();
    match engine
        .channel_health(&WS.into(), &BSKY.into())
        .await
        .unwrap()
    {
        ChannelHealth::NeedsReauth {
            reason, message, ..
        } => {
            assert_eq!(reason, ReauthReason::RefreshLost, "{message}");
            println!("after the kill: needs re-authorisation ({reason:?}): {message}");
        }
        other => panic!("expected needs-reauth, got {other:?}"),
    }
    let waiting: Vec<_> = engine
        .store()
        .deliveries(&WS.into(), &DeliveryFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.state != DeliveryState::Published)
        .collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        waiting[0].state,
        DeliveryState::Scheduled,
        "waiting, not failed"
    );
    assert_eq!(pds_count(&pds, &format!("{tag}-3 ")).await, 0, "not sent");
}
