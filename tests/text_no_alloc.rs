//! The hot text paths allocate nothing for text that needs no normalisation: X's weighted
//! length (NFC text, with URLs and emoji), Bluesky's grapheme count, and Bluesky's facet
//! detection on text without facets. Counted with a global allocator that counts the
//! allocations of the calling thread.

use socialkit::text::{bluesky, x};

mod alloc_support;
use alloc_support::allocations_of;

const NFC_TEXTS: &[&str] = &[
    "Shipping today 🚀 notes at https://example.com/blog/release-2-0?utm_source=x #rust",
    "Family 👨‍👩‍👧‍👦🇩🇪 with 👍🏽 and 1️⃣ — see example.co.jp/event and www.beispiel.de/straße",
    "今日は良い天気ですね。https://example.jp/記事/123 ＃テスト 🧑‍🎄",
    "مرحبا بالجميع! تفاصيل: https://example.com/ar #إطلاق",
    "plain ASCII text with no links at all",
    "",
];

#[test]
fn x_weighted_length_does_not_allocate_for_nfc_text() {
    // The first call builds the shared tables (configuration, TLD sets).
    for t in NFC_TEXTS {
        x::weighted_length(t);
    }
    for t in NFC_TEXTS {
        let n = allocations_of(|| {
            std::hint::black_box(x::weighted_length(std::hint::black_box(t)));
        });
        assert_eq!(n, 0, "x::weighted_length allocated {n} times for {t:?}");
    }
}

#[test]
fn x_weighted_length_allocates_only_to_normalise() {
    let decomposed = "Cafe\u{301} 👋";
    x::weighted_length(decomposed);
    assert!(
        allocations_of(|| {
            std::hint::black_box(x::weighted_length(decomposed));
        }) > 0
    );
}

#[test]
fn bluesky_graphemes_and_facet_free_text_do_not_allocate() {
    let facet_free = [
        "Guten Morgen! Grüße aus Köln 🥐☕ (no links here)",
        "今日は良い天気ですね 👨‍👩‍👧‍👦 e\u{301} क्षत्रिय",
        "",
    ];
    for t in facet_free.iter().chain(NFC_TEXTS) {
        bluesky::detect_facets(t);
        bluesky::grapheme_length(t);
    }
    for t in facet_free.iter().chain(NFC_TEXTS) {
        let n = allocations_of(|| {
            std::hint::black_box(bluesky::grapheme_length(std::hint::black_box(t)));
        });
        assert_eq!(
            n, 0,
            "bluesky::grapheme_length allocated {n} times for {t:?}"
        );
    }
    for t in facet_free {
        let n = allocations_of(|| {
            std::hint::black_box(bluesky::detect_facets(std::hint::black_box(t)));
        });
        assert_eq!(n, 0, "bluesky::detect_facets allocated {n} times for {t:?}");
    }
}
