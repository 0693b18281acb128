//! Platform-neutral extraction of links, mentions and hashtags, and index conversion.
//!
//! [`TextRule`](super::TextRule) limits (Threads: 5 links, Instagram: 5 hashtags and 20
//! mentions) and [`split_thread`](super::split_thread) use these. Platform-exact detection lives
//! with its platform: Bluesky facets in [`bluesky`](super::bluesky), Mastodon's counting in
//! [`mastodon`](super::mastodon), X's URLs in [`x`](super::x).

use icu_properties::CodePointMapData;
use icu_properties::props::{GeneralCategory, GeneralCategoryGroup};
use serde::{Deserialize, Serialize};

use super::chars::{char_at, char_before, is_latin_accent};
use super::x_url::{TWITTER, UrlIter};

/// The unit of a text index.
///
/// Rust strings are indexed in UTF-8 bytes; twitter-text (JavaScript, Java), Telegram entities
/// and the JavaScript DOM count UTF-16 code units; Ruby and Python count code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IndexUnit {
    /// UTF-8 bytes: `&text[start..end]` is the entity (Bluesky facets use these).
    Utf8,
    /// UTF-16 code units (twitter-text's indices, Telegram's entity offsets).
    Utf16,
    /// Unicode scalar values (`char`s).
    Chars,
}

/// A piece of a text found by an extractor: UTF-8 byte offsets, end exclusive.
///
/// ```
/// let text = "hi #rust";
/// let tags = socialkit::text::extract::hashtags(text);
/// assert_eq!(tags[0].as_str(text), "#rust");
/// assert_eq!((tags[0].start, tags[0].end), (3, 8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset after the last byte.
    pub end: usize,
}

impl Span {
    /// The spanned text. Empty when the span does not fit `text`.
    ///
    /// ```
    /// use socialkit::text::extract::Span;
    /// assert_eq!(Span { start: 1, end: 3 }.as_str("abcd"), "bc");
    /// ```
    pub fn as_str(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// Whether `byte` lies strictly inside the span (a cut there would split it).
    ///
    /// ```
    /// use socialkit::text::extract::Span;
    /// let s = Span { start: 2, end: 5 };
    /// assert!(s.strictly_contains(3));
    /// assert!(!s.strictly_contains(2) && !s.strictly_contains(5));
    /// ```
    pub fn strictly_contains(self, byte: usize) -> bool {
        self.start < byte && byte < self.end
    }
}

/// Links as twitter-text finds them: with protocol (`https://…`) or without (`example.com`,
/// which needs a known TLD).
///
/// ```
/// let text = "see example.com/a and https://t.co/x";
/// let links: Vec<&str> = socialkit::text::extract::links(text).iter().map(|s| s.as_str(text)).collect();
/// assert_eq!(links, ["example.com/a", "https://t.co/x"]);
/// ```
pub fn links(text: &str) -> Vec<Span> {
    UrlIter::new(text, &TWITTER)
        .map(|u| Span {
            start: u.start,
            end: u.end,
        })
        .collect()
}

/// Mentions: `@` (or `＠`) not preceded by a letter, digit, `_` or `@`, then a handle of ASCII
/// letters, digits, `_`, `.` and `-` ending in a letter, digit or `_`, optionally followed by
/// `@domain.tld` (fediverse). Covers X/Instagram (`@name`), Bluesky (`@name.bsky.social`) and
/// Mastodon (`@user@host`) handles. As in twitter-text, a mention followed by `://`, another
/// `@` or a latin accented letter is not one.
///
/// ```
/// let text = "hi @alice, @bob.bsky.social and @carol@mastodon.social! mail a@b.c";
/// let found: Vec<&str> = socialkit::text::extract::mentions(text).iter().map(|s| s.as_str(text)).collect();
/// assert_eq!(found, ["@alice", "@bob.bsky.social", "@carol@mastodon.social"]);
/// ```
pub fn mentions(text: &str) -> Vec<Span> {
    let handle_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let handle_end_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(k) = text[i..].find(['@', '＠']) {
        let at = i + k;
        let at_len = char_at(text, at).map_or(1, char::len_utf8);
        i = at + at_len;
        if char_before(text, at)
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '@' | '＠'))
        {
            continue;
        }
        let Some(end) = trimmed_run(text, i, handle_char, handle_end_char) else {
            continue;
        };
        let mut end = end;
        // Fediverse: @user@host.tld
        if char_at(text, end) == Some('@') {
            if let Some(host_end) =
                trimmed_run(text, end + 1, handle_char, |c| c.is_ascii_alphanumeric())
            {
                if text[end + 1..host_end].contains('.') {
                    end = host_end;
                }
            }
        }
        if ends_mention(&text[end..]) {
            i = end;
            continue;
        }
        out.push(Span { start: at, end });
        i = end;
    }
    out
}

/// The end of the longest run of `body` characters from `from` that ends with an `end_ok`
/// character, if there is one.
fn trimmed_run(
    text: &str,
    from: usize,
    body: impl Fn(char) -> bool,
    end_ok: impl Fn(char) -> bool,
) -> Option<usize> {
    let run_end = super::chars::run_end(text, from, body);
    text[from..run_end]
        .char_indices()
        .rev()
        .find(|&(_, c)| end_ok(c))
        .map(|(k, c)| from + k + c.len_utf8())
}

fn is_letter_or_mark(c: char) -> bool {
    let gc = CodePointMapData::<GeneralCategory>::new().get(c);
    GeneralCategoryGroup::Letter.contains(gc) || GeneralCategoryGroup::Mark.contains(gc)
}

fn is_hashtag_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    is_letter_or_mark(c)
        || CodePointMapData::<GeneralCategory>::new().get(c) == GeneralCategory::DecimalNumber
        || matches!(
            c,
            '\u{200c}'
                | '\u{200d}'
                | '\u{a67e}'
                | '\u{5be}'
                | '\u{5f3}'
                | '\u{5f4}'
                | '\u{ff5e}'
                | '\u{301c}'
                | '\u{309b}'
                | '\u{309c}'
                | '\u{30a0}'
                | '\u{30fb}'
                | '\u{3003}'
                | '\u{f0b}'
                | '\u{f0c}'
                | '\u{b7}'
        )
}

/// Hashtags as twitter-text finds them: `#` or `＃` not preceded by a hashtag character or
/// `&`, then letters, marks, digits and `_` with at least one letter or mark (`#2024` is not a
/// hashtag), not followed by another `#` or `://`, and not inside a link.
///
/// ```
/// let text = "#rust & #2024 #año_nuevo https://example.com/#frag";
/// let tags: Vec<&str> = socialkit::text::extract::hashtags(text).iter().map(|s| s.as_str(text)).collect();
/// assert_eq!(tags, ["#rust", "#año_nuevo"]);
/// ```
pub fn hashtags(text: &str) -> Vec<Span> {
    if !text.contains(['#', '＃']) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(k) = text[i..].find(['#', '＃']) {
        let hash = i + k;
        let body = hash + char_at(text, hash).map_or(1, char::len_utf8);
        i = body;
        let boundary_ok = match char_before(text, hash) {
            None | Some('\u{fe0e}' | '\u{fe0f}') => true,
            Some(c) => !(is_hashtag_char(c) || c == '&'),
        };
        if !boundary_ok || matches!(char_at(text, body), Some('\u{fe0f}' | '\u{20e3}')) {
            continue;
        }
        let end = super::chars::run_end(text, body, is_hashtag_char);
        if !text[body..end]
            .chars()
            .any(|c| c.is_ascii_alphabetic() || (!c.is_ascii() && is_letter_or_mark(c)))
        {
            continue;
        }
        i = end;
        if text[end..].starts_with("://")
            || char_at(text, end).is_some_and(|c| c == '#' || c == '＃')
        {
            continue;
        }
        out.push(Span { start: hash, end });
    }
    remove_overlaps(out, &links(text))
}

/// `items` minus those that overlap one of `others` (twitter-text's overlap removal, keeping
/// the earlier-starting entity).
fn remove_overlaps(items: Vec<Span>, others: &[Span]) -> Vec<Span> {
    if others.is_empty() {
        return items;
    }
    let mut all: Vec<(Span, bool)> = items
        .into_iter()
        .map(|s| (s, true))
        .chain(others.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by_key(|(s, _)| s.start);
    let mut kept = Vec::new();
    let mut prev_end = 0;
    for (k, (span, mine)) in all.into_iter().enumerate() {
        if k > 0 && prev_end > span.start {
            continue;
        }
        prev_end = span.end;
        if mine {
            kept.push(span);
        }
    }
    kept
}

/// Converts sorted UTF-8 byte offsets of `text` into `unit`, in one pass.
pub(crate) fn convert_offsets(text: &str, offsets: &mut [usize], unit: IndexUnit) {
    if unit == IndexUnit::Utf8 {
        return;
    }
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&k| offsets[k]);
    let mut converted = 0;
    let mut byte = 0;
    let mut chars = text.chars();
    for k in order {
        let target = offsets[k];
        while byte < target {
            let Some(c) = chars.next() else { break };
            byte += c.len_utf8();
            converted += match unit {
                IndexUnit::Utf16 => c.len_utf16(),
                _ => 1,
            };
        }
        offsets[k] = converted;
    }
}

/// twitter-text's `endMentionMatch`: whether the text after a mention (`after`) makes it no
/// mention (another `@`, a latin accent character, or `://`).
pub(crate) fn ends_mention(after: &str) -> bool {
    after.starts_with("://")
        || after
            .chars()
            .next()
            .is_some_and(|c| c == '@' || c == '＠' || is_latin_accent(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_convert_between_units() {
        let text = "a😀b";
        let mut offs = [0, 1, 5, 6];
        convert_offsets(text, &mut offs, IndexUnit::Utf16);
        assert_eq!(offs, [0, 1, 3, 4]);
        let mut offs = [6, 0, 5];
        convert_offsets(text, &mut offs, IndexUnit::Chars);
        assert_eq!(offs, [3, 0, 2]);
    }

    #[test]
    fn hashtag_rules() {
        let text = "a#b #1 #a1 ＃全角 #️⃣x #x#y #foo://";
        let tags: Vec<&str> = hashtags(text).iter().map(|s| s.as_str(text)).collect();
        assert_eq!(tags, ["#a1", "＃全角"]);
    }

    #[test]
    fn mention_rules() {
        let text = "a@b @x:// @ok @ok2@ @user@host.example";
        let found: Vec<&str> = mentions(text).iter().map(|s| s.as_str(text)).collect();
        assert_eq!(found, ["@ok", "@user@host.example"]);
    }
}
