//! Telegram (Bot API), behind the cargo feature `telegram`.
//!
//! A bot posts to one channel or group (`chat_id`); the bot must be a member, and in a channel
//! an administrator that can post messages. Source of every request and answer:
//! <https://core.telegram.org/bots/api> (Bot API 10.1).
//!
//! - **Publish** `sendMessage` (text: 1–4096 UTF-16 code units after entity parsing),
//!   `sendPhoto` / `sendVideo` / `sendAnimation` / `sendDocument` for one file and
//!   `sendMediaGroup` for an album of 2–10 (captions: 0–1024 UTF-16 code units, on the first
//!   item). Lengths are counted as Telegram counts them ([`crate::text::telegram`]) before any
//!   request. Files go up as multipart uploads; media given by URL is passed as the URL for
//!   Telegram to fetch. Formatting is sent as `entities` built from socialkit's facets
//!   (the crate-private `entities` module), never as escaped Markdown. A link becomes the link preview
//!   (`link_preview_options.url`), appended to the text when the text lacks it.
//! - **No alt text**: the Bot API has no field for it (`InputMediaPhoto` has none), so alt text
//!   on media is not sent; [`capabilities`] declares no alt-text limit and this is the only
//!   place that can say so.
//! - **Threads** as reply chains: each part answers the one before (`reply_parameters`).
//! - **Edit** `editMessageText` / `editMessageCaption` (a post with media has a caption);
//!   an edit to the same content is no error. **Delete** `deleteMessage` (every message of an
//!   album); Telegram deletes only messages younger than 48 hours.
//! - **No idempotency, no history**: the Bot API has no idempotency key and a bot cannot read
//!   a chat's history, so [`Capabilities::recent_posts`] is false. An in-doubt delivery (its
//!   answer was lost) cannot be looked up: the engine leaves it for a person to settle
//!   (`Engine::settle`) rather than risk a second post. Sends are never retried blindly.
//! - **Interactions** from `getUpdates` with the update offset as the stored cursor (a call
//!   with an offset confirms every earlier update: Telegram forgets them, so one consumer — the
//!   inbox — should read with every kind), or pushed to your endpoint by a webhook
//!   ([`Telegram::receive_webhook`] checks the `X-Telegram-Bot-Api-Secret-Token` header).
//!   Replies to the channel's messages (in the chat or as comments in the linked discussion
//!   group) are `Reply`, messages that mention the bot are `Mention`, messages to the bot in a
//!   private chat are `DirectMessage`, a user's new reaction on a post is a `Like`.
//! - **No metrics**: the Bot API reports no view counts (`Message` has no `views`), and
//!   reactions only as pushed updates (`message_reaction_count`), not on request; so
//!   [`Capabilities::metrics`] is empty and `post_metrics` is `Unsupported`.
//!   [`Telegram::channel`](Platform::channel) reports subscribers (`getChatMemberCount`).
//! - **Rate limits**: a 429 carries `parameters.retry_after`, which becomes the error's
//!   `retry_after`; the documented budgets (about 1 message a second per chat, 20 a minute per
//!   group, 30 a second overall, <https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this>)
//!   are the engine's to pace.
//!
//! ```no_run
//! use socialkit::adapters::telegram::Telegram;
//! use socialkit::PlatformExt;
//! # async fn demo() -> socialkit::Result<()> {
//! let telegram = Telegram::from_url_str("telegram://123456:ABC-DEF@api.telegram.org?chat_id=@acme_news")?;
//! let published = telegram.publish_text("Shipping day 🚀 #release").await?;
//! println!("{}", published.url().unwrap_or_default());
//! # Ok(()) }
//! ```

#[allow(
    dead_code,
    reason = "wire types mirror the documented shapes; not every field is read by the adapter"
)]
pub(crate) mod api;
pub mod config;
pub(crate) mod entities;
pub mod errors;
mod publish;
mod read;
#[cfg(feature = "testkit")]
pub mod twin;
mod updates;
mod webhook;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;
use url::Url;

pub use config::TelegramConfig;
pub use webhook::WEBHOOK_SECRET_HEADER;

use crate::adapters::base::Adapter;
use crate::http::{Call, Client, Endpoints, RateLimitStyle, Response};
use crate::model::{
    Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, MediaKind, Page, Post,
    PostRef, PublishOptions, Published,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Platform};
use crate::{ErrorKind, Registry, Result};

use api::{Chat, Envelope, User};
use errors::TelegramErrors;

/// The platform's name, as errors and [`PostRef`]s carry it.
///
/// ```
/// assert_eq!(socialkit::adapters::telegram::PLATFORM, "telegram");
/// ```
pub const PLATFORM: &str = "telegram";

/// Largest photo upload: 10 MB (`sendPhoto`: "The photo must be at most 10 MB in size").
pub const MAX_PHOTO_BYTES: u64 = 10_000_000;
/// Largest other upload: 50 MB (`sendVideo`, `sendDocument`: "up to 50 MB in size").
pub const MAX_FILE_BYTES: u64 = 50_000_000;

/// Registers the `telegram` scheme: `telegram://BOT_TOKEN@api.telegram.org?chat_id=…` and the
/// serde form of [`TelegramConfig`].
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(Arc::new(Telegram::new(TelegramConfig::from_url(url)?)) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: TelegramConfig = crate::registry::settings(PLATFORM, value)?;
            config.validate()?;
            Ok(Arc::new(Telegram::new(config)) as Arc<dyn Platform>)
        }),
    );
}

/// Telegram's capabilities.
///
/// Alt text: the Bot API has no field for it, so `media.alt_text_max` is `None` and alt text
/// is not sent. Metrics: none (no view counts in the Bot API). Idempotency: none, and no
/// listing of recent posts (a bot cannot read a chat's history): an in-doubt delivery waits
/// for a person.
///
/// ```
/// let caps = socialkit::adapters::telegram::capabilities();
/// assert_eq!(caps.text.max, 4096);
/// assert_eq!(caps.text.counting, socialkit::text::Counting::Utf16);
/// assert_eq!(caps.media.max_count, 10);
/// assert!(caps.post_threads && caps.edit && caps.delete && caps.reply);
/// assert!(!caps.recent_posts && caps.metrics.is_empty());
/// assert_eq!(caps.idempotency, socialkit::platform::Idempotency::None);
/// ```
pub fn capabilities() -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, crate::text::rules::telegram());
    c.media = MediaLimits {
        max_count: 10,
        kinds: vec![
            MediaKind::Image,
            MediaKind::Video,
            MediaKind::Gif,
            MediaKind::Document,
        ],
        mime_types: Vec::new(),
        max_image_bytes: Some(MAX_PHOTO_BYTES),
        max_video_bytes: Some(MAX_FILE_BYTES),
        max_videos: 10,
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
        InteractionKind::Like,
    ];
    c.idempotency = Idempotency::None;
    c.recent_posts = false;
    c
}

/// One Telegram chat, as a bot posts to it. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::telegram::{Telegram, TelegramConfig};
/// use socialkit::Platform;
/// let t = Telegram::new(TelegramConfig::new("123:s3cret", "@acme_news").unwrap());
/// assert_eq!(t.capabilities().platform, "telegram");
/// assert!(!format!("{t:?}").contains("s3cret"));
/// ```
pub struct Telegram {
    config: TelegramConfig,
    client: Client,
    caps: Capabilities,
    bot: OnceCell<User>,
    chat: OnceCell<Chat>,
    /// Method URLs, built once (each carries the token in its path).
    endpoints: Endpoints,
}

impl fmt::Debug for Telegram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Telegram")
            .field("base_url", &self.config.base_url.as_str())
            .field("chat_id", &self.config.chat_id)
            .field("token", &"***")
            .finish()
    }
}

impl Telegram {
    /// An adapter with the default HTTP client. No network call is made here.
    pub fn new(config: TelegramConfig) -> Self {
        Self::with_client(config, Client::default())
    }

    /// An adapter from a channel URL (see [`config`]).
    pub fn from_url_str(url: &str) -> Result<Self> {
        Ok(Self::new(TelegramConfig::from_url_str(url)?))
    }

    /// Like [`Telegram::new`], sending through `client`.
    pub fn with_client(config: TelegramConfig, client: Client) -> Self {
        Telegram {
            config,
            client,
            caps: capabilities(),
            bot: OnceCell::new(),
            chat: OnceCell::new(),
            endpoints: Endpoints::default(),
        }
    }

    /// The config.
    pub fn config(&self) -> &TelegramConfig {
        &self.config
    }

    /// A call to Bot API method `method` (the token is in the path and masked everywhere).
    pub(crate) fn call(&self, operation: &'static str, method: &str) -> Result<Call> {
        let url = self
            .endpoints
            .get(method, || self.config.method_url(method))?;
        let mut call = Call::post(PLATFORM, operation, url)
            .redact(&self.config.token)
            .rate_limit_style(RateLimitStyle::Generic);
        // A bot token is `<bot id>:<secret>`: the secret part alone is masked too, so a body
        // that quotes it without the bot id cannot carry it into an error (found by fuzzing).
        if let Some((_, secret)) = self.config.token.expose().split_once(':') {
            call = call.redact(&crate::secret::Secret::new(secret));
        }
        Ok(call)
    }

    /// Sends `call` and reads the result out of Telegram's envelope.
    pub(crate) async fn request<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let response = self.client.send(call, &TelegramErrors).await?;
        result_of(&response)
    }

    /// The bot (`getMe`, once).
    pub(crate) async fn bot(&self) -> Result<&User> {
        self.bot
            .get_or_try_init(|| async {
                let call = self
                    .call("channel", "getMe")?
                    .retry(crate::http::Retry::Idempotent);
                self.request::<User>(call).await
            })
            .await
    }

    /// The target chat (`getChat`, once).
    pub(crate) async fn chat(&self) -> Result<&Chat> {
        self.chat
            .get_or_try_init(|| async {
                let call = self
                    .call("channel", "getChat")?
                    .json(
                        &serde_json::json!({ "chat_id": api::ChatId::parse(&self.config.chat_id) }),
                    )
                    .retry(crate::http::Retry::Idempotent);
                self.request::<Chat>(call).await
            })
            .await
    }

    /// The link of message `message_id` in `chat` (`t.me/{username}/{id}` for public chats,
    /// `t.me/c/{id}/{msg}` for private channels and supergroups).
    pub(crate) fn message_url(&self, chat: &Chat, message_id: i64) -> Option<String> {
        let username = chat.username.clone().or_else(|| {
            (self.chat.get().map(|c| c.id) == Some(chat.id))
                .then(|| self.config.username.clone())
                .flatten()
        });
        match username {
            Some(u) => Some(format!("https://t.me/{u}/{message_id}")),
            None => {
                let id = chat.id.to_string();
                id.strip_prefix("-100")
                    .map(|internal| format!("https://t.me/c/{internal}/{message_id}"))
            }
        }
    }
}

/// The result of an answer, or the error inside a 200 that says `"ok": false`.
pub(crate) fn result_of<T: DeserializeOwned>(response: &Response) -> Result<T> {
    let envelope: Envelope<T> = response.json()?;
    match (envelope.ok, envelope.result) {
        (true, Some(result)) => Ok(result),
        (true, None) => Err(response.error(
            ErrorKind::Unexpected,
            "telegram answered ok without a result",
        )),
        (false, _) => Err(errors::map(response)),
    }
}

#[async_trait]
impl Adapter for Telegram {
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
        self.delete_post(post).await
    }

    async fn edit(&self, post: &PostRef, new: &Post) -> Result<Published> {
        self.edit_post(post, new).await
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        self.read_updates(query).await
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        _opts: &PublishOptions,
    ) -> Result<Published> {
        self.reply_to(to, post).await
    }
}
