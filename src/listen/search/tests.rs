//! Listening over an in-test platform whose search behaves like the real ones: every token
//! must appear, results newest first, keyset cursors to older results, an optional time range,
//! and scripted failures.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::error::{Error, ErrorKind, Result};
use crate::listen::crisis::CrisisConfig;
use crate::listen::query::{Document, Query};
use crate::model::{
    Author, Channel, Interaction, InteractionKind, InteractionRef, Page, Post, PublishOptions,
    Published, SearchLimits, SearchQuery,
};
use crate::platform::{Capabilities, Platform};
use crate::text::{Counting, TextRule};

#[derive(Debug)]
struct Searchable {
    caps: Capabilities,
    items: Mutex<Vec<Interaction>>,
    /// Call number (1-based) → the error that call returns.
    failures: Mutex<HashMap<usize, Error>>,
    log: Mutex<Vec<SearchQuery>>,
}

impl Searchable {
    fn new(name: &str, limits: SearchLimits) -> Arc<Searchable> {
        let mut caps = Capabilities::new(name, TextRule::new(Counting::Graphemes, 500));
        caps.search = Some(limits);
        Arc::new(Searchable {
            caps,
            items: Mutex::new(Vec::new()),
            failures: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
        })
    }

    fn add(&self, id: &str, text: &str, at: DateTime<Utc>) {
        let i = post(self.caps.platform.as_str(), id, text, at);
        self.items.lock().unwrap().push(i);
    }

    fn fail_call(&self, n: usize, e: Error) {
        self.failures.lock().unwrap().insert(n, e);
    }

    fn sent(&self) -> Vec<SearchQuery> {
        self.log.lock().unwrap().clone()
    }
}

fn post(platform: &str, id: &str, text: &str, at: DateTime<Utc>) -> Interaction {
    Interaction {
        reference: InteractionRef::new(platform, id),
        kind: InteractionKind::Post,
        author: Author::default(),
        text: Some(text.into()),
        created_at: at,
        post: None,
        conversation: None,
        language: None,
    }
}

fn rate_limited(platform: &str) -> Error {
    Error::new(ErrorKind::RateLimited, "too many requests")
        .with_platform(platform)
        .with_http_status(429)
        .with_retry_after(t0() + Duration::minutes(15))
}

fn cursor_of(i: &Interaction) -> String {
    format!(
        "{}|{}",
        i.created_at.timestamp_nanos_opt().unwrap_or_default(),
        i.reference.id
    )
}

#[async_trait]
impl Platform for Searchable {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    async fn channel(&self) -> Result<Channel> {
        Err(Error::unsupported(&self.caps.platform, "channel"))
    }

    async fn publish(&self, _: &Post, _: &PublishOptions) -> Result<Published> {
        Err(Error::unsupported(&self.caps.platform, "publish"))
    }

    async fn search(&self, q: &SearchQuery) -> Result<Page<Interaction>> {
        let call = {
            let mut log = self.log.lock().unwrap();
            log.push(q.clone());
            log.len()
        };
        if let Some(e) = self.failures.lock().unwrap().remove(&call) {
            return Err(e);
        }
        let limits = self.caps.search.clone().unwrap_or_default();
        if !limits.words && q.words().next().is_some() {
            return Err(Error::validation("hashtags only"));
        }
        let mut hits: Vec<Interaction> = self
            .items
            .lock()
            .unwrap()
            .iter()
            .filter(|i| {
                let d = Document::new(i.text.as_deref().unwrap_or(""));
                q.hashtags().all(|h| d.has_hashtag(&h.to_lowercase()))
                    && q.mentions().all(|m| d.has_mention(&m.to_lowercase()))
                    && q.words().all(|w| d.has_word(&w.to_lowercase()))
            })
            .filter(|i| {
                !limits.time_range
                    || (q.since.is_none_or(|s| i.created_at >= s)
                        && q.until.is_none_or(|u| i.created_at < u))
            })
            .cloned()
            .collect();
        hits.sort_by(|a, b| (b.created_at, &b.reference.id).cmp(&(a.created_at, &a.reference.id)));
        if let Some(c) = &q.cursor {
            let (ts, id) = c.split_once('|').expect("cursor");
            let key = (ts.parse::<i64>().unwrap(), id.to_string());
            hits.retain(|i| {
                (
                    i.created_at.timestamp_nanos_opt().unwrap(),
                    i.reference.id.clone(),
                ) < key
            });
        }
        let limit = q.limit.min(limits.max_page);
        let has_more = hits.len() > limit;
        hits.truncate(limit);
        Ok(Page {
            next_cursor: hits.last().map(cursor_of),
            items: hits,
            has_more,
        })
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

fn q(s: &str) -> Query {
    Query::parse(s).unwrap()
}

fn ids(o: &Outcome) -> Vec<String> {
    o.matches
        .iter()
        .map(|f| f.interaction.reference.id.clone())
        .collect()
}

fn src(p: &Arc<Searchable>) -> Source {
    Source::new(p.caps.platform.clone(), p.clone())
}

#[tokio::test]
async fn or_and_not_become_searches_and_not_is_applied_locally() {
    let p = Searchable::new("words", SearchLimits::default());
    let t = t0();
    p.add("1", "#acme outage again", t - Duration::minutes(5));
    p.add(
        "2",
        "@acme is down, looking for a job",
        t - Duration::minutes(4),
    );
    p.add("3", "@acme down since noon", t - Duration::minutes(3));
    p.add("4", "#acme great day", t - Duration::minutes(2));
    p.add("5", "outage at the station", t - Duration::minutes(1));
    let query = q("(#acme OR @acme) AND (outage OR down) -job");
    let opts = SearchOptions::default().since(t - Duration::hours(1));
    let out = search(&query, &[src(&p)], &opts, t).await.unwrap();
    assert_eq!(ids(&out), ["1", "3"]);
    let r = &out.channels[0];
    assert_eq!(
        r.searches,
        ["#acme outage", "#acme down", "@acme outage", "@acme down"]
    );
    assert!(r.is_complete());
    assert_eq!((r.calls, r.pages), (4, 4));
    // The negative term never reaches the platform; the range does.
    for s in p.sent() {
        assert!(!s.text.contains("job"), "{}", s.text);
        assert_eq!(s.since, Some(t - Duration::hours(1)));
    }
}

#[tokio::test]
async fn phrases_are_sent_as_words_and_matched_as_phrases() {
    let p = Searchable::new("words", SearchLimits::default());
    p.add("1", "free shipping on anvils", t0() - Duration::minutes(2));
    p.add("2", "shipping is not free", t0() - Duration::minutes(1));
    let out = search(
        &q("\"free shipping\""),
        &[src(&p)],
        &SearchOptions::default(),
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(p.sent()[0].text, "free shipping");
    assert_eq!(out.channels[0].fetched, 2);
    assert_eq!(ids(&out), ["1"]);
}

#[test]
fn too_many_searches_or_a_purely_negative_branch_is_a_validation_error() {
    let big = q("(a OR b OR c) AND (d OR e OR f)");
    let e = Cover::of(&big, DEFAULT_MAX_SEARCHES).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("needs 9 searches"), "{e}");
    assert_eq!(Cover::of(&big, 9).unwrap().branches().len(), 9);

    let e = Cover::of(&q("NOT job"), 8).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("purely negative"), "{e}");
    let e = Cover::of(&q("ship* OR acme"), 8).unwrap_err();
    assert!(e.to_string().contains("prefix"), "{e}");
    // A prefix next to a word is fine: the word is searched, the prefix checked locally.
    let c = Cover::of(&q("ship* acme"), 8).unwrap();
    assert_eq!(c.branches()[0].text(), "acme");

    // Redundant branches are absorbed before the cap counts.
    let c = Cover::of(&q("(a OR b) AND (a OR b)"), 8).unwrap();
    let texts: Vec<String> = c.branches().iter().map(Branch::text).collect();
    assert_eq!(texts, ["a", "b"]);
    // An exploding query is refused without being expanded.
    let huge = (0..12)
        .map(|k| format!("(a{k} OR b{k})"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let e = Cover::of(&q(&huge), 8).unwrap_err();
    assert!(e.to_string().contains("4096 searches"), "{e}");
}

#[tokio::test]
async fn cover_errors_come_before_any_call() {
    let p = Searchable::new("words", SearchLimits::default());
    let e = search(
        &q("acme OR -job"),
        &[src(&p)],
        &SearchOptions::default(),
        t0(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(p.sent().is_empty());
}

#[tokio::test]
async fn a_hashtag_only_platform_gets_the_hashtag_branches() {
    let tags = Searchable::new(
        "tags",
        SearchLimits {
            words: false,
            ..SearchLimits::default()
        },
    );
    let words = Searchable::new("words", SearchLimits::default());
    for p in [&tags, &words] {
        p.add("1", "#acme outage today", t0() - Duration::minutes(3));
        p.add("2", "#acme great day", t0() - Duration::minutes(2));
        p.add("3", "broken anvil", t0() - Duration::minutes(1));
    }
    let query = q("(#acme AND outage) OR broken");
    let out = search(
        &query,
        &[src(&tags), src(&words)],
        &SearchOptions::default(),
        t0(),
    )
    .await
    .unwrap();
    let (rt, rw) = (&out.channels[0], &out.channels[1]);
    assert_eq!(rt.searches, ["#acme"]);
    assert_eq!(rt.uncovered, ["broken"]);
    assert!(!rt.is_complete());
    assert_eq!(rw.searches, ["#acme outage", "broken"]);
    let by_channel = |c: &str| {
        out.matches
            .iter()
            .filter(|f| f.channel == c)
            .map(|f| f.interaction.reference.id.as_str())
            .collect::<Vec<_>>()
    };
    // "#acme great day" came back from the tag search and was filtered out locally.
    assert_eq!(by_channel("tags"), ["1"]);
    assert_eq!(by_channel("words"), ["1", "3"]);

    // A query without any hashtag cannot run there: a typed error naming the platform, and
    // the other channel is unaffected.
    let out = search(
        &q("outage OR broken"),
        &[src(&tags), src(&words)],
        &SearchOptions::default(),
        t0(),
    )
    .await
    .unwrap();
    let e = out.channels[0].error.as_ref().unwrap();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(
        e.message.contains("tags searches hashtags only"),
        "{}",
        e.message
    );
    assert_eq!(out.channels[1].matched, 2);
    assert_eq!(tags.sent().len(), 1, "only the first run called it");

    // One hashtag per search, the one the branches share: a single search here.
    let mut caps = Capabilities::new("tags", TextRule::new(Counting::Graphemes, 10));
    caps.search = tags.caps.search.clone();
    let plan = SearchPlan::new(
        &q("(#recall AND #acme) OR (#acme AND #outage) OR #acmeanvil"),
        &caps,
        &SearchOptions::default(),
        t0(),
    )
    .unwrap();
    let texts: Vec<&str> = plan.searches.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["#acme", "#acmeanvil"]);
}

#[tokio::test]
async fn no_search_at_all_is_unsupported() {
    let mut caps = Capabilities::new("mute", TextRule::new(Counting::Graphemes, 10));
    caps.search = None;
    let e = SearchPlan::new(&q("acme"), &caps, &SearchOptions::default(), t0()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(
        e.to_string().contains("mute does not support search"),
        "{e}"
    );
}

#[tokio::test]
async fn without_a_platform_time_range_the_range_is_filtered_locally() {
    let p = Searchable::new(
        "notime",
        SearchLimits {
            time_range: false,
            ..SearchLimits::default()
        },
    );
    for k in 0..10 {
        p.add(&format!("{k}"), "acme", t0() - Duration::hours(10 - k));
    }
    let opts = SearchOptions::default()
        .since(t0() - Duration::hours(6))
        .until(t0() - Duration::hours(3));
    let out = search(&q("acme"), &[src(&p)], &opts, t0()).await.unwrap();
    // Hours −6, −5, −4 (until is exclusive).
    assert_eq!(ids(&out), ["4", "5", "6"]);
    assert!(out.channels[0].local_time_filter);
    let sent = p.sent();
    assert!(sent.iter().all(|s| s.since.is_none() && s.until.is_none()));
}

#[tokio::test]
async fn max_age_clamps_since_and_an_empty_range_is_refused() {
    let limits = SearchLimits {
        max_age_days: Some(7),
        ..SearchLimits::default()
    };
    let p = Searchable::new("recent", limits.clone());
    p.add("old", "acme", t0() - Duration::days(8));
    p.add("new", "acme", t0() - Duration::days(6));
    let opts = SearchOptions::default().since(t0() - Duration::days(30));
    let out = search(&q("acme"), &[src(&p)], &opts, t0()).await.unwrap();
    assert_eq!(ids(&out), ["new"]);
    assert!(out.channels[0].clamped);
    assert_eq!(p.sent()[0].since, Some(t0() - Duration::days(7)));

    let mut caps = Capabilities::new("recent", TextRule::new(Counting::Graphemes, 10));
    caps.search = Some(limits);
    let e = SearchPlan::new(
        &q("acme"),
        &caps,
        &SearchOptions::default().until(t0() - Duration::days(10)),
        t0(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("last 7 days"), "{e}");
}

#[tokio::test]
async fn pages_run_back_to_since_and_stop_at_the_budget() {
    let p = Searchable::new(
        "paged",
        SearchLimits {
            max_page: 10,
            time_range: false,
            ..SearchLimits::default()
        },
    );
    for k in 0..100 {
        p.add(
            &format!("{k:03}"),
            "acme",
            t0() - Duration::minutes(100 - k),
        );
    }
    // 25 posts in range: pages of 10, the third page reaches past since and is the last.
    let opts = SearchOptions::default()
        .since(t0() - Duration::minutes(25))
        .page_size(50);
    let out = search(&q("acme"), &[src(&p)], &opts, t0()).await.unwrap();
    let r = &out.channels[0];
    assert_eq!(out.matches.len(), 25);
    assert_eq!((r.pages, r.calls, r.fetched), (3, 3, 30));
    assert!(!r.truncated);
    assert!(
        p.sent().iter().all(|s| s.limit == 10),
        "clamped to max_page"
    );
    let times: Vec<_> = out.interactions().map(|i| i.created_at).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "oldest first");

    // With a budget of two pages the run says it did not reach since.
    let out = search(&q("acme"), &[src(&p)], &opts.clone().max_pages(2), t0())
        .await
        .unwrap();
    assert_eq!(out.matches.len(), 20);
    assert!(out.channels[0].truncated);
    assert_eq!(out.channels[0].calls, 2);
}

#[tokio::test]
async fn results_found_by_two_searches_come_once() {
    let p = Searchable::new("words", SearchLimits::default());
    p.add("1", "acme anvil", t0() - Duration::minutes(2));
    p.add("2", "acme", t0() - Duration::minutes(1));
    p.add("3", "anvil", t0());
    let out = search(
        &q("acme OR anvil"),
        &[src(&p)],
        &SearchOptions::default(),
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(ids(&out), ["1", "2", "3"]);
    let r = &out.channels[0];
    assert_eq!((r.fetched, r.matched), (4, 3));
}

#[tokio::test]
async fn a_repeated_cursor_is_fine_while_pages_bring_news_and_an_error_when_they_stop() {
    /// Like Instagram's recent media: the same `after` value on every page. From the third
    /// call on it repeats its second page: a loop.
    #[derive(Debug)]
    struct Repeat(Capabilities, Mutex<usize>);
    #[async_trait]
    impl Platform for Repeat {
        fn capabilities(&self) -> &Capabilities {
            &self.0
        }
        async fn channel(&self) -> Result<Channel> {
            Err(Error::unsupported("repeat", "channel"))
        }
        async fn publish(&self, _: &Post, _: &PublishOptions) -> Result<Published> {
            Err(Error::unsupported("repeat", "publish"))
        }
        async fn search(&self, _: &SearchQuery) -> Result<Page<Interaction>> {
            let n = {
                let mut calls = self.1.lock().unwrap();
                *calls += 1;
                (*calls).min(2)
            };
            Ok(Page {
                items: vec![post("repeat", &n.to_string(), "acme", t0())],
                next_cursor: Some("same".into()),
                has_more: true,
            })
        }
    }
    let mut caps = Capabilities::new("repeat", TextRule::new(Counting::Graphemes, 10));
    caps.search = Some(SearchLimits::default());
    let out = search(
        &q("acme"),
        &[Source::new("repeat", Arc::new(Repeat(caps, Mutex::new(0))))],
        &SearchOptions::default(),
        t0(),
    )
    .await
    .unwrap();
    let r = &out.channels[0];
    assert_eq!(r.error.as_ref().unwrap().kind, ErrorKind::Unexpected);
    assert_eq!(r.calls, 3);
    assert_eq!(ids(&out), ["1", "2"]);
}

#[tokio::test]
async fn a_watcher_resumes_after_a_restart_with_equal_timestamps_at_page_edges() {
    let p = Searchable::new(
        "words",
        SearchLimits {
            max_page: 2,
            ..SearchLimits::default()
        },
    );
    let t = t0() - Duration::minutes(30);
    p.add("old", "acme", t - Duration::minutes(1));
    for id in ["a", "b", "c", "d", "e"] {
        p.add(id, "acme news", t);
    }
    p.add("nope", "acme jobs", t);
    let query = q("acme -jobs");
    let sources = [src(&p)];
    let mut w = Watcher::new(WatchConfig::default());
    let first = w.poll(&query, &sources, t0()).await.unwrap();
    assert_eq!(ids(&first), ["old", "a", "b", "c", "d", "e"]);
    let mark = w.state().mark("words", &query).unwrap();
    assert_eq!(mark.newest, Some(t));
    assert_eq!(mark.ids.len(), 5, "the ids at the newest instant");

    // Restart: the marks go through JSON.
    let json = serde_json::to_string(w.state()).unwrap();
    let state: WatchState = serde_json::from_str(&json).unwrap();
    let mut w = Watcher::with_state(WatchConfig::default(), state);

    // Nothing new: nothing returned, though the same-instant posts are read again.
    let again = w.poll(&query, &sources, t0()).await.unwrap();
    assert!(again.matches.is_empty(), "{:?}", ids(&again));

    // Two more posts at the very same instant (they sort between the old ones at page
    // edges) and one later.
    p.add("bb", "acme news", t);
    p.add("f", "acme news", t);
    p.add("g", "acme later", t + Duration::seconds(1));
    let before = p.sent().len();
    let next = w.poll(&query, &sources, t0()).await.unwrap();
    assert_eq!(ids(&next), ["bb", "f", "g"]);
    assert!(p.sent()[before..].iter().all(|s| s.since == Some(t)));
    let mark = w.state().mark("words", &query).unwrap();
    assert_eq!(mark.newest, Some(t + Duration::seconds(1)));
    assert_eq!(mark.ids.keys().collect::<Vec<_>>(), ["g"]);
    let last = w.poll(&query, &sources, t0()).await.unwrap();
    assert!(last.matches.is_empty());
}

#[tokio::test]
async fn an_overlap_catches_posts_the_index_shows_late() {
    let p = Searchable::new("lagging", SearchLimits::default());
    let t = t0() - Duration::minutes(10);
    p.add("1", "acme", t);
    let cfg = WatchConfig {
        overlap_secs: 300,
        ..WatchConfig::default()
    };
    let mut w = Watcher::new(cfg);
    let query = q("acme");
    assert_eq!(ids(&w.poll(&query, &[src(&p)], t0()).await.unwrap()), ["1"]);
    // A post two minutes older than the newest shows up in the index only now.
    p.add("late", "acme", t - Duration::minutes(2));
    let next = w.poll(&query, &[src(&p)], t0()).await.unwrap();
    assert_eq!(ids(&next), ["late"]);
    assert!(
        w.poll(&query, &[src(&p)], t0())
            .await
            .unwrap()
            .matches
            .is_empty()
    );
}

#[tokio::test]
async fn a_rate_limit_on_one_platform_loses_nothing_of_the_others() {
    let a = Searchable::new(
        "a",
        SearchLimits {
            max_page: 2,
            ..SearchLimits::default()
        },
    );
    let b = Searchable::new("b", SearchLimits::default());
    for k in 0..5 {
        a.add(&format!("a{k}"), "#acme", t0() - Duration::minutes(10 - k));
        b.add(&format!("b{k}"), "#acme", t0() - Duration::minutes(10 - k));
    }
    // The second page of `a` is refused.
    a.fail_call(2, rate_limited("a"));
    let sources = [src(&a), src(&b)];
    let query = q("#acme");
    let mut w = Watcher::new(WatchConfig::default());
    let first = w.poll(&query, &sources, t0()).await.unwrap();
    assert_eq!(ids(&first), ["b0", "b1", "b2", "b3", "b4"]);
    let errors: Vec<_> = first.errors().collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "a");
    assert_eq!(errors[0].1.kind, ErrorKind::RateLimited);
    assert_eq!(errors[0].1.context.http_status, Some(429));
    assert!(errors[0].1.retry_after.is_some());
    assert_eq!(first.channels[0].calls, 2);
    assert!(
        w.state().mark("a", &query).is_none(),
        "a's mark did not move"
    );

    // Meanwhile new posts arrive on both.
    a.add("a5", "#acme", t0() - Duration::minutes(1));
    b.add("b5", "#acme", t0() - Duration::minutes(1));
    let second = w.poll(&query, &sources, t0()).await.unwrap();
    assert!(second.errors().next().is_none());
    assert_eq!(ids(&second), ["a0", "a1", "a2", "a3", "a4", "a5", "b5"]);
    let all: HashSet<String> = ids(&first).into_iter().chain(ids(&second)).collect();
    assert_eq!(all.len(), 12, "every post exactly once");
}

#[tokio::test]
async fn a_burst_of_negative_matches_raises_a_crisis() {
    let p = Searchable::new(
        "busy",
        SearchLimits {
            max_page: 100,
            ..SearchLimits::default()
        },
    );
    let start = t0() - Duration::days(8);
    // Eight quiet days: six matches an hour, one in six negative; plus chatter that the
    // query's NOT removes.
    for (n, minute) in (0..8 * 24 * 60).step_by(10).enumerate() {
        let text = if n % 6 == 5 {
            "#acme anvil broke, terrible and awful"
        } else {
            "love my #acme anvil, great quality"
        };
        p.add(&format!("q{n}"), text, start + Duration::minutes(minute));
        if n % 10 == 0 {
            p.add(
                &format!("j{n}"),
                "#acme job offer: terrible hours",
                start + Duration::minutes(minute),
            );
        }
    }
    let cfg = CrisisConfig {
        switch_crisis_mode: true,
        ..CrisisConfig::default()
    };
    let watch = WatchConfig {
        lookback_secs: 9 * 86_400,
        options: SearchOptions::default().page_size(100).max_pages(50),
        ..WatchConfig::default()
    };
    let mut l = Listener::new(q("#acme -job"), watch, cfg, Duration::hours(1)).unwrap();
    let quiet = l.poll(&[src(&p)], t0()).await.unwrap();
    assert_eq!(quiet.outcome.matches.len(), 8 * 24 * 6);
    assert!(quiet.signals.is_empty(), "{:?}", quiet.signals);
    assert!(quiet.sentiment.iter().all(Option::is_some));
    assert!(quiet.outcome.channels[0].is_complete());

    // Then 120 matches within an hour, three in four negative.
    for k in 0..120 {
        let text = if k % 4 == 0 {
            "#acme anvil is great"
        } else {
            "#acme recall?! my anvil exploded, awful and dangerous"
        };
        p.add(&format!("burst{k}"), text, t0() + Duration::seconds(k * 30));
    }
    let crisis = l
        .poll(&[src(&p)], t0() + Duration::minutes(90))
        .await
        .unwrap();
    assert_eq!(crisis.outcome.matches.len(), 120);
    assert_eq!(crisis.signals.len(), 1, "{:?}", crisis.signals);
    let s = &crisis.signals[0];
    assert!(s.switch_crisis_mode);
    let share = s
        .deviation(crate::listen::crisis::Indicator::NegativeShare)
        .unwrap();
    assert!(share.value > 0.6, "{share:?}");
    assert!(share.baseline < 0.25, "{share:?}");
    assert!(!s.samples.is_empty());
    assert!(s.samples.iter().all(|r| r.id.starts_with("burst")));
    let burst_volume: u64 = l
        .series()
        .buckets()
        .iter()
        .filter(|b| b.start >= t0())
        .map(|b| b.count)
        .sum();
    assert_eq!(burst_volume, 120);
    // The marks survive a restart of the listener.
    let state = l.watcher().state().clone();
    let mut again = Listener::new(
        q("#acme -job"),
        l.watcher().config().clone(),
        CrisisConfig::default(),
        Duration::hours(1),
    )
    .unwrap()
    .with_state(state);
    let none = again
        .poll(&[src(&p)], t0() + Duration::minutes(91))
        .await
        .unwrap();
    assert!(none.outcome.matches.is_empty());
}
