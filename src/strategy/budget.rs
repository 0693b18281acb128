//! The budget split: organic hours across channels, paid money across platforms and goals,
//! each share with its reason.
//!
//! - **Organic hours** follow the posts: a channel's share is its posts per week over all
//!   planned posts per week (every post costs the same production and review time).
//! - **Paid money** goes first to goals by `priority × paid relevance of the goal kind`, then
//!   within a goal to the selected platforms by `selection score × fit for the goal kind`.
//!   Paid relevance is an assumption (no source in the notes): campaign 1.0, lead generation
//!   0.8, awareness 0.6, engagement 0.3, retention 0.1, customer service and reputation 0 (they
//!   are served by answering and listening, not by ads). Kanuri et al. (J. Marketing 2018,
//!   `kanuri-2018`) found that deciding paid promotion together with timing and content raised
//!   gross profit by at least 8 %, which is why paid money is planned with the calendar.
//! - Money is split in minor units (cents) by largest remainder, so the amounts add up to the
//!   budget exactly; shares sum to 1.
//!
//! ```
//! use socialkit::strategy::{plan, Inputs};
//! let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
//! let paid: u64 = p.budget.paid.iter().map(|s| s.amount_minor).sum();
//! assert_eq!(paid, 300_000);
//! let share: f64 = p.budget.organic.iter().map(|s| s.share).sum();
//! assert!((share - 1.0).abs() < 1e-9);
//! ```

use serde::{Deserialize, Serialize};

use super::cadence::ChannelCadence;
use super::goals::GoalKind;
use super::inputs::Inputs;
use super::select::{Selection, facts_for};
use crate::model::PlatformId;

/// Organic hours of one channel.
///
/// ```
/// let s = socialkit::strategy::budget::HoursShare { channel: "ig".into(), share: 0.5,
///     hours_per_week: Some(4.0), reason: "4 of 8 posts".into() };
/// assert_eq!(s.share, 0.5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoursShare {
    /// The channel.
    pub channel: String,
    /// Its share of the organic hours.
    pub share: f64,
    /// Hours per week, when the budget names organic hours.
    pub hours_per_week: Option<f64>,
    /// Why.
    pub reason: String,
}

/// Paid money for one goal on one platform.
///
/// ```
/// let s = socialkit::strategy::budget::MoneyShare { goal: "leads".into(), platform: "linkedin".into(),
///     share: 1.0, amount_minor: 100_000, reason: String::new() };
/// assert_eq!(s.amount_minor, 100_000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoneyShare {
    /// The goal.
    pub goal: String,
    /// The platform.
    pub platform: PlatformId,
    /// Its share of the paid budget.
    pub share: f64,
    /// The amount in minor units (cents) of the budget's currency.
    pub amount_minor: u64,
    /// Why.
    pub reason: String,
}

/// The budget split.
///
/// ```
/// use socialkit::strategy::{plan, Inputs};
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// assert_eq!(p.budget.currency.as_deref(), Some("EUR"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetPlan {
    /// Organic hours by channel.
    pub organic: Vec<HoursShare>,
    /// Paid money by goal and platform.
    pub paid: Vec<MoneyShare>,
    /// The paid budget's currency.
    pub currency: Option<String>,
    /// Paid money left unallocated (no goal or platform that ads serve), in minor units.
    pub unallocated_minor: u64,
    /// Notes on the split.
    pub notes: Vec<String>,
}

/// The paid relevance of a goal kind (see the module docs; an assumption).
///
/// ```
/// use socialkit::strategy::{budget::paid_relevance, goals::GoalKind};
/// assert_eq!(paid_relevance(GoalKind::Campaign), 1.0);
/// assert_eq!(paid_relevance(GoalKind::CustomerService), 0.0);
/// ```
pub fn paid_relevance(kind: GoalKind) -> f64 {
    match kind {
        GoalKind::Campaign => 1.0,
        GoalKind::LeadGeneration => 0.8,
        GoalKind::Awareness => 0.6,
        GoalKind::Engagement => 0.3,
        GoalKind::Retention => 0.1,
        GoalKind::CustomerService | GoalKind::Reputation => 0.0,
    }
}

/// Splits `total` minor units by `weights` with the largest-remainder method (ties to the
/// earlier item): the parts add up to `total` exactly.
///
/// ```
/// use socialkit::strategy::budget::split_minor;
/// assert_eq!(split_minor(100, &[1.0, 1.0, 1.0]), vec![34, 33, 33]);
/// assert_eq!(split_minor(100, &[0.0, 0.0]), vec![0, 0]);
/// ```
pub fn split_minor(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().filter(|w| w.is_finite() && **w > 0.0).sum();
    if sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights
        .iter()
        .map(|w| {
            if w.is_finite() && *w > 0.0 {
                total as f64 * w / sum
            } else {
                0.0
            }
        })
        .collect();
    let mut parts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let given: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).filter(|&i| exact[i] > 0.0).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let mut left = total.saturating_sub(given);
    for i in order.iter().cycle().take(order.len() * 2) {
        if left == 0 {
            break;
        }
        parts[*i] += 1;
        left -= 1;
    }
    parts
}

/// Splits the budget (see the module docs).
///
/// ```
/// use socialkit::strategy::{Inputs, budget::split_budget, cadence::plan_cadence, select::select};
/// let inputs = Inputs::example();
/// let s = select(&inputs, 10);
/// let b = split_budget(&inputs, &s, &plan_cadence(&inputs, &s, 10));
/// assert_eq!(b.paid.iter().map(|p| p.amount_minor).sum::<u64>(), 300_000);
/// ```
pub fn split_budget(
    inputs: &Inputs,
    selection: &Selection,
    cadence: &[ChannelCadence],
) -> BudgetPlan {
    let mut notes = Vec::new();
    // Organic hours.
    let posts: u32 = cadence.iter().map(|c| c.posts_per_week).sum();
    let hours = inputs.budget.organic_hours_per_week;
    let organic = cadence
        .iter()
        .filter(|c| c.posts_per_week > 0)
        .map(|c| {
            let share = f64::from(c.posts_per_week) / f64::from(posts.max(1));
            HoursShare {
                channel: c.channel.clone(),
                share,
                hours_per_week: hours.map(|h| h * share),
                reason: format!(
                    "{} of the {posts} planned posts/week; every post costs the same time",
                    c.posts_per_week
                ),
            }
        })
        .collect();
    if hours.is_none() {
        notes.push("no organic hours given: shares only".into());
    }

    // Paid money.
    let mut paid = Vec::new();
    let mut unallocated = 0;
    let currency = inputs.budget.paid.as_ref().map(|m| m.currency.clone());
    if let Some(money) = &inputs.budget.paid {
        let total = money.minor_units();
        let platforms: Vec<(&str, f64)> = selection
            .platforms
            .iter()
            .filter(|p| p.selected)
            .map(|p| (p.platform.as_str(), p.score))
            .collect();
        let mut rows: Vec<(String, String, f64, String)> = Vec::new();
        let goal_weights: Vec<f64> = inputs
            .goals
            .iter()
            .map(|g| g.priority * paid_relevance(g.kind))
            .collect();
        let goal_total: f64 = goal_weights.iter().sum();
        for (g, gw) in inputs.goals.iter().zip(&goal_weights) {
            if *gw <= 0.0 || goal_total <= 0.0 {
                continue;
            }
            let goal_share = gw / goal_total;
            let fits: Vec<f64> = platforms
                .iter()
                .map(|(p, score)| score * facts_for(inputs, p).fit(g.kind))
                .collect();
            let fit_total: f64 = fits.iter().sum();
            if fit_total <= 0.0 {
                continue;
            }
            for ((p, score), fit) in platforms.iter().zip(&fits) {
                if *fit <= 0.0 {
                    continue;
                }
                let share = goal_share * fit / fit_total;
                rows.push((
                    g.id.clone(),
                    p.to_string(),
                    share,
                    format!(
                        "goal {} gets {:.0}% (priority {} x paid relevance {:.1} of {}); {p} gets {:.0}% of it (score {score:.2} x fit {:.2})",
                        g.id,
                        goal_share * 100.0,
                        g.priority,
                        paid_relevance(g.kind),
                        g.kind.as_str(),
                        fit / fit_total * 100.0,
                        fit / score.max(1e-12),
                    ),
                ));
            }
        }
        let weights: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let amounts = split_minor(total, &weights);
        let sum: f64 = weights.iter().sum();
        for ((goal, platform, share, reason), amount) in rows.into_iter().zip(amounts) {
            paid.push(MoneyShare {
                goal,
                platform: platform.into(),
                share: if sum > 0.0 { share / sum } else { 0.0 },
                amount_minor: amount,
                reason,
            });
        }
        if paid.is_empty() && total > 0 {
            unallocated = total;
            notes.push(
                "paid money unallocated: no goal that ads serve (campaign, lead generation, awareness, engagement, retention) on a selected platform".into(),
            );
        }
        notes.push("paid relevance per goal kind is an assumption; paid promotion planned with timing and content: Kanuri et al. 2018".into());
    }
    BudgetPlan {
        organic,
        paid,
        currency,
        unallocated_minor: unallocated,
        notes,
    }
}
