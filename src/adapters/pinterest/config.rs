//! The Pinterest channel URL and config.
//!
//! `pinterest://ACCESS_TOKEN@api.pinterest.com?board_id=…[&board_section_id=…][&refresh_token=…&client_id=…&client_secret=…]`
//!
//! `board_id` (digits) is the board pins go to unless a publish names another
//! ([`Pinterest::publish_to`](super::Pinterest::publish_to));
//! [`Pinterest::boards`](super::Pinterest::boards) and
//! [`Pinterest::board_sections`](super::Pinterest::board_sections) list the choices.
//! `scheme=http` talks plain HTTP to a twin on loopback; the token endpoint is then
//! `/v5/oauth/token` on the same host. No error repeats the URL or a token.
//!
//! ```
//! use socialkit::adapters::pinterest::PinterestConfig;
//! let c = PinterestConfig::from_url_str(
//!     "pinterest://pina_s3cret@api.pinterest.com?board_id=549755885175&refresh_token=pinr.x&client_id=1484&client_secret=cs",
//! ).unwrap();
//! assert_eq!(c.board_id, "549755885175");
//! assert_eq!(c.base_url.as_str(), "https://api.pinterest.com/v5/");
//! assert!(!format!("{c:?}").contains("s3cret"));
//! let e = PinterestConfig::from_url_str("pinterest://t@api.pinterest.com?board_id=abc").unwrap_err();
//! assert_eq!(e.kind(), socialkit::ErrorKind::ConfigInvalid);
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::PLATFORM;
use crate::auth::{ChannelUrl, Secret};
use crate::{Error, Result};

/// The API base.
pub const API_BASE: &str = "https://api.pinterest.com/v5/";
/// Where tokens are issued and refreshed (`securitySchemes.pinterest_oauth2`).
pub const TOKEN_URL: &str = "https://api.pinterest.com/v5/oauth/token";

/// How to reach one Pinterest account and where its pins go. Serde form:
///
/// ```
/// use socialkit::adapters::pinterest::PinterestConfig;
/// let c: PinterestConfig = serde_json::from_value(serde_json::json!({
///     "access_token": "pina_x", "board_id": "1234"
/// })).unwrap();
/// assert!(c.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinterestConfig {
    /// The access token (lives 30 days).
    pub access_token: Secret,
    /// When it expires, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// The app id (needed to refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The app secret (needed to refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The default board.
    pub board_id: String,
    /// The default board section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board_section_id: Option<String>,
    /// The API base (tests point it at a twin).
    #[serde(default = "default_base")]
    pub base_url: Url,
    /// The token endpoint.
    #[serde(default = "default_token_url")]
    pub token_url: Url,
}

fn fixed(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|_| unreachable!("the Pinterest URLs are valid"))
}

fn default_base() -> Url {
    fixed(API_BASE)
}

fn default_token_url() -> Url {
    fixed(TOKEN_URL)
}

fn fail(m: &str) -> Error {
    Error::config(format!("pinterest: {m}")).with_platform(PLATFORM)
}

/// Pinterest ids are digits (`pattern: ^\d+$` in the OpenAPI description).
pub(crate) fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit())
}

impl PinterestConfig {
    /// A config with a token and a board.
    pub fn new(access_token: impl Into<Secret>, board_id: impl Into<String>) -> Self {
        PinterestConfig {
            access_token: access_token.into(),
            expires_at: None,
            refresh_token: None,
            client_id: None,
            client_secret: None,
            board_id: board_id.into(),
            board_section_id: None,
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
                "board_id",
                "board_section_id",
                "refresh_token",
                "client_id",
                "client_secret",
            ],
        )?;
        let board = c
            .param("board_id")
            .ok_or_else(|| fail("the channel URL needs board_id"))?;
        let mut config = PinterestConfig::new(c.token.clone(), board);
        config.board_section_id = c.param("board_section_id").map(str::to_string);
        config.refresh_token = c.param("refresh_token").map(Secret::new);
        config.client_id = c.param("client_id").map(str::to_string);
        config.client_secret = c.param("client_secret").map(Secret::new);
        let mut base = c.base.clone();
        if !base.path().ends_with("v5/") {
            base = base
                .join("v5/")
                .map_err(|_| fail("the base URL cannot take /v5/"))?;
        }
        if base.scheme() == "http" {
            config.token_url = base
                .join("oauth/token")
                .map_err(|_| fail("the base URL cannot take the token path"))?;
        }
        config.base_url = base;
        config.validate()?;
        Ok(config)
    }

    /// Checks ids and the refresh settings.
    pub fn validate(&self) -> Result<()> {
        if self.access_token.expose().is_empty() {
            return Err(fail("the access token is empty"));
        }
        if !is_id(&self.board_id) {
            return Err(fail("board_id must be a Pinterest id (digits)"));
        }
        if self.board_section_id.as_deref().is_some_and(|s| !is_id(s)) {
            return Err(fail("board_section_id must be a Pinterest id (digits)"));
        }
        if self.refresh_token.is_some()
            && (self.client_id.is_none() || self.client_secret.is_none())
        {
            return Err(fail("refresh_token needs client_id and client_secret"));
        }
        Ok(())
    }

    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.base_url
            .join(path)
            .map_err(|_| fail("the API path is not valid"))
    }
}
