//! Bluesky text rules on any text: graphemes, bytes and facets never panic, and facets lie on
//! char boundaries inside the text, each non-empty, ordered by start, and overlap only as the
//! reference's do (a facet that starts right after a `(` inside a tag or link:
//! `socialkit_fuzz::properties::check_facets`; `#(p.gg` gives a tag and a link in
//! `@atproto/api` too). The same check holds for every answer of the reference in
//! `tests/data/text` (`tests/text_reference_agreement.rs`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::text::bluesky;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    assert_eq!(bluesky::byte_length(text), text.len());
    assert!(bluesky::grapheme_length(text) <= text.chars().count());
    let facets = bluesky::detect_facets(text);
    let ranges: Vec<(usize, usize)> = facets.iter().map(|f| (f.byte_start, f.byte_end)).collect();
    if socialkit_fuzz::checks("facets_like_the_reference") {
        if let Err(e) = socialkit_fuzz::properties::check_facets(text, &ranges) {
            panic!("{e} in {text:?}: {facets:?}");
        }
    }
});
