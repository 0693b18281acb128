//! Scoring sentiment against VADER's rated tweets (`tests/data/vader/`): Pearson r with the
//! human mean ratings, 3-class accuracy, and item-by-item agreement with the reference
//! implementation's own scores. Dev-only: shared by `tests/listen_vader.rs` and
//! `examples/vader_score.rs` through `#[path]`.
//!
//! The protocol is the one in `tests/data/vader/README.md`: predicted class from `compound`
//! (positive `>= 0.05`, negative `<= -0.05`), gold class from the mean rating (positive
//! `>= 0.5`, negative `<= -0.5`).
#![allow(dead_code)]

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use socialkit::listen::sentiment::{Analyzer, Language, Polarity};

/// Errors of loading and parsing: a message naming the file or line.
pub type Result<T> = std::result::Result<T, String>;

/// The VADER data committed with the tests (`tests/data/vader/`, MIT, see its README).
pub fn vader_data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vader")
}

/// One rated text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rated {
    /// The item's id.
    pub id: u32,
    /// The mean human rating, −4…+4.
    pub rating: f64,
    /// The text.
    pub text: String,
}

/// The reference implementation's score of one item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReferenceScore {
    /// The item's id.
    pub id: u32,
    /// The mean human rating.
    pub rating: f64,
    /// The reference's compound score (4 decimals).
    pub compound: f64,
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Parses `tweets_GroundTruth.txt`: `id TAB rating TAB text`, CRLF or LF line endings.
pub fn parse_ground_truth(text: &str) -> Result<Vec<Rated>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, '\t');
        let (Some(id), Some(rating), Some(text)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "ground truth line {}: expected 3 tab-separated fields",
                n + 1
            ));
        };
        let bad = |what: &str| format!("ground truth line {}: bad {what}", n + 1);
        out.push(Rated {
            id: id.trim().parse().map_err(|_| bad("id"))?,
            rating: rating.trim().parse().map_err(|_| bad("rating"))?,
            text: text.to_string(),
        });
    }
    Ok(out)
}

/// Parses the reference scores TSV (`id mean_rating compound neg neu pos`, with a header).
pub fn parse_reference(text: &str) -> Result<Vec<ReferenceScore>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let bad = || format!("reference line {}: malformed", n + 1);
        if f.len() < 3 {
            return Err(bad());
        }
        out.push(ReferenceScore {
            id: f[0].parse().map_err(|_| bad())?,
            rating: f[1].parse().map_err(|_| bad())?,
            compound: f[2].parse().map_err(|_| bad())?,
        });
    }
    Ok(out)
}

/// Pearson's correlation of two equally long samples; `None` when undefined.
pub fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() != ys.len() || xs.len() < 2 {
        return None;
    }
    let n = xs.len() as f64;
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    let d = (sxx * syy).sqrt();
    (d > 0.0 && d.is_finite()).then(|| sxy / d)
}

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ClassScores {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Gold items of the class.
    pub support: usize,
}

/// 3-class results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreeClass {
    /// Share of items whose predicted class is the gold class.
    pub accuracy: f64,
    /// Negative, neutral, positive.
    pub classes: [ClassScores; 3],
    /// Unweighted mean F1 over the three classes.
    pub macro_f1: f64,
    /// `confusion[gold][predicted]`, classes in the order negative, neutral, positive.
    pub confusion: [[usize; 3]; 3],
}

fn class_index(p: Polarity) -> usize {
    match p {
        Polarity::Negative => 0,
        Polarity::Neutral => 1,
        Polarity::Positive => 2,
    }
}

/// The gold class of a mean rating by the ±0.5 convention.
pub fn gold_class(rating: f64) -> Polarity {
    if rating >= 0.5 {
        Polarity::Positive
    } else if rating <= -0.5 {
        Polarity::Negative
    } else {
        Polarity::Neutral
    }
}

/// 3-class scores of `(compound, rating)` pairs.
pub fn three_class(pairs: &[(f64, f64)]) -> ThreeClass {
    let mut confusion = [[0usize; 3]; 3];
    for &(compound, rating) in pairs {
        confusion[class_index(gold_class(rating))][class_index(Polarity::of(compound))] += 1;
    }
    let total: usize = pairs.len();
    let correct: usize = (0..3).map(|k| confusion[k][k]).sum();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut classes = [ClassScores::default(); 3];
    for (k, c) in classes.iter_mut().enumerate() {
        let tp = confusion[k][k];
        let predicted: usize = (0..3).map(|g| confusion[g][k]).sum();
        let gold: usize = confusion[k].iter().sum();
        c.precision = ratio(tp, predicted);
        c.recall = ratio(tp, gold);
        c.f1 = if c.precision + c.recall > 0.0 {
            2.0 * c.precision * c.recall / (c.precision + c.recall)
        } else {
            0.0
        };
        c.support = gold;
    }
    ThreeClass {
        accuracy: ratio(correct, total),
        macro_f1: classes.iter().map(|c| c.f1).sum::<f64>() / 3.0,
        classes,
        confusion,
    }
}

/// Pearson r and 3-class results of one scorer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Items scored.
    pub n: usize,
    /// Pearson r of compound against the mean rating.
    pub pearson_r: f64,
    /// 3-class results.
    pub three_class: ThreeClass,
}

/// Evaluates `(compound, rating)` pairs.
pub fn evaluate(pairs: &[(f64, f64)]) -> Evaluation {
    let xs: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    Evaluation {
        n: pairs.len(),
        pearson_r: pearson(&xs, &ys).unwrap_or(0.0),
        three_class: three_class(pairs),
    }
}

/// Item-by-item agreement of two scorers' compound scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// Items compared.
    pub n: usize,
    /// Largest absolute difference.
    pub max_abs_diff: f64,
    /// Mean absolute difference.
    pub mean_abs_diff: f64,
    /// Items that differ by more than 0.01.
    pub over_0_01: usize,
    /// Items whose 3-class prediction differs.
    pub class_differs: usize,
}

/// Compares `(ours, theirs)` compound pairs.
pub fn agreement(pairs: &[(f64, f64)]) -> Agreement {
    let mut a = Agreement {
        n: pairs.len(),
        max_abs_diff: 0.0,
        mean_abs_diff: 0.0,
        over_0_01: 0,
        class_differs: 0,
    };
    for &(x, y) in pairs {
        let d = (x - y).abs();
        a.max_abs_diff = a.max_abs_diff.max(d);
        a.mean_abs_diff += d;
        if d > 0.01 {
            a.over_0_01 += 1;
        }
        if Polarity::of(x) != Polarity::of(y) {
            a.class_differs += 1;
        }
    }
    if a.n > 0 {
        a.mean_abs_diff /= a.n as f64;
    }
    a
}

/// The whole VADER tweet evaluation: ours, the reference's, and how far apart they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaderReport {
    /// socialkit's English analyzer.
    pub ours: Evaluation,
    /// The reference implementation (from its scores TSV).
    pub reference: Evaluation,
    /// Compound agreement, item by item.
    pub agreement: Agreement,
    /// The ids of the items that differ by more than 0.01 (at most 20).
    pub differing_ids: Vec<u32>,
}

/// Scores socialkit's English analyzer on `tweets_GroundTruth.txt` in `dir` and compares it
/// with the reference scores in `dir/reference/vaderSentiment_scores_tweets.tsv`.
///
/// Fails with a message naming the path when the data is absent.
pub fn vader_tweets(dir: &Path) -> Result<VaderReport> {
    let items = parse_ground_truth(&read(&dir.join("tweets_GroundTruth.txt"))?)?;
    let reference = parse_reference(&read(
        &dir.join("reference/vaderSentiment_scores_tweets.tsv"),
    )?)?;
    let analyzer = Analyzer::new(Language::English);
    let ours: Vec<(f64, f64)> = items
        .iter()
        .map(|it| (analyzer.polarity_scores(&it.text).compound, it.rating))
        .collect();
    let by_id: std::collections::HashMap<u32, f64> =
        reference.iter().map(|r| (r.id, r.compound)).collect();
    let mut pairs = Vec::new();
    let mut differing_ids = Vec::new();
    for (it, (c, _)) in items.iter().zip(&ours) {
        if let Some(&rc) = by_id.get(&it.id) {
            pairs.push((*c, rc));
            if (c - rc).abs() > 0.01 && differing_ids.len() < 20 {
                differing_ids.push(it.id);
            }
        }
    }
    let reference_pairs: Vec<(f64, f64)> =
        reference.iter().map(|r| (r.compound, r.rating)).collect();
    Ok(VaderReport {
        ours: evaluate(&ours),
        reference: evaluate(&reference_pairs),
        agreement: agreement(&pairs),
        differing_ids,
    })
}

/// The paper's figure for VADER on these tweets (Hutto & Gilbert 2014, Table 4): r = 0.881.
pub const PAPER_PEARSON_R: f64 = 0.881;
/// The paper's overall 3-class F1 for VADER on these tweets (its class mapping is unstated).
pub const PAPER_F1: f64 = 0.96;

impl fmt::Display for VaderReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "VADER tweets ({} items; gold ±0.5, compound ±0.05)",
            self.ours.n
        )?;
        writeln!(
            f,
            "{:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "scorer", "pearson r", "accuracy", "macro F1", "F1 neg", "F1 neu", "F1 pos"
        )?;
        for (name, e) in [
            ("socialkit (English)", &self.ours),
            ("reference vaderSentiment", &self.reference),
        ] {
            let c = &e.three_class.classes;
            writeln!(
                f,
                "{:<28} {:>9.4} {:>9.4} {:>9.4} {:>9.3} {:>9.3} {:>9.3}",
                name,
                e.pearson_r,
                e.three_class.accuracy,
                e.three_class.macro_f1,
                c[0].f1,
                c[1].f1,
                c[2].f1
            )?;
        }
        writeln!(
            f,
            "{:<28} {:>9.3} {:>9} {:>9} (overall F1 {:.2}, class mapping unstated)",
            "paper (ICWSM 2014)", PAPER_PEARSON_R, "-", "-", PAPER_F1
        )?;
        let a = &self.agreement;
        writeln!(
            f,
            "agreement with the reference: max |Δcompound| {:.4}, mean {:.6}, {} of {} differ by > 0.01, {} differ in class",
            a.max_abs_diff, a.mean_abs_diff, a.over_0_01, a.n, a.class_differs
        )?;
        if !self.differing_ids.is_empty() {
            writeln!(f, "differing ids: {:?}", self.differing_ids)?;
        }
        Ok(())
    }
}
