//! The one HTTP layer every platform adapter sends through.
//!
//! An adapter describes a request as a [`Call`] (platform, operation, method, URL, headers,
//! body, and whether it may be retried), hands it to [`Client::send`] together with its
//! [`ErrorMapper`], and gets back a [`Response`] for a success or a typed [`Error`](crate::Error)
//! for anything else. On the way the client
//!
//! - applies connect and request timeouts and the `socialkit/<version>` User-Agent,
//! - retries [`Retry::Idempotent`] calls on retryable failures with exponential backoff and full
//!   jitter, bounded in attempts and total time, and honours `Retry-After` / reset hints,
//! - never retries a [`Retry::Never`] call (a timed-out write returns
//!   [`ErrorKind::Timeout`](crate::ErrorKind::Timeout): the engine reconciles), and marks a
//!   request that never left because the connection could not be made ([`nothing_sent`]:
//!   not in doubt),
//! - parses the platform's rate-limit headers into one [`RateLimit`] (the adapter chooses the
//!   [`RateLimitStyle`], because header families collide),
//! - opens a `tracing` span per call with platform, operation, method, the redacted URL, status,
//!   attempt and duration, and never logs a token ([`redact`]).
//!
//! ```no_run
//! use socialkit::http::{Call, Client, DefaultErrorMapper, RateLimitStyle};
//! use url::Url;
//!
//! # async fn demo() -> socialkit::Result<()> {
//! let client = Client::default();
//! let url = Url::parse("https://mastodon.example/api/v1/accounts/verify_credentials")?;
//! let call = Call::get("mastodon", "channel", url)
//!     .bearer(&socialkit::auth::Secret::new("secret-token"))
//!     .rate_limit_style(RateLimitStyle::Mastodon);
//! let response = client.send(call, &DefaultErrorMapper).await?;
//! let account: serde_json::Value = response.json()?;
//! # let _ = account;
//! # Ok(())
//! # }
//! ```

// `crate::Error` is 232 bytes by design (kind, context, retry hint, source); boxing it is a
// crate-wide decision for `src/error.rs`, so the lint is silenced here rather than worked around.

mod backoff;
mod call;
mod client;
mod endpoints;
pub mod google;
mod highwater;

mod mapper;
mod meta_usage;
mod operation;
mod poll;
mod ratelimit;
pub mod redact;
mod response;
mod retry;
mod sent;
pub(crate) mod serde_secs;

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use backoff::{Backoff, Jitter};
pub use call::{Call, Multipart, Part, Retry, Sign};
pub use client::{Client, HttpConfig};
#[allow(unused_imports)] // no user when no HTTP adapter feature is on
pub(crate) use endpoints::Endpoints;
pub use highwater::HighWater;
pub use mapper::{DefaultErrorMapper, ErrorBody, ErrorMapper, kind_for_status};
pub use operation::Operation;
pub use poll::{MAX_POLL_WAIT, Poll, poll_until};
pub use ratelimit::{
    Quota, RateLimit, RateLimitStyle, discord_body_retry_after, telegram_body_retry_after,
};
pub use response::Response;
pub use retry::RetryPolicy;
pub use sent::{NotConnected, NotSent, nothing_sent};

/// The HTTP method type used by [`Call`] (re-exported from `reqwest`).
pub use reqwest::Method;
/// The HTTP status type of [`Response`] (re-exported from `reqwest`).
pub use reqwest::StatusCode;
/// Header names, values and maps used by [`Call`] and [`Response`] (re-exported from `reqwest`).
pub use reqwest::header;

/// The User-Agent socialkit sends unless configured otherwise: `socialkit/<crate version>`.
///
/// ```
/// assert!(socialkit::http::DEFAULT_USER_AGENT.starts_with("socialkit/"));
/// ```
pub const DEFAULT_USER_AGENT: &str = concat!("socialkit/", env!("CARGO_PKG_VERSION"));
