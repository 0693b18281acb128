//! Publishing on Instagram: checks before sending, containers for one media or a carousel,
//! comments.

use super::{Instagram, PLATFORM};
use crate::adapters::graph;
use crate::adapters::graph::api::Created;
use crate::adapters::graph::client::Params;
use crate::model::{Part, Post, PostRef, PublishOptions, Published};
use crate::platform::Operation;
use crate::{Error, Result};

impl Instagram {
    /// The caption of a part: its text, with the link appended (Instagram makes no link cards).
    pub(super) fn caption(part: &Part) -> String {
        match &part.link {
            Some(link) if !part.text.contains(link.as_str()) => {
                format!("{} {link}", part.text).trim().to_string()
            }
            _ => part.text.clone(),
        }
    }

    /// The container parameters of one media (a carousel child when `child`).
    pub(super) fn media_params(media: &crate::model::Media, child: bool) -> Result<Params> {
        let url = graph::public_url(PLATFORM, media)?.to_string();
        let mut p: Params = Vec::new();
        if graph::is_video(media) {
            let kind = if child { "VIDEO" } else { "REELS" };
            p.push(("media_type".into(), kind.into()));
            p.push(("video_url".into(), url));
        } else {
            p.push(("image_url".into(), url));
        }
        if child {
            p.push(("is_carousel_item".into(), "true".into()));
        }
        Ok(p)
    }

    /// Creates the container of a part (a carousel's children first); returns its id.
    pub(super) async fn make_container(&self, part: &Part, caption: &str) -> Result<String> {
        if part.media.len() == 1 {
            let mut p = Self::media_params(&part.media[0], false)?;
            if !caption.is_empty() {
                p.push(("caption".into(), caption.to_string()));
            }
            return self.containers.create(&p).await;
        }
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
        let mut p: Params = vec![
            ("media_type".into(), "CAROUSEL".into()),
            ("children".into(), children.join(",")),
        ];
        if !caption.is_empty() {
            p.push(("caption".into(), caption.to_string()));
        }
        self.containers.create(&p).await
    }

    /// Checks what the API would refuse, before anything is sent: the caption first (it is the
    /// most useful answer), then the capabilities, then that every media is a public URL.
    /// The post arrives resolved for Instagram: this is the adapter base's
    /// [`fit`](crate::adapters::base::Adapter::fit) for a post.
    pub(super) fn fit_post(&self, post: Post, opts: &PublishOptions) -> Result<Post> {
        for part in post.parts() {
            self.caps.text.check(PLATFORM, &Self::caption(&part))?;
        }
        let post = self.caps.fit(post.resolve(PLATFORM, None), opts)?;
        for part in post.parts() {
            for media in &part.media {
                graph::public_url(PLATFORM, media)?;
            }
        }
        Ok(post)
    }

    /// Checks a comment or reply: one part of text (and a link), within the caption rule.
    pub(super) fn check_comment(&self, post: &Post) -> Result<Part> {
        let resolved = post;
        if resolved.is_thread() {
            return Err(Error::unsupported(PLATFORM, Operation::Thread.as_str()));
        }
        let part = resolved.parts().into_iter().next().unwrap_or_default();
        if !part.media.is_empty() {
            return Err(
                Error::validation("instagram comments and replies carry text only")
                    .with_platform(PLATFORM),
            );
        }
        let text = Self::caption(&part);
        if text.trim().is_empty() {
            return Err(
                Error::validation("the comment is empty: instagram needs text")
                    .with_platform(PLATFORM),
            );
        }
        self.caps.text.check(PLATFORM, &text)?;
        Ok(part)
    }

    pub(super) async fn comment_on(
        &self,
        target: &str,
        edge: &str,
        part: &Part,
        op: &'static str,
    ) -> Result<Published> {
        let message = Self::caption(part);
        let created: Created = self
            .graph
            .post(op, &[target, edge], &[("message", message)])
            .await?;
        Ok(Published::single(
            PostRef::new(PLATFORM, created.id).with_meta("parent", target),
            self.graph.now(),
        ))
    }
}
