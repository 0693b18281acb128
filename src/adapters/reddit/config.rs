//! The Reddit channel URLs and config.
//!
//! Reddit has three kinds of app (<https://github.com/reddit-archive/reddit/wiki/OAuth2>, "App
//! types"); socialkit talks to every one with a bearer token at `https://oauth.reddit.com`
//! and gets tokens at `https://www.reddit.com/api/v1/access_token`:
//!
//! - **Script app** (runs on your own server, only for the account that made it): the
//!   password grant, `reddit://CLIENT_ID:CLIENT_SECRET@oauth.reddit.com?username=…&password=…&user_agent=…`.
//!   The token is fetched on first use and fetched again with the password when it expires
//!   (tokens live an hour; a script app gets no refresh token).
//! - **Web app** (confidential) or **installed app** (no secret: HTTP Basic with an empty
//!   password, as the wiki says): the authorization-code flow of [`super::oauth`] with
//!   `duration=permanent`, then `reddit://ACCESS_TOKEN@oauth.reddit.com?user_agent=…&refresh_token=…&client_id=…[&client_secret=…]`.
//!   Without `refresh_token` the token is used until Reddit refuses it.
//!
//! Every URL needs `user_agent`: Reddit's API rules
//! (<https://github.com/reddit-archive/reddit/wiki/API#rules>) ask for a unique, descriptive
//! User-Agent of the form `<platform>:<app ID>:<version string> (by /u/<reddit username>)` and
//! throttle generic ones, so a config without one in that form is [`ConfigInvalid`](crate::ErrorKind::ConfigInvalid).
//!
//! Where posts go: `subreddit=NAME` (without `r/`), or the account's profile when it is left
//! out (`u_<username>`, the profile's own subreddit). `flair_id` (and `flair_text` where the
//! template lets users edit it) selects the link flair for subreddits that require one
//! ([`Reddit::link_flairs`](super::Reddit::link_flairs) lists them).
//!
//! `scheme=http` talks plain HTTP to a twin on loopback; its token endpoint is then
//! `/api/v1/access_token` on the same host. No error repeats the URL, a token or a password.
//!
//! ```
//! use socialkit::adapters::reddit::{RedditAuth, RedditConfig};
//! let c = RedditConfig::from_url_str(
//!     "reddit://AppId:Sh4re@oauth.reddit.com?username=acme_bot&password=pw%21&user_agent=server:acme-poster:1.0%20(by%20/u/acme_bot)&subreddit=acme",
//! ).unwrap();
//! assert!(matches!(&c.auth, RedditAuth::Script { username, .. } if username == "acme_bot"));
//! assert_eq!(c.subreddit.as_deref(), Some("acme"));
//! assert_eq!(c.token_url.as_str(), "https://www.reddit.com/api/v1/access_token");
//! assert!(!format!("{c:?}").contains("Sh4re") && !format!("{c:?}").contains("pw!"));
//! // No User-Agent, or a generic one: refused before anything is sent.
//! let e = RedditConfig::from_url_str("reddit://tok@oauth.reddit.com").unwrap_err();
//! assert_eq!(e.kind(), socialkit::ErrorKind::ConfigInvalid);
//! assert!(RedditConfig::from_url_str("reddit://tok@oauth.reddit.com?user_agent=curl/8").is_err());
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::PLATFORM;
use crate::auth::{Secret, parse_base_url, percent_decode};
use crate::{Error, Result};

/// The API base for OAuth clients.
///
/// ```
/// assert_eq!(socialkit::adapters::reddit::config::API_BASE, "https://oauth.reddit.com/");
/// ```
pub const API_BASE: &str = "https://oauth.reddit.com/";
/// Where tokens are issued (every grant).
pub const TOKEN_URL: &str = "https://www.reddit.com/api/v1/access_token";

/// How the adapter gets its bearer token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RedditAuth {
    /// A script app: the password grant for the app's own account.
    Script {
        /// The app's client id.
        client_id: String,
        /// The app's secret.
        client_secret: Secret,
        /// The account's user name (without `u/`).
        username: String,
        /// The account's password.
        password: Secret,
    },
    /// A token from the authorization-code flow (web or installed app), refreshed with the
    /// refresh token when there is one.
    Token {
        /// The access token.
        access_token: Secret,
        /// When it expires, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<DateTime<Utc>>,
        /// The refresh token (`duration=permanent`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refresh_token: Option<Secret>,
        /// The app's client id (needed to refresh).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// The web app's secret; none for an installed app.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_secret: Option<Secret>,
    },
}

/// How to reach one Reddit account and where it posts. Serde form:
///
/// ```
/// use socialkit::adapters::reddit::RedditConfig;
/// let c: RedditConfig = serde_json::from_value(serde_json::json!({
///     "auth": {"type": "token", "access_token": "t0k"},
///     "user_agent": "web:acme-social:2.1 (by /u/acme)",
///     "subreddit": "acme",
///     "flair_id": "2f9c0c1e-0000-11ee-a0b1-0e0f1a2b3c4d"
/// })).unwrap();
/// assert!(c.validate().is_ok());
/// assert_eq!(c.base_url.as_str(), "https://oauth.reddit.com/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedditConfig {
    /// How tokens are obtained.
    pub auth: RedditAuth,
    /// The descriptive User-Agent Reddit requires (`<platform>:<app ID>:<version> (by /u/<name>)`).
    pub user_agent: String,
    /// The subreddit posts go to (without `r/`); `None`: the account's profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subreddit: Option<String>,
    /// The link flair template to select on every post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flair_id: Option<String>,
    /// The flair's text, where the template lets users edit it (needs `flair_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flair_text: Option<String>,
    /// The account's user name, when known (saves `GET /api/v1/me`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The API base (tests point it at a twin).
    #[serde(default = "default_base", deserialize_with = "de_url")]
    pub base_url: Url,
    /// The token endpoint.
    #[serde(default = "default_token_url", deserialize_with = "de_token_url")]
    pub token_url: Url,
}

fn fixed(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|_| unreachable!("the Reddit URLs are valid"))
}

fn default_base() -> Url {
    fixed(API_BASE)
}

fn default_token_url() -> Url {
    fixed(TOKEN_URL)
}

fn de_url<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    parse_base_url(PLATFORM, &s).map_err(|e| serde::de::Error::custom(e.message().to_string()))
}

fn de_token_url<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    Url::parse(s.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| serde::de::Error::custom("the reddit token_url is not an http(s) URL"))
}

fn fail(m: &str) -> Error {
    Error::config(m.to_string()).with_platform(PLATFORM)
}

/// Whether `ua` has the documented form `<platform>:<app ID>:<version string> (by /u/<name>)`
/// (`by u/<name>` is accepted too).
///
/// ```
/// use socialkit::adapters::reddit::config::is_descriptive_user_agent;
/// assert!(is_descriptive_user_agent("android:com.example.myredditapp:v1.2.3 (by /u/kemitche)"));
/// assert!(!is_descriptive_user_agent("python-requests/2.31"));
/// assert!(!is_descriptive_user_agent("web:app:1.0"));
/// ```
pub fn is_descriptive_user_agent(ua: &str) -> bool {
    if ua.chars().any(char::is_control) || ua.len() > 256 {
        return false;
    }
    let Some((head, contact)) = ua.split_once(" (by ") else {
        return false;
    };
    let user = contact
        .strip_suffix(')')
        .map(|c| c.trim_start_matches('/').trim_start_matches("u/"));
    let parts: Vec<&str> = head.splitn(3, ':').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.trim().is_empty()) && user.is_some_and(is_username)
}

/// Reddit user names: 3–20 letters, digits, `_` or `-`.
pub(crate) fn is_username(s: &str) -> bool {
    (3..=20).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Subreddit names: 3–21 letters, digits or `_`, not starting with `_`; or a profile's
/// `u_<username>`.
pub(crate) fn is_subreddit(s: &str) -> bool {
    if let Some(user) = s.strip_prefix("u_") {
        return is_username(user);
    }
    (3..=21).contains(&s.len())
        && !s.starts_with('_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl RedditConfig {
    /// A config for an access token (from the authorization-code flow), posting to the
    /// account's profile.
    ///
    /// ```
    /// use socialkit::adapters::reddit::RedditConfig;
    /// let c = RedditConfig::token("t", "web:acme:1.0 (by /u/acme)").unwrap();
    /// assert!(c.subreddit.is_none());
    /// assert!(RedditConfig::token("t", "Mozilla/5.0").is_err());
    /// ```
    pub fn token(access_token: impl Into<Secret>, user_agent: impl Into<String>) -> Result<Self> {
        let c = RedditConfig {
            auth: RedditAuth::Token {
                access_token: access_token.into(),
                expires_at: None,
                refresh_token: None,
                client_id: None,
                client_secret: None,
            },
            user_agent: user_agent.into(),
            subreddit: None,
            flair_id: None,
            flair_text: None,
            username: None,
            base_url: default_base(),
            token_url: default_token_url(),
        };
        c.validate()?;
        Ok(c)
    }

    /// A config for a script app (password grant).
    ///
    /// ```
    /// use socialkit::adapters::reddit::RedditConfig;
    /// let c = RedditConfig::script("id", "secret", "acme_bot", "pw", "server:acme:1.0 (by /u/acme_bot)").unwrap();
    /// assert_eq!(c.username.as_deref(), Some("acme_bot"));
    /// ```
    pub fn script(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        username: impl Into<String>,
        password: impl Into<Secret>,
        user_agent: impl Into<String>,
    ) -> Result<Self> {
        let username = username.into();
        let c = RedditConfig {
            auth: RedditAuth::Script {
                client_id: client_id.into(),
                client_secret: client_secret.into(),
                username: username.clone(),
                password: password.into(),
            },
            user_agent: user_agent.into(),
            subreddit: None,
            flair_id: None,
            flair_text: None,
            username: Some(username),
            base_url: default_base(),
            token_url: default_token_url(),
        };
        c.validate()?;
        Ok(c)
    }

    /// Posts to `subreddit` (without `r/`).
    ///
    /// ```
    /// use socialkit::adapters::reddit::RedditConfig;
    /// let c = RedditConfig::token("t", "web:acme:1.0 (by /u/acme)").unwrap();
    /// assert!(c.clone().in_subreddit("r/rust").is_err());
    /// assert_eq!(c.in_subreddit("rust").unwrap().subreddit.as_deref(), Some("rust"));
    /// ```
    pub fn in_subreddit(mut self, subreddit: impl Into<String>) -> Result<Self> {
        self.subreddit = Some(subreddit.into());
        self.validate()?;
        Ok(self)
    }

    /// Points the config at another API base (a twin); the token endpoint moves with it.
    pub fn with_base_url(mut self, base: &str) -> Result<Self> {
        self.base_url = parse_base_url(PLATFORM, base)?;
        self.token_url = token_url_for(&self.base_url)?;
        Ok(self)
    }

    /// Checks the User-Agent, names and credentials.
    pub fn validate(&self) -> Result<()> {
        if self.user_agent.trim().is_empty() {
            return Err(fail(
                "reddit requires a User-Agent: set user_agent to `<platform>:<app ID>:<version> (by /u/<your reddit username>)`",
            ));
        }
        if !is_descriptive_user_agent(&self.user_agent) {
            return Err(fail(
                "the reddit user_agent must have the form `<platform>:<app ID>:<version> (by /u/<your reddit username>)`: reddit throttles generic ones",
            ));
        }
        if let Some(sr) = &self.subreddit {
            if !is_subreddit(sr) {
                return Err(fail(
                    "subreddit must be a subreddit name without r/ (3-21 letters, digits or _) or u_<username>",
                ));
            }
        }
        if self.flair_text.is_some() && self.flair_id.is_none() {
            return Err(fail(
                "flair_text needs flair_id (the flair template it edits)",
            ));
        }
        if self
            .flair_text
            .as_deref()
            .is_some_and(|t| t.chars().count() > 64)
        {
            return Err(fail("flair_text is longer than reddit's 64 characters"));
        }
        if self.username.as_deref().is_some_and(|u| !is_username(u)) {
            return Err(fail("username must be a reddit user name without u/"));
        }
        match &self.auth {
            RedditAuth::Script {
                client_id,
                client_secret,
                username,
                password,
            } => {
                if client_id.trim().is_empty() || client_secret.expose().is_empty() {
                    return Err(fail("a reddit script app needs its client id and secret"));
                }
                if !is_username(username) {
                    return Err(fail("username must be a reddit user name without u/"));
                }
                if password.expose().is_empty() {
                    return Err(fail("a reddit script app needs the account's password"));
                }
            }
            RedditAuth::Token {
                access_token,
                refresh_token,
                client_id,
                ..
            } => {
                if access_token.expose().trim().is_empty() && refresh_token.is_none() {
                    return Err(fail("the reddit access token is empty"));
                }
                if refresh_token.is_some() && client_id.as_deref().is_none_or(str::is_empty) {
                    return Err(fail(
                        "refreshing a reddit token needs client_id (and client_secret for a web app)",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Parses a `reddit://…` channel URL (see the module docs).
    pub fn from_url_str(url: &str) -> Result<Self> {
        let parsed =
            Url::parse(url).map_err(|_| fail("the reddit channel URL is not a valid URL"))?;
        Self::from_url(&parsed)
    }

    /// Builds the config from a parsed channel URL.
    pub fn from_url(url: &Url) -> Result<Self> {
        const KNOWN: [&str; 11] = [
            "scheme",
            "user_agent",
            "subreddit",
            "flair_id",
            "flair_text",
            "username",
            "password",
            "refresh_token",
            "client_id",
            "client_secret",
            "expires_at",
        ];
        if url.scheme() != PLATFORM {
            return Err(fail("a reddit channel URL starts with reddit://"));
        }
        let mut params: Vec<(String, String)> = Vec::new();
        for (k, v) in url.query_pairs() {
            if !KNOWN.contains(&k.as_ref()) {
                return Err(fail(&format!(
                    "the reddit channel URL has an unknown parameter; known: {}",
                    KNOWN.join(", ")
                )));
            }
            if params.iter().any(|(n, _)| n == k.as_ref()) {
                return Err(fail("the reddit channel URL repeats a parameter"));
            }
            params.push((k.into_owned(), v.into_owned()));
        }
        let param = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let host = url
            .host_str()
            .ok_or_else(|| fail("the reddit channel URL has no host"))?;
        let scheme = match param("scheme").as_deref() {
            None | Some("https") => "https",
            Some("http") => "http",
            Some(_) => return Err(fail("scheme must be http or https")),
        };
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let base_url = parse_base_url(PLATFORM, &format!("{scheme}://{host}{port}/"))?;
        let token_url = token_url_for(&base_url)?;
        let user = percent_decode(url.username())
            .filter(|u| !u.is_empty())
            .ok_or_else(|| {
                fail("a reddit channel URL is reddit://ACCESS_TOKEN@oauth.reddit.com?… or reddit://CLIENT_ID:CLIENT_SECRET@oauth.reddit.com?username=…&password=…")
            })?;
        let auth = match url.password().and_then(percent_decode) {
            Some(client_secret) => RedditAuth::Script {
                client_id: user,
                client_secret: Secret::new(client_secret),
                username: param("username")
                    .ok_or_else(|| fail("a reddit script app URL needs username"))?,
                password: Secret::new(
                    param("password")
                        .ok_or_else(|| fail("a reddit script app URL needs password"))?,
                ),
            },
            None => RedditAuth::Token {
                access_token: Secret::new(user),
                expires_at: match param("expires_at") {
                    None => None,
                    Some(v) => Some(
                        DateTime::parse_from_rfc3339(&v)
                            .map_err(|_| fail("expires_at must be an RFC 3339 instant"))?
                            .with_timezone(&Utc),
                    ),
                },
                refresh_token: param("refresh_token").map(Secret::new),
                client_id: param("client_id"),
                client_secret: param("client_secret").map(Secret::new),
            },
        };
        if matches!(auth, RedditAuth::Token { .. }) && param("password").is_some() {
            return Err(fail(
                "password belongs to a script app URL: reddit://CLIENT_ID:CLIENT_SECRET@…",
            ));
        }
        let username = match &auth {
            RedditAuth::Script { username, .. } => Some(username.clone()),
            RedditAuth::Token { .. } => param("username"),
        };
        let config = RedditConfig {
            auth,
            user_agent: param("user_agent").unwrap_or_default(),
            subreddit: param("subreddit"),
            flair_id: param("flair_id"),
            flair_text: param("flair_text"),
            username,
            base_url,
            token_url,
        };
        config.validate()?;
        Ok(config)
    }

    /// Where posts go: the subreddit, or the profile of `username`.
    pub(crate) fn target(&self, username: &str) -> String {
        self.subreddit
            .clone()
            .unwrap_or_else(|| format!("u_{username}"))
    }

    /// The URL of an API path (`api/submit`).
    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.base_url
            .join(path.trim_start_matches('/'))
            .map_err(|_| fail("cannot build the reddit URL"))
    }
}

/// The token endpoint for an API base: Reddit's own for `oauth.reddit.com`, else the same
/// host (a twin).
fn token_url_for(base: &Url) -> Result<Url> {
    if base.host_str() == Some("oauth.reddit.com") {
        return Ok(default_token_url());
    }
    base.join("api/v1/access_token")
        .map_err(|_| fail("cannot build the reddit token URL"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = "user_agent=server%3Aacme%3A1.0%20(by%20%2Fu%2Facme_bot)";

    #[test]
    fn url_forms() {
        let c = RedditConfig::from_url_str(&format!(
            "reddit://tok@127.0.0.1:9?scheme=http&{UA}&refresh_token=r1&client_id=app"
        ))
        .unwrap();
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:9/");
        assert_eq!(
            c.token_url.as_str(),
            "http://127.0.0.1:9/api/v1/access_token"
        );
        assert!(matches!(
            &c.auth,
            RedditAuth::Token { refresh_token: Some(r), client_id: Some(id), .. } if r.expose() == "r1" && id == "app"
        ));
        assert_eq!(c.user_agent, "server:acme:1.0 (by /u/acme_bot)");
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(serde_json::from_value::<RedditConfig>(json).unwrap(), c);
    }

    #[test]
    fn bad_urls_are_config_errors_without_secrets() {
        for bad in [
            "reddit://oauth.reddit.com".to_string(),
            "reddit://Zq9tok@oauth.reddit.com".to_string(),
            format!("reddit://Zq9tok@oauth.reddit.com?{UA}&subreddit=r/rust"),
            format!("reddit://Zq9tok@oauth.reddit.com?{UA}&access_token=Zq9tok"),
            format!("reddit://Zq9tok@oauth.reddit.com?{UA}&password=Zq9pw"),
            format!("reddit://Zq9tok@oauth.reddit.com?{UA}&refresh_token=Zq9r"),
            format!("reddit://app:Zq9sec@oauth.reddit.com?{UA}&username=acme_bot"),
            format!("reddit://app:Zq9sec@oauth.reddit.com?{UA}&password=Zq9pw"),
            format!("reddit://Zq9tok@oauth.reddit.com?{UA}&flair_text=News"),
            format!("reddit://Zq9tok@oauth.reddit.com?{UA}&scheme=ftp"),
            "reddit://Zq9tok@oauth.reddit.com?user_agent=Zq9-bot".to_string(),
        ] {
            let e = RedditConfig::from_url_str(&bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::ConfigInvalid, "{bad}");
            assert!(!e.to_string().contains("Zq9"), "{bad}: {e}");
        }
    }

    #[test]
    fn names() {
        assert!(is_subreddit("rust") && is_subreddit("u_acme_bot") && is_subreddit("AskReddit"));
        assert!(!is_subreddit("ab") && !is_subreddit("_x_y") && !is_subreddit("a-b-c"));
        assert!(is_username("acme-bot_1") && !is_username("me"));
    }
}
