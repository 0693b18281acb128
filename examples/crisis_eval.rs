//! Evaluates crisis detection on replayed NAB social-volume series with synthetic negative bursts
//! injected into them, and reports precision, recall and alarms per month for several
//! false-alarm budgets.
//!
//! ```sh
//! cargo run --release --example crisis_eval
//! ```
//!
//! The six NAB `realTweets` series (`tests/data/nab/`, mentions per 5 minutes, about 55 days
//! each) are replayed as the volume of one channel each, in 15-minute buckets. Every mention is
//! scored negative with probability 0.15 and its author has a heavy-tailed follower count
//! (Pareto, median about 200). NAB's own labelled anomalies stay in: they are volume spikes
//! without a change in tone, so an alarm there is a false alarm. Into each series three
//! crises are injected at seeded random times (10 to 15 days apart, the first after 20 days of
//! history): for 1–3
//! hours, extra mentions of 0.5×, 1× or 2× the series' median hourly volume (weak, medium,
//! strong), 70% of them negative, from authors with three times the usual reach. An alarm
//! counts as a hit if it falls in a crisis or up to two hours after it.

use chrono::{DateTime, Duration, Utc};
use socialkit::listen::crisis::{CrisisConfig, CrisisMonitor, Tally};

#[path = "../tests/listen_support/nab.rs"]
mod nab;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn followers(&mut self, scale: f64) -> u64 {
        // Pareto with shape 1.2: median about scale·2^(1/1.2) ≈ 1.8·scale.
        let u = self.next().max(1e-12);
        (scale / u.powf(1.0 / 1.2)).min(5e7) as u64
    }
}

struct Crisis {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    strength: usize,
}

fn main() {
    let files = nab::load(&nab::nab_data_dir()).expect("tests/data/nab");
    let tweets: Vec<_> = files
        .iter()
        .filter(|f| f.category() == "realTweets")
        .collect();
    let budgets = [0.5, 1.0, 2.0, 4.0];
    println!(
        "{:<8} {:>7} {:>9} {:>8} {:>8} {:>8} {:>8} {:>11} {:>11}",
        "budget",
        "alarms",
        "precision",
        "recall",
        "weak",
        "medium",
        "strong",
        "alarms/mo",
        "false/mo"
    );
    for budget in budgets {
        let (mut alarms, mut hits, mut found, mut total) = (0usize, 0usize, 0usize, 0usize);
        let mut by_strength = [(0usize, 0usize); 3];
        let mut months = 0.0;
        for (fi, f) in tweets.iter().enumerate() {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (fi as u64 + 1));
            let first = f.timestamps[0];
            let last = *f.timestamps.last().unwrap();
            months += (last - first).num_seconds() as f64 / (30.0 * 86_400.0);
            // Median hourly volume.
            let mut per5: Vec<f64> = f.values.clone();
            per5.sort_by(f64::total_cmp);
            let hourly = per5[per5.len() / 2] * 12.0;
            // Crisis times.
            let mut crises: Vec<Crisis> = Vec::new();
            let mut at = first + Duration::days(10);
            // (the first step below adds 10 to 15 days)
            while crises.len() < 3 {
                at += Duration::hours(240 + (rng.next() * 120.0) as i64);
                let hours = 1 + (rng.next() * 3.0) as i64;
                if at + Duration::hours(hours) > last {
                    break;
                }
                crises.push(Crisis {
                    start: at,
                    end: at + Duration::hours(hours),
                    strength: crises.len() % 3,
                });
            }
            let mut m = CrisisMonitor::new(CrisisConfig {
                alarms_per_month: budget,
                ..CrisisConfig::default()
            });
            let mut signals = Vec::new();
            for (t, v) in f.timestamps.iter().zip(&f.values) {
                let mut tally = Tally {
                    reach_known: true,
                    ..Tally::default()
                };
                let n = v.max(0.0) as u64;
                for _ in 0..n {
                    tally.count += 1;
                    tally.scored += 1;
                    if rng.next() < 0.15 {
                        tally.negative += 1;
                        tally.negative_reach += rng.followers(110.0);
                    }
                }
                if let Some(c) = crises.iter().find(|c| *t >= c.start && *t < c.end) {
                    let extra = hourly * [0.5, 1.0, 2.0][c.strength] / 12.0;
                    let k = (extra + rng.next()).floor() as u64;
                    for _ in 0..k {
                        tally.count += 1;
                        tally.scored += 1;
                        if rng.next() < 0.7 {
                            tally.negative += 1;
                            tally.negative_reach += rng.followers(330.0);
                        }
                    }
                }
                signals.extend(m.observe_tally(*t, tally));
            }
            signals.extend(m.flush(last + Duration::hours(3)));
            for c in &crises {
                total += 1;
                by_strength[c.strength].1 += 1;
                if signals
                    .iter()
                    .any(|s| s.at >= c.start && s.at <= c.end + Duration::hours(2))
                {
                    found += 1;
                    by_strength[c.strength].0 += 1;
                }
            }
            for s in &signals {
                alarms += 1;
                if crises
                    .iter()
                    .any(|c| s.at >= c.start && s.at <= c.end + Duration::hours(2))
                {
                    hits += 1;
                }
            }
        }
        let rate = |(a, b): (usize, usize)| a as f64 / b.max(1) as f64;
        println!(
            "{:<8} {:>7} {:>9.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>11.2} {:>11.2}",
            format!("{budget}/mo"),
            alarms,
            hits as f64 / alarms.max(1) as f64,
            found as f64 / total.max(1) as f64,
            rate(by_strength[0]),
            rate(by_strength[1]),
            rate(by_strength[2]),
            alarms as f64 / months,
            (alarms - hits) as f64 / months
        );
    }
}
