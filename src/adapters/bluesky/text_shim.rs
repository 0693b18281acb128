//! TEMPORARY stand-in for `crate::text` until the text branch lands in main; deleted then.
#![allow(missing_docs, dead_code)]
use crate::Result;
use crate::text::{Counting, TextRule};

pub mod rules {
    use super::*;
    pub fn bluesky() -> TextRule {
        let mut r = TextRule::new(Counting::Graphemes, 300);
        r.max_bytes = Some(3000);
        r
    }
}

#[derive(Debug, Default)]
pub struct SplitOptions;

pub fn split_thread(text: &str, _rule: &TextRule, _o: &SplitOptions) -> Result<Vec<String>> {
    Ok(vec![text.to_string()])
}

pub fn fits(rule: &TextRule, text: &str) -> bool {
    rule.check("x", text).is_ok() && rule.max_bytes.is_none_or(|m| text.len() <= m)
}

pub mod bluesky {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Facet {
        pub byte_start: usize,
        pub byte_end: usize,
        pub feature: FacetFeature,
    }
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[non_exhaustive]
    pub enum FacetFeature {
        Link { uri: String },
        Mention { handle: String },
        Tag { tag: String },
    }
    pub fn detect_facets(text: &str) -> Vec<Facet> {
        let re =
            regex::Regex::new(r"(?:^|\s)(@[a-zA-Z0-9.-]+\.[a-z]+|https?://\S+|#[^\s#]+)").unwrap();
        re.captures_iter(text)
            .filter_map(|c| c.get(1))
            .map(|m| {
                let s = m.as_str();
                let feature = if let Some(h) = s.strip_prefix('@') {
                    FacetFeature::Mention {
                        handle: h.to_string(),
                    }
                } else if let Some(t) = s.strip_prefix('#') {
                    FacetFeature::Tag { tag: t.to_string() }
                } else {
                    FacetFeature::Link { uri: s.to_string() }
                };
                Facet {
                    byte_start: m.start(),
                    byte_end: m.end(),
                    feature,
                }
            })
            .collect()
    }
}
