//! Vault keys: where the 256-bit keys that seal channel secrets come from.
//!
//! A [`KeyProvider`] names one *sealing* key (new records are sealed with it) and opens any
//! key it knows by id (old records name the key that sealed them). Two providers ship:
//! [`EnvKeyProvider`] (an environment variable) and [`FileKeyProvider`] (a file, e.g. a
//! mounted Kubernetes or Docker secret); [`KeyRing`] is the in-memory form both parse into,
//! and what tests use. A cloud KMS fits the same trait: `sealing_key` and `key` fetch (or
//! unwrap) the data key by id.
//!
//! The text form of a key ring, used by both providers: entries `ID:BASE64KEY`, separated by
//! newlines, commas or semicolons; the first entry is the sealing key, the others still open
//! old records (rotation: put the new key first and keep the old one until
//! [`Vault::rotate`](super::Vault::rotate) has re-sealed everything). Lines starting with `#`
//! are comments. Key ids are 1–64 characters of `A-Z a-z 0-9 _ -`; keys are 32 bytes in
//! standard or URL-safe base64 (with or without padding). Generate one with
//! [`KeyRing::generate_key`] or `head -c32 /dev/urandom | base64`.
//!
//! ```
//! use socialkit::store::vault::{KeyProvider, KeyRing};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let ring = KeyRing::parse("k2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\
//!                            k1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=").unwrap();
//! assert_eq!(ring.sealing_key().await.unwrap().id().as_str(), "k2");
//! assert!(ring.key(&"k1".parse().unwrap()).await.is_ok());
//! let err = ring.key(&"k0".parse().unwrap()).await.unwrap_err();
//! assert!(err.to_string().contains("'k0'"));
//! assert!(!format!("{ring:?}").contains("AAEC"), "Debug shows ids only");
//! # });
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::VaultError;
use crate::{Error, ErrorKind, Result};

/// The id of a vault key, stored beside every ciphertext it sealed.
///
/// ```
/// let id: socialkit::store::vault::KeyId = "2026-03".parse().unwrap();
/// assert_eq!(id.as_str(), "2026-03");
/// assert!("has.dot".parse::<socialkit::store::vault::KeyId>().is_err());
/// assert!("has space".parse::<socialkit::store::vault::KeyId>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyId(String);

impl KeyId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for KeyId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
        if ok {
            Ok(KeyId(s.to_string()))
        } else {
            Err(Error::config(
                "a vault key id is 1-64 characters of A-Z a-z 0-9 _ -",
            ))
        }
    }
}

impl TryFrom<String> for KeyId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<KeyId> for String {
    fn from(k: KeyId) -> String {
        k.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 256-bit vault key and its id. `Debug` shows the id only; the bytes are wiped on drop.
///
/// ```
/// let k = socialkit::store::vault::VaultKey::new("k1".parse().unwrap(), [7u8; 32]);
/// assert_eq!(k.id().as_str(), "k1");
/// assert!(!format!("{k:?}").contains('7'));
/// ```
#[derive(Clone)]
pub struct VaultKey {
    id: KeyId,
    bytes: Arc<Zeroizing<[u8; 32]>>,
}

impl VaultKey {
    /// A key from its bytes.
    pub fn new(id: KeyId, bytes: [u8; 32]) -> Self {
        VaultKey {
            id,
            bytes: Arc::new(Zeroizing::new(bytes)),
        }
    }

    /// The key's id.
    pub fn id(&self) -> &KeyId {
        &self.id
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// A check value of the key (HMAC-SHA256 of a fixed label, first 8 bytes, hex): stored
    /// with each ciphertext so a *different* key under the same id is told apart from a
    /// corrupted record. It reveals nothing usable about the key.
    pub(crate) fn check(&self) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.bytes.as_slice())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"socialkit vault key check v1");
        hex::encode(&mac.finalize().into_bytes()[..8])
    }
}

impl fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultKey")
            .field("id", &self.id)
            .field("bytes", &"***")
            .finish()
    }
}

/// Where vault keys come from.
///
/// Implement it for a cloud KMS: `sealing_key` returns the current data key, `key` the one a
/// record names. Errors should say which key id is missing and never contain key material.
#[async_trait]
pub trait KeyProvider: Send + Sync + fmt::Debug {
    /// The key new records are sealed with.
    async fn sealing_key(&self) -> Result<VaultKey>;
    /// The key with id `id`, to open a record it sealed. A key the provider does not have is
    /// an error of kind [`ConfigInvalid`](ErrorKind::ConfigInvalid) naming the id, with
    /// [`VaultError::MissingKey`] as its source.
    async fn key(&self, id: &KeyId) -> Result<VaultKey>;
}

/// Keys held in memory: the first is the sealing key.
#[derive(Clone)]
pub struct KeyRing {
    sealing: KeyId,
    keys: BTreeMap<KeyId, VaultKey>,
    source: String,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("sealing", &self.sealing)
            .field("keys", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

pub(crate) fn missing_key(id: &KeyId, source: &str) -> Error {
    Error::new(
        ErrorKind::ConfigInvalid,
        format!(
            "vault key '{id}' is not available from {source}; add it back (keys that sealed stored records must stay until the vault was rotated)"
        ),
    )
    .with_source(VaultError::MissingKey { key_id: id.clone() })
}

impl KeyRing {
    /// A ring with one key, which seals.
    ///
    /// ```
    /// let ring = socialkit::store::vault::KeyRing::single("k1".parse().unwrap(), [1; 32]);
    /// # let _ = ring;
    /// ```
    pub fn single(id: KeyId, bytes: [u8; 32]) -> Self {
        KeyRing {
            sealing: id.clone(),
            keys: BTreeMap::from([(id.clone(), VaultKey::new(id, bytes))]),
            source: "the key ring".into(),
        }
    }

    /// Adds a key that opens old records (not the sealing key).
    ///
    /// ```
    /// use socialkit::store::vault::KeyRing;
    /// let ring = KeyRing::single("k2".parse().unwrap(), [2; 32]).with_old_key("k1".parse().unwrap(), [1; 32]);
    /// # let _ = ring;
    /// ```
    pub fn with_old_key(mut self, id: KeyId, bytes: [u8; 32]) -> Self {
        self.keys.insert(id.clone(), VaultKey::new(id, bytes));
        self
    }

    /// Parses the text form (see the module docs). Errors name the entry's position and key
    /// id, never the key.
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_from(text, "the key ring")
    }

    fn parse_from(text: &str, source: &str) -> Result<Self> {
        let mut sealing = None;
        let mut keys = BTreeMap::new();
        let entries = text
            .split(['\n', ',', ';'])
            .map(str::trim)
            .filter(|e| !e.is_empty() && !e.starts_with('#'));
        for (i, entry) in entries.enumerate() {
            let n = i + 1;
            let (id, b64) = entry.split_once(':').ok_or_else(|| {
                Error::config(format!(
                    "vault key entry {n} in {source} is not ID:BASE64KEY"
                ))
            })?;
            let id: KeyId = id.trim().parse().map_err(|_| {
                Error::config(format!("vault key entry {n} in {source} has an invalid id"))
            })?;
            let bytes = decode_key(b64.trim()).ok_or_else(|| {
                Error::config(format!(
                    "vault key '{id}' in {source} is not 32 bytes of base64"
                ))
            })?;
            if keys.contains_key(&id) {
                return Err(Error::config(format!(
                    "vault key '{id}' appears twice in {source}"
                )));
            }
            sealing.get_or_insert_with(|| id.clone());
            keys.insert(id.clone(), VaultKey::new(id, *bytes));
        }
        let sealing = sealing.ok_or_else(|| {
            Error::config(format!(
                "{source} holds no vault key; expected ID:BASE64KEY (32 bytes)"
            ))
        })?;
        Ok(KeyRing {
            sealing,
            keys,
            source: source.to_string(),
        })
    }

    /// A fresh random key in the text form's base64.
    ///
    /// ```
    /// let k = socialkit::store::vault::KeyRing::generate_key();
    /// assert!(socialkit::store::vault::KeyRing::parse(&format!("k1:{k}")).is_ok());
    /// ```
    pub fn generate_key() -> String {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::fill(&mut bytes[..]);
        base64::engine::general_purpose::STANDARD.encode(bytes.as_slice())
    }

    /// The ids of the keys held, sealing key included.
    pub fn ids(&self) -> Vec<&KeyId> {
        self.keys.keys().collect()
    }
}

fn decode_key(b64: &str) -> Option<Zeroizing<[u8; 32]>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let raw = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(b64).ok())
        .map(Zeroizing::new)?;
    let mut out = Zeroizing::new([0u8; 32]);
    (raw.len() == 32).then(|| {
        out.copy_from_slice(&raw);
        out
    })
}

#[async_trait]
impl KeyProvider for KeyRing {
    async fn sealing_key(&self) -> Result<VaultKey> {
        self.key(&self.sealing).await
    }

    async fn key(&self, id: &KeyId) -> Result<VaultKey> {
        self.keys
            .get(id)
            .cloned()
            .ok_or_else(|| missing_key(id, &self.source))
    }
}

/// Keys from an environment variable in the key ring's text form (default
/// `SOCIALKIT_VAULT_KEYS`), read when the provider is made.
///
/// ```
/// use socialkit::store::vault::{EnvKeyProvider, KeyRing};
/// // SAFETY (test): no other thread reads this variable.
/// unsafe { std::env::set_var("SK_DOC_VAULT_KEYS", format!("k1:{}", KeyRing::generate_key())) };
/// let p = EnvKeyProvider::from_var("SK_DOC_VAULT_KEYS").unwrap();
/// # let _ = p;
/// let err = EnvKeyProvider::from_var("SK_DOC_NO_SUCH_VAR").unwrap_err();
/// assert!(err.to_string().contains("SK_DOC_NO_SUCH_VAR"));
/// ```
#[derive(Debug, Clone)]
pub struct EnvKeyProvider {
    ring: KeyRing,
}

impl EnvKeyProvider {
    /// The default variable.
    pub const VAR: &'static str = "SOCIALKIT_VAULT_KEYS";

    /// Reads [`EnvKeyProvider::VAR`].
    pub fn new() -> Result<Self> {
        Self::from_var(Self::VAR)
    }

    /// Reads `var`.
    pub fn from_var(var: &str) -> Result<Self> {
        let text = std::env::var(var).map_err(|_| {
            Error::config(format!(
                "the environment variable {var} with the vault keys is not set (ID:BASE64KEY, 32 bytes)"
            ))
        })?;
        let ring = KeyRing::parse_from(&text, &format!("the environment variable {var}"))?;
        Ok(EnvKeyProvider { ring })
    }
}

#[async_trait]
impl KeyProvider for EnvKeyProvider {
    async fn sealing_key(&self) -> Result<VaultKey> {
        self.ring.sealing_key().await
    }
    async fn key(&self, id: &KeyId) -> Result<VaultKey> {
        self.ring.key(id).await
    }
}

/// Keys from a file in the key ring's text form, read again on every use so a rotated file
/// (a mounted secret that is updated in place) takes effect without a restart.
///
/// ```
/// use socialkit::store::vault::{FileKeyProvider, KeyProvider, KeyRing};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("sk-doc-keys-{}", std::process::id()));
/// std::fs::write(&path, format!("# vault keys\nk1:{}\n", KeyRing::generate_key())).unwrap();
/// let p = FileKeyProvider::new(&path);
/// assert_eq!(p.sealing_key().await.unwrap().id().as_str(), "k1");
/// std::fs::remove_file(&path).unwrap();
/// assert!(p.sealing_key().await.is_err());
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct FileKeyProvider {
    path: PathBuf,
}

impl FileKeyProvider {
    /// A provider reading `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileKeyProvider { path: path.into() }
    }

    async fn ring(&self) -> Result<KeyRing> {
        let text = Zeroizing::new(tokio::fs::read_to_string(&self.path).await.map_err(|e| {
            Error::config(format!(
                "the vault key file {} cannot be read",
                self.path.display()
            ))
            .with_source(e)
        })?);
        KeyRing::parse_from(&text, &format!("the key file {}", self.path.display()))
    }
}

#[async_trait]
impl KeyProvider for FileKeyProvider {
    async fn sealing_key(&self) -> Result<VaultKey> {
        self.ring().await?.sealing_key().await
    }
    async fn key(&self, id: &KeyId) -> Result<VaultKey> {
        self.ring().await?.key(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_never_repeat_key_material() {
        for bad in [
            "k1",
            "k1:notbase64!!",
            "k1:QUJD",
            "bad id:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "",
            "# only a comment",
        ] {
            let e = KeyRing::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ConfigInvalid, "{bad}");
            assert!(!e.to_string().contains("QUJD") && !e.to_string().contains("notbase64"));
        }
        let twice = format!("k1:{0}\nk1:{0}", KeyRing::generate_key());
        assert!(
            KeyRing::parse(&twice)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
    }

    #[test]
    fn url_safe_and_unpadded_keys_parse() {
        let ring = KeyRing::parse("a:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8, b:_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-8=").unwrap();
        assert_eq!(ring.ids().len(), 2);
        assert_eq!(ring.sealing.as_str(), "a");
    }

    #[test]
    fn check_values_differ_per_key() {
        let a = VaultKey::new("k".parse().unwrap(), [1; 32]);
        let b = VaultKey::new("k".parse().unwrap(), [2; 32]);
        assert_ne!(a.check(), b.check());
        assert_eq!(a.check().len(), 16);
    }
}
