//! Throughput of the hot text paths: X's weighted length (run on every keystroke by
//! composers) and Bluesky's facets + grapheme count, on the corpus the references answered
//! (`tests/data/text/corpus.jsonl`: multilingual posts, emoji of every Unicode version, URLs,
//! mentions, tags, character soups), one call per post, and on a repeated realistic post mix.
//!
//! `tools/text-reference/speed.sh` runs the references (Node) on the same corpus and this
//! bench in one run and prints the ratios.

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use socialkit::text::{bluesky, mastodon, x};

/// Realistic posts: English, German, Japanese, Arabic, emoji sequences, URLs with and without
/// protocol, mentions, hashtags and cashtags.
const POSTS: &[&str] = &[
    "Shipping the new release today 🚀 Notes at https://example.com/blog/release-2-0?utm_source=x #rust #opensource",
    "Thanks @alice.bsky.social and @bob for the review! Details: github.com/socialkit/socialkit/pull/42.",
    "Guten Morgen! Heute gibt's Brötchen, Kaffee und Grüße aus Köln 🥐☕ Mehr unter www.beispiel.de/fruehstueck #Köln",
    "Die Straßenbahn fährt wieder; Verspätung ca. 15 Min. Infos: https://kvb.koeln/aktuell (Stand 08:15)",
    "今日は良い天気ですね。新しいブログ記事を書きました👉 https://example.jp/記事/123 #日本語 ＃テスト",
    "東京でイベントを開催します！詳細はこちら：example.co.jp/event 参加お待ちしています🎉🎌",
    "مرحبا بالجميع! نحن سعداء بإطلاق الإصدار الجديد اليوم. تفاصيل: https://example.com/ar #إطلاق",
    "صباح الخير ☀️ كيف حالكم اليوم؟ @sara شكرا على المساعدة",
    "Family day 👨‍👩‍👧‍👦🇩🇪🇯🇵 with 👍🏽 and keycaps 1️⃣2️⃣3️⃣ — stock $AAPL up, $MSFT flat.",
    "Read the thread 🧵👇 (1/5): why text length differs on every platform, and what t.co/abc123 does to it.",
];

/// The texts of the differential corpus.
fn corpus() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/text/corpus.jsonl");
    let data = std::fs::read_to_string(path).expect("tests/data/text/corpus.jsonl");
    data.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["text"].as_str().expect("text").to_string()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    let corpus_bytes: usize = texts.iter().map(String::len).sum();
    let posts: Vec<String> = (0..200)
        .map(|k| POSTS[k % POSTS.len()].to_string())
        .collect();
    let post_bytes: usize = posts.iter().map(String::len).sum();

    let mut g = c.benchmark_group("text");
    for (name, set, bytes) in [
        ("corpus", &texts, corpus_bytes),
        ("posts", &posts, post_bytes),
    ] {
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function(format!("x_weighted_length/{name}"), |b| {
            b.iter(|| {
                set.iter()
                    .map(|t| x::weighted_length(black_box(t)))
                    .sum::<usize>()
            })
        });
        g.bench_function(format!("bluesky_facets_graphemes/{name}"), |b| {
            b.iter(|| {
                set.iter()
                    .map(|t| {
                        let t = black_box(t);
                        bluesky::detect_facets(t).len() + bluesky::grapheme_length(t)
                    })
                    .sum::<usize>()
            })
        });
        g.bench_function(format!("mastodon_length/{name}"), |b| {
            b.iter(|| {
                set.iter()
                    .map(|t| mastodon::length(black_box(t)))
                    .sum::<usize>()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
