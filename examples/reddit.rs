//! Publishes to a real subreddit (or the account's profile) through a Reddit script app,
//! comments under the post, edits the post, reads the inbox and the post's metrics, then
//! deletes what it made.
//!
//! ```text
//! SOCIALKIT_REDDIT_CLIENT_ID=… SOCIALKIT_REDDIT_CLIENT_SECRET=… \
//! SOCIALKIT_REDDIT_USERNAME=my_bot SOCIALKIT_REDDIT_PASSWORD=… \
//! SOCIALKIT_REDDIT_USER_AGENT="script:my-bot:0.1 (by /u/my_bot)" \
//! SOCIALKIT_REDDIT_SUBREDDIT=test \
//!     cargo run --example reddit --features reddit
//! ```
//!
//! Environment:
//! - `SOCIALKIT_REDDIT_CLIENT_ID`, `SOCIALKIT_REDDIT_CLIENT_SECRET`: a *script* app from
//!   <https://www.reddit.com/prefs/apps>;
//! - `SOCIALKIT_REDDIT_USERNAME`, `SOCIALKIT_REDDIT_PASSWORD`: the account that made the app;
//! - `SOCIALKIT_REDDIT_USER_AGENT`: `<platform>:<app ID>:<version> (by /u/<username>)`, as
//!   reddit's API rules ask;
//! - `SOCIALKIT_REDDIT_SUBREDDIT` (optional): where to post (default: the account's profile);
//! - `SOCIALKIT_REDDIT_FLAIR_ID` (optional): the link flair, where the subreddit requires one;
//! - `SOCIALKIT_REDDIT_KEEP` (optional, any value): keep the post instead of deleting it.
//!
//! Without credentials it prints what it needs and exits 0.

use socialkit::Platform;
use socialkit::adapters::reddit::{Reddit, RedditConfig};
use socialkit::model::{InteractionQuery, Post, PublishOptions};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (Some(id), Some(secret), Some(user), Some(password), Some(ua)) = (
        env("SOCIALKIT_REDDIT_CLIENT_ID"),
        env("SOCIALKIT_REDDIT_CLIENT_SECRET"),
        env("SOCIALKIT_REDDIT_USERNAME"),
        env("SOCIALKIT_REDDIT_PASSWORD"),
        env("SOCIALKIT_REDDIT_USER_AGENT"),
    ) else {
        println!("This example posts to reddit through a script app. It needs:");
        println!("  SOCIALKIT_REDDIT_CLIENT_ID, SOCIALKIT_REDDIT_CLIENT_SECRET  the script app");
        println!("  SOCIALKIT_REDDIT_USERNAME, SOCIALKIT_REDDIT_PASSWORD        its account");
        println!("  SOCIALKIT_REDDIT_USER_AGENT  e.g. \"script:my-bot:0.1 (by /u/my_bot)\"");
        println!(
            "optional: SOCIALKIT_REDDIT_SUBREDDIT, SOCIALKIT_REDDIT_FLAIR_ID, SOCIALKIT_REDDIT_KEEP"
        );
        return Ok(());
    };
    let mut config = RedditConfig::script(id, secret, user, password, ua)?;
    if let Some(sr) = env("SOCIALKIT_REDDIT_SUBREDDIT") {
        config = config.in_subreddit(sr)?;
    }
    config.flair_id = env("SOCIALKIT_REDDIT_FLAIR_ID");
    config.validate()?;
    let reddit = Reddit::new(config);
    let channel = reddit.channel().await?;
    println!("account: u/{} ({})", channel.handle, channel.id);
    let title = format!(
        "socialkit example {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
    );
    let post = Post::text(format!("{title}\nPosted by the socialkit reddit example."))
        .then("A first comment under the post, as the second part of a thread.");
    let published = reddit.publish(&post, &PublishOptions::default()).await?;
    println!("post: {}", published.url().unwrap_or(&published.post.id));
    reddit
        .edit(
            &published.post,
            &Post::text("Edited by the socialkit reddit example."),
        )
        .await?;
    let metrics = reddit
        .submission_stats(std::slice::from_ref(&published.post))
        .await?;
    if let Some(m) = metrics.first() {
        println!(
            "score {}, comments {}, upvote ratio {:?}",
            m.score, m.num_comments, m.upvote_ratio
        );
    }
    let inbox = reddit
        .interactions(&InteractionQuery::default().limit(5))
        .await?;
    for i in &inbox.items {
        println!(
            "inbox: {:?} from u/{}: {}",
            i.kind,
            i.author.handle,
            i.text.as_deref().unwrap_or("")
        );
    }
    if env("SOCIALKIT_REDDIT_KEEP").is_none() {
        for part in published.parts.iter().rev() {
            reddit.delete(part).await?;
        }
        println!("deleted the post and its comment");
    }
    Ok(())
}
