//! German: socialkit's own lexicon (`german_lexicon.tsv`, see its header for how it was made)
//! and German rule words for VADER's method.
//!
//! The rules are VADER's; the words are German: negations ("nicht", "kein", "nie", "ohne" …),
//! degree words ("sehr", "total", "echt" / "etwas", "kaum", "ein bisschen" …), the contrastive
//! conjunctions "aber", "jedoch", "allerdings", "sondern", "nie so" (intensifies), "ohne
//! Zweifel" (no negation) and a few idioms ("na toll" is not praise). German has no "n't",
//! no "kind of" and no "least" rule.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::rules::{B_DECR, B_INCR};
use super::tables::{FastMap, FastSet, Tables};
use super::text::is_punct_typographic;

/// The lexicon file.
const LEXICON: &str = include_str!("german_lexicon.tsv");

/// Adjective endings a form marked with `~` also stands for.
const ADJ_ENDINGS: [&str; 5] = ["e", "en", "er", "es", "em"];

const NEGATE: &[&str] = &[
    "nicht",
    "nich",
    "net",
    "kein",
    "keine",
    "keinen",
    "keinem",
    "keiner",
    "keines",
    "nie",
    "niemals",
    "nimmer",
    "nichts",
    "nix",
    "nirgends",
    "nirgendwo",
    "ohne",
    "weder",
    "keinesfalls",
    "keineswegs",
    "niemand",
];

const BOOST_UP: &[&str] = &[
    "sehr",
    "extrem",
    "total",
    "völlig",
    "vollkommen",
    "komplett",
    "absolut",
    "wirklich",
    "echt",
    "richtig",
    "besonders",
    "äußerst",
    "höchst",
    "unglaublich",
    "enorm",
    "ziemlich",
    "voll",
    "mega",
    "so",
    "dermaßen",
    "derart",
    "überaus",
    "ungemein",
    "unheimlich",
    "wahnsinnig",
    "irre",
    "krass",
    "tierisch",
    "zutiefst",
    "außerordentlich",
    "hochgradig",
    "mehr",
    "am meisten",
    "sau",
];

const BOOST_DOWN: &[&str] = &[
    "etwas",
    "kaum",
    "fast",
    "beinahe",
    "bisschen",
    "ein bisschen",
    "wenig",
    "ein wenig",
    "leicht",
    "teilweise",
    "teils",
    "einigermaßen",
    "halbwegs",
    "eher",
    "relativ",
    "irgendwie",
    "weniger",
    "minimal",
    "gelegentlich",
    "knapp",
    "mehr oder weniger",
    "etwa",
];

const SPECIAL_CASES: &[(&str, f64)] = &[
    ("na toll", -1.5),
    ("na super", -1.5),
    ("na prima", -1.5),
    ("na klasse", -1.5),
    ("na danke", -1.0),
    ("kein wunder", 0.0),
    ("schöne scheiße", -3.0),
    ("gut gemeint", -0.5),
    ("zum kotzen", -3.0),
    ("alles gute", 2.5),
];

/// The German tables, built once.
pub(crate) fn tables() -> Arc<Tables> {
    static TABLES: OnceLock<Arc<Tables>> = OnceLock::new();
    TABLES.get_or_init(|| Arc::new(build())).clone()
}

/// One lexicon line that could not be used (for the test that checks the file).
#[derive(Debug, PartialEq)]
pub(crate) struct BadLine {
    pub line: usize,
    pub reason: String,
}

/// Parses the lexicon file against the English lexicon; returns the word map and any lines
/// that could not be used.
pub(crate) fn parse(
    text: &str,
    english: &HashMap<String, f64>,
) -> (HashMap<String, f64>, Vec<BadLine>) {
    let mut out = HashMap::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((forms, source)) = line.split_once('\t') else {
            bad.push(BadLine {
                line: n + 1,
                reason: "no tab".into(),
            });
            continue;
        };
        let source = source.trim();
        let valence = match source.parse::<f64>() {
            Ok(v) if v.is_finite() && (-4.0..=4.0).contains(&v) => v,
            Ok(_) => {
                bad.push(BadLine {
                    line: n + 1,
                    reason: format!("valence {source} outside -4..4"),
                });
                continue;
            }
            Err(_) => match english.get(source) {
                Some(v) => *v,
                None => {
                    bad.push(BadLine {
                        line: n + 1,
                        reason: format!("{source:?} is not in the English lexicon"),
                    });
                    continue;
                }
            },
        };
        for form in forms.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            if form.contains(' ') || form.to_lowercase() != form {
                bad.push(BadLine {
                    line: n + 1,
                    reason: format!("form {form:?} must be one lower-case word"),
                });
                continue;
            }
            match form.strip_suffix('~') {
                Some(stem) => {
                    out.insert(stem.to_string(), valence);
                    for e in ADJ_ENDINGS {
                        out.insert(format!("{stem}{e}"), valence);
                    }
                }
                None => {
                    out.insert(form.to_string(), valence);
                }
            }
        }
    }
    (out, bad)
}

fn build() -> Tables {
    let english = super::english_lexicon();
    let (mut lexicon, _bad) = parse(LEXICON, &english);
    // Emoji are scored by their (English) descriptions: the description words that carry a
    // valence join the German lexicon unless a German word of the same spelling is there.
    let emoji = super::english::tables().emoji.clone();
    for desc in emoji.values() {
        for word in desc.split(' ') {
            if let Some(v) = english.get(word) {
                if !NEGATE.contains(&word)
                    && !BOOST_UP.contains(&word)
                    && !BOOST_DOWN.contains(&word)
                {
                    lexicon.entry(word.to_string()).or_insert(*v);
                }
            }
        }
    }
    let mut boosters: FastMap<String, f64> = FastMap::default();
    boosters.extend(BOOST_UP.iter().map(|w| (w.to_string(), B_INCR)));
    boosters.extend(BOOST_DOWN.iter().map(|w| (w.to_string(), B_DECR)));
    let mut t = Tables {
        lexicon: lexicon.into_iter().collect(),
        emoji,
        emoji_bits: Vec::new(),
        emoji_leads: [false; 256],
        negations: NEGATE.iter().map(|w| w.to_string()).collect(),
        negation_infix: None,
        boosters,
        special_cases: SPECIAL_CASES
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        idiom_words: FastSet::default(),
        words: FastMap::default(),
        short_words: FastMap::default(),
        contrast: ["aber", "jedoch", "allerdings", "sondern"]
            .into_iter()
            .map(str::to_string)
            .collect(),
        kind_of: None,
        no_word: None,
        or_words: &[],
        never_words: &["nie", "niemals"],
        so_words: &["so", "dermaßen", "derart"],
        without_doubt: Some(("ohne", "zweifel")),
        least: None,
        is_punct: is_punct_typographic,
    };
    t.index();
    t
}
