//! [`TokenManager`]: hands out a valid access token, refreshing it before expiry, once for all
//! concurrent callers.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::future::BoxFuture;

use super::lifecycle::{Begin, TokenStore};
use super::oauth2::OAuth2Client;
use super::secret::Secret;
use super::token::Token;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Call, Client, Clock, ErrorMapper, Response, SystemClock};

/// Gets a new token for the current one. Implemented for OAuth 2.0 ([`OAuth2Refresher`]); other
/// schemes (Bluesky `refreshSession`, Meta's `th_refresh_token`) use [`refresh_fn`].
///
/// ```
/// use socialkit::auth::{Refresher, Token};
/// struct Static;
/// #[async_trait::async_trait]
/// impl Refresher for Static {
///     async fn refresh(&self, _current: &Token) -> socialkit::Result<Token> {
///         Ok(Token::new("fresh"))
///     }
/// }
/// let _r: std::sync::Arc<dyn Refresher> = std::sync::Arc::new(Static);
/// ```
#[async_trait]
pub trait Refresher: Send + Sync {
    /// A fresh token. An error of kind [`ErrorKind::Unauthenticated`] means no refresh is
    /// possible any more and the account must be reconnected.
    async fn refresh(&self, current: &Token) -> Result<Token>;
}

/// Refreshes with the OAuth 2.0 `refresh_token` grant.
///
/// ```
/// # use socialkit::auth::*;
/// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
/// let refresher = OAuth2Refresher::new(OAuth2Client::new("x", cfg), socialkit::http::Client::default());
/// let manager = TokenManager::builder("x", Token::new("a").with_refresh_token("r"))
///     .refresher(std::sync::Arc::new(refresher))
///     .build();
/// # let _ = manager;
/// ```
#[derive(Debug, Clone)]
pub struct OAuth2Refresher {
    oauth: OAuth2Client,
    http: Client,
}

impl OAuth2Refresher {
    /// A refresher that uses `oauth` over `http`.
    ///
    /// ```
    /// # use socialkit::auth::*;
    /// # let cfg = OAuth2Config::new("id", url::Url::parse("https://a.example/authorize").unwrap(), url::Url::parse("https://a.example/token").unwrap(), "https://app.example/cb");
    /// let r = OAuth2Refresher::new(OAuth2Client::new("x", cfg), socialkit::http::Client::default());
    /// # let _ = r;
    /// ```
    pub fn new(oauth: OAuth2Client, http: Client) -> Self {
        OAuth2Refresher { oauth, http }
    }
}

#[async_trait]
impl Refresher for OAuth2Refresher {
    async fn refresh(&self, current: &Token) -> Result<Token> {
        let Some(refresh_token) = &current.refresh_token else {
            return Err(reconnect(
                self.oauth.platform(),
                "there is no refresh token",
            ));
        };
        self.oauth
            .refresh_scrubbing(&self.http, refresh_token, Some(&current.access_token))
            .await
    }
}

struct FnRefresher<F>(F);

#[async_trait]
impl<F, Fut> Refresher for FnRefresher<F>
where
    F: Fn(Token) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Token>> + Send,
{
    async fn refresh(&self, current: &Token) -> Result<Token> {
        (self.0)(current.clone()).await
    }
}

/// A [`Refresher`] from an async closure that gets the current token.
///
/// ```
/// use socialkit::auth::{Token, refresh_fn};
/// let refresher = refresh_fn(|current: Token| async move {
///     // e.g. Bluesky: POST com.atproto.server.refreshSession with the refresh JWT.
///     let _ = current;
///     Ok(Token::new("new-access"))
/// });
/// # let _ = refresher;
/// ```
pub fn refresh_fn<F, Fut>(f: F) -> Arc<dyn Refresher>
where
    F: Fn(Token) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Token>> + Send + 'static,
{
    Arc::new(FnRefresher(f))
}

/// Called with every refreshed token, so the owner can persist it (a rotated refresh token is
/// useless if it is lost). Runs while the manager still holds its lock, so stores happen in
/// refresh order.
///
/// ```
/// use socialkit::auth::{RefreshHook, Token};
/// let hook: RefreshHook = std::sync::Arc::new(|t: Token| Box::pin(async move { let _ = t; }));
/// # let _ = hook;
/// ```
pub type RefreshHook = Arc<dyn Fn(Token) -> BoxFuture<'static, ()> + Send + Sync>;

fn reconnect(platform: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::Unauthenticated,
        format!("the {platform} access token expired and cannot be refreshed ({why}); the account must be reconnected"),
    )
    .with_platform(platform)
    .with_operation("refresh_token")
}

/// Holds a token and hands out a valid access token, refreshing it `skew` before it expires.
///
/// - Single-flight: concurrent callers wait for one refresh and all get its result.
/// - After a refresh the [`RefreshHook`] is awaited with the new token.
/// - When the token has expired and cannot be refreshed, [`TokenManager::access_token`]
///   returns [`ErrorKind::Unauthenticated`] saying the account must be reconnected. A failed
///   refresh while the old token is still valid returns the old token (the refresh is tried
///   again on the next call).
/// - When the platform rejects a token before its expiry, call [`TokenManager::invalidate`].
///
/// Clones share the same token.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> socialkit::Result<()> {
/// use socialkit::auth::{Token, TokenManager, refresh_fn};
/// let expired = Token::new("old").with_expires_at(chrono::Utc::now());
/// let manager = TokenManager::builder("bluesky", expired)
///     .refresher(refresh_fn(|_| async { Ok(Token::new("new")) }))
///     .on_refresh(|token: Token| async move { let _ = token; /* persist */ })
///     .build();
/// assert_eq!(manager.access_token().await?.expose(), "new");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TokenManager {
    inner: Arc<Inner>,
}

struct Inner {
    platform: &'static str,
    token: tokio::sync::Mutex<Token>,
    refresher: Option<Arc<dyn Refresher>>,
    hook: Option<RefreshHook>,
    skew: Duration,
    clock: Arc<dyn Clock>,
    store: Option<Arc<dyn TokenStore>>,
    /// A renewed token whose write to the store failed: stored (then used) at the next call.
    unsaved: std::sync::Mutex<Option<Token>>,
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("platform", &self.inner.platform)
            .field("can_refresh", &self.inner.refresher.is_some())
            .field("skew", &self.inner.skew)
            .field("persisted", &self.inner.store.is_some())
            .finish()
    }
}

/// Builds a [`TokenManager`].
///
/// ```
/// let builder = socialkit::auth::TokenManager::builder("x", socialkit::auth::Token::new("a"));
/// let manager = builder.build();
/// # let _ = manager;
/// ```
pub struct TokenManagerBuilder {
    platform: &'static str,
    token: Token,
    refresher: Option<Arc<dyn Refresher>>,
    hook: Option<RefreshHook>,
    skew: Duration,
    clock: Arc<dyn Clock>,
    store: Option<Arc<dyn TokenStore>>,
}

impl fmt::Debug for TokenManagerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManagerBuilder")
            .field("platform", &self.platform)
            .finish()
    }
}

impl TokenManagerBuilder {
    /// How to refresh. Without one, an expired token is an error.
    ///
    /// ```
    /// use socialkit::auth::{Token, TokenManager, refresh_fn};
    /// let m = TokenManager::builder("x", Token::new("a"))
    ///     .refresher(refresh_fn(|_| async { Ok(Token::new("b")) }))
    ///     .build();
    /// # let _ = m;
    /// ```
    pub fn refresher(mut self, refresher: Arc<dyn Refresher>) -> Self {
        self.refresher = Some(refresher);
        self
    }

    /// Called with each refreshed token (persist it here).
    ///
    /// ```
    /// use socialkit::auth::{Token, TokenManager};
    /// let m = TokenManager::builder("x", Token::new("a"))
    ///     .on_refresh(|t: Token| async move { println!("refreshed, expires {:?}", t.expires_at) })
    ///     .build();
    /// # let _ = m;
    /// ```
    pub fn on_refresh<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Token) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.hook = Some(Arc::new(move |t| Box::pin(hook(t))));
        self
    }

    /// Refresh this long before expiry. Default 60 s.
    ///
    /// ```
    /// use socialkit::auth::{Token, TokenManager};
    /// let m = TokenManager::builder("x", Token::new("a")).skew(std::time::Duration::from_secs(300)).build();
    /// # let _ = m;
    /// ```
    pub fn skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// The clock that decides expiry (default: the system clock; tests use
    /// [`ManualClock`](crate::http::ManualClock)).
    ///
    /// ```
    /// use socialkit::auth::{Token, TokenManager};
    /// let clock = socialkit::http::ManualClock::new(chrono::Utc::now());
    /// let m = TokenManager::builder("x", Token::new("a")).clock(std::sync::Arc::new(clock)).build();
    /// # let _ = m;
    /// ```
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Where renewed tokens are stored before use, with a cross-process refresh lease (see
    /// [`lifecycle`](super::lifecycle)). Without one, a manager built inside
    /// [`with_token_store`](super::lifecycle::with_token_store) gets that scope's store.
    pub fn store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The manager.
    ///
    /// ```
    /// let m = socialkit::auth::TokenManager::builder("x", socialkit::auth::Token::new("a")).build();
    /// # let _ = m;
    /// ```
    pub fn build(self) -> TokenManager {
        // A refreshing manager built for a stored channel persists through the channel's store.
        let store = match (self.store, &self.refresher) {
            (Some(s), _) => Some(s),
            (None, Some(_)) => super::lifecycle::building(self.platform),
            (None, None) => None,
        };
        TokenManager {
            inner: Arc::new(Inner {
                platform: self.platform,
                token: tokio::sync::Mutex::new(self.token),
                refresher: self.refresher,
                hook: self.hook,
                skew: self.skew,
                clock: self.clock,
                store,
                unsaved: std::sync::Mutex::new(None),
            }),
        }
    }
}

impl TokenManager {
    /// Starts building a manager for `platform` holding `token`.
    ///
    /// ```
    /// let m = socialkit::auth::TokenManager::builder("mastodon", socialkit::auth::Token::new("a")).build();
    /// # let _ = m;
    /// ```
    pub fn builder(platform: &'static str, token: Token) -> TokenManagerBuilder {
        TokenManagerBuilder {
            platform,
            token,
            refresher: None,
            hook: None,
            skew: Duration::from_secs(60),
            clock: Arc::new(SystemClock),
            store: None,
        }
    }

    /// A manager for a token that is never refreshed (Mastodon, Telegram, page tokens).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let m = socialkit::auth::TokenManager::fixed("mastodon", socialkit::auth::Token::new("t"));
    /// assert_eq!(m.access_token().await.unwrap().expose(), "t");
    /// # }
    /// ```
    pub fn fixed(platform: &'static str, token: Token) -> Self {
        TokenManager::builder(platform, token).build()
    }

    /// A valid access token, refreshed first when it expires within the skew.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use socialkit::auth::{Token, TokenManager};
    /// let m = TokenManager::fixed("telegram", Token::new("t"));
    /// assert_eq!(m.access_token().await.unwrap().expose(), "t");
    /// # }
    /// ```
    pub async fn access_token(&self) -> Result<Secret> {
        let mut token = self.inner.token.lock().await;
        let now = self.inner.clock.now();
        let unsaved = self
            .inner
            .unsaved
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if !token.needs_refresh(now, self.inner.skew) && !unsaved {
            return Ok(token.access_token.clone());
        }
        match self.refresh_locked(&mut token).await {
            Ok(()) => Ok(token.access_token.clone()),
            Err(err) if !token.is_expired(self.inner.clock.now()) => {
                tracing::warn!(
                    platform = self.inner.platform,
                    kind = err.kind().as_str(),
                    "token refresh failed; using the current token until it expires"
                );
                Ok(token.access_token.clone())
            }
            Err(err) => Err(err),
        }
    }

    /// The platform rejected `rejected` (401, `ExpiredToken`): refresh, unless another caller
    /// already replaced that token, and return the current access token.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use socialkit::auth::{Token, TokenManager};
    /// let m = TokenManager::fixed("mastodon", Token::new("t"));
    /// let t = m.access_token().await.unwrap();
    /// let err = m.invalidate(&t).await.unwrap_err();
    /// assert_eq!(err.kind(), socialkit::ErrorKind::Unauthenticated);
    /// # }
    /// ```
    pub async fn invalidate(&self, rejected: &Secret) -> Result<Secret> {
        let mut token = self.inner.token.lock().await;
        if &token.access_token != rejected {
            return Ok(token.access_token.clone());
        }
        if self.inner.refresher.is_none() {
            return Err(Error::new(
                ErrorKind::Unauthenticated,
                format!(
                    "{} rejected the access token and it cannot be refreshed; the account must be reconnected",
                    self.inner.platform
                ),
            )
            .with_platform(self.inner.platform));
        }
        self.refresh_locked(&mut token).await?;
        Ok(token.access_token.clone())
    }

    /// A copy of the current token (for storage or display of its expiry).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use socialkit::auth::{Token, TokenManager};
    /// let m = TokenManager::fixed("x", Token::new("t").with_scope("read"));
    /// assert_eq!(m.token().await.scope.as_deref(), Some("read"));
    /// # }
    /// ```
    pub async fn token(&self) -> Token {
        self.inner.token.lock().await.clone()
    }

    /// Replaces the token (after the user reconnected the account).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use socialkit::auth::{Token, TokenManager};
    /// let m = TokenManager::fixed("x", Token::new("old"));
    /// m.set_token(Token::new("new")).await;
    /// assert_eq!(m.access_token().await.unwrap().expose(), "new");
    /// # }
    /// ```
    pub async fn set_token(&self, token: Token) {
        *self.inner.token.lock().await = token;
    }

    /// Sends a call built with the current access token; when the platform rejects the token
    /// ([`ErrorKind::Unauthenticated`], e.g. a 401 or an adapter-mapped `ExpiredToken`) and
    /// the manager can refresh, refreshes once ([`TokenManager::invalidate`]) and sends a call
    /// built with the new token. A rejected token means the request was not carried out, so
    /// this second send is safe even for a [`Retry::Never`](crate::http::Retry::Never) write.
    ///
    /// ```no_run
    /// # async fn demo(http: socialkit::http::Client, tokens: socialkit::auth::TokenManager) -> socialkit::Result<()> {
    /// use socialkit::http::{Call, DefaultErrorMapper};
    /// let url = url::Url::parse("https://api.x.com/2/users/me")?;
    /// let me = tokens
    ///     .send(&http, &DefaultErrorMapper, |token| Call::get("x", "channel", url.clone()).bearer(token))
    ///     .await?;
    /// # let _ = me; Ok(()) }
    /// ```
    pub async fn send<F>(
        &self,
        http: &Client,
        mapper: &dyn ErrorMapper,
        build: F,
    ) -> Result<Response>
    where
        F: Fn(&Secret) -> Call + Send + Sync,
    {
        let token = self.access_token().await?;
        match http.send(build(&token), mapper).await {
            Err(err)
                if err.kind() == ErrorKind::Unauthenticated && self.inner.refresher.is_some() =>
            {
                tracing::debug!(
                    platform = self.inner.platform,
                    "access token rejected; refreshing once"
                );
                let fresh = self.invalidate(&token).await?;
                http.send(build(&fresh), mapper).await
            }
            other => other,
        }
    }

    async fn refresh_locked(&self, token: &mut Token) -> Result<()> {
        let platform = self.inner.platform;
        let Some(refresher) = &self.inner.refresher else {
            return Err(reconnect(platform, "no refresh method is configured"));
        };
        if let Some(store) = &self.inner.store {
            // A renewal whose write failed earlier is stored first: it is the only copy.
            let unsaved = self.take_unsaved();
            if let Some(fresh) = unsaved {
                return self.commit(store.as_ref(), token, fresh).await;
            }
            if let Begin::Adopt(stored) = store.begin(token).await? {
                tracing::debug!(platform, "token renewed elsewhere; adopting it");
                *token = stored;
                return Ok(());
            }
        }
        let fresh = refresher
            .refresh(token)
            .await
            .map_err(|e| e.or_context(platform, None, "refresh_token"));
        let mut fresh = match fresh {
            Ok(f) => f,
            Err(e) => {
                if let Some(store) = &self.inner.store {
                    store.abort(&e).await;
                }
                return Err(e);
            }
        };
        if fresh.refresh_token.is_none() {
            // Not rotated: the old refresh token stays valid.
            fresh.refresh_token = token.refresh_token.clone();
        }
        tracing::debug!(platform, "access token refreshed");
        match &self.inner.store {
            Some(store) => self.commit(store.as_ref(), token, fresh).await,
            None => {
                *token = fresh;
                self.run_hook(token).await;
                Ok(())
            }
        }
    }

    /// Stores `fresh`, then makes it the current token. A failed write keeps it aside (not
    /// used) for the next call.
    async fn commit(&self, store: &dyn TokenStore, token: &mut Token, fresh: Token) -> Result<()> {
        if let Err(e) = store.commit(&fresh).await {
            tracing::warn!(
                platform = self.inner.platform,
                kind = e.kind().as_str(),
                "the renewed token could not be stored; it is kept and stored at the next call"
            );
            *self.inner.unsaved.lock().unwrap_or_else(|p| p.into_inner()) = Some(fresh);
            return Err(e);
        }
        *token = fresh;
        self.run_hook(token).await;
        Ok(())
    }

    fn take_unsaved(&self) -> Option<Token> {
        self.inner
            .unsaved
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    async fn run_hook(&self, token: &Token) {
        if let Some(hook) = &self.inner.hook {
            hook(token.clone()).await;
        }
    }
}
