//! Nostr publish against the twin relay on loopback, beside raw websocket sends of the same
//! kind of event (tokio-tungstenite directly).
//!
//! `cargo bench --bench nostr --features nostr,testkit`
//!
//! Three sides, interleaved in blocks (the machine is shared: load that comes and goes hits
//! every side of a round alike), each signing a fresh kind-1 note per publish:
//! - socialkit: `Platform::publish` (the base's capability check and fit, tags, signing, a
//!   connection per publish, the `OK`);
//! - raw, new connection: connect, `["EVENT", …]`, wait for the `OK`, close — the same
//!   network work as socialkit;
//! - raw, kept connection: one connection for the whole block — what a pooled connection
//!   would save.
//!
//! Printed: the median per-round ratio of socialkit to each raw side.

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::{SinkExt, StreamExt};
use socialkit::Platform;
use socialkit::adapters::nostr::Nostr;
use socialkit::adapters::nostr::event::{Keys, UnsignedEvent};
use socialkit::adapters::nostr::twin::Twin;
use socialkit::model::{Post, PublishOptions};
use tokio_tungstenite::tungstenite::Message;

const KEY: &str = "1111111111111111111111111111111111111111111111111111111111111111";

fn note(keys: &Keys, n: u64) -> String {
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    // NIP-01 `["EVENT", event]`, written here so the raw side shares no code with socialkit.
    let event = keys.sign(UnsignedEvent::text_note(
        now,
        format!("raw note {n}"),
        Vec::new(),
    ));
    serde_json::json!(["EVENT", event]).to_string()
}

async fn wait_ok<S>(ws: &mut S)
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    while let Some(Ok(m)) = ws.next().await {
        if m.to_text().is_ok_and(|t| t.starts_with("[\"OK\"")) {
            return;
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn nostr_publish(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let twin = rt.block_on(Twin::start()).unwrap();
    let nostr = Nostr::new(twin.config(KEY)).unwrap();
    let keys = Keys::parse(KEY).unwrap();
    let url = twin.url().to_string();
    rt.block_on(nostr.load_capabilities()).unwrap();

    rt.block_on(async {
        const ROUNDS: usize = 15;
        const BLOCK: usize = 30;
        let (mut vs_new, mut vs_kept) = (Vec::new(), Vec::new());
        let mut n = 0u64;
        for _ in 0..ROUNDS {
            let t = Instant::now();
            for _ in 0..BLOCK {
                n += 1;
                let text = format!("socialkit note {n}");
                nostr.publish(&Post::text(text), &PublishOptions::default()).await.unwrap();
            }
            let sk = t.elapsed().as_secs_f64();
            let t = Instant::now();
            for _ in 0..BLOCK {
                n += 1;
                let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str()).await.unwrap();
                ws.send(Message::Text(note(&keys, n).into())).await.unwrap();
                wait_ok(&mut ws).await;
                let _ = ws.close(None).await;
            }
            let raw_new = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str()).await.unwrap();
            for _ in 0..BLOCK {
                n += 1;
                ws.send(Message::Text(note(&keys, n).into())).await.unwrap();
                wait_ok(&mut ws).await;
            }
            let _ = ws.close(None).await;
            let raw_kept = t.elapsed().as_secs_f64();
            vs_new.push(sk / raw_new);
            vs_kept.push(sk / raw_kept);
        }
        println!(
            "nostr publish: socialkit / raw with a new connection = {:.2} (median of {ROUNDS} rounds of {BLOCK}); socialkit / raw on a kept connection = {:.2}",
            median(vs_new),
            median(vs_kept)
        );
    });

    c.bench_function("nostr/publish (socialkit, twin relay)", |b| {
        b.iter(|| {
            n_publish(&rt, &nostr);
        })
    });
}

fn n_publish(rt: &tokio::runtime::Runtime, nostr: &Nostr) {
    let text = format!("criterion note {}", rand::random::<u64>());
    rt.block_on(nostr.publish(&Post::text(text), &PublishOptions::default()))
        .unwrap();
}

/// Signing and verifying one note (BIP-340 via libsecp256k1), beside hashing its NIP-01
/// serialization alone (the part every implementation pays).
fn nostr_sign(c: &mut Criterion) {
    let keys = Keys::parse(KEY).unwrap();
    let unsigned = UnsignedEvent::text_note(
        1_700_000_000,
        "a note of ordinary length #nostr",
        Vec::new(),
    );
    let signed = keys.sign(unsigned.clone());
    let mut g = c.benchmark_group("nostr/event");
    g.bench_function("id only (serialize + sha256)", |b| {
        b.iter(|| {
            socialkit::adapters::nostr::event::event_id(
                keys.public_hex(),
                1_700_000_000,
                1,
                &[],
                &unsigned.content,
            )
        })
    });
    g.bench_function("sign", |b| b.iter(|| keys.sign(unsigned.clone())));
    g.bench_function("verify", |b| b.iter(|| signed.verify().unwrap()));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = nostr_sign, nostr_publish
}
criterion_main!(benches);
