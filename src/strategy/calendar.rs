//! The calendar: concrete slots over the campaign window, in each channel's local time, within
//! capacity, with per-channel spacing and blackout dates.
//!
//! ## Rules
//!
//! - **Weeks.** Plan week *w* is the 7 local days from `campaign.start + 7w` in the campaign's
//!   zone, as UTC instants (a week with a DST change is 167 or 169 hours long). The last week
//!   ends with the campaign. Each channel gets at most its cadence per plan week, so a week's
//!   slots never exceed the capacity (the cadences sum to at most the capacity).
//! - **Candidates.** Every local wall-clock hour (HH:00) of the channel's zone inside the week,
//!   mapped to UTC with the DST rule of [`localtime`](super::localtime): a time in a gap moves
//!   to the end of the gap, a time in an overlap is the earlier instant. A slot keeps the score
//!   of the hour it was planned for and shows the local time the clock shows; two planned
//!   hours that map to one instant never both get a slot (spacing).
//! - **Window.** Only instants in `[campaign start, campaign end)` and not before
//!   `now + capacity.lead_time_hours`.
//! - **Blackout.** No slot on a blackout date, read in the channel's zone.
//! - **Choice.** Candidates best first by the learned score of their hour of the week (ties to
//!   the earlier instant); a candidate is taken when it is at least the channel's minimum
//!   spacing from every slot the channel already has (also across weeks) and its local day has
//!   fewer than ⌈cadence ÷ 7⌉ slots of the channel (so posts spread over the week).
//! - **Pillars.** Each channel's slots, in time order, get pillars by largest deficit
//!   ([`mix::assign_pillars`](super::mix::assign_pillars)).
//!
//! ```
//! use socialkit::strategy::{plan, Inputs};
//! let inputs = Inputs::example();
//! let p = plan(&inputs, "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
//! let (start, end) = inputs.campaign.window(inputs.primary_zone());
//! assert!(p.calendar.iter().all(|s| s.at >= start && s.at < end));
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::localtime::{hour_of_week, resolve_local, start_of_day};
use super::mix::{Pillar, assign_pillars};
use crate::model::PlatformId;

/// One planned post: a channel, an instant, and what it carries.
///
/// ```
/// use socialkit::strategy::{plan, Inputs};
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// let s = &p.calendar[0];
/// assert_eq!(s.at, socialkit::strategy::localtime::resolve_local(s.zone, s.local));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    /// When, in UTC.
    pub at: DateTime<Utc>,
    /// The channel id.
    pub channel: String,
    /// The channel's platform.
    pub platform: PlatformId,
    /// The local wall-clock time the audience sees.
    pub local: NaiveDateTime,
    /// The zone of `local`.
    pub zone: Tz,
    /// The plan week, 0 first.
    pub week: u32,
    /// The planned hour of the week (0 = Monday 00:00): the hour of `local`, except for a
    /// slot moved out of a DST gap, which keeps the hour it was planned for.
    pub hour_of_week: usize,
    /// The learned score of that hour.
    pub score: f64,
    /// The content pillar.
    pub pillar: String,
    /// The language to post in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A channel as the calendar needs it.
///
/// ```
/// let c = socialkit::strategy::calendar::CalendarChannel {
///     id: "ig".into(), platform: "instagram".into(), zone: chrono_tz::Europe::Berlin,
///     language: None, posts_per_week: 3, min_spacing_minutes: 180, scores: vec![1.0; 168] };
/// assert_eq!(c.posts_per_week, 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarChannel {
    /// The channel id.
    pub id: String,
    /// Its platform.
    pub platform: PlatformId,
    /// Its audience's zone.
    pub zone: Tz,
    /// Its language.
    pub language: Option<String>,
    /// Its cadence.
    pub posts_per_week: u32,
    /// Minimum minutes between two of its slots.
    pub min_spacing_minutes: u32,
    /// Learned score per hour of the week (168 values).
    pub scores: Vec<f64>,
}

/// The window and rules of a calendar.
///
/// ```
/// use socialkit::strategy::calendar::CalendarRules;
/// let r = CalendarRules::new(chrono_tz::UTC,
///     chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
///     chrono::NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(),
///     "2026-03-01T00:00:00Z".parse().unwrap());
/// assert_eq!(r.weeks(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarRules {
    /// The campaign's zone (weeks are read in it).
    pub zone: Tz,
    /// First day.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// No slot before this instant (now + lead time).
    pub earliest: DateTime<Utc>,
    /// Days without slots, read in each channel's zone.
    pub blackout: BTreeSet<NaiveDate>,
}

impl CalendarRules {
    /// Rules without blackout dates.
    pub fn new(zone: Tz, start: NaiveDate, end: NaiveDate, earliest: DateTime<Utc>) -> Self {
        CalendarRules {
            zone,
            start,
            end,
            earliest,
            blackout: BTreeSet::new(),
        }
    }

    /// The number of plan weeks (the last may be short).
    pub fn weeks(&self) -> u32 {
        let days = (self.end - self.start).num_days() + 1;
        if days <= 0 {
            0
        } else {
            ((days + 6) / 7) as u32
        }
    }

    /// The UTC window `[start, end + 1 day)`.
    pub fn window(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let after = self.end.succ_opt().unwrap_or(self.end);
        (
            start_of_day(self.zone, self.start),
            start_of_day(self.zone, after),
        )
    }

    /// The UTC bounds of plan week `w`, clipped to the window.
    pub fn week_bounds(&self, w: u32) -> (DateTime<Utc>, DateTime<Utc>) {
        let (start, end) = self.window();
        let day = |n: i64| {
            self.start
                .checked_add_signed(Duration::days(n))
                .unwrap_or(self.end)
        };
        let a = start_of_day(self.zone, day(7 * i64::from(w))).max(start);
        let b = start_of_day(self.zone, day(7 * (i64::from(w) + 1))).min(end);
        (a, b)
    }
}

#[derive(Clone)]
struct Candidate {
    at: DateTime<Utc>,
    /// The local time the clock shows at `at`.
    local: NaiveDateTime,
    /// The hour of the week of the planned wall-clock time (differs from `local`'s only for a
    /// time moved out of a DST gap).
    how: usize,
}

/// The candidates of one zone in one week: one per local wall-clock hour, in time order. Two
/// wall-clock hours can share an instant (a gap hour and the hour after it); the spacing rule
/// keeps only one of them.
fn candidates(
    zone: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    blackout: &BTreeSet<NaiveDate>,
) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    if from >= to {
        return out;
    }
    let first = from.with_timezone(&zone).date_naive();
    let last = to.with_timezone(&zone).date_naive();
    let mut day = first.pred_opt().unwrap_or(first);
    let stop = last.succ_opt().unwrap_or(last);
    while day <= stop {
        for hour in 0..24 {
            let Some(wall) = day.and_hms_opt(hour, 0, 0) else {
                continue;
            };
            let at = resolve_local(zone, wall);
            if at < from || at >= to {
                continue;
            }
            let local = at.with_timezone(&zone).naive_local();
            if blackout.contains(&local.date()) {
                continue;
            }
            out.push(Candidate {
                at,
                local,
                how: hour_of_week(&wall),
            });
        }
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    out.sort_by_key(|c| c.at);
    out
}

/// Builds the calendar (see the module docs). Slots come sorted by instant, then channel.
///
/// ```
/// use chrono::NaiveDate;
/// use socialkit::strategy::calendar::{build_calendar, CalendarChannel, CalendarRules};
/// use socialkit::strategy::mix::MixRule;
/// let mut scores = vec![1.0; 168];
/// scores[24 + 19] = 3.0; // Tuesday 19:00 is the best hour
/// let ch = CalendarChannel { id: "x".into(), platform: "x".into(), zone: chrono_tz::Europe::Berlin,
///     language: None, posts_per_week: 1, min_spacing_minutes: 120, scores };
/// let rules = CalendarRules::new(chrono_tz::Europe::Berlin,
///     NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), NaiveDate::from_ymd_opt(2026, 4, 5).unwrap(),
///     "2026-03-01T00:00:00Z".parse().unwrap());
/// let slots = build_calendar(&[ch], &rules, &MixRule::EightyTwenty.pillars().unwrap());
/// assert_eq!(slots.len(), 5);
/// // Tuesday 19:00 in Berlin: 18:00 UTC in winter, 17:00 UTC after the DST change of 29 March.
/// assert_eq!(slots[0].at.to_rfc3339(), "2026-03-03T18:00:00+00:00");
/// assert_eq!(slots[4].at.to_rfc3339(), "2026-03-31T17:00:00+00:00");
/// ```
pub fn build_calendar(
    channels: &[CalendarChannel],
    rules: &CalendarRules,
    pillars: &[Pillar],
) -> Vec<Slot> {
    let (window_start, window_end) = rules.window();
    let mut taken: Vec<Vec<DateTime<Utc>>> = vec![Vec::new(); channels.len()];
    let mut slots: Vec<Slot> = Vec::new();
    for w in 0..rules.weeks() {
        let (a, b) = rules.week_bounds(w);
        let from = a.max(window_start).max(rules.earliest);
        let to = b.min(window_end);
        if from >= to {
            continue;
        }
        let mut by_zone: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
        for (ci, ch) in channels.iter().enumerate() {
            if ch.posts_per_week == 0 {
                continue;
            }
            let cands = by_zone
                .entry(ch.zone.name().to_string())
                .or_insert_with(|| candidates(ch.zone, from, to, &rules.blackout));
            let score = |c: &Candidate| ch.scores.get(c.how).copied().unwrap_or(0.0);
            let mut order: Vec<usize> = (0..cands.len()).collect();
            order.sort_by(|&x, &y| {
                score(&cands[y])
                    .total_cmp(&score(&cands[x]))
                    .then(cands[x].at.cmp(&cands[y].at))
            });
            let per_day = ch.posts_per_week.div_ceil(7).max(1) as usize;
            let spacing = Duration::minutes(i64::from(ch.min_spacing_minutes));
            let mut day_count: BTreeMap<NaiveDate, usize> = BTreeMap::new();
            let mut chosen = 0u32;
            for i in order {
                if chosen >= ch.posts_per_week {
                    break;
                }
                let c = &cands[i];
                let day = c.local.date();
                if day_count.get(&day).copied().unwrap_or(0) >= per_day {
                    continue;
                }
                let t = &mut taken[ci];
                let pos = t.partition_point(|x| *x < c.at);
                let too_close = |x: &DateTime<Utc>| *x == c.at || (c.at - *x).abs() < spacing;
                if t.get(pos).is_some_and(too_close)
                    || pos > 0 && t.get(pos - 1).is_some_and(too_close)
                {
                    continue;
                }
                t.insert(pos, c.at);
                *day_count.entry(day).or_insert(0) += 1;
                chosen += 1;
                slots.push(Slot {
                    at: c.at,
                    channel: ch.id.clone(),
                    platform: ch.platform.clone(),
                    local: c.local,
                    zone: ch.zone,
                    week: w,
                    hour_of_week: c.how,
                    score: score(c),
                    pillar: String::new(),
                    language: ch.language.clone(),
                });
            }
        }
    }
    slots.sort_by(|x, y| x.at.cmp(&y.at).then_with(|| x.channel.cmp(&y.channel)));
    // Pillars per channel, in time order.
    let mut per_channel: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in slots.iter().enumerate() {
        per_channel.entry(s.channel.as_str()).or_default().push(i);
    }
    let mut names = vec![String::new(); slots.len()];
    for idx in per_channel.values() {
        for (k, p) in assign_pillars(pillars, idx.len()).into_iter().enumerate() {
            if let (Some(i), Some(pillar)) = (idx.get(k), pillars.get(p)) {
                names[*i] = pillar.name.clone();
            }
        }
    }
    for (s, n) in slots.iter_mut().zip(names) {
        s.pillar = n;
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::mix::MixRule;

    fn rules(zone: Tz, start: (i32, u32, u32), end: (i32, u32, u32)) -> CalendarRules {
        CalendarRules::new(
            zone,
            NaiveDate::from_ymd_opt(start.0, start.1, start.2).unwrap(),
            NaiveDate::from_ymd_opt(end.0, end.1, end.2).unwrap(),
            "2020-01-01T00:00:00Z".parse().unwrap(),
        )
    }

    fn channel(zone: Tz, ppw: u32, best: &[usize]) -> CalendarChannel {
        let mut scores = vec![1.0; 168];
        for &h in best {
            scores[h] = 5.0;
        }
        CalendarChannel {
            id: "c".into(),
            platform: "x".into(),
            zone,
            language: Some("de".into()),
            posts_per_week: ppw,
            min_spacing_minutes: 120,
            scores,
        }
    }

    #[test]
    fn a_slot_in_the_spring_gap_moves_to_the_end_of_the_gap() {
        // Sunday 02:00 is the best hour; on 29 March 2026 it does not exist in Berlin.
        let berlin = chrono_tz::Europe::Berlin;
        let ch = channel(berlin, 1, &[6 * 24 + 2]);
        let r = rules(berlin, (2026, 3, 23), (2026, 3, 29));
        let slots = build_calendar(&[ch], &r, &MixRule::Thirds.pillars().unwrap());
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].at.to_rfc3339(), "2026-03-29T01:00:00+00:00");
        assert_eq!(slots[0].local.to_string(), "2026-03-29 03:00:00");
    }

    #[test]
    fn blackout_dates_have_no_slots() {
        let berlin = chrono_tz::Europe::Berlin;
        let ch = channel(berlin, 7, &[]);
        let mut r = rules(berlin, (2026, 4, 1), (2026, 4, 30));
        r.blackout
            .insert(NaiveDate::from_ymd_opt(2026, 4, 3).unwrap());
        let slots = build_calendar(&[ch], &r, &MixRule::Thirds.pillars().unwrap());
        assert!(
            slots
                .iter()
                .all(|s| s.local.date() != r.blackout.first().copied().unwrap())
        );
        assert!(!slots.is_empty());
    }

    #[test]
    fn a_day_gets_at_most_its_share() {
        let ny = chrono_tz::America::New_York;
        // Only Monday hours are good, but 3 posts/week must spread over 3 days.
        let ch = channel(ny, 3, &[9, 12, 15, 18]);
        let r = rules(ny, (2026, 6, 1), (2026, 6, 7));
        let slots = build_calendar(&[ch], &r, &MixRule::Thirds.pillars().unwrap());
        let days: BTreeSet<_> = slots.iter().map(|s| s.local.date()).collect();
        assert_eq!(slots.len(), 3);
        assert_eq!(days.len(), 3);
    }
}
