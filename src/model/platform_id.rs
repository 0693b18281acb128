//! [`PlatformId`]: which platform a channel, a post reference or a capability belongs to.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A social platform, by the lower-case name socialkit has always stored (`"mastodon"`,
/// `"bluesky"`, `"x"` …).
///
/// The platforms socialkit ships adapters for are variants; an adapter registered by a user
/// (see [`Registry::register`](crate::Registry::register)) or a test double is
/// [`PlatformId::Other`]. Parsing never fails: a known name becomes its variant, anything else
/// `Other`, so records stored before this type existed still read back. Equality, ordering and
/// hashing go by the name, so `Other("x")` equals [`PlatformId::X`] and a `PlatformId` sorts
/// exactly as its name did.
///
/// The serde form is the plain name, the same string earlier versions stored:
///
/// ```
/// use socialkit::model::PlatformId;
/// let id: PlatformId = serde_json::from_str("\"bluesky\"").unwrap();
/// assert_eq!(id, PlatformId::Bluesky);
/// assert_eq!(serde_json::to_string(&PlatformId::Mastodon).unwrap(), "\"mastodon\"");
/// assert_eq!(PlatformId::from("myspace"), PlatformId::Other("myspace".into()));
/// assert_eq!(PlatformId::Threads.as_str(), "threads");
/// assert!(PlatformId::X == "x");
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum PlatformId {
    /// The in-process sandbox platform (`"sandbox"`).
    Sandbox,
    /// Mastodon and compatible fediverse servers (`"mastodon"`).
    Mastodon,
    /// Bluesky / the AT Protocol (`"bluesky"`).
    Bluesky,
    /// X, formerly Twitter (`"x"`).
    X,
    /// LinkedIn (`"linkedin"`).
    LinkedIn,
    /// Facebook Pages (`"facebook"`).
    Facebook,
    /// Instagram professional accounts (`"instagram"`).
    Instagram,
    /// Meta's Threads, the platform (`"threads"`); not to be confused with a thread of posts.
    Threads,
    /// Telegram bots and channels (`"telegram"`).
    Telegram,
    /// Discord (`"discord"`).
    Discord,
    /// Reddit (`"reddit"`).
    Reddit,
    /// Nostr (`"nostr"`).
    Nostr,
    /// Pinterest (`"pinterest"`).
    Pinterest,
    /// TikTok (`"tiktok"`).
    TikTok,
    /// YouTube (`"youtube"`).
    Youtube,
    /// Google Business Profile (`"google_business"`).
    GoogleBusiness,
    /// Any other platform, by its name (an adapter registered by a user, a test double).
    Other(String),
}

impl PlatformId {
    /// Every platform socialkit knows by name, in alphabetical order of the names.
    pub const KNOWN: [PlatformId; 16] = [
        PlatformId::Bluesky,
        PlatformId::Discord,
        PlatformId::Facebook,
        PlatformId::GoogleBusiness,
        PlatformId::Instagram,
        PlatformId::LinkedIn,
        PlatformId::Mastodon,
        PlatformId::Nostr,
        PlatformId::Pinterest,
        PlatformId::Reddit,
        PlatformId::Sandbox,
        PlatformId::Telegram,
        PlatformId::Threads,
        PlatformId::TikTok,
        PlatformId::X,
        PlatformId::Youtube,
    ];

    /// The platform's name, as stored and shown.
    pub fn as_str(&self) -> &str {
        match self {
            PlatformId::Sandbox => "sandbox",
            PlatformId::Mastodon => "mastodon",
            PlatformId::Bluesky => "bluesky",
            PlatformId::X => "x",
            PlatformId::LinkedIn => "linkedin",
            PlatformId::Facebook => "facebook",
            PlatformId::Instagram => "instagram",
            PlatformId::Threads => "threads",
            PlatformId::Telegram => "telegram",
            PlatformId::Discord => "discord",
            PlatformId::Reddit => "reddit",
            PlatformId::Nostr => "nostr",
            PlatformId::Pinterest => "pinterest",
            PlatformId::TikTok => "tiktok",
            PlatformId::Youtube => "youtube",
            PlatformId::GoogleBusiness => "google_business",
            PlatformId::Other(name) => name,
        }
    }

    /// The platform named `name`: its variant when socialkit knows it, else `Other`.
    ///
    /// ```
    /// use socialkit::model::PlatformId;
    /// assert_eq!(PlatformId::named("linkedin"), PlatformId::LinkedIn);
    /// assert!(matches!(PlatformId::named("demo"), PlatformId::Other(_)));
    /// ```
    pub fn named(name: &str) -> PlatformId {
        PlatformId::KNOWN
            .iter()
            .find(|p| p.as_str() == name)
            .cloned()
            .unwrap_or_else(|| PlatformId::Other(name.to_string()))
    }

    /// Whether this is one of the platforms socialkit knows by name (not `Other`).
    pub fn is_known(&self) -> bool {
        !matches!(self, PlatformId::Other(_))
    }
}

impl fmt::Debug for PlatformId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for PlatformId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for PlatformId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for PlatformId {}

impl PartialOrd for PlatformId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PlatformId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for PlatformId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Same as `str`'s hash, which `Borrow<str>` requires.
        self.as_str().hash(state)
    }
}

impl Borrow<str> for PlatformId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// A `PlatformId` reads as its name wherever a `&str` is wanted
/// (`error.context().platform.as_deref() == Some("x")`).
///
/// ```
/// use socialkit::model::PlatformId;
/// let p = Some(PlatformId::Mastodon);
/// assert_eq!(p.as_deref(), Some("mastodon"));
/// assert!(PlatformId::Bluesky.starts_with("blue"));
/// ```
impl std::ops::Deref for PlatformId {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for PlatformId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for PlatformId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for PlatformId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for PlatformId {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<PlatformId> for str {
    fn eq(&self, other: &PlatformId) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<PlatformId> for &str {
    fn eq(&self, other: &PlatformId) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<PlatformId> for String {
    fn eq(&self, other: &PlatformId) -> bool {
        self == other.as_str()
    }
}

impl From<&str> for PlatformId {
    fn from(name: &str) -> Self {
        PlatformId::named(name)
    }
}

impl From<&String> for PlatformId {
    fn from(name: &String) -> Self {
        PlatformId::named(name)
    }
}

impl From<String> for PlatformId {
    fn from(name: String) -> Self {
        match PlatformId::named(&name) {
            PlatformId::Other(_) => PlatformId::Other(name),
            known => known,
        }
    }
}

impl From<&PlatformId> for PlatformId {
    fn from(id: &PlatformId) -> Self {
        id.clone()
    }
}

impl From<PlatformId> for String {
    fn from(id: PlatformId) -> Self {
        match id {
            PlatformId::Other(name) => name,
            known => known.as_str().to_string(),
        }
    }
}

impl From<&PlatformId> for String {
    fn from(id: &PlatformId) -> Self {
        id.as_str().to_string()
    }
}

impl FromStr for PlatformId {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(PlatformId::named(s))
    }
}

impl Serialize for PlatformId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PlatformId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(PlatformId::from(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    #[test]
    fn every_known_name_round_trips_to_its_variant() {
        for p in PlatformId::KNOWN {
            assert!(p.is_known());
            assert_eq!(PlatformId::named(p.as_str()), p);
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<PlatformId>(&json).unwrap(), p);
        }
        let names: Vec<&str> = PlatformId::KNOWN.iter().map(PlatformId::as_str).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "KNOWN is in name order");
    }

    #[test]
    fn other_names_are_kept_and_compare_by_name() {
        let demo = PlatformId::from("demo");
        assert_eq!(demo, PlatformId::Other("demo".into()));
        assert!(!demo.is_known());
        assert_eq!(PlatformId::Other("x".into()), PlatformId::X);
        assert_eq!(String::from(demo.clone()), "demo");
        // Sorted exactly as the names were.
        let set: BTreeSet<PlatformId> = ["x", "bluesky", "demo", "mastodon"]
            .into_iter()
            .map(PlatformId::from)
            .collect();
        let order: Vec<&str> = set.iter().map(PlatformId::as_str).collect();
        assert_eq!(order, ["bluesky", "demo", "mastodon", "x"]);
        // Maps keyed by id can be read by name.
        let mut m = HashMap::new();
        m.insert(PlatformId::Mastodon, 1);
        assert_eq!(m.get("mastodon"), Some(&1));
        assert_eq!(format!("{:?}", PlatformId::LinkedIn), "\"linkedin\"");
    }

    /// Records written before `PlatformId` existed (platform names as strings) read back, and
    /// write the same form again.
    #[test]
    fn records_of_the_old_string_form_still_read() {
        use crate::model::{Channel, InteractionRef, PostRef};
        let old_ref = r#"{"platform":"bluesky","id":"at://did:plc:a/app.bsky.feed.post/1","meta":{"cid":"bafy"}}"#;
        let r: PostRef = serde_json::from_str(old_ref).unwrap();
        assert_eq!(r.platform, PlatformId::Bluesky);
        assert_eq!(serde_json::to_string(&r).unwrap(), old_ref);
        let old_other = r#"{"platform":"myspace","id":"7"}"#;
        let r: PostRef = serde_json::from_str(old_other).unwrap();
        assert_eq!(r.platform, PlatformId::Other("myspace".into()));
        assert_eq!(serde_json::to_string(&r).unwrap(), old_other);
        let old_interaction =
            r#"{"platform":"mastodon","id":"n-1","post":{"platform":"mastodon","id":"9"}}"#;
        let i: InteractionRef = serde_json::from_str(old_interaction).unwrap();
        assert_eq!(i.post.unwrap().platform, PlatformId::Mastodon);
        let old_channel = r#"{"platform":"x","id":"12","handle":"acme"}"#;
        let c: Channel = serde_json::from_str(old_channel).unwrap();
        assert_eq!(c.platform, PlatformId::X);
    }
}
