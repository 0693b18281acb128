//! The contact layer's data-protection proofs on one SQLite file shared by the engine, the
//! inbox and the contacts (issue 20):
//!
//! - **Export**: a person seeded on three platforms (X, Mastodon, the sandbox), with a reply
//!   sent through the engine's outbox, a note, a tag and a merge; the export holds every
//!   inbox item a direct query of the inbox store finds for their accounts, our reply, and
//!   nothing of the control person who wrote on the same channels.
//! - **Erasure**: afterwards a search of every text column of every table of the file finds
//!   none of their ids, handles, names or message texts, while the control person's data is
//!   intact and the inbox's counts and SLA report still compute.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use socialkit::adapters::sandbox::{IncomingInteraction, SandboxConfig, SandboxWorld};
use socialkit::contacts::{
    AuditAction, Contacts, IdentityKey, NamedRule, RuleMode, SqliteContactStore, Subject,
    SuggestRules,
};
use socialkit::engine::Engine;
use socialkit::inbox::sla::SlaPolicy;
use socialkit::inbox::{Inbox, InboxItem, InboxStore, Narrowing, SortOrder, SqliteInboxStore};
use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
use socialkit::store::{ChannelRecord, SqliteStore, Store};

fn start() -> DateTime<Utc> {
    "2026-06-01T08:00:00Z".parse().unwrap()
}

fn said(platform: &str, id: &str, author: &Author, text: &str, at: DateTime<Utc>) -> Interaction {
    Interaction {
        reference: InteractionRef::new(platform, id),
        kind: InteractionKind::Mention,
        author: author.clone(),
        text: Some(text.into()),
        created_at: at,
        post: None,
        conversation: None,
        language: None,
    }
}

fn person(id: &str, handle: &str, name: &str) -> Author {
    Author {
        id: id.into(),
        handle: handle.into(),
        display_name: Some(name.into()),
        url: Some(format!("https://social.example/@{handle}")),
        ..Default::default()
    }
}

/// Every inbox item whose author is one of `ids`, straight from the inbox store.
async fn items_by(store: &dyn InboxStore, ids: &BTreeSet<(String, String)>) -> Vec<InboxItem> {
    let all = store
        .page(
            &Narrowing::default(),
            SortOrder::Oldest,
            None,
            10_000,
            &SlaPolicy::default(),
        )
        .await
        .unwrap();
    all.into_iter()
        .filter(|i| {
            ids.contains(&(
                i.interaction.reference.platform.as_str().to_string(),
                i.interaction.author.id.clone(),
            ))
        })
        .collect()
}

/// Rows of any table whose any text value contains `needle`: `(table, column)` pairs.
fn find_everywhere(db: &Connection, needle: &str) -> Vec<(String, String)> {
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut hits = Vec::new();
    for t in tables {
        let cols: Vec<String> = db
            .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for c in cols {
            let n: i64 = db
                .query_row(
                    &format!(
                        "SELECT COUNT(*) FROM \"{t}\" WHERE typeof(\"{c}\") = 'text' AND instr(\"{c}\", ?1) > 0"
                    ),
                    [needle],
                    |r| r.get(0),
                )
                .unwrap();
            if n > 0 {
                hits.push((t.clone(), c));
            }
        }
    }
    hits
}

#[tokio::test]
async fn export_across_three_platforms_then_erase_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("socialkit.db");
    let world = SandboxWorld::simulated(start());
    let acme = world
        .channel("acme", SandboxConfig::default().with_seed(3))
        .unwrap();
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let engine = Engine::builder(store.clone()).clock(world.clock()).build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    engine
        .connect(
            &ws,
            "olga",
            ChannelRecord::new("acme", "sandbox"),
            acme.clone(),
        )
        .await
        .unwrap();

    let inbox_store: Arc<dyn InboxStore> =
        Arc::new(SqliteInboxStore::new(&store.handle(), &ws).unwrap());
    let contacts = Contacts::new(
        Arc::new(SqliteContactStore::new(&store.handle(), &ws).unwrap()),
        world.clock(),
    )
    .with_inbox(inbox_store.clone(), SlaPolicy::default())
    .with_events(store.clone() as Arc<dyn Store>, ws.clone());
    let mut inbox = Inbox::new(contacts.resolving(inbox_store.clone()), world.clock())
        .with_engine(engine.clone(), ws.clone());
    inbox.connect("acme", acme.clone());

    // Ann on X and Mastodon (arriving by webhook) and on the sandbox channel (synced); Bob,
    // the control, on the same three.
    let ann_x = person("4711000", "annkowalska_pl", "Anna Kowalska");
    let ann_m = person("109876", "annkowalska_pl@social.example", "Anna Kowalska");
    let bob_x = person("8800100", "bob_builder_uk", "Robert Builder");
    let bob_m = person("1200", "bob_builder_uk@social.example", "Robert Builder");
    let t = start() - Duration::days(3);
    let ann_texts = [
        "My anvil from order 4711 arrived cracked, terrible",
        "Still waiting on the replacement anvil, zero answers",
        "Do you ship spare hammer heads to Gdansk?",
    ];
    let bob_texts = ["Lovely anvils, thanks team", "Do you ship to Leeds?"];
    inbox
        .ingest(
            "acme-x",
            vec![
                said("x", "x-1", &ann_x, ann_texts[0], t),
                said("x", "x-2", &bob_x, bob_texts[0], t),
            ],
        )
        .await
        .unwrap();
    inbox
        .ingest(
            "acme-masto",
            vec![
                said(
                    "mastodon",
                    "m-1",
                    &ann_m,
                    ann_texts[1],
                    t + Duration::hours(1),
                ),
                said(
                    "mastodon",
                    "m-2",
                    &bob_m,
                    bob_texts[1],
                    t + Duration::hours(1),
                ),
            ],
        )
        .await
        .unwrap();
    acme.receive(
        IncomingInteraction::new(InteractionKind::Mention)
            .text(ann_texts[2])
            .by("annkowalska_pl"),
    )
    .unwrap();
    acme.receive(
        IncomingInteraction::new(InteractionKind::Mention)
            .text("Bob again: great service")
            .by("bob_builder_uk"),
    )
    .unwrap();
    world.advance(Duration::minutes(5)).unwrap();
    inbox.sync().await.unwrap();

    // Our reply to Ann's sandbox mention goes out through the engine's outbox.
    let ann_s_key = items_by(
        inbox_store.as_ref(),
        &BTreeSet::from([("sandbox".into(), "u-annkowalska_pl".into())]),
    )
    .await
    .pop()
    .expect("the sandbox item")
    .key;
    inbox
        .reply(
            &ann_s_key,
            "olga",
            "Hi @annkowalska_pl, spare heads ship to Gdansk next week",
        )
        .await
        .unwrap();
    engine.run_once().await.unwrap();
    inbox.record_replies().await.unwrap();
    assert!(inbox.item(&ann_s_key).await.unwrap().reply.is_some());

    // Three identities, one person: the same handle on three platforms is the evidence.
    let rules = SuggestRules {
        same_handle: RuleMode::AutoMerge,
        ..SuggestRules::default()
    };
    contacts.auto_merge(&rules).await.unwrap();
    let ann = contacts
        .contact_of(&IdentityKey::new("x", "4711000"))
        .await
        .unwrap()
        .unwrap();
    let bob = contacts
        .contact_of(&IdentityKey::new("x", "8800100"))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(ann.id, bob.id);
    let ann_ids = contacts.identities(&ann.id).await.unwrap();
    assert_eq!(ann_ids.len(), 3, "{ann_ids:?}");
    assert_eq!(contacts.identities(&bob.id).await.unwrap().len(), 3);
    contacts
        .note(&ann.id, "Anna Kowalska asked for a callback", "olga")
        .await
        .unwrap();
    contacts.tag(&ann.id, "wholesale", "olga").await.unwrap();
    // A signal about her goes to the events outbox.
    world.advance(Duration::days(2)).unwrap();
    let signals = contacts
        .check_signals(&NamedRule::defaults())
        .await
        .unwrap();
    assert!(signals.iter().any(|s| s.contact == ann.id), "{signals:?}");

    // Export: every item the inbox store holds for her accounts, nothing of Bob.
    let ann_keys: BTreeSet<(String, String)> = ann_ids
        .iter()
        .map(|i| (i.key.platform.clone(), i.key.id.clone()))
        .collect();
    let direct: BTreeSet<String> = items_by(inbox_store.as_ref(), &ann_keys)
        .await
        .into_iter()
        .map(|i| i.key)
        .collect();
    assert_eq!(direct.len(), 3);
    let export = contacts
        .export(&Subject::Contact(ann.id.clone()), "dpo")
        .await
        .unwrap();
    let exported: BTreeSet<String> = export.interactions.iter().map(|i| i.key.clone()).collect();
    assert_eq!(exported, direct);
    assert_eq!(export.replies.len(), 1);
    assert_eq!(
        export.replies[0].text.as_deref(),
        Some("Hi @annkowalska_pl, spare heads ship to Gdansk next week")
    );
    assert_eq!(export.history.len(), 3);
    assert!(export.contact.as_ref().unwrap().tags.contains("wholesale"));
    assert!(
        export
            .audit
            .iter()
            .any(|e| matches!(e.action, AuditAction::Merged { .. }))
    );
    let json = export.to_json().unwrap();
    for text in ann_texts {
        assert!(json.contains(text));
    }
    for bob_data in [
        "8800100",
        "1200\"",
        "bob_builder_uk",
        "Robert Builder",
        bob_texts[0],
        bob_texts[1],
        bob.id.as_str(),
    ] {
        assert!(!json.contains(bob_data), "the export holds {bob_data}");
    }

    // Erase her. First: the search finds every one of her needles before (so finding none
    // after means something).
    let db = Connection::open(&path).unwrap();
    let mut needles: Vec<String> = vec![
        "4711000".into(),
        "109876".into(),
        "u-annkowalska_pl".into(),
        "annkowalska_pl".into(),
        "Anna Kowalska".into(),
        "https://social.example/@annkowalska_pl".into(),
        ann.id.to_string(),
    ];
    needles.extend(ann_texts.iter().map(|t| t.to_string()));
    let mut where_before = BTreeSet::new();
    for n in &needles {
        let hits = find_everywhere(&db, n);
        assert!(!hits.is_empty(), "{n:?} is nowhere before the erasure");
        where_before.extend(hits.into_iter().map(|(t, _)| t));
    }
    for table in [
        "inbox_item_data",
        "contact_identities",
        "deliveries",
        "events",
    ] {
        assert!(where_before.contains(table), "{table}: {where_before:?}");
    }
    let before_report = inbox.report().await.unwrap();
    let report = contacts
        .erase(&Subject::Contact(ann.id.clone()), "dpo")
        .await
        .unwrap();
    assert!(report.counts.get("inbox").copied() == Some(3), "{report:?}");

    for n in &needles {
        let hits = find_everywhere(&db, n);
        assert!(hits.is_empty(), "{n:?} still in {hits:?}");
    }
    // Bob is intact, everywhere he was.
    for n in ["8800100", "bob_builder_uk", "Robert Builder", bob_texts[0]] {
        assert!(!find_everywhere(&db, n).is_empty(), "{n} was erased too");
    }
    assert_eq!(
        contacts.identities(&bob.id).await.unwrap().len(),
        3,
        "the control person keeps his contact"
    );
    // Aggregates still compute: every item still counted, the SLA report the same shape.
    assert_eq!(
        inbox_store
            .count(&Narrowing::default(), &SlaPolicy::default())
            .await
            .unwrap(),
        6
    );
    let after_report = inbox.report().await.unwrap();
    assert_eq!(
        serde_json::to_value(&after_report).unwrap(),
        serde_json::to_value(&before_report).unwrap()
    );
    // The erasure is audited without naming her.
    let last = contacts.audit(None).await.unwrap().pop().unwrap();
    assert!(matches!(last.action, AuditAction::Erased { .. }));
    assert!(last.contacts.is_empty() && last.identities.is_empty());
    assert!(contacts.contact(&ann.id).await.is_err());
}
