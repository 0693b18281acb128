//! A local twin of Meta's Graph API, for tests (feature `testkit`): one small axum app on
//! `127.0.0.1:0` with a personality per platform ([Facebook](crate::adapters::facebook::twin),
//! [Instagram](crate::adapters::instagram::twin), [Threads](crate::adapters::threads::twin)).
//!
//! What every personality shares, as Meta's documentation describes it:
//!
//! - paths `/{version}/{id}/{edge}`; the token from `access_token` (query or form) or an
//!   `Authorization: Bearer|OAuth` header; a wrong token gets HTTP 400 with Graph error 190;
//! - parameters from the query string, a form body or a multipart body;
//! - Graph errors `{"error":{"message","type","code","error_subcode","fbtrace_id"}}` — an
//!   unknown object is code 100 subcode 33;
//! - `X-App-Usage` on every answer (and `X-Business-Use-Case-Usage` for Page and Instagram
//!   tokens), in percent of the configured hourly budget;
//! - injectable [`Fault`]s: any Graph error, a throttle (HTTP 400 with code 4/17/32/613/80001 and
//!   usage at 100 % with `estimated_time_to_regain_access`), 5xx with HTML bodies, malformed
//!   JSON, an error that echoes the token;
//! - the token endpoints (`oauth/access_token` with `fb_exchange_token`, `access_token` with
//!   `th_exchange_token`/`ig_exchange_token`, `refresh_access_token`);
//! - media containers that stay `IN_PROGRESS` for a configured number of polls, then become
//!   `FINISHED` (or `ERROR` when told), publishing quotas over a rolling 24 hours;
//! - a [`TwinHandle`] to inspect the state (requests seen, objects) and to make others interact
//!   (comments, replies).
//!
//! ```
//! use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
//! use socialkit::PlatformExt;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = FacebookTwin::start().await.unwrap();
//! let page = Facebook::new(twin.config()).unwrap();
//! let p = page.publish_text("Hello from the twin").await.unwrap();
//! assert_eq!(twin.handle().node(&p.post.id).unwrap().text, "Hello from the twin");
//! assert!(twin.handle().requests_to("POST", "/feed") == 1);
//! # });
//! ```

mod request;
mod state;

pub(crate) use request::{GraphRequest, Reply};
pub(crate) use state::State;
pub use state::{ContainerState, Node, NodeKind};

pub(crate) use request::{paged, select};

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State as AxState};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::json;
use tokio::sync::oneshot;
use url::Url;

use crate::{Error, ErrorKind, Result};

/// How a twin behaves. Each personality starts from its own defaults.
///
/// ```
/// let o = socialkit::adapters::graph::twin::TwinOptions::default();
/// assert_eq!(o.container_polls, 2);
/// assert_eq!(o.publish_quota, 100);
/// ```
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// The account's access token.
    pub token: String,
    /// A user token that `GET /me/accounts` and the token exchanges accept (Facebook).
    pub user_token: String,
    /// The account's id (Page id, Instagram user id, Threads user id).
    pub account_id: String,
    /// The account's name or username.
    pub account_name: String,
    /// Followers the account has.
    pub followers: u64,
    /// Status polls a container stays `IN_PROGRESS` for (0: `FINISHED` at once).
    pub container_polls: u32,
    /// Posts allowed per rolling 24 hours.
    pub publish_quota: u64,
    /// Replies allowed per rolling 24 hours (Threads).
    pub reply_quota: u64,
    /// The hourly call budget `X-App-Usage` is computed against.
    pub calls_per_hour: u64,
    /// Whether a refresh replaces the token (the old one stops working).
    pub refresh_rotates: bool,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            token: "EAAtwinPAGEtoken0001".into(),
            user_token: "EAAtwinUSERtoken0001".into(),
            account_id: "1000001".into(),
            account_name: "acme".into(),
            followers: 1234,
            container_polls: 2,
            publish_quota: 100,
            reply_quota: 1000,
            calls_per_hour: 100_000,
            refresh_rotates: true,
        }
    }
}

/// A failure the twin answers with instead of the real answer.
///
/// ```
/// use socialkit::adapters::graph::twin::Fault;
/// let f = Fault::graph(190, Some(463), "Error validating access token: Session has expired");
/// assert!(matches!(f, Fault::Graph { status: 400, code: 190, .. }));
/// assert!(matches!(Fault::html(502), Fault::Status { status: 502, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A Graph error body with this status.
    Graph {
        /// The HTTP status.
        status: u16,
        /// Meta's error code.
        code: i64,
        /// Meta's subcode.
        subcode: Option<i64>,
        /// The error type (`OAuthException`).
        kind: String,
        /// The message.
        message: String,
        /// `is_transient`.
        transient: bool,
    },
    /// A throttle: a Graph error with `code` and usage headers at 100 % that say access comes
    /// back in `regain_minutes`.
    Throttle {
        /// Meta's error code (4, 17, 32, 613, 80001 …).
        code: i64,
        /// `estimated_time_to_regain_access`, minutes.
        regain_minutes: u64,
    },
    /// An answer with this status, body and content type (a proxy's HTML page).
    Status {
        /// The HTTP status.
        status: u16,
        /// The body.
        body: String,
        /// Its content type.
        content_type: String,
    },
    /// 200 with a body that is not JSON.
    MalformedJson,
    /// A Graph error whose message repeats the access token the request carried.
    EchoToken,
    /// The request is carried out, but the answer is lost: a 504 page comes back instead (a
    /// proxy that timed out after the write happened).
    Lost,
}

impl Fault {
    /// A Graph error (HTTP 400, `OAuthException`).
    ///
    /// ```
    /// let f = socialkit::adapters::graph::twin::Fault::graph(506, None, "(#506) Duplicate status message");
    /// assert!(matches!(f, socialkit::adapters::graph::twin::Fault::Graph { code: 506, .. }));
    /// ```
    pub fn graph(code: i64, subcode: Option<i64>, message: &str) -> Fault {
        Fault::Graph {
            status: 400,
            code,
            subcode,
            kind: "OAuthException".into(),
            message: message.into(),
            transient: false,
        }
    }

    /// A transient Graph error (HTTP 500, `is_transient: true`).
    ///
    /// ```
    /// let f = socialkit::adapters::graph::twin::Fault::transient(2);
    /// assert!(matches!(f, socialkit::adapters::graph::twin::Fault::Graph { status: 500, transient: true, .. }));
    /// ```
    pub fn transient(code: i64) -> Fault {
        Fault::Graph {
            status: 500,
            code,
            subcode: None,
            kind: "OAuthException".into(),
            message: "An unexpected error has occurred. Please retry your request later.".into(),
            transient: true,
        }
    }

    /// An HTML error page, as a proxy sends.
    ///
    /// ```
    /// let f = socialkit::adapters::graph::twin::Fault::html(502);
    /// assert!(matches!(f, socialkit::adapters::graph::twin::Fault::Status { status: 502, .. }));
    /// ```
    pub fn html(status: u16) -> Fault {
        Fault::Status {
            status,
            body: format!(
                "<!DOCTYPE html><html><head><title>Error</title></head><body>{status} — Sorry, something went wrong.</body></html>"
            ),
            content_type: "text/html; charset=utf-8".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct FaultRule {
    method: Option<Method>,
    path_contains: Option<String>,
    remaining: usize,
    fault: Fault,
}

/// The behaviour of one platform on the shared Graph twin.
pub(crate) trait Personality: Send + Sync + 'static {
    /// The platform name (for `X-Business-Use-Case-Usage` types).
    fn usage_type(&self) -> Option<&'static str>;
    /// Answers an authenticated request; `as_user` is true when the user token was used.
    fn route(&self, ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest, as_user: bool) -> Reply;
}

/// What a personality may read while answering.
pub(crate) struct Ctx<'a> {
    pub options: &'a TwinOptions,
    pub now: DateTime<Utc>,
}

struct Shared {
    options: Mutex<TwinOptions>,
    state: Mutex<State>,
    faults: Mutex<Vec<FaultRule>>,
    personality: Box<dyn Personality>,
    base: Url,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn options(&self) -> MutexGuard<'_, TwinOptions> {
        self.options.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running Graph twin (wrapped by each platform's twin). Dropping it stops the server.
pub(crate) struct GraphTwin {
    handle: TwinHandle,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for GraphTwin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphTwin")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Drop for GraphTwin {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl GraphTwin {
    pub(crate) async fn start(
        options: TwinOptions,
        personality: Box<dyn Personality>,
    ) -> Result<GraphTwin> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| Error::new(ErrorKind::Network, "cannot bind the twin").with_source(e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::new(ErrorKind::Network, "no twin address").with_source(e))?;
        let base = Url::parse(&format!("http://{addr}/"))?;
        let state = State {
            next_id: 17_841_000_000_000_000,
            container_polls: options.container_polls,
            quota_total: options.publish_quota,
            reply_quota_total: options.reply_quota,
            ..State::default()
        };
        let shared = Arc::new(Shared {
            options: Mutex::new(options),
            state: Mutex::new(state),
            faults: Mutex::new(Vec::new()),
            personality,
            base,
        });
        let app = Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(GraphTwin {
            handle: TwinHandle { shared },
            addr,
            shutdown: Some(tx),
        })
    }

    /// The base URL (`http://127.0.0.1:PORT/`).
    pub fn url(&self) -> Url {
        self.handle.shared.base.clone()
    }

    /// The address the twin listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The handle to inspect and steer the twin.
    pub fn handle(&self) -> &TwinHandle {
        &self.handle
    }
}

/// Inspects and steers a running twin. Cheap to clone.
///
/// ```
/// use socialkit::adapters::facebook::twin::FacebookTwin;
/// use socialkit::adapters::graph::twin::Fault;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = FacebookTwin::start().await.unwrap();
/// let h = twin.handle().clone();
/// h.inject(Some("GET"), None, 1, Fault::html(502));
/// assert_eq!(h.requests().len(), 0);
/// # });
/// ```
#[derive(Clone)]
pub struct TwinHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for TwinHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwinHandle")
            .field("base", &self.shared.base.as_str())
            .finish()
    }
}

impl TwinHandle {
    /// The account's access token.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// assert_eq!(twin.config().graph.token.expose(), h.token());
    /// # });
    /// ```
    pub fn token(&self) -> String {
        self.shared.options().token.clone()
    }

    /// The account's id.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// assert_eq!(h.account_id(), "1000001");
    /// # });
    /// ```
    pub fn account_id(&self) -> String {
        self.shared.options().account_id.clone()
    }

    /// Requests seen so far (faults included), as `(METHOD, path)`.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.publish_text("hi").await.unwrap();
    /// assert_eq!(h.requests()[0].0, "POST");
    /// # });
    /// ```
    pub fn requests(&self) -> Vec<(String, String)> {
        self.shared.state().requests.clone()
    }

    /// How many requests used `method` on a path containing `path`.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.publish_text("hi").await.unwrap();
    /// assert_eq!(h.requests_to("POST", "/feed"), 1);
    /// # });
    /// ```
    pub fn requests_to(&self, method: &str, path: &str) -> usize {
        self.shared
            .state()
            .requests
            .iter()
            .filter(|(m, p)| m.eq_ignore_ascii_case(method) && p.contains(path))
            .count()
    }

    /// Forgets the requests seen.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.publish_text("hi").await.unwrap();
    /// h.reset_requests();
    /// assert!(h.requests().is_empty());
    /// # });
    /// ```
    pub fn reset_requests(&self) {
        self.shared.state().requests.clear();
    }

    /// An object (deleted ones too).
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// let p = page.publish_text("hi").await.unwrap();
    /// assert_eq!(h.node(&p.post.id).unwrap().text, "hi");
    /// # });
    /// ```
    pub fn node(&self, id: &str) -> Option<Node> {
        self.shared
            .state()
            .nodes
            .iter()
            .find(|n| n.id == id)
            .cloned()
    }

    /// Every object, oldest first.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.publish_text("hi").await.unwrap();
    /// assert_eq!(h.nodes().len(), 1);
    /// # });
    /// ```
    pub fn nodes(&self) -> Vec<Node> {
        self.shared.state().nodes.clone()
    }

    /// Live posts of the account, oldest first.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.publish_text("hi").await.unwrap();
    /// assert_eq!(h.posts().len(), 1);
    /// # });
    /// ```
    pub fn posts(&self) -> Vec<Node> {
        let owner = self.account_id();
        self.shared
            .state()
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Post && !n.deleted && n.author_id == owner)
            .cloned()
            .collect()
    }

    /// Answers the next `times` requests whose method is `method` (any when `None`) and whose
    /// path contains `path` (any when `None`) with `fault`.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// use socialkit::adapters::graph::twin::Fault;
    /// let page = Facebook::new(twin.config()).unwrap();
    /// h.inject(Some("POST"), Some("/feed"), 1, Fault::graph(368, None, "blocked"));
    /// assert_eq!(page.publish_text("hi").await.unwrap_err().kind(), socialkit::ErrorKind::ContentRejected);
    /// # });
    /// ```
    pub fn inject(&self, method: Option<&str>, path: Option<&str>, times: usize, fault: Fault) {
        let method = method.and_then(|m| Method::from_bytes(m.as_bytes()).ok());
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(FaultRule {
                method,
                path_contains: path.map(str::to_string),
                remaining: times,
                fault,
            });
    }

    /// Makes `author` comment `text` on `on` (a post or, for a reply to a comment, a comment);
    /// returns the comment's id. The author's id is derived from the name.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// let p = page.publish_text("hi").await.unwrap();
    /// let c = h.comment(&p.post.id, "bob", "hello");
    /// assert_eq!(h.node(&c).unwrap().parent.as_deref(), Some(p.post.id.as_str()));
    /// # });
    /// ```
    pub fn comment(&self, on: &str, author: &str, text: &str) -> String {
        let mut s = self.shared.state();
        let prefix = s
            .node(on)
            .filter(|n| n.id.contains('_'))
            .map(|n| n.id.rsplit('_').next().unwrap_or("0").to_string());
        let n = s.id();
        let id = match prefix {
            Some(p) => format!("{p}_{n}"),
            None => n,
        };
        let mut node = Node::new(id, NodeKind::Comment, &author_id(author), author);
        node.text = text.to_string();
        node.parent = Some(on.to_string());
        s.add(node)
    }

    /// Makes `author` reply `text` to the Threads post `to` (a reply is a post of its own);
    /// returns the reply's id.
    ///
    /// ```
    /// use socialkit::adapters::threads::{Threads, twin::ThreadsTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = ThreadsTwin::start().await.unwrap();
    /// let p = Threads::new(twin.config()).unwrap().publish_text("hi").await.unwrap();
    /// let r = twin.handle().reply(&p.post.id, "bob", "hello");
    /// assert_eq!(twin.handle().node(&r).unwrap().author_name, "bob");
    /// # });
    /// ```
    pub fn reply(&self, to: &str, author: &str, text: &str) -> String {
        let mut s = self.shared.state();
        let id = s.id();
        let mut node = Node::new(id.clone(), NodeKind::Post, &author_id(author), author);
        node.text = text.to_string();
        node.parent = Some(to.to_string());
        node.media_type = "TEXT_POST".into();
        node.permalink = format!("https://www.threads.net/@{author}/post/{id}");
        s.add(node)
    }

    /// Sets a counter (`likes`, `shares`, `views`, `reach` …) of an object.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// let p = page.publish_text("hi").await.unwrap();
    /// h.set_count(&p.post.id, "likes", 7);
    /// assert_eq!(h.node(&p.post.id).unwrap().count("likes"), 7);
    /// # });
    /// ```
    pub fn set_count(&self, id: &str, name: &str, value: u64) {
        if let Some(n) = self.shared.state().node_mut(id) {
            n.counts.insert(name.to_string(), value);
        }
    }

    /// How many status polls new containers stay `IN_PROGRESS` for.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.set_container_polls(0);
    /// ig.publish(&post, &PublishOptions::default()).await.unwrap();
    /// assert_eq!(h.requests_to("GET", &format!("/{}", h.containers()[0].id)), 1);
    /// # });
    /// ```
    pub fn set_container_polls(&self, polls: u32) {
        self.shared.state().container_polls = polls;
    }

    /// The next container fails processing with `reason` (status `ERROR`).
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.fail_next_container("ERROR: download failed");
    /// let e = ig.publish(&post, &PublishOptions::default()).await.unwrap_err();
    /// assert_eq!(e.kind(), socialkit::ErrorKind::ContentRejected);
    /// # });
    /// ```
    pub fn fail_next_container(&self, reason: &str) {
        self.shared.state().fail_next_container = Some(reason.to_string());
    }

    /// Makes a container `FINISHED` (when it is still in progress).
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.set_container_polls(1000);
    /// let mut config = twin.config();
    /// config.graph.container_wait.max_wait = std::time::Duration::from_millis(50);
    /// let slow = Instagram::new(config).unwrap();
    /// let opts = PublishOptions::with_key("k");
    /// assert!(slow.publish(&post, &opts).await.is_err());
    /// h.finish_container(&h.containers()[0].id);
    /// assert!(slow.publish(&post, &opts).await.is_ok());
    /// # });
    /// ```
    pub fn finish_container(&self, id: &str) {
        if let Some(n) = self.shared.state().node_mut(id) {
            if matches!(n.container, Some(ContainerState::InProgress(_))) {
                n.container = Some(ContainerState::Finished);
            }
        }
    }

    /// Marks a container `EXPIRED`.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.set_container_polls(1000);
    /// let mut config = twin.config();
    /// config.graph.container_wait.max_wait = std::time::Duration::from_millis(50);
    /// let slow = Instagram::new(config).unwrap();
    /// let opts = PublishOptions::with_key("k");
    /// assert!(slow.publish(&post, &opts).await.is_err());
    /// h.expire_container(&h.containers()[0].id);
    /// h.set_container_polls(0);
    /// slow.publish(&post, &opts).await.unwrap();
    /// assert_eq!(h.containers().len(), 2);
    /// # });
    /// ```
    pub fn expire_container(&self, id: &str) {
        if let Some(n) = self.shared.state().node_mut(id) {
            n.container = Some(ContainerState::Expired);
        }
    }

    /// Containers made so far (published ones included).
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// ig.publish(&post, &PublishOptions::default()).await.unwrap();
    /// assert_eq!(h.containers().len(), 1);
    /// # });
    /// ```
    pub fn containers(&self) -> Vec<Node> {
        self.shared
            .state()
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Container)
            .cloned()
            .collect()
    }

    /// Publishes counted against the quota in the last 24 hours.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// ig.publish(&post, &PublishOptions::default()).await.unwrap();
    /// assert_eq!(h.publishes(), 1);
    /// # });
    /// ```
    pub fn publishes(&self) -> u64 {
        self.shared.state().publishes_in_window(Utc::now())
    }

    /// Fills the publishing quota up to `used` posts.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.use_quota(100);
    /// let e = ig.publish(&post, &PublishOptions::default()).await.unwrap_err();
    /// assert_eq!(e.kind(), socialkit::ErrorKind::RateLimited);
    /// # });
    /// ```
    pub fn use_quota(&self, used: u64) {
        let mut s = self.shared.state();
        let now = Utc::now();
        s.publishes = (0..used).map(|_| now).collect();
    }

    /// The posts allowed per 24 hours.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.set_quota(0);
    /// assert!(ig.publish(&post, &PublishOptions::default()).await.is_err());
    /// # });
    /// ```
    pub fn set_quota(&self, total: u64) {
        self.shared.state().quota_total = total;
    }

    /// Adds `percent` to the usage the headers report (to show a nearly used budget).
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// use socialkit::Platform;
    /// h.add_usage(90);
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.channel().await.unwrap();
    /// assert!(page.rate_limit().unwrap().usage_percent.unwrap() >= 90.0);
    /// # });
    /// ```
    pub fn add_usage(&self, percent: u64) {
        self.shared.state().extra_usage = percent;
    }

    /// The current account token (after a rotating refresh it changes).
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// use socialkit::Platform;
    /// h.set_token("EAAnewTOKEN");
    /// let page = Facebook::new(twin.config()).unwrap();
    /// assert!(page.channel().await.is_ok());
    /// # });
    /// ```
    pub fn set_token(&self, token: &str) {
        self.shared.options().token = token.to_string();
    }
}

/// A stable account id for a name (`bob` → a number), so tests need not keep ids.
///
/// ```
/// use socialkit::adapters::graph::twin::author_id;
/// assert_eq!(author_id("bob"), author_id("bob"));
/// assert_ne!(author_id("bob"), author_id("carol"));
/// ```
pub fn author_id(name: &str) -> String {
    let mut h: u64 = 1469598103934665603;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(1099511628211);
    }
    (h % 9_000_000_000 + 1_000_000_000).to_string()
}

async fn handle(AxState(shared): AxState<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let headers = request.headers().clone();
    let mut params: BTreeMap<String, String> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut file = None;
    if content_type.starts_with("multipart/form-data") {
        match Multipart::from_request(request, &()).await {
            Ok(mut m) => {
                while let Ok(Some(field)) = m.next_field().await {
                    let name = field.name().unwrap_or("").to_string();
                    let is_file = field.file_name().is_some();
                    let mime = field.content_type().unwrap_or("").to_string();
                    let Ok(data) = field.bytes().await else { break };
                    if is_file {
                        file = Some((data.len(), mime));
                    } else {
                        params.insert(name, String::from_utf8_lossy(&data).into_owned());
                    }
                }
            }
            Err(_) => return json_reply(Reply::invalid("malformed multipart body"), None),
        }
    } else if let Ok(bytes) = axum::body::to_bytes(request.into_body(), 64 * 1024 * 1024).await {
        if content_type.starts_with("application/x-www-form-urlencoded") {
            params.extend(url::form_urlencoded::parse(&bytes).into_owned());
        }
    }
    let req = GraphRequest::new(method.clone(), &path, &headers, params, file);
    shared
        .state()
        .requests
        .push((method.to_string(), path.clone()));
    let fault = take_fault(&shared, &method, &path);
    let usage_type = shared.personality.usage_type();
    if let Some(fault) = fault {
        if fault == Fault::Lost {
            let _ = answer(&shared, &req);
            return fault_reply(&shared, Fault::html(504), &req, usage_type);
        }
        return fault_reply(&shared, fault, &req, usage_type);
    }
    let reply = answer(&shared, &req);
    let mut response = json_reply(reply, None);
    add_usage(&shared, &mut response, usage_type, None);
    response
}

fn take_fault(shared: &Shared, method: &Method, path: &str) -> Option<Fault> {
    let mut faults = shared.faults.lock().unwrap_or_else(|p| p.into_inner());
    let found = faults.iter_mut().find(|r| {
        r.remaining > 0
            && r.method.as_ref().is_none_or(|m| m == method)
            && r.path_contains.as_deref().is_none_or(|p| path.contains(p))
    });
    let fault = found.map(|r| {
        r.remaining -= 1;
        r.fault.clone()
    });
    faults.retain(|r| r.remaining > 0);
    fault
}

fn answer(shared: &Shared, req: &GraphRequest) -> Reply {
    let options = shared.options().clone();
    let path = req.path();
    // Token endpoints (versioned or not).
    match path.as_slice() {
        ["oauth", "access_token"] | ["access_token"] | ["refresh_access_token"] => {
            return token_endpoint(shared, &options, req);
        }
        _ => {}
    }
    if req.version.is_none() {
        return Reply::error(
            400,
            2500,
            None,
            "OAuthException",
            "Unknown path components: the path must start with an API version such as /v23.0/",
        );
    }
    let as_user = match req.token.as_deref() {
        Some(t) if t == options.token => false,
        Some(t) if t == options.user_token => true,
        Some(_) => {
            return Reply::error(
                400,
                190,
                None,
                "OAuthException",
                "Invalid OAuth access token - Cannot parse access token",
            );
        }
        None => {
            return Reply::error(
                400,
                2500,
                None,
                "OAuthException",
                "An active access token must be used to query information about the current user.",
            );
        }
    };
    let ctx = Ctx {
        options: &options,
        now: Utc::now(),
    };
    let mut state = shared.state();
    shared.personality.route(&ctx, &mut state, req, as_user)
}

fn token_endpoint(shared: &Shared, options: &TwinOptions, req: &GraphRequest) -> Reply {
    let grant = req.param("grant_type").unwrap_or("");
    let issued = |token: &str| {
        Reply::ok(json!({ "access_token": token, "token_type": "bearer", "expires_in": 5_183_944 }))
    };
    match grant {
        "fb_exchange_token" => {
            if req.param("client_id").is_none() || req.param("client_secret").is_none() {
                return Reply::invalid("Missing client_id or client_secret");
            }
            match req.param("fb_exchange_token") {
                Some(t) if !t.is_empty() => issued(&options.user_token),
                _ => Reply::invalid("Missing fb_exchange_token"),
            }
        }
        "th_exchange_token" | "ig_exchange_token" => {
            if req.param("client_secret").is_none() || req.param("access_token").is_none() {
                return Reply::invalid("Missing client_secret or access_token");
            }
            issued(&options.token)
        }
        "th_refresh_token" | "ig_refresh_token" => {
            if req.param("access_token") != Some(options.token.as_str()) {
                return Reply::error(
                    400,
                    190,
                    Some(463),
                    "OAuthException",
                    "Error validating access token: Session has expired",
                );
            }
            if options.refresh_rotates {
                let fresh = format!("{}R", options.token);
                shared.options().token = fresh.clone();
                issued(&fresh)
            } else {
                issued(&options.token)
            }
        }
        _ => Reply::invalid("Unsupported grant_type"),
    }
}

fn usage_percent(shared: &Shared) -> u64 {
    let budget = shared.options().calls_per_hour.max(1);
    let s = shared.state();
    let used = s.requests.len() as u64 * 100 / budget;
    (used + s.extra_usage).min(100)
}

fn add_usage(
    shared: &Shared,
    response: &mut Response,
    usage_type: Option<&str>,
    regain: Option<u64>,
) {
    let percent = if regain.is_some() {
        100
    } else {
        usage_percent(shared)
    };
    let app =
        json!({ "call_count": percent, "total_cputime": percent / 2, "total_time": percent / 2 });
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&app.to_string()) {
        h.insert("x-app-usage", v);
    }
    if let Some(kind) = usage_type {
        let account = shared.options().account_id.clone();
        let buc = json!({ account: [{
            "type": kind,
            "call_count": percent,
            "total_cputime": percent / 2,
            "total_time": percent / 2,
            "estimated_time_to_regain_access": regain.unwrap_or(0),
        }]});
        if let Ok(v) = HeaderValue::from_str(&buc.to_string()) {
            h.insert("x-business-use-case-usage", v);
        }
    }
}

fn fault_reply(
    shared: &Shared,
    fault: Fault,
    req: &GraphRequest,
    usage_type: Option<&str>,
) -> Response {
    match fault {
        Fault::Graph {
            status,
            code,
            subcode,
            kind,
            message,
            transient,
        } => {
            let mut reply = Reply::error(status, code, subcode, &kind, &message);
            if transient {
                reply.body["error"]["is_transient"] = json!(true);
            }
            let mut r = json_reply(reply, None);
            add_usage(shared, &mut r, usage_type, None);
            r
        }
        Fault::Throttle {
            code,
            regain_minutes,
        } => {
            let reply = Reply::error(
                400,
                code,
                None,
                "OAuthException",
                &format!("(#{code}) Application request limit reached"),
            );
            let mut r = json_reply(reply, None);
            // Page and Instagram tokens say when access comes back in the BUC header; app
            // tokens only show the usage.
            add_usage(
                shared,
                &mut r,
                usage_type.or(Some("pages")),
                Some(regain_minutes),
            );
            r
        }
        Fault::Status {
            status,
            body,
            content_type,
        } => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(header::CONTENT_TYPE, content_type)],
            body,
        )
            .into_response(),
        Fault::MalformedJson => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"id\": \"1\", \"data\": [",
        )
            .into_response(),
        Fault::Lost => fault_reply(shared, Fault::html(504), req, usage_type),
        Fault::EchoToken => {
            let token = req.token.clone().unwrap_or_default();
            let reply = Reply::error(
                400,
                190,
                Some(460),
                "OAuthException",
                &format!(
                    "Error validating access token {token}: the session has been invalidated because the user changed their password"
                ),
            );
            json_reply(reply, None)
        }
    }
}

fn json_reply(reply: Reply, _extra: Option<()>) -> Response {
    let mut r = Response::new(Body::from(reply.body.to_string()));
    *r.status_mut() = reply.status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

/// The quota answer both container platforms use.
pub(crate) fn publishing_limit(ctx: &Ctx<'_>, state: &State, with_replies: bool) -> Reply {
    let mut entry = json!({
        "quota_usage": state.publishes_in_window(ctx.now),
        "config": { "quota_total": state.quota_total, "quota_duration": 86_400 },
    });
    if with_replies {
        entry["reply_quota_usage"] = json!(state.replies_in_window(ctx.now));
        entry["reply_config"] =
            json!({ "quota_total": state.reply_quota_total, "quota_duration": 86_400 });
    }
    Reply::ok(json!({ "data": [entry] }))
}

/// `GET /{container}`: the status (counting the poll).
pub(crate) fn container_status(
    state: &mut State,
    id: &str,
    code_field: &str,
    message_field: &str,
) -> Option<Reply> {
    let st = state.poll_container(id)?;
    let mut body = json!({ "id": id, code_field: st.code() });
    match &st {
        ContainerState::Error(reason) => body[message_field] = json!(reason),
        _ if message_field == "status" => {
            body["status"] = json!(format!("{}: {}", st.code(), "ok"))
        }
        _ => {}
    }
    Some(Reply::ok(body))
}

/// Checks a container can be published: it must be `FINISHED` and the quota not used up.
pub(crate) fn check_publishable(
    ctx: &Ctx<'_>,
    state: &State,
    id: &str,
    is_reply: bool,
) -> std::result::Result<(), Reply> {
    let Some(node) = state.node(id).filter(|n| n.kind == NodeKind::Container) else {
        return Err(Reply::error(
            400,
            100,
            Some(2207006),
            "OAuthException",
            "The media with the given creation_id was not found",
        ));
    };
    match &node.container {
        Some(ContainerState::Finished) => {}
        Some(ContainerState::Published(_)) => {
            return Err(Reply::error(
                400,
                100,
                None,
                "OAuthException",
                "This media container was already published",
            ));
        }
        Some(ContainerState::Expired) => {
            return Err(Reply::error(
                400,
                100,
                Some(2207008),
                "OAuthException",
                "The media container has expired",
            ));
        }
        _ => {
            return Err(Reply::error(
                400,
                9007,
                Some(2207027),
                "OAuthException",
                "Media ID is not available: the media is not ready for publishing, please wait for a moment",
            ));
        }
    }
    let (used, total) = if is_reply {
        (state.replies_in_window(ctx.now), state.reply_quota_total)
    } else {
        (state.publishes_in_window(ctx.now), state.quota_total)
    };
    if used >= total {
        return Err(Reply::error(
            400,
            4,
            Some(2207042),
            "OAuthException",
            "Application request limit reached: the daily publishing limit is reached",
        ));
    }
    Ok(())
}
