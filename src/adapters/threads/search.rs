//! Threads keyword and topic-tag search: `GET /keyword_search`.
//!
//! Facts (Meta, "Keyword and Topic Tag Search",
//! <https://developers.facebook.com/docs/threads/keyword-search>): `q` (required), `search_type`
//! `TOP` (default) or `RECENT`, `search_mode` `KEYWORD` (default) or `TAG` (a topic tag),
//! `media_type`, `since`, `until`, `limit`, `author_username`; permission
//! `threads_keyword_search` (without App Review approval only the user's own posts are
//! searched); at most 2,200 queries per user in a rolling 24 hours, across apps, and a query
//! that finds nothing does not count; keywords Meta deems sensitive give an empty list; the
//! `owner` field is never returned. Paging with `before`/`after` cursors and `limit` up to 100
//! (default 25), as on Threads' other lists (codybrom/denim `KeywordSearchOptions`).

use chrono::{DateTime, Utc};

use super::{PLATFORM, Threads, api};
use crate::adapters::graph::api::{List, parse_time};
use crate::adapters::graph::search::{self, Found};
use crate::model::{Interaction, Page, SearchQuery};
use crate::{Error, Result};
use api::Thread;

/// Threads launched on 2023-07-05 (Unix 1688540400, the earliest `since` Threads' lists take):
/// an earlier `since` is sent as this.
pub(crate) const EPOCH: i64 = 1_688_540_400;

/// What `q` and `search_mode` a query becomes: one hashtag and nothing else is a topic-tag
/// search (`TAG`, the tag without `#`); anything else is a keyword search of the whole text.
pub(crate) fn mode(query: &SearchQuery) -> (String, &'static str) {
    let tags: Vec<&str> = query.hashtags().collect();
    let only_tag = tags.len() == 1 && query.tokens().count() == 1;
    if only_tag {
        (tags[0].to_string(), "TAG")
    } else {
        (query.tokens().collect::<Vec<_>>().join(" "), "KEYWORD")
    }
}

impl Threads {
    pub(super) async fn keyword_search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        let limits = self.caps.search.clone().unwrap_or_default();
        search::check(PLATFORM, &limits, query)?;
        let (q, mode) = mode(query);
        let limit = search::page_size(&limits, query).to_string();
        let since = query.since.map(|t| t.timestamp().max(EPOCH).to_string());
        let until = query.until.map(|t| t.timestamp().to_string());
        if query.until.is_some_and(|u| u.timestamp() <= EPOCH) {
            // Nothing on Threads is older than Threads.
            return Ok(Page::empty(None));
        }
        let mut params: Vec<(&str, &str)> = vec![
            ("q", q.as_str()),
            ("search_type", "RECENT"),
            ("search_mode", mode),
            ("fields", api::SEARCH_FIELDS),
            ("limit", limit.as_str()),
        ];
        if let Some(s) = &since {
            params.push(("since", s));
        }
        if let Some(u) = &until {
            params.push(("until", u));
        }
        if let Some(c) = &query.cursor {
            params.push(("after", c));
        }
        let page: List<Thread> = self
            .graph
            .get("search", &["keyword_search"], &params)
            .await
            .map_err(quota_message)?;
        let next_cursor = page.after().map(str::to_string);
        let found: Vec<Found> = page
            .data
            .into_iter()
            .filter_map(|t| {
                let created_at: DateTime<Utc> = t.timestamp.as_deref().and_then(parse_time)?;
                let profile_url = t
                    .username
                    .as_deref()
                    .map(|u| format!("https://www.threads.net/@{u}"));
                Some(Found {
                    id: t.id,
                    text: t.text,
                    created_at,
                    permalink: t.permalink,
                    username: t.username,
                    profile_url,
                })
            })
            .collect();
        Ok(search::page(PLATFORM, query, found, next_cursor))
    }
}

/// A rate-limit error of the search names Threads' search quota.
fn quota_message(e: Error) -> Error {
    if e.kind() != crate::ErrorKind::RateLimited {
        return e;
    }
    let message = format!(
        "{} (Threads allows 2,200 keyword searches per user in a rolling 24 hours, across apps)",
        e.message()
    );
    search::reworded(e, crate::ErrorKind::RateLimited, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hashtag_is_a_tag_search() {
        assert_eq!(
            mode(&SearchQuery::new("#Anvils")),
            ("Anvils".to_string(), "TAG")
        );
        assert_eq!(
            mode(&SearchQuery::new("#anvils  heavy")),
            ("#anvils heavy".to_string(), "KEYWORD")
        );
        assert_eq!(
            mode(&SearchQuery::new("acme outage")),
            ("acme outage".to_string(), "KEYWORD")
        );
    }
}
