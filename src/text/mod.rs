//! Text rules of every platform: how long a post may be and how each platform counts it,
//! rich-text facets, and splitting a long text into a thread.
//!
//! Every platform counts differently: X weighs code points and counts every URL as 23
//! ([`x`]); Bluesky counts graphemes and UTF-8 bytes and needs facets with byte offsets
//! ([`bluesky`]); Mastodon counts graphemes with URLs as 23 and remote mentions as local ones
//! ([`mastodon`]); Telegram counts UTF-16 code units ([`telegram`]). A [`TextRule`] holds one
//! platform's limits as data ([`rules`] has them all); [`TextRule::check`] turns a violation into
//! a validation error that says by how much, and [`split_thread`] splits a long text into parts
//! that pass.
//!
//! ```
//! use socialkit::text::{rules, split_thread, SplitOptions};
//!
//! let rule = rules::bluesky();
//! let text = "Rust 🦀 ".repeat(60);
//! assert_eq!(rule.count(&text), 420);
//! let err = rule.check("bluesky", &text).unwrap_err();
//! assert!(err.to_string().contains("120 over"));
//! let thread = split_thread(&text, &rule, &SplitOptions::default()).unwrap();
//! assert!(thread.iter().all(|part| rule.check("bluesky", part).is_ok()));
//! ```

// `crate::Error` is a large value (kind, message, context, detail, source); every function here
// that returns `crate::Result` would trip this lint. Its size is decided in `src/error.rs`.

pub mod bluesky;
pub mod extract;
pub mod linkedin;
pub mod mastodon;
pub mod rules;
pub mod search;
pub mod telegram;
pub mod x;

mod chars;
mod graphemes;
mod split;
mod tlds;
mod x_emoji;
#[rustfmt::skip]
mod x_emoji_table;
mod x_url;

use serde::{Deserialize, Serialize};

use crate::{Detail, Error, Result};

pub use extract::IndexUnit;
pub use split::{Numbering, SplitOptions, split_thread};

/// How a platform counts the length of a text.
///
/// ```
/// use socialkit::text::Counting;
/// let json = serde_json::to_string(&Counting::Mastodon { url_length: 23 }).unwrap();
/// assert_eq!(json, r#"{"type":"mastodon","url_length":23}"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Counting {
    /// twitter-text v3 weighted length (see [`x`]).
    XWeighted,
    /// Extended grapheme clusters.
    Graphemes,
    /// Graphemes; each URL counts `url_length`; `@user@domain` counts as `@user` (see
    /// [`mastodon`]).
    Mastodon {
        /// What a URL counts as (23 on Mastodon).
        url_length: usize,
    },
    /// Unicode scalar values.
    Chars,
    /// UTF-16 code units (Telegram, and JavaScript's `length`).
    Utf16,
}

/// One platform's text limits, as data.
///
/// ```
/// use socialkit::text::{Counting, TextRule};
/// let rule = TextRule::new(Counting::Graphemes, 300).with_max_bytes(3000);
/// assert_eq!(rule.remaining("héllo"), 295);
/// assert!(rule.check("bluesky", "héllo").is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextRule {
    /// How the length is counted.
    pub counting: Counting,
    /// The longest text, in `counting` units.
    pub max: usize,
    /// The longest text in UTF-8 bytes (Bluesky: 3000).
    pub max_bytes: Option<usize>,
    /// The most links (Threads: 5).
    pub max_links: Option<usize>,
    /// The most hashtags (Instagram: 30).
    pub max_hashtags: Option<usize>,
    /// The most mentions (Instagram: 20).
    pub max_mentions: Option<usize>,
}

impl TextRule {
    /// A rule with a length limit only.
    ///
    /// ```
    /// let rule = socialkit::text::TextRule::new(socialkit::text::Counting::Chars, 2000);
    /// assert_eq!(rule.max_links, None);
    /// ```
    pub fn new(counting: Counting, max: usize) -> Self {
        TextRule {
            counting,
            max,
            max_bytes: None,
            max_links: None,
            max_hashtags: None,
            max_mentions: None,
        }
    }

    /// Adds a limit in UTF-8 bytes.
    ///
    /// ```
    /// let rule = socialkit::text::TextRule::new(socialkit::text::Counting::Graphemes, 300).with_max_bytes(3);
    /// assert!(!rule.fits("éé"));
    /// ```
    pub fn with_max_bytes(mut self, max: usize) -> Self {
        self.max_bytes = Some(max);
        self
    }

    /// Adds a limit on links (see [`extract::links`]).
    ///
    /// ```
    /// let rule = socialkit::text::TextRule::new(socialkit::text::Counting::Chars, 500).with_max_links(1);
    /// assert!(!rule.fits("a.com b.com"));
    /// ```
    pub fn with_max_links(mut self, max: usize) -> Self {
        self.max_links = Some(max);
        self
    }

    /// Adds a limit on hashtags (see [`extract::hashtags`]).
    ///
    /// ```
    /// let rule = socialkit::text::TextRule::new(socialkit::text::Counting::Chars, 500).with_max_hashtags(1);
    /// assert!(!rule.fits("#a #b"));
    /// ```
    pub fn with_max_hashtags(mut self, max: usize) -> Self {
        self.max_hashtags = Some(max);
        self
    }

    /// Adds a limit on mentions (see [`extract::mentions`]).
    ///
    /// ```
    /// let rule = socialkit::text::TextRule::new(socialkit::text::Counting::Chars, 500).with_max_mentions(1);
    /// assert!(!rule.fits("@a @b"));
    /// ```
    pub fn with_max_mentions(mut self, max: usize) -> Self {
        self.max_mentions = Some(max);
        self
    }

    /// The length of `text` as the platform counts it.
    ///
    /// ```
    /// use socialkit::text::rules;
    /// assert_eq!(rules::x().count("日本"), 4);
    /// assert_eq!(rules::bluesky().count("日本"), 2);
    /// assert_eq!(rules::telegram().count("😀"), 2);
    /// ```
    pub fn count(&self, text: &str) -> usize {
        match self.counting {
            Counting::XWeighted => x::weighted_length(text),
            Counting::Graphemes => bluesky::grapheme_length(text),
            Counting::Mastodon { url_length } => mastodon::length_with(text, None, url_length),
            Counting::Chars => text.chars().count(),
            Counting::Utf16 => telegram::utf16_length(text),
        }
    }

    /// How many units are left before the limit; negative when over.
    ///
    /// ```
    /// assert_eq!(socialkit::text::rules::x().remaining(&"a".repeat(290)), -10);
    /// ```
    pub fn remaining(&self, text: &str) -> isize {
        self.max as isize - self.count(text) as isize
    }

    /// Whether `text` passes every limit of the rule.
    ///
    /// ```
    /// assert!(socialkit::text::rules::threads().fits("hello"));
    /// ```
    pub fn fits(&self, text: &str) -> bool {
        self.violation(text).is_none()
    }

    /// `Ok` when `text` passes every limit, else a [`Validation`](crate::ErrorKind::Validation)
    /// error naming the platform, the count, the limit and by how much it is over, with a
    /// [`Detail::TooLong`] or [`Detail::TooMany`].
    ///
    /// ```
    /// use socialkit::text::rules;
    /// let err = rules::x().check("x", &"a".repeat(300)).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "validation: text is 300 weighted characters on x, the limit is 280 (20 over) (platform: x)"
    /// );
    /// let tags: String = (0..7).map(|i| format!("#t{i} ")).collect();
    /// let err = rules::instagram().check("instagram", &tags).unwrap_err();
    /// assert!(err.to_string().contains("7 hashtags on instagram, the limit is 5 (2 over)"));
    /// ```
    pub fn check(&self, platform: &str, text: &str) -> Result<()> {
        match self.violation(text) {
            None => Ok(()),
            Some(Violation::Length { count, limit, unit }) => {
                Err(Error::too_long(platform, count, limit, unit))
            }
            Some(Violation::Items { what, count, limit }) => Err(Error::validation(format!(
                "text has {count} {what} on {platform}, the limit is {limit} ({} over)",
                count - limit
            ))
            .with_platform(platform)
            .with_detail(Detail::TooMany {
                what: what.to_string(),
                count,
                limit,
            })),
        }
    }

    /// What is counted: `"weighted characters"`, `"graphemes"`, `"characters"`,
    /// `"UTF-16 code units"`.
    ///
    /// ```
    /// assert_eq!(socialkit::text::rules::bluesky().unit(), "graphemes");
    /// ```
    pub fn unit(&self) -> &'static str {
        match self.counting {
            Counting::XWeighted => "weighted characters",
            Counting::Graphemes => "graphemes",
            Counting::Mastodon { .. } | Counting::Chars => "characters",
            Counting::Utf16 => "UTF-16 code units",
        }
    }

    /// An upper bound of [`count`](Self::count) from the UTF-8 length alone, where there is
    /// one: graphemes, scalar values and UTF-16 code units are each at most one per byte; on
    /// Mastodon a URL counts `url_length` however short (and a remote mention less than its
    /// bytes), and every URL Mastodon counts has a protocol, so there are at most as many as
    /// `://` occurs. X's weighted count (URLs without a protocol count 23) has no such bound.
    fn count_bound(&self, text: &str) -> Option<usize> {
        match self.counting {
            Counting::Graphemes | Counting::Chars | Counting::Utf16 => Some(text.len()),
            Counting::Mastodon { url_length } => Some(
                text.len()
                    .saturating_add(url_length.saturating_mul(text.matches("://").count())),
            ),
            _ => None,
        }
    }

    fn violation(&self, text: &str) -> Option<Violation> {
        // Counting graphemes or URLs is most of the cost of checking a short post, and most
        // posts are far below their limit: the count runs only when the bound cannot decide.
        if self.count_bound(text).is_none_or(|bound| bound > self.max) {
            let count = self.count(text);
            if count > self.max {
                return Some(Violation::Length {
                    count,
                    limit: self.max,
                    unit: self.unit(),
                });
            }
        }
        if let Some(limit) = self.max_bytes.filter(|&m| text.len() > m) {
            return Some(Violation::Length {
                count: text.len(),
                limit,
                unit: "UTF-8 bytes",
            });
        }
        let items: [(Option<usize>, &'static str, Finder); 3] = [
            (self.max_links, "links", extract::links),
            (self.max_hashtags, "hashtags", extract::hashtags),
            (self.max_mentions, "mentions", extract::mentions),
        ];
        items.into_iter().find_map(|(limit, what, find)| {
            let limit = limit?;
            let count = find(text).len();
            (count > limit).then_some(Violation::Items { what, count, limit })
        })
    }
}

/// An extractor of items a rule limits.
type Finder = fn(&str) -> Vec<extract::Span>;

enum Violation {
    Length {
        count: usize,
        limit: usize,
        unit: &'static str,
    },
    Items {
        what: &'static str,
        count: usize,
        limit: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-length bound never lets through a text the full count refuses, and it does
    /// decide ordinary short posts.
    #[test]
    fn the_byte_length_bound_agrees_with_the_count() {
        let mastodon = TextRule::new(Counting::Mastodon { url_length: 23 }, 40);
        let rules = [
            mastodon.clone(),
            TextRule::new(Counting::Graphemes, 12).with_max_bytes(20),
            TextRule::new(Counting::Chars, 10),
            TextRule::new(Counting::Utf16, 10),
            TextRule::new(Counting::XWeighted, 30),
        ];
        let texts = [
            "",
            "short",
            "héllo 👋🏽 wörld",
            "http://a.co",
            "x http://a.co http://b.co",
            "see https://example.com/a/long/path ok",
            "@alice@example.social hi",
            "ten chars!",
            "eleven char",
            "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}",
        ];
        for rule in &rules {
            for text in texts {
                if let Some(bound) = rule.count_bound(text) {
                    assert!(bound >= rule.count(text), "{rule:?} {text:?}");
                }
            }
        }
        assert!(
            mastodon
                .count_bound("a short post")
                .is_some_and(|b| b <= 40)
        );
        // Two short URLs count 46 on Mastodon: the bound does not decide, the count refuses.
        assert!(
            mastodon
                .count_bound("http://a.co http://b.co")
                .is_some_and(|b| b > 40)
        );
        assert!(mastodon.check("p", "http://a.co http://b.co").is_err());
        assert_eq!(
            TextRule::new(Counting::XWeighted, 30).count_bound("a"),
            None
        );
    }
}
