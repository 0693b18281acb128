//! What a [`SearchQuery`] means for one text, the same on every platform: every word (whole
//! words, case-insensitive, Unicode word boundaries; a word also matches inside a hashtag or
//! handle, as in listening queries), every `#hashtag` and every `@handle` of the query occur in
//! the text.
//!
//! Platforms search differently (Mastodon's Elasticsearch stems English words, snac matches
//! the whole query as a substring, Bluesky's AppView may do either), so adapters ask the
//! platform for candidates and keep those that [`matches`] accepts: the same query gives the
//! same kind of result everywhere. The matching itself is [`Document`]'s, which listening
//! queries use too, so a search and a listening query agree on what a word is.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

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
                .map(document_words)
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
    /// use socialkit::text::search::Document;
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

// A text prepared for matching: lower-cased (NFC) words, hashtags and mentions. Listening
// queries (`listen::query`) match against the same documents.

/// A text split into what queries match: words (Unicode word boundaries, lower case),
/// hashtags and mentions.
///
/// Build it once per interaction and match any number of queries against it.
///
/// ```
/// use socialkit::text::search::Document;
/// let d = Document::new("Loving the new #AcmeAnvil from @acme@mastodon.social!");
/// assert!(d.has_word("loving"));
/// assert!(d.has_hashtag("acmeanvil"));
/// assert!(d.has_mention("acme"));
/// assert!(d.has_mention("acme@mastodon.social"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    words: Vec<String>,
    word_set: HashSet<String>,
    hashtags: HashSet<String>,
    mentions: Vec<String>,
}

/// Lower case after NFC, so composed and decomposed spellings compare equal.
pub(crate) fn fold(s: &str) -> String {
    s.nfc().collect::<String>().to_lowercase()
}

/// The words of `s`, folded.
pub(crate) fn document_words(s: &str) -> Vec<String> {
    fold(s).unicode_words().map(str::to_string).collect()
}

impl Document {
    /// Prepares `text`.
    pub fn new(text: &str) -> Document {
        let folded = fold(text);
        let words: Vec<String> = folded.unicode_words().map(str::to_string).collect();
        let word_set = words.iter().cloned().collect();
        let mut hashtags = HashSet::new();
        let mut mentions = Vec::new();
        let chars: Vec<char> = folded.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let starts = (c == '#' || c == '@' || c == '＃')
                && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
            if !starts {
                i += 1;
                continue;
            }
            let mention = c == '@';
            let mut j = i + 1;
            while j < chars.len() {
                let d = chars[j];
                let ok = d.is_alphanumeric()
                    || d == '_'
                    || is_joiner(d)
                    || (mention && matches!(d, '.' | '@' | '-'));
                if !ok {
                    break;
                }
                j += 1;
            }
            let body: String = chars[i + 1..j].iter().collect();
            let body = body.trim_end_matches(['.', '-', '@']).to_string();
            if !body.is_empty() {
                if mention {
                    mentions.push(body);
                } else {
                    hashtags.insert(body);
                }
            }
            i = j.max(i + 1);
        }
        Document {
            words,
            word_set,
            hashtags,
            mentions,
        }
    }

    /// Whether the text has this (folded) word.
    pub fn has_word(&self, word: &str) -> bool {
        self.word_set.contains(word)
    }

    /// Whether a word starts with `prefix`.
    pub fn has_word_prefix(&self, prefix: &str) -> bool {
        self.words.iter().any(|w| w.starts_with(prefix))
    }

    /// Whether the words `phrase` occur one right after the other.
    pub fn has_phrase(&self, phrase: &[String]) -> bool {
        match phrase.len() {
            0 => false,
            1 => self.has_word(&phrase[0]),
            n => self.words.windows(n).any(|w| w == phrase),
        }
    }

    /// Whether the text has this hashtag (without `#`, folded).
    pub fn has_hashtag(&self, tag: &str) -> bool {
        self.hashtags.contains(tag)
    }

    /// Whether the text mentions `handle` (without `@`, folded): `acme` matches `@acme` and
    /// `@acme@any.server`; `acme@mastodon.social` matches only that account.
    pub fn has_mention(&self, handle: &str) -> bool {
        self.mentions
            .iter()
            .any(|m| m == handle || (!handle.contains('@') && m.split('@').next() == Some(handle)))
    }

    /// The words, in order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// How many hashtags the text has (distinct).
    pub fn hashtag_count(&self) -> usize {
        self.hashtags.len()
    }

    /// How many mentions the text has.
    pub fn mention_count(&self) -> usize {
        self.mentions.len()
    }
}

/// Zero-width joiners and variation selectors that belong inside a hashtag (emoji, Indic).
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200c}' | '\u{200d}' | '\u{fe0f}') || ('\u{0300}'..='\u{036f}').contains(&c)
}

#[cfg(test)]
mod document_tests {
    use super::*;

    #[test]
    fn emails_are_not_mentions_and_hashtags_need_a_boundary() {
        let d = Document::new("mail ann@acme.com or see issue#12 and #Café.");
        assert_eq!(d.mention_count(), 0);
        assert!(!d.has_hashtag("12"));
        assert!(d.has_hashtag("café"));
    }

    #[test]
    fn nfc_and_case_are_folded() {
        let d = Document::new("CAFE\u{301} Straße");
        assert!(d.has_word("café"));
        assert!(d.has_word("straße"));
    }
}
