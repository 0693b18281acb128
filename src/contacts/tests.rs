//! Contact layer tests on the memory stores: merge/split keep history, suggestions and
//! rules, retention signals against control histories with a manual clock, segments,
//! retention policies.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::clock::ManualClock;
use crate::inbox::{Inbox, MemoryInboxStore};
use crate::listen::classify::Intent;
use crate::model::{Author, Interaction, InteractionKind, InteractionRef};

fn t0() -> DateTime<Utc> {
    "2026-05-04T09:00:00Z".parse().unwrap()
}

fn contacts_on(store: Arc<dyn ContactStore>, at: DateTime<Utc>) -> (Contacts, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(at));
    (Contacts::new(store, clock.clone()), clock)
}

/// Runs store-generic test `$body` (an `async fn(Arc<dyn ContactStore>)`) on the memory
/// store, with feature `sqlite` on SQLite, and with feature `postgres` on PostgreSQL (a
/// database of its own per test; skipped without `SOCIALKIT_POSTGRES_URL`, never under
/// `CI=true`).
macro_rules! on_every_store {
    ($name:ident, $body:ident) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn memory() {
                $body(Arc::new(MemoryContactStore::default())).await;
            }
            #[cfg(feature = "sqlite")]
            #[tokio::test]
            async fn sqlite() {
                $body(Arc::new(SqliteContactStore::open_in_memory().unwrap())).await;
            }
            #[cfg(feature = "postgres")]
            #[tokio::test]
            async fn postgres() {
                use crate::store::postgres::scratch::ScratchDb;
                let Some(db) = ScratchDb::create(stringify!($name)).await.unwrap() else {
                    return;
                };
                let store = crate::store::PgStore::connect_with(db.url(), 2)
                    .await
                    .unwrap();
                $body(Arc::new(
                    PgContactStore::new(&store.handle(), &"acme".into())
                        .await
                        .unwrap(),
                ))
                .await;
                drop(store);
                db.drop_now().await.unwrap();
            }
        }
    };
}

on_every_store!(
    merge_and_split,
    merge_and_split_keep_history_and_are_audited
);
on_every_store!(
    suggestions,
    suggestions_need_evidence_and_merge_only_when_a_rule_says_so
);
on_every_store!(
    signals,
    retention_rules_fire_on_seeded_histories_and_not_on_controls
);
on_every_store!(segments, segments_filter_and_export_as_csv);

/// One touch by `who` on `platform` at `at`.
fn touch(platform: &str, who: &str, key: &str, at: DateTime<Utc>) -> (Identity, Touch) {
    let k = IdentityKey::new(platform, format!("id-{who}"));
    let mut i = Identity::new(k.clone(), who, ContactId::from(""), at);
    i.display_name = Some(format!("{who} display"));
    (
        i,
        Touch::new(
            key,
            k,
            format!("acme-{platform}"),
            InteractionKind::Mention,
            at,
        ),
    )
}

fn with(mut t: (Identity, Touch), f: impl FnOnce(&mut Touch)) -> (Identity, Touch) {
    f(&mut t.1);
    t
}

async fn id_of(c: &Contacts, platform: &str, who: &str) -> ContactId {
    c.contact_of(&IdentityKey::new(platform, format!("id-{who}")))
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn merge_and_split_keep_history_and_are_audited(store: Arc<dyn ContactStore>) {
    let (c, _) = contacts_on(store, t0());
    let h = Duration::hours(1);
    c.store()
        .observe(
            &[
                with(touch("x", "ann", "x1", t0()), |t| t.sentiment = Some(-0.5)),
                touch("x", "ann", "x2", t0() + h),
                with(touch("mastodon", "ann", "m1", t0() + h * 2), |t| {
                    t.sentiment = Some(0.5);
                    t.first_response_at = Some(t0() + h * 3);
                }),
                touch("x", "bob", "x3", t0()),
            ],
            false,
        )
        .await
        .unwrap();
    let ann_x = id_of(&c, "x", "ann").await;
    let ann_m = id_of(&c, "mastodon", "ann").await;
    let bob = id_of(&c, "x", "bob").await;
    c.tag(&ann_m, "wholesale", "olga").await.unwrap();
    c.note(&ann_m, "prefers email", "olga").await.unwrap();
    let merged = c.merge(&ann_x, &ann_m, "olga").await.unwrap();
    assert!(c.store().contact(&ann_m).await.unwrap().is_none(), "gone");
    assert_eq!(merged.stats.touches, 3);
    assert_eq!(merged.stats.sentiment(), Some(0.0));
    assert_eq!(
        merged.stats.platforms.iter().collect::<Vec<_>>(),
        vec!["mastodon", "x"]
    );
    assert!(merged.tags.contains("wholesale") && merged.notes.len() == 1);
    let history = c.history(&ann_x).await.unwrap();
    assert_eq!(
        history.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
        vec!["x1", "x2", "m1"]
    );
    assert_eq!(history[2].response_time(), Some(h));
    assert_eq!(c.sentiment_series(&ann_x).await.unwrap().len(), 1);
    // Bob is untouched.
    assert_eq!(c.history(&bob).await.unwrap().len(), 1);

    // Split the Mastodon identity off again: its history goes with it, nothing lost.
    let m = IdentityKey::new("mastodon", "id-ann");
    let split = c
        .split(&ann_x, std::slice::from_ref(&m), "cem")
        .await
        .unwrap();
    assert_eq!(c.history(&split.id).await.unwrap().len(), 1);
    assert_eq!(c.history(&ann_x).await.unwrap().len(), 2);
    assert_eq!(c.contact(&ann_x).await.unwrap().stats.touches, 2);
    assert_eq!(split.stats.touches, 1);
    let total: u64 = c
        .segment(&Segment::default(), None, 100)
        .await
        .unwrap()
        .iter()
        .map(|c| c.stats.touches)
        .sum();
    assert_eq!(total, 4, "every interaction counted once");
    let audit = c.audit(Some(&ann_x)).await.unwrap();
    let actions: Vec<_> = audit.iter().map(|e| (&e.actor, &e.action)).collect();
    assert!(
        matches!(actions[..], [(_, AuditAction::Merged { rule: None }), (a, AuditAction::Split)] if a == "cem"),
        "{actions:?}"
    );
    assert_eq!(audit[1].identities, vec![m]);
    // Bad requests are typed errors.
    assert_eq!(
        c.merge(&ann_x, &ann_x, "olga").await.unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        c.split(&ann_x, &[IdentityKey::new("x", "id-bob")], "olga")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        c.split(&ann_x, &[IdentityKey::new("x", "id-ann")], "olga")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Validation,
        "a contact keeps at least one identity"
    );
    assert_eq!(
        c.tag(&bob, "a,b", "olga").await.unwrap_err().kind(),
        ErrorKind::Validation
    );
}

async fn suggestions_need_evidence_and_merge_only_when_a_rule_says_so(
    store: Arc<dyn ContactStore>,
) {
    let (c, _) = contacts_on(store, t0());
    c.store()
        .observe(
            &[
                touch("x", "ann_k", "1", t0()),
                touch("bluesky", "ann_k.bsky.social", "2", t0()),
                with(touch("mastodon", "cem", "3", t0()), |t| {
                    t.mentions = mentions_in("I am also @dora.example.com over there");
                }),
                touch("bluesky", "dora.example.com", "4", t0()),
                touch("x", "eve", "5", t0()),
                touch("threads", "frank", "6", t0()),
                touch("x", "zed", "7", t0()),
            ],
            false,
        )
        .await
        .unwrap();
    c.record_links(
        &IdentityKey::new("x", "id-eve"),
        &["https://eve.example/".into()],
        "olga",
    )
    .await
    .unwrap();
    c.record_links(
        &IdentityKey::new("threads", "id-frank"),
        &["http://www.EVE.example".into()],
        "olga",
    )
    .await
    .unwrap();
    let all = c.suggestions(&SuggestRules::default()).await.unwrap();
    let rules: Vec<Vec<&str>> = all
        .iter()
        .map(|s| s.evidence.iter().map(Evidence::rule).collect())
        .collect();
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(rules.contains(&vec!["same_handle"]));
    assert!(rules.contains(&vec!["same_link"]));
    assert!(rules.contains(&vec!["mention"]));
    // Zed has nothing in common with anyone.
    let zed = id_of(&c, "x", "zed").await;
    assert!(all.iter().all(|s| !s.contacts.contains(&zed)));
    // Off means off; suggesting never merges.
    let only_links = SuggestRules {
        same_handle: RuleMode::Off,
        mention: RuleMode::Off,
        ..SuggestRules::default()
    };
    assert_eq!(c.suggestions(&only_links).await.unwrap().len(), 1);
    assert!(
        c.auto_merge(&SuggestRules::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        c.segment(&Segment::default(), None, 100)
            .await
            .unwrap()
            .len(),
        7
    );
    // A rule the caller enabled merges, audited as that rule.
    let auto = SuggestRules {
        same_link: RuleMode::AutoMerge,
        ..SuggestRules::default()
    };
    let merged = c.auto_merge(&auto).await.unwrap();
    assert_eq!(merged.len(), 1);
    assert_eq!(
        c.segment(&Segment::default(), None, 100)
            .await
            .unwrap()
            .len(),
        6
    );
    let last = c.audit(None).await.unwrap().pop().unwrap();
    assert_eq!(last.actor, "rule:same_link");
    assert_eq!(
        last.action,
        AuditAction::Merged {
            rule: Some("same_link".into())
        }
    );
    assert_eq!(
        c.record_links(
            &IdentityKey::new("x", "id-zed"),
            &["not a link".into()],
            "olga"
        )
        .await
        .unwrap_err()
        .kind(),
        ErrorKind::Validation
    );
}

async fn retention_rules_fire_on_seeded_histories_and_not_on_controls(
    store: Arc<dyn ContactStore>,
) {
    let start = t0();
    let (c, clock) = contacts_on(store, start);
    let day = Duration::days(1);
    let mut seen = Vec::new();
    // Unanswered complaint vs an answered one.
    seen.push(with(touch("x", "angry", "a1", start), |t| {
        t.intent = Some(Intent::Complaint)
    }));
    seen.push(with(touch("x", "calm", "c1", start), |t| {
        t.intent = Some(Intent::Complaint);
        t.first_response_at = Some(start + Duration::hours(2));
    }));
    // Falling sentiment vs steady sentiment, three each in two 30-day windows.
    for (n, s) in [0.8, 0.7, 0.9, -0.4, -0.6, -0.5].into_iter().enumerate() {
        let at = start - day * 55 + day * 10 * n as i32;
        seen.push(with(
            touch("mastodon", "souring", &format!("s{n}"), at),
            |t| t.sentiment = Some(s),
        ));
        seen.push(with(
            touch("mastodon", "steady", &format!("t{n}"), at),
            |t| t.sentiment = Some(0.6),
        ));
    }
    // A loyal contact gone quiet vs one still talking.
    for n in 0..6 {
        seen.push(touch(
            "bluesky",
            "loyal",
            &format!("l{n}"),
            start - day * (200 - n),
        ));
        seen.push(touch(
            "bluesky",
            "chatty",
            &format!("k{n}"),
            start - day * (200 - n * 40),
        ));
    }
    // Repeated questions vs two questions.
    for n in 0..3 {
        seen.push(with(
            touch("x", "asker", &format!("q{n}"), start - day * n),
            |t| t.intent = Some(Intent::Question),
        ));
    }
    for n in 0..2 {
        seen.push(with(
            touch("x", "curious", &format!("r{n}"), start - day * n),
            |t| t.intent = Some(Intent::Question),
        ));
    }
    c.store().observe(&seen, false).await.unwrap();
    let rules = NamedRule::defaults();
    let mut events = c.subscribe();

    // Not yet 24 hours: the complaint is not overdue.
    clock.set(start + Duration::hours(23));
    let early = c.check_signals(&rules).await.unwrap();
    assert!(early.iter().all(|s| s.rule != "unanswered_complaint"));

    clock.set(start + Duration::hours(25));
    let fired = c.check_signals(&rules).await.unwrap();
    assert_eq!(fired.len(), 1, "only the complaint became due: {fired:?}");
    let mut who = Vec::new();
    for s in early.iter().chain(&fired) {
        let ids = c.identities(&s.contact).await.unwrap();
        who.push((s.rule.clone(), ids[0].handle.clone()));
    }
    who.sort();
    let expected = vec![
        ("falling_sentiment".to_string(), "souring".to_string()),
        ("gone_quiet".into(), "loyal".into()),
        ("repeated_questions".into(), "asker".into()),
        ("unanswered_complaint".into(), "angry".into()),
    ];
    assert_eq!(who, expected);
    for control in ["calm", "steady", "chatty", "curious"] {
        assert!(
            !who.iter().any(|(_, h)| h == control),
            "control {control} fired: {who:?}"
        );
    }
    let angry = fired
        .iter()
        .find(|s| s.rule == "unanswered_complaint")
        .unwrap();
    assert_eq!(angry.evidence, vec!["a1"]);
    let mut got = 0;
    while let Ok(ContactEvent::Signal(_)) = events.try_recv() {
        got += 1;
    }
    assert_eq!(
        got,
        early.len() + fired.len(),
        "each raised once as an event"
    );

    // Once per evidence: nothing new an hour later; a second complaint raises again.
    clock.set(start + Duration::hours(26));
    assert!(c.check_signals(&rules).await.unwrap().is_empty());
    c.store()
        .observe(
            &[with(
                touch("x", "angry", "a2", start + Duration::hours(1)),
                |t| t.intent = Some(Intent::Complaint),
            )],
            false,
        )
        .await
        .unwrap();
    let again = c.check_signals(&rules).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].evidence, vec!["a1", "a2"]);
}

fn said(platform: &str, id: &str, who: &str, text: &str, at: DateTime<Utc>) -> Interaction {
    Interaction {
        reference: InteractionRef::new(platform, id),
        kind: InteractionKind::Mention,
        author: Author {
            id: format!("id-{who}"),
            handle: who.into(),
            display_name: Some(format!("{who} display")),
            ..Default::default()
        },
        text: Some(text.into()),
        created_at: at,
        post: None,
        conversation: None,
        language: None,
    }
}

#[tokio::test]
async fn retention_policy_forgets_old_interactions_and_keeps_counts() {
    let start = t0();
    let clock = Arc::new(ManualClock::new(start));
    let inbox_store = Arc::new(MemoryInboxStore::default());
    let contacts = Arc::new(
        Contacts::new(Arc::new(MemoryContactStore::default()), clock.clone())
            .with_inbox(inbox_store.clone(), Default::default()),
    );
    let inbox = Inbox::new(contacts.resolving(inbox_store.clone()), clock.clone());
    let old = said(
        "x",
        "1",
        "ann",
        "my old complaint text",
        start - Duration::days(40),
    );
    let new = said(
        "x",
        "2",
        "ann",
        "a fresh question?",
        start - Duration::days(5),
    );
    assert_eq!(inbox.ingest("acme-x", vec![old, new]).await.unwrap(), 2);
    let ann = contacts
        .contact_of(&IdentityKey::new("x", "id-ann"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ann.stats.touches, 2);
    // No policy: nothing happens.
    assert_eq!(contacts.run_retention().await.unwrap(), 0);
    contacts
        .set_retention(&RetentionPolicy {
            interactions_days: Some(30),
        })
        .await
        .unwrap();
    let worker = contacts.spawn_retention(std::time::Duration::from_secs(3600));
    worker.shutdown().await.unwrap();
    let left = contacts.history(&ann.id).await.unwrap();
    assert_eq!(
        left.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
        vec![crate::inbox::InboxItem::key_of("acme-x", "x", "2")]
    );
    let old_item = inbox
        .item(&crate::inbox::InboxItem::key_of("acme-x", "x", "1"))
        .await
        .unwrap();
    assert!(old_item.interaction.text.is_none());
    assert_ne!(old_item.interaction.author.id, "id-ann");
    assert!(old_item.classification.is_some(), "the counts stay");
    assert_eq!(
        inbox_store
            .count(
                &crate::inbox::Narrowing::default(),
                &crate::inbox::sla::SlaPolicy::default()
            )
            .await
            .unwrap(),
        2
    );
    assert!(
        contacts
            .audit(None)
            .await
            .unwrap()
            .iter()
            .any(|e| e.action == AuditAction::Expired { count: 1 })
    );
    // Idempotent.
    assert_eq!(contacts.run_retention().await.unwrap(), 0);
}

async fn segments_filter_and_export_as_csv(store: Arc<dyn ContactStore>) {
    let (c, _) = contacts_on(store, t0());
    c.store()
        .observe(
            &[
                with(touch("x", "ann", "1", t0()), |t| t.sentiment = Some(-0.6)),
                with(touch("x", "bob", "2", t0() - Duration::days(90)), |t| {
                    t.sentiment = Some(0.6)
                }),
                touch("bluesky", "cem", "3", t0()),
            ],
            false,
        )
        .await
        .unwrap();
    let ann = id_of(&c, "x", "ann").await;
    c.tag(&ann, "churn-risk", "olga").await.unwrap();
    c.set_vip(&ann, true, "olga").await.unwrap();
    c.set_owner(&ann, Some("olga, jr"), "olga").await.unwrap();
    let seg = |s: Segment| {
        let c = &c;
        async move { c.segment(&s, None, 100).await.unwrap().len() }
    };
    assert_eq!(seg(Segment::default()).await, 3);
    assert_eq!(
        seg(Segment {
            platforms: vec!["x".into()],
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        seg(Segment {
            active_since: Some(t0() - Duration::days(30)),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        seg(Segment {
            quiet_since: Some(t0() - Duration::days(30)),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        seg(Segment {
            max_sentiment: Some(-0.05),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        seg(Segment {
            tags: vec!["churn-risk".into()],
            vip: Some(true),
            owner: Some("olga, jr".into()),
            ..Default::default()
        })
        .await,
        1
    );
    let csv = c
        .segment_csv(&Segment {
            tags: vec!["churn-risk".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with(ann.as_str()));
    assert!(
        lines[1].ends_with(",churn-risk,true,\"olga, jr\""),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",-0.6000,"));
}

#[tokio::test]
async fn erasing_one_identity_keeps_the_rest_of_the_contact() {
    let clock = Arc::new(ManualClock::new(t0()));
    let inbox_store = Arc::new(MemoryInboxStore::default());
    let contacts = Contacts::new(Arc::new(MemoryContactStore::default()), clock.clone())
        .with_inbox(inbox_store.clone(), Default::default());
    let inbox = Inbox::new(contacts.resolving(inbox_store.clone()), clock.clone());
    inbox
        .ingest(
            "acme-x",
            vec![said("x", "1", "ann", "old account speaking", t0())],
        )
        .await
        .unwrap();
    inbox
        .ingest(
            "acme-m",
            vec![said("mastodon", "2", "ann", "new account speaking", t0())],
        )
        .await
        .unwrap();
    let x = IdentityKey::new("x", "id-ann");
    let m = IdentityKey::new("mastodon", "id-ann");
    let a = contacts.contact_of(&x).await.unwrap().unwrap().id;
    let b = contacts.contact_of(&m).await.unwrap().unwrap().id;
    contacts.merge(&a, &b, "olga").await.unwrap();
    contacts.note(&a, "call back", "olga").await.unwrap();

    // Export of one identity: only its own item.
    let export = contacts
        .export(&Subject::Identity(x.clone()), "dpo")
        .await
        .unwrap();
    assert_eq!(export.interactions.len(), 1);
    assert_eq!(
        export.interactions[0].interaction.text.as_deref(),
        Some("old account speaking")
    );
    assert!(export.contact.is_none());
    assert!(export.audit.iter().all(|e| e.identities == vec![x.clone()]));

    let report = contacts
        .erase(&Subject::Identity(x.clone()), "dpo")
        .await
        .unwrap();
    assert_eq!(report.counts.get("inbox"), Some(&1));
    assert!(contacts.contact_of(&x).await.unwrap().is_none());
    let left = contacts.contact(&a).await.unwrap();
    assert_eq!(left.notes.len(), 1, "the contact and its notes stay");
    assert_eq!(left.stats.touches, 1);
    assert_eq!(contacts.identities(&a).await.unwrap().len(), 1);
    // The merge's audit entry still names the contact, not the erased account.
    let merged = &contacts.audit(Some(&a)).await.unwrap()[0];
    assert!(!merged.identities.contains(&x));
    assert!(merged.identities.contains(&m));
    let erased_item = inbox
        .item(&crate::inbox::InboxItem::key_of("acme-x", "x", "1"))
        .await
        .unwrap();
    assert!(erased_item.interaction.text.is_none());
    assert_eq!(erased_item.interaction.author.id, report.pseudonym);
    assert_eq!(
        contacts
            .erase(&Subject::Identity(x), "dpo")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

/// Runs `$body` (an `async fn(Arc<dyn ContactStore>, Arc<dyn InboxStore>)`) with a contact
/// store and an inbox store of one database: memory, SQLite, PostgreSQL.
macro_rules! on_every_inbox {
    ($name:ident, $body:ident) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn memory() {
                $body(
                    Arc::new(MemoryContactStore::default()),
                    Arc::new(MemoryInboxStore::default()),
                )
                .await;
            }
            #[cfg(feature = "sqlite")]
            #[tokio::test]
            async fn sqlite() {
                let db = crate::store::SqliteStore::in_memory().unwrap();
                let ws = crate::store::WorkspaceId::from("acme");
                $body(
                    Arc::new(SqliteContactStore::new(&db.handle(), &ws).unwrap()),
                    Arc::new(crate::inbox::SqliteInboxStore::new(&db.handle(), &ws).unwrap()),
                )
                .await;
            }
            #[cfg(feature = "postgres")]
            #[tokio::test]
            async fn postgres() {
                use crate::store::postgres::scratch::ScratchDb;
                let Some(db) = ScratchDb::create(stringify!($name)).await.unwrap() else {
                    return;
                };
                let store = crate::store::PgStore::connect_with(db.url(), 2)
                    .await
                    .unwrap();
                let ws = crate::store::WorkspaceId::from("acme");
                $body(
                    Arc::new(PgContactStore::new(&store.handle(), &ws).await.unwrap()),
                    Arc::new(
                        crate::inbox::PgInboxStore::new(&store.handle(), &ws)
                            .await
                            .unwrap(),
                    ),
                )
                .await;
                drop(store);
                db.drop_now().await.unwrap();
            }
        }
    };
}

on_every_inbox!(
    inbox_badges,
    open_signals_mark_inbox_items_and_closed_ones_unmark
);

async fn open_signals_mark_inbox_items_and_closed_ones_unmark(
    store: Arc<dyn ContactStore>,
    inbox_store: Arc<dyn InboxStore>,
) {
    use crate::inbox::{InboxFilter, PageRequest, SortOrder, View, sla::SlaPolicy};
    let clock = Arc::new(ManualClock::new(t0()));
    let contacts =
        Contacts::new(store, clock.clone()).with_inbox(inbox_store.clone(), SlaPolicy::default());
    let resolving = contacts.resolving(inbox_store.clone());
    let inbox = Inbox::new(resolving.clone(), clock.clone());
    inbox
        .ingest(
            "acme-x",
            vec![
                said(
                    "x",
                    "1",
                    "ann",
                    "My order arrived broken, this is terrible. I want a refund!",
                    t0(),
                ),
                said("x", "2", "ann", "Hello again", t0() + Duration::minutes(5)),
                said("x", "3", "bob", "Lovely anvils, thanks team", t0()),
            ],
        )
        .await
        .unwrap();
    let flagged = View::new(
        "Retention signals",
        InboxFilter {
            has_signal: true,
            ..InboxFilter::default()
        },
        SortOrder::Oldest,
    );
    let keys = |page: crate::inbox::ViewPage| -> Vec<(String, Vec<String>)> {
        page.items
            .iter()
            .map(|i| {
                (
                    i.interaction.reference.id.clone(),
                    i.signals().into_iter().map(str::to_string).collect(),
                )
            })
            .collect()
    };
    // Nothing open yet.
    clock.set(t0() + Duration::hours(2));
    assert!(
        contacts
            .check_signals(&NamedRule::defaults())
            .await
            .unwrap()
            .is_empty()
    );
    let page = inbox
        .view(&flagged, None, PageRequest::first(10))
        .await
        .unwrap();
    assert!(page.items.is_empty(), "{:?}", keys(page));

    // A day later her complaint is unanswered: both her items carry the badge, Bob's none.
    clock.set(t0() + Duration::hours(25));
    let raised = contacts
        .check_signals(&NamedRule::defaults())
        .await
        .unwrap();
    assert_eq!(raised.len(), 1, "{raised:?}");
    let page = inbox
        .view(&flagged, None, PageRequest::first(10))
        .await
        .unwrap();
    let unanswered = vec!["unanswered_complaint".to_string()];
    assert_eq!(
        keys(page),
        vec![
            ("1".to_string(), unanswered.clone()),
            ("2".to_string(), unanswered)
        ]
    );
    let bob = inbox
        .item(&crate::inbox::InboxItem::key_of("acme-x", "x", "3"))
        .await
        .unwrap();
    assert!(bob.signals().is_empty());
    // The other tags and the classification stay as they were.
    let complaint_key = crate::inbox::InboxItem::key_of("acme-x", "x", "1");
    let before = inbox.item(&complaint_key).await.unwrap();
    assert_eq!(
        before.classification.as_ref().unwrap().intent,
        Intent::Complaint
    );

    // Answered: the next check closes it and takes the badge off.
    let mut answered = before.clone();
    answered.first_response_at = Some(t0() + Duration::hours(26));
    clock.set(t0() + Duration::hours(27));
    resolving
        .put(&answered, &SlaPolicy::default())
        .await
        .unwrap();
    assert!(
        contacts
            .check_signals(&NamedRule::defaults())
            .await
            .unwrap()
            .is_empty()
    );
    let page = inbox
        .view(&flagged, None, PageRequest::first(10))
        .await
        .unwrap();
    assert!(page.items.is_empty(), "{:?}", keys(page));
    let after = inbox.item(&complaint_key).await.unwrap();
    assert!(after.signals().is_empty());
    assert_eq!(
        after.classification.as_ref().unwrap().tags,
        before
            .classification
            .as_ref()
            .unwrap()
            .tags
            .iter()
            .filter(|t| !t.starts_with("signal:") && t.as_str() != crate::inbox::SIGNAL_TAG)
            .cloned()
            .collect::<Vec<_>>()
    );
}

/// Four processes (pools of their own) record the same new authors at once: every identity
/// ends with exactly one contact, no contact is left without an identity, and every touch is
/// counted once.
#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_writers_racing_on_new_identities_make_one_contact_each() {
    use crate::store::postgres::scratch::ScratchDb;
    let Some(db) = ScratchDb::create("contactsrace").await.unwrap() else {
        return;
    };
    let ws = crate::store::WorkspaceId::from("acme");
    let mut tasks = Vec::new();
    for w in 0..4 {
        let (url, ws) = (db.url().to_string(), ws.clone());
        tasks.push(tokio::spawn(async move {
            let pg = crate::store::PgStore::connect_with(&url, 1).await.unwrap();
            let store = PgContactStore::new(&pg.handle(), &ws).await.unwrap();
            // Each writer sees the same 50 authors, in its own order, with touches of its own
            // and touches all writers share.
            let mut seen = Vec::new();
            for n in 0..50 {
                let who = format!("p{}", (n * 7 + w * 13) % 50);
                seen.push(touch("x", &who, &format!("w{w}-{n}"), t0()));
                seen.push(touch("x", &who, &format!("shared-{who}"), t0()));
            }
            for chunk in seen.chunks(10) {
                if let Err(e) = store.observe(chunk, false).await {
                    panic!("{e}: {:?}", std::error::Error::source(&e));
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let pg = crate::store::PgStore::connect_with(db.url(), 1)
        .await
        .unwrap();
    let store = PgContactStore::new(&pg.handle(), &ws).await.unwrap();
    let identities = store.all_identities().await.unwrap();
    assert_eq!(identities.len(), 50);
    let contacts = store
        .segment(&Segment::default(), None, 1000)
        .await
        .unwrap();
    assert_eq!(
        contacts.len(),
        50,
        "one contact per identity, none orphaned"
    );
    let total: u64 = contacts.iter().map(|c| c.stats.touches).sum();
    assert_eq!(
        total,
        4 * 50 + 50,
        "each writer's own touches and the shared ones once"
    );
    for c in &contacts {
        assert_eq!(store.identities(&c.id).await.unwrap().len(), 1);
    }
    drop((store, pg));
    db.drop_now().await.unwrap();
}

/// Erasure on the memory contact store leaves no platform id that names the person in the
/// keys of their touches (a Mastodon status id is a URI with the handle in it): the touches
/// stay for the aggregates, under the pseudonym and new keys; the control's touch keeps its
/// key, and the erased item read again is still recognised and dropped. (The memory
/// *inbox* store keeps its own map key; SQLite and PostgreSQL rewrite both.)
#[tokio::test]
async fn memory_erasure_rekeys_touches_whose_keys_name_the_person() {
    let clock = Arc::new(ManualClock::new(t0()));
    let inbox_store = Arc::new(MemoryInboxStore::default());
    let store = Arc::new(MemoryContactStore::default());
    let contacts = Contacts::new(store.clone(), clock.clone())
        .with_inbox(inbox_store.clone(), Default::default());
    let inbox = Inbox::new(contacts.resolving(inbox_store.clone()), clock.clone());
    let ann_status = "https://social.example/users/annkowalska/statuses/1";
    let ann_said = || said("mastodon", ann_status, "annkowalska", "where is it", t0());
    inbox
        .ingest(
            "acme-m",
            vec![
                ann_said(),
                said(
                    "mastodon",
                    "https://social.example/users/bob/statuses/2",
                    "bob",
                    "hi",
                    t0(),
                ),
            ],
        )
        .await
        .unwrap();
    let ann = IdentityKey::new("mastodon", "id-annkowalska");
    let contact = contacts.contact_of(&ann).await.unwrap().unwrap().id;
    let far = t0() + Duration::days(365);
    let before = store.touches_before(far, 100).await.unwrap();
    assert!(before.iter().any(|t| t.key.contains("annkowalska")));

    let report = contacts
        .erase(&Subject::Contact(contact), "dpo")
        .await
        .unwrap();
    assert_eq!(report.counts.get("contact_touches"), Some(&1));
    let after = store.touches_before(far, 100).await.unwrap();
    assert_eq!(after.len(), 2, "the touches stay for the aggregates");
    for t in &after {
        let json = serde_json::to_string(t).unwrap();
        assert!(!json.contains("annkowalska"), "{json}");
    }
    let erased: Vec<&Touch> = after
        .iter()
        .filter(|t| t.identity.platform == "erased")
        .collect();
    assert_eq!(erased.len(), 1);
    assert!(erased[0].key.starts_with(&report.pseudonym));
    let bob_key = crate::inbox::InboxItem::key_of(
        "acme-m",
        "mastodon",
        "https://social.example/users/bob/statuses/2",
    );
    assert!(
        after.iter().any(|t| t.key == bob_key),
        "the control keeps his key"
    );

    // Her status read again is still recognised by its digest: nothing new is stored.
    inbox.ingest("acme-m", vec![ann_said()]).await.unwrap();
    assert_eq!(store.touches_before(far, 100).await.unwrap().len(), 2);
    assert!(store.identity(&ann).await.unwrap().is_none());
}
