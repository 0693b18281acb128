//! Inbox ingestion plus classification, in interactions per second: a sandbox channel holding
//! `N` mentions, replies and DMs is read by a fresh inbox (paging, threading, sentiment, intent,
//! priority, rules, dedupe and the store commit per page), on the memory and the SQLite store.
//!
//! Views (`inbox_view`): a page of 50 of a saved view (the store filters, sorts and pages)
//! and the badge counts of the presets, over `VIEW_N` items on the memory and the SQLite
//! store.
//!
//! A million items (`inbox_million`, SQLite in a file; `INBOX_N` items, default 1,000,000):
//! ingest (the time to commit all of them in pages of 1,000 is printed once; criterion
//! measures one more page of 1,000 new items into the full store), a page of 50 of three
//! presets, and the SLA report.

use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use socialkit::Platform;
use socialkit::adapters::sandbox::{IncomingInteraction, SandboxConfig, SandboxWorld};
use socialkit::clock::ManualClock;
use socialkit::inbox::sla::SlaKind;
use socialkit::inbox::sla::SlaPolicy;
use socialkit::inbox::{
    Inbox, InboxFilter, InboxItem, InboxStore, ItemState, MemoryInboxStore, PageRequest, SortOrder,
    View,
};
use socialkit::listen::classify::{Intent, Priority};
use socialkit::listen::query::Query;
use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};

const VIEW_N: usize = 100_000;

const N: usize = 1_000;

const TEXTS: &[&str] = &[
    "@acme where is my order? It's been two weeks and still nothing!!",
    "Thanks @acme, the new anvil is AWESOME 😍",
    "@acme how do I reset my password?",
    "Your app keeps crashing since the update. Unacceptable. I want a refund.",
    "Huge crypto giveaway 🚀 passive income, DM me https://x.example https://y.example",
    "@acme Wo bleibt meine Bestellung? Ich warte seit einer Woche!",
    "Vielen Dank für die schnelle Hilfe, super Service!",
    "Not bad at all, but the delivery was kind of slow",
];

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

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut g = c.benchmark_group("inbox_ingest_classify");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function("memory_store", |b| {
        b.iter_batched(
            || setup(Arc::new(MemoryInboxStore::default())),
            |inbox| {
                let r = rt.block_on(inbox.sync()).unwrap();
                assert_eq!(r.new, N);
            },
            BatchSize::PerIteration,
        )
    });
    #[cfg(feature = "sqlite")]
    g.bench_function("sqlite_store", |b| {
        b.iter_batched(
            || {
                setup(Arc::new(
                    socialkit::inbox::SqliteInboxStore::open_in_memory().unwrap(),
                ))
            },
            |inbox| {
                let r = rt.block_on(inbox.sync()).unwrap();
                assert_eq!(r.new, N);
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// `VIEW_N` varied items: the classifications of `TEXTS`, varied in intent, priority, tags,
/// state, assignee and age (a week back from `now`).
fn view_items(now: chrono::DateTime<chrono::Utc>) -> Vec<InboxItem> {
    let maker = Inbox::new(
        Arc::new(MemoryInboxStore::default()),
        Arc::new(ManualClock::new(now)),
    );
    let intents = [
        Intent::Question,
        Intent::Complaint,
        Intent::Praise,
        Intent::Other,
    ];
    let prios = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];
    let members = [None, Some("ann"), Some("bo"), Some("cy")];
    let mut base: Vec<InboxItem> = Vec::new();
    (0..VIEW_N)
        .map(|i| {
            let opened = now - chrono::Duration::seconds((i as i64 * 6_047) % (7 * 86_400));
            let interaction = Interaction {
                reference: InteractionRef::new("sandbox", format!("n{i}")),
                kind: InteractionKind::Mention,
                author: Author {
                    handle: format!("user{}", i % 997),
                    ..Author::default()
                },
                text: Some(TEXTS[i % TEXTS.len()].to_string()),
                created_at: opened,
                post: None,
                conversation: None,
                language: None,
            };
            let channel = ["acme", "acme_de", "acme_help"][i % 3];
            let mut item = if base.len() < TEXTS.len() {
                let item = maker.prepare(channel, interaction, opened);
                base.push(item.clone());
                item
            } else {
                let mut item = InboxItem::new(channel, interaction, opened);
                item.classification = base[i % TEXTS.len()].classification.clone();
                item
            };
            if let Some(c) = item.classification.as_mut() {
                c.intent = intents[(i / 7) % intents.len()];
                c.priority = prios[(i / 11) % prios.len()];
                c.tags = if i % 5 == 0 {
                    vec!["billing".into()]
                } else {
                    Vec::new()
                };
            }
            item.assignee = members[(i / 3) % members.len()].map(str::to_string);
            item.state = [ItemState::New, ItemState::Pending, ItemState::Resolved][(i / 13) % 3];
            if item.state == ItemState::Resolved {
                item.first_response_at = Some(opened + chrono::Duration::minutes(20));
                item.resolved_at = Some(opened + chrono::Duration::hours(3));
            }
            if i % 17 == 0 {
                item.breaches.push(SlaKind::FirstResponse);
            }
            item
        })
        .collect()
}

fn bench_views(c: &mut Criterion) {
    let now = "2026-03-09T10:00:00Z".parse().unwrap();
    let items = view_items(now);
    let clock = Arc::new(ManualClock::new(now));
    let mut stores: Vec<(&str, Arc<dyn InboxStore>)> =
        vec![("memory", Arc::new(MemoryInboxStore::default()))];
    #[cfg(feature = "sqlite")]
    stores.push((
        "sqlite",
        Arc::new(socialkit::inbox::SqliteInboxStore::open_in_memory().unwrap()),
    ));
    let presets = View::presets();
    let text = View::new(
        "Refunds",
        InboxFilter {
            text: Some(Query::parse("refund* OR broken").unwrap()),
            states: vec![ItemState::New, ItemState::Pending],
            ..InboxFilter::default()
        },
        SortOrder::Newest,
    );
    let mut g = c.benchmark_group("inbox_view");
    g.sample_size(10);
    g.throughput(Throughput::Elements(VIEW_N as u64));
    let rt = tokio::runtime::Runtime::new().unwrap();
    for (name, store) in stores {
        rt.block_on(store.commit_page("bench", &items, None, &SlaPolicy::default()))
            .unwrap();
        let inbox = Inbox::new(store, clock.clone());
        for (label, view) in [
            ("unassigned_complaints", &presets[1]),
            ("breached", &presets[3]),
            ("text_query", &text),
        ] {
            let total = rt.block_on(inbox.count(view, Some("ann"))).unwrap();
            eprintln!("inbox_view {name}/{label}: {total} of {VIEW_N} items match");
            g.bench_function(format!("{name}/{label}"), |b| {
                b.iter(|| {
                    rt.block_on(inbox.view(view, Some("ann"), PageRequest::first(50)))
                        .unwrap()
                })
            });
        }
        g.bench_function(format!("{name}/preset_counts"), |b| {
            b.iter(|| rt.block_on(inbox.counts(&presets, Some("ann"))).unwrap())
        });
    }
    g.finish();
}

/// Item `i` of the million: the classifications of `TEXTS` in `base`, varied in intent,
/// priority, tags, state, assignee, response and resolution times, breaches, and age (four
/// weeks back from `now`).
fn million_item(i: usize, base: &[InboxItem], now: chrono::DateTime<chrono::Utc>) -> InboxItem {
    let intents = [
        Intent::Question,
        Intent::Complaint,
        Intent::Praise,
        Intent::Other,
    ];
    let prios = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];
    let members = [None, Some("ann"), Some("bo"), Some("cy")];
    let opened = now - chrono::Duration::seconds((i as i64 * 6_047) % (28 * 86_400));
    let interaction = Interaction {
        reference: InteractionRef::new("sandbox", format!("n{i}")),
        kind: InteractionKind::Mention,
        author: Author {
            handle: format!("user{}", i % 997),
            ..Author::default()
        },
        text: Some(TEXTS[i % TEXTS.len()].to_string()),
        created_at: opened,
        post: None,
        conversation: None,
        language: None,
    };
    let channel = ["acme", "acme_de", "acme_help"][i % 3];
    let mut item = InboxItem::new(channel, interaction, opened);
    item.classification = base[i % TEXTS.len()].classification.clone();
    if let Some(c) = item.classification.as_mut() {
        c.intent = intents[(i / 7) % 4];
        c.priority = prios[(i / 11) % 4];
        c.tags = if i.is_multiple_of(5) {
            vec!["billing".into()]
        } else {
            Vec::new()
        };
    }
    item.assignee = members[(i / 3) % 4].map(str::to_string);
    item.state = [ItemState::New, ItemState::Pending, ItemState::Resolved][(i / 13) % 3];
    if item.state == ItemState::Resolved {
        item.first_response_at = Some(opened + chrono::Duration::minutes(20 + (i % 300) as i64));
        item.resolved_at = Some(opened + chrono::Duration::hours(3 + (i % 40) as i64));
    }
    if i.is_multiple_of(17) {
        item.breaches.push(SlaKind::FirstResponse);
    }
    item
}

#[cfg(feature = "sqlite")]
fn bench_million(c: &mut Criterion) {
    use std::time::Instant;
    let n: usize = std::env::var("INBOX_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let now: chrono::DateTime<chrono::Utc> = "2026-03-09T10:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let maker = Inbox::new(Arc::new(MemoryInboxStore::default()), clock.clone());
    let base: Vec<InboxItem> = TEXTS
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let it = Interaction {
                reference: InteractionRef::new("sandbox", format!("b{i}")),
                kind: InteractionKind::Mention,
                author: Author::default(),
                text: Some(t.to_string()),
                created_at: now,
                post: None,
                conversation: None,
                language: None,
            };
            maker.prepare("acme", it, now)
        })
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store =
        Arc::new(socialkit::inbox::SqliteInboxStore::open(dir.path().join("inbox.db")).unwrap());
    let sla = SlaPolicy::default();
    let page = 1_000;
    let t = Instant::now();
    for start in (0..n).step_by(page) {
        let items: Vec<InboxItem> = (start..(start + page).min(n))
            .map(|i| million_item(i, &base, now))
            .collect();
        rt.block_on(store.commit_page("bench", &items, Some(&start.to_string()), &sla))
            .unwrap();
    }
    let took = t.elapsed();
    eprintln!(
        "inbox_million: ingest {n} items in pages of {page}: {took:.2?} ({:.0} items/s)",
        n as f64 / took.as_secs_f64()
    );
    let inbox = Inbox::new(store.clone(), clock);
    let presets = View::presets();
    let mut g = c.benchmark_group("inbox_million");
    g.sample_size(10);
    let mut next = n;
    g.bench_function("ingest_page_of_1000", |b| {
        b.iter(|| {
            let items: Vec<InboxItem> = (next..next + page)
                .map(|i| million_item(i, &base, now))
                .collect();
            next += page;
            rt.block_on(store.commit_page("bench", &items, None, &sla))
                .unwrap()
        })
    });
    for (label, view) in [
        ("my_open_items", &presets[0]),
        ("unassigned_complaints", &presets[1]),
        ("breached", &presets[3]),
    ] {
        g.bench_function(format!("page_of_50/{label}"), |b| {
            b.iter(|| {
                let p = rt
                    .block_on(inbox.view(view, Some("ann"), PageRequest::first(50)))
                    .unwrap();
                assert_eq!(p.items.len(), 50);
                p
            })
        });
    }
    g.bench_function("report", |b| {
        b.iter(|| rt.block_on(inbox.report()).unwrap())
    });
    g.finish();
}

#[cfg(not(feature = "sqlite"))]
fn bench_million(_: &mut Criterion) {}

criterion_group!(benches, bench, bench_views, bench_million);
criterion_main!(benches);
