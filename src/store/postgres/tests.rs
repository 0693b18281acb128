//! The PostgreSQL store against a real server (`SOCIALKIT_POSTGRES_URL`; skipped with a
//! printed reason without it, a failure under `CI=true`). Each test makes its own database
//! and drops it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};

use super::scratch::ScratchDb;
use super::*;

#[tokio::test]
async fn conformance() {
    let mut dbs = Vec::new();
    let made = std::sync::Mutex::new(Vec::new());
    let Some(probe) = ScratchDb::create("probe").await.unwrap() else {
        return;
    };
    probe.drop_now().await.unwrap();
    crate::store::conformance::run(|| async {
        let db = ScratchDb::create("conf").await.unwrap().unwrap();
        let store = PgStore::connect_with(db.url(), 2).await.unwrap();
        made.lock().unwrap().push(db);
        Arc::new(store) as Arc<dyn Store>
    })
    .await;
    dbs.append(&mut made.lock().unwrap());
    for db in dbs {
        db.drop_now().await.unwrap();
    }
}

#[tokio::test]
async fn eight_processes_starting_together_migrate_once() {
    let Some(db) = ScratchDb::create("mig").await.unwrap() else {
        return;
    };
    let url = db.url().to_string();
    let opens: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { PgStore::connect_with(&url, 1).await })
        })
        .collect();
    let mut ran = 0;
    for o in opens {
        let store = o.await.unwrap().unwrap();
        assert_eq!(store.migrated().to, migrations::STORE.len());
        ran += usize::from(store.migrated().ran());
    }
    assert_eq!(ran, 1, "exactly one of the eight ran the migrations");
    db.drop_now().await.unwrap();
}

#[tokio::test]
async fn a_database_newer_than_the_code_is_refused() {
    let Some(db) = ScratchDb::create("newer").await.unwrap() else {
        return;
    };
    let store = PgStore::connect_with(db.url(), 1).await.unwrap();
    let c = store.client().await.unwrap();
    c.execute(
        "UPDATE socialkit_schema SET version = 99 WHERE feature = 'store'",
        &[],
    )
    .await
    .unwrap();
    drop(c);
    let err = PgStore::connect_with(db.url(), 1).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    assert!(err.to_string().contains("newer"), "{err}");
    // A feature's tables are checked the same way.
    let h = store.handle();
    assert_eq!(
        h.migrate_feature("demo", &["CREATE TABLE demo_t (x INT)"])
            .await
            .unwrap(),
        Migrated { from: 0, to: 1 }
    );
    assert!(
        !h.migrate_feature("demo", &["CREATE TABLE demo_t (x INT)"])
            .await
            .unwrap()
            .ran()
    );
    assert_eq!(
        h.migrate_feature("demo", &[]).await.unwrap_err().kind(),
        ErrorKind::ConfigInvalid
    );
    drop(store);
    db.drop_now().await.unwrap();
}

#[tokio::test]
async fn a_bad_url_is_a_config_error_without_the_password() {
    let err = PgStore::connect("postgres://u:hunter2@[bad")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    assert!(!format!("{err} {err:?}").contains("hunter2"));
}

async fn seed(store: &PgStore, ws: &str, n: usize, due: chrono::DateTime<Utc>) {
    store
        .create_workspace(&Workspace::new(ws, ws))
        .await
        .unwrap();
    for i in 0..n {
        let rec = PostRecord {
            workspace: ws.into(),
            id: format!("p{i}").into(),
            post: Post::text("hi"),
            created_by: "ana".into(),
            created_at: due,
        };
        let d = Delivery::new(
            ws.into(),
            rec.id.clone(),
            "c".into(),
            "sandbox",
            Post::text("hi"),
            DeliveryState::Scheduled,
            Some(due),
            due,
        );
        store.insert_post(&rec, &[d], "seed").await.unwrap();
    }
}

#[tokio::test]
async fn concurrent_claimers_on_separate_pools_never_claim_twice() {
    let Some(db) = ScratchDb::create("claims").await.unwrap() else {
        return;
    };
    let now = Utc::now();
    let first = PgStore::connect_with(db.url(), 2).await.unwrap();
    seed(&first, "acme", 200, now - Duration::seconds(1)).await;
    let mut tasks = Vec::new();
    for w in 0..6 {
        let url = db.url().to_string();
        tasks.push(tokio::spawn(async move {
            let s = PgStore::connect_with(&url, 1).await.unwrap();
            let mut mine = Vec::new();
            loop {
                let c = s
                    .claim_due(now, &format!("w{w}"), 7, Duration::minutes(5))
                    .await
                    .unwrap();
                if c.is_empty() {
                    return mine;
                }
                mine.extend(c.into_iter().map(|c| c.delivery.id));
            }
        }));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for t in tasks {
        for id in t.await.unwrap() {
            total += 1;
            assert!(seen.insert(id.clone()), "{id} claimed twice");
        }
    }
    assert_eq!(total, 200);
    // A worker that starts again frees its own leases at once; they come back in doubt.
    let n = first.expire_leases("w0", now).await.unwrap();
    let again = first
        .claim_due(now, "w9", 500, Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(again.len(), n);
    assert!(again.iter().all(|c| c.delivery.in_doubt()));
    drop(first);
    db.drop_now().await.unwrap();
}

#[tokio::test]
async fn a_submission_in_another_process_wakes_a_waiting_worker() {
    let Some(db) = ScratchDb::create("wake").await.unwrap() else {
        return;
    };
    let submitter = PgStore::connect_with(db.url(), 1).await.unwrap();
    let worker = PgStore::connect_with(db.url(), 1).await.unwrap();
    submitter
        .create_workspace(&Workspace::new("acme", "ACME"))
        .await
        .unwrap();
    // Let the worker's LISTEN connection come up (a wait that returns at once or times out).
    worker.wait_for_work(StdDuration::from_millis(300)).await;
    worker.wait_for_work(StdDuration::from_millis(50)).await;
    let mut latencies = Vec::new();
    for i in 0..5 {
        // Take the permit an earlier notification may have left, so the wait below ends
        // only by this round's notification (or its 30 s bound).
        worker.wait_for_work(StdDuration::from_millis(50)).await;
        let w = worker.clone();
        let waiting = tokio::spawn(async move {
            w.wait_for_work(StdDuration::from_secs(30)).await;
            Instant::now()
        });
        tokio::task::yield_now().await;
        tokio::time::sleep(StdDuration::from_millis(20)).await;
        let now = Utc::now();
        let rec = PostRecord {
            workspace: "acme".into(),
            id: format!("p{i}").into(),
            post: Post::text("hi"),
            created_by: "ana".into(),
            created_at: now,
        };
        let d = Delivery::new(
            "acme".into(),
            rec.id.clone(),
            "c".into(),
            "sandbox",
            Post::text("hi"),
            DeliveryState::Scheduled,
            Some(now),
            now,
        );
        let sent = Instant::now();
        submitter.insert_post(&rec, &[d], "new").await.unwrap();
        let woke = waiting.await.unwrap();
        latencies.push(woke.saturating_duration_since(sent));
    }
    println!("postgres wake-up latency after commit: {latencies:?}");
    for l in &latencies {
        assert!(*l < StdDuration::from_secs(2), "woke after {l:?}");
    }
    drop((submitter, worker));
    db.drop_now().await.unwrap();
}

/// The events outbox on PostgreSQL: four senders on separate pools claim 200 events at once
/// (`FOR UPDATE SKIP LOCKED`): each event goes to exactly one of them.
#[tokio::test]
async fn concurrent_event_senders_never_claim_one_event_twice() {
    let Some(db) = ScratchDb::create("events").await.unwrap() else {
        return;
    };
    let first = PgStore::connect_with(db.url(), 2).await.unwrap();
    first
        .create_workspace(&Workspace::new("acme", "ACME"))
        .await
        .unwrap();
    let now = Utc::now();
    let list: Vec<NewEvent> = (0..200)
        .map(|i| NewEvent::new("published", serde_json::json!({ "n": i })))
        .collect();
    let written = first
        .append_events(&"acme".into(), &list, now)
        .await
        .unwrap();
    assert!(written.windows(2).all(|w| w[0].seq < w[1].seq));
    let mut tasks = Vec::new();
    for w in 0..4 {
        let url = db.url().to_string();
        tasks.push(tokio::spawn(async move {
            let store = PgStore::connect_with(&url, 1).await.unwrap();
            let mut mine = Vec::new();
            loop {
                let c = store
                    .claim_events(now, &format!("s{w}"), 7, Duration::minutes(5))
                    .await
                    .unwrap();
                if c.is_empty() {
                    return mine;
                }
                mine.extend(c.into_iter().map(|e| e.event.id));
            }
        }));
    }
    let mut seen = HashSet::new();
    for t in tasks {
        for id in t.await.unwrap() {
            assert!(seen.insert(id.clone()), "{id} claimed twice");
        }
    }
    assert_eq!(seen.len(), 200);
    drop(first);
    db.drop_now().await.unwrap();
}
