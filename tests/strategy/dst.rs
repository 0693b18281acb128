//! Slots in Europe/Berlin and America/New_York across both DST changes: local wall-clock
//! slots keep their local time, gaps move to the end of the gap, overlaps take the earlier
//! instant, and no week loses or doubles a slot.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use socialkit::strategy::calendar::{CalendarChannel, CalendarRules, Slot, build_calendar};
use socialkit::strategy::inputs::AudienceSegment;
use socialkit::strategy::mix::MixRule;
use socialkit::strategy::{Inputs, plan};

use crate::common::{date, utc};

fn slots(zone: Tz, best: &[usize], ppw: u32, from: NaiveDate, to: NaiveDate) -> Vec<Slot> {
    let mut scores = vec![1.0; 168];
    for (i, h) in best.iter().enumerate() {
        scores[*h] = 10.0 - i as f64;
    }
    let ch = CalendarChannel {
        id: "c".into(),
        platform: "x".into(),
        zone,
        language: None,
        posts_per_week: ppw,
        min_spacing_minutes: 60,
        scores,
    };
    let rules = CalendarRules::new(zone, from, to, utc("2020-01-01T00:00:00Z"));
    build_calendar(&[ch], &rules, &MixRule::Thirds.pillars().unwrap())
}

const SUN: usize = 6 * 24;
const TUE: usize = 24;

#[test]
fn berlin_evening_slots_keep_local_time_across_both_changes() {
    let berlin = chrono_tz::Europe::Berlin;
    let s = slots(berlin, &[TUE + 19], 1, date(2026, 3, 16), date(2026, 11, 1));
    let at = |d: &str| {
        s.iter()
            .find(|s| s.local.date().to_string() == d)
            .unwrap()
            .at
            .to_rfc3339()
    };
    assert_eq!(at("2026-03-24"), "2026-03-24T18:00:00+00:00"); // CET
    assert_eq!(at("2026-03-31"), "2026-03-31T17:00:00+00:00"); // CEST
    assert_eq!(at("2026-10-20"), "2026-10-20T17:00:00+00:00"); // CEST
    assert_eq!(at("2026-10-27"), "2026-10-27T18:00:00+00:00"); // CET
    assert!(
        s.iter()
            .all(|s| s.local.format("%a %H:%M").to_string() == "Tue 19:00")
    );
}

#[test]
fn berlin_gap_moves_to_the_end_of_the_gap_and_overlap_takes_the_earlier_instant() {
    let berlin = chrono_tz::Europe::Berlin;
    // Sunday 02:00 is the best hour: it does not exist on 29 March, exists twice on 25 October.
    let spring = slots(berlin, &[SUN + 2], 1, date(2026, 3, 23), date(2026, 3, 29));
    assert_eq!(spring.len(), 1);
    assert_eq!(spring[0].at.to_rfc3339(), "2026-03-29T01:00:00+00:00");
    assert_eq!(spring[0].local.to_string(), "2026-03-29 03:00:00");
    assert_eq!(
        spring[0].hour_of_week,
        SUN + 2,
        "keeps the hour it was planned for"
    );
    let autumn = slots(
        berlin,
        &[SUN + 2],
        1,
        date(2026, 10, 19),
        date(2026, 10, 25),
    );
    assert_eq!(autumn.len(), 1);
    assert_eq!(autumn[0].at.to_rfc3339(), "2026-10-25T00:00:00+00:00"); // 02:00 CEST
}

#[test]
fn a_gap_hour_and_the_hour_after_it_never_both_get_a_slot() {
    let berlin = chrono_tz::Europe::Berlin;
    // 02:00 and 03:00 on 29 March are one instant; asking for both gives one slot there.
    let s = slots(
        berlin,
        &[SUN + 2, SUN + 3],
        2,
        date(2026, 3, 23),
        date(2026, 3, 29),
    );
    let at_gap: Vec<_> = s
        .iter()
        .filter(|s| s.at == utc("2026-03-29T01:00:00Z"))
        .collect();
    assert_eq!(at_gap.len(), 1);
}

#[test]
fn new_york_gap_and_overlap() {
    let ny = chrono_tz::America::New_York;
    let spring = slots(ny, &[SUN + 2], 1, date(2026, 3, 2), date(2026, 3, 8));
    assert_eq!(spring[0].at.to_rfc3339(), "2026-03-08T07:00:00+00:00"); // 03:00 EDT
    let autumn = slots(ny, &[SUN + 1], 1, date(2026, 10, 26), date(2026, 11, 1));
    assert_eq!(autumn.len(), 1);
    assert_eq!(autumn[0].at.to_rfc3339(), "2026-11-01T05:00:00+00:00"); // 01:00 EDT, the first
    let evenings = slots(ny, &[TUE + 19], 1, date(2026, 10, 19), date(2026, 11, 8));
    let utc_times: Vec<String> = evenings.iter().map(|s| s.at.to_rfc3339()).collect();
    assert_eq!(
        utc_times,
        [
            "2026-10-20T23:00:00+00:00",
            "2026-10-27T23:00:00+00:00",
            "2026-11-04T00:00:00+00:00"
        ]
    );
}

#[test]
fn weeks_with_a_dst_change_are_167_and_169_hours_long() {
    let berlin = chrono_tz::Europe::Berlin;
    let r = CalendarRules::new(
        berlin,
        date(2026, 3, 23),
        date(2026, 11, 1),
        utc("2020-01-01T00:00:00Z"),
    );
    let (a, b) = r.week_bounds(0);
    assert_eq!(b - a, Duration::hours(167));
    let ny = chrono_tz::America::New_York;
    let r = CalendarRules::new(
        ny,
        date(2026, 10, 26),
        date(2026, 11, 1),
        utc("2020-01-01T00:00:00Z"),
    );
    let (a, b) = r.week_bounds(0);
    assert_eq!(b - a, Duration::hours(169));
}

fn plan_across(zone: Tz, start: NaiveDate, end: NaiveDate) -> socialkit::strategy::Plan {
    let mut inputs = Inputs::example();
    inputs.audience.segments = vec![AudienceSegment::new("a", "xx", zone, &["en"])];
    inputs.campaign.start = start;
    inputs.campaign.end = end;
    inputs.campaign.blackout_dates.clear();
    for g in &mut inputs.goals {
        g.deadline = end;
    }
    plan(&inputs, utc("2026-01-01T00:00:00Z")).unwrap()
}

#[test]
fn plans_keep_every_weeks_posts_across_dst_in_berlin_and_new_york() {
    for (zone, start, end) in [
        (
            chrono_tz::Europe::Berlin,
            date(2026, 3, 16),
            date(2026, 4, 12),
        ),
        (
            chrono_tz::Europe::Berlin,
            date(2026, 10, 12),
            date(2026, 11, 8),
        ),
        (
            chrono_tz::America::New_York,
            date(2026, 3, 2),
            date(2026, 3, 29),
        ),
        (
            chrono_tz::America::New_York,
            date(2026, 10, 19),
            date(2026, 11, 15),
        ),
    ] {
        let p = plan_across(zone, start, end);
        assert_eq!(p.campaign.zone, zone);
        for w in 0..p.campaign.weeks {
            let n = p.calendar.iter().filter(|s| s.week == w).count() as u32;
            assert_eq!(n, p.capacity.planned_per_week, "{zone} week {w}");
        }
        for s in &p.calendar {
            assert_eq!(s.zone, zone);
            assert_eq!(s.local, s.at.with_timezone(&zone).naive_local());
            // Every slot sits at its planned local hour (no slot of these plans is in a gap).
            assert_eq!(
                socialkit::strategy::localtime::hour_of_week(&s.local),
                s.hour_of_week
            );
        }
    }
}
