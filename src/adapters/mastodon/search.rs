//! Search of public statuses, for listening ([`Platform::search`](crate::Platform::search)).
//!
//! Two endpoints, chosen by the query:
//!
//! - a query of hashtags only goes to the hashtag timeline
//!   `GET /api/v1/timelines/tag/{tag}?all[]=…&limit=…&max_id=…`, which every Mastodon server
//!   (and snac) answers without full-text search; the cursor is the `max_id` of the next page
//!   (`tag:<id>`);
//! - anything else goes to `GET /api/v2/search?q=…&type=statuses&limit=…&offset=…`; the cursor
//!   is the offset of the next page (`offset:<n>`).
//!
//! What the server searches differs: Mastodon searches statuses only where full-text search
//! (Elasticsearch) is set up, and then only public statuses of accounts that opted in, the
//! user's own statuses, mentions, favourites and bookmarks; it also skips full-text search for a
//! query that is a single `#tag` or contains a bare `@handle`. snac 2.75 matches the whole
//! query as one case-insensitive substring of the statuses in the user's own timeline, answers
//! every match at once (it ignores `limit` and `max_id`) and answers nothing for an offset
//! above 0. So the adapter sends the server one term — the most selective one
//! ([`Terms::server_term`]) — and keeps what has *every* term
//! ([`text::search`](crate::text::search)): a query means the same on every server. Time range
//! and language are filtered here (the API has no parameter for either); results come newest
//! first, so a page that reaches before `since` is the last one.
//!
//! ```
//! use socialkit::adapters::mastodon::{Mastodon, twin::Twin};
//! use socialkit::model::SearchQuery;
//! use socialkit::{Platform, PlatformExt};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = Twin::start().await.unwrap();
//! let bob = twin.handle().add_account("bob");
//! twin.handle().post(&bob, "The new #acme anvil is heavy");
//! let mastodon = Mastodon::connect(twin.config()).await.unwrap();
//! let page = mastodon.search(&SearchQuery::new("anvil #acme")).await.unwrap();
//! assert_eq!(page.items.len(), 1);
//! assert_eq!(page.items[0].author.handle.split('@').next(), Some("bob"));
//! # });
//! ```

use serde::Deserialize;
use serde_json::Value;

use super::{Mastodon, PLATFORM, api, post_ref, status_plain_text};
use crate::model::{Interaction, InteractionKind, InteractionRef, Page, SearchQuery};
use crate::text::search::{Terms, language_passes};
use crate::{Error, Result};

/// The largest page Mastodon answers (`limit` of search and of timelines).
pub const MAX_SEARCH_PAGE: usize = 40;

/// Where a search continues.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cursor {
    /// `GET /api/v2/search` from this offset.
    Offset(u64),
    /// The hashtag timeline below this status id.
    MaxId(String),
}

impl Cursor {
    fn parse(c: &str) -> Option<Cursor> {
        if let Some(n) = c.strip_prefix("offset:") {
            return n.parse().ok().map(Cursor::Offset);
        }
        c.strip_prefix("tag:")
            .filter(|id| !id.is_empty())
            .map(|id| Cursor::MaxId(id.to_string()))
    }

    fn render(&self) -> String {
        match self {
            Cursor::Offset(n) => format!("offset:{n}"),
            Cursor::MaxId(id) => format!("tag:{id}"),
        }
    }
}

#[derive(Debug, Deserialize)]
struct SearchResults {
    #[serde(default)]
    statuses: Option<Vec<Value>>,
}

fn invalid(message: String) -> Error {
    Error::validation(message)
        .with_platform(PLATFORM)
        .with_operation("search")
}

/// Statuses from JSON one by one: one the adapter cannot read is skipped, not fatal (its place
/// in the paging is still counted).
fn statuses(values: Vec<Value>) -> (usize, Vec<api::Status>) {
    let n = values.len();
    let parsed = values
        .into_iter()
        .filter_map(|v| serde_json::from_value::<api::Status>(v).ok())
        .collect();
    (n, parsed)
}

/// What a status is matched on: its content warning, its text, and the full `acct` of every
/// account it mentions (the HTML shows only `@user` for remote ones).
fn match_text(s: &api::Status, text: &str) -> String {
    let mut out = format!("{}\n{text}", s.spoiler_text);
    for m in &s.mentions {
        if !m.acct.is_empty() {
            out.push_str(" @");
            out.push_str(&m.acct);
        }
    }
    out
}

impl Mastodon {
    pub(super) async fn search_statuses(&self, q: &SearchQuery) -> Result<Page<Interaction>> {
        let terms = Terms::checked(q, PLATFORM)?;
        let by_tag = terms.hashtags_only();
        let cursor = match q.cursor.as_deref().map(|c| (c, Cursor::parse(c))) {
            None => None,
            Some((_, Some(Cursor::MaxId(id)))) if by_tag => Some(Cursor::MaxId(id)),
            Some((_, Some(Cursor::Offset(n)))) if !by_tag => Some(Cursor::Offset(n)),
            Some((c, _)) => {
                return Err(invalid(format!(
                    "'{c}' is not a cursor of this Mastodon search"
                )));
            }
        };
        let limit = q.limit.min(MAX_SEARCH_PAGE);
        let (raw, found) = if by_tag {
            self.tag_timeline(terms.hashtags(), cursor.as_ref(), limit)
                .await?
        } else {
            let term = terms.server_term().unwrap_or_default();
            let offset = match cursor {
                Some(Cursor::Offset(n)) => n,
                _ => 0,
            };
            self.full_text(&term, offset, limit).await?
        };
        let reached_since = q
            .since
            .is_some_and(|s| found.iter().any(|st| st.created_at < s));
        let next = match (&cursor, by_tag) {
            _ if raw == 0 => cursor.clone(),
            (_, true) => found.last().map(|s| Cursor::MaxId(s.id.clone())),
            (Some(Cursor::Offset(n)), false) => Some(Cursor::Offset(n + raw as u64)),
            (_, false) => Some(Cursor::Offset(raw as u64)),
        };
        let mut seen = std::collections::HashSet::new();
        let items = found
            .iter()
            .map(api::Status::original)
            .filter(|s| seen.insert(s.id.clone()))
            .filter(|s| q.since.is_none_or(|t| s.created_at >= t))
            .filter(|s| q.until.is_none_or(|t| s.created_at < t))
            .filter(|s| language_passes(q.language.as_deref(), s.language.as_deref()))
            .filter_map(|s| {
                let text = status_plain_text(s);
                terms
                    .matches(&match_text(s, &text))
                    .then(|| self.found(s, text))
            })
            .collect();
        Ok(Page {
            items,
            next_cursor: next.map(|c| c.render()),
            has_more: raw > 0 && raw >= limit && !reached_since,
        })
    }

    /// `GET /api/v2/search` for statuses: (statuses in the answer, those that parse).
    async fn full_text(
        &self,
        term: &str,
        offset: u64,
        limit: usize,
    ) -> Result<(usize, Vec<api::Status>)> {
        let offset = offset.to_string();
        let limit = limit.to_string();
        let call = self.call_get("search", &["api", "v2", "search"])?.query([
            ("q", term),
            ("type", "statuses"),
            ("resolve", "false"),
            ("limit", limit.as_str()),
            ("offset", offset.as_str()),
        ]);
        let results: SearchResults = self.send(call).await?.json()?;
        Ok(statuses(results.statuses.unwrap_or_default()))
    }

    /// `GET /api/v1/timelines/tag/{first}` with the other tags as `all[]`.
    async fn tag_timeline(
        &self,
        tags: &[String],
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<(usize, Vec<api::Status>)> {
        let first = tags.first().map(String::as_str).unwrap_or_default();
        let limit = limit.to_string();
        let mut pairs: Vec<(&str, &str)> = vec![("limit", limit.as_str())];
        for t in tags.iter().skip(1) {
            pairs.push(("all[]", t.as_str()));
        }
        if let Some(Cursor::MaxId(id)) = cursor {
            pairs.push(("max_id", id.as_str()));
        }
        let call = self
            .call_get("search", &["api", "v1", "timelines", "tag", first])?
            .query(pairs);
        let values: Vec<Value> = self.send(call).await?.json()?;
        Ok(statuses(values))
    }

    /// A status found by search, as an interaction one can reply to (the reply mentions its
    /// author).
    fn found(&self, s: &api::Status, text: String) -> Interaction {
        let mut reference = InteractionRef::new(PLATFORM, s.id.clone())
            .with_post(post_ref(s))
            .with_meta("type", "status")
            .with_meta("acct", s.account.acct.clone());
        if let Some(parent) = &s.in_reply_to_id {
            reference = reference.with_meta("in_reply_to_id", parent.clone());
        }
        Interaction {
            reference,
            kind: InteractionKind::Post,
            author: self.author_of(&s.account),
            text: Some(text),
            created_at: s.created_at,
            post: None,
            // A status that replies to none starts its own conversation; for a reply the API
            // does not say the root (only the parent, kept in the reference's meta).
            conversation: s.in_reply_to_id.is_none().then(|| s.id.clone()),
            language: s.language.clone(),
        }
    }
}

/// Mastodon's search capabilities: pages of up to 40, words (where the server has full-text
/// search), no time or language parameter (the adapter filters both).
///
/// ```
/// let s = socialkit::adapters::mastodon::search::limits();
/// assert_eq!(s.max_page, 40);
/// assert!(!s.time_range && !s.language);
/// ```
pub fn limits() -> crate::model::SearchLimits {
    crate::model::SearchLimits {
        max_age_days: None,
        max_page: MAX_SEARCH_PAGE,
        words: true,
        time_range: false,
        language: false,
        authors: true,
    }
}
