//! Filters and views: the memory and the SQLite store give the same items in the same order
//! for the same filters (and both agree with filtering every item in Rust); sort orders,
//! paging, counts, presets.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::clock::ManualClock;
use crate::inbox::sla::{BusinessHours, SlaKind, SlaPolicy};
use crate::inbox::*;
use crate::listen::classify::{Intent, Priority};
use crate::listen::query::Query;
use crate::listen::sentiment::Polarity;
use crate::model::{Author, Interaction, InteractionKind, InteractionRef};

/// A small deterministic generator (64-bit LCG), so the item set is the same every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

const TEXTS: &[&str] = &[
    "@acme where is my order? It's been two weeks",
    "Thanks @acme, the new anvil is awesome",
    "I want a refund, the anvil arrived broken",
    "how do I reset my password?",
    "Wo bleibt meine Bestellung?",
    "shipping to Austria possible?",
    "refunds take forever, unacceptable",
    "nice",
];

fn start() -> DateTime<Utc> {
    "2026-03-02T08:00:00Z".parse().unwrap() // Monday 09:00 Berlin
}

fn policy() -> SlaPolicy {
    SlaPolicy {
        hours: BusinessHours::weekdays("Europe/Berlin".parse().unwrap(), 9, 17),
        first_response: Duration::hours(2),
        resolution: Duration::hours(8),
    }
}

/// `n` varied items, classified and then varied field by field.
pub(crate) fn items(n: usize, seed: u64) -> Vec<InboxItem> {
    let clock = Arc::new(ManualClock::new(start()));
    let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), clock);
    let mut g = Lcg(seed);
    let channels = ["acme", "acme_de", "acme_help"];
    let members = [None, Some("ann"), Some("bo")];
    let intents = [
        Intent::Question,
        Intent::Complaint,
        Intent::Praise,
        Intent::Spam,
        Intent::Other,
    ];
    let priorities = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];
    let tags = ["billing", "vip", "shipping"];
    let compounds = [-0.6, 0.0, 0.5];
    (0..n)
        .map(|i| {
            let opened = start() + Duration::minutes(g.next(7 * 24 * 60) as i64)
                - Duration::days(3)
                + Duration::nanoseconds(g.next(1_000_000) as i64);
            let interaction = Interaction {
                reference: InteractionRef::new("sandbox", format!("n{i}")),
                kind: if g.next(10) == 0 {
                    InteractionKind::DirectMessage
                } else {
                    InteractionKind::Mention
                },
                author: Author {
                    handle: format!("user{}", g.next(50)),
                    ..Author::default()
                },
                text: Some(TEXTS[g.next(TEXTS.len())].to_string()),
                created_at: opened,
                post: None,
                conversation: None,
                language: None,
            };
            let mut item = inbox.prepare(channels[g.next(3)], interaction, opened);
            if g.next(8) == 0 {
                item.classification = None;
            } else if let Some(c) = item.classification.as_mut() {
                c.intent = intents[g.next(intents.len())];
                c.priority = priorities[g.next(priorities.len())];
                c.sentiment.compound = compounds[g.next(3)];
                c.tags = tags
                    .iter()
                    .filter(|_| g.next(3) == 0)
                    .map(|t| t.to_string())
                    .collect();
            }
            item.assignee = members[g.next(3)].map(str::to_string);
            item.state = [ItemState::New, ItemState::Pending, ItemState::Resolved][g.next(3)];
            if item.state != ItemState::New && g.next(2) == 0 {
                item.first_response_at = Some(opened + Duration::minutes(g.next(600) as i64));
            }
            if item.state == ItemState::Resolved {
                item.resolved_at = Some(opened + Duration::minutes(g.next(3000) as i64));
            }
            if g.next(6) == 0 {
                item.breaches.push(SlaKind::FirstResponse);
            }
            item
        })
        .collect()
}

struct Pair {
    memory: Inbox,
    #[cfg(feature = "sqlite")]
    sqlite: Inbox,
    all: Vec<InboxItem>,
}

async fn pair(n: usize) -> Pair {
    let clock = Arc::new(ManualClock::new(start()));
    let all = items(n, 42);
    let mem = Arc::new(MemoryInboxStore::default());
    mem.commit_page("x", &all, None, &policy()).await.unwrap();
    let memory = Inbox::new(mem, clock.clone()).with_sla(policy());
    #[cfg(feature = "sqlite")]
    let sqlite = {
        let s = Arc::new(SqliteInboxStore::open_in_memory().unwrap());
        // Facts computed under another policy are computed again before the first query.
        s.commit_page("x", &all, None, &SlaPolicy::default())
            .await
            .unwrap();
        Inbox::new(s, clock.clone()).with_sla(policy())
    };
    Pair {
        memory,
        #[cfg(feature = "sqlite")]
        sqlite,
        all,
    }
}

fn filters(seed: u64, count: usize) -> Vec<InboxFilter> {
    let mut g = Lcg(seed);
    let mut out = vec![InboxFilter::default()];
    out.extend(View::presets().into_iter().map(|v| v.filter));
    for _ in 0..count {
        let mut f = InboxFilter::default();
        if g.next(2) == 0 {
            f.states = [ItemState::New, ItemState::Pending, ItemState::Resolved]
                .into_iter()
                .filter(|_| g.next(2) == 0)
                .collect();
        }
        f.assignee = match g.next(6) {
            0 => Some(AssigneeFilter::Unassigned),
            1 => Some(AssigneeFilter::Anyone),
            2 => Some(AssigneeFilter::Me),
            3 => Some(AssigneeFilter::Member("bo".into())),
            _ => None,
        };
        if g.next(3) == 0 {
            f.channels = vec!["acme_de".into()];
        }
        if g.next(3) == 0 {
            f.intents = vec![Intent::Complaint, Intent::Question];
        }
        if g.next(4) == 0 {
            f.sentiment = vec![Polarity::Negative];
        }
        if g.next(3) == 0 {
            f.min_priority = Some(Priority::High);
        }
        if g.next(4) == 0 {
            f.tags = vec!["billing".into()];
        }
        f.sla = match g.next(6) {
            0 => Some(SlaFilter::Breached),
            1 => Some(SlaFilter::AtRisk {
                within_minutes: 120,
            }),
            _ => None,
        };
        if g.next(4) == 0 {
            f.text = Some(Query::parse("refund* OR order").unwrap());
        }
        if g.next(3) == 0 {
            f.opened = Some(TimeRange {
                from: Some(start() - Duration::days(1) + Duration::minutes(g.next(1000) as i64)),
                to: (g.next(2) == 0).then(|| start() + Duration::days(1)),
            });
        }
        out.push(f);
    }
    out
}

/// Every item `f` matches for `me`, by key.
async fn filtered(inbox: &Inbox, f: &InboxFilter, me: Option<&str>) -> Vec<InboxItem> {
    let view = View::new("f", f.clone(), SortOrder::Oldest);
    let mut items = inbox
        .view(&view, me, PageRequest::first(usize::MAX - 1))
        .await
        .unwrap()
        .items;
    items.sort_by(|a, b| a.key.cmp(&b.key));
    items
}

#[tokio::test]
async fn memory_and_sqlite_give_the_same_items_as_filtering_everything() {
    let p = pair(400).await;
    let policy = policy();
    let ctx = FilterContext {
        me: Some("ann"),
        now: start(),
        sla: &policy,
    };
    let mut non_empty = 0;
    for f in filters(7, 150) {
        let expected: Vec<&InboxItem> = p.all.iter().filter(|i| f.matches(i, &ctx)).collect();
        let mut expected: Vec<InboxItem> = expected.into_iter().cloned().collect();
        expected.sort_by(|a, b| a.key.cmp(&b.key));
        let mem = filtered(&p.memory, &f, Some("ann")).await;
        assert_eq!(mem, expected, "memory, filter {f:?}");
        #[cfg(feature = "sqlite")]
        assert_eq!(
            filtered(&p.sqlite, &f, Some("ann")).await,
            expected,
            "sqlite, filter {f:?}"
        );
        non_empty += usize::from(!expected.is_empty());
    }
    assert!(non_empty > 50, "the filters select something: {non_empty}");
}

#[tokio::test]
async fn views_sort_and_page_the_same_on_both_stores() {
    let p = pair(300).await;
    for sort in [
        SortOrder::PriorityThenAge,
        SortOrder::Newest,
        SortOrder::Oldest,
        SortOrder::SlaDueSoonest,
    ] {
        for (n, f) in filters(11, 20).into_iter().enumerate() {
            let view = View::new(format!("v{n}"), f, sort);
            let whole = p
                .memory
                .view(&view, Some("bo"), PageRequest::first(usize::MAX))
                .await
                .unwrap();
            assert!(!whole.has_more());
            // Pages of 7 put together give the whole view, on both stores.
            let mut pages = Vec::new();
            let mut req = PageRequest::first(7);
            loop {
                let page = p.memory.view(&view, Some("bo"), req.clone()).await.unwrap();
                #[cfg(feature = "sqlite")]
                assert_eq!(
                    page,
                    p.sqlite.view(&view, Some("bo"), req.clone()).await.unwrap()
                );
                pages.extend(page.items.iter().map(|i| i.key.clone()));
                match page.next {
                    Some(next) => req = next,
                    None => break,
                }
            }
            let keys: Vec<String> = whole.items.iter().map(|i| i.key.clone()).collect();
            assert_eq!(pages, keys);
            assert_eq!(p.memory.count(&view, Some("bo")).await.unwrap(), keys.len());
            #[cfg(feature = "sqlite")]
            assert_eq!(p.sqlite.count(&view, Some("bo")).await.unwrap(), keys.len());
        }
    }
}

#[tokio::test]
async fn sort_orders_mean_what_they_say() {
    let p = pair(200).await;
    let policy = policy();
    let get = async |sort| {
        p.memory
            .view(
                &View::new("all", InboxFilter::default(), sort),
                None,
                PageRequest::first(1000),
            )
            .await
            .unwrap()
            .items
    };
    let prio = |i: &InboxItem| i.classification.as_ref().map(|c| c.priority);
    let by_prio = get(SortOrder::PriorityThenAge).await;
    assert_eq!(by_prio.len(), 200);
    for w in by_prio.windows(2) {
        assert!(
            prio(&w[0]) > prio(&w[1])
                || prio(&w[0]) == prio(&w[1]) && w[0].opened_at() <= w[1].opened_at()
        );
    }
    assert!(prio(&by_prio[0]) == Some(Priority::Urgent));
    // Instants order at microsecond resolution, ties by key.
    let us = |i: &InboxItem| i.opened_at().timestamp_micros();
    for w in get(SortOrder::Newest).await.windows(2) {
        assert!(us(&w[0]) >= us(&w[1]));
    }
    for w in get(SortOrder::Oldest).await.windows(2) {
        assert!(us(&w[0]) <= us(&w[1]));
    }
    let due = |i: &InboxItem| policy.pending(i).first().map(|(_, d)| *d);
    let by_due = get(SortOrder::SlaDueSoonest).await;
    let first_none = by_due.iter().position(|i| due(i).is_none()).unwrap();
    assert!(first_none > 0);
    assert!(by_due[first_none..].iter().all(|i| due(i).is_none()));
    for w in by_due[..first_none].windows(2) {
        assert!(due(&w[0]) <= due(&w[1]));
    }
}

#[tokio::test]
async fn presets_select_what_their_names_say_and_counts_are_badges() {
    let p = pair(300).await;
    let presets = View::presets();
    let keys = async |v: &View| -> BTreeSet<String> {
        p.memory
            .view(v, Some("ann"), PageRequest::first(10_000))
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|i| i.key)
            .collect()
    };
    let open = |i: &InboxItem| i.state != ItemState::Resolved;
    let mine: BTreeSet<String> = p
        .all
        .iter()
        .filter(|i| open(i) && i.assignee.as_deref() == Some("ann"))
        .map(|i| i.key.clone())
        .collect();
    assert_eq!(keys(&presets[0]).await, mine);
    let complaints: BTreeSet<String> = p
        .all
        .iter()
        .filter(|i| {
            open(i)
                && i.assignee.is_none()
                && i.classification
                    .as_ref()
                    .is_some_and(|c| c.intent == Intent::Complaint)
        })
        .map(|i| i.key.clone())
        .collect();
    assert!(!complaints.is_empty());
    assert_eq!(keys(&presets[1]).await, complaints);
    // Breached: recorded breaches, or targets missed at the time of the query (now: Monday
    // 09:00 Berlin; items go back three days).
    let policy = policy();
    let breached: BTreeSet<String> = p
        .all
        .iter()
        .filter(|i| !i.breaches.is_empty() || !policy.breaches(i, start()).is_empty())
        .map(|i| i.key.clone())
        .collect();
    assert!(!breached.is_empty() && breached.len() < p.all.len());
    assert_eq!(keys(&presets[3]).await, breached);
    // At risk: none breached, each due within 30 business minutes.
    for k in keys(&presets[2]).await {
        let i = p.all.iter().find(|i| i.key == k).unwrap();
        assert!(!breached.contains(&k));
        let due = policy.pending(i)[0].1;
        assert!(policy.hours.between(start(), due) <= Duration::minutes(30));
    }
    let counts = p.memory.counts(&presets, Some("ann")).await.unwrap();
    for (v, (name, n)) in presets.iter().zip(&counts) {
        assert_eq!(*name, v.name);
        assert_eq!(*n, keys(v).await.len());
    }
    #[cfg(feature = "sqlite")]
    assert_eq!(
        p.sqlite.counts(&presets, Some("ann")).await.unwrap(),
        counts
    );
    // "Me" with nobody looking matches nothing.
    assert_eq!(p.memory.counts(&presets[..1], None).await.unwrap()[0].1, 0);
}

#[test]
fn saved_views_are_data() {
    let json = r#"[
        {"name": "Urgent billing", "filter": {"states": ["new"], "min_priority": "high",
            "tags": ["billing"], "sentiment": ["negative"],
            "opened": {"from": "2026-03-01T00:00:00Z"}}, "sort": "newest"},
        {"name": "Everything"}
    ]"#;
    let views: Vec<View> = serde_json::from_str(json).unwrap();
    assert_eq!(views[0].filter.min_priority, Some(Priority::High));
    assert_eq!(views[0].sort, SortOrder::Newest);
    assert_eq!(views[1].filter, InboxFilter::default());
    assert_eq!(views[1].sort, SortOrder::PriorityThenAge);
    let again: Vec<View> = serde_json::from_str(&serde_json::to_string(&views).unwrap()).unwrap();
    assert_eq!(again, views);
    // A bad query is refused when the view is read.
    let bad = r#"{"name": "x", "filter": {"text": "(refund"}}"#;
    assert!(serde_json::from_str::<View>(bad).is_err());
}
