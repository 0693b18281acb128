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
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=0x1f | b' ')
}

/// Splits on runs of whitespace, dropping empty pieces. ASCII text (most posts) is split byte
/// by byte; other text char by char.
pub(crate) fn split_words(text: &str) -> SplitWords<'_> {
    SplitWords {
        text,
        pos: 0,
        ascii: text.is_ascii(),
    }
}

/// The words of a text (see [`split_words`]).
pub(crate) struct SplitWords<'a> {
    text: &'a str,
    pos: usize,
    ascii: bool,
}

impl<'a> Iterator for SplitWords<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let text = self.text;
        let bytes = text.as_bytes();
        if self.ascii {
            let mut i = self.pos;
            while i < bytes.len() && is_ascii_space(bytes[i]) {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && !is_ascii_space(bytes[i]) {
                i += 1;
            }
            self.pos = i;
            return (start < i).then(|| &text[start..i]);
        }
        let rest = &text[self.pos..];
        let start = self.pos + rest.find(|c: char| !is_space(c))?;
        let len = text[start..].find(is_space).unwrap_or(text.len() - start);
        self.pos = start + len;
        Some(&text[start..start + len])
    }
}

/// Removes leading and trailing punctuation from `token`; when fewer than three characters
/// would remain, the token was probably an emoticon (`:)`, `:-(`), so it is kept whole.
pub(crate) fn strip_punc_if_word(token: &str, is_punct: fn(char) -> bool) -> &str {
    // Most words start and end with an ASCII letter or digit: nothing to strip.
    let b = token.as_bytes();
    if b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        return token;
    }
    let stripped = token.trim_matches(is_punct);
    if stripped.chars().nth(2).is_none() {
        token
    } else {
        stripped
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

/// Whether a token is "upper case" the way the reference's `str.isupper()` decides: at least
/// one cased character, and no lower-case or title-case character.
pub(crate) fn is_upper(token: &str) -> bool {
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

    proptest::proptest! {
        #[test]
        fn the_fast_split_is_the_plain_one(text in "[a b\t\n\u{1c}\u{1f}\u{a0}\u{2003}é!:)]{0,40}") {
            let plain: Vec<&str> = text.split(is_space).filter(|s| !s.is_empty()).collect();
            let fast: Vec<&str> = split_words(&text).collect();
            proptest::prop_assert_eq!(fast, plain);
        }
    }
}
