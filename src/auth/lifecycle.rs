//! The token lifecycle: how long each platform's tokens live, when socialkit renews them,
//! and how a renewed token reaches durable storage before it is used.
//!
//! # Per platform (from the platforms' documentation)
//!
//! | platform | access token | renewal | refresh token | source |
//! |---|---|---|---|---|
//! | X (OAuth 2.0) | 2 hours | `refresh_token` grant, a minute before expiry and on a 401 | with `offline.access`; **rotates**: each refresh returns a new one and the used one stops working | <https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token> |
//! | LinkedIn | 60 days | `refresh_token` grant where LinkedIn granted programmatic refresh (approved partners) | 365 days from the first authorization, **not** extended by refreshing | <https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens> |
//! | Threads | long-lived: 60 days | `th_refresh_token` once the token is ≥ 24 h old and unexpired; socialkit renews 7 days before expiry | none (the token itself is renewed) | <https://developers.facebook.com/docs/threads/get-started/long-lived-tokens> |
//! | Instagram (Instagram Login) | long-lived: 60 days | `ig_refresh_token`, same window as Threads | none | <https://developers.facebook.com/docs/instagram-platform/reference/refresh_access_token> |
//! | Facebook Pages | a Page token obtained from a long-lived user token does not expire | none needed; a revoked grant needs reconnection | none | <https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived> |
//! | Bluesky (app password) | access JWT about 2 hours | `com.atproto.server.refreshSession`; when the refresh JWT is dead, a new session with the app password | **rotates** (the old refresh JWT is revoked) | <https://docs.bsky.app/docs/api/com-atproto-server-refresh-session> |
//! | Bluesky (atproto OAuth) | 1 hour at the reference PDS (`expires_in`) | `refresh_token` grant with a DPoP proof, a minute before expiry and when the PDS refuses the token | **rotates**; reusing a spent one ends the whole session; public clients: at most 2 weeks per session and between refreshes (confidential clients: 2 years / 3 months) | <https://atproto.com/specs/oauth>; lifetimes from `@atproto/oauth-provider` 0.22 `oauth-constants` |
//! | Mastodon | does not expire (until revoked) | none | none | <https://docs.joinmastodon.org/spec/oauth/> |
//! | Reddit | 1 hour | a new password grant (script apps) or the `refresh_token` grant (`duration=permanent`), a minute before expiry and on a 401 | with `duration=permanent`; not documented to rotate | <https://github.com/reddit-archive/reddit/wiki/OAuth2> |
//! | TikTok | 24 hours | `refresh_token` grant (`client_key` + `client_secret`), a minute before expiry and on a 401 | 365 days; a refresh **may return a new one**, which replaces the old | <https://developers.tiktok.com/doc/oauth-user-access-token-management> |
//! | Pinterest | 30 days | `refresh_token` grant (HTTP Basic client auth), a minute before expiry and on a 401 | 365 days; the refresh answer carries a refresh token, which replaces the old | <https://developers.pinterest.com/docs/getting-started/authentication-and-scopes/> |
//!
//! [`lifecycle`] returns these facts as data. Where a channel's config states no expiry, it is
//! discovered from the token response's `expires_in` ([`Token::from_oauth_json`]) or, for
//! Meta, from the token debug endpoint ([`crate::auth::meta`]).
//!
//! # Renewed tokens are stored before they are used
//!
//! A [`TokenManager`](super::TokenManager) with a [`TokenStore`] refreshes like this:
//!
//! 1. [`TokenStore::begin`]: take the channel's refresh lease (a row lease in the store, so
//!    only one process or worker refreshes a channel at a time) and re-read the stored token;
//!    if another process already renewed it, adopt that token — no second refresh, so a
//!    rotating refresh token is never spent twice.
//! 2. Ask the platform for a new token.
//! 3. [`TokenStore::commit`]: write the new pair (sealed, in the vault) and end the lease.
//!    Only then is the new access token handed to the caller. If the write fails, the token
//!    is kept in memory, not used, and the write is retried on the next call.
//!
//! **The window between 2 and 3.** If the process dies after the platform answered and before
//! the write, the answer is lost. Where the platform does not rotate refresh tokens
//! (LinkedIn, Meta's renewals) the stored token still works and the next process simply
//! refreshes again. Where it rotates (X, Bluesky), the stored refresh token is dead: the next
//! refresh is refused, and the channel is marked *needs re-authorisation* with the reason
//! [`RefreshLost`](crate::store::vault::ReauthReason::RefreshLost)-or-revoked; Bluesky
//! recovers by itself with a new app-password session. No post is lost: deliveries of a
//! channel that needs re-authorisation wait and go out once it is reconnected. The lease
//! expires by itself (default 2 minutes), so a dead holder blocks nobody for longer.
//! `tests/vault_restart.rs` kills a process in exactly this window (SIGKILL) and checks both.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::token::Token;
use crate::Result;
use crate::error::Error;

/// What [`TokenStore::begin`] found.
#[derive(Debug, Clone)]
pub enum Begin {
    /// The lease is taken and the stored token is the one in memory: refresh.
    Refresh,
    /// Another process renewed the token meanwhile: use this one, no refresh (no lease is
    /// held).
    Adopt(Token),
}

/// Durable storage of one channel's token, with a lease so one refresher runs at a time
/// across processes. The engine implements it on the vault; see the module docs for the
/// protocol.
#[async_trait]
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// Before a refresh of `current`: takes the lease (waiting a bounded time for another
    /// holder) and compares with the stored token.
    async fn begin(&self, current: &Token) -> Result<Begin>;
    /// Writes the renewed token and ends the lease. The token is used only after this
    /// returned `Ok`.
    async fn commit(&self, fresh: &Token) -> Result<()>;
    /// The refresh failed: ends the lease, and records why when the account must be
    /// reconnected (`error` of kind [`Unauthenticated`](crate::ErrorKind::Unauthenticated)).
    async fn abort(&self, error: &Error);
}

/// Makes the [`TokenStore`] of the channel being built, for a platform's name.
pub type TokenStoreFactory = Arc<dyn Fn(&'static str) -> Arc<dyn TokenStore> + Send + Sync>;

tokio::task_local! {
    static BUILDING: TokenStoreFactory;
}

/// Runs `build` (a registry factory: `Registry::from_config`/`from_url`) so that every
/// refreshing [`TokenManager`](super::TokenManager) it makes gets the token store `factory`
/// returns. This is how the engine gives adapters vault-backed refresh without any adapter
/// knowing about the vault.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::auth::{Token, TokenManager, refresh_fn};
/// use socialkit::auth::lifecycle::{Begin, TokenStore, TokenStoreFactory, with_token_store};
/// #[derive(Debug)]
/// struct Log;
/// #[async_trait::async_trait]
/// impl TokenStore for Log {
///     async fn begin(&self, _: &Token) -> socialkit::Result<Begin> { Ok(Begin::Refresh) }
///     async fn commit(&self, t: &Token) -> socialkit::Result<()> { println!("store {:?}", t.expires_at); Ok(()) }
///     async fn abort(&self, _: &socialkit::Error) {}
/// }
/// let factory: TokenStoreFactory = Arc::new(|_platform| Arc::new(Log) as Arc<dyn TokenStore>);
/// let manager = with_token_store(factory, || {
///     TokenManager::builder("x", Token::new("a")).refresher(refresh_fn(|_| async { Ok(Token::new("b")) })).build()
/// });
/// assert!(format!("{manager:?}").contains("persisted: true"));
/// ```
pub fn with_token_store<T>(factory: TokenStoreFactory, build: impl FnOnce() -> T) -> T {
    BUILDING.sync_scope(factory, build)
}

/// The token store of the channel being built, if [`with_token_store`] is active.
pub(crate) fn building(platform: &'static str) -> Option<Arc<dyn TokenStore>> {
    BUILDING.try_with(|f| f(platform)).ok()
}

/// How a platform's tokens live (see the module docs' table).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    /// How long an access token lives, when the platform fixes it.
    pub access_lifetime: Option<Duration>,
    /// How long before expiry socialkit renews it.
    pub refresh_lead: Duration,
    /// Whether a refresh returns a new refresh token and kills the old one.
    pub rotates_refresh_token: bool,
    /// How long a refresh token (or renewable grant) lives, when fixed.
    pub refresh_lifetime: Option<Duration>,
    /// Whether tokens can be renewed without the user at all.
    pub renewable: bool,
    /// Where these facts come from.
    pub source: &'static str,
}

const DAY: u64 = 24 * 3600;

/// The lifecycle of `platform`'s tokens (`None` for a platform without one, e.g. the
/// sandbox).
///
/// ```
/// use socialkit::auth::lifecycle::lifecycle;
/// assert!(lifecycle("x").unwrap().rotates_refresh_token);
/// assert_eq!(lifecycle("linkedin").unwrap().access_lifetime.unwrap().as_secs(), 60 * 24 * 3600);
/// assert!(lifecycle("mastodon").unwrap().access_lifetime.is_none());
/// ```
pub fn lifecycle(platform: &str) -> Option<Lifecycle> {
    let l = |access: Option<u64>, lead: u64, rotates, refresh: Option<u64>, renewable, source| {
        Lifecycle {
            access_lifetime: access.map(Duration::from_secs),
            refresh_lead: Duration::from_secs(lead),
            rotates_refresh_token: rotates,
            refresh_lifetime: refresh.map(Duration::from_secs),
            renewable,
            source,
        }
    };
    Some(match platform {
        "x" => l(
            Some(2 * 3600),
            60,
            true,
            None,
            true,
            "https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token",
        ),
        "linkedin" => l(
            Some(60 * DAY),
            60,
            false,
            Some(365 * DAY),
            true,
            "https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens",
        ),
        "threads" => l(
            Some(60 * DAY),
            7 * DAY,
            false,
            None,
            true,
            "https://developers.facebook.com/docs/threads/get-started/long-lived-tokens",
        ),
        "instagram" => l(
            Some(60 * DAY),
            7 * DAY,
            false,
            None,
            true,
            "https://developers.facebook.com/docs/instagram-platform/reference/refresh_access_token",
        ),
        "facebook" => l(
            None,
            0,
            false,
            None,
            false,
            "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived",
        ),
        "bluesky" => l(
            Some(2 * 3600),
            60,
            true,
            Some(90 * DAY),
            true,
            "https://docs.bsky.app/docs/api/com-atproto-server-refresh-session",
        ),
        "mastodon" => l(
            None,
            0,
            false,
            None,
            false,
            "https://docs.joinmastodon.org/spec/oauth/",
        ),
        // Script apps renew with the password grant, web and installed apps with a
        // permanent grant's refresh token; rotation is not documented (unverified).
        "reddit" => l(
            Some(3600),
            60,
            false,
            None,
            true,
            "https://github.com/reddit-archive/reddit/wiki/OAuth2",
        ),
        // TikTok: "the refresh_token value may be different" after a refresh, so it is
        // treated as rotating.
        "tiktok" => l(
            Some(DAY),
            60,
            true,
            Some(365 * DAY),
            true,
            "https://developers.tiktok.com/doc/oauth-user-access-token-management",
        ),
        // Pinterest's refresh answer (`OauthAccessTokenResponseRefresh`) always carries a
        // refresh token: treated as rotating.
        "pinterest" => l(
            Some(30 * DAY),
            60,
            true,
            Some(365 * DAY),
            true,
            "https://developers.pinterest.com/docs/getting-started/authentication-and-scopes/",
        ),
        _ => return None,
    })
}
