//! The simulated audience of a sandbox account, as serde data: when its followers are active
//! (per hour of the week in their time zone), how much of it a post reaches, how it engages,
//! which languages it writes in and what mood its messages have.
//!
//! The simulation itself lives in `simulation.rs`; this file only describes the audience.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::texts;
use crate::{Error, Result};

/// Hours in a week.
const WEEK_HOURS: usize = 7 * 24;
/// Hours after publication during which a post still gets attention.
pub(crate) const HORIZON_HOURS: i64 = 7 * 24;

/// How active the audience is in each hour of the week, in its local time: 168 weights,
/// Monday 00:00–01:00 first, normalized to a mean of 1.0 (so 2.0 is twice as active as an
/// average hour).
///
/// Serialized as the list of 168 weights.
///
/// ```
/// use chrono::Weekday;
/// use socialkit::adapters::sandbox::ActivityProfile;
/// let p = ActivityProfile::diurnal();
/// assert!(p.weight(Weekday::Tue, 20) > 4.0 * p.weight(Weekday::Tue, 3));
///
/// // An audience that is only awake at lunchtime, every day.
/// let lunch = ActivityProfile::daily(|hour| if hour == 12 { 1.0 } else { 0.0 }).unwrap();
/// assert_eq!(lunch.peak_hours(1), vec![(Weekday::Mon, 12)]);
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "Vec<f64>", into = "Vec<f64>")]
pub struct ActivityProfile {
    weights: Vec<f64>,
}

impl ActivityProfile {
    /// A realistic curve for a general audience: quiet at night (lowest around 04:00), a
    /// morning rise, a lunch peak, the highest activity in the evening (19:00–22:00), a later
    /// and flatter day on weekends, a quieter Friday and Saturday evening.
    ///
    /// ```
    /// let p = socialkit::adapters::sandbox::ActivityProfile::diurnal();
    /// assert!(p.weight(chrono::Weekday::Wed, 20) > p.weight(chrono::Weekday::Wed, 4));
    /// ```
    pub fn diurnal() -> Self {
        const WORKDAY: [f64; 24] = [
            0.25, 0.15, 0.10, 0.07, 0.06, 0.12, 0.35, 0.75, 1.05, 0.95, 0.90, 1.00, 1.30, 1.20,
            0.95, 0.90, 0.95, 1.10, 1.35, 1.60, 1.70, 1.50, 1.05, 0.55,
        ];
        const WEEKEND: [f64; 24] = [
            0.45, 0.30, 0.18, 0.10, 0.07, 0.07, 0.12, 0.25, 0.50, 0.85, 1.10, 1.20, 1.25, 1.20,
            1.10, 1.05, 1.05, 1.10, 1.20, 1.35, 1.45, 1.30, 1.00, 0.65,
        ];
        Self::from_fn(|day, hour| {
            let h = hour as usize;
            match day {
                Weekday::Sat => WEEKEND[h] * 0.9,
                Weekday::Sun => WEEKEND[h] * if hour >= 18 { 1.1 } else { 1.0 },
                Weekday::Fri if hour >= 18 => WORKDAY[h] * 0.85,
                _ => WORKDAY[h],
            }
        })
        .unwrap_or_else(|_| Self::flat())
    }

    /// The same activity in every hour.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::ActivityProfile;
    /// assert_eq!(ActivityProfile::flat().weight(chrono::Weekday::Sun, 3), 1.0);
    /// ```
    pub fn flat() -> Self {
        ActivityProfile {
            weights: vec![1.0; WEEK_HOURS],
        }
    }

    /// A profile from a function of (weekday, local hour 0–23).
    ///
    /// Fails with [`ConfigInvalid`](crate::ErrorKind::ConfigInvalid) when a weight is negative
    /// or not finite, or when all are zero.
    ///
    /// ```
    /// use chrono::Weekday;
    /// use socialkit::adapters::sandbox::ActivityProfile;
    /// // Active on weekday mornings only.
    /// let p = ActivityProfile::from_fn(|day, hour| {
    ///     if day.num_days_from_monday() < 5 && (7..10).contains(&hour) { 1.0 } else { 0.0 }
    /// })
    /// .unwrap();
    /// assert_eq!(p.weight(Weekday::Sat, 8), 0.0);
    /// assert!(ActivityProfile::from_fn(|_, _| -1.0).is_err());
    /// ```
    pub fn from_fn(f: impl Fn(Weekday, u32) -> f64) -> Result<Self> {
        let weights = (0..WEEK_HOURS)
            .map(|i| f(weekday_of(i / 24), (i % 24) as u32))
            .collect();
        Self::from_weights(weights)
    }

    /// A profile that repeats the same 24 hourly weights every day.
    ///
    /// ```
    /// let p = socialkit::adapters::sandbox::ActivityProfile::daily(|h| if h >= 18 { 2.0 } else { 1.0 }).unwrap();
    /// assert_eq!(p.peak_hours(1)[0].1, 18);
    /// ```
    pub fn daily(f: impl Fn(u32) -> f64) -> Result<Self> {
        Self::from_fn(|_, hour| f(hour))
    }

    /// A profile from 168 weights, Monday 00:00 local time first. The weights are normalized
    /// to a mean of 1.0.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::ActivityProfile;
    /// assert!(ActivityProfile::from_weights(vec![1.0; 24]).is_err(), "needs 168 hours");
    /// assert!(ActivityProfile::from_weights(vec![2.0; 168]).unwrap() == ActivityProfile::flat());
    /// ```
    pub fn from_weights(weights: Vec<f64>) -> Result<Self> {
        if weights.len() != WEEK_HOURS {
            return Err(Error::config(format!(
                "an activity profile has {WEEK_HOURS} hourly weights (Monday 00:00 first), not {}",
                weights.len()
            ))
            .with_platform("sandbox"));
        }
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(
                Error::config("activity weights must be finite and not negative")
                    .with_platform("sandbox"),
            );
        }
        let mean = weights.iter().sum::<f64>() / WEEK_HOURS as f64;
        if mean <= 0.0 {
            return Err(Error::config("an audience needs at least one active hour")
                .with_platform("sandbox"));
        }
        if (mean - 1.0).abs() < 1e-9 {
            // Already normalized (a profile read back from its serde form): keep it exact.
            return Ok(ActivityProfile { weights });
        }
        Ok(ActivityProfile {
            weights: weights.into_iter().map(|w| w / mean).collect(),
        })
    }

    /// The weight of a local hour of the week.
    ///
    /// ```
    /// let p = socialkit::adapters::sandbox::ActivityProfile::flat();
    /// assert_eq!(p.weight(chrono::Weekday::Mon, 0), 1.0);
    /// ```
    pub fn weight(&self, day: Weekday, hour: u32) -> f64 {
        let i = day.num_days_from_monday() as usize * 24 + (hour as usize % 24);
        self.weights[i]
    }

    /// The weight at an instant, read in time zone `tz`.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::ActivityProfile;
    /// let p = ActivityProfile::diurnal();
    /// let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    /// // 19:00 UTC is 21:00 in Berlin in summer.
    /// let t = "2026-07-07T19:00:00Z".parse().unwrap();
    /// assert_eq!(p.at(t, berlin), p.weight(chrono::Weekday::Tue, 21));
    /// ```
    pub fn at(&self, instant: DateTime<Utc>, tz: Tz) -> f64 {
        let local = instant.with_timezone(&tz);
        self.weight(local.weekday(), local.hour())
    }

    /// The `n` most active local hours of the week, most active first (ties: earlier first).
    ///
    /// ```
    /// let p = socialkit::adapters::sandbox::ActivityProfile::diurnal();
    /// let (_, hour) = p.peak_hours(1)[0];
    /// assert!((19..=21).contains(&hour));
    /// ```
    pub fn peak_hours(&self, n: usize) -> Vec<(Weekday, u32)> {
        let mut idx: Vec<usize> = (0..WEEK_HOURS).collect();
        idx.sort_by(|a, b| self.weights[*b].total_cmp(&self.weights[*a]).then(a.cmp(b)));
        idx.into_iter()
            .take(n)
            .map(|i| (weekday_of(i / 24), (i % 24) as u32))
            .collect()
    }

    /// The 168 normalized weights, Monday 00:00 first.
    ///
    /// ```
    /// let p = socialkit::adapters::sandbox::ActivityProfile::diurnal();
    /// assert_eq!(p.weights().len(), 168);
    /// ```
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
}

impl PartialEq for ActivityProfile {
    // Equal up to float noise, so a profile equals itself read back from JSON (serde_json's
    // default float parsing may be one unit in the last place off).
    fn eq(&self, other: &Self) -> bool {
        self.weights
            .iter()
            .zip(&other.weights)
            .all(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0))
    }
}

impl fmt::Debug for ActivityProfile {
    // 168 numbers help nobody: show the shape.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let min = self.weights.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self.weights.iter().copied().fold(0.0, f64::max);
        f.debug_struct("ActivityProfile")
            .field("peak_hours", &self.peak_hours(3))
            .field("min", &min)
            .field("max", &max)
            .finish()
    }
}

impl Default for ActivityProfile {
    fn default() -> Self {
        Self::diurnal()
    }
}

impl TryFrom<Vec<f64>> for ActivityProfile {
    type Error = Error;
    fn try_from(weights: Vec<f64>) -> Result<Self> {
        Self::from_weights(weights)
    }
}

impl From<ActivityProfile> for Vec<f64> {
    fn from(p: ActivityProfile) -> Vec<f64> {
        p.weights
    }
}

fn weekday_of(day: usize) -> Weekday {
    match day % 7 {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

/// How an impression turns into engagement: the probability, per impression, of each
/// reaction.
///
/// ```
/// let r = socialkit::adapters::sandbox::EngagementRates::default();
/// assert!(r.like > r.reply);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngagementRates {
    /// Likes per impression.
    pub like: f64,
    /// Reposts per impression.
    pub repost: f64,
    /// Replies per impression (doubled for posts that ask a question).
    pub reply: f64,
    /// Quotes per impression.
    pub quote: f64,
    /// Link clicks per impression for a post with a link.
    pub click_with_link: f64,
    /// Profile and media clicks per impression for a post without a link.
    pub click_without_link: f64,
    /// Saves per impression.
    pub save: f64,
    /// New followers per impression.
    pub follow: f64,
}

impl Default for EngagementRates {
    fn default() -> Self {
        EngagementRates {
            like: 0.03,
            repost: 0.006,
            reply: 0.004,
            quote: 0.001,
            click_with_link: 0.02,
            click_without_link: 0.003,
            save: 0.003,
            follow: 0.002,
        }
    }
}

impl EngagementRates {
    fn check(&self) -> Result<()> {
        let all = [
            ("like", self.like),
            ("repost", self.repost),
            ("reply", self.reply),
            ("quote", self.quote),
            ("click_with_link", self.click_with_link),
            ("click_without_link", self.click_without_link),
            ("save", self.save),
            ("follow", self.follow),
        ];
        for (name, rate) in all {
            if !(0.0..=1.0).contains(&rate) {
                return Err(Error::config(format!(
                    "the {name} rate must be between 0 and 1, per impression"
                ))
                .with_platform("sandbox"));
            }
        }
        Ok(())
    }
}

/// The mood of the messages the audience writes (replies, mentions, quotes, DMs), as relative
/// weights.
///
/// ```
/// use socialkit::adapters::sandbox::Mood;
/// // An audience in a crisis: mostly complaints.
/// let crisis = Mood { complaint: 8.0, ..Mood::default() };
/// assert!(crisis.complaint > Mood::default().praise);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mood {
    /// Praise ("Love this!").
    pub praise: f64,
    /// Questions ("Does this ship to Austria?").
    pub question: f64,
    /// Complaints ("My order still hasn't arrived").
    pub complaint: f64,
    /// Spam ("Earn $500 a day from home").
    pub spam: f64,
    /// Neutral remarks ("Interesting.").
    pub neutral: f64,
}

impl Default for Mood {
    fn default() -> Self {
        Mood {
            praise: 0.35,
            question: 0.25,
            complaint: 0.12,
            spam: 0.08,
            neutral: 0.20,
        }
    }
}

impl Mood {
    pub(crate) fn weights(&self) -> [f64; 5] {
        [
            self.praise,
            self.question,
            self.complaint,
            self.spam,
            self.neutral,
        ]
    }
}

/// The simulated audience of a sandbox account.
///
/// Everything the simulation does follows from this, the account's seed and the calls made:
/// the same audience, seed, calls and clock give the same numbers.
///
/// ```
/// use socialkit::adapters::sandbox::{ActivityProfile, SandboxAudience};
/// let audience = SandboxAudience {
///     time_zone: chrono_tz::America::New_York,
///     activity: ActivityProfile::daily(|h| if (18..22).contains(&h) { 3.0 } else { 0.5 }).unwrap(),
///     ..SandboxAudience::default()
/// };
/// let json = serde_json::to_string(&audience).unwrap();
/// let back: SandboxAudience = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, audience);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxAudience {
    /// The audience's time zone (IANA), in which [`activity`](Self::activity) is read.
    pub time_zone: Tz,
    /// When the audience is active.
    pub activity: ActivityProfile,
    /// Expected impressions of a post over its life, as a share of followers, for an average
    /// post at an average hour.
    pub reach_share: f64,
    /// Hours after which a post gets half the attention it got when new.
    pub half_life_hours: f64,
    /// Engagement per impression.
    pub rates: EngagementRates,
    /// Mentions of the account per day per 1000 followers (counting at most 10 000
    /// followers), at average activity.
    pub mentions_per_day: f64,
    /// Direct messages per day per 1000 followers (at most 10 000 counted), at average
    /// activity.
    pub direct_messages_per_day: f64,
    /// New followers per day per 1000 followers (at most 10 000 counted) that no post
    /// brought, at average activity.
    pub organic_follows_per_day: f64,
    /// Public posts per day per 1000 followers (at most 10 000 counted), at average activity,
    /// in which people talk *about* the account without addressing it: its name, its
    /// `#hashtag` or the hashtags of its recent posts, sometimes its `@handle`. They are what
    /// [`search`](crate::Platform::search) finds besides posts and replies, in the audience's
    /// languages and mood.
    pub chatter_per_day: f64,
    /// Languages of the audience's messages with relative weights (`en`, `de`, `es`, `fr`).
    pub languages: BTreeMap<String, f64>,
    /// The mood of its messages.
    pub mood: Mood,
}

impl Default for SandboxAudience {
    fn default() -> Self {
        SandboxAudience {
            time_zone: chrono_tz::Europe::Berlin,
            activity: ActivityProfile::diurnal(),
            reach_share: 0.3,
            half_life_hours: 2.0,
            rates: EngagementRates::default(),
            mentions_per_day: 1.5,
            direct_messages_per_day: 0.5,
            organic_follows_per_day: 1.0,
            chatter_per_day: 3.0,
            languages: [
                ("en".to_string(), 0.6),
                ("de".to_string(), 0.3),
                ("es".to_string(), 0.1),
            ]
            .into_iter()
            .collect(),
            mood: Mood::default(),
        }
    }
}

impl SandboxAudience {
    /// The share of a post's lifetime attention that falls in hour `b` after it was published
    /// (exponential decay with [`half_life_hours`](Self::half_life_hours), over seven days).
    ///
    /// ```
    /// let a = socialkit::adapters::sandbox::SandboxAudience::default();
    /// let total: f64 = (0..168).map(|b| a.attention_share(b)).sum();
    /// assert!((total - 1.0).abs() < 1e-9);
    /// assert!(a.attention_share(0) > a.attention_share(1));
    /// assert_eq!(a.attention_share(168), 0.0);
    /// ```
    pub fn attention_share(&self, b: i64) -> f64 {
        if !(0..HORIZON_HOURS).contains(&b) {
            return 0.0;
        }
        let q = 0.5f64.powf(1.0 / self.half_life_hours);
        let total = 1.0 - q.powf(HORIZON_HOURS as f64);
        (1.0 - q) * q.powf(b as f64) / total
    }

    /// How well a post published at `at` does against one published at an average hour: its
    /// expected impressions relative to the average (1.0), from the audience's activity over
    /// the post's life. The ground truth a best-time strategy should recover.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::SandboxAudience;
    /// let a = SandboxAudience::default(); // Europe/Berlin
    /// let evening = "2026-03-03T17:00:00Z".parse().unwrap(); // 18:00 in Berlin
    /// let night = "2026-03-03T02:00:00Z".parse().unwrap(); // 03:00 in Berlin
    /// assert!(a.posting_value(evening) > 1.5 * a.posting_value(night));
    /// ```
    pub fn posting_value(&self, at: DateTime<Utc>) -> f64 {
        (0..HORIZON_HOURS)
            .map(|b| {
                let mid = at
                    .checked_add_signed(Duration::minutes(b * 60 + 30))
                    .unwrap_or(at);
                self.activity.at(mid, self.time_zone) * self.attention_share(b)
            })
            .sum()
    }

    /// The `n` best local hours of the week to publish (by
    /// [`posting_value`](Self::posting_value) on a week without clock changes), best first.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{ActivityProfile, SandboxAudience};
    /// let a = SandboxAudience {
    ///     activity: ActivityProfile::daily(|h| if h == 20 { 10.0 } else { 0.5 }).unwrap(),
    ///     half_life_hours: 1.0,
    ///     ..SandboxAudience::default()
    /// };
    /// assert!(a.best_posting_hours(7).iter().all(|(_, h)| *h == 20 || *h == 19));
    /// ```
    pub fn best_posting_hours(&self, n: usize) -> Vec<(Weekday, u32)> {
        // Monday 12 January 2026: no time zone changes its clocks that week.
        let monday = NaiveDate::from_ymd_opt(2026, 1, 12).unwrap_or_default();
        let mut scored: Vec<((Weekday, u32), f64)> = (0..WEEK_HOURS)
            .filter_map(|i| {
                let local = monday.and_hms_opt(0, 0, 0)? + Duration::hours(i as i64);
                let at = self.time_zone.from_local_datetime(&local).earliest()?;
                Some((
                    (weekday_of(i / 24), (i % 24) as u32),
                    self.posting_value(at.to_utc()),
                ))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.into_iter().take(n).map(|(slot, _)| slot).collect()
    }

    /// Checks that the numbers make sense (shares and rates in range, a known language, a
    /// positive half-life).
    ///
    /// ```
    /// use socialkit::adapters::sandbox::SandboxAudience;
    /// assert!(SandboxAudience::default().check().is_ok());
    /// let bad = SandboxAudience { half_life_hours: 0.0, ..SandboxAudience::default() };
    /// assert_eq!(bad.check().unwrap_err().kind(), socialkit::ErrorKind::ConfigInvalid);
    /// ```
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::config(m).with_platform("sandbox"));
        if !(0.0..=10.0).contains(&self.reach_share) {
            return bad("reach_share must be between 0 and 10 (a share of followers)".into());
        }
        if !(self.half_life_hours.is_finite() && self.half_life_hours > 0.0) {
            return bad("half_life_hours must be a positive number".into());
        }
        for (name, v) in [
            ("mentions_per_day", self.mentions_per_day),
            ("direct_messages_per_day", self.direct_messages_per_day),
            ("organic_follows_per_day", self.organic_follows_per_day),
            ("chatter_per_day", self.chatter_per_day),
        ] {
            if !(v.is_finite() && (0.0..=10_000.0).contains(&v)) {
                return bad(format!("{name} must be a number from 0 to 10000"));
            }
        }
        self.rates.check()?;
        let mood = self.mood.weights();
        if mood.iter().any(|w| !w.is_finite() || *w < 0.0) || mood.iter().sum::<f64>() <= 0.0 {
            return bad("mood weights must be non-negative and not all zero".into());
        }
        if self.languages.is_empty()
            || self.languages.values().any(|w| !w.is_finite() || *w < 0.0)
            || self.languages.values().sum::<f64>() <= 0.0
        {
            return bad("languages need at least one positive weight".into());
        }
        if let Some(unknown) = self
            .languages
            .keys()
            .find(|l| !texts::LANGUAGES.contains(&l.as_str()))
        {
            return bad(format!(
                "the sandbox audience does not write in '{unknown}'; it knows {}",
                texts::LANGUAGES.join(", ")
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diurnal_is_normalized_and_evening_heavy() {
        let p = ActivityProfile::diurnal();
        let mean = p.weights().iter().sum::<f64>() / 168.0;
        assert!((mean - 1.0).abs() < 1e-9);
        let (day, hour) = p.peak_hours(1)[0];
        assert!((19..=21).contains(&hour), "{day:?} {hour}");
    }

    #[test]
    fn serde_rejects_wrong_length() {
        assert!(serde_json::from_str::<ActivityProfile>("[1.0, 2.0]").is_err());
        let p: ActivityProfile =
            serde_json::from_str(&serde_json::to_string(&vec![3.0; 168]).unwrap()).unwrap();
        assert_eq!(p, ActivityProfile::flat());
        let d = ActivityProfile::diurnal();
        let back: ActivityProfile =
            serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d, "normalizing is idempotent");
        assert!(format!("{d:?}").len() < 200);
    }

    #[test]
    fn unknown_language_is_config_error() {
        let a = SandboxAudience {
            languages: [("tlh".to_string(), 1.0)].into_iter().collect(),
            ..SandboxAudience::default()
        };
        assert!(a.check().unwrap_err().to_string().contains("tlh"));
    }
}
