//! The plan: selection + KPIs + mix + cadence + best times + calendar + budget +
//! explanations, made by [`plan`] from [`Inputs`] and an explicit "now".
//!
//! Planning is deterministic: the same inputs and the same "now" give the same plan, byte for
//! byte, in any process. Maps are ordered (`BTreeMap`), every sort is stable with a total
//! tie-break, no hash map is iterated, and the wall clock is never read.
//!
//! The order follows Forrester's POST method: people (the audience), objectives (the goals and
//! their KPIs), strategy (mix and cadence), and technology — platforms — last.
//!
//! ```
//! use socialkit::strategy::{plan, Inputs};
//! let now = "2026-03-01T00:00:00Z".parse().unwrap();
//! let a = plan(&Inputs::example(), now).unwrap().to_json().unwrap();
//! let b = plan(&Inputs::example(), now).unwrap().to_json().unwrap();
//! assert_eq!(a, b);
//! ```

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::besttimes::{BestTimes, HourEstimate, Outcome, channel_prior, learn, platform_prior};
use super::budget::{BudgetPlan, split_budget};
use super::cadence::{ChannelCadence, plan_cadence};
use super::calendar::{CalendarChannel, CalendarRules, Slot, build_calendar};
use super::goals::{Goal, GoalKind};
use super::inputs::Inputs;
use super::kpi::{KpiDef, kpis_for};
use super::mix::ContentMix;
use super::select::{Selection, facts_for, select};
use super::sources::{Source, source};
use crate::clock::Clock;
use crate::{Error, Result};

/// The format version of [`Plan`].
pub const PLAN_VERSION: u32 = 1;

/// A campaign plan.
///
/// ```
/// use socialkit::strategy::{plan, Inputs};
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// assert_eq!(p.goals.len(), 2);
/// assert!(!p.calendar.is_empty());
/// assert!(p.sources.iter().any(|s| s.id == "hubspot-linkedin-twitter"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_VERSION`].
    pub version: u32,
    /// The campaign window.
    pub campaign: CampaignWindow,
    /// The effective weekly capacity.
    pub capacity: CapacityUse,
    /// Each goal with its KPI definitions.
    pub goals: Vec<GoalPlan>,
    /// Platform selection with reasons.
    pub selection: Selection,
    /// Content pillars and shares.
    pub mix: ContentMix,
    /// Posts per week per channel.
    pub cadence: Vec<ChannelCadence>,
    /// Learned best hours per channel.
    pub best_times: Vec<BestTimesSummary>,
    /// The slots.
    pub calendar: Vec<Slot>,
    /// The budget split.
    pub budget: BudgetPlan,
    /// How the plan was made, in order.
    pub explanations: Vec<String>,
    /// Every source the plan cites.
    pub sources: Vec<Source>,
}

/// The campaign window of a plan.
///
/// ```
/// use socialkit::strategy::{plan, Inputs};
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// assert_eq!(p.campaign.weeks, 13);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignWindow {
    /// The campaign's name.
    pub name: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// The zone dates and weeks are read in.
    pub zone: Tz,
    /// First instant.
    pub starts_at: DateTime<Utc>,
    /// The instant after the last day.
    pub ends_at: DateTime<Utc>,
    /// Plan weeks.
    pub weeks: u32,
    /// The "now" the plan was made at.
    pub planned_at: DateTime<Utc>,
    /// No slot is earlier than this (now + lead time).
    pub earliest_slot: DateTime<Utc>,
}

/// The capacity the plan uses.
///
/// ```
/// use socialkit::strategy::{plan, Inputs};
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// assert!(p.capacity.planned_per_week <= p.capacity.posts_per_week);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityUse {
    /// The effective posts per week.
    pub posts_per_week: u32,
    /// What binds it.
    pub reason: String,
    /// Posts per week planned (Σ cadence).
    pub planned_per_week: u32,
}

/// A goal with its KPIs.
///
/// ```
/// use socialkit::strategy::{plan, Inputs};
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// assert_eq!(p.goals[0].kpi.denominator, "reach (sum of per-post reach)");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalPlan {
    /// The goal as given.
    pub goal: Goal,
    /// Its KPI's definition.
    pub kpi: KpiDef,
    /// The other KPIs of its kind, to watch alongside.
    pub supporting: Vec<KpiDef>,
    /// The deadline as an instant.
    pub deadline_at: DateTime<Utc>,
    /// Remarks (a KPI outside its kind's list, a deadline after the campaign).
    pub notes: Vec<String>,
}

/// The learned best times of a channel, as the plan lists them.
///
/// ```
/// use socialkit::strategy::{plan, Inputs};
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// assert_eq!(p.best_times[0].top.len(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestTimesSummary {
    /// The channel.
    pub channel: String,
    /// The zone of the hours.
    pub zone: Tz,
    /// What outcomes were measured by.
    pub outcome: Option<Outcome>,
    /// Posts of history used.
    pub posts: usize,
    /// Shrinkage strength.
    pub k: f64,
    /// The best hours, best first.
    pub top: Vec<HourEstimate>,
}

impl Plan {
    /// The plan as pretty JSON (deterministic).
    ///
    /// ```
    /// use socialkit::strategy::{plan, Inputs, Plan};
    /// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
    /// let back: Plan = serde_json::from_str(&p.to_json().unwrap()).unwrap();
    /// assert_eq!(back.calendar.len(), p.calendar.len());
    /// ```
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(Error::from)
    }

    /// The slots of one channel, in time order.
    pub fn slots_of<'a>(&'a self, channel: &'a str) -> impl Iterator<Item = &'a Slot> + 'a {
        self.calendar.iter().filter(move |s| s.channel == channel)
    }
}

/// Plans at the clock's "now". See [`plan`].
///
/// ```
/// use socialkit::clock::ManualClock;
/// use socialkit::strategy::{plan_with_clock, Inputs};
/// let clock = ManualClock::new("2026-03-01T00:00:00Z".parse().unwrap());
/// assert!(plan_with_clock(&Inputs::example(), &clock).is_ok());
/// ```
pub fn plan_with_clock(inputs: &Inputs, clock: &dyn Clock) -> Result<Plan> {
    plan(inputs, clock.now())
}

/// Makes the plan at `now`: validates the inputs, selects platforms and channels, sets the
/// content mix and the cadence, learns best times, builds the calendar and splits the budget.
/// Fails with a [`Validation`](crate::ErrorKind::Validation) error on invalid inputs.
///
/// ```
/// use socialkit::strategy::{plan, Inputs};
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// // 2 posts/week for 13 weeks; the blackout day (3 April) moves a post, it does not drop it.
/// assert_eq!(p.slots_of("acme-li").count(), 2 * 13);
/// assert!(p.calendar.iter().all(|s| s.local.date().to_string() != "2026-04-03"));
/// let late = "2026-07-01T00:00:00Z".parse().unwrap();
/// assert_eq!(plan(&Inputs::example(), late).unwrap_err().kind(), socialkit::ErrorKind::Validation);
/// ```
pub fn plan(inputs: &Inputs, now: DateTime<Utc>) -> Result<Plan> {
    inputs.validate(now)?;
    let zone = inputs.primary_zone();
    let (starts_at, ends_at) = inputs.campaign.window(zone);
    let earliest = now + Duration::hours(i64::from(inputs.capacity.lead_time_hours));
    let (capacity, capacity_reason) = inputs.capacity.effective_posts_per_week(&inputs.budget);
    let mut explanations = vec![
        "POST order: people (audience), objectives (SMART goals and KPIs), strategy (mix, cadence), technology (platforms) last".to_string(),
        format!("capacity: {capacity} posts/week ({capacity_reason})"),
    ];

    let goals: Vec<GoalPlan> = inputs
        .goals
        .iter()
        .map(|g| {
            let mut notes = Vec::new();
            if !g.kpi_fits_kind() {
                notes.push(format!(
                    "the KPI {} is not one of the usual KPIs of a {} goal",
                    g.kpi.as_str(),
                    g.kind.as_str()
                ));
            }
            if g.deadline > inputs.campaign.end {
                notes.push(format!(
                    "the deadline {} is after the campaign ends ({})",
                    g.deadline, inputs.campaign.end
                ));
            }
            GoalPlan {
                goal: g.clone(),
                kpi: g.kpi.definition(),
                supporting: kpis_for(g.kind)
                    .iter()
                    .filter(|k| **k != g.kpi)
                    .map(|k| k.definition())
                    .collect(),
                deadline_at: g.deadline_instant(zone),
                notes,
            }
        })
        .collect();

    let selection = select(inputs, capacity);
    explanations.push(format!(
        "selection: {} platforms scored with weights goal fit {:.2}, audience {:.2}, history {:.2}, measurability {:.2}; channels used: {}",
        selection.platforms.len(),
        selection.weights[0],
        selection.weights[1],
        selection.weights[2],
        selection.weights[3],
        selection.selected_channels().join(", ")
    ));
    if !selection.recommended_to_connect.is_empty() {
        explanations.push(format!(
            "worth connecting: {}",
            selection.recommended_to_connect.join(", ")
        ));
    }
    let mix = ContentMix::from_rule(&inputs.settings.mix)?;
    explanations.push(format!("content mix: {}", mix.reason));
    let cadence = plan_cadence(inputs, &selection, capacity);
    let planned: u32 = cadence.iter().map(|c| c.posts_per_week).sum();
    explanations.push(format!(
        "cadence: {planned} of {capacity} posts/week planned; no channel above its benchmark recommendation"
    ));

    // Best times and calendar channels.
    let segments: Vec<(Tz, f64)> = inputs
        .audience
        .segments
        .iter()
        .map(|s| (s.time_zone, s.share))
        .collect();
    let k = inputs.settings.shrinkage_k;
    let mut best_times = Vec::new();
    let mut cal_channels = Vec::new();
    for c in cadence.iter().filter(|c| c.posts_per_week > 0) {
        let Some(input) = inputs.channels.iter().find(|i| i.id == c.channel) else {
            continue;
        };
        let facts = facts_for(inputs, &c.platform);
        let ch_zone = input.time_zone.unwrap_or(zone);
        let prior = channel_prior(&platform_prior(&facts), &segments, ch_zone, starts_at);
        let learned: BestTimes = learn(&input.id, &input.history, ch_zone, &prior, k, now);
        best_times.push(BestTimesSummary {
            channel: input.id.clone(),
            zone: ch_zone,
            outcome: learned.outcome,
            posts: learned.posts,
            k: learned.k,
            top: learned.top(inputs.settings.best_times_top),
        });
        cal_channels.push(CalendarChannel {
            id: input.id.clone(),
            platform: input.platform.clone(),
            zone: ch_zone,
            language: input.language.clone().or_else(|| inputs.primary_language()),
            posts_per_week: c.posts_per_week,
            min_spacing_minutes: input
                .min_spacing_minutes
                .unwrap_or(facts.min_spacing_minutes),
            scores: learned.scores,
        });
    }
    explanations.push(format!(
        "best times: per hour of the week from the last 16 weeks of each channel's history, shrunk toward the platform prior with weight n/(n+k), k = {k}"
    ));
    let rules = CalendarRules {
        zone,
        start: inputs.campaign.start,
        end: inputs.campaign.end,
        earliest,
        blackout: inputs.campaign.blackout_dates.iter().copied().collect(),
    };
    let calendar = build_calendar(&cal_channels, &rules, &mix.pillars);
    explanations.push(format!(
        "calendar: {} slots in {} weeks; local wall-clock hours mapped to UTC (a time in a DST gap moves to the end of the gap, a time in an overlap takes the earlier instant); per-channel spacing; at most ceil(cadence/7) posts per local day; {} blackout date(s)",
        calendar.len(),
        rules.weeks(),
        rules.blackout.len()
    ));
    let budget = split_budget(inputs, &selection, &cadence);

    // Sources cited anywhere in the plan.
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for g in &goals {
        ids.extend(g.kpi.sources.iter().cloned());
        for s in &g.supporting {
            ids.extend(s.sources.iter().cloned());
        }
    }
    for p in &selection.platforms {
        for c in &p.contributions {
            ids.extend(c.sources.iter().cloned());
        }
    }
    for c in &cadence {
        ids.extend(c.sources.iter().cloned());
    }
    ids.extend(mix.sources.iter().cloned());
    ids.extend(
        ["sprout-ost", "buffer-best-time-method", "spasojevic-2015"]
            .iter()
            .map(|s| s.to_string()),
    );
    if inputs.budget.paid.is_some() {
        ids.insert("kanuri-2018".into());
    }
    for c in cadence.iter().filter(|c| c.posts_per_week > 0) {
        if let Some(peak) = facts_for(inputs, &c.platform).peak_hour {
            ids.extend(peak.sources);
        }
    }
    let sources = ids
        .iter()
        .filter_map(|id| source(id))
        .map(Source::from)
        .collect();

    Ok(Plan {
        version: PLAN_VERSION,
        campaign: CampaignWindow {
            name: inputs.campaign.name.clone(),
            start: inputs.campaign.start,
            end: inputs.campaign.end,
            zone,
            starts_at,
            ends_at,
            weeks: rules.weeks(),
            planned_at: now,
            earliest_slot: earliest,
        },
        capacity: CapacityUse {
            posts_per_week: capacity,
            reason: capacity_reason,
            planned_per_week: planned,
        },
        goals,
        selection,
        mix,
        cadence,
        best_times,
        calendar,
        budget,
        explanations,
        sources,
    })
}

/// The goal kinds of a plan's goals, in order (a convenience for reports).
///
/// ```
/// use socialkit::strategy::{plan, plan::goal_kinds, Inputs};
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// assert_eq!(goal_kinds(&p).len(), 2);
/// ```
pub fn goal_kinds(plan: &Plan) -> Vec<GoalKind> {
    plan.goals.iter().map(|g| g.goal.kind).collect()
}
