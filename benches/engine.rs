//! Engine benchmarks.
//!
//! - `outbox/engine_sqlite_durable`: deliveries per second through the whole outbox — submit,
//!   claim under a lease, publish to a sandbox account, store the result — on a SQLite file
//!   with WAL and `synchronous=FULL` (every commit is durable).
//! - `outbox/raw_sqlite_baseline`: the same rows written with raw SQL on the same schema and
//!   pragmas, in the same transactions (one per submit, one per claimed batch of 8, one per
//!   result): the store's own limit. The ratio of the two is the engine's overhead.
//! - `outbox/engine_memory`: the outbox on the memory store, for scale.
//! - `claim/sqlite_1m_scheduled`: claiming 32 due deliveries with 1,000,000 scheduled.
//! - `replies/{reply,publish}_{sqlite_durable,memory}`: replies per second through the outbox
//!   ([`Engine::reply`]: store, claim, `Platform::reply` on a sandbox account, store the
//!   result) next to publishes of the same text on the same kind of store.
//!
//! First it prints a summary (deliveries per second of engine and baseline, alternating over
//! five rounds, and CPU time per delivery — on a VM disk the fsync time varies so much that the
//! CPU time is the steadier measure of the engine's own cost); it prints the peak resident
//! memory (`VmHWM` from `/proc/self/status`) after the claim benches, after the SQLite outbox
//! benches and at the end.
//!
//! The summary times a second baseline beside them, `raw + events`: the same statements plus
//! the `published` event row the engine writes in the result's transaction (the events
//! outbox), so the ratio to it is the engine's overhead on the same statements.
//!
//! The engine commits exactly as the baselines do — one transaction per submit, one per
//! claimed batch, one per result, each an fsync; no group commit. A submit is one store call
//! (members and settings come from the engine's copy, `EngineConfig::settings_ttl`); on this
//! multi-thread runtime every store call runs on the calling thread (no hop to tokio's
//! blocking pool and back); nobody subscribes here, so no event is built for the broadcast.
//!
//! Run: `cargo bench --bench engine` (add `-- claim` for one group; `SK_BENCH_ONLY=engine` or
//! `=baseline` times only one side in the summary and skips its memory-store round, e.g. under
//! `strace -c -f` or `valgrind --tool=callgrind`;
//! `SK_BENCH_GROUP=replies` runs only that group — no summary, no 1,000,000-row set-up;
//! `SK_BENCH_GROUP=summary` only the summary; `SK_BENCH_ROUNDS` sets its rounds, default 5).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group};
use rusqlite::{Connection, params};
use socialkit::adapters::sandbox::IncomingInteraction;
use socialkit::adapters::sandbox::{Sandbox, SandboxConfig, SandboxWorld};
use socialkit::clock::ManualClock;
use socialkit::engine::{Engine, EngineConfig};
use socialkit::model::{InteractionKind, InteractionRef, Post};
use socialkit::store::{
    ChannelId, ChannelRecord, Delivery, DeliveryState, MemoryStore, PostId, SqliteStore, Store,
    Workspace, WorkspaceId,
};

const PER_ITER: usize = 200;
const BATCH: usize = 8;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// An engine on `store` publishing to one quiet sandbox account, and that account. Engine and
/// sandbox share a clock that stands still, so the sandbox's audience simulation (which catches
/// up whenever time moves) costs nothing and the numbers are the outbox's.
async fn engine_with_account(
    store: Arc<dyn Store>,
    name: &str,
) -> (Engine, WorkspaceId, Arc<Sandbox>) {
    let clock = ManualClock::new(Utc::now());
    let engine = Engine::builder(store)
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            batch: BATCH,
            seed: Some(1),
            ..EngineConfig::default()
        })
        .build();
    let ws = engine
        .create_workspace("bench", "Bench", "owner")
        .await
        .expect("workspace");
    let world = SandboxWorld::new(Arc::new(clock));
    let acct = world
        .channel(
            name,
            SandboxConfig::default()
                .with_followers(0)
                .with_max_chars(5000),
        )
        .expect("sandbox account");
    engine
        .connect(
            &ws,
            "owner",
            ChannelRecord::new("c", "sandbox"),
            acct.clone(),
        )
        .await
        .expect("connect");
    (engine, ws, acct)
}

/// An engine on `store` publishing to one quiet sandbox account.
async fn engine_on(store: Arc<dyn Store>, name: &str) -> (Engine, WorkspaceId) {
    let (engine, ws, _) = engine_with_account(store, name).await;
    (engine, ws)
}

/// Submits `n` posts and runs the outbox until they are all published.
async fn publish_n(engine: &Engine, ws: &WorkspaceId, n: usize, round: usize) {
    for i in 0..n {
        engine
            .submit(
                ws,
                "owner",
                Post::text(format!("bench post {round}-{i}")),
                &["c".into()],
            )
            .await
            .expect("submit");
    }
    let mut done = 0;
    while done < n {
        let r = engine.run_once().await.expect("run");
        assert_eq!(r.failed, 0);
        done += r.published;
        if r.claimed == 0 {
            break;
        }
    }
    assert_eq!(done, n, "all published");
}

fn durable_store(dir: &Path) -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(dir.join("outbox.db")).expect("sqlite store"))
}

/// The same rows as the engine writes, written with raw SQL on the same schema and pragmas.
struct Baseline {
    conn: Connection,
    delivery_json: String,
    history_json: String,
    attempt_json: String,
    event_json: String,
    /// Also write the `published` event row in each result's transaction.
    events: bool,
    next: usize,
}

impl Baseline {
    fn open(dir: &Path, events: bool) -> Baseline {
        let path = dir.join(if events {
            "baseline-events.db"
        } else {
            "baseline.db"
        });
        drop(SqliteStore::open(&path).expect("migrate")); // the store's own schema
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .expect("pragmas");
        // The events outbox's table as the store's migration 5 makes it (here too when the
        // bench runs on a socialkit from before it, for a side-by-side base run).
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                workspace TEXT NOT NULL REFERENCES workspaces(id), kind TEXT NOT NULL,
                payload TEXT NOT NULL, created_at INTEGER NOT NULL, status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
                lease_worker TEXT, lease_until INTEGER, last_error TEXT);
             CREATE INDEX IF NOT EXISTS events_pending ON events(seq) WHERE status = 'pending';
             CREATE INDEX IF NOT EXISTS events_workspace ON events(workspace, status, seq);",
        )
        .expect("events table");
        conn.execute(
            "INSERT INTO workspaces (id, paused, data) VALUES ('bench', 0, '{}')",
            [],
        )
        .expect("workspace");
        // Payloads the size of the engine's records.
        let now = Utc::now();
        let d = Delivery::new(
            "bench".into(),
            PostId::generate(),
            ChannelId::new("c"),
            "sandbox",
            Post::default(),
            DeliveryState::Scheduled,
            None,
            now,
        );
        let delivery_json = serde_json::to_string(&d).expect("json");
        let history_json = format!(
            r#"{{"workspace":"bench","delivery":"{}","post":"{}","at":"{}","who":"worker:worker-1","from":"scheduled","to":"publishing","why":"claimed","attempt_id":"{}/1"}}"#,
            d.id,
            d.post,
            now.to_rfc3339(),
            d.id
        );
        let attempt_json = format!(
            r#"{{"workspace":"bench","delivery":"{}","id":"{}/1","number":1,"key":"sk-{}-1","worker":"worker-1","started_at":"{}","outcome":{{"type":"published","result":{{"post":{{"platform":"sandbox","id":"17","url":"https://sandbox.invalid/@c/17"}},"parts":[],"published_at":"{}"}}}}}}"#,
            d.id,
            d.id,
            d.id,
            now.to_rfc3339(),
            now.to_rfc3339()
        );
        let event_json = format!(
            r#"{{"type":"published","post":"{}","delivery":"{}","channel":"c","result":{{"post":{{"platform":"sandbox","id":"17","url":"https://sandbox.invalid/@c/17"}},"parts":[],"published_at":"{}"}}}}"#,
            d.post,
            d.id,
            now.to_rfc3339()
        );
        Baseline {
            conn,
            delivery_json,
            history_json,
            attempt_json,
            event_json,
            events,
            next: 0,
        }
    }

    /// Submit `n`, claim in batches of 8, store each result: the engine's transactions.
    fn run(&mut self, n: usize) {
        let first = self.next;
        self.next += n;
        let now = Utc::now().timestamp_micros();
        for i in first..first + n {
            let tx = self.conn.transaction().expect("tx");
            let id = format!("d-{i}");
            tx.execute(
                "INSERT INTO posts (workspace, id, data) VALUES ('bench', ?1, ?2)",
                params![format!("p-{i}"), r#"{"text":"bench post"}"#],
            )
            .expect("post");
            tx.execute(
                "INSERT INTO deliveries (workspace, id, post, channel, state, due_at, created_at, data, content)
                 VALUES ('bench', ?1, ?2, 'c', 'scheduled', ?3, ?3, ?4, '{\"text\":\"bench post\"}')",
                params![id, format!("p-{i}"), now, self.delivery_json],
            )
            .expect("delivery");
            tx.execute(
                "INSERT INTO history (workspace, delivery, data) VALUES ('bench', ?1, ?2)",
                params![id, self.history_json],
            )
            .expect("history");
            tx.commit().expect("commit");
        }
        for chunk in (first..first + n).collect::<Vec<_>>().chunks(BATCH) {
            let tx = self.conn.transaction().expect("tx");
            for i in chunk {
                let id = format!("d-{i}");
                tx.execute(
                    "UPDATE deliveries SET state = 'publishing', due_at = ?2, data = ?3 WHERE workspace = 'bench' AND id = ?1",
                    params![id, now + 300_000_000, self.delivery_json],
                )
                .expect("claim");
                tx.execute(
                    "INSERT INTO attempts (workspace, delivery, id, number, data) VALUES ('bench', ?1, ?2, 1, ?3)",
                    params![id, format!("{id}/1"), self.attempt_json],
                )
                .expect("attempt");
                tx.execute(
                    "INSERT INTO history (workspace, delivery, data) VALUES ('bench', ?1, ?2)",
                    params![id, self.history_json],
                )
                .expect("history");
            }
            tx.commit().expect("commit");
            for i in chunk {
                let id = format!("d-{i}");
                let tx = self.conn.transaction().expect("tx");
                tx.execute(
                    "UPDATE deliveries SET state = 'published', due_at = NULL, data = ?2 WHERE workspace = 'bench' AND id = ?1",
                    params![id, self.delivery_json],
                )
                .expect("finish");
                tx.execute(
                    "INSERT OR REPLACE INTO attempts (workspace, delivery, id, number, data) VALUES ('bench', ?1, ?2, 1, ?3)",
                    params![id, format!("{id}/1"), self.attempt_json],
                )
                .expect("attempt");
                tx.execute(
                    "INSERT INTO history (workspace, delivery, data) VALUES ('bench', ?1, ?2)",
                    params![id, self.history_json],
                )
                .expect("history");
                if self.events {
                    tx.execute(
                        "INSERT INTO events (id, workspace, kind, payload, created_at, status, next_at)
                         VALUES (?1, 'bench', 'published', ?2, ?3, 'pending', ?3)",
                        params![format!("ev_{i:026}"), self.event_json, now],
                    )
                    .expect("event");
                }
                tx.commit().expect("commit");
            }
        }
    }
}

/// Writes `n` scheduled deliveries straight into a store file (setup only: one transaction,
/// no fsync), due over the past year in random order, rows as the store writes them.
fn populate(path: &Path, n: usize) {
    drop(SqliteStore::open(path).expect("migrate"));
    let mut conn = Connection::open(path).expect("open");
    conn.execute_batch("PRAGMA synchronous = OFF;")
        .expect("pragma");
    let tx = conn.transaction().expect("tx");
    tx.execute(
        "INSERT INTO workspaces (id, paused, data) VALUES ('big', 0, ?1)",
        [serde_json::to_string(&Workspace::new("big", "Big")).expect("json")],
    )
    .expect("workspace");
    tx.execute(
        "INSERT INTO posts (workspace, id, data) VALUES ('big', 'p', '{}')",
        [],
    )
    .expect("post");
    let start = Utc::now() - chrono::Duration::days(365);
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO deliveries (workspace, id, post, channel, state, due_at, created_at, data, content)
                 VALUES ('big', ?1, 'p', ?2, 'scheduled', ?3, ?4, ?5, '{\"text\":\"scheduled\"}')",
            )
            .expect("prepare");
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let due = start + chrono::Duration::seconds((x % (365 * 86_400)) as i64);
            let channel = format!("c{}", i % 1000);
            let mut d = Delivery::new(
                "big".into(),
                "p".into(),
                ChannelId::new(&channel),
                "sandbox",
                Post::default(),
                DeliveryState::Scheduled,
                Some(due),
                start,
            );
            d.id = format!("d-{i:07}").into();
            let data = serde_json::to_string(&d).expect("json");
            stmt.execute(params![
                d.id.as_str(),
                channel,
                due.timestamp_micros(),
                start.timestamp_micros(),
                data
            ])
            .expect("insert");
        }
    }
    tx.commit().expect("commit");
}

/// Writes the OS's dirty pages to disk (`sync`), so a timed run does not pay for the writes
/// of the run before it (on ext4 an fsync can wait for other files' data in the same journal
/// commit, which made interleaved runs slow each other down).
fn flush_os_cache() {
    let _ = std::process::Command::new("sync").status();
}

/// CPU seconds (user + system) this process has used so far, from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.to_string())
        })
        .unwrap_or_else(|| "VmHWM: unknown".into())
}

fn outbox(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("outbox");
    group.throughput(Throughput::Elements(PER_ITER as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));

    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, ws) = rt.block_on(engine_on(durable_store(dir.path()), "bench-sqlite"));
    let mut round = 0;
    group.bench_function(BenchmarkId::new("engine_sqlite_durable", PER_ITER), |b| {
        b.iter(|| {
            round += 1;
            rt.block_on(publish_n(&engine, &ws, PER_ITER, round))
        })
    });

    let mut base = Baseline::open(dir.path(), false);
    group.bench_function(BenchmarkId::new("raw_sqlite_baseline", PER_ITER), |b| {
        b.iter(|| base.run(PER_ITER))
    });

    eprintln!("after the SQLite outbox benches: {}", vm_hwm());

    // A fresh memory store per iteration, so memory stays bounded (the store keeps everything).
    let mut round = 0;
    group.bench_function(BenchmarkId::new("engine_memory", PER_ITER), |b| {
        b.iter_batched(
            || {
                round += 1;
                rt.block_on(engine_on(
                    Arc::new(MemoryStore::new()),
                    &format!("bench-memory-{round}"),
                ))
            },
            |(mem, mws)| rt.block_on(publish_n(&mem, &mws, PER_ITER, 0)),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn claim(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.db");
    let t = Instant::now();
    populate(&path, 1_000_000);
    eprintln!(
        "populated 1,000,000 scheduled deliveries in {:.1?}",
        t.elapsed()
    );
    let store = SqliteStore::open(&path).expect("open");
    let mut group = c.benchmark_group("claim");
    group.sample_size(30);
    let now = Utc::now();
    group.bench_function("sqlite_1m_scheduled_claim_32", |b| {
        b.iter(|| {
            let got = rt
                .block_on(store.claim_due(now, "bench", 32, chrono::Duration::minutes(5)))
                .expect("claim");
            assert_eq!(got.len(), 32);
        })
    });
    group.bench_function("sqlite_1m_scheduled_next_due", |b| {
        b.iter(|| rt.block_on(store.next_due()).expect("next due"))
    });
    group.finish();
    eprintln!("after the claim benches (1,000,000 rows): {}", vm_hwm());
}

/// A plain timing of the same work, engine and baseline alternating first over five rounds
/// (the disk's fsync time drifts), printed as medians: deliveries per second and the ratio.
fn summary() {
    let rt = runtime();
    let n = 1000;
    let (mut eng, mut raw, mut rawev, mut mem) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut eng_cpu, mut raw_cpu, mut ev_cpu) = (0.0, 0.0, 0.0);
    let rounds: usize = std::env::var("SK_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    for round in 0..rounds {
        let dir = tempfile::tempdir().expect("tempdir");
        let (engine, ws) = rt.block_on(engine_on(
            durable_store(dir.path()),
            &format!("summary-sqlite-{round}"),
        ));
        let mut base = Baseline::open(dir.path(), false);
        let mut base_ev = Baseline::open(dir.path(), true);
        let mut timed_engine = || {
            flush_os_cache();
            let (t, c) = (Instant::now(), cpu_seconds());
            rt.block_on(publish_n(&engine, &ws, n, round));
            eng_cpu += cpu_seconds() - c;
            n as f64 / t.elapsed().as_secs_f64()
        };
        let timed = |b: &mut Baseline, cpu: &mut f64| {
            flush_os_cache();
            let (t, c) = (Instant::now(), cpu_seconds());
            b.run(n);
            *cpu += cpu_seconds() - c;
            n as f64 / t.elapsed().as_secs_f64()
        };
        // Rotate which goes first: the disk's fsync time drifts.
        let only = std::env::var("SK_BENCH_ONLY").unwrap_or_default();
        if only == "engine" {
            eng.push(timed_engine());
            raw.push(1.0);
            rawev.push(1.0);
        } else if only == "baseline" {
            raw.push(timed(&mut base, &mut raw_cpu));
            rawev.push(1.0);
            eng.push(1.0);
        } else {
            for k in 0..3 {
                match (round + k) % 3 {
                    0 => eng.push(timed_engine()),
                    1 => raw.push(timed(&mut base, &mut raw_cpu)),
                    _ => rawev.push(timed(&mut base_ev, &mut ev_cpu)),
                }
            }
        }
        if !only.is_empty() {
            // One side alone, for a profile: no memory-store round either.
            mem.push(1.0);
            continue;
        }
        let (m, mws) = rt.block_on(engine_on(
            Arc::new(MemoryStore::new()),
            &format!("summary-memory-{round}"),
        ));
        let t = Instant::now();
        rt.block_on(publish_n(&m, &mws, n, round));
        mem.push(n as f64 / t.elapsed().as_secs_f64());
    }
    let ratios: Vec<(f64, f64)> = eng
        .iter()
        .zip(raw.iter().zip(&rawev))
        .map(|(e, (r, v))| (e / r, e / v))
        .collect();
    eprintln!(
        "per round (engine, baseline, baseline + events): {:?}",
        eng.iter()
            .zip(raw.iter().zip(&rawev))
            .map(|(a, (b, c))| (a.round(), b.round(), c.round()))
            .collect::<Vec<_>>()
    );
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let mut r1: Vec<f64> = ratios.iter().map(|r| r.0).collect();
    let mut r2: Vec<f64> = ratios.iter().map(|r| r.1).collect();
    let (e, r, v, m) = (
        median(&mut eng),
        median(&mut raw),
        median(&mut rawev),
        median(&mut mem),
    );
    let per = (n * rounds) as f64 / 1e6;
    println!(
        "summary ({n} deliveries, median of {rounds}): engine on durable SQLite {e:.0}/s, raw SQLite \
         baseline {r:.0}/s, engine/baseline = {:.2} (median of per-round ratios {:.2}); raw + \
         events {v:.0}/s, engine/(raw + events) = {:.2} (per round {:.2}); engine on the memory \
         store {m:.0}/s; CPU per delivery: engine {:.0} µs, baseline {:.0} µs ({:.1}x), raw + \
         events {:.0} µs; all \
         commit 2.1 times per delivery (1 per submit, 1 per result, 1 per claimed batch of \
         {BATCH}), each commit an fsync",
        e / r,
        median(&mut r1),
        e / v,
        median(&mut r2),
        eng_cpu / per,
        raw_cpu / per,
        eng_cpu / raw_cpu.max(1e-9),
        ev_cpu / per,
    );
}

/// An engine on `store` with one quiet sandbox account that has one mention to answer.
async fn reply_engine_on(
    store: Arc<dyn Store>,
    name: &str,
) -> (Engine, WorkspaceId, InteractionRef) {
    let (engine, ws, acct) = engine_with_account(store, name).await;
    let to = acct
        .receive(IncomingInteraction::new(InteractionKind::Mention).text("@bench help?"))
        .expect("mention")
        .reference;
    (engine, ws, to)
}

/// Queues `n` replies to `to` and runs the outbox until they are all on the platform.
async fn reply_n(engine: &Engine, ws: &WorkspaceId, to: &InteractionRef, n: usize, round: usize) {
    for i in 0..n {
        engine
            .reply(
                ws,
                "owner",
                &"c".into(),
                to.clone(),
                Post::text(format!("bench post {round}-{i}")),
            )
            .await
            .expect("reply");
    }
    let mut done = 0;
    while done < n {
        let r = engine.run_once().await.expect("run");
        assert_eq!(r.failed, 0);
        done += r.published;
        if r.claimed == 0 {
            break;
        }
    }
    assert_eq!(done, n, "all replied");
}

/// Replies per second through the outbox, next to publishes of the same text.
fn replies(c: &mut Criterion) {
    const N: usize = 100;
    let rt = runtime();
    let mut group = c.benchmark_group("replies");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(10);
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, ws, to) = rt.block_on(reply_engine_on(
        Arc::new(SqliteStore::open(dir.path().join("replies.db")).expect("sqlite store")),
        "bench-replies",
    ));
    let mut round = 0;
    group.bench_function(BenchmarkId::new("reply_sqlite_durable", N), |b| {
        b.iter(|| {
            round += 1;
            rt.block_on(reply_n(&engine, &ws, &to, N, round))
        })
    });
    let (engine, ws) = rt.block_on(engine_on(
        Arc::new(SqliteStore::open(dir.path().join("publishes.db")).expect("sqlite store")),
        "bench-replies-publish",
    ));
    let mut round = 0;
    group.bench_function(BenchmarkId::new("publish_sqlite_durable", N), |b| {
        b.iter(|| {
            round += 1;
            rt.block_on(publish_n(&engine, &ws, N, round))
        })
    });
    let mut round = 0;
    group.bench_function(BenchmarkId::new("reply_memory", N), |b| {
        b.iter_batched(
            || {
                round += 1;
                rt.block_on(reply_engine_on(
                    Arc::new(MemoryStore::new()),
                    &format!("bench-replies-memory-{round}"),
                ))
            },
            |(e, w, to)| rt.block_on(reply_n(&e, &w, &to, N, 0)),
            BatchSize::PerIteration,
        )
    });
    let mut round = 0;
    group.bench_function(BenchmarkId::new("publish_memory", N), |b| {
        b.iter_batched(
            || {
                round += 1;
                rt.block_on(engine_on(
                    Arc::new(MemoryStore::new()),
                    &format!("bench-replies-pmemory-{round}"),
                ))
            },
            |(e, w)| rt.block_on(publish_n(&e, &w, N, 0)),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, claim, outbox, replies);
criterion_group!(reply_benches, replies);

fn main() {
    let group = std::env::var("SK_BENCH_GROUP").unwrap_or_default();
    if group == "replies" {
        reply_benches();
    } else if group == "summary" {
        summary();
        return;
    } else {
        summary();
        benches();
    }
    Criterion::default().configure_from_args().final_summary();
    println!("peak memory: {}", vm_hwm());
}
