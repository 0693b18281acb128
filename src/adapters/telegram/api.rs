//! Telegram Bot API wire types: what socialkit sends and the parts of the answers it reads.
//! Every field the Bot API marks "Optional" is optional here, so a sparse answer never fails
//! to parse. Source of every shape: <https://core.telegram.org/bots/api> (Bot API 10.1, the
//! section named on each type).

use serde::{Deserialize, Serialize};

/// The envelope of every answer: `{"ok": true, "result": …}` or `{"ok": false, "error_code":
/// …, "description": …, "parameters": …}` ("Making requests").
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T> {
    /// Whether the request succeeded.
    pub ok: bool,
    /// The result, on success.
    #[serde(default = "Option::default")]
    pub result: Option<T>,
    /// A human-readable description (errors).
    #[serde(default)]
    pub description: Option<String>,
    /// The error code ("its contents are subject to change").
    #[serde(default)]
    pub error_code: Option<i64>,
    /// Why a request failed, when it says (`ResponseParameters`).
    #[serde(default)]
    pub parameters: Option<ResponseParameters>,
}

/// `ResponseParameters`: why a request was unsuccessful.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResponseParameters {
    /// The group moved to this supergroup.
    #[serde(default)]
    pub migrate_to_chat_id: Option<i64>,
    /// Seconds to wait before repeating the request (flood control).
    #[serde(default)]
    pub retry_after: Option<u64>,
}

/// A chat id as the Bot API takes it: "Integer or String" (`@channelusername`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ChatId {
    /// A numeric id.
    Id(i64),
    /// `@username`.
    Username(String),
}

impl ChatId {
    /// A chat id from the config's text form.
    pub fn parse(s: &str) -> ChatId {
        s.parse::<i64>()
            .map(ChatId::Id)
            .unwrap_or_else(|_| ChatId::Username(s.to_string()))
    }

    /// The text form (`-1001`, `@acme`).
    pub fn as_text(&self) -> String {
        match self {
            ChatId::Id(n) => n.to_string(),
            ChatId::Username(s) => s.clone(),
        }
    }
}

/// `User`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Whether it is a bot.
    #[serde(default)]
    pub is_bot: bool,
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// IETF language tag of the user's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
}

impl User {
    /// "First Last".
    pub fn full_name(&self) -> String {
        match &self.last_name {
            Some(l) if !l.is_empty() => format!("{} {l}", self.first_name),
            _ => self.first_name.clone(),
        }
    }
}

/// `Chat` (and the fields of `ChatFullInfo` that socialkit reads, from `getChat`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chat {
    /// Id.
    pub id: i64,
    /// `private`, `group`, `supergroup` or `channel`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Title (groups and channels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// First name (private chats).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Description (`ChatFullInfo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The linked discussion group of a channel, or the channel of a group (`ChatFullInfo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_chat_id: Option<i64>,
}

/// `MessageEntity`: offsets and lengths in UTF-16 code units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEntity {
    /// `mention`, `hashtag`, `url`, `text_link`, `bold` …
    #[serde(rename = "type")]
    pub kind: String,
    /// UTF-16 offset of the start.
    pub offset: usize,
    /// UTF-16 length.
    pub length: usize,
    /// The URL of a `text_link`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The user of a `text_mention`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

/// `MessageOrigin` (`MessageOriginUser`, `…HiddenUser`, `…Chat`, `…Channel`), flattened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct MessageOrigin {
    /// `user`, `hidden_user`, `chat` or `channel`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The channel (`channel`) or chat (`chat`) the message came from.
    #[serde(default)]
    pub chat: Option<Chat>,
    /// The message id in that channel (`channel`).
    #[serde(default)]
    pub message_id: Option<i64>,
}

/// A `Message` as a send answers it, only what a publish reads (id, time, chat): the answer
/// repeats the whole message — text, entities, sender — which a publish does not need, and
/// reading less of it is a measurable part of a publish (`benches/publish.rs`).
/// Source: <https://core.telegram.org/bots/api#message> (same fields as [`Message`]).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SentMessage {
    /// Unique inside its chat.
    pub message_id: i64,
    /// Unix time it was sent.
    #[serde(default)]
    pub date: i64,
    /// The chat.
    #[serde(default)]
    pub chat: Chat,
}

/// `Message`, the fields socialkit reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Message {
    /// Unique inside its chat.
    pub message_id: i64,
    /// Unix time it was sent.
    #[serde(default)]
    pub date: i64,
    /// The chat.
    #[serde(default)]
    pub chat: Chat,
    /// The sender (empty for channel posts).
    #[serde(default)]
    pub from: Option<User>,
    /// The chat it was sent on behalf of.
    #[serde(default)]
    pub sender_chat: Option<Chat>,
    /// Text.
    #[serde(default)]
    pub text: Option<String>,
    /// Entities of the text.
    #[serde(default)]
    pub entities: Vec<MessageEntity>,
    /// Caption of media.
    #[serde(default)]
    pub caption: Option<String>,
    /// Entities of the caption.
    #[serde(default)]
    pub caption_entities: Vec<MessageEntity>,
    /// The message replied to (same chat and thread).
    #[serde(default)]
    pub reply_to_message: Option<Box<Message>>,
    /// Unix time of the last edit.
    #[serde(default)]
    pub edit_date: Option<i64>,
    /// The album it belongs to.
    #[serde(default)]
    pub media_group_id: Option<String>,
    /// A channel post automatically forwarded to the linked discussion group.
    #[serde(default)]
    pub is_automatic_forward: bool,
    /// Where a forwarded message came from.
    #[serde(default)]
    pub forward_origin: Option<MessageOrigin>,
    /// The forum topic / message thread.
    #[serde(default)]
    pub message_thread_id: Option<i64>,
    /// Photo sizes, when the message is a photo.
    #[serde(default)]
    pub photo: Option<serde_json::Value>,
    /// Video, when the message is a video.
    #[serde(default)]
    pub video: Option<serde_json::Value>,
    /// Animation, when the message is a GIF.
    #[serde(default)]
    pub animation: Option<serde_json::Value>,
    /// Document, when the message is a file.
    #[serde(default)]
    pub document: Option<serde_json::Value>,
}

impl Message {
    /// The text or the caption.
    pub fn body(&self) -> Option<&str> {
        self.text.as_deref().or(self.caption.as_deref())
    }

    /// The entities of the text or the caption.
    pub fn body_entities(&self) -> &[MessageEntity] {
        if self.text.is_some() {
            &self.entities
        } else {
            &self.caption_entities
        }
    }

    /// Whether the message carries media (so an edit changes its caption).
    pub fn has_media(&self) -> bool {
        self.photo.is_some()
            || self.video.is_some()
            || self.animation.is_some()
            || self.document.is_some()
    }
}

/// `ReactionType` (`ReactionTypeEmoji`, `…CustomEmoji`, `…Paid`), flattened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionType {
    /// `emoji`, `custom_emoji` or `paid`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The emoji.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    /// The custom emoji id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_emoji_id: Option<String>,
}

/// `MessageReactionUpdated`: a user changed their reaction.
#[derive(Debug, Clone, Deserialize)]
pub struct MessageReactionUpdated {
    /// The chat.
    pub chat: Chat,
    /// The message reacted to.
    pub message_id: i64,
    /// The user, unless anonymous.
    #[serde(default)]
    pub user: Option<User>,
    /// The chat reacting, when anonymous.
    #[serde(default)]
    pub actor_chat: Option<Chat>,
    /// Unix time of the change.
    #[serde(default)]
    pub date: i64,
    /// Reactions before.
    #[serde(default)]
    pub old_reaction: Vec<ReactionType>,
    /// Reactions after.
    #[serde(default)]
    pub new_reaction: Vec<ReactionType>,
}

/// `ReactionCount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionCount {
    /// The reaction.
    #[serde(rename = "type")]
    pub kind: ReactionType,
    /// How many times it was added.
    pub total_count: u64,
}

/// `MessageReactionCountUpdated`: anonymous reaction counts changed (channels).
#[derive(Debug, Clone, Deserialize)]
pub struct MessageReactionCountUpdated {
    /// The chat.
    pub chat: Chat,
    /// The message.
    pub message_id: i64,
    /// Unix time of the change.
    #[serde(default)]
    pub date: i64,
    /// Every reaction present on the message.
    #[serde(default)]
    pub reactions: Vec<ReactionCount>,
}

/// `Update`: at most one of the optional fields is present.
#[derive(Debug, Clone, Deserialize)]
pub struct Update {
    /// Sequential id (the `getUpdates` offset is the last one + 1).
    pub update_id: i64,
    /// A new message (groups, private chats).
    #[serde(default)]
    pub message: Option<Message>,
    /// An edited message.
    #[serde(default)]
    pub edited_message: Option<Message>,
    /// A new channel post.
    #[serde(default)]
    pub channel_post: Option<Message>,
    /// An edited channel post.
    #[serde(default)]
    pub edited_channel_post: Option<Message>,
    /// A user's reaction changed.
    #[serde(default)]
    pub message_reaction: Option<MessageReactionUpdated>,
    /// Anonymous reaction counts changed.
    #[serde(default)]
    pub message_reaction_count: Option<MessageReactionCountUpdated>,
}

/// `ReplyParameters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyParameters {
    /// The message replied to.
    pub message_id: i64,
    /// Its chat, when another one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<ChatId>,
}

/// `LinkPreviewOptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkPreviewOptions {
    /// The URL to preview.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The body of `sendMessage`.
#[derive(Debug, Clone, Serialize)]
pub struct SendMessage {
    /// Where.
    pub chat_id: ChatId,
    /// 1–4096 UTF-16 units after entity parsing.
    pub text: String,
    /// Entities instead of a parse mode.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<MessageEntity>,
    /// The link to preview.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_preview_options: Option<LinkPreviewOptions>,
    /// The message answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_parameters: Option<ReplyParameters>,
}

/// `InputMediaPhoto` / `InputMediaVideo` / `InputMediaDocument` in `sendMediaGroup`.
#[derive(Debug, Clone, Serialize)]
pub struct InputMedia {
    /// `photo`, `video`, `document`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// A URL, a `file_id` or `attach://<part name>`.
    pub media: String,
    /// 0–1024 UTF-16 units (the first item's caption is the album's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Entities of the caption.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub caption_entities: Vec<MessageEntity>,
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn module() {
        use crate::adapters::telegram::api::{Envelope, Message};
        let e: Envelope<Message> = serde_json::from_str(r#"{"ok":true,"result":{
          "message_id": 7, "date": 1767225600, "chat": {"id": -1001, "type": "channel", "title": "ACME"},
          "text": "hi"
        }}"#).unwrap();
        assert_eq!(e.result.unwrap().message_id, 7);
    }

    #[test]
    fn chat_id_parse() {
        use crate::adapters::telegram::api::ChatId;
        assert_eq!(ChatId::parse("-1001"), ChatId::Id(-1001));
        assert_eq!(ChatId::parse("@acme"), ChatId::Username("@acme".into()));
    }
}
