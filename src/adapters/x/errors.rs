//! X's error answers, mapped to kinds in one place ([`map`]).
//!
//! | X answers | kind |
//! |---|---|
//! | 401 (any body) | `Unauthenticated`: the token is invalid, expired or revoked — refresh or reconnect |
//! | 403 "…duplicate content" (v1.1 code 187) | `Duplicate` |
//! | 403 `…/problems/client-forbidden` | `PermissionDenied`: the app lacks access (project, tier) |
//! | 403 otherwise (scope, reply restrictions) | `PermissionDenied` |
//! | 400 "…too long…" | `Validation` (socialkit counts first, so this means X counts differently) |
//! | 400 `invalid-request`, other 400/413/422 | `Validation` |
//! | 404, `resource-not-found` | `NotFound` |
//! | 429 (incl. `rate-limit-exceeded`) | `RateLimited`, `retry_after` = the latest exhausted reset among `x-rate-limit-reset` and the 24-hour caps `x-user-limit-24hour-reset` / `x-app-limit-24hour-reset` |
//! | 429 `usage-capped` | `RateLimited`, not retryable unless a reset header says when: the app's usage cap (billing period) is used up |
//! | 5xx, HTML bodies | `Platform`, retryable |
//!
//! A 200 with `errors[]` and no `data` (partial-error shape) is mapped by `problem_error`.
//!
//! ```
//! use socialkit::http::{Response, StatusCode, header::HeaderMap};
//! use socialkit::ErrorKind;
//! let body = r#"{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}"#;
//! let r = Response::new("x", "publish", StatusCode::FORBIDDEN, HeaderMap::new(), body);
//! assert_eq!(socialkit::adapters::x::errors::map(&r).kind(), ErrorKind::Duplicate);
//! ```

use super::api::Problem;
use crate::http::{DefaultErrorMapper, ErrorBody, ErrorMapper, Response};
use crate::{Error, ErrorKind};

/// The [`ErrorMapper`] of the X adapter (calls [`map`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct XErrors;

impl ErrorMapper for XErrors {
    fn map(&self, response: &Response) -> Error {
        map(response)
    }
}

/// The last path segment of a problem type (`usage-capped`), or `about:blank`.
fn problem_kind(t: &str) -> &str {
    t.rsplit('/').next().unwrap_or(t)
}

fn is_duplicate(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("duplicate content") || m.contains("status is a duplicate")
}

/// Maps a non-success answer of X to an error.
pub fn map(response: &Response) -> Error {
    let status = response.status().as_u16();
    let value: serde_json::Value =
        serde_json::from_slice(response.body()).unwrap_or(serde_json::Value::Null);
    let parsed = ErrorBody::parse(response.body());
    let problem_type = value
        .get("type")
        .and_then(|v| v.as_str())
        .or_else(|| {
            value
                .get("errors")
                .and_then(|e| e.get(0))
                .and_then(|e| e.get("type"))
                .and_then(|v| v.as_str())
        })
        .map(problem_kind)
        .unwrap_or("about:blank")
        .to_string();
    let message = parsed.message.clone().unwrap_or_default();
    let legacy_code = value
        .get("errors")
        .and_then(|e| e.get(0))
        .and_then(|e| e.get("code"))
        .and_then(|c| c.as_u64());
    let (kind, text): (ErrorKind, String) = match status {
        401 => (
            ErrorKind::Unauthenticated,
            "x rejected the access token (invalid, expired or revoked); refresh it or reconnect the account".into(),
        ),
        403 if is_duplicate(&message) || legacy_code == Some(187) => (
            ErrorKind::Duplicate,
            "x refused the post as a duplicate of one already published".into(),
        ),
        403 if problem_type == "client-forbidden" => (
            ErrorKind::PermissionDenied,
            "x refused the app (client-forbidden): it is not attached to a project or its access level lacks this endpoint".into(),
        ),
        403 => (
            ErrorKind::PermissionDenied,
            "x denied this operation (missing scope, or the conversation does not allow this reply)".into(),
        ),
        400 if message.to_ascii_lowercase().contains("too long") => (
            ErrorKind::Validation,
            "x says the text is too long".into(),
        ),
        404 => (ErrorKind::NotFound, "x found no such post or user".into()),
        429 if problem_type == "usage-capped" => (
            ErrorKind::RateLimited,
            "x usage cap reached: the app's post/read cap for its billing period is used up".into(),
        ),
        429 => (ErrorKind::RateLimited, "x rate limit reached".into()),
        _ if problem_type == "resource-not-found" => {
            (ErrorKind::NotFound, "x found no such post or user".into())
        }
        _ => return with_body(DefaultErrorMapper.map(response), &parsed, &problem_type),
    };
    let mut err = response.error(kind, text);
    if kind == ErrorKind::RateLimited && err.retry_after().is_none() {
        // A 429 whose counters are not at 0 still says when its window resets.
        match response.rate_limit().and_then(|r| r.reset_at) {
            Some(at) if problem_type != "usage-capped" => err = err.with_retry_after(at),
            _ if problem_type == "usage-capped" => err = err.with_retryable(false),
            _ => {}
        }
    }
    with_body(err, &parsed, &problem_type)
}

fn with_body(mut err: Error, body: &ErrorBody, problem_type: &str) -> Error {
    let code = match (&body.code, problem_type) {
        (_, t) if t != "about:blank" => Some(t.to_string()),
        (Some(c), _) if c != "about:blank" => Some(c.clone()),
        _ => None,
    };
    if let Some(code) = code {
        err = err.with_platform_code(code);
    }
    if let Some(m) = &body.message {
        err = err.with_platform_message(m.clone());
    }
    err
}

/// The error for a problem inside a 200 answer (`{"errors": [...]}` without `data`).
pub(crate) fn problem_error(problem: &Problem, operation: &str) -> Error {
    let t = problem
        .kind
        .as_deref()
        .map(problem_kind)
        .unwrap_or("about:blank");
    let message = problem
        .detail
        .clone()
        .or_else(|| problem.message.clone())
        .or_else(|| problem.title.clone())
        .unwrap_or_default();
    let kind = match t {
        "resource-not-found" => ErrorKind::NotFound,
        "not-authorized-for-resource" | "client-forbidden" => ErrorKind::PermissionDenied,
        "invalid-request" => ErrorKind::Validation,
        "usage-capped" | "rate-limit-exceeded" => ErrorKind::RateLimited,
        _ if is_duplicate(&message) => ErrorKind::Duplicate,
        _ => ErrorKind::Unexpected,
    };
    let mut err = Error::new(kind, format!("x reported an error: {t}"))
        .with_platform(super::PLATFORM)
        .with_operation(operation.to_string())
        .with_platform_code(t.to_string());
    if !message.is_empty() {
        err = err.with_platform_message(crate::http::redact::truncate_chars(
            &crate::http::redact::redact_text(&message),
            crate::http::redact::SNIPPET_CHARS,
        ));
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{RateLimitStyle, StatusCode, header::HeaderMap};
    use chrono::{TimeZone, Utc};

    fn resp(status: u16, body: &str, headers: &[(&str, &str)]) -> Response {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(
                crate::http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        Response::new(
            "x",
            "publish",
            StatusCode::from_u16(status).unwrap(),
            h,
            body.to_string(),
        )
        .with_rate_limit_style(
            RateLimitStyle::X,
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        )
    }

    #[test]
    fn statuses_and_problem_types() {
        let cases = [
            (
                401,
                r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#,
                ErrorKind::Unauthenticated,
            ),
            (
                403,
                r#"{"errors":[{"code":187,"message":"Status is a duplicate."}]}"#,
                ErrorKind::Duplicate,
            ),
            (
                403,
                r#"{"title":"Client Forbidden","type":"https://api.x.com/2/problems/client-forbidden","detail":"nope"}"#,
                ErrorKind::PermissionDenied,
            ),
            (
                400,
                r#"{"detail":"Your Tweet text is too long.","type":"about:blank","title":"Bad Request","status":400}"#,
                ErrorKind::Validation,
            ),
            (
                400,
                r#"{"title":"Invalid Request","type":"https://api.x.com/2/problems/invalid-request","errors":[{"message":"bad"}]}"#,
                ErrorKind::Validation,
            ),
            (404, "", ErrorKind::NotFound),
            (503, "<html>busy</html>", ErrorKind::Platform),
        ];
        for (status, body, kind) in cases {
            assert_eq!(
                map(&resp(status, body, &[])).kind(),
                kind,
                "{status} {body}"
            );
        }
        let e = map(&resp(
            403,
            r#"{"type":"https://api.x.com/2/problems/client-forbidden"}"#,
            &[],
        ));
        assert_eq!(
            e.context().platform_code.as_deref(),
            Some("client-forbidden")
        );
    }

    #[test]
    fn rate_limits_use_the_latest_exhausted_reset() {
        // 15-minute window still has requests, the 24-hour user cap is used up.
        let e = map(&resp(
            429,
            r#"{"title":"Too Many Requests","type":"about:blank","status":429}"#,
            &[
                ("x-rate-limit-remaining", "5"),
                ("x-rate-limit-reset", "1767226500"),
                ("x-user-limit-24hour-limit", "100"),
                ("x-user-limit-24hour-remaining", "0"),
                ("x-user-limit-24hour-reset", "1767300000"),
            ],
        ));
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after().unwrap().timestamp(), 1_767_300_000);
        // Only the window reset: used even though remaining is not 0.
        let e = map(&resp(429, "", &[("x-rate-limit-reset", "1767226500")]));
        assert_eq!(e.retry_after().unwrap().timestamp(), 1_767_226_500);
        // Usage cap without a reset: not retryable.
        let e = map(&resp(
            429,
            r#"{"title":"Usage Capped","type":"https://api.x.com/2/problems/usage-capped"}"#,
            &[],
        ));
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(!e.is_retryable());
        assert_eq!(e.retry_after(), None);
    }
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn problem_error() {
        use crate::adapters::x::{api::Problem, errors::problem_error};
        let p: Problem = serde_json::from_value(serde_json::json!({
            "title": "Not Found Error", "detail": "Could not find tweet with id: [1].",
            "type": "https://api.x.com/2/problems/resource-not-found"
        }))
        .unwrap();
        assert_eq!(
            problem_error(&p, "delete").kind(),
            crate::ErrorKind::NotFound
        );
    }
}
