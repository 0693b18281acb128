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
//! the one the delivery recorded.
//!
//! Every worker process also sends the events outbox to the workspace's webhook: a receiver
//! in the test process that records each event id (and answers every 7th request with a 503,
//! so sends are retried). The run ends when every delivery is final and no event is pending;
//! then every stored event must be Delivered and its id received at least once, and every
//! published delivery must have its `published` event — across the SIGKILLs, which land
//! mid-send too. Counts go to `target/tmp/postgres-chaos.txt`.
//!
//! Needs `SOCIALKIT_POSTGRES_URL` (skipped with a printed reason without it; a failure under
//! `CI=true`).

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use socialkit::adapters::mastodon::twin::{Fault, Twin, TwinHandle, TwinOptions};
use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
use socialkit::engine::{Backoff, Engine, EngineConfig, WebhookConfig};
use socialkit::model::Post;
use socialkit::store::postgres::scratch::ScratchDb;
use socialkit::store::{
    ChannelRecord, Delivery, DeliveryFilter, DeliveryState, EventFilter, PgStore, PostRecord, Store,
};

mod webhook_support;
use webhook_support::{Tally, receiver};

/// Worker processes alive at any time.
const WORKERS: usize = 4;
/// Posts (one delivery each); `SK_CHAOS_POSTS` overrides it (for a loaded machine).
const POSTS: usize = 20_000;
/// Channels the posts spread over (all on the twin's one account).
const CHANNELS: usize = 8;
/// The longest the run may take before the test gives up (a bound, not a target);
/// `SK_CHAOS_DEADLINE_SECS` overrides it.
const DEADLINE: Duration = Duration::from_secs(900);

/// A fault round per this many deliveries that reached a final state.
const FAULT_EVERY: usize = 5;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const WS: &str = "chaos";

/// Whether the run sends webhooks (`SK_CHAOS_WEBHOOKS=0` leaves them out, to measure what
/// they cost beside a run without them).
fn webhooks_on() -> bool {
    std::env::var("SK_CHAOS_WEBHOOKS").as_deref() != Ok("0")
}

fn config() -> EngineConfig {
    EngineConfig {
        worker: std::env::var("SK_CHAOS_WORKER").unwrap_or_else(|_| "w".into()),
        batch: 8,
        // A killed worker's leases end soon (its successor under the same name frees them
        // at once anyway).
        lease: chrono::Duration::seconds(5),
        // The chaos is far denser than any real server's (a fault round every few dozen
        // requests, a SIGKILL every few seconds) and every failed reconciling look-up counts as
        // an attempt: with webhooks slowing the run, deliveries made in doubt by one kill used
        // 40–46 attempts and ended Failed ("failed on its side (503)") — visible, not lost, but
        // not what this test is about. A budget the chaos cannot exhaust:
        max_attempts: 1000,
        max_total_attempts: 1000,
        backoff: Backoff {
            base: Duration::from_millis(50),
            factor: 2.0,
            max: Duration::from_millis(500),
            ..Backoff::default()
        },
        // The twin answers in microseconds and no request outlives the killed process, so a
        // short wait before reconciling suffices.
        reconcile_after: chrono::Duration::milliseconds(500),
        poll_interval: Duration::from_millis(500),
        shutdown_grace: Duration::from_secs(1),
        // A killed sender's claimed events go to another one soon.
        webhook_lease: chrono::Duration::seconds(2),
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
    let sender = webhooks_on().then(|| engine.spawn_webhooks());
    println!("ready");
    // Until the test kills this process (SIGKILL) or closes stdin (the end of the run).
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 1];
    let _ = tokio::io::AsyncReadExt::read(&mut stdin, &mut buf).await;
    if let Some(sender) = sender {
        sender.shutdown().await;
    }
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
            .stderr(Stdio::inherit())
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
    let (hook, got, _) = receiver(7).await;
    let webhook = WebhookConfig {
        backoff_ms: 20,
        max_backoff_secs: 1,
        max_attempts: 50,
        ..WebhookConfig::new(hook, "whsec-chaos")
    };
    engine
        .set_webhook(&ws, "olga", Some(&webhook))
        .await
        .unwrap();
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
    let posts: usize = env_or("SK_CHAOS_POSTS", POSTS);
    let deadline = Duration::from_secs(env_or("SK_CHAOS_DEADLINE_SECS", DEADLINE.as_secs()));

    // Submit every post (concurrently, while the workers already publish).
    // Stored as the engine's submit stores them (post, one Scheduled delivery, due now), but
    // without its per-post validation, so submitting keeps ahead of publishing.
    let submitters: Vec<_> = (0..8)
        .map(|k| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in (k..posts).step_by(8) {
                    let now = chrono::Utc::now();
                    let text = Post::text(format!("chaos post {i}"));
                    let rec = PostRecord {
                        workspace: WS.into(),
                        id: format!("p{i}").into(),
                        post: text.clone(),
                        created_by: "olga".into(),
                        created_at: now,
                    };
                    let d = Delivery::new(
                        WS.into(),
                        rec.id.clone(),
                        format!("c{}", i % CHANNELS).into(),
                        "mastodon",
                        text,
                        DeliveryState::Scheduled,
                        Some(now),
                        now,
                    );
                    store.insert_post(&rec, &[d], "submitted").await.unwrap();
                }
            })
        })
        .collect();

    // Chaos and faults until every delivery is final and every event sent.
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let h = twin.handle().clone();
    let mut faults = 0usize;
    let mut faulted_at = 0usize;
    let mut next_kill = Instant::now() + Duration::from_secs(3);
    let mut submitted = false;
    let mut last = (0usize, 0usize, 0usize);
    let mut published_at = None;
    loop {
        assert!(
            started.elapsed() < deadline,
            "not done after {deadline:?}: {last:?} (final, total, events pending)"
        );
        if !submitted && submitters.iter().all(|s| s.is_finished()) {
            submitted = true;
        }
        // Faults on the next few status creations, in proportion to progress (a round per
        // FAULT_EVERY deliveries that reached a final state since the last round), not per tick:
        // rounds on the clock outpace the retries of the last few deliveries and fault every
        // one of their requests for ever (a CI run stalled on one delivery with 837 faulted
        // attempts after the other 1,999 were published).
        // At most 4 rounds a tick, and no backlog: faults owed beyond that are dropped, so
        // a slow tail is never paid back with a burst.
        let due = last.0.saturating_sub(faulted_at) / FAULT_EVERY;
        let rounds = due.min(4);
        faulted_at = if due > rounds {
            last.0
        } else {
            faulted_at + rounds * FAULT_EVERY
        };
        for _ in 0..rounds {
            inject_round(&h, &mut rng);
        }
        faults += rounds;
        if Instant::now() >= next_kill {
            let slot = rng.random_range(0..WORKERS);
            workers.kill(slot);
            next_kill = Instant::now() + Duration::from_millis(rng.random_range(3000..6000));
        }
        // Bounded by DEADLINE; this is the observation interval, not synchronisation.
        tokio::time::sleep(Duration::from_millis(250)).await;
        let counts = final_counts(store.as_ref()).await;
        last = counts;
        if submitted && counts.0 == posts && counts.1 == posts {
            published_at.get_or_insert_with(|| started.elapsed());
            if counts.2 == 0 || !webhooks_on() {
                break;
            }
        }
    }
    let elapsed = published_at.unwrap_or_else(|| started.elapsed());
    let drained = started.elapsed();
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
    let events = store.events(&ws, &EventFilter::default()).await.unwrap();
    let published: Vec<Delivery> = all
        .iter()
        .filter(|d| d.state == DeliveryState::Published)
        .cloned()
        .collect();
    let t = Tally::of(&events, &published, &got.lock().unwrap());
    let report = format!(
        "postgres chaos run: {WORKERS} worker processes, {posts} deliveries, {CHANNELS} channels, one Mastodon twin\n\
         elapsed: {:.1} s ({:.0} deliveries/s)\n\
         workers started: {}, killed with SIGKILL: {}\n\
         fault rounds injected: {faults} (503 x3, 429 x2 or 502-after-processing x3 each)\n\
         deliveries by state: {by_state:?}\n\
         settled after an in-doubt attempt: {in_doubt_settled}\n\
         statuses at the twin: {}, distinct posts: {}\n\
         lost: {lost}, doubled: {doubled}, recorded id not at the twin: {mismatched}\n\
         webhooks: {} events stored, every one sent {:.1} s after the last delivery was final; \
         receiver: {} requests (every 7th answered 503), {} distinct ids, {} sent again \
         (at least once), {} lost, {} not delivered, {} published deliveries without their \
         event, {} unknown ids\n",
        elapsed.as_secs_f64(),
        posts as f64 / elapsed.as_secs_f64(),
        workers.started,
        workers.killed,
        h.statuses().len(),
        per_text.len(),
        events.len(),
        (drained - elapsed).as_secs_f64(),
        t.requests,
        t.received,
        t.duplicates,
        t.lost.len(),
        t.not_delivered,
        t.without_event,
        t.unknown,
    );
    // Why a delivery did not end published (the first few), for a failing run's report.
    let why: Vec<String> = all
        .iter()
        .filter(|d| d.state != DeliveryState::Published)
        .take(5)
        .map(|d| {
            format!(
                "  {} {:?} after {} attempts (in doubt since {:?}): {:?}",
                d.id,
                d.state,
                d.attempts,
                d.in_doubt_since,
                d.error.as_ref().map(|e| e.message.clone())
            )
        })
        .collect();
    let report = if why.is_empty() {
        report
    } else {
        format!("{report}\nnot published:\n{}", why.join("\n"))
    };
    println!("{report}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("postgres-chaos.txt"), &report).unwrap();
    assert_eq!(all.len(), posts);
    assert_eq!(lost, 0, "{report}");
    assert_eq!(doubled, 0, "{report}");
    assert_eq!(mismatched, 0, "{report}");
    assert_eq!(by_state.get("published"), Some(&posts), "{report}");
    if webhooks_on() {
        assert!(t.lost.is_empty(), "{report}");
        assert_eq!(t.not_delivered, 0, "{report}");
        assert_eq!(t.without_event, 0, "{report}");
        assert_eq!(t.unknown, 0, "{report}");
        assert!(events.len() >= posts, "{report}");
    } else {
        println!("webhooks left out (SK_CHAOS_WEBHOOKS=0): nothing about them checked");
    }
    assert!(
        workers.killed >= 3,
        "the chaos loop killed too few: {report}"
    );
    drop((engine, store));
    db.drop_now().await.unwrap();
}

/// (final deliveries, all deliveries, pending events) of the workspace, counted in SQL.
async fn final_counts(store: &PgStore) -> (usize, usize, usize) {
    let c = store.handle().pool().get().await.unwrap();
    let r = c
        .query_one(
            "SELECT count(*) FILTER (WHERE state IN ('published', 'failed', 'cancelled')), count(*),
                (SELECT count(*) FROM events WHERE workspace = $1 AND status = 'pending')
             FROM deliveries WHERE workspace = $1",
            &[&WS],
        )
        .await
        .unwrap();
    let n = |i| r.get::<_, i64>(i) as usize;
    (n(0), n(1), n(2))
}

/// One fault round on the next few status creations: three 503s, two 429s, or three
/// 502-after-processing answers.
fn inject_round(h: &TwinHandle, rng: &mut ChaCha8Rng) {
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
}
