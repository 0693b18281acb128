//! PLACEHOLDER until the text branch lands (graphemes only).
#![allow(missing_docs)]
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Counting {
    XWeighted,
    Graphemes,
    Mastodon { url_length: usize },
    Chars,
    Utf16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextRule {
    pub counting: Counting,
    pub max: usize,
    pub max_bytes: Option<usize>,
    pub max_links: Option<usize>,
    pub max_hashtags: Option<usize>,
    pub max_mentions: Option<usize>,
}

impl TextRule {
    pub fn new(counting: Counting, max: usize) -> Self {
        TextRule {
            counting,
            max,
            max_bytes: None,
            max_links: None,
            max_hashtags: None,
            max_mentions: None,
        }
    }
    pub fn count(&self, text: &str) -> usize {
        text.graphemes(true).count()
    }
    pub fn check(&self, platform: &str, text: &str) -> crate::Result<()> {
        let n = self.count(text);
        if n > self.max {
            return Err(crate::Error::too_long(platform, n, self.max, "graphemes"));
        }
        Ok(())
    }
}
