//! Bluesky: grapheme and byte length, and rich-text facets.
//!
//! A Bluesky post is at most 300 graphemes and 3000 UTF-8 bytes. Links, mentions and hashtags
//! are not parsed by the server: the client sends them as facets with UTF-8 byte offsets.
//! [`detect_facets`] finds them with the rules of the atproto reference client (`@atproto/api`,
//! `RichText.detectFacets`); a mention carries the handle, which the adapter resolves to a DID.
//!
//! ```
//! use socialkit::text::bluesky::{detect_facets, FacetFeature};
//! let text = "Hi @alice.bsky.social, see example.com/docs #rust";
//! let facets = detect_facets(text);
//! assert_eq!(facets.len(), 3);
//! assert_eq!(&text[facets[0].byte_start..facets[0].byte_end], "@alice.bsky.social");
//! assert_eq!(facets[1].feature, FacetFeature::Link { uri: "https://example.com/docs".into() });
//! assert_eq!(facets[2].feature, FacetFeature::Tag { tag: "rust".into() });
//! ```

use serde::{Deserialize, Serialize};

use super::chars::{char_at, char_before, is_ascii_word, is_js_space, run_end};
use super::tlds::is_iana_tld;

/// Bluesky's limit in graphemes.
pub const MAX_GRAPHEMES: usize = 300;
/// Bluesky's limit in UTF-8 bytes.
pub const MAX_BYTES: usize = 3000;
/// Longest hashtag, in graphemes, without the `#`.
pub const MAX_TAG_GRAPHEMES: usize = 64;

/// The number of extended grapheme clusters of `text`, as Bluesky counts a post.
///
/// ```
/// assert_eq!(socialkit::text::bluesky::grapheme_length("👨‍👩‍👧‍👦 é"), 3);
/// ```
pub fn grapheme_length(text: &str) -> usize {
    super::graphemes::count(text)
}

/// The number of UTF-8 bytes of `text`.
///
/// ```
/// assert_eq!(socialkit::text::bluesky::byte_length("é"), 2);
/// ```
pub fn byte_length(text: &str) -> usize {
    text.len()
}

/// A rich-text facet: a feature of the bytes `byte_start..byte_end` (UTF-8, end exclusive) of
/// the post text. Serialises as the fields, not as atproto's `index`/`features` record: the
/// adapter builds that.
///
/// ```
/// use socialkit::text::bluesky::{Facet, FacetFeature};
/// let f = Facet { byte_start: 0, byte_end: 5, feature: FacetFeature::Tag { tag: "rust".into() } };
/// assert_eq!(serde_json::to_value(&f).unwrap()["feature"]["type"], "tag");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Facet {
    /// UTF-8 offset of the first byte.
    pub byte_start: usize,
    /// UTF-8 offset after the last byte.
    pub byte_end: usize,
    /// What the bytes are.
    pub feature: FacetFeature,
}

/// What a facet marks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FacetFeature {
    /// A link; bare domains get `https://`.
    Link {
        /// The URI to link to.
        uri: String,
    },
    /// A mention of a handle (without `@`), to be resolved to a DID.
    Mention {
        /// The handle, e.g. `alice.bsky.social`.
        handle: String,
    },
    /// A hashtag (without `#`), or a cashtag (with its `$`, upper-cased: `$AAPL`) as the
    /// reference client makes them.
    Tag {
        /// The tag.
        tag: String,
    },
}

/// Detects links, mentions, hashtags and cashtags with the atproto reference client's rules,
/// sorted by start (facets starting at the same byte keep the order mentions, links, tags).
///
/// - Mentions: `@handle` at the start, after whitespace or `(`; the handle (letters, digits,
///   `.`, `-`) must end in a known TLD (or `.test`).
/// - Links: at the start of a line, after whitespace or `(`: `http://…` or `https://…` up to
///   whitespace, or a bare domain (`example.com/path`, ASCII) whose TLD is known, which gets
///   `https://`; one trailing `.,;:!?` is dropped, then a trailing `)` when the link has no
///   `(`. As in the reference, the scheme is lower-case (`HTTPS://…` is no link), and a match
///   that starts with `http` stays as it is without a check of its TLD (`httpbin.org` gives the
///   URI `httpbin.org`).
/// - Hashtags: `#` or `＃` at the start or after whitespace, not followed by U+FE0F, then
///   characters up to whitespace (or a zero-width or soft-hyphen character) with at least one
///   that is not a digit or punctuation; trailing punctuation is dropped; at most 64 graphemes.
/// - Cashtags: `$` then a letter and up to 4 letters or digits, followed by whitespace, the end
///   or closing punctuation.
///
/// Every rule is the reference's, on any text: `tests/text_reference_agreement.rs` compares
/// the facets with `@atproto/api`'s on thousands of texts.
///
/// ```
/// use socialkit::text::bluesky::{detect_facets, FacetFeature};
/// let facets = detect_facets("(https://example.com) and $aapl.");
/// assert_eq!(facets[0].feature, FacetFeature::Link { uri: "https://example.com".into() });
/// assert_eq!((facets[0].byte_start, facets[0].byte_end), (1, 20));
/// assert_eq!(facets[1].feature, FacetFeature::Tag { tag: "$AAPL".into() });
/// ```
pub fn detect_facets(text: &str) -> Vec<Facet> {
    let mut facets = Vec::new();
    detect_mentions(text, &mut facets);
    detect_links(text, &mut facets);
    detect_tags(text, &mut facets);
    detect_cashtags(text, &mut facets);
    facets.sort_by_key(|f| f.byte_start);
    facets
}

/// `isValidDomain` of the reference: the last label is a known TLD (case-sensitive).
fn is_valid_domain(s: &str) -> bool {
    s.rsplit_once('.').is_some_and(|(_, tld)| is_iana_tld(tld))
}

/// Start positions allowed by `(^|\s|\()` (and `^` after a line break where `multiline`).
fn after_opener(text: &str, i: usize, multiline: bool) -> bool {
    // An ASCII character before `i` is told by its byte (the multiline line breaks are
    // `\s` already).
    if let Some(&b) = i.checked_sub(1).and_then(|k| text.as_bytes().get(k)) {
        if b.is_ascii() {
            return matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | b'(');
        }
    }
    match char_before(text, i) {
        None => true,
        Some(c) => {
            is_js_space(c)
                || c == '('
                || (multiline && matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'))
        }
    }
}

fn detect_mentions(text: &str, out: &mut Vec<Facet>) {
    let handle_char = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let mut from = 0;
    while let Some(k) = text[from..].find('@') {
        let at = from + k;
        from = at + 1;
        if !after_opener(text, at, false) {
            continue;
        }
        // [a-zA-Z0-9.-]+ then \b: the longest prefix of the run that ends at a word boundary.
        let run = run_end(text, at + 1, handle_char);
        let boundary = |p: usize| {
            let before = char_before(text, p).is_some_and(is_ascii_word);
            let after = char_at(text, p).is_some_and(is_ascii_word);
            before != after
        };
        let Some(end) = (at + 2..=run).rev().find(|&p| boundary(p)) else {
            continue;
        };
        from = end;
        let handle = &text[at + 1..end];
        if !is_valid_domain(handle) && !handle.ends_with(".test") {
            continue;
        }
        out.push(Facet {
            byte_start: at,
            byte_end: end,
            feature: FacetFeature::Mention {
                handle: handle.to_string(),
            },
        });
    }
}

fn detect_links(text: &str, out: &mut Vec<Facet>) {
    let mut from = 0;
    while let Some(i) = next_link_start(text, from) {
        let Some((end, has_protocol, domain_end)) = link_at(text, i) else {
            from = i + 1;
            continue;
        };
        let matched = &text[i..end];
        // The reference's test is `uri.startsWith('http')`, case-sensitive: a match that starts
        // with `http` is a link as it is, even without a protocol (`httpbin.org`); a protocol in
        // another case (`HTTPS://`) is no link; a bare domain needs a known TLD.
        let mut uri = if matched.starts_with("http") {
            matched.to_string()
        } else if has_protocol || !is_valid_domain(&text[i..domain_end]) {
            from = end;
            continue;
        } else {
            format!("https://{matched}")
        };
        let mut byte_end = end;
        if uri.ends_with(['.', ',', ';', ':', '!', '?']) {
            uri.pop();
            byte_end -= 1;
        }
        if uri.ends_with(')') && !uri.contains('(') {
            uri.pop();
            byte_end -= 1;
        }
        out.push(Facet {
            byte_start: i,
            byte_end,
            feature: FacetFeature::Link { uri },
        });
        from = end;
    }
}

/// The first position at or after `from` where a link can start: an ASCII letter (both
/// alternatives of the reference's regex start with one) at the start of the text or after
/// an opener ([`after_opener`], multiline). Openers are found by their bytes: ASCII ones, or
/// the lead byte of a non-ASCII space (U+00A0, U+1680, U+2000..U+205F, U+3000, U+FEFF), then
/// checked.
fn next_link_start(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if from == 0 && bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        return Some(0);
    }
    let mut j = from.max(1) - 1;
    while j < bytes.len() {
        let k = j + bytes[j..].iter().position(|&b| {
            matches!(
                b,
                b'\t'
                    | b'\n'
                    | 0x0b
                    | 0x0c
                    | b'\r'
                    | b' '
                    | b'('
                    | 0xc2
                    | 0xe1
                    | 0xe2
                    | 0xe3
                    | 0xef
            )
        })?;
        let opener_end = if bytes[k] < 0x80 {
            Some(k + 1)
        } else {
            char_at(text, k)
                .filter(|&c| is_js_space(c))
                .map(|c| k + c.len_utf8())
        };
        if let Some(i) = opener_end {
            if i >= from && bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                return Some(i);
            }
        }
        j = k + 1;
    }
    None
}

/// `https?://\S+` or `[a-z][a-z0-9]*(\.[a-z0-9]+)+\S*` (case-insensitive) at `i`:
/// (end, has protocol, end of the domain).
fn link_at(text: &str, i: usize) -> Option<(usize, bool, usize)> {
    let not_space = |c: char| !is_js_space(c);
    let b = text.as_bytes();
    let scheme = if b.len() >= i + 8 && b[i..i + 8].eq_ignore_ascii_case(b"https://") {
        8
    } else if b.len() >= i + 7 && b[i..i + 7].eq_ignore_ascii_case(b"http://") {
        7
    } else {
        0
    };
    if scheme > 0 {
        let end = run_end(text, i + scheme, not_space);
        if end > i + scheme {
            return Some((end, true, end));
        }
    }
    if !char_at(text, i).is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let mut domain_end = run_end(text, i, alnum);
    let mut labels = 0;
    while char_at(text, domain_end) == Some('.') {
        let label_end = run_end(text, domain_end + 1, alnum);
        if label_end == domain_end + 1 {
            break;
        }
        domain_end = label_end;
        labels += 1;
    }
    if labels == 0 {
        return None;
    }
    Some((run_end(text, domain_end, not_space), false, domain_end))
}

/// Characters that end a hashtag: whitespace, soft hyphen, word joiner, zero-width spaces and
/// joiners, U+20E2.
fn ends_tag(c: char) -> bool {
    is_js_space(c)
        || matches!(
            c,
            '\u{ad}' | '\u{2060}' | '\u{200a}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{20e2}'
        )
}

fn is_punctuation(c: char) -> bool {
    use icu_properties::CodePointMapData;
    use icu_properties::props::{GeneralCategory, GeneralCategoryGroup};
    GeneralCategoryGroup::Punctuation.contains(CodePointMapData::<GeneralCategory>::new().get(c))
}

fn detect_tags(text: &str, out: &mut Vec<Facet>) {
    let mut from = 0;
    // The next '#' and the next '＃', each found by its own fast search.
    let find = |from: usize, pattern: char| text[from..].find(pattern).map(|k| from + k);
    let (mut ascii, mut fullwidth) = (find(0, '#'), find(0, '＃'));
    loop {
        if ascii.is_some_and(|a| a < from) {
            ascii = find(from, '#');
        }
        if fullwidth.is_some_and(|f| f < from) {
            fullwidth = find(from, '＃');
        }
        let hash = match (ascii, fullwidth) {
            (Some(a), f) if f.is_none_or(|f| a < f) => a,
            (_, Some(f)) => f,
            _ => break,
        };
        let body = hash + char_at(text, hash).map_or(1, char::len_utf8);
        from = body;
        if !char_before(text, hash).is_none_or(is_js_space) {
            continue;
        }
        if char_at(text, body) == Some('\u{fe0f}') {
            continue;
        }
        let end = run_end(text, body, |c| !ends_tag(c));
        let run = &text[body..end];
        if !run
            .chars()
            .any(|c| !c.is_ascii_digit() && !is_punctuation(c))
        {
            continue;
        }
        from = end;
        let tag = run
            .trim_matches(is_js_space)
            .trim_end_matches(is_punctuation);
        if tag.is_empty()
            || (tag.encode_utf16().count() > MAX_TAG_GRAPHEMES
                && grapheme_length(tag) > MAX_TAG_GRAPHEMES)
        {
            continue;
        }
        out.push(Facet {
            byte_start: hash,
            byte_end: body + tag.len(),
            feature: FacetFeature::Tag {
                tag: tag.to_string(),
            },
        });
    }
}

fn detect_cashtags(text: &str, out: &mut Vec<Facet>) {
    let mut from = 0;
    while let Some(k) = text[from..].find('$') {
        let dollar = from + k;
        from = dollar + 1;
        if !after_opener(text, dollar, false) {
            continue;
        }
        if !char_at(text, dollar + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let end = run_end(text, dollar + 1, |c| c.is_ascii_alphanumeric());
        if end - (dollar + 1) > 5 {
            continue;
        }
        let follow_ok = char_at(text, end).is_none_or(|c| {
            is_js_space(c)
                || matches!(
                    c,
                    '.' | ',' | ';' | ':' | '!' | '?' | ')' | '"' | '\'' | '\u{2019}'
                )
        });
        if !follow_ok {
            continue;
        }
        from = end;
        out.push(Facet {
            byte_start: dollar,
            byte_end: end,
            feature: FacetFeature::Tag {
                tag: format!("${}", text[dollar + 1..end].to_ascii_uppercase()),
            },
        });
    }
}

#[cfg(test)]
mod tests;
