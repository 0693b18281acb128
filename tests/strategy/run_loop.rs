//! The loop: a small campaign's slots become engine deliveries on sandbox channels, are
//! published in simulated time, their metrics are collected and the campaign is graded; the
//! same inputs give the same report, byte for byte.

use std::collections::BTreeMap;
use std::sync::Arc;

use socialkit::Platform;
use socialkit::adapters::sandbox::SandboxWorld;
use socialkit::clock::{Clock, ManualClock};
use socialkit::engine::{Engine, EngineConfig};
use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore, Store};
use socialkit::strategy::run::{LoopOptions, LoopReport, SandboxSetup, run_plan, sandbox_channels};
use socialkit::strategy::{Inputs, Plan, plan};

use crate::common::date;

const OWNER: &str = "olga";

type OnPlatforms = BTreeMap<String, Vec<String>>;

/// Three weeks of `Inputs::example()` on sandbox channels with a week of history.
async fn run_small(store: Arc<dyn Store>) -> (Plan, LoopReport, OnPlatforms) {
    let mut inputs = Inputs::example();
    inputs.campaign.end = date(2026, 3, 22);
    let setup = SandboxSetup {
        seed: 11,
        history_weeks: 1,
        history_posts_per_week: 4,
    };
    let clock = ManualClock::new(setup.clock_start(&inputs));
    let world = SandboxWorld::new(Arc::new(clock.clone()));
    let accounts = sandbox_channels(&mut inputs, &setup, &world, &clock)
        .await
        .unwrap();
    let p = plan(&inputs, clock.now()).unwrap();
    let engine = Engine::builder(store)
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            seed: Some(setup.seed),
            ..EngineConfig::default()
        })
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", OWNER)
        .await
        .unwrap();
    for (id, account) in &accounts {
        engine
            .connect(
                &ws,
                OWNER,
                ChannelRecord::new(id.as_str(), "sandbox"),
                account.clone(),
            )
            .await
            .unwrap();
    }
    let options = LoopOptions {
        who: OWNER.into(),
        seed: setup.seed,
        ..LoopOptions::default()
    };
    let mut calls = 0;
    let report = run_plan(&p, &engine, &ws, &clock, &options, &mut |_| calls += 1)
        .await
        .unwrap();
    assert!(calls > 0, "progress was reported");
    // What is on the platforms, by channel id.
    let mut on_platforms = BTreeMap::new();
    for (id, account) in &accounts {
        let texts: Vec<String> = account
            .recent_posts(200)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.text)
            .collect();
        on_platforms.insert(id.clone(), texts);
    }
    (p, report, on_platforms)
}

fn check(p: &Plan, r: &LoopReport, on_platforms: &OnPlatforms) {
    assert!(!p.calendar.is_empty());
    assert_eq!(r.outcomes.len(), p.calendar.len(), "one outcome per slot");
    for (i, (o, s)) in r.outcomes.iter().zip(&p.calendar).enumerate() {
        assert_eq!((o.slot, &o.channel, o.planned_at), (i, &s.channel, s.at));
        let copies = on_platforms[&o.channel]
            .iter()
            .filter(|t| **t == o.text)
            .count();
        let want = usize::from(o.state == DeliveryState::Published);
        assert_eq!(copies, want, "slot {i}: posts on {}", o.channel);
        match o.state {
            DeliveryState::Published => {
                let published = o.published.as_ref().expect("a published slot has its post");
                assert!(published.published_at >= s.at, "not before its slot");
                let m = o
                    .metrics
                    .as_ref()
                    .expect("metrics for every published post");
                assert_eq!(m.post, published.post);
            }
            DeliveryState::Failed => assert!(o.error_kind.is_some(), "a typed failure"),
            other => panic!("slot {i} ended {other:?}"),
        }
    }
    assert_eq!(r.input.posts.len(), r.published());
    assert!(r.published() > 0);
    for g in &p.goals {
        assert!(
            !r.input.snapshots[&g.goal.id].is_empty(),
            "snapshots for {}",
            g.goal.id
        );
        assert_eq!(
            r.evaluation
                .kpis
                .iter()
                .filter(|k| k.goal == g.goal.id)
                .count(),
            1,
            "one status for goal {}",
            g.goal.id
        );
    }
}

#[tokio::test]
async fn every_slot_is_published_once_measured_and_graded() {
    let (p, r, on) = run_small(Arc::new(MemoryStore::new())).await;
    check(&p, &r, &on);
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn the_loop_on_sqlite_prints_the_same_report_twice() {
    use socialkit::store::SqliteStore;
    let mut printed = Vec::new();
    for _ in 0..2 {
        let store = Arc::new(SqliteStore::in_memory().unwrap());
        let (p, r, on) = run_small(store).await;
        check(&p, &r, &on);
        printed.push(serde_json::to_string_pretty(&r).unwrap());
    }
    assert!(printed[0] == printed[1], "two runs differ");
}
