//! The one place where Mastodon's error answers become socialkit [`Error`]s.
//!
//! | answer | kind | retryable |
//! |---|---|---|
//! | 400, 413 | `Validation` | no |
//! | 401 | `Unauthenticated` (reconnect the account) | no |
//! | 422 with an empty body on `verify_credentials` (snac's answer to a missing, wrong or revoked token) | `Unauthenticated` | no |
//! | 403 | `PermissionDenied` (missing scope, suspended, unconfirmed account) | no |
//! | 404, 410 | `NotFound` | no |
//! | 409 | `Conflict` (e.g. a request with the same idempotency key still in progress) | yes |
//! | 422 on status create/edit | `Validation`, with the server's message | no |
//! | 422 on a media upload or its processing, or a message about spam/blocks | `ContentRejected` | no |
//! | 429 | `RateLimited`, `retry_after` from `X-RateLimit-Reset` (ISO-8601 or epoch) or `Retry-After` | yes |
//! | 5xx | `Platform` | yes |
//! | anything else | `Platform` (4xx) or `Unexpected` | no |
//!
//! The server's `{"error": "…"}` message goes into the context's `platform_message` (and, for
//! 422, into the message itself, since it says what to fix). A body that is not JSON (an HTML
//! page from a proxy, snac's `<h1>404 Not Found</h1>`) still gives a typed error with a
//! redacted snippet of the body; nothing here can panic.
//!
//! ```
//! use socialkit::ErrorKind;
//! use socialkit::adapters::mastodon::errors::map_response;
//! use socialkit::http::{Response, StatusCode, header::HeaderMap};
//! let r = Response::new("mastodon", "publish", StatusCode::UNPROCESSABLE_ENTITY, HeaderMap::new(),
//!     r#"{"error":"Validation failed: Text character limit of 500 exceeded"}"#);
//! let e = map_response(&r);
//! assert_eq!(e.kind(), ErrorKind::Validation);
//! assert!(e.to_string().contains("character limit of 500"));
//! ```

use crate::http::{ErrorBody, ErrorMapper, Response};
use crate::{Error, ErrorKind};

/// The operation of `GET /api/v1/accounts/verify_credentials`: it takes no input, so a 422
/// from it can only be about the token (snac answers a missing or wrong token this way, with
/// an empty body: snac2 `mastoapi.c`, `status = 422; // "Unprocessable entity" (no login)`).
pub(crate) const VERIFY_CREDENTIALS_OPERATION: &str = "channel";

/// The operations whose 422 means "the file was refused" rather than "fix the request".
pub(crate) const MEDIA_OPERATIONS: [&str; 2] = ["upload_media", "media_processing"];

/// Maps a non-success Mastodon answer to an [`Error`] (see the module table).
pub fn map_response(response: &Response) -> Error {
    let status = response.status().as_u16();
    let body = ErrorBody::parse(response.body());
    let server_message = body.message.clone().or_else(|| {
        let snippet = response.snippet();
        (!snippet.trim().is_empty()).then_some(snippet)
    });
    let says = |prefix: &str| match &server_message {
        Some(m) => format!("{prefix}: {m}"),
        None => prefix.to_string(),
    };
    let op = response.operation().as_str();
    let mut err = match status {
        400 | 413 => response.error(
            ErrorKind::Validation,
            says("mastodon rejected the request as invalid"),
        ),
        401 => response.error(
            ErrorKind::Unauthenticated,
            "mastodon rejected the access token (invalid or revoked): reconnect the account",
        ),
        422 if op == VERIFY_CREDENTIALS_OPERATION && server_message.is_none() => response.error(
            ErrorKind::Unauthenticated,
            "the server did not accept the access token (it answered the account check with \
             422 and no reason, as snac does for a missing, wrong or revoked token): check the \
             token, or reconnect the account to get a new one",
        ),
        403 => response.error(
            ErrorKind::PermissionDenied,
            "mastodon denied this operation (missing scope, or the account is disabled, \
             unconfirmed or not approved)",
        ),
        404 | 410 => response.error(ErrorKind::NotFound, "mastodon found no such resource"),
        409 => response
            .error(
                ErrorKind::Conflict,
                "mastodon reported a conflict (a request with the same idempotency key may still \
                 be in progress)",
            )
            .with_retryable(true),
        422 => {
            let rejected = MEDIA_OPERATIONS.contains(&op)
                || server_message
                    .as_deref()
                    .map(str::to_ascii_lowercase)
                    .is_some_and(|m| {
                        ["spam", "blocked", "rejected", "not allowed", "forbidden"]
                            .iter()
                            .any(|w| m.contains(w))
                    });
            if rejected {
                response.error(
                    ErrorKind::ContentRejected,
                    says("mastodon refused the content"),
                )
            } else {
                response.error(ErrorKind::Validation, says("mastodon rejected the request"))
            }
        }
        429 => {
            let mut e = response.error(ErrorKind::RateLimited, "mastodon rate limit reached");
            if e.retry_after().is_none() {
                // A 429 without `X-RateLimit-Remaining: 0` still means "until the reset".
                let rl = response.rate_limit();
                if let Some(at) = rl.and_then(|r| r.reset_at.or(r.retry_after)) {
                    e = e.with_retry_after(at);
                }
            }
            e
        }
        500..=599 => response.error(
            ErrorKind::Platform,
            format!("mastodon failed on its side ({status})"),
        ),
        400..=499 => response
            .error(
                ErrorKind::Platform,
                format!("mastodon answered with unexpected status {status}"),
            )
            .with_retryable(false),
        _ => response.error(
            ErrorKind::Unexpected,
            format!("mastodon answered with unexpected status {status}"),
        ),
    };
    if let Some(code) = body.code.filter(|c| Some(c) != body.message.as_ref()) {
        err = err.with_platform_code(code);
    }
    if let Some(m) = server_message {
        err = err.with_platform_message(m);
    }
    err
}

/// The [`ErrorMapper`] of the Mastodon adapter: [`map_response`].
///
/// ```
/// use socialkit::http::{ErrorMapper, Response, StatusCode, header::HeaderMap};
/// use socialkit::adapters::mastodon::errors::MastodonErrors;
/// let r = Response::new("mastodon", "channel", StatusCode::UNAUTHORIZED, HeaderMap::new(),
///     r#"{"error":"The access token is invalid"}"#);
/// assert_eq!(MastodonErrors.map(&r).kind(), socialkit::ErrorKind::Unauthenticated);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct MastodonErrors;

impl ErrorMapper for MastodonErrors {
    fn map(&self, response: &Response) -> Error {
        map_response(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::header::HeaderMap;
    use crate::http::{RateLimitStyle, StatusCode};
    use chrono::{TimeZone, Utc};

    fn resp(
        status: u16,
        op: &'static str,
        headers: &[(&str, &str)],
        body: &'static str,
    ) -> Response {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(
                crate::http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        Response::new(
            "mastodon",
            op,
            StatusCode::from_u16(status).unwrap(),
            h,
            body,
        )
        .with_rate_limit_style(RateLimitStyle::Mastodon, Utc::now())
    }

    #[test]
    fn status_table() {
        let cases = [
            (400, ErrorKind::Validation, false),
            (401, ErrorKind::Unauthenticated, false),
            (403, ErrorKind::PermissionDenied, false),
            (404, ErrorKind::NotFound, false),
            (410, ErrorKind::NotFound, false),
            (409, ErrorKind::Conflict, true),
            (422, ErrorKind::Validation, false),
            (429, ErrorKind::RateLimited, true),
            (500, ErrorKind::Platform, true),
            (502, ErrorKind::Platform, true),
            (503, ErrorKind::Platform, true),
            (418, ErrorKind::Platform, false),
        ];
        for (status, kind, retryable) in cases {
            let e = map_response(&resp(status, "publish", &[], r#"{"error":"x"}"#));
            assert_eq!(e.kind(), kind, "{status}");
            assert_eq!(e.is_retryable(), retryable, "{status}");
            assert_eq!(e.context().http_status, Some(status));
            assert_eq!(e.context().platform.as_deref(), Some("mastodon"));
        }
    }

    #[test]
    fn an_empty_422_on_the_account_check_is_a_token_problem() {
        // snac 2.75: verify_credentials with a wrong token is 422 with an empty body.
        for body in ["", "  \n"] {
            let e = map_response(&resp(422, "channel", &[], body));
            assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{body:?}");
            assert!(!e.is_retryable());
            assert!(e.to_string().contains("reconnect the account"), "{e}");
        }
        // With a reason, or on another operation, a 422 stays what it says.
        let e = map_response(&resp(422, "channel", &[], r#"{"error":"Bad request"}"#));
        assert_eq!(e.kind(), ErrorKind::Validation);
        let e = map_response(&resp(422, "publish", &[], ""));
        assert_eq!(e.kind(), ErrorKind::Validation);
    }

    #[test]
    fn unprocessable_media_is_content_rejected() {
        let e = map_response(&resp(
            422,
            "upload_media",
            &[],
            r#"{"error":"Validation failed: File content type is invalid, File is invalid"}"#,
        ));
        assert_eq!(e.kind(), ErrorKind::ContentRejected);
        assert!(e.to_string().contains("File content type is invalid"));
        let e = map_response(&resp(
            422,
            "publish",
            &[],
            r#"{"error":"Validation failed: Text looks like spam"}"#,
        ));
        assert_eq!(e.kind(), ErrorKind::ContentRejected);
    }

    #[test]
    fn rate_limit_reset_iso_and_epoch() {
        let e = map_response(&resp(
            429,
            "publish",
            &[
                ("x-ratelimit-limit", "300"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "2030-01-02T03:04:05.000Z"),
            ],
            r#"{"error":"Too many requests"}"#,
        ));
        assert_eq!(
            e.retry_after(),
            Some(Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5).unwrap())
        );
        // No remaining header, epoch reset.
        let e = map_response(&resp(
            429,
            "publish",
            &[("x-ratelimit-reset", "1893553445")],
            "Too many requests",
        ));
        assert_eq!(e.retry_after().map(|t| t.timestamp()), Some(1893553445));
        assert_eq!(e.kind(), ErrorKind::RateLimited);
    }

    #[test]
    fn html_and_empty_bodies_are_typed() {
        let e = map_response(&resp(
            502,
            "publish",
            &[],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        ));
        assert_eq!(e.kind(), ErrorKind::Platform);
        assert!(e.is_retryable());
        assert!(e.context().platform_message.is_some());
        let e = map_response(&resp(404, "delete", &[], ""));
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.context().platform_message, None);
    }

    #[test]
    fn server_message_is_in_the_context() {
        let e = map_response(&resp(
            401,
            "channel",
            &[],
            r#"{"error":"The access token is invalid"}"#,
        ));
        assert_eq!(
            e.context().platform_message.as_deref(),
            Some("The access token is invalid")
        );
    }
}
