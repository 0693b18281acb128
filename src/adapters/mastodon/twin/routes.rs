//! The twin's HTTP routes; each handler names the documentation page whose request and
//! response it follows (the list is in the module docs of [`super`]).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::search::{search, tag_timeline};
use super::state::{Inner, Shared, TwinMedia, TwinNotification};
use super::{TwinAccount, TwinOptions, TwinStatus};
use crate::testkit::twin::{Faults, RequestLog, instrument};

/// The routes, behind the shared twin layer (request log and injected faults), behind the
/// rate-limit headers every Mastodon answer carries (faults included).
pub(super) fn app(shared: Arc<Shared>, log: &RequestLog, faults: &Faults) -> Router {
    let routes = Router::new()
        .route("/api/v2/instance", get(instance_v2))
        .route("/api/v1/instance", get(instance_v1))
        .route("/api/v1/apps", post(register_app))
        .route("/oauth/token", post(oauth_token))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(verify_credentials),
        )
        .route("/api/v1/accounts/{id}/statuses", get(account_statuses))
        .route("/api/v1/statuses", post(create_status))
        .route(
            "/api/v1/statuses/{id}",
            get(get_status).put(edit_status).delete(delete_status),
        )
        .route("/api/v2/media", post(upload_media))
        .route("/api/v1/media/{id}", get(get_media))
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v2/search", get(search))
        .route("/api/v1/timelines/tag/{tag}", get(tag_timeline))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(shared.clone());
    instrument(routes, log, faults).layer(middleware::from_fn_with_state(shared, rate_limit))
}

pub(super) type S = State<Arc<Shared>>;

/// An instant as Mastodon writes `X-RateLimit-Reset`: ISO 8601 with milliseconds
/// (<https://docs.joinmastodon.org/api/rate-limits/>).
pub(super) fn iso(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Counts the request in a five-minute window on the twin's clock and adds
/// `X-RateLimit-Limit/Remaining/Reset` to every answer that has none yet (a 429 fault brings
/// its own). Source: <https://docs.joinmastodon.org/api/rate-limits/> (300 calls per 5 minutes).
async fn rate_limit(State(shared): S, request: Request, next: Next) -> Response {
    let now = shared.now();
    let (limit, remaining, reset) = {
        let mut g = shared.lock();
        let window_start = *g.window_start.get_or_insert(now);
        if now >= window_start + chrono::Duration::minutes(5) {
            g.window_start = Some(now);
            g.window_count = 0;
        }
        g.window_count += 1;
        let limit = shared.options.rate_limit;
        let reset = g.window_start.unwrap_or(now) + chrono::Duration::minutes(5);
        (limit, limit.saturating_sub(g.window_count), reset)
    };
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-reset", iso(reset)),
    ] {
        if h.contains_key(name) {
            continue;
        }
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    response
}

pub(super) fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

pub(super) fn ok(value: Value) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

pub(super) fn nf() -> Response {
    error(StatusCode::NOT_FOUND, "Record not found")
}

async fn not_found() -> Response {
    nf()
}

pub(super) fn authorized(
    shared: &Shared,
    headers: &HeaderMap,
) -> std::result::Result<(), Box<Response>> {
    let expected = format!("Bearer {}", shared.options.token);
    match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v == expected => Ok(()),
        _ => Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            "The access token is invalid",
        ))),
    }
}

fn instance_config(o: &TwinOptions) -> Value {
    json!({
        "statuses": {
            "max_characters": o.advertised_max_characters.unwrap_or(o.max_characters),
            "max_media_attachments": o.max_media,
            "characters_reserved_per_url": o.url_length
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp",
                "video/mp4", "video/webm", "audio/mpeg", "audio/ogg"],
            "description_limit": o.description_limit,
            "image_size_limit": 16_777_216,
            "image_matrix_limit": 33_177_600,
            "video_size_limit": 103_809_024,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8_294_400
        }
    })
}

async fn instance_v2(State(shared): S) -> Response {
    if !shared.options.instance_v2 {
        return nf();
    }
    let host = shared.base.host_str().unwrap_or_default().to_string();
    ok(json!({
        "domain": host,
        "title": "Mastodon twin",
        "version": shared.options.version,
        "configuration": instance_config(&shared.options),
    }))
}

async fn instance_v1(State(shared): S) -> Response {
    let host = shared.base.host_str().unwrap_or_default().to_string();
    ok(json!({
        "uri": host,
        "title": "Mastodon twin",
        "version": shared.options.version,
        "max_toot_chars": shared.options.advertised_max_characters.unwrap_or(shared.options.max_characters),
        "configuration": instance_config(&shared.options),
    }))
}

fn form_or_json(headers: &HeaderMap, body: &Bytes) -> Option<Value> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") {
        return serde_json::from_slice(body).ok();
    }
    let mut map = serde_json::Map::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if let Some(name) = k.strip_suffix("[]") {
            let entry = map
                .entry(name.to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = entry {
                a.push(Value::String(v.into_owned()));
            }
        } else {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    Some(Value::Object(map))
}

async fn register_app(State(shared): S, headers: HeaderMap, body: Bytes) -> Response {
    let Some(v) = form_or_json(&headers, &body) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: invalid body",
        );
    };
    let name = v.get("client_name").and_then(Value::as_str).unwrap_or("");
    let redirect = v.get("redirect_uris").and_then(Value::as_str).unwrap_or("");
    if name.is_empty() || redirect.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Name can't be blank, Redirect URI can't be blank",
        );
    }
    let id = shared.lock().id();
    ok(json!({
        "id": id, "name": name, "redirect_uri": redirect,
        "client_id": format!("twin-client-{id}"), "client_secret": format!("twin-secret-{id}")
    }))
}

async fn oauth_token(State(shared): S, headers: HeaderMap, body: Bytes) -> Response {
    let v = form_or_json(&headers, &body).unwrap_or(Value::Null);
    let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if field("grant_type") != "authorization_code" || field("code") != "twin-code" {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_grant",
                "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."})),
        )
            .into_response();
    }
    ok(json!({
        "access_token": shared.options.token,
        "token_type": "Bearer",
        "scope": "read write",
        "created_at": shared.now().timestamp()
    }))
}

fn account_json(shared: &Shared, a: &TwinAccount, statuses: usize) -> Value {
    let base = shared.base.as_str().trim_end_matches('/');
    let owner = a.id == shared.owner_id;
    json!({
        "id": a.id,
        "username": a.username,
        "acct": a.username,
        "display_name": if owner { "ACME Anvils".to_string() } else { a.username.to_uppercase() },
        "note": if owner { "<p>We make anvils &amp; more.<br>Since 1949.</p>" } else { "" },
        "url": format!("{base}/@{}", a.username),
        "avatar": format!("{base}/avatars/{}.png", a.id),
        "fields": if owner {
            json!([{"name": "Shop", "value": "<a href=\"https://shop.acme.example\" rel=\"me nofollow noopener\" target=\"_blank\"><span class=\"invisible\">https://</span><span class=\"\">shop.acme.example</span><span class=\"invisible\"></span></a>", "verified_at": null}])
        } else { json!([]) },
        "followers_count": a.followers,
        "following_count": a.following,
        "statuses_count": statuses,
        "bot": false
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders text as Mastodon does: paragraphs, `<br>`, links with invisible spans.
fn render_html(text: &str) -> String {
    let mut out = String::new();
    for para in text.split("\n\n") {
        out.push_str("<p>");
        let lines: Vec<String> = para
            .split('\n')
            .map(|line| {
                line.split(' ')
                    .map(|w| {
                        if let Some(rest) = w.strip_prefix("https://").or_else(|| w.strip_prefix("http://")) {
                            let scheme = &w[..w.len() - rest.len()];
                            let (shown, hidden) = rest.split_at(rest.len().min(30));
                            format!(
                                "<a href=\"{}\" rel=\"nofollow noopener\" target=\"_blank\"><span class=\"invisible\">{}</span><span class=\"{}\">{}</span><span class=\"invisible\">{}</span></a>",
                                html_escape(w),
                                html_escape(scheme),
                                if hidden.is_empty() { "" } else { "ellipsis" },
                                html_escape(shown),
                                html_escape(hidden)
                            )
                        } else {
                            html_escape(w)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        out.push_str(&lines.join("<br />"));
        out.push_str("</p>");
    }
    out
}

pub(super) fn status_json(shared: &Shared, g: &Inner, s: &TwinStatus) -> Value {
    let base = shared.base.as_str().trim_end_matches('/');
    let account = g
        .account(&s.account_id)
        .cloned()
        .unwrap_or_else(|| TwinAccount {
            id: s.account_id.clone(),
            username: "unknown".into(),
            followers: 0,
            following: 0,
            statuses: 0,
        });
    let statuses = account.statuses as usize;
    let in_reply_to_account_id = s
        .in_reply_to_id
        .as_deref()
        .and_then(|id| g.statuses.iter().find(|x| x.id == id))
        .map(|x| x.account_id.clone());
    let media: Vec<Value> = s
        .media_ids
        .iter()
        .filter_map(|id| g.media.get(id))
        .map(|m| media_json(shared, m, true))
        .collect();
    let quote = s.quoted_id.as_deref().and_then(|q| {
        g.statuses.iter().find(|x| x.id == q).map(|x| {
            json!({"state": "accepted", "quoted_status": {"id": x.id, "content": render_html(&x.text),
                "created_at": x.created_at.to_rfc3339(), "account": {"id": x.account_id}}})
        })
    });
    json!({
        "id": s.id,
        "uri": format!("{base}/users/{}/statuses/{}", account.username, s.id),
        "url": format!("{base}/@{}/{}", account.username, s.id),
        "account": account_json(shared, &account, statuses),
        "created_at": s.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "edited_at": s.edited_at.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        "content": render_html(&s.text),
        "spoiler_text": s.spoiler_text,
        "sensitive": !s.spoiler_text.is_empty(),
        "visibility": s.visibility,
        "language": s.language,
        "in_reply_to_id": s.in_reply_to_id,
        "in_reply_to_account_id": in_reply_to_account_id,
        "media_attachments": media,
        "mentions": [],
        "tags": [],
        "emojis": [],
        "replies_count": s.replies,
        "reblogs_count": s.reblogs,
        "favourites_count": s.favourites,
        "quotes_count": s.quotes,
        "reblog": null,
        "quote": quote,
        "card": null,
        "poll": null
    })
}

fn media_json(shared: &Shared, m: &TwinMedia, done: bool) -> Value {
    let base = shared.base.as_str().trim_end_matches('/');
    let kind = if m.mime.starts_with("video/") {
        "video"
    } else if m.mime == "image/gif" {
        "gifv"
    } else if m.mime.starts_with("audio/") {
        "audio"
    } else {
        "image"
    };
    json!({
        "id": m.id,
        "type": kind,
        "url": if done { Value::String(format!("{base}/media/{}", m.id)) } else { Value::Null },
        "preview_url": format!("{base}/media/{}/small", m.id),
        "description": m.description,
        "meta": {"size": m.size}
    })
}

async fn verify_credentials(State(shared): S, headers: HeaderMap) -> Response {
    auth!(shared, headers);
    let g = shared.lock();
    let Some(owner) = g.account(&shared.owner_id).cloned() else {
        return nf();
    };
    ok(account_json(&shared, &owner, owner.statuses as usize))
}

pub(super) fn query_pairs(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

pub(super) fn num(s: Option<&str>) -> Option<u64> {
    s.and_then(|v| v.parse().ok())
}

async fn account_statuses(
    State(shared): S,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    auth!(shared, headers);
    let q = query_pairs(q);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let limit = num(get("limit")).unwrap_or(20).clamp(1, 40) as usize;
    let max_id = num(get("max_id")).unwrap_or(u64::MAX);
    let g = shared.lock();
    if g.account(&id).is_none() {
        return nf();
    }
    let list: Vec<Value> = g
        .statuses
        .iter()
        .rev()
        .filter(|s| s.account_id == id && !s.deleted)
        .filter(|s| s.id.parse::<u64>().unwrap_or(0) < max_id)
        .take(limit)
        .map(|s| status_json(&shared, &g, s))
        .collect();
    ok(Value::Array(list))
}

fn validate_status(
    shared: &Shared,
    g: &Inner,
    text: &str,
    spoiler: &str,
    media_ids: &[String],
) -> std::result::Result<(), Box<Response>> {
    let o = &shared.options;
    if text.trim().is_empty() && media_ids.is_empty() {
        return Err(Box::new(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Text can't be blank",
        )));
    }
    let n = crate::text::mastodon::length_with(
        text,
        Some(spoiler).filter(|s| !s.is_empty()),
        o.url_length,
    );
    if n > o.max_characters {
        return Err(Box::new(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "Validation failed: Text character limit of {} exceeded",
                o.max_characters
            ),
        )));
    }
    if media_ids.len() > o.max_media {
        return Err(Box::new(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "Validation failed: Media attachments can't be more than {}",
                o.max_media
            ),
        )));
    }
    for id in media_ids {
        match g.media.get(id) {
            None => {
                return Err(Box::new(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Validation failed: Media attachments is invalid",
                )));
            }
            Some(m) if m.polls_left > 0 || m.fails => {
                return Err(Box::new(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Cannot attach files that have not finished processing. Try again in a moment!",
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn str_field(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn media_ids_of(v: &Value) -> Vec<String> {
    match v.get("media_ids") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

async fn create_status(State(shared): S, headers: HeaderMap, body: Bytes) -> Response {
    auth!(shared, headers);
    let Some(v) = form_or_json(&headers, &body) else {
        return error(StatusCode::BAD_REQUEST, "Invalid JSON");
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|k| k.to_str().ok())
        .map(str::to_string);
    let mut g = shared.lock();
    if let Some(k) = &key {
        if let Some(id) = g.idempotency.get(k).cloned() {
            if let Some(s) = g.statuses.iter().find(|s| s.id == id) {
                return ok(status_json(&shared, &g, s));
            }
        }
    }
    let text = str_field(&v, "status").unwrap_or_default();
    let spoiler = str_field(&v, "spoiler_text").unwrap_or_default();
    let media_ids = media_ids_of(&v);
    if let Err(r) = validate_status(&shared, &g, &text, &spoiler, &media_ids) {
        return *r;
    }
    let visibility = str_field(&v, "visibility").unwrap_or_else(|| "public".into());
    if !["public", "unlisted", "private", "direct"].contains(&visibility.as_str()) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Visibility is not included in the list",
        );
    }
    let in_reply_to_id = str_field(&v, "in_reply_to_id").filter(|s| !s.is_empty());
    if let Some(r) = &in_reply_to_id {
        if g.status(r).is_none() {
            return nf();
        }
    }
    let id = g.id();
    let status = TwinStatus {
        id: id.clone(),
        account_id: shared.owner_id.clone(),
        text,
        spoiler_text: spoiler,
        visibility,
        language: str_field(&v, "language"),
        in_reply_to_id: in_reply_to_id.clone(),
        quoted_id: None,
        media_ids,
        created_at: shared.now(),
        edited_at: None,
        replies: 0,
        reblogs: 0,
        favourites: 0,
        quotes: 0,
        idempotency_key: key.clone(),
        deleted: false,
    };
    if let Some(r) = &in_reply_to_id {
        if let Some(p) = g.status_mut(r) {
            p.replies += 1;
        }
    }
    g.statuses.push(status);
    g.statuses_created += 1;
    if let Some(a) = g.accounts.iter_mut().find(|a| a.id == shared.owner_id) {
        a.statuses += 1;
    }
    if let Some(k) = key {
        g.idempotency.insert(k, id.clone());
    }
    let s = g.statuses.last().cloned();
    match s {
        Some(s) => ok(status_json(&shared, &g, &s)),
        None => error(StatusCode::INTERNAL_SERVER_ERROR, "lost"),
    }
}

async fn get_status(State(shared): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    auth!(shared, headers);
    let g = shared.lock();
    match g.status(&id) {
        Some(s) => ok(status_json(&shared, &g, s)),
        None => error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

async fn edit_status(
    State(shared): S,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    auth!(shared, headers);
    let Some(v) = form_or_json(&headers, &body) else {
        return error(StatusCode::BAD_REQUEST, "Invalid JSON");
    };
    let mut g = shared.lock();
    let Some(current) = g.status(&id).cloned() else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    if current.account_id != shared.owner_id {
        return error(StatusCode::FORBIDDEN, "This action is not allowed");
    }
    let text = str_field(&v, "status").unwrap_or(current.text.clone());
    let spoiler = str_field(&v, "spoiler_text").unwrap_or(current.spoiler_text.clone());
    let media_ids = if v.get("media_ids").is_some() {
        media_ids_of(&v)
    } else {
        current.media_ids.clone()
    };
    if let Err(r) = validate_status(&shared, &g, &text, &spoiler, &media_ids) {
        return *r;
    }
    let language = str_field(&v, "language").or(current.language.clone());
    if let Some(s) = g.status_mut(&id) {
        s.text = text;
        s.spoiler_text = spoiler;
        s.media_ids = media_ids;
        s.language = language;
        s.edited_at = Some(shared.now());
    }
    match g.status(&id).cloned() {
        Some(s) => ok(status_json(&shared, &g, &s)),
        None => nf(),
    }
}

async fn delete_status(State(shared): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    auth!(shared, headers);
    let mut g = shared.lock();
    let Some(current) = g.status(&id).cloned() else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    if current.account_id != shared.owner_id {
        return error(StatusCode::FORBIDDEN, "This action is not allowed");
    }
    let mut body = status_json(&shared, &g, &current);
    body["text"] = Value::String(current.text.clone());
    if let Some(s) = g.status_mut(&id) {
        s.deleted = true;
    }
    if let Some(a) = g.accounts.iter_mut().find(|a| a.id == shared.owner_id) {
        a.statuses = a.statuses.saturating_sub(1);
    }
    ok(body)
}

async fn upload_media(State(shared): S, headers: HeaderMap, mut multipart: Multipart) -> Response {
    auth!(shared, headers);
    let mut file: Option<(String, usize)> = None;
    let mut description = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let mime = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let Ok(data) = field.bytes().await else {
                    return error(StatusCode::BAD_REQUEST, "broken multipart body");
                };
                match name.as_str() {
                    "file" => file = Some((mime, data.len())),
                    "description" => {
                        description = Some(String::from_utf8_lossy(&data).into_owned())
                    }
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return error(StatusCode::BAD_REQUEST, "broken multipart body"),
        }
    }
    let Some((mime, size)) = file else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: File can't be blank",
        );
    };
    let o = &shared.options;
    let accepted = ["image/", "video/", "audio/"];
    if !accepted.iter().any(|p| mime.starts_with(p)) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: File content type is invalid, File is invalid",
        );
    }
    if let Some(d) = &description {
        if d.chars().count() > o.description_limit {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "Validation failed: Description is too long (maximum is {} characters)",
                    o.description_limit
                ),
            );
        }
    }
    let mut g = shared.lock();
    let id = g.id();
    let m = TwinMedia {
        id: id.clone(),
        mime,
        description,
        size,
        polls_left: o.media_processing_polls,
        fails: o.media_processing_fails,
    };
    let asynchronous = m.polls_left > 0 || m.fails;
    let body = media_json(&shared, &m, !asynchronous);
    g.media.insert(id, m);
    let status = if asynchronous {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    (status, axum::Json(body)).into_response()
}

async fn get_media(State(shared): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    auth!(shared, headers);
    let mut g = shared.lock();
    let Some(m) = g.media.get_mut(&id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    if m.polls_left > 0 {
        m.polls_left -= 1;
        let m = m.clone();
        return (
            StatusCode::PARTIAL_CONTENT,
            axum::Json(media_json(&shared, &m, false)),
        )
            .into_response();
    }
    if m.fails {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Error processing thumbnail for uploaded media",
        );
    }
    let m = m.clone();
    ok(media_json(&shared, &m, true))
}

async fn notifications(State(shared): S, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    auth!(shared, headers);
    let q = query_pairs(raw);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let all = |k: &str| -> Vec<String> {
        q.iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let limit = num(get("limit")).unwrap_or(40).clamp(1, 80) as usize;
    let max_id = num(get("max_id"));
    let since_id = num(get("since_id"));
    let min_id = num(get("min_id"));
    let types = all("types[]");
    let exclude = all("exclude_types[]");
    let g = shared.lock();
    let matching: Vec<&TwinNotification> = g
        .notifications
        .iter()
        .filter(|n| types.is_empty() || types.iter().any(|t| t == n.kind))
        .filter(|n| !exclude.iter().any(|t| t == n.kind))
        .filter(|n| max_id.is_none_or(|m| n.id < m))
        .filter(|n| since_id.is_none_or(|m| n.id > m))
        .filter(|n| min_id.is_none_or(|m| n.id > m))
        .collect();
    // `matching` is oldest first.
    let mut page: Vec<&TwinNotification> =
        if min_id.is_some() && !shared.options.min_id_is_lower_bound {
            matching.into_iter().take(limit).collect()
        } else {
            let skip = matching.len().saturating_sub(limit);
            matching.into_iter().skip(skip).collect()
        };
    page.reverse(); // newest first
    let items: Vec<Value> = page
        .iter()
        .map(|n| {
            let account = g
                .account(&n.account_id)
                .cloned()
                .unwrap_or_else(|| TwinAccount {
                    id: n.account_id.clone(),
                    username: "unknown".into(),
                    followers: 0,
                    following: 0,
                    statuses: 0,
                });
            let count = account.statuses as usize;
            let status = n
                .status_id
                .as_deref()
                .and_then(|id| g.statuses.iter().find(|s| s.id == id))
                .map(|s| status_json(&shared, &g, s));
            json!({
                "id": n.id.to_string(),
                "type": n.kind,
                "created_at": n.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                "account": account_json(&shared, &account, count),
                "status": status
            })
        })
        .collect();
    let mut response = ok(Value::Array(items));
    if let (Some(newest), Some(oldest)) = (page.first(), page.last()) {
        let base = shared.base.as_str().trim_end_matches('/');
        let link = format!(
            "<{base}/api/v1/notifications?max_id={}>; rel=\"next\", <{base}/api/v1/notifications?min_id={}>; rel=\"prev\"",
            oldest.id, newest.id
        );
        if let Ok(v) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, v);
        }
    }
    response
}
