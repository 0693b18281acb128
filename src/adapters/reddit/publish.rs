//! Publishing on Reddit: validation first, then `POST /api/submit` for the post and
//! `POST /api/comment` for every further part, edits (`/api/editusertext`), deletes
//! (`/api/del`), the image upload (`/api/media/asset.json` and its S3 form) and the
//! subreddit's link flairs (`/r/{sr}/api/link_flair_v2`). Parameters as
//! <https://www.reddit.com/dev/api> lists them (`submit`: `sr`, `kind`, `title`, `text`,
//! `url`, `flair_id`, `flair_text`, `sendreplies`, `resubmit`, `api_type`; `comment`:
//! `thing_id`, `text`, `api_type`; `editusertext`: `thing_id`, `text`; `del`: `id`).

use chrono::{Duration, Utc};

use super::api::{LinkFlair, MediaLease, Thing, ThingData, WriteData};
use super::{MAX_COMMENT, MAX_TITLE, PLATFORM, Reddit};
use crate::http::{Call, Multipart, Part as FilePart, Retry};
use crate::model::{InteractionRef, Media, Part, Post, PostRef, Published};
use crate::text::{Counting, TextRule};
use crate::{Error, ErrorKind, Result};

/// A post's title and body: the first line is the title, the rest (leading blank lines
/// dropped) the body: `"Big news\n\nDetails"` is `("Big news", "Details")`.
pub(crate) fn title_and_body(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.split_once('\n') {
        Some((title, body)) => (
            title.trim_end_matches('\r').trim_end(),
            body.trim_start_matches(['\r', '\n']).trim_end(),
        ),
        None => (text.trim_end(), ""),
    }
}

/// What kind of submission a part becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A text post with a body.
    SelfPost { body: String },
    /// A link post.
    Link { url: String },
    /// An image post (the image is uploaded first).
    Image,
}

/// The text of a comment part: its text, with its link appended unless the text has it.
fn comment_text(part: &Part) -> String {
    match &part.link {
        Some(link) if !part.text.contains(link.as_str()) => {
            format!("{} {link}", part.text).trim().to_string()
        }
        _ => part.text.clone(),
    }
}

/// Checks the first part as reddit will and decides its kind.
fn first_part(part: &Part) -> Result<(String, Kind)> {
    let (title, body) = title_and_body(&part.text);
    if title.is_empty() {
        return Err(
            Error::validation("a reddit post needs a title: the first line of the text")
                .with_platform(PLATFORM),
        );
    }
    let rule = TextRule::new(Counting::Chars, MAX_TITLE);
    let n = rule.count(title);
    if n > MAX_TITLE {
        return Err(Error::too_long(
            PLATFORM,
            n,
            MAX_TITLE,
            "characters in the title (the first line of the text)",
        ));
    }
    let kind = if !part.media.is_empty() {
        if !body.is_empty() || part.link.is_some() {
            return Err(Error::validation(
                "a reddit image post has a title only: put the rest of the text in a thread part (a comment)",
            )
            .with_platform(PLATFORM));
        }
        Kind::Image
    } else {
        match &part.link {
            Some(url) if body.is_empty() => Kind::Link { url: url.clone() },
            // A text with a link: a self post that ends with the link.
            Some(url) if !body.contains(url.as_str()) => Kind::SelfPost {
                body: format!("{body}\n\n{url}"),
            },
            _ => Kind::SelfPost {
                body: body.to_string(),
            },
        }
    };
    Ok((title.to_string(), kind))
}

/// Checks a comment part: text only, at most 10,000 characters.
fn check_comment(part: &Part) -> Result<()> {
    if !part.media.is_empty() {
        return Err(Error::validation(
            "reddit comments take no media: only the first part of a thread may have an image",
        )
        .with_platform(PLATFORM));
    }
    let text = comment_text(part);
    if text.trim().is_empty() {
        return Err(Error::validation("a reddit comment needs text").with_platform(PLATFORM));
    }
    let rule = TextRule::new(Counting::Chars, MAX_COMMENT);
    let n = rule.count(&text);
    if n > MAX_COMMENT {
        return Err(Error::too_long(
            PLATFORM,
            n,
            MAX_COMMENT,
            "characters in a comment",
        ));
    }
    Ok(())
}

/// The one thing in a comment or edit answer.
fn the_thing(data: WriteData, what: &str) -> Result<ThingData> {
    data.things
        .into_iter()
        .map(|t: Thing| t.data)
        .find(|d| !d.name.is_empty())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Unexpected,
                format!("reddit answered {what} without the comment"),
            )
            .with_platform(PLATFORM)
        })
}

/// A fullname (`t3_…`, `t1_…`, `t4_…`) from a reference, or a validation error.
pub(crate) fn fullname(id: &str) -> Result<&str> {
    let ok = id.len() > 3
        && matches!(&id[..3], "t1_" | "t3_" | "t4_")
        && id[3..].chars().all(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(id)
    } else {
        Err(Error::validation(format!(
            "{:?} is not a reddit fullname (t3_… post, t1_… comment, t4_… message)",
            crate::http::redact::truncate_chars(id, 40)
        ))
        .with_platform(PLATFORM))
    }
}

impl Reddit {
    /// Publishes `post`, which the adapter base resolved and checked against the
    /// capabilities. Reddit has no idempotency key: nothing of the options is sent.
    pub(crate) async fn publish_post(&self, post: &Post) -> Result<Published> {
        // The base resolved and checked the post against the capabilities.
        let parts = post.parts();
        if let Some(to) = &post.reply_to {
            // A post that answers something is a chain of comments under it.
            return self.comment_chain(fullname(&to.id)?, &parts).await;
        }
        let (title, kind) = first_part(&parts[0])?;
        for part in &parts[1..] {
            check_comment(part)?;
        }
        let first = self.submit(&title, kind, &parts[0]).await?;
        let at = first.1;
        let mut refs = vec![first.0];
        for part in &parts[1..] {
            let parent = refs.last().map(|r| r.id.clone()).unwrap_or_default();
            match self.comment(&parent, &comment_text(part), "publish").await {
                Ok(c) => refs.push(c),
                Err(e) => return Err(partial(e, &refs)),
            }
        }
        Ok(Published {
            post: refs[0].clone(),
            parts: refs,
            published_at: at,
        })
    }

    /// Answers an interaction with `post` (resolved and checked by the base).
    pub(crate) async fn reply_to(&self, to: &InteractionRef, post: &Post) -> Result<Published> {
        // Answer the comment or message itself (a message's reply goes through the same
        // endpoint: dev/api `comment`, "thing_id: fullname of parent thing").
        let target = to.post.as_ref().map_or(to.id.as_str(), |p| p.id.as_str());
        self.comment_chain(fullname(target)?, &post.parts()).await
    }

    /// Every part as a comment, each answering the one before, the first answering `parent`.
    async fn comment_chain(&self, parent: &str, parts: &[Part]) -> Result<Published> {
        for part in parts {
            check_comment(part)?;
        }
        let mut refs: Vec<PostRef> = Vec::new();
        for part in parts {
            let parent = refs.last().map_or(parent.to_string(), |r| r.id.clone());
            match self.comment(&parent, &comment_text(part), "reply").await {
                Ok(c) => refs.push(c),
                Err(e) if refs.is_empty() => return Err(e),
                Err(e) => return Err(partial(e, &refs)),
            }
        }
        let first = refs
            .first()
            .cloned()
            .ok_or_else(|| Error::validation("the post has no parts").with_platform(PLATFORM))?;
        Ok(Published {
            post: first,
            parts: refs,
            published_at: self.client.now(),
        })
    }

    /// `POST /api/submit`. No idempotency key exists: sent once (a lost answer leaves the
    /// delivery in doubt and the engine looks for the post in the account's listing).
    async fn submit(
        &self,
        title: &str,
        kind: Kind,
        part: &Part,
    ) -> Result<(PostRef, chrono::DateTime<Utc>)> {
        let username = self.username().await?;
        let sr = self.config.target(&username);
        let mut form: Vec<(&str, String)> = vec![
            ("api_type", "json".into()),
            ("sr", sr.clone()),
            ("title", title.to_string()),
            ("sendreplies", "true".into()),
            ("resubmit", "true".into()),
        ];
        if let Some(f) = &self.config.flair_id {
            form.push(("flair_id", f.clone()));
        }
        if let Some(t) = &self.config.flair_text {
            form.push(("flair_text", t.clone()));
        }
        let started = self.client.now();
        match &kind {
            Kind::SelfPost { body } => {
                form.push(("kind", "self".into()));
                form.push(("text", body.clone()));
            }
            Kind::Link { url } => {
                form.push(("kind", "link".into()));
                form.push(("url", url.clone()));
            }
            Kind::Image => {
                let url = self.upload_image(&part.media[0]).await?;
                form.push(("kind", "image".into()));
                form.push(("url", url));
            }
        }
        let call = Call::post(
            PLATFORM,
            "publish",
            self.endpoints
                .get("api/submit", || self.endpoint("api/submit"))?,
        )
        .form(form)
        .retry(Retry::Never);
        let data = self.write(call).await?;
        let name = data
            .name
            .clone()
            .or_else(|| data.id.as_ref().map(|id| format!("t3_{id}")));
        match name {
            Some(name) => {
                let mut r = PostRef::new(PLATFORM, name).with_meta("subreddit", sr);
                if let Some(url) = data.url.filter(|u| u.starts_with("http")) {
                    r = r.with_url(url);
                }
                if matches!(kind, Kind::Link { .. }) {
                    r = r.with_meta("kind", "link");
                }
                Ok((r, self.client.now()))
            }
            // Image posts answer with a websocket instead of the post (PRAW `_submit_media`):
            // find the post in the account's newest submissions.
            None => self.find_submitted(&username, title, started).await,
        }
    }

    /// The newest submission of `username` titled `title` made since `since` (image posts).
    async fn find_submitted(
        &self,
        username: &str,
        title: &str,
        since: chrono::DateTime<Utc>,
    ) -> Result<(PostRef, chrono::DateTime<Utc>)> {
        let call = Call::get(
            PLATFORM,
            "publish",
            self.endpoint(&format!("user/{username}/submitted"))?,
        )
        .query([("sort", "new"), ("limit", "25"), ("raw_json", "1")])
        .retry(Retry::Idempotent);
        let listing: super::api::Listing = self.send(call).await?.json()?;
        let since = since - Duration::seconds(60);
        listing
            .data
            .children
            .into_iter()
            .map(|t| t.data)
            .find(|d| {
                d.title.as_deref() == Some(title) && d.created().is_some_and(|c| c >= since)
            })
            .map(|d| {
                let at = d.created().unwrap_or_else(|| self.client.now());
                (self.thing_ref(&d), at)
            })
            .ok_or_else(|| {
                // Retryable and in doubt: the engine reconciles through the listing later.
                Error::new(
                    ErrorKind::Platform,
                    "reddit accepted the image post but does not list it yet; it may still be processing",
                )
                .with_platform(PLATFORM)
                .with_operation("publish")
                .with_retryable(true)
            })
    }

    /// `POST /api/comment`: a comment answering `parent` (a post, comment or message).
    async fn comment(&self, parent: &str, text: &str, operation: &'static str) -> Result<PostRef> {
        let call = Call::post(PLATFORM, operation, self.endpoint("api/comment")?)
            .form([("api_type", "json"), ("thing_id", parent), ("text", text)])
            .retry(Retry::Never);
        let data = self.write(call).await?;
        let d = the_thing(data, "the comment")?;
        Ok(self.thing_ref(&d))
    }

    /// Uploads an image through reddit's media lease and returns its URL (`praw/models/media.py`:
    /// `POST /api/media/asset.json` with `filepath` and `mimetype`; then a multipart POST of
    /// the lease's `fields` and the `file` to `https:` + `action`; the URL is the action
    /// URL + `/` + the `key` field). The S3 form is signed by the lease itself: no reddit
    /// token is sent there.
    async fn upload_image(&self, media: &Media) -> Result<String> {
        let bytes = media.read().await?;
        let ext = media
            .mime
            .rsplit('/')
            .next()
            .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()))
            .unwrap_or("png");
        let name = format!("image.{ext}");
        let call = Call::post(PLATFORM, "media", self.endpoint("api/media/asset.json")?)
            .form([
                ("filepath", name.as_str()),
                ("mimetype", media.mime.as_str()),
            ])
            // A lease that is never used is harmless: safe to ask again.
            .retry(Retry::Idempotent);
        let lease: MediaLease = self.send(call).await?.json()?;
        let action = lease.args.action.trim();
        let scheme = self.config.base_url.scheme();
        let upload = if let Some(rest) = action.strip_prefix("//") {
            format!("{scheme}://{rest}")
        } else {
            action.to_string()
        };
        let upload_url = url::Url::parse(&upload)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Unexpected,
                    "reddit's media lease has no valid upload URL",
                )
                .with_platform(PLATFORM)
            })?;
        let key = lease
            .args
            .fields
            .iter()
            .find(|f| f.name == "key")
            .map(|f| f.value.clone())
            .ok_or_else(|| {
                Error::new(ErrorKind::Unexpected, "reddit's media lease has no key")
                    .with_platform(PLATFORM)
            })?;
        let mut form = Multipart::new();
        for f in &lease.args.fields {
            form = form.text(f.name.clone(), f.value.clone());
        }
        form = form.part(
            FilePart::bytes("file", bytes)
                .file_name(name)
                .mime(media.mime.clone()),
        );
        let call = Call::post(PLATFORM, "media", upload_url)
            .user_agent(&self.config.user_agent)
            .multipart(form)
            .retry(Retry::Idempotent);
        let response = self.client.send(call, &S3Errors).await?;
        let _ = response;
        Ok(format!("{}/{key}", upload.trim_end_matches('/')))
    }

    /// `POST /api/editusertext`: a self post's body (its title never changes on reddit) or
    /// a comment's text.
    pub(crate) async fn edit_thing(&self, post: &PostRef, new: &Post) -> Result<Published> {
        if !new.media.is_empty() || new.is_thread() {
            return Err(Error::unsupported(PLATFORM, "editing media or threads"));
        }
        if post.meta("kind") == Some("link") {
            return Err(Error::unsupported(PLATFORM, "editing a link post"));
        }
        let id = fullname(&post.id)?;
        let text = comment_text(&new.parts()[0]);
        if id.starts_with("t1_") {
            check_comment(&Part::text(text.clone()))?;
        }
        let call = Call::post(PLATFORM, "edit", self.endpoint("api/editusertext")?)
            .form([
                ("api_type", "json"),
                ("thing_id", id),
                ("text", text.as_str()),
            ])
            // An edit sets the text: sending it again changes nothing.
            .retry(Retry::Idempotent);
        let data = self.write(call).await?;
        let _ = the_thing(data, "the edit")?;
        Ok(Published::single(post.clone(), self.client.now()))
    }

    /// `POST /api/del`, once `GET /api/info` shows the thing is there and not deleted
    /// already (reddit answers a second delete with success).
    pub(crate) async fn delete_thing(&self, post: &PostRef) -> Result<()> {
        let id = fullname(&post.id)?;
        let found = self.info(&[id.to_string()]).await?;
        if !found.iter().any(|d| d.name == id && !d.is_deleted()) {
            return Err(Error::new(
                ErrorKind::NotFound,
                "reddit has no such post or comment (deleted already?)",
            )
            .with_platform(PLATFORM)
            .with_operation("delete"));
        }
        let call = Call::post(PLATFORM, "delete", self.endpoint("api/del")?)
            .form([("id", id)])
            // Deleting twice deletes nothing else: safe to repeat.
            .retry(Retry::Idempotent);
        self.send(call).await.map(drop)
    }

    /// The subreddit's link flair templates (`GET /r/{sr}/api/link_flair_v2`): pick one as
    /// `flair_id` where the subreddit requires flair.
    ///
    /// ```no_run
    /// # async fn demo(reddit: socialkit::adapters::reddit::Reddit) -> socialkit::Result<()> {
    /// for flair in reddit.link_flairs().await? {
    ///     println!("{} {}", flair.id, flair.text);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn link_flairs(&self) -> Result<Vec<LinkFlair>> {
        let username = self.username().await?;
        let sr = self.config.target(&username);
        let call = Call::get(
            PLATFORM,
            "flairs",
            self.endpoint(&format!("r/{sr}/api/link_flair_v2"))?,
        )
        .retry(Retry::Idempotent);
        self.send(call).await?.json()
    }
}

/// Errors of the S3 upload form: XML bodies (`<Error><Code>EntityTooLarge</Code>…`, PRAW's
/// `PostMedia._parse_xml_response`).
struct S3Errors;

impl crate::http::ErrorMapper for S3Errors {
    fn map(&self, response: &crate::http::Response) -> Error {
        let body = response.text_lossy();
        let code = body
            .split("<Code>")
            .nth(1)
            .and_then(|r| r.split("</Code>").next())
            .map(str::trim)
            .filter(|c| c.len() <= 64 && c.chars().all(|ch| ch.is_ascii_alphanumeric()))
            .map(str::to_string);
        let status = response.status();
        let kind = match code.as_deref() {
            Some("EntityTooLarge") => ErrorKind::Validation,
            Some("AccessDenied" | "RequestTimeTooSkewed" | "ExpiredToken") => ErrorKind::Platform,
            _ if status.is_server_error() => ErrorKind::Platform,
            _ => ErrorKind::Validation,
        };
        let mut e = response.error(kind, "reddit's image upload was refused");
        if let Some(c) = code {
            e = e.with_platform_code(c);
        }
        if kind == ErrorKind::Platform && status.is_client_error() {
            e = e.with_retryable(false);
        }
        e
    }
}

/// The error for a thread that failed after some parts were sent.
fn partial(e: Error, sent: &[PostRef]) -> Error {
    let ids: Vec<&str> = sent.iter().map(|r| r.id.as_str()).collect();
    e.after_thread_parts(
        "sent",
        &ids,
        "reddit has no idempotency key, so sending the whole thread again would repeat them: \
         continue as a reply to the last one",
    )
    .or_context(PLATFORM, None, "publish")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_is_the_title() {
        assert_eq!(
            title_and_body("Big news\n\nDetails\nmore"),
            ("Big news", "Details\nmore")
        );
        assert_eq!(title_and_body("  Only a title  "), ("Only a title", ""));
        assert_eq!(title_and_body("T\r\n\r\nB"), ("T", "B"));
        let long = Part::text("é".repeat(301));
        let e = first_part(&long).unwrap_err();
        assert!(
            e.to_string().contains("301") && e.to_string().contains("300"),
            "{e}"
        );
        assert!(first_part(&Part::text("\n\n")).is_err());
        let link = Part {
            text: "Read this".into(),
            media: Vec::new(),
            link: Some("https://example.com/a".into()),
        };
        assert_eq!(
            first_part(&link).unwrap().1,
            Kind::Link {
                url: "https://example.com/a".into()
            }
        );
        let with_body = Part {
            text: "Read this\nIt is good".into(),
            ..link
        };
        assert_eq!(
            first_part(&with_body).unwrap().1,
            Kind::SelfPost {
                body: "It is good\n\nhttps://example.com/a".into()
            }
        );
        let image = Part {
            text: "A title\nand a body".into(),
            media: vec![Media::image_bytes("image/png", vec![1])],
            link: None,
        };
        assert!(first_part(&image).is_err());
    }

    #[test]
    fn comments_and_fullnames() {
        assert!(check_comment(&Part::text("x".repeat(10_000))).is_ok());
        let e = check_comment(&Part::text("x".repeat(10_001))).unwrap_err();
        assert!(e.to_string().contains("10001"), "{e}");
        assert!(fullname("t3_abc").is_ok() && fullname("t1_9z").is_ok());
        assert!(
            fullname("abc").is_err() && fullname("t3_").is_err() && fullname("t3_a/b").is_err()
        );
    }
}
