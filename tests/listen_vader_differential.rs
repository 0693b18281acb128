//! Differential test against the reference `vaderSentiment` (the version pinned in
//! `tools/vader-reference/requirements.txt`): 24,000 generated texts built to hit VADER's rules
//! (negations, "but", boosters and "kind of", caps, `!` and `?` runs, emoticons, emoji with
//! modifiers and joiners, idioms, "least", punctuation around words, Unicode and odd
//! whitespace), with the reference's scores committed in `tests/data/vader/differential.jsonl`
//! (`tools/vader-reference/generate.py` rebuilds it). Every compound score agrees within 1e-4.

use serde::Deserialize;
use socialkit::listen::sentiment::{Analyzer, Language};

#[derive(Deserialize)]
struct Case {
    id: u32,
    text: String,
    neg: f64,
    neu: f64,
    pos: f64,
    compound: f64,
}

fn corpus() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vader/differential.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("tests/data/vader/differential.jsonl");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn every_text_agrees_with_the_reference() {
    let cases = corpus();
    assert!(cases.len() >= 20_000, "{} texts", cases.len());
    let en = Analyzer::new(Language::English);
    let mut worst: Vec<(f64, u32, String, f64, f64)> = Vec::new();
    let mut shares_off = 0;
    for c in &cases {
        let s = en.polarity_scores(&c.text);
        let d = (s.compound - c.compound).abs();
        if d > 1e-4 {
            worst.push((d, c.id, c.text.clone(), s.compound, c.compound));
        }
        if (s.neg - c.neg).abs() > 1e-3
            || (s.neu - c.neu).abs() > 1e-3
            || (s.pos - c.pos).abs() > 1e-3
        {
            shares_off += 1;
        }
    }
    // The shortest disagreeing texts show the rule at fault most plainly.
    worst.sort_by_key(|w| w.2.chars().count());
    for (d, id, text, ours, theirs) in worst.iter().take(40) {
        println!("#{id} Δ{d:.4} ours {ours} reference {theirs}: {text:?}");
    }
    assert!(
        worst.is_empty(),
        "{} of {} texts differ by more than 1e-4",
        worst.len(),
        cases.len()
    );
    assert_eq!(
        shares_off, 0,
        "texts whose neg/neu/pos differ by more than 1e-3"
    );
}
