//! A Facebook Page with real credentials: the Page and its followers, recent posts, new
//! comments, the rate-limit usage — and, with `SOCIALKIT_PUBLISH=1`, a post that is published,
//! measured and deleted again.
//!
//! ```text
//! FACEBOOK_PAGE_ID=… FACEBOOK_PAGE_TOKEN=… cargo run --example facebook --features facebook
//! FACEBOOK_USER_TOKEN=… cargo run --example facebook --features facebook   # lists Pages and their tokens' ids
//! ```
//!
//! Without credentials it prints what it needs and exits successfully.

use socialkit::adapters::facebook::{Facebook, FacebookConfig, page_accounts};
use socialkit::model::{InteractionQuery, Post, PublishOptions};
use socialkit::{Platform, Result};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

const NEEDS: &str = "\
This example talks to a real Facebook Page. It needs, in the environment:
  FACEBOOK_PAGE_ID      the Page's numeric id
  FACEBOOK_PAGE_TOKEN   a Page access token with pages_show_list, pages_read_engagement,
                        pages_manage_posts, pages_manage_engagement (and read_insights for reach)
or, to find the Page ids and tokens first:
  FACEBOOK_USER_TOKEN   a (long-lived) user token of someone who manages the Page
Optional:
  FACEBOOK_GRAPH_VERSION  the Graph API version (default v23.0)
  SOCIALKIT_PUBLISH=1     also publish a test post, read its metrics and delete it";

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let version = env("FACEBOOK_GRAPH_VERSION").unwrap_or_else(|| "v23.0".into());
    if let (Some(user), None) = (env("FACEBOOK_USER_TOKEN"), env("FACEBOOK_PAGE_TOKEN")) {
        let graph = url::Url::parse(&format!("https://graph.facebook.com/{version}"))?;
        let http = socialkit::http::Client::default();
        for page in page_accounts(&http, &graph, &user.into()).await? {
            println!(
                "Page {} ({}): a Page token is available; Instagram account: {}",
                page.name,
                page.id,
                page.instagram_business_account.as_deref().unwrap_or("none")
            );
        }
        println!("Set FACEBOOK_PAGE_ID and FACEBOOK_PAGE_TOKEN to use one of them.");
        return Ok(());
    }
    let (Some(page_id), Some(token)) = (env("FACEBOOK_PAGE_ID"), env("FACEBOOK_PAGE_TOKEN")) else {
        println!("{NEEDS}");
        return Ok(());
    };
    let mut config = FacebookConfig::new(page_id, token)?;
    config.graph.version = Some(version);
    let page = Facebook::new(config)?;

    let channel = page.channel().await?;
    println!(
        "{} (@{}), {} followers",
        channel.profile.display_name.as_deref().unwrap_or("?"),
        channel.handle,
        channel
            .metrics
            .followers
            .map_or("?".into(), |f| f.to_string())
    );
    for post in page.recent_posts(5).await? {
        let text: String = post.text.chars().take(60).collect();
        println!(
            "  {}  {}  {text}",
            post.created_at.format("%Y-%m-%d %H:%M"),
            post.post.id
        );
    }
    let inbox = page
        .interactions(&InteractionQuery::default().limit(10))
        .await?;
    println!(
        "{} comments on the recent posts (first page)",
        inbox.items.len()
    );
    for c in &inbox.items {
        println!("  {}: {}", c.author.handle, c.text.as_deref().unwrap_or(""));
    }
    if env("SOCIALKIT_PUBLISH").as_deref() == Some("1") {
        let post = Post::text(format!(
            "socialkit example post, {}",
            chrono::Utc::now().to_rfc3339()
        ));
        let published = page.publish(&post, &PublishOptions::default()).await?;
        println!(
            "published {}",
            published.url().unwrap_or(&published.post.id)
        );
        let metrics = page
            .post_metrics(std::slice::from_ref(&published.post))
            .await?;
        println!("metrics: {:?}", metrics[0]);
        page.delete(&published.post).await?;
        println!("deleted again");
    }
    if let Some(rl) = page.rate_limit() {
        println!("Graph usage: {:?} %", rl.usage_percent);
    }
    Ok(())
}
