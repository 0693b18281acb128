//! `plan`, `run`, `demo` and `report`: the strategy loop on sandbox channels and its report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc, Weekday};
use clap::Args;
use serde::Serialize;
use socialkit::adapters::sandbox::{IncomingInteraction, Sandbox, SandboxWorld};
use socialkit::clock::{Clock, ManualClock};
use socialkit::engine::{Engine, EngineConfig};
use socialkit::inbox::sla::{BusinessHours, SlaPolicy};
use socialkit::inbox::{Inbox, InboxItem, ItemState};
use socialkit::listen::anomaly;
use socialkit::listen::classify::{Classifier, Intent};
use socialkit::listen::crisis::{CrisisConfig, detect_crises};
use socialkit::listen::series::Series;
use socialkit::model::InteractionKind;
use socialkit::report::{CampaignReport, Lang, ListeningReport};
use socialkit::store::{ChannelRecord, MemoryStore, Store};
use socialkit::strategy::run::{
    LoopOptions, LoopProgress, SandboxSetup, run_plan, sandbox_channels,
};
use socialkit::strategy::{Inputs, Plan, plan};
use socialkit::{Error, ErrorKind, Result};

use crate::config::Context;
use crate::output;

/// The bundled example campaign (`examples/campaign.toml`), for `socialkit demo`.
const EXAMPLE: &str = include_str!("../../../examples/campaign.toml");
/// The workspace setting prefix under which `run` keeps each campaign's report.
const REPORT_SETTING: &str = "cli.reports.";
/// Who the simulated team is.
const OWNER: &str = "team";

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The campaign file (strategy inputs plus an optional [sandbox] table).
    pub campaign: PathBuf,
    /// Write the HTML report here.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Language of the HTML report and of the printed goal statuses and adjustments: en or
    /// de.
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// Simulate an incident: a burst of complaints at this local time
    /// ("YYYY-MM-DD HH:MM", campaign zone) to show crisis detection.
    #[arg(long)]
    pub incident: Option<String>,
    /// Replies the simulated team sends per working round (every 3 h in business hours).
    #[arg(long, default_value_t = 10)]
    pub team_capacity: usize,
    /// Copy the campaign's inbox items into the workspace's inbox (`socialkit inbox list`).
    #[arg(long)]
    pub import_inbox: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The campaign's name (as `run` stored it in the workspace).
    #[arg(long, required_unless_present = "input")]
    pub campaign: Option<String>,
    /// Or a report JSON file (`--format json` output).
    #[arg(long, conflicts_with = "campaign")]
    pub input: Option<PathBuf>,
    /// html, csv, json, or text (the run's summary on the terminal, in --lang).
    #[arg(long, default_value = "html")]
    pub format: String,
    /// For csv: posts, inbox or evaluation.
    #[arg(long, default_value = "posts")]
    pub table: String,
    /// Language of the HTML and the text summary: en or de.
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// Write here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// A campaign file: the strategy inputs and the `[sandbox]` table.
fn load(text: &str, origin: &str) -> Result<(Inputs, SandboxSetup)> {
    let mut table: toml::Table = text
        .parse()
        .map_err(|e| Error::validation(format!("{origin} is not valid TOML: {e}")))?;
    let setup = match table.remove("sandbox") {
        Some(v) => v
            .try_into()
            .map_err(|e| Error::validation(format!("{origin}: [sandbox]: {e}")))?,
        None => SandboxSetup::default(),
    };
    let rest = toml::to_string(&table).map_err(|e| Error::validation(e.to_string()))?;
    let inputs = Inputs::from_toml_str(&rest)
        .map_err(|e| Error::validation(format!("{origin}: {}", e.message())))?;
    Ok((inputs, setup))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::validation(format!("cannot read {}: {e}", path.display())))
}

/// `socialkit plan CAMPAIGN.toml`: the plan, no publishing.
pub fn plan_cmd(ctx: &Context, path: &Path) -> Result<()> {
    let (inputs, setup) = load(&read(path)?, &path.display().to_string())?;
    // A campaign ahead plans from now; one whose sandbox history would start before now
    // (like the bundled example) plans from that start, as `run` does.
    let now = Utc::now().min(setup.clock_start(&inputs));
    let p = plan(&inputs, now)?;
    if ctx.json {
        return output::json(&p);
    }
    print_plan(&p);
    Ok(())
}

fn print_plan(p: &Plan) {
    output::line(&format!(
        "Plan {}: {} to {} ({} weeks, {}), {} slots, capacity {} posts/week ({})",
        p.campaign.name,
        p.campaign.start,
        p.campaign.end,
        p.campaign.weeks,
        p.campaign.zone,
        p.calendar.len(),
        p.capacity.posts_per_week,
        p.capacity.reason
    ));
    output::table(
        &["channel", "platform", "per week", "slots"],
        &p.cadence
            .iter()
            .map(|c| {
                vec![
                    c.channel.clone(),
                    c.platform.to_string(),
                    c.posts_per_week.to_string(),
                    p.slots_of(&c.channel).count().to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let pillars: Vec<String> = p
        .mix
        .pillars
        .iter()
        .map(|x| format!("{} {:.0} %", x.name, x.share * 100.0))
        .collect();
    output::line(&format!("Content mix: {}", pillars.join(", ")));
    output::line("Goals:");
    for g in &p.goals {
        output::line(&format!(
            "  {}: {} from {} to {} by {} ({})",
            g.goal.id, g.kpi.name, g.goal.baseline, g.goal.target, g.goal.deadline, g.kpi.formula
        ));
    }
    output::line("Why:");
    for e in &p.explanations {
        output::line(&format!("  - {e}"));
    }
}

/// Complaint texts of the simulated incident.
const INCIDENT: [&str; 6] = [
    "Two weeks and still no parcel. Terrible service, I want my money back!",
    "Your checkout charged me twice. This is awful, fix it now.",
    "Order cancelled without a word. Worst shop ever, never again.",
    "Where is my order?? Nobody answers, this is a disgrace.",
    "The boots fell apart after one hike. Really disappointed and angry.",
    "Still waiting for a refund. Horrible customer service.",
];

/// What `run` found, for `--json` and the report.
#[derive(Serialize)]
struct RunSummary {
    campaign: String,
    slots: usize,
    published: usize,
    failed: usize,
    goals: Vec<GoalLine>,
    adjustments: usize,
    inbox_items: usize,
    anomalies: usize,
    crises: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<String>,
    stored_as: Option<String>,
}

#[derive(Serialize)]
struct GoalLine {
    goal: String,
    kpi: String,
    status: String,
    current: Option<f64>,
    forecast: Option<f64>,
    target: f64,
}

/// Runs a campaign in simulated time and builds its report.
async fn simulate(
    text: &str,
    origin: &str,
    args: &RunArgs,
    json: bool,
) -> Result<(CampaignReport, Vec<InboxItem>)> {
    let (mut inputs, setup) = load(text, origin)?;
    let zone = inputs.primary_zone();
    let incident = match &args.incident {
        Some(s) => {
            let local =
                chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").map_err(|e| {
                    Error::validation(format!("--incident '{s}': {e}; write \"YYYY-MM-DD HH:MM\""))
                })?;
            Some(socialkit::engine::schedule::resolve_local(zone, local))
        }
        None => None,
    };
    let clock = ManualClock::new(setup.clock_start(&inputs));
    let world = SandboxWorld::new(Arc::new(clock.clone()));
    let accounts = sandbox_channels(&mut inputs, &setup, &world, &clock).await?;
    let p = plan(&inputs, clock.now())?;

    // The simulation's own store: its posts live in simulated time and must not reach a real
    // worker; the report is what is kept.
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let engine = Engine::builder(store.clone())
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
    let sla = SlaPolicy {
        hours: BusinessHours::weekdays(zone, 9, 17),
        first_response: Duration::hours(4),
        resolution: Duration::hours(16),
    };
    let mut inbox = Inbox::new(
        Arc::new(socialkit::inbox::MemoryInboxStore::default()),
        Arc::new(clock.clone()),
    )
    .with_engine(engine.clone(), ws.clone())
    .with_sla(sla.clone());
    for (id, account) in &accounts {
        inbox.connect(id.clone(), account.clone());
    }

    let bar = output::progress(json, 1000, "{spinner} [{bar:40}] {msg}");
    let options = LoopOptions {
        who: OWNER.into(),
        seed: setup.seed,
        step: Duration::hours(3),
        ..LoopOptions::default()
    };
    let handle = tokio::runtime::Handle::current();
    let since = p.campaign.starts_at;
    let mut injected = 0usize;
    let mut team_error: Option<Error> = None;
    let capacity = args.team_capacity;
    let first: Option<Arc<Sandbox>> = accounts.first().map(|(_, a)| a.clone());
    let run = {
        let inbox = &inbox;
        let team_error = &mut team_error;
        let injected = &mut injected;
        let bar = &bar;
        let mut on_step = move |pr: &LoopProgress| {
            if let (Some(at), Some(account)) = (incident, first.as_ref()) {
                if pr.now >= at && pr.now < at + Duration::hours(9) {
                    for text in INCIDENT.iter().chain(INCIDENT.iter()) {
                        let incoming = IncomingInteraction::new(InteractionKind::Mention)
                            .text(format!("@{} {text}", account.handle()))
                            .language("en");
                        if account.receive(incoming).is_ok() {
                            *injected += 1;
                        }
                    }
                }
            }
            let local = pr.now.with_timezone(&zone);
            let working = !matches!(local.weekday(), Weekday::Sat | Weekday::Sun)
                && (9..17).contains(&local.hour());
            if working && team_error.is_none() {
                let r = tokio::task::block_in_place(|| {
                    handle.block_on(team_round(inbox, capacity, since))
                });
                if let Err(e) = r {
                    *team_error = Some(e);
                }
            }
            bar.set_position((pr.fraction() * 1000.0) as u64);
            bar.set_message(format!(
                "{}  {}/{} published, {} failed",
                pr.now.with_timezone(&zone).format("%a %Y-%m-%d"),
                pr.published,
                pr.slots,
                pr.failed
            ));
        };
        run_plan(&p, &engine, &ws, &clock, &options, &mut on_step).await
    };
    bar.finish_and_clear();
    let run = run?;
    if let Some(e) = team_error {
        return Err(e);
    }
    // A last look at the inbox: what came in after the last working round.
    inbox.sync().await?;
    inbox.record_replies().await?;
    let mut items = all_items(&inbox).await?;

    let mut report = CampaignReport::from_loop(&p, &run, &inputs.organisation.name);
    // Listening: every mention, comment and message with text, in 6-hour buckets.
    let classifier = Classifier::new();
    let width = Duration::hours(6);
    let mut series = Series::new(width)?;
    let mut scored = Vec::new();
    for i in &items {
        if i.interaction.text.is_none() || !i.interaction.kind.has_text() {
            continue;
        }
        let c = i
            .classification
            .as_ref()
            .map(|c| c.sentiment.compound)
            .or_else(|| Some(classifier.classify(&i.interaction).sentiment.compound));
        series.add(i.interaction.created_at, c);
        scored.push((i.interaction.clone(), c));
    }
    // The simulation moves in 3-hour steps, so interactions arrive in 3-hour lumps: measure
    // the indicators over buckets of that width (the default 15-minute buckets would see
    // every step as a spike and every gap as silence).
    let crisis_config = CrisisConfig {
        bucket_secs: 3 * 3_600,
        recent_secs: 3 * 3_600,
        ..CrisisConfig::default()
    };
    let crises = detect_crises(&crisis_config, &scored);
    let config = anomaly::Config {
        slot_secs: width.num_seconds(),
        ..anomaly::Config::default()
    };
    // The inbox section covers what came in while the team watched (the campaign); listening
    // keeps the history before it as its baseline.
    items.sort_by_key(|i| i.opened_at());
    let campaign_items: Vec<InboxItem> = items
        .iter()
        .filter(|i| i.opened_at() >= since)
        .cloned()
        .collect();
    report = report
        .with_listening(ListeningReport::new(
            match lang(&args.lang) {
                Ok(Lang::De) => "alle Erwähnungen, Kommentare und Nachrichten der Kampagnenkanäle",
                _ => "all mentions, comments and messages of the campaign's channels",
            },
            &series,
            &config,
            &crises,
        ))
        .with_inbox(&campaign_items, &sla);
    if let Some(at) = incident {
        if injected == 0 {
            return Err(Error::validation(format!(
                "--incident {}: outside the simulated time of the campaign",
                at.with_timezone(&zone).format("%Y-%m-%d %H:%M")
            )));
        }
    }
    Ok((report, campaign_items))
}

/// One working round of the simulated team, which watches the inbox from `since` (the
/// campaign's start): read the inbox, record sent replies, answer the oldest open questions
/// and complaints (at most `capacity`), close answered items, triage praise and small talk as
/// done.
async fn team_round(inbox: &Inbox, capacity: usize, since: DateTime<Utc>) -> Result<()> {
    inbox.sync().await?;
    inbox.record_replies().await?;
    let mut items = all_items(inbox).await?;
    items.retain(|i| i.opened_at() >= since);
    items.sort_by_key(|i| i.opened_at());
    let mut sent = 0;
    for item in items {
        let Some(c) = item.classification.as_ref() else {
            continue;
        };
        if item.reply.is_some() && item.state == ItemState::Pending {
            inbox.set_state(&item.key, ItemState::Resolved).await?;
            continue;
        }
        if item.state != ItemState::New {
            continue;
        }
        let text = match c.intent {
            Intent::Question => "Thanks for asking! We have sent you the details in a message.",
            Intent::Complaint => {
                "We are sorry about this. We have sent you a message to put it right."
            }
            // Praise and small talk need no answer: triaged as done.
            Intent::Praise | Intent::Other => {
                inbox.set_state(&item.key, ItemState::Resolved).await?;
                continue;
            }
            _ => continue,
        };
        if !item.interaction.kind.has_text()
            || matches!(
                item.interaction.kind,
                InteractionKind::Follow | InteractionKind::Like
            )
        {
            continue;
        }
        if sent >= capacity {
            break;
        }
        match inbox.reply(&item.key, OWNER, text).await {
            Ok(_) => sent += 1,
            // A platform that cannot reply to this kind: leave it for a person.
            Err(e) if matches!(e.kind(), ErrorKind::Unsupported | ErrorKind::Validation) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn lang(s: &str) -> Result<Lang> {
    s.parse()
}

/// Prints the outcome of a run for people; goal statuses and the adjustments in `lang`
/// (the report's own words, `socialkit::report::Lang`).
fn print_run(r: &CampaignReport, lang: Lang) {
    let published = r.posts.iter().filter(|p| p.state == "published").count();
    let failed = r.posts.iter().filter(|p| p.state == "failed").count();
    output::line(&format!(
        "Campaign {} for {}: {} slots → {published} published, {failed} failed",
        r.campaign,
        r.organisation,
        r.posts.len()
    ));
    output::table(
        &["goal", "KPI", "now", "forecast", "target", "status"],
        &r.goals
            .iter()
            .map(|g| {
                let v = |x: Option<f64>| {
                    x.map_or("n/a".into(), |x| match g.unit {
                        socialkit::strategy::kpi::Unit::Ratio => format!("{:.2} %", x * 100.0),
                        _ => format!("{x:.0}"),
                    })
                };
                vec![
                    g.goal.clone(),
                    g.kpi.as_str().to_string(),
                    v(g.current),
                    v(g.forecast.as_ref().map(|f| f.value)),
                    v(Some(g.target)),
                    lang.status(g.status).to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    if let Some(ir) = &r.inbox {
        let answered: usize = ir.channels.iter().map(|c| c.answered).sum();
        let breached: usize = ir.channels.iter().map(|c| c.breached).sum();
        output::line(&format!(
            "Inbox: {} items, {answered} answered, {breached} over the first-response SLA",
            ir.items.len()
        ));
    }
    if let Some(l) = &r.listening {
        output::line(&format!(
            "Listening: {} anomalies, {} crisis signals",
            l.anomalies.len(),
            l.crises.len()
        ));
    }
    let (heading, none) = lang.adjustments_heading();
    output::line(&format!("{heading}:"));
    if r.adjustments.is_empty() {
        output::line(&format!("  {none}"));
    }
    for a in &r.adjustments {
        let (action, reason) = lang.adjustment(a);
        output::line(&format!("  - {action} — {reason}"));
    }
}

fn summary(r: &CampaignReport, report: Option<&Path>, stored: Option<String>) -> RunSummary {
    RunSummary {
        campaign: r.campaign.clone(),
        slots: r.posts.len(),
        published: r.posts.iter().filter(|p| p.state == "published").count(),
        failed: r.posts.iter().filter(|p| p.state == "failed").count(),
        goals: r
            .goals
            .iter()
            .map(|g| GoalLine {
                goal: g.goal.clone(),
                kpi: g.kpi.as_str().to_string(),
                status: serde_json::to_value(g.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                current: g.current,
                forecast: g.forecast.as_ref().map(|f| f.value),
                target: g.target,
            })
            .collect(),
        adjustments: r.adjustments.len(),
        inbox_items: r.inbox.as_ref().map_or(0, |i| i.items.len()),
        anomalies: r.listening.as_ref().map_or(0, |l| l.anomalies.len()),
        crises: r.listening.as_ref().map_or(0, |l| l.crises.len()),
        report: report.map(|p| p.display().to_string()),
        stored_as: stored,
    }
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text)
        .map_err(|e| Error::validation(format!("cannot write {}: {e}", path.display())))
}

/// Keeps the report in the configured workspace, when there is one.
async fn store_report(ctx: &Context, r: &CampaignReport) -> Result<Option<String>> {
    let Ok(store) = ctx.open_store(false).await.map(|o| o.store()) else {
        return Ok(None);
    };
    if store.workspace(&ctx.workspace).await.is_err() {
        return Ok(None);
    }
    let key = format!("{REPORT_SETTING}{}", r.campaign);
    let v = serde_json::to_value(r).map_err(Error::from)?;
    store.put_setting(&ctx.workspace, &key, &v).await?;
    Ok(Some(key))
}

async fn run_and_write(ctx: &Context, text: &str, origin: &str, args: &RunArgs) -> Result<()> {
    let lang = lang(&args.lang)?;
    let (r, imported) = simulate(text, origin, args, ctx.json).await?;
    if let Some(path) = &args.report {
        write_file(path, &r.to_html(lang))?;
    }
    let stored = store_report(ctx, &r).await?;
    if args.import_inbox {
        import_inbox(ctx, &imported).await?;
    }
    if ctx.json {
        return output::json(&summary(&r, args.report.as_deref(), stored));
    }
    print_run(&r, lang);
    if let Some(path) = &args.report {
        let shown = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        output::line(&format!("Report: {}", shown.display()));
    }
    if let Some(key) = stored {
        output::line(&format!(
            "Stored in workspace {} as {key}: `socialkit report --campaign {}`",
            ctx.workspace, r.campaign
        ));
    }
    Ok(())
}

async fn import_inbox(ctx: &Context, items: &[InboxItem]) -> Result<()> {
    let opened = ctx.open_store(false).await?;
    let store = opened.store();
    store.workspace(&ctx.workspace).await?;
    let inbox = opened.inbox(&ctx.workspace).await?;
    let sla = crate::inbox_cmd::stored_sla(&*store, &ctx.workspace).await?;
    for i in items {
        let mut i = i.clone();
        // The campaign's replies were sent by its simulated engine, not this workspace's.
        i.reply_delivery = None;
        inbox.put(&i, &sla).await?;
    }
    Ok(())
}

/// `socialkit run CAMPAIGN.toml`.
pub async fn run_cmd(ctx: &Context, args: RunArgs) -> Result<()> {
    let text = read(&args.campaign)?;
    let origin = args.campaign.display().to_string();
    run_and_write(ctx, &text, &origin, &args).await
}

/// `socialkit demo`: the bundled campaign with an incident, written to `out`.
pub async fn demo(ctx: &Context, out: PathBuf, lang: &str) -> Result<()> {
    let args = RunArgs {
        campaign: PathBuf::from("examples/campaign.toml"),
        report: Some(out),
        lang: lang.to_string(),
        incident: Some("2026-04-08 10:00".into()),
        team_capacity: 10,
        import_inbox: false,
    };
    run_and_write(ctx, EXAMPLE, "the bundled examples/campaign.toml", &args).await
}

/// `socialkit report`.
pub async fn report_cmd(ctx: &Context, args: ReportArgs) -> Result<()> {
    let report = match (&args.campaign, &args.input) {
        (_, Some(path)) => CampaignReport::from_json(&read(path)?)?,
        (Some(name), None) => {
            let store = ctx.open_store(false).await?.store();
            let key = format!("{REPORT_SETTING}{name}");
            let v = store.setting(&ctx.workspace, &key).await?.ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!(
                        "no report of campaign '{name}' in workspace {}: run `socialkit run CAMPAIGN.toml` first",
                        ctx.workspace
                    ),
                )
            })?;
            serde_json::from_value(v)
                .map_err(|e| Error::config(format!("the stored report is damaged: {e}")))?
        }
        (None, None) => return Err(Error::validation("give --campaign NAME or --input FILE")),
    };
    let text = match args.format.as_str() {
        "text" if args.out.is_none() => {
            print_run(&report, lang(&args.lang)?);
            return Ok(());
        }
        "text" => {
            return Err(Error::validation(
                "--format text prints to the terminal; use html, csv or json with --out",
            ));
        }
        "html" => report.to_html(lang(&args.lang)?),
        "json" => report.to_json()?,
        "csv" => match args.table.as_str() {
            "posts" => report.posts_csv(),
            "inbox" => report.inbox_csv(),
            "evaluation" => report.evaluation_csv(),
            t => {
                return Err(Error::validation(format!(
                    "unknown --table '{t}'; use posts, inbox or evaluation"
                )));
            }
        },
        f => {
            return Err(Error::validation(format!(
                "unknown --format '{f}'; use html, csv, json or text"
            )));
        }
    };
    match &args.out {
        Some(path) => {
            write_file(path, &text)?;
            if ctx.json {
                output::json(
                    &serde_json::json!({"written": path.display().to_string(), "format": args.format}),
                )?;
            } else {
                output::line(&format!("Wrote {}", path.display()));
            }
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
        }
    }
    Ok(())
}

/// Every item of the inbox, page by page.
async fn all_items(inbox: &Inbox) -> Result<Vec<InboxItem>> {
    let mut all = Vec::new();
    let mut page = socialkit::inbox::PageRequest::first(1000);
    loop {
        let got = inbox.items(page).await?;
        all.extend(got.items);
        match got.next {
            Some(next) => page = next,
            None => return Ok(all),
        }
    }
}
