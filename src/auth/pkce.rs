//! PKCE (RFC 7636, S256 only) and the OAuth `state` parameter.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::secret::{Secret, constant_time_eq};
use crate::error::{Error, Result};

/// The characters RFC 7636 allows in a code verifier (RFC 3986 "unreserved").
const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// A PKCE code verifier and its S256 challenge.
///
/// Keep the `Pkce` (it is serde, the verifier a [`Secret`]) between sending the user to the
/// authorize URL and exchanging the code: the challenge goes into the URL, the verifier into the
/// token request.
///
/// ```
/// use socialkit::auth::Pkce;
/// // RFC 7636, appendix B.
/// let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
/// assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
/// assert_eq!(p.method(), "S256");
///
/// let fresh = Pkce::new();
/// assert_eq!(fresh.verifier().expose().len(), 64);
/// assert!(!format!("{fresh:?}").contains(fresh.verifier().expose()));
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "PkceRepr", try_from = "PkceRepr")]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// A fresh random verifier of 64 characters from the unreserved set.
    ///
    /// ```
    /// let p = socialkit::auth::Pkce::new();
    /// assert_eq!(p.challenge().len(), 43);
    /// ```
    pub fn new() -> Self {
        let mut rng = rand::rng();
        let verifier: String = (0..64)
            .map(|_| char::from(UNRESERVED[rng.random_range(0..UNRESERVED.len())]))
            .collect();
        Pkce::from_valid(Secret::new(verifier))
    }

    fn from_valid(verifier: Secret) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()));
        Pkce {
            verifier,
            challenge,
        }
    }

    /// Uses a given verifier: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`
    /// ([`ErrorKind::Validation`](crate::ErrorKind::Validation) otherwise).
    ///
    /// ```
    /// assert!(socialkit::auth::Pkce::from_verifier("too-short").is_err());
    /// assert!(socialkit::auth::Pkce::from_verifier("é".repeat(43)).is_err());
    /// ```
    pub fn from_verifier(verifier: impl Into<String>) -> Result<Self> {
        let verifier = Secret::new(verifier);
        let v = verifier.expose();
        if !(43..=128).contains(&v.len()) || !v.bytes().all(|b| UNRESERVED.contains(&b)) {
            return Err(Error::validation(
                "a PKCE code verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
            ));
        }
        Ok(Pkce::from_valid(verifier))
    }

    /// The verifier, sent as `code_verifier` with the token request.
    ///
    /// ```
    /// let p = socialkit::auth::Pkce::new();
    /// assert!((43..=128).contains(&p.verifier().expose().len()));
    /// ```
    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }

    /// The challenge, sent as `code_challenge` in the authorize URL.
    ///
    /// ```
    /// let p = socialkit::auth::Pkce::new();
    /// assert!(!p.challenge().contains('='));
    /// ```
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The challenge method, always `S256`.
    ///
    /// ```
    /// assert_eq!(socialkit::auth::Pkce::new().method(), "S256");
    /// ```
    pub fn method(&self) -> &'static str {
        "S256"
    }
}

/// The stored form of a [`Pkce`]: only the verifier; the challenge is derived (and the
/// verifier validated) again when it is read back.
#[derive(Serialize, Deserialize)]
struct PkceRepr {
    verifier: Secret,
}

impl From<Pkce> for PkceRepr {
    fn from(p: Pkce) -> Self {
        PkceRepr {
            verifier: p.verifier.clone(),
        }
    }
}

impl TryFrom<PkceRepr> for Pkce {
    type Error = String;

    fn try_from(r: PkceRepr) -> std::result::Result<Self, String> {
        Pkce::from_verifier(r.verifier.expose()).map_err(|e| e.message().to_string())
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Pkce::new()
    }
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &self.verifier)
            .field("challenge", &self.challenge)
            .finish()
    }
}

/// The OAuth `state` parameter: 32 random bytes, base64url. Store it with the pending
/// authorization and check the value that comes back with [`State::verify`] (constant time).
///
/// ```
/// use socialkit::auth::State;
/// let s = State::new();
/// assert_eq!(s.as_str().len(), 43);
/// assert!(s.verify(s.as_str()));
/// assert!(!s.verify("forged"));
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct State(String);

impl State {
    /// A fresh random state.
    ///
    /// ```
    /// let a = socialkit::auth::State::new();
    /// assert_ne!(a, socialkit::auth::State::new());
    /// ```
    pub fn new() -> Self {
        let bytes: [u8; 32] = rand::rng().random();
        State(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A state from a stored value.
    ///
    /// ```
    /// let stored = socialkit::auth::State::from_string("abc");
    /// assert!(stored.verify("abc"));
    /// ```
    pub fn from_string(value: impl Into<String>) -> Self {
        State(value.into())
    }

    /// The value, for the authorize URL and for storage.
    ///
    /// ```
    /// let s = socialkit::auth::State::from_string("abc");
    /// assert_eq!(s.as_str(), "abc");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `received` (the `state` query parameter of the callback) matches, compared in
    /// constant time.
    ///
    /// ```
    /// let s = socialkit::auth::State::from_string("abc");
    /// assert!(s.verify("abc") && !s.verify("abd"));
    /// ```
    pub fn verify(&self, received: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), received.as_bytes())
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.verify(&other.0)
    }
}

impl Eq for State {}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not a credential on its own, but a forgery helper: keep it out of logs too.
        f.write_str("State(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn generated_verifiers_are_valid_and_distinct() {
        let a = Pkce::new();
        let b = Pkce::new();
        assert_ne!(a.verifier(), b.verifier());
        for p in [&a, &b] {
            let v = p.verifier().expose();
            assert!(v.bytes().all(|c| UNRESERVED.contains(&c)));
            assert_eq!(p.challenge().len(), 43);
            assert!(!p.challenge().contains('='));
        }
    }

    #[test]
    fn length_bounds() {
        assert!(Pkce::from_verifier("a".repeat(42)).is_err());
        assert!(Pkce::from_verifier("a".repeat(43)).is_ok());
        assert!(Pkce::from_verifier("a".repeat(128)).is_ok());
        assert!(Pkce::from_verifier("a".repeat(129)).is_err());
        assert!(Pkce::from_verifier(format!("{}+", "a".repeat(50))).is_err());
    }

    #[test]
    fn pkce_serde_round_trip() {
        let p = Pkce::new();
        let json = serde_json::to_string(&p).unwrap();
        let back: Pkce = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert_eq!(
            json,
            format!("{{\"verifier\":\"{}\"}}", p.verifier().expose())
        );
        assert!(serde_json::from_str::<Pkce>(r#"{"verifier":"short"}"#).is_err());
    }

    #[test]
    fn states_differ_and_hide_in_debug() {
        let a = State::new();
        let b = State::new();
        assert_ne!(a, b);
        assert!(!format!("{a:?}").contains(a.as_str()));
        assert_eq!(State::from_string(a.as_str()), a);
    }
}
