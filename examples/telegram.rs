//! Publishes to a real Telegram channel or group through a bot, edits the post, reads the
//! bot's pending updates, then deletes the post.
//!
//! ```text
//! SOCIALKIT_TELEGRAM_TOKEN=123456:ABC… SOCIALKIT_TELEGRAM_CHAT_ID=@my_channel \
//!     cargo run --example telegram --features telegram
//! ```
//!
//! Environment:
//! - `SOCIALKIT_TELEGRAM_TOKEN`: the bot token from @BotFather;
//! - `SOCIALKIT_TELEGRAM_CHAT_ID`: `@channelusername` or the numeric chat id; in a channel the
//!   bot must be an administrator that can post messages;
//! - `SOCIALKIT_TELEGRAM_TEXT` (optional): the text to post (default: a timestamped test line);
//! - `SOCIALKIT_TELEGRAM_KEEP` (optional, any value): keep the post instead of deleting it.
//!
//! Reading updates confirms them: Telegram forgets updates once read with a later offset, so
//! do not run this against a bot whose updates another program consumes. Without
//! credentials it prints what it needs and exits 0.

use socialkit::adapters::telegram::{Telegram, TelegramConfig};
use socialkit::model::{InteractionQuery, Post};
use socialkit::{Platform, PlatformExt};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (Some(token), Some(chat_id)) = (
        env("SOCIALKIT_TELEGRAM_TOKEN"),
        env("SOCIALKIT_TELEGRAM_CHAT_ID"),
    ) else {
        println!("This example posts to a real Telegram chat through a bot. It needs:");
        println!("  SOCIALKIT_TELEGRAM_TOKEN    the bot token from @BotFather");
        println!("  SOCIALKIT_TELEGRAM_CHAT_ID  @channelusername or the numeric chat id");
        println!("optional: SOCIALKIT_TELEGRAM_TEXT, SOCIALKIT_TELEGRAM_KEEP");
        return Ok(());
    };
    let telegram = Telegram::new(TelegramConfig::new(token, chat_id)?);
    let channel = telegram.channel().await?;
    println!(
        "chat: {} ({}), {} subscribers",
        channel.handle,
        channel.id,
        channel
            .metrics
            .followers
            .map_or("unknown".to_string(), |n| n.to_string())
    );
    let text = env("SOCIALKIT_TELEGRAM_TEXT").unwrap_or_else(|| {
        format!(
            "socialkit example {} #socialkit",
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        )
    });
    // Telegram counts UTF-16 code units; socialkit checks before sending.
    telegram.check(&Post::text(text.clone()))?;
    let published = telegram.publish_text(&text).await?;
    println!(
        "published message {} {}",
        published.post.id,
        published.url().unwrap_or("(private chat: no public link)")
    );
    telegram
        .edit(&published.post, &Post::text(format!("{text} (edited)")))
        .await?;
    println!("edited it");
    let page = telegram.interactions(&InteractionQuery::default()).await?;
    println!("{} interaction(s) pending for the bot:", page.items.len());
    for i in &page.items {
        println!(
            "  {:?} from {}: {}",
            i.kind,
            i.author.handle,
            i.text.as_deref().unwrap_or("")
        );
    }
    if env("SOCIALKIT_TELEGRAM_KEEP").is_none() {
        telegram.delete(&published.post).await?;
        println!("deleted it");
    }
    Ok(())
}
