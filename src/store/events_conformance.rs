//! The events outbox's part of the store conformance suite: every store passes it.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::conformance::{post_with, setup, stamp, t0};
use super::*;
use crate::model::{PostRef, Published};

/// Events named after the changed deliveries, and one `post_done` when the post has no
/// delivery left in Publishing.
struct Named;

impl Emitter for Named {
    fn events(&self, changed: &[Delivery]) -> Vec<NewEvent> {
        changed
            .iter()
            .map(|d| NewEvent::new("changed", json!({ "delivery": d.id, "state": d.state })))
            .collect()
    }
    fn post(&self, changed: &[Delivery]) -> Option<PostId> {
        changed.first().map(|d| d.post.clone())
    }
    fn post_events(&self, all: &[Delivery]) -> Vec<NewEvent> {
        let open = all
            .iter()
            .filter(|d| d.state == DeliveryState::Publishing)
            .count();
        if open == 0 {
            vec![NewEvent::new(
                "post_done",
                json!({ "deliveries": all.len() }),
            )]
        } else {
            Vec::new()
        }
    }
}

fn kinds(list: &[OutboxEvent]) -> Vec<&str> {
    list.iter().map(|e| e.event.kind.as_str()).collect()
}

async fn all(s: &dyn Store, ws: &str) -> Vec<OutboxEvent> {
    s.events(&ws.into(), &EventFilter::default()).await.unwrap()
}

async fn append(s: &dyn Store, ws: &str, kind: &str, at: DateTime<Utc>) -> StoredEvent {
    let mut v = s
        .append_events(&ws.into(), &[NewEvent::new(kind, json!({ "k": kind }))], at)
        .await
        .unwrap();
    v.pop().unwrap()
}

pub(crate) async fn events_commit_with_their_change(s: &dyn Store) {
    setup(s, "a").await;
    let a = WorkspaceId::new("a");
    post_with(s, "a", "p", &["c1", "c2"], DeliveryState::Scheduled, t0()).await;
    let got = s
        .claim_due(t0(), "w", 10, Duration::minutes(1))
        .await
        .unwrap();
    let finish = |attempt: &str| Change::Finish {
        attempt_id: attempt.to_string(),
        outcome: Finish::Published(Published::single(PostRef::new("sandbox", "1"), t0())),
    };
    let emit: Arc<dyn Emitter> = Arc::new(Named);
    // The first delivery: its event, no post event (the second is still Publishing).
    let (changed, stored) = s
        .apply_emitting(
            &a,
            &Selector::Delivery(got[0].delivery.id.clone()),
            &finish(&got[0].attempt.id),
            &stamp(t0()),
            emit.clone(),
        )
        .await
        .unwrap();
    assert_eq!(changed[0].state, DeliveryState::Published);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].kind, "changed");
    assert_eq!(stored[0].payload["state"], "published");
    assert_eq!(stored[0].created_at, t0());
    assert!(stored[0].id.as_str().starts_with("ev_"));
    // A refused change (a stale attempt) writes no event either.
    let refused = s
        .apply_emitting(
            &a,
            &Selector::Delivery(got[1].delivery.id.clone()),
            &finish("stale/9"),
            &stamp(t0()),
            emit.clone(),
        )
        .await;
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::Conflict);
    assert_eq!(all(s, "a").await.len(), 1, "no event without its change");
    // The last delivery: its event and the post's, seeing both deliveries as changed.
    let (_, stored) = s
        .apply_emitting(
            &a,
            &Selector::Delivery(got[1].delivery.id.clone()),
            &finish(&got[1].attempt.id),
            &stamp(t0()),
            emit,
        )
        .await
        .unwrap();
    assert_eq!(
        stored.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["changed", "post_done"]
    );
    assert_eq!(stored[1].payload["deliveries"], 2);
    let listed = all(s, "a").await;
    assert_eq!(kinds(&listed), ["changed", "changed", "post_done"]);
    assert!(listed.iter().all(|e| e.status == EventStatus::Pending));
    assert_eq!(listed[1].event, stored[0]);
    // Crisis mode's events commit with it and see what it paused.
    post_with(s, "a", "q", &["c1", "c2", "c3"], DeliveryState::Draft, t0()).await;
    let count = |changed: &[Delivery]| changed.len();
    struct Paused(fn(&[Delivery]) -> usize);
    impl Emitter for Paused {
        fn events(&self, changed: &[Delivery]) -> Vec<NewEvent> {
            vec![NewEvent::new(
                "paused",
                json!({ "deliveries": (self.0)(changed) }),
            )]
        }
    }
    let (paused, stored) = s
        .set_paused_emitting(&a, true, &stamp(t0()), Arc::new(Paused(count)))
        .await
        .unwrap();
    assert_eq!(paused.len(), 3);
    assert_eq!(stored[0].payload["deliveries"], 3);
    assert!(s.workspace(&a).await.unwrap().paused);
    // Events of a workspace that does not exist are refused.
    assert!(
        s.append_events(&"nope".into(), &[NewEvent::new("x", json!({}))], t0())
            .await
            .is_err()
    );
}

pub(crate) async fn events_keep_their_order_and_workspace(s: &dyn Store) {
    setup(s, "a").await;
    setup(s, "b").await;
    let mut written = Vec::new();
    for i in 0..6 {
        let ws = if i % 2 == 0 { "a" } else { "b" };
        written.push(append(s, ws, &format!("e{i}"), t0() + Duration::seconds(i)).await);
    }
    let a = all(s, "a").await;
    assert_eq!(kinds(&a), ["e0", "e2", "e4"], "a's events in write order");
    assert_eq!(kinds(&all(s, "b").await), ["e1", "e3", "e5"]);
    assert!(a.windows(2).all(|w| w[0].event.seq < w[1].event.seq));
    assert!(a.iter().all(|e| e.event.workspace == WorkspaceId::new("a")));
    let after = s
        .events(
            &"a".into(),
            &EventFilter {
                after: Some(a[0].event.seq),
                limit: Some(1),
                ..EventFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(kinds(&after), ["e2"]);
    // A claim serves every workspace, oldest first, each record carrying its workspace.
    let claimed = s
        .claim_events(t0() + Duration::seconds(10), "w", 10, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(kinds(&claimed), ["e0", "e1", "e2", "e3", "e4", "e5"]);
    assert_eq!(claimed[1].event.workspace, WorkspaceId::new("b"));
    // Nothing crosses a workspace: b cannot finish, list or replay a's event.
    let e0 = &written[0].id;
    let wrong = s
        .finish_event(&"b".into(), e0, "w", &EventOutcome::Delivered, t0())
        .await
        .unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::NotFound);
    let wrong = s
        .replay_events(&"b".into(), &Replay::One(e0.clone()), t0())
        .await
        .unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::NotFound);
    assert!(
        s.events(&"nope".into(), &EventFilter::default())
            .await
            .is_err()
    );
}

pub(crate) async fn claims_hold_a_lease_and_acks_are_fenced(s: &dyn Store) {
    setup(s, "a").await;
    let a = WorkspaceId::new("a");
    for i in 0..3 {
        append(s, "a", &format!("e{i}"), t0()).await;
    }
    let lease = Duration::seconds(30);
    let w1 = s.claim_events(t0(), "w1", 2, lease).await.unwrap();
    assert_eq!(kinds(&w1), ["e0", "e1"]);
    assert_eq!(w1[0].attempts, 1);
    assert_eq!(w1[0].lease.as_ref().unwrap().worker, "w1");
    // While the lease holds, another sender gets only the rest.
    let w2 = s.claim_events(t0(), "w2", 10, lease).await.unwrap();
    assert_eq!(kinds(&w2), ["e2"]);
    assert!(
        s.claim_events(t0(), "w3", 10, lease)
            .await
            .unwrap()
            .is_empty()
    );
    // w2 acknowledges e2: it is never claimed again.
    s.finish_event(&a, &w2[0].event.id, "w2", &EventOutcome::Delivered, t0())
        .await
        .unwrap();
    // w1 dies; after its lease w3 gets e0 and e1 again (a second attempt).
    let later = t0() + lease;
    let w3 = s.claim_events(later, "w3", 10, lease).await.unwrap();
    assert_eq!(kinds(&w3), ["e0", "e1"]);
    assert_eq!(w3[0].attempts, 2);
    // w1 comes back: its answer is refused, the event is w3's.
    let late = s
        .finish_event(&a, &w1[0].event.id, "w1", &EventOutcome::Delivered, later)
        .await
        .unwrap_err();
    assert_eq!(late.kind(), ErrorKind::Conflict);
    for e in &w3 {
        s.finish_event(&a, &e.event.id, "w3", &EventOutcome::Skipped, later)
            .await
            .unwrap();
    }
    let listed = all(s, "a").await;
    let status: Vec<_> = listed.iter().map(|e| e.status).collect();
    assert_eq!(
        status,
        [
            EventStatus::Skipped,
            EventStatus::Skipped,
            EventStatus::Delivered
        ]
    );
    assert!(listed.iter().all(|e| e.lease.is_none()));
    // A finished event cannot be finished again.
    let again = s
        .finish_event(&a, &w3[0].event.id, "w3", &EventOutcome::Delivered, later)
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict);
    let far = later + Duration::days(1);
    assert!(
        s.claim_events(far, "w4", 10, lease)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Many answers stored in one call: each under the rules of `finish_event` (outcome applied,
/// lease cleared), each entry answered on its own — a held event `Ok`, one another sender
/// holds or one already finished `Conflict`, an unknown one `NotFound` — and a refused entry
/// changes nothing of the others.
pub(crate) async fn batched_answers_are_fenced_one_by_one(s: &dyn Store) {
    setup(s, "a").await;
    setup(s, "b").await;
    let a = WorkspaceId::new("a");
    let b = WorkspaceId::new("b");
    let e: Vec<StoredEvent> = {
        let mut v = Vec::new();
        for i in 0..4 {
            v.push(append(s, "a", &format!("e{i}"), t0()).await);
        }
        v.push(append(s, "b", "e4", t0()).await);
        v
    };
    let lease = Duration::seconds(30);
    // w1 holds e0, e1, e2; w2 holds e3 and b's e4.
    assert_eq!(s.claim_events(t0(), "w1", 3, lease).await.unwrap().len(), 3);
    assert_eq!(s.claim_events(t0(), "w2", 9, lease).await.unwrap().len(), 2);
    let retry_at = t0() + Duration::seconds(10);
    let f =
        |ws: &WorkspaceId, id: &EventId, o: EventOutcome| Finished::new(ws.clone(), id.clone(), o);
    let done = [
        f(&a, &e[0].id, EventOutcome::Delivered),
        f(
            &a,
            &e[1].id,
            EventOutcome::Retry {
                at: retry_at,
                error: "the receiver answered HTTP 503".into(),
            },
        ),
        f(&a, &e[3].id, EventOutcome::Delivered), // w2's
        f(
            &a,
            &e[2].id,
            EventOutcome::Dead {
                error: "the receiver answered HTTP 410".into(),
            },
        ),
        f(&a, &EventId::from("ev_unknown"), EventOutcome::Delivered),
        f(&a, &e[4].id, EventOutcome::Delivered), // b's event named under a
    ];
    let got = s.finish_events("w1", &done, t0()).await.unwrap();
    let kinds_of: Vec<Option<ErrorKind>> = got
        .iter()
        .map(|r| r.as_ref().err().map(|e| e.kind()))
        .collect();
    assert_eq!(
        kinds_of,
        [
            None,
            None,
            Some(ErrorKind::Conflict),
            None,
            Some(ErrorKind::NotFound),
            Some(ErrorKind::NotFound),
        ]
    );
    let listed = all(s, "a").await;
    assert_eq!(listed[0].status, EventStatus::Delivered);
    assert_eq!(listed[0].last_error, None);
    assert_eq!(listed[1].status, EventStatus::Pending);
    assert_eq!(listed[1].next_at, retry_at);
    assert_eq!(
        listed[1].last_error.as_deref(),
        Some("the receiver answered HTTP 503")
    );
    assert_eq!(listed[2].status, EventStatus::Dead);
    assert_eq!(
        listed[2].last_error.as_deref(),
        Some("the receiver answered HTTP 410")
    );
    // w2's event untouched, still held by w2.
    assert_eq!(listed[3].status, EventStatus::Pending);
    assert_eq!(listed[3].lease.as_ref().unwrap().worker, "w2");
    assert!(listed[..3].iter().all(|e| e.lease.is_none()));
    // Finished ones cannot be finished again; w2 finishes its own; nothing at all is fine.
    let again = s.finish_events("w1", &done[..1], t0()).await.unwrap();
    assert_eq!(again[0].as_ref().unwrap_err().kind(), ErrorKind::Conflict);
    let w2 = [
        f(&a, &e[3].id, EventOutcome::Skipped),
        f(&b, &e[4].id, EventOutcome::Delivered),
    ];
    let got = s.finish_events("w2", &w2, t0()).await.unwrap();
    assert!(got.iter().all(Result::is_ok), "{got:?}");
    assert!(s.finish_events("w2", &[], t0()).await.unwrap().is_empty());
    assert_eq!(all(s, "a").await[3].status, EventStatus::Skipped);
    assert_eq!(all(s, "b").await[0].status, EventStatus::Delivered);
    // The retry comes due again and only then.
    let due = s.claim_events(retry_at, "w3", 9, lease).await.unwrap();
    assert_eq!(kinds(&due), ["e1"]);
    // Past its lease, a sender's batch is refused whole.
    let late = retry_at + lease;
    let refused = s
        .finish_events("w3", &[f(&a, &e[1].id, EventOutcome::Delivered)], late)
        .await
        .unwrap();
    assert_eq!(refused[0].as_ref().unwrap_err().kind(), ErrorKind::Conflict);
}

pub(crate) async fn retries_wait_for_their_time(s: &dyn Store) {
    setup(s, "a").await;
    let a = WorkspaceId::new("a");
    let e = append(s, "a", "e", t0()).await;
    let lease = Duration::seconds(30);
    s.claim_events(t0(), "w", 10, lease).await.unwrap();
    let at = t0() + Duration::seconds(10);
    let retry = EventOutcome::Retry {
        at,
        error: "the receiver answered HTTP 503".into(),
    };
    s.finish_event(&a, &e.id, "w", &retry, t0()).await.unwrap();
    let before = at - Duration::milliseconds(1);
    assert!(
        s.claim_events(before, "w", 10, lease)
            .await
            .unwrap()
            .is_empty()
    );
    let got = s.claim_events(at, "w", 10, lease).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].attempts, 2);
    assert_eq!(got[0].next_at, at);
    assert_eq!(
        got[0].last_error.as_deref(),
        Some("the receiver answered HTTP 503")
    );
    s.finish_event(&a, &e.id, "w", &EventOutcome::Delivered, at)
        .await
        .unwrap();
    let done = all(s, "a").await;
    assert_eq!(done[0].status, EventStatus::Delivered);
    assert_eq!(done[0].last_error, None);
}

pub(crate) async fn dead_letters_are_listed_and_replayed(s: &dyn Store) {
    setup(s, "a").await;
    setup(s, "b").await;
    let a = WorkspaceId::new("a");
    let lease = Duration::seconds(30);
    let e1 = append(s, "a", "e1", t0()).await;
    let e2 = append(s, "a", "e2", t0()).await;
    let e3 = append(s, "a", "e3", t0()).await;
    let eb = append(s, "b", "eb", t0()).await;
    s.claim_events(t0(), "w", 10, lease).await.unwrap();
    let dead = |why: &str| EventOutcome::Dead { error: why.into() };
    s.finish_event(&a, &e1.id, "w", &dead("HTTP 410"), t0())
        .await
        .unwrap();
    s.finish_event(&a, &e2.id, "w", &dead("HTTP 500"), t0())
        .await
        .unwrap();
    s.finish_event(&a, &e3.id, "w", &EventOutcome::Delivered, t0())
        .await
        .unwrap();
    s.finish_event(&"b".into(), &eb.id, "w", &dead("HTTP 500"), t0())
        .await
        .unwrap();
    let letters = s
        .events(&a, &EventFilter::status(EventStatus::Dead))
        .await
        .unwrap();
    assert_eq!(kinds(&letters), ["e1", "e2"]);
    assert_eq!(letters[0].last_error.as_deref(), Some("HTTP 410"));
    let later = t0() + Duration::hours(1);
    assert!(
        s.claim_events(later, "w", 10, lease)
            .await
            .unwrap()
            .is_empty()
    );
    // Replay one: Pending again, attempts from zero, same id.
    assert_eq!(
        s.replay_events(&a, &Replay::One(e1.id.clone()), later)
            .await
            .unwrap(),
        1
    );
    let got = s.claim_events(later, "w", 10, lease).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].event.id, e1.id);
    assert_eq!(got[0].attempts, 1);
    // Replaying what is not dead is refused.
    let not_dead = s
        .replay_events(&a, &Replay::One(e3.id.clone()), later)
        .await
        .unwrap_err();
    assert_eq!(not_dead.kind(), ErrorKind::Conflict);
    // All of a's dead letters: e2 only (e1 is pending, b's stays dead).
    assert_eq!(
        s.replay_events(&a, &Replay::AllDead, later).await.unwrap(),
        1
    );
    let b_dead = s
        .events(&"b".into(), &EventFilter::status(EventStatus::Dead))
        .await
        .unwrap();
    assert_eq!(kinds(&b_dead), ["eb"]);
}

pub(crate) async fn retention_deletes_only_old_finished_events(s: &dyn Store) {
    setup(s, "a").await;
    setup(s, "b").await;
    let a = WorkspaceId::new("a");
    let b = WorkspaceId::new("b");
    let lease = Duration::seconds(30);
    let old = t0();
    let young = t0() + Duration::days(20);
    // Old: delivered, skipped, dead, still pending (a retry due later), in two workspaces.
    let delivered = append(s, "a", "delivered", old).await;
    let skipped = append(s, "a", "skipped", old).await;
    let dead = append(s, "a", "dead", old).await;
    let pending = append(s, "a", "pending", old).await;
    let other = append(s, "b", "delivered_b", old).await;
    s.claim_events(old, "w", 10, lease).await.unwrap();
    let done = |ws: &WorkspaceId, id: &EventId, outcome: EventOutcome| {
        let (ws, id) = (ws.clone(), id.clone());
        async move { s.finish_event(&ws, &id, "w", &outcome, old).await.unwrap() }
    };
    done(&a, &delivered.id, EventOutcome::Delivered).await;
    done(&a, &skipped.id, EventOutcome::Skipped).await;
    done(
        &a,
        &dead.id,
        EventOutcome::Dead {
            error: "HTTP 410".into(),
        },
    )
    .await;
    let retry = EventOutcome::Retry {
        at: young + Duration::days(1),
        error: "HTTP 503".into(),
    };
    done(&a, &pending.id, retry).await;
    done(&b, &other.id, EventOutcome::Delivered).await;
    // Young: delivered.
    let recent = append(s, "a", "recent", young).await;
    s.claim_events(young, "w", 10, lease).await.unwrap();
    s.finish_event(&a, &recent.id, "w", &EventOutcome::Delivered, young)
        .await
        .unwrap();

    let cutoff = old + Duration::days(10);
    // Nothing is older than the epoch.
    assert_eq!(
        s.purge_events(DateTime::<Utc>::UNIX_EPOCH, 100)
            .await
            .unwrap(),
        0
    );
    // Bounded by `limit`, oldest first, across workspaces.
    assert_eq!(s.purge_events(cutoff, 2).await.unwrap(), 2);
    assert_eq!(s.purge_events(cutoff, 100).await.unwrap(), 1);
    assert_eq!(s.purge_events(cutoff, 100).await.unwrap(), 0);
    assert_eq!(kinds(&all(s, "a").await), ["dead", "pending", "recent"]);
    assert!(all(s, "b").await.is_empty());
    // What stays works as before: the dead one replays, the pending one is claimed when due.
    assert_eq!(
        s.replay_events(&a, &Replay::One(dead.id.clone()), young)
            .await
            .unwrap(),
        1
    );
    let got = s
        .claim_events(young + Duration::days(1), "w2", 10, lease)
        .await
        .unwrap();
    assert_eq!(kinds(&got), ["dead", "pending"]);
    // New events after a purge keep ascending sequence numbers.
    let next = append(s, "a", "next", young).await;
    assert!(next.seq > recent.seq);
}
