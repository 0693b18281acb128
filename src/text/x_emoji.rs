//! Emoji as twitter-text counts them (config v3: one emoji weighs once, at the default weight).
//!
//! twitter-text 3.1.0's `parseTweet` finds emoji with the regular expression of
//! twemoji-parser 11.0.2, generated from the emoji of Unicode 11. Whatever that expression
//! does not know (newer emoji, newer ZWJ sequences, skin tones on newer people) counts code
//! point by code point, as X counts it. Counting fewer than X does would tell a user a post
//! fits when X refuses it, so this module reproduces the expression exactly, from a table
//! derived from it ([`super::x_emoji_table`], written by `tools/text-reference/emoji-table.mjs`,
//! which also checks the table against the expression).
//!
//! The expression has no repetition, so it matches a finite set of strings; a backtracking
//! engine tries them in a fixed order. The table lists every string with its rank in that
//! order; at a position the expression matches the string of lowest rank that the text there
//! starts with. [`EmojiScan`] then finds the matches the way `parseTweet` does: one global
//! scan from the start of the text, each search starting where the previous match ended.

use super::x_emoji_table::{BY_FIRST, FIRST, MAX_BYTES, SEQUENCES};

const VS15: char = '\u{fe0e}';

/// For each UTF-8 lead byte, whether a character it starts can start a sequence of the
/// table (derived from [`FIRST`]): most scripts (Latin beyond Latin-1, Cyrillic, Arabic,
/// Indic, CJK) are ruled out by their first byte, without decoding.
static LEAD_MAY_START: [bool; 256] = lead_bytes();

const fn lead_bytes() -> [bool; 256] {
    const fn lead(cp: u32) -> usize {
        (if cp < 0x80 {
            cp
        } else if cp < 0x800 {
            0xc0 | (cp >> 6)
        } else if cp < 0x1_0000 {
            0xe0 | (cp >> 12)
        } else {
            0xf0 | (cp >> 18)
        }) as usize
    }
    let mut out = [false; 256];
    let mut k = 0;
    while k < FIRST.len() {
        let (first, last) = FIRST[k];
        let mut b = lead(first);
        while b <= lead(last) {
            out[b] = true;
            b += 1;
        }
        k += 1;
    }
    out
}

/// Whether some sequence of the table starts with `c`: a cheap test before the table.
fn may_start_emoji(c: char) -> bool {
    let cp = u32::from(c);
    if cp < 0x80 {
        return matches!(c, '#' | '*' | '0'..='9');
    }
    let mut utf8 = [0; 4];
    if !LEAD_MAY_START[usize::from(c.encode_utf8(&mut utf8).as_bytes()[0])] {
        return false;
    }
    let i = FIRST.partition_point(|&(_, last)| last < cp);
    FIRST.get(i).is_some_and(|&(first, _)| first <= cp)
}

/// Whether a keycap base (`#`, `*`, a digit) at byte `at` can start a sequence: only when a
/// non-ASCII character (U+FE0F or U+20E3) follows.
fn keycap_may_follow(text: &str, at: usize) -> bool {
    text.as_bytes().get(at + 1).is_some_and(|&b| b >= 0x80)
}

/// The length in bytes of the match of twitter-text's emoji expression that starts at byte
/// `at` of `text`, if one does.
pub(crate) fn emoji_len(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    let c0 = rest.chars().next()?;
    if !may_start_emoji(c0) || (c0.is_ascii() && !keycap_may_follow(text, at)) {
        return None;
    }
    // The sequences that start with `c0`, then every prefix of `rest` looked up among them.
    let cp = u32::from(c0);
    let g = BY_FIRST.binary_search_by_key(&cp, |&(c, _, _)| c).ok()?;
    let (_, from, to) = BY_FIRST[g];
    let group = &SEQUENCES[usize::from(from)..usize::from(to)];
    let mut best: Option<(u16, usize)> = None; // (rank, length)
    let mut lo = 0; // sequences before `lo` are below every longer prefix too
    let ends = rest
        .char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .chain(std::iter::once(rest.len()));
    for end in ends.take_while(|&end| end <= MAX_BYTES) {
        let probe = &rest[..end];
        lo += group[lo..].partition_point(|&(s, _, _)| s < probe);
        let mut j = lo;
        while let Some(&(s, rank, not_before_vs15)) = group.get(j).filter(|e| e.0 == probe) {
            let blocked = not_before_vs15 && rest[end..].starts_with(VS15);
            if !blocked && best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, s.len()));
            }
            j += 1;
        }
        // No longer sequence starts with this prefix: stop.
        if !group.get(j).is_some_and(|e| e.0.starts_with(probe)) {
            break;
        }
    }
    best.map(|(_, len)| len)
}

/// The emoji matches of a text, found as twitter-text finds them: a global scan where each
/// search starts at the end of the previous match.
pub(crate) struct EmojiScan<'a> {
    text: &'a str,
    /// Where the next search starts.
    from: usize,
    /// The next match (start, end), if it was found already.
    next: Option<(usize, usize)>,
}

impl<'a> EmojiScan<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        EmojiScan {
            text,
            from: 0,
            next: None,
        }
    }

    /// The end of the match that starts at byte `i`, if the scan has one there. Calls must
    /// come with increasing `i`.
    pub(crate) fn match_at(&mut self, i: usize) -> Option<usize> {
        let start = self.next_start(i)?;
        (start == i).then_some(self.next?.1)
    }

    /// The start of the scan's next match at or after byte `i`, if there is one. Calls must
    /// come with increasing `i`; a match that starts before `i` was skipped by the loop of
    /// `parseTweet` (inside a URL), and the scan goes on from its end.
    pub(crate) fn next_start(&mut self, i: usize) -> Option<usize> {
        loop {
            if let Some((start, end)) = self.next {
                if start >= i {
                    return Some(start);
                }
                self.from = end;
                self.next = None;
            }
            self.next = self.search();
            self.next?;
        }
    }

    /// The first match at or after `from`.
    fn search(&mut self) -> Option<(usize, usize)> {
        let bytes = self.text.as_bytes();
        let mut k = self.from;
        while k < bytes.len() {
            let b = bytes[k];
            // ASCII other than a keycap base followed by a non-ASCII character, and the bytes
            // inside characters, start nothing.
            let candidate = if b < 0x80 {
                matches!(b, b'#' | b'*' | b'0'..=b'9') && keycap_may_follow(self.text, k)
            } else {
                b >= 0xc0 && LEAD_MAY_START[usize::from(b)]
            };
            if candidate {
                if let Some(n) = emoji_len(self.text, k) {
                    return Some((k, k + n));
                }
            }
            k += 1;
        }
        self.from = self.text.len();
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matches of `text`, in code points each.
    fn lens(text: &str) -> Vec<usize> {
        let mut scan = EmojiScan::new(text);
        let mut out = Vec::new();
        for (i, _) in text.char_indices() {
            if let Some(end) = scan.match_at(i) {
                out.push(text[i..end].chars().count());
            }
        }
        out
    }

    #[test]
    fn the_lead_byte_filter_rules_out_only_what_the_table_does() {
        let in_table = |cp: u32| {
            let i = FIRST.partition_point(|&(_, last)| last < cp);
            FIRST.get(i).is_some_and(|&(first, _)| first <= cp)
        };
        for c in (0x80..=0x10_ffff).filter_map(char::from_u32) {
            if in_table(u32::from(c)) {
                assert!(may_start_emoji(c), "{c:?} is in the table");
                let mut utf8 = [0; 4];
                assert!(LEAD_MAY_START[usize::from(c.encode_utf8(&mut utf8).as_bytes()[0])]);
            }
        }
    }

    #[test]
    fn sequences_of_unicode_11_count_once() {
        assert_eq!(lens("👨‍👩‍👧‍👦"), [7]);
        assert_eq!(lens("🙋🏽"), [2]);
        assert_eq!(lens("1⃣ 1\u{fe0f}\u{20e3} 1"), [2, 3]);
        assert_eq!(lens("🇩🇪🇺🇸"), [2, 2]);
        assert_eq!(lens("🏴󠁧󠁢󠁥󠁮󠁧󠁿"), [7]);
        assert_eq!(lens("❤\u{fe0f}"), [2]);
        assert_eq!(lens("©"), Vec::<usize>::new());
        assert_eq!(lens("©\u{fe0f}"), [2]);
        assert_eq!(lens("🧕🏾 abc"), [2]);
    }

    #[test]
    fn what_unicode_11_did_not_have_counts_by_parts() {
        // U+1F9D1 U+200D U+1F384 (mx claus, Emoji 13): the person alone is known, the rest
        // counts code point by code point.
        assert_eq!(lens("🧑‍🎄"), [1, 1]);
        // A skin tone on a person of Emoji 12: only the skin tone is known.
        assert_eq!(lens("🧍🏽"), [1]);
        // Lone U+FE0F is a match of its own.
        assert_eq!(lens("a\u{fe0f}"), [1]);
    }

    #[test]
    fn a_match_the_loop_skipped_is_not_found_again_inside() {
        // The scan matched 👨‍👩‍👧 from byte 0; asked from inside it, it has nothing there.
        let text = "👨‍👩‍👧x";
        let mut scan = EmojiScan::new(text);
        assert_eq!(scan.match_at(4), None);
        assert_eq!(scan.match_at(text.len() - 1), None);
    }
}
