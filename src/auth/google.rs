//! Google's OAuth 2.0 for installed and web apps: the authorization-code flow with PKCE
//! (S256), offline access (a refresh token) and refresh, as YouTube and the Business Profile
//! APIs use it. Sources: "Using OAuth 2.0 for Web Server Applications"
//! <https://developers.google.com/identity/protocols/oauth2/web-server> (endpoints,
//! `access_type=offline`, `prompt=consent`, `include_granted_scopes`, the client secret in
//! the token request's body) and "OAuth 2.0 for Mobile & Desktop Apps"
//! <https://developers.google.com/identity/protocols/oauth2/native-app> (PKCE with S256).
//!
//! Google sends a refresh token only on the first consent unless `prompt=consent` asks
//! again, so [`config`] always asks; access tokens live an hour (`expires_in: 3599`), and a
//! refresh answer carries no new refresh token (the old one stays valid until revoked). A
//! revoked or expired refresh token is `400 {"error": "invalid_grant"}`, which the shared
//! OAuth error mapper turns into `Unauthenticated` (reconnect).
//!
//! ```
//! use socialkit::auth::google;
//! use socialkit::auth::{OAuth2Client, Pkce, State};
//! let cfg = google::config("app.apps.googleusercontent.com", "https://app.example/cb",
//!     &["https://www.googleapis.com/auth/youtube.upload"]);
//! let url = OAuth2Client::new("youtube", cfg).authorize_url(&State::new(), Some(&Pkce::new()));
//! let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
//! assert!(url.as_str().starts_with("https://accounts.google.com/o/oauth2/v2/auth?"));
//! assert_eq!(q["access_type"], "offline");
//! assert_eq!(q["prompt"], "consent");
//! assert_eq!(q["code_challenge_method"], "S256");
//! ```

use url::Url;

use super::oauth2::{ClientAuth, OAuth2Config};

/// Where the user consents.
pub const AUTHORIZE_URL: &str = "https://accounts.google.com/o/oauth2/v2/auth";
/// Where codes and refresh tokens are exchanged.
pub const TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|_| unreachable!("the Google OAuth URLs are valid"))
}

/// The OAuth configuration of a Google app asking for `scopes` with offline access. Add the
/// client secret of a web app with [`OAuth2Config::with_client_secret`] (Google takes it in
/// the request body).
///
/// ```
/// let c = socialkit::auth::google::config("id", "http://127.0.0.1/cb", &["s1", "s2"]);
/// assert_eq!(c.token_url.as_str(), "https://oauth2.googleapis.com/token");
/// assert_eq!(c.scopes, ["s1", "s2"]);
/// ```
pub fn config(client_id: &str, redirect_uri: &str, scopes: &[&str]) -> OAuth2Config {
    OAuth2Config::new(client_id, url(AUTHORIZE_URL), url(TOKEN_URL), redirect_uri)
        .with_scopes(scopes.iter().copied())
        .with_client_auth(ClientAuth::RequestBody)
        .with_authorize_param("access_type", "offline")
        .with_authorize_param("prompt", "consent")
        .with_authorize_param("include_granted_scopes", "true")
}

/// The same with the token endpoint at `token_url` (a twin).
///
/// ```
/// let t = url::Url::parse("http://127.0.0.1:9/token").unwrap();
/// let c = socialkit::auth::google::config_at(t.clone(), "id", "", &[]);
/// assert_eq!(c.token_url, t);
/// ```
pub fn config_at(
    token_url: Url,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[&str],
) -> OAuth2Config {
    let mut c = config(client_id, redirect_uri, scopes);
    c.token_url = token_url;
    c
}
