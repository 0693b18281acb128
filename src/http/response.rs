//! [`Response`]: a platform's answer, fully read, with its rate-limit state and helpers.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use super::StatusCode;
use super::header::HeaderMap;
use super::operation::Operation;
use super::ratelimit::{RateLimit, RateLimitStyle};
use super::redact::snippet;
use crate::error::{Error, ErrorKind, Result};

/// A platform's answer: status, headers, the whole body, and the [`RateLimit`] parsed with the
/// call's [`RateLimitStyle`].
///
/// [`Client::send`](super::Client::send) returns it for a success; an
/// [`ErrorMapper`](super::ErrorMapper) gets it for anything else. Build one by hand to test a mapper:
///
/// ```
/// use socialkit::http::{Response, StatusCode, header::HeaderMap};
/// let r = Response::new("mastodon", "publish", StatusCode::OK, HeaderMap::new(), r#"{"id":"1"}"#);
/// #[derive(serde::Deserialize)]
/// struct Status { id: String }
/// assert_eq!(r.json::<Status>().unwrap().id, "1");
/// ```
#[derive(Clone)]
pub struct Response {
    platform: &'static str,
    operation: Operation,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    rate_limit: Option<RateLimit>,
    received_at: DateTime<Utc>,
    /// The call's secrets, scrubbed from [`Response::snippet`]: a platform can echo a token in
    /// a successful answer whose body then fails to decode, and the error quotes the body.
    secrets: super::call::Secrets,
}

impl Response {
    /// A response received now, without rate-limit state (see
    /// [`Response::with_rate_limit_style`]).
    ///
    /// ```
    /// use socialkit::http::{Response, StatusCode, header::HeaderMap};
    /// let r = Response::new("x", "publish", StatusCode::CREATED, HeaderMap::new(), "{}");
    /// assert!(r.is_success());
    /// ```
    pub fn new(
        platform: &'static str,
        operation: impl Into<Operation>,
        status: StatusCode,
        headers: HeaderMap,
        body: impl Into<Bytes>,
    ) -> Self {
        Response {
            platform,
            operation: operation.into(),
            status,
            headers,
            body: body.into(),
            rate_limit: None,
            received_at: Utc::now(),
            secrets: super::call::Secrets::default(),
        }
    }

    /// The answer to `call` received at `now`, its rate-limit headers read with the call's
    /// style (one clock reading for both).
    pub(crate) fn received(
        call: &super::call::Call,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        now: DateTime<Utc>,
    ) -> Self {
        let rate_limit = RateLimit::from_headers(&headers, call.style, now);
        Response {
            platform: call.platform,
            operation: call.operation,
            status,
            headers,
            body,
            rate_limit,
            received_at: now,
            secrets: super::call::Secrets::default(),
        }
    }

    /// Secrets to keep out of every error that quotes this response's body (the client sets
    /// the call's own secrets).
    pub(crate) fn with_secrets(mut self, secrets: super::call::Secrets) -> Self {
        self.secrets = secrets;
        self
    }

    /// Sets when the response was received and parses its rate-limit headers with `style`.
    ///
    /// ```
    /// use socialkit::http::{RateLimitStyle, Response, StatusCode, header::HeaderMap};
    /// let mut h = HeaderMap::new();
    /// h.insert("retry-after", "30".parse().unwrap());
    /// let now = chrono::Utc::now();
    /// let r = Response::new("x", "publish", StatusCode::TOO_MANY_REQUESTS, h, "")
    ///     .with_rate_limit_style(RateLimitStyle::X, now);
    /// assert_eq!(r.rate_limit().unwrap().retry_after, Some(now + chrono::Duration::seconds(30)));
    /// ```
    pub fn with_rate_limit_style(mut self, style: RateLimitStyle, now: DateTime<Utc>) -> Self {
        self.received_at = now;
        self.rate_limit = RateLimit::from_headers(&self.headers, style, now);
        self
    }

    /// The platform that answered.
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert_eq!(r.platform(), "x");
    /// ```
    pub fn platform(&self) -> &'static str {
        self.platform
    }

    /// The operation the call was for.
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert_eq!(r.operation(), "publish");
    /// ```
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The HTTP status.
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert_eq!(r.status(), StatusCode::OK);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Whether the status is 2xx.
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert!(r.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// All headers.
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert!(r.headers().is_empty());
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header as text (the first value; `None` when missing or not visible ASCII).
    ///
    /// ```
    /// use socialkit::http::{Response, StatusCode, header::HeaderMap};
    /// let mut h = HeaderMap::new();
    /// h.insert("x-restli-id", "urn:li:share:1".parse().unwrap());
    /// let r = Response::new("linkedin", "publish", StatusCode::CREATED, h, "");
    /// assert_eq!(r.header("X-RestLi-Id"), Some("urn:li:share:1"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The body.
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert_eq!(&r.body()[..], b"{\"a\":1}");
    /// ```
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The rate-limit state the platform reported, if any.
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert!(r.rate_limit().is_none());
    /// ```
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.rate_limit.as_ref()
    }

    /// When the response was received (by the client's clock).
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert!(r.received_at() <= chrono::Utc::now());
    /// ```
    pub fn received_at(&self) -> DateTime<Utc> {
        self.received_at
    }

    /// The body as UTF-8 text; invalid UTF-8 is an [`ErrorKind::Unexpected`] error.
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert_eq!(r.text().unwrap(), "{\"a\":1}");
    /// ```
    pub fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).map_err(|_| {
            self.error(
                ErrorKind::Unexpected,
                format!(
                    "{} answered {} with a body that is not UTF-8",
                    self.platform, self.operation
                ),
            )
        })
    }

    /// The body as text, invalid UTF-8 replaced by `U+FFFD`.
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert_eq!(r.text_lossy(), "{\"a\":1}");
    /// ```
    pub fn text_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body parsed as JSON. A malformed or unexpected body is an [`ErrorKind::Unexpected`]
    /// error naming the platform and the operation, with a redacted snippet of the body; it
    /// never panics, and the error never quotes values from the body beyond that snippet.
    ///
    /// ```
    /// use socialkit::http::{Response, StatusCode, header::HeaderMap};
    /// let r = Response::new("bluesky", "publish", StatusCode::OK, HeaderMap::new(), "<html>oops</html>");
    /// let err = r.json::<serde_json::Value>().unwrap_err();
    /// assert_eq!(err.kind(), socialkit::ErrorKind::Unexpected);
    /// assert!(err.to_string().contains("bluesky"));
    /// assert!(err.to_string().contains("publish"));
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        if self.body.is_empty() {
            return Err(self.error(
                ErrorKind::Unexpected,
                format!(
                    "{} answered {} with an empty body where JSON was expected",
                    self.platform, self.operation
                ),
            ));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            self.error(
                ErrorKind::Unexpected,
                format!(
                    "{} answered {} with malformed JSON ({})",
                    self.platform,
                    self.operation,
                    describe_json_error(&e)
                ),
            )
            .with_platform_message(self.snippet())
        })
    }

    /// The body as it may appear in an error: redacted and truncated (see
    /// [`redact::snippet`](super::redact::snippet)).
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert_eq!(r.snippet(), "{\"a\":1}");
    /// ```
    pub fn snippet(&self) -> String {
        if self.secrets.is_empty() {
            snippet(&self.body)
        } else {
            snippet(&super::redact::scrub(&self.body, self.secrets.as_slice()))
        }
    }

    /// When to retry, if the platform said: [`RateLimit::wait_until`].
    ///
    /// ```
    /// # use socialkit::http::{Response, StatusCode};
    /// # let r = Response::new("x", "publish", StatusCode::OK, Default::default(), "{\"a\":1}");
    /// assert_eq!(r.wait_until(), None);
    /// ```
    pub fn wait_until(&self) -> Option<DateTime<Utc>> {
        self.rate_limit.as_ref().and_then(RateLimit::wait_until)
    }

    /// An error about this response: kind and message, with platform, operation and HTTP status
    /// in the context. A [`ErrorKind::RateLimited`] error gets `retry_after` from the rate-limit
    /// state; any other retryable kind gets it when the platform sent `Retry-After` (a 503
    /// during maintenance). Adapters' [`ErrorMapper`](super::ErrorMapper)s start from this.
    ///
    /// ```
    /// use socialkit::ErrorKind;
    /// use socialkit::http::{Response, StatusCode, header::HeaderMap};
    /// let r = Response::new("linkedin", "publish", StatusCode::UNPROCESSABLE_ENTITY, HeaderMap::new(), "{}");
    /// let e = r.error(ErrorKind::Duplicate, "the post is a duplicate").with_platform_code("DUPLICATE_POST");
    /// assert_eq!(e.context().http_status, Some(422));
    /// assert_eq!(e.context().operation.as_deref(), Some("publish"));
    /// ```
    pub fn error(&self, kind: ErrorKind, message: impl Into<String>) -> Error {
        let mut err = Error::new(kind, message)
            .with_platform(self.platform)
            .with_operation(self.operation.as_str())
            .with_http_status(self.status.as_u16());
        let at = match kind {
            ErrorKind::RateLimited => self.wait_until(),
            _ if err.is_retryable() => self.rate_limit.as_ref().and_then(|r| r.retry_after),
            _ => None,
        };
        if let Some(at) = at {
            err = err.with_retry_after(at);
        }
        err
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values (Set-Cookie!) and the body are left out; the snippet is redacted.
        f.debug_struct("Response")
            .field("platform", &self.platform)
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("body_bytes", &self.body.len())
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

/// A short description of a serde_json error that quotes nothing from the input (serde_json's
/// own message can contain a string value, which could be a token).
pub(crate) fn describe_json_error(e: &serde_json::Error) -> String {
    let category = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "the data does not have the expected shape",
        serde_json::error::Category::Eof => "unexpected end of input",
    };
    if e.line() > 0 {
        format!("{category} at line {} column {}", e.line(), e.column())
    } else {
        category.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &'static str) -> Response {
        Response::new(
            "mastodon",
            "publish",
            StatusCode::from_u16(status).unwrap(),
            HeaderMap::new(),
            body,
        )
    }

    #[test]
    fn json_type_mismatch_does_not_quote_values() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            n: u64,
        }
        // serde_json would say `invalid type: string "SECRETVALUE"`; the message must not.
        let r = resp(200, r#"{"n":"SECRETVALUE"}"#);
        let err = r.json::<T>().unwrap_err();
        assert!(!err.message().contains("SECRETVALUE"), "{err}");
        assert!(err.message().contains("line 1"), "{err}");
        // The body itself appears only as a redacted snippet.
        let r = resp(
            200,
            r#"{"n":"x","accessJwt":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}"#,
        );
        let err = r.json::<T>().unwrap_err();
        assert!(!format!("{err} {err:?}").contains("eyJ"), "{err}");
    }

    #[test]
    fn json_snippet_is_redacted() {
        let r = resp(200, r#"{"access_token":"abcdef","#);
        let err = r.json::<serde_json::Value>().unwrap_err();
        assert!(!format!("{err:?}").contains("abcdef"));
    }

    #[test]
    fn empty_body_json_is_unexpected() {
        let err = resp(200, "").json::<serde_json::Value>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unexpected);
        assert!(err.to_string().contains("empty body"));
    }

    #[test]
    fn text_rejects_invalid_utf8() {
        let r = Response::new("p", "o", StatusCode::OK, HeaderMap::new(), vec![0xffu8]);
        assert_eq!(r.text().unwrap_err().kind(), ErrorKind::Unexpected);
        assert_eq!(r.text_lossy(), "\u{fffd}");
    }

    #[test]
    fn error_for_rate_limit_uses_wait_until() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", "0".parse().unwrap());
        h.insert("x-ratelimit-reset", "2030-01-01T00:00:00Z".parse().unwrap());
        let now = Utc::now();
        let r = Response::new("mastodon", "publish", StatusCode::TOO_MANY_REQUESTS, h, "")
            .with_rate_limit_style(RateLimitStyle::Mastodon, now);
        let e = r.error(ErrorKind::RateLimited, "slow down");
        assert_eq!(
            e.retry_after().unwrap().to_rfc3339(),
            "2030-01-01T00:00:00+00:00"
        );
        // A non-retryable kind gets no retry_after.
        assert_eq!(r.error(ErrorKind::Validation, "x").retry_after(), None);
    }

    #[test]
    fn debug_shows_no_headers_or_body() {
        let mut h = HeaderMap::new();
        h.insert("set-cookie", "session=COOKIESECRET".parse().unwrap());
        let r = Response::new("p", "o", StatusCode::OK, h, "BODYSECRET");
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("COOKIESECRET") && !dbg.contains("BODYSECRET"));
    }
}
