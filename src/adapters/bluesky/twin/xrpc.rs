//! The XRPC endpoint: rate-limit headers, authentication and one handler per method.

#[allow(unused_imports)]
use super::*;

use axum::extract::Request;
use axum::middleware::{self, Next};

use crate::testkit::twin::{Canned, instrument};

// ---------------------------------------------------------------------------------------------
// Helpers

/// An instant as the PDS writes it (RFC 3339, milliseconds, `Z`).
pub(super) fn time_str(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(super) fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub(super) fn b32(bytes: &[u8]) -> String {
    const A: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::new();
    let mut buf: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        buf = (buf << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            out.push(A[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub(super) fn record_cid(value: &Value) -> String {
    format!("bafyrei{}", &b32(&sha(value.to_string().as_bytes()))[..52])
}

pub(super) fn blob_cid(bytes: &[u8]) -> String {
    format!("bafkrei{}", &b32(&sha(bytes))[..52])
}

pub(super) fn jwt(did: &str, scope: &str, now: DateTime<Utc>, ttl: Duration) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"typ":"at+jwt","alg":"HS256"}"#);
    let payload = json!({
        "scope": scope,
        "sub": did,
        "aud": "did:web:twin.invalid",
        "iat": now.timestamp(),
        "exp": now.timestamp() + ttl.as_secs() as i64,
        "jti": format!("{:016x}", rand::random::<u64>()),
    });
    let body = b64.encode(payload.to_string().as_bytes());
    let sig = b64.encode(rand::random::<[u8; 32]>());
    format!("{header}.{body}.{sig}")
}

pub(super) fn split_at_uri(uri: &str) -> Option<(&str, &str, &str)> {
    let rest = uri.strip_prefix("at://")?;
    let mut it = rest.splitn(3, '/');
    let did = it.next()?;
    let coll = it.next()?;
    let rkey = it.next()?;
    if did.is_empty() || coll.is_empty() || rkey.is_empty() || rkey.contains('/') {
        return None;
    }
    Some((did, coll, rkey))
}

pub(super) fn query_pairs(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) body: Body,
    pub(super) content_type: &'static str,
    pub(super) extra: Vec<(&'static str, String)>,
}

impl Answer {
    pub(super) fn json(status: u16, v: Value) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: Body::from(v.to_string()),
            content_type: "application/json; charset=utf-8",
            extra: Vec::new(),
        }
    }

    pub(super) fn ok(v: Value) -> Answer {
        Answer::json(200, v)
    }

    pub(super) fn err(status: u16, error: &str, message: &str) -> Answer {
        Answer::json(status, json!({"error": error, "message": message}))
    }

    pub(super) fn invalid(message: &str) -> Answer {
        Answer::err(400, "InvalidRequest", message)
    }
}

pub(super) const PROCEDURES: &[&str] = &[
    "com.atproto.server.createSession",
    "com.atproto.server.refreshSession",
    "com.atproto.server.deleteSession",
    "com.atproto.repo.createRecord",
    "com.atproto.repo.deleteRecord",
    "com.atproto.repo.uploadBlob",
];

pub(super) const QUERIES: &[&str] = &[
    "com.atproto.server.getSession",
    "com.atproto.repo.getRecord",
    "com.atproto.repo.listRecords",
    "com.atproto.identity.resolveHandle",
    "app.bsky.notification.listNotifications",
    "app.bsky.feed.getPosts",
    "app.bsky.feed.getAuthorFeed",
    "app.bsky.actor.getProfile",
    "app.bsky.feed.searchPosts",
    "_health",
];

/// The XRPC route behind the shared twin layer (request log, injected faults), behind the
/// PDS's global rate-limit window and its `RateLimit-*` headers, which every answer carries
/// (injected faults included; a fault's own headers are kept). Sources: the XRPC spec
/// <https://atproto.com/specs/xrpc> (`/xrpc/{nsid}`, error bodies `{"error","message"}`, 429
/// `RateLimitExceeded`) and the PDS's rate limits <https://docs.bsky.app/docs/advanced-guides/rate-limits>.
pub(super) fn app(state: Arc<Mutex<TwinState>>, log: &RequestLog, faults: &Faults) -> Router {
    let routes = Router::new()
        .route("/xrpc/{method}", any(dispatch))
        .layer(DefaultBodyLimit::max(MAX_BLOB_BYTES + 1024))
        .with_state(state.clone());
    instrument(routes, log, faults).layer(middleware::from_fn_with_state(state, rate_limit))
}

/// The `RateLimit-*` headers of an answer.
fn rate_headers(limit: u32, remaining: u32, reset: i64, window: Duration) -> Vec<(String, String)> {
    vec![
        ("ratelimit-limit".into(), limit.to_string()),
        ("ratelimit-remaining".into(), remaining.to_string()),
        ("ratelimit-reset".into(), reset.to_string()),
        (
            "ratelimit-policy".into(),
            format!("{limit};w={}", window.as_secs()),
        ),
    ]
}

/// Counts the request per method and in the global window on the twin's clock; a used-up
/// window is answered 429 `RateLimitExceeded` before anything else.
async fn rate_limit(
    State(state): State<Arc<Mutex<TwinState>>>,
    request: Request,
    next: Next,
) -> Response {
    let (limit, remaining, reset, window, over) = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(method) = request.uri().path().strip_prefix("/xrpc/") {
            *s.stats.requests.entry(method.to_string()).or_insert(0) += 1;
        }
        let now = s.now();
        let window = s.options.rate_window;
        let span = chrono::Duration::from_std(window).unwrap_or_default();
        if now >= s.window_start + span {
            s.window_start = now;
            s.window_used = 0;
        }
        s.window_used += 1;
        let limit = s.options.rate_limit;
        let reset = (s.window_start + span).timestamp();
        let remaining = limit.saturating_sub(s.window_used);
        (limit, remaining, reset, window, s.window_used > limit)
    };
    let mut response = if over {
        finish(Answer::err(429, "RateLimitExceeded", "Rate Limit Exceeded"))
    } else {
        next.run(request).await
    };
    let h = response.headers_mut();
    for (name, value) in rate_headers(limit, remaining, reset, window) {
        if h.contains_key(name.as_str()) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            h.insert(name, value);
        }
    }
    response
}

/// A [`Failure`] as the shared fault layer answers it, and whether the route runs first (a
/// lost answer). A 429's reset is reckoned from `now` (the twin's clock at injection).
pub(super) fn canned(
    failure: &Failure,
    now: DateTime<Utc>,
    options: &TwinOptions,
) -> (Canned, bool) {
    let xrpc = |status: u16, error: &str, message: &str| {
        Canned::json(status, json!({"error": error, "message": message}))
    };
    let html = |status: u16| {
        let mut c = Canned::html(status);
        c.content_type = "text/html".into();
        c.body = format!(
            "<html><head><title>{status}</title></head><body><h1>{status} Bad Gateway</h1><hr>nginx</body></html>"
        );
        c
    };
    match failure {
        Failure::RateLimited {
            reset_in_secs,
            retry_after_secs,
        } => {
            let reset = now.timestamp() + *reset_in_secs as i64;
            let mut c = xrpc(429, "RateLimitExceeded", "Rate Limit Exceeded");
            for (name, value) in rate_headers(options.rate_limit, 0, reset, options.rate_window) {
                c = c.with_header(&name, &value);
            }
            if let Some(r) = retry_after_secs {
                c = c.with_header("retry-after", &r.to_string());
            }
            (c, false)
        }
        Failure::Xrpc {
            status,
            error,
            message,
        } => (xrpc(*status, error, message), false),
        Failure::Status(code) => (
            xrpc(*code, "InternalServerError", "Internal Server Error"),
            false,
        ),
        Failure::Html(code) => (html(*code), false),
        Failure::MalformedJson => {
            let mut c = Canned::malformed_json();
            c.body = r#"{"uri": "at://did:plc:x/app.bsky.feed.post/3k"#.into();
            (c, false)
        }
        Failure::LoseResponse(code) => (html(*code), true),
    }
}

/// The one XRPC route: every method by its NSID.
pub(super) async fn dispatch(
    State(state): State<Arc<Mutex<TwinState>>>,
    Path(method): Path<String>,
    http_method: Method,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    finish(handle(&mut s, &method, &http_method, &raw, &headers, &body))
}

pub(super) fn finish(a: Answer) -> Response {
    let mut resp = (a.status, a.body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(a.content_type),
    );
    for (k, v) in a.extra {
        if let Ok(v) = HeaderValue::from_str(&v) {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Verifies the bearer token like the PDS: missing → 401 AuthMissing; unknown or wrong kind →
/// 400 InvalidToken; expired → 400 ExpiredToken.
pub(super) fn authenticate(
    s: &TwinState,
    headers: &HeaderMap,
    kind: TokenKind,
) -> std::result::Result<(String, String), Answer> {
    let Some(token) = bearer(headers) else {
        return Err(Answer::err(401, "AuthMissing", "Authentication Required"));
    };
    let Some(info) = s.tokens.get(token) else {
        return Err(Answer::err(
            400,
            "InvalidToken",
            "Token could not be verified",
        ));
    };
    if info.kind != kind {
        return Err(Answer::err(
            400,
            "InvalidToken",
            "Token could not be verified",
        ));
    }
    if info.expires_at <= s.now() {
        return Err(Answer::err(400, "ExpiredToken", "Token has expired"));
    }
    Ok((info.did.clone(), token.to_string()))
}

pub(super) fn handle(
    s: &mut TwinState,
    method: &str,
    http_method: &Method,
    raw: &Option<String>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Answer {
    let is_proc = PROCEDURES.contains(&method);
    let is_query = QUERIES.contains(&method);
    if !is_proc && !is_query {
        if method.starts_with("app.bsky.") && !s.options.appview {
            return Answer::invalid(&format!("No service configured for {method}"));
        }
        return Answer::err(501, "MethodNotImplemented", "Method Not Implemented");
    }
    if is_proc && http_method != Method::POST {
        return Answer::invalid(&format!(
            "Incorrect HTTP method ({http_method}) expected POST"
        ));
    }
    if is_query && http_method != Method::GET {
        return Answer::invalid(&format!(
            "Incorrect HTTP method ({http_method}) expected GET"
        ));
    }
    if method.starts_with("app.bsky.") && !s.options.appview {
        return Answer::invalid(&format!("No service configured for {method}"));
    }
    let q = query_pairs(raw);
    let json_body = || -> std::result::Result<Value, Answer> {
        serde_json::from_slice::<Value>(body)
            .map_err(|_| Answer::invalid("Request body is not valid JSON"))
    };
    match method {
        "_health" => Answer::ok(json!({"version": "socialkit-twin"})),
        "com.atproto.server.createSession" => {
            let input = match json_body() {
                Ok(v) => v,
                Err(a) => return a,
            };
            let ident = input
                .get("identifier")
                .and_then(Value::as_str)
                .unwrap_or("");
            let password = input.get("password").and_then(Value::as_str).unwrap_or("");
            let Some(acc) = s.account_by(ident).cloned() else {
                return Answer::err(
                    401,
                    "AuthenticationRequired",
                    "Invalid identifier or password",
                );
            };
            if acc.password != password {
                return Answer::err(
                    401,
                    "AuthenticationRequired",
                    "Invalid identifier or password",
                );
            }
            let now = s.now();
            let limit = s.options.create_session_limit as usize;
            let calls = s.session_calls.entry(acc.did.clone()).or_default();
            while calls
                .front()
                .is_some_and(|t| *t + chrono::Duration::minutes(5) <= now)
            {
                calls.pop_front();
            }
            if calls.len() >= limit {
                let reset = calls
                    .front()
                    .map(|t| (*t + chrono::Duration::minutes(5)).timestamp())
                    .unwrap_or(0);
                let mut a = Answer::err(429, "RateLimitExceeded", "Rate Limit Exceeded");
                a.extra.push(("ratelimit-limit", limit.to_string()));
                a.extra.push(("ratelimit-remaining", "0".into()));
                a.extra.push(("ratelimit-reset", reset.to_string()));
                a.extra.push(("ratelimit-policy", format!("{limit};w=300")));
                return a;
            }
            calls.push_back(now);
            let (access, refresh) = s.issue_tokens(&acc.did);
            s.stats.sessions_created += 1;
            Answer::ok(json!({
                "accessJwt": access, "refreshJwt": refresh, "handle": acc.handle, "did": acc.did,
                "email": format!("{}@example.test", acc.handle), "emailConfirmed": false, "active": true
            }))
        }
        "com.atproto.server.refreshSession" => {
            let Some(token) = bearer(headers).map(str::to_string) else {
                return Answer::err(401, "AuthMissing", "Authentication Required");
            };
            let Some(info) = s.tokens.get(&token).cloned() else {
                return Answer::err(400, "InvalidToken", "Token could not be verified");
            };
            if info.kind != TokenKind::Refresh {
                return Answer::err(400, "InvalidToken", "Token could not be verified");
            }
            let now = s.now();
            if info.expires_at <= now {
                return Answer::err(400, "ExpiredToken", "Token has expired");
            }
            if info.revoked_at.is_some_and(|r| r <= now) {
                return Answer::err(400, "ExpiredToken", "Token has been revoked");
            }
            let grace = chrono::Duration::from_std(s.options.refresh_grace).unwrap_or_default();
            if let Some(t) = s.tokens.get_mut(&token) {
                t.revoked_at = Some(now + grace);
            }
            let (access, refresh) = s.issue_tokens(&info.did);
            s.stats.refreshes += 1;
            let handle = s.handle_of(&info.did);
            Answer::ok(json!({
                "accessJwt": access, "refreshJwt": refresh, "handle": handle, "did": info.did, "active": true
            }))
        }
        "com.atproto.server.getSession" => match authenticate(s, headers, TokenKind::Access) {
            Ok((did, _)) => {
                Answer::ok(json!({"did": did, "handle": s.handle_of(&did), "active": true}))
            }
            Err(a) => a,
        },
        "com.atproto.server.deleteSession" => match authenticate(s, headers, TokenKind::Refresh) {
            Ok((_, token)) => {
                s.tokens.remove(&token);
                Answer::ok(json!({}))
            }
            Err(a) => a,
        },
        "com.atproto.repo.uploadBlob" => {
            if let Err(a) = authenticate(s, headers, TokenKind::Access) {
                return a;
            }
            let mime = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream")
                .to_string();
            if body.len() > MAX_BLOB_BYTES {
                return Answer::err(400, "BlobTooLarge", "This file is too large");
            }
            let cid = blob_cid(body);
            s.blobs.insert(
                cid.clone(),
                Blob {
                    mime: mime.clone(),
                    size: body.len(),
                },
            );
            Answer::ok(
                json!({"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": body.len()}}),
            )
        }
        "com.atproto.repo.createRecord" => {
            let did = match authenticate(s, headers, TokenKind::Access) {
                Ok((did, _)) => did,
                Err(a) => return a,
            };
            let input = match json_body() {
                Ok(v) => v,
                Err(a) => return a,
            };
            let repo = input.get("repo").and_then(Value::as_str).unwrap_or("");
            let Some(owner) = s.account_by(repo).map(|a| a.did.clone()) else {
                return Answer::invalid(&format!("Could not find repo: {repo}"));
            };
            if owner != did {
                return Answer::err(401, "AuthenticationRequired", "Authentication Required");
            }
            let Some(coll) = input
                .get("collection")
                .and_then(Value::as_str)
                .map(str::to_string)
            else {
                return Answer::invalid("Input must have the property \"collection\"");
            };
            let Some(record) = input.get("record").cloned() else {
                return Answer::invalid("Input must have the property \"record\"");
            };
            let rkey = match input.get("rkey").and_then(Value::as_str) {
                Some(k) => {
                    if !Tid::is_valid(k) {
                        return Answer::invalid(&format!(
                            "Invalid record key for {coll}: Invalid TID string (got \"{k}\") at $"
                        ));
                    }
                    k.to_string()
                }
                None => Tid::now().to_string(),
            };
            if coll == POST {
                if let Err(msg) = validate_post(&record, &s.blobs) {
                    return Answer::invalid(&format!("Invalid app.bsky.feed.post record: {msg}"));
                }
            }
            let exists = s
                .repos
                .get(&did)
                .and_then(|r| r.get(&coll))
                .is_some_and(|c| c.contains_key(&rkey));
            if exists {
                // What PDS 0.5.35 answers: the MST throws, the XRPC layer makes it a 500.
                return Answer::err(500, "InternalServerError", "Internal Server Error");
            }
            let mut record = record;
            if record.get("$type").is_none() {
                record["$type"] = Value::String(coll.clone());
            }
            let (uri, cid) = s.put_record(&did, &coll, &rkey, record);
            Answer::ok(json!({
                "uri": uri, "cid": cid,
                "commit": {"cid": record_cid(&json!(uri)), "rev": Tid::now().to_string()},
                "validationStatus": "valid"
            }))
        }
        "com.atproto.repo.deleteRecord" => {
            let did = match authenticate(s, headers, TokenKind::Access) {
                Ok((did, _)) => did,
                Err(a) => return a,
            };
            let input = match json_body() {
                Ok(v) => v,
                Err(a) => return a,
            };
            let repo = input.get("repo").and_then(Value::as_str).unwrap_or("");
            if s.account_by(repo).map(|a| a.did.as_str()) != Some(did.as_str()) {
                return Answer::err(401, "AuthenticationRequired", "Authentication Required");
            }
            let coll = input
                .get("collection")
                .and_then(Value::as_str)
                .unwrap_or("");
            let rkey = input.get("rkey").and_then(Value::as_str).unwrap_or("");
            if s.delete_record(&did, coll, rkey) {
                Answer::ok(
                    json!({"commit": {"cid": record_cid(&json!(rkey)), "rev": Tid::now().to_string()}}),
                )
            } else {
                // The PDS: a no-op, 200 without a commit.
                Answer::ok(json!({}))
            }
        }
        "com.atproto.repo.getRecord" => {
            let (Some(repo), Some(coll), Some(rkey)) = (
                param(&q, "repo"),
                param(&q, "collection"),
                param(&q, "rkey"),
            ) else {
                return Answer::invalid(
                    "Params must have the properties \"repo\", \"collection\" and \"rkey\"",
                );
            };
            let Some(did) = s.account_by(repo).map(|a| a.did.clone()) else {
                return Answer::invalid(&format!("Could not find repo: {repo}"));
            };
            let uri = format!("at://{did}/{coll}/{rkey}");
            match s
                .repos
                .get(&did)
                .and_then(|r| r.get(coll))
                .and_then(|c| c.get(rkey))
            {
                Some(r) => Answer::ok(json!({"uri": uri, "cid": r.cid, "value": r.value})),
                None => Answer::err(
                    400,
                    "RecordNotFound",
                    &format!("Could not locate record: {uri}"),
                ),
            }
        }
        "com.atproto.repo.listRecords" => {
            let (Some(repo), Some(coll)) = (param(&q, "repo"), param(&q, "collection")) else {
                return Answer::invalid(
                    "Params must have the properties \"repo\" and \"collection\"",
                );
            };
            let Some(did) = s.account_by(repo).map(|a| a.did.clone()) else {
                return Answer::invalid(&format!("Could not find repo: {repo}"));
            };
            let limit = match param(&q, "limit").map(str::parse::<usize>) {
                None => 50,
                Some(Ok(n)) if (1..=100).contains(&n) => n,
                Some(_) => return Answer::invalid("limit must be between 1 and 100"),
            };
            let cursor = param(&q, "cursor");
            let reverse = param(&q, "reverse") == Some("true");
            let empty = BTreeMap::new();
            let recs = s
                .repos
                .get(&did)
                .and_then(|r| r.get(coll))
                .unwrap_or(&empty);
            let items: Vec<Value> = if reverse {
                recs.iter()
                    .filter(|(k, _)| cursor.is_none_or(|c| k.as_str() > c))
                    .take(limit)
                    .map(|(k, r)| json!({"uri": format!("at://{did}/{coll}/{k}"), "cid": r.cid, "value": r.value}))
                    .collect()
            } else {
                recs.iter()
                    .rev()
                    .filter(|(k, _)| cursor.is_none_or(|c| k.as_str() < c))
                    .take(limit)
                    .map(|(k, r)| json!({"uri": format!("at://{did}/{coll}/{k}"), "cid": r.cid, "value": r.value}))
                    .collect()
            };
            let next = items
                .last()
                .and_then(|v| v.get("uri"))
                .and_then(Value::as_str)
                .and_then(|u| u.rsplit('/').next())
                .map(str::to_string);
            let mut out = json!({"records": items});
            if let Some(c) = next {
                out["cursor"] = Value::String(c);
            }
            Answer::ok(out)
        }
        "com.atproto.identity.resolveHandle" => {
            let handle = param(&q, "handle").unwrap_or("");
            match s
                .accounts
                .iter()
                .find(|a| a.handle.eq_ignore_ascii_case(handle))
            {
                Some(a) => Answer::ok(json!({"did": a.did})),
                None => Answer::err(400, "HandleNotFound", "Unable to resolve handle"),
            }
        }
        "app.bsky.notification.listNotifications" => {
            let did = match authenticate(s, headers, TokenKind::Access) {
                Ok((did, _)) => did,
                Err(a) => return a,
            };
            let limit = match param(&q, "limit").map(str::parse::<usize>) {
                None => 50,
                Some(Ok(n)) if (1..=100).contains(&n) => n,
                Some(_) => return Answer::invalid("limit must be between 1 and 100"),
            };
            let cursor = match param(&q, "cursor") {
                None => None,
                Some(c) => match DateTime::parse_from_rfc3339(c) {
                    Ok(d) => Some(d.with_timezone(&Utc)),
                    Err(_) => return Answer::invalid("Malformed cursor"),
                },
            };
            let reasons: Vec<&str> = q
                .iter()
                .filter(|(k, _)| k == "reasons")
                .map(|(_, v)| v.as_str())
                .collect();
            let mut mine: Vec<&Notif> = s
                .notifications
                .iter()
                .filter(|n| n.recipient == did)
                .filter(|n| reasons.is_empty() || reasons.contains(&n.reason))
                .filter(|n| cursor.is_none_or(|c| n.sort_at < c))
                .collect();
            mine.sort_by(|a, b| {
                b.sort_at
                    .cmp(&a.sort_at)
                    .then_with(|| b.record_uri.cmp(&a.record_uri))
            });
            let more = mine.len() > limit;
            let page: Vec<Value> = mine
                .iter()
                .take(limit)
                .map(|n| {
                    let (cid, record) = s
                        .record(&n.record_uri)
                        .map(|r| (r.cid.clone(), r.value.clone()))
                        .unwrap_or_default();
                    let mut v = json!({
                        "uri": n.record_uri, "cid": cid, "author": s.profile_basic(&n.author),
                        "reason": n.reason, "record": record, "isRead": false,
                        "indexedAt": n.sort_at.to_rfc3339_opts(SecondsFormat::Millis, true), "labels": []
                    });
                    if let Some(subj) = &n.reason_subject {
                        v["reasonSubject"] = Value::String(subj.clone());
                    }
                    v
                })
                .collect();
            let mut out = json!({"notifications": page});
            if more {
                if let Some(last) = mine.get(limit.saturating_sub(1)) {
                    out["cursor"] =
                        Value::String(last.sort_at.to_rfc3339_opts(SecondsFormat::Millis, true));
                }
            }
            Answer::ok(out)
        }
        "app.bsky.feed.getPosts" => {
            if let Err(a) = authenticate(s, headers, TokenKind::Access) {
                return a;
            }
            let uris: Vec<&str> = q
                .iter()
                .filter(|(k, _)| k == "uris")
                .map(|(_, v)| v.as_str())
                .collect();
            if uris.is_empty() {
                return Answer::invalid("Error: Params must have the property \"uris\"");
            }
            if uris.len() > 25 {
                return Answer::invalid("Error: uris must not have more than 25 elements");
            }
            let mut posts = Vec::new();
            for uri in uris {
                if split_at_uri(uri).is_none() {
                    return Answer::invalid("Error: uris must be valid at-uris");
                }
                if let Some(v) = s.post_view(uri) {
                    posts.push(v);
                }
            }
            Answer::ok(json!({"posts": posts}))
        }
        "app.bsky.feed.getAuthorFeed" => {
            if let Err(a) = authenticate(s, headers, TokenKind::Access) {
                return a;
            }
            let actor = param(&q, "actor").unwrap_or("");
            let Some(did) = s.account_by(actor).map(|a| a.did.clone()) else {
                return Answer::invalid("Profile not found");
            };
            let limit = match param(&q, "limit").map(str::parse::<usize>) {
                None => 50,
                Some(Ok(n)) if (1..=100).contains(&n) => n,
                Some(_) => return Answer::invalid("limit must be between 1 and 100"),
            };
            let cursor = match param(&q, "cursor") {
                None => None,
                Some(c) => match DateTime::parse_from_rfc3339(c) {
                    Ok(d) => Some(d.with_timezone(&Utc)),
                    Err(_) => return Answer::invalid("Malformed cursor"),
                },
            };
            // The author's posts and reposts, by sortAt = min(createdAt, indexedAt).
            let sort_at = |r: &StoredRecord| {
                r.value
                    .get("createdAt")
                    .and_then(Value::as_str)
                    .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
                    .map(|d| d.with_timezone(&Utc))
                    .map_or(r.indexed_at, |c| c.min(r.indexed_at))
            };
            let mut items: Vec<(DateTime<Utc>, Value)> = Vec::new();
            if let Some(repo) = s.repos.get(&did) {
                for (rkey, r) in repo.get(POST).into_iter().flatten() {
                    if let Some(v) = s.post_view(&format!("at://{did}/{POST}/{rkey}")) {
                        items.push((sort_at(r), json!({"post": v})));
                    }
                }
                for r in repo.get(REPOST).into_iter().flat_map(|c| c.values()) {
                    let subject = r
                        .value
                        .pointer("/subject/uri")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if let Some(v) = s.post_view(subject) {
                        let reason = json!({"$type": "app.bsky.feed.defs#reasonRepost",
                            "by": s.profile_basic(&did),
                            "indexedAt": r.indexed_at.to_rfc3339_opts(SecondsFormat::Millis, true)});
                        items.push((sort_at(r), json!({"post": v, "reason": reason})));
                    }
                }
            }
            items.sort_by_key(|b| std::cmp::Reverse(b.0));
            let items: Vec<(DateTime<Utc>, Value)> = items
                .into_iter()
                .filter(|(t, _)| cursor.is_none_or(|c| *t < c))
                .collect();
            let more = items.len() > limit;
            let page: Vec<&(DateTime<Utc>, Value)> = items.iter().take(limit).collect();
            let mut out = json!({"feed": page.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>()});
            if more {
                if let Some((t, _)) = page.last() {
                    out["cursor"] = Value::String(t.to_rfc3339_opts(SecondsFormat::Millis, true));
                }
            }
            Answer::ok(out)
        }
        "app.bsky.feed.searchPosts" => {
            if let Err(a) = authenticate(s, headers, TokenKind::Access) {
                return a;
            }
            search_posts(s, &q)
        }
        "app.bsky.actor.getProfile" => {
            if let Err(a) = authenticate(s, headers, TokenKind::Access) {
                return a;
            }
            let actor = param(&q, "actor").unwrap_or("");
            let Some(acc) = s.account_by(actor).cloned() else {
                return Answer::invalid("Profile not found");
            };
            let repo = s.repos.get(&acc.did);
            let posts = repo.and_then(|r| r.get(POST)).map_or(0, BTreeMap::len);
            let follows = repo.and_then(|r| r.get(FOLLOW)).map_or(0, BTreeMap::len);
            let followers = s
                .repos
                .values()
                .filter_map(|r| r.get(FOLLOW))
                .flat_map(|c| c.values())
                .filter(|r| {
                    r.value.get("subject").and_then(Value::as_str) == Some(acc.did.as_str())
                })
                .count();
            let mut v = s.profile_basic(&acc.did);
            let profile = repo
                .and_then(|r| r.get(PROFILE))
                .and_then(|c| c.get("self"))
                .map(|r| r.value.clone());
            if let Some(d) = profile.as_ref().and_then(|p| p.get("description")) {
                v["description"] = d.clone();
            }
            v["followersCount"] = json!(followers);
            v["followsCount"] = json!(follows);
            v["postsCount"] = json!(posts);
            v["indexedAt"] = json!(time_str(s.now()));
            Answer::ok(v)
        }
        _ => Answer::err(501, "MethodNotImplemented", "Method Not Implemented"),
    }
}
