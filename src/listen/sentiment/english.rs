//! English: VADER's lexicon and emoji lexicon, and the rule words of its method.
//!
//! # Where the lexicon comes from
//!
//! `vader_lexicon.txt` (7,520 rated words, emoticons and slang) and `emoji_utf8_lexicon.txt`
//! (emoji -> description) are MIT-licensed data of C.J. Hutto's `vaderSentiment`. socialkit
//! does not ship a copy: it depends on the crate
//! [`qsv_vader_sentiment_analysis`](https://crates.io/crates/qsv_vader_sentiment_analysis)
//! 0.2 (MIT), which embeds both files and exposes them as `LEXICON` and `EMOJI_LEXICON`, and
//! uses nothing else of it (its scoring code is not called).
//!
//! That crate's copy of the lexicon is an older revision than the reference's current one
//! (`cjhutto/vaderSentiment` at `44fc044`, the version the scores in
//! `shared/data/vader/reference/` come from), and its map is case-insensitive where the
//! reference's is not. Compared entry by entry with the reference as the reference looks
//! words up (lower-cased), exactly five entries differ; [`OVERLAY`] and [`REMOVED`] put them
//! right, and a test pins that the overlay is still needed. The emoji lexicon agrees with the
//! reference's.
//!
//! Other crates were checked (July 2026): `vader_sentiment` 0.1.1 (MIT) has the same older
//! lexicon; `vader-sentimental` 0.1.3 (MIT) keeps it private; `vader-parity` 0.1.0
//! (MIT OR Apache-2.0, data MIT) has the current lexicon but keeps it private too, so it can
//! only be used whole, not as data for socialkit's own rules (which German needs as well).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::rules::{B_DECR, B_INCR};
use super::tables::{FastMap, FastSet, Tables};
use super::text::is_ascii_punct;

/// Entries whose value differs between the crate's lexicon and the reference's (lower-case
/// lookup): `:p` (the crate's case-insensitive map lets `:P` 1.4 win), and `heart`/`hearts`,
/// added to the reference lexicon in May 2020.
pub(crate) const OVERLAY: [(&str, f64); 3] = [(":p", 1.0), ("heart", 3.2), ("hearts", 3.3)];

/// Entries the reference can never match (its keys have upper-case letters and it looks up
/// lower-cased words) but the crate's case-insensitive map makes reachable.
pub(crate) const REMOVED: [&str; 2] = [":-þ", ":þ"];

const NEGATE: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

const BOOST_UP: &[&str] = &[
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerable",
    "considerably",
    "decidedly",
    "deeply",
    "effing",
    "enormous",
    "enormously",
    "entirely",
    "especially",
    "exceptional",
    "exceptionally",
    "extreme",
    "extremely",
    "fabulously",
    "flipping",
    "flippin",
    "frackin",
    "fracking",
    "fricking",
    "frickin",
    "frigging",
    "friggin",
    "fully",
    "fuckin",
    "fucking",
    "fuggin",
    "fugging",
    "greatly",
    "hella",
    "highly",
    "hugely",
    "incredible",
    "incredibly",
    "intensely",
    "major",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "total",
    "totally",
    "tremendous",
    "tremendously",
    "uber",
    "unbelievably",
    "unusually",
    "utter",
    "utterly",
    "very",
];

const BOOST_DOWN: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "just enough",
    "kind of",
    "kinda",
    "kindof",
    "kind-of",
    "less",
    "little",
    "marginal",
    "marginally",
    "occasional",
    "occasionally",
    "partly",
    "scarce",
    "scarcely",
    "slight",
    "slightly",
    "somewhat",
    "sort of",
    "sorta",
    "sortof",
    "sort-of",
];

/// Idioms as in the pinned reference release, `vaderSentiment` 3.3.2 on PyPI (the GitHub head
/// has "beating heart" at 3.1 and adds "broken heart"; the differential test follows the
/// release).
const SPECIAL_CASES: &[(&str, f64)] = &[
    ("the shit", 3.0),
    ("the bomb", 3.0),
    ("bad ass", 1.5),
    ("badass", 1.5),
    ("bus stop", 0.0),
    ("yeah right", -2.0),
    ("kiss of death", -1.5),
    ("to die for", 3.0),
    ("beating heart", 3.5),
];

/// The English tables, built once.
pub(crate) fn tables() -> Arc<Tables> {
    static TABLES: OnceLock<Arc<Tables>> = OnceLock::new();
    TABLES.get_or_init(|| Arc::new(build())).clone()
}

/// The lexicon as the reference looks words up: lower-case keys, overlay applied.
pub(crate) fn lexicon() -> HashMap<String, f64> {
    let mut lexicon: HashMap<String, f64> = qsv_vader_sentiment_analysis::LEXICON
        .iter()
        .map(|(k, v)| {
            let key: &str = k.as_ref();
            (key.to_lowercase(), *v)
        })
        .collect();
    for r in REMOVED {
        lexicon.remove(r);
    }
    for (k, v) in OVERLAY {
        lexicon.insert(k.to_string(), v);
    }
    lexicon
}

fn build() -> Tables {
    let emoji = qsv_vader_sentiment_analysis::EMOJI_LEXICON
        .iter()
        .filter_map(|(k, d)| {
            let mut cs = k.trim().chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Some((c, d.trim().to_string())),
                _ => None,
            }
        })
        .collect();
    let mut boosters: FastMap<String, f64> = FastMap::default();
    boosters.extend(BOOST_UP.iter().map(|w| (w.to_string(), B_INCR)));
    boosters.extend(BOOST_DOWN.iter().map(|w| (w.to_string(), B_DECR)));
    let mut t = Tables {
        lexicon: lexicon().into_iter().collect(),
        emoji,
        emoji_bits: Vec::new(),
        emoji_leads: [false; 256],
        negations: NEGATE.iter().map(|w| w.to_string()).collect(),
        negation_infix: Some("n't"),
        boosters,
        special_cases: SPECIAL_CASES
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        idiom_words: FastSet::default(),
        words: FastMap::default(),
        short_words: FastMap::default(),
        contrast: ["but".to_string()].into_iter().collect(),
        kind_of: Some(("kind", "of")),
        no_word: Some("no"),
        or_words: &["or", "nor"],
        never_words: &["never"],
        so_words: &["so", "this"],
        without_doubt: Some(("without", "doubt")),
        least: Some(("least", &["at", "very"])),
        is_punct: is_ascii_punct,
    };
    t.index();
    t
}
