use std::collections::{BTreeMap, BTreeSet};

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::InboxItem;

/// Opening hours in an IANA time zone, with holidays. Durations are counted in local wall
/// time converted per day, so a DST change is handled: an hour that does not exist is not
/// counted, and a window's instants come from the zone's rules of that day.
///
/// ```
/// use socialkit::inbox::sla::BusinessHours;
/// let hours = BusinessHours::weekdays("Europe/Berlin".parse().unwrap(), 9, 17);
/// // Friday 16:00 to Monday 10:00 Berlin time: one hour on Friday, one on Monday.
/// let d = hours.between("2026-03-06T15:00:00Z".parse().unwrap(), "2026-03-09T09:00:00Z".parse().unwrap());
/// assert_eq!(d.num_minutes(), 120);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// The time zone.
    pub tz: Tz,
    /// Opening hours per weekday, Monday first: `(open, close)` local times, close after open.
    pub week: [Option<(NaiveTime, NaiveTime)>; 7],
    /// Closed days (local dates).
    pub holidays: BTreeSet<NaiveDate>,
}

impl BusinessHours {
    /// Monday to Friday, `open` to `close` o'clock, no holidays.
    pub fn weekdays(tz: Tz, open: u32, close: u32) -> Self {
        let day = Some((
            NaiveTime::from_hms_opt(open, 0, 0).unwrap_or(NaiveTime::MIN),
            NaiveTime::from_hms_opt(close, 0, 0)
                .unwrap_or(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)),
        ));
        BusinessHours {
            tz,
            week: [day, day, day, day, day, None, None],
            holidays: BTreeSet::new(),
        }
    }

    /// Adds holidays.
    pub fn with_holidays(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.holidays.extend(days);
        self
    }

    fn hours_of(&self, day: Weekday) -> Option<(NaiveTime, NaiveTime)> {
        self.week[day.num_days_from_monday() as usize]
    }

    fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        // A local time in a DST gap does not exist: take the first instant after the gap.
        let mut t = local;
        for _ in 0..4 {
            if let Some(x) = self.tz.from_local_datetime(&t).earliest() {
                return x.with_timezone(&Utc);
            }
            t += Duration::minutes(30);
        }
        Utc.from_utc_datetime(&local)
    }

    /// Business time between `start` and `end` (zero if `end` is not after `start`).
    pub fn between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Duration {
        if end <= start {
            return Duration::zero();
        }
        let first = start.with_timezone(&self.tz).date_naive();
        let last = end.with_timezone(&self.tz).date_naive();
        let mut total = Duration::zero();
        let mut day = first;
        while day <= last {
            if !self.holidays.contains(&day)
                && let Some((open, close)) = self.hours_of(day.weekday())
            {
                let a = self.instant(day.and_time(open)).max(start);
                let b = self.instant(day.and_time(close)).min(end);
                if b > a {
                    total += b - a;
                }
            }
            match day.succ_opt() {
                Some(d) => day = d,
                None => break,
            }
        }
        total
    }
}

/// Which SLA target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaKind {
    /// Time to the first response.
    FirstResponse,
    /// Time to resolution.
    Resolution,
}

/// Targets in business time.
///
/// ```
/// use socialkit::inbox::sla::SlaPolicy;
/// let p = SlaPolicy::default();
/// assert_eq!(p.first_response.num_hours(), 4);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// The hours the clock runs in.
    pub hours: BusinessHours,
    /// First response within this much business time.
    pub first_response: Duration,
    /// Resolution within this much business time.
    pub resolution: Duration,
}

impl Default for SlaPolicy {
    /// Weekdays 9–17 UTC, 4 business hours to first response, 16 to resolution.
    fn default() -> Self {
        SlaPolicy {
            hours: BusinessHours::weekdays(Tz::UTC, 9, 17),
            first_response: Duration::hours(4),
            resolution: Duration::hours(16),
        }
    }
}

/// A missed SLA target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaBreach {
    /// The item's key.
    pub item: String,
    /// The channel.
    pub channel: String,
    /// The assignee, if any.
    pub assignee: Option<String>,
    /// Which target.
    pub kind: SlaKind,
    /// The target.
    pub target: Duration,
    /// Business time elapsed when detected.
    pub elapsed: Duration,
}

impl SlaPolicy {
    /// Business time to first response of `item`, if it had one.
    pub fn first_response_time(&self, item: &InboxItem) -> Option<Duration> {
        item.first_response_at
            .map(|t| self.hours.between(item.opened_at(), t))
    }

    /// Business time to resolution of `item`, if resolved.
    pub fn resolution_time(&self, item: &InboxItem) -> Option<Duration> {
        item.resolved_at
            .map(|t| self.hours.between(item.opened_at(), t))
    }

    /// The targets `item` misses at `now` (answered or resolved late, or still open past the
    /// target). Spam and texts-less items have no SLA.
    pub fn breaches(&self, item: &InboxItem, now: DateTime<Utc>) -> Vec<SlaBreach> {
        if item
            .classification
            .as_ref()
            .is_some_and(|c| c.intent == crate::listen::classify::Intent::Spam)
            || !item.interaction.kind.has_text()
        {
            return Vec::new();
        }
        let mut out = Vec::new();
        let opened = item.opened_at();
        for (kind, at, target) in [
            (
                SlaKind::FirstResponse,
                item.first_response_at,
                self.first_response,
            ),
            (SlaKind::Resolution, item.resolved_at, self.resolution),
        ] {
            let elapsed = self.hours.between(opened, at.unwrap_or(now));
            if elapsed > target {
                out.push(SlaBreach {
                    item: item.key.clone(),
                    channel: item.channel.clone(),
                    assignee: item.assignee.clone(),
                    kind,
                    target,
                    elapsed,
                });
            }
        }
        out
    }
}

/// Median and 90th percentile (nearest rank) of a set of durations.
///
/// ```
/// use chrono::Duration;
/// use socialkit::inbox::sla::Stats;
/// let s = Stats::of((1..=10).map(Duration::minutes).collect()).unwrap();
/// assert_eq!(s.median, Duration::minutes(5));
/// assert_eq!(s.p90, Duration::minutes(9));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// How many.
    pub count: usize,
    /// The median (lower median for even counts).
    pub median: Duration,
    /// The 90th percentile, nearest rank.
    pub p90: Duration,
}

impl Stats {
    /// The statistics of `values`, `None` when empty.
    pub fn of(mut values: Vec<Duration>) -> Option<Stats> {
        if values.is_empty() {
            return None;
        }
        values.sort();
        let rank = |p: f64| {
            let r = (p * values.len() as f64).ceil() as usize;
            values[r.clamp(1, values.len()) - 1]
        };
        Some(Stats {
            count: values.len(),
            median: rank(0.5),
            p90: rank(0.9),
        })
    }
}

/// First-response and resolution statistics of one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupStats {
    /// First-response times.
    pub first_response: Option<Stats>,
    /// Resolution times.
    pub resolution: Option<Stats>,
}

/// SLA statistics per channel and per member (business time).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SlaReport {
    /// By channel.
    pub channels: BTreeMap<String, GroupStats>,
    /// By member (the assignee, else who replied).
    pub members: BTreeMap<String, GroupStats>,
}

impl SlaReport {
    /// Builds the report of `items` under `policy`.
    pub fn build(policy: &SlaPolicy, items: &[InboxItem]) -> SlaReport {
        type Acc = BTreeMap<String, (Vec<Duration>, Vec<Duration>)>;
        let mut by_channel: Acc = BTreeMap::new();
        let mut by_member: Acc = BTreeMap::new();
        for item in items {
            let fr = policy.first_response_time(item);
            let rs = policy.resolution_time(item);
            let member = item.assignee.clone().or_else(|| item.replied_by.clone());
            let add = |acc: &mut Acc, k: String| {
                let e = acc.entry(k).or_default();
                e.0.extend(fr);
                e.1.extend(rs);
            };
            add(&mut by_channel, item.channel.clone());
            if let Some(m) = member {
                add(&mut by_member, m);
            }
        }
        let fin = |acc: Acc| {
            acc.into_iter()
                .map(|(k, (f, r))| {
                    (
                        k,
                        GroupStats {
                            first_response: Stats::of(f),
                            resolution: Stats::of(r),
                        },
                    )
                })
                .collect()
        };
        SlaReport {
            channels: fin(by_channel),
            members: fin(by_member),
        }
    }
}
