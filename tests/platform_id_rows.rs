//! Channel and delivery rows keep the platform as its name: rows written before the platform
//! was typed (`PlatformId`) read back unchanged, a platform socialkit does not know by name
//! reads as `PlatformId::Other`, and what is written is the same string as before.

use std::sync::Arc;

use socialkit::engine::Engine;
use socialkit::model::{PlatformId, Post};
use socialkit::store::{ChannelRecord, DeliveryFilter, SqliteStore, Store};

fn column(db: &std::path::Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn execute(db: &std::path::Path, sql: &str) -> usize {
    rusqlite::Connection::open(db)
        .unwrap()
        .execute(sql, [])
        .unwrap()
}

#[tokio::test]
async fn stored_rows_keep_the_platform_name_and_old_rows_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("socialkit.db");
    {
        let store = Arc::new(SqliteStore::open(&db).unwrap());
        let engine = Engine::builder(store.clone()).build();
        let ws = engine
            .create_workspace("acme", "ACME", "olga")
            .await
            .unwrap();
        let sandbox = socialkit::Registry::default()
            .from_url("sandbox://acme")
            .unwrap();
        engine
            .connect(&ws, "olga", ChannelRecord::new("main", "sandbox"), sandbox)
            .await
            .unwrap();
        engine
            .submit(&ws, "olga", Post::text("typed platform"), &["main".into()])
            .await
            .unwrap();
    }
    // Written as the bare name, exactly as when the field was a String.
    let channels = column(&db, "SELECT json_extract(data, '$.platform') FROM channels");
    assert_eq!(channels, vec!["sandbox".to_string()]);
    let deliveries = column(
        &db,
        "SELECT json_extract(data, '$.platform') FROM deliveries",
    );
    assert_eq!(deliveries, vec!["sandbox".to_string()]);

    // Rows as another version (or a user-registered adapter) wrote them.
    assert_eq!(
        execute(
            &db,
            "UPDATE channels SET data = json_set(data, '$.platform', 'myspace')"
        ),
        1
    );
    assert_eq!(
        execute(
            &db,
            "UPDATE deliveries SET data = json_set(data, '$.platform', 'mastodon')"
        ),
        1
    );
    let store = SqliteStore::open(&db).unwrap();
    let ws = "acme".into();
    let channels = store.channels(&ws).await.unwrap();
    assert_eq!(channels[0].platform, PlatformId::Other("myspace".into()));
    let deliveries = store
        .deliveries(&ws, &DeliveryFilter::default())
        .await
        .unwrap();
    assert_eq!(deliveries[0].platform, PlatformId::Mastodon);
    assert_eq!(
        serde_json::to_value(&channels[0]).unwrap()["platform"],
        "myspace"
    );
    assert_eq!(
        serde_json::to_value(&deliveries[0]).unwrap()["platform"],
        "mastodon"
    );
}
