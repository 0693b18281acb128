//! A text prepared for matching: lower-cased (NFC) words, hashtags and mentions.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// A text split into what queries match: words (Unicode word boundaries, lower case),
/// hashtags and mentions.
///
/// Build it once per interaction and match any number of queries against it.
///
/// ```
/// use socialkit::listen::query::Document;
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
pub(crate) fn words(s: &str) -> Vec<String> {
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
mod tests {
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
