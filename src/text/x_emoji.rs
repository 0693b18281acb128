//! Emoji sequences as twitter-text counts them (config v3: one emoji sequence weighs once).
//!
//! twitter-text uses a generated regular expression listing every emoji of its Unicode version.
//! Its shape is what this matcher follows, with the current Unicode emoji properties instead of
//! a frozen list:
//! - keycaps: `[#*0-9] U+FE0F? U+20E3`;
//! - flags: a valid pair of regional indicators (a lone indicator is an emoji of its own),
//!   and tag sequences (`🏴` + tag characters + cancel tag, e.g. 🏴󠁧󠁢󠁥󠁮󠁧󠁿);
//! - an emoji character with its presentation selector U+FE0F and/or a skin-tone modifier;
//!   a text-default emoji (Emoji_Presentation=No) followed by U+FE0E is text, not an emoji;
//!   ©, ®, ™ and ♟ are emoji only with U+FE0F, as in twitter-text;
//! - ZWJ sequences: such elements joined by U+200D.
//!
//! Where twitter-text's list only knows the recommended (RGI) ZWJ sequences, this matcher
//! takes every well-formed one: a non-RGI sequence such as 👨‍🦄 counts once here, as the
//! sum of its parts in twitter-text.

use icu_properties::CodePointSetData;
use icu_properties::props::{Emoji, EmojiModifierBase, EmojiPresentation};

const ZWJ: char = '\u{200d}';
const VS16: char = '\u{fe0f}';
const VS15: char = '\u{fe0e}';
const KEYCAP: char = '\u{20e3}';
const BLACK_FLAG: char = '\u{1f3f4}';
const CANCEL_TAG: char = '\u{e007f}';

/// Region codes that have a flag emoji (pairs of regional indicators), as in twitter-text.
const FLAG_REGIONS: &str = "\
    AC AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CP CR CU CV CW CX CY CZ DE DG DJ DK \
    DM DO DZ EA EC EE EG EH ER ES ET EU FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ \
    GR GS GT GU GW GY HK HM HN HR HT HU IC ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI \
    KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP \
    MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM \
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX \
    SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM UN US UY UZ VA VC VE VG VI \
    VN VU WF WS XK YE YT ZA ZM ZW";

fn is_regional_indicator(c: char) -> bool {
    ('\u{1f1e6}'..='\u{1f1ff}').contains(&c)
}

fn is_skin_tone(c: char) -> bool {
    ('\u{1f3fb}'..='\u{1f3ff}').contains(&c)
}

fn is_tag(c: char) -> bool {
    ('\u{e0020}'..='\u{e007e}').contains(&c)
}

fn is_flag_pair(a: char, b: char) -> bool {
    let letter = |c: char| char::from(b'A' + (u32::from(c) - 0x1f1e6) as u8);
    let code = [letter(a), letter(b)];
    FLAG_REGIONS
        .split_whitespace()
        .any(|r| r.chars().eq(code.iter().copied()))
}

/// Whether `c` can start an emoji at all: a cheap test that rejects most text before the
/// Unicode property look-ups.
fn may_start_emoji(c: char) -> bool {
    let cp = u32::from(c);
    matches!(c, '#' | '*' | '0'..='9' | '\u{a9}' | '\u{ae}') || cp >= 0x203c
}

/// The length in bytes of the emoji sequence that starts at byte `at` of `text`, if one does.
pub(crate) fn emoji_len(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    let mut chars = rest.chars();
    let c0 = chars.next()?;
    if !may_start_emoji(c0) {
        return None;
    }
    let next = |i: usize| rest.get(i..).and_then(|r| r.chars().next());
    let len0 = c0.len_utf8();
    // Keycaps.
    if matches!(c0, '#' | '*' | '0'..='9') {
        return match next(len0) {
            Some(KEYCAP) => Some(len0 + KEYCAP.len_utf8()),
            Some(VS16) if next(len0 + 3) == Some(KEYCAP) => Some(len0 + 3 + KEYCAP.len_utf8()),
            _ => None,
        };
    }
    // Flags.
    if is_regional_indicator(c0) {
        return match next(len0) {
            Some(c1) if is_regional_indicator(c1) && is_flag_pair(c0, c1) => Some(len0 * 2),
            _ => Some(len0),
        };
    }
    if c0 == BLACK_FLAG {
        if let Some(n) = tag_sequence_len(rest, len0) {
            return Some(n);
        }
    }
    // Elements joined by ZWJ.
    let mut end = element_len(rest, 0)?;
    while next(end) == Some(ZWJ) {
        match element_len(rest, end + ZWJ.len_utf8()) {
            Some(e) => end = e,
            None => break,
        }
    }
    Some(end)
}

/// Tag characters after the black flag, ended by the cancel tag.
fn tag_sequence_len(rest: &str, from: usize) -> Option<usize> {
    for (count, (k, c)) in rest[from..].char_indices().enumerate() {
        if c == CANCEL_TAG {
            return (count > 0).then_some(from + k + c.len_utf8());
        }
        if !is_tag(c) {
            return None;
        }
    }
    None
}

/// One emoji (with its selector and skin tone) at byte `i` of `rest`; returns its end.
fn element_len(rest: &str, i: usize) -> Option<usize> {
    let c = rest.get(i..)?.chars().next()?;
    if !may_start_emoji(c) || !CodePointSetData::new::<Emoji>().contains(c) {
        return None;
    }
    if matches!(c, '#' | '*' | '0'..='9') || is_regional_indicator(c) {
        return None;
    }
    let next = |j: usize| rest.get(j..).and_then(|r| r.chars().next());
    let mut end = i + c.len_utf8();
    match next(end) {
        Some(VS16) => end += VS16.len_utf8(),
        Some(VS15) if !CodePointSetData::new::<EmojiPresentation>().contains(c) => return None,
        _ if matches!(c, '\u{a9}' | '\u{ae}' | '\u{2122}' | '\u{265f}') => return None,
        _ => {}
    }
    if CodePointSetData::new::<EmojiModifierBase>().contains(c) {
        if let Some(m) = next(end).filter(|&m| is_skin_tone(m)) {
            end += m.len_utf8();
        }
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lens(text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < text.len() {
            match emoji_len(text, i) {
                Some(n) => {
                    out.push(text[i..i + n].chars().count());
                    i += n;
                }
                None => i += text[i..].chars().next().map_or(1, char::len_utf8),
            }
        }
        out
    }

    #[test]
    fn sequences() {
        assert_eq!(lens("👨‍👩‍👧‍👦"), [7]);
        assert_eq!(lens("🙋🏽"), [2]);
        assert_eq!(lens("1⃣ 1\u{fe0f}\u{20e3} 1"), [2, 3]);
        assert_eq!(lens("🇩🇪🇺🇸"), [2, 2]);
        assert_eq!(lens("🇦🇦"), [1, 1]);
        assert_eq!(lens("🏴󠁧󠁢󠁥󠁮󠁧󠁿"), [7]);
        assert_eq!(lens("❤\u{fe0f}"), [2]);
        assert_eq!(lens("☺\u{fe0e}"), Vec::<usize>::new());
        assert_eq!(lens("©"), Vec::<usize>::new());
        assert_eq!(lens("©\u{fe0f}"), [2]);
        assert_eq!(lens("🧕🏾 abc"), [2]);
        assert_eq!(lens("👨‍"), [1]);
    }
}
