//! Publishes to a real Discord channel as a bot (or through a webhook), reads mentions and
//! replies, then deletes the post.
//!
//! ```text
//! SOCIALKIT_DISCORD_TOKEN=… SOCIALKIT_DISCORD_CHANNEL_ID=… cargo run --example discord --features discord
//! SOCIALKIT_DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/ID/TOKEN cargo run --example discord --features discord
//! ```
//!
//! Environment, either a bot:
//! - `SOCIALKIT_DISCORD_TOKEN`: the bot token (the bot needs View Channel, Send Messages and
//!   Read Message History in the channel);
//! - `SOCIALKIT_DISCORD_CHANNEL_ID`: the channel's id (Developer Mode → Copy Channel ID);
//! - `SOCIALKIT_DISCORD_FORUM` (optional, any value): the channel is a forum channel;
//!
//! or a webhook:
//! - `SOCIALKIT_DISCORD_WEBHOOK_URL`: the webhook URL from the channel's Integrations page;
//!
//! and for both:
//! - `SOCIALKIT_DISCORD_TEXT` (optional): the text to post (default: a timestamped test line);
//! - `SOCIALKIT_DISCORD_KEEP` (optional, any value): keep the post instead of deleting it.
//!
//! Without credentials it prints what it needs and exits 0.

use socialkit::Platform;
use socialkit::adapters::discord::{Discord, DiscordConfig};
use socialkit::model::{InteractionQuery, Post, PublishOptions};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let config = match (
        env("SOCIALKIT_DISCORD_TOKEN"),
        env("SOCIALKIT_DISCORD_CHANNEL_ID"),
        env("SOCIALKIT_DISCORD_WEBHOOK_URL"),
    ) {
        (Some(token), Some(channel), _) => {
            let mut c = DiscordConfig::bot(token, channel)?;
            c.forum = env("SOCIALKIT_DISCORD_FORUM").is_some();
            c
        }
        (_, _, Some(hook)) => {
            // https://discord.com/api/webhooks/{id}/{token}
            let url = url::Url::parse(&hook).map_err(|_| {
                socialkit::Error::config("SOCIALKIT_DISCORD_WEBHOOK_URL is not a URL")
            })?;
            let segments: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
            match segments.as_slice() {
                [.., "webhooks", id, token] => DiscordConfig::webhook(*id, *token)?,
                _ => {
                    return Err(socialkit::Error::config(
                        "SOCIALKIT_DISCORD_WEBHOOK_URL looks like https://discord.com/api/webhooks/ID/TOKEN",
                    ));
                }
            }
        }
        _ => {
            println!("This example posts to a real Discord channel. It needs either a bot:");
            println!("  SOCIALKIT_DISCORD_TOKEN        the bot token");
            println!(
                "  SOCIALKIT_DISCORD_CHANNEL_ID   the channel id (SOCIALKIT_DISCORD_FORUM=1 for a forum)"
            );
            println!("or a webhook:");
            println!("  SOCIALKIT_DISCORD_WEBHOOK_URL  https://discord.com/api/webhooks/ID/TOKEN");
            println!("optional: SOCIALKIT_DISCORD_TEXT, SOCIALKIT_DISCORD_KEEP");
            return Ok(());
        }
    };
    let discord = Discord::new(config);
    let channel = discord.channel().await?;
    println!("channel: {} ({})", channel.handle, channel.id);
    let text = env("SOCIALKIT_DISCORD_TEXT").unwrap_or_else(|| {
        format!(
            "socialkit example {}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        )
    });
    // A key makes a bot's resend within minutes return the first message (nonce).
    let key = format!("example-{}", chrono::Utc::now().timestamp());
    let published = discord
        .publish(&Post::text(text), &PublishOptions::with_key(key))
        .await?;
    println!(
        "published {} {}",
        published.post.id,
        published.url().unwrap_or("(no link)")
    );
    if discord
        .capabilities()
        .supports(socialkit::platform::Operation::Interactions)
    {
        let page = discord
            .interactions(&InteractionQuery::default().limit(20))
            .await?;
        println!(
            "{} reply/mention(s) in the last 20 messages:",
            page.items.len()
        );
        for i in &page.items {
            println!(
                "  {:?} from {}: {}",
                i.kind,
                i.author.handle,
                i.text.as_deref().unwrap_or("")
            );
        }
    }
    let metrics = discord
        .post_metrics(std::slice::from_ref(&published.post))
        .await?;
    if let Some(m) = metrics.first() {
        println!("reactions: {:?}", m.likes);
    }
    if env("SOCIALKIT_DISCORD_KEEP").is_none() {
        discord.delete(&published.post).await?;
        println!("deleted it");
    }
    Ok(())
}
