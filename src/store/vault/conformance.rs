//! The same vault tests on every store: versions, leases, health, keys (wrong, missing,
//! rotated), damaged records, and secrets absent from the raw SQLite file.

use std::sync::Arc;

use chrono::{Duration, Utc};

use super::*;
use crate::store::{MemoryStore, Store, Workspace};

const SECRET: &str = "tok-5up3r-s3cr3t-value";

fn config(token: &str) -> ChannelSource {
    ChannelSource::Config(ChannelConfig {
        platform: "x".into(),
        settings: serde_json::json!({
            "token": token,
            "expires_at": "2026-03-01T12:00:00Z",
            "refresh": {"client_id": "app", "refresh_token": format!("r-{token}")}
        }),
    })
}

fn ring(id: &str, byte: u8) -> Arc<KeyRing> {
    Arc::new(KeyRing::single(id.parse().unwrap(), [byte; 32]))
}

/// Databases the stores made, dropped at the end of a test.
#[derive(Default)]
struct Cleanup {
    #[cfg(feature = "postgres")]
    dbs: Vec<crate::store::postgres::scratch::ScratchDb>,
}

impl Cleanup {
    async fn done(self) {
        #[cfg(feature = "postgres")]
        for db in self.dbs {
            db.drop_now().await.unwrap();
        }
    }
}

async fn stores() -> (Vec<(String, Arc<dyn Store>)>, Cleanup) {
    #[allow(unused_mut)]
    let mut cleanup = Cleanup::default();
    let mut out: Vec<(String, Arc<dyn Store>)> =
        vec![("memory".into(), Arc::new(MemoryStore::new()))];
    #[cfg(feature = "sqlite")]
    out.push((
        "sqlite".into(),
        Arc::new(crate::store::SqliteStore::in_memory().unwrap()),
    ));
    #[cfg(feature = "postgres")]
    if let Some(db) = crate::store::postgres::scratch::ScratchDb::create("vault")
        .await
        .unwrap()
    {
        let store = crate::store::PgStore::connect_with(db.url(), 2)
            .await
            .unwrap();
        out.push(("postgres".into(), Arc::new(store)));
        cleanup.dbs.push(db);
    }
    for (_, s) in &out {
        s.create_workspace(&Workspace::new("acme", "ACME"))
            .await
            .unwrap();
        s.create_workspace(&Workspace::new("globex", "Globex"))
            .await
            .unwrap();
    }
    (out, cleanup)
}

fn ids() -> (WorkspaceId, ChannelId) {
    ("acme".into(), "x-main".into())
}

#[tokio::test]
async fn put_open_versions_and_workspaces() {
    let (list, cleanup) = stores().await;
    for (name, store) in list {
        let vault = Vault::new(store.vault().unwrap(), ring("k1", 1));
        let (ws, ch) = ids();
        let now = Utc::now();
        assert_eq!(
            vault.put(&ws, &ch, &config(SECRET), now).await.unwrap(),
            1,
            "{name}"
        );
        vault
            .put(&"globex".into(), &ch, &config("other"), now)
            .await
            .unwrap();
        let opened = vault.open(&ws, &ch).await.unwrap();
        assert_eq!(opened.source, config(SECRET), "{name}");
        assert_eq!(opened.version, 1);
        assert_eq!(opened.row.platform, "x");
        assert_eq!(opened.row.key_id.as_str(), "k1");
        assert_eq!(
            opened.row.expires_at,
            Some("2026-03-01T12:00:00Z".parse().unwrap())
        );
        assert!(!opened.row.sealed.contains(SECRET));
        assert!(!format!("{opened:?}").contains(SECRET), "{name}: Debug");
        // Compare-and-swap.
        let v2 = vault
            .replace(&ws, &ch, &config("new"), ChannelHealth::Connected, 1, now)
            .await
            .unwrap();
        assert_eq!(v2, 2);
        let stale = vault
            .replace(&ws, &ch, &config("stale"), ChannelHealth::Connected, 1, now)
            .await
            .unwrap_err();
        assert_eq!(stale.kind(), ErrorKind::Conflict, "{name}");
        assert_eq!(vault.open(&ws, &ch).await.unwrap().source, config("new"));
        // Scoped listing.
        assert_eq!(vault.store().list(Some(&ws)).await.unwrap().len(), 1);
        assert_eq!(vault.store().list(None).await.unwrap().len(), 2);
        vault.store().remove(&ws, &ch).await.unwrap();
        assert_eq!(
            vault.open(&ws, &ch).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
    }
    cleanup.done().await;
}

#[tokio::test]
async fn leases_exclude_others_until_they_end_or_a_write() {
    let (list, cleanup) = stores().await;
    for (name, store) in list {
        let vault = Vault::new(store.vault().unwrap(), ring("k1", 1));
        let v = vault.store();
        let (ws, ch) = ids();
        let now = Utc::now();
        assert_eq!(
            v.try_lease(&ws, &ch, "a", now, now + Duration::seconds(30))
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
        vault.put(&ws, &ch, &config(SECRET), now).await.unwrap();
        let fresh = LeaseOutcome::Taken { took_over: None };
        assert_eq!(
            v.try_lease(&ws, &ch, "a", now, now + Duration::seconds(30))
                .await
                .unwrap(),
            fresh
        );
        let held = v
            .try_lease(&ws, &ch, "b", now, now + Duration::seconds(30))
            .await
            .unwrap();
        assert!(
            matches!(held, LeaseOutcome::HeldBy(l) if l.holder == "a"),
            "{name}"
        );
        // The holder may renew; after it ends anyone may take it, and learns it was left.
        assert_eq!(
            v.try_lease(&ws, &ch, "a", now, now + Duration::seconds(60))
                .await
                .unwrap(),
            fresh
        );
        let later = now + Duration::seconds(61);
        let taken = v
            .try_lease(&ws, &ch, "b", later, later + Duration::seconds(30))
            .await
            .unwrap();
        assert!(
            matches!(taken, LeaseOutcome::Taken { took_over: Some(l) } if l.holder == "a"),
            "{name}"
        );
        // Release by a non-holder does nothing; by the holder frees it.
        v.release(&ws, &ch, "a").await.unwrap();
        assert!(matches!(
            v.try_lease(&ws, &ch, "a", later, later).await.unwrap(),
            LeaseOutcome::HeldBy(_)
        ));
        v.release(&ws, &ch, "b").await.unwrap();
        assert_eq!(
            v.try_lease(&ws, &ch, "a", later, later + Duration::seconds(5))
                .await
                .unwrap(),
            fresh
        );
        // A write ends the lease.
        vault
            .replace(&ws, &ch, &config("n"), ChannelHealth::Connected, 1, later)
            .await
            .unwrap();
        assert_eq!(
            v.try_lease(&ws, &ch, "b", later, later + Duration::seconds(5))
                .await
                .unwrap(),
            fresh
        );
        // Health is stored and survives.
        let h = ChannelHealth::NeedsReauth {
            reason: ReauthReason::Revoked,
            message: "revoked".into(),
            since: later,
        };
        v.set_health(&ws, &ch, &h).await.unwrap();
        assert_eq!(v.get(&ws, &ch).await.unwrap().unwrap().health, h, "{name}");
    }
    cleanup.done().await;
}

#[tokio::test]
async fn wrong_missing_rotated_keys_and_damage_are_clear_and_change_nothing() {
    let (list, cleanup) = stores().await;
    for (name, store) in list {
        let (ws, ch) = ids();
        let now = Utc::now();
        let old = Vault::new(store.vault().unwrap(), ring("k1", 1));
        old.put(&ws, &ch, &config(SECRET), now).await.unwrap();
        let before = old.store().get(&ws, &ch).await.unwrap().unwrap();

        // Missing key: the record names k1, the provider has only k2.
        let missing = Vault::new(store.vault().unwrap(), ring("k2", 2));
        let e = missing.open(&ws, &ch).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConfigInvalid, "{name}");
        assert!(e.to_string().contains("'k1'"), "{name}: {e}");
        assert!(
            matches!(VaultError::of(&e), Some(VaultError::MissingKey { key_id }) if key_id.as_str() == "k1")
        );
        // Rotation with the old key gone re-seals nothing and reports the record.
        let r = missing.rotate(now).await.unwrap();
        assert_eq!((r.resealed, r.failed.len()), (0, 1), "{name}");

        // Wrong key under the same id.
        let wrong = Vault::new(store.vault().unwrap(), ring("k1", 9));
        let e = wrong.open(&ws, &ch).await.unwrap_err();
        assert!(
            matches!(VaultError::of(&e), Some(VaultError::WrongKey { .. })),
            "{name}: {e}"
        );
        assert!(e.to_string().contains("'k1'"));
        assert_eq!(
            wrong.rotate(now).await.unwrap().resealed,
            0,
            "same id: nothing to rotate"
        );
        assert_eq!(
            store.vault().unwrap().get(&ws, &ch).await.unwrap().unwrap(),
            before,
            "{name}: nothing overwritten"
        );

        // Rotation: k2 seals, k1 still opens until the re-seal.
        let both = Arc::new(
            KeyRing::single("k2".parse().unwrap(), [2; 32])
                .with_old_key("k1".parse().unwrap(), [1; 32]),
        );
        let rotating = Vault::new(store.vault().unwrap(), both);
        assert_eq!(
            rotating.open(&ws, &ch).await.unwrap().source,
            config(SECRET)
        );
        let r = rotating.rotate(now).await.unwrap();
        assert_eq!((r.resealed, r.current, r.failed.len()), (1, 0, 0), "{name}");
        let after = rotating.open(&ws, &ch).await.unwrap();
        assert_eq!(after.row.key_id.as_str(), "k2");
        assert_eq!(after.source, config(SECRET));
        // Now the old ring alone cannot open it, the new one alone can.
        assert!(old.open(&ws, &ch).await.is_err());
        assert!(missing.open(&ws, &ch).await.is_ok());
        assert_eq!(rotating.rotate(now).await.unwrap().current, 1);

        // A damaged ciphertext.
        let mut row = store.vault().unwrap().get(&ws, &ch).await.unwrap().unwrap();
        let v = row.version;
        let mid = row.sealed.len() - 5;
        let flipped = if &row.sealed[mid..mid + 1] == "A" {
            "B"
        } else {
            "A"
        };
        row.sealed.replace_range(mid..mid + 1, flipped);
        store.vault().unwrap().put(&row, Some(v)).await.unwrap();
        let e = rotating.open(&ws, &ch).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Storage, "{name}");
        assert!(
            matches!(VaultError::of(&e), Some(VaultError::Corrupt { .. })),
            "{name}: {e}"
        );
        assert!(!e.to_string().contains(SECRET));
    }
    cleanup.done().await;
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn the_database_file_holds_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let (ws, ch) = ids();
    {
        let store = crate::store::SqliteStore::open(&path).unwrap();
        store
            .create_workspace(&Workspace::new("acme", "ACME"))
            .await
            .unwrap();
        let vault = Vault::new(store.vault().unwrap(), ring("k1", 1));
        vault
            .put(&ws, &ch, &config(SECRET), Utc::now())
            .await
            .unwrap();
        // Reopen in a new store on the same file: still opens.
        let again = crate::store::SqliteStore::open(&path).unwrap();
        let v2 = Vault::new(again.vault().unwrap(), ring("k1", 1));
        assert_eq!(v2.open(&ws, &ch).await.unwrap().source, config(SECRET));
    }
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(!bytes.is_empty());
    let hay = String::from_utf8_lossy(&bytes);
    assert!(hay.contains("skv1.k1."), "the sealed record is in the file");
    assert!(
        !hay.contains(SECRET) && !hay.contains("r-tok-5up3r"),
        "no secret in the raw file"
    );
}
