//! [`HighWater`]: reading a newest-first listing forward in time, for APIs that page from the
//! newest item back and have no "since" (YouTube's `commentThreads.list`, Google Business
//! Profile's `reviews.list`).
//!
//! The mark is the newest time read and the ids at that instant. A read pages back until it
//! meets the mark and keeps only what is newer. A read that must stop before the mark (its
//! page budget is spent) keeps the next page token and the mark to come, so the next read goes
//! on from there and nothing between is skipped; only a finished read moves the mark forward.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use socialkit::http::HighWater;
//! let t = |s| Utc.timestamp_opt(s, 0).unwrap();
//! let mut c = HighWater::parse("demo", None).unwrap();
//! // First read: two items, newest first.
//! for (at, id) in [(t(20), "b"), (t(10), "a")] {
//!     assert!(c.is_new(at, id));
//!     c.note_newest(at, id);
//! }
//! c.finish();
//! let mut c = HighWater::parse("demo", Some(&c.encode())).unwrap();
//! assert!(!c.is_new(t(20), "b") && !c.is_new(t(10), "a"));
//! assert!(c.is_new(t(20), "c"), "another item at the same instant");
//! assert!(c.is_new(t(30), "d"));
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Where a forward read of a newest-first listing stands (serialised as JSON into a page's
/// cursor). See the module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HighWater {
    /// Everything up to this instant was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<DateTime<Utc>>,
    /// The items at `mark` already read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<String>,
    /// A read that stopped before the mark: the page where it goes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// The newest item of the unfinished read: the mark once it is finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_mark: Option<DateTime<Utc>>,
    /// The items at `next_mark`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next_seen: Vec<String>,
}

impl HighWater {
    /// Reads a stored cursor (`None`: from the start); `platform` names it in the error.
    pub fn parse(platform: &str, cursor: Option<&str>) -> Result<HighWater> {
        match cursor {
            None => Ok(HighWater::default()),
            Some(s) => serde_json::from_str(s).map_err(|_| {
                Error::validation(format!(
                    "the {platform} interactions cursor is not one socialkit wrote"
                ))
                .with_platform(platform)
            }),
        }
    }

    /// Whether an item at `at` with `id` is newer than the mark.
    pub fn is_new(&self, at: DateTime<Utc>, id: &str) -> bool {
        match self.mark {
            None => true,
            Some(m) => at > m || (at == m && !self.seen.iter().any(|s| s == id)),
        }
    }

    /// Remembers an item read in this pass (the newest becomes the next mark).
    pub fn note_newest(&mut self, at: DateTime<Utc>, id: &str) {
        match self.next_mark {
            Some(m) if at < m => {}
            Some(m) if at == m => {
                if !self.next_seen.iter().any(|s| s == id) {
                    self.next_seen.push(id.to_string());
                }
            }
            _ => {
                self.next_mark = Some(at);
                self.next_seen = vec![id.to_string()];
            }
        }
    }

    /// The read met the mark (or the end of the listing): the mark moves to the newest item
    /// read.
    pub fn finish(&mut self) {
        if let Some(next) = self.next_mark.take() {
            if self.mark.is_none_or(|m| next > m) {
                self.mark = Some(next);
                self.seen = std::mem::take(&mut self.next_seen);
            } else if Some(next) == self.mark {
                for id in std::mem::take(&mut self.next_seen) {
                    if !self.seen.contains(&id) {
                        self.seen.push(id);
                    }
                }
            }
        }
        self.next_seen.clear();
        self.page = None;
    }

    /// The cursor as stored.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
