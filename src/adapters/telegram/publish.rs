//! Publishing on Telegram: validation first (text or caption in UTF-16 code units, album
//! rules), then one send per part, each answering the one before; edits and deletes.

use chrono::{DateTime, Utc};

use super::api::{
    ChatId, InputMedia, LinkPreviewOptions, Message, MessageEntity, ReplyParameters, SendMessage,
    SentMessage,
};
use super::entities::entities;
use super::{PLATFORM, Telegram};
use crate::http::{Multipart, Part as FilePart, Retry};
use crate::model::{InteractionRef, Media, MediaKind, MediaSource, Part, Post, PostRef, Published};
use crate::text::rules;
use crate::{Error, ErrorKind, Result};

/// One message (or album) sent.
struct Sent {
    post: PostRef,
    message_id: i64,
    date: DateTime<Utc>,
}

impl Telegram {
    /// Sends the parts of `post` (resolved and checked by the adapter base) to the configured
    /// chat as a reply chain, the first answering the post's own `reply_to`.
    pub(crate) async fn publish_post(&self, post: &Post) -> Result<Published> {
        let reply_to = match &post.reply_to {
            Some(r) => Some(message_id(&r.id)?),
            None => None,
        };
        let chat = match post.reply_to.as_ref().and_then(|r| r.meta("chat_id")) {
            Some(c) => ChatId::parse(c),
            None => ChatId::parse(&self.config.chat_id),
        };
        self.send_parts(chat, post, reply_to).await
    }

    /// Answers an interaction: in the chat it came from (the channel's discussion group, a
    /// private chat), as a reply to its message.
    pub(crate) async fn reply_to(&self, to: &InteractionRef, post: &Post) -> Result<Published> {
        let chat = to.meta.get("chat_id").map(String::as_str).ok_or_else(|| {
            Error::validation("the telegram interaction reference has no chat_id")
                .with_platform(PLATFORM)
        })?;
        let message = match to.meta.get("message_id").map(String::as_str) {
            Some(m) => message_id(m)?,
            None => message_id(to.post.as_ref().map_or(to.id.as_str(), |p| p.id.as_str()))?,
        };
        self.send_parts(ChatId::parse(chat), post, Some(message))
            .await
    }

    async fn send_parts(
        &self,
        chat: ChatId,
        post: &Post,
        mut reply_to: Option<i64>,
    ) -> Result<Published> {
        let parts = post.parts();
        for part in &parts {
            check_part(part)?;
        }
        let mut sent: Vec<Sent> = Vec::with_capacity(parts.len());
        for part in &parts {
            match self.send_part(&chat, part, reply_to).await {
                Ok(s) => {
                    reply_to = Some(s.message_id);
                    sent.push(s);
                }
                Err(e) if sent.is_empty() => return Err(e),
                Err(e) => return Err(partial(e, &sent)),
            }
        }
        let published_at = sent.first().map_or_else(|| self.client.now(), |s| s.date);
        let refs: Vec<PostRef> = sent.into_iter().map(|s| s.post).collect();
        let first = refs
            .first()
            .cloned()
            .ok_or_else(|| Error::validation("the post has no parts").with_platform(PLATFORM))?;
        Ok(Published {
            post: first,
            parts: refs,
            published_at,
        })
    }

    async fn send_part(&self, chat: &ChatId, part: &Part, reply_to: Option<i64>) -> Result<Sent> {
        let text = final_text(part);
        let reply = reply_to.map(|message_id| ReplyParameters {
            message_id,
            chat_id: None,
        });
        match part.media.len() {
            0 => {
                let body = SendMessage {
                    chat_id: chat.clone(),
                    entities: entities(&text),
                    text,
                    link_preview_options: part
                        .link
                        .clone()
                        .map(|url| LinkPreviewOptions { url: Some(url) }),
                    reply_parameters: reply,
                };
                // No idempotency key: sent once; a lost answer leaves the delivery in doubt.
                let call = self
                    .call("publish", "sendMessage")?
                    .json(&body)
                    .retry(Retry::Never);
                let message: SentMessage = self.request(call).await?;
                Ok(self.sent(&message, &[message.message_id], false))
            }
            1 => {
                let media = &part.media[0];
                let (method, field) = single_method(media.kind);
                let call = self.call("publish", method)?.retry(Retry::Never);
                let call = match &media.source {
                    MediaSource::Url(url) => {
                        let mut body = serde_json::json!({ "chat_id": chat });
                        body[field] = serde_json::Value::String(url.clone());
                        caption_fields(&mut body, &text, reply.as_ref())?;
                        call.json(&body)
                    }
                    _ => {
                        let mut form = Multipart::new().text("chat_id", chat.as_text());
                        form = caption_form(form, &text, reply.as_ref())?;
                        form = form.part(file_part(field, media, 0).await?);
                        call.multipart(form)
                    }
                };
                let message: SentMessage = self.request(call).await?;
                Ok(self.sent(&message, &[message.message_id], true))
            }
            _ => {
                let mut items = Vec::with_capacity(part.media.len());
                let mut form = Multipart::new().text("chat_id", chat.as_text());
                for (i, media) in part.media.iter().enumerate() {
                    let kind = match media.kind {
                        MediaKind::Video => "video",
                        MediaKind::Document => "document",
                        _ => "photo",
                    };
                    let reference = match &media.source {
                        MediaSource::Url(url) => url.clone(),
                        _ => {
                            form = form.part(file_part(&format!("file{i}"), media, i).await?);
                            format!("attach://file{i}")
                        }
                    };
                    let first = i == 0 && !text.is_empty();
                    items.push(InputMedia {
                        kind,
                        media: reference,
                        caption: first.then(|| text.clone()),
                        caption_entities: if first { entities(&text) } else { Vec::new() },
                    });
                }
                form = form.text("media", to_json(&items)?);
                if let Some(r) = &reply {
                    form = form.text("reply_parameters", to_json(r)?);
                }
                let call = self
                    .call("publish", "sendMediaGroup")?
                    .multipart(form)
                    .retry(Retry::Never);
                let messages: Vec<SentMessage> = self.request(call).await?;
                let first = messages.first().ok_or_else(|| {
                    Error::new(
                        ErrorKind::Unexpected,
                        "telegram answered sendMediaGroup without messages",
                    )
                    .with_platform(PLATFORM)
                })?;
                let ids: Vec<i64> = messages.iter().map(|m| m.message_id).collect();
                Ok(self.sent(first, &ids, true))
            }
        }
    }

    /// The reference of a sent message (an album: its first message, listing all).
    fn sent(&self, message: &SentMessage, ids: &[i64], caption: bool) -> Sent {
        let mut post = PostRef::new(PLATFORM, message.message_id.to_string())
            .with_meta("chat_id", message.chat.id.to_string());
        if let Some(url) = self.message_url(&message.chat, message.message_id) {
            post = post.with_url(url);
        }
        if caption {
            post = post.with_meta("caption", "true");
        }
        if ids.len() > 1 {
            let all: Vec<String> = ids.iter().map(i64::to_string).collect();
            post = post.with_meta("album", all.join(","));
        }
        Sent {
            post,
            message_id: message.message_id,
            date: DateTime::from_timestamp(message.date, 0).unwrap_or_else(|| self.client.now()),
        }
    }

    /// Replaces the text (or, for a post with media, the caption) of a message.
    pub(crate) async fn edit_post(&self, post: &PostRef, new: &Post) -> Result<Published> {
        if !new.media.is_empty() || new.is_thread() {
            return Err(Error::unsupported(PLATFORM, "editing media or threads"));
        }
        let part = new.parts().remove(0);
        let text = final_text(&part);
        let caption = post.meta("caption") == Some("true");
        let rule = if caption {
            rules::telegram_caption()
        } else {
            rules::telegram()
        };
        rule.check(PLATFORM, &text)?;
        let chat = ChatId::parse(post.meta("chat_id").unwrap_or(&self.config.chat_id));
        let id = message_id(&post.id)?;
        let body = if caption {
            serde_json::json!({
                "chat_id": chat, "message_id": id, "caption": text,
                "caption_entities": entities(&text),
            })
        } else {
            serde_json::json!({
                "chat_id": chat, "message_id": id, "text": text, "entities": entities(&text),
                "link_preview_options": part.link.as_ref().map(|url| LinkPreviewOptions { url: Some(url.clone()) }),
            })
        };
        let method = if caption {
            "editMessageCaption"
        } else {
            "editMessageText"
        };
        // An edit sets the content: sending it again changes nothing.
        let call = self
            .call("edit", method)?
            .json(&body)
            .retry(Retry::Idempotent);
        match self.request::<Message>(call).await {
            Ok(message) => {
                let at = message
                    .edit_date
                    .and_then(|d| DateTime::from_timestamp(d, 0))
                    .unwrap_or_else(|| self.client.now());
                Ok(Published::single(post.clone(), at))
            }
            // "message is not modified": it already says this.
            Err(e) if e.kind() == ErrorKind::Conflict => {
                Ok(Published::single(post.clone(), self.client.now()))
            }
            Err(e) => Err(e),
        }
    }

    /// Deletes a message, or every message of an album.
    pub(crate) async fn delete_post(&self, post: &PostRef) -> Result<()> {
        let chat = ChatId::parse(post.meta("chat_id").unwrap_or(&self.config.chat_id));
        let ids: Vec<i64> = match post.meta("album") {
            Some(all) => all
                .split(',')
                .map(message_id)
                .collect::<Result<Vec<i64>>>()?,
            None => vec![message_id(&post.id)?],
        };
        let mut not_found = None;
        let mut deleted = 0;
        for id in ids {
            let call = self
                .call("delete", "deleteMessage")?
                .json(&serde_json::json!({ "chat_id": chat, "message_id": id }))
                .retry(Retry::Idempotent);
            match self.request::<bool>(call).await {
                Ok(_) => deleted += 1,
                Err(e) if e.kind() == ErrorKind::NotFound => not_found = Some(e),
                Err(e) => return Err(e),
            }
        }
        match not_found {
            Some(e) if deleted == 0 => Err(e),
            _ => Ok(()),
        }
    }
}

/// The message id in a reference.
fn message_id(id: &str) -> Result<i64> {
    id.trim().parse::<i64>().map_err(|_| {
        Error::validation(format!("{id:?} is not a telegram message id")).with_platform(PLATFORM)
    })
}

/// The method and field for one file.
fn single_method(kind: MediaKind) -> (&'static str, &'static str) {
    match kind {
        MediaKind::Video => ("sendVideo", "video"),
        MediaKind::Gif => ("sendAnimation", "animation"),
        MediaKind::Document => ("sendDocument", "document"),
        _ => ("sendPhoto", "photo"),
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

/// Checks a part as Telegram will: the text against 4096 or, with media, the caption against
/// 1024 UTF-16 code units; a GIF alone; documents only with documents.
fn check_part(part: &Part) -> Result<()> {
    let text = final_text(part);
    if part.media.is_empty() {
        return rules::telegram().check(PLATFORM, &text);
    }
    let caption = rules::telegram_caption();
    let n = caption.count(&text);
    if n > caption.max {
        return Err(Error::too_long(
            PLATFORM,
            n,
            caption.max,
            "UTF-16 code units in a media caption",
        ));
    }
    let count = |k: MediaKind| part.media.iter().filter(|m| m.kind == k).count();
    if part.media.len() > 1 && count(MediaKind::Gif) > 0 {
        return Err(Error::validation(
            "telegram sends a GIF on its own: albums take photos, videos or documents",
        )
        .with_platform(PLATFORM));
    }
    let docs = count(MediaKind::Document);
    if docs > 0 && docs < part.media.len() {
        return Err(
            Error::validation("telegram groups documents only with documents in an album")
                .with_platform(PLATFORM),
        );
    }
    Ok(())
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|_| {
        Error::validation("the telegram request could not be serialized").with_platform(PLATFORM)
    })
}

/// Adds caption, caption entities and reply parameters to a JSON body.
fn caption_fields(
    body: &mut serde_json::Value,
    text: &str,
    reply: Option<&ReplyParameters>,
) -> Result<()> {
    if !text.is_empty() {
        body["caption"] = serde_json::Value::String(text.to_string());
        let e: Vec<MessageEntity> = entities(text);
        if !e.is_empty() {
            body["caption_entities"] = serde_json::to_value(e)
                .map_err(|_| Error::validation("the caption entities could not be serialized"))?;
        }
    }
    if let Some(r) = reply {
        body["reply_parameters"] = serde_json::to_value(r)
            .map_err(|_| Error::validation("the reply could not be serialized"))?;
    }
    Ok(())
}

/// Adds caption, caption entities and reply parameters to a multipart body (JSON fields are
/// JSON-serialized strings, as the Bot API takes them in `multipart/form-data`).
fn caption_form(
    mut form: Multipart,
    text: &str,
    reply: Option<&ReplyParameters>,
) -> Result<Multipart> {
    if !text.is_empty() {
        form = form.text("caption", text);
        let e = entities(text);
        if !e.is_empty() {
            form = form.text("caption_entities", to_json(&e)?);
        }
    }
    if let Some(r) = reply {
        form = form.text("reply_parameters", to_json(r)?);
    }
    Ok(form)
}

/// The file part of an upload, named `name`.
async fn file_part(name: &str, media: &Media, index: usize) -> Result<FilePart> {
    let bytes = media.read().await?;
    let file_name = match &media.source {
        MediaSource::Path(p) => p.file_name().and_then(|n| n.to_str()).map(str::to_string),
        _ => None,
    }
    .unwrap_or_else(|| {
        let ext = media
            .mime
            .rsplit('/')
            .next()
            .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()))
            .unwrap_or("bin");
        format!("file{index}.{ext}")
    });
    Ok(FilePart::bytes(name.to_string(), bytes)
        .file_name(file_name)
        .mime(media.mime.clone()))
}

/// The error for a thread that failed after some parts were sent: which exist, so the caller
/// can continue as a reply to the last one instead of starting over.
fn partial(e: Error, sent: &[Sent]) -> Error {
    let ids: Vec<&str> = sent.iter().map(|s| s.post.id.as_str()).collect();
    e.after_thread_parts(
        "sent",
        &ids,
        "telegram has no idempotency key, so sending the whole thread again would repeat them: \
         continue as a reply to the last one",
    )
    .or_context(PLATFORM, None, "publish")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_count_utf16_and_albums_follow_the_rules() {
        let img = || Media::image_bytes("image/png", vec![1]);
        // 512 emoji are 1024 UTF-16 units: a full caption.
        let ok = Part {
            text: "😀".repeat(512),
            media: vec![img()],
            link: None,
        };
        assert!(check_part(&ok).is_ok());
        let over = Part {
            text: "😀".repeat(513),
            ..ok.clone()
        };
        let e = check_part(&over).unwrap_err();
        assert!(
            e.to_string().contains("1026") && e.to_string().contains("1024"),
            "{e}"
        );
        // Without media the same text is a message of 1026 of 4096.
        assert!(check_part(&Part::text("😀".repeat(513))).is_ok());
        let gif_album = Part {
            text: String::new(),
            media: vec![img(), Media::from_bytes("image/gif", vec![1])],
            link: None,
        };
        assert!(check_part(&gif_album).is_err());
        let mixed_docs = Part {
            text: String::new(),
            media: vec![img(), Media::from_bytes("application/pdf", vec![1])],
            link: None,
        };
        assert!(check_part(&mixed_docs).is_err());
        let link = Part {
            text: "see".into(),
            media: Vec::new(),
            link: Some("https://example.com".into()),
        };
        assert_eq!(final_text(&link), "see https://example.com");
    }
}
