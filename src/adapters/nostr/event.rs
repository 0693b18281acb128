//! NIP-01 events: keys, the event id, BIP-340 signatures, and the tags socialkit writes.
//!
//! Source: <https://github.com/nostr-protocol/nips/blob/master/01.md> ("Events and
//! signatures"): an event is `{id, pubkey, created_at, kind, tags, content, sig}`; `id` is the
//! lowercase hex SHA-256 of the UTF-8 JSON array `[0, pubkey, created_at, kind, tags,
//! content]` serialized without whitespace; `sig` is the 64-byte BIP-340 Schnorr signature of
//! the id by the secp256k1 key whose x-only public key is `pubkey`. Keys in bech32 (`nsec1…`,
//! `npub1…`, `note1…`) are NIP-19 (<https://github.com/nostr-protocol/nips/blob/master/19.md>).
//!
//! ```
//! use socialkit::adapters::nostr::event::{Keys, UnsignedEvent};
//! let keys = Keys::parse("0000000000000000000000000000000000000000000000000000000000000003").unwrap();
//! assert_eq!(keys.public_hex(), "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9");
//! let event = keys.sign(UnsignedEvent::text_note(1_700_000_000, "hello", Vec::new()));
//! assert!(event.verify().is_ok());
//! assert!(!format!("{keys:?}").contains("0000000000003"));
//! ```

use std::fmt;

use bech32::{Bech32, Hrp};
use secp256k1::{Keypair, Secp256k1, XOnlyPublicKey, schnorr};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::PLATFORM;
use crate::auth::Secret;
use crate::{Error, ErrorKind, Result};

/// Kind 0: user metadata (NIP-01).
pub const KIND_METADATA: u32 = 0;
/// Kind 1: a short text note (NIP-01).
pub const KIND_TEXT_NOTE: u32 = 1;
/// Kind 5: a deletion request (NIP-09).
pub const KIND_DELETION: u32 = 5;
/// Kind 6: a repost of a kind-1 note (NIP-18).
pub const KIND_REPOST: u32 = 6;
/// Kind 7: a reaction (NIP-25).
pub const KIND_REACTION: u32 = 7;

/// A Nostr key pair from a secret key in hex or NIP-19 `nsec1…`. `Debug` shows the public
/// key only; the secret never leaves this type except for signing.
#[derive(Clone)]
pub struct Keys {
    keypair: Keypair,
    public: String,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("public", &self.public)
            .field("secret", &"***")
            .finish()
    }
}

fn key_error(message: &str) -> Error {
    Error::config(message.to_string()).with_platform(PLATFORM)
}

/// Decodes NIP-19 bech32 `text` with the human-readable part `hrp` into 32 bytes.
fn from_bech32(text: &str, hrp: &str) -> Option<[u8; 32]> {
    let (got, data) = bech32::decode(text).ok()?;
    if got.as_str() != hrp {
        return None;
    }
    data.try_into().ok()
}

/// Encodes 32 bytes as NIP-19 bech32 with the human-readable part `hrp` (`npub`, `note`).
///
/// ```
/// let npub = socialkit::adapters::nostr::event::to_bech32("npub", &[0u8; 32]);
/// assert!(npub.starts_with("npub1"));
/// ```
pub fn to_bech32(hrp: &str, bytes: &[u8; 32]) -> String {
    Hrp::parse(hrp)
        .ok()
        .and_then(|h| bech32::encode::<Bech32>(h, bytes).ok())
        .unwrap_or_default()
}

/// A 32-byte hex string (an id or a public key) as bytes.
pub fn hex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    hex::decode(s).ok()?.try_into().ok()
}

/// A public key given as hex or NIP-19 `npub1…`, as lowercase hex.
///
/// ```
/// use socialkit::adapters::nostr::event::{public_key_hex, to_bech32};
/// let hex = "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9";
/// let npub = to_bech32("npub", &socialkit::adapters::nostr::event::hex32(hex).unwrap());
/// assert_eq!(public_key_hex(&npub).unwrap(), hex);
/// assert!(public_key_hex("npub1nope").is_none());
/// ```
pub fn public_key_hex(s: &str) -> Option<String> {
    let bytes = if s.starts_with("npub1") {
        from_bech32(s, "npub")?
    } else {
        hex32(&s.to_ascii_lowercase())?
    };
    XOnlyPublicKey::from_byte_array(bytes).ok()?;
    Some(hex::encode(bytes))
}

impl Keys {
    /// Parses a secret key: 64 hex digits or `nsec1…`. Errors never repeat the input.
    pub fn parse(secret: &str) -> Result<Keys> {
        let secret = secret.trim();
        let bytes = if secret.starts_with("nsec1") {
            from_bech32(secret, "nsec")
                .ok_or_else(|| key_error("the nostr secret key is not a valid nsec1 string"))?
        } else {
            hex32(&secret.to_ascii_lowercase()).ok_or_else(|| {
                key_error("the nostr secret key must be 64 hex digits or an nsec1 string")
            })?
        };
        let secp = Secp256k1::signing_only();
        let keypair = Keypair::from_seckey_byte_array(&secp, bytes)
            .map_err(|_| key_error("the nostr secret key is not a valid secp256k1 key"))?;
        let (x, _) = keypair.x_only_public_key();
        Ok(Keys {
            keypair,
            public: hex::encode(x.serialize()),
        })
    }

    /// Parses a [`Secret`].
    pub fn from_secret(secret: &Secret) -> Result<Keys> {
        Keys::parse(secret.expose())
    }

    /// The x-only public key, 64 lowercase hex digits.
    pub fn public_hex(&self) -> &str {
        &self.public
    }

    /// The public key as NIP-19 `npub1…`.
    pub fn npub(&self) -> String {
        hex32(&self.public)
            .map(|b| to_bech32("npub", &b))
            .unwrap_or_default()
    }

    /// Signs `unsigned` as this key: sets `pubkey`, computes the id, signs it (BIP-340 with
    /// fresh auxiliary randomness). The id depends only on the content, so signing the same
    /// unsigned event twice gives the same id.
    pub fn sign(&self, unsigned: UnsignedEvent) -> Event {
        let id = event_id(
            &self.public,
            unsigned.created_at,
            unsigned.kind,
            &unsigned.tags,
            &unsigned.content,
        );
        let secp = Secp256k1::signing_only();
        let aux: [u8; 32] = rand::random();
        let sig = secp.sign_schnorr_with_aux_rand(&id, &self.keypair, &aux);
        Event {
            id: hex::encode(id),
            pubkey: self.public.clone(),
            created_at: unsigned.created_at,
            kind: unsigned.kind,
            tags: unsigned.tags,
            content: unsigned.content,
            sig: hex::encode(sig.to_byte_array()),
        }
    }
}

/// The NIP-01 id of an event: SHA-256 of `[0, pubkey, created_at, kind, tags, content]`.
///
/// ```
/// let a = socialkit::adapters::nostr::event::event_id("ab", 1, 1, &[], "x");
/// let b = socialkit::adapters::nostr::event::event_id("ab", 2, 1, &[], "x");
/// assert_ne!(a, b);
/// ```
pub fn event_id(
    pubkey: &str,
    created_at: u64,
    kind: u32,
    tags: &[Vec<String>],
    content: &str,
) -> [u8; 32] {
    let json = serde_json::json!([0, pubkey, created_at, kind, tags, content]);
    Sha256::digest(json.to_string().as_bytes()).into()
}

/// An event before it is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedEvent {
    /// Unix seconds.
    pub created_at: u64,
    /// The kind.
    pub kind: u32,
    /// The tags.
    pub tags: Vec<Vec<String>>,
    /// The content.
    pub content: String,
}

impl UnsignedEvent {
    /// A kind-1 text note.
    pub fn text_note(created_at: u64, content: impl Into<String>, tags: Vec<Vec<String>>) -> Self {
        UnsignedEvent {
            created_at,
            kind: KIND_TEXT_NOTE,
            tags,
            content: content.into(),
        }
    }
}

/// A signed NIP-01 event, as relays store and send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// 32-byte lowercase hex SHA-256 of the serialized event.
    pub id: String,
    /// 32-byte lowercase hex x-only public key of the author.
    pub pubkey: String,
    /// Unix seconds.
    pub created_at: u64,
    /// The kind (0 metadata, 1 note, 5 deletion, 6 repost, 7 reaction …).
    pub kind: u32,
    /// Tags: arrays of strings, the first the tag's name.
    pub tags: Vec<Vec<String>>,
    /// The content.
    pub content: String,
    /// 64-byte lowercase hex BIP-340 signature of the id.
    pub sig: String,
}

impl Event {
    /// Checks the id against the content and the signature against the id and pubkey.
    pub fn verify(&self) -> Result<()> {
        let invalid = |m: &str| Error::new(ErrorKind::Unexpected, m).with_platform(PLATFORM);
        let id = event_id(
            &self.pubkey,
            self.created_at,
            self.kind,
            &self.tags,
            &self.content,
        );
        if hex::encode(id) != self.id {
            return Err(invalid("the nostr event's id does not match its content"));
        }
        let pubkey = hex32(&self.pubkey)
            .and_then(|b| XOnlyPublicKey::from_byte_array(b).ok())
            .ok_or_else(|| invalid("the nostr event's pubkey is not a valid key"))?;
        let sig = hex::decode(&self.sig)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .map(schnorr::Signature::from_byte_array)
            .ok_or_else(|| invalid("the nostr event's signature is malformed"))?;
        Secp256k1::verification_only()
            .verify_schnorr(&sig, &id, &pubkey)
            .map_err(|_| invalid("the nostr event's signature does not verify"))
    }

    /// The values (after the name) of every tag named `name`.
    pub fn tags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [String]> + 'a {
        self.tags
            .iter()
            .filter(move |t| t.first().map(String::as_str) == Some(name))
            .map(|t| &t[1..])
    }

    /// The first value of the first tag named `name`.
    pub fn tag_value<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.tags_named(name)
            .next()
            .and_then(|t| t.first())
            .map(String::as_str)
    }

    /// The created_at as a UTC instant.
    pub fn time(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(i64::try_from(self.created_at).unwrap_or(i64::MAX), 0)
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
    }

    /// NIP-10: the note this one replies to (the `e` tag marked `reply`, else the one marked
    /// `root`, else — the deprecated positional form — the last `e` tag).
    pub fn reply_parent(&self) -> Option<&str> {
        let marked = |m: &str| {
            self.tags_named("e")
                .find(|t| t.get(2).map(String::as_str) == Some(m))
                .and_then(|t| t.first())
                .map(String::as_str)
        };
        marked("reply").or_else(|| marked("root")).or_else(|| {
            let any_marked = self.tags_named("e").any(|t| {
                matches!(
                    t.get(2).map(String::as_str),
                    Some("root" | "reply" | "mention")
                )
            });
            if any_marked {
                None
            } else {
                self.tags_named("e")
                    .last()
                    .and_then(|t| t.first())
                    .map(String::as_str)
            }
        })
    }

    /// NIP-10: the thread's root (the `e` tag marked `root`, else the reply parent).
    pub fn thread_root(&self) -> Option<&str> {
        self.tags_named("e")
            .find(|t| t.get(2).map(String::as_str) == Some("root"))
            .and_then(|t| t.first())
            .map(String::as_str)
            .or_else(|| self.reply_parent())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_signatures_verify_and_tampering_is_caught() {
        let keys = Keys::parse(&"11".repeat(32)).unwrap();
        let e = keys.sign(UnsignedEvent::text_note(
            1_700_000_000,
            "line\n\"quoted\" \\ é 🎉",
            vec![vec!["p".into(), keys.public_hex().into()]],
        ));
        e.verify().unwrap();
        let again = keys.sign(UnsignedEvent::text_note(
            1_700_000_000,
            "line\n\"quoted\" \\ é 🎉",
            vec![vec!["p".into(), keys.public_hex().into()]],
        ));
        assert_eq!(e.id, again.id, "the id is deterministic");
        let mut t = e.clone();
        t.content.push('!');
        assert!(t.verify().is_err());
        let mut s = e.clone();
        s.sig = "00".repeat(64);
        assert!(s.verify().is_err());
    }

    #[test]
    fn nip19_keys_round_trip_and_bad_keys_are_config_errors() {
        let keys = Keys::parse(&"11".repeat(32)).unwrap();
        let nsec = to_bech32("nsec", &[0x11; 32]);
        assert_eq!(Keys::parse(&nsec).unwrap().public_hex(), keys.public_hex());
        assert_eq!(public_key_hex(&keys.npub()).unwrap(), keys.public_hex());
        for bad in ["", "zz", &"00".repeat(32), &"ff".repeat(32), "nsec1qqqq"] {
            let e = Keys::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ConfigInvalid);
        }
        assert!(!format!("{keys:?}").contains(&"11".repeat(8)));
    }

    #[test]
    fn nip10_parents() {
        let keys = Keys::parse(&"22".repeat(32)).unwrap();
        let tag = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let marked = keys.sign(UnsignedEvent::text_note(
            1,
            "r",
            vec![
                tag(&["e", "root1", "", "root"]),
                tag(&["e", "par1", "", "reply"]),
            ],
        ));
        assert_eq!(marked.reply_parent(), Some("par1"));
        assert_eq!(marked.thread_root(), Some("root1"));
        let direct = keys.sign(UnsignedEvent::text_note(
            1,
            "r",
            vec![tag(&["e", "root1", "", "root"])],
        ));
        assert_eq!(direct.reply_parent(), Some("root1"));
        let positional = keys.sign(UnsignedEvent::text_note(
            1,
            "r",
            vec![tag(&["e", "a"]), tag(&["e", "b"])],
        ));
        assert_eq!(positional.reply_parent(), Some("b"));
    }
}
