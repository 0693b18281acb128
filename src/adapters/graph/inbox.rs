//! Forward paging over interactions gathered from many posts (comments, replies).
//!
//! The Graph API has no single "notifications" list for a Page, an Instagram account or a
//! Threads profile: comments live under each post. The adapters scan the account's recent
//! posts (following Graph cursors within each post's list) and hand everything they found to
//! [`page`], which pages forward in time with a [`Watermark`] cursor: the newest creation time
//! returned so far plus the ids returned at exactly that second (Graph times have one-second
//! precision). Nothing is returned twice and nothing created later is skipped.

use base64::Engine as _;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Interaction, InteractionQuery, Page};
use crate::{Error, Result};

/// The position of an interaction reader: everything up to `t` (seconds since the epoch) has
/// been returned, and of the interactions created at `t` those in `ids`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Watermark {
    t: i64,
    ids: Vec<String>,
    /// Every interaction created at `t` counts as returned (a position from `since`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    all: bool,
}

const PREFIX: &str = "g1.";

impl Watermark {
    /// The position just before `t`'s second: everything from that second on is new.
    fn before(t: DateTime<Utc>) -> Self {
        Watermark {
            t: t.timestamp() - 1,
            ids: Vec::new(),
            all: true,
        }
    }

    pub(crate) fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        )
    }

    pub(crate) fn decode(platform: &str, cursor: &str) -> Result<Self> {
        let invalid = || {
            Error::validation(format!(
                "this is not a {platform} interactions cursor (it comes from another platform or was changed)"
            ))
            .with_platform(platform)
        };
        let raw = cursor.strip_prefix(PREFIX).ok_or_else(invalid)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .map_err(|_| invalid())?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }

    /// The instant before which nothing is new.
    pub(crate) fn since(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.t, 0).single().unwrap_or_default()
    }

    fn admits(&self, i: &Interaction) -> bool {
        let t = i.created_at.timestamp();
        t > self.t || (t == self.t && !self.all && !self.ids.contains(&i.reference.id))
    }
}

/// Where a query starts: its cursor, else its `since` (floored to the second).
pub(crate) fn start(platform: &str, query: &InteractionQuery) -> Result<Option<Watermark>> {
    match (&query.cursor, query.since) {
        (Some(c), _) => Watermark::decode(platform, c).map(Some),
        (None, Some(since)) => Ok(Some(Watermark::before(since))),
        (None, None) => Ok(None),
    }
}

/// One page of `found` (in any order, duplicates allowed) after the query's position:
/// oldest first, at most `query.limit` items of the kinds asked for.
pub(crate) fn page(
    platform: &str,
    found: Vec<Interaction>,
    query: &InteractionQuery,
) -> Result<Page<Interaction>> {
    let start = start(platform, query)?;
    let mut items: Vec<Interaction> = found
        .into_iter()
        .filter(|i| query.wants(i.kind))
        .filter(|i| start.as_ref().is_none_or(|w| w.admits(i)))
        .collect();
    items.sort_by(|a, b| (a.created_at, &a.reference.id).cmp(&(b.created_at, &b.reference.id)));
    items.dedup_by(|a, b| a.reference.id == b.reference.id);
    let limit = query.limit.max(1);
    let has_more = items.len() > limit;
    items.truncate(limit);
    let next = match items.last() {
        Some(last) => {
            let t = last.created_at.timestamp();
            let mut ids: Vec<String> = match &start {
                Some(w) if w.t == t && !w.all => w.ids.clone(),
                _ => Vec::new(),
            };
            ids.extend(
                items
                    .iter()
                    .filter(|i| i.created_at.timestamp() == t)
                    .map(|i| i.reference.id.clone()),
            );
            Some(Watermark { t, ids, all: false })
        }
        None => start,
    };
    Ok(Page {
        items,
        next_cursor: next.map(|w| w.encode()),
        has_more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, InteractionKind, InteractionRef};

    fn i(id: &str, secs: i64) -> Interaction {
        Interaction {
            reference: InteractionRef::new("facebook", id),
            kind: InteractionKind::Comment,
            author: Author::default(),
            text: Some(id.into()),
            created_at: Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap(),
            post: None,
            conversation: None,
            language: None,
        }
    }

    fn q(cursor: Option<String>, limit: usize) -> InteractionQuery {
        InteractionQuery {
            cursor,
            limit,
            ..InteractionQuery::default()
        }
    }

    #[test]
    fn pages_forward_without_repeats_or_skips_at_equal_seconds() {
        let mut all = vec![i("a", 0), i("b", 1), i("c", 1), i("d", 1)];
        let p1 = page("facebook", all.clone(), &q(None, 2)).unwrap();
        assert_eq!(
            p1.items
                .iter()
                .map(|x| x.reference.id.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(p1.has_more);
        // A new one arrives in the same second, and one later.
        all.push(i("bb", 1));
        all.push(i("e", 2));
        let p2 = page("facebook", all.clone(), &q(p1.next_cursor.clone(), 10)).unwrap();
        assert_eq!(
            p2.items
                .iter()
                .map(|x| x.reference.id.as_str())
                .collect::<Vec<_>>(),
            ["bb", "c", "d", "e"]
        );
        assert!(!p2.has_more);
        let p3 = page("facebook", all, &q(p2.next_cursor.clone(), 10)).unwrap();
        assert!(p3.items.is_empty());
        assert_eq!(
            p3.next_cursor, p2.next_cursor,
            "an empty page keeps the position"
        );
    }

    #[test]
    fn since_is_floored_to_the_second_and_bad_cursors_are_validation_errors() {
        let mut query = q(None, 10);
        query.since = Some(Utc.timestamp_opt(1_700_000_001, 900_000_000).unwrap());
        let p = page("facebook", vec![i("old", 0), i("same", 1)], &query).unwrap();
        assert_eq!(p.items.len(), 1);
        for bad in ["", "g1.!!", "g1.e30", "mastodon-cursor"] {
            let e = page("facebook", vec![], &q(Some(bad.into()), 1)).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Validation, "{bad}");
        }
        let empty = page("facebook", vec![], &q(None, 1)).unwrap();
        assert!(empty.next_cursor.is_none());
    }
}
