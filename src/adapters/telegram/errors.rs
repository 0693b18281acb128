//! Telegram's error answers, mapped to kinds in one place ([`map`]).
//!
//! Every error is `{"ok": false, "error_code": N, "description": "…", "parameters"?: {…}}`
//! (<https://core.telegram.org/bots/api#making-requests>); the HTTP status is the error code.
//! The Bot API documents the shape and the `ResponseParameters`, not a list of descriptions:
//! the descriptions matched below are the ones the Bot API server sends (its open-source
//! `telegram-bot-api` and python-telegram-bot's error tests), matched case-insensitively by
//! their stable part.
//!
//! | answer | kind |
//! |---|---|
//! | 401 `Unauthorized` | `Unauthenticated`: the bot token is wrong or revoked |
//! | 404 `Not Found` (a malformed token or an unknown method) | `Unauthenticated` |
//! | 403 `Forbidden: bot was blocked by the user`, `…is not a member…`, `…was kicked…` | `PermissionDenied` |
//! | 400 `…chat not found` | `NotFound` |
//! | 400 `…message to delete not found`, `…message to edit not found`, `…message to be replied not found`, `…MESSAGE_ID_INVALID` | `NotFound` |
//! | 400 `…message can't be deleted…`, `…message can't be edited`, `…not enough rights…`, `…need administrator rights…`, `CHAT_ADMIN_REQUIRED`, `CHAT_WRITE_FORBIDDEN` | `PermissionDenied` |
//! | 400 `…message is too long`, `…caption is too long`, `…text is empty`, `…can't parse entities…`, file/URL problems, other 400 | `Validation` |
//! | 400 `…message is not modified…` | `Conflict` (an edit to the same content; [`edit`](crate::Platform::edit) treats it as done) |
//! | 400 `…group chat was upgraded to a supergroup chat` (`parameters.migrate_to_chat_id`) | `ConfigInvalid`, naming the new chat id |
//! | 409 `Conflict: terminated by other getUpdates request`, `…can't use getUpdates method while webhook is active` | `Conflict` |
//! | 413 `Request Entity Too Large` | `Validation` |
//! | 429 `Too Many Requests: retry after N` | `RateLimited`, `retry_after` = now + `parameters.retry_after` |
//! | 5xx, HTML bodies | `Platform`, retryable |
//!
//! ```
//! use socialkit::http::{Response, StatusCode, header::HeaderMap};
//! use socialkit::ErrorKind;
//! let body = r#"{"ok":false,"error_code":400,"description":"Bad Request: message to delete not found"}"#;
//! let r = Response::new("telegram", "delete", StatusCode::BAD_REQUEST, HeaderMap::new(), body);
//! assert_eq!(socialkit::adapters::telegram::errors::map(&r).kind(), ErrorKind::NotFound);
//! ```

use crate::http::{
    DefaultErrorMapper, ErrorBody, ErrorMapper, Response, telegram_body_retry_after,
};
use crate::{Error, ErrorKind};

/// The [`ErrorMapper`] of the Telegram adapter (calls [`map`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct TelegramErrors;

impl ErrorMapper for TelegramErrors {
    fn map(&self, response: &Response) -> Error {
        map(response)
    }
}

/// Kind and message for a description (lower-cased), when it says more than the status.
fn by_description(d: &str) -> Option<(ErrorKind, &'static str)> {
    let has = |s: &str| d.contains(s);
    if has("message is not modified") {
        return Some((
            ErrorKind::Conflict,
            "telegram says the message already has this content",
        ));
    }
    if has("chat not found") {
        return Some((
            ErrorKind::NotFound,
            "telegram found no such chat (check chat_id and that the bot was added to it)",
        ));
    }
    if has("message to delete not found")
        || has("message to edit not found")
        || has("message to be replied not found")
        || has("message to reply not found")
        || has("replied message not found")
        || has("message_id_invalid")
    {
        return Some((ErrorKind::NotFound, "telegram found no such message"));
    }
    if has("message can't be deleted") {
        return Some((
            ErrorKind::PermissionDenied,
            "telegram refused to delete the message (older than 48 hours, or the bot lacks the right)",
        ));
    }
    if has("message can't be edited") {
        return Some((
            ErrorKind::PermissionDenied,
            "telegram refused to edit the message",
        ));
    }
    if has("not enough rights")
        || has("need administrator rights")
        || has("chat_admin_required")
        || has("chat_write_forbidden")
        || has("have no rights")
    {
        return Some((
            ErrorKind::PermissionDenied,
            "the bot lacks the rights in this chat (a channel needs it as an administrator that can post messages)",
        ));
    }
    if has("upgraded to a supergroup") {
        return Some((
            ErrorKind::ConfigInvalid,
            "the group was upgraded to a supergroup: change chat_id to the new id",
        ));
    }
    if has("too long") {
        return Some((
            ErrorKind::Validation,
            "telegram says the text or caption is too long",
        ));
    }
    if has("can't parse entities") || has("entity") {
        return Some((
            ErrorKind::Validation,
            "telegram refused the message's entities",
        ));
    }
    if has("text is empty") || has("message text is empty") {
        return Some((ErrorKind::Validation, "telegram refused an empty message"));
    }
    if has("wrong file")
        || has("failed to get http url content")
        || has("wrong type of the web page content")
        || has("photo_invalid_dimensions")
        || has("image_process_failed")
        || has("wrong remote file")
    {
        return Some((ErrorKind::Validation, "telegram refused the media"));
    }
    None
}

/// Maps a non-success answer of the Bot API to an error.
pub fn map(response: &Response) -> Error {
    let status = response.status().as_u16();
    let parsed = ErrorBody::parse(response.body());
    let value: serde_json::Value =
        serde_json::from_slice(response.body()).unwrap_or(serde_json::Value::Null);
    let description = value
        .get("description")
        .and_then(|d| d.as_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let code = value.get("error_code").and_then(|c| c.as_i64());
    let status = match code {
        // The body's code wins where the HTTP status says less (a proxy's 200 or 500).
        Some(c) if (400..600).contains(&c) && status < 400 => c as u16,
        _ => status,
    };
    let (kind, text): (ErrorKind, String) = match status {
        401 => (
            ErrorKind::Unauthenticated,
            "telegram rejected the bot token (wrong or revoked): get a new one from @BotFather".into(),
        ),
        404 if description.is_empty() || description == "not found" => (
            ErrorKind::Unauthenticated,
            "telegram does not know this bot token (malformed) or method".into(),
        ),
        403 => (
            ErrorKind::PermissionDenied,
            "telegram forbade it: the bot was blocked, removed from the chat, or is not a member".into(),
        ),
        409 => (
            ErrorKind::Conflict,
            "telegram refused getUpdates: a webhook is set or another getUpdates request is running".into(),
        ),
        413 => (
            ErrorKind::Validation,
            "telegram refused the upload as too large".into(),
        ),
        429 => (
            ErrorKind::RateLimited,
            "telegram flood control: too many requests".into(),
        ),
        400..=499 => match by_description(&description) {
            Some((kind, text)) => (kind, text.to_string()),
            None if status == 400 => (
                ErrorKind::Validation,
                "telegram rejected the request as invalid".into(),
            ),
            None => return with_body(DefaultErrorMapper.map(response), &parsed),
        },
        _ => return with_body(DefaultErrorMapper.map(response), &parsed),
    };
    let mut err = response.error(kind, text).with_http_status(status);
    if kind == ErrorKind::RateLimited {
        if let Some(at) = telegram_body_retry_after(response.body(), response.received_at()) {
            err = err.with_retry_after(at);
        }
    }
    if let Some(to) = value
        .get("parameters")
        .and_then(|p| p.get("migrate_to_chat_id"))
        .and_then(|v| v.as_i64())
    {
        err = Error::new(
            err.kind(),
            format!("{} (the new chat id is {to})", err.message()),
        )
        .with_platform(super::PLATFORM)
        .with_operation(response.operation())
        .with_http_status(status);
    }
    with_body(err, &parsed)
}

fn with_body(mut err: Error, body: &ErrorBody) -> Error {
    if let Some(code) = &body.code {
        err = err.with_platform_code(code.clone());
    }
    if let Some(m) = &body.message {
        err = err.with_platform_message(m.clone());
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{StatusCode, header::HeaderMap};

    fn resp(status: u16, description: &str, extra: &str) -> Response {
        let body =
            format!(r#"{{"ok":false,"error_code":{status},"description":"{description}"{extra}}}"#);
        Response::new(
            "telegram",
            "publish",
            StatusCode::from_u16(status).unwrap(),
            HeaderMap::new(),
            body,
        )
    }

    #[test]
    fn every_documented_answer_has_its_kind() {
        let cases = [
            (401, "Unauthorized", ErrorKind::Unauthenticated),
            (404, "Not Found", ErrorKind::Unauthenticated),
            (
                403,
                "Forbidden: bot was blocked by the user",
                ErrorKind::PermissionDenied,
            ),
            (
                403,
                "Forbidden: bot is not a member of the channel chat",
                ErrorKind::PermissionDenied,
            ),
            (400, "Bad Request: chat not found", ErrorKind::NotFound),
            (
                400,
                "Bad Request: message to delete not found",
                ErrorKind::NotFound,
            ),
            (
                400,
                "Bad Request: message to edit not found",
                ErrorKind::NotFound,
            ),
            (
                400,
                "Bad Request: message to be replied not found",
                ErrorKind::NotFound,
            ),
            (
                400,
                "Bad Request: message can't be deleted for everyone",
                ErrorKind::PermissionDenied,
            ),
            (
                400,
                "Bad Request: need administrator rights in the channel chat",
                ErrorKind::PermissionDenied,
            ),
            (
                400,
                "Bad Request: not enough rights to send text messages to the chat",
                ErrorKind::PermissionDenied,
            ),
            (
                400,
                "Bad Request: message is too long",
                ErrorKind::Validation,
            ),
            (
                400,
                "Bad Request: message caption is too long",
                ErrorKind::Validation,
            ),
            (
                400,
                "Bad Request: message text is empty",
                ErrorKind::Validation,
            ),
            (
                400,
                "Bad Request: can't parse entities: Unsupported start tag",
                ErrorKind::Validation,
            ),
            (
                400,
                "Bad Request: wrong file identifier/HTTP URL specified",
                ErrorKind::Validation,
            ),
            (
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
                ErrorKind::Conflict,
            ),
            (400, "Bad Request: something new", ErrorKind::Validation),
            (
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                ErrorKind::Conflict,
            ),
            (
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
                ErrorKind::Conflict,
            ),
            (413, "Request Entity Too Large", ErrorKind::Validation),
            (500, "Internal Server Error", ErrorKind::Platform),
            (502, "Bad Gateway", ErrorKind::Platform),
        ];
        for (status, description, kind) in cases {
            let e = map(&resp(status, description, ""));
            assert_eq!(e.kind(), kind, "{status} {description}");
            assert_eq!(e.context().http_status, Some(status));
        }
        let html = Response::new(
            "telegram",
            "publish",
            StatusCode::BAD_GATEWAY,
            HeaderMap::new(),
            "<html>502</html>",
        );
        assert_eq!(map(&html).kind(), ErrorKind::Platform);
        assert!(map(&html).is_retryable());
    }

    #[test]
    fn flood_control_says_when_and_migration_names_the_new_chat() {
        let r = resp(
            429,
            "Too Many Requests: retry after 7",
            r#","parameters":{"retry_after":7}"#,
        );
        let e = map(&r);
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(
            e.retry_after(),
            Some(r.received_at() + chrono::Duration::seconds(7))
        );
        let e = map(&resp(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            r#","parameters":{"migrate_to_chat_id":-1009876}"#,
        ));
        assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
        assert!(e.to_string().contains("-1009876"), "{e}");
    }

    #[test]
    fn an_echoed_token_never_reaches_the_error() {
        let e = map(&resp(
            400,
            "Bad Request: bot 123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1 is odd",
            "",
        ));
        assert!(!format!("{e:?}").contains("AAHdqTcv"), "{e:?}");
    }
}
