//! The configuration of a Bluesky channel: from a channel URL or from serde.
//!
//! URL form: `bluesky://HANDLE:APP-PASSWORD@PDS-HOST[:PORT][?scheme=http&timeout=30]`.
//!
//! - `HANDLE` is what `createSession` takes as identifier: a handle, a DID or an email
//!   (percent-encode `@` as `%40` and `:` as `%3A`).
//! - `APP-PASSWORD` is an app password (Settings → App passwords), never the account password.
//! - `PDS-HOST` is the account's PDS; `bsky.social` for accounts hosted by Bluesky.
//! - `scheme=http` is for local servers only; the default is `https`.
//! - `timeout` bounds one request and its answer, in seconds (default 30); a write that
//!   outlives it is in doubt and is looked up before anything is sent again.
//!
//! Errors never repeat the password (nor the URL, which holds it).
//!
//! ```
//! use socialkit::adapters::bluesky::BlueskyConfig;
//! let url = url::Url::parse("bluesky://acme.bsky.social:abcd-efgh-ijkl-mnop@bsky.social").unwrap();
//! let cfg = BlueskyConfig::from_url(&url).unwrap();
//! assert_eq!(cfg.identifier, "acme.bsky.social");
//! assert_eq!(cfg.pds.as_str(), "https://bsky.social/");
//! assert_eq!(cfg.app_password.expose(), "abcd-efgh-ijkl-mnop");
//! assert!(!format!("{cfg:?}").contains("abcd"));
//!
//! // The same as serde settings:
//! let cfg2: BlueskyConfig = serde_json::from_value(serde_json::json!({
//!     "identifier": "acme.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"
//! })).unwrap();
//! assert_eq!(cfg2.pds, cfg.pds);
//! ```

use serde::{Deserialize, Serialize};
use url::Url;

use crate::auth::{Secret, percent_decode};
use crate::{Error, Result};

/// The PDS of accounts hosted by Bluesky.
///
/// ```
/// assert_eq!(socialkit::adapters::bluesky::DEFAULT_PDS, "https://bsky.social");
/// ```
pub const DEFAULT_PDS: &str = "https://bsky.social";

fn default_pds() -> Url {
    // A constant that always parses.
    Url::parse(DEFAULT_PDS).unwrap_or_else(|_| unreachable!("DEFAULT_PDS is a valid URL"))
}

/// A Bluesky channel's settings.
///
/// Serde form (for [`ChannelConfig`](crate::ChannelConfig) settings):
/// `{"identifier": "...", "app_password": "...", "pds": "https://bsky.social"}`; `pds` is
/// optional. Serializing writes the password: treat the output as secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlueskyConfig {
    /// The handle, DID or email to sign in with.
    pub identifier: String,
    /// The app password. `Debug` prints `***`. Empty for an OAuth channel ([`Self::oauth`]).
    #[serde(default, skip_serializing_if = "Secret::is_empty")]
    pub app_password: Secret,
    /// The base URL of the account's PDS.
    #[serde(default = "default_pds")]
    pub pds: Url,
    /// The longest one request may take, its answer included, in seconds; `None` keeps the
    /// HTTP layer's default (30 s). A write that outlives it is in doubt and is looked up
    /// before anything is sent again.
    #[serde(
        default,
        rename = "request_timeout_secs",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_timeout_secs: Option<u64>,
    /// A session to start from (no `createSession` until it stops working): the channel's
    /// vault record keeps the current one here, renewed sessions are written back before
    /// use. `Debug` hides its tokens; serializing writes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<super::SessionSnapshot>,
    /// An atproto OAuth session ([`super::oauth`]): when set, every call carries its
    /// DPoP-bound token instead of an app-password session. The vault keeps the current
    /// tokens here, renewed ones are written back before use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<super::oauth::OAuthSession>,
}

impl BlueskyConfig {
    /// A config for an account on `bsky.social`.
    ///
    /// ```
    /// use socialkit::adapters::bluesky::BlueskyConfig;
    /// let c = BlueskyConfig::new("acme.bsky.social", "abcd-efgh-ijkl-mnop");
    /// assert_eq!(c.pds.host_str(), Some("bsky.social"));
    /// ```
    pub fn new(identifier: impl Into<String>, app_password: impl Into<Secret>) -> Self {
        BlueskyConfig {
            identifier: identifier.into(),
            app_password: app_password.into(),
            pds: default_pds(),
            request_timeout_secs: None,
            session: None,
            oauth: None,
        }
    }

    /// A config for an account connected with atproto OAuth
    /// ([`OAuthClient::complete`](super::oauth::OAuthClient::complete) returns one), on its
    /// PDS `pds`.
    pub fn oauth(session: super::oauth::OAuthSession, pds: Url) -> Self {
        BlueskyConfig {
            identifier: session.handle.clone(),
            app_password: Secret::default(),
            pds,
            request_timeout_secs: None,
            session: None,
            oauth: Some(session),
        }
    }

    /// A clear error for a config that can sign in neither way.
    pub(crate) fn check(&self) -> Result<()> {
        if self.app_password.is_empty() && self.oauth.is_none() {
            return Err(Error::config(
                "a Bluesky channel needs an app password or an OAuth session (connect it with adapters::bluesky::oauth)",
            )
            .with_platform("bluesky"));
        }
        Ok(())
    }

    /// Sets the bound on one request and its answer, in seconds.
    ///
    /// ```
    /// use socialkit::adapters::bluesky::BlueskyConfig;
    /// let c = BlueskyConfig::new("alice.test", "pw").with_request_timeout_secs(5);
    /// assert_eq!(c.request_timeout_secs, Some(5));
    /// ```
    pub fn with_request_timeout_secs(mut self, secs: u64) -> Self {
        self.request_timeout_secs = Some(secs);
        self
    }

    /// Sets the PDS base URL.
    ///
    /// ```
    /// use socialkit::adapters::bluesky::BlueskyConfig;
    /// let pds = url::Url::parse("http://localhost:2583").unwrap();
    /// let c = BlueskyConfig::new("alice.test", "pw").with_pds(pds);
    /// assert_eq!(c.pds.port(), Some(2583));
    /// ```
    pub fn with_pds(mut self, pds: Url) -> Self {
        self.pds = pds;
        self
    }

    /// Reads a channel URL `bluesky://HANDLE:APP-PASSWORD@PDS-HOST[:PORT][?scheme=http&timeout=30]`
    /// (`timeout`: seconds one request may take, 1 to 86400).
    ///
    /// ```
    /// use socialkit::adapters::bluesky::BlueskyConfig;
    /// let url = url::Url::parse("bluesky://alice.test:s3cret@localhost:2583?scheme=http").unwrap();
    /// let c = BlueskyConfig::from_url(&url).unwrap();
    /// assert_eq!(c.pds.as_str(), "http://localhost:2583/");
    ///
    /// let bad = url::Url::parse("bluesky://alice.test@bsky.social").unwrap();
    /// let err = BlueskyConfig::from_url(&bad).unwrap_err();
    /// assert_eq!(err.kind(), socialkit::ErrorKind::ConfigInvalid);
    /// ```
    pub fn from_url(url: &Url) -> Result<Self> {
        let fail = |what: &str| {
            Error::config(format!(
                "invalid Bluesky channel URL: {what} (expected bluesky://HANDLE:APP-PASSWORD@PDS-HOST)"
            ))
            .with_platform("bluesky")
        };
        if url.scheme() != "bluesky" {
            return Err(fail("the scheme must be bluesky"));
        }
        let identifier =
            percent_decode(url.username()).ok_or_else(|| fail("the handle is not valid UTF-8"))?;
        if identifier.trim().is_empty() {
            return Err(fail("the handle is missing"));
        }
        let password = match url.password() {
            Some(p) if !p.is_empty() => {
                percent_decode(p).ok_or_else(|| fail("the app password is not valid UTF-8"))?
            }
            _ => return Err(fail("the app password is missing")),
        };
        let host = match url.host_str() {
            Some(h) if !h.is_empty() => h,
            _ => return Err(fail("the PDS host is missing")),
        };
        if !matches!(url.path(), "" | "/") {
            return Err(fail("a path is not allowed after the host"));
        }
        if url.fragment().is_some() {
            return Err(fail("a #fragment is not allowed"));
        }
        let mut scheme = "https".to_string();
        let mut request_timeout_secs = None;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "scheme" if v == "http" || v == "https" => scheme = v.into_owned(),
                "scheme" => return Err(fail("scheme must be http or https")),
                "timeout" => {
                    request_timeout_secs = Some(
                        v.parse::<u64>()
                            .ok()
                            .filter(|s| (1..=86_400).contains(s))
                            .ok_or_else(|| {
                                fail("timeout must be a number of seconds (1 to 86400)")
                            })?,
                    );
                }
                other => {
                    let other: String = other.chars().take(40).collect();
                    return Err(fail(&format!(
                        "unknown parameter '{other}' (known: scheme, timeout)"
                    )));
                }
            }
        }
        let base = match url.port() {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        };
        let pds = Url::parse(&base).map_err(|_| fail("the PDS host is not valid"))?;
        Ok(BlueskyConfig {
            identifier,
            app_password: Secret::new(password),
            pds,
            request_timeout_secs,
            session: None,
            oauth: None,
        })
    }

    /// The URL of XRPC method `nsid` on the PDS.
    pub(crate) fn xrpc(&self, nsid: &str) -> Url {
        let mut u = self.pds.clone();
        let base = u.path().trim_end_matches('/').to_string();
        u.set_path(&format!("{base}/xrpc/{nsid}"));
        u.set_query(None);
        u
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn parse(s: &str) -> Result<BlueskyConfig> {
        BlueskyConfig::from_url(&Url::parse(s).unwrap())
    }

    #[test]
    fn accepts_the_documented_forms() {
        let c = parse("bluesky://acme.bsky.social:abcd-efgh-ijkl-mnop@bsky.social").unwrap();
        assert_eq!(c.identifier, "acme.bsky.social");
        assert_eq!(c.pds.as_str(), "https://bsky.social/");
        let c = parse("bluesky://alice.test:pw@127.0.0.1:2583?scheme=http").unwrap();
        assert_eq!(c.pds.as_str(), "http://127.0.0.1:2583/");
        let c = parse("bluesky://me%40example.com:p%3Aw%25@pds.example.com/").unwrap();
        assert_eq!(c.identifier, "me@example.com");
        assert_eq!(c.app_password.expose(), "p:w%");
        let c = parse("bluesky://did%3Aplc%3Aabc:pw@pds.example.com").unwrap();
        assert_eq!(c.identifier, "did:plc:abc");
        assert_eq!(
            c.xrpc("com.atproto.server.createSession").as_str(),
            "https://pds.example.com/xrpc/com.atproto.server.createSession"
        );
    }

    #[test]
    fn rejects_without_echoing_the_password() {
        for bad in [
            "bluesky://alice.test@bsky.social",
            "bluesky://:sekrit-pass@bsky.social",
            "bluesky://alice.test:sekrit-pass@bsky.social/some/path",
            "bluesky://alice.test:sekrit-pass@bsky.social?scheme=ftp",
            "bluesky://alice.test:sekrit-pass@bsky.social?token=sekrit-pass",
            "bluesky://alice.test:sekrit-pass@bsky.social#x",
            "mastodon://alice.test:sekrit-pass@bsky.social",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ConfigInvalid, "{bad}");
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("sekrit"), "{shown}");
        }
    }

    #[test]
    fn serde_and_debug() {
        let c: BlueskyConfig = serde_json::from_value(serde_json::json!({
            "identifier": "alice.test", "app_password": "sekrit", "pds": "http://localhost:2583"
        }))
        .unwrap();
        assert_eq!(c.pds.port(), Some(2583));
        assert!(!format!("{c:?}").contains("sekrit"));
        let back: BlueskyConfig =
            serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        let missing =
            serde_json::from_value::<BlueskyConfig>(serde_json::json!({"identifier": "a"}))
                .unwrap();
        let e = super::super::Bluesky::new(missing).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
        assert!(serde_json::from_value::<BlueskyConfig>(serde_json::json!({})).is_err());
    }
}
