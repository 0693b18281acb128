//! PostgreSQL store benches (feature `postgres`; needs `SOCIALKIT_POSTGRES_URL`, else it
//! prints why and exits). Plain `main`, prints tables; every socialkit number stands beside a
//! raw-SQL baseline measured in the same run on the same server.
//!
//! 1. Throughput of claim → publish (to one Mastodon twin on loopback) → record with 1, 2, 4
//!    and 8 concurrent workers (each with its own connection). socialkit: `PgStore::claim_due`,
//!    `Mastodon::publish`, `PgStore::apply(Finish)`. Baseline: the same SQL statements written
//!    by hand (no serde of records, no state machine) and the same HTTP request through a bare
//!    reqwest client. Runs alternate (socialkit, baseline, socialkit, baseline) per count.
//! 2. Claim latency (p50, p99) with 1,000,000 scheduled deliveries in the table (bulk-inserted
//!    with `generate_series`): `claim_due(limit 1)` beside the raw claim statements.
//!
//! `cargo bench --bench postgres --features postgres,mastodon,testkit`
//! (`SK_PG_BENCH_ROWS` overrides the 1,000,000; `SK_PG_BENCH_DELIVERIES` the 2,000 per
//! throughput run.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use socialkit::Platform;
use socialkit::adapters::mastodon::Mastodon;
use socialkit::adapters::mastodon::twin::{Twin, TwinOptions};
use socialkit::model::{Post, PublishOptions};
use socialkit::store::postgres::scratch::ScratchDb;
use socialkit::store::{
    Change, Delivery, DeliveryState, Finish, PgStore, Selector, Stamp, Store, Workspace,
};

const BATCH: usize = 8;

fn template() -> (String, String) {
    let now = Utc::now();
    let mut d = Delivery::new(
        "bench".into(),
        "__POST__".into(),
        "c".into(),
        "mastodon",
        Post::default(),
        DeliveryState::Scheduled,
        Some(now),
        now,
    );
    d.id = "__ID__".into();
    let data = serde_json::to_string(&d).unwrap();
    let content = serde_json::to_string(&Post::text("a benchmark post")).unwrap();
    (data, content)
}

/// Replaces the deliveries with `n` due ones (ids d1..dn) in one statement.
async fn load(store: &PgStore, n: i64, spread_secs: i64) {
    let (data, content) = template();
    let c = store.handle().pool().get().await.unwrap();
    c.batch_execute("TRUNCATE deliveries, history, attempts")
        .await
        .unwrap();
    let now = Utc::now().timestamp_micros();
    c.execute(
        "INSERT INTO deliveries (workspace, id, post, channel, state, due_at, created_at, data, content)
         SELECT 'bench', 'd' || g, 'p' || g, 'c', 'scheduled',
                $2::BIGINT - (g % ($3::BIGINT + 1)) * 1000000, $2::BIGINT,
                replace(replace($4, '__ID__', 'd' || g), '__POST__', 'p' || g), $5
         FROM generate_series(1::BIGINT, $1::BIGINT) g",
        &[&n, &now, &spread_secs, &data, &content],
    )
    .await
    .unwrap();
    c.batch_execute("ANALYZE deliveries").await.unwrap();
}

async fn socialkit_worker(store: PgStore, m: Arc<Mastodon>, name: String) -> usize {
    let mut done = 0;
    loop {
        let claims = store
            .claim_due(Utc::now(), &name, BATCH, chrono::Duration::minutes(5))
            .await
            .unwrap();
        if claims.is_empty() {
            return done;
        }
        for c in claims {
            let p = m
                .publish(
                    &c.delivery.content,
                    &PublishOptions::with_key(c.attempt.key.clone()),
                )
                .await
                .unwrap();
            store
                .apply(
                    &c.delivery.workspace,
                    &Selector::Delivery(c.delivery.id.clone()),
                    &Change::Finish {
                        attempt_id: c.attempt.id.clone(),
                        outcome: Finish::Published(p),
                    },
                    &Stamp::new(name.clone(), "published", Utc::now()),
                )
                .await
                .unwrap();
            done += 1;
        }
    }
}

/// The same statements by hand: claim (select skip locked, channel spacing read, update,
/// attempt, history), HTTP, record (workspace, row lock, attempt read and write, history,
/// update). Statements are prepared once per connection (`prepare_cached`), as the store
/// prepares its own: an unprepared `query(&str)` costs a second round trip per statement, and
/// a baseline that pays it is slower than the code it measures.
async fn raw_worker(
    pool: deadpool_postgres::Pool,
    http: reqwest::Client,
    twin: String,
    token: String,
    name: String,
) -> usize {
    let mut done = 0;
    let mut client = pool.get().await.unwrap();
    loop {
        let now = Utc::now().timestamp_micros();
        let until = now + 300_000_000;
        let tx = client.transaction().await.unwrap();
        let rows = tx
            .query(
                &tx.prepare_cached(
                    "SELECT d.workspace, d.id, d.channel, d.data, d.content FROM deliveries d
                 JOIN workspaces w ON w.id = d.workspace
                 WHERE d.state IN ('scheduled', 'publishing') AND d.due_at <= $1 AND NOT w.paused
                 ORDER BY d.due_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED",
                )
                .await
                .unwrap(),
                &[&now, &(BATCH as i64 * 4 + 16)],
            )
            .await
            .unwrap();
        let mut claimed = Vec::new();
        for r in rows.iter().take(BATCH) {
            let (ws, id, ch, data): (&str, &str, &str, &str) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            tx.query_opt(
                &tx.prepare_cached("SELECT min_spacing_secs, next_free_at FROM channels WHERE workspace = $1 AND id = $2").await.unwrap(),
                &[&ws, &ch],
            )
            .await
            .unwrap();
            let attempt = format!("{id}/1");
            tx.execute(
                &tx.prepare_cached("INSERT INTO attempts (workspace, delivery, id, number, data) VALUES ($1, $2, $3, 1, $4)
                 ON CONFLICT (workspace, id) DO UPDATE SET number = excluded.number, data = excluded.data").await.unwrap(),
                &[&ws, &id, &attempt, &"{}"],
            )
            .await
            .unwrap();
            tx.execute(
                &tx.prepare_cached(
                    "INSERT INTO history (workspace, delivery, data) VALUES ($1, $2, $3)",
                )
                .await
                .unwrap(),
                &[&ws, &id, &"{}"],
            )
            .await
            .unwrap();
            tx.execute(
                &tx.prepare_cached("UPDATE deliveries SET state = 'publishing', due_at = $3, lease_worker = $4, data = $5
                 WHERE workspace = $1 AND id = $2").await.unwrap(),
                &[&ws, &id, &until, &name, &data],
            )
            .await
            .unwrap();
            claimed.push((
                ws.to_string(),
                id.to_string(),
                attempt,
                r.get::<_, String>(4),
            ));
        }
        tx.commit().await.unwrap();
        if claimed.is_empty() {
            return done;
        }
        for (ws, id, attempt, content) in claimed {
            let text = serde_json::from_str::<serde_json::Value>(&content).unwrap()["text"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let status: serde_json::Value = http
                .post(format!("{twin}api/v1/statuses"))
                .bearer_auth(&token)
                .header("Idempotency-Key", format!("{id}-raw"))
                .json(&serde_json::json!({ "status": text }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let post_id = status["id"].as_str().unwrap_or_default().to_string();
            let tx = client.transaction().await.unwrap();
            tx.query_one(
                &tx.prepare_cached("SELECT paused FROM workspaces WHERE id = $1")
                    .await
                    .unwrap(),
                &[&ws],
            )
            .await
            .unwrap();
            let row = tx
                .query_one(
                    &tx.prepare_cached("SELECT data, content FROM deliveries WHERE workspace = $1 AND id = $2 FOR UPDATE").await.unwrap(),
                    &[&ws, &id],
                )
                .await
                .unwrap();
            let data: String = row.get(0);
            tx.query_opt(
                &tx.prepare_cached("SELECT data FROM attempts WHERE workspace = $1 AND id = $2")
                    .await
                    .unwrap(),
                &[&ws, &attempt],
            )
            .await
            .unwrap();
            tx.execute(
                &tx.prepare_cached("INSERT INTO attempts (workspace, delivery, id, number, data) VALUES ($1, $2, $3, 1, $4)
                 ON CONFLICT (workspace, id) DO UPDATE SET number = excluded.number, data = excluded.data").await.unwrap(),
                &[&ws, &id, &attempt, &post_id],
            )
            .await
            .unwrap();
            tx.execute(
                &tx.prepare_cached(
                    "INSERT INTO history (workspace, delivery, data) VALUES ($1, $2, $3)",
                )
                .await
                .unwrap(),
                &[&ws, &id, &"{}"],
            )
            .await
            .unwrap();
            tx.execute(
                &tx.prepare_cached("UPDATE deliveries SET state = 'published', due_at = NULL, lease_worker = NULL, data = $3
                 WHERE workspace = $1 AND id = $2").await.unwrap(),
                &[&ws, &id, &data],
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            done += 1;
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn run() {
    let Some(db) = ScratchDb::create("bench").await.unwrap() else {
        return;
    };
    let deliveries: i64 = std::env::var("SK_PG_BENCH_DELIVERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let rows: i64 = std::env::var("SK_PG_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let twin = Twin::start_with(TwinOptions {
        rate_limit: 1_000_000_000,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let admin = PgStore::connect_with(db.url(), 2).await.unwrap();
    admin
        .create_workspace(&Workspace::new("bench", "Bench"))
        .await
        .unwrap();
    let m = Arc::new(Mastodon::connect(twin.config()).await.unwrap());
    let http = reqwest::Client::new();

    println!(
        "claim -> publish (Mastodon twin, loopback) -> record; {deliveries} deliveries per run, batch {BATCH}"
    );
    println!("| workers | socialkit (deliveries/s) | raw SQL + reqwest (deliveries/s) | ratio |");
    println!("|---|---|---|---|");
    for workers in [1usize, 2, 4, 8] {
        let mut sk = Vec::new();
        let mut raw = Vec::new();
        for _round in 0..2 {
            load(&admin, deliveries, 0).await;
            let stores: Vec<PgStore> =
                futures::future::join_all((0..workers).map(|_| PgStore::connect_with(db.url(), 1)))
                    .await
                    .into_iter()
                    .map(|s| s.unwrap())
                    .collect();
            let t = Instant::now();
            let done: usize = futures::future::join_all(
                stores
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| tokio::spawn(socialkit_worker(s, m.clone(), format!("sk{i}")))),
            )
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .sum();
            assert_eq!(done as i64, deliveries);
            sk.push(deliveries as f64 / t.elapsed().as_secs_f64());

            load(&admin, deliveries, 0).await;
            let pools: Vec<deadpool_postgres::Pool> =
                futures::future::join_all((0..workers).map(|_| PgStore::connect_with(db.url(), 1)))
                    .await
                    .into_iter()
                    .map(|s| s.unwrap().handle().pool().clone())
                    .collect();
            let t = Instant::now();
            let done: usize =
                futures::future::join_all(pools.into_iter().enumerate().map(|(i, p)| {
                    tokio::spawn(raw_worker(
                        p,
                        http.clone(),
                        twin.url().to_string(),
                        twin.token().to_string(),
                        format!("raw{i}"),
                    ))
                }))
                .await
                .into_iter()
                .map(|r| r.unwrap())
                .sum();
            assert_eq!(done as i64, deliveries);
            raw.push(deliveries as f64 / t.elapsed().as_secs_f64());
        }
        let (s, r) = (
            sk.iter().sum::<f64>() / sk.len() as f64,
            raw.iter().sum::<f64>() / raw.len() as f64,
        );
        println!("| {workers} | {s:.0} | {r:.0} | {:.2} |", s / r);
    }

    println!();
    let t = Instant::now();
    load(&admin, rows, 3600).await;
    println!(
        "claim latency with {rows} scheduled deliveries in the table (loaded in {:.1} s), limit 1, 1 connection each",
        t.elapsed().as_secs_f64()
    );
    let sk_store = PgStore::connect_with(db.url(), 1).await.unwrap();
    let raw_pool = PgStore::connect_with(db.url(), 1)
        .await
        .unwrap()
        .handle()
        .pool()
        .clone();
    let mut sk = Vec::new();
    let mut raw = Vec::new();
    for _block in 0..10 {
        for _ in 0..100 {
            let t = Instant::now();
            let c = sk_store
                .claim_due(Utc::now(), "lat", 1, chrono::Duration::hours(1))
                .await
                .unwrap();
            sk.push(t.elapsed());
            assert_eq!(c.len(), 1);
        }
        let mut client = raw_pool.get().await.unwrap();
        for _ in 0..100 {
            let t = Instant::now();
            let now = Utc::now().timestamp_micros();
            let tx = client.transaction().await.unwrap();
            let rows = tx
                .query(
                    &tx.prepare_cached("SELECT d.workspace, d.id, d.channel, d.data FROM deliveries d
                     JOIN workspaces w ON w.id = d.workspace
                     WHERE d.state IN ('scheduled', 'publishing') AND d.due_at <= $1 AND NOT w.paused
                     ORDER BY d.due_at LIMIT 20 FOR UPDATE OF d SKIP LOCKED").await.unwrap(),
                    &[&now],
                )
                .await
                .unwrap();
            let row = &rows[0];
            let (ws, id, ch, data): (&str, &str, &str, &str) =
                (row.get(0), row.get(1), row.get(2), row.get(3));
            tx.query_opt(
                &tx.prepare_cached("SELECT min_spacing_secs, next_free_at FROM channels WHERE workspace = $1 AND id = $2").await.unwrap(),
                &[&ws, &ch],
            )
            .await
            .unwrap();
            tx.execute(
                &tx.prepare_cached("INSERT INTO attempts (workspace, delivery, id, number, data) VALUES ($1, $2, $3, 1, '{}')").await.unwrap(),
                &[&ws, &id, &format!("{id}/raw")],
            )
            .await
            .unwrap();
            tx.execute(
                &tx.prepare_cached(
                    "INSERT INTO history (workspace, delivery, data) VALUES ($1, $2, '{}')",
                )
                .await
                .unwrap(),
                &[&ws, &id],
            )
            .await
            .unwrap();
            tx.execute(
                &tx.prepare_cached("UPDATE deliveries SET state = 'publishing', due_at = $3, lease_worker = 'raw', data = $4
                 WHERE workspace = $1 AND id = $2").await.unwrap(),
                &[&ws, &id, &(now + 3_600_000_000), &data],
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            raw.push(t.elapsed());
        }
    }
    sk.sort();
    raw.sort();
    println!("| claim | socialkit | raw SQL | ratio |");
    println!("|---|---|---|---|");
    for (label, p) in [("p50", 0.5), ("p99", 0.99)] {
        let (a, b) = (percentile(&sk, p), percentile(&raw, p));
        println!(
            "| {label} | {:.2} ms | {:.2} ms | {:.2} |",
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            a.as_secs_f64() / b.as_secs_f64()
        );
    }
    drop((admin, sk_store, raw_pool));
    db.drop_now().await.unwrap();
}

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}
