//! The connect flow: client identity, PAR with PKCE and DPoP, the callback, the code
//! exchange.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::dpop::{DpopKey, Nonces};
use super::resolve::Resolver;
use super::session::OAuthSession;
use super::tokens::{post_form, token_response};
use crate::adapters::bluesky::BlueskyConfig;
use crate::auth::connect::{Callback, ConnectError, PendingConnect};
use crate::auth::{Pkce, Secret, State};
use crate::http::Client;
use crate::{Error, ErrorKind, Result};

/// The scopes socialkit asks for: `atproto` (required) and `transition:generic` (the
/// repository writes and reads an app-password session could do).
pub const DEFAULT_SCOPE: &str = "atproto transition:generic";

/// Who the app is to the authorization server.
///
/// - [`OAuthClient::loopback`]: the development client id the spec allows,
///   `http://localhost?redirect_uri=…&scope=…`, with a redirect to `http://127.0.0.1:PORT/…`;
///   no metadata document to host. The reference PDS accepts it in dev mode and in
///   production alike; its sessions are short (public client: refresh tokens for 2 weeks).
/// - [`OAuthClient::discoverable`]: an `https` client id where the app serves
///   [`OAuthClient::metadata`] (a public client, `token_endpoint_auth_method: none`).
///
/// ```
/// use socialkit::adapters::bluesky::oauth::OAuthClient;
/// let c = OAuthClient::loopback(url::Url::parse("http://127.0.0.1:8080/callback").unwrap()).unwrap();
/// assert!(c.client_id().starts_with("http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback"));
/// assert_eq!(c.metadata("ACME")["dpop_bound_access_tokens"], true);
/// // A loopback client must redirect to a loopback IP over http.
/// let e = OAuthClient::loopback(url::Url::parse("https://app.example/cb").unwrap()).unwrap_err();
/// assert_eq!(e.kind(), socialkit::ErrorKind::ConfigInvalid);
/// ```
#[derive(Debug, Clone)]
pub struct OAuthClient {
    client_id: String,
    redirect_uri: Url,
    scope: String,
    resolver: Resolver,
}

impl OAuthClient {
    /// A loopback (development) client redirecting to `redirect_uri`
    /// (`http://127.0.0.1:PORT/PATH` or `http://[::1]:PORT/PATH`).
    pub fn loopback(redirect_uri: Url) -> Result<OAuthClient> {
        let host_ok = matches!(redirect_uri.host_str(), Some("127.0.0.1" | "[::1]"));
        if redirect_uri.scheme() != "http" || !host_ok {
            return Err(Error::config(
                "a loopback atproto OAuth client redirects to http://127.0.0.1:PORT/… or http://[::1]:PORT/…",
            )
            .with_platform("bluesky"));
        }
        let mut id = Url::parse("http://localhost").map_err(|_| Error::unexpected("url"))?;
        id.query_pairs_mut()
            .append_pair("redirect_uri", redirect_uri.as_str())
            .append_pair("scope", DEFAULT_SCOPE);
        // `Url` writes `http://localhost/?…`; the spec's form has no path.
        let client_id = id
            .as_str()
            .replacen("http://localhost/?", "http://localhost?", 1);
        Ok(OAuthClient {
            client_id,
            redirect_uri,
            scope: DEFAULT_SCOPE.into(),
            resolver: Resolver::default(),
        })
    }

    /// A client whose metadata document ([`OAuthClient::metadata`]) is served at
    /// `client_id`, an `https` URL.
    pub fn discoverable(client_id: Url, redirect_uri: Url) -> Result<OAuthClient> {
        if client_id.scheme() != "https" || redirect_uri.scheme() != "https" {
            return Err(Error::config(
                "an atproto OAuth client id and its redirect URI are https URLs (or use a loopback client)",
            )
            .with_platform("bluesky"));
        }
        Ok(OAuthClient {
            client_id: client_id.to_string(),
            redirect_uri,
            scope: DEFAULT_SCOPE.into(),
            resolver: Resolver::default(),
        })
    }

    /// Resolves handles and DIDs with `resolver` (a local network's PDS and PLC directory).
    pub fn with_resolver(mut self, resolver: Resolver) -> Self {
        self.resolver = resolver;
        self
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client metadata document (for a discoverable client, serve it at the client id
    /// as `application/json`). Source: <https://atproto.com/specs/oauth#client-id-metadata-document>.
    pub fn metadata(&self, client_name: &str) -> serde_json::Value {
        serde_json::json!({
            "client_id": self.client_id,
            "client_name": client_name,
            "application_type": if self.client_id.starts_with("http://localhost") { "native" } else { "web" },
            "redirect_uris": [self.redirect_uri.as_str()],
            "scope": self.scope,
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "dpop_bound_access_tokens": true,
        })
    }

    /// Starts connecting the account `handle` (or DID): resolves it to its PDS and
    /// authorization server, pushes the authorization request (PAR, with PKCE S256, state,
    /// a DPoP proof from a new session key, `login_hint`), and returns the URL to send the
    /// user to and what to keep until the callback.
    pub async fn start(&self, http: &Client, handle: &str) -> Result<(Url, PendingAtproto)> {
        let identity = self.resolver.identity(http, handle).await?;
        let server = self
            .resolver
            .authorization_server(http, &identity.pds)
            .await?;
        let key = DpopKey::generate();
        let nonces = Arc::new(Nonces::default());
        let (state, pkce) = (State::new(), Pkce::new());
        let form = [
            ("client_id", self.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("scope", self.scope.as_str()),
            ("state", state.as_str()),
            ("code_challenge", pkce.challenge()),
            ("code_challenge_method", "S256"),
            ("login_hint", identity.handle.as_str()),
        ];
        let r = post_form(
            http,
            "connect",
            &server.pushed_authorization_request_endpoint,
            &key,
            &nonces,
            &form,
            &[],
        )
        .await?;
        #[derive(Deserialize)]
        struct Par {
            request_uri: String,
        }
        let par: Par = r.json()?;
        let mut url = server.authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("request_uri", &par.request_uri);
        let started_at = http.now();
        let pending = PendingAtproto {
            connect: PendingConnect {
                platform: "bluesky".into(),
                state,
                pkce: Some(pkce),
                required_scopes: vec!["atproto".into()],
                started_at,
            },
            did: identity.did,
            handle: identity.handle,
            pds: identity.pds,
            issuer: server.issuer,
            token_endpoint: server.token_endpoint,
            dpop_key: key.to_secret(),
            dpop_nonce: nonces.get(&server.pushed_authorization_request_endpoint),
        };
        Ok((url, pending))
    }

    /// Completes the flow from the callback's query: checks state, age, denial and `iss`
    /// before anything is sent, exchanges the code (with the PKCE verifier and a proof from
    /// the same DPoP key), and checks the token is for the account that started the flow.
    /// Returns the channel's config (the session and its DPoP key inside): store it with
    /// [`Engine::connect_stored`](crate::engine::Engine::connect_stored).
    pub async fn complete(
        &self,
        http: &Client,
        pending: &PendingAtproto,
        callback: &Callback,
    ) -> Result<BlueskyConfig> {
        let code = pending.connect.check(callback, http.now())?;
        // RFC 9207: the issuer in the answer must be the one the request went to.
        if callback.iss.as_deref() != Some(pending.issuer.as_str().trim_end_matches('/'))
            && callback.iss.as_deref() != Some(pending.issuer.as_str())
        {
            return Err(Error::new(
                ErrorKind::Validation,
                "the callback comes from another authorization server (iss); start the connection again",
            )
            .with_platform("bluesky")
            .with_operation("connect"));
        }
        let key = DpopKey::from_secret(&pending.dpop_key)?;
        let nonces = Arc::new(Nonces::default());
        if let Some(n) = &pending.dpop_nonce {
            nonces.set(&pending.token_endpoint, n);
        }
        let verifier = pending
            .connect
            .pkce
            .as_ref()
            .map(|p| p.verifier().clone())
            .ok_or_else(|| Error::unexpected("the pending connection has no PKCE verifier"))?;
        let code_secret = Secret::new(code);
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("code_verifier", verifier.expose()),
            ("client_id", self.client_id.as_str()),
        ];
        let r = post_form(
            http,
            "connect",
            &pending.token_endpoint,
            &key,
            &nonces,
            &form,
            &[&code_secret, &verifier],
        )
        .await
        .map_err(|e| {
            if e.context().platform_code.as_deref() == Some("invalid_grant") {
                ConnectError::CodeRejected.into_error("bluesky")
            } else {
                e
            }
        })?;
        let t = token_response(&r)?;
        if t.sub != pending.did {
            return Err(Error::new(
                ErrorKind::PermissionDenied,
                format!(
                    "the user signed in as {} but the connection was started for {} ({}); connect again with that account",
                    t.sub, pending.handle, pending.did
                ),
            )
            .with_platform("bluesky")
            .with_operation("connect"));
        }
        let session = OAuthSession {
            client_id: self.client_id.clone(),
            issuer: pending.issuer.clone(),
            token_endpoint: pending.token_endpoint.clone(),
            did: t.sub,
            handle: pending.handle.clone(),
            scope: t.scope,
            dpop_key: pending.dpop_key.clone(),
            access_token: Secret::new(t.access_token),
            refresh_token: t.refresh_token.map(Secret::new),
            expires_at: t.expires_in.map(|s| r.received_at() + Duration::seconds(s)),
        };
        let mut config = BlueskyConfig::oauth(session, pending.pds.clone());
        config.identifier = pending.handle.clone();
        Ok(config)
    }
}

/// A started atproto connect flow: keep it (serde, secret: it holds the DPoP key and the
/// PKCE verifier) with the user's session until the callback. `Debug` hides the secrets.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingAtproto {
    /// State, PKCE, required scopes and start time, checked like every connect flow.
    pub connect: PendingConnect,
    /// The account the flow is for.
    pub did: String,
    /// Its handle.
    pub handle: String,
    /// Its PDS.
    pub pds: Url,
    /// The authorization server the request went to.
    pub issuer: Url,
    /// Its token endpoint.
    pub token_endpoint: Url,
    /// The session's DPoP private key (see [`DpopKey::to_secret`]).
    pub dpop_key: Secret,
    /// The authorization server's last DPoP nonce.
    #[serde(default)]
    pub dpop_nonce: Option<String>,
}

impl PendingAtproto {
    /// When the flow was started.
    pub fn started_at(&self) -> DateTime<Utc> {
        self.connect.started_at
    }
}

impl fmt::Debug for PendingAtproto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAtproto")
            .field("did", &self.did)
            .field("handle", &self.handle)
            .field("issuer", &self.issuer.as_str())
            .finish_non_exhaustive()
    }
}
