//! Posts a video to a real TikTok account through the Content Posting API: reads the
//! creator's posting settings first, uploads the file in chunks (or lets TikTok pull it from
//! a verified URL), waits until TikTok has published it (or put it in the creator's inbox),
//! then reads the account and the video's metrics.
//!
//! ```text
//! SOCIALKIT_TIKTOK_ACCESS_TOKEN=act.… SOCIALKIT_TIKTOK_VIDEO=clip.mp4 \
//!     cargo run --example tiktok --features tiktok
//! ```
//!
//! Environment:
//! - `SOCIALKIT_TIKTOK_ACCESS_TOKEN`: a user access token with `video.publish` (or
//!   `video.upload` for the inbox), `user.info.basic` and `video.list`;
//! - `SOCIALKIT_TIKTOK_VIDEO`: a local video file, or an `https://` URL on a domain verified
//!   for your app (`PULL_FROM_URL`);
//! - `SOCIALKIT_TIKTOK_CAPTION` (optional): the caption;
//! - `SOCIALKIT_TIKTOK_INBOX` (optional, any value): upload to the creator's inbox instead
//!   of posting directly;
//! - `SOCIALKIT_TIKTOK_REFRESH_TOKEN`, `SOCIALKIT_TIKTOK_CLIENT_KEY`,
//!   `SOCIALKIT_TIKTOK_CLIENT_SECRET` (optional): to refresh the 24-hour token.
//!
//! An unaudited app posts privately (`SELF_ONLY`), which is what this example asks for.
//! Without credentials it prints what it needs and exits 0.

use socialkit::Platform;
use socialkit::adapters::tiktok::{PostMode, TikTok, TikTokConfig};
use socialkit::auth::Secret;
use socialkit::model::{Media, Post, PublishOptions};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (Some(token), Some(video)) = (
        env("SOCIALKIT_TIKTOK_ACCESS_TOKEN"),
        env("SOCIALKIT_TIKTOK_VIDEO"),
    ) else {
        println!("This example posts a video to TikTok. It needs:");
        println!(
            "  SOCIALKIT_TIKTOK_ACCESS_TOKEN  a user token with video.publish (or video.upload)"
        );
        println!(
            "  SOCIALKIT_TIKTOK_VIDEO         a video file, or an https URL on a verified domain"
        );
        println!(
            "optional: SOCIALKIT_TIKTOK_CAPTION, SOCIALKIT_TIKTOK_INBOX, SOCIALKIT_TIKTOK_REFRESH_TOKEN,"
        );
        println!("          SOCIALKIT_TIKTOK_CLIENT_KEY, SOCIALKIT_TIKTOK_CLIENT_SECRET");
        return Ok(());
    };
    let mut config = TikTokConfig::token(token);
    config.refresh_token = env("SOCIALKIT_TIKTOK_REFRESH_TOKEN").map(Secret::new);
    config.client_key = env("SOCIALKIT_TIKTOK_CLIENT_KEY");
    config.client_secret = env("SOCIALKIT_TIKTOK_CLIENT_SECRET").map(Secret::new);
    if env("SOCIALKIT_TIKTOK_INBOX").is_some() {
        config.mode = PostMode::Inbox;
    }
    config.validate()?;
    let tiktok = TikTok::new(config);
    let channel = tiktok.channel().await?;
    println!(
        "account: @{} ({} followers)",
        channel.handle,
        channel.metrics.followers.unwrap_or(0)
    );
    let info = tiktok.creator_info().await?;
    println!(
        "privacy options: {:?}; longest video: {:?} s",
        info.privacy_level_options, info.max_video_post_duration_sec
    );
    let media = if video.starts_with("https://") {
        Media::from_url("video/mp4", video)
    } else {
        Media::from_path("video/mp4", video)
    };
    let caption = env("SOCIALKIT_TIKTOK_CAPTION").unwrap_or_else(|| "Posted with socialkit".into());
    let published = tiktok
        .publish(
            &Post::text(caption).with_media(media),
            &PublishOptions::default(),
        )
        .await?;
    println!(
        "done: {} ({})",
        published.post.id,
        published.post.meta("status").unwrap_or_default()
    );
    for m in tiktok.post_metrics(&[published.post]).await? {
        println!("views {:?}, likes {:?}", m.video_views, m.likes);
    }
    Ok(())
}
