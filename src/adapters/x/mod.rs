//! X (API v2), behind the cargo feature `x`.
//!
//! - **Publish** `POST /2/tweets`: text counted as X counts it (weighted, twitter-text v3,
//!   [`crate::text::x`]) before any request; up to 4 images or 1 GIF or 1 video through the
//!   chunked upload (`initialize` → `append` in 4 MiB segments → `finalize` → `STATUS` polling
//!   that honours `check_after_secs` on the crate [`Clock`](crate::clock::Clock)), alt text via
//!   `POST /2/media/metadata`; threads as reply chains; a link is appended to the text (X makes
//!   the card). A post with `reply_to` answers that post.
//! - **No idempotency**: X has no idempotency key, so creates are sent once
//!   ([`Retry::Never`](crate::http::Retry)); a timeout is reported as such and the engine
//!   reconciles with [`recent_posts`](Platform::recent_posts) (text and creation time) before it
//!   tries again. X's duplicate check (403 "duplicate content") is mapped to `Duplicate`.
//! - **Interactions**: `GET /2/users/{id}/mentions` read forward from a `since_id` cursor
//!   (oldest first, nothing repeated or skipped; the authors expanded). A mention that replies
//!   to a post is a `Reply` (its `post` is the post replied to), one that quotes is a `Quote`,
//!   others are `Mention`s. Replies answer the mention.
//! - **Metrics** `GET /2/tweets?ids=` (100 per call): impressions, likes, reposts, replies,
//!   quotes, bookmarks; posts X no longer returns (deleted, protected) are left out.
//! - **Channel** `GET /2/users/me` with followers, following and posts.
//! - **Errors** in one place ([`errors`]), rate limits from `x-rate-limit-*` and the 24-hour
//!   caps.
//! - **Tokens**: OAuth 2.0 user context ([`oauth`]); with a refresh setup in the config the
//!   token is refreshed before it expires and once more when X rejects it. Or OAuth 1.0a user
//!   context ([`XConfig::oauth1`]): every request, media upload segments included, is signed
//!   with HMAC-SHA1 ([`crate::auth::oauth1`]; query and `oauth_*` parameters are signed, JSON
//!   and multipart bodies are not); [`oauth::oauth1_client`] runs the 3-legged flow.
//! - **Search** `GET /2/tweets/search/recent` ([`search`]): the last 7 days, newest first,
//!   paged backwards with `next_token`.
//!
//! ```no_run
//! use socialkit::adapters::x::X;
//! use socialkit::PlatformExt;
//! # async fn demo() -> socialkit::Result<()> {
//! let x = X::from_url_str("x://ACCESS_TOKEN@api.x.com")?;
//! let published = x.publish_thread(&["Shipping day.", "Here is what changed."]).await?;
//! println!("{}", published.url().unwrap_or_default());
//! # Ok(()) }
//! ```

#[allow(
    dead_code,
    reason = "wire types mirror the documented shapes; not every field is read by the adapter"
)]
pub(crate) mod api;
pub mod config;
pub mod errors;
mod media;
pub mod oauth;
mod publish;
mod read;
pub mod search;
#[cfg(feature = "testkit")]
pub mod twin;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::OnceCell;
use url::Url;

pub use config::XConfig;

use crate::adapters::base::Adapter;
use crate::auth::oauth1::OAuth1Signer;
use crate::auth::{Secret, TokenManager, channel_tokens};
use crate::http::{Call, Client, RateLimitStyle, Response};
use crate::model::{
    Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, MediaKind, Metric,
    Page, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost, SearchQuery,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Platform};
use crate::text::Counting;
use crate::text::TextRule;
use crate::{Registry, Result};

use errors::XErrors;

/// The platform's name, as errors and [`PostRef`]s carry it.
///
/// ```
/// assert_eq!(socialkit::adapters::x::PLATFORM, "x");
/// ```
pub const PLATFORM: &str = "x";

/// Registers the `x` scheme: `x://TOKEN@api.x.com?user_id=…` and the serde form of
/// [`XConfig`].
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| Ok(Arc::new(X::new(XConfig::from_url(url)?)) as Arc<dyn Platform>)),
        Arc::new(|value: serde_json::Value| {
            let config: XConfig = crate::registry::settings(PLATFORM, value)?;
            config.validate()?;
            Ok(Arc::new(X::new(config)) as Arc<dyn Platform>)
        }),
    );
}

/// X's capabilities for a weighted limit of `max_chars` (280 for normal accounts).
///
/// ```
/// let caps = socialkit::adapters::x::capabilities(280);
/// assert!(caps.post_threads && caps.delete && caps.reply && caps.recent_posts);
/// assert_eq!(caps.media.max_count, 4);
/// assert_eq!(caps.idempotency, socialkit::platform::Idempotency::None);
/// ```
pub fn capabilities(max_chars: usize) -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, TextRule::new(Counting::XWeighted, max_chars));
    c.media = MediaLimits {
        max_count: 4,
        kinds: vec![MediaKind::Image, MediaKind::Gif, MediaKind::Video],
        mime_types: [
            "image/jpeg",
            "image/png",
            "image/webp",
            "image/gif",
            "video/mp4",
            "video/quicktime",
        ]
        .map(String::from)
        .to_vec(),
        max_image_bytes: Some(media::MAX_IMAGE_BYTES),
        max_video_bytes: Some(media::MAX_VIDEO_BYTES),
        max_videos: 1,
        alt_text_max: Some(1000),
        alt_text_required: false,
    };
    c.post_threads = true;
    c.max_thread_parts = Some(25);
    // X makes a card from the last link in the text: the link is appended to the text.
    c.link_cards = true;
    c.delete = true;
    c.reply = true;
    c.interactions = vec![
        InteractionKind::Mention,
        InteractionKind::Reply,
        InteractionKind::Quote,
    ];
    c.metrics = vec![
        Metric::Impressions,
        Metric::Likes,
        Metric::Reposts,
        Metric::Replies,
        Metric::Quotes,
        Metric::Bookmarks,
    ];
    c.idempotency = Idempotency::None;
    c.recent_posts = true;
    // `GET /2/users/:id/tweets` lists replies too (unless `exclude=replies`), each with its
    // `referenced_tweets` entry of type `replied_to`.
    c.replies_in_recent_posts = true;
    c.search = Some(search::limits());
    c
}

/// One X account, as socialkit talks to it. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::x::{X, XConfig};
/// use socialkit::Platform;
/// let x = X::new(XConfig::new("secret-token").unwrap());
/// assert_eq!(x.capabilities().text.max, 280);
/// assert!(!format!("{x:?}").contains("secret-token"));
/// ```
pub struct X {
    config: XConfig,
    client: Client,
    tokens: TokenManager,
    signer: Option<Arc<OAuth1Signer>>,
    caps: Capabilities,
    user_id: OnceCell<String>,
    username: OnceCell<String>,
    /// The fixed endpoints' URLs, built once.
    endpoints: crate::http::Endpoints,
}

impl fmt::Debug for X {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X")
            .field("base_url", &self.config.base_url.as_str())
            .field("user_id", &self.user_id.get())
            .field("token", &"***")
            .finish()
    }
}

impl X {
    /// An adapter with the default HTTP client. No network call is made here.
    pub fn new(config: XConfig) -> Self {
        Self::with_client(config, Client::default())
    }

    /// An adapter from a channel URL (see [`config`]).
    pub fn from_url_str(url: &str) -> Result<Self> {
        Ok(Self::new(XConfig::from_url_str(url)?))
    }

    /// Like [`X::new`], sending through `client` (its clock paces media polling and token
    /// expiry). Tokens come from the config: refreshed when it has a refresh setup.
    ///
    /// ```
    /// use socialkit::adapters::x::{X, XConfig};
    /// let x = X::with_client(XConfig::new("t").unwrap(), socialkit::http::Client::default());
    /// # let _ = x;
    /// ```
    pub fn with_client(config: XConfig, client: Client) -> Self {
        let base = config.base_url.clone();
        let tokens = channel_tokens(
            PLATFORM,
            &config.token,
            config.expires_at,
            config.refresh.as_ref(),
            |r| oauth::config_at(&base, &r.client_id, ""),
            &client,
        );
        Self::with_tokens(config, client, tokens)
    }

    /// Like [`X::with_client`], with a token manager of your own (to store rotated tokens
    /// from its [`on_refresh`](crate::auth::TokenManagerBuilder::on_refresh) hook).
    ///
    /// ```
    /// use socialkit::adapters::x::{X, XConfig};
    /// use socialkit::auth::{Token, TokenManager};
    /// let tokens = TokenManager::fixed("x", Token::new("t"));
    /// let x = X::with_tokens(XConfig::new("t").unwrap(), socialkit::http::Client::default(), tokens);
    /// # let _ = x;
    /// ```
    pub fn with_tokens(config: XConfig, client: Client, tokens: TokenManager) -> Self {
        let caps = capabilities(config.max_chars);
        let user_id = OnceCell::new_with(config.user_id.clone());
        let username = OnceCell::new_with(config.username.clone());
        let signer = config
            .oauth1
            .as_ref()
            .map(|c| Arc::new(OAuth1Signer::new(c).with_clock(client.clock().clone())));
        X {
            config,
            client,
            tokens,
            signer,
            caps,
            user_id,
            username,
            endpoints: crate::http::Endpoints::default(),
        }
    }

    /// The token manager (read the token's expiry, or swap the token after a reconnect). Not
    /// used with OAuth 1.0a credentials.
    pub fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    /// Sends `call` with X's rate-limit headers and errors: signed with OAuth 1.0a when the
    /// config has those credentials (a fresh nonce and timestamp per call), else with the
    /// current OAuth 2.0 token, refreshing it once when X rejects it (when the config can
    /// refresh).
    ///
    /// A call the HTTP layer retries (a 5xx on a read) is signed again for each attempt
    /// ([`Call::sign_each_attempt`]): X uses the nonce to tell whether a request was submitted
    /// more than once, so a retry never replays the first attempt's nonce.
    pub(crate) async fn send(&self, call: Call) -> Result<Response> {
        if let Some(signer) = &self.signer {
            let call = call
                .rate_limit_style(RateLimitStyle::X)
                .sign_each_attempt(signer.clone());
            return self.client.send(call, &XErrors).await;
        }
        self.tokens
            .send(&self.client, &XErrors, |token: &Secret| {
                call.clone()
                    .bearer(token)
                    .rate_limit_style(RateLimitStyle::X)
            })
            .await
    }

    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.config.endpoint(path)
    }

    /// The link of post `id`.
    pub(crate) fn post_url(&self, id: &str) -> String {
        match self.username.get() {
            Some(u) => format!("https://x.com/{u}/status/{id}"),
            None => format!("https://x.com/i/web/status/{id}"),
        }
    }

    pub(crate) fn post_ref(&self, id: &str) -> PostRef {
        PostRef::new(PLATFORM, id).with_url(self.post_url(id))
    }

    /// The account's id: from the config, else `GET /2/users/me` once.
    pub(crate) async fn user_id(&self) -> Result<String> {
        self.user_id
            .get_or_try_init(|| async { Ok(self.me().await?.id) })
            .await
            .cloned()
    }
}

#[async_trait]
impl Adapter for X {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    async fn channel(&self) -> Result<Channel> {
        self.read_channel().await
    }

    async fn publish(&self, post: &Post, _opts: &PublishOptions) -> Result<Published> {
        self.publish_post(post, None).await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        self.delete_post(post).await
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        self.read_mentions(query).await
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        _opts: &PublishOptions,
    ) -> Result<Published> {
        let target = to.post.as_ref().map_or(to.id.as_str(), |p| p.id.as_str());
        self.publish_post(post, Some(target)).await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        self.read_metrics(posts).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.read_recent(limit).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        self.search_recent(query).await
    }
}
