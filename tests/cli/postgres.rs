//! `--store postgres:URL`: the binary against the PostgreSQL peer (`SOCIALKIT_POSTGRES_URL`;
//! skipped with a printed reason without it, a failure under `CI=true`), in a database of its
//! own: init, a channel sealed in the vault, a post published by the worker, the inbox synced,
//! listed, assigned and resolved, all kept in PostgreSQL (counted there), and the URL's
//! password never printed.

use std::sync::Arc;

use socialkit::clock::SystemClock;
use socialkit::inbox::{Inbox, PgInboxStore};
use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
use socialkit::store::PgStore;
use socialkit::store::postgres::scratch::ScratchDb;

use super::{json_of, sk};

/// `url` with the password `pw` (the peer trusts loopback, so any password is accepted: what
/// is tested is that it never prints).
fn with_password(url: &str, pw: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_password(Some(pw)).unwrap();
    u.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_on_postgresql() {
    let Some(db) = ScratchDb::create("cli").await.unwrap() else {
        return;
    };
    const PW: &str = "cli-pw-7f3a9c";
    let url = with_password(db.url(), PW);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let store = format!("postgres:{url}");
    let run = |args: Vec<String>| {
        let path = path.clone();
        tokio::task::spawn_blocking(move || {
            let out = sk(&path).args(&args).assert().success();
            (
                String::from_utf8_lossy(&out.get_output().stdout).to_string(),
                String::from_utf8_lossy(&out.get_output().stderr).to_string(),
            )
        })
    };
    let mut outputs = Vec::new();
    for args in [
        vec![
            "--store",
            store.as_str(),
            "init",
            "--workspace",
            "acme",
            "--user",
            "olga",
        ],
        // From here on the store comes from the socialkit.toml init wrote.
        vec!["channel", "add", "sandbox://acme?seed=42", "--id", "acme"],
        vec!["--json", "channel", "list"],
        vec!["post", "Hello from PostgreSQL", "--to", "acme"],
        vec!["--json", "worker", "--once"],
        vec!["--json", "queue"],
        vec!["--json", "inbox", "sync"],
    ] {
        outputs.push(
            run(args.iter().map(|a| a.to_string()).collect())
                .await
                .unwrap(),
        );
    }
    // Two interactions arrive in the workspace's inbox (through the library, on the same
    // database); the command line lists, assigns and resolves them.
    let pg = PgStore::connect_with(db.url(), 1).await.unwrap();
    let inbox = Inbox::new(
        Arc::new(
            PgInboxStore::new(&pg.handle(), &"acme".into())
                .await
                .unwrap(),
        ),
        Arc::new(SystemClock),
    );
    let at = chrono::Utc::now();
    let mention = |id: &str, text: &str| Interaction {
        reference: InteractionRef::new("sandbox", id),
        kind: InteractionKind::Mention,
        author: Author::default(),
        text: Some(text.to_string()),
        created_at: at,
        post: None,
        conversation: None,
        language: None,
    };
    let new = inbox
        .ingest(
            "acme",
            vec![
                mention("1", "where is my order?"),
                mention("2", "I want a refund"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(new, 2);
    outputs.push(
        run(vec!["--json".into(), "inbox".into(), "list".into()])
            .await
            .unwrap(),
    );
    let listed = json_of(outputs[7].0.as_bytes());
    let keys: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys.len(), 2, "{listed}");
    for args in [
        vec!["--json", "inbox", "assign", keys[0].as_str(), "ann"],
        vec!["--json", "inbox", "resolve", keys[1].as_str()],
    ] {
        outputs.push(
            run(args.iter().map(|a| a.to_string()).collect())
                .await
                .unwrap(),
        );
    }
    for (out, err) in &outputs {
        assert!(!out.contains(PW) && !err.contains(PW), "{out}\n{err}");
    }
    assert!(
        outputs[0].0.contains("Created workspace 'acme'") && outputs[0].0.contains("***"),
        "{}",
        outputs[0].0
    );
    let channels = json_of(outputs[2].0.as_bytes());
    assert_eq!(channels[0]["id"], "acme", "{channels}");
    let queue = json_of(outputs[5].0.as_bytes());
    assert_eq!(queue[0]["state"], "published", "{queue}");
    let synced = json_of(outputs[6].0.as_bytes());
    assert_eq!(synced["failed"].as_array().unwrap().len(), 0, "{synced}");

    // The config file keeps the URL (with its password), readable by its owner only; the vault
    // key is beside it.
    let config = std::fs::read_to_string(dir.path().join("socialkit.toml")).unwrap();
    assert!(config.contains(&url), "{config}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("socialkit.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "socialkit.toml is the owner's only");
    }
    assert!(dir.path().join("socialkit.keys").exists());
    assert!(!dir.path().join("socialkit.db").exists(), "no SQLite file");

    // Everything is in PostgreSQL: the workspace, the sealed channel, the delivery, the inbox.
    let (client, conn) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    let driver = tokio::spawn(conn);
    let count = |sql: &'static str| {
        let client = &client;
        async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM workspaces WHERE id = 'acme'").await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM vault_channels WHERE workspace = 'acme'").await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM deliveries WHERE workspace = 'acme' AND state = 'published'")
            .await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM inbox_items WHERE workspace = 'acme' AND assignee = 'ann'")
            .await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM inbox_items WHERE workspace = 'acme' AND state = 'resolved'")
            .await,
        1
    );
    drop(client);
    let _ = driver.await;

    // A server that is not there: a store problem (7) that says what to check, without the
    // password.
    let bad = format!("postgres://olga:{PW}@127.0.0.1:1/nothing");
    let out = sk(dir.path())
        .args(["--store", &bad, "queue"])
        .assert()
        .code(7);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("PostgreSQL") && !err.contains(PW), "{err}");
    db.drop_now().await.unwrap();
}
