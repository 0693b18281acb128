//! Channels survive restarts, proved in separate processes.
//!
//! The X twin runs in this (the parent) test process on loopback. Each step of a scenario is
//! a child process: this same test binary run with `--ignored --exact child_*` and the step's
//! inputs in environment variables (`SK_CHILD_*`, the vault keys in
//! `SOCIALKIT_VAULT_KEYS`). Children share nothing with the parent but the SQLite file and
//! the twin's address.
//!
//! - `restart_publishes_due_posts_exactly_once_without_connect`: process 1 connects a stored
//!   channel and schedules posts (one overdue, one due now, one in the near future) and exits;
//!   process 2 opens the same file with the key and publishes them with no connect call;
//!   process 3 finds nothing left to send. The twin counts exactly one post per delivery.
//! - `killed_between_refresh_answer_and_write`: process 2 refreshes the expired X token, X
//!   rotates the refresh token, and the process is SIGKILLed after X answered and before the
//!   vault write. Process 3 finds the stored refresh token dead (X refuses a used one), marks
//!   the channel needs-reauthorisation with reason `refresh_lost`, and holds the delivery
//!   (not failed, reason on the delivery); after a reconnect, process 4 publishes it once.

#![cfg(all(feature = "x", feature = "testkit", feature = "sqlite"))]

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Arc;

use chrono::{Duration, Utc};
use socialkit::adapters::x::twin::Twin;
use socialkit::engine::{Engine, EngineConfig, EventKind, Hooks};
use socialkit::model::Post;
use socialkit::store::vault::{ChannelHealth, ChannelSource, EnvKeyProvider, ReauthReason};
use socialkit::store::{ChannelRecord, DeliveryFilter, DeliveryState, SqliteStore};
use socialkit::{ChannelConfig, ErrorKind};

mod vault_support;
use vault_support::Run;

const WS: &str = "acme";
const CHANNEL: &str = "x-main";

// ---------------------------------------------------------------------------------------
// Children.

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent test"))
}

fn config() -> EngineConfig {
    EngineConfig {
        // One name for every child: a restarted worker frees the leases its predecessor held.
        worker: "restart-worker".into(),
        refresh_lease: Duration::seconds(2),
        reauth_retry: Duration::seconds(1),
        ..EngineConfig::default()
    }
}

/// Process 1: connect the stored channel, schedule posts, exit without publishing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the restart tests"]
async fn child_schedule() {
    let store = SqliteStore::open(env("SK_CHILD_DB")).unwrap();
    let keys = Arc::new(EnvKeyProvider::new().unwrap());
    let engine = Engine::builder(Arc::new(store))
        .vault(keys)
        .config(config())
        .build();
    let ws = engine.create_workspace(WS, "ACME", "olga").await.unwrap();
    let source: ChannelSource = serde_json::from_str(&env("SK_CHILD_SOURCE")).unwrap();
    engine
        .connect_stored(&ws, "olga", ChannelRecord::new(CHANNEL, "x"), source)
        .await
        .unwrap();
    let now = Utc::now();
    let texts = env("SK_CHILD_TEXTS");
    for (i, text) in texts.split('|').enumerate() {
        // Overdue by an hour, due now, due in a second.
        let at = match i {
            0 => now - Duration::hours(1),
            1 => now,
            _ => now + Duration::seconds(1),
        };
        engine
            .submit(
                &ws,
                "olga",
                Post::text(text).scheduled_at(at),
                &[CHANNEL.into()],
            )
            .await
            .unwrap();
    }
    println!("SCHEDULED");
}

/// Process 2 (and later): open the file, no connect call, publish until `SK_CHILD_EXPECT`
/// deliveries are published (or, with `SK_CHILD_EXPECT=0`, one round).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the restart tests"]
async fn child_publish() {
    let engine = vault_support::child_engine(config(), None).await;
    let expect: usize = env("SK_CHILD_EXPECT").parse().unwrap();
    if expect == 0 {
        engine.recover().await.unwrap();
        let report = engine.run_once().await.unwrap();
        println!(
            "ROUND claimed={} published={}",
            report.claimed, report.published
        );
        return;
    }
    let mut events = engine.subscribe();
    let worker = engine.spawn_worker();
    let mut published = 0;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    while published < expect {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(e)) if matches!(e.kind, EventKind::Published { .. }) => published += 1,
            Ok(Ok(_)) => {}
            other => panic!("no publish event in time: {other:?}"),
        }
    }
    worker.shutdown().await.unwrap();
    println!("PUBLISHED {published}");
}

#[derive(Debug)]
struct DieBeforeTokenWrite;

impl Hooks for DieBeforeTokenWrite {
    fn before_token_write(
        &self,
        _: &socialkit::store::WorkspaceId,
        _: &socialkit::store::ChannelId,
    ) {
        use std::io::Write;
        println!("TOKEN-ANSWERED");
        std::io::stdout().flush().unwrap();
        // Wait for the parent's SIGKILL; a closed stdin (parent gone) ends the process too.
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        std::process::exit(3);
    }
}

/// Process 2 of the kill scenario: publishing needs a refresh; stops in the window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the restart tests"]
async fn child_refresh_then_die() {
    let engine = vault_support::child_engine(config(), Some(Arc::new(DieBeforeTokenWrite))).await;
    engine.run_once().await.unwrap();
    unreachable!("the hook stops the process");
}

// ---------------------------------------------------------------------------------------
// Parent.

fn source(config: socialkit::adapters::x::XConfig) -> ChannelSource {
    ChannelSource::Config(ChannelConfig {
        platform: "x".into(),
        settings: serde_json::to_value(config).unwrap(),
    })
}

fn owner_texts(twin: &Twin) -> Vec<String> {
    let owner = twin.handle().owner_id();
    twin.handle()
        .tweets()
        .into_iter()
        .filter(|t| t.author_id == owner && !t.deleted)
        .map(|t| t.text)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_publishes_due_posts_exactly_once_without_connect() {
    let twin = Twin::start().await.unwrap();
    let s = Run::new();
    let texts = ["Overdue since an hour", "Due right now", "Due in a second"];
    let src = serde_json::to_string(&source(twin.config_with_refresh())).unwrap();
    let out = s
        .child(
            "child_schedule",
            &[
                ("SK_CHILD_SOURCE", src),
                ("SK_CHILD_TEXTS", texts.join("|")),
            ],
        )
        .await;
    assert!(out.contains("SCHEDULED"), "{out}");
    assert!(owner_texts(&twin).is_empty(), "process 1 published nothing");

    // The raw file holds the sealed channel, never the token.
    let raw = std::fs::read(s.db()).unwrap();
    let wal = std::fs::read(s.db().with_extension("db-wal")).unwrap_or_default();
    let hay = String::from_utf8_lossy(&[raw, wal].concat()).into_owned();
    assert!(
        !hay.contains(&twin.handle().access_token()),
        "no access token in the file"
    );
    assert!(
        !hay.contains("twin-x-refresh-token"),
        "no refresh token in the file"
    );

    let out = s
        .child("child_publish", &[("SK_CHILD_EXPECT", "3".into())])
        .await;
    assert!(out.contains("PUBLISHED 3"), "{out}");
    let mut got = owner_texts(&twin);
    got.sort();
    let mut want: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    want.sort();
    assert_eq!(got, want, "each post exactly once");

    // A third process finds nothing to do; the twin still has three posts.
    let out = s
        .child("child_publish", &[("SK_CHILD_EXPECT", "0".into())])
        .await;
    assert!(out.contains("ROUND claimed=0 published=0"), "{out}");
    assert_eq!(owner_texts(&twin).len(), 3);
    let engine = s.engine();
    let all = engine
        .store()
        .deliveries(&WS.into(), &DeliveryFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|d| d.state == DeliveryState::Published));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_refresh_answer_and_write() {
    let twin = Twin::start().await.unwrap();
    let s = Run::new();
    // An access token that has expired: the first publish must refresh (X rotates).
    let mut cfg = twin.config_with_refresh();
    cfg.expires_at = Some(Utc::now() - Duration::minutes(1));
    let src = serde_json::to_string(&source(cfg)).unwrap();
    s.child(
        "child_schedule",
        &[
            ("SK_CHILD_SOURCE", src),
            ("SK_CHILD_TEXTS", "Survives a crash".into()),
        ],
    )
    .await;
    let token_before = twin.handle().access_token();

    // Process 2: killed after X answered the refresh, before the vault write.
    kill_in_the_window(&s).await;
    assert_ne!(twin.handle().access_token(), token_before, "X did rotate");
    assert!(owner_texts(&twin).is_empty());

    // Process 3: the stored refresh token is dead; the channel needs re-authorisation and
    // the delivery waits with the reason.
    let out = s
        .child("child_publish", &[("SK_CHILD_EXPECT", "0".into())])
        .await;
    assert!(out.contains("ROUND claimed=1 published=0"), "{out}");
    let engine = s.engine();
    let (ws, ch) = (WS.into(), CHANNEL.into());
    match engine.channel_health(&ws, &ch).await.unwrap() {
        ChannelHealth::NeedsReauth {
            reason, message, ..
        } => {
            assert_eq!(reason, ReauthReason::RefreshLost, "{message}");
            assert!(!message.contains("twin-x-refresh-token"));
        }
        other => panic!("expected needs-reauth, got {other:?}"),
    }
    let d = engine
        .store()
        .deliveries(&ws, &DeliveryFilter::default())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(d.state, DeliveryState::Scheduled, "waiting, not failed");
    let err = d.error.clone().unwrap();
    assert_eq!(err.kind, ErrorKind::Unauthenticated);
    assert!(err.message.contains("refresh_lost"), "{}", err.message);
    assert!(owner_texts(&twin).is_empty(), "nothing was sent");

    // The user reconnects (a new grant: the twin's current token).
    let fresh = twin
        .config()
        .with_refresh(socialkit::auth::OAuth2Refresh::new(
            "twin-client",
            "unused-after-reconnect",
        ));
    let mut fresh = fresh;
    fresh.token = twin.handle().access_token().into();
    fresh.expires_at = Some(Utc::now() + Duration::hours(2));
    engine
        .connect_stored(&ws, "olga", ChannelRecord::new(CHANNEL, "x"), source(fresh))
        .await
        .unwrap();
    assert_eq!(
        engine.channel_health(&ws, &ch).await.unwrap(),
        ChannelHealth::Connected
    );
    drop(engine);

    // Process 4: the waiting delivery goes out, once.
    let out = s
        .child("child_publish", &[("SK_CHILD_EXPECT", "1".into())])
        .await;
    assert!(out.contains("PUBLISHED 1"), "{out}");
    assert_eq!(owner_texts(&twin), vec!["Survives a crash".to_string()]);
}

/// Runs a child until the token-write window and SIGKILLs it there.
async fn kill_in_the_window(s: &Run) {
    let mut c = s.command("child_refresh_then_die", &[]);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let status = tokio::task::spawn_blocking(move || {
        let mut child = c.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let seen = BufReader::new(stdout)
            .lines()
            .map_while(|l| l.ok())
            .any(|l| l.contains("TOKEN-ANSWERED"));
        assert!(
            seen,
            "the child reached the window between answer and write"
        );
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap()
    })
    .await
    .unwrap();
    assert!(!status.success());
}

/// A platform that does not invalidate the token it renews (Threads' `th_refresh_token` on a
/// twin without rotation): after a crash in the same window the channel still works — the
/// next process refreshes again and publishes, once.
#[cfg(feature = "threads")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_in_the_window_a_non_rotating_channel_still_works() {
    use socialkit::adapters::threads::twin::ThreadsTwin;
    let mut options = ThreadsTwin::options();
    options.refresh_rotates = false;
    let twin = ThreadsTwin::start_with(options).await.unwrap();
    let s = Run::new();
    // Expires within the week Threads tokens are renewed ahead of.
    let mut cfg = twin.config();
    cfg.graph.token_expires_at = Some(Utc::now() + Duration::days(1));
    let src = ChannelSource::Config(ChannelConfig {
        platform: "threads".into(),
        settings: serde_json::to_value(cfg).unwrap(),
    });
    s.child(
        "child_schedule",
        &[
            ("SK_CHILD_SOURCE", serde_json::to_string(&src).unwrap()),
            ("SK_CHILD_TEXTS", "Still works".into()),
        ],
    )
    .await;
    kill_in_the_window(&s).await;
    assert!(twin.handle().posts().is_empty());
    let out = s
        .child("child_publish", &[("SK_CHILD_EXPECT", "1".into())])
        .await;
    assert!(out.contains("PUBLISHED 1"), "{out}");
    assert_eq!(twin.handle().posts().len(), 1, "published once");
    let engine = s.engine();
    assert_eq!(
        engine
            .channel_health(&WS.into(), &CHANNEL.into())
            .await
            .unwrap(),
        ChannelHealth::Connected
    );
}
