//! TikTok Login Kit's OAuth 2.0 (v2), from
//! <https://developers.tiktok.com/doc/login-kit-web> (authorize) and
//! <https://developers.tiktok.com/doc/oauth-user-access-token-management> (tokens).
//!
//! TikTok names the client id `client_key`, in the authorize URL and in every token request:
//! [`client`] is an [`OAuth2Client`] for the connect flow
//! ([`crate::auth::connect::PendingConnect`]) that sends it under that name. Facts: authorize at `https://www.tiktok.com/v2/auth/authorize/` with
//! `client_key`, `scope` (comma-separated), `response_type=code`, `redirect_uri`, `state`;
//! tokens at `POST https://open.tiktokapis.com/v2/oauth/token/` (form:
//! `client_key`, `client_secret`, `grant_type`, and `code` + `redirect_uri` or
//! `refresh_token`); access tokens live 24 hours (`expires_in: 86400`), refresh tokens 365
//! days (`refresh_expires_in`), and a refresh may return a **new** refresh token, which
//! replaces the old one. Errors are `{"error": "invalid_grant", "error_description": …}`.
//!
//! ```
//! use socialkit::adapters::tiktok::oauth;
//! use socialkit::auth::connect::PendingConnect;
//! let client = oauth::client("ck123", "cs", "https://app.example/tiktok/cb");
//! let (url, pending) = PendingConnect::start(&client, false, chrono::Utc::now());
//! assert!(url.as_str().starts_with("https://www.tiktok.com/v2/auth/authorize/?response_type=code&client_key=ck123"));
//! assert!(url.as_str().contains("video.publish%2Cvideo.upload"));
//! # let _ = pending;
//! ```

use std::sync::Arc;

use url::Url;

use super::PLATFORM;
use super::config::TikTokConfig;
use crate::auth::{
    ClientAuth, OAuth2Client, OAuth2Config, OAuthErrorMapper, Refresher, Secret, Token, refresh_fn,
};
use crate::http::{Call, Client, ErrorMapper, Retry};
use crate::{Error, ErrorKind, Result};

/// Where the user authorizes the app.
pub const AUTHORIZE_URL: &str = "https://www.tiktok.com/v2/auth/authorize/";

/// What socialkit asks for: the profile and its stats (channel), the creator's videos
/// (metrics, reconciliation), Direct Post and inbox upload (scope names from
/// <https://developers.tiktok.com/doc/tiktok-api-scopes>).
pub const SCOPES: [&str; 6] = [
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.publish",
    "video.upload",
];

/// The OAuth configuration: `client_key`, comma-separated scopes, the client secret as a
/// form field.
///
/// ```
/// let c = socialkit::adapters::tiktok::oauth::config("ck", "cs", "https://app.example/cb");
/// assert_eq!(c.token_url.as_str(), "https://open.tiktokapis.com/v2/oauth/token/");
/// assert_eq!(c.client_id_param, "client_key");
/// ```
pub fn config(client_key: &str, client_secret: &str, redirect_uri: &str) -> OAuth2Config {
    OAuth2Config::new(
        client_key,
        Url::parse(AUTHORIZE_URL).unwrap_or_else(|_| unreachable!("the authorize URL is valid")),
        Url::parse(super::config::TOKEN_URL)
            .unwrap_or_else(|_| unreachable!("the token URL is valid")),
        redirect_uri,
    )
    .with_scopes(SCOPES)
    .with_scope_separator(",")
    .with_client_auth(ClientAuth::RequestBody)
    .with_client_secret(client_secret)
    .with_client_id_param("client_key")
}

/// An OAuth client for the authorize URL and the code exchange. Build the channel from the
/// token it returns ([`TikTokConfig`] with its refresh token, client key and secret).
pub fn client(client_key: &str, client_secret: &str, redirect_uri: &str) -> OAuth2Client {
    OAuth2Client::new(PLATFORM, config(client_key, client_secret, redirect_uri))
}

async fn token_request(
    http: &Client,
    token_url: &Url,
    operation: &'static str,
    form: Vec<(&str, &str)>,
    also: &[&Secret],
) -> Result<Token> {
    // The secrets this request carries are scrubbed from whatever an error answer quotes
    // (found by the adapter_tiktok fuzz target: a refresh error echoing the token leaked it).
    let secrets: Vec<Secret> = form
        .iter()
        .filter(|(k, _)| {
            matches!(
                *k,
                "refresh_token" | "client_secret" | "code" | "code_verifier"
            )
        })
        .map(|(_, v)| Secret::new(*v))
        .collect();
    let mut call = Call::post(PLATFORM, operation, token_url.clone())
        .form(form)
        // A code is single-use and a refresh may rotate: sent once.
        .retry(Retry::Never);
    for s in secrets.iter().chain(also.iter().copied()) {
        call = call.redact(s);
    }
    let response = http.send(call, &OAuthErrorMapper).await?;
    // A token answer's body is never quoted in an error: a malformed one may still hold a
    // new token (found by the adapter_tiktok fuzz target).
    let json: serde_json::Value = serde_json::from_slice(response.body()).map_err(|e| {
        response.error(
            ErrorKind::Unexpected,
            format!("tiktok answered {operation} with malformed JSON ({e})"),
        )
    })?;
    match Token::from_oauth_json(&json, http.now()) {
        Some(token) => Ok(token),
        None if json.get("error").is_some() => Err(OAuthErrorMapper.map(&response)),
        None => Err(response.error(
            ErrorKind::Unexpected,
            "tiktok answered the token request without an access_token",
        )),
    }
}

/// The channel's refresher: the `refresh_token` grant, keeping a rotated refresh token.
pub(crate) fn refresher(config: &TikTokConfig, http: &Client) -> Option<Arc<dyn Refresher>> {
    config.refresh_token.as_ref()?;
    let config = Arc::new(config.clone());
    let http = http.clone();
    Some(refresh_fn(move |current: Token| {
        let (config, http) = (config.clone(), http.clone());
        async move {
            let (Some(key), Some(secret), Some(configured)) = (
                &config.client_key,
                &config.client_secret,
                &config.refresh_token,
            ) else {
                return Err(Error::config(
                    "tiktok: refreshing needs client_key, client_secret and refresh_token",
                )
                .with_platform(PLATFORM));
            };
            let refresh = current
                .refresh_token
                .clone()
                .unwrap_or_else(|| configured.clone());
            let form = vec![
                ("client_key", key.as_str()),
                ("client_secret", secret.expose()),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose()),
            ];
            let mut token = token_request(
                &http,
                &config.token_url,
                "token_refresh",
                form,
                &[&current.access_token],
            )
            .await?;
            if token.refresh_token.is_none() {
                token.refresh_token = Some(refresh);
            }
            Ok(token)
        }
    }))
}
