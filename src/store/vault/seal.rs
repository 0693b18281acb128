//! Sealing and opening one record with XChaCha20-Poly1305.
//!
//! The sealed text is `skv1.<key id>.<key check>.<base64url(nonce ‖ ciphertext ‖ tag)>`: the
//! id of the key that sealed it, a check value of that key (so a different key under the same
//! id is told apart from a damaged record), a random 192-bit nonce and the AEAD output. The
//! associated data binds the ciphertext to its workspace, channel and platform, so a record
//! copied onto another channel's row does not open.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::VaultError;
use super::key::{KeyId, VaultKey};
use crate::{Error, ErrorKind, Result};

const PREFIX: &str = "skv1";
const NONCE: usize = 24;

/// Where a record belongs: its associated data.
pub(crate) fn aad(workspace: &str, channel: &str, platform: &str) -> Vec<u8> {
    let mut a = b"socialkit vault v1".to_vec();
    for part in [workspace, channel, platform] {
        a.push(0);
        a.extend_from_slice(part.as_bytes());
    }
    a
}

/// Seals `plain` under `key`.
pub(crate) fn seal(key: &VaultKey, plain: &[u8], aad: &[u8]) -> Result<String> {
    let cipher = XChaCha20Poly1305::new_from_slice(key.bytes())
        .map_err(|_| Error::unexpected("a vault key is not 32 bytes"))?;
    let mut nonce = [0u8; NONCE];
    rand::fill(&mut nonce[..]);
    let ct = cipher
        .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
        .map_err(|_| Error::unexpected("sealing a vault record failed"))?;
    let mut body = nonce.to_vec();
    body.extend_from_slice(&ct);
    Ok(format!(
        "{PREFIX}.{}.{}.{}",
        key.id(),
        key.check(),
        URL_SAFE_NO_PAD.encode(body)
    ))
}

/// The key id a sealed text names (`None` when it is not a sealed text at all).
#[cfg(test)]
pub(crate) fn key_id(sealed: &str) -> Option<KeyId> {
    let mut parts = sealed.splitn(4, '.');
    (parts.next()? == PREFIX).then_some(())?;
    parts.next()?.parse().ok()
}

fn corrupt(key_id: Option<KeyId>, what: &str) -> Error {
    Error::new(
        ErrorKind::Storage,
        format!(
            "a sealed vault record is damaged ({what}); reconnect the channel to store it again"
        ),
    )
    .with_source(VaultError::Corrupt { key_id })
}

/// Opens a sealed text with `key` (the one its id names). Wrong key, damaged record and
/// foreign associated data are told apart as far as they can be; none of them changes
/// anything.
pub(crate) fn open(key: &VaultKey, sealed: &str, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut parts = sealed.splitn(4, '.');
    let (Some(PREFIX), Some(id), Some(check), Some(body)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(corrupt(None, "not skv1.<key id>.<check>.<data>"));
    };
    let id: KeyId = id.parse().map_err(|_| corrupt(None, "bad key id"))?;
    if &id != key.id() {
        return Err(Error::unexpected(format!(
            "vault record sealed with key '{id}' was given key '{}'",
            key.id()
        )));
    }
    if check != key.check() {
        return Err(Error::new(
            ErrorKind::ConfigInvalid,
            format!(
                "vault key '{id}' is not the key that sealed this record (same id, different key); \
                 give the provider the original key under '{id}'"
            ),
        )
        .with_source(VaultError::WrongKey { key_id: id }));
    }
    let raw = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| corrupt(Some(id.clone()), "not base64"))?;
    if raw.len() < NONCE + 16 {
        return Err(corrupt(Some(id), "too short"));
    }
    let (nonce, ct) = raw.split_at(NONCE);
    let nonce: [u8; NONCE] = nonce
        .try_into()
        .map_err(|_| corrupt(Some(id.clone()), "bad nonce"))?;
    let cipher = XChaCha20Poly1305::new_from_slice(key.bytes())
        .map_err(|_| Error::unexpected("a vault key is not 32 bytes"))?;
    cipher
        .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| corrupt(Some(id), "authentication failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, b: u8) -> VaultKey {
        VaultKey::new(id.parse().unwrap(), [b; 32])
    }

    fn vault_error(e: &Error) -> &VaultError {
        std::error::Error::source(e)
            .and_then(|s| s.downcast_ref::<VaultError>())
            .expect("a VaultError source")
    }

    #[test]
    fn round_trip_and_fresh_nonces() {
        let k = key("k-1", 1);
        let a = aad("acme", "x-main", "x");
        let s1 = seal(&k, b"secret token", &a).unwrap();
        let s2 = seal(&k, b"secret token", &a).unwrap();
        assert_ne!(s1, s2, "a fresh nonce per seal");
        assert!(!s1.contains("secret"));
        assert_eq!(key_id(&s1).unwrap().as_str(), "k-1");
        assert_eq!(&open(&k, &s1, &a).unwrap()[..], b"secret token");
    }

    #[test]
    fn wrong_key_corruption_and_foreign_rows_are_typed_errors() {
        let k = key("k1", 1);
        let a = aad("acme", "x-main", "x");
        let s = seal(&k, b"secret", &a).unwrap();
        // Same id, other key.
        let e = open(&key("k1", 2), &s, &a).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
        assert!(
            matches!(vault_error(&e), VaultError::WrongKey { key_id } if key_id.as_str() == "k1")
        );
        // A flipped bit in the ciphertext.
        let mut bad = s.clone().into_bytes();
        let last = bad.len() - 3;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        let e = open(&k, std::str::from_utf8(&bad).unwrap(), &a).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Storage);
        assert!(matches!(vault_error(&e), VaultError::Corrupt { .. }));
        // The row of another channel.
        let e = open(&k, &s, &aad("acme", "x-other", "x")).unwrap_err();
        assert!(matches!(vault_error(&e), VaultError::Corrupt { .. }));
        // Truncated and garbage.
        for junk in ["", "skv1", "skv1.k1", "skv1.k1.abc.!!", "skv1.k1.abc.QUJD"] {
            assert!(open(&k, junk, &a).is_err(), "{junk}");
        }
    }
}
