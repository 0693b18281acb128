//! Inbox tests: ingestion over simulated days with a restart, dedupe, classification, replies
//! exactly once, SLA business-hours math.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::sla::{BusinessHours, SlaKind, SlaPolicy};
use super::*;
use crate::PlatformExt;
use crate::adapters::sandbox::{IncomingInteraction, Sandbox, SandboxConfig, SandboxWorld};
use crate::listen::classify::{Action, Condition, Rule};
use crate::listen::query::Query;

fn start() -> DateTime<Utc> {
    "2026-03-02T08:00:00Z".parse().unwrap()
}

async fn everything(p: &Sandbox, query: &InteractionQuery) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut q = query.clone();
    q.cursor = None;
    loop {
        let page = p.interactions(&q).await.unwrap();
        out.extend(page.items.iter().map(|i| i.reference.id.clone()));
        if !page.has_more || page.next_cursor == q.cursor {
            break;
        }
        q.cursor = page.next_cursor;
    }
    out
}

fn inbox_on(store: Arc<dyn InboxStore>, world: &SandboxWorld, chans: &[Arc<Sandbox>]) -> Inbox {
    let mut inbox = Inbox::new(store, world.clock()).with_query(
        InteractionQuery::default()
            .kinds(InteractionKind::ALL.into_iter().filter(|k| k.has_text()))
            .limit(7),
    );
    for c in chans {
        inbox.connect(c.handle().to_string(), c.clone() as Arc<dyn Platform>);
    }
    inbox
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn ingest_over_days_with_a_restart_reads_each_interaction_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inbox.db");
    let world = SandboxWorld::simulated(start());
    let chans: Vec<Arc<Sandbox>> = ["acme", "acme_de", "acme_help"]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            world
                .channel(
                    n,
                    SandboxConfig::default()
                        .with_seed(i as u64 + 3)
                        .with_followers(20_000),
                )
                .unwrap()
        })
        .collect();
    let mut total_new = 0;
    let mut rx;
    {
        let inbox = inbox_on(
            Arc::new(SqliteInboxStore::open(&path).unwrap()),
            &world,
            &chans,
        );
        rx = inbox.subscribe();
        for day in 0..3 {
            for c in &chans {
                c.publish_text(&format!("Day {day}: our anvil news"))
                    .await
                    .unwrap();
            }
            for _ in 0..4 {
                world.advance(Duration::hours(6)).unwrap();
                let r = inbox.sync().await.unwrap();
                assert!(r.failed.is_empty(), "{:?}", r.failed);
                total_new += r.new;
            }
        }
        assert!(matches!(rx.try_recv(), Ok(InboxEvent::Ingested { .. })));
    } // the first inbox goes away: a restart
    world.advance(Duration::hours(5)).unwrap();
    let inbox = inbox_on(
        Arc::new(SqliteInboxStore::open(&path).unwrap()),
        &world,
        &chans,
    );
    for day in 3..5 {
        for c in &chans {
            c.publish_text(&format!("Day {day}: anvil tips?"))
                .await
                .unwrap();
        }
        for _ in 0..4 {
            world.advance(Duration::hours(6)).unwrap();
            let r = inbox.sync().await.unwrap();
            total_new += r.new;
        }
    }
    world.advance(Duration::hours(12)).unwrap();
    total_new += inbox.sync().await.unwrap().new;

    let items = inbox.items().unwrap();
    let query = inbox.query.clone();
    let mut expected = 0;
    for c in &chans {
        let truth = everything(c, &query).await;
        let got: BTreeSet<String> = items
            .iter()
            .filter(|i| i.channel == c.handle())
            .map(|i| i.interaction.reference.id.clone())
            .collect();
        assert_eq!(
            got,
            truth,
            "channel {}: inbox differs from the platform",
            c.handle()
        );
        expected += truth.len();
    }
    assert!(expected > 30, "the audience should be busy: {expected}");
    // Nothing twice: every new item was counted once over all syncs.
    assert_eq!(total_new, expected);
    assert_eq!(items.len(), expected);
    // Classification and threading present.
    assert!(items.iter().all(|i| i.classification.is_some()));
    assert!(items.iter().all(|i| !i.conversation.is_empty()));
    assert!(items.iter().filter(|i| i.post.is_some()).count() > expected / 2);
    let _ = rx.try_recv();
}

#[tokio::test]
async fn a_page_read_again_is_deduplicated() {
    let world = SandboxWorld::simulated(start());
    let acme = world
        .channel("acme", SandboxConfig::default().with_seed(1))
        .unwrap();
    let store: Arc<dyn InboxStore> = Arc::new(MemoryInboxStore::default());
    let inbox = inbox_on(store.clone(), &world, std::slice::from_ref(&acme));
    for t in ["where is my order?", "love it!", "refund please, broken"] {
        acme.receive(IncomingInteraction::new(InteractionKind::Mention).text(t))
            .unwrap();
    }
    let r = inbox.sync().await.unwrap();
    assert_eq!(r.new, 3);
    // Forget the cursor: the same interactions come again and are ignored.
    let page = acme.interactions(&inbox.query).await.unwrap();
    let items: Vec<InboxItem> = page
        .items
        .into_iter()
        .map(|i| inbox.prepare("acme", i, world.now()))
        .collect();
    assert_eq!(store.commit_page("acme", &items, None).unwrap(), 0);
    assert_eq!(inbox.sync().await.unwrap().new, 0);
    assert_eq!(inbox.items().unwrap().len(), 3);
}

#[tokio::test]
async fn classification_and_rules_apply() {
    let world = SandboxWorld::simulated(start());
    let acme = world
        .channel("acme", SandboxConfig::default().with_seed(2))
        .unwrap();
    let rules = vec![Rule {
        name: "refunds".into(),
        when: Condition::Query(Query::parse("refund").unwrap()),
        then: vec![
            Action::Tag("billing".into()),
            Action::Assign("bea".into()),
            Action::RaisePriority,
        ],
    }];
    let inbox = inbox_on(
        Arc::new(MemoryInboxStore::default()),
        &world,
        std::slice::from_ref(&acme),
    )
    .with_classifier(Classifier::new().with_rules(rules));
    acme.receive(
        IncomingInteraction::new(InteractionKind::Mention)
            .text("I want a refund, this is broken and awful"),
    )
    .unwrap();
    acme.receive(
        IncomingInteraction::new(InteractionKind::Mention).text("How do I sharpen the anvil?"),
    )
    .unwrap();
    inbox.sync().await.unwrap();
    let items = inbox.items().unwrap();
    let refund = items
        .iter()
        .find(|i| i.interaction.text.as_deref().unwrap().contains("refund"))
        .unwrap();
    let c = refund.classification.as_ref().unwrap();
    assert_eq!(c.intent, crate::listen::classify::Intent::Complaint);
    assert!(c.sentiment.compound < 0.0);
    assert_eq!(c.tags, vec!["billing".to_string()]);
    assert_eq!(refund.assignee.as_deref(), Some("bea"));
    let q = items
        .iter()
        .find(|i| i.interaction.text.as_deref().unwrap().contains("sharpen"))
        .unwrap();
    assert_eq!(
        q.classification.as_ref().unwrap().intent,
        crate::listen::classify::Intent::Question
    );
    assert!(q.assignee.is_none());
}

#[tokio::test]
async fn a_reply_is_sent_exactly_once_and_states_move() {
    let world = SandboxWorld::simulated(start());
    let acme = world
        .channel("acme", SandboxConfig::default().with_seed(5))
        .unwrap();
    let mut inbox = inbox_on(
        Arc::new(MemoryInboxStore::default()),
        &world,
        std::slice::from_ref(&acme),
    );
    inbox.save_reply(
        "order",
        SavedReply::new("Hi {name}, order {order} ships today. – {agent}"),
    );
    let post = acme.publish_text("New anvils").await.unwrap().post;
    acme.receive(
        IncomingInteraction::new(InteractionKind::Reply)
            .on(post.clone())
            .text("where is order 42?")
            .by("ann"),
    )
    .unwrap();
    inbox.sync().await.unwrap();
    let key = inbox
        .items()
        .unwrap()
        .into_iter()
        .find(|i| i.interaction.text.as_deref() == Some("where is order 42?"))
        .unwrap()
        .key;
    assert_eq!(inbox.item(&key).unwrap().state, ItemState::New);
    assert_eq!(inbox.item(&key).unwrap().post.as_ref(), Some(&post));
    world.advance(Duration::minutes(30)).unwrap();
    let vars = BTreeMap::from([("order".to_string(), "42".to_string())]);
    let first = inbox
        .reply_saved(&key, "cem", "order", &vars)
        .await
        .unwrap();
    let second = inbox.reply(&key, "cem", "something else").await.unwrap();
    assert_eq!(first, second);
    let sent = acme.inspect(&first.post).unwrap();
    assert_eq!(sent.text, "Hi ann, order 42 ships today. – cem");
    assert_eq!(
        sent.idempotency_key.as_deref(),
        Some(reply_key(&key).as_str())
    );
    // One post on the platform besides the original: the reply.
    let posts = acme.recent_posts(50).await.unwrap();
    assert_eq!(posts.len(), 2, "{posts:?}");
    // Even a fresh inbox over a store that lost the reply does not post again (the key).
    let mut item = inbox.item(&key).unwrap();
    item.reply = None;
    inbox.store.put(&item).unwrap();
    let third = inbox.reply(&key, "cem", "again").await.unwrap();
    assert_eq!(third.post, first.post);
    assert_eq!(acme.recent_posts(50).await.unwrap().len(), 2);

    let item = inbox.item(&key).unwrap();
    assert_eq!(item.state, ItemState::Pending);
    assert_eq!(item.assignee.as_deref(), Some("cem"));
    assert!(item.first_response_at.is_some());
    let item = inbox.set_state(&key, ItemState::Resolved).unwrap();
    assert!(item.resolved_at.is_some());
    assert!(inbox.set_state(&key, ItemState::New).is_err());
    inbox.assign(&key, "dora").unwrap();
    assert_eq!(inbox.item(&key).unwrap().assignee.as_deref(), Some("dora"));
}

fn berlin() -> BusinessHours {
    BusinessHours::weekdays("Europe/Berlin".parse().unwrap(), 9, 17)
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn business_hours_skip_the_weekend() {
    // Fri 2026-03-06 16:30 CET (15:30Z) to Mon 2026-03-09 09:45 CET (08:45Z): 30 + 45 min.
    let d = berlin().between(t("2026-03-06T15:30:00Z"), t("2026-03-09T08:45:00Z"));
    assert_eq!(d.num_minutes(), 75);
    // Entirely on a Saturday: nothing.
    assert_eq!(
        berlin().between(t("2026-03-07T08:00:00Z"), t("2026-03-07T18:00:00Z")),
        Duration::zero()
    );
}

#[test]
fn business_hours_skip_holidays() {
    // Good Friday 2026-04-03 and Easter Monday 2026-04-06 are holidays in Berlin.
    let hours = berlin().with_holidays([
        NaiveDate::from_ymd_opt(2026, 4, 3).unwrap(),
        NaiveDate::from_ymd_opt(2026, 4, 6).unwrap(),
    ]);
    // Thu 2026-04-02 16:00 CEST (14:00Z) to Tue 2026-04-07 10:00 CEST (08:00Z): 1 h + 1 h.
    let d = hours.between(t("2026-04-02T14:00:00Z"), t("2026-04-07T08:00:00Z"));
    assert_eq!(d.num_minutes(), 120);
    // Without the holidays there would be two more full days.
    let d = berlin().between(t("2026-04-02T14:00:00Z"), t("2026-04-07T08:00:00Z"));
    assert_eq!(d.num_hours(), 2 + 16);
}

#[test]
fn business_hours_follow_dst() {
    // Clocks go forward in Berlin on Sun 2026-03-29. Fri 2026-03-27 16:00 CET is 15:00Z;
    // Mon 2026-03-30 10:00 CEST is 08:00Z: 1 h + 1 h. A fixed +1 offset would see 09:00 on
    // Monday and count 1 h only.
    let d = berlin().between(t("2026-03-27T15:00:00Z"), t("2026-03-30T08:00:00Z"));
    assert_eq!(d.num_minutes(), 120);
    // Back in autumn (Sun 2026-10-25): Fri 16:00 CEST = 14:00Z, Mon 10:00 CET = 09:00Z.
    let d = berlin().between(t("2026-10-23T14:00:00Z"), t("2026-10-26T09:00:00Z"));
    assert_eq!(d.num_minutes(), 120);
    // A 24-hour desk over the spring-forward Sunday counts 23 hours that day.
    let mut all = berlin();
    let day = Some((
        chrono::NaiveTime::MIN,
        chrono::NaiveTime::from_hms_opt(23, 59, 59).unwrap(),
    ));
    all.week = [day; 7];
    let d = all.between(t("2026-03-28T23:00:00Z"), t("2026-03-29T21:59:59Z"));
    assert_eq!(d.num_seconds(), 23 * 3600 - 1);
}

#[tokio::test]
async fn sla_breaches_raise_events_once_and_reports_give_percentiles() {
    let world = SandboxWorld::simulated(t("2026-03-06T14:00:00Z")); // Fri 15:00 Berlin
    let acme = world
        .channel("acme", SandboxConfig::default().with_seed(9))
        .unwrap();
    let policy = SlaPolicy {
        hours: berlin(),
        first_response: Duration::hours(2),
        resolution: Duration::hours(8),
    };
    let inbox = inbox_on(
        Arc::new(MemoryInboxStore::default()),
        &world,
        std::slice::from_ref(&acme),
    )
    .with_sla(policy);
    let mut rx = inbox.subscribe();
    for text in ["order late?", "broken anvil", "where is it?"] {
        acme.receive(IncomingInteraction::new(InteractionKind::Mention).text(text))
            .unwrap();
    }
    inbox.sync().await.unwrap();
    let items = inbox.items().unwrap();
    assert_eq!(items.len(), 3);
    let keys: Vec<String> = items.into_iter().map(|i| i.key).collect();
    world.advance(Duration::minutes(30)).unwrap();
    inbox.reply(&keys[0], "ann", "On it").await.unwrap();
    // Over the weekend the business clock stands still: no breach by Monday 08:00 Berlin.
    world.advance_to(t("2026-03-09T07:00:00Z")).unwrap();
    assert!(inbox.check_sla().unwrap().is_empty());
    // Monday 10:00 Berlin: 2 h of business time elapsed for the two unanswered items.
    world.advance_to(t("2026-03-09T09:00:01Z")).unwrap();
    let b = inbox.check_sla().unwrap();
    assert_eq!(b.len(), 2);
    assert!(b.iter().all(|b| b.kind == SlaKind::FirstResponse));
    assert!(inbox.check_sla().unwrap().is_empty(), "raised once");
    let mut events = 0;
    while let Ok(e) = rx.try_recv() {
        events += usize::from(matches!(e, InboxEvent::SlaBreached(_)));
    }
    assert_eq!(events, 2);
    inbox.reply(&keys[1], "bo", "Sorry!").await.unwrap();
    inbox.set_state(&keys[0], ItemState::Resolved).unwrap();
    let r = inbox.report().unwrap();
    let ch = &r.channels["acme"];
    let fr = ch.first_response.as_ref().unwrap();
    assert_eq!(fr.count, 2);
    assert_eq!(fr.median, Duration::minutes(30));
    assert_eq!(fr.p90, Duration::seconds(3 * 3600 + 1));
    assert_eq!(
        r.members["ann"].resolution.as_ref().unwrap().median,
        Duration::seconds(3 * 3600 + 1)
    );
    assert_eq!(r.members["bo"].first_response.as_ref().unwrap().count, 1);
}
