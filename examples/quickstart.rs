//! socialkit in one minute, offline: two sandbox channels in one simulated world, a thread with
//! an image published to both, 48 hours of a simulated audience, then what came back —
//! interactions, post metrics, channel metrics and engagement rates with their basis.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Deterministic: the world runs on a manual clock and the audiences are seeded, so every run
//! prints the same thing.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Europe::Berlin;
use socialkit::adapters::sandbox::{Sandbox, SandboxConfig, SandboxWorld, sample_png};
use socialkit::model::{
    Interaction, InteractionKind, InteractionQuery, Media, Post, PostMetrics, RateBasis,
};
use socialkit::{Platform, PlatformExt, PublishOptions, Result};

/// `writeln!` into the report (writing to a `String` cannot fail).
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut report = String::new();
    let result = run(&mut report).await;
    // Print even a partial report; a closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(report.as_bytes());
    result
}

async fn run(out: &mut String) -> Result<()> {
    // Monday 2 March 2026, 18:00 in Berlin: the audience is getting active.
    let start: DateTime<Utc> = "2026-03-02T17:00:00Z".parse().expect("a valid instant");
    let world = SandboxWorld::simulated(start);
    let channels = [
        world.channel(
            "acme-social",
            SandboxConfig::default().with_seed(42).with_followers(2400),
        )?,
        world.channel(
            "acme-news",
            SandboxConfig::default().with_seed(7).with_followers(900),
        )?,
    ];

    let image = Media::image_bytes("image/png", sample_png(64, 64, [230, 120, 20]))
        .with_size(64, 64)
        .with_alt("An orange square standing in for a photo of the ACME Anvil 2");
    let thread = Post::text("Meet the ACME Anvil 2: forged in one piece, built to outlast you.")
        .with_media(image)
        .then("It weighs 50 kg and ships next Monday. Questions? Ask below!")
        .then_part(socialkit::model::Part {
            text: "Pre-orders are open.".into(),
            link: Some("https://acme.example/anvil-2".into()),
            ..Default::default()
        })
        .with_language("en")
        .with_campaign("anvil-2-launch");

    say!(
        out,
        "socialkit quickstart: offline, on the embedded sandbox (simulated time)\n"
    );
    say!(
        out,
        "Published {} (Europe/Berlin)",
        start.with_timezone(&Berlin).format("%a %Y-%m-%d %H:%M")
    );
    let mut published = Vec::new();
    let mut rows = Vec::new();
    for channel in &channels {
        let key = format!("launch-{}", channel.handle());
        let p = channel
            .publish(&thread, &PublishOptions::with_key(key))
            .await?;
        for (i, part) in p.parts.iter().enumerate() {
            rows.push(vec![
                format!("@{}", channel.handle()),
                format!("{}/{}", i + 1, p.parts.len()),
                part.url.clone().unwrap_or_default(),
            ]);
        }
        published.push(p);
    }
    table(out, &["channel", "part", "url"], &rows);

    world.advance(Duration::hours(48))?;
    say!(
        out,
        "\n48 hours later ({}):",
        world.now().with_timezone(&Berlin).format("%a %H:%M")
    );

    let mut received = Vec::new();
    for channel in &channels {
        received.push(read_all(channel).await?);
    }

    // Answer the first question, as a community manager would.
    if let Some(question) = received[0]
        .iter()
        .find(|i| i.reference.meta.get("mood").map(String::as_str) == Some("question"))
    {
        channels[0]
            .reply_text(
                &question.reference,
                "Thanks for asking! All details: https://acme.example/anvil-2",
            )
            .await?;
        say!(
            out,
            "\nAnswered @{} on @{}: \"{}\"",
            question.author.handle,
            channels[0].handle(),
            question.text.as_deref().unwrap_or_default()
        );
    }

    print_interactions(out, &channels, &received);
    let metrics = print_post_metrics(out, &channels, &published).await?;
    print_channels(out, &channels, &metrics).await?;
    Ok(())
}

/// Every interaction of a channel, paging forward with the cursor.
async fn read_all(channel: &Sandbox) -> Result<Vec<Interaction>> {
    let mut out = Vec::new();
    let mut query = InteractionQuery::default().limit(100);
    loop {
        let page = channel.interactions(&query).await?;
        out.extend(page.items);
        query.cursor = page.next_cursor;
        if !page.has_more {
            return Ok(out);
        }
    }
}

fn print_interactions(out: &mut String, channels: &[Arc<Sandbox>], received: &[Vec<Interaction>]) {
    say!(out, "\nInteractions with text (the first 6 per channel)");
    let mut rows = Vec::new();
    for (channel, items) in channels.iter().zip(received) {
        for i in items.iter().filter(|i| i.text.is_some()).take(6) {
            rows.push(vec![
                format!("@{}", channel.handle()),
                kind_name(i.kind),
                format!("@{}", i.author.handle),
                i.reference
                    .meta
                    .get("mood")
                    .cloned()
                    .unwrap_or_else(|| "-".into()),
                shorten(i.text.as_deref().unwrap_or_default(), 58),
            ]);
        }
    }
    table(out, &["channel", "kind", "author", "mood", "text"], &rows);

    say!(out, "\nAll interactions by kind");
    let mut rows = Vec::new();
    for (channel, items) in channels.iter().zip(received) {
        let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
        for i in items {
            *by_kind.entry(kind_name(i.kind)).or_default() += 1;
        }
        let summary: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        rows.push(vec![
            format!("@{}", channel.handle()),
            items.len().to_string(),
            summary.join(", "),
        ]);
    }
    table(out, &["channel", "total", "by kind"], &rows);
}

async fn print_post_metrics(
    out: &mut String,
    channels: &[Arc<Sandbox>],
    published: &[socialkit::Published],
) -> Result<Vec<Vec<PostMetrics>>> {
    say!(out, "\nPost metrics");
    let mut all = Vec::new();
    let mut rows = Vec::new();
    for (channel, p) in channels.iter().zip(published) {
        let metrics = channel.post_metrics(&p.parts).await?;
        for (i, m) in metrics.iter().enumerate() {
            let n = |v: Option<u64>| v.map_or("n/a".to_string(), |v| v.to_string());
            rows.push(vec![
                format!("@{}", channel.handle()),
                format!("{}/{}", i + 1, metrics.len()),
                n(m.impressions),
                n(m.reach),
                n(m.likes),
                n(m.reposts),
                n(m.replies),
                n(m.quotes),
                n(m.clicks),
                n(m.saves),
            ]);
        }
        all.push(metrics);
    }
    table(
        out,
        &[
            "channel", "part", "impr.", "reach", "likes", "reposts", "replies", "quotes", "clicks",
            "saves",
        ],
        &rows,
    );
    Ok(all)
}

async fn print_channels(
    out: &mut String,
    channels: &[Arc<Sandbox>],
    metrics: &[Vec<PostMetrics>],
) -> Result<()> {
    say!(out, "\nChannel metrics and the thread's engagement rate");
    let mut rows = Vec::new();
    for (channel, metrics) in channels.iter().zip(metrics) {
        let c = channel.channel().await?;
        // The whole thread as one: sum the parts.
        let mut total = PostMetrics::new(metrics[0].post.clone(), metrics[0].collected_at);
        for m in metrics {
            for metric in channel.capabilities().metrics.iter().copied() {
                let sum = total.get(metric).unwrap_or(0) + m.get(metric).unwrap_or(0);
                total.set(metric, Some(sum));
            }
        }
        let rate = |basis| {
            total
                .engagement_rate(basis, c.metrics.followers)
                .map_or("n/a".to_string(), |r| {
                    format!(
                        "{:.2} % ({} / {})",
                        r.value * 100.0,
                        r.engagements,
                        r.denominator
                    )
                })
        };
        let n = |v: Option<u64>| v.map_or("n/a".to_string(), |v| v.to_string());
        rows.push(vec![
            format!("@{}", c.handle),
            n(c.metrics.followers),
            n(c.metrics.following),
            n(c.metrics.posts),
            rate(RateBasis::Impressions),
            rate(RateBasis::Reach),
            rate(RateBasis::Followers),
        ]);
    }
    table(
        out,
        &[
            "channel",
            "followers",
            "following",
            "posts",
            "rate by impressions",
            "by reach",
            "by followers",
        ],
        &rows,
    );
    say!(
        out,
        "\nEngagements = likes + reposts + replies + quotes + clicks + saves. There is no single \
         industry definition of an engagement rate, so every rate states its denominator."
    );
    Ok(())
}

/// The kind's name as socialkit serializes it (`direct_message`).
fn kind_name(kind: InteractionKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// Prints rows as an aligned table.
fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        say!(out, "  {}", padded.join("  ").trim_end());
    };
    line(headers.to_vec());
    line(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    );
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}
