//! Discord (API v10), behind the cargo feature `discord`: a bot posting to a channel, or a
//! webhook. Source of every request and answer: <https://discord.com/developers/docs>
//! (`resources/message`, `resources/channel`, `resources/webhook`, `topics/rate-limits`,
//! `topics/opcodes-and-status-codes`), read at discord/discord-api-docs c98d64b.
//!
//! - **Publish** as a bot (`POST /channels/{id}/messages`, `Authorization: Bot …`) or a webhook
//!   (`POST /webhooks/{id}/{token}?wait=true`, so the message comes back). Content up to 2000
//!   characters (Discord does not name the unit; socialkit counts UTF-16 code units, the
//!   largest plausible count, so nothing that passes here is refused there — unverified), files
//!   as `files[n]` with `payload_json`, each with its alt text as the attachment's
//!   `description` (up to 1024 characters). A link is appended to the content; Discord
//!   unfurls it into an embed. Mentions are never pinged by a post (`allowed_mentions` empty).
//! - **Threads**: in a text channel a bot's parts form a reply chain (`message_reference`); in
//!   a forum or media channel the first part starts a forum thread (`POST
//!   /channels/{id}/threads`, named after the first line) and the others follow in it. A
//!   webhook cannot reply, so webhook channels declare no threads.
//! - **Idempotency**: a bot's message carries a `nonce` (≤ 25 characters, derived from the
//!   idempotency key) with `enforce_nonce: true`: "checked for uniqueness in the past few
//!   minutes … that message will be returned and no new message will be created". The docs
//!   give no number for "a few minutes", so [`Capabilities::key_lifetime_secs`] says 120
//!   (an assumption); after that the engine reconciles by listing the channel's recent
//!   messages. Webhooks have no documented nonce: sent once, and an in-doubt webhook send
//!   waits for a person.
//! - **Edit / delete** `PATCH` / `DELETE` on the message (or the webhook's message).
//! - **Interactions** (bot): `GET /channels/{id}/messages?after=…` read forward with the last
//!   message id as the stored cursor; replies to the bot's messages are `Reply`, messages that
//!   mention the bot are `Mention` (reading content needs the `MESSAGE_CONTENT` intent for
//!   messages that do not mention the bot — unverified for REST reads).
//! - **Metrics**: reactions (`reactions[].count`, summed) as likes; Discord reports nothing
//!   else per message.
//! - **Rate limits**: per-route buckets and the global limit are tracked from the
//!   `X-RateLimit-*` headers and honoured across concurrent calls ([`buckets`]); 429s carry
//!   `retry_after`.
//!
//! ```no_run
//! use socialkit::adapters::discord::Discord;
//! use socialkit::PlatformExt;
//! # async fn demo() -> socialkit::Result<()> {
//! let discord = Discord::from_url_str("discord://BOT_TOKEN@discord.com?channel_id=1234567890")?;
//! let published = discord.publish_text("Patch notes are out 🎉").await?;
//! println!("{}", published.url().unwrap_or_default());
//! # Ok(()) }
//! ```

#[allow(
    dead_code,
    reason = "wire types mirror the documented shapes; not every field is read by the adapter"
)]
pub(crate) mod api;
pub mod buckets;
pub mod config;
pub mod errors;
mod publish;
mod read;
#[cfg(feature = "testkit")]
pub mod twin;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;
use url::Url;

pub use config::{DiscordAuth, DiscordConfig};

use crate::adapters::base::Adapter;
use crate::http::{Call, Client, ErrorMapper, RateLimitStyle, Response};
use crate::model::{
    Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, MediaKind, Metric,
    Page, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Platform};
use crate::{Error, Registry, Result};

use buckets::Limiter;

/// The platform's name, as errors and [`PostRef`]s carry it.
///
/// ```
/// assert_eq!(socialkit::adapters::discord::PLATFORM, "discord");
/// ```
pub const PLATFORM: &str = "discord";
/// The scheme of webhook channel URLs.
pub const WEBHOOK_SCHEME: &str = "discord+webhook";
/// Largest file without server boosts: 10 MiB (unverified: Discord's docs name no number;
/// the clients' upload limit).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// How long Discord remembers a nonce, in seconds: "the past few minutes" in the docs; 120
/// is an assumption on the safe side.
pub const NONCE_LIFETIME_SECS: u64 = 120;

/// Registers `discord` (bots) and `discord+webhook` (webhooks).
pub(crate) fn register(registry: &mut Registry) {
    for scheme in [PLATFORM, WEBHOOK_SCHEME] {
        registry.register(
            scheme,
            Arc::new(|url: &Url| {
                Ok(Arc::new(Discord::new(DiscordConfig::from_url(url)?)) as Arc<dyn Platform>)
            }),
            Arc::new(|value: serde_json::Value| {
                let config: DiscordConfig = crate::registry::settings(PLATFORM, value)?;
                config.validate()?;
                Ok(Arc::new(Discord::new(config)) as Arc<dyn Platform>)
            }),
        );
    }
}

/// Discord's capabilities for a bot (`webhook = false`) or a webhook.
///
/// ```
/// use socialkit::adapters::discord::capabilities;
/// let bot = capabilities(false);
/// assert_eq!(bot.text.max, 2000);
/// assert_eq!(bot.idempotency, socialkit::platform::Idempotency::Key);
/// assert_eq!(bot.key_lifetime_secs, Some(120));
/// assert!(bot.post_threads && bot.reply && bot.recent_posts && bot.replies_in_recent_posts);
/// assert_eq!(bot.media.alt_text_max, Some(1024));
/// let hook = capabilities(true);
/// assert!(!hook.reply && !hook.recent_posts && !hook.post_threads);
/// assert_eq!(hook.idempotency, socialkit::platform::Idempotency::None);
/// ```
pub fn capabilities(webhook: bool) -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, crate::text::rules::discord());
    c.media = MediaLimits {
        max_count: 10,
        kinds: vec![
            MediaKind::Image,
            MediaKind::Gif,
            MediaKind::Video,
            MediaKind::Audio,
            MediaKind::Document,
        ],
        mime_types: Vec::new(),
        max_image_bytes: Some(MAX_FILE_BYTES),
        max_video_bytes: Some(MAX_FILE_BYTES),
        max_videos: 10,
        alt_text_max: Some(1024),
        alt_text_required: false,
    };
    c.link_cards = true;
    c.delete = true;
    c.edit = true;
    c.metrics = vec![Metric::Likes];
    if !webhook {
        c.post_threads = true;
        c.reply = true;
        c.interactions = vec![InteractionKind::Reply, InteractionKind::Mention];
        c.idempotency = Idempotency::Key;
        c.key_lifetime_secs = Some(NONCE_LIFETIME_SECS);
        c.recent_posts = true;
        c.replies_in_recent_posts = true;
    }
    c
}

/// Capabilities of a bot posting to a forum or media channel: each post is a new forum
/// thread (its parts follow inside it). Starting a thread takes no nonce and the forum's own
/// messages live in their threads, so there is no idempotency key, no listing and no inbox
/// here; an in-doubt post waits for a person.
///
/// ```
/// let forum = socialkit::adapters::discord::forum_capabilities();
/// assert!(forum.post_threads && forum.edit && forum.delete);
/// assert!(!forum.recent_posts && !forum.reply && forum.interactions.is_empty());
/// assert_eq!(forum.idempotency, socialkit::platform::Idempotency::None);
/// ```
pub fn forum_capabilities() -> Capabilities {
    let mut c = capabilities(true);
    c.post_threads = true;
    c
}

/// One Discord channel, through a bot or a webhook. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::discord::{Discord, DiscordConfig};
/// use socialkit::Platform;
/// let d = Discord::new(DiscordConfig::bot("s3cret", "123").unwrap());
/// assert!(d.capabilities().reply);
/// assert!(!format!("{d:?}").contains("s3cret"));
/// ```
pub struct Discord {
    config: DiscordConfig,
    client: Client,
    caps: Capabilities,
    limiter: Limiter,
    me: OnceCell<api::User>,
    channel: OnceCell<api::Channel>,
    webhook: OnceCell<api::Webhook>,
    /// The fixed endpoints' URLs, built once.
    endpoints: crate::http::Endpoints,
}

impl fmt::Debug for Discord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match &self.config.auth {
            DiscordAuth::Bot { channel_id, .. } => format!("bot, channel {channel_id}"),
            DiscordAuth::Webhook { id, .. } => format!("webhook {id}"),
        };
        f.debug_struct("Discord")
            .field("base_url", &self.config.base_url.as_str())
            .field("mode", &mode)
            .field("token", &"***")
            .finish()
    }
}

/// Maps errors and records what a 429 said about the bucket.
struct Mapper<'a> {
    limiter: &'a Limiter,
    route: &'a str,
    major: &'a str,
}

impl ErrorMapper for Mapper<'_> {
    fn map(&self, response: &Response) -> Error {
        let mut rl = response.rate_limit().cloned();
        if response.status().as_u16() == 429 {
            let body: serde_json::Value =
                serde_json::from_slice(response.body()).unwrap_or_default();
            if body.get("global").and_then(|g| g.as_bool()) == Some(true) {
                let mut g = rl.clone().unwrap_or_default();
                g.global = true;
                g.retry_after = g.retry_after.or(crate::http::discord_body_retry_after(
                    response.body(),
                    response.received_at(),
                ));
                rl = Some(g);
            }
        }
        self.limiter.update(self.route, self.major, rl.as_ref());
        errors::map(response)
    }
}

impl Discord {
    /// An adapter with the default HTTP client. No network call is made here.
    pub fn new(config: DiscordConfig) -> Self {
        Self::with_client(config, Client::default())
    }

    /// An adapter from a channel URL (see [`config`]).
    pub fn from_url_str(url: &str) -> Result<Self> {
        Ok(Self::new(DiscordConfig::from_url_str(url)?))
    }

    /// Like [`Discord::new`], sending through `client` (its clock paces the buckets).
    pub fn with_client(config: DiscordConfig, client: Client) -> Self {
        let webhook = matches!(config.auth, DiscordAuth::Webhook { .. });
        let caps = if config.forum && !webhook {
            forum_capabilities()
        } else {
            capabilities(webhook)
        };
        let limiter = Limiter::new(client.clock().clone(), Duration::from_secs(30));
        Discord {
            config,
            caps,
            limiter,
            client,
            me: OnceCell::new(),
            channel: OnceCell::new(),
            webhook: OnceCell::new(),
            endpoints: crate::http::Endpoints::default(),
        }
    }

    /// The config.
    pub fn config(&self) -> &DiscordConfig {
        &self.config
    }

    pub(crate) fn is_webhook(&self) -> bool {
        matches!(self.config.auth, DiscordAuth::Webhook { .. })
    }

    /// The bot's channel id (`None` for a webhook).
    pub(crate) fn channel_id(&self) -> Option<&str> {
        match &self.config.auth {
            DiscordAuth::Bot { channel_id, .. } => Some(channel_id),
            DiscordAuth::Webhook { .. } => None,
        }
    }

    /// `webhooks/{id}/{token}`, for webhook calls.
    pub(crate) fn webhook_path(&self) -> Option<String> {
        match &self.config.auth {
            DiscordAuth::Webhook { id, token, .. } => {
                Some(format!("webhooks/{id}/{}", token.expose()))
            }
            DiscordAuth::Bot { .. } => None,
        }
    }

    /// Sends `call` through the bucket of `route` on `major` (a channel or webhook id), with
    /// the bot's `Authorization` (webhook URLs carry their own token).
    pub(crate) async fn send(&self, call: Call, route: &str, major: &str) -> Result<Response> {
        self.limiter.acquire(route, major).await?;
        let call = match &self.config.auth {
            DiscordAuth::Bot { token, .. } => call.authorization("Bot", token),
            DiscordAuth::Webhook { token, .. } => call.redact(token),
        }
        .rate_limit_style(RateLimitStyle::Discord);
        let mapper = Mapper {
            limiter: &self.limiter,
            route,
            major,
        };
        let response = self.client.send(call, &mapper).await?;
        self.limiter.update(route, major, response.rate_limit());
        Ok(response)
    }

    /// Like [`Discord::send`], reading a JSON answer.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        call: Call,
        route: &str,
        major: &str,
    ) -> Result<T> {
        self.send(call, route, major).await?.json()
    }

    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.config.endpoint(path)
    }

    /// The bot user (`GET /users/@me`, once).
    pub(crate) async fn me(&self) -> Result<&api::User> {
        self.me
            .get_or_try_init(|| async {
                let call = Call::get(PLATFORM, "channel", self.endpoint("users/@me")?);
                self.send_json(call, "GET users/@me", "-").await
            })
            .await
    }

    /// The bot's channel (`GET /channels/{id}`, once).
    pub(crate) async fn channel_info(&self) -> Result<&api::Channel> {
        self.channel
            .get_or_try_init(|| async {
                let id = self.channel_id().unwrap_or_default();
                let call = Call::get(
                    PLATFORM,
                    "channel",
                    self.endpoint(&format!("channels/{id}"))?,
                );
                self.send_json(call, "GET channels/{c}", id).await
            })
            .await
    }

    /// The webhook (`GET /webhooks/{id}/{token}`, once).
    pub(crate) async fn webhook_info(&self) -> Result<&api::Webhook> {
        self.webhook
            .get_or_try_init(|| async {
                let path = self.webhook_path().unwrap_or_default();
                let call = Call::get(PLATFORM, "channel", self.endpoint(&path)?);
                self.send_json(call, "GET webhooks/{w}", self.webhook_id())
                    .await
            })
            .await
    }

    pub(crate) fn webhook_id(&self) -> &str {
        match &self.config.auth {
            DiscordAuth::Webhook { id, .. } => id,
            DiscordAuth::Bot { .. } => "-",
        }
    }

    /// The reference of message `m` (`guild` for its link).
    pub(crate) fn post_ref(&self, m: &api::Message, guild: Option<&str>) -> PostRef {
        let mut r =
            PostRef::new(PLATFORM, m.id.clone()).with_meta("channel_id", m.channel_id.clone());
        if let Some(g) = guild {
            r = r.with_url(format!(
                "https://discord.com/channels/{g}/{}/{}",
                m.channel_id, m.id
            ));
        }
        r
    }
}

#[async_trait]
impl Adapter for Discord {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    async fn channel(&self) -> Result<Channel> {
        self.read_channel().await
    }

    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published> {
        self.publish_post(post, opts).await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        self.delete_message(post).await
    }

    async fn edit(&self, post: &PostRef, new: &Post) -> Result<Published> {
        self.edit_message(post, new).await
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
}
