//! LinkedIn's 3-legged OAuth in the twin, and the organizations a member administers.
//!
//! - `GET /oauth/v2/authorization` (`response_type=code`, `client_id`, `redirect_uri`,
//!   `state`, `scope`): the member approves at once; a redirect back with `code` and `state`.
//! - `POST /oauth/v2/accessToken` (`grant_type=authorization_code`, `code`, `client_id`,
//!   `client_secret`, `redirect_uri` in the form body): `access_token`, `expires_in`
//!   (5184000, 60 days) and `scope`; codes live 30 minutes and are single-use (answered
//!   400 `invalid_request` otherwise). Source:
//!   <https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow>
//!   (steps 2 and 3). Approved partners also get `refresh_token` and
//!   `refresh_token_expires_in` (<https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens>):
//!   [`TwinOptions::refresh_token`](super::TwinOptions::refresh_token).
//! - `GET /rest/organizationAcls?q=roleAssignee` (`role`, `state` filters): the member's
//!   roles, `{"elements": [{"role", "organization", "roleAssignee", "state"}], "paging"}`.
//!   Source: <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-access-control-by-role>
//!   ("Find a Member's Organization Access Control Information").

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{S, gate, reply};

/// A code the twin issued and not yet exchanged.
#[derive(Debug, Clone)]
pub(crate) struct IssuedCode {
    client_id: String,
    redirect_uri: String,
    scope: String,
}

fn query(raw: Option<String>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `GET /oauth/v2/authorization`.
pub(super) async fn authorize(State(s): S, RawQuery(q): RawQuery) -> Response {
    let q = query(q);
    let field = |k: &str| q.get(k).cloned().unwrap_or_default();
    let Ok(mut back) = url::Url::parse(&field("redirect_uri")) else {
        return oauth_error("invalid_request", "redirect_uri");
    };
    if field("response_type") != "code" || field("client_id").is_empty() {
        return oauth_error("invalid_request", "response_type or client_id");
    }
    let mut g = s.lock();
    g.seq += 1;
    let code = format!("twin-li-code-{}", g.seq);
    g.oauth_codes.insert(
        code.clone(),
        IssuedCode {
            client_id: field("client_id"),
            redirect_uri: field("redirect_uri"),
            scope: field("scope"),
        },
    );
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &field("state"));
    (StatusCode::FOUND, [(header::LOCATION, back.to_string())]).into_response()
}

/// `POST /oauth/v2/accessToken`.
pub(super) async fn access_token(State(s): S, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    if field("grant_type") != "authorization_code" {
        return oauth_error("unsupported_grant_type", "grant_type");
    }
    if field("client_secret").is_empty() {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client", "error_description": "Client authentication failed"})),
        )
            .into_response();
    }
    let mut g = s.lock();
    let Some(issued) = g.oauth_codes.remove(&field("code")) else {
        return oauth_error(
            "invalid_request",
            "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists",
        );
    };
    if issued.client_id != field("client_id") || issued.redirect_uri != field("redirect_uri") {
        return oauth_error(
            "invalid_request",
            "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists",
        );
    }
    // The scopes granted: those asked for that the twin's app may have.
    let granted: Vec<&str> = issued
        .scope
        .split([' ', ','])
        .filter(|s| g.options.scopes.iter().any(|o| o == s))
        .collect();
    let mut body = json!({
        "access_token": g.token,
        "expires_in": 5_184_000,
        "scope": granted.join(","),
    });
    if let Some(r) = &g.options.refresh_token {
        body["refresh_token"] = json!(r);
        body["refresh_token_expires_in"] = json!(31_536_000);
    }
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `GET /rest/organizationAcls?q=roleAssignee`: the approved administrator roles of the
/// member on [`TwinOptions::administered`](super::TwinOptions::administered).
pub(super) async fn organization_acls(
    State(s): S,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if let Err(r) = gate(&s, &h, true) {
        return *r;
    }
    let q = query(q);
    if q.get("q").map(String::as_str) != Some("roleAssignee") {
        return reply(Err(super::Fail::new(
            400,
            "ILLEGAL_ARGUMENT",
            "q must be roleAssignee",
        )));
    }
    let g = s.lock();
    if !g
        .options
        .scopes
        .iter()
        .any(|s| s == "rw_organization_admin")
    {
        return reply(Err(super::Fail::new(
            403,
            "ACCESS_DENIED",
            "Not enough permissions to access: organizationAcls.FINDER-roleAssignee",
        )));
    }
    let member = if g.options.author.starts_with("urn:li:person:") {
        g.options.author.clone()
    } else {
        "urn:li:person:twinmember".to_string()
    };
    let elements: Vec<_> = g
        .options
        .administered
        .iter()
        .map(|(urn, _)| json!({"role": "ADMINISTRATOR", "organization": urn, "roleAssignee": member, "state": "APPROVED"}))
        .collect();
    let total = elements.len();
    reply(Ok((
        200,
        Some(json!({"elements": elements, "paging": {"start": 0, "count": 100, "total": total}})),
        Vec::new(),
    )))
}
