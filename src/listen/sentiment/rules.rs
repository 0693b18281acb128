//! VADER's rules (Hutto & Gilbert, ICWSM 2014), written from the reference's description and
//! behaviour: lexicon valence, booster and dampener words with distance damping, negation
//! (with the "never so" and "without doubt" idioms), "no", "least", ALL-CAPS emphasis,
//! special idioms, contrastive conjunctions, `!` and `?` emphasis, emoji descriptions and the
//! normalisation `x / sqrt(x² + 15)`.
//!
//! The order of the steps and their quirks follow the reference exactly, so English scores
//! agree with it item by item (see `tests/listen_vader.rs`).

use super::Scores;
use super::tables::{PAD, Role, Tables, WordInfo};
use super::text::{push_lower, split_words, strip_punc_if_word};

/// Increase of a booster word's effect (and decrease of a dampener's).
pub(crate) const B_INCR: f64 = 0.293;
/// Decrease of a dampener word.
pub(crate) const B_DECR: f64 = -0.293;
/// Emphasis of a word in ALL CAPS among words that are not.
const C_INCR: f64 = 0.733;
/// Factor applied to a negated valence.
const N_SCALAR: f64 = -0.74;
/// Emphasis per exclamation mark (at most four count).
const EP_STEP: f64 = 0.292;
/// Emphasis per question mark (two or three count; more count as [`QM_CAP`]).
const QM_STEP: f64 = 0.18;
/// Emphasis of four or more question marks.
const QM_CAP: f64 = 0.96;
/// Normalisation constant: `compound = x / sqrt(x² + ALPHA)`.
const ALPHA: f64 = 15.0;

/// `x / sqrt(x² + 15)`, clamped to −1..1.
pub(crate) fn normalize(score: f64) -> f64 {
    let n = score / (score * score + ALPHA).sqrt();
    n.clamp(-1.0, 1.0)
}

/// The words of one text: lower-cased into one buffer (no allocation per word), with each
/// word's lexicon valence and whether it is in capitals.
struct Words<'a> {
    buf: &'a str,
    spans: &'a [(u32, u32)],
    /// Each word's entry in the tables (valence, booster, idiom, negation, contrast).
    info: &'a [WordInfo],
    upper: &'a [bool],
    /// Some words are in capitals and some are not (only then do capitals count).
    cap_diff: bool,
}

impl Words<'_> {
    #[inline]
    fn len(&self) -> usize {
        self.spans.len()
    }

    #[inline]
    fn lower(&self, i: usize) -> &str {
        let (a, b) = self.spans[i];
        &self.buf[a as usize..b as usize]
    }

    /// Whether word `i` is a negation (in the list, or containing the language's infix; both
    /// looked up once per word in [`score_with`]).
    #[inline]
    fn negated(&self, i: usize) -> bool {
        self.info[i].negation
    }

    #[inline]
    fn valence(&self, i: usize) -> Option<f64> {
        self.info[i].valence
    }

    /// Whether word `i` is the rule word `role` (a [`Role`] bit).
    #[inline]
    fn is(&self, i: usize, role: u16) -> bool {
        self.info[i].is(role)
    }
}

/// Buffers reused from text to text on one thread, so scoring allocates nothing per word (and,
/// once warm, nothing per text but for texts with emoji or non-ASCII words).
#[derive(Default)]
struct Scratch {
    buf: String,
    spans: Vec<(u32, u32)>,
    info: Vec<WordInfo>,
    upper: Vec<bool>,
    sentiments: Vec<f64>,
    text: String,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Scores `text` with the tables of one language.
pub(crate) fn score(t: &Tables, text: &str) -> Scores {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => score_with(t, text, &mut scratch),
        Err(_) => score_with(t, text, &mut Scratch::default()),
    })
}

fn score_with(t: &Tables, text: &str, s: &mut Scratch) -> Scores {
    let Scratch {
        buf,
        spans,
        info,
        upper,
        sentiments,
        text: replaced,
    } = s;
    let text = replace_emoji(t, text, replaced);
    buf.clear();
    spans.clear();
    upper.clear();
    for word in split_words(text) {
        let w = strip_punc_if_word(word, t.is_punct);
        let start = buf.len() as u32;
        let is_upper = push_lower(w, buf);
        spans.push((start, buf.len() as u32));
        upper.push(is_upper);
    }
    // Spare bytes after the last word: short words are keyed straight from the buffer.
    buf.push_str(PADDING);
    info.clear();
    info.extend(spans.iter().map(|&(a, b)| {
        let mut e = t.word_in(buf, a as usize, b as usize);
        if let Some(infix) = t.negation_infix.filter(|_| !e.negation) {
            e.negation = contains_infix(&buf.as_bytes()[a as usize..b as usize], infix.as_bytes());
        }
        e
    }));
    let n_upper = upper.iter().filter(|u| **u).count();
    let words = Words {
        buf,
        spans,
        info,
        upper,
        cap_diff: n_upper > 0 && n_upper < spans.len(),
    };

    let n = words.len();
    sentiments.clear();
    for i in 0..n {
        // Booster words score nothing themselves.
        if words.info[i].booster.is_some() {
            sentiments.push(0.0);
            continue;
        }
        // "kind of" as a dampener: "kind" scores nothing.
        if i + 1 < n && words.is(i, Role::KIND) && words.is(i + 1, Role::OF) {
            sentiments.push(0.0);
            continue;
        }
        sentiments.push(valence_at(t, &words, i));
    }
    but_check(&words, sentiments);
    score_valence(sentiments, text)
}

/// [`PAD`] spare bytes.
const PADDING: &str = "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
const _: () = assert!(PADDING.len() == PAD);

/// Whether `word` contains `infix` (a short word: a plain scan for the infix's second byte,
/// rarer than its first in "n't", beats a substring searcher's setup).
#[inline]
fn contains_infix(word: &[u8], infix: &[u8]) -> bool {
    match infix {
        [] => true,
        [only] => word.contains(only),
        [_, second, ..] => {
            // Most words have no apostrophe: rule them out without a branch per byte.
            word.iter().fold(false, |seen, b| seen | (b == second))
                && word
                    .iter()
                    .enumerate()
                    .skip(1)
                    .any(|(k, b)| b == second && word[k - 1..].starts_with(infix))
        }
    }
}

/// Replaces each emoji by its description (spaced from the previous text as the reference
/// does) into `out`; returns `text` itself when it has no emoji.
fn replace_emoji<'a>(t: &Tables, text: &'a str, out: &'a mut String) -> &'a str {
    if text.is_ascii() {
        return text;
    }
    let mut emoji = t.emoji_in(text);
    let Some((first, c, desc)) = emoji.next() else {
        return text;
    };
    out.clear();
    // Between emoji the text is copied as it is; an emoji is spaced from what precedes it
    // unless that is a space or the start of the text (another emoji's description is not).
    let push = |out: &mut String, from: usize, at: usize, len: usize, desc: &str| {
        let before = &text[from..at];
        out.push_str(before);
        let prev_space = if before.is_empty() {
            from == 0
        } else {
            before.ends_with(' ')
        };
        if !prev_space {
            out.push(' ');
        }
        out.push_str(desc);
        at + len
    };
    let mut from = push(out, 0, first, c.len_utf8(), desc);
    for (at, c, desc) in emoji {
        from = push(out, from, at, c.len_utf8(), desc);
    }
    out.push_str(&text[from..]);
    out
}

fn valence_at(t: &Tables, w: &Words, i: usize) -> f64 {
    let Some(base) = w.valence(i) else {
        return 0.0;
    };
    let n = w.len();
    let mut v = base;
    // "no" before a lexicon word negates it and does not score itself.
    if w.is(i, Role::NO) && i + 1 != n && w.valence(i + 1).is_some() {
        v = 0.0;
    }
    if (i > 0 && w.is(i - 1, Role::NO))
        || (i > 1 && w.is(i - 2, Role::NO))
        || (i > 2 && w.is(i - 3, Role::NO) && w.is(i - 1, Role::OR))
    {
        v = base * N_SCALAR;
    }
    if w.upper[i] && w.cap_diff {
        if v > 0.0 {
            v += C_INCR;
        } else {
            v -= C_INCR;
        }
    }
    for start in 0..3 {
        if i > start && w.valence(i - start - 1).is_none() {
            let mut s = scalar_inc_dec(w, i - start - 1, v);
            if start == 1 && s != 0.0 {
                s *= 0.95;
            }
            if start == 2 && s != 0.0 {
                s *= 0.9;
            }
            v += s;
            v = negation_check(w, v, start, i);
            if start == 2 {
                v = special_idioms_check(t, w, v, i);
            }
        }
    }
    least_check(w, v, i)
}

/// The effect of the booster or dampener at `j` on valence `v`.
fn scalar_inc_dec(w: &Words, j: usize, v: f64) -> f64 {
    let Some(b) = w.info[j].booster else {
        return 0.0;
    };
    let mut s = if v < 0.0 { -b } else { b };
    if w.upper[j] && w.cap_diff {
        if v > 0.0 {
            s += C_INCR;
        } else {
            s -= C_INCR;
        }
    }
    s
}

fn negation_check(w: &Words, v: f64, start: usize, i: usize) -> f64 {
    let is = |k: usize, role: u16| w.is(k, role);
    let without_doubt =
        |a: usize, b: &[usize]| is(a, Role::WITHOUT) && b.iter().any(|&k| is(k, Role::DOUBT));
    match start {
        0 => {
            if w.negated(i - 1) {
                return v * N_SCALAR;
            }
        }
        1 => {
            if is(i - 2, Role::NEVER) && is(i - 1, Role::SO) {
                return v * 1.25;
            } else if without_doubt(i - 2, &[i - 1]) {
                return v;
            } else if w.negated(i - 2) {
                return v * N_SCALAR;
            }
        }
        _ => {
            // As in the reference: "so"/"this" right before the word intensifies on its own.
            if (is(i - 3, Role::NEVER) && is(i - 2, Role::SO)) || is(i - 1, Role::SO) {
                return v * 1.25;
            } else if without_doubt(i - 3, &[i - 2, i - 1]) {
                return v;
            } else if w.negated(i - 3) {
                return v * N_SCALAR;
            }
        }
    }
    v
}

/// Special idioms around word `i` (called with `i >= 3`) and multi-word boosters before it.
fn special_idioms_check(t: &Tables, w: &Words, mut v: f64, i: usize) -> f64 {
    let lower = |k: usize| w.lower(k);
    let n = w.len();
    let near = |k: usize| k < n && w.info[k].idiom;
    if !(i - 3..=i + 2).any(near) {
        return v;
    }
    // Every word of every idiom and multi-word booster is an idiom word: a sequence with
    // another word in it matches none, and is not even joined.
    let join = |ks: &[usize]| {
        if ks.iter().all(|&k| w.info[k].idiom) {
            Joined::of(ks.iter().map(|&k| lower(k)))
        } else {
            Joined::none()
        }
    };
    let one_zero = join(&[i - 1, i]);
    let two_one_zero = join(&[i - 2, i - 1, i]);
    let two_one = join(&[i - 2, i - 1]);
    let three_two_one = join(&[i - 3, i - 2, i - 1]);
    let three_two = join(&[i - 3, i - 2]);
    let special = |j: &Joined| t.special_cases.get(j.as_str()?).copied();
    for seq in [
        &one_zero,
        &two_one_zero,
        &two_one,
        &three_two_one,
        &three_two,
    ] {
        if let Some(x) = special(seq) {
            v = x;
            break;
        }
    }
    if n - 1 > i {
        if let Some(x) = special(&join(&[i, i + 1])) {
            v = x;
        }
    }
    if n - 1 > i + 1 {
        if let Some(x) = special(&join(&[i, i + 1, i + 2])) {
            v = x;
        }
    }
    for gram in [&three_two_one, &three_two, &two_one] {
        if let Some(&b) = gram.as_str().and_then(|g| t.boosters.get(g)) {
            v += b;
        }
    }
    v
}

/// Words joined by single spaces in a buffer on the stack (no allocation per idiom check).
/// Every idiom and multi-word booster is much shorter than [`Joined::CAP`] bytes; a longer
/// join is `None`, which matches none of them.
struct Joined {
    bytes: [u8; Joined::CAP],
    len: usize,
    overflow: bool,
}

impl Joined {
    const CAP: usize = 96;

    /// A join that matches nothing.
    fn none() -> Joined {
        Joined {
            bytes: [0; Joined::CAP],
            len: 0,
            overflow: true,
        }
    }

    fn of<'w>(words: impl Iterator<Item = &'w str>) -> Joined {
        let mut j = Joined {
            bytes: [0; Joined::CAP],
            len: 0,
            overflow: false,
        };
        for (k, word) in words.enumerate() {
            if k > 0 {
                j.push(" ");
            }
            j.push(word);
        }
        j
    }

    fn push(&mut self, s: &str) {
        let end = self.len + s.len();
        if end > Joined::CAP {
            self.overflow = true;
            return;
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
    }

    fn as_str(&self) -> Option<&str> {
        if self.overflow {
            return None;
        }
        std::str::from_utf8(&self.bytes[..self.len]).ok()
    }
}

fn least_check(w: &Words, v: f64, i: usize) -> f64 {
    if i > 1 && w.valence(i - 1).is_none() && w.is(i - 1, Role::LEAST) {
        if !w.is(i - 2, Role::LEAST_EXCEPT) {
            return v * N_SCALAR;
        }
    } else if i > 0 && w.valence(i - 1).is_none() && w.is(i - 1, Role::LEAST) {
        return v * N_SCALAR;
    }
    v
}

/// Contrastive conjunction: halves the sentiment before the first "but", raises the sentiment
/// after it by half. Reproduces the reference's walk, which finds each value by equality (so
/// a value repeated before and after "but" is adjusted at its first position only).
fn but_check(w: &Words, sentiments: &mut [f64]) {
    let Some(bi) = w.info.iter().position(|e| e.contrast) else {
        return;
    };
    for k in 0..sentiments.len() {
        let s = sentiments[k];
        let Some(si) = sentiments.iter().position(|x| *x == s) else {
            continue;
        };
        if si < bi {
            sentiments[si] = s * 0.5;
        } else if si > bi {
            sentiments[si] = s * 1.5;
        }
    }
}

fn punctuation_emphasis(text: &str) -> f64 {
    // Two counting passes without branches (vectorised) beat one pass with a branch per byte.
    let count = |mark: u8| text.bytes().filter(|&b| b == mark).count();
    let (ep, qm) = (count(b'!'), count(b'?'));
    let ep_amp = ep.min(4) as f64 * EP_STEP;
    let qm_amp = match qm {
        0 | 1 => 0.0,
        2 | 3 => qm as f64 * QM_STEP,
        _ => QM_CAP,
    };
    ep_amp + qm_amp
}

fn score_valence(sentiments: &[f64], text: &str) -> Scores {
    if sentiments.is_empty() {
        return Scores::default();
    }
    let mut sum: f64 = sentiments.iter().fold(0.0, |a, s| a + s);
    let amp = punctuation_emphasis(text);
    if sum > 0.0 {
        sum += amp;
    } else if sum < 0.0 {
        sum -= amp;
    }
    let compound = normalize(sum);
    let (mut pos, mut neg, mut neu) = (0.0f64, 0.0f64, 0usize);
    for &s in sentiments {
        if s > 0.0 {
            pos += s + 1.0;
        }
        if s < 0.0 {
            neg += s - 1.0;
        }
        if s == 0.0 {
            neu += 1;
        }
    }
    if pos > neg.abs() {
        pos += amp;
    } else if pos < neg.abs() {
        neg -= amp;
    }
    let total = pos + neg.abs() + neu as f64;
    Scores {
        neg: (neg / total).abs(),
        neu: (neu as f64 / total).abs(),
        pos: (pos / total).abs(),
        compound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's emoji loop, char by char.
    fn replace_emoji_plainly(t: &Tables, text: &str) -> String {
        let mut out = String::new();
        let mut prev_space = true;
        for c in text.chars() {
            match t.emoji.get(&c).filter(|_| !c.is_ascii()) {
                Some(desc) => {
                    if !prev_space {
                        out.push(' ');
                    }
                    out.push_str(desc);
                    prev_space = false;
                }
                None => {
                    out.push(c);
                    prev_space = c == ' ';
                }
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn emoji_are_replaced_as_the_reference_does(
            text in "[a :\u{a9}\u{2764}\u{fe0f}\u{200d}\u{1f600}\u{1f44d}\u{1f3fd}\u{1f1e9}\u{1f1ea}é…—]{0,16}"
        ) {
            let t = super::super::english::tables();
            let mut out = String::new();
            let fast = replace_emoji(&t, &text, &mut out).to_string();
            proptest::prop_assert_eq!(fast, replace_emoji_plainly(&t, &text));
        }
    }

    #[test]
    fn infixes_are_found_where_they_are() {
        for (word, infix, yes) in [
            ("isn't", "n't", true),
            ("n't", "n't", true),
            ("'t", "n't", false),
            ("don'", "n't", false),
            ("nt't", "n't", false),
            ("nn't", "n't", true),
            ("", "n't", false),
            ("x", "x", true),
            ("", "", true),
        ] {
            assert_eq!(
                contains_infix(word.as_bytes(), infix.as_bytes()),
                yes,
                "{word}"
            );
        }
    }

    #[test]
    fn every_idiom_fits_the_join_buffer() {
        for t in [
            super::super::english::tables(),
            super::super::german::tables(),
        ] {
            for key in t.special_cases.keys().chain(t.boosters.keys()) {
                let joined = Joined::of(key.split(' '));
                assert_eq!(joined.as_str(), Some(key.as_str()));
            }
        }
        let long = "x".repeat(Joined::CAP);
        assert_eq!(Joined::of([long.as_str(), "y"].into_iter()).as_str(), None);
    }
}
