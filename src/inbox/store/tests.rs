//! The inbox's stores: the inbox in the engine's SQLite database (one file, reopened intact,
//! workspaces apart, tables the inbox owns and migrates), files of earlier schemas carried
//! over, atomic SLA notes, and the memory and SQLite stores agreeing on pages, counts and
//! the SLA report.

use std::sync::Arc;

use crate::clock::ManualClock;
use crate::inbox::*;

use super::conformance::{self, Maker, everything, mention, now};

/// The inbox stores of a memory "database": one store per workspace name.
fn memory_maker() -> Box<Maker> {
    let stores: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<dyn InboxStore>>>> =
        Arc::default();
    Box::new(move |ws: String| {
        let store = stores
            .lock()
            .unwrap()
            .entry(ws)
            .or_insert_with(|| Arc::new(MemoryInboxStore::default()))
            .clone();
        Box::pin(async move { store })
    })
}

#[tokio::test]
async fn conformance_memory() {
    conformance::run(&*memory_maker()).await;
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
    use crate::inbox::sla::SlaPolicy;
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
    async fn conformance_sqlite() {
        let store = SqliteStore::in_memory().unwrap();
        let handle = store.handle();
        conformance::run(&move |ws: String| {
            let inbox: Arc<dyn InboxStore> = inbox_of_handle(&handle, &ws);
            Box::pin(async move { inbox })
        })
        .await;
    }

    fn inbox_of_handle(handle: &crate::store::SqliteHandle, ws: &str) -> Arc<SqliteInboxStore> {
        Arc::new(SqliteInboxStore::new(handle, &ws.into()).unwrap())
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use crate::inbox::sla::SlaPolicy;
    use crate::store::postgres::scratch::ScratchDb;
    use crate::store::{PgStore, Store, Workspace};

    #[tokio::test]
    async fn conformance_postgres() {
        let Some(db) = ScratchDb::create("inbox").await.unwrap() else {
            return;
        };
        let store = PgStore::connect_with(db.url(), 4).await.unwrap();
        let handle = store.handle();
        conformance::run(&move |ws: String| {
            let handle = handle.clone();
            Box::pin(async move {
                let inbox: Arc<dyn InboxStore> =
                    Arc::new(PgInboxStore::new(&handle, &ws.into()).await.unwrap());
                inbox
            })
        })
        .await;
        drop(store);
        db.drop_now().await.unwrap();
    }

    #[tokio::test]
    async fn the_inbox_shares_the_engine_database_migrates_once_and_refuses_newer_tables() {
        let Some(db) = ScratchDb::create("inboxmig").await.unwrap() else {
            return;
        };
        let store = PgStore::connect_with(db.url(), 2).await.unwrap();
        store
            .create_workspace(&Workspace::new("acme", "ACME"))
            .await
            .unwrap();
        // Four "processes" (pools of their own) open the inbox at once: one migrates.
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let url = db.url().to_string();
                tokio::spawn(async move {
                    let s = PgStore::connect_with(&url, 1).await.unwrap();
                    PgInboxStore::new(&s.handle(), &"acme".into())
                        .await
                        .unwrap()
                })
            })
            .collect();
        for o in opens {
            o.await.unwrap();
        }
        let inbox = PgInboxStore::new(&store.handle(), &"acme".into())
            .await
            .unwrap();
        inbox
            .commit_page("mastodon", &[], Some("c7"), &SlaPolicy::default())
            .await
            .unwrap();
        let c = store.handle().pool().get().await.unwrap();
        let version: i32 = c
            .query_one(
                "SELECT version FROM socialkit_schema WHERE feature = 'inbox'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(version, 1);
        // The engine's store and the inbox in one database, each intact.
        assert_eq!(store.workspace(&"acme".into()).await.unwrap().name, "ACME");
        assert_eq!(
            PgInboxStore::new(&store.handle(), &"acme".into())
                .await
                .unwrap()
                .cursor("mastodon")
                .await
                .unwrap()
                .as_deref(),
            Some("c7")
        );
        c.execute(
            "UPDATE socialkit_schema SET version = 9 WHERE feature = 'inbox'",
            &[],
        )
        .await
        .unwrap();
        drop(c);
        let err = PgInboxStore::new(&store.handle(), &"acme".into())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::ConfigInvalid);
        drop((store, inbox));
        db.drop_now().await.unwrap();
    }
}
