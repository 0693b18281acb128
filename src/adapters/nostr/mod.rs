//! Nostr, behind the cargo feature `nostr`: signed events published to several relays over
//! websockets. Sources: the NIPs at <https://github.com/nostr-protocol/nips> — NIP-01 (events,
//! ids, signatures, `EVENT`/`REQ`/`CLOSE`, `OK`/`EOSE`/`CLOSED`, filters), NIP-09 (deletion
//! requests), NIP-10 (marked `e` tags for replies and threads), NIP-11 (relay information),
//! NIP-18 (reposts), NIP-19 (`nsec`/`npub`/`note`), NIP-21 (`nostr:` URIs), NIP-25
//! (reactions), NIP-27 (mentions in text), NIP-50 (search), NIP-92 (`imeta` media tags).
//!
//! - **Publish**: a kind-1 note signed with the channel's key (BIP-340 Schnorr via
//!   libsecp256k1), sent to every relay; each relay's `OK` is kept in the result
//!   ([`relay_outcomes`]); the post counts as published when `quorum` relays (default 1) stored
//!   it. `nostr:npub1…` mentions in the text become `p` tags, hashtags `t` tags; media are
//!   public URLs added to the text with an `imeta` tag (url, type, alt text, size) — Nostr has
//!   no upload of its own. A link is appended to the text.
//! - **Threads and replies**: each part replies to the one before with NIP-10 marked `e` tags
//!   (`root`, `reply`) and `p` tags of the authors replied to.
//! - **Idempotency is natural**: an event's id is the hash of its content, time and author.
//!   The engine passes the instant of the first attempt with a key
//!   ([`PublishOptions::created_at`]), so a retry signs the very same event and a relay that
//!   has it answers `duplicate:` — success, never a second note.
//! - **Delete**: a NIP-09 kind-5 deletion request (relays may keep the note; the real relay
//!   removes it). **Edit**: none in Nostr (notes are immutable).
//! - **Interactions**: one subscription `{"#p": [me], kinds: [1, 6, 7], since}` per read:
//!   replies (a note replying to one of mine), mentions, reposts (kind 6) and reactions (kind 7,
//!   likes); the cursor is the last event's `created_at:id`.
//! - **Metrics**: counted from the relays (`#e` of the note): likes, reposts, replies, quotes;
//!   the rest is `None` (Nostr has no impressions).
//! - **Capabilities** from NIP-11 (`load_capabilities`): `max_content_length` as the text limit
//!   (characters), search when a relay lists NIP-50; `max_message_length`, `max_event_tags` and
//!   `min_pow_difficulty` refuse an event for that relay before it is sent; `max_limit` sizes
//!   subscription pages. Call `load_capabilities` before searching (the engine does it before
//!   every write).
//!
//! Proven on a real relay (nostr-rs-relay 0.8.12, `tests/peer_nostr.rs`) and on the twin.
//! **Unverified**: `wss://` against a real relay (only loopback `ws://` relays ran; the rustls
//! client is built and a failed handshake is tested); NIP-50 search and the `unsupported:`
//! answer to it (the real relay has no NIP-50; the twin follows the NIP); NIP-42 `AUTH` is not
//! spoken (such relays answer `auth-required:` → `Unauthenticated`); an event a relay receives
//! late with a `created_at` older than the inbox cursor is not read (NIP-01 filters by
//! `created_at`); a note that answers someone else's note in a thread the account takes part in
//! is read as a `Reply` (its `p` tag names the account).
//!
//! ```no_run
//! use socialkit::adapters::nostr::Nostr;
//! use socialkit::PlatformExt;
//! # async fn demo() -> socialkit::Result<()> {
//! let nostr = Nostr::from_url_str("nostr://nsec1...@relay.damus.io?relays=wss://nos.lol")?;
//! let published = nostr.publish_text("Hello Nostr").await?;
//! println!("{:?}", socialkit::adapters::nostr::relay_outcomes(&published.post));
//! # Ok(()) }
//! ```

#[allow(
    dead_code,
    reason = "wire types mirror the documented shapes; not every field is read by the adapter"
)]
pub(crate) mod api;
pub mod config;
pub mod errors;
pub mod event;
mod publish;
mod read;
mod relay;
#[cfg(feature = "testkit")]
pub mod twin;

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use futures::future::join_all;
use url::Url;

pub use api::{Filter, Limitation, RelayInfo};
pub use config::NostrConfig;
pub use relay::RelayOutcome;

use crate::adapters::base::Adapter;
use crate::http::{Call, Client, DefaultErrorMapper};
use crate::model::{
    Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, MediaKind, Metric,
    Page, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost, SearchLimits,
    SearchQuery,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Platform};
use crate::text::{Counting, TextRule};
use crate::{Error, ErrorKind, Registry, Result};

use event::{Event, Keys};
use relay::Connection;

/// The platform's name, as errors and [`PostRef`]s carry it.
///
/// ```
/// assert_eq!(socialkit::adapters::nostr::PLATFORM, "nostr");
/// ```
pub const PLATFORM: &str = "nostr";

/// The text limit when no relay names one: Nostr itself has none; 64 KiB of characters is far
/// below any relay's message limit seen (nostr-rs-relay: 128 KiB events). Unverified per relay.
pub const DEFAULT_MAX_CONTENT: usize = 65_536;

/// The prefix of the [`PostRef::meta`] keys holding each relay's answer.
pub const RELAY_META_PREFIX: &str = "relay ";

/// Registers `nostr`.
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(Arc::new(Nostr::new(NostrConfig::from_url(url)?)?) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: NostrConfig = crate::registry::settings(PLATFORM, value)?;
            Ok(Arc::new(Nostr::new(config)?) as Arc<dyn Platform>)
        }),
    );
}

/// Nostr's capabilities before the relays are asked (NIP-11 refines them).
///
/// ```
/// let c = socialkit::adapters::nostr::capabilities();
/// assert_eq!(c.idempotency, socialkit::platform::Idempotency::Natural);
/// assert!(c.post_threads && c.reply && c.delete && !c.edit);
/// assert!(c.search.is_none());
/// ```
pub fn capabilities() -> Capabilities {
    let mut c = Capabilities::new(
        PLATFORM,
        TextRule::new(Counting::Chars, DEFAULT_MAX_CONTENT),
    );
    c.media = MediaLimits {
        max_count: 10,
        kinds: vec![
            MediaKind::Image,
            MediaKind::Gif,
            MediaKind::Video,
            MediaKind::Audio,
        ],
        mime_types: Vec::new(),
        max_image_bytes: None,
        max_video_bytes: None,
        max_videos: 10,
        alt_text_max: None,
        alt_text_required: false,
    };
    c.post_threads = true;
    c.delete = true;
    c.reply = true;
    c.interactions = vec![
        InteractionKind::Reply,
        InteractionKind::Mention,
        InteractionKind::Like,
        InteractionKind::Repost,
    ];
    c.metrics = vec![
        Metric::Likes,
        Metric::Reposts,
        Metric::Replies,
        Metric::Quotes,
    ];
    c.idempotency = Idempotency::Natural;
    c.recent_posts = true;
    c.replies_in_recent_posts = true;
    c
}

/// Each relay's answer to the publish of `post`, as stored in its meta: `(relay URL,
/// "accepted" | "duplicate" | "rejected: …" | "no answer" | "not sent")`.
pub fn relay_outcomes(post: &PostRef) -> Vec<(String, String)> {
    post.meta
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(RELAY_META_PREFIX)?.to_string(), v.clone())))
        .collect()
}

/// One Nostr account on its relays. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::nostr::{Nostr, NostrConfig};
/// use socialkit::Platform;
/// let n = Nostr::new(NostrConfig::new("11".repeat(32), ["wss://relay.example"]).unwrap()).unwrap();
/// assert!(n.capabilities().reply);
/// assert!(!format!("{n:?}").contains(&"11".repeat(8)));
/// ```
pub struct Nostr {
    config: NostrConfig,
    keys: Keys,
    client: Client,
    defaults: Capabilities,
    loaded: OnceLock<Capabilities>,
    infos: tokio::sync::OnceCell<Vec<Option<RelayInfo>>>,
    last_second: std::sync::atomic::AtomicU64,
    /// Idempotency keys published without an engine instant, with the second they were
    /// dated, newest last (at most [`KEYS_REMEMBERED`]): a repeat in this process signs the
    /// same events. Across processes the engine's [`PublishOptions::created_at`] does it.
    keys_dated: std::sync::Mutex<std::collections::VecDeque<(String, u64)>>,
}

/// How many idempotency keys an adapter remembers the date of.
pub const KEYS_REMEMBERED: usize = 1024;

impl fmt::Debug for Nostr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let relays: Vec<&str> = self.config.relays.iter().map(Url::as_str).collect();
        f.debug_struct("Nostr")
            .field("public_key", &self.keys.public_hex())
            .field("relays", &relays)
            .field("quorum", &self.config.quorum)
            .field("secret_key", &"***")
            .finish()
    }
}

impl Nostr {
    /// An adapter for `config` (the key is checked here; no network call is made).
    pub fn new(config: NostrConfig) -> Result<Self> {
        Self::with_client(config, Client::default())
    }

    /// An adapter from a channel URL (see [`config`]).
    pub fn from_url_str(url: &str) -> Result<Self> {
        Self::new(NostrConfig::from_url_str(url)?)
    }

    /// Like [`Nostr::new`], reading NIP-11 documents and telling time through `client`.
    pub fn with_client(config: NostrConfig, client: Client) -> Result<Self> {
        config.validate()?;
        let keys = Keys::from_secret(&config.secret_key)?;
        Ok(Nostr {
            config,
            keys,
            client,
            defaults: capabilities(),
            loaded: OnceLock::new(),
            infos: tokio::sync::OnceCell::new(),
            last_second: std::sync::atomic::AtomicU64::new(0),
            keys_dated: std::sync::Mutex::new(std::collections::VecDeque::new()),
        })
    }

    /// The config.
    pub fn config(&self) -> &NostrConfig {
        &self.config
    }

    /// The account's public key (hex).
    pub fn public_key(&self) -> &str {
        self.keys.public_hex()
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.config.timeout_secs)
    }

    /// Each relay's NIP-11 document (`None` where it has none or did not answer), read once.
    pub async fn relay_info(&self) -> &[Option<RelayInfo>] {
        self.infos
            .get_or_init(|| async {
                join_all(self.config.relays.iter().map(|r| self.read_info(r))).await
            })
            .await
    }

    async fn read_info(&self, relay: &Url) -> Option<RelayInfo> {
        let url = NostrConfig::info_url(relay)?;
        let call = Call::get(PLATFORM, "relay information", url)
            .header("Accept", "application/nostr+json");
        let response = self.client.send(call, &DefaultErrorMapper).await.ok()?;
        response.json::<RelayInfo>().ok()
    }

    /// Signs `unsigned` with the channel's key.
    pub fn sign(&self, unsigned: event::UnsignedEvent) -> Event {
        self.keys.sign(unsigned)
    }

    /// Sends `event` to every relay at once and returns each relay's answer, in the order
    /// of the config.
    pub async fn broadcast(&self, event: &Event) -> Vec<(Url, RelayOutcome)> {
        let timeout = self.timeout();
        let infos = self.relay_info().await;
        let size = api::event_message(event).len() as u64;
        let sends = self
            .config
            .relays
            .iter()
            .enumerate()
            .map(|(i, relay)| async move {
                // A relay's NIP-11 limits refuse the event before it is sent.
                if let Some(e) = infos
                    .get(i)
                    .and_then(|info| precheck(info.as_ref(), size, event))
                {
                    return (relay.clone(), RelayOutcome::Rejected(e));
                }
                let outcome = match Connection::open(relay, timeout).await {
                    Ok(mut conn) => {
                        let o = conn.publish(event).await;
                        conn.close().await;
                        o
                    }
                    Err(e) => RelayOutcome::NotSent(e),
                };
                (relay.clone(), outcome)
            });
        join_all(sends).await
    }

    /// Publishes `event` and decides: stored on `quorum` relays is success; anything else is
    /// the error that says what to do (see [`errors`]).
    pub(crate) async fn send_event(
        &self,
        event: &Event,
        operation: &str,
    ) -> Result<Vec<(Url, RelayOutcome)>> {
        let outcomes = self.broadcast(event).await;
        let stored = outcomes.iter().filter(|(_, o)| o.stored()).count();
        if stored >= self.config.quorum {
            return Ok(outcomes);
        }
        let unknown = outcomes
            .iter()
            .any(|(_, o)| matches!(o, RelayOutcome::NoAnswer(_)));
        let summary = outcomes
            .iter()
            .map(|(r, o)| format!("{}: {}", r.host_str().unwrap_or("?"), o.describe()))
            .collect::<Vec<_>>()
            .join("; ");
        if stored > 0 || unknown {
            // Some relay has (or may have) the event: not a definite "no". A retry re-sends
            // the same event (same id), which the relays that have it answer `duplicate:`.
            let kind = if unknown {
                ErrorKind::Timeout
            } else {
                ErrorKind::Platform
            };
            return Err(Error::new(
                kind,
                format!(
                    "{stored} of {} relays stored the event, {} needed ({summary})",
                    outcomes.len(),
                    self.config.quorum
                ),
            )
            .with_platform(PLATFORM)
            .with_operation(operation)
            .with_retryable(true));
        }
        let mut refusals = Vec::new();
        let mut not_sent = None;
        for (_, o) in outcomes {
            match o {
                RelayOutcome::Rejected(e) => refusals.push(e),
                RelayOutcome::NotSent(e) => not_sent = not_sent.or(Some(e)),
                _ => {}
            }
        }
        let e = errors::worst(refusals)
            .or(not_sent)
            .unwrap_or_else(|| Error::unexpected("no relay answered").with_platform(PLATFORM));
        Err(e.with_operation(operation))
    }

    /// Runs `filters` (NIP-01 `REQ` until `EOSE`) on every relay and returns the verified
    /// events, deduplicated, newest first; fails only when no relay answered.
    pub async fn fetch(&self, filters: &[Filter]) -> Result<Vec<Event>> {
        self.query(filters, false).await
    }

    /// Runs `filters` on every relay and merges the events (deduplicated by id, newest first).
    /// Fails unless every relay answered when `all` is set (a reconciliation must not take a
    /// missing relay for "not there"); otherwise fails only when none answered.
    pub(crate) async fn query(&self, filters: &[Filter], all: bool) -> Result<Vec<Event>> {
        let timeout = self.timeout();
        let reads = self.config.relays.iter().map(|relay| async move {
            let mut conn = Connection::open(relay, timeout).await?;
            let events = conn.fetch(filters).await;
            conn.close().await;
            events
        });
        let mut merged: Vec<Event> = Vec::new();
        let mut first_error = None;
        let mut answered = 0;
        for result in join_all(reads).await {
            match result {
                Ok(events) => {
                    answered += 1;
                    for e in events {
                        if !merged.iter().any(|m| m.id == e.id) {
                            merged.push(e);
                        }
                    }
                }
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        if let Some(e) = first_error {
            if all || answered == 0 {
                return Err(e);
            }
        }
        merged.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        Ok(merged)
    }

    /// The reference of one of this account's events.
    /// Its meta carries `pubkey`, `created_at` (so a reply is never dated before it: NIP-10
    /// readers order by time) and each relay's answer.
    pub(crate) fn post_ref(&self, e: &Event, outcomes: &[(Url, RelayOutcome)]) -> PostRef {
        let mut r = PostRef::new(PLATFORM, e.id.clone())
            .with_meta("pubkey", self.keys.public_hex())
            .with_meta("created_at", e.created_at.to_string());
        if let Some(bytes) = event::hex32(&e.id) {
            r = r.with_url(format!("nostr:{}", event::to_bech32("note", &bytes)));
        }
        for (relay, o) in outcomes {
            r = r.with_meta(format!("{RELAY_META_PREFIX}{relay}"), o.describe());
        }
        r
    }

    /// The first of `n` seconds for new notes: `now`, or just after the last second this
    /// adapter used when that is later.
    pub(crate) fn next_second(&self, now: u64, n: u64) -> u64 {
        use std::sync::atomic::Ordering;
        let mut start = now;
        let _ = self
            .last_second
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
                start = now.max(last.saturating_add(1));
                Some(start + n.max(1) - 1)
            });
        start
    }

    /// The second `key` was dated with before, if this adapter remembers it.
    pub(crate) fn dated_key(&self, key: &str) -> Option<u64> {
        let keys = self.keys_dated.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter().find(|(k, _)| k == key).map(|(_, s)| *s)
    }

    /// Remembers that `key` was dated `second`.
    pub(crate) fn date_key(&self, key: &str, second: u64) {
        let mut keys = self.keys_dated.lock().unwrap_or_else(|p| p.into_inner());
        if keys.iter().any(|(k, _)| k == key) {
            return;
        }
        if keys.len() >= KEYS_REMEMBERED {
            keys.pop_front();
        }
        keys.push_back((key.to_string(), second));
    }

    fn caps(&self) -> &Capabilities {
        self.loaded.get().unwrap_or(&self.defaults)
    }
}

/// The refusal a relay's NIP-11 `limitation` makes certain, without sending: a message longer
/// than `max_message_length`, more tags than `max_event_tags`, or a required proof of work
/// (`min_pow_difficulty`; socialkit mines none).
fn precheck(info: Option<&RelayInfo>, size: u64, event: &Event) -> Option<Error> {
    let l = info?.limitation.as_ref()?;
    let refuse = |kind: ErrorKind, m: String| Some(Error::new(kind, m).with_platform(PLATFORM));
    if let Some(max) = l.max_message_length.filter(|max| size > *max) {
        return refuse(
            ErrorKind::Validation,
            format!(
                "the event is {size} bytes, the relay takes at most {max} (NIP-11 max_message_length)"
            ),
        );
    }
    if let Some(max) = l
        .max_event_tags
        .filter(|max| event.tags.len() as u64 > *max)
    {
        return refuse(
            ErrorKind::Validation,
            format!(
                "the event has {} tags, the relay takes at most {max} (NIP-11 max_event_tags)",
                event.tags.len()
            ),
        );
    }
    if l.min_pow_difficulty.is_some_and(|d| d > 0) {
        return refuse(
            ErrorKind::ContentRejected,
            "the relay requires proof of work (NIP-11 min_pow_difficulty, NIP-13), which socialkit does not compute".into(),
        );
    }
    None
}

/// The largest `limit` every relay honours (NIP-11 `max_limit`), at most `default`.
pub(crate) fn page_limit(infos: &[Option<RelayInfo>], default: usize) -> usize {
    infos
        .iter()
        .flatten()
        .filter_map(|i| i.limitation.as_ref()?.max_limit)
        .map(|m| usize::try_from(m).unwrap_or(usize::MAX))
        .fold(default, usize::min)
        .max(1)
}

/// The capabilities NIP-11 documents give: the smallest content limit of the relays, search
/// where one lists NIP-50.
fn refine(mut caps: Capabilities, infos: &[Option<RelayInfo>]) -> Capabilities {
    let limits = infos.iter().flatten().filter_map(|i| i.limitation.as_ref());
    if let Some(max) = limits.filter_map(|l| l.max_content_length).min() {
        caps.text = TextRule::new(
            Counting::Chars,
            usize::try_from(max).unwrap_or(usize::MAX).max(1),
        );
    }
    if infos.iter().flatten().any(|i| i.supports(50)) {
        caps.search = Some(SearchLimits {
            max_age_days: None,
            max_page: 100,
            words: true,
            time_range: true,
            language: false,
            authors: false,
        });
    }
    caps
}

/// On the shared adapter base ([`Adapter`]): the base loads the NIP-11 capabilities before
/// every write, resolves and fits the post, and refuses undeclared operations (search before
/// the relays were asked whether they have NIP-50: call
/// [`load_capabilities`](Platform::load_capabilities) first, as the engine does). The
/// websocket transport is this adapter's own: the base's HTTP layer serves only the NIP-11
/// documents.
#[async_trait]
impl Adapter for Nostr {
    fn capabilities(&self) -> &Capabilities {
        self.caps()
    }

    async fn load_capabilities(&self) -> Result<()> {
        let infos = self.relay_info().await;
        let _ = self.loaded.set(refine(self.defaults.clone(), infos));
        Ok(())
    }

    async fn channel(&self) -> Result<Channel> {
        self.read_channel().await
    }

    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published> {
        self.publish_post(post, opts).await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        self.delete_note(post).await
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        self.read_interactions(query).await
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        self.reply_to(to, post, opts).await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        self.read_metrics(posts).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.read_recent(limit).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        self.run_search(query).await
    }
}
