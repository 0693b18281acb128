//! The contact layer's costs, each beside its baseline in the same run.
//!
//! `contacts_ingest`: a fresh inbox reads a sandbox channel holding `N` interactions from 97
//! authors (paging, classification, store commit), on SQLite in a file, in memory and (with
//! PostgreSQL configured, below) in a PostgreSQL database, once plain (`*_plain`, the inbox
//! as it is) and once with contact resolution (`*_resolving`: every author recorded as an
//! identity with its contact, every item as a touch, in the same transaction as the page:
//! `resolving_inbox` of the SQLite and PostgreSQL contact stores). `sqlite_resolving_two_tx`
//! is the generic wrapper ([`Contacts::resolving`]: identities and touches in a transaction
//! of their own before the page's), for comparison. The goal: resolving within 10 % of
//! plain. Criterion runs one variant after the other; `contacts_ingest_interleaved` then
//! runs `INGEST_ROUNDS` (default 15) rounds of every variant, one after the other within a
//! round (so load changes hit all alike), and prints each variant's median wall time and
//! the median of its per-round ratio to its plain baseline.
//!
//! `contacts_segment`: segment queries over `CONTACTS_N` contacts (default 100,000) with ten
//! interactions each (1,000,000), in a SQLite file (the time to build it is printed once),
//! first page of 100 each: tag + platform, recently active with negative mean sentiment,
//! gone quiet VIPs, and the baseline `naive_group_by` — the second query computed from the
//! interactions with `GROUP BY` (what a segment costs without the per-contact aggregates).
//! Each query runs `SEGMENT_RUNS` times (default 200; the baseline a tenth as often, at least
//! 10) after one warm-up run; printed: p50, p99 (nearest rank), mean and max.
//!
//! `contacts_segment_pg` (features `postgres` and `testkit`, with `SOCIALKIT_POSTGRES_URL`
//! set): the same contacts and queries in a PostgreSQL database made for the run
//! (`CONTACTS_PG_N` contacts, by default `CONTACTS_N`), beside the same `naive_group_by`,
//! with the same percentiles. The PostgreSQL ingest variants (`pg_plain`, `pg_resolving`)
//! run in a database made for the run too, a workspace of their own per iteration.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use socialkit::Platform;
use socialkit::adapters::sandbox::{IncomingInteraction, SandboxConfig, SandboxWorld};
use socialkit::contacts::{
    AuditAction, AuditEntry, ContactId, ContactStore, Contacts, Identity, IdentityKey,
    MemoryContactStore, Segment, SqliteContactStore, Touch,
};
use socialkit::inbox::{Inbox, InboxStore, MemoryInboxStore, SqliteInboxStore};
use socialkit::model::InteractionKind;
use socialkit::store::{SqliteStore, WorkspaceId};

const N: usize = 1_000;

const TEXTS: &[&str] = &[
    "@acme where is my order? It's been two weeks and still nothing!!",
    "Thanks @acme, the new anvil is AWESOME 😍",
    "@acme how do I reset my password?",
    "Your app keeps crashing since the update. Unacceptable. I want a refund.",
    "Vielen Dank für die schnelle Hilfe, super Service!",
    "Not bad at all, but the delivery was kind of slow, also I'm @user7.bsky.social there",
];

/// A world with a channel holding `N` interactions, and an inbox on `store` reading it.
fn setup(store: Arc<dyn InboxStore>) -> Inbox {
    let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    let acme = world
        .channel("acme", SandboxConfig::default().with_seed(1))
        .unwrap();
    let kinds = [
        InteractionKind::Mention,
        InteractionKind::Reply,
        InteractionKind::DirectMessage,
    ];
    for i in 0..N {
        acme.receive(
            IncomingInteraction::new(kinds[i % kinds.len()])
                .text(TEXTS[i % TEXTS.len()])
                .by(format!("user{}", i % 97)),
        )
        .unwrap();
    }
    let mut inbox = Inbox::new(store, world.clock());
    inbox.connect("acme", acme as Arc<dyn Platform>);
    inbox
}

/// One way to ingest: a backend, plain or resolving.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Variant {
    SqlitePlain,
    SqliteResolving,
    SqliteResolvingTwoTx,
    MemoryPlain,
    MemoryResolving,
    PgPlain,
    PgResolving,
}

impl Variant {
    const ALL: [Variant; 7] = [
        Variant::SqlitePlain,
        Variant::SqliteResolving,
        Variant::SqliteResolvingTwoTx,
        Variant::MemoryPlain,
        Variant::MemoryResolving,
        Variant::PgPlain,
        Variant::PgResolving,
    ];

    fn name(self) -> &'static str {
        match self {
            Variant::SqlitePlain => "sqlite_plain",
            Variant::SqliteResolving => "sqlite_resolving",
            Variant::SqliteResolvingTwoTx => "sqlite_resolving_two_tx",
            Variant::MemoryPlain => "memory_plain",
            Variant::MemoryResolving => "memory_resolving",
            Variant::PgPlain => "pg_plain",
            Variant::PgResolving => "pg_resolving",
        }
    }

    /// The plain variant of the same backend.
    fn baseline(self) -> Variant {
        match self {
            Variant::SqlitePlain | Variant::SqliteResolving | Variant::SqliteResolvingTwoTx => {
                Variant::SqlitePlain
            }
            Variant::MemoryPlain | Variant::MemoryResolving => Variant::MemoryPlain,
            Variant::PgPlain | Variant::PgResolving => Variant::PgPlain,
        }
    }

    fn is_pg(self) -> bool {
        matches!(self, Variant::PgPlain | Variant::PgResolving)
    }
}

/// What a fresh inbox of a variant needs: a SQLite file's directory, a PostgreSQL database.
struct Ingest {
    rt: tokio::runtime::Runtime,
    pg: Option<pg::Db>,
    runs: std::cell::Cell<usize>,
}

impl Ingest {
    fn new() -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let pg = pg::Db::create(&rt, "contactsingest");
        Ingest {
            rt,
            pg,
            runs: std::cell::Cell::new(0),
        }
    }

    /// The variants this run can measure (the PostgreSQL ones only with a server).
    fn variants(&self) -> Vec<Variant> {
        Variant::ALL
            .into_iter()
            .filter(|v| !v.is_pg() || self.pg.is_some())
            .collect()
    }

    /// A fresh inbox of `v` (a new file, a new workspace) and what must live as long.
    fn inbox(&self, v: Variant) -> (Option<tempfile::TempDir>, Inbox) {
        let clock = || Arc::new(socialkit::clock::SystemClock);
        let ws = WorkspaceId::from("acme");
        match v {
            Variant::SqlitePlain | Variant::SqliteResolving | Variant::SqliteResolvingTwoTx => {
                let dir = tempfile::tempdir().unwrap();
                let db = SqliteStore::open(dir.path().join("s.db")).unwrap();
                let plain: Arc<dyn InboxStore> =
                    Arc::new(SqliteInboxStore::new(&db.handle(), &ws).unwrap());
                let store = match v {
                    Variant::SqlitePlain => plain,
                    Variant::SqliteResolving => SqliteContactStore::new(&db.handle(), &ws)
                        .unwrap()
                        .resolving_inbox()
                        .unwrap(),
                    _ => {
                        let contacts = SqliteContactStore::new(&db.handle(), &ws).unwrap();
                        Contacts::new(Arc::new(contacts), clock()).resolving(plain)
                    }
                };
                (Some(dir), setup(store))
            }
            Variant::MemoryPlain => (None, setup(Arc::new(MemoryInboxStore::default()))),
            Variant::MemoryResolving => {
                let c = Contacts::new(Arc::new(MemoryContactStore::default()), clock());
                (
                    None,
                    setup(c.resolving(Arc::new(MemoryInboxStore::default()))),
                )
            }
            Variant::PgPlain | Variant::PgResolving => {
                let n = self.runs.get();
                self.runs.set(n + 1);
                let pg = self
                    .pg
                    .as_ref()
                    .expect("PostgreSQL variants run with a server");
                let store = pg.inbox(&self.rt, &format!("ingest{n}"), v == Variant::PgResolving);
                (None, setup(store))
            }
        }
    }

    /// Reads the channel into a fresh inbox of `v`; the wall time of the read alone.
    fn run(&self, v: Variant) -> std::time::Duration {
        let (_dir, inbox) = self.inbox(v);
        let started = Instant::now();
        let r = self.rt.block_on(inbox.sync()).unwrap();
        let took = started.elapsed();
        assert_eq!(r.new, N);
        took
    }

    fn finish(self) {
        if let Some(pg) = self.pg {
            pg.drop(&self.rt);
        }
    }
}

fn bench_ingest(c: &mut Criterion) {
    let ingest = Ingest::new();
    let mut g = c.benchmark_group("contacts_ingest");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    for v in ingest.variants() {
        g.bench_function(v.name(), |b| {
            b.iter_batched(
                || ingest.inbox(v),
                |(_dir, inbox)| {
                    let r = ingest.rt.block_on(inbox.sync()).unwrap();
                    assert_eq!(r.new, N);
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
    ingest_interleaved(&ingest);
    ingest.finish();
}

/// Rounds of every variant, one after the other in each round, with each variant's median
/// and the median of its per-round ratio to its plain baseline.
fn ingest_interleaved(ingest: &Ingest) {
    let rounds: usize = std::env::var("INGEST_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    let variants = ingest.variants();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    for round in 0..rounds {
        // Rotate the order so no variant always runs first (after a pause) or last.
        for k in 0..variants.len() {
            let i = (k + round) % variants.len();
            times[i].push(ingest.run(variants[i]).as_secs_f64());
        }
    }
    println!("contacts_ingest_interleaved: {rounds} rounds of {N} interactions");
    for (i, v) in variants.iter().enumerate() {
        let base = variants.iter().position(|b| *b == v.baseline()).unwrap();
        let mut ratios: Vec<f64> = times[i]
            .iter()
            .zip(&times[base])
            .map(|(t, b)| t / b)
            .collect();
        println!(
            "  {:<24} median {:>8.2} ms   ratio to {:<13} median {:.3}",
            v.name(),
            median(&mut times[i].clone()) * 1e3,
            v.baseline().name(),
            median(&mut ratios)
        );
    }
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// A PostgreSQL database made for the run (features `postgres` and `testkit`, with
/// `SOCIALKIT_POSTGRES_URL` set), dropped at the end.
#[cfg(all(feature = "postgres", feature = "testkit"))]
mod pg {
    use std::sync::Arc;

    use socialkit::contacts::PgContactStore;
    use socialkit::inbox::{InboxStore, PgInboxStore};
    use socialkit::store::postgres::scratch::ScratchDb;
    use socialkit::store::{PgStore, WorkspaceId};

    pub struct Db {
        db: ScratchDb,
        store: PgStore,
    }

    impl Db {
        /// `None` without a server.
        pub fn create(rt: &tokio::runtime::Runtime, label: &str) -> Option<Db> {
            let db = rt.block_on(ScratchDb::create(label)).unwrap()?;
            let store = rt.block_on(PgStore::connect_with(db.url(), 4)).unwrap();
            Some(Db { db, store })
        }

        pub fn store(&self) -> &PgStore {
            &self.store
        }

        /// The inbox of workspace `ws`, plain or resolving in one transaction per page.
        pub fn inbox(
            &self,
            rt: &tokio::runtime::Runtime,
            ws: &str,
            resolving: bool,
        ) -> Arc<dyn InboxStore> {
            let ws = WorkspaceId::from(ws);
            let h = self.store.handle();
            rt.block_on(async {
                if resolving {
                    let contacts = PgContactStore::new(&h, &ws).await.unwrap();
                    contacts.resolving_inbox().await.unwrap()
                } else {
                    Arc::new(PgInboxStore::new(&h, &ws).await.unwrap()) as Arc<dyn InboxStore>
                }
            })
        }

        pub fn drop(self, rt: &tokio::runtime::Runtime) {
            drop(self.store);
            rt.block_on(self.db.drop_now()).unwrap();
        }
    }
}

/// Without PostgreSQL: never a database.
#[cfg(not(all(feature = "postgres", feature = "testkit")))]
mod pg {
    use std::sync::Arc;

    use socialkit::inbox::InboxStore;

    pub enum Db {}

    impl Db {
        pub fn create(_: &tokio::runtime::Runtime, _: &str) -> Option<Db> {
            None
        }

        pub fn inbox(&self, _: &tokio::runtime::Runtime, _: &str, _: bool) -> Arc<dyn InboxStore> {
            match *self {}
        }

        pub fn drop(self, _: &tokio::runtime::Runtime) {}
    }
}

const PLATFORMS: [&str; 4] = ["x", "mastodon", "bluesky", "threads"];

fn now() -> DateTime<Utc> {
    "2026-09-01T00:00:00Z".parse().unwrap()
}

/// Contact `n`'s ten interactions: on one platform, spread over a year, sentiment by `n`.
fn seen_of(n: usize) -> Vec<(Identity, Touch)> {
    let platform = PLATFORMS[n % PLATFORMS.len()];
    let key = IdentityKey::new(platform, format!("acct{n}"));
    let last = now() - Duration::days((n % 365) as i64);
    (0..10)
        .map(|k| {
            let at = last - Duration::days(9 * k as i64);
            let id = Identity::new(key.clone(), format!("handle{n}"), ContactId::from(""), at);
            let mut t = Touch::new(
                format!("acme\u{1f}{platform}\u{1f}{n}-{k}"),
                key.clone(),
                format!("acme-{platform}"),
                InteractionKind::Mention,
                at,
            );
            t.sentiment = Some(((n * 7 + k * 13) % 200) as f64 / 100.0 - 1.0);
            (id, t)
        })
        .collect()
}

/// How often each segment query runs (`SEGMENT_RUNS`, default 200).
fn segment_runs() -> usize {
    std::env::var("SEGMENT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// Runs `f` once to warm up, then `runs` times; prints p50 and p99 (nearest rank), mean and
/// max of the wall times.
fn percentiles(group: &str, name: &str, runs: usize, mut f: impl FnMut()) {
    f();
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let rank = |p: usize| times[(p * times.len()).div_ceil(100).max(1) - 1];
    println!(
        "{group}/{name:<16} runs {:>4}   p50 {:>9.3} ms   p99 {:>9.3} ms   mean {:>9.3} ms   max {:>9.3} ms",
        times.len(),
        rank(50),
        rank(99),
        times.iter().sum::<f64>() / times.len() as f64,
        times[times.len() - 1]
    );
}

const NAIVE_GROUP_BY: &str = "SELECT i.contact FROM contact_identities i JOIN contact_touches t
        ON t.workspace = i.workspace AND t.platform = i.platform AND t.identity = i.id
    WHERE i.workspace = 'acme'
    GROUP BY i.contact
    HAVING MAX(t.at) >= {since} AND AVG(t.sentiment) <= -0.05
    ORDER BY i.contact LIMIT 100";

fn bench_segment(_: &mut Criterion) {
    let contacts: usize = std::env::var("CONTACTS_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contacts.db");
    let db = SqliteStore::open(&path).unwrap();
    let store = SqliteContactStore::new(&db.handle(), &WorkspaceId::from("acme")).unwrap();
    let started = Instant::now();
    rt.block_on(build(&store, contacts));
    println!(
        "contacts_segment: built {contacts} contacts / {} interactions in {:.1} s",
        contacts * 10,
        started.elapsed().as_secs_f64()
    );
    let runs = segment_runs();
    for (name, seg) in &segment_queries() {
        percentiles("contacts_segment", name, runs, || {
            let page = rt.block_on(store.segment(seg, None, 100)).unwrap();
            assert!(!page.is_empty());
        });
    }
    let raw = rusqlite::Connection::open(&path).unwrap();
    let since = (now() - Duration::days(30)).timestamp_micros();
    let sql = NAIVE_GROUP_BY.replace("{since}", "?1");
    percentiles(
        "contacts_segment",
        "naive_group_by",
        (runs / 10).max(10),
        || {
            let mut stmt = raw.prepare_cached(&sql).unwrap();
            let n = stmt
                .query_map([since], |r| r.get::<_, String>(0))
                .unwrap()
                .count();
            assert!(n > 0);
        },
    );
}

/// The segment queries of [`bench_segment`].
fn segment_queries() -> [(&'static str, Segment); 3] {
    [
        (
            "tag_and_platform",
            Segment {
                tags: vec!["t3".into()],
                platforms: vec!["x".into()],
                ..Segment::default()
            },
        ),
        (
            "active_negative",
            Segment {
                active_since: Some(now() - Duration::days(30)),
                max_sentiment: Some(-0.05),
                ..Segment::default()
            },
        ),
        (
            "gone_quiet_vip",
            Segment {
                quiet_since: Some(now() - Duration::days(180)),
                min_touches: Some(5),
                vip: Some(true),
                ..Segment::default()
            },
        ),
    ]
}

/// Builds `contacts` contacts with ten interactions each in `store`: tags on one in ten, VIP
/// on one in a hundred.
async fn build(store: &dyn ContactStore, contacts: usize) {
    let mut batch = Vec::new();
    for n in 0..contacts {
        batch.extend(seen_of(n));
        if batch.len() >= 5_000 {
            store.observe(&batch, false).await.unwrap();
            batch.clear();
        }
    }
    store.observe(&batch, false).await.unwrap();
    let audit = AuditEntry::new(now(), "bench", AuditAction::Noted);
    for n in (0..contacts).step_by(10) {
        let key = IdentityKey::new(PLATFORMS[n % PLATFORMS.len()], format!("acct{n}"));
        let id = store.contact_of(&key).await.unwrap().unwrap();
        let mut contact = store.contact(&id).await.unwrap().unwrap();
        contact.tags.insert(format!("t{}", n % 7));
        contact.vip = n % 100 == 0;
        store.put_contact(&contact, &audit).await.unwrap();
    }
}

fn bench_segment_pg(_: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = pg::Db::create(&rt, "contactsbench") else {
        eprintln!("contacts_segment_pg skipped: SOCIALKIT_POSTGRES_URL is not set");
        return;
    };
    segment_pg(&rt, &db);
    db.drop(&rt);
}

#[cfg(all(feature = "postgres", feature = "testkit"))]
fn segment_pg(rt: &tokio::runtime::Runtime, db: &pg::Db) {
    use socialkit::contacts::PgContactStore;
    let contacts: usize = ["CONTACTS_PG_N", "CONTACTS_N"]
        .iter()
        .find_map(|v| std::env::var(v).ok().and_then(|v| v.parse().ok()))
        .unwrap_or(100_000);
    let pg = db.store();
    let store = rt
        .block_on(PgContactStore::new(
            &pg.handle(),
            &WorkspaceId::from("acme"),
        ))
        .unwrap();
    let started = Instant::now();
    rt.block_on(build(&store, contacts));
    let client = rt.block_on(pg.handle().pool().get()).unwrap();
    rt.block_on(client.batch_execute("ANALYZE")).unwrap();
    println!(
        "contacts_segment_pg: built {contacts} contacts / {} interactions in {:.1} s",
        contacts * 10,
        started.elapsed().as_secs_f64()
    );
    let runs = segment_runs();
    for (name, seg) in &segment_queries() {
        percentiles("contacts_segment_pg", name, runs, || {
            let page = rt.block_on(store.segment(seg, None, 100)).unwrap();
            assert!(!page.is_empty());
        });
    }
    let since = (now() - Duration::days(30)).timestamp_micros();
    let sql = NAIVE_GROUP_BY.replace("{since}", "$1");
    percentiles(
        "contacts_segment_pg",
        "naive_group_by",
        (runs / 10).max(10),
        || {
            let rows = rt.block_on(client.query(&sql, &[&since])).unwrap();
            assert!(!rows.is_empty());
        },
    );
}

#[cfg(not(all(feature = "postgres", feature = "testkit")))]
fn segment_pg(_: &tokio::runtime::Runtime, db: &pg::Db) {
    match *db {}
}

criterion_group!(benches, bench_ingest, bench_segment, bench_segment_pg);
criterion_main!(benches);
