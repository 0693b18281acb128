//! Bluesky (AT Protocol) adapter, feature `bluesky`.
//!
//! One [`Bluesky`] is one account, signed in with an app password against its PDS
//! (`bsky.social` for accounts hosted by Bluesky). Everything goes through the shared HTTP layer
//! ([`crate::http`]); facets come from [`crate::text::bluesky`]; the password and the tokens are
//! [`Secret`]s.
//!
//! | Operation | XRPC |
//! |---|---|
//! | [`publish`](Platform::publish) (text, facets, ≤ 4 images or 1 video, link card, threads, replies) | `com.atproto.identity.resolveHandle`, `com.atproto.repo.uploadBlob`, `com.atproto.repo.createRecord` |
//! | [`delete`](Platform::delete) | `com.atproto.repo.deleteRecord` |
//! | [`interactions`](Platform::interactions) | `app.bsky.notification.listNotifications` |
//! | [`reply`](Platform::reply) | `com.atproto.repo.getRecord` (when the refs are unknown) + `createRecord` |
//! | [`post_metrics`](Platform::post_metrics) | `app.bsky.feed.getPosts`, 25 posts per request |
//! | [`channel`](Platform::channel) | `app.bsky.actor.getProfile` (the profile record on a PDS without AppView) |
//! | [`search`](Platform::search) | `app.bsky.feed.searchPosts` ([`search`]) |
//! | [`recent_posts`](Platform::recent_posts) | `app.bsky.feed.getAuthorFeed` + the newest page of `com.atproto.repo.listRecords` (the listing alone on a bare PDS) |
//!
//! **Idempotency.** Every post gets a record key chosen by socialkit. With
//! [`PublishOptions::idempotency_key`] the key is derived from it ([`Tid::from_key`], one per
//! thread part), so a repeated publish targets the same record. The reference PDS (0.5.35)
//! answers a create on a taken key with HTTP 500 `InternalServerError` ("There is already a
//! value at key" in its log); whenever a create fails in a way that could hide a success
//! (5xx, timeout, a broken answer, any error with that cause), the adapter reads the record
//! at its key with `getRecord`: if it holds the same text, the post was already published and
//! that record is returned; if it holds a different text, the error is
//! [`ErrorKind::Conflict`].
//!
//! **Sessions.** One `createSession` with the app password, cached and shared by clones (its
//! limits, 30 per 5 minutes and 300 per day, are never reached by normal use). A token error
//! (HTTP 400 `ExpiredToken`/`InvalidToken`, or 401) triggers one single-flight
//! `refreshSession`, which rotates the stored refresh token, and the call is sent once more; a
//! dead refresh token leads to one new `createSession`; if that fails the error is
//! `Unauthenticated` ("reconnect the account"). [`SessionSnapshot`] and
//! [`Bluesky::on_session_change`] let an app keep the session across restarts.
//!
//! **Sessions in the vault.** A channel the engine keeps in its vault
//! (`Engine::connect_stored`) stores its session beside the app password
//! ([`BlueskyConfig::session`]), so a restarted process signs in with no `createSession`. Every
//! new or renewed session is written to the vault *before* it is used, under the channel row's
//! refresh lease (one renewal across processes; a process that finds a session another one
//! stored meanwhile adopts it instead of spending the rotated refresh token again). A refused
//! refresh token leads to a new session with the app password (also written first); a refused
//! app password marks the channel needs-reauthorisation with the reason `password_changed`. A
//! process killed between the PDS's `refreshSession` answer and the write leaves a refresh
//! token the PDS has rotated: the next process falls back to the app password, so nothing is
//! lost. `tests/vault_peers.rs` proves this against the reference PDS in separate processes.
//!
//! **atproto OAuth.** Instead of an app password, an account can be connected with atproto
//! OAuth ([`oauth`]): [`oauth::OAuthClient`] resolves the handle to its PDS and authorization
//! server, pushes the authorization request (PAR, PKCE S256, DPoP with a per-session ES256 key)
//! and completes from the callback into a [`BlueskyConfig`] with an
//! [`oauth`](BlueskyConfig::oauth) session. Such a channel sends every call with
//! `Authorization: DPoP` and a fresh proof (with `ath` and the PDS's nonce), refreshes with
//! the rotating refresh token a minute before the access token expires (one hour at the
//! reference PDS) or when the PDS refuses it, and, in the engine's vault, writes the new pair
//! before using it (the DPoP key is sealed beside it). A process killed between the refresh
//! answer and the write leaves a spent refresh token, which the PDS treats as a replay and
//! answers by ending the session: the channel needs re-authorisation (`refresh_lost`), its
//! posts wait. `tests/bluesky_oauth_peer.rs` proves the flow, the restart, the refresh and
//! that window against the reference PDS. Sources: <https://atproto.com/specs/oauth>,
//! <https://docs.bsky.app/docs/advanced-guides/oauth-client>.
//!
//! **Interactions.** Bluesky lists notifications newest first with a backward cursor; the
//! adapter pages forward with its own cursor (see [`InteractionQuery`]): a floor instant plus
//! the notifications already delivered within a 2-minute window ([`SKEW_WINDOW_MS`]), so
//! nothing is skipped or repeated, and a notification whose `sortAt` is slightly in the past
//! (client clock skew) is still delivered. A read pages back at most
//! [`MAX_NOTIFICATION_PAGES`] pages; when the AppView's cursor is the last item's instant, the
//! next page is asked from one millisecond later so items sharing that millisecond are not
//! lost at the page end.
//!
//! ```no_run
//! use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig};
//! use socialkit::model::{Media, Post};
//! use socialkit::{Platform, PublishOptions};
//!
//! # async fn demo() -> socialkit::Result<()> {
//! let bsky = Bluesky::new(BlueskyConfig::new("acme.bsky.social", "abcd-efgh-ijkl-mnop"))?;
//! let post = Post::text("Our new anvil is here #launch")
//!     .with_media(Media::from_path("image/png", "anvil.png").with_alt("A red anvil").with_size(1200, 800))
//!     .then("It weighs 50 kg.");
//! let published = bsky.publish(&post, &PublishOptions::with_key("delivery-42")).await?;
//! println!("{}", published.url().unwrap_or_default());
//! # Ok(()) }
//! ```

#[allow(
    dead_code,
    reason = "wire types mirror the documented shapes; not every field is read by the adapter"
)]
pub(crate) mod api;
mod config;
mod cursor;
pub mod errors;
pub mod oauth;
pub mod search;
mod session;
mod tid;
#[cfg(feature = "testkit")]
pub mod twin;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use url::Url;

pub use config::{BlueskyConfig, DEFAULT_PDS};
pub use cursor::{MAX_SEEN, SKEW_WINDOW_MS};
pub use session::{SessionListener, SessionSnapshot};
pub use tid::Tid;

use self::api::{
    AspectRatio, CreateRecordInput, CreateRecordOutput, DeleteRecordInput, Embed, External, Facet,
    FacetFeature, GetPostsOutput, ImageEmbed, ListNotificationsOutput, ListRecordsOutput,
    LooseRecord, Notification, POST_COLLECTION, PROFILE_COLLECTION, PostRecord, ProfileRecord,
    ProfileViewDetailed, RecordOutput, ReplyRef, ResolveHandleOutput, StrongRef, UploadBlobOutput,
};
use self::cursor::{CursorState, Item};
use self::errors::BlueskyErrors;
use self::session::{Session, SessionManager};
use crate::adapters::base::Adapter;
#[cfg(feature = "testkit")]
use crate::auth::Secret;
use crate::http::{Call, Client, HttpConfig, RateLimitStyle, Response, Retry};
use crate::model::{
    Author, Channel, ChannelMetrics, Interaction, InteractionKind, InteractionQuery,
    InteractionRef, Media, MediaKind, Metric, Page, Part, Post, PostMetrics, PostRef, Profile,
    PublishOptions, Published, RecentPost, SearchQuery,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Operation, Platform};
use crate::registry::{Registry, settings};
use crate::text::rules;
use crate::{Error, ErrorKind, Result};

/// The platform's name and channel-URL scheme.
///
/// ```
/// assert_eq!(socialkit::adapters::bluesky::PLATFORM, "bluesky");
/// ```
pub const PLATFORM: &str = "bluesky";
/// The most URIs `app.bsky.feed.getPosts` takes per request.
///
/// ```
/// assert_eq!(socialkit::adapters::bluesky::GET_POSTS_BATCH, 25);
/// ```
pub const GET_POSTS_BATCH: usize = 25;
/// The largest image blob the post lexicon accepts.
///
/// ```
/// let caps = socialkit::adapters::bluesky::capabilities();
/// assert_eq!(caps.media.max_image_bytes, Some(socialkit::adapters::bluesky::MAX_IMAGE_BYTES));
/// ```
pub const MAX_IMAGE_BYTES: u64 = 2_000_000;
/// The reference PDS's blob size limit (the video lexicon allows more; the PDS does not).
///
/// ```
/// let caps = socialkit::adapters::bluesky::capabilities();
/// assert_eq!(caps.media.max_video_bytes, Some(socialkit::adapters::bluesky::MAX_VIDEO_BYTES));
/// ```
pub const MAX_VIDEO_BYTES: u64 = 52_428_800;
/// Notification pages (of 100) read at most per [`Platform::interactions`] call. A backlog
/// deeper than this is skipped from its oldest end, with a warning.
///
/// ```
/// assert_eq!(socialkit::adapters::bluesky::MAX_NOTIFICATION_PAGES, 10);
/// ```
pub const MAX_NOTIFICATION_PAGES: usize = 10;

/// What the Bluesky adapter can do, as data.
///
/// ```
/// let caps = socialkit::adapters::bluesky::capabilities();
/// assert_eq!(caps.text.max, 300);
/// assert_eq!(caps.text.max_bytes, Some(3000));
/// assert_eq!(caps.media.max_count, 4);
/// assert!(caps.post_threads && caps.link_cards && caps.delete && !caps.edit);
/// assert_eq!(caps.idempotency, socialkit::platform::Idempotency::RecordKey);
/// ```
pub fn capabilities() -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, rules::bluesky());
    // The lexicon allows an empty text when the post has an embed (images, a card).
    c.text_required = false;
    c.media = MediaLimits {
        max_count: 4,
        kinds: vec![MediaKind::Image, MediaKind::Video],
        mime_types: vec![
            "image/jpeg".into(),
            "image/png".into(),
            "image/webp".into(),
            "video/mp4".into(),
        ],
        max_image_bytes: Some(MAX_IMAGE_BYTES),
        max_video_bytes: Some(MAX_VIDEO_BYTES),
        max_videos: 1,
        // The lexicon requires the field but accepts "" and sets no length limit.
        alt_text_max: None,
        alt_text_required: false,
    };
    c.post_threads = true;
    c.link_cards = true;
    c.delete = true;
    c.reply = true;
    c.interactions = vec![
        InteractionKind::Reply,
        InteractionKind::Mention,
        InteractionKind::Quote,
        InteractionKind::Like,
        InteractionKind::Repost,
        InteractionKind::Follow,
    ];
    c.metrics = vec![
        Metric::Likes,
        Metric::Reposts,
        Metric::Replies,
        Metric::Quotes,
        Metric::Bookmarks,
    ];
    c.idempotency = Idempotency::RecordKey;
    c.recent_posts = true;
    // Both listings (`getAuthorFeed` with `posts_with_replies`, `listRecords`) hold replies,
    // each record with its `reply.parent`.
    c.replies_in_recent_posts = true;
    c.search = Some(search::limits());
    c
}

/// An AT-URI `at://AUTHORITY/COLLECTION/RKEY` (the id of a Bluesky record).
///
/// ```
/// use socialkit::adapters::bluesky::AtUri;
/// let u = AtUri::parse("at://did:plc:abc/app.bsky.feed.post/3kzxy2a5bxq2c").unwrap();
/// assert_eq!(u.authority, "did:plc:abc");
/// assert_eq!(u.collection, "app.bsky.feed.post");
/// assert_eq!(u.rkey, "3kzxy2a5bxq2c");
/// assert_eq!(u.to_string(), "at://did:plc:abc/app.bsky.feed.post/3kzxy2a5bxq2c");
/// assert!(AtUri::parse("https://bsky.app/profile/x/post/y").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AtUri {
    /// The repo: a DID (or, in URIs people write, a handle).
    pub authority: String,
    /// The collection NSID.
    pub collection: String,
    /// The record key.
    pub rkey: String,
}

impl AtUri {
    /// Parses a record AT-URI; anything else is a [`ErrorKind::Validation`] error.
    pub fn parse(s: &str) -> Result<AtUri> {
        let invalid = || {
            Error::validation(format!(
                "not a Bluesky post id (at://DID/COLLECTION/RKEY): {}",
                s.chars().take(120).collect::<String>()
            ))
            .with_platform(PLATFORM)
        };
        let rest = s.strip_prefix("at://").ok_or_else(invalid)?;
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let mut it = rest.split('/');
        let (Some(authority), Some(collection), Some(rkey), None) =
            (it.next(), it.next(), it.next(), it.next())
        else {
            return Err(invalid());
        };
        let ok = |p: &str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-_:~".contains(c))
        };
        if !ok(authority) || !ok(collection) || !ok(rkey) || rkey == "." || rkey == ".." {
            return Err(invalid());
        }
        Ok(AtUri {
            authority: authority.to_string(),
            collection: collection.to_string(),
            rkey: rkey.to_string(),
        })
    }
}

impl fmt::Display for AtUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at://{}/{}/{}",
            self.authority, self.collection, self.rkey
        )
    }
}

/// The web address of a post: `https://bsky.app/profile/HANDLE-OR-DID/post/RKEY`.
///
/// ```
/// assert_eq!(
///     socialkit::adapters::bluesky::post_url("acme.bsky.social", "3kzxy2a5bxq2c"),
///     "https://bsky.app/profile/acme.bsky.social/post/3kzxy2a5bxq2c"
/// );
/// ```
pub fn post_url(handle_or_did: &str, rkey: &str) -> String {
    format!("https://bsky.app/profile/{handle_or_did}/post/{rkey}")
}

/// The web address of a profile.
///
/// ```
/// assert_eq!(socialkit::adapters::bluesky::profile_url("acme.bsky.social"), "https://bsky.app/profile/acme.bsky.social");
/// ```
pub fn profile_url(handle_or_did: &str) -> String {
    format!("https://bsky.app/profile/{handle_or_did}")
}

/// Builds the facets of a post text from [`crate::text::bluesky::detect_facets`], with the
/// mentions' handles resolved by `resolve` (a handle it cannot resolve stays plain text).
#[cfg(test)]
pub(crate) fn facets_for(text: &str, resolve: impl FnMut(&str) -> Option<String>) -> Vec<Facet> {
    convert_facets(crate::text::bluesky::detect_facets(text), resolve)
}

/// Turns detected facets into record facets, resolving mentions with `resolve`.
fn convert_facets(
    detected: Vec<crate::text::bluesky::Facet>,
    mut resolve: impl FnMut(&str) -> Option<String>,
) -> Vec<Facet> {
    use crate::text::bluesky::FacetFeature as Detected;
    detected
        .into_iter()
        .filter_map(|f| {
            let feature = match f.feature {
                Detected::Link { uri } => FacetFeature::Link { uri },
                Detected::Mention { handle } => FacetFeature::Mention {
                    did: resolve(&handle)?,
                },
                Detected::Tag { tag } => FacetFeature::Tag { tag },
            };
            Some(Facet::new(f.byte_start, f.byte_end, feature))
        })
        .collect()
}

/// One Bluesky account. Cheap to clone; clones share the HTTP client and the session.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig};
/// use socialkit::Platform;
/// let bsky = Bluesky::new(BlueskyConfig::new("acme.bsky.social", "abcd-efgh-ijkl-mnop")).unwrap();
/// let shared: Arc<dyn Platform> = Arc::new(bsky.clone());
/// assert_eq!(shared.name(), "bluesky");
/// ```
#[derive(Clone)]
pub struct Bluesky {
    inner: Arc<Inner>,
}

struct Inner {
    config: BlueskyConfig,
    http: Client,
    caps: Capabilities,
    session: SessionManager,
    /// The OAuth session when the channel was connected with atproto OAuth (or why the
    /// stored one cannot be used).
    oauth: Option<std::result::Result<oauth::OAuthManager, Error>>,
    /// The XRPC URLs, built once per method.
    endpoints: crate::http::Endpoints,
}

/// The OAuth manager of `config`, if it has an OAuth session.
fn oauth_manager(
    config: &BlueskyConfig,
    store: Option<Arc<dyn crate::auth::lifecycle::TokenStore>>,
) -> Option<std::result::Result<oauth::OAuthManager, Error>> {
    config
        .oauth
        .clone()
        .map(|s| oauth::OAuthManager::new(s, store))
}

impl fmt::Debug for Bluesky {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bluesky")
            .field("identifier", &self.inner.config.identifier)
            .field("pds", &self.inner.config.pds.as_str())
            .finish_non_exhaustive()
    }
}

/// A part ready to send: its final text and its media read from memory or disk.
struct Prepared {
    text: String,
    media: Vec<(Media, Vec<u8>)>,
    link: Option<String>,
}

impl Bluesky {
    /// An adapter for the account in `config`, with a default HTTP client. No request is made
    /// until the first operation.
    ///
    /// ```
    /// use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig};
    /// let bsky = Bluesky::new(BlueskyConfig::new("acme.bsky.social", "abcd-efgh-ijkl-mnop")).unwrap();
    /// assert_eq!(bsky.config().identifier, "acme.bsky.social");
    /// ```
    pub fn new(config: BlueskyConfig) -> Result<Bluesky> {
        config.check()?;
        let mut http = HttpConfig::default();
        if let Some(secs) = config.request_timeout_secs {
            http.request_timeout = std::time::Duration::from_secs(secs.clamp(1, 86_400));
        }
        let built = Self::with_client(config, Client::new(http)?);
        // A stored OAuth session that cannot be used (a broken DPoP key) is refused here.
        if let Some(Err(e)) = &built.inner.oauth {
            return Err(e.clone());
        }
        Ok(built)
    }

    /// An adapter sending through `http` (to share a connection pool or set timeouts).
    ///
    /// ```
    /// use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig};
    /// let http = socialkit::http::Client::default();
    /// let a = Bluesky::with_client(BlueskyConfig::new("a.bsky.social", "pw-a"), http.clone());
    /// let b = Bluesky::with_client(BlueskyConfig::new("b.bsky.social", "pw-b"), http);
    /// # let _ = (a, b);
    /// ```
    pub fn with_client(config: BlueskyConfig, http: Client) -> Bluesky {
        // A channel built for the engine's vault writes its sessions there.
        let store = crate::auth::lifecycle::building(PLATFORM);
        Bluesky {
            inner: Arc::new(Inner {
                oauth: oauth_manager(&config, store.clone()),
                session: SessionManager::new(config.session.clone(), store),
                config,
                http,
                caps: capabilities(),
                endpoints: crate::http::Endpoints::default(),
            }),
        }
    }

    /// An adapter from a channel URL `bluesky://HANDLE:APP-PASSWORD@PDS-HOST`.
    ///
    /// ```
    /// use socialkit::adapters::bluesky::Bluesky;
    /// let b = Bluesky::from_url("bluesky://acme.bsky.social:abcd-efgh-ijkl-mnop@bsky.social").unwrap();
    /// assert!(!format!("{b:?}").contains("abcd"));
    /// ```
    pub fn from_url(url: &str) -> Result<Bluesky> {
        let parsed = Url::parse(url).map_err(|e| {
            Error::config(format!("the bluesky channel URL is invalid: {e}"))
                .with_platform(PLATFORM)
        })?;
        Bluesky::new(BlueskyConfig::from_url(&parsed)?)
    }

    /// The same account starting from a stored session (no `createSession` until it stops
    /// working). The returned adapter has its own session, not shared with `self`'s clones.
    ///
    /// ```
    /// use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig, SessionSnapshot};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let stored = SessionSnapshot {
    ///     did: "did:plc:abc".into(),
    ///     handle: "acme.bsky.social".into(),
    ///     access_jwt: "stored-access".into(),
    ///     refresh_jwt: "stored-refresh".into(),
    /// };
    /// let bsky = Bluesky::new(BlueskyConfig::new("acme.bsky.social", "pw")).unwrap().with_session(stored.clone());
    /// assert_eq!(bsky.session().await, Some(stored));
    /// # });
    /// ```
    pub fn with_session(self, snapshot: SessionSnapshot) -> Bluesky {
        Bluesky {
            inner: Arc::new(Inner {
                config: self.inner.config.clone(),
                http: self.inner.http.clone(),
                caps: self.inner.caps.clone(),
                oauth: oauth_manager(&self.inner.config, self.inner.session.store()),
                session: SessionManager::new(Some(snapshot), self.inner.session.store()),
                endpoints: crate::http::Endpoints::default(),
            }),
        }
    }

    /// Calls `listener` with every new or refreshed session, so the app can store it (the
    /// refresh token rotates on every refresh).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use std::sync::{Arc, Mutex};
    /// use socialkit::adapters::bluesky::{Bluesky, twin::BlueskyTwin};
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let bsky = Bluesky::from_url(&twin.channel_url("alice.test").unwrap()).unwrap();
    /// let stored = Arc::new(Mutex::new(None));
    /// let sink = stored.clone();
    /// bsky.on_session_change(move |s| *sink.lock().unwrap() = Some(s.clone()));
    /// bsky.sign_in().await.unwrap();
    /// assert_eq!(stored.lock().unwrap().as_ref().map(|s| s.handle.as_str()), Some("alice.test"));
    /// # });
    /// ```
    pub fn on_session_change(&self, listener: impl Fn(&SessionSnapshot) + Send + Sync + 'static) {
        self.inner.session.set_listener(Some(Arc::new(listener)));
    }

    /// The atproto OAuth session with its current tokens, for a channel connected with OAuth
    /// (an app that keeps channels itself stores this after every call that may have
    /// refreshed; the engine's vault is written by the adapter itself).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig};
    /// let bsky = Bluesky::new(BlueskyConfig::new("acme.bsky.social", "pw")).unwrap();
    /// assert!(bsky.oauth_session().await.is_none(), "an app-password channel");
    /// # });
    /// ```
    pub async fn oauth_session(&self) -> Option<oauth::OAuthSession> {
        let m = self.oauth().ok().flatten()?;
        let cur = m.current().await;
        let mut s = m.session.clone();
        s.access_token = cur.token.access_token.clone();
        s.refresh_token = cur.token.refresh_token.clone();
        s.expires_at = cur.token.expires_at;
        Some(s)
    }

    /// The current session, if signed in.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig};
    /// let bsky = Bluesky::new(BlueskyConfig::new("acme.bsky.social", "pw")).unwrap();
    /// assert!(bsky.session().await.is_none(), "no request made yet");
    /// # });
    /// ```
    pub async fn session(&self) -> Option<SessionSnapshot> {
        self.inner.session.snapshot().await
    }

    /// Signs in now (or checks the cached session is usable) and returns the session.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::{Bluesky, twin::BlueskyTwin};
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let bsky = Bluesky::from_url(&twin.channel_url("alice.test").unwrap()).unwrap();
    /// let s = bsky.sign_in().await.unwrap();
    /// assert!(s.did.starts_with("did:plc:"));
    /// bsky.sign_in().await.unwrap();
    /// assert_eq!(twin.stats().sessions_created, 1, "the session is cached");
    /// # });
    /// ```
    pub async fn sign_in(&self) -> Result<SessionSnapshot> {
        let s = self.current_session().await?;
        Ok(SessionSnapshot {
            did: s.did.clone(),
            handle: s.handle.clone(),
            access_jwt: s.access.clone(),
            refresh_jwt: s.refresh.clone(),
        })
    }

    /// The account's configuration.
    ///
    /// ```
    /// let bsky = socialkit::adapters::bluesky::Bluesky::from_url("bluesky://acme.bsky.social:pw@bsky.social").unwrap();
    /// assert_eq!(bsky.config().pds.as_str(), "https://bsky.social/");
    /// ```
    pub fn config(&self) -> &BlueskyConfig {
        &self.inner.config
    }

    /// Replaces the cached access token with a token the server will not accept, so the next
    /// call has to refresh the session. For tests of the refresh path against real servers.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::bluesky::{Bluesky, twin::BlueskyTwin};
    /// use socialkit::PlatformExt;
    /// let twin = BlueskyTwin::start().await.unwrap();
    /// let bsky = Bluesky::from_url(&twin.channel_url("alice.test").unwrap()).unwrap();
    /// bsky.sign_in().await.unwrap();
    /// bsky.break_access_token_for_testing().await;
    /// bsky.publish_text("refreshed on the way").await.unwrap();
    /// assert_eq!(twin.stats().refreshes, 1);
    /// # });
    /// ```
    #[cfg(feature = "testkit")]
    pub async fn break_access_token_for_testing(&self) {
        self.inner
            .session
            .replace_access(Secret::new("socialkit-testing-invalid-token"))
            .await;
    }

    fn http(&self) -> &Client {
        &self.inner.http
    }

    /// The OAuth manager, when the channel uses OAuth.
    fn oauth(&self) -> Result<Option<&oauth::OAuthManager>> {
        match &self.inner.oauth {
            None => Ok(None),
            Some(Ok(m)) => Ok(Some(m)),
            Some(Err(e)) => Err(e.clone()),
        }
    }

    /// The OAuth tokens as a [`Session`] (the shape every call builder reads).
    fn session_of(m: &oauth::OAuthManager, cur: &oauth::OAuthCurrent) -> Arc<Session> {
        Arc::new(Session::new(
            m.session.did.clone(),
            m.session.handle.clone(),
            cur.token.access_token.clone(),
            cur.token.refresh_token.clone().unwrap_or_default(),
            cur.generation,
        ))
    }

    async fn current_session(&self) -> Result<Arc<Session>> {
        if let Some(m) = self.oauth().map_err(|e| self.context(e, "sign in"))? {
            let cur = m
                .get(&self.inner.http)
                .await
                .map_err(|e| self.context(e, "sign in"))?;
            return Ok(Self::session_of(m, &cur));
        }
        self.inner
            .session
            .get(&self.inner.http, &self.inner.config)
            .await
            .map_err(|e| self.context(e, "sign in"))
    }

    fn context(&self, e: Error, op: &str) -> Error {
        e.or_context(PLATFORM, Some(&self.inner.config.identifier), op)
    }

    fn url(&self, nsid: &str) -> Url {
        let build = || self.inner.config.xrpc(nsid);
        // Method names are a fixed set: each URL is built once.
        self.inner
            .endpoints
            .get(nsid, || Ok(build()))
            .unwrap_or_else(|_| build())
    }

    /// Sends an authenticated call built by `build`; on a token error, renews the session
    /// (single flight) and sends once more.
    async fn call(&self, op: &'static str, build: impl Fn(&Session) -> Call) -> Result<Response> {
        if let Some(m) = self.oauth().map_err(|e| self.context(e, op))? {
            return self.oauth_call(m, op, build).await;
        }
        let s = self.current_session().await?;
        // The server has seen the app password and the refresh token too (at sign-in and
        // renewal): none of them may come back through an error that quotes a body (found by
        // the adapter fuzz target).
        let auth = |c: Call, s: &Session| {
            c.bearer(&s.access)
                .redact(&s.refresh)
                .redact(&self.inner.config.app_password)
                .rate_limit_style(RateLimitStyle::Bluesky)
        };
        let first = self.http().send(auth(build(&s), &s), &BlueskyErrors).await;
        let result = match first {
            Err(e) if errors::needs_refresh(&e) => {
                tracing::debug!(
                    platform = PLATFORM,
                    operation = op,
                    "access token rejected; renewing the session"
                );
                let s2 = self
                    .inner
                    .session
                    .renew(self.http(), &self.inner.config, Some(s.generation))
                    .await?;
                match self
                    .http()
                    .send(auth(build(&s2), &s2), &BlueskyErrors)
                    .await
                {
                    Err(e) if errors::needs_refresh(&e) => Err(session::reconnect(e)),
                    other => other,
                }
            }
            other => other,
        };
        result.map_err(|e| self.context(e, op))
    }

    /// [`Self::call`] for an OAuth channel: DPoP-bound, once more on `use_dpop_nonce`, and
    /// once more after a renewal when the PDS refuses the token.
    async fn oauth_call(
        &self,
        m: &oauth::OAuthManager,
        op: &'static str,
        build: impl Fn(&Session) -> Call,
    ) -> Result<Response> {
        let http = self.http();
        let mut s = self.current_session().await?;
        let mut renewed = false;
        let mut nonce_retries = 0;
        loop {
            let call = build(&s).redact(&s.refresh);
            let url = call.url().clone();
            let call = m.authorize(call, http, &s.access);
            let mapper = oauth::NonceAware {
                nonces: &m.nonces,
                url: &url,
                inner: BlueskyErrors,
            };
            match http.send(call, &mapper).await {
                Ok(r) => {
                    m.nonces.remember(&url, &r);
                    return Ok(r);
                }
                // A nonce rotated under us: at most twice (it may rotate again meanwhile).
                Err(e) if oauth::wants_nonce(&e) && nonce_retries < 2 => nonce_retries += 1,
                Err(e) if errors::needs_refresh(&e) && !renewed => {
                    tracing::debug!(
                        platform = PLATFORM,
                        operation = op,
                        "OAuth token rejected; renewing"
                    );
                    renewed = true;
                    let cur = m
                        .renew(http, Some(s.generation))
                        .await
                        .map_err(|e| self.context(e, op))?;
                    s = Self::session_of(m, &cur);
                }
                Err(e) if errors::needs_refresh(&e) => {
                    return Err(self.context(session::reconnect(e), op));
                }
                Err(e) => return Err(self.context(e, op)),
            }
        }
    }

    /// An unauthenticated GET (public reads such as `resolveHandle` and `getRecord`).
    async fn public_get(
        &self,
        op: &'static str,
        nsid: &str,
        query: &[(&str, &str)],
    ) -> Result<Response> {
        let call = Call::get(PLATFORM, op, self.url(nsid))
            .query(query.iter().copied())
            .redact(&self.inner.config.app_password)
            .rate_limit_style(RateLimitStyle::Bluesky);
        self.http()
            .send(call, &BlueskyErrors)
            .await
            .map_err(|e| self.context(e, op))
    }

    /// The record at `did`/`collection`/`rkey`, or `None` when it does not exist.
    async fn get_record(
        &self,
        op: &'static str,
        did: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<RecordOutput<serde_json::Value>>> {
        match self
            .public_get(
                op,
                "com.atproto.repo.getRecord",
                &[("repo", did), ("collection", collection), ("rkey", rkey)],
            )
            .await
        {
            Ok(r) => Ok(Some(r.json()?)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Resolves a handle to a DID; `None` when it does not resolve.
    async fn resolve_handle(&self, handle: &str) -> Result<Option<String>> {
        match self
            .public_get(
                "publish",
                "com.atproto.identity.resolveHandle",
                &[("handle", handle)],
            )
            .await
        {
            Ok(r) => Ok(Some(r.json::<ResolveHandleOutput>()?.did)),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Validation) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reads the text of every part and the bytes of every medium, and checks what the
    /// capabilities cannot: a link beside media goes into the text, which must still fit.
    async fn prepare(&self, parts: &[Part]) -> Result<Vec<Prepared>> {
        let caps = &self.inner.caps;
        let mut out = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let mut text = part.text.clone();
            let mut link = part.link.clone();
            if !part.media.is_empty() {
                if let Some(l) = link.take() {
                    // A post holds one embed: with media, the link goes into the text.
                    if !text.contains(&l) {
                        text = if text.trim().is_empty() {
                            l
                        } else {
                            format!("{text} {l}")
                        };
                        caps.text.check(PLATFORM, &text).map_err(|e| {
                            Error::validation(format!(
                                "part {}: with media, the link goes into the text, which then is too long: {}",
                                i + 1,
                                e.message()
                            ))
                            .with_platform(PLATFORM)
                        })?;
                    }
                }
            }
            let mut media = Vec::with_capacity(part.media.len());
            for m in &part.media {
                let bytes = m.read().await.map_err(|e| e.with_platform(PLATFORM))?;
                let limit = match m.kind {
                    MediaKind::Video => MAX_VIDEO_BYTES,
                    _ => MAX_IMAGE_BYTES,
                };
                if bytes.len() as u64 > limit {
                    return Err(Error::validation(format!(
                        "media is {} bytes on bluesky, the limit is {limit} ({} over)",
                        bytes.len(),
                        bytes.len() as u64 - limit
                    ))
                    .with_platform(PLATFORM)
                    .with_detail(crate::Detail::MediaTooLarge {
                        bytes: bytes.len() as u64,
                        limit,
                    }));
                }
                media.push((m.clone(), bytes));
            }
            out.push(Prepared { text, media, link });
        }
        Ok(out)
    }

    async fn upload(&self, media: &Media, bytes: &[u8]) -> Result<api::BlobRef> {
        let data = bytes.to_vec();
        let mime = media.mime.clone();
        let out: UploadBlobOutput = self
            .call("upload media", |_| {
                Call::post(
                    PLATFORM,
                    "upload media",
                    self.url("com.atproto.repo.uploadBlob"),
                )
                .bytes(&mime, data.clone())
                // Blobs are content-addressed: sending twice stores one blob.
                .retry(Retry::Idempotent)
            })
            .await?
            .json()?;
        Ok(out.blob)
    }

    async fn embed_for(&self, part: &Prepared) -> Result<Option<Embed>> {
        let ratio = |m: &Media| match (m.width, m.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => Some(AspectRatio {
                width: w,
                height: h,
            }),
            _ => None,
        };
        if let Some((m, bytes)) = part.media.iter().find(|(m, _)| m.kind == MediaKind::Video) {
            let blob = self.upload(m, bytes).await?;
            return Ok(Some(Embed::Video {
                video: blob,
                alt: m.alt.clone().filter(|a| !a.is_empty()),
                aspect_ratio: ratio(m),
            }));
        }
        if !part.media.is_empty() {
            let mut images = Vec::with_capacity(part.media.len());
            for (m, bytes) in &part.media {
                let blob = self.upload(m, bytes).await?;
                images.push(ImageEmbed {
                    image: blob,
                    // The lexicon requires `alt`; an image without alt text gets "", which
                    // Bluesky shows as "no description".
                    alt: m.alt.clone().unwrap_or_default(),
                    aspect_ratio: ratio(m),
                });
            }
            return Ok(Some(Embed::Images { images }));
        }
        if let Some(link) = &part.link {
            return Ok(Some(Embed::External {
                external: External {
                    uri: link.clone(),
                    title: card_title(link),
                    description: String::new(),
                    thumb: None,
                },
            }));
        }
        Ok(None)
    }

    /// The reply refs for a reply to `target`: from its `meta` when it carries them, else
    /// read with `getRecord`.
    async fn reply_refs(&self, target: &PostRef) -> Result<ReplyRef> {
        let uri = AtUri::parse(&target.id)?;
        if let (Some(cid), Some(root_uri), Some(root_cid)) = (
            target.meta("cid"),
            target.meta("root_uri"),
            target.meta("root_cid"),
        ) {
            return Ok(ReplyRef {
                root: StrongRef {
                    uri: root_uri.to_string(),
                    cid: root_cid.to_string(),
                },
                parent: StrongRef {
                    uri: target.id.clone(),
                    cid: cid.to_string(),
                },
            });
        }
        let rec = self
            .get_record("reply", &uri.authority, &uri.collection, &uri.rkey)
            .await?
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    "the post to reply to does not exist (any more)",
                )
                .with_platform(PLATFORM)
                .with_operation("reply")
            })?;
        let cid = rec.cid.clone().ok_or_else(|| {
            Error::unexpected("Bluesky returned the post to reply to without its CID")
                .with_platform(PLATFORM)
        })?;
        let parent = StrongRef {
            uri: rec.uri.clone(),
            cid,
        };
        let root = LooseRecord::from_value(&rec.value)
            .reply
            .map(|r| r.root)
            .unwrap_or_else(|| parent.clone());
        Ok(ReplyRef { root, parent })
    }

    /// Creates the post record at `rkey`; when that fails in a way that may hide a success,
    /// looks at the key and returns the record already there.
    async fn create_post(
        &self,
        op: &'static str,
        did: &str,
        rkey: &str,
        record: &PostRecord,
    ) -> Result<(StrongRef, String)> {
        let input = CreateRecordInput {
            repo: did,
            collection: POST_COLLECTION,
            rkey: Some(rkey),
            record,
        };
        let sent = self
            .call(op, |_| {
                Call::post(
                    PLATFORM,
                    "publish",
                    self.url("com.atproto.repo.createRecord"),
                )
                .json(&input)
                .retry(Retry::Never)
            })
            .await
            .and_then(|r| r.json::<CreateRecordOutput>());
        let err = match sent {
            Ok(out) => {
                return Ok((
                    StrongRef {
                        uri: out.uri,
                        cid: out.cid,
                    },
                    record.created_at.clone(),
                ));
            }
            Err(e) => e,
        };
        if !may_hide_a_success(&err) {
            return Err(err);
        }
        match self.get_record(op, did, POST_COLLECTION, rkey).await {
            Ok(Some(existing)) => {
                let value = LooseRecord::from_value(&existing.value);
                if value.text.as_deref() != Some(record.text.as_str()) {
                    return Err(Error::new(
                        ErrorKind::Conflict,
                        format!(
                            "record key {rkey} already holds a different post: was the idempotency key reused for other content?"
                        ),
                    )
                    .with_platform(PLATFORM)
                    .with_operation(op));
                }
                let cid = existing.cid.ok_or_else(|| err.clone())?;
                tracing::info!(
                    platform = PLATFORM,
                    rkey,
                    "the post was already published under this record key; returning it"
                );
                Ok((
                    StrongRef {
                        uri: existing.uri,
                        cid,
                    },
                    value
                        .created_at
                        .unwrap_or_else(|| record.created_at.clone()),
                ))
            }
            _ => Err(err),
        }
    }

    /// Publishes `post` (as a reply to `post.reply_to` when set).
    async fn publish_post(
        &self,
        post: &Post,
        opts: &PublishOptions,
        op: &'static str,
    ) -> Result<Published> {
        // The post arrives resolved for Bluesky, split when asked and checked (the adapter base).
        let parts = post.parts();
        let prepared = self
            .prepare(&parts)
            .await
            .map_err(|e| self.context(e, op))?;

        let session = self.current_session().await?;
        let did = session.did.clone();
        let handle = session.handle.clone();
        let mut reply = match &post.reply_to {
            Some(target) => Some(
                self.reply_refs(target)
                    .await
                    .map_err(|e| self.context(e, op))?,
            ),
            None => None,
        };
        let langs: Vec<String> = post.language.iter().cloned().collect();
        let mut resolved: HashMap<String, Option<String>> = HashMap::new();
        let mut refs = Vec::with_capacity(prepared.len());
        let mut published_at = None;
        for (i, part) in prepared.iter().enumerate() {
            // Mentions: resolve each handle once per publish.
            let detected = crate::text::bluesky::detect_facets(&part.text);
            for f in &detected {
                if let crate::text::bluesky::FacetFeature::Mention { handle } = &f.feature {
                    if let std::collections::hash_map::Entry::Vacant(slot) =
                        resolved.entry(handle.clone())
                    {
                        let did = self
                            .resolve_handle(slot.key())
                            .await
                            .map_err(|e| self.context(e, op))?;
                        if did.is_none() {
                            tracing::debug!(platform = PLATFORM, handle = %slot.key(), "mention does not resolve; left as text");
                        }
                        slot.insert(did);
                    }
                }
            }
            let facets = convert_facets(detected, |h| resolved.get(h).cloned().flatten());
            let embed = self
                .embed_for(part)
                .await
                .map_err(|e| self.context(e, op))?;
            let record = PostRecord {
                text: part.text.clone(),
                created_at: self
                    .http()
                    .now()
                    .to_rfc3339_opts(SecondsFormat::Millis, true),
                facets,
                reply: reply.clone(),
                embed,
                langs: langs.clone(),
                ..PostRecord::default()
            };
            let rkey = match &opts.idempotency_key {
                Some(key) => Tid::from_key(key, i),
                None => Tid::now(),
            }
            .to_string();
            let (strong, created_at) = self.create_post(op, &did, &rkey, &record).await?;
            if published_at.is_none() {
                published_at = DateTime::parse_from_rfc3339(&created_at)
                    .ok()
                    .map(|d| d.with_timezone(&Utc));
            }
            let root = reply
                .as_ref()
                .map(|r| r.root.clone())
                .unwrap_or_else(|| strong.clone());
            refs.push(
                PostRef::new(PLATFORM, strong.uri.clone())
                    .with_url(post_url(&handle, &rkey))
                    .with_meta("cid", strong.cid.clone())
                    .with_meta("root_uri", root.uri.clone())
                    .with_meta("root_cid", root.cid.clone()),
            );
            reply = Some(ReplyRef {
                root,
                parent: strong,
            });
        }
        let first = refs
            .first()
            .cloned()
            .ok_or_else(|| Error::validation("the post has no parts").with_platform(PLATFORM))?;
        Ok(Published {
            post: first,
            parts: refs,
            published_at: published_at.unwrap_or_else(|| self.http().now()),
        })
    }
}

/// Whether a failed create may have happened anyway (lost answer, 5xx, timeout) or may be a
/// collision with an earlier create at the same record key (PDS 0.5.35 answers that with 500
/// `InternalServerError`; other servers may say so with a 4xx naming the key).
fn may_hide_a_success(err: &Error) -> bool {
    match err.kind() {
        ErrorKind::Platform
        | ErrorKind::Timeout
        | ErrorKind::Network
        | ErrorKind::Unexpected
        | ErrorKind::Conflict
        | ErrorKind::Duplicate => true,
        ErrorKind::Validation => err.context().platform_message.as_deref().is_some_and(|m| {
            let m = m.to_ascii_lowercase();
            m.contains("already") || m.contains("exists")
        }),
        _ => false,
    }
}

/// An [`Interaction`] from a notification; `None` for reasons socialkit does not map
/// (`starterpack-joined`, `verified`, `like-via-repost` …) and unparsable times.
fn interaction_from(own_handle: &str, n: &Notification) -> Option<Interaction> {
    let kind = match n.reason.as_str() {
        "like" => InteractionKind::Like,
        "repost" => InteractionKind::Repost,
        "follow" => InteractionKind::Follow,
        "mention" => InteractionKind::Mention,
        "reply" => InteractionKind::Reply,
        "quote" => InteractionKind::Quote,
        _ => return None,
    };
    let created_at = parse_time(&n.indexed_at)?;
    let rec = LooseRecord::from_value(&n.record);
    let author_handle = if n.author.handle.is_empty() {
        n.author.did.clone()
    } else {
        n.author.handle.clone()
    };
    let own_post = |uri: &str, cid: Option<&str>| {
        let mut r = PostRef::new(PLATFORM, uri);
        if let Ok(u) = AtUri::parse(uri) {
            r = r.with_url(post_url(own_handle, &u.rkey));
        }
        if let Some(c) = cid.filter(|c| !c.is_empty()) {
            r = r.with_meta("cid", c);
        }
        r
    };
    let subject = rec.subject.as_ref().and_then(|s| {
        let uri = s.get("uri")?.as_str()?;
        Some((
            uri.to_string(),
            s.get("cid").and_then(|c| c.as_str()).map(str::to_string),
        ))
    });
    let post = match kind {
        InteractionKind::Like | InteractionKind::Repost => subject
            .map(|(u, c)| own_post(&u, c.as_deref()))
            .or_else(|| n.reason_subject.as_deref().map(|u| own_post(u, None))),
        InteractionKind::Reply => match (&n.reason_subject, &rec.reply) {
            (Some(u), Some(r)) if r.parent.uri == *u => Some(own_post(u, Some(&r.parent.cid))),
            (Some(u), _) => Some(own_post(u, None)),
            (None, Some(r)) => Some(own_post(&r.parent.uri, Some(&r.parent.cid))),
            (None, None) => None,
        },
        InteractionKind::Quote => n.reason_subject.as_deref().map(|u| own_post(u, None)),
        _ => None,
    };
    let mut reference =
        InteractionRef::new(PLATFORM, n.uri.clone()).with_meta("reason", n.reason.clone());
    if !n.cid.is_empty() {
        reference = reference.with_meta("cid", n.cid.clone());
    }
    let mut conversation = None;
    if kind.has_text() && !n.cid.is_empty() {
        let root = rec
            .reply
            .as_ref()
            .map(|r| r.root.clone())
            .unwrap_or(StrongRef {
                uri: n.uri.clone(),
                cid: n.cid.clone(),
            });
        conversation = Some(root.uri.clone());
        let mut their = PostRef::new(PLATFORM, n.uri.clone())
            .with_meta("cid", n.cid.clone())
            .with_meta("root_uri", root.uri)
            .with_meta("root_cid", root.cid);
        if let Ok(u) = AtUri::parse(&n.uri) {
            their = their.with_url(post_url(&author_handle, &u.rkey));
        }
        reference = reference.with_post(their);
    }
    Some(Interaction {
        reference,
        kind,
        author: Author {
            id: n.author.did.clone(),
            handle: author_handle.clone(),
            display_name: n.author.display_name.clone().filter(|d| !d.is_empty()),
            followers: None,
            url: Some(profile_url(&author_handle)),
        },
        text: if kind.has_text() {
            rec.text.clone()
        } else {
            None
        },
        created_at,
        post,
        conversation,
        language: rec.langs.first().cloned(),
    })
}

/// The title of a link card made without fetching the page: the URL without its scheme.
fn card_title(link: &str) -> String {
    let t = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"))
        .unwrap_or(link)
        .trim_end_matches('/');
    t.chars().take(300).collect()
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[async_trait]
impl Adapter for Bluesky {
    fn capabilities(&self) -> &Capabilities {
        &self.inner.caps
    }

    /// Errors name the channel (the account's identifier) too.
    fn context(&self, e: Error, op: Operation) -> Error {
        Bluesky::context(self, e, op.as_str())
    }

    async fn channel(&self) -> Result<Channel> {
        let s = self.current_session().await?;
        let did = s.did.clone();
        let profile = self
            .call("channel", |_| {
                Call::get(PLATFORM, "channel", self.url("app.bsky.actor.getProfile"))
                    .query([("actor", did.as_str())])
            })
            .await;
        match profile {
            Ok(r) => {
                let p: ProfileViewDetailed = r.json()?;
                let handle = if p.handle.is_empty() {
                    s.handle.clone()
                } else {
                    p.handle.clone()
                };
                let mut c =
                    Channel::new(PLATFORM, p.did.clone(), handle.clone()).with_profile(Profile {
                        display_name: p.display_name.filter(|d| !d.is_empty()),
                        bio: p.description.filter(|d| !d.is_empty()),
                        avatar: p.avatar,
                        website: None,
                    });
                c.url = Some(profile_url(&handle));
                c.metrics = ChannelMetrics {
                    followers: p.followers_count,
                    following: p.follows_count,
                    posts: p.posts_count,
                    ..ChannelMetrics::default()
                };
                Ok(c)
            }
            // A PDS without AppView: the profile record, no metrics.
            Err(e) if e.kind() == ErrorKind::Unsupported => {
                let rec = self
                    .get_record("channel", &s.did, PROFILE_COLLECTION, "self")
                    .await?;
                let p: ProfileRecord = rec
                    .and_then(|r| serde_json::from_value(r.value).ok())
                    .unwrap_or_default();
                let mut c =
                    Channel::new(PLATFORM, s.did.clone(), s.handle.clone()).with_profile(Profile {
                        display_name: p.display_name.filter(|d| !d.is_empty()),
                        bio: p.description.filter(|d| !d.is_empty()),
                        avatar: p.avatar.map(|b| {
                            let mut u = self.url("com.atproto.sync.getBlob");
                            u.query_pairs_mut()
                                .append_pair("did", &s.did)
                                .append_pair("cid", &b.reference.link);
                            u.to_string()
                        }),
                        website: None,
                    });
                c.url = Some(profile_url(&s.handle));
                Ok(c)
            }
            Err(e) => Err(e),
        }
    }

    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published> {
        self.publish_post(post, opts, "publish").await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        let uri = AtUri::parse(&post.id).map_err(|e| self.context(e, "delete"))?;
        let s = self.current_session().await?;
        if uri.authority != s.did && uri.authority != s.handle {
            return Err(Error::new(
                ErrorKind::PermissionDenied,
                "this post belongs to another account; only the channel's own posts can be deleted",
            )
            .with_platform(PLATFORM)
            .with_operation("delete"));
        }
        if uri.collection != POST_COLLECTION {
            return Err(
                Error::validation(format!("{} is not a post", post.id)).with_platform(PLATFORM)
            );
        }
        let input = DeleteRecordInput {
            repo: s.did.clone(),
            collection: uri.collection.clone(),
            rkey: uri.rkey.clone(),
        };
        let out: api::DeleteRecordOutput = self
            .call("delete", |_| {
                Call::post(
                    PLATFORM,
                    "delete",
                    self.url("com.atproto.repo.deleteRecord"),
                )
                .json(&input)
                // Deleting twice deletes once; a retried delete whose first attempt went
                // through reports NotFound ("already gone").
                .retry(Retry::Idempotent)
            })
            .await?
            .json()?;
        // The PDS answers 200 either way; only a delete that happened carries a commit.
        if out.commit.is_none() {
            return Err(Error::new(
                ErrorKind::NotFound,
                "the post does not exist (already deleted?)",
            )
            .with_platform(PLATFORM)
            .with_channel(&self.inner.config.identifier)
            .with_operation("delete"));
        }
        Ok(())
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        let op = "interactions";
        let mut state = match &query.cursor {
            Some(c) => CursorState::decode(c).map_err(|e| self.context(e, op))?,
            None => CursorState::from_floor(query.since.map_or(i64::MIN, |t| t.timestamp_millis())),
        };
        let s = self.current_session().await?;
        let mut fetched: Vec<Notification> = Vec::new();
        let mut page_cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let cursor = page_cursor.clone();
            let out: ListNotificationsOutput = self
                .call(op, |_| {
                    let mut c = Call::get(
                        PLATFORM,
                        "interactions",
                        self.url("app.bsky.notification.listNotifications"),
                    )
                    .query([("limit", "100")]);
                    if let Some(cur) = &cursor {
                        c = c.query([("cursor", cur.as_str())]);
                    }
                    c
                })
                .await?
                .json()?;
            pages += 1;
            let oldest = out
                .notifications
                .iter()
                .filter_map(|n| parse_time(&n.indexed_at))
                .min();
            let empty = out.notifications.is_empty();
            let last = out
                .notifications
                .last()
                .and_then(|n| parse_time(&n.indexed_at));
            fetched.extend(out.notifications);
            let passed_floor = oldest.is_some_and(|t| t.timestamp_millis() < state.floor);
            // The AppView pages with "sortAt < cursor" (the last item's sortAt), so items that
            // share the last item's millisecond but did not fit the page would never come.
            // When the cursor is that instant, ask from one millisecond later instead: the page
            // overlaps, and the selection drops what it already has.
            let next = match (&out.cursor, last) {
                (Some(c), Some(t)) if parse_time(c) == Some(t) => {
                    let later = (t + chrono::Duration::milliseconds(1))
                        .to_rfc3339_opts(SecondsFormat::Millis, true);
                    if Some(&later) == page_cursor.as_ref() {
                        out.cursor.clone()
                    } else {
                        Some(later)
                    }
                }
                (c, _) => c.clone(),
            };
            if empty || passed_floor || next.is_none() || next == page_cursor {
                break;
            }
            if pages >= MAX_NOTIFICATION_PAGES {
                if let Some(t) = oldest {
                    tracing::warn!(
                        platform = PLATFORM,
                        pages,
                        "more unread notifications than one read covers; older ones are skipped"
                    );
                    state = state.raise_floor(t.timestamp_millis());
                }
                break;
            }
            page_cursor = next;
        }
        let items: Vec<Item> = fetched
            .iter()
            .map(|n| {
                let at = parse_time(&n.indexed_at).map_or(i64::MIN, |t| t.timestamp_millis());
                let kind = interaction_from(&s.handle, n).map(|i| i.kind);
                Item {
                    at,
                    uri: n.uri.clone(),
                    wanted: kind.is_some_and(|k| query.wants(k)),
                }
            })
            .collect();
        let sel = cursor::select(&state, &items, query.limit.max(1));
        let list = sel
            .deliver
            .iter()
            .filter_map(|i| interaction_from(&s.handle, &fetched[*i]))
            .collect();
        Ok(Page {
            items: list,
            next_cursor: Some(sel.next.encode()),
            has_more: sel.has_more,
        })
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let target = to.post.clone().ok_or_else(|| {
            let reason = to
                .meta
                .get("reason")
                .map_or("this interaction", String::as_str);
            Error::validation(format!("cannot reply to a {reason}: it is not a post"))
                .with_platform(PLATFORM)
                .with_operation("reply")
        })?;
        let post = post.clone().in_reply_to(target);
        self.publish_post(&post, opts, "reply").await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        self.search_posts(query).await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let mut out = Vec::with_capacity(posts.len());
        for batch in posts.chunks(GET_POSTS_BATCH) {
            for p in batch {
                AtUri::parse(&p.id).map_err(|e| self.context(e, "post metrics"))?;
            }
            let uris: Vec<(&str, &str)> = batch.iter().map(|p| ("uris", p.id.as_str())).collect();
            let views: GetPostsOutput = self
                .call("post metrics", |_| {
                    Call::get(PLATFORM, "post metrics", self.url("app.bsky.feed.getPosts"))
                        .query(uris.iter().copied())
                })
                .await?
                .json()?;
            let now = self.http().now();
            let by_uri: HashMap<&str, &api::PostView> =
                views.posts.iter().map(|v| (v.uri.as_str(), v)).collect();
            for p in batch {
                let Some(v) = by_uri.get(p.id.as_str()) else {
                    tracing::debug!(platform = PLATFORM, uri = %p.id, "no metrics: the post is deleted or not visible");
                    continue;
                };
                let mut m = PostMetrics::new(p.clone(), now);
                m.likes = v.like_count;
                m.reposts = v.repost_count;
                m.replies = v.reply_count;
                m.quotes = v.quote_count;
                m.bookmarks = v.bookmark_count;
                out.push(m);
            }
        }
        Ok(out)
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let s = self.current_session().await?;
        let want = limit.max(1);
        // Record keys derived from idempotency keys do not sort by time, so the repo's own
        // listing (reverse key order) cannot say which posts are the newest. The AppView's
        // author feed is ordered by time; the newest page of the listing adds what the AppView
        // has not indexed yet (it lags by about a second). Without an AppView (a bare PDS),
        // the listing alone is read, up to MAX_LISTED_PAGES pages, and ordered by createdAt.
        let mut found: HashMap<String, RecentPost> = HashMap::new();
        let mut pages_of_listing = 1;
        match self.author_feed(&s, want).await {
            Ok(posts) => {
                for p in posts {
                    found.insert(p.post.id.clone(), p);
                }
            }
            Err(e) if e.kind() == ErrorKind::Unsupported => pages_of_listing = MAX_LISTED_PAGES,
            Err(e) => return Err(e),
        }
        let mut cursor: Option<String> = None;
        for _ in 0..pages_of_listing {
            let page = self.public_get_list(&s.did, cursor.as_deref()).await?;
            let n = page.records.len();
            for r in page.records {
                if let Some(p) = recent_from_record(&s.handle, &r.uri, r.cid.as_deref(), &r.value) {
                    found.entry(p.post.id.clone()).or_insert(p);
                }
            }
            match page.cursor {
                Some(c) if n > 0 && Some(&c) != cursor.as_ref() => cursor = Some(c),
                _ => break,
            }
        }
        let mut out: Vec<RecentPost> = found.into_values().collect();
        out.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.post.id.cmp(&a.post.id))
        });
        out.truncate(limit);
        Ok(out)
    }
}

/// Repo listing pages (of 100) [`Platform::recent_posts`] reads on a PDS without AppView.
/// Record keys derived from idempotency keys do not sort by time, so there the listing is
/// read this far and ordered by `createdAt`.
///
/// ```
/// assert_eq!(socialkit::adapters::bluesky::MAX_LISTED_PAGES, 10);
/// ```
pub const MAX_LISTED_PAGES: usize = 10;

/// A [`RecentPost`] from a post record (`None` for what is not a post).
fn recent_from_record(
    handle: &str,
    uri: &str,
    cid: Option<&str>,
    value: &serde_json::Value,
) -> Option<RecentPost> {
    let at = AtUri::parse(uri).ok()?;
    if at.collection != POST_COLLECTION {
        return None;
    }
    let v = LooseRecord::from_value(value);
    let created_at = v
        .created_at
        .as_deref()
        .and_then(parse_time)
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut post = PostRef::new(PLATFORM, uri).with_url(post_url(handle, &at.rkey));
    if let Some(cid) = cid.filter(|c| !c.is_empty()) {
        post = post.with_meta("cid", cid);
    }
    Some(RecentPost {
        post,
        text: v.text.unwrap_or_default(),
        created_at,
        idempotency_key: None,
        in_reply_to: v.reply.map(|r| r.parent.uri),
    })
}

impl Bluesky {
    /// The channel's own posts (reposts left out) from `app.bsky.feed.getAuthorFeed`,
    /// newest first, at least `want` when there are that many (at most 10 pages).
    async fn author_feed(&self, s: &Session, want: usize) -> Result<Vec<RecentPost>> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        let limit = want.clamp(1, 100).to_string();
        for _ in 0..10 {
            let cur = cursor.clone();
            let page: api::AuthorFeedOutput = self
                .call("recent posts", |_| {
                    let mut c = Call::get(
                        PLATFORM,
                        "recent posts",
                        self.url("app.bsky.feed.getAuthorFeed"),
                    )
                    .query([
                        ("actor", s.did.as_str()),
                        ("filter", "posts_with_replies"),
                        ("limit", limit.as_str()),
                    ]);
                    if let Some(cur) = &cur {
                        c = c.query([("cursor", cur.as_str())]);
                    }
                    c
                })
                .await?
                .json()?;
            let n = page.feed.len();
            for item in page.feed {
                if item.reason.is_some() || item.post.author.did != s.did {
                    continue;
                }
                if let Some(p) = recent_from_record(
                    &s.handle,
                    &item.post.uri,
                    Some(&item.post.cid),
                    &item.post.record,
                ) {
                    out.push(p);
                }
            }
            match page.cursor {
                Some(c) if n > 0 && out.len() < want && Some(&c) != cursor.as_ref() => {
                    cursor = Some(c)
                }
                _ => break,
            }
        }
        Ok(out)
    }

    async fn public_get_list(
        &self,
        did: &str,
        cursor: Option<&str>,
    ) -> Result<ListRecordsOutput<serde_json::Value>> {
        let mut q = vec![
            ("repo", did),
            ("collection", POST_COLLECTION),
            ("limit", "100"),
        ];
        if let Some(c) = cursor {
            q.push(("cursor", c));
        }
        self.public_get("recent posts", "com.atproto.repo.listRecords", &q)
            .await?
            .json()
    }
}

/// Registers the `bluesky` scheme: channel URLs `bluesky://HANDLE:APP-PASSWORD@PDS-HOST` and
/// serde settings [`BlueskyConfig`].
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            let p: Arc<dyn Platform> = Arc::new(Bluesky::new(BlueskyConfig::from_url(url)?)?);
            Ok(p)
        }),
        Arc::new(|value: serde_json::Value| {
            let cfg: BlueskyConfig = settings(PLATFORM, value)?;
            let p: Arc<dyn Platform> = Arc::new(Bluesky::new(cfg)?);
            Ok(p)
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn at_uris() {
        let u = AtUri::parse("at://did:plc:abc/app.bsky.feed.post/3kzxy2a5bxq2c").unwrap();
        assert_eq!(
            (u.authority.as_str(), u.collection.as_str(), u.rkey.as_str()),
            ("did:plc:abc", "app.bsky.feed.post", "3kzxy2a5bxq2c")
        );
        assert_eq!(
            AtUri::parse("at://alice.test/app.bsky.feed.post/3k")
                .unwrap()
                .authority,
            "alice.test"
        );
        for bad in [
            "",
            "at://",
            "at://did:plc:abc",
            "at://did:plc:abc/app.bsky.feed.post",
            "at://did:plc:abc/app.bsky.feed.post/",
            "at://did:plc:abc/app.bsky.feed.post/a/b",
            "at://did:plc:abc/app.bsky.feed.post/..",
            "at://did:plc:abc/app.bsky.feed.post/has space",
            "https://bsky.app/profile/a/post/3k",
            "42",
        ] {
            let e = AtUri::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Validation, "{bad}");
        }
        let long = format!("x{}", "y".repeat(10_000));
        assert!(AtUri::parse(&long).unwrap_err().to_string().len() < 400);
    }

    fn notification(
        reason: &str,
        record: serde_json::Value,
        subject: Option<&str>,
    ) -> Notification {
        serde_json::from_value(json!({
            "uri": format!("at://did:plc:bob/app.bsky.feed.{}/3n3dzki36522g", if reason == "like" { "like" } else { "post" }),
            "cid": "bafyreibob",
            "author": {"did": "did:plc:bob", "handle": "bob.test", "displayName": "Bob"},
            "reason": reason,
            "reasonSubject": subject,
            "record": record,
            "isRead": false,
            "indexedAt": "2026-11-28T06:00:00.000Z",
            "labels": []
        }))
        .unwrap()
    }

    #[test]
    fn notifications_map_to_interactions() {
        let mine = "at://did:plc:alice/app.bsky.feed.post/3kmine";
        let like = notification(
            "like",
            json!({"$type": "app.bsky.feed.like", "subject": {"uri": mine, "cid": "bafymine"}, "createdAt": "2026-11-28T05:59:59Z"}),
            Some(mine),
        );
        let i = interaction_from("alice.test", &like).unwrap();
        assert_eq!(i.kind, InteractionKind::Like);
        assert_eq!(i.text, None);
        let post = i.post.unwrap();
        assert_eq!(post.id, mine);
        assert_eq!(post.meta("cid"), Some("bafymine"));
        assert_eq!(
            post.url.as_deref(),
            Some("https://bsky.app/profile/alice.test/post/3kmine")
        );
        assert!(i.reference.post.is_none(), "a like is not a post to answer");
        assert_eq!(i.author.display_name.as_deref(), Some("Bob"));
        assert_eq!(i.created_at.to_rfc3339(), "2026-11-28T06:00:00+00:00");

        let reply = notification(
            "reply",
            json!({"$type": "app.bsky.feed.post", "text": "Nice!", "langs": ["en"], "createdAt": "2026-11-28T06:00:00Z",
                   "reply": {"root": {"uri": "at://did:plc:alice/app.bsky.feed.post/3kroot", "cid": "bafyroot"},
                             "parent": {"uri": mine, "cid": "bafymine"}}}),
            Some(mine),
        );
        let i = interaction_from("alice.test", &reply).unwrap();
        assert_eq!(i.kind, InteractionKind::Reply);
        assert_eq!(i.text.as_deref(), Some("Nice!"));
        assert_eq!(i.language.as_deref(), Some("en"));
        assert_eq!(i.post.as_ref().unwrap().id, mine);
        assert_eq!(
            i.conversation.as_deref(),
            Some("at://did:plc:alice/app.bsky.feed.post/3kroot")
        );
        let theirs = i.reference.post.unwrap();
        assert_eq!(theirs.meta("cid"), Some("bafyreibob"));
        assert_eq!(
            theirs.meta("root_uri"),
            Some("at://did:plc:alice/app.bsky.feed.post/3kroot")
        );
        assert_eq!(theirs.meta("root_cid"), Some("bafyroot"));
        assert_eq!(
            theirs.url.as_deref(),
            Some("https://bsky.app/profile/bob.test/post/3n3dzki36522g")
        );

        let mention = notification("mention", json!({"text": "@alice.test hi"}), None);
        let i = interaction_from("alice.test", &mention).unwrap();
        assert_eq!(i.kind, InteractionKind::Mention);
        assert!(i.post.is_none());
        // A mention is its own root.
        assert_eq!(
            i.reference.post.unwrap().meta("root_uri"),
            Some(i.reference.id.as_str())
        );

        let quote = notification("quote", json!({"text": "look"}), Some(mine));
        assert_eq!(
            interaction_from("alice.test", &quote)
                .unwrap()
                .post
                .unwrap()
                .id,
            mine
        );
        let follow = notification("follow", json!({"subject": "did:plc:alice"}), None);
        let i = interaction_from("alice.test", &follow).unwrap();
        assert_eq!(
            (i.kind, i.post, i.text),
            (InteractionKind::Follow, None, None)
        );

        for other in [
            "starterpack-joined",
            "verified",
            "like-via-repost",
            "subscribed-post",
            "",
        ] {
            assert!(
                interaction_from("alice.test", &notification(other, json!({}), None)).is_none()
            );
        }
        let mut broken = notification("like", json!("not an object"), None);
        broken.indexed_at = "yesterday".into();
        assert!(
            interaction_from("alice.test", &broken).is_none(),
            "no panic, no guess"
        );
        let garbage = notification("reply", json!({"text": 5, "reply": "x"}), None);
        let i = interaction_from("alice.test", &garbage).unwrap();
        assert_eq!((i.text, i.post), (None, None));
    }

    #[test]
    fn cards_and_recovery_rules() {
        assert_eq!(
            card_title("https://example.com/launch/"),
            "example.com/launch"
        );
        assert_eq!(card_title("http://x.y"), "x.y");
        let e = |kind: ErrorKind| Error::new(kind, "x");
        assert!(may_hide_a_success(&e(ErrorKind::Platform)));
        assert!(may_hide_a_success(&e(ErrorKind::Timeout)));
        assert!(may_hide_a_success(&e(ErrorKind::Unexpected)));
        assert!(!may_hide_a_success(&e(ErrorKind::RateLimited)));
        assert!(!may_hide_a_success(&e(ErrorKind::Unauthenticated)));
        assert!(!may_hide_a_success(&e(ErrorKind::Validation)));
        assert!(may_hide_a_success(
            &e(ErrorKind::Validation).with_platform_message("Record already exists")
        ));
    }

    #[test]
    fn facets_from_the_text_rules() {
        let text = "Ünïcode first: @bob.test #tag https://example.com";
        let facets = facets_for(text, |h| (h == "bob.test").then(|| "did:plc:bob".into()));
        let json = serde_json::to_value(&facets).unwrap();
        for f in json.as_array().unwrap() {
            let (s, e) = (
                f["index"]["byteStart"].as_u64().unwrap() as usize,
                f["index"]["byteEnd"].as_u64().unwrap() as usize,
            );
            assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        }
        assert_eq!(
            &text[facets[0].index.byte_start..facets[0].index.byte_end],
            "@bob.test"
        );
        assert_eq!(
            json[1]["features"][0],
            json!({"$type": "app.bsky.richtext.facet#tag", "tag": "tag"})
        );
        assert_eq!(
            json[2]["features"][0],
            json!({"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"})
        );
    }
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn facets_for() {
        use crate::adapters::bluesky::{api::FacetFeature, facets_for};
        let facets = facets_for("hi @bob.test see https://example.com #rust", |h| {
            (h == "bob.test").then(|| "did:plc:bob".to_string())
        });
        assert_eq!(facets.len(), 3);
        assert_eq!(
            facets[0].features[0],
            FacetFeature::Mention {
                did: "did:plc:bob".into()
            }
        );
        assert_eq!(
            (facets[0].index.byte_start, facets[0].index.byte_end),
            (3, 12)
        );
        let none = facets_for("hi @nobody.test", |_| None);
        assert!(none.is_empty());
    }
}
