//! TikTok adapter: every operation against arbitrary answers (bytes or JSON shapes) for each
//! request (creator info, inits, chunk uploads, status polls, user info, video query and list,
//! token answers) → a typed error or a value, never a panic, never the token in an error.
//! TikTok posts need a video, so the publish operations carry a small one.
#![no_main]
use std::sync::Arc;

use async_trait::async_trait;
use libfuzzer_sys::fuzz_target;
use socialkit::adapters::tiktok::{TikTok, TikTokConfig};
use socialkit::model::{Channel, Media, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost};
use socialkit::platform::{Capabilities, Platform};

/// TikTok with a video added to every post the shared runner publishes.
#[derive(Debug)]
struct WithVideo(TikTok);

#[async_trait]
impl Platform for WithVideo {
    fn capabilities(&self) -> &Capabilities {
        Platform::capabilities(&self.0)
    }
    async fn channel(&self) -> socialkit::Result<Channel> {
        Platform::channel(&self.0).await
    }
    async fn publish(&self, post: &Post, opts: &PublishOptions) -> socialkit::Result<Published> {
        let mut post = post.clone();
        post.thread.clear();
        let post = post.with_media(Media::from_bytes("video/mp4", vec![1; 64]));
        Platform::publish(&self.0, &post, opts).await
    }
    async fn post_metrics(&self, posts: &[PostRef]) -> socialkit::Result<Vec<PostMetrics>> {
        Platform::post_metrics(&self.0, posts).await
    }
    async fn recent_posts(&self, limit: usize) -> socialkit::Result<Vec<RecentPost>> {
        Platform::recent_posts(&self.0, limit).await
    }
}

fuzz_target!(|data: &[u8]| {
    socialkit_fuzz::run(data, |addr| {
        let url = format!(
            "tiktok://{}@{addr}?scheme=http&refresh_token=rft.fuzz&client_key=ck&client_secret=cs",
            socialkit_fuzz::TOKEN
        );
        let config = TikTokConfig::from_url_str(&url).ok()?;
        Some(Arc::new(WithVideo(TikTok::with_client(config, socialkit_fuzz::client()))))
    });
});
