//! Publishing on Discord: validation first, then one message per part (bot: a reply chain,
//! or a forum thread; webhook: `wait=true`), edits and deletes.

use sha2::{Digest, Sha256};

use super::api::{AttachmentRequest, CreateMessage, Message, MessageReference, SentMessage};
use super::{Discord, PLATFORM};
use crate::http::{Call, Multipart, Part as FilePart, Retry};
use crate::model::{InteractionRef, MediaSource, Part, Post, PostRef, PublishOptions, Published};
use crate::{Error, ErrorKind, Result};

/// Longest forum thread name (Start Thread in Forum or Media Channel: 1-100 characters).
const MAX_THREAD_NAME: usize = 100;

/// The nonce for part `index` of a publish with idempotency key `key`: the key itself when
/// it fits Discord's 25 characters (first part), else 25 hex digits of its SHA-256.
fn nonce(key: &str, index: usize) -> String {
    if index == 0 && key.len() <= 25 && key.is_ascii() {
        return key.to_string();
    }
    let digest = Sha256::digest(format!("{key}#{index}").as_bytes());
    hex::encode(digest)[..25].to_string()
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

/// A forum thread's name: the first line of the text, at most 100 characters.
fn thread_name(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let name: String = line.chars().take(MAX_THREAD_NAME).collect();
    if name.is_empty() {
        "Post".to_string()
    } else {
        name
    }
}

impl Discord {
    pub(crate) async fn publish_post(
        &self,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let reply_to = post.reply_to.as_ref().map(|r| r.id.clone());
        let channel = post
            .reply_to
            .as_ref()
            .and_then(|r| r.meta("channel_id").map(str::to_string));
        self.send_parts(post, channel, reply_to, opts.idempotency_key.as_deref())
            .await
    }

    pub(crate) async fn reply_to(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let target = to.post.as_ref().map_or(to.id.clone(), |p| p.id.clone());
        let channel = to.meta.get("channel_id").cloned().or_else(|| {
            to.post
                .as_ref()
                .and_then(|p| p.meta("channel_id").map(str::to_string))
        });
        self.send_parts(post, channel, Some(target), opts.idempotency_key.as_deref())
            .await
    }

    async fn send_parts(
        &self,
        post: &Post,
        channel: Option<String>,
        mut reply_to: Option<String>,
        key: Option<&str>,
    ) -> Result<Published> {
        for part in post.parts() {
            self.caps.text.check(PLATFORM, &final_text(&part))?;
        }
        let guild = if self.is_webhook() {
            self.webhook_info().await?.guild_id.clone()
        } else {
            self.channel_info().await?.guild_id.clone()
        };
        // A forum or media channel takes a post as a new thread.
        let is_forum = !self.is_webhook() && self.channel_info().await?.is_forum();
        if is_forum != self.config.forum && !self.is_webhook() {
            return Err(Error::config(if is_forum {
                "the discord channel is a forum or media channel: add forum=true to its config"
            } else {
                "the discord channel is no forum channel: remove forum=true from its config"
            })
            .with_platform(PLATFORM));
        }
        let forum = is_forum && channel.is_none() && reply_to.is_none();
        // Only a bot's messages outside forum threads take a nonce.
        let key = key.filter(|_| self.caps.idempotency == crate::platform::Idempotency::Key);
        let mut channel = channel.or_else(|| self.channel_id().map(str::to_string));
        let mut refs: Vec<PostRef> = Vec::new();
        let mut first_at = None;
        for (i, part) in post.parts().iter().enumerate() {
            let sent = if forum && i == 0 {
                self.start_thread(part).await
            } else {
                self.create(
                    part,
                    channel.as_deref(),
                    reply_to.as_deref(),
                    key.map(|k| nonce(k, i)),
                )
                .await
            };
            match sent {
                Ok(m) => {
                    reply_to = Some(m.id.clone());
                    channel = Some(m.channel_id.clone());
                    first_at = first_at.or(m.timestamp);
                    refs.push(self.post_ref(&m, guild.as_deref()));
                }
                Err(e) if refs.is_empty() => return Err(e),
                Err(e) => return Err(partial(e, &refs, key.is_some())),
            }
        }
        let first = refs
            .first()
            .cloned()
            .ok_or_else(|| Error::validation("the post has no parts").with_platform(PLATFORM))?;
        Ok(Published {
            post: first,
            parts: refs,
            published_at: first_at.unwrap_or_else(|| self.client.now()),
        })
    }

    /// The body and files of one part.
    async fn body(&self, part: &Part) -> Result<(CreateMessage, Vec<FilePart>)> {
        let mut body = CreateMessage {
            content: final_text(part),
            ..CreateMessage::default()
        };
        let mut files = Vec::with_capacity(part.media.len());
        for (n, media) in part.media.iter().enumerate() {
            let bytes = media.read().await?;
            let filename = match &media.source {
                MediaSource::Path(p) => p.file_name().and_then(|f| f.to_str()).map(str::to_string),
                _ => None,
            }
            .unwrap_or_else(|| {
                let ext = media
                    .mime
                    .rsplit('/')
                    .next()
                    .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()))
                    .unwrap_or("bin");
                format!("file{n}.{ext}")
            });
            body.attachments.push(AttachmentRequest {
                id: n,
                filename: filename.clone(),
                description: media.alt.clone().filter(|a| !a.trim().is_empty()),
            });
            files.push(
                FilePart::bytes(format!("files[{n}]"), bytes)
                    .file_name(filename)
                    .mime(media.mime.clone()),
            );
        }
        Ok((body, files))
    }

    fn with_body(call: Call, body: &impl serde::Serialize, files: Vec<FilePart>) -> Result<Call> {
        if files.is_empty() {
            return Ok(call.json(body));
        }
        let json = serde_json::to_string(body).map_err(|_| {
            Error::validation("the discord message could not be serialized").with_platform(PLATFORM)
        })?;
        let mut form = Multipart::new().text("payload_json", json);
        for f in files {
            form = form.part(f);
        }
        Ok(call.multipart(form))
    }

    /// One message: a bot's in `channel` (replying to `reply_to`, with `nonce`), or the
    /// webhook's.
    async fn create(
        &self,
        part: &Part,
        channel: Option<&str>,
        reply_to: Option<&str>,
        nonce: Option<String>,
    ) -> Result<Message> {
        let (mut body, files) = self.body(part).await?;
        if let Some(path) = self.webhook_path() {
            let mut url = self.endpoint(&path)?;
            url.query_pairs_mut().append_pair("wait", "true");
            if let super::DiscordAuth::Webhook {
                thread_id: Some(t), ..
            } = &self.config.auth
            {
                url.query_pairs_mut().append_pair("thread_id", t);
            }
            // No documented idempotency for webhooks: sent once.
            let call = Self::with_body(Call::post(PLATFORM, "publish", url), &body, files)?
                .retry(Retry::Never);
            return self
                .send_json(call, "POST webhooks/{w}", self.webhook_id())
                .await;
        }
        let channel = channel.unwrap_or_default();
        body.message_reference = reply_to.map(|id| MessageReference {
            message_id: Some(id.to_string()),
            channel_id: None,
            fail_if_not_exists: Some(true),
        });
        let retry = if nonce.is_some() {
            Retry::Idempotent
        } else {
            Retry::Never
        };
        body.enforce_nonce = nonce.as_ref().map(|_| true);
        body.nonce = nonce;
        // The channel is nearly always the configured one: its URL is built once.
        let path = format!("channels/{channel}/messages");
        let url = self.endpoints.get(&path, || self.endpoint(&path))?;
        // With an enforced nonce Discord returns the first message for a repeat within
        // minutes, so the HTTP layer may resend after a lost answer.
        let call =
            Self::with_body(Call::post(PLATFORM, "publish", url), &body, files)?.retry(retry);
        let sent: SentMessage = self
            .send_json(call, "POST channels/{c}/messages", channel)
            .await?;
        Ok(sent.into())
    }

    /// Starts a forum thread with the part as its first message.
    async fn start_thread(&self, part: &Part) -> Result<Message> {
        let (body, files) = self.body(part).await?;
        let channel = self.channel_id().unwrap_or_default();
        let payload = serde_json::json!({
            "name": thread_name(&part.text),
            "message": body,
        });
        let url = self.endpoint(&format!("channels/{channel}/threads"))?;
        let call = Self::with_body(Call::post(PLATFORM, "publish", url), &payload, files)?
            .retry(Retry::Never);
        let thread: super::api::Channel = self
            .send_json(call, "POST channels/{c}/threads", channel)
            .await?;
        let mut m = thread.message.ok_or_else(|| {
            Error::new(
                ErrorKind::Unexpected,
                "discord started the thread without its message",
            )
            .with_platform(PLATFORM)
        })?;
        if m.channel_id.is_empty() {
            m.channel_id = thread.id;
        }
        Ok(m)
    }

    /// `(url, route, major)` of a message: the bot's channel message or the webhook's.
    pub(crate) fn message_target(
        &self,
        post: &PostRef,
        operation: &'static str,
    ) -> Result<(url::Url, &'static str, String)> {
        if let Some(path) = self.webhook_path() {
            let mut url = self.endpoint(&format!("{path}/messages/{}", post.id))?;
            if let super::DiscordAuth::Webhook {
                thread_id: Some(t), ..
            } = &self.config.auth
            {
                url.query_pairs_mut().append_pair("thread_id", t);
            }
            let route = match operation {
                "delete" => "DELETE webhooks/{w}/messages/{m}",
                "edit" => "PATCH webhooks/{w}/messages/{m}",
                _ => "GET webhooks/{w}/messages/{m}",
            };
            return Ok((url, route, self.webhook_id().to_string()));
        }
        let channel = post
            .meta("channel_id")
            .map(str::to_string)
            .or_else(|| self.channel_id().map(str::to_string))
            .unwrap_or_default();
        let url = self.endpoint(&format!("channels/{channel}/messages/{}", post.id))?;
        let route = match operation {
            "delete" => "DELETE channels/{c}/messages/{m}",
            "edit" => "PATCH channels/{c}/messages/{m}",
            _ => "GET channels/{c}/messages/{m}",
        };
        Ok((url, route, channel))
    }

    pub(crate) async fn delete_message(&self, post: &PostRef) -> Result<()> {
        if !post.id.chars().all(|c| c.is_ascii_digit()) || post.id.is_empty() {
            return Err(Error::validation("not a discord message id").with_platform(PLATFORM));
        }
        let (url, route, major) = self.message_target(post, "delete")?;
        // Deleting twice cannot delete anything else: safe to repeat.
        let call = Call::delete(PLATFORM, "delete", url).retry(Retry::Idempotent);
        self.send(call, route, &major).await.map(drop)
    }

    pub(crate) async fn edit_message(&self, post: &PostRef, new: &Post) -> Result<Published> {
        if !new.media.is_empty() || new.is_thread() {
            return Err(Error::unsupported(PLATFORM, "editing media or threads"));
        }
        let text = final_text(&new.parts().remove(0));
        self.caps.text.check(PLATFORM, &text)?;
        let (url, route, major) = self.message_target(post, "edit")?;
        let call = Call::patch(PLATFORM, "edit", url)
            .json(&serde_json::json!({ "content": text, "allowed_mentions": {"parse": []} }))
            .retry(Retry::Idempotent);
        let m: Message = self.send_json(call, route, &major).await?;
        let at = m
            .edited_timestamp
            .or(m.timestamp)
            .unwrap_or_else(|| self.client.now());
        Ok(Published::single(post.clone(), at))
    }
}

/// The error for a thread that failed after some parts were sent.
fn partial(e: Error, sent: &[PostRef], keyed: bool) -> Error {
    let ids: Vec<&str> = sent.iter().map(|r| r.id.as_str()).collect();
    let how = if keyed {
        "publishing again with the same key within minutes returns them instead of repeating them"
    } else {
        "publishing the whole thread again would repeat them: continue as a reply to the last one"
    };
    e.after_thread_parts("sent", &ids, how)
        .or_context(PLATFORM, None, "publish")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_fit_25_characters_and_differ_per_part() {
        assert_eq!(nonce("sk-42-1", 0), "sk-42-1");
        let long = "sk-0123456789abcdef0123456789-7";
        assert_eq!(nonce(long, 0).len(), 25);
        assert_eq!(nonce(long, 0), nonce(long, 0));
        assert_ne!(nonce(long, 0), nonce(long, 1));
        assert_ne!(nonce("sk-42-1", 1), "sk-42-1");
    }

    #[test]
    fn thread_names_are_the_first_line() {
        assert_eq!(thread_name("\nPatch notes\nmore"), "Patch notes");
        assert_eq!(thread_name(&"é".repeat(150)).chars().count(), 100);
        assert_eq!(thread_name(""), "Post");
    }
}
