//! Properties the references' own text rules obey, checked by the fuzz targets on socialkit's
//! answers for any text and by `tests/text_reference_agreement.rs` on the references' committed
//! answers (so a property here is never stricter than the reference).
//!
//! Shared by path (`#[path]`) between the fuzz crate and that test: it needs only `std`,
//! `unicode-normalization` and `icu_properties`.

use icu_properties::CodePointSetData;
use icu_properties::props::{Emoji, EmojiComponent, ExtendedPictographic};
use unicode_normalization::UnicodeNormalization;

/// A code point's weight in twitter-text config v3 (`config/v3.json`: U+0000–U+10FF,
/// U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, everything else 2; a code point
/// outside the BMP is weighed by its low surrogate, which is outside every range).
pub fn x_v3_weight(c: char) -> usize {
    let c = u32::from(c);
    let light = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)];
    if light.iter().any(|&(a, b)| (a..=b).contains(&c)) {
        1
    } else {
        2
    }
}

/// Whether `c` can be part of an emoji sequence: Unicode's `Emoji`, `Emoji_Component` or
/// `Extended_Pictographic`. Every code point of every sequence that twitter-text's emoji
/// expression (twemoji-parser 11) matches is one of these.
pub fn may_be_in_emoji(c: char) -> bool {
    CodePointSetData::new::<Emoji>().contains(c)
        || CodePointSetData::new::<EmojiComponent>().contains(c)
        || CodePointSetData::new::<ExtendedPictographic>().contains(c)
}

/// Bounds of X's weighted length for a text without URLs, computed the reference's way: the
/// text is NFC-normalised, every code point outside an emoji sequence weighs
/// [`x_v3_weight`], every emoji sequence weighs 2. Emoji sequences lie inside maximal runs of
/// [`may_be_in_emoji`] code points, so each such run weighs at least min(its code points'
/// weights, 2) (lower bound) and at most its code points' weights (upper bound: no sequence
/// is a single code point of weight 1).
///
/// The earlier property (`x_lower_bound`, per grapheme) was not the reference's rule: an
/// emoji sequence of twemoji 11 can span graphemes, so twitter-text weighed texts below it.
pub fn x_weight_bounds(text: &str) -> (usize, usize) {
    let (mut lower, mut upper) = (0, 0);
    let mut run = 0; // weight of the current run of emoji code points
    for c in text.nfc() {
        let w = x_v3_weight(c);
        upper += w;
        if may_be_in_emoji(c) {
            run += w;
        } else {
            lower += run.min(2) + w;
            run = 0;
        }
    }
    (lower + run.min(2), upper)
}

/// Checks Bluesky facets (byte ranges, in the order given) the way `@atproto/api`'s
/// `RichText.detectFacetsWithoutResolution` produces them: each non-empty, inside the text, on
/// char boundaries, ordered by start; and two facets overlap only where the later one starts
/// right after a `(`. That is the reference's documented behaviour, not an accident: its
/// link, mention and cashtag patterns accept `(` as the character before them
/// (`(^|\s|\()`), while a tag or a link may contain `(`, so `#(p.gg` is a tag `(p.gg` and a
/// link `p.gg`, and `https://a.io/x($AAPL` a link and a cashtag.
pub fn check_facets(text: &str, facets: &[(usize, usize)]) -> Result<(), String> {
    let mut prev: Option<(usize, usize)> = None;
    let mut reach = 0; // furthest end so far
    for &(start, end) in facets {
        if !(start < end && end <= text.len()) {
            return Err(format!("facet {start}..{end} empty or outside the text"));
        }
        if !(text.is_char_boundary(start) && text.is_char_boundary(end)) {
            return Err(format!("facet {start}..{end} not on char boundaries"));
        }
        if let Some((p_start, _)) = prev {
            if start < p_start {
                return Err(format!("facet {start}..{end} before {p_start}"));
            }
        }
        if start < reach && !text[..start].ends_with('(') {
            return Err(format!(
                "facet {start}..{end} overlaps an earlier one (ending at {reach}) without a `(` before it"
            ));
        }
        reach = reach.max(end);
        prev = Some((start, end));
    }
    Ok(())
}
