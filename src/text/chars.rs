//! Character classes shared by the platform rules (twitter-text, atproto, Mastodon).

/// JavaScript's `\s`: WhiteSpace and LineTerminator of ECMAScript (includes U+FEFF, excludes
/// U+0085), which the atproto reference client's regexes use.
pub(crate) fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// twitter-text's `spaces` group.
pub(crate) const fn is_twitter_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{d}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{180e}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// twitter-text's invalid characters: a tweet containing one is invalid.
pub(crate) const fn is_twitter_invalid(c: char) -> bool {
    matches!(c, '\u{fffe}' | '\u{feff}' | '\u{ffff}')
}

/// twitter-text's directional markers.
pub(crate) const fn is_directional_marker(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2066}'..='\u{2069}'
    )
}

/// twitter-text's `latinAccentChars`.
pub(crate) fn is_latin_accent(c: char) -> bool {
    matches!(
        c,
        '\u{c0}'..='\u{d6}'
            | '\u{d8}'..='\u{f6}'
            | '\u{f8}'..='\u{ff}'
            | '\u{100}'..='\u{24f}'
            | '\u{253}'
            | '\u{254}'
            | '\u{256}'
            | '\u{257}'
            | '\u{259}'
            | '\u{25b}'
            | '\u{263}'
            | '\u{268}'
            | '\u{26f}'
            | '\u{272}'
            | '\u{289}'
            | '\u{28b}'
            | '\u{2bb}'
            | '\u{300}'..='\u{36f}'
            | '\u{1e00}'..='\u{1eff}'
    )
}

/// Cyrillic letters and marks (U+0400–U+04FF), allowed in twitter-text URL paths.
pub(crate) fn is_cyrillic(c: char) -> bool {
    ('\u{400}'..='\u{4ff}').contains(&c)
}

/// An ASCII word character (`[A-Za-z0-9_]`, JavaScript's `\w`).
pub(crate) fn is_ascii_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The character that starts at byte `i` of `text`, if any.
pub(crate) fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|rest| rest.chars().next())
}

/// The character that ends at byte `i` of `text`, if any.
pub(crate) fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|head| head.chars().next_back())
}

/// The byte index after the longest run of characters matching `pred` starting at `i`.
pub(crate) fn run_end(text: &str, i: usize, pred: impl Fn(char) -> bool) -> usize {
    let Some(rest) = text.get(i..) else {
        return i;
    };
    match rest.char_indices().find(|&(_, c)| !pred(c)) {
        Some((k, _)) => i + k,
        None => text.len(),
    }
}

/// Number of UTF-16 code units of `s`.
///
/// Every character is one unit and one outside the BMP (four UTF-8 bytes) is two: the bytes
/// that start a character are counted, and the lead bytes of four-byte characters once more,
/// without decoding.
pub(crate) fn utf16_len(s: &str) -> usize {
    // Per chunk in a byte (at most 2 a byte, so 127 bytes fit), which the compiler vectorises.
    s.as_bytes()
        .chunks(127)
        .map(|chunk| {
            let units = chunk.iter().fold(0u8, |n, &b| {
                n + u8::from((b as i8) >= -0x40) + u8::from(b >= 0xf0)
            });
            usize::from(units)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_len_is_the_sum_of_the_characters_lengths() {
        // Every width of UTF-8, runs longer than a chunk (127 bytes), and the empty string.
        let pieces = ["", "a", "é", "日", "😀", "\u{10ffff}", "a😀é日", "🧑‍🎄"];
        for a in pieces {
            for b in pieces {
                for n in [0, 1, 31, 64, 200] {
                    let text = format!("{}{}", a.repeat(n), b);
                    let expected: usize = text.chars().map(char::len_utf16).sum();
                    assert_eq!(utf16_len(&text), expected, "{text:?}");
                }
            }
        }
    }
}
