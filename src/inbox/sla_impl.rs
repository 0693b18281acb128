use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
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
        // The crate's one rule: a time in a DST gap → the first instant after the gap; in an
        // overlap → the earlier instant.
        crate::clock::resolve_local(self.tz, local)
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

    /// The instant at which `business` time has elapsed since `start`: the inverse of
    /// [`between`](Self::between). It is the earliest `t` with `between(start, t) == business`,
    /// so it can fall on a closing instant, and it skips nights, weekends, holidays and DST
    /// gaps. `start` itself for a zero or negative duration; `None` when the hours never open
    /// long enough (no open day at all, or only zero-length windows). See also
    /// [`latest_at`](Self::latest_at).
    ///
    /// ```
    /// use socialkit::inbox::sla::BusinessHours;
    /// let hours = BusinessHours::weekdays("Europe/Berlin".parse().unwrap(), 9, 17);
    /// // Friday 16:00 Berlin plus two business hours: Monday 10:00 Berlin (09:00Z).
    /// let start = "2026-03-06T15:00:00Z".parse().unwrap();
    /// let due = hours.deadline(start, chrono::Duration::hours(2)).unwrap();
    /// assert_eq!(due, "2026-03-09T09:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    /// assert_eq!(hours.between(start, due), chrono::Duration::hours(2));
    /// ```
    pub fn deadline(&self, start: DateTime<Utc>, business: Duration) -> Option<DateTime<Utc>> {
        if business <= Duration::zero() {
            return Some(start);
        }
        self.walk(start, business, false)
    }

    /// The last instant at which no more than `business` time has elapsed since `start`:
    /// where the business clock next moves past it. It differs from
    /// [`deadline`](Self::deadline) when that falls on a closing instant (or `business` is
    /// zero outside the hours): it is then the next opening. SLA targets fall due here.
    ///
    /// ```
    /// use socialkit::inbox::sla::BusinessHours;
    /// let hours = BusinessHours::weekdays("Europe/Berlin".parse().unwrap(), 9, 17);
    /// // Friday 15:00 Berlin (14:00Z) plus two business hours is Friday's closing time, but
    /// // the clock only moves past two hours when Monday opens: 09:00 Berlin (08:00Z).
    /// let start = "2026-03-06T14:00:00Z".parse().unwrap();
    /// let two = chrono::Duration::hours(2);
    /// assert_eq!(hours.deadline(start, two).unwrap().to_rfc3339(), "2026-03-06T16:00:00+00:00");
    /// assert_eq!(hours.latest_at(start, two).unwrap().to_rfc3339(), "2026-03-09T08:00:00+00:00");
    /// ```
    pub fn latest_at(&self, start: DateTime<Utc>, business: Duration) -> Option<DateTime<Utc>> {
        self.walk(start, business.max(Duration::zero()), true)
    }

    /// Walks the windows from `start` until `business` is used up: at the first instant it is
    /// (`latest` false), or where the next window would go past it (`latest` true).
    fn walk(
        &self,
        start: DateTime<Utc>,
        business: Duration,
        latest: bool,
    ) -> Option<DateTime<Utc>> {
        let shortest = self
            .week
            .iter()
            .flatten()
            .filter(|(open, close)| close > open)
            .map(|(open, close)| *close - *open)
            .min()?;
        // Enough days to cover the duration in the shortest window every week, every holiday,
        // and a year of DST oddities; past that the hours cannot hold the duration.
        let weeks = business.num_seconds() / shortest.num_seconds().max(1) + 1;
        let bound = 7 * (weeks + self.holidays.len() as i64 + 1) + 366;
        let mut remaining = business;
        let mut day = start.with_timezone(&self.tz).date_naive();
        for _ in 0..bound {
            if !self.holidays.contains(&day)
                && let Some((open, close)) = self.hours_of(day.weekday())
            {
                let a = self.instant(day.and_time(open)).max(start);
                let b = self.instant(day.and_time(close));
                if b > a {
                    if remaining < b - a || (!latest && remaining == b - a) {
                        return Some(a + remaining);
                    }
                    remaining -= b - a;
                }
            }
            day = day.succ_opt()?;
        }
        None
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
    /// Business time elapsed when detected (the time to the response or resolution if it
    /// came late).
    pub elapsed: Duration,
    /// The instant the target was missed.
    pub due: DateTime<Utc>,
    /// When the breach was noticed.
    pub detected_at: DateTime<Utc>,
}

/// A target about to be missed: raised once, a configured business time before its due
/// instant (see [`SlaTimerConfig::warn_before`](super::SlaTimerConfig::warn_before)).
///
/// ```
/// use socialkit::inbox::sla::{SlaKind, SlaWarning};
/// let w = SlaWarning {
///     item: "k".into(), channel: "acme".into(), assignee: None, kind: SlaKind::FirstResponse,
///     due: "2026-03-09T09:00:00Z".parse().unwrap(), remaining: chrono::Duration::minutes(30),
///     detected_at: "2026-03-09T08:30:00Z".parse().unwrap(),
/// };
/// assert_eq!(w.remaining.num_minutes(), 30);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaWarning {
    /// The item's key.
    pub item: String,
    /// The channel.
    pub channel: String,
    /// The assignee, if any.
    pub assignee: Option<String>,
    /// Which target.
    pub kind: SlaKind,
    /// When it will be missed.
    pub due: DateTime<Utc>,
    /// Business time left when noticed.
    pub remaining: Duration,
    /// When it was noticed.
    pub detected_at: DateTime<Utc>,
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

    /// Whether `item` is measured at all: spam and items without text have no SLA.
    ///
    /// ```
    /// use socialkit::inbox::{InboxItem, sla::SlaPolicy};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Like,
    ///     author: Author::default(), text: None, created_at: chrono::Utc::now(),
    ///     post: None, conversation: None, language: None,
    /// };
    /// assert!(!SlaPolicy::default().applies(&InboxItem::new("acme", i, chrono::Utc::now())));
    /// ```
    pub fn applies(&self, item: &InboxItem) -> bool {
        item.interaction.kind.has_text()
            && !item
                .classification
                .as_ref()
                .is_some_and(|c| c.intent == crate::listen::classify::Intent::Spam)
    }

    /// The business-time target of `kind`.
    ///
    /// ```
    /// use socialkit::inbox::sla::{SlaKind, SlaPolicy};
    /// assert_eq!(SlaPolicy::default().target(SlaKind::Resolution).num_hours(), 16);
    /// ```
    pub fn target(&self, kind: SlaKind) -> Duration {
        match kind {
            SlaKind::FirstResponse => self.first_response,
            SlaKind::Resolution => self.resolution,
        }
    }

    /// The instant `item` misses target `kind` unless its clock stops before: where the
    /// business clock, started when the customer wrote, moves past the target
    /// ([`BusinessHours::latest_at`]). `None` when the hours never hold the target.
    ///
    /// ```
    /// use socialkit::inbox::{InboxItem, sla::{SlaKind, SlaPolicy}};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let opened = "2026-03-06T15:00:00Z".parse().unwrap(); // a Friday
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Mention,
    ///     author: Author::default(), text: Some("hello?".into()), created_at: opened,
    ///     post: None, conversation: None, language: None,
    /// };
    /// let mut item = InboxItem::new("acme", i, opened);
    /// // 09–17 UTC, 4 business hours: 2 on Friday, 2 on Monday.
    /// let due = SlaPolicy::default().due(&item, SlaKind::FirstResponse).unwrap();
    /// assert_eq!(due.to_rfc3339(), "2026-03-09T11:00:00+00:00");
    /// ```
    pub fn due(&self, item: &InboxItem, kind: SlaKind) -> Option<DateTime<Utc>> {
        self.hours.latest_at(item.opened_at(), self.target(kind))
    }

    /// When the clock of `kind` stopped for `item`, if it did: the first response (or the
    /// resolution, for an item resolved without one) and the resolution.
    ///
    /// ```
    /// use socialkit::inbox::{InboxItem, sla::{SlaKind, SlaPolicy}};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let opened = "2026-03-06T15:00:00Z".parse().unwrap(); // a Friday
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Mention,
    ///     author: Author::default(), text: Some("hello?".into()), created_at: opened,
    ///     post: None, conversation: None, language: None,
    /// };
    /// let mut item = InboxItem::new("acme", i, opened);
    /// let p = SlaPolicy::default();
    /// assert_eq!(p.stopped_at(&item, SlaKind::FirstResponse), None);
    /// item.resolved_at = Some(opened);
    /// assert_eq!(p.stopped_at(&item, SlaKind::FirstResponse), Some(opened));
    /// ```
    pub fn stopped_at(&self, item: &InboxItem, kind: SlaKind) -> Option<DateTime<Utc>> {
        match kind {
            SlaKind::FirstResponse => item.first_response_at.or(item.resolved_at),
            SlaKind::Resolution => item.resolved_at,
        }
    }

    /// The targets of `item` whose clocks still run, with their due instants, soonest first.
    ///
    /// ```
    /// use socialkit::inbox::{InboxItem, sla::{SlaKind, SlaPolicy}};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let opened = "2026-03-02T09:00:00Z".parse().unwrap(); // a Monday
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Mention,
    ///     author: Author::default(), text: Some("hello?".into()), created_at: opened,
    ///     post: None, conversation: None, language: None,
    /// };
    /// let pending = SlaPolicy::default().pending(&InboxItem::new("acme", i, opened));
    /// assert_eq!(pending[0], (SlaKind::FirstResponse, "2026-03-02T13:00:00Z".parse().unwrap()));
    /// assert_eq!(pending[1].0, SlaKind::Resolution);
    /// ```
    pub fn pending(&self, item: &InboxItem) -> Vec<(SlaKind, DateTime<Utc>)> {
        if !self.applies(item) {
            return Vec::new();
        }
        let mut out: Vec<(SlaKind, DateTime<Utc>)> = [SlaKind::FirstResponse, SlaKind::Resolution]
            .into_iter()
            .filter(|k| self.stopped_at(item, *k).is_none())
            .filter_map(|k| self.due(item, k).map(|d| (k, d)))
            .collect();
        out.sort_by_key(|(k, d)| (*d, *k));
        out
    }

    /// The targets `item` misses at `now`: a target is met only by a response (or
    /// resolution) strictly before its due instant, so an item still open at the due instant
    /// is in breach from that instant on. Spam and text-less items have no SLA.
    ///
    /// ```
    /// use socialkit::inbox::{InboxItem, sla::{SlaKind, SlaPolicy}};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let opened = "2026-03-06T15:00:00Z".parse().unwrap(); // a Friday
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Mention,
    ///     author: Author::default(), text: Some("hello?".into()), created_at: opened,
    ///     post: None, conversation: None, language: None,
    /// };
    /// let mut item = InboxItem::new("acme", i, opened);
    /// let p = SlaPolicy::default();
    /// let due: chrono::DateTime<chrono::Utc> = "2026-03-09T11:00:00Z".parse().unwrap();
    /// assert!(p.breaches(&item, due - chrono::Duration::nanoseconds(1)).is_empty());
    /// assert_eq!(p.breaches(&item, due)[0].kind, SlaKind::FirstResponse);
    /// ```
    pub fn breaches(&self, item: &InboxItem, now: DateTime<Utc>) -> Vec<SlaBreach> {
        if !self.applies(item) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for kind in [SlaKind::FirstResponse, SlaKind::Resolution] {
            let Some(due) = self.due(item, kind) else {
                continue;
            };
            let end = self.stopped_at(item, kind).unwrap_or(now);
            if end >= due {
                out.push(SlaBreach {
                    item: item.key.clone(),
                    channel: item.channel.clone(),
                    assignee: item.assignee.clone(),
                    kind,
                    target: self.target(kind),
                    elapsed: self.hours.between(item.opened_at(), end),
                    due,
                    detected_at: now,
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
        // Nearest rank ⌈p·n⌉ in integers (stores compute the same in SQL).
        let n = values.len();
        Some(Stats {
            count: n,
            median: values[n.div_ceil(2) - 1],
            p90: values[(9 * n).div_ceil(10) - 1],
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

/// SLA statistics per channel and per member (business time). A channel or member appears
/// once one of its items has a first response or a resolution.
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
            if fr.is_none() && rs.is_none() {
                continue;
            }
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

#[cfg(test)]
#[path = "sla_tests.rs"]
mod tests;
