//! Reading a Facebook Page: comments on recent posts and post metrics.

use super::{Facebook, PLATFORM, api};
use crate::adapters::graph;
use crate::adapters::graph::api::{Insights, parse_time};
use crate::model::{Author, Interaction, InteractionKind, InteractionRef, PostMetrics, PostRef};
use crate::{ErrorKind, Result};
use api::{Comment, Counts, FeedPost};

impl Facebook {
    pub(super) async fn comments_of(&self, post: &FeedPost) -> Result<Vec<Interaction>> {
        let comments: Vec<Comment> = self
            .graph
            .list(
                "interactions",
                &[&post.id, "comments"],
                &[
                    ("fields", api::COMMENT_FIELDS),
                    ("filter", "stream"),
                    ("order", "chronological"),
                    ("limit", "100"),
                ],
                10_000,
            )
            .await?;
        let on = self.post_ref(&post.id, post.permalink_url.clone());
        Ok(comments
            .into_iter()
            .filter(|c| c.from.as_ref().and_then(|f| f.id.as_deref()) != Some(self.page_id()))
            .filter_map(|c| {
                let created_at = c.created_time.as_deref().and_then(parse_time)?;
                let from = c.from.unwrap_or_default();
                let thread = c.parent.and_then(|p| p.id).unwrap_or_else(|| c.id.clone());
                let mut reference = InteractionRef::new(PLATFORM, c.id.clone())
                    .with_meta("post_id", post.id.clone())
                    .with_meta("thread", thread);
                if let Some(url) = c.permalink_url {
                    reference = reference.with_meta("url", url);
                }
                Some(Interaction {
                    reference,
                    kind: InteractionKind::Comment,
                    author: Author {
                        id: from.id.clone().unwrap_or_default(),
                        handle: from.name.clone().or(from.id).unwrap_or_default(),
                        display_name: from.name,
                        followers: None,
                        url: None,
                    },
                    text: c.message,
                    created_at,
                    post: Some(on.clone()),
                    conversation: Some(post.id.clone()),
                    language: None,
                })
            })
            .collect())
    }

    pub(super) async fn metrics_of(&self, post: &PostRef) -> Result<PostMetrics> {
        graph::config::check_id(PLATFORM, "post id", &post.id)?;
        let counts: Counts = self
            .graph
            .get(
                "post_metrics",
                &[&post.id],
                &[("fields", api::COUNT_FIELDS)],
            )
            .await?;
        // A token without read_insights, a Page under 100 likes, a post too new: the numbers
        // are unknown, not zero.
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
        m.likes = counts.reactions.as_ref().and_then(|r| r.total());
        m.replies = counts.comments.as_ref().and_then(|c| c.total());
        m.reposts = Some(counts.shares());
        if let Some(i) = insights {
            m.reach = i.value("post_total_media_view_unique");
            m.clicks = i.value("post_clicks");
        }
        Ok(m)
    }
}
