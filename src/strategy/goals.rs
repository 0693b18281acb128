//! Goals: what the organisation wants from social media, each SMART (specific, measurable,
//! achievable, relevant, time-bound: a KPI, a baseline, a target and a deadline).
//!
//! The goal kinds follow the project brief and the objectives of Forrester's POST method
//! (listening, talking, energizing, supporting, embracing); SMART is the "Objectives" step of
//! SOSTAC (see `strategy-notes.md` §1.1).
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use socialkit::strategy::goals::{Goal, GoalKind};
//! use socialkit::strategy::kpi::KpiId;
//! let goal = Goal::new("er", GoalKind::Engagement, KpiId::EngagementRateByReach, 0.02, 0.03,
//!     NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
//! let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
//! assert!(goal.validate(now, chrono_tz::UTC).is_ok());
//! let late = Utc.with_ymd_and_hms(2027, 1, 2, 0, 0, 0).unwrap();
//! assert!(goal.validate(late, chrono_tz::UTC).unwrap_err().to_string().contains("in the past"));
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::kpi::{Direction, KpiId, kpis_for};
use super::localtime::start_of_day;
use crate::{Error, Result};

/// What a goal is about.
///
/// ```
/// use socialkit::strategy::goals::GoalKind;
/// assert_eq!(serde_json::to_string(&GoalKind::LeadGeneration).unwrap(), "\"lead_generation\"");
/// assert_eq!(GoalKind::ALL.len(), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalKind {
    /// Be seen: reach, impressions, followers, share of voice (POST "talking", RACE Reach).
    Awareness,
    /// Be interacted with (POST "energizing", RACE Act).
    Engagement,
    /// Answer customers where they ask (POST "supporting", RACE Engage).
    CustomerService,
    /// Keep customers close (RACE Engage).
    Retention,
    /// Bring prospects to a form or a shop (RACE Convert).
    LeadGeneration,
    /// A time-bound campaign, usually with paid promotion.
    Campaign,
    /// Protect and improve how the brand is talked about (POST "listening").
    Reputation,
}

impl GoalKind {
    /// Every goal kind, in a fixed order.
    pub const ALL: [GoalKind; 7] = [
        GoalKind::Awareness,
        GoalKind::Engagement,
        GoalKind::CustomerService,
        GoalKind::Retention,
        GoalKind::LeadGeneration,
        GoalKind::Campaign,
        GoalKind::Reputation,
    ];

    /// The stable snake_case name.
    ///
    /// ```
    /// assert_eq!(socialkit::strategy::goals::GoalKind::CustomerService.as_str(), "customer_service");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            GoalKind::Awareness => "awareness",
            GoalKind::Engagement => "engagement",
            GoalKind::CustomerService => "customer_service",
            GoalKind::Retention => "retention",
            GoalKind::LeadGeneration => "lead_generation",
            GoalKind::Campaign => "campaign",
            GoalKind::Reputation => "reputation",
        }
    }
}

/// A SMART goal: a KPI moved from a baseline to a target by a deadline.
///
/// ```
/// use socialkit::strategy::goals::Goal;
/// let g: Goal = toml::from_str(r#"
///     id = "reach-q3"
///     kind = "awareness"
///     kpi = "reach"
///     baseline = 20000
///     target = 50000
///     deadline = "2026-09-30"
/// "#).unwrap();
/// assert_eq!(g.priority, 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    /// A short id, unique among the goals (`"reach-q3"`).
    pub id: String,
    /// What the goal is about.
    pub kind: GoalKind,
    /// The specific outcome in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The KPI that measures it.
    pub kpi: KpiId,
    /// The KPI's value today.
    pub baseline: f64,
    /// The KPI's value to reach.
    pub target: f64,
    /// The last day (in the campaign's time zone) by which the target is reached.
    pub deadline: NaiveDate,
    /// The day progress is measured from; the campaign's start when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    /// Relative weight among the goals (default 1).
    #[serde(default = "one")]
    pub priority: f64,
}

fn one() -> f64 {
    1.0
}

impl Goal {
    /// A goal with priority 1, no description and no explicit start.
    ///
    /// ```
    /// use socialkit::strategy::{goals::{Goal, GoalKind}, kpi::KpiId};
    /// let g = Goal::new("frt", GoalKind::CustomerService, KpiId::FirstResponseTime, 7200.0, 1800.0,
    ///     chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
    /// assert_eq!(g.kind, GoalKind::CustomerService);
    /// ```
    pub fn new(
        id: impl Into<String>,
        kind: GoalKind,
        kpi: KpiId,
        baseline: f64,
        target: f64,
        deadline: NaiveDate,
    ) -> Self {
        Goal {
            id: id.into(),
            kind,
            description: String::new(),
            kpi,
            baseline,
            target,
            deadline,
            start: None,
            priority: 1.0,
        }
    }

    /// The instant the deadline ends: the start of the day after it in `zone`.
    ///
    /// ```
    /// use socialkit::strategy::{goals::{Goal, GoalKind}, kpi::KpiId};
    /// let g = Goal::new("r", GoalKind::Awareness, KpiId::Reach, 1.0, 2.0,
    ///     chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
    /// assert_eq!(g.deadline_instant(chrono_tz::Europe::Berlin).to_rfc3339(), "2026-06-30T22:00:00+00:00");
    /// ```
    pub fn deadline_instant(&self, zone: Tz) -> DateTime<Utc> {
        let next = self.deadline.succ_opt().unwrap_or(self.deadline);
        start_of_day(zone, next)
    }

    /// Checks that the goal is SMART: a non-empty id, finite numbers, a target that is an
    /// improvement on the baseline in the KPI's direction and within the KPI's bounds, a
    /// positive priority, and a deadline that has not passed at `now` (read in `zone`).
    /// Every failure is a [`Validation`](crate::ErrorKind::Validation) error naming the goal.
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use socialkit::strategy::{goals::{Goal, GoalKind}, kpi::KpiId};
    /// let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    /// let d = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    /// // Not measurable: the target is no better than the baseline.
    /// let flat = Goal::new("sov", GoalKind::Reputation, KpiId::ShareOfVoice, 0.3, 0.3, d);
    /// assert!(flat.validate(now, chrono_tz::UTC).unwrap_err().to_string().contains("not measurable"));
    /// // Out of the KPI's bounds: a share of voice above 100 %.
    /// let big = Goal::new("sov", GoalKind::Reputation, KpiId::ShareOfVoice, 0.3, 1.5, d);
    /// assert!(big.validate(now, chrono_tz::UTC).is_err());
    /// ```
    pub fn validate(&self, now: DateTime<Utc>, zone: Tz) -> Result<()> {
        let bad = |why: String| Error::validation(format!("goal \"{}\": {why}", self.id));
        if self.id.trim().is_empty() {
            return Err(Error::validation("a goal needs a non-empty id"));
        }
        if !self.baseline.is_finite() || !self.target.is_finite() {
            return Err(bad(format!(
                "not measurable: baseline {} and target {} must be finite numbers",
                self.baseline, self.target
            )));
        }
        let def = self.kpi.definition();
        let (lo, hi) = def.bounds;
        for (what, v) in [("baseline", self.baseline), ("target", self.target)] {
            if lo.is_some_and(|lo| v < lo) || hi.is_some_and(|hi| v > hi) {
                return Err(bad(format!(
                    "not measurable: {what} {v} is outside the range of {} ({} to {}; rates are fractions, 0.03 = 3 %)",
                    def.name,
                    lo.map_or("-inf".into(), |v| v.to_string()),
                    hi.map_or("+inf".into(), |v| v.to_string()),
                )));
            }
        }
        let gain = (self.target - self.baseline) * def.direction.sign();
        if gain <= 0.0 {
            let better = match def.direction {
                Direction::HigherIsBetter => "above",
                Direction::LowerIsBetter => "below",
            };
            return Err(bad(format!(
                "not measurable: the target {} must be {better} the baseline {} for {} ({})",
                self.target,
                self.baseline,
                def.name,
                match def.direction {
                    Direction::HigherIsBetter => "higher is better",
                    Direction::LowerIsBetter => "lower is better",
                }
            )));
        }
        if !(self.priority.is_finite() && self.priority > 0.0) {
            return Err(bad(format!(
                "priority must be a positive number, got {}",
                self.priority
            )));
        }
        let end = self.deadline_instant(zone);
        if end <= now {
            return Err(bad(format!(
                "the deadline {} is in the past (now is {})",
                self.deadline,
                now.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z")
            )));
        }
        if let Some(start) = self.start {
            if start > self.deadline {
                return Err(bad(format!(
                    "the start {start} is after the deadline {}",
                    self.deadline
                )));
            }
        }
        Ok(())
    }

    /// Whether the goal's KPI is one of those [`kpis_for`] its kind lists.
    ///
    /// ```
    /// use socialkit::strategy::{goals::{Goal, GoalKind}, kpi::KpiId};
    /// let d = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    /// assert!(Goal::new("a", GoalKind::Awareness, KpiId::Reach, 1.0, 2.0, d).kpi_fits_kind());
    /// assert!(!Goal::new("a", GoalKind::Awareness, KpiId::CostPerResult, 2.0, 1.0, d).kpi_fits_kind());
    /// ```
    pub fn kpi_fits_kind(&self) -> bool {
        kpis_for(self.kind).contains(&self.kpi)
    }
}
