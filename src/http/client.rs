//! [`Client`]: one reqwest client (rustls), timeouts, retries, rate limits, tracing.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tracing::Instrument as _;

use super::call::{Body, Call, Retry};
use super::header::{CONTENT_TYPE, Entry, HeaderMap};
use super::mapper::ErrorMapper;
use super::redact::LogUrl;
use super::response::Response;
use super::retry::{Decision, RetryPolicy, decide, full_jitter};
use super::sent::NotSent;
use super::{DEFAULT_USER_AGENT, serde_secs};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};

/// Timeouts, connection pool, User-Agent and retry policy of a [`Client`]. Serde form:
/// durations in seconds, every field optional.
///
/// ```
/// let cfg: socialkit::http::HttpConfig = serde_json::from_str(
///     r#"{"request_timeout": 60, "user_agent": "web:myapp:1.0 (by /u/me)", "retry": {"max_attempts": 4}}"#,
/// ).unwrap();
/// assert_eq!(cfg.request_timeout, std::time::Duration::from_secs(60));
/// assert_eq!(cfg.connect_timeout, std::time::Duration::from_secs(10));
/// assert_eq!(cfg.pool_idle_timeout, Some(std::time::Duration::from_secs(30)));
///
/// // A server that closes every connection after its answer: keep none for reuse.
/// let no_reuse: socialkit::http::HttpConfig =
///     serde_json::from_str(r#"{"pool_max_idle_per_host": 0}"#).unwrap();
/// assert_eq!(no_reuse.pool_max_idle_per_host, 0);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpConfig {
    /// How long to wait for a connection. Default 10 s.
    #[serde(with = "serde_secs::required")]
    pub connect_timeout: Duration,
    /// How long one attempt may take, reading the whole answer included. Default 30 s.
    /// [`Call::timeout`] overrides it per call.
    #[serde(with = "serde_secs::required")]
    pub request_timeout: Duration,
    /// How long an idle kept-alive connection stays in the pool for reuse; `None` keeps it
    /// until the server closes it. Default 30 s: shorter than the idle timeouts servers
    /// commonly use (nginx 75 s, most load balancers 60 s), so the pool lets a connection go
    /// before the server closes it under it — a request written to a connection the server has
    /// already closed is lost without an answer.
    #[serde(with = "serde_secs::optional")]
    pub pool_idle_timeout: Option<Duration>,
    /// Most idle connections kept per host. Default 16; 0 turns reuse off (for servers that
    /// close every connection after one answer without saying `Connection: close`).
    pub pool_max_idle_per_host: usize,
    /// The User-Agent; `None` sends [`DEFAULT_USER_AGENT`] (`socialkit/<version>`).
    pub user_agent: Option<String>,
    /// When and how to retry idempotent calls.
    pub retry: RetryPolicy,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            pool_idle_timeout: Some(Duration::from_secs(30)),
            pool_max_idle_per_host: 16,
            user_agent: None,
            retry: RetryPolicy::default(),
        }
    }
}

/// The HTTP client every adapter sends through. Cheap to clone (clones share one connection
/// pool).
///
/// ```
/// use socialkit::http::{Client, HttpConfig};
/// let mut cfg = HttpConfig::default();
/// cfg.user_agent = Some("web:socialkit-demo:0.1 (by /u/someone)".into());
/// let client = Client::new(cfg).unwrap();
/// let same_pool = client.clone();
/// # let _ = same_pool;
/// ```
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Arc<HttpConfig>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("clock", &self.clock)
            .finish()
    }
}

impl Default for Client {
    /// A client with [`HttpConfig::default`].
    ///
    /// # Panics
    ///
    /// Only if the TLS backend cannot be initialised at all (then no client can work);
    /// use [`Client::new`] to get that as an error instead.
    fn default() -> Self {
        Client::new(HttpConfig::default()).expect("the default HTTP client configuration is valid")
    }
}

impl Client {
    /// A client with `config`. Fails with [`ErrorKind::ConfigInvalid`] for an invalid
    /// User-Agent or when the TLS backend cannot be set up.
    ///
    /// ```
    /// let mut cfg = socialkit::http::HttpConfig::default();
    /// cfg.user_agent = Some("bad\nagent".into());
    /// let err = socialkit::http::Client::new(cfg).unwrap_err();
    /// assert_eq!(err.kind(), socialkit::ErrorKind::ConfigInvalid);
    /// ```
    pub fn new(config: HttpConfig) -> Result<Self> {
        let user_agent = config
            .user_agent
            .clone()
            .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string());
        let ua = reqwest::header::HeaderValue::from_str(&user_agent).map_err(|_| {
            Error::config("the User-Agent contains characters a header cannot hold")
        })?;
        let http = reqwest::Client::builder()
            .tls_backend_rustls()
            .user_agent(ua)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .build()
            .map_err(|e| {
                Error::config("the HTTP client could not be built").with_source(e.without_url())
            })?;
        Ok(Client {
            http,
            config: Arc::new(config),
            clock: Arc::new(SystemClock),
        })
    }

    /// Replaces the clock (for tests: [`ManualClock`](super::ManualClock) makes backoff instant and
    /// observable).
    ///
    /// ```
    /// use socialkit::http::{Client, ManualClock};
    /// let clock = ManualClock::new(chrono::Utc::now());
    /// let client = Client::default().with_clock(std::sync::Arc::new(clock.clone()));
    /// assert_eq!(client.now(), socialkit::http::Clock::now(&clock));
    /// ```
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The configuration.
    ///
    /// ```
    /// let client = socialkit::http::Client::default();
    /// assert_eq!(client.config().retry.max_attempts, 3);
    /// ```
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The client's clock.
    ///
    /// ```
    /// let client = socialkit::http::Client::default();
    /// let _now = client.clock().now();
    /// ```
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The current instant by the client's clock.
    ///
    /// ```
    /// let before = chrono::Utc::now();
    /// assert!(socialkit::http::Client::default().now() >= before);
    /// ```
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Sends `call`; returns the [`Response`] for a 2xx answer and `mapper`'s [`Error`] for any
    /// other, after the retries [`RetryPolicy`] allows for a [`Retry::Idempotent`] call.
    ///
    /// Errors always carry the call's platform, operation and (for answers) HTTP status.
    /// Transport failures are [`ErrorKind::Timeout`] or [`ErrorKind::Network`]; their source is
    /// stripped of the URL. A [`Retry::Never`] call is sent exactly once.
    ///
    /// ```no_run
    /// # async fn demo(client: socialkit::http::Client, token: socialkit::auth::Secret) -> socialkit::Result<()> {
    /// use socialkit::http::{Call, DefaultErrorMapper, RateLimitStyle};
    /// let url = url::Url::parse("https://bsky.social/xrpc/app.bsky.actor.getProfile?actor=alice.test")?;
    /// let profile: serde_json::Value = client
    ///     .send(Call::get("bluesky", "channel", url).bearer(&token).rate_limit_style(RateLimitStyle::Bluesky), &DefaultErrorMapper)
    ///     .await?
    ///     .json()?;
    /// # let _ = profile; Ok(()) }
    /// ```
    pub async fn send(&self, mut call: Call, mapper: &dyn ErrorMapper) -> Result<Response> {
        if let Some(err) = call.error.take() {
            return Err(err);
        }
        let span = tracing::info_span!(
            "http",
            platform = call.platform,
            operation = call.operation.as_str(),
            method = %call.method,
            url = %LogUrl(&call.url),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        if span.is_disabled() {
            // Nothing records the span: entering and leaving it on every poll of the call
            // would be work for no one.
            self.send_with_retries(call, mapper, &span).await
        } else {
            let inner = span.clone();
            self.send_with_retries(call, mapper, &inner)
                .instrument(span)
                .await
        }
    }

    /// The attempts of `call`; their status, number and duration are recorded on `span` (the
    /// call's own, never a span of the caller).
    async fn send_with_retries(
        &self,
        mut call: Call,
        mapper: &dyn ErrorMapper,
        span: &tracing::Span,
    ) -> Result<Response> {
        let policy = &self.config.retry;
        let started = self.clock.now();
        let mut attempt: u32 = 0;
        loop {
            attempt = attempt.saturating_add(1);
            span.record("attempt", attempt);
            let t0 = Instant::now();
            // The last attempt the call can get hands its headers and body to the request
            // instead of copying them (a write without an idempotency key has only one).
            let last = call.retry == Retry::Never || attempt >= policy.max_attempts;
            let outcome = self.attempt(&mut call, last).await;
            let duration_ms = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.record("duration_ms", duration_ms);
            let err = match outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    span.record("status", status);
                    if response.is_success() {
                        tracing::debug!(status, attempt, duration_ms, "http call succeeded");
                        return Ok(response);
                    }
                    let mut err = mapper.map(&response).or_context(
                        call.platform,
                        None,
                        call.operation.as_str(),
                    );
                    if err.context().http_status.is_none() {
                        err = err.with_http_status(status);
                    }
                    err
                }
                Err(err) => err,
            };
            let now = self.clock.now();
            let elapsed = (now - started).to_std().unwrap_or(Duration::ZERO);
            match decide(policy, call.retry, &err, attempt, elapsed, now, full_jitter) {
                Decision::GiveUp => {
                    tracing::debug!(
                        attempt,
                        duration_ms,
                        kind = err.kind().as_str(),
                        retryable = err.is_retryable(),
                        "http call failed"
                    );
                    return Err(err);
                }
                Decision::RetryAfter(delay) => {
                    tracing::info!(
                        attempt,
                        duration_ms,
                        kind = err.kind().as_str(),
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        "http call failed, retrying"
                    );
                    self.clock.sleep(delay).await;
                }
            }
        }
    }

    /// One attempt: the request, the whole answer, its rate-limit state. On the `last`
    /// attempt of an unsigned call, the headers and the body move into the request (the call
    /// keeps what errors name: platform, operation, method, URL, secrets).
    async fn attempt(&self, call: &mut Call, last: bool) -> Result<Response> {
        let request = if last && call.signer.is_none() {
            let headers = std::mem::take(&mut call.headers);
            let body = std::mem::replace(&mut call.body, Body::Empty);
            self.request(call, headers, body)?
        } else {
            let signed = call.for_attempt();
            let signed = signed.as_ref();
            self.request(signed, signed.headers.clone(), signed.body.clone())?
        };
        let call = &*call;
        let mut response = self
            .http
            .execute(request)
            .await
            .map_err(|e| transport_error(call, e))?;
        let status = response.status();
        // Taken, not cloned: the body is read next and the headers are not needed for it.
        let headers = std::mem::take(response.headers_mut());
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(call, e))?;
        let now = self.clock.now();
        let response = if call.secrets.is_empty() {
            Response::received(call, status, headers, body, now)
        } else if !status.is_success() {
            // Error bodies are scrubbed whole: adapters read them into error messages.
            let body = bytes::Bytes::from(super::redact::scrub(&body, call.secrets.as_slice()));
            Response::received(call, status, headers, body, now)
        } else {
            // A success body stays as sent (a refresh answer may legitimately repeat the
            // refresh token); only what an error quotes from it is scrubbed.
            Response::received(call, status, headers, body, now).with_secrets(call.secrets.clone())
        };
        Ok(response)
    }

    /// The request of one attempt of `call`, with `headers` and `body` (the call's own, moved
    /// or copied).
    fn request(&self, call: &Call, mut headers: HeaderMap, body: Body) -> Result<reqwest::Request> {
        // reqwest's builder moves credentials in the URL (`user:password@host`) into an
        // Authorization header and out of the URL, refuses a URL without a host, and sets a
        // multipart body's boundary and length: such calls go through it. Every other request
        // is put together here, which spares a copy of the header map.
        let userinfo = !call.url.username().is_empty() || call.url.password().is_some();
        if userinfo || !call.url.has_host() || matches!(body, Body::Multipart(_)) {
            return self.built(call, headers, body);
        }
        let mut request = reqwest::Request::new(call.method.clone(), call.url.clone());
        *request.timeout_mut() = call.timeout;
        if let Body::Bytes { content_type, data } = body {
            if let Some(ct) = content_type {
                if let Entry::Vacant(slot) = headers.entry(CONTENT_TYPE) {
                    slot.insert(ct);
                }
            }
            *request.body_mut() = Some(reqwest::Body::from(data));
        }
        *request.headers_mut() = headers;
        Ok(request)
    }

    /// [`Client::request`] through reqwest's request builder.
    fn built(&self, call: &Call, headers: HeaderMap, body: Body) -> Result<reqwest::Request> {
        let has_content_type = headers.contains_key(CONTENT_TYPE);
        let mut builder = self
            .http
            .request(call.method.clone(), call.url.clone())
            .headers(headers);
        if let Some(timeout) = call.timeout {
            builder = builder.timeout(timeout);
        }
        builder = match body {
            Body::Empty => builder,
            Body::Bytes { content_type, data } => {
                if let (Some(ct), false) = (content_type, has_content_type) {
                    builder = builder.header(CONTENT_TYPE, ct);
                }
                builder.body(data)
            }
            Body::Multipart(m) => builder.multipart(
                m.to_form()
                    .map_err(|e| e.or_context(call.platform, None, call.operation.as_str()))?,
            ),
        };
        builder.build().map_err(|e| transport_error(call, e))
    }
}

/// A typed error for a failure below HTTP (connect, TLS, timeout, broken body). The source is
/// reqwest's error without its URL, so no query token can reach a message.
fn transport_error(call: &Call, e: reqwest::Error) -> Error {
    let platform = call.platform;
    let host = call.url.host_str().unwrap_or("the server").to_string();
    let write = call.retry == Retry::Never && call.method != reqwest::Method::GET;
    if e.is_connect() {
        // The connection could not be made: no byte of the request left, so the server cannot
        // have acted on it (not in doubt; see `sent`).
        let (kind, m) = if e.is_timeout() {
            (
                ErrorKind::Timeout,
                format!("could not connect to {host} in time; nothing was sent"),
            )
        } else {
            (
                ErrorKind::Network,
                format!("could not connect to {host}; nothing was sent"),
            )
        };
        return Error::new(kind, m)
            .with_source(NotSent(e.without_url()))
            .or_context(platform, None, call.operation.as_str());
    }
    let err = if e.is_timeout() {
        let mut m = format!("{platform} did not answer in time ({host})");
        if write {
            m.push_str("; the outcome of this write is unknown: reconcile before retrying");
        }
        Error::new(ErrorKind::Timeout, m)
    } else if e.is_builder() {
        Error::new(
            ErrorKind::ConfigInvalid,
            format!("the request to {host} could not be built"),
        )
    } else if e.is_redirect() {
        Error::new(
            ErrorKind::Unexpected,
            format!("{host} redirected too often"),
        )
        .with_retryable(false)
    } else if e.is_body() || e.is_decode() {
        Error::new(
            ErrorKind::Network,
            format!("the answer from {host} broke off"),
        )
    } else {
        Error::new(ErrorKind::Network, format!("the request to {host} failed"))
    };
    err.with_source(e.without_url())
        .or_context(platform, None, call.operation.as_str())
}

#[cfg(test)]
mod tests {
    use super::super::redact::{replace_all, scrub};
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn scrub_replaces_raw_and_encoded_values() {
        let body = b"token a+b/c= and a%2Bb%2Fc%3D and a+b/c=";
        let out = scrub(body, &[Secret::new("a+b/c=")]);
        assert_eq!(&out[..], b"token *** and *** and ***");
        assert_eq!(replace_all(b"ab", b"abc", b"*"), b"ab");
        assert_eq!(replace_all(b"", b"x", b"*"), b"");
    }

    /// Found by the adapter fuzz targets: a 2xx answer whose body echoes the token and then
    /// fails to decode must not quote the token in the error.
    #[test]
    fn a_success_body_that_fails_to_decode_does_not_quote_the_token() {
        let token = "sk-very-secret-token-123";
        let r = Response::new(
            "x",
            "publish",
            crate::http::StatusCode::OK,
            Default::default(),
            format!("{{\"echo\": \"{token}\", broken"),
        )
        .with_secrets(vec![Secret::new(token)].into());
        let err = r.json::<serde_json::Value>().unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(token), "{shown}");
        assert!(r.snippet().contains("***"), "{}", r.snippet());
    }
}
