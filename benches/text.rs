//! Throughput of the hot text paths over a multilingual corpus of about 100 KB: X's weighted
//! length (run on every keystroke by composers) and Bluesky facet detection.

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

fn corpus() -> String {
    let mut text = String::new();
    let mut k = 0;
    while text.len() < 100_000 {
        text.push_str(POSTS[k % POSTS.len()]);
        text.push(if k % 3 == 0 { '\n' } else { ' ' });
        k += 1;
    }
    text
}

fn bench(c: &mut Criterion) {
    let text = corpus();
    let posts: Vec<&str> = POSTS.to_vec();
    let post_bytes: usize = posts.iter().map(|p| p.len()).sum();

    let mut g = c.benchmark_group("text");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("x_weighted_length/corpus_100k", |b| {
        b.iter(|| x::weighted_length(black_box(&text)))
    });
    g.bench_function("bluesky_detect_facets/corpus_100k", |b| {
        b.iter(|| bluesky::detect_facets(black_box(&text)))
    });
    g.bench_function("mastodon_length/corpus_100k", |b| {
        b.iter(|| mastodon::length(black_box(&text)))
    });
    g.throughput(Throughput::Bytes(post_bytes as u64));
    g.bench_function("x_weighted_length/per_post", |b| {
        b.iter(|| {
            posts
                .iter()
                .map(|p| x::weighted_length(black_box(p)))
                .sum::<usize>()
        })
    });
    g.bench_function("bluesky_detect_facets/per_post", |b| {
        b.iter(|| {
            posts
                .iter()
                .map(|p| bluesky::detect_facets(black_box(p)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
