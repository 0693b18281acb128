//! One pass of a hot text path over one text set, for counting instructions with valgrind
//! (`tools/text-reference/instructions.sh`), and a throughput loop for the interleaved wall
//! clock comparison with the references (`tools/text-reference/speed.sh`).
//!
//! Instruction counts do not move with the machine's load, unlike wall time: on a shared
//! machine they are the stable measure of a change; the wall ratio to the references is what
//! issue 13 asks for.
//!
//! ```text
//! text_instructions pass <case> <set> [passes]   # run the case (for callgrind)
//! text_instructions speed <case> <set> <millis>  # MB/s over at least <millis> ms, as JSON
//! ```
//!
//! `<case>`: `x_weighted_length` or `bluesky_facets_graphemes` (what `benches/text.rs` and
//! `speed.mjs` measure); `<set>`: `corpus` (the differential corpus) or `posts` (200
//! realistic posts from `tests/data/text/posts.jsonl`). Run by `cargo bench` without
//! arguments, it makes one pass of every case as a smoke test.

use std::hint::black_box;
use std::time::{Duration, Instant};

use socialkit::text::{bluesky, x};

fn read_texts(file: &str) -> Vec<String> {
    let path = format!("{}/tests/data/text/{file}", env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    data.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["text"].as_str().expect("text").to_string()
        })
        .collect()
}

/// The text sets of `speed.mjs`: the corpus, and 200 posts cycling through `posts.jsonl`.
fn set(name: &str) -> Vec<String> {
    match name {
        "corpus" => read_texts("corpus.jsonl"),
        "posts" => {
            let posts = read_texts("posts.jsonl");
            (0..200).map(|k| posts[k % posts.len()].clone()).collect()
        }
        other => panic!("unknown set {other} (corpus, posts)"),
    }
}

fn case(name: &str) -> fn(&str) -> usize {
    match name {
        "x_weighted_length" => x::weighted_length,
        "bluesky_facets_graphemes" => {
            |t| bluesky::detect_facets(t).len() + bluesky::grapheme_length(t)
        }
        other => panic!("unknown case {other} (x_weighted_length, bluesky_facets_graphemes)"),
    }
}

/// The measured code: `instructions.sh` counts only what runs inside this function
/// (`callgrind --toggle-collect`), not reading the corpus.
#[inline(never)]
fn measured_pass(f: fn(&str) -> usize, texts: &[String]) -> usize {
    texts.iter().map(|t| f(black_box(t))).sum()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["pass", c, s, rest @ ..] => {
            let passes: usize = rest.first().map_or(1, |p| p.parse().expect("passes"));
            let (f, texts) = (case(c), set(s));
            // Once-per-process set-up (tables built on first use) is not part of a pass.
            let mut sink: usize = texts.iter().map(|t| f(t)).sum();
            for _ in 0..passes {
                sink += measured_pass(f, &texts);
            }
            println!("{sink}");
        }
        ["speed", c, s, millis] => {
            let (f, texts) = (case(c), set(s));
            let bytes: usize = texts.iter().map(String::len).sum();
            let budget = Duration::from_millis(millis.parse().expect("millis"));
            // Warm-up: caches and branch predictors, as the reference gets its JIT warm-up.
            let mut sink = measured_pass(f, &texts);
            let start = Instant::now();
            let mut rounds = 0u64;
            while start.elapsed() < budget {
                sink += measured_pass(f, &texts);
                rounds += 1;
            }
            let mb_per_second =
                (bytes as f64 * rounds as f64) / start.elapsed().as_secs_f64() / 1e6;
            println!("{{\"mbPerSecond\":{mb_per_second:.3},\"sink\":{sink}}}");
        }
        // `cargo bench` (passes `--bench`): one pass of everything, as a smoke test.
        _ => {
            for s in ["corpus", "posts"] {
                let texts = set(s);
                for c in ["x_weighted_length", "bluesky_facets_graphemes"] {
                    black_box(measured_pass(case(c), &texts));
                }
            }
        }
    }
}
