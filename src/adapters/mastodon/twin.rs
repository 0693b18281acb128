//! A local twin of the Mastodon client API, for tests (feature `testkit`).
//!
//! A small axum app on `127.0.0.1:0` that behaves as Mastodon's documentation says:
//!
//! - bearer auth; a wrong token gets 401 `{"error":"The access token is invalid"}`;
//! - `GET /api/v2/instance` and `/api/v1/instance` with the configured limits;
//! - `POST /api/v1/statuses` (JSON or form) with `Idempotency-Key`: the same key returns the
//!   same status and creates nothing; too-long text gets 422 `Validation failed: Text
//!   character limit of N exceeded`; `GET`, `PUT` (edit) and `DELETE /api/v1/statuses/{id}`;
//! - `POST /api/v2/media` with asynchronous processing: 202 with `url: null`, then `GET
//!   /api/v1/media/{id}` answers 206 for the configured number of polls and 200 after, or 422
//!   when processing is set to fail; attaching unprocessed media is a 422;
//! - `GET /api/v1/notifications` with `max_id`, `since_id`, `min_id` (adjacent page, newest
//!   first), `limit`, `types[]`, `exclude_types[]`, and a `Link` header; optionally with
//!   snac's semantics, where `min_id` is only a lower bound;
//! - `verify_credentials`, `GET /api/v1/accounts/{id}/statuses`, `POST /api/v1/apps`,
//!   `POST /oauth/token`;
//! - `GET /api/v2/search` for statuses the way the configured server searches
//!   ([`TwinSearch`]: Mastodon with full-text search, Mastodon without it, or snac), and the
//!   hashtag timeline `GET /api/v1/timelines/tag/{tag}` (`all[]`, `any[]`, `none[]`, `max_id`,
//!   `since_id`, `min_id`, `limit` up to 40, `Link` header);
//! - `X-RateLimit-Limit/Remaining/Reset` (ISO-8601) on every answer, and injectable faults: a
//!   429 with a reset, any 5xx with a JSON or HTML body, malformed JSON.
//!
//! A [`TwinHandle`] inspects the state (requests seen, statuses created) and injects
//! interactions (a reply, a favourite, a reblog, a follow, a quote, a mention) from other
//! accounts.
//!
//! ```
//! use socialkit::adapters::mastodon::{Mastodon, twin::Twin};
//! use socialkit::PlatformExt;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = Twin::start().await.unwrap();
//! let mastodon = Mastodon::connect(twin.config()).await.unwrap();
//! let published = mastodon.publish_text("Hello twin").await.unwrap();
//! assert_eq!(twin.handle().statuses_created(), 1);
//! let bob = twin.handle().add_account("bob");
//! twin.handle().favourite(&published.post.id, &bob);
//! # });
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use url::Url;

use super::MastodonConfig;
use crate::{Error, Result};

/// How the twin behaves.
///
/// ```
/// let o = socialkit::adapters::mastodon::twin::TwinOptions { max_characters: 280, ..Default::default() };
/// assert_eq!(o.media_processing_polls, 2);
/// ```
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// The owner's access token.
    pub token: String,
    /// The owner's username.
    pub username: String,
    /// `configuration.statuses.max_characters`.
    pub max_characters: usize,
    /// `characters_reserved_per_url`.
    pub url_length: usize,
    /// `max_media_attachments`.
    pub max_media: usize,
    /// `description_limit`.
    pub description_limit: usize,
    /// Polls answered 206 before a 202 upload is done; 0 makes uploads synchronous (200).
    pub media_processing_polls: u32,
    /// Whether processing of uploads fails (the poll answers 422).
    pub media_processing_fails: bool,
    /// Serve `GET /api/v2/instance` (else 404, like an old server or snac).
    pub instance_v2: bool,
    /// snac's notification paging: `min_id` is only a lower bound and the newest page comes back.
    pub min_id_is_lower_bound: bool,
    /// The version string in the instance document.
    pub version: String,
    /// `X-RateLimit-Limit`.
    pub rate_limit: u64,
    /// The text limit the instance document advertises, when it should differ from the one
    /// enforced (to see the server's own 422).
    pub advertised_max_characters: Option<usize>,
    /// How `GET /api/v2/search` finds statuses.
    pub search: TwinSearch,
}

/// How the twin's `GET /api/v2/search` finds statuses, after the servers it stands for.
///
/// ```
/// use socialkit::adapters::mastodon::twin::{TwinOptions, TwinSearch};
/// assert_eq!(TwinOptions::default().search, TwinSearch::FullText);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TwinSearch {
    /// Mastodon with Elasticsearch: for a signed-in user, statuses that contain every word of
    /// the query (case-insensitive), among public statuses, the user's own and those that
    /// mention the user; newest first; `limit` (default 20, at most 40), `offset`, `max_id`,
    /// `min_id`. A query that is one `#tag` or holds an `@` without a space finds no statuses
    /// (Mastodon leaves those to the hashtag and account searches). `offset` without a token is
    /// a 401.
    #[default]
    FullText,
    /// Mastodon without full-text search: `statuses` is always empty.
    Disabled,
    /// snac 2.75: the whole query as one case-insensitive substring of the statuses of the
    /// user's own timeline (own statuses and those that mention the user); every match at once
    /// (`limit` and `max_id` ignored), nothing for an `offset` above 0; 401 without a token.
    Substring,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            token: "twin-access-token-acme".to_string(),
            username: "acme".to_string(),
            max_characters: 500,
            url_length: 23,
            max_media: 4,
            description_limit: 1500,
            media_processing_polls: 2,
            media_processing_fails: false,
            instance_v2: true,
            min_id_is_lower_bound: false,
            version: "4.5.0".to_string(),
            rate_limit: 300,
            advertised_max_characters: None,
            search: TwinSearch::FullText,
        }
    }
}

/// A failure the twin answers with instead of the real answer.
///
/// ```
/// use socialkit::adapters::mastodon::twin::Fault;
/// assert!(matches!(Fault::json(503, "busy"), Fault::Status { status: 503, .. }));
/// assert!(matches!(Fault::html(502), Fault::Status { ref content_type, .. } if content_type.starts_with("text/html")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// An answer with this status and body.
    Status {
        /// The HTTP status.
        status: u16,
        /// The body.
        body: String,
        /// Its content type.
        content_type: String,
    },
    /// 429 `{"error":"Too many requests"}` with `X-RateLimit-Remaining: 0` and the reset
    /// this far ahead.
    RateLimited {
        /// How far ahead the reset is.
        reset_in: Duration,
    },
    /// 200 with a body that is not valid JSON.
    MalformedJson,
    /// The server processes the request (a status is created), then the answer is lost on the
    /// way back: the client gets this status instead (a proxy's 502 or 504 after the server
    /// did its work), so the outcome is in doubt.
    AnswerLost {
        /// The status the client sees.
        status: u16,
    },
}

impl Fault {
    /// A Mastodon-style JSON error: `{"error": message}`.
    pub fn json(status: u16, message: &str) -> Fault {
        Fault::Status {
            status,
            body: json!({ "error": message }).to_string(),
            content_type: "application/json; charset=utf-8".into(),
        }
    }

    /// An HTML error page, as a proxy in front of the server sends.
    pub fn html(status: u16) -> Fault {
        Fault::Status {
            status,
            body: format!(
                "<html><head><title>{status}</title></head><body><h1>{status} Error</h1><p>nginx</p></body></html>"
            ),
            content_type: "text/html; charset=utf-8".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct FaultRule {
    skip: usize,
    method: Option<Method>,
    path_contains: Option<String>,
    remaining: usize,
    fault: Fault,
}

/// An account in the twin (see [`TwinHandle::add_account`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinAccount {
    /// Its id.
    pub id: String,
    /// Its username.
    pub username: String,
    /// Its followers.
    pub followers: u64,
    /// Accounts it follows.
    pub following: u64,
    /// Statuses it has (not deleted).
    pub statuses: u64,
}

/// A status in the twin.
///
/// ```
/// use socialkit::adapters::mastodon::{Mastodon, twin::Twin};
/// use socialkit::PlatformExt;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = Twin::start().await.unwrap();
/// let p = Mastodon::connect(twin.config()).await.unwrap().publish_text("hi").await.unwrap();
/// let s = twin.handle().status(&p.post.id).unwrap();
/// assert_eq!(s.text, "hi");
/// assert!(s.idempotency_key.is_some());
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinStatus {
    /// Its id.
    pub id: String,
    /// The author's id.
    pub account_id: String,
    /// The text as sent.
    pub text: String,
    /// The content warning.
    pub spoiler_text: String,
    /// The visibility.
    pub visibility: String,
    /// The language.
    pub language: Option<String>,
    /// The status replied to.
    pub in_reply_to_id: Option<String>,
    /// The status quoted.
    pub quoted_id: Option<String>,
    /// Attached media ids.
    pub media_ids: Vec<String>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last edited.
    pub edited_at: Option<DateTime<Utc>>,
    /// Replies.
    pub replies: u64,
    /// Reblogs.
    pub reblogs: u64,
    /// Favourites.
    pub favourites: u64,
    /// Quotes.
    pub quotes: u64,
    /// The idempotency key it was created with.
    pub idempotency_key: Option<String>,
    /// Whether it was deleted.
    pub deleted: bool,
}

#[derive(Debug, Clone)]
struct TwinMedia {
    id: String,
    mime: String,
    description: Option<String>,
    size: usize,
    polls_left: u32,
    fails: bool,
}

#[derive(Debug, Clone)]
struct TwinNotification {
    id: u64,
    kind: &'static str,
    account_id: String,
    status_id: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    accounts: Vec<TwinAccount>,
    statuses: Vec<TwinStatus>,
    media: HashMap<String, TwinMedia>,
    notifications: Vec<TwinNotification>,
    idempotency: HashMap<String, String>,
    faults: Vec<FaultRule>,
    requests: Vec<(Method, String)>,
    statuses_created: usize,
    window_start: Option<DateTime<Utc>>,
    window_count: u64,
}

impl Inner {
    fn id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    fn status(&self, id: &str) -> Option<&TwinStatus> {
        self.statuses.iter().find(|s| s.id == id && !s.deleted)
    }

    fn status_mut(&mut self, id: &str) -> Option<&mut TwinStatus> {
        self.statuses.iter_mut().find(|s| s.id == id && !s.deleted)
    }

    fn account(&self, id: &str) -> Option<&TwinAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }
}

struct Shared {
    options: TwinOptions,
    base: Url,
    owner_id: String,
    inner: Mutex<Inner>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running twin. Dropping it stops the server.
///
/// ```
/// use socialkit::adapters::mastodon::twin::Twin;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = Twin::start().await.unwrap();
/// assert_eq!(twin.url().host_str(), Some("127.0.0.1"));
/// assert!(twin.channel_url().starts_with("mastodon://"));
/// assert_eq!(twin.config().token.expose(), twin.token());
/// # });
/// ```
pub struct Twin {
    handle: TwinHandle,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for Twin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Twin").field("addr", &self.addr).finish()
    }
}

impl Drop for Twin {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Twin {
    /// Starts a twin with the default options.
    pub async fn start() -> Result<Twin> {
        Twin::start_with(TwinOptions::default()).await
    }

    /// Starts a twin.
    pub async fn start_with(options: TwinOptions) -> Result<Twin> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| {
                Error::new(crate::ErrorKind::Network, "cannot bind the twin").with_source(e)
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::new(crate::ErrorKind::Network, "no twin address").with_source(e))?;
        let base = Url::parse(&format!("http://{addr}/"))?;
        let mut inner = Inner {
            next_id: 100_000,
            ..Inner::default()
        };
        let owner_id = inner.id();
        inner.accounts.push(TwinAccount {
            id: owner_id.clone(),
            username: options.username.clone(),
            followers: 0,
            following: 0,
            statuses: 0,
        });
        let shared = Arc::new(Shared {
            options,
            base,
            owner_id,
            inner: Mutex::new(inner),
        });
        let app = router(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Twin {
            handle: TwinHandle { shared },
            addr,
            shutdown: Some(tx),
        })
    }

    /// The base URL (`http://127.0.0.1:PORT/`).
    pub fn url(&self) -> Url {
        self.handle.shared.base.clone()
    }

    /// The owner's access token.
    pub fn token(&self) -> &str {
        &self.handle.shared.options.token
    }

    /// The channel URL of the owner: `mastodon://TOKEN@127.0.0.1:PORT?scheme=http`.
    pub fn channel_url(&self) -> String {
        format!(
            "mastodon://{}@{}?scheme=http",
            self.handle.shared.options.token, self.addr
        )
    }

    /// The owner's config.
    pub fn config(&self) -> MastodonConfig {
        let mut c = MastodonConfig::new(self.url().as_str(), self.token())
            .unwrap_or_else(|_| unreachable_config(&self.url(), self.token()));
        c.media_timeout = Duration::from_secs(10);
        c
    }

    /// The handle to inspect and steer the twin.
    pub fn handle(&self) -> &TwinHandle {
        &self.handle
    }
}

fn unreachable_config(url: &Url, token: &str) -> MastodonConfig {
    MastodonConfig {
        instance: url.clone(),
        token: token.into(),
        media_timeout: Duration::from_secs(10),
        request_timeout: None,
    }
}

/// Inspects and steers a running twin. Cheap to clone.
///
/// ```
/// use socialkit::adapters::mastodon::{Mastodon, twin::{Fault, Twin}};
/// use socialkit::{ErrorKind, Platform, PlatformExt};
/// use socialkit::model::InteractionQuery;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = Twin::start().await.unwrap();
/// let m = Mastodon::connect(twin.config()).await.unwrap();
/// let h = twin.handle();
/// let p = m.publish_text("hello").await.unwrap();
/// let bob = h.add_account("bob");
/// h.reply(&p.post.id, &bob, "hi!");
/// h.favourite(&p.post.id, &bob);
/// h.reblog(&p.post.id, &bob);
/// h.follow(&bob);
/// assert_eq!(h.notifications(), 4);
/// assert_eq!(m.interactions(&InteractionQuery::default()).await.unwrap().items.len(), 4);
///
/// h.inject(Some("POST"), Some("/api/v1/statuses"), 1, Fault::json(403, "nope"));
/// assert_eq!(m.publish_text("x").await.unwrap_err().kind(), ErrorKind::PermissionDenied);
/// assert_eq!(h.statuses_created(), 1);
/// assert!(h.requests_to("POST", "/api/v1/statuses") >= 2);
/// # });
/// ```
#[derive(Clone)]
pub struct TwinHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for TwinHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwinHandle")
            .field("base", &self.shared.base.as_str())
            .finish()
    }
}

impl TwinHandle {
    /// The owner's account id.
    pub fn owner_id(&self) -> &str {
        &self.shared.owner_id
    }

    /// Requests seen so far (every path, faults included).
    pub fn requests(&self) -> usize {
        self.shared.lock().requests.len()
    }

    /// Requests seen whose method is `method` and whose path contains `path`.
    pub fn requests_to(&self, method: &str, path: &str) -> usize {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|(m, p)| m.as_str().eq_ignore_ascii_case(method) && p.contains(path))
            .count()
    }

    /// Forgets the requests seen.
    pub fn reset_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// Statuses created by the owner through the API (idempotent repeats excluded).
    pub fn statuses_created(&self) -> usize {
        self.shared.lock().statuses_created
    }

    /// A status (deleted ones too).
    pub fn status(&self, id: &str) -> Option<TwinStatus> {
        self.shared
            .lock()
            .statuses
            .iter()
            .find(|s| s.id == id)
            .cloned()
    }

    /// Every status, oldest first.
    pub fn statuses(&self) -> Vec<TwinStatus> {
        self.shared.lock().statuses.clone()
    }

    /// The alt text an upload was given.
    pub fn media_description(&self, id: &str) -> Option<String> {
        self.shared
            .lock()
            .media
            .get(id)
            .and_then(|m| m.description.clone())
    }

    /// Answers the next `times` requests whose path contains `path_contains` (any path when
    /// `None`) and whose method is `method` (any when `None`) with `fault`.
    pub fn inject(
        &self,
        method: Option<&str>,
        path_contains: Option<&str>,
        times: usize,
        fault: Fault,
    ) {
        self.inject_after(0, method, path_contains, times, fault);
    }

    /// Like [`TwinHandle::inject`], but lets the first `skip` matching requests through.
    pub fn inject_after(
        &self,
        skip: usize,
        method: Option<&str>,
        path_contains: Option<&str>,
        times: usize,
        fault: Fault,
    ) {
        let method =
            method.and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok());
        self.shared.lock().faults.push(FaultRule {
            skip,
            method,
            path_contains: path_contains.map(str::to_string),
            remaining: times,
            fault,
        });
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Adds another account (for interactions); returns its id.
    pub fn add_account(&self, username: &str) -> String {
        let mut g = self.shared.lock();
        let id = g.id();
        g.accounts.push(TwinAccount {
            id: id.clone(),
            username: username.to_string(),
            followers: 0,
            following: 0,
            statuses: 0,
        });
        id
    }

    fn notify(g: &mut Inner, kind: &'static str, by: &str, status_id: Option<String>) -> u64 {
        let id: u64 = g.id().parse().unwrap_or_default();
        g.notifications.push(TwinNotification {
            id,
            kind,
            account_id: by.to_string(),
            status_id,
            created_at: Utc::now(),
        });
        id
    }

    fn new_status(
        g: &mut Inner,
        by: &str,
        text: &str,
        reply_to: Option<&str>,
        quote: Option<&str>,
    ) -> String {
        let id = g.id();
        if let Some(a) = g.accounts.iter_mut().find(|a| a.id == by) {
            a.statuses += 1;
        }
        g.statuses.push(TwinStatus {
            id: id.clone(),
            account_id: by.to_string(),
            text: text.to_string(),
            spoiler_text: String::new(),
            visibility: "public".into(),
            language: Some("en".into()),
            in_reply_to_id: reply_to.map(str::to_string),
            quoted_id: quote.map(str::to_string),
            media_ids: Vec::new(),
            created_at: Utc::now(),
            edited_at: None,
            replies: 0,
            reblogs: 0,
            favourites: 0,
            quotes: 0,
            idempotency_key: None,
            deleted: false,
        });
        id
    }

    /// `by` replies to status `status_id` (mentioning its author); returns the reply's id.
    pub fn reply(&self, status_id: &str, by: &str, text: &str) -> String {
        let mut g = self.shared.lock();
        let owner = self.shared.options.username.clone();
        let id = Self::new_status(
            &mut g,
            by,
            &format!("@{owner} {text}"),
            Some(status_id),
            None,
        );
        if let Some(s) = g.status_mut(status_id) {
            s.replies += 1;
        }
        Self::notify(&mut g, "mention", by, Some(id.clone()));
        id
    }

    /// `by` posts a public status (language `en`, now) that is addressed to nobody; returns its
    /// id.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = socialkit::adapters::mastodon::twin::Twin::start().await.unwrap();
    /// let bob = twin.handle().add_account("bob");
    /// let id = twin.handle().post(&bob, "Hello #fediverse");
    /// assert_eq!(twin.handle().status(&id).unwrap().text, "Hello #fediverse");
    /// # });
    /// ```
    pub fn post(&self, by: &str, text: &str) -> String {
        let mut g = self.shared.lock();
        Self::new_status(&mut g, by, text, None, None)
    }

    /// Like [`post`](Self::post), with a language (`None`: unknown) and a visibility
    /// (`public`, `unlisted`, `private`, `direct`), created at `at`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = socialkit::adapters::mastodon::twin::Twin::start().await.unwrap();
    /// let bob = twin.handle().add_account("bob");
    /// let at = "2026-01-05T10:00:00Z".parse().unwrap();
    /// let id = twin.handle().post_with(&bob, "Hallo", Some("de"), "unlisted", at);
    /// let s = twin.handle().status(&id).unwrap();
    /// assert_eq!((s.language.as_deref(), s.visibility.as_str(), s.created_at), (Some("de"), "unlisted", at));
    /// # });
    /// ```
    pub fn post_with(
        &self,
        by: &str,
        text: &str,
        language: Option<&str>,
        visibility: &str,
        at: DateTime<Utc>,
    ) -> String {
        let mut g = self.shared.lock();
        let id = Self::new_status(&mut g, by, text, None, None);
        if let Some(s) = g.status_mut(&id) {
            s.language = language.map(str::to_string);
            s.visibility = visibility.to_string();
            s.created_at = at;
        }
        id
    }

    /// `by` mentions the owner in a new status; returns its id.
    pub fn mention(&self, by: &str, text: &str) -> String {
        let mut g = self.shared.lock();
        let owner = self.shared.options.username.clone();
        let id = Self::new_status(&mut g, by, &format!("@{owner} {text}"), None, None);
        Self::notify(&mut g, "mention", by, Some(id.clone()));
        id
    }

    /// `by` quotes status `status_id`; returns the quote's id.
    pub fn quote(&self, status_id: &str, by: &str, text: &str) -> String {
        let mut g = self.shared.lock();
        let id = Self::new_status(&mut g, by, text, None, Some(status_id));
        if let Some(s) = g.status_mut(status_id) {
            s.quotes += 1;
        }
        Self::notify(&mut g, "quote", by, Some(id.clone()));
        id
    }

    /// `by` favourites status `status_id`.
    pub fn favourite(&self, status_id: &str, by: &str) {
        let mut g = self.shared.lock();
        if let Some(s) = g.status_mut(status_id) {
            s.favourites += 1;
        }
        Self::notify(&mut g, "favourite", by, Some(status_id.to_string()));
    }

    /// `by` reblogs status `status_id`.
    pub fn reblog(&self, status_id: &str, by: &str) {
        let mut g = self.shared.lock();
        if let Some(s) = g.status_mut(status_id) {
            s.reblogs += 1;
        }
        Self::notify(&mut g, "reblog", by, Some(status_id.to_string()));
    }

    /// `by` follows the owner.
    pub fn follow(&self, by: &str) {
        let mut g = self.shared.lock();
        let owner = self.shared.owner_id.clone();
        if let Some(a) = g.accounts.iter_mut().find(|a| a.id == owner) {
            a.followers += 1;
        }
        if let Some(a) = g.accounts.iter_mut().find(|a| a.id == by) {
            a.following += 1;
        }
        Self::notify(&mut g, "follow", by, None);
    }

    /// Adds a notification of a type socialkit does not read as an interaction
    /// (`poll`, `update`, `admin.sign_up` …).
    pub fn other_notification(&self, kind: &'static str, by: &str) {
        let mut g = self.shared.lock();
        Self::notify(&mut g, kind, by, None);
    }

    /// Notifications stored.
    pub fn notifications(&self) -> usize {
        self.shared.lock().notifications.len()
    }
}

// ----- the HTTP app -----------------------------------------------------------------------

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v2/instance", get(instance_v2))
        .route("/api/v1/instance", get(instance_v1))
        .route("/api/v1/apps", post(register_app))
        .route("/oauth/token", post(oauth_token))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(verify_credentials),
        )
        .route("/api/v1/accounts/{id}/statuses", get(account_statuses))
        .route("/api/v1/statuses", post(create_status))
        .route(
            "/api/v1/statuses/{id}",
            get(get_status).put(edit_status).delete(delete_status),
        )
        .route("/api/v2/media", post(upload_media))
        .route("/api/v1/media/{id}", get(get_media))
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v2/search", get(search))
        .route("/api/v1/timelines/tag/{tag}", get(tag_timeline))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .layer(middleware::from_fn_with_state(shared.clone(), around))
        .with_state(shared)
}

type S = State<Arc<Shared>>;

/// Counts the request, answers injected faults, adds rate-limit headers to every answer.
async fn around(State(shared): S, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let now = Utc::now();
    let (fault, limit, remaining, reset) = {
        let mut g = shared.lock();
        g.requests.push((method.clone(), path.clone()));
        let window_start = *g.window_start.get_or_insert(now);
        let reset = window_start + chrono::Duration::minutes(5);
        if now >= reset {
            g.window_start = Some(now);
            g.window_count = 0;
        }
        g.window_count += 1;
        let limit = shared.options.rate_limit;
        let remaining = limit.saturating_sub(g.window_count);
        let reset = g.window_start.unwrap_or(now) + chrono::Duration::minutes(5);
        let mut fault = None;
        for rule in g.faults.iter_mut() {
            let matches = rule.remaining > 0
                && rule.method.as_ref().is_none_or(|m| *m == method)
                && rule
                    .path_contains
                    .as_deref()
                    .is_none_or(|p| path.contains(p));
            if !matches {
                continue;
            }
            if rule.skip > 0 {
                rule.skip -= 1;
                continue;
            }
            rule.remaining -= 1;
            fault = Some(rule.fault.clone());
            break;
        }
        g.faults.retain(|r| r.remaining > 0);
        (fault, limit, remaining, reset)
    };
    let (mut response, remaining, reset) = match fault {
        None => (next.run(request).await, remaining, reset),
        Some(Fault::AnswerLost { status }) => {
            let _processed = next.run(request).await;
            (
                html_error(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY)),
                remaining,
                reset,
            )
        }
        Some(Fault::RateLimited { reset_in }) => (
            error(StatusCode::TOO_MANY_REQUESTS, "Too many requests"),
            0,
            now + chrono::Duration::from_std(reset_in).unwrap_or_default(),
        ),
        Some(Fault::MalformedJson) => (
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                "{\"id\": \"1\", \"content\": ",
            )
                .into_response(),
            remaining,
            reset,
        ),
        Some(Fault::Status {
            status,
            body,
            content_type,
        }) => (
            (
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                [(header::CONTENT_TYPE, content_type)],
                body,
            )
                .into_response(),
            remaining,
            reset,
        ),
    };
    let h = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        (
            "x-ratelimit-reset",
            reset.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        ),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    response
}

/// The HTML error page of a proxy in front of the server (nginx's 502/504).
fn html_error(status: StatusCode) -> Response {
    let Fault::Status {
        body, content_type, ..
    } = Fault::html(status.as_u16())
    else {
        return status.into_response();
    };
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

fn ok(value: Value) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

fn nf() -> Response {
    error(StatusCode::NOT_FOUND, "Record not found")
}

async fn not_found() -> Response {
    nf()
}

fn authorized(shared: &Shared, headers: &HeaderMap) -> std::result::Result<(), Box<Response>> {
    let expected = format!("Bearer {}", shared.options.token);
    match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v == expected => Ok(()),
        _ => Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            "The access token is invalid",
        ))),
    }
}

macro_rules! auth {
    ($shared:expr, $headers:expr) => {
        if let Err(r) = authorized(&$shared, &$headers) {
            return *r;
        }
    };
}

fn instance_config(o: &TwinOptions) -> Value {
    json!({
        "statuses": {
            "max_characters": o.advertised_max_characters.unwrap_or(o.max_characters),
            "max_media_attachments": o.max_media,
            "characters_reserved_per_url": o.url_length
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp",
                "video/mp4", "video/webm", "audio/mpeg", "audio/ogg"],
            "description_limit": o.description_limit,
            "image_size_limit": 16_777_216,
            "image_matrix_limit": 33_177_600,
            "video_size_limit": 103_809_024,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8_294_400
        }
    })
}

async fn instance_v2(State(shared): S) -> Response {
    if !shared.options.instance_v2 {
        return nf();
    }
    let host = shared.base.host_str().unwrap_or_default().to_string();
    ok(json!({
        "domain": host,
        "title": "Mastodon twin",
        "version": shared.options.version,
        "configuration": instance_config(&shared.options),
    }))
}

async fn instance_v1(State(shared): S) -> Response {
    let host = shared.base.host_str().unwrap_or_default().to_string();
    ok(json!({
        "uri": host,
        "title": "Mastodon twin",
        "version": shared.options.version,
        "max_toot_chars": shared.options.advertised_max_characters.unwrap_or(shared.options.max_characters),
        "configuration": instance_config(&shared.options),
    }))
}

fn form_or_json(headers: &HeaderMap, body: &Bytes) -> Option<Value> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") {
        return serde_json::from_slice(body).ok();
    }
    let mut map = serde_json::Map::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if let Some(name) = k.strip_suffix("[]") {
            let entry = map
                .entry(name.to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = entry {
                a.push(Value::String(v.into_owned()));
            }
        } else {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    Some(Value::Object(map))
}

async fn register_app(State(shared): S, headers: HeaderMap, body: Bytes) -> Response {
    let Some(v) = form_or_json(&headers, &body) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: invalid body",
        );
    };
    let name = v.get("client_name").and_then(Value::as_str).unwrap_or("");
    let redirect = v.get("redirect_uris").and_then(Value::as_str).unwrap_or("");
    if name.is_empty() || redirect.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Name can't be blank, Redirect URI can't be blank",
        );
    }
    let id = shared.lock().id();
    ok(json!({
        "id": id, "name": name, "redirect_uri": redirect,
        "client_id": format!("twin-client-{id}"), "client_secret": format!("twin-secret-{id}")
    }))
}

async fn oauth_token(State(shared): S, headers: HeaderMap, body: Bytes) -> Response {
    let v = form_or_json(&headers, &body).unwrap_or(Value::Null);
    let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if field("grant_type") != "authorization_code" || field("code") != "twin-code" {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_grant",
                "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."})),
        )
            .into_response();
    }
    ok(json!({
        "access_token": shared.options.token,
        "token_type": "Bearer",
        "scope": "read write",
        "created_at": Utc::now().timestamp()
    }))
}

fn account_json(shared: &Shared, a: &TwinAccount, statuses: usize) -> Value {
    let base = shared.base.as_str().trim_end_matches('/');
    let owner = a.id == shared.owner_id;
    json!({
        "id": a.id,
        "username": a.username,
        "acct": a.username,
        "display_name": if owner { "ACME Anvils".to_string() } else { a.username.to_uppercase() },
        "note": if owner { "<p>We make anvils &amp; more.<br>Since 1949.</p>" } else { "" },
        "url": format!("{base}/@{}", a.username),
        "avatar": format!("{base}/avatars/{}.png", a.id),
        "fields": if owner {
            json!([{"name": "Shop", "value": "<a href=\"https://shop.acme.example\" rel=\"me nofollow noopener\" target=\"_blank\"><span class=\"invisible\">https://</span><span class=\"\">shop.acme.example</span><span class=\"invisible\"></span></a>", "verified_at": null}])
        } else { json!([]) },
        "followers_count": a.followers,
        "following_count": a.following,
        "statuses_count": statuses,
        "bot": false
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders text as Mastodon does: paragraphs, `<br>`, links with invisible spans.
fn render_html(text: &str) -> String {
    let mut out = String::new();
    for para in text.split("\n\n") {
        out.push_str("<p>");
        let lines: Vec<String> = para
            .split('\n')
            .map(|line| {
                line.split(' ')
                    .map(|w| {
                        if let Some(rest) = w.strip_prefix("https://").or_else(|| w.strip_prefix("http://")) {
                            let scheme = &w[..w.len() - rest.len()];
                            let (shown, hidden) = rest.split_at(rest.len().min(30));
                            format!(
                                "<a href=\"{}\" rel=\"nofollow noopener\" target=\"_blank\"><span class=\"invisible\">{}</span><span class=\"{}\">{}</span><span class=\"invisible\">{}</span></a>",
                                html_escape(w),
                                html_escape(scheme),
                                if hidden.is_empty() { "" } else { "ellipsis" },
                                html_escape(shown),
                                html_escape(hidden)
                            )
                        } else {
                            html_escape(w)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        out.push_str(&lines.join("<br />"));
        out.push_str("</p>");
    }
    out
}

fn status_json(shared: &Shared, g: &Inner, s: &TwinStatus) -> Value {
    let base = shared.base.as_str().trim_end_matches('/');
    let account = g
        .account(&s.account_id)
        .cloned()
        .unwrap_or_else(|| TwinAccount {
            id: s.account_id.clone(),
            username: "unknown".into(),
            followers: 0,
            following: 0,
            statuses: 0,
        });
    let statuses = account.statuses as usize;
    let in_reply_to_account_id = s
        .in_reply_to_id
        .as_deref()
        .and_then(|id| g.statuses.iter().find(|x| x.id == id))
        .map(|x| x.account_id.clone());
    let media: Vec<Value> = s
        .media_ids
        .iter()
        .filter_map(|id| g.media.get(id))
        .map(|m| media_json(shared, m, true))
        .collect();
    let quote = s.quoted_id.as_deref().and_then(|q| {
        g.statuses.iter().find(|x| x.id == q).map(|x| {
            json!({"state": "accepted", "quoted_status": {"id": x.id, "content": render_html(&x.text),
                "created_at": x.created_at.to_rfc3339(), "account": {"id": x.account_id}}})
        })
    });
    json!({
        "id": s.id,
        "uri": format!("{base}/users/{}/statuses/{}", account.username, s.id),
        "url": format!("{base}/@{}/{}", account.username, s.id),
        "account": account_json(shared, &account, statuses),
        "created_at": s.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "edited_at": s.edited_at.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        "content": render_html(&s.text),
        "spoiler_text": s.spoiler_text,
        "sensitive": !s.spoiler_text.is_empty(),
        "visibility": s.visibility,
        "language": s.language,
        "in_reply_to_id": s.in_reply_to_id,
        "in_reply_to_account_id": in_reply_to_account_id,
        "media_attachments": media,
        "mentions": [],
        "tags": [],
        "emojis": [],
        "replies_count": s.replies,
        "reblogs_count": s.reblogs,
        "favourites_count": s.favourites,
        "quotes_count": s.quotes,
        "reblog": null,
        "quote": quote,
        "card": null,
        "poll": null
    })
}

fn media_json(shared: &Shared, m: &TwinMedia, done: bool) -> Value {
    let base = shared.base.as_str().trim_end_matches('/');
    let kind = if m.mime.starts_with("video/") {
        "video"
    } else if m.mime == "image/gif" {
        "gifv"
    } else if m.mime.starts_with("audio/") {
        "audio"
    } else {
        "image"
    };
    json!({
        "id": m.id,
        "type": kind,
        "url": if done { Value::String(format!("{base}/media/{}", m.id)) } else { Value::Null },
        "preview_url": format!("{base}/media/{}/small", m.id),
        "description": m.description,
        "meta": {"size": m.size}
    })
}

async fn verify_credentials(State(shared): S, headers: HeaderMap) -> Response {
    auth!(shared, headers);
    let g = shared.lock();
    let Some(owner) = g.account(&shared.owner_id).cloned() else {
        return nf();
    };
    ok(account_json(&shared, &owner, owner.statuses as usize))
}

fn query_pairs(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

fn num(s: Option<&str>) -> Option<u64> {
    s.and_then(|v| v.parse().ok())
}

async fn account_statuses(
    State(shared): S,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    auth!(shared, headers);
    let q = query_pairs(q);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let limit = num(get("limit")).unwrap_or(20).clamp(1, 40) as usize;
    let max_id = num(get("max_id")).unwrap_or(u64::MAX);
    let g = shared.lock();
    if g.account(&id).is_none() {
        return nf();
    }
    let list: Vec<Value> = g
        .statuses
        .iter()
        .rev()
        .filter(|s| s.account_id == id && !s.deleted)
        .filter(|s| s.id.parse::<u64>().unwrap_or(0) < max_id)
        .take(limit)
        .map(|s| status_json(&shared, &g, s))
        .collect();
    ok(Value::Array(list))
}

fn validate_status(
    shared: &Shared,
    g: &Inner,
    text: &str,
    spoiler: &str,
    media_ids: &[String],
) -> std::result::Result<(), Box<Response>> {
    let o = &shared.options;
    if text.trim().is_empty() && media_ids.is_empty() {
        return Err(Box::new(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Text can't be blank",
        )));
    }
    let n = crate::text::mastodon::length_with(
        text,
        Some(spoiler).filter(|s| !s.is_empty()),
        o.url_length,
    );
    if n > o.max_characters {
        return Err(Box::new(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "Validation failed: Text character limit of {} exceeded",
                o.max_characters
            ),
        )));
    }
    if media_ids.len() > o.max_media {
        return Err(Box::new(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "Validation failed: Media attachments can't be more than {}",
                o.max_media
            ),
        )));
    }
    for id in media_ids {
        match g.media.get(id) {
            None => {
                return Err(Box::new(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Validation failed: Media attachments is invalid",
                )));
            }
            Some(m) if m.polls_left > 0 || m.fails => {
                return Err(Box::new(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Cannot attach files that have not finished processing. Try again in a moment!",
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn str_field(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn media_ids_of(v: &Value) -> Vec<String> {
    match v.get("media_ids") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

async fn create_status(State(shared): S, headers: HeaderMap, body: Bytes) -> Response {
    auth!(shared, headers);
    let Some(v) = form_or_json(&headers, &body) else {
        return error(StatusCode::BAD_REQUEST, "Invalid JSON");
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|k| k.to_str().ok())
        .map(str::to_string);
    let mut g = shared.lock();
    if let Some(k) = &key {
        if let Some(id) = g.idempotency.get(k).cloned() {
            if let Some(s) = g.statuses.iter().find(|s| s.id == id) {
                return ok(status_json(&shared, &g, s));
            }
        }
    }
    let text = str_field(&v, "status").unwrap_or_default();
    let spoiler = str_field(&v, "spoiler_text").unwrap_or_default();
    let media_ids = media_ids_of(&v);
    if let Err(r) = validate_status(&shared, &g, &text, &spoiler, &media_ids) {
        return *r;
    }
    let visibility = str_field(&v, "visibility").unwrap_or_else(|| "public".into());
    if !["public", "unlisted", "private", "direct"].contains(&visibility.as_str()) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Visibility is not included in the list",
        );
    }
    let in_reply_to_id = str_field(&v, "in_reply_to_id").filter(|s| !s.is_empty());
    if let Some(r) = &in_reply_to_id {
        if g.status(r).is_none() {
            return nf();
        }
    }
    let id = g.id();
    let status = TwinStatus {
        id: id.clone(),
        account_id: shared.owner_id.clone(),
        text,
        spoiler_text: spoiler,
        visibility,
        language: str_field(&v, "language"),
        in_reply_to_id: in_reply_to_id.clone(),
        quoted_id: None,
        media_ids,
        created_at: Utc::now(),
        edited_at: None,
        replies: 0,
        reblogs: 0,
        favourites: 0,
        quotes: 0,
        idempotency_key: key.clone(),
        deleted: false,
    };
    if let Some(r) = &in_reply_to_id {
        if let Some(p) = g.status_mut(r) {
            p.replies += 1;
        }
    }
    g.statuses.push(status);
    g.statuses_created += 1;
    if let Some(a) = g.accounts.iter_mut().find(|a| a.id == shared.owner_id) {
        a.statuses += 1;
    }
    if let Some(k) = key {
        g.idempotency.insert(k, id.clone());
    }
    let s = g.statuses.last().cloned();
    match s {
        Some(s) => ok(status_json(&shared, &g, &s)),
        None => error(StatusCode::INTERNAL_SERVER_ERROR, "lost"),
    }
}

async fn get_status(State(shared): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    auth!(shared, headers);
    let g = shared.lock();
    match g.status(&id) {
        Some(s) => ok(status_json(&shared, &g, s)),
        None => error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

async fn edit_status(
    State(shared): S,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    auth!(shared, headers);
    let Some(v) = form_or_json(&headers, &body) else {
        return error(StatusCode::BAD_REQUEST, "Invalid JSON");
    };
    let mut g = shared.lock();
    let Some(current) = g.status(&id).cloned() else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    if current.account_id != shared.owner_id {
        return error(StatusCode::FORBIDDEN, "This action is not allowed");
    }
    let text = str_field(&v, "status").unwrap_or(current.text.clone());
    let spoiler = str_field(&v, "spoiler_text").unwrap_or(current.spoiler_text.clone());
    let media_ids = if v.get("media_ids").is_some() {
        media_ids_of(&v)
    } else {
        current.media_ids.clone()
    };
    if let Err(r) = validate_status(&shared, &g, &text, &spoiler, &media_ids) {
        return *r;
    }
    let language = str_field(&v, "language").or(current.language.clone());
    if let Some(s) = g.status_mut(&id) {
        s.text = text;
        s.spoiler_text = spoiler;
        s.media_ids = media_ids;
        s.language = language;
        s.edited_at = Some(Utc::now());
    }
    match g.status(&id).cloned() {
        Some(s) => ok(status_json(&shared, &g, &s)),
        None => nf(),
    }
}

async fn delete_status(State(shared): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    auth!(shared, headers);
    let mut g = shared.lock();
    let Some(current) = g.status(&id).cloned() else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    if current.account_id != shared.owner_id {
        return error(StatusCode::FORBIDDEN, "This action is not allowed");
    }
    let mut body = status_json(&shared, &g, &current);
    body["text"] = Value::String(current.text.clone());
    if let Some(s) = g.status_mut(&id) {
        s.deleted = true;
    }
    if let Some(a) = g.accounts.iter_mut().find(|a| a.id == shared.owner_id) {
        a.statuses = a.statuses.saturating_sub(1);
    }
    ok(body)
}

async fn upload_media(State(shared): S, headers: HeaderMap, mut multipart: Multipart) -> Response {
    auth!(shared, headers);
    let mut file: Option<(String, usize)> = None;
    let mut description = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let mime = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let Ok(data) = field.bytes().await else {
                    return error(StatusCode::BAD_REQUEST, "broken multipart body");
                };
                match name.as_str() {
                    "file" => file = Some((mime, data.len())),
                    "description" => {
                        description = Some(String::from_utf8_lossy(&data).into_owned())
                    }
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return error(StatusCode::BAD_REQUEST, "broken multipart body"),
        }
    }
    let Some((mime, size)) = file else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: File can't be blank",
        );
    };
    let o = &shared.options;
    let accepted = ["image/", "video/", "audio/"];
    if !accepted.iter().any(|p| mime.starts_with(p)) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: File content type is invalid, File is invalid",
        );
    }
    if let Some(d) = &description {
        if d.chars().count() > o.description_limit {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "Validation failed: Description is too long (maximum is {} characters)",
                    o.description_limit
                ),
            );
        }
    }
    let mut g = shared.lock();
    let id = g.id();
    let m = TwinMedia {
        id: id.clone(),
        mime,
        description,
        size,
        polls_left: o.media_processing_polls,
        fails: o.media_processing_fails,
    };
    let asynchronous = m.polls_left > 0 || m.fails;
    let body = media_json(&shared, &m, !asynchronous);
    g.media.insert(id, m);
    let status = if asynchronous {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    (status, axum::Json(body)).into_response()
}

async fn get_media(State(shared): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    auth!(shared, headers);
    let mut g = shared.lock();
    let Some(m) = g.media.get_mut(&id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    if m.polls_left > 0 {
        m.polls_left -= 1;
        let m = m.clone();
        return (
            StatusCode::PARTIAL_CONTENT,
            axum::Json(media_json(&shared, &m, false)),
        )
            .into_response();
    }
    if m.fails {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Error processing thumbnail for uploaded media",
        );
    }
    let m = m.clone();
    ok(media_json(&shared, &m, true))
}

async fn notifications(State(shared): S, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    auth!(shared, headers);
    let q = query_pairs(raw);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let all = |k: &str| -> Vec<String> {
        q.iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let limit = num(get("limit")).unwrap_or(40).clamp(1, 80) as usize;
    let max_id = num(get("max_id"));
    let since_id = num(get("since_id"));
    let min_id = num(get("min_id"));
    let types = all("types[]");
    let exclude = all("exclude_types[]");
    let g = shared.lock();
    let matching: Vec<&TwinNotification> = g
        .notifications
        .iter()
        .filter(|n| types.is_empty() || types.iter().any(|t| t == n.kind))
        .filter(|n| !exclude.iter().any(|t| t == n.kind))
        .filter(|n| max_id.is_none_or(|m| n.id < m))
        .filter(|n| since_id.is_none_or(|m| n.id > m))
        .filter(|n| min_id.is_none_or(|m| n.id > m))
        .collect();
    // `matching` is oldest first.
    let mut page: Vec<&TwinNotification> =
        if min_id.is_some() && !shared.options.min_id_is_lower_bound {
            matching.into_iter().take(limit).collect()
        } else {
            let skip = matching.len().saturating_sub(limit);
            matching.into_iter().skip(skip).collect()
        };
    page.reverse(); // newest first
    let items: Vec<Value> = page
        .iter()
        .map(|n| {
            let account = g
                .account(&n.account_id)
                .cloned()
                .unwrap_or_else(|| TwinAccount {
                    id: n.account_id.clone(),
                    username: "unknown".into(),
                    followers: 0,
                    following: 0,
                    statuses: 0,
                });
            let count = account.statuses as usize;
            let status = n
                .status_id
                .as_deref()
                .and_then(|id| g.statuses.iter().find(|s| s.id == id))
                .map(|s| status_json(&shared, &g, s));
            json!({
                "id": n.id.to_string(),
                "type": n.kind,
                "created_at": n.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                "account": account_json(&shared, &account, count),
                "status": status
            })
        })
        .collect();
    let mut response = ok(Value::Array(items));
    if let (Some(newest), Some(oldest)) = (page.first(), page.last()) {
        let base = shared.base.as_str().trim_end_matches('/');
        let link = format!(
            "<{base}/api/v1/notifications?max_id={}>; rel=\"next\", <{base}/api/v1/notifications?min_id={}>; rel=\"prev\"",
            oldest.id, newest.id
        );
        if let Ok(v) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, v);
        }
    }
    response
}

// ----- search -------------------------------------------------------------------------------

/// The words of a text as the twin's "full-text index" sees them: lower case, split at
/// anything that is not a letter, digit or `_`.
fn index_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The hashtags of a text, lower case, without `#`.
fn hashtags_of(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter_map(|w| w.strip_prefix('#'))
        .map(|t| {
            t.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_'))
                .to_lowercase()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whether the owner may find `s` by search: public, the owner's own, or mentioning the owner.
fn searchable_by_owner(shared: &Shared, s: &TwinStatus) -> bool {
    let mention = format!("@{}", shared.options.username.to_lowercase());
    !s.deleted
        && (s.visibility == "public"
            || s.account_id == shared.owner_id
            || s.text
                .to_lowercase()
                .split_whitespace()
                .any(|w| w == mention || w.starts_with(&format!("{mention}@"))))
}

fn id_num(s: &TwinStatus) -> u64 {
    s.id.parse().unwrap_or(0)
}

async fn search(State(shared): S, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let signed_in = match headers.get(header::AUTHORIZATION) {
        None => false,
        Some(_) => {
            auth!(shared, headers);
            true
        }
    };
    let q = query_pairs(raw);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let mode = shared.options.search;
    if mode == TwinSearch::Substring && !signed_in {
        // snac: a bare 401 with an empty HTML body.
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "",
        )
            .into_response();
    }
    let Some(query) = get("q").map(str::trim).filter(|v| !v.is_empty()) else {
        if mode == TwinSearch::Substring {
            return ok(json!({"accounts": [], "statuses": [], "hashtags": []}));
        }
        return error(
            StatusCode::BAD_REQUEST,
            "param is missing or the value is empty: q",
        );
    };
    let offset = num(get("offset")).unwrap_or(0) as usize;
    if offset > 0 && !signed_in && mode == TwinSearch::FullText {
        return error(
            StatusCode::UNAUTHORIZED,
            "Search queries pagination is not supported without authentication",
        );
    }
    let wants_statuses = get("type").is_none_or(|t| t.is_empty() || t == "statuses");
    let g = shared.lock();
    let statuses: Vec<Value> = match mode {
        _ if !wants_statuses => Vec::new(),
        TwinSearch::Disabled => Vec::new(),
        TwinSearch::FullText => {
            let single_special =
                (query.starts_with('#') || query.contains('@')) && !query.contains(' ');
            if !signed_in || single_special {
                Vec::new()
            } else {
                let wanted = index_words(query);
                let limit = num(get("limit")).unwrap_or(20).clamp(1, 40) as usize;
                let max_id = num(get("max_id"));
                let min_id = num(get("min_id"));
                g.statuses
                    .iter()
                    .rev()
                    .filter(|s| searchable_by_owner(&shared, s))
                    .filter(|s| max_id.is_none_or(|m| id_num(s) < m))
                    .filter(|s| min_id.is_none_or(|m| id_num(s) > m))
                    .filter(|s| {
                        let words = index_words(&format!("{} {}", s.spoiler_text, s.text));
                        !wanted.is_empty() && wanted.iter().all(|w| words.contains(w))
                    })
                    .skip(offset)
                    .take(limit)
                    .map(|s| status_json(&shared, &g, s))
                    .collect()
            }
        }
        TwinSearch::Substring => {
            if offset > 0 {
                Vec::new()
            } else {
                let needle = query.to_lowercase();
                let owner = shared.owner_id.clone();
                let mention = format!("@{}", shared.options.username.to_lowercase());
                g.statuses
                    .iter()
                    .rev()
                    .filter(|s| !s.deleted)
                    .filter(|s| s.account_id == owner || s.text.to_lowercase().contains(&mention))
                    .filter(|s| s.text.to_lowercase().contains(&needle))
                    .map(|s| status_json(&shared, &g, s))
                    .collect()
            }
        }
    };
    ok(json!({"accounts": [], "statuses": statuses, "hashtags": []}))
}

async fn tag_timeline(
    State(shared): S,
    headers: HeaderMap,
    Path(tag): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if headers.get(header::AUTHORIZATION).is_some() {
        auth!(shared, headers);
    }
    let q = query_pairs(raw);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let list = |k: &str| -> Vec<String> {
        q.iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.to_lowercase())
            .collect()
    };
    let tag = tag.to_lowercase();
    let (all, any, none) = (list("all[]"), list("any[]"), list("none[]"));
    let limit = num(get("limit")).unwrap_or(20).clamp(1, 40) as usize;
    let max_id = num(get("max_id"));
    let since_id = num(get("since_id"));
    let min_id = num(get("min_id"));
    let g = shared.lock();
    let matching: Vec<&TwinStatus> = g
        .statuses
        .iter()
        .filter(|s| !s.deleted && s.visibility == "public")
        .filter(|s| {
            let tags = hashtags_of(&s.text);
            (tags.contains(&tag) || any.iter().any(|t| tags.contains(t)))
                && all.iter().all(|t| tags.contains(t))
                && !none.iter().any(|t| tags.contains(t))
        })
        .filter(|s| max_id.is_none_or(|m| id_num(s) < m))
        .filter(|s| since_id.is_none_or(|m| id_num(s) > m))
        .filter(|s| min_id.is_none_or(|m| id_num(s) > m))
        .collect();
    // `matching` is oldest first; min_id pages forward from it, the rest from the newest.
    let mut page: Vec<&TwinStatus> = if min_id.is_some() {
        matching.into_iter().take(limit).collect()
    } else {
        let skip = matching.len().saturating_sub(limit);
        matching.into_iter().skip(skip).collect()
    };
    page.reverse();
    let items: Vec<Value> = page.iter().map(|s| status_json(&shared, &g, s)).collect();
    let mut response = ok(Value::Array(items));
    if let (Some(newest), Some(oldest)) = (page.first(), page.last()) {
        let base = shared.base.as_str().trim_end_matches('/');
        let link = format!(
            "<{base}/api/v1/timelines/tag/{tag}?max_id={}>; rel=\"next\", <{base}/api/v1/timelines/tag/{tag}?min_id={}>; rel=\"prev\"",
            oldest.id, newest.id
        );
        if let Ok(v) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, v);
        }
    }
    response
}
