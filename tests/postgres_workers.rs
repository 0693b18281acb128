//! Many worker processes on one PostgreSQL database, killed at random, with platform faults:
//! nothing lost, nothing sent twice.
//!
//! The test process starts one Mastodon twin on loopback (every post counted in one place)
//! and makes a fresh database. It starts [`WORKERS`] worker **processes** (this test binary
//! again, running [`worker_process`]): each opens a `PgStore` on the database, connects the
//! channels to the twin and runs the engine's worker. The test submits [`POSTS`] posts; while
//! they go out, a chaos loop SIGKILLs a random worker every couple of seconds and starts a new
//! one under the dead one's name, and a fault loop makes the twin answer 503s, 429s, and
//! 502s after it created the status (a lost answer: the outcome is in doubt). At the end every
//! delivery must be Published, and the twin must hold exactly one status per post (counted by
//! the post's unique text, so a second status under another idempotency key would show), each
//! the one the delivery recorded. Counts go to `target/tmp/postgres-chaos.txt`.
//!
//! Needs `SOCIALKIT_POSTGRES_URL` (skipped with a printed reason without it; a failure under
//! `CI=true`).

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use socialkit::adapters::mastodon::twin::{Fault, Twin, TwinOptions};
use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
use socialkit::engine::{Backoff, Engine, EngineConfig};
use socialkit::model::Post;
use socialkit::store::postgres::scratch::ScratchDb;
use socialkit::store::{ChannelRecord, DeliveryFilter, DeliveryState, PgStore, Store};

/// Worker processes alive at any time.
const WORKERS: usize = 4;
/// Posts (one delivery each).
const POSTS: usize = 20_000;
/// Channels the posts spread over (all on the twin's one account).
const CHANNELS: usize = 8;
/// The longest the run may take before the test gives up.
const DEADLINE: Duration = Duration::from_secs(240);

const WS: &str = "chaos";

fn config() -> EngineConfig {
    EngineConfig {
        worker: std::env::var("SK_CHAOS_WORKER").unwrap_or_else(|_| "w".into()),
        batch: 16,
        // A killed worker's leases end soon (its successor under the same name frees them
        // at once anyway).
        lease: chrono::Duration::seconds(5),
        max_attempts: 30,
        max_total_attempts: 200,
        backoff: Backoff::new(
            Duration::from_millis(50),
            Duration::from_millis(500),
            socialkit::http::Jitter::Equal,
        ),
        // The twin answers in microseconds and no request outlives the killed process, so a
        // short wait before reconciling suffices.
        reconcile_after: chrono::Duration::milliseconds(500),
        poll_interval: Duration::from_millis(500),
        shutdown_grace: Duration::from_secs(1),
        ..EngineConfig::default()
    }
}

/// The worker process: runs until it is killed. Started by the test with `SK_CHAOS_ROLE`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_process() {
    if std::env::var("SK_CHAOS_ROLE").as_deref() != Ok("worker") {
        return; // Only as a child of the chaos test.
    }
    let url = std::env::var("SK_CHAOS_DB").unwrap();
    let twin = std::env::var("SK_CHAOS_TWIN").unwrap();
    let token = std::env::var("SK_CHAOS_TOKEN").unwrap();
    let store = Arc::new(PgStore::connect_with(&url, 4).await.unwrap());
    let engine = Engine::builder(store).config(config()).build();
    let ws = WS.into();
    for c in 0..CHANNELS {
        let m = Mastodon::connect(MastodonConfig::new(&twin, token.as_str()).unwrap())
            .await
            .unwrap();
        engine
            .connect(
                &ws,
                "olga",
                ChannelRecord::new(format!("c{c}"), "mastodon"),
                Arc::new(m),
            )
            .await
            .unwrap();
    }
    let worker = engine.spawn_worker();
    println!("ready");
    // Until the test kills this process (SIGKILL) or closes stdin (the end of the run).
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 1];
    let _ = tokio::io::AsyncReadExt::read(&mut stdin, &mut buf).await;
    worker.shutdown().await.unwrap();
}

struct Workers {
    db: String,
    twin: String,
    token: String,
    slots: Vec<Child>,
    started: usize,
    killed: usize,
}

impl Workers {
    fn spawn(&mut self, slot: usize) -> Child {
        self.started += 1;
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "worker_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SK_CHAOS_ROLE", "worker")
            .env("SK_CHAOS_WORKER", format!("w{slot}"))
            .env("SK_CHAOS_DB", &self.db)
            .env("SK_CHAOS_TWIN", &self.twin)
            .env("SK_CHAOS_TOKEN", &self.token)
            .env("RUST_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    fn kill(&mut self, slot: usize) {
        // std's Child::kill is SIGKILL on Unix: no shutdown, no cleanup.
        self.slots[slot].kill().unwrap();
        self.slots[slot].wait().unwrap();
        self.killed += 1;
        let fresh = self.spawn(slot);
        self.slots[slot] = fresh;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_killed_at_random_lose_nothing_and_send_nothing_twice() {
    if std::env::var("SK_CHAOS_ROLE").is_ok() {
        return;
    }
    let Some(db) = ScratchDb::create("chaos").await.unwrap() else {
        return;
    };
    let twin = Twin::start_with(TwinOptions {
        rate_limit: 1_000_000_000,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let store = Arc::new(PgStore::connect_with(db.url(), 8).await.unwrap());
    let engine = Engine::builder(store.clone())
        .config(EngineConfig {
            worker: "submitter".into(),
            ..config()
        })
        .build();
    let ws = engine.create_workspace(WS, "Chaos", "olga").await.unwrap();
    for c in 0..CHANNELS {
        let m = Mastodon::connect(twin.config()).await.unwrap();
        engine
            .connect(
                &ws,
                "olga",
                ChannelRecord::new(format!("c{c}"), "mastodon"),
                Arc::new(m),
            )
            .await
            .unwrap();
    }
    let mut workers = Workers {
        db: db.url().to_string(),
        twin: twin.url().to_string(),
        token: twin.token().to_string(),
        slots: Vec::new(),
        started: 0,
        killed: 0,
    };
    for slot in 0..WORKERS {
        let c = workers.spawn(slot);
        workers.slots.push(c);
    }
    let started = Instant::now();

    // Submit every post (concurrently, while the workers already publish).
    let submitters: Vec<_> = (0..8)
        .map(|k| {
            let (engine, ws) = (engine.clone(), ws.clone());
            tokio::spawn(async move {
                for i in (k..POSTS).step_by(8) {
                    let ch = format!("c{}", i % CHANNELS);
                    engine
                        .submit(
                            &ws,
                            "olga",
                            Post::text(format!("chaos post {i}")),
                            &[ch.into()],
                        )
                        .await
                        .unwrap();
                }
            })
        })
        .collect();

    // Chaos and faults until every delivery is final.
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let h = twin.handle().clone();
    let mut faults = 0usize;
    let mut next_kill = Instant::now() + Duration::from_secs(2);
    let mut submitted = false;
    let mut last = (0usize, 0usize);
    loop {
        assert!(
            started.elapsed() < DEADLINE,
            "not done after {DEADLINE:?}: {last:?} (final, total)"
        );
        if !submitted && submitters.iter().all(|s| s.is_finished()) {
            submitted = true;
        }
        // Faults on the next few status creations.
        match rng.random_range(0..3) {
            0 => h.inject(
                Some("POST"),
                Some("/api/v1/statuses"),
                3,
                Fault::json(503, "busy"),
            ),
            1 => h.inject(
                Some("POST"),
                Some("/api/v1/statuses"),
                2,
                Fault::RateLimited {
                    reset_in: Duration::from_millis(300),
                },
            ),
            _ => h.inject(
                Some("POST"),
                Some("/api/v1/statuses"),
                3,
                Fault::AnswerLost { status: 502 },
            ),
        }
        faults += 1;
        if Instant::now() >= next_kill {
            let slot = rng.random_range(0..WORKERS);
            workers.kill(slot);
            next_kill = Instant::now() + Duration::from_millis(rng.random_range(1500..3500));
        }
        // Bounded by DEADLINE; this is the observation interval, not synchronisation.
        tokio::time::sleep(Duration::from_millis(250)).await;
        let counts = final_counts(store.as_ref()).await;
        last = counts;
        if submitted && counts.0 == POSTS && counts.1 == POSTS {
            break;
        }
    }
    let elapsed = started.elapsed();
    h.clear_faults();
    for s in submitters {
        s.await.unwrap();
    }
    for mut c in workers.slots.drain(..) {
        drop(c.stdin.take()); // ends it gracefully
        let _ = c.wait();
    }

    // Count.
    let all = store
        .deliveries(&ws, &DeliveryFilter::default())
        .await
        .unwrap();
    let mut by_state: HashMap<String, usize> = HashMap::new();
    for d in &all {
        *by_state.entry(d.state.as_str().to_string()).or_default() += 1;
    }
    let mut per_text: HashMap<String, Vec<String>> = HashMap::new();
    for s in h.statuses() {
        per_text
            .entry(s.text.clone())
            .or_default()
            .push(s.id.clone());
    }
    let doubled = per_text.values().filter(|v| v.len() > 1).count();
    let mut lost = 0;
    let mut mismatched = 0;
    for d in &all {
        let text = d.content.text.clone();
        match (d.state, per_text.get(&text)) {
            (DeliveryState::Published, Some(ids)) => {
                let recorded = d.result.as_ref().map(|r| r.post.id.clone());
                if recorded.as_ref().is_none_or(|r| !ids.contains(r)) {
                    mismatched += 1;
                }
            }
            _ => lost += 1,
        }
    }
    let in_doubt_settled = all.iter().filter(|d| d.in_doubt_since.is_some()).count();
    let report = format!(
        "postgres chaos run: {WORKERS} worker processes, {POSTS} deliveries, {CHANNELS} channels, one Mastodon twin\n\
         elapsed: {:.1} s ({:.0} deliveries/s)\n\
         workers started: {}, killed with SIGKILL: {}\n\
         fault rounds injected: {faults} (503 x3, 429 x2 or 502-after-processing x3 each)\n\
         deliveries by state: {by_state:?}\n\
         settled after an in-doubt attempt: {in_doubt_settled}\n\
         statuses at the twin: {}, distinct posts: {}\n\
         lost: {lost}, doubled: {doubled}, recorded id not at the twin: {mismatched}\n",
        elapsed.as_secs_f64(),
        POSTS as f64 / elapsed.as_secs_f64(),
        workers.started,
        workers.killed,
        h.statuses().len(),
        per_text.len(),
    );
    println!("{report}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("postgres-chaos.txt"), &report).unwrap();
    assert_eq!(all.len(), POSTS);
    assert_eq!(lost, 0, "{report}");
    assert_eq!(doubled, 0, "{report}");
    assert_eq!(mismatched, 0, "{report}");
    assert_eq!(by_state.get("published"), Some(&POSTS), "{report}");
    assert!(
        workers.killed >= 3,
        "the chaos loop killed too few: {report}"
    );
    drop((engine, store));
    db.drop_now().await.unwrap();
}

/// (final deliveries, all deliveries) of the workspace, counted in SQL.
async fn final_counts(store: &PgStore) -> (usize, usize) {
    let c = store.handle().pool().get().await.unwrap();
    let r = c
        .query_one(
            "SELECT count(*) FILTER (WHERE state IN ('published', 'failed', 'cancelled')), count(*)
             FROM deliveries WHERE workspace = $1",
            &[&WS],
        )
        .await
        .unwrap();
    (r.get::<_, i64>(0) as usize, r.get::<_, i64>(1) as usize)
}
