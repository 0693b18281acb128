//! Differential test of `socialkit::text` against the reference implementations themselves.
//!
//! `tests/data/text/` holds seeded corpora of multilingual texts (emoji of every Unicode
//! version, URLs of every shape, mentions, hashtags, cashtags, every kind of space) and what the
//! references answered for each text: twitter-text 3.1.0's `parseTweet` (config v3) and
//! `@atproto/api`'s `RichText` (`detectFacetsWithoutResolution`, `graphemeLength`, `length`).
//! `*.meta.json` beside each answers file names the versions that answered. The answers were
//! made by `tools/text-reference/regenerate.sh`; this test needs no Node.
//!
//! Every field of every text must agree. One rule of reading: `validRangeEnd` is an unsigned
//! index in socialkit, so where the reference gives a negative one (an invalid first character
//! in a text that NFC lengthens) socialkit must give 0; the test counts those texts. On failure the test prints the agreement per field
//! and the first differences (`TEXT_DIFF_FIELD=bluesky.facets` shows only that field's);
//! `--nocapture` prints the agreement when it passes too.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use socialkit::text::bluesky::{self, FacetFeature};
use socialkit::text::x::{self, TwitterTextConfig};

/// The corpora: (corpus file, answers file).
const CORPORA: &[(&str, &str)] = &[
    ("corpus.jsonl", "answers.jsonl"),
    ("holdout.jsonl", "holdout-answers.jsonl"),
];

/// How many differences to print.
const SHOWN: usize = 25;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/text")
}

fn read_lines(file: &str) -> Vec<Value> {
    let path = data_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(n, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{file} line {}: not JSON: {e}", n + 1))
        })
        .collect()
}

/// One compared field: its name, how many texts agreed, how many were compared.
#[derive(Default)]
struct Tally {
    agreed: usize,
    total: usize,
}

struct Report {
    fields: Vec<(&'static str, Tally)>,
    texts_agreed: usize,
    texts: usize,
    differences: Vec<String>,
    difference_count: usize,
    /// Texts where the reference's `validRangeEnd` is negative (socialkit: 0).
    negative_valid_range_end: usize,
}

impl Report {
    fn new() -> Self {
        Report {
            fields: Vec::new(),
            texts_agreed: 0,
            texts: 0,
            differences: Vec::new(),
            difference_count: 0,
            negative_valid_range_end: 0,
        }
    }

    fn field(&mut self, name: &'static str) -> &mut Tally {
        if let Some(i) = self.fields.iter().position(|(n, _)| *n == name) {
            return &mut self.fields[i].1;
        }
        self.fields.push((name, Tally::default()));
        &mut self.fields.last_mut().expect("just pushed").1
    }

    /// Compares one field of one text; returns whether it agreed.
    fn compare(&mut self, name: &'static str, want: &Value, got: &Value) -> bool {
        let tally = self.field(name);
        tally.total += 1;
        let same = want == got;
        if same {
            tally.agreed += 1;
        }
        same
    }

    fn summary(&self) -> String {
        let mut s = String::new();
        let pct = |a: usize, t: usize| 100.0 * a as f64 / t.max(1) as f64;
        let _ = writeln!(
            s,
            "texts agreeing on every field: {}/{} ({:.2} %)",
            self.texts_agreed,
            self.texts,
            pct(self.texts_agreed, self.texts)
        );
        if self.negative_valid_range_end > 0 {
            let _ = writeln!(
                s,
                "  (x.validRangeEnd negative in the reference, 0 in socialkit: {} texts)",
                self.negative_valid_range_end
            );
        }
        for (name, t) in &self.fields {
            let _ = writeln!(
                s,
                "  {name:<22} {}/{} ({:.2} %)",
                t.agreed,
                t.total,
                pct(t.agreed, t.total)
            );
        }
        s
    }
}

/// `s`, cut to its first 600 characters.
fn clip(s: &str) -> String {
    match s.char_indices().nth(600) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Two values as text; for two lists (facets), only the items each has and the other has not.
fn only_in_each(want: &Value, got: &Value) -> (String, String) {
    match (want, got) {
        (Value::Array(w), Value::Array(g)) => {
            let only = |a: &[Value], b: &[Value]| {
                let items: Vec<&Value> = a.iter().filter(|x| !b.contains(x)).collect();
                format!("only {}", serde_json::to_string(&items).expect("json"))
            };
            (only(w, g), only(g, w))
        }
        _ => (want.to_string(), got.to_string()),
    }
}

fn facets_of(text: &str) -> Value {
    let facets: Vec<Value> = bluesky::detect_facets(text)
        .into_iter()
        .map(|f| {
            let (kind, value) = match f.feature {
                FacetFeature::Mention { handle } => ("mention", handle),
                FacetFeature::Link { uri } => ("link", uri),
                FacetFeature::Tag { tag } => ("tag", tag),
                other => panic!("facet kind the references do not have: {other:?}"),
            };
            serde_json::json!([f.byte_start, f.byte_end, kind, value])
        })
        .collect();
    Value::Array(facets)
}

fn check_corpus(corpus_file: &str, answers_file: &str, report: &mut Report) {
    let corpus = read_lines(corpus_file);
    let answers = read_lines(answers_file);
    assert_eq!(
        corpus.len(),
        answers.len(),
        "{corpus_file} and {answers_file} differ in length: regenerate the answers"
    );
    let v3 = TwitterTextConfig::v3();
    for (entry, answer) in corpus.iter().zip(&answers) {
        let id = &entry["id"];
        assert_eq!(id, &answer["id"], "{answers_file} is not in corpus order");
        let text = entry["text"].as_str().expect("text is a string");
        let parsed = x::parse(text, &v3);
        let got_x = [
            (
                "x.weightedLength",
                serde_json::json!(parsed.weighted_length),
            ),
            ("x.valid", serde_json::json!(parsed.valid)),
            ("x.validRangeEnd", serde_json::json!(parsed.valid_range_end)),
            (
                "x.displayRangeEnd",
                serde_json::json!(parsed.display_range_end),
            ),
        ];
        let got_bluesky = [
            (
                "bluesky.graphemes",
                serde_json::json!(bluesky::grapheme_length(text)),
            ),
            (
                "bluesky.bytes",
                serde_json::json!(bluesky::byte_length(text)),
            ),
            ("bluesky.facets", facets_of(text)),
        ];
        let mut all = true;
        for (name, got) in got_x.into_iter().chain(got_bluesky) {
            let (group, key) = name.split_once('.').expect("group.key");
            let mut want = answer[group][key].clone();
            if name == "x.validRangeEnd" && want.as_i64().is_some_and(|v| v < 0) {
                report.negative_valid_range_end += 1;
                want = serde_json::json!(0);
            }
            let want = &want;
            if !report.compare(name, want, &got) {
                all = false;
                report.difference_count += 1;
                let shown = std::env::var("TEXT_DIFF_FIELD").map_or(true, |f| f == name);
                if shown && report.differences.len() < SHOWN {
                    let (want, got) = only_in_each(want, &got);
                    report.differences.push(format!(
                        "{corpus_file} id {id} {name}: reference {}, socialkit {}\n    text: {}",
                        clip(&want),
                        clip(&got),
                        clip(&serde_json::to_string(text).expect("string"))
                    ));
                }
            }
        }
        report.texts += 1;
        if all {
            report.texts_agreed += 1;
        }
    }
}

#[test]
fn text_rules_agree_with_the_references_on_every_text() {
    let mut summaries = String::new();
    let mut differences = Vec::new();
    let mut difference_count = 0;
    let mut texts = 0;
    for (corpus, answers) in CORPORA {
        let mut report = Report::new();
        check_corpus(corpus, answers, &mut report);
        let _ = write!(summaries, "{corpus}: {}", report.summary());
        texts += report.texts;
        difference_count += report.difference_count;
        differences.extend(report.differences);
    }
    assert!(texts >= 5_000, "the corpora hold {texts} texts");
    println!("{summaries}");
    assert!(
        difference_count == 0,
        "socialkit differs from the references in {difference_count} fields:\n{summaries}\nfirst differences:\n{}",
        differences
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The properties the fuzz targets check (`fuzz/src/properties.rs`) hold for the references'
/// own answers, so the fuzz targets ask nothing of socialkit that the references do not do.
#[path = "../fuzz/src/properties.rs"]
mod properties;

#[test]
fn the_fuzz_properties_hold_for_the_references_own_answers() {
    let (mut bounded, mut with_facets, mut overlapping) = (0, 0, 0);
    for (corpus_file, answers_file) in CORPORA {
        for (entry, answer) in read_lines(corpus_file).iter().zip(read_lines(answers_file)) {
            let text = entry["text"].as_str().expect("text is a string");
            if x::extract_urls(text).is_empty() {
                let weighted = answer["x"]["weightedLength"]
                    .as_u64()
                    .expect("weightedLength");
                let (lower, upper) = properties::x_weight_bounds(text);
                assert!(
                    (lower as u64..=upper as u64).contains(&weighted),
                    "twitter-text weighs {weighted}, outside {lower}..={upper}: {text:?}"
                );
                bounded += 1;
            }
            let mut ranges: Vec<(usize, usize)> = answer["bluesky"]["facets"]
                .as_array()
                .expect("facets")
                .iter()
                .map(|f| {
                    let at = |k: usize| f[k].as_u64().expect("byte offset") as usize;
                    (at(0), at(1))
                })
                .collect();
            ranges.sort_unstable();
            if let Err(e) = properties::check_facets(text, &ranges) {
                panic!("the reference's facets break the fuzz property: {e}: {text:?}");
            }
            with_facets += usize::from(!ranges.is_empty());
            overlapping += usize::from(ranges.windows(2).any(|w| w[1].0 < w[0].1));
        }
    }
    // Both properties were tried on many texts, and the overlap rule on real overlaps.
    assert!(
        bounded > 1_000 && with_facets > 1_000,
        "{bounded} {with_facets}"
    );
    assert!(
        overlapping > 0,
        "no text of the corpora has overlapping facets"
    );
}
