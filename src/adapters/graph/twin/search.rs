//! How the twin's searches match text: hashtags as whole tokens, keywords as words, both
//! ignoring case.

/// Whether `text` carries `#tag` (without `#`) as a whole hashtag, ignoring case.
pub(crate) fn has_hashtag(text: &str, tag: &str) -> bool {
    let tag = tag.trim_start_matches('#').to_lowercase();
    text.split(|c: char| c.is_whitespace() || ",.;:!?()[]\"'".contains(c))
        .filter_map(|w| w.strip_prefix('#'))
        .any(|w| w.to_lowercase() == tag)
}

/// Whether `text` contains every term of `query` (each a word, `#hashtag` or `@handle`),
/// ignoring case.
pub(crate) fn has_terms(text: &str, query: &str) -> bool {
    let text = text.to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || ",.;:!?()[]\"'".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    query.split_whitespace().all(|term| {
        let term = term.to_lowercase();
        words
            .iter()
            .any(|w| *w == term || w.trim_start_matches(['#', '@']) == term)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_terms_match_whole_tokens() {
        assert!(has_hashtag("New anvil! #Anvils, heavy", "anvils"));
        assert!(!has_hashtag("New #anvilsale", "anvils"));
        assert!(has_terms("Our ANVIL is out. #launch", "anvil launch"));
        assert!(has_terms("Our anvil is out #launch", "#launch"));
        assert!(!has_terms("Our anvil is out", "anvil hammer"));
    }
}
