//! Platform selection: every supported platform scored against the goals and the audience,
//! with the reasons in the output (which fact weighed how much), and the connected channels
//! that the plan uses, within capacity.
//!
//! A platform's score is a weighted sum of four factor values, each in 0–1:
//!
//! | factor | value | default weight |
//! |---|---|---|
//! | `goal_fit` | Σ priority × fit(platform, goal kind) ÷ Σ priority ([`facts`](super::facts)) | 0.45 |
//! | `audience` | presence on the platform ÷ the highest presence given; 0.5 when unknown, or the platform's `b2b_audience` fact when the organisation is B2B (LinkedIn 0.8, TikTok and Pinterest 0.2: assumptions) | 0.25 |
//! | `history` | the connected channels' own engagement rate ÷ the platform benchmark with the same denominator, halved and capped at 1 (matching the benchmark = 0.5); 0.5 without history or benchmark | 0.20 |
//! | `measurability` | share of the goals whose KPI the platform can measure (its reported metrics, its inbox) | 0.10 |
//!
//! The weights are data ([`SelectionWeights`], `settings.weights`) and are normalized to sum 1.
//! A connected channel is used when its platform scores at least `settings.min_selection_score`
//! and its platform's minimum cadence still fits into the weekly capacity, in rank order.
//!
//! ```
//! use socialkit::strategy::{Inputs, select::select};
//! let inputs = Inputs::example();
//! let s = select(&inputs, 10);
//! assert_eq!(s.platforms.len(), 15);
//! let ig = s.platforms.iter().find(|p| p.platform == "instagram").unwrap();
//! assert!(ig.connected);
//! let total: f64 = ig.contributions.iter().map(|c| c.points).sum();
//! assert!((total - ig.score).abs() < 1e-12);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::facts::{PLATFORMS, PlatformFacts, platform_facts};
use super::inputs::{ChannelInput, Inputs};
use super::kpi::KpiId;
use crate::model::{Metric, PlatformId, RateBasis};
use crate::{Error, Result};

/// How much each selection factor weighs. Normalized to sum 1 when used.
///
/// ```
/// use socialkit::strategy::select::SelectionWeights;
/// let w: SelectionWeights = toml::from_str("goal_fit = 1.0\naudience = 0.0\nhistory = 0.0\nmeasurability = 0.0").unwrap();
/// assert_eq!(w.normalized(), [1.0, 0.0, 0.0, 0.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SelectionWeights {
    /// Weight of the fit between the platform and the goals.
    pub goal_fit: f64,
    /// Weight of the audience's presence.
    pub audience: f64,
    /// Weight of the channel's own performance against the benchmark.
    pub history: f64,
    /// Weight of whether the goals' KPIs can be measured there.
    pub measurability: f64,
}

impl Default for SelectionWeights {
    fn default() -> Self {
        SelectionWeights {
            goal_fit: 0.45,
            audience: 0.25,
            history: 0.20,
            measurability: 0.10,
        }
    }
}

impl SelectionWeights {
    /// Checks that every weight is finite and non-negative and that they do not all vanish.
    ///
    /// ```
    /// use socialkit::strategy::select::SelectionWeights;
    /// let w = SelectionWeights { goal_fit: -1.0, ..SelectionWeights::default() };
    /// assert!(w.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let all = [
            self.goal_fit,
            self.audience,
            self.history,
            self.measurability,
        ];
        if all.iter().any(|w| !w.is_finite() || *w < 0.0) || all.iter().sum::<f64>() <= 0.0 {
            return Err(Error::validation(format!(
                "settings.weights must be non-negative numbers that do not all vanish, got {all:?}"
            )));
        }
        Ok(())
    }

    /// The weights in factor order (goal fit, audience, history, measurability), summing to 1.
    pub fn normalized(&self) -> [f64; 4] {
        let all = [
            self.goal_fit,
            self.audience,
            self.history,
            self.measurability,
        ];
        let sum: f64 = all.iter().sum();
        if sum > 0.0 && sum.is_finite() {
            all.map(|w| w / sum)
        } else {
            [0.25; 4]
        }
    }
}

/// A selection factor.
///
/// ```
/// use socialkit::strategy::select::Factor;
/// assert_eq!(serde_json::to_string(&Factor::GoalFit).unwrap(), "\"goal_fit\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// Fit between the platform and the goals.
    GoalFit,
    /// The audience's presence.
    Audience,
    /// The channel's own performance against the benchmark.
    History,
    /// Whether the goals' KPIs can be measured.
    Measurability,
}

/// One factor's part of a platform's score.
///
/// ```
/// use socialkit::strategy::{Inputs, select::{select, Factor}};
/// let s = select(&Inputs::example(), 10);
/// let c = &s.platforms[0].contributions[0];
/// assert_eq!(c.factor, Factor::GoalFit);
/// assert!((c.points - c.weight * c.value).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The factor.
    pub factor: Factor,
    /// Its normalized weight.
    pub weight: f64,
    /// Its value for this platform, 0–1.
    pub value: f64,
    /// weight × value: what it added to the score.
    pub points: f64,
    /// The facts behind the value.
    pub reason: String,
    /// Source ids of those facts.
    pub sources: Vec<String>,
}

/// A platform's score and what the plan does with it.
///
/// ```
/// use socialkit::strategy::{Inputs, select::select};
/// let s = select(&Inputs::example(), 10);
/// assert!(s.platforms.windows(2).all(|w| w[0].score >= w[1].score));
/// assert_eq!(s.platforms[0].rank, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformScore {
    /// The platform.
    pub platform: PlatformId,
    /// Σ contributions' points, 0–1.
    pub score: f64,
    /// 1 = best.
    pub rank: usize,
    /// Whether a channel of it is connected.
    pub connected: bool,
    /// Whether the plan uses it.
    pub selected: bool,
    /// What the plan does with it and why.
    pub verdict: String,
    /// Each factor's part.
    pub contributions: Vec<Contribution>,
}

/// Whether a connected channel is used.
///
/// ```
/// use socialkit::strategy::{Inputs, select::select};
/// let s = select(&Inputs::example(), 10);
/// assert!(s.channels.iter().all(|c| c.selected));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelChoice {
    /// The channel id.
    pub channel: String,
    /// The platform whose facts plan it.
    pub platform: PlatformId,
    /// Its platform's score.
    pub score: f64,
    /// Whether the plan uses it.
    pub selected: bool,
    /// Why.
    pub reason: String,
}

/// The selection: every platform scored, the connected channels chosen, and the platforms
/// worth connecting.
///
/// ```
/// use socialkit::strategy::{Inputs, select::select};
/// let s = select(&Inputs::example(), 10);
/// assert!(s.recommended_to_connect.iter().all(|p| !s.channels.iter().any(|c| &c.platform == p)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// Every platform, best first (ties by name).
    pub platforms: Vec<PlatformScore>,
    /// Every connected channel, in the order the plan ranks them.
    pub channels: Vec<ChannelChoice>,
    /// Platforms not connected that score above the lowest selected platform.
    pub recommended_to_connect: Vec<PlatformId>,
    /// The normalized weights used.
    pub weights: [f64; 4],
}

impl Selection {
    /// The score of a platform (0 when unknown).
    pub fn score(&self, platform: &str) -> f64 {
        self.platforms
            .iter()
            .find(|p| p.platform == platform)
            .map_or(0.0, |p| p.score)
    }

    /// The ids of the selected channels in rank order.
    pub fn selected_channels(&self) -> Vec<&str> {
        self.channels
            .iter()
            .filter(|c| c.selected)
            .map(|c| c.channel.as_str())
            .collect()
    }
}

/// The facts that plan a platform: the user's override, the built-in facts, or generic
/// facts for a platform socialkit does not know.
///
/// ```
/// use socialkit::strategy::{Inputs, select::facts_for};
/// assert_eq!(facts_for(&Inputs::example(), "linkedin").cadence.max_per_week, 5);
/// assert_eq!(facts_for(&Inputs::example(), "myspace").platform, "myspace");
/// ```
pub fn facts_for(inputs: &Inputs, platform: impl AsRef<str>) -> PlatformFacts {
    let platform = platform.as_ref();
    if let Some(f) = inputs.settings.facts.get(platform) {
        return f.clone();
    }
    platform_facts(platform).unwrap_or_else(|| {
        let mut f = platform_facts("sandbox").unwrap_or_else(|| unreachable_facts(platform));
        f.platform = platform.into();
        f
    })
}

fn unreachable_facts(platform: &str) -> PlatformFacts {
    // `platform_facts("sandbox")` always exists; this keeps the code free of panics anyway.
    PlatformFacts {
        platform: platform.into(),
        cadence: super::facts::CadenceFacts {
            min_per_week: 1,
            recommended_per_week: 3,
            max_per_week: 14,
            reason: "assumption".into(),
            sources: Vec::new(),
            small_page: None,
        },
        engagement: Vec::new(),
        goal_fit: BTreeMap::new(),
        peak_hour: None,
        half_life_minutes: None,
        min_spacing_minutes: 180,
        spacing_reason: "assumption".into(),
        reports: Vec::new(),
        inbox: false,
        b2b_audience: None,
    }
}

/// Scores every platform and chooses the connected channels within `capacity` posts/week.
///
/// ```
/// use socialkit::strategy::{Inputs, select::select};
/// let s = select(&Inputs::example(), 10);
/// assert_eq!(s.selected_channels().len(), 3);
/// assert!(s.score("linkedin") > 0.0);
/// ```
pub fn select(inputs: &Inputs, capacity: u32) -> Selection {
    let weights = inputs.settings.weights.normalized();
    let mut names: BTreeSet<String> = PLATFORMS.iter().map(|s| s.to_string()).collect();
    for c in &inputs.channels {
        names.insert(c.planning_platform().to_string());
    }
    // Channels by id, so that nothing depends on the order of the inputs.
    let mut by_id: Vec<&ChannelInput> = inputs.channels.iter().collect();
    by_id.sort_by(|a, b| a.id.cmp(&b.id));
    let mut by_platform: BTreeMap<&str, Vec<&ChannelInput>> = BTreeMap::new();
    for c in by_id {
        by_platform
            .entry(c.planning_platform().as_str())
            .or_default()
            .push(c);
    }
    let mut platforms: Vec<PlatformScore> = names
        .iter()
        .map(|name| {
            let facts = facts_for(inputs, name);
            let channels = by_platform.get(name.as_str()).cloned().unwrap_or_default();
            let values = [
                goal_fit(inputs, &facts),
                audience(inputs, &facts, name),
                history(&facts, &channels),
                measurability(inputs, &facts, &channels),
            ];
            let contributions: Vec<Contribution> = values
                .into_iter()
                .zip(weights)
                .zip([
                    Factor::GoalFit,
                    Factor::Audience,
                    Factor::History,
                    Factor::Measurability,
                ])
                .map(
                    |(((value, reason, sources), weight), factor)| Contribution {
                        factor,
                        weight,
                        value,
                        points: weight * value,
                        reason,
                        sources,
                    },
                )
                .collect();
            PlatformScore {
                platform: PlatformId::from(name.as_str()),
                score: contributions.iter().map(|c| c.points).sum(),
                rank: 0,
                connected: !channels.is_empty(),
                selected: false,
                verdict: String::new(),
                contributions,
            }
        })
        .collect();
    platforms.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.platform.cmp(&b.platform))
    });
    for (i, p) in platforms.iter_mut().enumerate() {
        p.rank = i + 1;
    }

    // Channels in rank order: platform score, then followers (more first), then id.
    let mut order: Vec<&ChannelInput> = inputs.channels.iter().collect();
    let score_of = |c: &ChannelInput| {
        platforms
            .iter()
            .find(|p| p.platform == *c.planning_platform())
            .map_or(0.0, |p| p.score)
    };
    order.sort_by(|a, b| {
        score_of(b)
            .total_cmp(&score_of(a))
            .then_with(|| b.followers.unwrap_or(0).cmp(&a.followers.unwrap_or(0)))
            .then_with(|| a.id.cmp(&b.id))
    });
    let min_score = inputs.settings.min_selection_score;
    let mut used = 0u32;
    let mut channels = Vec::new();
    for c in order {
        let score = score_of(c);
        let facts = facts_for(inputs, c.planning_platform().as_str());
        let need = facts.cadence.min_per_week.max(1);
        let (selected, reason) = if score < min_score {
            (
                false,
                format!(
                    "not used: its platform scores {score:.2}, below the minimum {min_score:.2}"
                ),
            )
        } else if used + need > capacity {
            (
                false,
                format!(
                    "not used: capacity of {capacity} posts/week is taken by higher-ranked channels ({used} used, {} needs at least {need})",
                    c.planning_platform()
                ),
            )
        } else {
            used += need;
            (
                true,
                format!("used: its platform scores {score:.2} (minimum {min_score:.2})"),
            )
        };
        channels.push(ChannelChoice {
            channel: c.id.clone(),
            platform: c.planning_platform().clone(),
            score,
            selected,
            reason,
        });
    }
    let lowest_selected = channels
        .iter()
        .filter(|c| c.selected)
        .map(|c| c.score)
        .fold(f64::INFINITY, f64::min);
    let mut recommended = Vec::new();
    for p in &mut platforms {
        let mine: Vec<&ChannelChoice> = channels
            .iter()
            .filter(|c| c.platform == p.platform)
            .collect();
        p.selected = mine.iter().any(|c| c.selected);
        p.verdict = if p.selected {
            format!(
                "selected: rank {}, score {:.2}; {} of its {} connected channel(s) used",
                p.rank,
                p.score,
                mine.iter().filter(|c| c.selected).count(),
                mine.len()
            )
        } else if p.connected {
            format!(
                "connected but not used: {}",
                mine.first().map_or("", |c| c.reason.as_str())
            )
        } else if p.score >= min_score && p.score > lowest_selected {
            recommended.push(p.platform.clone());
            format!(
                "recommended: connect a channel; rank {}, score {:.2}, above the lowest selected platform ({lowest_selected:.2})",
                p.rank, p.score
            )
        } else {
            format!("not connected; rank {}, score {:.2}", p.rank, p.score)
        };
    }
    Selection {
        platforms,
        channels,
        recommended_to_connect: recommended,
        weights,
    }
}

type Value = (f64, String, Vec<String>);

fn goal_fit(inputs: &Inputs, facts: &PlatformFacts) -> Value {
    let total: f64 = inputs.goals.iter().map(|g| g.priority).sum();
    let mut sum = 0.0;
    let mut parts = Vec::new();
    let mut sources = BTreeSet::new();
    for g in &inputs.goals {
        let fit = facts.goal_fit.get(&g.kind);
        let v = fit.map_or(0.0, |f| f.value);
        sum += g.priority * v;
        parts.push(format!(
            "{} ({}, priority {}): {v:.2} ({})",
            g.id,
            g.kind.as_str(),
            g.priority,
            fit.map_or("no fact", |f| f.reason.as_str())
        ));
        if let Some(f) = fit {
            sources.extend(f.sources.iter().cloned());
        }
    }
    let value = if total > 0.0 { sum / total } else { 0.0 };
    (
        value.clamp(0.0, 1.0),
        parts.join("; "),
        sources.into_iter().collect(),
    )
}

fn audience(inputs: &Inputs, facts: &PlatformFacts, platform: &str) -> Value {
    let presence = &inputs.audience.platform_presence;
    let max = presence.values().copied().fold(0.0, f64::max);
    if let Some(v) = presence.get(platform) {
        if max > 0.0 {
            return (
                (v / max).clamp(0.0, 1.0),
                format!(
                    "{:.0}% of the audience is on {platform} (the highest given is {:.0}%)",
                    v * 100.0,
                    max * 100.0
                ),
                Vec::new(),
            );
        }
        return (0.0, format!("no audience on {platform}"), Vec::new());
    }
    if let Some(b2b) = facts
        .b2b_audience
        .as_ref()
        .filter(|_| inputs.organisation.b2b)
    {
        return (
            b2b.value.clamp(0.0, 1.0),
            format!(
                "the audience's presence on {platform} is unknown; for a B2B organisation: {}",
                b2b.reason
            ),
            b2b.sources.clone(),
        );
    }
    (
        0.5,
        format!("the audience's presence on {platform} is unknown"),
        Vec::new(),
    )
}

/// The channels' mean engagement rate with the first denominator the platform has a benchmark
/// for (impressions, then followers), or with reach when there is no benchmark.
fn history(facts: &PlatformFacts, channels: &[&ChannelInput]) -> Value {
    let posts: usize = channels.iter().map(|c| c.history.len()).sum();
    if posts == 0 {
        return (
            0.5,
            if channels.is_empty() {
                "not connected: no history (neutral)".into()
            } else {
                "connected, no history yet (neutral)".into()
            },
            Vec::new(),
        );
    }
    for basis in [RateBasis::Impressions, RateBasis::Followers] {
        let Some(bench) = facts.benchmark(basis) else {
            continue;
        };
        let rates: Vec<f64> = channels
            .iter()
            .flat_map(|c| {
                c.history.iter().filter_map(|h| {
                    h.metrics
                        .engagement_rate(basis, c.followers)
                        .map(|r| r.value)
                })
            })
            .collect();
        if rates.is_empty() {
            continue;
        }
        let mean = rates.iter().sum::<f64>() / rates.len() as f64;
        let ratio = mean / bench.value;
        return (
            (0.5 * ratio).clamp(0.0, 1.0),
            format!(
                "own engagement by {} {:.2}% over {} posts vs {} benchmark {:.2}% ({:.2}x)",
                basis_name(basis),
                mean * 100.0,
                rates.len(),
                bench.label,
                bench.value * 100.0,
                ratio
            ),
            vec![bench.source.clone()],
        );
    }
    (
        0.5,
        format!("{posts} posts of history, but no benchmark with the same denominator (neutral)"),
        Vec::new(),
    )
}

fn basis_name(b: RateBasis) -> &'static str {
    match b {
        RateBasis::Impressions => "impressions",
        RateBasis::Reach => "reach",
        RateBasis::Followers => "followers",
    }
}

/// Whether the KPI of each goal can be measured on the platform.
fn measurability(inputs: &Inputs, facts: &PlatformFacts, channels: &[&ChannelInput]) -> Value {
    let caps: Vec<_> = channels
        .iter()
        .filter_map(|c| c.capabilities.as_ref())
        .collect();
    let (reports, inbox, from): (BTreeSet<Metric>, bool, &str) = if caps.is_empty() {
        (
            facts.reports.iter().copied().collect(),
            facts.inbox,
            "platform facts",
        )
    } else {
        (
            caps.iter()
                .flat_map(|c| c.metrics.iter().copied())
                .collect(),
            caps.iter().any(|c| !c.interactions.is_empty()),
            "the channels' capabilities",
        )
    };
    let total: f64 = inputs.goals.iter().map(|g| g.priority).sum();
    let mut sum = 0.0;
    let mut missing = Vec::new();
    for g in &inputs.goals {
        let ok = match g.kpi {
            KpiId::ResponseRate | KpiId::FirstResponseTime => inbox,
            k => k.post_metrics().iter().all(|m| reports.contains(m)),
        };
        if ok {
            sum += g.priority;
        } else {
            missing.push(format!("{} ({})", g.id, g.kpi.as_str()));
        }
    }
    let value = if total > 0.0 { sum / total } else { 0.0 };
    let reason = if missing.is_empty() {
        format!("every goal's KPI is measurable (per {from})")
    } else {
        format!("not measurable here (per {from}): {}", missing.join(", "))
    };
    (value, reason, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_and_weights_change_the_ranking() {
        let mut inputs = Inputs::example();
        inputs.settings.weights = SelectionWeights {
            goal_fit: 0.0,
            audience: 1.0,
            history: 0.0,
            measurability: 0.0,
        };
        inputs.audience.platform_presence = BTreeMap::from([
            ("x".to_string(), 0.9),
            ("instagram".to_string(), 0.1),
            ("linkedin".to_string(), 0.1),
        ]);
        let s = select(&inputs, 10);
        assert_eq!(s.platforms[0].platform, "x");
        assert_eq!(s.channels[0].channel, "acme-x");
    }

    #[test]
    fn capacity_limits_the_channels_used() {
        let s = select(&Inputs::example(), 2);
        let used: Vec<_> = s.channels.iter().filter(|c| c.selected).collect();
        assert!(!used.is_empty());
        let need: u32 = used
            .iter()
            .map(|c| {
                facts_for(&Inputs::example(), &c.platform)
                    .cadence
                    .min_per_week
            })
            .sum();
        assert!(need <= 2);
        assert!(s.channels.iter().any(|c| c.reason.contains("capacity")));
    }

    /// TikTok and Pinterest are in the selection; for a B2B organisation their consumer
    /// audience keeps them below LinkedIn, and TikTok (no clickable links) last for leads.
    #[test]
    fn consumer_platforms_do_not_lead_a_b2b_plan() {
        use crate::strategy::goals::{Goal, GoalKind};
        use crate::strategy::kpi::KpiId;
        let deadline = chrono::NaiveDate::from_ymd_opt(2026, 5, 31).unwrap();
        let rank = |s: &Selection, p: &str| {
            s.platforms
                .iter()
                .find(|x| x.platform == p)
                .map(|x| x.rank)
                .unwrap()
        };
        for (kind, kpi) in [
            (GoalKind::LeadGeneration, KpiId::ClickThroughRate),
            (GoalKind::Awareness, KpiId::Reach),
            (GoalKind::Engagement, KpiId::EngagementRateByImpressions),
        ] {
            let mut inputs = Inputs::example();
            inputs.organisation.b2b = true;
            inputs.goals = vec![Goal::new("g", kind, kpi, 0.01, 0.02, deadline)];
            let s = select(&inputs, 10);
            assert_eq!(s.platforms.len(), PLATFORMS.len());
            for consumer in ["tiktok", "pinterest"] {
                assert!(
                    rank(&s, consumer) > rank(&s, "linkedin"),
                    "{kind:?}: {consumer} above LinkedIn"
                );
                let why = &s.platforms[rank(&s, consumer) - 1].contributions[1].reason;
                assert!(why.contains("B2B"), "{why}");
            }
            if kind == GoalKind::LeadGeneration {
                assert_eq!(rank(&s, "linkedin"), 1);
                assert_eq!(rank(&s, "tiktok"), PLATFORMS.len());
            }
        }
        // A consumer brand seeking awareness is pointed at TikTok.
        let mut retail = Inputs::example();
        retail.goals.retain(|g| g.kind == GoalKind::Awareness);
        let s = select(&retail, 10);
        assert!(rank(&s, "tiktok") < rank(&s, "linkedin"));
        assert!(s.recommended_to_connect.contains(&PlatformId::TikTok));
    }
}
