//! Scores socialkit's anomaly detector on the NAB `realTweets` series in `shared/data/nab/`
//! with NAB's standard profile, beside the published detectors (scored with the same scorer
//! from their published detections).
//!
//! ```sh
//! cargo run --release --example nab_score            # the default detector
//! cargo run --release --example nab_score -- sweep   # plus a sensitivity table
//! cargo run --release --example nab_score -- normalised   # per-series scores as 0..100
//! ```

use std::collections::BTreeMap;

use serde_json::Value;
use socialkit::listen::anomaly::{self, Config};
use socialkit::listen::nab::{self, NabFile, Profile};

fn detections(file: &NabFile, config: &Config) -> Vec<bool> {
    let points: Vec<_> = file
        .timestamps
        .iter()
        .copied()
        .zip(file.values.iter().copied())
        .collect();
    anomaly::observe_all(config, &points)
        .iter()
        .map(|o| o.anomaly.is_some())
        .collect()
}

fn short(key: &str) -> &str {
    key.trim_start_matches("realTweets/Twitter_volume_")
        .trim_end_matches(".csv")
}

fn row(name: &str, files: &[NabFile], det: &[Vec<bool>]) -> String {
    let (per, total) = nab::score_corpus(files, det, Profile::STANDARD);
    let mut s = format!("{name:<34}");
    let normalise = std::env::args().any(|a| a == "normalised");
    for (f, p) in files.iter().zip(&per) {
        if normalise {
            s += &format!(
                " {:>7.1}",
                nab::normalized(p.score, f.windows.len(), Profile::STANDARD)
            );
        } else {
            s += &format!(" {:>7.3}", p.score);
        }
    }
    let fps: usize = per.iter().map(|p| p.fp).sum();
    s + &format!(" {total:>8.1} {fps:>6}")
}

fn main() {
    let dir = nab::nab_data_dir();
    let files = match nab::load(&dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let mut header = format!("{:<34}", "detector (raw score per series)");
    for f in &files {
        header += &format!(" {:>7}", short(&f.key));
    }
    header += &format!(" {:>8} {:>6}", "NAB std", "FP rows");
    println!("{header}");
    let nulls: Vec<Vec<bool>> = files.iter().map(|f| vec![false; f.values.len()]).collect();
    println!("{}", row("null", &files, &nulls));

    // Published detectors, from their published detections at NAB's corpus thresholds.
    let text = std::fs::read_to_string(dir.join("reference/published_detections.json"))
        .expect("reference/published_detections.json");
    let reference: Value = serde_json::from_str(&text).expect("JSON");
    let mut published: BTreeMap<String, Vec<Vec<bool>>> = BTreeMap::new();
    if let Some(dets) = reference["detectors"].as_object() {
        for (name, d) in dets {
            let files_json = &d["profiles"]["standard"]["files"];
            let det: Vec<Vec<bool>> = files
                .iter()
                .map(|f| {
                    let mut v = vec![false; f.values.len()];
                    for t in files_json[&f.key]["detections"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        if let Some(r) = t
                            .as_str()
                            .and_then(|t| nab::parse_timestamp(t).ok())
                            .and_then(|t| f.row_of(t))
                        {
                            v[r] = true;
                        }
                    }
                    v
                })
                .collect();
            published.insert(name.clone(), det);
        }
    }
    for (name, det) in &published {
        println!("{}", row(&format!("published: {name}"), &files, det));
    }

    let default = Config::default();
    let det: Vec<Vec<bool>> = files.iter().map(|f| detections(f, &default)).collect();
    println!("{}", row("socialkit (default Config)", &files, &det));

    if std::env::args().any(|a| a == "sweep") {
        println!("\nsensitivity (other settings as default):");
        for transform in [anomaly::Transform::Log1p, anomaly::Transform::Identity] {
            for smooth in [1usize, 6, 12] {
                for threshold in [3.0, 4.0, 5.0, 6.0, 8.0] {
                    for cooldown_h in [6, 24] {
                        let c = Config {
                            threshold,
                            cooldown_secs: cooldown_h * 3600,
                            smooth,
                            transform,
                            ..Config::default()
                        };
                        let det: Vec<Vec<bool>> = files.iter().map(|f| detections(f, &c)).collect();
                        println!(
                            "{}",
                            row(
                                &format!("{transform:?} s{smooth} z>={threshold} cd{cooldown_h}h"),
                                &files,
                                &det
                            )
                        );
                    }
                }
            }
        }
        for (name, c) in [
            (
                "history 3 days",
                Config {
                    history_secs: 3 * 86_400,
                    ..Config::default()
                },
            ),
            (
                "history 14 days",
                Config {
                    history_secs: 14 * 86_400,
                    ..Config::default()
                },
            ),
            (
                "slot 15 min",
                Config {
                    slot_secs: 900,
                    ..Config::default()
                },
            ),
            (
                "no season",
                Config {
                    season: anomaly::Season::None,
                    slot_secs: 3600,
                    history_secs: 86_400,
                    ..Config::default()
                },
            ),
            (
                "weekly season",
                Config {
                    season: anomaly::Season::Weekly,
                    history_secs: 28 * 86_400,
                    ..Config::default()
                },
            ),
        ] {
            let det: Vec<Vec<bool>> = files.iter().map(|f| detections(f, &c)).collect();
            println!("{}", row(name, &files, &det));
        }
    }
}
