//! A local twin of the X API v2, for tests (feature `testkit`).
//!
//! An axum app on `127.0.0.1:0` that behaves as X's documentation says:
//!
//! - bearer auth; a wrong or replaced token gets 401 problem JSON; `POST /2/oauth2/token`
//!   refreshes (new access token, rotated refresh token, the old access token stops working);
//! - OAuth 1.0a user context: every `Authorization: OAuth …` request is checked for real:
//!   the HMAC-SHA1 signature is recomputed over the method, the URL as received and a form
//!   body with the consumer and token secrets the twin issued, and an `oauth_timestamp` more
//!   than 15 minutes off is refused (X refuses requests "created too far in the past"); a
//!   failure is a 401 (problem JSON on `/2/…`, `{"errors":[{"code":32,"message":"Could not
//!   authenticate you."}]}` on `/oauth/…`); the 3-legged flow `POST /oauth/request_token` →
//!   `GET /oauth/authorize` (approves at once and redirects to the callback) →
//!   `POST /oauth/access_token`;
//! - `GET /2/tweets/search/recent` over every user's posts of the last 7 days, with X's query
//!   operators (keywords, `"phrases"`, `#`, `@`, `from:`, `lang:`, `is:retweet|reply|quote`,
//!   `-` negation, `OR`, parentheses), `start_time`/`end_time` (a `start_time` before the
//!   7-day window and an `end_time` less than 10 s ago are X's 400s), `max_results` 10–100,
//!   `next_token` paging and a 512-character query limit;
//! - `POST /2/tweets`: weighted length over the limit → 400 "Your Tweet text is too long…";
//!   the owner's identical text → the 403 duplicate answer; replies to missing posts and
//!   unprocessed media → 400 `invalid-request`; `GET /2/tweets?ids=` with partial errors
//!   (`resource-not-found` in `errors[]` of a 200); `DELETE /2/tweets/{id}` (404 when gone);
//! - `GET /2/users/me`, `/2/users/{id}/tweets` and `/2/users/{id}/mentions` (newest first,
//!   `since_id`, `start_time`, `max_results` 5–100, `pagination_token`, `expansions=author_id`);
//! - the chunked media upload with asynchronous processing: `finalize` answers
//!   `processing_info.state = pending` for GIFs and videos, `STATUS` answers `in_progress`
//!   (`check_after_secs: 1`) for the configured number of polls, then `succeeded` (or `failed`);
//!   alt text through `POST /2/media/metadata` (≤ 1000 characters);
//! - `x-rate-limit-limit/remaining/reset` on every answer with 15-minute windows, the 24-hour
//!   caps `x-user-limit-24hour-*` / `x-app-limit-24hour-*` on creates (429 when used up), and
//!   injectable faults ([`XFault`]): 429s, usage caps, 5xx with JSON or HTML bodies, malformed
//!   JSON.
//!
//! A [`TwinHandle`] inspects the state and makes other users mention, reply to and quote the
//! owner's posts.
//!
//! Sources of the shapes (see `docs/api-audit.md` for what is verified): create answers
//! `{"data":{"id","text"}}` as in <https://docs.x.com/x-api/posts/creation-of-a-post>; delete
//! `{"data":{"deleted":true}}` as in
//! <https://developer.x.com/en/docs/x-api/tweets/manage-tweets/api-reference/delete-tweets-id>;
//! timelines `{"data":[…],"includes":{"users":[…]},"meta":{…}}` as in
//! <https://docs.x.com/x-api/posts/timelines/quickstart/user-mention-quickstart>; media
//! `initialize` `{"data":{"id","media_key","expires_after_secs"}}` and `processing_info` as in
//! <https://docs.x.com/x-api/media/quickstart/media-upload-chunked> with the paths of
//! xdevplatform/samples `Media Upload/media_upload_v2.py`; problem JSON as in
//! <https://docs.x.com/x-api/fundamentals/response-codes-and-errors>.
//!
//! ```
//! use socialkit::adapters::x::{X, twin::Twin};
//! use socialkit::PlatformExt;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = Twin::start().await.unwrap();
//! let x = X::new(twin.config());
//! let published = x.publish_text("Hello twin").await.unwrap();
//! assert_eq!(twin.handle().tweet(&published.post.id).unwrap().text, "Hello twin");
//! let bob = twin.handle().add_user("bob");
//! twin.handle().reply(&published.post.id, &bob, "hi!");
//! # });
//! ```

mod media;
mod oauth1;
mod oauth2;
mod routes;
mod search;
mod state;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde_json::json;
use url::Url;

use super::XConfig;
use crate::Result;
use crate::testkit::twin::{Canned, Faults, RequestLog, TwinServer, instrument};

use state::State;

/// How the twin behaves.
///
/// ```
/// let o = socialkit::adapters::x::twin::TwinOptions::default();
/// assert_eq!(o.max_chars, 280);
/// assert_eq!(o.media_processing_polls, 2);
/// ```
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// The owner's access token.
    pub token: String,
    /// The owner's refresh token.
    pub refresh_token: String,
    /// The owner's username.
    pub username: String,
    /// The weighted text limit.
    pub max_chars: usize,
    /// `STATUS` polls answered `in_progress` before GIF/video processing is over.
    pub media_processing_polls: u32,
    /// Whether GIF/video processing fails.
    pub media_processing_fails: bool,
    /// Creates per 15 minutes.
    pub post_limit_15min: u64,
    /// Other calls per 15 minutes, per endpoint.
    pub read_limit_15min: u64,
    /// The app's OAuth 1.0a consumer key (API key).
    pub consumer_key: String,
    /// The app's OAuth 1.0a consumer secret.
    pub consumer_secret: String,
    /// The owner's OAuth 1.0a access token.
    pub oauth1_token: String,
    /// The owner's OAuth 1.0a access token secret.
    pub oauth1_token_secret: String,
    /// Creates per 24 hours for the user.
    pub user_daily_posts: u64,
    /// Creates per 24 hours for the app.
    pub app_daily_posts: u64,
    /// How long an access token is accepted after it was issued, on `clock` (X: 2 hours,
    /// <https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token>);
    /// `None`: until it is replaced.
    pub access_token_lifetime: Option<chrono::Duration>,
    /// The twin's clock for token lifetimes (default: the system clock).
    pub clock: crate::clock::SharedClock,
    /// The scopes the user grants on the OAuth 2.0 consent page (`/i/oauth2/authorize`);
    /// `None`: every scope asked for.
    pub granted_scopes: Option<Vec<String>>,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            token: "twin-x-access-token".into(),
            refresh_token: "twin-x-refresh-token".into(),
            username: "acme".into(),
            max_chars: 280,
            media_processing_polls: 2,
            media_processing_fails: false,
            post_limit_15min: 100,
            read_limit_15min: 300,
            consumer_key: "twin-x-consumer-key".into(),
            consumer_secret: "twin-x-consumer-secret".into(),
            oauth1_token: "1-twin-x-oauth1-token".into(),
            oauth1_token_secret: "twin-x-oauth1-token-secret".into(),
            user_daily_posts: 2400,
            app_daily_posts: 10_000,
            access_token_lifetime: None,
            clock: std::sync::Arc::new(crate::clock::SystemClock),
            granted_scopes: None,
        }
    }
}

/// A user in the twin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinUser {
    /// Id.
    pub id: String,
    /// Username.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Followers.
    pub followers: u64,
    /// Following.
    pub following: u64,
}

/// A post in the twin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinTweet {
    /// Id (a snowflake: time-ordered).
    pub id: String,
    /// Author id.
    pub author_id: String,
    /// Text as sent.
    pub text: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// The post it replies to.
    pub reply_to: Option<String>,
    /// The post it quotes.
    pub quote_of: Option<String>,
    /// Attached media ids.
    pub media_ids: Vec<String>,
    /// Its language (BCP 47; `en` unless set with [`TwinHandle::set_lang`]).
    pub lang: String,
    /// Likes.
    pub likes: u64,
    /// Reposts.
    pub reposts: u64,
    /// Replies.
    pub replies: u64,
    /// Quotes.
    pub quotes: u64,
    /// Impressions.
    pub impressions: u64,
    /// Bookmarks.
    pub bookmarks: u64,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// An upload in the twin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinMedia {
    /// Media id.
    pub id: String,
    /// MIME type.
    pub media_type: String,
    /// `tweet_image`, `tweet_gif`, `tweet_video`.
    pub category: String,
    /// Announced size.
    pub total_bytes: u64,
    /// Bytes received per segment index.
    pub segments: BTreeMap<u32, usize>,
    /// Whether finalized.
    pub finalized: bool,
    /// `STATUS` polls left before processing ends.
    pub polls_left: u32,
    /// Whether processing fails.
    pub fails: bool,
    /// Alt text.
    pub alt_text: Option<String>,
}

/// Canned X failures for [`TwinHandle::inject`].
///
/// ```
/// use socialkit::adapters::x::twin::XFault;
/// assert_eq!(XFault::rate_limited(60).status, 429);
/// assert_eq!(XFault::server_error_html(502).status, 502);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct XFault;

impl XFault {
    /// A problem JSON answer (`type` is a problem name such as `usage-capped`, or `about:blank`).
    pub fn problem(status: u16, kind: &str, title: &str, detail: &str) -> Canned {
        let p = state::Problem::new(status, kind, title, detail);
        let mut c = Canned::json(status, p.body);
        c.content_type = "application/problem+json".into();
        c
    }

    /// 429 with the 15-minute window used up, resetting in `reset_in_secs`.
    pub fn rate_limited(reset_in_secs: i64) -> Canned {
        let reset = Utc::now().timestamp() + reset_in_secs;
        Self::problem(429, "about:blank", "Too Many Requests", "Too Many Requests")
            .with_header("x-rate-limit-limit", "100")
            .with_header("x-rate-limit-remaining", "0")
            .with_header("x-rate-limit-reset", &reset.to_string())
    }

    /// 429 with the user's 24-hour cap used up (the 15-minute window still has requests),
    /// resetting in `reset_in_secs`.
    pub fn daily_cap(reset_in_secs: i64) -> Canned {
        let now = Utc::now().timestamp();
        Self::problem(429, "about:blank", "Too Many Requests", "Too Many Requests")
            .with_header("x-rate-limit-limit", "100")
            .with_header("x-rate-limit-remaining", "99")
            .with_header("x-rate-limit-reset", &(now + 900).to_string())
            .with_header("x-user-limit-24hour-limit", "17")
            .with_header("x-user-limit-24hour-remaining", "0")
            .with_header(
                "x-user-limit-24hour-reset",
                &(now + reset_in_secs).to_string(),
            )
    }

    /// 429 `usage-capped` without reset headers.
    pub fn usage_capped() -> Canned {
        Self::problem(
            429,
            "usage-capped",
            "Usage cap exceeded: Monthly product cap",
            "Usage cap exceeded: Monthly product cap",
        )
    }

    /// 403 `client-forbidden`.
    pub fn client_forbidden() -> Canned {
        Self::problem(
            403,
            "client-forbidden",
            "Client Forbidden",
            "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.",
        )
    }

    /// A 5xx with problem JSON.
    pub fn server_error(status: u16) -> Canned {
        Self::problem(
            status,
            "about:blank",
            "Service Unavailable",
            "Service Unavailable",
        )
    }

    /// A 5xx with an HTML page, as a proxy answers.
    pub fn server_error_html(status: u16) -> Canned {
        Canned::html(status)
    }
}

pub(crate) struct Shared {
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running twin. Dropping it stops the server.
///
/// ```
/// use socialkit::adapters::x::twin::Twin;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = Twin::start().await.unwrap();
/// assert!(twin.channel_url().starts_with("x://"));
/// assert_eq!(twin.config().base_url, twin.url());
/// # });
/// ```
pub struct Twin {
    server: TwinServer,
    handle: TwinHandle,
}

impl std::fmt::Debug for Twin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Twin")
            .field("addr", &self.server.addr())
            .finish()
    }
}

impl Twin {
    /// Starts a twin with the default options.
    pub async fn start() -> Result<Twin> {
        Twin::start_with(TwinOptions::default()).await
    }

    /// Starts a twin.
    pub async fn start_with(options: TwinOptions) -> Result<Twin> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(options)),
        });
        let (log, faults) = (RequestLog::default(), Faults::default());
        let app = instrument(routes::router(shared.clone()), &log, &faults);
        let server = TwinServer::start(app).await?;
        Ok(Twin {
            server,
            handle: TwinHandle {
                shared,
                log,
                faults,
            },
        })
    }

    /// The base URL (`http://127.0.0.1:PORT/`).
    pub fn url(&self) -> Url {
        self.server.base_url()
    }

    /// The owner's channel URL: `x://TOKEN@127.0.0.1:PORT?scheme=http`.
    pub fn channel_url(&self) -> String {
        format!(
            "x://{}@{}?scheme=http",
            self.handle.shared.lock().options.token,
            self.server.addr()
        )
    }

    /// The owner's config (pointing at the twin, media polling bounded to 30 s).
    pub fn config(&self) -> XConfig {
        let g = self.handle.shared.lock();
        XConfig {
            token: g.options.token.clone().into(),
            oauth1: None,
            expires_at: None,
            refresh: None,
            user_id: None,
            username: None,
            base_url: self.url(),
            max_chars: g.options.max_chars,
            media_timeout: std::time::Duration::from_secs(30),
        }
    }

    /// The owner's OAuth 1.0a credentials (the twin's app and the owner's access token).
    pub fn oauth1_credentials(&self) -> crate::auth::oauth1::OAuth1Credentials {
        let g = self.handle.shared.lock();
        let o = &g.options;
        crate::auth::oauth1::OAuth1Credentials::new(
            o.consumer_key.clone(),
            o.consumer_secret.clone(),
            o.oauth1_token.clone(),
            o.oauth1_token_secret.clone(),
        )
    }

    /// The owner's config with OAuth 1.0a user-context credentials instead of a bearer token.
    ///
    /// ```
    /// use socialkit::adapters::x::{X, twin::Twin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = Twin::start().await.unwrap();
    /// let x = X::new(twin.config_oauth1());
    /// let published = x.publish_text("Signed hello").await.unwrap();
    /// assert_eq!(twin.handle().tweet(&published.post.id).unwrap().text, "Signed hello");
    /// # });
    /// ```
    pub fn config_oauth1(&self) -> XConfig {
        let mut c = self.config();
        c.token = crate::auth::Secret::default();
        c.oauth1 = Some(self.oauth1_credentials());
        c
    }

    /// The OAuth 1.0a flow client of the twin's app (request token, authorize, access token
    /// below the twin's URL).
    pub fn oauth1_client(&self) -> crate::auth::oauth1::OAuth1Client {
        let g = self.handle.shared.lock();
        super::oauth::oauth1_client_at(
            &self.url(),
            g.options.consumer_key.clone(),
            g.options.consumer_secret.clone(),
        )
    }

    /// The owner's config with a refresh setup for the twin's token endpoint.
    pub fn config_with_refresh(&self) -> XConfig {
        let refresh = self.handle.shared.lock().options.refresh_token.clone();
        self.config()
            .with_refresh(crate::auth::OAuth2Refresh::new("twin-client", refresh))
    }

    /// The handle to inspect and steer the twin.
    pub fn handle(&self) -> &TwinHandle {
        &self.handle
    }
}

/// Inspects and steers a running twin. Cheap to clone.
///
/// ```
/// use socialkit::adapters::x::{X, twin::{Twin, XFault}};
/// use socialkit::{ErrorKind, PlatformExt};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = Twin::start().await.unwrap();
/// let x = X::new(twin.config());
/// twin.handle().inject(Some("POST"), Some("/2/tweets"), 1, XFault::client_forbidden());
/// assert_eq!(x.publish_text("hi").await.unwrap_err().kind(), ErrorKind::PermissionDenied);
/// assert!(twin.handle().tweets().is_empty());
/// # });
/// ```
#[derive(Clone)]
pub struct TwinHandle {
    shared: Arc<Shared>,
    log: RequestLog,
    faults: Faults,
}

impl std::fmt::Debug for TwinHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwinHandle")
            .field("requests", &self.log.count())
            .finish()
    }
}

impl TwinHandle {
    /// The requests seen.
    pub fn requests(&self) -> &RequestLog {
        &self.log
    }

    /// Answers `answer` to the next `times` matching requests (see [`Faults::inject`]).
    pub fn inject(&self, method: Option<&str>, path: Option<&str>, times: usize, answer: Canned) {
        self.faults.inject(method, path, times, answer);
    }

    /// The fault list.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The owner's id.
    pub fn owner_id(&self) -> String {
        self.shared.lock().owner().id.clone()
    }

    /// The access token the twin accepts now.
    pub fn access_token(&self) -> String {
        self.shared.lock().access_token.clone()
    }

    /// The refresh token the twin accepts now (rotated by every refresh and code exchange).
    pub fn refresh_token(&self) -> String {
        self.shared.lock().refresh_token.clone()
    }

    /// Replaces the accepted access token, as if the old one expired or was revoked.
    pub fn revoke_access_token(&self) {
        let mut g = self.shared.lock();
        g.access_token = format!("{}-revoked", g.access_token);
    }

    /// Adds a user; returns its id.
    pub fn add_user(&self, username: &str) -> String {
        self.shared.lock().add_user(username)
    }

    /// Sets the owner's followers and following.
    pub fn set_followers(&self, followers: u64, following: u64) {
        let mut g = self.shared.lock();
        g.users[0].followers = followers;
        g.users[0].following = following;
    }

    /// A post by the owner or anyone, if it exists (deleted ones too).
    pub fn tweet(&self, id: &str) -> Option<TwinTweet> {
        self.shared
            .lock()
            .tweets
            .iter()
            .find(|t| t.id == id)
            .cloned()
    }

    /// The owner's posts that are not deleted, oldest first.
    pub fn tweets(&self) -> Vec<TwinTweet> {
        let g = self.shared.lock();
        let owner = g.owner().id.clone();
        g.tweets
            .iter()
            .filter(|t| t.author_id == owner && !t.deleted)
            .cloned()
            .collect()
    }

    /// An upload.
    pub fn media(&self, id: &str) -> Option<TwinMedia> {
        self.shared.lock().media.get(id).cloned()
    }

    fn post_by(
        &self,
        by: &str,
        text: &str,
        reply_to: Option<&str>,
        quote_of: Option<&str>,
    ) -> String {
        let mut g = self.shared.lock();
        let mut t = g.new_tweet(by, text);
        t.reply_to = reply_to.map(str::to_string);
        t.quote_of = quote_of.map(str::to_string);
        let id = t.id.clone();
        for other in g.tweets.iter_mut() {
            if Some(other.id.as_str()) == reply_to {
                other.replies += 1;
            }
            if Some(other.id.as_str()) == quote_of {
                other.quotes += 1;
            }
        }
        g.tweets.push(t);
        id
    }

    fn at_owner(&self, text: &str) -> String {
        format!("@{} {text}", self.shared.lock().owner().username)
    }

    /// User `by` mentions the owner; returns the post's id.
    pub fn mention(&self, by: &str, text: &str) -> String {
        let text = self.at_owner(text);
        self.post_by(by, &text, None, None)
    }

    /// User `by` replies to post `to`; returns the reply's id.
    pub fn reply(&self, to: &str, by: &str, text: &str) -> String {
        let text = self.at_owner(text);
        self.post_by(by, &text, Some(to), None)
    }

    /// User `by` quotes post `of`, mentioning the owner; returns the quote's id.
    pub fn quote(&self, of: &str, by: &str, text: &str) -> String {
        let text = self.at_owner(text);
        self.post_by(by, &text, None, Some(of))
    }

    /// Adds engagement to a post.
    pub fn engage(&self, id: &str, impressions: u64, likes: u64, reposts: u64, bookmarks: u64) {
        let mut g = self.shared.lock();
        if let Some(t) = g.tweets.iter_mut().find(|t| t.id == id) {
            t.impressions += impressions;
            t.likes += likes;
            t.reposts += reposts;
            t.bookmarks += bookmarks;
        }
    }

    /// User `by` posts `text` (not addressed to anyone); returns the post's id.
    pub fn post(&self, by: &str, text: &str) -> String {
        self.post_by(by, text, None, None)
    }

    /// Sets a post's language.
    pub fn set_lang(&self, id: &str, lang: &str) {
        let mut g = self.shared.lock();
        if let Some(t) = g.tweets.iter_mut().find(|t| t.id == id) {
            t.lang = lang.to_string();
        }
    }

    /// Moves a post's creation time (to place it inside or outside a search window).
    pub fn set_created_at(&self, id: &str, at: DateTime<Utc>) {
        let mut g = self.shared.lock();
        if let Some(t) = g.tweets.iter_mut().find(|t| t.id == id) {
            t.created_at = at;
        }
    }

    /// The user approves the app on the authorize page for `request_token`: returns the
    /// callback URL X redirects to (with `oauth_token` and `oauth_verifier`), or `None` for an
    /// unknown request token.
    pub fn authorize(&self, request_token: &str) -> Option<Url> {
        self.shared.lock().authorize(request_token)
    }

    /// The answer of a route as JSON, for tests of the twin itself.
    pub fn snapshot(&self) -> serde_json::Value {
        let g = self.shared.lock();
        json!({"tweets": g.tweets.len(), "media": g.media.len(), "users": g.users.len()})
    }
}
