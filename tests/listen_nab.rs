//! The NAB scorer reproduces NAB's published per-file scores and counts for five published
//! detectors, three profiles and six series (`shared/data/nab/reference/`).

use std::collections::BTreeMap;

use serde::Deserialize;
use socialkit::listen::nab::{self, FileScore, Profile};

#[derive(Deserialize)]
struct Reference {
    profiles: BTreeMap<String, Weights>,
    detectors: BTreeMap<String, Detector>,
}

#[derive(Deserialize)]
struct Weights {
    tp: f64,
    #[serde(rename = "fn")]
    fn_: f64,
    fp: f64,
}

#[derive(Deserialize)]
struct Detector {
    profiles: BTreeMap<String, DetectorProfile>,
}

#[derive(Deserialize)]
struct DetectorProfile {
    files: BTreeMap<String, FileCase>,
}

#[derive(Deserialize)]
struct FileCase {
    detections: Vec<String>,
    expected: Expected,
}

#[derive(Deserialize)]
struct Expected {
    score: f64,
    tp: usize,
    tn: usize,
    fp: usize,
    #[serde(rename = "fn")]
    fn_: usize,
}

#[test]
fn reproduces_published_scores() {
    let dir = nab::nab_data_dir();
    let files = nab::load(&dir).unwrap_or_else(|e| panic!("NAB data needed: {e}"));
    let text = std::fs::read_to_string(dir.join("reference/published_detections.json"))
        .expect("reference/published_detections.json");
    let reference: Reference = serde_json::from_str(&text).unwrap();
    // The profiles in the file are NAB's.
    for (name, p) in [
        ("standard", Profile::STANDARD),
        ("reward_low_FP_rate", Profile::REWARD_LOW_FP),
        ("reward_low_FN_rate", Profile::REWARD_LOW_FN),
    ] {
        let w = &reference.profiles[name];
        assert_eq!((w.tp, w.fn_, w.fp), (p.tp, p.fn_, p.fp), "{name}");
    }
    let mut checked = 0;
    for (det, d) in &reference.detectors {
        for (pname, dp) in &d.profiles {
            let w = &reference.profiles[pname];
            let profile = Profile {
                tp: w.tp,
                fn_: w.fn_,
                fp: w.fp,
            };
            for (key, case) in &dp.files {
                let file = files.iter().find(|f| &f.key == key).expect(key);
                let mut detections = vec![false; file.values.len()];
                for t in &case.detections {
                    let row = file
                        .row_of(nab::parse_timestamp(t).unwrap())
                        .unwrap_or_else(|| panic!("{key}: {t} is not a row"));
                    detections[row] = true;
                }
                let got: FileScore = nab::score_file(&detections, &file.windows, profile);
                let e = &case.expected;
                assert!(
                    (got.score - e.score).abs() < 1e-9,
                    "{det}/{pname}/{key}: score {} != {}",
                    got.score,
                    e.score
                );
                assert_eq!(
                    (got.tp, got.tn, got.fp, got.fn_),
                    (e.tp, e.tn, e.fp, e.fn_),
                    "{det}/{pname}/{key}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 90);
}

/// socialkit's default detector on the six series: a regression guard (it scores 65.2 with
/// the standard profile; the null detector scores 0, windowed Gaussian 53.7 on these files).
#[test]
fn default_detector_scores_on_realtweets() {
    use socialkit::listen::anomaly::{Config, observe_all};
    let files = nab::load(&nab::nab_data_dir()).expect("NAB data");
    let detections: Vec<Vec<bool>> = files
        .iter()
        .map(|f| {
            let points: Vec<_> = f
                .timestamps
                .iter()
                .copied()
                .zip(f.values.iter().copied())
                .collect();
            observe_all(&Config::default(), &points)
                .iter()
                .map(|o| o.anomaly.is_some())
                .collect()
        })
        .collect();
    let (_, total) = nab::score_corpus(&files, &detections, Profile::STANDARD);
    assert!(total > 60.0, "NAB standard score {total}");
}
