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
//!   429 with a reset, any 5xx with a JSON or HTML body, malformed JSON, an answer lost after
//!   the server acted.
//!
//! It is served by the shared twin server ([`crate::testkit::twin`]: request log, faults) and
//! keeps time by an injected clock ([`TwinOptions::clock`]): with a
//! [`ManualClock`](crate::clock::ManualClock) every `created_at`, rate-limit window and reset
//! is set by the test, so nothing in a test waits for time to pass.
//!
//! A [`TwinHandle`] inspects the state (requests seen, statuses created) and injects
//! interactions (a reply, a favourite, a reblog, a follow, a quote, a mention) from other
//! accounts.
//!
//! Sources of the shapes (the Mastodon documentation, docs.joinmastodon.org):
//! - instance documents: <https://docs.joinmastodon.org/methods/instance/#v2> and
//!   `#v1` (deprecated, `max_toot_chars` as servers such as Pleroma add it), the `configuration`
//!   object of <https://docs.joinmastodon.org/entities/Instance/#configuration>;
//! - apps and tokens: <https://docs.joinmastodon.org/methods/apps/#create>,
//!   <https://docs.joinmastodon.org/methods/oauth/#token> (errors: `invalid_grant` as in
//!   RFC 6749 §5.2), <https://docs.joinmastodon.org/methods/accounts/#verify_credentials>,
//!   <https://docs.joinmastodon.org/methods/accounts/#statuses>, the account entity
//!   <https://docs.joinmastodon.org/entities/Account/>;
//! - statuses: <https://docs.joinmastodon.org/methods/statuses/#create> (`Idempotency-Key`,
//!   the 422 `Validation failed: …` bodies), `#get`, `#edit`, `#delete`, the entity
//!   <https://docs.joinmastodon.org/entities/Status/> (HTML `content` with Mastodon's
//!   `invisible` link spans);
//! - media: <https://docs.joinmastodon.org/methods/media/#v2> (202 with `url: null`) and
//!   `#get` (206 while processing), the entity <https://docs.joinmastodon.org/entities/MediaAttachment/>;
//! - notifications: <https://docs.joinmastodon.org/methods/notifications/#get> (`types[]`,
//!   `exclude_types[]`, `Link` header as in <https://docs.joinmastodon.org/api/guidelines/#pagination>);
//!   snac's lower-bound `min_id` from snac's `mastoapi.c` (codeberg.org/grunfink/snac2);
//! - search: <https://docs.joinmastodon.org/methods/search/#v2> and the tag timeline
//!   <https://docs.joinmastodon.org/methods/timelines/#tag>;
//! - errors `{"error": …}`: <https://docs.joinmastodon.org/entities/Error/>; rate-limit
//!   headers: <https://docs.joinmastodon.org/api/rate-limits/>.
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

/// Answers 401 unless the request carries the owner's bearer token.
macro_rules! auth {
    ($shared:expr, $headers:expr) => {
        if let Err(r) = authorized(&$shared, &$headers) {
            return *r;
        }
    };
}

mod routes;
mod search;
mod state;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use url::Url;

use super::MastodonConfig;
use crate::Result;
use crate::clock::{SharedClock, SystemClock};
use crate::testkit::twin::{Canned, Faults, RequestLog, TwinServer};

use state::{Inner, Shared, TwinNotification};

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
    /// The twin's clock: `created_at`s, edits, token times, rate-limit windows and resets
    /// (default: the system clock). Give it a [`ManualClock`](crate::clock::ManualClock) and a
    /// test sets every instant itself.
    pub clock: SharedClock,
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
            clock: Arc::new(SystemClock),
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

impl Fault {
    /// The answer the shared fault layer gives, and whether the route runs first (a lost
    /// answer). A rate-limit reset is reckoned from `now`, the twin's clock at injection.
    fn canned(&self, now: DateTime<Utc>, rate_limit: u64) -> (Canned, bool) {
        match self {
            Fault::Status {
                status,
                body,
                content_type,
            } => (
                Canned {
                    status: *status,
                    content_type: content_type.clone(),
                    headers: Vec::new(),
                    body: body.clone(),
                },
                false,
            ),
            Fault::RateLimited { reset_in } => {
                let reset = now + chrono::Duration::from_std(*reset_in).unwrap_or_default();
                let answer = Canned::json(429, json!({ "error": "Too many requests" }))
                    .with_header("x-ratelimit-limit", &rate_limit.to_string())
                    .with_header("x-ratelimit-remaining", "0")
                    .with_header("x-ratelimit-reset", &routes::iso(reset));
                (answer, false)
            }
            Fault::MalformedJson => {
                let mut answer = Canned::malformed_json();
                answer.body = "{\"id\": \"1\", \"content\": ".into();
                (answer, false)
            }
            Fault::AnswerLost { status } => (Fault::html(*status).canned(now, rate_limit).0, true),
        }
    }
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
        let (log, faults) = (RequestLog::default(), Faults::default());
        let mut made = None;
        let server = TwinServer::start_with_base(|base| {
            let shared = Arc::new(Shared::new(options, base.clone()));
            made = Some(shared.clone());
            routes::app(shared, &log, &faults)
        })
        .await?;
        let shared = made.ok_or_else(|| {
            crate::Error::new(crate::ErrorKind::Unexpected, "the twin was not built")
        })?;
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

    /// The owner's access token.
    pub fn token(&self) -> &str {
        &self.handle.shared.options.token
    }

    /// The channel URL of the owner: `mastodon://TOKEN@127.0.0.1:PORT?scheme=http`.
    pub fn channel_url(&self) -> String {
        format!(
            "mastodon://{}@{}?scheme=http",
            self.handle.shared.options.token,
            self.server.addr()
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
    log: RequestLog,
    faults: Faults,
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

    /// The requests seen (every path, faults included).
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// The faults waiting to be answered (the shared twin vocabulary: any [`Canned`] answer).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The current instant by the twin's clock ([`TwinOptions::clock`]).
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.now()
    }

    /// Requests seen so far (every path, faults included).
    pub fn requests(&self) -> usize {
        self.log.count()
    }

    /// Requests seen whose method is `method` and whose path contains `path`.
    pub fn requests_to(&self, method: &str, path: &str) -> usize {
        self.log
            .all()
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.contains(path))
            .count()
    }

    /// Forgets the requests seen.
    pub fn reset_requests(&self) {
        self.log.reset();
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
        let (answer, lost) = fault.canned(self.shared.now(), self.shared.options.rate_limit);
        if lost {
            self.faults
                .inject_lost(skip, method, path_contains, times, answer);
        } else {
            self.faults
                .inject_after(skip, method, path_contains, times, answer);
        }
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        self.faults.clear();
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

    fn notify(
        g: &mut Inner,
        now: DateTime<Utc>,
        kind: &'static str,
        by: &str,
        status_id: Option<String>,
    ) -> u64 {
        let id: u64 = g.id().parse().unwrap_or_default();
        g.notifications.push(TwinNotification {
            id,
            kind,
            account_id: by.to_string(),
            status_id,
            created_at: now,
        });
        id
    }

    fn new_status(
        g: &mut Inner,
        now: DateTime<Utc>,
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
            created_at: now,
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
            self.shared.now(),
            by,
            &format!("@{owner} {text}"),
            Some(status_id),
            None,
        );
        if let Some(s) = g.status_mut(status_id) {
            s.replies += 1;
        }
        Self::notify(&mut g, self.shared.now(), "mention", by, Some(id.clone()));
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
        Self::new_status(&mut g, self.shared.now(), by, text, None, None)
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
        let id = Self::new_status(&mut g, self.shared.now(), by, text, None, None);
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
        let id = Self::new_status(
            &mut g,
            self.shared.now(),
            by,
            &format!("@{owner} {text}"),
            None,
            None,
        );
        Self::notify(&mut g, self.shared.now(), "mention", by, Some(id.clone()));
        id
    }

    /// `by` quotes status `status_id`; returns the quote's id.
    pub fn quote(&self, status_id: &str, by: &str, text: &str) -> String {
        let mut g = self.shared.lock();
        let id = Self::new_status(&mut g, self.shared.now(), by, text, None, Some(status_id));
        if let Some(s) = g.status_mut(status_id) {
            s.quotes += 1;
        }
        Self::notify(&mut g, self.shared.now(), "quote", by, Some(id.clone()));
        id
    }

    /// `by` favourites status `status_id`.
    pub fn favourite(&self, status_id: &str, by: &str) {
        let mut g = self.shared.lock();
        if let Some(s) = g.status_mut(status_id) {
            s.favourites += 1;
        }
        Self::notify(
            &mut g,
            self.shared.now(),
            "favourite",
            by,
            Some(status_id.to_string()),
        );
    }

    /// `by` reblogs status `status_id`.
    pub fn reblog(&self, status_id: &str, by: &str) {
        let mut g = self.shared.lock();
        if let Some(s) = g.status_mut(status_id) {
            s.reblogs += 1;
        }
        Self::notify(
            &mut g,
            self.shared.now(),
            "reblog",
            by,
            Some(status_id.to_string()),
        );
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
        Self::notify(&mut g, self.shared.now(), "follow", by, None);
    }

    /// Adds a notification of a type socialkit does not read as an interaction
    /// (`poll`, `update`, `admin.sign_up` …).
    pub fn other_notification(&self, kind: &'static str, by: &str) {
        let mut g = self.shared.lock();
        Self::notify(&mut g, self.shared.now(), kind, by, None);
    }

    /// Notifications stored.
    pub fn notifications(&self) -> usize {
        self.shared.lock().notifications.len()
    }
}
