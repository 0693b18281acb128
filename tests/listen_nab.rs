//! The NAB scorer (`tests/listen_support/nab.rs`) reproduces NAB's published per-file scores
//! and counts for five published detectors, three profiles and 54 series
//! (`tests/data/nab/reference/`).

use std::collections::BTreeMap;

use serde::Deserialize;

#[path = "listen_support/nab.rs"]
mod nab;

use nab::{FileScore, Profile};

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
    let files = nab::load(&dir).expect("tests/data/nab");
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
    assert_eq!(checked, 5 * 3 * 54);
}

#[test]
fn scorer_basics() {
    assert!((nab::scaled_sigmoid(-0.5) - 0.84828).abs() < 1e-5);
    assert!((nab::scaled_sigmoid(-1.0) - 0.9866142981514305).abs() < 1e-15);
    assert_eq!(nab::scaled_sigmoid(0.0), 0.0);
    assert_eq!(nab::scaled_sigmoid(3.5), -1.0);
    assert_eq!(nab::probationary_rows(15_902), 750);
    assert_eq!(nab::probationary_rows(1_000), 150);
    // One window, one detection at its first row: a perfect file.
    let mut d = vec![false; 2000];
    d[1000] = true;
    let s = nab::score_file(&d, &[(1000, 1199)], Profile::STANDARD);
    assert!((s.score - 1.0).abs() < 1e-12);
    assert_eq!(nab::normalized(s.score, 1, Profile::STANDARD), 100.0);
}

#[test]
fn false_positive_weights() {
    let mut d = vec![false; 2000];
    d[900] = true; // before the first window
    let s = nab::score_file(&d, &[(1000, 1099)], Profile::STANDARD);
    assert!((s.score - (-1.0 - 0.11)).abs() < 1e-12);
    let mut d = vec![false; 2000];
    d[1100] = true; // right after the window: nearly free
    let s = nab::score_file(&d, &[(1000, 1099)], Profile::STANDARD);
    assert!(s.score > -1.0 - 0.01 && s.score < -1.0);
    assert_eq!((s.tp, s.fp, s.fn_), (0, 1, 100));
}

#[test]
fn probation_rows_are_ignored() {
    let mut d = vec![false; 1000];
    d[10] = true;
    let s = nab::score_file(&d, &[], Profile::STANDARD);
    assert_eq!(s.score, 0.0);
    assert_eq!(s.tn, 850);
}

#[test]
fn timestamps_and_null_scores() {
    let t = nab::parse_timestamp("2015-03-03 04:37:53.000000").unwrap();
    assert_eq!(t.to_rfc3339(), "2015-03-03T04:37:53+00:00");
    assert!(nab::parse_timestamp("yesterday").is_err());
    let f = nab::NabFile {
        key: "realTweets/x.csv".into(),
        timestamps: vec![],
        values: vec![0.0; 100],
        windows: vec![(50, 59)],
    };
    assert_eq!((f.category(), f.name()), ("realTweets", "x"));
    let (per_file, total) = nab::score_corpus(&[f], &[vec![false; 100]], Profile::STANDARD);
    assert_eq!(per_file[0].score, -1.0);
    assert_eq!(total, 0.0);
}

mod cv {
    //! The cross-validation of `examples/nab_score.rs` (results in `tests/data/nab_cv.json`):
    //! `Config::default()` is what the procedure chose, one fold's held-out scores reproduce
    //! with the detector itself, and the committed summary follows from the per-file scores.

    use super::nab::{self, PROFILES};
    use serde::Deserialize;
    use socialkit::listen::anomaly::{Config, observe_all};
    use std::collections::BTreeMap;

    #[derive(Deserialize)]
    struct Cv {
        folds: Vec<Fold>,
        files: Vec<HeldOut>,
        summary: BTreeMap<String, BTreeMap<String, f64>>,
        published: BTreeMap<String, BTreeMap<String, BTreeMap<String, f64>>>,
        default: Config,
    }

    #[derive(Deserialize)]
    struct Fold {
        fold: usize,
        profile: String,
        config: Config,
        held_out: Vec<String>,
    }

    #[derive(Deserialize)]
    struct HeldOut {
        key: String,
        windows: usize,
        raw: BTreeMap<String, f64>,
    }

    fn cv() -> Cv {
        let path = nab::nab_data_dir().parent().unwrap().join("nab_cv.json");
        serde_json::from_str(&std::fs::read_to_string(path).expect("nab_cv.json")).unwrap()
    }

    #[test]
    fn the_default_config_is_the_procedures_choice() {
        assert_eq!(Config::default(), cv().default);
    }

    #[test]
    fn a_folds_held_out_scores_reproduce() {
        let cv = cv();
        let files = nab::load(&nab::nab_data_dir()).unwrap();
        // Fold 5 under the standard profile: KO and eight other series.
        let fold = cv
            .folds
            .iter()
            .find(|f| f.fold == 5 && f.profile == "standard")
            .unwrap();
        assert_eq!(fold.held_out.len(), 9);
        for key in &fold.held_out {
            let file = files.iter().find(|f| &f.key == key).unwrap();
            let detections: Vec<bool> = observe_all(&fold.config, &file.points())
                .iter()
                .map(|o| o.anomaly.is_some())
                .collect();
            let got = nab::score_file(&detections, &file.windows, nab::Profile::STANDARD).score;
            let want = cv.files.iter().find(|f| &f.key == key).unwrap().raw["standard"];
            assert!((got - want).abs() < 1e-9, "{key}: {got} != {want}");
        }
    }

    #[test]
    fn the_summary_follows_from_the_files_and_meets_the_goals_it_meets() {
        let cv = cv();
        assert_eq!(cv.files.len(), 54);
        for (pname, p) in PROFILES {
            let raw: f64 = cv.files.iter().map(|f| f.raw[pname]).sum();
            let windows: usize = cv.files.iter().map(|f| f.windows).sum();
            let all = nab::normalized(raw, windows, p);
            assert!((all - cv.summary[pname]["all"]).abs() < 1e-9, "{pname}");
        }
        // The whole corpus, held out, at least the published windowed Gaussian under each of
        // NAB's three profiles (run of 2026-12-08: low FP 30.0 against 21.6, standard 47.5
        // against 38.3, low FN 54.3 against 45.3), since Transform::Auto judges the rate series
        // (AdExchange, AWS CloudWatch) as measurements instead of counts.
        for (pname, _) in PROFILES {
            let ours = cv.summary[pname]["all"];
            let wg = cv.published["windowedGaussian"][pname]["all"];
            assert!(ours >= wg, "{pname}: {ours} < windowedGaussian {wg}");
        }
        // Held out, the realTweets series reach the goal of 60 (standard profile).
        assert!(cv.summary["standard"]["realTweets"] >= 60.0);
        // No realTweets series below the null detector (raw score -windows).
        for f in cv.files.iter().filter(|f| f.key.starts_with("realTweets/")) {
            for (pname, p) in PROFILES {
                assert!(
                    f.raw[pname] > -(f.windows as f64) * p.fn_,
                    "{} {pname}",
                    f.key
                );
            }
        }
    }
}
