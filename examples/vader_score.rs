//! Scores socialkit's English sentiment on VADER's 4,200 rated tweets (`tests/data/vader/`) and
//! prints the table beside the reference implementation and the paper; with `speed`, measures
//! texts per second of socialkit and of the reference `vaderSentiment` side by side, in one run,
//! on the 24,000 texts of the differential corpus.
//!
//! ```sh
//! cargo run --release --example vader_score
//! VADER_PYTHON=/tmp/vader-venv/bin/python cargo run --release --example vader_score -- speed [rounds]
//! valgrind --tool=callgrind target/release/examples/vader_score passes 5
//! ```
//!
//! `passes N` scores the corpus N times and nothing else: a fixed amount of work whose
//! instruction count (callgrind) compares two versions of the scorer under any load.
//!
//! `VADER_PYTHON` is a Python with the pinned reference installed (see
//! `tools/vader-reference/README.md`).
//!
//! # How `speed` is fair to both sides
//!
//! The two sides take turns: a round of the reference (one pass over the corpus, in a Python
//! process that stays up between rounds) and then a round of socialkit that lasts as long
//! (whole passes over the same corpus until the reference's time is used up). Each pair of
//! rounds gives one ratio of texts per second; the median over the rounds (5 unless given) is
//! the result. Both sides so see the machine's load over the same stretches of time, and
//! neither is the best of shorter rounds than the other's.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use socialkit::listen::sentiment::{Analyzer, Language};

#[path = "../tests/listen_support/vader.rs"]
mod eval;

/// The reference in a Python process that scores the corpus once per request.
struct Reference {
    child: Child,
    out: BufReader<std::process::ChildStdout>,
}

impl Reference {
    fn start(
        python: &str,
        script: &std::path::Path,
        corpus: &std::path::Path,
    ) -> Result<Self, String> {
        let mut child = Command::new(python)
            .arg(script)
            .arg("--serve")
            .arg(corpus)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{python}: {e}"))?;
        let out = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut r = Reference { child, out };
        match r.line()?.as_str() {
            "ready" => Ok(r),
            other => Err(format!("{python}: expected `ready`, got {other:?}")),
        }
    }

    fn line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        match self.out.read_line(&mut line) {
            Ok(0) => Err("the reference exited (see its error above)".into()),
            Ok(_) => Ok(line.trim().to_string()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Seconds of one pass over the corpus.
    fn round(&mut self) -> Result<f64, String> {
        let stdin = self.child.stdin.as_mut().ok_or("no stdin")?;
        writeln!(stdin, "round").map_err(|e| e.to_string())?;
        stdin.flush().map_err(|e| e.to_string())?;
        let line = self.line()?;
        line.parse()
            .map_err(|_| format!("the reference printed {line:?}, not seconds"))
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        // Closing stdin ends the script's loop.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Scores whole passes over `texts` until at least `seconds` have passed (at least one pass);
/// returns texts per second.
fn ours(en: &Analyzer, texts: &[String], seconds: f64, sink: &mut f64) -> f64 {
    let start = Instant::now();
    let mut scored = 0usize;
    loop {
        for t in texts {
            *sink += en.polarity_scores(std::hint::black_box(t)).compound;
        }
        scored += texts.len();
        let elapsed = start.elapsed().as_secs_f64();
        if elapsed >= seconds {
            return scored as f64 / elapsed;
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The texts of the differential corpus.
fn corpus_texts(corpus: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(corpus)
        .expect("tests/data/vader/differential.jsonl")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["text"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

fn corpus_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vader/differential.jsonl")
}

/// Scores the corpus `passes` times: fixed work for an instruction count.
fn passes(passes: usize) {
    let texts = corpus_texts(&corpus_path());
    let en = Analyzer::new(Language::English);
    let mut sink = 0.0;
    for _ in 0..passes {
        for t in &texts {
            sink += en.polarity_scores(std::hint::black_box(t)).compound;
        }
    }
    println!(
        "{} texts x {passes} passes (checksum {sink:.4})",
        texts.len()
    );
}

fn speed(rounds: usize) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = corpus_path();
    let texts = corpus_texts(&corpus);
    let en = Analyzer::new(Language::English);
    let mut sink = 0.0;
    // Warm up: the tables and the scratch buffers.
    ours(&en, &texts, 0.0, &mut sink);
    let python = std::env::var("VADER_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = root.join("tools/vader-reference/speed.py");
    let mut reference = match Reference::start(&python, &script, &corpus) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("the reference did not run: {e}");
            let alone = ours(&en, &texts, 3.0, &mut sink);
            println!("socialkit alone: {alone:.0} texts/s over 3 s (checksum {sink:.4})");
            std::process::exit(1);
        }
    };
    println!(
        "{} texts; {rounds} rounds, each one pass of the reference then socialkit for as long",
        texts.len()
    );
    let (mut ratios, mut ourses, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=rounds {
        let seconds = match reference.round() {
            Ok(s) if s > 0.0 => s,
            Ok(s) => {
                eprintln!("the reference reported {s} s");
                std::process::exit(1);
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        let reference_rate = texts.len() as f64 / seconds;
        let our_rate = ours(&en, &texts, seconds, &mut sink);
        let ratio = our_rate / reference_rate;
        println!(
            "round {round}: {seconds:.2} s each; socialkit {our_rate:>9.0} texts/s, \
             vaderSentiment 3.3.2 {reference_rate:>7.0} texts/s, ratio {ratio:.1}x"
        );
        ratios.push(ratio);
        ourses.push(our_rate);
        theirs.push(reference_rate);
    }
    println!("median (checksum {sink:.4})");
    println!("socialkit           {:>12.0} texts/s", median(ourses));
    println!("vaderSentiment 3.3.2 {:>11.0} texts/s", median(theirs));
    println!("ratio               {:>12.1}x", median(ratios));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(k) = args.iter().position(|a| a == "speed") {
        let rounds = args
            .get(k + 1)
            .and_then(|r| r.parse().ok())
            .filter(|r| *r > 0)
            .unwrap_or(5);
        return speed(rounds);
    }
    if let Some(k) = args.iter().position(|a| a == "passes") {
        let n = args.get(k + 1).and_then(|r| r.parse().ok()).unwrap_or(5);
        return passes(n);
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
