//! Backtest of the learned best times on synthetic history with known peak hours.
//!
//! The audience (in New York) is active at a low base rate, with peaks daily at 21:00, on
//! Tuesday and Thursday at 08:00 and on Saturday at 11:00: 10 peak hours of the week, most of
//! them not where the platform prior (X: Hootsuite's Friday 09:00 and a generic evening curve)
//! puts its weight. Each post's engagement is Poisson(reach × 2 % × activity). The learned
//! best times should recover the peaks; the calendar built on them should beat a uniform
//! schedule on expected engagement.

use chrono::NaiveDate;
use socialkit::strategy::besttimes::{channel_prior, learn, platform_prior};
use socialkit::strategy::calendar::{CalendarChannel, CalendarRules, build_calendar};
use socialkit::strategy::facts::platform_facts;
use socialkit::strategy::mix::MixRule;

use crate::common::{history, utc};

const TUE: usize = 24;
const THU: usize = 3 * 24;
const SAT: usize = 5 * 24;

fn activity(h: usize) -> f64 {
    if h % 24 == 21 || h == TUE + 8 || h == THU + 8 || h == SAT + 11 {
        3.0
    } else {
        1.0
    }
}

fn peaks() -> Vec<usize> {
    (0..168).filter(|h| activity(*h) > 1.0).collect()
}

fn recall(top: &[usize]) -> f64 {
    let p = peaks();
    top.iter().filter(|h| p.contains(h)).count() as f64 / p.len() as f64
}

struct Run {
    learned: f64,
    prior_only: f64,
    unshrunk: f64,
}

fn run(seed: u64, weeks: i64, per_week: usize) -> Run {
    let ny = chrono_tz::America::New_York;
    let now = utc("2026-05-04T12:00:00Z");
    let prior = channel_prior(
        &platform_prior(&platform_facts("x").unwrap()),
        &[(ny, 1.0)],
        ny,
        now,
    );
    let h = history(seed, ny, now, weeks, per_week, &activity);
    let k = peaks().len();
    let top = |scores: &[f64]| {
        let mut idx: Vec<usize> = (0..168).collect();
        idx.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
        idx.truncate(k);
        idx
    };
    let learned = learn("c", &h, ny, &prior, 4.0, now);
    let unshrunk = learn("c", &h, ny, &prior, 1e-6, now);
    Run {
        learned: recall(&top(&learned.scores)),
        prior_only: recall(&top(&prior)),
        unshrunk: recall(&top(&unshrunk.scores)),
    }
}

#[test]
fn learned_best_times_recover_the_known_peaks() {
    let runs: Vec<Run> = (0..20).map(|seed| run(seed, 16, 20)).collect();
    let mean = |f: &dyn Fn(&Run) -> f64| runs.iter().map(f).sum::<f64>() / runs.len() as f64;
    let (learned, prior, unshrunk) = (
        mean(&|r| r.learned),
        mean(&|r| r.prior_only),
        mean(&|r| r.unshrunk),
    );
    eprintln!(
        "backtest (16 weeks x 20 posts/week, 20 seeds): top-10 recall learned {learned:.3}, prior only {prior:.3}, without shrinkage {unshrunk:.3}"
    );
    assert!(learned >= 0.9, "learned recall {learned}");
    assert!(learned > prior, "learning beats the prior");
    assert!(learned >= unshrunk, "shrinkage does not hurt");
    // Every single seed recovers the daily 21:00 peak at least 6 days of 7.
    for (seed, r) in runs.iter().enumerate() {
        assert!(r.learned >= 0.7, "seed {seed}: {}", r.learned);
    }
}

#[test]
fn thin_history_against_a_wrong_prior_recovers_less() {
    // 4 weeks x 5 posts: 20 posts for 168 hours, and a prior that puts its weight elsewhere.
    let runs: Vec<Run> = (0..20).map(|seed| run(100 + seed, 4, 5)).collect();
    let learned = runs.iter().map(|r| r.learned).sum::<f64>() / 20.0;
    let unshrunk = runs.iter().map(|r| r.unshrunk).sum::<f64>() / 20.0;
    let prior = runs.iter().map(|r| r.prior_only).sum::<f64>() / 20.0;
    eprintln!(
        "backtest (4 weeks x 5 posts/week, wrong prior, 20 seeds): top-10 recall learned {learned:.3}, prior only {prior:.3}, without shrinkage {unshrunk:.3}"
    );
    // Shrinkage trades some recall for stability when the prior is wrong; it still learns.
    assert!(learned > prior);
}

/// Mean squared error of log scores against the log of the truth, both normalized to mean 1.
fn log_mse(scores: &[f64], truth: &[f64]) -> f64 {
    let norm = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x / m).max(1e-9).ln()).collect::<Vec<_>>()
    };
    let (a, b) = (norm(scores), norm(truth));
    a.iter().zip(&b).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / a.len() as f64
}

#[test]
fn with_a_sensible_prior_shrinkage_lowers_the_error_of_thin_history() {
    use rand::{Rng, SeedableRng};
    let ny = chrono_tz::America::New_York;
    let now = utc("2026-05-04T12:00:00Z");
    let prior = channel_prior(
        &platform_prior(&platform_facts("x").unwrap()),
        &[(ny, 1.0)],
        ny,
        now,
    );
    let (mut shrunk, mut raw) = (0.0, 0.0);
    for seed in 0..20u64 {
        // The truth: the prior with each hour off by about +-25 % (the model's tau).
        let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(1000 + seed);
        let truth: Vec<f64> = prior
            .iter()
            .map(|p| p * (1.0 + rng.random_range(-0.4..0.4)))
            .collect();
        let h = history(seed, ny, now, 4, 5, &|h| truth[h]);
        shrunk += log_mse(&learn("c", &h, ny, &prior, 4.0, now).scores, &truth);
        raw += log_mse(&learn("c", &h, ny, &prior, 1e-6, now).scores, &truth);
    }
    eprintln!(
        "backtest (4 weeks x 5 posts/week, sensible prior, 20 seeds): log-score MSE with k=4 {:.4}, without shrinkage {:.4}",
        shrunk / 20.0,
        raw / 20.0
    );
    assert!(shrunk < raw);
}

#[test]
fn the_learned_calendar_beats_a_uniform_schedule() {
    let ny = chrono_tz::America::New_York;
    let now = utc("2026-05-04T12:00:00Z");
    let prior = channel_prior(
        &platform_prior(&platform_facts("x").unwrap()),
        &[(ny, 1.0)],
        ny,
        now,
    );
    let h = history(7, ny, now, 16, 20, &activity);
    let learned = learn("c", &h, ny, &prior, 4.0, now);
    let ch = CalendarChannel {
        id: "c".into(),
        platform: "x".into(),
        zone: ny,
        language: None,
        posts_per_week: 7,
        min_spacing_minutes: 120,
        scores: learned.scores.clone(),
    };
    let rules = CalendarRules::new(
        ny,
        NaiveDate::from_ymd_opt(2026, 5, 11).unwrap(),
        NaiveDate::from_ymd_opt(2026, 8, 2).unwrap(),
        now,
    );
    let slots = build_calendar(&[ch], &rules, &MixRule::EightyTwenty.pillars().unwrap());
    let expected: f64 =
        slots.iter().map(|s| activity(s.hour_of_week)).sum::<f64>() / slots.len() as f64;
    let uniform: f64 = (0..168).map(activity).sum::<f64>() / 168.0;
    let lift = expected / uniform - 1.0;
    eprintln!(
        "backtest calendar: {} slots, mean activity {expected:.3} vs uniform {uniform:.3}: expected engagement lift {:.1}%",
        slots.len(),
        lift * 100.0
    );
    assert!(lift > 0.5, "lift {lift}");
}
