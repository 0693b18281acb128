//! What a [`SearchQuery`] means for one text, the same on every platform: every word (whole
//! words, case-insensitive, Unicode word boundaries; a word also matches inside a hashtag or
//! handle, as in listening queries), every `#hashtag` and every `@handle` of the query occur in
//! the text.
//!
//! Platforms search differently (Mastodon's Elasticsearch stems English words, snac matches
//! the whole query as a substring, Bluesky's AppView may do either), so adapters ask the
//! platform for candidates and keep those that [`matches`] accepts: the same query gives the
//! same kind of result everywhere. The matching itself is the listening layer's
//! ([`Document`]), so a search and a listening query agree on what a word is.

use unicode_normalization::UnicodeNormalization;

use crate::listen::query::Document;
use crate::model::SearchQuery;
use crate::{Error, Result};

/// The query's terms, folded (NFC, lower case), ready to match many texts.
///
/// ```
/// use socialkit::model::SearchQuery;
/// use socialkit::text::search::Terms;
/// let t = Terms::new(&SearchQuery::new("Outage #ACME @acme@mastodon.social"));
/// assert!(t.matches("New outage at #acme, cc @acme@mastodon.social"));
/// assert!(!t.matches("New outages at #acme, cc @acme@mastodon.social"), "whole words only");
/// assert!(!t.matches("outage at acme, cc @acme"), "the hashtag is missing");
/// assert!(!Terms::new(&SearchQuery::new("  ")).is_searchable());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    /// Plain words; a token such as `don't` or `e-mail` may be several words in a row.
    words: Vec<Vec<String>>,
    hashtags: Vec<String>,
    mentions: Vec<String>,
}

impl Terms {
    /// The terms of `query` after the checks every platform makes before anything is sent:
    /// something to look for, a page of at least one, `until` after `since`. A failed check is
    /// a [`Validation`](crate::ErrorKind::Validation) error for `platform`'s `search`.
    ///
    /// ```
    /// use socialkit::model::SearchQuery;
    /// use socialkit::text::search::Terms;
    /// assert!(Terms::checked(&SearchQuery::new("#acme"), "mastodon").is_ok());
    /// let e = Terms::checked(&SearchQuery::new("acme").limit(0), "mastodon").unwrap_err();
    /// assert_eq!(e.kind(), socialkit::ErrorKind::Validation);
    /// assert!(Terms::checked(&SearchQuery::new(" "), "bluesky").is_err());
    /// ```
    pub fn checked(query: &SearchQuery, platform: &str) -> Result<Terms> {
        let invalid = |m: String| {
            Err(Error::validation(m)
                .with_platform(platform)
                .with_operation("search"))
        };
        let terms = Terms::new(query);
        if !terms.is_searchable() {
            return invalid(format!(
                "the search '{}' has no word, #hashtag or @handle to look for",
                query.text
            ));
        }
        if query.limit == 0 {
            return invalid("a search page needs a limit of at least 1".into());
        }
        if let (Some(s), Some(u)) = (query.since, query.until) {
            if u <= s {
                return invalid(format!(
                    "the search's until ({u}) is not after its since ({s})"
                ));
            }
        }
        Ok(terms)
    }

    /// The terms of `query`.
    ///
    /// ```
    /// use socialkit::model::SearchQuery;
    /// let t = socialkit::text::search::Terms::new(&SearchQuery::new("Anvil #Launch"));
    /// assert_eq!(t.server_term(), Some("anvil".to_string()));
    /// ```
    pub fn new(query: &SearchQuery) -> Terms {
        let fold = |s: &str| s.nfc().collect::<String>().to_lowercase();
        Terms {
            words: query
                .words()
                .map(crate::listen::query::document_words)
                .filter(|w| !w.is_empty())
                .collect(),
            hashtags: query.hashtags().map(fold).collect(),
            mentions: query.mentions().map(fold).collect(),
        }
    }

    /// Whether the query has anything to look for (a query of only spaces or punctuation has
    /// not).
    ///
    /// ```
    /// use socialkit::model::SearchQuery;
    /// assert!(socialkit::text::search::Terms::new(&SearchQuery::new("#acme")).is_searchable());
    /// assert!(!socialkit::text::search::Terms::new(&SearchQuery::new("# @ ...")).is_searchable());
    /// ```
    pub fn is_searchable(&self) -> bool {
        !(self.words.is_empty() && self.hashtags.is_empty() && self.mentions.is_empty())
    }

    /// Whether `text` has every term.
    ///
    /// ```
    /// use socialkit::model::SearchQuery;
    /// let t = socialkit::text::search::Terms::new(&SearchQuery::new("where is my order"));
    /// assert!(t.matches("Where is my ORDER?"));
    /// assert!(t.matches("my order: where is it"));
    /// assert!(!t.matches("where is my orders"));
    /// ```
    pub fn matches(&self, text: &str) -> bool {
        self.is_searchable() && self.may_match(text) && self.matches_document(&Document::new(text))
    }

    /// A cheap necessary condition: an ASCII text that lacks one of the terms as a substring
    /// (case-insensitive) cannot match, so most texts are ruled out without segmenting them.
    /// Other texts are left to the full match (folding may change their length).
    fn may_match(&self, text: &str) -> bool {
        if !text.is_ascii() {
            return true;
        }
        let lower = text.to_ascii_lowercase();
        self.words
            .iter()
            .flatten()
            .chain(&self.hashtags)
            .chain(&self.mentions)
            .all(|needle| !needle.is_ascii() || lower.contains(needle.as_str()))
    }

    /// Whether a prepared document has every term.
    ///
    /// ```
    /// use socialkit::listen::query::Document;
    /// use socialkit::model::SearchQuery;
    /// let t = socialkit::text::search::Terms::new(&SearchQuery::new("@acme"));
    /// assert!(t.matches_document(&Document::new("hi @ACME@mastodon.social")));
    /// ```
    pub fn matches_document(&self, d: &Document) -> bool {
        self.is_searchable()
            && self.words.iter().all(|w| d.has_phrase(w))
            && self.hashtags.iter().all(|h| d.has_hashtag(h))
            && self.mentions.iter().all(|m| d.has_mention(m))
    }

    /// Whether the query has only hashtags (no words, no handles): platforms with hashtag
    /// timelines answer those without full-text search.
    ///
    /// ```
    /// use socialkit::model::SearchQuery;
    /// use socialkit::text::search::Terms;
    /// assert!(Terms::new(&SearchQuery::new("#acme #launch")).hashtags_only());
    /// assert!(!Terms::new(&SearchQuery::new("#acme launch")).hashtags_only());
    /// ```
    pub fn hashtags_only(&self) -> bool {
        !self.hashtags.is_empty() && self.words.is_empty() && self.mentions.is_empty()
    }

    /// Whether the query has plain words.
    ///
    /// ```
    /// use socialkit::model::SearchQuery;
    /// use socialkit::text::search::Terms;
    /// assert!(Terms::new(&SearchQuery::new("late #acme")).has_words());
    /// assert!(!Terms::new(&SearchQuery::new("@acme #acme")).has_words());
    /// ```
    pub fn has_words(&self) -> bool {
        !self.words.is_empty()
    }

    /// The handles, folded, without the leading `@` (`acme` or `acme@server`).
    ///
    /// ```
    /// use socialkit::model::SearchQuery;
    /// let t = socialkit::text::search::Terms::new(&SearchQuery::new("@ACME@m.example hi"));
    /// assert_eq!(t.mentions(), ["acme@m.example"]);
    /// ```
    pub fn mentions(&self) -> &[String] {
        &self.mentions
    }

    /// The hashtags, folded, without `#`.
    ///
    /// ```
    /// use socialkit::model::SearchQuery;
    /// let t = socialkit::text::search::Terms::new(&SearchQuery::new("#Acme #Launch"));
    /// assert_eq!(t.hashtags(), ["acme", "launch"]);
    /// ```
    pub fn hashtags(&self) -> &[String] {
        &self.hashtags
    }

    /// The single most selective term to hand a platform whose search matches its query as one
    /// substring (snac) or that ignores words it cannot index: the longest word, else the
    /// longest handle (without `@` and server), else the longest hashtag (without `#`). The
    /// other terms are checked with [`matches`](Self::matches) on what comes back.
    ///
    /// ```
    /// use socialkit::model::SearchQuery;
    /// use socialkit::text::search::Terms;
    /// assert_eq!(Terms::new(&SearchQuery::new("my order #acme")).server_term().unwrap(), "order");
    /// assert_eq!(Terms::new(&SearchQuery::new("@acme@m.example #x")).server_term().unwrap(), "acme");
    /// assert_eq!(Terms::new(&SearchQuery::new("")).server_term(), None);
    /// ```
    pub fn server_term(&self) -> Option<String> {
        let longest = |v: Vec<String>| v.into_iter().max_by_key(|s| s.chars().count());
        longest(self.words.iter().map(|w| w.join(" ")).collect())
            .or_else(|| {
                longest(
                    self.mentions
                        .iter()
                        .map(|m| m.split('@').next().unwrap_or(m).to_string())
                        .filter(|m| !m.is_empty())
                        .collect(),
                )
            })
            .or_else(|| longest(self.hashtags.clone()))
    }
}

/// Whether `language` (a BCP 47 tag of a post, if known) passes the query's language filter:
/// the same primary language (`en` passes `en-GB`), or unknown.
///
/// ```
/// use socialkit::text::search::language_passes;
/// assert!(language_passes(Some("en"), Some("en-GB")));
/// assert!(language_passes(Some("de"), None), "unknown passes");
/// assert!(!language_passes(Some("de"), Some("en")));
/// assert!(language_passes(None, Some("en")));
/// ```
pub fn language_passes(wanted: Option<&str>, language: Option<&str>) -> bool {
    let primary = |l: &str| {
        l.split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    match (wanted, language) {
        (Some(w), Some(l)) if !l.is_empty() => primary(w) == primary(l),
        _ => true,
    }
}
