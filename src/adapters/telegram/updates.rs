//! Updates (`getUpdates` or a webhook) as interactions. One classification for both, so an
//! update reads the same whichever way it came.
//!
//! | update | interaction |
//! |---|---|
//! | `message` in a private chat with the bot | `DirectMessage` |
//! | `message` in the chat or its discussion group replying to one of the chat's messages (a comment on a channel post replies to its automatic forward) | `Reply`, its `post` the chat's message |
//! | `message` anywhere with a `mention` of the bot's username or a `text_mention` of the bot | `Mention` |
//! | `message_reaction` on a message of the chat adding a reaction | `Like` |
//! | anything else (edits, other chatter, anonymous reaction counts) | nothing |

use chrono::{DateTime, Utc};

use super::api::{Chat, Message, MessageReactionUpdated, Update, User};
use super::{PLATFORM, Telegram};
use crate::model::{Author, Interaction, InteractionKind, InteractionRef, PostRef};

/// Whose interactions count: the bot, the chat it posts to and the chat's discussion group.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub bot: User,
    pub chat_id: i64,
    pub discussion: Option<i64>,
}

fn time(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn author_of_user(u: &User) -> Author {
    Author {
        id: u.id.to_string(),
        handle: u
            .username
            .clone()
            .unwrap_or_else(|| format!("user{}", u.id)),
        display_name: Some(u.full_name()).filter(|n| !n.is_empty()),
        followers: None,
        url: u.username.as_ref().map(|n| format!("https://t.me/{n}")),
    }
}

fn author_of_chat(c: &Chat) -> Author {
    Author {
        id: c.id.to_string(),
        handle: c
            .username
            .clone()
            .or_else(|| c.title.clone())
            .unwrap_or_else(|| format!("chat{}", c.id)),
        display_name: c.title.clone().or_else(|| c.first_name.clone()),
        followers: None,
        url: c.username.as_ref().map(|n| format!("https://t.me/{n}")),
    }
}

fn author_of(m: &Message) -> Author {
    match (&m.sender_chat, &m.from) {
        (Some(c), _) => author_of_chat(c),
        (None, Some(u)) => author_of_user(u),
        (None, None) => author_of_chat(&m.chat),
    }
}

/// Whether `m` mentions the bot (`@username` or a `text_mention` of its id).
fn mentions_bot(m: &Message, bot: &User) -> bool {
    let Some(text) = m.body() else {
        return false;
    };
    let units: Vec<u16> = text.encode_utf16().collect();
    m.body_entities().iter().any(|e| match e.kind.as_str() {
        "mention" => {
            let end = e.offset.saturating_add(e.length).min(units.len());
            let start = e.offset.min(end);
            let name = String::from_utf16_lossy(&units[start..end]);
            bot.username
                .as_deref()
                .is_some_and(|u| name.trim_start_matches('@').eq_ignore_ascii_case(u))
        }
        "text_mention" => e.user.as_ref().is_some_and(|u| u.id == bot.id),
        _ => false,
    })
}

impl Telegram {
    /// The reference of message `m`, with what replying needs (its chat and id; its `post` is
    /// the message itself, which a reply answers).
    fn interaction_ref(&self, m: &Message) -> InteractionRef {
        InteractionRef::new(PLATFORM, format!("{}:{}", m.chat.id, m.message_id))
            .with_meta("chat_id", m.chat.id.to_string())
            .with_meta("message_id", m.message_id.to_string())
            .with_post(self.post_ref(&m.chat, m.message_id))
    }

    fn post_ref(&self, chat: &Chat, message_id: i64) -> PostRef {
        let mut r = PostRef::new(PLATFORM, message_id.to_string())
            .with_meta("chat_id", chat.id.to_string());
        if let Some(url) = self.message_url(chat, message_id) {
            r = r.with_url(url);
        }
        r
    }

    /// The chat's message that `m` replies to, when it replies to one.
    fn replied_post(&self, m: &Message, scope: &Scope) -> Option<PostRef> {
        let r = m.reply_to_message.as_deref()?;
        if r.chat.id == scope.chat_id {
            let ours = r
                .sender_chat
                .as_ref()
                .is_some_and(|c| c.id == scope.chat_id)
                || r.from.as_ref().is_some_and(|u| u.id == scope.bot.id);
            return ours.then(|| self.post_ref(&r.chat, r.message_id));
        }
        // A comment in the discussion group answers the automatic forward of a channel post.
        if Some(r.chat.id) == scope.discussion && r.is_automatic_forward {
            let origin = r.forward_origin.as_ref()?;
            let chat = origin.chat.as_ref().filter(|c| c.id == scope.chat_id)?;
            return Some(self.post_ref(chat, origin.message_id?));
        }
        None
    }

    fn message_interaction(&self, m: &Message, scope: &Scope) -> Option<Interaction> {
        // The bot's own messages and the chat's own posts are not interactions.
        if m.from.as_ref().is_some_and(|u| u.id == scope.bot.id)
            || m.sender_chat
                .as_ref()
                .is_some_and(|c| c.id == scope.chat_id)
            || m.is_automatic_forward
        {
            return None;
        }
        let in_scope = m.chat.id == scope.chat_id || Some(m.chat.id) == scope.discussion;
        let (kind, post) = if m.chat.kind == "private" {
            (InteractionKind::DirectMessage, None)
        } else if let Some(post) = in_scope.then(|| self.replied_post(m, scope)).flatten() {
            (InteractionKind::Reply, Some(post))
        } else if mentions_bot(m, &scope.bot) {
            (InteractionKind::Mention, None)
        } else {
            return None;
        };
        Some(Interaction {
            reference: self.interaction_ref(m),
            kind,
            author: author_of(m),
            text: m.body().map(str::to_string),
            created_at: time(m.date),
            conversation: post.as_ref().map(|p| p.id.clone()),
            post,
            language: m.from.as_ref().and_then(|u| u.language_code.clone()),
        })
    }

    fn reaction_interaction(
        &self,
        r: &MessageReactionUpdated,
        scope: &Scope,
    ) -> Option<Interaction> {
        if r.chat.id != scope.chat_id {
            return None;
        }
        let added: Vec<&str> = r
            .new_reaction
            .iter()
            .filter(|n| !r.old_reaction.contains(n))
            .map(|n| {
                n.emoji
                    .as_deref()
                    .or(n.custom_emoji_id.as_deref())
                    .unwrap_or(n.kind.as_str())
            })
            .collect();
        if added.is_empty() {
            return None;
        }
        let author = match (&r.user, &r.actor_chat) {
            (Some(u), _) => author_of_user(u),
            (None, Some(c)) => author_of_chat(c),
            (None, None) => return None,
        };
        let post = self.post_ref(&r.chat, r.message_id);
        Some(Interaction {
            reference: InteractionRef::new(
                PLATFORM,
                format!(
                    "{}:{}:reaction:{}:{}",
                    r.chat.id, r.message_id, author.id, r.date
                ),
            )
            .with_meta("chat_id", r.chat.id.to_string())
            .with_meta("message_id", r.message_id.to_string())
            .with_meta("reaction", added.join(" ")),
            kind: InteractionKind::Like,
            author,
            text: None,
            created_at: time(r.date),
            conversation: Some(post.id.clone()),
            post: Some(post),
            language: None,
        })
    }

    /// The interaction an update is, if it is one.
    pub(crate) fn interaction_of(&self, update: &Update, scope: &Scope) -> Option<Interaction> {
        if let Some(m) = &update.message {
            return self.message_interaction(m, scope);
        }
        if let Some(r) = &update.message_reaction {
            return self.reaction_interaction(r, scope);
        }
        None
    }

    /// The scope: the bot (`getMe`), the chat's numeric id and its discussion group
    /// (`getChat`), each asked once.
    pub(crate) async fn scope(&self) -> crate::Result<Scope> {
        let bot = self.bot().await?.clone();
        let chat = self.chat().await?;
        Ok(Scope {
            bot,
            chat_id: chat.id,
            discussion: self.config.discussion_chat_id.or(chat.linked_chat_id),
        })
    }
}
