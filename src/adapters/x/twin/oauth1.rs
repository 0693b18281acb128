//! OAuth 1.0a in the twin: a middleware that checks every `Authorization: OAuth …` request
//! by recomputing its HMAC-SHA1 signature from what arrived on the wire, and the 3-legged
//! flow's endpoints.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use url::Url;

use super::Shared;
use super::state::{Problem, State as TwinState};
use crate::auth::Secret;
use crate::auth::oauth1::{parse_authorization, random_nonce, verify};

/// A request token the twin issued.
#[derive(Debug, Clone)]
pub(crate) struct RequestToken {
    pub secret: String,
    pub callback: String,
    /// Set when the user approved the app.
    pub verifier: Option<String>,
}

/// The verified protocol parameters of a signed request (a request extension).
#[derive(Debug, Clone)]
pub(crate) struct Signed {
    pub params: Vec<(String, String)>,
}

impl Signed {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How far `oauth_timestamp` may be from the twin's clock. X says only that it rejects
/// requests "created too far in the past"; the twin takes 15 minutes either way.
pub(crate) const TIMESTAMP_TOLERANCE_SECS: i64 = 15 * 60;

/// X's answer to a request it cannot authenticate: problem JSON on the v2 API, the v1.1
/// error list (code 32) on `/oauth/…`.
pub(crate) fn unauthorized(path: &str) -> Response {
    unauthorized_with(path, 32, "Could not authenticate you.")
}

fn unauthorized_with(path: &str, code: u32, message: &str) -> Response {
    if path.starts_with("/oauth/") {
        let body = serde_json::json!({"errors": [{"code": code, "message": message}]});
        (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body.to_string(),
        )
            .into_response()
    } else {
        let p = Problem::new(401, "about:blank", "Unauthorized", "Unauthorized");
        (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/problem+json")],
            p.body.to_string(),
        )
            .into_response()
    }
}

/// The secret of `token` for a request to `path`: the owner's and issued access tokens
/// anywhere, a request token only on the access token step.
fn token_secret(g: &TwinState, token: &str, path: &str) -> Option<String> {
    if path == "/oauth/access_token" {
        return g.request_tokens.get(token).map(|r| r.secret.clone());
    }
    g.oauth1_tokens.get(token).cloned()
}

/// Checks OAuth 1.0a signatures; passes bearer and unauthenticated requests on untouched.
pub(crate) async fn check(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let header_value = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("OAuth "))
        .map(str::to_string);
    let Some(header_value) = header_value else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let Ok(bytes) = to_bytes(body, 64 * 1024 * 1024).await else {
        return unauthorized(&path);
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let Ok(url) = Url::parse(&format!("http://{host}{}", parts.uri)) else {
        return unauthorized(&path);
    };
    let Some(params) = parse_authorization(&header_value) else {
        return unauthorized(&path);
    };
    let signed = Signed { params };
    let fresh = signed
        .get("oauth_timestamp")
        .and_then(|t| t.parse::<i64>().ok())
        .is_some_and(|t| (t - chrono::Utc::now().timestamp()).abs() <= TIMESTAMP_TOLERANCE_SECS);
    if !fresh {
        return unauthorized_with(&path, 135, "Timestamp out of bounds.");
    }
    let ok = {
        let g = s.lock();
        let consumer_ok = signed.get("oauth_consumer_key") == Some(g.options.consumer_key.as_str());
        let token_secret = match signed.get("oauth_token") {
            Some(t) => token_secret(&g, t, &path),
            // Only the request token step is signed without a token.
            None if path == "/oauth/request_token" => Some(String::new()),
            None => None,
        };
        match token_secret {
            Some(ts) if consumer_ok => verify(
                parts.method.as_str(),
                &url,
                is_form.then_some(bytes.as_ref()),
                &header_value,
                &Secret::new(g.options.consumer_secret.clone()),
                Some(&Secret::new(ts)),
            ),
            _ => false,
        }
    };
    if !ok {
        return unauthorized(&path);
    }
    parts.extensions.insert(signed);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn form_answer(pairs: &[(&str, &str)]) -> Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, message.to_string()).into_response()
}

/// `POST /oauth/request_token`: a signed request (consumer only) with `oauth_callback`.
pub(crate) async fn request_token(
    State(s): State<Arc<Shared>>,
    signed: Option<axum::Extension<Signed>>,
) -> Response {
    let Some(axum::Extension(signed)) = signed else {
        return unauthorized("/oauth/request_token");
    };
    let Some(callback) = signed.get("oauth_callback").filter(|c| !c.is_empty()) else {
        return bad_request("Failed to validate oauth signature and token");
    };
    let (token, secret) = (random_nonce(), random_nonce());
    s.lock().request_tokens.insert(
        token.clone(),
        RequestToken {
            secret: secret.clone(),
            callback: callback.to_string(),
            verifier: None,
        },
    );
    form_answer(&[
        ("oauth_token", &token),
        ("oauth_token_secret", &secret),
        ("oauth_callback_confirmed", "true"),
    ])
}

/// `GET /oauth/authorize?oauth_token=`: the user approves at once; a redirect to the callback.
pub(crate) async fn authorize(
    State(s): State<Arc<Shared>>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let token = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "oauth_token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    match s.lock().authorize(&token) {
        Some(to) => (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response(),
        None => bad_request("This page is no longer valid. The request token is unknown or used."),
    }
}

/// `POST /oauth/access_token`: signed with the request token, with `oauth_verifier`.
pub(crate) async fn access_token(
    State(s): State<Arc<Shared>>,
    signed: Option<axum::Extension<Signed>>,
) -> Response {
    let Some(axum::Extension(signed)) = signed else {
        return unauthorized("/oauth/access_token");
    };
    let request = signed.get("oauth_token").unwrap_or_default().to_string();
    let verifier = signed.get("oauth_verifier").unwrap_or_default().to_string();
    let mut g = s.lock();
    let approved = g
        .request_tokens
        .get(&request)
        .and_then(|r| r.verifier.as_deref())
        .is_some_and(|v| !verifier.is_empty() && v == verifier);
    if !approved {
        return (
            StatusCode::UNAUTHORIZED,
            "Error processing your OAuth request: Invalid oauth_verifier parameter",
        )
            .into_response();
    }
    g.request_tokens.remove(&request);
    let owner = g.owner().clone();
    let token = format!("{}-{}", owner.id, random_nonce());
    let secret = random_nonce();
    g.oauth1_tokens.insert(token.clone(), secret.clone());
    form_answer(&[
        ("oauth_token", &token),
        ("oauth_token_secret", &secret),
        ("user_id", &owner.id),
        ("screen_name", &owner.username),
    ])
}

impl TwinState {
    /// The user approves `token`: a verifier, and the callback URL to send the user to.
    pub fn authorize(&mut self, token: &str) -> Option<Url> {
        let request = self.request_tokens.get_mut(token)?;
        let verifier = random_nonce();
        request.verifier = Some(verifier.clone());
        let mut to = Url::parse(&request.callback)
            .unwrap_or_else(|_| Url::parse("http://localhost/").unwrap_or_else(|_| unreachable!()));
        to.query_pairs_mut()
            .append_pair("oauth_token", token)
            .append_pair("oauth_verifier", &verifier);
        Some(to)
    }
}
