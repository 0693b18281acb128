//! Business Profile errors, mapped in one place. The body is Google's common shape with a
//! canonical `status` ([`GoogleError`]; <https://cloud.google.com/apis/design/errors>), and
//! the Business Profile API's limits page
//! <https://developers.google.com/my-business/content/limits> names the 429 of its per-minute
//! quotas.
//!
//! | answer | kind |
//! |---|---|
//! | 400 `INVALID_ARGUMENT` | `Validation` |
//! | 400 `FAILED_PRECONDITION` (e.g. an unverified location) | `PermissionDenied` |
//! | 401 `UNAUTHENTICATED` | `Unauthenticated`: reconnect |
//! | 403 `PERMISSION_DENIED` | `PermissionDenied` (the token lacks `business.manage`, or the user does not manage the location) |
//! | 404 `NOT_FOUND` | `NotFound` |
//! | 409 `ALREADY_EXISTS`, `ABORTED` | `Conflict` |
//! | 429 `RESOURCE_EXHAUSTED` | `RateLimited`, retryable (`Retry-After` when sent, else a minute: the quota is per minute) |
//! | 5xx `INTERNAL`, `UNAVAILABLE` | `Platform`, retryable |
//!
//! ```
//! use socialkit::http::{Response, StatusCode};
//! let r = Response::new("google_business", "publish", StatusCode::BAD_REQUEST, Default::default(),
//!     r#"{"error":{"code":400,"message":"Location is not verified.","status":"FAILED_PRECONDITION"}}"#);
//! let e = socialkit::adapters::google_business::errors::map(&r);
//! assert_eq!(e.kind(), socialkit::ErrorKind::PermissionDenied);
//! assert_eq!(e.context().platform_code.as_deref(), Some("FAILED_PRECONDITION"));
//! ```

use crate::http::google::GoogleError;
use crate::http::{DefaultErrorMapper, ErrorMapper, Response};
use crate::{Error, ErrorKind};

/// Maps Business Profile errors ([`map`]) for the HTTP layer.
#[derive(Debug, Clone, Copy, Default)]
pub struct BusinessErrors;

impl ErrorMapper for BusinessErrors {
    fn map(&self, response: &Response) -> Error {
        map(response)
    }
}

/// The error for an answer that is not a success.
pub fn map(response: &Response) -> Error {
    use ErrorKind::*;
    let g = GoogleError::parse(response.body());
    let status = g.status.clone().unwrap_or_default();
    let found = match status.as_str() {
        "INVALID_ARGUMENT" | "OUT_OF_RANGE" => {
            Some((Validation, "Google refused a field of the request"))
        }
        "FAILED_PRECONDITION" => Some((
            PermissionDenied,
            "Google cannot do this for the location now (is it verified?)",
        )),
        "UNAUTHENTICATED" => Some((
            Unauthenticated,
            "Google refused the credentials: reconnect the account",
        )),
        "PERMISSION_DENIED" => Some((
            PermissionDenied,
            "the account may not manage this location, or the token lacks business.manage",
        )),
        "NOT_FOUND" => Some((NotFound, "Google found no such post, review or location")),
        "ALREADY_EXISTS" | "ABORTED" => {
            Some((Conflict, "Google had a conflict with the current state"))
        }
        "RESOURCE_EXHAUSTED" => Some((
            RateLimited,
            "the Business Profile API quota per minute is used up",
        )),
        "INTERNAL" | "UNAVAILABLE" | "DEADLINE_EXCEEDED" => {
            Some((Platform, "Google had an internal error"))
        }
        _ => None,
    };
    let Some((kind, sentence)) = found else {
        let mut e = DefaultErrorMapper.map(response);
        if let Some(m) = g.message {
            e = e.with_platform_message(m);
        }
        return e;
    };
    let mut e = response.error(kind, sentence).with_platform_code(status);
    if let Some(m) = g.message {
        e = e.with_platform_message(m);
    }
    match kind {
        RateLimited if e.retry_after().is_none() => e
            .with_retryable(true)
            .with_retry_after(response.received_at() + chrono::Duration::minutes(1)),
        RateLimited | Platform => e.with_retryable(true),
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::StatusCode;

    #[test]
    fn every_canonical_status_has_its_kind() {
        use ErrorKind::*;
        for (code, status, kind) in [
            (400, "INVALID_ARGUMENT", Validation),
            (400, "FAILED_PRECONDITION", PermissionDenied),
            (401, "UNAUTHENTICATED", Unauthenticated),
            (403, "PERMISSION_DENIED", PermissionDenied),
            (404, "NOT_FOUND", NotFound),
            (409, "ALREADY_EXISTS", Conflict),
            (429, "RESOURCE_EXHAUSTED", RateLimited),
            (500, "INTERNAL", Platform),
            (503, "UNAVAILABLE", Platform),
        ] {
            let body =
                format!(r#"{{"error":{{"code":{code},"message":"m","status":"{status}"}}}}"#);
            let r = Response::new(
                "google_business",
                "op",
                StatusCode::from_u16(code).unwrap(),
                Default::default(),
                body,
            );
            let e = map(&r);
            assert_eq!(e.kind(), kind, "{status}");
            assert_eq!(e.context().http_status, Some(code));
        }
        let r = Response::new(
            "google_business",
            "op",
            StatusCode::BAD_GATEWAY,
            Default::default(),
            "<html>",
        );
        assert_eq!(map(&r).kind(), Platform);
        assert!(map(&r).is_retryable());
    }
}
