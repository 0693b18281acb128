//! Planning in people's time zones; storing in UTC.
//!
//! People say "Monday 09:00 in Berlin"; the store keeps the UTC instant. Two local times need a
//! rule, because daylight saving time makes some local times not exist and others exist twice.
//! socialkit's rule, the same everywhere ([`resolve_local`]):
//!
//! - **Spring forward (a gap)**: a local time that does not exist — 02:30 on the night clocks
//!   jump from 02:00 to 03:00 — becomes **the first valid instant after the gap**: 03:00 local
//!   time (Europe/Berlin 2026-03-29 02:30 → 03:00 CEST = 01:00 UTC). Every time inside the gap
//!   lands on the same instant; the post goes out as soon as the clock allows, never skipped.
//! - **Fall back (an overlap)**: a local time that exists twice — 02:30 on the night clocks go
//!   from 03:00 back to 02:00 — is **the earlier of the two instants** (the first occurrence,
//!   still on summer time: Europe/Berlin 2026-10-25 02:30 → 02:30 CEST = 00:30 UTC). A daily
//!   02:30 recurrence publishes once that night, not twice.
//!
//! A [`Recurrence`] ("every Monday and Thursday 09:00 Europe/Berlin") yields each occurrence at
//! that local wall-clock time, so 09:00 stays 09:00 across DST (08:00 UTC in winter, 07:00 UTC
//! in summer), with gap and overlap resolved as above.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{Engine, Submitted};
use crate::model::Post;
use crate::store::{ChannelId, WorkspaceId};
use crate::{Error, Result};

// One rule for local times everywhere (engine, strategy, SLA): it lives in `clock`.
pub use crate::clock::resolve_local;

/// A repeating publication time: on some weekdays, at a local time, in an IANA zone.
///
/// ```
/// use socialkit::engine::schedule::Recurrence;
/// let r = Recurrence::parse("every Monday and Thursday 09:00 Europe/Berlin").unwrap();
/// let after = "2026-03-24T00:00:00Z".parse().unwrap();
/// let next: Vec<String> = r.occurrences(after).take(3).map(|t| t.to_rfc3339()).collect();
/// // Thursday in winter (UTC+1), then Monday and Thursday in summer time (UTC+2).
/// assert_eq!(next, [
///     "2026-03-26T08:00:00+00:00",
///     "2026-03-30T07:00:00+00:00",
///     "2026-04-02T07:00:00+00:00",
/// ]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// The weekdays, Monday first.
    pub days: Vec<Weekday>,
    /// The local wall-clock time.
    pub time: NaiveTime,
    /// The zone.
    pub zone: Tz,
}

const ALL_DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

impl Recurrence {
    /// On `days` at `time` in `zone`.
    ///
    /// ```
    /// use chrono::{NaiveTime, Weekday};
    /// use socialkit::engine::schedule::Recurrence;
    /// let r = Recurrence::weekly(&[Weekday::Thu, Weekday::Mon, Weekday::Mon], NaiveTime::from_hms_opt(9, 0, 0).unwrap(), chrono_tz::Europe::Berlin);
    /// assert_eq!(r.days, [Weekday::Mon, Weekday::Thu]);
    /// ```
    pub fn weekly(days: &[Weekday], time: NaiveTime, zone: Tz) -> Self {
        let mut days: Vec<Weekday> = ALL_DAYS.into_iter().filter(|d| days.contains(d)).collect();
        days.dedup();
        Recurrence { days, time, zone }
    }

    /// Every day at `time` in `zone`.
    ///
    /// ```
    /// use chrono::NaiveTime;
    /// use socialkit::engine::schedule::Recurrence;
    /// let r = Recurrence::daily(NaiveTime::from_hms_opt(18, 0, 0).unwrap(), chrono_tz::America::New_York);
    /// assert_eq!(r.days.len(), 7);
    /// ```
    pub fn daily(time: NaiveTime, zone: Tz) -> Self {
        Recurrence::weekly(&ALL_DAYS, time, zone)
    }

    /// Parses `every <days> <HH:MM> <Zone>`, where days are weekday names (`Monday`, `mon`,
    /// `Mondays`) joined by `,` or `and`, or `day`, `weekday`, `weekend`.
    ///
    /// ```
    /// use socialkit::engine::schedule::Recurrence;
    /// assert_eq!(Recurrence::parse("every weekday 18:30 America/New_York").unwrap().days.len(), 5);
    /// assert_eq!(Recurrence::parse("every Mon, Wed and Fri 12:00 UTC").unwrap().days.len(), 3);
    /// assert!(Recurrence::parse("every Funday 09:00 Europe/Berlin").is_err());
    /// assert!(Recurrence::parse("every Monday 09:00 Mars/Olympus").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        let bad =
            |why: &str| Error::validation(format!("cannot read the recurrence \"{s}\": {why}"));
        let words: Vec<&str> = s
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() < 4 || !words[0].eq_ignore_ascii_case("every") {
            return Err(bad("expected `every <days> <HH:MM> <Zone>`"));
        }
        let zone: Tz = words[words.len() - 1]
            .parse()
            .map_err(|_| bad("unknown IANA time zone"))?;
        let time = NaiveTime::parse_from_str(words[words.len() - 2], "%H:%M")
            .map_err(|_| bad("expected a time like 09:00"))?;
        let mut days = Vec::new();
        for w in &words[1..words.len() - 2] {
            let w = w.to_ascii_lowercase();
            match w.as_str() {
                "and" => {}
                "day" | "days" => days.extend(ALL_DAYS),
                "weekday" | "weekdays" => days.extend(&ALL_DAYS[..5]),
                "weekend" | "weekends" => days.extend(&ALL_DAYS[5..]),
                _ => {
                    let d = w
                        .parse::<Weekday>()
                        .or_else(|_| w.trim_end_matches('s').parse::<Weekday>())
                        .map_err(|_| bad(&format!("unknown day \"{w}\"")))?;
                    days.push(d);
                }
            }
        }
        if days.is_empty() {
            return Err(bad("no days given"));
        }
        Ok(Recurrence::weekly(&days, time, zone))
    }

    /// The occurrence on local date `date`, if that date's weekday is one of the days.
    pub fn on(&self, date: NaiveDate) -> Option<DateTime<Utc>> {
        self.days
            .contains(&date.weekday())
            .then(|| resolve_local(self.zone, date.and_time(self.time)))
    }

    /// The occurrences strictly after `after`, in order (endless).
    pub fn occurrences(&self, after: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        // Start a day early: a local date can begin before `after` in UTC.
        let start = after.with_timezone(&self.zone).date_naive() - Duration::days(1);
        let days_ok = !self.days.is_empty();
        start
            .iter_days()
            .take_while(move |_| days_ok)
            .filter_map(|d| self.on(d))
            .filter(move |t| *t > after)
    }

    /// The occurrences in `(after, until]`.
    ///
    /// ```
    /// use socialkit::engine::schedule::Recurrence;
    /// let r = Recurrence::parse("every day 02:30 Europe/Berlin").unwrap();
    /// // The night clocks go back, 02:30 happens twice: published once, at the first.
    /// let got = r.between("2026-10-24T12:00:00Z".parse().unwrap(), "2026-10-25T12:00:00Z".parse().unwrap());
    /// assert_eq!(got.len(), 1);
    /// assert_eq!(got[0].to_rfc3339(), "2026-10-25T00:30:00+00:00");
    /// ```
    pub fn between(&self, after: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        self.occurrences(after)
            .take_while(|t| *t <= until)
            .collect()
    }
}

/// The most occurrences one call to [`Engine::schedule_recurring`] plans.
pub const MAX_PLANNED: usize = 1000;

impl Engine {
    /// Plans a recurring post: one post per occurrence of `recurrence` after now and up to
    /// `until`, each submitted to `channels` (as [`Engine::submit`] does) with its UTC instant as
    /// `scheduled_at`. Refuses more than [`MAX_PLANNED`] occurrences.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::ManualClock;
    /// use socialkit::adapters::sandbox::Sandbox;
    /// use socialkit::engine::{Engine, schedule::Recurrence};
    /// use socialkit::model::Post;
    /// use socialkit::store::{ChannelRecord, MemoryStore};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let clock = ManualClock::new("2026-03-23T00:00:00Z".parse().unwrap());
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).clock(Arc::new(clock.clone())).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// let acme = Sandbox::from_url("sandbox://engine-doc-weekly").unwrap();
    /// engine.connect(&ws, "olga", ChannelRecord::new("c", "sandbox"), acme).await.unwrap();
    /// let every = Recurrence::parse("every Monday and Thursday 09:00 Europe/Berlin").unwrap();
    /// let planned = engine
    ///     .schedule_recurring(&ws, "olga", Post::text("Weekly tip"), &["c".into()], &every, "2026-04-05T00:00:00Z".parse().unwrap())
    ///     .await
    ///     .unwrap();
    /// assert_eq!(planned.len(), 4);
    /// assert_eq!(planned[1].deliveries[0].due_at.unwrap().to_rfc3339(), "2026-03-26T08:00:00+00:00");
    /// # });
    /// ```
    pub async fn schedule_recurring(
        &self,
        ws: &WorkspaceId,
        who: &str,
        post: Post,
        channels: &[ChannelId],
        recurrence: &Recurrence,
        until: DateTime<Utc>,
    ) -> Result<Vec<Submitted>> {
        let times: Vec<DateTime<Utc>> = recurrence
            .occurrences(self.now())
            .take_while(|t| *t <= until)
            .take(MAX_PLANNED + 1)
            .collect();
        if times.len() > MAX_PLANNED {
            return Err(Error::validation(format!(
                "more than {MAX_PLANNED} occurrences until {until}; plan a shorter span"
            )));
        }
        let mut out = Vec::with_capacity(times.len());
        for t in times {
            out.push(
                self.submit(ws, who, post.clone().scheduled_at(t), channels)
                    .await?,
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::Berlin;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn berlin_gap_and_overlap() {
        // 2026-03-29: 02:00 CET → 03:00 CEST at 01:00 UTC.
        for m in [0, 1, 30, 59] {
            assert_eq!(
                resolve_local(Berlin, local(2026, 3, 29, 2, m)),
                utc("2026-03-29T01:00:00Z")
            );
        }
        assert_eq!(
            resolve_local(Berlin, local(2026, 3, 29, 1, 59)),
            utc("2026-03-29T00:59:00Z")
        );
        assert_eq!(
            resolve_local(Berlin, local(2026, 3, 29, 3, 0)),
            utc("2026-03-29T01:00:00Z")
        );
        // 2026-10-25: 03:00 CEST → 02:00 CET at 01:00 UTC; 02:xx happens twice.
        assert_eq!(
            resolve_local(Berlin, local(2026, 10, 25, 2, 30)),
            utc("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            resolve_local(Berlin, local(2026, 10, 25, 3, 0)),
            utc("2026-10-25T02:00:00Z")
        );
    }

    #[test]
    fn new_york_gap_and_overlap() {
        // 2026-03-08: 02:00 EST → 03:00 EDT at 07:00 UTC.
        assert_eq!(
            resolve_local(New_York, local(2026, 3, 8, 2, 30)),
            utc("2026-03-08T07:00:00Z")
        );
        // 2026-11-01: 02:00 EDT → 01:00 EST at 06:00 UTC; 01:xx happens twice.
        assert_eq!(
            resolve_local(New_York, local(2026, 11, 1, 1, 30)),
            utc("2026-11-01T05:30:00Z")
        );
        assert_eq!(
            resolve_local(New_York, local(2026, 11, 1, 2, 30)),
            utc("2026-11-01T07:30:00Z")
        );
    }

    #[test]
    fn weekly_keeps_the_wall_clock_across_dst_in_new_york() {
        let r = Recurrence::parse("every Monday 09:00 America/New_York").unwrap();
        let got = r.between(utc("2026-02-28T00:00:00Z"), utc("2026-03-17T00:00:00Z"));
        assert_eq!(
            got,
            [
                utc("2026-03-02T14:00:00Z"), // EST, UTC-5
                utc("2026-03-09T13:00:00Z"), // EDT, UTC-4
                utc("2026-03-16T13:00:00Z"),
            ]
        );
        let autumn = r.between(utc("2026-10-25T00:00:00Z"), utc("2026-11-10T00:00:00Z"));
        assert_eq!(
            autumn,
            [
                utc("2026-10-26T13:00:00Z"),
                utc("2026-11-02T14:00:00Z"),
                utc("2026-11-09T14:00:00Z")
            ]
        );
    }

    #[test]
    fn daily_in_the_gap_and_overlap_publishes_once_a_day() {
        let r = Recurrence::daily(NaiveTime::from_hms_opt(2, 30, 0).unwrap(), Berlin);
        let spring = r.between(utc("2026-03-27T12:00:00Z"), utc("2026-03-30T12:00:00Z"));
        assert_eq!(
            spring,
            [
                utc("2026-03-28T01:30:00Z"),
                utc("2026-03-29T01:00:00Z"),
                utc("2026-03-30T00:30:00Z")
            ]
        );
        let autumn = r.between(utc("2026-10-24T12:00:00Z"), utc("2026-10-26T12:00:00Z"));
        assert_eq!(
            autumn,
            [utc("2026-10-25T00:30:00Z"), utc("2026-10-26T01:30:00Z")]
        );
        let ny = Recurrence::daily(NaiveTime::from_hms_opt(1, 30, 0).unwrap(), New_York);
        let fall = ny.between(utc("2026-10-31T12:00:00Z"), utc("2026-11-02T12:00:00Z"));
        assert_eq!(
            fall,
            [utc("2026-11-01T05:30:00Z"), utc("2026-11-02T06:30:00Z")]
        );
    }

    #[test]
    fn occurrences_are_strictly_after_and_ordered() {
        let r = Recurrence::parse("every day 09:00 Europe/Berlin").unwrap();
        let at = utc("2026-06-01T07:00:00Z"); // exactly 09:00 CEST
        assert_eq!(r.occurrences(at).next(), Some(utc("2026-06-02T07:00:00Z")));
        let v: Vec<_> = r.occurrences(at).take(400).collect();
        assert!(v.windows(2).all(|w| w[0] < w[1]));
    }
}
