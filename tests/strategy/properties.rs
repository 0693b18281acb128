//! Properties of every plan: no slot outside the campaign window, over capacity or closer than
//! the channel's spacing; no slot on a blackout date; shares sum to 1.

use std::collections::BTreeMap;

use chrono::Duration;
use proptest::prelude::*;
use socialkit::strategy::inputs::ChannelInput;
use socialkit::strategy::mix::{MixRule, PillarSpec};
use socialkit::strategy::{Inputs, plan};

use crate::common::{date, history, utc};

const ZONES: [chrono_tz::Tz; 6] = [
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::UTC,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Australia::Sydney,
    chrono_tz::America::Los_Angeles,
];

const PLATFORMS: [&str; 8] = [
    "instagram",
    "facebook",
    "x",
    "linkedin",
    "mastodon",
    "bluesky",
    "reddit",
    "sandbox",
];

#[derive(Debug, Clone)]
struct Case {
    channels: Vec<(usize, usize, bool, Option<u32>)>, // platform, zone, history, spacing
    capacity: u32,
    start_offset_days: i64,
    length_days: i64,
    campaign_zone: usize,
    blackout: Vec<i64>,
    lead_hours: u32,
    now_offset_hours: i64,
    mix: u8,
    weights: Vec<f64>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(
            (
                0..PLATFORMS.len(),
                0..ZONES.len(),
                any::<bool>(),
                prop::option::of(0u32..600),
            ),
            1..7,
        ),
        1u32..40,
        0i64..400,
        1i64..150,
        0..ZONES.len(),
        prop::collection::vec(0i64..150, 0..6),
        0u32..72,
        -100i64..1000,
        0u8..6,
        prop::collection::vec(0.0f64..5.0, 1..4),
    )
        .prop_map(
            |(
                channels,
                capacity,
                start_offset_days,
                length_days,
                campaign_zone,
                blackout,
                lead_hours,
                now_offset_hours,
                mix,
                weights,
            )| Case {
                channels,
                capacity,
                start_offset_days,
                length_days,
                campaign_zone,
                blackout,
                lead_hours,
                now_offset_hours,
                mix,
                weights,
            },
        )
}

fn inputs_of(c: &Case) -> (Inputs, chrono::DateTime<chrono::Utc>) {
    let mut inputs = Inputs::example();
    let start = date(2026, 1, 1) + Duration::days(c.start_offset_days);
    let end = start + Duration::days(c.length_days - 1);
    let zone = ZONES[c.campaign_zone];
    inputs.campaign.start = start;
    inputs.campaign.end = end;
    inputs.campaign.time_zone = Some(zone);
    inputs.campaign.blackout_dates = c
        .blackout
        .iter()
        .map(|d| start + Duration::days(*d))
        .collect();
    let now = socialkit::strategy::localtime::start_of_day(zone, start)
        + Duration::hours(c.now_offset_hours);
    let now = now.min(socialkit::strategy::localtime::start_of_day(zone, end) - Duration::hours(1));
    for g in &mut inputs.goals {
        g.deadline = end + Duration::days(30);
    }
    inputs.capacity.posts_per_week = c.capacity;
    inputs.capacity.lead_time_hours = c.lead_hours;
    inputs.settings.min_selection_score = 0.0;
    inputs.settings.mix = match c.mix {
        0 => MixRule::EightyTwenty,
        1 => MixRule::Thirds,
        2 => MixRule::FiveThreeTwo,
        3 => MixRule::FiveThreeOne,
        4 => MixRule::FourOneOne,
        _ => MixRule::Custom {
            pillars: c
                .weights
                .iter()
                .enumerate()
                .map(|(i, w)| PillarSpec {
                    name: format!("p{i}"),
                    weight: w + 0.01,
                    purpose: None,
                })
                .collect(),
        },
    };
    inputs.channels = c
        .channels
        .iter()
        .enumerate()
        .map(|(i, (p, z, h, spacing))| {
            let mut ch = ChannelInput::from_channel(&socialkit::model::Channel::new(
                PLATFORMS[*p],
                format!("c{i}"),
                "acme",
            ));
            ch.time_zone = Some(ZONES[*z]);
            ch.min_spacing_minutes = *spacing;
            ch.followers = Some(500 * (i as u64 + 1));
            if *h {
                ch.history = history(i as u64, ZONES[*z], now, 8, 4, &|h| {
                    1.0 + (h % 24) as f64 / 24.0
                });
            }
            ch
        })
        .collect();
    (inputs, now)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn every_plan_keeps_window_capacity_spacing_and_shares(c in case()) {
        let (inputs, now) = inputs_of(&c);
        let p = plan(&inputs, now).unwrap();
        let (start, end) = (p.campaign.starts_at, p.campaign.ends_at);
        let earliest = now + Duration::hours(i64::from(c.lead_hours));
        let cadence: BTreeMap<&str, u32> = p.cadence.iter().map(|c| (c.channel.as_str(), c.posts_per_week)).collect();
        prop_assert!(cadence.values().sum::<u32>() <= c.capacity);
        let mut per_week: BTreeMap<u32, u32> = BTreeMap::new();
        let mut per_channel_week: BTreeMap<(&str, u32), u32> = BTreeMap::new();
        for s in &p.calendar {
            prop_assert!(s.at >= start && s.at < end, "slot {} outside [{start}, {end})", s.at);
            prop_assert!(s.at >= earliest, "slot {} before now + lead {earliest}", s.at);
            prop_assert!(!inputs.campaign.blackout_dates.contains(&s.local.date()), "slot on blackout {}", s.local);
            prop_assert_eq!(s.local, s.at.with_timezone(&s.zone).naive_local());
            *per_week.entry(s.week).or_default() += 1;
            *per_channel_week.entry((s.channel.as_str(), s.week)).or_default() += 1;
        }
        for (w, n) in &per_week {
            prop_assert!(*n <= p.capacity.posts_per_week, "week {w}: {n} slots > capacity {}", p.capacity.posts_per_week);
        }
        for ((ch, w), n) in &per_channel_week {
            prop_assert!(*n <= cadence[ch], "{ch} week {w}: {n} > cadence {}", cadence[ch]);
        }
        for ch in inputs.channels.iter() {
            let spacing = ch.min_spacing_minutes.unwrap_or_else(|| {
                socialkit::strategy::select::facts_for(&inputs, ch.planning_platform()).min_spacing_minutes
            });
            let times: Vec<_> = p.slots_of(&ch.id).map(|s| s.at).collect();
            for w in times.windows(2) {
                prop_assert!(w[1] > w[0]);
                prop_assert!(w[1] - w[0] >= Duration::minutes(i64::from(spacing)), "{}: {} then {}", ch.id, w[0], w[1]);
            }
        }
        let pillar_sum: f64 = p.mix.pillars.iter().map(|p| p.share).sum();
        prop_assert!((pillar_sum - 1.0).abs() < 1e-9, "pillar shares sum {pillar_sum}");
        let weights: f64 = p.selection.weights.iter().sum();
        prop_assert!((weights - 1.0).abs() < 1e-9);
        if !p.budget.organic.is_empty() {
            let s: f64 = p.budget.organic.iter().map(|s| s.share).sum();
            prop_assert!((s - 1.0).abs() < 1e-9, "organic shares sum {s}");
        }
        if !p.budget.paid.is_empty() {
            let s: f64 = p.budget.paid.iter().map(|s| s.share).sum();
            prop_assert!((s - 1.0).abs() < 1e-9, "paid shares sum {s}");
            let total: u64 = p.budget.paid.iter().map(|s| s.amount_minor).sum();
            prop_assert_eq!(total + p.budget.unallocated_minor, inputs.budget.paid.as_ref().unwrap().minor_units());
        }
    }
}

#[test]
fn a_full_week_uses_every_planned_post() {
    // Enough room: every channel gets its cadence in every full week.
    let mut inputs = Inputs::example();
    inputs.campaign.start = date(2026, 6, 1);
    inputs.campaign.end = date(2026, 6, 28);
    inputs.campaign.blackout_dates.clear();
    for g in &mut inputs.goals {
        g.deadline = date(2026, 6, 28);
    }
    let p = plan(&inputs, utc("2026-05-01T00:00:00Z")).unwrap();
    for w in 0..4 {
        let n = p.calendar.iter().filter(|s| s.week == w).count() as u32;
        assert_eq!(n, p.capacity.planned_per_week, "week {w}");
    }
}
