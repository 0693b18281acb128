//! One behaviour suite every store passes (run by each store's tests).

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::model::{Post, PostRef, Published};

pub(crate) fn t0() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().unwrap_or_default()
}

pub(crate) async fn setup(store: &dyn Store, ws: &str) {
    store
        .create_workspace(&Workspace::new(ws, ws.to_uppercase()))
        .await
        .unwrap();
}

pub(crate) async fn post_with(
    store: &dyn Store,
    ws: &str,
    post: &str,
    channels: &[&str],
    state: DeliveryState,
    at: DateTime<Utc>,
) -> Vec<Delivery> {
    let ws = WorkspaceId::new(ws);
    let rec = PostRecord {
        workspace: ws.clone(),
        id: PostId::new(post),
        post: Post::text("hello"),
        created_by: "ana".into(),
        created_at: t0(),
    };
    let ds: Vec<Delivery> = channels
        .iter()
        .map(|c| {
            let mut d = Delivery::new(
                ws.clone(),
                rec.id.clone(),
                ChannelId::new(*c),
                "sandbox",
                Post::text("hello"),
                state,
                Some(at),
                t0(),
            );
            d.id = DeliveryId::new(format!("{post}-{c}"));
            d
        })
        .collect();
    store.insert_post(&rec, &ds, "created").await.unwrap();
    ds
}

pub(crate) fn stamp(at: DateTime<Utc>) -> Stamp {
    Stamp::new("ana", "because", at)
}

/// Runs every check, each on a fresh store from `make`.
pub(crate) async fn run<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    workspaces_are_isolated(make().await.as_ref()).await;
    claims_are_exclusive_and_ordered(make().await.as_ref()).await;
    expired_leases_are_in_doubt_with_the_same_key(make().await.as_ref()).await;
    spacing_defers_the_second_post(make().await.as_ref()).await;
    pause_and_resume(make().await.as_ref()).await;
    changes_are_all_or_nothing(make().await.as_ref()).await;
    outcomes_are_stored(make().await.as_ref()).await;
    drafts_can_be_edited_and_commented(make().await.as_ref()).await;
    replies_keep_their_target_and_are_found_by_it(make().await.as_ref()).await;
    use super::events_conformance as ev;
    ev::events_commit_with_their_change(make().await.as_ref()).await;
    ev::events_keep_their_order_and_workspace(make().await.as_ref()).await;
    ev::claims_hold_a_lease_and_acks_are_fenced(make().await.as_ref()).await;
    ev::batched_answers_are_fenced_one_by_one(make().await.as_ref()).await;
    ev::retries_wait_for_their_time(make().await.as_ref()).await;
    ev::dead_letters_are_listed_and_replayed(make().await.as_ref()).await;
    ev::retention_deletes_only_old_finished_events(make().await.as_ref()).await;
}

async fn replies_keep_their_target_and_are_found_by_it(s: &dyn Store) {
    setup(s, "a").await;
    setup(s, "b").await;
    let a = WorkspaceId::new("a");
    let to = crate::model::InteractionRef::new("sandbox", "n7")
        .with_post(PostRef::new("sandbox", "r7"))
        .with_meta("acct", "kim");
    let rec = PostRecord {
        workspace: a.clone(),
        id: PostId::new("reply-1"),
        post: Post::text("On it"),
        created_by: "ana".into(),
        created_at: t0(),
    };
    let mut d = Delivery::new(
        a.clone(),
        rec.id.clone(),
        ChannelId::new("c1"),
        "sandbox",
        Post::text("On it"),
        DeliveryState::Scheduled,
        None,
        t0(),
    )
    .replying_to(to.clone());
    d.id = DeliveryId::new("reply-1-c1");
    s.insert_post(&rec, std::slice::from_ref(&d), "reply")
        .await
        .unwrap();
    post_with(s, "a", "p2", &["c1"], DeliveryState::Scheduled, t0()).await;
    // The same delivery id again is refused: a reply is created once.
    let again = s.insert_post(&rec, std::slice::from_ref(&d), "reply").await;
    assert_eq!(again.unwrap_err().kind(), ErrorKind::Conflict);
    assert_eq!(s.delivery(&a, &d.id).await.unwrap().reply_to, Some(to));
    let found = s
        .deliveries(&a, &DeliveryFilter::replies_to("n7"))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, d.id);
    assert!(
        s.deliveries(&a, &DeliveryFilter::replies_to("n8"))
            .await
            .unwrap()
            .is_empty()
    );
    let b = WorkspaceId::new("b");
    assert!(
        s.deliveries(&b, &DeliveryFilter::replies_to("n7"))
            .await
            .unwrap()
            .is_empty()
    );
    // Claimed and finished like any delivery, the target stays.
    let claims = s
        .claim_due(t0(), "w1", 10, Duration::minutes(5))
        .await
        .unwrap();
    let c = claims.iter().find(|c| c.delivery.id == d.id).unwrap();
    assert!(c.delivery.is_reply());
    let done = Published::single(PostRef::new("sandbox", "9"), t0());
    s.apply(
        &a,
        &Selector::Delivery(d.id.clone()),
        &Change::Finish {
            attempt_id: c.attempt.id.clone(),
            outcome: Finish::Published(done),
        },
        &stamp(t0()),
    )
    .await
    .unwrap();
    let stored = s.delivery(&a, &d.id).await.unwrap();
    assert_eq!(stored.state, DeliveryState::Published);
    assert!(stored.is_reply());
}

async fn workspaces_are_isolated(s: &dyn Store) {
    setup(s, "a").await;
    setup(s, "b").await;
    let (a, b) = (WorkspaceId::new("a"), WorkspaceId::new("b"));
    // The same ids in both workspaces.
    let da = post_with(s, "a", "p1", &["c1"], DeliveryState::Draft, t0()).await;
    post_with(s, "b", "p1", &["c1"], DeliveryState::Draft, t0()).await;
    s.put_member(&a, &Member::new("ana", Role::Owner))
        .await
        .unwrap();
    s.put_setting(&a, "brand", &serde_json::json!({"x": 1}))
        .await
        .unwrap();
    s.put_channel(&a, &ChannelRecord::new("c1", "sandbox"))
        .await
        .unwrap();
    s.apply(
        &a,
        &Selector::Delivery(da[0].id.clone()),
        &Change::Move {
            to: DeliveryState::InReview,
            due_at: None,
        },
        &stamp(t0()),
    )
    .await
    .unwrap();
    assert_eq!(
        s.delivery(&a, &da[0].id).await.unwrap().state,
        DeliveryState::InReview
    );
    assert_eq!(
        s.delivery(&b, &da[0].id).await.unwrap().state,
        DeliveryState::Draft
    );
    assert_eq!(s.history(&a, &da[0].id).await.unwrap().len(), 2);
    assert_eq!(s.history(&b, &da[0].id).await.unwrap().len(), 1);
    assert_eq!(s.audit_log(&b, 100).await.unwrap().len(), 1);
    assert!(s.members(&b).await.unwrap().is_empty());
    assert!(s.setting(&b, "brand").await.unwrap().is_none());
    assert!(s.channels(&b).await.unwrap().is_empty());
    let only_a = s.deliveries(&a, &DeliveryFilter::default()).await.unwrap();
    assert!(only_a.iter().all(|d| d.workspace == a));
    assert_eq!(only_a.len(), 1);
    let c = WorkspaceId::new("c");
    let err = s.delivery(&c, &da[0].id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    s.add_comment(&Comment {
        workspace: a.clone(),
        post: "p1".into(),
        who: "ana".into(),
        at: t0(),
        text: "nice".into(),
    })
    .await
    .unwrap();
    assert!(s.comments(&b, &"p1".into()).await.unwrap().is_empty());
}

async fn claims_are_exclusive_and_ordered(s: &dyn Store) {
    setup(s, "a").await;
    post_with(
        s,
        "a",
        "late",
        &["c1"],
        DeliveryState::Scheduled,
        t0() + Duration::minutes(5),
    )
    .await;
    post_with(s, "a", "early", &["c1"], DeliveryState::Scheduled, t0()).await;
    post_with(
        s,
        "a",
        "future",
        &["c1"],
        DeliveryState::Scheduled,
        t0() + Duration::hours(1),
    )
    .await;
    assert_eq!(s.next_due().await.unwrap(), Some(t0()));
    let now = t0() + Duration::minutes(10);
    let got = s
        .claim_due(now, "w1", 10, Duration::minutes(1))
        .await
        .unwrap();
    let ids: Vec<_> = got
        .iter()
        .map(|c| c.delivery.id.as_str().to_string())
        .collect();
    assert_eq!(ids, ["early-c1", "late-c1"]);
    assert!(
        got.iter()
            .all(|c| c.delivery.state == DeliveryState::Publishing)
    );
    assert!(
        s.claim_due(now, "w2", 10, Duration::minutes(1))
            .await
            .unwrap()
            .is_empty()
    );
    let a = WorkspaceId::new("a");
    let attempts = s.attempts(&a, &"early-c1".into()).await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].worker, "w1");
    assert_eq!(attempts[0].key, got[0].delivery.idempotency_key());
}

async fn expired_leases_are_in_doubt_with_the_same_key(s: &dyn Store) {
    setup(s, "a").await;
    post_with(s, "a", "p", &["c1"], DeliveryState::Scheduled, t0()).await;
    let first = s
        .claim_due(t0(), "w1", 1, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert!(!first[0].delivery.in_doubt());
    // Before expiry nobody else gets it; the worker restarting under its name frees it.
    assert!(
        s.claim_due(t0(), "w2", 1, Duration::minutes(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.expire_leases("w1", t0()).await.unwrap(), 1);
    let second = s
        .claim_due(t0(), "w1", 1, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert!(second[0].delivery.in_doubt());
    assert_eq!(second[0].attempt.key, first[0].attempt.key);
    // Expiry by time, for another worker.
    let later = t0() + Duration::minutes(2);
    let third = s
        .claim_due(later, "w2", 1, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].attempt.number, 3);
    let attempts = s.attempts(&"a".into(), &"p-c1".into()).await.unwrap();
    assert_eq!(attempts[0].outcome, Some(AttemptOutcome::Abandoned));
    assert_eq!(attempts[1].outcome, Some(AttemptOutcome::Abandoned));
    assert_eq!(attempts[2].outcome, None);
    // The first worker's late answer is refused: it no longer holds the lease.
    let stale = Change::Finish {
        attempt_id: first[0].attempt.id.clone(),
        outcome: Finish::Release { due_at: later },
    };
    let err = s
        .apply(
            &"a".into(),
            &Selector::Delivery("p-c1".into()),
            &stale,
            &stamp(later),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

async fn spacing_defers_the_second_post(s: &dyn Store) {
    setup(s, "a").await;
    let a = WorkspaceId::new("a");
    s.put_channel(
        &a,
        &ChannelRecord::new("c1", "sandbox").with_min_spacing_secs(600),
    )
    .await
    .unwrap();
    post_with(s, "a", "p1", &["c1", "c2"], DeliveryState::Scheduled, t0()).await;
    post_with(s, "a", "p2", &["c1", "c2"], DeliveryState::Scheduled, t0()).await;
    let got = s
        .claim_due(t0(), "w", 10, Duration::hours(1))
        .await
        .unwrap();
    let mut ids: Vec<_> = got.iter().map(|c| c.delivery.id.to_string()).collect();
    ids.sort();
    assert_eq!(ids, ["p1-c1", "p1-c2", "p2-c2"]);
    let deferred = s.delivery(&a, &"p2-c1".into()).await.unwrap();
    assert_eq!(deferred.due_at, Some(t0() + Duration::seconds(600)));
    assert_eq!(deferred.state, DeliveryState::Scheduled);
    let later = s
        .claim_due(t0() + Duration::seconds(600), "w", 10, Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
}

async fn pause_and_resume(s: &dyn Store) {
    setup(s, "a").await;
    setup(s, "b").await;
    let a = WorkspaceId::new("a");
    post_with(s, "a", "p1", &["c1"], DeliveryState::Scheduled, t0()).await;
    post_with(s, "a", "p2", &["c1"], DeliveryState::Draft, t0()).await;
    post_with(s, "b", "p1", &["c1"], DeliveryState::Scheduled, t0()).await;
    let paused = s.set_paused(&a, true, &stamp(t0())).await.unwrap();
    assert_eq!(paused.len(), 2);
    assert!(s.workspace(&a).await.unwrap().paused);
    let got = s
        .claim_due(t0(), "w", 10, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(got.len(), 1, "only the other workspace publishes");
    assert_eq!(got[0].delivery.workspace, WorkspaceId::new("b"));
    let resumed = s.set_paused(&a, false, &stamp(t0())).await.unwrap();
    assert_eq!(resumed.len(), 2);
    assert_eq!(
        s.delivery(&a, &"p1-c1".into()).await.unwrap().state,
        DeliveryState::Scheduled
    );
    assert_eq!(
        s.delivery(&a, &"p2-c1".into()).await.unwrap().state,
        DeliveryState::Draft
    );
    let h = s.history(&a, &"p1-c1".into()).await.unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[1].to, DeliveryState::Paused);
    assert_eq!(h[1].who, "ana");
    assert_eq!(h[1].why, "because");
}

async fn changes_are_all_or_nothing(s: &dyn Store) {
    setup(s, "a").await;
    let a = WorkspaceId::new("a");
    post_with(s, "a", "p", &["c1", "c2"], DeliveryState::Draft, t0()).await;
    let review = Change::Move {
        to: DeliveryState::InReview,
        due_at: None,
    };
    s.apply(
        &a,
        &Selector::Delivery("p-c2".into()),
        &review,
        &stamp(t0()),
    )
    .await
    .unwrap();
    // c1 may move to review, c2 may not (it is there already): nothing moves.
    let err = s
        .apply(&a, &Selector::Post("p".into()), &review, &stamp(t0()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(
        s.delivery(&a, &"p-c1".into()).await.unwrap().state,
        DeliveryState::Draft
    );
    assert_eq!(s.history(&a, &"p-c1".into()).await.unwrap().len(), 1);
}

async fn outcomes_are_stored(s: &dyn Store) {
    setup(s, "a").await;
    let a = WorkspaceId::new("a");
    post_with(s, "a", "p", &["c1", "c2"], DeliveryState::Scheduled, t0()).await;
    let got = s
        .claim_due(t0(), "w", 10, Duration::minutes(1))
        .await
        .unwrap();
    let published = Published::single(PostRef::new("sandbox", "42"), t0());
    let err = crate::Error::new(ErrorKind::ContentRejected, "no").to_record();
    for (c, outcome) in got.iter().zip([
        Finish::Published(published.clone()),
        Finish::Fail {
            error: err.clone(),
            in_doubt: false,
            settled: false,
        },
    ]) {
        let change = Change::Finish {
            attempt_id: c.attempt.id.clone(),
            outcome,
        };
        s.apply(
            &a,
            &Selector::Delivery(c.delivery.id.clone()),
            &change,
            &stamp(t0()),
        )
        .await
        .unwrap();
    }
    let d1 = s.delivery(&a, &got[0].delivery.id).await.unwrap();
    assert_eq!(d1.state, DeliveryState::Published);
    assert_eq!(d1.result, Some(published.clone()));
    assert!(d1.lease.is_none());
    let d2 = s.delivery(&a, &got[1].delivery.id).await.unwrap();
    assert_eq!(d2.state, DeliveryState::Failed);
    assert_eq!(d2.error, Some(err));
    let at = s.attempts(&a, &d1.id).await.unwrap();
    assert_eq!(
        at[0].outcome,
        Some(AttemptOutcome::Published { result: published })
    );
    assert_eq!(at[0].finished_at, Some(t0()));
    assert_eq!(s.next_due().await.unwrap(), None);
    let failed = s
        .deliveries(
            &a,
            &DeliveryFilter::default().in_state(DeliveryState::Failed),
        )
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
}

async fn drafts_can_be_edited_and_commented(s: &dyn Store) {
    setup(s, "a").await;
    let a = WorkspaceId::new("a");
    let ds = post_with(s, "a", "p", &["c1"], DeliveryState::Draft, t0()).await;
    let mut rec = s.post(&a, &"p".into()).await.unwrap();
    rec.post = Post::text("better");
    let out = s
        .edit_post(
            &rec,
            &[(ds[0].id.clone(), Post::text("better"))],
            &stamp(t0()),
        )
        .await
        .unwrap();
    assert_eq!(out[0].content.text, "better");
    assert_eq!(s.post(&a, &"p".into()).await.unwrap().post.text, "better");
    assert_eq!(
        s.delivery(&a, &ds[0].id).await.unwrap().content.text,
        "better"
    );
    s.add_comment(&Comment {
        workspace: a.clone(),
        post: "p".into(),
        who: "bo".into(),
        at: t0(),
        text: "shorter?".into(),
    })
    .await
    .unwrap();
    assert_eq!(
        s.comments(&a, &"p".into()).await.unwrap()[0].text,
        "shorter?"
    );
}
