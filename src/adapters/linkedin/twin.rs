//! A local twin of LinkedIn's versioned REST API, for tests (feature `testkit`).
//!
//! An axum app on `127.0.0.1:0` that behaves as LinkedIn's documentation says:
//!
//! - bearer auth (401 `65600` `INVALID_ACCESS_TOKEN`, or `65601` `REVOKED_ACCESS_TOKEN` after
//!   [`TwinHandle::revoke`]); every `/rest` call needs `LinkedIn-Version: YYYYMM` (400
//!   `VERSION_MISSING` without, 426 `NONEXISTENT_VERSION` outside
//!   [`TwinOptions::active_versions`]: LinkedIn serves each monthly version for about a year,
//!   <https://learn.microsoft.com/en-us/linkedin/marketing/versioning>) and
//!   `X-Restli-Protocol-Version: 2.0.0` (400 otherwise);
//! - scopes ([`TwinOptions::scopes`]): reading posts, comments and social metadata needs
//!   `r_member_social` (a member) or `r_organization_social` (a page), `/rest/socialActions`
//!   needs Community Management access (a page, or a member with `w_member_social_feed`);
//!   a self-serve member comments through `/v2/socialActions` — 403 `ACCESS_DENIED` otherwise;
//! - `POST /rest/posts` → 201, empty body, the URN in `x-restli-id`; missing fields → 422;
//!   the same commentary again → 422 `DUPLICATE_POST`; an unescaped reserved character cuts
//!   the stored text there, as LinkedIn does silently ([`TwinPost::shown`]); finder
//!   `q=author`, `GET` and idempotent `DELETE` (204 even when gone);
//! - Images, Documents and Videos: `initializeUpload`, `PUT` to upload URLs on the twin
//!   (video parts answer an `ETag`), `finalizeUpload` checks the ETags, and `GET` answers
//!   `PROCESSING` for the configured polls, then `AVAILABLE` (or `PROCESSING_FAILED`); posts
//!   refuse media that is not `AVAILABLE`;
//! - comments (`GET`/`POST`/`DELETE /{rest|v2}/socialActions/{urn}/comments`; a nested
//!   comment is created on its parent comment's path with `parentComment` in the body, as the
//!   Comments API documents: <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api>),
//!   `socialMetadata`,
//!   `organizationalEntityShareStatistics` (Rest.li `List(…)`), `/v2/userinfo`,
//!   `/rest/organizations/{id}`, `/rest/networkSizes/{urn}`;
//! - a daily call quota answering 429 without headers, and injectable faults.
//!
//! ```
//! use socialkit::adapters::linkedin::{LinkedIn, twin::Twin};
//! use socialkit::PlatformExt;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = Twin::start().await.unwrap();
//! let li = LinkedIn::new(twin.config());
//! let p = li.publish_text("Hello (twin) #launch").await.unwrap();
//! assert_eq!(twin.handle().post(&p.post.id).unwrap().shown, r"Hello \(twin\) {hashtag|\#|launch}");
//! # });
//! ```

mod oauth;
mod state;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde_json::{Value, json};
use url::Url;

use super::LinkedInConfig;
use crate::Result;
use crate::testkit::twin::{Canned, Faults, RequestLog, TwinServer, instrument};

use state::{Answer, Fail, State as Inner};

/// How the twin behaves.
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// The access token.
    pub token: String,
    /// The author the token may post as.
    pub author: String,
    /// The commentary limit (UTF-16 units).
    pub max_chars: usize,
    /// Status checks answered `PROCESSING` after an upload.
    pub media_processing_polls: u32,
    /// Whether processing fails.
    pub media_processing_fails: bool,
    /// Bytes per video part.
    pub video_part_bytes: u64,
    /// Calls per day before 429.
    pub daily_calls: u64,
    /// Organization followers.
    pub followers: u64,
    /// The scopes the token was granted.
    pub scopes: Vec<String>,
    /// The `LinkedIn-Version`s served (others answer 426 `NONEXISTENT_VERSION`).
    pub active_versions: std::ops::RangeInclusive<u32>,
    /// The organizations the member administers (URN, `localizedName`): listed by
    /// `/rest/organizationAcls` and readable at `/rest/organizations/{id}`.
    pub administered: Vec<(String, String)>,
    /// The refresh token the code exchange hands out (approved partners); `None`: none.
    pub refresh_token: Option<String>,
}

/// The scopes of an approved member app: self-serve posting plus the restricted
/// `r_member_social` read scope.
pub const APPROVED_MEMBER_SCOPES: [&str; 4] =
    ["openid", "profile", "w_member_social", "r_member_social"];

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            token: "twin-linkedin-token".into(),
            author: "urn:li:person:twinmember".into(),
            max_chars: 3000,
            media_processing_polls: 1,
            media_processing_fails: false,
            video_part_bytes: 4 * 1024 * 1024,
            daily_calls: u64::MAX,
            followers: 0,
            scopes: APPROVED_MEMBER_SCOPES.map(String::from).to_vec(),
            active_versions: 202512..=202612,
            administered: Vec::new(),
            refresh_token: None,
        }
    }
}

impl TwinOptions {
    /// Options for an organization author.
    ///
    /// ```
    /// let o = socialkit::adapters::linkedin::twin::TwinOptions::organization();
    /// assert!(o.author.starts_with("urn:li:organization:"));
    /// ```
    pub fn organization() -> Self {
        TwinOptions {
            author: "urn:li:organization:1001".into(),
            followers: 1234,
            scopes: super::oauth::ORGANIZATION_SCOPES.map(String::from).to_vec(),
            ..TwinOptions::default()
        }
    }

    /// Options for a self-serve member app: `openid profile w_member_social` ("Share on
    /// LinkedIn" and "Sign In with LinkedIn"), nothing to read.
    ///
    /// ```
    /// let o = socialkit::adapters::linkedin::twin::TwinOptions::self_serve_member();
    /// assert!(!o.scopes.iter().any(|s| s == "r_member_social"));
    /// ```
    pub fn self_serve_member() -> Self {
        TwinOptions {
            scopes: super::oauth::MEMBER_SCOPES.map(String::from).to_vec(),
            ..TwinOptions::default()
        }
    }

    fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    fn organization_author(&self) -> bool {
        self.author.starts_with("urn:li:organization:")
    }

    /// Whether the token may read posts, comments and social metadata.
    fn may_read(&self) -> bool {
        self.has(if self.organization_author() {
            "r_organization_social"
        } else {
            "r_member_social"
        })
    }

    /// Whether the token may use the versioned `/rest/socialActions`.
    fn community_management(&self) -> bool {
        self.organization_author() || self.has("w_member_social_feed")
    }
}

/// A post in the twin.
#[derive(Debug, Clone, PartialEq)]
pub struct TwinPost {
    /// URN.
    pub urn: String,
    /// Author URN.
    pub author: String,
    /// Commentary as sent.
    pub commentary: String,
    /// Commentary as LinkedIn keeps it (cut at the first unescaped reserved character).
    pub shown: String,
    /// Creation, epoch ms.
    pub created_ms: i64,
    /// `content` as sent.
    pub content: Option<Value>,
    /// Deleted.
    pub deleted: bool,
    /// Reactions.
    pub reactions: u64,
    /// Impressions.
    pub impressions: u64,
    /// Unique impressions.
    pub unique_impressions: u64,
    /// Clicks.
    pub clicks: u64,
    /// Reshares.
    pub shares: u64,
}

/// An uploaded asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinAsset {
    /// URN.
    pub urn: String,
    /// `images`, `documents`, `videos`.
    pub kind: String,
    /// Owner URN.
    pub owner: String,
    /// Status.
    pub status: String,
    /// Checks left before processing ends.
    pub polls_left: u32,
    /// Whether processing fails.
    pub fails: bool,
    /// Announced size (videos).
    pub size: u64,
    /// Bytes received per part.
    pub received: Vec<usize>,
    /// ETags per part.
    pub etags: Vec<String>,
}

/// A comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinComment {
    /// Id.
    pub id: String,
    /// URN.
    pub urn: String,
    /// Post URN.
    pub post: String,
    /// Actor URN.
    pub actor: String,
    /// Text.
    pub text: String,
    /// Creation, epoch ms.
    pub created_ms: i64,
    /// Parent comment URN.
    pub parent: Option<String>,
    /// Deleted.
    pub deleted: bool,
}

/// Canned LinkedIn failures.
///
/// ```
/// assert_eq!(socialkit::adapters::linkedin::twin::LinkedInFault::throttled().status, 429);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LinkedInFault;

impl LinkedInFault {
    /// 429 as LinkedIn sends it: no rate-limit headers.
    pub fn throttled() -> Canned {
        Canned::json(
            429,
            json!({"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
                   "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}),
        )
    }

    /// 403 `ACCESS_DENIED`.
    pub fn access_denied() -> Canned {
        Canned::json(
            403,
            json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED",
                   "message": "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260101"}),
        )
    }

    /// 400 `ILLEGAL_ARGUMENT`.
    pub fn illegal_argument() -> Canned {
        Canned::json(
            400,
            json!({"status": 400, "code": "ILLEGAL_ARGUMENT", "message": "Syntax exception in path variables"}),
        )
    }

    /// A 5xx with JSON.
    pub fn server_error(status: u16) -> Canned {
        Canned::json(
            status,
            json!({"status": status, "message": "Internal Server Error"}),
        )
    }
}

pub(crate) struct Shared {
    state: Mutex<Inner>,
    base: Mutex<Option<Url>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running twin. Dropping it stops the server.
pub struct Twin {
    server: TwinServer,
    handle: TwinHandle,
}

impl std::fmt::Debug for Twin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Twin")
            .field("addr", &self.server.addr())
            .finish()
    }
}

impl Twin {
    /// Starts a twin with a member author.
    pub async fn start() -> Result<Twin> {
        Twin::start_with(TwinOptions::default()).await
    }

    /// Starts a twin.
    pub async fn start_with(options: TwinOptions) -> Result<Twin> {
        let shared = Arc::new(Shared {
            state: Mutex::new(Inner::new(options)),
            base: Mutex::new(None),
        });
        let (log, faults) = (RequestLog::default(), Faults::default());
        let server = TwinServer::start(instrument(router(shared.clone()), &log, &faults)).await?;
        *shared.base.lock().unwrap_or_else(|p| p.into_inner()) = Some(server.base_url());
        Ok(Twin {
            server,
            handle: TwinHandle {
                shared,
                log,
                faults,
            },
        })
    }

    /// The base URL.
    pub fn url(&self) -> Url {
        self.server.base_url()
    }

    /// The channel URL: `linkedin://TOKEN@127.0.0.1:PORT?scheme=http&author=…&scopes=…`.
    pub fn channel_url(&self) -> String {
        let g = self.handle.shared.lock();
        let author: String =
            url::form_urlencoded::byte_serialize(g.options.author.as_bytes()).collect();
        format!(
            "linkedin://{}@{}?scheme=http&author={author}&scopes={}",
            g.options.token,
            self.server.addr(),
            g.options.scopes.join(",")
        )
    }

    /// The config of the twin's author (media polling bounded to 30 s).
    pub fn config(&self) -> LinkedInConfig {
        let g = self.handle.shared.lock();
        let mut c = LinkedInConfig::new(g.options.token.clone())
            .unwrap_or_else(|_| unreachable!("the twin's token is not empty"));
        c.author = Some(g.options.author.clone());
        c.scopes = Some(g.options.scopes.clone());
        c.base_url = self.url();
        c.media_timeout = std::time::Duration::from_secs(30);
        c
    }

    /// The handle.
    pub fn handle(&self) -> &TwinHandle {
        &self.handle
    }
}

/// Inspects and steers a running twin. Cheap to clone.
#[derive(Clone)]
pub struct TwinHandle {
    shared: Arc<Shared>,
    log: RequestLog,
    faults: Faults,
}

impl std::fmt::Debug for TwinHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwinHandle")
            .field("requests", &self.log.count())
            .finish()
    }
}

impl TwinHandle {
    /// The requests seen.
    pub fn requests(&self) -> &RequestLog {
        &self.log
    }

    /// Answers `answer` to the next `times` matching requests.
    pub fn inject(&self, method: Option<&str>, path: Option<&str>, times: usize, answer: Canned) {
        self.faults.inject(method, path, times, answer);
    }

    /// The `X-RestLi-Method` header of every `DELETE` seen, in order (`None`: not sent).
    pub fn delete_methods(&self) -> Vec<Option<String>> {
        self.shared.lock().delete_methods.clone()
    }

    /// Revokes the token: every call answers 401 `REVOKED_ACCESS_TOKEN`.
    pub fn revoke(&self) {
        self.shared.lock().revoked = true;
    }

    /// A post (deleted ones too).
    pub fn post(&self, urn: &str) -> Option<TwinPost> {
        self.shared
            .lock()
            .posts
            .iter()
            .find(|p| p.urn == urn)
            .cloned()
    }

    /// Posts not deleted.
    pub fn posts(&self) -> Vec<TwinPost> {
        self.shared
            .lock()
            .posts
            .iter()
            .filter(|p| !p.deleted)
            .cloned()
            .collect()
    }

    /// An asset.
    pub fn asset(&self, urn: &str) -> Option<TwinAsset> {
        self.shared.lock().assets.get(urn).cloned()
    }

    /// A comment by URN.
    pub fn comment(&self, urn: &str) -> Option<TwinComment> {
        self.shared
            .lock()
            .comments
            .iter()
            .find(|c| c.urn == urn)
            .cloned()
    }

    /// Member `actor` comments on post `on`; returns the comment URN.
    pub fn add_comment(&self, on: &str, actor: &str, text: &str) -> Option<String> {
        let mut g = self.shared.lock();
        g.add_comment(on, actor, text, None).ok()?;
        g.comments.last().map(|c| c.urn.clone())
    }

    /// Adds engagement to a post.
    pub fn engage(&self, urn: &str, reactions: u64, impressions: u64, clicks: u64, shares: u64) {
        let mut g = self.shared.lock();
        if let Some(p) = g.posts.iter_mut().find(|p| p.urn == urn) {
            p.reactions += reactions;
            p.impressions += impressions;
            p.unique_impressions += impressions / 2;
            p.clicks += clicks;
            p.shares += shares;
        }
    }
}

type S = State<Arc<Shared>>;

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/rest/posts", post(create_post).get(find_posts))
        .route("/rest/posts/{urn}", get(get_post).delete(delete_post))
        .route("/rest/{kind}", post(media_action))
        .route("/rest/{kind}/{urn}", get(asset))
        .route("/dms-uploads/{key}", put(upload))
        .route(
            "/rest/socialActions/{urn}/comments",
            get(list_comments).post(create_comment),
        )
        .route(
            "/rest/socialActions/{urn}/comments/{id}",
            delete(delete_comment),
        )
        .route(
            "/v2/socialActions/{urn}/comments",
            get(list_comments_v2).post(create_comment_v2),
        )
        .route(
            "/v2/socialActions/{urn}/comments/{id}",
            delete(delete_comment_v2),
        )
        .route("/rest/socialMetadata/{urn}", get(social_metadata))
        .route(
            "/rest/organizationalEntityShareStatistics",
            get(share_statistics),
        )
        .route("/rest/organizations/{id}", get(organization))
        .route("/rest/networkSizes/{urn}", get(network_size))
        .route("/v2/userinfo", get(userinfo))
        .route("/oauth/v2/authorization", get(oauth::authorize))
        .route("/oauth/v2/accessToken", post(oauth::access_token))
        .route("/rest/organizationAcls", get(oauth::organization_acls))
        .fallback(|| async { reply(Err(Fail::not_found())) })
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(shared)
}

fn reply(a: Answer) -> Response {
    match a {
        Ok((status, body, headers)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut r = match body {
                Some(b) => (status, axum::Json(b)).into_response(),
                None => status.into_response(),
            };
            for (k, v) in headers {
                if let (Ok(k), Ok(v)) = (
                    axum::http::HeaderName::from_bytes(k.as_bytes()),
                    axum::http::HeaderValue::from_str(&v),
                ) {
                    r.headers_mut().insert(k, v);
                }
            }
            r
        }
        Err(f) => {
            let status =
                StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                f.body.to_string(),
            )
                .into_response()
        }
    }
}

/// Auth, protocol headers (on `/rest`), and the daily quota.
fn gate(s: &Shared, headers: &HeaderMap, rest: bool) -> std::result::Result<(), Box<Response>> {
    let mut g = s.lock();
    let bearer = format!("Bearer {}", g.token);
    let authed = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(bearer.as_str());
    if !authed || g.revoked {
        let body = if g.revoked && authed {
            json!({"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN",
                   "message": "The token used in the request has been revoked by the user"})
        } else {
            json!({"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN",
                   "message": "Invalid access token"})
        };
        return Err(Box::new(reply(Err(Fail { status: 401, body }))));
    }
    if rest {
        let version = headers
            .get("linkedin-version")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if version.len() != 6 || !version.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Box::new(reply(Err(Fail::new(
                400,
                "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
            )))));
        }
        if !version
            .parse::<u32>()
            .is_ok_and(|v| g.options.active_versions.contains(&v))
        {
            return Err(Box::new(reply(Err(Fail::new(
                426,
                "NONEXISTENT_VERSION",
                &format!("Requested version {version} is not active"),
            )))));
        }
        if headers
            .get("x-restli-protocol-version")
            .and_then(|v| v.to_str().ok())
            != Some("2.0.0")
        {
            return Err(Box::new(reply(Err(Fail::new(
                400,
                "ILLEGAL_ARGUMENT",
                "X-Restli-Protocol-Version 2.0.0 is required",
            )))));
        }
    }
    g.calls += 1;
    if g.calls > g.options.daily_calls {
        return Err(Box::new(reply(Err(Fail {
            status: 429,
            body: json!({"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
                         "message": "Resource level throttle MEMBER DAY limit for calls to this resource is reached."}),
        }))));
    }
    Ok(())
}

macro_rules! gate {
    ($s:expr, $h:expr, $rest:expr) => {
        if let Err(r) = gate(&$s, &$h, $rest) {
            return *r;
        }
    };
}

fn json_body(body: &Bytes) -> std::result::Result<Value, Box<Response>> {
    serde_json::from_slice(body).map_err(|_| {
        Box::new(reply(Err(Fail::new(
            400,
            "ILLEGAL_ARGUMENT",
            "Malformed JSON body",
        ))))
    })
}

/// 403 as LinkedIn answers a call the token's scopes do not cover.
fn denied(what: &str) -> Response {
    reply(Err(Fail::new(
        403,
        "ACCESS_DENIED",
        &format!("Not enough permissions to access: {what}"),
    )))
}

/// Reads need `r_member_social` (member) or `r_organization_social` (page).
macro_rules! need_read {
    ($s:expr, $what:expr) => {
        if !$s.lock().options.may_read() {
            return denied($what);
        }
    };
}

fn query(raw: &Option<String>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

async fn create_post(State(s): S, h: HeaderMap, body: Bytes) -> Response {
    gate!(s, h, true);
    match json_body(&body) {
        Ok(v) => reply(s.lock().create_post(&v)),
        Err(r) => *r,
    }
}

async fn find_posts(State(s): S, h: HeaderMap, RawQuery(q): RawQuery) -> Response {
    gate!(s, h, true);
    need_read!(s, "partnerApiPostsExternal.FINDER-author");
    reply(s.lock().find_posts(&query(&q)))
}

async fn get_post(State(s): S, h: HeaderMap, Path(urn): Path<String>) -> Response {
    gate!(s, h, true);
    need_read!(s, "partnerApiPostsExternal.GET");
    let g = s.lock();
    reply(
        g.post(&urn)
            .map(|p| (200, Some(Inner::post_json(p)), Vec::new()))
            .ok_or_else(Fail::not_found),
    )
}

async fn delete_post(State(s): S, h: HeaderMap, Path(urn): Path<String>) -> Response {
    gate!(s, h, true);
    let mut g = s.lock();
    g.delete_methods.push(restli_method(&h));
    // Idempotent: 204 whether or not the post still exists.
    if let Some(p) = g.posts.iter_mut().find(|p| p.urn == urn) {
        p.deleted = true;
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn media_action(
    State(s): S,
    h: HeaderMap,
    Path(kind): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    gate!(s, h, true);
    if !matches!(kind.as_str(), "images" | "documents" | "videos") {
        return reply(Err(Fail::not_found()));
    }
    let v = match json_body(&body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let base = s.base.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let Some(base) = base else {
        return reply(Err(Fail::new(500, "INTERNAL", "twin not ready")));
    };
    let mut g = s.lock();
    match query(&q).get("action").map(String::as_str) {
        Some("initializeUpload") => reply(g.init_upload(&kind, &v, &base)),
        Some("finalizeUpload") if kind == "videos" => reply(g.finalize_video(&v)),
        _ => reply(Err(Fail::new(400, "ILLEGAL_ARGUMENT", "unknown action"))),
    }
}

async fn asset(State(s): S, h: HeaderMap, Path((kind, urn)): Path<(String, String)>) -> Response {
    gate!(s, h, true);
    let _ = kind;
    reply(s.lock().asset_status(&urn))
}

async fn upload(State(s): S, Path(key): Path<String>, body: Bytes) -> Response {
    reply(s.lock().put_upload(&key, body.len()))
}

fn restli_method(h: &HeaderMap) -> Option<String> {
    h.get("x-restli-method")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The Comments API on `/rest` (Community Management) or `/v2` (self-serve members).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CommentsApi {
    Rest,
    V2,
}

impl CommentsApi {
    /// The gate, then the access rule of this API.
    fn check(self, s: &Shared, h: &HeaderMap) -> std::result::Result<(), Box<Response>> {
        gate(s, h, self == CommentsApi::Rest)?;
        if self == CommentsApi::Rest && !s.lock().options.community_management() {
            return Err(Box::new(denied("socialActions (Community Management API)")));
        }
        Ok(())
    }
}

macro_rules! check {
    ($api:expr, $s:expr, $h:expr) => {
        if let Err(r) = $api.check(&$s, &$h) {
            return *r;
        }
    };
}

async fn list_comments(s: S, h: HeaderMap, urn: Path<String>) -> Response {
    comments_list(CommentsApi::Rest, s, h, urn)
}

async fn list_comments_v2(s: S, h: HeaderMap, urn: Path<String>) -> Response {
    comments_list(CommentsApi::V2, s, h, urn)
}

fn comments_list(api: CommentsApi, State(s): S, h: HeaderMap, Path(urn): Path<String>) -> Response {
    check!(api, s, h);
    need_read!(s, "socialActions comments");
    reply(s.lock().comments_of(&urn))
}

async fn create_comment(s: S, h: HeaderMap, urn: Path<String>, body: Bytes) -> Response {
    comment_create(CommentsApi::Rest, s, h, urn, body)
}

async fn create_comment_v2(s: S, h: HeaderMap, urn: Path<String>, body: Bytes) -> Response {
    comment_create(CommentsApi::V2, s, h, urn, body)
}

/// Creates a comment. The path names what is commented on: the post, or for a nested comment
/// the parent comment (whose URN must then be the body's `parentComment`; the body's `object`
/// is the post either way).
fn comment_create(
    api: CommentsApi,
    State(s): S,
    h: HeaderMap,
    Path(target): Path<String>,
    body: Bytes,
) -> Response {
    check!(api, s, h);
    let v = match json_body(&body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let mut g = s.lock();
    let actor = v
        .get("actor")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if actor != g.options.author {
        return reply(Err(Fail::new(
            403,
            "ACCESS_DENIED",
            "Not enough permissions to comment as this actor",
        )));
    }
    let Some(text) = v.pointer("/message/text").and_then(Value::as_str) else {
        return reply(Err(Fail::invalid("message/text", "field is required")));
    };
    let Some(object) = v.get("object").and_then(Value::as_str) else {
        return reply(Err(Fail::invalid("object", "field is required")));
    };
    let parent = v
        .get("parentComment")
        .and_then(Value::as_str)
        .map(str::to_string);
    let path_ok = match &parent {
        None => target == object,
        Some(p) => *p == target,
    };
    if !path_ok {
        return reply(Err(Fail::new(
            400,
            "ILLEGAL_ARGUMENT",
            "The target in the path must be the post, or for a nested comment its parentComment",
        )));
    }
    if let Some(p) = &parent {
        if !g
            .comments
            .iter()
            .any(|c| c.urn == *p && c.post == object && !c.deleted)
        {
            return reply(Err(Fail::not_found()));
        }
    }
    match g.add_comment(object, &actor, text, parent) {
        Ok((status, Some(mut body), headers)) if api == CommentsApi::V2 => {
            // The unversioned API names the URN `$URN`.
            if let Some(urn) = body.get("commentUrn").cloned() {
                body["$URN"] = urn;
                body.as_object_mut().map(|o| o.remove("commentUrn"));
            }
            reply(Ok((status, Some(body), headers)))
        }
        other => reply(other),
    }
}

async fn delete_comment(s: S, h: HeaderMap, p: Path<(String, String)>, q: RawQuery) -> Response {
    comment_delete(CommentsApi::Rest, s, h, p, q)
}

async fn delete_comment_v2(s: S, h: HeaderMap, p: Path<(String, String)>, q: RawQuery) -> Response {
    comment_delete(CommentsApi::V2, s, h, p, q)
}

/// Deletes a comment: the path names what it was made on (its post, the activity inside its
/// URN, or for a nested comment its parent) and the query its author (`actor`).
fn comment_delete(
    api: CommentsApi,
    State(s): S,
    h: HeaderMap,
    Path((target, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Response {
    check!(api, s, h);
    let mut g = s.lock();
    g.delete_methods.push(restli_method(&h));
    if query(&q).get("actor") != Some(&g.options.author) {
        return reply(Err(Fail::new(
            403,
            "ACCESS_DENIED",
            "Not enough permissions to delete this comment",
        )));
    }
    match g.comments.iter_mut().find(|c| {
        c.id == id
            && !c.deleted
            && (c.post == target
                || c.parent.as_deref() == Some(target.as_str())
                || c.urn.starts_with(&format!("urn:li:comment:({target},")))
    }) {
        Some(c) => {
            c.deleted = true;
            StatusCode::NO_CONTENT.into_response()
        }
        None => reply(Err(Fail::not_found())),
    }
}

async fn social_metadata(State(s): S, h: HeaderMap, Path(urn): Path<String>) -> Response {
    gate!(s, h, true);
    need_read!(s, "socialMetadata");
    reply(s.lock().social_metadata(&urn))
}

async fn share_statistics(State(s): S, h: HeaderMap, RawQuery(q): RawQuery) -> Response {
    gate!(s, h, true);
    reply(s.lock().share_statistics(q.as_deref().unwrap_or("")))
}

async fn organization(State(s): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    gate!(s, h, true);
    let g = s.lock();
    let urn = format!("urn:li:organization:{id}");
    let administered = g.options.administered.iter().find(|(u, _)| *u == urn);
    if g.options.author != urn && administered.is_none() {
        return reply(Err(Fail::new(
            403,
            "ACCESS_DENIED",
            "Not an administrator of this organization",
        )));
    }
    let name = administered.map_or("Acme Inc", |(_, n)| n.as_str());
    reply(Ok((
        200,
        Some(
            json!({"id": id, "localizedName": name, "vanityName": "acme",
        "localizedDescription": "Anvils since 1949", "localizedWebsite": "https://acme.example"}),
        ),
        Vec::new(),
    )))
}

async fn network_size(State(s): S, h: HeaderMap, Path(urn): Path<String>) -> Response {
    gate!(s, h, true);
    let g = s.lock();
    if g.options.author != urn && !g.options.administered.iter().any(|(u, _)| *u == urn) {
        return reply(Err(Fail::not_found()));
    }
    reply(Ok((
        200,
        Some(json!({"firstDegreeSize": g.options.followers})),
        Vec::new(),
    )))
}

async fn userinfo(State(s): S, h: HeaderMap) -> Response {
    gate!(s, h, false);
    let g = s.lock();
    let sub = g
        .options
        .author
        .strip_prefix("urn:li:person:")
        .unwrap_or("twinmember");
    reply(Ok((
        200,
        Some(
            json!({"sub": sub, "name": "Twin Member", "given_name": "Twin",
        "family_name": "Member", "picture": "https://media.licdn.invalid/twin.png"}),
        ),
        Vec::new(),
    )))
}
