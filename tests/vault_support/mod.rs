//! Shared by the restart tests that run their steps as separate processes on one SQLite file
//! and one vault key (`tests/vault_restart.rs`, `tests/vault_peers.rs`,
//! `tests/bluesky_oauth_peer.rs`): the parent's [`Run`], the child's [`child_engine`], and a
//! local OAuth callback server.

#![allow(dead_code)] // each test uses the part it needs

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use socialkit::engine::{Engine, EngineConfig, Hooks};
use socialkit::store::SqliteStore;
use socialkit::store::vault::{EnvKeyProvider, KeyRing};

/// One scenario: a temporary directory with the database, and the vault key every process
/// gets through `SOCIALKIT_VAULT_KEYS`.
pub struct Run {
    dir: tempfile::TempDir,
    keys: String,
}

impl Run {
    /// A fresh directory and a fresh key.
    pub fn new() -> Self {
        Run {
            dir: tempfile::tempdir().unwrap(),
            keys: format!("k1:{}", KeyRing::generate_key()),
        }
    }

    /// The SQLite file every process shares.
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("socialkit.db")
    }

    /// The test binary re-run as the ignored test `name`, with the database, the key and
    /// `vars` in its environment.
    pub fn command(&self, name: &str, vars: &[(&str, String)]) -> Command {
        let mut c = Command::new(std::env::current_exe().unwrap());
        c.args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SK_CHILD_DB", self.db())
        .env("SOCIALKIT_VAULT_KEYS", &self.keys)
        .env_remove("RUST_LOG");
        for (k, v) in vars {
            c.env(k, v);
        }
        c
    }

    /// Runs the child `name` to its end; panics with its output when it failed.
    pub async fn child(&self, name: &str, vars: &[(&str, String)]) -> String {
        let mut c = self.command(name, vars);
        let out = tokio::task::spawn_blocking(move || c.output().unwrap())
            .await
            .unwrap();
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "child {name} failed:\n{text}");
        text
    }

    /// An engine on the file with the vault, no platforms attached (`build`, not `open`).
    pub fn engine(&self) -> Engine {
        let store = SqliteStore::open(self.db()).unwrap();
        let keys = Arc::new(KeyRing::parse(&self.keys).unwrap());
        Engine::builder(Arc::new(store)).vault(keys).build()
    }
}

/// In a child: the engine opened on the parent's file (`SK_CHILD_DB`) with the key from the
/// environment, its channels rebuilt from the vault.
pub async fn child_engine(config: EngineConfig, hooks: Option<Arc<dyn Hooks>>) -> Engine {
    let db = std::env::var("SK_CHILD_DB").expect("SK_CHILD_DB: run as a child");
    let store = SqliteStore::open(db).unwrap();
    let keys = Arc::new(EnvKeyProvider::new().unwrap());
    let mut b = Engine::builder(Arc::new(store)).vault(keys).config(config);
    if let Some(h) = hooks {
        b = b.hooks(h);
    }
    b.open().await.unwrap()
}

/// A local callback server: answers one redirect to `/callback` and hands its query over.
pub async fn callback_server() -> (String, tokio::sync::oneshot::Receiver<String>) {
    use axum::extract::RawQuery;
    use axum::routing::get;
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
    let app = axum::Router::new().route(
        "/callback",
        get(move |RawQuery(q): RawQuery| {
            let tx = tx.clone();
            async move {
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(q.unwrap_or_default());
                }
                "Connected. You can close this tab."
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect = format!("http://{}/callback", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (redirect, rx)
}

/// Alice's posts on the PDS whose text contains `marker`, over every page of
/// `com.atproto.repo.listRecords` (the repository is shared with the other peer tests, and
/// socialkit chooses record keys from its idempotency keys, so a new post is not necessarily
/// on the first page).
pub async fn pds_count(pds: &std::collections::HashMap<String, String>, marker: &str) -> usize {
    let mut count = 0;
    let mut cursor: Option<String> = None;
    // At most 1,000 pages of 100: far more posts than any run makes.
    for _ in 0..1000 {
        let mut url = format!(
            "{}/xrpc/com.atproto.repo.listRecords?repo={}&collection=app.bsky.feed.post&limit=100",
            pds["SOCIALKIT_BLUESKY_PDS_URL"], pds["SOCIALKIT_BLUESKY_DID"]
        );
        if let Some(c) = &cursor {
            url.push_str("&cursor=");
            url.push_str(c);
        }
        let out: serde_json::Value = reqwest::get(url)
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        let records = out["records"].as_array().cloned().unwrap_or_default();
        count += records
            .iter()
            .filter(|r| {
                r["value"]["text"]
                    .as_str()
                    .is_some_and(|t| t.contains(marker))
            })
            .count();
        match out["cursor"].as_str() {
            Some(c) if !records.is_empty() => cursor = Some(c.to_string()),
            _ => return count,
        }
    }
    panic!("listRecords did not end after 1,000 pages");
}
