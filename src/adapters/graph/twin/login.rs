//! Meta's login endpoints on the Graph twin: the consent dialogs, the code exchange and the
//! token debugger, as the documentation describes them.
//!
//! - Facebook Login, `GET /{version}/dialog/oauth?client_id&redirect_uri&state&response_type=code
//!   &scope=a,b` → a redirect to `redirect_uri?code=…&state=…`; `GET /{version}/oauth/access_token
//!   ?client_id&redirect_uri&client_secret&code` → `{"access_token","token_type","expires_in"}`
//!   (source: <https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow>).
//!   A used or unknown code is Graph error 100 subcode 36009, a `redirect_uri` that differs from
//!   the dialog's is subcode 36008, a wrong app secret is code 1 ("Error validating client
//!   secret."), a wrong app id code 101.
//! - Threads, `GET /oauth/authorize?client_id&redirect_uri&scope&response_type=code&state` →
//!   a redirect to `redirect_uri?code=…&state=…#_`; `POST /oauth/access_token` with
//!   `client_id, client_secret, code, grant_type=authorization_code, redirect_uri` →
//!   `{"access_token","user_id"}` (source:
//!   <https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions>).
//! - `GET /{version}/debug_token?input_token&access_token` → `{"data": {"app_id", "type",
//!   "application", "data_access_expires_at", "expires_at", "is_valid", "issued_at", "scopes",
//!   "user_id"}}`, `expires_at: 0` for a Page token; an unknown input token is `is_valid:
//!   false` with `error {code, message, subcode}` (sources:
//!   <https://developers.facebook.com/docs/graph-api/reference/debug_token>,
//!   <https://developers.facebook.com/docs/threads/troubleshooting/debug-access-token>).
//!
//! The consent approves at once (the twin has no user to ask), granting what was asked for
//! except [`TwinOptions::declined_scopes`]. Codes are single-use and bound to the redirect URI.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::Utc;
use serde_json::json;

use super::{GraphRequest, Reply, Shared, TwinOptions};

/// A code the consent dialog handed out.
#[derive(Debug, Clone)]
pub(crate) struct IssuedCode {
    redirect_uri: String,
    granted: Vec<String>,
}

/// Whether `req` is a consent dialog: Facebook's `/{version}/dialog/oauth` or Threads'
/// `/oauth/authorize`.
pub(super) fn is_consent(req: &GraphRequest) -> bool {
    matches!(
        (req.version.is_some(), req.path().as_slice()),
        (true, ["dialog", "oauth"]) | (false, ["oauth", "authorize"])
    )
}

fn page(status: StatusCode, text: &str) -> Response {
    let mut r = Response::new(Body::from(format!(
        "<!DOCTYPE html><html><body><p>{text}</p></body></html>"
    )));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// The consent dialog: checks the app and the request, then redirects back with a code.
pub(super) fn consent(shared: &Shared, req: &GraphRequest) -> Response {
    let options = shared.options().clone();
    if req.param("client_id") != Some(options.app_id.as_str()) {
        return page(StatusCode::BAD_REQUEST, "Invalid App ID");
    }
    let Some(redirect) = req
        .param("redirect_uri")
        .and_then(|r| url::Url::parse(r).ok())
    else {
        return page(
            StatusCode::BAD_REQUEST,
            "URL blocked: no valid redirect_uri",
        );
    };
    if req.param("response_type") != Some("code") {
        return page(StatusCode::BAD_REQUEST, "response_type must be code");
    }
    let granted: Vec<String> = req
        .param("scope")
        .unwrap_or("")
        .split([',', ' '])
        .filter(|s| !s.is_empty() && !options.declined_scopes.iter().any(|d| d == s))
        .map(str::to_string)
        .collect();
    let code = {
        let mut state = shared.state();
        let code = format!("AQtwinCODE{}", state.id());
        state.login_codes.insert(
            code.clone(),
            IssuedCode {
                redirect_uri: redirect.as_str().to_string(),
                granted,
            },
        );
        code
    };
    let mut back = redirect;
    {
        let mut q = back.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(s) = req.param("state") {
            q.append_pair("state", s);
        }
    }
    if req.version.is_none() {
        // Threads appends `#_`, which is not part of the code.
        back.set_fragment(Some("_"));
    }
    let mut r = page(StatusCode::FOUND, "Redirecting");
    if let Ok(v) = HeaderValue::from_str(back.as_str()) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// Redeems a consent code: Facebook's `GET oauth/access_token?code=…` or Threads' `POST
/// oauth/access_token` with `grant_type=authorization_code`.
pub(super) fn exchange_code(shared: &Shared, options: &TwinOptions, req: &GraphRequest) -> Reply {
    if req.param("client_id") != Some(options.app_id.as_str()) {
        return Reply::error(
            400,
            101,
            None,
            "OAuthException",
            "Error validating application. Invalid application ID.",
        );
    }
    if req.param("client_secret") != Some(options.app_secret.as_str()) {
        return Reply::error(
            400,
            1,
            None,
            "OAuthException",
            "Error validating client secret.",
        );
    }
    let mut state = shared.state();
    let Some(issued) = req.param("code").and_then(|c| state.login_codes.remove(c)) else {
        return Reply::error(
            400,
            100,
            Some(36009),
            "OAuthException",
            "This authorization code has been used.",
        );
    };
    if req.param("redirect_uri") != Some(issued.redirect_uri.as_str()) {
        return Reply::error(
            400,
            100,
            Some(36008),
            "OAuthException",
            "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
        );
    }
    let short = format!("{}SHORT{}", options.user_token, state.id());
    state.login_grants.insert(short.clone(), issued.granted);
    if req.version.is_none() && req.param("grant_type") == Some("authorization_code") {
        // Threads.
        Reply::ok(json!({ "access_token": short, "user_id": options.account_id }))
    } else {
        Reply::ok(json!({ "access_token": short, "token_type": "bearer", "expires_in": 5_400 }))
    }
}

/// The long-lived token `long` was issued for the short-lived `short`: it carries its grants.
pub(super) fn carry_grants(shared: &Shared, short: Option<&str>, long: &str) {
    let mut state = shared.state();
    if let Some(granted) = short.and_then(|s| state.login_grants.get(s)).cloned() {
        state.login_grants.insert(long.to_string(), granted);
    }
}

/// `GET debug_token`.
pub(super) fn debug_token(
    shared: &Shared,
    options: &TwinOptions,
    req: &GraphRequest,
    pages: bool,
) -> Reply {
    let app_token = format!("{}|{}", options.app_id, options.app_secret);
    let state = shared.state();
    let known = |t: &str| {
        t == options.token
            || t == options.user_token
            || state.login_grants.contains_key(t)
            || options.other_pages.iter().any(|p| p.token == t)
    };
    match req.token.as_deref() {
        Some(t) if t == app_token || known(t) => {}
        _ => {
            return Reply::error(
                400,
                190,
                None,
                "OAuthException",
                "Invalid OAuth access token - Cannot parse access token",
            );
        }
    }
    let now = Utc::now().timestamp();
    let Some(input) = req.param("input_token").filter(|t| known(t)) else {
        return Reply::ok(json!({ "data": {
            "app_id": options.app_id,
            "is_valid": false,
            "scopes": [],
            "error": { "code": 190, "message": "Invalid OAuth access token.", "subcode": 0 },
        }}));
    };
    let page_token =
        pages && (input == options.token || options.other_pages.iter().any(|p| p.token == input));
    // A Page token carries the permissions its user granted.
    let scopes = state
        .login_grants
        .get(input)
        .or_else(|| state.login_grants.get(&options.user_token))
        .cloned()
        .unwrap_or_default();
    Reply::ok(json!({ "data": {
        "app_id": options.app_id,
        "type": if page_token { "PAGE" } else { "USER" },
        "application": "socialkit twin app",
        "data_access_expires_at": now + 90 * 86_400,
        "expires_at": if page_token { 0 } else { now + 5_183_944 },
        "is_valid": true,
        "issued_at": now,
        "scopes": scopes,
        "user_id": "10000000000000001",
    }}))
}
