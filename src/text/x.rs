//! X (Twitter): twitter-text's weighted length, validity and URL extraction.
//!
//! X counts a post the way the twitter-text library does (config v3): the text is NFC
//! normalised; each code point weighs 1 in a few ranges (Latin, most punctuation) and 2
//! elsewhere (CJK, emoji, …); every URL counts as 23 whatever its length; an emoji that
//! twitter-text's emoji table knows (Unicode 11: ZWJ families, flags, keycaps, skin tones)
//! counts once, as 2, and a newer one counts code point by code point, as X counts it
//! (`🧑‍🎄`, Emoji 13, weighs 2 + 1 + 2). The limit is 280.
//!
//! This module reproduces twitter-text 3.1.0's `parseTweet` exactly. It is tested against
//! twitter-text's conformance data (`tests/twitter_text_conformance.rs`) and against
//! `parseTweet` itself on thousands of texts (`tests/text_reference_agreement.rs`).
//!
//! ```
//! use socialkit::text::x;
//! assert_eq!(x::weighted_length("Hello 👋 https://example.com/a/very/long/path"), 6 + 2 + 1 + 23);
//! assert_eq!(x::weighted_length("🧑‍🎄"), 5);
//! let parsed = x::parse(&"é".repeat(281), &x::TwitterTextConfig::v3());
//! assert!(!parsed.valid);
//! assert_eq!(parsed.valid_range_end, 279);
//! ```

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::chars::{is_twitter_invalid, utf16_len};
use super::extract::{IndexUnit, convert_offsets};
use super::x_emoji::EmojiScan;
use super::x_url::{TWITTER, UrlIter};

/// A range of code points and its weight (twitter-text's `ranges` entries).
///
/// ```
/// let r = socialkit::text::x::WeightRange { start: 0, end: 4351, weight: 100 };
/// assert!(r.contains('é'));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WeightRange {
    /// First code point of the range.
    pub start: u32,
    /// Last code point of the range (inclusive).
    pub end: u32,
    /// Weight of every code point in the range, in `scale` units.
    pub weight: u32,
}

impl WeightRange {
    /// Whether the range contains `c`.
    ///
    /// ```
    /// let r = socialkit::text::x::WeightRange { start: 0x2000, end: 0x200D, weight: 100 };
    /// assert!(r.contains('\u{200d}') && !r.contains('世'));
    /// ```
    pub fn contains(&self, c: char) -> bool {
        (self.start..=self.end).contains(&u32::from(c))
    }
}

/// twitter-text's configuration: how a tweet is weighed. Serde matches twitter-text's JSON
/// (`config/v3.json`: `maxWeightedTweetLength`, `transformedURLLength`, …).
///
/// ```
/// use socialkit::text::x::TwitterTextConfig;
/// let json = r#"{"version":2,"maxWeightedTweetLength":280,"scale":100,"defaultWeight":200,
///   "transformedURLLength":23,"ranges":[{"start":0,"end":4351,"weight":100},
///   {"start":8192,"end":8205,"weight":100},{"start":8208,"end":8223,"weight":100},
///   {"start":8242,"end":8247,"weight":100}]}"#;
/// let config: TwitterTextConfig = serde_json::from_str(json).unwrap();
/// assert_eq!(config, TwitterTextConfig::v2());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TwitterTextConfig {
    /// Config version (1, 2 or 3).
    pub version: u32,
    /// The limit, in weighted characters.
    pub max_weighted_tweet_length: usize,
    /// Weights are in units of `1/scale` characters.
    pub scale: u32,
    /// Weight of a code point outside every range, and of an emoji sequence.
    pub default_weight: u32,
    /// Every URL counts as this many characters.
    #[serde(rename = "transformedURLLength")]
    pub transformed_url_length: u32,
    /// Code point ranges with their own weight; the first range that contains a code point wins.
    pub ranges: Vec<WeightRange>,
    /// Whether an emoji sequence counts once at the default weight (v3).
    #[serde(default)]
    pub emoji_parsing_enabled: bool,
}

impl TwitterTextConfig {
    /// Config v1: 140 code points, every code point weighs 1, URLs 23.
    ///
    /// ```
    /// assert_eq!(socialkit::text::x::TwitterTextConfig::v1().max_weighted_tweet_length, 140);
    /// ```
    pub fn v1() -> Self {
        TwitterTextConfig {
            version: 1,
            max_weighted_tweet_length: 140,
            scale: 1,
            default_weight: 1,
            transformed_url_length: 23,
            ranges: Vec::new(),
            emoji_parsing_enabled: false,
        }
    }

    /// Config v2: 280 weighted characters, Latin and common punctuation weigh 1, the rest 2.
    ///
    /// ```
    /// let c = socialkit::text::x::TwitterTextConfig::v2();
    /// assert_eq!((c.scale, c.default_weight, c.ranges.len()), (100, 200, 4));
    /// ```
    pub fn v2() -> Self {
        TwitterTextConfig {
            version: 2,
            max_weighted_tweet_length: 280,
            scale: 100,
            default_weight: 200,
            transformed_url_length: 23,
            ranges: V2_RANGES
                .iter()
                .map(|&(start, end)| WeightRange {
                    start,
                    end,
                    weight: 100,
                })
                .collect(),
            emoji_parsing_enabled: false,
        }
    }

    /// Config v3, what X uses today: v2 plus emoji sequences counting once (as 2).
    ///
    /// ```
    /// assert!(socialkit::text::x::TwitterTextConfig::v3().emoji_parsing_enabled);
    /// ```
    pub fn v3() -> Self {
        TwitterTextConfig {
            version: 3,
            emoji_parsing_enabled: true,
            ..Self::v2()
        }
    }

    /// The weight every ASCII character has, when they all have the same (as in every
    /// published config): the first range that meets U+0000..U+007F covers all of it.
    fn ascii_weight(&self) -> Option<u32> {
        match self
            .ranges
            .iter()
            .find(|r| r.start <= r.end && r.start <= 0x7f)
        {
            None => Some(self.default_weight),
            Some(r) if r.start == 0 && r.end >= 0x7f => Some(r.weight),
            Some(_) => None,
        }
    }

    /// The weight of one UTF-16 code unit (twitter-text weighs code units).
    fn weight_of_unit(&self, unit: u32) -> u32 {
        self.ranges
            .iter()
            .find(|r| (r.start..=r.end).contains(&unit))
            .map_or(self.default_weight, |r| r.weight)
    }
}

/// The ranges of config v2 and v3 (first and last code point), where Latin and common
/// punctuation weigh 1.
const V2_RANGES: [(u32, u32); 4] = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)];

/// The weight of one UTF-16 unit under a config. For the ranges of the published configs
/// (v2, v3) with one weight for all of them, a few comparisons instead of a walk over the
/// ranges.
struct UnitWeights<'a> {
    config: &'a TwitterTextConfig,
    /// (weight inside [`V2_RANGES`], weight outside) when the config has exactly those ranges.
    published: Option<(u64, u64)>,
}

impl<'a> UnitWeights<'a> {
    fn new(config: &'a TwitterTextConfig) -> Self {
        let ranges = &config.ranges;
        let published = (ranges.len() == V2_RANGES.len()
            && ranges.iter().zip(V2_RANGES).all(|(r, (start, end))| {
                r.start == start && r.end == end && r.weight == ranges[0].weight
            }))
        .then(|| {
            (
                u64::from(ranges[0].weight),
                u64::from(config.default_weight),
            )
        });
        UnitWeights { config, published }
    }

    fn of_unit(&self, unit: u32) -> u64 {
        match self.published {
            Some((inside, outside)) => {
                if V2_RANGES
                    .iter()
                    .any(|&(start, end)| (start..=end).contains(&unit))
                {
                    inside
                } else {
                    outside
                }
            }
            None => u64::from(self.config.weight_of_unit(unit)),
        }
    }
}

/// The length of the run of ASCII bytes that `bytes` starts with, eight bytes at a time.
fn ascii_prefix_len(bytes: &[u8]) -> usize {
    let mut k = 0;
    while let Some(chunk) = bytes.get(k..k + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0x80; 8]));
        let high = word & 0x8080_8080_8080_8080;
        if high != 0 {
            return k + (high.trailing_zeros() / 8) as usize;
        }
        k += 8;
    }
    k + bytes[k..]
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(bytes.len() - k)
}

impl Default for TwitterTextConfig {
    fn default() -> Self {
        Self::v3()
    }
}

/// The result of [`parse`], with twitter-text's fields and meanings.
///
/// All ranges are in UTF-16 code units of the text as given (not normalised), start and end
/// inclusive, as twitter-text reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ParseResult {
    /// The weighted length (weights divided by the scale).
    pub weighted_length: usize,
    /// Not empty, not over the limit, no invalid character (U+FFFE, U+FEFF, U+FFFF).
    pub valid: bool,
    /// `weighted_length` in thousandths of the limit (1000 = exactly at the limit).
    pub permillage: usize,
    /// Start of the text (always 0).
    pub display_range_start: usize,
    /// Index of the last UTF-16 code unit of the text (0 for an empty text).
    pub display_range_end: usize,
    /// Start of the valid part (always 0).
    pub valid_range_start: usize,
    /// Index of the last UTF-16 code unit that is still within the limit and before any invalid
    /// character. Where twitter-text's JavaScript gives a negative index (an invalid first
    /// character in a text that NFC normalisation lengthens), this is 0.
    pub valid_range_end: usize,
}

/// Parses a tweet as twitter-text's `parseTweet` does.
///
/// NFC-normalises the text; weighs each code point by `config.ranges`; counts every URL
/// (as [`extract_urls`] finds them) as `transformed_url_length`; with `emoji_parsing_enabled`
/// counts every emoji sequence once at the default weight. One deliberate difference from
/// twitter-text's JavaScript: `permillage` is computed in integers (as the Java library does),
/// so that 21 of 280 is 75‰ and not 74‰ from floating-point rounding.
///
/// ```
/// use socialkit::text::x::{parse, TwitterTextConfig};
/// let r = parse("Hi http://test.co", &TwitterTextConfig::v2());
/// assert_eq!((r.weighted_length, r.valid, r.permillage), (26, true, 92));
/// assert_eq!((r.display_range_end, r.valid_range_end), (16, 16));
/// ```
pub fn parse(text: &str, config: &TwitterTextConfig) -> ParseResult {
    let normalized = nfc(text);
    let norm: &str = &normalized;
    let scale = u64::from(config.scale.max(1));
    let max_scaled = config.max_weighted_tweet_length as u64 * scale;
    let url_weight = u64::from(config.transformed_url_length) * scale;

    let mut urls = UrlIter::new(norm, &TWITTER).peekable();
    let mut emoji = config.emoji_parsing_enabled.then(|| EmojiScan::new(norm));
    let mut count = Count {
        weighted: 0,
        max_scaled,
        valid: true,
        valid_display: 0,
        u16_index: 0,
    };
    let ascii_weight = config.ascii_weight().map(u64::from);
    let weights = UnitWeights::new(config);
    let mut i = 0; // byte index in `norm`
    while i < norm.len() {
        while urls.peek().is_some_and(|u| u.start < i) {
            urls.next();
        }
        if let Some(u) = urls.next_if(|u| u.start == i) {
            // `parseTweet` moves on by the length of the URL's string, which is shorter than
            // its indices where twitter-text left part of the domain out of the string.
            let mut units = utf16_len(&norm[u.start..u.end]);
            if let Some((a, b)) = u.dropped {
                units -= utf16_len(&norm[a..b]);
            }
            let (stop, split) = match u.dropped {
                // The whole URL: the step ends at its end.
                None => (u.end, None),
                Some(_) => advance_utf16(norm, i, units),
            };
            // The unit the step ends on: the high surrogate of a split character is valid.
            let last = if split.is_some() {
                None
            } else {
                norm[..stop].chars().next_back()
            };
            count.step(url_weight, units, last);
            i = stop;
            if let Some(c) = split {
                // The loop goes on at the low surrogate of `c`, a character of its own there.
                let low = 0xdc00 + ((u32::from(c) - 0x1_0000) & 0x3ff);
                count.step(weights.of_unit(low), 1, None);
                i += c.len_utf8();
            }
            continue;
        }
        if let Some(end) = emoji.as_mut().and_then(|scan| scan.match_at(i)) {
            let piece = &norm[i..end];
            count.step(
                u64::from(config.default_weight),
                utf16_len(piece),
                piece.chars().next_back(),
            );
            i = end;
            continue;
        }
        // Plain characters up to the next URL or emoji (both start after `i` now).
        let next_url = urls.peek().map_or(norm.len(), |u| u.start);
        let next_emoji = emoji
            .as_mut()
            .and_then(|scan| scan.next_start(i))
            .unwrap_or(norm.len());
        let mut stop = next_url.min(next_emoji).min(norm.len());
        if stop <= i {
            stop = i + norm[i..].chars().next().map_or(1, char::len_utf8);
        }
        count.plain(&norm[i..stop], &weights, ascii_weight);
        i = stop;
    }
    let Count {
        weighted,
        valid,
        valid_display,
        u16_index,
        ..
    } = count;

    let weighted_length = (weighted / scale) as usize;
    let max = config.max_weighted_tweet_length;
    let original_len = if let Cow::Borrowed(_) = normalized {
        u16_index
    } else {
        utf16_len(text)
    };
    let offset = original_len as isize - u16_index as isize;
    ParseResult {
        weighted_length,
        valid: valid && weighted_length > 0 && weighted_length <= max,
        permillage: (weighted_length * 1000).checked_div(max).unwrap_or(0),
        display_range_start: 0,
        display_range_end: original_len.saturating_sub(1),
        valid_range_start: 0,
        valid_range_end: (valid_display as isize + offset).max(0) as usize,
    }
}

/// `text` in NFC, borrowed when it is already (no allocation).
///
/// ICU4X's normaliser finds the longest normalised prefix with a trie lookup per character
/// (ASCII and most scripts take its fast path) and normalises only the rest.
fn nfc(text: &str) -> Cow<'_, str> {
    // ASCII is NFC: nothing to look up.
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(text)
}

/// The running count of [`parse`]: one `step` per iteration of `parseTweet`'s loop.
struct Count {
    weighted: u64,
    max_scaled: u64,
    valid: bool,
    valid_display: usize,
    /// UTF-16 index after the last step.
    u16_index: usize,
}

impl Count {
    /// Adds `weight` for `units` UTF-16 units ending in `last` (`None`: a lone surrogate).
    fn step(&mut self, weight: u64, units: usize, last: Option<char>) {
        self.weighted += weight;
        self.u16_index += units;
        if self.valid && last.is_some_and(is_twitter_invalid) {
            self.valid = false;
        }
        if self.valid && self.weighted <= self.max_scaled {
            self.valid_display = self.u16_index.saturating_sub(1);
        }
    }
}

impl Count {
    /// Steps over `plain`, characters that are neither in a URL nor in an emoji: each
    /// weighs its own last UTF-16 unit. Runs of ASCII (weighing `ascii_weight` each, when
    /// the config gives all of ASCII one weight) are counted in one step; the characters
    /// between them are decoded in one go and weighed by `weights`.
    fn plain(&mut self, plain: &str, weights: &UnitWeights<'_>, ascii_weight: Option<u64>) {
        let mut rest = plain;
        while !rest.is_empty() {
            if let Some(weight) = ascii_weight {
                let run = ascii_prefix_len(rest.as_bytes());
                if run > 0 {
                    self.ascii_run(weight, run);
                    rest = &rest[run..];
                    continue;
                }
            }
            let mut chars = rest.chars();
            while let Some(c) = chars.next() {
                // twitter-text weighs the last UTF-16 unit of a character (a low surrogate
                // for one outside the BMP).
                let (unit, units) = if u32::from(c) >= 0x1_0000 {
                    (0xdc00 + ((u32::from(c) - 0x1_0000) & 0x3ff), 2)
                } else {
                    (u32::from(c), 1)
                };
                self.step(weights.of_unit(unit), units, Some(c));
                // ASCII next: counted as a run by the next turn.
                if ascii_weight.is_some()
                    && chars.as_str().as_bytes().first().is_some_and(u8::is_ascii)
                {
                    break;
                }
            }
            rest = chars.as_str();
        }
    }

    /// `n` steps of one ASCII character of `weight` each (never an invalid character): the
    /// same as `n` calls of [`Count::step`].
    fn ascii_run(&mut self, weight: u64, n: usize) {
        if self.valid && self.weighted <= self.max_scaled {
            // How many of the `n` still end within the limit.
            let fit = match weight {
                0 => n,
                w => ((self.max_scaled - self.weighted) / w).min(n as u64) as usize,
            };
            if fit > 0 {
                self.valid_display = self.u16_index + fit - 1;
            }
        }
        self.weighted += weight * n as u64;
        self.u16_index += n;
    }
}

/// The byte index reached from byte `i` of `text` after `units` UTF-16 units, and the
/// character it lands inside of when it lands between the two surrogates of one.
fn advance_utf16(text: &str, i: usize, units: usize) -> (usize, Option<char>) {
    let mut left = units;
    for (k, c) in text[i..].char_indices() {
        if left == 0 {
            return (i + k, None);
        }
        if c.len_utf16() > left {
            return (i + k, Some(c));
        }
        left -= c.len_utf16();
    }
    (text.len(), None)
}

/// The weighted length of `text` on X today (twitter-text config v3).
///
/// Meant to run on every keystroke: it does not allocate for NFC text, with or without URLs
/// and emoji.
///
/// ```
/// use socialkit::text::x::weighted_length;
/// assert_eq!(weighted_length("hello"), 5);
/// assert_eq!(weighted_length("こんにちは"), 10);
/// assert_eq!(weighted_length("👨‍👩‍👧‍👦"), 2);
/// assert_eq!(weighted_length("read https://example.com/a/long/path?x=1"), 5 + 23);
/// ```
pub fn weighted_length(text: &str) -> usize {
    static V3: std::sync::OnceLock<TwitterTextConfig> = std::sync::OnceLock::new();
    parse(text, V3.get_or_init(TwitterTextConfig::v3)).weighted_length
}

/// Whether X accepts `text` as it is (twitter-text config v3): not empty, at most 280
/// weighted characters, no invalid character.
///
/// ```
/// assert!(socialkit::text::x::is_valid_tweet("hello"));
/// assert!(!socialkit::text::x::is_valid_tweet(""));
/// assert!(!socialkit::text::x::is_valid_tweet(&"a".repeat(281)));
/// ```
pub fn is_valid_tweet(text: &str) -> bool {
    parse(text, &TwitterTextConfig::v3()).valid
}

/// A URL found in a text.
///
/// `start` and `end` (exclusive) are in the [`IndexUnit`] that was asked for; with
/// [`extract_urls`] they are UTF-8 byte offsets, so `&text[start..end] == url`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UrlEntity {
    /// The URL as written in the text.
    pub url: String,
    /// Index of its first unit.
    pub start: usize,
    /// Index after its last unit.
    pub end: usize,
}

/// The URLs of `text`, as twitter-text extracts them, with UTF-8 byte offsets.
///
/// URLs with `http://` or `https://`, and URLs without protocol whose domain ends in a known
/// TLD (`example.com`, `t.co/abc`; only the ASCII part of a domain without protocol counts).
/// Trailing punctuation is not part of a URL; balanced parentheses in paths are; t.co URLs
/// stop after their slug and query.
///
/// Where twitter-text's JavaScript reports a URL without protocol whose domain contains
/// several ASCII domains with a string that differs from the indices, the URL here is always
/// the text between the indices.
///
/// ```
/// use socialkit::text::x::extract_urls;
/// let text = "Docs: https://docs.rs/regex. Or example.com!";
/// let urls = extract_urls(text);
/// assert_eq!(urls[0].url, "https://docs.rs/regex");
/// assert_eq!(&text[urls[1].start..urls[1].end], "example.com");
/// ```
pub fn extract_urls(text: &str) -> Vec<UrlEntity> {
    extract_urls_with_indices(text, IndexUnit::Utf8)
}

/// Like [`extract_urls`], with indices in `unit`. `IndexUnit::Utf16` gives twitter-text's own
/// indices (and Telegram's entity offsets).
///
/// ```
/// use socialkit::text::{IndexUnit, x::extract_urls_with_indices};
/// let urls = extract_urls_with_indices("😀 http://t.co", IndexUnit::Utf16);
/// assert_eq!((urls[0].start, urls[0].end), (3, 14));
/// ```
pub fn extract_urls_with_indices(text: &str, unit: IndexUnit) -> Vec<UrlEntity> {
    let raw: Vec<_> = UrlIter::new(text, &TWITTER).collect();
    let mut offsets: Vec<usize> = raw.iter().flat_map(|u| [u.start, u.end]).collect();
    convert_offsets(text, &mut offsets, unit);
    raw.iter()
        .zip(offsets.chunks_exact(2))
        .map(|(u, o)| UrlEntity {
            url: text[u.start..u.end].to_string(),
            start: o[0],
            end: o[1],
        })
        .collect()
}

/// Whether `url` is a valid URL for twitter-text's `isValidUrl`: an `http` or `https` scheme
/// (unless `require_protocol` is false), a host (domain with unicode labels, IPv4 or IPv6),
/// optional user info and port, and a path, query and fragment of URL characters only.
///
/// ```
/// use socialkit::text::x::is_valid_url;
/// assert!(is_valid_url("https://example.com/path?q=1#top", true));
/// assert!(is_valid_url("http://☃.net/", true));
/// assert!(!is_valid_url("ftp://example.com/", true));
/// assert!(is_valid_url("example.com", false));
/// assert!(!is_valid_url("http://256.1.2.3/", true));
/// ```
pub fn is_valid_url(url: &str, require_protocol: bool) -> bool {
    super::x_url::is_valid_url(url, require_protocol)
}
