//! OAuth 2.0 authorization code flow (RFC 6749) with PKCE (RFC 7636): the authorize URL, the
//! code exchange and the refresh.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use url::Url;

use super::pkce::{Pkce, State};
use super::secret::Secret;
use super::token::Token;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{
    Call, Client, DefaultErrorMapper, ErrorBody, ErrorMapper, Response, header::ACCEPT,
};

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
///
/// ```
/// use socialkit::auth::ClientAuth;
/// assert_eq!(ClientAuth::default(), ClientAuth::Basic);
/// assert_eq!(serde_json::to_string(&ClientAuth::RequestBody).unwrap(), "\"request_body\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// `Authorization: Basic base64(urlencode(client_id):urlencode(client_secret))` (X, Reddit,
    /// Pinterest).
    #[default]
    Basic,
    /// `client_id` and `client_secret` as form fields (Mastodon, LinkedIn, Threads, TikTok).
    RequestBody,
}

fn default_separator() -> String {
    " ".to_string()
}

/// The OAuth 2.0 settings of one app on one platform. Serde form for configs (the client
/// secret is written in clear: see [`Secret`]).
///
/// ```
/// use socialkit::auth::{ClientAuth, OAuth2Config};
/// let yaml_like = serde_json::json!({
///     "client_id": "abc",
///     "client_secret": "shh",
///     "authorize_url": "https://www.reddit.com/api/v1/authorize",
///     "token_url": "https://www.reddit.com/api/v1/access_token",
///     "redirect_uri": "https://app.example/callback",
///     "scopes": ["identity", "submit"],
///     "extra_authorize_params": {"duration": "permanent"}
/// });
/// let cfg: OAuth2Config = serde_json::from_value(yaml_like).unwrap();
/// assert_eq!(cfg.scope_separator, " ");
/// assert_eq!(cfg.client_auth, ClientAuth::Basic);
/// assert!(!format!("{cfg:?}").contains("shh"));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OAuth2Config {
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret; `None` for public clients (PKCE only).
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// The authorization endpoint.
    pub authorize_url: Url,
    /// The token endpoint.
    pub token_url: Url,
    /// The redirect URI, exactly as registered with the platform (kept as a string so it is
    /// sent byte for byte).
    pub redirect_uri: String,
    /// The scopes to ask for.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// How scopes are joined: `" "` for most platforms, `","` for Threads and Facebook.
    #[serde(default = "default_separator")]
    pub scope_separator: String,
    /// How the client authenticates at the token endpoint.
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// Extra authorize URL parameters (`duration=permanent` for Reddit, `prompt=consent` …).
    #[serde(default)]
    pub extra_authorize_params: BTreeMap<String, String>,
    /// The name the client id goes by in the authorize URL and token requests: `client_id`
    /// (RFC 6749), `client_key` for TikTok.
    #[serde(default = "default_client_id_param")]
    pub client_id_param: String,
}

fn default_client_id_param() -> String {
    "client_id".to_string()
}

impl OAuth2Config {
    /// Settings with no secret, no scopes, space-separated scopes and HTTP Basic client auth.
    ///
    /// ```
    /// use socialkit::auth::{ClientAuth, OAuth2Config};
    /// let cfg = OAuth2Config::new(
    ///     "client",
    ///     url::Url::parse("https://threads.net/oauth/authorize").unwrap(),
    ///     url::Url::parse("https://graph.threads.net/oauth/access_token").unwrap(),
    ///     "https://app.example/cb",
    /// )
    /// .with_client_secret("s")
    /// .with_scopes(["threads_basic", "threads_content_publish"])
    /// .with_scope_separator(",")
    /// .with_client_auth(ClientAuth::RequestBody);
    /// assert_eq!(cfg.scopes.len(), 2);
    /// ```
    pub fn new(
        client_id: impl Into<String>,
        authorize_url: Url,
        token_url: Url,
        redirect_uri: impl Into<String>,
    ) -> Self {
        OAuth2Config {
            client_id: client_id.into(),
            client_secret: None,
            authorize_url,
            token_url,
            redirect_uri: redirect_uri.into(),
            scopes: Vec::new(),
            scope_separator: default_separator(),
            client_auth: ClientAuth::default(),
            extra_authorize_params: BTreeMap::new(),
            client_id_param: default_client_id_param(),
        }
    }

    /// Sends the client id under another name (TikTok's `client_key`).
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("ck", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// let cfg = cfg.with_client_id_param("client_key");
    /// let url = OAuth2Client::new("tiktok", cfg).authorize_url(&State::new(), None);
    /// assert!(url.as_str().contains("client_key=ck"));
    /// ```
    pub fn with_client_id_param(mut self, name: impl Into<String>) -> Self {
        self.client_id_param = name.into();
        self
    }

    /// Sets the client secret.
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// let cfg = cfg.with_client_secret("shh");
    /// assert_eq!(cfg.client_secret.unwrap().expose(), "shh");
    /// ```
    pub fn with_client_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Sets the scopes.
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// let cfg = cfg.with_scopes(["read", "write"]);
    /// assert_eq!(cfg.scopes, ["read", "write"]);
    /// ```
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the scope separator.
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// let cfg = cfg.with_scope_separator(",");
    /// assert_eq!(cfg.scope_separator, ",");
    /// ```
    pub fn with_scope_separator(mut self, separator: impl Into<String>) -> Self {
        self.scope_separator = separator.into();
        self
    }

    /// Sets the client authentication method.
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// let cfg = cfg.with_client_auth(ClientAuth::RequestBody);
    /// assert_eq!(cfg.client_auth, ClientAuth::RequestBody);
    /// ```
    pub fn with_client_auth(mut self, client_auth: ClientAuth) -> Self {
        self.client_auth = client_auth;
        self
    }

    /// Adds an extra authorize URL parameter.
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// let cfg = cfg.with_authorize_param("duration", "permanent");
    /// assert_eq!(cfg.extra_authorize_params["duration"], "permanent");
    /// ```
    pub fn with_authorize_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.extra_authorize_params
            .insert(name.into(), value.into());
        self
    }
}

/// An OAuth 2.0 client for one platform: builds authorize URLs, exchanges codes, refreshes.
///
/// ```
/// use socialkit::auth::{OAuth2Client, OAuth2Config, Pkce, State};
/// let cfg = OAuth2Config::new(
///     "my-client",
///     url::Url::parse("https://x.com/i/oauth2/authorize").unwrap(),
///     url::Url::parse("https://api.x.com/2/oauth2/token").unwrap(),
///     "https://app.example/callback",
/// )
/// .with_scopes(["tweet.read", "tweet.write", "users.read", "offline.access"]);
/// let client = OAuth2Client::new("x", cfg);
/// let (state, pkce) = (State::new(), Pkce::new());
/// let url = client.authorize_url(&state, Some(&pkce));
/// let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
/// assert_eq!(q["response_type"], "code");
/// assert_eq!(q["scope"], "tweet.read tweet.write users.read offline.access");
/// assert_eq!(q["code_challenge_method"], "S256");
/// assert_eq!(q["state"], state.as_str());
/// ```
#[derive(Debug, Clone)]
pub struct OAuth2Client {
    platform: &'static str,
    config: OAuth2Config,
}

impl OAuth2Client {
    /// A client for `platform` (the name used in errors and logs).
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// let client = OAuth2Client::new("reddit", cfg);
    /// assert_eq!(client.platform(), "reddit");
    /// ```
    pub fn new(platform: &'static str, config: OAuth2Config) -> Self {
        OAuth2Client { platform, config }
    }

    /// The settings.
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// let client = OAuth2Client::new("x", cfg);
    /// assert_eq!(client.config().client_id, "id");
    /// ```
    pub fn config(&self) -> &OAuth2Config {
        &self.config
    }

    /// The platform's name.
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// assert_eq!(OAuth2Client::new("x", cfg).platform(), "x");
    /// ```
    pub fn platform(&self) -> &'static str {
        self.platform
    }

    /// The URL to send the user to: `response_type=code`, `client_id`, `redirect_uri`,
    /// `scope` (when there are scopes), `state`, and with PKCE `code_challenge` +
    /// `code_challenge_method=S256`, then the extra parameters. Query parameters already in the
    /// configured authorize URL are kept.
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// let url = OAuth2Client::new("x", cfg).authorize_url(&State::new(), None);
    /// assert!(url.as_str().starts_with("https://a.example/authorize?response_type=code&client_id=id"));
    /// ```
    pub fn authorize_url(&self, state: &State, pkce: Option<&Pkce>) -> Url {
        let c = &self.config;
        let mut url = c.authorize_url.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair(&c.client_id_param, &c.client_id)
                .append_pair("redirect_uri", &c.redirect_uri);
            if !c.scopes.is_empty() {
                q.append_pair("scope", &c.scopes.join(&c.scope_separator));
            }
            q.append_pair("state", state.as_str());
            if let Some(p) = pkce {
                q.append_pair("code_challenge", p.challenge())
                    .append_pair("code_challenge_method", p.method());
            }
            for (k, v) in &c.extra_authorize_params {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// Exchanges an authorization code for a token (`grant_type=authorization_code`, with
    /// `code_verifier` when PKCE was used). Sent once, never retried: a code is single-use.
    ///
    /// Errors: `invalid_grant` → [`ErrorKind::Unauthenticated`] (the user must authorize
    /// again); `invalid_client`, `unauthorized_client`, `invalid_scope`, `invalid_request`,
    /// `unsupported_grant_type` → [`ErrorKind::ConfigInvalid`]; the OAuth error code is the
    /// error's `platform_code`.
    ///
    /// ```
    /// # async fn demo(oauth: socialkit::auth::OAuth2Client, http: socialkit::http::Client, pkce: socialkit::auth::Pkce) -> socialkit::Result<()> {
    /// let token = oauth.exchange_code(&http, "code-from-the-callback", Some(&pkce)).await?;
    /// println!("expires at {:?}", token.expires_at);
    /// # Ok(()) }
    /// ```
    pub async fn exchange_code(
        &self,
        http: &Client,
        code: &str,
        pkce: Option<&Pkce>,
    ) -> Result<Token> {
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.config.redirect_uri),
        ];
        if let Some(p) = pkce {
            form.push(("code_verifier", p.verifier().expose()));
        }
        let token = self
            .token_request(http, "token_exchange", form, None)
            .await?;
        Ok(token)
    }

    /// Gets a new access token with `refresh_token` (`grant_type=refresh_token`). When the
    /// platform rotates refresh tokens the new one is in the result; when it sends none, the
    /// result keeps `refresh_token`. Sent once, never retried (a rotated refresh token may be
    /// single-use).
    ///
    /// ```
    /// # async fn demo(oauth: socialkit::auth::OAuth2Client, http: socialkit::http::Client, old: socialkit::auth::Token) -> socialkit::Result<()> {
    /// let refresh_token = old.refresh_token.clone().expect("issued with offline access");
    /// let fresh = oauth.refresh(&http, &refresh_token).await?;
    /// assert!(fresh.refresh_token.is_some());
    /// # Ok(()) }
    /// ```
    pub async fn refresh(&self, http: &Client, refresh_token: &Secret) -> Result<Token> {
        self.refresh_scrubbing(http, refresh_token, None).await
    }

    /// [`OAuth2Client::refresh`], also scrubbing the access token being replaced from
    /// whatever an error answer quotes.
    pub(crate) async fn refresh_scrubbing(
        &self,
        http: &Client,
        refresh_token: &Secret,
        replaced: Option<&Secret>,
    ) -> Result<Token> {
        let form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ];
        let mut token = self
            .token_request(http, "token_refresh", form, replaced)
            .await?;
        if token.refresh_token.is_none() {
            token.refresh_token = Some(refresh_token.clone());
        }
        Ok(token)
    }

    async fn token_request(
        &self,
        http: &Client,
        operation: &'static str,
        mut form: Vec<(&str, &str)>,
        replaced: Option<&Secret>,
    ) -> Result<Token> {
        let c = &self.config;
        let mut call = Call::post(self.platform, operation, c.token_url.clone())
            .header(ACCEPT.as_str(), "application/json");
        // Every secret the request carries (and the access token a refresh replaces) is
        // scrubbed from what an error answer quotes.
        let secret_fields = ["code", "code_verifier", "refresh_token"];
        for (_, value) in form.iter().filter(|(k, _)| secret_fields.contains(k)) {
            call = call.redact(&Secret::new(*value));
        }
        for secret in replaced.into_iter().chain(c.client_secret.as_ref()) {
            call = call.redact(secret);
        }
        match (&c.client_secret, c.client_auth) {
            (Some(secret), ClientAuth::Basic) => {
                // RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
                let id = form_encode(&c.client_id);
                let pw = Secret::new(form_encode(secret.expose()));
                call = call.basic_auth(&id, Some(&pw));
            }
            (Some(secret), ClientAuth::RequestBody) => {
                form.push((&c.client_id_param, &c.client_id));
                form.push(("client_secret", secret.expose()));
            }
            (None, _) => form.push((&c.client_id_param, &c.client_id)),
        }
        let response = http.send(call.form(form), &OAuthErrorMapper).await?;
        token_from_response(&response, http.now())
    }
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Reads a token answer; a 200 that carries `{"error": …}` instead of a token is mapped like an
/// error status.
pub(crate) fn token_from_response(
    response: &Response,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Token> {
    // A token answer is never quoted in an error: a malformed one may still hold a new token
    // (found by the adapter_tiktok fuzz target).
    let json: serde_json::Value = serde_json::from_slice(response.body()).map_err(|e| {
        response.error(
            ErrorKind::Unexpected,
            format!(
                "{} answered {} with malformed JSON ({e})",
                response.platform(),
                response.operation()
            ),
        )
    })?;
    match Token::from_oauth_json(&json, now) {
        Some(token) => Ok(token),
        None if json.get("error").is_some() => Err(OAuthErrorMapper.map(response)),
        None => Err(response.error(
            ErrorKind::Unexpected,
            format!(
                "{} answered {} without an access_token",
                response.platform(),
                response.operation()
            ),
        )),
    }
}

/// Maps token endpoint errors (RFC 6749 §5.2) to kinds; the OAuth error code becomes the
/// error's `platform_code`. Anything else falls back to [`DefaultErrorMapper`].
///
/// ```
/// use socialkit::ErrorKind;
/// use socialkit::auth::OAuthErrorMapper;
/// use socialkit::http::{ErrorMapper, Response, StatusCode};
/// let r = Response::new("x", "token_refresh", StatusCode::BAD_REQUEST, Default::default(),
///     r#"{"error":"invalid_grant","error_description":"Value passed for the token was invalid."}"#);
/// let e = OAuthErrorMapper.map(&r);
/// assert_eq!(e.kind(), ErrorKind::Unauthenticated);
/// assert_eq!(e.context().platform_code.as_deref(), Some("invalid_grant"));
/// assert!(e.to_string().contains("reconnect"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct OAuthErrorMapper;

impl ErrorMapper for OAuthErrorMapper {
    fn map(&self, response: &Response) -> Error {
        let body = ErrorBody::parse(response.body());
        let platform = response.platform();
        let (kind, message) = match body.code.as_deref() {
            Some("invalid_grant") => (
                ErrorKind::Unauthenticated,
                format!(
                    "{platform} refused the authorization code or refresh token (invalid, expired or revoked); the account must be reconnected"
                ),
            ),
            Some(
                code @ ("invalid_client"
                | "unauthorized_client"
                | "invalid_scope"
                | "invalid_request"
                | "unsupported_grant_type"
                | "unsupported_response_type"),
            ) => (
                ErrorKind::ConfigInvalid,
                format!("{platform} refused the OAuth client configuration ({code})"),
            ),
            _ => return DefaultErrorMapper.map(response),
        };
        let mut err = response.error(kind, message);
        if let Some(code) = body.code {
            err = err.with_platform_code(code);
        }
        if let Some(m) = body.message {
            err = err.with_platform_message(m);
        }
        err
    }
}
