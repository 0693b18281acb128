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

use super::x_emoji_table::{FIRST, SEQUENCES};

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

/// For each byte at a character boundary, 0 where a character that starts with it may start
/// a sequence (a keycap base or a lead byte of [`LEAD_MAY_START`]), else how many bytes the
/// scan steps over: the whole character, so a ruled-out CJK or Cyrillic character is one turn.
static SCAN_STEP: [u8; 256] = {
    let mut out = [1u8; 256];
    let mut b = 0;
    while b < 256 {
        out[b] = if b < 0x80 {
            if matches!(b as u8, b'#' | b'*' | b'0'..=b'9') {
                0
            } else {
                1
            }
        } else if b < 0xc0 {
            // Inside a character: never at a boundary.
            1
        } else if LEAD_MAY_START[b] {
            0
        } else if b < 0xe0 {
            2
        } else if b < 0xf0 {
            3
        } else {
            4
        };
        b += 1;
    }
    out
};

/// The code point of the character of more than one byte that starts at `bytes[k]` (a lead
/// byte at a character boundary of valid UTF-8), decoded without a slice check.
fn decode_multibyte(bytes: &[u8], k: usize) -> u32 {
    let tail = |n: usize| u32::from(bytes.get(k + n).copied().unwrap_or(0x80) & 0x3f);
    let b0 = u32::from(bytes[k]);
    if b0 < 0xe0 {
        ((b0 & 0x1f) << 6) | tail(1)
    } else if b0 < 0xf0 {
        ((b0 & 0x0f) << 12) | (tail(1) << 6) | tail(2)
    } else {
        ((b0 & 0x07) << 18) | (tail(1) << 12) | (tail(2) << 6) | tail(3)
    }
}

/// Whether all of `bytes[k..k + 9]` is ASCII: then none of `bytes[k..k + 8]` starts a
/// sequence unless it is a keycap base followed by a non-ASCII character, and none is.
fn ascii_block_starts_nothing(bytes: &[u8], k: usize) -> bool {
    match (bytes.get(k..k + 8), bytes.get(k + 1..k + 9)) {
        (Some(a), Some(b)) => {
            let a = u64::from_le_bytes(a.try_into().unwrap_or([0x80; 8]));
            let b = u64::from_le_bytes(b.try_into().unwrap_or([0x80; 8]));
            (a | b) & 0x8080_8080_8080_8080 == 0
        }
        _ => false,
    }
}

/// For each code point of the BMP, whether a sequence of the table starts with it (one bit
/// each, derived from [`FIRST`]): punctuation, arrows and CJK symbols are told from emoji by
/// one load, without searching.
static BMP_MAY_START: [u64; 1024] = plane_bits(0);

/// The same for plane 1 (U+10000..U+1FFFF), where the pictographs are; FIRST ends there.
static PLANE_1_MAY_START: [u64; 1024] = plane_bits(1);

const fn plane_bits(plane: u32) -> [u64; 1024] {
    let mut out = [0u64; 1024];
    let mut k = 0;
    while k < FIRST.len() {
        let (first, last) = FIRST[k];
        let mut cp = first;
        while cp <= last {
            if cp >> 16 == plane {
                let low = cp & 0xffff;
                out[(low >> 6) as usize] |= 1 << (low & 63);
            }
            cp += 1;
        }
        k += 1;
    }
    out
}

/// Whether some sequence of the table starts with `c`: a cheap test before the table.
#[cfg(test)]
fn may_start_emoji(c: char) -> bool {
    let cp = u32::from(c);
    if cp < 0x80 {
        return matches!(c, '#' | '*' | '0'..='9');
    }
    may_start_beyond_ascii(cp)
}

/// [`may_start_emoji`] for a code point beyond ASCII.
fn may_start_beyond_ascii(cp: u32) -> bool {
    let bits = match cp >> 16 {
        0 => &BMP_MAY_START,
        1 => &PLANE_1_MAY_START,
        _ => return false,
    };
    let low = cp & 0xffff;
    (bits[(low >> 6) as usize] >> (low & 63)) & 1 == 1
}

/// Whether a keycap base (`#`, `*`, a digit) at byte `at` can start a sequence: only when a
/// non-ASCII character (U+FE0F or U+20E3) follows.
fn keycap_may_follow(text: &str, at: usize) -> bool {
    text.as_bytes().get(at + 1).is_some_and(|&b| b >= 0x80)
}

/// No rank: the node ends no sequence (of its kind).
const NO_RANK: u16 = u16::MAX;

/// The table as a trie over code points, built once from [`SEQUENCES`]: a match is one walk
/// down from the first character, one child look-up per character, instead of prefix
/// searches by string comparison.
struct Trie {
    nodes: Vec<Node>,
    /// The children of node `k`: `edges[nodes[k].first..][..nodes[k].len]`, as (code point,
    /// node), sorted by code point.
    edges: Vec<(u32, u32)>,
    /// The root's children for the code points `DENSE_FROM..DENSE_FROM + dense.len()` (the
    /// pictographs of U+1F000..U+1FAFF, where most emoji start), found by index instead of a
    /// search among the root's 1,200 children; `NO_NODE`: none.
    dense: Vec<u32>,
}

const DENSE_FROM: u32 = 0x1_f000;
const DENSE_LEN: usize = 0xb00;
const NO_NODE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Node {
    first: u32,
    len: u32,
    /// The lowest rank of the sequences that end here ([`NO_RANK`]: none).
    rank: u16,
    /// The same among the sequences that match also where U+FE0E follows.
    rank_before_vs15: u16,
}

impl Trie {
    fn build() -> Trie {
        // Nodes with their children unsorted first, then laid out with sorted edges.
        let mut children: Vec<Vec<(u32, u32)>> = vec![Vec::new()];
        let mut ranks = vec![(NO_RANK, NO_RANK)];
        for &(seq, rank, not_before_vs15) in SEQUENCES {
            let mut node = 0;
            for c in seq.chars() {
                let cp = u32::from(c);
                // SEQUENCES is sorted by bytes (so by code points): the sequences through a
                // node are contiguous, and a child along `cp` is the last one added or new.
                node = match children[node].last().filter(|&&(e, _)| e == cp) {
                    Some(&(_, child)) => child as usize,
                    None => {
                        let child = children.len();
                        children.push(Vec::new());
                        ranks.push((NO_RANK, NO_RANK));
                        children[node].push((cp, child as u32));
                        child
                    }
                };
            }
            let (all, before_vs15) = &mut ranks[node];
            *all = (*all).min(rank);
            if !not_before_vs15 {
                *before_vs15 = (*before_vs15).min(rank);
            }
        }
        let mut edges = Vec::new();
        let nodes = children
            .iter_mut()
            .zip(ranks)
            .map(|(kids, (rank, rank_before_vs15))| {
                kids.sort_unstable();
                let first = edges.len() as u32;
                edges.extend_from_slice(kids);
                Node {
                    first,
                    len: kids.len() as u32,
                    rank,
                    rank_before_vs15,
                }
            })
            .collect();
        let mut trie = Trie {
            nodes,
            edges,
            dense: Vec::new(),
        };
        trie.dense = (DENSE_FROM..DENSE_FROM + DENSE_LEN as u32)
            .map(|cp| {
                char::from_u32(cp)
                    .and_then(|c| trie.child(0, c))
                    .unwrap_or(NO_NODE)
            })
            .collect();
        trie
    }

    /// The child of the root along `c`: where a sequence that starts with `c` goes on.
    fn root_child(&self, c: char) -> Option<u32> {
        let dense = (u32::from(c).wrapping_sub(DENSE_FROM) as usize) < DENSE_LEN;
        if dense {
            let node = self.dense[(u32::from(c) - DENSE_FROM) as usize];
            return (node != NO_NODE).then_some(node);
        }
        self.child(0, c)
    }

    /// The child of `node` along `c`.
    fn child(&self, node: u32, c: char) -> Option<u32> {
        let n = self.nodes[node as usize];
        let kids = &self.edges[n.first as usize..][..n.len as usize];
        let cp = u32::from(c);
        let k = kids.partition_point(|&(e, _)| e < cp);
        kids.get(k)
            .filter(|&&(e, _)| e == cp)
            .map(|&(_, child)| child)
    }
}

fn trie() -> &'static Trie {
    static TRIE: std::sync::OnceLock<Trie> = std::sync::OnceLock::new();
    TRIE.get_or_init(Trie::build)
}

/// The length in bytes of the match of twitter-text's emoji expression that starts at byte
/// `at` of `text`, if one does: of the sequences the text there starts with, the one of
/// lowest rank.
pub(crate) fn emoji_len(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    let c0 = rest.chars().next()?;
    if c0.is_ascii() && !(matches!(c0, '#' | '*' | '0'..='9') && keycap_may_follow(text, at)) {
        return None;
    }
    let trie = trie();
    let mut node = trie.root_child(c0)?;
    let mut end = c0.len_utf8();
    let mut best: Option<(u16, usize)> = None; // (rank, length)
    loop {
        let n = trie.nodes[node as usize];
        let next = rest[end..].chars().next();
        let rank = if next == Some(VS15) {
            n.rank_before_vs15
        } else {
            n.rank
        };
        if rank != NO_RANK && best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, end));
        }
        match next.and_then(|c| trie.child(node, c)) {
            Some(child) => {
                node = child;
                end += next.map_or(0, char::len_utf8);
            }
            None => break,
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
            if b < 0x80 && ascii_block_starts_nothing(bytes, k) {
                k += 8;
                continue;
            }
            let step = SCAN_STEP[usize::from(b)];
            if step != 0 {
                k += usize::from(step);
                continue;
            }
            // A keycap base starts something only before a non-ASCII character (U+FE0F or
            // U+20E3).
            let candidate = if b < 0x80 {
                keycap_may_follow(self.text, k)
            } else {
                may_start_beyond_ascii(decode_multibyte(bytes, k))
            };
            if candidate {
                if let Some(n) = emoji_len(self.text, k) {
                    return Some((k, k + n));
                }
            }
            k += match b {
                0..0xc0 => 1,
                0xc0..0xe0 => 2,
                0xe0..0xf0 => 3,
                _ => 4,
            };
        }
        self.from = self.text.len();
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_decoder_and_the_scan_steps_agree_with_the_characters() {
        let mut utf8 = [0u8; 4];
        for c in (0x80..=0x10_ffff).filter_map(char::from_u32) {
            let bytes = c.encode_utf8(&mut utf8).as_bytes();
            assert_eq!(decode_multibyte(bytes, 0), u32::from(c), "{c:?}");
            // A step over a character is its whole length, or 0 where it may start one.
            let step = SCAN_STEP[usize::from(bytes[0])];
            if may_start_emoji(c) {
                assert_eq!(step, 0, "{c:?}");
            } else if step != 0 {
                assert_eq!(usize::from(step), c.len_utf8(), "{c:?}");
            }
        }
        for b in 0..0x80u8 {
            let keycap = matches!(b, b'#' | b'*' | b'0'..=b'9');
            assert_eq!(SCAN_STEP[usize::from(b)] == 0, keycap, "{b}");
        }
    }

    #[test]
    fn an_ascii_block_starts_nothing_only_before_ascii() {
        assert!(ascii_block_starts_nothing(b"abcdefghi", 0));
        assert!(ascii_block_starts_nothing(b"12345678 ", 0));
        // A keycap base at the end of the block, a non-ASCII byte after it.
        assert!(!ascii_block_starts_nothing(
            "abcdefg1\u{fe0f}".as_bytes(),
            0
        ));
        assert!(!ascii_block_starts_nothing("abcdefgé".as_bytes(), 0));
        // Too short to tell.
        assert!(!ascii_block_starts_nothing(b"abcdefgh", 0));
        assert!(!ascii_block_starts_nothing(b"abcdefghijk", 3));
    }

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
    fn the_start_filters_rule_out_exactly_what_the_table_does() {
        let in_table = |cp: u32| {
            let i = FIRST.partition_point(|&(_, last)| last < cp);
            FIRST.get(i).is_some_and(|&(first, _)| first <= cp)
        };
        for c in (0x80..=0x10_ffff).filter_map(char::from_u32) {
            assert_eq!(may_start_emoji(c), in_table(u32::from(c)), "{c:?}");
            if in_table(u32::from(c)) {
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
