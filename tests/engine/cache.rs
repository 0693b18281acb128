//! The engine's copy of members and settings (`EngineConfig::settings_ttl`): its own writes
//! show at once, whatever the TTL; another process's writes show once the TTL has passed.

use std::sync::Arc;
use std::time::Duration;

use socialkit::ErrorKind;
use socialkit::clock::ManualClock;
use socialkit::engine::{BrandRules, Engine, EngineConfig, WorkflowSettings};
use socialkit::model::Post;
use socialkit::store::{DeliveryState, Role, SqliteStore, Store};

use crate::common::*;
use crate::echo::EchoPlatform;

fn engine_with_ttl(store: Arc<dyn Store>, clock: &ManualClock, ttl: Duration) -> Engine {
    Engine::builder(store)
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            settings_ttl: ttl,
            ..config()
        })
        .build()
}

#[tokio::test]
async fn the_engines_own_writes_show_at_once() {
    let clock = ManualClock::new(t0());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().unwrap());
    // An hour: only invalidation can make a change show within this test.
    let e = engine_with_ttl(store, &clock, Duration::from_secs(3600));
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", Arc::new(EchoPlatform::new("demo"))).await;
    let submit = |who: &'static str, text: &'static str| {
        let (e, ws) = (e.clone(), ws.clone());
        async move { e.submit(&ws, who, Post::text(text), &["c".into()]).await }
    };
    assert_eq!(
        submit("eddie", "one").await.unwrap_err().kind(),
        ErrorKind::PermissionDenied,
        "not a member yet (and that answer is cached)"
    );
    e.add_member(&ws, OWNER, "eddie", Role::Editor)
        .await
        .unwrap();
    let s = submit("eddie", "two").await.unwrap();
    assert_eq!(s.deliveries[0].state, DeliveryState::InReview);

    let settings = WorkflowSettings {
        approval_required: false,
        ..WorkflowSettings::default()
    };
    e.set_workflow_settings(&ws, OWNER, &settings)
        .await
        .unwrap();
    let s = submit("eddie", "three").await.unwrap();
    assert_eq!(s.deliveries[0].state, DeliveryState::Scheduled);

    let rules = BrandRules {
        forbidden_words: vec!["cheap".into()],
        ..BrandRules::default()
    };
    submit("eddie", "cheap four").await.unwrap();
    e.set_brand_rules(&ws, OWNER, &rules).await.unwrap();
    assert_eq!(
        submit("eddie", "cheap five").await.unwrap_err().kind(),
        ErrorKind::Validation
    );

    e.add_member(&ws, OWNER, "eddie", Role::Viewer)
        .await
        .unwrap();
    assert_eq!(
        submit("eddie", "six").await.unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    e.add_member(&ws, OWNER, "eddie", Role::Editor)
        .await
        .unwrap();
    submit("eddie", "seven").await.unwrap();
    e.remove_member(&ws, OWNER, "eddie").await.unwrap();
    assert_eq!(
        submit("eddie", "eight").await.unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
}

#[tokio::test]
async fn another_processs_writes_show_after_the_ttl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let clock = ManualClock::new(t0());
    // Two connections to one file: two processes as far as the engines can tell.
    let ttl = Duration::from_millis(200);
    let a = engine_with_ttl(Arc::new(SqliteStore::open(&path).unwrap()), &clock, ttl);
    let b = engine_with_ttl(
        Arc::new(SqliteStore::open(&path).unwrap()),
        &clock,
        Duration::ZERO,
    );
    let ws = workspace(&a).await;
    connect(&a, &ws, "c", Arc::new(EchoPlatform::new("demo"))).await;
    connect(&b, &ws, "c", Arc::new(EchoPlatform::new("demo"))).await;
    a.add_member(&ws, OWNER, "eddie", Role::Editor)
        .await
        .unwrap();
    a.submit(&ws, "eddie", Post::text("one"), &["c".into()])
        .await
        .unwrap();
    b.submit(&ws, "eddie", Post::text("two"), &["c".into()])
        .await
        .unwrap();

    b.remove_member(&ws, OWNER, "eddie").await.unwrap();
    let removed = std::time::Instant::now();
    // B keeps no copy (TTL zero): refused at once.
    assert_eq!(
        b.submit(&ws, "eddie", Post::text("three"), &["c".into()])
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::PermissionDenied
    );
    // A read its copy before the removal; once the TTL has passed it reads again. (Within
    // the TTL A may still accept eddie: the documented bound, not asserted here because how
    // long this test takes to get here depends on the machine.)
    tokio::time::sleep(ttl.saturating_sub(removed.elapsed())).await;
    assert_eq!(
        a.submit(&ws, "eddie", Post::text("four"), &["c".into()])
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::PermissionDenied,
        "seen by the other engine once its copy expired"
    );
}
