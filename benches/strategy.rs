//! Planning 12 months for 50 channels: 6 platforms, audiences in Berlin and New York, 16 weeks
//! of history (5 posts/week) per channel, capacity 5 posts/week per channel.
//!
//! `cargo bench --bench strategy`

use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use socialkit::model::{Channel, PostMetrics, PostRef};
use socialkit::strategy::inputs::{AudienceSegment, ChannelInput, HistoryPost};
use socialkit::strategy::{Inputs, plan};

const PLATFORMS: [&str; 6] = [
    "instagram",
    "facebook",
    "x",
    "linkedin",
    "mastodon",
    "bluesky",
];

fn inputs(channels: usize) -> (Inputs, DateTime<Utc>) {
    let now: DateTime<Utc> = "2026-01-04T12:00:00Z".parse().unwrap_or_default();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let mut inputs = Inputs::example();
    inputs.audience.segments = vec![
        AudienceSegment::new("DACH", "DE", chrono_tz::Europe::Berlin, &["de"]),
        AudienceSegment::new("US East", "US", chrono_tz::America::New_York, &["en"]),
    ];
    inputs.campaign.start = day(2026, 1, 5);
    inputs.campaign.end = day(2027, 1, 3);
    for g in &mut inputs.goals {
        g.deadline = inputs.campaign.end;
    }
    inputs.capacity.posts_per_week = 5 * channels as u32;
    inputs.channels = (0..channels)
        .map(|i| {
            let mut c = ChannelInput::from_channel(&Channel::new(
                PLATFORMS[i % PLATFORMS.len()],
                format!("ch-{i:02}"),
                "acme",
            ));
            c.followers = Some(1_000 + 500 * i as u64);
            c.time_zone = Some(if i % 3 == 2 {
                chrono_tz::America::New_York
            } else {
                chrono_tz::Europe::Berlin
            });
            // 80 posts over 16 weeks at varied hours, better in the evening.
            c.history = (0..80u64)
                .map(|k| {
                    let at = now - Duration::hours((k * 37 + i as u64 * 11) as i64 % (16 * 168));
                    let mut m = PostMetrics::new(PostRef::new("x", format!("{i}-{k}")), at);
                    m.reach = Some(1_000);
                    m.likes = Some(if (k * 37) % 24 >= 18 { 40 } else { 15 } + k % 7);
                    HistoryPost {
                        published_at: at,
                        metrics: m,
                    }
                })
                .collect();
            c
        })
        .collect();
    (inputs, now)
}

fn bench(c: &mut Criterion) {
    let (inputs, now) = inputs(50);
    if let Ok(p) = plan(&inputs, now) {
        eprintln!(
            "12 months, 50 channels: {} weeks, {} slots, {} posts/week planned",
            p.campaign.weeks,
            p.calendar.len(),
            p.capacity.planned_per_week
        );
    }
    let mut group = c.benchmark_group("strategy");
    group.sample_size(20);
    group.bench_function("plan_12_months_50_channels", |b| {
        b.iter(|| plan(black_box(&inputs), black_box(now)))
    });
    group.bench_function("plan_to_json_12_months_50_channels", |b| {
        b.iter(|| plan(black_box(&inputs), black_box(now)).and_then(|p| p.to_json()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
