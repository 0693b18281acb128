//! Evaluation: from metric snapshots, each goal's KPI progress against its target and pace, a
//! forecast to the deadline, a status, and concrete adjustments to the plan.
//!
//! ## Inputs
//!
//! Per goal, snapshots of [`MetricInputs`] over time. A snapshot covers the period the goal is
//! measured over: for counts (reach, impressions) the campaign so far, for rates the latest
//! period (the last week, say). Optionally the published posts with their channel, pillar and
//! metrics ([`PostOutcome`]), from which the adjustments are derived.
//!
//! ## Numbers
//!
//! - **progress** = (current − baseline) ÷ (target − baseline); 1 = target reached.
//! - **expected progress** = elapsed ÷ (deadline − start), clamped to 0–1; start is the goal's
//!   `start` or the campaign's.
//! - **pace** = progress ÷ expected progress.
//! - **forecast**: ordinary least squares of the KPI on time over the snapshots, extrapolated to
//!   the deadline, clamped to the KPI's bounds; with 3 or more snapshots an 80 % prediction
//!   interval ŷ ± t(0.90, n−2) · s · √(1 + 1/n + (T − t̄)² ÷ Sxx).
//!
//! ## Status thresholds
//!
//! - **on track**: the target is already reached, or the forecast reaches it (forecast progress
//!   ≥ 1); with a single snapshot, pace ≥ 0.9.
//! - **at risk**: forecast progress ≥ 0.8, or the interval's favourable end reaches the target;
//!   with a single snapshot, pace ≥ 0.6.
//! - **off track**: otherwise.
//! - **unknown**: no snapshot gives the KPI a value (an input is unknown; never read as 0).
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use socialkit::strategy::evaluate::{evaluate, EvaluationInput, Snapshot, Status};
//! use socialkit::strategy::{plan, Inputs, MetricInputs};
//! let inputs = Inputs::example(); // goal "awareness": reach 20,000 → 50,000 by 31 May
//! let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
//! let p = plan(&inputs, now).unwrap();
//! let mut input = EvaluationInput::default();
//! for week in 1..=4 {
//!     let at = now + Duration::weeks(week);
//!     let reach = 20_000 + 1_000 * week as u64; // far too slow
//!     input.snapshots.entry("awareness".into()).or_default().push(Snapshot {
//!         at, metrics: MetricInputs { reach: Some(reach), ..Default::default() } });
//! }
//! let e = evaluate(&p, &input, now + Duration::weeks(4));
//! let reach = e.kpis.iter().find(|k| k.goal == "awareness").unwrap();
//! assert_eq!(reach.status, Status::OffTrack);
//! assert!(reach.forecast.as_ref().unwrap().value < 50_000.0);
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::goals::GoalKind;
use super::kpi::{KpiId, MetricInputs};
use super::localtime::{hour_name, hour_of_week_at, start_of_day};
use super::plan::Plan;
use crate::model::{PlatformId, PostMetrics, RateBasis};

/// A KPI reading: the metrics of the goal's period at an instant.
///
/// ```
/// let s = socialkit::strategy::evaluate::Snapshot { at: chrono::Utc::now(), metrics: Default::default() };
/// assert_eq!(s.metrics.reach, None);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When the metrics were read.
    pub at: DateTime<Utc>,
    /// The metrics.
    pub metrics: MetricInputs,
}

/// A published post of the campaign with its metrics.
///
/// ```
/// use socialkit::model::{PostMetrics, PostRef};
/// let at = chrono::Utc::now();
/// let o = socialkit::strategy::evaluate::PostOutcome { channel: "ig".into(), pillar: Some("value".into()),
///     published_at: at, metrics: PostMetrics::new(PostRef::new("sandbox", "1"), at), followers: None };
/// assert_eq!(o.channel, "ig");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostOutcome {
    /// The channel id.
    pub channel: String,
    /// The plan's pillar for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pillar: Option<String>,
    /// When it went out.
    pub published_at: DateTime<Utc>,
    /// Its metrics.
    pub metrics: PostMetrics,
    /// The channel's followers (for rates by followers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
}

/// What an evaluation reads.
///
/// ```
/// let i = socialkit::strategy::evaluate::EvaluationInput::default();
/// assert!(i.snapshots.is_empty() && i.posts.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvaluationInput {
    /// Snapshots by goal id.
    #[serde(default)]
    pub snapshots: BTreeMap<String, Vec<Snapshot>>,
    /// Published posts.
    #[serde(default)]
    pub posts: Vec<PostOutcome>,
}

/// How a goal stands.
///
/// ```
/// assert_eq!(serde_json::to_string(&socialkit::strategy::evaluate::Status::AtRisk).unwrap(), "\"at_risk\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Will reach the target.
    OnTrack,
    /// May miss it.
    AtRisk,
    /// Will miss it without changes.
    OffTrack,
    /// No data.
    Unknown,
}

impl Status {
    /// A label for tables.
    ///
    /// ```
    /// assert_eq!(socialkit::strategy::evaluate::Status::OffTrack.label(), "off track");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Status::OnTrack => "on track",
            Status::AtRisk => "at risk",
            Status::OffTrack => "off track",
            Status::Unknown => "unknown",
        }
    }
}

/// A forecast of a KPI at the deadline.
///
/// ```
/// use socialkit::strategy::evaluate::linear_forecast;
/// let f = linear_forecast(&[(0.0, 1.0), (1.0, 2.0), (2.0, 3.1)], 10.0, (None, None)).unwrap();
/// assert!((f.value - 11.0).abs() < 0.5);
/// assert!(f.low.unwrap() < f.value && f.value < f.high.unwrap());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// The predicted value.
    pub value: f64,
    /// Lower end of the 80 % prediction interval (3+ points).
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
    /// Change per day.
    pub slope_per_day: f64,
    /// Points used.
    pub points: usize,
}

/// Student's t quantile at 0.90 (a two-sided 80 % interval) for `df` degrees of freedom,
/// from the standard table; the nearest tabulated df at or below is used (conservative).
fn t90(df: usize) -> f64 {
    const TABLE: [(usize, f64); 14] = [
        (1, 3.078),
        (2, 1.886),
        (3, 1.638),
        (4, 1.533),
        (5, 1.476),
        (6, 1.440),
        (7, 1.415),
        (8, 1.397),
        (9, 1.383),
        (10, 1.372),
        (12, 1.356),
        (15, 1.341),
        (20, 1.325),
        (30, 1.310),
    ];
    if df > 120 {
        return 1.282;
    }
    TABLE
        .iter()
        .rev()
        .find(|(d, _)| *d <= df)
        .map_or(3.078, |(_, t)| *t)
}

/// Least-squares line through `(x, y)` points, evaluated at `x_at`, clamped to `bounds`, with
/// an 80 % prediction interval from 3 points on. `None` with fewer than 2 distinct x.
pub fn linear_forecast(
    points: &[(f64, f64)],
    x_at: f64,
    bounds: (Option<f64>, Option<f64>),
) -> Option<Forecast> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let n = pts.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / nf;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    let icpt = my - slope * mx;
    let clamp = |v: f64| {
        let v = bounds.0.map_or(v, |lo| v.max(lo));
        bounds.1.map_or(v, |hi| v.min(hi))
    };
    let value = icpt + slope * x_at;
    let (low, high) = if n >= 3 {
        let sse: f64 = pts
            .iter()
            .map(|p| (p.1 - (icpt + slope * p.0)).powi(2))
            .sum();
        let s = (sse / (nf - 2.0)).sqrt();
        let se = s * (1.0 + 1.0 / nf + (x_at - mx).powi(2) / sxx).sqrt();
        let half = t90(n - 2) * se;
        (Some(clamp(value - half)), Some(clamp(value + half)))
    } else {
        (None, None)
    };
    Some(Forecast {
        value: clamp(value),
        low,
        high,
        slope_per_day: slope,
        points: n,
    })
}

/// One goal's KPI as evaluated.
///
/// ```
/// use socialkit::strategy::{evaluate::{evaluate, EvaluationInput, Status}, plan, Inputs};
/// let now = "2026-03-01T00:00:00Z".parse().unwrap();
/// let e = evaluate(&plan(&Inputs::example(), now).unwrap(), &EvaluationInput::default(), now);
/// assert!(e.kpis.iter().all(|k| k.status == Status::Unknown && k.current.is_none()));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiProgress {
    /// The goal.
    pub goal: String,
    /// Its kind.
    pub kind: GoalKind,
    /// The KPI.
    pub kpi: KpiId,
    /// Baseline.
    pub baseline: f64,
    /// Target.
    pub target: f64,
    /// The latest value.
    pub current: Option<f64>,
    /// (current − baseline) ÷ (target − baseline).
    pub progress: Option<f64>,
    /// The share of the time to the deadline that has passed.
    pub expected_progress: f64,
    /// progress ÷ expected progress.
    pub pace: Option<f64>,
    /// The forecast at the deadline.
    pub forecast: Option<Forecast>,
    /// The forecast's progress.
    pub forecast_progress: Option<f64>,
    /// The status.
    pub status: Status,
    /// Why that status.
    pub reason: String,
}

/// What kind of change an adjustment makes.
///
/// ```
/// assert_eq!(serde_json::to_string(&socialkit::strategy::evaluate::AdjustmentKind::TimeSlots).unwrap(), "\"time_slots\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// Posts per week.
    Cadence,
    /// When to post.
    TimeSlots,
    /// Which platforms get the posts.
    PlatformMix,
    /// Which pillars get the posts.
    ContentPillars,
    /// How the inbox is staffed.
    Inbox,
}

/// A concrete change to the plan.
///
/// `action` and `reason` are English sentences; `change` holds the same content as data, so a
/// report can word it in another language (`socialkit::report` does so in German).
///
/// ```
/// use socialkit::strategy::evaluate::{Adjustment, AdjustmentKind};
/// let a = Adjustment { kind: AdjustmentKind::Cadence, goal: Some("reach".into()), channel: Some("ig".into()),
///     action: "raise ig from 4 to 5 posts/week".into(), reason: "capacity leaves 2".into(), change: None };
/// assert_eq!(a.kind, AdjustmentKind::Cadence);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// What kind of change.
    pub kind: AdjustmentKind,
    /// The goal it serves.
    pub goal: Option<String>,
    /// The channel it changes.
    pub channel: Option<String>,
    /// What to do.
    pub action: String,
    /// Why.
    pub reason: String,
    /// The change and its numbers, as data (absent in evaluations stored before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
}

/// The change an [`Adjustment`] recommends, with the numbers behind it.
///
/// ```
/// use socialkit::strategy::evaluate::{Change, Status};
/// use socialkit::strategy::kpi::KpiId;
/// let c = Change::StaffInbox { kpi: KpiId::ResponseRate, status: Status::AtRisk };
/// let json = serde_json::to_string(&c).unwrap();
/// assert_eq!(json, r#"{"change":"staff_inbox","kpi":"response_rate","status":"at_risk"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Post more often on a channel: a volume KPI lags and capacity is left.
    RaiseCadence {
        /// The lagging KPI.
        kpi: KpiId,
        /// How it stands.
        status: Status,
        /// The channel.
        channel: String,
        /// Its platform.
        platform: PlatformId,
        /// Posts per week now.
        from: u32,
        /// Posts per week proposed.
        to: u32,
        /// Capacity left, posts per week.
        slack: u32,
        /// The platform's upper bound, posts per week.
        max: u32,
    },
    /// Add capacity or lower the target: a volume KPI lags and all capacity is planned.
    AddCapacity {
        /// The lagging KPI.
        kpi: KpiId,
        /// How it stands.
        status: Status,
        /// The team's capacity, posts per week.
        capacity: u32,
    },
    /// Staff the inbox in the audience's active hours with a one-hour SLA.
    StaffInbox {
        /// The lagging KPI.
        kpi: KpiId,
        /// How it stands.
        status: Status,
    },
    /// Move one post per week from the weakest channel to the strongest.
    MovePost {
        /// The weakest channel.
        from: String,
        /// The strongest channel.
        to: String,
        /// The engagement rate's denominator.
        basis: RateBasis,
        /// The weakest channel's mean rate per post.
        from_rate: f64,
        /// The strongest channel's mean rate per post.
        to_rate: f64,
    },
    /// Shift ten percentage points of the content mix from the weakest pillar to the strongest.
    ShiftPillar {
        /// The weakest pillar.
        from: String,
        /// The strongest pillar.
        to: String,
        /// The engagement rate's denominator.
        basis: RateBasis,
        /// The weakest pillar's mean rate per post.
        from_rate: f64,
        /// The strongest pillar's mean rate per post.
        to_rate: f64,
    },
    /// Move a channel's weakest posting hour to its strongest.
    MoveSlots {
        /// The channel.
        channel: String,
        /// The IANA zone the hours are in.
        zone: String,
        /// The weakest hour of the week (0 = Monday 00:00).
        from_hour: usize,
        /// The strongest hour of the week.
        to_hour: usize,
        /// Mean engagements per post at the weakest hour.
        from_mean: f64,
        /// Posts at the weakest hour.
        from_posts: usize,
        /// Mean engagements per post at the strongest hour.
        to_mean: f64,
        /// Posts at the strongest hour.
        to_posts: usize,
    },
}

/// Per-post performance of a group (a channel, a pillar, an hour).
///
/// ```
/// let g = socialkit::strategy::evaluate::GroupPerformance { name: "ig".into(), posts: 3, mean_rate: Some(0.02) };
/// assert_eq!(g.posts, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupPerformance {
    /// The group.
    pub name: String,
    /// Posts with a known rate.
    pub posts: usize,
    /// Their mean engagement rate (by [`Evaluation::rate_basis`]).
    pub mean_rate: Option<f64>,
}

/// The evaluation of a campaign.
///
/// ```
/// use socialkit::strategy::{evaluate::{evaluate, EvaluationInput}, plan, Inputs};
/// let now = "2026-03-01T00:00:00Z".parse().unwrap();
/// let e = evaluate(&plan(&Inputs::example(), now).unwrap(), &EvaluationInput::default(), now);
/// assert_eq!(e.kpis.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// When.
    pub at: DateTime<Utc>,
    /// Each goal's KPI.
    pub kpis: Vec<KpiProgress>,
    /// The denominator of the per-post rates below.
    pub rate_basis: Option<RateBasis>,
    /// Per channel.
    pub channels: Vec<GroupPerformance>,
    /// Per pillar.
    pub pillars: Vec<GroupPerformance>,
    /// Changes to make.
    pub adjustments: Vec<Adjustment>,
}

/// Evaluates the campaign at `now` (see the module docs).
///
/// ```
/// use socialkit::strategy::evaluate::{evaluate, EvaluationInput, Snapshot, Status};
/// use socialkit::strategy::{plan, Inputs, MetricInputs};
/// let now = "2026-04-15T00:00:00Z".parse().unwrap();
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// let mut input = EvaluationInput::default();
/// // Engagement by reach: baseline 2%, target 3%; already at 3.1%.
/// input.snapshots.insert("engagement".into(), vec![Snapshot { at: now,
///     metrics: MetricInputs { engagements: Some(310), reach: Some(10_000), ..Default::default() } }]);
/// let e = evaluate(&p, &input, now);
/// assert_eq!(e.kpis[0].status, Status::OnTrack);
/// ```
pub fn evaluate(plan: &Plan, input: &EvaluationInput, now: DateTime<Utc>) -> Evaluation {
    let zone = plan.campaign.zone;
    let mut kpis = Vec::new();
    for g in &plan.goals {
        let goal = &g.goal;
        let start = goal
            .start
            .map_or(plan.campaign.starts_at, |d| start_of_day(zone, d));
        let deadline = g.deadline_at;
        let span = (deadline - start).num_seconds() as f64;
        let elapsed = ((now - start).num_seconds() as f64 / span.max(1.0)).clamp(0.0, 1.0);
        let mut series: Vec<(DateTime<Utc>, f64)> = input
            .snapshots
            .get(&goal.id)
            .map(|s| {
                s.iter()
                    .filter(|s| s.at <= now)
                    .filter_map(|s| goal.kpi.compute(&s.metrics).map(|v| (s.at, v)))
                    .collect()
            })
            .unwrap_or_default();
        series.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let gap = goal.target - goal.baseline;
        let progress_of = |v: f64| (v - goal.baseline) / gap;
        let current = series.last().map(|p| p.1);
        let progress = current.map(progress_of);
        let pace = progress.filter(|_| elapsed > 0.0).map(|p| p / elapsed);
        let day = |t: DateTime<Utc>| (t - start).num_seconds() as f64 / 86_400.0;
        let points: Vec<(f64, f64)> = series.iter().map(|(t, v)| (day(*t), *v)).collect();
        let forecast = linear_forecast(&points, day(deadline), g.kpi.bounds);
        let forecast_progress = forecast.as_ref().map(|f| progress_of(f.value));
        let favourable = forecast
            .as_ref()
            .and_then(|f| if gap > 0.0 { f.high } else { f.low });
        let (status, reason) = match (progress, forecast_progress) {
            (None, _) => (
                Status::Unknown,
                "no snapshot gives this KPI a value (an input is unknown)".to_string(),
            ),
            (Some(p), _) if p >= 1.0 => (
                Status::OnTrack,
                format!("target reached: progress {:.0}%", p * 100.0),
            ),
            (Some(_), Some(fp)) => {
                let reaches = favourable.is_some_and(|v| progress_of(v) >= 1.0);
                if fp >= 1.0 {
                    (
                        Status::OnTrack,
                        format!(
                            "the trend reaches {:.0}% of the target gap by the deadline",
                            fp * 100.0
                        ),
                    )
                } else if fp >= 0.8 || reaches {
                    (
                        Status::AtRisk,
                        format!(
                            "the trend reaches {:.0}% of the target gap by the deadline{}",
                            fp * 100.0,
                            if reaches {
                                "; the 80% interval still includes the target"
                            } else {
                                ""
                            }
                        ),
                    )
                } else {
                    (
                        Status::OffTrack,
                        format!(
                            "the trend reaches only {:.0}% of the target gap by the deadline",
                            fp * 100.0
                        ),
                    )
                }
            }
            (Some(p), None) => match pace {
                None => (
                    if p >= 0.0 {
                        Status::OnTrack
                    } else {
                        Status::AtRisk
                    },
                    "too early to judge: no time has passed".to_string(),
                ),
                Some(pace) if pace >= 0.9 => {
                    (Status::OnTrack, format!("pace {pace:.2} (one snapshot)"))
                }
                Some(pace) if pace >= 0.6 => {
                    (Status::AtRisk, format!("pace {pace:.2} (one snapshot)"))
                }
                Some(pace) => (Status::OffTrack, format!("pace {pace:.2} (one snapshot)")),
            },
        };
        kpis.push(KpiProgress {
            goal: goal.id.clone(),
            kind: goal.kind,
            kpi: goal.kpi,
            baseline: goal.baseline,
            target: goal.target,
            current,
            progress,
            expected_progress: elapsed,
            pace,
            forecast,
            forecast_progress,
            status,
            reason,
        });
    }

    let basis = rate_basis(&input.posts);
    let rate = |p: &PostOutcome| {
        basis.and_then(|b| p.metrics.engagement_rate(b, p.followers).map(|r| r.value))
    };
    let group = |key: &dyn Fn(&PostOutcome) -> Option<String>| {
        let mut m: BTreeMap<String, (usize, f64)> = BTreeMap::new();
        for p in &input.posts {
            if let (Some(k), Some(r)) = (key(p), rate(p)) {
                let e = m.entry(k).or_insert((0, 0.0));
                e.0 += 1;
                e.1 += r;
            }
        }
        m.into_iter()
            .map(|(name, (n, s))| GroupPerformance {
                name,
                posts: n,
                mean_rate: (n > 0).then(|| s / n as f64),
            })
            .collect::<Vec<_>>()
    };
    let channels = group(&|p| Some(p.channel.clone()));
    let pillars = group(&|p| p.pillar.clone());
    let adjustments = adjustments(plan, &kpis, &channels, &pillars, input, basis);
    Evaluation {
        at: now,
        kpis,
        rate_basis: basis,
        channels,
        pillars,
        adjustments,
    }
}

/// Groups with at least `min_posts` posts and a known rate, best first (ties by name).
fn ranked(groups: &[GroupPerformance], min_posts: usize) -> Vec<(&str, f64, usize)> {
    let mut g: Vec<(&str, f64, usize)> = groups
        .iter()
        .filter(|g| g.posts >= min_posts)
        .filter_map(|g| g.mean_rate.map(|r| (g.name.as_str(), r, g.posts)))
        .collect();
    g.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    g
}

/// The first denominator (reach, impressions, followers) that at least 80 % of posts report.
fn rate_basis(posts: &[PostOutcome]) -> Option<RateBasis> {
    [
        RateBasis::Reach,
        RateBasis::Impressions,
        RateBasis::Followers,
    ]
    .into_iter()
    .find(|b| {
        let n = posts
            .iter()
            .filter(|p| p.metrics.engagement_rate(*b, p.followers).is_some())
            .count();
        !posts.is_empty() && n * 5 >= posts.len() * 4
    })
}

fn adjustments(
    plan: &Plan,
    kpis: &[KpiProgress],
    channels: &[GroupPerformance],
    pillars: &[GroupPerformance],
    input: &EvaluationInput,
    basis: Option<RateBasis>,
) -> Vec<Adjustment> {
    let mut out = Vec::new();
    let pct = |v: f64| format!("{:.2}%", v * 100.0);
    let lagging: Vec<&KpiProgress> = kpis
        .iter()
        .filter(|k| matches!(k.status, Status::AtRisk | Status::OffTrack))
        .collect();
    let best_channels = ranked(channels, 3);
    for k in &lagging {
        let volume = matches!(
            k.kpi,
            KpiId::Reach | KpiId::Impressions | KpiId::FollowerGrowthRate | KpiId::ShareOfVoice
        );
        if volume {
            let slack = plan
                .capacity
                .posts_per_week
                .saturating_sub(plan.capacity.planned_per_week);
            let target = best_channels
                .iter()
                .find_map(|(name, _, _)| plan.cadence.iter().find(|c| c.channel == *name))
                .or_else(|| {
                    plan.cadence
                        .iter()
                        .find(|c| c.posts_per_week < c.max_per_week)
                });
            if let Some(c) = target {
                if slack > 0 && c.posts_per_week < c.max_per_week {
                    let to = (c.posts_per_week + slack).min(c.max_per_week);
                    out.push(Adjustment {
                        kind: AdjustmentKind::Cadence,
                        goal: Some(k.goal.clone()),
                        channel: Some(c.channel.clone()),
                        action: format!(
                            "raise {} from {} to {to} posts/week",
                            c.channel, c.posts_per_week
                        ),
                        reason: format!(
                            "{} is {}; capacity leaves {slack} posts/week and {} allows up to {}/week",
                            k.kpi.as_str(),
                            k.status.label(),
                            c.platform,
                            c.max_per_week
                        ),
                        change: Some(Change::RaiseCadence {
                            kpi: k.kpi,
                            status: k.status,
                            channel: c.channel.clone(),
                            platform: c.platform.clone(),
                            from: c.posts_per_week,
                            to,
                            slack,
                            max: c.max_per_week,
                        }),
                    });
                } else {
                    out.push(Adjustment {
                        kind: AdjustmentKind::Cadence,
                        goal: Some(k.goal.clone()),
                        channel: None,
                        action: "add capacity (posts/week) or lower the target".into(),
                        reason: format!(
                            "{} is {} and all {} posts/week of capacity are planned",
                            k.kpi.as_str(),
                            k.status.label(),
                            plan.capacity.posts_per_week
                        ),
                        change: Some(Change::AddCapacity {
                            kpi: k.kpi,
                            status: k.status,
                            capacity: plan.capacity.posts_per_week,
                        }),
                    });
                }
            }
        }
        if matches!(k.kpi, KpiId::ResponseRate | KpiId::FirstResponseTime) {
            out.push(Adjustment {
                kind: AdjustmentKind::Inbox,
                goal: Some(k.goal.clone()),
                channel: None,
                action: "staff the inbox in the audience's active hours and set an SLA of 1 h".into(),
                reason: format!(
                    "{} is {}; 53% of users expect a brand reply within 1 h, 72% for complaints (Lithium 2013)",
                    k.kpi.as_str(),
                    k.status.label()
                ),
                change: Some(Change::StaffInbox {
                    kpi: k.kpi,
                    status: k.status,
                }),
            });
        }
    }
    if lagging.is_empty() {
        return out;
    }
    let Some(basis) = basis else { return out };
    let basis_name = match basis {
        RateBasis::Reach => "by reach",
        RateBasis::Impressions => "by impressions",
        RateBasis::Followers => "by followers",
    };
    // Platform mix: from the weakest channel to the strongest.
    if best_channels.len() >= 2 {
        let (best, best_rate, _) = best_channels[0];
        let (worst, worst_rate, _) = best_channels[best_channels.len() - 1];
        let cb = plan.cadence.iter().find(|c| c.channel == best);
        let cw = plan.cadence.iter().find(|c| c.channel == worst);
        if let (Some(cb), Some(cw)) = (cb, cw) {
            if best_rate >= 1.5 * worst_rate
                && cb.posts_per_week < cb.max_per_week
                && cw.posts_per_week > cw.min_per_week
            {
                out.push(Adjustment {
                    kind: AdjustmentKind::PlatformMix,
                    goal: None,
                    channel: Some(worst.to_string()),
                    action: format!("move 1 post/week from {worst} to {best}"),
                    reason: format!(
                        "engagement {basis_name}: {best} {} vs {worst} {} per post",
                        pct(best_rate),
                        pct(worst_rate)
                    ),
                    change: Some(Change::MovePost {
                        from: worst.to_string(),
                        to: best.to_string(),
                        basis,
                        from_rate: worst_rate,
                        to_rate: best_rate,
                    }),
                });
            }
        }
    }
    // Content pillars.
    let ranked_pillars = ranked(pillars, 3);
    if ranked_pillars.len() >= 2 {
        let (best, br, _) = ranked_pillars[0];
        let (worst, wr, _) = ranked_pillars[ranked_pillars.len() - 1];
        if br >= 1.2 * wr {
            out.push(Adjustment {
                kind: AdjustmentKind::ContentPillars,
                goal: None,
                channel: None,
                action: format!(
                    "shift 10 percentage points of the mix from \"{worst}\" to \"{best}\" (a custom mix)"
                ),
                reason: format!(
                    "engagement {basis_name}: \"{best}\" {} vs \"{worst}\" {} per post",
                    pct(br),
                    pct(wr)
                ),
                change: Some(Change::ShiftPillar {
                    from: worst.to_string(),
                    to: best.to_string(),
                    basis,
                    from_rate: wr,
                    to_rate: br,
                }),
            });
        }
    }
    // Time slots: per channel, the weakest posted hour vs the strongest.
    for bt in &plan.best_times {
        let mut by_hour: BTreeMap<usize, (usize, f64)> = BTreeMap::new();
        for p in input.posts.iter().filter(|p| p.channel == bt.channel) {
            if let Some(r) = p.metrics.engagements().map(|e| e as f64) {
                let e = by_hour
                    .entry(hour_of_week_at(bt.zone, p.published_at))
                    .or_insert((0, 0.0));
                e.0 += 1;
                e.1 += r;
            }
        }
        let hour_of: BTreeMap<String, usize> = by_hour.keys().map(|&h| (hour_name(h), h)).collect();
        let groups: Vec<GroupPerformance> = by_hour
            .into_iter()
            .map(|(h, (n, s))| GroupPerformance {
                name: hour_name(h),
                posts: n,
                mean_rate: Some(s / n as f64),
            })
            .collect();
        let hours = ranked(&groups, 2);
        if hours.len() >= 2 {
            let (best, br, bn) = hours[0];
            let (worst, wr, wn) = hours[hours.len() - 1];
            if br >= 1.25 * wr {
                out.push(Adjustment {
                    kind: AdjustmentKind::TimeSlots,
                    goal: None,
                    channel: Some(bt.channel.clone()),
                    action: format!(
                        "move {}'s {worst} slots to {best} ({})",
                        bt.channel,
                        bt.zone.name()
                    ),
                    reason: format!(
                        "engagements per post: {best} {br:.1} over {bn} posts vs {worst} {wr:.1} over {wn}; re-plan with the campaign's posts as history to relearn best times"
                    ),
                    change: Some(Change::MoveSlots {
                        channel: bt.channel.clone(),
                        zone: bt.zone.name().to_string(),
                        from_hour: hour_of[worst],
                        to_hour: hour_of[best],
                        from_mean: wr,
                        from_posts: wn,
                        to_mean: br,
                        to_posts: bn,
                    }),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forecast_interval_widens_with_noise() {
        let clean = linear_forecast(
            &[(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)],
            10.0,
            (None, None),
        )
        .unwrap();
        assert!((clean.value - 10.0).abs() < 1e-9);
        assert!((clean.high.unwrap() - clean.low.unwrap()).abs() < 1e-9);
        let noisy = linear_forecast(
            &[(0.0, 0.5), (1.0, 0.6), (2.0, 2.5), (3.0, 2.8)],
            10.0,
            (None, None),
        )
        .unwrap();
        assert!(noisy.high.unwrap() - noisy.low.unwrap() > 1.0);
    }

    #[test]
    fn forecast_is_clamped_to_bounds() {
        let f = linear_forecast(&[(0.0, 0.5), (1.0, 0.9)], 10.0, (Some(0.0), Some(1.0))).unwrap();
        assert_eq!(f.value, 1.0);
        assert!(linear_forecast(&[(1.0, 0.5), (1.0, 0.9)], 10.0, (None, None)).is_none());
    }
}
