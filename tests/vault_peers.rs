//! Channels survive restarts against the real servers of `../shared/peers/` (snac for the
//! Mastodon API, the reference atproto PDS), in separate processes sharing only a SQLite file
//! and the vault key (`SOCIALKIT_VAULT_KEYS`).
//!
//! 1. Process 1 connects both channels as an app does and stores them in the vault: on snac a
//!    Mastodon app registration (`POST /api/v1/apps`), the authorization URL with state and
//!    PKCE, the user's part played through snac's own login form (`GET /oauth/authorize`,
//!    which posts to `/oauth/x-snac-login`; snac redirects to the callback with `code` and
//!    `state`), a local callback server, the code exchange; on the PDS the app password, with
//!    the first session (`createSession`) written to the vault. It schedules posts (one
//!    overdue, one due now) on both channels and exits without publishing.
//! 2. Between the processes the test makes the stored Bluesky access token expired: the
//!    stored JWT gets an `exp` in the past (the PDS issues access tokens for 2 hours and its
//!    signing secret is not ours, so a genuinely expired token would take two hours; the
//!    client decides from `exp` before sending, so the PDS never sees the altered token).
//! 3. Process 2 opens the same file with the key, makes no connect call, and the worker
//!    publishes every post: the Bluesky session is renewed with the stored refresh token
//!    (`refreshSession`, real) and written to the vault before it is used. The test counts the
//!    posts on both servers through their own APIs: one each, never two.
//! 4. The test revokes the stored session on the PDS (`deleteSession` with the stored refresh
//!    token, real) and breaks the stored access token's signature (the PDS answers 400
//!    `InvalidToken`). Process 3 submits one more post and publishes it: the refused access
//!    token leads to a refresh, the revoked refresh token to a new session with the app
//!    password, written to the vault, and the post goes out once.
//!
//! Without the peers the test prints `SKIPPED: …` and passes, except with `CI=true`.

#![cfg(all(
    feature = "mastodon",
    feature = "bluesky",
    feature = "testkit",
    feature = "sqlite"
))]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use socialkit::ChannelConfig;
use socialkit::adapters::mastodon::MastodonConfig;
use socialkit::adapters::mastodon::oauth::{AppRegistration, MastodonApp};
use socialkit::auth::connect::{Callback, PendingConnect};
use socialkit::engine::{Engine, EngineConfig, EventKind};
use socialkit::http::Client;
use socialkit::model::Post;
use socialkit::store::vault::{ChannelHealth, ChannelSource, EnvKeyProvider};
use socialkit::store::{ChannelRecord, SqliteStore};

mod vault_support;
use vault_support::{Run, pds_count};

const WS: &str = "acme";
const MASTO: &str = "masto";
const BSKY: &str = "bsky";

// ---------------------------------------------------------------------------------------
// Peers.

fn peer_file(name: &str) -> PathBuf {
    std::env::var_os("SOCIALKIT_PEERS_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/socialkit-peers")
        })
        .join("run")
        .join(format!("{name}.env"))
}

/// The peer's env file as a map, or `None` (with the SKIPPED line) when it is not running;
/// with `CI=true` a missing peer fails.
fn peer(name: &str) -> Option<HashMap<String, String>> {
    match std::fs::read_to_string(peer_file(name)) {
        Ok(text) => Some(
            text.lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
                .collect(),
        ),
        Err(_) => {
            assert!(
                std::env::var("CI").map(|v| v != "true").unwrap_or(true),
                "{name} is not running ({} missing) and CI=true: peers must run in CI",
                peer_file(name).display()
            );
            println!("SKIPPED: {name} not running (start it with ../shared/peers/start.sh {name})");
            None
        }
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent test"))
}

fn config() -> EngineConfig {
    EngineConfig {
        worker: "peer-restart-worker".into(),
        reauth_retry: Duration::seconds(1),
        ..EngineConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// The Mastodon connect flow on snac, the user's part played through snac's login form.

/// The hidden inputs of snac's authorization page (`name="…" value="…"`).
fn hidden_inputs(html: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for input in html.split("<input").skip(1) {
        let tag = input.split('>').next().unwrap_or("");
        let attr = |a: &str| {
            tag.split(&format!("{a}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(str::to_string)
        };
        if let (Some(name), Some(value)) = (attr("name"), attr("value")) {
            out.insert(name, value);
        }
    }
    out
}

async fn connect_mastodon(snac: &HashMap<String, String>) -> MastodonConfig {
    let instance = url::Url::parse(&snac["SOCIALKIT_MASTODON_URL"]).unwrap();
    let (redirect, rx) = vault_support::callback_server().await;
    let http = Client::default();
    let app = MastodonApp::register(
        &http,
        &instance,
        &AppRegistration::new("socialkit restart test", &redirect),
    )
    .await
    .unwrap();
    let oauth = app.oauth_client().unwrap();
    let (authorize, pending) = PendingConnect::start(&oauth, true, http.now());
    // The browser: the authorization page, then its login form.
    // snac closes kept-alive connections between requests: a fresh connection each time.
    let browser = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let page = browser
        .get(authorize.as_str())
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = page
        .split("action=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("snac's authorization page has a login form")
        .to_string();
    let hidden = hidden_inputs(&page);
    assert_eq!(
        hidden.get("state").map(String::as_str),
        Some(pending.state.as_str()),
        "the form carries our state"
    );
    let mut form: Vec<(String, String)> = hidden.into_iter().collect();
    form.push(("login".into(), snac["SOCIALKIT_MASTODON_USERNAME"].clone()));
    form.push(("passwd".into(), snac["SOCIALKIT_MASTODON_PASSWORD"].clone()));
    // snac answers 303 to our callback; the client follows it like a browser.
    browser
        .post(action)
        .form(&form)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let query = tokio::time::timeout(std::time::Duration::from_secs(30), rx)
        .await
        .expect("the callback arrives")
        .unwrap();
    let token = pending
        .complete(&oauth, &http, &Callback::parse(&query).unwrap())
        .await
        .unwrap();
    MastodonConfig::new(instance.as_str(), token.access_token.clone()).unwrap()
}

// ---------------------------------------------------------------------------------------
// Children.

/// Process 1: connect both channels, store them, schedule posts, exit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the peer restart test"]
async fn child_connect_and_schedule() {
    let snac = peer("mastodon-snac").unwrap();
    let pds = peer("bluesky-pds").unwrap();
    let store = SqliteStore::open(env("SK_CHILD_DB")).unwrap();
    let keys = Arc::new(EnvKeyProvider::new().unwrap());
    let engine = Engine::builder(Arc::new(store))
        .vault(keys)
        .config(config())
        .build();
    let ws = engine.create_workspace(WS, "ACME", "olga").await.unwrap();

    let masto = connect_mastodon(&snac).await;
    engine
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new(MASTO, "mastodon"),
            ChannelSource::Url(masto.to_url()),
        )
        .await
        .unwrap();

    let bsky = ChannelConfig {
        platform: "bluesky".into(),
        settings: json!({
            "identifier": pds["SOCIALKIT_BLUESKY_HANDLE"],
            "app_password": pds["SOCIALKIT_BLUESKY_PASSWORD"],
            "pds": pds["SOCIALKIT_BLUESKY_PDS_URL"],
        }),
    };
    let platform = engine
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new(BSKY, "bluesky"),
            ChannelSource::Config(bsky),
        )
        .await
        .unwrap();
    // The app-password sign-in (createSession); the session goes to the vault.
    let me = platform.channel().await.unwrap();
    assert_eq!(me.handle, pds["SOCIALKIT_BLUESKY_HANDLE"]);

    let now = Utc::now();
    for (i, text) in env("SK_CHILD_TEXTS").split('|').enumerate() {
        let at = if i == 0 {
            now - Duration::hours(1)
        } else {
            now
        };
        engine
            .submit(
                &ws,
                "olga",
                Post::text(text).scheduled_at(at),
                &[MASTO.into(), BSKY.into()],
            )
            .await
            .unwrap();
    }
    println!("SCHEDULED");
}

/// Process 2 and 3: open the file (no connect call), optionally submit `SK_CHILD_SUBMIT`,
/// publish until `SK_CHILD_EXPECT` deliveries are published.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the peer restart test"]
async fn child_publish() {
    let engine = vault_support::child_engine(config(), None).await;
    let ws = socialkit::store::WorkspaceId::new(WS);
    assert!(
        engine.platform(&ws, &BSKY.into()).is_some()
            && engine.platform(&ws, &MASTO.into()).is_some(),
        "both channels are rebuilt from the vault"
    );
    if let Ok(text) = std::env::var("SK_CHILD_SUBMIT") {
        engine
            .submit(&ws, "olga", Post::text(text), &[BSKY.into()])
            .await
            .unwrap();
    }
    let expect: usize = env("SK_CHILD_EXPECT").parse().unwrap();
    let mut events = engine.subscribe();
    let worker = engine.spawn_worker();
    let mut published = 0;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(90);
    while published < expect {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(e)) if matches!(e.kind, EventKind::Published { .. }) => published += 1,
            Ok(Ok(e)) if matches!(e.kind, EventKind::Failed { .. }) => {
                panic!("a delivery failed: {e:?}")
            }
            Ok(Ok(e)) => println!("EVENT {:?}", e.kind),
            other => {
                let store = SqliteStore::open(env("SK_CHILD_DB")).unwrap();
                let all = socialkit::store::Store::deliveries(
                    &store,
                    &ws,
                    &socialkit::store::DeliveryFilter::default(),
                )
                .await
                .unwrap();
                for d in all {
                    println!(
                        "DELIVERY {} {:?} {:?} doubt={:?}",
                        d.channel, d.state, d.error, d.in_doubt_since
                    );
                }
                panic!("no publish event in time: {other:?}")
            }
        }
    }
    worker.shutdown().await.unwrap();
    println!("PUBLISHED {published}");
}

// ---------------------------------------------------------------------------------------
// Parent.

impl Run {
    /// The stored Bluesky config's settings.
    async fn bluesky_settings(&self) -> (Value, u64) {
        let engine = self.engine();
        let opened = engine
            .vault()
            .unwrap()
            .open(&WS.into(), &BSKY.into())
            .await
            .unwrap();
        match opened.source {
            ChannelSource::Config(c) => (c.settings, opened.version),
            ChannelSource::Url(_) => panic!("the Bluesky channel is stored as a config"),
        }
    }

    /// Rewrites the stored Bluesky session with `edit`.
    async fn edit_session(&self, edit: impl FnOnce(&mut Value)) {
        let (mut settings, version) = self.bluesky_settings().await;
        edit(&mut settings["session"]);
        let engine = self.engine();
        engine
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

/// A JWT with its payload changed by `edit` (the signature no longer matches).
fn with_claims(jwt: &str, edit: impl FnOnce(&mut Value)) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    edit(&mut claims);
    format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(claims.to_string()),
        parts[2]
    )
}

/// Posts of alice on snac whose text contains `marker`.
async fn snac_count(snac: &HashMap<String, String>, marker: &str) -> usize {
    let url = format!(
        "{}/api/v1/accounts/{}/statuses?limit=40",
        snac["SOCIALKIT_MASTODON_URL"], snac["SOCIALKIT_MASTODON_ACCOUNT_ID"]
    );
    let statuses: Vec<Value> = reqwest::Client::new()
        .get(url)
        .bearer_auth(&snac["SOCIALKIT_MASTODON_ACCESS_TOKEN"])
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    statuses
        .iter()
        .filter(|s| s["content"].as_str().is_some_and(|c| c.contains(marker)))
        .count()
}

/// Whether the PDS accepts `access` (`com.atproto.server.getSession`).
async fn pds_accepts(pds: &HashMap<String, String>, access: &str) -> bool {
    reqwest::Client::new()
        .get(format!(
            "{}/xrpc/com.atproto.server.getSession",
            pds["SOCIALKIT_BLUESKY_PDS_URL"]
        ))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .status()
        .is_success()
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_store_restart_publish_on_real_peers() {
    let (Some(snac), Some(pds)) = (peer("mastodon-snac"), peer("bluesky-pds")) else {
        return;
    };
    let run = Run::new();
    let tag = format!("{:08x}", rand::random::<u32>());
    let texts = [
        format!("overdue {tag}-a from a restarted socialkit"),
        format!("due now {tag}-b from a restarted socialkit"),
    ];

    // Process 1: connect (OAuth on snac, app password on the PDS), store, schedule.
    let out = run
        .child(
            "child_connect_and_schedule",
            &[("SK_CHILD_TEXTS", texts.join("|"))],
        )
        .await;
    assert!(out.contains("SCHEDULED"), "{out}");
    for marker in ["-a ", "-b "] {
        let m = format!("{tag}{marker}");
        assert_eq!(snac_count(&snac, &m).await, 0, "nothing published yet");
        assert_eq!(pds_count(&pds, &m).await, 0, "nothing published yet");
    }
    // The vault holds the first session; the file holds no secret in clear.
    let (settings, _) = run.bluesky_settings().await;
    let first = settings["session"].clone();
    assert!(pds_accepts(&pds, &s(&first, "access_jwt")).await);
    let raw = std::fs::read(run.db()).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    for secret in [
        &pds["SOCIALKIT_BLUESKY_PASSWORD"],
        &s(&first, "refresh_jwt"),
        &snac["SOCIALKIT_MASTODON_PASSWORD"],
    ] {
        assert!(!raw.contains(secret.as_str()), "a secret is in the file");
    }

    // Between the processes: the stored access token has expired (exp in the past).
    run.edit_session(|session| {
        let expired = with_claims(&s(session, "access_jwt"), |c| {
            c["exp"] = json!(Utc::now().timestamp() - 60);
        });
        session["access_jwt"] = json!(expired);
    })
    .await;

    // Process 2: no connect call; everything is published, once.
    let out = run
        .child("child_publish", &[("SK_CHILD_EXPECT", "4".into())])
        .await;
    assert!(out.contains("PUBLISHED 4"), "{out}");
    for marker in ["-a ", "-b "] {
        let m = format!("{tag}{marker}");
        assert_eq!(snac_count(&snac, &m).await, 1, "one post on snac for {m}");
        assert_eq!(pds_count(&pds, &m).await, 1, "one post on the PDS for {m}");
    }
    // The session was refreshed (refreshSession: a new pair) and written to the vault.
    let (settings, _) = run.bluesky_settings().await;
    let second = settings["session"].clone();
    assert_ne!(s(&second, "refresh_jwt"), s(&first, "refresh_jwt"));
    // (The PDS's access JWT carries no nonce: issued in the same second it can equal the
    // first one; what counts is that the stored one is no longer the expired one.)
    let exp = |jwt: &str| {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let claims: Value =
            serde_json::from_slice(&b64.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap();
        claims["exp"].as_i64().unwrap()
    };
    assert!(exp(&s(&second, "access_jwt")) > Utc::now().timestamp());
    assert!(pds_accepts(&pds, &s(&second, "access_jwt")).await);
    assert_eq!(s(&second, "did"), pds["SOCIALKIT_BLUESKY_DID"]);

    // Revoke the stored session on the PDS and break the stored access token.
    let revoked = reqwest::Client::new()
        .post(format!(
            "{}/xrpc/com.atproto.server.deleteSession",
            pds["SOCIALKIT_BLUESKY_PDS_URL"]
        ))
        .bearer_auth(s(&second, "refresh_jwt"))
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success(), "deleteSession");
    run.edit_session(|session| {
        let mut broken = s(session, "access_jwt");
        broken.push_str("AAAA");
        session["access_jwt"] = json!(broken);
    })
    .await;

    // Process 3: the refused access token, the revoked refresh token, a new session with the
    // app password, stored; the post goes out once.
    let text = format!("after a revoked session {tag}-c");
    let out = run
        .child(
            "child_publish",
            &[("SK_CHILD_EXPECT", "1".into()), ("SK_CHILD_SUBMIT", text)],
        )
        .await;
    assert!(out.contains("PUBLISHED 1"), "{out}");
    assert_eq!(pds_count(&pds, &format!("{tag}-c")).await, 1);
    let (settings, _) = run.bluesky_settings().await;
    let third = settings["session"].clone();
    assert_ne!(s(&third, "refresh_jwt"), s(&second, "refresh_jwt"));
    assert!(pds_accepts(&pds, &s(&third, "access_jwt")).await);
    let engine = run.engine();
    assert_eq!(
        engine
            .channel_health(&WS.into(), &BSKY.into())
            .await
            .unwrap(),
        ChannelHealth::Connected
    );
}
