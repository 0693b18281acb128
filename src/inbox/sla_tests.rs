//! [`BusinessHours::deadline`] inverts [`BusinessHours::between`]: property tests over time
//! zones with DST (including Lord Howe's half-hour shift), random opening hours and holidays.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::BusinessHours;

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "UTC",
];

fn hours_strategy() -> impl Strategy<Value = BusinessHours> {
    (
        0..ZONES.len(),
        proptest::collection::vec(proptest::option::of((0u32..20, 1u32..10, 0u32..2)), 7),
        proptest::collection::btree_set(0i64..800, 0..12),
    )
        .prop_map(|(zone, week, holidays)| {
            let tz: Tz = ZONES[zone].parse().unwrap();
            let mut h = BusinessHours::weekdays(tz, 9, 17);
            for (i, d) in week.into_iter().enumerate() {
                h.week[i] = d.map(|(open, len, half)| {
                    let o = NaiveTime::from_hms_opt(open, 30 * half, 0).unwrap();
                    let close = (open + len).min(23);
                    let c = if close > open {
                        NaiveTime::from_hms_opt(close, 0, 0).unwrap()
                    } else {
                        NaiveTime::from_hms_opt(23, 59, 59).unwrap()
                    };
                    (o, c)
                });
            }
            let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            h.with_holidays(holidays.into_iter().map(|d| base + Duration::days(d)))
        })
}

fn start_strategy() -> impl Strategy<Value = DateTime<Utc>> {
    // 2026 and 2027, to the nanosecond.
    (0i64..(2 * 365 * 86_400), 0i64..1_000_000_000).prop_map(|(s, ns)| {
        "2026-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
            + Duration::seconds(s)
            + Duration::nanoseconds(ns)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn deadline_inverts_between(
        hours in hours_strategy(),
        start in start_strategy(),
        secs in 0i64..(200 * 3600),
    ) {
        let d = Duration::seconds(secs);
        match hours.deadline(start, d) {
            Some(due) => {
                prop_assert!(due >= start);
                prop_assert_eq!(hours.between(start, due), d);
                if d > Duration::zero() {
                    // The earliest such instant: a nanosecond before, less has elapsed.
                    prop_assert!(hours.between(start, due - Duration::nanoseconds(1)) < d);
                }
            }
            None => prop_assert!(hours.week.iter().all(|w| w.is_none_or(|(o, c)| c <= o))),
        }
    }

    #[test]
    fn latest_at_is_where_the_clock_moves_past(
        hours in hours_strategy(),
        start in start_strategy(),
        secs in 0i64..(200 * 3600),
    ) {
        let d = Duration::seconds(secs);
        if let Some(due) = hours.latest_at(start, d) {
            prop_assert!(due >= hours.deadline(start, d).unwrap());
            prop_assert_eq!(hours.between(start, due), d);
            // A nanosecond later the clock has moved past the target.
            prop_assert!(hours.between(start, due + Duration::nanoseconds(1)) > d);
        } else {
            prop_assert!(hours.week.iter().all(|w| w.is_none_or(|(o, c)| c <= o)));
        }
    }

    #[test]
    fn deadline_is_monotone_and_additive(
        hours in hours_strategy(),
        start in start_strategy(),
        a in 0i64..(60 * 3600),
        b in 0i64..(60 * 3600),
    ) {
        let (a, b) = (Duration::seconds(a), Duration::seconds(b));
        if let (Some(da), Some(dab)) = (hours.deadline(start, a), hours.deadline(start, a + b)) {
            prop_assert!(da <= dab);
            // Going a, then b more, lands where a + b lands (when b > 0; with b = 0 the
            // earliest instant is da itself).
            if b > Duration::zero() {
                prop_assert_eq!(hours.deadline(da, b), Some(dab));
            }
        }
    }
}

#[test]
fn deadline_over_the_spring_forward_night_of_a_24_hour_desk() {
    // A desk open around the clock in Berlin; the night of 2026-03-29 has 23 hours.
    let mut all = BusinessHours::weekdays("Europe/Berlin".parse().unwrap(), 9, 17);
    all.week = [Some((NaiveTime::MIN, NaiveTime::from_hms_opt(23, 59, 59).unwrap())); 7];
    let start: DateTime<Utc> = "2026-03-28T23:00:00Z".parse().unwrap(); // Sunday 00:00 CET
    // 23 hours less the second before midnight that the desk is closed.
    let due = all
        .deadline(start, Duration::seconds(23 * 3600 - 1))
        .unwrap();
    assert_eq!(
        due,
        "2026-03-29T21:59:59Z".parse::<DateTime<Utc>>().unwrap()
    );
}

#[test]
fn no_deadline_when_the_hours_never_open() {
    let mut h = BusinessHours::weekdays(Tz::UTC, 9, 17);
    h.week = [None; 7];
    let start = "2026-03-02T09:00:00Z".parse().unwrap();
    assert_eq!(h.deadline(start, Duration::hours(1)), None);
    assert_eq!(h.deadline(start, Duration::zero()), Some(start));
}
