//! The twin's HTTP routes: auth, rate-limit headers, and translation to the state's rules.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use super::Shared;
use super::state::{Answer, Problem, State as TwinState, Window};

type S = State<Arc<Shared>>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/2/users/me", get(me))
        .route("/2/users/{id}/tweets", get(user_tweets))
        .route("/2/users/{id}/mentions", get(mentions))
        .route("/2/tweets", post(create).get(lookup))
        .route("/2/tweets/{id}", delete(remove))
        .route("/2/media/upload/initialize", post(media_init))
        .route("/2/media/upload/{id}/append", post(media_append))
        .route("/2/media/upload/{id}/finalize", post(media_finalize))
        .route("/2/media/upload", get(media_status))
        .route("/2/media/metadata", post(media_metadata))
        .route("/2/oauth2/token", post(token))
        .route("/i/oauth2/authorize", get(super::oauth2::authorize))
        .route("/2/tweets/search/recent", get(super::search::recent))
        .route("/oauth/request_token", post(super::oauth1::request_token))
        .route("/oauth/authorize", get(super::oauth1::authorize))
        .route("/oauth/access_token", post(super::oauth1::access_token))
        .fallback(|| async {
            problem(Problem::new(
                404,
                "about:blank",
                "Not Found",
                "Sorry, that page does not exist",
            ))
        })
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            super::oauth1::check,
        ))
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(shared)
}

fn problem(p: Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        p.body.to_string(),
    )
        .into_response()
}

fn set(r: &mut Response, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(name, v);
    }
}

fn window_headers(r: &mut Response, w: &Window) {
    set(r, "x-rate-limit-limit", w.limit.to_string());
    set(r, "x-rate-limit-remaining", w.remaining().to_string());
    set(r, "x-rate-limit-reset", w.reset.timestamp().to_string());
}

fn daily_headers(r: &mut Response, g: &TwinState) {
    for (prefix, w) in [
        ("x-user-limit-24hour-", &g.user_daily),
        ("x-app-limit-24hour-", &g.app_daily),
    ] {
        for (suffix, v) in [
            ("limit", w.limit.to_string()),
            ("remaining", w.remaining().to_string()),
            ("reset", w.reset.timestamp().to_string()),
        ] {
            if let (Ok(n), Ok(v)) = (
                axum::http::HeaderName::from_bytes(format!("{prefix}{suffix}").as_bytes()),
                HeaderValue::from_str(&v),
            ) {
                r.headers_mut().insert(n, v);
            }
        }
    }
}

fn too_many() -> Problem {
    Problem::new(429, "about:blank", "Too Many Requests", "Too Many Requests")
}

pub(super) fn answer(a: Answer, w: &Window) -> Response {
    let mut r = match a {
        Ok((status, body)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(body),
        )
            .into_response(),
        Err(p) => problem(p),
    };
    window_headers(&mut r, w);
    r
}

pub(super) fn query(raw: Option<String>) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// Checks the bearer token (or that the OAuth 1.0a middleware verified the signature) and
/// counts the call in its window.
pub(super) fn gate(shared: &Shared, parts: &Parts, key: &str) -> Result<Window, Box<Response>> {
    let mut g = shared.lock();
    let expected = format!("Bearer {}", g.access_token);
    // An expired access token is refused like a wrong one (X answers 401).
    let expired = g
        .options
        .access_token_lifetime
        .is_some_and(|life| g.options.clock.now() >= g.access_issued_at + life);
    let ok = parts.extensions.get::<super::oauth1::Signed>().is_some()
        || (!expired
            && parts
                .headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == expected));
    if !ok {
        return Err(Box::new(problem(Problem::new(
            401,
            "about:blank",
            "Unauthorized",
            "Unauthorized",
        ))));
    }
    g.rate(key).map_err(|w| {
        let mut r = problem(too_many());
        window_headers(&mut r, &w);
        Box::new(r)
    })
}

fn parse_json(body: &Bytes) -> Result<Value, Box<Response>> {
    serde_json::from_slice(body).map_err(|_| {
        Box::new(problem(Problem::invalid(
            "The request body is not valid JSON",
        )))
    })
}

async fn me(State(s): S, parts: Parts) -> Response {
    let w = match gate(&s, &parts, "GET /2/users/me") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let g = s.lock();
    let user = g.user_json(g.owner(), true);
    answer(Ok((200, json!({"data": user}))), &w)
}

async fn user_tweets(
    State(s): S,
    parts: Parts,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let w = match gate(&s, &parts, "GET /2/users/:id/tweets") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let g = s.lock();
    let items = g
        .tweets
        .iter()
        .filter(|t| t.author_id == id && !t.deleted)
        .collect();
    answer(g.page(items, &query(q)), &w)
}

async fn mentions(
    State(s): S,
    parts: Parts,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let w = match gate(&s, &parts, "GET /2/users/:id/mentions") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let g = s.lock();
    let items = g.mentions_of(&id);
    answer(g.page(items, &query(q)), &w)
}

async fn create(State(s): S, parts: Parts, body: Bytes) -> Response {
    let w = match gate(&s, &parts, "POST /2/tweets") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let body = match parse_json(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut g = s.lock();
    if !g.daily() {
        let mut r = problem(too_many());
        window_headers(&mut r, &w);
        daily_headers(&mut r, &g);
        return r;
    }
    let a = g.create(&body);
    let mut r = answer(a, &w);
    daily_headers(&mut r, &g);
    r
}

async fn lookup(State(s): S, parts: Parts, RawQuery(q): RawQuery) -> Response {
    let w = match gate(&s, &parts, "GET /2/tweets") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let g = s.lock();
    answer(g.lookup(&query(q)), &w)
}

async fn remove(State(s): S, parts: Parts, Path(id): Path<String>) -> Response {
    let w = match gate(&s, &parts, "DELETE /2/tweets/:id") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let a = s.lock().delete(&id);
    answer(a, &w)
}

async fn media_init(State(s): S, parts: Parts, body: Bytes) -> Response {
    let w = match gate(&s, &parts, "POST /2/media/upload") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let body = match parse_json(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let a = s.lock().media_init(&body);
    answer(a, &w)
}

async fn media_append(
    State(s): S,
    parts: Parts,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Response {
    let w = match gate(&s, &parts, "POST /2/media/upload") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let (mut index, mut bytes) = (None, None);
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let Ok(data) = field.bytes().await else {
                    return problem(Problem::invalid("The multipart body is malformed"));
                };
                match name.as_str() {
                    "segment_index" => {
                        index = std::str::from_utf8(&data)
                            .ok()
                            .and_then(|v| v.trim().parse().ok())
                    }
                    "media" => bytes = Some(data.len()),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return problem(Problem::invalid("The multipart body is malformed")),
        }
    }
    let a = s.lock().media_append(&id, index, bytes);
    answer(a, &w)
}

async fn media_finalize(State(s): S, parts: Parts, Path(id): Path<String>) -> Response {
    let w = match gate(&s, &parts, "POST /2/media/upload") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let a = s.lock().media_finalize(&id);
    answer(a, &w)
}

async fn media_status(State(s): S, parts: Parts, RawQuery(q): RawQuery) -> Response {
    let w = match gate(&s, &parts, "GET /2/media/upload") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let a = s.lock().media_status(&query(q));
    answer(a, &w)
}

async fn media_metadata(State(s): S, parts: Parts, body: Bytes) -> Response {
    let w = match gate(&s, &parts, "POST /2/media/metadata") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let body = match parse_json(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let a = s.lock().media_metadata(&body);
    answer(a, &w)
}

/// `POST /2/oauth2/token` with `grant_type=refresh_token`: a new access token and a rotated
/// refresh token; the old access token stops working.
async fn token(State(s): S, body: Bytes) -> Response {
    let form = super::oauth2::form(&body);
    if form.get("grant_type").map(String::as_str) == Some("authorization_code") {
        return super::oauth2::exchange(&s, &form);
    }
    let mut g = s.lock();
    let valid = form.get("grant_type").map(String::as_str) == Some("refresh_token")
        && form.get("refresh_token") == Some(&g.refresh_token);
    if !valid {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_request", "error_description": "Value passed for the token was invalid."})),
        )
            .into_response();
    }
    g.token_serial += 1;
    g.access_issued_at = g.options.clock.now();
    g.access_token = format!("{}-refreshed-{}", g.options.token, g.token_serial);
    g.refresh_token = format!("{}-rotated-{}", g.options.refresh_token, g.token_serial);
    let body = json!({
        "token_type": "bearer", "expires_in": 7200, "access_token": g.access_token,
        "scope": "tweet.read tweet.write users.read offline.access media.write",
        "refresh_token": g.refresh_token
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}
