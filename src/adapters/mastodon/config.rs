//! The configuration of a Mastodon channel: from a channel URL or from serde.
//!
//! URL form: `mastodon://TOKEN@instance[:port][/path]?scheme=http&media_timeout=60&timeout=30`
//!
//! - `TOKEN` is the OAuth access token (percent-encode it if it has reserved characters);
//! - `instance` is the server's host, with a port when it is not the default one;
//! - `scheme=http` talks plain HTTP (a server on loopback, a test twin); the default is https;
//! - `media_timeout` bounds, in seconds, the wait for the server to process an upload
//!   (default 60);
//! - `timeout` bounds, in seconds, one request and its answer (default: the HTTP layer's 30).
//!   A write that outlives it is *in doubt*: the server may have made the post, so it is looked
//!   up before anything is sent again.
//!
//! No error ever repeats the URL or the token.
//!
//! ```
//! use socialkit::adapters::mastodon::MastodonConfig;
//! let c = MastodonConfig::from_url_str("mastodon://s3cr3t@mastodon.example").unwrap();
//! assert_eq!(c.instance.as_str(), "https://mastodon.example/");
//! assert_eq!(c.token.expose(), "s3cr3t");
//! assert!(!format!("{c:?}").contains("s3cr3t"));
//!
//! let local = MastodonConfig::from_url_str("mastodon://t@localhost:8001?scheme=http").unwrap();
//! assert_eq!(local.instance.as_str(), "http://localhost:8001/");
//!
//! let err = MastodonConfig::from_url_str("mastodon://s3cr3t@").unwrap_err();
//! assert_eq!(err.kind(), socialkit::ErrorKind::ConfigInvalid);
//! assert!(!err.to_string().contains("s3cr3t"));
//! ```

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use crate::auth::{Secret, percent_decode};
use crate::{Error, Result};

/// The default bound on waiting for media processing.
///
/// ```
/// assert_eq!(socialkit::adapters::mastodon::config::DEFAULT_MEDIA_TIMEOUT.as_secs(), 60);
/// ```
pub const DEFAULT_MEDIA_TIMEOUT: Duration = Duration::from_secs(60);

/// How to reach one Mastodon account.
///
/// Serde form (the `settings` of a [`ChannelConfig`](crate::ChannelConfig)):
///
/// ```
/// use socialkit::adapters::mastodon::MastodonConfig;
/// let c: MastodonConfig = serde_json::from_value(serde_json::json!({
///     "instance": "mastodon.example",
///     "token": "s3cr3t",
///     "media_timeout_secs": 120
/// })).unwrap();
/// assert_eq!(c.instance.as_str(), "https://mastodon.example/");
/// assert_eq!(c.media_timeout.as_secs(), 120);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MastodonConfig {
    /// The server's base URL (`https://mastodon.social/`). A bare host means https.
    #[serde(deserialize_with = "de_instance")]
    pub instance: Url,
    /// The OAuth access token (Mastodon tokens do not expire; they can be revoked).
    pub token: Secret,
    /// The longest wait for the server to process an uploaded file.
    #[serde(
        rename = "media_timeout_secs",
        default = "default_media_timeout",
        with = "secs"
    )]
    pub media_timeout: Duration,
    /// The longest one request may take, its answer included; `None` keeps the HTTP layer's
    /// default (30 s).
    #[serde(
        rename = "request_timeout_secs",
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_secs"
    )]
    pub request_timeout: Option<Duration>,
}

fn default_media_timeout() -> Duration {
    DEFAULT_MEDIA_TIMEOUT
}

mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let v = f64::deserialize(d)?;
        if !v.is_finite() || !(0.0..=86_400.0).contains(&v) {
            return Err(serde::de::Error::custom(
                "media_timeout_secs must be between 0 and 86400",
            ));
        }
        Ok(Duration::from_secs_f64(v))
    }
}

mod opt_secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let Some(v) = Option::<f64>::deserialize(d)? else {
            return Ok(None);
        };
        if !v.is_finite() || !(0.001..=86_400.0).contains(&v) {
            return Err(serde::de::Error::custom(
                "request_timeout_secs must be between 0.001 and 86400",
            ));
        }
        Ok(Some(Duration::from_secs_f64(v)))
    }
}

fn de_instance<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    parse_instance(&s).map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

/// Parses an instance given as a URL (`https://m.example`) or a bare host (`m.example:8443`).
fn parse_instance(s: &str) -> Result<Url> {
    let s = s.trim();
    let with_scheme = if s.contains("://") {
        s.to_string()
    } else {
        format!("https://{s}")
    };
    let mut url = Url::parse(&with_scheme)
        .map_err(|e| Error::config(format!("the mastodon instance is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(
            "the mastodon instance must be an http or https URL",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::config("the mastodon instance has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "put the mastodon token in the `token` field, not in the instance URL",
        ));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

impl MastodonConfig {
    /// A config for `instance` (a URL or a bare host) and an access token.
    ///
    /// ```
    /// let c = socialkit::adapters::mastodon::MastodonConfig::new("https://m.example", "tok").unwrap();
    /// assert_eq!(c.instance.host_str(), Some("m.example"));
    /// ```
    pub fn new(instance: &str, token: impl Into<Secret>) -> Result<Self> {
        let token = token.into();
        if token.is_empty() {
            return Err(
                Error::config("the mastodon access token is empty").with_platform("mastodon")
            );
        }
        Ok(MastodonConfig {
            instance: parse_instance(instance).map_err(|e| e.with_platform("mastodon"))?,
            token,
            media_timeout: DEFAULT_MEDIA_TIMEOUT,
            request_timeout: None,
        })
    }

    /// Sets the bound on one request and its answer.
    ///
    /// ```
    /// use std::time::Duration;
    /// let c = socialkit::adapters::mastodon::MastodonConfig::new("m.example", "tok").unwrap()
    ///     .with_request_timeout(Duration::from_secs(5));
    /// assert_eq!(c.request_timeout, Some(Duration::from_secs(5)));
    /// ```
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Sets the bound on waiting for media processing.
    ///
    /// ```
    /// use std::time::Duration;
    /// let c = socialkit::adapters::mastodon::MastodonConfig::new("m.example", "tok").unwrap()
    ///     .with_media_timeout(Duration::from_secs(5));
    /// assert_eq!(c.media_timeout, Duration::from_secs(5));
    /// ```
    pub fn with_media_timeout(mut self, timeout: Duration) -> Self {
        self.media_timeout = timeout;
        self
    }

    /// Parses a `mastodon://TOKEN@instance[:port][/path]?scheme=http&media_timeout=60&timeout=30` URL.
    pub fn from_url_str(url: &str) -> Result<Self> {
        // The url crate's own error messages never contain the input; keep it that way.
        let parsed = Url::parse(url).map_err(|e| {
            Error::config(format!("the mastodon channel URL is invalid: {e}"))
                .with_platform("mastodon")
        })?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL (see the module docs).
    ///
    /// ```
    /// let url = url::Url::parse("mastodon://tok@m.example:8443?media_timeout=90").unwrap();
    /// let c = socialkit::adapters::mastodon::MastodonConfig::from_url(&url).unwrap();
    /// assert_eq!(c.instance.as_str(), "https://m.example:8443/");
    /// assert_eq!(c.media_timeout.as_secs(), 90);
    /// ```
    pub fn from_url(url: &Url) -> Result<Self> {
        let fail = |m: &str| Error::config(m.to_string()).with_platform("mastodon");
        if url.scheme() != "mastodon" {
            return Err(fail("a mastodon channel URL starts with mastodon://"));
        }
        let raw_token = url.username();
        if raw_token.is_empty() {
            return Err(fail(
                "the mastodon channel URL has no access token: use mastodon://TOKEN@instance",
            ));
        }
        if url.password().is_some() {
            return Err(fail(
                "the mastodon channel URL takes only a token before the @, no password",
            ));
        }
        let token = percent_decode(raw_token).ok_or_else(|| {
            fail("the access token in the mastodon channel URL is not valid UTF-8")
        })?;
        let host = match url.host_str() {
            Some(h) if !h.is_empty() => h,
            _ => return Err(fail("the mastodon channel URL has no instance host")),
        };
        let mut scheme = "https".to_string();
        let mut media_timeout = DEFAULT_MEDIA_TIMEOUT;
        let mut request_timeout = None;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "scheme" => match v.as_ref() {
                    "http" | "https" => scheme = v.into_owned(),
                    _ => return Err(fail("scheme must be http or https")),
                },
                "media_timeout" => {
                    media_timeout = v
                        .parse::<u64>()
                        .ok()
                        .filter(|s| *s <= 86_400)
                        .map(Duration::from_secs)
                        .ok_or_else(|| fail("media_timeout must be a number of seconds"))?;
                }
                "timeout" => {
                    request_timeout = Some(
                        v.parse::<u64>()
                            .ok()
                            .filter(|s| (1..=86_400).contains(s))
                            .map(Duration::from_secs)
                            .ok_or_else(|| {
                                fail("timeout must be a number of seconds (1 to 86400)")
                            })?,
                    );
                }
                _ => {
                    // The name is not repeated: a misplaced token must not reach a log.
                    return Err(fail(
                        "unknown mastodon channel URL parameter (known: scheme, media_timeout, timeout)",
                    ));
                }
            }
        }
        let mut base = format!("{scheme}://{host}");
        if let Some(port) = url.port() {
            base.push_str(&format!(":{port}"));
        }
        base.push_str(url.path());
        let instance = parse_instance(&base).map_err(|e| e.with_platform("mastodon"))?;
        Ok(MastodonConfig {
            instance,
            token: Secret::new(token),
            media_timeout,
            request_timeout,
        })
    }

    /// The channel URL of this config (it contains the token: treat it as a secret).
    ///
    /// ```
    /// use socialkit::adapters::mastodon::MastodonConfig;
    /// let c = MastodonConfig::from_url_str("mastodon://tok@localhost:8001?scheme=http").unwrap();
    /// let again = MastodonConfig::from_url_str(&c.to_url()).unwrap();
    /// assert_eq!(again, c);
    /// ```
    pub fn to_url(&self) -> String {
        let token: String =
            url::form_urlencoded::byte_serialize(self.token.expose().as_bytes()).collect();
        let host = self.instance.host_str().unwrap_or_default();
        let mut out = format!("mastodon://{token}@{host}");
        if let Some(port) = self.instance.port() {
            out.push_str(&format!(":{port}"));
        }
        let path = self.instance.path();
        if path != "/" {
            out.push_str(path.trim_end_matches('/'));
        }
        let mut params = Vec::new();
        if self.instance.scheme() == "http" {
            params.push("scheme=http".to_string());
        }
        if self.media_timeout != DEFAULT_MEDIA_TIMEOUT {
            params.push(format!("media_timeout={}", self.media_timeout.as_secs()));
        }
        if let Some(t) = self.request_timeout {
            params.push(format!("timeout={}", t.as_secs().max(1)));
        }
        if !params.is_empty() {
            out.push('?');
            out.push_str(&params.join("&"));
        }
        out
    }

    /// The URL of an API path below the instance (`api/v1/statuses`).
    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.instance
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::config(format!("cannot build the mastodon URL: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn parses_the_url_forms() {
        let c = MastodonConfig::from_url_str("mastodon://abc-DEF_123@mastodon.social").unwrap();
        assert_eq!(c.instance.as_str(), "https://mastodon.social/");
        assert_eq!(c.token.expose(), "abc-DEF_123");
        assert_eq!(c.media_timeout, DEFAULT_MEDIA_TIMEOUT);

        let c = MastodonConfig::from_url_str(
            "mastodon://tok@127.0.0.1:4000/social?scheme=http&media_timeout=5",
        )
        .unwrap();
        assert_eq!(c.instance.as_str(), "http://127.0.0.1:4000/social/");
        assert_eq!(c.media_timeout, Duration::from_secs(5));
        assert_eq!(c.request_timeout, None);
        let t = MastodonConfig::from_url_str("mastodon://tok@m.example?timeout=3").unwrap();
        assert_eq!(t.request_timeout, Some(Duration::from_secs(3)));
        assert_eq!(MastodonConfig::from_url_str(&t.to_url()).unwrap(), t);
        assert!(MastodonConfig::from_url_str("mastodon://tok@m.example?timeout=0").is_err());
        assert_eq!(
            c.endpoint("api/v1/statuses").unwrap().as_str(),
            "http://127.0.0.1:4000/social/api/v1/statuses"
        );

        let c = MastodonConfig::from_url_str("mastodon://a%2Bb%3D@m.example").unwrap();
        assert_eq!(c.token.expose(), "a+b=");
        assert_eq!(MastodonConfig::from_url_str(&c.to_url()).unwrap(), c);
    }

    #[test]
    fn invalid_urls_never_echo_the_token() {
        for bad in [
            "mastodon://TOPSECRET@",
            "mastodon://@m.example",
            "mastodon://m.example",
            "mastodon://TOPSECRET:pw@m.example",
            "mastodon://TOPSECRET@m.example?scheme=ftp",
            "mastodon://TOPSECRET@m.example?media_timeout=soon",
            "mastodon://TOPSECRET@m.example?TOPSECRET=1",
            "mastodon://TOPSECRET@[::1",
            "sandbox://TOPSECRET@m.example",
        ] {
            let err = MastodonConfig::from_url_str(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "{bad}");
            assert!(!err.to_string().contains("TOPSECRET"), "{bad}: {err}");
            assert!(!format!("{err:?}").contains("TOPSECRET"), "{bad}");
        }
    }

    #[test]
    fn serde_round_trip_and_errors() {
        let c = MastodonConfig::new("http://localhost:8001", "tok").unwrap();
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["instance"], "http://localhost:8001/");
        let back: MastodonConfig = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
        let bad: std::result::Result<MastodonConfig, _> = serde_json::from_value(
            serde_json::json!({"instance": "ftp://x", "token": "TOPSECRET"}),
        );
        assert!(!bad.unwrap_err().to_string().contains("TOPSECRET"));
        assert!(MastodonConfig::new("m.example", "").is_err());
        assert!(!format!("{c:?}").contains("tok\""));
    }
}
