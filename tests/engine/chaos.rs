//! 10,000 deliveries over 100 channels under random injected faults: every one ends
//! published exactly once or failed with its error, counted.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::Duration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use socialkit::clock::{ManualClock, SharedClock};
use socialkit::engine::testing::EchoPlatform;
use socialkit::engine::{AfterPublish, Engine, EngineConfig, Hooks};
use socialkit::model::{Channel, Post, PublishOptions, Published, RecentPost};
use socialkit::platform::{Capabilities, Idempotency, Platform};
use socialkit::store::{
    ChannelId, Delivery, DeliveryFilter, DeliveryState, MemoryStore, SqliteStore, Store,
};
use socialkit::{Error, ErrorKind, Result};

use crate::common::*;

/// Wraps a platform and fails at random, the ways real platforms fail.
#[derive(Debug)]
struct Chaos {
    inner: EchoPlatform,
    caps: Capabilities,
    keyed: bool,
    clock: SharedClock,
    rng: Mutex<StdRng>,
    injected: Arc<Mutex<BTreeMap<&'static str, usize>>>,
}

impl Chaos {
    fn roll(&self) -> f64 {
        self.rng.lock().unwrap().random::<f64>()
    }

    fn count(&self, what: &'static str) {
        *self.injected.lock().unwrap().entry(what).or_default() += 1;
    }
}

#[async_trait]
impl Platform for Chaos {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    async fn channel(&self) -> Result<Channel> {
        self.inner.channel().await
    }

    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published> {
        // An unkeyed platform never sees the key: it cannot dedupe.
        let opts = if self.keyed {
            opts.clone()
        } else {
            PublishOptions::default()
        };
        let r = self.roll();
        let now = self.clock.now();
        if r < 0.04 {
            self.count("429");
            return Err(Error::new(ErrorKind::RateLimited, "429")
                .with_retry_after(now + Duration::seconds(60)));
        }
        if r < 0.08 {
            self.count("5xx");
            return Err(Error::new(ErrorKind::Platform, "503").with_http_status(503));
        }
        if r < 0.12 {
            self.count("timeout");
            return Err(Error::new(
                ErrorKind::Timeout,
                "timed out before the request arrived",
            ));
        }
        if r < 0.16 {
            self.count("lost answer");
            self.inner.publish(post, &opts).await?;
            return Err(Error::new(ErrorKind::Timeout, "the answer was lost"));
        }
        // A platform that honours keys answers a repeated key with the first result before it
        // looks at the content again.
        let seen = opts.idempotency_key.is_some()
            && self
                .inner
                .published()
                .iter()
                .any(|p| p.idempotency_key == opts.idempotency_key);
        if r < 0.17 && !seen {
            self.count("rejected");
            return Err(Error::new(ErrorKind::ContentRejected, "rejected by policy"));
        }
        self.inner.publish(post, &opts).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        if self.roll() < 0.05 {
            self.count("recent posts 5xx");
            return Err(Error::new(ErrorKind::Platform, "503"));
        }
        self.inner.recent_posts(limit).await
    }
}

/// The worker "dies" after 1% of platform calls, before it stores the answer; the delivery
/// stays Publishing until its lease ends and another round reconciles it.
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

async fn run(store: Arc<dyn Store>, label: &str) {
    const CHANNELS: usize = 100;
    const POSTS: usize = 1000;
    const PER_POST: usize = 10;
    let clock = ManualClock::new(t0());
    let shared: SharedClock = Arc::new(clock.clone());
    let e = Engine::builder(store.clone())
        .clock(shared.clone())
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
    let injected = Arc::new(Mutex::new(BTreeMap::new()));
    let mut platforms: HashMap<ChannelId, Arc<Chaos>> = HashMap::new();
    for i in 0..CHANNELS {
        let keyed = i % 2 == 0;
        let name = if keyed { "keyed" } else { "plain" };
        let idem = if keyed {
            Idempotency::Key
        } else {
            Idempotency::None
        };
        let inner = EchoPlatform::new(name)
            .with_idempotency(idem)
            .with_clock(shared.clone());
        let mut caps = inner.capabilities().clone();
        caps.idempotency = idem;
        let p = Arc::new(Chaos {
            inner,
            caps,
            keyed,
            clock: shared.clone(),
            rng: Mutex::new(StdRng::seed_from_u64(1000 + i as u64)),
            injected: injected.clone(),
        });
        let id = ChannelId::new(format!("ch-{i:03}"));
        connect(&e, &ws, id.as_str(), p.clone()).await;
        platforms.insert(id, p);
    }
    let ids: Vec<ChannelId> = (0..CHANNELS)
        .map(|i| ChannelId::new(format!("ch-{i:03}")))
        .collect();
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

    let all = store
        .deliveries(&ws, &DeliveryFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), POSTS * PER_POST);
    let mut published = 0;
    let mut failed_by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut failed_in_doubt = 0;
    for d in &all {
        let p = &platforms[&d.channel];
        let copies = p
            .inner
            .published()
            .iter()
            .filter(|r| r.text == d.content.text)
            .count();
        match d.state {
            DeliveryState::Published => {
                assert_eq!(copies, 1, "delivery {} published {copies} times", d.id);
                let r = d.result.as_ref().unwrap();
                assert!(
                    p.inner
                        .published()
                        .iter()
                        .any(|x| x.post == r.post && x.text == d.content.text)
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
    let on_platforms: usize = platforms.values().map(|p| p.inner.published().len()).sum();
    let failed: usize = failed_by_kind.values().sum();
    println!(
        "[{label}] {} deliveries over {CHANNELS} channels in {:.2?}: published {published} (reconciled {}), \
         failed {failed} {failed_by_kind:?} (in doubt {failed_in_doubt}); claims {}, retries {}, \
         crashes {}; posts on the platforms {on_platforms}; faults injected {:?}",
        all.len(),
        took,
        report.reconciled,
        report.claimed,
        report.retried,
        report.abandoned,
        injected.lock().unwrap()
    );
    assert_eq!(published + failed, POSTS * PER_POST);
    assert!(on_platforms >= published && on_platforms <= published + failed_in_doubt);
    assert!(report.reconciled > 0, "lost answers were reconciled");
    assert!(
        report.abandoned > 0,
        "crashes happened and were recovered from"
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
