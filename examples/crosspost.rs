//! Publishes a thread with an image to Mastodon and Bluesky from credentials in the
//! environment, and prints the URLs.
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

use std::sync::Arc;

use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig};
use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
use socialkit::adapters::sandbox::sample_png;
use socialkit::model::{Media, Post};
use socialkit::{Platform, PublishOptions};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn mastodon() -> Result<Option<Arc<dyn Platform>>, String> {
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
        Mastodon::new(config).map_err(|e| e.to_string())?,
    )))
}

fn bluesky() -> Result<Option<Arc<dyn Platform>>, String> {
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
    for build in [mastodon, bluesky] {
        match build() {
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
    // One key per run: a retry of this run would not post twice where the platform honours it.
    let key = format!("crosspost-{}", chrono::Utc::now().timestamp_millis());

    let mut failed = false;
    for channel in channels {
        let name = channel.name().to_string();
        match channel
            .publish(&post, &PublishOptions::with_key(&key))
            .await
        {
            Ok(published) => {
                for (i, part) in published.parts.iter().enumerate() {
                    println!(
                        "{name}: part {}/{} {}",
                        i + 1,
                        published.parts.len(),
                        part.url.as_deref().unwrap_or(&part.id)
                    );
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("{name}: {e}");
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
