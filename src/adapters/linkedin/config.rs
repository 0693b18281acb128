//! The configuration of a LinkedIn channel: from a channel URL or from serde.
//!
//! URL form:
//! `linkedin://TOKEN@api.linkedin.com?author=urn:li:organization:123&version=202607&scopes=w_organization_social,r_organization_social&expires_at=2027-01-01T00:00:00Z`
//!
//! - `TOKEN`: a 3-legged OAuth access token (60 days);
//! - `author`: `urn:li:person:{id}` or `urn:li:organization:{id}`; without it the member
//!   behind the token posts (read once from `/v2/userinfo`, which needs the `openid` scope);
//! - `version`: the `LinkedIn-Version` (`YYYYMM`, default [`DEFAULT_VERSION`]). LinkedIn
//!   serves each monthly version for at least a year and then answers 426
//!   `NONEXISTENT_VERSION`, which the adapter reports as `ConfigInvalid` naming this setting;
//! - `scopes`: the scopes the token was granted (comma- or space-separated, as the token
//!   answer's `scope` gives them); they decide the channel's capabilities
//!   ([`Grant`](super::grant::Grant)). Without them a member channel is taken to have the
//!   self-serve scopes only (post and comment, read nothing) and a page channel to have the
//!   Community Management scopes;
//! - `expires_at`: when the token expires (RFC 3339), so the "reconnect" signal can come
//!   ahead of time;
//! - `media_timeout` (seconds, default 300), `scan_posts` (recent posts whose comments are
//!   read, default 20), `scheme=http` for a twin.
//!
//! ```
//! use socialkit::adapters::linkedin::LinkedInConfig;
//! let c = LinkedInConfig::from_url_str(
//!     "linkedin://s3cr3t@api.linkedin.com?author=urn%3Ali%3Aorganization%3A5&version=202607",
//! ).unwrap();
//! assert!(c.is_organization());
//! assert_eq!(c.version, "202607");
//! assert!(!format!("{c:?}").contains("s3cr3t"));
//! let err = LinkedInConfig::from_url_str("linkedin://s3cr3t@api.linkedin.com?version=26").unwrap_err();
//! assert!(!err.to_string().contains("s3cr3t"));
//! ```

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::PLATFORM;
use crate::auth::{ChannelUrl, OAuth2Refresh, Secret, parse_base_url};
use crate::{Error, Result};

/// The production API base.
pub const API_BASE: &str = "https://api.linkedin.com/";
/// The `LinkedIn-Version` sent when the config names none.
///
/// July 2026, the newest version a stored copy of LinkedIn's versioning page names
/// (<https://learn.microsoft.com/en-us/linkedin/marketing/versioning>, as summarised in
/// api-evangelist/linkedin `lifecycle/linkedin-lifecycle.yml`, 2026-06-20: "current: '202607'",
/// "supported and stable for a minimum of one (1) year"), so it is served until at least
/// July 2027. Move it forward when LinkedIn retires it; a channel can set its own `version`.
///
/// ```
/// assert_eq!(socialkit::adapters::linkedin::config::DEFAULT_VERSION, "202607");
/// ```
pub const DEFAULT_VERSION: &str = "202607";
/// The default bound on waiting for media processing.
pub const DEFAULT_MEDIA_TIMEOUT: Duration = Duration::from_secs(300);
/// Recent posts whose comments [`interactions`](crate::Platform::interactions) reads.
pub const DEFAULT_SCAN_POSTS: usize = 20;

/// How to reach one LinkedIn author (a member or an organization page).
///
/// ```
/// use socialkit::adapters::linkedin::LinkedInConfig;
/// let c: LinkedInConfig = serde_json::from_value(serde_json::json!({
///     "token": "t", "author": "urn:li:person:abc", "expires_at": "2026-03-01T00:00:00Z"
/// })).unwrap();
/// assert!(!c.is_organization());
/// assert_eq!(c.base_url.as_str(), "https://api.linkedin.com/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedInConfig {
    /// The access token.
    pub token: Secret,
    /// When the token expires (60 days after issue), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Refresh setup (only approved Marketing partners get refresh tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<OAuth2Refresh>,
    /// The author URN; `None`: the member behind the token.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de_author"
    )]
    pub author: Option<String>,
    /// `LinkedIn-Version` (`YYYYMM`).
    #[serde(default = "default_version", deserialize_with = "de_version")]
    pub version: String,
    /// The API base URL (tests point it at a twin).
    #[serde(default = "default_base", deserialize_with = "de_base")]
    pub base_url: Url,
    /// The longest wait for media processing.
    #[serde(
        rename = "media_timeout_secs",
        default = "default_media_timeout",
        with = "crate::http::serde_secs::required"
    )]
    pub media_timeout: Duration,
    /// Recent posts whose comments are read as interactions.
    #[serde(default = "default_scan")]
    pub scan_posts: usize,
    /// The scopes the token was granted (`None`: not known; see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

fn default_version() -> String {
    DEFAULT_VERSION.to_string()
}
fn default_base() -> Url {
    Url::parse(API_BASE).unwrap_or_else(|_| unreachable!("the LinkedIn API base is valid"))
}
fn default_media_timeout() -> Duration {
    DEFAULT_MEDIA_TIMEOUT
}
fn default_scan() -> usize {
    DEFAULT_SCAN_POSTS
}

fn de_base<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    parse_base_url(PLATFORM, &s).map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

fn de_version<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    let s = String::deserialize(d)?;
    check_version(&s).map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

fn de_author<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    s.map(|a| check_author(&a))
        .transpose()
        .map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

fn check_version(v: &str) -> Result<String> {
    let ok = v.len() == 6
        && v.bytes().all(|b| b.is_ascii_digit())
        && matches!(v[4..].parse::<u32>(), Ok(1..=12));
    if ok {
        Ok(v.to_string())
    } else {
        Err(
            Error::config("the LinkedIn-Version must look like YYYYMM (202607)")
                .with_platform(PLATFORM),
        )
    }
}

fn check_author(a: &str) -> Result<String> {
    let id = a
        .strip_prefix("urn:li:person:")
        .or_else(|| a.strip_prefix("urn:li:organization:"));
    match id {
        Some(id)
            if !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Ok(a.to_string())
        }
        _ => Err(Error::config(
            "the linkedin author must be urn:li:person:{id} or urn:li:organization:{id}",
        )
        .with_platform(PLATFORM)),
    }
}

impl LinkedInConfig {
    /// A config for the production API.
    ///
    /// ```
    /// use socialkit::adapters::linkedin::LinkedInConfig;
    /// let c = LinkedInConfig::new("tok").unwrap().with_author("urn:li:organization:9").unwrap();
    /// assert!(c.is_organization());
    /// assert!(LinkedInConfig::new("tok").unwrap().with_author("acme").is_err());
    /// ```
    pub fn new(token: impl Into<Secret>) -> Result<Self> {
        let token = token.into();
        if token.expose().trim().is_empty() {
            return Err(Error::config("the linkedin access token is empty").with_platform(PLATFORM));
        }
        Ok(LinkedInConfig {
            token,
            expires_at: None,
            refresh: None,
            author: None,
            version: default_version(),
            base_url: default_base(),
            media_timeout: DEFAULT_MEDIA_TIMEOUT,
            scan_posts: DEFAULT_SCAN_POSTS,
            scopes: None,
        })
    }

    /// Sets the granted scopes from a scope string as LinkedIn writes it (the `scope` of the
    /// token answer, [`Token::scope`](crate::auth::Token::scope)).
    ///
    /// ```
    /// use socialkit::adapters::linkedin::LinkedInConfig;
    /// let c = LinkedInConfig::new("t").unwrap().with_scopes("openid,profile,w_member_social");
    /// assert_eq!(c.scopes.unwrap().len(), 3);
    /// ```
    pub fn with_scopes(mut self, scopes: &str) -> Self {
        self.scopes = Some(super::grant::parse_scopes(scopes));
        self
    }

    /// What the token may do ([`Grant`](super::grant::Grant)), from the author and the scopes.
    pub fn grant(&self) -> super::grant::Grant {
        super::grant::Grant::of(self.is_organization(), self.scopes.as_deref())
    }

    /// Sets the author URN.
    pub fn with_author(mut self, author: &str) -> Result<Self> {
        self.author = Some(check_author(author)?);
        Ok(self)
    }

    /// Points the config at another API base (a twin).
    pub fn with_base_url(mut self, base: &str) -> Result<Self> {
        self.base_url = parse_base_url(PLATFORM, base)?;
        Ok(self)
    }

    /// Whether the author is an organization page.
    pub fn is_organization(&self) -> bool {
        self.author
            .as_deref()
            .is_some_and(|a| a.starts_with("urn:li:organization:"))
    }

    /// Parses a `linkedin://…` channel URL (see the module docs).
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| {
            Error::config(format!("the linkedin channel URL is invalid: {e}"))
                .with_platform(PLATFORM)
        })?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL.
    ///
    /// ```
    /// let u = url::Url::parse("linkedin://t@127.0.0.1:9?scheme=http&scan_posts=5").unwrap();
    /// let c = socialkit::adapters::linkedin::LinkedInConfig::from_url(&u).unwrap();
    /// assert_eq!(c.scan_posts, 5);
    /// assert_eq!(c.base_url.as_str(), "http://127.0.0.1:9/");
    /// ```
    pub fn from_url(url: &Url) -> Result<Self> {
        let c = ChannelUrl::parse(
            url,
            PLATFORM,
            &[
                "author",
                "version",
                "expires_at",
                "media_timeout",
                "scan_posts",
                "scopes",
            ],
        )?;
        let fail = |m: &str| Error::config(m.to_string()).with_platform(PLATFORM);
        let mut config = LinkedInConfig::new(c.token.clone())?;
        config.base_url = c.base.clone();
        if let Some(a) = c.param("author") {
            config.author = Some(check_author(a)?);
        }
        if let Some(v) = c.param("version") {
            config.version = check_version(v)?;
        }
        if let Some(v) = c.param("expires_at") {
            config.expires_at = Some(
                DateTime::parse_from_rfc3339(v)
                    .map_err(|_| fail("expires_at must be an RFC 3339 time"))?
                    .with_timezone(&Utc),
            );
        }
        if let Some(v) = c.param("media_timeout") {
            config.media_timeout = v
                .parse::<u64>()
                .ok()
                .filter(|s| *s <= 86_400)
                .map(Duration::from_secs)
                .ok_or_else(|| fail("media_timeout must be a number of seconds"))?;
        }
        if let Some(v) = c.param("scopes") {
            config = config.with_scopes(v);
        }
        if let Some(v) = c.param("scan_posts") {
            config.scan_posts = v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| fail("scan_posts must be between 1 and 100"))?;
        }
        Ok(config)
    }

    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.base_url
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::config(format!("cannot build the linkedin URL: {e}")))
    }
}
