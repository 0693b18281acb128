//! Reddit, behind the cargo feature `reddit`: an account posting to a subreddit or to its
//! own profile through the OAuth API at `https://oauth.reddit.com`. Sources: the API
//! reference <https://www.reddit.com/dev/api>, the OAuth2 and API wikis
//! <https://github.com/reddit-archive/reddit/wiki/OAuth2> and
//! <https://github.com/reddit-archive/reddit/wiki/API>, reddit's own error list
//! (`r2/r2/lib/errors.py`) and, for behaviour the reference leaves out, PRAW
//! (praw-dev/praw 7b69758); each module names what it took from where.
//!
//! - **Auth** ([`config`], [`oauth`]): script apps with the password grant, web and installed
//!   apps with the authorization-code flow (`duration=permanent` for a refresh token); tokens
//!   live an hour and are renewed before expiry and after a 401, through the channel's
//!   [`TokenManager`] (so the engine's vault stores renewals). The
//!   descriptive User-Agent reddit requires is part of the config and sent on every request,
//!   token requests included; a config without one is refused.
//! - **Publish** `POST /api/submit` with `api_type=json`: the **first line of the text is the
//!   title** (at most 300 characters), the rest the self post's Markdown body (`kind=self`);
//!   a post with a link is a link post (`kind=link`, the text a title only — a longer text
//!   makes a self post that ends with the link); an image is uploaded through the media
//!   lease (`POST /api/media/asset.json`, then the S3 form it describes) and posted as
//!   `kind=image` (see [`publish`](self) notes below). The whole text counts at most 40,000
//!   characters (the self-text limit; Unicode scalar values as reddit's Python counts them —
//!   slightly stricter than title + body). `flair_id`/`flair_text` come from the config.
//! - **Threads' nearest equivalent**: the first part is the post, every further part a
//!   comment answering the one before (`POST /api/comment` with `thing_id`), each at most
//!   10,000 characters.
//! - **Edit** `POST /api/editusertext` (a self post's body — reddit never changes a title —
//!   or a comment); **delete** `POST /api/del`, after `GET /api/info` shows the thing is still
//!   there (reddit answers a repeated delete with success; socialkit says `NotFound`).
//! - **Interactions** from `GET /message/inbox` read forward with the newest fullname as the
//!   stored `before` cursor: comment and post replies are `Reply`, username mentions
//!   `Mention`, private messages `DirectMessage`. [`Reddit::post_comments`] reads a post's
//!   comment tree (`GET /comments/{id}`). Replies go through `POST /api/comment` to the
//!   comment or message.
//! - **Metrics** `GET /api/info?id=t3_…`: `ups` as likes and `num_comments` as replies;
//!   impressions and the rest are `None` (reddit does not report them to the author's API).
//!   [`Reddit::submission_stats`] adds the score and the upvote ratio.
//! - **Search** `GET /search` (or `/r/{sr}/search` with `restrict_sr`), `sort=new`, paged
//!   with `after`.
//! - **Rate limits**: the `X-Ratelimit-Used/Remaining/Reset` headers (reset in seconds) are
//!   read on every answer; once `remaining` is 0 no request is sent before the reset
//!   (`RateLimited` with `retry_after`); a `RATELIMIT` error in `json.errors` ("try again in
//!   N minutes") becomes `RateLimited` with that wait.
//! - **No idempotency key**: reddit has none, so a submit is sent once and an in-doubt one is
//!   reconciled by the engine through [`Platform::recent_posts`], which lists the account's
//!   posts and comments (`GET /user/{name}/overview?sort=new`) with what each answers.
//!
//! Unverified (no live account was used): the wording of `SUBMIT_VALIDATION_*` codes, whether
//! the inbox lists username mentions for every account (a preference), how the S3 upload
//! answers errors beyond PRAW's reading, and that an image post shows up in the account's
//! listing right after submit (socialkit looks it up there instead of opening the
//! websocket PRAW waits on).
//!
//! ```no_run
//! use socialkit::adapters::reddit::Reddit;
//! use socialkit::PlatformExt;
//! # async fn demo() -> socialkit::Result<()> {
//! let reddit = Reddit::from_url_str(
//!     "reddit://APP_ID:APP_SECRET@oauth.reddit.com?username=acme_bot&password=PW&subreddit=acme\
//!      &user_agent=server:acme-poster:1.0%20(by%20/u/acme_bot)",
//! )?;
//! let published = reddit.publish_text("Release 2.0 is out\nChangelog and thanks inside.").await?;
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
pub mod oauth;
mod publish;
mod read;
#[cfg(feature = "testkit")]
pub mod twin;

use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;
use url::Url;

pub use api::LinkFlair;
pub use config::{RedditAuth, RedditConfig};
pub use read::SubmissionStats;

use crate::adapters::base::Adapter;
use crate::auth::{Secret, Token, TokenManager};
use crate::http::{Call, Client, RateLimitStyle, Response};
use crate::model::{
    Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, MediaKind, Metric,
    Page, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost, SearchLimits,
    SearchQuery,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Platform};
use crate::text::{Counting, TextRule};
use crate::{Error, ErrorKind, Registry, Result};

use errors::RedditErrors;

/// The platform's name, as errors and [`PostRef`]s carry it.
///
/// ```
/// assert_eq!(socialkit::adapters::reddit::PLATFORM, "reddit");
/// ```
pub const PLATFORM: &str = "reddit";
/// Longest title: 300 characters (r2 `VLength('title', max_length=300)`; dev/api `submit`).
pub const MAX_TITLE: usize = 300;
/// Longest self post body: 40,000 characters (r2 `VSelfText`, the subreddit's default
/// `selftext_max_length`).
pub const MAX_SELFTEXT: usize = 40_000;
/// Longest comment: 10,000 characters (r2 `VMarkdownLength('text', max_length=10000)` on
/// `/api/comment`).
pub const MAX_COMMENT: usize = 10_000;
/// Largest image: 20 MB (reddit's help center for image posts; unverified through the API).
pub const MAX_IMAGE_BYTES: u64 = 20_000_000;

/// Registers `reddit`: the channel URLs of [`config`] and the serde form of [`RedditConfig`].
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(Arc::new(Reddit::new(RedditConfig::from_url(url)?)) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: RedditConfig = crate::registry::settings(PLATFORM, value)?;
            config.validate()?;
            Ok(Arc::new(Reddit::new(config)) as Arc<dyn Platform>)
        }),
    );
}

/// Reddit's capabilities.
///
/// ```
/// let caps = socialkit::adapters::reddit::capabilities();
/// assert_eq!(caps.text.max, 40_000);
/// assert_eq!(caps.text.counting, socialkit::text::Counting::Chars);
/// assert!(caps.post_threads && caps.edit && caps.delete && caps.reply && caps.link_cards);
/// assert!(caps.recent_posts && caps.replies_in_recent_posts);
/// assert_eq!(caps.idempotency, socialkit::platform::Idempotency::None);
/// assert_eq!(caps.media.max_count, 1);
/// assert!(caps.search.is_some());
/// ```
pub fn capabilities() -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, TextRule::new(Counting::Chars, MAX_SELFTEXT));
    c.media = MediaLimits {
        max_count: 1,
        kinds: vec![MediaKind::Image, MediaKind::Gif],
        mime_types: vec!["image/png".into(), "image/jpeg".into(), "image/gif".into()],
        max_image_bytes: Some(MAX_IMAGE_BYTES),
        max_video_bytes: None,
        max_videos: 0,
        // Image posts have no alt text in the API.
        alt_text_max: None,
        alt_text_required: false,
    };
    c.post_threads = true;
    c.link_cards = true;
    c.delete = true;
    c.edit = true;
    c.reply = true;
    c.interactions = vec![
        InteractionKind::Reply,
        InteractionKind::Mention,
        InteractionKind::DirectMessage,
    ];
    c.metrics = vec![Metric::Likes, Metric::Replies];
    c.idempotency = Idempotency::None;
    c.recent_posts = true;
    c.replies_in_recent_posts = true;
    c.search = Some(SearchLimits {
        max_age_days: None,
        max_page: 100,
        words: true,
        time_range: false,
        language: false,
        authors: false,
    });
    c
}

/// One Reddit account and where it posts. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::reddit::{Reddit, RedditConfig};
/// use socialkit::Platform;
/// let r = Reddit::new(RedditConfig::token("s3cret", "web:acme:1.0 (by /u/acme)").unwrap());
/// assert_eq!(r.capabilities().platform, "reddit");
/// assert!(!format!("{r:?}").contains("s3cret"));
/// ```
pub struct Reddit {
    config: RedditConfig,
    client: Client,
    tokens: TokenManager,
    caps: Capabilities,
    me: OnceCell<api::Me>,
    /// No request before this instant: the rate-limit window is used up.
    paused_until: Mutex<Option<DateTime<Utc>>>,
    /// The fixed endpoints' URLs, built once.
    endpoints: crate::http::Endpoints,
}

impl fmt::Debug for Reddit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reddit")
            .field("base_url", &self.config.base_url.as_str())
            .field("subreddit", &self.config.subreddit)
            .field("username", &self.config.username)
            .field("token", &"***")
            .finish()
    }
}

/// Builds the channel's token manager: renewed by [`oauth::refresher`] where it can be.
fn token_manager(config: &RedditConfig, client: &Client) -> TokenManager {
    let token = match &config.auth {
        // No token yet: the first call runs the password grant.
        RedditAuth::Script { .. } => {
            Token::new(Secret::new("")).with_expires_at(DateTime::<Utc>::UNIX_EPOCH)
        }
        RedditAuth::Token {
            access_token,
            expires_at,
            refresh_token,
            ..
        } => {
            let mut t = Token::new(access_token.clone());
            t.expires_at = *expires_at;
            t.refresh_token = refresh_token.clone();
            t
        }
    };
    let mut builder = TokenManager::builder(PLATFORM, token).clock(client.clock().clone());
    if let Some(r) = oauth::refresher(config, client) {
        builder = builder.refresher(r);
    }
    builder.build()
}

impl Reddit {
    /// An adapter with the default HTTP client. No network call is made here.
    pub fn new(config: RedditConfig) -> Self {
        Self::with_client(config, Client::default())
    }

    /// An adapter from a channel URL (see [`config`]).
    pub fn from_url_str(url: &str) -> Result<Self> {
        Ok(Self::new(RedditConfig::from_url_str(url)?))
    }

    /// Like [`Reddit::new`], sending through `client` (its clock decides token expiry and
    /// rate-limit pauses).
    pub fn with_client(config: RedditConfig, client: Client) -> Self {
        let tokens = token_manager(&config, &client);
        Self::with_tokens(config, client, tokens)
    }

    /// Like [`Reddit::with_client`], with a token manager of your own.
    ///
    /// ```
    /// use socialkit::adapters::reddit::{Reddit, RedditConfig};
    /// use socialkit::auth::{Token, TokenManager};
    /// let tokens = TokenManager::fixed("reddit", Token::new("t"));
    /// let config = RedditConfig::token("t", "web:acme:1.0 (by /u/acme)").unwrap();
    /// let r = Reddit::with_tokens(config, socialkit::http::Client::default(), tokens);
    /// # let _ = r;
    /// ```
    pub fn with_tokens(config: RedditConfig, client: Client, tokens: TokenManager) -> Self {
        Reddit {
            config,
            client,
            tokens,
            caps: capabilities(),
            me: OnceCell::new(),
            paused_until: Mutex::new(None),
            endpoints: crate::http::Endpoints::default(),
        }
    }

    /// The config.
    pub fn config(&self) -> &RedditConfig {
        &self.config
    }

    /// The token manager (read the token's expiry, or swap the token after a reconnect).
    pub fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.config.endpoint(path)
    }

    /// Refuses to send while reddit's window is used up.
    fn check_budget(&self, operation: &'static str) -> Result<()> {
        let now = self.client.now();
        let paused = *self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
        match paused {
            Some(at) if at > now => Err(Error::new(
                ErrorKind::RateLimited,
                "reddit's rate-limit window is used up (X-Ratelimit-Remaining: 0); nothing was sent",
            )
            .with_platform(PLATFORM)
            .with_operation(operation)
            .with_retry_after(at)),
            _ => Ok(()),
        }
    }

    fn note_limit(&self, until: Option<DateTime<Utc>>) {
        let mut p = self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
        *p = until.filter(|at| *at > self.client.now());
    }

    /// Sends `call` with the bearer token, the User-Agent and reddit's rate-limit headers;
    /// renews the token once when reddit refuses it (a refused token means nothing was done).
    pub(crate) async fn send(&self, call: Call) -> Result<Response> {
        self.check_budget(call.operation().as_str())?;
        let ua = self.config.user_agent.clone();
        let result = self
            .tokens
            .send(&self.client, &RedditErrors, |token: &Secret| {
                call.clone()
                    .bearer(token)
                    .user_agent(&ua)
                    .rate_limit_style(RateLimitStyle::Reddit)
            })
            .await;
        match &result {
            Ok(r) => self.note_limit(r.rate_limit().and_then(|l| l.wait_until())),
            Err(e)
                if e.kind() == ErrorKind::RateLimited && e.context().http_status == Some(429) =>
            {
                self.note_limit(e.retry_after())
            }
            Err(_) => {}
        }
        result
    }

    /// Sends a write with `api_type=json` and reads `json.data`, or the error in
    /// `json.errors`.
    pub(crate) async fn write(&self, call: Call) -> Result<api::WriteData> {
        let response = self.send(call).await?;
        // One parse for a success; the error reading parses again only when there are errors
        // (or the envelope does not parse: then it is asked first, as it always was).
        match response.json::<api::JsonEnvelope>() {
            Ok(env) if env.json.errors.is_empty() => Ok(env.json.data.unwrap_or_default()),
            parsed => match errors::json_errors(&response) {
                Some(e) => Err(e),
                None => parsed.map(|env| env.json.data.unwrap_or_default()),
            },
        }
    }

    /// The account (`GET /api/v1/me`, once).
    pub(crate) async fn me(&self) -> Result<&api::Me> {
        self.me
            .get_or_try_init(|| async {
                let call = Call::get(PLATFORM, "channel", self.endpoint("api/v1/me")?);
                let me: api::Me = self.send(call).await?.json()?;
                if me.name.is_empty() {
                    return Err(Error::new(
                        ErrorKind::Unexpected,
                        "reddit answered /api/v1/me without a name",
                    )
                    .with_platform(PLATFORM));
                }
                Ok(me)
            })
            .await
    }

    /// The account's user name: from the config, else `/api/v1/me`.
    pub(crate) async fn username(&self) -> Result<String> {
        match &self.config.username {
            Some(u) => Ok(u.clone()),
            None => Ok(self.me().await?.name.clone()),
        }
    }

    /// The reference of a thing (`t3_…` post or `t1_…` comment) with its link.
    pub(crate) fn thing_ref(&self, d: &api::ThingData) -> PostRef {
        let mut r = PostRef::new(PLATFORM, d.name.clone());
        if let Some(p) = &d.permalink {
            r = r.with_url(format!("https://www.reddit.com{p}"));
        }
        if let Some(sr) = &d.subreddit {
            r = r.with_meta("subreddit", sr.clone());
        }
        r
    }
}

/// Reddit on the shared adapter base: every call is checked against [`capabilities`] there
/// (posts resolved, fitted and validated before they arrive here).
#[async_trait]
impl Adapter for Reddit {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    async fn channel(&self) -> Result<Channel> {
        self.read_channel().await
    }

    async fn publish(&self, post: &Post, _opts: &PublishOptions) -> Result<Published> {
        self.publish_post(post).await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        self.delete_thing(post).await
    }

    async fn edit(&self, post: &PostRef, new: &Post) -> Result<Published> {
        self.edit_thing(post, new).await
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        self.read_inbox(query).await
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        _opts: &PublishOptions,
    ) -> Result<Published> {
        self.reply_to(to, post).await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        self.read_metrics(posts).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.read_recent(limit).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        self.search_posts(query).await
    }
}
