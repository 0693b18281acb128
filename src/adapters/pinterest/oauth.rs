//! Pinterest's OAuth 2.0 (<https://developers.pinterest.com/docs/getting-started/authentication-and-scopes/>,
//! and `securitySchemes.pinterest_oauth2` of the OpenAPI description): authorize at
//! `https://www.pinterest.com/oauth/` (scopes comma-separated), tokens at `POST
//! https://api.pinterest.com/v5/oauth/token` with HTTP Basic client auth and a form body
//! (`grant_type=authorization_code` with `code` and `redirect_uri`, or
//! `grant_type=refresh_token` with `refresh_token`). Access tokens live 30 days, refresh
//! tokens a year; the refresh answer (`OauthAccessTokenResponseRefresh`) carries a refresh
//! token, which replaces the stored one.
//!
//! ```
//! use socialkit::adapters::pinterest::oauth;
//! use socialkit::auth::connect::PendingConnect;
//! let client = oauth::client("1484", "secret", "https://app.example/pinterest/cb");
//! let (url, _pending) = PendingConnect::start(&client, false, chrono::Utc::now());
//! assert!(url.as_str().starts_with("https://www.pinterest.com/oauth/?response_type=code&client_id=1484"));
//! assert!(url.as_str().contains("pins%3Awrite"));
//! ```

use std::sync::Arc;

use url::Url;

use super::PLATFORM;
use super::config::PinterestConfig;
use crate::auth::{ClientAuth, OAuth2Client, OAuth2Config, OAuth2Refresher, Refresher};
use crate::http::Client;

/// Where the user authorizes the app.
pub const AUTHORIZE_URL: &str = "https://www.pinterest.com/oauth/";

/// What socialkit needs: the account, boards and sections (to choose one), pins to read and
/// write (scope names from the OpenAPI description's `pinterest_oauth2` scopes).
pub const SCOPES: [&str; 4] = [
    "user_accounts:read",
    "boards:read",
    "pins:read",
    "pins:write",
];

/// The OAuth configuration with `token_url`.
fn config_at(
    client_id: &str,
    client_secret: &str,
    redirect_uri: &str,
    token_url: Url,
) -> OAuth2Config {
    OAuth2Config::new(
        client_id,
        Url::parse(AUTHORIZE_URL).unwrap_or_else(|_| unreachable!("the authorize URL is valid")),
        token_url,
        redirect_uri,
    )
    .with_scopes(SCOPES)
    .with_scope_separator(",")
    .with_client_auth(ClientAuth::Basic)
    .with_client_secret(client_secret)
}

/// The OAuth configuration.
///
/// ```
/// let c = socialkit::adapters::pinterest::oauth::config("1484", "s", "https://app.example/cb");
/// assert_eq!(c.token_url.as_str(), "https://api.pinterest.com/v5/oauth/token");
/// ```
pub fn config(client_id: &str, client_secret: &str, redirect_uri: &str) -> OAuth2Config {
    let token = Url::parse(super::config::TOKEN_URL)
        .unwrap_or_else(|_| unreachable!("the token URL is valid"));
    config_at(client_id, client_secret, redirect_uri, token)
}

/// An OAuth client for the connect flow ([`crate::auth::connect::PendingConnect`]).
pub fn client(client_id: &str, client_secret: &str, redirect_uri: &str) -> OAuth2Client {
    OAuth2Client::new(PLATFORM, config(client_id, client_secret, redirect_uri))
}

/// The channel's refresher, when it has a refresh token and the app's credentials.
pub(crate) fn refresher(config: &PinterestConfig, http: &Client) -> Option<Arc<dyn Refresher>> {
    config.refresh_token.as_ref()?;
    let (id, secret) = (config.client_id.as_ref()?, config.client_secret.as_ref()?);
    let oauth = OAuth2Client::new(
        PLATFORM,
        config_at(id, secret.expose(), "", config.token_url.clone()),
    );
    Some(Arc::new(OAuth2Refresher::new(oauth, http.clone())))
}
