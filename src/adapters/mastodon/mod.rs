//! Mastodon, and servers that speak its client API (snac, GoToSocial, Pleroma/Akkoma).
//!
//! - **Publish**: text with content warning (`spoiler_text`), visibility and language; media
//!   through `POST /api/v2/media` with alt text, waiting (bounded) for asynchronous processing
//!   when the server answers 202; threads as reply chains; an `Idempotency-Key` on every status
//!   create, derived per part from [`PublishOptions::idempotency_key`] (`<key>-<part index>`).
//!   A create is sent once: one whose answer is lost comes back as an error that leaves doubt,
//!   and the engine looks the status up before it publishes again (see *Exactly once* below).
//!   With [`PublishOptions::split_long_text`], a text over the limit becomes a
//!   numbered thread (the content warning counts in every part). Edit
//!   (`PUT /api/v1/statuses/{id}`: text, content warning, language, and the media when the new
//!   post has some; without, the status keeps its media) and delete.
//! - **Interactions** from `GET /api/v1/notifications`: mentions, replies (a mention whose
//!   status replies to one of ours), favourites (likes), reblogs (reposts), follows and quotes,
//!   read forward from a cursor without skips or repeats (the crate-private `paging` module); replies to them.
//! - **Search** of public statuses for listening ([`search`]): full-text search for words,
//!   the hashtag timeline for hashtags only, the same meaning on Mastodon and snac.
//! - **Metrics** per status (replies, reblogs, favourites, quotes where the server reports
//!   them; `None` for what Mastodon never reports, like impressions) and channel info from
//!   `verify_credentials`.
//! - **Errors** mapped in one place ([`errors`]).
//!
//! # Capabilities: read from the instance, once, before the first check or write
//!
//! Every instance sets its own limits (`GET /api/v2/instance`, falling back to
//! `/api/v1/instance` and its `max_toot_chars`, then to Mastodon's defaults: 500 characters,
//! 23 per URL, 4 attachments) and runs its own software ([`server::ServerFamily`]), which
//! decides whether its `Idempotency-Key` can be trusted. [`Platform::capabilities`] is
//! synchronous and returns a reference, so the rule is:
//!
//! - every write ([`publish`](Platform::publish), [`reply`](Platform::reply),
//!   [`edit`](Platform::edit)) reads the instance first, once per adapter; its limits and its
//!   idempotency are the instance's, whichever way the adapter was built;
//! - the engine calls [`Platform::load_capabilities`] before it checks a post for a channel,
//!   so `engine.submit` gives the same answer for the same post every time;
//! - [`Mastodon::connect`] (async) reads the instance before it returns, so its
//!   [`capabilities`](Platform::capabilities) are the instance's from the start;
//!   [`Mastodon::new`] (sync, what the [`Registry`] uses) reads it on the first of the calls
//!   above or on [`Mastodon::refresh_capabilities`]. Until then `capabilities()` holds
//!   Mastodon's documented defaults with no idempotency ([`default_capabilities`]).
//!
//! The result is kept in a [`tokio::sync::OnceCell`], so concurrent callers read the instance
//! once and every `&Capabilities` handed out stays valid. An adapter built with
//! [`Mastodon::with_capabilities`] never reads the instance.
//!
//! # Exactly once
//!
//! A status create (and a media upload) is sent once by the HTTP layer, never re-sent on its
//! own. When its outcome is unknown (the answer was lost, timed out or was a 5xx), the error
//! leaves doubt ([`ErrorKind::Network`], [`ErrorKind::Timeout`], [`ErrorKind::Platform`]); the
//! engine then lists the account's recent statuses and finds the one made, or proves there is
//! none, before it sends the create again. [`Capabilities::idempotency`] says
//! [`Idempotency::Key`] only for servers shown to honour the key (Mastodon, Pleroma, Akkoma;
//! not snac or GoToSocial: see [`server`] for the sources); the engine relies on a re-send with
//! the key only there, and only when the listing cannot settle the doubt.
//!
//! ```no_run
//! use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
//! use socialkit::{Platform, PlatformExt};
//! # async fn demo() -> socialkit::Result<()> {
//! let config = MastodonConfig::from_url_str("mastodon://TOKEN@mastodon.example")?;
//! let mastodon = Mastodon::connect(config).await?;
//! println!("limit: {}", mastodon.capabilities().text.max);
//! let published = mastodon.publish_text("Hello, fediverse").await?;
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
pub(crate) mod html;
pub mod oauth;
pub(crate) mod paging;
pub mod search;
pub mod server;
#[cfg(feature = "testkit")]
pub mod twin;

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;
use tokio::sync::OnceCell;
use url::Url;

pub use config::MastodonConfig;

use crate::adapters::base::Adapter;
use crate::http::{
    Call, Client, HttpConfig, Multipart, Part as HttpPart, RateLimitStyle, Response, Retry,
};
use crate::model::{
    Author, Channel, ChannelMetrics, Interaction, InteractionKind, InteractionQuery,
    InteractionRef, Media, MediaKind, Metric, Page, Part, Post, PostMetrics, PostRef, Profile,
    PublishOptions, Published, RecentPost, SearchQuery, Visibility,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Operation, Platform};
use crate::text::{Counting, TextRule};
use crate::{Error, ErrorKind, Registry, Result};

use errors::MastodonErrors;
use paging::{PageQuery, PageSource};
use server::ServerFamily;

/// The platform's name, as errors and [`PostRef`]s carry it.
///
/// ```
/// assert_eq!(socialkit::adapters::mastodon::PLATFORM, "mastodon");
/// ```
pub const PLATFORM: &str = "mastodon";
/// The header Mastodon deduplicates status creates on (kept by the server for about an hour).
///
/// ```
/// assert_eq!(socialkit::adapters::mastodon::IDEMPOTENCY_HEADER, "Idempotency-Key");
/// ```
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Mastodon's text limit when the instance does not say.
///
/// ```
/// assert_eq!(socialkit::adapters::mastodon::DEFAULT_MAX_CHARACTERS, 500);
/// ```
pub const DEFAULT_MAX_CHARACTERS: usize = 500;
/// What a URL counts as when the instance does not say.
///
/// ```
/// assert_eq!(socialkit::adapters::mastodon::DEFAULT_URL_LENGTH, 23);
/// ```
pub const DEFAULT_URL_LENGTH: usize = 23;
/// Attachments per status when the instance does not say.
///
/// ```
/// assert_eq!(socialkit::adapters::mastodon::DEFAULT_MAX_MEDIA, 4);
/// ```
pub const DEFAULT_MAX_MEDIA: usize = 4;
/// The largest page `GET /api/v1/notifications` serves.
///
/// ```
/// assert_eq!(socialkit::adapters::mastodon::MAX_NOTIFICATIONS_PAGE, 80);
/// ```
pub const MAX_NOTIFICATIONS_PAGE: usize = 80;

/// Registers the `mastodon` scheme: `mastodon://TOKEN@instance[:port]?scheme=http` and the
/// serde form of [`MastodonConfig`]. The registry's factories are synchronous, so they build
/// with [`Mastodon::new`]; the instance is read before the first check or write (see the
/// module docs), so a channel from the registry behaves as one from [`Mastodon::connect`].
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            let config = MastodonConfig::from_url(url)?;
            Ok(Arc::new(Mastodon::new(config)?) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: MastodonConfig = crate::registry::settings(PLATFORM, value)?;
            Ok(Arc::new(Mastodon::new(config)?) as Arc<dyn Platform>)
        }),
    );
}

/// A Mastodon account, as socialkit talks to it. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::mastodon::{Mastodon, twin::Twin};
/// use socialkit::{Platform, PlatformExt};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = Twin::start().await.unwrap();
/// let m = Mastodon::connect(twin.config()).await.unwrap();
/// let thread = m.publish_thread(&["First", "Second"]).await.unwrap();
/// assert_eq!(thread.parts.len(), 2);
/// let me = m.channel().await.unwrap();
/// assert_eq!(me.platform, "mastodon");
/// # });
/// ```
pub struct Mastodon {
    config: MastodonConfig,
    client: Client,
    defaults: Capabilities,
    loaded: OnceCell<Capabilities>,
    me: OnceCell<api::Account>,
    /// Whether the server closes every connection after its answer (snac; see
    /// [`Mastodon::authed`]).
    closes_connections: AtomicBool,
    /// The fixed endpoints' URLs, built once.
    endpoints: crate::http::Endpoints,
}

impl fmt::Debug for Mastodon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mastodon")
            .field("instance", &self.config.instance.as_str())
            .field("token", &"***")
            .field("capabilities_loaded", &self.loaded.initialized())
            .finish()
    }
}

impl Mastodon {
    /// An adapter with Mastodon's default capabilities, reading the instance's own limits
    /// lazily (see the module docs). No network call is made here.
    ///
    /// ```
    /// use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
    /// use socialkit::Platform;
    /// let m = Mastodon::new(MastodonConfig::new("mastodon.example", "token").unwrap()).unwrap();
    /// assert_eq!(m.capabilities().text.max, 500);
    /// assert!(!format!("{m:?}").contains("token\""));
    /// ```
    pub fn new(config: MastodonConfig) -> Result<Self> {
        let client = match config.request_timeout {
            Some(request_timeout) => Client::new(HttpConfig {
                request_timeout,
                ..HttpConfig::default()
            })?,
            None => Client::default(),
        };
        Ok(Self::with_client(config, client))
    }

    /// Like [`Mastodon::new`], sending through a given HTTP client (shared connection pool,
    /// own timeouts and retry policy).
    ///
    /// ```
    /// use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
    /// let http = socialkit::http::Client::default();
    /// let m = Mastodon::with_client(MastodonConfig::new("m.example", "tok").unwrap(), http.clone());
    /// assert!(!m.capabilities_loaded());
    /// ```
    pub fn with_client(config: MastodonConfig, client: Client) -> Self {
        Mastodon {
            config,
            client,
            defaults: default_capabilities(),
            loaded: OnceCell::new(),
            me: OnceCell::new(),
            closes_connections: AtomicBool::new(false),
            endpoints: crate::http::Endpoints::default(),
        }
    }

    /// An adapter with fixed capabilities: no instance read, ever. For limits known in
    /// advance, or to switch operations off by policy (an operation left out is refused with
    /// [`ErrorKind::Unsupported`] before any request).
    ///
    /// ```
    /// use socialkit::adapters::mastodon::{Mastodon, MastodonConfig, default_capabilities};
    /// use socialkit::{ErrorKind, Platform, model::PostRef};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut caps = default_capabilities();
    /// caps.delete = false;
    /// let config = MastodonConfig::new("mastodon.example", "token").unwrap();
    /// let m = Mastodon::with_capabilities(config, socialkit::http::Client::default(), caps);
    /// let e = m.delete(&PostRef::new("mastodon", "1")).await.unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::Unsupported);
    /// # });
    /// ```
    pub fn with_capabilities(
        config: MastodonConfig,
        client: Client,
        capabilities: Capabilities,
    ) -> Self {
        let m = Self::with_client(config, client);
        let _ = m.loaded.set(capabilities);
        m
    }

    /// An adapter whose capabilities are the instance's, read before it returns (one
    /// unauthenticated `GET /api/v2/instance`, or `/api/v1/instance` on older servers). It
    /// sends through a client with the config's `request_timeout`, like [`Mastodon::new`].
    ///
    /// ```
    /// use socialkit::adapters::mastodon::{Mastodon, twin::{Twin, TwinOptions}};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = Twin::start_with(TwinOptions { max_characters: 5000, ..Default::default() }).await.unwrap();
    /// let m = Mastodon::connect(twin.config()).await.unwrap();
    /// assert_eq!(m.capabilities().text.max, 5000);
    /// # });
    /// ```
    pub async fn connect(config: MastodonConfig) -> Result<Self> {
        let m = Self::new(config)?;
        m.refresh_capabilities().await?;
        Ok(m)
    }

    /// [`Mastodon::connect`] through a given HTTP client.
    ///
    /// ```no_run
    /// # async fn demo(config: socialkit::adapters::mastodon::MastodonConfig) -> socialkit::Result<()> {
    /// let http = socialkit::http::Client::default();
    /// let m = socialkit::adapters::mastodon::Mastodon::connect_with_client(config, http).await?;
    /// # let _ = m; Ok(()) }
    /// ```
    pub async fn connect_with_client(config: MastodonConfig, client: Client) -> Result<Self> {
        let m = Self::with_client(config, client);
        m.refresh_capabilities().await?;
        Ok(m)
    }

    /// The configuration.
    ///
    /// ```
    /// use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
    /// let m = Mastodon::new(MastodonConfig::new("m.example", "tok").unwrap()).unwrap();
    /// assert_eq!(m.config().instance.host_str(), Some("m.example"));
    /// ```
    pub fn config(&self) -> &MastodonConfig {
        &self.config
    }

    /// Whether the instance's capabilities have been read (else the defaults are in force).
    ///
    /// ```
    /// use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
    /// let m = Mastodon::new(MastodonConfig::new("m.example", "tok").unwrap()).unwrap();
    /// assert!(!m.capabilities_loaded());
    /// ```
    pub fn capabilities_loaded(&self) -> bool {
        self.loaded.initialized()
    }

    /// Reads the instance's capabilities, once; later calls return the cached value.
    ///
    /// ```
    /// use socialkit::adapters::mastodon::{Mastodon, twin::Twin};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = Twin::start().await.unwrap();
    /// let m = Mastodon::new(twin.config()).unwrap();
    /// let caps = m.refresh_capabilities().await.unwrap();
    /// assert_eq!(caps.media.max_count, 4);
    /// assert!(m.capabilities_loaded());
    /// # });
    /// ```
    pub async fn refresh_capabilities(&self) -> Result<&Capabilities> {
        self.loaded
            .get_or_try_init(|| async { self.fetch_capabilities().await })
            .await
    }

    async fn fetch_capabilities(&self) -> Result<Capabilities> {
        for path in ["api/v2/instance", "api/v1/instance"] {
            // Not kept for reuse: the server may be one that closes it anyway (below).
            // Sent without the token, but a server that has seen it elsewhere could echo it:
            // keep it out of every error all the same (found by the adapter fuzz target).
            let call = Call::get(PLATFORM, "instance", self.config.endpoint(path)?)
                .rate_limit_style(RateLimitStyle::Mastodon)
                .header("Connection", "close")
                .redact(&self.config.token);
            match self.client.send(call, &MastodonErrors).await {
                Ok(resp) => match resp.json::<api::Instance>() {
                    Ok(instance) if says_something(&instance) => {
                        if ServerFamily::of(&instance).closes_connections() {
                            self.closes_connections.store(true, Ordering::Relaxed);
                        }
                        return Ok(capabilities_from_instance(&instance));
                    }
                    // Valid JSON without limits, or not JSON at all: ask the next one.
                    Ok(_) | Err(_) => continue,
                },
                Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Unexpected) => {
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(default_capabilities())
    }

    /// The account the token belongs to (cached after the first read; only its id and handle
    /// are used from the cache).
    async fn me(&self) -> Result<&api::Account> {
        self.me
            .get_or_try_init(|| async { self.verify_credentials().await })
            .await
    }

    async fn verify_credentials(&self) -> Result<api::Account> {
        let call = self.call_get("channel", &["api", "v1", "accounts", "verify_credentials"])?;
        self.send(call).await?.json()
    }

    fn url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.config.instance.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|_| Error::config("the mastodon instance URL cannot have a path"))?;
            path.pop_if_empty();
            for s in segments {
                // `push` percent-encodes, so an id can never change the path.
                path.push(s);
            }
        }
        Ok(url)
    }

    /// An authenticated call. To a server that closes every connection after its answer
    /// without saying so (snac 2.75: HTTP/1.1, no `Connection: close`, then the socket is
    /// closed — a second request on it never gets an answer), the call says
    /// `Connection: close` itself, so the pool never keeps such a connection for reuse and no
    /// write is sent on a dead one.
    fn authed(&self, call: Call) -> Call {
        let call = call
            .bearer(&self.config.token)
            .rate_limit_style(RateLimitStyle::Mastodon);
        if self.closes_connections.load(Ordering::Relaxed) {
            call.header("Connection", "close")
        } else {
            call
        }
    }

    fn call_get(&self, operation: &'static str, segments: &[&str]) -> Result<Call> {
        Ok(self.authed(Call::get(PLATFORM, operation, self.url(segments)?)))
    }

    async fn send(&self, call: Call) -> Result<Response> {
        self.client.send(call, &MastodonErrors).await
    }

    fn handle_of(&self, acct: &str) -> String {
        if acct.contains('@') || acct.is_empty() {
            return acct.to_string();
        }
        let host = self.config.instance.host_str().unwrap_or_default();
        match self.config.instance.port() {
            Some(p) => format!("{acct}@{host}:{p}"),
            None => format!("{acct}@{host}"),
        }
    }

    // ----- validation -------------------------------------------------------------------

    /// A post (resolved) checked against the instance's capabilities, the Mastodon way (see
    /// [`check_post`]).
    fn prepare(&self, post: &Post) -> Result<()> {
        check_post(Adapter::capabilities(self), post)
    }

    // ----- media ------------------------------------------------------------------------

    async fn upload(&self, media: &Media) -> Result<String> {
        let bytes = media.read().await?;
        let mut form = Multipart::new().part(
            HttpPart::bytes("file", bytes)
                .file_name(file_name_for(&media.mime))
                .mime(media.mime.clone()),
        );
        if let Some(alt) = media.alt.as_deref().filter(|a| !a.trim().is_empty()) {
            form = form.text("description", alt);
        }
        // Mastodon takes no idempotency key for uploads, so an upload is not retried by the
        // HTTP layer (a write is never retried blindly). An upload whose answer is lost leaves
        // at most an unattached file on the server, never a status: the caller's next publish
        // uploads again.
        let call = self
            .authed(Call::post(
                PLATFORM,
                "upload_media",
                self.url(&["api", "v2", "media"])?,
            ))
            .multipart(form)
            .retry(Retry::Never)
            .timeout(self.config.media_timeout.max(Duration::from_secs(30)));
        let resp = self.send(call).await?;
        let attachment: api::MediaAttachment = resp.json()?;
        if resp.status().as_u16() == 202 || attachment.url.is_none() {
            self.wait_for_processing(&attachment.id).await?;
        }
        Ok(attachment.id)
    }

    /// Polls `GET /api/v1/media/{id}` (206 while processing, 200 when done, 422 when it
    /// failed) until done or `media_timeout` has passed.
    async fn wait_for_processing(&self, id: &str) -> Result<()> {
        let deadline = tokio::time::Instant::now() + self.config.media_timeout;
        let mut delay = Duration::from_millis(100);
        loop {
            let call = self.call_get("media_processing", &["api", "v1", "media", id])?;
            let resp = self.send(call).await?;
            if resp.status().as_u16() == 200 {
                let done: api::MediaAttachment = resp.json()?;
                if done.url.is_some() || done.kind != "unknown" {
                    return Ok(());
                }
            }
            let now = tokio::time::Instant::now();
            if now + delay > deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "mastodon did not finish processing the media within {} s",
                        self.config.media_timeout.as_secs()
                    ),
                )
                .with_platform(PLATFORM)
                .with_operation("media_processing"));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }

    // ----- statuses ---------------------------------------------------------------------

    /// `POST /api/v1/statuses`, sent once, with an `Idempotency-Key` for the servers that
    /// honour it. The HTTP layer never re-sends it: not where the server ignores the key (snac,
    /// GoToSocial: a re-send makes a second status), and not on Mastodon either, where a
    /// re-send that overlaps the first (after a timeout) made a second status before mastodon
    /// PR #37879. A lost answer comes back as an error that leaves doubt; the engine looks the
    /// status up before it publishes again (see [`server`]).
    async fn create_status(
        &self,
        operation: &'static str,
        body: &StatusBody<'_>,
        key: &str,
    ) -> Result<api::CreatedStatus> {
        let call = self
            .authed(Call::post(
                PLATFORM,
                operation,
                self.endpoints
                    .get("statuses", || self.url(&["api", "v1", "statuses"]))?,
            ))
            .json(body)
            .header(IDEMPOTENCY_HEADER, key)
            .retry(Retry::Never);
        self.send(call).await?.json()
    }

    /// Publishes every part as a reply to the one before; the first replies to `reply_to`.
    async fn publish_chain(
        &self,
        operation: &'static str,
        post: &Post,
        opts: &PublishOptions,
        reply_to: Option<String>,
    ) -> Result<Published> {
        let base_key = opts.idempotency_key.clone().unwrap_or_else(random_key);
        let cw = post
            .content_warning
            .as_deref()
            .filter(|c| !c.trim().is_empty());
        let mut parent = reply_to.or_else(|| post.reply_to.as_ref().map(|r| r.id.clone()));
        let mut refs: Vec<PostRef> = Vec::new();
        let mut first_at = None;
        for (i, part) in post.parts().iter().enumerate() {
            let mut media_ids = Vec::with_capacity(part.media.len());
            for m in &part.media {
                media_ids.push(self.upload(m).await?);
            }
            let text = status_text(part);
            let body = StatusBody {
                status: &text,
                media_ids,
                in_reply_to_id: parent.as_deref(),
                spoiler_text: cw,
                visibility: Some(visibility_name(post.visibility)),
                language: post.language.as_deref(),
            };
            let status = self
                .create_status(operation, &body, &format!("{base_key}-{i}"))
                .await
                .map_err(|e| {
                    if refs.is_empty() {
                        e
                    } else {
                        partial(e, &refs)
                    }
                })?;
            first_at.get_or_insert(status.created_at);
            refs.push(created_ref(
                &status.id,
                status.url.as_deref(),
                status.uri.as_deref(),
            ));
            parent = Some(status.id);
        }
        let first = refs
            .first()
            .cloned()
            .ok_or_else(|| Error::validation("the post has no parts").with_platform(PLATFORM))?;
        Ok(Published {
            post: first,
            parts: refs,
            published_at: first_at.unwrap_or_else(Utc::now),
        })
    }

    async fn status(&self, id: &str, operation: &'static str) -> Result<api::Status> {
        let call = self.call_get(operation, &["api", "v1", "statuses", id])?;
        self.send(call).await?.json()
    }

    fn author_of(&self, a: &api::Account) -> Author {
        Author {
            id: a.id.clone(),
            handle: self.handle_of(&a.acct),
            display_name: Some(a.display_name.clone()).filter(|d| !d.is_empty()),
            followers: Some(a.followers_count),
            url: Some(a.url.clone()).filter(|u| !u.is_empty()),
        }
    }

    fn to_interaction(&self, n: api::Notification, me: &str) -> Option<Interaction> {
        let author = self.author_of(&n.account);
        let (kind, theirs, ours) = classify(&n, me)?;
        let text = theirs.map(status_plain_text);
        let language = theirs.and_then(|s| s.language.clone());
        let mut reference = InteractionRef::new(PLATFORM, n.id.clone())
            .with_meta("type", n.kind.clone())
            .with_meta("acct", n.account.acct.clone());
        if let Some(s) = theirs {
            reference = reference.with_post(post_ref(s));
        }
        Some(Interaction {
            reference,
            kind,
            author,
            text,
            created_at: n.created_at,
            post: ours.map(|id| PostRef::new(PLATFORM, id)),
            conversation: None,
            language,
        })
    }
}

/// A notification from its JSON; one that does not parse but has an id becomes an unreadable
/// placeholder (kind `"unreadable"`), one without an id is dropped.
fn lenient_notification(v: serde_json::Value) -> Option<api::Notification> {
    let id = match v.get("id") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return None,
    };
    let created_at = v
        .get("created_at")
        .and_then(|t| t.as_str())
        .and_then(api::parse_time)
        .unwrap_or(chrono::DateTime::<Utc>::UNIX_EPOCH);
    Some(
        serde_json::from_value::<api::Notification>(v).unwrap_or_else(|_| api::Notification {
            id,
            kind: "unreadable".to_string(),
            created_at,
            account: api::Account::default(),
            status: None,
        }),
    )
}

/// Sorts a notification into an interaction kind: (kind, their status, our status id).
/// `None` for notifications that are no interaction (polls ended, edits, admin reports …).
fn classify<'a>(
    n: &'a api::Notification,
    me: &str,
) -> Option<(InteractionKind, Option<&'a api::Status>, Option<String>)> {
    let status = n.status.as_ref();
    match n.kind.as_str() {
        "mention" => {
            let s = status?;
            let replies_to_me =
                s.in_reply_to_id.is_some() && s.in_reply_to_account_id.as_deref() == Some(me);
            if replies_to_me {
                Some((InteractionKind::Reply, Some(s), s.in_reply_to_id.clone()))
            } else {
                Some((InteractionKind::Mention, Some(s), None))
            }
        }
        "quote" => {
            let s = status?;
            Some((
                InteractionKind::Quote,
                Some(s),
                s.quoted_id().map(str::to_string),
            ))
        }
        "favourite" => Some((
            InteractionKind::Like,
            None,
            status.map(|s| s.original().id.clone()),
        )),
        "reblog" => Some((
            InteractionKind::Repost,
            None,
            status.map(|s| s.original().id.clone()),
        )),
        "follow" => Some((InteractionKind::Follow, None, None)),
        _ => None,
    }
}

/// The Mastodon notification types that carry `kind`.
fn notification_types(kind: InteractionKind) -> &'static [&'static str] {
    match kind {
        InteractionKind::Reply | InteractionKind::Mention => &["mention"],
        InteractionKind::Quote => &["quote"],
        InteractionKind::Like => &["favourite"],
        InteractionKind::Repost => &["reblog"],
        InteractionKind::Follow => &["follow"],
        InteractionKind::Comment | InteractionKind::DirectMessage | InteractionKind::Post => &[],
    }
}

/// The text of a status as people read it: its HTML converted, or the plain source some
/// servers send alongside (snac leaves `content` empty after an edit).
fn status_plain_text(s: &api::Status) -> String {
    let text = html::to_text(&s.content);
    if text.is_empty() {
        s.text.clone().unwrap_or_default()
    } else {
        text
    }
}

fn post_ref(s: &api::Status) -> PostRef {
    created_ref(&s.id, s.url.as_deref(), s.uri.as_deref())
}

/// The reference of status `id` with its web URL (else its ActivityPub URI).
fn created_ref(id: &str, url: Option<&str>, uri: Option<&str>) -> PostRef {
    let r = PostRef::new(PLATFORM, id);
    match url.or(uri) {
        Some(u) if !u.is_empty() => r.with_url(u),
        _ => r,
    }
}

/// The error for a thread that failed after some parts were published: which ones exist.
fn partial(e: Error, published: &[PostRef]) -> Error {
    let ids: Vec<&str> = published.iter().map(|r| r.id.as_str()).collect();
    e.after_thread_parts(
        "published",
        &ids,
        "publish again with the same idempotency key to finish the thread without duplicates",
    )
}

/// The JSON body of `POST /api/v1/statuses` and `PUT /api/v1/statuses/{id}`.
#[derive(Debug, Serialize)]
struct StatusBody<'a> {
    status: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    media_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_reply_to_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spoiler_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    visibility: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
}

fn visibility_name(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Followers => "private",
        Visibility::Direct => "direct",
    }
}

/// The text a part is sent with: a link that is not in the text yet goes on its own line
/// (Mastodon makes the card itself from the last link of a status).
fn status_text(part: &Part) -> String {
    match part.link.as_deref() {
        Some(link) if !link.is_empty() && !part.text.contains(link) => {
            if part.text.trim().is_empty() {
                link.to_string()
            } else {
                format!("{}\n{link}", part.text)
            }
        }
        _ => part.text.clone(),
    }
}

fn random_key() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn file_name_for(mime: &str) -> String {
    let ext = match mime.trim().to_ascii_lowercase().as_str() {
        "image/jpeg" | "image/jpg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/avif" => "avif",
        "image/heic" => "heic",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        "video/quicktime" => "mov",
        "audio/mpeg" | "audio/mp3" => "mp3",
        "audio/ogg" => "ogg",
        "audio/wav" | "audio/wave" => "wav",
        "audio/flac" => "flac",
        _ => "bin",
    };
    format!("upload.{ext}")
}

/// The length of a status as Mastodon counts it: grapheme clusters over the content warning
/// and the text, every URL as `url_length`, `@user@domain` as `@user`.
fn mastodon_length(text: &str, content_warning: Option<&str>, url_length: usize) -> usize {
    crate::text::mastodon::length_with(text, content_warning, url_length)
}

/// Checks a resolved post against Mastodon capabilities: the generic checks, then every part's
/// length counted the Mastodon way, content warning included (every part carries it).
fn check_post(caps: &Capabilities, post: &Post) -> Result<()> {
    caps.validate(post)?;
    let url_length = match caps.text.counting {
        Counting::Mastodon { url_length } => url_length,
        _ => DEFAULT_URL_LENGTH,
    };
    let cw = post
        .content_warning
        .as_deref()
        .filter(|c| !c.trim().is_empty());
    // Without a content warning, a part whose status is its text as it stands was counted by
    // `validate` already, by this very rule: counting it again would only repeat the work.
    let counted = cw.is_none() && matches!(caps.text.counting, Counting::Mastodon { .. });
    let parts = post.parts();
    for (i, part) in parts.iter().enumerate() {
        let text = status_text(part);
        if counted && text == part.text {
            continue;
        }
        let n = mastodon_length(&text, cw, url_length);
        if n > caps.text.max {
            let e = Error::too_long(
                PLATFORM,
                n,
                caps.text.max,
                "characters (content warning included)",
            );
            return Err(if parts.len() > 1 {
                let d = e.detail().cloned();
                let mut out =
                    Error::validation(format!("part {} of the thread: {}", i + 1, e.message()))
                        .with_platform(PLATFORM);
                if let Some(d) = d {
                    out = out.with_detail(d);
                }
                out
            } else {
                e
            });
        }
    }
    Ok(())
}

/// With [`PublishOptions::split_long_text`], every part whose text is too long becomes numbered
/// parts, through [`Capabilities::fit`] with the budget the content warning leaves (every part
/// carries it). Posts that fit are left as they are.
fn split_long(caps: &Capabilities, post: &Post, opts: &PublishOptions) -> Result<Post> {
    let url_length = match caps.text.counting {
        Counting::Mastodon { url_length } => url_length,
        _ => DEFAULT_URL_LENGTH,
    };
    let cw = post
        .content_warning
        .as_deref()
        .filter(|c| !c.trim().is_empty());
    // A link the adapter appends to the text must be split with it.
    let mut post = post.clone();
    if let Some(link) = post.link.take() {
        post.text = status_text(&Part {
            text: post.text.clone(),
            media: Vec::new(),
            link: Some(link),
        });
    }
    let cw_length = cw.map_or(0, |c| mastodon_length("", Some(c), url_length));
    let mut budget = caps.clone();
    budget.text.max = caps.text.max.saturating_sub(cw_length);
    budget.fit(post, opts)
}

/// Mastodon's capabilities when the instance does not say otherwise.
///
/// ```
/// let caps = socialkit::adapters::mastodon::default_capabilities();
/// assert_eq!(caps.text.max, 500);
/// assert_eq!(caps.media.max_count, 4);
/// assert!(caps.post_threads && caps.edit && caps.delete);
/// ```
pub fn default_capabilities() -> Capabilities {
    let mut c = Capabilities::new(
        PLATFORM,
        TextRule::new(
            Counting::Mastodon {
                url_length: DEFAULT_URL_LENGTH,
            },
            DEFAULT_MAX_CHARACTERS,
        ),
    );
    c.text_required = true;
    c.media = MediaLimits {
        max_count: DEFAULT_MAX_MEDIA,
        kinds: vec![
            MediaKind::Image,
            MediaKind::Gif,
            MediaKind::Video,
            MediaKind::Audio,
        ],
        mime_types: Vec::new(),
        max_image_bytes: Some(16 * 1024 * 1024),
        max_video_bytes: Some(103_809_024),
        max_videos: 1,
        alt_text_max: Some(1500),
        alt_text_required: false,
    };
    c.post_threads = true;
    // The server makes the card itself from the last link of the status; the adapter puts
    // the post's link into the text when it is not there yet.
    c.link_cards = true;
    c.content_warning = true;
    c.visibilities = vec![
        Visibility::Public,
        Visibility::Unlisted,
        Visibility::Followers,
        Visibility::Direct,
    ];
    c.delete = true;
    c.edit = true;
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
    ];
    c.native_scheduling = false;
    // Until the instance says which server it is, no key is trusted (snac and GoToSocial
    // ignore it); `capabilities_from_instance` decides per server (see `server`).
    c.idempotency = Idempotency::None;
    c.key_lifetime_secs = None;
    c.recent_posts = true;
    // `GET /api/v1/accounts/:id/statuses` lists replies too (unless `exclude_replies`), each
    // with its `in_reply_to_id`.
    c.replies_in_recent_posts = true;
    c.search = Some(search::limits());
    c
}

fn says_something(i: &api::Instance) -> bool {
    i.max_toot_chars.is_some()
        || i.configuration
            .as_ref()
            .is_some_and(|c| c.statuses.is_some() || c.media_attachments.is_some())
}

/// Whether the version string is Mastodon itself at `major.minor` or later (compatibles
/// write `"… (compatible; Pleroma …)"`, snac `"4.0.0 (not true; really snac/2.75)"`).
fn mastodon_at_least(version: &str, major: u64, minor: u64) -> bool {
    if version.contains('(') {
        return false;
    }
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u64>().unwrap_or(0));
    let (Some(ma), Some(mi)) = (parts.next(), parts.next()) else {
        return false;
    };
    (ma, mi) >= (major, minor)
}

/// Capabilities from an instance document (v2, or v1 with `configuration` or
/// `max_toot_chars`); what it does not say keeps the default.
pub(crate) fn capabilities_from_instance(instance: &api::Instance) -> Capabilities {
    let mut c = default_capabilities();
    let cfg = instance.configuration.clone().unwrap_or_default();
    let statuses = cfg.statuses.unwrap_or_default();
    let usize_of = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    let max = statuses
        .max_characters
        .or(instance.max_toot_chars)
        .filter(|m| *m > 0)
        .map(usize_of)
        .unwrap_or(DEFAULT_MAX_CHARACTERS);
    let url_length = statuses
        .characters_reserved_per_url
        .map(usize_of)
        .unwrap_or(DEFAULT_URL_LENGTH);
    c.text = TextRule::new(Counting::Mastodon { url_length }, max);
    if let Some(n) = statuses.max_media_attachments {
        c.media.max_count = usize_of(n);
    }
    if let Some(media) = cfg.media_attachments {
        if let Some(types) = media.supported_mime_types.filter(|t| !t.is_empty()) {
            c.media
                .kinds
                .retain(|k| types.iter().any(|t| MediaKind::from_mime(t) == Some(*k)));
            c.media.mime_types = types;
        }
        if let Some(n) = media.image_size_limit.filter(|n| *n > 0) {
            c.media.max_image_bytes = Some(n);
        }
        if let Some(n) = media.video_size_limit.filter(|n| *n > 0) {
            c.media.max_video_bytes = Some(n);
        }
        if let Some(n) = media.description_limit.filter(|n| *n > 0) {
            c.media.alt_text_max = Some(usize_of(n));
        }
    }
    if let Some(n) = instance.description_limit.filter(|n| *n > 0) {
        c.media.alt_text_max = Some(usize_of(n));
    }
    if let Some(v) = instance.version.as_deref() {
        // Quotes (and their counts) exist from Mastodon 4.5 on.
        if !mastodon_at_least(v, 4, 5) {
            c.metrics.retain(|m| *m != Metric::Quotes);
            c.interactions.retain(|k| *k != InteractionKind::Quote);
        }
        // Edits exist from Mastodon 3.5 on (compatibles are taken at their word).
        if !v.contains('(') && !v.is_empty() && !mastodon_at_least(v, 3, 5) {
            c.edit = false;
        }
    }
    // The key is trusted only where the server is shown to honour it (see `server`).
    let family = ServerFamily::of(instance);
    if family.honours_idempotency_key() {
        c.idempotency = Idempotency::Key;
        c.key_lifetime_secs = family.key_lifetime_secs();
    }
    c
}

/// Notifications as a [`PageSource`] for the forward pager.
struct Notifications<'a> {
    mastodon: &'a Mastodon,
    types: Vec<&'static str>,
}

impl PageSource for Notifications<'_> {
    type Item = api::Notification;

    async fn fetch(&self, query: PageQuery) -> Result<Vec<api::Notification>> {
        let mut pairs: Vec<(&str, String)> = vec![("limit", query.limit.to_string())];
        if let Some(min) = &query.min_id {
            pairs.push(("min_id", min.clone()));
        }
        if let Some(max) = &query.max_id {
            pairs.push(("max_id", max.clone()));
        }
        for t in &self.types {
            pairs.push(("types[]", (*t).to_string()));
        }
        let call = self
            .mastodon
            .call_get("interactions", &["api", "v1", "notifications"])?
            .query(pairs);
        let items: Vec<serde_json::Value> = self.mastodon.send(call).await?.json()?;
        // One notification the adapter cannot read must not stop the inbox for good: it keeps
        // its place in the paging (its id) and is skipped as no interaction.
        Ok(items.into_iter().filter_map(lenient_notification).collect())
    }
}

#[async_trait]
impl Adapter for Mastodon {
    fn capabilities(&self) -> &Capabilities {
        self.loaded.get().unwrap_or(&self.defaults)
    }

    async fn load_capabilities(&self) -> Result<()> {
        self.refresh_capabilities().await.map(|_| ())
    }

    /// Splits by the instance's own limits, the content warning counted into every part, and
    /// checks every part's length the Mastodon way.
    fn fit(&self, post: Post, opts: &PublishOptions, _op: Operation) -> Result<Post> {
        let caps = Adapter::capabilities(self);
        let post = if opts.split_long_text {
            split_long(caps, &post, opts)?
        } else {
            post
        };
        check_post(caps, &post)?;
        Ok(post)
    }

    async fn channel(&self) -> Result<Channel> {
        let a = self.verify_credentials().await?;
        let _ = self.me.set(a.clone());
        let website = website_of(&a);
        let profile = Profile {
            display_name: Some(a.display_name.clone()).filter(|d| !d.is_empty()),
            bio: Some(html::to_text(&a.note)).filter(|b| !b.is_empty()),
            avatar: Some(a.avatar.clone()).filter(|u| !u.is_empty()),
            website,
        };
        let mut channel =
            Channel::new(PLATFORM, a.id.clone(), self.handle_of(&a.acct)).with_profile(profile);
        channel.url = Some(a.url.clone()).filter(|u| !u.is_empty());
        channel.metrics = ChannelMetrics {
            followers: Some(a.followers_count),
            following: Some(a.following_count),
            posts: Some(a.statuses_count),
            ..ChannelMetrics::default()
        };
        Ok(channel)
    }

    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published> {
        self.publish_chain("publish", post, opts, None).await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        // Deleting twice cannot create anything: the call may be retried.
        let call = self
            .authed(Call::delete(
                PLATFORM,
                "delete",
                self.url(&["api", "v1", "statuses", &post.id])?,
            ))
            .retry(Retry::Idempotent);
        self.send(call).await.map(|_| ())
    }

    async fn edit(&self, post: &PostRef, new: &Post) -> Result<Published> {
        if new.is_thread() {
            return Err(Error::validation(
                "an edit replaces one status: give a post without thread parts",
            )
            .with_platform(PLATFORM)
            .with_operation("edit"));
        }
        let resolved = new;
        let part = resolved.parts().into_iter().next().unwrap_or_default();
        let mut media_ids = Vec::with_capacity(part.media.len());
        for m in &part.media {
            media_ids.push(self.upload(m).await?);
        }
        let text = status_text(&part);
        // Without media in the new post `media_ids` is left out and the status keeps its own.
        let body = StatusBody {
            status: &text,
            media_ids,
            in_reply_to_id: None,
            spoiler_text: Some(resolved.content_warning.as_deref().unwrap_or("")),
            visibility: None,
            language: resolved.language.as_deref(),
        };
        // An edit sets the status to the same content however often it is sent.
        let call = self
            .authed(Call::put(
                PLATFORM,
                "edit",
                self.url(&["api", "v1", "statuses", &post.id])?,
            ))
            .json(&body)
            .retry(Retry::Idempotent);
        let status: api::Status = self.send(call).await?.json()?;
        let at = status.edited_at.unwrap_or(status.created_at);
        Ok(Published::single(post_ref(&status), at))
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        let me = self.me().await?.id.clone();
        let mut types: Vec<&'static str> = Vec::new();
        if !query.kinds.is_empty() {
            for k in &query.kinds {
                for t in notification_types(*k) {
                    if !types.contains(t) {
                        types.push(t);
                    }
                }
            }
            if types.is_empty() {
                return Ok(Page::empty(query.cursor.clone()));
            }
        }
        let limit = query.limit.clamp(1, MAX_NOTIFICATIONS_PAGE);
        let source = Notifications {
            mastodon: self,
            types,
        };
        let page = match (&query.cursor, query.since) {
            (None, Some(since)) => paging::since_page(&source, since, limit).await?,
            (cursor, _) => paging::forward_page(&source, cursor.as_deref(), limit).await?,
        };
        let mut seen = HashSet::new();
        let items = page
            .items
            .into_iter()
            .filter(|n| seen.insert(n.id.clone()))
            .filter_map(|n| self.to_interaction(n, &me))
            .filter(|i| query.wants(i.kind))
            .filter(|i| query.since.is_none_or(|s| i.created_at >= s))
            .collect();
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
            has_more: page.has_more,
        })
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let target = to.post.as_ref().ok_or_else(|| {
            Error::validation(format!(
                "this interaction ({}) is not a post: there is nothing to reply to",
                to.meta.get("type").map(String::as_str).unwrap_or("unknown")
            ))
            .with_platform(PLATFORM)
            .with_operation("reply")
        })?;
        let mut post = post.clone();
        // Mastodon notifies the author of a reply only when the reply mentions them.
        if let Some(acct) = to.meta.get("acct").filter(|a| !a.is_empty()) {
            let username = acct.split('@').next().unwrap_or(acct);
            let mention = format!("@{username}");
            let already = post.text.split_whitespace().any(|w| {
                w == mention
                    || w.starts_with(&format!("@{acct}"))
                    || w.starts_with(&format!("{mention}@"))
            });
            if !already {
                post.text = format!("@{acct} {}", post.text);
            }
        }
        // The mention added counts too.
        self.prepare(&post)?;
        self.publish_chain("reply", &post, opts, Some(target.id.clone()))
            .await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        self.search_statuses(query).await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        // Quotes count only where the instance has them (4.5+): elsewhere `None`, never zero.
        let quotes = Adapter::capabilities(self)
            .metrics
            .contains(&Metric::Quotes);
        stream::iter(posts.iter().cloned())
            .map(|r| async move {
                let s = self.status(&r.id, "post_metrics").await?;
                let s = s.original();
                let mut m = PostMetrics::new(r, Utc::now());
                m.replies = Some(s.replies_count);
                m.reposts = Some(s.reblogs_count);
                m.likes = Some(s.favourites_count);
                m.quotes = s.quotes_count.filter(|_| quotes);
                Ok::<_, Error>(m)
            })
            .buffered(4)
            .try_collect()
            .await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let me = self.me().await?.id.clone();
        let mut out: Vec<RecentPost> = Vec::new();
        let mut seen = HashSet::new();
        let mut max_id: Option<String> = None;
        while out.len() < limit {
            let page = (limit - out.len()).clamp(1, 40);
            let mut call = self
                .call_get("recent_posts", &["api", "v1", "accounts", &me, "statuses"])?
                .query([("limit", page.to_string())]);
            if let Some(m) = &max_id {
                call = call.query([("max_id", m.as_str())]);
            }
            let statuses: Vec<api::Status> = self.send(call).await?.json()?;
            let Some(last) = statuses.last() else { break };
            if max_id.as_deref() == Some(last.id.as_str()) {
                break;
            }
            max_id = Some(last.id.clone());
            let short = statuses.len() < page;
            for s in &statuses {
                let s = s.original();
                if s.account.id != me && !s.account.id.is_empty() {
                    continue; // a boost of someone else's status
                }
                if !seen.insert(s.id.clone()) {
                    continue;
                }
                out.push(RecentPost {
                    post: post_ref(s),
                    text: status_plain_text(s),
                    created_at: s.created_at,
                    idempotency_key: None,
                    in_reply_to: s.in_reply_to_id.clone(),
                });
                if out.len() == limit {
                    break;
                }
            }
            if short {
                break;
            }
        }
        // Newest first by creation time, even where a server lists a boost of one of our
        // statuses at the time of the boost (snac).
        out.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        Ok(out)
    }
}

/// The website of a profile: the link of a field named like one (`Website`, `Homepage`,
/// `Blog` …), else the first field holding a link, else the profile page itself.
fn website_of(a: &api::Account) -> Option<String> {
    let link_in = |html: &str| -> Option<String> {
        let text = html::to_text(html);
        text.split_whitespace()
            .find(|w| w.starts_with("https://") || w.starts_with("http://"))
            .map(str::to_string)
    };
    let named = a.fields.iter().find(|f| {
        let n = f.name.to_ascii_lowercase();
        [
            "website",
            "homepage",
            "home page",
            "web",
            "site",
            "blog",
            "url",
        ]
        .iter()
        .any(|w| n.contains(w))
    });
    named
        .and_then(|f| link_in(&f.value))
        .or_else(|| a.fields.iter().find_map(|f| link_in(&f.value)))
        .or_else(|| Some(a.url.clone()).filter(|u| !u.is_empty()))
}

#[cfg(test)]
mod tests;

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn capabilities_from_instance() {
        use crate::adapters::mastodon::{api::Instance, capabilities_from_instance};
        let i: Instance = serde_json::from_str(r#"{"version":"4.5.0","configuration":{
            "statuses":{"max_characters":1000,"characters_reserved_per_url":23,"max_media_attachments":8},
            "media_attachments":{"supported_mime_types":["image/png"],"image_size_limit":1000,"description_limit":1500}}}"#).unwrap();
        let caps = capabilities_from_instance(&i);
        assert_eq!(caps.text.max, 1000);
        assert_eq!(caps.media.max_count, 8);
        assert_eq!(caps.media.mime_types, vec!["image/png".to_string()]);
    }
}
