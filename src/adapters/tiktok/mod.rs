//! TikTok, behind the cargo feature `tiktok`: a creator's account posting videos and photo
//! posts through the Content Posting API v2 at `https://open.tiktokapis.com`. Sources: the
//! Content Posting API reference and guides on developers.tiktok.com (each module names its
//! pages), the Display API (`user/info`, `video/query`, `video/list`) and Login Kit's token
//! management.
//!
//! - **Creator info first**: every publish starts with `POST
//!   /v2/post/publish/creator_info/query/` — whether the creator may post now (a refusal such
//!   as `spam_risk_too_many_posts` stops the publish before any upload), the privacy levels
//!   the creator may choose (the post's level must be among them, else `Validation` before
//!   any upload) and whether comments, duets and stitches are off in the creator's settings
//!   (then they are off on the post too). [`TikTok::creator_info`] exposes it, with
//!   `max_video_post_duration_sec`.
//! - **Video**: Direct Post (`/v2/post/publish/video/init/`, scope `video.publish`) or upload
//!   to the creator's inbox (`/v2/post/publish/inbox/video/init/`, `video.upload`; the
//!   creator finishes the post in the app), chosen by [`PostMode`]. A video given as bytes or
//!   a file goes by `FILE_UPLOAD` in chunks following TikTok's chunk rules ([`upload`]); a
//!   video given by URL goes by `PULL_FROM_URL` (the domain must be verified in the
//!   developer portal, else `PermissionDenied` with `url_ownership_unverified`).
//! - **Photos**: 1–35 images by URL (`/v2/post/publish/content/init/`, `media_type=PHOTO`;
//!   TikTok takes photos only by `PULL_FROM_URL`), the text as the description.
//! - **Status**: `POST /v2/post/publish/status/fetch/` is polled (every 5 s on the HTTP
//!   client's clock, at most 10 minutes) until `PUBLISH_COMPLETE` (Direct Post) or
//!   `SEND_TO_USER_INBOX` (inbox), or `FAILED`, whose `fail_reason` becomes a typed error
//!   ([`errors::kind_for_fail_reason`]). The post's id is the first
//!   `publicaly_available_post_id` when TikTok gives one; otherwise (private posts, inbox
//!   uploads) the `publish_id`, kept as `publish_id` in the reference's meta either way.
//! - **Unaudited apps** post only with `SELF_ONLY`: [`TikTokConfig::audited`] is `false` by
//!   default, a config asking for another level is refused, and [`Capabilities::visibilities`]
//!   declares `Followers` only for an audited app. TikTok's own refusal
//!   (`unaudited_client_can_only_post_to_private_accounts`) maps to `PermissionDenied`.
//! - **Metrics** from `POST /v2/video/query/` (views, likes, comments, shares; impressions,
//!   reach and saves are `None` — the API does not report them). A reference that is still a
//!   `publish_id` has no metrics (every value `None`).
//! - **Recent posts** (`POST /v2/video/list/`, scope `video.list`) with their captions, for
//!   the engine to reconcile a publish in doubt: TikTok has no idempotency key.
//! - **Not in the API**: delete, edit, comments and replies (the Display API has none for
//!   third-party apps), search: not declared, refused with `Unsupported` before sending.
//! - **Tokens** live 24 hours and are refreshed with the refresh token ([`oauth`]); a rotated
//!   refresh token is kept.
//! - **Rate limits**: TikTok documents per-token budgets per minute (6 inits, 30 status
//!   fetches, …) and sends no rate-limit headers in the reference; a 429
//!   (`rate_limit_exceeded`) becomes `RateLimited` with `Retry-After` or a minute.
//!
//! Unverified (no audited app or live account was used): whether "MB" in the chunk rules is
//! 10⁶ or 2²⁰ bytes (MiB is used), whether `publicaly_available_post_id` stays empty for
//! `SELF_ONLY` posts, whether `video/list` lists private and photo posts (reconciliation
//! relies on it), the exact HTTP status of each error code (the mapping reads the code), the
//! upload answer's body, and the exact caption counting (UTF-16 units, 2,200).
//!
//! ```no_run
//! use socialkit::adapters::tiktok::TikTok;
//! use socialkit::model::{Media, Post, PublishOptions};
//! use socialkit::Platform;
//! # async fn demo() -> socialkit::Result<()> {
//! let tiktok = TikTok::from_url_str(
//!     "tiktok://act.TOKEN@open.tiktokapis.com?refresh_token=rft.R&client_key=CK&client_secret=CS",
//! )?;
//! let post = Post::text("Behind the scenes #anvil")
//!     .with_media(Media::from_path("video/mp4", "anvil.mp4"));
//! let published = tiktok.publish(&post, &PublishOptions::default()).await?;
//! println!("{}", published.post.id);
//! # Ok(()) }
//! ```

#[allow(
    dead_code,
    reason = "wire types mirror the documented shapes; not every field is read by the adapter"
)]
pub(crate) mod api;
pub mod config;
pub mod errors;
pub mod oauth;
mod publish;
mod read;
#[cfg(feature = "testkit")]
pub mod twin;
pub mod upload;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use url::Url;

pub use api::{CreatorInfo, StatusData};
pub use config::{PostMode, PrivacyLevel, TikTokConfig};

use crate::adapters::base::Adapter;
use crate::auth::{Secret, Token, TokenManager};
use crate::http::{Call, Client, Response};
use crate::model::{
    Channel, MediaKind, Metric, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost,
    Visibility,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Operation, Platform};
use crate::text::{Counting, TextRule};
use crate::{ErrorKind, Registry, Result};

use errors::TikTokErrors;

/// The platform's name.
///
/// ```
/// assert_eq!(socialkit::adapters::tiktok::PLATFORM, "tiktok");
/// ```
pub const PLATFORM: &str = "tiktok";
/// Longest video caption: 2,200 UTF-16 units (Direct Post reference, `post_info.title`).
pub const MAX_CAPTION: usize = 2200;
/// Most images in a photo post (Photo Post reference, `photo_images`).
pub const MAX_PHOTOS: usize = 35;
/// Largest image: 20 MB (Media Transfer Guide, image restrictions).
pub const MAX_IMAGE_BYTES: u64 = 20_000_000;

/// Registers `tiktok`: channel URLs and the serde form of [`TikTokConfig`].
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(Arc::new(TikTok::new(TikTokConfig::from_url(url)?)) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: TikTokConfig = crate::registry::settings(PLATFORM, value)?;
            config.validate()?;
            Ok(Arc::new(TikTok::new(config)) as Arc<dyn Platform>)
        }),
    );
}

/// TikTok's capabilities for a config: media required (one video, or up to 35 images), the
/// caption in UTF-16 units, `Followers` visibility only for an audited app.
///
/// ```
/// use socialkit::adapters::tiktok::{capabilities, TikTokConfig};
/// let caps = capabilities(&TikTokConfig::token("t"));
/// assert!(caps.media_required && !caps.delete && !caps.reply);
/// assert_eq!(caps.text.max, 2200);
/// assert_eq!(caps.idempotency, socialkit::platform::Idempotency::None);
/// assert!(caps.visibilities.is_empty(), "unaudited: private posts only");
/// ```
pub fn capabilities(config: &TikTokConfig) -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, TextRule::new(Counting::Utf16, MAX_CAPTION));
    c.text_required = false;
    c.media_required = true;
    c.media = MediaLimits {
        max_count: MAX_PHOTOS,
        kinds: vec![MediaKind::Image, MediaKind::Video],
        mime_types: [
            "video/mp4",
            "video/quicktime",
            "video/webm",
            "image/jpeg",
            "image/webp",
        ]
        .map(String::from)
        .to_vec(),
        max_image_bytes: Some(MAX_IMAGE_BYTES),
        max_video_bytes: Some(upload::MAX_VIDEO_BYTES),
        max_videos: 1,
        alt_text_max: None,
        alt_text_required: false,
    };
    if config.audited {
        c.visibilities = vec![Visibility::Followers];
    }
    c.metrics = vec![
        Metric::VideoViews,
        Metric::Likes,
        Metric::Replies,
        Metric::Reposts,
    ];
    c.idempotency = Idempotency::None;
    c.recent_posts = true;
    c
}

/// One TikTok creator account. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::tiktok::{TikTok, TikTokConfig};
/// use socialkit::Platform;
/// let t = TikTok::new(TikTokConfig::token("act.s3cret"));
/// assert_eq!(t.capabilities().platform, "tiktok");
/// assert!(!format!("{t:?}").contains("s3cret"));
/// ```
pub struct TikTok {
    config: TikTokConfig,
    client: Client,
    tokens: TokenManager,
    caps: Capabilities,
}

impl fmt::Debug for TikTok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TikTok")
            .field("base_url", &self.config.base_url.as_str())
            .field("mode", &self.config.mode)
            .field("privacy", &self.config.privacy)
            .field("token", &"***")
            .finish()
    }
}

impl TikTok {
    /// An adapter with the default HTTP client. No network call is made here.
    pub fn new(config: TikTokConfig) -> Self {
        Self::with_client(config, Client::default())
    }

    /// An adapter from a channel URL (see [`config`]).
    pub fn from_url_str(url: &str) -> Result<Self> {
        Ok(Self::new(TikTokConfig::from_url_str(url)?))
    }

    /// Like [`TikTok::new`], sending through `client` (its clock times the status polls and
    /// token expiry).
    pub fn with_client(config: TikTokConfig, client: Client) -> Self {
        let mut token = Token::new(config.access_token.clone());
        token.expires_at = config.expires_at;
        token.refresh_token = config.refresh_token.clone();
        let mut builder = TokenManager::builder(PLATFORM, token).clock(client.clock().clone());
        if let Some(r) = oauth::refresher(&config, &client) {
            builder = builder.refresher(r);
        }
        let tokens = builder.build();
        Self::with_tokens(config, client, tokens)
    }

    /// Like [`TikTok::with_client`], with a token manager of your own (the engine's vault).
    pub fn with_tokens(config: TikTokConfig, client: Client, tokens: TokenManager) -> Self {
        let caps = capabilities(&config);
        TikTok {
            config,
            client,
            tokens,
            caps,
        }
    }

    /// The config.
    pub fn config(&self) -> &TikTokConfig {
        &self.config
    }

    /// The token manager.
    pub fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.client.now()
    }

    /// Sends `call` with the bearer token (renewed once after a 401).
    pub(crate) async fn send(&self, call: Call) -> Result<Response> {
        self.tokens
            .send(&self.client, &TikTokErrors, |token: &Secret| {
                call.clone().bearer(token)
            })
            .await
    }

    /// Sends a JSON API call and reads its `data`, or the error in `error`.
    pub(crate) async fn api<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let operation = call.operation();
        let response = self.send(call).await?;
        decode(&response, operation.as_str())
    }
}

/// Reads `data` of an answer; an `error.code` other than `ok` is the error it names.
pub(crate) fn decode<T: DeserializeOwned>(response: &Response, operation: &str) -> Result<T> {
    let env: api::Envelope<serde_json::Value> = response.json()?;
    if !env.error.code.is_empty() && env.error.code != "ok" {
        return Err(errors::from_api(
            &env.error,
            response.status().as_u16(),
            operation,
        ));
    }
    let data = env.data.ok_or_else(|| {
        response.error(
            ErrorKind::Unexpected,
            format!("tiktok answered {operation} without data"),
        )
    })?;
    serde_json::from_value(data).map_err(|e| {
        response.error(
            ErrorKind::Unexpected,
            format!("tiktok answered {operation} with data socialkit cannot read: {e}"),
        )
    })
}

/// TikTok on the shared adapter base.
#[async_trait]
impl Adapter for TikTok {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    fn fit(&self, post: Post, opts: &PublishOptions, op: Operation) -> Result<Post> {
        let _ = op;
        // The caption first: a too-long caption says so whatever the media.
        self.caps.text.check(PLATFORM, &post.text)?;
        let post = self.caps.fit(post, opts)?;
        publish::check_media(&post)?;
        Ok(post)
    }

    async fn channel(&self) -> Result<Channel> {
        self.read_channel().await
    }

    async fn publish(&self, post: &Post, _opts: &PublishOptions) -> Result<Published> {
        self.publish_post(post).await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        self.read_metrics(posts).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.read_recent(limit).await
    }
}
