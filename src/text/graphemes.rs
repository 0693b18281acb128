//! Counting extended grapheme clusters (UAX #29) in one pass over the characters.
//!
//! The rules of UAX #29 (Unicode 17, "Grapheme Cluster Boundary Rules", GB3–GB999) as a
//! small state machine over each character's class: its Grapheme_Cluster_Break value,
//! Extended_Pictographic and Indic_Conjunct_Break, from ICU4X's Unicode data, kept in one
//! byte per code point of the first two planes (where emoji and nearly every script live)
//! and of plane 14's tags once looked up; every other code point is of class Other. It
//! counts what `unicode-segmentation` counts (tested against it on every code point, on
//! random mixes of every class, and on the differential corpus, whose answers come from
//! ICU), with no segmenter state to set up per text.

use icu_properties::props::{
    ExtendedPictographic, GraphemeClusterBreak as Gcb, IndicConjunctBreak as Incb,
};
use icu_properties::{CodePointMapData, CodePointSetData};
use std::sync::atomic::{AtomicU8, Ordering};

/// A character's class: the Grapheme_Cluster_Break kind in the low 4 bits, then
/// Extended_Pictographic, then Indic_Conjunct_Break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Class(u8);

// Grapheme_Cluster_Break kinds (the low 4 bits).
const OTHER: u8 = 0;
const CR: u8 = 1;
const LF: u8 = 2;
const CONTROL: u8 = 3;
const EXTEND: u8 = 4;
const ZWJ: u8 = 5;
const RI: u8 = 6;
const PREPEND: u8 = 7;
const SPACING_MARK: u8 = 8;
const L: u8 = 9;
const V: u8 = 10;
const T: u8 = 11;
const LV: u8 = 12;
const LVT: u8 = 13;

const PICTOGRAPHIC: u8 = 0x10;
const INCB_CONSONANT: u8 = 0x20;
const INCB_EXTEND: u8 = 0x40;
const INCB_LINKER: u8 = 0x60;
const INCB_MASK: u8 = 0x60;

impl Class {
    fn kind(self) -> u8 {
        self.0 & 0x0f
    }

    fn pictographic(self) -> bool {
        self.0 & PICTOGRAPHIC != 0
    }

    fn incb(self) -> u8 {
        self.0 & INCB_MASK
    }

    /// The class of `c` from the Unicode data.
    fn from_data(c: char) -> Class {
        let gcb = CodePointMapData::<Gcb>::new().get(c);
        let kind = match gcb {
            Gcb::CR => CR,
            Gcb::LF => LF,
            Gcb::Control => CONTROL,
            Gcb::Extend => EXTEND,
            Gcb::ZWJ => ZWJ,
            Gcb::RegionalIndicator => RI,
            Gcb::Prepend => PREPEND,
            Gcb::SpacingMark => SPACING_MARK,
            Gcb::L => L,
            Gcb::V => V,
            Gcb::T => T,
            Gcb::LV => LV,
            Gcb::LVT => LVT,
            _ => OTHER,
        };
        let pictographic = if CodePointSetData::new::<ExtendedPictographic>().contains(c) {
            PICTOGRAPHIC
        } else {
            0
        };
        let incb = match CodePointMapData::<Incb>::new().get(c) {
            Incb::Consonant => INCB_CONSONANT,
            Incb::Extend => INCB_EXTEND,
            Incb::Linker => INCB_LINKER,
            _ => 0,
        };
        Class(kind | pictographic | incb)
    }
}

/// Code points below this have their class in [`TABLE`].
const TABLE_END: usize = 0x2_0000;

/// Marks an entry of [`TABLE`] as filled (a class uses 7 bits).
const KNOWN: u8 = 0x80;

/// The classes of the first two planes and of plane 14's tags, one byte each, filled on
/// first sight of each code point from the Unicode data (0: not looked up yet). Zeroed
/// static memory: nothing is built up front, and only the pages of the scripts a program
/// meets are touched.
static TABLE: [AtomicU8; TABLE_END + PLANE_14_LEN] =
    [const { AtomicU8::new(0) }; TABLE_END + PLANE_14_LEN];

/// The tags and variation selectors of plane 14 (Control or Extend).
const PLANE_14: u32 = 0xe_0000;
const PLANE_14_LEN: usize = 0x1000;

fn class(c: char) -> Class {
    let cp = u32::from(c);
    let slot = if (cp as usize) < TABLE_END {
        cp as usize
    } else if (PLANE_14..PLANE_14 + PLANE_14_LEN as u32).contains(&cp) {
        TABLE_END + (cp - PLANE_14) as usize
    } else {
        // Every other code point above the first two planes (CJK ideographs of planes 2
        // and 3, private use, unassigned) is of class Other without more: see the test
        // `code_points_beyond_the_tables_are_plain_others`.
        return Class(OTHER);
    };
    let known = TABLE[slot].load(Ordering::Relaxed);
    if known & KNOWN != 0 {
        return Class(known & !KNOWN);
    }
    let class = Class::from_data(c);
    TABLE[slot].store(class.0 | KNOWN, Ordering::Relaxed);
    class
}

/// The number of extended grapheme clusters of `text`.
pub(crate) fn count(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut state = State::default();
    let mut count = 0;
    let mut k = 0;
    while k < bytes.len() {
        let b = bytes[k];
        if b < 0x80 && state.prev_kind == OTHER && b >= 0x20 && b != 0x7f {
            // Printable ASCII after a character of class Other (no state in flight that a
            // printable ASCII character could continue): a boundary before it, and the
            // state after it is that of a plain Other.
            count += 1;
            state = State::default();
            k += 1;
            continue;
        }
        let Some(c) = text[k..].chars().next() else {
            break;
        };
        let class = class(c);
        if k == 0 || state.breaks_before(class) {
            count += 1;
        }
        state.advance(class);
        k += c.len_utf8();
    }
    count
}

/// What the rules need to know of the text before a position.
#[derive(Debug, Clone, Copy)]
struct State {
    /// The kind of the previous character.
    prev_kind: u8,
    /// GB11: 1 after `ExtPict Extend*`, 2 after `ExtPict Extend* ZWJ`, else 0.
    pictographic: u8,
    /// GB12/13: the number of regional indicators right before, odd or not.
    odd_ri: bool,
    /// GB9c: 1 after `Consonant [Extend Linker]*` without a Linker, 2 with one, else 0.
    conjunct: u8,
}

impl Default for State {
    fn default() -> Self {
        State {
            prev_kind: OTHER,
            pictographic: 0,
            odd_ri: false,
            conjunct: 0,
        }
    }
}

impl State {
    /// Whether a boundary lies between the previous character and one of class `next`.
    fn breaks_before(&self, next: Class) -> bool {
        let (prev, kind) = (self.prev_kind, next.kind());
        match (prev, kind) {
            (CR, LF) => false,                                                  // GB3
            (CR | LF | CONTROL, _) | (_, CR | LF | CONTROL) => true,            // GB4, GB5
            (L, L | V | LV | LVT) | (LV | V, V | T) | (LVT | T, T) => false,    // GB6–GB8
            (_, EXTEND | ZWJ | SPACING_MARK) | (PREPEND, _) => false,           // GB9, GB9a, GB9b
            _ if next.incb() == INCB_CONSONANT && self.conjunct == 2 => false,  // GB9c
            (ZWJ, _) if next.pictographic() && self.pictographic == 2 => false, // GB11
            (RI, RI) => !self.odd_ri,                                           // GB12, GB13
            _ => true,                                                          // GB999
        }
    }

    /// The state after a character of class `c`.
    fn advance(&mut self, c: Class) {
        let kind = c.kind();
        self.pictographic = if c.pictographic() {
            1
        } else {
            match (kind, self.pictographic) {
                (EXTEND, 1) => 1,
                (ZWJ, 1) => 2,
                _ => 0,
            }
        };
        self.odd_ri = kind == RI && !self.odd_ri;
        self.conjunct = match (c.incb(), self.conjunct) {
            (INCB_CONSONANT, _) => 1,
            (INCB_LINKER, 1 | 2) => 2,
            (INCB_EXTEND, s) => s,
            _ => 0,
        };
        self.prev_kind = kind;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_segmentation::UnicodeSegmentation;

    fn segmenter(text: &str) -> usize {
        text.graphemes(true).count()
    }

    #[test]
    fn counts_as_the_segmenter_with_every_code_point() {
        // Characters of every class.
        let partners = [
            "a",
            "\r",
            "\n",
            "\u{1}",
            "\u{301}",
            "\u{200d}",
            "\u{1f1e9}",
            "\u{600}",
            "\u{903}",
            "\u{1100}",
            "\u{1161}",
            "\u{11a8}",
            "가",
            "각",
            "\u{1f600}",
            "\u{915}",
            "\u{94d}",
        ];
        // Each code point next to one partner (in turn), in both orders, without allocating.
        let mut buf = [0u8; 16];
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            let p = partners[u32::from(c) as usize % partners.len()];
            for c_first in [true, false] {
                let mut n = 0;
                let mut put = |s: &str| {
                    buf[n..n + s.len()].copy_from_slice(s.as_bytes());
                    n += s.len();
                };
                let mut one = [0u8; 4];
                let c_str: &str = c.encode_utf8(&mut one);
                if c_first {
                    put(c_str);
                    put(p);
                } else {
                    put(p);
                    put(c_str);
                }
                let text = std::str::from_utf8(&buf[..n]).expect("UTF-8");
                assert_eq!(count(text), segmenter(text), "{text:?}");
            }
        }
    }

    #[test]
    fn code_points_beyond_the_tables_are_plain_others() {
        for c in (TABLE_END as u32..=0x10_ffff)
            .filter(|cp| !(PLANE_14..PLANE_14 + PLANE_14_LEN as u32).contains(cp))
            .filter_map(char::from_u32)
        {
            assert_eq!(Class::from_data(c), Class(OTHER), "{c:?}");
        }
    }

    #[test]
    fn counts_as_the_segmenter_on_mixes_of_every_class() {
        // Sequences the rules treat specially: emoji ZWJ sequences, skin tones, flags,
        // keycaps, Hangul syllables, Indic conjuncts, prepended marks, CR LF.
        let pool: Vec<char> = "a1 #*\r\n\u{1}\u{7f}\u{85}\u{ad}\u{301}\u{200d}\u{200b}\u{fe0f}\u{20e3}\
            \u{1f1e9}\u{1f1ea}\u{1f1fa}\u{1f3fb}\u{1f3ff}\u{1f468}\u{1f469}\u{1f467}\u{2764}\u{1f48b}\
            \u{1f3f4}\u{e0067}\u{e007f}\u{a9}\u{600}\u{110bd}\u{903}\u{1100}\u{1161}\u{11a8}\u{ac00}\u{ac01}\
            \u{915}\u{94d}\u{937}\u{93f}\u{9cd}\u{995}\u{e33}\u{3099}\u{ff9e}é日😀🧑\u{1fc00}"
            .chars()
            .collect();
        let mut seed = 0x2545_f491_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as usize
        };
        for _ in 0..50_000 {
            let len = next() % 10;
            let text: String = (0..len).map(|_| pool[next() % pool.len()]).collect();
            assert_eq!(count(&text), segmenter(&text), "{text:?}");
        }
    }

    #[test]
    fn counts_the_differential_corpus_as_the_segmenter() {
        for file in ["corpus.jsonl", "holdout.jsonl"] {
            let path = format!("{}/tests/data/text/{file}", env!("CARGO_MANIFEST_DIR"));
            let data = std::fs::read_to_string(&path).expect("corpus");
            for line in data.lines().filter(|l| !l.is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
                let text = v["text"].as_str().expect("text");
                assert_eq!(count(text), segmenter(text), "{text:?}");
            }
        }
    }
}
