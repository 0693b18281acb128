//! The configuration of an X channel: from a channel URL or from serde.
//!
//! URL form: `x://ACCESS_TOKEN@api.x.com?user_id=…&username=…&max_chars=280&media_timeout=300`
//!
//! - `ACCESS_TOKEN` is an OAuth 2.0 user-context access token (percent-encode reserved
//!   characters). App-only bearer tokens cannot post.
//! - OAuth 1.0a user context instead:
//!   `x://CONSUMER_KEY:CONSUMER_SECRET@api.x.com?oauth_token=…&oauth_token_secret=…` (the
//!   app's API key and secret before the `@`, the user's access token and secret as
//!   parameters; every request is then signed with HMAC-SHA1, see
//!   [`crate::auth::oauth1`]).
//! - the host is the API host (`api.x.com`; a twin: `127.0.0.1:PORT?scheme=http`);
//! - `user_id` saves the `GET /2/users/me` lookup that mentions and recent posts need;
//! - `username` makes post URLs `https://x.com/{username}/status/{id}` (otherwise
//!   `https://x.com/i/web/status/{id}` until [`channel`](crate::Platform::channel) was read);
//! - `max_chars` raises the weighted limit for Premium accounts (default 280);
//! - `media_timeout` bounds, in seconds, the wait for video processing (default 300).
//!
//! The URL form carries no refresh setup: access tokens live 2 hours, so long-running
//! channels use the serde form with `refresh` (see [`XConfig`]). No error repeats the URL or
//! a token.
//!
//! ```
//! use socialkit::adapters::x::XConfig;
//! let c = XConfig::from_url_str("x://s3cr3t@api.x.com?user_id=42").unwrap();
//! assert_eq!(c.base_url.as_str(), "https://api.x.com/");
//! assert_eq!(c.user_id.as_deref(), Some("42"));
//! assert!(!format!("{c:?}").contains("s3cr3t"));
//! let err = XConfig::from_url_str("x://s3cr3t@api.x.com?max_chars=lots").unwrap_err();
//! assert_eq!(err.kind(), socialkit::ErrorKind::ConfigInvalid);
//! assert!(!err.to_string().contains("s3cr3t"));
//! let c = XConfig::from_url_str("x://ck:cs3cr3t@api.x.com?oauth_token=t&oauth_token_secret=ts3cr3t").unwrap();
//! assert_eq!(c.oauth1.as_ref().unwrap().token.expose(), "t");
//! assert!(!format!("{c:?}").contains("s3cr3t"));
//! ```

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::PLATFORM;
use crate::auth::oauth1::{OAuth1Credentials, percent_decode};
use crate::auth::{ChannelUrl, OAuth2Refresh, Secret, parse_base_url};
use crate::{Error, Result};

/// The production API base.
///
/// ```
/// assert_eq!(socialkit::adapters::x::config::API_BASE, "https://api.x.com/");
/// ```
pub const API_BASE: &str = "https://api.x.com/";
/// The weighted limit of a normal account.
///
/// ```
/// assert_eq!(socialkit::adapters::x::config::DEFAULT_MAX_CHARS, 280);
/// ```
pub const DEFAULT_MAX_CHARS: usize = 280;
/// The default bound on waiting for media processing.
///
/// ```
/// assert_eq!(socialkit::adapters::x::config::DEFAULT_MEDIA_TIMEOUT.as_secs(), 300);
/// ```
pub const DEFAULT_MEDIA_TIMEOUT: Duration = Duration::from_secs(300);

/// How to reach one X account.
///
/// Serde form (the `settings` of a [`ChannelConfig`](crate::ChannelConfig)); either `token`
/// (OAuth 2.0) or `oauth1` (OAuth 1.0a user context) is required:
///
/// ```
/// use socialkit::adapters::x::XConfig;
/// let c: XConfig = serde_json::from_value(serde_json::json!({
///     "token": "access-token",
///     "expires_at": "2026-03-01T12:00:00Z",
///     "refresh": {"client_id": "my-app", "refresh_token": "refresh-token"},
///     "user_id": "2244994945",
///     "base_url": "http://127.0.0.1:9000"
/// })).unwrap();
/// assert_eq!(c.base_url.as_str(), "http://127.0.0.1:9000/");
/// assert!(c.refresh.is_some());
/// assert!(!format!("{c:?}").contains("refresh-token"));
///
/// let c: XConfig = serde_json::from_value(serde_json::json!({
///     "oauth1": {"consumer_key": "ck", "consumer_secret": "cs", "token": "t", "token_secret": "ts"}
/// })).unwrap();
/// assert!(c.oauth1.is_some() && c.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XConfig {
    /// The OAuth 2.0 user-context access token (empty when `oauth1` is used).
    #[serde(default, skip_serializing_if = "Secret::is_empty")]
    pub token: Secret,
    /// OAuth 1.0a user-context credentials: when set, every request is signed with them and
    /// `token`, `expires_at` and `refresh` are not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth1: Option<OAuth1Credentials>,
    /// When the access token expires (X: 2 hours after issue), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// How to refresh the token (needs the `offline.access` scope at authorization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<OAuth2Refresh>,
    /// The account's numeric id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The account's username, when known (for post URLs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The API base URL (tests point it at a twin).
    #[serde(default = "default_base", deserialize_with = "de_base")]
    pub base_url: Url,
    /// The weighted text limit (280; more for Premium accounts).
    #[serde(default = "default_max_chars")]
    pub max_chars: usize,
    /// The longest wait for media processing.
    #[serde(
        rename = "media_timeout_secs",
        default = "default_media_timeout",
        with = "crate::http::serde_secs::required"
    )]
    pub media_timeout: Duration,
}

fn default_base() -> Url {
    Url::parse(API_BASE).unwrap_or_else(|_| unreachable!("the X API base is a valid URL"))
}

fn default_max_chars() -> usize {
    DEFAULT_MAX_CHARS
}

fn default_media_timeout() -> Duration {
    DEFAULT_MEDIA_TIMEOUT
}

fn de_base<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    parse_base_url(PLATFORM, &s).map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

impl XConfig {
    /// A config for the production API with an access token.
    ///
    /// ```
    /// let c = socialkit::adapters::x::XConfig::new("tok").unwrap();
    /// assert_eq!(c.max_chars, 280);
    /// assert!(socialkit::adapters::x::XConfig::new("").is_err());
    /// ```
    pub fn new(token: impl Into<Secret>) -> Result<Self> {
        let token = token.into();
        if token.expose().trim().is_empty() {
            return Err(Error::config("the x access token is empty").with_platform(PLATFORM));
        }
        Ok(XConfig {
            token,
            oauth1: None,
            expires_at: None,
            refresh: None,
            user_id: None,
            username: None,
            base_url: default_base(),
            max_chars: DEFAULT_MAX_CHARS,
            media_timeout: DEFAULT_MEDIA_TIMEOUT,
        })
    }

    /// A config for the production API with OAuth 1.0a user-context credentials (the app's
    /// consumer key and secret, the user's access token and secret).
    ///
    /// ```
    /// use socialkit::adapters::x::XConfig;
    /// use socialkit::auth::oauth1::OAuth1Credentials;
    /// let c = XConfig::oauth1(OAuth1Credentials::new("ck", "cs", "t", "ts")).unwrap();
    /// assert!(c.token.is_empty());
    /// assert!(XConfig::oauth1(OAuth1Credentials::new("ck", "cs", "t", "")).is_err());
    /// ```
    pub fn oauth1(credentials: OAuth1Credentials) -> Result<Self> {
        credentials.validate(PLATFORM)?;
        let mut c = XConfig::new("unused")?;
        c.token = Secret::default();
        c.oauth1 = Some(credentials);
        Ok(c)
    }

    /// Checks that the config carries usable credentials: a non-empty access token, or
    /// complete OAuth 1.0a credentials. The registry checks this before building an adapter.
    ///
    /// ```
    /// use socialkit::adapters::x::XConfig;
    /// let c: XConfig = serde_json::from_value(serde_json::json!({})).unwrap();
    /// assert_eq!(c.validate().unwrap_err().kind(), socialkit::ErrorKind::ConfigInvalid);
    /// ```
    pub fn validate(&self) -> Result<()> {
        match &self.oauth1 {
            Some(creds) => creds.validate(PLATFORM),
            None if self.token.expose().trim().is_empty() => Err(Error::config(
                "the x config needs an access token (token) or OAuth 1.0a credentials (oauth1)",
            )
            .with_platform(PLATFORM)),
            None => Ok(()),
        }
    }

    /// Points the config at another API base (a twin).
    ///
    /// ```
    /// let c = socialkit::adapters::x::XConfig::new("t").unwrap()
    ///     .with_base_url("http://127.0.0.1:1234").unwrap();
    /// assert_eq!(c.base_url.as_str(), "http://127.0.0.1:1234/");
    /// ```
    pub fn with_base_url(mut self, base: &str) -> Result<Self> {
        self.base_url = parse_base_url(PLATFORM, base)?;
        Ok(self)
    }

    /// Sets the refresh setup.
    ///
    /// ```
    /// use socialkit::auth::OAuth2Refresh;
    /// let c = socialkit::adapters::x::XConfig::new("t").unwrap()
    ///     .with_refresh(OAuth2Refresh::new("app", "rt"));
    /// assert!(c.refresh.is_some());
    /// ```
    pub fn with_refresh(mut self, refresh: OAuth2Refresh) -> Self {
        self.refresh = Some(refresh);
        self
    }

    /// Parses an `x://…` channel URL (see the module docs).
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| {
            Error::config(format!("the x channel URL is invalid: {e}")).with_platform(PLATFORM)
        })?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL (see the module docs).
    ///
    /// ```
    /// let u = url::Url::parse("x://t@127.0.0.1:9?scheme=http&username=acme&max_chars=4000").unwrap();
    /// let c = socialkit::adapters::x::XConfig::from_url(&u).unwrap();
    /// assert_eq!(c.username.as_deref(), Some("acme"));
    /// assert_eq!(c.max_chars, 4000);
    /// ```
    pub fn from_url(url: &Url) -> Result<Self> {
        let fail = |m: &str| Error::config(m.to_string()).with_platform(PLATFORM);
        // OAuth 1.0a: CONSUMER_KEY:CONSUMER_SECRET before the @ (the shared parser takes a
        // token only, so the secret is read here and the rest parsed without it).
        let mut without_secret = url.clone();
        let consumer_secret = match url.password() {
            Some(p) => {
                let _ = without_secret.set_password(None);
                Some(percent_decode(p).ok_or_else(|| {
                    fail("the consumer secret in the x channel URL is not valid UTF-8")
                })?)
            }
            None => None,
        };
        let known: &[&str] = if consumer_secret.is_some() {
            &[
                "user_id",
                "username",
                "max_chars",
                "media_timeout",
                "oauth_token",
                "oauth_token_secret",
            ]
        } else {
            &["user_id", "username", "max_chars", "media_timeout"]
        };
        let c = ChannelUrl::parse(&without_secret, PLATFORM, known)?;
        let mut config = match consumer_secret {
            Some(secret) => {
                let (Some(token), Some(token_secret)) =
                    (c.param("oauth_token"), c.param("oauth_token_secret"))
                else {
                    return Err(fail(
                        "an OAuth 1.0a x channel URL (x://CONSUMER_KEY:CONSUMER_SECRET@host) needs oauth_token and oauth_token_secret",
                    ));
                };
                XConfig::oauth1(OAuth1Credentials::new(
                    c.token.clone(),
                    secret,
                    token,
                    token_secret,
                ))?
            }
            None => XConfig::new(c.token.clone())?,
        };
        config.base_url = c.base.clone();
        config.user_id = c.param("user_id").map(str::to_string);
        config.username = c.param("username").map(str::to_string);
        if let Some(v) = c.param("max_chars") {
            config.max_chars = v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| fail("max_chars must be a number between 1 and 100000"))?;
        }
        if let Some(v) = c.param("media_timeout") {
            config.media_timeout = v
                .parse::<u64>()
                .ok()
                .filter(|s| *s <= 86_400)
                .map(Duration::from_secs)
                .ok_or_else(|| fail("media_timeout must be a number of seconds"))?;
        }
        Ok(config)
    }

    /// The URL of an API path (`2/tweets`).
    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.base_url
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::config(format!("cannot build the x URL: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_round_trip_and_failures() {
        let c = XConfig::from_url_str("x://a%2Bb@api.x.com?media_timeout=5").unwrap();
        assert_eq!(c.token.expose(), "a+b");
        assert_eq!(c.media_timeout, Duration::from_secs(5));
        assert_eq!(
            c.endpoint("2/tweets").unwrap().as_str(),
            "https://api.x.com/2/tweets"
        );
        for bad in [
            "x://api.x.com",
            "x://t@api.x.com?max_chars=0",
            "x://t@api.x.com?media_timeout=-1",
            "x://t@api.x.com?token=abc",
        ] {
            let e = XConfig::from_url_str(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::ConfigInvalid, "{bad}");
        }
        let e: std::result::Result<XConfig, _> =
            serde_json::from_value(serde_json::json!({"token": "t", "base_url": "ftp://x"}));
        assert!(e.is_err());
    }

    #[test]
    fn oauth1_url_form() {
        let c = XConfig::from_url_str(
            "x://c%2Bk:c%20s@127.0.0.1:9?scheme=http&oauth_token=1-ab&oauth_token_secret=t%2Bs&user_id=1",
        )
        .unwrap();
        let o = c.oauth1.as_ref().unwrap();
        assert_eq!(o.consumer_key.expose(), "c+k");
        assert_eq!(o.consumer_secret.expose(), "c s");
        assert_eq!(o.token.expose(), "1-ab");
        assert_eq!(o.token_secret.expose(), "t+s");
        assert_eq!(c.user_id.as_deref(), Some("1"));
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:9/");
        assert!(c.validate().is_ok());
        for bad in [
            "x://ck:cs@api.x.com",
            "x://ck:cs@api.x.com?oauth_token=t",
            "x://ck:cs@api.x.com?oauth_token=t&oauth_token_secret=",
            "x://t@api.x.com?oauth_token=t&oauth_token_secret=s",
        ] {
            let e = XConfig::from_url_str(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::ConfigInvalid, "{bad}");
            assert!(!e.to_string().contains("cs"), "{e}");
        }
        // Serde round trip keeps the credentials and leaves the empty token out.
        let json = serde_json::to_value(&c).unwrap();
        assert!(json.get("token").is_none());
        let back: XConfig = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
    }
}
