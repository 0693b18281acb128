//! Instagram professional accounts through the Graph API content publishing flow (feature
//! `instagram`).
//!
//! - **Publish** with media containers: `POST /{ig-user-id}/media` (`image_url`, or
//!   `video_url` with `media_type=REELS`; every single video is a Reel since 2023), poll
//!   `GET /{container}?fields=status_code,status` (`IN_PROGRESS` → `FINISHED`; `ERROR`,
//!   `EXPIRED`) with a bounded wait on the HTTP client's clock, then `POST
//!   /{ig-user-id}/media_publish?creation_id=`. Two to ten media make a carousel (children with
//!   `is_carousel_item=true`, then `media_type=CAROUSEL&children=`). Instagram fetches media
//!   itself, so every media must be a public URL ([`Media::from_url`](crate::model::Media::from_url));
//!   bytes and files are refused with a [`Validation`](crate::ErrorKind::Validation) error
//!   before anything is sent. There are **no text-only posts** (`media_required`).
//! - **Checked before sending**: the caption (2,200 characters, 5 hashtags (Instagram's limit since December 2025), 20 mentions, via
//!   [`rules::instagram`](crate::text::rules::instagram)), media count, kinds and URLs, and the
//!   publishing quota from `GET /{ig-user-id}/content_publishing_limit` — when it is used up,
//!   the publish is refused with [`RateLimited`](crate::ErrorKind::RateLimited) before a
//!   container is made.
//! - **No double publish**: Instagram has no idempotency key. With
//!   [`PublishOptions::idempotency_key`], the container made for the key is remembered (in this
//!   process): a retry continues with that container, or returns the media it became, instead
//!   of posting again; after a restart the engine reconciles with [`Platform::recent_posts`].
//! - **Interactions**: comments (and their replies) on the account's recent media
//!   (`GET /{media-id}/comments`), read forward from a cursor; **reply** with
//!   `POST /{comment-id}/replies` (Instagram nests one level: a reply to a reply joins its
//!   comment). A post with `reply_to` becomes a comment on that media.
//! - **Metrics** from `GET /{media-id}/insights?metric=views,reach,saved,likes,comments,shares`
//!   (views are reported as impressions); likes and comments fall back to the media's
//!   `like_count` and `comments_count` when insights cannot be read. Account followers,
//!   follows and media count in [`Platform::channel`].
//! - **Search** by one hashtag ([`Capabilities::search`] says `words: false`): `GET
//!   /ig_hashtag_search?user_id=&q=` for the hashtag's id, then `GET
//!   /{hashtag-id}/recent_media` — public media of the last 24 hours, newest first, at most 50
//!   a page, with captions but without the author's username (Instagram never returns it
//!   there). Plain words, handles or several hashtags are refused before sending. An account
//!   may query 30 unique hashtags in a rolling 7 days: the hashtags searched are remembered
//!   (ids are global, a repeat in the window is free), the week's count is read once from
//!   `GET /{ig-user-id}/recently_searched_hashtags` (so it survives a restart), and the 31st is
//!   refused with
//!   [`RateLimited`](crate::ErrorKind::RateLimited) and the instant a place frees up, before
//!   anything is sent; Instagram's own refusal is mapped the same way. Media found this way
//!   cannot be commented on through the API, so `reply` to them answers `Unsupported`. Needs
//!   the Instagram API with Facebook Login and the Instagram Public Content Access feature.
//! - **Delete** is not declared and answers [`Unsupported`](crate::ErrorKind::Unsupported).
//!   Meta's IG Media reference in the stored copies offers no delete; two third-party clients
//!   (2026) report `DELETE /{ig-media-id}` for Facebook Login tokens with
//!   `instagram_manage_contents` (whole posts, not carousel items). Until Meta's reference
//!   confirms it, it is not used.
//! - **Tokens**: with Instagram Login (`graph.instagram.com`) and a known
//!   `token_expires_at`, the long-lived token is refreshed with `ig_refresh_token` a week before
//!   it expires; use [`Instagram::with_token_manager`] to persist refreshed tokens.
//!
//! ```no_run
//! use socialkit::adapters::instagram::{Instagram, InstagramConfig};
//! use socialkit::model::{Media, Post, PublishOptions};
//! use socialkit::Platform;
//! # async fn demo() -> socialkit::Result<()> {
//! let ig = Instagram::new(InstagramConfig::from_url_str(
//!     "instagram://TOKEN@graph.facebook.com?ig_user_id=17841400000000000",
//! )?)?;
//! let post = Post::text("Our anvil, in the wild #anvil")
//!     .with_media(Media::from_url("image/jpeg", "https://cdn.example.com/anvil.jpg"));
//! let published = ig.publish(&post, &PublishOptions::with_key("launch-1")).await?;
//! println!("{}", published.url().unwrap_or_default());
//! # Ok(()) }
//! ```

mod api;
pub mod config;
mod publish;
mod read;
mod search;
#[cfg(feature = "testkit")]
pub mod twin;

pub use config::InstagramConfig;
pub use search::{HASHTAG_WINDOW_DAYS, HASHTAGS_PER_WINDOW};

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures::FutureExt as _;
use tokio::sync::OnceCell;
use url::Url;

use crate::adapters::base::Adapter;
use crate::adapters::graph::client::Graph;
use crate::adapters::graph::container::{self, Containers, Ledger};
use crate::adapters::graph::{self as graph, RefreshGrant, inbox};
use crate::auth::TokenManager;
use crate::http::{Client, RateLimit};
use crate::model::{
    Channel, ChannelMetrics, Interaction, InteractionKind, InteractionQuery, InteractionRef,
    MediaKind, Metric, Page, Post, PostMetrics, PostRef, Profile, PublishOptions, Published,
    RecentPost, SearchLimits, SearchQuery,
};
use crate::platform::{Capabilities, MediaLimits, Operation, Platform};
use crate::{Error, Registry, Result};
use api::{MediaItem, User};

/// The platform's name, as errors and [`PostRef`]s carry it.
///
/// ```
/// assert_eq!(socialkit::adapters::instagram::PLATFORM, "instagram");
/// ```
pub const PLATFORM: &str = "instagram";
/// The Graph API host of the Instagram API with Facebook Login (the default).
///
/// ```
/// assert_eq!(socialkit::adapters::instagram::DEFAULT_HOST, "graph.facebook.com");
/// ```
pub const DEFAULT_HOST: &str = "graph.facebook.com";
/// The host of the Instagram API with Instagram Login.
///
/// ```
/// assert_eq!(socialkit::adapters::instagram::INSTAGRAM_LOGIN_HOST, "graph.instagram.com");
/// ```
pub const INSTAGRAM_LOGIN_HOST: &str = "graph.instagram.com";
/// The Graph API version used unless the config says otherwise.
///
/// ```
/// assert_eq!(socialkit::adapters::instagram::DEFAULT_VERSION, "v23.0");
/// ```
pub const DEFAULT_VERSION: &str = "v23.0";
/// Items of a carousel (2 to 10). Meta's content-publishing guide in the stored copies does
/// not state the number; current clients (2026) still take 2 to 10, and no source for 20 was
/// found, so 10 stays.
///
/// ```
/// assert_eq!(socialkit::adapters::instagram::MAX_CAROUSEL, 10);
/// ```
pub const MAX_CAROUSEL: usize = 10;

/// Registers the `instagram` scheme (URL and serde forms of [`InstagramConfig`]).
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(Arc::new(Instagram::new(InstagramConfig::from_url(url)?)?) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: InstagramConfig = crate::registry::settings(PLATFORM, value)?;
            Ok(Arc::new(Instagram::new(config)?) as Arc<dyn Platform>)
        }),
    );
}

/// What an Instagram professional account can do through the Graph API.
///
/// ```
/// let caps = socialkit::adapters::instagram::default_capabilities();
/// assert!(caps.media_required && !caps.delete && !caps.threads);
/// assert_eq!(caps.text.max_hashtags, Some(5));
/// assert_eq!(caps.media.max_count, 10);
/// let search = caps.search.unwrap();
/// assert!(!search.words && search.max_age_days == Some(1) && search.max_page == 50);
/// ```
pub fn default_capabilities() -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, crate::text::rules::instagram());
    c.text_required = false;
    c.media_required = true;
    c.media = MediaLimits {
        max_count: MAX_CAROUSEL,
        kinds: vec![MediaKind::Image, MediaKind::Video],
        mime_types: ["image/jpeg", "video/mp4", "video/quicktime"]
            .map(String::from)
            .to_vec(),
        max_image_bytes: Some(8 * 1024 * 1024),
        max_video_bytes: Some(1024 * 1024 * 1024),
        max_videos: MAX_CAROUSEL,
        alt_text_max: None,
        alt_text_required: false,
    };
    c.reply = true;
    c.interactions = vec![InteractionKind::Comment];
    c.metrics = vec![
        Metric::Impressions,
        Metric::Reach,
        Metric::Likes,
        Metric::Replies,
        Metric::Reposts,
        Metric::Saves,
    ];
    c.recent_posts = true;
    c.search = Some(SearchLimits {
        max_age_days: Some(1),
        max_page: 50,
        words: false,
        time_range: false,
        language: false,
        // `recent_media` has no `username` or owner field.
        authors: false,
    });
    c
}

/// An Instagram professional account, as socialkit talks to it. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::instagram::{Instagram, InstagramConfig};
/// use socialkit::Platform;
/// let ig = Instagram::new(InstagramConfig::new("1784", "IGTOKEN").unwrap()).unwrap();
/// assert!(ig.capabilities().media_required);
/// ```
pub struct Instagram {
    config: InstagramConfig,
    graph: Graph,
    containers: Containers,
    ledger: Ledger,
    hashtags: search::Hashtags,
    caps: Capabilities,
    username: OnceCell<String>,
}

impl fmt::Debug for Instagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instagram")
            .field("ig_user_id", &self.config.ig_user_id)
            .field("graph", &self.graph)
            .finish()
    }
}

impl Instagram {
    /// An account with a default HTTP client.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, InstagramConfig};
    /// let ig = Instagram::new(InstagramConfig::new("1784", "IGTOKEN").unwrap()).unwrap();
    /// assert!(!format!("{ig:?}").contains("IGTOKEN"));
    /// ```
    pub fn new(config: InstagramConfig) -> Result<Self> {
        Self::with_client(config, Client::default())
    }

    /// An account on `http` (its clock, timeouts and retry policy).
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, InstagramConfig};
    /// assert!(Instagram::with_client(InstagramConfig::new("1", "t").unwrap(), socialkit::http::Client::default()).is_ok());
    /// ```
    pub fn with_client(config: InstagramConfig, http: Client) -> Result<Self> {
        Self::with_capabilities(config, http, default_capabilities())
    }

    /// An account with other capabilities (fewer, for an app that must not reply).
    ///
    /// ```
    /// use socialkit::adapters::instagram::{default_capabilities, Instagram, InstagramConfig};
    /// let mut caps = default_capabilities();
    /// caps.reply = false;
    /// let ig = Instagram::with_capabilities(InstagramConfig::new("1", "t").unwrap(), socialkit::http::Client::default(), caps).unwrap();
    /// # use socialkit::Platform;
    /// assert!(!ig.capabilities().reply);
    /// ```
    pub fn with_capabilities(
        config: InstagramConfig,
        http: Client,
        caps: Capabilities,
    ) -> Result<Self> {
        let tokens = if config.instagram_login() {
            let origin = config
                .graph
                .origin(INSTAGRAM_LOGIN_HOST)
                .map_err(|e| e.with_platform(PLATFORM))?;
            Some(graph::refreshing_tokens(
                PLATFORM,
                &config.graph,
                &http,
                origin,
                RefreshGrant::Instagram,
            ))
        } else {
            None
        };
        Self::build(config, http, caps, tokens)
    }

    /// An account whose token comes from `tokens` (to persist refreshed tokens with
    /// [`on_refresh`](crate::auth::TokenManagerBuilder::on_refresh)).
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, InstagramConfig};
    /// use socialkit::auth::{Token, TokenManager};
    /// let tokens = TokenManager::fixed("instagram", Token::new("IGTOKEN"));
    /// assert!(Instagram::with_token_manager(InstagramConfig::new("1", "IGTOKEN").unwrap(), socialkit::http::Client::default(), tokens).is_ok());
    /// ```
    pub fn with_token_manager(
        config: InstagramConfig,
        http: Client,
        tokens: TokenManager,
    ) -> Result<Self> {
        Self::build(config, http, default_capabilities(), Some(tokens))
    }

    fn build(
        config: InstagramConfig,
        http: Client,
        caps: Capabilities,
        tokens: Option<TokenManager>,
    ) -> Result<Self> {
        config.check()?;
        let spec = graph::AccountSpec {
            platform: PLATFORM,
            owner: &config.ig_user_id,
            settings: &config.graph,
            default_host: DEFAULT_HOST,
            default_version: DEFAULT_VERSION,
            dialect: container::INSTAGRAM,
        };
        let (graph, containers) = graph::container_account(spec, http, tokens)?;
        Ok(Instagram {
            config,
            graph,
            containers,
            ledger: Ledger::default(),
            hashtags: search::Hashtags::default(),
            caps,
            username: OnceCell::new(),
        })
    }

    /// The config.
    ///
    /// ```
    /// # use socialkit::adapters::instagram::{Instagram, InstagramConfig};
    /// let ig = Instagram::new(InstagramConfig::new("1784", "t").unwrap()).unwrap();
    /// assert_eq!(ig.config().ig_user_id, "1784");
    /// ```
    pub fn config(&self) -> &InstagramConfig {
        &self.config
    }

    /// What Meta's usage headers said last (`X-Business-Use-Case-Usage`, `X-App-Usage`).
    ///
    /// ```
    /// # use socialkit::adapters::instagram::{Instagram, InstagramConfig};
    /// let ig = Instagram::new(InstagramConfig::new("1784", "t").unwrap()).unwrap();
    /// assert!(ig.rate_limit().is_none());
    /// ```
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.graph.rate_limit()
    }

    /// Unique hashtags this account may still search in the rolling 7 days: the hashtags this
    /// process searched plus those Instagram lists as searched this week
    /// (`recently_searched_hashtags`, read once per process).
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// assert_eq!(ig.hashtags_left().await, socialkit::adapters::instagram::HASHTAGS_PER_WINDOW);
    /// # });
    /// ```
    pub async fn hashtags_left(&self) -> usize {
        self.seed_hashtags().await;
        self.hashtags.left(self.graph.now())
    }

    /// The publishing quota: posts used and allowed in the rolling 24 hours
    /// (`GET /{ig-user-id}/content_publishing_limit`).
    ///
    /// ```no_run
    /// # async fn demo(ig: socialkit::adapters::instagram::Instagram) -> socialkit::Result<()> {
    /// let limit = ig.publishing_limit().await?;
    /// println!("{:?} of {:?} posts used", limit.quota_usage, limit.quota_total);
    /// # Ok(()) }
    /// ```
    pub async fn publishing_limit(&self) -> Result<crate::adapters::graph::api::PublishingLimit> {
        self.containers
            .publishing_limit("content_publishing_limit", api::LIMIT_FIELDS)
            .await
    }

    fn user_id(&self) -> &str {
        &self.config.ig_user_id
    }

    fn media_ref(&self, id: &str, url: Option<String>) -> PostRef {
        graph::post_ref(PLATFORM, id, url)
    }
}

#[async_trait]
impl Adapter for Instagram {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// A comment (a reply, or a post with a reply target) is one part of text within the
    /// caption rule; a post is checked caption first, then against the capabilities.
    fn fit(&self, post: Post, opts: &PublishOptions, op: Operation) -> Result<Post> {
        if op == Operation::Reply || post.reply_to.is_some() {
            self.check_comment(&post)?;
            Ok(post)
        } else {
            self.fit_post(post, opts)
        }
    }

    async fn channel(&self) -> Result<Channel> {
        let u: User = self
            .graph
            .get(
                "channel",
                &[self.user_id()],
                &[("fields", api::USER_FIELDS)],
            )
            .await?;
        let handle = u.username.clone().unwrap_or_else(|| u.id.clone());
        if let Some(name) = &u.username {
            let _ = self.username.set(name.clone());
        }
        let mut c = Channel::new(PLATFORM, u.id, handle.clone()).with_profile(Profile {
            display_name: u.name,
            bio: u.biography,
            avatar: u.profile_picture_url,
            website: u.website,
        });
        c.url = Some(format!("https://www.instagram.com/{handle}/"));
        c.metrics = ChannelMetrics {
            followers: u.followers_count,
            following: u.follows_count,
            posts: u.media_count,
            ..ChannelMetrics::default()
        };
        Ok(c)
    }

    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published> {
        if let Some(target) = &post.reply_to {
            let part = self.check_comment(post)?;
            graph::config::check_id(PLATFORM, "reply target", &target.id)?;
            return self
                .comment_on(&target.id, "comments", &part, "publish")
                .await;
        }
        let part = post.parts().into_iter().next().unwrap_or_default();
        let caption = Self::caption(&part);
        // The quota is checked only when a new container is needed: a retry that finds its
        // media published must not be refused for the quota that media used.
        let create = async {
            self.containers
                .check_quota("content_publishing_limit", api::LIMIT_FIELDS, 1, 0)
                .await?;
            self.make_container(&part, &caption).await
        };
        let find = || {
            let caption = caption.clone();
            async move { Ok(graph::find_by_text(&self.recent(10).await?, &caption)) }.boxed()
        };
        let media = self
            .containers
            .publish_once(
                &self.ledger,
                opts.idempotency_key.as_deref(),
                create.boxed(),
                &find,
            )
            .await?;
        let (url, at) = self.containers.link(&media).await;
        Ok(Published::single(
            self.media_ref(&media, url),
            at.unwrap_or_else(|| self.graph.now()),
        ))
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        inbox::start(PLATFORM, query)?;
        if !query.wants(InteractionKind::Comment) {
            return Ok(Page::empty(query.cursor.clone()));
        }
        let own = self.own_username().await?.to_string();
        let scan = self.config.graph.scan_posts.to_string();
        let media: Vec<MediaItem> = self
            .graph
            .list(
                "interactions",
                &[self.user_id(), "media"],
                &[("fields", api::MEDIA_FIELDS), ("limit", &scan)],
                self.config.graph.scan_posts,
            )
            .await?;
        let with_comments: Vec<&MediaItem> = media
            .iter()
            .filter(|m| m.comments_count != Some(0))
            .collect();
        let reads: Vec<_> = with_comments
            .iter()
            .map(|m| self.comments_of(m, &own))
            .collect();
        let found: Vec<Vec<Interaction>> = graph::buffered(reads).await?;
        inbox::page(PLATFORM, found.into_iter().flatten().collect(), query)
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let _ = opts;
        if to.meta.contains_key(search::FOUND_BY) {
            return Err(Error::new(
                crate::ErrorKind::Unsupported,
                "instagram does not let the API comment on media found by hashtag search",
            )
            .with_platform(PLATFORM)
            .with_operation("reply"));
        }
        let part = self.check_comment(post)?;
        // Instagram nests replies one level: a reply to a reply goes to its comment.
        let target = to
            .meta
            .get("thread")
            .cloned()
            .unwrap_or_else(|| to.id.clone());
        graph::config::check_id(PLATFORM, "comment id", &target)?;
        self.comment_on(&target, "replies", &part, "reply").await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let reads: Vec<_> = posts.iter().map(|p| self.metrics_of(p)).collect();
        graph::buffered(reads).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.recent(limit).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        self.hashtag_search(query).await
    }
}
