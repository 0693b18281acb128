//! What every platform twin needs besides its own routes: a server on `127.0.0.1:0` that stops
//! when dropped, a log of the requests it saw, and injectable faults (any status, headers and
//! body, answered instead of the real route for the next N matching requests).
//!
//! A twin builds its axum [`Router`], wraps it with [`instrument`], and starts it with
//! [`TwinServer::start`]:
//!
//! ```
//! use axum::{Router, routing::get};
//! use socialkit::testkit::twin::{instrument, Canned, Faults, RequestLog, TwinServer};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let (log, faults) = (RequestLog::default(), Faults::default());
//! let app = instrument(Router::new().route("/ping", get(|| async { "pong" })), &log, &faults);
//! let server = TwinServer::start(app).await.unwrap();
//! let url = server.base_url().join("ping").unwrap();
//! faults.inject(Some("GET"), Some("/ping"), 1, Canned::text(503, "busy"));
//! assert_eq!(reqwest::get(url.clone()).await.unwrap().status(), 503);
//! assert_eq!(reqwest::get(url).await.unwrap().text().await.unwrap(), "pong");
//! assert_eq!(log.count_to("GET", "/ping"), 2);
//! # });
//! ```

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;
use url::Url;

use crate::{Error, ErrorKind, Result};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means a test panicked while holding it; the data is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running twin server. Dropping it stops the server.
#[derive(Debug)]
pub struct TwinServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for TwinServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TwinServer {
    /// Serves `app` on `127.0.0.1` at a free port.
    pub async fn start(app: Router) -> Result<TwinServer> {
        TwinServer::start_with_base(|_| app).await
    }

    /// Like [`TwinServer::start`], for a twin whose answers carry its own address (links,
    /// media URLs): `make` gets the base URL (`http://127.0.0.1:PORT/`) before the first
    /// request is served.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use socialkit::testkit::twin::TwinServer;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let server = TwinServer::start_with_base(|base| {
    ///     let me = base.to_string();
    ///     Router::new().route("/me", get(move || async move { me }))
    /// })
    /// .await
    /// .unwrap();
    /// let url = server.base_url().join("me").unwrap();
    /// assert_eq!(reqwest::get(url).await.unwrap().text().await.unwrap(), server.base_url().as_str());
    /// # });
    /// ```
    pub async fn start_with_base(make: impl FnOnce(&Url) -> Router) -> Result<TwinServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| Error::new(ErrorKind::Network, "cannot bind the twin").with_source(e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::new(ErrorKind::Network, "no twin address").with_source(e))?;
        let app = make(&base_url_of(addr));
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(TwinServer {
            addr,
            shutdown: Some(tx),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn base_url(&self) -> Url {
        base_url_of(self.addr)
    }
}

fn base_url_of(addr: SocketAddr) -> Url {
    Url::parse(&format!("http://{addr}/")).unwrap_or_else(|_| {
        // A socket address always makes a valid URL; keep a harmless value regardless.
        Url::parse("http://127.0.0.1/").unwrap_or_else(|_| unreachable!())
    })
}

/// A canned answer: status, content type, extra headers and body.
///
/// ```
/// let c = socialkit::testkit::twin::Canned::json(429, serde_json::json!({"title": "Too Many Requests"}))
///     .with_header("x-rate-limit-remaining", "0");
/// assert_eq!(c.status, 429);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canned {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Canned {
    /// A JSON answer.
    pub fn json(status: u16, body: serde_json::Value) -> Canned {
        Canned {
            status,
            content_type: "application/json".into(),
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    /// A plain-text answer.
    pub fn text(status: u16, body: &str) -> Canned {
        Canned {
            status,
            content_type: "text/plain; charset=utf-8".into(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// An HTML error page, as a proxy or load balancer in front of the API sends.
    pub fn html(status: u16) -> Canned {
        Canned {
            status,
            content_type: "text/html; charset=utf-8".into(),
            headers: Vec::new(),
            body: format!(
                "<html><head><title>{status}</title></head><body><h1>{status}</h1>\
                 <p>upstream error</p></body></html>"
            ),
        }
    }

    /// A 200 whose JSON breaks off.
    pub fn malformed_json() -> Canned {
        Canned {
            status: 200,
            content_type: "application/json".into(),
            headers: Vec::new(),
            body: "{\"data\": {\"id\": ".into(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Canned {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The axum response.
    pub fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = (
            status,
            [(header::CONTENT_TYPE, self.content_type)],
            self.body,
        )
            .into_response();
        for (k, v) in self.headers {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(&v),
            ) {
                r.headers_mut().insert(k, v);
            }
        }
        r
    }
}

#[derive(Debug, Clone)]
struct Rule {
    method: Option<String>,
    path_contains: Option<String>,
    skip: usize,
    remaining: usize,
    answer: Canned,
    /// The route runs first (its changes happen), then `answer` replaces its response.
    after_route: bool,
}

/// Faults to answer instead of the real routes. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<Rule>>>,
}

impl Faults {
    /// Answers `answer` to the next `times` requests with `method` (any when `None`) whose path
    /// contains `path_contains` (any when `None`).
    pub fn inject(
        &self,
        method: Option<&str>,
        path_contains: Option<&str>,
        times: usize,
        answer: Canned,
    ) {
        self.inject_after(0, method, path_contains, times, answer);
    }

    /// Like [`Faults::inject`], letting the first `skip` matching requests through.
    pub fn inject_after(
        &self,
        skip: usize,
        method: Option<&str>,
        path_contains: Option<&str>,
        times: usize,
        answer: Canned,
    ) {
        self.push(skip, method, path_contains, times, answer, false);
    }

    /// Lets the next `times` requests with `method` whose path contains `path_contains` (after
    /// the first `skip`) reach the route, so the platform does the work, and then answers
    /// `answer` instead of the route's response: an answer lost on the way back (a proxy's 502
    /// or 504 after the server acted), so the client cannot know the outcome.
    ///
    /// ```
    /// use axum::{Router, routing::post};
    /// use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
    /// use socialkit::testkit::twin::{instrument, Canned, Faults, RequestLog, TwinServer};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let made = Arc::new(AtomicUsize::new(0));
    /// let m = made.clone();
    /// let app = Router::new().route("/posts", post(move || async move { m.fetch_add(1, Ordering::SeqCst); "made" }));
    /// let (log, faults) = (RequestLog::default(), Faults::default());
    /// let server = TwinServer::start(instrument(app, &log, &faults)).await.unwrap();
    /// faults.inject_lost(0, Some("POST"), Some("/posts"), 1, Canned::html(504));
    /// let r = reqwest::Client::new().post(server.base_url().join("posts").unwrap()).send().await.unwrap();
    /// assert_eq!((r.status().as_u16(), made.load(Ordering::SeqCst)), (504, 1));
    /// # });
    /// ```
    pub fn inject_lost(
        &self,
        skip: usize,
        method: Option<&str>,
        path_contains: Option<&str>,
        times: usize,
        answer: Canned,
    ) {
        self.push(skip, method, path_contains, times, answer, true);
    }

    fn push(
        &self,
        skip: usize,
        method: Option<&str>,
        path_contains: Option<&str>,
        times: usize,
        answer: Canned,
        after_route: bool,
    ) {
        lock(&self.rules).push(Rule {
            method: method.map(str::to_ascii_uppercase),
            path_contains: path_contains.map(str::to_string),
            skip,
            remaining: times,
            answer,
            after_route,
        });
    }

    /// Removes every fault.
    pub fn clear(&self) {
        lock(&self.rules).clear();
    }

    /// The fault for a request, when one matches (and counts it).
    pub fn take(&self, method: &str, path: &str) -> Option<Canned> {
        self.take_rule(method, path).map(|(answer, _)| answer)
    }

    /// The matching fault and whether the route runs before it is answered.
    fn take_rule(&self, method: &str, path: &str) -> Option<(Canned, bool)> {
        let mut rules = lock(&self.rules);
        let mut out = None;
        for rule in rules.iter_mut() {
            let matches = rule.remaining > 0
                && rule.method.as_deref().is_none_or(|m| m == method)
                && rule
                    .path_contains
                    .as_deref()
                    .is_none_or(|p| path.contains(p));
            if !matches {
                continue;
            }
            if rule.skip > 0 {
                rule.skip -= 1;
                continue;
            }
            rule.remaining -= 1;
            out = Some((rule.answer.clone(), rule.after_route));
            break;
        }
        rules.retain(|r| r.remaining > 0);
        out
    }
}

/// One request a twin saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The method (`"POST"`).
    pub method: String,
    /// The path (`"/2/tweets"`).
    pub path: String,
    /// The raw query, if any.
    pub query: Option<String>,
}

/// The requests a twin saw, in order. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl RequestLog {
    /// Every request so far.
    pub fn all(&self) -> Vec<Seen> {
        lock(&self.seen).clone()
    }

    /// How many requests so far.
    pub fn count(&self) -> usize {
        lock(&self.seen).len()
    }

    /// How many requests with `method` whose path starts with `path_prefix`.
    pub fn count_to(&self, method: &str, path_prefix: &str) -> usize {
        lock(&self.seen)
            .iter()
            .filter(|s| s.method == method && s.path.starts_with(path_prefix))
            .count()
    }

    /// Forgets the requests seen so far.
    pub fn reset(&self) {
        lock(&self.seen).clear();
    }

    fn push(&self, seen: Seen) {
        lock(&self.seen).push(seen);
    }
}

#[derive(Clone)]
struct Instrumented {
    log: RequestLog,
    faults: Faults,
}

/// Wraps a twin's router: every request is logged, and an injected fault is answered instead
/// of the route when one matches.
pub fn instrument(router: Router, log: &RequestLog, faults: &Faults) -> Router {
    let state = Instrumented {
        log: log.clone(),
        faults: faults.clone(),
    };
    router.layer(middleware::from_fn_with_state(state, around))
}

async fn around(State(s): State<Instrumented>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    s.log.push(Seen {
        method: method.clone(),
        path: path.clone(),
        query: request.uri().query().map(str::to_string),
    });
    match s.faults.take_rule(&method, &path) {
        Some((canned, false)) => canned.into_response(),
        Some((canned, true)) => {
            let _done = next.run(request).await;
            canned.into_response()
        }
        None => next.run(request).await,
    }
}

/// The authorization codes a twin's consent screen hands out and its token endpoint redeems:
/// each code is single-use and bound to the PKCE challenge it was issued for, checked with
/// S256 on redemption (RFC 7636 §4.6, <https://www.rfc-editor.org/rfc/rfc7636#section-4.6>),
/// and a used, unknown or mismatched code is refused (the token endpoint answers RFC 6749
/// §5.2's `invalid_grant`). Cheap to clone (shared).
///
/// ```
/// use socialkit::auth::Pkce;
/// use socialkit::testkit::twin::AuthCodes;
/// let codes = AuthCodes::default();
/// let pkce = Pkce::new();
/// let code = codes.issue("4/twin-", pkce.challenge());
/// assert!(!codes.redeem(&code, "a-wrong-verifier-that-is-long-enough-to-be-a-verifier"));
/// let code = codes.issue("4/twin-", pkce.challenge());
/// assert!(codes.redeem(&code, pkce.verifier().expose()));
/// assert!(!codes.redeem(&code, pkce.verifier().expose()), "single use");
/// ```
#[derive(Debug, Clone, Default)]
pub struct AuthCodes {
    inner: Arc<Mutex<(u64, std::collections::HashMap<String, String>)>>,
}

impl AuthCodes {
    /// A new code starting with `prefix`, for the PKCE `challenge` of the authorization URL.
    pub fn issue(&self, prefix: &str, challenge: &str) -> String {
        let mut g = lock(&self.inner);
        g.0 += 1;
        let code = format!("{prefix}{}", g.0);
        g.1.insert(code.clone(), challenge.to_string());
        code
    }

    /// Redeems `code` with the token request's `code_verifier`: true once, for a code issued
    /// for the verifier's challenge. The code is gone afterwards either way.
    pub fn redeem(&self, code: &str, verifier: &str) -> bool {
        let Some(challenge) = lock(&self.inner).1.remove(code) else {
            return false;
        };
        crate::auth::Pkce::from_verifier(verifier).is_ok_and(|p| p.challenge() == challenge)
    }
}
