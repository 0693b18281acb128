//! A local fake of a Bluesky PDS with its AppView, for tests (feature `testkit`).
//!
//! [`BlueskyTwin`] serves the XRPC methods the adapter uses on `127.0.0.1:<random port>` and
//! behaves as the lexicons and the reference PDS (0.5.x) do, as observed against the real
//! server of the peer kit:
//!
//! - `createSession` / `refreshSession` issue JWT-shaped tokens; an expired access token is
//!   answered with **HTTP 400 `ExpiredToken`**, an unknown one with 400 `InvalidToken`, a
//!   missing one with 401 `AuthMissing`; refreshing rotates the refresh token and the old one is
//!   then rejected with 400 `ExpiredToken` "Token has been revoked" (the real PDS keeps the old
//!   one valid for a 2-hour grace period; set [`TwinOptions::refresh_grace`] to mimic it);
//!   `createSession` is limited to 30 per 5 minutes per account, as on bsky.social.
//! - `createRecord` validates `app.bsky.feed.post` like the lexicon (300 graphemes, 3000 bytes,
//!   facets inside the text, ≤ 4 images with `alt`, blobs uploaded, ≤ 3 langs, TID record keys)
//!   and answers 400 `InvalidRequest` with the PDS's wording; a record key that is already taken
//!   gives **HTTP 500 `InternalServerError`**, which is what PDS 0.5.35 answers (the repo's MST
//!   throws "There is already a value at key").
//! - `uploadBlob`, `getRecord` (400 `RecordNotFound`), `listRecords` (reverse key order, key
//!   cursor), `deleteRecord` (200 even when the record is gone, then without `commit`), `resolveHandle` (400
//!   `HandleNotFound`).
//! - AppView reads: `getAuthorFeed` (posts and reposts by `sortAt`), `listNotifications`
//!   (newest first by `sortAt` = min(createdAt, indexedAt),
//!   cursor = the last item's `sortAt`, exactly like the AppView's keyset), `getPosts` (≤ 25
//!   URIs, else 400 `InvalidRequest`; deleted posts left out), `getProfile` with counts,
//!   `searchPosts` ([`TwinSearch`]: Bluesky's full-text search with `since`, `until`, `lang`,
//!   `tag`, or the local dev AppView's case-sensitive substring match; `limit` 1–100, newest
//!   first, keyset cursor `<millis>__<cid>`, `q` required). With
//!   [`TwinOptions::appview`] off they answer 400 "No service configured", like a bare PDS.
//! - `RateLimit-Limit/Remaining/Reset/Policy` headers on every answer, 429 `RateLimitExceeded`
//!   when the window is used up; injectable failures ([`Failure`]): 429, 5xx, HTML bodies,
//!   malformed JSON, any XRPC error, and a lost response after the write happened.
//!
//! Notifications come from records, as the AppView derives them: likes, reposts, follows,
//! replies (to every ancestor's author up to 5 levels), mentions (facets) and quotes — whether
//! the record was written through the XRPC API by another account or with the helper methods
//! ([`BlueskyTwin::like`], [`BlueskyTwin::reply`] …).
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use socialkit::adapters::bluesky::twin::BlueskyTwin;
//! let twin = BlueskyTwin::start().await.unwrap();
//! let alice = twin.account("alice.test").unwrap();
//! assert!(alice.did.starts_with("did:plc:"));
//! assert!(twin.channel_url("alice.test").unwrap().starts_with("bluesky://alice.test:"));
//! assert_eq!(twin.stats().sessions_created, 0);
//! # });
//! ```

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use unicode_segmentation::UnicodeSegmentation;

use super::tid::Tid;
use crate::clock::{SharedClock, SystemClock};
use crate::{Error, Result};

const POST: &str = "app.bsky.feed.post";
const LIKE: &str = "app.bsky.feed.like";
const REPOST: &str = "app.bsky.feed.repost";
const FOLLOW: &str = "app.bsky.graph.follow";
const PROFILE: &str = "app.bsky.actor.profile";
const MAX_BLOB_BYTES: usize = 52_428_800;

/// How the twin behaves; [`TwinOptions::default`] is the reference PDS with an AppView.
///
/// ```
/// use socialkit::adapters::bluesky::twin::TwinOptions;
/// let strict = TwinOptions { access_ttl: std::time::Duration::from_secs(5), ..TwinOptions::default() };
/// assert_eq!(strict.refresh_grace, std::time::Duration::ZERO);
/// ```
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// Lifetime of access tokens (the reference PDS: 120 minutes).
    pub access_ttl: Duration,
    /// Lifetime of refresh tokens (the reference PDS: 90 days).
    pub refresh_ttl: Duration,
    /// How long a rotated refresh token stays usable (the reference PDS: 2 hours; the twin
    /// defaults to zero so that tests prove the client stores the new one).
    pub refresh_grace: Duration,
    /// Requests per rate-limit window over all methods (the reference PDS: 3000 per 5 min).
    pub rate_limit: u32,
    /// The rate-limit window.
    pub rate_window: Duration,
    /// `createSession` calls per account per 5 minutes (bsky.social: 30).
    pub create_session_limit: u32,
    /// Whether `app.bsky.*` reads are served (an AppView behind the PDS) or answered with
    /// 400 "No service configured" like a bare PDS.
    pub appview: bool,
    /// Accounts created at start: (handle, password).
    pub accounts: Vec<(String, String)>,
    /// How `app.bsky.feed.searchPosts` matches.
    pub search: TwinSearch,
    /// The twin's clock: token lifetimes, rate-limit windows, index times and the
    /// `createdAt` of the records its helpers write. Give the adapter's HTTP client the same
    /// [`ManualClock`](crate::clock::ManualClock) and a test sets every instant itself.
    pub clock: SharedClock,
}

/// How the twin's `app.bsky.feed.searchPosts` matches posts.
///
/// ```
/// use socialkit::adapters::bluesky::twin::{TwinOptions, TwinSearch};
/// assert_eq!(TwinOptions::default().search, TwinSearch::FullText);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TwinSearch {
    /// Bluesky's AppView: every word of `q` (case-insensitive; `#tag` as a hashtag, `@handle`
    /// as a mention), and the `since`, `until`, `lang`, `tag` (all) and `author` parameters.
    #[default]
    FullText,
    /// The local dev AppView (as observed on the bluesky-network peer): `q` as one
    /// case-sensitive substring of the text; `since`, `until`, `lang` and `tag` ignored.
    Substring,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            access_ttl: Duration::from_secs(120 * 60),
            refresh_ttl: Duration::from_secs(90 * 24 * 3600),
            refresh_grace: Duration::ZERO,
            rate_limit: 3000,
            rate_window: Duration::from_secs(300),
            create_session_limit: 30,
            appview: true,
            accounts: vec![
                ("alice.test".into(), "alice-app-pass".into()),
                ("bob.test".into(), "bob-app-pass".into()),
            ],
            search: TwinSearch::FullText,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A failure the twin answers instead of the next matching request (see
/// [`BlueskyTwin::inject`]).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use socialkit::adapters::bluesky::twin::*;
/// let twin = BlueskyTwin::start().await.unwrap();
/// twin.inject("com.atproto.repo.createRecord", Failure::Status(503));
/// twin.inject("*", Failure::Html(502));
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 429 `RateLimitExceeded` with `RateLimit-*` headers resetting in `reset_in_secs`, and a
    /// `Retry-After` header when given.
    RateLimited {
        /// Seconds until `RateLimit-Reset`.
        reset_in_secs: u64,
        /// The `Retry-After` header's value in seconds, if any.
        retry_after_secs: Option<u64>,
    },
    /// A JSON XRPC error with this status, name and message.
    Xrpc {
        /// HTTP status.
        status: u16,
        /// The error name.
        error: String,
        /// The message.
        message: String,
    },
    /// A 5xx (or any status) with the PDS's `InternalServerError` body.
    Status(u16),
    /// An HTML body (a proxy's error page) with this status.
    Html(u16),
    /// HTTP 200 with a JSON body cut in the middle.
    MalformedJson,
    /// The request is processed normally (a write happens), then the answer is replaced by
    /// this status with an HTML body: a response lost on the way back.
    LoseResponse(u16),
}

/// What the twin saw, for assertions.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use socialkit::adapters::bluesky::twin::*;
/// let twin = BlueskyTwin::start().await.unwrap();
/// assert_eq!(twin.stats(), TwinStats::default());
/// # });
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TwinStats {
    /// Successful `createSession` calls.
    pub sessions_created: u64,
    /// Successful `refreshSession` calls.
    pub refreshes: u64,
    /// Requests per XRPC method (every answer, including failures).
    pub requests: BTreeMap<String, u64>,
}

impl TwinStats {
    /// Requests made to `method`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// assert_eq!(twin.stats().calls("com.atproto.repo.createRecord"), 0);
    /// # });
    /// ```
    pub fn calls(&self, method: &str) -> u64 {
        self.requests.get(method).copied().unwrap_or(0)
    }

    /// Requests made in total.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// assert_eq!(twin.stats().total(), 0);
    /// # });
    /// ```
    pub fn total(&self) -> u64 {
        self.requests.values().sum()
    }
}

/// An account of the twin.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use socialkit::adapters::bluesky::twin::*;
/// let twin = BlueskyTwin::start().await.unwrap();
/// let bob: TwinAccount = twin.account("bob.test").unwrap();
/// assert!(!format!("{bob:?}").contains(&bob.password));
/// # });
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TwinAccount {
    /// The handle (`alice.test`).
    pub handle: String,
    /// The DID.
    pub did: String,
    /// The app password.
    pub password: String,
}

impl fmt::Debug for TwinAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwinAccount")
            .field("handle", &self.handle)
            .field("did", &self.did)
            .field("password", &"***")
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Access,
    Refresh,
}

#[derive(Debug, Clone)]
struct TokenInfo {
    did: String,
    kind: TokenKind,
    expires_at: DateTime<Utc>,
    /// For refresh tokens: when it stops working after rotation.
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct StoredRecord {
    cid: String,
    value: Value,
    indexed_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct Notif {
    recipient: String,
    author: String,
    reason: &'static str,
    reason_subject: Option<String>,
    record_uri: String,
    sort_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct Blob {
    mime: String,
    size: usize,
}

struct TwinState {
    options: TwinOptions,
    accounts: Vec<TwinAccount>,
    tokens: HashMap<String, TokenInfo>,
    /// did -> collection -> rkey -> record
    repos: HashMap<String, BTreeMap<String, BTreeMap<String, StoredRecord>>>,
    blobs: HashMap<String, Blob>,
    notifications: Vec<Notif>,
    failures: HashMap<String, VecDeque<Failure>>,
    stats: TwinStats,
    window_start: DateTime<Utc>,
    window_used: u32,
    session_calls: HashMap<String, VecDeque<DateTime<Utc>>>,
    last_indexed: DateTime<Utc>,
}

impl TwinState {
    fn new(options: TwinOptions) -> Self {
        let mut s = TwinState {
            accounts: Vec::new(),
            tokens: HashMap::new(),
            repos: HashMap::new(),
            blobs: HashMap::new(),
            notifications: Vec::new(),
            failures: HashMap::new(),
            stats: TwinStats::default(),
            window_start: options.clock.now(),
            window_used: 0,
            session_calls: HashMap::new(),
            last_indexed: DateTime::<Utc>::MIN_UTC,
            options,
        };
        for (h, p) in s.options.accounts.clone() {
            s.add_account(&h, &p);
        }
        s
    }

    fn add_account(&mut self, handle: &str, password: &str) -> String {
        if let Some(a) = self.accounts.iter().find(|a| a.handle == handle) {
            return a.did.clone();
        }
        let did = format!("did:plc:{}", &b32(&sha(handle.as_bytes()))[..24]);
        self.accounts.push(TwinAccount {
            handle: handle.to_string(),
            did: did.clone(),
            password: password.to_string(),
        });
        self.repos.entry(did.clone()).or_default();
        did
    }

    fn account_by(&self, ident: &str) -> Option<&TwinAccount> {
        self.accounts.iter().find(|a| {
            a.handle == ident || a.did == ident || format!("{}@example.test", a.handle) == ident
        })
    }

    fn handle_of(&self, did: &str) -> String {
        self.account_by(did)
            .map(|a| a.handle.clone())
            .unwrap_or_else(|| "handle.invalid".into())
    }

    /// The current instant by the twin's clock.
    fn now(&self) -> DateTime<Utc> {
        self.options.clock.now()
    }

    /// A strictly increasing index time, so the twin's notification order is total.
    fn next_indexed_at(&mut self) -> DateTime<Utc> {
        let mut now = self.now();
        let min = self.last_indexed + chrono::Duration::milliseconds(1);
        if now < min {
            now = min;
        }
        self.last_indexed = now;
        now
    }

    fn issue_tokens(&mut self, did: &str) -> (String, String) {
        let now = self.now();
        let access = jwt(did, "com.atproto.access", now, self.options.access_ttl);
        let refresh = jwt(did, "com.atproto.refresh", now, self.options.refresh_ttl);
        self.tokens.insert(
            access.clone(),
            TokenInfo {
                did: did.to_string(),
                kind: TokenKind::Access,
                expires_at: now
                    + chrono::Duration::from_std(self.options.access_ttl).unwrap_or_default(),
                revoked_at: None,
            },
        );
        self.tokens.insert(
            refresh.clone(),
            TokenInfo {
                did: did.to_string(),
                kind: TokenKind::Refresh,
                expires_at: now
                    + chrono::Duration::from_std(self.options.refresh_ttl).unwrap_or_default(),
                revoked_at: None,
            },
        );
        (access, refresh)
    }

    fn record(&self, uri: &str) -> Option<&StoredRecord> {
        let (did, coll, rkey) = split_at_uri(uri)?;
        self.repos.get(did)?.get(coll)?.get(rkey)
    }

    fn author_of(uri: &str) -> Option<&str> {
        split_at_uri(uri).map(|(d, _, _)| d)
    }

    /// Stores a record and derives notifications from it, like the AppView's indexer.
    fn put_record(&mut self, did: &str, coll: &str, rkey: &str, value: Value) -> (String, String) {
        let cid = record_cid(&value);
        let uri = format!("at://{did}/{coll}/{rkey}");
        let indexed_at = self.next_indexed_at();
        self.repos
            .entry(did.to_string())
            .or_default()
            .entry(coll.to_string())
            .or_default()
            .insert(
                rkey.to_string(),
                StoredRecord {
                    cid: cid.clone(),
                    value: value.clone(),
                    indexed_at,
                },
            );
        let created = value
            .get("createdAt")
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(indexed_at);
        let sort_at = created.min(indexed_at);
        let mut notified: HashSet<String> = HashSet::new();
        let mut notify =
            |state: &mut TwinState, to: &str, reason: &'static str, subject: Option<String>| {
                if to == did || !notified.insert(to.to_string()) {
                    return;
                }
                state.notifications.push(Notif {
                    recipient: to.to_string(),
                    author: did.to_string(),
                    reason,
                    reason_subject: subject,
                    record_uri: uri.clone(),
                    sort_at,
                });
            };
        match coll {
            LIKE | REPOST => {
                if let Some(subject) = value.pointer("/subject/uri").and_then(Value::as_str) {
                    if let Some(to) = Self::author_of(subject).map(str::to_string) {
                        let reason = if coll == LIKE { "like" } else { "repost" };
                        notify(self, &to, reason, Some(subject.to_string()));
                    }
                }
            }
            FOLLOW => {
                if let Some(to) = value
                    .get("subject")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                {
                    notify(self, &to, "follow", None);
                }
            }
            POST => {
                // Replies notify the authors of up to 5 ancestors.
                let mut parent = value
                    .pointer("/reply/parent/uri")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let mut depth = 0;
                while let Some(p) = parent.take() {
                    if depth >= 5 {
                        break;
                    }
                    depth += 1;
                    if let Some(to) = Self::author_of(&p).map(str::to_string) {
                        notify(self, &to, "reply", Some(p.clone()));
                    }
                    parent = self
                        .record(&p)
                        .and_then(|r| r.value.pointer("/reply/parent/uri"))
                        .and_then(Value::as_str)
                        .map(str::to_string);
                }
                if let Some(facets) = value.get("facets").and_then(Value::as_array) {
                    for f in facets {
                        for feat in f
                            .get("features")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                        {
                            if feat.get("$type").and_then(Value::as_str)
                                == Some("app.bsky.richtext.facet#mention")
                            {
                                if let Some(to) =
                                    feat.get("did").and_then(Value::as_str).map(str::to_string)
                                {
                                    notify(self, &to, "mention", None);
                                }
                            }
                        }
                    }
                }
                if value.pointer("/embed/$type").and_then(Value::as_str)
                    == Some("app.bsky.embed.record")
                {
                    if let Some(q) = value.pointer("/embed/record/uri").and_then(Value::as_str) {
                        if let Some(to) = Self::author_of(q).map(str::to_string) {
                            notify(self, &to, "quote", Some(q.to_string()));
                        }
                    }
                }
            }
            _ => {}
        }
        (uri, cid)
    }

    fn delete_record(&mut self, did: &str, coll: &str, rkey: &str) -> bool {
        let uri = format!("at://{did}/{coll}/{rkey}");
        let removed = self
            .repos
            .get_mut(did)
            .and_then(|r| r.get_mut(coll))
            .and_then(|c| c.remove(rkey))
            .is_some();
        if removed {
            self.notifications.retain(|n| n.record_uri != uri);
        }
        removed
    }

    fn counts(&self, uri: &str) -> (u64, u64, u64, u64) {
        let mut likes = 0;
        let mut reposts = 0;
        let mut replies = 0;
        let mut quotes = 0;
        for colls in self.repos.values() {
            for (coll, recs) in colls {
                for r in recs.values() {
                    match coll.as_str() {
                        LIKE if r.value.pointer("/subject/uri").and_then(Value::as_str)
                            == Some(uri) =>
                        {
                            likes += 1
                        }
                        REPOST
                            if r.value.pointer("/subject/uri").and_then(Value::as_str)
                                == Some(uri) =>
                        {
                            reposts += 1
                        }
                        POST => {
                            if r.value.pointer("/reply/parent/uri").and_then(Value::as_str)
                                == Some(uri)
                            {
                                replies += 1;
                            }
                            if r.value.pointer("/embed/record/uri").and_then(Value::as_str)
                                == Some(uri)
                            {
                                quotes += 1;
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        (likes, reposts, replies, quotes)
    }

    /// An `app.bsky.feed.defs#postView` with counts, or `None` when there is no such post.
    fn post_view(&self, uri: &str) -> Option<Value> {
        let (did, coll, _) = split_at_uri(uri)?;
        if coll != POST {
            return None;
        }
        let r = self.record(uri)?;
        let (likes, reposts, replies, quotes) = self.counts(uri);
        Some(json!({
            "uri": uri, "cid": r.cid, "author": self.profile_basic(did), "record": r.value,
            "replyCount": replies, "repostCount": reposts, "likeCount": likes,
            "quoteCount": quotes, "bookmarkCount": 0,
            "indexedAt": r.indexed_at.to_rfc3339_opts(SecondsFormat::Millis, true), "labels": []
        }))
    }

    fn profile_basic(&self, did: &str) -> Value {
        let mut v = json!({"did": did, "handle": self.handle_of(did)});
        if let Some(name) = self
            .repos
            .get(did)
            .and_then(|r| r.get(PROFILE))
            .and_then(|c| c.get("self"))
            .and_then(|r| r.value.get("displayName").cloned())
        {
            v["displayName"] = name;
        }
        v
    }
}

/// A running twin. Dropping it stops the server.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use socialkit::adapters::bluesky::twin::*;
/// let twin = BlueskyTwin::start().await.unwrap();
/// let alice = twin.account("alice.test").unwrap();
/// let (uri, _cid) = twin.mention("bob.test", "alice.test", "hi").unwrap();
/// assert!(twin.record(&uri).is_some());
/// assert!(twin.posts(&alice.did).is_empty());
/// # });
/// ```
pub struct BlueskyTwin {
    addr: SocketAddr,
    state: Arc<Mutex<TwinState>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl fmt::Debug for BlueskyTwin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlueskyTwin")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Drop for BlueskyTwin {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl BlueskyTwin {
    /// Starts a twin with [`TwinOptions::default`] (accounts `alice.test` and `bob.test`).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// assert!(twin.account("alice.test").is_some() && twin.account("bob.test").is_some());
    /// # });
    /// ```
    pub async fn start() -> Result<BlueskyTwin> {
        Self::start_with(TwinOptions::default()).await
    }

    /// Starts a twin with `options` on `127.0.0.1:0`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::{BlueskyTwin, TwinOptions};
    /// let twin = BlueskyTwin::start_with(TwinOptions { appview: false, ..TwinOptions::default() })
    ///     .await
    ///     .unwrap();
    /// assert_eq!(twin.url().host_str(), Some("127.0.0.1"));
    /// # });
    /// ```
    pub async fn start_with(options: TwinOptions) -> Result<BlueskyTwin> {
        let state = Arc::new(Mutex::new(TwinState::new(options)));
        let app = Router::new()
            .route("/xrpc/{method}", any(dispatch))
            .layer(DefaultBodyLimit::max(MAX_BLOB_BYTES + 1024))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| {
                Error::new(crate::ErrorKind::Network, "twin: cannot bind").with_source(e)
            })?;
        let addr = listener.local_addr().map_err(|e| {
            Error::new(crate::ErrorKind::Network, "twin: no address").with_source(e)
        })?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(BlueskyTwin {
            addr,
            state,
            shutdown: Some(tx),
        })
    }

    fn lock(&self) -> MutexGuard<'_, TwinState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current instant by the twin's clock ([`TwinOptions::clock`]).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// use socialkit::adapters::bluesky::twin::{BlueskyTwin, TwinOptions};
    /// use socialkit::clock::ManualClock;
    /// let clock = ManualClock::new(chrono::Utc::now());
    /// let twin = BlueskyTwin::start_with(TwinOptions { clock: Arc::new(clock.clone()), ..TwinOptions::default() })
    ///     .await
    ///     .unwrap();
    /// clock.advance(chrono::Duration::seconds(5));
    /// assert_eq!(twin.now(), socialkit::clock::Clock::now(&clock));
    /// # });
    /// ```
    pub fn now(&self) -> DateTime<Utc> {
        self.lock().now()
    }

    fn now_str(&self) -> String {
        time_str(self.now())
    }

    /// An adapter for the account `handle` (signing in on first use), sending through an HTTP
    /// client on the twin's clock: with a [`ManualClock`](crate::clock::ManualClock) in
    /// [`TwinOptions::clock`], the adapter's `createdAt`s and the twin's instants are the
    /// test's.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::BlueskyTwin;
    /// use socialkit::PlatformExt;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let alice = twin.adapter("alice.test").unwrap();
    /// assert!(alice.publish_text("hello").await.is_ok());
    /// assert!(twin.adapter("nobody.test").is_err());
    /// # });
    /// ```
    pub fn adapter(&self, handle: &str) -> Result<super::Bluesky> {
        let url = self
            .channel_url(handle)
            .ok_or_else(|| Error::config(format!("the twin has no account {handle}")))?;
        let url = url::Url::parse(&url)
            .map_err(|e| Error::config(format!("the twin's channel URL is invalid: {e}")))?;
        let config = super::BlueskyConfig::from_url(&url)?;
        let clock = self.lock().options.clock.clone();
        let client = crate::http::Client::default().with_clock(clock);
        Ok(super::Bluesky::with_client(config, client))
    }

    /// The base URL (`http://127.0.0.1:<port>`).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// assert_eq!(twin.url().scheme(), "http");
    /// # });
    /// ```
    pub fn url(&self) -> url::Url {
        // A socket address always makes a valid URL.
        url::Url::parse(&format!("http://{}", self.addr)).unwrap_or_else(|_| {
            url::Url::parse("http://127.0.0.1/").unwrap_or_else(|_| unreachable!())
        })
    }

    /// The socket address.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// assert!(twin.addr().ip().is_loopback());
    /// # });
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A channel URL for `handle` (`bluesky://handle:password@127.0.0.1:port?scheme=http`).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let url = twin.channel_url("alice.test").unwrap();
    /// let bsky = socialkit::Registry::default().from_url(&url).unwrap();
    /// assert_eq!(bsky.name(), "bluesky");
    /// assert!(twin.channel_url("nobody.test").is_none());
    /// # });
    /// ```
    pub fn channel_url(&self, handle: &str) -> Option<String> {
        let a = self.account(handle)?;
        Some(format!(
            "bluesky://{}:{}@{}?scheme=http",
            a.handle, a.password, self.addr
        ))
    }

    /// An account by handle or DID.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let a = twin.account("alice.test").unwrap();
    /// assert_eq!(twin.account(&a.did), Some(a));
    /// # });
    /// ```
    pub fn account(&self, handle_or_did: &str) -> Option<TwinAccount> {
        self.lock().account_by(handle_or_did).cloned()
    }

    /// Creates an account (or returns the existing one's DID).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let did = twin.add_account("carla.test", "carla-pass");
    /// assert_eq!(twin.account("carla.test").unwrap().did, did);
    /// # });
    /// ```
    pub fn add_account(&self, handle: &str, password: &str) -> String {
        self.lock().add_account(handle, password)
    }

    /// What the twin saw.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// assert_eq!(twin.stats().sessions_created, 0);
    /// # });
    /// ```
    pub fn stats(&self) -> TwinStats {
        self.lock().stats.clone()
    }

    /// Makes the next request to `method` (an NSID, or `"*"` for any) fail with `failure`.
    /// Several injections queue up in order.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// use socialkit::PlatformExt;
    /// let bsky = socialkit::adapters::bluesky::Bluesky::from_url(&twin.channel_url("alice.test").unwrap()).unwrap();
    /// twin.inject("com.atproto.repo.createRecord", Failure::RateLimited { reset_in_secs: 60, retry_after_secs: None });
    /// let e = bsky.publish_text("hi").await.unwrap_err();
    /// assert_eq!(e.kind(), socialkit::ErrorKind::RateLimited);
    /// # });
    /// ```
    pub fn inject(&self, method: &str, failure: Failure) {
        self.lock()
            .failures
            .entry(method.to_string())
            .or_default()
            .push_back(failure);
    }

    /// Makes every access token issued so far expired (the next use gets 400 `ExpiredToken`).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// use socialkit::PlatformExt;
    /// let bsky = socialkit::adapters::bluesky::Bluesky::from_url(&twin.channel_url("alice.test").unwrap()).unwrap();
    /// bsky.sign_in().await.unwrap();
    /// twin.expire_access_tokens();
    /// bsky.publish_text("after a refresh").await.unwrap();
    /// assert_eq!(twin.stats().refreshes, 1);
    /// # });
    /// ```
    pub fn expire_access_tokens(&self) {
        let past = self.now() - chrono::Duration::seconds(1);
        for t in self.lock().tokens.values_mut() {
            if t.kind == TokenKind::Access {
                t.expires_at = past;
            }
        }
    }

    /// Revokes every refresh token issued so far (the next refresh gets 400 `ExpiredToken`).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// use socialkit::PlatformExt;
    /// let bsky = socialkit::adapters::bluesky::Bluesky::from_url(&twin.channel_url("alice.test").unwrap()).unwrap();
    /// bsky.sign_in().await.unwrap();
    /// twin.expire_access_tokens();
    /// twin.revoke_refresh_tokens();
    /// bsky.publish_text("after a new session").await.unwrap();
    /// assert_eq!(twin.stats().sessions_created, 2);
    /// # });
    /// ```
    pub fn revoke_refresh_tokens(&self) {
        let now = self.now();
        for t in self.lock().tokens.values_mut() {
            if t.kind == TokenKind::Refresh {
                t.revoked_at = Some(now);
            }
        }
    }

    /// Changes the lifetime of access tokens issued from now on.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// twin.set_access_ttl(std::time::Duration::from_secs(30));
    /// # });
    /// ```
    pub fn set_access_ttl(&self, ttl: Duration) {
        self.lock().options.access_ttl = ttl;
    }

    /// The posts of `did` as `(rkey, record)`, newest key first.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// use socialkit::PlatformExt;
    /// let bsky = socialkit::adapters::bluesky::Bluesky::from_url(&twin.channel_url("alice.test").unwrap()).unwrap();
    /// bsky.publish_text("one").await.unwrap();
    /// let did = twin.account("alice.test").unwrap().did;
    /// assert_eq!(twin.posts(&did)[0].1["text"], "one");
    /// # });
    /// ```
    pub fn posts(&self, did: &str) -> Vec<(String, Value)> {
        self.lock()
            .repos
            .get(did)
            .and_then(|r| r.get(POST))
            .map(|c| {
                c.iter()
                    .rev()
                    .map(|(k, r)| (k.clone(), r.value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A record by AT-URI.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let (uri, _) = twin.mention("bob.test", "alice.test", "hi").unwrap();
    /// assert!(twin.record(&uri).unwrap()["text"].as_str().unwrap().ends_with("hi"));
    /// # });
    /// ```
    pub fn record(&self, uri: &str) -> Option<Value> {
        self.lock().record(uri).map(|r| r.value.clone())
    }

    /// The number of blobs uploaded.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// assert_eq!(twin.blob_count(), 0);
    /// # });
    /// ```
    pub fn blob_count(&self) -> usize {
        self.lock().blobs.len()
    }

    fn write_as(&self, actor: &str, coll: &str, value: Value) -> Result<(String, String)> {
        let mut s = self.lock();
        let did = s
            .account_by(actor)
            .map(|a| a.did.clone())
            .ok_or_else(|| Error::validation(format!("twin: no account {actor}")))?;
        let rkey = Tid::now().to_string();
        Ok(s.put_record(&did, coll, &rkey, value))
    }

    fn subject(&self, uri: &str) -> Result<Value> {
        let s = self.lock();
        let r = s
            .record(uri)
            .ok_or_else(|| Error::new(crate::ErrorKind::NotFound, "twin: no such record"))?;
        Ok(json!({"uri": uri, "cid": r.cid}))
    }

    /// `actor` likes the post `uri`; returns the like's AT-URI.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let (post, _) = twin.mention("alice.test", "bob.test", "hi").unwrap();
    /// let like = twin.like("bob.test", &post).unwrap();
    /// assert!(like.contains("app.bsky.feed.like"));
    /// # });
    /// ```
    pub fn like(&self, actor: &str, uri: &str) -> Result<String> {
        let subject = self.subject(uri)?;
        self.write_as(
            actor,
            LIKE,
            json!({"$type": LIKE, "subject": subject, "createdAt": self.now_str()}),
        )
        .map(|(u, _)| u)
    }

    /// `actor` reposts the post `uri`; returns the repost's AT-URI.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let (post, _) = twin.mention("alice.test", "bob.test", "hi").unwrap();
    /// assert!(twin.repost("bob.test", &post).unwrap().contains("app.bsky.feed.repost"));
    /// # });
    /// ```
    pub fn repost(&self, actor: &str, uri: &str) -> Result<String> {
        let subject = self.subject(uri)?;
        self.write_as(
            actor,
            REPOST,
            json!({"$type": REPOST, "subject": subject, "createdAt": self.now_str()}),
        )
        .map(|(u, _)| u)
    }

    /// `actor` follows `subject` (a handle or DID); returns the follow's AT-URI.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// assert!(twin.follow("bob.test", "alice.test").unwrap().contains("app.bsky.graph.follow"));
    /// # });
    /// ```
    pub fn follow(&self, actor: &str, subject: &str) -> Result<String> {
        let did = self
            .account(subject)
            .map(|a| a.did)
            .ok_or_else(|| Error::validation("twin: no such account"))?;
        self.write_as(
            actor,
            FOLLOW,
            json!({"$type": FOLLOW, "subject": did, "createdAt": self.now_str()}),
        )
        .map(|(u, _)| u)
    }

    /// `actor` replies `text` to the post `parent_uri`; returns the reply's (uri, cid).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let (post, _) = twin.mention("alice.test", "bob.test", "hi").unwrap();
    /// let (reply, _) = twin.reply("bob.test", &post, "hello").unwrap();
    /// assert_eq!(twin.record(&reply).unwrap()["reply"]["parent"]["uri"], post.as_str());
    /// # });
    /// ```
    pub fn reply(&self, actor: &str, parent_uri: &str, text: &str) -> Result<(String, String)> {
        let parent = self.subject(parent_uri)?;
        let root = self
            .record(parent_uri)
            .and_then(|v| v.pointer("/reply/root").cloned())
            .unwrap_or_else(|| parent.clone());
        self.write_as(
            actor,
            POST,
            json!({"$type": POST, "text": text, "createdAt": self.now_str(),
                   "reply": {"root": root, "parent": parent}}),
        )
    }

    /// `actor` posts `text` (language `en`, tag facets for its `#hashtags`); returns (uri, cid).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let (uri, _) = twin.post("bob.test", "hello #acme").unwrap();
    /// assert_eq!(twin.record(&uri).unwrap()["facets"][0]["features"][0]["tag"], "acme");
    /// # });
    /// ```
    pub fn post(&self, actor: &str, text: &str) -> Result<(String, String)> {
        self.post_with(actor, text, Some("en"), self.now())
    }

    /// Like [`post`](Self::post), in `language` (`None`: no `langs`) and created at `at`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let at = "2026-01-05T10:00:00Z".parse().unwrap();
    /// let (uri, _) = twin.post_with("bob.test", "Hallo", Some("de"), at).unwrap();
    /// assert_eq!(twin.record(&uri).unwrap()["langs"][0], "de");
    /// # });
    /// ```
    pub fn post_with(
        &self,
        actor: &str,
        text: &str,
        language: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(String, String)> {
        let mut facets = Vec::new();
        let mut offset = 0;
        for word in text.split(' ') {
            if let Some(tag) = word.strip_prefix('#').filter(|t| !t.is_empty()) {
                facets.push(
                    json!({"index": {"byteStart": offset, "byteEnd": offset + word.len()},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]}),
                );
            }
            offset += word.len() + 1;
        }
        let mut record = json!({"$type": POST, "text": text, "facets": facets,
            "createdAt": at.to_rfc3339_opts(SecondsFormat::Millis, true)});
        if let Some(l) = language {
            record["langs"] = json!([l]);
        }
        self.write_as(actor, POST, record)
    }

    /// `actor` posts `text` mentioning `mentioned` (handle or DID) with a facet; returns (uri, cid).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let (uri, _) = twin.mention("bob.test", "alice.test", "look").unwrap();
    /// assert_eq!(twin.record(&uri).unwrap()["text"], "@alice.test look");
    /// # });
    /// ```
    pub fn mention(&self, actor: &str, mentioned: &str, text: &str) -> Result<(String, String)> {
        let acc = self
            .account(mentioned)
            .ok_or_else(|| Error::validation("twin: no such account"))?;
        let tag = format!("@{}", acc.handle);
        let full = format!("{tag} {text}");
        self.write_as(
            actor,
            POST,
            json!({"$type": POST, "text": full, "createdAt": self.now_str(),
                   "facets": [{"index": {"byteStart": 0, "byteEnd": tag.len()},
                               "features": [{"$type": "app.bsky.richtext.facet#mention", "did": acc.did}]}]}),
        )
    }

    /// `actor` quotes the post `uri` with `text`; returns (uri, cid).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::*;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let (post, _) = twin.mention("alice.test", "bob.test", "hi").unwrap();
    /// let (quote, _) = twin.quote("bob.test", &post, "this").unwrap();
    /// assert_eq!(twin.record(&quote).unwrap()["embed"]["record"]["uri"], post.as_str());
    /// # });
    /// ```
    pub fn quote(&self, actor: &str, uri: &str, text: &str) -> Result<(String, String)> {
        let subject = self.subject(uri)?;
        self.write_as(
            actor,
            POST,
            json!({"$type": POST, "text": text, "createdAt": self.now_str(),
                   "embed": {"$type": "app.bsky.embed.record", "record": subject}}),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// The behaviour-suite harness

/// A [`Harness`](crate::testkit::Harness) for the shared behaviour suite: the adapter signed in
/// as `alice.test` on a fresh twin, with `bob.test` making the interactions.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use socialkit::adapters::bluesky::twin::BlueskyTwinHarness;
/// use socialkit::testkit::{suite, SuiteOptions};
/// let harness = BlueskyTwinHarness::start().await.unwrap();
/// let report = suite::run(&harness, &SuiteOptions { only: vec!["publish_text".into()], ..Default::default() }).await;
/// report.assert_ok();
/// # });
/// ```
#[derive(Debug)]
pub struct BlueskyTwinHarness {
    twin: BlueskyTwin,
    platform: super::Bluesky,
}

impl BlueskyTwinHarness {
    /// Starts a twin with [`TwinOptions::default`] and signs the adapter in as `alice.test`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::testkit::Harness;
    /// let h = socialkit::adapters::bluesky::twin::BlueskyTwinHarness::start().await.unwrap();
    /// assert_eq!(h.platform().name(), "bluesky");
    /// # });
    /// ```
    pub async fn start() -> Result<BlueskyTwinHarness> {
        Self::start_with(TwinOptions::default()).await
    }

    /// Starts a twin with `options` (which must keep the accounts `alice.test` and `bob.test`).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::twin::{BlueskyTwinHarness, TwinOptions};
    /// let h = BlueskyTwinHarness::start_with(TwinOptions { rate_limit: 10_000, ..TwinOptions::default() }).await.unwrap();
    /// # let _ = h;
    /// # });
    /// ```
    pub async fn start_with(options: TwinOptions) -> Result<BlueskyTwinHarness> {
        let twin = BlueskyTwin::start_with(options).await?;
        let platform = twin.adapter("alice.test")?;
        Ok(BlueskyTwinHarness { twin, platform })
    }

    /// The twin, to inspect or inject failures.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let h = socialkit::adapters::bluesky::twin::BlueskyTwinHarness::start().await.unwrap();
    /// assert_eq!(h.twin().stats().total(), 0);
    /// # });
    /// ```
    pub fn twin(&self) -> &BlueskyTwin {
        &self.twin
    }

    /// The adapter under test.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let h = socialkit::adapters::bluesky::twin::BlueskyTwinHarness::start().await.unwrap();
    /// assert_eq!(h.bluesky().config().identifier, "alice.test");
    /// # });
    /// ```
    pub fn bluesky(&self) -> &super::Bluesky {
        &self.platform
    }
}

#[async_trait::async_trait]
impl crate::testkit::Harness for BlueskyTwinHarness {
    fn platform(&self) -> Arc<dyn crate::Platform> {
        Arc::new(self.platform.clone())
    }

    async fn induce_interaction(
        &self,
        post: &crate::model::PostRef,
        kind: crate::model::InteractionKind,
    ) -> Result<bool> {
        use crate::model::InteractionKind as K;
        let bob = "bob.test";
        match kind {
            K::Reply => self
                .twin
                .reply(bob, &post.id, "A reply from bob")
                .map(drop)?,
            K::Like => self.twin.like(bob, &post.id).map(drop)?,
            K::Repost => self.twin.repost(bob, &post.id).map(drop)?,
            K::Quote => self.twin.quote(bob, &post.id, "Quoting alice").map(drop)?,
            K::Mention => self.twin.mention(bob, "alice.test", "hello").map(drop)?,
            K::Follow => self.twin.follow(bob, "alice.test").map(drop)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    async fn thread_parent(&self, post: &crate::model::PostRef) -> Result<Option<String>> {
        let record = self
            .twin
            .record(&post.id)
            .ok_or_else(|| Error::new(crate::ErrorKind::NotFound, "the twin has no such record"))?;
        Ok(record
            .pointer("/reply/parent/uri")
            .and_then(Value::as_str)
            .map(str::to_string))
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// An instant as the PDS writes it (RFC 3339, milliseconds, `Z`).
fn time_str(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn b32(bytes: &[u8]) -> String {
    const A: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::new();
    let mut buf: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        buf = (buf << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            out.push(A[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn record_cid(value: &Value) -> String {
    format!("bafyrei{}", &b32(&sha(value.to_string().as_bytes()))[..52])
}

fn blob_cid(bytes: &[u8]) -> String {
    format!("bafkrei{}", &b32(&sha(bytes))[..52])
}

fn jwt(did: &str, scope: &str, now: DateTime<Utc>, ttl: Duration) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"typ":"at+jwt","alg":"HS256"}"#);
    let payload = json!({
        "scope": scope,
        "sub": did,
        "aud": "did:web:twin.invalid",
        "iat": now.timestamp(),
        "exp": now.timestamp() + ttl.as_secs() as i64,
        "jti": format!("{:016x}", rand::random::<u64>()),
    });
    let body = b64.encode(payload.to_string().as_bytes());
    let sig = b64.encode(rand::random::<[u8; 32]>());
    format!("{header}.{body}.{sig}")
}

fn split_at_uri(uri: &str) -> Option<(&str, &str, &str)> {
    let rest = uri.strip_prefix("at://")?;
    let mut it = rest.splitn(3, '/');
    let did = it.next()?;
    let coll = it.next()?;
    let rkey = it.next()?;
    if did.is_empty() || coll.is_empty() || rkey.is_empty() || rkey.contains('/') {
        return None;
    }
    Some((did, coll, rkey))
}

fn query_pairs(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

struct Answer {
    status: StatusCode,
    body: Body,
    content_type: &'static str,
    extra: Vec<(&'static str, String)>,
}

impl Answer {
    fn json(status: u16, v: Value) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: Body::from(v.to_string()),
            content_type: "application/json; charset=utf-8",
            extra: Vec::new(),
        }
    }

    fn ok(v: Value) -> Answer {
        Answer::json(200, v)
    }

    fn err(status: u16, error: &str, message: &str) -> Answer {
        Answer::json(status, json!({"error": error, "message": message}))
    }

    fn invalid(message: &str) -> Answer {
        Answer::err(400, "InvalidRequest", message)
    }

    fn html(status: u16) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            body: Body::from(format!(
                "<html><head><title>{status}</title></head><body><h1>{status} Bad Gateway</h1><hr>nginx</body></html>"
            )),
            content_type: "text/html",
            extra: Vec::new(),
        }
    }
}

const PROCEDURES: &[&str] = &[
    "com.atproto.server.createSession",
    "com.atproto.server.refreshSession",
    "com.atproto.server.deleteSession",
    "com.atproto.repo.createRecord",
    "com.atproto.repo.deleteRecord",
    "com.atproto.repo.uploadBlob",
];

const QUERIES: &[&str] = &[
    "com.atproto.server.getSession",
    "com.atproto.repo.getRecord",
    "com.atproto.repo.listRecords",
    "com.atproto.identity.resolveHandle",
    "app.bsky.notification.listNotifications",
    "app.bsky.feed.getPosts",
    "app.bsky.feed.getAuthorFeed",
    "app.bsky.actor.getProfile",
    "app.bsky.feed.searchPosts",
    "_health",
];

async fn dispatch(
    State(state): State<Arc<Mutex<TwinState>>>,
    Path(method): Path<String>,
    http_method: Method,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    *s.stats.requests.entry(method.clone()).or_insert(0) += 1;

    // The global rate-limit window.
    let now = s.now();
    let window = chrono::Duration::from_std(s.options.rate_window).unwrap_or_default();
    if now >= s.window_start + window {
        s.window_start = now;
        s.window_used = 0;
    }
    s.window_used += 1;
    let limit = s.options.rate_limit;
    let reset = (s.window_start + window).timestamp();
    let policy = format!("{};w={}", limit, s.options.rate_window.as_secs());
    let remaining = limit.saturating_sub(s.window_used);
    let rl_headers = |mut a: Answer, limit: u32, remaining: u32, reset: i64, policy: &str| {
        a.extra.push(("ratelimit-limit", limit.to_string()));
        a.extra.push(("ratelimit-remaining", remaining.to_string()));
        a.extra.push(("ratelimit-reset", reset.to_string()));
        a.extra.push(("ratelimit-policy", policy.to_string()));
        a
    };

    let injected = s
        .failures
        .get_mut(&method)
        .and_then(VecDeque::pop_front)
        .or_else(|| s.failures.get_mut("*").and_then(VecDeque::pop_front));

    let answer = if s.window_used > limit {
        Answer::err(429, "RateLimitExceeded", "Rate Limit Exceeded")
    } else {
        match injected {
            Some(Failure::RateLimited {
                reset_in_secs,
                retry_after_secs,
            }) => {
                let mut a = Answer::err(429, "RateLimitExceeded", "Rate Limit Exceeded");
                let reset = now.timestamp() + reset_in_secs as i64;
                a = rl_headers(a, limit, 0, reset, &policy);
                if let Some(r) = retry_after_secs {
                    a.extra.push(("retry-after", r.to_string()));
                }
                return finish(a);
            }
            Some(Failure::Xrpc {
                status,
                error,
                message,
            }) => Answer::err(status, &error, &message),
            Some(Failure::Status(code)) => {
                Answer::err(code, "InternalServerError", "Internal Server Error")
            }
            Some(Failure::Html(code)) => Answer::html(code),
            Some(Failure::MalformedJson) => Answer {
                status: StatusCode::OK,
                body: Body::from(r#"{"uri": "at://did:plc:x/app.bsky.feed.post/3k"#),
                content_type: "application/json; charset=utf-8",
                extra: Vec::new(),
            },
            Some(Failure::LoseResponse(code)) => {
                let _ = handle(&mut s, &method, &http_method, &raw, &headers, &body);
                Answer::html(code)
            }
            None => handle(&mut s, &method, &http_method, &raw, &headers, &body),
        }
    };
    finish(rl_headers(answer, limit, remaining, reset, &policy))
}

fn finish(a: Answer) -> Response {
    let mut resp = (a.status, a.body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(a.content_type),
    );
    for (k, v) in a.extra {
        if let Ok(v) = HeaderValue::from_str(&v) {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Verifies the bearer token like the PDS: missing → 401 AuthMissing; unknown or wrong kind →
/// 400 InvalidToken; expired → 400 ExpiredToken.
fn authenticate(
    s: &TwinState,
    headers: &HeaderMap,
    kind: TokenKind,
) -> std::result::Result<(String, String), Answer> {
    let Some(token) = bearer(headers) else {
        return Err(Answer::err(401, "AuthMissing", "Authentication Required"));
    };
    let Some(info) = s.tokens.get(token) else {
        return Err(Answer::err(
            400,
            "InvalidToken",
            "Token could not be verified",
        ));
    };
    if info.kind != kind {
        return Err(Answer::err(
            400,
            "InvalidToken",
            "Token could not be verified",
        ));
    }
    if info.expires_at <= s.now() {
        return Err(Answer::err(400, "ExpiredToken", "Token has expired"));
    }
    Ok((info.did.clone(), token.to_string()))
}

fn handle(
    s: &mut TwinState,
    method: &str,
    http_method: &Method,
    raw: &Option<String>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Answer {
    let is_proc = PROCEDURES.contains(&method);
    let is_query = QUERIES.contains(&method);
    if !is_proc && !is_query {
        if method.starts_with("app.bsky.") && !s.options.appview {
            return Answer::invalid(&format!("No service configured for {method}"));
        }
        return Answer::err(501, "MethodNotImplemented", "Method Not Implemented");
    }
    if is_proc && http_method != Method::POST {
        return Answer::invalid(&format!(
            "Incorrect HTTP method ({http_method}) expected POST"
        ));
    }
    if is_query && http_method != Method::GET {
        return Answer::invalid(&format!(
            "Incorrect HTTP method ({http_method}) expected GET"
        ));
    }
    if method.starts_with("app.bsky.") && !s.options.appview {
        return Answer::invalid(&format!("No service configured for {method}"));
    }
    let q = query_pairs(raw);
    let json_body = || -> std::result::Result<Value, Answer> {
        serde_json::from_slice::<Value>(body)
            .map_err(|_| Answer::invalid("Request body is not valid JSON"))
    };
    match method {
        "_health" => Answer::ok(json!({"version": "socialkit-twin"})),
        "com.atproto.server.createSession" => {
            let input = match json_body() {
                Ok(v) => v,
                Err(a) => return a,
            };
            let ident = input
                .get("identifier")
                .and_then(Value::as_str)
                .unwrap_or("");
            let password = input.get("password").and_then(Value::as_str).unwrap_or("");
            let Some(acc) = s.account_by(ident).cloned() else {
                return Answer::err(
                    401,
                    "AuthenticationRequired",
                    "Invalid identifier or password",
                );
            };
            if acc.password != password {
                return Answer::err(
                    401,
                    "AuthenticationRequired",
                    "Invalid identifier or password",
                );
            }
            let now = s.now();
            let limit = s.options.create_session_limit as usize;
            let calls = s.session_calls.entry(acc.did.clone()).or_default();
            while calls
                .front()
                .is_some_and(|t| *t + chrono::Duration::minutes(5) <= now)
            {
                calls.pop_front();
            }
            if calls.len() >= limit {
                let reset = calls
                    .front()
                    .map(|t| (*t + chrono::Duration::minutes(5)).timestamp())
                    .unwrap_or(0);
                let mut a = Answer::err(429, "RateLimitExceeded", "Rate Limit Exceeded");
                a.extra.push(("ratelimit-limit", limit.to_string()));
                a.extra.push(("ratelimit-remaining", "0".into()));
                a.extra.push(("ratelimit-reset", reset.to_string()));
                a.extra.push(("ratelimit-policy", format!("{limit};w=300")));
                return a;
            }
            calls.push_back(now);
            let (access, refresh) = s.issue_tokens(&acc.did);
            s.stats.sessions_created += 1;
            Answer::ok(json!({
                "accessJwt": access, "refreshJwt": refresh, "handle": acc.handle, "did": acc.did,
                "email": format!("{}@example.test", acc.handle), "emailConfirmed": false, "active": true
            }))
        }
        "com.atproto.server.refreshSession" => {
            let Some(token) = bearer(headers).map(str::to_string) else {
                return Answer::err(401, "AuthMissing", "Authentication Required");
            };
            let Some(info) = s.tokens.get(&token).cloned() else {
                return Answer::err(400, "InvalidToken", "Token could not be verified");
            };
            if info.kind != TokenKind::Refresh {
                return Answer::err(400, "InvalidToken", "Token could not be verified");
            }
            let now = s.now();
            if info.expires_at <= now {
                return Answer::err(400, "ExpiredToken", "Token has expired");
            }
            if info.revoked_at.is_some_and(|r| r <= now) {
                return Answer::err(400, "ExpiredToken", "Token has been revoked");
            }
            let grace = chrono::Duration::from_std(s.options.refresh_grace).unwrap_or_default();
            if let Some(t) = s.tokens.get_mut(&token) {
                t.revoked_at = Some(now + grace);
            }
            let (access, refresh) = s.issue_tokens(&info.did);
            s.stats.refreshes += 1;
            let handle = s.handle_of(&info.did);
            Answer::ok(json!({
                "accessJwt": access, "refreshJwt": refresh, "handle": handle, "did": info.did, "active": true
            }))
        }
        "com.atproto.server.getSession" => match authenticate(s, headers, TokenKind::Access) {
            Ok((did, _)) => {
                Answer::ok(json!({"did": did, "handle": s.handle_of(&did), "active": true}))
            }
            Err(a) => a,
        },
        "com.atproto.server.deleteSession" => match authenticate(s, headers, TokenKind::Refresh) {
            Ok((_, token)) => {
                s.tokens.remove(&token);
                Answer::ok(json!({}))
            }
            Err(a) => a,
        },
        "com.atproto.repo.uploadBlob" => {
            if let Err(a) = authenticate(s, headers, TokenKind::Access) {
                return a;
            }
            let mime = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream")
                .to_string();
            if body.len() > MAX_BLOB_BYTES {
                return Answer::err(400, "BlobTooLarge", "This file is too large");
            }
            let cid = blob_cid(body);
            s.blobs.insert(
                cid.clone(),
                Blob {
                    mime: mime.clone(),
                    size: body.len(),
                },
            );
            Answer::ok(
                json!({"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": body.len()}}),
            )
        }
        "com.atproto.repo.createRecord" => {
            let did = match authenticate(s, headers, TokenKind::Access) {
                Ok((did, _)) => did,
                Err(a) => return a,
            };
            let input = match json_body() {
                Ok(v) => v,
                Err(a) => return a,
            };
            let repo = input.get("repo").and_then(Value::as_str).unwrap_or("");
            let Some(owner) = s.account_by(repo).map(|a| a.did.clone()) else {
                return Answer::invalid(&format!("Could not find repo: {repo}"));
            };
            if owner != did {
                return Answer::err(401, "AuthenticationRequired", "Authentication Required");
            }
            let Some(coll) = input
                .get("collection")
                .and_then(Value::as_str)
                .map(str::to_string)
            else {
                return Answer::invalid("Input must have the property \"collection\"");
            };
            let Some(record) = input.get("record").cloned() else {
                return Answer::invalid("Input must have the property \"record\"");
            };
            let rkey = match input.get("rkey").and_then(Value::as_str) {
                Some(k) => {
                    if !Tid::is_valid(k) {
                        return Answer::invalid(&format!(
                            "Invalid record key for {coll}: Invalid TID string (got \"{k}\") at $"
                        ));
                    }
                    k.to_string()
                }
                None => Tid::now().to_string(),
            };
            if coll == POST {
                if let Err(msg) = validate_post(&record, &s.blobs) {
                    return Answer::invalid(&format!("Invalid app.bsky.feed.post record: {msg}"));
                }
            }
            let exists = s
                .repos
                .get(&did)
                .and_then(|r| r.get(&coll))
                .is_some_and(|c| c.contains_key(&rkey));
            if exists {
                // What PDS 0.5.35 answers: the MST throws, the XRPC layer makes it a 500.
                return Answer::err(500, "InternalServerError", "Internal Server Error");
            }
            let mut record = record;
            if record.get("$type").is_none() {
                record["$type"] = Value::String(coll.clone());
            }
            let (uri, cid) = s.put_record(&did, &coll, &rkey, record);
            Answer::ok(json!({
                "uri": uri, "cid": cid,
                "commit": {"cid": record_cid(&json!(uri)), "rev": Tid::now().to_string()},
                "validationStatus": "valid"
            }))
        }
        "com.atproto.repo.deleteRecord" => {
            let did = match authenticate(s, headers, TokenKind::Access) {
                Ok((did, _)) => did,
                Err(a) => return a,
            };
            let input = match json_body() {
                Ok(v) => v,
                Err(a) => return a,
            };
            let repo = input.get("repo").and_then(Value::as_str).unwrap_or("");
            if s.account_by(repo).map(|a| a.did.as_str()) != Some(did.as_str()) {
                return Answer::err(401, "AuthenticationRequired", "Authentication Required");
            }
            let coll = input
                .get("collection")
                .and_then(Value::as_str)
                .unwrap_or("");
            let rkey = input.get("rkey").and_then(Value::as_str).unwrap_or("");
            if s.delete_record(&did, coll, rkey) {
                Answer::ok(
                    json!({"commit": {"cid": record_cid(&json!(rkey)), "rev": Tid::now().to_string()}}),
                )
            } else {
                // The PDS: a no-op, 200 without a commit.
                Answer::ok(json!({}))
            }
        }
        "com.atproto.repo.getRecord" => {
            let (Some(repo), Some(coll), Some(rkey)) = (
                param(&q, "repo"),
                param(&q, "collection"),
                param(&q, "rkey"),
            ) else {
                return Answer::invalid(
                    "Params must have the properties \"repo\", \"collection\" and \"rkey\"",
                );
            };
            let Some(did) = s.account_by(repo).map(|a| a.did.clone()) else {
                return Answer::invalid(&format!("Could not find repo: {repo}"));
            };
            let uri = format!("at://{did}/{coll}/{rkey}");
            match s
                .repos
                .get(&did)
                .and_then(|r| r.get(coll))
                .and_then(|c| c.get(rkey))
            {
                Some(r) => Answer::ok(json!({"uri": uri, "cid": r.cid, "value": r.value})),
                None => Answer::err(
                    400,
                    "RecordNotFound",
                    &format!("Could not locate record: {uri}"),
                ),
            }
        }
        "com.atproto.repo.listRecords" => {
            let (Some(repo), Some(coll)) = (param(&q, "repo"), param(&q, "collection")) else {
                return Answer::invalid(
                    "Params must have the properties \"repo\" and \"collection\"",
                );
            };
            let Some(did) = s.account_by(repo).map(|a| a.did.clone()) else {
                return Answer::invalid(&format!("Could not find repo: {repo}"));
            };
            let limit = match param(&q, "limit").map(str::parse::<usize>) {
                None => 50,
                Some(Ok(n)) if (1..=100).contains(&n) => n,
                Some(_) => return Answer::invalid("limit must be between 1 and 100"),
            };
            let cursor = param(&q, "cursor");
            let reverse = param(&q, "reverse") == Some("true");
            let empty = BTreeMap::new();
            let recs = s
                .repos
                .get(&did)
                .and_then(|r| r.get(coll))
                .unwrap_or(&empty);
            let items: Vec<Value> = if reverse {
                recs.iter()
                    .filter(|(k, _)| cursor.is_none_or(|c| k.as_str() > c))
                    .take(limit)
                    .map(|(k, r)| json!({"uri": format!("at://{did}/{coll}/{k}"), "cid": r.cid, "value": r.value}))
                    .collect()
            } else {
                recs.iter()
                    .rev()
                    .filter(|(k, _)| cursor.is_none_or(|c| k.as_str() < c))
                    .take(limit)
                    .map(|(k, r)| json!({"uri": format!("at://{did}/{coll}/{k}"), "cid": r.cid, "value": r.value}))
                    .collect()
            };
            let next = items
                .last()
                .and_then(|v| v.get("uri"))
                .and_then(Value::as_str)
                .and_then(|u| u.rsplit('/').next())
                .map(str::to_string);
            let mut out = json!({"records": items});
            if let Some(c) = next {
                out["cursor"] = Value::String(c);
            }
            Answer::ok(out)
        }
        "com.atproto.identity.resolveHandle" => {
            let handle = param(&q, "handle").unwrap_or("");
            match s
                .accounts
                .iter()
                .find(|a| a.handle.eq_ignore_ascii_case(handle))
            {
                Some(a) => Answer::ok(json!({"did": a.did})),
                None => Answer::err(400, "HandleNotFound", "Unable to resolve handle"),
            }
        }
        "app.bsky.notification.listNotifications" => {
            let did = match authenticate(s, headers, TokenKind::Access) {
                Ok((did, _)) => did,
                Err(a) => return a,
            };
            let limit = match param(&q, "limit").map(str::parse::<usize>) {
                None => 50,
                Some(Ok(n)) if (1..=100).contains(&n) => n,
                Some(_) => return Answer::invalid("limit must be between 1 and 100"),
            };
            let cursor = match param(&q, "cursor") {
                None => None,
                Some(c) => match DateTime::parse_from_rfc3339(c) {
                    Ok(d) => Some(d.with_timezone(&Utc)),
                    Err(_) => return Answer::invalid("Malformed cursor"),
                },
            };
            let reasons: Vec<&str> = q
                .iter()
                .filter(|(k, _)| k == "reasons")
                .map(|(_, v)| v.as_str())
                .collect();
            let mut mine: Vec<&Notif> = s
                .notifications
                .iter()
                .filter(|n| n.recipient == did)
                .filter(|n| reasons.is_empty() || reasons.contains(&n.reason))
                .filter(|n| cursor.is_none_or(|c| n.sort_at < c))
                .collect();
            mine.sort_by(|a, b| {
                b.sort_at
                    .cmp(&a.sort_at)
                    .then_with(|| b.record_uri.cmp(&a.record_uri))
            });
            let more = mine.len() > limit;
            let page: Vec<Value> = mine
                .iter()
                .take(limit)
                .map(|n| {
                    let (cid, record) = s
                        .record(&n.record_uri)
                        .map(|r| (r.cid.clone(), r.value.clone()))
                        .unwrap_or_default();
                    let mut v = json!({
                        "uri": n.record_uri, "cid": cid, "author": s.profile_basic(&n.author),
                        "reason": n.reason, "record": record, "isRead": false,
                        "indexedAt": n.sort_at.to_rfc3339_opts(SecondsFormat::Millis, true), "labels": []
                    });
                    if let Some(subj) = &n.reason_subject {
                        v["reasonSubject"] = Value::String(subj.clone());
                    }
                    v
                })
                .collect();
            let mut out = json!({"notifications": page});
            if more {
                if let Some(last) = mine.get(limit.saturating_sub(1)) {
                    out["cursor"] =
                        Value::String(last.sort_at.to_rfc3339_opts(SecondsFormat::Millis, true));
                }
            }
            Answer::ok(out)
        }
        "app.bsky.feed.getPosts" => {
            if let Err(a) = authenticate(s, headers, TokenKind::Access) {
                return a;
            }
            let uris: Vec<&str> = q
                .iter()
                .filter(|(k, _)| k == "uris")
                .map(|(_, v)| v.as_str())
                .collect();
            if uris.is_empty() {
                return Answer::invalid("Error: Params must have the property \"uris\"");
            }
            if uris.len() > 25 {
                return Answer::invalid("Error: uris must not have more than 25 elements");
            }
            let mut posts = Vec::new();
            for uri in uris {
                if split_at_uri(uri).is_none() {
                    return Answer::invalid("Error: uris must be valid at-uris");
                }
                if let Some(v) = s.post_view(uri) {
                    posts.push(v);
                }
            }
            Answer::ok(json!({"posts": posts}))
        }
        "app.bsky.feed.getAuthorFeed" => {
            if let Err(a) = authenticate(s, headers, TokenKind::Access) {
                return a;
            }
            let actor = param(&q, "actor").unwrap_or("");
            let Some(did) = s.account_by(actor).map(|a| a.did.clone()) else {
                return Answer::invalid("Profile not found");
            };
            let limit = match param(&q, "limit").map(str::parse::<usize>) {
                None => 50,
                Some(Ok(n)) if (1..=100).contains(&n) => n,
                Some(_) => return Answer::invalid("limit must be between 1 and 100"),
            };
            let cursor = match param(&q, "cursor") {
                None => None,
                Some(c) => match DateTime::parse_from_rfc3339(c) {
                    Ok(d) => Some(d.with_timezone(&Utc)),
                    Err(_) => return Answer::invalid("Malformed cursor"),
                },
            };
            // The author's posts and reposts, by sortAt = min(createdAt, indexedAt).
            let sort_at = |r: &StoredRecord| {
                r.value
                    .get("createdAt")
                    .and_then(Value::as_str)
                    .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
                    .map(|d| d.with_timezone(&Utc))
                    .map_or(r.indexed_at, |c| c.min(r.indexed_at))
            };
            let mut items: Vec<(DateTime<Utc>, Value)> = Vec::new();
            if let Some(repo) = s.repos.get(&did) {
                for (rkey, r) in repo.get(POST).into_iter().flatten() {
                    if let Some(v) = s.post_view(&format!("at://{did}/{POST}/{rkey}")) {
                        items.push((sort_at(r), json!({"post": v})));
                    }
                }
                for r in repo.get(REPOST).into_iter().flat_map(|c| c.values()) {
                    let subject = r
                        .value
                        .pointer("/subject/uri")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if let Some(v) = s.post_view(subject) {
                        let reason = json!({"$type": "app.bsky.feed.defs#reasonRepost",
                            "by": s.profile_basic(&did),
                            "indexedAt": r.indexed_at.to_rfc3339_opts(SecondsFormat::Millis, true)});
                        items.push((sort_at(r), json!({"post": v, "reason": reason})));
                    }
                }
            }
            items.sort_by_key(|b| std::cmp::Reverse(b.0));
            let items: Vec<(DateTime<Utc>, Value)> = items
                .into_iter()
                .filter(|(t, _)| cursor.is_none_or(|c| *t < c))
                .collect();
            let more = items.len() > limit;
            let page: Vec<&(DateTime<Utc>, Value)> = items.iter().take(limit).collect();
            let mut out = json!({"feed": page.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>()});
            if more {
                if let Some((t, _)) = page.last() {
                    out["cursor"] = Value::String(t.to_rfc3339_opts(SecondsFormat::Millis, true));
                }
            }
            Answer::ok(out)
        }
        "app.bsky.feed.searchPosts" => {
            if let Err(a) = authenticate(s, headers, TokenKind::Access) {
                return a;
            }
            search_posts(s, &q)
        }
        "app.bsky.actor.getProfile" => {
            if let Err(a) = authenticate(s, headers, TokenKind::Access) {
                return a;
            }
            let actor = param(&q, "actor").unwrap_or("");
            let Some(acc) = s.account_by(actor).cloned() else {
                return Answer::invalid("Profile not found");
            };
            let repo = s.repos.get(&acc.did);
            let posts = repo.and_then(|r| r.get(POST)).map_or(0, BTreeMap::len);
            let follows = repo.and_then(|r| r.get(FOLLOW)).map_or(0, BTreeMap::len);
            let followers = s
                .repos
                .values()
                .filter_map(|r| r.get(FOLLOW))
                .flat_map(|c| c.values())
                .filter(|r| {
                    r.value.get("subject").and_then(Value::as_str) == Some(acc.did.as_str())
                })
                .count();
            let mut v = s.profile_basic(&acc.did);
            let profile = repo
                .and_then(|r| r.get(PROFILE))
                .and_then(|c| c.get("self"))
                .map(|r| r.value.clone());
            if let Some(d) = profile.as_ref().and_then(|p| p.get("description")) {
                v["description"] = d.clone();
            }
            v["followersCount"] = json!(followers);
            v["followsCount"] = json!(follows);
            v["postsCount"] = json!(posts);
            v["indexedAt"] = json!(time_str(s.now()));
            Answer::ok(v)
        }
        _ => Answer::err(501, "MethodNotImplemented", "Method Not Implemented"),
    }
}

/// Lexicon validation of an `app.bsky.feed.post` record, with the PDS's wording.
/// `app.bsky.feed.searchPosts` over every account's posts (see [`TwinSearch`]).
fn search_posts(s: &TwinState, q: &[(String, String)]) -> Answer {
    let Some(query) = param(q, "q").filter(|v| !v.is_empty()) else {
        return Answer::invalid(
            "Invalid app.bsky.feed.searchPosts params: Missing required key \"q\"",
        );
    };
    let limit = match param(q, "limit").map(str::parse::<usize>) {
        None => 25,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(Ok(n)) if n > 100 => {
            return Answer::invalid(&format!(
                "Invalid app.bsky.feed.searchPosts params: integer too big (maximum 100, got {n})"
            ));
        }
        Some(_) => {
            return Answer::invalid(
                "Invalid app.bsky.feed.searchPosts params: limit must be an integer from 1 to 100",
            );
        }
    };
    let time = |name: &str| -> std::result::Result<Option<DateTime<Utc>>, Answer> {
        match param(q, name) {
            None => Ok(None),
            Some(v) => DateTime::parse_from_rfc3339(v)
                .map(|d| Some(d.with_timezone(&Utc)))
                .map_err(|_| Answer::invalid(&format!("Invalid {name}: not a datetime"))),
        }
    };
    let (since, until) = match (time("since"), time("until")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(a), _) | (_, Err(a)) => return a,
    };
    let cursor = match param(q, "cursor") {
        None => None,
        Some(c) => match c
            .split_once("__")
            .and_then(|(m, cid)| Some((m.parse::<i64>().ok()?, cid)))
        {
            Some((m, cid)) => Some((m, cid.to_string())),
            None => return Answer::invalid("Malformed cursor"),
        },
    };
    let full_text = s.options.search == TwinSearch::FullText;
    let lang = param(q, "lang").map(str::to_lowercase);
    let tags: Vec<String> = q
        .iter()
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v.to_lowercase())
        .collect();
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut hits: Vec<(i64, String, String)> = Vec::new(); // (sortAt millis, cid, uri)
    for (did, repo) in &s.repos {
        let handle = s.handle_of(did).to_lowercase();
        for (rkey, r) in repo.get(POST).into_iter().flatten() {
            let text = r.value.get("text").and_then(Value::as_str).unwrap_or("");
            let created = r
                .value
                .get("createdAt")
                .and_then(Value::as_str)
                .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
                .map(|d| d.with_timezone(&Utc));
            let sort_at = created.map_or(r.indexed_at, |c| c.min(r.indexed_at));
            let matched = if full_text {
                let lower = text.to_lowercase();
                let text_words: Vec<&str> = lower
                    .split(|c: char| {
                        !(c.is_alphanumeric() || c == '_' || c == '#' || c == '@' || c == '.')
                    })
                    .map(|w| w.trim_end_matches('.'))
                    .filter(|w| !w.is_empty())
                    .collect();
                let post_tags: Vec<String> = text_words
                    .iter()
                    .filter_map(|w| w.strip_prefix('#'))
                    .map(str::to_string)
                    .collect();
                let langs: Vec<String> = r
                    .value
                    .get("langs")
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_lowercase)
                            .collect()
                    })
                    .unwrap_or_default();
                words.iter().all(|w| {
                    text_words.contains(&w.as_str())
                        || (!w.starts_with('#')
                            && !w.starts_with('@')
                            && text_words
                                .iter()
                                .any(|t| t.trim_start_matches(['#', '@']) == w))
                }) && tags.iter().all(|t| post_tags.contains(t))
                    && lang.as_ref().is_none_or(|l| {
                        langs
                            .iter()
                            .any(|x| x.split('-').next() == Some(l.as_str()))
                    })
                    && since.is_none_or(|t| created.is_some_and(|c| c >= t))
                    && until.is_none_or(|t| created.is_some_and(|c| c < t))
                    && param(q, "author").is_none_or(|a| a.to_lowercase() == handle || a == did)
            } else {
                text.contains(query)
            };
            if matched {
                hits.push((
                    sort_at.timestamp_millis(),
                    r.cid.clone(),
                    format!("at://{did}/{POST}/{rkey}"),
                ));
            }
        }
    }
    hits.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
    let hits: Vec<&(i64, String, String)> = hits
        .iter()
        .filter(|(m, cid, _)| {
            cursor
                .as_ref()
                .is_none_or(|(cm, ccid)| (*m, cid) < (*cm, ccid))
        })
        .collect();
    let more = hits.len() > limit;
    let page: Vec<&&(i64, String, String)> = hits.iter().take(limit).collect();
    let posts: Vec<Value> = page
        .iter()
        .filter_map(|(_, _, uri)| s.post_view(uri))
        .collect();
    let mut out = json!({"posts": posts});
    if more {
        if let Some((m, cid, _)) = page.last() {
            out["cursor"] = Value::String(format!("{m}__{cid}"));
        }
    }
    Answer::ok(out)
}

fn validate_post(record: &Value, blobs: &HashMap<String, Blob>) -> std::result::Result<(), String> {
    let Some(obj) = record.as_object() else {
        return Err("Record must be an object at $.record".into());
    };
    let Some(text) = obj.get("text") else {
        return Err("Record must have the property \"text\" at $.record".into());
    };
    let Some(text) = text.as_str() else {
        return Err("Record/text must be a string at $.record.text".into());
    };
    if text.len() > 3000 {
        return Err(format!(
            "Record/text must not be longer than 3000 characters at $.record.text (got {})",
            text.len()
        ));
    }
    let graphemes = text.graphemes(true).count();
    if graphemes > 300 {
        return Err(format!(
            "grapheme too big (maximum 300, got {graphemes}) at $.record.text"
        ));
    }
    match obj.get("createdAt").and_then(Value::as_str) {
        None => return Err("Record must have the property \"createdAt\" at $.record".into()),
        Some(c) if DateTime::parse_from_rfc3339(c).is_err() => {
            return Err(
                "Record/createdAt must be an valid atproto datetime at $.record.createdAt".into(),
            );
        }
        _ => {}
    }
    if let Some(langs) = obj.get("langs") {
        let Some(arr) = langs.as_array() else {
            return Err("Record/langs must be an array at $.record.langs".into());
        };
        if arr.len() > 3 {
            return Err("Record/langs must not have more than 3 elements at $.record.langs".into());
        }
    }
    if let Some(facets) = obj.get("facets") {
        let Some(arr) = facets.as_array() else {
            return Err("Record/facets must be an array at $.record.facets".into());
        };
        for (i, f) in arr.iter().enumerate() {
            let start = f.pointer("/index/byteStart").and_then(Value::as_u64);
            let end = f.pointer("/index/byteEnd").and_then(Value::as_u64);
            let (Some(start), Some(end)) = (start, end) else {
                return Err(format!(
                    "Record/facets/{i}/index must have the properties \"byteStart\" and \"byteEnd\""
                ));
            };
            if start > end || end as usize > text.len() {
                return Err(format!(
                    "Record/facets/{i}/index is out of range of the text"
                ));
            }
            let Some(features) = f.get("features").and_then(Value::as_array) else {
                return Err(format!(
                    "Record/facets/{i} must have the property \"features\""
                ));
            };
            for feat in features {
                let ok = match feat.get("$type").and_then(Value::as_str) {
                    Some("app.bsky.richtext.facet#mention") => feat
                        .get("did")
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.starts_with("did:")),
                    Some("app.bsky.richtext.facet#link") => feat
                        .get("uri")
                        .and_then(Value::as_str)
                        .is_some_and(|u| u.contains(':')),
                    Some("app.bsky.richtext.facet#tag") => feat
                        .get("tag")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.len() <= 640 && t.graphemes(true).count() <= 64),
                    _ => true,
                };
                if !ok {
                    return Err(format!("Record/facets/{i}/features has an invalid feature"));
                }
            }
        }
    }
    if let Some(reply) = obj.get("reply") {
        for part in ["root", "parent"] {
            let uri = reply
                .pointer(&format!("/{part}/uri"))
                .and_then(Value::as_str);
            let cid = reply
                .pointer(&format!("/{part}/cid"))
                .and_then(Value::as_str);
            if uri.and_then(split_at_uri).is_none() || cid.is_none() {
                return Err(format!(
                    "Record/reply/{part} must be a strongRef at $.record.reply.{part}"
                ));
            }
        }
    }
    if let Some(embed) = obj.get("embed") {
        let check_blob =
            |b: &Value, what: &str, accept: &str, max: usize| -> std::result::Result<(), String> {
                let cid = b
                    .pointer("/ref/$link")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let Some(blob) = blobs.get(cid) else {
                    return Err(format!("Could not find blob: {cid} ({what})"));
                };
                if !blob.mime.starts_with(accept) {
                    return Err(format!("{what} has the wrong MIME type ({})", blob.mime));
                }
                if blob.size > max {
                    return Err(format!(
                        "{what} is too big (maximum {max} bytes, got {})",
                        blob.size
                    ));
                }
                Ok(())
            };
        match embed.get("$type").and_then(Value::as_str) {
            Some("app.bsky.embed.images") => {
                let Some(images) = embed.get("images").and_then(Value::as_array) else {
                    return Err(
                        "Record/embed/images must be an array at $.record.embed.images".into(),
                    );
                };
                if images.len() > 4 {
                    return Err("Record/embed/images must not have more than 4 elements at $.record.embed.images".into());
                }
                for (i, img) in images.iter().enumerate() {
                    if img.get("alt").and_then(Value::as_str).is_none() {
                        return Err(format!(
                            "Record/embed/images/{i} must have the property \"alt\""
                        ));
                    }
                    let Some(b) = img.get("image") else {
                        return Err(format!(
                            "Record/embed/images/{i} must have the property \"image\""
                        ));
                    };
                    check_blob(
                        b,
                        &format!("Record/embed/images/{i}/image"),
                        "image/",
                        2_000_000,
                    )?;
                }
            }
            Some("app.bsky.embed.video") => {
                let Some(b) = embed.get("video") else {
                    return Err("Record/embed must have the property \"video\"".into());
                };
                check_blob(b, "Record/embed/video", "video/mp4", 300_000_000)?;
            }
            Some("app.bsky.embed.external") => {
                let ext = embed.get("external");
                for field in ["uri", "title", "description"] {
                    if ext
                        .and_then(|e| e.get(field))
                        .and_then(Value::as_str)
                        .is_none()
                    {
                        return Err(format!(
                            "Record/embed/external must have the property \"{field}\""
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_uris_split() {
        assert_eq!(
            split_at_uri("at://did:plc:a/app.bsky.feed.post/3k"),
            Some(("did:plc:a", "app.bsky.feed.post", "3k"))
        );
        assert_eq!(split_at_uri("at://did:plc:a/app.bsky.feed.post"), None);
        assert_eq!(split_at_uri("https://x"), None);
    }

    #[test]
    fn post_validation_matches_the_lexicon() {
        let blobs = HashMap::new();
        let ok = json!({"text": "hi", "createdAt": "2026-01-01T00:00:00Z"});
        assert!(validate_post(&ok, &blobs).is_ok());
        let long = json!({"text": "a".repeat(301), "createdAt": "2026-01-01T00:00:00Z"});
        assert!(
            validate_post(&long, &blobs)
                .unwrap_err()
                .contains("grapheme too big (maximum 300, got 301)")
        );
        let bytes = json!({"text": "👍🏽".repeat(400), "createdAt": "2026-01-01T00:00:00Z"});
        assert!(validate_post(&bytes, &blobs).unwrap_err().contains("3000"));
        let no_alt = json!({"text": "", "createdAt": "2026-01-01T00:00:00Z",
            "embed": {"$type": "app.bsky.embed.images", "images": [{"image": {}}]}});
        assert!(validate_post(&no_alt, &blobs).unwrap_err().contains("alt"));
    }
}
