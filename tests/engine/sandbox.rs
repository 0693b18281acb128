//! The fault-injection proof on the sandbox: each fault ends in the right state, and a worker
//! killed between the platform call and the stored result leaves exactly one post.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Duration;
use socialkit::adapters::sandbox::{Call, Fault, Trigger};
use socialkit::clock::ManualClock;
use socialkit::engine::{AfterPublish, EventKind, Hooks};
use socialkit::model::Post;
use socialkit::platform::Platform;
use socialkit::store::{AttemptOutcome, Delivery, DeliveryState, MemoryStore, SqliteStore, Store};
use socialkit::{ErrorKind, Published, Result};

use crate::common::*;

struct Expect {
    state: DeliveryState,
    kind: Option<ErrorKind>,
    posts: usize,
    calls: u64,
    failures: u32,
}

/// Publishes one post to a sandbox account with `fault` injected on its first `n` publish
/// calls, runs the outbox in simulated time until nothing is due, and checks the end.
async fn fault_case(name: &str, fault: Fault, n: u32, keyed: bool, want: Expect) -> Delivery {
    let clock = ManualClock::new(t0());
    let w = world(&clock);
    let acct = sandbox(&w, name);
    let platform: Arc<dyn Platform> = if keyed {
        acct.clone()
    } else {
        Arc::new(Unkeyed::new(acct.clone()))
    };
    acct.faults().inject(fault, Trigger::next(Call::Publish, n));
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", platform).await;
    let mut events = e.subscribe();
    let text = format!("post for {name}");
    let sub = e
        .submit(&ws, OWNER, Post::text(&text), &["c".into()])
        .await
        .unwrap();
    e.run_simulated(&clock, 100).await.unwrap();
    let d = e
        .store()
        .delivery(&ws, &sub.deliveries[0].id)
        .await
        .unwrap();
    assert_eq!(d.state, want.state, "{name}: {:?}", d.error);
    assert_eq!(
        d.error
            .as_ref()
            .map(|e| e.kind)
            .filter(|_| d.state == DeliveryState::Failed),
        want.kind,
        "{name}"
    );
    assert_eq!(
        acct.faults().calls(Call::Publish),
        want.calls,
        "{name}: publish calls"
    );
    assert_eq!(
        copies(&acct, &text).await,
        want.posts,
        "{name}: posts on the platform"
    );
    assert_eq!(d.failures, want.failures, "{name}: counted failures");
    let last = std::iter::from_fn(|| events.try_recv().ok())
        .last()
        .map(|e| e.kind.name());
    let want_event = if want.state == DeliveryState::Published {
        "published"
    } else {
        "failed"
    };
    assert_eq!(last, Some(want_event), "{name}");
    d
}

#[tokio::test]
async fn timeout_before_the_write_retries_and_publishes_once() {
    let d = fault_case(
        "timeout",
        Fault::Timeout,
        1,
        true,
        Expect {
            state: DeliveryState::Published,
            kind: None,
            posts: 1,
            calls: 2,
            failures: 1,
        },
    )
    .await;
    assert!(!d.in_doubt());
}

#[tokio::test]
async fn lost_answer_is_reconciled_on_both_kinds_of_platform() {
    for keyed in [true, false] {
        let name = if keyed { "lost-keyed" } else { "lost-plain" };
        let d = fault_case(
            name,
            Fault::LostAnswer,
            1,
            keyed,
            Expect {
                state: DeliveryState::Published,
                kind: None,
                posts: 1,
                calls: 1,
                failures: 1,
            },
        )
        .await;
        assert!(d.result.is_some());
    }
}

#[tokio::test]
async fn every_answer_lost_still_makes_one_post() {
    fault_case(
        "all-lost",
        Fault::LostAnswer,
        100,
        false,
        Expect {
            state: DeliveryState::Published,
            kind: None,
            posts: 1,
            calls: 1,
            failures: 1,
        },
    )
    .await;
}

#[tokio::test]
async fn rate_limit_defers_to_retry_after_and_does_not_count() {
    let d = fault_case(
        "limited",
        Fault::RateLimited {
            retry_after_secs: 900,
        },
        1,
        true,
        Expect {
            state: DeliveryState::Published,
            kind: None,
            posts: 1,
            calls: 2,
            failures: 0,
        },
    )
    .await;
    let published_at = d.result.unwrap().published_at;
    assert_eq!(
        published_at,
        t0() + Duration::seconds(900),
        "published exactly at retry_after"
    );
}

#[tokio::test]
async fn server_errors_back_off_then_publish() {
    let d = fault_case(
        "5xx",
        Fault::ServerError { status: 503 },
        3,
        true,
        Expect {
            state: DeliveryState::Published,
            kind: None,
            posts: 1,
            calls: 4,
            failures: 3,
        },
    )
    .await;
    // Backoff 30 s, 60 s, 120 s with equal jitter: between 105 s and 210 s in all.
    let waited = d.result.unwrap().published_at - t0();
    assert!(
        waited >= Duration::seconds(105) && waited <= Duration::seconds(210),
        "{waited}"
    );
}

#[tokio::test]
async fn persistent_timeouts_fail_with_their_error_after_the_limit() {
    fault_case(
        "always-timeout",
        Fault::Timeout,
        1000,
        true,
        Expect {
            state: DeliveryState::Failed,
            kind: Some(ErrorKind::Timeout),
            posts: 0,
            calls: 6,
            failures: 6,
        },
    )
    .await;
}

#[tokio::test]
async fn permanent_rejection_fails_at_once() {
    let d = fault_case(
        "rejected",
        Fault::Rejected {
            reason: "spam".into(),
        },
        1,
        true,
        Expect {
            state: DeliveryState::Failed,
            kind: Some(ErrorKind::ContentRejected),
            posts: 0,
            calls: 1,
            failures: 0,
        },
    )
    .await;
    let err = d.error.unwrap();
    assert_eq!(err.context.platform.as_deref(), Some("sandbox"));
    assert_eq!(err.context.channel.as_deref(), Some("rejected"));
}

#[tokio::test]
async fn revoked_credentials_fail_and_ask_for_reauth() {
    let clock = ManualClock::new(t0());
    let w = world(&clock);
    let acct = sandbox(&w, "revoked");
    acct.faults()
        .inject(Fault::Unauthenticated, Trigger::always(Call::Publish));
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", acct.clone()).await;
    let mut events = e.subscribe();
    let sub = e
        .submit(&ws, OWNER, Post::text("hi"), &["c".into()])
        .await
        .unwrap();
    e.run_simulated(&clock, 10).await.unwrap();
    let d = e
        .store()
        .delivery(&ws, &sub.deliveries[0].id)
        .await
        .unwrap();
    assert_eq!(
        (d.state, d.error.unwrap().kind),
        (DeliveryState::Failed, ErrorKind::Unauthenticated)
    );
    let kinds: Vec<_> = std::iter::from_fn(|| events.try_recv().ok())
        .map(|e| e.kind)
        .collect();
    assert!(matches!(kinds[0], EventKind::NeedsReauth { .. }));
}

/// Dies once, right after the platform answered and before the answer is stored.
#[derive(Debug)]
struct DieOnce(AtomicBool);

impl Hooks for DieOnce {
    fn after_publish(&self, _: &Delivery, _: &Result<Published>) -> AfterPublish {
        if self.0.swap(false, Ordering::SeqCst) {
            AfterPublish::Crash
        } else {
            AfterPublish::Store
        }
    }
}

/// The worker is killed between the platform call and the stored result, then a new process
/// starts on the same durable store: exactly one post on the sandbox.
async fn killed_and_restarted(keyed: bool, lost_answer_too: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.db");
    let clock = ManualClock::new(t0());
    let w = world(&clock);
    let acct = sandbox(&w, if keyed { "kill-keyed" } else { "kill-plain" });
    let platform = || -> Arc<dyn Platform> {
        if keyed {
            acct.clone()
        } else {
            Arc::new(Unkeyed::new(acct.clone()))
        }
    };
    if lost_answer_too {
        acct.faults()
            .inject(Fault::LostAnswer, Trigger::next(Call::Publish, 1));
    }
    let (ws, id) = {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        let first = engine(
            store,
            &clock,
            Some(Arc::new(DieOnce(AtomicBool::new(true)))),
        );
        let ws = workspace(&first).await;
        connect(&first, &ws, "c", platform()).await;
        let sub = first
            .submit(&ws, OWNER, Post::text("Exactly once"), &["c".into()])
            .await
            .unwrap();
        let r = first.run_once().await.unwrap();
        assert_eq!(r.abandoned, 1);
        (ws, sub.deliveries[0].id.clone())
    }; // the process is gone; only the SQLite file remains
    assert_eq!(copies(&acct, "Exactly once").await, 1, "the post was made");
    clock.advance(Duration::seconds(30));
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
    assert_eq!(
        store.delivery(&ws, &id).await.unwrap().state,
        DeliveryState::Publishing
    );
    let second = engine(store.clone(), &clock, None);
    connect(&second, &ws, "c", platform()).await;
    assert_eq!(second.recover().await.unwrap(), 1);
    let r = second.run_simulated(&clock, 20).await.unwrap();
    assert_eq!((r.published, r.reconciled), (1, 1));
    let d = store.delivery(&ws, &id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published);
    assert_eq!(copies(&acct, "Exactly once").await, 1, "exactly one post");
    let attempts = store.attempts(&ws, &id).await.unwrap();
    assert_eq!(attempts[0].outcome, Some(AttemptOutcome::Abandoned));
    assert!(matches!(
        attempts[1].outcome,
        Some(AttemptOutcome::Reconciled { .. })
    ));
    assert_eq!(attempts[0].key, attempts[1].key);
}

#[tokio::test]
async fn killed_after_the_call_keyed() {
    killed_and_restarted(true, false).await;
}

#[tokio::test]
async fn killed_after_the_call_unkeyed() {
    killed_and_restarted(false, false).await;
}

#[tokio::test]
async fn lost_answer_and_killed_unkeyed() {
    killed_and_restarted(false, true).await;
}

/// A lost answer leaves the post in doubt; the platform's listing then fails ten times in a
/// row (more than `max_attempts`). The look-ups do not use up the delivery's failures: once the
/// listing answers again, the post is found and nothing is sent a second time.
#[tokio::test]
async fn an_outage_of_the_look_up_does_not_fail_a_post_that_may_be_published() {
    let clock = ManualClock::new(t0());
    let w = world(&clock);
    let acct = sandbox(&w, "look-up-outage");
    let platform: Arc<dyn Platform> = Arc::new(Unkeyed::new(acct.clone()));
    acct.faults()
        .inject(Fault::LostAnswer, Trigger::next(Call::Publish, 1));
    acct.faults().inject(
        Fault::ServerError { status: 503 },
        Trigger::next(Call::RecentPosts, 10),
    );
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", platform).await;
    let text = "posted while the listing is down";
    let sub = e
        .submit(&ws, OWNER, Post::text(text), &["c".into()])
        .await
        .unwrap();
    e.run_simulated(&clock, 200).await.unwrap();
    let d = e
        .store()
        .delivery(&ws, &sub.deliveries[0].id)
        .await
        .unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{:?}", d.error);
    assert_eq!(acct.faults().calls(Call::Publish), 1, "never sent again");
    assert_eq!(copies(&acct, text).await, 1);
    assert!(
        acct.faults().calls(Call::RecentPosts) >= 11,
        "ten failed look-ups, then the one that found it"
    );
    assert_eq!(d.failures, 1, "only the lost answer counted");
}
