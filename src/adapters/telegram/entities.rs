//! Telegram formatting entities built from socialkit's facets, never from hand-escaped
//! Markdown or HTML: the text is sent as it is, and each link, mention and hashtag that
//! [`crate::text::extract`] finds becomes a `MessageEntity` with its offset and length in
//! UTF-16 code units (<https://core.telegram.org/bots/api#messageentity>).
//!
//! - a link with a scheme is a `url` entity; a bare domain (`example.com/a`) is a `text_link`
//!   to `https://…`, so it opens the same way on every client;
//! - `@username` (5–32 letters, digits and `_`, Telegram's username rule) is a `mention`;
//!   fediverse and Bluesky handles (`@a@b.social`, `@a.bsky.social`) stay plain text;
//! - `#tag` is a `hashtag`.

use super::api::MessageEntity;
use crate::text::IndexUnit;
use crate::text::extract::{self, Span, convert_offsets};

/// Whether `name` (without `@`) is a Telegram username: 5–32 of `a-z A-Z 0-9 _`.
fn is_username(name: &str) -> bool {
    (5..=32).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The entities of `text`, sorted by offset, in UTF-16 code units.
pub fn entities(text: &str) -> Vec<MessageEntity> {
    let mut found: Vec<(Span, &'static str, Option<String>)> = Vec::new();
    for span in extract::links(text) {
        let link = span.as_str(text);
        let has_scheme = link
            .get(..8)
            .is_some_and(|p| p.to_ascii_lowercase().starts_with("https://"))
            || link
                .get(..7)
                .is_some_and(|p| p.eq_ignore_ascii_case("http://"));
        if has_scheme {
            found.push((span, "url", None));
        } else {
            found.push((span, "text_link", Some(format!("https://{link}"))));
        }
    }
    for span in extract::mentions(text) {
        let m = span.as_str(text);
        let name = m.trim_start_matches(['@', '＠']);
        if m.starts_with('@') && is_username(name) {
            found.push((span, "mention", None));
        }
    }
    for span in extract::hashtags(text) {
        found.push((span, "hashtag", None));
    }
    found.sort_by_key(|(s, _, _)| s.start);
    // Entities may nest but not overlap partially; the extractors can disagree at the edges
    // (a mention inside a link): keep the earlier one.
    let mut kept: Vec<(Span, &'static str, Option<String>)> = Vec::with_capacity(found.len());
    for f in found {
        if kept.last().is_none_or(|(s, _, _)| s.end <= f.0.start) {
            kept.push(f);
        }
    }
    let mut offsets: Vec<usize> = kept.iter().flat_map(|(s, _, _)| [s.start, s.end]).collect();
    convert_offsets(text, &mut offsets, IndexUnit::Utf16);
    kept.into_iter()
        .enumerate()
        .map(|(k, (_, kind, url))| MessageEntity {
            kind: kind.to_string(),
            offset: offsets[2 * k],
            length: offsets[2 * k + 1] - offsets[2 * k],
            url,
            user: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16_slice(text: &str, e: &MessageEntity) -> String {
        let units: Vec<u16> = text.encode_utf16().collect();
        String::from_utf16(&units[e.offset..e.offset + e.length]).unwrap()
    }

    #[test]
    fn offsets_are_utf16_and_slice_back_to_the_facet() {
        let text = "𝕏 ünïcödé 👩‍👩‍👧 https://example.com/ä?q=1 @acme_news #año #x1";
        let e = entities(text);
        let kinds: Vec<&str> = e.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["url", "mention", "hashtag", "hashtag"]);
        let slices: Vec<String> = e.iter().map(|x| utf16_slice(text, x)).collect();
        assert_eq!(
            slices,
            ["https://example.com/ä?q=1", "@acme_news", "#año", "#x1"]
        );
    }

    #[test]
    fn foreign_handles_and_short_names_stay_text() {
        let e = entities("hi @bob @alice@mastodon.social @carol.bsky.social");
        assert!(e.is_empty(), "{e:?}");
        assert!(entities("").is_empty());
        assert!(entities("plain words only").is_empty());
    }
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn module() {
        use crate::adapters::telegram::entities::entities;
        let e = entities("😀 see example.com @acme_news #launch");
        assert_eq!(
            (e[0].kind.as_str(), e[0].offset, e[0].length),
            ("text_link", 7, 11)
        );
        assert_eq!(e[0].url.as_deref(), Some("https://example.com"));
        assert_eq!(
            (e[1].kind.as_str(), e[1].offset, e[1].length),
            ("mention", 19, 10)
        );
        assert_eq!(
            (e[2].kind.as_str(), e[2].offset, e[2].length),
            ("hashtag", 30, 7)
        );
    }
}
