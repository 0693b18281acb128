//! A local twin of the Business Profile API v4 (local posts and reviews) and Google's token
//! endpoint, for tests (feature `testkit`). Each handler names its source: the
//! `accounts.locations.localPosts` and `accounts.locations.reviews` references under
//! <https://developers.google.com/my-business/reference/rest/v4>, the posts guide
//! <https://developers.google.com/my-business/content/posts-data>, Google's error model
//! <https://cloud.google.com/apis/design/errors>, Google's token endpoint (the code exchange
//! <https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code>
//! and the refresh answer <https://developers.google.com/identity/protocols/oauth2/web-server#offline>),
//! and for the connect flow the Account Management API's `accounts.list`
//! <https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts/list>
//! and the Business Information API's `accounts.locations.list`
//! <https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations/list>.
//!
//! What it does: bearer check (`401 UNAUTHENTICATED`); `POST /token` exchanges a code issued
//! by [`TwinHandle::authorize`] once, for the PKCE verifier of its challenge (`invalid_grant`
//! otherwise), answering a refresh token (offline access), and refreshes (no new refresh
//! token); `GET /v1/accounts` and `GET /v1/accounts/{a}/locations` (`readMask` required,
//! `INVALID_ARGUMENT` without) list the user's account and its locations; posts with
//! `INVALID_ARGUMENT` for an empty or long summary, a missing event on EVENT/OFFER, an event
//! ending before it starts; posts answered `LIVE` with a `searchUrl`; reviews newest first by
//! `updateTime` with `pageSize` (≤ 50) and `pageToken`, `averageRating` and
//! `totalReviewCount`; replies created, replaced and deleted (`NOT_FOUND` for none); an
//! unverified location answers every write with `400 FAILED_PRECONDITION`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::GoogleBusinessConfig;
use crate::Result;
use crate::auth::{OAuth2Refresh, Secret};
use crate::testkit::twin::{AuthCodes, Faults, RequestLog, TwinServer, instrument};

/// A review in the twin.
#[derive(Debug, Clone, PartialEq)]
pub struct TwinReview {
    /// Id.
    pub id: String,
    /// Reviewer's name.
    pub reviewer: String,
    /// 1–5.
    pub stars: u8,
    /// Text.
    pub comment: String,
    /// Written.
    pub created: DateTime<Utc>,
    /// Last changed.
    pub updated: DateTime<Utc>,
    /// The owner's reply.
    pub reply: Option<String>,
}

struct St {
    account: String,
    location: String,
    access_token: String,
    refresh_token: String,
    client_id: String,
    codes: AuthCodes,
    locations: Vec<(String, String)>,
    verified: bool,
    posts: Vec<Value>,
    reviews: Vec<TwinReview>,
    next: u64,
}

type S = Arc<Mutex<St>>;

fn lock(s: &S) -> MutexGuard<'_, St> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

fn error(code: u16, status: &str, message: &str) -> Response {
    let c = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (
        c,
        axum::Json(json!({"error": {"code": code, "message": message, "status": status}})),
    )
        .into_response()
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

impl St {
    fn auth(&self, h: &HeaderMap, a: &str, l: &str) -> std::result::Result<(), Box<Response>> {
        let token = h
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if token != Some(self.access_token.as_str()) {
            return Err(Box::new(error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials.",
            )));
        }
        if a != self.account || l != self.location {
            return Err(Box::new(error(
                403,
                "PERMISSION_DENIED",
                "The caller does not have permission",
            )));
        }
        Ok(())
    }

    fn write(&self) -> std::result::Result<(), Box<Response>> {
        if self.verified {
            Ok(())
        } else {
            Err(Box::new(error(
                400,
                "FAILED_PRECONDITION",
                "Location is not verified.",
            )))
        }
    }

    fn review_json(&self, r: &TwinReview) -> Value {
        let stars = ["", "ONE", "TWO", "THREE", "FOUR", "FIVE"][r.stars.clamp(1, 5) as usize];
        let mut v = json!({"name": format!("accounts/{}/locations/{}/reviews/{}", self.account, self.location, r.id),
            "reviewId": r.id, "reviewer": {"displayName": r.reviewer, "isAnonymous": false},
            "starRating": stars, "comment": r.comment,
            "createTime": r.created.to_rfc3339(), "updateTime": r.updated.to_rfc3339()});
        if let Some(reply) = &r.reply {
            v["reviewReply"] = json!({"comment": reply, "updateTime": r.updated.to_rfc3339()});
        }
        v
    }
}

fn invalid_grant() -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": "invalid_grant", "error_description": "Bad Request"})),
    )
        .into_response()
}

/// POST /token — Google's token endpoint: the authorization-code grant (a single-use code,
/// PKCE S256 checked, the client id in the body; a refresh token with offline access) and
/// the refresh grant (no new refresh token).
async fn token(
    State(s): State<S>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let mut st = lock(&s);
    if form.get("client_id") != Some(&st.client_id) {
        return invalid_grant();
    }
    let mut answer = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = form.get("code").map(String::as_str).unwrap_or_default();
            let verifier = form.get("code_verifier").map(String::as_str);
            if !st.codes.redeem(code, verifier.unwrap_or_default()) {
                return invalid_grant();
            }
            json!({"refresh_token": st.refresh_token})
        }
        Some("refresh_token") if form.get("refresh_token") == Some(&st.refresh_token) => {
            json!({})
        }
        _ => return invalid_grant(),
    };
    st.next += 1;
    st.access_token = format!("ya29.gbp-{}", st.next);
    answer["access_token"] = json!(st.access_token);
    answer["expires_in"] = json!(3599);
    answer["token_type"] = json!("Bearer");
    answer["scope"] = json!(super::oauth::SCOPES.join(" "));
    ok(answer)
}

impl St {
    fn bearer(&self, h: &HeaderMap) -> std::result::Result<(), Box<Response>> {
        self.auth(h, &self.account, &self.location)
    }
}

/// GET v1/accounts — Account Management `accounts.list`: the user's one (personal) account.
async fn list_accounts(State(s): State<S>, h: HeaderMap) -> Response {
    let st = lock(&s);
    if let Err(r) = st.bearer(&h) {
        return *r;
    }
    ok(json!({"accounts": [{
        "name": format!("accounts/{}", st.account), "accountName": "ACME Anvils",
        "type": "PERSONAL", "role": "PRIMARY_OWNER", "verificationState": "VERIFIED"}]}))
}

/// GET v1/accounts/{a}/locations — Business Information `accounts.locations.list` with the
/// required `readMask` (only `name`, `title` and `languageCode` are filled).
async fn list_locations(
    State(s): State<S>,
    Path(a): Path<String>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let st = lock(&s);
    if let Err(r) = st.bearer(&h) {
        return *r;
    }
    if a != st.account {
        return error(
            403,
            "PERMISSION_DENIED",
            "The caller does not have permission",
        );
    }
    let Some(mask) = q.get("readMask").filter(|m| !m.is_empty()) else {
        return error(
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
        );
    };
    let fields: Vec<&str> = mask.split(',').map(str::trim).collect();
    let locations: Vec<Value> = st
        .locations
        .iter()
        .map(|(id, title)| {
            let mut l = json!({});
            for (field, value) in [
                ("name", format!("locations/{id}")),
                ("title", title.clone()),
                ("languageCode", "en-US".to_string()),
            ] {
                if fields.contains(&field) {
                    l[field] = json!(value);
                }
            }
            l
        })
        .collect();
    ok(json!({"locations": locations, "totalSize": st.locations.len()}))
}

fn check_post(v: &Value) -> std::result::Result<(), Box<Response>> {
    let summary = v["summary"].as_str().unwrap_or_default();
    let topic = v["topicType"].as_str().unwrap_or_default();
    if !matches!(topic, "STANDARD" | "EVENT" | "OFFER") {
        return Err(Box::new(error(
            400,
            "INVALID_ARGUMENT",
            "Invalid topic type.",
        )));
    }
    if summary.chars().count() > super::MAX_SUMMARY
        || (topic == "STANDARD" && summary.is_empty() && v["media"].is_null())
    {
        return Err(Box::new(error(
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
        )));
    }
    if topic != "STANDARD" {
        let e = &v["event"];
        let (Some(_), Some(s), Some(en)) = (
            e["title"].as_str(),
            e["schedule"]["startDate"].as_object(),
            e["schedule"]["endDate"].as_object(),
        ) else {
            return Err(Box::new(error(
                400,
                "INVALID_ARGUMENT",
                "Event is required for EVENT and OFFER posts.",
            )));
        };
        let key = |d: &serde_json::Map<String, Value>| {
            (d["year"].as_i64(), d["month"].as_i64(), d["day"].as_i64())
        };
        if key(en) < key(s) {
            return Err(Box::new(error(
                400,
                "INVALID_ARGUMENT",
                "The event ends before it starts.",
            )));
        }
    }
    Ok(())
}

/// POST v4/accounts/{a}/locations/{l}/localPosts — localPosts.create.
async fn create_post(
    State(s): State<S>,
    Path((a, l)): Path<(String, String)>,
    h: HeaderMap,
    axum::Json(mut body): axum::Json<Value>,
) -> Response {
    let mut st = lock(&s);
    if let Err(r) = st
        .auth(&h, &a, &l)
        .and_then(|_| st.write())
        .and_then(|_| check_post(&body))
    {
        return *r;
    }
    st.next += 1;
    let name = format!("accounts/{a}/locations/{l}/localPosts/{}", st.next);
    body["name"] = json!(name);
    body["state"] = json!("LIVE");
    body["createTime"] = json!(Utc::now().to_rfc3339());
    body["updateTime"] = body["createTime"].clone();
    body["searchUrl"] = json!(format!(
        "https://local.google.com/place?id=twin&use=posts&lpsid={}",
        st.next
    ));
    st.posts.push(body.clone());
    ok(body)
}

/// GET v4/accounts/{a}/locations/{l}/localPosts — localPosts.list, newest first.
async fn list_posts(
    State(s): State<S>,
    Path((a, l)): Path<(String, String)>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let st = lock(&s);
    if let Err(r) = st.auth(&h, &a, &l) {
        return *r;
    }
    let size = q
        .get("pageSize")
        .and_then(|n| n.parse().ok())
        .unwrap_or(20usize)
        .clamp(1, 100);
    let from = q
        .get("pageToken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0usize);
    let all: Vec<Value> = st.posts.iter().rev().cloned().collect();
    let mut v = json!({"localPosts": all.iter().skip(from).take(size).collect::<Vec<_>>()});
    if from + size < all.len() {
        v["nextPageToken"] = json!((from + size).to_string());
    }
    ok(v)
}

/// DELETE v4/accounts/{a}/locations/{l}/localPosts/{p} — localPosts.delete.
async fn delete_post(
    State(s): State<S>,
    Path((a, l, p)): Path<(String, String, String)>,
    h: HeaderMap,
) -> Response {
    let mut st = lock(&s);
    if let Err(r) = st.auth(&h, &a, &l).and_then(|_| st.write()) {
        return *r;
    }
    let name = format!("accounts/{a}/locations/{l}/localPosts/{p}");
    let before = st.posts.len();
    st.posts.retain(|v| v["name"] != json!(name));
    if st.posts.len() == before {
        return error(404, "NOT_FOUND", "Requested entity was not found.");
    }
    ok(json!({}))
}

/// GET v4/accounts/{a}/locations/{l}/reviews — reviews.list, `orderBy=updateTime desc`.
async fn list_reviews(
    State(s): State<S>,
    Path((a, l)): Path<(String, String)>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let st = lock(&s);
    if let Err(r) = st.auth(&h, &a, &l) {
        return *r;
    }
    let size = q
        .get("pageSize")
        .and_then(|n| n.parse().ok())
        .unwrap_or(50usize)
        .clamp(1, 50);
    let from = q
        .get("pageToken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0usize);
    let mut all: Vec<&TwinReview> = st.reviews.iter().collect();
    all.sort_by(|x, y| y.updated.cmp(&x.updated).then(y.id.cmp(&x.id)));
    let items: Vec<Value> = all
        .iter()
        .skip(from)
        .take(size)
        .map(|r| st.review_json(r))
        .collect();
    let mut v = json!({"reviews": items, "totalReviewCount": st.reviews.len()});
    if !st.reviews.is_empty() {
        let avg =
            st.reviews.iter().map(|r| f64::from(r.stars)).sum::<f64>() / st.reviews.len() as f64;
        v["averageRating"] = json!(avg);
    }
    if from + size < all.len() {
        v["nextPageToken"] = json!((from + size).to_string());
    }
    ok(v)
}

/// PUT v4/accounts/{a}/locations/{l}/reviews/{r}/reply — updateReply (creates or replaces).
async fn put_reply(
    State(s): State<S>,
    Path((a, l, r)): Path<(String, String, String)>,
    h: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut st = lock(&s);
    if let Err(e) = st.auth(&h, &a, &l).and_then(|_| st.write()) {
        return *e;
    }
    let text = body["comment"].as_str().unwrap_or_default().to_string();
    if text.trim().is_empty() || text.len() > super::MAX_REPLY_BYTES {
        return error(
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
        );
    }
    let Some(review) = st.reviews.iter_mut().find(|x| x.id == r) else {
        return error(404, "NOT_FOUND", "Requested entity was not found.");
    };
    review.reply = Some(text.clone());
    ok(json!({"comment": text, "updateTime": Utc::now().to_rfc3339()}))
}

/// DELETE v4/accounts/{a}/locations/{l}/reviews/{r}/reply — deleteReply.
async fn delete_reply(
    State(s): State<S>,
    Path((a, l, r)): Path<(String, String, String)>,
    h: HeaderMap,
) -> Response {
    let mut st = lock(&s);
    if let Err(e) = st.auth(&h, &a, &l).and_then(|_| st.write()) {
        return *e;
    }
    match st.reviews.iter_mut().find(|x| x.id == r) {
        Some(review) if review.reply.is_some() => {
            review.reply = None;
            ok(json!({}))
        }
        _ => error(404, "NOT_FOUND", "Requested entity was not found."),
    }
}

/// A running twin.
pub struct Twin {
    server: TwinServer,
    handle: TwinHandle,
}

/// Reads and changes the twin from a test.
#[derive(Clone)]
pub struct TwinHandle {
    state: S,
    log: RequestLog,
    faults: Faults,
}

impl Twin {
    /// Starts a twin for account `1001`, location `2002`, verified.
    pub async fn start() -> Result<Twin> {
        let state: S = Arc::new(Mutex::new(St {
            account: "1001".into(),
            location: "2002".into(),
            access_token: "ya29.gbp-first".into(),
            refresh_token: "1//gbp-refresh".into(),
            client_id: "gbp.apps.googleusercontent.com".into(),
            codes: AuthCodes::default(),
            locations: vec![("2002".into(), "ACME Anvils Main Street".into())],
            verified: true,
            posts: Vec::new(),
            reviews: Vec::new(),
            next: 0,
        }));
        let (log, faults) = (RequestLog::default(), Faults::default());
        let app = Router::new()
            .route("/token", post(token))
            .route("/v1/accounts", get(list_accounts))
            .route("/v1/accounts/{a}/locations", get(list_locations))
            .route(
                "/v4/accounts/{a}/locations/{l}/localPosts",
                post(create_post).get(list_posts),
            )
            .route(
                "/v4/accounts/{a}/locations/{l}/localPosts/{p}",
                delete(delete_post),
            )
            .route("/v4/accounts/{a}/locations/{l}/reviews", get(list_reviews))
            .route(
                "/v4/accounts/{a}/locations/{l}/reviews/{r}/reply",
                put(put_reply).delete(delete_reply),
            )
            .with_state(state.clone());
        let server = TwinServer::start(instrument(app, &log, &faults)).await?;
        Ok(Twin {
            server,
            handle: TwinHandle { state, log, faults },
        })
    }

    /// A config for the twin with a refresh setup.
    pub fn config(&self) -> GoogleBusinessConfig {
        let st = lock(&self.handle.state);
        let mut c = GoogleBusinessConfig::new(
            Secret::new(st.access_token.clone()),
            &st.account,
            &st.location,
        )
        .unwrap_or_else(|_| unreachable!("the twin's ids are valid"))
        .with_base_url(self.server.base_url().as_str())
        .unwrap_or_else(|_| unreachable!("the twin's URL is valid"));
        c.refresh = Some(OAuth2Refresh::new(
            st.client_id.clone(),
            st.refresh_token.clone(),
        ));
        c.token_url = self.server.base_url().join("token").ok();
        c
    }

    /// The handle.
    pub fn handle(&self) -> &TwinHandle {
        &self.handle
    }

    /// The twin's URL (every API and the token endpoint are on it).
    pub fn base_url(&self) -> url::Url {
        self.server.base_url()
    }

    /// The connect flow's hosts, all on the twin.
    pub fn hosts(&self) -> super::connect::Hosts {
        super::connect::Hosts::all_at(&self.server.base_url())
    }
}

impl TwinHandle {
    /// Every request.
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// Faults to inject.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The posts as stored (JSON).
    pub fn posts(&self) -> Vec<Value> {
        lock(&self.state).posts.clone()
    }

    /// A customer reviews the location `ago` before now; returns the review id.
    pub fn review(&self, reviewer: &str, stars: u8, comment: &str, ago: Duration) -> String {
        let mut st = lock(&self.state);
        st.next += 1;
        let id = format!("AbFvOq{}", st.next);
        let at = Utc::now() - ago;
        st.reviews.push(TwinReview {
            id: id.clone(),
            reviewer: reviewer.into(),
            stars,
            comment: comment.into(),
            created: at,
            updated: at,
            reply: None,
        });
        id
    }

    /// One review.
    pub fn review_by_id(&self, id: &str) -> Option<TwinReview> {
        lock(&self.state)
            .reviews
            .iter()
            .find(|r| r.id == id)
            .cloned()
    }

    /// The user consents on an authorization URL with PKCE `challenge` (its
    /// `code_challenge`): the code its callback carries.
    pub fn authorize(&self, challenge: &str) -> String {
        lock(&self.state).codes.issue("4/0Agbp-", challenge)
    }

    /// The OAuth client id the twin knows.
    pub fn client_id(&self) -> String {
        lock(&self.state).client_id.clone()
    }

    /// The refresh token the code exchange hands out.
    pub fn refresh_token(&self) -> String {
        lock(&self.state).refresh_token.clone()
    }

    /// Another location the user manages (listed by the connect flow; the twin's posts and
    /// reviews stay on location `2002`).
    pub fn add_location(&self, id: &str, title: &str) {
        lock(&self.state)
            .locations
            .push((id.to_string(), title.to_string()));
    }

    /// Marks the location (un)verified.
    pub fn set_verified(&self, verified: bool) {
        lock(&self.state).verified = verified;
    }

    /// Makes the access token invalid.
    pub fn expire_token(&self) {
        let mut st = lock(&self.state);
        st.next += 1;
        st.access_token = format!("ya29.gbp-{}", st.next);
    }
}
