//! The publish path against a platform twin on loopback, beside a raw reqwest call of the same
//! request: the difference is socialkit's overhead (validation, facets, record building, the
//! shared HTTP layer, error mapping, session handling).
//!
//! `cargo bench --bench publish --features bluesky,testkit`

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

#[cfg(all(feature = "bluesky", feature = "testkit"))]
fn bluesky(c: &mut Criterion) {
    use socialkit::adapters::bluesky::Bluesky;
    use socialkit::adapters::bluesky::twin::{BlueskyTwin, TwinOptions};
    use socialkit::model::Post;
    use socialkit::{Platform, PublishOptions};

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (twin, alice, session) = rt.block_on(async {
        // No rate limit: the bench sends far more than the PDS's 3000 per 5 minutes.
        let twin = BlueskyTwin::start_with(TwinOptions {
            rate_limit: u32::MAX,
            ..TwinOptions::default()
        })
        .await
        .expect("twin");
        let alice =
            Bluesky::from_url(&twin.channel_url("alice.test").expect("alice")).expect("adapter");
        let session = alice.sign_in().await.expect("session");
        (twin, alice, session)
    });
    let text = "Benchmarking the publish path of socialkit against the Bluesky twin #bench";
    let mut group = c.benchmark_group("publish/bluesky");
    group.measurement_time(Duration::from_secs(8));

    group.bench_function("socialkit", |b| {
        b.to_async(&rt).iter(|| async {
            alice
                .publish(&Post::text(text), &PublishOptions::default())
                .await
                .expect("publish")
        })
    });

    // The same createRecord by hand: one reqwest client, the same JSON record (with the tag
    // facet socialkit adds), parsed answer.
    let raw = reqwest::Client::new();
    let url = format!("{}xrpc/com.atproto.repo.createRecord", twin.url());
    let token = session.access_jwt.expose().to_string();
    let did = session.did.clone();
    group.bench_function("raw_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            let body = serde_json::json!({
                "repo": did,
                "collection": "app.bsky.feed.post",
                "rkey": socialkit::adapters::bluesky::Tid::now().to_string(),
                "record": {
                    "$type": "app.bsky.feed.post",
                    "text": text,
                    "createdAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "facets": [{"index": {"byteStart": 68, "byteEnd": 74},
                                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "bench"}]}]
                }
            });
            let r = raw
                .post(&url)
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .expect("send");
            assert!(r.status().is_success());
            r.json::<serde_json::Value>().await.expect("json")
        })
    });
    group.finish();
    drop(twin);
}

#[cfg(not(all(feature = "bluesky", feature = "testkit")))]
fn bluesky(_c: &mut Criterion) {}

criterion_group!(benches, bluesky);
criterion_main!(benches);
