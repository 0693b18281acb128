//! The Discord channel URLs and config.
//!
//! Two ways to post:
//!
//! - **Bot**: `discord://BOT_TOKEN@discord.com?channel_id=…` — requests carry
//!   `Authorization: Bot BOT_TOKEN`; the bot needs `VIEW_CHANNEL`, `SEND_MESSAGES` and
//!   `READ_MESSAGE_HISTORY` in the channel. A text channel takes messages (threads are reply
//!   chains); a forum or media channel (`&forum=true`) takes each post as a new forum thread.
//! - **Webhook**: `discord+webhook://WEBHOOK_ID:WEBHOOK_TOKEN@discord.com[?thread_id=…]` —
//!   the webhook URL (`…/webhooks/{id}/{token}`) is the credential; it can post, edit and
//!   delete its own messages but read nothing else.
//!
//! The host is `discord.com` (the API base is `https://discord.com/api/v10/`); a twin:
//! `127.0.0.1:PORT?scheme=http`. No error repeats the URL or a token.
//!
//! ```
//! use socialkit::adapters::discord::{DiscordAuth, DiscordConfig};
//! let c = DiscordConfig::from_url_str("discord://s3cr3t.tok@discord.com?channel_id=123").unwrap();
//! assert_eq!(c.base_url.as_str(), "https://discord.com/api/v10/");
//! assert!(matches!(&c.auth, DiscordAuth::Bot { channel_id, .. } if channel_id == "123"));
//! assert!(!format!("{c:?}").contains("s3cr3t"));
//! let w = DiscordConfig::from_url_str("discord+webhook://42:hookS3cret@discord.com").unwrap();
//! assert!(matches!(&w.auth, DiscordAuth::Webhook { id, .. } if id == "42"));
//! assert!(!format!("{w:?}").contains("hookS3cret"));
//! ```

use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::{PLATFORM, WEBHOOK_SCHEME};
use crate::auth::{ChannelUrl, Secret, parse_base_url, percent_decode};
use crate::{Error, Result};

/// The production API base (v10).
///
/// ```
/// assert_eq!(socialkit::adapters::discord::config::API_BASE, "https://discord.com/api/v10/");
/// ```
pub const API_BASE: &str = "https://discord.com/api/v10/";

/// How the adapter authenticates, and where it posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DiscordAuth {
    /// A bot posting to a channel.
    Bot {
        /// The bot token.
        token: Secret,
        /// The channel (a text, announcement, forum or media channel).
        channel_id: String,
    },
    /// A webhook (its id and token).
    Webhook {
        /// The webhook id.
        id: String,
        /// The webhook token.
        token: Secret,
        /// Post into this thread of the webhook's channel.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread_id: Option<String>,
    },
}

/// How to reach one Discord channel. Serde form:
///
/// ```
/// use socialkit::adapters::discord::DiscordConfig;
/// let c: DiscordConfig = serde_json::from_value(serde_json::json!({
///     "auth": {"type": "bot", "token": "bot-token", "channel_id": "1234"},
///     "base_url": "http://127.0.0.1:9000/api/v10"
/// })).unwrap();
/// assert!(c.validate().is_ok());
/// assert_eq!(c.base_url.as_str(), "http://127.0.0.1:9000/api/v10/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscordConfig {
    /// Bot or webhook.
    pub auth: DiscordAuth,
    /// The bot's channel is a forum or media channel: each post starts a forum thread. Such a
    /// channel offers no nonce (Start Thread in Forum or Media Channel has none) and no listing
    /// of the channel's own messages, so its capabilities differ ([`super::forum_capabilities`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forum: bool,
    /// The API base (tests point it at a twin).
    #[serde(default = "default_base", deserialize_with = "de_base")]
    pub base_url: Url,
}

fn default_base() -> Url {
    Url::parse(API_BASE).unwrap_or_else(|_| unreachable!("the Discord API base is a valid URL"))
}

fn de_base<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    parse_base_url(PLATFORM, &s).map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

fn fail(m: &str) -> Error {
    Error::config(m.to_string()).with_platform(PLATFORM)
}

fn is_snowflake(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_digit())
}

/// The API base for a channel URL's host: `…/api/v10/` unless the URL has a path.
fn api_base(base: &Url) -> Result<Url> {
    if base.path() == "/" {
        base.join("api/v10/")
            .map_err(|_| fail("cannot build the discord API base"))
    } else {
        Ok(base.clone())
    }
}

impl DiscordConfig {
    /// A bot posting to `channel_id`.
    ///
    /// ```
    /// let c = socialkit::adapters::discord::DiscordConfig::bot("t", "123").unwrap();
    /// assert!(socialkit::adapters::discord::DiscordConfig::bot("t", "general").is_err());
    /// ```
    pub fn bot(token: impl Into<Secret>, channel_id: impl Into<String>) -> Result<Self> {
        let c = DiscordConfig {
            auth: DiscordAuth::Bot {
                token: token.into(),
                channel_id: channel_id.into(),
            },
            forum: false,
            base_url: default_base(),
        };
        c.validate()?;
        Ok(c)
    }

    /// A webhook with its id and token.
    ///
    /// ```
    /// let c = socialkit::adapters::discord::DiscordConfig::webhook("42", "tok").unwrap();
    /// assert!(socialkit::adapters::discord::DiscordConfig::webhook("42", "").is_err());
    /// ```
    pub fn webhook(id: impl Into<String>, token: impl Into<Secret>) -> Result<Self> {
        let c = DiscordConfig {
            auth: DiscordAuth::Webhook {
                id: id.into(),
                token: token.into(),
                thread_id: None,
            },
            forum: false,
            base_url: default_base(),
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks ids and tokens.
    pub fn validate(&self) -> Result<()> {
        match &self.auth {
            DiscordAuth::Bot { token, channel_id } => {
                if token.expose().trim().is_empty() {
                    return Err(fail("the discord bot token is empty"));
                }
                if !is_snowflake(channel_id) {
                    return Err(fail(
                        "channel_id must be a numeric Discord id (a snowflake)",
                    ));
                }
            }
            DiscordAuth::Webhook {
                id,
                token,
                thread_id,
            } => {
                if !is_snowflake(id) {
                    return Err(fail("the webhook id must be a numeric Discord id"));
                }
                let t = token.expose();
                if t.is_empty()
                    || !t
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(fail(
                        "the webhook token is empty or has characters a webhook token never has",
                    ));
                }
                if thread_id.as_deref().is_some_and(|t| !is_snowflake(t)) {
                    return Err(fail("thread_id must be a numeric Discord id"));
                }
            }
        }
        Ok(())
    }

    /// Points the config at another API base (a twin).
    pub fn with_base_url(mut self, base: &str) -> Result<Self> {
        self.base_url = parse_base_url(PLATFORM, base)?;
        Ok(self)
    }

    /// Parses a `discord://…` or `discord+webhook://…` channel URL (see the module docs).
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed = Url::parse(url)
            .map_err(|e| fail(&format!("the discord channel URL is invalid: {e}")))?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL.
    pub fn from_url(url: &Url) -> Result<Self> {
        if url.scheme() == WEBHOOK_SCHEME {
            let token = url
                .password()
                .and_then(percent_decode)
                .ok_or_else(|| fail("a discord+webhook URL is discord+webhook://WEBHOOK_ID:WEBHOOK_TOKEN@discord.com"))?;
            let mut rest = url.clone();
            let _ = rest.set_password(None);
            let c = ChannelUrl::parse(&rest, WEBHOOK_SCHEME, &["thread_id"])
                .map_err(|e| Error::config(e.message().to_string()).with_platform(PLATFORM))?;
            let config = DiscordConfig {
                auth: DiscordAuth::Webhook {
                    id: c.token.expose().to_string(),
                    token: Secret::new(token),
                    thread_id: c.param("thread_id").map(str::to_string),
                },
                forum: false,
                base_url: api_base(&c.base)?,
            };
            config.validate()?;
            return Ok(config);
        }
        let c = ChannelUrl::parse(url, PLATFORM, &["channel_id", "forum"])?;
        let channel_id = c
            .param("channel_id")
            .ok_or_else(|| fail("the discord channel URL needs channel_id"))?;
        let mut config = DiscordConfig::bot(c.token.clone(), channel_id)?;
        config.base_url = api_base(&c.base)?;
        config.forum = match c.param("forum") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(fail("forum must be true or false")),
        };
        Ok(config)
    }

    /// The URL of an API path (`channels/1/messages`).
    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.base_url
            .join(&format!("./{}", path.trim_start_matches('/')))
            .map_err(|_| fail("cannot build the discord URL"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms_and_failures() {
        let c = DiscordConfig::from_url_str("discord://tok@127.0.0.1:9?scheme=http&channel_id=5")
            .unwrap();
        assert_eq!(
            c.endpoint("channels/5/messages").unwrap().as_str(),
            "http://127.0.0.1:9/api/v10/channels/5/messages"
        );
        let w =
            DiscordConfig::from_url_str("discord+webhook://42:abc-DEF_1@discord.com?thread_id=7")
                .unwrap();
        assert_eq!(
            w.auth,
            DiscordAuth::Webhook {
                id: "42".into(),
                token: Secret::new("abc-DEF_1"),
                thread_id: Some("7".into())
            }
        );
        for bad in [
            "discord://discord.com?channel_id=1",
            "discord://Zq9@discord.com",
            "discord://Zq9@discord.com?channel_id=general",
            "discord://Zq9@discord.com?channel_id=1&wait=true",
            "discord+webhook://42@discord.com",
            "discord+webhook://x:Zq9@discord.com",
            "discord+webhook://42:Zq9%2Fk@discord.com",
        ] {
            let e = DiscordConfig::from_url_str(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::ConfigInvalid, "{bad}");
            assert!(!e.to_string().contains("Zq9"), "{e}");
        }
        let json = serde_json::to_value(&w).unwrap();
        assert_eq!(serde_json::from_value::<DiscordConfig>(json).unwrap(), w);
    }
}
