//! Classification (intent, priority, rules) plus sentiment throughput, in interactions per
//! second, over a realistic mix of English and German mentions, replies and DMs.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use socialkit::listen::classify::{Classifier, Rule};
use socialkit::listen::sentiment::{Analyzer, Language};
use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};

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

criterion_group!(benches, bench);
criterion_main!(benches);
