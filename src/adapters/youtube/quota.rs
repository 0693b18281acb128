//! The YouTube Data API's daily quota, as the scheduler sees it. Source: "Quota costs"
//! <https://developers.google.com/youtube/v3/determine_quota_cost>: a project has 10,000
//! units a day for all methods but `videos.insert` and `search.list`, which have their own
//! buckets of 100 calls a day; every request costs at least one unit, invalid ones too;
//! quotas reset at midnight Pacific Time. (Earlier versions of the same page charged
//! `videos.insert` 1,600 units from the shared pool; [`QuotaConfig::upload_units`] keeps that
//! accounting for projects still on it.)
//!
//! A call that would exceed what is left is refused **before it is sent** with
//! `RateLimited` and `retry_after` at the next reset, so the engine defers the delivery to
//! the reset instead of failing the post; a `403 quotaExceeded` from YouTube (the quota is
//! per Cloud project, other processes spend it too) marks the quota used up until the reset
//! the same way. The reset is midnight in the IANA zone `America/Los_Angeles`: 07:00 UTC in
//! summer, 08:00 UTC in winter, and the days of the DST changes are 23 and 25 hours long.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use socialkit::adapters::youtube::quota::next_reset;
//! let summer = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
//! assert_eq!(next_reset(summer), Utc.with_ymd_and_hms(2026, 7, 2, 7, 0, 0).unwrap());
//! let winter = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
//! assert_eq!(next_reset(winter), Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap());
//! ```

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::America::Los_Angeles;
use serde::{Deserialize, Serialize};

use super::PLATFORM;
use crate::clock::resolve_local;
use crate::{Error, ErrorKind, Result};

/// The daily budgets of the Cloud project (raise them in the Cloud console's quota page and
/// here alike).
///
/// ```
/// let q = socialkit::adapters::youtube::quota::QuotaConfig::default();
/// assert_eq!((q.daily_units, q.daily_uploads, q.upload_units), (10_000, 100, 0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaConfig {
    /// Units a day for every method but uploads (10,000 by default).
    #[serde(default = "default_units")]
    pub daily_units: u32,
    /// `videos.insert` calls a day (100 by default).
    #[serde(default = "default_uploads")]
    pub daily_uploads: u32,
    /// Units an upload also takes from `daily_units`: 0 on the current quota page, 1,600 on
    /// the older one.
    #[serde(default)]
    pub upload_units: u32,
}

fn default_units() -> u32 {
    10_000
}

fn default_uploads() -> u32 {
    100
}

impl Default for QuotaConfig {
    fn default() -> Self {
        QuotaConfig {
            daily_units: default_units(),
            daily_uploads: default_uploads(),
            upload_units: 0,
        }
    }
}

/// What a method costs (the quota page's table).
///
/// ```
/// use socialkit::adapters::youtube::quota::Cost;
/// assert_eq!(Cost::LIST.units, 1);
/// assert_eq!(Cost::WRITE.units, 50);
/// assert_eq!(Cost::UPLOAD.uploads, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Units from the shared pool.
    pub units: u32,
    /// Calls from the upload bucket.
    pub uploads: u32,
}

impl Cost {
    /// `*.list` (videos, channels, playlistItems, commentThreads, comments): 1 unit.
    pub const LIST: Cost = Cost {
        units: 1,
        uploads: 0,
    };
    /// `comments.insert`, `comments.delete`, `commentThreads.insert`, `videos.delete`,
    /// `videos.update`, `thumbnails.set`: 50 units.
    pub const WRITE: Cost = Cost {
        units: 50,
        uploads: 0,
    };
    /// `videos.insert`: one call of the upload bucket (plus
    /// [`QuotaConfig::upload_units`]).
    pub const UPLOAD: Cost = Cost {
        units: 0,
        uploads: 1,
    };
}

/// The next quota reset after `now`: the next midnight in `America/Los_Angeles`.
pub fn next_reset(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = quota_day(now);
    let tomorrow = today.succ_opt().unwrap_or(today);
    resolve_local(Los_Angeles, tomorrow.and_time(chrono::NaiveTime::MIN))
}

/// The quota day `now` falls in (the Pacific date).
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use socialkit::adapters::youtube::quota::quota_day;
/// // 06:59 UTC on 2 July is still 1 July in California.
/// let t = Utc.with_ymd_and_hms(2026, 7, 2, 6, 59, 0).unwrap();
/// assert_eq!(quota_day(t), NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
/// ```
pub fn quota_day(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Los_Angeles).date_naive()
}

#[derive(Debug, Default)]
struct Spent {
    day: Option<NaiveDate>,
    units: u32,
    uploads: u32,
    /// YouTube said the quota is used up (until the reset of that day).
    exhausted: bool,
}

/// The quota left today, shared by every channel of one Cloud project (pass one
/// `Arc<Quota>` to each adapter with [`Youtube::with_quota`](super::Youtube::with_quota)).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use socialkit::adapters::youtube::quota::{Cost, Quota, QuotaConfig};
/// let q = Quota::new(QuotaConfig { daily_units: 60, ..QuotaConfig::default() });
/// let now = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
/// q.reserve(now, Cost::WRITE, "delete").unwrap();
/// let e = q.reserve(now, Cost::WRITE, "delete").unwrap_err();
/// assert_eq!(e.kind(), socialkit::ErrorKind::RateLimited);
/// assert_eq!(e.retry_after(), Some(Utc.with_ymd_and_hms(2026, 7, 2, 7, 0, 0).unwrap()));
/// // A new Pacific day, a new budget.
/// q.reserve(Utc.with_ymd_and_hms(2026, 7, 2, 7, 0, 0).unwrap(), Cost::WRITE, "delete").unwrap();
/// ```
#[derive(Debug)]
pub struct Quota {
    config: QuotaConfig,
    spent: Mutex<Spent>,
}

impl Quota {
    /// A fresh budget.
    pub fn new(config: QuotaConfig) -> Self {
        Quota {
            config,
            spent: Mutex::new(Spent::default()),
        }
    }

    /// The budgets.
    pub fn config(&self) -> QuotaConfig {
        self.config
    }

    fn spent_today(&self, now: DateTime<Utc>) -> std::sync::MutexGuard<'_, Spent> {
        let mut s = self.spent.lock().unwrap_or_else(|p| p.into_inner());
        let today = quota_day(now);
        if s.day != Some(today) {
            *s = Spent {
                day: Some(today),
                ..Spent::default()
            };
        }
        s
    }

    /// Units and uploads left today.
    ///
    /// ```
    /// use socialkit::adapters::youtube::quota::{Quota, QuotaConfig};
    /// let q = Quota::new(QuotaConfig::default());
    /// assert_eq!(q.left(chrono::Utc::now()), (10_000, 100));
    /// ```
    pub fn left(&self, now: DateTime<Utc>) -> (u32, u32) {
        let s = self.spent_today(now);
        if s.exhausted {
            return (0, 0);
        }
        (
            self.config.daily_units.saturating_sub(s.units),
            self.config.daily_uploads.saturating_sub(s.uploads),
        )
    }

    /// Takes `cost` from today's budget, or refuses (nothing is sent) with `RateLimited`
    /// until the next reset.
    pub fn reserve(&self, now: DateTime<Utc>, cost: Cost, operation: &'static str) -> Result<()> {
        let mut s = self.spent_today(now);
        let units = cost.units + cost.uploads * self.config.upload_units;
        let over_units = s.units.saturating_add(units) > self.config.daily_units;
        let over_uploads = s.uploads.saturating_add(cost.uploads) > self.config.daily_uploads;
        if s.exhausted || over_units || over_uploads {
            let what = if s.exhausted {
                "YouTube said the project's daily quota is used up"
            } else if over_uploads {
                "the project's daily videos.insert quota is used up"
            } else {
                "this call would exceed the project's daily YouTube quota"
            };
            return Err(Error::new(
                ErrorKind::RateLimited,
                format!(
                    "{what}; nothing was sent: it waits for the reset at midnight Pacific Time"
                ),
            )
            .with_platform(PLATFORM)
            .with_operation(operation)
            .with_platform_code("quotaExceeded")
            .with_retry_after(next_reset(now)));
        }
        s.units += units;
        s.uploads += cost.uploads;
        Ok(())
    }

    /// YouTube answered `quotaExceeded`: nothing more today.
    pub fn exhausted(&self, now: DateTime<Utc>) {
        self.spent_today(now).exhausted = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    /// The days of the DST changes: 2026-03-08 (spring forward, 23 hours) and 2026-11-01
    /// (fall back, 25 hours) in California.
    #[test]
    fn resets_follow_pacific_midnight_across_dst() {
        // Before spring forward: midnight PST (UTC-8) ends 7 March.
        assert_eq!(next_reset(utc(2026, 3, 7, 20, 0)), utc(2026, 3, 8, 8, 0));
        // The short day: it began at 08:00 UTC and ends at 07:00 UTC (PDT), 23 hours later.
        assert_eq!(next_reset(utc(2026, 3, 8, 8, 0)), utc(2026, 3, 9, 7, 0));
        assert_eq!(next_reset(utc(2026, 3, 9, 6, 59)), utc(2026, 3, 9, 7, 0));
        // The long day: 1 November began at 07:00 UTC (PDT) and ends at 08:00 UTC (PST).
        assert_eq!(next_reset(utc(2026, 11, 1, 7, 0)), utc(2026, 11, 2, 8, 0));
        assert_eq!(
            next_reset(utc(2026, 11, 2, 8, 0)) - utc(2026, 11, 2, 8, 0),
            chrono::Duration::hours(24)
        );
        // 07:30 UTC on 2 Nov is still 1 Nov in California (23:30 PST).
        assert_eq!(
            quota_day(utc(2026, 11, 2, 7, 30)),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
    }

    #[test]
    fn a_budget_is_spent_per_pacific_day_and_refused_before_sending() {
        let q = Quota::new(QuotaConfig {
            daily_units: 100,
            daily_uploads: 1,
            upload_units: 0,
        });
        // 23:30 PST on 1 November (the long day).
        let late = utc(2026, 11, 2, 7, 30);
        q.reserve(late, Cost::UPLOAD, "publish").unwrap();
        let e = q.reserve(late, Cost::UPLOAD, "publish").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after(), Some(utc(2026, 11, 2, 8, 0)));
        assert!(e.to_string().contains("nothing was sent"), "{e}");
        // Half an hour later it is a new day.
        q.reserve(utc(2026, 11, 2, 8, 0), Cost::UPLOAD, "publish")
            .unwrap();
        // Units and uploads are separate buckets; the older accounting charges both.
        let old = Quota::new(QuotaConfig {
            daily_units: 2000,
            daily_uploads: 100,
            upload_units: 1600,
        });
        old.reserve(late, Cost::UPLOAD, "publish").unwrap();
        assert_eq!(old.left(late), (400, 99));
        assert!(old.reserve(late, Cost::UPLOAD, "publish").is_err());
        // YouTube's own quotaExceeded closes the day.
        old.exhausted(late);
        assert!(old.reserve(late, Cost::LIST, "metrics").is_err());
        assert!(
            old.reserve(utc(2026, 11, 2, 8, 0), Cost::LIST, "metrics")
                .is_ok()
        );
    }
}
