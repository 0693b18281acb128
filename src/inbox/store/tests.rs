//! The inbox's stores: the inbox in the engine's SQLite database (one file, reopened intact,
//! workspaces apart, tables the inbox owns and migrates), files of earlier schemas carried
//! over, atomic SLA notes, and the memory and SQLite stores agreeing on pages, counts and
//! the SLA report.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::ManualClock;
use crate::inbox::*;
use crate::model::{Author, Interaction, InteractionKind, InteractionRef};

fn mention(id: &str, text: &str, at: DateTime<Utc>) -> Interaction {
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

fn now() -> DateTime<Utc> {
    "2026-03-02T08:00:00Z".parse().unwrap()
}

async fn everything(store: &dyn InboxStore) -> Vec<InboxItem> {
    super::all(store, &Narrowing::default(), &sla::SlaPolicy::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn memory_stores_are_separate() {
    let a = Arc::new(MemoryInboxStore::default());
    let b = Arc::new(MemoryInboxStore::default());
    let clock = Arc::new(ManualClock::new(now()));
    let inbox = Inbox::new(a.clone(), clock.clone());
    inbox
        .ingest("acme", vec![mention("1", "where is my order?", now())])
        .await
        .unwrap();
    assert_eq!(everything(a.as_ref()).await.len(), 1);
    assert!(everything(b.as_ref()).await.is_empty());
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use crate::inbox::sla::{SlaKind, SlaPolicy};
    use crate::listen::classify::{Intent, Priority};
    use crate::model::Post;
    use crate::store::{Delivery, DeliveryState, PostRecord, SqliteStore, Store, Workspace};

    fn inbox_of(store: &SqliteStore, ws: &str) -> Arc<SqliteInboxStore> {
        Arc::new(SqliteInboxStore::new(&store.handle(), &ws.into()).unwrap())
    }

    #[tokio::test]
    async fn one_file_holds_engine_and_inbox_and_reopens_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.db");
        let clock = Arc::new(ManualClock::new(now()));
        let ws = crate::store::WorkspaceId::from("acme");
        let delivery;
        {
            let store = SqliteStore::open(&path).unwrap();
            store
                .create_workspace(&Workspace::new("acme", "ACME"))
                .await
                .unwrap();
            let post = PostRecord {
                workspace: ws.clone(),
                id: "p1".into(),
                post: Post::text("hello"),
                created_by: "olga".into(),
                created_at: now(),
            };
            delivery = Delivery::new(
                ws.clone(),
                "p1".into(),
                "c".into(),
                "sandbox",
                Post::text("hello"),
                DeliveryState::Scheduled,
                None,
                now(),
            );
            store
                .insert_post(&post, std::slice::from_ref(&delivery), "scheduled")
                .await
                .unwrap();
            let inbox = Inbox::new(inbox_of(&store, "acme"), clock.clone());
            inbox
                .ingest(
                    "mastodon",
                    vec![
                        mention("1", "where is my order?", now()),
                        mention("2", "I want a refund", now()),
                    ],
                )
                .await
                .unwrap();
            inbox_of(&store, "acme")
                .commit_page("mastodon", &[], Some("cursor-7"), &SlaPolicy::default())
                .await
                .unwrap();
            inbox
                .assign(&InboxItem::key_of("mastodon", "sandbox", "1"), "ann")
                .await
                .unwrap();
            // Another workspace's inbox in the same file stays apart.
            let other = Inbox::new(inbox_of(&store, "globex"), clock.clone());
            other
                .ingest("mastodon", vec![mention("1", "hi", now())])
                .await
                .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.workspace(&ws).await.unwrap().name, "ACME");
        assert_eq!(
            store.post(&ws, &"p1".into()).await.unwrap().post,
            Post::text("hello")
        );
        assert_eq!(
            store.delivery(&ws, &delivery.id).await.unwrap().state,
            DeliveryState::Scheduled
        );
        let inbox = Inbox::new(inbox_of(&store, "acme"), clock.clone());
        let items = everything(inbox_of(&store, "acme").as_ref()).await;
        assert_eq!(items.len(), 2);
        let first = inbox
            .item(&InboxItem::key_of("mastodon", "sandbox", "1"))
            .await
            .unwrap();
        assert_eq!(first.assignee.as_deref(), Some("ann"));
        assert!(items.iter().all(|i| i.classification.is_some()));
        assert_eq!(
            inbox_of(&store, "acme")
                .cursor("mastodon")
                .await
                .unwrap()
                .as_deref(),
            Some("cursor-7")
        );
        let mine = inbox
            .view(&View::presets()[0], Some("ann"), PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(mine.items.len(), 1);
        assert_eq!(
            everything(inbox_of(&store, "globex").as_ref()).await.len(),
            1
        );
        // The only database is app.db (with SQLite's WAL files beside it).
        let mut files: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert!(files.iter().all(|f| f.starts_with("app.db")), "{files:?}");
        // The standalone store on the same file is the empty workspace: nothing of "acme".
        drop(inbox);
        let standalone = SqliteInboxStore::open(&path).unwrap();
        assert!(everything(&standalone).await.is_empty());
    }

    /// A version-1 row as the engine's store wrote it before the inbox owned its tables.
    fn old_row(c: &rusqlite::Connection, ws: &str, item: &InboxItem) {
        c.execute(
            "INSERT INTO inbox_items (workspace, key, channel, state, assignee, intent, priority,
                opened_at, resolved_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL, ?6, NULL)",
            rusqlite::params![
                ws,
                item.key,
                item.channel,
                "pending",
                item.assignee,
                item.opened_at().timestamp_micros()
            ],
        )
        .unwrap();
        c.execute(
            "INSERT INTO inbox_item_data (workspace, key, data) VALUES (?1, ?2, ?3)",
            rusqlite::params![ws, item.key, serde_json::to_string(item).unwrap()],
        )
        .unwrap();
    }

    #[tokio::test]
    async fn tables_the_engine_store_made_are_adopted_and_their_facts_computed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.db");
        let clock = Arc::new(ManualClock::new(now()));
        let maker = Inbox::new(Arc::new(MemoryInboxStore::default()), clock.clone());
        let mut item = maker.prepare("acme", mention("1", "I want a refund", now()), now());
        item.assignee = Some("ann".into());
        item.state = ItemState::Pending;
        item.classification.as_mut().unwrap().intent = Intent::Complaint;
        item.classification.as_mut().unwrap().priority = Priority::High;
        {
            // What migration 3 of the engine's store made (now the inbox's step 1).
            let store = SqliteStore::open(&path).unwrap();
            drop(store);
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(super::super::sqlite::first_step_for_tests())
                .unwrap();
            old_row(&c, "acme", &item);
        }
        let store = SqliteStore::open(&path).unwrap();
        let inbox_store = inbox_of(&store, "acme");
        assert_eq!(everything(inbox_store.as_ref()).await, [item.clone()]);
        let n = Narrowing {
            intents: vec![Intent::Complaint],
            min_priority: Some(Priority::High),
            ..Narrowing::default()
        };
        let page = inbox_store
            .page(
                &n,
                SortOrder::PriorityThenAge,
                None,
                10,
                &SlaPolicy::default(),
            )
            .await
            .unwrap();
        assert_eq!(page, [item.clone()], "facts computed from the JSON");
    }

    #[test]
    fn the_inbox_versions_its_tables_and_refuses_newer_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.db");
        let store = SqliteStore::open(&path).unwrap();
        let tables = |path: &std::path::Path| -> i64 {
            rusqlite::Connection::open(path)
                .unwrap()
                .query_row(
                    "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'inbox%'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(tables(&path), 0, "the engine's store makes no inbox table");
        inbox_of(&store, "acme");
        assert!(tables(&path) > 0);
        inbox_of(&store, "acme"); // once migrated, opening again changes nothing
        drop(store);
        let c = rusqlite::Connection::open(&path).unwrap();
        let version: i64 = c
            .query_row(
                "SELECT version FROM feature_versions WHERE feature = 'inbox'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(version, 2);
        c.execute(
            "UPDATE feature_versions SET version = 99 WHERE feature = 'inbox'",
            [],
        )
        .unwrap();
        drop(c);
        let store = SqliteStore::open(&path).unwrap();
        let err = SqliteInboxStore::new(&store.handle(), &"acme".into()).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Storage);
    }

    #[tokio::test]
    async fn a_file_of_the_old_standalone_store_is_carried_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inbox.db");
        let clock = Arc::new(ManualClock::new(now()));
        let maker = Inbox::new(Arc::new(MemoryInboxStore::default()), clock.clone());
        let mut item = maker.prepare(
            "acme",
            mention(
                "1",
                "I want a refund",
                now() + chrono::Duration::microseconds(1_234_567),
            ),
            now(),
        );
        item.assignee = Some("ann".into());
        item.state = ItemState::Pending;
        {
            // The schema the standalone store had before the engine's store held the inbox.
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE inbox_cursors (channel TEXT PRIMARY KEY, cursor TEXT NOT NULL);
                 CREATE TABLE inbox_items (key TEXT PRIMARY KEY, data TEXT NOT NULL);
                 INSERT INTO inbox_cursors VALUES ('acme', 'c42');",
            )
            .unwrap();
            c.execute(
                "INSERT INTO inbox_items VALUES (?1, ?2)",
                rusqlite::params![item.key, serde_json::to_string(&item).unwrap()],
            )
            .unwrap();
        }
        let store = SqliteInboxStore::open(&path).unwrap();
        let sla = SlaPolicy::default();
        assert_eq!(store.cursor("acme").await.unwrap().as_deref(), Some("c42"));
        assert_eq!(everything(&store).await, [item.clone()]);
        // The facts were computed from the JSON: the query finds it, exact to the microsecond.
        let n = Narrowing {
            states: vec![ItemState::Pending],
            assignee: Some(Some("ann".into())),
            opened: TimeRange {
                from: Some(item.opened_at()),
                to: Some(item.opened_at() + chrono::Duration::microseconds(1)),
            },
            ..Narrowing::default()
        };
        let page = store.page(&n, SortOrder::Oldest, None, 10, &sla).await;
        assert_eq!(page.unwrap(), [item.clone()]);
        let n = Narrowing {
            opened: TimeRange {
                from: Some(item.opened_at() + chrono::Duration::microseconds(1)),
                to: None,
            },
            ..Narrowing::default()
        };
        assert_eq!(store.count(&n, &sla).await.unwrap(), 0);
        // And the file is an engine store now.
        drop(store);
        SqliteStore::open(&path).unwrap();
    }

    #[tokio::test]
    async fn notes_are_atomic_and_leave_the_rest_of_the_item_alone() {
        let store = SqliteInboxStore::open_in_memory().unwrap();
        let clock = Arc::new(ManualClock::new(now()));
        let inbox = Inbox::new(Arc::new(store.clone()), clock);
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
        let item = inbox.item(&key).await.unwrap();
        assert_eq!(item.breaches, [SlaKind::FirstResponse]);
        assert_eq!(item.warnings, [SlaKind::FirstResponse]);
        assert_eq!(item.assignee.as_deref(), Some("bo"));
        assert_eq!(item.state, ItemState::Pending);
        // The breach is a fact the store filters on.
        let breached = View::presets()[3].clone();
        assert_eq!(inbox.count(&breached, None).await.unwrap(), 1);
    }

    /// Varied items: intents, priorities, tags, states, assignees, ages, replies, breaches.
    fn varied(n: usize) -> Vec<InboxItem> {
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
                    item.resolved_at =
                        Some(opened + chrono::Duration::minutes(40 * (i % 30) as i64));
                }
                if i % 11 == 0 {
                    item.breaches.push(SlaKind::FirstResponse);
                }
                item
            })
            .collect()
    }

    #[tokio::test]
    async fn memory_and_sqlite_agree_on_pages_counts_and_the_report() {
        let items = varied(600);
        let sla = SlaPolicy::default();
        let memory = MemoryInboxStore::default();
        let sqlite = SqliteInboxStore::open_in_memory().unwrap();
        for store in [&memory as &dyn InboxStore, &sqlite] {
            for chunk in items.chunks(97) {
                store.commit_page("bench", chunk, None, &sla).await.unwrap();
            }
        }
        let now = now();
        let clock = Arc::new(ManualClock::new(now));
        let a = Inbox::new(Arc::new(memory), clock.clone());
        let b = Inbox::new(Arc::new(sqlite), clock.clone());
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
            for inbox in [&a, &b] {
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
                assert_eq!(inbox.count(view, Some("ann")).await.unwrap(), want.len());
            }
        }
        let want = sla::SlaReport::build(&sla, &items);
        assert_eq!(a.report().await.unwrap(), want);
        assert_eq!(b.report().await.unwrap(), want);
        assert!(
            want.members.contains_key("cy"),
            "who replied counts when unassigned"
        );
    }

    #[tokio::test]
    async fn facts_follow_a_new_policy() {
        let items = varied(60);
        let sqlite = SqliteInboxStore::open_in_memory().unwrap();
        sqlite
            .commit_page("bench", &items, None, &SlaPolicy::default())
            .await
            .unwrap();
        let strict = SlaPolicy {
            first_response: chrono::Duration::minutes(5),
            ..SlaPolicy::default()
        };
        let got = sqlite.sla_report(&strict).await.unwrap();
        assert_eq!(got, sla::SlaReport::build(&strict, &items));
        let breached = Narrowing {
            sla: Some(SlaStanding::Breached { at: now() }),
            ..Narrowing::default()
        };
        let want = items
            .iter()
            .filter(|i| {
                InboxFilter {
                    sla: Some(SlaFilter::Breached),
                    ..InboxFilter::default()
                }
                .matches(
                    i,
                    &FilterContext {
                        me: None,
                        now: now(),
                        sla: &strict,
                    },
                )
            })
            .count();
        assert_eq!(sqlite.count(&breached, &strict).await.unwrap(), want);
    }
}
