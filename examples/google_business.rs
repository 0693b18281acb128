//! Publishes a local post to a real Google Business Profile location, lists its newest
//! reviews and the rating, then deletes the post.
//!
//! ```text
//! SOCIALKIT_GBP_TOKEN=ya29.… SOCIALKIT_GBP_ACCOUNT=123 SOCIALKIT_GBP_LOCATION=456 \
//!     cargo run --example google_business --features google_business
//! ```
//!
//! Environment:
//! - `SOCIALKIT_GBP_TOKEN`: a Google OAuth access token with the `business.manage` scope
//!   (from `socialkit::adapters::google_business::oauth`'s connect flow);
//! - `SOCIALKIT_GBP_ACCOUNT`, `SOCIALKIT_GBP_LOCATION`: the ids of
//!   `accounts/{account}/locations/{location}` (a verified location);
//! - `SOCIALKIT_GBP_TIME_ZONE` (optional): the location's IANA zone;
//! - `SOCIALKIT_GBP_KEEP` (optional, any value): keep the post.
//!
//! Without credentials it prints what it needs and exits 0.

use socialkit::Platform;
use socialkit::adapters::google_business::{GoogleBusiness, GoogleBusinessConfig};
use socialkit::model::{InteractionQuery, Post, PublishOptions};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (Some(token), Some(account), Some(location)) = (
        env("SOCIALKIT_GBP_TOKEN"),
        env("SOCIALKIT_GBP_ACCOUNT"),
        env("SOCIALKIT_GBP_LOCATION"),
    ) else {
        println!("This example posts to a Google Business Profile location. It needs:");
        println!("  SOCIALKIT_GBP_TOKEN     an OAuth access token (business.manage)");
        println!(
            "  SOCIALKIT_GBP_ACCOUNT   the account id, SOCIALKIT_GBP_LOCATION the location id"
        );
        println!("optional: SOCIALKIT_GBP_TIME_ZONE, SOCIALKIT_GBP_KEEP");
        return Ok(());
    };
    let mut config = GoogleBusinessConfig::new(token, &account, &location)?;
    if let Some(z) = env("SOCIALKIT_GBP_TIME_ZONE") {
        config.time_zone = z
            .parse()
            .map_err(|_| socialkit::Error::config("SOCIALKIT_GBP_TIME_ZONE is not an IANA zone"))?;
    }
    let gbp = GoogleBusiness::new(config);
    let metrics = gbp.channel().await?.metrics;
    match (metrics.average_rating, metrics.reviews) {
        (Some(rating), Some(n)) => println!("rated {rating:.1} stars from {n} reviews"),
        (None, n) => println!("no rating yet ({} reviews)", n.unwrap_or(0)),
        (Some(rating), None) => println!("rated {rating:.1} stars"),
    }
    let text = format!(
        "socialkit example {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    let published = gbp
        .publish(&Post::text(text), &PublishOptions::default())
        .await?;
    println!(
        "posted: {} {}",
        published.post.id,
        published.url().unwrap_or_default()
    );
    let reviews = gbp
        .interactions(&InteractionQuery::default().limit(10))
        .await?;
    for r in &reviews.items {
        println!(
            "{} stars from {}: {}",
            r.reference
                .meta
                .get("star_rating")
                .map(String::as_str)
                .unwrap_or("?"),
            r.author.handle,
            r.text.as_deref().unwrap_or("")
        );
    }
    if env("SOCIALKIT_GBP_KEEP").is_none() {
        gbp.delete(&published.post).await?;
        println!("deleted");
    }
    Ok(())
}
