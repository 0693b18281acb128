//! The KPI catalogue: every KPI with its exact formula and its denominator stated, and a
//! compute function that returns `None` when an input is unknown (never 0 for unknown).
//!
//! Engagement rate has no industry standard: Hootsuite lists six formulas
//! (`hootsuite-er-formulas`), Rival IQ divides engagements per post by followers
//! (`rivaliq-er-definition`), and Buffer's text and code disagree. socialkit therefore has
//! three engagement-rate KPIs, one per denominator, and never a bare "engagement rate".
//!
//! ```
//! use socialkit::strategy::kpi::{KpiId, MetricInputs};
//! let period = MetricInputs { engagements: Some(120), reach: Some(4000), ..Default::default() };
//! assert_eq!(KpiId::EngagementRateByReach.compute(&period), Some(0.03));
//! // The platform reports no impressions: the rate by impressions is unknown, not zero.
//! assert_eq!(KpiId::EngagementRateByImpressions.compute(&period), None);
//! ```

use serde::{Deserialize, Serialize};

use super::goals::GoalKind;
use crate::model::PostMetrics;

/// The KPIs socialkit knows.
///
/// ```
/// use socialkit::strategy::kpi::KpiId;
/// assert_eq!(KpiId::ALL.len(), 14);
/// assert_eq!(serde_json::to_string(&KpiId::ShareOfVoice).unwrap(), "\"share_of_voice\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiId {
    /// Engagements ÷ reach.
    EngagementRateByReach,
    /// Engagements ÷ impressions.
    EngagementRateByImpressions,
    /// Engagements per post ÷ followers.
    EngagementRateByFollowers,
    /// Sum of per-post reach.
    Reach,
    /// Sum of impressions.
    Impressions,
    /// Follower change ÷ followers at the start.
    FollowerGrowthRate,
    /// Reposts per post ÷ followers.
    AmplificationRate,
    /// Messages answered ÷ messages received.
    ResponseRate,
    /// Mean seconds from a message to its first reply.
    FirstResponseTime,
    /// Brand mentions ÷ (brand + competitor mentions).
    ShareOfVoice,
    /// (Positive − negative mentions) ÷ (positive + negative mentions).
    NetSentiment,
    /// Link clicks ÷ impressions.
    ClickThroughRate,
    /// Conversions ÷ link clicks.
    ConversionRate,
    /// Paid spend ÷ paid results.
    CostPerResult,
}

/// What a KPI's number is.
///
/// ```
/// use socialkit::strategy::kpi::{KpiId, Unit};
/// assert_eq!(KpiId::FirstResponseTime.definition().unit, Unit::Seconds);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A fraction (0.04 = 4 %).
    Ratio,
    /// A count.
    Count,
    /// Seconds.
    Seconds,
    /// Money in the budget's currency.
    Money,
}

/// Which way is better.
///
/// ```
/// use socialkit::strategy::kpi::{Direction, KpiId};
/// assert_eq!(KpiId::CostPerResult.definition().direction, Direction::LowerIsBetter);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A larger value is better.
    HigherIsBetter,
    /// A smaller value is better.
    LowerIsBetter,
}

impl Direction {
    /// `+1.0` or `-1.0`: multiplying a change by it makes "better" positive.
    ///
    /// ```
    /// use socialkit::strategy::kpi::Direction;
    /// assert_eq!(Direction::LowerIsBetter.sign(), -1.0);
    /// ```
    pub fn sign(self) -> f64 {
        match self {
            Direction::HigherIsBetter => 1.0,
            Direction::LowerIsBetter => -1.0,
        }
    }
}

/// A KPI as data: what it is, its exact formula, its denominator, unit, direction, the
/// inputs it needs and the sources of its definition.
///
/// ```
/// use socialkit::strategy::kpi::KpiId;
/// let d = KpiId::EngagementRateByFollowers.definition();
/// assert_eq!(d.denominator, "followers");
/// assert!(d.formula.contains("posts"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiDef {
    /// The KPI.
    pub id: KpiId,
    /// Its name for people.
    pub name: String,
    /// The exact formula over [`MetricInputs`] fields.
    pub formula: String,
    /// What it is divided by (empty for sums).
    pub denominator: String,
    /// What the number is.
    pub unit: Unit,
    /// Which way is better.
    pub direction: Direction,
    /// The [`MetricInputs`] fields it needs.
    pub inputs: Vec<String>,
    /// Lowest and highest possible value, where bounded.
    pub bounds: (Option<f64>, Option<f64>),
    /// Ids of the sources of the definition (see [`sources`](super::sources)).
    pub sources: Vec<String>,
}

/// Aggregated metrics of a period (a week, the campaign so far) from which KPIs are computed.
/// Every field is an `Option`: `None` means unknown, never zero.
///
/// ```
/// use socialkit::strategy::kpi::{KpiId, MetricInputs};
/// let m = MetricInputs { brand_mentions: Some(30), competitor_mentions: Some(70), ..Default::default() };
/// assert_eq!(KpiId::ShareOfVoice.compute(&m), Some(0.3));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricInputs {
    /// Posts published in the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts: Option<u64>,
    /// Engagements (likes + reposts + replies + quotes + clicks + saves) of those posts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagements: Option<u64>,
    /// Sum of the posts' reach (accounts reached per post, summed; not unique across posts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach: Option<u64>,
    /// Sum of the posts' impressions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impressions: Option<u64>,
    /// Reposts / shares of the posts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reposts: Option<u64>,
    /// Link clicks of the posts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clicks: Option<u64>,
    /// Followers at the start of the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers_start: Option<u64>,
    /// Followers at the end of the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    /// Inbound messages that needed an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages_received: Option<u64>,
    /// Of those, the ones answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages_answered: Option<u64>,
    /// Sum over answered messages of the seconds to the first reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_seconds_total: Option<f64>,
    /// Mentions of the brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_mentions: Option<u64>,
    /// Mentions of the competitors tracked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competitor_mentions: Option<u64>,
    /// Brand mentions classified positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive_mentions: Option<u64>,
    /// Brand mentions classified negative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_mentions: Option<u64>,
    /// Conversions attributed to the posts' links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversions: Option<u64>,
    /// Paid spend in the budget's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Results of the paid spend (the campaign's optimisation event: leads, clicks …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<u64>,
}

impl MetricInputs {
    /// Aggregates post metrics. A field is known only when **every** post reports it: a sum
    /// over some of the posts is not the total, so it stays `None`. `followers` is the
    /// channel's follower count (for the rates by followers), when known.
    ///
    /// ```
    /// use socialkit::model::{PostMetrics, PostRef};
    /// use socialkit::strategy::kpi::{KpiId, MetricInputs};
    /// let at = chrono::Utc::now();
    /// let mut a = PostMetrics::new(PostRef::new("sandbox", "1"), at);
    /// a.impressions = Some(1000);
    /// a.likes = Some(40);
    /// let mut b = PostMetrics::new(PostRef::new("sandbox", "2"), at);
    /// b.impressions = Some(1000);
    /// b.likes = Some(20);
    /// let m = MetricInputs::from_posts(&[a, b], Some(3000));
    /// assert_eq!(m.posts, Some(2));
    /// assert_eq!(KpiId::EngagementRateByImpressions.compute(&m), Some(0.03));
    /// assert_eq!(KpiId::EngagementRateByFollowers.compute(&m), Some(0.01));
    /// assert_eq!(m.reach, None);
    /// ```
    pub fn from_posts(posts: &[PostMetrics], followers: Option<u64>) -> Self {
        fn total(posts: &[PostMetrics], f: impl Fn(&PostMetrics) -> Option<u64>) -> Option<u64> {
            if posts.is_empty() {
                return None;
            }
            posts
                .iter()
                .try_fold(0u64, |acc, p| f(p).map(|v| acc.saturating_add(v)))
        }
        MetricInputs {
            posts: Some(posts.len() as u64),
            engagements: total(posts, PostMetrics::engagements),
            reach: total(posts, |p| p.reach),
            impressions: total(posts, |p| p.impressions),
            reposts: total(posts, |p| p.reposts),
            clicks: total(posts, |p| p.clicks),
            followers,
            ..MetricInputs::default()
        }
    }
}

/// One catalogue row: name, formula, denominator, unit, direction, inputs, bounds, sources.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    Unit,
    Direction,
    &'static [&'static str],
    (Option<f64>, Option<f64>),
    &'static [&'static str],
);

fn ratio(num: Option<f64>, den: Option<f64>) -> Option<f64> {
    let (n, d) = (num?, den?);
    if d == 0.0 || !n.is_finite() || !d.is_finite() {
        return None;
    }
    Some(n / d)
}

fn f(v: Option<u64>) -> Option<f64> {
    v.map(|v| v as f64)
}

impl KpiId {
    /// Every KPI, in a fixed order.
    pub const ALL: [KpiId; 14] = [
        KpiId::EngagementRateByReach,
        KpiId::EngagementRateByImpressions,
        KpiId::EngagementRateByFollowers,
        KpiId::Reach,
        KpiId::Impressions,
        KpiId::FollowerGrowthRate,
        KpiId::AmplificationRate,
        KpiId::ResponseRate,
        KpiId::FirstResponseTime,
        KpiId::ShareOfVoice,
        KpiId::NetSentiment,
        KpiId::ClickThroughRate,
        KpiId::ConversionRate,
        KpiId::CostPerResult,
    ];

    /// The stable snake_case name (the serde form).
    ///
    /// ```
    /// assert_eq!(socialkit::strategy::kpi::KpiId::ResponseRate.as_str(), "response_rate");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            KpiId::EngagementRateByReach => "engagement_rate_by_reach",
            KpiId::EngagementRateByImpressions => "engagement_rate_by_impressions",
            KpiId::EngagementRateByFollowers => "engagement_rate_by_followers",
            KpiId::Reach => "reach",
            KpiId::Impressions => "impressions",
            KpiId::FollowerGrowthRate => "follower_growth_rate",
            KpiId::AmplificationRate => "amplification_rate",
            KpiId::ResponseRate => "response_rate",
            KpiId::FirstResponseTime => "first_response_time",
            KpiId::ShareOfVoice => "share_of_voice",
            KpiId::NetSentiment => "net_sentiment",
            KpiId::ClickThroughRate => "click_through_rate",
            KpiId::ConversionRate => "conversion_rate",
            KpiId::CostPerResult => "cost_per_result",
        }
    }

    /// The KPI's value over a period, or `None` when an input is unknown or a denominator is
    /// zero. Rates are fractions (0.03 = 3 %).
    ///
    /// ```
    /// use socialkit::strategy::kpi::{KpiId, MetricInputs};
    /// let m = MetricInputs { followers_start: Some(1000), followers: Some(1050), ..Default::default() };
    /// assert_eq!(KpiId::FollowerGrowthRate.compute(&m), Some(0.05));
    /// assert_eq!(KpiId::FollowerGrowthRate.compute(&MetricInputs::default()), None);
    /// ```
    pub fn compute(self, m: &MetricInputs) -> Option<f64> {
        match self {
            KpiId::EngagementRateByReach => ratio(f(m.engagements), f(m.reach)),
            KpiId::EngagementRateByImpressions => ratio(f(m.engagements), f(m.impressions)),
            KpiId::EngagementRateByFollowers => {
                ratio(ratio(f(m.engagements), f(m.posts)), f(m.followers))
            }
            KpiId::Reach => f(m.reach),
            KpiId::Impressions => f(m.impressions),
            KpiId::FollowerGrowthRate => {
                let (end, start) = (f(m.followers)?, f(m.followers_start)?);
                ratio(Some(end - start), Some(start))
            }
            KpiId::AmplificationRate => ratio(ratio(f(m.reposts), f(m.posts)), f(m.followers)),
            KpiId::ResponseRate => ratio(f(m.messages_answered), f(m.messages_received)),
            KpiId::FirstResponseTime => {
                ratio(m.first_response_seconds_total, f(m.messages_answered))
            }
            KpiId::ShareOfVoice => {
                let brand = f(m.brand_mentions)?;
                ratio(Some(brand), Some(brand + f(m.competitor_mentions)?))
            }
            KpiId::NetSentiment => {
                let (pos, neg) = (f(m.positive_mentions)?, f(m.negative_mentions)?);
                ratio(Some(pos - neg), Some(pos + neg))
            }
            KpiId::ClickThroughRate => ratio(f(m.clicks), f(m.impressions)),
            KpiId::ConversionRate => ratio(f(m.conversions), f(m.clicks)),
            KpiId::CostPerResult => ratio(m.cost, f(m.results)),
        }
    }

    /// The KPI as data: name, exact formula, denominator, unit, direction, inputs, bounds and
    /// sources.
    ///
    /// ```
    /// use socialkit::strategy::kpi::{KpiId, Unit};
    /// let d = KpiId::ShareOfVoice.definition();
    /// assert_eq!(d.unit, Unit::Ratio);
    /// assert_eq!(d.bounds, (Some(0.0), Some(1.0)));
    /// assert_eq!(d.sources, ["mutualmind-sov"]);
    /// ```
    pub fn definition(self) -> KpiDef {
        use Direction::*;
        use Unit::*;
        let (name, formula, denominator, unit, direction, inputs, bounds, sources): Row = match self
        {
            KpiId::EngagementRateByReach => (
                "Engagement rate by reach",
                "engagements / reach",
                "reach (sum of per-post reach)",
                Ratio,
                HigherIsBetter,
                &["engagements", "reach"],
                (Some(0.0), None),
                &["hootsuite-er-formulas"],
            ),
            KpiId::EngagementRateByImpressions => (
                "Engagement rate by impressions",
                "engagements / impressions",
                "impressions",
                Ratio,
                HigherIsBetter,
                &["engagements", "impressions"],
                (Some(0.0), None),
                &["hootsuite-er-formulas", "buffer-2025"],
            ),
            KpiId::EngagementRateByFollowers => (
                "Engagement rate by followers",
                "(engagements / posts) / followers",
                "followers",
                Ratio,
                HigherIsBetter,
                &["engagements", "posts", "followers"],
                (Some(0.0), None),
                &["rivaliq-er-definition", "hootsuite-er-formulas"],
            ),
            KpiId::Reach => (
                "Reach",
                "sum over posts of reach",
                "",
                Count,
                HigherIsBetter,
                &["reach"],
                (Some(0.0), None),
                &["organicindia-kpis"],
            ),
            KpiId::Impressions => (
                "Impressions",
                "sum over posts of impressions",
                "",
                Count,
                HigherIsBetter,
                &["impressions"],
                (Some(0.0), None),
                &["organicindia-kpis"],
            ),
            KpiId::FollowerGrowthRate => (
                "Follower growth rate",
                "(followers - followers_start) / followers_start",
                "followers at the start of the period",
                Ratio,
                HigherIsBetter,
                &["followers", "followers_start"],
                (Some(-1.0), None),
                &[],
            ),
            KpiId::AmplificationRate => (
                "Amplification rate",
                "(reposts / posts) / followers",
                "followers",
                Ratio,
                HigherIsBetter,
                &["reposts", "posts", "followers"],
                (Some(0.0), None),
                &[],
            ),
            KpiId::ResponseRate => (
                "Response rate",
                "messages_answered / messages_received",
                "inbound messages that needed an answer",
                Ratio,
                HigherIsBetter,
                &["messages_answered", "messages_received"],
                (Some(0.0), Some(1.0)),
                &["sprout-team-report"],
            ),
            KpiId::FirstResponseTime => (
                "First-response time",
                "first_response_seconds_total / messages_answered",
                "answered messages",
                Seconds,
                LowerIsBetter,
                &["first_response_seconds_total", "messages_answered"],
                (Some(0.0), None),
                &["zendesk-frt", "sprout-team-report"],
            ),
            KpiId::ShareOfVoice => (
                "Share of voice",
                "brand_mentions / (brand_mentions + competitor_mentions)",
                "brand and competitor mentions",
                Ratio,
                HigherIsBetter,
                &["brand_mentions", "competitor_mentions"],
                (Some(0.0), Some(1.0)),
                &["mutualmind-sov"],
            ),
            KpiId::NetSentiment => (
                "Net sentiment",
                "(positive_mentions - negative_mentions) / (positive_mentions + negative_mentions)",
                "positive and negative mentions (neutral ones excluded)",
                Ratio,
                HigherIsBetter,
                &["positive_mentions", "negative_mentions"],
                (Some(-1.0), Some(1.0)),
                &[],
            ),
            KpiId::ClickThroughRate => (
                "Click-through rate",
                "clicks / impressions",
                "impressions",
                Ratio,
                HigherIsBetter,
                &["clicks", "impressions"],
                (Some(0.0), Some(1.0)),
                &["organicindia-kpis"],
            ),
            KpiId::ConversionRate => (
                "Conversion rate",
                "conversions / clicks",
                "link clicks",
                Ratio,
                HigherIsBetter,
                &["conversions", "clicks"],
                (Some(0.0), None),
                &["organicindia-kpis"],
            ),
            KpiId::CostPerResult => (
                "Cost per result",
                "cost / results",
                "paid results",
                Money,
                LowerIsBetter,
                &["cost", "results"],
                (Some(0.0), None),
                &[],
            ),
        };
        KpiDef {
            id: self,
            name: name.to_string(),
            formula: formula.to_string(),
            denominator: denominator.to_string(),
            unit,
            direction,
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            bounds,
            sources: sources.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The post metrics a platform must report for the KPI to be measurable from posts;
    /// empty for KPIs that come from outside post metrics (the inbox, listening, the ads
    /// account, follower counts).
    ///
    /// ```
    /// use socialkit::model::Metric;
    /// use socialkit::strategy::kpi::KpiId;
    /// assert_eq!(KpiId::ClickThroughRate.post_metrics(), &[Metric::Clicks, Metric::Impressions]);
    /// assert!(KpiId::ShareOfVoice.post_metrics().is_empty());
    /// ```
    pub fn post_metrics(self) -> &'static [crate::model::Metric] {
        use crate::model::Metric;
        match self {
            KpiId::EngagementRateByReach => &[Metric::Reach],
            KpiId::EngagementRateByImpressions => &[Metric::Impressions],
            KpiId::Reach => &[Metric::Reach],
            KpiId::Impressions => &[Metric::Impressions],
            KpiId::AmplificationRate => &[Metric::Reposts],
            KpiId::ClickThroughRate => &[Metric::Clicks, Metric::Impressions],
            KpiId::ConversionRate => &[Metric::Clicks],
            _ => &[],
        }
    }
}

/// The whole catalogue, in [`KpiId::ALL`] order.
///
/// ```
/// let all = socialkit::strategy::kpi::catalogue();
/// assert!(all.iter().all(|k| !k.formula.is_empty()));
/// ```
pub fn catalogue() -> Vec<KpiDef> {
    KpiId::ALL.iter().map(|k| k.definition()).collect()
}

/// The KPIs that measure a goal kind, the first being the primary one. The mapping follows the
/// goal → RACE stage → KPI table of `strategy-notes.md` §1.1, which the notes mark as their own
/// derivation from POST, RACE and the KPI definitions (no published authoritative mapping).
///
/// ```
/// use socialkit::strategy::goals::GoalKind;
/// use socialkit::strategy::kpi::{kpis_for, KpiId};
/// assert_eq!(kpis_for(GoalKind::CustomerService)[0], KpiId::ResponseRate);
/// assert!(kpis_for(GoalKind::Awareness).contains(&KpiId::ShareOfVoice));
/// ```
pub fn kpis_for(kind: GoalKind) -> &'static [KpiId] {
    match kind {
        GoalKind::Awareness => &[
            KpiId::Reach,
            KpiId::Impressions,
            KpiId::FollowerGrowthRate,
            KpiId::ShareOfVoice,
        ],
        GoalKind::Engagement => &[
            KpiId::EngagementRateByReach,
            KpiId::EngagementRateByImpressions,
            KpiId::EngagementRateByFollowers,
            KpiId::AmplificationRate,
        ],
        GoalKind::CustomerService => &[KpiId::ResponseRate, KpiId::FirstResponseTime],
        GoalKind::Retention => &[
            KpiId::EngagementRateByFollowers,
            KpiId::NetSentiment,
            KpiId::AmplificationRate,
        ],
        GoalKind::LeadGeneration => &[
            KpiId::ClickThroughRate,
            KpiId::ConversionRate,
            KpiId::CostPerResult,
        ],
        GoalKind::Campaign => &[
            KpiId::Reach,
            KpiId::ClickThroughRate,
            KpiId::CostPerResult,
            KpiId::ConversionRate,
        ],
        GoalKind::Reputation => &[KpiId::NetSentiment, KpiId::ShareOfVoice],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_inputs_give_none_never_zero() {
        let empty = MetricInputs::default();
        for k in KpiId::ALL {
            assert_eq!(k.compute(&empty), None, "{k:?}");
        }
    }

    #[test]
    fn zero_denominators_give_none() {
        let m = MetricInputs {
            engagements: Some(5),
            reach: Some(0),
            impressions: Some(0),
            posts: Some(0),
            followers: Some(0),
            ..Default::default()
        };
        assert_eq!(KpiId::EngagementRateByReach.compute(&m), None);
        assert_eq!(KpiId::EngagementRateByImpressions.compute(&m), None);
        assert_eq!(KpiId::EngagementRateByFollowers.compute(&m), None);
    }

    #[test]
    fn every_formula_matches_its_compute() {
        let m = MetricInputs {
            posts: Some(4),
            engagements: Some(200),
            reach: Some(5000),
            impressions: Some(8000),
            reposts: Some(20),
            clicks: Some(80),
            followers_start: Some(1000),
            followers: Some(1100),
            messages_received: Some(50),
            messages_answered: Some(40),
            first_response_seconds_total: Some(40.0 * 1800.0),
            brand_mentions: Some(25),
            competitor_mentions: Some(75),
            positive_mentions: Some(30),
            negative_mentions: Some(10),
            conversions: Some(8),
            cost: Some(400.0),
            results: Some(8),
        };
        let want = [
            (KpiId::EngagementRateByReach, 0.04),
            (KpiId::EngagementRateByImpressions, 0.025),
            (KpiId::EngagementRateByFollowers, 50.0 / 1100.0),
            (KpiId::Reach, 5000.0),
            (KpiId::Impressions, 8000.0),
            (KpiId::FollowerGrowthRate, 0.1),
            (KpiId::AmplificationRate, 5.0 / 1100.0),
            (KpiId::ResponseRate, 0.8),
            (KpiId::FirstResponseTime, 1800.0),
            (KpiId::ShareOfVoice, 0.25),
            (KpiId::NetSentiment, 0.5),
            (KpiId::ClickThroughRate, 0.01),
            (KpiId::ConversionRate, 0.1),
            (KpiId::CostPerResult, 50.0),
        ];
        for (k, v) in want {
            let got = k.compute(&m).unwrap();
            assert!((got - v).abs() < 1e-12, "{k:?}: {got} != {v}");
        }
    }

    #[test]
    fn partial_reports_stay_unknown() {
        let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let mut a = PostMetrics::new(crate::model::PostRef::new("x", "1"), at);
        a.reach = Some(10);
        let b = PostMetrics::new(crate::model::PostRef::new("x", "2"), at);
        let m = MetricInputs::from_posts(&[a, b], None);
        assert_eq!(m.reach, None);
        assert_eq!(MetricInputs::from_posts(&[], None).reach, None);
    }
}
