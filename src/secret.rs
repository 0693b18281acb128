//! [`Secret`]: a string that never shows itself by accident. It sits at the bottom of the
//! crate (below `http` and `auth`, which both use it) and is re-exported as
//! `socialkit::auth::Secret` and `socialkit::Secret`.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// A credential (access token, refresh token, client secret, app password, PKCE verifier).
///
/// - `Debug` and `Display` print `***`; read the value only with [`Secret::expose`], at the
///   place where it is sent.
/// - Equality is constant-time in the content (lengths may differ in time).
/// - The memory is overwritten with zeros when the value is dropped.
/// - **Serde is transparent and writes the real value**: configs and token stores need it.
///   Treat serialized output (config files, database rows) as secret material.
///
/// ```
/// use socialkit::auth::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s} {s:?}"), "*** ***");
/// assert_eq!(s.expose(), "hunter2");
/// assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
/// assert_eq!(s, Secret::from("hunter2"));
/// ```
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    ///
    /// ```
    /// let s = socialkit::auth::Secret::new(String::from("t"));
    /// assert_eq!(s.expose(), "t");
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value. Call it only where the secret is sent or stored.
    ///
    /// ```
    /// let s = socialkit::auth::Secret::new("t");
    /// let header = format!("Bearer {}", s.expose());
    /// assert_eq!(header, "Bearer t");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    ///
    /// ```
    /// assert!(socialkit::auth::Secret::new("").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Constant-time comparison of two byte strings (the loop does not stop at the first
/// difference). Differing lengths return `false` at once: a length is not a secret here.
///
/// ```
/// assert!(socialkit::auth::constant_time_eq(b"abc", b"abc"));
/// assert!(!socialkit::auth::constant_time_eq(b"abc", b"abd"));
/// assert!(!socialkit::auth::constant_time_eq(b"abc", b"ab"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a
        .iter()
        .zip(b)
        .fold(0u8, |acc, (x, y)| acc | std::hint::black_box(x ^ y));
    std::hint::black_box(diff) == 0
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_containing_structs_hides_value() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Cfg {
            token: Secret,
            other: Option<Secret>,
        }
        let c = Cfg {
            token: Secret::new("TOPSECRET"),
            other: Some("ALSOSECRET".into()),
        };
        let s = format!("{c:?} {c:#?}");
        assert!(!s.contains("TOPSECRET") && !s.contains("ALSOSECRET"));
    }

    #[test]
    fn serde_round_trip_is_transparent() {
        let s: Secret = serde_json::from_str("\"v\"").unwrap();
        assert_eq!(s.expose(), "v");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"v\"");
    }

    #[test]
    fn equality() {
        assert_eq!(Secret::new("a"), Secret::new("a"));
        assert_ne!(Secret::new("a"), Secret::new("b"));
        assert_ne!(Secret::new("a"), Secret::new("aa"));
        assert_eq!(Secret::default(), Secret::new(""));
    }
}
