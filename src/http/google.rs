//! Google's JSON error body, shared by the Google API adapters (YouTube, Business Profile).
//! Source: "Errors" in the Google Cloud API design guide
//! <https://cloud.google.com/apis/design/errors> and the YouTube Data API's error page
//! <https://developers.google.com/youtube/v3/docs/errors>:
//!
//! ```json
//! {"error": {"code": 403, "message": "…", "status": "PERMISSION_DENIED",
//!            "errors": [{"message": "…", "domain": "youtube.quota", "reason": "quotaExceeded"}]}}
//! ```
//!
//! ```
//! use socialkit::http::google::GoogleError;
//! let e = GoogleError::parse(br#"{"error":{"code":404,"message":"gone","errors":[{"domain":"youtube.video","reason":"videoNotFound"}]}}"#);
//! assert_eq!(e.reason.as_deref(), Some("videoNotFound"));
//! assert_eq!(e.code, Some(404));
//! assert_eq!(GoogleError::parse(b"<html>").reason, None);
//! ```

use serde::Deserialize;

use super::redact::{SNIPPET_CHARS, redact_text, truncate_chars};

/// The parts of a Google error body an adapter maps.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoogleError {
    /// The HTTP status repeated in the body.
    pub code: Option<u16>,
    /// The canonical status (`PERMISSION_DENIED`, `NOT_FOUND` …).
    pub status: Option<String>,
    /// The first `errors[].reason` (`quotaExceeded`, `videoNotFound` …).
    pub reason: Option<String>,
    /// The first `errors[].domain` (`youtube.quota`, `usageLimits` …).
    pub domain: Option<String>,
    /// The message, redacted and truncated.
    pub message: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    errors: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    domain: Option<String>,
}

impl GoogleError {
    /// Reads a body; anything that is not Google's shape gives the empty value.
    pub fn parse(body: &[u8]) -> GoogleError {
        let Ok(env) = serde_json::from_slice::<Envelope>(body) else {
            return GoogleError::default();
        };
        let b = env.error;
        let first = b.errors.into_iter().next();
        GoogleError {
            code: b
                .code
                .and_then(|c| c.as_u64())
                .and_then(|c| u16::try_from(c).ok()),
            status: b.status.filter(|s| !s.is_empty()),
            reason: first
                .as_ref()
                .and_then(|i| i.reason.clone())
                .filter(|s| !s.is_empty()),
            domain: first.and_then(|i| i.domain).filter(|s| !s.is_empty()),
            message: b
                .message
                .filter(|m| !m.trim().is_empty())
                .map(|m| truncate_chars(&redact_text(&m), SNIPPET_CHARS)),
        }
    }
}
