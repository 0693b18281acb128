//! Scores socialkit's English sentiment on VADER's 4,200 rated tweets (`tests/data/vader/`) and
//! prints the table beside the reference implementation and the paper; with `speed`, measures
//! texts per second of socialkit and of the reference `vaderSentiment` side by side, in one run,
//! on the 24,000 texts of the differential corpus.
//!
//! ```sh
//! cargo run --release --example vader_score
//! VADER_PYTHON=/tmp/vader-venv/bin/python cargo run --release --example vader_score -- speed
//! ```
//!
//! `VADER_PYTHON` is a Python with the pinned reference installed (see
//! `tools/vader-reference/README.md`).

use std::time::Instant;

use socialkit::listen::sentiment::{Analyzer, Language};

#[path = "../tests/listen_support/vader.rs"]
mod eval;

fn speed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("tests/data/vader/differential.jsonl");
    let texts: Vec<String> = std::fs::read_to_string(&corpus)
        .expect("tests/data/vader/differential.jsonl")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["text"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    let en = Analyzer::new(Language::English);
    let rounds = 5;
    let mut best = f64::INFINITY;
    let mut sink = 0.0;
    for _ in 0..rounds {
        let start = Instant::now();
        for t in &texts {
            sink += en.polarity_scores(t).compound;
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let ours = texts.len() as f64 / best;
    let python = std::env::var("VADER_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(&python)
        .arg(root.join("tools/vader-reference/speed.py"))
        .arg(&corpus)
        .arg("3")
        .output();
    println!(
        "{} texts, best of {rounds} rounds (checksum {sink:.4})",
        texts.len()
    );
    println!("socialkit           {ours:>12.0} texts/s");
    match out {
        Ok(o) if o.status.success() => {
            let theirs: f64 = String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse()
                .unwrap_or(0.0);
            println!("vaderSentiment 3.3.2 {theirs:>11.0} texts/s");
            println!("ratio               {:>12.1}x", ours / theirs);
        }
        Ok(o) => eprintln!(
            "the reference did not run ({python}): {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => eprintln!("the reference did not run ({python}): {e}"),
    }
}

fn main() {
    if std::env::args().any(|a| a == "speed") {
        return speed();
    }
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(eval::vader_data_dir);
    match eval::vader_tweets(&dir) {
        Ok(report) => print!("{report}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
