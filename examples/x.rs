//! Publishes to a real X account, reads its channel, mentions and metrics, then deletes the post.
//!
//! ```text
//! SOCIALKIT_X_TOKEN=… cargo run --example x --features x
//! ```
//!
//! Environment:
//! - `SOCIALKIT_X_TOKEN` (required): an OAuth 2.0 user-context access token with the scopes
//!   `tweet.read tweet.write users.read offline.access media.write`;
//! - `SOCIALKIT_X_CLIENT_ID` and `SOCIALKIT_X_REFRESH_TOKEN` (optional): refresh the token
//!   when it expires (2 hours);
//! - `SOCIALKIT_X_TEXT` (optional): the text to post (default: a timestamped test line).
//!
//! Without a token it prints what it needs and exits 0.

use socialkit::adapters::x::{X, XConfig};
use socialkit::auth::OAuth2Refresh;
use socialkit::model::InteractionQuery;
use socialkit::{Platform, PlatformExt};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let Ok(token) = std::env::var("SOCIALKIT_X_TOKEN") else {
        println!("This example posts to a real X account. It needs:");
        println!(
            "  SOCIALKIT_X_TOKEN          OAuth 2.0 user access token (scopes: tweet.read tweet.write users.read offline.access media.write)"
        );
        println!(
            "  SOCIALKIT_X_CLIENT_ID      optional, with SOCIALKIT_X_REFRESH_TOKEN: refresh the token when it expires"
        );
        println!("  SOCIALKIT_X_REFRESH_TOKEN  optional, see above");
        println!("  SOCIALKIT_X_TEXT           optional, the text to post");
        return Ok(());
    };
    let mut config = XConfig::new(token)?;
    if let (Ok(client_id), Ok(refresh)) = (
        std::env::var("SOCIALKIT_X_CLIENT_ID"),
        std::env::var("SOCIALKIT_X_REFRESH_TOKEN"),
    ) {
        config = config.with_refresh(OAuth2Refresh::new(client_id, refresh));
    }
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
    x.delete(&published.post).await?;
    println!("deleted {}", published.post.id);
    Ok(())
}
