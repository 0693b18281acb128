//! atproto OAuth for Bluesky: connect an account without an app password.
//!
//! The flow (source: <https://atproto.com/specs/oauth>, shapes checked against the reference
//! PDS 0.5.35 and `@atproto/oauth-provider` 0.22):
//!
//! 1. **Resolve** the handle to a DID (`com.atproto.identity.resolveHandle`), the DID to its
//!    document (PLC directory or `did:web`), checking that the document claims the handle,
//!    and take its PDS; read the PDS's `/.well-known/oauth-protected-resource` and the
//!    authorization server's `/.well-known/oauth-authorization-server` ([`Resolver`]).
//! 2. **PAR**: push the authorization request (client id, redirect URI, scope, `state`, PKCE
//!    S256 challenge, `login_hint`) with a DPoP proof made by a new ES256 key for this session
//!    ([`DpopKey`]); the server's first answer is `use_dpop_nonce` and the request is sent once
//!    more with its nonce. The user goes to the authorization endpoint with the `request_uri`.
//! 3. **Callback**: `state`, age, denial and `iss` are checked before anything is sent; the
//!    code is exchanged with the PKCE verifier and a proof from the same key; the token must
//!    be `DPoP`, carry the `atproto` scope, and name the account the flow started with.
//! 4. **Calls**: every XRPC request carries `Authorization: DPoP <token>` and a fresh proof
//!    with `ath` (the token's hash) and the PDS's current nonce; a `use_dpop_nonce` answer is
//!    sent once more with the new nonce.
//! 5. **Refresh**: the `refresh_token` grant, a minute before expiry or when the PDS refuses
//!    the token; the refresh token rotates. For a channel in the engine's vault the renewal
//!    takes the channel's lease and is written (sealed, with the DPoP key that never changes)
//!    before it is used.
//!
//! **Client identity.** [`OAuthClient::loopback`] is the spec's development client
//! (`http://localhost?redirect_uri=…&scope=…`, redirect to `http://127.0.0.1:PORT/…`); the
//! reference PDS accepts it. [`OAuthClient::discoverable`] is an `https` client id where the
//! app serves [`OAuthClient::metadata`]. Both are public clients (`token_endpoint_auth_method:
//! none`); confidential clients (`private_key_jwt`) are not implemented.
//!
//! **A crash between the refresh answer and the vault write.** The reference PDS rotates
//! refresh tokens and treats a used one as a replay: it deletes the whole session
//! (`invalid_grant` "Refresh token replayed"). The next process therefore cannot refresh; the
//! channel is marked needs-reauthorisation (reason `refresh_lost` when the process took over
//! the dead holder's lease, else `revoked`) and its deliveries wait for the account to be
//! connected again. Unlike app-password channels there is no password to fall back on.
//!
//! ```no_run
//! use socialkit::adapters::bluesky::oauth::OAuthClient;
//! use socialkit::auth::connect::Callback;
//! # async fn demo(http: socialkit::http::Client, query: &str) -> socialkit::Result<()> {
//! let client = OAuthClient::loopback(url::Url::parse("http://127.0.0.1:8080/callback").unwrap())?;
//! let (url, pending) = client.start(&http, "acme.bsky.social").await?;
//! println!("open {url}");
//! // … the user signs in; the redirect to /callback brings `query` …
//! let config = client.complete(&http, &pending, &Callback::parse(query)?).await?;
//! let bsky = socialkit::adapters::bluesky::Bluesky::new(config)?;
//! # let _ = bsky; Ok(()) }
//! ```

mod dpop;
mod flow;
mod resolve;
mod session;
mod tokens;

pub use dpop::{DpopKey, NONCE_HEADER, Nonces, USE_DPOP_NONCE};
pub use flow::{DEFAULT_SCOPE, OAuthClient, PendingAtproto};
pub use resolve::{Identity, Resolver, ServerMetadata};
pub use session::OAuthSession;

pub(crate) use session::{Current as OAuthCurrent, OAuthManager};
pub(crate) use tokens::{NonceAware, wants_nonce};
