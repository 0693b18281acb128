//! X's OAuth presets: OAuth 2.0 authorization code with PKCE (S256), user context; and the
//! OAuth 1.0a 3-legged flow ([`oauth1_client`]).
//!
//! Access tokens live 2 hours; a refresh token comes only with the `offline.access` scope
//! (requested by [`SCOPES`]). Whether X rotates refresh tokens is not documented: whatever
//! comes back is kept (the [`TokenManager`](crate::auth::TokenManager) hook sees it).
//!
//! ```
//! use socialkit::adapters::x::oauth;
//! use socialkit::auth::{Pkce, State};
//! let client = oauth::client("my-client-id", "https://app.example/callback");
//! let (state, pkce) = (State::new(), Pkce::new());
//! let url = client.authorize_url(&state, Some(&pkce));
//! assert!(url.as_str().starts_with("https://x.com/i/oauth2/authorize?"));
//! assert!(url.as_str().contains("code_challenge_method=S256"));
//! assert!(url.as_str().contains("offline.access"));
//! ```

use url::Url;

use super::PLATFORM;
use crate::auth::{OAuth2Client, OAuth2Config};

/// Where the user authorizes the app.
pub const AUTHORIZE_URL: &str = "https://x.com/i/oauth2/authorize";
/// Where codes and refresh tokens are exchanged.
pub const TOKEN_URL: &str = "https://api.x.com/2/oauth2/token";
/// What socialkit needs: read and write posts, read the user, refresh, upload media.
///
/// ```
/// assert!(socialkit::adapters::x::oauth::SCOPES.contains(&"media.write"));
/// ```
pub const SCOPES: [&str; 5] = [
    "tweet.read",
    "tweet.write",
    "users.read",
    "offline.access",
    "media.write",
];

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|_| unreachable!("the X OAuth URLs are valid"))
}

/// The OAuth configuration of an X app: public client (no secret) unless one is added with
/// [`OAuth2Config::with_client_secret`] (confidential clients authenticate with HTTP Basic).
///
/// ```
/// let c = socialkit::adapters::x::oauth::config("id", "https://app.example/cb");
/// assert_eq!(c.token_url.as_str(), "https://api.x.com/2/oauth2/token");
/// assert_eq!(c.scopes.len(), 5);
/// ```
pub fn config(client_id: &str, redirect_uri: &str) -> OAuth2Config {
    OAuth2Config::new(client_id, url(AUTHORIZE_URL), url(TOKEN_URL), redirect_uri)
        .with_scopes(SCOPES)
}

/// The same, with the token endpoint below another API base (a twin).
///
/// ```
/// let base = url::Url::parse("http://127.0.0.1:9/").unwrap();
/// let c = socialkit::adapters::x::oauth::config_at(&base, "id", "");
/// assert_eq!(c.token_url.as_str(), "http://127.0.0.1:9/2/oauth2/token");
/// ```
pub fn config_at(base: &Url, client_id: &str, redirect_uri: &str) -> OAuth2Config {
    let mut c = config(client_id, redirect_uri);
    if let Ok(token_url) = base.join("2/oauth2/token") {
        c.token_url = token_url;
    }
    c
}

/// An OAuth client for the authorize URL (call it with a [`Pkce`](crate::auth::Pkce)), the
/// code exchange and refreshes.
pub fn client(client_id: &str, redirect_uri: &str) -> OAuth2Client {
    OAuth2Client::new(PLATFORM, config(client_id, redirect_uri))
}

/// Where an OAuth 1.0a app asks for a request token (`POST`, with `oauth_callback`).
pub const OAUTH1_REQUEST_TOKEN_URL: &str = "https://api.x.com/oauth/request_token";
/// Where the user authorizes an OAuth 1.0a app (`?oauth_token=`).
pub const OAUTH1_AUTHORIZE_URL: &str = "https://api.x.com/oauth/authorize";
/// Where the request token and verifier become the user's access token (`POST`).
pub const OAUTH1_ACCESS_TOKEN_URL: &str = "https://api.x.com/oauth/access_token";

/// The 3-legged OAuth 1.0a flow of an X app (consumer key and secret from the developer
/// console): `request_token` → `authorize` → `access_token`. Access tokens from it do not
/// expire (X: they can be revoked by the user). Errors are mapped as the adapter maps them.
///
/// ```
/// use socialkit::adapters::x::oauth;
/// use socialkit::auth::oauth1::RequestToken;
/// let flow = oauth::oauth1_client("consumer-key", "consumer-secret");
/// let rt = RequestToken { token: "NPcudxy0yU5T3tBzho7iCotZ3cnetKwcTIRlX0iwRl0".into(), secret: "s".into(), callback_confirmed: true };
/// assert_eq!(
///     flow.authorize_url(&rt).as_str(),
///     "https://api.x.com/oauth/authorize?oauth_token=NPcudxy0yU5T3tBzho7iCotZ3cnetKwcTIRlX0iwRl0"
/// );
/// ```
pub fn oauth1_client(
    consumer_key: impl Into<crate::auth::Secret>,
    consumer_secret: impl Into<crate::auth::Secret>,
) -> crate::auth::oauth1::OAuth1Client {
    oauth1_client_at(&url("https://api.x.com/"), consumer_key, consumer_secret)
}

/// The same flow with its three endpoints below another base (a twin).
///
/// ```
/// let base = url::Url::parse("http://127.0.0.1:9/").unwrap();
/// let flow = socialkit::adapters::x::oauth::oauth1_client_at(&base, "ck", "cs");
/// assert_eq!(flow.endpoints().access_token.as_str(), "http://127.0.0.1:9/oauth/access_token");
/// ```
pub fn oauth1_client_at(
    base: &Url,
    consumer_key: impl Into<crate::auth::Secret>,
    consumer_secret: impl Into<crate::auth::Secret>,
) -> crate::auth::oauth1::OAuth1Client {
    let at = |path: &str, production: &str| base.join(path).unwrap_or_else(|_| url(production));
    let endpoints = crate::auth::oauth1::OAuth1Endpoints::new(
        at("oauth/request_token", OAUTH1_REQUEST_TOKEN_URL),
        at("oauth/authorize", OAUTH1_AUTHORIZE_URL),
        at("oauth/access_token", OAUTH1_ACCESS_TOKEN_URL),
    );
    crate::auth::oauth1::OAuth1Client::new(PLATFORM, endpoints, consumer_key, consumer_secret)
        .with_error_mapper(std::sync::Arc::new(super::errors::XErrors))
}
