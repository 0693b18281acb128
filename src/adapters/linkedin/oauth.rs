//! LinkedIn's OAuth 2.0 presets (3-legged authorization code, no PKCE) and the 60-day token
//! lifetime.
//!
//! LinkedIn access tokens live 60 days; refresh tokens (365 days, not renewed by refreshing)
//! are issued only to approved Marketing Developer Platform partners. Everyone else must
//! send the member through authorization again: [`reconnect_due`] tells the engine when to
//! warn, and a request with an expired token fails before it is sent with an
//! [`Unauthenticated`](crate::ErrorKind::Unauthenticated) error saying the account must be
//! reconnected.
//!
//! ```
//! use socialkit::adapters::linkedin::oauth;
//! use socialkit::auth::State;
//! let client = oauth::client("id", "secret", "https://app.example/cb", &oauth::MEMBER_SCOPES);
//! let url = client.authorize_url(&State::new(), None);
//! assert!(url.as_str().starts_with("https://www.linkedin.com/oauth/v2/authorization?"));
//! assert!(!url.as_str().contains("code_challenge"));
//! ```

use chrono::{DateTime, Duration, Utc};
use url::Url;

use super::PLATFORM;
use crate::auth::{ClientAuth, OAuth2Client, OAuth2Config};

/// Where the member authorizes the app.
pub const AUTHORIZE_URL: &str = "https://www.linkedin.com/oauth/v2/authorization";
/// Where codes (and, for partners, refresh tokens) are exchanged.
pub const TOKEN_URL: &str = "https://www.linkedin.com/oauth/v2/accessToken";
/// Scopes to post as a member and read the member's id.
pub const MEMBER_SCOPES: [&str; 3] = ["openid", "profile", "w_member_social"];
/// Scopes to post, comment and read statistics as an organization page.
pub const ORGANIZATION_SCOPES: [&str; 3] = [
    "w_organization_social",
    "r_organization_social",
    "rw_organization_admin",
];
/// How long an access token lives.
///
/// ```
/// assert_eq!(socialkit::adapters::linkedin::oauth::ACCESS_TOKEN_DAYS, 60);
/// ```
pub const ACCESS_TOKEN_DAYS: i64 = 60;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|_| unreachable!("the LinkedIn OAuth URLs are valid"))
}

/// The OAuth configuration of a LinkedIn app (client credentials in the form body, as
/// LinkedIn expects).
///
/// ```
/// let c = socialkit::adapters::linkedin::oauth::config("id", "s", "https://a.example/cb", &["w_member_social"]);
/// assert_eq!(c.client_auth, socialkit::auth::ClientAuth::RequestBody);
/// ```
pub fn config(
    client_id: &str,
    client_secret: &str,
    redirect_uri: &str,
    scopes: &[&str],
) -> OAuth2Config {
    OAuth2Config::new(client_id, url(AUTHORIZE_URL), url(TOKEN_URL), redirect_uri)
        .with_client_secret(client_secret)
        .with_client_auth(ClientAuth::RequestBody)
        .with_scopes(scopes.iter().copied())
}

/// An OAuth client for the authorize URL (without PKCE) and the code exchange.
pub fn client(
    client_id: &str,
    client_secret: &str,
    redirect_uri: &str,
    scopes: &[&str],
) -> OAuth2Client {
    OAuth2Client::new(
        PLATFORM,
        config(client_id, client_secret, redirect_uri, scopes),
    )
}

/// When a token issued at `issued_at` expires.
///
/// ```
/// let at: chrono::DateTime<chrono::Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
/// assert_eq!(socialkit::adapters::linkedin::oauth::expires_at(at).to_rfc3339(), "2026-03-02T00:00:00+00:00");
/// ```
pub fn expires_at(issued_at: DateTime<Utc>) -> DateTime<Utc> {
    issued_at + Duration::days(ACCESS_TOKEN_DAYS)
}

/// Whether a token expiring at `expires_at` should be reconnected now: it expires within
/// `within` of `now` (or already has). `false` when the expiry is unknown.
///
/// ```
/// use chrono::{Duration, Utc};
/// use socialkit::adapters::linkedin::oauth::reconnect_due;
/// let now = Utc::now();
/// assert!(reconnect_due(Some(now + Duration::days(3)), now, Duration::days(7)));
/// assert!(!reconnect_due(Some(now + Duration::days(30)), now, Duration::days(7)));
/// assert!(!reconnect_due(None, now, Duration::days(7)));
/// ```
pub fn reconnect_due(
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    within: Duration,
) -> bool {
    expires_at.is_some_and(|at| at <= now + within)
}
