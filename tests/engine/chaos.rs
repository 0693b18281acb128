//! 10,000 deliveries over 100 sandbox channels under random injected faults (429, 5xx,
//! timeouts, lost answers, rejections, failing lookups) and random worker crashes: every one
//! ends published exactly once or failed with its error, counted.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::Duration;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng as StdRng;
use socialkit::adapters::sandbox::{Call, Fault, FaultId, Sandbox, Trigger};
use socialkit::clock::ManualClock;
use socialkit::engine::{AfterPublish, Engine, EngineConfig, Hooks};
use socialkit::model::Post;
use socialkit::platform::Platform;
use socialkit::store::{
    ChannelId, Delivery, DeliveryFilter, DeliveryState, MemoryStore, SqliteStore, Store,
};
use socialkit::{Published, Result};

use crate::common::*;

/// The worker "dies" after 1% of platform calls, before it stores the answer; the delivery
/// stays Publishing until its lease ends and a later round reconciles it.
#[derive(Debug)]
struct CrashSometimes(Mutex<StdRng>);

impl Hooks for CrashSometimes {
    fn after_publish(&self, _: &Delivery, _: &Result<Published>) -> AfterPublish {
        if self.0.lock().unwrap().random::<f64>() < 0.01 {
            AfterPublish::Crash
        } else {
            AfterPublish::Store
        }
    }
}

fn faults(acct: &Sandbox, i: u64) -> Vec<(&'static str, FaultId)> {
    let f = acct.faults();
    let p = |p: f64, k: u64| Trigger::probability(Call::Publish, p, i * 100 + k);
    vec![
        (
            "429",
            f.inject(
                Fault::RateLimited {
                    retry_after_secs: 60,
                },
                p(0.04, 1),
            ),
        ),
        (
            "5xx",
            f.inject(Fault::ServerError { status: 503 }, p(0.04, 2)),
        ),
        ("timeout", f.inject(Fault::Timeout, p(0.04, 3))),
        ("lost answer", f.inject(Fault::LostAnswer, p(0.04, 4))),
        (
            "rejected",
            f.inject(
                Fault::Rejected {
                    reason: "policy".into(),
                },
                p(0.01, 5),
            ),
        ),
        (
            "lookup 5xx",
            f.inject(
                Fault::ServerError { status: 502 },
                Trigger::probability(Call::RecentPosts, 0.05, i * 100 + 6),
            ),
        ),
    ]
}

async fn run(store: Arc<dyn Store>, label: &str) {
    const CHANNELS: usize = 100;
    const POSTS: usize = 1000;
    const PER_POST: usize = 10;
    let clock = ManualClock::new(t0());
    let w = world(&clock);
    let e = Engine::builder(store.clone())
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            batch: 64,
            seed: Some(11),
            ..EngineConfig::default()
        })
        .hooks(Arc::new(CrashSometimes(Mutex::new(StdRng::seed_from_u64(
            3,
        )))))
        .build();
    let ws = workspace(&e).await;
    let mut accounts: HashMap<ChannelId, Arc<Sandbox>> = HashMap::new();
    let mut injected = Vec::new();
    let ids: Vec<ChannelId> = (0..CHANNELS)
        .map(|i| ChannelId::new(format!("ch-{i:03}")))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        let acct = sandbox(&w, &format!("acct{i:03}"));
        injected.push((acct.clone(), faults(&acct, i as u64)));
        // Half the channels dedupe by key; the other half cannot and rely on reconciliation.
        let platform: Arc<dyn Platform> = if i % 2 == 0 {
            acct.clone()
        } else {
            Arc::new(Unkeyed::new(acct.clone()))
        };
        connect(&e, &ws, id.as_str(), platform).await;
        accounts.insert(id.clone(), acct);
    }
    let mut rng = StdRng::seed_from_u64(5);
    for n in 0..POSTS {
        let start = rng.random_range(0..CHANNELS);
        let step = [1, 3, 7, 9, 11, 13][n % 6];
        let chans: Vec<ChannelId> = (0..PER_POST)
            .map(|k| ids[(start + k * step) % CHANNELS].clone())
            .collect();
        let at = t0() + Duration::minutes(rng.random_range(0..24 * 60));
        e.submit(
            &ws,
            OWNER,
            Post::text(format!("post number {n}")).scheduled_at(at),
            &chans,
        )
        .await
        .unwrap();
    }
    let started = std::time::Instant::now();
    let report = e.run_simulated(&clock, 100_000).await.unwrap();
    let took = started.elapsed();

    let mut fired: BTreeMap<&str, u64> = BTreeMap::new();
    for (acct, list) in &injected {
        for (name, id) in list {
            *fired.entry(name).or_default() += acct.faults().fired(*id);
        }
    }
    // What is on the platforms, per channel and text.
    let mut on_platform: HashMap<(ChannelId, String), usize> = HashMap::new();
    let mut total_posts = 0;
    for (id, acct) in &accounts {
        acct.faults().clear();
        let posts = acct.recent_posts(200).await.unwrap();
        assert!(posts.len() < 200, "the listing is complete");
        total_posts += posts.len();
        for p in posts {
            *on_platform.entry((id.clone(), p.text)).or_default() += 1;
        }
    }
    let all = store
        .deliveries(&ws, &DeliveryFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), POSTS * PER_POST);
    let (mut published, mut failed_in_doubt) = (0, 0);
    let mut failed_by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for d in &all {
        let copies = on_platform
            .get(&(d.channel.clone(), d.content.text.clone()))
            .copied()
            .unwrap_or(0);
        match d.state {
            DeliveryState::Published => {
                assert_eq!(
                    copies, 1,
                    "delivery {} is on the platform {copies} times",
                    d.id
                );
                published += 1;
            }
            DeliveryState::Failed => {
                let err = d
                    .error
                    .as_ref()
                    .expect("a failed delivery carries its error");
                *failed_by_kind.entry(err.kind.to_string()).or_default() += 1;
                if d.in_doubt() {
                    failed_in_doubt += 1;
                    assert!(copies <= 1, "never twice");
                } else {
                    assert_eq!(copies, 0, "a definite failure left no post: {}", d.id);
                }
            }
            s => panic!("delivery {} ended in {s}", d.id),
        }
    }
    let failed: usize = failed_by_kind.values().sum();
    println!(
        "[{label}] {} deliveries over {CHANNELS} sandbox channels in {took:.2?}: published {published} \
         (found by reconciliation {}), failed {failed} {failed_by_kind:?} (of them in doubt {failed_in_doubt}); \
         claims {}, retries {}, crashes {}; posts on the platforms {total_posts}; faults fired {fired:?}",
        all.len(),
        report.reconciled,
        report.claimed,
        report.retried,
        report.abandoned,
    );
    assert_eq!(published + failed, POSTS * PER_POST);
    // Every channel lists its posts, so every doubt is settled: nothing failed in doubt, and
    // the platforms hold exactly the published deliveries.
    assert_eq!(failed_in_doubt, 0);
    assert_eq!(total_posts, published);
    assert!(report.reconciled > 0 && report.abandoned > 0);
    assert!(
        fired.values().all(|n| *n > 0),
        "every kind of fault fired: {fired:?}"
    );
}

#[tokio::test]
async fn ten_thousand_deliveries_under_faults_memory() {
    run(Arc::new(MemoryStore::new()), "memory").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_deliveries_under_faults_sqlite() {
    run(Arc::new(SqliteStore::in_memory().unwrap()), "sqlite").await;
}
