//! Requests to the authorization server (PAR, code exchange, refresh), each with a DPoP
//! proof, sent once more when the server asks for its nonce (`use_dpop_nonce`), and the
//! error mapping of its OAuth error bodies (RFC 6749 §5.2).

use std::sync::Arc;

use serde::Deserialize;
use url::Url;

use super::dpop::{DpopKey, DpopSigner, Nonces, USE_DPOP_NONCE};
use crate::auth::Secret;
use crate::http::{Call, Client, DefaultErrorMapper, ErrorBody, ErrorMapper, Response, Retry};
use crate::{Error, ErrorKind, Result};

/// Maps the authorization server's (and, wrapped around the XRPC mapper, the PDS's) error
/// answers and remembers the nonce every answer carries.
pub(crate) struct NonceAware<'a, M: ErrorMapper> {
    pub nonces: &'a Nonces,
    pub url: &'a Url,
    pub inner: M,
}

impl<M: ErrorMapper> ErrorMapper for NonceAware<'_, M> {
    fn map(&self, response: &Response) -> Error {
        self.nonces.remember(self.url, response);
        self.inner.map(response)
    }
}

/// The authorization server's OAuth errors as kinds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OAuthErrors;

impl ErrorMapper for OAuthErrors {
    fn map(&self, response: &Response) -> Error {
        let body = ErrorBody::parse(response.body());
        let Some(code) = body.code.clone() else {
            return DefaultErrorMapper.map(response);
        };
        let (kind, what) = match code.as_str() {
            "invalid_grant" => (
                ErrorKind::Unauthenticated,
                "the authorization server refused the grant (expired, used or revoked); reconnect the account",
            ),
            USE_DPOP_NONCE => (ErrorKind::Validation, "the server asks for a DPoP nonce"),
            "invalid_client"
            | "unauthorized_client"
            | "invalid_client_metadata"
            | "invalid_redirect_uri" => (
                ErrorKind::ConfigInvalid,
                "the authorization server refused this client (client_id, redirect URI or metadata)",
            ),
            "invalid_scope" | "access_denied" => (
                ErrorKind::PermissionDenied,
                "the authorization server refused the requested scope",
            ),
            "invalid_dpop_proof" => (ErrorKind::Validation, "the server refused the DPoP proof"),
            _ => return DefaultErrorMapper.map(response),
        };
        let mut err = response.error(kind, what).with_platform_code(code);
        if let Some(m) = body.message {
            err = err.with_platform_message(m);
        }
        err
    }
}

/// Whether `err` asks for the request to be sent again with the server's nonce.
pub(crate) fn wants_nonce(err: &Error) -> bool {
    err.context().platform_code.as_deref() == Some(USE_DPOP_NONCE)
}

/// A token endpoint answer (RFC 6749 §5.1 plus atproto's `sub`).
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub sub: String,
}

/// POSTs `form` to the authorization server's `endpoint` with a DPoP proof; on
/// `use_dpop_nonce` once more with the nonce the answer carried. Never retried otherwise
/// (a code or a refresh token is single-use).
pub(crate) async fn post_form(
    http: &Client,
    op: &'static str,
    endpoint: &Url,
    key: &DpopKey,
    nonces: &Arc<Nonces>,
    form: &[(&str, &str)],
    secrets: &[&Secret],
) -> Result<Response> {
    let signer = Arc::new(DpopSigner {
        key: key.clone(),
        nonces: nonces.clone(),
        clock: http.clock().clone(),
        access_token: None,
    });
    let mapper = NonceAware {
        nonces,
        url: endpoint,
        inner: OAuthErrors,
    };
    let mut tries = 0;
    loop {
        tries += 1;
        let mut call = Call::post("bluesky", op, endpoint.clone())
            .form(form.iter().copied())
            .retry(Retry::Never)
            .sign_each_attempt(signer.clone());
        for s in secrets {
            call = call.redact(s);
        }
        match http.send(call, &mapper).await {
            Ok(r) => {
                nonces.remember(endpoint, &r);
                return Ok(r);
            }
            Err(e) if wants_nonce(&e) && tries == 1 => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Parses a token answer and checks it is a DPoP token for the `atproto` scope.
pub(crate) fn token_response(r: &Response) -> Result<TokenResponse> {
    let t: TokenResponse = r.json()?;
    if !t.token_type.eq_ignore_ascii_case("DPoP") {
        return Err(r.error(
            ErrorKind::Platform,
            format!("the token is of type {}, not DPoP", t.token_type),
        ));
    }
    if !t.scope.split(' ').any(|s| s == "atproto") {
        return Err(Error::new(
            ErrorKind::PermissionDenied,
            "the token lacks the atproto scope; connect again and approve it",
        )
        .with_platform("bluesky"));
    }
    if !t.sub.starts_with("did:") {
        return Err(r.error(
            ErrorKind::Platform,
            "the token answer names no account (sub)",
        ));
    }
    Ok(t)
}
