//! The anomaly detector's default settings on the awkward series real channels produce: small
//! counts, runs of zeros, missing intervals, level shifts, a series that starts during an
//! anomaly, local-time seasonality across daylight-saving changes, constant values. Each case
//! is a series with a known answer; the detector must not cry wolf and must adapt. And
//! measurements (rates, utilisation) under `Transform::Auto`, which the synthetic budget set
//! (counts only) does not cover.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use socialkit::listen::anomaly::{
    Anomaly, Config, Detector, Resolved, Season, Transform, detect, observe_all,
};

#[path = "listen_support/synthetic.rs"]
mod synthetic;
use synthetic::Rng;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()
}

/// `days` of 5-minute counts with a daily rhythm around `mean`.
fn counts(days: i64, mean: f64, seed: u64) -> Vec<(DateTime<Utc>, f64)> {
    let mut rng = Rng(seed);
    (0..days * 288)
        .map(|k| {
            let at = t0() + Duration::minutes(5 * k);
            let hour = (k % 288) as f64 / 12.0;
            let rhythm = 1.0 + 0.5 * ((hour - 6.0) / 24.0 * std::f64::consts::TAU).sin();
            (at, rng.poisson(mean * rhythm))
        })
        .collect()
}

#[test]
fn low_counts_do_not_cry_wolf() {
    // Two weeks of about one mention per five minutes (many zeros, some 3s and 4s).
    for seed in 1..=5 {
        let pts = counts(14, 1.0, seed);
        let found = detect(&Config::default(), &pts);
        assert!(
            found.len() <= 3,
            "seed {seed}: {} alarms on noise",
            found.len()
        );
    }
}

#[test]
fn a_burst_in_low_counts_is_found() {
    let mut pts = counts(14, 1.0, 9);
    // Day 10, 12:00: forty mentions in five minutes, then 25 and 15.
    let k = 10 * 288 + 144;
    for (j, v) in [40.0, 25.0, 15.0].into_iter().enumerate() {
        pts[k + j].1 = v;
    }
    let found = detect(&Config::default(), &pts);
    assert!(
        found
            .iter()
            .any(|a| a.at >= pts[k].0 && a.at <= pts[k + 2].0),
        "{found:?}"
    );
}

#[test]
fn runs_of_zeros_then_a_single_mention_are_quiet() {
    // A channel that is silent for days, with a stray mention now and then.
    let pts: Vec<_> = (0..14 * 288)
        .map(|k| {
            let v = if k % 997 == 0 { 1.0 } else { 0.0 };
            (t0() + Duration::minutes(5 * k), v)
        })
        .collect();
    assert!(detect(&Config::default(), &pts).is_empty());
}

#[test]
fn missing_intervals_are_not_anomalies() {
    // Counts around 30 with a whole day missing (no rows at all) and NaN rows.
    let mut pts = counts(14, 30.0, 3);
    pts.retain(|(t, _)| !(*t >= t0() + Duration::days(8) && *t < t0() + Duration::days(9)));
    for k in (0..pts.len()).step_by(50) {
        pts[k].1 = f64::NAN;
    }
    let found = detect(&Config::default(), &pts);
    assert!(found.len() <= 2, "{} alarms: {found:?}", found.len());
}

#[test]
fn a_level_shift_alarms_once_and_is_learnt() {
    // Counts around 20, then from day 8 around 60 for good.
    let mut pts = counts(16, 20.0, 4);
    let shifted = counts(16, 60.0, 5);
    let k = 8 * 288;
    pts[k..].copy_from_slice(&shifted[k..]);
    let found = detect(&Config::default(), &pts);
    let after: Vec<_> = found.iter().filter(|a| a.at >= pts[k].0).collect();
    assert!(!after.is_empty(), "the shift is found");
    assert!(
        after[0].at < pts[k].0 + Duration::hours(6),
        "promptly: {:?}",
        after[0]
    );
    assert!(
        after.len() <= 3,
        "{} alarms after the shift: {after:?}",
        after.len()
    );
    // Three days later the new level is normal: scores near zero.
    let obs = observe_all(&Config::default(), &pts);
    let late: Vec<f64> = obs[k + 5 * 288..].iter().map(|o| o.score).collect();
    let mean = late.iter().sum::<f64>() / late.len() as f64;
    assert!(
        mean.abs() < 1.5,
        "mean score {mean} after the level was learnt"
    );
}

#[test]
fn a_series_that_starts_during_an_anomaly_recovers() {
    // The first day is a storm (around 200), then normal traffic (around 20) for two weeks.
    let mut pts = counts(15, 20.0, 6);
    let storm = counts(1, 200.0, 7);
    pts[..288].copy_from_slice(&storm);
    let found = detect(&Config::default(), &pts);
    let late = found
        .iter()
        .filter(|a| a.at >= t0() + Duration::days(3))
        .count();
    assert!(
        late <= 2,
        "{late} alarms after the storm was over: {found:?}"
    );
}

#[test]
fn local_time_seasonality_survives_daylight_saving() {
    // A Berlin newsroom: a sharp peak every day at 09:00 local time, quiet otherwise, over
    // the change to summer time on 29 March 2026.
    let tz = chrono_tz::Europe::Berlin;
    let mut rng = Rng(11);
    let start = Utc.with_ymd_and_hms(2026, 3, 15, 0, 0, 0).unwrap();
    let pts: Vec<_> = (0..28 * 288)
        .map(|k| {
            let at = start + Duration::minutes(5 * k);
            let local = at.with_timezone(&tz);
            let peak = chrono::Timelike::hour(&local) == 9;
            (at, rng.poisson(if peak { 80.0 } else { 8.0 }))
        })
        .collect();
    let change = Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap();
    let near_change = |found: &[socialkit::listen::anomaly::Anomaly]| {
        found
            .iter()
            .filter(|a| a.at >= change && a.at < change + Duration::days(3))
            .count()
    };
    let local = Config {
        zone: Some(tz),
        season: Season::Daily,
        ..Config::default()
    };
    let utc = Config {
        zone: None,
        ..local.clone()
    };
    let (in_local, in_utc) = (detect(&local, &pts), detect(&utc, &pts));
    assert_eq!(near_change(&in_local), 0, "local time: {in_local:?}");
    // In UTC the 09:00 peak moves to another slot and looks like a burst.
    assert!(near_change(&in_utc) >= 1, "UTC: {in_utc:?}");
}

#[test]
fn a_constant_series_never_alarms_and_a_change_does() {
    for value in [0.0, 1.0, 17.0, 1e6] {
        let mut pts: Vec<_> = (0..10 * 288)
            .map(|k| (t0() + Duration::minutes(5 * k), value))
            .collect();
        assert!(detect(&Config::default(), &pts).is_empty(), "{value}");
        let n = pts.len();
        pts.push((pts[n - 1].0 + Duration::minutes(5), value * 10.0 + 100.0));
        assert_eq!(detect(&Config::default(), &pts).len(), 1, "{value}");
    }
}

#[test]
fn the_default_stays_within_the_false_alarm_budget() {
    // The constraint cross-validation applied before choosing (`examples/nab_score.rs`): at
    // most one false alarm per 30-day synthetic normal series, on every series.
    let set = synthetic::normal_set();
    assert_eq!(set.len(), 17);
    let mut over = Vec::new();
    for s in &set {
        let config = Config {
            zone: s.zone,
            ..Config::default()
        };
        let alarms: Vec<_> = detect(&config, &s.points).iter().map(|a| a.at).collect();
        let n = s.false_alarms(&alarms);
        if n > synthetic::BUDGET_PER_SERIES {
            over.push((s.name.clone(), n));
        }
    }
    assert!(over.is_empty(), "over the budget: {over:?}");
}

#[test]
fn the_synthetic_set_is_the_committed_one() {
    // The set is generated from fixed seeds; a change to the generator would change what the
    // budget means, so its shape and a checksum of its values are pinned.
    let set = synthetic::normal_set();
    let points: usize = set.iter().map(|s| s.points.len()).sum();
    let sum: f64 = set
        .iter()
        .flat_map(|s| s.points.iter().map(|(_, v)| *v))
        .filter(|v| v.is_finite() && *v < 1e5)
        .sum();
    assert_eq!(points, 17 * 8_640 - 288);
    assert_eq!(sum, CHECKSUM, "{sum}");
}

const CHECKSUM: f64 = 3_561_375.0;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn streaming_equals_batch(seed in 1u64..10_000, mean in 0.2..200.0f64, days in 1i64..9) {
        let pts = counts(days, mean, seed);
        let batch = detect(&Config::default(), &pts);
        let mut d = Detector::new(Config::default());
        let streamed: Vec<_> = pts.iter().filter_map(|(t, v)| d.update(*t, *v)).collect();
        prop_assert_eq!(batch, streamed);
    }
}

/// `days` of 5-minute CPU utilisation in percent: a daily rhythm between about 20 and 40 and
/// Gaussian noise of 1.5 points, two decimals (what a monitoring agent reports).
fn utilisation(days: i64, seed: u64) -> Vec<(DateTime<Utc>, f64)> {
    let mut rng = Rng(seed);
    (0..days * 288)
        .map(|k| {
            let hour = (k % 288) as f64 / 12.0;
            let rhythm = 30.0 + 10.0 * ((hour - 6.0) / 24.0 * std::f64::consts::TAU).sin();
            let u = rng.next().max(1e-12);
            let g = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * rng.next()).cos();
            let v = rhythm + 1.5 * g;
            (t0() + Duration::minutes(5 * k), (v * 100.0).round() / 100.0)
        })
        .collect()
}

#[test]
fn auto_measurements_stay_within_the_budget_and_find_a_jump() {
    // Not part of the budget set that cross-validation filters with (that set is counts and
    // was fixed before): the same budget, checked here for Transform::Auto on measurements.
    let auto = Config {
        transform: Transform::Auto,
        ..Config::default()
    };
    for seed in 1..=3 {
        let pts = utilisation(30, seed);
        let mut d = Detector::new(auto.clone());
        let found: Vec<_> = pts.iter().filter_map(|(t, v)| d.update(*t, *v)).collect();
        assert!(
            matches!(d.resolved(), Some(Resolved::Measured { .. })),
            "{:?}",
            d.resolved()
        );
        assert!(
            found.len() <= synthetic::BUDGET_PER_SERIES,
            "seed {seed}: {found:?}"
        );
    }
    // A runaway process: from day 20, 12:00 the utilisation is 35 points higher.
    let mut pts = utilisation(30, 7);
    let k = 20 * 288 + 144;
    for p in &mut pts[k..] {
        p.1 += 35.0;
    }
    let found = detect(&auto, &pts);
    assert!(
        found
            .iter()
            .any(|a| a.at >= pts[k].0 && a.at <= pts[k + 12].0),
        "{found:?}"
    );
    // Around the shift at most two alarms: measured here, a second one comes about 2.5 days
    // later, when the 7-day slot medians are half old and half new level and their spread
    // briefly lets the score fall below the threshold (which re-arms the trigger). Outside
    // the four days after the shift, the budget.
    let (near, far): (Vec<&Anomaly>, Vec<&Anomaly>) = found
        .iter()
        .partition(|a| a.at >= pts[k].0 && a.at < pts[k].0 + Duration::days(4));
    assert!(near.len() <= 2, "{near:?}");
    assert!(far.len() <= synthetic::BUDGET_PER_SERIES, "{far:?}");
}
