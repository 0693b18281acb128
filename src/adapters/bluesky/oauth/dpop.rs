//! DPoP (RFC 9449) for atproto OAuth: a per-session ES256 key, signed proofs, and the
//! servers' nonces.
//!
//! - A proof is a compact JWS: header `{"typ":"dpop+jwt","alg":"ES256","jwk":PUBLIC-KEY}`,
//!   payload `{"jti","htm","htu","iat"}` plus `nonce` (the last `DPoP-Nonce` the server sent)
//!   and, on resource requests, `ath` (base64url SHA-256 of the access token). Every attempt
//!   of a request carries a fresh proof (a new `jti`): servers refuse a replayed one.
//! - Servers hand out nonces in the `DPoP-Nonce` header of any answer and refuse a proof
//!   without the current one with `use_dpop_nonce` (HTTP 400 at the authorization server,
//!   401 at the PDS); the caller then sends once more with the nonce just received.
//!
//! Sources: <https://www.rfc-editor.org/rfc/rfc9449>, <https://atproto.com/specs/oauth>
//! (ES256 is the algorithm every atproto server must support).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

use crate::auth::Secret;
use crate::clock::Clock;
use crate::http::{Call, Response, Sign};
use crate::{Error, Result};

/// The header servers send their next nonce in.
pub const NONCE_HEADER: &str = "DPoP-Nonce";

/// The OAuth error code a server answers a proof without its current nonce with.
pub const USE_DPOP_NONCE: &str = "use_dpop_nonce";

/// An ES256 (P-256) key that binds one OAuth session's tokens. `Debug` hides the private
/// part; [`DpopKey::to_secret`] is what the vault keeps.
///
/// ```
/// use socialkit::adapters::bluesky::oauth::DpopKey;
/// let key = DpopKey::generate();
/// let again = DpopKey::from_secret(&key.to_secret()).unwrap();
/// assert_eq!(key.thumbprint(), again.thumbprint());
/// assert!(!format!("{key:?}").contains(key.to_secret().expose()));
/// ```
#[derive(Clone)]
pub struct DpopKey {
    key: SigningKey,
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey")
            .field("thumbprint", &self.thumbprint())
            .finish_non_exhaustive()
    }
}

impl DpopKey {
    /// A new random key.
    pub fn generate() -> DpopKey {
        // A random 32-byte string is a valid scalar except with probability ~2^-128; the
        // bounded loop only guards against that.
        for _ in 0..16 {
            let bytes: [u8; 32] = rand::random();
            if let Ok(key) = SigningKey::from_bytes(&bytes.into()) {
                return DpopKey { key };
            }
        }
        unreachable!("sixteen random scalars in a row were out of range")
    }

    /// The private scalar, base64url: what the vault stores.
    pub fn to_secret(&self) -> Secret {
        Secret::new(B64.encode(self.key.to_bytes()))
    }

    /// The key from [`DpopKey::to_secret`]'s form; a clear `ConfigInvalid` error otherwise.
    pub fn from_secret(secret: &Secret) -> Result<DpopKey> {
        let bad = || Error::config("the stored DPoP key is not a P-256 private key");
        let bytes = B64.decode(secret.expose().trim()).map_err(|_| bad())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| bad())?;
        let key = SigningKey::from_bytes(&bytes.into()).map_err(|_| bad())?;
        Ok(DpopKey { key })
    }

    /// The public key as a JWK (`kty`, `crv`, `x`, `y`).
    pub fn public_jwk(&self) -> serde_json::Value {
        let point = self.key.verifying_key().to_encoded_point(false);
        let (x, y) = (
            point.x().map(|x| B64.encode(x)).unwrap_or_default(),
            point.y().map(|y| B64.encode(y)).unwrap_or_default(),
        );
        json!({"kty": "EC", "crv": "P-256", "x": x, "y": y})
    }

    /// The JWK thumbprint (RFC 7638): base64url SHA-256 of the required members in
    /// lexicographic order. The server binds tokens to it (`cnf.jkt`).
    pub fn thumbprint(&self) -> String {
        let jwk = self.public_jwk();
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk["x"].as_str().unwrap_or_default(),
            jwk["y"].as_str().unwrap_or_default()
        );
        B64.encode(Sha256::digest(canonical.as_bytes()))
    }

    /// A proof for `method` on `url` (query and fragment are not part of `htu`), at `iat`
    /// (Unix seconds), with the server's `nonce` and, for a resource request, the access
    /// token it accompanies.
    pub fn proof(
        &self,
        method: &str,
        url: &Url,
        iat: i64,
        nonce: Option<&str>,
        access_token: Option<&Secret>,
    ) -> String {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk()});
        let jti: [u8; 16] = rand::random();
        let mut claims = json!({
            "jti": B64.encode(jti),
            "htm": method,
            "htu": htu.as_str(),
            "iat": iat,
        });
        if let Some(n) = nonce {
            claims["nonce"] = json!(n);
        }
        if let Some(token) = access_token {
            claims["ath"] = json!(B64.encode(Sha256::digest(token.expose().as_bytes())));
        }
        let signing_input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let signature: Signature = self.key.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", B64.encode(signature.to_bytes()))
    }
}

/// The last nonce each server (by origin) sent. Shared by every request of a session.
#[derive(Debug, Default)]
pub struct Nonces {
    by_origin: Mutex<HashMap<String, String>>,
}

impl Nonces {
    /// The nonce to use for `url`'s server, if it sent one.
    pub fn get(&self, url: &Url) -> Option<String> {
        self.by_origin
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&url.origin().ascii_serialization())
            .cloned()
    }

    /// Sets the nonce of `url`'s server (one kept from an earlier request).
    pub fn set(&self, url: &Url, nonce: &str) {
        self.by_origin
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(url.origin().ascii_serialization(), nonce.to_string());
    }

    /// Remembers the `DPoP-Nonce` of an answer from `url`'s server, if it has one.
    pub fn remember(&self, url: &Url, response: &Response) {
        if let Some(n) = response.header(NONCE_HEADER).filter(|n| !n.is_empty()) {
            self.set(url, n);
        }
    }
}

/// Signs every attempt of a [`Call`] with a fresh DPoP proof (and, for resource requests,
/// `Authorization: DPoP <access token>`).
#[derive(Clone)]
pub(crate) struct DpopSigner {
    pub key: DpopKey,
    pub nonces: Arc<Nonces>,
    pub clock: Arc<dyn Clock>,
    pub access_token: Option<Secret>,
}

impl fmt::Debug for DpopSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopSigner")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Sign for DpopSigner {
    fn sign(&self, call: Call) -> Call {
        let nonce = self.nonces.get(call.url());
        let proof = self.key.proof(
            call.method().as_str(),
            call.url(),
            self.clock.now().timestamp(),
            nonce.as_deref(),
            self.access_token.as_ref(),
        );
        let call = match &self.access_token {
            Some(token) => call.authorization("DPoP", token),
            None => call,
        };
        call.header("DPoP", proof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier as _;

    fn part(jws: &str, i: usize) -> serde_json::Value {
        serde_json::from_slice(&B64.decode(jws.split('.').nth(i).unwrap()).unwrap()).unwrap()
    }

    #[test]
    fn a_proof_is_a_verifiable_es256_jws_with_the_rfc9449_claims() {
        let key = DpopKey::generate();
        let url =
            Url::parse("http://localhost:2583/xrpc/com.atproto.repo.createRecord?x=1#f").unwrap();
        let token = Secret::new("at-123");
        let jws = key.proof("POST", &url, 1_800_000_000, Some("n1"), Some(&token));
        let header = part(&jws, 0);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert!(
            header["jwk"].get("d").is_none(),
            "no private part in the header"
        );
        let claims = part(&jws, 1);
        assert_eq!(claims["htm"], "POST");
        assert_eq!(
            claims["htu"],
            "http://localhost:2583/xrpc/com.atproto.repo.createRecord"
        );
        assert_eq!(claims["iat"], 1_800_000_000);
        assert_eq!(claims["nonce"], "n1");
        assert_eq!(
            claims["ath"],
            B64.encode(Sha256::digest(b"at-123")).as_str()
        );
        // The signature verifies with the public key in the header.
        let jwk = &header["jwk"];
        let mut sec1 = vec![4u8];
        sec1.extend(B64.decode(jwk["x"].as_str().unwrap()).unwrap());
        sec1.extend(B64.decode(jwk["y"].as_str().unwrap()).unwrap());
        let vk = VerifyingKey::from_sec1_bytes(&sec1).unwrap();
        let (input, sig) = jws.rsplit_once('.').unwrap();
        let sig = Signature::from_slice(&B64.decode(sig).unwrap()).unwrap();
        vk.verify(input.as_bytes(), &sig).unwrap();
        // A second proof has another jti.
        let again = key.proof("POST", &url, 1_800_000_000, Some("n1"), Some(&token));
        assert_ne!(part(&again, 1)["jti"], claims["jti"]);
        // No token, no nonce: no ath, no nonce.
        let bare = part(&key.proof("POST", &url, 1, None, None), 1);
        assert!(bare.get("ath").is_none() && bare.get("nonce").is_none());
    }

    #[test]
    fn stored_keys_round_trip_and_bad_ones_are_config_errors() {
        let key = DpopKey::generate();
        assert_eq!(key.thumbprint().len(), 43);
        for bad in ["", "not base64!", "AAAA", &B64.encode([0u8; 32])] {
            let e = DpopKey::from_secret(&Secret::new(bad)).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::ConfigInvalid, "{bad}");
        }
    }

    #[test]
    fn nonces_are_kept_per_origin() {
        let nonces = Nonces::default();
        let a = Url::parse("http://localhost:2583/oauth/par").unwrap();
        let b = Url::parse("http://localhost:2583/xrpc/x").unwrap();
        let c = Url::parse("https://bsky.social/oauth/par").unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(NONCE_HEADER, "n-1".parse().unwrap());
        let r = Response::new("bluesky", "t", crate::http::StatusCode::OK, headers, "");
        nonces.remember(&a, &r);
        assert_eq!(nonces.get(&b).as_deref(), Some("n-1"));
        assert_eq!(nonces.get(&c), None);
    }
}
