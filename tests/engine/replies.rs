//! Replies through the outbox: the same states, keys, retries, deferral, pause, events and
//! audit as a publish, and exactly one reply across faults and crashes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Duration;
use socialkit::adapters::sandbox::{Call, Fault, IncomingInteraction, Sandbox, Trigger};
use socialkit::clock::ManualClock;
use socialkit::engine::{AfterPublish, Engine, EventKind, Hooks, WorkflowSettings};
use socialkit::model::{InteractionKind, InteractionRef, Post};
use socialkit::platform::Platform;
use socialkit::store::{
    AttemptOutcome, Delivery, DeliveryId, DeliveryState, MemoryStore, Role, SqliteStore, Store,
    WorkspaceId,
};
use socialkit::{ErrorKind, Published, Result};

use crate::common::*;

/// Dies after the first `n` platform calls, before their result is stored.
#[derive(Debug)]
struct CrashAfterCall(AtomicUsize);

impl Hooks for CrashAfterCall {
    fn after_publish(&self, _: &Delivery, _: &Result<Published>) -> AfterPublish {
        let left = self.0.load(Ordering::SeqCst);
        if left > 0 {
            self.0.store(left - 1, Ordering::SeqCst);
            AfterPublish::Crash
        } else {
            AfterPublish::Store
        }
    }
}

/// A customer's mention on `acct`, as the inbox would read it.
fn mention(acct: &Sandbox, text: &str) -> InteractionRef {
    acct.receive(
        IncomingInteraction::new(InteractionKind::Mention)
            .by("kim")
            .text(text),
    )
    .unwrap()
    .reference
}

/// How many replies to `to` with exactly `text` the account has (faults cleared first).
async fn replies_on(acct: &Sandbox, to: &InteractionRef, text: &str) -> usize {
    acct.faults().clear();
    let target = socialkit::engine::reply_target(to).to_string();
    acct.recent_posts(200)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.text == text && r.in_reply_to.as_deref() == Some(target.as_str()))
        .count()
}

struct Setup {
    clock: ManualClock,
    acct: Arc<Sandbox>,
    engine: Engine,
    ws: WorkspaceId,
    to: InteractionRef,
}

async fn setup(name: &str, wrap: fn(Arc<Sandbox>) -> Arc<dyn Platform>) -> Setup {
    let clock = ManualClock::new(t0());
    let w = world(&clock);
    let acct = sandbox(&w, name);
    let to = mention(&acct, "@acme where is my order?");
    let engine = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&engine).await;
    connect(&engine, &ws, "c", wrap(acct.clone())).await;
    Setup {
        clock,
        acct,
        engine,
        ws,
        to,
    }
}

fn keyed(a: Arc<Sandbox>) -> Arc<dyn Platform> {
    a
}

fn unkeyed(a: Arc<Sandbox>) -> Arc<dyn Platform> {
    Arc::new(Unkeyed::new(a))
}

fn blind(a: Arc<Sandbox>) -> Arc<dyn Platform> {
    Arc::new(Unkeyed::blind(a))
}

#[tokio::test]
async fn a_reply_goes_out_once_with_its_key_event_and_audit() {
    let s = setup("reply-happy", keyed).await;
    let mut events = s.engine.subscribe();
    let id = s
        .engine
        .reply(
            &s.ws,
            OWNER,
            &"c".into(),
            s.to.clone(),
            Post::text("It ships today"),
        )
        .await
        .unwrap();
    let queued = s.engine.delivery(&s.ws, &id).await.unwrap();
    assert_eq!(
        queued.state,
        DeliveryState::Scheduled,
        "no review for replies"
    );
    let r = s.engine.run_once().await.unwrap();
    assert_eq!((r.claimed, r.published), (1, 1));
    let d = s.engine.delivery(&s.ws, &id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published);
    let result = d.result.clone().unwrap();
    let sent = s.acct.inspect(&result.post).unwrap();
    assert_eq!(
        sent.reply_to.as_deref(),
        Some(socialkit::engine::reply_target(&s.to))
    );
    assert_eq!(sent.text, "It ships today");
    assert_eq!(
        sent.idempotency_key.as_deref(),
        Some(d.idempotency_key().as_str()),
        "the outbox's key went to Platform::reply"
    );
    assert_eq!(s.acct.faults().calls(Call::Reply), 1);
    assert_eq!(s.acct.faults().calls(Call::Publish), 0);
    let ev = events.try_recv().unwrap();
    match ev.kind {
        EventKind::Replied {
            delivery,
            to,
            result: got,
            ..
        } => {
            assert_eq!(delivery, id);
            assert_eq!(to, s.to);
            assert_eq!(got, result);
        }
        other => panic!("expected replied, got {other:?}"),
    }
    let history = s.engine.history(&s.ws, OWNER, &id).await.unwrap();
    let whys: Vec<&str> = history.0.iter().map(|h| h.why.as_str()).collect();
    assert_eq!(whys.first(), Some(&"reply queued"));
    assert_eq!(whys.last(), Some(&"replied"));
    assert_eq!(
        s.engine.replies(&s.ws, OWNER, &s.to).await.unwrap()[0].id,
        id
    );
    // The same delivery id again queues nothing.
    let again = s
        .engine
        .reply_as(
            &s.ws,
            OWNER,
            &"c".into(),
            s.to.clone(),
            Post::text("It ships today"),
            id.clone(),
        )
        .await
        .unwrap();
    assert_eq!(again.state, DeliveryState::Published);
    assert_eq!(s.engine.run_once().await.unwrap().claimed, 0);
    // … but not for another interaction.
    let other = mention(&s.acct, "@acme and mine?");
    let err = s
        .engine
        .reply_as(
            &s.ws,
            OWNER,
            &"c".into(),
            other,
            Post::text("x"),
            id.clone(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(replies_on(&s.acct, &s.to, "It ships today").await, 1);
}

#[tokio::test]
async fn bad_replies_are_refused_before_anything_is_stored() {
    let s = setup("reply-refused", keyed).await;
    let other = InteractionRef::new("mastodon", "1");
    let err = s
        .engine
        .reply(&s.ws, OWNER, &"c".into(), other, Post::text("hi"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    let long = "x".repeat(5000);
    let err = s
        .engine
        .reply(&s.ws, OWNER, &"c".into(), s.to.clone(), Post::text(long))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    let err = s
        .engine
        .reply(&s.ws, OWNER, &"nope".into(), s.to.clone(), Post::text("hi"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    s.engine
        .add_member(&s.ws, OWNER, "vic", Role::Viewer)
        .await
        .unwrap();
    let err = s
        .engine
        .reply(&s.ws, "vic", &"c".into(), s.to.clone(), Post::text("hi"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert!(
        s.engine
            .replies(&s.ws, OWNER, &s.to)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.acct.faults().calls(Call::Reply), 0);
}

#[tokio::test]
async fn an_editors_reply_needs_review_only_where_the_workspace_says_so() {
    let s = setup("reply-review", keyed).await;
    s.engine
        .add_member(&s.ws, OWNER, "eddie", Role::Editor)
        .await
        .unwrap();
    let first = s
        .engine
        .reply(
            &s.ws,
            "eddie",
            &"c".into(),
            s.to.clone(),
            Post::text("On it"),
        )
        .await
        .unwrap();
    assert_eq!(
        s.engine.delivery(&s.ws, &first).await.unwrap().state,
        DeliveryState::Scheduled
    );
    let settings = WorkflowSettings {
        replies_need_approval: true,
        ..WorkflowSettings::default()
    };
    s.engine
        .set_workflow_settings(&s.ws, OWNER, &settings)
        .await
        .unwrap();
    let second = s
        .engine
        .reply(
            &s.ws,
            "eddie",
            &"c".into(),
            s.to.clone(),
            Post::text("Update"),
        )
        .await
        .unwrap();
    let d = s.engine.delivery(&s.ws, &second).await.unwrap();
    assert_eq!(d.state, DeliveryState::InReview);
    s.engine
        .approve(&s.ws, OWNER, &d.post, "fine")
        .await
        .unwrap();
    s.engine.run_simulated(&s.clock, 10).await.unwrap();
    assert_eq!(replies_on(&s.acct, &s.to, "On it").await, 1);
    assert_eq!(replies_on(&s.acct, &s.to, "Update").await, 1);
}

/// Queues one reply with `fault` on the first `n` reply calls, runs the outbox in simulated
/// time until nothing is due, and returns the delivery.
async fn fault_case(
    name: &str,
    wrap: fn(Arc<Sandbox>) -> Arc<dyn Platform>,
    fault: Fault,
    n: u32,
) -> (Setup, Delivery) {
    let s = setup(name, wrap).await;
    s.acct.faults().inject(fault, Trigger::next(Call::Reply, n));
    let id = s
        .engine
        .reply(&s.ws, OWNER, &"c".into(), s.to.clone(), Post::text(name))
        .await
        .unwrap();
    s.engine.run_simulated(&s.clock, 100).await.unwrap();
    let d = s.engine.delivery(&s.ws, &id).await.unwrap();
    (s, d)
}

#[tokio::test]
async fn a_lost_answer_is_reconciled_not_resent() {
    for wrap in [keyed, unkeyed] {
        let (s, d) = fault_case("lost-answer", wrap, Fault::LostAnswer, 1).await;
        assert_eq!(d.state, DeliveryState::Published, "{:?}", d.error);
        assert_eq!(
            s.acct.faults().calls(Call::Reply),
            1,
            "found, not sent again"
        );
        assert_eq!(replies_on(&s.acct, &s.to, "lost-answer").await, 1);
        let outcomes: Vec<_> = s
            .engine
            .store()
            .attempts(&s.ws, &d.id)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|a| a.outcome)
            .collect();
        assert!(
            matches!(outcomes.last(), Some(AttemptOutcome::Reconciled { .. })),
            "{outcomes:?}"
        );
    }
}

#[tokio::test]
async fn a_timeout_before_the_platform_got_it_sends_it_once_later() {
    for wrap in [keyed, unkeyed] {
        let (s, d) = fault_case("timed-out", wrap, Fault::Timeout, 2).await;
        assert_eq!(d.state, DeliveryState::Published, "{:?}", d.error);
        assert_eq!(d.failures, 2);
        assert_eq!(replies_on(&s.acct, &s.to, "timed-out").await, 1);
    }
}

#[tokio::test]
async fn an_in_doubt_reply_that_cannot_be_checked_waits_for_a_person() {
    let (s, d) = fault_case("unknowable", blind, Fault::LostAnswer, 1).await;
    assert_eq!(d.state, DeliveryState::Failed);
    assert!(d.needs_decision(), "visible as in doubt: {d:?}");
    let e = d.error.clone().unwrap();
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert!(e.message.contains("second reply"), "{}", e.message);
    assert_eq!(
        s.acct.faults().calls(Call::Reply),
        1,
        "never re-sent blindly"
    );
    assert_eq!(replies_on(&s.acct, &s.to, "unknowable").await, 1);
    // A person finds the reply on the channel and settles it.
    let found = s.acct.recent_posts(1).await.unwrap().remove(0);
    let found = Published::single(found.post, found.created_at);
    let mut events = s.engine.subscribe();
    let settled = s
        .engine
        .settle(
            &s.ws,
            OWNER,
            &d.id,
            Some(found.clone()),
            "seen on the channel",
        )
        .await
        .unwrap();
    assert_eq!(settled.state, DeliveryState::Published);
    assert_eq!(settled.result, Some(found));
    assert!(matches!(
        events.try_recv().unwrap().kind,
        EventKind::Replied { .. }
    ));
    assert_eq!(replies_on(&s.acct, &s.to, "unknowable").await, 1);
}

#[tokio::test]
async fn a_person_who_finds_no_reply_sends_it_again_with_a_fresh_key() {
    // The request timed out before the platform got it, and the doubt cannot be checked.
    let (s, d) = fault_case("not-there", blind, Fault::Timeout, 1).await;
    assert!(d.needs_decision());
    assert_eq!(replies_on(&s.acct, &s.to, "not-there").await, 0);
    let again = s
        .engine
        .settle(&s.ws, OWNER, &d.id, None, "not on the channel")
        .await
        .unwrap();
    assert_eq!(again.state, DeliveryState::Scheduled);
    assert_ne!(again.idempotency_key(), d.idempotency_key());
    s.engine.run_simulated(&s.clock, 10).await.unwrap();
    let done = s.engine.delivery(&s.ws, &d.id).await.unwrap();
    assert_eq!(done.state, DeliveryState::Published);
    assert_eq!(replies_on(&s.acct, &s.to, "not-there").await, 1);
    let err = s
        .engine
        .settle(&s.ws, OWNER, &d.id, None, "twice")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn a_rate_limit_defers_the_reply_to_retry_after() {
    let s = setup("reply-429", keyed).await;
    s.acct.faults().inject(
        Fault::RateLimited {
            retry_after_secs: 900,
        },
        Trigger::next(Call::Reply, 1),
    );
    let id = s
        .engine
        .reply(&s.ws, OWNER, &"c".into(), s.to.clone(), Post::text("later"))
        .await
        .unwrap();
    let r = s.engine.run_once().await.unwrap();
    assert_eq!(r.retried, 1);
    let d = s.engine.delivery(&s.ws, &id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Scheduled);
    assert_eq!(d.due_at, Some(t0() + Duration::seconds(900)));
    assert_eq!(
        (d.failures, d.in_doubt()),
        (0, false),
        "not counted, not in doubt"
    );
    assert_eq!(s.engine.run_once().await.unwrap().claimed, 0, "not before");
    s.clock.advance(Duration::seconds(900));
    assert_eq!(s.engine.run_once().await.unwrap().published, 1);
    assert_eq!(replies_on(&s.acct, &s.to, "later").await, 1);
}

#[tokio::test]
async fn server_errors_are_retried_and_a_rejection_fails_typed() {
    let (s, d) = fault_case("5xx", keyed, Fault::ServerError { status: 503 }, 3).await;
    assert_eq!(d.state, DeliveryState::Published, "{:?}", d.error);
    assert_eq!(d.failures, 3);
    assert_eq!(s.acct.faults().calls(Call::Reply), 4);
    assert_eq!(replies_on(&s.acct, &s.to, "5xx").await, 1);

    let (s, d) = fault_case(
        "rejected",
        keyed,
        Fault::Rejected {
            reason: "spam".into(),
        },
        1,
    )
    .await;
    assert_eq!(d.state, DeliveryState::Failed);
    assert!(!d.needs_decision());
    let e = d.error.unwrap();
    assert_eq!(e.kind, ErrorKind::ContentRejected);
    assert_eq!(e.context.operation.as_deref(), Some("reply"));
    assert_eq!(s.acct.faults().calls(Call::Reply), 1);
    assert_eq!(replies_on(&s.acct, &s.to, "rejected").await, 0);
}

#[tokio::test]
async fn crisis_mode_holds_replies_until_resumed() {
    let s = setup("reply-crisis", keyed).await;
    let id = s
        .engine
        .reply(&s.ws, OWNER, &"c".into(), s.to.clone(), Post::text("held"))
        .await
        .unwrap();
    assert_eq!(
        s.engine
            .pause_workspace(&s.ws, OWNER, "crisis")
            .await
            .unwrap(),
        1
    );
    assert_eq!(s.engine.run_once().await.unwrap().claimed, 0);
    assert_eq!(
        s.engine.delivery(&s.ws, &id).await.unwrap().state,
        DeliveryState::Paused
    );
    assert_eq!(s.acct.faults().calls(Call::Reply), 0);
    s.engine
        .resume_workspace(&s.ws, OWNER, "over")
        .await
        .unwrap();
    assert_eq!(s.engine.run_once().await.unwrap().published, 1);
    assert_eq!(replies_on(&s.acct, &s.to, "held").await, 1);
}

/// Queues a reply, "kills" the worker after the platform answered and before the store
/// write, reopens the SQLite file in a new engine, and checks there is exactly one reply.
async fn crash_and_reopen(wrap: fn(Arc<Sandbox>) -> Arc<dyn Platform>) -> Vec<AttemptOutcome> {
    crash_and_reopen_after(wrap, Duration::seconds(5)).await
}

async fn crash_and_reopen_after(
    wrap: fn(Arc<Sandbox>) -> Arc<dyn Platform>,
    down: Duration,
) -> Vec<AttemptOutcome> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("engine.db");
    let clock = ManualClock::new(t0());
    let w = world(&clock);
    let acct = sandbox(&w, "reply-crash");
    let to = mention(&acct, "@acme refund?");
    let platform = wrap(acct.clone());
    let (ws, id): (WorkspaceId, DeliveryId) = {
        let hook = Arc::new(CrashAfterCall(AtomicUsize::new(1)));
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        let first = engine(store, &clock, Some(hook));
        let ws = workspace(&first).await;
        connect(&first, &ws, "c", platform.clone()).await;
        let id = first
            .reply(&ws, OWNER, &"c".into(), to.clone(), Post::text("Refunded"))
            .await
            .unwrap();
        assert_eq!(first.run_once().await.unwrap().abandoned, 1);
        assert_eq!(replies_on(&acct, &to, "Refunded").await, 1, "it is out");
        (ws, id)
    };
    clock.advance(down);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
    let second = engine(store, &clock, None);
    connect(&second, &ws, "c", platform).await;
    let d = second.delivery(&ws, &id).await.unwrap();
    assert_eq!(
        d.state,
        DeliveryState::Publishing,
        "in doubt after the crash"
    );
    assert_eq!(
        d.reply_to.as_ref(),
        Some(&to),
        "the target survived the reopen"
    );
    // Its old lease is freed at start-up (or has run out while the worker was down).
    let freed = second.recover().await.unwrap();
    assert_eq!(freed, usize::from(down < Duration::minutes(5)));
    let r = second.run_once().await.unwrap();
    assert_eq!(
        replies_on(&acct, &to, "Refunded").await,
        1,
        "exactly one reply"
    );
    if r.failed == 1 {
        // The doubt could not be settled: it waits for a person, not re-sent.
        let d = second.delivery(&ws, &id).await.unwrap();
        assert!(d.needs_decision(), "{d:?}");
        let attempts = second.store().attempts(&ws, &id).await.unwrap();
        return attempts.into_iter().filter_map(|a| a.outcome).collect();
    }
    assert_eq!(r.published, 1);
    let d = second.delivery(&ws, &id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published);
    let attempts = second.store().attempts(&ws, &id).await.unwrap();
    assert_eq!(
        attempts[0].key, attempts[1].key,
        "the in-doubt retry keeps its key"
    );
    attempts.into_iter().filter_map(|a| a.outcome).collect()
}

#[tokio::test]
async fn crash_on_sqlite_with_a_keyed_platform_leaves_one_reply() {
    let outcomes = crash_and_reopen(keyed).await;
    assert_eq!(outcomes[0], AttemptOutcome::Abandoned);
    assert!(
        matches!(outcomes[1], AttemptOutcome::Reconciled { .. }),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn crash_on_sqlite_with_a_keyed_platform_that_cannot_list_resends_with_the_key() {
    fn keyed_unlisted(a: Arc<Sandbox>) -> Arc<dyn Platform> {
        Arc::new(KeyedUnlisted::new(a))
    }
    let outcomes = crash_and_reopen(keyed_unlisted).await;
    assert!(
        matches!(outcomes[1], AttemptOutcome::Published { .. }),
        "the platform deduped the re-send: {outcomes:?}"
    );
}

#[tokio::test]
async fn crash_on_sqlite_with_a_platform_without_keys_leaves_one_reply() {
    let outcomes = crash_and_reopen(unkeyed).await;
    assert!(
        matches!(outcomes[1], AttemptOutcome::Reconciled { .. }),
        "{outcomes:?}"
    );
}

/// The sandbox honouring keys but not listing replies with their target (as Mastodon and
/// Bluesky adapters declare today): a re-send with the same key is the reconciliation.
#[derive(Debug)]
struct KeyedUnlisted {
    inner: Arc<Sandbox>,
    caps: socialkit::platform::Capabilities,
}

impl KeyedUnlisted {
    fn new(inner: Arc<Sandbox>) -> Self {
        let mut caps = inner.capabilities().clone();
        caps.replies_in_recent_posts = false;
        KeyedUnlisted { inner, caps }
    }

    /// Keys remembered for an hour only, as Mastodon does.
    fn hour(inner: Arc<Sandbox>) -> Self {
        let mut k = KeyedUnlisted::new(inner);
        k.caps.key_lifetime_secs = Some(3600);
        k
    }
}

#[async_trait::async_trait]
impl Platform for KeyedUnlisted {
    fn capabilities(&self) -> &socialkit::platform::Capabilities {
        &self.caps
    }
    async fn channel(&self) -> Result<socialkit::model::Channel> {
        self.inner.channel().await
    }
    async fn publish(
        &self,
        post: &Post,
        o: &socialkit::model::PublishOptions,
    ) -> Result<Published> {
        self.inner.publish(post, o).await
    }
    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        o: &socialkit::model::PublishOptions,
    ) -> Result<Published> {
        self.inner.reply(to, post, o).await
    }
    async fn recent_posts(&self, limit: usize) -> Result<Vec<socialkit::model::RecentPost>> {
        self.inner.recent_posts(limit).await
    }
}

#[tokio::test]
async fn a_reply_with_the_same_words_is_not_mistaken_for_an_in_doubt_post() {
    let s = setup("reply-same-words", keyed).await;
    s.engine
        .reply(
            &s.ws,
            OWNER,
            &"c".into(),
            s.to.clone(),
            Post::text("Thanks!"),
        )
        .await
        .unwrap();
    s.engine.run_once().await.unwrap();
    // The post's first attempt times out before the platform got it: in doubt, not made.
    s.acct
        .faults()
        .inject(Fault::Timeout, Trigger::next(Call::Publish, 1));
    let sub = s
        .engine
        .submit(&s.ws, OWNER, Post::text("Thanks!"), &["c".into()])
        .await
        .unwrap();
    s.engine.run_simulated(&s.clock, 20).await.unwrap();
    let d = s
        .engine
        .delivery(&s.ws, &sub.deliveries[0].id)
        .await
        .unwrap();
    assert_eq!(d.state, DeliveryState::Published);
    let made = s.acct.inspect(&d.result.unwrap().post).unwrap();
    assert_eq!(made.reply_to, None, "the post itself, not the reply");
    assert_eq!(s.acct.faults().calls(Call::Publish), 2);
}

#[tokio::test]
async fn a_key_the_platform_may_have_forgotten_is_not_counted_on() {
    fn hour(a: Arc<Sandbox>) -> Arc<dyn Platform> {
        Arc::new(KeyedUnlisted::hour(a))
    }
    // Back within the hour: the key still protects the re-send.
    let outcomes = crash_and_reopen_after(hour, Duration::minutes(10)).await;
    assert!(
        matches!(outcomes[1], AttemptOutcome::Published { .. }),
        "{outcomes:?}"
    );
    // Back after two hours: the key may be gone; nothing is sent, a person decides.
    let outcomes = crash_and_reopen_after(hour, Duration::hours(2)).await;
    assert!(
        matches!(outcomes[1], AttemptOutcome::Failed { in_doubt: true, .. }),
        "{outcomes:?}"
    );
}
