//! VADER's rules (Hutto & Gilbert, ICWSM 2014), written from the reference's description and
//! behaviour: lexicon valence, booster and dampener words with distance damping, negation
//! (with the "never so" and "without doubt" idioms), "no", "least", ALL-CAPS emphasis,
//! special idioms, contrastive conjunctions, `!` and `?` emphasis, emoji descriptions and the
//! normalisation `x / sqrt(x² + 15)`.
//!
//! The order of the steps and their quirks follow the reference exactly, so English scores
//! agree with it item by item (see `tests/listen_vader.rs`).

use super::Scores;
use super::tables::Tables;
use super::text::{is_upper, split_words, strip_punc_if_word};

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

/// The per-text state the rules look at.
struct Words {
    lower: Vec<String>,
    valence: Vec<Option<f64>>,
    upper: Vec<bool>,
    cap_diff: bool,
}

/// Scores `text` with `t`, unrounded.
pub(crate) fn score(t: &Tables, text: &str) -> Scores {
    let replaced = replace_emoji(t, text);
    let original: Vec<&str> = split_words(&replaced)
        .map(|w| strip_punc_if_word(w, t.is_punct))
        .collect();
    let lower: Vec<String> = original.iter().map(|w| w.to_lowercase()).collect();
    let valence = lower.iter().map(|w| t.lexicon.get(w).copied()).collect();
    let upper: Vec<bool> = original.iter().map(|w| is_upper(w)).collect();
    let n_upper = upper.iter().filter(|u| **u).count();
    let words = Words {
        cap_diff: n_upper > 0 && n_upper < original.len(),
        lower,
        valence,
        upper,
    };

    let n = words.lower.len();
    let mut sentiments = Vec::with_capacity(n);
    for i in 0..n {
        let w = words.lower[i].as_str();
        if t.boosters.contains_key(w) {
            sentiments.push(0.0);
            continue;
        }
        if let Some((kind, of)) = t.kind_of {
            if i + 1 < n && w == kind && words.lower[i + 1] == of {
                sentiments.push(0.0);
                continue;
            }
        }
        sentiments.push(valence_at(t, &words, i));
    }
    but_check(t, &words.lower, &mut sentiments);
    score_valence(&sentiments, &replaced)
}

/// Replaces every emoji the lexicon knows by its description, as the reference does: a space
/// before it unless one is there already, none after it.
fn replace_emoji<'a>(t: &Tables, text: &'a str) -> std::borrow::Cow<'a, str> {
    if !text.chars().any(|c| t.emoji.contains_key(&c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(desc) = t.emoji.get(&c) {
            if !prev_space {
                out.push(' ');
            }
            out.push_str(desc);
            prev_space = false;
        } else {
            out.push(c);
            prev_space = c == ' ';
        }
    }
    std::borrow::Cow::Owned(out)
}

fn valence_at(t: &Tables, w: &Words, i: usize) -> f64 {
    let Some(base) = w.valence[i] else {
        return 0.0;
    };
    let n = w.lower.len();
    let lower = &w.lower;
    let mut v = base;
    if let Some(no) = t.no_word {
        // "no" before a lexicon word negates it and does not score itself.
        if lower[i] == no && i + 1 != n && w.valence[i + 1].is_some() {
            v = 0.0;
        }
        if (i > 0 && lower[i - 1] == no)
            || (i > 1 && lower[i - 2] == no)
            || (i > 2 && lower[i - 3] == no && t.or_words.contains(&lower[i - 1].as_str()))
        {
            v = base * N_SCALAR;
        }
    }
    if w.upper[i] && w.cap_diff {
        if v > 0.0 {
            v += C_INCR;
        } else {
            v -= C_INCR;
        }
    }
    for start in 0..3 {
        if i > start && w.valence[i - start - 1].is_none() {
            let mut s = scalar_inc_dec(t, w, i - start - 1, v);
            if start == 1 && s != 0.0 {
                s *= 0.95;
            }
            if start == 2 && s != 0.0 {
                s *= 0.9;
            }
            v += s;
            v = negation_check(t, lower, v, start, i);
            if start == 2 {
                v = special_idioms_check(t, lower, v, i);
            }
        }
    }
    least_check(t, w, v, i)
}

/// The effect of the booster or dampener at `j` on valence `v`.
fn scalar_inc_dec(t: &Tables, w: &Words, j: usize, v: f64) -> f64 {
    let Some(&b) = t.boosters.get(w.lower[j].as_str()) else {
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

fn negation_check(t: &Tables, lower: &[String], v: f64, start: usize, i: usize) -> f64 {
    let is = |k: usize, set: &[&str]| set.contains(&lower[k].as_str());
    let without_doubt = |a: usize, b: &[usize]| {
        t.without_doubt
            .is_some_and(|(wo, dt)| lower[a] == wo && b.iter().any(|&k| lower[k] == dt))
    };
    match start {
        0 => {
            if t.negated(&lower[i - 1]) {
                return v * N_SCALAR;
            }
        }
        1 => {
            if is(i - 2, t.never_words) && is(i - 1, t.so_words) {
                return v * 1.25;
            } else if without_doubt(i - 2, &[i - 1]) {
                return v;
            } else if t.negated(&lower[i - 2]) {
                return v * N_SCALAR;
            }
        }
        _ => {
            // As in the reference: "so"/"this" right before the word intensifies on its own.
            if (is(i - 3, t.never_words) && is(i - 2, t.so_words)) || is(i - 1, t.so_words) {
                return v * 1.25;
            } else if without_doubt(i - 3, &[i - 2, i - 1]) {
                return v;
            } else if t.negated(&lower[i - 3]) {
                return v * N_SCALAR;
            }
        }
    }
    v
}

/// Special idioms around word `i` (called with `i >= 3`) and multi-word boosters before it.
fn special_idioms_check(t: &Tables, lower: &[String], mut v: f64, i: usize) -> f64 {
    let n = lower.len();
    let near = |k: usize| k < n && t.idiom_words.contains(lower[k].as_str());
    if !(i - 3..=i + 2).any(near) {
        return v;
    }
    let join = |ks: &[usize]| {
        ks.iter()
            .map(|&k| lower[k].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let one_zero = join(&[i - 1, i]);
    let two_one_zero = join(&[i - 2, i - 1, i]);
    let two_one = join(&[i - 2, i - 1]);
    let three_two_one = join(&[i - 3, i - 2, i - 1]);
    let three_two = join(&[i - 3, i - 2]);
    for seq in [
        &one_zero,
        &two_one_zero,
        &two_one,
        &three_two_one,
        &three_two,
    ] {
        if let Some(&x) = t.special_cases.get(seq.as_str()) {
            v = x;
            break;
        }
    }
    if n - 1 > i {
        if let Some(&x) = t.special_cases.get(join(&[i, i + 1]).as_str()) {
            v = x;
        }
    }
    if n - 1 > i + 1 {
        if let Some(&x) = t.special_cases.get(join(&[i, i + 1, i + 2]).as_str()) {
            v = x;
        }
    }
    for gram in [&three_two_one, &three_two, &two_one] {
        if let Some(&b) = t.boosters.get(gram.as_str()) {
            v += b;
        }
    }
    v
}

fn least_check(t: &Tables, w: &Words, v: f64, i: usize) -> f64 {
    let Some((least, except)) = t.least else {
        return v;
    };
    let lower = &w.lower;
    if i > 1 && w.valence[i - 1].is_none() && lower[i - 1] == least {
        if !except.contains(&lower[i - 2].as_str()) {
            return v * N_SCALAR;
        }
    } else if i > 0 && w.valence[i - 1].is_none() && lower[i - 1] == least {
        return v * N_SCALAR;
    }
    v
}

/// Contrastive conjunction: halves the sentiment before the first "but", raises the sentiment
/// after it by half. Reproduces the reference's walk, which finds each value by equality (so
/// a value repeated before and after "but" is adjusted at its first position only).
fn but_check(t: &Tables, lower: &[String], sentiments: &mut [f64]) {
    let Some(bi) = lower.iter().position(|w| t.contrast.contains(w.as_str())) else {
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
    let (mut ep, mut qm) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'!' => ep += 1,
            b'?' => qm += 1,
            _ => {}
        }
    }
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
