//! Discord API v10 wire types: what socialkit sends and the parts of the answers it reads.
//! Sources: <https://discord.com/developers/docs/resources/message> (Message Object, Message
//! Reference Structure, Attachment Object, Reaction Object, Create Message), `resources/user`
//! (User Object), `resources/channel` (Channel Object, Channel Types, Start Thread in Forum or
//! Media Channel), `resources/webhook` (Webhook Object, Execute Webhook); read at
//! discord/discord-api-docs c98d64b.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// User Object (the fields socialkit reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct User {
    /// Snowflake.
    pub id: String,
    /// Username.
    #[serde(default)]
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub global_name: Option<String>,
    /// Whether it is a bot.
    #[serde(default)]
    pub bot: bool,
}

/// Message Reference Structure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageReference {
    /// The message referenced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Its channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// Error when it does not exist (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_if_not_exists: Option<bool>,
}

/// Reaction Object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Reaction {
    /// Times this emoji was used.
    #[serde(default)]
    pub count: u64,
}

/// Attachment Object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Attachment {
    /// Id.
    #[serde(default)]
    pub id: String,
    /// File name.
    #[serde(default)]
    pub filename: String,
    /// Alt text.
    #[serde(default)]
    pub description: Option<String>,
}

/// A Message Object as Create Message answers it, only what a publish reads (id, channel,
/// time): the answer repeats the whole message — content, author, mentions, embeds — and
/// reading less of it is a measurable part of a publish (`benches/publish.rs`).
/// Source: <https://discord.com/developers/docs/resources/message#message-object> (same
/// fields as [`Message`]).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SentMessage {
    /// Snowflake.
    pub id: String,
    /// Its channel (a thread for messages in threads).
    #[serde(default)]
    pub channel_id: String,
    /// When it was sent.
    #[serde(default)]
    pub timestamp: Option<DateTime<Utc>>,
}

impl From<SentMessage> for Message {
    fn from(m: SentMessage) -> Self {
        Message {
            id: m.id,
            channel_id: m.channel_id,
            timestamp: m.timestamp,
            ..Message::default()
        }
    }
}

/// Message Object (the fields socialkit reads).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Message {
    /// Snowflake.
    pub id: String,
    /// Its channel (a thread for messages in threads).
    #[serde(default)]
    pub channel_id: String,
    /// The author (a webhook's messages carry the webhook's name).
    #[serde(default)]
    pub author: User,
    /// Content.
    #[serde(default)]
    pub content: String,
    /// When it was sent.
    #[serde(default)]
    pub timestamp: Option<DateTime<Utc>>,
    /// When it was last edited.
    #[serde(default)]
    pub edited_timestamp: Option<DateTime<Utc>>,
    /// Users mentioned.
    #[serde(default)]
    pub mentions: Vec<User>,
    /// Attached files.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Reactions.
    #[serde(default)]
    pub reactions: Vec<Reaction>,
    /// The nonce it was sent with, where Discord returns it.
    #[serde(default)]
    pub nonce: Option<serde_json::Value>,
    /// The webhook that sent it.
    #[serde(default)]
    pub webhook_id: Option<String>,
    /// What it replies to.
    #[serde(default)]
    pub message_reference: Option<MessageReference>,
    /// The message replied to.
    #[serde(default)]
    pub referenced_message: Option<Box<Message>>,
}

/// Channel Object (the fields socialkit reads).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Channel {
    /// Snowflake.
    pub id: String,
    /// Channel Types: 0 text, 5 announcement, 11 public thread, 15 forum, 16 media …
    #[serde(rename = "type", default)]
    pub kind: u8,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its guild.
    #[serde(default)]
    pub guild_id: Option<String>,
    /// Topic.
    #[serde(default)]
    pub topic: Option<String>,
    /// The starter message of a thread created in a forum (Start Thread in Forum…).
    #[serde(default)]
    pub message: Option<Message>,
}

impl Channel {
    /// A forum (15) or media (16) channel: posts are threads.
    pub fn is_forum(&self) -> bool {
        matches!(self.kind, 15 | 16)
    }
}

/// Webhook Object (the fields socialkit reads).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Webhook {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// The channel it posts to.
    #[serde(default)]
    pub channel_id: Option<String>,
    /// Its guild.
    #[serde(default)]
    pub guild_id: Option<String>,
}

/// Attachment request structure: `id` matches `files[n]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentRequest {
    /// `n` of `files[n]`.
    pub id: usize,
    /// File name.
    pub filename: String,
    /// Alt text (up to 1024 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The body of Create Message / Execute Webhook (JSON, or `payload_json` with files).
#[derive(Debug, Clone, Default, Serialize)]
pub struct CreateMessage {
    /// Up to 2000 characters.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub content: String,
    /// Up to 25 characters (bots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Check the nonce for uniqueness (bots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce_nonce: Option<bool>,
    /// Reply to (bots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_reference: Option<MessageReference>,
    /// Attachment metadata.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRequest>,
    /// Who may be pinged: nobody unless named (`{"parse": []}`) — a brand's post never pings
    /// `@everyone` by accident.
    pub allowed_mentions: AllowedMentions,
    /// A new forum thread's name (webhooks into forum channels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_name: Option<String>,
}

/// Allowed Mentions Object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AllowedMentions {
    /// Mention types parsed from the content (`users`, `roles`, `everyone`).
    pub parse: Vec<String>,
    /// Also ping the author of the message replied to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replied_user: Option<bool>,
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn module() {
        use crate::adapters::discord::api::Message;
        let m: Message = serde_json::from_str(
            r#"{"id":"2","channel_id":"1","content":"hi",
          "timestamp":"2026-01-01T00:00:00.000000+00:00","author":{"id":"9","username":"ann"},
          "reactions":[{"count":3,"emoji":{"name":"🔥"}}]}"#,
        )
        .unwrap();
        assert_eq!(m.reactions[0].count, 3);
    }
}
