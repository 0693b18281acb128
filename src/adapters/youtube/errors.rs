//! YouTube's error answers, mapped to kinds in one place. Source: the Data API's error
//! reference <https://developers.google.com/youtube/v3/docs/errors> (reasons per method) and
//! the method pages' "Errors" sections (videos.insert, thumbnails.set, comments.insert,
//! commentThreads.list, videos.delete); the body is Google's common shape
//! ([`GoogleError`]).
//!
//! | answer | kind |
//! |---|---|
//! | 401 (`authorizationRequired`, `authError`, `youtubeSignupRequired`…) | `Unauthenticated`: reconnect (`youtubeSignupRequired`: the Google account has no channel) |
//! | 403 `quotaExceeded`, `dailyLimitExceeded` | `RateLimited`, `retry_after` at the next Pacific midnight |
//! | 403 `rateLimitExceeded`, `userRateLimitExceeded`, 429 `uploadRateLimitExceeded`, other 429 | `RateLimited`, retryable |
//! | 400 `uploadLimitExceeded` (the channel's own daily upload limit) | `RateLimited`, `retry_after` at the next Pacific midnight |
//! | 403 `insufficientPermissions`, `forbidden`, `commentsDisabled`, `ineligibleAccount`, `channelClosed`, `channelSuspended` | `PermissionDenied` |
//! | 404 `videoNotFound`, `commentNotFound`, `commentThreadNotFound`, `channelNotFound`, `parentCommentNotFound` | `NotFound` |
//! | 400 `invalidTitle`, `invalidDescription`, `invalidTags`, `invalidPublishAt`, `invalidVideoMetadata`, `invalidCategoryId`, `mediaBodyRequired`, `commentTextTooLong`, `invalidCommentMetadata`, `invalidImage`, `defaultLanguageNotSet`, other 400 | `Validation` |
//! | 400 `processingFailure` | `Platform`, retryable |
//! | 409 | `Conflict` |
//! | 5xx (`backendError`) | `Platform`, retryable |
//!
//! ```
//! use socialkit::http::{Response, StatusCode, header::HeaderMap};
//! use socialkit::ErrorKind;
//! let body = r#"{"error":{"code":403,"message":"quota","errors":[{"domain":"youtube.quota","reason":"quotaExceeded"}]}}"#;
//! let r = Response::new("youtube", "publish", StatusCode::FORBIDDEN, HeaderMap::new(), body);
//! let e = socialkit::adapters::youtube::errors::map(&r);
//! assert_eq!(e.kind(), ErrorKind::RateLimited);
//! assert_eq!(e.context().platform_code.as_deref(), Some("quotaExceeded"));
//! assert!(e.retry_after().is_some());
//! ```

use crate::http::google::GoogleError;
use crate::http::{DefaultErrorMapper, ErrorMapper, Response};
use crate::{Error, ErrorKind};

use super::quota::next_reset;

/// Maps YouTube's errors ([`map`]) for the HTTP layer.
#[derive(Debug, Clone, Copy, Default)]
pub struct YoutubeErrors;

impl ErrorMapper for YoutubeErrors {
    fn map(&self, response: &Response) -> Error {
        map(response)
    }
}

/// Whether an error is YouTube's "the project's quota for today is used up".
pub fn is_daily_quota(e: &Error) -> bool {
    e.kind() == ErrorKind::RateLimited
        && matches!(
            e.context().platform_code.as_deref(),
            Some("quotaExceeded" | "dailyLimitExceeded")
        )
}

/// The kind, a sentence, and whether the wait is "until the quota reset", for a reason.
fn kind_of(status: u16, reason: &str) -> Option<(ErrorKind, &'static str, bool)> {
    use ErrorKind::*;
    Some(match reason {
        "quotaExceeded" | "dailyLimitExceeded" => (
            RateLimited,
            "the project's daily YouTube quota is used up: it resets at midnight Pacific Time",
            true,
        ),
        "uploadLimitExceeded" => (
            RateLimited,
            "the channel uploaded as many videos as YouTube allows today",
            true,
        ),
        "rateLimitExceeded" | "userRateLimitExceeded" | "uploadRateLimitExceeded" => {
            (RateLimited, "YouTube asks to slow down", false)
        }
        "youtubeSignupRequired" => (
            Unauthenticated,
            "the Google account has no YouTube channel: create one, then reconnect",
            false,
        ),
        "authorizationRequired" | "authError" | "unauthorized" => (
            Unauthenticated,
            "YouTube refused the credentials: reconnect the account",
            false,
        ),
        "insufficientPermissions" => (
            PermissionDenied,
            "the token lacks a scope this needs (youtube.upload / youtube.force-ssl): reconnect and approve every permission",
            false,
        ),
        "commentsDisabled" => (
            PermissionDenied,
            "comments are turned off on the video",
            false,
        ),
        "ineligibleAccount" | "channelClosed" | "channelSuspended" | "accountClosed"
        | "accountSuspended" => (
            PermissionDenied,
            "YouTube does not let this channel do that (closed, suspended or ineligible)",
            false,
        ),
        "forbidden" => (
            PermissionDenied,
            "YouTube does not allow this for the channel",
            false,
        ),
        "videoNotFound" => (NotFound, "YouTube found no such video", false),
        "commentNotFound" | "commentThreadNotFound" | "parentCommentNotFound" => {
            (NotFound, "YouTube found no such comment", false)
        }
        "channelNotFound" => (NotFound, "YouTube found no such channel", false),
        "invalidTitle" => (
            Validation,
            "YouTube refused the title (at most 100 characters, no < or >)",
            false,
        ),
        "invalidDescription" => (
            Validation,
            "YouTube refused the description (at most 5000 bytes, no < or >)",
            false,
        ),
        "invalidTags" => (
            Validation,
            "YouTube refused the tags (500 characters in all)",
            false,
        ),
        "invalidPublishAt" => (
            Validation,
            "YouTube refused the scheduled publish time (it must be in the future and the video private)",
            false,
        ),
        "invalidCategoryId" => (
            Validation,
            "YouTube refused the category id: fix category_id in the channel config",
            false,
        ),
        "mediaBodyRequired" => (Validation, "YouTube got no video bytes", false),
        "commentTextTooLong" => (Validation, "the comment is too long for YouTube", false),
        "invalidImage" | "invalidImageFormat" => {
            (Validation, "YouTube refused the thumbnail image", false)
        }
        "processingFailure" => (Platform, "YouTube failed to process the request", false),
        "backendError" => (Platform, "YouTube had an internal error", false),
        r if r.starts_with("invalid") || (status == 400 && !r.is_empty()) => {
            (Validation, "YouTube refused a field of the request", false)
        }
        _ => return None,
    })
}

/// The error for a YouTube answer that is not a success.
pub fn map(response: &Response) -> Error {
    let status = response.status().as_u16();
    let g = GoogleError::parse(response.body());
    let reason = g.reason.clone().unwrap_or_default();
    let Some((kind, sentence, until_reset)) = kind_of(status, &reason) else {
        let mut e = DefaultErrorMapper.map(response);
        if let Some(m) = &g.message {
            e = e.with_platform_message(m.clone());
        }
        if let Some(s) = g.status {
            e = e.with_platform_code(s);
        }
        return e;
    };
    let mut e = response.error(kind, sentence).with_platform_code(reason);
    if let Some(m) = g.message {
        e = e.with_platform_message(m);
    }
    match kind {
        ErrorKind::RateLimited if until_reset => {
            e.with_retry_after(next_reset(response.received_at()))
        }
        ErrorKind::RateLimited => e.with_retryable(true),
        ErrorKind::Platform => e.with_retryable(true),
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::StatusCode;

    fn answer(status: u16, reason: &str) -> Error {
        let body = format!(
            r#"{{"error":{{"code":{status},"message":"m","errors":[{{"domain":"youtube","reason":"{reason}"}}]}}}}"#
        );
        let r = Response::new(
            "youtube",
            "op",
            StatusCode::from_u16(status).unwrap(),
            Default::default(),
            body,
        );
        map(&r)
    }

    #[test]
    fn every_documented_reason_has_its_kind() {
        use ErrorKind::*;
        let cases: &[(u16, &str, ErrorKind)] = &[
            (403, "quotaExceeded", RateLimited),
            (403, "dailyLimitExceeded", RateLimited),
            (400, "uploadLimitExceeded", RateLimited),
            (403, "rateLimitExceeded", RateLimited),
            (403, "userRateLimitExceeded", RateLimited),
            (429, "uploadRateLimitExceeded", RateLimited),
            (401, "authorizationRequired", Unauthenticated),
            (401, "youtubeSignupRequired", Unauthenticated),
            (403, "insufficientPermissions", PermissionDenied),
            (403, "forbidden", PermissionDenied),
            (403, "commentsDisabled", PermissionDenied),
            (403, "ineligibleAccount", PermissionDenied),
            (404, "videoNotFound", NotFound),
            (404, "commentNotFound", NotFound),
            (404, "commentThreadNotFound", NotFound),
            (404, "channelNotFound", NotFound),
            (400, "invalidTitle", Validation),
            (400, "invalidDescription", Validation),
            (400, "invalidTags", Validation),
            (400, "invalidPublishAt", Validation),
            (400, "invalidCategoryId", Validation),
            (400, "mediaBodyRequired", Validation),
            (400, "commentTextTooLong", Validation),
            (400, "invalidImage", Validation),
            (400, "defaultLanguageNotSet", Validation),
            (400, "processingFailure", Platform),
            (500, "backendError", Platform),
        ];
        for (status, reason, kind) in cases {
            let e = answer(*status, reason);
            assert_eq!(e.kind(), *kind, "{reason}");
            assert_eq!(e.context().platform_code.as_deref(), Some(*reason));
            assert_eq!(e.context().http_status, Some(*status), "{reason}");
        }
        assert!(answer(403, "quotaExceeded").retry_after().is_some());
        assert!(answer(400, "uploadLimitExceeded").retry_after().is_some());
        assert!(answer(403, "rateLimitExceeded").is_retryable());
        assert!(answer(500, "backendError").is_retryable());
        assert!(!answer(400, "invalidTitle").is_retryable());
        assert!(is_daily_quota(&answer(403, "quotaExceeded")));
        assert!(!is_daily_quota(&answer(403, "rateLimitExceeded")));
    }

    #[test]
    fn odd_bodies_fall_back_to_the_status() {
        for (status, body, kind) in [
            (503, "<html>busy</html>", ErrorKind::Platform),
            (401, "", ErrorKind::Unauthenticated),
            (404, "{}", ErrorKind::NotFound),
            (409, r#"{"error":{"code":409}}"#, ErrorKind::Conflict),
            (418, r#"{"error":"x"}"#, ErrorKind::Platform),
        ] {
            let r = Response::new(
                "youtube",
                "op",
                StatusCode::from_u16(status).unwrap(),
                Default::default(),
                body,
            );
            assert_eq!(map(&r).kind(), kind, "{status} {body}");
        }
    }
}
