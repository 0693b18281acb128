//! Sandbox search: what listening costs on a simulated world.
//!
//! `cargo bench --bench search -- --warm-up-time 1 --measurement-time 3`
//!
//! A world of two accounts (10 000 and 1 000 followers) after 90 simulated days with a post a
//! day each: one page (25) of a hashtag search over the last 7 days (what a poller asks), and
//! over the whole 90 days (chatter is worked out hour by hour for every hour searched).

use chrono::Duration;
use criterion::{Criterion, criterion_group, criterion_main};
use socialkit::Platform;
use socialkit::PlatformExt;
use socialkit::adapters::sandbox::{SandboxConfig, SandboxWorld};
use socialkit::model::SearchQuery;

fn sandbox_search(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let world = SandboxWorld::simulated("2026-01-05T09:00:00Z".parse().unwrap());
    let acme = world
        .channel("acme", SandboxConfig::default().with_followers(10_000))
        .unwrap();
    let globex = world
        .channel("globex", SandboxConfig::default().with_seed(3))
        .unwrap();
    rt.block_on(async {
        for day in 0..90 {
            acme.publish_text(&format!("Day {day} at ACME #acme #anvils"))
                .await
                .unwrap();
            globex
                .publish_text(&format!("Globex news {day}, better than @acme"))
                .await
                .unwrap();
            world.advance(Duration::days(1)).unwrap();
        }
        // Materialize the audience once, outside the measurement.
        acme.search(&SearchQuery::new("#acme")).await.unwrap();
    });
    let week = world.now() - Duration::days(7);
    c.bench_function("sandbox search #acme, last 7 days, page of 25", |b| {
        b.iter(|| {
            rt.block_on(acme.search(&SearchQuery::new("#acme").since(week)))
                .unwrap()
        })
    });
    c.bench_function("sandbox search acme, 90 days, page of 25", |b| {
        b.iter(|| rt.block_on(acme.search(&SearchQuery::new("acme"))).unwrap())
    });
}

criterion_group!(benches, sandbox_search);
criterion_main!(benches);
