//! Reddit's error answers, mapped to kinds in one place: [`map`] for HTTP errors and
//! [`json_errors`] for the `json.errors` array a write answers with `200 OK` when it sends
//! `api_type=json`.
//!
//! The codes and their messages are reddit's own list (`r2/r2/lib/errors.py`,
//! reddit-archive/reddit 01582db); `SUBMIT_VALIDATION_*` codes come from the newer post
//! requirements (PRAW's `Subreddit.post_requirements`, praw-dev/praw 7b69758) and are
//! unverified beyond that. HTTP errors are `{"message": "Forbidden", "error": 403}` or
//! `{"reason": CODE, "explanation": "…"}` (`reddit_http_error` in the same file).
//!
//! | answer | kind |
//! |---|---|
//! | HTTP 401, `OAUTH2_INVALID_REFRESH_TOKEN`, `USER_REQUIRED`, `EXPIRED` | `Unauthenticated`: reconnect |
//! | HTTP 403 (`insufficient_scope` in `WWW-Authenticate` names the scope), `SUBREDDIT_NOTALLOWED`, `NOT_AUTHOR`, `USER_BLOCKED`, `BANNED_IP`, `VERIFIED_USER_REQUIRED`, `NO_API`, `DRACONIAN` | `PermissionDenied` |
//! | HTTP 404, `DELETED_LINK`, `DELETED_COMMENT`, `DELETED_THING`, `USER_DOESNT_EXIST`, `NO_THING_ID` | `NotFound` |
//! | `SUBREDDIT_NOEXIST`, `SUBREDDIT_REQUIRED`, `BAD_SR_NAME`, `SUBMIT_VALIDATION_FLAIR_REQUIRED`, `NO_SELFS`, `NO_LINKS`, `BAD_FLAIR_TARGET`, `INVALID_OPTION` | `ConfigInvalid`: the channel's subreddit or flair cannot take this post |
//! | `ALREADY_SUB` (the link was submitted before) | `Duplicate` |
//! | `TOO_OLD` (archived) | `PermissionDenied` |
//! | `DOMAIN_BANNED`, `BAD_IMAGE`, `SUBMIT_VALIDATION_*` (title or body rules of the subreddit) | `ContentRejected` |
//! | `NO_TEXT`, `TOO_LONG`, `NO_URL`, `BAD_URL`, `BAD_STRING`, `NO_SUBJECT`, `BAD_NUMBER`, `JSON_*`, other 400 | `Validation` |
//! | `CONFLICT` | `Conflict` |
//! | `RATELIMIT` ("try again in N minutes"; `json.ratelimit` seconds), `QUOTA_FILLED` (an hour), `SUBREDDIT_RATELIMIT`, HTTP 429 (`X-Ratelimit-Reset`) | `RateLimited` with `retry_after` |
//! | 5xx, HTML bodies | `Platform`, retryable |
//!
//! ```
//! use socialkit::http::{Response, StatusCode, header::HeaderMap};
//! use socialkit::ErrorKind;
//! let body = r#"{"json": {"errors": [["SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr"]]}}"#;
//! let r = Response::new("reddit", "publish", StatusCode::OK, HeaderMap::new(), body);
//! let e = socialkit::adapters::reddit::errors::json_errors(&r).unwrap();
//! assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
//! assert_eq!(e.context().platform_code.as_deref(), Some("SUBREDDIT_NOEXIST"));
//! ```

use chrono::{DateTime, Duration, Utc};

use super::api::JsonEnvelope;
use crate::http::redact::{SNIPPET_CHARS, redact_text, truncate_chars};
use crate::http::{DefaultErrorMapper, ErrorMapper, Response};
use crate::{Error, ErrorKind};

/// Maps Reddit's HTTP errors ([`map`]) for the HTTP layer.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedditErrors;

impl ErrorMapper for RedditErrors {
    fn map(&self, response: &Response) -> Error {
        map(response)
    }
}

/// The kind and a sentence for one of reddit's error codes (`None`: unknown code).
fn kind_of(code: &str) -> Option<(ErrorKind, &'static str)> {
    use ErrorKind::*;
    Some(match code {
        "RATELIMIT" | "SUBREDDIT_RATELIMIT" => (
            RateLimited,
            "reddit says the account is doing that too much",
        ),
        "QUOTA_FILLED" => (
            RateLimited,
            "reddit says the account submitted too many links recently (try again in an hour)",
        ),
        "OAUTH2_INVALID_REFRESH_TOKEN" | "USER_REQUIRED" | "EXPIRED" | "OAUTH2_INVALID_CLIENT" => (
            Unauthenticated,
            "reddit refused the credentials: reconnect the account",
        ),
        "SUBREDDIT_NOTALLOWED" => (
            PermissionDenied,
            "the account is not allowed to post in this subreddit",
        ),
        "NOT_AUTHOR" => (PermissionDenied, "only the author can do that on reddit"),
        "USER_BLOCKED" => (
            PermissionDenied,
            "reddit refuses a message to a user the account has blocked",
        ),
        "BANNED_IP" | "DRACONIAN" | "VERIFIED_USER_REQUIRED" | "NO_API" | "NO_OTP_SECRET" => {
            (PermissionDenied, "reddit does not let this account do that")
        }
        "TOO_OLD" => (
            PermissionDenied,
            "the reddit thread is archived: too late to reply",
        ),
        "DELETED_LINK" | "DELETED_COMMENT" | "DELETED_THING" => {
            (NotFound, "the reddit post or comment was deleted")
        }
        "USER_DOESNT_EXIST" | "NO_THING_ID" => (NotFound, "reddit found no such thing"),
        "SUBREDDIT_NOEXIST" | "SUBREDDIT_REQUIRED" | "BAD_SR_NAME" => (
            ConfigInvalid,
            "the channel's subreddit does not exist: fix subreddit in its config",
        ),
        "SUBMIT_VALIDATION_FLAIR_REQUIRED" => (
            ConfigInvalid,
            "the subreddit requires flair: set flair_id in the channel config (Reddit::link_flairs lists them)",
        ),
        "NO_SELFS" => (ConfigInvalid, "the subreddit does not allow text posts"),
        "NO_LINKS" => (ConfigInvalid, "the subreddit allows only text posts"),
        "BAD_FLAIR_TARGET" | "INVALID_OPTION" => (
            ConfigInvalid,
            "reddit refused the flair or an option of the channel config",
        ),
        "ALREADY_SUB" => (
            Duplicate,
            "that link has already been submitted to the subreddit",
        ),
        "DOMAIN_BANNED" => (ContentRejected, "reddit does not allow the link's domain"),
        "BAD_IMAGE" => (ContentRejected, "reddit refused the image"),
        "CONFLICT" => (Conflict, "reddit had a conflict while saving"),
        "NO_TEXT" | "NO_URL" | "NO_SUBJECT" | "NO_TO_ADDRESS" => (
            Validation,
            "reddit needs something in a field that was empty",
        ),
        "TOO_LONG" => (Validation, "reddit says a field is too long"),
        "BAD_URL" => (Validation, "reddit refused the URL"),
        "BAD_STRING" => (Validation, "reddit cannot handle a character in the text"),
        "BAD_NUMBER" | "TOO_MANY_THING_IDS" => (Validation, "reddit refused a parameter"),
        "JSON_PARSE_ERROR" | "JSON_INVALID" | "JSON_MISSING_KEY" => {
            (Validation, "reddit could not read the request")
        }
        c if c.starts_with("SUBMIT_VALIDATION_") => {
            (ContentRejected, "the post breaks a rule of the subreddit")
        }
        _ => return None,
    })
}

/// The instant a `RATELIMIT` message asks to wait for: "try again in 9 minutes", "… in 1
/// minute", "… in 30 seconds", "… in 500 milliseconds"; `None` if it says no time.
///
/// ```
/// use chrono::{Duration, Utc};
/// use socialkit::adapters::reddit::errors::retry_after_in;
/// let now = Utc::now();
/// assert_eq!(retry_after_in("you are doing that too much. try again in 9 minutes.", now), Some(now + Duration::minutes(9)));
/// assert_eq!(retry_after_in("Looks like you've been doing that a lot. Take a break for 30 seconds before trying again.", now), Some(now + Duration::seconds(30)));
/// assert_eq!(retry_after_in("try again later", now), None);
/// ```
pub fn retry_after_in(message: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let lower = message.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '.' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).find_map(|w| {
        let n: i64 = w[0].parse().ok().filter(|n| (0..=100_000).contains(n))?;
        let unit = w[1];
        let d = if unit.starts_with("millisecond") {
            Duration::milliseconds(n)
        } else if unit.starts_with("second") {
            Duration::seconds(n)
        } else if unit.starts_with("minute") {
            Duration::minutes(n)
        } else if unit.starts_with("hour") {
            Duration::hours(n)
        } else {
            return None;
        };
        Some(now + d)
    })
}

fn text_of(v: Option<&serde_json::Value>) -> Option<String> {
    v.and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn clean(message: &str) -> String {
    truncate_chars(&redact_text(message), SNIPPET_CHARS)
}

/// The error in a `200 OK` write answer with a non-empty `json.errors`, if any (the first
/// error decides the kind; the others are named in the message).
pub fn json_errors(response: &Response) -> Option<Error> {
    let env: JsonEnvelope = serde_json::from_slice(response.body()).ok()?;
    let first = env.json.errors.first()?;
    let code = text_of(first.first()).unwrap_or_else(|| "UNKNOWN".into());
    let message = text_of(first.get(1));
    let field = text_of(first.get(2));
    let (kind, sentence) = kind_of(&code).unwrap_or((
        ErrorKind::Platform,
        "reddit refused the request with an error socialkit does not know",
    ));
    let mut err = response
        .error(kind, sentence)
        .with_platform_code(code.clone());
    if kind == ErrorKind::Platform {
        err = err.with_retryable(false);
    }
    let mut said = message.clone().unwrap_or_default();
    if let Some(f) = field {
        said = format!("{said} (field {f})").trim().to_string();
    }
    let others: Vec<String> = env
        .json
        .errors
        .iter()
        .skip(1)
        .filter_map(|e| text_of(e.first()))
        .collect();
    if !others.is_empty() {
        said = format!("{said}; also {}", others.join(", "));
    }
    if !said.is_empty() {
        err = err.with_platform_message(clean(&said));
    }
    if kind == ErrorKind::RateLimited {
        let now = response.received_at();
        let from_seconds = env
            .json
            .ratelimit
            .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1.0e7)
            .map(|s| now + Duration::milliseconds((s * 1000.0).ceil() as i64));
        let wait = from_seconds
            .or_else(|| message.as_deref().and_then(|m| retry_after_in(m, now)))
            .or_else(|| (code == "QUOTA_FILLED").then(|| now + Duration::hours(1)));
        if let Some(at) = wait {
            err = err.with_retry_after(at);
        }
    }
    Some(err)
}

/// Maps a non-success HTTP answer of Reddit to an error.
pub fn map(response: &Response) -> Error {
    let status = response.status().as_u16();
    let value: serde_json::Value =
        serde_json::from_slice(response.body()).unwrap_or(serde_json::Value::Null);
    // `{"json": {"errors": …}}` can come with an error status too.
    if value.get("json").is_some() {
        if let Some(e) = json_errors(response) {
            return e;
        }
    }
    let reason = text_of(value.get("reason"));
    let explanation = text_of(value.get("explanation")).or_else(|| text_of(value.get("message")));
    let known = reason.as_deref().and_then(kind_of);
    let scope = response
        .header("www-authenticate")
        .filter(|h| h.contains("insufficient_scope"))
        .map(str::to_string);
    let mut err = match (status, known) {
        (429, _) => response.error(ErrorKind::RateLimited, "reddit rate limit reached"),
        (_, Some((kind, sentence))) => response.error(kind, sentence),
        (401, _) => response.error(
            ErrorKind::Unauthenticated,
            "reddit refused the access token (expired or revoked): reconnect the account",
        ),
        (403, _) if scope.is_some() => response.error(
            ErrorKind::PermissionDenied,
            "the reddit token lacks a scope this needs: connect again and grant every scope",
        ),
        (403, _) => response.error(
            ErrorKind::PermissionDenied,
            "reddit forbids this (a private or banned subreddit, or the account is banned there)",
        ),
        (404, _) => response.error(ErrorKind::NotFound, "reddit found no such thing"),
        (400 | 413 | 422, _) => response.error(
            ErrorKind::Validation,
            "reddit rejected the request as invalid",
        ),
        _ => return DefaultErrorMapper.map(response),
    };
    if let Some(r) = reason {
        err = err.with_platform_code(r);
    }
    if let Some(m) = explanation {
        err = err.with_platform_message(clean(&m));
    }
    if err.kind() == ErrorKind::RateLimited && err.retry_after().is_none() {
        if let Some(at) = response.rate_limit().and_then(|r| r.reset_at) {
            err = err.with_retry_after(at);
        }
    }
    err
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
            "reddit",
            "publish",
            StatusCode::from_u16(status).unwrap(),
            h,
            body.to_string(),
        )
        .with_rate_limit_style(RateLimitStyle::Reddit, Utc::now())
    }

    fn json_error(code: &str, message: &str, field: &str) -> Error {
        let body = serde_json::json!({"json": {"errors": [[code, message, field]]}}).to_string();
        json_errors(&resp(200, &body, &[])).unwrap()
    }

    #[test]
    fn every_documented_code_has_its_kind() {
        use ErrorKind::*;
        let cases = [
            ("RATELIMIT", RateLimited),
            ("SUBREDDIT_RATELIMIT", RateLimited),
            ("QUOTA_FILLED", RateLimited),
            ("OAUTH2_INVALID_REFRESH_TOKEN", Unauthenticated),
            ("USER_REQUIRED", Unauthenticated),
            ("EXPIRED", Unauthenticated),
            ("OAUTH2_INVALID_CLIENT", Unauthenticated),
            ("SUBREDDIT_NOTALLOWED", PermissionDenied),
            ("NOT_AUTHOR", PermissionDenied),
            ("USER_BLOCKED", PermissionDenied),
            ("BANNED_IP", PermissionDenied),
            ("DRACONIAN", PermissionDenied),
            ("VERIFIED_USER_REQUIRED", PermissionDenied),
            ("NO_API", PermissionDenied),
            ("NO_OTP_SECRET", PermissionDenied),
            ("TOO_OLD", PermissionDenied),
            ("DELETED_LINK", NotFound),
            ("DELETED_COMMENT", NotFound),
            ("DELETED_THING", NotFound),
            ("USER_DOESNT_EXIST", NotFound),
            ("NO_THING_ID", NotFound),
            ("SUBREDDIT_NOEXIST", ConfigInvalid),
            ("SUBREDDIT_REQUIRED", ConfigInvalid),
            ("BAD_SR_NAME", ConfigInvalid),
            ("SUBMIT_VALIDATION_FLAIR_REQUIRED", ConfigInvalid),
            ("NO_SELFS", ConfigInvalid),
            ("NO_LINKS", ConfigInvalid),
            ("BAD_FLAIR_TARGET", ConfigInvalid),
            ("INVALID_OPTION", ConfigInvalid),
            ("ALREADY_SUB", Duplicate),
            ("DOMAIN_BANNED", ContentRejected),
            ("BAD_IMAGE", ContentRejected),
            ("SUBMIT_VALIDATION_TITLE_REQUIRED_STRINGS", ContentRejected),
            ("CONFLICT", Conflict),
            ("NO_TEXT", Validation),
            ("NO_URL", Validation),
            ("NO_SUBJECT", Validation),
            ("NO_TO_ADDRESS", Validation),
            ("TOO_LONG", Validation),
            ("BAD_URL", Validation),
            ("BAD_STRING", Validation),
            ("BAD_NUMBER", Validation),
            ("TOO_MANY_THING_IDS", Validation),
            ("JSON_PARSE_ERROR", Validation),
            ("JSON_INVALID", Validation),
            ("JSON_MISSING_KEY", Validation),
        ];
        for (code, kind) in cases {
            let e = json_error(code, "reddit's message", "title");
            assert_eq!(e.kind(), kind, "{code}");
            assert_eq!(e.context().platform_code.as_deref(), Some(code));
        }
        let unknown = json_error("SOMETHING_NEW", "m", "f");
        assert_eq!(unknown.kind(), ErrorKind::Platform);
        assert!(!unknown.is_retryable());
    }

    #[test]
    fn rate_limits_say_when() {
        let e = json_error(
            "RATELIMIT",
            "you are doing that too much. try again in 9 minutes.",
            "ratelimit",
        );
        let wait = e.retry_after().unwrap() - Utc::now();
        assert!(
            wait > Duration::minutes(8) && wait <= Duration::minutes(9),
            "{wait}"
        );
        // `json.ratelimit` (seconds) wins over the sentence.
        let body = r#"{"json":{"ratelimit":30.2,"errors":[["RATELIMIT","try again in 9 minutes.","ratelimit"]]}}"#;
        let e = json_errors(&resp(200, body, &[])).unwrap();
        let wait = e.retry_after().unwrap() - Utc::now();
        assert!(
            wait > Duration::seconds(29) && wait <= Duration::seconds(31),
            "{wait}"
        );
        let quota = json_error(
            "QUOTA_FILLED",
            "You've submitted too many links recently.",
            "",
        );
        assert!(quota.retry_after().unwrap() - Utc::now() > Duration::minutes(59));
        // HTTP 429 with the headers.
        let e = map(&resp(
            429,
            "{\"message\": \"Too Many Requests\", \"error\": 429}",
            &[
                ("x-ratelimit-used", "1000"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "42"),
            ],
        ));
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        let wait = e.retry_after().unwrap() - Utc::now();
        assert!(
            wait > Duration::seconds(40) && wait <= Duration::seconds(42),
            "{wait}"
        );
    }

    #[test]
    fn http_errors() {
        let cases = [
            (
                401,
                r#"{"message": "Unauthorized", "error": 401}"#,
                ErrorKind::Unauthenticated,
            ),
            (
                403,
                r#"{"message": "Forbidden", "error": 403}"#,
                ErrorKind::PermissionDenied,
            ),
            (
                404,
                r#"{"message": "Not Found", "error": 404}"#,
                ErrorKind::NotFound,
            ),
            (
                400,
                r#"{"reason": "BAD_SR_NAME", "explanation": "that name isn't going to work"}"#,
                ErrorKind::ConfigInvalid,
            ),
            (
                400,
                r#"{"message": "Bad Request", "error": 400}"#,
                ErrorKind::Validation,
            ),
            (
                500,
                r#"{"message": "Internal Server Error", "error": 500}"#,
                ErrorKind::Platform,
            ),
            (503, "<html>we took too long</html>", ErrorKind::Platform),
        ];
        for (status, body, kind) in cases {
            assert_eq!(
                map(&resp(status, body, &[])).kind(),
                kind,
                "{status} {body}"
            );
        }
        assert!(map(&resp(502, "<html>", &[])).is_retryable());
        let e = map(&resp(
            403,
            r#"{"message": "Forbidden", "error": 403}"#,
            &[(
                "www-authenticate",
                "Bearer realm=\"reddit\", error=\"insufficient_scope\"",
            )],
        ));
        assert!(e.to_string().contains("scope"), "{e}");
    }
}
