//! X text rules on any text: `weighted_length`, `parse` (v1, v2, v3), URL extraction and
//! validation never panic, and:
//! - `weighted_length` equals `parse(v3).weighted_length`, and validity agrees with 280;
//! - ranges and URL indices lie inside the text (on char boundaries in UTF-8 units);
//! - for a text without URLs the weighted length is never below the reference-style lower
//!   bound: each grapheme of the NFC text weighs at least min(its code points' v3 weights, 2)
//!   (twitter-text counts a grapheme either code point by code point or, when its emoji table
//!   knows it, as 2) — an under-count is the unsafe direction.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::text::IndexUnit;
use socialkit::text::x::{self, TwitterTextConfig};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

fn v3_weight(c: char) -> usize {
    let c = c as u32;
    let light = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)];
    if light.iter().any(|&(a, b)| (a..=b).contains(&c)) {
        1
    } else {
        2
    }
}

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
    if socialkit_fuzz::checks("x_lower_bound") && x::extract_urls(text).is_empty() {
        let nfc: String = text.nfc().collect();
        let lower: usize = nfc
            .graphemes(true)
            .map(|g| g.chars().map(v3_weight).sum::<usize>().min(2))
            .sum();
        assert!(
            weighted >= lower,
            "weighted length {weighted} below the lower bound {lower} on {text:?}"
        );
    }
});
