//! Discord's error answers, mapped to kinds in one place ([`map`]).
//!
//! Errors are `{"code": N, "message": "…", "errors"?: {…}}` with the JSON error codes of
//! <https://discord.com/developers/docs/topics/opcodes-and-status-codes#json>; rate limits are
//! 429 with `{"message", "retry_after": float, "global": bool, "code"?}` and the
//! `X-RateLimit-*` headers (<https://discord.com/developers/docs/topics/rate-limits>).
//!
//! | answer | kind |
//! |---|---|
//! | 401 (code 0), 50027 invalid webhook token, 10015 unknown webhook | `Unauthenticated`: the token or webhook is gone — reconnect |
//! | 403, 50001 missing access, 50013 missing permissions, 160002 no read-history permission, 50083 archived thread | `PermissionDenied` |
//! | 10003 unknown channel, 10008 unknown message, other 404 | `NotFound` |
//! | 50035 invalid form body (too long …), 50006 empty message, 40005 entity too large, 50109 invalid JSON, other 400 | `Validation` |
//! | 50008 non-text channel, 40058 message in a forum channel, 50024 wrong channel type | `ConfigInvalid`: the channel cannot take this |
//! | 200000, 200001 blocked by AutoMod, 240000 harmful links filter | `ContentRejected` |
//! | 429 (user, shared or global), 20016 slowmode, 20028 channel write limit, 30046 edit limit on old messages | `RateLimited`, `retry_after` from `retry_after` / `Retry-After` / `X-RateLimit-Reset-After` |
//! | 5xx, HTML bodies | `Platform`, retryable |
//!
//! ```
//! use socialkit::http::{Response, StatusCode, header::HeaderMap};
//! use socialkit::ErrorKind;
//! let r = Response::new("discord", "delete", StatusCode::NOT_FOUND, HeaderMap::new(),
//!     r#"{"message": "Unknown Message", "code": 10008}"#);
//! assert_eq!(socialkit::adapters::discord::errors::map(&r).kind(), ErrorKind::NotFound);
//! ```

use crate::http::{DefaultErrorMapper, ErrorBody, ErrorMapper, Response, discord_body_retry_after};
use crate::{Error, ErrorKind};

/// Maps a non-success answer of Discord to an error.
pub fn map(response: &Response) -> Error {
    let status = response.status().as_u16();
    let parsed = ErrorBody::parse(response.body());
    let value: serde_json::Value =
        serde_json::from_slice(response.body()).unwrap_or(serde_json::Value::Null);
    let code = value.get("code").and_then(|c| c.as_u64());
    let (kind, text): (ErrorKind, &str) = match (status, code) {
        (429, _) => (ErrorKind::RateLimited, "discord rate limit reached"),
        (_, Some(20016 | 20028)) => (
            ErrorKind::RateLimited,
            "discord's channel rate limit (slowmode or write limit) was hit",
        ),
        (_, Some(30046)) => (
            ErrorKind::RateLimited,
            "discord limits edits to messages older than an hour: try again later",
        ),
        (401, _) | (_, Some(50027)) => (
            ErrorKind::Unauthenticated,
            "discord rejected the token (invalid or reset): reconnect the bot or webhook",
        ),
        (_, Some(10015)) => (
            ErrorKind::Unauthenticated,
            "discord does not know this webhook (deleted, or a wrong token): create a new one",
        ),
        (_, Some(10003)) => (ErrorKind::NotFound, "discord found no such channel"),
        (_, Some(10008)) => (ErrorKind::NotFound, "discord found no such message"),
        (_, Some(50008 | 40058 | 50024)) => (
            ErrorKind::ConfigInvalid,
            "the discord channel cannot take this message (wrong channel type)",
        ),
        (_, Some(200000 | 200001 | 240000)) => (
            ErrorKind::ContentRejected,
            "discord's moderation blocked the message",
        ),
        (_, Some(50001 | 50013 | 160002 | 50083)) | (403, _) => (
            ErrorKind::PermissionDenied,
            "the bot lacks access or a permission in this channel",
        ),
        (_, Some(50035)) => (
            ErrorKind::Validation,
            "discord refused the message body (invalid form body)",
        ),
        (_, Some(50006)) => (ErrorKind::Validation, "discord refused an empty message"),
        (_, Some(40005)) | (413, _) => (
            ErrorKind::Validation,
            "discord refused the upload as too large",
        ),
        (404, _) => (ErrorKind::NotFound, "discord found no such resource"),
        (400, _) => (
            ErrorKind::Validation,
            "discord rejected the request as invalid",
        ),
        _ => return with_body(DefaultErrorMapper.map(response), &parsed, &value),
    };
    let mut err = response.error(kind, text);
    if kind == ErrorKind::RateLimited {
        let body_wait = discord_body_retry_after(response.body(), response.received_at());
        let header_wait = response
            .rate_limit()
            .and_then(|r| r.retry_after.or(r.reset_at));
        if let Some(at) = body_wait.into_iter().chain(header_wait).max() {
            err = err.with_retry_after(at);
        }
    }
    with_body(err, &parsed, &value)
}

fn with_body(mut err: Error, body: &ErrorBody, value: &serde_json::Value) -> Error {
    if let Some(code) = &body.code {
        err = err.with_platform_code(code.clone());
    }
    let mut message = body.message.clone().unwrap_or_default();
    // 50035 says which field failed under `errors`: name the first one.
    if let Some(first) = first_field_error(value.get("errors")) {
        message = format!("{message} ({first})").trim().to_string();
    }
    if !message.is_empty() {
        err = err.with_platform_message(crate::http::redact::truncate_chars(
            &crate::http::redact::redact_text(&message),
            crate::http::redact::SNIPPET_CHARS,
        ));
    }
    err
}

/// `content: BASE_TYPE_MAX_LENGTH` from `{"content": {"_errors": [{"code": …}]}}`.
fn first_field_error(errors: Option<&serde_json::Value>) -> Option<String> {
    fn walk(path: &str, v: &serde_json::Value, depth: usize) -> Option<String> {
        let obj = v.as_object()?;
        if let Some(code) = obj
            .get("_errors")
            .and_then(|e| e.get(0))
            .and_then(|e| e.get("code"))
            .and_then(|c| c.as_str())
        {
            return Some(format!("{path}: {code}"));
        }
        if depth > 6 {
            return None;
        }
        obj.iter().find_map(|(k, v)| {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            walk(&p, v, depth + 1)
        })
    }
    walk("", errors?, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{RateLimitStyle, StatusCode, header::HeaderMap};

    fn resp(status: u16, body: &str, headers: &[(&str, &str)]) -> Response {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(
                crate::http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        Response::new(
            "discord",
            "publish",
            StatusCode::from_u16(status).unwrap(),
            h,
            body.to_string(),
        )
        .with_rate_limit_style(RateLimitStyle::Discord, chrono::Utc::now())
    }

    #[test]
    fn every_documented_code_has_its_kind() {
        let cases = [
            (
                401,
                r#"{"message": "401: Unauthorized", "code": 0}"#,
                ErrorKind::Unauthenticated,
            ),
            (
                401,
                r#"{"message": "Invalid Webhook Token", "code": 50027}"#,
                ErrorKind::Unauthenticated,
            ),
            (
                404,
                r#"{"message": "Unknown Webhook", "code": 10015}"#,
                ErrorKind::Unauthenticated,
            ),
            (
                404,
                r#"{"message": "Unknown Channel", "code": 10003}"#,
                ErrorKind::NotFound,
            ),
            (
                404,
                r#"{"message": "Unknown Message", "code": 10008}"#,
                ErrorKind::NotFound,
            ),
            (
                403,
                r#"{"message": "Missing Access", "code": 50001}"#,
                ErrorKind::PermissionDenied,
            ),
            (
                403,
                r#"{"message": "Missing Permissions", "code": 50013}"#,
                ErrorKind::PermissionDenied,
            ),
            (
                400,
                r#"{"message": "Cannot reply without permission to read message history", "code": 160002}"#,
                ErrorKind::PermissionDenied,
            ),
            (
                400,
                r#"{"message": "Thread is archived", "code": 50083}"#,
                ErrorKind::PermissionDenied,
            ),
            (
                400,
                r#"{"message": "Cannot send an empty message", "code": 50006}"#,
                ErrorKind::Validation,
            ),
            (
                413,
                r#"{"message": "Request entity too large", "code": 40005}"#,
                ErrorKind::Validation,
            ),
            (
                400,
                r#"{"message": "The request body contains invalid JSON.", "code": 50109}"#,
                ErrorKind::Validation,
            ),
            (
                400,
                r#"{"message": "Cannot send messages in a non-text channel", "code": 50008}"#,
                ErrorKind::ConfigInvalid,
            ),
            (
                400,
                r#"{"message": "Cannot send a message in a forum channel", "code": 40058}"#,
                ErrorKind::ConfigInvalid,
            ),
            (
                400,
                r#"{"message": "Message was blocked by automatic moderation", "code": 200000}"#,
                ErrorKind::ContentRejected,
            ),
            (
                400,
                r#"{"message": "Message blocked by harmful links filter", "code": 240000}"#,
                ErrorKind::ContentRejected,
            ),
            (
                400,
                r#"{"message": "slowmode", "code": 20016}"#,
                ErrorKind::RateLimited,
            ),
            (
                429,
                r#"{"message": "write limit", "code": 20028, "retry_after": 2.5, "global": false}"#,
                ErrorKind::RateLimited,
            ),
            (
                400,
                r#"{"message": "Maximum number of edits", "code": 30046}"#,
                ErrorKind::RateLimited,
            ),
            (502, "<html>bad gateway</html>", ErrorKind::Platform),
            (
                500,
                r#"{"message": "500: Internal Server Error", "code": 0}"#,
                ErrorKind::Platform,
            ),
        ];
        for (status, body, kind) in cases {
            assert_eq!(
                map(&resp(status, body, &[])).kind(),
                kind,
                "{status} {body}"
            );
        }
    }

    #[test]
    fn invalid_form_body_names_the_field() {
        let e = map(&resp(
            400,
            r#"{"code": 50035, "errors": {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}}, "message": "Invalid Form Body"}"#,
            &[],
        ));
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(e.context().platform_code.as_deref(), Some("50035"));
        assert!(
            e.context()
                .platform_message
                .as_deref()
                .unwrap()
                .contains("content: BASE_TYPE_MAX_LENGTH")
        );
    }

    #[test]
    fn rate_limits_wait_for_the_longest_hint() {
        let e = map(&resp(
            429,
            r#"{"message": "You are being rate limited.", "retry_after": 64.57, "global": false}"#,
            &[
                ("retry-after", "65"),
                ("x-ratelimit-scope", "user"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset-after", "64.57"),
            ],
        ));
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        let wait = e.retry_after().unwrap() - chrono::Utc::now();
        assert!(
            wait > chrono::Duration::seconds(63) && wait <= chrono::Duration::seconds(65),
            "{wait}"
        );
    }
}
