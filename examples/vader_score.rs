//! Scores socialkit's English sentiment on VADER's 4,200 rated tweets (`tests/data/vader/`) and prints the table
//! beside the reference implementation and the paper.
//!
//! ```sh
//! cargo run --release --example vader_score
//! ```

#[path = "../tests/listen_support/vader.rs"]
mod eval;

fn main() {
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
