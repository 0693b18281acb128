//! Reading Discord: the channel, interactions read forward with `after`, reaction counts,
//! and the bot's recent messages.

use chrono::{DateTime, Utc};

use super::api::Message;
use super::{Discord, PLATFORM};
use crate::http::Call;
use crate::model::{
    Author, Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, Page,
    PostMetrics, PostRef, Profile, RecentPost,
};
use crate::{ErrorKind, Result};

/// Discord's epoch (2015-01-01) in Unix milliseconds (Snowflakes, `reference`).
const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

/// The snowflake of the instant `at` (the smallest id made then).
fn snowflake_at(at: DateTime<Utc>) -> u64 {
    let ms = (at.timestamp_millis() - DISCORD_EPOCH_MS).max(0) as u64;
    ms << 22
}

fn id_num(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}

fn time_of(m: &Message) -> DateTime<Utc> {
    m.timestamp.unwrap_or_else(|| {
        DateTime::from_timestamp_millis(((id_num(&m.id) >> 22) as i64) + DISCORD_EPOCH_MS)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    })
}

impl Discord {
    pub(crate) async fn read_channel(&self) -> Result<Channel> {
        if self.is_webhook() {
            let w = self.webhook_info().await?;
            let name = w
                .name
                .clone()
                .unwrap_or_else(|| format!("webhook {}", w.id));
            let mut c = Channel::new(
                PLATFORM,
                w.channel_id.clone().unwrap_or_else(|| w.id.clone()),
                name.clone(),
            )
            .with_profile(Profile {
                display_name: Some(name),
                ..Profile::default()
            });
            if let (Some(g), Some(ch)) = (&w.guild_id, &w.channel_id) {
                c.url = Some(format!("https://discord.com/channels/{g}/{ch}"));
            }
            return Ok(c);
        }
        let ch = self.channel_info().await?;
        let name = ch.name.clone().unwrap_or_else(|| ch.id.clone());
        let mut c = Channel::new(PLATFORM, ch.id.clone(), name.clone()).with_profile(Profile {
            display_name: Some(format!("#{name}")),
            bio: ch.topic.clone().filter(|t| !t.is_empty()),
            ..Profile::default()
        });
        if let Some(g) = &ch.guild_id {
            c.url = Some(format!("https://discord.com/channels/{g}/{}", ch.id));
        }
        Ok(c)
    }

    /// The channel's messages after `after` (oldest first), up to `limit` (1–100).
    async fn messages_after(&self, after: u64, limit: usize) -> Result<Vec<Message>> {
        let channel = self.channel_id().unwrap_or_default();
        let call = Call::get(
            PLATFORM,
            "interactions",
            self.endpoint(&format!("channels/{channel}/messages"))?,
        )
        .query([("after", after.to_string()), ("limit", limit.to_string())]);
        let mut messages: Vec<Message> = self
            .send_json(call, "GET channels/{c}/messages", channel)
            .await?;
        messages.sort_by_key(|m| id_num(&m.id));
        Ok(messages)
    }

    pub(crate) async fn read_interactions(
        &self,
        query: &InteractionQuery,
    ) -> Result<Page<Interaction>> {
        let after = match (&query.cursor, query.since) {
            (Some(c), _) => c.parse::<u64>().map_err(|_| {
                crate::Error::validation("the discord cursor is not a message id")
                    .with_platform(PLATFORM)
            })?,
            (None, Some(since)) => snowflake_at(since).saturating_sub(1),
            (None, None) => 0,
        };
        let me = self.me().await?.clone();
        let limit = query.limit.clamp(1, 100);
        let messages = self.messages_after(after, limit).await?;
        let guild = self.channel_info().await?.guild_id.clone();
        let next = messages
            .last()
            .map(|m| m.id.clone())
            .or_else(|| query.cursor.clone())
            .or(Some(after.to_string()));
        let items: Vec<Interaction> = messages
            .iter()
            .filter(|m| m.author.id != me.id)
            .filter_map(|m| {
                let replied = m
                    .referenced_message
                    .as_deref()
                    .filter(|r| r.author.id == me.id)
                    .map(|r| self.post_ref(r, guild.as_deref()));
                let kind = match (&replied, m.mentions.iter().any(|u| u.id == me.id)) {
                    (Some(_), _) => InteractionKind::Reply,
                    (None, true) => InteractionKind::Mention,
                    (None, false) => return None,
                };
                Some(Interaction {
                    reference: InteractionRef::new(PLATFORM, m.id.clone())
                        .with_meta("channel_id", m.channel_id.clone())
                        .with_post(self.post_ref(m, guild.as_deref())),
                    kind,
                    author: Author {
                        id: m.author.id.clone(),
                        handle: m.author.username.clone(),
                        display_name: m.author.global_name.clone(),
                        followers: None,
                        url: None,
                    },
                    text: Some(m.content.clone()),
                    created_at: time_of(m),
                    conversation: replied.as_ref().map(|p| p.id.clone()),
                    post: replied,
                    language: None,
                })
            })
            .filter(|i| query.wants(i.kind))
            .filter(|i| query.since.is_none_or(|s| i.created_at >= s))
            .collect();
        Ok(Page {
            items,
            next_cursor: next,
            has_more: messages.len() >= limit,
        })
    }

    pub(crate) async fn read_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let mut out = Vec::with_capacity(posts.len());
        for post in posts {
            let (url, route, major) = self.message_target(post, "read")?;
            let call = Call::get(PLATFORM, "post metrics", url);
            match self.send_json::<Message>(call, route, &major).await {
                Ok(m) => {
                    let mut metrics = PostMetrics::new(post.clone(), self.client.now());
                    metrics.likes = Some(m.reactions.iter().map(|r| r.count).sum());
                    out.push(metrics);
                }
                // A deleted message has no metrics: left out.
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The bot's most recent messages in the channel, newest first (replies with their
    /// target), paging back with `before`.
    pub(crate) async fn read_recent(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let me = self.me().await?.clone();
        let guild = self.channel_info().await?.guild_id.clone();
        let channel = self.channel_id().unwrap_or_default().to_string();
        let mut out = Vec::new();
        let mut before: Option<String> = None;
        // Bounded: at most enough pages of 100 to find `limit` of the bot's messages among
        // 10 times as many.
        for _ in 0..limit.div_ceil(10).clamp(1, 20) {
            let mut call = Call::get(
                PLATFORM,
                "recent posts",
                self.endpoint(&format!("channels/{channel}/messages"))?,
            )
            .query([("limit", "100")]);
            if let Some(b) = &before {
                call = call.query([("before", b.as_str())]);
            }
            let mut page: Vec<Message> = self
                .send_json(call, "GET channels/{c}/messages", &channel)
                .await?;
            page.sort_by_key(|m| std::cmp::Reverse(id_num(&m.id)));
            let full = page.len() >= 100;
            before = page.last().map(|m| m.id.clone());
            for m in page.iter().filter(|m| m.author.id == me.id) {
                out.push(RecentPost {
                    post: self.post_ref(m, guild.as_deref()),
                    text: m.content.clone(),
                    created_at: time_of(m),
                    idempotency_key: None,
                    in_reply_to: m
                        .message_reference
                        .as_ref()
                        .and_then(|r| r.message_id.clone()),
                });
                if out.len() >= limit {
                    return Ok(out);
                }
            }
            if !full {
                break;
            }
        }
        Ok(out)
    }
}
