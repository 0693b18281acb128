//! Mastodon: status length as the server's `StatusLengthValidator` counts it.
//!
//! Mastodon counts graphemes of the content warning plus the text, where every URL (with a
//! protocol, found by Mastodon's patched twitter-text) counts as 23 characters and a remote
//! mention `@user@domain` counts as `@user`. The limit comes from the instance
//! (`configuration.statuses.max_characters`), 500 by default.
//!
//! ```
//! use socialkit::text::mastodon;
//! let text = "@alice@example.social see https://example.com/a/very/long/path/that/is/long";
//! assert_eq!(mastodon::length(text), "@alice see ".len() + 23);
//! ```

use std::sync::OnceLock;

use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use super::chars::char_before;
use super::extract::ends_mention;
use super::x_url::{MASTODON, UrlIter};

/// Mastodon's default limit.
pub const DEFAULT_MAX_CHARACTERS: usize = 500;
/// What a URL counts as.
pub const URL_LENGTH: usize = 23;
/// Longest domain of a remote mention Mastodon accepts.
const MAX_DOMAIN_LENGTH: usize = 253;

/// The length of a status text on Mastodon (no content warning, URLs count 23).
///
/// ```
/// assert_eq!(socialkit::text::mastodon::length("héllo 👋🏽"), 7);
/// ```
pub fn length(text: &str) -> usize {
    length_with(text, None, URL_LENGTH)
}

/// The length of a status on Mastodon: graphemes of the content warning (`spoiler_text`, not
/// shortened) followed by the text in which each URL counts `url_length` and each
/// `@user@domain` counts as `@user`. A text of only whitespace counts 0.
///
/// ```
/// use socialkit::text::mastodon::length_with;
/// assert_eq!(length_with("see https://example.com", Some("CW"), 23), 2 + 4 + 23);
/// ```
pub fn length_with(text: &str, spoiler_text: Option<&str>, url_length: usize) -> usize {
    let mut combined = String::with_capacity(text.len());
    combined.push_str(spoiler_text.unwrap_or(""));
    if !text.chars().all(char::is_whitespace) {
        push_countable_text(text, url_length, &mut combined);
    }
    combined.graphemes(true).count()
}

/// The text with URLs replaced by `url_length` placeholders and remote mentions by their local
/// part, as Mastodon rewrites it before counting.
fn push_countable_text(text: &str, url_length: usize, out: &mut String) {
    // (start, end, replacement length or local part end)
    let mut entities: Vec<(usize, usize, Option<usize>)> = UrlIter::new(text, &MASTODON)
        .map(|u| (u.start, u.end, None))
        .collect();
    entities.extend(mentions(text).map(|(s, e, local_end)| (s, e, Some(local_end))));
    entities.sort_by_key(|e| e.0);
    let mut pos = 0;
    for (start, end, mention) in entities {
        if start < pos {
            continue; // overlaps the previous entity
        }
        out.push_str(&text[pos..start]);
        match mention {
            None => out.extend(std::iter::repeat_n('x', url_length)),
            Some(local_end) => out.push_str(&text[start..local_end]),
        }
        pos = end;
    }
    out.push_str(&text[pos..]);
}

/// Mastodon's mentions (`Account::MENTION_RE`): (start of `@`, end, end of `@user`).
fn mentions(text: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        let word = r"[\p{L}\p{M}\p{Nd}\p{Pc}]";
        let pattern =
            format!(r"^@([a-zA-Z0-9_]+(?:[.-]+[a-zA-Z0-9_]+)*)(@{word}+(?:[.-]+{word}+)*)?");
        Regex::new(&pattern).unwrap_or_else(|_| unreachable!("the mention pattern is valid"))
    });
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(k) = text.get(from..)?.find('@') {
            let at = from + k;
            from = at + 1;
            // (?<![=/[:word:]])
            if char_before(text, at).is_some_and(|c| c == '=' || c == '/' || is_word(c)) {
                continue;
            }
            let Some(caps) = re.captures(&text[at..]) else {
                continue;
            };
            let end = at + caps.get(0).map_or(1, |m| m.end());
            from = end;
            let local_end = at + caps.get(1).map_or(1, |m| m.end());
            let domain_len = caps.get(2).map_or(0, |m| m.len() - 1);
            if ends_mention(&text[end..]) || domain_len > MAX_DOMAIN_LENGTH {
                continue;
            }
            return Some((at, end, local_end));
        }
        None
    })
}

/// Ruby's `[[:word:]]`: letters, marks, decimal digits, connector punctuation.
fn is_word(c: char) -> bool {
    use icu_properties::CodePointMapData;
    use icu_properties::props::{GeneralCategory as G, GeneralCategoryGroup};
    let gc = CodePointMapData::<G>::new().get(c);
    GeneralCategoryGroup::Letter.contains(gc)
        || GeneralCategoryGroup::Mark.contains(gc)
        || gc == G::DecimalNumber
        || gc == G::ConnectorPunctuation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_like_the_status_length_validator() {
        assert_eq!(length(""), 0);
        assert_eq!(length("   "), 0);
        assert_eq!(length_with("  ", Some("cw"), 23), 2);
        assert_eq!(length("@alice@example.social"), "@alice".len());
        assert_eq!(length("@alice"), 6);
        assert_eq!(length("mail a@b.example"), 16);
        assert_eq!(
            length("example.com"),
            11,
            "URLs without protocol are plain text"
        );
        assert_eq!(length("http://example.com http://example.com"), 23 * 2 + 1);
        assert_eq!(length("gemini://example.org/x"), 23);
        assert_eq!(length_with("https://a.example.com/b", None, 30), 30);
        assert_eq!(length("👨‍👩‍👧‍👦🇩🇪"), 2);
    }

    #[test]
    fn mention_rules() {
        let found: Vec<&str> = mentions("a@b x=@c /@d @e@ @f@g.h @i.j")
            .map(|(s, e, _)| &"a@b x=@c /@d @e@ @f@g.h @i.j"[s..e])
            .collect();
        assert_eq!(found, ["@f@g.h", "@i.j"]);
    }
}
