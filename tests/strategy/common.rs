//! Shared builders: inputs with many channels, zones and synthetic history.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng as StdRng;
use socialkit::model::{PostMetrics, PostRef};
use socialkit::strategy::Inputs;
use socialkit::strategy::inputs::{AudienceSegment, ChannelInput, HistoryPost};

pub const PLATFORMS: [&str; 6] = [
    "instagram",
    "facebook",
    "x",
    "linkedin",
    "mastodon",
    "bluesky",
];

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A Poisson draw (Knuth; fine for the small means used here).
pub fn poisson(rng: &mut StdRng, lambda: f64) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 500.0 {
        return lambda.round() as u64;
    }
    let l = (-lambda).exp();
    let mut k = 0u64;
    let mut p = 1.0;
    loop {
        p *= rng.random::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

/// `weeks` of history before `now`: `per_week` posts at random hours, engagement drawn from
/// Poisson(reach × 2% × activity(hour of week in `zone`)).
pub fn history(
    seed: u64,
    zone: Tz,
    now: DateTime<Utc>,
    weeks: i64,
    per_week: usize,
    activity: &dyn Fn(usize) -> f64,
) -> Vec<HistoryPost> {
    let mut rng = StdRng::seed_from_u64(seed);
    let start = now - Duration::weeks(weeks);
    let mut out = Vec::new();
    for i in 0..(weeks as usize * per_week) {
        let at = start + Duration::minutes(rng.random_range(0..weeks * 7 * 24 * 60));
        let how = socialkit::strategy::localtime::hour_of_week_at(zone, at);
        let reach = 1000u64;
        let likes = poisson(&mut rng, reach as f64 * 0.02 * activity(how));
        let mut m = PostMetrics::new(PostRef::new("sandbox", format!("{seed}-{i}")), at);
        m.reach = Some(reach);
        m.impressions = Some(reach * 3 / 2);
        m.likes = Some(likes);
        m.replies = Some(likes / 10);
        out.push(HistoryPost {
            published_at: at,
            metrics: m,
        });
    }
    out.sort_by_key(|h| h.published_at);
    out
}

/// Inputs with `n` channels over `months` months from 2026-01-05, audience in Berlin and New
/// York, capacity 5 posts/week per channel, 16 weeks of history per channel.
pub fn many_channels(n: usize, months: u32, with_history: bool) -> (Inputs, DateTime<Utc>) {
    let now = utc("2026-01-04T12:00:00Z");
    let mut inputs = Inputs::example();
    inputs.audience.segments = vec![
        AudienceSegment::new("DACH", "DE", chrono_tz::Europe::Berlin, &["de"]),
        AudienceSegment::new("US East", "US", chrono_tz::America::New_York, &["en"]),
    ];
    inputs.audience.segments[0].share = 2.0;
    inputs.campaign.start = date(2026, 1, 5);
    let end_month = 1 + months;
    inputs.campaign.end = if end_month > 12 {
        date(
            2026 + ((end_month - 1) / 12) as i32,
            (end_month - 1) % 12 + 1,
            1,
        )
    } else {
        date(2026, end_month, 1)
    }
    .pred_opt()
    .unwrap();
    for g in &mut inputs.goals {
        g.deadline = inputs.campaign.end;
    }
    inputs.capacity.posts_per_week = 5 * n as u32;
    inputs.channels = (0..n)
        .map(|i| {
            let platform = PLATFORMS[i % PLATFORMS.len()];
            let zone = if i % 3 == 2 {
                chrono_tz::America::New_York
            } else {
                chrono_tz::Europe::Berlin
            };
            let mut c = ChannelInput::from_channel(&socialkit::model::Channel::new(
                platform,
                format!("ch-{i:02}"),
                format!("acme{i}"),
            ));
            c.followers = Some(1_000 + 500 * i as u64);
            c.time_zone = Some(zone);
            if with_history {
                c.history = history(i as u64, zone, now, 16, 5, &|h| {
                    if h % 24 == 12 || h % 24 == 19 {
                        2.0
                    } else {
                        0.8
                    }
                });
            }
            c
        })
        .collect();
    (inputs, now)
}
