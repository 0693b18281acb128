//! What a plan is made from: the organisation and its audience, the goals, the team's
//! capacity, the budget, the campaign window and the connected channels with their history.
//! Plain serde data, loaded from TOML or JSON and checked by [`Inputs::validate`] against an
//! explicit "now" (from a [`Clock`](crate::clock::Clock) or a parameter, never hidden).
//!
//! Dates are written as strings (`deadline = "2026-09-30"`), instants as RFC 3339 strings.
//!
//! ```
//! use socialkit::strategy::Inputs;
//! let inputs = Inputs::from_toml_str(r#"
//!     [organisation]
//!     name = "ACME"
//!     industry = "retail"
//!     size = "small"
//!
//!     [[audience.segments]]
//!     name = "DACH"
//!     region = "DE"
//!     time_zone = "Europe/Berlin"
//!     languages = ["de"]
//!
//!     [[goals]]
//!     id = "engagement"
//!     kind = "engagement"
//!     kpi = "engagement_rate_by_reach"
//!     baseline = 0.02
//!     target = 0.03
//!     deadline = "2026-12-31"
//!
//!     [capacity]
//!     posts_per_week = 10
//!
//!     [campaign]
//!     name = "spring"
//!     start = "2026-03-02"
//!     end = "2026-05-31"
//!
//!     [[channels]]
//!     id = "acme-ig"
//!     platform = "instagram"
//! "#).unwrap();
//! let now = "2026-03-01T00:00:00Z".parse().unwrap();
//! inputs.validate(now).unwrap();
//! assert_eq!(inputs.primary_zone(), chrono_tz::Europe::Berlin);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::facts::PlatformFacts;
use super::goals::Goal;
use super::localtime::start_of_day;
use super::mix::MixRule;
use super::select::SelectionWeights;
use crate::model::{Channel, PlatformId, PostMetrics};
use crate::platform::Capabilities;
use crate::{Error, Result};

/// Everything a plan is made from.
///
/// ```
/// let json = serde_json::to_string(&socialkit::strategy::Inputs::example()).unwrap();
/// let back = socialkit::strategy::Inputs::from_json_str(&json).unwrap();
/// assert_eq!(back, socialkit::strategy::Inputs::example());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    /// Who plans.
    pub organisation: Organisation,
    /// Who they speak to.
    pub audience: Audience,
    /// What they want, each goal SMART.
    pub goals: Vec<Goal>,
    /// What the team can produce.
    pub capacity: Capacity,
    /// Time and money.
    #[serde(default)]
    pub budget: Budget,
    /// The campaign window and blackout dates.
    pub campaign: Campaign,
    /// The connected channels and their history.
    #[serde(default)]
    pub channels: Vec<ChannelInput>,
    /// Rules and weights the user may override.
    #[serde(default)]
    pub settings: Settings,
}

/// The organisation.
///
/// ```
/// use socialkit::strategy::inputs::{Organisation, OrgSize};
/// let o: Organisation = toml::from_str("name = \"ACME\"\nindustry = \"retail\"\nsize = \"medium\"").unwrap();
/// assert_eq!(o.size, OrgSize::Medium);
/// assert!(!o.b2b);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Its name.
    pub name: String,
    /// Its industry, in words (`"retail"`, `"higher education"`).
    pub industry: String,
    /// Its size.
    pub size: OrgSize,
    /// Whether it sells to businesses (favours LinkedIn where the audience's presence on the
    /// platforms is not given).
    #[serde(default)]
    pub b2b: bool,
}

/// Organisation size.
///
/// ```
/// assert_eq!(serde_json::to_string(&socialkit::strategy::inputs::OrgSize::Solo).unwrap(), "\"solo\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgSize {
    /// One person.
    Solo,
    /// Up to 50 people.
    Small,
    /// Up to 250 people.
    Medium,
    /// Up to 1000 people.
    Large,
    /// More.
    Enterprise,
}

/// The audience: segments by region with their time zones and languages, and optionally where
/// they are present.
///
/// ```
/// use socialkit::strategy::inputs::Audience;
/// let a: Audience = toml::from_str(r#"
///     platform_presence = { linkedin = 0.6, instagram = 0.3 }
///     [[segments]]
///     name = "US East"
///     region = "US"
///     time_zone = "America/New_York"
///     languages = ["en"]
///     share = 2.0
/// "#).unwrap();
/// assert_eq!(a.segments[0].time_zone, chrono_tz::America::New_York);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    /// Audience segments; at least one, unless the campaign names its time zone.
    #[serde(default)]
    pub segments: Vec<AudienceSegment>,
    /// Share of the audience active on each platform (0–1, from the organisation's own
    /// research), by platform name. Platforms not listed count as unknown.
    #[serde(default)]
    pub platform_presence: BTreeMap<String, f64>,
}

/// One audience segment.
///
/// ```
/// use socialkit::strategy::inputs::AudienceSegment;
/// let s = AudienceSegment::new("DACH", "DE", chrono_tz::Europe::Berlin, &["de", "en"]);
/// assert_eq!(s.share, 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceSegment {
    /// A name.
    pub name: String,
    /// The region (ISO 3166 code or a name).
    pub region: String,
    /// Its IANA time zone.
    pub time_zone: Tz,
    /// Its languages (BCP 47), preferred first.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Its relative size (weights are normalized over the segments; default 1).
    #[serde(default = "one")]
    pub share: f64,
}

impl AudienceSegment {
    /// A segment of weight 1.
    pub fn new(name: &str, region: &str, time_zone: Tz, languages: &[&str]) -> Self {
        AudienceSegment {
            name: name.into(),
            region: region.into(),
            time_zone,
            languages: languages.iter().map(|s| s.to_string()).collect(),
            share: 1.0,
        }
    }
}

fn one() -> f64 {
    1.0
}

/// What the team can produce and review.
///
/// The effective weekly capacity is the smallest of `posts_per_week`, the posts the review
/// hours allow (`review_hours_per_week × 60 ÷ review_minutes_per_post`) and the posts the
/// organic hours allow (`organic_hours_per_week × 60 ÷ minutes_per_post`, see [`Budget`]).
///
/// ```
/// use socialkit::strategy::inputs::{Budget, Capacity};
/// let c = Capacity { posts_per_week: 20, review_minutes_per_post: Some(15), review_hours_per_week: Some(2.0), lead_time_hours: 24 };
/// assert_eq!(c.effective_posts_per_week(&Budget::default()).0, 8);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    /// Posts per week the team can make.
    pub posts_per_week: u32,
    /// Minutes of review each post needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_minutes_per_post: Option<u32>,
    /// Hours per week available for review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_hours_per_week: Option<f64>,
    /// Hours between planning and the first slot (drafting and review): no slot is earlier
    /// than now plus this.
    #[serde(default)]
    pub lead_time_hours: u32,
}

impl Capacity {
    /// The effective posts per week and the reason (which limit binds).
    ///
    /// ```
    /// use socialkit::strategy::inputs::{Budget, Capacity};
    /// let c = Capacity { posts_per_week: 5, review_minutes_per_post: None, review_hours_per_week: None, lead_time_hours: 0 };
    /// let (n, why) = c.effective_posts_per_week(&Budget::default());
    /// assert_eq!(n, 5);
    /// assert!(why.contains("5 posts/week"));
    /// ```
    pub fn effective_posts_per_week(&self, budget: &Budget) -> (u32, String) {
        let mut n = self.posts_per_week;
        let mut why = format!("the team makes {} posts/week", self.posts_per_week);
        if let (Some(min), Some(hours)) = (self.review_minutes_per_post, self.review_hours_per_week)
        {
            if min > 0 {
                let r = (hours.max(0.0) * 60.0 / f64::from(min)).floor() as u32;
                if r < n {
                    n = r;
                    why = format!(
                        "review binds: {hours} h/week at {min} min/post allow {r} posts/week"
                    );
                }
            }
        }
        if let (Some(min), Some(hours)) = (budget.minutes_per_post, budget.organic_hours_per_week) {
            if min > 0 {
                let r = (hours.max(0.0) * 60.0 / f64::from(min)).floor() as u32;
                if r < n {
                    n = r;
                    why = format!(
                        "organic hours bind: {hours} h/week at {min} min/post allow {r} posts/week"
                    );
                }
            }
        }
        (n, why)
    }
}

/// Time and money.
///
/// ```
/// use socialkit::strategy::inputs::Budget;
/// let b: Budget = toml::from_str("organic_hours_per_week = 10\npaid = { amount = 5000, currency = \"EUR\" }").unwrap();
/// assert_eq!(b.paid.unwrap().minor_units(), 500_000);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Organic (unpaid) working hours per week for social media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organic_hours_per_week: Option<f64>,
    /// Minutes to produce one post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes_per_post: Option<u32>,
    /// Paid money for the whole campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<Money>,
}

/// An amount of money in a currency.
///
/// ```
/// let m = socialkit::strategy::inputs::Money { amount: 12.345, currency: "USD".into() };
/// assert_eq!(m.minor_units(), 1235);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Money {
    /// The amount in the currency's major unit (euros, dollars).
    pub amount: f64,
    /// ISO 4217 code (`"EUR"`).
    pub currency: String,
}

impl Money {
    /// The amount in minor units (cents), rounded half away from zero.
    pub fn minor_units(&self) -> u64 {
        if self.amount.is_finite() && self.amount > 0.0 {
            (self.amount * 100.0).round() as u64
        } else {
            0
        }
    }
}

/// The campaign window: from `start` to `end` (both inclusive local dates in `time_zone`),
/// with blackout dates on which nothing is scheduled (read in each channel's zone).
///
/// ```
/// use socialkit::strategy::inputs::Campaign;
/// let c: Campaign = toml::from_str(r#"
///     name = "q2"
///     start = "2026-04-01"
///     end = "2026-06-30"
///     time_zone = "America/New_York"
///     blackout_dates = ["2026-07-04"]
/// "#).unwrap();
/// assert_eq!(c.window(chrono_tz::UTC).0.to_rfc3339(), "2026-04-01T04:00:00+00:00");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    /// A name (it becomes the posts' campaign id).
    pub name: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// The zone the dates and weeks are read in; the largest audience segment's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<Tz>,
    /// Days with no posts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blackout_dates: Vec<NaiveDate>,
}

impl Campaign {
    /// The window as UTC instants `[start 00:00, end + 1 day 00:00)` in the campaign's zone
    /// (or `fallback` when it names none).
    pub fn window(&self, fallback: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let zone = self.time_zone.unwrap_or(fallback);
        let end = self.end.succ_opt().unwrap_or(self.end);
        (start_of_day(zone, self.start), start_of_day(zone, end))
    }
}

/// A connected channel with its history.
///
/// ```
/// use socialkit::model::Channel;
/// use socialkit::strategy::inputs::ChannelInput;
/// let mut ch = Channel::new("sandbox", "acme-ig", "acme");
/// ch.metrics.followers = Some(1200);
/// let input = ChannelInput::from_channel(&ch).planned_as("instagram");
/// assert_eq!(input.planning_platform(), "instagram");
/// assert_eq!(input.followers, Some(1200));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelInput {
    /// The channel's id in socialkit (a channel URL or a store id); unique among the channels.
    pub id: String,
    /// The platform (stored as its name, `"instagram"`, `"sandbox"` …).
    pub platform: PlatformId,
    /// The handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Plan this channel with the facts of another platform (a sandbox channel that stands in
    /// for Instagram says `"instagram"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts_as: Option<PlatformId>,
    /// The zone its audience reads it in; the campaign's zone when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<Tz>,
    /// The language it posts in; the audience's first language when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Followers today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    /// Minimum minutes between two posts of this channel; the platform's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_spacing_minutes: Option<u32>,
    /// What the channel's adapter can do, when known: its metrics and interactions replace
    /// the platform facts' for measurability and customer service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
    /// Published posts with their metrics, oldest or newest first (order does not matter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryPost>,
}

impl ChannelInput {
    /// A channel input from a connected [`Channel`] (its id, platform, handle, followers).
    pub fn from_channel(channel: &Channel) -> Self {
        ChannelInput {
            id: channel.id.clone(),
            platform: channel.platform.clone(),
            handle: Some(channel.handle.clone()),
            facts_as: None,
            time_zone: None,
            language: None,
            followers: channel.metrics.followers,
            min_spacing_minutes: None,
            capabilities: None,
            history: Vec::new(),
        }
    }

    /// Sets [`facts_as`](Self::facts_as).
    pub fn planned_as(mut self, platform: impl Into<PlatformId>) -> Self {
        self.facts_as = Some(platform.into());
        self
    }

    /// The platform whose facts plan this channel: `facts_as`, else `platform`.
    pub fn planning_platform(&self) -> &PlatformId {
        self.facts_as.as_ref().unwrap_or(&self.platform)
    }
}

/// A published post of a channel: when it went out and its metrics.
///
/// ```
/// use socialkit::model::{PostMetrics, PostRef};
/// use socialkit::strategy::inputs::HistoryPost;
/// let at = "2026-01-05T18:00:00Z".parse().unwrap();
/// let p = HistoryPost { published_at: at, metrics: PostMetrics::new(PostRef::new("x", "1"), at) };
/// assert_eq!(p.published_at, at);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPost {
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// Its metrics.
    pub metrics: PostMetrics,
}

/// Rules and weights a user may override.
///
/// ```
/// use socialkit::strategy::Settings;
/// let s = Settings::default();
/// assert_eq!(s.shrinkage_k, 4.0);
/// assert_eq!(s.min_selection_score, 0.35);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The content-mix rule.
    #[serde(default)]
    pub mix: MixRule,
    /// How much each factor weighs in platform selection.
    #[serde(default)]
    pub weights: SelectionWeights,
    /// A connected platform scoring below this is not used.
    #[serde(default = "default_min_score")]
    pub min_selection_score: f64,
    /// Shrinkage strength k of the best-time estimate: a bin with n posts weighs its own data
    /// n/(n+k) and the prior k/(n+k) (see [`besttimes`](super::besttimes)).
    #[serde(default = "default_k")]
    pub shrinkage_k: f64,
    /// Replacement facts, by platform name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, PlatformFacts>,
    /// How many best hours per channel the plan lists.
    #[serde(default = "default_top")]
    pub best_times_top: usize,
}

fn default_min_score() -> f64 {
    0.35
}
fn default_k() -> f64 {
    4.0
}
fn default_top() -> usize {
    5
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mix: MixRule::default(),
            weights: SelectionWeights::default(),
            min_selection_score: default_min_score(),
            shrinkage_k: default_k(),
            facts: BTreeMap::new(),
            best_times_top: default_top(),
        }
    }
}

impl Inputs {
    /// Reads inputs from TOML. Syntax and type errors are
    /// [`ConfigInvalid`](crate::ErrorKind::ConfigInvalid) errors that say where.
    ///
    /// ```
    /// let err = socialkit::strategy::Inputs::from_toml_str("goals = 3").unwrap_err();
    /// assert_eq!(err.kind(), socialkit::ErrorKind::ConfigInvalid);
    /// ```
    pub fn from_toml_str(s: &str) -> Result<Self> {
        toml::from_str(s)
            .map_err(|e| Error::config(format!("cannot read the campaign TOML: {}", e.message())))
    }

    /// Reads inputs from JSON.
    ///
    /// ```
    /// assert!(socialkit::strategy::Inputs::from_json_str("{}").is_err());
    /// ```
    pub fn from_json_str(s: &str) -> Result<Self> {
        serde_json::from_str(s)
            .map_err(|e| Error::config(format!("cannot read the campaign JSON: {e}")))
    }

    /// Reads a `.toml` or `.json` file (by its extension; anything else is read as TOML).
    ///
    /// ```
    /// assert!(socialkit::strategy::Inputs::from_path("/no/such/file.toml").is_err());
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config(format!("cannot read {}", path.display())).with_source(e))?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::from_json_str(&text)
        } else {
            Self::from_toml_str(&text)
        }
    }

    /// The zone the campaign is planned in: the campaign's own, else the largest audience
    /// segment's (the first on a tie), else UTC.
    pub fn primary_zone(&self) -> Tz {
        if let Some(z) = self.campaign.time_zone {
            return z;
        }
        let mut best: Option<&AudienceSegment> = None;
        for s in &self.audience.segments {
            if best.is_none_or(|b| s.share > b.share) {
                best = Some(s);
            }
        }
        best.map_or(chrono_tz::UTC, |s| s.time_zone)
    }

    /// The language posts use when a channel names none: the largest segment's first.
    pub fn primary_language(&self) -> Option<String> {
        let mut best: Option<&AudienceSegment> = None;
        for s in &self.audience.segments {
            if best.is_none_or(|b| s.share > b.share) {
                best = Some(s);
            }
        }
        best.and_then(|s| s.languages.first().cloned())
    }

    /// Checks the inputs at `now`: at least one goal, every goal SMART (see
    /// [`Goal::validate`]), unique goal and channel ids, a campaign window that ends after now
    /// and has `start <= end`, a positive capacity, valid shares, presence values and money.
    /// Every failure is a [`Validation`](crate::ErrorKind::Validation) error that says what to
    /// fix.
    ///
    /// ```
    /// let mut inputs = socialkit::strategy::Inputs::example();
    /// let now = "2026-03-01T00:00:00Z".parse().unwrap();
    /// assert!(inputs.validate(now).is_ok());
    /// inputs.capacity.posts_per_week = 0;
    /// assert!(inputs.validate(now).unwrap_err().to_string().contains("capacity"));
    /// ```
    pub fn validate(&self, now: DateTime<Utc>) -> Result<()> {
        let zone = self.primary_zone();
        if self.goals.is_empty() {
            return Err(Error::validation(
                "no goals: every plan serves at least one SMART goal",
            ));
        }
        let mut ids = BTreeSet::new();
        for g in &self.goals {
            g.validate(now, zone)?;
            if !ids.insert(g.id.as_str()) {
                return Err(Error::validation(format!(
                    "two goals have the id \"{}\"",
                    g.id
                )));
            }
            if g.deadline < self.campaign.start {
                return Err(Error::validation(format!(
                    "goal \"{}\": the deadline {} is before the campaign starts ({})",
                    g.id, g.deadline, self.campaign.start
                )));
            }
        }
        if self.campaign.end < self.campaign.start {
            return Err(Error::validation(format!(
                "the campaign ends ({}) before it starts ({})",
                self.campaign.end, self.campaign.start
            )));
        }
        let (_, end) = self.campaign.window(zone);
        if end <= now {
            return Err(Error::validation(format!(
                "the campaign ended on {}, before now ({})",
                self.campaign.end,
                now.to_rfc3339()
            )));
        }
        if self.capacity.posts_per_week == 0 {
            return Err(Error::validation(
                "capacity: posts_per_week is 0, so nothing can be planned",
            ));
        }
        if let Some(h) = self.capacity.review_hours_per_week {
            if !h.is_finite() || h < 0.0 {
                return Err(Error::validation(format!(
                    "capacity: review_hours_per_week must be a non-negative number, got {h}"
                )));
            }
        }
        if self.audience.segments.is_empty() && self.campaign.time_zone.is_none() {
            return Err(Error::validation(
                "the audience has no segment and the campaign no time_zone: slots need a time zone",
            ));
        }
        for s in &self.audience.segments {
            if !(s.share.is_finite() && s.share > 0.0) {
                return Err(Error::validation(format!(
                    "audience segment \"{}\": share must be a positive number, got {}",
                    s.name, s.share
                )));
            }
        }
        for (p, v) in &self.audience.platform_presence {
            if !(v.is_finite() && (0.0..=1.0).contains(v)) {
                return Err(Error::validation(format!(
                    "audience presence on {p} must be between 0 and 1, got {v}"
                )));
            }
        }
        let mut channel_ids = BTreeSet::new();
        for c in &self.channels {
            if c.id.trim().is_empty() {
                return Err(Error::validation("a channel needs a non-empty id"));
            }
            if !channel_ids.insert(c.id.as_str()) {
                return Err(Error::validation(format!(
                    "two channels have the id \"{}\"",
                    c.id
                )));
            }
        }
        if let Some(h) = self.budget.organic_hours_per_week {
            if !h.is_finite() || h < 0.0 {
                return Err(Error::validation(format!(
                    "budget: organic_hours_per_week must be a non-negative number, got {h}"
                )));
            }
        }
        if let Some(m) = &self.budget.paid {
            if !m.amount.is_finite() || m.amount < 0.0 {
                return Err(Error::validation(format!(
                    "budget: the paid amount must be a non-negative number, got {}",
                    m.amount
                )));
            }
            if m.currency.len() != 3 || !m.currency.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(Error::validation(format!(
                    "budget: currency must be an ISO 4217 code such as EUR, got \"{}\"",
                    m.currency
                )));
            }
        }
        let s = &self.settings;
        if !(s.shrinkage_k.is_finite() && s.shrinkage_k > 0.0) {
            return Err(Error::validation(format!(
                "settings: shrinkage_k must be a positive number, got {}",
                s.shrinkage_k
            )));
        }
        if !s.min_selection_score.is_finite() {
            return Err(Error::validation(
                "settings: min_selection_score must be finite",
            ));
        }
        s.weights.validate()?;
        s.mix.pillars()?;
        Ok(())
    }

    /// A small, valid example: ACME, a DACH audience, two goals, three channels (Instagram,
    /// LinkedIn, X) without history, March to May 2026.
    ///
    /// ```
    /// let i = socialkit::strategy::Inputs::example();
    /// assert_eq!(i.channels.len(), 3);
    /// ```
    pub fn example() -> Self {
        use super::goals::GoalKind;
        use super::kpi::KpiId;
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let channel = |id: &str, platform: &str, followers| ChannelInput {
            id: id.into(),
            platform: platform.into(),
            handle: Some("acme".into()),
            facts_as: None,
            time_zone: None,
            language: None,
            followers: Some(followers),
            min_spacing_minutes: None,
            capabilities: None,
            history: Vec::new(),
        };
        Inputs {
            organisation: Organisation {
                name: "ACME".into(),
                industry: "retail".into(),
                size: OrgSize::Small,
                b2b: false,
            },
            audience: Audience {
                segments: vec![AudienceSegment::new(
                    "DACH",
                    "DE",
                    chrono_tz::Europe::Berlin,
                    &["de"],
                )],
                platform_presence: BTreeMap::new(),
            },
            goals: vec![
                Goal::new(
                    "engagement",
                    GoalKind::Engagement,
                    KpiId::EngagementRateByReach,
                    0.02,
                    0.03,
                    date(2026, 5, 31),
                ),
                Goal::new(
                    "awareness",
                    GoalKind::Awareness,
                    KpiId::Reach,
                    20_000.0,
                    50_000.0,
                    date(2026, 5, 31),
                ),
            ],
            capacity: Capacity {
                posts_per_week: 10,
                review_minutes_per_post: None,
                review_hours_per_week: None,
                lead_time_hours: 0,
            },
            budget: Budget {
                organic_hours_per_week: Some(8.0),
                minutes_per_post: None,
                paid: Some(Money {
                    amount: 3000.0,
                    currency: "EUR".into(),
                }),
            },
            campaign: Campaign {
                name: "spring".into(),
                start: date(2026, 3, 2),
                end: date(2026, 5, 31),
                time_zone: None,
                blackout_dates: vec![date(2026, 4, 3)],
            },
            channels: vec![
                channel("acme-ig", "instagram", 4000),
                channel("acme-li", "linkedin", 900),
                channel("acme-x", "x", 2500),
            ],
            settings: Settings::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-03-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn past_deadline_is_rejected_with_the_goal_named() {
        let mut i = Inputs::example();
        i.goals[0].deadline = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let e = i.validate(now()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation);
        assert!(e.to_string().contains("goal \"engagement\""), "{e}");
        assert!(e.to_string().contains("in the past"), "{e}");
    }

    #[test]
    fn unmeasurable_goal_is_rejected() {
        let mut i = Inputs::example();
        i.goals[1].target = f64::NAN;
        assert!(
            i.validate(now())
                .unwrap_err()
                .to_string()
                .contains("not measurable")
        );
        let mut i = Inputs::example();
        i.goals[1].target = 10_000.0; // below the baseline for a higher-is-better KPI
        assert!(
            i.validate(now())
                .unwrap_err()
                .to_string()
                .contains("must be above the baseline")
        );
    }

    #[test]
    fn duplicate_ids_and_bad_money_are_rejected() {
        let mut i = Inputs::example();
        i.channels[1].id = i.channels[0].id.clone();
        assert!(i.validate(now()).is_err());
        let mut i = Inputs::example();
        i.budget.paid = Some(Money {
            amount: 10.0,
            currency: "euro".into(),
        });
        assert!(
            i.validate(now())
                .unwrap_err()
                .to_string()
                .contains("ISO 4217")
        );
    }

    #[test]
    fn toml_and_json_round_trip() {
        let i = Inputs::example();
        let t = toml::to_string(&i).unwrap();
        assert_eq!(Inputs::from_toml_str(&t).unwrap(), i);
        let j = serde_json::to_string(&i).unwrap();
        assert_eq!(Inputs::from_json_str(&j).unwrap(), i);
    }
}
