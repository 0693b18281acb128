//! A local twin of the YouTube Data API v3 and Google's token endpoint, for tests (feature
//! `testkit`).
//!
//! An axum app on `127.0.0.1:0` that behaves as the documentation says; each handler names
//! its source. Sources: the API reference <https://developers.google.com/youtube/v3/docs>
//! (`videos.insert`, `videos.list`, `videos.delete`, `channels.list`, `playlistItems.list`,
//! `commentThreads.list`, `comments.list`, `comments.insert`, `comments.delete`,
//! `thumbnails.set`: parameters, resources, error reasons), the resumable upload guide
//! <https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol>
//! (session start with `X-Upload-Content-Length`, `Location`, `Content-Range`,
//! `308 Resume Incomplete` with `Range`, `bytes */SIZE` status checks, `201 Created`), the
//! quota page <https://developers.google.com/youtube/v3/determine_quota_cost> (costs;
//! `403 quotaExceeded`), Google's error shape <https://cloud.google.com/apis/design/errors>
//! and Google's OAuth token endpoint
//! <https://developers.google.com/identity/protocols/oauth2/web-server#offline> (the
//! refresh answer without a new refresh token; `invalid_grant`).
//!
//! What it does:
//! - API calls need the access token it issued (`401 authError` otherwise); `POST /token`
//!   renews it with the refresh token;
//! - every call costs its units from `daily_units` and uploads from `daily_uploads`; past
//!   them, `403 quotaExceeded`;
//! - uploads check the title (100 characters), description (5,000 bytes), `<`/`>`, tags
//!   (500 characters as YouTube counts them) and `publishAt` (needs `private`) with the
//!   documented reasons; chunks must start where the session stands and be multiples of
//!   256 KiB but the last;
//! - **the upload goes through a cutting proxy**: the session URI points at a TCP proxy in
//!   front of the twin, and [`TwinHandle::cut_upload_after`] makes it drop the connection
//!   after N more request bytes, mid-chunk. The twin then keeps only whole 256 KiB units of
//!   what reached it (Google may keep fewer bytes than it got: the client must go by
//!   `Range`), as a network failure leaves it;
//! - comments: [`TwinHandle::comment`] adds a viewer's comment thread, replies go under it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::config::CHUNK_UNIT;
use super::upload::tags_length;
use super::{MAX_DESCRIPTION_BYTES, MAX_TAGS, MAX_TITLE, YoutubeConfig};
use crate::auth::{OAuth2Refresh, Secret};
use crate::testkit::twin::{AuthCodes, Faults, RequestLog, TwinServer, instrument};
use crate::{Error, ErrorKind, Result};

/// How the twin behaves.
///
/// ```
/// let o = socialkit::adapters::youtube::twin::TwinOptions::default();
/// assert_eq!((o.daily_units, o.daily_uploads), (10_000, 100));
/// ```
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// The channel id.
    pub channel_id: String,
    /// Its title.
    pub channel_title: String,
    /// Units a day.
    pub daily_units: u32,
    /// Uploads a day.
    pub daily_uploads: u32,
    /// Subscribers (None: hidden).
    pub subscribers: Option<u64>,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            channel_id: "UCtwinChannel000000000001".into(),
            channel_title: "Twin Anvils".into(),
            daily_units: 10_000,
            daily_uploads: 100,
            subscribers: Some(1234),
        }
    }
}

/// A video in the twin.
#[derive(Debug, Clone, PartialEq)]
pub struct TwinVideo {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// `public`, `unlisted`, `private`.
    pub privacy: String,
    /// Scheduled publish time.
    pub publish_at: Option<DateTime<Utc>>,
    /// COPPA declaration.
    pub made_for_kids: Option<bool>,
    /// The bytes uploaded.
    pub bytes: Vec<u8>,
    /// The thumbnail's type and size.
    pub thumbnail: Option<(String, usize)>,
    /// Uploaded.
    pub published_at: DateTime<Utc>,
    /// Views.
    pub views: u64,
    /// Likes.
    pub likes: u64,
}

/// A comment in the twin.
#[derive(Debug, Clone, PartialEq)]
pub struct TwinComment {
    /// Id.
    pub id: String,
    /// The thread (its top-level comment's id).
    pub thread: String,
    /// The video.
    pub video: String,
    /// Author channel.
    pub author: String,
    /// Text.
    pub text: String,
    /// Written.
    pub published_at: DateTime<Utc>,
}

struct Session {
    total: u64,
    data: Vec<u8>,
    resource: Value,
    video: Option<String>,
}

struct St {
    options: TwinOptions,
    access_token: String,
    refresh_token: String,
    client_id: String,
    units: u32,
    uploads: u32,
    videos: Vec<TwinVideo>,
    comments: Vec<TwinComment>,
    sessions: HashMap<String, Session>,
    next: u64,
    proxy: String,
    ranges: Vec<String>,
    /// Authorization codes and the PKCE challenge each was issued for.
    codes: AuthCodes,
}

struct Shared {
    st: Mutex<St>,
    /// Request bytes the proxy forwards before it cuts the connection (<0: never).
    cut_after: AtomicI64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, St> {
        self.st.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type S = Arc<Shared>;

/// Google's error body (`{"error": {"code", "message", "errors": [{"reason", "domain"}]}}`).
fn error(status: u16, reason: &str, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({"error": {"code": status, "message": message,
        "errors": [{"message": message, "domain": "youtube", "reason": reason}]}});
    (code, axum::Json(body)).into_response()
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

impl St {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{:011}", self.next)
    }

    /// Bearer check and quota (determine_quota_cost: every request costs at least a unit).
    fn call(
        &mut self,
        headers: &HeaderMap,
        units: u32,
        uploads: u32,
    ) -> std::result::Result<(), Box<Response>> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if token != Some(self.access_token.as_str()) {
            return Err(Box::new(error(401, "authError", "Invalid Credentials")));
        }
        if self.units + units > self.options.daily_units
            || self.uploads + uploads > self.options.daily_uploads
        {
            return Err(Box::new(error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded your quota.",
            )));
        }
        self.units += units;
        self.uploads += uploads;
        Ok(())
    }

    fn video_json(&self, v: &TwinVideo) -> Value {
        let comments = self.comments.iter().filter(|c| c.video == v.id).count();
        json!({"kind": "youtube#video", "id": v.id,
            "snippet": {"publishedAt": v.published_at.to_rfc3339(), "channelId": self.options.channel_id,
                "title": v.title, "description": v.description, "tags": v.tags, "categoryId": "22"},
            "status": {"uploadStatus": "uploaded", "privacyStatus": v.privacy,
                "publishAt": v.publish_at.map(|t| t.to_rfc3339()),
                "selfDeclaredMadeForKids": v.made_for_kids},
            "statistics": {"viewCount": v.views.to_string(), "likeCount": v.likes.to_string(),
                "favoriteCount": "0", "commentCount": comments.to_string()}})
    }

    fn comment_json(&self, c: &TwinComment) -> Value {
        let mut snippet = json!({"authorDisplayName": format!("viewer {}", c.author),
            "authorChannelUrl": format!("http://www.youtube.com/channel/{}", c.author),
            "authorChannelId": {"value": c.author}, "videoId": c.video,
            "textDisplay": c.text, "textOriginal": c.text, "canRate": true, "likeCount": 0,
            "publishedAt": c.published_at.to_rfc3339(), "updatedAt": c.published_at.to_rfc3339()});
        if c.id != c.thread {
            snippet["parentId"] = json!(c.thread);
        }
        json!({"kind": "youtube#comment", "id": c.id, "snippet": snippet})
    }
}

/// Reads `pageToken` as an offset.
fn offset(q: &HashMap<String, String>) -> usize {
    q.get("pageToken")
        .and_then(|t| t.strip_prefix("o"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn max_results(q: &HashMap<String, String>, default: usize, max: usize) -> usize {
    q.get("maxResults")
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
        .clamp(1, max)
}

fn page(items: Vec<Value>, from: usize, n: usize) -> Value {
    let total = items.len();
    let slice: Vec<Value> = items.into_iter().skip(from).take(n).collect();
    let mut body =
        json!({"items": slice, "pageInfo": {"totalResults": total, "resultsPerPage": n}});
    if from + n < total {
        body["nextPageToken"] = json!(format!("o{}", from + n));
    }
    body
}

/// S256 of a PKCE verifier (RFC 7636 §4.2).
fn invalid_grant() -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": "invalid_grant",
        "error_description": "Token has been expired or revoked."})),
    )
        .into_response()
}

/// POST /token — Google's token endpoint: the code exchange (single-use codes, PKCE S256
/// checked, a refresh token with offline access) and the refresh grant (no new refresh
/// token); client id and secret in the body.
async fn token(
    State(s): State<S>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let mut st = s.lock();
    let grant = form.get("grant_type").map(String::as_str);
    if grant == Some("authorization_code") {
        let code = form.get("code").map(String::as_str).unwrap_or_default();
        let verifier = form.get("code_verifier").map(String::as_str);
        if !st.codes.redeem(code, verifier.unwrap_or_default())
            || form.get("client_id") != Some(&st.client_id)
        {
            return invalid_grant();
        }
        let fresh = st.id("ya29.twin-");
        st.access_token = fresh.clone();
        return ok(
            json!({"access_token": fresh, "expires_in": 3599, "token_type": "Bearer",
            "refresh_token": st.refresh_token, "scope": super::oauth::SCOPES.join(" ")}),
        );
    }
    let good = grant == Some("refresh_token")
        && form.get("refresh_token") == Some(&st.refresh_token)
        && form.get("client_id") == Some(&st.client_id);
    if !good {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_grant",
            "error_description": "Token has been expired or revoked."})),
        )
            .into_response();
    }
    let fresh = st.id("ya29.twin-");
    st.access_token = fresh.clone();
    ok(
        json!({"access_token": fresh, "expires_in": 3599, "token_type": "Bearer",
        "scope": super::oauth::SCOPES.join(" ")}),
    )
}

/// GET youtube/v3/channels — `mine=true` or `id=`; snippet, statistics, contentDetails.
async fn channels(
    State(s): State<S>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = s.lock();
    if let Err(r) = st.call(&headers, 1, 0) {
        return *r;
    }
    let o = st.options.clone();
    if q.get("mine").map(String::as_str) != Some("true") && q.get("id") != Some(&o.channel_id) {
        return ok(json!({"kind": "youtube#channelListResponse", "items": []}));
    }
    let uploads = format!("UU{}", &o.channel_id[2..]);
    let stats = match o.subscribers {
        Some(n) => {
            json!({"viewCount": "0", "subscriberCount": n.to_string(), "hiddenSubscriberCount": false,
            "videoCount": st.videos.len().to_string()})
        }
        None => {
            json!({"viewCount": "0", "hiddenSubscriberCount": true, "videoCount": st.videos.len().to_string()})
        }
    };
    ok(
        json!({"kind": "youtube#channelListResponse", "items": [{"kind": "youtube#channel", "id": o.channel_id,
        "snippet": {"title": o.channel_title, "description": "Anvils, tested.", "customUrl": "@twinanvils"},
        "statistics": stats,
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": uploads}}}]}),
    )
}

/// GET youtube/v3/videos — `id=a,b` (at most 50), part statistics.
async fn videos_list(
    State(s): State<S>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = s.lock();
    if let Err(r) = st.call(&headers, 1, 0) {
        return *r;
    }
    let ids: Vec<&str> = q
        .get("id")
        .map(|s| s.split(',').collect())
        .unwrap_or_default();
    if ids.len() > 50 {
        return error(400, "badRequest", "Too many ids (50 at most).");
    }
    let items: Vec<Value> = st
        .videos
        .iter()
        .filter(|v| ids.contains(&v.id.as_str()))
        .map(|v| st.video_json(v))
        .collect();
    ok(json!({"kind": "youtube#videoListResponse", "items": items}))
}

/// DELETE youtube/v3/videos — 204, or 404 videoNotFound.
async fn videos_delete(
    State(s): State<S>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = s.lock();
    if let Err(r) = st.call(&headers, 50, 0) {
        return *r;
    }
    let id = q.get("id").cloned().unwrap_or_default();
    let before = st.videos.len();
    st.videos.retain(|v| v.id != id);
    if st.videos.len() == before {
        return error(
            404,
            "videoNotFound",
            "The video that you are trying to delete cannot be found.",
        );
    }
    st.comments.retain(|c| c.video != id);
    StatusCode::NO_CONTENT.into_response()
}

/// GET youtube/v3/playlistItems — the uploads playlist, newest first.
async fn playlist_items(
    State(s): State<S>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = s.lock();
    if let Err(r) = st.call(&headers, 1, 0) {
        return *r;
    }
    let uploads = format!("UU{}", &st.options.channel_id[2..]);
    if q.get("playlistId") != Some(&uploads) {
        return error(
            404,
            "playlistNotFound",
            "The playlist identified with the request's playlistId parameter cannot be found.",
        );
    }
    let items: Vec<Value> = st.videos.iter().rev().map(|v| json!({"kind": "youtube#playlistItem", "id": format!("PI{}", v.id),
        "snippet": {"publishedAt": v.published_at.to_rfc3339(), "title": v.title, "description": v.description,
            "playlistId": uploads, "resourceId": {"kind": "youtube#video", "videoId": v.id}}})).collect();
    ok(page(items, offset(&q), max_results(&q, 5, 50)))
}

/// GET youtube/v3/commentThreads — `allThreadsRelatedToChannelId`, `order=time` (newest
/// thread first), `part=snippet,replies`.
async fn comment_threads(
    State(s): State<S>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = s.lock();
    if let Err(r) = st.call(&headers, 1, 0) {
        return *r;
    }
    if q.get("allThreadsRelatedToChannelId") != Some(&st.options.channel_id) {
        return error(
            404,
            "channelNotFound",
            "The channel identified by the allThreadsRelatedToChannelId parameter cannot be found.",
        );
    }
    let mut threads: Vec<&TwinComment> = st.comments.iter().filter(|c| c.id == c.thread).collect();
    threads.sort_by(|a, b| b.published_at.cmp(&a.published_at).then(b.id.cmp(&a.id)));
    let items: Vec<Value> = threads.iter().map(|t| {
        let replies: Vec<Value> = st.comments.iter().filter(|c| c.thread == t.id && c.id != t.id).map(|c| st.comment_json(c)).collect();
        let mut v = json!({"kind": "youtube#commentThread", "id": t.id,
            "snippet": {"channelId": st.options.channel_id, "videoId": t.video, "canReply": true,
                "totalReplyCount": replies.len(), "isPublic": true, "topLevelComment": st.comment_json(t)}});
        if !replies.is_empty() {
            v["replies"] = json!({"comments": replies});
        }
        v
    }).collect();
    ok(page(items, offset(&q), max_results(&q, 20, 100)))
}

/// GET youtube/v3/comments — `parentId`: a thread's replies.
async fn comments_list(
    State(s): State<S>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = s.lock();
    if let Err(r) = st.call(&headers, 1, 0) {
        return *r;
    }
    let parent = q.get("parentId").cloned().unwrap_or_default();
    let items: Vec<Value> = st
        .comments
        .iter()
        .filter(|c| c.thread == parent && c.id != parent)
        .map(|c| st.comment_json(c))
        .collect();
    ok(page(items, offset(&q), max_results(&q, 20, 100)))
}

/// POST youtube/v3/comments — a reply: `snippet.parentId`, `snippet.textOriginal`.
async fn comments_insert(
    State(s): State<S>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut st = s.lock();
    if let Err(r) = st.call(&headers, 50, 0) {
        return *r;
    }
    let parent = body["snippet"]["parentId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let text = body["snippet"]["textOriginal"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let Some(thread) = st
        .comments
        .iter()
        .find(|c| c.id == parent && c.id == c.thread)
        .cloned()
    else {
        return error(
            404,
            "parentCommentNotFound",
            "The specified parent comment could not be found.",
        );
    };
    if text.trim().is_empty() {
        return error(
            400,
            "commentTextRequired",
            "The comment resource must contain a value for the textOriginal property.",
        );
    }
    if text.chars().count() > super::MAX_COMMENT {
        return error(
            400,
            "commentTextTooLong",
            "The comment resource contains too many characters.",
        );
    }
    let id = format!("{}.{}", parent, st.id("r"));
    let c = TwinComment {
        id,
        thread: parent,
        video: thread.video,
        author: st.options.channel_id.clone(),
        text,
        published_at: Utc::now(),
    };
    let out = st.comment_json(&c);
    st.comments.push(c);
    ok(out)
}

/// DELETE youtube/v3/comments — 204, or 404 commentNotFound.
async fn comments_delete(
    State(s): State<S>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = s.lock();
    if let Err(r) = st.call(&headers, 50, 0) {
        return *r;
    }
    let id = q.get("id").cloned().unwrap_or_default();
    let before = st.comments.len();
    st.comments.retain(|c| c.id != id && c.thread != id);
    if st.comments.len() == before {
        return error(404, "commentNotFound", "The comment could not be found.");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// The metadata checks of videos.insert (videos resource: snippet.title, description, tags;
/// status.publishAt).
fn check_metadata(v: &Value) -> std::result::Result<(), Box<Response>> {
    let title = v["snippet"]["title"].as_str().unwrap_or_default();
    let description = v["snippet"]["description"].as_str().unwrap_or_default();
    if title.trim().is_empty() || title.chars().count() > MAX_TITLE || title.contains(['<', '>']) {
        return Err(Box::new(error(
            400,
            "invalidTitle",
            "The request metadata specifies an invalid or empty video title.",
        )));
    }
    if description.len() > MAX_DESCRIPTION_BYTES || description.contains(['<', '>']) {
        return Err(Box::new(error(
            400,
            "invalidDescription",
            "The request metadata specifies an invalid video description.",
        )));
    }
    let tags: Vec<String> = v["snippet"]["tags"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if tags_length(&tags) > MAX_TAGS {
        return Err(Box::new(error(
            400,
            "invalidTags",
            "The request metadata specifies invalid video keywords.",
        )));
    }
    let privacy = v["status"]["privacyStatus"].as_str().unwrap_or("public");
    if let Some(at) = v["status"]["publishAt"].as_str() {
        let future = DateTime::parse_from_rfc3339(at)
            .map(|t| t > Utc::now())
            .unwrap_or(false);
        if privacy != "private" || !future {
            return Err(Box::new(error(
                400,
                "invalidPublishAt",
                "The request metadata specifies an invalid scheduled publishing time.",
            )));
        }
    }
    Ok(())
}

/// POST upload/youtube/v3/videos?uploadType=resumable — starts a session (step 1 of the
/// guide): 200 with `Location`.
async fn upload_start(
    State(s): State<S>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut st = s.lock();
    if q.get("uploadType").map(String::as_str) != Some("resumable") {
        return error(
            400,
            "badRequest",
            "Only resumable uploads are served by the twin.",
        );
    }
    if let Err(r) = st.call(&headers, 0, 1) {
        return *r;
    }
    if let Err(r) = check_metadata(&body) {
        return *r;
    }
    let Some(total) = headers
        .get("x-upload-content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return error(400, "badRequest", "X-Upload-Content-Length is required.");
    };
    let id = st.id("up");
    st.sessions.insert(
        id.clone(),
        Session {
            total,
            data: Vec::new(),
            resource: body,
            video: None,
        },
    );
    let location = format!(
        "{}upload/youtube/v3/videos?uploadType=resumable&upload_id={id}",
        st.proxy
    );
    (StatusCode::OK, [(header::LOCATION, location)]).into_response()
}

/// The answer to where a session stands: 201 with the video, or 308 with `Range`.
fn session_answer(st: &mut St, id: &str) -> Response {
    let Some(sess) = st.sessions.get(id) else {
        return error(404, "notFound", "The upload session does not exist.");
    };
    if let Some(video) = sess.video.clone() {
        let v = st.videos.iter().find(|v| v.id == video).cloned();
        return match v {
            Some(v) => (StatusCode::OK, axum::Json(st.video_json(&v))).into_response(),
            None => error(404, "videoNotFound", "The video was deleted."),
        };
    }
    if sess.data.len() as u64 == sess.total {
        let resource = sess.resource.clone();
        let data = st
            .sessions
            .get_mut(id)
            .map(|s| std::mem::take(&mut s.data))
            .unwrap_or_default();
        let vid = st.id("vid");
        let v = TwinVideo {
            id: vid.clone(),
            title: resource["snippet"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            description: resource["snippet"]["description"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            tags: resource["snippet"]["tags"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            privacy: resource["status"]["privacyStatus"]
                .as_str()
                .unwrap_or("public")
                .to_string(),
            publish_at: resource["status"]["publishAt"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc)),
            made_for_kids: resource["status"]["selfDeclaredMadeForKids"].as_bool(),
            bytes: data,
            thumbnail: None,
            published_at: Utc::now(),
            views: 0,
            likes: 0,
        };
        let out = st.video_json(&v);
        st.videos.push(v);
        if let Some(sess) = st.sessions.get_mut(id) {
            sess.video = Some(vid);
        }
        return (StatusCode::CREATED, axum::Json(out)).into_response();
    }
    let mut r = StatusCode::PERMANENT_REDIRECT.into_response();
    if !sess.data.is_empty() {
        if let Ok(v) = format!("bytes=0-{}", sess.data.len() - 1).parse() {
            r.headers_mut().insert(header::RANGE, v);
        }
    }
    r
}

/// `bytes a-b/total` → (a, b, total); `bytes */total` → None start.
fn content_range(h: &HeaderMap) -> Option<(Option<(u64, u64)>, u64)> {
    let v = h
        .get(header::CONTENT_RANGE)?
        .to_str()
        .ok()?
        .strip_prefix("bytes ")?;
    let (range, total) = v.split_once('/')?;
    let total = total.parse().ok()?;
    if range == "*" {
        return Some((None, total));
    }
    let (a, b) = range.split_once('-')?;
    Some((Some((a.parse().ok()?, b.parse().ok()?)), total))
}

/// PUT upload/youtube/v3/videos?upload_id= — a chunk or a status check (steps 2–3).
async fn upload_put(
    State(s): State<S>,
    Query(q): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let id = q.get("upload_id").cloned().unwrap_or_default();
    let headers = request.headers().clone();
    {
        let mut st = s.lock();
        if let Err(r) = st.call(&headers, 0, 0) {
            return *r;
        }
        if !st.sessions.contains_key(&id) {
            return error(404, "notFound", "The upload session does not exist.");
        }
    }
    if let Some(r) = headers
        .get(header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
    {
        s.lock().ranges.push(r.to_string());
    }
    let Some((range, total)) = content_range(&headers) else {
        return error(400, "badRequest", "Content-Range is required.");
    };
    let mut body = request.into_body().into_data_stream();
    let mut got: Vec<u8> = Vec::new();
    let mut broken = false;
    while let Some(frame) = body.next().await {
        match frame {
            Ok(b) => got.extend_from_slice(&b),
            Err(_) => {
                broken = true;
                break;
            }
        }
    }
    let mut st = s.lock();
    let Some(sess) = st.sessions.get_mut(&id) else {
        return error(404, "notFound", "The upload session does not exist.");
    };
    if total != sess.total {
        return error(
            400,
            "badRequest",
            "The Content-Range total differs from X-Upload-Content-Length.",
        );
    }
    if let Some((a, b)) = range {
        let stored = sess.data.len() as u64;
        if a > stored {
            return error(
                400,
                "badRequest",
                "The chunk does not start where the upload stands.",
            );
        }
        let last = b + 1 == total;
        let len = b + 1 - a;
        if !last && len % CHUNK_UNIT as u64 != 0 {
            return error(
                400,
                "badRequest",
                "Chunks but the last must be multiples of 256 KiB.",
            );
        }
        // Skip what is stored already, keep the rest that arrived.
        let skip = usize::try_from(stored - a).unwrap_or(usize::MAX);
        let mut new: &[u8] = got.get(skip..).unwrap_or(&[]);
        if broken {
            // A broken request: keep whole 256 KiB units only, as a server may.
            let keep_total = (stored + new.len() as u64) / CHUNK_UNIT as u64 * CHUNK_UNIT as u64;
            let keep = usize::try_from(keep_total.saturating_sub(stored)).unwrap_or(0);
            new = &new[..keep.min(new.len())];
        } else if (got.len() as u64) != len {
            return error(
                400,
                "badRequest",
                "The body length differs from Content-Range.",
            );
        }
        sess.data.extend_from_slice(new);
    }
    session_answer(&mut st, &id)
}

/// POST upload/youtube/v3/thumbnails/set?videoId= — JPEG or PNG, at most 2 MB.
async fn thumbnails_set(
    State(s): State<S>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    let mut st = s.lock();
    if let Err(r) = st.call(&headers, 50, 0) {
        return *r;
    }
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if !matches!(mime.as_str(), "image/jpeg" | "image/png") || body.is_empty() {
        return error(
            400,
            "invalidImage",
            "The provided image content is invalid.",
        );
    }
    if body.len() as u64 > super::MAX_THUMBNAIL_BYTES {
        return error(400, "mediaBodyTooLarge", "The image is larger than 2 MB.");
    }
    let id = q.get("videoId").cloned().unwrap_or_default();
    let Some(v) = st.videos.iter_mut().find(|v| v.id == id) else {
        return error(
            404,
            "videoNotFound",
            "The video that you are trying to set a thumbnail for cannot be found.",
        );
    };
    v.thumbnail = Some((mime, body.len()));
    ok(
        json!({"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": format!("https://i.ytimg.com/vi/{id}/default.jpg"), "width": 120, "height": 90}}]}),
    )
}

/// The cutting proxy in front of uploads: forwards both ways, and cuts the connection after
/// `cut_after` request bytes when it is armed.
async fn proxy(listener: TcpListener, upstream: std::net::SocketAddr, shared: S) {
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            return;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let Ok(mut server) = TcpStream::connect(upstream).await else {
                return;
            };
            let (mut cr, mut cw) = client.split();
            let (mut sr, mut sw) = server.split();
            let up = async {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    let n = match cr.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    let budget = shared.cut_after.load(Ordering::SeqCst);
                    if budget >= 0 {
                        let pass = usize::try_from(budget).unwrap_or(0).min(n);
                        shared.cut_after.fetch_sub(pass as i64, Ordering::SeqCst);
                        if pass < n {
                            let _ = sw.write_all(&buf[..pass]).await;
                            shared.cut_after.store(-1, Ordering::SeqCst);
                            return; // cut: both directions end here
                        }
                    }
                    if sw.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            };
            let down = async {
                let _ = tokio::io::copy(&mut sr, &mut cw).await;
            };
            tokio::select! {
                _ = up => {},
                _ = down => {},
            }
        });
    }
}

/// A running twin; dropping it stops the API server (the proxy ends with the runtime).
pub struct Twin {
    server: TwinServer,
    handle: TwinHandle,
}

/// Reads and changes the twin's state from a test.
#[derive(Clone)]
pub struct TwinHandle {
    shared: S,
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
        let shared: S = Arc::new(Shared {
            st: Mutex::new(St {
                options,
                access_token: "ya29.twin-first".into(),
                refresh_token: "1//twin-refresh".into(),
                client_id: "twin.apps.googleusercontent.com".into(),
                units: 0,
                uploads: 0,
                videos: Vec::new(),
                comments: Vec::new(),
                sessions: HashMap::new(),
                next: 0,
                proxy: String::new(),
                ranges: Vec::new(),
                codes: AuthCodes::default(),
            }),
            cut_after: AtomicI64::new(-1),
        });
        let (log, faults) = (RequestLog::default(), Faults::default());
        let app = Router::new()
            .route("/token", post(token))
            .route("/youtube/v3/channels", get(channels))
            .route("/youtube/v3/videos", get(videos_list).delete(videos_delete))
            .route("/youtube/v3/playlistItems", get(playlist_items))
            .route("/youtube/v3/commentThreads", get(comment_threads))
            .route(
                "/youtube/v3/comments",
                get(comments_list)
                    .post(comments_insert)
                    .delete(comments_delete),
            )
            .route(
                "/upload/youtube/v3/videos",
                post(upload_start).put(upload_put),
            )
            .route("/upload/youtube/v3/thumbnails/set", post(thumbnails_set))
            .layer(axum::extract::DefaultBodyLimit::disable())
            .with_state(shared.clone());
        let server = TwinServer::start(instrument(app, &log, &faults)).await?;
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| {
            Error::new(ErrorKind::Network, "cannot bind the upload proxy").with_source(e)
        })?;
        let proxy_addr = listener
            .local_addr()
            .map_err(|e| Error::new(ErrorKind::Network, "no proxy address").with_source(e))?;
        shared.lock().proxy = format!("http://{proxy_addr}/");
        tokio::spawn(proxy(listener, server.addr(), shared.clone()));
        Ok(Twin {
            server,
            handle: TwinHandle {
                shared,
                log,
                faults,
            },
        })
    }

    /// A config for the twin with the current access token, a refresh setup and a small
    /// chunk (256 KiB).
    pub fn config(&self) -> YoutubeConfig {
        let st = self.handle.shared.lock();
        let mut c = YoutubeConfig::new(Secret::new(st.access_token.clone()))
            .unwrap_or_else(|_| unreachable!("the twin's token is not empty"))
            .with_base_url(self.server.base_url().as_str())
            .unwrap_or_else(|_| unreachable!("the twin's URL is valid"))
            .with_refresh(OAuth2Refresh::new(
                st.client_id.clone(),
                st.refresh_token.clone(),
            ));
        c.token_url = self.server.base_url().join("token").ok();
        c.chunk_size = CHUNK_UNIT;
        c
    }

    /// The channel URL for the twin (`youtube://TOKEN@127.0.0.1:PORT?scheme=http…`).
    pub fn channel_url(&self) -> String {
        let st = self.handle.shared.lock();
        format!(
            "youtube://{}@{}?scheme=http&chunk_size={CHUNK_UNIT}",
            st.access_token,
            self.server.addr()
        )
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

    /// The channel id.
    pub fn channel_id(&self) -> String {
        self.shared.lock().options.channel_id.clone()
    }

    /// Cuts the next upload connection after `bytes` more request bytes (headers included).
    pub fn cut_upload_after(&self, bytes: u64) {
        self.shared
            .cut_after
            .store(i64::try_from(bytes).unwrap_or(i64::MAX), Ordering::SeqCst);
    }

    /// The `Content-Range` of every upload `PUT`, in order.
    pub fn content_ranges(&self) -> Vec<String> {
        self.shared.lock().ranges.clone()
    }

    /// The videos.
    pub fn videos(&self) -> Vec<TwinVideo> {
        self.shared.lock().videos.clone()
    }

    /// One video.
    pub fn video(&self, id: &str) -> Option<TwinVideo> {
        self.shared
            .lock()
            .videos
            .iter()
            .find(|v| v.id == id)
            .cloned()
    }

    /// Units and uploads spent.
    pub fn spent(&self) -> (u32, u32) {
        let st = self.shared.lock();
        (st.units, st.uploads)
    }

    /// The user consents to an authorization URL with PKCE `challenge` (its
    /// `code_challenge`): the code the callback would carry.
    pub fn authorize(&self, challenge: &str) -> String {
        self.shared.lock().codes.issue("4/twin-code-", challenge)
    }

    /// The OAuth client id the twin knows.
    pub fn client_id(&self) -> String {
        self.shared.lock().client_id.clone()
    }

    /// Makes the access token invalid (as an expired one is).
    pub fn expire_token(&self) {
        let mut st = self.shared.lock();
        st.access_token = st.id("ya29.twin-");
    }

    /// A viewer comments on `video`: a new thread; returns its id.
    pub fn comment(&self, video: &str, author: &str, text: &str) -> String {
        let mut st = self.shared.lock();
        let id = st.id("Ugz");
        st.comments.push(TwinComment {
            id: id.clone(),
            thread: id.clone(),
            video: video.into(),
            author: author.into(),
            text: text.into(),
            published_at: Utc::now(),
        });
        id
    }

    /// A viewer replies in `thread`; returns the reply's id.
    pub fn reply(&self, thread: &str, author: &str, text: &str) -> Option<String> {
        let mut st = self.shared.lock();
        let video = st.comments.iter().find(|c| c.id == thread)?.video.clone();
        let id = format!("{thread}.{}", st.id("r"));
        st.comments.push(TwinComment {
            id: id.clone(),
            thread: thread.into(),
            video,
            author: author.into(),
            text: text.into(),
            published_at: Utc::now(),
        });
        Some(id)
    }

    /// The comments.
    pub fn comments(&self) -> Vec<TwinComment> {
        self.shared.lock().comments.clone()
    }

    /// Sets a video's views and likes.
    pub fn set_stats(&self, video: &str, views: u64, likes: u64) {
        if let Some(v) = self.shared.lock().videos.iter_mut().find(|v| v.id == video) {
            v.views = views;
            v.likes = likes;
        }
    }
}
