//! [`OAuth2Refresh`]: how a channel config stores what refreshing its access token needs, and
//! [`channel_tokens`], which turns a config's token into a [`TokenManager`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::manager::{OAuth2Refresher, TokenManager};
use super::oauth2::{OAuth2Client, OAuth2Config};
use super::secret::Secret;
use super::token::Token;
use crate::http::Client;

/// The refresh setup of a channel: the OAuth client and the refresh token it was given.
///
/// Serde form (inside an adapter's config):
///
/// ```
/// use socialkit::auth::OAuth2Refresh;
/// let r: OAuth2Refresh = serde_json::from_value(serde_json::json!({
///     "client_id": "my-app",
///     "client_secret": "app-secret",
///     "refresh_token": "r-123"
/// })).unwrap();
/// assert_eq!(r.refresh_token.expose(), "r-123");
/// assert!(!format!("{r:?}").contains("r-123"));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuth2Refresh {
    /// The OAuth client id of the app.
    pub client_id: String,
    /// The client secret of a confidential app (none for a public PKCE client).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The refresh token.
    pub refresh_token: Secret,
}

impl OAuth2Refresh {
    /// A refresh setup for a public client.
    ///
    /// ```
    /// let r = socialkit::auth::OAuth2Refresh::new("app", "rt").with_client_secret("cs");
    /// assert_eq!(r.client_secret.unwrap().expose(), "cs");
    /// ```
    pub fn new(client_id: impl Into<String>, refresh_token: impl Into<Secret>) -> Self {
        OAuth2Refresh {
            client_id: client_id.into(),
            client_secret: None,
            refresh_token: refresh_token.into(),
        }
    }

    /// Sets the client secret (confidential clients).
    pub fn with_client_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }
}

/// The [`TokenManager`] of a channel: its access token (expiring at `expires_at` when known)
/// and, when `refresh` is given, a refresher built on the platform's OAuth preset `oauth`
/// (which gets the refresh setup and returns the platform's [`OAuth2Config`]). Without a
/// refresh setup, an expired token is an [`Unauthenticated`](crate::ErrorKind::Unauthenticated)
/// error saying the account must be reconnected, raised before any request.
///
/// ```
/// use socialkit::auth::{channel_tokens, OAuth2Config, Secret};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let http = socialkit::http::Client::default();
/// let expired = chrono::Utc::now() - chrono::Duration::days(1);
/// let tokens = channel_tokens("linkedin", &Secret::new("t"), Some(expired), None,
///     |_| unreachable!(), &http);
/// let err = tokens.access_token().await.unwrap_err();
/// assert_eq!(err.kind(), socialkit::ErrorKind::Unauthenticated);
/// assert!(err.to_string().contains("reconnected"));
/// # });
/// ```
pub fn channel_tokens(
    platform: &'static str,
    access_token: &Secret,
    expires_at: Option<DateTime<Utc>>,
    refresh: Option<&OAuth2Refresh>,
    oauth: impl FnOnce(&OAuth2Refresh) -> OAuth2Config,
    http: &Client,
) -> TokenManager {
    let mut token = Token::new(access_token.clone());
    token.expires_at = expires_at;
    let mut builder = TokenManager::builder(platform, token.clone()).clock(http.clock().clone());
    if let Some(r) = refresh {
        let mut config = oauth(r);
        if let Some(secret) = &r.client_secret {
            config = config.with_client_secret(secret.clone());
        }
        let client = OAuth2Client::new(platform, config);
        token.refresh_token = Some(r.refresh_token.clone());
        builder = TokenManager::builder(platform, token)
            .clock(http.clock().clone())
            .refresher(std::sync::Arc::new(OAuth2Refresher::new(
                client,
                http.clone(),
            )));
    }
    builder.build()
}
