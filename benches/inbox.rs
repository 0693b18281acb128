//! Inbox ingestion plus classification, in interactions per second: a sandbox channel holding
//! `N` mentions, replies and DMs is read by a fresh inbox (paging, threading, sentiment, intent,
//! priority, rules, dedupe and the store commit per page), on the memory and the SQLite store.

use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use socialkit::Platform;
use socialkit::adapters::sandbox::{IncomingInteraction, SandboxConfig, SandboxWorld};
use socialkit::inbox::{Inbox, InboxStore, MemoryInboxStore};
use socialkit::model::InteractionKind;

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

criterion_group!(benches, bench);
criterion_main!(benches);
