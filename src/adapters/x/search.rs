//! X recent search for listening: `GET /2/tweets/search/recent`.
//!
//! - The query is built from the [`SearchQuery`] with X's operators ([`build_query`]): words
//!   (quoted when they hold operator characters), `#hashtags`, `@mentions`, `lang:xx` for the
//!   language, and `-is:retweet` (a repost repeats a post already found). X caps a recent
//!   search query at [`MAX_QUERY_CHARS`] characters for self-serve access: a longer one is a
//!   `Validation` error before anything is sent.
//! - Recent search covers the last 7 days. `since` older than that is moved to the start of
//!   the window (X answers an older `start_time` with a 400); `until` within 10 seconds of now
//!   is left out (X wants `end_time` at least 10 seconds in the past); a range wholly before
//!   the window gives an empty page without a request.
//! - Pages hold up to 100 posts, newest first; `next_cursor` is X's `next_token` and continues
//!   with older posts.
//! - Errors go through the X error mapper (a 429 carries `x-rate-limit-reset`).
//!
//! ```
//! use socialkit::adapters::x::search::build_query;
//! use socialkit::model::SearchQuery;
//! let q = SearchQuery::new("#acme outage @acmehelp").language("en");
//! assert_eq!(build_query(&q).unwrap(), "outage #acme @acmehelp lang:en -is:retweet");
//! ```

use std::collections::HashMap;

use chrono::{Duration, SecondsFormat};

use super::api::{Envelope, Tweet, User};
use super::read::{author, created};
use super::{PLATFORM, X};
use crate::http::Call;
use crate::model::{
    Interaction, InteractionKind, InteractionRef, Page, PostRef, SearchLimits, SearchQuery,
};
use crate::{Error, Result};

/// The longest recent search query X takes from self-serve apps, in characters (Enterprise:
/// 4096).
///
/// ```
/// assert_eq!(socialkit::adapters::x::search::MAX_QUERY_CHARS, 512);
/// ```
pub const MAX_QUERY_CHARS: usize = 512;
/// How far back recent search reaches.
///
/// ```
/// assert_eq!(socialkit::adapters::x::search::WINDOW_DAYS, 7);
/// ```
pub const WINDOW_DAYS: i64 = 7;
/// The smallest `max_results` of recent search.
///
/// ```
/// assert_eq!(socialkit::adapters::x::search::MIN_RESULTS, 10);
/// ```
pub const MIN_RESULTS: usize = 10;
/// The largest `max_results` of recent search.
///
/// ```
/// assert_eq!(socialkit::adapters::x::search::MAX_RESULTS, 100);
/// ```
pub const MAX_RESULTS: usize = 100;

/// `start_time` is kept this far inside the window, so the clock difference between the
/// client and X cannot push it out.
const START_MARGIN_SECS: i64 = 60;
/// X wants `end_time` at least 10 seconds before the request.
const END_LAG_SECS: i64 = 10;

/// What X's recent search offers.
///
/// ```
/// let l = socialkit::adapters::x::search::limits();
/// assert_eq!((l.max_age_days, l.max_page), (Some(7), 100));
/// ```
pub fn limits() -> SearchLimits {
    SearchLimits {
        max_age_days: Some(WINDOW_DAYS as u32),
        max_page: MAX_RESULTS,
        words: true,
        time_range: true,
        language: true,
        authors: true,
    }
}

fn invalid(message: String) -> Error {
    Error::validation(message)
        .with_platform(PLATFORM)
        .with_operation("search")
}

/// A word as X reads it: quoted (an exact phrase of one token) when it holds operator
/// characters, begins with `-` or `$`, or is the `OR`/`AND` keyword.
fn word(w: &str) -> Option<String> {
    let special =
        w.contains([':', '(', ')', '"']) || w.starts_with(['-', '$']) || w == "OR" || w == "AND";
    if !special {
        return Some(w.to_string());
    }
    let inner: String = w.chars().filter(|c| *c != '"').collect();
    (!inner.is_empty()).then(|| format!("\"{inner}\""))
}

fn is_username(h: &str) -> bool {
    (1..=15).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The primary subtag of a BCP 47 language tag, lower-case (`en-US` → `en`).
fn language(tag: &str) -> Option<String> {
    let primary = tag.split(['-', '_']).next()?;
    ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| primary.to_ascii_lowercase())
}

/// X's query for `q`: its words, then `#hashtags`, `@mentions`, `lang:` and `-is:retweet`.
/// `Validation` errors for an empty query, a handle X cannot have, a malformed language and a
/// query over [`MAX_QUERY_CHARS`] characters.
///
/// ```
/// use socialkit::adapters::x::search::build_query;
/// use socialkit::model::SearchQuery;
/// assert_eq!(build_query(&SearchQuery::new("from:me OR -x")).unwrap(), "\"from:me\" \"OR\" \"-x\" -is:retweet");
/// let long = SearchQuery::new("word ".repeat(120));
/// assert_eq!(build_query(&long).unwrap_err().kind(), socialkit::ErrorKind::Validation);
/// ```
pub fn build_query(q: &SearchQuery) -> Result<String> {
    let mut parts: Vec<String> = q.words().filter_map(word).collect();
    parts.extend(q.hashtags().map(|t| format!("#{t}")));
    for handle in q.mentions() {
        if !is_username(handle) {
            return Err(invalid(format!(
                "@{handle} is not an x username (1 to 15 letters, digits or _)"
            )));
        }
        parts.push(format!("@{handle}"));
    }
    if parts.is_empty() {
        return Err(invalid(
            "the search has nothing to look for: give words, #hashtags or @mentions".into(),
        ));
    }
    if let Some(tag) = &q.language {
        let lang = language(tag).ok_or_else(|| {
            invalid(format!(
                "{tag:?} is not a language tag x can search by (like en or pt-BR)"
            ))
        })?;
        parts.push(format!("lang:{lang}"));
    }
    parts.push("-is:retweet".into());
    let query = parts.join(" ");
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(invalid(format!(
            "the x search query is {chars} characters, x takes at most {MAX_QUERY_CHARS} ({} over)",
            chars - MAX_QUERY_CHARS
        )));
    }
    Ok(query)
}

impl X {
    /// One page of recent search results, newest first.
    pub(crate) async fn search_recent(&self, q: &SearchQuery) -> Result<Page<Interaction>> {
        let query = build_query(q)?;
        if let (Some(since), Some(until)) = (q.since, q.until) {
            if until <= since {
                return Err(invalid(format!(
                    "the search ends ({until}) before it starts ({since})"
                )));
            }
        }
        let now = self.client.now();
        let oldest = now - Duration::days(WINDOW_DAYS) + Duration::seconds(START_MARGIN_SECS);
        if q.until.is_some_and(|u| u <= oldest) {
            // Wholly before the 7 days X searches: nothing can match.
            return Ok(Page::empty(None));
        }
        let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut params: Vec<(&str, String)> = vec![
            ("query", query),
            (
                "max_results",
                q.limit.clamp(MIN_RESULTS, MAX_RESULTS).to_string(),
            ),
            ("expansions", "author_id".into()),
            (
                "tweet.fields",
                "created_at,lang,conversation_id,author_id,public_metrics".into(),
            ),
            ("user.fields", "username,name,public_metrics".into()),
        ];
        if let Some(since) = q.since {
            params.push(("start_time", stamp(since.max(oldest))));
        }
        if let Some(until) = q
            .until
            .filter(|u| *u <= now - Duration::seconds(END_LAG_SECS))
        {
            params.push(("end_time", stamp(until)));
        }
        if let Some(cursor) = &q.cursor {
            params.push(("next_token", cursor.clone()));
        }
        let call =
            Call::get(PLATFORM, "search", self.endpoint("2/tweets/search/recent")?).query(params);
        let env: Envelope<Vec<Tweet>> = self.send(call).await?.json()?;
        let users: HashMap<String, User> = env
            .includes
            .users
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        let mut tweets = env.data.unwrap_or_default();
        // Newest first, as X sends them; sorted again so a page is ordered whatever comes.
        tweets.sort_by(|a, b| created(b).cmp(&created(a)).then_with(|| b.id.cmp(&a.id)));
        let items: Vec<Interaction> = tweets.iter().map(|t| found(t, &users)).collect();
        let next_cursor = env.meta.next_token.filter(|t| !t.is_empty());
        Ok(Page {
            has_more: next_cursor.is_some(),
            next_cursor,
            items,
        })
    }
}

/// A post found by search, as an [`InteractionKind::Post`].
fn found(t: &Tweet, users: &HashMap<String, User>) -> Interaction {
    let author = author(t, users);
    let this = PostRef::new(PLATFORM, &t.id)
        .with_url(format!("https://x.com/{}/status/{}", author.handle, t.id));
    Interaction {
        reference: InteractionRef::new(PLATFORM, &t.id).with_post(this.clone()),
        kind: InteractionKind::Post,
        author,
        text: Some(t.text.clone()),
        created_at: created(t),
        post: Some(this),
        conversation: t.conversation_id.clone(),
        language: t.lang.clone().filter(|l| l != "und"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        let q = |s: &str| build_query(&SearchQuery::new(s));
        assert_eq!(q("acme").unwrap(), "acme -is:retweet");
        assert_eq!(
            q("acme \"quoted\" $TSLA AND").unwrap(),
            "acme \"quoted\" \"$TSLA\" \"AND\" -is:retweet"
        );
        assert_eq!(q("#a #b").unwrap(), "#a #b -is:retweet");
        assert_eq!(q("\"\"").unwrap_err().kind(), crate::ErrorKind::Validation);
        assert_eq!(q("   ").unwrap_err().kind(), crate::ErrorKind::Validation);
        assert!(q("@too_long_for_an_x_handle").is_err());
        assert!(q("@bob@mastodon.social").is_err());
        let with_lang = |l: &str| build_query(&SearchQuery::new("a").language(l));
        assert_eq!(with_lang("pt-BR").unwrap(), "a lang:pt -is:retweet");
        assert!(with_lang("english!").is_err());
        assert!(with_lang("").is_err());
    }

    #[test]
    fn the_512_character_limit_counts_characters() {
        // "-is:retweet" and the space before it take 12 characters.
        let fits = "é".repeat(MAX_QUERY_CHARS - 12);
        assert_eq!(
            build_query(&SearchQuery::new(fits.clone()))
                .unwrap()
                .chars()
                .count(),
            MAX_QUERY_CHARS
        );
        let e = build_query(&SearchQuery::new(format!("{fits}é"))).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation);
        assert!(e.to_string().contains("1 over"), "{e}");
    }
}
