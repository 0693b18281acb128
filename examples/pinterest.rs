//! Pins an image to a real Pinterest board, reads the account, the board's sections and the
//! pin's analytics, then deletes the pin.
//!
//! ```text
//! SOCIALKIT_PINTEREST_ACCESS_TOKEN=pina_… SOCIALKIT_PINTEREST_BOARD_ID=549755885175 \
//! SOCIALKIT_PINTEREST_IMAGE_URL=https://example.com/anvil.jpg \
//!     cargo run --example pinterest --features pinterest
//! ```
//!
//! Environment:
//! - `SOCIALKIT_PINTEREST_ACCESS_TOKEN`: a token with `pins:write`, `pins:read`,
//!   `boards:read` and `user_accounts:read`;
//! - `SOCIALKIT_PINTEREST_BOARD_ID`: the board (digits);
//! - `SOCIALKIT_PINTEREST_IMAGE_URL`: a public JPEG or PNG;
//! - `SOCIALKIT_PINTEREST_LINK` (optional): the pin's destination;
//! - `SOCIALKIT_PINTEREST_KEEP` (optional, any value): keep the pin.
//!
//! Without credentials it prints what it needs and exits 0.

use socialkit::Platform;
use socialkit::adapters::pinterest::{Pinterest, PinterestConfig};
use socialkit::model::{Media, Post, PublishOptions};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (Some(token), Some(board), Some(image)) = (
        env("SOCIALKIT_PINTEREST_ACCESS_TOKEN"),
        env("SOCIALKIT_PINTEREST_BOARD_ID"),
        env("SOCIALKIT_PINTEREST_IMAGE_URL"),
    ) else {
        println!("This example pins an image to Pinterest. It needs:");
        println!(
            "  SOCIALKIT_PINTEREST_ACCESS_TOKEN  a token with pins:write, pins:read, boards:read"
        );
        println!("  SOCIALKIT_PINTEREST_BOARD_ID      the board (digits)");
        println!("  SOCIALKIT_PINTEREST_IMAGE_URL     a public JPEG or PNG");
        println!("optional: SOCIALKIT_PINTEREST_LINK, SOCIALKIT_PINTEREST_KEEP");
        return Ok(());
    };
    let config = PinterestConfig::new(token, board.clone());
    config.validate()?;
    let pinterest = Pinterest::new(config);
    let channel = pinterest.channel().await?;
    println!(
        "account: {} ({:?} followers)",
        channel.handle, channel.metrics.followers
    );
    for s in pinterest.board_sections(&board).await? {
        println!("section {}: {}", s.id, s.name);
    }
    let mut post = Post::text("socialkit example\nA pin made by socialkit's example.")
        .with_media(Media::from_url("image/jpeg", image).with_alt("The example image"));
    if let Some(link) = env("SOCIALKIT_PINTEREST_LINK") {
        post = post.with_link(link);
    }
    let published = pinterest.publish(&post, &PublishOptions::default()).await?;
    println!("pinned: {}", published.url().unwrap_or_default());
    for m in pinterest
        .post_metrics(std::slice::from_ref(&published.post))
        .await?
    {
        println!("impressions {:?}, saves {:?}", m.impressions, m.saves);
    }
    if env("SOCIALKIT_PINTEREST_KEEP").is_none() {
        pinterest.delete(&published.post).await?;
        println!("deleted");
    }
    Ok(())
}
