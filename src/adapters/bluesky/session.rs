//! App-password sessions: created once, shared by every clone of the adapter, refreshed in
//! one flight.
//!
//! - The first call makes a session with `com.atproto.server.createSession`. It is cached, so
//!   the endpoint's limits (30 per 5 minutes, 300 per day per account) are never reached by
//!   normal use; [`SessionSnapshot`] lets an app keep it across restarts.
//! - Before a call, an access token that expires within a minute (read from the JWT's `exp`)
//!   is refreshed. When the server still says the token is no good (HTTP 400 `ExpiredToken` or
//!   `InvalidToken`, or a 401), the session is refreshed and the call is sent **once** more.
//! - Refreshing uses `refreshSession` with the refresh token as Bearer and stores the new pair:
//!   the refresh token rotates, the old one is dead. A refresh token that is dead itself
//!   (`ExpiredToken`/`InvalidToken`) leads to one `createSession`; when that fails too the
//!   error is `Unauthenticated`: reconnect the account.
//! - Renewals are single-flight: however many calls find the token expired at once, one
//!   refresh happens and they all use its result (a generation counter tells a waiting caller
//!   that someone else already renewed).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, RwLock};

use super::api::{CreateSessionInput, SessionOutput};
use super::config::BlueskyConfig;
use super::errors::{self, BlueskyErrors};
use crate::auth::lifecycle::{Begin, TokenStore};
use crate::auth::{Secret, Token, jwt_sub};
use crate::http::{Call, Client, RateLimitStyle, Retry};
use crate::{Error, ErrorKind, Result};

/// Refresh the access token when it expires within this margin.
const REFRESH_MARGIN_SECS: i64 = 60;

/// A session as an app can store it and give back later
/// ([`Bluesky::with_session`](super::Bluesky::with_session)), so a restart does not need a
/// new `createSession`. `Debug` hides the tokens; serde writes them (store it as a secret).
///
/// ```
/// use socialkit::adapters::bluesky::SessionSnapshot;
/// let s = SessionSnapshot {
///     did: "did:plc:abc".into(),
///     handle: "acme.bsky.social".into(),
///     access_jwt: "eyJhY2Nlc3M".into(),
///     refresh_jwt: "eyJyZWZyZXNo".into(),
/// };
/// assert!(!format!("{s:?}").contains("eyJ"));
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSnapshot {
    /// The account's DID (when empty, the access token's `sub` claim).
    #[serde(default)]
    pub did: String,
    /// The account's handle.
    #[serde(default)]
    pub handle: String,
    /// The access token.
    pub access_jwt: Secret,
    /// The refresh token.
    pub refresh_jwt: Secret,
}

impl fmt::Debug for SessionSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionSnapshot")
            .field("did", &self.did)
            .field("handle", &self.handle)
            .field("access_jwt", &self.access_jwt)
            .field("refresh_jwt", &self.refresh_jwt)
            .finish()
    }
}

/// A session in use.
#[derive(Clone)]
pub(crate) struct Session {
    pub did: String,
    pub handle: String,
    pub access: Secret,
    pub refresh: Secret,
    access_exp: Option<DateTime<Utc>>,
    refresh_exp: Option<DateTime<Utc>>,
    /// Which renewal made it (0 = restored from a snapshot).
    pub generation: u64,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("did", &self.did)
            .field("handle", &self.handle)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub(crate) fn new(
        did: String,
        handle: String,
        access: Secret,
        refresh: Secret,
        generation: u64,
    ) -> Self {
        Session {
            access_exp: jwt_exp(access.expose()),
            refresh_exp: jwt_exp(refresh.expose()),
            did,
            handle,
            access,
            refresh,
            generation,
        }
    }

    fn snapshot(&self) -> SessionSnapshot {
        SessionSnapshot {
            did: self.did.clone(),
            handle: self.handle.clone(),
            access_jwt: self.access.clone(),
            refresh_jwt: self.refresh.clone(),
        }
    }

    fn access_fresh(&self, now: DateTime<Utc>) -> bool {
        self.access_exp
            .is_none_or(|exp| exp - Duration::seconds(REFRESH_MARGIN_SECS) > now)
    }

    fn refresh_usable(&self, now: DateTime<Utc>) -> bool {
        self.refresh_exp.is_none_or(|exp| exp > now)
    }
}

pub(crate) use crate::auth::jwt_exp;

/// A callback told about every new or renewed session, to persist it.
///
/// ```
/// use socialkit::adapters::bluesky::SessionListener;
/// let listener: SessionListener = std::sync::Arc::new(|s| println!("new session for {}", s.handle));
/// # let _ = listener;
/// ```
pub type SessionListener = Arc<dyn Fn(&SessionSnapshot) + Send + Sync>;

/// The shared session of one account.
pub(crate) struct SessionManager {
    current: RwLock<Option<Arc<Session>>>,
    renewing: Mutex<()>,
    generation: AtomicU64,
    listener: std::sync::RwLock<Option<SessionListener>>,
    /// Where new and renewed sessions are written before use (a stored channel's vault row,
    /// with a refresh lease across processes), when the channel was built for one.
    store: Option<Arc<dyn TokenStore>>,
    /// A renewed session whose write failed: it holds the only live refresh token, so it is
    /// written (and then used) before anything else at the next renewal.
    unsaved: Mutex<Option<SessionOutput>>,
}

impl fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionManager")
            .field("generation", &self.generation.load(Ordering::Relaxed))
            .field("persisted", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

/// The token form of a session, as a [`TokenStore`] keeps it: the access JWT, the refresh
/// JWT and the access token's expiry (its `exp`).
fn token_of(access: &Secret, refresh: &Secret) -> Token {
    let mut t = Token::new(access.clone()).with_refresh_token(refresh.clone());
    t.expires_at = jwt_exp(access.expose());
    t
}

impl SessionManager {
    /// A manager starting from `restored` (if any) that writes new sessions to `store`.
    pub fn new(restored: Option<SessionSnapshot>, store: Option<Arc<dyn TokenStore>>) -> Self {
        SessionManager {
            current: RwLock::new(restored.and_then(|s| {
                let did = Some(s.did)
                    .filter(|d| !d.is_empty())
                    .or_else(|| jwt_sub(s.access_jwt.expose()))?;
                Some(Arc::new(Session::new(
                    did,
                    s.handle,
                    s.access_jwt,
                    s.refresh_jwt,
                    0,
                )))
            })),
            renewing: Mutex::new(()),
            generation: AtomicU64::new(0),
            listener: std::sync::RwLock::new(None),
            store,
            unsaved: Mutex::new(None),
        }
    }

    /// The store new sessions are written to, if any.
    pub fn store(&self) -> Option<Arc<dyn TokenStore>> {
        self.store.clone()
    }

    pub fn set_listener(&self, listener: Option<SessionListener>) {
        *self.listener.write().unwrap_or_else(|p| p.into_inner()) = listener;
    }

    pub async fn snapshot(&self) -> Option<SessionSnapshot> {
        self.current.read().await.as_ref().map(|s| s.snapshot())
    }

    #[cfg(feature = "testkit")]
    /// Replaces the cached session's access token (for tests that force a refresh).
    pub async fn replace_access(&self, access: Secret) {
        let mut cur = self.current.write().await;
        if let Some(s) = cur.as_ref() {
            let mut next = (**s).clone();
            next.access_exp = jwt_exp(access.expose());
            next.access = access;
            *cur = Some(Arc::new(next));
        }
    }

    /// A usable session: the cached one, or a new or refreshed one.
    pub async fn get(&self, http: &Client, config: &BlueskyConfig) -> Result<Arc<Session>> {
        let now = http.now();
        // The read guard must be gone before a renewal takes the write lock.
        let cached = self.current.read().await.clone();
        if let Some(s) = cached {
            if s.access_fresh(now) {
                return Ok(s);
            }
            let generation = s.generation;
            return self.renew(http, config, Some(generation)).await;
        }
        self.renew(http, config, None).await
    }

    /// Renews the session after `stale` (the generation a caller found not working) failed.
    /// When another caller renewed meanwhile, returns its session without a new request.
    ///
    /// With a store: a renewal whose write failed earlier is written first; then the store's
    /// lease is taken and a session another process stored meanwhile is adopted instead of
    /// renewing again (its refresh token would be spent twice); a new session is written
    /// before it is used, and a refused renewal is reported to the store (which marks the
    /// channel needs-reauthorisation).
    pub async fn renew(
        &self,
        http: &Client,
        config: &BlueskyConfig,
        stale: Option<u64>,
    ) -> Result<Arc<Session>> {
        let _flight = self.renewing.lock().await;
        let mut existing = self.current.read().await.clone();
        if let Some(s) = &existing {
            let someone_else_renewed = stale.is_none_or(|g| s.generation != g);
            if someone_else_renewed && s.access_fresh(http.now()) {
                return Ok(s.clone());
            }
        }
        let Some(store) = self.store.clone() else {
            let renewed = self.fetch(http, config, existing.as_deref()).await?;
            return Ok(self.install(renewed).await);
        };
        let mut unsaved = self.unsaved.lock().await;
        if let Some(out) = unsaved.take() {
            let token = token_of(
                &Secret::new(&out.access_jwt),
                &Secret::new(&out.refresh_jwt),
            );
            if let Err(e) = store.commit(&token).await {
                *unsaved = Some(out);
                return Err(e);
            }
            return Ok(self.install(out).await);
        }
        // At most two rounds: an adopted session that is itself stale is renewed in the
        // second (where the stored session equals the one in memory, so no adoption).
        for _ in 0..2 {
            let current = existing
                .as_ref()
                .map(|s| token_of(&s.access, &s.refresh))
                .unwrap_or_else(|| Token::new(""));
            if let Begin::Adopt(stored) = store.begin(&current).await? {
                let Some(refresh) = stored.refresh_token.clone() else {
                    break;
                };
                let did = jwt_sub(stored.access_token.expose())
                    .or_else(|| existing.as_ref().map(|s| s.did.clone()));
                let Some(did) = did else { break };
                let handle = existing
                    .as_ref()
                    .map(|s| s.handle.clone())
                    .unwrap_or_else(|| config.identifier.clone());
                let adopted = self
                    .install(SessionOutput {
                        access_jwt: stored.access_token.expose().to_string(),
                        refresh_jwt: refresh.expose().to_string(),
                        handle,
                        did,
                        active: None,
                        status: None,
                    })
                    .await;
                if adopted.access_fresh(http.now()) {
                    tracing::debug!(
                        platform = "bluesky",
                        "adopted the session another process stored"
                    );
                    return Ok(adopted);
                }
                existing = Some(adopted);
                continue;
            }
            let renewed = match self.fetch(http, config, existing.as_deref()).await {
                Ok(out) => out,
                Err(e) => {
                    store.abort(&e).await;
                    return Err(e);
                }
            };
            let token = token_of(
                &Secret::new(&renewed.access_jwt),
                &Secret::new(&renewed.refresh_jwt),
            );
            if let Err(e) = store.commit(&token).await {
                tracing::warn!(
                    platform = "bluesky",
                    error = %e,
                    "the new session could not be stored; it is kept and stored at the next call"
                );
                *unsaved = Some(renewed);
                return Err(e);
            }
            return Ok(self.install(renewed).await);
        }
        Err(Error::new(
            ErrorKind::Unexpected,
            "the stored Bluesky session could not be adopted or renewed",
        )
        .with_platform("bluesky"))
    }

    /// A new session from the server: `refreshSession` with `existing`'s refresh token while
    /// it is usable, else (or when the server says it is dead) `createSession` with the app
    /// password.
    async fn fetch(
        &self,
        http: &Client,
        config: &BlueskyConfig,
        existing: Option<&Session>,
    ) -> Result<SessionOutput> {
        match existing {
            Some(s) if s.refresh_usable(http.now()) => match self.refresh(http, config, s).await {
                Ok(out) => Ok(out),
                Err(e) if errors::refresh_token_dead(&e) => {
                    tracing::info!(
                        platform = "bluesky",
                        "refresh token no longer valid; creating a new session"
                    );
                    self.create(http, config).await
                }
                Err(e) => Err(e),
            },
            _ => self.create(http, config).await,
        }
    }

    /// Makes `renewed` the current session and tells the listener.
    async fn install(&self, renewed: SessionOutput) -> Arc<Session> {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let session = Arc::new(Session::new(
            renewed.did,
            renewed.handle,
            Secret::new(renewed.access_jwt),
            Secret::new(renewed.refresh_jwt),
            generation,
        ));
        *self.current.write().await = Some(session.clone());
        let listener = self
            .listener
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(l) = listener {
            l(&session.snapshot());
        }
        session
    }

    async fn create(&self, http: &Client, config: &BlueskyConfig) -> Result<SessionOutput> {
        let input = CreateSessionInput {
            identifier: config.identifier.clone(),
            password: config.app_password.expose().to_string(),
        };
        let call = Call::post(
            "bluesky",
            "sign in",
            config.xrpc("com.atproto.server.createSession"),
        )
        .json(&input)
        .redact(&config.app_password)
        .rate_limit_style(RateLimitStyle::Bluesky)
        // Creating a session twice is harmless; retry transient failures.
        .retry(Retry::Idempotent);
        let out = http.send(call, &BlueskyErrors).await.map_err(|e| {
            if e.kind() == ErrorKind::Unauthenticated {
                Error::new(
                    ErrorKind::Unauthenticated,
                    "Bluesky rejected the identifier or app password; reconnect the account",
                )
                .with_platform("bluesky")
                .with_operation("sign in")
                .with_http_status(e.context().http_status.unwrap_or(401))
                .with_platform_code(e.context().platform_code.clone().unwrap_or_default())
            } else {
                e
            }
        })?;
        let session: SessionOutput = out.json()?;
        tracing::info!(platform = "bluesky", did = %session.did, "created a session");
        Ok(session)
    }

    async fn refresh(
        &self,
        http: &Client,
        config: &BlueskyConfig,
        s: &Session,
    ) -> Result<SessionOutput> {
        let call = Call::post(
            "bluesky",
            "refresh session",
            config.xrpc("com.atproto.server.refreshSession"),
        )
        .bearer(&s.refresh)
        .rate_limit_style(RateLimitStyle::Bluesky)
        // The old refresh token dies when the server rotates it: never send twice.
        .retry(Retry::Never);
        let out: SessionOutput = http.send(call, &BlueskyErrors).await?.json()?;
        tracing::debug!(platform = "bluesky", did = %out.did, "refreshed the session");
        Ok(out)
    }
}

/// The error for a call that still fails with a token error after a renewal.
pub(crate) fn reconnect(err: Error) -> Error {
    if err.kind() == ErrorKind::Unauthenticated {
        return err;
    }
    Error::new(
        ErrorKind::Unauthenticated,
        "the Bluesky session could not be renewed; reconnect the account",
    )
    .with_platform("bluesky")
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    #[test]
    fn reads_exp_from_jwts_only() {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let jwt = format!(
            "{}.{}.sig",
            b64.encode(br#"{"alg":"HS256"}"#),
            b64.encode(br#"{"sub":"did:plc:a","exp":1800000000}"#)
        );
        assert_eq!(jwt_exp(&jwt).map(|d| d.timestamp()), Some(1_800_000_000));
        assert_eq!(jwt_exp("opaque-token"), None);
        assert_eq!(jwt_exp("a.!!!.c"), None);
        assert_eq!(jwt_exp(&format!("a.{}.c", b64.encode(b"[1,2]"))), None);
    }

    #[test]
    fn freshness_has_a_margin() {
        let now = Utc::now();
        let mut s = Session::new(
            "did:plc:a".into(),
            "a.test".into(),
            Secret::new("x"),
            Secret::new("y"),
            1,
        );
        assert!(s.access_fresh(now), "no exp known: assume fresh");
        s.access_exp = Some(now + Duration::seconds(30));
        assert!(!s.access_fresh(now));
        s.access_exp = Some(now + Duration::seconds(600));
        assert!(s.access_fresh(now));
    }
}
