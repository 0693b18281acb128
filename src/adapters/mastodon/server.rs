//! Which server speaks the Mastodon API behind an instance, and what it is known to honour.
//!
//! The instance document's `version` says it: Mastodon itself writes its own version
//! (`"4.5.0"`), compatible servers write a Mastodon version followed by their own name in
//! parentheses (`"2.7.2 (compatible; Pleroma 2.6.1)"`, `"4.0.0 (not true; really snac/2.75)"`),
//! GoToSocial writes `"0.17.0 git-…"` and names itself in `source_url`.
//!
//! # `Idempotency-Key`, server by server
//!
//! A status create is re-sent on the strength of its `Idempotency-Key` only where the server
//! is shown to honour the key ([`ServerFamily::honours_idempotency_key`]); everywhere else a
//! create whose answer was lost is looked up among the account's recent statuses before
//! anything is sent again (the engine's reconciliation). Decisions and their sources:
//!
//! | server | honours the key | source |
//! |---|---|---|
//! | Mastodon ≥ 1.3 | yes, for an hour | `POST /api/v1/statuses` docs (docs.joinmastodon.org/methods/statuses, header `Idempotency-Key`: "stored for up to 1 hour"); added by mastodon PR #2419 (v1.3, 2017) |
//! | Pleroma, Akkoma | yes | `Pleroma.Web.Plugs.IdempotencyPlug` (pleroma `lib/pleroma/web/plugs/idempotency_plug.ex`) caches the answer of every POST/PUT/PATCH carrying the header, per user and path |
//! | snac | **no** | snac2 `mastoapi.c`, `mastoapi_post_handler`, `/v1/statuses`: reads `status`, `in_reply_to_id`, `visibility`, `spoiler_text`, `media_ids` and never the header; proven on snac 2.75 (two creates with one key make two statuses) |
//! | GoToSocial | **no** (not shown) | gotosocial issue #2723 asks for the header; no implementation was found to rely on |
//! | anything else, or not read yet | **no** | nothing shown |
//!
//! Even where the key is honoured, the HTTP layer never re-sends a create on its own: before
//! mastodon PR #37879 (2026) two creates with one key that overlapped (a re-send after a
//! timeout, while the first is still being processed) made two statuses, and mastodon issue
//! #40399 reports a 500 instead of the first status for a repeated key on some versions. A
//! create whose outcome is unknown comes back as an error that leaves doubt, and the engine
//! looks the status up before it publishes again.

use super::api::Instance;

/// The server software behind a Mastodon-API instance, from its instance document.
///
/// ```
/// use socialkit::adapters::mastodon::server::ServerFamily;
/// assert_eq!(ServerFamily::from_version("4.5.0", None), ServerFamily::Mastodon { major: 4, minor: 5 });
/// assert_eq!(ServerFamily::from_version("4.0.0 (not true; really snac/2.75)", None), ServerFamily::Snac);
/// assert_eq!(ServerFamily::from_version("2.7.2 (compatible; Pleroma 2.6.1)", None), ServerFamily::Pleroma);
/// assert_eq!(ServerFamily::from_version("3.5.3 (compatible; Akkoma 3.13.2)", None), ServerFamily::Akkoma);
/// assert_eq!(
///     ServerFamily::from_version("0.17.3 git-abc", Some("https://github.com/superseriousbusiness/gotosocial")),
///     ServerFamily::GoToSocial,
/// );
/// assert!(matches!(ServerFamily::from_version("2.8.0 (compatible; Friendica 2023.03)", None), ServerFamily::Other(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerFamily {
    /// Mastodon itself, at this version.
    Mastodon {
        /// Major version.
        major: u64,
        /// Minor version.
        minor: u64,
    },
    /// Pleroma.
    Pleroma,
    /// Akkoma (a Pleroma fork; it keeps the idempotency plug).
    Akkoma,
    /// snac2.
    Snac,
    /// GoToSocial.
    GoToSocial,
    /// Something else, with the version string it gave.
    Other(String),
    /// The instance has not been read (or said nothing).
    Unknown,
}

impl ServerFamily {
    /// The family from an instance document.
    pub(crate) fn of(instance: &Instance) -> ServerFamily {
        match instance.version.as_deref() {
            Some(v) => ServerFamily::from_version(v, instance.source_url.as_deref()),
            None => ServerFamily::Unknown,
        }
    }

    /// The family from the instance's `version` (and `source_url`, where GoToSocial names
    /// itself).
    pub fn from_version(version: &str, source_url: Option<&str>) -> ServerFamily {
        let lower = version.to_ascii_lowercase();
        if lower.contains("snac") {
            return ServerFamily::Snac;
        }
        if lower.contains("akkoma") {
            return ServerFamily::Akkoma;
        }
        if lower.contains("pleroma") {
            return ServerFamily::Pleroma;
        }
        if lower.contains("gotosocial")
            || source_url.is_some_and(|s| s.to_ascii_lowercase().contains("gotosocial"))
        {
            return ServerFamily::GoToSocial;
        }
        if version.trim().is_empty() {
            return ServerFamily::Unknown;
        }
        // Compatibles put their own name in parentheses; Mastodon never does.
        if version.contains('(') {
            return ServerFamily::Other(version.to_string());
        }
        let mut numbers = version
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u64>().unwrap_or(0));
        match (numbers.next(), numbers.next()) {
            (Some(major), Some(minor)) => ServerFamily::Mastodon { major, minor },
            _ => ServerFamily::Other(version.to_string()),
        }
    }

    /// Whether the server is shown to honour `Idempotency-Key` on `POST /api/v1/statuses`
    /// (see the [module table](self)).
    ///
    /// ```
    /// use socialkit::adapters::mastodon::server::ServerFamily;
    /// assert!(ServerFamily::Mastodon { major: 4, minor: 3 }.honours_idempotency_key());
    /// assert!(!ServerFamily::Mastodon { major: 1, minor: 2 }.honours_idempotency_key());
    /// assert!(ServerFamily::Pleroma.honours_idempotency_key());
    /// assert!(!ServerFamily::Snac.honours_idempotency_key());
    /// assert!(!ServerFamily::GoToSocial.honours_idempotency_key());
    /// assert!(!ServerFamily::Unknown.honours_idempotency_key());
    /// ```
    pub fn honours_idempotency_key(&self) -> bool {
        match self {
            ServerFamily::Mastodon { major, minor } => (*major, *minor) >= (1, 3),
            ServerFamily::Pleroma | ServerFamily::Akkoma => true,
            ServerFamily::Snac
            | ServerFamily::GoToSocial
            | ServerFamily::Other(_)
            | ServerFamily::Unknown => false,
        }
    }

    /// How long the server remembers a key, in seconds, where it honours keys: an hour on
    /// Mastodon (its docs); Pleroma's cache lifetime is not documented, so the same hour is
    /// assumed (shorter is the safe side).
    pub fn key_lifetime_secs(&self) -> Option<u64> {
        self.honours_idempotency_key().then_some(3600)
    }

    /// Whether the server closes every connection after its answer without saying so (snac
    /// 2.75), so every call must say `Connection: close` itself.
    pub fn closes_connections(&self) -> bool {
        matches!(self, ServerFamily::Snac)
    }
}
