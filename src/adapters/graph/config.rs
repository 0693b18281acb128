//! The settings every Graph-based channel shares (token, host, version, waits), and the parts
//! of a channel URL they come from.
//!
//! URL form, for each of the three platforms:
//!
//! ```text
//! facebook://PAGE_TOKEN@graph.facebook.com?page_id=…&version=v23.0
//! instagram://TOKEN@graph.facebook.com?ig_user_id=…
//! threads://TOKEN@graph.threads.net?user_id=…
//! ```
//!
//! Shared query parameters: `version` (`v23.0`), `scheme=http` (a server on loopback, a test
//! twin), `token_in=query|header` (where the access token travels), `wait` (the longest wait
//! for a media container, seconds), `poll` (the first poll interval, seconds) and `scan_posts`
//! (how many recent posts the inbox scans for comments), `expires_at` (when a refreshable token
//! expires, RFC 3339). Everything else is the platform's own
//! (`page_id`, `ig_user_id`, `user_id`). The URL is read with [`ChannelUrl`]: an unknown
//! parameter is refused with the list of known ones, and no error repeats the URL or the token.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::auth::{ChannelUrl, Secret, parse_base_url};
use crate::http::serde_secs;
use crate::{Error, Result};

/// Where the access token travels on Graph calls.
///
/// ```
/// use socialkit::adapters::graph::TokenPlacement;
/// assert_eq!(TokenPlacement::default(), TokenPlacement::Query);
/// let t: TokenPlacement = serde_json::from_str("\"header\"").unwrap();
/// assert_eq!(t, TokenPlacement::Header);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPlacement {
    /// The `access_token` parameter (query string for reads and deletes, form body for writes),
    /// as Meta's documentation shows it. The HTTP layer redacts it from every log and error.
    #[default]
    Query,
    /// `Authorization: Bearer <token>`.
    Header,
}

/// How long to wait for a media container (Instagram, Threads) to finish processing.
///
/// Polls start after `first_poll`, double up to `max_interval`, and stop at `max_wait`
/// (measured with the HTTP client's [`Clock`](crate::clock::Clock)). Serde form: seconds.
///
/// ```
/// use socialkit::adapters::graph::WaitPolicy;
/// let w = WaitPolicy::default();
/// assert_eq!(w.max_wait.as_secs(), 300);
/// let w: WaitPolicy = serde_json::from_str(r#"{"max_wait": 30, "first_poll": 0.5}"#).unwrap();
/// assert_eq!(w.first_poll.as_millis(), 500);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WaitPolicy {
    /// The wait before the first status poll after a container is created.
    #[serde(with = "serde_secs::required")]
    pub first_poll: Duration,
    /// The longest wait between two polls.
    #[serde(with = "serde_secs::required")]
    pub max_interval: Duration,
    /// The longest wait in all (Meta: poll once a minute for no more than five minutes).
    #[serde(with = "serde_secs::required")]
    pub max_wait: Duration,
}

impl Default for WaitPolicy {
    fn default() -> Self {
        WaitPolicy {
            first_poll: Duration::from_secs(1),
            max_interval: Duration::from_secs(15),
            max_wait: Duration::from_secs(300),
        }
    }
}

impl WaitPolicy {
    /// A policy for tests and twins: polls every `interval`, gives up after `max_wait`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let w = socialkit::adapters::graph::WaitPolicy::fast(Duration::from_millis(5), Duration::from_secs(2));
    /// assert_eq!(w.max_interval, Duration::from_millis(5));
    /// ```
    pub fn fast(interval: Duration, max_wait: Duration) -> Self {
        WaitPolicy {
            first_poll: interval,
            max_interval: interval,
            max_wait,
        }
    }
}

/// The number of recent posts the inbox scans for comments and replies by default.
///
/// ```
/// assert_eq!(socialkit::adapters::graph::DEFAULT_SCAN_POSTS, 25);
/// ```
pub const DEFAULT_SCAN_POSTS: usize = 25;

fn default_scan_posts() -> usize {
    DEFAULT_SCAN_POSTS
}

/// What every Graph channel config holds besides its account id. Flattened into the
/// Facebook, Instagram and Threads configs' serde form.
///
/// ```
/// use socialkit::adapters::graph::GraphSettings;
/// let s: GraphSettings = serde_json::from_value(serde_json::json!({"token": "t0ken"})).unwrap();
/// assert_eq!(s.scan_posts, 25);
/// assert!(!format!("{s:?}").contains("t0ken"));
/// let base = s.api_base("graph.facebook.com", "v23.0").unwrap();
/// assert_eq!(base.as_str(), "https://graph.facebook.com/v23.0/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphSettings {
    /// The access token (a Page token for Facebook; a user token for Instagram and Threads).
    pub token: Secret,
    /// Where the API lives when it is not the platform's default host (`http://127.0.0.1:8080`
    /// for a twin). Scheme, host and port are used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<Url>,
    /// The API version (`v23.0`); the platform's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Where the token travels.
    #[serde(default)]
    pub token_in: TokenPlacement,
    /// How long to wait for media containers.
    #[serde(default)]
    pub container_wait: WaitPolicy,
    /// How many recent posts the inbox scans for comments and replies.
    #[serde(default = "default_scan_posts")]
    pub scan_posts: usize,
    /// When the token expires, for tokens that can be refreshed (Threads, Instagram Login):
    /// the adapter refreshes it a week before. Unknown: refreshed only when Meta rejects it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl GraphSettings {
    /// Settings with a token and every default.
    ///
    /// ```
    /// let s = socialkit::adapters::graph::GraphSettings::new("tok");
    /// assert_eq!(s.token.expose(), "tok");
    /// ```
    pub fn new(token: impl Into<Secret>) -> Self {
        GraphSettings {
            token: token.into(),
            base_url: None,
            version: None,
            token_in: TokenPlacement::Query,
            container_wait: WaitPolicy::default(),
            scan_posts: DEFAULT_SCAN_POSTS,
            token_expires_at: None,
        }
    }

    /// The unversioned origin (`https://graph.threads.net/`), where Meta's token endpoints
    /// live.
    ///
    /// ```
    /// let s = socialkit::adapters::graph::GraphSettings::new("t");
    /// assert_eq!(s.origin("graph.threads.net").unwrap().as_str(), "https://graph.threads.net/");
    /// ```
    pub fn origin(&self, default_host: &str) -> Result<Url> {
        let mut base = self.api_base(default_host, "v1.0")?;
        base.set_path("/");
        Ok(base)
    }

    /// The versioned API base: `https://<host>/<version>/` (or the override's scheme, host and
    /// port).
    ///
    /// ```
    /// let mut s = socialkit::adapters::graph::GraphSettings::new("t");
    /// s.base_url = Some(url::Url::parse("http://127.0.0.1:9000/anything").unwrap());
    /// s.version = Some("v1.0".into());
    /// assert_eq!(s.api_base("graph.threads.net", "v9.9").unwrap().as_str(), "http://127.0.0.1:9000/v1.0/");
    /// ```
    pub fn api_base(&self, default_host: &str, default_version: &str) -> Result<Url> {
        let version = self.version.as_deref().unwrap_or(default_version);
        check_version(version)?;
        let origin = match &self.base_url {
            Some(u) => {
                if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
                    return Err(Error::config(
                        "the Graph base URL must be an http or https URL with a host",
                    ));
                }
                let mut origin = format!("{}://{}", u.scheme(), u.host_str().unwrap_or_default());
                if let Some(port) = u.port() {
                    origin.push_str(&format!(":{port}"));
                }
                origin
            }
            None => format!("https://{default_host}"),
        };
        Ok(Url::parse(&format!("{origin}/{version}/"))?)
    }

    /// Checks the settings (non-empty token, a sane version and scan size).
    pub(crate) fn check(&self, platform: &str) -> Result<()> {
        let fail = |m: &str| Error::config(format!("{platform}: {m}")).with_platform(platform);
        if self.token.expose().trim().is_empty() {
            return Err(fail("the access token is empty"));
        }
        if self
            .token
            .expose()
            .chars()
            .any(|c| c.is_control() || c == ' ')
        {
            return Err(fail(
                "the access token contains spaces or control characters",
            ));
        }
        if let Some(v) = &self.version {
            check_version(v).map_err(|e| e.with_platform(platform))?;
        }
        if let Some(u) = &self.base_url {
            parse_base_url(platform, u.as_str())?;
        }
        if !(1..=100).contains(&self.scan_posts) {
            return Err(fail("scan_posts must be between 1 and 100"));
        }
        if self.container_wait.max_wait.is_zero() {
            return Err(fail("the container wait must be longer than zero"));
        }
        Ok(())
    }
}

fn check_version(v: &str) -> Result<()> {
    let ok = v
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(Error::config(
            "the Graph API version looks like v23.0 (a 'v', digits, a dot, digits)",
        ))
    }
}

/// The channel URL parameters every Graph channel understands (besides `scheme`).
const SHARED_PARAMS: [&str; 6] = [
    "version",
    "token_in",
    "wait",
    "poll",
    "scan_posts",
    "expires_at",
];

/// Reads a channel URL with [`ChannelUrl`]: the shared settings, and the account id from the
/// parameter `id_param`. Errors name parameters, never values.
pub(crate) fn from_url(
    url: &Url,
    platform: &'static str,
    default_host: &str,
    id_param: &str,
) -> Result<(GraphSettings, String)> {
    let fail = |m: String| Error::config(m).with_platform(platform);
    let mut known: Vec<&str> = SHARED_PARAMS.to_vec();
    known.push(id_param);
    let c = ChannelUrl::parse(url, platform, &known)?;
    if c.base.path() != "/" {
        return Err(fail(format!(
            "the {platform} channel URL has no path; the API version goes in ?version="
        )));
    }
    let default = format!("https://{default_host}/");
    let mut settings = GraphSettings::new(c.token.clone());
    settings.base_url = (c.base.as_str() != default).then(|| c.base.clone());
    settings.version = c.param("version").map(str::to_string);
    if let Some(t) = c.param("token_in") {
        settings.token_in = match t {
            "query" => TokenPlacement::Query,
            "header" => TokenPlacement::Header,
            _ => {
                return Err(fail(format!(
                    "{platform}: token_in must be query or header"
                )));
            }
        };
    }
    let secs = |name: &str, v: &str| -> Result<Duration> {
        v.parse::<f64>()
            .ok()
            .and_then(serde_secs::duration_from_secs)
            .ok_or_else(|| fail(format!("{platform}: {name} must be a number of seconds")))
    };
    if let Some(v) = c.param("wait") {
        settings.container_wait.max_wait = secs("wait", v)?;
    }
    if let Some(v) = c.param("poll") {
        let d = secs("poll", v)?;
        settings.container_wait.first_poll = d;
        settings.container_wait.max_interval = settings.container_wait.max_interval.max(d);
    }
    if let Some(v) = c.param("expires_at") {
        let at = chrono::DateTime::parse_from_rfc3339(v)
            .map_err(|_| fail(format!("{platform}: expires_at must be an RFC 3339 time")))?;
        settings.token_expires_at = Some(at.with_timezone(&chrono::Utc));
    }
    if let Some(v) = c.param("scan_posts") {
        settings.scan_posts = v
            .parse()
            .map_err(|_| fail(format!("{platform}: scan_posts must be a whole number")))?;
    }
    settings.check(platform)?;
    let id = c
        .param(id_param)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| fail(format!("the {platform} channel URL needs ?{id_param}=")))?
        .to_string();
    check_id(platform, id_param, &id)?;
    Ok((settings, id))
}

/// Graph ids are digits (a Facebook post id is `<page>_<post>`); anything else would change the
/// path it is put in.
pub(crate) fn check_id(platform: &'static str, what: &str, id: &str) -> Result<()> {
    if !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
    {
        Ok(())
    } else {
        Err(Error::config(format!(
            "{platform}: {what} must be a Graph id (letters, digits and underscores)"
        ))
        .with_platform(platform))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<(GraphSettings, String)> {
        from_url(
            &Url::parse(s).unwrap(),
            "facebook",
            "graph.facebook.com",
            "page_id",
        )
    }

    #[test]
    fn default_host_needs_no_base_url() {
        let (s, id) =
            parse("facebook://EAAB%2Fx@graph.facebook.com?page_id=1&version=v21.0").unwrap();
        assert_eq!(s.token.expose(), "EAAB/x");
        assert!(s.base_url.is_none());
        assert_eq!(s.version.as_deref(), Some("v21.0"));
        assert_eq!(id, "1");
    }

    #[test]
    fn loopback_with_port_and_http() {
        let (s, _) = parse(
            "facebook://t@127.0.0.1:8123?page_id=1&scheme=http&wait=2&poll=0.01&token_in=header&expires_at=2026-05-01T00:00:00Z",
        )
        .unwrap();
        assert_eq!(
            s.api_base("graph.facebook.com", "v23.0").unwrap().as_str(),
            "http://127.0.0.1:8123/v23.0/"
        );
        assert_eq!(s.container_wait.max_wait, Duration::from_secs(2));
        assert_eq!(s.token_in, TokenPlacement::Header);
        assert!(s.token_expires_at.is_some());
    }

    #[test]
    fn errors_never_echo_the_token() {
        for bad in [
            "facebook://S3CRETTOKEN@graph.facebook.com/v23.0?page_id=1",
            "facebook://S3CRETTOKEN@graph.facebook.com?page_id=1&version=23",
            "facebook://S3CRETTOKEN:pw@graph.facebook.com?page_id=1",
            "facebook://S3CRETTOKEN@graph.facebook.com?page_id=1&scheme=ftp",
            "facebook://S3CRETTOKEN@graph.facebook.com?page_id=1&wait=-1",
            "facebook://S3CRETTOKEN@graph.facebook.com?page_id=1&scan_posts=0",
            "facebook://S3CRETTOKEN@graph.facebook.com?page_id=1&expires_at=soon",
            "facebook://S3CRETTOKEN@graph.facebook.com?page_id=1&S3CRETTOKEN=1",
            "facebook://S3CRETTOKEN@graph.facebook.com?page_id=1/../me",
            "facebook://S3CRETTOKEN@graph.facebook.com",
            "instagram://S3CRETTOKEN@graph.facebook.com?page_id=1",
            "facebook://graph.facebook.com?page_id=1",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::ConfigInvalid, "{bad}");
            assert!(!e.to_string().contains("S3CRET"), "{e}");
            assert!(!format!("{e:?}").contains("S3CRET"), "{e:?}");
        }
    }

    #[test]
    fn ids_may_have_underscores() {
        let (_, id) = parse("facebook://t@graph.facebook.com?page_id=12_3").unwrap();
        assert_eq!(id, "12_3");
        assert!(check_id("facebook", "page_id", "").is_err());
    }
}
