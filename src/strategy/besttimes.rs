//! Best times to post, learned from the channel's own history per hour of the week and shrunk
//! toward a platform prior where the history is thin.
//!
//! This follows what the vendors publish: Sprout Social's Optimal Send Times aggregates 16
//! weeks of a profile's engagement per slot and falls back to network + time-zone aggregates
//! when data is thin (`sprout-ost`); Buffer groups per-post engagement rates by local hour and
//! day (`buffer-best-time-method`). Timing gains are real but modest: up to +17 % reactions on
//! Facebook and +4 % on Twitter (Spasojevic et al. 2015, `spasojevic-2015`).
//!
//! ## The estimate
//!
//! 1. **Outcome per post.** Engagements per post (likes, reposts, replies, quotes, clicks,
//!    saves), else reach, else impressions when a platform reports no engagements. Not a rate
//!    by reach or impressions: the hour a post goes out changes how many people see it, and
//!    dividing by them would hide exactly that effect (Spasojevic et al. maximise reactions,
//!    not a rate). Only posts of the last [`HISTORY_WEEKS`] (16, as Sprout) before "now" count;
//!    the follower count barely moves in that time, so engagements per follower rank hours the
//!    same way.
//! 2. **Prior** π(h) for each hour of the week h (mean 1): a diurnal curve (an assumption: quiet
//!    nights, a morning rise, lunch and evening peaks, quieter weekends) raised at the
//!    platform's published best time (Hootsuite 2023), mixed over the audience's segments by
//!    their shares and shifted into the channel's zone.
//! 3. **Ratio to the prior** r = y ÷ (c · π(h)) for each post, where c = Σy ÷ Σπ(h) puts the
//!    outcomes on the prior's scale; r is capped at 10 so one viral post cannot own a slot.
//! 4. **Two-level empirical-Bayes shrinkage** with strength k (default 4):
//!    - hour of day d: ρ_d = (Σ r + k) ÷ (n_d + k), i.e. weight n_d/(n_d+k) on the data and
//!      k/(n_d+k) on the prior's ratio 1;
//!    - hour of week h: ρ_h = (Σ r + k·ρ_d) ÷ (n_h + k), i.e. weight n/(n+k) on the bin's own
//!      posts and the rest on its hour of day.
//!    - score(h) = π(h) · ρ_h.
//!
//! k is the posterior-mean weight of a normal–normal model, k = σ² ÷ τ²: the variance of one
//! post's ratio around its bin's true ratio over the variance of the true ratios between bins.
//! Per-post engagement varies with a coefficient of variation around 0.5 (σ² ≈ 0.25) while hours
//! differ from a sensible prior by about ±25 % (τ² ≈ 0.06), so k ≈ 4: a bin's own mean counts
//! for half once it has 4 posts. `settings.shrinkage_k` overrides it.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use socialkit::model::{PostMetrics, PostRef};
//! use socialkit::strategy::besttimes::{learn, platform_prior};
//! use socialkit::strategy::facts::platform_facts;
//! use socialkit::strategy::inputs::HistoryPost;
//! let prior = platform_prior(&platform_facts("x").unwrap());
//! // 16 weeks of posts every day at 07:00 and 15:00 UTC; 07:00 does three times better.
//! let start = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap();
//! let mut history = Vec::new();
//! for day in 0..112 {
//!     for (hour, likes) in [(7, 90), (15, 30)] {
//!         let at = start + Duration::days(day) + Duration::hours(hour);
//!         let mut m = PostMetrics::new(PostRef::new("x", format!("{day}-{hour}")), at);
//!         m.reach = Some(1000);
//!         m.likes = Some(likes);
//!         history.push(HistoryPost { published_at: at, metrics: m });
//!     }
//! }
//! let now = start + Duration::days(112);
//! let learned = learn("acme-x", &history, chrono_tz::UTC, &prior, 4.0, now);
//! assert_eq!(learned.posts, 224);
//! assert!(learned.scores[7] > 2.0 * learned.scores[15]);
//! ```

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::facts::PlatformFacts;
use super::inputs::HistoryPost;
use super::localtime::{HOURS_PER_WEEK, hour_name, hour_of_week_at, offset_hours};

/// Weeks of history the estimate uses (Sprout Social's model uses 16, `sprout-ost`).
pub const HISTORY_WEEKS: i64 = 16;

/// Ratio cap of a single post (see the module docs).
const RATIO_CAP: f64 = 10.0;

/// The generic diurnal curve by local hour (an assumption; see the module docs).
const DIURNAL: [f64; 24] = [
    0.25, 0.15, 0.10, 0.10, 0.10, 0.20, 0.40, 0.70, 1.00, 1.20, 1.25, 1.25, 1.35, 1.30, 1.20, 1.15,
    1.15, 1.20, 1.30, 1.45, 1.50, 1.35, 1.00, 0.55,
];

/// Weekday factors, Monday first (an assumption: weekends a little quieter).
const WEEKDAY: [f64; 7] = [1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.85];

/// The prior of a platform in its audience's local time: 168 values, Monday 00:00 first,
/// mean 1. The platform's published best hour (Hootsuite 2023) is raised by 30 % and the same
/// hour on the other weekdays by 15 %.
///
/// ```
/// use socialkit::strategy::{besttimes::platform_prior, facts::platform_facts};
/// let p = platform_prior(&platform_facts("linkedin").unwrap());
/// assert!((p.iter().sum::<f64>() / 168.0 - 1.0).abs() < 1e-12);
/// // Monday 13:00 is LinkedIn's published best time.
/// assert!(p[13] > p[24 + 13]);
/// assert!(p[13] > p[3]);
/// ```
pub fn platform_prior(facts: &PlatformFacts) -> Vec<f64> {
    let peak = facts
        .peak_hour
        .as_ref()
        .map(|f| f.value.round() as usize % HOURS_PER_WEEK);
    let mut p: Vec<f64> = (0..HOURS_PER_WEEK)
        .map(|h| {
            let mut v = DIURNAL[h % 24] * WEEKDAY[h / 24];
            if let Some(peak) = peak {
                if h == peak {
                    v *= 1.3;
                } else if h % 24 == peak % 24 && h / 24 < 5 {
                    v *= 1.15;
                }
            }
            v
        })
        .collect();
    normalize_mean(&mut p);
    p
}

/// The prior of a channel in `zone`: the platform prior of each audience segment (zone,
/// share), shifted by the difference of UTC offsets at `at`, mixed by share, mean 1.
///
/// ```
/// use socialkit::strategy::besttimes::{channel_prior, platform_prior};
/// use socialkit::strategy::facts::platform_facts;
/// let base = platform_prior(&platform_facts("x").unwrap());
/// let at = "2026-01-15T00:00:00Z".parse().unwrap();
/// // An audience in New York, a channel planned in Berlin: six hours later on the grid.
/// let p = channel_prior(&base, &[(chrono_tz::America::New_York, 1.0)], chrono_tz::Europe::Berlin, at);
/// assert!((p[20 + 6] - base[20]).abs() < 1e-12);
/// ```
pub fn channel_prior(
    base: &[f64],
    segments: &[(Tz, f64)],
    zone: Tz,
    at: DateTime<Utc>,
) -> Vec<f64> {
    if base.len() != HOURS_PER_WEEK {
        return vec![1.0; HOURS_PER_WEEK];
    }
    let total: f64 = segments.iter().map(|(_, s)| s.max(0.0)).sum();
    if segments.is_empty() || total <= 0.0 {
        return base.to_vec();
    }
    let own = offset_hours(zone, at);
    let mut out = vec![0.0; HOURS_PER_WEEK];
    for (seg_zone, share) in segments {
        let w = share.max(0.0) / total;
        // An hour h on the channel's grid is hour h - (own - seg) on the segment's grid.
        let shift = own - offset_hours(*seg_zone, at);
        for (h, o) in out.iter_mut().enumerate() {
            let seg_h = (h as i64 - shift).rem_euclid(HOURS_PER_WEEK as i64) as usize;
            *o += w * base[seg_h];
        }
    }
    normalize_mean(&mut out);
    out
}

fn normalize_mean(v: &mut [f64]) {
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    if mean > 0.0 && mean.is_finite() {
        for x in v.iter_mut() {
            *x /= mean;
        }
    }
}

/// What a post's outcome was measured by.
///
/// ```
/// use socialkit::strategy::besttimes::Outcome;
/// assert_eq!(serde_json::to_string(&Outcome::Engagements).unwrap(), "\"engagements\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Engagements per post.
    Engagements,
    /// Reach per post (the platform reports no engagements).
    Reach,
    /// Impressions per post (the platform reports neither engagements nor reach).
    Impressions,
}

impl Outcome {
    /// The outcome of one post, when known.
    ///
    /// ```
    /// use socialkit::model::{PostMetrics, PostRef};
    /// use socialkit::strategy::besttimes::Outcome;
    /// let mut m = PostMetrics::new(PostRef::new("x", "1"), chrono::Utc::now());
    /// m.likes = Some(7);
    /// assert_eq!(Outcome::Engagements.of(&m), Some(7.0));
    /// assert_eq!(Outcome::Reach.of(&m), None);
    /// ```
    pub fn of(self, m: &crate::model::PostMetrics) -> Option<f64> {
        match self {
            Outcome::Engagements => m.engagements(),
            Outcome::Reach => m.reach,
            Outcome::Impressions => m.impressions,
        }
        .map(|v| v as f64)
    }
}

/// One hour of the week as learned.
///
/// ```
/// let h = socialkit::strategy::besttimes::HourEstimate {
///     hour_of_week: 43, name: "Tue 19:00".into(), posts: 3, observed: Some(1.4),
///     data_weight: 0.6, prior: 1.3, score: 1.6 };
/// assert_eq!(h.posts, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourEstimate {
    /// 0 = Monday 00:00 local.
    pub hour_of_week: usize,
    /// `"Tue 19:00"`.
    pub name: String,
    /// Posts of the history in this hour.
    pub posts: u32,
    /// Their mean ratio to the prior (`None` without posts).
    pub observed: Option<f64>,
    /// How much the score rests on the channel's own data rather than the prior:
    /// 1 − (k/(n_h+k))·(k/(n_d+k)).
    pub data_weight: f64,
    /// The prior π(h).
    pub prior: f64,
    /// The learned score π(h)·ρ_h (mean about 1; 2 = twice an average hour).
    pub score: f64,
}

/// The learned best times of a channel.
///
/// ```
/// use socialkit::strategy::{besttimes::{learn, platform_prior}, facts::platform_facts};
/// let prior = platform_prior(&platform_facts("instagram").unwrap());
/// let now = "2026-03-01T00:00:00Z".parse().unwrap();
/// let b = learn("ig", &[], chrono_tz::Europe::Berlin, &prior, 4.0, now);
/// assert_eq!(b.posts, 0);
/// assert_eq!(b.scores, prior); // no history: the prior
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestTimes {
    /// The channel.
    pub channel: String,
    /// The zone of the grid.
    pub zone: Tz,
    /// What outcomes were measured by (`None` without usable history).
    pub outcome: Option<Outcome>,
    /// Posts used.
    pub posts: usize,
    /// The shrinkage strength.
    pub k: f64,
    /// Score per hour of the week, Monday 00:00 first.
    pub scores: Vec<f64>,
    /// Per-hour detail, in hour order.
    pub hours: Vec<HourEstimate>,
}

impl BestTimes {
    /// The `n` best hours, best first (ties to the earlier hour).
    ///
    /// ```
    /// use socialkit::strategy::{besttimes::{learn, platform_prior}, facts::platform_facts};
    /// let prior = platform_prior(&platform_facts("linkedin").unwrap());
    /// let b = learn("li", &[], chrono_tz::UTC, &prior, 4.0, "2026-03-01T00:00:00Z".parse().unwrap());
    /// assert_eq!(b.top(1)[0].name, "Mon 13:00");
    /// ```
    pub fn top(&self, n: usize) -> Vec<HourEstimate> {
        let mut idx: Vec<usize> = (0..self.hours.len()).collect();
        idx.sort_by(|&a, &b| {
            self.hours[b]
                .score
                .total_cmp(&self.hours[a].score)
                .then(a.cmp(&b))
        });
        idx.into_iter()
            .take(n)
            .map(|i| self.hours[i].clone())
            .collect()
    }
}

fn pick_outcome(history: &[&HistoryPost]) -> Option<Outcome> {
    [Outcome::Engagements, Outcome::Reach, Outcome::Impressions]
        .into_iter()
        .find(|o| history.iter().any(|h| o.of(&h.metrics).is_some()))
}

/// Learns a channel's best times from its history (see the module docs) in `zone`, shrunk
/// toward `prior` (168 values) with strength `k`, using the posts of the
/// [`HISTORY_WEEKS`] weeks before `now`.
pub fn learn(
    channel: &str,
    history: &[HistoryPost],
    zone: Tz,
    prior: &[f64],
    k: f64,
    now: DateTime<Utc>,
) -> BestTimes {
    let prior: Vec<f64> = if prior.len() == HOURS_PER_WEEK {
        prior.to_vec()
    } else {
        vec![1.0; HOURS_PER_WEEK]
    };
    let k = if k.is_finite() && k > 0.0 { k } else { 4.0 };
    let since = now - Duration::weeks(HISTORY_WEEKS);
    let recent: Vec<&HistoryPost> = history
        .iter()
        .filter(|h| h.published_at >= since && h.published_at <= now)
        .collect();
    let outcome = pick_outcome(&recent);
    let mut samples: Vec<(usize, f64)> = Vec::new();
    if let Some(outcome) = outcome {
        for h in &recent {
            if let Some(y) = outcome
                .of(&h.metrics)
                .filter(|y| y.is_finite() && *y >= 0.0)
            {
                samples.push((hour_of_week_at(zone, h.published_at), y));
            }
        }
    }
    let sum_y: f64 = samples.iter().map(|(_, y)| y).sum();
    let sum_p: f64 = samples.iter().map(|(h, _)| prior[*h]).sum();
    let scale = if sum_y > 0.0 && sum_p > 0.0 {
        sum_y / sum_p
    } else {
        0.0
    };
    let mut n_h = [0u32; HOURS_PER_WEEK];
    let mut s_h = [0.0f64; HOURS_PER_WEEK];
    let mut n_d = [0u32; 24];
    let mut s_d = [0.0f64; 24];
    if scale > 0.0 {
        for (h, y) in &samples {
            let r = (y / (scale * prior[*h].max(1e-9))).min(RATIO_CAP);
            n_h[*h] += 1;
            s_h[*h] += r;
            n_d[h % 24] += 1;
            s_d[h % 24] += r;
        }
    }
    let used = if scale > 0.0 { samples.len() } else { 0 };
    let mut scores = Vec::with_capacity(HOURS_PER_WEEK);
    let mut hours = Vec::with_capacity(HOURS_PER_WEEK);
    for h in 0..HOURS_PER_WEEK {
        let d = h % 24;
        let rho_d = (s_d[d] + k) / (f64::from(n_d[d]) + k);
        let rho_h = (s_h[h] + k * rho_d) / (f64::from(n_h[h]) + k);
        let score = prior[h] * rho_h;
        let w_h = f64::from(n_h[h]) / (f64::from(n_h[h]) + k);
        let w_d = f64::from(n_d[d]) / (f64::from(n_d[d]) + k);
        scores.push(score);
        hours.push(HourEstimate {
            hour_of_week: h,
            name: hour_name(h),
            posts: n_h[h],
            observed: (n_h[h] > 0).then(|| s_h[h] / f64::from(n_h[h])),
            data_weight: 1.0 - (1.0 - w_h) * (1.0 - w_d),
            prior: prior[h],
            score,
        });
    }
    BestTimes {
        channel: channel.to_string(),
        zone,
        outcome: if used > 0 { outcome } else { None },
        posts: used,
        k,
        scores,
        hours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PostMetrics, PostRef};

    fn post(at: DateTime<Utc>, reach: u64, likes: u64) -> HistoryPost {
        let mut m = PostMetrics::new(PostRef::new("x", at.to_rfc3339()), at);
        m.reach = Some(reach);
        m.likes = Some(likes);
        HistoryPost {
            published_at: at,
            metrics: m,
        }
    }

    #[test]
    fn thin_history_stays_near_the_prior() {
        let prior = vec![1.0; HOURS_PER_WEEK];
        let now: DateTime<Utc> = "2026-03-02T12:00:00Z".parse().unwrap();
        // One great post at Monday 03:00 and one average one elsewhere.
        let history = [
            post("2026-02-23T03:00:00Z".parse().unwrap(), 100, 50),
            post("2026-02-24T12:00:00Z".parse().unwrap(), 100, 5),
        ];
        let b = learn("c", &history, chrono_tz::UTC, &prior, 4.0, now);
        let monday_3 = b.scores[3];
        assert!(monday_3 > 1.0 && monday_3 < 2.5, "{monday_3}");
        assert!(b.hours[3].data_weight > 0.0 && b.hours[3].data_weight < 0.5);
    }

    #[test]
    fn old_posts_are_ignored() {
        let prior = vec![1.0; HOURS_PER_WEEK];
        let now: DateTime<Utc> = "2026-06-01T00:00:00Z".parse().unwrap();
        let history = [post("2025-01-06T03:00:00Z".parse().unwrap(), 100, 50)];
        let b = learn("c", &history, chrono_tz::UTC, &prior, 4.0, now);
        assert_eq!(b.posts, 0);
        assert_eq!(b.outcome, None);
    }
}
