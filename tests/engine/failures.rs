//! Timeouts, rate limits, 5xx and permanent errors each end in the right state; fan-out;
//! crisis mode; spacing.

use std::sync::Arc;

use crate::echo::{Cue, EchoPlatform};
use chrono::Duration;
use socialkit::clock::ManualClock;
use socialkit::engine::{Engine, EventKind};
use socialkit::model::Post;
use socialkit::store::{ChannelRecord, DeliveryState, MemoryStore};
use socialkit::{Error, ErrorKind};

use crate::common::*;

async fn one(
    cue: Option<Cue>,
) -> (
    Engine,
    ManualClock,
    Arc<EchoPlatform>,
    socialkit::store::WorkspaceId,
    socialkit::store::DeliveryId,
) {
    let clock = ManualClock::new(t0());
    let p = Arc::new(EchoPlatform::new("demo").with_clock(Arc::new(clock.clone())));
    if let Some(c) = cue {
        p.cue(c);
    }
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", p.clone()).await;
    let sub = e
        .submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    (e, clock, p, ws, sub.deliveries[0].id.clone())
}

#[tokio::test]
async fn timeouts_until_the_limit_fail_with_the_typed_error() {
    let clock = ManualClock::new(t0());
    let p = Arc::new(EchoPlatform::new("demo"));
    for _ in 0..10 {
        p.cue(Cue::Fail(Error::new(ErrorKind::Timeout, "no answer")));
    }
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", p.clone()).await;
    let sub = e
        .submit(&ws, OWNER, Post::text("hello"), &["c".into()])
        .await
        .unwrap();
    let mut events = e.subscribe();
    let r = e.run_simulated(&clock, 50).await.unwrap();
    let d = e
        .store()
        .delivery(&ws, &sub.deliveries[0].id)
        .await
        .unwrap();
    assert_eq!(d.state, DeliveryState::Failed);
    assert_eq!(d.error.as_ref().unwrap().kind, ErrorKind::Timeout);
    // 6 counted attempts, then one last look at the channel's posts to settle the doubt.
    assert_eq!(p.calls(), 6, "{r:?}");
    assert_eq!(r.claimed, 7);
    assert!(p.published().is_empty());
    let ev = events.try_recv().unwrap();
    assert!(matches!(ev.kind, EventKind::Failed { .. }));
    let waits: Vec<i64> = e
        .store()
        .attempts(&ws, &d.id)
        .await
        .unwrap()
        .windows(2)
        .map(|w| (w[1].started_at - w[0].started_at).num_seconds())
        .collect();
    // In doubt, each look waits at least `reconcile_after` (60 s), then the backoff grows.
    assert!(waits.iter().all(|w| *w >= 60), "{waits:?}");
    assert!(
        waits.windows(2).take(4).all(|w| w[1] >= w[0]) && waits[4] > waits[0],
        "exponential: {waits:?}"
    );
}

#[tokio::test]
async fn permanent_errors_fail_at_once_and_are_visible() {
    let (e, _clock, p, ws, id) = one(Some(Cue::Fail(
        Error::new(ErrorKind::ContentRejected, "against the rules").with_platform_code("POLICY"),
    )))
    .await;
    let mut events = e.subscribe();
    assert_eq!(e.run_once().await.unwrap().failed, 1);
    let d = e.store().delivery(&ws, &id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Failed);
    let err = Error::from(d.error.unwrap());
    assert_eq!(err.kind(), ErrorKind::ContentRejected);
    assert_eq!(err.context().platform_code.as_deref(), Some("POLICY"));
    assert_eq!(err.context().channel.as_deref(), Some("c"));
    assert_eq!(p.calls(), 1);
    assert!(matches!(
        events.try_recv().unwrap().kind,
        EventKind::Failed { .. }
    ));
    // Failed is visible in the store's listing, and can be retried by a person.
    let failed = e
        .store()
        .deliveries(
            &ws,
            &socialkit::store::DeliveryFilter::default().in_state(DeliveryState::Failed),
        )
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    e.retry(&ws, OWNER, &id, "content fixed on the platform side")
        .await
        .unwrap();
    assert_eq!(e.run_once().await.unwrap().published, 1);
}

#[tokio::test]
async fn fan_out_partial_failure_is_visible_per_delivery() {
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    let ok1 = Arc::new(EchoPlatform::new("alpha"));
    let ok2 = Arc::new(EchoPlatform::new("beta"));
    let bad = Arc::new(EchoPlatform::new("gamma"));
    bad.cue(Cue::Fail(Error::new(
        ErrorKind::PermissionDenied,
        "missing scope",
    )));
    connect(&e, &ws, "a", ok1.clone()).await;
    connect(&e, &ws, "b", ok2.clone()).await;
    connect(&e, &ws, "g", bad.clone()).await;
    let post = Post::text("Hello everyone").with_variant(
        socialkit::model::Variant::new(socialkit::model::Target::Channel("b".into()))
            .with_text("Hello, beta people"),
    );
    let sub = e
        .submit(&ws, OWNER, post, &["a".into(), "b".into(), "g".into()])
        .await
        .unwrap();
    assert_eq!(
        sub.deliveries[1].content.text, "Hello, beta people",
        "per-channel variant"
    );
    let mut events = e.subscribe();
    e.run_once().await.unwrap();
    let s = e.status(&ws, &sub.post).await.unwrap();
    assert_eq!((s.published, s.failed, s.pending), (2, 1, 0));
    println!("fan-out status: {s}");
    let names: Vec<&str> = std::iter::from_fn(|| events.try_recv().ok())
        .map(|ev| ev.kind.name())
        .collect();
    assert!(names.contains(&"partially_failed"), "{names:?}");
    assert_eq!(ok2.published()[0].text, "Hello, beta people");
}

#[tokio::test]
async fn crisis_pauses_everything_pending_and_resume_restores() {
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    let p = Arc::new(EchoPlatform::new("demo"));
    connect(&e, &ws, "c", p.clone()).await;
    e.add_member(&ws, OWNER, "eddie", socialkit::store::Role::Editor)
        .await
        .unwrap();
    let draft = e
        .draft(&ws, "eddie", Post::text("draft"), &["c".into()])
        .await
        .unwrap();
    let later = e
        .submit(
            &ws,
            OWNER,
            Post::text("later").scheduled_at(t0() + Duration::hours(1)),
            &["c".into()],
        )
        .await
        .unwrap();
    // One in flight that hits a 503 while the crisis starts: its retry lands in Paused.
    p.cue(Cue::Fail(Error::new(ErrorKind::Platform, "503")));
    e.submit(&ws, OWNER, Post::text("now"), &["c".into()])
        .await
        .unwrap();
    let claims = e
        .store()
        .claim_due(e.now(), "worker-1", 10, Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(claims.len(), 1);
    let mut events = e.subscribe();
    assert!(
        e.pause_workspace(&ws, "eddie", "no").await.is_err(),
        "editors cannot pause"
    );
    assert_eq!(
        e.pause_workspace(&ws, OWNER, "product recall")
            .await
            .unwrap(),
        2
    );
    assert!(matches!(
        events.try_recv().unwrap().kind,
        EventKind::Paused { deliveries: 2, .. }
    ));
    let r = e.run_once().await.unwrap();
    assert_eq!(r.claimed, 0);
    // The in-flight one finishes now (a retry) and lands in Paused.
    let worker = e.clone();
    let outcome = {
        let c = claims.into_iter().next().unwrap();
        let id = c.delivery.id.clone();
        worker.process_claims(vec![c]).await;
        e.store().delivery(&ws, &id).await.unwrap()
    };
    assert_eq!(outcome.state, DeliveryState::Paused);
    clock.advance(Duration::hours(2));
    assert_eq!(
        e.run_simulated(&clock, 10).await.unwrap().claimed,
        0,
        "nothing publishes while paused"
    );
    assert!(p.published().is_empty());
    assert_eq!(
        e.resume_workspace(&ws, OWNER, "all clear").await.unwrap(),
        3
    );
    assert_eq!(
        e.deliveries(&ws, &draft.post).await.unwrap()[0].state,
        DeliveryState::Draft
    );
    assert_eq!(
        e.deliveries(&ws, &later.post).await.unwrap()[0].state,
        DeliveryState::Scheduled
    );
    e.run_simulated(&clock, 10).await.unwrap();
    assert_eq!(p.published().len(), 2);
    let audit = e.audit_log(&ws, OWNER, 100).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|h| h.why.contains("product recall") && h.to == DeliveryState::Paused)
    );
}

#[tokio::test]
async fn channel_spacing_spreads_posts() {
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    let p = Arc::new(EchoPlatform::new("demo").with_clock(Arc::new(clock.clone())));
    e.connect(
        &ws,
        OWNER,
        ChannelRecord::new("c", "demo").with_min_spacing_secs(1800),
        p.clone(),
    )
    .await
    .unwrap();
    for i in 0..3 {
        e.submit(&ws, OWNER, Post::text(format!("post {i}")), &["c".into()])
            .await
            .unwrap();
    }
    e.run_simulated(&clock, 20).await.unwrap();
    let times: Vec<_> = p
        .published()
        .iter()
        .map(|r| (r.created_at - t0()).num_minutes())
        .collect();
    assert_eq!(times, [0, 30, 60]);
}
