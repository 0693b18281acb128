//! URL extraction as twitter-text does it, and Mastodon's flavour of it.
//!
//! twitter-text finds URLs with one large backtracking regular expression (a preceding
//! character, an optional `https?://`, a domain that must end in a known TLD, an optional port,
//! path and query) and then post-processes every match (IDN label lengths, a maximum URL length,
//! ASCII-only domains for URLs without protocol, t.co slugs). This module is a hand-written
//! matcher for exactly that expression: it tries the same alternatives in the same order, so it
//! finds the same matches, without a backtracking engine and in linear time on ordinary text.
//! Mastodon runs the Ruby port of the same expression with wider path and query character
//! classes and more protocols; [`Flavor`] carries those differences.

use super::chars::{
    char_at, char_before, is_cyrillic, is_directional_marker, is_latin_accent, is_twitter_invalid,
    is_twitter_space, run_end, utf16_len,
};
use super::tlds::{MAX_TLD_CHARS, is_twitter_ascii_tld, is_twitter_tld, may_be_in_tld};

/// Longest URL twitter-text accepts, protocol included, in UTF-16 code units.
const MAX_URL_LENGTH: usize = 4096;
/// Longest t.co slug twitter-text accepts.
const MAX_TCO_SLUG_LENGTH: usize = 40;
/// Longest DNS label, after punycode encoding.
const MAX_DOMAIN_LABEL_LENGTH: usize = 63;

/// The character classes and options that differ between twitter-text and Mastodon.
#[derive(Debug)]
pub(crate) struct Flavor {
    /// Protocols, lowercase with `://`, longest first where one is a prefix of another.
    protocols: &'static [&'static str],
    /// Whether URLs without protocol (`example.com`) are extracted.
    without_protocol: bool,
    path_char: fn(char) -> bool,
    path_end_char: fn(char) -> bool,
    /// twitter-text's second path alternative is `@G+/`, Mastodon's is `G+/`.
    path_alt_needs_at: bool,
    query_char: fn(char) -> bool,
    query_end_char: fn(char) -> bool,
}

/// twitter-text (the JavaScript and Java libraries, and the conformance data).
pub(crate) static TWITTER: Flavor = Flavor {
    protocols: &["https://", "http://"],
    without_protocol: true,
    path_char: twitter_path_char,
    path_end_char: twitter_path_end_char,
    path_alt_needs_at: true,
    query_char: twitter_query_char,
    query_end_char: twitter_query_end_char,
};

/// Mastodon's patched twitter-text (`config/initializers/twitter_regex.rb`), protocol required.
pub(crate) static MASTODON: Flavor = Flavor {
    protocols: &[
        "https://",
        "http://",
        "dat://",
        "dweb://",
        "ipfs://",
        "ipns://",
        "ssb://",
        "gopher://",
        "gemini://",
    ],
    without_protocol: false,
    path_char: mastodon_path_char,
    path_end_char: mastodon_path_end_char,
    path_alt_needs_at: false,
    query_char: mastodon_query_char,
    query_end_char: mastodon_query_end_char,
};

fn twitter_path_char(c: char) -> bool {
    match PATH_ASCII.get(c as usize) {
        Some(&ascii) => ascii,
        None => is_cyrillic(c) || is_latin_accent(c) || c == '\u{2013}',
    }
}

fn twitter_path_end_char(c: char) -> bool {
    match PATH_END_ASCII.get(c as usize) {
        Some(&ascii) => ascii,
        None => is_cyrillic(c) || is_latin_accent(c),
    }
}

fn twitter_query_char(c: char) -> bool {
    QUERY_ASCII.get(c as usize).is_some_and(|&ascii| ascii)
}

fn twitter_query_end_char(c: char) -> bool {
    QUERY_END_ASCII.get(c as usize).is_some_and(|&ascii| ascii)
}

/// twitter-text's path characters (`validGeneralUrlPathChars`) among ASCII: letters, digits
/// and these; one load per character in the path scans.
static PATH_ASCII: [bool; 128] = ascii_class(b"!*';:=+,.$/%#[]-_~@|&");
/// `validUrlPathEndingChars` among ASCII.
static PATH_END_ASCII: [bool; 128] = ascii_class(b"+-=_#/");
/// `validUrlQueryChars` (ASCII only).
static QUERY_ASCII: [bool; 128] = ascii_class(b"!?*'@();:&=+$/%#[]-_.,~|");
/// `validUrlQueryEndingChars` (ASCII only).
static QUERY_END_ASCII: [bool; 128] = ascii_class(b"-_&=#/");

/// ASCII letters, digits and `extra`, as a table indexed by byte.
const fn ascii_class(extra: &[u8]) -> [bool; 128] {
    let mut out = [false; 128];
    let mut b = 0;
    while b < 128 {
        out[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut k = 0;
    while k < extra.len() {
        out[extra[k] as usize] = true;
        k += 1;
    }
    out
}

fn mastodon_path_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '?'))
}

fn mastodon_path_end_char(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(
            c,
            '(' | ')'
                | '?'
                | '!'
                | '*'
                | '"'
                | '\''
                | '「'
                | '」'
                | '<'
                | '>'
                | ';'
                | ':'
                | '='
                | ','
                | '.'
                | '$'
                | '%'
                | '['
                | ']'
                | '~'
                | '&'
                | '|'
                | '@'
        ))
}

/// Mastodon's `UCHARS`: non-ASCII code points that are not noncharacters or specials.
fn mastodon_uchar(c: char) -> bool {
    let cp = u32::from(c);
    matches!(cp, 0xA0..=0xD7FF | 0xE000..=0xFDCF | 0xFDF0..=0xFFEF)
        || (cp >= 0x10000 && cp & 0xFFFF <= 0xFFFD && !(0xE0000..0xE1000).contains(&cp))
}

fn mastodon_query_char(c: char) -> bool {
    twitter_query_char(c) || c == '^' || mastodon_uchar(c)
}

fn mastodon_query_end_char(c: char) -> bool {
    twitter_query_end_char(c) || mastodon_uchar(c)
}

/// twitter-text's `validDomainChars`: anything but punctuation, spaces, invalid characters and
/// directional markers. Note that `"` and `` ` `` are not in its punctuation set.
fn is_domain_char(c: char) -> bool {
    match ASCII_DOMAIN_CHARS.get(c as usize) {
        Some(&ascii) => ascii,
        None => domain_char_by_rule(c),
    }
}

/// [`is_domain_char`] for ASCII, one load per character in the hot domain scans.
static ASCII_DOMAIN_CHARS: [bool; 128] = {
    let mut out = [false; 128];
    let mut b = 0;
    while b < 128 {
        out[b] = domain_char_by_rule(b as u8 as char);
        b += 1;
    }
    out
};

/// The rule of [`is_domain_char`] itself.
const fn domain_char_by_rule(c: char) -> bool {
    if c.is_ascii_alphanumeric() {
        return true;
    }
    !(matches!(
        c,
        '!' | '\''
            | '#'
            | '%'
            | '&'
            | '('
            | ')'
            | '*'
            | '+'
            | ','
            | '\\'
            | '-'
            | '.'
            | '/'
            | ':'
            | ';'
            | '<'
            | '='
            | '>'
            | '?'
            | '@'
            | '['
            | ']'
            | '^'
            | '_'
            | '{'
            | '|'
            | '}'
            | '~'
            | '$'
    ) || is_twitter_space(c)
        || is_twitter_invalid(c)
        || is_directional_marker(c))
}

fn is_subdomain_run_char(c: char) -> bool {
    match ASCII_SUBDOMAIN_RUN.get(c as usize) {
        Some(&ascii) => ascii,
        None => domain_char_by_rule(c),
    }
}

/// [`is_subdomain_run_char`] for ASCII.
static ASCII_SUBDOMAIN_RUN: [bool; 128] = {
    let mut out = ASCII_DOMAIN_CHARS;
    out[b'_' as usize] = true;
    out[b'-' as usize] = true;
    out
};

/// `run_end(text, i, is_subdomain_run_char)`, with ASCII by one table load a byte.
fn subdomain_run_end(text: &str, i: usize) -> usize {
    let bytes = text.as_bytes();
    let mut k = i;
    while let Some(&b) = bytes.get(k) {
        if b < 0x80 {
            if !ASCII_SUBDOMAIN_RUN[usize::from(b)] {
                break;
            }
            k += 1;
            continue;
        }
        match text.get(k..).and_then(|rest| rest.chars().next()) {
            Some(c) if is_subdomain_run_char(c) => k += c.len_utf8(),
            _ => break,
        }
    }
    k
}

/// A character that may precede a URL (`validUrlPrecedingChars`).
fn is_url_preceding_char(c: char) -> bool {
    !(c.is_ascii_alphanumeric()
        || matches!(c, '@' | '＠' | '$' | '#' | '＃')
        || is_twitter_invalid(c))
}

/// `validAsciiDomain` label characters.
fn is_ascii_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || is_latin_accent(c)
}

/// Where the run of subdomain characters and dots that ends at byte `end` starts: ASCII by
/// one table load a byte, other characters decoded backwards.
fn run_start_before(text: &str, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = end;
    while let Some(&b) = start.checked_sub(1).and_then(|k| bytes.get(k)) {
        if b < 0x80 {
            if !(b == b'.' || ASCII_SUBDOMAIN_RUN[usize::from(b)]) {
                break;
            }
            start -= 1;
            continue;
        }
        match text[..start].chars().next_back() {
            Some(c) if is_subdomain_run_char(c) => start -= c.len_utf8(),
            _ => break,
        }
    }
    start
}

/// One URL found in a text: byte offsets into the text it was found in, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawUrl {
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// The bytes twitter-text's JavaScript leaves out of the URL's string (not its indices):
    /// for the last ASCII domain of a protocol-less URL with a path, the string is that domain
    /// followed by the path, without what lies between them (`www.x.news.日本.gl/a` gives
    /// `www.x.news/a`). `parseTweet` moves on by the string's length, not the indices'.
    pub(crate) dropped: Option<(usize, usize)>,
}

/// What the big regular expression matched at one position.
#[derive(Debug, Clone, Copy)]
struct RegexMatch {
    /// Start of the URL (of the protocol, when there is one).
    start: usize,
    /// The preceding character, `None` at the start of the text.
    before: Option<char>,
    has_protocol: bool,
    domain_start: usize,
    domain_end: usize,
    has_path: bool,
    end: usize,
    /// The URL starts at the low surrogate of the character at `start` (see `find_match`).
    mid_char_start: bool,
}

/// The URLs of a text, in order, as twitter-text extracts them.
#[derive(Debug)]
pub(crate) struct UrlIter<'a> {
    text: &'a str,
    flavor: &'static Flavor,
    /// Where the next regex search starts (JavaScript's `lastIndex`).
    pos: usize,
    /// ASCII domains of the last protocol-less match that are not returned yet.
    bare: Option<BareDomains>,
    /// Protocol-less attempts are known to fail strictly inside this byte range (see
    /// [`bare_failure_extent`]).
    bare_fails: (usize, usize),
    /// Until the search passes this byte, no attempt before [`UrlIter::skip_to`] can succeed
    /// (see [`UrlIter::skip_without_dot`]).
    dot_horizon: usize,
    /// The TLD that [`UrlIter::skip_without_dot`] found last: (start, end). The domain of
    /// the attempts that follow usually ends there, and [`domain_at`] need not look again.
    tld_after_dot: (usize, usize),
}

impl<'a> UrlIter<'a> {
    pub(crate) fn new(text: &'a str, flavor: &'static Flavor) -> Self {
        // twitter-text's shortcut: no '.' (or ':' when a protocol is required), no URL.
        let hopeless = if flavor.without_protocol {
            !text.contains('.')
        } else {
            !text.contains(':')
        };
        UrlIter {
            text,
            flavor,
            pos: if hopeless { usize::MAX } else { 0 },
            bare: None,
            bare_fails: (0, 0),
            dot_horizon: 0,
            tld_after_dot: (usize::MAX, 0),
        }
    }

    /// Where the search at byte `i` can go on without missing a match, or `None` when no
    /// match can follow.
    ///
    /// Every domain ends in a TLD right after a `.` (its last label before the TLD ends at that
    /// dot: a "TLD dot"), and from its start to that dot it is labels and dots only, all of
    /// them subdomain characters or `.`. So a match's domain starts inside the run of those
    /// characters that ends at the first TLD dot at or after `i` (or a later one), and the
    /// match itself at most a protocol before it. Positions further back can only fail; on
    /// text without URLs this skips almost every position (no attempt at each word, CJK
    /// character or dot that no TLD follows).
    fn skip_without_dot(&mut self, i: usize) -> Option<usize> {
        if i < self.dot_horizon {
            return Some(i);
        }
        let text = self.text;
        let bytes = text.as_bytes();
        let mut from = i;
        let dot = loop {
            // `str::find` of one ASCII byte searches a word at a time.
            let dot = from + text.get(from..)?.find('.')?;
            if let Some(end) = tld_at(text, dot + 1, text.len()) {
                self.tld_after_dot = (dot + 1, end);
                break dot;
            }
            from = dot + 1;
        };
        let run_start = run_start_before(text, dot);
        // A protocol ends in '/', which no run holds: a match with one has its domain at
        // `run_start` and the protocol right before it; a match without one starts in the run.
        let head = &bytes[..run_start];
        let protocol = self
            .flavor
            .protocols
            .iter()
            .filter(|p| {
                head.len() >= p.len()
                    && head[head.len() - p.len()..].eq_ignore_ascii_case(p.as_bytes())
            })
            .map(|p| p.len())
            .max()
            .unwrap_or(0);
        // The loop position is the character before the match (up to 4 bytes) or the
        // match's own start (a URL that starts at a low surrogate).
        let mut earliest = run_start.saturating_sub(protocol + 4);
        while !text.is_char_boundary(earliest) {
            earliest -= 1;
        }
        self.dot_horizon = dot + 1;
        Some(earliest.max(i))
    }

    /// Finds the next match of the regular expression at or after `self.pos`.
    fn find_match(&mut self) -> Option<RegexMatch> {
        let text = self.text;
        let mut i = self.pos;
        while i <= text.len() {
            i = self.skip_without_dot(i)?;
            let c = char_at(text, i);
            if let Some(c) = c.filter(|c| c.len_utf16() == 2) {
                // twitter-text's regex runs on UTF-16 units: the high surrogate of `c` may
                // precede a URL that starts at its low surrogate (a valid domain character,
                // as `c` is).
                if let Some(mut m) = self.match_url_at(i, Some(c)) {
                    m.mid_char_start = true;
                    return Some(m);
                }
            }
            if let Some(c) = c {
                if is_url_preceding_char(c) {
                    let s = i + c.len_utf8();
                    if let Some(m) = self.match_url_at(s, Some(c)) {
                        return Some(m);
                    }
                }
            }
            if i == 0 {
                if let Some(m) = self.match_url_at(0, None) {
                    return Some(m);
                }
            }
            match c {
                Some(c) => i += c.len_utf8(),
                None => break,
            }
        }
        None
    }

    /// The regex from the URL group on, at byte `s`: `(protocol)? domain (:port)? path? query?`.
    fn match_url_at(&mut self, s: usize, before: Option<char>) -> Option<RegexMatch> {
        let text = self.text;
        if s >= text.len() {
            return None;
        }
        if let Some(after_protocol) = self.protocol_at(s) {
            if let Some(m) = self.rest_at(s, after_protocol, before, true) {
                return Some(m);
            }
        }
        if s > self.bare_fails.0 && s < self.bare_fails.1 {
            return None;
        }
        let m = self.rest_at(s, s, before, false);
        if m.is_none() {
            self.bare_fails = (s, bare_failure_extent(text, s));
        }
        m
    }

    fn protocol_at(&self, s: usize) -> Option<usize> {
        let rest = &self.text.as_bytes()[s..];
        self.flavor
            .protocols
            .iter()
            .find(|p| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
            .map(|p| s + p.len())
    }

    fn rest_at(
        &self,
        start: usize,
        domain_start: usize,
        before: Option<char>,
        has_protocol: bool,
    ) -> Option<RegexMatch> {
        let text = self.text;
        let domain_end = domain_at(text, domain_start, self.tld_after_dot)?;
        let mut end = domain_end;
        // Port: greedy digits after ':'.
        if char_at(text, end) == Some(':') {
            let digits_end = run_end(text, end + 1, |c| c.is_ascii_digit());
            if digits_end > end + 1 {
                end = digits_end;
            }
        }
        let mut has_path = false;
        if char_at(text, end) == Some('/') {
            has_path = true;
            end = self.path_items(end + 1);
        }
        end = query_at(text, end, text.len(), self.flavor);
        Some(RegexMatch {
            start,
            before,
            has_protocol,
            domain_start,
            domain_end,
            has_path,
            end,
            mid_char_start: false,
        })
    }

    /// `validUrlPath*` from `pos`, each iteration the first alternative a backtracking engine
    /// would take (what follows the path always matches, so no iteration is ever revisited).
    fn path_items(&self, mut pos: usize) -> usize {
        while let Some(end) = self.path_item(pos) {
            if end <= pos {
                break;
            }
            pos = end;
        }
        pos
    }

    /// One `validUrlPath`: `G* (BP G*)* E | @G+/` (Mastodon: `G+/`).
    fn path_item(&self, pos: usize) -> Option<usize> {
        let text = self.text;
        let f = self.flavor;
        let g_end = run_end(text, pos, f.path_char);
        if let Some(end) = self.parens_then_end(g_end) {
            return Some(end);
        }
        if let Some(end) = last_char_end(text, pos, g_end, f.path_end_char) {
            return Some(end);
        }
        // Second alternative.
        let body = if f.path_alt_needs_at {
            if char_at(text, pos) != Some('@') {
                return None;
            }
            pos + 1
        } else {
            pos
        };
        let g_end = run_end(text, body, f.path_char);
        // G+ then '/': the last '/' of the run with at least one character before it.
        let slash = text.get(body..g_end)?.rfind('/')?;
        (slash > 0).then_some(body + slash + 1)
    }

    /// `(BP G*)* E` at `q`, where `E` is an ending character or balanced parentheses.
    fn parens_then_end(&self, mut q: usize) -> Option<usize> {
        let text = self.text;
        let f = self.flavor;
        loop {
            let Some(bp_end) = self.balanced_parens(q) else {
                return char_at(text, q)
                    .filter(|&c| (f.path_end_char)(c))
                    .map(|c| q + c.len_utf8());
            };
            let g2 = run_end(text, bp_end, f.path_char);
            if self.balanced_parens(g2).is_some() {
                q = g2;
                continue;
            }
            if let Some(c) = char_at(text, g2).filter(|&c| (f.path_end_char)(c)) {
                return Some(g2 + c.len_utf8());
            }
            return Some(last_char_end(text, bp_end, g2, f.path_end_char).unwrap_or(bp_end));
        }
    }

    /// `\( (?: G+ | G* \( G+ \) G* ) \)` at `q`.
    fn balanced_parens(&self, q: usize) -> Option<usize> {
        let text = self.text;
        let g = self.flavor.path_char;
        if char_at(text, q) != Some('(') {
            return None;
        }
        let a = q + 1;
        let a_end = run_end(text, a, g);
        match char_at(text, a_end) {
            Some(')') if a_end > a => Some(a_end + 1),
            Some('(') => {
                let inner = a_end + 1;
                let inner_end = run_end(text, inner, g);
                if inner_end == inner || char_at(text, inner_end) != Some(')') {
                    return None;
                }
                let tail_end = run_end(text, inner_end + 1, g);
                (char_at(text, tail_end) == Some(')')).then_some(tail_end + 1)
            }
            _ => None,
        }
    }

    /// Turns a regex match into URLs, as twitter-text's post-processing does: returns the URL
    /// of a match with protocol; for one without, queues the ASCII domains inside it.
    fn accept(&mut self, m: RegexMatch) -> Option<RawUrl> {
        let text = self.text;
        let url = &text[m.start..m.end];
        let domain = &text[m.domain_start..m.domain_end];
        let protocol_len = if m.has_protocol {
            m.domain_start - m.start
        } else {
            "https://".len()
        };
        let url_len = utf16_len(url) - usize::from(m.mid_char_start);
        if !domain_labels_are_valid(domain) || protocol_len + url_len > MAX_URL_LENGTH {
            return None;
        }
        if !m.has_protocol {
            if self.flavor.without_protocol && !matches!(m.before, Some('-' | '_' | '.' | '/')) {
                self.bare = Some(BareDomains {
                    next: next_ascii_domain(text, m.domain_start, m.domain_end),
                    domain_end: m.domain_end,
                    extend_to: m.has_path.then_some(m.end),
                });
            }
            return None;
        }
        let mut end = m.end;
        if let Some((slug_len, tco_end)) = tco_prefix(url) {
            if slug_len > MAX_TCO_SLUG_LENGTH {
                return None;
            }
            end = m.start + tco_end;
        }
        Some(RawUrl {
            start: m.start,
            end,
            dropped: None,
        })
    }

    /// The next queued ASCII domain of a protocol-less match; the last one takes the path.
    fn next_bare(&mut self) -> Option<RawUrl> {
        let state = self.bare.as_mut()?;
        let Some(mut current) = state.next else {
            self.bare = None;
            return None;
        };
        state.next = next_ascii_domain(self.text, current.end, state.domain_end);
        if state.next.is_none() {
            if let Some(end) = state.extend_to {
                current.dropped = Some((current.end, state.domain_end));
                current.end = end;
            }
            self.bare = None;
        }
        Some(current)
    }
}

/// The ASCII domains of a protocol-less match that are not returned yet.
#[derive(Debug, Clone, Copy)]
struct BareDomains {
    /// The next ASCII domain to return.
    next: Option<RawUrl>,
    domain_end: usize,
    /// Where the last ASCII domain ends when the match has a path (twitter-text appends the
    /// path, with port and query, to the last one).
    extend_to: Option<usize>,
}

/// The first ASCII domain (`validAsciiDomain`) in `text[from..limit]`.
fn next_ascii_domain(text: &str, from: usize, limit: usize) -> Option<RawUrl> {
    let mut p = from;
    while p < limit {
        if let Some(end) = ascii_domain_at(text, p, limit) {
            return Some(RawUrl {
                start: p,
                end,
                dropped: None,
            });
        }
        // Every start inside the same run of label characters fails the same way.
        let skip = run_end(&text[..limit], p, is_ascii_domain_char);
        p = if skip > p {
            skip
        } else {
            p + char_at(text, p).map_or(1, char::len_utf8)
        };
    }
    None
}

impl Iterator for UrlIter<'_> {
    type Item = RawUrl;

    fn next(&mut self) -> Option<RawUrl> {
        loop {
            if let Some(u) = self.next_bare() {
                return Some(u);
            }
            if self.pos > self.text.len() {
                return None;
            }
            let Some(m) = self.find_match() else {
                self.pos = usize::MAX;
                return None;
            };
            self.pos = m.end;
            if let Some(u) = self.accept(m) {
                return Some(u);
            }
        }
    }
}

/// After a protocol-less attempt at `s` failed, the first byte where another attempt can
/// succeed. Every attempt inside the same run of label characters sees the same labels after
/// the first one; only an underscore in the first label (allowed in subdomains, not in the
/// domain name) can make a later start behave differently, so attempts are skipped up to the
/// last underscore of the run, or to its end.
fn bare_failure_extent(text: &str, s: usize) -> usize {
    if !char_at(text, s).is_some_and(is_domain_char) {
        return 0;
    }
    let run = subdomain_run_end(text, s);
    match text[s..run].rfind('_') {
        Some(k) => s + k + 1,
        None => run,
    }
}

/// `validDomain` at `q`: `validSubdomain* validDomainName (gTLD | ccTLD | punycode)`.
/// Returns the end of the domain.
///
/// `known` is a TLD found already, (start, end) in `text`: `tld_at` is not asked again there.
fn domain_at(text: &str, q: usize, known: (usize, usize)) -> Option<usize> {
    // Labels that can be subdomains: a run of domain characters, '_' and '-' that starts and
    // ends with a domain character and is followed by '.'. Only the end of the last one is
    // kept: labels hold no '.', so the chain of labels is `text[q..last_end]` split at dots.
    let mut last_end = None;
    let mut pos = q;
    loop {
        let end = subdomain_run_end(text, pos);
        let starts_ok = char_at(text, pos).is_some_and(is_domain_char);
        let ends_ok = char_before(text, end).is_some_and(is_domain_char);
        if end > pos && starts_ok && ends_ok && char_at(text, end) == Some('.') {
            last_end = Some(end);
            pos = end + 1;
        } else {
            break;
        }
    }
    // Greedy subdomains, then backtracking: the domain name is the last label, then the one
    // before, …; the TLD follows it, and the domain name may not contain '_'.
    last_labels_first(text, q, last_end?)
        .filter(|&(s, e)| !text[s..e].contains('_'))
        .find_map(|(_, e)| {
            if e + 1 == known.0 {
                Some(known.1)
            } else {
                tld_at(text, e + 1, text.len())
            }
        })
}

/// The labels of the dot-separated chain `text[start..end]`, last one first, as byte ranges.
fn last_labels_first(
    text: &str,
    start: usize,
    end: usize,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    // A byte scan backwards from dot to dot (the labels are dot-free).
    let bytes = text.as_bytes();
    let mut next_end = Some(end);
    std::iter::from_fn(move || {
        let e = next_end?;
        let s = bytes[start..e]
            .iter()
            .rposition(|&b| b == b'.')
            .map_or(start, |k| start + k + 1);
        next_end = (s > start).then(|| s - 1);
        Some((s, e))
    })
}

/// The ASCII-only domain (`validAsciiDomain`) starting at `p`, ending at or before `limit`.
fn ascii_domain_at(text: &str, p: usize, limit: usize) -> Option<usize> {
    let bounded = &text[..limit];
    let mut last_end = None;
    let mut pos = p;
    loop {
        let end = run_end(bounded, pos, is_ascii_domain_char);
        if end > pos && char_at(bounded, end) == Some('.') {
            last_end = Some(end);
            pos = end + 1;
        } else {
            break;
        }
    }
    last_labels_first(text, p, last_end?).find_map(|(_, e)| tld_at(text, e + 1, limit))
}

/// A TLD at `q` (`gTLD | ccTLD`, each followed by a character that is not `[0-9a-zA-Z@+-]`,
/// or `xn--[-0-9a-z]+`), within `text[..limit]`. Returns its end.
fn tld_at(text: &str, q: usize, limit: usize) -> Option<usize> {
    let region = text.get(q..limit)?;
    if let Some(found) = ascii_tld_at(region.as_bytes()) {
        return found.map(|len| q + len);
    }
    // Every TLD (and "xn--") starts with a letter that may be in a TLD.
    if !region
        .chars()
        .next()
        .is_some_and(|c| may_be_in_tld(c) && c.is_alphabetic())
    {
        return None;
    }
    let boundary_ok = |end: usize| {
        char_at(&text[..limit], end)
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || matches!(c, '@' | '+' | '-')))
    };
    // Candidate ends, longest first: only where the lookahead allows one.
    let mut ends = [0usize; MAX_TLD_CHARS];
    let mut n = 0;
    for (k, c) in region.char_indices().take(MAX_TLD_CHARS) {
        // No TLD contains an ASCII digit, space or punctuation, or any whitespace, and no
        // candidate that holds a character no TLD has (lowercased) can be one: CJK or Arabic
        // text after a dot ends the candidates at its first such character.
        if (c.is_ascii() && !c.is_ascii_alphabetic()) || c.is_whitespace() || !may_be_in_tld(c) {
            break;
        }
        let end = q + k + c.len_utf8();
        if boundary_ok(end) {
            ends[n] = end;
            n += 1;
        }
    }
    let mut lower = String::new();
    let mut ascii_buf = [0u8; 4 * MAX_TLD_CHARS];
    for &end in ends[..n].iter().rev() {
        let candidate = &text[q..end];
        let found = if candidate.is_ascii() {
            let buf = &mut ascii_buf[..candidate.len()];
            buf.copy_from_slice(candidate.as_bytes());
            buf.make_ascii_lowercase();
            is_twitter_ascii_tld(buf)
        } else if candidate.chars().any(char::is_uppercase) {
            lower.clear();
            lower.extend(candidate.chars().flat_map(char::to_lowercase));
            is_twitter_tld(&lower)
        } else {
            is_twitter_tld(candidate)
        };
        if found {
            return Some(end);
        }
    }
    // Punycode TLD: "xn--" then [-0-9a-z]+ (case-insensitive), no lookahead.
    let bytes = region.as_bytes();
    if bytes.len() > 4 && bytes[..4].eq_ignore_ascii_case(b"xn--") {
        let end = run_end(&text[..limit], q + 4, |c| {
            c.is_ascii_alphanumeric() || c == '-'
        });
        if end > q + 4 {
            return Some(end);
        }
    }
    None
}

/// [`tld_at`] where the region starts with a run of ASCII letters that ASCII (or the end)
/// follows, as nearly every TLD in a text does: `Some(length)` of the TLD there (`None`:
/// none), or `None` where the general path must decide.
///
/// In such a run the only end that the lookahead allows is the run's end (every other end
/// has a letter after it), and a candidate stops at the first ASCII character that is not a
/// letter: so the run itself is the one candidate of the lists, then `xn--` punycode.
fn ascii_tld_at(region: &[u8]) -> Option<Option<usize>> {
    if !region.first()?.is_ascii_alphabetic() {
        return if region[0] < 0x80 { Some(None) } else { None };
    }
    let run = region
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(region.len());
    let after = region.get(run).copied();
    if after.is_some_and(|b| b >= 0x80) {
        return None;
    }
    let boundary_ok =
        after.is_none_or(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'@' | b'+' | b'-')));
    if boundary_ok && run <= MAX_TLD_CHARS {
        let mut buf = [0u8; MAX_TLD_CHARS];
        let lower = &mut buf[..run];
        lower.copy_from_slice(&region[..run]);
        lower.make_ascii_lowercase();
        if is_twitter_ascii_tld(lower) {
            return Some(Some(run));
        }
    }
    // Punycode TLD: "xn--" then [-0-9a-z]+ (case-insensitive), no lookahead.
    if region.len() > 4 && region[..4].eq_ignore_ascii_case(b"xn--") {
        let end = 4 + region[4..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-'))
            .unwrap_or(region.len() - 4);
        return Some((end > 4).then_some(end));
    }
    Some(None)
}

/// `(\? Q* QE)?` at `q`: returns the end of the query, or `q` when there is none.
fn query_at(text: &str, q: usize, limit: usize, f: &Flavor) -> usize {
    if char_at(&text[..limit], q) != Some('?') {
        return q;
    }
    let run = run_end(&text[..limit], q + 1, f.query_char);
    last_char_end(text, q + 1, run, f.query_end_char).unwrap_or(q)
}

/// The end of the last character in `text[from..to]` that matches `pred`.
fn last_char_end(text: &str, from: usize, to: usize, pred: fn(char) -> bool) -> Option<usize> {
    text.get(from..to)?
        .char_indices()
        .rev()
        .find(|&(_, c)| pred(c))
        .map(|(k, c)| from + k + c.len_utf8())
}

/// `^https?://t\.co/([a-z0-9]+)(?:\?Q*QE)?`: the slug length and the end of the t.co URL.
fn tco_prefix(url: &str) -> Option<(usize, usize)> {
    let b = url.as_bytes();
    let after_scheme = if b.len() >= 8 && b[..8].eq_ignore_ascii_case(b"https://") {
        8
    } else if b.len() >= 7 && b[..7].eq_ignore_ascii_case(b"http://") {
        7
    } else {
        return None;
    };
    let host = after_scheme + 5;
    if b.len() < host || !b[after_scheme..host].eq_ignore_ascii_case(b"t.co/") {
        return None;
    }
    let slug_end = run_end(url, host, |c| c.is_ascii_alphanumeric());
    if slug_end == host {
        return None;
    }
    Some((
        slug_end - host,
        query_at(url, slug_end, url.len(), &TWITTER),
    ))
}

/// twitter-text's IDN check: a domain starting with `xn--` must contain an ASCII domain, and
/// every label, punycode-encoded, must be 1 to 63 characters long.
fn domain_labels_are_valid(domain: &str) -> bool {
    if domain.starts_with("xn--") && ascii_domain_at_any(domain).is_none() {
        return false;
    }
    domain.split('.').all(|label| {
        punycode_length(label).is_some_and(|n| (1..=MAX_DOMAIN_LABEL_LENGTH).contains(&n))
    })
}

fn ascii_domain_at_any(domain: &str) -> Option<usize> {
    domain
        .char_indices()
        .find_map(|(i, _)| ascii_domain_at(domain, i, domain.len()))
}

/// Length of `punycode.toASCII(label)` (which also splits at the ideographic and fullwidth full
/// stops), or `None` where punycode overflows. Above [`MAX_DOMAIN_LABEL_LENGTH`] it may give
/// a smaller number that is still above it: a label that cannot fit is not encoded.
fn punycode_length(label: &str) -> Option<usize> {
    let mut total = 0;
    for (k, part) in label
        .split(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}'])
        .enumerate()
    {
        if k > 0 {
            total += 1;
        }
        // punycode.js encodes a label with any character outside U+0020..U+007E.
        total += if part.chars().any(|c| !(' '..='~').contains(&c)) {
            // Punycode writes at least one character for every character of the part.
            let at_least = "xn--".len() + part.chars().count();
            if total + at_least > MAX_DOMAIN_LABEL_LENGTH {
                return Some(total + at_least);
            }
            "xn--".len() + punycode_encoded_len(part)?
        } else {
            part.len()
        };
    }
    Some(total)
}

/// Length of the Punycode (RFC 3492, section 6.3) encoding of `part`, without `xn--`, or
/// `None` where the encoder overflows; for a part of at most [`MAX_DOMAIN_LABEL_LENGTH`]
/// characters, the only ones [`punycode_length`] encodes. Counts what the encoder writes
/// without writing it, over the code points decoded once.
fn punycode_encoded_len(part: &str) -> Option<usize> {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    let mut cps = [0u32; MAX_DOMAIN_LABEL_LENGTH];
    let mut count = 0;
    for c in part.chars() {
        *cps.get_mut(count)? = u32::from(c);
        count += 1;
    }
    let cps = &cps[..count];
    let basic = cps.iter().filter(|&&c| c < 0x80).count() as u32;
    let mut len = basic as usize + usize::from(basic > 0);
    let (mut n, mut delta, mut bias, mut handled) = (0x80u32, 0u32, 72u32, basic);
    while (handled as usize) < cps.len() {
        let m = cps.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in cps {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                // One digit for each threshold `q` reaches, then the last digit.
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = k.saturating_sub(bias).clamp(T_MIN, T_MAX);
                    if q < t {
                        break;
                    }
                    len += 1;
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                len += 1;
                bias = punycode_adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n += 1;
    }
    Some(len)
}

/// RFC 3492's bias adaptation (section 6.1).
fn punycode_adapt(delta: u32, points: u32, first: bool) -> u32 {
    const BASE: u32 = 36;
    let mut delta = if first { delta / 700 } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - 1) * 26) / 2 {
        delta /= BASE - 1;
        k += BASE;
    }
    k + (BASE * delta) / (delta + 38)
}

/// twitter-text's `isValidUrl`: a complete URL (with protocol unless `require_protocol` is
/// false), unicode domains allowed.
pub(crate) fn is_valid_url(url: &str, require_protocol: bool) -> bool {
    if url.is_empty() {
        return false;
    }
    // ^(?:([^:/?#]+)://)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$
    let (scheme, rest) = match url.find("://") {
        Some(k) if k > 0 && !url[..k].contains([':', '/', '?', '#']) => {
            (Some(&url[..k]), &url[k + 3..])
        }
        _ => (None, url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let rest = &rest[authority_end..];
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    let path = &rest[..path_end];
    let rest = &rest[path_end..];
    let (query, fragment) = match rest.strip_prefix('?') {
        Some(q) => match q.find('#') {
            Some(k) => (Some(&q[..k]), Some(&q[k + 1..])),
            None => (Some(q), None),
        },
        None => (None, rest.strip_prefix('#')),
    };
    if require_protocol
        && !scheme
            .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
    {
        return false;
    }
    let path_ok = path.is_empty() || (path.starts_with('/') && all_pchars(path, &['/']));
    path_ok
        && query.is_none_or(|q| all_pchars(q, &['/', '?']))
        && fragment.is_none_or(|f| all_pchars(f, &['/', '?']))
        && is_valid_unicode_authority(authority)
}

/// Every character is a `pchar` (unreserved, %XX, sub-delims, `:`, `|`, `@`) or in `extra`.
fn all_pchars(s: &str, extra: &[char]) -> bool {
    let b = s.as_bytes();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '%' {
            if b.len() >= i + 3 && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
                chars.next();
                chars.next();
                continue;
            }
            return false;
        }
        if !(is_unreserved(c)
            || is_sub_delim(c)
            || matches!(c, ':' | '|' | '@')
            || extra.contains(&c))
        {
            return false;
        }
    }
    true
}

fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_cyrillic(c) || matches!(c, '-' | '.' | '_' | '~')
}

fn is_sub_delim(c: char) -> bool {
    matches!(
        c,
        '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';' | '='
    )
}

/// `(?:(userinfo)@)?(host)(?::(port))?` over the whole authority, unicode domains allowed.
fn is_valid_unicode_authority(authority: &str) -> bool {
    // The userinfo cannot contain '@', so the first '@' ends it; without a valid userinfo the
    // regex could only match the whole authority as a host, which cannot contain '@'.
    let host_port = match authority.find('@') {
        Some(k) => {
            if !all_userinfo(&authority[..k]) {
                return false;
            }
            &authority[k + 1..]
        }
        None => authority,
    };
    // Port: 1 to 5 digits after the last ':' (an IPv6 host ends with ']').
    let (host, port) = match host_port.rfind(':') {
        Some(k) if !host_port[k..].contains(']') => (&host_port[..k], Some(&host_port[k + 1..])),
        _ => (host_port, None),
    };
    if let Some(p) = port {
        if !(1..=5).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
            return is_host(host_port);
        }
    }
    is_host(host)
}

fn all_userinfo(s: &str) -> bool {
    let b = s.as_bytes();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '%' {
            if b.len() >= i + 3 && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
                chars.next();
                chars.next();
                continue;
            }
            return false;
        }
        if !(is_unreserved(c) || is_sub_delim(c) || c == ':') {
            return false;
        }
    }
    true
}

fn is_host(host: &str) -> bool {
    is_ipv4(host) || is_ipv6(host) || is_unicode_domain(host)
}

fn is_ipv4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

fn is_ipv6(host: &str) -> bool {
    host.len() > 2
        && host.starts_with('[')
        && host.ends_with(']')
        && host[1..host.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
}

/// `(?:subdomain\.)*(?:domain\.)tld` with non-ASCII characters allowed everywhere.
fn is_unicode_domain(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let uni = |c: char| !c.is_ascii();
    let alnum = |c: char| c.is_ascii_alphanumeric() || uni(c);
    let segment = |label: &str, middle_underscore: bool| {
        let first = label.chars().next();
        let last = label.chars().next_back();
        first.is_some_and(alnum)
            && last.is_some_and(alnum)
            && label
                .chars()
                .all(|c| alnum(c) || c == '-' || (middle_underscore && c == '_'))
    };
    let (tld, rest) = labels.split_last().unwrap_or((&"", &[]));
    let tld_ok = tld
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || uni(c))
        && segment(tld, false);
    let (domain, subs) = rest.split_last().unwrap_or((&"", &[]));
    tld_ok && segment(domain, false) && subs.iter().all(|s| segment(s, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_scans_agree_with_the_character_scans() {
        let texts = [
            "",
            "a",
            "example.com",
            "x.日本語_テ-スト.b.c",
            "ab_c-d.e f",
            "..a..b.",
            "é.ф.😀.\u{202e}x.y",
            "www.x.news.日本.gl/a",
            "a\u{1}b.c d\te.f",
        ];
        for text in texts {
            for i in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                assert_eq!(
                    subdomain_run_end(text, i),
                    run_end(text, i, is_subdomain_run_char),
                    "{text:?} {i}"
                );
                let by_chars = text[..i]
                    .char_indices()
                    .rev()
                    .take_while(|&(_, c)| c == '.' || is_subdomain_run_char(c))
                    .last()
                    .map_or(i, |(k, _)| k);
                assert_eq!(run_start_before(text, i), by_chars, "{text:?} {i}");
                for start in (0..=i).filter(|&s| text.is_char_boundary(s)) {
                    let mut e = i;
                    let by_split: Vec<(usize, usize)> = text[start..i]
                        .rsplit('.')
                        .map(|label| {
                            let range = (e - label.len(), e);
                            e = e.saturating_sub(label.len() + 1);
                            range
                        })
                        .collect();
                    let by_bytes: Vec<_> = last_labels_first(text, start, i).collect();
                    assert_eq!(by_bytes, by_split, "{text:?} {start}..{i}");
                }
            }
        }
        for c in (0..0x80u8).map(char::from) {
            assert_eq!(
                ASCII_SUBDOMAIN_RUN[c as usize],
                is_domain_char(c) || c == '_' || c == '-',
                "{c:?}"
            );
        }
    }

    #[test]
    fn the_punycode_length_is_the_encoders() {
        // Labels of ASCII, Latin, CJK, emoji and mixed characters, as idna encodes them.
        let pool: Vec<char> = "abcXYZ09-_éüßñøжд日本語中文한국어ğış👍🏽😀\u{200d}\u{10ffff}\u{e000}"
            .chars()
            .collect();
        let mut seed = 0x2545_f491_u32;
        for len in 0..=MAX_DOMAIN_LABEL_LENGTH + 2 {
            for _ in 0..40 {
                let label: String = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 17;
                        seed ^= seed << 5;
                        pool[seed as usize % pool.len()]
                    })
                    .collect();
                let expected = if label.chars().count() > MAX_DOMAIN_LABEL_LENGTH {
                    None
                } else {
                    idna::punycode::encode_str(&label).map(|s| s.len())
                };
                assert_eq!(punycode_encoded_len(&label), expected, "{label:?}");
            }
        }
    }

    fn urls(text: &str) -> Vec<&str> {
        UrlIter::new(text, &TWITTER)
            .map(|u| &text[u.start..u.end])
            .collect()
    }

    #[test]
    fn finds_urls_with_and_without_protocol() {
        assert_eq!(
            urls("see http://example.com/a?b=c."),
            ["http://example.com/a?b=c"]
        );
        assert_eq!(
            urls("t.co/abcde bit.ly/abcde"),
            ["t.co/abcde", "bit.ly/abcde"]
        );
        assert_eq!(urls("long.test.tar.bz2"), Vec::<&str>::new());
        assert_eq!(urls("john.doe.gov@mail.com"), Vec::<&str>::new());
        assert_eq!(urls("http://t.co/pbY2NfTZ's"), ["http://t.co/pbY2NfTZ"]);
        assert_eq!(
            urls("https://en.wikipedia.org/wiki/Primer_(film) x"),
            ["https://en.wikipedia.org/wiki/Primer_(film)"]
        );
    }

    #[test]
    fn mastodon_flavor_needs_a_protocol() {
        let text = "example.com and https://example.com/@user/1 and gemini://x.org";
        let found: Vec<&str> = UrlIter::new(text, &MASTODON)
            .map(|u| &text[u.start..u.end])
            .collect();
        assert_eq!(found, ["https://example.com/@user/1", "gemini://x.org"]);
    }

    #[test]
    fn long_runs_are_linear_enough() {
        let text = "日本語".repeat(20_000) + ".";
        assert!(urls(&text).is_empty());
    }
}
