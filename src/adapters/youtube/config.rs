//! The configuration of a YouTube channel: from a channel URL or from serde.
//!
//! URL form: `youtube://ACCESS_TOKEN@www.googleapis.com?channel_id=UC…&chunk_size=8388608&category_id=22&made_for_kids=false&daily_units=10000&daily_uploads=100`
//!
//! - `ACCESS_TOKEN` is a Google OAuth 2.0 access token with the `youtube.upload` and
//!   `youtube.force-ssl` scopes (percent-encode reserved characters); it lives an hour, so
//!   long-running channels use the serde form with `refresh` (see [`YoutubeConfig`] and
//!   [`crate::auth::google`]);
//! - the host is the API host (`www.googleapis.com`; a twin: `127.0.0.1:PORT?scheme=http`);
//!   the API is below `youtube/v3/`, uploads below `upload/youtube/v3/`;
//! - `channel_id` saves the `channels.list?mine=true` look-up;
//! - `chunk_size` is the bytes per upload request, a multiple of 256 KiB (the resumable
//!   protocol's rule; default 8 MiB);
//! - `category_id` (default `22`, People & Blogs) and `made_for_kids` (the COPPA
//!   declaration every upload makes, default `false`) go into every upload;
//! - `daily_units`, `daily_uploads` and `upload_units` are the project's quota (see
//!   [`quota`](super::quota)).
//!
//! ```
//! use socialkit::adapters::youtube::YoutubeConfig;
//! let c = YoutubeConfig::from_url_str("youtube://ya29.s3cr3t@www.googleapis.com?channel_id=UC1").unwrap();
//! assert_eq!(c.base_url.as_str(), "https://www.googleapis.com/");
//! assert_eq!(c.channel_id.as_deref(), Some("UC1"));
//! assert!(!format!("{c:?}").contains("s3cr3t"));
//! let e = YoutubeConfig::from_url_str("youtube://ya29.s3cr3t@www.googleapis.com?chunk_size=1000").unwrap_err();
//! assert_eq!(e.kind(), socialkit::ErrorKind::ConfigInvalid);
//! assert!(!e.to_string().contains("s3cr3t"));
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::PLATFORM;
use super::quota::QuotaConfig;
use crate::auth::{ChannelUrl, OAuth2Refresh, Secret, parse_base_url};
use crate::{Error, Result};

/// The production API host.
pub const API_BASE: &str = "https://www.googleapis.com/";
/// The resumable protocol's unit: every chunk but the last is a multiple of it.
pub const CHUNK_UNIT: usize = 256 * 1024;
/// The default chunk: 8 MiB.
pub const DEFAULT_CHUNK: usize = 32 * CHUNK_UNIT;

/// A YouTube channel's settings. Serde form:
///
/// ```
/// let c: socialkit::adapters::youtube::YoutubeConfig = serde_json::from_value(serde_json::json!({
///     "token": "ya29.a",
///     "refresh": {"client_id": "app.apps.googleusercontent.com", "client_secret": "cs", "refresh_token": "1//r"},
///     "channel_id": "UC1",
///     "quota": {"daily_units": 20000}
/// })).unwrap();
/// assert_eq!(c.quota.daily_units, 20_000);
/// assert_eq!(c.quota.daily_uploads, 100);
/// assert_eq!(c.chunk_size, 8 * 1024 * 1024);
/// assert!(c.validate().is_ok());
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct YoutubeConfig {
    /// The OAuth access token.
    #[serde(default)]
    pub token: Secret,
    /// When it expires, when known (an hour after issue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// How to refresh it (from a consent with `access_type=offline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<OAuth2Refresh>,
    /// Google's token endpoint (tests point it at a twin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<Url>,
    /// The channel (`UC…`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// The API host.
    #[serde(default = "default_base", deserialize_with = "de_base")]
    pub base_url: Url,
    /// Bytes per upload request (a multiple of 256 KiB).
    #[serde(default = "default_chunk")]
    pub chunk_size: usize,
    /// The video category of uploads.
    #[serde(default = "default_category")]
    pub category_id: String,
    /// The COPPA declaration of uploads (`status.selfDeclaredMadeForKids`).
    #[serde(default)]
    pub made_for_kids: bool,
    /// The project's daily quota.
    #[serde(default)]
    pub quota: QuotaConfig,
}

impl std::fmt::Debug for YoutubeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YoutubeConfig")
            .field("token", &"***")
            .field("refresh", &self.refresh.as_ref().map(|_| "***"))
            .field("channel_id", &self.channel_id)
            .field("base_url", &self.base_url.as_str())
            .field("chunk_size", &self.chunk_size)
            .field("quota", &self.quota)
            .finish()
    }
}

fn default_base() -> Url {
    Url::parse(API_BASE).unwrap_or_else(|_| unreachable!("the API base is a valid URL"))
}

fn default_chunk() -> usize {
    DEFAULT_CHUNK
}

fn default_category() -> String {
    "22".into()
}

fn de_base<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    parse_base_url(PLATFORM, &s).map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

impl YoutubeConfig {
    /// A config for the production API with an access token.
    ///
    /// ```
    /// let c = socialkit::adapters::youtube::YoutubeConfig::new("ya29.a").unwrap();
    /// assert_eq!(c.category_id, "22");
    /// assert!(socialkit::adapters::youtube::YoutubeConfig::new(" ").is_err());
    /// ```
    pub fn new(token: impl Into<Secret>) -> Result<Self> {
        let c = YoutubeConfig {
            token: token.into(),
            expires_at: None,
            refresh: None,
            token_url: None,
            channel_id: None,
            base_url: default_base(),
            chunk_size: DEFAULT_CHUNK,
            category_id: default_category(),
            made_for_kids: false,
            quota: QuotaConfig::default(),
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks the token and the chunk size. The registry checks this before building.
    pub fn validate(&self) -> Result<()> {
        let fail = |m: &str| Err(Error::config(m.to_string()).with_platform(PLATFORM));
        if self.token.expose().trim().is_empty() && self.refresh.is_none() {
            return fail(
                "the youtube config needs an access token (token) or a refresh setup (refresh)",
            );
        }
        if self.chunk_size == 0 || !self.chunk_size.is_multiple_of(CHUNK_UNIT) {
            return fail("chunk_size must be a positive multiple of 262144 (256 KiB)");
        }
        if self.category_id.trim().is_empty()
            || !self.category_id.chars().all(|c| c.is_ascii_digit())
        {
            return fail("category_id must be a YouTube video category number");
        }
        Ok(())
    }

    /// Points the config at another API host (a twin).
    pub fn with_base_url(mut self, base: &str) -> Result<Self> {
        self.base_url = parse_base_url(PLATFORM, base)?;
        Ok(self)
    }

    /// Sets the refresh setup.
    pub fn with_refresh(mut self, refresh: OAuth2Refresh) -> Self {
        self.refresh = Some(refresh);
        self
    }

    /// Parses a `youtube://…` channel URL (see the module docs).
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| {
            Error::config(format!("the youtube channel URL is invalid: {e}"))
                .with_platform(PLATFORM)
        })?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL (see the module docs).
    pub fn from_url(url: &Url) -> Result<Self> {
        let fail = |m: &str| Error::config(m.to_string()).with_platform(PLATFORM);
        let c = ChannelUrl::parse(
            url,
            PLATFORM,
            &[
                "channel_id",
                "chunk_size",
                "category_id",
                "made_for_kids",
                "daily_units",
                "daily_uploads",
                "upload_units",
            ],
        )?;
        let mut config = YoutubeConfig::new(c.token.clone())?;
        config.base_url = c.base.clone();
        config.channel_id = c.param("channel_id").map(str::to_string);
        let number = |name: &str| -> Result<Option<u64>> {
            c.param(name)
                .map(|v| {
                    v.parse::<u64>()
                        .map_err(|_| fail(&format!("{name} must be a whole number")))
                })
                .transpose()
        };
        if let Some(n) = number("chunk_size")? {
            config.chunk_size = usize::try_from(n).map_err(|_| fail("chunk_size is too large"))?;
        }
        let small = |n: u64, name: &str| {
            u32::try_from(n).map_err(|_| fail(&format!("{name} is too large")))
        };
        if let Some(n) = number("daily_units")? {
            config.quota.daily_units = small(n, "daily_units")?;
        }
        if let Some(n) = number("daily_uploads")? {
            config.quota.daily_uploads = small(n, "daily_uploads")?;
        }
        if let Some(n) = number("upload_units")? {
            config.quota.upload_units = small(n, "upload_units")?;
        }
        if let Some(v) = c.param("category_id") {
            config.category_id = v.to_string();
        }
        if let Some(v) = c.param("made_for_kids") {
            config.made_for_kids = match v {
                "true" => true,
                "false" => false,
                _ => return Err(fail("made_for_kids must be true or false")),
            };
        }
        config.validate()?;
        Ok(config)
    }

    /// The URL of an API path (`youtube/v3/videos`).
    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.base_url
            .join(path.trim_start_matches('/'))
            .map_err(|e| {
                Error::config(format!("cannot build the youtube URL: {e}")).with_platform(PLATFORM)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_form_and_its_failures() {
        let c = YoutubeConfig::from_url_str(
            "youtube://a%2Bb@127.0.0.1:9?scheme=http&chunk_size=524288&daily_units=50&made_for_kids=true&category_id=10",
        )
        .unwrap();
        assert_eq!(c.token.expose(), "a+b");
        assert_eq!(c.chunk_size, 2 * CHUNK_UNIT);
        assert_eq!(c.quota.daily_units, 50);
        assert!(c.made_for_kids);
        assert_eq!(c.category_id, "10");
        assert_eq!(
            c.endpoint("youtube/v3/videos").unwrap().as_str(),
            "http://127.0.0.1:9/youtube/v3/videos"
        );
        for bad in [
            "youtube://www.googleapis.com",
            "youtube://t@www.googleapis.com?chunk_size=0",
            "youtube://t@www.googleapis.com?chunk_size=lots",
            "youtube://t@www.googleapis.com?made_for_kids=maybe",
            "youtube://t@www.googleapis.com?category_id=music",
            "youtube://t@www.googleapis.com?daily_units=99999999999",
            "youtube://t@www.googleapis.com?token=abc",
        ] {
            let e = YoutubeConfig::from_url_str(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::ConfigInvalid, "{bad}");
        }
        let json = serde_json::to_value(&c).unwrap();
        let back: YoutubeConfig = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
    }
}
