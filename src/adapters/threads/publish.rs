//! Publishing on Threads: checks before sending (length, links, media), containers, reply
//! chains.

use std::collections::BTreeSet;

use futures::FutureExt as _;

use super::{MAX_LINKS, PLATFORM, Threads, api, same_link};
use crate::adapters::graph;
use crate::adapters::graph::client::Params;
use crate::adapters::graph::container;
use crate::model::{Part, Post, PostRef, PublishOptions, Published};
use crate::{Detail, Error, Result};

impl Threads {
    /// The text of a part as sent: a link goes in `link_attachment` on a text post, and into
    /// the text when the part has media.
    pub(super) fn text_of(part: &Part) -> String {
        match &part.link {
            Some(link) if !part.media.is_empty() && !part.text.contains(link.as_str()) => {
                format!("{} {link}", part.text).trim().to_string()
            }
            _ => part.text.clone(),
        }
    }

    /// Checks one part as Threads will count it: the length of the text sent, and the links
    /// (the distinct links of the text plus a link attachment not among them).
    pub(super) fn check_part(&self, part: &Part) -> Result<()> {
        let text = Self::text_of(part);
        self.caps.text.check(PLATFORM, &text)?;
        let mut links: BTreeSet<String> = crate::text::extract::links(&text)
            .into_iter()
            .map(|s| same_link(s.as_str(&text)))
            .collect();
        if let Some(link) = part.link.as_ref().filter(|_| part.media.is_empty()) {
            links.insert(same_link(link));
        }
        if links.len() > MAX_LINKS {
            return Err(Error::validation(format!(
                "text has {} links on threads with its link attachment, the limit is {MAX_LINKS} ({} over)",
                links.len(),
                links.len() - MAX_LINKS
            ))
            .with_platform(PLATFORM)
            .with_detail(Detail::TooMany {
                what: "links".into(),
                count: links.len(),
                limit: MAX_LINKS,
            }));
        }
        for media in &part.media {
            graph::public_url(PLATFORM, media)?;
        }
        Ok(())
    }

    /// Everything checked before anything is sent (the post resolved for Threads): the
    /// adapter base's [`fit`](crate::adapters::base::Adapter::fit).
    pub(super) fn fit_parts(&self, post: Post, opts: &PublishOptions) -> Result<Post> {
        let post = self.caps.fit(post, opts)?;
        for (i, part) in post.parts().iter().enumerate() {
            self.check_part(part).map_err(|e| {
                if post.is_thread() {
                    Error::new(
                        e.kind(),
                        format!("part {} of the thread: {}", i + 1, e.message()),
                    )
                    .with_platform(PLATFORM)
                } else {
                    e
                }
            })?;
        }
        Ok(post)
    }

    pub(super) fn media_params(media: &crate::model::Media, child: bool) -> Result<Params> {
        let url = graph::public_url(PLATFORM, media)?.to_string();
        let mut p: Params = if graph::is_video(media) {
            vec![
                ("media_type".into(), "VIDEO".into()),
                ("video_url".into(), url),
            ]
        } else {
            vec![
                ("media_type".into(), "IMAGE".into()),
                ("image_url".into(), url),
            ]
        };
        if child {
            p.push(("is_carousel_item".into(), "true".into()));
        }
        Ok(p)
    }

    /// Creates the container of one part (a carousel's children first).
    pub(super) async fn make_container(
        &self,
        part: &Part,
        reply_to: Option<&str>,
    ) -> Result<String> {
        let text = Self::text_of(part);
        let mut p: Params = match part.media.len() {
            0 => {
                let mut p: Params = vec![("media_type".into(), "TEXT".into())];
                if let Some(link) = &part.link {
                    p.push(("link_attachment".into(), link.clone()));
                }
                p
            }
            1 => Self::media_params(&part.media[0], false)?,
            _ => {
                let deadline = self.containers.deadline();
                let mut children = Vec::with_capacity(part.media.len());
                for media in &part.media {
                    let id = self
                        .containers
                        .create(&Self::media_params(media, true)?)
                        .await?;
                    self.containers.wait_ready(&id, deadline).await?;
                    children.push(id);
                }
                vec![
                    ("media_type".into(), "CAROUSEL".into()),
                    ("children".into(), children.join(",")),
                ]
            }
        };
        if !text.is_empty() {
            p.push(("text".into(), text));
        }
        if let Some(parent) = reply_to {
            p.push(("reply_to_id".into(), parent.to_string()));
        }
        self.containers.create(&p).await
    }

    /// Publishes `post` (already checked), the first part replying to `reply_to` when given,
    /// each further part replying to the one before.
    pub(super) async fn publish_chain(
        &self,
        post: &Post,
        reply_to: Option<String>,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let parts = post.parts();
        let key_of = |i: usize| opts.idempotency_key.as_ref().map(|k| format!("{k}#{i}"));
        // Parts a retry with the same key already published need no quota.
        let to_do = |i: usize| {
            !matches!(
                key_of(i).and_then(|k| self.ledger.get(&k)),
                Some(container::Entry::Published(_))
            )
        };
        let posts = u64::from(reply_to.is_none() && to_do(0));
        let replies = (0..parts.len())
            .filter(|&i| (i > 0 || reply_to.is_some()) && to_do(i))
            .count() as u64;
        if posts + replies > 0 {
            self.containers
                .check_quota(
                    "threads_publishing_limit",
                    api::LIMIT_FIELDS,
                    posts,
                    replies,
                )
                .await?;
        }
        let mut parent = reply_to;
        let mut refs: Vec<PostRef> = Vec::with_capacity(parts.len());
        let mut first_at = None;
        for (i, part) in parts.iter().enumerate() {
            if let Some(parent) = &parent {
                graph::config::check_id(PLATFORM, "reply target", parent)?;
            }
            let key = key_of(i);
            let text = Self::text_of(part);
            let find = || {
                let text = text.clone();
                async move { Ok(graph::find_by_text(&self.recent(20).await?, &text)) }.boxed()
            };
            let media = self
                .containers
                .publish_once(
                    &self.ledger,
                    key.as_deref(),
                    self.make_container(part, parent.as_deref()).boxed(),
                    &find,
                )
                .await?;
            let (url, at) = self.containers.link(&media).await;
            if i == 0 {
                first_at = at;
            }
            refs.push(self.post_ref(&media, url));
            parent = Some(media);
        }
        let first = refs
            .first()
            .cloned()
            .unwrap_or_else(|| self.post_ref("", None));
        Ok(Published {
            post: first,
            parts: refs,
            published_at: first_at.unwrap_or_else(|| self.graph.now()),
        })
    }
}
