//! A Threads profile with real credentials: the profile and its followers, recent posts, new
//! replies, the publishing quotas — and, with `SOCIALKIT_PUBLISH=1`, a two-part thread that is
//! published, measured and deleted again.
//!
//! ```text
//! THREADS_USER_ID=… THREADS_TOKEN=… cargo run --example threads --features threads
//! ```
//!
//! Without credentials it prints what it needs and exits successfully.

use socialkit::adapters::threads::{Threads, ThreadsConfig};
use socialkit::model::{InteractionQuery, Post, PublishOptions, SearchQuery};
use socialkit::{Platform, Result};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

const NEEDS: &str = "\
This example talks to a real Threads profile. It needs, in the environment:
  THREADS_USER_ID   the Threads user id
  THREADS_TOKEN     a long-lived token with threads_basic, threads_content_publish,
                    threads_read_replies, threads_manage_replies, threads_manage_insights
                    (and threads_delete for SOCIALKIT_PUBLISH)
Optional:
  THREADS_TOKEN_EXPIRES_AT  RFC 3339 expiry: the token is refreshed a week before
  THREADS_SEARCH            words or one #topic to search (needs threads_keyword_search)
  SOCIALKIT_PUBLISH=1       publish a two-part test thread, read its metrics, delete it";

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let (Some(user), Some(token)) = (env("THREADS_USER_ID"), env("THREADS_TOKEN")) else {
        println!("{NEEDS}");
        return Ok(());
    };
    let mut config = ThreadsConfig::new(user, token)?;
    if let Some(at) = env("THREADS_TOKEN_EXPIRES_AT") {
        let at = chrono::DateTime::parse_from_rfc3339(&at)
            .map_err(|_| socialkit::Error::config("THREADS_TOKEN_EXPIRES_AT must be RFC 3339"))?;
        config.graph.token_expires_at = Some(at.with_timezone(&chrono::Utc));
    }
    let threads = Threads::new(config)?;

    let channel = threads.channel().await?;
    println!(
        "@{}: {} followers",
        channel.handle,
        channel
            .metrics
            .followers
            .map_or("?".into(), |f| f.to_string())
    );
    let limit = threads.publishing_limit().await?;
    println!(
        "quota: {:?} posts and {:?} replies left in 24 h",
        limit.posts_left(),
        limit.replies_left()
    );
    for post in threads.recent_posts(5).await? {
        let text: String = post.text.chars().take(60).collect();
        println!(
            "  {}  {}  {text}",
            post.created_at.format("%Y-%m-%d %H:%M"),
            post.post.id
        );
    }
    let inbox = threads
        .interactions(&InteractionQuery::default().limit(10))
        .await?;
    println!(
        "{} replies on the recent posts (first page)",
        inbox.items.len()
    );
    if let Some(q) = env("THREADS_SEARCH") {
        let found = threads.search(&SearchQuery::new(q).limit(10)).await?;
        for post in &found.items {
            let text: String = post
                .text
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect();
            println!("  found @{}: {text}", post.author.handle);
        }
    }
    if env("SOCIALKIT_PUBLISH").as_deref() == Some("1") {
        let post = Post::thread(["socialkit example thread, part 1", "and part 2"]);
        let key = format!("socialkit-example-{}", chrono::Utc::now().timestamp());
        let published = threads
            .publish(&post, &PublishOptions::with_key(key))
            .await?;
        println!(
            "published {}",
            published.url().unwrap_or(&published.post.id)
        );
        let metrics = threads.post_metrics(&published.parts).await?;
        println!("metrics of the first part: {:?}", metrics[0]);
        for part in published.parts.iter().rev() {
            threads.delete(part).await?;
        }
        println!("deleted again");
    }
    let token = threads.token().await;
    println!("token expires: {:?}", token.expires_at);
    Ok(())
}
