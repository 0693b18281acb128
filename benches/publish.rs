//! The publish path against a twin on loopback, beside a raw reqwest call of the same request.
//!
//! `cargo bench --bench publish --all-features` (or `--features mastodon,testkit`,
//! `--features bluesky,testkit`)
//!
//! Each platform has its own function; the overhead ratio is socialkit's time over the raw
//! call's (both include the twin's own work and the loopback round trip).

use criterion::{Criterion, criterion_group, criterion_main};

/// Which side a profiling run sends (see `profile_side`).
#[derive(Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // unused when neither adapter feature is on
enum Side {
    Socialkit,
    Raw,
}

/// `PUBLISH_PROFILE=<side>` and `PUBLISH_ONLY=<platform>` (optional; default every platform)
/// ask for a profiling run of `PUBLISH_N` (default 2000) publishes on one side; `None` for a
/// normal bench run.
#[allow(dead_code)]
fn profile_side(platform: &str) -> Option<(Side, usize)> {
    let side = match std::env::var("PUBLISH_PROFILE").ok()?.as_str() {
        "socialkit" => Side::Socialkit,
        "raw" => Side::Raw,
        other => panic!("PUBLISH_PROFILE is socialkit or raw, not {other:?}"),
    };
    if std::env::var("PUBLISH_ONLY").is_ok_and(|only| only != platform) {
        return Some((side, 0));
    }
    let n = std::env::var("PUBLISH_N")
        .map(|n| n.parse().expect("PUBLISH_N is a count"))
        .unwrap_or(2000);
    Some((side, n))
}

#[cfg(feature = "mastodon")]
const TEXT: &str =
    "Our new anvil is here: 50 kg of forged steel. https://acme.example/anvil #anvils";

/// Mastodon: `Platform::publish` of a text post (validation with the Mastodon counting rule,
/// JSON body, Idempotency-Key, the shared HTTP layer, the Status parsed into a `Published`)
/// against `POST /api/v1/statuses` sent with reqwest directly (same JSON, same headers, body
/// read as bytes). Each side gets its own twin, so neither sees the other's statuses.
#[cfg(feature = "mastodon")]
fn mastodon_publish(c: &mut Criterion) {
    use std::sync::atomic::{AtomicU64, Ordering};

    use socialkit::Platform;
    use socialkit::adapters::mastodon::Mastodon;
    use socialkit::adapters::mastodon::twin::{Twin, TwinOptions};
    use socialkit::model::{Post, PublishOptions};

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let options = TwinOptions::default();
    let (twin_a, twin_b) = rt.block_on(async {
        (
            Twin::start_with(options.clone()).await.unwrap(),
            Twin::start_with(options).await.unwrap(),
        )
    });
    let mastodon = rt.block_on(Mastodon::connect(twin_a.config())).unwrap();
    let raw = reqwest::Client::new();
    let raw_url = twin_b.url().join("api/v1/statuses").unwrap();
    let raw_auth = format!("Bearer {}", twin_b.token());
    let counter = AtomicU64::new(0);

    // `PUBLISH_PROFILE=socialkit|raw` (and `PUBLISH_N`, default 2000): only that side, N times,
    // then nothing else: one run per side under callgrind or perf, whose difference is
    // socialkit's own cost.
    if let Some((side, n)) = profile_side("mastodon") {
        rt.block_on(async {
            for i in 0..n {
                if side == Side::Socialkit {
                    let opts = PublishOptions::with_key(format!("profile-{i}"));
                    mastodon.publish(&Post::text(TEXT), &opts).await.unwrap();
                } else {
                    let body = serde_json::json!({"status": TEXT, "visibility": "public"});
                    let r = raw
                        .post(raw_url.clone())
                        .header("Authorization", &raw_auth)
                        .header("Idempotency-Key", format!("profile-{i}-0"))
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success());
                    r.bytes().await.unwrap();
                }
            }
        });
        return;
    }

    // The machine is shared (other builds and benches run beside this one), so the ratio is
    // also measured interleaved: blocks of each side alternate, and the median of the per-round
    // ratios is printed. Load that comes and goes hits both sides of a round alike.
    rt.block_on(async {
        const ROUNDS: usize = 25;
        const BLOCK: usize = 40;
        let mut ratios = Vec::with_capacity(ROUNDS);
        let (mut total_sk, mut total_raw) = (0.0, 0.0);
        for round in 0..ROUNDS {
            let t = std::time::Instant::now();
            for i in 0..BLOCK {
                let opts = PublishOptions::with_key(format!("inter-{round}-{i}"));
                mastodon.publish(&Post::text(TEXT), &opts).await.unwrap();
            }
            let sk = t.elapsed().as_secs_f64() / BLOCK as f64;
            let t = std::time::Instant::now();
            for i in 0..BLOCK {
                let body = serde_json::json!({"status": TEXT, "visibility": "public"});
                let r = raw
                    .post(raw_url.clone())
                    .header("Authorization", &raw_auth)
                    .header("Idempotency-Key", format!("inter-{round}-{i}-0"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success());
                r.bytes().await.unwrap();
            }
            let rw = t.elapsed().as_secs_f64() / BLOCK as f64;
            if round > 0 {
                ratios.push(sk / rw);
                total_sk += sk;
                total_raw += rw;
            }
        }
        ratios.sort_by(|a, b| a.total_cmp(b));
        let n = ratios.len();
        println!(
            "mastodon publish, interleaved ({} rounds of {BLOCK}): socialkit {:.1} µs, raw reqwest {:.1} µs per publish; \
             overhead ratio median {:.2} (p25 {:.2}, p75 {:.2})",
            n,
            total_sk / n as f64 * 1e6,
            total_raw / n as f64 * 1e6,
            ratios[n / 2],
            ratios[n / 4],
            ratios[3 * n / 4]
        );
    });

    let mut group = c.benchmark_group("mastodon_publish");
    group.bench_function("socialkit", |b| {
        b.to_async(&rt).iter(|| async {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let opts = PublishOptions::with_key(format!("bench-{n}"));
            mastodon.publish(&Post::text(TEXT), &opts).await.unwrap()
        })
    });
    group.bench_function("raw_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let body = serde_json::json!({"status": TEXT, "visibility": "public"});
            let response = raw
                .post(raw_url.clone())
                .header("Authorization", &raw_auth)
                .header("Idempotency-Key", format!("bench-{n}-0"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success());
            response.bytes().await.unwrap()
        })
    });
    group.finish();
}

#[cfg(not(feature = "mastodon"))]
fn mastodon_publish(_c: &mut Criterion) {}

/// Bluesky: `Platform::publish` of a text post with a hashtag (validation with graphemes and
/// bytes, facets from the text rules, a record key, the record JSON, the shared HTTP layer with
/// the cached session, the answer parsed into a `Published`) against
/// `com.atproto.repo.createRecord` sent with reqwest directly (the same record with its facet,
/// the same bearer token, the answer parsed as JSON). Each side gets its own twin.
#[cfg(feature = "bluesky")]
fn bluesky_publish(c: &mut Criterion) {
    use socialkit::adapters::bluesky::twin::{BlueskyTwin, TwinOptions};
    use socialkit::adapters::bluesky::{Bluesky, Tid};
    use socialkit::model::{Post, PublishOptions};
    use socialkit::{Platform, auth::Secret};

    const TEXT: &str = "Benchmarking the publish path of socialkit against the Bluesky twin #bench";
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // No rate limit: the bench sends far more than a PDS's 3000 requests per 5 minutes.
    let options = TwinOptions {
        rate_limit: u32::MAX,
        ..TwinOptions::default()
    };
    let (twin_a, twin_b) = rt.block_on(async {
        (
            BlueskyTwin::start_with(options.clone()).await.unwrap(),
            BlueskyTwin::start_with(options).await.unwrap(),
        )
    });
    let bluesky = Bluesky::from_url(&twin_a.channel_url("alice.test").unwrap()).unwrap();
    rt.block_on(bluesky.sign_in()).unwrap();
    // The raw side signs in once too and reuses the token.
    let raw_side = Bluesky::from_url(&twin_b.channel_url("alice.test").unwrap()).unwrap();
    let session = rt.block_on(raw_side.sign_in()).unwrap();
    let token: Secret = session.access_jwt.clone();
    let did = session.did.clone();
    let raw = reqwest::Client::new();
    let raw_url = twin_b
        .url()
        .join("xrpc/com.atproto.repo.createRecord")
        .unwrap();
    let tag_start = TEXT.find("#bench").unwrap();
    let raw_publish = || {
        let body = serde_json::json!({
            "repo": did,
            "collection": "app.bsky.feed.post",
            "rkey": Tid::now().to_string(),
            "record": {
                "$type": "app.bsky.feed.post",
                "text": TEXT,
                "createdAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "facets": [{"index": {"byteStart": tag_start, "byteEnd": tag_start + 6},
                            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "bench"}]}]
            }
        });
        let request = raw
            .post(raw_url.clone())
            .bearer_auth(token.expose())
            .json(&body);
        async move {
            let r = request.send().await.unwrap();
            assert!(r.status().is_success());
            r.json::<serde_json::Value>().await.unwrap()
        }
    };

    if let Some((side, n)) = profile_side("bluesky") {
        rt.block_on(async {
            for _ in 0..n {
                if side == Side::Socialkit {
                    bluesky
                        .publish(&Post::text(TEXT), &PublishOptions::default())
                        .await
                        .unwrap();
                } else {
                    raw_publish().await;
                }
            }
        });
        return;
    }

    // Interleaved blocks, median of the per-round ratios (the machine is shared).
    rt.block_on(async {
        const ROUNDS: usize = 25;
        const BLOCK: usize = 40;
        let mut ratios = Vec::with_capacity(ROUNDS);
        let (mut total_sk, mut total_raw) = (0.0, 0.0);
        for round in 0..ROUNDS {
            let t = std::time::Instant::now();
            for _ in 0..BLOCK {
                bluesky
                    .publish(&Post::text(TEXT), &PublishOptions::default())
                    .await
                    .unwrap();
            }
            let sk = t.elapsed().as_secs_f64() / BLOCK as f64;
            let t = std::time::Instant::now();
            for _ in 0..BLOCK {
                raw_publish().await;
            }
            let rw = t.elapsed().as_secs_f64() / BLOCK as f64;
            if round > 0 {
                ratios.push(sk / rw);
                total_sk += sk;
                total_raw += rw;
            }
        }
        ratios.sort_by(|a, b| a.total_cmp(b));
        let n = ratios.len();
        println!(
            "bluesky publish, interleaved ({n} rounds of {BLOCK}): socialkit {:.1} µs, raw reqwest {:.1} µs per publish; \
             overhead ratio median {:.2} (p25 {:.2}, p75 {:.2})",
            total_sk / n as f64 * 1e6,
            total_raw / n as f64 * 1e6,
            ratios[n / 2],
            ratios[n / 4],
            ratios[3 * n / 4]
        );
    });

    let mut group = c.benchmark_group("bluesky_publish");
    group.bench_function("socialkit", |b| {
        b.to_async(&rt).iter(|| async {
            bluesky
                .publish(&Post::text(TEXT), &PublishOptions::default())
                .await
                .unwrap()
        })
    });
    group.bench_function("raw_reqwest", |b| b.to_async(&rt).iter(&raw_publish));
    group.finish();
}

#[cfg(not(feature = "bluesky"))]
fn bluesky_publish(_c: &mut Criterion) {}

criterion_group!(benches, mastodon_publish, bluesky_publish);
criterion_main!(benches);
