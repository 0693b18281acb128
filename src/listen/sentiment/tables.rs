//! The word tables one language needs for VADER's rules.

use std::collections::{HashMap, HashSet};

/// Everything language-specific the rules in [`super::rules`] read. English fills it from the
/// reference's tables; German from socialkit's own.
#[derive(Debug, Clone)]
pub(crate) struct Tables {
    /// Lower-case word -> mean valence on VADER's −4..+4 scale.
    pub lexicon: HashMap<String, f64>,
    /// A single character emoji -> its description in words (scored as words).
    pub emoji: HashMap<char, String>,
    /// Negation words ("not", "never", "without" …).
    pub negations: HashSet<String>,
    /// A substring that makes any word a negation ("n't"), where the language has one.
    pub negation_infix: Option<&'static str>,
    /// Booster (positive) and dampener (negative) degree words, single or multi-word.
    pub boosters: HashMap<String, f64>,
    /// Idioms whose valence replaces the word's ("the shit", "kiss of death" …).
    pub special_cases: HashMap<String, f64>,
    /// Every single word that occurs in a multi-word booster or a special case: an idiom can
    /// only match where one of these is near.
    pub idiom_words: HashSet<String>,
    /// Contrastive conjunctions ("but"): sentiment before is halved, after is raised by half.
    pub contrast: HashSet<String>,
    /// The two words of a dampening phrase whose first word would otherwise score ("kind of").
    pub kind_of: Option<(&'static str, &'static str)>,
    /// "no", which negates the next lexicon word (and does not score itself then).
    pub no_word: Option<&'static str>,
    /// "or" / "nor": "no X or Y" negates Y too.
    pub or_words: &'static [&'static str],
    /// "never": "never so good" intensifies instead of negating.
    pub never_words: &'static [&'static str],
    /// "so" / "this" after "never".
    pub so_words: &'static [&'static str],
    /// "without doubt": no negation.
    pub without_doubt: Option<(&'static str, &'static str)>,
    /// "least" negates the next word, except after "at" / "very".
    pub least: Option<(&'static str, &'static [&'static str])>,
    /// What counts as punctuation to strip around words.
    pub is_punct: fn(char) -> bool,
}

impl Tables {
    /// Whether `lower` (already lower case) is a negation.
    pub(crate) fn negated(&self, lower: &str) -> bool {
        self.negations.contains(lower) || self.negation_infix.is_some_and(|n| lower.contains(n))
    }

    /// Fills [`Tables::idiom_words`] from the multi-word boosters and special cases.
    pub(crate) fn index_idioms(&mut self) {
        let mut words = HashSet::new();
        for key in self
            .special_cases
            .keys()
            .chain(self.boosters.keys().filter(|k| k.contains(' ')))
        {
            words.extend(key.split(' ').map(str::to_string));
        }
        self.idiom_words = words;
    }
}
