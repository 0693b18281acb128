//! A local twin of TikTok's Content Posting and Display APIs, for tests (feature `testkit`).
//!
//! An axum app on `127.0.0.1:0` that behaves as the documentation says; every route names its
//! source page (developers.tiktok.com/doc/…). Every answer is `{"data": …, "error": {"code",
//! "message", "log_id"}}` with `code: "ok"` on success.
//!
//! What it does:
//! - tokens from `POST /v2/oauth/token/` (`refresh_token` grant with `client_key` and
//!   `client_secret` as form fields; a refresh returns a **new** refresh token and retires the
//!   old one; an unknown one is `400 {"error": "invalid_grant"}`); API calls need a token it
//!   issued (`401 access_token_invalid` otherwise);
//! - `creator_info/query` with the creator's privacy options, or the refusal set with
//!   [`TwinHandle::refuse_posting`] (`spam_risk_too_many_posts` …);
//! - video init (Direct Post and inbox), `FILE_UPLOAD` checked against the chunk rules
//!   (`invalid_param` otherwise), `PULL_FROM_URL` (URLs outside the verified prefix:
//!   `url_ownership_unverified`), photo init (`PULL_FROM_URL` only, 1–35 images); an
//!   unaudited app posting other than `SELF_ONLY` gets
//!   `unaudited_client_can_only_post_to_private_accounts`, a level outside the creator's
//!   options `privacy_level_option_mismatch`;
//! - the upload URL takes `PUT` chunks in order with `Content-Range` (206, then 201 after the
//!   last); a chunk out of order or of the wrong size is `416`;
//! - `status/fetch`: `PROCESSING_UPLOAD`/`PROCESSING_DOWNLOAD` for
//!   [`TwinOptions::processing_polls`] fetches, then `PUBLISH_COMPLETE` with
//!   `publicaly_available_post_id` (Direct Post) or `SEND_TO_USER_INBOX`, or `FAILED` with the
//!   reason set by [`TwinHandle::fail_next`];
//! - `user/info`, `video/query` (≤ 20 ids) and `video/list` (newest first, `cursor` in epoch
//!   ms, `has_more`) over the posts made.
//!
//! ```
//! use socialkit::adapters::tiktok::{TikTok, twin::Twin};
//! use socialkit::model::{Media, Post, PublishOptions};
//! use socialkit::Platform;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = Twin::start().await.unwrap();
//! let tiktok = TikTok::with_client(twin.config(), twin.client());
//! let post = Post::text("hello twin").with_media(Media::from_bytes("video/mp4", vec![7; 1000]));
//! let published = tiktok.publish(&post, &PublishOptions::default()).await.unwrap();
//! assert_eq!(twin.handle().video(&published.post.id).unwrap().title, "hello twin");
//! # });
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use chrono::Utc;
use serde_json::{Value, json};
use url::Url;

use super::TikTokConfig;
use super::upload::{MAX_CHUNK, MAX_CHUNKS, MAX_LAST_CHUNK, MIN_CHUNK};
use crate::Result;
use crate::auth::Secret;
use crate::clock::{Clock, ManualClock};
use crate::http::{Client, HttpConfig};
use crate::testkit::twin::{Faults, RequestLog, TwinServer, instrument};

/// How the twin behaves.
///
/// ```
/// let o = socialkit::adapters::tiktok::twin::TwinOptions::default();
/// assert_eq!(o.processing_polls, 1);
/// ```
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// The app's client key.
    pub client_key: String,
    /// The app's client secret.
    pub client_secret: String,
    /// The creator's @name.
    pub username: String,
    /// The creator's privacy options.
    pub privacy_options: Vec<&'static str>,
    /// Whether the app is audited.
    pub audited: bool,
    /// Status fetches that answer "processing" before the post is done.
    pub processing_polls: u32,
    /// The URL prefix verified for `PULL_FROM_URL`.
    pub verified_prefix: String,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            client_key: "twin-client-key".into(),
            client_secret: "twin-client-secret".into(),
            username: "twin.creator".into(),
            privacy_options: vec![
                "PUBLIC_TO_EVERYONE",
                "MUTUAL_FOLLOW_FRIENDS",
                "FOLLOWER_OF_CREATOR",
                "SELF_ONLY",
            ],
            audited: false,
            processing_polls: 1,
            verified_prefix: "https://media.example.com/".into(),
        }
    }
}

/// A post in the twin, from its init on.
#[derive(Debug, Clone, PartialEq)]
pub struct TwinPublish {
    /// The publish id.
    pub publish_id: String,
    /// `video` or `photo`.
    pub media_type: &'static str,
    /// Direct Post (`true`) or inbox.
    pub direct: bool,
    /// The caption / description.
    pub title: String,
    /// The privacy level.
    pub privacy: String,
    /// The images or the pulled video's URL.
    pub urls: Vec<String>,
    /// `FILE_UPLOAD` numbers: size, chunk size, chunks.
    pub plan: Option<(u64, u64, u64)>,
    /// Bytes received so far.
    pub received: Vec<u8>,
    /// Chunks received.
    pub chunks: u64,
    /// Status fetches so far.
    pub polls: u32,
    /// The final status once reached.
    pub status: String,
    /// Why it failed.
    pub fail_reason: Option<String>,
    /// The video id once published.
    pub post_id: Option<String>,
}

/// A published video (or photo post) as `video/list` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TwinVideo {
    /// The id.
    pub id: String,
    /// The caption.
    pub title: String,
    /// Created, epoch seconds.
    pub create_time: i64,
    /// Views.
    pub views: u64,
    /// Likes.
    pub likes: u64,
}

#[derive(Debug)]
struct St {
    options: TwinOptions,
    base: String,
    tokens: Vec<String>,
    refresh_tokens: Vec<String>,
    issued: u64,
    refusal: Option<String>,
    fail_next: Option<String>,
    publishes: BTreeMap<String, TwinPublish>,
    videos: Vec<TwinVideo>,
    next: u64,
}

#[derive(Debug)]
struct Shared(Mutex<St>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, St> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type S = State<Arc<Shared>>;

fn ok(data: Value) -> Response {
    Json(json!({"data": data, "error": {"code": "ok", "message": "", "log_id": "twin"}}))
        .into_response()
}

/// The error shape of every reference page's "Error codes" table.
fn fail(status: u16, code: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(json!({"data": {}, "error": {"code": code, "message": message, "log_id": "twin"}})),
    )
        .into_response()
}

fn authorized(st: &St, headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| st.tokens.iter().any(|k| k == t))
}

macro_rules! auth {
    ($st:expr, $headers:expr) => {
        if !authorized(&$st, &$headers) {
            return fail(
                401,
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
            );
        }
    };
}

/// The authorization code the twin accepts once (`grant_type=authorization_code`).
pub const TWIN_CODE: &str = "twin-auth-code";

/// `POST /v2/oauth/token/` — oauth-user-access-token-management: form fields `client_key`,
/// `client_secret`, `grant_type=refresh_token`, `refresh_token` (or `authorization_code`,
/// `code`, `redirect_uri`, login-kit-web); answer `access_token`,
/// `expires_in: 86400`, `open_id`, `refresh_expires_in: 31536000`, `refresh_token`, `scope`,
/// `token_type: "Bearer"`; errors `{"error", "error_description", "log_id"}`.
async fn token(State(s): S, Form(f): Form<BTreeMap<String, String>>) -> Response {
    let mut st = s.lock();
    let client_ok = f.get("client_key") == Some(&st.options.client_key)
        && f.get("client_secret") == Some(&st.options.client_secret);
    if !client_ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client", "error_description": "Client key or secret is incorrect.", "log_id": "twin"})),
        )
            .into_response();
    }
    let given = f.get("refresh_token").cloned().unwrap_or_default();
    let by_code = f.get("grant_type").map(String::as_str) == Some("authorization_code")
        && f.get("code").map(String::as_str) == Some(TWIN_CODE)
        && f.contains_key("redirect_uri");
    let by_refresh = f.get("grant_type").map(String::as_str) == Some("refresh_token")
        && st.refresh_tokens.contains(&given);
    if !by_code && !by_refresh {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "Refresh token is invalid or expired.", "log_id": "twin"})),
        )
            .into_response();
    }
    st.issued += 1;
    let access = format!("act.twin{}", st.issued);
    let refresh = format!("rft.twin{}", st.issued);
    st.refresh_tokens.retain(|r| *r != given);
    st.refresh_tokens.push(refresh.clone());
    st.tokens.push(access.clone());
    Json(json!({
        "access_token": access, "expires_in": 86400, "open_id": "twin-open-id",
        "refresh_expires_in": 31536000, "refresh_token": refresh,
        "scope": super::oauth::SCOPES.join(","), "token_type": "Bearer"
    }))
    .into_response()
}

/// `POST /v2/post/publish/creator_info/query/` — content-posting-api-reference-query-creator-info.
async fn creator_info(State(s): S, headers: HeaderMap) -> Response {
    let st = s.lock();
    auth!(st, headers);
    if let Some(code) = &st.refusal {
        return fail(403, code, "The creator cannot post now.");
    }
    ok(json!({
        "creator_avatar_url": "https://p16.tiktokcdn.example/avatar.jpeg",
        "creator_username": st.options.username,
        "creator_nickname": "Twin Creator",
        "privacy_level_options": st.options.privacy_options,
        "comment_disabled": false, "duet_disabled": false, "stitch_disabled": true,
        "max_video_post_duration_sec": 600
    }))
}

/// A refusal: status, code, message.
type Refusal = (u16, &'static str, &'static str);

/// Checks `post_info` against the audit and the creator's options.
fn check_privacy(st: &St, post_info: &Value) -> std::result::Result<String, Refusal> {
    let level = post_info["privacy_level"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !st.options.privacy_options.contains(&level.as_str()) {
        return Err((
            400,
            "privacy_level_option_mismatch",
            "privacy_level is not among the creator's options.",
        ));
    }
    if !st.options.audited && level != "SELF_ONLY" {
        return Err((
            403,
            "unaudited_client_can_only_post_to_private_accounts",
            "Unaudited clients can only post to a private account.",
        ));
    }
    Ok(level)
}

fn new_publish(st: &mut St, prefix: &str, media_type: &'static str, direct: bool) -> TwinPublish {
    st.next += 1;
    TwinPublish {
        publish_id: format!("{prefix}~v2-1.{}", 7_000_000 + st.next),
        media_type,
        direct,
        title: String::new(),
        privacy: "SELF_ONLY".into(),
        urls: Vec::new(),
        plan: None,
        received: Vec::new(),
        chunks: 0,
        polls: 0,
        status: "PROCESSING_UPLOAD".into(),
        fail_reason: None,
        post_id: None,
    }
}

/// The chunk rules of content-posting-api-media-transfer-guide.
fn plan_ok(size: u64, chunk: u64, count: u64) -> bool {
    if size == 0 || chunk == 0 || !(1..=MAX_CHUNKS).contains(&count) || size / chunk != count {
        return false;
    }
    if size < MIN_CHUNK {
        return chunk == size && count == 1;
    }
    if size > MAX_CHUNK && count < 2 {
        return false;
    }
    let last = size - chunk * (count - 1);
    (count == 1 || (MIN_CHUNK..=MAX_CHUNK).contains(&chunk)) && last <= MAX_LAST_CHUNK
}

/// `POST /v2/post/publish/video/init/` (content-posting-api-reference-direct-post) and
/// `POST /v2/post/publish/inbox/video/init/` (content-posting-api-reference-upload-video):
/// `source_info.source` `FILE_UPLOAD` (`video_size`, `chunk_size`, `total_chunk_count`) →
/// `publish_id` + `upload_url`; `PULL_FROM_URL` (`video_url`) → `publish_id`.
async fn video_init(s: Arc<Shared>, headers: HeaderMap, body: Value, direct: bool) -> Response {
    let mut st = s.lock();
    auth!(st, headers);
    let src = &body["source_info"];
    let prefix = match src["source"].as_str() {
        Some("FILE_UPLOAD") => "v_pub_file",
        Some("PULL_FROM_URL") => "v_pub_url",
        _ => {
            return fail(
                400,
                "invalid_param",
                "source_info.source must be FILE_UPLOAD or PULL_FROM_URL.",
            );
        }
    };
    let mut p = new_publish(&mut st, prefix, "video", direct);
    if direct {
        match check_privacy(&st, &body["post_info"]) {
            Ok(level) => p.privacy = level,
            Err((status, code, message)) => return fail(status, code, message),
        }
        p.title = body["post_info"]["title"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    }
    let mut data = json!({"publish_id": p.publish_id});
    if prefix == "v_pub_file" {
        let n = |k: &str| src[k].as_u64().unwrap_or(0);
        let (size, chunk, count) = (n("video_size"), n("chunk_size"), n("total_chunk_count"));
        if !plan_ok(size, chunk, count) {
            return fail(
                400,
                "invalid_param",
                "The chunk_size or total_chunk_count is invalid.",
            );
        }
        p.plan = Some((size, chunk, count));
        data["upload_url"] = json!(format!(
            "{}upload/{}?upload_id={}&upload_token=twin-upload-secret",
            st.base, p.publish_id, st.next
        ));
    } else {
        let url = src["video_url"].as_str().unwrap_or_default().to_string();
        if !url.starts_with(&st.options.verified_prefix) {
            return fail(
                403,
                "url_ownership_unverified",
                "The URL's domain or prefix is not verified.",
            );
        }
        p.status = "PROCESSING_DOWNLOAD".into();
        p.urls = vec![url];
    }
    st.publishes.insert(p.publish_id.clone(), p);
    ok(data)
}

async fn direct_init(State(s): S, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    video_init(s, headers, body, true).await
}

async fn inbox_init(State(s): S, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    video_init(s, headers, body, false).await
}

/// `POST /v2/post/publish/content/init/` — content-posting-api-reference-photo-post:
/// `media_type=PHOTO`, `post_mode` `DIRECT_POST`|`MEDIA_UPLOAD`, `source_info.source`
/// `PULL_FROM_URL` with `photo_images` (≤ 35) and `photo_cover_index`; `post_info.title`
/// (≤ 90) and `description` (≤ 4000).
async fn content_init(State(s): S, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let mut st = s.lock();
    auth!(st, headers);
    let direct = match body["post_mode"].as_str() {
        Some("DIRECT_POST") => true,
        Some("MEDIA_UPLOAD") => false,
        _ => {
            return fail(
                400,
                "invalid_param",
                "post_mode must be DIRECT_POST or MEDIA_UPLOAD.",
            );
        }
    };
    if body["media_type"] != "PHOTO" || body["source_info"]["source"] != "PULL_FROM_URL" {
        return fail(
            400,
            "invalid_param",
            "Photos are posted with media_type PHOTO by PULL_FROM_URL.",
        );
    }
    let images: Vec<String> = body["source_info"]["photo_images"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if images.is_empty() || images.len() > 35 {
        return fail(400, "invalid_param", "photo_images must hold 1 to 35 URLs.");
    }
    if images
        .iter()
        .any(|u| !u.starts_with(&st.options.verified_prefix))
    {
        return fail(
            403,
            "url_ownership_unverified",
            "The URL's domain or prefix is not verified.",
        );
    }
    let info = &body["post_info"];
    if info["title"]
        .as_str()
        .is_some_and(|t| t.encode_utf16().count() > 90)
        || info["description"]
            .as_str()
            .is_some_and(|t| t.encode_utf16().count() > 4000)
    {
        return fail(
            400,
            "invalid_param",
            "The title or description is too long.",
        );
    }
    let mut p = new_publish(&mut st, "p_pub_url", "photo", direct);
    match check_privacy(&st, info) {
        Ok(level) => p.privacy = level,
        Err((status, code, message)) => return fail(status, code, message),
    }
    p.title = info["description"]
        .as_str()
        .or(info["title"].as_str())
        .unwrap_or_default()
        .to_string();
    p.status = "PROCESSING_DOWNLOAD".into();
    p.urls = images;
    let id = p.publish_id.clone();
    st.publishes.insert(id.clone(), p);
    ok(json!({"publish_id": id}))
}

/// `PUT {upload_url}` — content-posting-api-media-transfer-guide: `Content-Range: bytes
/// FIRST-LAST/TOTAL`, chunks in order; 206 Partial Content until the last, then 201 Created.
async fn upload(
    State(s): S,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut st = s.lock();
    if q.get("upload_token").map(String::as_str) != Some("twin-upload-secret") {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Some(p) = st.publishes.get_mut(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((size, chunk, count)) = p.plan else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let range = headers
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes "))
        .and_then(|v| v.split_once('/'))
        .and_then(|(r, total)| {
            let (a, b) = r.split_once('-')?;
            Some((
                a.parse::<u64>().ok()?,
                b.parse::<u64>().ok()?,
                total.parse::<u64>().ok()?,
            ))
        });
    let start = p.chunks * chunk;
    let end = if p.chunks + 1 == count {
        size
    } else {
        start + chunk
    };
    match range {
        // A chunk sent again after a lost answer: already have it.
        Some((a, b, t)) if t == size && p.chunks > 0 && a == start - chunk && b + 1 == start => {
            return StatusCode::PARTIAL_CONTENT.into_response();
        }
        Some((a, b, t))
            if t == size && a == start && b + 1 == end && body.len() as u64 == end - start => {}
        _ => return StatusCode::RANGE_NOT_SATISFIABLE.into_response(),
    }
    p.received.extend_from_slice(&body);
    p.chunks += 1;
    if p.chunks == count {
        StatusCode::CREATED.into_response()
    } else {
        StatusCode::PARTIAL_CONTENT.into_response()
    }
}

/// `POST /v2/post/publish/status/fetch/` — content-posting-api-reference-get-video-status:
/// `status`, `fail_reason`, `publicaly_available_post_id` (TikTok's spelling; int64s),
/// `uploaded_bytes`, `downloaded_bytes`.
async fn status(State(s): S, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let mut guard = s.lock();
    auth!(guard, headers);
    let st = &mut *guard;
    let id = body["publish_id"].as_str().unwrap_or_default().to_string();
    let Some(p) = st.publishes.get_mut(&id) else {
        return fail(400, "invalid_publish_id", "The publish_id does not exist.");
    };
    let uploaded = p.plan.is_none() || p.chunks == p.plan.map(|x| x.2).unwrap_or(0);
    if uploaded && p.fail_reason.is_none() && p.post_id.is_none() && !p.status.ends_with("INBOX") {
        p.polls += 1;
        if p.polls > st.options.processing_polls {
            if let Some(reason) = st.fail_next.take() {
                p.status = "FAILED".into();
                p.fail_reason = Some(reason);
            } else if p.direct {
                st.next += 1;
                let vid = format!("{}", 7_300_000_000_000_000_000u64 + st.next);
                p.status = "PUBLISH_COMPLETE".into();
                p.post_id = Some(vid.clone());
                st.videos.insert(
                    0,
                    TwinVideo {
                        id: vid,
                        title: p.title.clone(),
                        create_time: Utc::now().timestamp(),
                        views: 0,
                        likes: 0,
                    },
                );
            } else {
                p.status = "SEND_TO_USER_INBOX".into();
            }
        }
    }
    let ids: Vec<Value> = p
        .post_id
        .iter()
        .filter_map(|v| v.parse::<u64>().ok().map(Value::from))
        .collect();
    let mut data = json!({
        "status": p.status,
        "publicaly_available_post_id": ids,
        "uploaded_bytes": p.received.len(),
    });
    if let Some(r) = &p.fail_reason {
        data["fail_reason"] = json!(r);
    }
    ok(data)
}

/// `GET /v2/user/info/?fields=…` — tiktok-api-v2-get-user-info.
async fn user_info(State(s): S, headers: HeaderMap) -> Response {
    let st = s.lock();
    auth!(st, headers);
    ok(json!({"user": {
        "open_id": "twin-open-id", "union_id": "twin-union-id",
        "avatar_url": "https://p16.tiktokcdn.example/avatar.jpeg",
        "display_name": "Twin Creator", "username": st.options.username,
        "bio_description": "A twin for tests",
        "profile_deep_link": format!("https://www.tiktok.com/@{}", st.options.username),
        "follower_count": 1200, "following_count": 33, "video_count": st.videos.len()
    }}))
}

fn video_json(v: &TwinVideo, username: &str) -> Value {
    json!({
        "id": v.id, "title": v.title, "video_description": v.title,
        "create_time": v.create_time,
        "share_url": format!("https://www.tiktok.com/@{username}/video/{}", v.id),
        "view_count": v.views, "like_count": v.likes, "comment_count": 0, "share_count": 0
    })
}

/// `POST /v2/video/query/?fields=…` — tiktok-api-v2-video-query: `filters.video_ids` (≤ 20).
async fn video_query(State(s): S, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let st = s.lock();
    auth!(st, headers);
    let ids: Vec<&str> = body["filters"]["video_ids"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if ids.is_empty() || ids.len() > 20 {
        return fail(400, "invalid_params", "video_ids must hold 1 to 20 ids.");
    }
    let videos: Vec<Value> = st
        .videos
        .iter()
        .filter(|v| ids.contains(&v.id.as_str()))
        .map(|v| video_json(v, &st.options.username))
        .collect();
    ok(json!({"videos": videos, "cursor": 0, "has_more": false}))
}

/// `POST /v2/video/list/?fields=…` — tiktok-api-v2-video-list: `max_count` (≤ 20), `cursor`
/// (epoch ms: videos created before it), newest first.
async fn video_list(State(s): S, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let st = s.lock();
    auth!(st, headers);
    let max = body["max_count"].as_u64().unwrap_or(10).clamp(1, 20) as usize;
    let skip = body["cursor"].as_u64().unwrap_or(0) as usize;
    let page: Vec<Value> = st
        .videos
        .iter()
        .skip(skip)
        .take(max)
        .map(|v| video_json(v, &st.options.username))
        .collect();
    let next = skip + page.len();
    // The twin's cursor is an offset; TikTok's is a time, opaque to the client either way.
    ok(json!({"videos": page, "cursor": next, "has_more": next < st.videos.len()}))
}

/// A running twin. Dropping it stops the server.
#[derive(Debug)]
pub struct Twin {
    server: TwinServer,
    handle: TwinHandle,
    clock: ManualClock,
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
        let shared = Arc::new(Shared(Mutex::new(St {
            options,
            base: String::new(),
            tokens: vec!["act.twin0".into()],
            refresh_tokens: vec!["rft.twin0".into()],
            issued: 0,
            refusal: None,
            fail_next: None,
            publishes: BTreeMap::new(),
            videos: Vec::new(),
            next: 0,
        })));
        let (log, faults) = (RequestLog::default(), Faults::default());
        let app = Router::new()
            .route("/v2/oauth/token/", post(token))
            .route("/v2/post/publish/creator_info/query/", post(creator_info))
            .route("/v2/post/publish/video/init/", post(direct_init))
            .route("/v2/post/publish/inbox/video/init/", post(inbox_init))
            .route("/v2/post/publish/content/init/", post(content_init))
            .route("/v2/post/publish/status/fetch/", post(status))
            .route("/upload/{id}", put(upload))
            .route("/v2/user/info/", get(user_info))
            .route("/v2/video/query/", post(video_query))
            .route("/v2/video/list/", post(video_list))
            .layer(DefaultBodyLimit::max(160 * 1024 * 1024))
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
            clock: ManualClock::new(Utc::now()),
        })
    }

    /// The twin's base URL.
    pub fn url(&self) -> Url {
        self.server.base_url()
    }

    /// A Direct Post config with the twin's current token and a refresh token.
    pub fn config(&self) -> TikTokConfig {
        let st = self.handle.shared.lock();
        let url = format!(
            "tiktok://act.twin0@{}?scheme=http&refresh_token=rft.twin0&client_key={}&client_secret={}{}",
            self.server.addr(),
            st.options.client_key,
            st.options.client_secret,
            if st.options.audited {
                "&audited=true"
            } else {
                ""
            }
        );
        drop(st);
        TikTokConfig::from_url_str(&url)
            .unwrap_or_else(|e| unreachable!("the twin's channel URL is valid: {e}"))
    }

    /// An HTTP client on the twin's manual clock, so status polls take no real time.
    pub fn client(&self) -> Client {
        let clock: Arc<dyn Clock> = Arc::new(self.clock.clone());
        Client::new(HttpConfig::default())
            .unwrap_or_default()
            .with_clock(clock)
    }

    /// The twin's manual clock.
    pub fn clock(&self) -> &ManualClock {
        &self.clock
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

    /// `creator_info/query` refuses with `code` until cleared with `None`.
    pub fn refuse_posting(&self, code: Option<&str>) {
        self.shared.lock().refusal = code.map(str::to_string);
    }

    /// The next post to finish processing fails with `reason`.
    pub fn fail_next(&self, reason: &str) {
        self.shared.lock().fail_next = Some(reason.to_string());
    }

    /// Retires every access token (as if they expired).
    pub fn expire_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    /// The current refresh tokens.
    pub fn refresh_tokens(&self) -> Vec<Secret> {
        self.shared
            .lock()
            .refresh_tokens
            .iter()
            .map(Secret::new)
            .collect()
    }

    /// Every publish, by publish id.
    pub fn publishes(&self) -> Vec<TwinPublish> {
        self.shared.lock().publishes.values().cloned().collect()
    }

    /// A published video by id.
    pub fn video(&self, id: &str) -> Option<TwinVideo> {
        self.shared
            .lock()
            .videos
            .iter()
            .find(|v| v.id == id)
            .cloned()
    }

    /// Every published video, newest first.
    pub fn videos(&self) -> Vec<TwinVideo> {
        self.shared.lock().videos.clone()
    }

    /// Sets a video's views and likes.
    pub fn set_stats(&self, id: &str, views: u64, likes: u64) {
        if let Some(v) = self.shared.lock().videos.iter_mut().find(|v| v.id == id) {
            v.views = views;
            v.likes = likes;
        }
    }
}
