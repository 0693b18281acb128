//! Publishing on X: validation first, then one create per part, each replying to the one
//! before.

use super::api::{CreateTweet, Created, Envelope, MediaIds, ReplyTo};
use super::errors::problem_error;
use super::{PLATFORM, X};
use crate::http::{Call, Retry};
use crate::model::{MediaKind, Part, Post, PostRef, Published};
use crate::{Error, ErrorKind, Result};

impl X {
    /// Publishes the parts of `post` (resolved and checked by the adapter base) as a reply
    /// chain, the first answering `reply_to` (or the post's own `reply_to`).
    pub(crate) async fn publish_post(
        &self,
        post: &Post,
        reply_to: Option<&str>,
    ) -> Result<Published> {
        let parts = post.parts();
        for part in &parts {
            check_gif_size(part)?;
            // The link goes into the text: the text with it must fit too.
            self.caps.text.check(PLATFORM, &final_text(part))?;
        }
        let mut parent = reply_to
            .map(str::to_string)
            .or_else(|| post.reply_to.as_ref().map(|r| r.id.clone()));
        let mut refs: Vec<PostRef> = Vec::with_capacity(parts.len());
        for part in &parts {
            match self.create(part, parent.as_deref()).await {
                Ok(r) => {
                    parent = Some(r.id.clone());
                    refs.push(r);
                }
                Err(e) if refs.is_empty() => return Err(e),
                Err(e) => return Err(partial(e, &refs)),
            }
        }
        let first = refs
            .first()
            .cloned()
            .ok_or_else(|| Error::validation("the post has no parts"))?;
        Ok(Published {
            post: first,
            parts: refs,
            published_at: self.client.now(),
        })
    }

    /// Uploads the part's media and creates one post.
    async fn create(&self, part: &Part, reply_to: Option<&str>) -> Result<PostRef> {
        let mut media_ids = Vec::with_capacity(part.media.len());
        for m in &part.media {
            media_ids.push(self.upload(m).await?);
        }
        let body = CreateTweet {
            text: final_text(part),
            media: (!media_ids.is_empty()).then_some(MediaIds { media_ids }),
            reply: reply_to.map(|id| ReplyTo {
                in_reply_to_tweet_id: id.to_string(),
            }),
        };
        // X honours no idempotency key: a create is sent once; a timeout is reconciled by the
        // engine through recent_posts.
        let call = Call::post(
            PLATFORM,
            "publish",
            self.endpoints
                .get("2/tweets", || self.endpoint("2/tweets"))?,
        )
        .json(&body)
        .retry(Retry::Never);
        let response = self.send(call).await?;
        let created: Envelope<Created> = response.json()?;
        match created.data {
            Some(c) if !c.id.is_empty() => Ok(self.post_ref(&c.id)),
            _ => Err(match created.errors.first() {
                Some(p) => problem_error(p, "publish"),
                None => response.error(
                    ErrorKind::Unexpected,
                    "x answered the create without the new post's id",
                ),
            }),
        }
    }
}

/// The text sent: the part's text, with its link appended unless the text has it already.
fn final_text(part: &Part) -> String {
    match &part.link {
        Some(link) if !part.text.contains(link.as_str()) => {
            format!("{} {link}", part.text).trim().to_string()
        }
        _ => part.text.clone(),
    }
}

/// X takes GIFs up to 15 MB (videos up to 512 MB); the shared validation has one limit for
/// both, so GIFs are checked here, still before any request.
fn check_gif_size(part: &Part) -> Result<()> {
    for m in part.media.iter().filter(|m| m.kind == MediaKind::Gif) {
        if let Some(size) = m.size().filter(|s| *s > super::media::MAX_GIF_BYTES) {
            return Err(Error::validation(format!(
                "GIF is {size} bytes on x, the limit is {} ({} over)",
                super::media::MAX_GIF_BYTES,
                size - super::media::MAX_GIF_BYTES
            ))
            .with_platform(PLATFORM));
        }
    }
    Ok(())
}

/// The error for a thread that failed after some parts were published: which ones exist, so
/// the caller can finish the thread by replying to the last one instead of starting over.
fn partial(e: Error, published: &[PostRef]) -> Error {
    let ids: Vec<&str> = published.iter().map(|r| r.id.as_str()).collect();
    e.after_thread_parts(
        "published",
        &ids,
        "x has no idempotency key, so publishing the whole thread again would repeat them: \
         continue as a reply to the last one",
    )
    .or_context(PLATFORM, None, "publish")
}
