//! The TikTok channel URL and config.
//!
//! `tiktok://ACCESS_TOKEN@open.tiktokapis.com?refresh_token=…&client_key=…&client_secret=…`
//! with, optionally:
//!
//! - `mode=direct` (the default: Direct Post, scope `video.publish`) or `mode=inbox` (upload
//!   to the creator's inbox, scope `video.upload`; the creator finishes the post in the app);
//! - `privacy=SELF_ONLY|PUBLIC_TO_EVERYONE|MUTUAL_FOLLOW_FRIENDS|FOLLOWER_OF_CREATOR` (Direct
//!   Post only; the default is `SELF_ONLY`);
//! - `audited=true` once TikTok has audited the app. Until then TikTok lets an app post only
//!   privately ("All content posted by unaudited clients will be restricted to private
//!   viewing mode", Content Posting API → Get Started → Direct Post), so an unaudited config
//!   with any other `privacy` is [`ConfigInvalid`](crate::ErrorKind::ConfigInvalid);
//! - `disable_comment`, `disable_duet`, `disable_stitch` (`true`/`false`);
//! - `chunk_size` in bytes for file uploads (5 MB to 64 MB, default 10 MB; see
//!   [`super::upload`]);
//! - `expires_at` (RFC 3339) of the access token, when known.
//!
//! `scheme=http` talks plain HTTP to a twin on loopback; the token endpoint is then
//! `/v2/oauth/token/` on the same host. No error repeats the URL or a token.
//!
//! ```
//! use socialkit::adapters::tiktok::{PrivacyLevel, TikTokConfig};
//! let c = TikTokConfig::from_url_str(
//!     "tiktok://act.s3cret@open.tiktokapis.com?refresh_token=rft.x&client_key=ck&client_secret=cs",
//! ).unwrap();
//! assert_eq!(c.privacy, PrivacyLevel::SelfOnly);
//! assert!(!c.audited);
//! assert!(!format!("{c:?}").contains("s3cret"));
//! // An unaudited app cannot post publicly: refused before anything is sent.
//! let e = TikTokConfig::from_url_str("tiktok://t@open.tiktokapis.com?privacy=PUBLIC_TO_EVERYONE")
//!     .unwrap_err();
//! assert_eq!(e.kind(), socialkit::ErrorKind::ConfigInvalid);
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::PLATFORM;
use super::upload::{DEFAULT_CHUNK, MAX_CHUNK, MIN_CHUNK};
use crate::auth::{ChannelUrl, Secret, parse_base_url};
use crate::{Error, Result};

/// The API base.
///
/// ```
/// assert_eq!(socialkit::adapters::tiktok::config::API_BASE, "https://open.tiktokapis.com/");
/// ```
pub const API_BASE: &str = "https://open.tiktokapis.com/";
/// Where tokens are issued and refreshed (Login Kit → Manage User Access Tokens).
pub const TOKEN_URL: &str = "https://open.tiktokapis.com/v2/oauth/token/";

/// Who may see a post: the `privacy_level` values of the Direct Post reference
/// (<https://developers.tiktok.com/doc/content-posting-api-reference-direct-post>). The
/// options a creator has come from `creator_info/query`.
///
/// ```
/// use socialkit::adapters::tiktok::PrivacyLevel;
/// assert_eq!(PrivacyLevel::SelfOnly.as_str(), "SELF_ONLY");
/// assert_eq!("FOLLOWER_OF_CREATOR".parse::<PrivacyLevel>().unwrap(), PrivacyLevel::FollowerOfCreator);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrivacyLevel {
    /// Everyone.
    PublicToEveryone,
    /// Friends (mutual followers).
    MutualFollowFriends,
    /// Followers.
    FollowerOfCreator,
    /// Only the creator: the one level an unaudited app may use.
    #[default]
    SelfOnly,
}

impl PrivacyLevel {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyLevel::PublicToEveryone => "PUBLIC_TO_EVERYONE",
            PrivacyLevel::MutualFollowFriends => "MUTUAL_FOLLOW_FRIENDS",
            PrivacyLevel::FollowerOfCreator => "FOLLOWER_OF_CREATOR",
            PrivacyLevel::SelfOnly => "SELF_ONLY",
        }
    }
}

impl std::str::FromStr for PrivacyLevel {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "PUBLIC_TO_EVERYONE" => PrivacyLevel::PublicToEveryone,
            "MUTUAL_FOLLOW_FRIENDS" => PrivacyLevel::MutualFollowFriends,
            "FOLLOWER_OF_CREATOR" => PrivacyLevel::FollowerOfCreator,
            "SELF_ONLY" => PrivacyLevel::SelfOnly,
            _ => {
                return Err(fail(
                    "privacy must be SELF_ONLY, PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS or FOLLOWER_OF_CREATOR",
                ));
            }
        })
    }
}

/// Direct Post (published by the API) or upload to the creator's inbox (finished in the app).
///
/// ```
/// assert_eq!(socialkit::adapters::tiktok::PostMode::default(), socialkit::adapters::tiktok::PostMode::Direct);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PostMode {
    /// `/v2/post/publish/video/init/`, photos with `post_mode=DIRECT_POST` (`video.publish`).
    #[default]
    Direct,
    /// `/v2/post/publish/inbox/video/init/`, photos with `post_mode=MEDIA_UPLOAD`
    /// (`video.upload`).
    Inbox,
}

/// How to reach one TikTok account and how it posts. Serde form:
///
/// ```
/// use socialkit::adapters::tiktok::TikTokConfig;
/// let c: TikTokConfig = serde_json::from_value(serde_json::json!({
///     "access_token": "act.x", "refresh_token": "rft.y", "client_key": "ck",
///     "client_secret": "cs", "mode": "inbox"
/// })).unwrap();
/// assert!(c.validate().is_ok());
/// assert_eq!(c.base_url.as_str(), "https://open.tiktokapis.com/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TikTokConfig {
    /// The user access token (lives 24 hours).
    pub access_token: Secret,
    /// When it expires, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The refresh token (lives 365 days; TikTok may return a new one on refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// The app's client key (needed to refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    /// The app's client secret (needed to refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// Direct Post or inbox upload.
    #[serde(default)]
    pub mode: PostMode,
    /// Who sees Direct Posts.
    #[serde(default)]
    pub privacy: PrivacyLevel,
    /// Whether TikTok audited the app (unaudited: `SELF_ONLY` only).
    #[serde(default)]
    pub audited: bool,
    /// Turn comments off on every post.
    #[serde(default)]
    pub disable_comment: bool,
    /// Turn duets off on every video.
    #[serde(default)]
    pub disable_duet: bool,
    /// Turn stitches off on every video.
    #[serde(default)]
    pub disable_stitch: bool,
    /// Chunk size for file uploads, bytes.
    #[serde(default = "default_chunk")]
    pub chunk_size: u64,
    /// The API base (tests point it at a twin).
    #[serde(default = "default_base", deserialize_with = "de_url")]
    pub base_url: Url,
    /// The token endpoint.
    #[serde(default = "default_token_url")]
    pub token_url: Url,
}

fn default_chunk() -> u64 {
    DEFAULT_CHUNK
}

fn fixed(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|_| unreachable!("the TikTok URLs are valid"))
}

fn default_base() -> Url {
    fixed(API_BASE)
}

fn default_token_url() -> Url {
    fixed(TOKEN_URL)
}

fn de_url<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    parse_base_url(PLATFORM, &s).map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

fn fail(m: &str) -> Error {
    Error::config(format!("tiktok: {m}")).with_platform(PLATFORM)
}

fn flag(c: &ChannelUrl, name: &str) -> Result<bool> {
    match c.param(name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(fail(&format!("{name} must be true or false"))),
    }
}

impl TikTokConfig {
    /// A Direct Post config with only an access token (never refreshed), private posts.
    ///
    /// ```
    /// let c = socialkit::adapters::tiktok::TikTokConfig::token("act.x");
    /// assert!(c.refresh_token.is_none());
    /// ```
    pub fn token(access_token: impl Into<Secret>) -> Self {
        TikTokConfig {
            access_token: access_token.into(),
            expires_at: None,
            refresh_token: None,
            client_key: None,
            client_secret: None,
            mode: PostMode::Direct,
            privacy: PrivacyLevel::SelfOnly,
            audited: false,
            disable_comment: false,
            disable_duet: false,
            disable_stitch: false,
            chunk_size: DEFAULT_CHUNK,
            base_url: default_base(),
            token_url: default_token_url(),
        }
    }

    /// Parses a channel URL (see the [module docs](self)).
    pub fn from_url_str(s: &str) -> Result<Self> {
        let url = Url::parse(s).map_err(|_| fail("the channel URL is not a valid URL"))?;
        Self::from_url(&url)
    }

    /// Parses a channel URL.
    pub fn from_url(url: &Url) -> Result<Self> {
        let c = ChannelUrl::parse(
            url,
            PLATFORM,
            &[
                "refresh_token",
                "client_key",
                "client_secret",
                "mode",
                "privacy",
                "audited",
                "disable_comment",
                "disable_duet",
                "disable_stitch",
                "chunk_size",
                "expires_at",
            ],
        )?;
        let mut config = TikTokConfig::token(c.token.clone());
        config.refresh_token = c.param("refresh_token").map(Secret::new);
        config.client_key = c.param("client_key").map(str::to_string);
        config.client_secret = c.param("client_secret").map(Secret::new);
        config.mode = match c.param("mode") {
            None | Some("direct") => PostMode::Direct,
            Some("inbox") => PostMode::Inbox,
            Some(_) => return Err(fail("mode must be direct or inbox")),
        };
        if let Some(p) = c.param("privacy") {
            config.privacy = p.parse()?;
        }
        config.audited = flag(&c, "audited")?;
        config.disable_comment = flag(&c, "disable_comment")?;
        config.disable_duet = flag(&c, "disable_duet")?;
        config.disable_stitch = flag(&c, "disable_stitch")?;
        if let Some(n) = c.param("chunk_size") {
            config.chunk_size = n
                .parse()
                .map_err(|_| fail("chunk_size must be a number of bytes"))?;
        }
        if let Some(at) = c.param("expires_at") {
            config.expires_at = Some(
                DateTime::parse_from_rfc3339(at)
                    .map_err(|_| fail("expires_at must be an RFC 3339 time"))?
                    .with_timezone(&Utc),
            );
        }
        config.base_url = c.base.clone();
        if c.base.scheme() == "http" {
            config.token_url = c
                .base
                .join("v2/oauth/token/")
                .map_err(|_| fail("the base URL cannot take the token path"))?;
        }
        config.validate()?;
        Ok(config)
    }

    /// Checks what can be checked without the network: an unaudited app posts privately
    /// only; a refresh token needs the client key and secret; the chunk size is within
    /// TikTok's 5–64 MB.
    pub fn validate(&self) -> Result<()> {
        if self.access_token.expose().is_empty() {
            return Err(fail("the access token is empty"));
        }
        if !self.audited && self.privacy != PrivacyLevel::SelfOnly {
            return Err(fail(
                "an unaudited TikTok app can only post with privacy SELF_ONLY; set audited=true once TikTok has audited the app",
            ));
        }
        if self.refresh_token.is_some()
            && (self.client_key.is_none() || self.client_secret.is_none())
        {
            return Err(fail("refresh_token needs client_key and client_secret"));
        }
        if !(MIN_CHUNK..=MAX_CHUNK).contains(&self.chunk_size) {
            return Err(fail("chunk_size must be between 5 MB and 64 MB"));
        }
        Ok(())
    }

    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.base_url
            .join(path)
            .map_err(|_| fail("the API path is not valid"))
    }
}
