//! An Instagram professional account with real credentials: the account and its followers,
//! recent media, new comments, the publishing quota — and, with `SOCIALKIT_PUBLISH=1` and a
//! public image URL, a post published through the container flow (Instagram cannot delete it
//! through the API: remove it in the app).
//!
//! ```text
//! INSTAGRAM_USER_ID=… INSTAGRAM_TOKEN=… cargo run --example instagram --features instagram
//! ```
//!
//! Without credentials it prints what it needs and exits successfully.

use socialkit::adapters::instagram::{Instagram, InstagramConfig};
use socialkit::model::{InteractionQuery, Media, Post, PublishOptions, SearchQuery};
use socialkit::{Platform, Result};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

const NEEDS: &str = "\
This example talks to a real Instagram professional account. It needs, in the environment:
  INSTAGRAM_USER_ID   the account's id (a Page's instagram_business_account)
  INSTAGRAM_TOKEN     a token with instagram_basic, instagram_content_publish,
                      instagram_manage_comments and instagram_manage_insights
Optional:
  INSTAGRAM_HOST          graph.facebook.com (Facebook Login, default) or graph.instagram.com
                          (Instagram Login)
  INSTAGRAM_TOKEN_EXPIRES_AT  RFC 3339 expiry of an Instagram Login token (refreshed a week before)
  INSTAGRAM_HASHTAG       one #hashtag to search (last 24 hours; Facebook Login with the
                          Instagram Public Content Access feature; 30 hashtags per 7 days)
  SOCIALKIT_PUBLISH=1 and INSTAGRAM_IMAGE_URL=https://… (a public JPEG)
                          publish a test post; delete it in the app afterwards";

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let (Some(user), Some(token)) = (env("INSTAGRAM_USER_ID"), env("INSTAGRAM_TOKEN")) else {
        println!("{NEEDS}");
        return Ok(());
    };
    let mut config = InstagramConfig::new(user, token)?;
    if let Some(host) = env("INSTAGRAM_HOST") {
        config.graph.base_url = Some(url::Url::parse(&format!("https://{host}"))?);
    }
    if let Some(at) = env("INSTAGRAM_TOKEN_EXPIRES_AT") {
        let at = chrono::DateTime::parse_from_rfc3339(&at)
            .map_err(|_| socialkit::Error::config("INSTAGRAM_TOKEN_EXPIRES_AT must be RFC 3339"))?;
        config.graph.token_expires_at = Some(at.with_timezone(&chrono::Utc));
    }
    let ig = Instagram::new(config)?;

    let channel = ig.channel().await?;
    println!(
        "@{}: {} followers, {} posts",
        channel.handle,
        channel
            .metrics
            .followers
            .map_or("?".into(), |f| f.to_string()),
        channel.metrics.posts.map_or("?".into(), |p| p.to_string())
    );
    let limit = ig.publishing_limit().await?;
    println!(
        "publishing quota: {:?} of {:?} used in 24 h",
        limit.quota_usage, limit.quota_total
    );
    for post in ig.recent_posts(5).await? {
        let text: String = post.text.chars().take(60).collect();
        println!(
            "  {}  {}  {text}",
            post.created_at.format("%Y-%m-%d %H:%M"),
            post.post.url.as_deref().unwrap_or(&post.post.id)
        );
    }
    let inbox = ig
        .interactions(&InteractionQuery::default().limit(10))
        .await?;
    println!(
        "{} comments on the recent media (first page)",
        inbox.items.len()
    );
    if let Some(tag) = env("INSTAGRAM_HASHTAG") {
        let found = ig.search(&SearchQuery::new(tag)).await?;
        for media in &found.items {
            let caption: String = media
                .text
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect();
            println!("  found {}: {caption}", media.created_at.format("%H:%M"));
        }
        println!(
            "{} unique hashtags left this week",
            ig.hashtags_left().await
        );
    }
    if env("SOCIALKIT_PUBLISH").as_deref() == Some("1") {
        let Some(image) = env("INSTAGRAM_IMAGE_URL") else {
            println!("SOCIALKIT_PUBLISH=1 needs INSTAGRAM_IMAGE_URL (a public JPEG URL)");
            return Ok(());
        };
        let post =
            Post::text("socialkit example post").with_media(Media::from_url("image/jpeg", image));
        let key = format!("socialkit-example-{}", chrono::Utc::now().timestamp());
        let published = ig.publish(&post, &PublishOptions::with_key(key)).await?;
        println!(
            "published {} (delete it in the app)",
            published.url().unwrap_or(&published.post.id)
        );
        let metrics = ig
            .post_metrics(std::slice::from_ref(&published.post))
            .await?;
        println!("metrics: {:?}", metrics[0]);
    }
    Ok(())
}
