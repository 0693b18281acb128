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
use crate::auth::{ClientAuth, OAuth2Client, OAuth2Config, OAuth2Refresher, Refresher};
use crate::http::Client;

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

/// The channel's refresher (the `refresh_token` grant; a rotated refresh token replaces the
/// old one), when it has a refresh token and the app's key and secret.
pub(crate) fn refresher(channel: &TikTokConfig, http: &Client) -> Option<Arc<dyn Refresher>> {
    channel.refresh_token.as_ref()?;
    let (key, secret) = (
        channel.client_key.as_ref()?,
        channel.client_secret.as_ref()?,
    );
    let mut oauth = config(key, secret.expose(), "");
    oauth.token_url = channel.token_url.clone();
    Some(Arc::new(OAuth2Refresher::new(
        OAuth2Client::new(PLATFORM, oauth),
        http.clone(),
    )))
}
