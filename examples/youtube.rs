//! Uploads a video to a real YouTube channel (unlisted by default), reads the channel, the
//! video's statistics and its comments, then deletes the video.
//!
//! ```text
//! SOCIALKIT_YOUTUBE_TOKEN=ya29.… SOCIALKIT_YOUTUBE_VIDEO=clip.mp4 \
//!     cargo run --example youtube --features youtube
//! ```
//!
//! Environment:
//! - `SOCIALKIT_YOUTUBE_TOKEN`: a Google OAuth access token with the `youtube.upload`,
//!   `youtube.force-ssl` and `youtube.readonly` scopes (from the connect flow of
//!   `socialkit::adapters::youtube::oauth`, or the OAuth 2.0 Playground for a test);
//! - or, for a channel that outlives the hour a token lives: `SOCIALKIT_YOUTUBE_CLIENT_ID`,
//!   `SOCIALKIT_YOUTUBE_CLIENT_SECRET` and `SOCIALKIT_YOUTUBE_REFRESH_TOKEN`;
//! - `SOCIALKIT_YOUTUBE_VIDEO`: the video file to upload (`.mp4`, `.mov`, `.webm`);
//! - `SOCIALKIT_YOUTUBE_PUBLIC` (optional, any value): upload public instead of unlisted;
//! - `SOCIALKIT_YOUTUBE_KEEP` (optional, any value): keep the video instead of deleting it.
//!
//! An upload costs a `videos.insert` of the project's daily quota. Without credentials it
//! prints what it needs and exits 0.

use socialkit::Platform;
use socialkit::adapters::youtube::{Privacy, VideoUpload, Youtube, YoutubeConfig};
use socialkit::auth::OAuth2Refresh;
use socialkit::model::{InteractionQuery, Media};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let refresh = match (
        env("SOCIALKIT_YOUTUBE_CLIENT_ID"),
        env("SOCIALKIT_YOUTUBE_CLIENT_SECRET"),
        env("SOCIALKIT_YOUTUBE_REFRESH_TOKEN"),
    ) {
        (Some(id), Some(secret), Some(rt)) => {
            Some(OAuth2Refresh::new(id, rt).with_client_secret(secret))
        }
        _ => None,
    };
    let token = env("SOCIALKIT_YOUTUBE_TOKEN");
    let (Some(video), true) = (
        env("SOCIALKIT_YOUTUBE_VIDEO"),
        token.is_some() || refresh.is_some(),
    ) else {
        println!("This example uploads a video to YouTube. It needs:");
        println!(
            "  SOCIALKIT_YOUTUBE_TOKEN  an OAuth access token (youtube.upload, youtube.force-ssl, youtube.readonly)"
        );
        println!(
            "    or SOCIALKIT_YOUTUBE_CLIENT_ID, SOCIALKIT_YOUTUBE_CLIENT_SECRET, SOCIALKIT_YOUTUBE_REFRESH_TOKEN"
        );
        println!("  SOCIALKIT_YOUTUBE_VIDEO  the video file");
        println!("optional: SOCIALKIT_YOUTUBE_PUBLIC, SOCIALKIT_YOUTUBE_KEEP");
        return Ok(());
    };
    let mut config: YoutubeConfig = serde_json::from_value(serde_json::json!({
        "token": token.unwrap_or_default(),
    }))
    .map_err(|e| socialkit::Error::config(format!("config: {e}")))?;
    config.refresh = refresh;
    config.validate()?;
    let yt = Youtube::new(config);
    let channel = yt.channel().await?;
    println!(
        "channel: {} ({}), {:?} subscribers, {:?} videos",
        channel.handle, channel.id, channel.metrics.followers, channel.metrics.posts
    );
    let mime = match video
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("mov") => "video/quicktime",
        Some("webm") => "video/webm",
        _ => "video/mp4",
    };
    let mut upload = VideoUpload::new(
        format!(
            "socialkit example {}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
        ),
        Media::from_path(mime, video),
    );
    upload.description = "Uploaded by socialkit's YouTube example.".into();
    upload.tags = vec!["socialkit".into()];
    upload.privacy = if env("SOCIALKIT_YOUTUBE_PUBLIC").is_some() {
        Privacy::Public
    } else {
        Privacy::Unlisted
    };
    let published = yt.upload(&upload).await?;
    println!("uploaded: {}", published.url().unwrap_or_default());
    let metrics = yt
        .post_metrics(std::slice::from_ref(&published.post))
        .await?;
    println!("statistics: {metrics:?}");
    let page = yt
        .interactions(&InteractionQuery::default().limit(20))
        .await?;
    println!("{} new comments on the channel", page.items.len());
    let (units, uploads) = yt.quota().left(chrono::Utc::now());
    println!("quota left today (this process's count): {units} units, {uploads} uploads");
    if env("SOCIALKIT_YOUTUBE_KEEP").is_none() {
        yt.delete(&published.post).await?;
        println!("deleted");
    }
    Ok(())
}
