//! A relay's refusals, mapped to kinds in one place ([`map_refusal`]).
//!
//! NIP-01 (the `OK` and `CLOSED` messages, which absorbed NIP-20): the message starts with a
//! machine-readable prefix, a colon and a human text. Source:
//! <https://github.com/nostr-protocol/nips/blob/master/01.md> ("OK messages … the standardized
//! machine-readable prefixes are: `duplicate`, `pow`, `blocked`, `rate-limited`, `invalid`,
//! `restricted`, `mute` and `error`"), NIP-42 for `auth-required`, NIP-50 relays answering a
//! search they cannot do with `CLOSED` (`unsupported:` is what relays send; unverified beyond
//! relay source code).
//!
//! | prefix | kind |
//! |---|---|
//! | `duplicate:` (with `true`, or `false` from older relays) | not an error: the relay has the event |
//! | `invalid:` | `Validation` (the event broke the relay's rules: time, size, tags) |
//! | `pow:` | `ContentRejected` (the relay wants NIP-13 proof of work; socialkit mines none) |
//! | `blocked:`, `restricted:`, `mute:` | `PermissionDenied` (this key may not write here) |
//! | `auth-required:` | `Unauthenticated` (NIP-42 authentication first) |
//! | `rate-limited:` | `RateLimited`, retryable (no time given: the engine backs off) |
//! | `unsupported:` | `Unsupported` |
//! | `error:`, no prefix, anything else | `Platform`, retryable |
//!
//! ```
//! use socialkit::adapters::nostr::errors::map_refusal;
//! use socialkit::ErrorKind;
//! assert_eq!(map_refusal("blocked: you are banned").kind(), ErrorKind::PermissionDenied);
//! assert!(map_refusal("rate-limited: slow down").is_retryable());
//! ```

use super::PLATFORM;
use crate::http::redact::{SNIPPET_CHARS, redact_text, truncate_chars};
use crate::{Error, ErrorKind};

/// The machine-readable prefix of a relay message (`blocked` of `blocked: banned`).
///
/// ```
/// assert_eq!(socialkit::adapters::nostr::errors::prefix("pow: 20"), Some("pow"));
/// assert_eq!(socialkit::adapters::nostr::errors::prefix("no colon"), None);
/// ```
pub fn prefix(message: &str) -> Option<&str> {
    let (head, _) = message.split_once(':')?;
    let ok = !head.is_empty()
        && head.len() <= 24
        && head.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    ok.then_some(head)
}

/// Whether an `OK` or `CLOSED` message says the relay already has the event.
pub fn is_duplicate(message: &str) -> bool {
    prefix(message) == Some("duplicate")
}

/// The error for a relay's refusal `message` (of `["OK", id, false, message]` or
/// `["CLOSED", sub, message]`).
pub fn map_refusal(message: &str) -> Error {
    let (kind, text, retryable) = match prefix(message) {
        Some("invalid") => (
            ErrorKind::Validation,
            "the nostr relay refused the event as invalid",
            false,
        ),
        Some("pow") => (
            ErrorKind::ContentRejected,
            "the nostr relay requires proof of work (NIP-13), which socialkit does not compute",
            false,
        ),
        Some("blocked" | "restricted" | "mute") => (
            ErrorKind::PermissionDenied,
            "the nostr relay does not let this key write",
            false,
        ),
        Some("auth-required") => (
            ErrorKind::Unauthenticated,
            "the nostr relay requires authentication (NIP-42)",
            false,
        ),
        Some("rate-limited") => (
            ErrorKind::RateLimited,
            "the nostr relay rate-limited this key",
            true,
        ),
        Some("unsupported") => (
            ErrorKind::Unsupported,
            "the nostr relay does not support this request",
            false,
        ),
        Some("duplicate") => (
            ErrorKind::Duplicate,
            "the nostr relay already has this event",
            false,
        ),
        _ => (
            ErrorKind::Platform,
            "the nostr relay failed to store the event",
            true,
        ),
    };
    let mut err = Error::new(kind, text)
        .with_platform(PLATFORM)
        .with_retryable(retryable);
    if let Some(p) = prefix(message) {
        err = err.with_platform_code(p);
    }
    if !message.trim().is_empty() {
        err = err.with_platform_message(truncate_chars(&redact_text(message), SNIPPET_CHARS));
    }
    err
}

/// The most telling of several relays' refusals: the one the caller most needs to act on
/// (fix the content before reconnecting before waiting before retrying).
pub(crate) fn worst(errors: Vec<Error>) -> Option<Error> {
    let rank = |k: ErrorKind| match k {
        ErrorKind::Validation | ErrorKind::ContentRejected => 0,
        ErrorKind::Unauthenticated | ErrorKind::PermissionDenied => 1,
        ErrorKind::Unsupported => 2,
        ErrorKind::RateLimited => 3,
        _ => 4,
    };
    errors.into_iter().min_by_key(|e| rank(e.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_prefix_has_its_kind() {
        let cases = [
            (
                "invalid: event creation date is too far off",
                ErrorKind::Validation,
                false,
            ),
            (
                "pow: difficulty 25 is less than 30",
                ErrorKind::ContentRejected,
                false,
            ),
            (
                "blocked: you are banned from posting here",
                ErrorKind::PermissionDenied,
                false,
            ),
            (
                "restricted: not allowed to write",
                ErrorKind::PermissionDenied,
                false,
            ),
            (
                "mute: no one was listening",
                ErrorKind::PermissionDenied,
                false,
            ),
            (
                "auth-required: we only accept events from registered users",
                ErrorKind::Unauthenticated,
                false,
            ),
            (
                "rate-limited: slow down there chief",
                ErrorKind::RateLimited,
                true,
            ),
            ("unsupported: search", ErrorKind::Unsupported, false),
            (
                "error: could not connect to the database",
                ErrorKind::Platform,
                true,
            ),
            ("something odd", ErrorKind::Platform, true),
            ("", ErrorKind::Platform, true),
        ];
        for (msg, kind, retry) in cases {
            let e = map_refusal(msg);
            assert_eq!(e.kind(), kind, "{msg}");
            assert_eq!(e.is_retryable(), retry, "{msg}");
            assert_eq!(e.context().platform.as_deref(), Some("nostr"));
        }
        assert!(is_duplicate("duplicate: already have this event"));
        assert!(is_duplicate("duplicate:"));
        assert!(!is_duplicate("blocked: duplicate content"));
        assert_eq!(
            map_refusal("pow: 30").context().platform_code.as_deref(),
            Some("pow")
        );
    }

    #[test]
    fn the_worst_refusal_wins() {
        let w = worst(vec![
            map_refusal("error: db"),
            map_refusal("rate-limited: x"),
            map_refusal("invalid: too big"),
        ])
        .unwrap();
        assert_eq!(w.kind(), ErrorKind::Validation);
    }
}
