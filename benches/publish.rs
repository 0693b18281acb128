//! The publish path against a twin on loopback, beside a raw reqwest call of the same request.
//!
//! `cargo bench --bench publish --all-features` (or one platform's feature with `testkit`,
//! e.g. `--features mastodon,testkit`)
//!
//! Each platform has its own function: `Platform::publish` of the cheapest post the platform
//! takes (text where it can, an image by URL where a post needs media) against its twin, beside
//! reqwest sending the same requests (same method, URL, headers, body) to a second twin of the
//! same platform. The overhead ratio is socialkit's time over the raw call's (both include the
//! twin's own work and the loopback round trip). The raw bodies are built once where they do
//! not change (a hand-written client would do the same); what changes per request (a key, a
//! record id, a timestamp, a counter in texts the platform deduplicates) is formatted in.
//!
//! Environment:
//! - `PUBLISH_ONLY=<platform>`: only that platform (all of them otherwise);
//! - `PUBLISH_PROFILE=socialkit|raw` and `PUBLISH_N` (default 2000): send only that side, N
//!   times, and nothing else — one run per side under callgrind or perf, whose difference is
//!   socialkit's own cost;
//! - `PUBLISH_CRITERION=0`: print only the interleaved comparison (skip criterion's groups);
//! - `PUBLISH_RAW_BARE=1`: the raw side's client without the timeouts socialkit's default
//!   configuration sets (see `raw_client`).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;

/// Which side a profiling run sends (see `profile_side`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Socialkit,
    Raw,
}

/// What this run does for `platform`.
enum Mode {
    /// Nothing (another platform was asked for).
    Skip,
    /// `n` publishes on one side only.
    Profile(Side, usize),
    /// The interleaved comparison, then criterion's groups unless `PUBLISH_CRITERION=0`.
    Bench { criterion: bool },
}

fn mode(platform: &str) -> Mode {
    if std::env::var("PUBLISH_ONLY").is_ok_and(|only| only != platform) {
        return Mode::Skip;
    }
    let Ok(side) = std::env::var("PUBLISH_PROFILE") else {
        let criterion = std::env::var("PUBLISH_CRITERION").map_or(true, |v| v != "0");
        return Mode::Bench { criterion };
    };
    let side = match side.as_str() {
        "socialkit" => Side::Socialkit,
        "raw" => Side::Raw,
        other => panic!("PUBLISH_PROFILE is socialkit or raw, not {other:?}"),
    };
    let n = std::env::var("PUBLISH_N")
        .map(|n| n.parse().expect("PUBLISH_N is a count"))
        .unwrap_or(2000);
    Mode::Profile(side, n)
}

/// A number never used before in this process: texts, keys and record ids that must differ
/// between publishes take it.
fn next() -> u64 {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    SEQ.fetch_add(1, Ordering::Relaxed)
}

/// A runtime like an application's: two worker threads.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The raw side's client: reqwest with socialkit's User-Agent, so both sides send the same
/// header bytes, and with the connect and request timeouts and pool settings of socialkit's
/// default [`HttpConfig`](socialkit::http::HttpConfig), so the comparison measures what
/// socialkit does and not a setting both could have (a request timeout is a timer per request
/// in reqwest). `PUBLISH_RAW_BARE=1`: reqwest's defaults (no timeouts) instead.
fn raw_client() -> reqwest::Client {
    let builder = reqwest::Client::builder().user_agent(socialkit::http::DEFAULT_USER_AGENT);
    if std::env::var("PUBLISH_RAW_BARE").is_ok_and(|v| v == "1") {
        return builder.build().unwrap();
    }
    let config = socialkit::http::HttpConfig::default();
    builder
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        .pool_idle_timeout(config.pool_idle_timeout)
        .pool_max_idle_per_host(config.pool_max_idle_per_host)
        .build()
        .unwrap()
}

/// Sends one raw request and reads the whole answer (as the HTTP layer does); panics on a
/// non-2xx answer, so a raw side that drifted from the adapter's request shows at once.
async fn send_raw(request: reqwest::RequestBuilder) -> bytes::Bytes {
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.bytes().await.unwrap();
    assert!(
        status.is_success(),
        "raw request answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    body
}

/// Runs the comparison of one platform: `sk(n)` publishes through socialkit, `raw(n)` sends
/// the same requests with reqwest; `n` is unique per call (see [`next`]).
///
/// The machine is shared (other builds and benches run beside this one), so the ratio is
/// measured interleaved: blocks of each side alternate, and the median of the per-round ratios
/// is printed. Load that comes and goes hits both sides of a round alike.
fn compare<S, SF, R, RF>(c: &mut Criterion, rt: &Runtime, platform: &str, sk: S, raw: R)
where
    S: Fn(u64) -> SF,
    SF: Future<Output = ()>,
    R: Fn(u64) -> RF,
    RF: Future<Output = ()>,
{
    let criterion = match mode(platform) {
        Mode::Skip => return,
        Mode::Profile(side, n) => {
            rt.block_on(async {
                for _ in 0..n {
                    match side {
                        Side::Socialkit => sk(next()).await,
                        Side::Raw => raw(next()).await,
                    }
                }
            });
            return;
        }
        Mode::Bench { criterion } => criterion,
    };
    rt.block_on(async {
        const ROUNDS: usize = 25;
        const BLOCK: usize = 40;
        let mut ratios = Vec::with_capacity(ROUNDS);
        let (mut total_sk, mut total_raw) = (0.0, 0.0);
        for round in 0..ROUNDS {
            let t = std::time::Instant::now();
            for _ in 0..BLOCK {
                sk(next()).await;
            }
            let s = t.elapsed().as_secs_f64() / BLOCK as f64;
            let t = std::time::Instant::now();
            for _ in 0..BLOCK {
                raw(next()).await;
            }
            let r = t.elapsed().as_secs_f64() / BLOCK as f64;
            // The first round warms connections and caches.
            if round > 0 {
                ratios.push(s / r);
                total_sk += s;
                total_raw += r;
            }
        }
        ratios.sort_by(|a, b| a.total_cmp(b));
        let n = ratios.len();
        println!(
            "{platform} publish, interleaved ({n} rounds of {BLOCK}): socialkit {:.1} µs, raw reqwest {:.1} µs per publish; \
             overhead ratio median {:.3} (p25 {:.3}, p75 {:.3})",
            total_sk / n as f64 * 1e6,
            total_raw / n as f64 * 1e6,
            ratios[n / 2],
            ratios[n / 4],
            ratios[3 * n / 4]
        );
    });
    if !criterion {
        return;
    }
    let mut group = c.benchmark_group(format!("{platform}_publish"));
    group.bench_function("socialkit", |b| b.to_async(rt).iter(|| sk(next())));
    group.bench_function("raw_reqwest", |b| b.to_async(rt).iter(|| raw(next())));
    group.finish();
}

/// The text most platforms publish (those with other rules or limits declare their own).
#[allow(dead_code)] // unused when none of those platforms' features is on
const TEXT: &str =
    "Our new anvil is here: 50 kg of forged steel. https://acme.example/anvil #anvils";

/// Mastodon: `Platform::publish` of a text post (validation with the Mastodon counting rule,
/// JSON body, Idempotency-Key, the shared HTTP layer, the Status parsed into a `Published`)
/// against `POST /api/v1/statuses` sent with reqwest directly (same JSON, same headers, body
/// read as bytes). Each side gets its own twin, so neither sees the other's statuses.
#[cfg(feature = "mastodon")]
fn mastodon_publish(c: &mut Criterion) {
    use socialkit::Platform;
    use socialkit::adapters::mastodon::Mastodon;
    use socialkit::adapters::mastodon::twin::{Twin, TwinOptions};
    use socialkit::model::{Post, PublishOptions};

    if matches!(mode("mastodon"), Mode::Skip) {
        return;
    }
    let rt = runtime();
    let options = TwinOptions::default();
    let (twin_a, twin_b) = rt.block_on(async {
        (
            Twin::start_with(options.clone()).await.unwrap(),
            Twin::start_with(options).await.unwrap(),
        )
    });
    let mastodon = rt.block_on(Mastodon::connect(twin_a.config())).unwrap();
    let raw = raw_client();
    let raw_url = twin_b.url().join("api/v1/statuses").unwrap();
    let raw_auth = format!("Bearer {}", twin_b.token());
    // The body never changes: serialized once, as a hand-written client would.
    let raw_body =
        serde_json::to_vec(&serde_json::json!({"status": TEXT, "visibility": "public"})).unwrap();
    compare(
        c,
        &rt,
        "mastodon",
        |n| {
            let opts = PublishOptions::with_key(format!("k-{n}"));
            let m = &mastodon;
            async move {
                m.publish(&Post::text(TEXT), &opts).await.unwrap();
            }
        },
        |n| {
            let request = raw
                .post(raw_url.clone())
                .header("authorization", &raw_auth)
                .header("idempotency-key", format!("k-{n}-0"))
                .header("content-type", "application/json")
                .body(raw_body.clone());
            async move {
                send_raw(request).await;
            }
        },
    );
}

#[cfg(not(feature = "mastodon"))]
fn mastodon_publish(_c: &mut Criterion) {}

/// Bluesky: `Platform::publish` of a text post with a hashtag (validation with graphemes and
/// bytes, facets from the text rules, a record key, the record JSON, the shared HTTP layer with
/// the cached session, the answer parsed into a `Published`) against
/// `com.atproto.repo.createRecord` sent with reqwest directly (the same record with its facet,
/// the same bearer token, the answer read whole). Each side gets its own twin.
#[cfg(feature = "bluesky")]
fn bluesky_publish(c: &mut Criterion) {
    use socialkit::adapters::bluesky::twin::{BlueskyTwin, TwinOptions};
    use socialkit::adapters::bluesky::{Bluesky, Tid};
    use socialkit::model::{Post, PublishOptions};
    use socialkit::{Platform, auth::Secret};

    const TEXT: &str = "Benchmarking the publish path of socialkit against the Bluesky twin #bench";
    if matches!(mode("bluesky"), Mode::Skip) {
        return;
    }
    let rt = runtime();
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
    let raw_auth = format!("Bearer {}", token.expose());
    let did = session.did.clone();
    let raw = raw_client();
    let raw_url = twin_b
        .url()
        .join("xrpc/com.atproto.repo.createRecord")
        .unwrap();
    let tag_start = TEXT.find("#bench").unwrap();
    compare(
        c,
        &rt,
        "bluesky",
        |_| {
            let b = &bluesky;
            async move {
                b.publish(&Post::text(TEXT), &PublishOptions::default())
                    .await
                    .unwrap();
            }
        },
        |_| {
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
                .header("authorization", &raw_auth)
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&body).unwrap());
            async move {
                send_raw(request).await;
            }
        },
    );
}

#[cfg(not(feature = "bluesky"))]
fn bluesky_publish(_c: &mut Criterion) {}

/// X: `Platform::publish` of a text post (weighted counting, the shared HTTP layer with the
/// bearer token, the create answer parsed) against `POST /2/tweets` with reqwest. X refuses a
/// text the account posted before, so every publish carries its own number.
#[cfg(feature = "x")]
fn x_publish(c: &mut Criterion) {
    use socialkit::Platform;
    use socialkit::adapters::x::X;
    use socialkit::adapters::x::twin::{Twin, TwinOptions};
    use socialkit::model::{Post, PublishOptions};

    if matches!(mode("x"), Mode::Skip) {
        return;
    }
    let rt = runtime();
    // No posting limits: the bench sends far more than X's 100 per 15 minutes.
    let options = TwinOptions {
        post_limit_15min: u64::MAX,
        user_daily_posts: u64::MAX,
        app_daily_posts: u64::MAX,
        ..TwinOptions::default()
    };
    let (twin_a, twin_b) = rt.block_on(async {
        (
            Twin::start_with(options.clone()).await.unwrap(),
            Twin::start_with(options).await.unwrap(),
        )
    });
    let x = X::new(twin_a.config());
    let config_b = twin_b.config();
    let raw = raw_client();
    let raw_url = config_b.base_url.join("2/tweets").unwrap();
    let raw_auth = format!("Bearer {}", config_b.token.expose());
    compare(
        c,
        &rt,
        "x",
        |n| {
            let x = &x;
            async move {
                x.publish(
                    &Post::text(format!("{TEXT} {n}")),
                    &PublishOptions::default(),
                )
                .await
                .unwrap();
            }
        },
        |n| {
            let body = serde_json::json!({"text": format!("{TEXT} {n}")});
            let request = raw
                .post(raw_url.clone())
                .header("authorization", &raw_auth)
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&body).unwrap());
            async move {
                send_raw(request).await;
            }
        },
    );
}

#[cfg(not(feature = "x"))]
fn x_publish(_c: &mut Criterion) {}

/// LinkedIn: `Platform::publish` of a text post (commentary escaping, the Rest.li and version
/// headers, the URN from `x-restli-id`) against `POST /rest/posts` with reqwest.
#[cfg(feature = "linkedin")]
fn linkedin_publish(c: &mut Criterion) {
    use socialkit::Platform;
    use socialkit::adapters::linkedin::LinkedIn;
    use socialkit::adapters::linkedin::twin::{Twin, TwinOptions};
    use socialkit::model::{Post, PublishOptions};

    // No LinkedIn little-text reserved character, so the commentary is the text as is. LinkedIn
    // refuses a commentary the author posted before: every publish carries its own number.
    const TEXT: &str = "Our new anvil is here: 50 kg of forged steel. https://acme.example/anvil";
    if matches!(mode("linkedin"), Mode::Skip) {
        return;
    }
    let rt = runtime();
    let (twin_a, twin_b) = rt.block_on(async {
        (
            Twin::start_with(TwinOptions::default()).await.unwrap(),
            Twin::start_with(TwinOptions::default()).await.unwrap(),
        )
    });
    let linkedin = LinkedIn::new(twin_a.config());
    let config_b = twin_b.config();
    let raw = raw_client();
    let raw_url = config_b.base_url.join("rest/posts").unwrap();
    let raw_auth = format!("Bearer {}", config_b.token.expose());
    let author = config_b.author.clone().unwrap();
    let raw_body = |n: u64| {
        serde_json::to_vec(&serde_json::json!({
        "author": author,
        "commentary": format!("{TEXT} {n}"),
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": []
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": false
        }))
        .unwrap()
    };
    compare(
        c,
        &rt,
        "linkedin",
        |n| {
            let l = &linkedin;
            async move {
                l.publish(
                    &Post::text(format!("{TEXT} {n}")),
                    &PublishOptions::default(),
                )
                .await
                .unwrap();
            }
        },
        |n| {
            let request = raw
                .post(raw_url.clone())
                .header("x-restli-protocol-version", "2.0.0")
                .header("linkedin-version", &config_b.version)
                .header("authorization", &raw_auth)
                .header("content-type", "application/json")
                .body(raw_body(n));
            async move {
                let body = send_raw(request).await;
                let _ = body;
            }
        },
    );
}

#[cfg(not(feature = "linkedin"))]
fn linkedin_publish(_c: &mut Criterion) {}

/// Reddit: `Platform::publish` of a self post (title from the first line, the form, reddit's
/// User-Agent and rate-limit headers, the `json` envelope) against `POST /api/submit`.
#[cfg(feature = "reddit")]
fn reddit_publish(c: &mut Criterion) {
    use socialkit::Platform;
    use socialkit::adapters::reddit::twin::{Twin, TwinOptions};
    use socialkit::adapters::reddit::{Reddit, RedditAuth};
    use socialkit::model::{Post, PublishOptions};

    const TITLE: &str = "Our new anvil is here";
    const BODY: &str =
        "50 kg of forged steel, and a story of how it was made. https://acme.example/anvil";
    if matches!(mode("reddit"), Mode::Skip) {
        return;
    }
    let rt = runtime();
    let options = TwinOptions {
        rate_limit: u64::MAX,
        ..TwinOptions::default()
    };
    let (twin_a, twin_b) = rt.block_on(async {
        (
            Twin::start_with(options.clone()).await.unwrap(),
            Twin::start_with(options).await.unwrap(),
        )
    });
    let reddit = Reddit::new(twin_a.token_config());
    let config_b = twin_b.token_config();
    let RedditAuth::Token { access_token, .. } = &config_b.auth else {
        unreachable!("a token config")
    };
    let raw = raw_client();
    let raw_url = config_b.base_url.join("api/submit").unwrap();
    let raw_auth = format!("Bearer {}", access_token.expose());
    let sr = config_b.subreddit.clone().unwrap();
    let raw_body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("api_type", "json"),
            ("sr", sr.as_str()),
            ("title", TITLE),
            ("sendreplies", "true"),
            ("resubmit", "true"),
            ("kind", "self"),
            ("text", BODY),
        ])
        .finish();
    let text = format!("{TITLE}\n{BODY}");
    // The adapter reads the account once (`/api/v1/me`); so does the raw side, before timing.
    rt.block_on(reddit.channel()).unwrap();
    compare(
        c,
        &rt,
        "reddit",
        |_| {
            let (r, text) = (&reddit, &text);
            async move {
                r.publish(&Post::text(text.as_str()), &PublishOptions::default())
                    .await
                    .unwrap();
            }
        },
        |_| {
            let request = raw
                .post(raw_url.clone())
                .header("authorization", &raw_auth)
                .header("user-agent", &config_b.user_agent)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(raw_body.clone());
            async move {
                send_raw(request).await;
            }
        },
    );
}

#[cfg(not(feature = "reddit"))]
fn reddit_publish(_c: &mut Criterion) {}

/// Telegram: `Platform::publish` of a text message (UTF-16 entity offsets for its link and
/// hashtag, the Bot API envelope) against `POST /bot<token>/sendMessage`.
#[cfg(feature = "telegram")]
fn telegram_publish(c: &mut Criterion) {
    use socialkit::Platform;
    use socialkit::adapters::telegram::Telegram;
    use socialkit::adapters::telegram::twin::{Twin, TwinOptions};
    use socialkit::model::{Post, PublishOptions};

    const LINK: &str = "https://acme.example/anvil";
    if matches!(mode("telegram"), Mode::Skip) {
        return;
    }
    let rt = runtime();
    let options = TwinOptions {
        sends_per_minute: usize::MAX,
        ..TwinOptions::default()
    };
    let (twin_a, twin_b) = rt.block_on(async {
        (
            Twin::start_with(options.clone()).await.unwrap(),
            Twin::start_with(options).await.unwrap(),
        )
    });
    let telegram = Telegram::new(twin_a.config());
    let config_b = twin_b.config();
    let raw = raw_client();
    let raw_url = config_b
        .base_url
        .join(&format!("./bot{}/sendMessage", config_b.token.expose()))
        .unwrap();
    // ASCII text: UTF-16 offsets are byte offsets.
    let (link, tag) = (TEXT.find(LINK).unwrap(), TEXT.find("#anvils").unwrap());
    let raw_body = serde_json::to_vec(&serde_json::json!({
        "chat_id": config_b.chat_id,
        "text": TEXT,
        "entities": [
            {"type": "url", "offset": link, "length": LINK.len()},
            {"type": "hashtag", "offset": tag, "length": "#anvils".len()},
        ]
    }))
    .unwrap();
    compare(
        c,
        &rt,
        "telegram",
        |_| {
            let t = &telegram;
            async move {
                t.publish(&Post::text(TEXT), &PublishOptions::default())
                    .await
                    .unwrap();
            }
        },
        |_| {
            let request = raw
                .post(raw_url.clone())
                .header("content-type", "application/json")
                .body(raw_body.clone());
            async move {
                send_raw(request).await;
            }
        },
    );
}

#[cfg(not(feature = "telegram"))]
fn telegram_publish(_c: &mut Criterion) {}

/// Discord: `Platform::publish` of a bot message with an idempotency key (the `nonce` with
/// `enforce_nonce`, the route's rate-limit bucket, `Authorization: Bot`) against
/// `POST /channels/{id}/messages`.
#[cfg(feature = "discord")]
fn discord_publish(c: &mut Criterion) {
    use socialkit::Platform;
    use socialkit::adapters::discord::twin::{Twin, TwinOptions};
    use socialkit::adapters::discord::{Discord, DiscordAuth};
    use socialkit::model::{Post, PublishOptions};

    if matches!(mode("discord"), Mode::Skip) {
        return;
    }
    let rt = runtime();
    // No bucket limit: the bench sends far more than 5 messages per 5 seconds.
    let options = TwinOptions {
        bucket_limit: u64::MAX,
        ..TwinOptions::default()
    };
    let (twin_a, twin_b) = rt.block_on(async {
        (
            Twin::start_with(options.clone()).await.unwrap(),
            Twin::start_with(options).await.unwrap(),
        )
    });
    let discord = Discord::new(twin_a.bot_config());
    let config_b = twin_b.bot_config();
    let DiscordAuth::Bot { token, channel_id } = &config_b.auth else {
        unreachable!("a bot config")
    };
    let raw = raw_client();
    let raw_url = config_b
        .base_url
        .join(&format!("./channels/{channel_id}/messages"))
        .unwrap();
    let raw_auth = format!("Bot {}", token.expose());
    // The adapter reads the channel once (forum or not); so does the raw side, before timing.
    rt.block_on(discord.channel()).unwrap();
    compare(
        c,
        &rt,
        "discord",
        |n| {
            let d = &discord;
            let opts = PublishOptions::with_key(format!("k-{n}"));
            async move {
                d.publish(&Post::text(TEXT), &opts).await.unwrap();
            }
        },
        |n| {
            let body = serde_json::json!({
                "content": TEXT,
                "nonce": format!("k-{n}"),
                "enforce_nonce": true,
                "allowed_mentions": {"parse": []}
            });
            let request = raw
                .post(raw_url.clone())
                .header("authorization", &raw_auth)
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&body).unwrap());
            async move {
                send_raw(request).await;
            }
        },
    );
}

#[cfg(not(feature = "discord"))]
fn discord_publish(_c: &mut Criterion) {}

/// Pinterest: `Platform::publish` of a pin (an image by URL with its description) against
/// `POST /v5/pins`.
#[cfg(feature = "pinterest")]
fn pinterest_publish(c: &mut Criterion) {
    use socialkit::Platform;
    use socialkit::adapters::pinterest::Pinterest;
    use socialkit::adapters::pinterest::twin::Twin;
    use socialkit::model::{Media, Post, PublishOptions};

    const TEXT: &str = "Our new anvil: 50 kg of forged steel";
    const IMAGE: &str = "https://cdn.example/anvil.jpg";
    if matches!(mode("pinterest"), Mode::Skip) {
        return;
    }
    let rt = runtime();
    let (twin_a, twin_b) =
        rt.block_on(async { (Twin::start().await.unwrap(), Twin::start().await.unwrap()) });
    let pinterest = Pinterest::with_client(twin_a.config(), twin_a.client());
    let config_b = twin_b.config();
    let raw = raw_client();
    let raw_url = config_b.base_url.join("pins").unwrap();
    let raw_auth = format!("Bearer {}", config_b.access_token.expose());
    let raw_body = serde_json::to_vec(&serde_json::json!({
        "board_id": config_b.board_id,
        "description": TEXT,
        "media_source": {"source_type": "image_url", "url": IMAGE}
    }))
    .unwrap();
    let post = Post::text(TEXT).with_media(Media::from_url("image/jpeg", IMAGE));
    compare(
        c,
        &rt,
        "pinterest",
        |_| {
            let (p, post) = (&pinterest, &post);
            async move {
                p.publish(post, &PublishOptions::default()).await.unwrap();
            }
        },
        |_| {
            let request = raw
                .post(raw_url.clone())
                .header("authorization", &raw_auth)
                .header("content-type", "application/json")
                .body(raw_body.clone());
            async move {
                send_raw(request).await;
            }
        },
    );
}

#[cfg(not(feature = "pinterest"))]
fn pinterest_publish(_c: &mut Criterion) {}

/// Google Business Profile: `Platform::publish` of a standard local post (the draft checked,
/// the resource in the location's language) against `POST /v4/{location}/localPosts`.
#[cfg(feature = "google_business")]
fn google_business_publish(c: &mut Criterion) {
    use socialkit::Platform;
    use socialkit::adapters::google_business::GoogleBusiness;
    use socialkit::adapters::google_business::twin::Twin;
    use socialkit::model::{Post, PublishOptions};

    const TEXT: &str = "Our new anvil is here: 50 kg of forged steel, in the shop from Monday.";
    if matches!(mode("google_business"), Mode::Skip) {
        return;
    }
    let rt = runtime();
    let (twin_a, twin_b) =
        rt.block_on(async { (Twin::start().await.unwrap(), Twin::start().await.unwrap()) });
    let google = GoogleBusiness::new(twin_a.config());
    let config_b = twin_b.config();
    let raw = raw_client();
    let raw_url = config_b
        .base_url
        .join(&format!("v4/{}/localPosts", config_b.location_name()))
        .unwrap();
    let raw_auth = format!("Bearer {}", config_b.token.expose());
    let raw_body = serde_json::to_vec(&serde_json::json!({
        "languageCode": config_b.language_code,
        "summary": TEXT,
        "topicType": "STANDARD"
    }))
    .unwrap();
    compare(
        c,
        &rt,
        "google_business",
        |_| {
            let g = &google;
            async move {
                g.publish(&Post::text(TEXT), &PublishOptions::default())
                    .await
                    .unwrap();
            }
        },
        |_| {
            let request = raw
                .post(raw_url.clone())
                .header("authorization", &raw_auth)
                .header("content-type", "application/json")
                .body(raw_body.clone());
            async move {
                send_raw(request).await;
            }
        },
    );
}

#[cfg(not(feature = "google_business"))]
fn google_business_publish(_c: &mut Criterion) {}

/// Facebook Page: `Platform::publish` of a text post (the form with the fields to return, the
/// page token in the body, Meta's usage headers) against `POST /{page-id}/feed`.
#[cfg(feature = "facebook")]
fn facebook_publish(c: &mut Criterion) {
    use socialkit::Platform;
    use socialkit::adapters::facebook::twin::FacebookTwin;
    use socialkit::adapters::facebook::{DEFAULT_HOST, DEFAULT_VERSION, Facebook};
    use socialkit::model::{Post, PublishOptions};

    if matches!(mode("facebook"), Mode::Skip) {
        return;
    }
    let rt = runtime();
    let (twin_a, twin_b) = rt.block_on(async {
        (
            FacebookTwin::start().await.unwrap(),
            FacebookTwin::start().await.unwrap(),
        )
    });
    let facebook = Facebook::new(twin_a.config()).unwrap();
    let config_b = twin_b.config();
    let raw = raw_client();
    let raw_url = config_b
        .graph
        .api_base(DEFAULT_HOST, DEFAULT_VERSION)
        .unwrap()
        .join(&format!("{}/feed", config_b.page_id))
        .unwrap();
    // Facebook refuses a status message the Page posted before: every publish carries its own
    // number.
    let raw_body = |n: u64| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("message", format!("{TEXT} {n}").as_str()),
                ("fields", "id,permalink_url,created_time"),
                ("access_token", config_b.graph.token.expose()),
            ])
            .finish()
    };
    compare(
        c,
        &rt,
        "facebook",
        |n| {
            let f = &facebook;
            async move {
                f.publish(
                    &Post::text(format!("{TEXT} {n}")),
                    &PublishOptions::default(),
                )
                .await
                .unwrap();
            }
        },
        |n| {
            let request = raw
                .post(raw_url.clone())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(raw_body(n));
            async move {
                send_raw(request).await;
            }
        },
    );
}

#[cfg(not(feature = "facebook"))]
fn facebook_publish(_c: &mut Criterion) {}

criterion_group!(
    benches,
    mastodon_publish,
    bluesky_publish,
    x_publish,
    linkedin_publish,
    reddit_publish,
    telegram_publish,
    discord_publish,
    pinterest_publish,
    google_business_publish,
    facebook_publish
);
criterion_main!(benches);
