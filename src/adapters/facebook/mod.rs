//! Facebook Pages through the Graph API (feature `facebook`).
//!
//! - **Connect**: [`connect_pages`] trades a short-lived user token for a long-lived one and
//!   lists the Pages with their Page access tokens ([`page_accounts`]); a channel is a Page id
//!   and its Page token ([`FacebookConfig`], URL form
//!   `facebook://PAGE_TOKEN@graph.facebook.com?page_id=…&version=v23.0`).
//! - **Publish**: text and link posts (`POST /{page-id}/feed` with `message`, `link`), one
//!   photo (`POST /{page-id}/photos` with a public `url` or the uploaded bytes as `source`), or
//!   several photos (each uploaded with `published=false`, then one feed post with
//!   `attached_media`). A post with `reply_to` becomes a comment on that post. Checked against
//!   [`default_capabilities`] before anything is sent.
//! - **Interactions**: comments on the Page's recent posts (`GET /{post-id}/comments` with
//!   `filter=stream`, `order=chronological`, following Graph cursors), read forward from a
//!   cursor without repeats or skips; the Page's own comments are left out. **Reply** with
//!   `POST /{comment-id}/comments` (a reply to a reply goes to its thread).
//! - **Metrics**: reactions (likes), comments (replies) and shares per post from
//!   `reactions.summary(total_count)`, `comments.summary(total_count)`, `shares`; reach
//!   (`post_total_media_view_unique`) and clicks (`post_clicks`) from post insights, `None` when
//!   the token may not read insights. Page followers in [`Platform::channel`].
//! - **Delete** posts and comments; list recent posts for reconciliation (Facebook has no
//!   idempotency key; Graph answers code 506 to an immediate duplicate).
//! - **Errors** by Graph code ([`GraphErrorMapper`](crate::auth::meta::GraphErrorMapper)): 190
//!   reconnect, 4/17/32/613/80001 rate limited (with `retry_after` from
//!   `estimated_time_to_regain_access` in `X-Business-Use-Case-Usage`), 10/200–299 permission,
//!   506 duplicate, 368 content rejected, 1/2 transient. The usage headers are kept:
//!   [`Facebook::rate_limit`].
//!
//! ```no_run
//! use socialkit::adapters::facebook::{Facebook, FacebookConfig};
//! use socialkit::PlatformExt;
//! # async fn demo() -> socialkit::Result<()> {
//! let page = Facebook::new(FacebookConfig::from_url_str(
//!     "facebook://PAGE_TOKEN@graph.facebook.com?page_id=1234567890",
//! )?)?;
//! let published = page.publish_text("Our anvil is here.").await?;
//! println!("{}", published.url().unwrap_or_default());
//! # Ok(()) }
//! ```

mod api;
pub mod config;
mod pages;
mod publish;
mod read;
#[cfg(test)]
mod tests;
#[cfg(feature = "testkit")]
pub mod twin;

pub use config::FacebookConfig;
pub use pages::{PageAccount, connect_accounts, connect_pages, page_accounts};

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use url::Url;

use crate::adapters::base::Adapter;
use crate::adapters::graph::api::{Created, parse_time};
use crate::adapters::graph::client::Graph;
use crate::adapters::graph::{self as graph, inbox};
use crate::auth::TokenManager;
use crate::http::{Client, RateLimit};
use crate::model::{
    Channel, ChannelMetrics, Interaction, InteractionKind, InteractionQuery, InteractionRef,
    MediaKind, Metric, Page, Post, PostMetrics, PostRef, Profile, PublishOptions, Published,
    RecentPost,
};
use crate::platform::{Capabilities, MediaLimits, Platform};
use crate::{Registry, Result};
use api::{FeedPost, PageInfo};

/// The platform's name, as errors and [`PostRef`]s carry it.
///
/// ```
/// assert_eq!(socialkit::adapters::facebook::PLATFORM, "facebook");
/// ```
pub const PLATFORM: &str = "facebook";
/// The Graph API host.
///
/// ```
/// assert_eq!(socialkit::adapters::facebook::DEFAULT_HOST, "graph.facebook.com");
/// ```
pub const DEFAULT_HOST: &str = "graph.facebook.com";
/// The Graph API version used unless the config says otherwise.
///
/// ```
/// assert_eq!(socialkit::adapters::facebook::DEFAULT_VERSION, "v23.0");
/// ```
pub const DEFAULT_VERSION: &str = "v23.0";
/// Photos per post (`attached_media`); socialkit's bound, Meta documents none.
///
/// ```
/// assert_eq!(socialkit::adapters::facebook::MAX_PHOTOS, 10);
/// ```
pub const MAX_PHOTOS: usize = 10;

/// Registers the `facebook` scheme (URL and serde forms of [`FacebookConfig`]).
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(Arc::new(Facebook::new(FacebookConfig::from_url(url)?)?) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: FacebookConfig = crate::registry::settings(PLATFORM, value)?;
            Ok(Arc::new(Facebook::new(config)?) as Arc<dyn Platform>)
        }),
    );
}

/// What a Facebook Page can do through the Graph API.
///
/// ```
/// let caps = socialkit::adapters::facebook::default_capabilities();
/// assert_eq!(caps.text.max, 63_206);
/// assert!(caps.link_cards && caps.delete && caps.reply && !caps.threads);
/// assert_eq!(caps.idempotency, socialkit::platform::Idempotency::None);
/// ```
pub fn default_capabilities() -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, crate::text::rules::facebook());
    c.media = MediaLimits {
        max_count: MAX_PHOTOS,
        kinds: vec![MediaKind::Image],
        mime_types: [
            "image/jpeg",
            "image/png",
            "image/bmp",
            "image/tiff",
            "image/webp",
        ]
        .map(String::from)
        .to_vec(),
        // Postiz reports Meta's "photos must be under 4 MB" (subcode 1366046).
        max_image_bytes: Some(4 * 1024 * 1024),
        max_video_bytes: None,
        max_videos: 0,
        alt_text_max: None,
        alt_text_required: false,
    };
    c.link_cards = true;
    c.delete = true;
    c.reply = true;
    c.interactions = vec![InteractionKind::Comment];
    c.metrics = vec![
        Metric::Likes,
        Metric::Replies,
        Metric::Reposts,
        Metric::Reach,
        Metric::Clicks,
    ];
    c.recent_posts = true;
    c
}

/// A Facebook Page, as socialkit talks to it. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::facebook::{Facebook, FacebookConfig};
/// use socialkit::Platform;
/// let page = Facebook::new(FacebookConfig::new("1234", "EAAPAGE").unwrap()).unwrap();
/// assert_eq!(page.name(), "facebook");
/// ```
pub struct Facebook {
    config: FacebookConfig,
    graph: Graph,
    caps: Capabilities,
}

impl fmt::Debug for Facebook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Facebook")
            .field("page_id", &self.config.page_id)
            .field("graph", &self.graph)
            .finish()
    }
}

impl Facebook {
    /// A Page channel with a default HTTP client.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, FacebookConfig};
    /// let page = Facebook::new(FacebookConfig::new("1234", "EAAPAGE").unwrap()).unwrap();
    /// assert!(!format!("{page:?}").contains("EAAPAGE"));
    /// ```
    pub fn new(config: FacebookConfig) -> Result<Self> {
        Self::with_client(config, Client::default())
    }

    /// A Page channel on `http` (its clock, timeouts and retry policy).
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, FacebookConfig};
    /// let page = Facebook::with_client(FacebookConfig::new("1", "t").unwrap(), socialkit::http::Client::default());
    /// assert!(page.is_ok());
    /// ```
    pub fn with_client(config: FacebookConfig, http: Client) -> Result<Self> {
        Self::with_capabilities(config, http, default_capabilities())
    }

    /// A Page channel with other capabilities (fewer, for an app that must not delete).
    ///
    /// ```
    /// use socialkit::adapters::facebook::{default_capabilities, Facebook, FacebookConfig};
    /// let mut caps = default_capabilities();
    /// caps.delete = false;
    /// let page = Facebook::with_capabilities(FacebookConfig::new("1", "t").unwrap(), socialkit::http::Client::default(), caps).unwrap();
    /// # use socialkit::Platform;
    /// assert!(!page.capabilities().delete);
    /// ```
    pub fn with_capabilities(
        config: FacebookConfig,
        http: Client,
        caps: Capabilities,
    ) -> Result<Self> {
        Self::build(config, http, caps, None)
    }

    /// A Page channel whose token comes from `tokens` (to replace the Page token at runtime).
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, FacebookConfig};
    /// use socialkit::auth::{Token, TokenManager};
    /// let tokens = TokenManager::fixed("facebook", Token::new("EAAPAGE"));
    /// let page = Facebook::with_token_manager(FacebookConfig::new("1", "EAAPAGE").unwrap(), socialkit::http::Client::default(), tokens);
    /// assert!(page.is_ok());
    /// ```
    pub fn with_token_manager(
        config: FacebookConfig,
        http: Client,
        tokens: TokenManager,
    ) -> Result<Self> {
        Self::build(config, http, default_capabilities(), Some(tokens))
    }

    fn build(
        config: FacebookConfig,
        http: Client,
        caps: Capabilities,
        tokens: Option<TokenManager>,
    ) -> Result<Self> {
        config.check()?;
        let graph = graph::graph(
            PLATFORM,
            &config.page_id,
            &config.graph,
            http,
            tokens,
            DEFAULT_HOST,
            DEFAULT_VERSION,
        )?;
        Ok(Facebook {
            config,
            graph,
            caps,
        })
    }

    /// The config.
    ///
    /// ```
    /// # use socialkit::adapters::facebook::{Facebook, FacebookConfig};
    /// let page = Facebook::new(FacebookConfig::new("1234", "t").unwrap()).unwrap();
    /// assert_eq!(page.config().page_id, "1234");
    /// ```
    pub fn config(&self) -> &FacebookConfig {
        &self.config
    }

    /// What Meta's usage headers said last (`X-App-Usage`, `X-Business-Use-Case-Usage`):
    /// usage in percent and, when throttled, when access comes back.
    ///
    /// ```
    /// # use socialkit::adapters::facebook::{Facebook, FacebookConfig};
    /// let page = Facebook::new(FacebookConfig::new("1234", "t").unwrap()).unwrap();
    /// assert!(page.rate_limit().is_none()); // nothing sent yet
    /// ```
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.graph.rate_limit()
    }

    fn page_id(&self) -> &str {
        &self.config.page_id
    }

    fn post_ref(&self, id: &str, url: Option<String>) -> PostRef {
        let r = PostRef::new(PLATFORM, id).with_meta("page_id", self.page_id());
        match url {
            Some(u) => r.with_url(u),
            None => r,
        }
    }
}

#[async_trait]
impl Adapter for Facebook {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    async fn channel(&self) -> Result<Channel> {
        let page: PageInfo = self
            .graph
            .get(
                "channel",
                &[self.page_id()],
                &[("fields", api::PAGE_FIELDS)],
            )
            .await?;
        let handle = page.username.clone().unwrap_or_else(|| page.id.clone());
        let mut c = Channel::new(PLATFORM, page.id, handle).with_profile(Profile {
            display_name: page.name,
            bio: page.about,
            avatar: page.picture.and_then(|p| p.data).and_then(|d| d.url),
            website: page.website,
        });
        c.url = page.link;
        c.metrics = ChannelMetrics {
            followers: page.followers_count.or(page.fan_count),
            ..ChannelMetrics::default()
        };
        Ok(c)
    }

    async fn publish(&self, post: &Post, _opts: &PublishOptions) -> Result<Published> {
        let part = post.parts().into_iter().next().unwrap_or_default();
        if let Some(target) = &post.reply_to {
            graph::config::check_id(PLATFORM, "reply target", &target.id)?;
            return self.comment_on(&target.id, &part, "publish").await;
        }
        let message = Self::message(&part);
        match part.media.len() {
            0 => {
                let mut form = vec![("message", message)];
                if let Some(link) = &part.link {
                    form.push(("link", link.clone()));
                }
                form.push(("fields", "id,permalink_url,created_time".into()));
                let created: Created = self
                    .graph
                    .post("publish", &[self.page_id(), "feed"], &form)
                    .await?;
                Ok(self.finish(&created.id, Some(&created)).await)
            }
            1 => {
                let created = self
                    .upload_photo(&part.media[0], Some(&message), true)
                    .await?;
                let id = created.post_id.clone().unwrap_or(created.id);
                Ok(self.finish(&id, None).await)
            }
            _ => {
                let mut form = vec![("message".to_string(), message)];
                for (i, media) in part.media.iter().enumerate() {
                    let photo = self.upload_photo(media, None, false).await?;
                    form.push((
                        format!("attached_media[{i}]"),
                        serde_json::json!({ "media_fbid": photo.id }).to_string(),
                    ));
                }
                form.push(("fields".into(), "id,permalink_url,created_time".into()));
                let created: Created = self
                    .graph
                    .post("publish", &[self.page_id(), "feed"], &form)
                    .await?;
                Ok(self.finish(&created.id, Some(&created)).await)
            }
        }
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        graph::config::check_id(PLATFORM, "post id", &post.id)?;
        self.graph.delete("delete", &[&post.id]).await
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        let start = inbox::start(PLATFORM, query)?;
        if !query.wants(InteractionKind::Comment) {
            return Ok(Page::empty(query.cursor.clone()));
        }
        let scan = self.config.graph.scan_posts.to_string();
        let posts: Vec<FeedPost> = self
            .graph
            .list(
                "interactions",
                &[self.page_id(), "posts"],
                &[("fields", api::POST_FIELDS), ("limit", &scan)],
                self.config.graph.scan_posts,
            )
            .await?;
        let since = start.as_ref().map(|w| w.since());
        // `updated_time` moves when someone comments: older posts have nothing new.
        let touched: Vec<FeedPost> = posts
            .into_iter()
            .filter(|p| {
                let updated = p.updated_time.as_deref().and_then(parse_time);
                !matches!((since, updated), (Some(s), Some(u)) if u < s)
            })
            .collect();
        let reads: Vec<_> = touched.iter().map(|p| self.comments_of(p)).collect();
        let found: Vec<Vec<Interaction>> = graph::buffered(reads).await?;
        inbox::page(PLATFORM, found.into_iter().flatten().collect(), query)
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        _opts: &PublishOptions,
    ) -> Result<Published> {
        let part = post.parts().into_iter().next().unwrap_or_default();
        // Facebook threads comments two levels deep: a reply to a reply joins its thread.
        let target = to
            .meta
            .get("thread")
            .cloned()
            .unwrap_or_else(|| to.id.clone());
        graph::config::check_id(PLATFORM, "comment id", &target)?;
        self.comment_on(&target, &part, "reply").await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let reads: Vec<_> = posts.iter().map(|p| self.metrics_of(p)).collect();
        graph::buffered(reads).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let limit = limit.clamp(1, 1000);
        let page_size = limit.min(100).to_string();
        let posts: Vec<FeedPost> = self
            .graph
            .list(
                "recent_posts",
                &[self.page_id(), "posts"],
                &[("fields", api::POST_FIELDS), ("limit", &page_size)],
                limit,
            )
            .await?;
        let mut out: Vec<RecentPost> = posts
            .into_iter()
            .filter_map(|p| {
                Some(RecentPost {
                    created_at: p.created_time.as_deref().and_then(parse_time)?,
                    text: p.message.unwrap_or_default(),
                    post: self.post_ref(&p.id, p.permalink_url),
                    idempotency_key: None,
                    in_reply_to: None,
                })
            })
            .collect();
        out.sort_by_key(|b| std::cmp::Reverse(b.created_at));
        Ok(out)
    }
}
