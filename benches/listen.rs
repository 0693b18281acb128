//! Classification (intent, priority, rules) plus sentiment throughput, in interactions per
//! second, over a realistic mix of English and German mentions, replies and DMs; and listening
//! over platform search (cover, page, dedupe, filter), in matches per second, over an
//! in-memory platform.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use socialkit::listen::classify::{Classifier, Rule};
use socialkit::listen::query::{Document, Query};
use socialkit::listen::search::{SearchOptions, Source, search};
use socialkit::listen::sentiment::{Analyzer, Language};
use socialkit::model::{
    Author, Channel, Interaction, InteractionKind, InteractionRef, Page, Post, PublishOptions,
    Published, SearchLimits, SearchQuery,
};
use socialkit::platform::{Capabilities, Platform};
use socialkit::text::{Counting, TextRule};
use socialkit::{Error, Result};

const TEXTS: &[(&str, Option<&str>)] = &[
    (
        "@acme where is my order? It's been two weeks and still nothing!!",
        None,
    ),
    ("Thanks @acme, the new anvil is AWESOME 😍", None),
    ("@acme how do I reset my password?", None),
    (
        "Your app keeps crashing since the update. Unacceptable. I want a refund.",
        Some("en"),
    ),
    (
        "Huge crypto giveaway 🚀 passive income, DM me https://x.example https://y.example",
        None,
    ),
    ("Just picked up my order at the store, nice staff.", None),
    (
        "@acme Wo bleibt meine Bestellung? Ich warte seit einer Woche!",
        Some("de"),
    ),
    (
        "Vielen Dank für die schnelle Hilfe, super Service!",
        Some("de"),
    ),
    ("Die App funktioniert nicht, total enttäuscht.", None),
    ("Is the store open on Sunday?", None),
    ("Not bad at all, but the delivery was kind of slow", None),
    ("#acme #anvil #sale #deal #win #free #follow", None),
    (
        "I love you guys but this is the third time my package arrived damaged :(",
        None,
    ),
    ("Kann man bei euch auch mit PayPal zahlen?", Some("de")),
    ("Meh.", None),
    (
        "Worst customer service ever. Never again. My lawyer will hear about this.",
        None,
    ),
];

fn mix() -> Vec<Interaction> {
    let kinds = [
        InteractionKind::Mention,
        InteractionKind::Reply,
        InteractionKind::DirectMessage,
        InteractionKind::Comment,
    ];
    (0..1024)
        .map(|k| {
            let (text, lang) = TEXTS[k % TEXTS.len()];
            Interaction {
                reference: InteractionRef::new("sandbox", format!("i{k}")),
                kind: kinds[k % kinds.len()],
                author: Author {
                    id: format!("u{k}"),
                    handle: format!("user{}", k % 97),
                    followers: Some((k as u64 * 7919) % 250_000),
                    ..Default::default()
                },
                text: Some(text.to_string()),
                created_at: chrono::Utc::now(),
                post: None,
                conversation: None,
                language: lang.map(str::to_string),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let items = mix();
    let rules: Vec<Rule> = serde_json::from_str(
        r#"[{"name": "billing", "when": {"query": "refund* OR invoice OR \"charged twice\""}, "then": [{"tag": "billing"}]},
            {"name": "vip", "when": {"min_followers": 100000}, "then": ["raise_priority"]},
            {"name": "legal", "when": {"query": "lawyer OR anwalt"}, "then": [{"assign": "legal"}, {"priority": "urgent"}]}]"#,
    )
    .expect("rules");
    let classifier = Classifier::new().with_rules(rules);
    let english = Analyzer::new(Language::English);

    let mut g = c.benchmark_group("listen");
    g.throughput(Throughput::Elements(items.len() as u64));
    g.bench_function("sentiment_en_1024", |b| {
        b.iter(|| {
            items
                .iter()
                .map(|i| {
                    english
                        .polarity_scores(i.text.as_deref().unwrap_or(""))
                        .compound
                })
                .sum::<f64>()
        })
    });
    g.bench_function("classify_1024", |b| {
        b.iter(|| {
            items
                .iter()
                .map(|i| classifier.classify(i).priority_score)
                .sum::<f64>()
        })
    });
    g.finish();
}

/// Posts held newest first with their prepared documents; a search scans them, a cursor is
/// the index to continue at.
#[derive(Debug)]
struct Archive {
    caps: Capabilities,
    posts: Vec<(Interaction, Document)>,
}

#[async_trait]
impl Platform for Archive {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
    async fn channel(&self) -> Result<Channel> {
        Err(Error::unsupported("archive", "channel"))
    }
    async fn publish(&self, _: &Post, _: &PublishOptions) -> Result<Published> {
        Err(Error::unsupported("archive", "publish"))
    }
    async fn search(&self, q: &SearchQuery) -> Result<Page<Interaction>> {
        let from: usize = q.cursor.as_deref().map_or(Ok(0), str::parse).unwrap_or(0);
        let mut items = Vec::with_capacity(q.limit);
        let mut at = from;
        while at < self.posts.len() && items.len() < q.limit {
            let (i, d) = &self.posts[at];
            at += 1;
            if q.since.is_some_and(|s| i.created_at < s) {
                at = self.posts.len();
                break;
            }
            if q.hashtags().all(|h| d.has_hashtag(h))
                && q.mentions().all(|m| d.has_mention(m))
                && q.words().all(|w| d.has_word(w))
            {
                items.push(i.clone());
            }
        }
        Ok(Page {
            items,
            next_cursor: Some(at.to_string()),
            has_more: at < self.posts.len(),
        })
    }
}

const CHATTER: &[&str] = &[
    "#acme outage again, nothing loads",
    "@acme is down for me too",
    "my #acme anvil arrived broken",
    "@acme job opening: support engineer, outage duty",
    "lovely weather today",
    "#acme new colours look great",
    "is @acme down or is it just me?",
    "the train is down again",
];

fn archive(now: DateTime<Utc>, n: usize) -> Archive {
    let mut caps = Capabilities::new("archive", TextRule::new(Counting::Graphemes, 500));
    caps.search = Some(SearchLimits {
        max_page: 100,
        ..SearchLimits::default()
    });
    let posts = (0..n)
        .map(|k| {
            let text = CHATTER[k % CHATTER.len()];
            let i = Interaction {
                reference: InteractionRef::new("archive", format!("p{k}")),
                kind: InteractionKind::Post,
                author: Author::default(),
                text: Some(text.into()),
                created_at: now - Duration::seconds(k as i64 * 60),
                post: None,
                conversation: None,
                language: None,
            };
            (i, Document::new(text))
        })
        .collect();
    Archive { caps, posts }
}

fn bench_search(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
    let sources = [Source::new("archive", Arc::new(archive(now, 10_000)))];
    let query =
        Query::parse("(#acme OR @acme) AND (outage OR down OR broken) -job").expect("query");
    let options = SearchOptions::default()
        .since(now - Duration::days(7))
        .page_size(100)
        .max_pages(100);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let matches = rt
        .block_on(search(&query, &sources, &options, now))
        .expect("search")
        .matches
        .len();
    let mut g = c.benchmark_group("listen_search");
    g.throughput(Throughput::Elements(matches as u64));
    g.bench_function(
        format!("query_6_searches_10k_posts_{matches}_matches"),
        |b| {
            b.to_async(&rt).iter(|| async {
                search(&query, &sources, &options, now)
                    .await
                    .expect("search")
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench, bench_search);
criterion_main!(benches);
