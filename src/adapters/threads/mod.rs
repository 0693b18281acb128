//! Threads through the Threads API (feature `threads`).
//!
//! - **Publish** with media containers: `POST /{user-id}/threads` with `media_type`
//!   `TEXT|IMAGE|VIDEO|CAROUSEL`, `text`, public `image_url`/`video_url` (bytes and files are
//!   refused before sending: Threads fetches media itself), `link_attachment` (a link card on a
//!   text post), `reply_to_id`; poll `GET /{container}?fields=status,error_message` with a
//!   bounded wait on the HTTP client's clock; `POST /{user-id}/threads_publish?creation_id=`.
//!   Two to twenty media make a carousel. A thread of several parts is a reply chain (each part
//!   replies to the one before); a post with `reply_to` replies to that post.
//! - **Checked before sending**: 500 characters and at most 5 links per part (the distinct
//!   links of the text plus a different link attachment; Threads' own
//!   `THREADS_API__LINK_LIMIT_EXCEEDED` is mapped too), media count, kinds and URLs, and the
//!   publishing quota (`GET /{user-id}/threads_publishing_limit`: 250 posts and 1,000 replies
//!   per rolling 24 hours) — a thread needs one post and a reply per further part; when the
//!   quota cannot take it, nothing is published and the error is
//!   [`RateLimited`](crate::ErrorKind::RateLimited).
//! - **No double publish**: with [`PublishOptions::idempotency_key`], every part's container
//!   and media are remembered (in this process) under `<key>#<part>`: a retried publish
//!   resumes a thread where it stopped and never posts a part twice.
//! - **Interactions**: replies (at any depth) to the profile's recent posts from `GET
//!   /{media-id}/conversation?reverse=false`, read forward from a cursor; the profile's own
//!   replies are left out. **Reply** publishes a reply (`reply_to_id`) to the interaction.
//! - **Metrics** from `GET /{media-id}/insights?metric=views,likes,replies,reposts,quotes`
//!   (views are reported as impressions); followers from `threads_insights`
//!   (`followers_count`, a user metric of the Threads Insights API, needs
//!   `threads_manage_insights`: <https://developers.facebook.com/docs/threads/insights>), `None`
//!   when the token may not read insights.
//! - **Search** with `GET /keyword_search` (`search_type=RECENT`, newest first): a query of
//!   one `#hashtag` and nothing else is a topic-tag search (`search_mode=TAG`), anything else a
//!   keyword search; `since`/`until` go to Threads, pages continue with the `after` cursor (up
//!   to 100 a page). Needs `threads_keyword_search` (without App Review approval Threads only
//!   searches the user's own posts); 2,200 queries per user per rolling 24 hours, a query with
//!   no results does not count. Found posts reply like any other (`reply_to_id`).
//! - **Delete** with `DELETE /{media-id}`: needs `threads_delete`, 100 deletes per account per
//!   day, answers `{"success": true, "deleted_id": …}` (Meta, "Delete Posts",
//!   <https://developers.facebook.com/docs/threads/posts/delete-posts>).
//! - **Tokens**: the long-lived token is refreshed with `th_refresh_token` a week before
//!   `token_expires_at`, or once when Threads rejects it; use [`Threads::with_token_manager`]
//!   to persist refreshed tokens.
//!
//! ```no_run
//! use socialkit::adapters::threads::{Threads, ThreadsConfig};
//! use socialkit::PlatformExt;
//! # async fn demo() -> socialkit::Result<()> {
//! let threads = Threads::new(ThreadsConfig::from_url_str(
//!     "threads://TOKEN@graph.threads.net?user_id=1234567890&expires_at=2026-05-01T00:00:00Z",
//! )?)?;
//! let published = threads.publish_thread(&["Our anvil is here.", "It weighs 50 kg."]).await?;
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

pub use config::ThreadsConfig;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::OnceCell;
use url::Url;

use crate::adapters::base::Adapter;
use crate::adapters::graph::api::Insights;
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
use crate::{ErrorKind, Registry, Result};
use api::User;

/// The platform's name, as errors and [`PostRef`]s carry it.
///
/// ```
/// assert_eq!(socialkit::adapters::threads::PLATFORM, "threads");
/// ```
pub const PLATFORM: &str = "threads";
/// The Threads API host (`graph.threads.com` is the same service).
///
/// ```
/// assert_eq!(socialkit::adapters::threads::DEFAULT_HOST, "graph.threads.net");
/// ```
pub const DEFAULT_HOST: &str = "graph.threads.net";
/// The API version used unless the config says otherwise.
///
/// ```
/// assert_eq!(socialkit::adapters::threads::DEFAULT_VERSION, "v1.0");
/// ```
pub const DEFAULT_VERSION: &str = "v1.0";
/// Items of a carousel (2 to 20).
///
/// ```
/// assert_eq!(socialkit::adapters::threads::MAX_CAROUSEL, 20);
/// ```
pub const MAX_CAROUSEL: usize = 20;
/// Links per post.
///
/// ```
/// assert_eq!(socialkit::adapters::threads::MAX_LINKS, 5);
/// ```
pub const MAX_LINKS: usize = 5;

/// Registers the `threads` scheme (URL and serde forms of [`ThreadsConfig`]).
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(Arc::new(Threads::new(ThreadsConfig::from_url(url)?)?) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: ThreadsConfig = crate::registry::settings(PLATFORM, value)?;
            Ok(Arc::new(Threads::new(config)?) as Arc<dyn Platform>)
        }),
    );
}

/// What a Threads profile can do through the Threads API.
///
/// ```
/// let caps = socialkit::adapters::threads::default_capabilities();
/// assert_eq!(caps.text.max, 500);
/// assert_eq!(caps.text.max_links, Some(5));
/// assert!(caps.threads && caps.delete && caps.reply && caps.link_cards);
/// assert_eq!(caps.search.unwrap().max_page, 100);
/// ```
pub fn default_capabilities() -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, crate::text::rules::threads());
    c.media = MediaLimits {
        max_count: MAX_CAROUSEL,
        kinds: vec![MediaKind::Image, MediaKind::Video],
        mime_types: ["image/jpeg", "image/png", "video/mp4", "video/quicktime"]
            .map(String::from)
            .to_vec(),
        max_image_bytes: Some(8 * 1024 * 1024),
        max_video_bytes: Some(1024 * 1024 * 1024),
        max_videos: MAX_CAROUSEL,
        alt_text_max: None,
        alt_text_required: false,
    };
    c.threads = true;
    c.link_cards = true;
    c.delete = true;
    c.reply = true;
    c.interactions = vec![InteractionKind::Reply];
    c.metrics = vec![
        Metric::Impressions,
        Metric::Likes,
        Metric::Replies,
        Metric::Reposts,
        Metric::Quotes,
    ];
    c.recent_posts = true;
    c.search = Some(SearchLimits {
        max_age_days: None,
        max_page: 100,
        words: true,
        time_range: true,
        language: false,
        authors: true,
    });
    c
}

/// A Threads profile, as socialkit talks to it. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::threads::{Threads, ThreadsConfig};
/// use socialkit::Platform;
/// let t = Threads::new(ThreadsConfig::new("1234", "THTOKEN").unwrap()).unwrap();
/// assert!(t.capabilities().threads);
/// ```
pub struct Threads {
    config: ThreadsConfig,
    graph: Graph,
    containers: Containers,
    ledger: Ledger,
    caps: Capabilities,
    username: OnceCell<String>,
}

impl fmt::Debug for Threads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Threads")
            .field("user_id", &self.config.user_id)
            .field("graph", &self.graph)
            .finish()
    }
}

impl Threads {
    /// A profile with a default HTTP client; the token refreshes itself.
    ///
    /// ```
    /// use socialkit::adapters::threads::{Threads, ThreadsConfig};
    /// let t = Threads::new(ThreadsConfig::new("1234", "THTOKEN").unwrap()).unwrap();
    /// assert!(!format!("{t:?}").contains("THTOKEN"));
    /// ```
    pub fn new(config: ThreadsConfig) -> Result<Self> {
        Self::with_client(config, Client::default())
    }

    /// A profile on `http` (its clock, timeouts and retry policy).
    ///
    /// ```
    /// use socialkit::adapters::threads::{Threads, ThreadsConfig};
    /// assert!(Threads::with_client(ThreadsConfig::new("1", "t").unwrap(), socialkit::http::Client::default()).is_ok());
    /// ```
    pub fn with_client(config: ThreadsConfig, http: Client) -> Result<Self> {
        Self::with_capabilities(config, http, default_capabilities())
    }

    /// A profile with other capabilities (fewer, for an app that must not delete).
    ///
    /// ```
    /// use socialkit::adapters::threads::{default_capabilities, Threads, ThreadsConfig};
    /// let mut caps = default_capabilities();
    /// caps.delete = false;
    /// let t = Threads::with_capabilities(ThreadsConfig::new("1", "t").unwrap(), socialkit::http::Client::default(), caps).unwrap();
    /// # use socialkit::Platform;
    /// assert!(!t.capabilities().delete);
    /// ```
    pub fn with_capabilities(
        config: ThreadsConfig,
        http: Client,
        caps: Capabilities,
    ) -> Result<Self> {
        let origin = config
            .graph
            .origin(DEFAULT_HOST)
            .map_err(|e| e.with_platform(PLATFORM))?;
        let tokens = graph::refreshing_tokens(
            PLATFORM,
            &config.graph,
            &http,
            origin,
            RefreshGrant::Threads,
        );
        Self::build(config, http, caps, Some(tokens))
    }

    /// A profile whose token comes from `tokens`, to persist every refreshed token:
    ///
    /// ```
    /// use socialkit::adapters::threads::{Threads, ThreadsConfig};
    /// use socialkit::auth::{Token, TokenManager, meta, refresh_fn};
    /// let http = socialkit::http::Client::default();
    /// let origin = url::Url::parse(meta::THREADS_GRAPH).unwrap();
    /// let client = http.clone();
    /// let tokens = TokenManager::builder("threads", Token::new("THTOKEN"))
    ///     .refresher(refresh_fn(move |current: Token| {
    ///         let (http, origin) = (client.clone(), origin.clone());
    ///         async move { meta::th_refresh_token(&http, &origin, &current.access_token).await }
    ///     }))
    ///     .on_refresh(|token| async move { /* store token */ let _ = token; })
    ///     .build();
    /// assert!(Threads::with_token_manager(ThreadsConfig::new("1", "THTOKEN").unwrap(), http, tokens).is_ok());
    /// ```
    pub fn with_token_manager(
        config: ThreadsConfig,
        http: Client,
        tokens: TokenManager,
    ) -> Result<Self> {
        Self::build(config, http, default_capabilities(), Some(tokens))
    }

    fn build(
        config: ThreadsConfig,
        http: Client,
        caps: Capabilities,
        tokens: Option<TokenManager>,
    ) -> Result<Self> {
        config.check()?;
        let spec = graph::AccountSpec {
            platform: PLATFORM,
            owner: &config.user_id,
            settings: &config.graph,
            default_host: DEFAULT_HOST,
            default_version: DEFAULT_VERSION,
            dialect: container::THREADS,
        };
        let (graph, containers) = graph::container_account(spec, http, tokens)?;
        Ok(Threads {
            config,
            graph,
            containers,
            ledger: Ledger::default(),
            caps,
            username: OnceCell::new(),
        })
    }

    /// The config.
    ///
    /// ```
    /// # use socialkit::adapters::threads::{Threads, ThreadsConfig};
    /// let t = Threads::new(ThreadsConfig::new("1234", "t").unwrap()).unwrap();
    /// assert_eq!(t.config().user_id, "1234");
    /// ```
    pub fn config(&self) -> &ThreadsConfig {
        &self.config
    }

    /// What Meta's usage headers said last.
    ///
    /// ```
    /// # use socialkit::adapters::threads::{Threads, ThreadsConfig};
    /// let t = Threads::new(ThreadsConfig::new("1234", "t").unwrap()).unwrap();
    /// assert!(t.rate_limit().is_none());
    /// ```
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.graph.rate_limit()
    }

    /// The current token (after refreshes), to store it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use socialkit::adapters::threads::{Threads, ThreadsConfig};
    /// let t = Threads::new(ThreadsConfig::new("1234", "THTOKEN").unwrap()).unwrap();
    /// assert_eq!(t.token().await.access_token.expose(), "THTOKEN");
    /// # }
    /// ```
    pub async fn token(&self) -> crate::auth::Token {
        self.graph.tokens().token().await
    }

    /// The publishing quota: posts and replies used and allowed in the rolling 24 hours.
    ///
    /// ```no_run
    /// # async fn demo(t: socialkit::adapters::threads::Threads) -> socialkit::Result<()> {
    /// let limit = t.publishing_limit().await?;
    /// println!("{:?} posts left, {:?} replies left", limit.posts_left(), limit.replies_left());
    /// # Ok(()) }
    /// ```
    pub async fn publishing_limit(&self) -> Result<crate::adapters::graph::api::PublishingLimit> {
        self.containers
            .publishing_limit("threads_publishing_limit", api::LIMIT_FIELDS)
            .await
    }

    fn user_id(&self) -> &str {
        &self.config.user_id
    }

    fn post_ref(&self, id: &str, url: Option<String>) -> PostRef {
        graph::post_ref(PLATFORM, id, url)
    }
}

/// A link as Threads compares them: without scheme, `www.` and trailing slash, lowercase.
fn same_link(link: &str) -> String {
    let l = link.trim().to_ascii_lowercase();
    let l = l
        .strip_prefix("https://")
        .or_else(|| l.strip_prefix("http://"))
        .unwrap_or(&l);
    l.strip_prefix("www.")
        .unwrap_or(l)
        .trim_end_matches('/')
        .to_string()
}

#[async_trait]
impl Adapter for Threads {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// The generic checks, then every part as Threads counts it (text sent, links).
    fn fit(&self, post: Post, opts: &PublishOptions, _op: Operation) -> Result<Post> {
        self.fit_parts(post, opts)
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
        let followers = self
            .graph
            .get_unknown_as_none::<Insights>(
                "channel",
                &[self.user_id(), "threads_insights"],
                &[("metric", "followers_count")],
                &[ErrorKind::PermissionDenied, ErrorKind::Validation],
            )
            .await?
            .and_then(|i| i.value("followers_count"));
        let mut c = Channel::new(PLATFORM, u.id, handle.clone()).with_profile(Profile {
            display_name: u.name,
            bio: u.threads_biography,
            avatar: u.threads_profile_picture_url,
            website: None,
        });
        c.url = Some(format!("https://www.threads.net/@{handle}"));
        c.metrics = ChannelMetrics {
            followers,
            ..ChannelMetrics::default()
        };
        Ok(c)
    }

    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published> {
        let reply_to = post.reply_to.as_ref().map(|r| r.id.clone());
        self.publish_chain(post, reply_to, opts).await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        graph::config::check_id(PLATFORM, "media id", &post.id)?;
        self.graph.delete("delete", &[&post.id]).await
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        inbox::start(PLATFORM, query)?;
        if !query.wants(InteractionKind::Reply) {
            return Ok(Page::empty(query.cursor.clone()));
        }
        let own = self.own_username().await?.to_string();
        let roots = self.listed("threads", self.config.graph.scan_posts).await?;
        let reads: Vec<_> = roots.iter().map(|r| self.replies_to(r, &own)).collect();
        let found: Vec<Vec<Interaction>> = graph::buffered(reads).await?;
        inbox::page(PLATFORM, found.into_iter().flatten().collect(), query)
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let target = to.post.as_ref().map_or(to.id.as_str(), |p| p.id.as_str());
        self.publish_chain(post, Some(target.to_string()), opts)
            .await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let reads: Vec<_> = posts.iter().map(|p| self.metrics_of(p)).collect();
        graph::buffered(reads).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.recent(limit).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        self.keyword_search(query).await
    }
}
