//! Building platforms from channel URLs (`sandbox://acme`, `mastodon://TOKEN@mastodon.example`)
//! or serde configs, by scheme.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::platform::Platform;
use crate::{Error, Result};

/// Builds a platform from a channel URL.
pub type UrlFactory = Arc<dyn Fn(&Url) -> Result<Arc<dyn Platform>> + Send + Sync>;
/// Builds a platform from a serde config (the `settings` of a [`ChannelConfig`]).
pub type ConfigFactory = Arc<dyn Fn(serde_json::Value) -> Result<Arc<dyn Platform>> + Send + Sync>;

/// A channel described as data: the platform's scheme and its settings.
///
/// ```
/// let cfg: socialkit::ChannelConfig = serde_json::from_str(
///     r#"{"platform": "sandbox", "settings": {"name": "acme", "seed": 7}}"#,
/// ).unwrap();
/// assert_eq!(cfg.platform, "sandbox");
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelConfig {
    /// The scheme the platform is registered under (`"mastodon"`).
    pub platform: String,
    /// The platform's own settings (its config type's serde form).
    #[serde(default)]
    pub settings: serde_json::Value,
}

impl fmt::Debug for ChannelConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Settings hold credentials: never print them.
        f.debug_struct("ChannelConfig")
            .field("platform", &self.platform)
            .field("settings", &"***")
            .finish()
    }
}

#[derive(Clone)]
struct Entry {
    from_url: UrlFactory,
    from_config: ConfigFactory,
}

/// Maps URL schemes to adapter factories.
///
/// [`Registry::default`] knows every adapter compiled in (by cargo feature); more can be
/// added with [`Registry::register`].
///
/// ```
/// use socialkit::{ErrorKind, Registry};
/// let registry = Registry::default();
/// assert!(registry.schemes().contains(&"sandbox"));
/// let err = registry.from_url("myspace://tom").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
/// assert!(err.to_string().contains("sandbox"), "the error lists the schemes compiled in");
/// ```
#[derive(Clone)]
pub struct Registry {
    entries: BTreeMap<&'static str, Entry>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("schemes", &self.schemes())
            .finish()
    }
}

impl Default for Registry {
    fn default() -> Self {
        let mut r = Registry::empty();
        crate::adapters::register_all(&mut r);
        r
    }
}

impl Registry {
    /// A registry that knows no scheme.
    pub fn empty() -> Self {
        Registry {
            entries: BTreeMap::new(),
        }
    }

    /// Registers (or replaces) the factories for `scheme`.
    pub fn register(
        &mut self,
        scheme: &'static str,
        from_url: UrlFactory,
        from_config: ConfigFactory,
    ) {
        self.entries.insert(
            scheme,
            Entry {
                from_url,
                from_config,
            },
        );
    }

    /// The schemes known, sorted.
    pub fn schemes(&self) -> Vec<&'static str> {
        self.entries.keys().copied().collect()
    }

    /// Builds a platform from a channel URL. The URL may hold credentials, so no error ever
    /// repeats it.
    pub fn from_url(&self, url: &str) -> Result<Arc<dyn Platform>> {
        let scheme = url
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase())
            .ok_or_else(|| {
                Error::config("a channel URL looks like scheme://…, for example sandbox://acme")
            })?;
        let entry = self.entry(&scheme)?;
        let parsed = Url::parse(url).map_err(|e| {
            Error::config(format!("the {scheme} channel URL is invalid: {e}"))
                .with_platform(&scheme)
        })?;
        (entry.from_url)(&parsed)
    }

    /// Builds a platform from a [`ChannelConfig`].
    pub fn from_config(&self, config: &ChannelConfig) -> Result<Arc<dyn Platform>> {
        let entry = self.entry(&config.platform)?;
        (entry.from_config)(config.settings.clone())
    }

    fn entry(&self, scheme: &str) -> Result<&Entry> {
        self.entries.get(scheme).ok_or_else(|| {
            Error::config(format!(
                "unknown platform scheme '{scheme}'; compiled in: {}",
                self.schemes().join(", ")
            ))
        })
    }
}

/// Deserializes an adapter's config type from a `ChannelConfig`'s settings, mapping serde's
/// error to `ConfigInvalid` naming the platform (serde errors never contain values).
pub fn settings<T: serde::de::DeserializeOwned>(
    platform: &str,
    value: serde_json::Value,
) -> Result<T> {
    serde_json::from_value(value).map_err(|e| {
        Error::config(format!("invalid {platform} settings: {e}")).with_platform(platform)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_url_error_does_not_leak_credentials() {
        let r = Registry::default();
        let err = r.from_url("sandbox://sekrit-token@[bad").unwrap_err();
        assert!(!err.to_string().contains("sekrit"));
        assert!(!format!("{err:?}").contains("sekrit"));
    }

    #[test]
    fn missing_scheme_is_config_error() {
        let err = Registry::default().from_url("acme").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::ConfigInvalid);
    }

    #[test]
    fn debug_hides_settings() {
        let c = ChannelConfig {
            platform: "x".into(),
            settings: serde_json::json!({"token": "abc"}),
        };
        assert!(!format!("{c:?}").contains("abc"));
    }
}
