//! OAuth 1.0a (RFC 5849) with HMAC-SHA1: request signing, the `Authorization: OAuth …` header,
//! its verification (for twins), and the 3-legged flow (request token → authorize → access
//! token). Platform-neutral: the X adapter uses it, any OAuth 1.0a service can.
//!
//! Signing follows RFC 5849 §3.4.1:
//! 1. percent-encode with the unreserved set only (`A–Z a–z 0–9 - . _ ~`,
//!    everything else as `%XX` of its UTF-8 bytes, upper-case hex; a space is `%20`, never `+`);
//! 2. collect the query parameters, the parameters of an `application/x-www-form-urlencoded`
//!    body and the `oauth_*` parameters (not `oauth_signature`, not `realm`), encode names and
//!    values, sort by encoded name then encoded value (duplicates kept), join as
//!    `name=value&…`;
//! 3. base string = `METHOD&enc(base URI)&enc(parameters)` the
//!    base URI without query or fragment, scheme and host lower-case, default ports left out;
//! 4. key = `enc(consumer secret)&enc(token secret)` signature =
//!    base64(HMAC-SHA1(key, base string)).
//!
//! Multipart and JSON bodies are not signed (only `oauth_*` and query parameters are).
//!
//! ```
//! use socialkit::auth::oauth1::{OAuth1Credentials, OAuth1Signer};
//! use socialkit::http::Call;
//! let creds = OAuth1Credentials::new("consumer-key", "consumer-secret", "token", "token-secret");
//! assert!(!format!("{creds:?}").contains("consumer-secret"));
//! let signer = OAuth1Signer::new(&creds)
//!     .with_nonce(|| "fixed-nonce".to_string());
//! let url = url::Url::parse("https://api.x.com/2/users/me").unwrap();
//! let call = signer.sign(Call::get("x", "channel", url));
//! let header = call.headers()["authorization"].to_str().unwrap();
//! assert!(header.starts_with("OAuth oauth_consumer_key=\"consumer-key\", oauth_nonce=\"fixed-nonce\""));
//! assert!(header.contains("oauth_signature_method=\"HMAC-SHA1\""));
//! ```

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use url::Url;

use super::secret::Secret;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Call, Client, DefaultErrorMapper, ErrorMapper, Method, Response};

/// The value of `oauth_signature_method`.
pub(crate) const SIGNATURE_METHOD: &str = "HMAC-SHA1";

/// The value of `oauth_version`.
pub(crate) const VERSION: &str = "1.0";

/// The four credentials of an OAuth 1.0a user context: the app's consumer key and secret and
/// the user's access token and token secret. Every field is a [`Secret`] (`Debug` prints
/// `***`); serde writes the real values (configs need them).
///
/// ```
/// use socialkit::auth::oauth1::OAuth1Credentials;
/// let c: OAuth1Credentials = serde_json::from_value(serde_json::json!({
///     "consumer_key": "ck", "consumer_secret": "cs", "token": "t", "token_secret": "ts"
/// })).unwrap();
/// assert_eq!(c.token.expose(), "t");
/// assert_eq!(format!("{c:?}").matches("***").count(), 4);
/// assert!(c.validate("x").is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuth1Credentials {
    /// The app's consumer key (X: "API key").
    pub consumer_key: Secret,
    /// The app's consumer secret (X: "API key secret").
    pub consumer_secret: Secret,
    /// The user's access token.
    pub token: Secret,
    /// The user's access token secret.
    pub token_secret: Secret,
}

impl OAuth1Credentials {
    /// Credentials from their four values.
    ///
    /// ```
    /// let c = socialkit::auth::oauth1::OAuth1Credentials::new("ck", "cs", "t", "ts");
    /// assert_eq!(c.consumer_key.expose(), "ck");
    /// ```
    pub fn new(
        consumer_key: impl Into<Secret>,
        consumer_secret: impl Into<Secret>,
        token: impl Into<Secret>,
        token_secret: impl Into<Secret>,
    ) -> Self {
        OAuth1Credentials {
            consumer_key: consumer_key.into(),
            consumer_secret: consumer_secret.into(),
            token: token.into(),
            token_secret: token_secret.into(),
        }
    }

    /// A `ConfigInvalid` error (naming the field, never its value) when a value is empty.
    ///
    /// ```
    /// let c = socialkit::auth::oauth1::OAuth1Credentials::new("ck", "", "t", "ts");
    /// let e = c.validate("x").unwrap_err();
    /// assert_eq!(e.kind(), socialkit::ErrorKind::ConfigInvalid);
    /// assert!(e.to_string().contains("consumer_secret"));
    /// ```
    pub fn validate(&self, platform: &str) -> Result<()> {
        for (name, value) in [
            ("consumer_key", &self.consumer_key),
            ("consumer_secret", &self.consumer_secret),
            ("token", &self.token),
            ("token_secret", &self.token_secret),
        ] {
            if value.expose().trim().is_empty() {
                return Err(
                    Error::config(format!("the {platform} OAuth 1.0a {name} is empty"))
                        .with_platform(platform),
                );
            }
        }
        Ok(())
    }
}

/// Percent-encodes `s` as RFC 5849 §3.6 asks: the unreserved characters
/// `A–Z a–z 0–9 - . _ ~` stay, every other byte of the UTF-8 form becomes `%XX` (upper-case).
pub(crate) fn percent_encode(s: &str) -> String {
    /// Everything but RFC 3986's unreserved characters.
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, RESERVED).to_string()
}

#[cfg(any(test, feature = "x"))]
/// Decodes `%XX` escapes (no `+` rule); `None` when the result is not UTF-8 or an escape is
/// malformed.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The normalized parameter string (RFC 5849 §3.4.1.3.2): names and values encoded, pairs
/// sorted by encoded name then encoded value (repeated names kept), joined with `&`.
pub(crate) fn normalize_parameters<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k.as_ref()), percent_encode(v.as_ref())))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The base string URI (RFC 5849 §3.4.1.2): scheme and host lower-case, the port only when
/// it is not the scheme's default, the path, no query, no fragment.
pub(crate) fn base_string_uri(url: &Url) -> String {
    let mut out = format!(
        "{}://{}",
        url.scheme().to_ascii_lowercase(),
        url.host_str().unwrap_or_default().to_ascii_lowercase()
    );
    // `Url::port` is `None` for the scheme's default port.
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(url.path());
    out
}

/// The signature base string (RFC 5849 §3.4.1.1): `METHOD&enc(base URI)&enc(parameters)`.
/// `params` are every signed parameter: the URL's query is *not* read here (pass it in, see
/// [`request_parameters`]).
pub(crate) fn signature_base_string<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    url: &Url,
    params: &[(K, V)],
) -> String {
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode(&base_string_uri(url)),
        percent_encode(&normalize_parameters(params))
    )
}

/// The HMAC-SHA1 key: `enc(consumer secret)&enc(token secret)` (the token secret empty
/// before a token exists, as for a request token).
pub(crate) fn signing_key(consumer_secret: &Secret, token_secret: Option<&Secret>) -> Secret {
    Secret::new(format!(
        "{}&{}",
        percent_encode(consumer_secret.expose()),
        token_secret
            .map(|t| percent_encode(t.expose()))
            .unwrap_or_default()
    ))
}

/// base64(HMAC-SHA1(`key`, `base_string`)).
pub(crate) fn hmac_sha1_signature(key: &Secret, base_string: &str) -> String {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha1>::new_from_slice(key.expose().as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(base_string.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The signed request parameters other than `oauth_*`: the URL's query pairs (decoded as
/// `application/x-www-form-urlencoded`, RFC 5849 §3.4.1.3.1) and, when `form_body` is given
/// (an `application/x-www-form-urlencoded` body), its pairs.
pub(crate) fn request_parameters(url: &Url, form_body: Option<&[u8]>) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if let Some(body) = form_body {
        params.extend(url::form_urlencoded::parse(body).into_owned());
    }
    params
}

/// The `Authorization` header value: `OAuth name="value", …` with every value
/// percent-encoded, in name order (as X's examples show them).
pub(crate) fn authorization_header<K: AsRef<str>, V: AsRef<str>>(
    oauth_params: &[(K, V)],
) -> Secret {
    let mut pairs: Vec<(String, String)> = oauth_params
        .iter()
        .map(|(k, v)| (percent_encode(k.as_ref()), percent_encode(v.as_ref())))
        .collect();
    pairs.sort();
    let joined = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ");
    Secret::new(format!("OAuth {joined}"))
}

#[cfg(any(test, all(feature = "testkit", feature = "x")))]
/// Parses an `Authorization: OAuth …` header into decoded `(name, value)` pairs (`realm`
/// included); `None` when it is not an OAuth header or is malformed.
pub(crate) fn parse_authorization(header: &str) -> Option<Vec<(String, String)>> {
    let rest = header.trim().strip_prefix("OAuth")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let mut out = Vec::new();
    for item in rest.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (name, value) = item.split_once('=')?;
        let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
        out.push((percent_decode(name.trim())?, percent_decode(value)?));
    }
    Some(out)
}

#[cfg(any(test, all(feature = "testkit", feature = "x")))]
/// Checks a signed request as a server does: recomputes the HMAC-SHA1 signature from the
/// method, the URL as received (query included), the form body (when the request has one),
/// the header's `oauth_*` parameters and the secrets, and compares in constant time. `false`
/// when the header is not OAuth, lacks a signature or uses another method.
pub(crate) fn verify(
    method: &str,
    url: &Url,
    form_body: Option<&[u8]>,
    header: &str,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
) -> bool {
    let Some(oauth) = parse_authorization(header) else {
        return false;
    };
    let signature = oauth
        .iter()
        .find(|(k, _)| k == "oauth_signature")
        .map(|(_, v)| v.clone());
    let method_ok = oauth
        .iter()
        .any(|(k, v)| k == "oauth_signature_method" && v == SIGNATURE_METHOD);
    let Some(signature) = signature.filter(|_| method_ok) else {
        return false;
    };
    let mut params = request_parameters(url, form_body);
    params.extend(
        oauth
            .into_iter()
            .filter(|(k, _)| k != "oauth_signature" && k != "realm"),
    );
    let base = signature_base_string(method, url, &params);
    let expected = hmac_sha1_signature(&signing_key(consumer_secret, token_secret), &base);
    super::secret::constant_time_eq(expected.as_bytes(), signature.as_bytes())
}

/// A source of nonces.
type NonceFn = Arc<dyn Fn() -> String + Send + Sync>;

/// A random nonce: 32 ASCII letters and digits (X asks for a unique alphanumeric string).
pub(crate) fn random_nonce() -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// Signs requests with OAuth 1.0a HMAC-SHA1: a consumer key and secret, and (after the flow)
/// a token and its secret. The timestamp comes from a [`Clock`] and the nonce from a
/// generator, both replaceable for tests. `Debug` shows no credential.
///
/// ```
/// use socialkit::auth::oauth1::OAuth1Signer;
/// use socialkit::clock::ManualClock;
/// let clock = ManualClock::new("2011-10-14T20:09:18Z".parse().unwrap());
/// let signer = OAuth1Signer::consumer("ck", "cs")
///     .with_clock(std::sync::Arc::new(clock))
///     .with_nonce(|| "n".to_string());
/// let url = url::Url::parse("https://api.x.com/oauth/request_token").unwrap();
/// let call = signer.sign(socialkit::http::Call::post("x", "request_token", url));
/// let header = call.headers()["authorization"].to_str().unwrap();
/// assert!(header.contains("oauth_timestamp=\"1318622958\""));
/// assert!(!header.contains("oauth_token="));
/// assert!(!format!("{signer:?}").contains("cs"));
/// ```
#[derive(Clone)]
pub struct OAuth1Signer {
    consumer_key: Secret,
    consumer_secret: Secret,
    token: Option<(Secret, Secret)>,
    clock: Arc<dyn Clock>,
    nonce: NonceFn,
}

/// Each attempt of a call gets its own nonce and timestamp:
/// `call.sign_each_attempt(Arc::new(signer))`.
impl crate::http::Sign for OAuth1Signer {
    fn sign(&self, call: Call) -> Call {
        OAuth1Signer::sign(self, call)
    }
}

impl fmt::Debug for OAuth1Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth1Signer")
            .field("consumer_key", &"***")
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

impl OAuth1Signer {
    /// A signer for a user's requests.
    pub fn new(credentials: &OAuth1Credentials) -> Self {
        Self::consumer(
            credentials.consumer_key.clone(),
            credentials.consumer_secret.clone(),
        )
        .with_token(credentials.token.clone(), credentials.token_secret.clone())
    }

    /// A signer with only the app's consumer key and secret (for the request token).
    pub fn consumer(key: impl Into<Secret>, secret: impl Into<Secret>) -> Self {
        OAuth1Signer {
            consumer_key: key.into(),
            consumer_secret: secret.into(),
            token: None,
            clock: Arc::new(SystemClock),
            nonce: Arc::new(random_nonce),
        }
    }

    /// Adds a token and its secret (a request token, or the user's access token).
    ///
    /// ```
    /// let s = socialkit::auth::oauth1::OAuth1Signer::consumer("ck", "cs").with_token("t", "ts");
    /// let url = url::Url::parse("https://api.x.com/2/users/me").unwrap();
    /// let call = s.sign(socialkit::http::Call::get("x", "channel", url));
    /// assert!(call.headers()["authorization"].to_str().unwrap().contains("oauth_token=\"t\""));
    /// ```
    pub fn with_token(mut self, token: impl Into<Secret>, secret: impl Into<Secret>) -> Self {
        self.token = Some((token.into(), secret.into()));
        self
    }

    /// Takes timestamps from `clock` (the HTTP client's, so simulated time signs too).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Takes nonces from `nonce` (tests fix them; the default is 32 random letters and digits).
    pub fn with_nonce<F>(mut self, nonce: F) -> Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.nonce = Arc::new(nonce);
        self
    }

    /// The `oauth_*` protocol parameters of one request (without the signature), with a new
    /// nonce and the clock's timestamp, plus `extra` ones such as `oauth_callback` or
    /// `oauth_verifier`.
    pub(crate) fn oauth_parameters(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut p = vec![
            (
                "oauth_consumer_key".to_string(),
                self.consumer_key.expose().to_string(),
            ),
            ("oauth_nonce".to_string(), (self.nonce)()),
            (
                "oauth_signature_method".to_string(),
                SIGNATURE_METHOD.to_string(),
            ),
            (
                "oauth_timestamp".to_string(),
                self.clock.now().timestamp().to_string(),
            ),
            ("oauth_version".to_string(), VERSION.to_string()),
        ];
        if let Some((token, _)) = &self.token {
            p.push(("oauth_token".to_string(), token.expose().to_string()));
        }
        p.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        p
    }

    /// The `Authorization` header value for a request: `oauth` are its protocol parameters
    /// (from [`OAuth1Signer::oauth_parameters`]), `params` its other signed parameters (from
    /// [`request_parameters`]).
    pub(crate) fn header_for(
        &self,
        method: &str,
        url: &Url,
        params: &[(String, String)],
        mut oauth: Vec<(String, String)>,
    ) -> Secret {
        let mut all: Vec<(String, String)> = params.to_vec();
        all.extend(oauth.iter().cloned());
        let base = signature_base_string(method, url, &all);
        let key = signing_key(
            &self.consumer_secret,
            self.token.as_ref().map(|(_, secret)| secret),
        );
        oauth.push((
            "oauth_signature".to_string(),
            hmac_sha1_signature(&key, &base),
        ));
        authorization_header(&oauth)
    }

    /// Signs `call`: sets `Authorization: OAuth …` over its method, URL (query included) and,
    /// for a form body, the body's parameters. Multipart and JSON bodies are not signed.
    /// Replaces an earlier `Authorization` header.
    pub fn sign(&self, call: Call) -> Call {
        self.sign_with(call, &[])
    }

    /// Like [`OAuth1Signer::sign`], with `extra` protocol parameters (`oauth_callback`,
    /// `oauth_verifier`).
    ///
    /// ```
    /// use socialkit::auth::oauth1::OAuth1Signer;
    /// let url = url::Url::parse("https://api.x.com/oauth/request_token").unwrap();
    /// let call = OAuth1Signer::consumer("ck", "cs")
    ///     .sign_with(socialkit::http::Call::post("x", "request_token", url), &[("oauth_callback", "https://app.example/cb")]);
    /// let h = call.headers()["authorization"].to_str().unwrap();
    /// assert!(h.contains("oauth_callback=\"https%3A%2F%2Fapp.example%2Fcb\""));
    /// ```
    pub fn sign_with(&self, call: Call, extra: &[(&str, &str)]) -> Call {
        let form = match call.body_bytes() {
            Some((Some(ct), body))
                if ct
                    .split(';')
                    .next()
                    .is_some_and(|t| t.trim() == "application/x-www-form-urlencoded") =>
            {
                Some(body.to_vec())
            }
            _ => None,
        };
        let url = call.url().clone();
        let params = request_parameters(&url, form.as_deref());
        let header = self.header_for(
            call.method().as_str(),
            &url,
            &params,
            self.oauth_parameters(extra),
        );
        // `authorization` writes "<scheme> <credential>": the header value starts with "OAuth ".
        let credential = Secret::new(
            header
                .expose()
                .strip_prefix("OAuth ")
                .unwrap_or(header.expose()),
        );
        let mut call = call.authorization("OAuth", &credential);
        if let Some((token, secret)) = &self.token {
            call = call.redact(token).redact(secret);
        }
        call.redact(&self.consumer_key)
            .redact(&self.consumer_secret)
    }
}

/// A temporary credential from the request-token step: the token, its secret, and whether
/// the server confirmed the callback.
///
/// ```
/// let t = socialkit::auth::oauth1::RequestToken { token: "t".into(), secret: "s".into(), callback_confirmed: true };
/// assert!(!format!("{t:?}").contains("\"s\""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestToken {
    /// `oauth_token`: goes into the authorize URL.
    pub token: Secret,
    /// `oauth_token_secret`: keep it with the user's session until the callback.
    pub secret: Secret,
    /// `oauth_callback_confirmed`.
    pub callback_confirmed: bool,
}

/// The user's access token from the last step, with the other fields the server sent (X:
/// `user_id`, `screen_name`).
///
/// ```
/// let t = socialkit::auth::oauth1::AccessToken { token: "t".into(), secret: "s".into(), extra: vec![("user_id".into(), "1".into())] };
/// assert_eq!(t.get("user_id"), Some("1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken {
    /// `oauth_token`.
    pub token: Secret,
    /// `oauth_token_secret`.
    pub secret: Secret,
    /// Other fields of the answer.
    #[serde(default)]
    pub extra: Vec<(String, String)>,
}

impl AccessToken {
    /// An extra field of the answer.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The four user-context credentials, with the app's consumer key and secret.
    ///
    /// ```
    /// let t = socialkit::auth::oauth1::AccessToken { token: "t".into(), secret: "s".into(), extra: vec![] };
    /// let c = t.credentials("ck", "cs");
    /// assert_eq!(c.token_secret.expose(), "s");
    /// ```
    pub fn credentials(
        &self,
        consumer_key: impl Into<Secret>,
        consumer_secret: impl Into<Secret>,
    ) -> OAuth1Credentials {
        OAuth1Credentials::new(
            consumer_key,
            consumer_secret,
            self.token.clone(),
            self.secret.clone(),
        )
    }
}

/// The endpoints of a service's 3-legged OAuth 1.0a flow.
///
/// ```
/// use socialkit::auth::oauth1::OAuth1Endpoints;
/// let e = OAuth1Endpoints::new(
///     url::Url::parse("https://api.x.com/oauth/request_token").unwrap(),
///     url::Url::parse("https://api.x.com/oauth/authorize").unwrap(),
///     url::Url::parse("https://api.x.com/oauth/access_token").unwrap(),
/// );
/// assert_eq!(e.authorize.path(), "/oauth/authorize");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth1Endpoints {
    /// `POST` for a request token (with `oauth_callback`).
    pub request_token: Url,
    /// Where the user is sent with `?oauth_token=`.
    pub authorize: Url,
    /// `POST` for the access token (with `oauth_verifier`).
    pub access_token: Url,
}

impl OAuth1Endpoints {
    /// The three endpoints.
    pub fn new(request_token: Url, authorize: Url, access_token: Url) -> Self {
        OAuth1Endpoints {
            request_token,
            authorize,
            access_token,
        }
    }
}

/// The 3-legged OAuth 1.0a flow of one app: [`request_token`](Self::request_token) →
/// send the user to [`authorize_url`](Self::authorize_url) → on the callback,
/// [`access_token`](Self::access_token) with the `oauth_verifier`.
///
/// ```no_run
/// use socialkit::auth::oauth1::{OAuth1Client, OAuth1Endpoints};
/// # async fn demo(endpoints: OAuth1Endpoints, http: socialkit::http::Client, verifier: &str) -> socialkit::Result<()> {
/// let flow = OAuth1Client::new("x", endpoints, "consumer-key", "consumer-secret");
/// let request = flow.request_token(&http, "https://app.example/callback").await?;
/// println!("send the user to {}", flow.authorize_url(&request));
/// // … the callback brings oauth_token (check it equals request.token) and oauth_verifier:
/// let access = flow.access_token(&http, &request, verifier).await?;
/// let credentials = access.credentials("consumer-key", "consumer-secret");
/// # let _ = credentials; Ok(()) }
/// ```
#[derive(Clone)]
pub struct OAuth1Client {
    platform: &'static str,
    endpoints: OAuth1Endpoints,
    /// Signs with the consumer only; the request token is added for the last step.
    signer: OAuth1Signer,
    mapper: Arc<dyn ErrorMapper>,
}

impl fmt::Debug for OAuth1Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth1Client")
            .field("platform", &self.platform)
            .field("endpoints", &self.endpoints)
            .field("consumer_key", &"***")
            .finish()
    }
}

impl OAuth1Client {
    /// A flow for the app with this consumer key and secret. Error answers are mapped by
    /// [`DefaultErrorMapper`] unless [`OAuth1Client::with_error_mapper`] says otherwise.
    pub fn new(
        platform: &'static str,
        endpoints: OAuth1Endpoints,
        consumer_key: impl Into<Secret>,
        consumer_secret: impl Into<Secret>,
    ) -> Self {
        OAuth1Client {
            platform,
            endpoints,
            signer: OAuth1Signer::consumer(consumer_key, consumer_secret),
            mapper: Arc::new(DefaultErrorMapper),
        }
    }

    /// Maps error answers with the platform's mapper.
    pub fn with_error_mapper(mut self, mapper: Arc<dyn ErrorMapper>) -> Self {
        self.mapper = mapper;
        self
    }

    /// Fixes the nonce generator (tests).
    pub fn with_nonce<F>(mut self, nonce: F) -> Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.signer = self.signer.with_nonce(nonce);
        self
    }

    /// The endpoints.
    pub fn endpoints(&self) -> &OAuth1Endpoints {
        &self.endpoints
    }

    fn signer(&self, http: &Client) -> OAuth1Signer {
        self.signer.clone().with_clock(http.clock().clone())
    }

    /// Step 1: a request token for `callback` (`oob` for the PIN flow). Fails with
    /// `Unauthenticated` when the server does not confirm the callback.
    pub async fn request_token(&self, http: &Client, callback: &str) -> Result<RequestToken> {
        let call = Call::new(
            self.platform,
            "request_token",
            Method::POST,
            self.endpoints.request_token.clone(),
        );
        let call = self
            .signer(http)
            .sign_with(call, &[("oauth_callback", callback)]);
        let response = http.send(call, self.mapper.as_ref()).await?;
        let fields = form_fields(&response);
        let token = field(&fields, "oauth_token");
        let secret = field(&fields, "oauth_token_secret");
        let confirmed = field(&fields, "oauth_callback_confirmed") == Some("true");
        match (token, secret) {
            (Some(token), Some(secret)) if confirmed => Ok(RequestToken {
                token: Secret::new(token),
                secret: Secret::new(secret),
                callback_confirmed: true,
            }),
            (Some(_), Some(_)) => Err(response.error(
                ErrorKind::Unauthenticated,
                format!(
                    "{} did not confirm the OAuth callback (oauth_callback_confirmed is not true)",
                    self.platform
                ),
            )),
            _ => Err(response.error(
                ErrorKind::Unexpected,
                format!(
                    "{} answered the request token call without oauth_token and oauth_token_secret",
                    self.platform
                ),
            )),
        }
    }

    /// Step 2: where to send the user (`authorize?oauth_token=…`).
    ///
    /// ```
    /// use socialkit::auth::oauth1::{OAuth1Client, OAuth1Endpoints, RequestToken};
    /// let u = |s: &str| url::Url::parse(s).unwrap();
    /// let flow = OAuth1Client::new("x", OAuth1Endpoints::new(u("https://a.example/rt"), u("https://a.example/authorize"), u("https://a.example/at")), "ck", "cs");
    /// let rt = RequestToken { token: "t 1".into(), secret: "s".into(), callback_confirmed: true };
    /// assert_eq!(flow.authorize_url(&rt).as_str(), "https://a.example/authorize?oauth_token=t+1");
    /// ```
    pub fn authorize_url(&self, request: &RequestToken) -> Url {
        let mut url = self.endpoints.authorize.clone();
        url.query_pairs_mut()
            .append_pair("oauth_token", request.token.expose());
        url
    }

    /// Step 3: exchanges the request token and the callback's `oauth_verifier` for the
    /// user's access token.
    pub async fn access_token(
        &self,
        http: &Client,
        request: &RequestToken,
        verifier: &str,
    ) -> Result<AccessToken> {
        let call = Call::new(
            self.platform,
            "access_token",
            Method::POST,
            self.endpoints.access_token.clone(),
        );
        let call = self
            .signer(http)
            .with_token(request.token.clone(), request.secret.clone())
            .sign_with(call, &[("oauth_verifier", verifier)]);
        let response = http.send(call, self.mapper.as_ref()).await?;
        let fields = form_fields(&response);
        match (
            field(&fields, "oauth_token"),
            field(&fields, "oauth_token_secret"),
        ) {
            (Some(token), Some(secret)) => Ok(AccessToken {
                token: Secret::new(token),
                secret: Secret::new(secret),
                extra: fields
                    .iter()
                    .filter(|(k, _)| k != "oauth_token" && k != "oauth_token_secret")
                    .cloned()
                    .collect(),
            }),
            _ => Err(response.error(
                ErrorKind::Unexpected,
                format!(
                    "{} answered the access token call without oauth_token and oauth_token_secret",
                    self.platform
                ),
            )),
        }
    }
}

fn form_fields(response: &Response) -> Vec<(String, String)> {
    url::form_urlencoded::parse(response.body())
        .into_owned()
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    type Pairs = Vec<(String, String)>;

    /// X's "Creating a signature" example: URL, request parameters, oauth parameters.
    fn x_example(host: &str) -> (Url, Pairs, Pairs) {
        let url = Url::parse(&format!(
            "https://{host}/1.1/statuses/update.json?include_entities=true"
        ))
        .unwrap();
        let params = request_parameters(
            &url,
            Some(b"status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21"),
        );
        let oauth = pairs(&[
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            (
                "oauth_token",
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            ),
            ("oauth_version", "1.0"),
        ]);
        (url, params, oauth)
    }

    /// The signer of X's documented example (consumer and token from "Creating a signature").
    fn x_signer() -> OAuth1Signer {
        OAuth1Signer::consumer(
            "xvz1evFS4wEEPTGEFPHBog",
            "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        )
        .with_token(
            "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        )
    }

    #[test]
    fn x_documented_signature_through_the_signer_current_host() {
        let (url, params, oauth) = x_example("api.x.com");
        let header = x_signer().header_for("POST", &url, &params, oauth);
        assert!(
            header
                .expose()
                .contains("oauth_signature=\"Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D\"")
        );
    }

    fn x_key() -> Secret {
        signing_key(
            &Secret::new("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"),
            Some(&Secret::new("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")),
        )
    }

    #[test]
    fn x_documented_signature_current_host() {
        let (url, mut params, oauth) = x_example("api.x.com");
        params.extend(oauth);
        assert_eq!(
            normalize_parameters(&params),
            "include_entities=true&oauth_consumer_key=xvz1evFS4wEEPTGEFPHBog&oauth_nonce=kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1318622958&oauth_token=370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb&oauth_version=1.0&status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21"
        );
        let base = signature_base_string("POST", &url, &params);
        assert_eq!(
            base,
            "POST&https%3A%2F%2Fapi.x.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
        );
        assert_eq!(
            x_key().expose(),
            "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw&LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
        );
        // docs.x.com gives the HMAC bytes 2E CF 77 84 … 4E and this base64 form.
        assert_eq!(
            hmac_sha1_signature(&x_key(), &base),
            "Ls93hJiZbQ3akF3HF3x1Bz8/zU4="
        );
    }

    #[test]
    fn x_documented_signature_twitter_host() {
        // The same example as published on the api.twitter.com host.
        let (url, mut params, oauth) = x_example("api.twitter.com");
        params.extend(oauth.clone());
        let base = signature_base_string("POST", &url, &params);
        assert_eq!(
            hmac_sha1_signature(&x_key(), &base),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        );
        // And through the signer and the header, then verified as a server would.
        let signer = x_signer();
        let (_, params, _) = x_example("api.twitter.com");
        let header = signer.header_for("POST", &url, &params, oauth);
        assert_eq!(
            header.expose(),
            "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\""
        );
        let body = b"status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21";
        assert!(verify(
            "POST",
            &url,
            Some(body),
            header.expose(),
            &Secret::new("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"),
            Some(&Secret::new("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")),
        ));
        assert!(!verify(
            "POST",
            &url,
            Some(b"status=Hello"),
            header.expose(),
            &Secret::new("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"),
            Some(&Secret::new("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")),
        ));
    }

    #[test]
    fn rfc5849_section_3_4_1_base_string() {
        // POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b with body c2&a3=2+q.
        let url = Url::parse("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b").unwrap();
        let mut params = request_parameters(&url, Some(b"c2&a3=2+q"));
        params.extend(pairs(&[
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
        ]));
        assert_eq!(
            normalize_parameters(&params),
            "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7"
        );
        let base = signature_base_string("POST", &url, &params);
        assert_eq!(
            base,
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
        );
        // The RFC's printed signature (bYT5CMsGcbgUdFHObYMEfcx6bsw=) does not follow from the
        // secrets it names in §3.1 (j49sk3j29djd / dh893hdasih9); the HMAC of the printed base
        // string under those secrets, checked with `openssl dgst -sha1 -hmac`, is this:
        let key = signing_key(
            &Secret::new("j49sk3j29djd"),
            Some(&Secret::new("dh893hdasih9")),
        );
        assert_eq!(
            hmac_sha1_signature(&key, &base),
            "r6/TJjbCOr97/+UU0NsvSne7s5g="
        );
    }

    #[test]
    fn rfc5849_section_1_2_signature() {
        // GET http://photos.example.net/photos?file=vacation.jpg&size=original, HMAC-SHA1.
        let url =
            Url::parse("http://photos.example.net/photos?file=vacation.jpg&size=original").unwrap();
        let mut params = request_parameters(&url, None);
        params.extend(pairs(&[
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ]));
        let key = signing_key(
            &Secret::new("kd94hf93k423kf44"),
            Some(&Secret::new("pfkkdhi9sl3r4s00")),
        );
        let base = signature_base_string("GET", &url, &params);
        assert_eq!(
            hmac_sha1_signature(&key, &base),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
    }

    #[test]
    fn percent_encoding_edge_cases() {
        assert_eq!(percent_encode("a b"), "a%20b");
        assert_eq!(percent_encode("+"), "%2B");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("~-._"), "~-._");
        assert_eq!(percent_encode("!'()"), "%21%27%28%29");
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("😀"), "%F0%9F%98%80");
        assert_eq!(percent_encode("%"), "%25");
        assert_eq!(percent_encode("/?&=:"), "%2F%3F%26%3D%3A");
        for s in ["a b+c*d~e", "Дмитрий ☃ 😀", "%41", ""] {
            assert_eq!(percent_decode(&percent_encode(s)).as_deref(), Some(s));
        }
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn normalization_sorts_encoded_names_and_keeps_duplicates() {
        // Sorting is on the encoded form: "%2A" (for *) sorts before "A", "a=2" before "a=10"
        // is byte order ("1" < "2"), repeated names stay.
        let p = [
            ("a", "2"),
            ("a", "10"),
            ("*", "x"),
            ("A", "y"),
            ("a b", "+"),
            ("q", "~ü"),
        ];
        assert_eq!(
            normalize_parameters(&p),
            "%2A=x&A=y&a=10&a=2&a%20b=%2B&q=~%C3%BC"
        );
        // A query with + (a space in form encoding) and %2B (a plus).
        let url = Url::parse("https://e.example/s?q=a+b&r=a%2Bb&q=a").unwrap();
        let params = request_parameters(&url, None);
        assert_eq!(normalize_parameters(&params), "q=a&q=a%20b&r=a%2Bb");
    }

    #[test]
    fn base_uri_rules() {
        let u = Url::parse("https://API.X.com:443/2/tweets").unwrap();
        assert_eq!(base_string_uri(&u), "https://api.x.com/2/tweets");
        let u = Url::parse("http://127.0.0.1:8080/2/tweets?x=1").unwrap();
        assert_eq!(base_string_uri(&u), "http://127.0.0.1:8080/2/tweets");
    }

    #[test]
    fn signing_a_call_signs_form_bodies_but_not_json_or_multipart() {
        let creds = OAuth1Credentials::new("ck", "cs", "t", "ts");
        let signer = OAuth1Signer::new(&creds);
        let url = Url::parse("https://api.example/p?x=1").unwrap();
        let header = |c: &Call| c.headers()["authorization"].to_str().unwrap().to_string();
        let form = signer.sign(Call::post("p", "o", url.clone()).form([("status", "hi there")]));
        let h = header(&form);
        assert!(verify(
            "POST",
            &url,
            Some(b"status=hi+there"),
            &h,
            &creds.consumer_secret,
            Some(&creds.token_secret)
        ));
        assert!(!verify(
            "POST",
            &url,
            None,
            &h,
            &creds.consumer_secret,
            Some(&creds.token_secret)
        ));
        let json =
            signer.sign(Call::post("p", "o", url.clone()).json(&serde_json::json!({"text": "hi"})));
        assert!(verify(
            "POST",
            &url,
            None,
            &header(&json),
            &creds.consumer_secret,
            Some(&creds.token_secret)
        ));
        let multi = signer.sign(
            Call::post("p", "o", url.clone())
                .multipart(crate::http::Multipart::new().text("segment_index", "0")),
        );
        assert!(verify(
            "POST",
            &url,
            None,
            &header(&multi),
            &creds.consumer_secret,
            Some(&creds.token_secret)
        ));
        // Wrong secrets, another URL, another method: no.
        assert!(!verify(
            "POST",
            &url,
            None,
            &header(&json),
            &Secret::new("x"),
            Some(&creds.token_secret)
        ));
        let other = Url::parse("https://api.example/p?x=2").unwrap();
        assert!(!verify(
            "POST",
            &other,
            None,
            &header(&json),
            &creds.consumer_secret,
            Some(&creds.token_secret)
        ));
        assert!(!verify(
            "GET",
            &url,
            None,
            &header(&json),
            &creds.consumer_secret,
            Some(&creds.token_secret)
        ));
        // Nothing secret in Debug.
        let shown = format!("{signer:?} {json:?} {creds:?}");
        assert!(!shown.contains("cs") && !shown.contains("ts"), "{shown}");
    }

    #[test]
    fn nonces_are_fresh_per_signature() {
        let signer = OAuth1Signer::consumer("ck", "cs");
        let a = signer.oauth_parameters(&[]);
        let b = signer.oauth_parameters(&[]);
        let nonce = |p: &[(String, String)]| {
            p.iter()
                .find(|(k, _)| k == "oauth_nonce")
                .map(|(_, v)| v.clone())
        };
        assert_ne!(nonce(&a), nonce(&b));
    }
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn signature_method() {
        assert_eq!(crate::auth::oauth1::SIGNATURE_METHOD, "HMAC-SHA1");
    }

    #[test]
    fn version() {
        assert_eq!(crate::auth::oauth1::VERSION, "1.0");
    }

    #[test]
    fn percent_encode() {
        use crate::auth::oauth1::percent_encode;
        assert_eq!(
            percent_encode("Ladies + Gentlemen"),
            "Ladies%20%2B%20Gentlemen"
        );
        assert_eq!(percent_encode("a*b~c"), "a%2Ab~c");
        assert_eq!(percent_encode("☃"), "%E2%98%83");
    }

    #[test]
    fn percent_decode() {
        use crate::auth::oauth1::percent_decode;
        assert_eq!(percent_decode("a%20b%2B").as_deref(), Some("a b+"));
        assert_eq!(percent_decode("a+b").as_deref(), Some("a+b"));
        assert_eq!(percent_decode("%zz"), None);
    }

    #[test]
    fn normalize_parameters() {
        use crate::auth::oauth1::normalize_parameters;
        let p = [("b", "2"), ("a", "z"), ("a", "y"), ("c d", "")];
        assert_eq!(normalize_parameters(&p), "a=y&a=z&b=2&c%20d=");
    }

    #[test]
    fn base_string_uri() {
        use crate::auth::oauth1::base_string_uri;
        let u = url::Url::parse("HTTP://EXAMPLE.com:80/r%20v/X?id=123#f").unwrap();
        assert_eq!(base_string_uri(&u), "http://example.com/r%20v/X");
        let u = url::Url::parse("https://www.example.net:8080/?q=1").unwrap();
        assert_eq!(base_string_uri(&u), "https://www.example.net:8080/");
    }

    #[test]
    fn signature_base_string() {
        use crate::auth::oauth1::signature_base_string;
        let u = url::Url::parse("https://api.example/1/x").unwrap();
        assert_eq!(
            signature_base_string("get", &u, &[("a", "1 2")]),
            "GET&https%3A%2F%2Fapi.example%2F1%2Fx&a%3D1%25202"
        );
    }

    #[test]
    fn signing_key() {
        use crate::auth::{Secret, oauth1::signing_key};
        let k = signing_key(&Secret::new("c s"), None);
        assert_eq!(k.expose(), "c%20s&");
    }

    #[test]
    fn hmac_sha1_signature() {
        use crate::auth::{Secret, oauth1::hmac_sha1_signature};
        // RFC 2202 test case 2.
        let sig = hmac_sha1_signature(&Secret::new("Jefe"), "what do ya want for nothing?");
        assert_eq!(sig, "7/zfauXrL6LSdBbV8YTfnCWafHk=");
    }

    #[test]
    fn request_parameters() {
        use crate::auth::oauth1::request_parameters;
        let u = url::Url::parse("https://e.example/p?b5=%3D%253D&a3=a&c%40=&a2=r%20b").unwrap();
        let p = request_parameters(&u, Some(b"c2&a3=2+q"));
        assert!(p.contains(&("a3".to_string(), "2 q".to_string())));
        assert!(p.contains(&("c@".to_string(), String::new())));
        assert_eq!(p.len(), 6);
    }

    #[test]
    fn authorization_header() {
        use crate::auth::oauth1::authorization_header;
        let h = authorization_header(&[("oauth_nonce", "a b"), ("oauth_consumer_key", "k")]);
        assert_eq!(
            h.expose(),
            "OAuth oauth_consumer_key=\"k\", oauth_nonce=\"a%20b\""
        );
    }

    #[test]
    fn parse_authorization() {
        use crate::auth::oauth1::parse_authorization;
        let p =
            parse_authorization(r#"OAuth realm="Example", oauth_nonce="a%20b",oauth_token="t""#)
                .unwrap();
        assert_eq!(
            p,
            vec![
                ("realm".into(), "Example".into()),
                ("oauth_nonce".into(), "a b".into()),
                ("oauth_token".into(), "t".into())
            ]
        );
        assert!(parse_authorization("Bearer t").is_none());
    }

    #[test]
    fn verify() {
        use crate::auth::{
            Secret,
            oauth1::{OAuth1Credentials, OAuth1Signer, verify},
        };
        use crate::http::Call;
        let creds = OAuth1Credentials::new("ck", "cs", "t", "ts");
        let url = url::Url::parse("https://api.x.com/2/tweets/search/recent?query=a%20b").unwrap();
        let call = OAuth1Signer::new(&creds).sign(Call::get("x", "search", url.clone()));
        let header = call.headers()["authorization"].to_str().unwrap();
        assert!(verify(
            "GET",
            &url,
            None,
            header,
            &creds.consumer_secret,
            Some(&creds.token_secret)
        ));
        assert!(!verify(
            "GET",
            &url,
            None,
            header,
            &creds.consumer_secret,
            Some(&Secret::new("wrong"))
        ));
    }

    #[test]
    fn random_nonce() {
        let n = crate::auth::oauth1::random_nonce();
        assert_eq!(n.len(), 32);
        assert!(n.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(n, crate::auth::oauth1::random_nonce());
    }
}
