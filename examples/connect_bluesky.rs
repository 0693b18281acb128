//! Connect a Bluesky account with atproto OAuth (no app password) and store it in the
//! credential vault.
//!
//! ```text
//! cargo run --example connect_bluesky --features bluesky,sqlite -- acme.bsky.social
//! # a local network (the reference PDS and its PLC directory):
//! cargo run --example connect_bluesky --features bluesky,sqlite -- alice.test http://localhost:2583 http://localhost:2582
//! ```
//!
//! 1. Starts a callback server on `127.0.0.1` and uses the loopback client id
//!    (`http://localhost?redirect_uri=…`): nothing to host.
//! 2. Resolves the handle to its PDS and authorization server, pushes the authorization
//!    request (PAR, PKCE, DPoP) and prints the URL: open it and sign in.
//! 3. On the redirect: checks state and issuer, exchanges the code, stores the channel
//!    (tokens and the DPoP key sealed) in a SQLite file's vault (keys from
//!    `SOCIALKIT_VAULT_KEYS`, or a throwaway key), and prints it with secrets redacted.

use std::sync::Arc;

use socialkit::ChannelConfig;
use socialkit::adapters::bluesky::oauth::{OAuthClient, Resolver};
use socialkit::auth::connect::{CONNECT_TIMEOUT, LocalCallback};
use socialkit::engine::Engine;
use socialkit::http::Client;
use socialkit::store::vault::{ChannelSource, EnvKeyProvider, KeyProvider, KeyRing};
use socialkit::store::{ChannelRecord, SqliteStore, Store};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let handle = args
        .next()
        .ok_or("usage: connect_bluesky HANDLE [PDS-URL PLC-URL]")?;
    let resolver = match (args.next(), args.next()) {
        (Some(pds), Some(plc)) => Resolver::new(url::Url::parse(&pds)?, url::Url::parse(&plc)?),
        _ => Resolver::default(),
    };

    // The callback server on 127.0.0.1: receives the browser's redirect.
    let callback = LocalCallback::bind(0).await?;
    let redirect = url::Url::parse(callback.redirect_uri())?;

    let http = Client::default();
    let client = OAuthClient::loopback(redirect)?.with_resolver(resolver);
    let (url, pending) = client.start(&http, &handle).await?;
    println!("Open this URL and sign in as {handle}:\n  {url}\n");
    let back = callback.wait(CONNECT_TIMEOUT.to_std()?).await?;
    let config = client.complete(&http, &pending, &back).await?;

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
    let source = ChannelSource::Config(ChannelConfig {
        platform: "bluesky".into(),
        settings: serde_json::to_value(&config)?,
    });
    let platform = engine
        .connect_stored(&ws, "me", ChannelRecord::new("bluesky", "bluesky"), source)
        .await?;
    let me = platform.channel().await?;

    let stored = engine
        .vault()
        .ok_or("no vault")?
        .open(&ws, &"bluesky".into())
        .await?;
    println!("Stored channel (secrets redacted):");
    println!("  account:    {} ({})", me.handle, me.id);
    println!("  session:    {:?}", config.oauth);
    println!("  sealed by:  key '{}'", stored.row.key_id);
    println!(
        "  health:     {:?}",
        engine.channel_health(&ws, &"bluesky".into()).await?
    );
    if throwaway {
        drop(engine);
        std::fs::remove_dir_all(&dir)?;
    } else {
        println!("  database:   {}", dir.join("socialkit.db").display());
    }
    Ok(())
}
