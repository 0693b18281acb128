//! Publishes to a real X account, reads its channel, mentions, metrics and a recent search,
//! then deletes the post.
//!
//! ```text
//! SOCIALKIT_X_TOKEN=… cargo run --example x --features x
//! ```
//!
//! Environment, either OAuth 2.0:
//! - `SOCIALKIT_X_TOKEN`: an OAuth 2.0 user-context access token with the scopes
//!   `tweet.read tweet.write users.read offline.access media.write`;
//! - `SOCIALKIT_X_CLIENT_ID` and `SOCIALKIT_X_REFRESH_TOKEN` (optional): refresh the token
//!   when it expires (2 hours);
//!
//! or OAuth 1.0a user context (all four; used when `SOCIALKIT_X_TOKEN` is not set):
//! - `SOCIALKIT_X_CONSUMER_KEY`, `SOCIALKIT_X_CONSUMER_SECRET`: the app's API key and secret;
//! - `SOCIALKIT_X_ACCESS_TOKEN`, `SOCIALKIT_X_ACCESS_TOKEN_SECRET`: the user's access token
//!   and secret (the developer console makes them for the app owner's account);
//!
//! and for both:
//! - `SOCIALKIT_X_TEXT` (optional): the text to post (default: a timestamped test line).
//!
//! Without credentials it prints what it needs and exits 0.

use socialkit::adapters::x::{X, XConfig};
use socialkit::auth::OAuth2Refresh;
use socialkit::auth::oauth1::OAuth1Credentials;
use socialkit::model::{InteractionQuery, SearchQuery};
use socialkit::{Platform, PlatformExt};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let oauth1 = (
        env("SOCIALKIT_X_CONSUMER_KEY"),
        env("SOCIALKIT_X_CONSUMER_SECRET"),
        env("SOCIALKIT_X_ACCESS_TOKEN"),
        env("SOCIALKIT_X_ACCESS_TOKEN_SECRET"),
    );
    let config = match (env("SOCIALKIT_X_TOKEN"), oauth1) {
        (Some(token), _) => {
            let mut config = XConfig::new(token)?;
            if let (Some(client_id), Some(refresh)) = (
                env("SOCIALKIT_X_CLIENT_ID"),
                env("SOCIALKIT_X_REFRESH_TOKEN"),
            ) {
                config = config.with_refresh(OAuth2Refresh::new(client_id, refresh));
            }
            println!("using the OAuth 2.0 access token");
            config
        }
        (None, (Some(key), Some(secret), Some(token), Some(token_secret))) => {
            println!("using OAuth 1.0a user context");
            XConfig::oauth1(OAuth1Credentials::new(key, secret, token, token_secret))?
        }
        _ => {
            println!("This example posts to a real X account. It needs either OAuth 2.0:");
            println!(
                "  SOCIALKIT_X_TOKEN                OAuth 2.0 user access token (scopes: tweet.read tweet.write users.read offline.access media.write)"
            );
            println!(
                "  SOCIALKIT_X_CLIENT_ID            optional, with SOCIALKIT_X_REFRESH_TOKEN: refresh the token when it expires"
            );
            println!("  SOCIALKIT_X_REFRESH_TOKEN        optional, see above");
            println!("or OAuth 1.0a user context (all four):");
            println!("  SOCIALKIT_X_CONSUMER_KEY         the app's API key");
            println!("  SOCIALKIT_X_CONSUMER_SECRET      the app's API key secret");
            println!("  SOCIALKIT_X_ACCESS_TOKEN         the user's access token");
            println!("  SOCIALKIT_X_ACCESS_TOKEN_SECRET  the user's access token secret");
            println!("and optionally:");
            println!("  SOCIALKIT_X_TEXT                 the text to post");
            return Ok(());
        }
    };
    let x = X::new(config);
    let me = x.channel().await?;
    println!(
        "@{} ({}): {:?} followers, {:?} posts",
        me.handle, me.id, me.metrics.followers, me.metrics.posts
    );
    let text = std::env::var("SOCIALKIT_X_TEXT")
        .unwrap_or_else(|_| format!("socialkit example post {}", chrono::Utc::now().to_rfc3339()));
    let published = x.publish_text(&text).await?;
    println!("published {}", published.url().unwrap_or_default());
    for recent in x.recent_posts(5).await? {
        println!(
            "recent {} {}: {}",
            recent.post.id, recent.created_at, recent.text
        );
    }
    let metrics = x
        .post_metrics(std::slice::from_ref(&published.post))
        .await?;
    println!("metrics {metrics:?}");
    match x.interactions(&InteractionQuery::default().limit(10)).await {
        Ok(page) => println!("{} mention(s) on the first page", page.items.len()),
        Err(e) => println!("mentions not readable with this access level: {e}"),
    }
    // Recent search indexes new posts with a delay: the post itself may not be found yet.
    match x.search(&SearchQuery::new("socialkit").limit(10)).await {
        Ok(page) => println!(
            "{} post(s) about socialkit in the last 7 days (first page)",
            page.items.len()
        ),
        Err(e) => println!("recent search not available with this access level: {e}"),
    }
    x.delete(&published.post).await?;
    println!("deleted {}", published.post.id);
    Ok(())
}
