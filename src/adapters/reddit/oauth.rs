//! Reddit's OAuth2 (<https://github.com/reddit-archive/reddit/wiki/OAuth2>): the
//! authorization-code flow for web and installed apps (through
//! [`crate::auth::connect`]), and the token requests socialkit makes itself — the password
//! grant of script apps and the `refresh_token` grant — so that they carry the channel's
//! User-Agent (reddit throttles requests without a descriptive one, the token endpoint too).
//!
//! Facts from the wiki: the authorize URL is `https://www.reddit.com/api/v1/authorize`
//! (`response_type=code`, `state`, `redirect_uri`, `duration=temporary|permanent`, `scope`
//! space-separated); only `duration=permanent` yields a refresh token; tokens are requested
//! from `https://www.reddit.com/api/v1/access_token` with HTTP Basic auth of the client id and
//! secret (an installed app's secret is the empty string); "access tokens expire after one
//! hour" (`expires_in: 3600`). Script apps use `grant_type=password` with the account's user
//! name and password and get no refresh token. The wiki does not support PKCE; the flow runs
//! without it. Whether reddit rotates refresh tokens is not documented: whatever comes back
//! is kept.
//!
//! ```
//! use socialkit::adapters::reddit::oauth;
//! use socialkit::auth::connect::PendingConnect;
//! let client = oauth::client("my-app-id", Some("my-secret"), "https://app.example/reddit/callback");
//! let (url, pending) = PendingConnect::start(&client, false, chrono::Utc::now());
//! assert!(url.as_str().starts_with("https://www.reddit.com/api/v1/authorize?"));
//! assert!(url.as_str().contains("duration=permanent"));
//! assert!(url.as_str().contains("submit"));
//! # let _ = pending;
//! ```

use std::sync::Arc;

use url::Url;

use super::PLATFORM;
use super::config::{RedditAuth, RedditConfig};
use crate::auth::{
    ClientAuth, OAuth2Client, OAuth2Config, OAuthErrorMapper, Refresher, Secret, Token, refresh_fn,
};
use crate::http::{Call, Client, ErrorMapper, RateLimitStyle, Retry};
use crate::{Error, ErrorKind, Result};

/// Where the user authorizes the app.
pub const AUTHORIZE_URL: &str = "https://www.reddit.com/api/v1/authorize";

/// What socialkit needs: who the account is, submit, edit and delete, read posts and
/// comments, the account's history (its own submissions, for reconciliation), private
/// messages (the inbox), and flair selection (scope names from
/// `https://www.reddit.com/api/v1/scopes.json` as PRAW's docs list them).
///
/// ```
/// assert!(socialkit::adapters::reddit::oauth::SCOPES.contains(&"submit"));
/// ```
pub const SCOPES: [&str; 7] = [
    "identity",
    "submit",
    "edit",
    "read",
    "history",
    "privatemessages",
    "flair",
];

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|_| unreachable!("the Reddit OAuth URLs are valid"))
}

/// The OAuth configuration of a web app (with its secret) or an installed app (`None`: HTTP
/// Basic with an empty secret, as the wiki asks), asking for a permanent grant.
///
/// ```
/// let c = socialkit::adapters::reddit::oauth::config("id", None, "https://app.example/cb");
/// assert_eq!(c.token_url.as_str(), "https://www.reddit.com/api/v1/access_token");
/// assert_eq!(c.extra_authorize_params.get("duration").map(String::as_str), Some("permanent"));
/// assert_eq!(c.client_secret.unwrap().expose(), "");
/// ```
pub fn config(client_id: &str, client_secret: Option<&str>, redirect_uri: &str) -> OAuth2Config {
    OAuth2Config::new(
        client_id,
        url(AUTHORIZE_URL),
        url(super::config::TOKEN_URL),
        redirect_uri,
    )
    .with_scopes(SCOPES)
    .with_client_auth(ClientAuth::Basic)
    .with_client_secret(client_secret.unwrap_or_default())
    .with_authorize_param("duration", "permanent")
}

/// An OAuth client for the authorize URL and the code exchange
/// ([`crate::auth::connect::PendingConnect`]). Build the channel from the token it returns
/// with [`RedditConfig`]'s `Token` auth (and its refresh token).
pub fn client(client_id: &str, client_secret: Option<&str>, redirect_uri: &str) -> OAuth2Client {
    OAuth2Client::new(PLATFORM, config(client_id, client_secret, redirect_uri))
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// One token request to the channel's token endpoint, with its User-Agent.
async fn token_request(
    http: &Client,
    config: &RedditConfig,
    operation: &'static str,
    client_id: &str,
    client_secret: &Secret,
    form: Vec<(&str, &str)>,
) -> Result<Token> {
    let pw = Secret::new(form_encode(client_secret.expose()));
    let call = Call::post(PLATFORM, operation, config.token_url.clone())
        .basic_auth(&form_encode(client_id), Some(&pw))
        .user_agent(&config.user_agent)
        .rate_limit_style(RateLimitStyle::Reddit)
        .form(form)
        // A password grant changes nothing; a refresh may rotate: sent once.
        .retry(if operation == "token_password" {
            Retry::Idempotent
        } else {
            Retry::Never
        });
    let response = http.send(call, &OAuthErrorMapper).await?;
    let json: serde_json::Value = response.json()?;
    match Token::from_oauth_json(&json, http.now()) {
        Some(token) => Ok(token),
        // Reddit answers a wrong password with 200 {"error": "invalid_grant"}.
        None if json.get("error").is_some() => Err(OAuthErrorMapper.map(&response)),
        None => Err(response.error(
            ErrorKind::Unexpected,
            "reddit answered the token request without an access_token",
        )),
    }
}

/// How the channel's token is renewed: a new password grant (script apps), the refresh
/// token (web and installed apps with `duration=permanent`), or not at all.
pub(crate) fn refresher(config: &RedditConfig, http: &Client) -> Option<Arc<dyn Refresher>> {
    let config = Arc::new(config.clone());
    let http = http.clone();
    match &config.auth {
        RedditAuth::Script { .. } => Some(refresh_fn(move |_current: Token| {
            let (config, http) = (config.clone(), http.clone());
            async move {
                let RedditAuth::Script {
                    client_id,
                    client_secret,
                    username,
                    password,
                } = &config.auth
                else {
                    return Err(Error::config("not a script app").with_platform(PLATFORM));
                };
                let form = vec![
                    ("grant_type", "password"),
                    ("username", username.as_str()),
                    ("password", password.expose()),
                ];
                token_request(
                    &http,
                    &config,
                    "token_password",
                    client_id,
                    client_secret,
                    form,
                )
                .await
            }
        })),
        RedditAuth::Token {
            refresh_token: Some(_),
            client_id: Some(_),
            ..
        } => Some(refresh_fn(move |current: Token| {
            let (config, http) = (config.clone(), http.clone());
            async move {
                let RedditAuth::Token {
                    client_id: Some(client_id),
                    client_secret,
                    refresh_token: Some(configured),
                    ..
                } = &config.auth
                else {
                    return Err(Error::config("no refresh token").with_platform(PLATFORM));
                };
                let refresh = current
                    .refresh_token
                    .clone()
                    .unwrap_or_else(|| configured.clone());
                let secret = client_secret.clone().unwrap_or_else(|| Secret::new(""));
                let form = vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh.expose()),
                ];
                let mut token =
                    token_request(&http, &config, "token_refresh", client_id, &secret, form)
                        .await?;
                if token.refresh_token.is_none() {
                    token.refresh_token = Some(refresh);
                }
                Ok(token)
            }
        })),
        RedditAuth::Token { .. } => None,
    }
}
