//! Contact resolution during ingest in one transaction per page (issue 20: "contact
//! resolution during ingest keeps inbox ingest within 10 %"): `resolving_inbox` of the
//! SQLite and (features `postgres` and `testkit`, with `SOCIALKIT_POSTGRES_URL` set) the
//! PostgreSQL contact store writes a page's identities, touches, items and cursor in ONE
//! transaction. The proof of atomicity: a failure injected by the database itself (a trigger
//! that aborts the insert of the page's third item, or of the cursor after every item) fails
//! the commit and leaves nothing of the page behind — no identity, no contact, no touch, no
//! item, no cursor. The same page committed again once the failure is gone is stored whole,
//! and a third commit of it changes nothing.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use socialkit::contacts::{ContactStore, IdentityKey, SqliteContactStore};
use socialkit::inbox::sla::SlaPolicy;
use socialkit::inbox::{InboxItem, InboxStore, Narrowing};
use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
use socialkit::store::{SqliteStore, WorkspaceId};

const CHANNEL: &str = "acme-x";

fn start() -> DateTime<Utc> {
    "2026-06-01T08:00:00Z".parse().unwrap()
}

/// A page of five items by five authors (`u0` … `u4`, item ids `m0` … `m4`).
fn page() -> Vec<InboxItem> {
    (0..5)
        .map(|n| {
            let at = start() + Duration::minutes(n);
            let said = Interaction {
                reference: InteractionRef::new("x", format!("m{n}")),
                kind: InteractionKind::Mention,
                author: Author {
                    id: format!("u{n}"),
                    handle: format!("user{n}"),
                    ..Author::default()
                },
                text: Some(format!("@acme question number {n}")),
                created_at: at,
                post: None,
                conversation: None,
                language: None,
            };
            InboxItem::new(CHANNEL, said, at)
        })
        .collect()
}

fn authors() -> Vec<IdentityKey> {
    (0..5)
        .map(|n| IdentityKey::new("x", format!("u{n}")))
        .collect()
}

/// Asserts that nothing of [`page`] is stored: no identity, touch, item or cursor.
async fn nothing_stored(contacts: &dyn ContactStore, inbox: &dyn InboxStore) {
    for key in authors() {
        assert_eq!(contacts.identity(&key).await.unwrap(), None, "{key:?}");
        assert_eq!(contacts.contact_of(&key).await.unwrap(), None, "{key:?}");
    }
    assert!(contacts.touches(&authors()).await.unwrap().is_empty());
    assert!(contacts.all_identities().await.unwrap().is_empty());
    let sla = SlaPolicy::default();
    assert_eq!(inbox.count(&Narrowing::default(), &sla).await.unwrap(), 0);
    for item in page() {
        assert_eq!(inbox.get(&item.key).await.unwrap(), None);
    }
    assert_eq!(inbox.cursor(CHANNEL).await.unwrap(), None);
}

/// Asserts that all of [`page`] is stored: every author with a contact and one touch, every
/// item, the cursor.
async fn all_stored(contacts: &dyn ContactStore, inbox: &dyn InboxStore) {
    for key in authors() {
        assert!(
            contacts.contact_of(&key).await.unwrap().is_some(),
            "{key:?}"
        );
    }
    assert_eq!(contacts.touches(&authors()).await.unwrap().len(), 5);
    let sla = SlaPolicy::default();
    assert_eq!(inbox.count(&Narrowing::default(), &sla).await.unwrap(), 5);
    for item in page() {
        assert_eq!(
            inbox.get(&item.key).await.unwrap().map(|i| i.interaction),
            Some(item.interaction)
        );
    }
    assert_eq!(inbox.cursor(CHANNEL).await.unwrap().as_deref(), Some("c1"));
}

/// One database: a way to run SQL on it from outside the stores (to add and drop triggers).
trait Injector {
    async fn sql(&self, sql: &str);
}

/// Runs the proof on `contacts` and the one-transaction inbox `inbox` of the same database;
/// `item_fault` and `cursor_fault` add a trigger that aborts the insert of item `m2` and of
/// the cursor, `heal` drops both.
async fn page_is_all_or_nothing(
    db: &impl Injector,
    contacts: &dyn ContactStore,
    inbox: &dyn InboxStore,
    item_fault: &str,
    cursor_fault: &str,
    heal: &str,
) {
    let sla = SlaPolicy::default();
    nothing_stored(contacts, inbox).await;

    // The third item of five fails: the identities and touches written before it, and the
    // two items before it, are rolled back with it.
    db.sql(item_fault).await;
    let err = inbox
        .commit_page(CHANNEL, &page(), Some("c1"), &sla)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), socialkit::ErrorKind::Storage);
    nothing_stored(contacts, inbox).await;

    // The cursor, written last, fails: every item and identity is rolled back.
    db.sql(heal).await;
    db.sql(cursor_fault).await;
    let err = inbox
        .commit_page(CHANNEL, &page(), Some("c1"), &sla)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), socialkit::ErrorKind::Storage);
    nothing_stored(contacts, inbox).await;

    // Healed, the page read again is stored whole; read once more, it changes nothing.
    db.sql(heal).await;
    assert_eq!(
        inbox
            .commit_page(CHANNEL, &page(), Some("c1"), &sla)
            .await
            .unwrap(),
        5
    );
    all_stored(contacts, inbox).await;
    assert_eq!(
        inbox
            .commit_page(CHANNEL, &page(), Some("c1"), &sla)
            .await
            .unwrap(),
        0
    );
    all_stored(contacts, inbox).await;
    let first = contacts.contact_of(&authors()[0]).await.unwrap().unwrap();
    let contact = contacts.contact(&first).await.unwrap().unwrap();
    assert_eq!(contact.stats.touches, 1);

    // A reply through `put`: item and touch in one transaction too.
    let mut replied = inbox.get(&page()[0].key).await.unwrap().unwrap();
    replied.first_response_at = Some(start() + Duration::hours(1));
    inbox.put(&replied, &sla).await.unwrap();
    assert_eq!(
        inbox
            .get(&replied.key)
            .await
            .unwrap()
            .unwrap()
            .first_response_at,
        replied.first_response_at
    );
    let touches = contacts.touches(&authors()[..1]).await.unwrap();
    assert_eq!(touches.len(), 1);
    assert_eq!(touches[0].first_response_at, replied.first_response_at);
}

struct SqliteFile(rusqlite::Connection);

impl Injector for SqliteFile {
    async fn sql(&self, sql: &str) {
        self.0.execute_batch(sql).unwrap();
    }
}

#[tokio::test]
async fn sqlite_page_with_contacts_is_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("socialkit.db");
    let db = SqliteStore::open(&path).unwrap();
    let contacts = SqliteContactStore::new(&db.handle(), &WorkspaceId::from("acme")).unwrap();
    let inbox: Arc<dyn InboxStore> = contacts.resolving_inbox().unwrap();
    let raw = SqliteFile(rusqlite::Connection::open(&path).unwrap());
    page_is_all_or_nothing(
        &raw,
        &contacts,
        inbox.as_ref(),
        "CREATE TRIGGER fault_item BEFORE INSERT ON inbox_items
             WHEN NEW.key LIKE '%m2' BEGIN SELECT RAISE(ABORT, 'injected'); END;",
        "CREATE TRIGGER fault_cursor BEFORE INSERT ON inbox_cursors
             BEGIN SELECT RAISE(ABORT, 'injected'); END;",
        "DROP TRIGGER IF EXISTS fault_item; DROP TRIGGER IF EXISTS fault_cursor;",
    )
    .await;
}

#[cfg(all(feature = "postgres", feature = "testkit"))]
struct PgDb(tokio_postgres::Client);

#[cfg(all(feature = "postgres", feature = "testkit"))]
impl Injector for PgDb {
    async fn sql(&self, sql: &str) {
        self.0.batch_execute(sql).await.unwrap();
    }
}

#[cfg(all(feature = "postgres", feature = "testkit"))]
#[tokio::test]
async fn postgres_page_with_contacts_is_one_transaction() {
    use socialkit::contacts::PgContactStore;
    use socialkit::store::PgStore;
    use socialkit::store::postgres::scratch::ScratchDb;
    let Some(db) = ScratchDb::create("contactsingest").await.unwrap() else {
        eprintln!("skipped: SOCIALKIT_POSTGRES_URL is not set");
        return;
    };
    let store = PgStore::connect_with(db.url(), 2).await.unwrap();
    let contacts = PgContactStore::new(&store.handle(), &WorkspaceId::from("acme"))
        .await
        .unwrap();
    let inbox = contacts.resolving_inbox().await.unwrap();
    let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    let driver = tokio::spawn(connection);
    let raw = PgDb(client);
    raw.sql(
        "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'injected'; END $$;",
    )
    .await;
    page_is_all_or_nothing(
        &raw,
        &contacts,
        inbox.as_ref(),
        "CREATE TRIGGER fault_item BEFORE INSERT ON inbox_items FOR EACH ROW
             WHEN (NEW.key LIKE '%m2') EXECUTE FUNCTION fault();",
        "CREATE TRIGGER fault_cursor BEFORE INSERT ON inbox_cursors FOR EACH ROW
             EXECUTE FUNCTION fault();",
        "DROP TRIGGER IF EXISTS fault_item ON inbox_items;
         DROP TRIGGER IF EXISTS fault_cursor ON inbox_cursors;",
    )
    .await;
    drop((raw, inbox, contacts, store));
    driver.abort();
    db.drop_now().await.unwrap();
}
