//! The few string operations VADER's reference leans on, with the reference's semantics:
//! whitespace splitting, punctuation stripping that spares emoticons, and "is this token in
//! ALL CAPS".

/// Whitespace as the reference's `str.split()` sees it: Unicode `White_Space` plus the four
/// ASCII information separators (U+001C..U+001F), which that language also treats as spaces.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// [`is_space`] for an ASCII byte: tab, line feed, vertical tab, form feed, carriage return,
/// the four information separators and space.
#[inline]
const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=0x1f | b' ')
}

/// Bytes that may start a whitespace character (see [`is_space`]): the ASCII spaces and the
/// lead bytes `C2`, `E1`, `E2` and `E3` of the non-ASCII ones. Any other byte (a continuation
/// byte too) is inside a word.
const MAY_START_SPACE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = is_ascii_space(b as u8) || matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3);
        b += 1;
    }
    t
};

/// The length in bytes of the whitespace character (see [`is_space`]) that starts at byte `i`
/// of `bytes` (valid UTF-8, `i` on a character boundary or a continuation byte), or 0. Decides
/// by bytes: every non-ASCII space starts with `C2`, `E1`, `E2` or `E3`, and a continuation
/// byte is never one of those.
#[inline(always)]
fn space_len(bytes: &[u8], i: usize) -> usize {
    let b = bytes[i];
    if !MAY_START_SPACE[b as usize] {
        return 0;
    }
    if b < 0x80 {
        return 1;
    }
    let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    let three = |yes: bool| if yes { 3 } else { 0 };
    match b {
        // U+0085, U+00A0.
        0xC2 => {
            if matches!(at(1), 0x85 | 0xA0) {
                2
            } else {
                0
            }
        }
        // U+1680.
        0xE1 => three(at(1) == 0x9A && at(2) == 0x80),
        // U+2000..U+200A, U+2028, U+2029, U+202F; U+205F.
        0xE2 => three(match at(1) {
            0x80 => matches!(at(2), 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF),
            0x81 => at(2) == 0x9F,
            _ => false,
        }),
        // U+3000.
        0xE3 => three(at(1) == 0x80 && at(2) == 0x80),
        _ => 0,
    }
}

/// Splits on runs of whitespace, dropping empty pieces. Walks bytes, not chars: only the lead
/// byte of a possible non-ASCII space is looked at more closely (see [`space_len`]).
pub(crate) fn split_words(text: &str) -> SplitWords<'_> {
    SplitWords { text, pos: 0 }
}

/// The words of a text (see [`split_words`]).
pub(crate) struct SplitWords<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for SplitWords<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let mut i = self.pos;
        loop {
            if i >= bytes.len() {
                self.pos = i;
                return None;
            }
            match space_len(bytes, i) {
                0 => break,
                n => i += n,
            }
        }
        let start = i;
        // A word ends where a space starts: always a character boundary. Most bytes are
        // ruled out by one table lookup.
        while i < bytes.len() && (!MAY_START_SPACE[bytes[i] as usize] || space_len(bytes, i) == 0) {
            i += 1;
        }
        self.pos = i;
        self.text.get(start..i)
    }
}

/// Removes leading and trailing punctuation from `token`; when fewer than three characters
/// would remain, the token was probably an emoticon (`:)`, `:-(`), so it is kept whole.
#[inline]
pub(crate) fn strip_punc_if_word(token: &str, is_punct: fn(char) -> bool) -> &str {
    // Most words start and end with an ASCII letter or digit: nothing to strip.
    let b = token.as_bytes();
    if b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        return token;
    }
    let stripped = trim_punct(token, is_punct);
    if stripped.chars().nth(2).is_none() {
        token
    } else {
        stripped
    }
}

/// `token.trim_matches(is_punct)`, looking at ASCII bytes without decoding them.
#[inline]
fn trim_punct(token: &str, is_punct: fn(char) -> bool) -> &str {
    let mut rest = token;
    loop {
        let Some(&b) = rest.as_bytes().first() else {
            return rest;
        };
        let n = if b < 0x80 {
            usize::from(is_punct(b as char))
        } else {
            rest.chars()
                .next()
                .filter(|&c| is_punct(c))
                .map_or(0, char::len_utf8)
        };
        if n == 0 {
            break;
        }
        rest = &rest[n..];
    }
    loop {
        let Some(&b) = rest.as_bytes().last() else {
            return rest;
        };
        let n = if b < 0x80 {
            usize::from(is_punct(b as char))
        } else {
            rest.chars()
                .next_back()
                .filter(|&c| is_punct(c))
                .map_or(0, char::len_utf8)
        };
        if n == 0 {
            return rest;
        }
        rest = &rest[..rest.len() - n];
    }
}

/// ASCII punctuation (`string.punctuation` of the reference).
pub(crate) fn is_ascii_punct(c: char) -> bool {
    c.is_ascii_punctuation()
}

/// ASCII punctuation plus the typographic quotes, dashes and ellipsis common in German text.
pub(crate) fn is_punct_typographic(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '„' | '“' | '”' | '‚' | '‘' | '’' | '«' | '»' | '‹' | '›' | '…' | '–' | '—'
        )
}

/// Appends `word` lower-cased (as the reference's `str.lower()`) to `buf` and returns whether
/// it is upper case (as the reference's `str.isupper()` decides: at least one cased character,
/// and no lower-case or title-case one), in one pass over its characters. Allocates
/// nothing but for a word with a capital sigma, whose lower case depends on its context and is
/// left to the standard library.
#[inline]
pub(crate) fn push_lower(word: &str, buf: &mut String) -> bool {
    let start = buf.len();
    if word.is_ascii() {
        let (mut has_lower, mut has_upper) = (false, false);
        for b in word.bytes() {
            has_lower |= b.is_ascii_lowercase();
            has_upper |= b.is_ascii_uppercase();
        }
        buf.push_str(word);
        if has_upper {
            buf[start..].make_ascii_lowercase();
        }
        return has_upper && !has_lower;
    }
    let (mut lower, mut cased, mut sigma) = (false, false, false);
    for c in word.chars() {
        if c.is_ascii() {
            lower |= c.is_ascii_lowercase();
            cased |= c.is_ascii_uppercase();
            buf.push(c.to_ascii_lowercase());
            continue;
        }
        if c.is_lowercase() || is_titlecase(c) {
            lower = true;
        } else if c.is_uppercase() {
            cased = true;
        }
        sigma |= c == 'Σ';
        buf.extend(c.to_lowercase());
    }
    if sigma {
        // Only capital sigma lowers by context (final sigma), as the reference's does.
        buf.truncate(start);
        buf.push_str(&word.to_lowercase());
    }
    cased && !lower
}

/// Whether a token is "upper case" the way the reference's `str.isupper()` decides: at least
/// one cased character, and no lower-case or title-case character. The plain statement of what
/// [`push_lower`] decides on the way, for its tests.
#[cfg(test)]
fn is_upper(token: &str) -> bool {
    if token.is_ascii() {
        let b = token.as_bytes();
        return !b.iter().any(u8::is_ascii_lowercase) && b.iter().any(u8::is_ascii_uppercase);
    }
    let mut cased = false;
    for c in token.chars() {
        if c.is_lowercase() || is_titlecase(c) {
            return false;
        }
        if c.is_uppercase() {
            cased = true;
        }
    }
    cased
}

/// The 31 title-case letters (general category Lt).
fn is_titlecase(c: char) -> bool {
    matches!(c,
        '\u{01C5}' | '\u{01C8}' | '\u{01CB}' | '\u{01F2}'
        | '\u{1F88}'..='\u{1F8F}'
        | '\u{1F98}'..='\u{1F9F}'
        | '\u{1FA8}'..='\u{1FAF}'
        | '\u{1FBC}' | '\u{1FCC}' | '\u{1FFC}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoticons_survive_stripping() {
        assert_eq!(strip_punc_if_word(":)", is_ascii_punct), ":)");
        assert_eq!(strip_punc_if_word(":-(", is_ascii_punct), ":-(");
        assert_eq!(strip_punc_if_word("good!!!", is_ascii_punct), "good");
        assert_eq!(strip_punc_if_word("'ok'", is_ascii_punct), "'ok'");
        assert_eq!(strip_punc_if_word("„gut“", is_punct_typographic), "gut");
    }

    #[test]
    fn upper_like_the_reference() {
        assert!(is_upper("GOOD"));
        assert!(is_upper("GOOD!"));
        assert!(!is_upper("Good"));
        assert!(!is_upper(":)"));
        assert!(!is_upper("123"));
        assert!(!is_upper("\u{01C5}A"));
    }

    #[test]
    fn splits_on_information_separators() {
        let v: Vec<_> = split_words("a\u{1c}b  c\u{a0}d").collect();
        assert_eq!(v, ["a", "b", "c", "d"]);
        let v: Vec<_> = split_words(" a\u{1c}b \t\x0b c\r\n").collect();
        assert_eq!(v, ["a", "b", "c"]);
        assert_eq!(split_words(" \u{3000} ").count(), 0);
    }

    #[test]
    fn space_len_agrees_with_is_space_on_every_char() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let e = c.encode_utf8(&mut buf).as_bytes();
            let want = if is_space(c) { e.len() } else { 0 };
            assert_eq!(space_len(e, 0), want, "{:?}", c);
            // A continuation byte is never the start of a space.
            for k in 1..e.len() {
                assert_eq!(space_len(e, k), 0, "{:?} at {k}", c);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn push_lower_is_lowercase_and_is_upper(word in "[aZ1:'éÉǅΣσςΑ\u{130}\u{1e9e}ß\u{1f600}\u{2160}]{0,10}") {
            let mut buf = String::from("x");
            let upper = push_lower(&word, &mut buf);
            proptest::prop_assert_eq!(&buf[1..], word.to_lowercase());
            proptest::prop_assert_eq!(upper, is_upper(&word));
        }

        #[test]
        fn trimming_is_trim_matches(token in "[a:)(\\-'!.é„“…–—’\u{1f600}]{0,12}") {
            for is_punct in [is_ascii_punct as fn(char) -> bool, is_punct_typographic] {
                proptest::prop_assert_eq!(trim_punct(&token, is_punct), token.trim_matches(is_punct));
            }
        }

        #[test]
        fn the_fast_split_is_the_plain_one(text in "[a b\t\n\u{1c}\u{1f}\u{85}\u{a0}\u{a1}\u{1680}\u{1681}\u{2000}\u{200a}\u{200b}\u{2028}\u{2029}\u{202f}\u{2030}\u{205f}\u{2060}\u{3000}\u{3001}\u{1f600}é!:)]{0,40}") {
            let plain: Vec<&str> = text.split(is_space).filter(|s| !s.is_empty()).collect();
            let fast: Vec<&str> = split_words(&text).collect();
            proptest::prop_assert_eq!(fast, plain);
        }
    }
}
