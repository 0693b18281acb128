//! The configuration of a Threads profile channel: from a channel URL or from serde.
//!
//! URL form: `threads://TOKEN@graph.threads.net?user_id=…&expires_at=2026-05-01T00:00:00Z`,
//! plus the shared Graph parameters (`version` — default `v1.0` —, `scheme=http`,
//! `token_in=header`, `wait`, `poll`, `scan_posts`; see
//! [`graph::config`](crate::adapters::graph::config)). `TOKEN` is a long-lived Threads token
//! (from [`th_exchange_token`](crate::auth::meta::th_exchange_token)); it is refreshed with
//! `th_refresh_token` a week before `expires_at`, or when Threads rejects it. Percent-encode it
//! if it has reserved characters. No error ever repeats the URL or the token.
//!
//! ```
//! use socialkit::adapters::threads::ThreadsConfig;
//! let c = ThreadsConfig::from_url_str("threads://THTOKEN@graph.threads.net?user_id=1234&version=v1.0").unwrap();
//! assert_eq!(c.user_id, "1234");
//! assert_eq!(c.graph.version.as_deref(), Some("v1.0"));
//! assert!(!format!("{c:?}").contains("THTOKEN"));
//!
//! let err = ThreadsConfig::from_url_str("threads://THTOKEN@graph.threads.net").unwrap_err();
//! assert_eq!(err.kind(), socialkit::ErrorKind::ConfigInvalid);
//! assert!(err.to_string().contains("user_id"));
//! assert!(!err.to_string().contains("THTOKEN"));
//! ```

use serde::{Deserialize, Serialize};
use url::Url;

use super::{DEFAULT_HOST, PLATFORM};
use crate::Result;
use crate::adapters::graph::{GraphSettings, config};
use crate::auth::Secret;

/// How to reach one Threads profile.
///
/// Serde form (the `settings` of a [`ChannelConfig`](crate::ChannelConfig)): `user_id` plus the
/// fields of [`GraphSettings`]:
///
/// ```
/// use socialkit::adapters::threads::ThreadsConfig;
/// let c: ThreadsConfig = serde_json::from_value(serde_json::json!({
///     "user_id": "1234", "token": "THTOKEN", "version": "v1.0"
/// })).unwrap();
/// assert_eq!(c.graph.token.expose(), "THTOKEN");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadsConfig {
    /// The Threads user id.
    pub user_id: String,
    /// The long-lived Threads token and the shared Graph settings.
    #[serde(flatten)]
    pub graph: GraphSettings,
}

impl ThreadsConfig {
    /// A config for a profile and its long-lived token, with every default.
    ///
    /// ```
    /// let c = socialkit::adapters::threads::ThreadsConfig::new("1234", "THTOKEN").unwrap();
    /// assert_eq!(c.graph.token.expose(), "THTOKEN");
    /// assert!(socialkit::adapters::threads::ThreadsConfig::new("12/34", "t").is_err());
    /// ```
    pub fn new(user_id: impl Into<String>, token: impl Into<Secret>) -> Result<Self> {
        let c = ThreadsConfig {
            user_id: user_id.into(),
            graph: GraphSettings::new(token),
        };
        c.check()?;
        Ok(c)
    }

    /// Parses a `threads://TOKEN@graph.threads.net?user_id=…` URL.
    ///
    /// ```
    /// let c = socialkit::adapters::threads::ThreadsConfig::from_url_str("threads://THTOKEN@graph.threads.net?user_id=42").unwrap();
    /// assert_eq!(c.user_id, "42");
    /// ```
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| {
            crate::Error::config(format!("the threads channel URL is invalid: {e}"))
                .with_platform(PLATFORM)
        })?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL (see the module docs).
    ///
    /// ```
    /// let url = url::Url::parse("threads://tok@127.0.0.1:9000?user_id=1&scheme=http").unwrap();
    /// let c = socialkit::adapters::threads::ThreadsConfig::from_url(&url).unwrap();
    /// assert_eq!(c.graph.base_url.unwrap().as_str(), "http://127.0.0.1:9000/");
    /// ```
    pub fn from_url(url: &Url) -> Result<Self> {
        let (graph, user_id) = config::from_url(url, PLATFORM, DEFAULT_HOST, "user_id")?;
        Ok(ThreadsConfig { user_id, graph })
    }

    pub(crate) fn check(&self) -> Result<()> {
        config::check_id(PLATFORM, "user_id", &self.user_id)?;
        self.graph.check(PLATFORM)
    }
}
