//! X text rules on any text: `weighted_length`, `parse` (v1, v2, v3), URL extraction and
//! validation never panic, and:
//! - `weighted_length` equals `parse(v3).weighted_length`, and validity agrees with 280;
//! - ranges and URL indices lie inside the text (on char boundaries in UTF-8 units);
//! - for a text without URLs the weighted length lies within the bounds computed the
//!   reference's way (`socialkit_fuzz::properties::x_weight_bounds`: code points by their v3
//!   weights, each run of emoji code points at least min(its weights, 2)) — an under-count is
//!   the unsafe direction. The bounds hold for every answer of twitter-text itself in
//!   `tests/data/text` (checked by `tests/text_reference_agreement.rs`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::text::IndexUnit;
use socialkit::text::x::{self, TwitterTextConfig};
use socialkit_fuzz::properties::x_weight_bounds;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let weighted = x::weighted_length(text);
    let v3 = x::parse(text, &TwitterTextConfig::v3());
    assert_eq!(
        weighted, v3.weighted_length,
        "weighted_length and parse disagree on {text:?}"
    );
    assert_eq!(
        x::is_valid_tweet(text),
        v3.valid,
        "is_valid_tweet and parse disagree on {text:?}"
    );
    if v3.valid {
        assert!(weighted <= 280, "valid at {weighted} on {text:?}");
    }
    for config in [TwitterTextConfig::v1(), TwitterTextConfig::v2()] {
        let r = x::parse(text, &config);
        assert!(r.valid_range_start <= r.valid_range_end.max(r.valid_range_start));
    }
    for unit in [IndexUnit::Utf8, IndexUnit::Utf16, IndexUnit::Chars] {
        let len = match unit {
            IndexUnit::Utf8 => text.len(),
            IndexUnit::Utf16 => text.encode_utf16().count(),
            _ => text.chars().count(),
        };
        for u in x::extract_urls_with_indices(text, unit) {
            assert!(
                u.start < u.end && u.end <= len,
                "{unit:?} url {u:?} outside {text:?}"
            );
            if unit == IndexUnit::Utf8 {
                assert!(text.is_char_boundary(u.start) && text.is_char_boundary(u.end));
            }
            let _ = x::is_valid_url(&u.url, true);
        }
    }
    let _ = x::is_valid_url(text, false);
    // The bounds hold for text without URLs. twitter-text finds URLs in the NFC form of the text
    // (so does socialkit), and normalising can make one appear ("le.comg\u{341}m": U+0341
    // becomes U+0301), so the check takes NFC text only.
    if socialkit_fuzz::checks("x_weight_bounds")
        && unicode_normalization::is_nfc(text)
        && x::extract_urls(text).is_empty()
    {
        let (lower, upper) = x_weight_bounds(text);
        assert!(
            (lower..=upper).contains(&weighted),
            "weighted length {weighted} outside the reference's bounds {lower}..={upper} on {text:?}"
        );
    }
});
