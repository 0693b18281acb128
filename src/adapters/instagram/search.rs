//! Instagram hashtag search: `GET /ig_hashtag_search?user_id=&q=` gives the hashtag's id, then
//! `GET /{hashtag-id}/recent_media?user_id=&fields=` its media of the last 24 hours.
//!
//! Facts (Meta, "Hashtag Search",
//! <https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/hashtag-search>,
//! and the `ig-hashtag-search` / `ig-hashtag/recent-media` references): Instagram API with
//! Facebook Login only, `instagram_basic` plus the Instagram Public Content Access feature;
//! at most 30 unique hashtags per account in a rolling 7 days — a hashtag counts from its
//! first query for 7 days, and querying it again meanwhile costs nothing and does not restart
//! its timer; hashtag ids are static and global; no emojis in hashtags; sensitive hashtags give
//! a generic error; `recent_media` returns public photos and videos of the last 24 hours, at
//! most 50 a page, only `after` cursors, and never the `username` field; media found this way
//! cannot be commented on.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::{Instagram, PLATFORM, api};
use crate::adapters::graph::api::{List, parse_time};
use crate::adapters::graph::search::{self, Found};
use crate::model::{Interaction, Page, SearchQuery};
use crate::{Error, ErrorKind, Result};

/// Unique hashtags an account may query in [`HASHTAG_WINDOW_DAYS`].
///
/// ```
/// assert_eq!(socialkit::adapters::instagram::HASHTAGS_PER_WINDOW, 30);
/// ```
pub const HASHTAGS_PER_WINDOW: usize = 30;

/// The rolling window of the hashtag quota, in days.
///
/// ```
/// assert_eq!(socialkit::adapters::instagram::HASHTAG_WINDOW_DAYS, 7);
/// ```
pub const HASHTAG_WINDOW_DAYS: i64 = 7;

/// What meta key marks an interaction found by hashtag search (Instagram does not let the API
/// comment on such media).
pub(crate) const FOUND_BY: &str = "found_by";

/// The hashtags this account has queried: their ids (static and global, so kept for good) and
/// when each was first queried in its current 7-day window.
#[derive(Debug, Default)]
pub(crate) struct Hashtags {
    inner: Mutex<Ledger>,
}

#[derive(Debug, Default)]
struct Ledger {
    ids: BTreeMap<String, String>,
    first_query: BTreeMap<String, DateTime<Utc>>,
    /// Ids Instagram says the account queried this week (`recently_searched_hashtags`) whose
    /// names this process does not know, with when they were seen.
    unnamed: BTreeMap<String, DateTime<Utc>>,
    /// Whether `recently_searched_hashtags` was read.
    seeded: bool,
}

/// What a hashtag query needs before it is sent.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Counted already in this window: free; the id when known.
    Counted(Option<String>),
    /// A new unique hashtag within the quota: it will count from now.
    New(Option<String>),
    /// The window is full, but with hashtags whose names are unknown here: `tag` may be one of
    /// them, so Instagram decides (and refuses it if it is not).
    Ask,
}

impl Ledger {
    fn live(&self, now: DateTime<Utc>) -> impl Iterator<Item = (&String, &DateTime<Utc>)> {
        let from = now - Duration::days(HASHTAG_WINDOW_DAYS);
        self.first_query.iter().filter(move |(_, t)| **t > from)
    }

    /// Seeded ids still in the window and not known by name.
    fn unnamed_live(&self, now: DateTime<Utc>) -> usize {
        let from = now - Duration::days(HASHTAG_WINDOW_DAYS);
        self.unnamed.values().filter(|t| **t > from).count()
    }
}

impl Hashtags {
    fn lock(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Admits a query of `tag` at `now`, or refuses the 31st unique hashtag of the window
    /// with [`RateLimited`](ErrorKind::RateLimited) and the instant a place frees up.
    pub(crate) fn admit(&self, tag: &str, now: DateTime<Utc>) -> Result<Admit> {
        let ledger = self.lock();
        let id = ledger.ids.get(tag).cloned();
        if ledger.live(now).any(|(name, _)| name == tag) {
            return Ok(Admit::Counted(id));
        }
        let live: Vec<(&String, &DateTime<Utc>)> = ledger.live(now).collect();
        let unnamed = ledger.unnamed_live(now);
        if live.len() + unnamed >= HASHTAGS_PER_WINDOW && unnamed > 0 {
            return Ok(Admit::Ask);
        }
        if live.len() >= HASHTAGS_PER_WINDOW {
            let frees_at = live
                .iter()
                .map(|(_, t)| **t)
                .min()
                .map(|t| t + Duration::days(HASHTAG_WINDOW_DAYS))
                .unwrap_or(now);
            return Err(Error::new(
                ErrorKind::RateLimited,
                format!(
                    "instagram allows {HASHTAGS_PER_WINDOW} unique hashtags per account in a \
                     rolling {HASHTAG_WINDOW_DAYS} days and this account has queried {} \
                     (#{}…): #{tag} can be searched from {frees_at}; nothing was sent",
                    live.len(),
                    live.first().map(|(n, _)| n.as_str()).unwrap_or_default(),
                ),
            )
            .with_platform(PLATFORM)
            .with_operation("search")
            .with_retry_after(frees_at));
        }
        Ok(Admit::New(id))
    }

    /// Records that `tag` (id `id`) was queried at `now`; a hashtag Instagram had listed as
    /// searched this week keeps counting from when it was listed.
    pub(crate) fn record(&self, tag: &str, id: &str, now: DateTime<Utc>, new: bool) {
        let mut ledger = self.lock();
        ledger.ids.insert(tag.to_string(), id.to_string());
        if let Some(seen) = ledger.unnamed.remove(id) {
            ledger.first_query.insert(tag.to_string(), seen);
        } else if new {
            ledger.first_query.insert(tag.to_string(), now);
        }
    }

    /// Whether the account's recently searched hashtags were read.
    pub(crate) fn seeded(&self) -> bool {
        self.lock().seeded
    }

    /// Takes in the ids of `GET /{ig-user-id}/recently_searched_hashtags`, seen at `now` (their
    /// first query lies within the last 7 days; when exactly is not said, so `now` is kept).
    pub(crate) fn seed(&self, ids: impl IntoIterator<Item = String>, now: DateTime<Utc>) {
        let mut ledger = self.lock();
        ledger.seeded = true;
        for id in ids {
            let known = ledger.ids.values().any(|v| *v == id);
            if !known {
                ledger.unnamed.insert(id, now);
            }
        }
    }

    /// Unique hashtags still free in the window at `now`.
    pub(crate) fn left(&self, now: DateTime<Utc>) -> usize {
        let ledger = self.lock();
        HASHTAGS_PER_WINDOW.saturating_sub(ledger.live(now).count() + ledger.unnamed_live(now))
    }
}

/// The one hashtag a query searches, lowercased, or why it cannot be searched.
pub(crate) fn the_hashtag(query: &SearchQuery) -> Result<String> {
    let tags: Vec<&str> = query.hashtags().collect();
    let tag = match tags.as_slice() {
        [] => {
            return Err(Error::validation(
                "instagram searches hashtags only: give one #hashtag to search for",
            )
            .with_platform(PLATFORM));
        }
        [one] => one.to_lowercase(),
        many => {
            return Err(Error::validation(format!(
                "instagram searches one hashtag per query and this one has {} ({}): search each \
                 and combine the results (every unique hashtag counts against the 30 per 7 days)",
                many.len(),
                many.iter()
                    .map(|t| format!("#{t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .with_platform(PLATFORM));
        }
    };
    if !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(Error::validation(format!(
            "instagram hashtags are letters, digits and underscores (no emojis or punctuation): \
             #{tag} cannot be searched"
        ))
        .with_platform(PLATFORM));
    }
    Ok(tag)
}

/// Whether `e` is Instagram refusing a further unique hashtag. Meta documents the quota but
/// not its error body, so the message is what tells: it names hashtags and a limit.
fn is_hashtag_quota(e: &Error) -> bool {
    let said = format!(
        "{} {}",
        e.message(),
        e.context().platform_message.as_deref().unwrap_or_default()
    )
    .to_lowercase();
    said.contains("hashtag")
        && (said.contains("limit") || said.contains("maximum") || said.contains("30"))
}

impl Instagram {
    pub(super) async fn hashtag_search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        let limits = self.caps.search.clone().unwrap_or_default();
        search::check(PLATFORM, &limits, query)?;
        let tag = the_hashtag(query)?;
        self.seed_hashtags().await;
        let now = self.graph.now();
        let admit = self.hashtags.admit(&tag, now)?;
        let (known, new) = match admit {
            Admit::Counted(id) => (id, false),
            Admit::New(id) => (id, true),
            Admit::Ask => (None, true),
        };
        let id = match known {
            Some(id) => id,
            None => self.hashtag_id(&tag).await?,
        };
        self.hashtags.record(&tag, &id, now, new);
        let limit = search::page_size(&limits, query).to_string();
        let mut params: Vec<(&str, &str)> = vec![
            ("user_id", self.user_id()),
            ("fields", api::SEARCH_FIELDS),
            ("limit", &limit),
        ];
        if let Some(c) = &query.cursor {
            params.push(("after", c));
        }
        let page: List<api::MediaItem> = self
            .graph
            .get("search", &[&id, "recent_media"], &params)
            .await?;
        let next_cursor = page.after().map(str::to_string);
        let found: Vec<Found> = page
            .data
            .into_iter()
            .filter_map(|m| {
                Some(Found {
                    created_at: m.timestamp.as_deref().and_then(parse_time)?,
                    id: m.id,
                    text: m.caption,
                    permalink: m.permalink,
                    username: None,
                    profile_url: None,
                })
            })
            .collect();
        let mut page = search::page(PLATFORM, query, found, next_cursor);
        for i in &mut page.items {
            i.reference
                .meta
                .insert(FOUND_BY.to_string(), "hashtag_search".to_string());
        }
        Ok(page)
    }

    /// Once per process: the hashtags Instagram says this account searched this week
    /// (`GET /{ig-user-id}/recently_searched_hashtags?limit=30`), so the quota is counted from
    /// the platform and not only from this process. Best effort: a failed read leaves the count
    /// to this process and to Instagram's own refusal.
    pub(super) async fn seed_hashtags(&self) {
        if self.hashtags.seeded() {
            return;
        }
        let read: Result<List<crate::adapters::graph::api::Created>> = self
            .graph
            .get(
                "search",
                &[self.user_id(), "recently_searched_hashtags"],
                &[("limit", "30")],
            )
            .await;
        match read {
            Ok(list) => self
                .hashtags
                .seed(list.data.into_iter().map(|h| h.id), self.graph.now()),
            Err(e) => {
                tracing::debug!(
                    platform = PLATFORM,
                    kind = e.kind().as_str(),
                    "recently searched hashtags unavailable"
                );
                self.hashtags.seed([], self.graph.now());
            }
        }
    }

    /// `GET /ig_hashtag_search?user_id=&q=` → the hashtag's id.
    async fn hashtag_id(&self, tag: &str) -> Result<String> {
        let found: List<crate::adapters::graph::api::Created> = self
            .graph
            .get(
                "search",
                &["ig_hashtag_search"],
                &[("user_id", self.user_id()), ("q", tag)],
            )
            .await
            .map_err(|e| {
                if is_hashtag_quota(&e) {
                    let message = format!(
                        "instagram refused #{tag}: an account may query {HASHTAGS_PER_WINDOW} unique \
                         hashtags in a rolling {HASHTAG_WINDOW_DAYS} days ({})",
                        e.message()
                    );
                    search::reworded(e, ErrorKind::RateLimited, message)
                } else {
                    e
                }
            })?;
        found.data.into_iter().next().map(|h| h.id).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("instagram knows no hashtag #{tag}"),
            )
            .with_platform(PLATFORM)
            .with_operation("search")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_plain_hashtag_per_query() {
        assert_eq!(the_hashtag(&SearchQuery::new("#Anvils")).unwrap(), "anvils");
        let e = the_hashtag(&SearchQuery::new("#a #b")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(e.to_string().contains("#a, #b"), "{e}");
        assert!(the_hashtag(&SearchQuery::new("#🔥")).is_err());
        assert!(the_hashtag(&SearchQuery::new("nothing")).is_err());
    }

    #[test]
    fn the_thirty_first_unique_hashtag_waits_for_the_oldest() {
        let h = Hashtags::default();
        let t0: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        for i in 0..30 {
            let at = t0 + Duration::hours(i);
            assert_eq!(h.admit(&format!("t{i}"), at).unwrap(), Admit::New(None));
            h.record(&format!("t{i}"), &i.to_string(), at, true);
        }
        let now = t0 + Duration::days(1);
        assert_eq!(h.left(now), 0);
        // Known hashtags stay free.
        assert_eq!(
            h.admit("t3", now).unwrap(),
            Admit::Counted(Some("3".into()))
        );
        let e = h.admit("t30", now).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after(), Some(t0 + Duration::days(7)));
        assert!(e.to_string().contains("30 unique hashtags"), "{e}");
        // A week after the first, its place is free again; it would count anew.
        let later = t0 + Duration::days(7) + Duration::minutes(1);
        assert_eq!(h.admit("t30", later).unwrap(), Admit::New(None));
        assert_eq!(h.admit("t0", later).unwrap(), Admit::New(Some("0".into())));
    }

    #[test]
    fn hashtags_instagram_lists_count_too() {
        let h = Hashtags::default();
        let t0: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        h.record("mine", "1", t0, true);
        h.seed((1..=30).map(|i| i.to_string()), t0);
        assert!(h.seeded());
        // 29 unnamed + 1 named: the window is full, but a new name may be one of the 29.
        assert_eq!(h.left(t0), 0);
        assert_eq!(h.admit("other", t0).unwrap(), Admit::Ask);
        // Instagram answers with id 7: it was one of them and keeps its time.
        h.record("other", "7", t0 + Duration::hours(1), true);
        assert_eq!(h.left(t0), 0);
        assert_eq!(
            h.admit("other", t0 + Duration::hours(2)).unwrap(),
            Admit::Counted(Some("7".into()))
        );
    }
}
