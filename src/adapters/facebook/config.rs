//! The configuration of a Facebook Page channel: from a channel URL or from serde.
//!
//! URL form: `facebook://PAGE_TOKEN@graph.facebook.com?page_id=…&version=v23.0`, plus the
//! shared Graph parameters (`scheme=http`, `token_in=header`, `scan_posts`; see
//! [`graph::config`](crate::adapters::graph::config)). `PAGE_TOKEN` is a Page access token
//! (from [`page_accounts`](super::page_accounts)); percent-encode it if it has reserved
//! characters. No error ever repeats the URL or the token.
//!
//! ```
//! use socialkit::adapters::facebook::FacebookConfig;
//! let c = FacebookConfig::from_url_str("facebook://EAAPAGE@graph.facebook.com?page_id=1234&version=v22.0").unwrap();
//! assert_eq!(c.page_id, "1234");
//! assert_eq!(c.graph.version.as_deref(), Some("v22.0"));
//! assert!(!format!("{c:?}").contains("EAAPAGE"));
//!
//! let err = FacebookConfig::from_url_str("facebook://EAAPAGE@graph.facebook.com").unwrap_err();
//! assert_eq!(err.kind(), socialkit::ErrorKind::ConfigInvalid);
//! assert!(err.to_string().contains("page_id"));
//! assert!(!err.to_string().contains("EAAPAGE"));
//! ```

use serde::{Deserialize, Serialize};
use url::Url;

use super::{DEFAULT_HOST, PLATFORM};
use crate::Result;
use crate::adapters::graph::{GraphSettings, config};
use crate::auth::Secret;

/// How to reach one Facebook Page.
///
/// Serde form (the `settings` of a [`ChannelConfig`](crate::ChannelConfig)): `page_id` plus the
/// fields of [`GraphSettings`]:
///
/// ```
/// use socialkit::adapters::facebook::FacebookConfig;
/// let c: FacebookConfig = serde_json::from_value(serde_json::json!({
///     "page_id": "1234", "token": "EAAPAGE", "version": "v23.0"
/// })).unwrap();
/// assert_eq!(c.graph.token.expose(), "EAAPAGE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacebookConfig {
    /// The Page's id.
    pub page_id: String,
    /// The Page access token and the shared Graph settings.
    #[serde(flatten)]
    pub graph: GraphSettings,
}

impl FacebookConfig {
    /// A config for a Page and its Page access token, with every default.
    ///
    /// ```
    /// let c = socialkit::adapters::facebook::FacebookConfig::new("1234", "EAAPAGE").unwrap();
    /// assert_eq!(c.graph.token.expose(), "EAAPAGE");
    /// assert!(socialkit::adapters::facebook::FacebookConfig::new("12/34", "t").is_err());
    /// ```
    pub fn new(page_id: impl Into<String>, page_token: impl Into<Secret>) -> Result<Self> {
        let c = FacebookConfig {
            page_id: page_id.into(),
            graph: GraphSettings::new(page_token),
        };
        c.check()?;
        Ok(c)
    }

    /// Parses a `facebook://PAGE_TOKEN@graph.facebook.com?page_id=…` URL.
    ///
    /// ```
    /// let c = socialkit::adapters::facebook::FacebookConfig::from_url_str("facebook://EAAPAGE@graph.facebook.com?page_id=42").unwrap();
    /// assert_eq!(c.page_id, "42");
    /// ```
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| {
            crate::Error::config(format!("the facebook channel URL is invalid: {e}"))
                .with_platform(PLATFORM)
        })?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL (see the module docs).
    ///
    /// ```
    /// let url = url::Url::parse("facebook://tok@127.0.0.1:9000?page_id=1&scheme=http").unwrap();
    /// let c = socialkit::adapters::facebook::FacebookConfig::from_url(&url).unwrap();
    /// assert_eq!(c.graph.base_url.unwrap().as_str(), "http://127.0.0.1:9000/");
    /// ```
    pub fn from_url(url: &Url) -> Result<Self> {
        let (graph, page_id) = config::from_url(url, PLATFORM, DEFAULT_HOST, "page_id")?;
        Ok(FacebookConfig { page_id, graph })
    }

    pub(crate) fn check(&self) -> Result<()> {
        config::check_id(PLATFORM, "page_id", &self.page_id)?;
        self.graph.check(PLATFORM)
    }
}
