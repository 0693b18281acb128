//! Publishing on a Facebook Page: feed posts, photos (one, or several through
//! `attached_media`), comments.

use super::{Facebook, PLATFORM, api};
use crate::adapters::graph::api::{Created, parse_time};
use crate::http::Part as HttpPart;
use crate::model::{MediaSource, Part, PostRef, Published};
use crate::{Error, Result};
use api::FeedPost;

impl Facebook {
    /// The message of a part: its text, with the link appended when the part also has photos
    /// (photo posts make no link card).
    pub(super) fn message(part: &Part) -> String {
        match &part.link {
            Some(link) if !part.media.is_empty() && !part.text.contains(link.as_str()) => {
                if part.text.trim().is_empty() {
                    link.clone()
                } else {
                    format!("{} {link}", part.text)
                }
            }
            _ => part.text.clone(),
        }
    }

    /// Uploads one photo; `published=false` keeps it out of the feed for `attached_media`.
    pub(super) async fn upload_photo(
        &self,
        media: &crate::model::Media,
        caption: Option<&str>,
        published: bool,
    ) -> Result<Created> {
        let mut fields: Vec<(&str, String)> = vec![("published", published.to_string())];
        if let Some(c) = caption.filter(|c| !c.trim().is_empty()) {
            // `caption` is the photo's text on `POST /{page-id}/photos` as Postiz sends it; the
            // stored copies of Meta's Page Photos reference show only its read side, so the
            // name is not confirmed from Meta here.
            fields.push(("caption", c.to_string()));
        }
        let path = [self.page_id(), "photos"];
        match &media.source {
            MediaSource::Url(url) => {
                fields.push(("url", url.clone()));
                self.graph.post("upload_photo", &path, &fields).await
            }
            MediaSource::Bytes(_) | MediaSource::Path(_) => {
                let bytes = media.read().await?;
                let file = HttpPart::bytes("source", bytes)
                    .file_name("photo")
                    .mime(media.mime.clone());
                self.graph
                    .post_multipart("upload_photo", &path, &fields, file)
                    .await
            }
        }
    }

    /// Reads the post's link and time after a publish. Best effort: the post exists, so a
    /// failed read must not turn the publish into an error (a retry would post twice).
    pub(super) async fn finish(&self, id: &str, created: Option<&Created>) -> Published {
        if let Some(c) = created {
            if let (Some(url), Some(at)) = (
                &c.permalink_url,
                c.created_time.as_deref().and_then(parse_time),
            ) {
                return Published::single(self.post_ref(id, Some(url.clone())), at);
            }
        }
        let url = created.and_then(|c| c.permalink_url.clone());
        let read: Result<FeedPost> = self
            .graph
            .get(
                "publish",
                &[id],
                &[("fields", "id,permalink_url,created_time")],
            )
            .await;
        let (url, at) = match read {
            Ok(p) => (
                p.permalink_url.or(url),
                p.created_time.as_deref().and_then(parse_time),
            ),
            Err(e) => {
                tracing::debug!(
                    platform = PLATFORM,
                    kind = e.kind().as_str(),
                    "reading the new post failed"
                );
                (url, None)
            }
        };
        Published::single(
            self.post_ref(id, url),
            at.unwrap_or_else(|| self.graph.now()),
        )
    }

    pub(super) async fn comment_on(
        &self,
        target: &str,
        part: &Part,
        op: &'static str,
    ) -> Result<Published> {
        if !part.media.is_empty() {
            return Err(Error::validation(
                "facebook comments published by socialkit carry text and a link, not media",
            )
            .with_platform(PLATFORM)
            .with_operation(op));
        }
        let mut message = part.text.clone();
        if let Some(link) = &part.link {
            if !message.contains(link.as_str()) {
                message = format!("{message} {link}").trim().to_string();
            }
        }
        let created: Created = self
            .graph
            .post(op, &[target, "comments"], &[("message", message)])
            .await?;
        let r = PostRef::new(PLATFORM, created.id)
            .with_meta("page_id", self.page_id())
            .with_meta("parent", target);
        Ok(Published::single(r, self.graph.now()))
    }
}
