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
