//! Reports people look at: a campaign's goals, posts, engagement, best times, listening and
//! inbox, as a self-contained HTML page with SVG charts, and as CSV and JSON exports.
//!
//! A [`CampaignReport`] is plain serde data, built from what the rest of the library produces:
//!
//! - [`CampaignReport::from_loop`]: a strategy [`Plan`] and the [`LoopReport`] of
//!   [`run_plan`](crate::strategy::run::run_plan) — goal progress with the forecast and its
//!   interval, every slot's post with its metrics, engagement by channel and pillar, a best-time
//!   heatmap (weekday × hour in the campaign's zone) and the evaluation's adjustments;
//! - [`CampaignReport::with_listening`]: volume and sentiment over time from a listening
//!   [`Series`], with anomalies and crisis signals marked ([`ListeningReport::new`]);
//! - [`CampaignReport::with_inbox`]: inbox items and their response times against an
//!   [`SlaPolicy`] ([`InboxReport::new`]).
//!
//! Output:
//!
//! - [`CampaignReport::to_html`]: one HTML file, no scripts, no network fetches (fonts, styles
//!   and charts are inline), printable (`@media print`), in English or German ([`Lang`]).
//! - [`CampaignReport::posts_csv`], [`CampaignReport::inbox_csv`],
//!   [`CampaignReport::evaluation_csv`]: RFC 4180 CSV with the stable column names listed in
//!   [`POSTS_COLUMNS`], [`INBOX_COLUMNS`] and [`EVALUATION_COLUMNS`].
//! - [`CampaignReport::to_json`]: the whole report as JSON (the field names of these types).
//!
//! ```
//! use socialkit::report::{CampaignReport, Lang};
//! let report = CampaignReport::empty("Spring range", "Alpenglow Outdoor", chrono_tz::Europe::Berlin);
//! let html = report.to_html(Lang::De);
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains("Ziele")); // German labels
//! assert!(!html.contains("<script"));
//! assert!(report.posts_csv().starts_with(socialkit::report::POSTS_COLUMNS.join(",").as_str()));
//! ```

mod chart;
mod export;
mod html;
mod labels;
mod wording;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub use export::{EVALUATION_COLUMNS, INBOX_COLUMNS, POSTS_COLUMNS};
pub use labels::Lang;

use crate::inbox::InboxItem;
use crate::inbox::sla::{SlaKind, SlaPolicy};
use crate::listen::anomaly::{self, Anomaly};
use crate::listen::crisis::CrisisSignal;
use crate::listen::series::{Bucket, Series};
use crate::model::RateBasis;
use crate::strategy::Plan;
use crate::strategy::evaluate::{Adjustment, Forecast, GroupPerformance, Status};
use crate::strategy::kpi::{KpiId, Unit};
use crate::strategy::run::LoopReport;
use crate::{Error, Result};

/// A campaign report: everything the HTML page and the exports show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignReport {
    /// The campaign's name.
    pub campaign: String,
    /// The organisation the report is for.
    pub organisation: String,
    /// The zone dates, weekdays and hours are shown in.
    pub zone: Tz,
    /// First day of the campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    /// Last day of the campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    /// The instant the numbers are from (the evaluation's time).
    pub as_of: DateTime<Utc>,
    /// Each goal with its KPI readings, forecast and status.
    pub goals: Vec<GoalReport>,
    /// What the engagement rates below are divided by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_basis: Option<RateBasis>,
    /// Mean engagement rate per channel.
    pub channels: Vec<GroupPerformance>,
    /// Mean engagement rate per content pillar.
    pub pillars: Vec<GroupPerformance>,
    /// Every planned post with its outcome and metrics.
    pub posts: Vec<PostRow>,
    /// Mean engagement rate by weekday and hour of publication.
    pub heatmap: Heatmap,
    /// Volume and sentiment over time, if listening ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listening: Option<ListeningReport>,
    /// Inbox items and response times, if the inbox ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbox: Option<InboxReport>,
    /// The evaluation's adjustments to the plan.
    pub adjustments: Vec<Adjustment>,
}

/// One goal: its KPI over time, the forecast at the deadline and the status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalReport {
    /// The goal's id.
    pub goal: String,
    /// The goal as written.
    pub description: String,
    /// The KPI.
    pub kpi: KpiId,
    /// What the KPI's number is.
    pub unit: Unit,
    /// Baseline.
    pub baseline: f64,
    /// Target.
    pub target: f64,
    /// The deadline as an instant.
    pub deadline_at: DateTime<Utc>,
    /// The latest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<f64>,
    /// (current − baseline) ÷ (target − baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<f64>,
    /// The forecast at the deadline, with its 80 % interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<Forecast>,
    /// The status.
    pub status: Status,
    /// Why that status.
    pub reason: String,
    /// The KPI at every metrics snapshot, oldest first.
    pub readings: Vec<Reading>,
}

/// A KPI value at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// When.
    pub at: DateTime<Utc>,
    /// The value.
    pub value: f64,
}

/// One planned post: where it went, what became of it, its metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostRow {
    /// The slot's index in the plan's calendar.
    pub slot: usize,
    /// The channel id.
    pub channel: String,
    /// The content pillar.
    pub pillar: String,
    /// When it was planned.
    pub planned_at: DateTime<Utc>,
    /// When it went out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    /// The delivery's final state (`published`, `failed`, …).
    pub state: String,
    /// The post's URL on the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The typed failure's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<String>,
    /// The text sent.
    pub text: String,
    /// Impressions.
    pub impressions: Option<u64>,
    /// Reach.
    pub reach: Option<u64>,
    /// Likes.
    pub likes: Option<u64>,
    /// Reposts.
    pub reposts: Option<u64>,
    /// Replies.
    pub replies: Option<u64>,
    /// Link clicks.
    pub clicks: Option<u64>,
    /// Saves.
    pub saves: Option<u64>,
    /// Engagements (likes + reposts + replies + quotes + clicks + saves).
    pub engagements: Option<u64>,
    /// Engagements ÷ the report's [`rate_basis`](CampaignReport::rate_basis).
    pub engagement_rate: Option<f64>,
}

/// Mean engagement rate by weekday (Monday = 0) and hour (0–23) of publication, in the
/// report's zone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Heatmap {
    /// The cells that have posts.
    pub cells: Vec<HeatCell>,
}

/// One weekday × hour cell of a [`Heatmap`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeatCell {
    /// Monday = 0 … Sunday = 6.
    pub weekday: u8,
    /// 0–23.
    pub hour: u8,
    /// Posts published in that hour.
    pub posts: usize,
    /// Their mean engagement rate.
    pub mean_rate: f64,
}

impl Heatmap {
    /// The cell of a weekday and hour, if it has posts.
    pub fn cell(&self, weekday: u8, hour: u8) -> Option<&HeatCell> {
        self.cells
            .iter()
            .find(|c| c.weekday == weekday && c.hour == hour)
    }

    /// The heatmap of `(published_at, rate)` pairs in `zone`.
    ///
    /// ```
    /// use socialkit::report::Heatmap;
    /// let t: chrono::DateTime<chrono::Utc> = "2026-03-02T08:30:00Z".parse().unwrap(); // Monday 09:30 Berlin
    /// let h = Heatmap::of(&[(t, 0.04), (t, 0.06)], chrono_tz::Europe::Berlin);
    /// let c = h.cell(0, 9).unwrap();
    /// assert_eq!(c.posts, 2);
    /// assert!((c.mean_rate - 0.05).abs() < 1e-12);
    /// ```
    pub fn of(rates: &[(DateTime<Utc>, f64)], zone: Tz) -> Heatmap {
        let mut acc: BTreeMap<(u8, u8), (usize, f64)> = BTreeMap::new();
        for (at, rate) in rates {
            let local = at.with_timezone(&zone);
            let key = (
                local.weekday().num_days_from_monday() as u8,
                local.hour() as u8,
            );
            let e = acc.entry(key).or_default();
            e.0 += 1;
            e.1 += rate;
        }
        Heatmap {
            cells: acc
                .into_iter()
                .map(|((weekday, hour), (posts, sum))| HeatCell {
                    weekday,
                    hour,
                    posts,
                    mean_rate: sum / posts as f64,
                })
                .collect(),
        }
    }
}

/// Volume and sentiment of a listening query over time, with anomalies and crisis signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListeningReport {
    /// The query, as written.
    pub query: String,
    /// Width of a bucket in seconds.
    pub bucket_secs: i64,
    /// The buckets, oldest first, dense.
    pub buckets: Vec<Bucket>,
    /// Volume anomalies.
    pub anomalies: Vec<Anomaly>,
    /// Crisis signals (volume anomaly plus a jump in negative share).
    pub crises: Vec<CrisisMark>,
}

/// A crisis signal as the report marks it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CrisisMark {
    /// When it was raised.
    pub at: DateTime<Utc>,
    /// Negative share before the spike.
    pub negative_share_before: f64,
    /// Negative share during it.
    pub negative_share_after: f64,
}

impl ListeningReport {
    /// The report of `series` for `query`: anomalies of its volume under `config`, and the
    /// crisis signals found by [`detect_crises`](crate::listen::crisis::detect_crises) or a
    /// [`CrisisMonitor`](crate::listen::crisis::CrisisMonitor).
    pub fn new(
        query: &str,
        series: &Series,
        config: &anomaly::Config,
        crises: &[CrisisSignal],
    ) -> ListeningReport {
        ListeningReport {
            query: query.to_string(),
            bucket_secs: series.width().num_seconds(),
            buckets: series.buckets(),
            anomalies: anomaly::detect(config, &series.volume()),
            crises: crises
                .iter()
                .map(|c| {
                    // The negative-share evidence: its normal value and the recent one.
                    let share = c.deviation(crate::engine::Indicator::NegativeShare);
                    CrisisMark {
                        at: c.at,
                        negative_share_before: share.map_or(0.0, |d| d.baseline),
                        negative_share_after: share.map_or(0.0, |d| d.value),
                    }
                })
                .collect(),
        }
    }
}

/// Inbox items and their response times against the SLA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxReport {
    /// First-response target, business seconds.
    pub first_response_target_secs: i64,
    /// Resolution target, business seconds.
    pub resolution_target_secs: i64,
    /// The zone of the business hours.
    pub zone: Tz,
    /// Every item.
    pub items: Vec<InboxRow>,
    /// Response times per channel.
    pub channels: Vec<ResponseStats>,
}

/// One inbox item, flattened for tables and CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxRow {
    /// The item's key, printable: `channel/platform/id`.
    pub key: String,
    /// The channel.
    pub channel: String,
    /// The platform.
    pub platform: String,
    /// comment, mention, direct_message …
    pub kind: String,
    /// The author's handle.
    pub author: String,
    /// The text.
    pub text: String,
    /// When the customer wrote.
    pub created_at: DateTime<Utc>,
    /// new, pending, resolved.
    pub state: String,
    /// The assignee.
    pub assignee: Option<String>,
    /// question, complaint, praise, spam, other.
    pub intent: Option<String>,
    /// low, normal, high, urgent.
    pub priority: Option<String>,
    /// VADER compound score, −1 … 1.
    pub sentiment: Option<f64>,
    /// Business seconds to the first response.
    pub first_response_secs: Option<i64>,
    /// Business seconds to resolution.
    pub resolution_secs: Option<i64>,
    /// Whether the first-response target was missed: answered late, or still open and
    /// unanswered past it (an item resolved without an answer needed none).
    pub first_response_breached: bool,
    /// Whether the SLA applies (not spam, has text).
    pub measured: bool,
}

/// First-response times of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseStats {
    /// The channel.
    pub channel: String,
    /// Items the SLA applies to.
    pub measured: usize,
    /// Of those, answered.
    pub answered: usize,
    /// Of those, past the first-response target (answered late or still waiting).
    pub breached: usize,
    /// Median business seconds to the first response.
    pub median_secs: Option<i64>,
    /// 90th percentile.
    pub p90_secs: Option<i64>,
}

impl InboxReport {
    /// The report of `items` under `policy`, open items judged at `now`.
    pub fn new(items: &[InboxItem], policy: &SlaPolicy, now: DateTime<Utc>) -> InboxReport {
        let target = policy.first_response;
        let mut rows = Vec::with_capacity(items.len());
        for item in items {
            let measured = policy.applies(item);
            let fr = policy.first_response_time(item);
            // Late answers, and open items past the target; an item resolved without an
            // answer (triaged: praise, small talk) needed none.
            let waited = |until: DateTime<Utc>| policy.hours.between(item.opened_at(), until);
            let breached = measured
                && match (fr, item.resolved_at) {
                    (Some(d), _) => d > target,
                    (None, Some(_)) => false,
                    (None, None) => {
                        item.breaches.contains(&SlaKind::FirstResponse) || waited(now) > target
                    }
                };
            let class = item.classification.as_ref();
            rows.push(InboxRow {
                key: printable_key(&item.key),
                channel: item.channel.clone(),
                platform: item.interaction.reference.platform.to_string(),
                kind: snake(&item.interaction.kind),
                author: item.interaction.author.handle.clone(),
                text: item.interaction.text.clone().unwrap_or_default(),
                created_at: item.opened_at(),
                state: snake(&item.state),
                assignee: item.assignee.clone(),
                intent: class.map(|c| snake(&c.intent)),
                priority: class.map(|c| snake(&c.priority)),
                sentiment: class.map(|c| c.sentiment.compound),
                first_response_secs: fr.map(|d| d.num_seconds()),
                resolution_secs: policy.resolution_time(item).map(|d| d.num_seconds()),
                first_response_breached: breached,
                measured,
            });
        }
        let mut by_channel: BTreeMap<&str, Vec<&InboxRow>> = BTreeMap::new();
        for r in &rows {
            by_channel.entry(&r.channel).or_default().push(r);
        }
        let channels = by_channel
            .into_iter()
            .map(|(channel, rs)| {
                let mut times: Vec<i64> = rs
                    .iter()
                    .filter(|r| r.measured)
                    .filter_map(|r| r.first_response_secs)
                    .collect();
                times.sort_unstable();
                let rank = |p: f64| -> Option<i64> {
                    if times.is_empty() {
                        return None;
                    }
                    let r = (p * times.len() as f64).ceil() as usize;
                    Some(times[r.clamp(1, times.len()) - 1])
                };
                ResponseStats {
                    channel: channel.to_string(),
                    measured: rs.iter().filter(|r| r.measured).count(),
                    answered: times.len(),
                    breached: rs.iter().filter(|r| r.first_response_breached).count(),
                    median_secs: rank(0.5),
                    p90_secs: rank(0.9),
                }
            })
            .collect();
        InboxReport {
            first_response_target_secs: target.num_seconds(),
            resolution_target_secs: policy.resolution.num_seconds(),
            zone: policy.hours.tz,
            items: rows,
            channels,
        }
    }
}

/// An inbox key (`channel␟platform␟id`) with `/` for the unit separator, for people and CSV.
///
/// ```
/// assert_eq!(socialkit::report::printable_key("acme\u{1f}sandbox\u{1f}n1"), "acme/sandbox/n1");
/// ```
pub fn printable_key(key: &str) -> String {
    key.replace('\u{1f}', "/")
}

/// A serde enum's name (`"direct_message"`), or `""` for other values.
fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl CampaignReport {
    /// A report with no data yet (every chart says so).
    pub fn empty(campaign: &str, organisation: &str, zone: Tz) -> CampaignReport {
        CampaignReport {
            campaign: campaign.to_string(),
            organisation: organisation.to_string(),
            zone,
            start: None,
            end: None,
            as_of: Utc::now(),
            goals: Vec::new(),
            rate_basis: None,
            channels: Vec::new(),
            pillars: Vec::new(),
            posts: Vec::new(),
            heatmap: Heatmap::default(),
            listening: None,
            inbox: None,
            adjustments: Vec::new(),
        }
    }

    /// The report of a campaign loop: `plan` as planned, `run` as it went (see
    /// [`run_plan`](crate::strategy::run::run_plan)).
    pub fn from_loop(plan: &Plan, run: &LoopReport, organisation: &str) -> CampaignReport {
        let e = &run.evaluation;
        let basis = e.rate_basis.unwrap_or(RateBasis::Reach);
        let goals = e
            .kpis
            .iter()
            .map(|k| {
                let gp = plan.goals.iter().find(|g| g.goal.id == k.goal);
                let readings = run
                    .input
                    .snapshots
                    .get(&k.goal)
                    .map(|snaps| {
                        snaps
                            .iter()
                            .filter_map(|s| {
                                k.kpi
                                    .compute(&s.metrics)
                                    .map(|value| Reading { at: s.at, value })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                GoalReport {
                    goal: k.goal.clone(),
                    description: gp.map(|g| g.goal.description.clone()).unwrap_or_default(),
                    kpi: k.kpi,
                    unit: gp.map_or(Unit::Count, |g| g.kpi.unit),
                    baseline: k.baseline,
                    target: k.target,
                    deadline_at: gp.map_or(plan.campaign.ends_at, |g| g.deadline_at),
                    current: k.current,
                    progress: k.progress,
                    forecast: k.forecast.clone(),
                    status: k.status,
                    reason: k.reason.clone(),
                    readings,
                }
            })
            .collect();
        let posts = run
            .outcomes
            .iter()
            .map(|o| {
                let m = o.metrics.as_ref();
                let get = |f: fn(&crate::model::PostMetrics) -> Option<u64>| m.and_then(f);
                let followers = run
                    .input
                    .posts
                    .iter()
                    .find(|p| p.channel == o.channel)
                    .and_then(|p| p.followers);
                PostRow {
                    slot: o.slot,
                    channel: o.channel.clone(),
                    pillar: o.pillar.clone(),
                    planned_at: o.planned_at,
                    published_at: o.published.as_ref().map(|p| p.published_at),
                    state: o.state.as_str().to_string(),
                    url: o
                        .published
                        .as_ref()
                        .and_then(|p| p.url().map(str::to_string)),
                    error_kind: o.error_kind.map(|k| snake(&k)),
                    text: o.text.clone(),
                    impressions: get(|m| m.impressions),
                    reach: get(|m| m.reach),
                    likes: get(|m| m.likes),
                    reposts: get(|m| m.reposts),
                    replies: get(|m| m.replies),
                    clicks: get(|m| m.clicks),
                    saves: get(|m| m.saves),
                    engagements: m.and_then(|m| m.engagements()),
                    engagement_rate: m
                        .and_then(|m| m.engagement_rate(basis, followers))
                        .map(|r| r.value),
                }
            })
            .collect();
        let rates: Vec<(DateTime<Utc>, f64)> = run
            .input
            .posts
            .iter()
            .filter_map(|p| {
                p.metrics
                    .engagement_rate(basis, p.followers)
                    .map(|r| (p.published_at, r.value))
            })
            .collect();
        CampaignReport {
            campaign: plan.campaign.name.clone(),
            organisation: organisation.to_string(),
            zone: plan.campaign.zone,
            start: Some(plan.campaign.start),
            end: Some(plan.campaign.end),
            as_of: e.at,
            goals,
            rate_basis: Some(basis),
            channels: e.channels.clone(),
            pillars: e.pillars.clone(),
            posts,
            heatmap: Heatmap::of(&rates, plan.campaign.zone),
            listening: None,
            inbox: None,
            adjustments: e.adjustments.clone(),
        }
    }

    /// Adds the listening section.
    pub fn with_listening(mut self, listening: ListeningReport) -> Self {
        self.listening = Some(listening);
        self
    }

    /// Adds the inbox section: `items` under `policy`, open items judged at the report's
    /// [`as_of`](CampaignReport::as_of).
    pub fn with_inbox(mut self, items: &[InboxItem], policy: &SlaPolicy) -> Self {
        self.inbox = Some(InboxReport::new(items, policy, self.as_of));
        self
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(Error::from)
    }

    /// Reads a report written by [`to_json`](CampaignReport::to_json).
    pub fn from_json(json: &str) -> Result<CampaignReport> {
        serde_json::from_str(json)
            .map_err(|e| Error::validation(format!("not a socialkit campaign report: {e}")))
    }

    /// The self-contained HTML page in `lang`.
    pub fn to_html(&self, lang: Lang) -> String {
        html::render(self, lang)
    }
}

#[cfg(test)]
mod tests;
