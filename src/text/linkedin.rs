//! LinkedIn: the "little text" format of post commentary.
//!
//! The Posts API reads `commentary` as little text, where `\ | { } @ [ ] ( ) < > # * _ ~` are
//! markup (mentions, hashtags, templates); to show them as written they must be escaped with a
//! backslash. The limit is 3000 characters.

/// The characters that are markup in little text.
pub const RESERVED: &[char] = &[
    '\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~',
];

/// Escapes every reserved character of little text with a backslash.
///
/// ```
/// use socialkit::text::linkedin::escape_little_text;
/// assert_eq!(escape_little_text("50% off (today) #sale"), r"50% off \(today\) \#sale");
/// assert_eq!(escape_little_text(r"a\b"), r"a\\b");
/// ```
pub fn escape_little_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The `commentary` of a post in little text: hashtags (as [`crate::text::extract::hashtags`]
/// finds them) become hashtag templates `{hashtag|\#|tag}` so they stay hashtags, and every
/// other reserved character is escaped, so LinkedIn shows the text as written and never cuts
/// it at an unescaped character. `@mentions` stay plain text: a LinkedIn mention needs the
/// member's or organization's URN, which a plain `@name` does not give.
///
/// ```
/// use socialkit::text::linkedin::commentary;
/// assert_eq!(commentary("New anvils (50 kg) #forge_life"), r"New anvils \(50 kg\) {hashtag|\#|forge\_life}");
/// assert_eq!(commentary("mail me @ acme_co"), r"mail me \@ acme\_co");
/// ```
pub fn commentary(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut at = 0;
    for span in crate::text::extract::hashtags(text) {
        let tag = span.as_str(text);
        out.push_str(&escape_little_text(&text[at..span.start]));
        let name = tag.trim_start_matches(['#', '＃']);
        out.push_str("{hashtag|\\#|");
        out.push_str(&escape_little_text(name));
        out.push('}');
        at = span.end;
    }
    out.push_str(&escape_little_text(&text[at..]));
    out
}

/// The text a reader sees in little text: templates `{hashtag|\#|tag}` become `#tag`,
/// escapes `\x` become `x`. The inverse of [`commentary`] for what it produces, used to
/// compare a post LinkedIn returns with the text that was published.
///
/// ```
/// use socialkit::text::linkedin::{commentary, unescape_little_text};
/// let text = "Ship it (today) #release_day @team";
/// assert_eq!(unescape_little_text(&commentary(text)), text);
/// ```
pub fn unescape_little_text(little: &str) -> String {
    let mut out = String::with_capacity(little.len());
    let mut rest = little;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("{hashtag|\\#|") {
            if let Some(end) = after.find('}') {
                out.push('#');
                out.push_str(&unescape_little_text(&after[..end]));
                rest = &after[end + 1..];
                continue;
            }
        }
        if c == '\\' {
            let mut it = rest[1..].chars();
            if let Some(next) = it.next() {
                out.push(next);
                rest = &rest[1 + next.len_utf8()..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}
