//! The inbox in the engine's store: one SQLite file for the engine and the inbox, reopened
//! intact; workspaces kept apart; a file of the old standalone inbox store carried over;
//! the memory store's inboxes.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::ManualClock;
use crate::inbox::*;
use crate::model::{Author, Interaction, InteractionKind, InteractionRef};
use crate::store::{MemoryStore, Store};

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

#[test]
fn the_memory_store_hands_out_one_inbox_per_workspace() {
    let store = MemoryStore::new();
    let a = store.inbox(&"acme".into()).unwrap();
    let clock = Arc::new(ManualClock::new(now()));
    let inbox = Inbox::new(a, clock.clone());
    inbox
        .ingest("acme", vec![mention("1", "where is my order?", now())])
        .unwrap();
    assert_eq!(
        store.inbox(&"acme".into()).unwrap().list().unwrap().len(),
        1
    );
    assert!(
        store
            .inbox(&"globex".into())
            .unwrap()
            .list()
            .unwrap()
            .is_empty()
    );
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use crate::model::Post;
    use crate::store::{Delivery, DeliveryState, PostRecord, SqliteStore, Workspace};

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
            let inbox = Inbox::new(store.inbox(&ws).unwrap(), clock.clone());
            inbox
                .ingest(
                    "mastodon",
                    vec![
                        mention("1", "where is my order?", now()),
                        mention("2", "I want a refund", now()),
                    ],
                )
                .unwrap();
            store
                .inbox(&ws)
                .unwrap()
                .commit_page("mastodon", &[], Some("cursor-7"))
                .unwrap();
            inbox
                .assign(&InboxItem::key_of("mastodon", "sandbox", "1"), "ann")
                .unwrap();
            // Another workspace's inbox in the same file stays apart.
            let other = Inbox::new(store.inbox(&"globex".into()).unwrap(), clock.clone());
            other
                .ingest("mastodon", vec![mention("1", "hi", now())])
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
        let inbox = Inbox::new(store.inbox(&ws).unwrap(), clock.clone());
        let items = inbox.items().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].assignee.as_deref(), Some("ann"));
        assert!(items.iter().all(|i| i.classification.is_some()));
        assert_eq!(
            store
                .inbox(&ws)
                .unwrap()
                .cursor("mastodon")
                .unwrap()
                .as_deref(),
            Some("cursor-7")
        );
        let mine = inbox
            .view(&View::presets()[0], Some("ann"), PageRequest::first(10))
            .unwrap();
        assert_eq!(mine.total, 1);
        assert_eq!(
            store.inbox(&"globex".into()).unwrap().list().unwrap().len(),
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
        assert!(standalone.list().unwrap().is_empty());
    }

    #[test]
    fn a_file_of_the_old_standalone_store_is_carried_over() {
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
        assert_eq!(store.cursor("acme").unwrap().as_deref(), Some("c42"));
        assert_eq!(store.list().unwrap(), [item.clone()]);
        // The columns were filled from the JSON: narrowing finds it, exact to the instant.
        let n = Narrowing {
            states: vec![ItemState::Pending],
            assignee: Some(Some("ann".into())),
            opened: TimeRange {
                from: Some(item.opened_at()),
                to: Some(item.opened_at() + chrono::Duration::nanoseconds(1)),
            },
            ..Narrowing::default()
        };
        assert_eq!(store.select(&n, &|_| true).unwrap(), [item.clone()]);
        let n = Narrowing {
            opened: TimeRange {
                from: Some(item.opened_at() + chrono::Duration::nanoseconds(1)),
                to: None,
            },
            ..Narrowing::default()
        };
        assert!(store.select(&n, &|_| true).unwrap().is_empty());
        // And the file is an engine store now.
        drop(store);
        SqliteStore::open(&path).unwrap();
    }

    #[test]
    fn notes_are_atomic_and_leave_the_rest_of_the_item_alone() {
        let store = SqliteInboxStore::open_in_memory().unwrap();
        let clock = Arc::new(ManualClock::new(now()));
        let inbox = Inbox::new(Arc::new(store.clone()), clock);
        inbox
            .ingest("acme", vec![mention("1", "hello?", now())])
            .unwrap();
        let key = InboxItem::key_of("acme", "sandbox", "1");
        inbox.assign(&key, "bo").unwrap();
        assert!(
            store
                .note_sla(&key, sla::SlaKind::FirstResponse, SlaNote::Breached)
                .unwrap()
        );
        assert!(
            !store
                .note_sla(&key, sla::SlaKind::FirstResponse, SlaNote::Breached)
                .unwrap()
        );
        assert!(
            store
                .note_sla(&key, sla::SlaKind::FirstResponse, SlaNote::AtRisk)
                .unwrap()
        );
        assert!(
            !store
                .note_sla("nope", sla::SlaKind::Resolution, SlaNote::Breached)
                .unwrap()
        );
        let item = inbox.item(&key).unwrap();
        assert_eq!(item.breaches, [sla::SlaKind::FirstResponse]);
        assert_eq!(item.warnings, [sla::SlaKind::FirstResponse]);
        assert_eq!(item.assignee.as_deref(), Some("bo"));
        assert_eq!(item.state, ItemState::Pending);
    }
}
