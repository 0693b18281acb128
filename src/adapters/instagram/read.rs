//! Reading Instagram: comments and replies, insights, recent media.

use super::{Instagram, PLATFORM, api};
use crate::adapters::graph;
use crate::adapters::graph::api::{Insights, parse_time};
use crate::model::{
    Author, Interaction, InteractionKind, InteractionRef, PostMetrics, PostRef, RecentPost,
};
use crate::{Error, ErrorKind, Result};
use api::{Comment, MediaCounts, MediaItem, User};

impl Instagram {
    pub(super) async fn own_username(&self) -> Result<&str> {
        self.username
            .get_or_try_init(|| async {
                let u: User = self
                    .graph
                    .get("channel", &[self.user_id()], &[("fields", "id,username")])
                    .await?;
                Ok::<_, Error>(u.username.unwrap_or_default())
            })
            .await
            .map(String::as_str)
    }

    pub(super) async fn comments_of(
        &self,
        media: &MediaItem,
        own: &str,
    ) -> Result<Vec<Interaction>> {
        let comments: Vec<Comment> = self
            .graph
            .list(
                "interactions",
                &[&media.id, "comments"],
                &[("fields", api::COMMENT_FIELDS), ("limit", "50")],
                10_000,
            )
            .await?;
        let on = self.media_ref(&media.id, media.permalink.clone());
        let mut out = Vec::new();
        for c in comments {
            let thread = c.id.clone();
            let replies = c.replies.clone().map(|r| r.data).unwrap_or_default();
            for (item, parent) in std::iter::once((c, None))
                .chain(replies.into_iter().map(|r| (r, Some(thread.clone()))))
            {
                if let Some(i) = self.interaction(item, parent, &thread, &on, own) {
                    out.push(i);
                }
            }
        }
        Ok(out)
    }

    pub(super) fn interaction(
        &self,
        c: Comment,
        parent: Option<String>,
        thread: &str,
        on: &PostRef,
        own: &str,
    ) -> Option<Interaction> {
        let from = c.from.unwrap_or_default();
        let username = from.username.clone().or(c.username).unwrap_or_default();
        let mine =
            from.id.as_deref() == Some(self.user_id()) || (!own.is_empty() && username == own);
        if mine {
            return None;
        }
        let created_at = c.timestamp.as_deref().and_then(parse_time)?;
        let mut reference = InteractionRef::new(PLATFORM, c.id)
            .with_meta("media_id", on.id.clone())
            .with_meta("thread", thread);
        if let Some(p) = parent {
            reference = reference.with_meta("parent", p);
        }
        Some(Interaction {
            reference,
            kind: InteractionKind::Comment,
            author: Author {
                id: from.id.unwrap_or_default(),
                url: (!username.is_empty())
                    .then(|| format!("https://www.instagram.com/{username}/")),
                handle: username,
                display_name: None,
                followers: None,
            },
            text: c.text,
            created_at,
            post: Some(on.clone()),
            conversation: Some(on.id.clone()),
            language: None,
        })
    }

    pub(super) async fn metrics_of(&self, post: &PostRef) -> Result<PostMetrics> {
        graph::config::check_id(PLATFORM, "media id", &post.id)?;
        let counts: MediaCounts = self
            .graph
            .get(
                "post_metrics",
                &[&post.id],
                &[("fields", "id,like_count,comments_count")],
            )
            .await?;
        // A token without instagram_manage_insights, media too new: unknown, not zero.
        let insights: Option<Insights> = self
            .graph
            .get_unknown_as_none(
                "post_metrics",
                &[&post.id, "insights"],
                &[("metric", api::INSIGHT_METRICS)],
                &[
                    ErrorKind::PermissionDenied,
                    ErrorKind::Validation,
                    ErrorKind::NotFound,
                ],
            )
            .await?;
        let mut m = PostMetrics::new(post.clone(), self.graph.now());
        let i = insights.unwrap_or_default();
        m.impressions = i.value("views");
        m.reach = i.value("reach");
        m.saves = i.value("saved");
        m.reposts = i.value("shares");
        m.likes = i.value("likes").or(counts.like_count);
        m.replies = i.value("comments").or(counts.comments_count);
        Ok(m)
    }

    pub(super) async fn recent(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let limit = limit.clamp(1, 1000);
        let page = limit.min(100).to_string();
        let media: Vec<MediaItem> = self
            .graph
            .list(
                "recent_posts",
                &[self.user_id(), "media"],
                &[("fields", api::MEDIA_FIELDS), ("limit", &page)],
                limit,
            )
            .await?;
        let mut out: Vec<RecentPost> = media
            .into_iter()
            .filter_map(|m| {
                Some(RecentPost {
                    created_at: m.timestamp.as_deref().and_then(parse_time)?,
                    text: m.caption.unwrap_or_default(),
                    post: self.media_ref(&m.id, m.permalink),
                    idempotency_key: None,
                    in_reply_to: None,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| graph::id_order(&b.post.id, &a.post.id))
        });
        Ok(out)
    }
}
