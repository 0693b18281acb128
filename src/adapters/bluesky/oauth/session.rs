//! An OAuth session in use: DPoP-bound tokens, renewed in one flight with the
//! `refresh_token` grant, each renewal written to the vault before it is used.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, RwLock};
use url::Url;

use super::dpop::{DpopKey, DpopSigner, Nonces};
use super::tokens::{post_form, token_response};
use crate::auth::lifecycle::{Begin, TokenStore};
use crate::auth::{Secret, Token};
use crate::http::{Call, Client};
use crate::{Error, ErrorKind, Result};

/// Renew the access token when it expires within this margin.
const REFRESH_MARGIN_SECS: i64 = 60;

/// An atproto OAuth session as the vault keeps it (the `oauth` slot of a Bluesky channel's
/// config): the client and server it belongs to, the account, the DPoP private key the
/// tokens are bound to, and the token pair. `Debug` hides the key and the tokens;
/// serializing writes them (the vault seals them).
///
/// ```
/// use socialkit::adapters::bluesky::oauth::{DpopKey, OAuthSession};
/// let s = OAuthSession {
///     client_id: "http://localhost".into(),
///     issuer: url::Url::parse("https://bsky.social").unwrap(),
///     token_endpoint: url::Url::parse("https://bsky.social/oauth/token").unwrap(),
///     did: "did:plc:abc".into(),
///     handle: "acme.bsky.social".into(),
///     scope: "atproto transition:generic".into(),
///     dpop_key: DpopKey::generate().to_secret(),
///     access_token: "eyJhY2Nlc3M".into(),
///     refresh_token: Some("ref-123".into()),
///     expires_at: None,
/// };
/// let shown = format!("{s:?}");
/// assert!(!shown.contains("eyJ") && !shown.contains("ref-") && !shown.contains(s.dpop_key.expose()));
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthSession {
    /// The client id the tokens were issued to.
    pub client_id: String,
    /// The authorization server.
    pub issuer: Url,
    /// Its token endpoint (refresh).
    pub token_endpoint: Url,
    /// The account's DID (the token's `sub`).
    pub did: String,
    /// The account's handle.
    pub handle: String,
    /// The scopes granted.
    pub scope: String,
    /// The DPoP private key ([`DpopKey::to_secret`]).
    pub dpop_key: Secret,
    /// The access token.
    pub access_token: Secret,
    /// The refresh token (rotates on every refresh).
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// When the access token expires.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for OAuthSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSession")
            .field("client_id", &self.client_id)
            .field("issuer", &self.issuer.as_str())
            .field("did", &self.did)
            .field("handle", &self.handle)
            .field("scope", &self.scope)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl OAuthSession {
    /// The token pair as a [`Token`] (what a [`TokenStore`] keeps).
    pub fn token(&self) -> Token {
        let mut t = Token::new(self.access_token.clone());
        t.refresh_token = self.refresh_token.clone();
        t.expires_at = self.expires_at;
        t
    }
}

/// The tokens in use and which renewal made them.
#[derive(Clone)]
pub(crate) struct Current {
    pub token: Token,
    pub generation: u64,
}

impl Current {
    fn fresh(&self, now: DateTime<Utc>) -> bool {
        self.token
            .expires_at
            .is_none_or(|exp| exp - Duration::seconds(REFRESH_MARGIN_SECS) > now)
    }
}

/// The shared OAuth session of one account.
pub(crate) struct OAuthManager {
    pub session: OAuthSession,
    pub key: DpopKey,
    pub nonces: Arc<Nonces>,
    current: RwLock<Arc<Current>>,
    renewing: Mutex<()>,
    generation: AtomicU64,
    store: Option<Arc<dyn TokenStore>>,
    /// A renewal whose write failed: it holds the only live refresh token, so it is written
    /// (and then used) before anything else at the next renewal.
    unsaved: Mutex<Option<Token>>,
}

impl fmt::Debug for OAuthManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthManager")
            .field("did", &self.session.did)
            .field("persisted", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

impl OAuthManager {
    pub fn new(session: OAuthSession, store: Option<Arc<dyn TokenStore>>) -> Result<Self> {
        let key = DpopKey::from_secret(&session.dpop_key)?;
        Ok(OAuthManager {
            key,
            nonces: Arc::new(Nonces::default()),
            current: RwLock::new(Arc::new(Current {
                token: session.token(),
                generation: 0,
            })),
            renewing: Mutex::new(()),
            generation: AtomicU64::new(0),
            store,
            unsaved: Mutex::new(None),
            session,
        })
    }

    /// The tokens in use now.
    pub async fn current(&self) -> Arc<Current> {
        self.current.read().await.clone()
    }

    /// `call` with `Authorization: DPoP <access token>` and a fresh proof (with `ath`) on
    /// every attempt.
    pub fn authorize(&self, call: Call, http: &Client, access: &Secret) -> Call {
        let signer = DpopSigner {
            key: self.key.clone(),
            nonces: self.nonces.clone(),
            clock: http.clock().clone(),
            access_token: Some(access.clone()),
        };
        call.sign_each_attempt(Arc::new(signer))
    }

    /// Usable tokens: the current ones, or renewed ones when they expire within a minute.
    pub async fn get(&self, http: &Client) -> Result<Arc<Current>> {
        let cur = self.current().await;
        if cur.fresh(http.now()) {
            return Ok(cur);
        }
        self.renew(http, Some(cur.generation)).await
    }

    async fn install(&self, token: Token) -> Arc<Current> {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let cur = Arc::new(Current { token, generation });
        *self.current.write().await = cur.clone();
        cur
    }

    /// Renews after `stale` (the generation a caller found not working) failed; returns
    /// another caller's renewal when there was one. With a store: an unsaved renewal is
    /// written first; the lease is taken and tokens another process stored meanwhile are
    /// adopted (a rotated refresh token is never spent twice); new tokens are written before
    /// they are used; a refused refresh is reported (the channel needs re-authorisation).
    pub async fn renew(&self, http: &Client, stale: Option<u64>) -> Result<Arc<Current>> {
        let _flight = self.renewing.lock().await;
        let mut existing = self.current().await;
        if stale.is_some_and(|g| existing.generation != g) && existing.fresh(http.now()) {
            return Ok(existing);
        }
        let Some(store) = self.store.clone() else {
            let token = self.refresh(http, &existing.token).await?;
            return Ok(self.install(token).await);
        };
        let mut unsaved = self.unsaved.lock().await;
        if let Some(token) = unsaved.take() {
            if let Err(e) = store.commit(&token).await {
                *unsaved = Some(token);
                return Err(e);
            }
            return Ok(self.install(token).await);
        }
        for _ in 0..2 {
            if let Begin::Adopt(stored) = store.begin(&existing.token).await? {
                let adopted = self.install(stored).await;
                if adopted.fresh(http.now()) {
                    tracing::debug!(
                        platform = "bluesky",
                        "adopted the OAuth tokens another process stored"
                    );
                    return Ok(adopted);
                }
                existing = adopted;
                continue;
            }
            let token = match self.refresh(http, &existing.token).await {
                Ok(t) => t,
                Err(e) => {
                    store.abort(&e).await;
                    return Err(e);
                }
            };
            if let Err(e) = store.commit(&token).await {
                tracing::warn!(
                    platform = "bluesky",
                    error = %e,
                    "the renewed OAuth tokens could not be stored; kept and stored at the next call"
                );
                *unsaved = Some(token);
                return Err(e);
            }
            return Ok(self.install(token).await);
        }
        Err(Error::new(
            ErrorKind::Unexpected,
            "the stored Bluesky OAuth tokens could not be adopted or renewed",
        )
        .with_platform("bluesky"))
    }

    /// The `refresh_token` grant (never sent twice: the refresh token rotates and a replayed
    /// one ends the whole session at the reference PDS).
    async fn refresh(&self, http: &Client, token: &Token) -> Result<Token> {
        let refresh = token.refresh_token.clone().ok_or_else(|| {
            Error::new(
                ErrorKind::Unauthenticated,
                "the Bluesky OAuth session has no refresh token and its access token expired; reconnect the account",
            )
            .with_platform("bluesky")
            .with_operation("refresh session")
        })?;
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
            ("client_id", self.session.client_id.as_str()),
        ];
        let r = post_form(
            http,
            "refresh session",
            &self.session.token_endpoint,
            &self.key,
            &self.nonces,
            &form,
            &[&refresh, &token.access_token],
        )
        .await?;
        let t = token_response(&r)?;
        if t.sub != self.session.did {
            return Err(Error::new(
                ErrorKind::Platform,
                "the refreshed token names another account; reconnect the account",
            )
            .with_platform("bluesky"));
        }
        tracing::debug!(platform = "bluesky", did = %t.sub, "refreshed the OAuth session");
        let mut fresh = Token::new(t.access_token);
        fresh.refresh_token = t.refresh_token.map(Secret::new).or(Some(refresh));
        fresh.expires_at = t.expires_in.map(|s| r.received_at() + Duration::seconds(s));
        Ok(fresh)
    }
}
