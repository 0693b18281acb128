//! The configuration of a sandbox account, as serde data and as a channel URL
//! (`sandbox://acme?seed=42&followers=1200&max_chars=500&world=default`).

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use super::audience::SandboxAudience;
use crate::platform::Operation;
use crate::{Error, Result};

/// The configuration of a sandbox account.
///
/// As a channel URL: `sandbox://NAME?seed=42&followers=1200&max_chars=500&world=default`, with
/// the optional `tz=Europe/Berlin`, `display_name=ACME%20Corp` and `without=delete,edit` (the
/// operations this account pretends not to have, to test code paths for platforms that lack
/// them). Unknown parameters are refused, so a typo never goes unnoticed.
///
/// ```
/// use socialkit::adapters::sandbox::SandboxConfig;
/// let c = SandboxConfig::from_url("sandbox://acme?seed=42&followers=1200&max_chars=280").unwrap();
/// assert_eq!((c.name.as_str(), c.seed, c.followers, c.max_chars), ("acme", 42, 1200, 280));
/// assert_eq!(c.world, "default");
///
/// let same: SandboxConfig = serde_json::from_str(
///     r#"{"name": "acme", "seed": 42, "followers": 1200, "max_chars": 280}"#,
/// ).unwrap();
/// assert_eq!(same, c);
/// assert!(SandboxConfig::from_url("sandbox://acme?folowers=3").is_err());
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxConfig {
    /// The account's handle (`acme`): letters, digits, `.`, `_` and `-`, at most 64.
    #[serde(default)]
    pub name: String,
    /// The process-wide world the account lives in (see
    /// [`SandboxWorld::named`](super::SandboxWorld::named)); ignored by
    /// [`SandboxWorld::channel`](super::SandboxWorld::channel), which uses its own world.
    #[serde(default = "default_world")]
    pub world: String,
    /// The seed of everything random about the account.
    #[serde(default)]
    pub seed: u64,
    /// Followers when the account is created (at most 1 000 000: the audience's interactions
    /// are kept one by one, so large audiences make large worlds).
    #[serde(default = "default_followers")]
    pub followers: u64,
    /// The text limit in graphemes.
    #[serde(default = "default_max_chars")]
    pub max_chars: usize,
    /// The profile's display name (default: the handle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The simulated audience.
    #[serde(default)]
    pub audience: SandboxAudience,
    /// Operations this account pretends not to have: they are left out of its capabilities
    /// and return [`Unsupported`](crate::ErrorKind::Unsupported).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub without: Vec<Operation>,
}

fn default_world() -> String {
    "default".to_string()
}

fn default_followers() -> u64 {
    1000
}

fn default_max_chars() -> usize {
    500
}

/// Most followers an account may have (the audience's interactions are kept one by one).
const MAX_FOLLOWERS: u64 = 1_000_000;
/// Longest text limit.
const MAX_CHARS: usize = 1_000_000;

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            name: String::new(),
            world: default_world(),
            seed: 0,
            followers: default_followers(),
            max_chars: default_max_chars(),
            display_name: None,
            audience: SandboxAudience::default(),
            without: Vec::new(),
        }
    }
}

// Written out so that a field added later is a conscious choice to show (a sandbox has no
// secrets today; if one is added, it must not be printed).
impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("name", &self.name)
            .field("world", &self.world)
            .field("seed", &self.seed)
            .field("followers", &self.followers)
            .field("max_chars", &self.max_chars)
            .field("display_name", &self.display_name)
            .field("audience", &self.audience)
            .field("without", &self.without)
            .finish()
    }
}

impl SandboxConfig {
    /// A default config for account `name`.
    ///
    /// ```
    /// let c = socialkit::adapters::sandbox::SandboxConfig::new("acme").with_seed(7).with_followers(50);
    /// assert_eq!((c.seed, c.followers), (7, 50));
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        SandboxConfig {
            name: name.into(),
            ..SandboxConfig::default()
        }
    }

    /// Sets the seed.
    ///
    /// ```
    /// let c = socialkit::adapters::sandbox::SandboxConfig::new("acme").with_seed(9);
    /// assert_eq!(c.seed, 9);
    /// ```
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the initial followers.
    ///
    /// ```
    /// let c = socialkit::adapters::sandbox::SandboxConfig::new("acme").with_followers(12);
    /// assert_eq!(c.followers, 12);
    /// ```
    pub fn with_followers(mut self, followers: u64) -> Self {
        self.followers = followers;
        self
    }

    /// Sets the text limit.
    ///
    /// ```
    /// let c = socialkit::adapters::sandbox::SandboxConfig::new("acme").with_max_chars(280);
    /// assert_eq!(c.max_chars, 280);
    /// ```
    pub fn with_max_chars(mut self, max_chars: usize) -> Self {
        self.max_chars = max_chars;
        self
    }

    /// Sets the audience.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{SandboxAudience, SandboxConfig};
    /// let quiet = SandboxAudience { reach_share: 0.05, ..SandboxAudience::default() };
    /// let c = SandboxConfig::new("acme").with_audience(quiet);
    /// assert_eq!(c.audience.reach_share, 0.05);
    /// ```
    pub fn with_audience(mut self, audience: SandboxAudience) -> Self {
        self.audience = audience;
        self
    }

    /// Leaves `op` out of the capabilities.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::SandboxConfig;
    /// use socialkit::platform::Operation;
    /// let c = SandboxConfig::new("acme").without(Operation::Edit).without(Operation::Edit);
    /// assert_eq!(c.without, vec![Operation::Edit]);
    /// ```
    pub fn without(mut self, op: Operation) -> Self {
        if !self.without.contains(&op) {
            self.without.push(op);
        }
        self
    }

    /// Parses a `sandbox://` channel URL. Errors never repeat the URL (a URL may hold
    /// credentials; a sandbox URL must not).
    ///
    /// ```
    /// use socialkit::adapters::sandbox::SandboxConfig;
    /// let c = SandboxConfig::from_url("sandbox://acme?tz=America/New_York").unwrap();
    /// assert_eq!(c.audience.time_zone, chrono_tz::America::New_York);
    /// let e = SandboxConfig::from_url("sandbox://token@acme").unwrap_err();
    /// assert!(!e.to_string().contains("token"));
    /// ```
    pub fn from_url(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| {
            Error::config(format!("the sandbox channel URL is invalid: {e}"))
                .with_platform("sandbox")
        })?;
        Self::from_parsed_url(&parsed)
    }

    /// [`SandboxConfig::from_url`] for a parsed URL.
    ///
    /// ```
    /// let url = url::Url::parse("sandbox://acme?seed=3").unwrap();
    /// let c = socialkit::adapters::sandbox::SandboxConfig::from_parsed_url(&url).unwrap();
    /// assert_eq!(c.seed, 3);
    /// ```
    pub fn from_parsed_url(url: &Url) -> Result<Self> {
        let bad = |m: String| Error::config(m).with_platform("sandbox");
        if url.scheme() != "sandbox" {
            return Err(bad(format!(
                "a sandbox channel URL starts with sandbox://, not {}://",
                url.scheme()
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "a sandbox channel takes no credentials: use sandbox://NAME".into(),
            ));
        }
        if !matches!(url.path(), "" | "/") {
            return Err(bad(
                "a sandbox channel URL has no path: use sandbox://NAME?seed=…".into(),
            ));
        }
        let mut config = SandboxConfig::new(url.host_str().unwrap_or_default());
        for (key, value) in url.query_pairs() {
            let number = |what: &str| -> Result<u64> {
                value.parse::<u64>().map_err(|_| {
                    bad(format!(
                        "the sandbox URL parameter {what} takes a whole number"
                    ))
                })
            };
            match key.as_ref() {
                "seed" => config.seed = number("seed")?,
                "followers" => config.followers = number("followers")?,
                "max_chars" => {
                    config.max_chars = usize::try_from(number("max_chars")?).unwrap_or(usize::MAX)
                }
                "world" => config.world = value.into_owned(),
                "display_name" => config.display_name = Some(value.into_owned()),
                "tz" => {
                    config.audience.time_zone = value.parse().map_err(|_| {
                        bad(format!(
                            "tz={value} is not an IANA time zone (like Europe/Berlin)"
                        ))
                    })?
                }
                "without" => {
                    for op in value.split(',').filter(|s| !s.trim().is_empty()) {
                        let op: Operation = serde_json::from_value(serde_json::Value::String(
                            op.trim().to_string(),
                        ))
                        .map_err(|_| {
                            bad(format!(
                                "without= takes operations like delete,edit,thread; '{}' is not one",
                                op.trim()
                            ))
                        })?;
                        config = config.without(op);
                    }
                }
                other => {
                    return Err(bad(format!(
                        "unknown sandbox URL parameter '{other}'; known: seed, followers, max_chars, world, display_name, tz, without"
                    )));
                }
            }
        }
        config.check()?;
        Ok(config)
    }

    /// Checks the config: a valid name and world, limits in range, a sensible audience.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::SandboxConfig;
    /// assert!(SandboxConfig::new("acme").check().is_ok());
    /// assert!(SandboxConfig::new("").check().is_err());
    /// assert!(SandboxConfig::new("a b").check().is_err());
    /// assert!(SandboxConfig::new("acme").with_max_chars(0).check().is_err());
    /// ```
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::config(m).with_platform("sandbox"));
        if !valid_name(&self.name) {
            return bad(
                "a sandbox account name has 1 to 64 letters, digits, '.', '_' or '-'".into(),
            );
        }
        if !valid_name(&self.world) {
            return bad("a sandbox world name has 1 to 64 letters, digits, '.', '_' or '-'".into());
        }
        if self.followers > MAX_FOLLOWERS {
            return bad(format!(
                "a sandbox account has at most {MAX_FOLLOWERS} followers"
            ));
        }
        if self.max_chars == 0 || self.max_chars > MAX_CHARS {
            return bad(format!("max_chars must be from 1 to {MAX_CHARS}"));
        }
        self.audience.check()
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_errors_do_not_echo_credentials() {
        let e = SandboxConfig::from_url("sandbox://tok3n:pw@acme").unwrap_err();
        assert!(!e.to_string().contains("tok3n"));
        assert!(!format!("{e:?}").contains("pw"));
    }

    #[test]
    fn url_options() {
        let c = SandboxConfig::from_url(
            "sandbox://acme-news?world=sim&tz=America/New_York&without=delete,edit&display_name=ACME%20News",
        )
        .unwrap();
        assert_eq!(c.world, "sim");
        assert_eq!(c.audience.time_zone, chrono_tz::America::New_York);
        assert_eq!(c.without, vec![Operation::Delete, Operation::Edit]);
        assert_eq!(c.display_name.as_deref(), Some("ACME News"));
        assert!(SandboxConfig::from_url("sandbox://acme?tz=Mars/Olympus").is_err());
        assert!(SandboxConfig::from_url("sandbox://acme?without=fly").is_err());
        assert!(SandboxConfig::from_url("sandbox://acme?seed=-1").is_err());
        assert!(SandboxConfig::from_url("sandbox://acme/path").is_err());
        assert!(SandboxConfig::from_url("mastodon://acme").is_err());
    }

    #[test]
    fn serde_round_trip() {
        let c = SandboxConfig::new("acme")
            .with_seed(3)
            .without(Operation::Edit);
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(serde_json::from_value::<SandboxConfig>(json).unwrap(), c);
    }
}
