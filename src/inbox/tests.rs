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

/// An engine on the world's clock with workspace `acme` (owner `olga`) and `chans` connected
/// under their handles; `members` join as editors.
async fn engine_on(
    store: Arc<dyn crate::store::Store>,
    world: &SandboxWorld,
    chans: &[Arc<Sandbox>],
    members: &[&str],
    hooks: Option<Arc<dyn crate::engine::Hooks>>,
) -> (Engine, WorkspaceId) {
    let mut b = Engine::builder(store).clock(world.clock());
    if let Some(h) = hooks {
        b = b.hooks(h);
    }
    let engine = b.build();
    let ws = match engine.create_workspace("acme", "ACME", "olga").await {
        Ok(ws) => ws,
        Err(_) => WorkspaceId::new("acme"),
    };
    for c in chans {
        engine
            .connect(
                &ws,
                "olga",
                crate::store::ChannelRecord::new(c.handle(), "sandbox"),
                c.clone(),
            )
            .await
            .unwrap();
    }
    for m in members {
        engine
            .add_member(&ws, "olga", m, crate::store::Role::Editor)
            .await
            .unwrap();
    }
    (engine, ws)
}

/// Replies through the inbox, lets the worker send it, records it.
async fn reply_now(inbox: &Inbox, engine: &Engine, key: &str, who: &str, text: &str) -> Published {
    inbox.reply(key, who, text).await.unwrap();
    engine.run_once().await.unwrap();
    inbox.record_replies().await.unwrap();
    inbox.item(key).await.unwrap().reply.unwrap()
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

    let items = inbox.everything().await;
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
    assert_eq!(
        store
            .commit_page("acme", &items, None, &inbox.sla)
            .await
            .unwrap(),
        0
    );
    assert_eq!(inbox.sync().await.unwrap().new, 0);
    assert_eq!(inbox.everything().await.len(), 3);
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
    let items = inbox.everything().await;
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
    let chans = std::slice::from_ref(&acme);
    let (engine, ws) = engine_on(
        Arc::new(crate::store::MemoryStore::new()),
        &world,
        chans,
        &["cem"],
        None,
    )
    .await;
    let mut inbox = inbox_on(Arc::new(MemoryInboxStore::default()), &world, chans)
        .with_engine(engine.clone(), ws.clone());
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
        .everything()
        .await
        .into_iter()
        .find(|i| i.interaction.text.as_deref() == Some("where is order 42?"))
        .unwrap()
        .key;
    assert_eq!(inbox.item(&key).await.unwrap().state, ItemState::New);
    assert_eq!(inbox.item(&key).await.unwrap().post.as_ref(), Some(&post));
    world.advance(Duration::minutes(30)).unwrap();
    let vars = BTreeMap::from([("order".to_string(), "42".to_string())]);
    let first = inbox
        .reply_saved(&key, "cem", "order", &vars)
        .await
        .unwrap();
    let ReplyStatus::Queued { delivery, state } = first.clone() else {
        panic!("queued in the outbox first: {first:?}");
    };
    assert_eq!(state, crate::store::DeliveryState::Scheduled);
    assert_eq!(delivery, reply_delivery_id(&key, 0));
    let item = inbox.item(&key).await.unwrap();
    assert_eq!(item.reply_delivery.as_ref(), Some(&delivery));
    assert_eq!(item.state, ItemState::Pending);
    assert!(
        item.reply.is_none() && item.first_response_at.is_none(),
        "not out yet"
    );
    // A second reply while the first is queued queues nothing.
    let second = inbox.reply(&key, "cem", "something else").await.unwrap();
    assert_eq!(second, first);
    assert_eq!(engine.run_once().await.unwrap().published, 1);
    let updated = inbox.record_replies().await.unwrap();
    assert_eq!(updated.len(), 1);
    let sent = updated[0].reply.clone().unwrap();
    let on_platform = acme.inspect(&sent.post).unwrap();
    assert_eq!(on_platform.text, "Hi ann, order 42 ships today. – cem");
    let d = engine.delivery(&ws, &delivery).await.unwrap();
    assert_eq!(
        on_platform.idempotency_key.as_deref(),
        Some(d.idempotency_key().as_str()),
        "sent by the outbox with its key"
    );
    // And after it went out, a third call reports it.
    let third = inbox.reply(&key, "cem", "again").await.unwrap();
    assert_eq!(third.published(), Some(&sent));
    assert_eq!(engine.run_once().await.unwrap().claimed, 0);
    // One post on the platform besides the original: the reply.
    assert_eq!(acme.recent_posts(50).await.unwrap().len(), 2);

    let item = inbox.item(&key).await.unwrap();
    assert_eq!(item.assignee.as_deref(), Some("cem"));
    assert_eq!(item.first_response_at, Some(sent.published_at));
    let item = inbox.set_state(&key, ItemState::Resolved).await.unwrap();
    assert!(item.resolved_at.is_some());
    assert!(inbox.set_state(&key, ItemState::New).await.is_err());
    inbox.assign(&key, "dora").await.unwrap();
    assert_eq!(
        inbox.item(&key).await.unwrap().assignee.as_deref(),
        Some("dora")
    );
}

#[tokio::test]
async fn without_an_engine_a_reply_is_refused_and_nothing_is_sent() {
    let world = SandboxWorld::simulated(start());
    let acme = world.channel("acme", SandboxConfig::default()).unwrap();
    let inbox = inbox_on(
        Arc::new(MemoryInboxStore::default()),
        &world,
        std::slice::from_ref(&acme),
    );
    acme.receive(IncomingInteraction::new(InteractionKind::Mention).text("hello?"))
        .unwrap();
    inbox.sync().await.unwrap();
    let key = inbox.everything().await[0].key.clone();
    let err = inbox.reply(&key, "cem", "hi").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    assert_eq!(
        acme.faults().calls(crate::adapters::sandbox::Call::Reply),
        0
    );
}

#[tokio::test]
async fn a_failed_reply_may_be_sent_again_but_one_in_doubt_may_not() {
    use crate::adapters::sandbox::{Call, Fault, Trigger};
    let world = SandboxWorld::simulated(start());
    let acme = world
        .channel("acme", SandboxConfig::default().with_followers(0))
        .unwrap();
    let chans = std::slice::from_ref(&acme);
    let (engine, ws) = engine_on(
        Arc::new(crate::store::MemoryStore::new()),
        &world,
        chans,
        &[],
        None,
    )
    .await;
    let inbox = inbox_on(Arc::new(MemoryInboxStore::default()), &world, chans)
        .with_engine(engine.clone(), ws.clone());
    acme.receive(IncomingInteraction::new(InteractionKind::Mention).text("refund?"))
        .unwrap();
    inbox.sync().await.unwrap();
    let key = inbox.everything().await[0].key.clone();
    // Refused by the platform: a definite "not sent".
    acme.faults().inject(
        Fault::Rejected {
            reason: "spam".into(),
        },
        Trigger::next(Call::Reply, 1),
    );
    inbox.reply(&key, "olga", "Buy now!!").await.unwrap();
    engine.run_once().await.unwrap();
    let failed = inbox.reply_status(&key).await.unwrap().unwrap();
    assert!(
        matches!(&failed, ReplyStatus::Failed { in_doubt: false, error, .. } if error.kind == ErrorKind::ContentRejected),
        "{failed:?}"
    );
    let again = inbox
        .reply(&key, "olga", "Refund is on its way")
        .await
        .unwrap();
    assert_eq!(again.delivery(), &reply_delivery_id(&key, 1), "a new reply");
    assert_eq!(inbox.item(&key).await.unwrap().reply_generation, 1);
    engine.run_once().await.unwrap();
    assert!(
        inbox
            .reply_status(&key)
            .await
            .unwrap()
            .unwrap()
            .published()
            .is_some()
    );
    assert_eq!(acme.faults().calls(Call::Reply), 2);
}

/// The sandbox seen as X, LinkedIn or Meta replies are today: no idempotency key, replies
/// not listed with their target.
#[derive(Debug)]
struct Blind(Arc<Sandbox>, crate::platform::Capabilities);

#[async_trait::async_trait]
impl Platform for Blind {
    fn capabilities(&self) -> &crate::platform::Capabilities {
        &self.1
    }
    async fn channel(&self) -> Result<crate::model::Channel> {
        self.0.channel().await
    }
    async fn publish(&self, post: &Post, _: &crate::model::PublishOptions) -> Result<Published> {
        self.0
            .publish(post, &crate::model::PublishOptions::default())
            .await
    }
    async fn reply(
        &self,
        to: &crate::model::InteractionRef,
        post: &Post,
        _: &crate::model::PublishOptions,
    ) -> Result<Published> {
        self.0
            .reply(to, post, &crate::model::PublishOptions::default())
            .await
    }
}

#[tokio::test]
async fn a_reply_in_doubt_is_not_sent_again_until_a_person_settles_it() {
    use crate::adapters::sandbox::{Call, Fault, Trigger};
    let world = SandboxWorld::simulated(start());
    let acme = world
        .channel("acme", SandboxConfig::default().with_followers(0))
        .unwrap();
    let mut caps = acme.capabilities().clone();
    caps.idempotency = crate::platform::Idempotency::None;
    caps.recent_posts = false;
    caps.replies_in_recent_posts = false;
    let blind = Arc::new(Blind(acme.clone(), caps));
    let engine = Engine::builder(Arc::new(crate::store::MemoryStore::new()))
        .clock(world.clock())
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    engine
        .connect(
            &ws,
            "olga",
            crate::store::ChannelRecord::new("acme", "x"),
            blind,
        )
        .await
        .unwrap();
    let inbox = inbox_on(
        Arc::new(MemoryInboxStore::default()),
        &world,
        std::slice::from_ref(&acme),
    )
    .with_engine(engine.clone(), ws.clone());
    acme.receive(IncomingInteraction::new(InteractionKind::Mention).text("refund?"))
        .unwrap();
    inbox.sync().await.unwrap();
    let key = inbox.everything().await[0].key.clone();
    // The platform made the reply, but the answer was lost.
    acme.faults()
        .inject(Fault::LostAnswer, Trigger::next(Call::Reply, 1));
    inbox.reply(&key, "olga", "Refunded").await.unwrap();
    for _ in 0..3 {
        engine.run_once().await.unwrap();
        world.advance(Duration::minutes(10)).unwrap();
    }
    let status = inbox.reply(&key, "olga", "Refunded, really").await.unwrap();
    let ReplyStatus::Failed {
        in_doubt: true,
        delivery,
        ..
    } = status
    else {
        panic!("waits for a person: {status:?}");
    };
    assert_eq!(delivery, reply_delivery_id(&key, 0), "no new reply queued");
    engine.run_once().await.unwrap();
    assert_eq!(acme.faults().calls(Call::Reply), 1, "never re-sent blindly");
    // A person finds the reply on the channel and settles it.
    let out = acme.recent_posts(1).await.unwrap().remove(0);
    engine
        .settle(
            &ws,
            "olga",
            &delivery,
            Some(Published::single(out.post, out.created_at)),
            "seen",
        )
        .await
        .unwrap();
    assert_eq!(inbox.record_replies().await.unwrap().len(), 1);
    assert!(inbox.item(&key).await.unwrap().reply.is_some());
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn a_crash_and_restart_on_sqlite_leaves_exactly_one_reply() {
    use crate::engine::{AfterPublish, Hooks};
    use crate::store::{SqliteStore, Store};

    /// Dies once, after the platform call and before the result is stored.
    #[derive(Debug)]
    struct DieOnce(std::sync::atomic::AtomicBool);
    impl Hooks for DieOnce {
        fn after_publish(&self, _: &crate::store::Delivery, _: &Result<Published>) -> AfterPublish {
            if self.0.swap(false, std::sync::atomic::Ordering::SeqCst) {
                AfterPublish::Crash
            } else {
                AfterPublish::Store
            }
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let (engine_db, inbox_db) = (dir.path().join("engine.db"), dir.path().join("inbox.db"));
    let world = SandboxWorld::simulated(start());
    // A platform without idempotency keys: only the outbox's reconciliation prevents doubles.
    let acme = world
        .channel("acme", SandboxConfig::default().with_followers(0))
        .unwrap();
    let chans = std::slice::from_ref(&acme);
    acme.receive(
        IncomingInteraction::new(InteractionKind::Mention)
            .by("kim")
            .text("refund?"),
    )
    .unwrap();
    let open = |hooks: Option<Arc<dyn Hooks>>| {
        let world = world.clone();
        let (engine_db, inbox_db) = (engine_db.clone(), inbox_db.clone());
        async move {
            let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&engine_db).unwrap());
            let (engine, ws) = engine_on(store, &world, chans, &["cem"], hooks).await;
            let istore = Arc::new(SqliteInboxStore::open(&inbox_db).unwrap());
            let inbox = inbox_on(istore, &world, chans).with_engine(engine.clone(), ws);
            (engine, inbox)
        }
    };
    let key = {
        let (engine, inbox) = open(Some(Arc::new(DieOnce(true.into())))).await;
        inbox.sync().await.unwrap();
        let key = inbox.everything().await[0].key.clone();
        inbox.reply(&key, "cem", "Refunded").await.unwrap();
        assert_eq!(
            engine.run_once().await.unwrap().abandoned,
            1,
            "died after the call"
        );
        key
        // Both processes are gone.
    };
    assert_eq!(
        acme.faults().calls(crate::adapters::sandbox::Call::Reply),
        1
    );
    world.advance(Duration::seconds(5)).unwrap();
    let (engine, inbox) = open(None).await;
    let item = inbox.item(&key).await.unwrap();
    assert_eq!(item.reply_delivery, Some(reply_delivery_id(&key, 0)));
    // The agent, unsure, clicks reply again: nothing new is queued.
    let again = inbox.reply(&key, "cem", "Refunded").await.unwrap();
    assert!(
        matches!(
            again,
            ReplyStatus::Queued {
                state: crate::store::DeliveryState::Publishing,
                ..
            }
        ),
        "{again:?}"
    );
    engine.recover().await.unwrap();
    let r = engine.run_once().await.unwrap();
    assert_eq!((r.published, r.reconciled), (1, 1), "found, not sent again");
    let updated = inbox.record_replies().await.unwrap();
    assert_eq!(updated.len(), 1);
    assert_eq!(
        acme.faults().calls(crate::adapters::sandbox::Call::Reply),
        1
    );
    let replies = acme
        .recent_posts(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.in_reply_to.is_some())
        .count();
    assert_eq!(replies, 1, "exactly one reply");
    assert!(inbox.item(&key).await.unwrap().first_response_at.is_some());
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn a_crash_between_queueing_and_recording_queues_no_second_reply() {
    let world = SandboxWorld::simulated(start());
    let acme = world
        .channel("acme", SandboxConfig::default().with_followers(0))
        .unwrap();
    let chans = std::slice::from_ref(&acme);
    let (engine, ws) = engine_on(
        Arc::new(crate::store::SqliteStore::in_memory().unwrap()),
        &world,
        chans,
        &[],
        None,
    )
    .await;
    let inbox = inbox_on(Arc::new(MemoryInboxStore::default()), &world, chans)
        .with_engine(engine.clone(), ws.clone());
    acme.receive(IncomingInteraction::new(InteractionKind::Mention).text("hours?"))
        .unwrap();
    inbox.sync().await.unwrap();
    let item = inbox.everything().await.remove(0);
    // The engine stored the reply; the inbox died before it recorded the delivery.
    engine
        .reply_as(
            &ws,
            "olga",
            &ChannelId::new("acme"),
            item.interaction.reference.clone(),
            Post::text("9 to 5"),
            reply_delivery_id(&item.key, 0),
        )
        .await
        .unwrap();
    assert!(
        inbox
            .item(&item.key)
            .await
            .unwrap()
            .reply_delivery
            .is_none()
    );
    let status = inbox.reply(&item.key, "olga", "9 to 5").await.unwrap();
    assert_eq!(status.delivery(), &reply_delivery_id(&item.key, 0));
    assert_eq!(engine.run_once().await.unwrap().published, 1);
    assert_eq!(
        engine
            .replies(&ws, "olga", &item.interaction.reference)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        acme.faults().calls(crate::adapters::sandbox::Call::Reply),
        1
    );
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
    let chans = std::slice::from_ref(&acme);
    let (engine, ws) = engine_on(
        Arc::new(crate::store::MemoryStore::new()),
        &world,
        chans,
        &["ann", "bo"],
        None,
    )
    .await;
    let inbox = inbox_on(Arc::new(MemoryInboxStore::default()), &world, chans)
        .with_sla(policy)
        .with_engine(engine.clone(), ws);
    let mut rx = inbox.subscribe();
    for text in ["order late?", "broken anvil", "where is it?"] {
        acme.receive(IncomingInteraction::new(InteractionKind::Mention).text(text))
            .unwrap();
    }
    inbox.sync().await.unwrap();
    let items = inbox.everything().await;
    assert_eq!(items.len(), 3);
    let keys: Vec<String> = items.into_iter().map(|i| i.key).collect();
    world.advance(Duration::minutes(30)).unwrap();
    reply_now(&inbox, &engine, &keys[0], "ann", "On it").await;
    // Over the weekend the business clock stands still: no breach by Monday 08:00 Berlin.
    world.advance_to(t("2026-03-09T07:00:00Z")).unwrap();
    assert!(inbox.check_sla().await.unwrap().is_empty());
    // Monday 10:00 Berlin: 2 h of business time elapsed for the two unanswered items.
    world.advance_to(t("2026-03-09T09:00:01Z")).unwrap();
    let b = inbox.check_sla().await.unwrap();
    assert_eq!(b.len(), 2);
    assert!(b.iter().all(|b| b.kind == SlaKind::FirstResponse));
    assert!(inbox.check_sla().await.unwrap().is_empty(), "raised once");
    let mut events = 0;
    while let Ok(e) = rx.try_recv() {
        events += usize::from(matches!(e, InboxEvent::SlaBreached(_)));
    }
    assert_eq!(events, 2);
    reply_now(&inbox, &engine, &keys[1], "bo", "Sorry!").await;
    inbox
        .set_state(&keys[0], ItemState::Resolved)
        .await
        .unwrap();
    let r = inbox.report().await.unwrap();
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
