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
//! Facebook Login's dialog ([`FACEBOOK_DIALOG`]) hands back a code that [`fb_exchange_code`]
//! redeems for the short-lived user token; Threads' authorization window
//! ([`THREADS_AUTHORIZE`]) hands back a code redeemed with a standard OAuth 2.0 token request at
//! `{THREADS_GRAPH}/oauth/access_token`. [`debug_token`] then says which permissions were
//! granted ([`TokenInfo::require_scopes`]).
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

/// Where Facebook Login's dialog lives: `{FACEBOOK_DIALOG}/{version}/dialog/oauth` (source:
/// <https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow>).
///
/// ```
/// assert_eq!(socialkit::auth::meta::FACEBOOK_DIALOG, "https://www.facebook.com");
/// ```
pub const FACEBOOK_DIALOG: &str = "https://www.facebook.com";
/// Threads' authorization window (source:
/// <https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions>).
///
/// ```
/// assert!(socialkit::auth::meta::THREADS_AUTHORIZE.ends_with("/oauth/authorize"));
/// ```
pub const THREADS_AUTHORIZE: &str = "https://threads.net/oauth/authorize";

/// Redeems the code Facebook Login's dialog sent back for a short-lived user token:
/// `GET {graph}/oauth/access_token?client_id&redirect_uri&client_secret&code` (source:
/// <https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow>). Sent once,
/// never retried; a used, expired or misdirected code is `Unauthenticated` (start again).
/// `redirect_uri` must be the dialog's, character for character.
///
/// ```no_run
/// # async fn demo(http: socialkit::http::Client) -> socialkit::Result<()> {
/// use socialkit::auth::{Secret, meta};
/// let graph = url::Url::parse("https://graph.facebook.com/v23.0")?;
/// let short = meta::fb_exchange_code(&http, &graph, "app-id", &Secret::new("app-secret"),
///     "http://127.0.0.1:8765/callback", &Secret::new("AQD…")).await?;
/// let long = meta::fb_exchange_token(&http, &graph, "app-id", &Secret::new("app-secret"), &short.access_token).await?;
/// # let _ = long; Ok(()) }
/// ```
pub async fn fb_exchange_code(
    http: &Client,
    graph: &Url,
    client_id: &str,
    client_secret: &Secret,
    redirect_uri: &str,
    code: &Secret,
) -> Result<Token> {
    let url = endpoint(graph, "facebook", &["oauth", "access_token"])?;
    let call = Call::get("facebook", "token_exchange", url)
        .query([
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("client_secret", client_secret.expose()),
            ("code", code.expose()),
        ])
        .redact(code)
        .redact(client_secret);
    send(http, call).await
}

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

/// What Meta's token debug endpoint says about a token (`GET {graph}/debug_token`; source:
/// <https://developers.facebook.com/docs/graph-api/reference/debug_token>, response
/// `{"data": {"app_id", "type", "application", "expires_at", "data_access_expires_at",
/// "is_valid", "issued_at", "scopes", "user_id", "profile_id", "error"}}`). `expires_at` 0
/// means the token does not expire (Page tokens from a long-lived user token).
///
/// ```
/// let info: socialkit::auth::meta::TokenInfo = serde_json::from_value(serde_json::json!({
///     "app_id": "1", "type": "PAGE", "is_valid": true, "expires_at": 0, "scopes": ["pages_manage_posts"]
/// })).unwrap();
/// assert_eq!(info.expiry(), None);
/// assert!(info.is_valid);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct TokenInfo {
    /// The app the token belongs to.
    #[serde(default)]
    pub app_id: Option<String>,
    /// `USER`, `PAGE`, `APP` …
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Whether the token works now.
    #[serde(default)]
    pub is_valid: bool,
    /// Seconds since the epoch; 0: never.
    #[serde(default)]
    pub expires_at: i64,
    /// When the app's data access (90 days from the user's last approval) ends; 0: never.
    #[serde(default)]
    pub data_access_expires_at: i64,
    /// The granted permissions.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The user the token acts for.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The Page, for a Page token.
    #[serde(default)]
    pub profile_id: Option<String>,
    /// Why an invalid token is invalid (`{"code", "message", "subcode"}`).
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

impl TokenInfo {
    /// Which of `wanted` the token was not granted.
    ///
    /// ```
    /// let info: socialkit::auth::meta::TokenInfo = serde_json::from_value(serde_json::json!({
    ///     "is_valid": true, "scopes": ["threads_basic"]
    /// })).unwrap();
    /// assert_eq!(info.missing_scopes(&["threads_basic", "threads_content_publish"]), ["threads_content_publish"]);
    /// ```
    pub fn missing_scopes(&self, wanted: &[&str]) -> Vec<String> {
        wanted
            .iter()
            .filter(|w| !self.scopes.iter().any(|s| s == *w))
            .map(|w| w.to_string())
            .collect()
    }

    /// Checks that the token was granted every scope in `required`: the connect flow's
    /// [`ConnectError::MissingScope`](super::connect::ConnectError::MissingScope)
    /// (`PermissionDenied`, naming the missing scopes) otherwise.
    ///
    /// ```
    /// use socialkit::auth::connect::ConnectError;
    /// let info: socialkit::auth::meta::TokenInfo = serde_json::from_value(serde_json::json!({
    ///     "is_valid": true, "scopes": ["pages_show_list"]
    /// })).unwrap();
    /// let err = info.require_scopes("facebook", &["pages_show_list", "pages_manage_posts"]).unwrap_err();
    /// assert_eq!(err.kind(), socialkit::ErrorKind::PermissionDenied);
    /// assert!(err.to_string().contains("pages_manage_posts"));
    /// assert!(matches!(ConnectError::of(&err), Some(ConnectError::MissingScope { .. })));
    /// ```
    pub fn require_scopes(&self, platform: &str, required: &[&str]) -> Result<()> {
        let missing = self.missing_scopes(required);
        if missing.is_empty() {
            Ok(())
        } else {
            Err(super::connect::ConnectError::MissingScope { missing }.into_error(platform))
        }
    }

    /// When the token expires; `None` when it does not.
    pub fn expiry(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        use chrono::TimeZone as _;
        (self.expires_at > 0)
            .then(|| chrono::Utc.timestamp_opt(self.expires_at, 0).single())
            .flatten()
    }
}

/// Asks Meta's token debug endpoint about `input_token`, authenticated with an app token
/// (`APP_ID|APP_SECRET`, or a token of the same app). Both stay out of logs and errors.
///
/// ```no_run
/// # async fn demo(http: socialkit::http::Client) -> socialkit::Result<()> {
/// use socialkit::auth::{Secret, meta};
/// let graph = url::Url::parse("https://graph.facebook.com/v23.0")?;
/// let info = meta::debug_token(&http, &graph, &Secret::new("EAAB…"), &Secret::new("app-id|app-secret")).await?;
/// println!("valid {}, expires {:?}", info.is_valid, info.expiry());
/// # Ok(()) }
/// ```
pub async fn debug_token(
    http: &Client,
    graph: &Url,
    input_token: &Secret,
    app_token: &Secret,
) -> Result<TokenInfo> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        data: TokenInfo,
    }
    let url = endpoint(graph, "facebook", &["debug_token"])?;
    let call = Call::get("facebook", "debug_token", url)
        .query([
            ("input_token", input_token.expose()),
            ("access_token", app_token.expose()),
        ])
        .redact(input_token)
        .redact(app_token)
        .rate_limit_style(RateLimitStyle::Meta);
    let response = http.send(call, &GraphErrorMapper).await?;
    let envelope: Envelope = response.json()?;
    Ok(envelope.data)
}

/// Fills in `token.expires_at` from the token debug endpoint when it is not known (a token
/// response without `expires_in`, a Page token, a token pasted into a config). A token Meta
/// reports invalid is an `Unauthenticated` error (reconnect), naming Meta's reason.
///
/// ```no_run
/// # async fn demo(http: socialkit::http::Client, mut token: socialkit::auth::Token) -> socialkit::Result<()> {
/// use socialkit::auth::{Secret, meta};
/// let graph = url::Url::parse("https://graph.facebook.com/v23.0")?;
/// meta::discover_expiry(&http, &graph, &mut token, &Secret::new("app-id|app-secret")).await?;
/// # Ok(()) }
/// ```
pub async fn discover_expiry(
    http: &Client,
    graph: &Url,
    token: &mut Token,
    app_token: &Secret,
) -> Result<TokenInfo> {
    let info = debug_token(http, graph, &token.access_token, app_token).await?;
    if !info.is_valid {
        let why = info
            .error
            .as_ref()
            .and_then(|e| e.get("message"))
            .and_then(|m| m.as_str())
            .unwrap_or("no reason given");
        return Err(Error::new(
            ErrorKind::Unauthenticated,
            format!("Meta reports the token invalid ({why}); reconnect the account"),
        )
        .with_platform("facebook")
        .with_operation("debug_token"));
    }
    if token.expires_at.is_none() {
        token.expires_at = info.expiry();
    }
    Ok(info)
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
/// by Meta's error subcode, then its code, falling back to [`DefaultErrorMapper`]:
///
/// | code | kind |
/// |---|---|
/// | 190, 102 | `Unauthenticated` (token invalid or expired: reconnect) |
/// | 4, 9, 17, 32, 341, 613, 80001–80014 | `RateLimited` (retry after `estimated_time_to_regain_access`) |
/// | 10, 200–299 | `PermissionDenied` |
/// | 1, 2, or `is_transient: true` | `Platform`, retryable |
/// | 368 | `ContentRejected` |
/// | 506 | `Duplicate` |
/// | 100 with subcode 33, 803 | `NotFound` (the object does not exist or cannot be loaded) |
/// | 100 | `Validation` |
///
/// Subcodes win over codes (see [`SUBCODES`]): Instagram's publishing errors (2207042 daily
/// publishing limit → `RateLimited`, 2207001 spam → `ContentRejected`, 2207010 caption too long
/// → `Validation` …) and Facebook's (1390008 posting too fast → `RateLimited`, 1366051 photo
/// already posted → `Duplicate`, 1404078 Page Publishing Authorization → `PermissionDenied` …).
/// Threads' `THREADS_API__LINK_LIMIT_EXCEEDED`, wherever it appears in the error object, is a
/// `Validation` error.
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
/// let r = Response::new("instagram", "publish", StatusCode::BAD_REQUEST, Default::default(),
///     r#"{"error":{"message":"Application request limit reached","code":4,"error_subcode":2207042}}"#);
/// assert_eq!(GraphErrorMapper.map(&r).kind(), ErrorKind::RateLimited);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct GraphErrorMapper;

/// Graph error subcodes with a meaning of their own, and the kind each maps to. Checked before
/// the error code. Sources: Meta's error-handling guide, Instagram content publishing
/// troubleshooting, and Postiz's Facebook/Instagram providers (3rd-party).
///
/// ```
/// use socialkit::auth::meta::SUBCODES;
/// assert!(SUBCODES.iter().any(|(sub, kind, _)| *sub == 2207042 && *kind == socialkit::ErrorKind::RateLimited));
/// ```
pub const SUBCODES: &[(i64, ErrorKind, &str)] = &[
    (
        33,
        ErrorKind::NotFound,
        "the object does not exist or cannot be loaded with this token",
    ),
    (
        36007,
        ErrorKind::Unauthenticated,
        "the authorization code has expired; start the connection again",
    ),
    (
        36008,
        ErrorKind::Unauthenticated,
        "the authorization code was issued for another redirect_uri; start the connection again",
    ),
    (
        36009,
        ErrorKind::Unauthenticated,
        "the authorization code was already used; start the connection again",
    ),
    (
        1390008,
        ErrorKind::RateLimited,
        "posting too fast; slow down",
    ),
    (
        2207042,
        ErrorKind::RateLimited,
        "the daily publishing limit is reached",
    ),
    (
        1366051,
        ErrorKind::Duplicate,
        "this photo was already posted",
    ),
    (
        1404078,
        ErrorKind::PermissionDenied,
        "the Page needs Page Publishing Authorization",
    ),
    (
        1346003,
        ErrorKind::ContentRejected,
        "the content goes against community standards",
    ),
    (
        1404102,
        ErrorKind::ContentRejected,
        "the content goes against community standards",
    ),
    (
        2207001,
        ErrorKind::ContentRejected,
        "the post was flagged as spam",
    ),
    (
        2207050,
        ErrorKind::ContentRejected,
        "the account is restricted",
    ),
    (
        2207051,
        ErrorKind::ContentRejected,
        "the request was blocked",
    ),
    (2207010, ErrorKind::Validation, "the caption is too long"),
    (2207004, ErrorKind::Validation, "the image is too large"),
    (
        2207005,
        ErrorKind::Validation,
        "the image format is not supported",
    ),
    (
        2207009,
        ErrorKind::Validation,
        "the aspect ratio is not supported",
    ),
    (
        36003,
        ErrorKind::Validation,
        "the aspect ratio is not supported",
    ),
    (
        36001,
        ErrorKind::Validation,
        "the image resolution is not supported",
    ),
    (
        2207026,
        ErrorKind::Validation,
        "the video format is not supported",
    ),
    (2207028, ErrorKind::Validation, "the carousel is invalid"),
    (
        2207052,
        ErrorKind::Validation,
        "the media could not be fetched from its URL",
    ),
    (
        1609005,
        ErrorKind::Validation,
        "the link could not be fetched",
    ),
    (2207006, ErrorKind::NotFound, "the media was not found"),
    (
        2207003,
        ErrorKind::Platform,
        "downloading the media timed out",
    ),
    (
        2207020,
        ErrorKind::Platform,
        "the media container expired; create a new one",
    ),
    (
        2207008,
        ErrorKind::Platform,
        "the media container expired; create a new one",
    ),
    (
        2207027,
        ErrorKind::Platform,
        "the media is not ready for publishing yet",
    ),
];

/// Threads' error for a post with more than five links.
///
/// ```
/// assert_eq!(socialkit::auth::meta::THREADS_LINK_LIMIT, "THREADS_API__LINK_LIMIT_EXCEEDED");
/// ```
pub const THREADS_LINK_LIMIT: &str = "THREADS_API__LINK_LIMIT_EXCEEDED";

fn mentions_link_limit(error: &serde_json::Value) -> bool {
    match error {
        serde_json::Value::String(s) => s.contains(THREADS_LINK_LIMIT),
        serde_json::Value::Object(o) => o.values().any(mentions_link_limit),
        serde_json::Value::Array(a) => a.iter().any(mentions_link_limit),
        _ => false,
    }
}

fn classify(code: i64, subcode: Option<i64>, transient: bool) -> Option<(ErrorKind, &'static str)> {
    if let Some(sub) = subcode {
        let found = SUBCODES
            .iter()
            .find(|(s, _, _)| *s == sub && (sub != 33 || code == 100));
        if let Some((_, kind, what)) = found {
            return Some((*kind, what));
        }
    }
    Some(match code {
        190 | 102 => (
            ErrorKind::Unauthenticated,
            "the access token is invalid or expired; the account must be reconnected",
        ),
        4 | 9 | 17 | 32 | 341 | 613 | 80001..=80014 => (
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
        803 => (ErrorKind::NotFound, "the object does not exist"),
        100 => (ErrorKind::Validation, "a parameter is invalid"),
        1 | 2 => (ErrorKind::Platform, "a temporary Graph API failure"),
        _ if transient => (ErrorKind::Platform, "a temporary Graph API failure"),
        _ => return None,
    })
}

impl ErrorMapper for GraphErrorMapper {
    fn map(&self, response: &Response) -> Error {
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(response.body()) else {
            return DefaultErrorMapper.map(response);
        };
        let Some(error) = json.get("error").filter(|e| e.is_object()) else {
            return DefaultErrorMapper.map(response);
        };
        let platform = response.platform();
        let code = error.get("code").and_then(serde_json::Value::as_i64);
        if mentions_link_limit(error) {
            let err = response.error(
                ErrorKind::Validation,
                format!("{platform}: the post has more than 5 links ({THREADS_LINK_LIMIT})"),
            );
            return with_graph_details(err, code, error);
        }
        let Some(code) = code else {
            return DefaultErrorMapper.map(response);
        };
        let subcode = error
            .get("error_subcode")
            .and_then(serde_json::Value::as_i64);
        let transient = error
            .get("is_transient")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        let Some((kind, what)) = classify(code, subcode, transient) else {
            return with_graph_details(DefaultErrorMapper.map(response), Some(code), error);
        };
        let message = match subcode {
            Some(sub) => format!("{platform}: {what} (code {code}, subcode {sub})"),
            None => format!("{platform}: {what} (code {code})"),
        };
        let mut err = response.error(kind, message);
        if transient || kind == ErrorKind::Platform {
            err = err.with_retryable(true);
        }
        with_graph_details(err, Some(code), error)
    }
}

fn with_graph_details(err: Error, code: Option<i64>, error: &serde_json::Value) -> Error {
    let err = match code {
        Some(code) => err.with_platform_code(code.to_string()),
        None => err,
    };
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
    fn subcodes_win_over_codes() {
        let cases = [
            (100, 33, ErrorKind::NotFound),
            (4, 2207042, ErrorKind::RateLimited),
            (368, 1390008, ErrorKind::RateLimited),
            (100, 1366051, ErrorKind::Duplicate),
            (200, 1404078, ErrorKind::PermissionDenied),
            (100, 2207001, ErrorKind::ContentRejected),
            (100, 2207010, ErrorKind::Validation),
            (100, 2207052, ErrorKind::Validation),
            (100, 2207020, ErrorKind::Platform),
            (190, 33, ErrorKind::Unauthenticated), // 33 means "no such object" only under 100
        ];
        for (code, sub, kind) in cases {
            let body =
                format!(r#"{{"error":{{"message":"m","code":{code},"error_subcode":{sub}}}}}"#);
            let e = map(Box::leak(body.into_boxed_str()));
            assert_eq!(e.kind(), kind, "{code}/{sub}");
            assert_eq!(
                e.is_retryable(),
                kind.is_retryable_by_default(),
                "{code}/{sub}"
            );
        }
        assert_eq!(
            map(r#"{"error":{"message":"gone","code":803}}"#).kind(),
            ErrorKind::NotFound
        );
    }

    #[test]
    fn threads_link_limit_is_validation_wherever_it_appears() {
        for body in [
            r#"{"error":{"message":"THREADS_API__LINK_LIMIT_EXCEEDED","type":"THApiException","code":100}}"#,
            r#"{"error":{"message":"Invalid parameter","code":"THREADS_API__LINK_LIMIT_EXCEEDED"}}"#,
            r#"{"error":{"message":"x","code":1,"error_user_title":"THREADS_API__LINK_LIMIT_EXCEEDED"}}"#,
        ] {
            let e = map(body);
            assert_eq!(e.kind(), ErrorKind::Validation, "{body}");
            assert!(e.message().contains("more than 5 links"));
        }
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
