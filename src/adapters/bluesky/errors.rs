//! The one place where Bluesky's error answers become socialkit [`Error`]s.
//!
//! XRPC errors are JSON `{"error": "<Name>", "message": "…"}`, the names coming from each
//! method's lexicon. The table:
//!
//! | XRPC error (status) | kind | retryable |
//! |---|---|---|
//! | `ExpiredToken`, `InvalidToken` (400 — atproto answers 400, not 401) | `Unauthenticated`, after one refresh failed | no |
//! | `AuthenticationRequired`, `AuthMissing`, `AuthRequired`, any 401 | `Unauthenticated` | no |
//! | `AuthFactorTokenRequired` | `Unauthenticated` (use an app password) | no |
//! | `AccountTakedown`, `AccountSuspended`, `AccountDeactivated`, `BlockedActor`, `BlockedByActor`, 403 | `PermissionDenied` | no |
//! | `InvalidRequest` "No service configured for app.bsky…" (a PDS without AppView) | `Unsupported` | no |
//! | `InvalidRequest`, `BlobTooLarge`, `InvalidMimeType`, other 400 | `Validation` | no |
//! | `RecordNotFound`, `NotFound`, `HandleNotFound`, `RepoNotFound`, `AccountNotFound`, 404 | `NotFound` | no |
//! | `RateLimitExceeded`, 429 | `RateLimited`, `retry_after` from `RateLimit-Reset` (epoch s) or `Retry-After` | yes |
//! | `InvalidSwap`, 409 | `Conflict` | no |
//! | `MethodNotImplemented`, 501 | `Unsupported` | no |
//! | `InternalServerError`, `UpstreamFailure`, `UpstreamTimeout`, `NotEnoughResources`, other 5xx | `Platform` | yes |
//! | a body that is not JSON (a proxy's HTML page) | by status as above; the message says so and carries a redacted snippet | |
//!
//! The platform's code and message go into the error's context; messages are redacted by the
//! HTTP layer before they get here.
//!
//! ```
//! use socialkit::ErrorKind;
//! use socialkit::adapters::bluesky::errors::classify;
//! assert_eq!(classify(400, Some("ExpiredToken"), None), ErrorKind::Unauthenticated);
//! assert_eq!(classify(400, Some("InvalidRequest"), Some("grapheme too big")), ErrorKind::Validation);
//! assert_eq!(
//!     classify(400, Some("InvalidRequest"), Some("No service configured for app.bsky.feed.getPosts")),
//!     ErrorKind::Unsupported
//! );
//! assert_eq!(classify(502, None, None), ErrorKind::Platform);
//! ```

use crate::http::{ErrorBody, ErrorMapper, Response, kind_for_status};
use crate::{Error, ErrorKind};

/// The kind an XRPC error means, from its status, name and message.
pub fn classify(status: u16, code: Option<&str>, message: Option<&str>) -> ErrorKind {
    match code {
        Some("ExpiredToken" | "InvalidToken" | "AuthenticationRequired" | "AuthMissing")
        | Some("AuthRequired" | "AuthFactorTokenRequired") => ErrorKind::Unauthenticated,
        Some("AccountTakedown" | "AccountSuspended" | "AccountDeactivated")
        | Some("BlockedActor" | "BlockedByActor") => ErrorKind::PermissionDenied,
        Some("InvalidRequest")
            if message.is_some_and(|m| m.starts_with("No service configured for")) =>
        {
            ErrorKind::Unsupported
        }
        Some("InvalidRequest" | "BlobTooLarge" | "InvalidMimeType") if status < 500 => {
            ErrorKind::Validation
        }
        Some("RecordNotFound" | "NotFound" | "HandleNotFound" | "RepoNotFound")
        | Some("AccountNotFound" | "ProfileNotFound") => ErrorKind::NotFound,
        Some("RateLimitExceeded") => ErrorKind::RateLimited,
        Some("InvalidSwap") => ErrorKind::Conflict,
        Some("MethodNotImplemented") => ErrorKind::Unsupported,
        Some("InternalServerError" | "UpstreamFailure" | "UpstreamTimeout")
        | Some("NotEnoughResources") => ErrorKind::Platform,
        _ => match status {
            501 => ErrorKind::Unsupported,
            s => kind_for_status(
                crate::http::StatusCode::from_u16(s)
                    .unwrap_or(crate::http::StatusCode::INTERNAL_SERVER_ERROR),
            ),
        },
    }
}

/// Whether an error says the access token is no longer good (HTTP 400 `ExpiredToken` or
/// `InvalidToken`, or any 401 except a wrong password): refresh the session and send again.
pub(crate) fn needs_refresh(err: &Error) -> bool {
    let c = err.context();
    match (c.http_status, c.platform_code.as_deref()) {
        (Some(400), Some("ExpiredToken" | "InvalidToken")) => true,
        (Some(401), Some("AccountTakedown" | "AuthFactorTokenRequired")) => false,
        (Some(401), _) => true,
        _ => false,
    }
}

/// Whether a `refreshSession` failure means the refresh token is dead, so only a new session
/// (`createSession`) can help.
pub(crate) fn refresh_token_dead(err: &Error) -> bool {
    let c = err.context();
    matches!(
        c.platform_code.as_deref(),
        Some("ExpiredToken" | "InvalidToken" | "AuthMissing" | "AuthenticationRequired")
    ) || c.http_status == Some(401)
}

/// The [`ErrorMapper`] of the Bluesky adapter: [`classify`] plus a message that tells the
/// caller what to do, the XRPC name and message in the context, and `retry_after` for rate
/// limits.
///
/// ```
/// use socialkit::adapters::bluesky::errors::BlueskyErrors;
/// use socialkit::http::{ErrorMapper, Response, StatusCode};
/// let r = Response::new("bluesky", "publish", StatusCode::BAD_REQUEST, Default::default(),
///     r#"{"error":"InvalidRequest","message":"Invalid app.bsky.feed.post record: grapheme too big"}"#);
/// let e = BlueskyErrors.map(&r);
/// assert_eq!(e.kind(), socialkit::ErrorKind::Validation);
/// assert_eq!(e.context().platform_code.as_deref(), Some("InvalidRequest"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct BlueskyErrors;

impl ErrorMapper for BlueskyErrors {
    fn map(&self, response: &Response) -> Error {
        let status = response.status().as_u16();
        let body = ErrorBody::parse(response.body());
        let code = body.code.as_deref();
        let json = code.is_some();
        let kind = classify(status, code, body.message.as_deref());
        let op = response.operation();
        let what = match kind {
            ErrorKind::Unauthenticated => match code {
                Some("AuthFactorTokenRequired") => {
                    "Bluesky asks for a sign-in code: use an app password".to_string()
                }
                Some("ExpiredToken" | "InvalidToken") => {
                    "the Bluesky session is no longer valid; reconnect the account".to_string()
                }
                _ => "Bluesky rejected the credentials; reconnect the account".to_string(),
            },
            ErrorKind::PermissionDenied => match code {
                Some("AccountTakedown" | "AccountSuspended") => {
                    "the Bluesky account is taken down or suspended".to_string()
                }
                Some("AccountDeactivated") => "the Bluesky account is deactivated".to_string(),
                _ => format!("Bluesky does not allow {op} for this account"),
            },
            ErrorKind::Unsupported => {
                format!("this Bluesky server does not offer {op} (no AppView or method)")
            }
            ErrorKind::Validation => format!("Bluesky rejected the request for {op} as invalid"),
            ErrorKind::NotFound => "Bluesky found no such record or account".to_string(),
            ErrorKind::RateLimited => "Bluesky rate limit reached".to_string(),
            ErrorKind::Conflict => "the Bluesky repository changed meanwhile".to_string(),
            ErrorKind::Platform if status >= 500 => {
                format!("Bluesky failed on its side (HTTP {status})")
            }
            _ => format!("Bluesky answered {op} with HTTP {status}"),
        };
        let message = if json {
            what
        } else if response.body().is_empty() {
            format!("{what}; the answer had no body")
        } else {
            format!("{what}; the answer was not JSON (a proxy error page?)")
        };
        let mut err = response.error(kind, message);
        if kind == ErrorKind::Platform {
            err = err.with_retryable(status >= 500);
        }
        if let Some(c) = body.code {
            err = err.with_platform_code(c);
        }
        match body.message {
            Some(m) => err.with_platform_message(m),
            None if !response.body().is_empty() => err.with_platform_message(response.snippet()),
            None => err,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::header::{HeaderMap, HeaderValue};
    use crate::http::{RateLimitStyle, StatusCode};
    use chrono::{TimeZone, Utc};

    fn answer(status: u16, body: &'static str, headers: &[(&'static str, &str)]) -> Error {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap();
        let r = Response::new(
            "bluesky",
            "publish",
            StatusCode::from_u16(status).unwrap(),
            h,
            body,
        )
        .with_rate_limit_style(RateLimitStyle::Bluesky, now);
        BlueskyErrors.map(&r)
    }

    #[test]
    fn the_table() {
        let cases: &[(u16, &'static str, ErrorKind, bool)] = &[
            (
                400,
                r#"{"error":"ExpiredToken","message":"Token has expired"}"#,
                ErrorKind::Unauthenticated,
                false,
            ),
            (
                400,
                r#"{"error":"InvalidToken","message":"Token could not be verified"}"#,
                ErrorKind::Unauthenticated,
                false,
            ),
            (
                401,
                r#"{"error":"AuthenticationRequired","message":"Invalid identifier or password"}"#,
                ErrorKind::Unauthenticated,
                false,
            ),
            (
                401,
                r#"{"error":"AuthMissing","message":"Authentication Required"}"#,
                ErrorKind::Unauthenticated,
                false,
            ),
            (
                400,
                r#"{"error":"AccountTakedown","message":"Account has been taken down"}"#,
                ErrorKind::PermissionDenied,
                false,
            ),
            (
                400,
                r#"{"error":"InvalidRequest","message":"Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text"}"#,
                ErrorKind::Validation,
                false,
            ),
            (
                400,
                r#"{"error":"InvalidRequest","message":"No service configured for app.bsky.feed.getPosts"}"#,
                ErrorKind::Unsupported,
                false,
            ),
            (
                400,
                r#"{"error":"RecordNotFound","message":"Could not locate record"}"#,
                ErrorKind::NotFound,
                false,
            ),
            (
                400,
                r#"{"error":"NotFound","message":"Post not found"}"#,
                ErrorKind::NotFound,
                false,
            ),
            (
                400,
                r#"{"error":"HandleNotFound","message":"Unable to resolve handle"}"#,
                ErrorKind::NotFound,
                false,
            ),
            (
                400,
                r#"{"error":"InvalidSwap","message":"Commit was at x"}"#,
                ErrorKind::Conflict,
                false,
            ),
            (
                500,
                r#"{"error":"InternalServerError","message":"Internal Server Error"}"#,
                ErrorKind::Platform,
                true,
            ),
            (
                502,
                r#"{"error":"UpstreamFailure","message":"Upstream Failure"}"#,
                ErrorKind::Platform,
                true,
            ),
            (
                501,
                r#"{"error":"MethodNotImplemented","message":"Method Not Implemented"}"#,
                ErrorKind::Unsupported,
                false,
            ),
            (
                503,
                "<html><body><h1>503 Service Unavailable</h1></body></html>",
                ErrorKind::Platform,
                true,
            ),
            (404, "Not Found", ErrorKind::NotFound, false),
            (418, "", ErrorKind::Platform, false),
        ];
        for (status, body, kind, retryable) in cases {
            let e = answer(*status, body, &[]);
            assert_eq!(e.kind(), *kind, "{status} {body}: {e}");
            assert_eq!(e.is_retryable(), *retryable, "{status} {body}: {e}");
            assert_eq!(e.context().platform.as_deref(), Some("bluesky"));
            assert_eq!(e.context().http_status, Some(*status));
        }
    }

    #[test]
    fn rate_limits_carry_the_reset() {
        let e = answer(
            429,
            r#"{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}"#,
            &[
                ("ratelimit-limit", "3000"),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", "1795820460"),
                ("ratelimit-policy", "3000;w=300"),
            ],
        );
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.is_retryable());
        assert_eq!(e.retry_after().map(|t| t.timestamp()), Some(1_795_820_460));
        assert_eq!(
            e.context().platform_code.as_deref(),
            Some("RateLimitExceeded")
        );

        let e = answer(
            429,
            r#"{"error":"RateLimitExceeded"}"#,
            &[("retry-after", "30")],
        );
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        let expected = Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 30).unwrap();
        assert_eq!(e.retry_after(), Some(expected));
    }

    #[test]
    fn html_bodies_are_typed_and_explained() {
        let e = answer(
            502,
            "<html><head><title>502</title></head><body>nginx</body></html>",
            &[],
        );
        assert_eq!(e.kind(), ErrorKind::Platform);
        assert!(e.to_string().contains("not JSON"), "{e}");
        assert!(e.context().platform_message.is_some());
    }

    #[test]
    fn token_errors_ask_for_a_refresh() {
        let expired = answer(
            400,
            r#"{"error":"ExpiredToken","message":"Token has expired"}"#,
            &[],
        );
        assert!(needs_refresh(&expired));
        let invalid = answer(400, r#"{"error":"InvalidToken"}"#, &[]);
        assert!(needs_refresh(&invalid));
        let unauthorized = answer(401, r#"{"error":"AuthMissing"}"#, &[]);
        assert!(needs_refresh(&unauthorized));
        let validation = answer(400, r#"{"error":"InvalidRequest"}"#, &[]);
        assert!(!needs_refresh(&validation));
        let takedown = answer(401, r#"{"error":"AccountTakedown"}"#, &[]);
        assert!(!needs_refresh(&takedown));
        let revoked = answer(
            400,
            r#"{"error":"ExpiredToken","message":"Token has been revoked"}"#,
            &[],
        );
        assert!(refresh_token_dead(&revoked));
        let down = answer(503, "", &[]);
        assert!(!refresh_token_dead(&down));
    }
}
