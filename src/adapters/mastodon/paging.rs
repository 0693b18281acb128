//! Forward paging over Mastodon notifications that neither skips nor repeats.
//!
//! Mastodon pages are newest first. To read *forward* from a cursor (the newest notification
//! already seen), Mastodon offers `min_id`: "the page of results immediately newer than this
//! id", still sorted newest first. Not every server honours that: snac, for one, treats
//! `min_id` as a mere lower bound and answers with the *newest* `limit` items above it, so a
//! reader that took the newest id of that page as its next cursor would silently skip whatever
//! lies between.
//!
//! [`forward_page`] works with both:
//!
//! 1. ask for `min_id=cursor&limit=L`;
//! 2. fewer than `L` items: that is everything newer than the cursor, done;
//! 3. a full page: ask whether anything lies *between* the cursor and the page's oldest item
//!    (`min_id=cursor&max_id=oldest`). Nothing: the page was adjacent to the cursor (Mastodon),
//!    done. Something: the server gave the newest page, so walk down with `max_id` (newest
//!    first, `min_id=cursor` as the floor) until the floor is reached, and keep the `L` oldest.
//!
//! Without a cursor but with a start time ([`since_page`]), the reader walks down from the
//! newest item (`max_id`, no `min_id`) until it passes the start time, and returns the oldest
//! `L` items at or after it; without either it starts at the very beginning (`min_id=0`).
//! That walk costs one request per `L` notifications newer than the start time (Mastodon's
//! notification ids carry no time), so a start time far back on a busy account is expensive:
//! keep the cursor of the last page and resume from it.
//!
//! The page is returned oldest first; its newest id is the next cursor. Notifications that
//! arrive between two calls have larger ids than the cursor and are read by a later call. A
//! full page costs one extra request (the gap check); only servers without adjacent `min_id`
//! pay for the walk, once per page.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::{Error, Result};

/// What one request to the server asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageQuery {
    /// Only items newer than this id (exclusive); `None` asks for the newest.
    pub min_id: Option<String>,
    /// Only items older than this id (exclusive).
    pub max_id: Option<String>,
    /// At most this many.
    pub limit: usize,
}

/// Something with a paging id (a notification).
pub trait HasId {
    /// The id the server pages by.
    fn page_id(&self) -> &str;
    /// When the item was made.
    fn page_time(&self) -> DateTime<Utc>;
}

impl HasId for super::api::Notification {
    fn page_id(&self) -> &str {
        &self.id
    }
    fn page_time(&self) -> DateTime<Utc> {
        self.created_at
    }
}

/// A server endpoint that answers [`PageQuery`]s newest first (see the module example).
pub trait PageSource {
    /// The item type.
    type Item: HasId + Send;
    /// One request.
    fn fetch(&self, query: PageQuery) -> impl Future<Output = Result<Vec<Self::Item>>> + Send;
}

/// One forward page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardPage<T> {
    /// The items, oldest first.
    pub items: Vec<T>,
    /// Where the next call resumes: the newest id of this page, or the cursor it started
    /// from when the page is empty.
    pub next_cursor: Option<String>,
    /// Whether the page was full (more may follow right away).
    pub has_more: bool,
}

/// The cursor used when there is none yet: older than every id.
pub const START: &str = "0";

/// A fail-safe against a server that pages in circles.
const MAX_REQUESTS: usize = 10_000;

/// Reads the `limit` items right after `cursor` (from the very beginning without one),
/// oldest first. See the module docs for how.
pub async fn forward_page<S: PageSource + Sync>(
    source: &S,
    cursor: Option<&str>,
    limit: usize,
) -> Result<ForwardPage<S::Item>> {
    let limit = limit.max(1);
    let floor = cursor.unwrap_or(START).to_string();
    let query = |max_id: Option<String>| PageQuery {
        min_id: Some(floor.clone()),
        max_id,
        limit,
    };
    let first = source.fetch(query(None)).await?;
    let mut first = trim(first, &floor, limit);
    if first.len() < limit {
        return Ok(finish(first, cursor, false));
    }
    let oldest = first.last().map(|i| i.page_id().to_string());
    let gap = trim(source.fetch(query(oldest)).await?, &floor, limit);
    if gap.is_empty() {
        return Ok(finish(first, cursor, true));
    }
    // The server answered with its newest page: walk down to the floor, keeping the oldest
    // `limit` items seen (newest first, as the batches come).
    first.clear();
    let mut kept: Vec<S::Item> = gap;
    let mut requests = 2;
    while kept.len() >= limit {
        let Some(last) = kept.last().map(|i| i.page_id().to_string()) else {
            break;
        };
        requests += 1;
        if requests > MAX_REQUESTS {
            return Err(Error::unexpected(
                "mastodon notifications never reached the cursor while paging down",
            )
            .with_platform("mastodon")
            .with_operation("interactions"));
        }
        let next = trim(
            source.fetch(query(Some(last.clone()))).await?,
            &floor,
            limit,
        );
        if next.is_empty() {
            break;
        }
        if next.iter().any(|i| i.page_id() == last) {
            return Err(Error::unexpected(
                "mastodon answered a max_id page with the item it should exclude",
            )
            .with_platform("mastodon")
            .with_operation("interactions"));
        }
        let reached_floor = next.len() < limit;
        // Keep at most `limit` from the batches before plus the new one: the oldest `limit`
        // of everything seen are always among them.
        let drop = kept.len().saturating_sub(limit);
        kept.drain(..drop);
        kept.extend(next);
        if reached_floor {
            break;
        }
    }
    let drop = kept.len().saturating_sub(limit);
    kept.drain(..drop);
    Ok(finish(kept, cursor, true))
}

/// Reads the `limit` oldest items made at or after `since`, oldest first, walking down from
/// the newest (see the module docs). Its cursor continues with [`forward_page`]; the module
/// example shows a source.
pub async fn since_page<S: PageSource + Sync>(
    source: &S,
    since: DateTime<Utc>,
    limit: usize,
) -> Result<ForwardPage<S::Item>> {
    let limit = limit.max(1);
    let mut window: Vec<S::Item> = Vec::new();
    let mut total = 0usize;
    let mut max_id: Option<String> = None;
    for _ in 0..MAX_REQUESTS {
        let batch = source
            .fetch(PageQuery {
                min_id: None,
                max_id: max_id.clone(),
                limit,
            })
            .await?;
        let Some(last) = batch.last().map(|i| i.page_id().to_string()) else {
            return Ok(finish(window, None, total > limit));
        };
        if max_id.as_deref() == Some(last.as_str())
            || batch.iter().any(|i| Some(i.page_id()) == max_id.as_deref())
        {
            return Err(Error::unexpected(
                "mastodon answered a max_id page with the item it should exclude",
            )
            .with_platform("mastodon")
            .with_operation("interactions"));
        }
        let mut reached = batch.len() < limit;
        for item in batch {
            if item.page_time() >= since {
                window.push(item);
                total += 1;
            } else {
                reached = true;
            }
        }
        let drop = window.len().saturating_sub(limit);
        window.drain(..drop);
        if reached {
            return Ok(finish(window, None, total > limit));
        }
        max_id = Some(last);
    }
    Err(
        Error::unexpected("mastodon notifications never reached the start time while paging down")
            .with_platform("mastodon")
            .with_operation("interactions"),
    )
}

/// Drops items at or below the floor (a server that ignores `min_id`) and past the limit.
fn trim<T: HasId>(mut items: Vec<T>, floor: &str, limit: usize) -> Vec<T> {
    items.retain(|i| id_after(i.page_id(), floor));
    items.truncate(limit);
    items
}

/// Whether id `a` is after id `b`, when both are numeric (Mastodon snowflakes, snac's
/// timestamps); non-numeric ids are trusted to the server's filter.
pub fn id_after(a: &str, b: &str) -> bool {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if numeric(a) && numeric(b) {
        let a = a.trim_start_matches('0');
        let b = b.trim_start_matches('0');
        (a.len(), a) > (b.len(), b)
    } else {
        a != b
    }
}

fn finish<T: HasId>(mut newest_first: Vec<T>, cursor: Option<&str>, full: bool) -> ForwardPage<T> {
    let next_cursor = newest_first
        .first()
        .map(|i| i.page_id().to_string())
        .or_else(|| cursor.map(str::to_string));
    newest_first.reverse();
    ForwardPage {
        items: newest_first,
        next_cursor,
        has_more: full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Item(String);
    impl HasId for Item {
        fn page_id(&self) -> &str {
            &self.0
        }
        fn page_time(&self) -> DateTime<Utc> {
            DateTime::from_timestamp(self.0.parse().unwrap(), 0).unwrap()
        }
    }

    /// A fake server over ids 1..=n; `adjacent` = Mastodon `min_id` semantics, else snac's.
    struct Fake {
        ids: Mutex<Vec<u64>>,
        adjacent: bool,
        requests: Mutex<usize>,
    }

    impl Fake {
        fn new(n: u64, adjacent: bool) -> Self {
            Fake {
                ids: Mutex::new((1..=n).collect()),
                adjacent,
                requests: Mutex::new(0),
            }
        }
        fn push(&self, k: u64) {
            let mut ids = self.ids.lock().unwrap();
            let last = *ids.last().unwrap_or(&0);
            ids.extend(last + 1..=last + k);
        }
    }

    impl PageSource for Fake {
        type Item = Item;
        fn fetch(&self, q: PageQuery) -> impl Future<Output = Result<Vec<Item>>> + Send {
            *self.requests.lock().unwrap() += 1;
            let min: u64 = q.min_id.as_deref().map(|m| m.parse().unwrap()).unwrap_or(0);
            let max: u64 = q
                .max_id
                .as_deref()
                .map(|m| m.parse().unwrap())
                .unwrap_or(u64::MAX);
            let ids = self.ids.lock().unwrap();
            let mut sel: Vec<u64> = ids
                .iter()
                .copied()
                .filter(|i| *i > min && *i < max)
                .collect();
            if self.adjacent && q.max_id.is_none() && q.min_id.is_some() {
                sel.truncate(q.limit); // the oldest `limit` above min
            } else {
                sel.reverse();
                sel.truncate(q.limit); // the newest `limit` below max
                sel.reverse();
            }
            sel.reverse(); // newest first on the wire
            let out = sel.into_iter().map(|i| Item(i.to_string())).collect();
            async move { Ok(out) }
        }
    }

    async fn read_all(f: &Fake, limit: usize, between: impl Fn(&Fake, usize)) -> Vec<u64> {
        let mut cursor: Option<String> = None;
        let mut seen = Vec::new();
        for round in 0..1000 {
            let page = forward_page(f, cursor.as_deref(), limit).await.unwrap();
            let ids: Vec<u64> = page.items.iter().map(|i| i.0.parse().unwrap()).collect();
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first: {ids:?}");
            seen.extend(ids);
            cursor = page.next_cursor;
            between(f, round);
            if !page.has_more && round > 3 {
                break;
            }
        }
        seen
    }

    #[tokio::test]
    async fn pages_forward_on_both_semantics_without_skips_or_repeats() {
        for adjacent in [true, false] {
            for (n, limit) in [(0, 5), (3, 5), (5, 5), (23, 5), (40, 7), (100, 40)] {
                let f = Fake::new(n, adjacent);
                let seen = read_all(&f, limit, |_, _| {}).await;
                assert_eq!(
                    seen,
                    (1..=n).collect::<Vec<_>>(),
                    "adjacent={adjacent} n={n}"
                );
            }
        }
    }

    #[tokio::test]
    async fn arrivals_between_pages_are_read_once() {
        for adjacent in [true, false] {
            let f = Fake::new(12, adjacent);
            let seen = read_all(&f, 5, |f, round| {
                if round < 4 {
                    f.push(3)
                }
            })
            .await;
            assert_eq!(seen, (1..=24).collect::<Vec<_>>(), "adjacent={adjacent}");
        }
    }

    #[tokio::test]
    async fn empty_page_keeps_the_cursor() {
        let f = Fake::new(3, true);
        let p = forward_page(&f, Some("3"), 5).await.unwrap();
        assert!(p.items.is_empty());
        assert_eq!(p.next_cursor.as_deref(), Some("3"));
        assert!(!p.has_more);
        let p = forward_page(&Fake::new(0, true), None, 5).await.unwrap();
        assert_eq!(p.next_cursor, None);
    }

    #[tokio::test]
    async fn adjacent_full_page_costs_one_extra_request() {
        let f = Fake::new(10, true);
        let p = forward_page(&f, None, 5).await.unwrap();
        assert_eq!(p.items.len(), 5);
        assert_eq!(p.next_cursor.as_deref(), Some("5"));
        assert_eq!(*f.requests.lock().unwrap(), 2);
    }

    #[tokio::test]
    async fn since_starts_at_the_time_then_the_cursor_goes_on() {
        for adjacent in [true, false] {
            let f = Fake::new(57, adjacent);
            let since = DateTime::from_timestamp(20, 0).unwrap();
            let first = since_page(&f, since, 6).await.unwrap();
            let ids: Vec<u64> = first.items.iter().map(|i| i.0.parse().unwrap()).collect();
            assert_eq!(ids, (20..=25).collect::<Vec<_>>());
            assert!(first.has_more);
            let mut seen = ids;
            let mut cursor = first.next_cursor;
            loop {
                let p = forward_page(&f, cursor.as_deref(), 6).await.unwrap();
                seen.extend(p.items.iter().map(|i| i.0.parse::<u64>().unwrap()));
                cursor = p.next_cursor;
                if !p.has_more {
                    break;
                }
            }
            assert_eq!(seen, (20..=57).collect::<Vec<_>>());
            let late = since_page(&f, DateTime::from_timestamp(100, 0).unwrap(), 6)
                .await
                .unwrap();
            assert!(late.items.is_empty() && !late.has_more);
            let few = since_page(&f, DateTime::from_timestamp(55, 0).unwrap(), 6)
                .await
                .unwrap();
            assert_eq!(few.items.len(), 3);
            assert!(!few.has_more);
        }
    }

    #[test]
    fn numeric_id_order() {
        assert!(id_after("10", "9"));
        assert!(id_after("1795845480307828", "1795845477305930"));
        assert!(!id_after("9", "10"));
        assert!(!id_after("5", "5"));
        assert!(id_after("5", "0"));
        assert!(id_after("abc", "0x"));
    }

    #[tokio::test]
    async fn snac_answers_min_id_with_its_newest_page_and_the_page_is_still_the_next_one() {
        let snac = Fake::new(10, false);
        let page = forward_page(&snac, Some("2"), 3).await.unwrap();
        let ids: Vec<&str> = page.items.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(
            ids,
            ["3", "4", "5"],
            "the items right after the cursor, not the newest"
        );
        assert_eq!(page.next_cursor.as_deref(), Some("5"));
    }

    #[test]
    fn has_id() {
        use crate::adapters::mastodon::api::Notification;
        let n: Notification = serde_json::from_str(
            r#"{"id":"7","type":"follow","created_at":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(n.page_id(), "7");
    }

    #[test]
    fn start() {
        assert_eq!(START, "0");
    }
}
