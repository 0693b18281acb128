//! Local wall-clock time in the audience's IANA zones, mapped to UTC instants.
//!
//! Plans are made in local time ("Tuesday 19:00 in Berlin") and stored as UTC instants. Daylight
//! saving time makes some local times not exist and others exist twice, so the mapping needs a
//! rule. It is the crate's one rule ([`crate::clock::resolve_local`]), the engine's and the SLA's too:
//!
//! - **Gap** (spring forward): a local time that does not exist becomes **the first valid
//!   instant after the gap**. Europe/Berlin 2026-03-29 02:00 → 03:00 CEST (01:00 UTC). A slot
//!   planned inside the gap is never skipped; it moves to the end of the gap, and if another
//!   slot of the same channel is already there the spacing rule drops the second.
//! - **Overlap** (fall back): a local time that exists twice is **the earlier instant** (still
//!   on summer time). Europe/Berlin 2026-10-25 02:00 → 02:00 CEST (00:00 UTC). Each local
//!   wall-clock hour therefore gives exactly one slot.
//!
//! Hours of the week count from Monday 00:00–01:00 local (index 0) to Sunday 23:00–24:00
//! (index 167), the sandbox's `ActivityProfile` convention.
//!
//! ```
//! use chrono::NaiveDate;
//! use socialkit::strategy::localtime::resolve_local;
//! let berlin = chrono_tz::Europe::Berlin;
//! let gap = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap().and_hms_opt(2, 0, 0).unwrap();
//! assert_eq!(resolve_local(berlin, gap).to_rfc3339(), "2026-03-29T01:00:00+00:00");
//! let overlap = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap().and_hms_opt(2, 0, 0).unwrap();
//! assert_eq!(resolve_local(berlin, overlap).to_rfc3339(), "2026-10-25T00:00:00+00:00");
//! ```

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// Hours in a week.
pub const HOURS_PER_WEEK: usize = 168;

/// The UTC instant of local time `local` in `zone` (gap → first instant after the gap;
/// overlap → the earlier instant): the crate's one rule, [`crate::clock::resolve_local`].
///
/// ```
/// use chrono::NaiveDate;
/// use socialkit::strategy::localtime::resolve_local;
/// let ny = chrono_tz::America::New_York;
/// let gap = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap().and_hms_opt(2, 30, 0).unwrap();
/// assert_eq!(resolve_local(ny, gap).to_rfc3339(), "2026-03-08T07:00:00+00:00");
/// let overlap = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(1, 30, 0).unwrap();
/// assert_eq!(resolve_local(ny, overlap).to_rfc3339(), "2026-11-01T05:30:00+00:00");
/// ```
pub use crate::clock::resolve_local;

/// The instant local midnight of `date` begins in `zone` (or the first instant of that day
/// when midnight falls in a gap).
///
/// ```
/// use socialkit::strategy::localtime::start_of_day;
/// let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
/// assert_eq!(start_of_day(chrono_tz::America::New_York, d).to_rfc3339(), "2026-01-15T05:00:00+00:00");
/// ```
pub fn start_of_day(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve_local(zone, date.and_time(chrono::NaiveTime::MIN))
}

/// The hour of the week (0 = Monday 00:00–01:00) of a local date-time.
///
/// ```
/// use socialkit::strategy::localtime::hour_of_week;
/// let tue_19 = chrono::NaiveDate::from_ymd_opt(2026, 3, 3).unwrap().and_hms_opt(19, 5, 0).unwrap();
/// assert_eq!(hour_of_week(&tue_19), 24 + 19);
/// ```
pub fn hour_of_week(local: &NaiveDateTime) -> usize {
    local.weekday().num_days_from_monday() as usize * 24 + local.hour() as usize
}

/// The hour of the week of an instant as read in `zone`.
///
/// ```
/// use socialkit::strategy::localtime::hour_of_week_at;
/// let at = "2026-03-02T08:00:00Z".parse().unwrap(); // Monday
/// assert_eq!(hour_of_week_at(chrono_tz::Europe::Berlin, at), 9);
/// ```
pub fn hour_of_week_at(zone: Tz, at: DateTime<Utc>) -> usize {
    hour_of_week(&at.with_timezone(&zone).naive_local())
}

/// A readable name of an hour of the week (`"Tue 19:00"`).
///
/// ```
/// assert_eq!(socialkit::strategy::localtime::hour_name(24 + 19), "Tue 19:00");
/// assert_eq!(socialkit::strategy::localtime::hour_name(167), "Sun 23:00");
/// ```
pub fn hour_name(hour_of_week: usize) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let h = hour_of_week % HOURS_PER_WEEK;
    format!("{} {:02}:00", DAYS[h / 24], h % 24)
}

/// The offset of `zone` from UTC at `at`, in whole hours (rounded to the nearest hour, so
/// zones such as Asia/Kolkata at +05:30 count as +6 hours of the week grid).
///
/// ```
/// use socialkit::strategy::localtime::offset_hours;
/// let winter = "2026-01-15T12:00:00Z".parse().unwrap();
/// assert_eq!(offset_hours(chrono_tz::America::New_York, winter), -5);
/// ```
pub fn offset_hours(zone: Tz, at: DateTime<Utc>) -> i64 {
    use chrono::Offset;
    let secs = zone
        .offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc() as i64;
    (secs as f64 / 3600.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_local_hour_of_a_dst_day_maps_to_one_instant() {
        let berlin = chrono_tz::Europe::Berlin;
        for (y, m, d, distinct) in [(2026, 3, 29, 23), (2026, 10, 25, 24)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let mut instants: Vec<_> = (0..24)
                .map(|h| resolve_local(berlin, date.and_hms_opt(h, 0, 0).unwrap()))
                .collect();
            instants.dedup();
            assert_eq!(instants.len(), distinct, "{date}");
        }
    }
}
