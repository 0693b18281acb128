//! Connect flows as a web app embeds them: start (authorization URL with `state` and PKCE),
//! keep the [`PendingConnect`] with the user's session, and complete from the callback's
//! query string, with a typed error for everything that can go wrong there.
//!
//! | what happened | [`ConnectError`] | [`ErrorKind`] | what to do |
//! |---|---|---|---|
//! | `state` differs from the one sent (forged or stale callback) | `StateMismatch` | `Validation` | start again; do not exchange the code |
//! | the user said no (`error=access_denied`, RFC 6749 §4.1.2.1) | `Denied` | `PermissionDenied` | ask the user to approve |
//! | the code was refused (`invalid_grant`: expired, already used, wrong redirect) | `CodeRejected` | `Unauthenticated` | start again (codes are single-use and short-lived) |
//! | a scope the channel needs was not granted | `MissingScope` | `PermissionDenied` | start again and approve every permission |
//! | the flow took too long | `Expired` | `Validation` | start again |
//! | no `code` in the callback | `MissingCode` | `Validation` | the redirect URI is wrong |
//!
//! Nothing is stored on any of these: the engine stores a channel only after completion
//! succeeded and the platform was built from it ([`Engine::connect_stored`](crate::engine::Engine::connect_stored)).
//!
//! Where one login gives access to several accounts — the Facebook Pages and Instagram
//! accounts a user manages (`adapters::facebook::connect_accounts`), the LinkedIn
//! organizations a member administers (`LinkedIn::administered_organizations`) — the flow
//! lists them as [`Account`]s, the caller lets the user pick one ([`choose`]), and the chosen
//! account is stored as the channel (`ChannelSource::from(account)`).
//!
//! ```
//! use socialkit::auth::connect::{Callback, ConnectError, PendingConnect};
//! use socialkit::auth::{OAuth2Client, OAuth2Config};
//! let config = OAuth2Config::new("app", url::Url::parse("https://x.example/authorize").unwrap(),
//!     url::Url::parse("https://x.example/token").unwrap(), "http://127.0.0.1:8080/cb")
//!     .with_scopes(["tweet.write", "offline.access"]);
//! let oauth = OAuth2Client::new("x", config);
//! let now = chrono::Utc::now();
//! let (url, pending) = PendingConnect::start(&oauth, true, now);
//! assert!(url.as_str().contains("code_challenge_method=S256"));
//! // The user comes back with another state: refused before any exchange.
//! let cb = Callback::parse("code=abc&state=forged").unwrap();
//! let err = pending.check(&cb, now).unwrap_err();
//! assert_eq!(ConnectError::of(&err), Some(&ConnectError::StateMismatch));
//! // A denial.
//! let cb = Callback::parse(&format!("error=access_denied&state={}", pending.state.as_str())).unwrap();
//! assert!(matches!(ConnectError::of(&pending.check(&cb, now).unwrap_err()), Some(ConnectError::Denied { .. })));
//! ```

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::oauth2::OAuth2Client;
use super::pkce::{Pkce, State};
use super::token::Token;
use crate::error::{Error, ErrorKind, Result};
use crate::http::Client;

/// How long a started flow may take before its callback is refused.
pub const CONNECT_TIMEOUT: Duration = Duration::minutes(15);

/// Why a connect flow could not complete: the typed source of the returned [`Error`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The callback's `state` is not the one this flow sent.
    #[error("the callback's state does not match the flow's")]
    StateMismatch,
    /// The user (or the platform) denied the authorization.
    #[error("authorization denied ({error})")]
    Denied {
        /// The OAuth `error` code (`access_denied` …).
        error: String,
        /// The platform's description, if any.
        description: Option<String>,
    },
    /// The authorization code was refused: expired, already used, or issued for another
    /// redirect URI or client.
    #[error("the authorization code was refused (expired or already used)")]
    CodeRejected,
    /// Scopes the channel needs were not granted.
    #[error("scopes not granted: {}", missing.join(", "))]
    MissingScope {
        /// The scopes missing.
        missing: Vec<String>,
    },
    /// The flow was started too long ago.
    #[error("the connect flow expired")]
    Expired,
    /// The callback carries no code.
    #[error("the callback carries no authorization code")]
    MissingCode,
}

impl ConnectError {
    /// The `ConnectError` behind `err`, if any.
    pub fn of(err: &Error) -> Option<&ConnectError> {
        std::error::Error::source(err).and_then(|s| s.downcast_ref::<ConnectError>())
    }

    pub(crate) fn into_error(self, platform: &str) -> Error {
        let (kind, message) = match &self {
            ConnectError::StateMismatch => (
                ErrorKind::Validation,
                "the callback's state does not match: it is forged or from another attempt; start the connection again".to_string(),
            ),
            ConnectError::Denied { error, description } => (
                ErrorKind::PermissionDenied,
                format!(
                    "the authorization was denied ({error}{}); ask the user to approve the app",
                    description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
                ),
            ),
            ConnectError::CodeRejected => (
                ErrorKind::Unauthenticated,
                "the authorization code was refused (expired, already used, or for another redirect URI); start the connection again".to_string(),
            ),
            ConnectError::MissingScope { missing } => (
                ErrorKind::PermissionDenied,
                format!(
                    "the user did not grant {}; start again and approve every permission",
                    missing.join(", ")
                ),
            ),
            ConnectError::Expired => (
                ErrorKind::Validation,
                format!(
                    "the connection was started more than {} minutes ago; start it again",
                    CONNECT_TIMEOUT.num_minutes()
                ),
            ),
            ConnectError::MissingCode => (
                ErrorKind::Validation,
                "the callback carries no code; check the redirect URI".to_string(),
            ),
        };
        Error::new(kind, message)
            .with_platform(platform)
            .with_operation("connect")
            .with_source(self)
    }
}

/// The query of the redirect back to the app (RFC 6749 §4.1.2 and §4.1.2.1).
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Callback {
    /// The authorization code.
    pub code: Option<String>,
    /// The state sent.
    pub state: Option<String>,
    /// An OAuth error code.
    pub error: Option<String>,
    /// Its description.
    pub error_description: Option<String>,
    /// Scopes granted, where the platform says (LinkedIn, some others).
    pub scope: Option<String>,
    /// The issuer that answered (RFC 9207), where the server says (atproto).
    pub iss: Option<String>,
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callback")
            .field("code", &self.code.as_ref().map(|_| "***"))
            .field("state", &self.state)
            .field("error", &self.error)
            .finish()
    }
}

impl Callback {
    /// Parses a query string (without `?`).
    pub fn parse(query: &str) -> Result<Self> {
        let mut c = Callback::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let v = Some(v.into_owned()).filter(|v| !v.is_empty());
            match k.as_ref() {
                "code" => c.code = v,
                "state" => c.state = v,
                "error" => c.error = v,
                "error_description" => c.error_description = v,
                "scope" => c.scope = v,
                "iss" => c.iss = v,
                _ => {}
            }
        }
        Ok(c)
    }
}

/// A started connect flow: keep it (serde) with the user's session until the callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingConnect {
    /// The platform.
    pub platform: String,
    /// The state sent.
    pub state: State,
    /// The PKCE verifier, when used.
    pub pkce: Option<Pkce>,
    /// Scopes the channel needs (from the client's config).
    pub required_scopes: Vec<String>,
    /// When it started.
    pub started_at: DateTime<Utc>,
}

impl PendingConnect {
    /// Starts a flow on `oauth` (with PKCE when `pkce`): the URL to send the user to and what
    /// to keep until the callback.
    pub fn start(oauth: &OAuth2Client, pkce: bool, now: DateTime<Utc>) -> (Url, PendingConnect) {
        let state = State::new();
        let pkce = pkce.then(Pkce::new);
        let url = oauth.authorize_url(&state, pkce.as_ref());
        let pending = PendingConnect {
            platform: oauth.platform().to_string(),
            state,
            pkce,
            required_scopes: oauth.config().scopes.clone(),
            started_at: now,
        };
        (url, pending)
    }

    /// Checks a callback before any exchange: age, state, denial, code. Returns the code.
    pub fn check<'c>(&self, callback: &'c Callback, now: DateTime<Utc>) -> Result<&'c str> {
        let fail = |e: ConnectError| Err(e.into_error(&self.platform));
        if now - self.started_at > CONNECT_TIMEOUT {
            return fail(ConnectError::Expired);
        }
        if !callback
            .state
            .as_deref()
            .is_some_and(|s| self.state.verify(s))
        {
            return fail(ConnectError::StateMismatch);
        }
        if let Some(error) = &callback.error {
            return fail(ConnectError::Denied {
                error: error.clone(),
                description: callback.error_description.clone(),
            });
        }
        match callback.code.as_deref() {
            Some(code) => Ok(code),
            None => fail(ConnectError::MissingCode),
        }
    }

    /// Completes the flow: checks the callback, exchanges the code (once; a refused code is
    /// [`ConnectError::CodeRejected`]) and checks the granted scopes against the required
    /// ones. The token is returned, not stored: store it with the channel
    /// ([`Engine::connect_stored`](crate::engine::Engine::connect_stored)).
    pub async fn complete(
        &self,
        oauth: &OAuth2Client,
        http: &Client,
        callback: &Callback,
    ) -> Result<Token> {
        let code = self.check(callback, http.now())?;
        let token = oauth
            .exchange_code(http, code, self.pkce.as_ref())
            .await
            .map_err(|e| {
                if e.context().platform_code.as_deref() == Some("invalid_grant") {
                    ConnectError::CodeRejected.into_error(&self.platform)
                } else {
                    e
                }
            })?;
        let granted = token.scope.as_deref().or(callback.scope.as_deref());
        if let Some(granted) = granted {
            let have: Vec<&str> = granted
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .collect();
            let missing: Vec<String> = self
                .required_scopes
                .iter()
                .filter(|s| !have.contains(&s.as_str()))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(ConnectError::MissingScope { missing }.into_error(&self.platform));
            }
        }
        Ok(token)
    }
}

/// What kind of account a connect flow offers to choose from.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A Facebook Page the user has a task on (`GET /me/accounts`).
    FacebookPage,
    /// An Instagram professional account linked to such a Page.
    InstagramAccount,
    /// A LinkedIn organization the member administers (`organizationAcls`).
    LinkedInOrganization,
    /// A Google Business Profile location the user manages (`accounts.locations.list`).
    GoogleBusinessLocation,
}

/// One account the user administers, found by a connect flow: show `name`, let the user pick,
/// and store the chosen one's `settings` as the channel's config (for example through
/// `ChannelSource::from(account)` and `Engine::connect_stored`). The settings hold the
/// account's token: `Debug` prints neither.
///
/// ```
/// use socialkit::auth::connect::{Account, AccountKind, choose};
/// let pages = vec![
///     Account::new(AccountKind::FacebookPage, "1", "ACME Anvils", "facebook", serde_json::json!({"page_id": "1", "token": "EAAP1"})),
///     Account::new(AccountKind::FacebookPage, "2", "ACME Outlet", "facebook", serde_json::json!({"page_id": "2", "token": "EAAP2"})),
/// ];
/// assert!(!format!("{pages:?}").contains("EAAP"));
/// let chosen = choose(pages.clone(), "2").unwrap();
/// assert_eq!(chosen.name, "ACME Outlet");
/// let err = choose(pages, "3").unwrap_err();
/// assert_eq!(err.kind(), socialkit::ErrorKind::NotFound);
/// assert!(err.to_string().contains("1 (ACME Anvils)"));
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// What it is.
    pub kind: AccountKind,
    /// The platform's id (Page id, Instagram user id, organization URN).
    pub id: String,
    /// A name to show.
    pub name: String,
    /// The platform scheme of the channel it becomes.
    pub platform: String,
    /// The channel config's settings (secret).
    pub settings: serde_json::Value,
}

impl Account {
    /// An account.
    pub fn new(
        kind: AccountKind,
        id: impl Into<String>,
        name: impl Into<String>,
        platform: impl Into<String>,
        settings: serde_json::Value,
    ) -> Self {
        Account {
            kind,
            id: id.into(),
            name: name.into(),
            platform: platform.into(),
            settings,
        }
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("kind", &self.kind)
            .field("id", &self.id)
            .field("name", &self.name)
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

/// The account with id `id` among `accounts`: the user's choice. `NotFound` (listing what
/// there is) when it is not among them, `PermissionDenied` when there is none at all (the
/// user administers nothing the app may use).
pub fn choose(accounts: Vec<Account>, id: &str) -> Result<Account> {
    if accounts.is_empty() {
        return Err(Error::new(
            ErrorKind::PermissionDenied,
            "the user administers no account this app may use (no Page, Instagram account, organization or business location was granted); connect again and select one",
        )
        .with_operation("connect"));
    }
    let listed = accounts
        .iter()
        .map(|a| format!("{} ({})", a.id, a.name))
        .collect::<Vec<_>>()
        .join(", ");
    accounts.into_iter().find(|a| a.id == id).ok_or_else(|| {
        Error::new(
            ErrorKind::NotFound,
            format!("no account '{id}' among those the user administers: {listed}"),
        )
        .with_operation("connect")
    })
}
