//! The twin's HTTP side: reading a request, injected faults, the token endpoints, auth, and
//! the usage headers on every answer.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State as AxState};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::Response;
use chrono::Utc;
use serde_json::json;

use super::{Ctx, Fault, GraphRequest, Reply, Shared, TwinOptions};
use crate::testkit::twin::Canned;

pub(super) async fn handle(AxState(shared): AxState<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let headers = request.headers().clone();
    let mut params: BTreeMap<String, String> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut file = None;
    if content_type.starts_with("multipart/form-data") {
        match Multipart::from_request(request, &()).await {
            Ok(mut m) => {
                while let Ok(Some(field)) = m.next_field().await {
                    let name = field.name().unwrap_or("").to_string();
                    let is_file = field.file_name().is_some();
                    let mime = field.content_type().unwrap_or("").to_string();
                    let Ok(data) = field.bytes().await else { break };
                    if is_file {
                        file = Some((data.len(), mime));
                    } else {
                        params.insert(name, String::from_utf8_lossy(&data).into_owned());
                    }
                }
            }
            Err(_) => return json_reply(Reply::invalid("malformed multipart body")),
        }
    } else if let Ok(bytes) = axum::body::to_bytes(request.into_body(), 64 * 1024 * 1024).await {
        if content_type.starts_with("application/x-www-form-urlencoded") {
            params.extend(url::form_urlencoded::parse(&bytes).into_owned());
        }
    }
    let req = GraphRequest::new(method.clone(), &path, &headers, params, file);
    match take_fault(&shared, &method, &path) {
        Some(Fault::Lost) => {
            let _ = answer(&shared, &req);
            return Canned::html(504).into_response();
        }
        Some(Fault::EchoToken) => return echo_token(&req),
        Some(other) => {
            if let Some(c) = canned(&shared, &other) {
                return c.into_response();
            }
        }
        None => {}
    }
    if req.method == Method::GET && super::login::is_consent(&req) {
        return super::login::consent(&shared, &req);
    }
    let mut response = json_reply(answer(&shared, &req));
    add_usage(&shared, &mut response);
    response
}

fn take_fault(shared: &Shared, method: &Method, path: &str) -> Option<Fault> {
    let mut faults = shared.special.lock().unwrap_or_else(|p| p.into_inner());
    let found = faults.iter_mut().find(|r| {
        r.remaining > 0
            && r.method.as_ref().is_none_or(|m| m == method)
            && r.path_contains.as_deref().is_none_or(|p| path.contains(p))
    });
    let fault = found.map(|r| {
        r.remaining -= 1;
        r.fault.clone()
    });
    faults.retain(|r| r.remaining > 0);
    fault
}

fn answer(shared: &Shared, req: &GraphRequest) -> Reply {
    let options = shared.options().clone();
    let path = req.path();
    // Token endpoints (versioned or not).
    match path.as_slice() {
        ["oauth", "access_token"] | ["access_token"] | ["refresh_access_token"] => {
            return token_endpoint(shared, &options, req);
        }
        ["debug_token"] => {
            let pages = shared.personality.usage_type().is_some();
            return super::login::debug_token(shared, &options, req, pages);
        }
        _ => {}
    }
    if req.version.is_none() {
        return Reply::error(
            400,
            2500,
            None,
            "OAuthException",
            "Unknown path components: the path must start with an API version such as /v23.0/",
        );
    }
    let as_user = match req.token.as_deref() {
        Some(t) if t == options.token => false,
        Some(t) if t == options.user_token => true,
        Some(_) => {
            return Reply::error(
                400,
                190,
                None,
                "OAuthException",
                "Invalid OAuth access token - Cannot parse access token",
            );
        }
        None => {
            return Reply::error(
                400,
                2500,
                None,
                "OAuthException",
                "An active access token must be used to query information about the current user.",
            );
        }
    };
    let ctx = Ctx {
        options: &options,
        now: Utc::now(),
    };
    let mut state = shared.state();
    shared.personality.route(&ctx, &mut state, req, as_user)
}

fn token_endpoint(shared: &Shared, options: &TwinOptions, req: &GraphRequest) -> Reply {
    let grant = req.param("grant_type").unwrap_or("");
    let issued = |token: &str| {
        Reply::ok(json!({ "access_token": token, "token_type": "bearer", "expires_in": 5_183_944 }))
    };
    if grant == "authorization_code" || (grant.is_empty() && req.param("code").is_some()) {
        return super::login::exchange_code(shared, options, req);
    }
    match grant {
        "fb_exchange_token" => {
            if req.param("client_id").is_none() || req.param("client_secret").is_none() {
                return Reply::invalid("Missing client_id or client_secret");
            }
            match req.param("fb_exchange_token") {
                Some(t) if !t.is_empty() => {
                    super::login::carry_grants(shared, Some(t), &options.user_token);
                    issued(&options.user_token)
                }
                _ => Reply::invalid("Missing fb_exchange_token"),
            }
        }
        "th_exchange_token" | "ig_exchange_token" => {
            if req.param("client_secret").is_none() || req.param("access_token").is_none() {
                return Reply::invalid("Missing client_secret or access_token");
            }
            super::login::carry_grants(shared, req.param("access_token"), &options.token);
            issued(&options.token)
        }
        "th_refresh_token" | "ig_refresh_token" => {
            if req.param("access_token") != Some(options.token.as_str()) {
                return Reply::error(
                    400,
                    190,
                    Some(463),
                    "OAuthException",
                    "Error validating access token: Session has expired",
                );
            }
            if options.refresh_rotates {
                let fresh = format!("{}R", options.token);
                shared.options().token = fresh.clone();
                issued(&fresh)
            } else {
                issued(&options.token)
            }
        }
        _ => Reply::invalid("Unsupported grant_type"),
    }
}

fn usage_percent(shared: &Shared) -> u64 {
    let budget = shared.options().calls_per_hour.max(1);
    let used = shared.log.count() as u64 * 100 / budget;
    (used + shared.state().extra_usage).min(100)
}

/// `X-App-Usage` and, for Page and Instagram tokens, `X-Business-Use-Case-Usage` at `percent`,
/// with `regain` minutes until access comes back.
fn usage_headers(shared: &Shared, percent: u64, regain: Option<u64>) -> Vec<(String, String)> {
    let app =
        json!({ "call_count": percent, "total_cputime": percent / 2, "total_time": percent / 2 });
    let mut out = vec![("x-app-usage".to_string(), app.to_string())];
    let kind = match (shared.personality.usage_type(), regain) {
        (Some(kind), _) => Some(kind),
        // Throttled app tokens get the BUC header too, to say when access comes back.
        (None, Some(_)) => Some("pages"),
        (None, None) => None,
    };
    if let Some(kind) = kind {
        let account = shared.options().account_id.clone();
        let buc = json!({ account: [{
            "type": kind,
            "call_count": percent,
            "total_cputime": percent / 2,
            "total_time": percent / 2,
            "estimated_time_to_regain_access": regain.unwrap_or(0),
        }]});
        out.push(("x-business-use-case-usage".to_string(), buc.to_string()));
    }
    out
}

fn add_usage(shared: &Shared, response: &mut Response) {
    for (k, v) in usage_headers(shared, usage_percent(shared), None) {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            response.headers_mut().insert(k, v);
        }
    }
}

/// A fault the shared [`Faults`](crate::testkit::twin::Faults) can answer by itself (`None`
/// for those that need the request: [`Fault::EchoToken`], [`Fault::Lost`]).
pub(super) fn canned(shared: &Shared, fault: &Fault) -> Option<Canned> {
    let with_usage = |c: Canned, percent: u64, regain: Option<u64>| {
        usage_headers(shared, percent, regain)
            .into_iter()
            .fold(c, |c, (k, v)| c.with_header(&k, &v))
    };
    Some(match fault {
        Fault::Graph {
            status,
            code,
            subcode,
            kind,
            message,
            transient,
        } => {
            let mut reply = Reply::error(*status, *code, *subcode, kind, message);
            if *transient {
                reply.body["error"]["is_transient"] = json!(true);
            }
            with_usage(
                Canned::json(reply.status.as_u16(), reply.body),
                usage_percent(shared),
                None,
            )
        }
        Fault::Throttle {
            code,
            regain_minutes,
        } => {
            let reply = Reply::error(
                400,
                *code,
                None,
                "OAuthException",
                &format!("(#{code}) Application request limit reached"),
            );
            with_usage(Canned::json(400, reply.body), 100, Some(*regain_minutes))
        }
        Fault::Status {
            status,
            body,
            content_type,
        } => Canned {
            status: *status,
            content_type: content_type.clone(),
            headers: Vec::new(),
            body: body.clone(),
        },
        Fault::MalformedJson => Canned::malformed_json(),
        Fault::EchoToken | Fault::Lost => return None,
    })
}

fn echo_token(req: &GraphRequest) -> Response {
    let token = req.token.clone().unwrap_or_default();
    let reply = Reply::error(
        400,
        190,
        Some(460),
        "OAuthException",
        &format!(
            "Error validating access token {token}: the session has been invalidated because the user changed their password"
        ),
    );
    json_reply(reply)
}

fn json_reply(reply: Reply) -> Response {
    let mut r = Response::new(Body::from(reply.body.to_string()));
    *r.status_mut() = reply.status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}
