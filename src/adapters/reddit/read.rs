//! Reading Reddit: the account, the inbox read forward with a stored `before` cursor, a
//! post's comments, metrics from `/api/info`, the account's own posts and comments (for
//! reconciliation) and search. Listing semantics from <https://www.reddit.com/dev/api>
//! ("listings": `before`/`after` are fullnames, `limit` at most 100, children newest first).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::api::{Listing, ThingData};
use super::publish::fullname;
use super::{PLATFORM, Reddit};
use crate::http::{Call, Retry};
use crate::model::{
    Author, Channel, ChannelMetrics, Interaction, InteractionKind, InteractionQuery,
    InteractionRef, Page, PostMetrics, PostRef, Profile, RecentPost, SearchQuery,
};
use crate::{Error, ErrorKind, Result};

/// Pages of 100 read at most when the inbox is read from its newest end back to `since`.
const MAX_BACK_PAGES: usize = 10;
/// `/api/info` takes at most 100 ids per call.
const INFO_BATCH: usize = 100;

/// A post's score, comment count and upvote ratio (`GET /api/info`).
///
/// ```
/// let s = socialkit::adapters::reddit::SubmissionStats {
///     post: socialkit::model::PostRef::new("reddit", "t3_abc"),
///     score: 42, num_comments: 7, upvote_ratio: Some(0.93),
/// };
/// assert_eq!(s.score, 42);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubmissionStats {
    /// The post (or comment).
    pub post: PostRef,
    /// Upvotes minus downvotes (fuzzed by reddit).
    pub score: i64,
    /// Comments under the post (0 for a comment).
    pub num_comments: u64,
    /// The share of upvotes, 0–1 (posts only).
    pub upvote_ratio: Option<f64>,
}

fn author_of(d: &ThingData) -> Author {
    let handle = d.author.clone().unwrap_or_else(|| "[deleted]".into());
    Author {
        id: d.author_fullname.clone().unwrap_or_else(|| handle.clone()),
        url: Some(format!("https://www.reddit.com/user/{handle}")),
        handle,
        ..Author::default()
    }
}

/// A post's text as socialkit sent it: the title, then the body.
fn post_text(d: &ThingData) -> String {
    let title = d.title.clone().unwrap_or_default();
    match d
        .selftext
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(body) => format!("{title}\n{body}"),
        None => title,
    }
}

/// `at` without its fraction of a second.
fn floor_second(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

impl Reddit {
    fn time_of(&self, d: &ThingData) -> DateTime<Utc> {
        d.created().unwrap_or_else(|| self.client.now())
    }

    async fn listing(
        &self,
        operation: &'static str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Listing> {
        let call = Call::get(PLATFORM, operation, self.endpoint(path)?)
            .query([("raw_json", "1")])
            .query(query.iter().map(|(k, v)| (*k, v.as_str())))
            .retry(Retry::Idempotent);
        let value: serde_json::Value = self.send(call).await?.json()?;
        serde_json::from_value(value).map_err(|_| {
            Error::new(
                ErrorKind::Unexpected,
                format!("reddit answered {operation} with no listing"),
            )
            .with_platform(PLATFORM)
            .with_operation(operation)
        })
    }

    pub(crate) async fn read_channel(&self) -> Result<Channel> {
        let me = self.me().await?.clone();
        let mut c = Channel::new(PLATFORM, format!("t2_{}", me.id), me.name.clone());
        let sr = me.subreddit.clone().unwrap_or_default();
        c.profile = Profile {
            display_name: sr.title.filter(|t| !t.is_empty()).or(Some(me.name.clone())),
            bio: sr.public_description.filter(|d| !d.is_empty()),
            avatar: me.icon_img.clone().filter(|i| !i.is_empty()),
            ..Profile::default()
        };
        c.url = Some(format!("https://www.reddit.com/user/{}", me.name));
        c.metrics = ChannelMetrics {
            followers: sr.subscribers,
            ..ChannelMetrics::default()
        };
        Ok(c)
    }

    /// One inbox item as an interaction, or `None` for kinds socialkit does not read.
    fn inbox_item(&self, kind: &str, d: &ThingData) -> Option<Interaction> {
        let (ikind, reference, post) = match kind {
            "t4" => (
                InteractionKind::DirectMessage,
                InteractionRef::new(PLATFORM, d.name.clone())
                    .with_meta("subject", d.subject.clone().unwrap_or_default()),
                None,
            ),
            "t1" => {
                let mention = d.subject.as_deref() == Some("username mention");
                let mut itself = PostRef::new(PLATFORM, d.name.clone());
                if let Some(c) = &d.context {
                    itself = itself.with_url(format!("https://www.reddit.com{c}"));
                }
                let parent = (!mention)
                    .then(|| d.parent_id.clone())
                    .flatten()
                    .map(|p| PostRef::new(PLATFORM, p));
                (
                    if mention {
                        InteractionKind::Mention
                    } else {
                        InteractionKind::Reply
                    },
                    InteractionRef::new(PLATFORM, d.name.clone()).with_post(itself),
                    parent,
                )
            }
            _ => return None,
        };
        Some(Interaction {
            reference,
            kind: ikind,
            author: author_of(d),
            text: d.body.clone(),
            created_at: self.time_of(d),
            post,
            conversation: d.link_id.clone(),
            language: None,
        })
    }

    /// The inbox (`GET /message/inbox`), oldest first, resuming after the cursor (the newest
    /// fullname read: `before=` it returns the things right after it). Without a cursor it
    /// reads back from the newest end to `since` (at most 1,000 things), or takes the newest
    /// page when there is no `since`.
    pub(crate) async fn read_inbox(&self, q: &InteractionQuery) -> Result<Page<Interaction>> {
        let limit = if q.limit == 0 { 25 } else { q.limit.min(100) };
        // `created_utc` has whole seconds on reddit: compare `since` at that precision, so
        // nothing made in the same second as `since` is left out.
        let since = q.since.map(floor_second);
        let (things, has_more) = match &q.cursor {
            Some(cursor) => {
                let cursor = fullname(cursor)?;
                let l = self
                    .listing(
                        "interactions",
                        "message/inbox",
                        &[("before", cursor.to_string()), ("limit", limit.to_string())],
                    )
                    .await?;
                let full = l.data.children.len() >= limit;
                let mut things = l.data.children;
                things.reverse();
                (things, full || l.data.before.is_some())
            }
            None => {
                let mut all = Vec::new();
                let mut after: Option<String> = None;
                let pages = if since.is_some() { MAX_BACK_PAGES } else { 1 };
                for _ in 0..pages {
                    let mut query = vec![("limit", "100".to_string())];
                    if let Some(a) = &after {
                        query.push(("after", a.clone()));
                    }
                    let l = self
                        .listing("interactions", "message/inbox", &query)
                        .await?;
                    let reached = since.is_some_and(|s| {
                        l.data
                            .children
                            .iter()
                            .any(|t| t.data.created().is_some_and(|c| c < s))
                    });
                    all.extend(l.data.children);
                    after = l.data.after;
                    if reached || after.is_none() {
                        break;
                    }
                }
                all.retain(|t| since.is_none_or(|s| t.data.created().is_none_or(|c| c >= s)));
                all.reverse();
                let more = all.len() > limit;
                all.truncate(limit);
                (all, more)
            }
        };
        let next_cursor = things
            .last()
            .map(|t| t.data.name.clone())
            .filter(|n| !n.is_empty())
            .or_else(|| q.cursor.clone());
        let items = things
            .iter()
            .filter_map(|t| self.inbox_item(&t.kind, &t.data))
            .filter(|i| q.wants(i.kind))
            .collect();
        Ok(Page {
            items,
            next_cursor,
            has_more,
        })
    }

    /// The comments under one of the channel's posts, oldest first (`GET /comments/{id}`,
    /// the whole tree reddit sends, nested replies included; "load more" stubs are not
    /// followed).
    ///
    /// ```no_run
    /// # async fn demo(reddit: socialkit::adapters::reddit::Reddit, post: socialkit::model::PostRef) -> socialkit::Result<()> {
    /// for c in reddit.post_comments(&post).await? {
    ///     println!("{}: {}", c.author.handle, c.text.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn post_comments(&self, post: &PostRef) -> Result<Vec<Interaction>> {
        let id = fullname(&post.id)?;
        let Some(id36) = id.strip_prefix("t3_") else {
            return Err(
                Error::validation("post_comments takes a post (t3_…)").with_platform(PLATFORM)
            );
        };
        let call = Call::get(
            PLATFORM,
            "interactions",
            self.endpoint(&format!("comments/{id36}"))?,
        )
        .query([("raw_json", "1"), ("sort", "new"), ("limit", "500")])
        .retry(Retry::Idempotent);
        let value: serde_json::Value = self.send(call).await?.json()?;
        let tree: Listing = value
            .get(1)
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Unexpected,
                    "reddit answered /comments without the comment listing",
                )
                .with_platform(PLATFORM)
            })?;
        let mut out = Vec::new();
        let mut stack: Vec<(super::api::Thing, usize)> =
            tree.data.children.into_iter().map(|t| (t, 0)).collect();
        while let Some((t, depth)) = stack.pop() {
            if t.kind != "t1" {
                continue;
            }
            if depth < 50 {
                if let Some(replies) = t
                    .data
                    .replies
                    .clone()
                    .and_then(|r| serde_json::from_value::<Listing>(r).ok())
                {
                    stack.extend(replies.data.children.into_iter().map(|c| (c, depth + 1)));
                }
            }
            let d = &t.data;
            let mut itself = self.thing_ref(d);
            itself.meta.remove("subreddit");
            out.push(Interaction {
                reference: InteractionRef::new(PLATFORM, d.name.clone()).with_post(itself),
                kind: InteractionKind::Reply,
                author: author_of(d),
                text: d.body.clone(),
                created_at: self.time_of(d),
                post: d.parent_id.clone().map(|p| PostRef::new(PLATFORM, p)),
                conversation: d.link_id.clone(),
                language: None,
            });
        }
        out.sort_by_key(|i| i.created_at);
        Ok(out)
    }

    /// `GET /api/info?id=…` for up to 100 fullnames per call.
    pub(crate) async fn info(&self, ids: &[String]) -> Result<Vec<ThingData>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(INFO_BATCH) {
            let l = self
                .listing("post metrics", "api/info", &[("id", chunk.join(","))])
                .await?;
            out.extend(l.data.children.into_iter().map(|t| t.data));
        }
        Ok(out)
    }

    pub(crate) async fn read_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let stats = self.submission_stats(posts).await?;
        let now = self.client.now();
        Ok(stats
            .into_iter()
            .map(|s| {
                let mut m = PostMetrics::new(s.post.clone(), now);
                m.likes = Some(u64::try_from(s.score.max(0)).unwrap_or(0));
                m.replies = s.post.id.starts_with("t3_").then_some(s.num_comments);
                m
            })
            .collect())
    }

    /// Score, comment count and upvote ratio of posts (and scores of comments), in the
    /// order asked; deleted or unknown things are left out.
    ///
    /// ```no_run
    /// # async fn demo(reddit: socialkit::adapters::reddit::Reddit, post: socialkit::model::PostRef) -> socialkit::Result<()> {
    /// let stats = reddit.submission_stats(&[post]).await?;
    /// println!("{:?}", stats[0].upvote_ratio);
    /// # Ok(()) }
    /// ```
    pub async fn submission_stats(&self, posts: &[PostRef]) -> Result<Vec<SubmissionStats>> {
        let ids = posts
            .iter()
            .map(|p| fullname(&p.id).map(str::to_string))
            .collect::<Result<Vec<String>>>()?;
        let found = self.info(&ids).await?;
        Ok(posts
            .iter()
            .filter_map(|p| {
                let d = found.iter().find(|d| d.name == p.id && !d.is_deleted())?;
                Some(SubmissionStats {
                    post: p.clone(),
                    score: d.ups.or(d.score).unwrap_or(0),
                    num_comments: d.num_comments.unwrap_or(0),
                    upvote_ratio: d.upvote_ratio,
                })
            })
            .collect())
    }

    /// The account's newest posts and comments (`GET /user/{name}/overview?sort=new`), each
    /// comment with what it answers, paging back with `after`.
    pub(crate) async fn read_recent(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let username = self.username().await?;
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        // Bounded: 10 pages of 100.
        for _ in 0..limit.div_ceil(100).clamp(1, 10) {
            let mut query = vec![
                ("sort", "new".to_string()),
                ("limit", limit.clamp(1, 100).to_string()),
            ];
            if let Some(a) = &after {
                query.push(("after", a.clone()));
            }
            let l = self
                .listing("recent posts", &format!("user/{username}/overview"), &query)
                .await?;
            for t in &l.data.children {
                let d = &t.data;
                if d.is_deleted() || d.name.is_empty() {
                    continue;
                }
                let (text, in_reply_to) = match t.kind.as_str() {
                    "t3" => (post_text(d), None),
                    "t1" => (d.body.clone().unwrap_or_default(), d.parent_id.clone()),
                    _ => continue,
                };
                let mut post = self.thing_ref(d);
                if t.kind == "t3" && d.is_self == Some(false) {
                    post = post.with_meta("kind", "link");
                }
                out.push(RecentPost {
                    post,
                    text,
                    created_at: self.time_of(d),
                    idempotency_key: None,
                    in_reply_to,
                });
                if out.len() >= limit {
                    return Ok(out);
                }
            }
            after = l.data.after;
            if after.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// Posts matching `query` across reddit (`GET /search?sort=new&type=link`), newest first,
    /// paged with `after`; `since`/`until` filter the page.
    pub(crate) async fn search_posts(&self, q: &SearchQuery) -> Result<Page<Interaction>> {
        let text = q.text.trim();
        if text.is_empty() {
            return Err(Error::validation("the search query is empty").with_platform(PLATFORM));
        }
        if text.chars().count() > 512 {
            return Err(
                Error::validation("reddit search queries are at most 512 characters")
                    .with_platform(PLATFORM),
            );
        }
        let limit = if q.limit == 0 { 25 } else { q.limit.min(100) };
        let mut query = vec![
            ("q", text.to_string()),
            ("sort", "new".to_string()),
            ("type", "link".to_string()),
            ("limit", limit.to_string()),
        ];
        if let Some(c) = &q.cursor {
            query.push(("after", fullname(c)?.to_string()));
        }
        let l = self.listing("search", "search", &query).await?;
        let items = l
            .data
            .children
            .iter()
            .filter(|t| t.kind == "t3" && !t.data.is_deleted())
            .filter(|t| {
                let at = t.data.created();
                q.since
                    .map(floor_second)
                    .is_none_or(|s| at.is_none_or(|c| c >= s))
                    && q.until.is_none_or(|u| at.is_none_or(|c| c < u))
            })
            .map(|t| {
                let d = &t.data;
                let post = self.thing_ref(d);
                Interaction {
                    reference: InteractionRef::new(PLATFORM, d.name.clone())
                        .with_post(post.clone()),
                    kind: InteractionKind::Post,
                    author: author_of(d),
                    text: Some(post_text(d)),
                    created_at: self.time_of(d),
                    post: Some(post),
                    conversation: None,
                    language: None,
                }
            })
            .collect();
        Ok(Page {
            items,
            has_more: l.data.after.is_some(),
            next_cursor: l.data.after,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::reddit::publish::title_and_body;

    #[test]
    fn since_is_compared_at_whole_seconds() {
        let at = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(floor_second(at).to_rfc3339(), "2026-01-02T03:04:05+00:00");
    }

    #[test]
    fn post_text_joins_title_and_body() {
        let d = ThingData {
            title: Some("T".into()),
            selftext: Some("B".into()),
            ..ThingData::default()
        };
        assert_eq!(post_text(&d), "T\nB");
        assert_eq!(title_and_body(&post_text(&d)), ("T", "B"));
        let t = ThingData {
            title: Some("T".into()),
            selftext: Some(String::new()),
            ..ThingData::default()
        };
        assert_eq!(post_text(&t), "T");
    }
}
