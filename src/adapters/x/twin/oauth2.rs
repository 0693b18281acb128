//! OAuth 2.0 authorization code with PKCE in the twin: the consent page (the user approves at
//! once) and the code exchange at the token endpoint.
//!
//! Source: <https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token>
//! ("Step 1: Construct an Authorize URL": `GET https://x.com/i/oauth2/authorize` with
//! `response_type=code`, `client_id`, `redirect_uri`, `scope`, `state`, `code_challenge`,
//! `code_challenge_method` `S256` or `plain`; the redirect back carries `state` and `code`;
//! "Step 3: POST oauth2/token": `grant_type=authorization_code`, `code`, `client_id`,
//! `redirect_uri`, `code_verifier`, answered with `token_type`, `expires_in` (7200),
//! `access_token`, `scope` and, with `offline.access`, `refresh_token`). An unknown, used or
//! mismatched code is answered as the twin answers a bad refresh token (400
//! `invalid_request`, "Value passed for the token was invalid.").

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::Digest;

use super::Shared;
use crate::auth::oauth1::random_nonce;

/// An authorization code the twin issued and not yet exchanged.
#[derive(Debug, Clone)]
pub(crate) struct IssuedCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    method: String,
    scope: String,
}

fn invalid() -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": "invalid_request", "error_description": "Value passed for the token was invalid."})),
    )
        .into_response()
}

/// `GET /i/oauth2/authorize`: the user approves at once (granting the scopes the options
/// allow); a redirect to `redirect_uri` with `state` and `code`.
pub(crate) async fn authorize(State(s): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let q: BTreeMap<String, String> = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let field = |k: &str| q.get(k).cloned().unwrap_or_default();
    let method = q
        .get("code_challenge_method")
        .cloned()
        .unwrap_or("plain".into());
    let Ok(mut back) = url::Url::parse(&field("redirect_uri")) else {
        return (
            StatusCode::BAD_REQUEST,
            "Something went wrong: redirect_uri",
        )
            .into_response();
    };
    if field("response_type") != "code"
        || field("client_id").is_empty()
        || field("code_challenge").is_empty()
        || !matches!(method.as_str(), "S256" | "plain")
    {
        return (StatusCode::BAD_REQUEST, "Something went wrong").into_response();
    }
    let mut g = s.lock();
    let requested: Vec<String> = field("scope").split(' ').map(str::to_string).collect();
    let scope = match &g.options.granted_scopes {
        Some(granted) => requested
            .into_iter()
            .filter(|r| granted.contains(r))
            .collect::<Vec<_>>()
            .join(" "),
        None => requested.join(" "),
    };
    let code = random_nonce();
    g.oauth2_codes.insert(
        code.clone(),
        IssuedCode {
            client_id: field("client_id"),
            redirect_uri: field("redirect_uri"),
            challenge: field("code_challenge"),
            method,
            scope,
        },
    );
    back.query_pairs_mut()
        .append_pair("state", &field("state"))
        .append_pair("code", &code);
    (StatusCode::FOUND, [(header::LOCATION, back.to_string())]).into_response()
}

/// `POST /2/oauth2/token` with `grant_type=authorization_code`: the code once, for the client
/// and redirect it was issued to, with the PKCE verifier of its challenge.
pub(crate) fn exchange(shared: &Shared, form: &BTreeMap<String, String>) -> Response {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut g = shared.lock();
    // Single use: gone whatever the outcome.
    let Some(issued) = g.oauth2_codes.remove(&field("code")) else {
        return invalid();
    };
    let verifier = field("code_verifier");
    let proof = match issued.method.as_str() {
        "S256" => {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()))
        }
        _ => verifier,
    };
    // A confidential client sends its id in HTTP Basic instead of the form.
    let client_ok = form.get("client_id").is_none_or(|c| *c == issued.client_id);
    if !client_ok || field("redirect_uri") != issued.redirect_uri || proof != issued.challenge {
        return invalid();
    }
    g.token_serial += 1;
    g.access_issued_at = g.options.clock.now();
    g.access_token = format!("{}-code-{}", g.options.token, g.token_serial);
    let mut body = json!({
        "token_type": "bearer", "expires_in": 7200, "access_token": g.access_token,
        "scope": issued.scope,
    });
    if issued.scope.split(' ').any(|s| s == "offline.access") {
        g.refresh_token = format!("{}-code-{}", g.options.refresh_token, g.token_serial);
        body["refresh_token"] = json!(g.refresh_token);
    }
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// The `Bytes` body of a token request as a form.
pub(crate) fn form(body: &Bytes) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}
