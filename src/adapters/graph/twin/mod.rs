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
//! - the login endpoints (module `login`): Facebook Login's `dialog/oauth` and Threads'
//!   `oauth/authorize` consent, which approve at once and redirect back with a code, the code
//!   exchange, and `debug_token` with the granted scopes;
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

mod handle;
mod login;
mod platform;
mod quota;
mod request;
mod search;
mod server;
mod state;

pub(crate) use request::{GraphRequest, Reply};
pub(crate) use state::State;
pub use state::{ContainerState, Node, NodeKind};

pub use handle::{TwinHandle, author_id};
pub use platform::{Flavor, PlatformTwin, Routes};
pub(crate) use quota::{check_publishable, container_status, publishing_limit};
pub(crate) use request::{paged, select};
pub(crate) use search::{has_hashtag, has_terms};

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use chrono::{DateTime, Utc};
use url::Url;

use crate::Result;
use crate::testkit::twin::{Faults, RequestLog, TwinServer, instrument};

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
    /// Whether the app may search public posts (Threads `threads_keyword_search` approved in
    /// App Review, Instagram Public Content Access); without it Threads searches only the
    /// account's own posts.
    pub public_search: bool,
    /// The app id the login endpoints accept (`client_id`; the Threads app id on a Threads
    /// twin).
    pub app_id: String,
    /// The app secret the code exchange and `APP_ID|APP_SECRET` app tokens must carry.
    pub app_secret: String,
    /// Permissions the user unticks on the consent dialog: requested but not granted, so the
    /// token debugger does not list them.
    pub declined_scopes: Vec<String>,
    /// Further Pages the user manages, listed by `GET /me/accounts` after the twin's own.
    pub other_pages: Vec<LinkedPage>,
}

/// A Page listed by `GET /me/accounts` besides the twin's own account (only listed: the
/// twin's other routes serve its own account).
///
/// ```
/// let p = socialkit::adapters::graph::twin::LinkedPage::new("1000002", "ACME Outlet", "EAAtwinOUTLET");
/// assert!(p.instagram.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedPage {
    /// The Page id.
    pub id: String,
    /// The Page name.
    pub name: String,
    /// Its Page access token.
    pub token: String,
    /// The Instagram professional account linked to it.
    pub instagram: Option<String>,
}

impl LinkedPage {
    /// A Page without a linked Instagram account.
    pub fn new(id: &str, name: &str, token: &str) -> LinkedPage {
        LinkedPage {
            id: id.into(),
            name: name.into(),
            token: token.into(),
            instagram: None,
        }
    }

    /// As `GET /me/accounts?fields=id,name,access_token,instagram_business_account` lists it
    /// (source: <https://developers.facebook.com/docs/graph-api/reference/user/accounts/>).
    pub(crate) fn json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "id": self.id,
            "name": self.name,
            "access_token": self.token,
            "category": "Product/service",
        });
        if let Some(ig) = &self.instagram {
            v["instagram_business_account"] = serde_json::json!({ "id": ig });
        }
        v
    }
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
            public_search: true,
            app_id: "1234567890123456".into(),
            app_secret: "twin-app-secret".into(),
            declined_scopes: Vec::new(),
            other_pages: Vec::new(),
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
pub(crate) struct FaultRule {
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

pub(crate) struct Shared {
    options: Mutex<TwinOptions>,
    state: Mutex<State>,
    /// Faults that need the request (an echoed token, a lost answer).
    special: Mutex<Vec<FaultRule>>,
    /// Canned faults, answered by the shared twin middleware before the routes.
    canned: Faults,
    /// Every request, logged by the shared twin middleware.
    log: RequestLog,
    personality: Box<dyn Personality>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn options(&self) -> MutexGuard<'_, TwinOptions> {
        self.options.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running Graph twin (wrapped by each platform's twin), served by the shared
/// [`TwinServer`]. Dropping it stops the server.
#[derive(Debug)]
pub(crate) struct GraphTwin {
    handle: TwinHandle,
    server: TwinServer,
}

impl GraphTwin {
    pub(crate) async fn start(
        options: TwinOptions,
        personality: Box<dyn Personality>,
    ) -> Result<GraphTwin> {
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
            special: Mutex::new(Vec::new()),
            canned: Faults::default(),
            log: RequestLog::default(),
            personality,
        });
        let routes = Router::new()
            .fallback(server::handle)
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(shared.clone());
        let app = instrument(routes, &shared.log, &shared.canned);
        let server = TwinServer::start(app).await?;
        Ok(GraphTwin {
            handle: TwinHandle { shared },
            server,
        })
    }

    /// The base URL (`http://127.0.0.1:PORT/`).
    pub fn url(&self) -> Url {
        self.server.base_url()
    }

    /// The address the twin listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The handle to inspect and steer the twin.
    pub fn handle(&self) -> &TwinHandle {
        &self.handle
    }
}
