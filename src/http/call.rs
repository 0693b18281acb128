//! [`Call`]: the description of one request, as an adapter builds it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use url::Url;

use super::Method;
use super::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use super::operation::Operation;
use super::ratelimit::RateLimitStyle;
use super::redact::{is_secret_param, redact_url};
use super::response::describe_json_error;
use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;

/// Whether the HTTP layer may send a call more than once.
///
/// ```
/// use socialkit::http::{Call, Retry};
/// let url = url::Url::parse("https://example.com/x").unwrap();
/// assert_eq!(Call::get("p", "read", url.clone()).retry_mode(), Retry::Idempotent);
/// assert_eq!(Call::post("p", "publish", url).retry_mode(), Retry::Never);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Retry {
    /// Send once. For writes without an idempotency key the platform honours: a second send
    /// could publish twice. A timeout returns [`ErrorKind::Timeout`] and the caller reconciles.
    Never,
    /// May be sent again on a retryable failure: reads, and writes that carry an idempotency
    /// key the platform honours (Mastodon's `Idempotency-Key`, Discord's `nonce` with
    /// `enforce_nonce`).
    Idempotent,
}

/// One part of a [`Multipart`] body. The data is kept as [`Bytes`], so the body can be rebuilt
/// for every attempt without copying.
///
/// ```
/// use socialkit::http::Part;
/// let p = Part::bytes("file", vec![1u8, 2, 3]).file_name("a.png").mime("image/png");
/// assert_eq!(p.len(), 3);
/// ```
#[derive(Clone)]
pub struct Part {
    name: String,
    data: Bytes,
    file_name: Option<String>,
    mime: Option<String>,
}

impl Part {
    /// A text field.
    ///
    /// ```
    /// let p = socialkit::http::Part::text("description", "A cat");
    /// assert_eq!(p.len(), 5);
    /// ```
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Part {
            name: name.into(),
            data: Bytes::from(value.into()),
            file_name: None,
            mime: None,
        }
    }

    /// A binary field (a file's content).
    ///
    /// ```
    /// let p = socialkit::http::Part::bytes("file", vec![0u8; 4]);
    /// assert!(!p.is_empty());
    /// ```
    pub fn bytes(name: impl Into<String>, data: impl Into<Bytes>) -> Self {
        Part {
            name: name.into(),
            data: data.into(),
            file_name: None,
            mime: None,
        }
    }

    /// Sets the file name sent in the part's `Content-Disposition`.
    ///
    /// ```
    /// let p = socialkit::http::Part::bytes("file", vec![1u8]).file_name("cat.jpg");
    /// # let _ = p;
    /// ```
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// Sets the part's MIME type (`image/png`). An invalid MIME type fails the call at send time
    /// with [`ErrorKind::Validation`].
    ///
    /// ```
    /// let p = socialkit::http::Part::bytes("file", vec![1u8]).mime("image/jpeg");
    /// # let _ = p;
    /// ```
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = Some(mime.into());
        self
    }

    /// The size of the data in bytes.
    ///
    /// ```
    /// assert_eq!(socialkit::http::Part::bytes("f", vec![1u8, 2]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the data is empty.
    ///
    /// ```
    /// assert!(socialkit::http::Part::bytes("f", Vec::<u8>::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn to_reqwest(&self) -> Result<reqwest::multipart::Part> {
        let len = self.data.len() as u64;
        let mut part = reqwest::multipart::Part::stream_with_length(
            reqwest::Body::from(self.data.clone()),
            len,
        );
        if let Some(f) = &self.file_name {
            part = part.file_name(f.clone());
        }
        if let Some(m) = &self.mime {
            part = part.mime_str(m).map_err(|_| {
                Error::validation(format!(
                    "invalid MIME type {m:?} for multipart part {:?}",
                    self.name
                ))
            })?;
        }
        Ok(part)
    }
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part")
            .field("name", &self.name)
            .field("bytes", &self.data.len())
            .field("file_name", &self.file_name)
            .field("mime", &self.mime)
            .finish()
    }
}

/// A `multipart/form-data` body described by its parts. Unlike `reqwest::multipart::Form` it is
/// `Clone` (the data is shared [`Bytes`]), so an idempotent upload can be retried.
///
/// ```
/// use socialkit::http::{Multipart, Part};
/// let body = Multipart::new()
///     .text("description", "A cat")
///     .part(Part::bytes("file", vec![0u8; 10]).file_name("cat.jpg").mime("image/jpeg"));
/// assert_eq!(body.parts().len(), 2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Multipart {
    parts: Vec<Part>,
}

impl Multipart {
    /// An empty body.
    ///
    /// ```
    /// assert!(socialkit::http::Multipart::new().parts().is_empty());
    /// ```
    pub fn new() -> Self {
        Multipart::default()
    }

    /// Adds a text field.
    ///
    /// ```
    /// let m = socialkit::http::Multipart::new().text("payload_json", "{}");
    /// assert_eq!(m.parts().len(), 1);
    /// ```
    pub fn text(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.part(Part::text(name, value))
    }

    /// Adds a part.
    ///
    /// ```
    /// use socialkit::http::{Multipart, Part};
    /// let m = Multipart::new().part(Part::bytes("files[0]", vec![1u8]).file_name("a.png"));
    /// assert_eq!(m.parts().len(), 1);
    /// ```
    pub fn part(mut self, part: Part) -> Self {
        self.parts.push(part);
        self
    }

    /// The parts, in order.
    ///
    /// ```
    /// let m = socialkit::http::Multipart::new().text("a", "1").text("b", "2");
    /// assert_eq!(m.parts().len(), 2);
    /// ```
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    pub(crate) fn to_form(&self) -> Result<reqwest::multipart::Form> {
        let mut form = reqwest::multipart::Form::new();
        for p in &self.parts {
            form = form.part(p.name.clone(), p.to_reqwest()?);
        }
        Ok(form)
    }
}

#[derive(Clone)]
pub(crate) enum Body {
    Empty,
    Bytes {
        content_type: Option<HeaderValue>,
        data: Bytes,
    },
    Multipart(Multipart),
}

/// The description of one HTTP request: who sends it (platform, operation), what it is
/// (method, URL, headers, body), whether it may be retried ([`Retry`]) and which rate-limit
/// header family to read from the answer ([`RateLimitStyle`]).
///
/// `GET`, `HEAD` and `OPTIONS` calls start as [`Retry::Idempotent`], every other method as
/// [`Retry::Never`]; change it with [`Call::retry`] or [`Call::idempotency_key`].
///
/// Builder methods never panic: a problem (an invalid header value, a value that fails to
/// serialize) is kept and returned by [`Client::send`](super::Client::send) before anything is
/// sent. `Debug` shows no header values and no query secrets.
///
/// ```
/// use socialkit::auth::Secret;
/// use socialkit::http::{Call, RateLimitStyle, Retry};
///
/// let token = Secret::new("t0ken");
/// let url = url::Url::parse("https://mastodon.example/api/v1/statuses").unwrap();
/// let call = Call::post("mastodon", "publish", url)
///     .bearer(&token)
///     .idempotency_key("Idempotency-Key", "post-42-attempt-1")
///     .form([("status", "Hello"), ("visibility", "public")])
///     .rate_limit_style(RateLimitStyle::Mastodon);
/// assert_eq!(call.retry_mode(), Retry::Idempotent);
/// assert!(!format!("{call:?}").contains("t0ken"));
/// ```
#[derive(Clone)]
pub struct Call {
    pub(crate) platform: &'static str,
    pub(crate) operation: Operation,
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
    pub(crate) retry: Retry,
    pub(crate) style: RateLimitStyle,
    pub(crate) timeout: Option<Duration>,
    pub(crate) error: Option<Error>,
    /// Secret values this call carries, scrubbed from error bodies before mapping.
    pub(crate) secrets: Secrets,
    /// Signs each attempt afresh (see [`Call::sign_each_attempt`]).
    pub(crate) signer: Option<Arc<dyn Sign>>,
}

/// The secret values a [`Call`] carries, shared: a call is cloned for every attempt and every
/// token it is tried with, and its response keeps them (see [`Response::snippet`]); none of
/// that copies the values. Empty needs no allocation.
///
/// [`Response::snippet`]: super::Response::snippet
#[derive(Clone, Default)]
pub(crate) struct Secrets(Option<Arc<Vec<Secret>>>);

impl Secrets {
    /// The values, in the order they were remembered.
    pub(crate) fn as_slice(&self) -> &[Secret] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, Secret> {
        self.as_slice().iter()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    fn push(&mut self, secret: Secret) {
        Arc::make_mut(self.0.get_or_insert_with(Default::default)).push(secret);
    }
}

impl From<Vec<Secret>> for Secrets {
    fn from(secrets: Vec<Secret>) -> Self {
        Secrets((!secrets.is_empty()).then(|| Arc::new(secrets)))
    }
}

/// Signs one attempt of a [`Call`]: request signatures that carry a nonce and a timestamp
/// (OAuth 1.0a) must be made anew for every attempt, so a retry is never a replay.
///
/// ```
/// use socialkit::http::{Call, Sign};
/// #[derive(Debug)]
/// struct Stamp;
/// impl Sign for Stamp {
///     fn sign(&self, call: Call) -> Call {
///         call.header("x-signed", "yes")
///     }
/// }
/// let url = url::Url::parse("https://example.com/a").unwrap();
/// let call = Call::get("demo", "read", url).sign_each_attempt(std::sync::Arc::new(Stamp));
/// assert!(call.headers().get("x-signed").is_none()); // added when each attempt is sent
/// ```
pub trait Sign: Send + Sync + fmt::Debug {
    /// The call to send for this attempt (typically `call` with an `Authorization` header).
    fn sign(&self, call: Call) -> Call;
}

impl Call {
    /// A call with no body. `platform` and `operation` name it in errors, spans and logs.
    ///
    /// ```
    /// use socialkit::http::{Call, Method, Retry};
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = Call::new("linkedin", "delete", Method::DELETE, url);
    /// assert_eq!(call.retry_mode(), Retry::Never);
    /// ```
    pub fn new(
        platform: &'static str,
        operation: impl Into<Operation>,
        method: Method,
        url: Url,
    ) -> Self {
        let operation = operation.into();
        let retry = if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) {
            Retry::Idempotent
        } else {
            Retry::Never
        };
        let mut call = Call {
            platform,
            operation,
            method,
            url,
            headers: HeaderMap::new(),
            body: Body::Empty,
            retry,
            style: RateLimitStyle::Generic,
            timeout: None,
            error: None,
            secrets: Secrets::default(),
            signer: None,
        };
        // Most URLs carry no query: nothing to look through then.
        if call.url.query().is_some() {
            let pairs: Vec<(String, String)> = call.url.query_pairs().into_owned().collect();
            call.remember_secret_params(&pairs);
        }
        if let Some(password) = call.url.password() {
            let password = password.to_string();
            call.remember(&password);
        }
        call
    }

    fn remember(&mut self, value: &str) {
        // Very short values would scrub ordinary words from error bodies.
        if value.len() >= 4 && !self.secrets.iter().any(|s| s.expose() == value) {
            self.secrets.push(Secret::new(value));
        }
    }

    fn remember_secret_params<K: AsRef<str>, V: AsRef<str>>(&mut self, pairs: &[(K, V)]) {
        for (k, v) in pairs {
            if is_secret_param(k.as_ref()) {
                self.remember(v.as_ref());
            }
        }
    }

    /// Signs every attempt of this call with `signer` just before it is sent, so each retry
    /// carries a fresh signature (a new nonce and timestamp) instead of replaying the first.
    ///
    /// ```
    /// use socialkit::auth::oauth1::OAuth1Signer;
    /// use socialkit::http::Call;
    /// let url = url::Url::parse("https://api.x.com/2/users/me").unwrap();
    /// let signer = OAuth1Signer::consumer("ck", "cs");
    /// let call = Call::get("x", "channel", url).sign_each_attempt(std::sync::Arc::new(signer));
    /// assert!(format!("{call:?}").contains("signed per attempt"));
    /// ```
    pub fn sign_each_attempt(mut self, signer: Arc<dyn Sign>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// The call as this attempt sends it: signed afresh when [`Call::sign_each_attempt`] set
    /// a signer.
    pub(crate) fn for_attempt(&self) -> std::borrow::Cow<'_, Call> {
        match &self.signer {
            Some(signer) => {
                let mut unsigned = self.clone();
                unsigned.signer = None;
                std::borrow::Cow::Owned(signer.sign(unsigned))
            }
            None => std::borrow::Cow::Borrowed(self),
        }
    }

    /// Declares a secret this call carries somewhere the HTTP layer cannot see (a password in a
    /// JSON body, a token in a URL path): its exact value is replaced by `***` in error bodies
    /// before the [`ErrorMapper`](super::ErrorMapper) reads them. Credentials set with
    /// [`Call::bearer`], [`Call::authorization`], [`Call::basic_auth`],
    /// [`Call::sensitive_header`], and secret-named query or form parameters
    /// (see [`is_secret_param`]) are remembered automatically.
    ///
    /// ```
    /// use socialkit::auth::Secret;
    /// let url = url::Url::parse("https://bsky.social/xrpc/com.atproto.server.createSession").unwrap();
    /// let password = Secret::new("app-pass-word");
    /// let call = socialkit::http::Call::post("bluesky", "login", url)
    ///     .json(&serde_json::json!({"identifier": "me.test", "password": password.expose()}))
    ///     .redact(&password);
    /// # let _ = call;
    /// ```
    pub fn redact(mut self, secret: &Secret) -> Self {
        self.remember(secret.expose());
        self
    }

    /// A `GET` call ([`Retry::Idempotent`]).
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::get("x", "metrics", url);
    /// assert_eq!(call.method(), socialkit::http::Method::GET);
    /// ```
    pub fn get(platform: &'static str, operation: impl Into<Operation>, url: Url) -> Self {
        Call::new(platform, operation, Method::GET, url)
    }

    /// A `POST` call ([`Retry::Never`] until said otherwise).
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::post("x", "publish", url);
    /// assert_eq!(call.method(), socialkit::http::Method::POST);
    /// ```
    pub fn post(platform: &'static str, operation: impl Into<Operation>, url: Url) -> Self {
        Call::new(platform, operation, Method::POST, url)
    }

    /// A `PUT` call ([`Retry::Never`] until said otherwise).
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::put("linkedin", "upload_media", url);
    /// assert_eq!(call.method(), socialkit::http::Method::PUT);
    /// ```
    pub fn put(platform: &'static str, operation: impl Into<Operation>, url: Url) -> Self {
        Call::new(platform, operation, Method::PUT, url)
    }

    /// A `PATCH` call ([`Retry::Never`] until said otherwise).
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::patch("discord", "edit", url);
    /// assert_eq!(call.method(), socialkit::http::Method::PATCH);
    /// ```
    pub fn patch(platform: &'static str, operation: impl Into<Operation>, url: Url) -> Self {
        Call::new(platform, operation, Method::PATCH, url)
    }

    /// A `DELETE` call ([`Retry::Never`] until said otherwise: a repeated delete may answer
    /// 404 for a post the first attempt deleted; opt in where the adapter handles that).
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::delete("mastodon", "delete", url);
    /// assert_eq!(call.retry_mode(), socialkit::http::Retry::Never);
    /// ```
    pub fn delete(platform: &'static str, operation: impl Into<Operation>, url: Url) -> Self {
        Call::new(platform, operation, Method::DELETE, url)
    }

    fn fail(mut self, err: Error) -> Self {
        if self.error.is_none() {
            self.error = Some(err.or_context(self.platform, None, self.operation.as_str()));
        }
        self
    }

    /// Adds a header (appending to earlier values of the same name). The value is never shown
    /// in errors; mark credentials with [`Call::sensitive_header`] so `Debug` output of the
    /// underlying request hides them too.
    ///
    /// ```
    /// let url = url::Url::parse("https://api.linkedin.com/rest/posts").unwrap();
    /// let call = socialkit::http::Call::post("linkedin", "publish", url)
    ///     .header("LinkedIn-Version", "202601")
    ///     .header("X-Restli-Protocol-Version", "2.0.0");
    /// assert_eq!(call.headers().len(), 2);
    /// ```
    pub fn header(self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.insert_header(name.as_ref(), value.as_ref(), false)
    }

    /// Adds a header whose value is a credential: marked sensitive, never printed.
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let key = socialkit::auth::Secret::new("k3y");
    /// let call = socialkit::http::Call::get("p", "o", url).sensitive_header("X-Api-Key", &key);
    /// assert!(call.headers()["x-api-key"].is_sensitive());
    /// ```
    pub fn sensitive_header(mut self, name: impl AsRef<str>, value: &Secret) -> Self {
        self.remember(value.expose());
        self.insert_header(name.as_ref(), value.expose(), true)
    }

    fn insert_header(mut self, name: &str, value: &str, sensitive: bool) -> Self {
        let Ok(header_name) = HeaderName::from_bytes(name.as_bytes()) else {
            return self.fail(Error::new(
                ErrorKind::ConfigInvalid,
                format!("invalid header name {name:?}"),
            ));
        };
        let Ok(mut header_value) = HeaderValue::from_str(value) else {
            // Never echo the value: it may be a credential.
            return self.fail(Error::new(
                ErrorKind::ConfigInvalid,
                format!("invalid value for header {name} (control characters or non-ASCII)"),
            ));
        };
        header_value.set_sensitive(sensitive || header_name == AUTHORIZATION);
        self.headers.append(header_name, header_value);
        self
    }

    /// `Authorization: Bearer <token>`.
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::get("p", "o", url).bearer(&socialkit::auth::Secret::new("t"));
    /// assert_eq!(call.headers()["authorization"], "Bearer t");
    /// ```
    pub fn bearer(self, token: &Secret) -> Self {
        self.authorization("Bearer", token)
    }

    /// `Authorization: <scheme> <credential>` (Discord bots: `Bot`; Bluesky OAuth: `DPoP`).
    /// Replaces an earlier `Authorization` header.
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let bot = socialkit::auth::Secret::new("t");
    /// let call = socialkit::http::Call::get("discord", "channel", url).authorization("Bot", &bot);
    /// assert_eq!(call.headers()["authorization"], "Bot t");
    /// ```
    pub fn authorization(mut self, scheme: &str, credential: &Secret) -> Self {
        self.headers.remove(AUTHORIZATION);
        self.remember(credential.expose());
        let credential = credential.expose();
        // Checked before the value is put together, so a refused value never sits in an
        // unzeroized buffer; the checked value then moves into the header without a copy.
        let valid = |b: u8| (b >= 0x20 && b != 0x7f) || b == b'\t';
        if !scheme.bytes().chain(credential.bytes()).all(valid) {
            return self.fail(Error::new(
                ErrorKind::ConfigInvalid,
                "invalid value for header authorization (control characters or non-ASCII)",
            ));
        }
        let mut value = String::with_capacity(scheme.len() + 1 + credential.len());
        value.push_str(scheme);
        value.push(' ');
        value.push_str(credential);
        match HeaderValue::try_from(value) {
            Ok(mut header_value) => {
                header_value.set_sensitive(true);
                self.headers.insert(AUTHORIZATION, header_value);
                self
            }
            Err(_) => self.fail(Error::new(
                ErrorKind::ConfigInvalid,
                "invalid value for header authorization (control characters or non-ASCII)",
            )),
        }
    }

    /// `Authorization: Basic base64(user:password)`.
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::post("reddit", "token", url)
    ///     .basic_auth("id", Some(&socialkit::auth::Secret::new("pw")));
    /// assert_eq!(call.headers()["authorization"], "Basic aWQ6cHc=");
    /// ```
    pub fn basic_auth(mut self, user: &str, password: Option<&Secret>) -> Self {
        use base64::Engine as _;
        if let Some(p) = password {
            self = self.redact(p);
        }
        let raw = format!(
            "{user}:{}",
            password.map(Secret::expose).unwrap_or_default()
        );
        let encoded = Secret::new(base64::engine::general_purpose::STANDARD.encode(raw));
        self.authorization("Basic", &encoded)
    }

    /// Overrides the client's User-Agent for this call (Reddit wants its own).
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::get("reddit", "channel", url).user_agent("web:myapp:1.0 (by /u/me)");
    /// assert_eq!(call.headers()["user-agent"], "web:myapp:1.0 (by /u/me)");
    /// ```
    pub fn user_agent(mut self, user_agent: &str) -> Self {
        self.headers.remove(USER_AGENT);
        self.header(USER_AGENT.as_str(), user_agent)
    }

    /// Appends query parameters to the URL.
    ///
    /// ```
    /// let url = url::Url::parse("https://bsky.social/xrpc/app.bsky.feed.getPosts").unwrap();
    /// let call = socialkit::http::Call::get("bluesky", "metrics", url)
    ///     .query([("uris", "at://a"), ("uris", "at://b")]);
    /// assert_eq!(call.url().query(), Some("uris=at%3A%2F%2Fa&uris=at%3A%2F%2Fb"));
    /// ```
    pub fn query<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let pairs: Vec<(K, V)> = pairs.into_iter().collect();
        self.remember_secret_params(&pairs);
        self.url.query_pairs_mut().extend_pairs(pairs);
        self
    }

    /// A JSON body (`Content-Type: application/json`), serialized now.
    ///
    /// ```
    /// let url = url::Url::parse("https://api.x.com/2/tweets").unwrap();
    /// let call = socialkit::http::Call::post("x", "publish", url)
    ///     .json(&serde_json::json!({"text": "hello"}));
    /// # let _ = call;
    /// ```
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(data) => {
                self.body = Body::Bytes {
                    content_type: Some(HeaderValue::from_static("application/json")),
                    data: Bytes::from(data),
                };
                self
            }
            Err(e) => self.fail(Error::validation(format!(
                "the request body could not be serialized as JSON: {}",
                describe_json_error(&e)
            ))),
        }
    }

    /// A form body (`application/x-www-form-urlencoded`).
    ///
    /// ```
    /// let url = url::Url::parse("https://oauth.reddit.com/api/submit").unwrap();
    /// let call = socialkit::http::Call::post("reddit", "publish", url)
    ///     .form([("sr", "rust"), ("kind", "self"), ("title", "Hi & bye")]);
    /// # let _ = call;
    /// ```
    pub fn form<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let pairs: Vec<(K, V)> = pairs.into_iter().collect();
        self.remember_secret_params(&pairs);
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.body = Body::Bytes {
            content_type: Some(HeaderValue::from_static(
                "application/x-www-form-urlencoded",
            )),
            data: Bytes::from(encoded),
        };
        self
    }

    /// A raw body with its content type (Bluesky `uploadBlob`, LinkedIn upload `PUT`s).
    ///
    /// ```
    /// let url = url::Url::parse("https://bsky.social/xrpc/com.atproto.repo.uploadBlob").unwrap();
    /// let call = socialkit::http::Call::post("bluesky", "upload_media", url)
    ///     .bytes("image/png", vec![0x89, b'P', b'N', b'G']);
    /// # let _ = call;
    /// ```
    pub fn bytes(mut self, content_type: &str, data: impl Into<Bytes>) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(ct) => {
                self.body = Body::Bytes {
                    content_type: Some(ct),
                    data: data.into(),
                };
                self
            }
            Err(_) => self.fail(Error::validation(format!(
                "invalid content type {content_type:?}"
            ))),
        }
    }

    /// A `multipart/form-data` body.
    ///
    /// ```
    /// use socialkit::http::{Call, Multipart, Part};
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = Call::post("discord", "publish", url).multipart(
    ///     Multipart::new().text("payload_json", "{}").part(Part::bytes("files[0]", vec![1u8]).file_name("a.png")),
    /// );
    /// assert!(call.body_bytes().is_none());
    /// ```
    pub fn multipart(mut self, body: Multipart) -> Self {
        self.body = Body::Multipart(body);
        self
    }

    /// Sets whether the call may be retried.
    ///
    /// ```
    /// use socialkit::http::{Call, Retry};
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// // Telegram reads are POSTs too.
    /// let call = Call::post("telegram", "channel", url).retry(Retry::Idempotent);
    /// assert_eq!(call.retry_mode(), Retry::Idempotent);
    /// ```
    pub fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// Sends an idempotency key the platform honours in header `name` and marks the call
    /// [`Retry::Idempotent`]. Use only with a platform that deduplicates on that header.
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::post("mastodon", "publish", url).idempotency_key("Idempotency-Key", "k-1");
    /// assert_eq!(call.retry_mode(), socialkit::http::Retry::Idempotent);
    /// ```
    pub fn idempotency_key(self, name: &str, key: &str) -> Self {
        self.header(name, key).retry(Retry::Idempotent)
    }

    /// Chooses the rate-limit header family to read from the answer (default
    /// [`RateLimitStyle::Generic`]: only `Retry-After`).
    ///
    /// ```
    /// use socialkit::http::{Call, RateLimitStyle};
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = Call::get("reddit", "read", url).rate_limit_style(RateLimitStyle::Reddit);
    /// assert_eq!(call.style(), RateLimitStyle::Reddit);
    /// ```
    pub fn rate_limit_style(mut self, style: RateLimitStyle) -> Self {
        self.style = style;
        self
    }

    /// Overrides the client's request timeout for this call (long uploads).
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::post("x", "upload_media", url).timeout(std::time::Duration::from_secs(300));
    /// # let _ = call;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The platform's name.
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// assert_eq!(socialkit::http::Call::get("x", "read", url).platform(), "x");
    /// ```
    pub fn platform(&self) -> &'static str {
        self.platform
    }

    /// What the call is for.
    ///
    /// ```
    /// use socialkit::http::{Call, Operation};
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// assert_eq!(Call::get("x", Operation::Read, url.clone()).operation(), Operation::Read);
    /// assert_eq!(Call::get("x", "read", url).operation(), "read");
    /// ```
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The HTTP method.
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// assert_eq!(socialkit::http::Call::get("x", "read", url).method(), "GET");
    /// ```
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL (unredacted: do not log it; use [`redact_url`]).
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// assert_eq!(socialkit::http::Call::get("x", "read", url.clone()).url(), &url);
    /// ```
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The headers set so far.
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// assert!(socialkit::http::Call::get("x", "read", url).headers().is_empty());
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Whether the call may be retried.
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// assert_eq!(socialkit::http::Call::get("x", "read", url).retry_mode(), socialkit::http::Retry::Idempotent);
    /// ```
    pub fn retry_mode(&self) -> Retry {
        self.retry
    }

    /// The rate-limit header family read from the answer.
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// assert_eq!(socialkit::http::Call::get("x", "read", url).style(), socialkit::http::RateLimitStyle::Generic);
    /// ```
    pub fn style(&self) -> RateLimitStyle {
        self.style
    }

    /// The problem a builder method ran into, if any (returned by `send`).
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com/api").unwrap();
    /// let call = socialkit::http::Call::get("x", "read", url).header("bad header", "v");
    /// assert_eq!(call.build_error().unwrap().kind(), socialkit::ErrorKind::ConfigInvalid);
    /// ```
    pub fn build_error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// The body bytes and content type, when the body is not multipart (for tests and twins).
    ///
    /// ```
    /// let url = url::Url::parse("https://example.com").unwrap();
    /// let call = socialkit::http::Call::post("p", "o", url).form([("a", "1")]);
    /// let (ct, body) = call.body_bytes().unwrap();
    /// assert_eq!(ct, Some("application/x-www-form-urlencoded"));
    /// assert_eq!(body, b"a=1");
    /// ```
    pub fn body_bytes(&self) -> Option<(Option<&str>, &[u8])> {
        match &self.body {
            Body::Empty => Some((None, &[])),
            Body::Bytes { content_type, data } => Some((
                content_type.as_ref().and_then(|c| c.to_str().ok()),
                data.as_ref(),
            )),
            Body::Multipart(_) => None,
        }
    }
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match &self.body {
            Body::Empty => "empty".to_string(),
            Body::Bytes { content_type, data } => format!(
                "{} bytes ({})",
                data.len(),
                content_type
                    .as_ref()
                    .and_then(|c| c.to_str().ok())
                    .unwrap_or("no content type")
            ),
            Body::Multipart(m) => format!("multipart, {} parts", m.parts.len()),
        };
        let header_names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("Call")
            .field("platform", &self.platform)
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("url", &redact_url(&self.url))
            .field("headers", &header_names)
            .field("body", &body)
            .field("retry", &self.retry)
            .field("style", &self.style)
            .field(
                "signing",
                &if self.signer.is_some() {
                    "signed per attempt"
                } else {
                    "none"
                },
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://example.com/api?access_token=QUERYSECRET").unwrap()
    }

    #[test]
    fn default_retry_follows_the_method() {
        for (m, want) in [
            (Method::GET, Retry::Idempotent),
            (Method::HEAD, Retry::Idempotent),
            (Method::OPTIONS, Retry::Idempotent),
            (Method::POST, Retry::Never),
            (Method::PUT, Retry::Never),
            (Method::PATCH, Retry::Never),
            (Method::DELETE, Retry::Never),
        ] {
            assert_eq!(
                Call::new("p", "o", m.clone(), url()).retry_mode(),
                want,
                "{m}"
            );
        }
    }

    #[test]
    fn debug_hides_credentials() {
        let call = Call::get("p", "o", url())
            .bearer(&Secret::new("HEADERSECRET"))
            .sensitive_header("X-Api-Key", &Secret::new("KEYSECRET"))
            .json(&serde_json::json!({"a": 1}));
        let dbg = format!("{call:?}");
        for s in ["HEADERSECRET", "KEYSECRET", "QUERYSECRET"] {
            assert!(!dbg.contains(s), "{dbg}");
        }
        assert!(dbg.contains("authorization"));
        assert!(call.headers().get(AUTHORIZATION).unwrap().is_sensitive());
    }

    #[test]
    fn invalid_header_value_is_deferred_without_echo() {
        let call = Call::get("p", "o", url()).bearer(&Secret::new("bad\ntoken"));
        let err = call.build_error().unwrap();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
        assert!(!err.to_string().contains("token"), "{err}");
        assert_eq!(err.context().platform.as_deref(), Some("p"));
        let bad_name = Call::get("p", "o", url()).header("bad name", "v");
        assert!(bad_name.build_error().is_some());
    }

    #[test]
    fn authorization_replaces_earlier_value() {
        let call = Call::get("p", "o", url())
            .bearer(&Secret::new("one"))
            .authorization("Bot", &Secret::new("two"));
        let values: Vec<_> = call.headers().get_all(AUTHORIZATION).iter().collect();
        assert_eq!(values.len(), 1);
        assert_eq!(values[0].to_str().unwrap(), "Bot two");
    }

    #[test]
    fn basic_auth_encodes_user_and_password() {
        let call = Call::post("p", "o", url()).basic_auth("id", Some(&Secret::new("pw")));
        assert_eq!(
            call.headers().get(AUTHORIZATION).unwrap().to_str().unwrap(),
            "Basic aWQ6cHc="
        );
    }

    #[test]
    fn json_failure_is_deferred() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], 1); // non-string keys cannot be JSON object keys
        let call = Call::post("p", "o", url()).json(&map);
        assert_eq!(call.build_error().unwrap().kind(), ErrorKind::Validation);
    }

    #[test]
    fn idempotency_key_opts_in_to_retries() {
        let call =
            Call::post("mastodon", "publish", url()).idempotency_key("Idempotency-Key", "k1");
        assert_eq!(call.retry_mode(), Retry::Idempotent);
        assert_eq!(call.headers().get("idempotency-key").unwrap(), "k1");
    }

    #[test]
    fn user_agent_override_replaces() {
        let call = Call::get("reddit", "o", url())
            .user_agent("a")
            .user_agent("web:socialkit:0.1 (by /u/me)");
        assert_eq!(call.headers().get_all(USER_AGENT).iter().count(), 1);
    }

    #[test]
    fn multipart_is_cloneable_and_converts() {
        let m = Multipart::new().text("a", "b").part(
            Part::bytes("file", vec![1u8, 2])
                .file_name("f.bin")
                .mime("application/octet-stream"),
        );
        let call = Call::post("p", "o", url()).multipart(m.clone());
        let _copy = call.clone();
        assert!(m.to_form().is_ok());
        let bad = Multipart::new().part(Part::bytes("f", vec![1u8]).mime("not a mime\n"));
        assert_eq!(bad.to_form().unwrap_err().kind(), ErrorKind::Validation);
        assert!(call.body_bytes().is_none());
    }

    #[test]
    fn secrets_are_remembered_from_every_place() {
        let u = Url::parse("https://u:urlpass@example.com/?access_token=querytok&x=plain").unwrap();
        let call = Call::post("p", "o", u)
            .bearer(&Secret::new("bearertok"))
            .query([("client_secret", "clientsec")])
            .form([("refresh_token", "refreshtok"), ("text", "hello world")])
            .redact(&Secret::new("extra-one"))
            .redact(&Secret::new("abc"));
        let mut got: Vec<&str> = call.secrets.iter().map(Secret::expose).collect();
        got.sort();
        assert_eq!(
            got,
            [
                "bearertok",
                "clientsec",
                "extra-one",
                "querytok",
                "refreshtok",
                "urlpass"
            ]
        );
    }

    #[test]
    fn bytes_with_invalid_content_type_is_deferred() {
        let call = Call::post("p", "o", url()).bytes("image/png\r\n", vec![1u8]);
        assert!(call.build_error().is_some());
    }
}
