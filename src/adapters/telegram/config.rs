//! The Telegram channel URL and config.
//!
//! `telegram://BOT_TOKEN@api.telegram.org?chat_id=…`:
//!
//! - the bot token as BotFather gives it (`123456:ABC-DEF…`; its `:` splits it into the URL's
//!   user and password, which are joined again); percent-encode other reserved characters;
//! - the host is the Bot API server (`api.telegram.org`, a local Bot API server, or a twin:
//!   `127.0.0.1:PORT?scheme=http`);
//! - `chat_id` (required) is the channel or group the bot posts to: `@channelusername` or the
//!   numeric id (`-100…` for channels and supergroups);
//! - `username` makes post links `https://t.me/{username}/{id}` for a public chat without
//!   asking `getChat` first; private channels and supergroups get `https://t.me/c/{id}/{msg}`;
//! - `discussion_chat_id` is the discussion group linked to a channel (comments arrive there);
//!   without it the adapter reads `linked_chat_id` from `getChat` once;
//! - `webhook_secret` is the `secret_token` set with `setWebhook`: updates pushed to your
//!   endpoint are accepted only with it in `X-Telegram-Bot-Api-Secret-Token`.
//!
//! No error repeats the URL or the token.
//!
//! ```
//! use socialkit::adapters::telegram::TelegramConfig;
//! let c = TelegramConfig::from_url_str("telegram://123456:AAH-s3cr3t@api.telegram.org?chat_id=@acme").unwrap();
//! assert_eq!(c.token.expose(), "123456:AAH-s3cr3t");
//! assert_eq!(c.chat_id, "@acme");
//! assert_eq!(c.base_url.as_str(), "https://api.telegram.org/");
//! assert!(!format!("{c:?}").contains("s3cr3t"));
//! let err = TelegramConfig::from_url_str("telegram://123456:AAH-s3cr3t@api.telegram.org").unwrap_err();
//! assert_eq!(err.kind(), socialkit::ErrorKind::ConfigInvalid);
//! assert!(!err.to_string().contains("s3cr3t"));
//! ```

use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::PLATFORM;
use crate::auth::{ChannelUrl, Secret, parse_base_url, percent_decode};
use crate::{Error, Result};

/// The production Bot API server.
///
/// ```
/// assert_eq!(socialkit::adapters::telegram::config::API_BASE, "https://api.telegram.org/");
/// ```
pub const API_BASE: &str = "https://api.telegram.org/";

/// How to reach one Telegram chat through a bot.
///
/// Serde form (the `settings` of a [`ChannelConfig`](crate::ChannelConfig)):
///
/// ```
/// use socialkit::adapters::telegram::TelegramConfig;
/// let c: TelegramConfig = serde_json::from_value(serde_json::json!({
///     "token": "123456:AAH-secret",
///     "chat_id": "-1001234567890",
///     "webhook_secret": "push-S3cret_1",
///     "base_url": "http://127.0.0.1:9000"
/// })).unwrap();
/// assert!(c.validate().is_ok());
/// assert!(!format!("{c:?}").contains("AAH-secret"));
/// assert!(!format!("{c:?}").contains("S3cret"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramConfig {
    /// The bot token (`123456:ABC-DEF…`).
    pub token: Secret,
    /// The chat the bot posts to: `@channelusername` or a numeric id.
    pub chat_id: String,
    /// The chat's public username (for post links), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The discussion group linked to the channel, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discussion_chat_id: Option<i64>,
    /// The `secret_token` of the webhook, when updates are pushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<Secret>,
    /// The Bot API server (tests point it at a twin).
    #[serde(default = "default_base", deserialize_with = "de_base")]
    pub base_url: Url,
}

fn default_base() -> Url {
    Url::parse(API_BASE).unwrap_or_else(|_| unreachable!("the Bot API base is a valid URL"))
}

fn de_base<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    parse_base_url(PLATFORM, &s).map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

fn fail(message: &str) -> Error {
    Error::config(message.to_string()).with_platform(PLATFORM)
}

/// Whether `chat_id` is `@username` (5–32 letters, digits, `_`) or a decimal id.
fn valid_chat_id(chat_id: &str) -> bool {
    match chat_id.strip_prefix('@') {
        Some(name) => {
            (4..=32).contains(&name.len())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => {
            let digits = chat_id.strip_prefix('-').unwrap_or(chat_id);
            !digits.is_empty() && digits.len() <= 20 && digits.chars().all(|c| c.is_ascii_digit())
        }
    }
}

/// Whether `secret` is a valid `secret_token`: 1–256 of `A-Z a-z 0-9 _ -` (setWebhook,
/// <https://core.telegram.org/bots/api#setwebhook>).
pub(crate) fn valid_webhook_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len())
        && secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl TelegramConfig {
    /// A config for the production Bot API.
    ///
    /// ```
    /// use socialkit::adapters::telegram::TelegramConfig;
    /// let c = TelegramConfig::new("123:abc", "@acme_news").unwrap();
    /// assert_eq!(c.chat_id, "@acme_news");
    /// assert!(TelegramConfig::new("", "@acme_news").is_err());
    /// assert!(TelegramConfig::new("123:abc", "acme news").is_err());
    /// ```
    pub fn new(token: impl Into<Secret>, chat_id: impl Into<String>) -> Result<Self> {
        let c = TelegramConfig {
            token: token.into(),
            chat_id: chat_id.into(),
            username: None,
            discussion_chat_id: None,
            webhook_secret: None,
            base_url: default_base(),
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks the token, the chat id and the webhook secret. The registry checks this
    /// before building an adapter.
    pub fn validate(&self) -> Result<()> {
        if self.token.expose().trim().is_empty() {
            return Err(fail("the telegram bot token is empty"));
        }
        if self.token.expose().contains(['/', '?', '#', ' ']) {
            return Err(fail(
                "the telegram bot token has characters a bot token never has",
            ));
        }
        if !valid_chat_id(&self.chat_id) {
            return Err(fail(
                "chat_id must be @channelusername or a numeric chat id (-100… for channels)",
            ));
        }
        if let Some(s) = &self.webhook_secret {
            if !valid_webhook_secret(s.expose()) {
                return Err(fail(
                    "webhook_secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -",
                ));
            }
        }
        Ok(())
    }

    /// Points the config at another Bot API server (a twin, a local Bot API server).
    ///
    /// ```
    /// let c = socialkit::adapters::telegram::TelegramConfig::new("1:t", "@acme")
    ///     .unwrap()
    ///     .with_base_url("http://127.0.0.1:1234")
    ///     .unwrap();
    /// assert_eq!(c.base_url.as_str(), "http://127.0.0.1:1234/");
    /// ```
    pub fn with_base_url(mut self, base: &str) -> Result<Self> {
        self.base_url = parse_base_url(PLATFORM, base)?;
        Ok(self)
    }

    /// Sets the webhook secret token.
    ///
    /// ```
    /// let c = socialkit::adapters::telegram::TelegramConfig::new("1:t", "@acme")
    ///     .unwrap()
    ///     .with_webhook_secret("s3cret-hook")
    ///     .unwrap();
    /// assert!(c.webhook_secret.is_some());
    /// ```
    pub fn with_webhook_secret(mut self, secret: impl Into<Secret>) -> Result<Self> {
        self.webhook_secret = Some(secret.into());
        self.validate()?;
        Ok(self)
    }

    /// Parses a `telegram://…` channel URL (see the module docs).
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed = Url::parse(url)
            .map_err(|e| fail(&format!("the telegram channel URL is invalid: {e}")))?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL (see the module docs).
    ///
    /// ```
    /// let u = url::Url::parse("telegram://1:t@127.0.0.1:9?scheme=http&chat_id=-1001&username=acme&discussion_chat_id=-1002").unwrap();
    /// let c = socialkit::adapters::telegram::TelegramConfig::from_url(&u).unwrap();
    /// assert_eq!(c.username.as_deref(), Some("acme"));
    /// assert_eq!(c.discussion_chat_id, Some(-1002));
    /// assert_eq!(c.base_url.as_str(), "http://127.0.0.1:9/");
    /// ```
    pub fn from_url(url: &Url) -> Result<Self> {
        // The token's `:` makes the URL parser split it into user and password.
        let mut without_secret = url.clone();
        let tail = match url.password() {
            Some(p) => {
                let _ = without_secret.set_password(None);
                Some(percent_decode(p).ok_or_else(|| {
                    fail("the bot token in the telegram channel URL is not valid UTF-8")
                })?)
            }
            None => None,
        };
        let c = ChannelUrl::parse(
            &without_secret,
            PLATFORM,
            &[
                "chat_id",
                "username",
                "discussion_chat_id",
                "webhook_secret",
            ],
        )?;
        let token = match tail {
            Some(tail) => Secret::new(format!("{}:{tail}", c.token.expose())),
            None => c.token.clone(),
        };
        let chat_id = c
            .param("chat_id")
            .ok_or_else(|| {
                fail("the telegram channel URL needs chat_id (@channelusername or a numeric id)")
            })?
            .to_string();
        let mut config = TelegramConfig::new(token, chat_id)?;
        config.base_url = c.base.clone();
        config.username = c
            .param("username")
            .map(|u| u.trim_start_matches('@').to_string());
        if let Some(v) = c.param("discussion_chat_id") {
            config.discussion_chat_id = Some(
                v.parse::<i64>()
                    .map_err(|_| fail("discussion_chat_id must be a numeric chat id"))?,
            );
        }
        if let Some(v) = c.param("webhook_secret") {
            config = config.with_webhook_secret(v)?;
        }
        Ok(config)
    }

    /// The URL of Bot API method `method`: `{base}bot{token}/{method}`. The token is in the
    /// path; the HTTP layer masks it in every log line and error.
    pub(crate) fn method_url(&self, method: &str) -> Result<Url> {
        self.base_url
            .join(&format!("./bot{}/{method}", self.token.expose()))
            .map_err(|_| fail("cannot build the telegram method URL"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms_and_failures() {
        let c = TelegramConfig::from_url_str(
            "telegram://123:AA%2Fb@api.telegram.org?chat_id=-1001&webhook_secret=abc_D-1",
        );
        // A `/` in a token is refused: bot tokens never have one, and it would change the path.
        assert!(c.is_err());
        let c = TelegramConfig::from_url_str(
            "telegram://123:AAb@api.telegram.org?chat_id=-1001&webhook_secret=abc_D-1",
        )
        .unwrap();
        assert_eq!(c.token.expose(), "123:AAb");
        assert_eq!(c.webhook_secret.as_ref().unwrap().expose(), "abc_D-1");
        assert_eq!(
            c.method_url("getMe").unwrap().as_str(),
            "https://api.telegram.org/bot123:AAb/getMe"
        );
        for bad in [
            "telegram://api.telegram.org?chat_id=1",
            "telegram://1:t@api.telegram.org",
            "telegram://1:t@api.telegram.org?chat_id=acme",
            "telegram://1:t@api.telegram.org?chat_id=@a",
            "telegram://1:t@api.telegram.org?chat_id=1&discussion_chat_id=x",
            "telegram://1:t@api.telegram.org?chat_id=1&webhook_secret=no%20spaces",
            "telegram://1:t@api.telegram.org?chat_id=1&token=t",
        ] {
            let e = TelegramConfig::from_url_str(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::ConfigInvalid, "{bad}");
            assert!(!e.to_string().contains(":t@"), "{e}");
        }
        let json = serde_json::to_value(&c).unwrap();
        let back: TelegramConfig = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
    }
}
