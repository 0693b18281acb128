//! Splitting a too-long text into a numbered thread.

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::TextRule;
use super::extract::{Span, hashtags, links, mentions};
use crate::{Detail, Error, Result};

/// How the parts of a thread are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Numbering {
    /// No numbering.
    None,
    /// `"… 1/3"` at the end of each part.
    #[default]
    Suffix,
    /// `"1/3 …"` at the start of each part.
    Prefix,
}

/// Options of [`split_thread`].
///
/// ```
/// use socialkit::text::{Numbering, SplitOptions};
/// let opts = SplitOptions { numbering: Numbering::Prefix, max_parts: Some(10) };
/// assert_eq!(SplitOptions::default().numbering, Numbering::Suffix);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SplitOptions {
    /// How parts are numbered (numbering counts toward each part's length).
    pub numbering: Numbering,
    /// The most parts allowed; more is an error.
    pub max_parts: Option<usize>,
}

/// Splits a too-long text into a numbered thread whose every part (numbering included) passes
/// `rule`.
///
/// A text that already passes `rule` comes back as one part, unchanged and unnumbered.
/// Otherwise parts are filled greedily and broken at the best boundary available: between
/// paragraphs (blank lines) when a whole paragraph fits, else between sentences, else between
/// words (whitespace), else at word boundaries of scripts written without spaces (CJK), else
/// between graphemes. No break falls inside a grapheme, a link, a mention or a hashtag, with
/// one last resort: a single unbreakable token longer than a whole part (a 400-character word,
/// or a URL under grapheme counting) is cut between graphemes. Whitespace at part edges is
/// dropped, so joining the parts (without numbering) gives back the text up to whitespace.
///
/// Errors ([`ErrorKind::Validation`](crate::ErrorKind::Validation)): an empty or blank text,
/// more parts than `opts.max_parts` ([`Detail::TooMany`]), or a limit so small that a single
/// grapheme with its numbering does not fit.
///
/// ```
/// use socialkit::text::{rules, split_thread, SplitOptions};
/// let text = "First sentence is here. Second sentence follows it. Third one ends the text.";
/// let rule = rules::mastodon(40, 23);
/// let parts = split_thread(text, &rule, &SplitOptions::default()).unwrap();
/// assert_eq!(parts, [
///     "First sentence is here. 1/3",
///     "Second sentence follows it. 2/3",
///     "Third one ends the text. 3/3",
/// ]);
/// assert!(parts.iter().all(|p| rule.fits(p)));
/// ```
pub fn split_thread(text: &str, rule: &TextRule, opts: &SplitOptions) -> Result<Vec<String>> {
    if text.trim().is_empty() {
        return Err(Error::validation(
            "cannot split an empty text into a thread",
        ));
    }
    if rule.fits(text) {
        return check_max_parts(vec![text.to_string()], opts);
    }
    let graphemes: Vec<usize> = text
        .grapheme_indices(true)
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let protected = merged_spans(text);
    for digits in 1..=6u32 {
        let placeholder = "9".repeat(digits as usize);
        let mut packer = Packer {
            text,
            rule,
            numbering: opts.numbering,
            placeholder: &placeholder,
            graphemes: &graphemes,
            protected: &protected,
            parts: Vec::new(),
            current: None,
        };
        packer.pack(0, text.len(), Level::Paragraph)?;
        packer.close();
        let ranges = packer.parts;
        let n = ranges.len();
        let fits_digits = opts.numbering == Numbering::None || n < 10usize.pow(digits);
        if !fits_digits {
            continue;
        }
        let parts: Vec<String> = ranges
            .iter()
            .enumerate()
            .map(|(k, &(s, e))| {
                numbered(
                    &text[s..e],
                    opts.numbering,
                    &(k + 1).to_string(),
                    &n.to_string(),
                )
            })
            .collect();
        if parts.iter().all(|p| rule.fits(p)) {
            return check_max_parts(parts, opts);
        }
    }
    Err(Error::validation(
        "the text cannot be split into parts that fit the limit",
    ))
}

fn check_max_parts(parts: Vec<String>, opts: &SplitOptions) -> Result<Vec<String>> {
    match opts.max_parts {
        Some(limit) if parts.len() > limit => Err(Error::validation(format!(
            "the text needs {} parts, the limit is {limit} ({} over)",
            parts.len(),
            parts.len() - limit
        ))
        .with_detail(Detail::TooMany {
            what: "thread parts".to_string(),
            count: parts.len(),
            limit,
        })),
        _ => Ok(parts),
    }
}

fn numbered(body: &str, numbering: Numbering, k: &str, n: &str) -> String {
    match numbering {
        Numbering::None => body.to_string(),
        Numbering::Suffix => format!("{body} {k}/{n}"),
        Numbering::Prefix => format!("{k}/{n} {body}"),
    }
}

/// Links, mentions and hashtags of `text`, merged into sorted disjoint spans.
fn merged_spans(text: &str) -> Vec<Span> {
    let mut all: Vec<Span> = links(text);
    all.extend(mentions(text));
    all.extend(hashtags(text));
    all.sort_by_key(|s| s.start);
    let mut merged: Vec<Span> = Vec::with_capacity(all.len());
    for s in all {
        match merged.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    merged
}

/// Break levels, from the most preferred to the last resort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Paragraph,
    Sentence,
    Word,
    WordBound,
    Grapheme,
    GraphemeAnywhere,
}

impl Level {
    fn next(self) -> Option<Level> {
        match self {
            Level::Paragraph => Some(Level::Sentence),
            Level::Sentence => Some(Level::Word),
            Level::Word => Some(Level::WordBound),
            Level::WordBound => Some(Level::Grapheme),
            Level::Grapheme => Some(Level::GraphemeAnywhere),
            Level::GraphemeAnywhere => None,
        }
    }
}

struct Packer<'a> {
    text: &'a str,
    rule: &'a TextRule,
    numbering: Numbering,
    /// Stands for the part numbers while packing (widest numbers of the digit count tried).
    placeholder: &'a str,
    /// Every grapheme boundary of the text, sorted.
    graphemes: &'a [usize],
    protected: &'a [Span],
    /// Finished parts, as trimmed byte ranges.
    parts: Vec<(usize, usize)>,
    /// The part being filled.
    current: Option<(usize, usize)>,
}

impl Packer<'_> {
    /// Whether `text[start..end]`, trimmed and numbered, passes the rule.
    fn fits(&self, start: usize, end: usize) -> bool {
        let body = self.text[start..end].trim();
        body.is_empty()
            || self.rule.fits(&numbered(
                body,
                self.numbering,
                self.placeholder,
                self.placeholder,
            ))
    }

    fn close(&mut self) {
        if let Some((s, e)) = self.current.take() {
            let slice = &self.text[s..e];
            let body = slice.trim();
            if !body.is_empty() {
                let lead = slice.len() - slice.trim_start().len();
                self.parts.push((s + lead, s + lead + body.len()));
            }
        }
    }

    fn pack(&mut self, start: usize, end: usize, level: Level) -> Result<()> {
        let pieces = self.pieces(start, end, level);
        let mut i = 0;
        while i < pieces.len() {
            let (a, b) = pieces[i];
            let part_start = self.current.map_or(a, |c| c.0);
            if self.fits(part_start, b) {
                let j = self.furthest(part_start, &pieces, i);
                self.current = Some((part_start, pieces[j].1));
                i = j + 1;
                continue;
            }
            if self.current.is_some() && self.fits(a, b) {
                self.close();
                continue;
            }
            match level.next() {
                Some(deeper) => self.pack(a, b, deeper)?,
                None => {
                    return Err(Error::validation(
                        "the limit is too small for a single character with its numbering",
                    ));
                }
            }
            i += 1;
        }
        Ok(())
    }

    /// The last piece index `j >= i` such that the part from `part_start` to the end of piece
    /// `j` fits, knowing that piece `i` does (exponential then binary search).
    fn furthest(&self, part_start: usize, pieces: &[(usize, usize)], i: usize) -> usize {
        let mut lo = i;
        let mut step = 1;
        let mut hi = pieces.len();
        while lo + step < pieces.len() {
            if self.fits(part_start, pieces[lo + step].1) {
                lo += step;
                step *= 2;
            } else {
                hi = lo + step;
                break;
            }
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.fits(part_start, pieces[mid].1) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn is_grapheme_boundary(&self, p: usize) -> bool {
        self.graphemes.binary_search(&p).is_ok()
    }

    fn inside_protected(&self, p: usize) -> bool {
        let k = self.protected.partition_point(|s| s.start < p);
        k > 0 && self.protected[k - 1].end > p
    }

    /// `text[start..end]` cut at the boundaries of `level`.
    fn pieces(&self, start: usize, end: usize, level: Level) -> Vec<(usize, usize)> {
        let slice = &self.text[start..end];
        let cuts: Vec<usize> = match level {
            Level::Paragraph => whitespace_run_ends(slice, |run| run.matches('\n').count() >= 2),
            Level::Sentence => slice
                .split_sentence_bound_indices()
                .map(|(k, _)| k)
                .collect(),
            Level::Word => whitespace_run_ends(slice, |_| true),
            Level::WordBound => slice.split_word_bound_indices().map(|(k, _)| k).collect(),
            Level::Grapheme | Level::GraphemeAnywhere => {
                slice.grapheme_indices(true).map(|(k, _)| k).collect()
            }
        };
        let mut out = Vec::new();
        let mut from = start;
        for cut in cuts.into_iter().map(|k| start + k) {
            if cut <= from || cut >= end || !self.is_grapheme_boundary(cut) {
                continue;
            }
            if level != Level::GraphemeAnywhere && self.inside_protected(cut) {
                continue;
            }
            out.push((from, cut));
            from = cut;
        }
        out.push((from, end));
        out
    }
}

/// Offsets (in `slice`) just after each run of whitespace for which `keep(run)` holds.
fn whitespace_run_ends(slice: &str, keep: impl Fn(&str) -> bool) -> Vec<usize> {
    let mut out = Vec::new();
    let mut run_start: Option<usize> = None;
    for (k, c) in slice.char_indices() {
        if c.is_whitespace() {
            run_start.get_or_insert(k);
        } else if let Some(s) = run_start.take() {
            if keep(&slice[s..k]) {
                out.push(k);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::rules;

    fn split(text: &str, rule: &TextRule) -> Vec<String> {
        split_thread(text, rule, &SplitOptions::default()).unwrap_or_default()
    }

    #[test]
    fn prefers_paragraphs_then_sentences() {
        let text = "Para one is short.\n\nPara two has two sentences. This is the second one.";
        let rule = TextRule::new(super::super::Counting::Chars, 40);
        assert_eq!(
            split(text, &rule),
            [
                "Para one is short. 1/3",
                "Para two has two sentences. 2/3",
                "This is the second one. 3/3",
            ]
        );
    }

    #[test]
    fn keeps_urls_whole_and_counts_them_as_23_on_x() {
        let url = format!("https://example.com/{}", "a".repeat(300));
        let text = format!("{} {url} {}", "word ".repeat(60), "tail ".repeat(30));
        let parts = split(&text, &rules::x());
        assert!(parts.iter().any(|p| p.contains(&url)));
        assert!(parts.iter().all(|p| rules::x().fits(p)));
    }

    #[test]
    fn cuts_an_overlong_word_between_graphemes() {
        let text = "é".repeat(25);
        let rule = TextRule::new(super::super::Counting::Graphemes, 10);
        let parts = split(&text, &rule);
        assert_eq!(parts.len(), 5, "6 graphemes and \" k/n\" per part");
        assert!(parts.iter().all(|p| rule.fits(p)));
    }

    #[test]
    fn splits_japanese_without_spaces() {
        let text = "今日は良い天気ですね。明日も晴れるでしょうか。".repeat(20);
        let rule = rules::x();
        let parts = split(&text, &rule);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| rule.fits(p)));
        assert!(
            parts[0].ends_with("。 1/4") || parts[0].ends_with("。 1/5"),
            "{:?}",
            parts[0]
        );
    }

    #[test]
    fn errors() {
        let rule = rules::x();
        assert!(split_thread("  ", &rule, &SplitOptions::default()).is_err());
        let long = "word ".repeat(200);
        let err = split_thread(
            &long,
            &rule,
            &SplitOptions {
                max_parts: Some(2),
                ..Default::default()
            },
        )
        .err()
        .map(|e| e.detail().cloned());
        assert!(matches!(err, Some(Some(Detail::TooMany { limit: 2, .. }))));
        let tiny = TextRule::new(super::super::Counting::Chars, 3);
        assert!(split_thread("abcdef", &tiny, &SplitOptions::default()).is_err());
    }

    #[test]
    fn a_fitting_text_is_returned_as_is() {
        assert_eq!(split(" hi ", &rules::x()), [" hi "]);
    }
}
