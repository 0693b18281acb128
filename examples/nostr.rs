//! Publishes a note to Nostr relays, shows each relay's answer, reads the account's
//! interactions, then asks the relays to delete the note (NIP-09).
//!
//! ```text
//! SOCIALKIT_NOSTR_SECRET_KEY=nsec1… SOCIALKIT_NOSTR_RELAYS=wss://relay.damus.io,wss://nos.lol \
//!     cargo run --example nostr --features nostr
//! ```
//!
//! Environment:
//! - `SOCIALKIT_NOSTR_SECRET_KEY`: the account's secret key (hex or `nsec1…`);
//! - `SOCIALKIT_NOSTR_RELAYS` (or `SOCIALKIT_NOSTR_RELAY_URL`, as the local peer's env file
//!   names it): relay URLs, comma-separated;
//! - `SOCIALKIT_NOSTR_QUORUM` (optional): relays that must accept the note (default 1);
//! - `SOCIALKIT_NOSTR_TEXT` (optional): the text (default: a timestamped test line);
//! - `SOCIALKIT_NOSTR_KEEP` (optional, any value): keep the note instead of deleting it.
//!
//! With the local relay: `set -a; . ~/.cache/socialkit-peers/run/nostr-relay.env; set +a`
//! first. Without a key or relays it prints what it needs and exits 0.

use socialkit::Platform;
use socialkit::adapters::nostr::{Nostr, NostrConfig, relay_outcomes};
use socialkit::model::{InteractionQuery, Post, PublishOptions};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let relays = env("SOCIALKIT_NOSTR_RELAYS").or_else(|| env("SOCIALKIT_NOSTR_RELAY_URL"));
    let (Some(key), Some(relays)) = (env("SOCIALKIT_NOSTR_SECRET_KEY"), relays) else {
        println!(
            "set SOCIALKIT_NOSTR_SECRET_KEY (hex or nsec1…) and SOCIALKIT_NOSTR_RELAYS (wss://…, comma-separated) to publish"
        );
        return Ok(());
    };
    let mut config = NostrConfig::new(key, relays.split(',').map(str::trim))?;
    if let Some(q) = env("SOCIALKIT_NOSTR_QUORUM") {
        config.quorum = q
            .parse()
            .map_err(|_| socialkit::Error::config("SOCIALKIT_NOSTR_QUORUM must be a number"))?;
        config.validate()?;
    }
    let nostr = Nostr::new(config)?;
    nostr.load_capabilities().await?;
    println!(
        "account {} — text limit {} characters, search: {}",
        nostr.public_key(),
        nostr.capabilities().text.max,
        if nostr.capabilities().search.is_some() {
            "NIP-50"
        } else {
            "none"
        }
    );
    let text = env("SOCIALKIT_NOSTR_TEXT")
        .unwrap_or_else(|| format!("socialkit test note at {}", chrono::Utc::now().to_rfc3339()));
    let published = nostr
        .publish(&Post::text(text), &PublishOptions::default())
        .await?;
    println!(
        "published {}",
        published.post.url.as_deref().unwrap_or(&published.post.id)
    );
    for (relay, outcome) in relay_outcomes(&published.post) {
        println!("  {relay}: {outcome}");
    }
    let since = published.published_at - chrono::Duration::days(1);
    let page = nostr
        .interactions(&InteractionQuery {
            since: Some(since),
            limit: 20,
            ..InteractionQuery::default()
        })
        .await?;
    println!("{} interactions in the last day", page.items.len());
    for i in &page.items {
        println!(
            "  {:?} from {}: {}",
            i.kind,
            i.author.handle,
            i.text.as_deref().unwrap_or("")
        );
    }
    if env("SOCIALKIT_NOSTR_KEEP").is_none() {
        nostr.delete(&published.post).await?;
        println!("deletion requested (NIP-09)");
    }
    Ok(())
}
