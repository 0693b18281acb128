//! Bluesky text rules on any text: graphemes, bytes and facets never panic, and facets lie on
//! char boundaries inside the text, each non-empty, in order, never overlapping.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::text::bluesky;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    assert_eq!(bluesky::byte_length(text), text.len());
    assert!(bluesky::grapheme_length(text) <= text.chars().count());
    let facets = bluesky::detect_facets(text);
    let mut end = 0;
    for f in &facets {
        assert!(
            f.byte_start < f.byte_end && f.byte_end <= text.len(),
            "facet {f:?} outside {text:?}"
        );
        assert!(
            text.is_char_boundary(f.byte_start) && text.is_char_boundary(f.byte_end),
            "facet {f:?} not on char boundaries in {text:?}"
        );
        if socialkit_fuzz::checks("facets_disjoint") {
            assert!(
                f.byte_start >= end,
                "facets overlap or are out of order in {text:?}: {facets:?}"
            );
        }
        end = f.byte_end;
    }
});
