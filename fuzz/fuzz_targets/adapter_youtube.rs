//! YouTube adapter: every operation against arbitrary answers (bytes or JSON shapes) for each
//! request (channels, playlist items, comment threads, statistics, the upload session's
//! `Location` and its chunk answers) → a typed error or a value, never a panic, never the
//! token in an error. YouTube posts are videos, so "publish" uploads a small one.
#![no_main]
use std::sync::Arc;

use async_trait::async_trait;
use libfuzzer_sys::fuzz_target;
use socialkit::adapters::youtube::{Youtube, YoutubeConfig};
use socialkit::model::{
    Channel, Interaction, InteractionQuery, InteractionRef, Media, Page, Post, PostMetrics,
    PostRef, PublishOptions, Published, RecentPost,
};
use socialkit::platform::Capabilities;
use socialkit::Platform;

/// The adapter with a video added to every post it publishes.
#[derive(Debug)]
struct WithVideo(Youtube);

fn with_video(post: &Post) -> Post {
    post.clone().with_media(Media::from_bytes("video/mp4", vec![0x42; 300 * 1024]))
}

#[async_trait]
impl Platform for WithVideo {
    fn capabilities(&self) -> &Capabilities {
        self.0.capabilities()
    }
    async fn channel(&self) -> socialkit::Result<Channel> {
        self.0.channel().await
    }
    async fn publish(&self, post: &Post, opts: &PublishOptions) -> socialkit::Result<Published> {
        self.0.publish(&with_video(post), opts).await
    }
    async fn delete(&self, post: &PostRef) -> socialkit::Result<()> {
        self.0.delete(post).await
    }
    async fn interactions(&self, q: &InteractionQuery) -> socialkit::Result<Page<Interaction>> {
        self.0.interactions(q).await
    }
    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> socialkit::Result<Published> {
        self.0.reply(to, post, opts).await
    }
    async fn post_metrics(&self, posts: &[PostRef]) -> socialkit::Result<Vec<PostMetrics>> {
        self.0.post_metrics(posts).await
    }
    async fn recent_posts(&self, limit: usize) -> socialkit::Result<Vec<RecentPost>> {
        self.0.recent_posts(limit).await
    }
}

fuzz_target!(|data: &[u8]| {
    socialkit_fuzz::run(data, |addr| {
        let url = format!(
            "youtube://{}@{addr}?scheme=http&chunk_size=262144",
            socialkit_fuzz::TOKEN
        );
        let config = YoutubeConfig::from_url_str(&url).ok()?;
        Some(Arc::new(WithVideo(Youtube::with_client(config, socialkit_fuzz::client()))))
    });
});
