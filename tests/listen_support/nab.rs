//! Scoring anomaly detectors the way the Numenta Anomaly Benchmark (NAB) does, as described
//! in `tests/data/nab/SCORING.md` (NAB's `sweeper.py`/`scorer.py`/`runner.py` at `ea702d7`).
//! Dev-only: shared by `tests/listen_nab.rs` and the examples through `#[path]`.
//!
//! Per file of `N` rows: the first `min(floor(0.15·N), 750)` rows are probationary and not
//! scored. Each labelled anomaly window earns the weight of its earliest detection,
//! `A_TP·σ(y)/σ(−1)` with `y = −(b−i+1)/w` (so earlier is better), or costs `A_FN` when it has
//! none. Each detection outside every window costs `A_FP` before the first window, and
//! `A_FP·σ((i−b)/(w−1))` after the window `[a, b]` that precedes it. `σ(y) = 2/(1+e^{5y}) − 1`
//! (and −1 for `y > 3`). Scores are normalised so the null detector scores 0 and the perfect
//! one 100.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// Errors of loading: a message naming the file.
pub type Result<T> = std::result::Result<T, String>;

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
pub fn probationary_rows(n: usize) -> usize {
    (n * 15 / 100).min(750)
}

/// NAB's scaled sigmoid: `2/(1+e^{5y}) − 1`, and −1 for `y > 3`.
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

/// The NAB data committed with the tests (`tests/data/nab/`, MIT, see its README).
pub fn nab_data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/nab")
}

/// Parses a NAB timestamp (`2015-03-03 04:37:53`, optionally with `.000000`) as UTC.
pub fn parse_timestamp(s: &str) -> Result<DateTime<Utc>> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
        .map(|t| t.and_utc())
        .map_err(|e| format!("bad NAB timestamp {s:?}: {e}"))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Loads every series listed in `labels/combined_windows.json` under `dir`, with its windows.
pub fn load(dir: &Path) -> Result<Vec<NabFile>> {
    let windows: std::collections::BTreeMap<String, Vec<(String, String)>> =
        serde_json::from_str(&read(&dir.join("labels/combined_windows.json"))?)
            .map_err(|e| format!("combined_windows.json: {e}"))?;
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
                .ok_or_else(|| format!("{key} line {}: no comma", n + 1))?;
            timestamps.push(parse_timestamp(t)?);
            values.push(
                v.trim()
                    .parse()
                    .map_err(|_| format!("{key} line {}: bad value", n + 1))?,
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
                    return Err(format!("{key}: window {a}..{b} does not fall on rows"));
                }
            }
        }
        out.push(file);
    }
    Ok(out)
}

/// Scores a detector's detections on several files: per file raw scores, and the corpus score
/// normalised over all their windows.
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

impl NabFile {
    /// The category folder (`realTweets`).
    pub fn category(&self) -> &str {
        self.key.split('/').next().unwrap_or("")
    }

    /// The file name without folder and extension (`Twitter_volume_AAPL`).
    pub fn name(&self) -> &str {
        let file = self.key.rsplit('/').next().unwrap_or(&self.key);
        file.trim_end_matches(".csv")
    }

    /// `(timestamp, value)` pairs.
    pub fn points(&self) -> Vec<(DateTime<Utc>, f64)> {
        self.timestamps
            .iter()
            .copied()
            .zip(self.values.iter().copied())
            .collect()
    }
}

/// NAB's three profiles by their names in NAB's configuration, low false positives first.
pub const PROFILES: [(&str, Profile); 3] = [
    ("reward_low_FP_rate", Profile::REWARD_LOW_FP),
    ("standard", Profile::STANDARD),
    ("reward_low_FN_rate", Profile::REWARD_LOW_FN),
];

/// The published detectors' detections (`reference/published_detections.json`): detector →
/// profile name → per file of `files`, one flag per row.
pub type Published =
    std::collections::BTreeMap<String, std::collections::BTreeMap<String, Vec<Vec<bool>>>>;

/// Reads the published detections for `files` from `dir/reference/published_detections.json`.
pub fn published(dir: &Path, files: &[NabFile]) -> Result<Published> {
    let text = read(&dir.join("reference/published_detections.json"))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("published_detections.json: {e}"))?;
    let mut out = Published::new();
    let detectors = json["detectors"]
        .as_object()
        .ok_or("published_detections.json: no detectors")?;
    for (name, d) in detectors {
        for (profile, _) in PROFILES {
            let per_file = &d["profiles"][profile]["files"];
            let mut flags = Vec::new();
            for f in files {
                let mut v = vec![false; f.values.len()];
                for t in per_file[&f.key]["detections"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let t = t.as_str().ok_or("detection is not a string")?;
                    let row = f
                        .row_of(parse_timestamp(t)?)
                        .ok_or_else(|| format!("{}: {t} is not a row", f.key))?;
                    v[row] = true;
                }
                flags.push(v);
            }
            out.entry(name.clone())
                .or_default()
                .insert(profile.to_string(), flags);
        }
    }
    Ok(out)
}
