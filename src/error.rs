//! The one error type of socialkit.
//!
//! Every fallible call returns [`Error`]: an [`ErrorKind`] that tells a caller what to do
//! ("fix your content", "reconnect the account", "wait until T", "try again"), whether a retry
//! can help, when to retry, and the context of the failure (platform, channel, operation, HTTP
//! status, the platform's own error code and message).
//!
//! No error message, context value or `Debug` output ever contains a token, password or cookie:
//! the HTTP layer strips URLs and headers before it builds an error, and adapters only put
//! platform-provided messages into the context.
//!
//! ```
//! use socialkit::{Error, ErrorKind};
//!
//! let err = Error::new(ErrorKind::RateLimited, "too many requests")
//!     .with_platform("mastodon")
//!     .with_operation("publish")
//!     .with_http_status(429);
//! assert!(err.is_retryable());
//! assert_eq!(err.kind(), ErrorKind::RateLimited);
//! assert!(err.to_string().contains("mastodon"));
//! ```

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::PlatformId;

/// `Result` with socialkit's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, as a caller needs to know it to decide what to do next.
///
/// The kind is stable and matchable; the message is for people.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The content or the request is invalid for this platform: fix it and send again.
    /// Raised before any network call where socialkit can know (length, media, empty post).
    Validation,
    /// The credentials are missing, invalid, expired or revoked: the account must be reconnected.
    Unauthenticated,
    /// The credentials are valid but lack a permission or scope for this operation.
    PermissionDenied,
    /// The post, channel or interaction does not exist (or is no longer visible).
    NotFound,
    /// The platform asked to slow down; see [`Error::retry_after`] for when to try again.
    RateLimited,
    /// The platform refused the content as a duplicate of an earlier post.
    Duplicate,
    /// The platform (or this adapter) does not support the operation.
    Unsupported,
    /// The platform refused the content by policy (spam, community standards, media rejected).
    ContentRejected,
    /// The configuration (a channel URL, a serde config) is invalid.
    ConfigInvalid,
    /// The request did not reach the platform or its answer did not come back.
    Network,
    /// The request timed out. For a write, the outcome is unknown: reconcile before retrying.
    Timeout,
    /// The platform failed on its side (5xx, a transient error code).
    Platform,
    /// The platform answered with something socialkit cannot understand (malformed body).
    Unexpected,
    /// The operation conflicts with the current state (wrong workflow state, a record exists).
    Conflict,
    /// The store failed.
    Storage,
}

impl ErrorKind {
    /// Whether an error of this kind is, by default, worth retrying.
    ///
    /// ```
    /// use socialkit::ErrorKind;
    /// assert!(ErrorKind::RateLimited.is_retryable_by_default());
    /// assert!(!ErrorKind::Validation.is_retryable_by_default());
    /// ```
    pub fn is_retryable_by_default(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited | ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Platform
        )
    }

    /// A short, stable, lowercase name (`"rate_limited"`), the same as its serde form.
    ///
    /// ```
    /// assert_eq!(socialkit::ErrorKind::NotFound.as_str(), "not_found");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::NotFound => "not_found",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::ContentRejected => "content_rejected",
            ErrorKind::ConfigInvalid => "config_invalid",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Platform => "platform",
            ErrorKind::Unexpected => "unexpected",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Storage => "storage",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Structured facts about a validation failure, for apps that show them next to the input.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Detail {
    /// The text is longer than the platform allows.
    TooLong {
        /// The length as the platform counts it.
        count: usize,
        /// The platform's limit.
        limit: usize,
        /// What is counted (`"weighted characters"`, `"graphemes"`, `"UTF-8 bytes"` …).
        unit: String,
    },
    /// More items (media, hashtags, links, mentions) than allowed.
    TooMany {
        /// What is counted (`"media"`, `"hashtags"`, `"links"` …).
        what: String,
        /// How many the post has.
        count: usize,
        /// The platform's limit.
        limit: usize,
    },
    /// A media file over the size limit.
    MediaTooLarge {
        /// The file's size in bytes.
        bytes: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A media type the platform does not accept.
    MediaType {
        /// The MIME type given.
        mime: String,
        /// The MIME types the platform accepts.
        accepted: Vec<String>,
    },
}

/// The context of an error: where it happened and what the platform said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorContext {
    /// The platform (`mastodon`, `bluesky`, `sandbox` …; serialised as its name).
    pub platform: Option<PlatformId>,
    /// The channel (account) the call was made for.
    pub channel: Option<String>,
    /// The operation (`"publish"`, `"delete"`, `"interactions"` …).
    pub operation: Option<String>,
    /// The HTTP status of the platform's answer.
    pub http_status: Option<u16>,
    /// The platform's own error code (`"ExpiredToken"`, `"DUPLICATE_POST"`, `"190"` …).
    pub platform_code: Option<String>,
    /// The platform's own error message.
    pub platform_message: Option<String>,
}

/// The error of every socialkit operation.
///
/// Build one with [`Error::new`] and the `with_*` methods; read it with [`Error::kind`],
/// [`Error::is_retryable`], [`Error::retry_after`] and [`Error::context`].
///
/// ```
/// use socialkit::{Error, ErrorKind};
/// let e = Error::unsupported("sandbox", "edit");
/// assert_eq!(e.kind(), ErrorKind::Unsupported);
/// assert_eq!(e.to_string(), "unsupported: sandbox does not support edit (platform: sandbox, operation: edit)");
/// ```
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    retryable: bool,
    retry_after: Option<DateTime<Utc>>,
    context: ErrorContext,
    detail: Option<Detail>,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error of `kind` with a message for people. Retryable when the kind is by default.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                retryable: kind.is_retryable_by_default(),
                retry_after: None,
                context: ErrorContext::default(),
                detail: None,
                source: None,
            }),
        }
    }

    /// A [`ErrorKind::Validation`] error.
    pub fn validation(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Validation, message)
    }

    /// A [`ErrorKind::ConfigInvalid`] error.
    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::ConfigInvalid, message)
    }

    /// A [`ErrorKind::Unexpected`] error, for answers socialkit cannot understand.
    pub fn unexpected(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unexpected, message)
    }

    /// An [`ErrorKind::Unsupported`] error that names the platform and the operation.
    ///
    /// ```
    /// let e = socialkit::Error::unsupported("instagram", "delete");
    /// assert!(e.to_string().contains("instagram does not support delete"));
    /// ```
    pub fn unsupported(platform: impl AsRef<str>, operation: &str) -> Self {
        let platform = platform.as_ref();
        Error::new(
            ErrorKind::Unsupported,
            format!("{platform} does not support {operation}"),
        )
        .with_platform(platform)
        .with_operation(operation)
    }

    /// A [`ErrorKind::Validation`] error for a text over the limit, saying by how much.
    ///
    /// ```
    /// let e = socialkit::Error::too_long("x", 312, 280, "weighted characters");
    /// assert_eq!(
    ///     e.to_string(),
    ///     "validation: text is 312 weighted characters on x, the limit is 280 (32 over) (platform: x)"
    /// );
    /// ```
    pub fn too_long(platform: impl AsRef<str>, count: usize, limit: usize, unit: &str) -> Self {
        let platform = platform.as_ref();
        Error::validation(format!(
            "text is {count} {unit} on {platform}, the limit is {limit} ({} over)",
            count.saturating_sub(limit)
        ))
        .with_platform(platform)
        .with_detail(Detail::TooLong {
            count,
            limit,
            unit: unit.to_string(),
        })
    }

    /// Sets the platform in the context.
    pub fn with_platform(mut self, platform: impl Into<PlatformId>) -> Self {
        self.inner.context.platform = Some(platform.into());
        self
    }

    /// Sets the channel in the context.
    pub fn with_channel(mut self, channel: impl Into<String>) -> Self {
        self.inner.context.channel = Some(channel.into());
        self
    }

    /// Sets the operation in the context.
    pub fn with_operation(mut self, operation: impl Into<String>) -> Self {
        self.inner.context.operation = Some(operation.into());
        self
    }

    /// Sets the HTTP status in the context.
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.inner.context.http_status = Some(status);
        self
    }

    /// Sets the platform's own error code in the context.
    pub fn with_platform_code(mut self, code: impl Into<String>) -> Self {
        self.inner.context.platform_code = Some(code.into());
        self
    }

    /// Sets the platform's own error message in the context.
    pub fn with_platform_message(mut self, message: impl Into<String>) -> Self {
        self.inner.context.platform_message = Some(message.into());
        self
    }

    /// Marks the error as retryable or not, overriding the kind's default.
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.inner.retryable = retryable;
        self
    }

    /// Sets the instant before which a retry should not be made (and marks it retryable).
    pub fn with_retry_after(mut self, at: DateTime<Utc>) -> Self {
        self.inner.retry_after = Some(at);
        self.inner.retryable = true;
        self
    }

    /// Attaches structured validation facts.
    pub fn with_detail(mut self, detail: Detail) -> Self {
        self.inner.detail = Some(detail);
        self
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Arc::new(source));
        self
    }

    /// Fills in platform, channel and operation where they are not set yet.
    pub fn or_context(
        mut self,
        platform: impl AsRef<str>,
        channel: Option<&str>,
        operation: &str,
    ) -> Self {
        if self.inner.context.platform.is_none() {
            self.inner.context.platform = Some(PlatformId::named(platform.as_ref()));
        }
        if self.inner.context.channel.is_none() {
            self.inner.context.channel = channel.map(str::to_string);
        }
        if self.inner.context.operation.is_none() {
            self.inner.context.operation = Some(operation.to_string());
        }
        self
    }

    /// The same error for a thread that stopped after some of its parts went out: the message
    /// says which parts exist (`ids`, `verb` "published" or "sent") and what to do (`advice`);
    /// kind, retry status, `retry_after`, context and source stay as they were.
    ///
    /// ```
    /// use socialkit::{Error, ErrorKind};
    /// let e = Error::new(ErrorKind::Network, "connection reset").with_http_status(502);
    /// let e = e.after_thread_parts("published", &["1", "2"], "continue as a reply to the last one");
    /// assert_eq!(e.message(), "connection reset (after 2 part(s) of the thread were published: 1, 2; continue as a reply to the last one)");
    /// assert_eq!(e.context().http_status, Some(502));
    /// ```
    pub fn after_thread_parts(mut self, verb: &str, ids: &[&str], advice: &str) -> Self {
        self.inner.message = format!(
            "{} (after {} part(s) of the thread were {verb}: {}; {advice})",
            self.inner.message,
            ids.len(),
            ids.join(", ")
        );
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message for people (without the context).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Whether a retry of the same request can succeed.
    pub fn is_retryable(&self) -> bool {
        self.inner.retryable
    }

    /// The instant before which a retry should not be made, when the platform said.
    pub fn retry_after(&self) -> Option<DateTime<Utc>> {
        self.inner.retry_after
    }

    /// Where it happened and what the platform said.
    pub fn context(&self) -> &ErrorContext {
        &self.inner.context
    }

    /// Structured validation facts, where there are some.
    pub fn detail(&self) -> Option<&Detail> {
        self.inner.detail.as_ref()
    }

    /// A serializable record of this error (without the source), for stores and events.
    ///
    /// ```
    /// let e = socialkit::Error::too_long("bluesky", 301, 300, "graphemes");
    /// let r = e.to_record();
    /// assert_eq!(r.kind, socialkit::ErrorKind::Validation);
    /// let back = socialkit::Error::from(r);
    /// assert_eq!(back.to_string(), e.to_string());
    /// ```
    pub fn to_record(&self) -> ErrorRecord {
        ErrorRecord {
            kind: self.inner.kind,
            message: self.inner.message.clone(),
            retryable: self.inner.retryable,
            retry_after: self.inner.retry_after,
            context: self.inner.context.clone(),
            detail: self.inner.detail.clone(),
            source: self.inner.source.as_ref().map(|s| s.to_string()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.kind, self.inner.message)?;
        let c = &self.inner.context;
        let mut parts: Vec<String> = Vec::new();
        if let Some(p) = &c.platform {
            parts.push(format!("platform: {p}"));
        }
        if let Some(ch) = &c.channel {
            parts.push(format!("channel: {ch}"));
        }
        if let Some(op) = &c.operation {
            parts.push(format!("operation: {op}"));
        }
        if let Some(s) = c.http_status {
            parts.push(format!("status: {s}"));
        }
        if let Some(code) = &c.platform_code {
            parts.push(format!("code: {code}"));
        }
        if let Some(m) = &c.platform_message {
            if m != &self.inner.message {
                parts.push(format!("platform says: {m}"));
            }
        }
        if let Some(at) = self.inner.retry_after {
            parts.push(format!("retry after: {}", at.to_rfc3339()));
        }
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        if let Some(src) = &self.inner.source {
            write!(f, ": {src}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .field("retryable", &self.inner.retryable);
        if let Some(at) = &self.inner.retry_after {
            d.field("retry_after", at);
        }
        d.field("context", &self.inner.context);
        if let Some(detail) = &self.inner.detail {
            d.field("detail", detail);
        }
        if let Some(src) = &self.inner.source {
            d.field("source", &src.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// A serializable form of [`Error`]: what a store keeps for a failed delivery and what events
/// carry. The source is kept as its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorRecord {
    /// The kind.
    pub kind: ErrorKind,
    /// The message for people.
    pub message: String,
    /// Whether a retry can succeed.
    pub retryable: bool,
    /// When a retry may be made.
    pub retry_after: Option<DateTime<Utc>>,
    /// Where it happened and what the platform said.
    pub context: ErrorContext,
    /// Structured validation facts.
    pub detail: Option<Detail>,
    /// The message of the underlying cause.
    pub source: Option<String>,
}

/// The source of an error rebuilt from an [`ErrorRecord`]: only its message survives.
#[derive(Debug, Clone)]
struct RecordedSource(String);

impl fmt::Display for RecordedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RecordedSource {}

impl From<ErrorRecord> for Error {
    fn from(r: ErrorRecord) -> Self {
        Error {
            inner: Box::new(Inner {
                kind: r.kind,
                message: r.message,
                retryable: r.retryable,
                retry_after: r.retry_after,
                context: r.context,
                detail: r.detail,
                source: r.source.map(|s| {
                    Arc::new(RecordedSource(s)) as Arc<dyn std::error::Error + Send + Sync>
                }),
            }),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::unexpected("malformed JSON").with_source(e)
    }
}

impl From<url::ParseError> for Error {
    fn from(e: url::ParseError) -> Self {
        Error::config("invalid URL").with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_serde() {
        let json = serde_json::to_string(&ErrorKind::PermissionDenied).unwrap();
        assert_eq!(json, "\"permission_denied\"");
        let back: ErrorKind = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ErrorKind::PermissionDenied);
    }

    #[test]
    fn retry_after_makes_retryable() {
        let at = Utc::now();
        let e = Error::validation("x").with_retry_after(at);
        assert!(e.is_retryable());
        assert_eq!(e.retry_after(), Some(at));
    }

    #[test]
    fn too_long_says_by_how_much() {
        let e = Error::too_long("mastodon", 510, 500, "characters");
        assert!(e.to_string().contains("10 over"));
        assert_eq!(
            e.detail(),
            Some(&Detail::TooLong {
                count: 510,
                limit: 500,
                unit: "characters".into()
            })
        );
    }

    #[test]
    fn record_round_trip_keeps_everything_but_source_type() {
        let e = Error::new(ErrorKind::Platform, "boom")
            .with_platform("mastodon")
            .with_http_status(503)
            .with_source(std::io::Error::other("disk"));
        let r = e.to_record();
        let json = serde_json::to_string(&r).unwrap();
        let back: ErrorRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let e2 = Error::from(back);
        assert_eq!(e2.to_string(), e.to_string());
        assert!(e2.is_retryable());
    }

    #[test]
    fn or_context_keeps_existing_values() {
        let e = Error::validation("x").with_platform("x").or_context(
            "sandbox",
            Some("acme"),
            "publish",
        );
        assert_eq!(e.context().platform, Some(PlatformId::X));
        assert_eq!(e.context().channel.as_deref(), Some("acme"));
        assert_eq!(e.context().operation.as_deref(), Some("publish"));
    }

    #[test]
    fn the_context_platform_reads_and_writes_its_name() {
        // A context stored before the platform was typed reads back; the name is unchanged.
        let old = r#"{"platform":"mastodon","channel":"acme","operation":"publish","http_status":429,"platform_code":null,"platform_message":null}"#;
        let c: ErrorContext = serde_json::from_str(old).unwrap();
        assert_eq!(c.platform, Some(PlatformId::Mastodon));
        assert_eq!(serde_json::to_string(&c).unwrap(), old);
        let other: ErrorContext = serde_json::from_str(r#"{"platform":"myspace"}"#).unwrap();
        assert_eq!(other.platform, Some(PlatformId::Other("myspace".into())));
        assert!(
            serde_json::to_string(&other)
                .unwrap()
                .contains(r#""platform":"myspace""#)
        );
        let none: ErrorContext = serde_json::from_str(r#"{"platform":null}"#).unwrap();
        assert_eq!(none.platform, None);
    }
}
