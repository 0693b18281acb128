//! Connecting a Mastodon account: app registration, the authorization URL (PKCE S256 and
//! `state`) and the code exchange, built on [`crate::auth`].
//!
//! Mastodon apps are registered per instance (`POST /api/v1/apps`); the server answers with
//! a `client_id` and `client_secret`. The user opens the authorization URL, approves, and comes
//! back to the redirect URI with `code` and `state`; [`MastodonApp::exchange_code`] turns the
//! code into an access token. Mastodon tokens do not expire and there is no refresh token.
//!
//! ```
//! use socialkit::adapters::mastodon::oauth::MastodonApp;
//! use socialkit::auth::{Pkce, State};
//! let instance = url::Url::parse("https://mastodon.example/").unwrap();
//! let app = MastodonApp::from_credentials(&instance, "client-id", "client-secret", "https://app.example/cb");
//! let (state, pkce) = (State::new(), Pkce::new());
//! let url = app.authorize_url(&state, &pkce);
//! assert!(url.as_str().starts_with("https://mastodon.example/oauth/authorize?"));
//! let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
//! assert_eq!(q["code_challenge_method"], "S256");
//! assert_eq!(q["state"], state.as_str());
//! assert_eq!(q["scope"], "read write");
//! assert!(!format!("{app:?}").contains("client-secret"));
//! ```

use serde::{Deserialize, Serialize};
use url::Url;

use super::api::RegisteredApp;
use super::errors::MastodonErrors;
use super::{MastodonConfig, PLATFORM};
use crate::auth::{ClientAuth, OAuth2Client, OAuth2Config, Pkce, Secret, State, Token};
use crate::http::{Call, Client, RateLimitStyle};
use crate::{Error, Result};

/// The redirect URI for apps without a web callback: the server shows the code to the user.
///
/// ```
/// assert!(socialkit::adapters::mastodon::oauth::OUT_OF_BAND.starts_with("urn:"));
/// ```
pub const OUT_OF_BAND: &str = "urn:ietf:wg:oauth:2.0:oob";

/// The scopes socialkit needs: read (timelines, notifications, account) and write (statuses,
/// media). Granular alternatives: `read:statuses read:notifications read:accounts
/// write:statuses write:media`.
///
/// ```
/// assert_eq!(socialkit::adapters::mastodon::oauth::DEFAULT_SCOPES, ["read", "write"]);
/// ```
pub const DEFAULT_SCOPES: [&str; 2] = ["read", "write"];

/// What to register an app with (`POST /api/v1/apps`).
///
/// ```
/// let r = socialkit::adapters::mastodon::oauth::AppRegistration::new("ACME scheduler", "https://acme.example/cb");
/// assert_eq!(r.scopes, vec!["read", "write"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRegistration {
    /// The app's name, shown to the user on the consent page and under their posts.
    pub client_name: String,
    /// Where the server sends the user back (or [`OUT_OF_BAND`]).
    pub redirect_uri: String,
    /// The scopes to ask for.
    pub scopes: Vec<String>,
    /// The app's website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

impl AppRegistration {
    /// A registration asking for [`DEFAULT_SCOPES`].
    pub fn new(client_name: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        AppRegistration {
            client_name: client_name.into(),
            redirect_uri: redirect_uri.into(),
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
            website: None,
        }
    }

    /// Sets the website.
    ///
    /// ```
    /// let r = socialkit::adapters::mastodon::oauth::AppRegistration::new("ACME", "urn:ietf:wg:oauth:2.0:oob")
    ///     .with_website("https://acme.example");
    /// assert_eq!(r.website.as_deref(), Some("https://acme.example"));
    /// ```
    pub fn with_website(mut self, website: impl Into<String>) -> Self {
        self.website = Some(website.into());
        self
    }
}

/// A registered app on one instance: what the authorization flow needs. Store it (the serde
/// form writes the client secret in clear: treat it as a secret).
///
/// ```
/// use socialkit::adapters::mastodon::oauth::MastodonApp;
/// let app = MastodonApp::from_credentials(&url::Url::parse("https://m.example/").unwrap(), "cid", "secret", "urn:ietf:wg:oauth:2.0:oob");
/// let json = serde_json::to_value(&app).unwrap();
/// assert_eq!(serde_json::from_value::<MastodonApp>(json).unwrap(), app);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MastodonApp {
    /// The instance's base URL.
    pub instance: Url,
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
    /// The redirect URI registered.
    pub redirect_uri: String,
    /// The scopes registered.
    pub scopes: Vec<String>,
}

impl MastodonApp {
    /// Registers an app on `instance` (`POST /api/v1/apps`). Sent once: a retry would register
    /// a second app.
    ///
    /// ```no_run
    /// # async fn demo() -> socialkit::Result<()> {
    /// use socialkit::adapters::mastodon::oauth::{AppRegistration, MastodonApp};
    /// let http = socialkit::http::Client::default();
    /// let instance = url::Url::parse("https://mastodon.example/").unwrap();
    /// let app = MastodonApp::register(&http, &instance, &AppRegistration::new("ACME", "https://acme.example/cb")).await?;
    /// # let _ = app; Ok(()) }
    /// ```
    pub async fn register(
        http: &Client,
        instance: &Url,
        registration: &AppRegistration,
    ) -> Result<MastodonApp> {
        let url = join(instance, "api/v1/apps")?;
        let scopes = registration.scopes.join(" ");
        let mut form: Vec<(&str, &str)> = vec![
            ("client_name", registration.client_name.as_str()),
            ("redirect_uris", registration.redirect_uri.as_str()),
            ("scopes", scopes.as_str()),
        ];
        if let Some(w) = registration.website.as_deref() {
            form.push(("website", w));
        }
        let call = Call::post(PLATFORM, "register_app", url)
            .form(form)
            .rate_limit_style(RateLimitStyle::Mastodon);
        let app: RegisteredApp = http.send(call, &MastodonErrors).await?.json()?;
        if app.client_id.is_empty() || app.client_secret.is_empty() {
            return Err(Error::unexpected(
                "mastodon registered the app but sent no client credentials",
            )
            .with_platform(PLATFORM)
            .with_operation("register_app"));
        }
        Ok(MastodonApp {
            instance: instance.clone(),
            client_id: app.client_id,
            client_secret: Secret::new(app.client_secret),
            redirect_uri: registration.redirect_uri.clone(),
            scopes: registration.scopes.clone(),
        })
    }

    /// An app registered earlier, from its stored credentials, with [`DEFAULT_SCOPES`].
    ///
    /// ```
    /// use socialkit::adapters::mastodon::oauth::MastodonApp;
    /// let app = MastodonApp::from_credentials(&url::Url::parse("https://m.example/").unwrap(), "cid", "secret", "https://acme.example/cb");
    /// assert_eq!(app.scopes, ["read", "write"]);
    /// ```
    pub fn from_credentials(
        instance: &Url,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        redirect_uri: impl Into<String>,
    ) -> MastodonApp {
        MastodonApp {
            instance: instance.clone(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri: redirect_uri.into(),
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The OAuth 2.0 client for this app (`/oauth/authorize`, `/oauth/token`, client
    /// credentials in the request body as Mastodon expects).
    ///
    /// ```
    /// use socialkit::adapters::mastodon::oauth::MastodonApp;
    /// let app = MastodonApp::from_credentials(&url::Url::parse("https://m.example/").unwrap(), "cid", "secret", "https://acme.example/cb");
    /// let client = app.oauth_client().unwrap();
    /// assert_eq!(client.config().token_url.as_str(), "https://m.example/oauth/token");
    /// ```
    pub fn oauth_client(&self) -> Result<OAuth2Client> {
        let cfg = OAuth2Config::new(
            self.client_id.clone(),
            join(&self.instance, "oauth/authorize")?,
            join(&self.instance, "oauth/token")?,
            self.redirect_uri.clone(),
        )
        .with_client_secret(self.client_secret.clone())
        .with_scopes(self.scopes.iter().cloned())
        .with_client_auth(ClientAuth::RequestBody);
        Ok(OAuth2Client::new(PLATFORM, cfg))
    }

    /// The URL to send the user to, with `state` and a PKCE S256 challenge (Mastodon 4.3+
    /// checks it; older servers ignore it). Keep `state` and `pkce` until the callback.
    pub fn authorize_url(&self, state: &State, pkce: &Pkce) -> Url {
        match self.oauth_client() {
            Ok(c) => c.authorize_url(state, Some(pkce)),
            // The instance URL was valid when the app was made; joining a fixed path to it
            // cannot fail. Fall back to the instance itself rather than panic.
            Err(_) => self.instance.clone(),
        }
    }

    /// Exchanges the code from the callback for an access token (`POST /oauth/token`). Check
    /// the callback's `state` with [`State::verify`] before calling this.
    ///
    /// ```no_run
    /// # async fn demo(app: socialkit::adapters::mastodon::oauth::MastodonApp, pkce: socialkit::auth::Pkce) -> socialkit::Result<()> {
    /// let token = app.exchange_code(&socialkit::http::Client::default(), "code-from-callback", &pkce).await?;
    /// # let _ = token; Ok(()) }
    /// ```
    pub async fn exchange_code(&self, http: &Client, code: &str, pkce: &Pkce) -> Result<Token> {
        self.oauth_client()?
            .exchange_code(http, code, Some(pkce))
            .await
    }

    /// Exchanges the code and returns a ready channel config.
    ///
    /// ```no_run
    /// # async fn demo(app: socialkit::adapters::mastodon::oauth::MastodonApp, pkce: socialkit::auth::Pkce) -> socialkit::Result<()> {
    /// let config = app.connect(&socialkit::http::Client::default(), "code-from-callback", &pkce).await?;
    /// let mastodon = socialkit::adapters::mastodon::Mastodon::connect(config).await?;
    /// # let _ = mastodon; Ok(()) }
    /// ```
    pub async fn connect(&self, http: &Client, code: &str, pkce: &Pkce) -> Result<MastodonConfig> {
        let token = self.exchange_code(http, code, pkce).await?;
        let mut config = MastodonConfig::new(self.instance.as_str(), token.access_token.clone())?;
        config.instance = self.instance.clone();
        Ok(config)
    }
}

fn join(base: &Url, path: &str) -> Result<Url> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    base.join(path).map_err(|e| {
        Error::config(format!("cannot build the mastodon URL: {e}")).with_platform(PLATFORM)
    })
}
