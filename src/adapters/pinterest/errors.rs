//! Pinterest's errors mapped to [`ErrorKind`]s.
//!
//! Every error answer is the OpenAPI `Error` schema, `{"code": <integer>, "message": "…"}`,
//! under the status the reference lists per route: 400 (unexpected data), 401
//! (authentication), 403 (not permitted), 404 (not found), 409 (board busy), 429 (rate
//! limited), 5xx. The status decides the kind; the integer code is kept as the error's
//! platform code. Pinterest documents no rate-limit headers in the API description; a 429
//! waits `Retry-After` when sent, else a minute (the Standard tier's windows are per minute,
//! <https://developers.pinterest.com/docs/reference/rate-limits/>).
//!
//! ```
//! use socialkit::adapters::pinterest::errors::PinterestErrors;
//! use socialkit::http::{ErrorMapper, Response, StatusCode};
//! let r = Response::new("pinterest", "publish", StatusCode::NOT_FOUND, Default::default(),
//!     r#"{"code": 3, "message": "Board not found."}"#);
//! let e = PinterestErrors.map(&r);
//! assert_eq!(e.kind(), socialkit::ErrorKind::NotFound);
//! assert_eq!(e.context().platform_code.as_deref(), Some("3"));
//! ```

use super::PLATFORM;
use crate::http::{ErrorBody, ErrorMapper, Response, kind_for_status};
use crate::{Error, ErrorKind};

/// Maps Pinterest's error answers.
#[derive(Debug, Clone, Copy, Default)]
pub struct PinterestErrors;

impl ErrorMapper for PinterestErrors {
    fn map(&self, r: &Response) -> Error {
        let status = r.status().as_u16();
        let body = ErrorBody::parse(r.body());
        let kind = kind_for_status(r.status());
        let advice = match kind {
            ErrorKind::Unauthenticated => "; reconnect the account",
            ErrorKind::PermissionDenied => {
                "; the token lacks a scope (pins:write, boards:read …) or the board is not the account's"
            }
            ErrorKind::NotFound => "; the pin, board or section does not exist (any more)",
            _ => "",
        };
        let what = body
            .message
            .clone()
            .unwrap_or_else(|| format!("HTTP {status}"));
        let mut e = r
            .error(kind, format!("pinterest {}: {what}{advice}", r.operation()))
            .with_platform(PLATFORM);
        if let Some(code) = body.code {
            e = e.with_platform_code(code);
        }
        if status == 429 {
            let at = r
                .wait_until()
                .unwrap_or_else(|| r.received_at() + chrono::Duration::seconds(60));
            e = e.with_retry_after(at).with_retryable(true);
        } else if status >= 500 {
            e = e.with_retryable(true);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::StatusCode;

    fn map(status: u16, body: &str) -> Error {
        PinterestErrors.map(&Response::new(
            PLATFORM,
            "publish",
            StatusCode::from_u16(status).unwrap(),
            Default::default(),
            body.to_string(),
        ))
    }

    #[test]
    fn every_documented_status_has_its_kind() {
        for (status, kind) in [
            (400, ErrorKind::Validation),
            (401, ErrorKind::Unauthenticated),
            (403, ErrorKind::PermissionDenied),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Platform),
        ] {
            let e = map(status, r#"{"code": 1, "message": "m"}"#);
            assert_eq!(e.kind(), kind, "{status}");
            assert_eq!(e.context().platform_code.as_deref(), Some("1"));
        }
        let e = map(429, r#"{"code": 8, "message": "slow down"}"#);
        assert!(e.retry_after().is_some() && e.is_retryable());
        assert!(map(503, "<html>").is_retryable());
        assert!(!map(400, "{}").is_retryable());
    }
}
