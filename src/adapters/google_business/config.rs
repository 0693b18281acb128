//! The configuration of a Google Business Profile location: from a channel URL or serde.
//!
//! URL form: `google-business://ACCESS_TOKEN@mybusiness.googleapis.com?account=123&location=456&language=en-US&time_zone=Europe/Berlin`
//!
//! - `ACCESS_TOKEN`: a Google OAuth access token with the `business.manage` scope (an hour;
//!   the serde form takes `refresh` for longer, see [`crate::auth::google`]);
//! - `account`, `location`: the numeric ids of `accounts/{account}/locations/{location}`
//!   (required);
//! - `language`: the `languageCode` of local posts (default `en`);
//! - `time_zone`: the location's IANA zone: event and offer times are sent in it as Google's
//!   `Date` and `TimeOfDay` (default `UTC`).
//!
//! ```
//! use socialkit::adapters::google_business::GoogleBusinessConfig;
//! let c = GoogleBusinessConfig::from_url_str(
//!     "google-business://ya29.s3cret@mybusiness.googleapis.com?account=1&location=2&time_zone=Europe/Berlin").unwrap();
//! assert_eq!(c.location_name(), "accounts/1/locations/2");
//! assert_eq!(c.time_zone, chrono_tz::Europe::Berlin);
//! assert!(!format!("{c:?}").contains("s3cret"));
//! assert!(GoogleBusinessConfig::from_url_str("google-business://t@mybusiness.googleapis.com?account=1").is_err());
//! ```

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::PLATFORM;

/// The scheme of the channel URL: `google-business` (a URL scheme cannot hold the `_` of the
/// platform's name `google_business`).
///
/// ```
/// assert_eq!(socialkit::adapters::google_business::config::URL_SCHEME, "google-business");
/// ```
pub const URL_SCHEME: &str = "google-business";
use crate::auth::{ChannelUrl, OAuth2Refresh, Secret, parse_base_url};
use crate::{Error, Result};

/// The production API host.
pub const API_BASE: &str = "https://mybusiness.googleapis.com/";

/// A location's settings. Serde form:
///
/// ```
/// let c: socialkit::adapters::google_business::GoogleBusinessConfig = serde_json::from_value(serde_json::json!({
///     "token": "ya29.a", "account_id": "1", "location_id": "2",
///     "refresh": {"client_id": "app.apps.googleusercontent.com", "refresh_token": "1//r"}
/// })).unwrap();
/// assert_eq!(c.language_code, "en");
/// assert!(c.validate().is_ok());
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct GoogleBusinessConfig {
    /// The OAuth access token.
    #[serde(default)]
    pub token: Secret,
    /// When it expires, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// How to refresh it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<OAuth2Refresh>,
    /// Google's token endpoint (tests point it at a twin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<Url>,
    /// The account id.
    pub account_id: String,
    /// The location id.
    pub location_id: String,
    /// The API host.
    #[serde(default = "default_base", deserialize_with = "de_base")]
    pub base_url: Url,
    /// The language of local posts.
    #[serde(default = "default_language")]
    pub language_code: String,
    /// The location's time zone (event and offer schedules).
    #[serde(default = "default_zone")]
    pub time_zone: Tz,
}

impl std::fmt::Debug for GoogleBusinessConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleBusinessConfig")
            .field("token", &"***")
            .field("refresh", &self.refresh.as_ref().map(|_| "***"))
            .field("location", &self.location_name())
            .field("base_url", &self.base_url.as_str())
            .field("time_zone", &self.time_zone)
            .finish()
    }
}

fn default_base() -> Url {
    Url::parse(API_BASE).unwrap_or_else(|_| unreachable!("the API base is a valid URL"))
}

fn default_language() -> String {
    "en".into()
}

fn default_zone() -> Tz {
    chrono_tz::UTC
}

fn de_base<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    parse_base_url(PLATFORM, &s).map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric())
}

impl GoogleBusinessConfig {
    /// A config for the production API.
    pub fn new(token: impl Into<Secret>, account_id: &str, location_id: &str) -> Result<Self> {
        let c = GoogleBusinessConfig {
            token: token.into(),
            expires_at: None,
            refresh: None,
            token_url: None,
            account_id: account_id.to_string(),
            location_id: location_id.to_string(),
            base_url: default_base(),
            language_code: default_language(),
            time_zone: default_zone(),
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks the credentials and the ids.
    pub fn validate(&self) -> Result<()> {
        let fail = |m: &str| Err(Error::config(m.to_string()).with_platform(PLATFORM));
        if self.token.expose().trim().is_empty() && self.refresh.is_none() {
            return fail(
                "the google_business config needs an access token (token) or a refresh setup (refresh)",
            );
        }
        if !is_id(&self.account_id) || !is_id(&self.location_id) {
            return fail(
                "account and location must be the ids of accounts/{account}/locations/{location}",
            );
        }
        if self.language_code.trim().is_empty() {
            return fail("language must be a language code such as en-US");
        }
        Ok(())
    }

    /// `accounts/{account}/locations/{location}`.
    pub fn location_name(&self) -> String {
        format!(
            "accounts/{}/locations/{}",
            self.account_id, self.location_id
        )
    }

    /// Points the config at another API host (a twin).
    pub fn with_base_url(mut self, base: &str) -> Result<Self> {
        self.base_url = parse_base_url(PLATFORM, base)?;
        Ok(self)
    }

    /// Parses a channel URL (see the module docs).
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| {
            Error::config(format!("the google_business channel URL is invalid: {e}"))
                .with_platform(PLATFORM)
        })?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL.
    pub fn from_url(url: &Url) -> Result<Self> {
        let fail = |m: &str| Error::config(m.to_string()).with_platform(PLATFORM);
        let c = ChannelUrl::parse(
            url,
            URL_SCHEME,
            &["account", "location", "language", "time_zone"],
        )?;
        let (Some(account), Some(location)) = (c.param("account"), c.param("location")) else {
            return Err(fail(
                "a google_business channel URL needs account and location",
            ));
        };
        let mut config = GoogleBusinessConfig::new(c.token.clone(), account, location)?;
        config.base_url = c.base.clone();
        if let Some(l) = c.param("language") {
            config.language_code = l.to_string();
        }
        if let Some(z) = c.param("time_zone") {
            config.time_zone = z
                .parse()
                .map_err(|_| fail("time_zone must be an IANA zone such as Europe/Berlin"))?;
        }
        config.validate()?;
        Ok(config)
    }

    /// The URL of `v4/{path}`.
    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.base_url
            .join(&format!("v4/{}", path.trim_start_matches('/')))
            .map_err(|e| {
                Error::config(format!("cannot build the google_business URL: {e}"))
                    .with_platform(PLATFORM)
            })
    }
}
