//! TikTok's errors mapped to [`ErrorKind`]s.
//!
//! Two sources: the `error.code` of an answer (the error tables of the Content Posting API
//! reference pages — Direct Post, Upload, Photo Post, Creator Info, Get Post Status — and of
//! the Display API pages, <https://developers.tiktok.com/doc/tiktok-api-v2-error-handling>),
//! and the `fail_reason` of a post that ended `FAILED` (Get Post Status,
//! <https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status>).
//!
//! ```
//! use socialkit::adapters::tiktok::errors::{kind_for_code, kind_for_fail_reason};
//! use socialkit::ErrorKind;
//! assert_eq!(kind_for_code("access_token_invalid"), ErrorKind::Unauthenticated);
//! assert_eq!(kind_for_code("unaudited_client_can_only_post_to_private_accounts"), ErrorKind::PermissionDenied);
//! assert_eq!(kind_for_fail_reason("duration_check_failed"), ErrorKind::Validation);
//! assert_eq!(kind_for_fail_reason("spam_risk_text"), ErrorKind::ContentRejected);
//! ```

use super::PLATFORM;
use super::api::ApiError;
use crate::http::{ErrorMapper, Response, kind_for_status};
use crate::{Error, ErrorKind};

/// The kind of an `error.code`.
pub fn kind_for_code(code: &str) -> ErrorKind {
    match code {
        "access_token_invalid" | "token_expired" | "invalid_grant" => ErrorKind::Unauthenticated,
        "scope_not_authorized"
        | "scope_permission_missed"
        | "spam_risk_user_banned_from_posting"
        | "unaudited_client_can_only_post_to_private_accounts"
        | "url_ownership_unverified"
        | "app_version_check_failed" => ErrorKind::PermissionDenied,
        "rate_limit_exceeded"
        | "spam_risk_too_many_posts"
        | "reached_active_user_cap"
        | "spam_risk_too_many_pending_share" => ErrorKind::RateLimited,
        "invalid_param"
        | "invalid_params"
        | "privacy_level_option_mismatch"
        | "invalid_file_upload"
        | "file_format_check_failed"
        | "duration_check_failed"
        | "picture_size_check_failed"
        | "frame_rate_check_failed" => ErrorKind::Validation,
        "spam_risk_text" | "spam_risk" => ErrorKind::ContentRejected,
        "invalid_publish_id" | "video_not_found" | "not_found" => ErrorKind::NotFound,
        "internal_error" | "internal" => ErrorKind::Platform,
        _ => ErrorKind::Platform,
    }
}

/// The kind of a `fail_reason`.
pub fn kind_for_fail_reason(reason: &str) -> ErrorKind {
    match reason {
        "file_format_check_failed"
        | "duration_check_failed"
        | "frame_rate_check_failed"
        | "picture_size_check_failed"
        | "video_pull_failed"
        | "photo_pull_failed" => ErrorKind::Validation,
        "auth_removed" => ErrorKind::Unauthenticated,
        "spam_risk_too_many_posts" => ErrorKind::RateLimited,
        "spam_risk_user_banned_from_posting" => ErrorKind::PermissionDenied,
        "spam_risk_text" | "spam_risk" => ErrorKind::ContentRejected,
        "publish_cancelled" => ErrorKind::Conflict,
        _ => ErrorKind::Platform,
    }
}

/// What a person should do about a code, added to the message.
fn advice(code: &str) -> &'static str {
    match code {
        "unaudited_client_can_only_post_to_private_accounts" => {
            "; an unaudited TikTok app may only post with privacy SELF_ONLY until TikTok audits it"
        }
        "url_ownership_unverified" => {
            "; PULL_FROM_URL needs a domain or URL prefix verified in the TikTok developer portal"
        }
        "spam_risk_too_many_posts" => "; the creator reached the daily post cap for API posts",
        "reached_active_user_cap" => "; the app reached its daily cap of active posting creators",
        "privacy_level_option_mismatch" => {
            "; the privacy level is not among the creator's options (creator_info/query)"
        }
        "scope_not_authorized" | "scope_permission_missed" => {
            "; the token lacks a scope: reconnect with video.publish, video.upload, video.list and user.info.*"
        }
        "access_token_invalid" => "; reconnect the account",
        _ => "",
    }
}

/// The error for an answer's `error` object (`status` is its HTTP status).
pub(crate) fn from_api(e: &ApiError, status: u16, operation: &str) -> Error {
    let kind = kind_for_code(&e.code);
    let mut err = Error::new(
        kind,
        format!(
            "tiktok {operation}: {}{}",
            if e.message.is_empty() {
                &e.code
            } else {
                &e.message
            },
            advice(&e.code)
        ),
    )
    .with_platform(PLATFORM)
    .with_operation(operation.to_string())
    .with_platform_code(e.code.clone())
    .with_retryable(matches!(kind, ErrorKind::Platform | ErrorKind::RateLimited) && status >= 429);
    if !e.message.is_empty() {
        err = err.with_platform_message(crate::http::redact::redact_text(&e.message));
    }
    if status != 0 {
        err = err.with_http_status(status);
    }
    err
}

/// The error of a post that ended `FAILED` with `reason`.
pub(crate) fn from_fail_reason(reason: &str, publish_id: &str) -> Error {
    let kind = kind_for_fail_reason(reason);
    let what = match reason {
        "file_format_check_failed" => "the file format is not supported",
        "duration_check_failed" => {
            "the video is longer than the creator may post (max_video_post_duration_sec) or too short"
        }
        "frame_rate_check_failed" => "the frame rate is not supported",
        "picture_size_check_failed" => "the picture size is not supported",
        "video_pull_failed" | "photo_pull_failed" => {
            "TikTok could not download the media from its URL"
        }
        "auth_removed" => "the creator removed the app's access; reconnect the account",
        "spam_risk_too_many_posts" => "the creator reached the daily post cap",
        "spam_risk_user_banned_from_posting" => "the creator is banned from posting",
        "spam_risk_text" | "spam_risk" => "TikTok flagged the post as spam risk",
        "publish_cancelled" => "the post was cancelled",
        "internal" => "TikTok failed internally; try again",
        _ => "TikTok gave no reason socialkit knows",
    };
    Error::new(kind, format!("tiktok: the post failed ({reason}): {what}"))
        .with_platform(PLATFORM)
        .with_operation("publish")
        .with_platform_code(reason.to_string())
        .with_platform_message(format!("publish_id {publish_id}"))
        .with_retryable(kind == ErrorKind::Platform)
}

/// Maps TikTok's non-success answers: the `error` object when the body has one, the status
/// otherwise. 429 carries `Retry-After` when TikTok sends one, else a minute (the documented
/// windows are per minute).
#[derive(Debug, Clone, Copy, Default)]
pub struct TikTokErrors;

impl ErrorMapper for TikTokErrors {
    fn map(&self, r: &Response) -> Error {
        let status = r.status().as_u16();
        let parsed: Option<ApiError> = serde_json::from_slice::<serde_json::Value>(r.body())
            .ok()
            .and_then(|v| v.get("error").cloned())
            .and_then(|e| serde_json::from_value(e).ok());
        let mut err = match parsed {
            Some(e) if !e.code.is_empty() && e.code != "ok" => {
                from_api(&e, status, r.operation().as_str())
            }
            _ => r.error(
                kind_for_status(r.status()),
                format!("tiktok answered HTTP {status}"),
            ),
        };
        err = err.with_platform(PLATFORM);
        if status == 429 || err.kind() == ErrorKind::RateLimited {
            let at = r
                .wait_until()
                .unwrap_or_else(|| r.received_at() + chrono::Duration::seconds(60));
            err = err.with_retry_after(at).with_retryable(true);
        } else if status >= 500 {
            err = err.with_retryable(true);
        }
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::StatusCode;

    fn answer(status: u16, body: &str) -> Response {
        Response::new(
            PLATFORM,
            "publish",
            StatusCode::from_u16(status).unwrap(),
            Default::default(),
            body.to_string(),
        )
    }

    #[test]
    fn every_documented_code_has_its_kind() {
        let cases = [
            (401, "access_token_invalid", ErrorKind::Unauthenticated),
            (401, "scope_not_authorized", ErrorKind::PermissionDenied),
            (
                403,
                "spam_risk_user_banned_from_posting",
                ErrorKind::PermissionDenied,
            ),
            (
                403,
                "unaudited_client_can_only_post_to_private_accounts",
                ErrorKind::PermissionDenied,
            ),
            (403, "url_ownership_unverified", ErrorKind::PermissionDenied),
            (403, "spam_risk_too_many_posts", ErrorKind::RateLimited),
            (403, "reached_active_user_cap", ErrorKind::RateLimited),
            (400, "privacy_level_option_mismatch", ErrorKind::Validation),
            (400, "invalid_param", ErrorKind::Validation),
            (400, "invalid_file_upload", ErrorKind::Validation),
            (429, "rate_limit_exceeded", ErrorKind::RateLimited),
            (500, "internal_error", ErrorKind::Platform),
        ];
        for (status, code, kind) in cases {
            let body = format!(r#"{{"error":{{"code":"{code}","message":"m","log_id":"l"}}}}"#);
            let e = TikTokErrors.map(&answer(status, &body));
            assert_eq!(e.kind(), kind, "{code}");
            assert_eq!(e.context().platform_code.as_deref(), Some(code));
        }
    }

    #[test]
    fn rate_limits_wait_and_server_errors_retry() {
        let body = r#"{"error":{"code":"rate_limit_exceeded","message":"slow down"}}"#;
        let e = TikTokErrors.map(&answer(429, body));
        assert!(e.retry_after().is_some() && e.is_retryable());
        let e = TikTokErrors.map(&answer(502, "<html>bad gateway</html>"));
        assert_eq!(e.kind(), ErrorKind::Platform);
        assert!(e.is_retryable());
        let e = TikTokErrors.map(&answer(400, r#"{"error":{"code":"invalid_param"}}"#));
        assert!(!e.is_retryable());
    }

    #[test]
    fn every_fail_reason_has_its_kind() {
        for (reason, kind) in [
            ("file_format_check_failed", ErrorKind::Validation),
            ("duration_check_failed", ErrorKind::Validation),
            ("frame_rate_check_failed", ErrorKind::Validation),
            ("picture_size_check_failed", ErrorKind::Validation),
            ("video_pull_failed", ErrorKind::Validation),
            ("photo_pull_failed", ErrorKind::Validation),
            ("auth_removed", ErrorKind::Unauthenticated),
            ("spam_risk_too_many_posts", ErrorKind::RateLimited),
            (
                "spam_risk_user_banned_from_posting",
                ErrorKind::PermissionDenied,
            ),
            ("spam_risk_text", ErrorKind::ContentRejected),
            ("spam_risk", ErrorKind::ContentRejected),
            ("publish_cancelled", ErrorKind::Conflict),
            ("internal", ErrorKind::Platform),
        ] {
            let e = from_fail_reason(reason, "v_pub_file~1");
            assert_eq!(e.kind(), kind, "{reason}");
            assert!(e.to_string().contains(reason));
        }
        assert!(from_fail_reason("internal", "p").is_retryable());
    }
}
