//! A local twin of Reddit's OAuth API, for tests (feature `testkit`).
//!
//! An axum app on `127.0.0.1:0` that behaves as the documentation says; the source of every
//! route is named on its handler. Sources: the API reference <https://www.reddit.com/dev/api>
//! (routes, parameters, listings), the OAuth2 wiki
//! <https://github.com/reddit-archive/reddit/wiki/OAuth2> (token endpoint, grants, Basic
//! client auth, `{"error": "invalid_grant"}`), the API rules
//! <https://github.com/reddit-archive/reddit/wiki/API#rules> (the User-Agent and the
//! `X-Ratelimit-*` headers), the JSON wiki (thing shapes), reddit's error list
//! (`r2/r2/lib/errors.py`: codes and messages in `json.errors`) and PRAW (praw-dev/praw
//! 7b69758: the media lease and S3 form of `praw/models/media.py`, the image submit answer
//! of `Subreddit._submit_media`).
//!
//! What it does:
//! - tokens from `POST /api/v1/access_token` (Basic client auth; `password`,
//!   `refresh_token` and `authorization_code` grants; a wrong password is
//!   `200 {"error": "invalid_grant"}`); API calls need a token it issued (401 otherwise) and
//!   a descriptive User-Agent (without one: 429, the "drastically limited" of the API rules);
//! - every API answer carries `X-Ratelimit-Used`, `-Remaining` and `-Reset` (seconds left in
//!   the window) for `rate_limit` requests per `rate_window`; past it a 429;
//! - `submit` (`self`, `link`, `image`) with `json.errors` for a missing or long title
//!   (`NO_TEXT`, `TOO_LONG` at 300), a long body (`TOO_LONG` at 40,000), an unknown subreddit
//!   (`SUBREDDIT_NOEXIST`), missing flair where required (`SUBMIT_VALIDATION_FLAIR_REQUIRED`),
//!   a link submitted before with `resubmit=false` (`ALREADY_SUB`); an image post answers with
//!   `user_submitted_page` and `websocket_url`, no id, as PRAW reads it;
//! - `comment` (posts, comments, messages; `NO_TEXT`, `TOO_LONG` at 10,000,
//!   `DELETED_COMMENT`/`DELETED_LINK`), `editusertext` (`NOT_AUTHOR`), `del` (always
//!   `200 {}`, the thing stays with `[deleted]`), `info`, `/message/inbox`,
//!   `/comments/{id}`, `/user/{name}/overview|submitted`, `/search`, `link_flair_v2`,
//!   `/api/media/asset.json` and an S3-style upload form at `/s3-upload` (201 with XML,
//!   `EntityTooLarge` past `max_upload_bytes`);
//! - lost answers: [`TwinHandle::lose_submit_answers`] makes a submit create its post and
//!   answer 502, as a gateway that drops the answer would;
//! - listings newest first with `before`/`after` fullnames and `limit` (≤ 100).
//!
//! ```
//! use socialkit::adapters::reddit::{Reddit, twin::Twin};
//! use socialkit::PlatformExt;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = Twin::start().await.unwrap();
//! let reddit = Reddit::new(twin.script_config());
//! let published = reddit.publish_text("Hello twin\nA body").await.unwrap();
//! let post = twin.handle().thing(&published.post.id).unwrap();
//! assert_eq!((post.title.as_str(), post.text.as_str()), ("Hello twin", "A body"));
//! # });
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use url::Url;

use super::RedditConfig;
use super::config::is_descriptive_user_agent;
use crate::Result;
use crate::testkit::twin::{Faults, RequestLog, TwinServer, instrument};

/// How the twin behaves.
///
/// ```
/// let o = socialkit::adapters::reddit::twin::TwinOptions::default();
/// assert_eq!(o.rate_limit, 600);
/// ```
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// The script app's client id.
    pub client_id: String,
    /// The script app's secret.
    pub client_secret: String,
    /// The account.
    pub username: String,
    /// Its password.
    pub password: String,
    /// The subreddit the account posts to.
    pub subreddit: String,
    /// Requests per rate-limit window.
    pub rate_limit: u64,
    /// The window.
    pub rate_window: Duration,
    /// Largest upload accepted by the S3 form.
    pub max_upload_bytes: usize,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            client_id: "twin-app".into(),
            client_secret: "twin-app-secret".into(),
            username: "twin_poster".into(),
            password: "twin-password".into(),
            subreddit: "socialkit_twin".into(),
            rate_limit: 600,
            rate_window: Duration::from_secs(600),
            max_upload_bytes: 1_000_000,
        }
    }
}

/// A thing in the twin: a post (`t3`), comment (`t1`) or message (`t4`).
#[derive(Debug, Clone, PartialEq)]
pub struct TwinThing {
    /// `t1`, `t3` or `t4`.
    pub kind: &'static str,
    /// Base-36 id.
    pub id: String,
    /// Author's name.
    pub author: String,
    /// A post's title, a message's subject.
    pub title: String,
    /// A self post's body, a comment's or message's text.
    pub text: String,
    /// A link or image post's URL.
    pub url: Option<String>,
    /// The subreddit (posts and comments).
    pub subreddit: String,
    /// What a comment answers (fullname).
    pub parent: Option<String>,
    /// The post a comment is under (fullname).
    pub link: Option<String>,
    /// Created, epoch seconds.
    pub created: f64,
    /// Deleted by its author.
    pub deleted: bool,
    /// The flair selected.
    pub flair_id: Option<String>,
    /// Score.
    pub score: i64,
    /// Upvote ratio.
    pub upvote_ratio: f64,
    /// For `t4`: to whom; for `t1` mentions: the user mentioned.
    pub to: Option<String>,
    /// A mention (`username mention` in the inbox).
    pub mention: bool,
    /// Edited.
    pub edited: bool,
}

impl TwinThing {
    /// `t3_…` etc.
    pub fn fullname(&self) -> String {
        format!("{}_{}", self.kind, self.id)
    }
}

#[derive(Debug)]
struct St {
    options: TwinOptions,
    base: String,
    tokens: BTreeSet<String>,
    refresh_tokens: BTreeSet<String>,
    issued: u64,
    users: BTreeMap<String, String>,
    subreddits: BTreeSet<String>,
    flair_required: BTreeMap<String, Vec<(String, String)>>,
    things: BTreeMap<String, TwinThing>,
    next_id: u64,
    last_created: f64,
    window: (u64, DateTime<Utc>),
    uploads: BTreeMap<String, usize>,
    lose_submit_answers: usize,
}

#[derive(Debug)]
struct Shared(Mutex<St>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, St> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type S = State<Arc<Shared>>;
type F = Form<HashMap<String, String>>;
type Q = Query<HashMap<String, String>>;

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// `{"json": {"errors": [[code, message, field]]}}` with 200, as `api_type=json` answers
/// (dev/api; codes and messages from r2 `errors.py`).
fn api_error(code: &str, message: &str, field: &str) -> Response {
    json_response(
        StatusCode::OK,
        json!({"json": {"errors": [[code, message, field]]}}),
    )
}

impl St {
    fn now(&mut self) -> f64 {
        let now = Utc::now().timestamp_millis() as f64 / 1000.0;
        self.last_created = now.max(self.last_created + 0.001);
        self.last_created
    }

    fn add(&mut self, mut t: TwinThing) -> String {
        self.next_id += 1;
        t.id = base36(self.next_id + 46_655);
        t.created = self.now();
        let name = t.fullname();
        self.things.insert(name.clone(), t);
        name
    }

    /// The `X-Ratelimit-*` headers for this request, or the 429 past the limit (API rules).
    fn rate(&mut self) -> std::result::Result<HeaderMap, Box<Response>> {
        let now = Utc::now();
        let window = chrono::Duration::from_std(self.options.rate_window).unwrap_or_default();
        if now >= self.window.1 {
            self.window = (0, now + window);
        }
        self.window.0 += 1;
        let used = self.window.0;
        let remaining = self.options.rate_limit.saturating_sub(used);
        let reset = (self.window.1 - now).num_seconds().max(0);
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("x-ratelimit-used", used.to_string()),
            ("x-ratelimit-remaining", remaining.to_string()),
            ("x-ratelimit-reset", reset.to_string()),
        ] {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.insert(k, v);
            }
        }
        if used > self.options.rate_limit {
            return Err(Box::new(
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    h,
                    axum::Json(json!({"message": "Too Many Requests", "error": 429})),
                )
                    .into_response(),
            ));
        }
        Ok(h)
    }

    /// The caller's user name, or the answer for a bad token or User-Agent.
    fn auth(
        &mut self,
        headers: &HeaderMap,
    ) -> std::result::Result<(String, HeaderMap), Box<Response>> {
        let ua = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !is_descriptive_user_agent(ua) {
            return Err(Box::new(json_response(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"message": "Too Many Requests", "error": 429}),
            )));
        }
        let rl = self.rate()?;
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .unwrap_or_default();
        if !self.tokens.contains(token) {
            return Err(Box::new(
                (
                    StatusCode::UNAUTHORIZED,
                    rl,
                    axum::Json(json!({"message": "Unauthorized", "error": 401})),
                )
                    .into_response(),
            ));
        }
        Ok((self.options.username.clone(), rl))
    }

    fn issue(&mut self, refresh: bool) -> Value {
        self.issued += 1;
        let access = format!("twin-access-{}", self.issued);
        self.tokens.insert(access.clone());
        let mut v = json!({
            "access_token": access, "token_type": "bearer", "expires_in": 3600, "scope": "*"
        });
        if refresh {
            let r = format!("twin-refresh-{}", self.issued);
            self.refresh_tokens.insert(r.clone());
            v["refresh_token"] = json!(r);
        }
        v
    }

    fn thing_json(&self, t: &TwinThing) -> Value {
        let name = t.fullname();
        let author = if t.deleted {
            "[deleted]".to_string()
        } else {
            t.author.clone()
        };
        let text = if t.deleted {
            "[deleted]".to_string()
        } else {
            t.text.clone()
        };
        let author_fullname = self.users.get(&t.author).map(|id| format!("t2_{id}"));
        match t.kind {
            "t3" => {
                let permalink = format!("/r/{}/comments/{}/post/", t.subreddit, t.id);
                let comments = self
                    .things
                    .values()
                    .filter(|c| c.kind == "t1" && c.link.as_deref() == Some(name.as_str()))
                    .count();
                json!({
                    "id": t.id, "name": name, "author": author, "author_fullname": author_fullname,
                    "created_utc": t.created, "title": t.title,
                    "selftext": if t.url.is_none() { text } else { String::new() },
                    "is_self": t.url.is_none(),
                    "url": t.url.clone().unwrap_or_else(|| format!("https://www.reddit.com{permalink}")),
                    "permalink": permalink, "subreddit": t.subreddit, "score": t.score, "ups": t.score,
                    "num_comments": comments, "upvote_ratio": t.upvote_ratio,
                    "link_flair_template_id": t.flair_id,
                    "removed_by_category": if t.deleted { Some("deleted") } else { None },
                })
            }
            "t1" => {
                let post = t.link.clone().unwrap_or_default();
                let post_id = post.trim_start_matches("t3_");
                let permalink = format!("/r/{}/comments/{post_id}/post/{}/", t.subreddit, t.id);
                let parent_author = t
                    .parent
                    .as_ref()
                    .and_then(|p| self.things.get(p))
                    .map(|p| p.kind);
                let subject = if t.mention {
                    "username mention"
                } else if parent_author == Some("t3") {
                    "post reply"
                } else {
                    "comment reply"
                };
                json!({
                    "id": t.id, "name": name, "author": author, "author_fullname": author_fullname,
                    "created_utc": t.created, "body": text, "parent_id": t.parent, "link_id": t.link,
                    "permalink": permalink, "subreddit": t.subreddit, "score": t.score, "ups": t.score,
                    "subject": subject, "was_comment": true, "context": format!("{permalink}?context=3"),
                    "replies": "", "new": true,
                })
            }
            _ => json!({
                "id": t.id, "name": name, "author": author, "author_fullname": author_fullname,
                "created_utc": t.created, "body": text, "subject": t.title, "dest": t.to,
                "parent_id": t.parent, "was_comment": false, "new": true,
            }),
        }
    }

    /// A listing page of `all` (newest first) by `before`/`after`/`limit` (dev/api,
    /// "listings").
    fn listing(&self, all: Vec<&TwinThing>, q: &HashMap<String, String>) -> Value {
        let limit = q
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(25)
            .clamp(1, 100);
        let pos = |f: &str| all.iter().position(|t| t.fullname() == f);
        let (start, end) = if let Some(b) = q.get("before").filter(|b| !b.is_empty()) {
            match pos(b) {
                Some(p) => (p.saturating_sub(limit), p),
                None => (0, 0),
            }
        } else if let Some(a) = q.get("after").filter(|a| !a.is_empty()) {
            match pos(a) {
                Some(p) => (p + 1, (p + 1 + limit).min(all.len())),
                None => (0, 0),
            }
        } else {
            (0, limit.min(all.len()))
        };
        let page = &all[start..end];
        let children: Vec<Value> = page
            .iter()
            .map(|t| json!({"kind": t.kind, "data": self.thing_json(t)}))
            .collect();
        let after = (end < all.len() && !page.is_empty()).then(|| page[page.len() - 1].fullname());
        let before = (start > 0 && !page.is_empty()).then(|| page[0].fullname());
        json!({"kind": "Listing", "data": {"after": after, "before": before, "children": children, "dist": page.len()}})
    }

    fn newest_first(&self, keep: impl Fn(&TwinThing) -> bool) -> Vec<&TwinThing> {
        let mut v: Vec<&TwinThing> = self.things.values().filter(|t| keep(t)).collect();
        v.sort_by(|a, b| b.created.total_cmp(&a.created));
        v
    }
}

fn with_headers(rl: HeaderMap, status: StatusCode, body: Value) -> Response {
    (status, rl, axum::Json(body)).into_response()
}

macro_rules! authed {
    ($st:ident, $headers:expr) => {
        match $st.auth(&$headers) {
            Ok(x) => x,
            Err(r) => return *r,
        }
    };
}

/// `POST /api/v1/access_token` (wiki/OAuth2: "Retrieving the access token", "Application
/// Only OAuth", the password grant of script apps).
async fn access_token(State(s): S, headers: HeaderMap, Form(f): F) -> Response {
    let mut st = s.lock();
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.decode(b).ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    let expected = format!("{}:{}", st.options.client_id, st.options.client_secret);
    if basic.as_deref() != Some(expected.as_str()) {
        return json_response(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Unauthorized", "error": 401}),
        );
    }
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    match field("grant_type").as_str() {
        "password" => {
            if field("username") != st.options.username || field("password") != st.options.password
            {
                return json_response(StatusCode::OK, json!({"error": "invalid_grant"}));
            }
            let v = st.issue(false);
            json_response(StatusCode::OK, v)
        }
        "refresh_token" => {
            if !st.refresh_tokens.contains(&field("refresh_token")) {
                return json_response(StatusCode::BAD_REQUEST, json!({"error": "invalid_grant"}));
            }
            let mut v = st.issue(false);
            v["refresh_token"] = json!(field("refresh_token"));
            json_response(StatusCode::OK, v)
        }
        "authorization_code" => {
            if field("code") != "twin-code" {
                return json_response(StatusCode::BAD_REQUEST, json!({"error": "invalid_grant"}));
            }
            let mut v = st.issue(true);
            // The scopes granted on the consent page: all socialkit asks for.
            v["scope"] = json!(super::oauth::SCOPES.join(" "));
            json_response(StatusCode::OK, v)
        }
        _ => json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_grant_type"}),
        ),
    }
}

/// `GET /api/v1/me` (dev/api#GET_api_v1_me).
async fn me(State(s): S, headers: HeaderMap) -> Response {
    let mut st = s.lock();
    let (user, rl) = authed!(st, headers);
    let id = st.users.get(&user).cloned().unwrap_or_default();
    with_headers(
        rl,
        StatusCode::OK,
        json!({
            "name": user, "id": id, "total_karma": 1, "icon_img": "",
            "subreddit": {"display_name_prefixed": format!("u/{user}"), "title": "", "public_description": "", "subscribers": 3},
        }),
    )
}

/// `POST /api/submit` (dev/api#POST_api_submit; errors from r2 `errors.py`; the image answer
/// from PRAW `_submit_media`).
async fn submit(State(s): S, headers: HeaderMap, Form(f): F) -> Response {
    let mut st = s.lock();
    let (user, rl) = authed!(st, headers);
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    let sr = field("sr");
    let title = field("title");
    let kind = field("kind");
    if !st.subreddits.contains(&sr) && sr != format!("u_{user}") {
        return api_error("SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr");
    }
    if title.trim().is_empty() {
        return api_error("NO_TEXT", "we need something here", "title");
    }
    if title.chars().count() > 300 {
        return api_error("TOO_LONG", "this is too long (max: 300)", "title");
    }
    let text = field("text");
    if text.chars().count() > 40_000 {
        return api_error("TOO_LONG", "this is too long (max: 40000)", "text");
    }
    if let Some(flairs) = st.flair_required.get(&sr) {
        let chosen = f.get("flair_id");
        if !chosen.is_some_and(|c| flairs.iter().any(|(id, _)| id == c)) {
            return api_error(
                "SUBMIT_VALIDATION_FLAIR_REQUIRED",
                "Your post must contain post flair.",
                "flair",
            );
        }
    }
    let url = match kind.as_str() {
        "self" => None,
        "link" | "image" => {
            let u = field("url");
            if u.is_empty() {
                return api_error("NO_URL", "a url is required", "url");
            }
            if Url::parse(&u).is_err() {
                return api_error("BAD_URL", "you should check that url", "url");
            }
            if kind == "link"
                && field("resubmit") != "true"
                && st
                    .things
                    .values()
                    .any(|t| t.url.as_deref() == Some(u.as_str()) && t.subreddit == sr)
            {
                return api_error("ALREADY_SUB", "that link has already been submitted", "url");
            }
            if kind == "image" && !st.uploads.keys().any(|k| u.ends_with(k.as_str())) {
                return api_error("BAD_IMAGE", "image problem", "url");
            }
            Some(u)
        }
        _ => return api_error("INVALID_OPTION", "that option is not valid", "kind"),
    };
    let name = st.add(TwinThing {
        kind: "t3",
        id: String::new(),
        author: user.clone(),
        title,
        text: if url.is_none() { text } else { String::new() },
        url,
        subreddit: sr.clone(),
        parent: None,
        link: None,
        created: 0.0,
        deleted: false,
        flair_id: f.get("flair_id").cloned(),
        score: 1,
        upvote_ratio: 1.0,
        to: None,
        mention: false,
        edited: false,
    });
    let id = name.trim_start_matches("t3_").to_string();
    if st.lose_submit_answers > 0 {
        // The post is made; the answer is lost on the way back (a gateway error).
        st.lose_submit_answers -= 1;
        return (
            StatusCode::BAD_GATEWAY,
            "<html><body>502 Bad Gateway</body></html>",
        )
            .into_response();
    }
    if kind == "image" {
        let base = st.base.replace("http", "ws");
        return with_headers(
            rl,
            StatusCode::OK,
            json!({"json": {"errors": [], "data": {
                "user_submitted_page": format!("https://www.reddit.com/user/{user}/submitted/"),
                "websocket_url": format!("{base}media-ws/{id}"),
            }}}),
        );
    }
    with_headers(
        rl,
        StatusCode::OK,
        json!({"json": {"errors": [], "data": {
            "url": format!("https://www.reddit.com/r/{sr}/comments/{id}/post/"),
            "drafts_count": 0, "id": id, "name": name,
        }}}),
    )
}

/// `POST /api/comment` (dev/api#POST_api_comment: `thing_id` a link, comment or message).
async fn comment(State(s): S, headers: HeaderMap, Form(f): F) -> Response {
    let mut st = s.lock();
    let (user, rl) = authed!(st, headers);
    let parent = f.get("thing_id").cloned().unwrap_or_default();
    let text = f.get("text").cloned().unwrap_or_default();
    let Some(p) = st.things.get(&parent).cloned() else {
        return api_error("NO_THING_ID", "id not specified", "parent");
    };
    if p.deleted {
        let code = if p.kind == "t3" {
            "DELETED_LINK"
        } else {
            "DELETED_COMMENT"
        };
        return api_error(code, "that comment has been deleted", "parent");
    }
    if text.trim().is_empty() {
        return api_error("NO_TEXT", "we need something here", "text");
    }
    if text.chars().count() > 10_000 {
        return api_error("TOO_LONG", "this is too long (max: 10000)", "text");
    }
    let t = if p.kind == "t4" {
        TwinThing {
            kind: "t4",
            title: format!("re: {}", p.title),
            to: Some(p.author.clone()),
            parent: Some(parent.clone()),
            ..blank(&user, &text)
        }
    } else {
        TwinThing {
            kind: "t1",
            subreddit: p.subreddit.clone(),
            parent: Some(parent.clone()),
            link: if p.kind == "t3" {
                Some(parent.clone())
            } else {
                p.link.clone()
            },
            ..blank(&user, &text)
        }
    };
    let name = st.add(t);
    let thing = st.things.get(&name).cloned();
    let data = thing.map(|t| json!({"kind": t.kind, "data": st.thing_json(&t)}));
    with_headers(
        rl,
        StatusCode::OK,
        json!({"json": {"errors": [], "data": {"things": [data]}}}),
    )
}

fn blank(author: &str, text: &str) -> TwinThing {
    TwinThing {
        kind: "t1",
        id: String::new(),
        author: author.to_string(),
        title: String::new(),
        text: text.to_string(),
        url: None,
        subreddit: String::new(),
        parent: None,
        link: None,
        created: 0.0,
        deleted: false,
        flair_id: None,
        score: 1,
        upvote_ratio: 1.0,
        to: None,
        mention: false,
        edited: false,
    }
}

/// `POST /api/editusertext` (dev/api#POST_api_editusertext).
async fn edit(State(s): S, headers: HeaderMap, Form(f): F) -> Response {
    let mut st = s.lock();
    let (user, rl) = authed!(st, headers);
    let id = f.get("thing_id").cloned().unwrap_or_default();
    let text = f.get("text").cloned().unwrap_or_default();
    let Some(t) = st.things.get(&id).cloned() else {
        return api_error("NO_THING_ID", "id not specified", "thing_id");
    };
    if t.deleted {
        return api_error("DELETED_THING", "that element has been deleted", "thing_id");
    }
    if t.author != user || t.kind == "t4" || t.url.is_some() {
        return api_error("NOT_AUTHOR", "you can't do that", "thing_id");
    }
    let limit = if t.kind == "t3" { 40_000 } else { 10_000 };
    if text.chars().count() > limit {
        return api_error(
            "TOO_LONG",
            &format!("this is too long (max: {limit})"),
            "text",
        );
    }
    let edited = TwinThing {
        text,
        edited: true,
        ..t
    };
    st.things.insert(id, edited.clone());
    let data = json!({"kind": edited.kind, "data": st.thing_json(&edited)});
    with_headers(
        rl,
        StatusCode::OK,
        json!({"json": {"errors": [], "data": {"things": [data]}}}),
    )
}

/// `POST /api/del` (dev/api#POST_api_del): `200 {}` whether or not there was anything.
async fn del(State(s): S, headers: HeaderMap, Form(f): F) -> Response {
    let mut st = s.lock();
    let (user, rl) = authed!(st, headers);
    let id = f.get("id").cloned().unwrap_or_default();
    if let Some(t) = st.things.get_mut(&id) {
        if t.author == user {
            t.deleted = true;
        }
    }
    with_headers(rl, StatusCode::OK, json!({}))
}

/// `GET /api/info?id=…` (dev/api#GET_api_info).
async fn info(State(s): S, headers: HeaderMap, Query(q): Q) -> Response {
    let mut st = s.lock();
    let (_, rl) = authed!(st, headers);
    let ids: Vec<String> = q
        .get("id")
        .map(|i| i.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    if ids.len() > 100 {
        return with_headers(
            rl,
            StatusCode::BAD_REQUEST,
            json!({"reason": "TOO_MANY_THING_IDS", "explanation": "you provided too many ids"}),
        );
    }
    let found: Vec<&TwinThing> = ids.iter().filter_map(|i| st.things.get(i)).collect();
    let l = st.listing(
        found,
        &HashMap::from([("limit".to_string(), "100".to_string())]),
    );
    with_headers(rl, StatusCode::OK, l)
}

/// `GET /message/inbox` (dev/api#GET_message_{where}): replies to the account's posts and
/// comments, mentions of it, and messages to it, newest first.
async fn inbox(State(s): S, headers: HeaderMap, Query(q): Q) -> Response {
    let mut st = s.lock();
    let (user, rl) = authed!(st, headers);
    let mine = |f: &Option<String>, st: &St| {
        f.as_ref()
            .and_then(|p| st.things.get(p))
            .is_some_and(|p| p.author == user)
    };
    let all = st.newest_first(|t| {
        t.author != user
            && match t.kind {
                "t4" => t.to.as_deref() == Some(user.as_str()),
                "t1" if t.mention => t.to.as_deref() == Some(user.as_str()),
                "t1" => mine(&t.parent, &st),
                _ => false,
            }
    });
    let l = st.listing(all, &q);
    with_headers(rl, StatusCode::OK, l)
}

/// `GET /comments/{id}` (dev/api#GET_comments_{article}): `[post listing, comment listing]`
/// with nested `replies`.
async fn comments(State(s): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut st = s.lock();
    let (_, rl) = authed!(st, headers);
    let post = format!("t3_{id}");
    let Some(p) = st.things.get(&post).cloned() else {
        return with_headers(
            rl,
            StatusCode::NOT_FOUND,
            json!({"message": "Not Found", "error": 404}),
        );
    };
    fn tree(st: &St, parent: &str) -> Value {
        let children: Vec<Value> = st
            .newest_first(|t| t.kind == "t1" && t.parent.as_deref() == Some(parent))
            .into_iter()
            .map(|c| {
                let mut d = st.thing_json(c);
                let replies = tree(st, &c.fullname());
                d["replies"] = if replies["data"]["children"]
                    .as_array()
                    .is_some_and(|a| a.is_empty())
                {
                    json!("")
                } else {
                    replies
                };
                json!({"kind": "t1", "data": d})
            })
            .collect();
        json!({"kind": "Listing", "data": {"after": null, "before": null, "children": children}})
    }
    let first = json!({"kind": "Listing", "data": {"children": [{"kind": "t3", "data": st.thing_json(&p)}]}});
    let second = tree(&st, &post);
    with_headers(rl, StatusCode::OK, json!([first, second]))
}

/// `GET /user/{name}/overview` and `/submitted` (dev/api#GET_user_{username}_{where}).
async fn user_listing(
    State(s): S,
    headers: HeaderMap,
    Path((name, what)): Path<(String, String)>,
    Query(q): Q,
) -> Response {
    let mut st = s.lock();
    let (_, rl) = authed!(st, headers);
    if !st.users.contains_key(&name) {
        return with_headers(
            rl,
            StatusCode::NOT_FOUND,
            json!({"message": "Not Found", "error": 404}),
        );
    }
    let kinds: &[&str] = match what.as_str() {
        "overview" => &["t3", "t1"],
        "submitted" => &["t3"],
        "comments" => &["t1"],
        _ => {
            return with_headers(
                rl,
                StatusCode::NOT_FOUND,
                json!({"message": "Not Found", "error": 404}),
            );
        }
    };
    let all = st.newest_first(|t| t.author == name && !t.deleted && kinds.contains(&t.kind));
    let l = st.listing(all, &q);
    with_headers(rl, StatusCode::OK, l)
}

/// `GET /search` (dev/api#GET_search): every word of `q` in the title or body, newest first.
async fn search(State(s): S, headers: HeaderMap, Query(q): Q) -> Response {
    let mut st = s.lock();
    let (_, rl) = authed!(st, headers);
    let words: Vec<String> = q
        .get("q")
        .map(|q| q.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_default();
    if words.is_empty() {
        return with_headers(
            rl,
            StatusCode::BAD_REQUEST,
            json!({"message": "Bad Request", "error": 400}),
        );
    }
    let all = st.newest_first(|t| {
        let hay = format!("{} {}", t.title, t.text).to_lowercase();
        t.kind == "t3" && !t.deleted && words.iter().all(|w| hay.split_whitespace().any(|h| h == w))
    });
    let l = st.listing(all, &q);
    with_headers(rl, StatusCode::OK, l)
}

/// `GET /r/{sr}/api/link_flair_v2` (dev/api#GET_api_link_flair_v2).
async fn flairs(State(s): S, headers: HeaderMap, Path(sr): Path<String>) -> Response {
    let mut st = s.lock();
    let (_, rl) = authed!(st, headers);
    let list: Vec<Value> = st
        .flair_required
        .get(&sr)
        .map(|f| f.iter().map(|(id, text)| json!({"id": id, "text": text, "text_editable": false, "mod_only": false, "type": "text"})).collect())
        .unwrap_or_default();
    with_headers(rl, StatusCode::OK, json!(list))
}

/// `POST /api/media/asset.json` (PRAW `PostMedia`: `filepath`, `mimetype` in; `args.action`
/// without scheme and `args.fields` out).
async fn media_asset(State(s): S, headers: HeaderMap, Form(f): F) -> Response {
    let mut st = s.lock();
    let (_, rl) = authed!(st, headers);
    let mime = f.get("mimetype").cloned().unwrap_or_default();
    if !mime.starts_with("image/") {
        return api_error("BAD_IMAGE", "image problem", "mimetype");
    }
    st.next_id += 1;
    let key = format!("rte_images/{}", base36(st.next_id + 99_999));
    let action = st
        .base
        .trim_start_matches("http:")
        .trim_end_matches('/')
        .to_string()
        + "/s3-upload";
    with_headers(
        rl,
        StatusCode::OK,
        json!({
            "args": {"action": action, "fields": [
                {"name": "acl", "value": "private"}, {"name": "key", "value": key},
                {"name": "Content-Type", "value": mime}, {"name": "success_action_status", "value": "201"},
                {"name": "x-amz-signature", "value": "twin-signature"},
            ]},
            "asset": {"asset_id": key, "processing_state": "incomplete", "payload": {"filepath": f.get("filepath")}},
        }),
    )
}

/// The S3 form upload (PRAW `_post_to_s3`; answer and `EntityTooLarge` as
/// `PostMedia._parse_xml_response` reads them). No reddit token here.
async fn s3_upload(State(s): S, headers: HeaderMap, mut form: Multipart) -> Response {
    if headers.contains_key(header::AUTHORIZATION) {
        return (StatusCode::BAD_REQUEST, "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>").into_response();
    }
    let (mut key, mut size) = (None, None);
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let Ok(data) = field.bytes().await else { break };
        match name.as_str() {
            "key" => key = Some(String::from_utf8_lossy(&data).to_string()),
            "file" => size = Some(data.len()),
            _ => {}
        }
    }
    let max = s.lock().options.max_upload_bytes;
    match (key, size) {
        (Some(k), Some(n)) if n <= max => {
            s.lock().uploads.insert(k.clone(), n);
            (StatusCode::CREATED, format!("<PostResponse><Location>s3-upload/{k}</Location><Key>{k}</Key></PostResponse>")).into_response()
        }
        (Some(_), Some(n)) => (StatusCode::BAD_REQUEST, format!("<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message><ProposedSize>{n}</ProposedSize><MaxSizeAllowed>{max}</MaxSizeAllowed></Error>")).into_response(),
        _ => (StatusCode::BAD_REQUEST, "<Error><Code>InvalidArgument</Code></Error>").into_response(),
    }
}

/// A running twin. Dropping it stops the server.
#[derive(Debug)]
pub struct Twin {
    server: TwinServer,
    handle: TwinHandle,
}

/// Reads and changes the twin's state from a test.
#[derive(Debug, Clone)]
pub struct TwinHandle {
    shared: Arc<Shared>,
    log: RequestLog,
    faults: Faults,
}

impl Twin {
    /// Starts a twin with the default options.
    pub async fn start() -> Result<Twin> {
        Self::start_with(TwinOptions::default()).await
    }

    /// Starts a twin.
    pub async fn start_with(options: TwinOptions) -> Result<Twin> {
        let mut users = BTreeMap::new();
        users.insert(options.username.clone(), "1a2b".to_string());
        let subreddits = BTreeSet::from([options.subreddit.clone(), "askreddit".to_string()]);
        let shared = Arc::new(Shared(Mutex::new(St {
            options,
            base: String::new(),
            tokens: BTreeSet::new(),
            refresh_tokens: BTreeSet::new(),
            issued: 0,
            users,
            subreddits,
            flair_required: BTreeMap::new(),
            things: BTreeMap::new(),
            next_id: 0,
            last_created: 0.0,
            window: (0, Utc::now()),
            uploads: BTreeMap::new(),
            lose_submit_answers: 0,
        })));
        let (log, faults) = (RequestLog::default(), Faults::default());
        let app = Router::new()
            .route("/api/v1/access_token", post(access_token))
            .route("/api/v1/me", get(me))
            .route("/api/submit", post(submit))
            .route("/api/comment", post(comment))
            .route("/api/editusertext", post(edit))
            .route("/api/del", post(del))
            .route("/api/info", get(info))
            .route("/message/inbox", get(inbox))
            .route("/comments/{id}", get(comments))
            .route("/user/{name}/{what}", get(user_listing))
            .route("/search", get(search))
            .route("/r/{sr}/api/link_flair_v2", get(flairs))
            .route("/api/media/asset.json", post(media_asset))
            .route("/s3-upload", post(s3_upload))
            .layer(DefaultBodyLimit::max(32 * 1024 * 1024))
            .with_state(shared.clone());
        let server = TwinServer::start(instrument(app, &log, &faults)).await?;
        shared.lock().base = server.base_url().to_string();
        Ok(Twin {
            server,
            handle: TwinHandle {
                shared,
                log,
                faults,
            },
        })
    }

    /// The twin's base URL.
    pub fn url(&self) -> Url {
        self.server.base_url()
    }

    fn channel_url(&self, userinfo: &str, extra: &str) -> String {
        let addr = self.server.addr();
        let ua = "user_agent=twin%3Asocialkit-tests%3A1.0%20(by%20%2Fu%2Ftwin_poster)";
        format!("reddit://{userinfo}@{addr}?scheme=http&{ua}{extra}")
    }

    /// A script-app config for the account, posting to the twin's subreddit.
    pub fn script_config(&self) -> RedditConfig {
        let st = self.handle.shared.lock();
        let o = &st.options;
        let url = self.channel_url(
            &format!("{}:{}", o.client_id, o.client_secret),
            &format!(
                "&username={}&password={}&subreddit={}",
                o.username, o.password, o.subreddit
            ),
        );
        drop(st);
        RedditConfig::from_url_str(&url).unwrap_or_else(|e| panic!("twin config: {e}"))
    }

    /// A token config (as after the authorization-code flow) with a refresh token, posting
    /// to the twin's subreddit. The access token is issued now.
    pub fn token_config(&self) -> RedditConfig {
        let (access, refresh, o) = {
            let mut st = self.handle.shared.lock();
            let v = st.issue(true);
            (
                v["access_token"].as_str().unwrap_or_default().to_string(),
                v["refresh_token"].as_str().unwrap_or_default().to_string(),
                st.options.clone(),
            )
        };
        let url = self.channel_url(
            &access,
            &format!(
                "&refresh_token={refresh}&client_id={}&client_secret={}&subreddit={}",
                o.client_id, o.client_secret, o.subreddit
            ),
        );
        RedditConfig::from_url_str(&url).unwrap_or_else(|e| panic!("twin config: {e}"))
    }

    /// The handle.
    pub fn handle(&self) -> &TwinHandle {
        &self.handle
    }
}

impl TwinHandle {
    /// Every request the twin saw.
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// Faults to inject.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The account's name.
    pub fn username(&self) -> String {
        self.shared.lock().options.username.clone()
    }

    /// A thing by fullname.
    pub fn thing(&self, fullname: &str) -> Option<TwinThing> {
        self.shared.lock().things.get(fullname).cloned()
    }

    /// Every thing by `author` that is not deleted, oldest first.
    pub fn things_by(&self, author: &str) -> Vec<TwinThing> {
        let st = self.shared.lock();
        let mut v: Vec<TwinThing> = st
            .things
            .values()
            .filter(|t| t.author == author && !t.deleted)
            .cloned()
            .collect();
        v.sort_by(|a, b| a.created.total_cmp(&b.created));
        v
    }

    /// Adds a user; returns the name.
    pub fn add_user(&self, name: &str) -> String {
        let mut st = self.shared.lock();
        let id = base36(st.users.len() as u64 + 1_000);
        st.users.insert(name.to_string(), id);
        name.to_string()
    }

    /// Makes `subreddit` require one of `flairs` (`(id, text)`).
    pub fn require_flair(&self, subreddit: &str, flairs: &[(&str, &str)]) {
        let mut st = self.shared.lock();
        st.subreddits.insert(subreddit.to_string());
        st.flair_required.insert(
            subreddit.to_string(),
            flairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        );
    }

    /// `user` comments on `parent` (a post or comment fullname); returns the comment's fullname.
    pub fn comment(&self, parent: &str, user: &str, text: &str) -> String {
        let mut st = self.shared.lock();
        let p = st.things.get(parent).cloned();
        let t = TwinThing {
            subreddit: p.as_ref().map(|p| p.subreddit.clone()).unwrap_or_default(),
            parent: Some(parent.to_string()),
            link: p.and_then(|p| {
                if p.kind == "t3" {
                    Some(parent.to_string())
                } else {
                    p.link
                }
            }),
            ..blank(user, text)
        };
        st.add(t)
    }

    /// `user` mentions the account (`u/name`) in a comment elsewhere; returns its fullname.
    pub fn mention(&self, user: &str, text: &str) -> String {
        let mut st = self.shared.lock();
        let me = st.options.username.clone();
        let host = st.add(TwinThing {
            kind: "t3",
            title: "A thread elsewhere".into(),
            subreddit: "askreddit".into(),
            ..blank(user, "")
        });
        let t = TwinThing {
            subreddit: "askreddit".into(),
            parent: Some(host.clone()),
            link: Some(host),
            to: Some(me.clone()),
            mention: true,
            ..blank(user, &format!("{text} u/{me}"))
        };
        st.add(t)
    }

    /// `user` sends the account a private message; returns its fullname.
    pub fn message(&self, user: &str, subject: &str, text: &str) -> String {
        let mut st = self.shared.lock();
        let me = st.options.username.clone();
        st.add(TwinThing {
            kind: "t4",
            title: subject.to_string(),
            to: Some(me),
            ..blank(user, text)
        })
    }

    /// Sets a post's score and upvote ratio.
    pub fn vote(&self, fullname: &str, score: i64, ratio: f64) {
        if let Some(t) = self.shared.lock().things.get_mut(fullname) {
            t.score = score;
            t.upvote_ratio = ratio;
        }
    }

    /// Forgets every access token (as if they expired): the next call gets a 401.
    pub fn expire_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    /// The next `n` submits make their post and then answer 502: the answer is lost.
    pub fn lose_submit_answers(&self, n: usize) {
        self.shared.lock().lose_submit_answers = n;
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> u64 {
        self.shared.lock().issued
    }
}
