//! A local twin of Pinterest's API v5, for tests (feature `testkit`).
//!
//! An axum app on `127.0.0.1:0` that follows Pinterest's OpenAPI description
//! (<https://github.com/pinterest/api-description>, `v5/openapi.yaml`, release 5.23.0,
//! commit c05b189); every route names its `operationId`. Errors are the `Error` schema
//! `{"code": <int>, "message": "…"}` under the route's documented status.
//!
//! What it does:
//! - tokens from `POST /v5/oauth/token` (`oauth/token`: HTTP Basic client auth, form
//!   `grant_type=refresh_token|authorization_code`; a refresh answers a new refresh token);
//!   API calls need a token it issued (401 otherwise);
//! - `user_account/get`, `boards/list`, `board_sections/list` (bookmark-paged);
//! - `pins/create` with every `PinCreate` limit (title 100, description 800, link 2048,
//!   alt text 500), the board and section checked (404 / 400), the media sources
//!   `image_url`, `image_base64`, `multiple_image_urls`, `multiple_image_base64` (2–5 items)
//!   and `video_id` (the media must have `succeeded`);
//! - `media/create` → an S3-style form at `/s3-upload` (204, as S3's `success_action_status`
//!   default) → `media/get` answering `registered`, `processing` for
//!   [`TwinOptions::processing_polls`] reads, then `succeeded` (or `failed`, see
//!   [`TwinHandle::fail_next_video`]);
//! - `pins/list` newest first, `pins/delete` (204, then 404), `pins/analytics` with
//!   `summary_metrics` and `lifetime_metrics` under `all`.
//!
//! ```
//! use socialkit::adapters::pinterest::{Pinterest, twin::Twin};
//! use socialkit::model::{Media, Post, PublishOptions};
//! use socialkit::Platform;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = Twin::start().await.unwrap();
//! let p = Pinterest::with_client(twin.config(), twin.client());
//! let post = Post::text("Title\nA description")
//!     .with_media(Media::from_url("image/jpeg", "https://cdn.example/a.jpg").with_alt("An anvil"));
//! let published = p.publish(&post, &PublishOptions::default()).await.unwrap();
//! let pin = twin.handle().pin(&published.post.id).unwrap();
//! assert_eq!((pin.title.as_deref(), pin.alt_text.as_deref()), (Some("Title"), Some("An anvil")));
//! # });
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use base64::Engine as _;
use chrono::Utc;
use serde_json::{Value, json};
use url::Url;

use super::PinterestConfig;
use crate::Result;
use crate::clock::{Clock, ManualClock};
use crate::http::{Client, HttpConfig};
use crate::testkit::twin::{Faults, RequestLog, TwinServer, instrument};

/// The board pins go to by default.
pub const BOARD: &str = "549755885175";
/// A section of [`BOARD`].
pub const SECTION: &str = "5195035116725909603";
/// A second board.
pub const OTHER_BOARD: &str = "549755885176";
/// The authorization code the twin accepts.
pub const TWIN_CODE: &str = "twin-pinterest-code";

/// How the twin behaves.
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// The app id.
    pub client_id: String,
    /// The app secret.
    pub client_secret: String,
    /// `media/get` reads that answer `processing` before `succeeded`.
    pub processing_polls: u32,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            client_id: "1484362".into(),
            client_secret: "twin-app-secret".into(),
            processing_polls: 1,
        }
    }
}

/// A pin in the twin.
#[derive(Debug, Clone, PartialEq)]
pub struct TwinPin {
    /// The id.
    pub id: String,
    /// The board.
    pub board_id: String,
    /// The section.
    pub board_section_id: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The link.
    pub link: Option<String>,
    /// The alt text.
    pub alt_text: Option<String>,
    /// The media source type.
    pub source_type: String,
    /// How many images (or 1 for a video).
    pub media_count: usize,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Impressions and saves for analytics.
    pub impressions: u64,
    /// Saves.
    pub saves: u64,
}

#[derive(Debug)]
struct Video {
    uploaded: bool,
    polls: u32,
    fail: bool,
}

#[derive(Debug)]
struct St {
    options: TwinOptions,
    base: String,
    tokens: Vec<String>,
    refresh_tokens: Vec<String>,
    issued: u64,
    pins: Vec<TwinPin>,
    media: BTreeMap<String, Video>,
    fail_next_video: bool,
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

/// The `Error` schema.
fn fail(status: u16, code: u32, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(json!({"code": code, "message": message})),
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
            return fail(401, 2, "Authentication failed.");
        }
    };
}

/// `oauth/token`: Basic client auth; `OauthAccessTokenResponseRefresh` /
/// `OauthAccessTokenResponseCode`.
async fn token(
    State(s): S,
    headers: HeaderMap,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    let mut st = s.lock();
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            st.options.client_id, st.options.client_secret
        ))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return fail(401, 2, "Authentication failed.");
    }
    let given = f.get("refresh_token").cloned().unwrap_or_default();
    let ok = match f.get("grant_type").map(String::as_str) {
        Some("refresh_token") => st.refresh_tokens.contains(&given),
        Some("authorization_code") => f.get("code").map(String::as_str) == Some(TWIN_CODE),
        _ => false,
    };
    if !ok {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "Invalid refresh token or code."})),
        )
            .into_response();
    }
    st.issued += 1;
    let (access, refresh) = (
        format!("pina_twin{}", st.issued),
        format!("pinr_twin{}", st.issued),
    );
    st.refresh_tokens.retain(|r| *r != given);
    st.refresh_tokens.push(refresh.clone());
    st.tokens.push(access.clone());
    Json(json!({
        "access_token": access, "token_type": "bearer", "expires_in": 2592000,
        "scope": super::oauth::SCOPES.join(","), "refresh_token": refresh,
        "refresh_token_expires_in": 31536000, "refresh_token_expires_at": Utc::now().timestamp() + 31536000,
        "response_type": f.get("grant_type")
    }))
    .into_response()
}

/// `user_account/get` (`Account`).
async fn user_account(State(s): S, headers: HeaderMap) -> Response {
    let st = s.lock();
    auth!(st, headers);
    Json(json!({
        "account_type": "BUSINESS", "id": "2783136121146311751", "username": "acme_twin",
        "business_name": "Acme Twin", "about": "Anvils.", "profile_image": "https://i.pinimg.example/a.jpg",
        "website_url": "https://acme.example", "follower_count": 10, "following_count": 347,
        "pin_count": st.pins.len(), "board_count": 2, "monthly_views": 163
    }))
    .into_response()
}

/// `boards/list`.
async fn boards(State(s): S, headers: HeaderMap) -> Response {
    let st = s.lock();
    auth!(st, headers);
    Json(json!({"items": [{"id": BOARD, "name": "Anvils"}, {"id": OTHER_BOARD, "name": "Hammers"}], "bookmark": null}))
        .into_response()
}

/// `board_sections/list`.
async fn sections(State(s): S, headers: HeaderMap, Path(board): Path<String>) -> Response {
    let st = s.lock();
    auth!(st, headers);
    if board == BOARD {
        Json(json!({"items": [{"id": SECTION, "name": "Red ones"}], "bookmark": null}))
            .into_response()
    } else if board == OTHER_BOARD {
        Json(json!({"items": [], "bookmark": null})).into_response()
    } else {
        fail(404, 3, "Board not found.")
    }
}

fn too_long(v: &Value, key: &str, max: usize) -> bool {
    v[key].as_str().is_some_and(|s| s.chars().count() > max)
}

/// `pins/create` (`PinCreate` → `Pin`, 201).
async fn create_pin(State(s): S, headers: HeaderMap, Json(b): Json<Value>) -> Response {
    let mut st = s.lock();
    auth!(st, headers);
    let board = b["board_id"].as_str().unwrap_or_default().to_string();
    if board != BOARD && board != OTHER_BOARD {
        return fail(404, 3, "Board not found.");
    }
    let section = b["board_section_id"].as_str().map(str::to_string);
    if section
        .as_deref()
        .is_some_and(|s| !(board == BOARD && s == SECTION))
    {
        return fail(400, 1, "Board section not found in board.");
    }
    if too_long(&b, "title", 100)
        || too_long(&b, "description", 800)
        || too_long(&b, "link", 2048)
        || too_long(&b, "alt_text", 500)
    {
        return fail(400, 1, "Invalid parameters.");
    }
    let m = &b["media_source"];
    let source_type = m["source_type"].as_str().unwrap_or_default().to_string();
    let count = match source_type.as_str() {
        "image_url" if m["url"].as_str().is_some_and(|u| Url::parse(u).is_ok()) => 1,
        "image_base64"
            if matches!(m["content_type"].as_str(), Some("image/jpeg" | "image/png"))
                && m["data"].as_str().is_some_and(|d| {
                    base64::engine::general_purpose::STANDARD.decode(d).is_ok()
                }) =>
        {
            1
        }
        "multiple_image_urls" | "multiple_image_base64" => {
            let n = m["items"].as_array().map(Vec::len).unwrap_or(0);
            if !(2..=5).contains(&n) {
                return fail(400, 1, "items must hold 2 to 5 images.");
            }
            n
        }
        "video_id" => {
            let id = m["media_id"].as_str().unwrap_or_default();
            match st.media.get(id) {
                Some(v) if v.uploaded && !v.fail && v.polls > st.options.processing_polls => 1,
                _ => return fail(400, 1, "The media is not uploaded and processed."),
            }
        }
        _ => return fail(400, 1, "Invalid media_source."),
    };
    st.next += 1;
    let pin = TwinPin {
        id: format!("{}", 1_000_000_000_000 + st.next),
        board_id: board,
        board_section_id: section,
        title: b["title"].as_str().map(str::to_string),
        description: b["description"].as_str().map(str::to_string),
        link: b["link"].as_str().map(str::to_string),
        alt_text: b["alt_text"].as_str().map(str::to_string),
        source_type,
        media_count: count,
        created_at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        impressions: 0,
        saves: 0,
    };
    let answer = pin_json(&pin);
    st.pins.insert(0, pin);
    (StatusCode::CREATED, Json(answer)).into_response()
}

fn pin_json(p: &TwinPin) -> Value {
    json!({
        "id": p.id, "created_at": p.created_at, "title": p.title, "description": p.description,
        "link": p.link, "alt_text": p.alt_text, "board_id": p.board_id,
        "board_section_id": p.board_section_id, "is_owner": true
    })
}

/// `pins/list` (bookmark-paged, `page_size` ≤ 250).
async fn list_pins(
    State(s): S,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let st = s.lock();
    auth!(st, headers);
    let size = q
        .get("page_size")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(25);
    if !(1..=250).contains(&size) {
        return fail(400, 1, "page_size must be 1 to 250.");
    }
    let skip = q
        .get("bookmark")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let items: Vec<Value> = st.pins.iter().skip(skip).take(size).map(pin_json).collect();
    let next = skip + items.len();
    let bookmark = (next < st.pins.len()).then(|| next.to_string());
    Json(json!({"items": items, "bookmark": bookmark})).into_response()
}

/// `pins/delete` (204; 404 once gone).
async fn delete_pin(State(s): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut st = s.lock();
    auth!(st, headers);
    let before = st.pins.len();
    st.pins.retain(|p| p.id != id);
    if st.pins.len() == before {
        return fail(404, 3, "Pin not found.");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `pins/analytics` (`PinAnalyticsResponse`; `start_date` at most 90 days back).
async fn analytics(
    State(s): S,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let st = s.lock();
    auth!(st, headers);
    let Some(p) = st.pins.iter().find(|p| p.id == id) else {
        return fail(404, 3, "Pin not found.");
    };
    let start = q
        .get("start_date")
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let too_old = start.is_none_or(|d| (Utc::now().date_naive() - d).num_days() > 90);
    if too_old || !q.contains_key("metric_types") {
        return fail(400, 1, "Invalid pins analytics parameters.");
    }
    Json(json!({"all": {
        "daily_metrics": [],
        "summary_metrics": {"IMPRESSION": p.impressions, "SAVE": p.saves, "OUTBOUND_CLICK": 0, "VIDEO_MRC_VIEW": 0},
        "lifetime_metrics": {"TOTAL_COMMENTS": 0, "TOTAL_REACTIONS": 1}
    }}))
    .into_response()
}

/// `media/create` (`MediaUploadCreate` → `MediaUpload`).
async fn create_media(State(s): S, headers: HeaderMap, Json(b): Json<Value>) -> Response {
    let mut st = s.lock();
    auth!(st, headers);
    if b["media_type"] != "video" {
        return fail(400, 1, "media_type must be video.");
    }
    st.next += 1;
    let id = format!("{}", 12_345 + st.next);
    let fail_it = std::mem::take(&mut st.fail_next_video);
    st.media.insert(
        id.clone(),
        Video {
            uploaded: false,
            polls: 0,
            fail: fail_it,
        },
    );
    Json(json!({
        "media_id": id, "media_type": "video", "upload_url": format!("{}s3-upload", st.base),
        "upload_parameters": {"key": format!("uploads/{id}"), "policy": "twin-policy-secret",
            "x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-signature": "twin-signature-secret",
            "Content-Type": "multipart/form-data"}
    }))
    .into_response()
}

/// The S3 form POST (`upload_url` with `upload_parameters` and `file`): 204.
async fn s3_upload(State(s): S, headers: HeaderMap, mut form: Multipart) -> Response {
    if headers.contains_key("authorization") {
        return (
            StatusCode::BAD_REQUEST,
            "<Error><Code>InvalidArgument</Code></Error>",
        )
            .into_response();
    }
    let (mut key, mut policy, mut file) = (None, false, false);
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let Ok(data) = field.bytes().await else { break };
        match name.as_str() {
            "key" => key = Some(String::from_utf8_lossy(&data).to_string()),
            "policy" => policy = &data[..] == b"twin-policy-secret",
            "file" => file = !data.is_empty(),
            _ => {}
        }
    }
    let mut st = s.lock();
    let id = key
        .as_deref()
        .and_then(|k| k.strip_prefix("uploads/"))
        .unwrap_or_default()
        .to_string();
    match st.media.get_mut(&id) {
        Some(v) if policy && file => {
            v.uploaded = true;
            StatusCode::NO_CONTENT.into_response()
        }
        _ => (
            StatusCode::FORBIDDEN,
            "<Error><Code>AccessDenied</Code></Error>",
        )
            .into_response(),
    }
}

/// `media/get` (`Media` with `MediaUploadStatus`).
async fn media_status(State(s): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut guard = s.lock();
    auth!(guard, headers);
    let st = &mut *guard;
    let Some(v) = st.media.get_mut(&id) else {
        return fail(404, 3, "Media not found.");
    };
    let status = if !v.uploaded {
        "registered"
    } else {
        v.polls += 1;
        if v.polls <= st.options.processing_polls {
            "processing"
        } else if v.fail {
            "failed"
        } else {
            "succeeded"
        }
    };
    Json(json!({"media_id": id, "media_type": "video", "status": status})).into_response()
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
            tokens: vec!["pina_twin0".into()],
            refresh_tokens: vec!["pinr_twin0".into()],
            issued: 0,
            pins: Vec::new(),
            media: BTreeMap::new(),
            fail_next_video: false,
            next: 0,
        })));
        let (log, faults) = (RequestLog::default(), Faults::default());
        let app = Router::new()
            .route("/v5/oauth/token", post(token))
            .route("/v5/user_account", get(user_account))
            .route("/v5/boards", get(boards))
            .route("/v5/boards/{id}/sections", get(sections))
            .route("/v5/pins", post(create_pin).get(list_pins))
            .route("/v5/pins/{id}", delete(delete_pin))
            .route("/v5/pins/{id}/analytics", get(analytics))
            .route("/v5/media", post(create_media))
            .route("/v5/media/{id}", get(media_status))
            .route("/s3-upload", post(s3_upload))
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
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

    /// A config for the twin's account, pinning to [`BOARD`], with a refresh token.
    pub fn config(&self) -> PinterestConfig {
        let o = self.handle.shared.lock().options.clone();
        let url = format!(
            "pinterest://pina_twin0@{}?scheme=http&board_id={BOARD}&refresh_token=pinr_twin0&client_id={}&client_secret={}",
            self.server.addr(),
            o.client_id,
            o.client_secret
        );
        PinterestConfig::from_url_str(&url)
            .unwrap_or_else(|e| unreachable!("the twin's channel URL is valid: {e}"))
    }

    /// An HTTP client on the twin's manual clock (video polls take no real time).
    pub fn client(&self) -> Client {
        let clock: Arc<dyn Clock> = Arc::new(self.clock.clone());
        Client::new(HttpConfig::default())
            .unwrap_or_default()
            .with_clock(clock)
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

    /// A pin by id.
    pub fn pin(&self, id: &str) -> Option<TwinPin> {
        self.shared.lock().pins.iter().find(|p| p.id == id).cloned()
    }

    /// Every pin, newest first.
    pub fn pins(&self) -> Vec<TwinPin> {
        self.shared.lock().pins.clone()
    }

    /// Sets a pin's impressions and saves.
    pub fn set_stats(&self, id: &str, impressions: u64, saves: u64) {
        if let Some(p) = self.shared.lock().pins.iter_mut().find(|p| p.id == id) {
            p.impressions = impressions;
            p.saves = saves;
        }
    }

    /// The next registered video fails processing.
    pub fn fail_next_video(&self) {
        self.shared.lock().fail_next_video = true;
    }

    /// Retires every access token.
    pub fn expire_tokens(&self) {
        self.shared.lock().tokens.clear();
    }
}
