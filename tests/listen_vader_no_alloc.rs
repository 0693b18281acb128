//! Scoring sentiment allocates nothing per word or per text once an analyzer's thread has
//! scored texts as long as the next ones (its scratch buffers have grown): ASCII text, text
//! with emoji (replaced by their descriptions), non-ASCII words that lower-case to a different
//! length, idioms, "but" and odd whitespace. Counted with a global allocator that counts the
//! allocations of the calling thread.
//!
//! The one allocation left on purpose: a word with a capital sigma (`Σ`), whose lower case
//! depends on its context, is lower-cased by the standard library into a new `String`.

use socialkit::listen::sentiment::{Analyzer, Language};

mod alloc_support;
use alloc_support::allocations_of;

const TEXTS: &[&str] = &[
    "The support team was VERY helpful :) but the app is kind of slow!!!",
    "not good at all, never so happy?? without doubt the best... at least it works",
    "I'm 😂😂 and 👨🏽‍💼 with 🇩🇪: the shit, kiss of death, broken heart ❤️",
    "Grüße aus KÖLN — İstanbul ΚΑΛΑ ǅemal\u{a0}café\u{2003}naïve\u{1c}ÉTÉ 今日は良い天気",
    "  @someone #love (good) 'bad' -sobering-, But ((-: ？ ⁉ ‼",
    "",
    "a",
];

#[test]
fn scoring_allocates_nothing_once_warm() {
    for language in [Language::English, Language::German] {
        let analyzer = Analyzer::new(language);
        // Warm up: the shared tables and this thread's scratch buffers.
        let mut warm = 0.0;
        for t in TEXTS {
            warm += analyzer.polarity_scores(t).compound;
        }
        std::hint::black_box(warm);
        for t in TEXTS {
            let mut s = None;
            let n = allocations_of(|| {
                s = Some(analyzer.polarity_scores(std::hint::black_box(t)));
            });
            assert_eq!(n, 0, "{language}: scoring allocated {n} times for {t:?}");
            // The scores are real: the same as scoring again.
            assert_eq!(s, Some(analyzer.polarity_scores(t)));
        }
        // Shorter texts after longer ones reuse the grown buffers.
        let n = allocations_of(|| {
            for t in TEXTS.iter().rev() {
                std::hint::black_box(analyzer.polarity_scores(std::hint::black_box(t)));
            }
        });
        assert_eq!(n, 0, "{language}: scoring allocated {n} times");
    }
}

#[test]
fn scores_of_the_allocation_free_path_are_the_reference_values() {
    // Values of the reference vaderSentiment 3.3.2 (README example and differential corpus).
    let en = Analyzer::new(Language::English);
    let s = en.polarity_scores("VADER is smart, handsome, and funny.");
    assert_eq!(
        (s.neg, s.neu, s.pos, s.compound),
        (0.0, 0.254, 0.746, 0.8316)
    );
    // Warm, then count: the same scores, no allocation.
    let n = allocations_of(|| {
        let again = en.polarity_scores("VADER is smart, handsome, and funny.");
        assert_eq!(again, s);
    });
    assert_eq!(n, 0);
}
