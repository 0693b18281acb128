//! Platform search: what to look for and how far back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A search over a platform's public posts (for listening).
///
/// `text` is what the platform's search box receives: words, `#hashtags` and `@handles`,
/// every one of which a result must contain. Boolean listening queries
/// ([`listen::query`](crate::listen::query)) are broken into such searches and the results
/// filtered locally, so the same query means the same thing on every platform.
///
/// Pages run backwards in time: each page holds matches newest first, and
/// [`Page::next_cursor`](super::Page::next_cursor) continues with older ones. `since` bounds
/// how far back a search goes; a poller passes the time of the newest match it has seen.
///
/// ```
/// use socialkit::model::SearchQuery;
/// let q = SearchQuery::new("#acme outage").since("2026-11-01T00:00:00Z".parse().unwrap()).limit(25);
/// assert_eq!(q.text, "#acme outage");
/// assert_eq!(q.limit, 25);
/// assert_eq!(q.hashtags().collect::<Vec<_>>(), ["acme"]);
/// assert_eq!(q.words().collect::<Vec<_>>(), ["outage"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Words, `#hashtags` and `@handles`, all of which a result contains.
    pub text: String,
    /// Only posts at or after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Only posts before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// Only posts in this language (BCP 47 tag such as `en`), where the platform filters by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Continue after this cursor (from an earlier page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// At most this many results per page (adapters clamp to the platform's range).
    pub limit: usize,
}

impl SearchQuery {
    /// A search for `text` with a page size of 25.
    pub fn new(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            since: None,
            until: None,
            language: None,
            cursor: None,
            limit: 25,
        }
    }

    /// Only posts at or after `since`.
    pub fn since(mut self, since: DateTime<Utc>) -> Self {
        self.since = Some(since);
        self
    }

    /// Only posts before `until`.
    pub fn until(mut self, until: DateTime<Utc>) -> Self {
        self.until = Some(until);
        self
    }

    /// Only posts in `language`.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Continues after `cursor`.
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// Sets the page size.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// The tokens of `text` split on whitespace.
    pub fn tokens(&self) -> impl Iterator<Item = &str> {
        self.text.split_whitespace()
    }

    /// The hashtags in `text`, without `#`.
    pub fn hashtags(&self) -> impl Iterator<Item = &str> {
        self.tokens()
            .filter_map(|t| t.strip_prefix('#'))
            .filter(|t| !t.is_empty())
    }

    /// The handles in `text`, without `@`.
    pub fn mentions(&self) -> impl Iterator<Item = &str> {
        self.tokens()
            .filter_map(|t| t.strip_prefix('@'))
            .filter(|t| !t.is_empty())
    }

    /// The plain words in `text` (neither hashtags nor handles).
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.tokens()
            .filter(|t| !t.starts_with('#') && !t.starts_with('@'))
    }
}

/// What a platform's search offers, declared in
/// [`Capabilities::search`](crate::platform::Capabilities::search).
///
/// ```
/// use socialkit::model::SearchLimits;
/// let x = SearchLimits { max_age_days: Some(7), max_page: 100, ..SearchLimits::default() };
/// assert!(x.language && x.authors);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchLimits {
    /// How far back results reach, in days (`None` = the whole archive). X's recent search
    /// covers 7 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<u32>,
    /// The largest page the platform returns.
    pub max_page: usize,
    /// Whether plain words can be searched (Instagram searches hashtags only).
    pub words: bool,
    /// Whether the platform filters by `since`/`until` itself (else the adapter filters).
    pub time_range: bool,
    /// Whether the platform filters by language.
    pub language: bool,
    /// Whether results name their author (Instagram's hashtag search does not).
    #[serde(default = "yes")]
    pub authors: bool,
}

fn yes() -> bool {
    true
}

impl Default for SearchLimits {
    fn default() -> Self {
        SearchLimits {
            max_age_days: None,
            max_page: 40,
            words: true,
            time_range: true,
            language: true,
            authors: true,
        }
    }
}
