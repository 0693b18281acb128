//! Reading Telegram: the chat (`getChat`, `getChatMemberCount`) and updates for the inbox
//! (`getUpdates` with the offset as the cursor).

use super::api::{ChatId, Update};
use super::{PLATFORM, Telegram};
use crate::http::Retry;
use crate::model::{Channel, ChannelMetrics, Interaction, InteractionQuery, Page, Profile};
use crate::{Error, Result};

/// The update types the inbox reads. `message_reaction` must be named: the default list
/// leaves it out (`getUpdates`, `allowed_updates`).
pub(crate) const ALLOWED_UPDATES: [&str; 2] = ["message", "message_reaction"];

impl Telegram {
    pub(crate) async fn read_channel(&self) -> Result<Channel> {
        let chat = self.chat().await?;
        let call = self
            .call("channel", "getChatMemberCount")?
            .json(&serde_json::json!({ "chat_id": ChatId::parse(&self.config.chat_id) }))
            .retry(Retry::Idempotent);
        let members: u64 = self.request(call).await?;
        let handle = chat
            .username
            .clone()
            .or_else(|| self.config.username.clone())
            .or_else(|| chat.title.clone())
            .unwrap_or_else(|| chat.id.to_string());
        let mut channel =
            Channel::new(PLATFORM, chat.id.to_string(), handle).with_profile(Profile {
                display_name: chat.title.clone().or_else(|| chat.first_name.clone()),
                bio: chat.description.clone().filter(|d| !d.is_empty()),
                avatar: None,
                website: None,
            });
        channel.url = chat
            .username
            .as_ref()
            .or(self.config.username.as_ref())
            .map(|u| format!("https://t.me/{u}"));
        channel.metrics = ChannelMetrics {
            followers: Some(members),
            ..ChannelMetrics::default()
        };
        Ok(channel)
    }

    /// One page of updates from the cursor (the next `update_id` to read): what is read is
    /// confirmed by the next call, which passes the returned cursor.
    pub(crate) async fn read_updates(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        let offset = match &query.cursor {
            Some(c) => Some(c.parse::<i64>().map_err(|_| {
                Error::validation("the telegram cursor is not an update offset")
                    .with_platform(PLATFORM)
            })?),
            None => None,
        };
        let scope = self.scope().await?;
        let limit = query.limit.clamp(1, 100);
        let mut body = serde_json::json!({
            "limit": limit,
            "timeout": 0,
            "allowed_updates": ALLOWED_UPDATES,
        });
        if let Some(o) = offset {
            body["offset"] = o.into();
        }
        // Reading updates changes nothing until the next call confirms them: safe to repeat.
        let call = self
            .call("interactions", "getUpdates")?
            .json(&body)
            .retry(Retry::Idempotent);
        let updates: Vec<Update> = self.request(call).await?;
        let next = updates
            .iter()
            .map(|u| u.update_id)
            .max()
            .map(|id| id + 1)
            .or(offset);
        let mut items: Vec<Interaction> = updates
            .iter()
            .filter_map(|u| self.interaction_of(u, &scope))
            .filter(|i| query.wants(i.kind))
            .filter(|i| query.since.is_none_or(|s| i.created_at >= s))
            .collect();
        items.sort_by_key(|i| i.created_at);
        Ok(Page {
            items,
            next_cursor: next.map(|n| n.to_string()),
            has_more: updates.len() >= limit,
        })
    }
}
