//! Scoring anomaly detectors the way the Numenta Anomaly Benchmark (NAB) does, as described
//! in `shared/data/nab/README.md` (NAB's `sweeper.py`/`scorer.py`/`runner.py` at `ea702d7`).
//!
//! Per file of `N` rows: the first `min(floor(0.15·N), 750)` rows are probationary and not
//! scored. Each labelled anomaly window earns the weight of its earliest detection,
//! `A_TP·σ(y)/σ(−1)` with `y = −(b−i+1)/w` (so earlier is better), or costs `A_FN` when it has
//! none. Each detection outside every window costs `A_FP` before the first window, and
//! `A_FP·σ((i−b)/(w−1))` after the window `[a, b]` that precedes it. `σ(y) = 2/(1+e^{5y}) − 1`
//! (and −1 for `y > 3`). Scores are normalised so the null detector scores 0 and the perfect
//! one 100.
//!
//! ```
//! use socialkit::listen::nab::{Profile, normalized, score_file};
//! // 2,000 rows, one window at rows 1,000..=1,199, one detection at its first row.
//! let mut detections = vec![false; 2000];
//! detections[1000] = true;
//! let s = score_file(&detections, &[(1000, 1199)], Profile::STANDARD);
//! assert!((s.score - 1.0).abs() < 1e-12);
//! assert_eq!(normalized(s.score, 1, Profile::STANDARD), 100.0);
//! ```

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// Weights of true positives, false negatives and false positives.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Reward of a detected window (`A_TP`).
    pub tp: f64,
    /// Cost of a missed window (`A_FN`).
    #[serde(rename = "fn")]
    pub fn_: f64,
    /// Cost of a false positive (`A_FP`).
    pub fp: f64,
}

impl Profile {
    /// NAB's standard profile.
    pub const STANDARD: Profile = Profile {
        tp: 1.0,
        fn_: 1.0,
        fp: 0.11,
    };
    /// NAB's "reward low false-positive rate" profile.
    pub const REWARD_LOW_FP: Profile = Profile {
        tp: 1.0,
        fn_: 1.0,
        fp: 0.22,
    };
    /// NAB's "reward low false-negative rate" profile.
    pub const REWARD_LOW_FN: Profile = Profile {
        tp: 1.0,
        fn_: 2.0,
        fp: 0.11,
    };
}

/// The score of one file and NAB's row counts (rows after the probationary period).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct FileScore {
    /// Raw score: −`A_FN`·windows (null) … `A_TP`·windows (perfect).
    pub score: f64,
    /// Detections inside windows.
    pub tp: usize,
    /// Non-detections outside windows.
    pub tn: usize,
    /// Detections outside windows.
    pub fp: usize,
    /// Non-detections inside windows.
    pub fn_: usize,
}

/// Rows not scored at the start of a file of `n` rows: `min(floor(0.15·n), 750)`.
///
/// ```
/// assert_eq!(socialkit::listen::nab::probationary_rows(15_902), 750);
/// assert_eq!(socialkit::listen::nab::probationary_rows(1_000), 150);
/// ```
pub fn probationary_rows(n: usize) -> usize {
    (n * 15 / 100).min(750)
}

/// NAB's scaled sigmoid: `2/(1+e^{5y}) − 1`, and −1 for `y > 3`.
///
/// ```
/// let s = socialkit::listen::nab::scaled_sigmoid(-1.0);
/// assert!((s - 0.9866142981514305).abs() < 1e-15);
/// ```
pub fn scaled_sigmoid(y: f64) -> f64 {
    if y > 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * y).exp()) - 1.0
    }
}

/// Scores one file: `detections[i]` says whether row `i` is a detection; `windows` are
/// inclusive row ranges `[a, b]` in time order.
pub fn score_file(detections: &[bool], windows: &[(usize, usize)], p: Profile) -> FileScore {
    let n = detections.len();
    let probation = probationary_rows(n);
    let mut out = FileScore::default();
    let mut best: Vec<Option<f64>> = vec![None; windows.len()];
    let mut prev_window: Option<usize> = None;
    let mut k = 0; // next window that has not ended before row i
    for (i, &det) in detections.iter().enumerate() {
        while k < windows.len() && windows[k].1 < i {
            prev_window = Some(k);
            k += 1;
        }
        let inside = k < windows.len() && windows[k].0 <= i && i <= windows[k].1;
        if i < probation {
            continue;
        }
        match (inside, det) {
            (true, true) => {
                out.tp += 1;
                let (a, b) = windows[k];
                let w = (b - a + 1) as f64;
                let y = -((b - i + 1) as f64) / w;
                let weight = p.tp * scaled_sigmoid(y) / scaled_sigmoid(-1.0);
                best[k] = Some(best[k].map_or(weight, |x: f64| x.max(weight)));
            }
            (true, false) => out.fn_ += 1,
            (false, true) => {
                out.fp += 1;
                out.score += match prev_window {
                    None => -p.fp,
                    Some(j) => {
                        let (a, b) = windows[j];
                        let w = (b - a + 1) as f64;
                        let y = (i - b) as f64 / (w - 1.0).max(1.0);
                        p.fp * scaled_sigmoid(y)
                    }
                };
            }
            (false, false) => out.tn += 1,
        }
    }
    out.score += best.iter().map(|b| b.unwrap_or(-p.fn_)).sum::<f64>();
    out
}

/// NAB's normalised score: `100·(S − S_null)/(S_perfect − S_null)` for `windows` windows.
pub fn normalized(raw: f64, windows: usize, p: Profile) -> f64 {
    let perfect = p.tp * windows as f64;
    let null = -p.fn_ * windows as f64;
    if perfect == null {
        return 0.0;
    }
    100.0 * (raw - null) / (perfect - null)
}

/// One NAB data file with its labelled windows as row ranges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NabFile {
    /// The file's key, `realTweets/<name>.csv`.
    pub key: String,
    /// Row timestamps (the data's naive times, read as UTC).
    pub timestamps: Vec<DateTime<Utc>>,
    /// Row values.
    pub values: Vec<f64>,
    /// Anomaly windows as inclusive row ranges.
    pub windows: Vec<(usize, usize)>,
}

impl NabFile {
    /// The row of a timestamp.
    pub fn row_of(&self, at: DateTime<Utc>) -> Option<usize> {
        self.timestamps.binary_search(&at).ok()
    }
}

/// Where the shared NAB data lives when socialkit is built from its repository.
///
/// ```
/// assert!(socialkit::listen::nab::nab_data_dir().ends_with("shared/data/nab"));
/// ```
pub fn nab_data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nab")
}

/// Parses a NAB timestamp (`2015-03-03 04:37:53`, optionally with `.000000`) as UTC.
///
/// ```
/// let t = socialkit::listen::nab::parse_timestamp("2015-03-03 04:37:53.000000").unwrap();
/// assert_eq!(t.to_rfc3339(), "2015-03-03T04:37:53+00:00");
/// ```
pub fn parse_timestamp(s: &str) -> Result<DateTime<Utc>> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
        .map(|t| t.and_utc())
        .map_err(|e| Error::unexpected(format!("bad NAB timestamp {s:?}")).with_source(e))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorKind::NotFound,
            format!(
                "cannot read {}: {e}. The NAB data lives in shared/data/nab/ beside the \
                 socialkit repository (see shared/data/README.md)",
                path.display()
            ),
        )
    })
}

/// Loads every series listed in `labels/combined_windows.json` under `dir`, with its windows.
pub fn load(dir: &Path) -> Result<Vec<NabFile>> {
    let windows: std::collections::BTreeMap<String, Vec<(String, String)>> =
        serde_json::from_str(&read(&dir.join("labels/combined_windows.json"))?)?;
    let mut out = Vec::new();
    for (key, wins) in windows {
        let csv = read(&dir.join(&key))?;
        let mut timestamps = Vec::new();
        let mut values = Vec::new();
        for (n, line) in csv.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let (t, v) = line
                .split_once(',')
                .ok_or_else(|| Error::unexpected(format!("{key} line {}: no comma", n + 1)))?;
            timestamps.push(parse_timestamp(t)?);
            values.push(
                v.trim()
                    .parse()
                    .map_err(|_| Error::unexpected(format!("{key} line {}: bad value", n + 1)))?,
            );
        }
        let mut file = NabFile {
            key: key.clone(),
            timestamps,
            values,
            windows: Vec::new(),
        };
        for (a, b) in wins {
            let (ta, tb) = (parse_timestamp(&a)?, parse_timestamp(&b)?);
            match (file.row_of(ta), file.row_of(tb)) {
                (Some(ra), Some(rb)) if ra <= rb => file.windows.push((ra, rb)),
                _ => {
                    return Err(Error::unexpected(format!(
                        "{key}: window {a}..{b} does not fall on rows"
                    )));
                }
            }
        }
        out.push(file);
    }
    Ok(out)
}

/// Scores a detector's detections on several files: per file raw scores, and the corpus score
/// normalised over all their windows.
///
/// ```
/// use socialkit::listen::nab::{NabFile, Profile, score_corpus};
/// let f = NabFile { key: "x".into(), timestamps: vec![], values: vec![0.0; 100], windows: vec![(50, 59)] };
/// let (per_file, total) = score_corpus(&[f], &[vec![false; 100]], Profile::STANDARD);
/// assert_eq!(per_file[0].score, -1.0);
/// assert_eq!(total, 0.0);
/// ```
pub fn score_corpus(
    files: &[NabFile],
    detections: &[Vec<bool>],
    p: Profile,
) -> (Vec<FileScore>, f64) {
    let per_file: Vec<FileScore> = files
        .iter()
        .zip(detections)
        .map(|(f, d)| score_file(d, &f.windows, p))
        .collect();
    let raw: f64 = per_file.iter().map(|s| s.score).sum();
    let windows: usize = files.iter().map(|f| f.windows.len()).sum();
    (per_file, normalized(raw, windows, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_values() {
        assert!((scaled_sigmoid(-0.5) - 0.84828).abs() < 1e-5);
        assert_eq!(scaled_sigmoid(0.0), 0.0);
        assert_eq!(scaled_sigmoid(3.5), -1.0);
    }

    #[test]
    fn false_positive_weights() {
        let mut d = vec![false; 2000];
        d[900] = true; // before the first window
        let s = score_file(&d, &[(1000, 1099)], Profile::STANDARD);
        assert!((s.score - (-1.0 - 0.11)).abs() < 1e-12);
        let mut d = vec![false; 2000];
        d[1100] = true; // right after the window: nearly free
        let s = score_file(&d, &[(1000, 1099)], Profile::STANDARD);
        assert!(s.score > -1.0 - 0.01 && s.score < -1.0);
        assert_eq!((s.tp, s.fp, s.fn_), (0, 1, 100));
    }

    #[test]
    fn probation_rows_are_ignored() {
        let mut d = vec![false; 1000];
        d[10] = true;
        let s = score_file(&d, &[], Profile::STANDARD);
        assert_eq!(s.score, 0.0);
        assert_eq!(s.tn, 850);
    }
}
