//! The contact layer's costs, each beside its baseline in the same run.
//!
//! `contacts_ingest`: a fresh inbox reads a sandbox channel holding `N` interactions from 97
//! authors (paging, classification, store commit), on SQLite in a file and in memory, once
//! plain (`*_plain`, the inbox as it is) and once with contact resolution (`*_resolving`:
//! every author recorded as an identity with its contact, every item as a touch, before the
//! page is committed). The goal: resolving within 10 % of plain.
//!
//! `contacts_segment`: segment queries over `CONTACTS_N` contacts (default 100,000) with ten
//! interactions each (1,000,000), in a SQLite file (the time to build it is printed once),
//! first page of 100 each: tag + platform, recently active with negative mean sentiment,
//! gone quiet VIPs, and the baseline `naive_group_by` — the second query computed from the
//! interactions with `GROUP BY` (what a segment costs without the per-contact aggregates).
//!
//! `contacts_segment_pg` (features `postgres` and `testkit`, with `SOCIALKIT_POSTGRES_URL`
//! set): the same contacts and queries in a PostgreSQL database made for the run
//! (`CONTACTS_PG_N` contacts, by default `CONTACTS_N`), beside the same `naive_group_by`.

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

/// The SQLite inbox in a fresh file, with or without contact resolution on the same file.
fn sqlite_inbox(dir: &tempfile::TempDir, resolving: bool) -> Inbox {
    let db = SqliteStore::open(dir.path().join("s.db")).unwrap();
    let ws = WorkspaceId::from("acme");
    let inbox: Arc<dyn InboxStore> = Arc::new(SqliteInboxStore::new(&db.handle(), &ws).unwrap());
    if !resolving {
        return setup(inbox);
    }
    let contacts = SqliteContactStore::new(&db.handle(), &ws).unwrap();
    let c = Contacts::new(Arc::new(contacts), Arc::new(socialkit::clock::SystemClock));
    setup(c.resolving(inbox))
}

fn memory_inbox(resolving: bool) -> Inbox {
    let inbox: Arc<dyn InboxStore> = Arc::new(MemoryInboxStore::default());
    if !resolving {
        return setup(inbox);
    }
    let c = Contacts::new(
        Arc::new(MemoryContactStore::default()),
        Arc::new(socialkit::clock::SystemClock),
    );
    setup(c.resolving(inbox))
}

fn bench_ingest(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut g = c.benchmark_group("contacts_ingest");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    for (name, resolving) in [("sqlite_plain", false), ("sqlite_resolving", true)] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().unwrap();
                    let inbox = sqlite_inbox(&dir, resolving);
                    (dir, inbox)
                },
                |(_dir, inbox)| {
                    let r = rt.block_on(inbox.sync()).unwrap();
                    assert_eq!(r.new, N);
                },
                BatchSize::PerIteration,
            )
        });
    }
    for (name, resolving) in [("memory_plain", false), ("memory_resolving", true)] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || memory_inbox(resolving),
                |inbox| {
                    let r = rt.block_on(inbox.sync()).unwrap();
                    assert_eq!(r.new, N);
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
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

fn bench_segment(c: &mut Criterion) {
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

    let mut g = c.benchmark_group("contacts_segment");
    g.sample_size(10);
    let queries = segment_queries();
    for (name, seg) in &queries {
        g.bench_function(*name, |b| {
            b.iter(|| {
                let page = rt.block_on(store.segment(seg, None, 100)).unwrap();
                assert!(!page.is_empty());
            })
        });
    }
    let raw = rusqlite::Connection::open(&path).unwrap();
    let since = (now() - Duration::days(30)).timestamp_micros();
    g.bench_function("naive_group_by", |b| {
        b.iter(|| {
            let mut stmt = raw
                .prepare_cached(
                    "SELECT i.contact FROM contact_identities i JOIN contact_touches t
                         ON t.workspace = i.workspace AND t.platform = i.platform
                         AND t.identity = i.id
                     WHERE i.workspace = 'acme'
                     GROUP BY i.contact
                     HAVING MAX(t.at) >= ?1 AND AVG(t.sentiment) <= -0.05
                     ORDER BY i.contact LIMIT 100",
                )
                .unwrap();
            let n = stmt
                .query_map([since], |r| r.get::<_, String>(0))
                .unwrap()
                .count();
            assert!(n > 0);
        })
    });
    g.finish();
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

#[cfg(all(feature = "postgres", feature = "testkit"))]
fn bench_segment_pg(c: &mut Criterion) {
    use socialkit::contacts::PgContactStore;
    use socialkit::store::PgStore;
    use socialkit::store::postgres::scratch::ScratchDb;
    if std::env::var("SOCIALKIT_POSTGRES_URL").is_err() {
        eprintln!("contacts_segment_pg skipped: SOCIALKIT_POSTGRES_URL is not set");
        return;
    }
    let contacts: usize = ["CONTACTS_PG_N", "CONTACTS_N"]
        .iter()
        .find_map(|v| std::env::var(v).ok().and_then(|v| v.parse().ok()))
        .unwrap_or(100_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt
        .block_on(ScratchDb::create("contactsbench"))
        .unwrap()
        .unwrap();
    let pg = rt.block_on(PgStore::connect_with(db.url(), 4)).unwrap();
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
    let mut g = c.benchmark_group("contacts_segment_pg");
    g.sample_size(10);
    for (name, seg) in &segment_queries() {
        g.bench_function(*name, |b| {
            b.iter(|| {
                let page = rt.block_on(store.segment(seg, None, 100)).unwrap();
                assert!(!page.is_empty());
            })
        });
    }
    let since = (now() - Duration::days(30)).timestamp_micros();
    g.bench_function("naive_group_by", |b| {
        b.iter(|| {
            let rows = rt
                .block_on(client.query(
                    "SELECT i.contact FROM contact_identities i JOIN contact_touches t
                         ON t.workspace = i.workspace AND t.platform = i.platform
                         AND t.identity = i.id
                     WHERE i.workspace = 'acme'
                     GROUP BY i.contact
                     HAVING MAX(t.at) >= $1 AND AVG(t.sentiment) <= -0.05
                     ORDER BY i.contact LIMIT 100",
                    &[&since],
                ))
                .unwrap();
            assert!(!rows.is_empty());
        })
    });
    g.finish();
    drop((client, store, pg));
    rt.block_on(db.drop_now()).unwrap();
}

#[cfg(not(all(feature = "postgres", feature = "testkit")))]
fn bench_segment_pg(_: &mut Criterion) {}

criterion_group!(benches, bench_ingest, bench_segment, bench_segment_pg);
criterion_main!(benches);
