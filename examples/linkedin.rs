//! Publishes to a real LinkedIn member or organization page, reads the channel, comments and
//! metrics, then deletes the post.
//!
//! ```text
//! SOCIALKIT_LINKEDIN_TOKEN=… SOCIALKIT_LINKEDIN_AUTHOR=urn:li:organization:123 \
//!     cargo run --example linkedin --features linkedin
//! ```
//!
//! Environment:
//! - `SOCIALKIT_LINKEDIN_TOKEN` (required): a 3-legged access token (`w_member_social` for a
//!   member, `w_organization_social r_organization_social rw_organization_admin` for a page;
//!   `openid profile` to find the member without an author);
//! - `SOCIALKIT_LINKEDIN_AUTHOR` (optional): `urn:li:person:…` or `urn:li:organization:…`;
//! - `SOCIALKIT_LINKEDIN_VERSION` (optional): `LinkedIn-Version`, `YYYYMM`;
//! - `SOCIALKIT_LINKEDIN_TEXT` (optional): the text to post.
//!
//! Without a token it prints what it needs and exits 0.

use socialkit::adapters::linkedin::{LinkedIn, LinkedInConfig};
use socialkit::model::InteractionQuery;
use socialkit::{Platform, PlatformExt};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let Ok(token) = std::env::var("SOCIALKIT_LINKEDIN_TOKEN") else {
        println!("This example posts to a real LinkedIn account. It needs:");
        println!("  SOCIALKIT_LINKEDIN_TOKEN    3-legged OAuth access token (60 days)");
        println!(
            "  SOCIALKIT_LINKEDIN_AUTHOR   optional: urn:li:person:… or urn:li:organization:… (default: the member behind the token)"
        );
        println!("  SOCIALKIT_LINKEDIN_VERSION  optional: LinkedIn-Version as YYYYMM");
        println!("  SOCIALKIT_LINKEDIN_TEXT     optional: the text to post");
        return Ok(());
    };
    let mut config = LinkedInConfig::new(token)?;
    if let Ok(author) = std::env::var("SOCIALKIT_LINKEDIN_AUTHOR") {
        config = config.with_author(&author)?;
    }
    if let Ok(version) = std::env::var("SOCIALKIT_LINKEDIN_VERSION") {
        config.version = version;
    }
    let li = LinkedIn::new(config);
    let me = li.channel().await?;
    println!(
        "{} ({}): {:?} followers",
        me.handle, me.id, me.metrics.followers
    );
    let text = std::env::var("SOCIALKIT_LINKEDIN_TEXT").unwrap_or_else(|_| {
        format!(
            "socialkit example post (escaped: #socialkit) {}",
            chrono::Utc::now().to_rfc3339()
        )
    });
    let published = li.publish_text(&text).await?;
    println!("published {}", published.url().unwrap_or_default());
    match li.recent_posts(5).await {
        Ok(recent) => recent
            .iter()
            .for_each(|r| println!("recent {} {}", r.post.id, r.text)),
        Err(e) => println!("recent posts not readable with this token: {e}"),
    }
    match li.post_metrics(std::slice::from_ref(&published.post)).await {
        Ok(m) => println!("metrics {m:?}"),
        Err(e) => println!("metrics not readable with this token: {e}"),
    }
    match li
        .interactions(&InteractionQuery::default().limit(10))
        .await
    {
        Ok(page) => println!("{} comment(s) on the first page", page.items.len()),
        Err(e) => println!("comments not readable with this token: {e}"),
    }
    li.delete(&published.post).await?;
    println!("deleted {}", published.post.id);
    Ok(())
}
