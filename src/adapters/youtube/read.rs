//! Reading: the channel, its uploads, video statistics, and comments as interactions.
//! Sources: `channels.list`, `playlistItems.list`, `videos.list` (part `statistics`),
//! `commentThreads.list` (`allThreadsRelatedToChannelId`, `order=time`, `pageToken`,
//! `maxResults` ≤ 100), `comments.list` (`parentId`), `comments.insert` and
//! `comments.delete`, all under <https://developers.google.com/youtube/v3/docs>.
//!
//! # Cursors
//!
//! `commentThreads.list` pages from the newest thread back; it has no "since". The stored
//! [`CommentCursor`] is a high-water mark (the newest comment time read and the ids at that
//! instant): a read pages back until it reaches the mark, returning only what is newer. When a
//! read stops before the mark (its page budget, `limit / 100` pages, is spent), the cursor keeps
//! the next `pageToken` and the mark to come, so the next read goes on from there and nothing
//! between is skipped; only when the mark is reached does it move forward. The channel's own
//! comments (its replies) are left out.

use chrono::{DateTime, Utc};

use super::api::{self, Comment, CommentThread, List};
use super::quota::Cost;
use super::{MAX_COMMENT, PLATFORM, Youtube};
use crate::http::{Call, HighWater, Retry};
use crate::model::{
    Author, Channel, ChannelMetrics, Interaction, InteractionKind, InteractionQuery,
    InteractionRef, Page, Post, PostMetrics, PostRef, Profile, Published, RecentPost,
};
use crate::{Error, ErrorKind, Result};

/// Most pages one read of the inbox takes.
const MAX_PAGES: usize = 10;

/// Where the inbox of a channel stands: a [`HighWater`] mark over `commentThreads.list`.
pub type CommentCursor = HighWater;

fn author_of(c: &Comment) -> Author {
    let id = c
        .snippet
        .author_channel_id
        .as_ref()
        .map(|a| a.value.clone())
        .unwrap_or_default();
    Author {
        id,
        handle: c.snippet.author_display_name.clone(),
        display_name: Some(c.snippet.author_display_name.clone()).filter(|s| !s.is_empty()),
        followers: None,
        url: c.snippet.author_channel_url.clone(),
    }
}

fn comment_url(video: &str, comment: &str) -> String {
    format!("https://www.youtube.com/watch?v={video}&lc={comment}")
}

impl Youtube {
    /// The channel with its metrics (subscribers `None` when hidden).
    pub(crate) async fn read_channel(&self) -> Result<Channel> {
        let c = self.channel_resource().await?;
        let snippet = c.snippet.clone().unwrap_or_default();
        let stats = c.statistics.clone().unwrap_or_default();
        let handle = snippet
            .custom_url
            .clone()
            .unwrap_or_else(|| snippet.title.clone());
        let mut ch = Channel::new(PLATFORM, c.id.clone(), handle).with_profile(Profile {
            display_name: Some(snippet.title.clone()).filter(|s| !s.is_empty()),
            bio: snippet.description.clone().filter(|s| !s.is_empty()),
            ..Profile::default()
        });
        ch.url = Some(format!("https://www.youtube.com/channel/{}", c.id));
        ch.metrics = ChannelMetrics {
            followers: if stats.hidden_subscriber_count {
                None
            } else {
                stats.subscriber_count
            },
            posts: stats.video_count,
            ..ChannelMetrics::default()
        };
        Ok(ch)
    }

    fn own_channel_id(&self) -> Option<String> {
        self.config().channel_id.clone()
    }

    /// The interaction for one comment on `video`.
    fn interaction(
        &self,
        c: &Comment,
        thread: &CommentThread,
        kind: InteractionKind,
    ) -> Interaction {
        let video = c
            .snippet
            .video_id
            .clone()
            .or_else(|| thread.snippet.video_id.clone())
            .unwrap_or_default();
        let post = (!video.is_empty()).then(|| Youtube::video_ref(&video));
        let mut reference =
            InteractionRef::new(PLATFORM, c.id.clone()).with_meta("thread", thread.id.clone());
        if let Some(p) = &post {
            reference = reference.with_post(p.clone());
        }
        Interaction {
            reference,
            kind,
            author: author_of(c),
            text: c
                .snippet
                .text_original
                .clone()
                .or_else(|| c.snippet.text_display.clone()),
            created_at: c
                .snippet
                .published_at
                .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
            post,
            conversation: Some(thread.id.clone()),
            language: None,
        }
    }

    /// Comments on the channel's videos (see [Cursors](self#cursors)).
    pub(crate) async fn read_comments(
        &self,
        query: &InteractionQuery,
    ) -> Result<Page<Interaction>> {
        let mut cursor = HighWater::parse(PLATFORM, query.cursor.as_deref())?;
        if cursor.mark.is_none() && cursor.page.is_none() {
            cursor.mark = query.since;
        }
        let own = match self.own_channel_id() {
            Some(id) => id,
            None => self.channel_resource().await?.id.clone(),
        };
        let pages = query.limit.div_ceil(100).clamp(1, MAX_PAGES);
        let mut items = Vec::new();
        let mut page = cursor.page.take();
        let mut finished = false;
        for _ in 0..pages {
            let mut call =
                Call::get(PLATFORM, "interactions", self.api("commentThreads")?).query([
                    ("part", "snippet,replies"),
                    ("allThreadsRelatedToChannelId", own.as_str()),
                    ("order", "time"),
                    ("maxResults", "100"),
                    ("textFormat", "plainText"),
                ]);
            if let Some(p) = &page {
                call = call.query([("pageToken", p.as_str())]);
            }
            let list: List<CommentThread> = self.send(call, Cost::LIST).await?.json()?;
            let mut reached = false;
            for thread in &list.items {
                let top = &thread.snippet.top_level_comment;
                let at = top
                    .snippet
                    .published_at
                    .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
                if !cursor.is_new(at, &top.id) {
                    reached = true;
                }
                let replies = thread
                    .replies
                    .as_ref()
                    .map(|r| r.comments.as_slice())
                    .unwrap_or(&[]);
                let all = std::iter::once((top, InteractionKind::Comment))
                    .chain(replies.iter().map(|r| (r, InteractionKind::Reply)));
                for (c, kind) in all {
                    let t = c
                        .snippet
                        .published_at
                        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
                    if c.id.is_empty() || !cursor.is_new(t, &c.id) {
                        continue;
                    }
                    cursor.note_newest(t, &c.id);
                    let mine = c
                        .snippet
                        .author_channel_id
                        .as_ref()
                        .is_some_and(|a| a.value == own);
                    if !mine && query.wants(kind) {
                        items.push(self.interaction(c, thread, kind));
                    }
                }
            }
            page = list.next_page_token.filter(|p| !p.is_empty());
            if reached || page.is_none() {
                finished = true;
                break;
            }
        }
        if finished {
            cursor.finish();
        } else {
            cursor.page = page;
        }
        items.sort_by_key(|i| i.created_at);
        Ok(Page {
            items,
            next_cursor: Some(cursor.encode()),
            has_more: !finished,
        })
    }

    /// The replies of one comment thread (`comments.list?parentId=`), a page of at most 100,
    /// from `page_token` (a previous page's [`Page::next_cursor`]).
    ///
    /// ```no_run
    /// # async fn demo(yt: socialkit::adapters::youtube::Youtube) -> socialkit::Result<()> {
    /// let page = yt.comment_replies("UgzThreadId", None).await?;
    /// for reply in &page.items { println!("{:?}", reply.text); }
    /// # Ok(()) }
    /// ```
    pub async fn comment_replies(
        &self,
        thread_id: &str,
        page_token: Option<&str>,
    ) -> Result<Page<Interaction>> {
        let mut call = Call::get(PLATFORM, "interactions", self.api("comments")?).query([
            ("part", "snippet"),
            ("parentId", thread_id),
            ("maxResults", "100"),
            ("textFormat", "plainText"),
        ]);
        if let Some(p) = page_token {
            call = call.query([("pageToken", p)]);
        }
        let list: List<Comment> = self.send(call, Cost::LIST).await?.json()?;
        let thread = CommentThread {
            id: thread_id.to_string(),
            ..CommentThread::default()
        };
        let mut items: Vec<Interaction> = list
            .items
            .iter()
            .filter(|c| !c.id.is_empty())
            .map(|c| self.interaction(c, &thread, InteractionKind::Reply))
            .collect();
        items.sort_by_key(|i| i.created_at);
        let next = list.next_page_token.filter(|p| !p.is_empty());
        Ok(Page {
            items,
            has_more: next.is_some(),
            next_cursor: next,
        })
    }

    /// Answers a comment (`comments.insert` with `snippet.parentId`: the thread's top-level
    /// comment; YouTube threads are one level deep).
    pub(crate) async fn reply_to(&self, to: &InteractionRef, post: &Post) -> Result<Published> {
        let parent = to
            .meta
            .get("thread")
            .cloned()
            .unwrap_or_else(|| to.id.clone());
        let text = post.text.trim();
        let n = text.chars().count();
        if n > MAX_COMMENT {
            return Err(Error::too_long(PLATFORM, n, MAX_COMMENT, "characters"));
        }
        let body = serde_json::json!({"snippet": {"parentId": parent, "textOriginal": text}});
        let call = Call::post(PLATFORM, "reply", self.api("comments")?)
            .query([("part", "snippet")])
            .json(&body)
            .retry(Retry::Never);
        let c: Comment = self.send(call, Cost::WRITE).await?.json()?;
        if c.id.is_empty() {
            return Err(Error::new(
                ErrorKind::Unexpected,
                "YouTube answered the reply without a comment id",
            )
            .with_platform(PLATFORM)
            .with_operation("reply"));
        }
        let video = c
            .snippet
            .video_id
            .clone()
            .or_else(|| to.post.as_ref().map(|p| p.id.clone()));
        let mut r = PostRef::new(PLATFORM, c.id.clone()).with_meta("parent", parent);
        if let Some(v) = video {
            r = r.with_url(comment_url(&v, &c.id));
        }
        let at = c
            .snippet
            .published_at
            .unwrap_or_else(|| self.client().now());
        Ok(Published::single(r, at))
    }

    /// Deletes a comment of the channel (`comments.delete`, 50 units): a reply it wrote, or
    /// a comment on its video it removes.
    pub async fn delete_comment(&self, comment_id: &str) -> Result<()> {
        let call = Call::delete(PLATFORM, "delete_comment", self.api("comments")?)
            .query([("id", comment_id)]);
        self.send(call, Cost::WRITE).await?;
        Ok(())
    }

    /// Views, likes and comments per video (`videos.list?part=statistics`, 50 ids a call);
    /// a video YouTube no longer lists is left out.
    pub(crate) async fn read_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let mut out = Vec::new();
        for chunk in posts.chunks(50) {
            let ids: Vec<&str> = chunk.iter().map(|p| p.id.as_str()).collect();
            let call = Call::get(PLATFORM, "post metrics", self.api("videos")?)
                .query([("part", "statistics"), ("id", ids.join(",").as_str())]);
            let list: List<api::Video> = self.send(call, Cost::LIST).await?.json()?;
            let now = self.client().now();
            for p in chunk {
                let Some(v) = list.items.iter().find(|v| v.id == p.id) else {
                    continue;
                };
                let s = v.statistics.clone().unwrap_or_default();
                let mut m = PostMetrics::new(p.clone(), now);
                m.video_views = s.view_count;
                m.likes = s.like_count;
                m.replies = s.comment_count;
                out.push(m);
            }
        }
        Ok(out)
    }

    /// The channel's latest uploads, newest first (the uploads playlist): title and
    /// description as the text, for reconciliation.
    pub(crate) async fn read_recent(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let uploads = self
            .channel_resource()
            .await?
            .content_details
            .as_ref()
            .and_then(|c| c.related_playlists.uploads.clone())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Unexpected,
                    "YouTube listed the channel without its uploads playlist",
                )
                .with_platform(PLATFORM)
            })?;
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        while out.len() < limit {
            let max = (limit - out.len()).clamp(1, 50).to_string();
            let mut call = Call::get(PLATFORM, "recent posts", self.api("playlistItems")?).query([
                ("part", "snippet"),
                ("playlistId", uploads.as_str()),
                ("maxResults", max.as_str()),
            ]);
            if let Some(p) = &page {
                call = call.query([("pageToken", p.as_str())]);
            }
            let list: List<api::PlaylistItem> = self.send(call, Cost::LIST).await?.json()?;
            for item in list.items {
                let s = item.snippet;
                if s.resource_id.video_id.is_empty() {
                    continue;
                }
                let text = if s.description.is_empty() {
                    s.title.clone()
                } else {
                    format!("{}\n{}", s.title, s.description)
                };
                out.push(RecentPost {
                    post: Youtube::video_ref(&s.resource_id.video_id),
                    text,
                    created_at: s.published_at.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
                    idempotency_key: None,
                    in_reply_to: None,
                });
            }
            page = list.next_page_token.filter(|p| !p.is_empty());
            if page.is_none() {
                break;
            }
        }
        out.truncate(limit);
        Ok(out)
    }
}
