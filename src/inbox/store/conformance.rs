//! One behaviour suite every [`InboxStore`] passes: memory, SQLite and PostgreSQL run the same
//! cases (the memory and SQLite stores in `tests.rs`, PostgreSQL in `postgres_tests.rs`).
//!
//! A store comes from a [`Maker`]: `make(ws)` gives the inbox of workspace `ws`, the same one
//! for the same name; every case uses workspaces of its own, so one database serves the whole
//! suite and the cases also prove that workspaces never see each other.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::ManualClock;
use crate::inbox::sla::{SlaKind, SlaPolicy};
use crate::inbox::*;
use crate::listen::classify::{Intent, Priority};
use crate::model::{Author, Interaction, InteractionKind, InteractionRef};

/// Gives the inbox store of a workspace.
pub(crate) type Maker =
    dyn Fn(String) -> Pin<Box<dyn Future<Output = Arc<dyn InboxStore>> + Send>> + Send + Sync;

pub(crate) fn mention(id: &str, text: &str, at: DateTime<Utc>) -> Interaction {
    Interaction {
        reference: InteractionRef::new("sandbox", id),
        kind: InteractionKind::Mention,
        author: Author::default(),
        text: Some(text.to_string()),
        created_at: at,
        post: None,
        conversation: None,
        language: None,
    }
}

pub(crate) fn now() -> DateTime<Utc> {
    "2026-03-02T08:00:00Z".parse().unwrap_or_default()
}

pub(crate) async fn everything(store: &dyn InboxStore) -> Vec<InboxItem> {
    super::all(store, &Narrowing::default(), &SlaPolicy::default())
        .await
        .unwrap()
}

/// Runs every case on stores from `make`.
pub(crate) async fn run(make: &Maker) {
    commits_dedupe_keep_cursors_and_workspaces_apart(make).await;
    concurrent_commits_insert_each_item_once(make).await;
    notes_are_atomic_and_leave_the_rest_of_the_item_alone(make).await;
    pages_counts_and_the_report_are_the_exact_answer(make).await;
    facts_follow_a_new_policy(make).await;
}

async fn commits_dedupe_keep_cursors_and_workspaces_apart(make: &Maker) {
    let (a, b) = (make("dedupe_a".into()).await, make("dedupe_b".into()).await);
    let sla = SlaPolicy::default();
    let items = varied(5);
    assert_eq!(a.cursor("acme").await.unwrap(), None);
    assert_eq!(
        a.commit_page("acme", &items[..3], Some("c1"), &sla)
            .await
            .unwrap(),
        3
    );
    // The same items again, and two new ones: only those are new; the cursor moves on.
    assert_eq!(
        a.commit_page("acme", &items, Some("c2"), &sla)
            .await
            .unwrap(),
        2
    );
    assert_eq!(a.cursor("acme").await.unwrap().as_deref(), Some("c2"));
    // No cursor given: the stored one stays.
    assert_eq!(a.commit_page("acme", &[], None, &sla).await.unwrap(), 0);
    assert_eq!(a.cursor("acme").await.unwrap().as_deref(), Some("c2"));
    assert_eq!(a.cursor("other").await.unwrap(), None);
    // An item is stored as given, and a stored item is not replaced by a commit.
    let mut changed = items[0].clone();
    changed.assignee = Some("zed".into());
    a.commit_page("acme", &[changed.clone()], None, &sla)
        .await
        .unwrap();
    assert_eq!(
        a.get(&items[0].key).await.unwrap().as_ref(),
        Some(&items[0])
    );
    // `put` replaces it.
    a.put(&changed, &sla).await.unwrap();
    assert_eq!(a.get(&items[0].key).await.unwrap(), Some(changed));
    assert_eq!(a.get("no such key").await.unwrap(), None);
    // The same store again sees it all; another workspace sees nothing of it.
    let again = make("dedupe_a".into()).await;
    assert_eq!(everything(again.as_ref()).await.len(), 5);
    assert!(everything(b.as_ref()).await.is_empty());
    assert_eq!(b.cursor("acme").await.unwrap(), None);
    assert_eq!(b.get(&items[1].key).await.unwrap(), None);
    assert_eq!(b.count(&Narrowing::default(), &sla).await.unwrap(), 0);
}

async fn concurrent_commits_insert_each_item_once(make: &Maker) {
    let store = make("concurrent".into()).await;
    let items = varied(40);
    let sla = SlaPolicy::default();
    // Four writers commit overlapping pages at once: each item is new exactly once.
    let tasks: Vec<_> = (0..4)
        .map(|w| {
            let (store, sla) = (store.clone(), sla.clone());
            let page: Vec<InboxItem> = items[w * 8..w * 8 + 16].to_vec();
            tokio::spawn(async move {
                store
                    .commit_page("acme", &page, Some(&format!("c{w}")), &sla)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut new = 0;
    for t in tasks {
        new += t.await.unwrap();
    }
    assert_eq!(new, 40, "items 0..40, each counted new once");
    assert_eq!(store.count(&Narrowing::default(), &sla).await.unwrap(), 40);
}

async fn notes_are_atomic_and_leave_the_rest_of_the_item_alone(make: &Maker) {
    let store = make("notes".into()).await;
    let clock = Arc::new(ManualClock::new(now()));
    let inbox = Inbox::new(store.clone(), clock);
    inbox
        .ingest("acme", vec![mention("1", "hello?", now())])
        .await
        .unwrap();
    let key = InboxItem::key_of("acme", "sandbox", "1");
    inbox.assign(&key, "bo").await.unwrap();
    let note = |kind, note| {
        let (store, key) = (store.clone(), key.clone());
        async move { store.note_sla(&key, kind, note).await.unwrap() }
    };
    assert!(note(SlaKind::FirstResponse, SlaNote::Breached).await);
    assert!(!note(SlaKind::FirstResponse, SlaNote::Breached).await);
    assert!(note(SlaKind::FirstResponse, SlaNote::AtRisk).await);
    assert!(
        !store
            .note_sla("nope", SlaKind::Resolution, SlaNote::Breached)
            .await
            .unwrap()
    );
    // Eight loops race to note the same target: exactly one records it.
    let racers: Vec<_> = (0..8)
        .map(|_| tokio::spawn(note(SlaKind::Resolution, SlaNote::Breached)))
        .collect();
    let mut won = 0;
    for r in racers {
        won += usize::from(r.await.unwrap());
    }
    assert_eq!(won, 1);
    let item = inbox.item(&key).await.unwrap();
    assert_eq!(item.breaches, [SlaKind::FirstResponse, SlaKind::Resolution]);
    assert_eq!(item.warnings, [SlaKind::FirstResponse]);
    assert_eq!(item.assignee.as_deref(), Some("bo"));
    assert_eq!(item.state, ItemState::Pending);
    // The breach is a fact the store filters on.
    let breached = View::presets()[3].clone();
    assert_eq!(inbox.count(&breached, None).await.unwrap(), 1);
}

/// Varied items: intents, priorities, tags, states, assignees, ages, replies, breaches.
pub(crate) fn varied(n: usize) -> Vec<InboxItem> {
    let t0 = now();
    let maker = Inbox::new(
        Arc::new(MemoryInboxStore::default()),
        Arc::new(ManualClock::new(t0)),
    );
    let texts = [
        "@acme where is my order? two weeks!!",
        "Thanks @acme, AWESOME anvil",
        "your app crashes, I want a refund",
        "free crypto giveaway DM me https://x.example https://y.example",
    ];
    let intents = [Intent::Question, Intent::Complaint, Intent::Praise];
    let prios = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];
    (0..n)
        .map(|i| {
            let opened = t0 - chrono::Duration::seconds((i as i64 * 4_871) % (9 * 86_400));
            let channel = ["acme", "acme_de"][i % 2];
            let mut item = maker.prepare(
                channel,
                mention(&format!("n{i}"), texts[i % 4], opened),
                opened,
            );
            if i % 9 == 0 {
                item.classification = None;
            } else if let Some(c) = item.classification.as_mut() {
                c.intent = intents[(i / 5) % 3];
                c.priority = prios[(i / 7) % 4];
                c.tags = if i % 4 == 0 {
                    vec!["billing".into()]
                } else {
                    Vec::new()
                };
            }
            item.assignee = [None, Some("ann"), Some("bo")][(i / 3) % 3].map(str::to_string);
            item.state = [ItemState::New, ItemState::Pending, ItemState::Resolved][(i / 2) % 3];
            if item.state != ItemState::New && i % 5 != 0 {
                item.first_response_at =
                    Some(opened + chrono::Duration::minutes(7 * (i % 50) as i64));
                item.replied_by = Some("cy".into());
            }
            if item.state == ItemState::Resolved {
                item.resolved_at = Some(opened + chrono::Duration::minutes(40 * (i % 30) as i64));
            }
            if i % 11 == 0 {
                item.breaches.push(SlaKind::FirstResponse);
            }
            item
        })
        .collect()
}

async fn pages_counts_and_the_report_are_the_exact_answer(make: &Maker) {
    let items = varied(600);
    let sla = SlaPolicy::default();
    let store = make("exact".into()).await;
    for chunk in items.chunks(97) {
        store.commit_page("bench", chunk, None, &sla).await.unwrap();
    }
    let now = now();
    let inbox = Inbox::new(store, Arc::new(ManualClock::new(now)));
    let mut views = View::presets();
    views.push(View::new(
        "Billing, negative or refunds, newest",
        InboxFilter {
            tags: vec!["billing".into()],
            text: Some(crate::listen::query::Query::parse("refund* OR crashes").unwrap()),
            ..InboxFilter::default()
        },
        SortOrder::Newest,
    ));
    views.push(View::new(
        "Negative, oldest",
        InboxFilter {
            sentiment: vec![crate::listen::sentiment::Polarity::Negative],
            ..InboxFilter::default()
        },
        SortOrder::Oldest,
    ));
    views.push(View::new(
        "All",
        InboxFilter::default(),
        SortOrder::SlaDueSoonest,
    ));
    let ctx = FilterContext {
        me: Some("ann"),
        now,
        sla: &sla,
    };
    for view in &views {
        // The exact answer: filter and sort in Rust.
        let mut want: Vec<InboxItem> = items
            .iter()
            .filter(|i| view.filter.matches(i, &ctx))
            .cloned()
            .collect();
        view.sort.sort(&mut want, &sla);
        let mut got = Vec::new();
        let mut page = PageRequest::first(13);
        loop {
            let p = inbox.view(view, Some("ann"), page).await.unwrap();
            got.extend(p.items);
            match p.next {
                Some(next) => page = next,
                None => break,
            }
        }
        assert_eq!(
            got.iter().map(|i| &i.key).collect::<Vec<_>>(),
            want.iter().map(|i| &i.key).collect::<Vec<_>>(),
            "{}",
            view.name
        );
        assert_eq!(got, want, "{}: the items intact", view.name);
        assert_eq!(inbox.count(view, Some("ann")).await.unwrap(), want.len());
    }
    let want = sla::SlaReport::build(&sla, &items);
    assert_eq!(inbox.report().await.unwrap(), want);
    assert!(
        want.members.contains_key("cy"),
        "who replied counts when unassigned"
    );
}

async fn facts_follow_a_new_policy(make: &Maker) {
    let items = varied(60);
    let store = make("policy".into()).await;
    store
        .commit_page("bench", &items, None, &SlaPolicy::default())
        .await
        .unwrap();
    let strict = SlaPolicy {
        first_response: chrono::Duration::minutes(5),
        ..SlaPolicy::default()
    };
    let got = store.sla_report(&strict).await.unwrap();
    assert_eq!(got, sla::SlaReport::build(&strict, &items));
    let breached = Narrowing {
        sla: Some(SlaStanding::Breached { at: now() }),
        ..Narrowing::default()
    };
    let breached_under = |policy: &SlaPolicy| {
        let filter = InboxFilter {
            sla: Some(SlaFilter::Breached),
            ..InboxFilter::default()
        };
        let ctx = FilterContext {
            me: None,
            now: now(),
            sla: policy,
        };
        items.iter().filter(|i| filter.matches(i, &ctx)).count()
    };
    assert_eq!(
        store.count(&breached, &strict).await.unwrap(),
        breached_under(&strict)
    );
    // A write under the old policy and a query under it again: the answer is the old one's.
    let relaxed = SlaPolicy::default();
    store.put(&items[1], &relaxed).await.unwrap();
    assert_eq!(
        store.count(&breached, &relaxed).await.unwrap(),
        breached_under(&relaxed)
    );
    assert_ne!(breached_under(&relaxed), breached_under(&strict));
}
