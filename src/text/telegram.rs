//! Telegram: lengths and entity offsets are in UTF-16 code units.
//!
//! A message is at most 4096 and a media caption at most 1024 UTF-16 code units (after entity
//! parsing); entity `offset` and `length` are in UTF-16 code units too.

/// Longest message text.
pub const MAX_TEXT: usize = 4096;
/// Longest media caption.
pub const MAX_CAPTION: usize = 1024;

/// The number of UTF-16 code units of `text`.
///
/// ```
/// use socialkit::text::telegram::utf16_length;
/// assert_eq!(utf16_length("abc"), 3);
/// assert_eq!(utf16_length("😀"), 2);
/// ```
pub fn utf16_length(text: &str) -> usize {
    super::chars::utf16_len(text)
}
