//! The SLA loop on a [`ManualClock`]: each breach at its due instant (over weekends,
//! holidays, DST), none for items answered in time, once only, and not again after a restart.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use tokio::sync::broadcast;

use crate::clock::{Clock, ManualClock};
use crate::inbox::sla::{BusinessHours, SlaBreach, SlaKind, SlaPolicy, SlaWarning};
use crate::inbox::*;
use crate::model::{Author, Interaction, InteractionKind, InteractionRef};

pub(super) fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub(super) fn mention(id: &str, text: &str, at: DateTime<Utc>) -> Interaction {
    Interaction {
        reference: InteractionRef::new("sandbox", id),
        kind: InteractionKind::Mention,
        author: Author {
            handle: format!("user{id}"),
            ..Author::default()
        },
        text: Some(text.to_string()),
        created_at: at,
        post: None,
        conversation: None,
        language: None,
    }
}

fn berlin_policy() -> SlaPolicy {
    SlaPolicy {
        hours: BusinessHours::weekdays("Europe/Berlin".parse().unwrap(), 9, 17),
        first_response: Duration::hours(2),
        resolution: Duration::hours(8),
    }
}

fn key(id: &str) -> String {
    InboxItem::key_of("acme", "sandbox", id)
}

struct Rig {
    clock: Arc<ManualClock>,
    inbox: Inbox,
    rx: broadcast::Receiver<InboxEvent>,
}

fn rig(store: Arc<dyn InboxStore>, start: DateTime<Utc>, policy: SlaPolicy) -> Rig {
    let clock = Arc::new(ManualClock::new(start));
    let inbox = Inbox::new(store, clock.clone()).with_sla(policy);
    let rx = inbox.subscribe();
    Rig { clock, inbox, rx }
}

fn config() -> SlaTimerConfig {
    SlaTimerConfig::default().max_sleep(StdDuration::from_secs(3600))
}

/// The next SLA event (ingestion events are skipped); a guard keeps a broken loop from
/// hanging the test.
async fn next_sla(rx: &mut broadcast::Receiver<InboxEvent>) -> InboxEvent {
    let wait = async {
        loop {
            match rx.recv().await.unwrap() {
                InboxEvent::Ingested { .. } => continue,
                e => return e,
            }
        }
    };
    tokio::time::timeout(StdDuration::from_secs(30), wait)
        .await
        .expect("an SLA event")
}

async fn next_breach(rx: &mut broadcast::Receiver<InboxEvent>) -> SlaBreach {
    match next_sla(rx).await {
        InboxEvent::SlaBreached(b) => b,
        other => panic!("expected a breach, got {other:?}"),
    }
}

async fn next_warning(rx: &mut broadcast::Receiver<InboxEvent>) -> SlaWarning {
    match next_sla(rx).await {
        InboxEvent::SlaAtRisk(w) => w,
        other => panic!("expected a warning, got {other:?}"),
    }
}

/// Where the loop raises the first breach of one item written at `opened`, under `policy`.
async fn first_breach_at(policy: SlaPolicy, opened: DateTime<Utc>) -> DateTime<Utc> {
    let mut r = rig(Arc::new(MemoryInboxStore::default()), opened, policy);
    r.inbox
        .ingest("acme", vec![mention("1", "any news?", opened)])
        .await
        .unwrap();
    let timer = r.inbox.spawn_sla_timer(config());
    let b = next_breach(&mut r.rx).await;
    timer.shutdown().await.unwrap();
    assert_eq!(b.kind, SlaKind::FirstResponse);
    assert_eq!(b.detected_at, b.due);
    b.detected_at
}

#[tokio::test]
async fn a_breach_fires_exactly_at_its_due_instant_not_before() {
    // Monday 2026-03-02 09:30 Berlin (08:30Z): first response due 11:30 Berlin (10:30Z),
    // resolution due 8 business hours later: Tuesday 09:30 Berlin (08:30Z).
    let opened = t("2026-03-02T08:30:00Z");
    let mut r = rig(
        Arc::new(MemoryInboxStore::default()),
        opened,
        berlin_policy(),
    );
    r.inbox
        .ingest("acme", vec![mention("1", "where is my order?", opened)])
        .await
        .unwrap();
    let item = r.inbox.item(&key("1")).await.unwrap();
    let due = t("2026-03-02T10:30:00Z");
    // The check itself: nothing a nanosecond before, the breach at the instant.
    let policy = berlin_policy();
    assert!(
        policy
            .breaches(&item, due - Duration::nanoseconds(1))
            .is_empty()
    );
    assert_eq!(policy.breaches(&item, due)[0].kind, SlaKind::FirstResponse);

    let timer = r.inbox.spawn_sla_timer(config());
    let b = next_breach(&mut r.rx).await;
    assert_eq!(
        (b.item.as_str(), b.kind, b.due, b.detected_at),
        (key("1").as_str(), SlaKind::FirstResponse, due, due)
    );
    assert_eq!(b.elapsed, Duration::hours(2));
    let b = next_breach(&mut r.rx).await;
    assert_eq!(b.kind, SlaKind::Resolution);
    assert_eq!(b.detected_at, t("2026-03-03T08:30:00Z"));
    // The loop woke exactly at both due instants (its sleeps end there).
    let mut at = opened;
    let mut woke = Vec::new();
    for s in r.clock.sleeps() {
        at += Duration::from_std(s).unwrap();
        woke.push(at);
    }
    assert!(woke.contains(&due), "{woke:?}");
    assert!(woke.contains(&t("2026-03-03T08:30:00Z")), "{woke:?}");
    timer.shutdown().await.unwrap();
    let stored = r.inbox.item(&key("1")).await.unwrap();
    assert_eq!(
        stored.breaches,
        [SlaKind::FirstResponse, SlaKind::Resolution]
    );
}

#[tokio::test]
async fn a_breach_after_a_weekend_and_after_holidays() {
    // Friday 2026-03-06 16:00 Berlin (15:00Z): one business hour on Friday, one on Monday,
    // so Monday 10:00 Berlin.
    assert_eq!(
        first_breach_at(berlin_policy(), t("2026-03-06T15:00:00Z")).await,
        t("2026-03-09T09:00:00Z")
    );
    // Thursday 2026-04-02 16:00 CEST (14:00Z) before Easter: Good Friday and Easter Monday
    // closed, so the second hour is on Tuesday: 10:00 CEST (08:00Z).
    let mut policy = berlin_policy();
    policy.hours = policy.hours.with_holidays([
        NaiveDate::from_ymd_opt(2026, 4, 3).unwrap(),
        NaiveDate::from_ymd_opt(2026, 4, 6).unwrap(),
    ]);
    assert_eq!(
        first_breach_at(policy, t("2026-04-02T14:00:00Z")).await,
        t("2026-04-07T08:00:00Z")
    );
}

#[tokio::test]
async fn a_breach_across_dst_in_berlin() {
    // Clocks go forward on Sunday 2026-03-29: Friday 16:00 CET is 15:00Z, Monday 10:00 CEST
    // is 08:00Z (a fixed +01:00 would say 09:00Z).
    assert_eq!(
        first_breach_at(berlin_policy(), t("2026-03-27T15:00:00Z")).await,
        t("2026-03-30T08:00:00Z")
    );
    // And back on Sunday 2026-10-25: Friday 16:00 CEST = 14:00Z, Monday 10:00 CET = 09:00Z.
    assert_eq!(
        first_breach_at(berlin_policy(), t("2026-10-23T14:00:00Z")).await,
        t("2026-10-26T09:00:00Z")
    );
    // Friday 15:00 Berlin: the two hours run out at Friday's close, the clock moves past them
    // when Monday opens (09:00 Berlin), not at Friday 17:00.
    assert_eq!(
        first_breach_at(berlin_policy(), t("2026-03-06T14:00:00Z")).await,
        t("2026-03-09T08:00:00Z")
    );
}

#[tokio::test]
async fn no_breach_for_items_answered_or_resolved_in_time() {
    let opened = t("2026-03-02T08:00:00Z"); // Monday 09:00 Berlin
    let mut r = rig(
        Arc::new(MemoryInboxStore::default()),
        opened,
        berlin_policy(),
    );
    r.inbox
        .ingest(
            "acme",
            vec![
                mention("answered", "where is my order?", opened),
                mention("resolved", "do you ship to Austria?", opened),
                mention("late", "hello?", opened + Duration::hours(3)),
            ],
        )
        .await
        .unwrap();
    // Answered after 1 h (first response due after 2 h).
    let mut a = r.inbox.item(&key("answered")).await.unwrap();
    a.first_response_at = Some(opened + Duration::hours(1));
    a.state = ItemState::Pending;
    r.inbox.store.put(&a, &r.inbox.sla).await.unwrap();
    // Resolved without a reply after 90 minutes: both clocks stop.
    let mut s = r.inbox.item(&key("resolved")).await.unwrap();
    s.resolved_at = Some(opened + Duration::minutes(90));
    s.state = ItemState::Resolved;
    r.inbox.store.put(&s, &r.inbox.sla).await.unwrap();
    let timer = r.inbox.spawn_sla_timer(config());
    // The first breach is that of "late" (12:00 Berlin + 2 h = 14:00 Berlin, 13:00Z): by then
    // the due instants of the others (11:00 Berlin) have passed without an event.
    let b = next_breach(&mut r.rx).await;
    assert_eq!((b.item, b.kind), (key("late"), SlaKind::FirstResponse));
    assert_eq!(b.detected_at, t("2026-03-02T13:00:00Z"));
    // Next: the resolution of "answered" (8 business hours: Tuesday 09:00 Berlin).
    let b = next_breach(&mut r.rx).await;
    assert_eq!((b.item, b.kind), (key("answered"), SlaKind::Resolution));
    assert_eq!(b.detected_at, t("2026-03-03T08:00:00Z"));
    timer.shutdown().await.unwrap();
    assert!(
        r.inbox
            .item(&key("resolved"))
            .await
            .unwrap()
            .breaches
            .is_empty()
    );
    assert!(r.clock.now() < t("2026-03-04T00:00:00Z"));
}

#[tokio::test]
async fn each_breach_is_raised_once_and_the_loop_wakes_for_new_items() {
    let opened = t("2026-03-02T08:00:00Z");
    let mut r = rig(
        Arc::new(MemoryInboxStore::default()),
        opened,
        berlin_policy(),
    );
    // Idle first: no items, the loop waits for a change without moving the clock.
    let timer = r.inbox.spawn_sla_timer(config());
    tokio::task::yield_now().await;
    assert_eq!(r.clock.now(), opened);
    r.inbox
        .ingest("acme", vec![mention("x", "refund please", opened)])
        .await
        .unwrap();
    let b = next_breach(&mut r.rx).await;
    assert_eq!((b.item, b.kind), (key("x"), SlaKind::FirstResponse));
    let b = next_breach(&mut r.rx).await;
    assert_eq!((b.item, b.kind), (key("x"), SlaKind::Resolution));
    // A new item wakes the loop; its breaches come, "x"'s do not come again.
    let now = r.clock.now();
    r.inbox
        .ingest("acme", vec![mention("y", "still waiting", now)])
        .await
        .unwrap();
    for kind in [SlaKind::FirstResponse, SlaKind::Resolution] {
        let b = next_breach(&mut r.rx).await;
        assert_eq!((b.item, b.kind), (key("y"), kind));
    }
    // Touching "x" (a change) makes another pass: still nothing for it.
    r.inbox.assign(&key("x"), "ann").await.unwrap();
    r.inbox
        .ingest(
            "acme",
            vec![mention("z", "hello", r.clock.now() + Duration::days(1))],
        )
        .await
        .unwrap();
    let b = next_breach(&mut r.rx).await;
    assert_eq!(b.item, key("z"));
    assert!(r.inbox.check_sla().await.unwrap().is_empty(), "raised once");
    timer.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_at_risk_warning_comes_before_the_breach_once() {
    let opened = t("2026-03-02T08:00:00Z"); // Monday 09:00 Berlin
    let mut r = rig(
        Arc::new(MemoryInboxStore::default()),
        opened,
        berlin_policy(),
    );
    r.inbox
        .ingest("acme", vec![mention("1", "where is my order?", opened)])
        .await
        .unwrap();
    let timer = r
        .inbox
        .spawn_sla_timer(config().warn_before(Duration::minutes(30)));
    let w = next_warning(&mut r.rx).await;
    assert_eq!(w.kind, SlaKind::FirstResponse);
    assert_eq!(w.detected_at, t("2026-03-02T09:30:00Z")); // 10:30 Berlin
    assert_eq!(w.due, t("2026-03-02T10:00:00Z"));
    assert_eq!(w.remaining, Duration::minutes(30));
    let b = next_breach(&mut r.rx).await;
    assert_eq!((b.kind, b.detected_at), (SlaKind::FirstResponse, w.due));
    // Resolution: warned 30 business minutes before Tuesday 09:00 Berlin, i.e. Monday 16:30.
    let w = next_warning(&mut r.rx).await;
    assert_eq!(
        (w.kind, w.detected_at),
        (SlaKind::Resolution, t("2026-03-02T15:30:00Z"))
    );
    let b = next_breach(&mut r.rx).await;
    assert_eq!(b.kind, SlaKind::Resolution);
    timer.shutdown().await.unwrap();
    let item = r.inbox.item(&key("1")).await.unwrap();
    assert_eq!(item.warnings, [SlaKind::FirstResponse, SlaKind::Resolution]);
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn breaches_raised_before_a_restart_are_not_raised_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inbox.db");
    let opened = t("2026-03-02T08:00:00Z");
    let clock;
    {
        let mut r = rig(
            Arc::new(SqliteInboxStore::open(&path).unwrap()),
            opened,
            berlin_policy(),
        );
        r.inbox
            .ingest("acme", vec![mention("a", "order late", opened)])
            .await
            .unwrap();
        let timer = r.inbox.spawn_sla_timer(config());
        next_breach(&mut r.rx).await;
        next_breach(&mut r.rx).await;
        timer.shutdown().await.unwrap();
        clock = r.clock.now();
    }
    // While no loop runs, "c" misses its first response.
    let store = Arc::new(SqliteInboxStore::open(&path).unwrap());
    let mut r = rig(store, clock, berlin_policy());
    r.inbox
        .ingest("acme", vec![mention("c", "hello?", clock)])
        .await
        .unwrap();
    r.clock.advance(Duration::days(1));
    let restart = r.clock.now();
    let timer = r.inbox.spawn_sla_timer(config());
    // On start "c" is caught up (detected now, due earlier); "a" is not raised again.
    let b = next_breach(&mut r.rx).await;
    assert_eq!(
        (b.item.as_str(), b.kind),
        (key("c").as_str(), SlaKind::FirstResponse)
    );
    assert_eq!(b.detected_at, restart);
    assert!(b.due < restart);
    let now = r.clock.now();
    r.inbox
        .ingest("acme", vec![mention("b", "refund?", now)])
        .await
        .unwrap();
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let b = next_breach(&mut r.rx).await;
        seen.push((b.item, b.kind));
    }
    timer.shutdown().await.unwrap();
    assert!(seen.iter().all(|(item, _)| *item != key("a")), "{seen:?}");
    assert!(seen.contains(&(key("c"), SlaKind::Resolution)));
    assert!(seen.contains(&(key("b"), SlaKind::FirstResponse)));
    assert!(r.rx.try_recv().is_err());
    assert_eq!(
        r.inbox.item(&key("a")).await.unwrap().breaches,
        [SlaKind::FirstResponse, SlaKind::Resolution]
    );
}

#[tokio::test]
async fn a_reopened_item_is_watched_again_and_shutdown_is_prompt() {
    let opened = t("2026-03-02T08:00:00Z");
    let mut r = rig(
        Arc::new(MemoryInboxStore::default()),
        opened,
        berlin_policy(),
    );
    r.inbox
        .ingest("acme", vec![mention("1", "hi, a question?", opened)])
        .await
        .unwrap();
    let mut item = r.inbox.item(&key("1")).await.unwrap();
    item.first_response_at = Some(opened + Duration::minutes(10));
    r.inbox.store.put(&item, &r.inbox.sla).await.unwrap();
    r.inbox
        .set_state(&key("1"), ItemState::Resolved)
        .await
        .unwrap();
    let timer = r.inbox.spawn_sla_timer(config());
    tokio::task::yield_now().await;
    assert_eq!(r.clock.now(), opened, "nothing runs: the loop waits");
    // Reopened two business days later: the resolution clock ran on, the breach is due.
    r.clock.advance(Duration::days(2));
    r.inbox
        .set_state(&key("1"), ItemState::Pending)
        .await
        .unwrap();
    let b = next_breach(&mut r.rx).await;
    assert_eq!(b.kind, SlaKind::Resolution);
    assert_eq!(b.due, t("2026-03-03T08:00:00Z"));
    timer.shutdown().await.unwrap();
}
