//! Several workers, each with its own connection to one SQLite file (as separate processes
//! would be), claim from the same outbox: no delivery is claimed twice, every one is published
//! once.

use std::sync::Arc;

use socialkit::clock::ManualClock;
use socialkit::engine::{Engine, EngineConfig};
use socialkit::model::Post;
use socialkit::platform::Platform;
use socialkit::store::{ChannelRecord, DeliveryFilter, DeliveryState, SqliteStore, Store};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_on_one_sqlite_file_never_claim_twice() {
    const N: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let clock = ManualClock::new(t0());
    let w = world(&clock);
    let acct = sandbox(&w, "shared");
    let mut engines = Vec::new();
    for i in 0..3 {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        let e = Engine::builder(store)
            .clock(Arc::new(clock.clone()))
            .config(EngineConfig {
                worker: format!("worker-{i}"),
                batch: 4,
                ..config()
            })
            .build();
        engines.push(e);
    }
    let ws = workspace(&engines[0]).await;
    for e in &engines {
        e.connect(&ws, OWNER, ChannelRecord::new("c", "sandbox"), acct.clone())
            .await
            .unwrap();
    }
    for n in 0..N {
        engines[0]
            .submit(&ws, OWNER, Post::text(format!("shared {n}")), &["c".into()])
            .await
            .unwrap();
    }
    let tasks: Vec<_> = engines
        .iter()
        .cloned()
        .map(|e| {
            tokio::spawn(async move {
                let mut claimed = 0;
                loop {
                    let r = e.run_once().await.unwrap();
                    if r.claimed == 0 {
                        return claimed;
                    }
                    claimed += r.claimed;
                }
            })
        })
        .collect();
    let mut per_worker = Vec::new();
    for t in tasks {
        per_worker.push(t.await.unwrap());
    }
    println!("claims per worker: {per_worker:?}");
    assert_eq!(
        per_worker.iter().sum::<usize>(),
        N,
        "each delivery claimed exactly once"
    );
    assert!(
        per_worker.iter().filter(|n| **n > 0).count() >= 2,
        "the work was shared"
    );
    let store = SqliteStore::open(&path).unwrap();
    let all = store
        .deliveries(&ws, &DeliveryFilter::default())
        .await
        .unwrap();
    assert!(
        all.iter()
            .all(|d| d.state == DeliveryState::Published && d.attempts == 1)
    );
    assert_eq!(acct.recent_posts(200).await.unwrap().len(), 200);
    assert_eq!(
        acct.faults()
            .calls(socialkit::adapters::sandbox::Call::Publish),
        N as u64
    );
}
