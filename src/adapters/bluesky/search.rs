//! Search of public posts, for listening ([`Platform::search`](crate::Platform::search)):
//! `app.bsky.feed.searchPosts` on the AppView, through the PDS (which proxies `app.bsky.*`
//! calls to its AppView, like every other read of the adapter).
//!
//! The request asks for `sort=latest` (newest first), `limit` (at most 100), the AppView's
//! `cursor`, `since`/`until`, `lang` and each hashtag as `tag` (all must match). Bluesky's own
//! AppView (bsky.app) answers with a full-text index; the reference AppView of a local
//! network (the bluesky-network peer, the `@atproto/dev-env` build) instead matches the
//! whole `q` as one *case-sensitive* substring of the post text and ignores `since`, `until`,
//! `lang` and `tag` — found out against the peer. So the adapter sends one term as `q` (the most
//! selective: the longest word, else `@handle`, else `#tag`, see
//! [`Terms::server_term`](crate::text::search::Terms::server_term)) and keeps what has every
//! term, the time range and the language ([`text::search`](crate::text::search)): a query
//! means the same on both. A PDS without AppView answers "No service configured": the error is
//! [`Unsupported`](crate::ErrorKind::Unsupported) ("this Bluesky server does not offer
//! search").
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use socialkit::adapters::bluesky::twin::BlueskyTwin;
//! use socialkit::adapters::bluesky::Bluesky;
//! use socialkit::model::SearchQuery;
//! use socialkit::Platform;
//! let twin = BlueskyTwin::start().await.unwrap();
//! twin.post("bob.test", "The new #acme anvil is heavy").unwrap();
//! let alice = Bluesky::from_url(&twin.channel_url("alice.test").unwrap()).unwrap();
//! let page = alice.search(&SearchQuery::new("anvil #acme")).await.unwrap();
//! assert_eq!(page.items[0].author.handle, "bob.test");
//! # });
//! ```

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::api::{LooseRecord, PostView, StrongRef};
use super::{AtUri, Bluesky, PLATFORM, parse_time, post_url, profile_url};
use crate::http::Call;
use crate::model::{
    Author, Interaction, InteractionKind, InteractionRef, Page, PostRef, SearchLimits, SearchQuery,
};
use crate::text::search::{Terms, language_passes};
use crate::{Error, Result};

/// The largest page `searchPosts` answers (`limit` 1–100).
pub const MAX_SEARCH_PAGE: usize = 100;

/// Bluesky's search capabilities: pages of up to 100, words, `since`/`until` and `lang` sent
/// to the AppView (and checked by the adapter too, since a local AppView ignores them).
///
/// ```
/// let s = socialkit::adapters::bluesky::search::limits();
/// assert_eq!(s.max_page, 100);
/// assert!(s.words && s.time_range && s.language);
/// ```
pub fn limits() -> SearchLimits {
    SearchLimits {
        max_age_days: None,
        max_page: MAX_SEARCH_PAGE,
        words: true,
        time_range: true,
        language: true,
        authors: true,
    }
}

/// Output of `app.bsky.feed.searchPosts`; posts are read one by one (one that does not parse
/// is skipped).
#[derive(Debug, Deserialize)]
struct SearchPostsOutput {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    posts: Vec<Value>,
}

fn invalid(message: String) -> Error {
    Error::validation(message)
        .with_platform(PLATFORM)
        .with_operation("search")
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// What a post is matched on: its text and its `tags` (hashtags outside the text).
fn match_text(rec: &LooseRecord, raw: &Value) -> String {
    let mut out = rec.text.clone().unwrap_or_default();
    if let Some(tags) = raw.get("tags").and_then(Value::as_array) {
        for t in tags.iter().filter_map(Value::as_str) {
            out.push_str(" #");
            out.push_str(t);
        }
    }
    out
}

/// A post found by search, as an interaction one can reply to (its reference carries the
/// CID and the thread root, so a reply needs no further read).
fn found(v: &PostView) -> Option<Interaction> {
    let rec = LooseRecord::from_value(&v.record);
    let created_at = rec
        .created_at
        .as_deref()
        .and_then(parse_time)
        .or_else(|| v.indexed_at.as_deref().and_then(parse_time))?;
    let handle = if v.author.handle.is_empty() {
        v.author.did.clone()
    } else {
        v.author.handle.clone()
    };
    let root = rec
        .reply
        .as_ref()
        .map(|r| r.root.clone())
        .unwrap_or(StrongRef {
            uri: v.uri.clone(),
            cid: v.cid.clone(),
        });
    let mut post = PostRef::new(PLATFORM, v.uri.clone());
    if let Ok(u) = AtUri::parse(&v.uri) {
        post = post.with_url(post_url(&handle, &u.rkey));
    }
    let mut reference = InteractionRef::new(PLATFORM, v.uri.clone()).with_meta("reason", "search");
    if !v.cid.is_empty() && !root.cid.is_empty() {
        post = post
            .with_meta("cid", v.cid.clone())
            .with_meta("root_uri", root.uri.clone())
            .with_meta("root_cid", root.cid.clone());
        reference = reference.with_meta("cid", v.cid.clone());
    }
    Some(Interaction {
        reference: reference.with_post(post),
        kind: InteractionKind::Post,
        author: Author {
            id: v.author.did.clone(),
            handle: handle.clone(),
            display_name: v.author.display_name.clone().filter(|d| !d.is_empty()),
            followers: None,
            url: Some(profile_url(&handle)),
        },
        text: rec.text.clone(),
        created_at,
        post: None,
        conversation: Some(root.uri),
        language: rec.langs.first().cloned(),
    })
}

impl Bluesky {
    pub(super) async fn search_posts(&self, q: &SearchQuery) -> Result<Page<Interaction>> {
        let terms = Terms::checked(q, PLATFORM)?;
        if q.cursor.as_deref().is_some_and(|c| c.trim().is_empty()) {
            return Err(invalid("an empty search cursor".into()));
        }
        let term = if terms.has_words() {
            terms.server_term().unwrap_or_default()
        } else if let Some(m) = terms.mentions().first() {
            format!("@{m}")
        } else {
            format!("#{}", terms.hashtags().first().cloned().unwrap_or_default())
        };
        let limit = q.limit.min(MAX_SEARCH_PAGE);
        let mut params: Vec<(&str, String)> = vec![
            ("q", term),
            ("sort", "latest".into()),
            ("limit", limit.to_string()),
        ];
        if let Some(c) = &q.cursor {
            params.push(("cursor", c.clone()));
        }
        if let Some(s) = q.since {
            params.push(("since", instant(s)));
        }
        if let Some(u) = q.until {
            params.push(("until", instant(u)));
        }
        if let Some(l) = &q.language {
            params.push(("lang", l.clone()));
        }
        for t in terms.hashtags() {
            params.push(("tag", t.clone()));
        }
        let out: SearchPostsOutput = self
            .call("search", |_| {
                Call::get(PLATFORM, "search", self.url("app.bsky.feed.searchPosts"))
                    .query(params.iter().map(|(k, v)| (*k, v.as_str())))
            })
            .await?
            .json()
            .map_err(|e| self.context(e, "search"))?;
        let raw = out.posts.len();
        let views: Vec<(PostView, Value)> = out
            .posts
            .into_iter()
            .filter_map(|v| {
                let record = v.get("record").cloned().unwrap_or(Value::Null);
                serde_json::from_value::<PostView>(v)
                    .ok()
                    .map(|p| (p, record))
            })
            .collect();
        let mut reached_since = false;
        let mut items = Vec::new();
        for (view, record) in &views {
            let Some(i) = found(view) else { continue };
            if q.since.is_some_and(|s| i.created_at < s) {
                reached_since = true;
                continue;
            }
            let rec = LooseRecord::from_value(record);
            let keep = q.until.is_none_or(|u| i.created_at < u)
                && language_passes(q.language.as_deref(), i.language.as_deref())
                && terms.matches(&match_text(&rec, record));
            if keep {
                items.push(i);
            }
        }
        Ok(Page {
            items,
            has_more: raw > 0 && out.cursor.is_some() && !reached_since,
            next_cursor: out.cursor,
        })
    }
}
