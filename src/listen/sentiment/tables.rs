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
    fn write_u128(&mut self, i: u128) {
        self.add(i as u64);
        self.add((i >> 64) as u64);
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
    /// The rule words it is ([`Role`] bits: "no", "or", "never", "so", …), so the rules test a
    /// bit instead of comparing strings.
    pub roles: u16,
}

/// The rule words of [`Tables`] as bits of [`WordInfo::roles`].
pub(crate) struct Role;

impl Role {
    /// [`Tables::no_word`].
    pub const NO: u16 = 1;
    /// [`Tables::or_words`].
    pub const OR: u16 = 1 << 1;
    /// [`Tables::never_words`].
    pub const NEVER: u16 = 1 << 2;
    /// [`Tables::so_words`].
    pub const SO: u16 = 1 << 3;
    /// The first word of [`Tables::without_doubt`].
    pub const WITHOUT: u16 = 1 << 4;
    /// The second word of [`Tables::without_doubt`].
    pub const DOUBT: u16 = 1 << 5;
    /// The word of [`Tables::least`].
    pub const LEAST: u16 = 1 << 6;
    /// The exceptions of [`Tables::least`] ("at least", "very least").
    pub const LEAST_EXCEPT: u16 = 1 << 7;
    /// The first word of [`Tables::kind_of`].
    pub const KIND: u16 = 1 << 8;
    /// The second word of [`Tables::kind_of`].
    pub const OF: u16 = 1 << 9;
}

impl WordInfo {
    /// Whether the word has every role bit of `role`.
    #[inline]
    pub fn is(&self, role: u16) -> bool {
        self.roles & role == role
    }
}

/// Everything language-specific the rules in [`super::rules`] read. English fills it from the
/// reference's tables; German from socialkit's own.
#[derive(Debug, Clone)]
pub(crate) struct Tables {
    /// Lower-case word -> mean valence on VADER's −4..+4 scale.
    pub lexicon: FastMap<String, f64>,
    /// A single character emoji -> its description in words (scored as words).
    pub emoji: FastMap<char, String>,
    /// One bit per code point below `64 * emoji_bits.len()`: set for the non-ASCII keys of
    /// [`Tables::emoji`] (built by [`Tables::index`]), so a text's other characters are ruled
    /// out without a hash lookup. Read it through [`Tables::emoji_of`].
    pub emoji_bits: Vec<u64>,
    /// The UTF-8 lead bytes of the non-ASCII keys of [`Tables::emoji`] (built by
    /// [`Tables::index`]): a text is searched for emoji byte by byte, decoding only there.
    pub emoji_leads: [bool; 256],
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
    /// [`Tables::index`] from the tables above). Read it through [`Tables::word`].
    pub words: FastMap<String, WordInfo>,
    /// The entries of [`Tables::words`] of at most [`SHORT`] bytes, keyed by [`short_key`]:
    /// nearly every word, found with an integer hash and compare instead of a string's.
    pub short_words: FastMap<u128, WordInfo>,
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

/// The longest word (in UTF-8 bytes) kept in [`Tables::short_words`].
pub(crate) const SHORT: usize = 15;

/// A word of at most [`SHORT`] bytes as one integer: its bytes, zero-padded, and its length in
/// the last byte (so `"a"` and `"a\0"` differ). `None` for a longer word.
#[inline]
pub(crate) fn short_key(word: &str) -> Option<u128> {
    let b = word.as_bytes();
    if b.len() > SHORT {
        return None;
    }
    let mut k = [0u8; 16];
    k[..b.len()].copy_from_slice(b);
    Some(short_key_in(k, b.len()))
}

/// [`short_key`] of the word of `len` (at most [`SHORT`]) bytes at the start of `window`; the
/// bytes after the word are masked off, so a word in a longer buffer needs no copy.
#[inline]
pub(crate) fn short_key_in(window: [u8; 16], len: usize) -> u128 {
    debug_assert!(len <= SHORT);
    let word = u128::from_le_bytes(window) & ((1u128 << (8 * (len % 16))) - 1);
    word | ((len as u128) << 120)
}

/// How many spare bytes a buffer of words needs after its last word for
/// [`Tables::word_in`] to find every word by its [`short_key_in`].
pub(crate) const PAD: usize = 16;

impl Tables {
    /// What the rules need to know of the (lower-case) word `w`: its entry, or nothing.
    #[inline]
    pub(crate) fn word(&self, w: &str) -> WordInfo {
        match short_key(w) {
            Some(k) => self.short_words.get(&k),
            None => self.words.get(w),
        }
        .copied()
        .unwrap_or_default()
    }

    /// Whether `c` may be a key of [`Tables::emoji`] other than an ASCII one (no false
    /// negatives; exact for the tables as built).
    #[inline]
    pub(crate) fn maybe_emoji(&self, c: char) -> bool {
        let c = c as usize;
        self.emoji_bits
            .get(c / 64)
            .is_some_and(|bits| bits & (1 << (c % 64)) != 0)
    }

    /// The description of the emoji `c` (never of an ASCII character, as the rules want).
    #[inline]
    pub(crate) fn emoji_of(&self, c: char) -> Option<&str> {
        if !self.maybe_emoji(c) {
            return None;
        }
        self.emoji.get(&c).map(String::as_str)
    }

    /// [`Tables::word`] of the word `buf[a..b]`, where `buf` has at least [`PAD`] bytes after
    /// `b`: a short word is keyed straight from the buffer.
    #[inline]
    pub(crate) fn word_in(&self, buf: &str, a: usize, b: usize) -> WordInfo {
        let window = buf
            .as_bytes()
            .get(a..a + PAD)
            .and_then(|w| w.try_into().ok());
        match window {
            Some(window) if b - a <= SHORT => self
                .short_words
                .get(&short_key_in(window, b - a))
                .copied()
                .unwrap_or_default(),
            _ => self.word(buf.get(a..b).unwrap_or_default()),
        }
    }

    /// The emoji of `text` with their byte offsets and descriptions, in order.
    pub(crate) fn emoji_in<'t>(
        &'t self,
        text: &'t str,
    ) -> impl Iterator<Item = (usize, char, &'t str)> + 't {
        let bytes = text.as_bytes();
        let mut i = 0;
        std::iter::from_fn(move || {
            while i < bytes.len() {
                let k = i;
                i += 1;
                if !self.emoji_leads[bytes[k] as usize] {
                    continue;
                }
                // A lead byte starts a character.
                let c = text.get(k..)?.chars().next()?;
                if let Some(desc) = self.emoji_of(c) {
                    i = k + c.len_utf8();
                    return Some((k, c, desc));
                }
            }
            None
        })
    }

    /// Fills [`Tables::idiom_words`], [`Tables::words`] and [`Tables::emoji_bits`] from the
    /// other tables.
    pub(crate) fn index(&mut self) {
        self.index_idioms();
        let top = self
            .emoji
            .keys()
            .map(|&c| c as usize + 1)
            .max()
            .unwrap_or(0);
        let mut bits = vec![0u64; top.div_ceil(64)];
        let mut leads = [false; 256];
        for &c in self.emoji.keys().filter(|c| !c.is_ascii()) {
            bits[c as usize / 64] |= 1 << (c as usize % 64);
            leads[c.encode_utf8(&mut [0; 4]).as_bytes()[0] as usize] = true;
        }
        self.emoji_bits = bits;
        self.emoji_leads = leads;
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
        let mut roles: Vec<(&str, u16)> = Vec::new();
        roles.extend(self.no_word.map(|w| (w, Role::NO)));
        roles.extend(self.or_words.iter().map(|w| (*w, Role::OR)));
        roles.extend(self.never_words.iter().map(|w| (*w, Role::NEVER)));
        roles.extend(self.so_words.iter().map(|w| (*w, Role::SO)));
        if let Some((without, doubt)) = self.without_doubt {
            roles.extend([(without, Role::WITHOUT), (doubt, Role::DOUBT)]);
        }
        if let Some((least, except)) = self.least {
            roles.push((least, Role::LEAST));
            roles.extend(except.iter().map(|w| (*w, Role::LEAST_EXCEPT)));
        }
        if let Some((kind, of)) = self.kind_of {
            roles.extend([(kind, Role::KIND), (of, Role::OF)]);
        }
        for (w, role) in roles {
            words.entry(w.to_string()).or_default().roles |= role;
        }
        self.short_words = words
            .iter()
            .filter_map(|(w, e)| Some((short_key(w)?, *e)))
            .collect();
        self.words = words;
    }

    /// Sets the valence of one word in [`Tables::lexicon`] and [`Tables::words`].
    pub(crate) fn set_valence(&mut self, word: String, valence: f64) {
        let e = self.words.entry(word.clone()).or_default();
        e.valence = Some(valence);
        if let Some(k) = short_key(&word) {
            self.short_words.insert(k, *e);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_unique_and_bounded() {
        assert_ne!(short_key("a"), short_key("a\0"));
        assert_ne!(short_key(""), short_key("\0"));
        assert_eq!(short_key("a"), short_key("a"));
        assert!(short_key("fifteen-bytes-x").is_some());
        assert_eq!(short_key("sixteen-bytes-xx"), None);
        // Keyed inside a longer buffer: the same key.
        let buf = format!("xx{}yyyy{}", "fifteen-bytes-x", "\0".repeat(PAD));
        for (a, b) in [(2, 17), (0, 2), (2, 3), (17, 21), (3, 3)] {
            let mut window = [0u8; 16];
            window.copy_from_slice(&buf.as_bytes()[a..a + 16]);
            assert_eq!(Some(short_key_in(window, b - a)), short_key(&buf[a..b]));
        }
    }

    #[test]
    fn every_word_is_found_through_either_map() {
        for t in [
            super::super::english::tables(),
            super::super::german::tables(),
        ] {
            assert!(t.words.len() > 100);
            for (w, e) in &t.words {
                assert_eq!(t.word(w), *e, "{w}");
                let padded = format!("{w}{}", "\0".repeat(PAD));
                assert_eq!(t.word_in(&padded, 0, w.len()), *e, "{w}");
            }
            assert_eq!(t.word("no-such-word-in-any-lexicon"), WordInfo::default());
        }
    }

    #[test]
    fn the_emoji_bits_are_the_emoji_table() {
        for t in [
            super::super::english::tables(),
            super::super::german::tables(),
        ] {
            assert!(t.emoji.len() > 1000);
            for c in (0..=0x10FFFF).filter_map(char::from_u32) {
                let want = if c.is_ascii() { None } else { t.emoji.get(&c) };
                assert_eq!(t.emoji_of(c), want.map(String::as_str), "{c:?}");
                assert_eq!(t.maybe_emoji(c), want.is_some(), "{c:?}");
                if want.is_none() && !(c as u32).is_multiple_of(61) {
                    continue;
                }
                let text = format!("a{c}é{c}");
                let found: Vec<_> = t.emoji_in(&text).map(|(k, e, _)| (k, e)).collect();
                let second = 1 + c.len_utf8() + 'é'.len_utf8();
                let expected = if want.is_some() {
                    vec![(1, c), (second, c)]
                } else {
                    vec![]
                };
                assert_eq!(found, expected, "{c:?}");
            }
        }
    }
}
