//! Connect a Mastodon account the way a web app does, and store it in the credential vault.
//!
//! ```text
//! cargo run --example connect --features mastodon,testkit -- --twin
//! cargo run --example connect --features mastodon,testkit -- https://mastodon.example
//! ```
//!
//! 1. Registers an app on the instance (`POST /api/v1/apps`).
//! 2. Starts a small callback server on `127.0.0.1` and prints the authorization URL (state +
//!    PKCE S256). With `--twin` a local Mastodon twin plays the instance and the example plays
//!    the user (the twin approves with its fixed code); otherwise open the URL in a browser.
//! 3. On the redirect: checks the state, exchanges the code, checks the granted scopes.
//! 4. Stores the channel in a SQLite file's vault (keys from `SOCIALKIT_VAULT_KEYS`, or a
//!    fresh key printed once) and prints the stored channel, secrets redacted.

use std::sync::Arc;

use socialkit::adapters::mastodon::MastodonConfig;
use socialkit::adapters::mastodon::oauth::{AppRegistration, MastodonApp};
use socialkit::auth::connect::{CONNECT_TIMEOUT, LocalCallback, PendingConnect};
use socialkit::engine::Engine;
use socialkit::http::Client;
use socialkit::store::vault::{ChannelSource, EnvKeyProvider, KeyProvider, KeyRing};
use socialkit::store::{ChannelRecord, SqliteStore, Store};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "--twin".into());
    let twin = if arg == "--twin" {
        Some(socialkit::adapters::mastodon::twin::Twin::start().await?)
    } else {
        None
    };
    let instance = match &twin {
        Some(t) => t.url(),
        None => url::Url::parse(&arg)?,
    };

    // The callback server on 127.0.0.1: receives the browser's redirect.
    let callback = LocalCallback::bind(0).await?;
    let redirect = callback.redirect_uri().to_string();

    let http = Client::default();
    let registration = AppRegistration::new("socialkit connect example", &redirect);
    let mastodon = MastodonApp::register(&http, &instance, &registration).await?;
    let oauth = mastodon.oauth_client()?;
    let (url, pending) = PendingConnect::start(&oauth, true, http.now());
    println!("Open this URL to authorize:\n  {url}\n");

    // The twin approves at once with its fixed code: play the browser's redirect, which the
    // callback server answers while it waits.
    let browser = twin.is_some().then(|| {
        let back = format!("{redirect}?code=twin-code&state={}", pending.state.as_str());
        tokio::spawn(async move { reqwest::get(&back).await?.error_for_status() })
    });
    let back = callback.wait(CONNECT_TIMEOUT.to_std()?).await?;
    if let Some(browser) = browser {
        browser.await??;
    }
    let token = pending.complete(&oauth, &http, &back).await?;
    let config = MastodonConfig::new(instance.as_str(), token.access_token.clone())?;

    // Store it in the vault.
    let (keys, throwaway): (Arc<dyn KeyProvider>, bool) = match EnvKeyProvider::new() {
        Ok(p) => (Arc::new(p), false),
        Err(_) => {
            println!(
                "SOCIALKIT_VAULT_KEYS is not set: a throwaway key and database for this run\n"
            );
            let key = KeyRing::generate_key();
            (Arc::new(KeyRing::parse(&format!("k1:{key}"))?), true)
        }
    };
    let dir = std::env::temp_dir().join(format!("socialkit-connect-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.join("socialkit.db"))?);
    let engine = Engine::builder(store).vault(keys).build();
    let ws = engine.create_workspace("demo", "Demo", "me").await?;
    let source = ChannelSource::Url(config.to_url());
    engine
        .connect_stored(
            &ws,
            "me",
            ChannelRecord::new("mastodon", "mastodon"),
            source,
        )
        .await?;

    let vault = engine.vault().ok_or("no vault")?;
    let stored = vault.open(&ws, &"mastodon".into()).await?;
    println!("Stored channel (secrets redacted):");
    println!("  platform:   {}", stored.row.platform);
    println!("  source:     {:?}", stored.source);
    println!("  sealed by:  key '{}'", stored.row.key_id);
    println!(
        "  health:     {:?}",
        engine.channel_health(&ws, &"mastodon".into()).await?
    );
    if throwaway {
        drop(engine);
        std::fs::remove_dir_all(&dir)?;
    } else {
        println!("  database:   {}", dir.join("socialkit.db").display());
    }
    Ok(())
}
