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
//! It is served by the shared twin server ([`crate::testkit::twin`]: request log, faults) and
//! keeps time by [`TwinOptions::clock`].
//!
//! Sources of the shapes: the lexicons in bluesky-social/atproto (`lexicons/com/atproto/server/
//! createSession.json`, `refreshSession.json`, `repo/createRecord.json`, `deleteRecord.json`,
//! `getRecord.json`, `listRecords.json`, `uploadBlob.json`, `identity/resolveHandle.json`,
//! `app/bsky/feed/post.json`, `getAuthorFeed.json`, `getPosts.json`, `searchPosts.json`,
//! `app/bsky/notification/listNotifications.json`, `app/bsky/actor/getProfile.json`), the XRPC
//! spec <https://atproto.com/specs/xrpc>, the rate limits
//! <https://docs.bsky.app/docs/advanced-guides/rate-limits>, and the answers of the reference
//! PDS and AppView of the peer kit where the lexicons leave a status or wording open.
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

mod search;
mod state;
#[cfg(test)]
mod tests;
mod validate;
mod xrpc;

use search::*;
use state::*;
use validate::*;
use xrpc::*;

use super::tid::Tid;
use crate::clock::{SharedClock, SystemClock};
use crate::testkit::twin::{Faults, RequestLog, TwinServer};
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
    server: TwinServer,
    state: Arc<Mutex<TwinState>>,
    log: RequestLog,
    faults: Faults,
}

impl fmt::Debug for BlueskyTwin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlueskyTwin")
            .field("addr", &self.server.addr())
            .finish()
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
        let (log, faults) = (RequestLog::default(), Faults::default());
        let server = TwinServer::start(xrpc::app(state.clone(), &log, &faults)).await?;
        Ok(BlueskyTwin {
            server,
            state,
            log,
            faults,
        })
    }

    /// The requests seen (every answer, injected failures included).
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// The failures waiting to be answered, in the shared twin vocabulary (any
    /// [`Canned`](crate::testkit::twin::Canned) answer); [`BlueskyTwin::inject`] speaks
    /// Bluesky's.
    pub fn faults(&self) -> &Faults {
        &self.faults
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
        self.server.base_url()
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
        self.server.addr()
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
            a.handle,
            a.password,
            self.server.addr()
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
        let path = format!("/xrpc/{method}");
        let path = (method != "*").then_some(path.as_str());
        let (answer, lost) = {
            let s = self.lock();
            xrpc::canned(&failure, s.now(), &s.options)
        };
        if lost {
            self.faults.inject_lost(0, None, path, 1, answer);
        } else {
            self.faults.inject(None, path, 1, answer);
        }
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
