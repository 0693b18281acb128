//! The German lexicon measured on rated German sentences (issue 16).
//!
//! # Why a set of our own
//!
//! No rated German sentiment data set was found whose licence lets this repository ship it
//! (searched December 2026): SB10k (Cieliebak et al. 2017; 9,738 tweets) is published as tweet
//! ids with labels only, so its texts cannot be shipped or read without X's API, and the
//! CC BY 4.0 on its page is stated for its embeddings; GermEval 2017 is CC BY-NC 4.0; One
//! Million Posts is CC BY-NC-SA 4.0; PotTS is tweet ids; the election tweets of Schmidt et al.
//! (KONVENS 2022) state no licence; SentiWS is a lexicon and CC BY-NC-SA. So the set here,
//! `tests/data/sentiment/german_rated.tsv`, was built for socialkit by a documented procedure.
//!
//! # Procedure
//!
//! 1. 100 short German social-media sentences were written for the purpose (customer service,
//!    shopping, food, apps, events), about a third each positive, negative and neutral, with
//!    negations ("nicht schlecht"), degree words, "aber", "ohne Zweifel", irony ("na toll"),
//!    colloquial words and emoji.
//! 2. Each got one rating on VADER's −4…+4 scale, written down before the analyzer scored any
//!    of them. The rating is the sentence's overall sentiment as a reader would take it.
//! 3. Split by position: the even rated lines are the development split (the only lines any
//!    change to the lexicon may look at), the odd ones the test split (reported, never tuned on).
//!
//! Measured as for VADER's tweets (`tests/listen_support/vader.rs`): Pearson r between
//! `compound` and the rating; 3-class accuracy with the predicted class from `compound`
//! (≥ 0.05 / ≤ −0.05) and the gold class from the rating (≥ 1 positive, ≤ −1 negative).
//!
//! # Limits
//!
//! One rater, who also wrote the sentences, and who knows how lexicon methods work: the
//! sentences are cleaner and more explicit than real posts, so the numbers flatter the lexicon
//! and are a regression check, not an estimate of accuracy on real German posts. 50 test
//! sentences give a wide confidence interval (±0.14 on accuracy at 95 %).

#[path = "listen_support/vader.rs"]
mod vader;

use socialkit::listen::sentiment::{Analyzer, Language, Polarity};

/// (rating, text) of every rated line, in file order.
fn rated() -> Vec<(f64, String)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sentiment/german_rated.tsv"
    );
    let data = std::fs::read_to_string(path).expect("tests/data/sentiment/german_rated.tsv");
    data.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (rating, text) = l.split_once('\t').expect("rating<TAB>text");
            (rating.parse().expect("a numeric rating"), text.to_string())
        })
        .collect()
}

fn gold(rating: f64) -> Polarity {
    if rating >= 1.0 {
        Polarity::Positive
    } else if rating <= -1.0 {
        Polarity::Negative
    } else {
        Polarity::Neutral
    }
}

/// (Pearson r, 3-class accuracy) of the German analyzer on one split.
fn measure(split: &[(f64, String)]) -> (f64, f64) {
    let de = Analyzer::new(Language::German);
    let compound: Vec<f64> = split
        .iter()
        .map(|(_, t)| de.polarity_scores(t).compound)
        .collect();
    let ratings: Vec<f64> = split.iter().map(|(r, _)| *r).collect();
    let r = vader::pearson(&ratings, &compound).expect("ratings vary");
    let right = split
        .iter()
        .zip(&compound)
        .filter(|((rating, _), c)| gold(*rating) == Polarity::of(**c))
        .count();
    (r, right as f64 / split.len() as f64)
}

#[test]
fn german_lexicon_on_rated_german_sentences() {
    let all = rated();
    assert_eq!(all.len(), 100, "the rated set has 100 lines");
    let (dev, test): (Vec<_>, Vec<_>) = all.into_iter().enumerate().partition(|(k, _)| k % 2 == 0);
    let dev: Vec<_> = dev.into_iter().map(|(_, x)| x).collect();
    let test: Vec<_> = test.into_iter().map(|(_, x)| x).collect();
    let (dev_r, dev_acc) = measure(&dev);
    let (test_r, test_acc) = measure(&test);
    println!(
        "German rated set: dev r = {dev_r:.3}, accuracy {dev_acc:.3}; test r = {test_r:.3}, accuracy {test_acc:.3}"
    );
    // Pinned a little below what the test split gave (see below);
    // a change that loses more than that on the held-out split fails here.
    assert!(
        test_r >= TEST_R_FLOOR,
        "test r {test_r:.3} < {TEST_R_FLOOR}"
    );
    assert!(
        test_acc >= TEST_ACCURACY_FLOOR,
        "test accuracy {test_acc:.3} < {TEST_ACCURACY_FLOOR}"
    );
}

/// Measured when the set was made (2026-12-07, lexicon unchanged by it): dev r = 0.864,
/// accuracy 0.84; test r = 0.797, accuracy 0.82.
const TEST_R_FLOOR: f64 = 0.75;
const TEST_ACCURACY_FLOOR: f64 = 0.76;
