//! Strategy: from business goals to a measurable campaign plan, and grading the campaign
//! against it (`DESIGN.md` §7).
//!
//! Inputs ([`Inputs`]: organisation, audience, SMART goals, capacity, budget, campaign window,
//! connected channels with history) go into [`plan()`], which returns a deterministic,
//! explained [`Plan`]: platform selection with reasons, KPIs with exact formulas, a content
//! mix, cadence per channel, a calendar of concrete slots at learned best times, and a budget
//! split. [`evaluate`](evaluate::evaluate) grades metric snapshots against the goals with a
//! forecast, a status and concrete adjustments.
//!
//! | module | owns |
//! |---|---|
//! | [`inputs`], [`goals`] | the serde inputs, SMART validation, TOML/JSON loading |
//! | [`kpi`] | the KPI catalogue: formulas, denominators, compute |
//! | [`facts`], [`sources`] | platform facts with the sources of every number |
//! | [`select`] | platform selection with reasons and overridable weights |
//! | [`mix`], [`cadence`] | content pillars and shares; posts per week per channel |
//! | [`besttimes`], [`localtime`], [`calendar`] | best hours learned with shrinkage; DST-correct slots |
//! | [`budget`] | organic hours and paid money, with reasons |
//! | [`evaluate`] | progress, pace, forecast, status and adjustments |
//! | [`plan`](mod@plan) | the [`Plan`] and the planning function |
//! | [`run`] | the loop: slots → engine → simulated publishing → metrics → evaluation |
//!
//! ```
//! use socialkit::strategy::{plan, Inputs};
//! let now = "2026-03-01T00:00:00Z".parse().unwrap();
//! let p = plan(&Inputs::example(), now).unwrap();
//! assert!(p.calendar.iter().all(|s| s.at >= p.campaign.starts_at && s.at < p.campaign.ends_at));
//! for week in 0..p.campaign.weeks {
//!     assert!(p.calendar.iter().filter(|s| s.week == week).count() as u32 <= p.capacity.posts_per_week);
//! }
//! ```

pub mod besttimes;
pub mod budget;
pub mod cadence;
pub mod calendar;
pub mod evaluate;
pub mod facts;
pub mod goals;
pub mod inputs;
pub mod kpi;
pub mod localtime;
pub mod mix;
pub mod plan;
pub mod run;
pub mod select;
pub mod sources;

pub use goals::{Goal, GoalKind};
pub use inputs::{Inputs, Settings};
pub use kpi::{KpiDef, KpiId, MetricInputs};
pub use plan::{Plan, plan, plan_with_clock};
