//! Publishes a thread with an image to Mastodon and Bluesky from credentials in the
//! environment, through the engine's outbox (so nothing is lost or sent twice, whatever the
//! network does), and prints the URLs.
//!
//! ```sh
//! # Mastodon (or any server speaking its client API):
//! export SOCIALKIT_MASTODON_URL=https://mastodon.example
//! export SOCIALKIT_MASTODON_ACCESS_TOKEN=...
//! # Bluesky (an app password, not the account password):
//! export SOCIALKIT_BLUESKY_PDS_URL=https://bsky.social
//! export SOCIALKIT_BLUESKY_HANDLE=acme.bsky.social
//! export SOCIALKIT_BLUESKY_PASSWORD=abcd-efgh-ijkl-mnop
//! cargo run --example crosspost --features mastodon,bluesky
//! ```
//!
//! The variable names are the ones `../shared/peers/start.sh` writes into its env files, so
//! after `set -a; . ~/.cache/socialkit-peers/run/mastodon-snac.env; set +a` (and the same for
//! `bluesky-pds.env`) the example publishes to the local real servers. A platform whose
//! variables are missing is skipped with a line saying what it needs.
//!
//! The Mastodon channel is built with `Mastodon::connect`, which reads the instance first: its
//! limits, and whether the server honours `Idempotency-Key` (snac does not). Every other way
//! of building it (`Mastodon::new`, the registry's `mastodon://` URL) reads the instance
//! before the first check or write, with the same result.

use std::sync::Arc;

use socialkit::Platform;
use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig};
use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
use socialkit::adapters::sandbox::sample_png;
use socialkit::engine::{Engine, EventKind};
use socialkit::model::{Media, Post};
use socialkit::store::{ChannelRecord, MemoryStore};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

async fn mastodon() -> Result<Option<Arc<dyn Platform>>, String> {
    let (Some(url), Some(token)) = (
        env("SOCIALKIT_MASTODON_URL"),
        env("SOCIALKIT_MASTODON_ACCESS_TOKEN"),
    ) else {
        println!(
            "mastodon: skipped, needs SOCIALKIT_MASTODON_URL (the instance) and \
             SOCIALKIT_MASTODON_ACCESS_TOKEN (scopes write:statuses write:media)"
        );
        return Ok(None);
    };
    let config = MastodonConfig::new(&url, token).map_err(|e| e.to_string())?;
    Ok(Some(Arc::new(
        Mastodon::connect(config).await.map_err(|e| e.to_string())?,
    )))
}

async fn bluesky() -> Result<Option<Arc<dyn Platform>>, String> {
    let (Some(handle), Some(password)) = (
        env("SOCIALKIT_BLUESKY_HANDLE"),
        env("SOCIALKIT_BLUESKY_PASSWORD"),
    ) else {
        println!(
            "bluesky: skipped, needs SOCIALKIT_BLUESKY_HANDLE and SOCIALKIT_BLUESKY_PASSWORD \
             (an app password), and optionally SOCIALKIT_BLUESKY_PDS_URL (default https://bsky.social)"
        );
        return Ok(None);
    };
    let mut config = BlueskyConfig::new(handle, password);
    if let Some(pds) = env("SOCIALKIT_BLUESKY_PDS_URL") {
        config = config.with_pds(
            pds.parse()
                .map_err(|e| format!("SOCIALKIT_BLUESKY_PDS_URL is not a URL: {e}"))?,
        );
    }
    Ok(Some(Arc::new(
        Bluesky::new(config).map_err(|e| e.to_string())?,
    )))
}

#[tokio::main]
async fn main() {
    let mut channels = Vec::new();
    for built in [mastodon().await, bluesky().await] {
        match built {
            Ok(Some(p)) => channels.push(p),
            Ok(None) => {}
            Err(e) => {
                eprintln!("configuration error: {e}");
                std::process::exit(2);
            }
        }
    }
    if channels.is_empty() {
        println!("nothing to do: no platform is configured (see the variables above)");
        return;
    }

    let image = Media::image_bytes("image/png", sample_png(64, 48, [200, 40, 40]))
        .with_alt("A red rectangle, the socialkit test image")
        .with_size(64, 48);
    let post = Post::text("Crossposting with socialkit: one thread, every platform. 1/2")
        .with_media(image)
        .then("Counted, validated and published through one trait. 2/2")
        .with_language("en");
    // Through the outbox: each delivery is stored with its idempotency key before the call,
    // and one whose answer is lost is looked up on the server before anything is sent again.
    let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
    let run = |r: socialkit::Result<()>| {
        if let Err(e) = r {
            eprintln!("engine: {e}");
            std::process::exit(1);
        }
    };
    let ws = match engine
        .create_workspace("crosspost", "Crosspost", "me")
        .await
    {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("engine: {e}");
            std::process::exit(1);
        }
    };
    let mut ids = Vec::new();
    for channel in &channels {
        let name = channel.name().to_string();
        run(engine
            .connect(
                &ws,
                "me",
                ChannelRecord::new(name.clone(), name.clone()),
                channel.clone(),
            )
            .await);
        ids.push(name.into());
    }
    let mut events = engine.subscribe();
    let submitted = match engine.submit(&ws, "me", post, &ids).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("refused before anything was sent: {e}");
            std::process::exit(1);
        }
    };
    let worker = engine.spawn_worker();
    let mut open = submitted.deliveries.len();
    let mut failed = false;
    while open > 0 {
        let Ok(ev) = events.recv().await else { break };
        match ev.kind {
            EventKind::Published {
                channel, result, ..
            } => {
                open -= 1;
                for (i, part) in result.parts.iter().enumerate() {
                    println!(
                        "{channel}: part {}/{} {}",
                        i + 1,
                        result.parts.len(),
                        part.url.as_deref().unwrap_or(&part.id)
                    );
                }
            }
            EventKind::Failed { channel, error, .. } => {
                open -= 1;
                failed = true;
                eprintln!("{channel}: {}", socialkit::Error::from(error));
            }
            _ => {}
        }
    }
    run(worker.shutdown().await);
    if failed {
        std::process::exit(1);
    }
}
