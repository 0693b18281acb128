//! The word tables one language needs for VADER's rules.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A map with [`Fx`] hashing: the tables are looked up once or more per word, and SipHash's
/// protection against chosen collisions buys nothing for fixed word lists.
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
/// A set with [`Fx`] hashing.
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<Fx>>;

/// The Fx hash (Firefox's, as in rustc): a rotate, xor and multiply per 8 bytes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fx(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Fx {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// What the rules need to know of one (lower-case) word.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct WordInfo {
    /// Its valence in the lexicon.
    pub valence: Option<f64>,
    /// Its value as a single-word booster or dampener.
    pub booster: Option<f64>,
    /// Whether it occurs in a multi-word idiom or booster.
    pub idiom: bool,
    /// Whether it is in the negation list (the infix "n't" is checked apart).
    pub negation: bool,
    /// Whether it is a contrastive conjunction ("but").
    pub contrast: bool,
}

/// Everything language-specific the rules in [`super::rules`] read. English fills it from the
/// reference's tables; German from socialkit's own.
#[derive(Debug, Clone)]
pub(crate) struct Tables {
    /// Lower-case word -> mean valence on VADER's −4..+4 scale.
    pub lexicon: FastMap<String, f64>,
    /// A single character emoji -> its description in words (scored as words).
    pub emoji: FastMap<char, String>,
    /// Negation words ("not", "never", "without" …).
    pub negations: FastSet<String>,
    /// A substring that makes any word a negation ("n't"), where the language has one.
    pub negation_infix: Option<&'static str>,
    /// Booster (positive) and dampener (negative) degree words, single or multi-word.
    pub boosters: FastMap<String, f64>,
    /// Idioms whose valence replaces the word's ("the shit", "kiss of death" …).
    pub special_cases: FastMap<String, f64>,
    /// Every single word that occurs in a multi-word booster or a special case: an idiom can
    /// only match where one of these is near.
    pub idiom_words: FastSet<String>,
    /// Everything the rules ask of a single word, found with one lookup per word (built by
    /// [`Tables::index`] from the tables above).
    pub words: FastMap<String, WordInfo>,
    /// Contrastive conjunctions ("but"): sentiment before is halved, after is raised by half.
    pub contrast: FastSet<String>,
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
    /// Fills [`Tables::idiom_words`] and [`Tables::words`] from the other tables.
    pub(crate) fn index(&mut self) {
        self.index_idioms();
        let mut words: FastMap<String, WordInfo> = FastMap::default();
        for (w, v) in &self.lexicon {
            words.entry(w.clone()).or_default().valence = Some(*v);
        }
        for (w, b) in self.boosters.iter().filter(|(k, _)| !k.contains(' ')) {
            words.entry(w.clone()).or_default().booster = Some(*b);
        }
        for w in &self.idiom_words {
            words.entry(w.clone()).or_default().idiom = true;
        }
        for w in &self.negations {
            words.entry(w.clone()).or_default().negation = true;
        }
        for w in &self.contrast {
            words.entry(w.clone()).or_default().contrast = true;
        }
        self.words = words;
    }

    /// Sets the valence of one word in [`Tables::lexicon`] and [`Tables::words`].
    pub(crate) fn set_valence(&mut self, word: String, valence: f64) {
        self.words.entry(word.clone()).or_default().valence = Some(valence);
        self.lexicon.insert(word, valence);
    }

    /// Fills [`Tables::idiom_words`] from the multi-word boosters and special cases.
    fn index_idioms(&mut self) {
        let mut words = FastSet::default();
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
