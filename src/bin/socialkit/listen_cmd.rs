//! `listen QUERY`: platform search on every channel, volume and sentiment per bucket,
//! anomalies and crisis signals.

use chrono::{Duration, Utc};
use clap::Args;
use serde::Serialize;
use socialkit::listen::anomaly;
use socialkit::listen::classify::Classifier;
use socialkit::listen::crisis::{CrisisConfig, detect_crises};
use socialkit::listen::query::Query;
use socialkit::listen::search::{SearchOptions, Source, search};
use socialkit::listen::series::Series;
use socialkit::report::ListeningReport;
use socialkit::{Error, Result};

use crate::config::App;
use crate::output;

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The query: words, "phrases", #hashtags, @handles, AND, OR, NOT, prefix*.
    pub query: String,
    /// How many days back.
    #[arg(long, default_value_t = 7)]
    pub days: i64,
    /// Bucket width in hours.
    #[arg(long, default_value_t = 1)]
    pub bucket_hours: i64,
    /// Only these channels (default: all).
    #[arg(long, value_delimiter = ',')]
    pub channel: Vec<String>,
}

#[derive(Serialize)]
struct ListenOutput {
    query: String,
    matches: usize,
    channels: Vec<socialkit::listen::search::ChannelReport>,
    report: ListeningReport,
}

/// Runs the query and prints the series.
pub async fn run(app: &App, args: ListenArgs) -> Result<()> {
    if args.days < 1 || args.bucket_hours < 1 {
        return Err(Error::validation(
            "--days and --bucket-hours must be at least 1",
        ));
    }
    let query = Query::parse(&args.query)?;
    let sources: Vec<Source> = app
        .platforms
        .iter()
        .filter(|(id, _)| args.channel.is_empty() || args.channel.contains(id))
        .map(|(id, p)| Source::new(id.clone(), p.clone()))
        .collect();
    if sources.is_empty() {
        return Err(Error::validation(
            "no channels to search: `socialkit channel add URL` first",
        ));
    }
    let now = Utc::now();
    let options = SearchOptions::default().since(now - Duration::days(args.days));
    let bar = output::spinner(app.ctx.json);
    bar.set_message(format!("searching {} channels", sources.len()));
    let outcome = search(&query, &sources, &options, now).await;
    bar.finish_and_clear();
    let outcome = outcome?;
    let classifier = Classifier::new();
    let interactions: Vec<_> = outcome.interactions().cloned().collect();
    let width = Duration::hours(args.bucket_hours);
    let series = Series::for_query(&query, &interactions, &classifier, width)?;
    let scored: Vec<_> = interactions
        .iter()
        .map(|i| {
            let c = i
                .text
                .as_ref()
                .map(|_| classifier.classify(i).sentiment.compound);
            (i.clone(), c)
        })
        .collect();
    let crises = detect_crises(&CrisisConfig::default(), &scored);
    let config = anomaly::Config {
        slot_secs: width.num_seconds(),
        ..anomaly::Config::default()
    };
    let report = ListeningReport::new(&args.query, &series, &config, &crises);
    if app.ctx.json {
        return output::json(&ListenOutput {
            query: args.query,
            matches: interactions.len(),
            channels: outcome.channels,
            report,
        });
    }
    for c in &outcome.channels {
        let state = match &c.error {
            Some(e) => format!("error: {}: {}", e.kind, e.message),
            None => format!("{} matched of {} read", c.matched, c.fetched),
        };
        output::line(&format!(
            "{}: searched {:?} — {state}",
            c.channel, c.searches
        ));
    }
    output::line(&format!(
        "{} matches, {} anomalies, {} crisis signals",
        interactions.len(),
        report.anomalies.len(),
        report.crises.len()
    ));
    let rows: Vec<Vec<String>> = report
        .buckets
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| {
            let anomalous = report.anomalies.iter().any(|a| a.at == b.start);
            vec![
                b.start.format("%Y-%m-%d %H:%M").to_string(),
                b.count.to_string(),
                b.negative_share()
                    .map_or("–".into(), |s| format!("{:.0} %", s * 100.0)),
                b.mean_sentiment()
                    .map_or("–".into(), |s| format!("{s:+.2}")),
                if anomalous {
                    "ANOMALY".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    if !rows.is_empty() {
        output::table(
            &["bucket (UTC)", "volume", "negative", "sentiment", ""],
            &rows,
        );
    }
    for c in &report.crises {
        output::line(&format!(
            "CRISIS at {}: negative share {:.0} % → {:.0} %",
            c.at.format("%Y-%m-%d %H:%M UTC"),
            c.negative_share_before * 100.0,
            c.negative_share_after * 100.0
        ));
    }
    Ok(())
}
