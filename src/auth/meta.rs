//! Meta's long-lived token exchanges (Facebook, Instagram, Threads) and the Graph API error
//! mapper.
//!
//! Meta issues short-lived user tokens (about an hour) from the OAuth code exchange; a server
//! trades them for long-lived ones (about 60 days):
//!
//! | platform | exchange | refresh |
//! |---|---|---|
//! | Facebook | [`fb_exchange_token`]: `GET {graph}/oauth/access_token?grant_type=fb_exchange_token` | none: re-login (page tokens derived from a long-lived user token do not expire) |
//! | Instagram (Instagram Login) | [`ig_exchange_token`]: `GET {graph}/access_token?grant_type=ig_exchange_token` | [`ig_refresh_token`]: `GET {graph}/refresh_access_token?grant_type=ig_refresh_token` |
//! | Threads | [`th_exchange_token`]: `GET {graph}/access_token?grant_type=th_exchange_token` | [`th_refresh_token`]: `GET {graph}/refresh_access_token?grant_type=th_refresh_token` |
//!
//! `graph` is the API base ([`FACEBOOK_GRAPH`] — optionally with a version such as
//! `https://graph.facebook.com/v21.0` — [`INSTAGRAM_GRAPH`], [`THREADS_GRAPH`]); tests pass a
//! local server. The secrets travel in the query string, as Meta requires; the HTTP layer
//! redacts `access_token`, `client_secret` and `fb_exchange_token` from every log and error.
//! A refresh only works on a long-lived token that has not expired yet (Meta: at least 24 hours
//! old); an expired one needs a new login.
//!
//! Refresh a Threads token with a [`TokenManager`](super::TokenManager):
//!
//! ```no_run
//! use socialkit::auth::{Token, TokenManager, meta, refresh_fn};
//! # fn demo(http: socialkit::http::Client, long_lived: Token) {
//! let base = url::Url::parse(meta::THREADS_GRAPH).unwrap();
//! let manager = TokenManager::builder("threads", long_lived)
//!     .skew(std::time::Duration::from_secs(2 * 24 * 3600)) // refresh two days before expiry
//!     .refresher(refresh_fn(move |current: Token| {
//!         let (http, base) = (http.clone(), base.clone());
//!         async move { meta::th_refresh_token(&http, &base, &current.access_token).await }
//!     }))
//!     .build();
//! # let _ = manager; }
//! ```

use url::Url;

use super::oauth2::token_from_response;
use super::secret::Secret;
use super::token::Token;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{
    Call, Client, DefaultErrorMapper, ErrorMapper, RateLimitStyle, Response, redact::redact_text,
};

/// The Facebook Graph API base.
///
/// ```
/// let graph = url::Url::parse(socialkit::auth::meta::FACEBOOK_GRAPH).unwrap().join("v21.0/").unwrap();
/// assert_eq!(graph.as_str(), "https://graph.facebook.com/v21.0/");
/// ```
pub const FACEBOOK_GRAPH: &str = "https://graph.facebook.com";
/// The Instagram Graph API base (Instagram Login).
///
/// ```
/// assert!(url::Url::parse(socialkit::auth::meta::INSTAGRAM_GRAPH).is_ok());
/// ```
pub const INSTAGRAM_GRAPH: &str = "https://graph.instagram.com";
/// The Threads Graph API base.
///
/// ```
/// assert!(url::Url::parse(socialkit::auth::meta::THREADS_GRAPH).is_ok());
/// ```
pub const THREADS_GRAPH: &str = "https://graph.threads.net";

/// Trades a short-lived Facebook user token for a long-lived one (about 60 days).
///
/// ```no_run
/// # async fn demo(http: socialkit::http::Client) -> socialkit::Result<()> {
/// use socialkit::auth::{Secret, meta};
/// let graph = url::Url::parse("https://graph.facebook.com/v21.0")?;
/// let long = meta::fb_exchange_token(&http, &graph, "app-id", &Secret::new("app-secret"), &Secret::new("short")).await?;
/// assert!(long.expires_at.is_some());
/// # Ok(()) }
/// ```
pub async fn fb_exchange_token(
    http: &Client,
    graph: &Url,
    client_id: &str,
    client_secret: &Secret,
    short_lived: &Secret,
) -> Result<Token> {
    let url = endpoint(graph, "facebook", &["oauth", "access_token"])?;
    let call = Call::get("facebook", "token_exchange", url).query([
        ("grant_type", "fb_exchange_token"),
        ("client_id", client_id),
        ("client_secret", client_secret.expose()),
        ("fb_exchange_token", short_lived.expose()),
    ]);
    send(http, call).await
}

/// Trades a short-lived Threads token for a long-lived one (about 60 days).
///
/// ```
/// # async fn demo(http: socialkit::http::Client) -> socialkit::Result<()> {
/// use socialkit::auth::{Secret, meta};
/// let graph = url::Url::parse(meta::THREADS_GRAPH)?;
/// let long = meta::th_exchange_token(&http, &graph, &Secret::new("app-secret"), &Secret::new("short")).await?;
/// # let _ = long; Ok(()) }
/// ```
pub async fn th_exchange_token(
    http: &Client,
    graph: &Url,
    client_secret: &Secret,
    short_lived: &Secret,
) -> Result<Token> {
    let url = endpoint(graph, "threads", &["access_token"])?;
    let call = Call::get("threads", "token_exchange", url).query([
        ("grant_type", "th_exchange_token"),
        ("client_secret", client_secret.expose()),
        ("access_token", short_lived.expose()),
    ]);
    send(http, call).await
}

/// Refreshes a long-lived Threads token (valid, at least a day old) for another 60 days.
///
/// ```
/// # async fn demo(http: socialkit::http::Client, long: socialkit::auth::Token) -> socialkit::Result<()> {
/// use socialkit::auth::meta;
/// let graph = url::Url::parse(meta::THREADS_GRAPH)?;
/// let renewed = meta::th_refresh_token(&http, &graph, &long.access_token).await?;
/// # let _ = renewed; Ok(()) }
/// ```
pub async fn th_refresh_token(http: &Client, graph: &Url, long_lived: &Secret) -> Result<Token> {
    let url = endpoint(graph, "threads", &["refresh_access_token"])?;
    let call = Call::get("threads", "token_refresh", url).query([
        ("grant_type", "th_refresh_token"),
        ("access_token", long_lived.expose()),
    ]);
    send(http, call).await
}

/// Trades a short-lived Instagram (Instagram Login) token for a long-lived one (60 days).
///
/// ```
/// # async fn demo(http: socialkit::http::Client) -> socialkit::Result<()> {
/// use socialkit::auth::{Secret, meta};
/// let graph = url::Url::parse(meta::INSTAGRAM_GRAPH)?;
/// let long = meta::ig_exchange_token(&http, &graph, &Secret::new("app-secret"), &Secret::new("short")).await?;
/// # let _ = long; Ok(()) }
/// ```
pub async fn ig_exchange_token(
    http: &Client,
    graph: &Url,
    client_secret: &Secret,
    short_lived: &Secret,
) -> Result<Token> {
    let url = endpoint(graph, "instagram", &["access_token"])?;
    let call = Call::get("instagram", "token_exchange", url).query([
        ("grant_type", "ig_exchange_token"),
        ("client_secret", client_secret.expose()),
        ("access_token", short_lived.expose()),
    ]);
    send(http, call).await
}

/// Refreshes a long-lived Instagram token (valid, at least a day old) for another 60 days.
///
/// ```
/// # async fn demo(http: socialkit::http::Client, long: socialkit::auth::Token) -> socialkit::Result<()> {
/// use socialkit::auth::meta;
/// let graph = url::Url::parse(meta::INSTAGRAM_GRAPH)?;
/// let renewed = meta::ig_refresh_token(&http, &graph, &long.access_token).await?;
/// # let _ = renewed; Ok(()) }
/// ```
pub async fn ig_refresh_token(http: &Client, graph: &Url, long_lived: &Secret) -> Result<Token> {
    let url = endpoint(graph, "instagram", &["refresh_access_token"])?;
    let call = Call::get("instagram", "token_refresh", url).query([
        ("grant_type", "ig_refresh_token"),
        ("access_token", long_lived.expose()),
    ]);
    send(http, call).await
}

async fn send(http: &Client, call: Call) -> Result<Token> {
    let response = http
        .send(
            call.rate_limit_style(RateLimitStyle::Meta),
            &GraphErrorMapper,
        )
        .await?;
    token_from_response(&response, http.now())
}

fn endpoint(base: &Url, platform: &'static str, segments: &[&str]) -> Result<Url> {
    let mut url = base.clone();
    url.set_query(None);
    match url.path_segments_mut() {
        Ok(mut path) => {
            path.pop_if_empty().extend(segments);
        }
        Err(()) => {
            return Err(
                Error::config(format!("{base} cannot be a Graph API base URL"))
                    .with_platform(platform),
            );
        }
    }
    Ok(url)
}

/// Maps Graph API errors `{"error":{"message","type","code","error_subcode","is_transient"}}`
/// by Meta's error code, falling back to [`DefaultErrorMapper`]:
///
/// | code | kind |
/// |---|---|
/// | 190, 102 | `Unauthenticated` (token invalid or expired: reconnect) |
/// | 4, 17, 32, 341, 613, 80001–80014 | `RateLimited` (retry after `estimated_time_to_regain_access`) |
/// | 10, 200–299 | `PermissionDenied` |
/// | 1, 2, or `is_transient: true` | `Platform`, retryable |
/// | 368 | `ContentRejected` |
/// | 506 | `Duplicate` |
/// | 100 | `Validation` |
///
/// The code is the error's `platform_code`; the subcode is named in the message.
///
/// ```
/// use socialkit::ErrorKind;
/// use socialkit::auth::meta::GraphErrorMapper;
/// use socialkit::http::{ErrorMapper, Response, StatusCode};
/// let r = Response::new("facebook", "publish", StatusCode::BAD_REQUEST, Default::default(),
///     r#"{"error":{"message":"Duplicate status message","type":"OAuthException","code":506,"fbtrace_id":"x"}}"#);
/// assert_eq!(GraphErrorMapper.map(&r).kind(), ErrorKind::Duplicate);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct GraphErrorMapper;

impl ErrorMapper for GraphErrorMapper {
    fn map(&self, response: &Response) -> Error {
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(response.body()) else {
            return DefaultErrorMapper.map(response);
        };
        let Some(error) = json.get("error").filter(|e| e.is_object()) else {
            return DefaultErrorMapper.map(response);
        };
        let Some(code) = error.get("code").and_then(serde_json::Value::as_i64) else {
            return DefaultErrorMapper.map(response);
        };
        let subcode = error
            .get("error_subcode")
            .and_then(serde_json::Value::as_i64);
        let transient = error
            .get("is_transient")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        let platform = response.platform();
        let (kind, what) = match code {
            190 | 102 => (
                ErrorKind::Unauthenticated,
                "the access token is invalid or expired; the account must be reconnected",
            ),
            4 | 17 | 32 | 341 | 613 | 80001..=80014 => (
                ErrorKind::RateLimited,
                "the Graph API rate limit was reached",
            ),
            10 | 200..=299 => (
                ErrorKind::PermissionDenied,
                "a permission is missing for this operation",
            ),
            368 => (
                ErrorKind::ContentRejected,
                "the content or account is temporarily blocked by policy",
            ),
            506 => (ErrorKind::Duplicate, "the post duplicates an earlier one"),
            100 => (ErrorKind::Validation, "a parameter is invalid"),
            1 | 2 => (ErrorKind::Platform, "a temporary Graph API failure"),
            _ if transient => (ErrorKind::Platform, "a temporary Graph API failure"),
            _ => return with_graph_details(DefaultErrorMapper.map(response), code, error),
        };
        let message = match subcode {
            Some(sub) => format!("{platform}: {what} (code {code}, subcode {sub})"),
            None => format!("{platform}: {what} (code {code})"),
        };
        let mut err = response.error(kind, message);
        if transient {
            err = err.with_retryable(true);
        }
        with_graph_details(err, code, error)
    }
}

fn with_graph_details(err: Error, code: i64, error: &serde_json::Value) -> Error {
    let err = err.with_platform_code(code.to_string());
    let message = error
        .get("error_user_msg")
        .or_else(|| error.get("message"))
        .and_then(serde_json::Value::as_str);
    match message {
        Some(m) => err.with_platform_message(redact_text(m)),
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::StatusCode;
    use crate::http::header::HeaderMap;

    fn map(body: &'static str) -> Error {
        let r = Response::new(
            "facebook",
            "publish",
            StatusCode::BAD_REQUEST,
            HeaderMap::new(),
            body,
        );
        GraphErrorMapper.map(&r)
    }

    #[test]
    fn graph_codes() {
        let cases = [
            (190, ErrorKind::Unauthenticated),
            (4, ErrorKind::RateLimited),
            (17, ErrorKind::RateLimited),
            (80001, ErrorKind::RateLimited),
            (10, ErrorKind::PermissionDenied),
            (200, ErrorKind::PermissionDenied),
            (368, ErrorKind::ContentRejected),
            (506, ErrorKind::Duplicate),
            (100, ErrorKind::Validation),
            (2, ErrorKind::Platform),
        ];
        for (code, kind) in cases {
            let body = format!(
                r#"{{"error":{{"message":"m","type":"OAuthException","code":{code},"error_subcode":463}}}}"#
            );
            let e = map(Box::leak(body.into_boxed_str()));
            assert_eq!(e.kind(), kind, "{code}");
            assert_eq!(e.context().platform_code, Some(code.to_string()));
            assert!(e.message().contains("subcode 463"));
        }
    }

    #[test]
    fn transient_unknown_code_is_retryable_and_unknown_falls_back() {
        let e = map(r#"{"error":{"message":"m","code":9999,"is_transient":true}}"#);
        assert_eq!(e.kind(), ErrorKind::Platform);
        assert!(e.is_retryable());
        let e = map(r#"{"error":{"message":"m","code":9999}}"#);
        assert_eq!(e.kind(), ErrorKind::Validation); // 400 by status
        assert_eq!(e.context().platform_code.as_deref(), Some("9999"));
        let e = map("<html>");
        assert_eq!(e.kind(), ErrorKind::Validation);
    }

    #[test]
    fn endpoint_joins_paths() {
        let base = Url::parse("https://graph.facebook.com/v21.0/").unwrap();
        assert_eq!(
            endpoint(&base, "facebook", &["oauth", "access_token"])
                .unwrap()
                .as_str(),
            "https://graph.facebook.com/v21.0/oauth/access_token"
        );
        let bare = Url::parse("https://graph.threads.net").unwrap();
        assert_eq!(
            endpoint(&bare, "threads", &["access_token"])
                .unwrap()
                .as_str(),
            "https://graph.threads.net/access_token"
        );
        let bad = Url::parse("mailto:a@b").unwrap();
        assert!(endpoint(&bad, "threads", &["x"]).is_err());
    }
}
