//! Reading Threads: replies in conversations, insights, recent posts and replies.

use super::{PLATFORM, Threads, api};
use crate::adapters::graph;
use crate::adapters::graph::api::{Insights, parse_time};
use crate::model::{
    Author, Interaction, InteractionKind, InteractionRef, PostMetrics, PostRef, RecentPost,
};
use crate::{Error, ErrorKind, Result};
use api::{Thread, User};

impl Threads {
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

    pub(super) async fn listed(&self, edge: &str, limit: usize) -> Result<Vec<Thread>> {
        let page = limit.clamp(1, 100).to_string();
        self.graph
            .list(
                "recent_posts",
                &[self.user_id(), edge],
                &[("fields", api::POST_FIELDS), ("limit", &page)],
                limit,
            )
            .await
    }

    /// Posts and replies of the profile, newest first.
    pub(super) async fn recent(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let limit = limit.clamp(1, 1000);
        let mut all = self.listed("threads", limit).await?;
        all.extend(self.listed("replies", limit).await?);
        let mut out: Vec<RecentPost> = all
            .into_iter()
            .filter_map(|t| {
                Some(RecentPost {
                    created_at: t.timestamp.as_deref().and_then(parse_time)?,
                    text: t.text.unwrap_or_default(),
                    post: self.post_ref(&t.id, t.permalink),
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
        out.dedup_by(|a, b| a.post.id == b.post.id);
        out.truncate(limit);
        Ok(out)
    }

    pub(super) async fn replies_to(&self, root: &Thread, own: &str) -> Result<Vec<Interaction>> {
        let replies: Vec<Thread> = self
            .graph
            .list(
                "interactions",
                &[&root.id, "conversation"],
                &[
                    ("fields", api::POST_FIELDS),
                    ("reverse", "false"),
                    ("limit", "100"),
                ],
                10_000,
            )
            .await?;
        let on = self.post_ref(&root.id, root.permalink.clone());
        Ok(replies
            .into_iter()
            .filter(|r| r.username.as_deref() != Some(own) || own.is_empty())
            .filter_map(|r| {
                let created_at = r.timestamp.as_deref().and_then(parse_time)?;
                let handle = r.username.clone().unwrap_or_default();
                let mut reference = InteractionRef::new(PLATFORM, r.id.clone())
                    .with_post(self.post_ref(&r.id, r.permalink.clone()));
                if let Some(parent) = r.replied_to.and_then(|p| p.id) {
                    reference = reference.with_meta("replied_to", parent);
                }
                Some(Interaction {
                    reference,
                    kind: InteractionKind::Reply,
                    author: Author {
                        id: String::new(),
                        url: (!handle.is_empty())
                            .then(|| format!("https://www.threads.net/@{handle}")),
                        handle,
                        display_name: None,
                        followers: None,
                    },
                    text: r.text,
                    created_at,
                    post: Some(on.clone()),
                    conversation: Some(root.id.clone()),
                    language: None,
                })
            })
            .collect())
    }

    pub(super) async fn metrics_of(&self, post: &PostRef) -> Result<PostMetrics> {
        graph::config::check_id(PLATFORM, "media id", &post.id)?;
        // A token without threads_manage_insights: the numbers are unknown, not zero.
        let i: Insights = self
            .graph
            .get_unknown_as_none(
                "post_metrics",
                &[&post.id, "insights"],
                &[("metric", api::INSIGHT_METRICS)],
                &[ErrorKind::PermissionDenied],
            )
            .await?
            .unwrap_or_default();
        let mut m = PostMetrics::new(post.clone(), self.graph.now());
        m.impressions = i.value("views");
        m.likes = i.value("likes");
        m.replies = i.value("replies");
        m.reposts = i.value("reposts");
        m.quotes = i.value("quotes");
        Ok(m)
    }
}
