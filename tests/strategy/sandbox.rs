//! Backtest on the sandbox: a simulated audience in New York with known active hours. A
//! history channel posts at random hours for 12 weeks; the plan learns best times from its
//! metrics; then two identical channels post for 8 weeks, one on the plan's calendar, one on a
//! uniform schedule with the same number of posts. The learned best times should recover the
//! audience's best posting hours, and the learned schedule should earn more engagements.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng as StdRng;
use socialkit::adapters::sandbox::{
    ActivityProfile, Sandbox, SandboxAudience, SandboxConfig, SandboxWorld,
};
use socialkit::model::{PostMetrics, PostRef};
use socialkit::strategy::goals::{Goal, GoalKind};
use socialkit::strategy::inputs::{AudienceSegment, ChannelInput, HistoryPost};
use socialkit::strategy::kpi::KpiId;
use socialkit::strategy::{Inputs, plan};
use socialkit::{Platform, PlatformExt};

use crate::common::{date, utc};

fn audience() -> SandboxAudience {
    SandboxAudience {
        time_zone: chrono_tz::America::New_York,
        activity: ActivityProfile::from_fn(|day, hour| {
            let d = day.num_days_from_monday();
            if hour == 20 || (hour == 8 && (d == 1 || d == 3)) || (hour == 11 && d == 5) {
                4.0
            } else if (1..6).contains(&hour) {
                0.1
            } else {
                0.6
            }
        })
        .unwrap(),
        half_life_hours: 1.0,
        ..SandboxAudience::default()
    }
}

fn account(world: &SandboxWorld, name: &str) -> Arc<Sandbox> {
    world
        .channel(
            name,
            SandboxConfig::default()
                .with_seed(7)
                .with_followers(4000)
                .with_audience(audience()),
        )
        .unwrap()
}

/// Publishes at each instant (in order) and returns the posts.
async fn publish_at(
    world: &SandboxWorld,
    who: &[(DateTime<Utc>, Arc<Sandbox>)],
) -> Vec<(DateTime<Utc>, String, PostRef)> {
    let mut out = Vec::new();
    for (i, (at, acc)) in who.iter().enumerate() {
        world.advance_to(*at).unwrap();
        let p = acc
            .publish_text(&format!("Post {i} about anvils"))
            .await
            .unwrap();
        out.push((*at, acc.handle().to_string(), p.post));
    }
    out
}

async fn metrics(acc: &Sandbox, posts: &[PostRef]) -> Vec<PostMetrics> {
    let mut out = Vec::new();
    for chunk in posts.chunks(100) {
        out.extend(acc.post_metrics(chunk).await.unwrap());
    }
    out
}

fn engagements(m: &[PostMetrics]) -> f64 {
    m.iter()
        .map(|m| m.engagements().unwrap_or(0) as f64)
        .sum::<f64>()
        / m.len().max(1) as f64
}

#[tokio::test]
async fn learned_times_recover_the_audience_and_beat_a_uniform_schedule() {
    let start = utc("2026-01-05T05:00:00Z"); // Monday 00:00 in New York
    let world = SandboxWorld::simulated(start);
    let history_acc = account(&world, "acme-history");
    let mut rng = StdRng::seed_from_u64(42);

    // 12 weeks of history, 14 posts a week at random minutes.
    let weeks = 12;
    let mut times: Vec<DateTime<Utc>> = (0..weeks * 14)
        .map(|_| start + Duration::minutes(rng.random_range(0..weeks * 7 * 24 * 60)))
        .collect();
    times.sort();
    let posted = publish_at(
        &world,
        &times
            .iter()
            .map(|t| (*t, history_acc.clone()))
            .collect::<Vec<_>>(),
    )
    .await;
    let end_of_history = start + Duration::weeks(weeks);
    world
        .advance_to(end_of_history + Duration::days(2))
        .unwrap();
    let refs: Vec<PostRef> = posted.iter().map(|p| p.2.clone()).collect();
    let history: Vec<HistoryPost> = posted
        .iter()
        .zip(metrics(&history_acc, &refs).await)
        .map(|((at, _, _), m)| HistoryPost {
            published_at: *at,
            metrics: m,
        })
        .collect();

    // Plan 8 weeks for one channel at 7 posts/week.
    let now = world.now();
    let mut inputs = Inputs::example();
    inputs.audience.segments = vec![AudienceSegment::new(
        "US East",
        "US",
        chrono_tz::America::New_York,
        &["en"],
    )];
    inputs.campaign.start = date(2026, 4, 6);
    inputs.campaign.end = date(2026, 5, 31);
    inputs.campaign.blackout_dates.clear();
    inputs.goals = vec![Goal::new(
        "engagement",
        GoalKind::Engagement,
        KpiId::EngagementRateByFollowers,
        0.01,
        0.02,
        date(2026, 5, 31),
    )];
    inputs.capacity.posts_per_week = 7;
    let channel = history_acc.channel().await.unwrap();
    let mut ch = ChannelInput::from_channel(&channel).planned_as("x");
    ch.capabilities = Some(history_acc.capabilities().clone());
    ch.history = history;
    ch.min_spacing_minutes = Some(120);
    inputs.channels = vec![ch];
    inputs.settings.facts.insert("x".into(), {
        let mut f = socialkit::strategy::facts::platform_facts("x").unwrap();
        f.cadence.recommended_per_week = 7;
        f
    });
    let p = plan(&inputs, now).unwrap();
    assert_eq!(p.capacity.planned_per_week, 7);

    // Recovery: the learned top-10 hours against the audience's top-10 posting hours.
    let truth: Vec<usize> = audience()
        .best_posting_hours(10)
        .into_iter()
        .map(|(d, h)| d.num_days_from_monday() as usize * 24 + h as usize)
        .collect();
    let learned = socialkit::strategy::besttimes::learn(
        "acme-history",
        &inputs.channels[0].history,
        chrono_tz::America::New_York,
        &socialkit::strategy::besttimes::channel_prior(
            &socialkit::strategy::besttimes::platform_prior(
                &socialkit::strategy::facts::platform_facts("x").unwrap(),
            ),
            &[(chrono_tz::America::New_York, 1.0)],
            chrono_tz::America::New_York,
            p.campaign.starts_at,
        ),
        4.0,
        now,
    );
    let top: Vec<usize> = learned.top(10).iter().map(|h| h.hour_of_week).collect();
    let hit = top.iter().filter(|h| truth.contains(h)).count();
    // A peak hour counts as recovered when the learned hour is the peak or the hour before it
    // (a post an hour early catches the peak at its start, half-life 1 h).
    let near = top
        .iter()
        .filter(|h| truth.iter().any(|t| **h == *t || (**h + 1) % 168 == *t))
        .count();

    // 8 weeks: the plan's slots vs the same number of posts at uniformly random times.
    let learned_acc = account(&world, "acme-learned");
    let uniform_acc = account(&world, "acme-uniform");
    let slots: Vec<DateTime<Utc>> = p.calendar.iter().map(|s| s.at).collect();
    let mut uniform: Vec<DateTime<Utc>> = (0..slots.len())
        .map(|_| {
            p.campaign.starts_at
                + Duration::minutes(
                    rng.random_range(0..(p.campaign.ends_at - p.campaign.starts_at).num_minutes()),
                )
        })
        .collect();
    uniform.sort();
    world.advance_to(p.campaign.starts_at).unwrap();
    let mut both: Vec<(DateTime<Utc>, Arc<Sandbox>)> =
        slots.iter().map(|t| (*t, learned_acc.clone())).collect();
    both.extend(uniform.iter().map(|t| (*t, uniform_acc.clone())));
    both.sort_by_key(|(t, acc)| (*t, acc.handle().to_string()));
    let posted = publish_at(&world, &both).await;
    world
        .advance_to(p.campaign.ends_at + Duration::days(2))
        .unwrap();
    let of = |name: &str| {
        posted
            .iter()
            .filter(|p| p.1 == name)
            .map(|p| p.2.clone())
            .collect::<Vec<_>>()
    };
    let learned_eng = engagements(&metrics(&learned_acc, &of("acme-learned")).await);
    let uniform_eng = engagements(&metrics(&uniform_acc, &of("acme-uniform")).await);
    let lift = learned_eng / uniform_eng - 1.0;
    let mut truth_names: Vec<String> = truth
        .iter()
        .map(|h| socialkit::strategy::localtime::hour_name(*h))
        .collect();
    truth_names.sort();
    eprintln!(
        "sandbox backtest: {} history posts; learned top-10 hits {hit}/10 exactly, {near}/10 at the peak or the hour before; \
         {} slots; engagements/post learned {learned_eng:.1} vs uniform {uniform_eng:.1}: lift {:.1}%\n  true best hours: {}\n  learned top-10: {}",
        times.len(),
        slots.len(),
        lift * 100.0,
        truth_names.join(", "),
        learned
            .top(10)
            .iter()
            .map(|h| h.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(near >= 8, "recovered {near}/10");
    assert!(lift > 0.2, "lift {lift}");
}
