//! Volume and sentiment series: interactions counted per fixed-width UTC bucket, with their
//! sentiment mix.
//!
//! Buckets are aligned to the Unix epoch (a 1-hour bucket starts on the hour UTC, a 1-day
//! bucket at 00:00 UTC); [`Series::buckets`] fills gaps with empty buckets, so the series is
//! regular and ready for [`crate::listen::anomaly`].
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use socialkit::listen::series::Series;
//! let mut s = Series::new(Duration::hours(1)).unwrap();
//! let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 9, 15, 0).unwrap();
//! s.add(t0, Some(0.6));
//! s.add(t0 + Duration::minutes(10), Some(-0.7));
//! s.add(t0 + Duration::hours(2), None);
//! let b = s.buckets();
//! assert_eq!(b.len(), 3);
//! assert_eq!(b[0].start, Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap());
//! assert_eq!((b[0].count, b[1].count, b[2].count), (2, 0, 1));
//! assert_eq!(b[0].negative_share(), Some(0.5));
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::listen::classify::Classifier;
use crate::listen::query::Query;
use crate::listen::sentiment::Polarity;
use crate::model::Interaction;

/// One time bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Start of the bucket (UTC, inclusive).
    pub start: DateTime<Utc>,
    /// Interactions in it.
    pub count: u64,
    /// Of those with a sentiment score: how many were positive.
    pub positive: u64,
    /// … neutral.
    pub neutral: u64,
    /// … negative.
    pub negative: u64,
    /// Sum of compound scores (for the mean).
    pub compound_sum: f64,
}

impl Bucket {
    fn empty(start: DateTime<Utc>) -> Bucket {
        Bucket {
            start,
            count: 0,
            positive: 0,
            neutral: 0,
            negative: 0,
            compound_sum: 0.0,
        }
    }

    /// Interactions that had a sentiment score.
    pub fn scored(&self) -> u64 {
        self.positive + self.neutral + self.negative
    }

    /// Share of scored interactions that were negative; `None` without any.
    pub fn negative_share(&self) -> Option<f64> {
        let n = self.scored();
        (n > 0).then(|| self.negative as f64 / n as f64)
    }

    /// Mean compound score; `None` without any scored interaction.
    pub fn mean_sentiment(&self) -> Option<f64> {
        let n = self.scored();
        (n > 0).then(|| self.compound_sum / n as f64)
    }
}

/// Counts per bucket, sparse in memory, dense when read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    width_secs: i64,
    buckets: BTreeMap<i64, Bucket>,
}

impl Series {
    /// An empty series with buckets of `width` (at least one second).
    ///
    /// ```
    /// assert!(socialkit::listen::series::Series::new(chrono::Duration::zero()).is_err());
    /// ```
    pub fn new(width: Duration) -> Result<Series> {
        let width_secs = width.num_seconds();
        if width_secs < 1 {
            return Err(Error::validation(
                "a series bucket must be at least one second wide",
            ));
        }
        Ok(Series {
            width_secs,
            buckets: BTreeMap::new(),
        })
    }

    /// The bucket width.
    pub fn width(&self) -> Duration {
        Duration::seconds(self.width_secs)
    }

    fn index(&self, at: DateTime<Utc>) -> i64 {
        at.timestamp().div_euclid(self.width_secs)
    }

    fn start_of(&self, index: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(index.saturating_mul(self.width_secs), 0)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The start of the bucket `at` falls in.
    pub fn bucket_start(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.start_of(self.index(at))
    }

    /// Counts one interaction at `at`, with its compound sentiment when known.
    pub fn add(&mut self, at: DateTime<Utc>, compound: Option<f64>) {
        let idx = self.index(at);
        let start = self.start_of(idx);
        let b = self
            .buckets
            .entry(idx)
            .or_insert_with(|| Bucket::empty(start));
        b.count += 1;
        if let Some(c) = compound.filter(|c| c.is_finite()) {
            match Polarity::of(c) {
                Polarity::Positive => b.positive += 1,
                Polarity::Neutral => b.neutral += 1,
                Polarity::Negative => b.negative += 1,
            }
            b.compound_sum += c;
        }
    }

    /// The buckets from the first to the last one seen, gaps filled with empty buckets (at most
    /// `max` buckets from the end, to bound a series with a far-off outlier timestamp).
    pub fn buckets(&self) -> Vec<Bucket> {
        self.buckets_limited(1_000_000)
    }

    /// Like [`Series::buckets`], at most `max` buckets (the most recent ones).
    pub fn buckets_limited(&self, max: usize) -> Vec<Bucket> {
        let (Some((&first, _)), Some((&last, _))) = (
            self.buckets.first_key_value(),
            self.buckets.last_key_value(),
        ) else {
            return Vec::new();
        };
        let span = (last - first) as u64 + 1;
        let first = if span > max as u64 {
            last - max as i64 + 1
        } else {
            first
        };
        (first..=last)
            .map(|i| {
                self.buckets
                    .get(&i)
                    .copied()
                    .unwrap_or_else(|| Bucket::empty(self.start_of(i)))
            })
            .collect()
    }

    /// `(bucket start, count)` pairs, dense.
    pub fn volume(&self) -> Vec<(DateTime<Utc>, f64)> {
        self.buckets()
            .iter()
            .map(|b| (b.start, b.count as f64))
            .collect()
    }

    /// `(bucket start, negative share)` pairs, dense; `None` for buckets without scores.
    pub fn negative_share(&self) -> Vec<(DateTime<Utc>, Option<f64>)> {
        self.buckets()
            .iter()
            .map(|b| (b.start, b.negative_share()))
            .collect()
    }

    /// Builds the series of the interactions that match `query`, scored by `classifier` (which
    /// picks each interaction's language).
    ///
    /// ```
    /// use chrono::{Duration, Utc};
    /// use socialkit::listen::{classify::Classifier, query::Query, series::Series};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let mk = |id: &str, text: &str| Interaction {
    ///     reference: InteractionRef::new("sandbox", id), kind: InteractionKind::Mention,
    ///     author: Author::default(), text: Some(text.into()), created_at: Utc::now(),
    ///     post: None, conversation: None, language: None,
    /// };
    /// let all = [mk("1", "acme is awful"), mk("2", "lunch"), mk("3", "love acme")];
    /// let s = Series::for_query(&Query::parse("acme").unwrap(), &all, &Classifier::default(), Duration::days(1)).unwrap();
    /// let b = s.buckets();
    /// assert_eq!(b.iter().map(|b| b.count).sum::<u64>(), 2);
    /// ```
    pub fn for_query(
        query: &Query,
        interactions: &[Interaction],
        classifier: &Classifier,
        width: Duration,
    ) -> Result<Series> {
        let mut s = Series::new(width)?;
        for i in interactions.iter().filter(|i| query.matches(i)) {
            let compound = i
                .text
                .as_ref()
                .map(|_| classifier.classify(i).sentiment.compound);
            s.add(i.created_at, compound);
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn buckets_align_to_utc_and_handle_pre_epoch() {
        let mut s = Series::new(Duration::days(1)).unwrap();
        let t = Utc.with_ymd_and_hms(1969, 12, 31, 23, 0, 0).unwrap();
        s.add(t, None);
        assert_eq!(
            s.buckets()[0].start,
            Utc.with_ymd_and_hms(1969, 12, 31, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn far_apart_timestamps_are_bounded() {
        let mut s = Series::new(Duration::seconds(1)).unwrap();
        s.add(DateTime::<Utc>::MIN_UTC, None);
        s.add(DateTime::<Utc>::MAX_UTC, Some(f64::NAN));
        assert_eq!(s.buckets_limited(10).len(), 10);
    }
}
