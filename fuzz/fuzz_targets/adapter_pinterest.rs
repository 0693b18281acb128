//! Pinterest adapter: every operation against arbitrary answers (bytes or JSON shapes) for
//! each request (pins, media registration and status, analytics, account, token answers) →
//! a typed error or a value, never a panic, never the token in an error. Pins need media,
//! so the publish operations carry an image.
#![no_main]
use std::sync::Arc;

use async_trait::async_trait;
use libfuzzer_sys::fuzz_target;
use socialkit::adapters::pinterest::{Pinterest, PinterestConfig};
use socialkit::model::{Channel, Media, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost};
use socialkit::platform::{Capabilities, Platform};

/// Pinterest with an image added to every post the shared runner publishes.
#[derive(Debug)]
struct WithImage(Pinterest);

#[async_trait]
impl Platform for WithImage {
    fn capabilities(&self) -> &Capabilities {
        Platform::capabilities(&self.0)
    }
    async fn channel(&self) -> socialkit::Result<Channel> {
        Platform::channel(&self.0).await
    }
    async fn publish(&self, post: &Post, opts: &PublishOptions) -> socialkit::Result<Published> {
        let mut post = post.clone();
        post.thread.clear();
        let post = post.with_media(Media::from_url("image/jpeg", "https://cdn.example/a.jpg"));
        Platform::publish(&self.0, &post, opts).await
    }
    async fn delete(&self, post: &PostRef) -> socialkit::Result<()> {
        Platform::delete(&self.0, post).await
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
            "pinterest://{}@{addr}?scheme=http&board_id=1234&refresh_token=pinr&client_id=1&client_secret=s",
            socialkit_fuzz::TOKEN
        );
        let config = PinterestConfig::from_url_str(&url).ok()?;
        Some(Arc::new(WithImage(Pinterest::with_client(config, socialkit_fuzz::client()))))
    });
});
