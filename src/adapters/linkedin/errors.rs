//! LinkedIn's error answers, mapped to kinds in one place ([`map`]).
//!
//! | LinkedIn answers | kind |
//! |---|---|
//! | 401 (`65600` invalid, `65601` `REVOKED_ACCESS_TOKEN`, expired) | `Unauthenticated`: reconnect the account (tokens last 60 days) |
//! | 403 `ACCESS_DENIED` | `PermissionDenied` (scope, or no page role) |
//! | 404 | `NotFound` |
//! | 422 with `DUPLICATE_POST` (or "…duplicate…") | `Duplicate` |
//! | 400, 422 otherwise | `Validation` |
//! | 426, or any answer with `NONEXISTENT_VERSION` | `ConfigInvalid`: the `LinkedIn-Version` is retired (LinkedIn serves a monthly version for about a year) or not released yet; the message says to set `version=YYYYMM` |
//! | 429 | `RateLimited`; LinkedIn sends no rate-limit headers and its daily quotas reset at 00:00 UTC, so `retry_after` is the next midnight UTC (a `Retry-After`, should one come, wins) |
//! | 5xx, HTML bodies | `Platform`, retryable |
//!
//! ```
//! use socialkit::http::{Response, StatusCode, header::HeaderMap};
//! let body = r#"{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"The token used in the request has been revoked by the user"}"#;
//! let r = Response::new("linkedin", "publish", StatusCode::UNAUTHORIZED, HeaderMap::new(), body);
//! let e = socialkit::adapters::linkedin::errors::map(&r);
//! assert_eq!(e.kind(), socialkit::ErrorKind::Unauthenticated);
//! assert!(e.to_string().contains("reconnect"));
//! ```

use chrono::{DateTime, Days, Utc};
use serde_json::Value;

use crate::http::{DefaultErrorMapper, ErrorMapper, Response};
use crate::{Error, ErrorKind};

/// The [`ErrorMapper`] of the LinkedIn adapter (calls [`map`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkedInErrors;

impl ErrorMapper for LinkedInErrors {
    fn map(&self, response: &Response) -> Error {
        map(response)
    }
}

/// The next 00:00 UTC after `now`.
///
/// ```
/// let now: chrono::DateTime<chrono::Utc> = "2026-05-04T13:14:15Z".parse().unwrap();
/// assert_eq!(socialkit::adapters::linkedin::errors::next_midnight_utc(now).to_rfc3339(), "2026-05-05T00:00:00+00:00");
/// ```
pub fn next_midnight_utc(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive()
        .checked_add_days(Days::new(1))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or(now)
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    match v.pointer(pointer)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The code LinkedIn answers (with 426) for a `LinkedIn-Version` it does not serve.
pub const NONEXISTENT_VERSION: &str = "NONEXISTENT_VERSION";

/// What a [`NONEXISTENT_VERSION`] error tells the user to do.
pub const VERSION_ADVICE: &str = "linkedin does not serve the LinkedIn-Version this channel sends \
     (LinkedIn retires each monthly version about a year after its release): set `version=YYYYMM` \
     in the channel URL (or `version` in its config) to a version LinkedIn serves now";

/// Maps a non-success answer of LinkedIn to an error.
///
/// A retired version (426 `NONEXISTENT_VERSION`, the body as third-party clients quote it:
/// `{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 202401 is not active"}`)
/// is a configuration error, never retried:
///
/// ```
/// use socialkit::http::{Response, StatusCode, header::HeaderMap};
/// let body = r#"{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 202401 is not active"}"#;
/// let r = Response::new("linkedin", "publish", StatusCode::UPGRADE_REQUIRED, HeaderMap::new(), body);
/// let e = socialkit::adapters::linkedin::errors::map(&r);
/// assert_eq!(e.kind(), socialkit::ErrorKind::ConfigInvalid);
/// assert!(!e.is_retryable());
/// assert!(e.to_string().contains("version=YYYYMM"));
/// ```
pub fn map(response: &Response) -> Error {
    let v: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    let code = text(&v, "/errorDetails/inputErrors/0/code")
        .or_else(|| text(&v, "/code"))
        .or_else(|| text(&v, "/serviceErrorCode"));
    let message = text(&v, "/message").unwrap_or_default();
    let duplicate = code.as_deref() == Some("DUPLICATE_POST")
        || message.to_ascii_lowercase().contains("duplicate");
    let retired_version = response.status().as_u16() == 426
        || code.as_deref() == Some(NONEXISTENT_VERSION)
        || code.as_deref() == Some("VERSION_MISSING");
    let (kind, what) = match response.status().as_u16() {
        _ if retired_version => (ErrorKind::ConfigInvalid, VERSION_ADVICE.to_string()),
        401 => {
            let revoked = code.as_deref() == Some("REVOKED_ACCESS_TOKEN")
                || text(&v, "/serviceErrorCode").as_deref() == Some("65601");
            let why = if revoked {
                "was revoked"
            } else {
                "is invalid or expired (LinkedIn tokens last 60 days)"
            };
            (
                ErrorKind::Unauthenticated,
                format!("the linkedin access token {why}; the account must be reconnected"),
            )
        }
        403 => (
            ErrorKind::PermissionDenied,
            "linkedin denied this operation (missing scope or page role)".to_string(),
        ),
        404 => (
            ErrorKind::NotFound,
            "linkedin found no such post, comment or media".to_string(),
        ),
        422 | 400 if duplicate => (
            ErrorKind::Duplicate,
            "linkedin refused the post as a duplicate".to_string(),
        ),
        400 | 422 => (
            ErrorKind::Validation,
            "linkedin rejected the request as invalid".to_string(),
        ),
        429 => (
            ErrorKind::RateLimited,
            "linkedin daily rate limit reached (it resets at 00:00 UTC)".to_string(),
        ),
        _ => return details(DefaultErrorMapper.map(response), code, &message),
    };
    let mut err = response.error(kind, what);
    if kind == ErrorKind::RateLimited && err.retry_after().is_none() {
        err = err.with_retry_after(next_midnight_utc(response.received_at()));
    }
    details(err, code, &message)
}

fn details(mut err: Error, code: Option<String>, message: &str) -> Error {
    if let Some(c) = code {
        err = err.with_platform_code(c);
    }
    if !message.is_empty() {
        err = err.with_platform_message(crate::http::redact::truncate_chars(
            &crate::http::redact::redact_text(message),
            crate::http::redact::SNIPPET_CHARS,
        ));
    }
    err
}
