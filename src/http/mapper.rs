//! Turning a non-success answer into a typed [`Error`]: the [`ErrorMapper`] trait every adapter
//! implements (or a closure), and the [`DefaultErrorMapper`] they fall back to.

use super::StatusCode;
use super::redact::{SNIPPET_CHARS, redact_text, truncate_chars};
use super::response::Response;
use crate::error::{Error, ErrorKind};

/// Maps a non-success [`Response`] to a typed [`Error`]. Each adapter supplies one that knows
/// its platform's error bodies, usually by refining [`DefaultErrorMapper`].
///
/// Closures `Fn(&Response) -> Error` are mappers too:
///
/// ```
/// use socialkit::{Error, ErrorKind};
/// use socialkit::http::{DefaultErrorMapper, ErrorBody, ErrorMapper, Response};
///
/// // Bluesky answers an expired access token with 400 {"error":"ExpiredToken"}.
/// let bluesky = |r: &Response| -> Error {
///     match ErrorBody::parse(r.body()).code.as_deref() {
///         Some("ExpiredToken") | Some("InvalidToken") => r
///             .error(ErrorKind::Unauthenticated, "the session token expired")
///             .with_platform_code("ExpiredToken"),
///         _ => DefaultErrorMapper.map(r),
///     }
/// };
/// let r = Response::new("bluesky", "publish", socialkit::http::StatusCode::BAD_REQUEST,
///     Default::default(), r#"{"error":"ExpiredToken","message":"Token has expired"}"#);
/// assert_eq!(bluesky.map(&r).kind(), ErrorKind::Unauthenticated);
/// ```
pub trait ErrorMapper: Send + Sync {
    /// The error for a non-success answer.
    fn map(&self, response: &Response) -> Error;
}

impl<F> ErrorMapper for F
where
    F: Fn(&Response) -> Error + Send + Sync,
{
    fn map(&self, response: &Response) -> Error {
        self(response)
    }
}

/// The kind a status means when nothing more specific is known.
///
/// | status | kind |
/// |---|---|
/// | 400, 413, 414, 415, 422, 431 | `Validation` |
/// | 401 | `Unauthenticated` |
/// | 403 | `PermissionDenied` |
/// | 404, 410 | `NotFound` |
/// | 408 | `Timeout` |
/// | 409 | `Conflict` |
/// | 429 | `RateLimited` |
/// | 5xx | `Platform` (retryable) |
/// | other | `Platform` (4xx, not retryable) or `Unexpected` |
///
/// ```
/// use socialkit::{ErrorKind, http::{StatusCode, kind_for_status}};
/// assert_eq!(kind_for_status(StatusCode::UNPROCESSABLE_ENTITY), ErrorKind::Validation);
/// assert_eq!(kind_for_status(StatusCode::BAD_GATEWAY), ErrorKind::Platform);
/// ```
pub fn kind_for_status(status: StatusCode) -> ErrorKind {
    match status.as_u16() {
        400 | 413 | 414 | 415 | 422 | 431 => ErrorKind::Validation,
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::PermissionDenied,
        404 | 410 => ErrorKind::NotFound,
        408 => ErrorKind::Timeout,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimited,
        400..=599 => ErrorKind::Platform,
        _ => ErrorKind::Unexpected,
    }
}

/// The platform's own error code and message, read from the common JSON error shapes:
///
/// - OAuth / Mastodon / Bluesky: `{"error": "invalid_grant", "error_description" | "message": "…"}`
/// - Meta Graph: `{"error": {"message": "…", "code": 190, "error_subcode": 463}}`
/// - Discord / LinkedIn: `{"code": 50035 | "DUPLICATE_POST", "message": "…"}`
/// - X problem JSON: `{"title": "…", "detail": "…", "type": "…"}`, legacy `{"errors": [{"code", "message"}]}`
/// - Telegram: `{"ok": false, "error_code": 400, "description": "…"}`
///
/// The message is redacted and truncated; a body that is not JSON gives an empty `ErrorBody`.
///
/// ```
/// use socialkit::http::ErrorBody;
/// let b = ErrorBody::parse(br#"{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}"#);
/// assert_eq!(b.code.as_deref(), Some("190"));
/// assert_eq!(b.message.as_deref(), Some("Invalid OAuth access token."));
/// assert_eq!(ErrorBody::parse(b"<html>502</html>"), ErrorBody::default());
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// The platform's error code (`"invalid_grant"`, `"190"`, `"50035"`, `"RateLimitExceeded"`).
    pub code: Option<String>,
    /// The platform's error message, redacted and truncated.
    pub message: Option<String>,
}

impl ErrorBody {
    /// Reads the code and message from a JSON error body.
    ///
    /// ```
    /// let b = socialkit::http::ErrorBody::parse(br#"{"error":"invalid_grant","error_description":"expired"}"#);
    /// assert_eq!(b.code.as_deref(), Some("invalid_grant"));
    /// assert_eq!(b.message.as_deref(), Some("expired"));
    /// ```
    pub fn parse(body: &[u8]) -> ErrorBody {
        let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice::<serde_json::Value>(body)
        else {
            return ErrorBody::default();
        };
        let text = |v: Option<&serde_json::Value>| -> Option<String> {
            match v? {
                serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let (code, message) = match obj.get("error") {
            // Meta Graph.
            Some(serde_json::Value::Object(e)) => (
                text(e.get("code")).or_else(|| text(e.get("type"))),
                text(e.get("error_user_msg")).or_else(|| text(e.get("message"))),
            ),
            // OAuth, Mastodon, Bluesky.
            Some(serde_json::Value::String(code)) => (
                Some(code.clone()),
                text(obj.get("error_description"))
                    .or_else(|| text(obj.get("message")))
                    .or_else(|| Some(code.clone())),
            ),
            _ => {
                let first_error = obj
                    .get("errors")
                    .and_then(|e| e.as_array())
                    .and_then(|a| a.first());
                (
                    text(obj.get("code"))
                        .or_else(|| text(obj.get("type")))
                        .or_else(|| text(obj.get("error_code")))
                        .or_else(|| first_error.and_then(|e| text(e.get("code")))),
                    text(obj.get("detail"))
                        .or_else(|| text(obj.get("message")))
                        .or_else(|| text(obj.get("description")))
                        .or_else(|| text(obj.get("title")))
                        .or_else(|| first_error.and_then(|e| text(e.get("message")))),
                )
            }
        };
        let clean = |s: String| truncate_chars(&redact_text(s.trim()), SNIPPET_CHARS);
        ErrorBody {
            code: code.map(|c| truncate_chars(&redact_text(c.trim()), 100)),
            message: message.map(clean),
        }
    }
}

/// Maps by HTTP status ([`kind_for_status`]), with the platform's code and message from
/// [`ErrorBody`] (or a redacted body snippet for non-JSON bodies) in the context, and
/// `retry_after` from the rate-limit state for 429 (and from `Retry-After` for 5xx).
///
/// ```
/// use socialkit::ErrorKind;
/// use socialkit::http::{DefaultErrorMapper, ErrorMapper, Response, StatusCode};
/// let r = Response::new("mastodon", "publish", StatusCode::UNAUTHORIZED, Default::default(),
///     r#"{"error":"The access token is invalid"}"#);
/// let e = DefaultErrorMapper.map(&r);
/// assert_eq!(e.kind(), ErrorKind::Unauthenticated);
/// assert!(!e.is_retryable());
/// assert_eq!(e.context().platform_message.as_deref(), Some("The access token is invalid"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultErrorMapper;

impl ErrorMapper for DefaultErrorMapper {
    fn map(&self, response: &Response) -> Error {
        let status = response.status();
        let kind = kind_for_status(status);
        let platform = response.platform();
        let message = match kind {
            ErrorKind::Validation => format!("{platform} rejected the request as invalid"),
            ErrorKind::Unauthenticated => {
                format!("{platform} rejected the credentials; the account must be reconnected")
            }
            ErrorKind::PermissionDenied => {
                format!("{platform} denied permission for this operation")
            }
            ErrorKind::NotFound => format!("{platform} found no such resource"),
            ErrorKind::Timeout => format!("{platform} timed out waiting for the request"),
            ErrorKind::Conflict => format!("{platform} reported a conflict"),
            ErrorKind::RateLimited => format!("{platform} rate limit reached"),
            _ if status.is_server_error() => format!("{platform} failed on its side ({status})"),
            _ => format!("{platform} answered with unexpected status {status}"),
        };
        let mut err = response.error(kind, message);
        if kind == ErrorKind::Platform && status.is_client_error() {
            err = err.with_retryable(false);
        }
        let body = ErrorBody::parse(response.body());
        if let Some(code) = body.code {
            err = err.with_platform_code(code);
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
    use crate::http::RateLimitStyle;
    use crate::http::header::HeaderMap;
    use chrono::Utc;

    fn map(status: u16, body: &'static str) -> Error {
        let r = Response::new(
            "p",
            "op",
            StatusCode::from_u16(status).unwrap(),
            HeaderMap::new(),
            body,
        );
        DefaultErrorMapper.map(&r)
    }

    #[test]
    fn status_table() {
        let cases = [
            (400, ErrorKind::Validation, false),
            (422, ErrorKind::Validation, false),
            (401, ErrorKind::Unauthenticated, false),
            (403, ErrorKind::PermissionDenied, false),
            (404, ErrorKind::NotFound, false),
            (409, ErrorKind::Conflict, false),
            (429, ErrorKind::RateLimited, true),
            (500, ErrorKind::Platform, true),
            (503, ErrorKind::Platform, true),
            (418, ErrorKind::Platform, false),
            (302, ErrorKind::Unexpected, false),
        ];
        for (status, kind, retryable) in cases {
            let e = map(status, "");
            assert_eq!(e.kind(), kind, "{status}");
            assert_eq!(e.is_retryable(), retryable, "{status}");
            assert_eq!(e.context().http_status, Some(status));
            assert_eq!(e.context().platform.as_deref(), Some("p"));
            assert_eq!(e.context().operation.as_deref(), Some("op"));
        }
    }

    #[test]
    fn non_json_bodies_become_redacted_snippets() {
        let e = map(
            502,
            "<html><body>Bad gateway Bearer abc123def</body></html>",
        );
        let m = e.context().platform_message.clone().unwrap();
        assert!(m.contains("Bad gateway"));
        assert!(!m.contains("abc123def"));
        let long = map(500, Box::leak("x ".repeat(2000).into_boxed_str()));
        assert!(
            long.context()
                .platform_message
                .as_ref()
                .unwrap()
                .chars()
                .count()
                <= 301
        );
    }

    #[test]
    fn error_body_shapes() {
        let cases: [(&[u8], Option<&str>, Option<&str>); 8] = [
            (br#"{"error":"invalid_grant","error_description":"expired code"}"#, Some("invalid_grant"), Some("expired code")),
            (br#"{"error":"Validation failed: Text is too long"}"#, Some("Validation failed: Text is too long"), Some("Validation failed: Text is too long")),
            (br#"{"error":"ExpiredToken","message":"Token has expired"}"#, Some("ExpiredToken"), Some("Token has expired")),
            (br#"{"code":50035,"message":"Invalid Form Body","errors":{}}"#, Some("50035"), Some("Invalid Form Body")),
            (br#"{"title":"Forbidden","detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","status":403}"#, Some("about:blank"), Some("You are not allowed to create a Tweet with duplicate content.")),
            (br#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#, Some("88"), Some("Rate limit exceeded")),
            (br#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#, Some("400"), Some("Bad Request: chat not found")),
            (br#"{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"The token used in the request has been revoked by the user"}"#, Some("REVOKED_ACCESS_TOKEN"), Some("The token used in the request has been revoked by the user")),
        ];
        for (body, code, message) in cases {
            let b = ErrorBody::parse(body);
            assert_eq!(b.code.as_deref(), code, "{}", String::from_utf8_lossy(body));
            assert_eq!(b.message.as_deref(), message);
        }
        for junk in [
            &b""[..],
            b"null",
            b"[]",
            b"\"str\"",
            b"{\"error\":null}",
            b"\xff\xfe",
        ] {
            let b = ErrorBody::parse(junk);
            assert_eq!(b.message, None);
        }
    }

    #[test]
    fn messages_are_redacted() {
        let b = ErrorBody::parse(br#"{"error":"invalid_token","error_description":"token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefgh is bad"}"#);
        assert!(!b.message.unwrap().contains("eyJ"));
    }

    #[test]
    fn rate_limited_gets_retry_after_and_5xx_honours_retry_after() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        let now = Utc::now();
        for status in [429u16, 503] {
            let r = Response::new(
                "p",
                "o",
                StatusCode::from_u16(status).unwrap(),
                h.clone(),
                "",
            )
            .with_rate_limit_style(RateLimitStyle::Generic, now);
            let e = DefaultErrorMapper.map(&r);
            assert_eq!(
                e.retry_after(),
                Some(now + chrono::Duration::seconds(7)),
                "{status}"
            );
        }
    }

    #[test]
    fn closures_are_mappers() {
        let m = |r: &Response| r.error(ErrorKind::Duplicate, "dup");
        let r = Response::new("p", "o", StatusCode::FORBIDDEN, HeaderMap::new(), "");
        let dynm: &dyn ErrorMapper = &m;
        assert_eq!(dynm.map(&r).kind(), ErrorKind::Duplicate);
    }
}
