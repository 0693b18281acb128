//! The Nostr channel URL and config.
//!
//! `nostr://SECRET_KEY@relay.example[:port][/path][?relays=wss://a.example,wss://b.example&quorum=2&timeout=10]`
//!
//! - `SECRET_KEY`: the account's secret key, 64 hex digits or NIP-19 `nsec1…`; it signs every
//!   event and never appears in `Debug`, logs or errors. (Nostr has no accounts or tokens: the
//!   key *is* the account.)
//! - the host (and port and path) is the first relay, `wss://` (`?scheme=http`: plain `ws://`,
//!   for a relay on loopback); `relays` adds more, comma-separated, each `ws://` or `wss://`.
//! - `quorum`: how many relays must accept an event for the post to count as published
//!   (default 1); `timeout`: seconds to wait for a relay's answer (default 10).
//!
//! ```
//! use socialkit::adapters::nostr::NostrConfig;
//! let key = "11".repeat(32);
//! let c = NostrConfig::from_url_str(&format!(
//!     "nostr://{key}@relay.example?relays=wss://two.example/&quorum=2"
//! )).unwrap();
//! assert_eq!(c.relays[0].as_str(), "wss://relay.example/");
//! assert_eq!(c.relays.len(), 2);
//! assert_eq!(c.quorum, 2);
//! assert!(!format!("{c:?}").contains(&key));
//! ```

use serde::{Deserialize, Serialize};
use url::Url;

use super::PLATFORM;
use super::event::Keys;
use crate::auth::{ChannelUrl, Secret};
use crate::{Error, Result};

fn fail(m: &str) -> Error {
    Error::config(m.to_string()).with_platform(PLATFORM)
}

fn one() -> usize {
    1
}

fn ten() -> u64 {
    10
}

/// How to reach one Nostr account. Serde form:
///
/// ```
/// use socialkit::adapters::nostr::NostrConfig;
/// let c: NostrConfig = serde_json::from_value(serde_json::json!({
///     "secret_key": "11".repeat(32),
///     "relays": ["ws://127.0.0.1:7777", "wss://relay.example"],
/// })).unwrap();
/// assert!(c.validate().is_ok());
/// assert_eq!(c.quorum, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NostrConfig {
    /// The secret key (hex or `nsec1…`).
    pub secret_key: Secret,
    /// The relays written to and read from (`ws://` or `wss://`).
    pub relays: Vec<Url>,
    /// Relays that must accept an event for it to count as published.
    #[serde(default = "one")]
    pub quorum: usize,
    /// Seconds to wait for a relay's answer.
    #[serde(default = "ten")]
    pub timeout_secs: u64,
}

/// A relay URL: `ws://` or `wss://`, a host, no credentials.
///
/// ```
/// use socialkit::adapters::nostr::config::relay_url;
/// assert!(relay_url("wss://relay.example").is_ok());
/// assert!(relay_url("https://relay.example").is_err());
/// assert!(relay_url("wss://user:pw@relay.example").is_err());
/// ```
pub fn relay_url(s: &str) -> Result<Url> {
    let url = Url::parse(s.trim()).map_err(|_| fail("a nostr relay URL is invalid"))?;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(fail(
            "a nostr relay URL starts with wss:// (or ws:// on loopback)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(fail("a nostr relay URL needs a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(fail("a nostr relay URL takes no credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(fail("a nostr relay URL takes no query"));
    }
    Ok(url)
}

impl NostrConfig {
    /// A config writing to `relays` with `secret_key`.
    ///
    /// ```
    /// let c = socialkit::adapters::nostr::NostrConfig::new("11".repeat(32), ["wss://relay.example"]).unwrap();
    /// assert_eq!(c.relays.len(), 1);
    /// assert!(socialkit::adapters::nostr::NostrConfig::new("nope", ["wss://relay.example"]).is_err());
    /// ```
    pub fn new<S: AsRef<str>>(
        secret_key: impl Into<Secret>,
        relays: impl IntoIterator<Item = S>,
    ) -> Result<Self> {
        let relays = relays
            .into_iter()
            .map(|r| relay_url(r.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        let c = NostrConfig {
            secret_key: secret_key.into(),
            relays,
            quorum: 1,
            timeout_secs: 10,
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks the key, the relays, the quorum and the timeout.
    pub fn validate(&self) -> Result<()> {
        Keys::from_secret(&self.secret_key)?;
        if self.relays.is_empty() {
            return Err(fail("a nostr channel needs at least one relay"));
        }
        for r in &self.relays {
            relay_url(r.as_str())?;
        }
        if self.quorum == 0 || self.quorum > self.relays.len() {
            return Err(fail(
                "the nostr quorum must be between 1 and the number of relays",
            ));
        }
        if self.timeout_secs == 0 || self.timeout_secs > 300 {
            return Err(fail("the nostr timeout must be 1 to 300 seconds"));
        }
        Ok(())
    }

    /// Parses a `nostr://…` channel URL (see the module docs).
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|_| fail("the nostr channel URL is invalid"))?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL.
    pub fn from_url(url: &Url) -> Result<Self> {
        let c = ChannelUrl::parse(url, PLATFORM, &["relays", "quorum", "timeout"])?;
        let mut first = c.base.clone();
        let ws = if first.scheme() == "http" {
            "ws"
        } else {
            "wss"
        };
        first
            .set_scheme(ws)
            .map_err(|_| fail("the nostr channel URL has an invalid host"))?;
        let mut relays = vec![first];
        for r in c.param("relays").unwrap_or_default().split(',') {
            if !r.trim().is_empty() {
                relays.push(relay_url(r)?);
            }
        }
        let number = |name: &str, default: u64| -> Result<u64> {
            c.param(name).map_or(Ok(default), |v| {
                v.parse()
                    .map_err(|_| fail(&format!("{name} must be a whole number")))
            })
        };
        let config = NostrConfig {
            secret_key: c.token.clone(),
            relays,
            quorum: usize::try_from(number("quorum", 1)?).unwrap_or(usize::MAX),
            timeout_secs: number("timeout", 10)?,
        };
        config.validate()?;
        Ok(config)
    }

    /// The NIP-11 document's URL of `relay`: the same URL over http(s).
    pub(crate) fn info_url(relay: &Url) -> Option<Url> {
        let mut u = relay.clone();
        let scheme = if relay.scheme() == "ws" {
            "http"
        } else {
            "https"
        };
        u.set_scheme(scheme).ok()?;
        Some(u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms_and_failures_never_repeat_the_key() {
        let key = "7e".repeat(32);
        let c = NostrConfig::from_url_str(&format!(
            "nostr://{key}@127.0.0.1:7777?scheme=http&timeout=3"
        ))
        .unwrap();
        assert_eq!(c.relays[0].as_str(), "ws://127.0.0.1:7777/");
        assert_eq!(c.timeout_secs, 3);
        assert_eq!(
            NostrConfig::info_url(&c.relays[0]).unwrap().as_str(),
            "http://127.0.0.1:7777/"
        );
        for bad in [
            "nostr://relay.example".to_string(),
            format!("nostr://{}@relay.example", "7e".repeat(31)),
            format!("nostr://{key}@relay.example?quorum=2"),
            format!("nostr://{key}@relay.example?quorum=0"),
            format!("nostr://{key}@relay.example?relays=https://x.example"),
            format!("nostr://{key}@relay.example?timeout=0"),
            format!("nostr://{key}@relay.example?secret={key}"),
        ] {
            let e = NostrConfig::from_url_str(&bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::ConfigInvalid, "{bad}");
            assert!(!e.to_string().contains("7e7e7e7e"), "{e}");
        }
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(serde_json::from_value::<NostrConfig>(json).unwrap(), c);
    }
}
