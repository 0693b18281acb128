//! Each platform's text rule, as data.
//!
//! Where a platform does not document its unit (Discord, LinkedIn, Threads, Instagram,
//! Facebook say "characters"), the rule counts UTF-16 code units: their clients are
//! JavaScript, and it is the largest of the plausible counts, so a text that passes here is not
//! refused there.
//!
//! ```
//! use socialkit::text::rules;
//! assert_eq!(rules::x().max, 280);
//! assert_eq!(rules::bluesky().max_bytes, Some(3000));
//! assert_eq!(rules::threads().max_links, Some(5));
//! ```

use super::{Counting, TextRule};

/// X: 280 weighted characters (twitter-text v3).
///
/// ```
/// assert_eq!(socialkit::text::rules::x().count("👋 hi"), 5);
/// ```
pub fn x() -> TextRule {
    TextRule::new(Counting::XWeighted, 280)
}

/// Bluesky: 300 graphemes and 3000 UTF-8 bytes.
///
/// ```
/// assert_eq!(socialkit::text::rules::bluesky().max, 300);
/// ```
pub fn bluesky() -> TextRule {
    TextRule::new(Counting::Graphemes, 300).with_max_bytes(3000)
}

/// Mastodon with the instance's limit (`configuration.statuses.max_characters`, default 500)
/// and URL length (`characters_reserved_per_url`, 23).
///
/// ```
/// let rule = socialkit::text::rules::mastodon(500, 23);
/// assert_eq!(rule.count("https://example.com/long/path"), 23);
/// ```
pub fn mastodon(max: usize, url_length: usize) -> TextRule {
    TextRule::new(Counting::Mastodon { url_length }, max)
}

/// Telegram message text: 4096 UTF-16 code units.
///
/// ```
/// assert_eq!(socialkit::text::rules::telegram().max, 4096);
/// ```
pub fn telegram() -> TextRule {
    TextRule::new(Counting::Utf16, super::telegram::MAX_TEXT)
}

/// Telegram media caption: 1024 UTF-16 code units.
///
/// ```
/// assert_eq!(socialkit::text::rules::telegram_caption().max, 1024);
/// ```
pub fn telegram_caption() -> TextRule {
    TextRule::new(Counting::Utf16, super::telegram::MAX_CAPTION)
}

/// Discord message content: 2000 characters.
///
/// ```
/// assert_eq!(socialkit::text::rules::discord().max, 2000);
/// ```
pub fn discord() -> TextRule {
    TextRule::new(Counting::Utf16, 2000)
}

/// LinkedIn post commentary: 3000 characters (escape it with
/// [`escape_little_text`](super::linkedin::escape_little_text)).
///
/// ```
/// assert_eq!(socialkit::text::rules::linkedin().max, 3000);
/// ```
pub fn linkedin() -> TextRule {
    TextRule::new(Counting::Utf16, 3000)
}

/// Threads: 500 characters and at most 5 links.
///
/// ```
/// let rule = socialkit::text::rules::threads();
/// assert!(!rule.fits("a.com b.com c.com d.com e.com f.com"));
/// ```
pub fn threads() -> TextRule {
    TextRule::new(Counting::Utf16, 500).with_max_links(5)
}

/// Instagram caption: 2200 characters, 5 hashtags, 20 mentions.
///
/// Instagram cut the hashtags per post and Reel from 30 to 5, rolled out from 19 December
/// 2025 (announced by its @creators account: "Instagram will gradually update the number of
/// hashtags that you can include in a caption for a reel or post to five"). Meta's content
/// publishing reference still says 30; the lower limit is the one that cannot be refused.
///
/// ```
/// assert_eq!(socialkit::text::rules::instagram().max_hashtags, Some(5));
/// ```
pub fn instagram() -> TextRule {
    TextRule::new(Counting::Utf16, 2200)
        .with_max_hashtags(5)
        .with_max_mentions(20)
}

/// Facebook Page post: 63,206 characters.
///
/// ```
/// assert_eq!(socialkit::text::rules::facebook().max, 63_206);
/// ```
pub fn facebook() -> TextRule {
    TextRule::new(Counting::Utf16, 63_206)
}

/// Reddit post title: 300 characters.
///
/// ```
/// assert_eq!(socialkit::text::rules::reddit_title().max, 300);
/// ```
pub fn reddit_title() -> TextRule {
    TextRule::new(Counting::Chars, 300)
}
