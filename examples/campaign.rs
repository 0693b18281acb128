//! The main job, offline: a campaign file with goals → a plan → one scheduled post per slot on
//! sandbox channels in the SQLite store → published over simulated weeks → metrics collected →
//! the campaign graded against its goals.
//!
//! ```sh
//! cargo run --example campaign                     # the bundled examples/campaign.toml
//! cargo run --example campaign -- my-campaign.toml
//! ```
//!
//! Deterministic: the world runs on a manual clock and everything random is seeded by the
//! file's `[sandbox] seed`, so every run prints the same report. The progress bar goes to
//! stderr and only shows on a terminal.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use socialkit::adapters::sandbox::SandboxWorld;
use socialkit::clock::{Clock, ManualClock};
use socialkit::engine::{Engine, EngineConfig};
use socialkit::store::{ChannelRecord, DeliveryState, SqliteStore};
use socialkit::strategy::evaluate::KpiProgress;
use socialkit::strategy::kpi::Unit;
use socialkit::strategy::run::{LoopOptions, LoopReport, SandboxSetup, run_plan, sandbox_channels};
use socialkit::strategy::{Inputs, Plan, plan};
use socialkit::{Error, Result};

/// `writeln!` into the report (writing to a `String` cannot fail).
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

const OWNER: &str = "olga";

#[tokio::main]
async fn main() -> Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/campaign.toml").to_string()
    });
    let mut report = String::new();
    let result = run(&path, &mut report).await;
    // Print even a partial report; a closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(report.as_bytes());
    result
}

/// Reads the campaign file: the strategy inputs and the `[sandbox]` table.
fn load(path: &str) -> Result<(Inputs, SandboxSetup)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::validation(format!("cannot read {path}: {e}")))?;
    let mut table: toml::Table = text
        .parse()
        .map_err(|e| Error::validation(format!("{path} is not valid TOML: {e}")))?;
    let setup = match table.remove("sandbox") {
        Some(v) => v
            .try_into()
            .map_err(|e| Error::validation(format!("{path}: [sandbox]: {e}")))?,
        None => SandboxSetup::default(),
    };
    let rest = toml::to_string(&table).map_err(|e| Error::validation(e.to_string()))?;
    Ok((Inputs::from_toml_str(&rest)?, setup))
}

async fn run(path: &str, out: &mut String) -> Result<()> {
    let (mut inputs, setup) = load(path)?;
    let clock = ManualClock::new(setup.clock_start(&inputs));
    let world = SandboxWorld::new(Arc::new(clock.clone()));
    let accounts = sandbox_channels(&mut inputs, &setup, &world, &clock).await?;
    let plan = plan(&inputs, clock.now())?;

    // The SQLite store, in a file that lives as long as the run.
    let dir = tempfile::tempdir().map_err(|e| Error::validation(e.to_string()))?;
    let store = Arc::new(SqliteStore::open(dir.path().join("socialkit.db"))?);
    let engine = Engine::builder(store)
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            seed: Some(setup.seed),
            ..EngineConfig::default()
        })
        .build();
    let ws = engine
        .create_workspace("campaign", &inputs.organisation.name, OWNER)
        .await?;
    for (id, account) in &accounts {
        engine
            .connect(
                &ws,
                OWNER,
                ChannelRecord::new(id.as_str(), "sandbox"),
                account.clone(),
            )
            .await?;
    }

    say!(
        out,
        "socialkit campaign: {} for {} — offline, sandbox channels, SQLite store, simulated time\n",
        plan.campaign.name,
        inputs.organisation.name
    );
    print_plan(out, &inputs, &plan);

    let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:40}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let options = LoopOptions {
        who: OWNER.into(),
        seed: setup.seed,
        ..LoopOptions::default()
    };
    let zone = plan.campaign.zone;
    let loop_report = run_plan(&plan, &engine, &ws, &clock, &options, &mut |p| {
        bar.set_position((p.fraction() * 1000.0) as u64);
        bar.set_message(format!(
            "{}  {}/{} published, {} failed",
            p.now.with_timezone(&zone).format("%a %Y-%m-%d"),
            p.published,
            p.slots,
            p.failed
        ));
    })
    .await;
    bar.finish_and_clear();
    let loop_report = loop_report?;

    print_publishing(out, &plan, &loop_report);
    print_goals(out, &plan, &loop_report);
    print_groups(out, &loop_report);
    print_adjustments(out, &loop_report);
    Ok(())
}

fn print_plan(out: &mut String, inputs: &Inputs, plan: &Plan) {
    let zone = plan.campaign.zone;
    say!(
        out,
        "Plan: {} to {} ({} weeks, {}), {} slots, capacity {} posts/week",
        plan.campaign.start,
        plan.campaign.end,
        plan.campaign.weeks,
        zone,
        plan.calendar.len(),
        plan.capacity.posts_per_week
    );
    let mut rows = Vec::new();
    for c in &plan.cadence {
        let history = inputs
            .channels
            .iter()
            .find(|i| i.id == c.channel)
            .map_or(0, |i| i.history.len());
        let best: Vec<String> = plan
            .best_times
            .iter()
            .find(|b| b.channel == c.channel)
            .map(|b| {
                let mut slots: Vec<_> = plan
                    .calendar
                    .iter()
                    .filter(|s| s.channel == b.channel)
                    .map(|s| s.local.format("%a %H:00").to_string())
                    .collect();
                slots.sort();
                slots.dedup();
                slots.into_iter().take(3).collect()
            })
            .unwrap_or_default();
        rows.push(vec![
            c.channel.clone(),
            c.platform.to_string(),
            history.to_string(),
            c.posts_per_week.to_string(),
            plan.calendar
                .iter()
                .filter(|s| s.channel == c.channel)
                .count()
                .to_string(),
            best.join(", "),
        ]);
    }
    table(
        out,
        &[
            "channel",
            "planned as",
            "history",
            "per week",
            "slots",
            "some slot times",
        ],
        &rows,
    );
    let pillars: Vec<String> = plan
        .mix
        .pillars
        .iter()
        .map(|p| format!("{} {:.0} %", p.name, p.share * 100.0))
        .collect();
    say!(out, "  content mix: {}\n", pillars.join(", "));
}

fn print_publishing(out: &mut String, plan: &Plan, r: &LoopReport) {
    say!(
        out,
        "Publishing: {} → {} (simulated), {} slots → {} published, {} failed",
        r.started_at
            .with_timezone(&plan.campaign.zone)
            .format("%Y-%m-%d %H:%M"),
        r.finished_at
            .with_timezone(&plan.campaign.zone)
            .format("%Y-%m-%d %H:%M"),
        r.outcomes.len(),
        r.published(),
        r.failed()
    );
    let mut rows = Vec::new();
    for c in &plan.cadence {
        let mine: Vec<_> = r
            .outcomes
            .iter()
            .filter(|o| o.channel == c.channel)
            .collect();
        let sum = |f: &dyn Fn(&socialkit::model::PostMetrics) -> Option<u64>| -> u64 {
            mine.iter()
                .filter_map(|o| o.metrics.as_ref().and_then(f))
                .sum()
        };
        let reach = sum(&|m| m.reach);
        let engagements = sum(&|m| m.engagements());
        let late = mine
            .iter()
            .filter_map(|o| {
                o.published
                    .as_ref()
                    .map(|p| (p.published_at - o.planned_at).num_minutes())
            })
            .max()
            .unwrap_or(0);
        rows.push(vec![
            c.channel.clone(),
            mine.len().to_string(),
            count(&mine, DeliveryState::Published),
            count(&mine, DeliveryState::Failed),
            format!("{late} min"),
            sum(&|m| m.impressions).to_string(),
            reach.to_string(),
            engagements.to_string(),
            if reach > 0 {
                format!("{:.2} %", engagements as f64 / reach as f64 * 100.0)
            } else {
                "n/a".into()
            },
        ]);
    }
    table(
        out,
        &[
            "channel",
            "slots",
            "published",
            "failed",
            "max delay",
            "impr.",
            "reach",
            "engagements",
            "rate by reach",
        ],
        &rows,
    );
    say!(out, "");
}

fn count(items: &[&socialkit::strategy::run::SlotOutcome], state: DeliveryState) -> String {
    items
        .iter()
        .filter(|o| o.state == state)
        .count()
        .to_string()
}

fn print_goals(out: &mut String, plan: &Plan, r: &LoopReport) {
    let e = &r.evaluation;
    say!(
        out,
        "Goals at {} ({} snapshots)",
        e.at.with_timezone(&plan.campaign.zone).format("%Y-%m-%d"),
        r.input.snapshots.values().map(Vec::len).max().unwrap_or(0)
    );
    let mut rows = Vec::new();
    for k in &e.kpis {
        let unit = plan
            .goals
            .iter()
            .find(|g| g.goal.id == k.goal)
            .map_or(Unit::Count, |g| g.kpi.unit);
        rows.push(vec![
            k.goal.clone(),
            k.kpi.as_str().to_string(),
            value(unit, Some(k.baseline)),
            value(unit, Some(k.target)),
            value(unit, k.current),
            pct(k.progress),
            value(unit, k.forecast.as_ref().map(|f| f.value)),
            status(k),
        ]);
    }
    table(
        out,
        &[
            "goal", "KPI", "baseline", "target", "now", "progress", "forecast", "status",
        ],
        &rows,
    );
    for k in &e.kpis {
        say!(out, "  {}: {}", k.goal, k.reason);
    }
    say!(out, "");
}

fn print_groups(out: &mut String, r: &LoopReport) {
    let e = &r.evaluation;
    let basis = e
        .rate_basis
        .map_or("n/a".to_string(), |b| format!("{b:?}").to_lowercase());
    say!(
        out,
        "Performance by channel and pillar (mean engagement rate by {basis})"
    );
    let mut rows = Vec::new();
    for (what, groups) in [("channel", &e.channels), ("pillar", &e.pillars)] {
        for g in groups {
            rows.push(vec![
                what.to_string(),
                g.name.clone(),
                g.posts.to_string(),
                g.mean_rate
                    .map_or("n/a".into(), |v| format!("{:.2} %", v * 100.0)),
            ]);
        }
    }
    table(out, &["by", "name", "posts", "mean rate"], &rows);
    say!(out, "");
}

fn print_adjustments(out: &mut String, r: &LoopReport) {
    say!(out, "Adjustments");
    if r.evaluation.adjustments.is_empty() {
        say!(out, "  none: keep the plan");
    }
    for a in &r.evaluation.adjustments {
        let scope = a
            .channel
            .clone()
            .or_else(|| a.goal.clone())
            .unwrap_or_else(|| "campaign".into());
        say!(out, "  - [{scope}] {} — {}", a.action, a.reason);
    }
}

fn status(k: &KpiProgress) -> String {
    k.status.label().to_string()
}

fn value(unit: Unit, v: Option<f64>) -> String {
    match (unit, v) {
        (_, None) => "n/a".into(),
        (Unit::Ratio, Some(v)) => format!("{:.2} %", v * 100.0),
        (Unit::Seconds, Some(v)) => format!("{v:.0} s"),
        (Unit::Money, Some(v)) => format!("{v:.2}"),
        (_, Some(v)) => format!("{v:.0}"),
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{:.0} %", v * 100.0))
}

/// Prints rows as an aligned table.
fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        say!(out, "  {}", padded.join("  ").trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in rows {
        line(row.clone());
    }
}
