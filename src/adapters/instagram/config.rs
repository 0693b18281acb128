//! The configuration of an Instagram professional account channel: from a channel URL or from
//! serde.
//!
//! URL forms, plus the shared Graph parameters (`scheme=http`, `token_in=header`, `wait`,
//! `poll`, `scan_posts`, `expires_at`; see [`graph::config`](crate::adapters::graph::config)):
//!
//! - Instagram API with Facebook Login: `instagram://TOKEN@graph.facebook.com?ig_user_id=…`,
//!   where `TOKEN` is the Page access token of the Page linked to the account (see
//!   [`page_accounts`](crate::adapters::facebook::page_accounts) with the `facebook` feature)
//!   or a long-lived user token;
//! - Instagram API with Instagram Login: `instagram://TOKEN@graph.instagram.com?ig_user_id=…
//!   &expires_at=2026-05-01T00:00:00Z`, where `TOKEN` is the long-lived Instagram token; it is
//!   refreshed with `ig_refresh_token` a week before `expires_at`.
//!
//! Percent-encode the token if it has reserved characters. No error ever repeats the URL or the
//! token.
//!
//! ```
//! use socialkit::adapters::instagram::InstagramConfig;
//! let c = InstagramConfig::from_url_str("instagram://IGTOKEN@graph.facebook.com?ig_user_id=1234&version=v22.0").unwrap();
//! assert_eq!(c.ig_user_id, "1234");
//! assert_eq!(c.graph.version.as_deref(), Some("v22.0"));
//! assert!(!c.instagram_login());
//! assert!(!format!("{c:?}").contains("IGTOKEN"));
//!
//! let ig = InstagramConfig::from_url_str("instagram://IGTOKEN@graph.instagram.com?ig_user_id=1234").unwrap();
//! assert!(ig.instagram_login());
//!
//! let err = InstagramConfig::from_url_str("instagram://IGTOKEN@graph.facebook.com").unwrap_err();
//! assert_eq!(err.kind(), socialkit::ErrorKind::ConfigInvalid);
//! assert!(err.to_string().contains("ig_user_id"));
//! assert!(!err.to_string().contains("IGTOKEN"));
//! ```

use serde::{Deserialize, Serialize};
use url::Url;

use super::{DEFAULT_HOST, PLATFORM};
use crate::Result;
use crate::adapters::graph::{GraphSettings, config};
use crate::auth::Secret;

/// How to reach one Instagram professional account.
///
/// Serde form (the `settings` of a [`ChannelConfig`](crate::ChannelConfig)): `ig_user_id` plus the
/// fields of [`GraphSettings`]:
///
/// ```
/// use socialkit::adapters::instagram::InstagramConfig;
/// let c: InstagramConfig = serde_json::from_value(serde_json::json!({
///     "ig_user_id": "1234", "token": "IGTOKEN", "version": "v23.0"
/// })).unwrap();
/// assert_eq!(c.graph.token.expose(), "IGTOKEN");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstagramConfig {
    /// The Instagram professional account's id (`instagram_business_account`).
    pub ig_user_id: String,
    /// The access token and the shared Graph settings.
    #[serde(flatten)]
    pub graph: GraphSettings,
}

impl InstagramConfig {
    /// A config for an account and its access token, with every default (Facebook Login host).
    ///
    /// ```
    /// let c = socialkit::adapters::instagram::InstagramConfig::new("1234", "IGTOKEN").unwrap();
    /// assert_eq!(c.graph.token.expose(), "IGTOKEN");
    /// assert!(socialkit::adapters::instagram::InstagramConfig::new("12/34", "t").is_err());
    /// ```
    pub fn new(ig_user_id: impl Into<String>, token: impl Into<Secret>) -> Result<Self> {
        let c = InstagramConfig {
            ig_user_id: ig_user_id.into(),
            graph: GraphSettings::new(token),
        };
        c.check()?;
        Ok(c)
    }

    /// Parses an `instagram://TOKEN@graph.facebook.com?ig_user_id=…` URL.
    ///
    /// ```
    /// let c = socialkit::adapters::instagram::InstagramConfig::from_url_str("instagram://IGTOKEN@graph.facebook.com?ig_user_id=42").unwrap();
    /// assert_eq!(c.ig_user_id, "42");
    /// ```
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| {
            crate::Error::config(format!("the instagram channel URL is invalid: {e}"))
                .with_platform(PLATFORM)
        })?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL (see the module docs).
    ///
    /// ```
    /// let url = url::Url::parse("instagram://tok@127.0.0.1:9000?ig_user_id=1&scheme=http").unwrap();
    /// let c = socialkit::adapters::instagram::InstagramConfig::from_url(&url).unwrap();
    /// assert_eq!(c.graph.base_url.unwrap().as_str(), "http://127.0.0.1:9000/");
    /// ```
    pub fn from_url(url: &Url) -> Result<Self> {
        let (graph, ig_user_id) = config::from_url(url, PLATFORM, DEFAULT_HOST, "ig_user_id")?;
        Ok(InstagramConfig { ig_user_id, graph })
    }

    /// Whether the account uses Instagram Login (host `graph.instagram.com`), whose long-lived
    /// tokens are refreshed with `ig_refresh_token`.
    ///
    /// ```
    /// let c = socialkit::adapters::instagram::InstagramConfig::new("1", "t").unwrap();
    /// assert!(!c.instagram_login());
    /// ```
    pub fn instagram_login(&self) -> bool {
        self.graph
            .base_url
            .as_ref()
            .and_then(|u| u.host_str())
            .is_some_and(|h| h == super::INSTAGRAM_LOGIN_HOST)
    }

    pub(crate) fn check(&self) -> Result<()> {
        config::check_id(PLATFORM, "ig_user_id", &self.ig_user_id)?;
        self.graph.check(PLATFORM)
    }
}
