//! Publishing on LinkedIn: validation (as written, then as escaped little text), media, the
//! post create, and comments (replies).

use serde_json::{Value, json};

use super::api::NewPost;
use super::{LinkedIn, PLATFORM, encode, post_url};
use crate::http::{Call, Retry};
use crate::model::{InteractionRef, MediaKind, Part, Post, PostRef, Published};
use crate::text::linkedin::commentary;
use crate::{Error, ErrorKind, Result};

impl LinkedIn {
    pub(crate) async fn publish_post(&self, post: &Post) -> Result<Published> {
        let part = Part {
            text: post.text.clone(),
            media: post.media.clone(),
            link: post.link.clone(),
        };
        let text = self.checked_commentary(&part.text)?;
        check_content(&part)?;
        if let Some(target) = &post.reply_to {
            // LinkedIn has no reply posts: a reply is a comment on the post.
            if !part.media.is_empty() || part.link.is_some() {
                return Err(Error::validation(
                    "a linkedin reply is a comment: text only, no media or link",
                )
                .with_platform(PLATFORM));
            }
            return self.comment(&target.id, None, &text).await;
        }
        let author = self.author().await?;
        let content = self.content(&part, &author).await?;
        let body = NewPost {
            author,
            commentary: text,
            visibility: "PUBLIC".into(),
            distribution: json!({
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": []
            }),
            lifecycle_state: "PUBLISHED".into(),
            is_reshare_disabled_by_author: false,
            content,
        };
        let call = Call::post(
            PLATFORM,
            "publish",
            self.endpoints
                .get("rest/posts", || self.endpoint("rest/posts"))?,
        )
        .json(&body)
        .retry(Retry::Never);
        let response = self.send(call).await?;
        let urn = response
            .header("x-restli-id")
            .or_else(|| response.header("x-linkedin-id"))
            .map(str::trim)
            .filter(|u| u.starts_with("urn:li:"))
            .map(str::to_string)
            .ok_or_else(|| {
                response.error(
                    ErrorKind::Unexpected,
                    "linkedin created the post but sent no x-restli-id with its URN",
                )
            })?;
        Ok(Published::single(
            PostRef::new(PLATFORM, &urn).with_url(post_url(&urn)),
            self.client.now(),
        ))
    }

    /// The commentary of `text`, checked after escaping too (see the module docs).
    fn checked_commentary(&self, text: &str) -> Result<String> {
        let escaped = commentary(text);
        let rule = &self.caps.text;
        let count = rule.count(&escaped);
        if count > rule.max {
            return Err(Error::validation(format!(
                "text is {count} {} on linkedin once its reserved characters are escaped \
                 (little text), the limit is {} ({} over)",
                rule.unit(),
                rule.max,
                count - rule.max
            ))
            .with_platform(PLATFORM)
            .with_detail(crate::Detail::TooLong {
                count,
                limit: rule.max,
                unit: rule.unit().to_string(),
            }));
        }
        Ok(escaped)
    }

    /// `content` of a post: media, multi-image or article.
    async fn content(&self, part: &Part, author: &str) -> Result<Option<Value>> {
        if let Some(link) = &part.link {
            return Ok(Some(json!({"article": {"source": link, "title": link}})));
        }
        match part.media.as_slice() {
            [] => Ok(None),
            [one] => {
                let urn = self.upload(one, author).await?;
                let mut media = json!({"id": urn});
                if let Some(alt) = one.alt.as_deref().filter(|a| !a.trim().is_empty()) {
                    media["altText"] = json!(alt);
                }
                if one.kind == MediaKind::Document {
                    media["title"] = json!(one.alt.clone().unwrap_or_else(|| "Document".into()));
                }
                Ok(Some(json!({"media": media})))
            }
            many => {
                let mut images = Vec::with_capacity(many.len());
                for m in many {
                    let urn = self.upload(m, author).await?;
                    let mut image = json!({"id": urn});
                    if let Some(alt) = m.alt.as_deref().filter(|a| !a.trim().is_empty()) {
                        image["altText"] = json!(alt);
                    }
                    images.push(image);
                }
                Ok(Some(json!({"multiImage": {"images": images}})))
            }
        }
    }

    pub(crate) async fn reply_to_comment(
        &self,
        to: &InteractionRef,
        post: &Post,
    ) -> Result<Published> {
        if !post.media.is_empty() || post.link.is_some() {
            return Err(Error::validation(
                "a linkedin reply is a comment: text only, no media or link",
            )
            .with_platform(PLATFORM));
        }
        let text = self.checked_commentary(&post.text)?;
        // A comment's reference carries its post; a post reference is answered with a
        // top-level comment. LinkedIn nests one level only: an answer to a reply goes under
        // the reply's own parent (the top-level comment).
        if let Some(on) = to.meta.get("post").or_else(|| {
            to.id
                .starts_with("urn:li:comment:")
                .then(|| to.post.as_ref().map(|p| &p.id))
                .flatten()
        }) {
            let parent = to.meta.get("parent").unwrap_or(&to.id);
            return self.comment(on, Some(parent.as_str()), &text).await;
        }
        let on = to.post.as_ref().map_or(to.id.as_str(), |p| p.id.as_str());
        self.comment(on, None, &text).await
    }

    /// Comments on post `on` (answering comment `parent`).
    ///
    /// Comments API (<https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api>,
    /// "Create a Comment"): `POST {rest|v2}/socialActions/{target}/comments` with
    /// `{actor, object, message: {text}, parentComment?}`. The target in the path is the post
    /// for a top-level comment and the *parent comment's URN* for a nested one (its `object`
    /// stays the post); independent clients agree (e.g. a Go client's test posting to
    /// `/rest/socialActions/urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A123%2C789%29/comments`).
    /// `/rest` needs Community Management access; a self-serve member app (`w_member_social`)
    /// uses the unversioned `/v2/socialActions` ([`Grant::comments_api`](super::Grant::comments_api)).
    /// The answer is 201 with the comment (`id`, `commentUrn`; `/v2` names the URN `$URN`) and
    /// `x-restli-id`.
    async fn comment(&self, on: &str, parent: Option<&str>, text: &str) -> Result<Published> {
        let actor = self.author().await?;
        let mut body = json!({"actor": actor, "object": on, "message": {"text": text}});
        if let Some(p) = parent {
            body["parentComment"] = json!(p);
        }
        let target = parent.unwrap_or(on);
        let api = self.config.grant().comments_api();
        let url = self.endpoint(&format!("{api}/socialActions/{}/comments", encode(target)))?;
        let call = Call::post(PLATFORM, "reply", url)
            .json(&body)
            .retry(Retry::Never);
        let response = self.send(call).await?;
        let created: super::api::Comment = response.json().unwrap_or_default();
        let id = created
            .comment_urn
            .clone()
            .filter(|u| u.starts_with("urn:li:comment:"))
            .or_else(|| {
                // A bare id (body `id` or `x-restli-id`) becomes the comment URN on its post,
                // so the reference always says it is a comment (deletes go to the Comments API).
                let bare = Some(created.id.clone())
                    .filter(|i| !i.is_empty())
                    .or_else(|| response.header("x-restli-id").map(|h| h.trim().to_string()))
                    .filter(|i| !i.is_empty())?;
                Some(if bare.starts_with("urn:li:comment:") {
                    bare
                } else {
                    format!("urn:li:comment:({on},{bare})")
                })
            })
            .ok_or_else(|| {
                response.error(
                    ErrorKind::Unexpected,
                    "linkedin answered the comment without its id",
                )
            })?;
        let mut r = PostRef::new(PLATFORM, &id)
            .with_url(post_url(on))
            .with_meta("post", on);
        if let Some(p) = parent {
            r = r.with_meta("parent", p);
        }
        Ok(Published::single(r, self.client.now()))
    }
}

/// One kind of content per post: a link, or images, or one video, or one document.
fn check_content(part: &Part) -> Result<()> {
    let fail = |m: &str| Err(Error::validation(m.to_string()).with_platform(PLATFORM));
    if part.link.is_some() && !part.media.is_empty() {
        return fail("a linkedin post carries a link card or media, not both");
    }
    let single = |k: MediaKind| matches!(k, MediaKind::Video | MediaKind::Document);
    if part.media.len() > 1 && part.media.iter().any(|m| single(m.kind)) {
        return fail("a linkedin post carries one video or one document, alone");
    }
    Ok(())
}
