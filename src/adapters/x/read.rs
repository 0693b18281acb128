//! Reading X: the channel, mentions (forward paging), metrics, recent posts, and deletes.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::api::{Deleted, Envelope, Tweet, User};
use super::errors::problem_error;
use super::{PLATFORM, X};
use crate::http::{Call, Retry};
use crate::model::{
    Author, Channel, ChannelMetrics, Interaction, InteractionKind, InteractionQuery,
    InteractionRef, Page, PostMetrics, PostRef, Profile, RecentPost,
};
use crate::{Error, ErrorKind, Result};

/// Most ids per `GET /2/tweets`.
const MAX_IDS: usize = 100;
/// Pages read back through the mentions timeline at most (it holds the 800 newest).
const MAX_SCAN_PAGES: usize = 8;
/// X's epoch of snowflake ids, in ms.
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

/// When a post with snowflake `id` was created (for answers without `created_at`).
fn snowflake_time(id: &str) -> Option<DateTime<Utc>> {
    let n: i64 = id.parse().ok()?;
    DateTime::from_timestamp_millis((n >> 22) + SNOWFLAKE_EPOCH_MS)
}

pub(super) fn created(t: &Tweet) -> DateTime<Utc> {
    t.created_at
        .or_else(|| snowflake_time(&t.id))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Orders ids numerically (they are decimal snowflakes), unparsable ones first.
fn id_key(id: &str) -> (u64, String) {
    (id.parse().unwrap_or(0), id.to_string())
}

impl X {
    pub(crate) async fn me(&self) -> Result<User> {
        let call = Call::get(PLATFORM, "channel", self.endpoint("2/users/me")?).query([(
            "user.fields",
            "public_metrics,description,profile_image_url,url",
        )]);
        let response = self.send(call).await?;
        let env: Envelope<User> = response.json()?;
        env.data.filter(|u| !u.id.is_empty()).ok_or_else(|| {
            response.error(ErrorKind::Unexpected, "x answered users/me without a user")
        })
    }

    pub(crate) async fn read_channel(&self) -> Result<Channel> {
        let me = self.me().await?;
        let _ = self.user_id.set(me.id.clone());
        if !me.username.is_empty() {
            let _ = self.username.set(me.username.clone());
        }
        let m = me.public_metrics.clone().unwrap_or_default();
        let mut channel = Channel::new(PLATFORM, &me.id, &me.username).with_profile(Profile {
            display_name: me.name.clone(),
            bio: me.description.clone().filter(|d| !d.is_empty()),
            avatar: me.profile_image_url.clone(),
            website: me.url.clone().filter(|u| !u.is_empty()),
        });
        channel.url = Some(format!("https://x.com/{}", me.username));
        channel.metrics = ChannelMetrics {
            followers: m.followers_count,
            following: m.following_count,
            posts: m.posts(),
            ..ChannelMetrics::default()
        };
        Ok(channel)
    }

    pub(crate) async fn delete_post(&self, post: &PostRef) -> Result<()> {
        let call = Call::delete(
            PLATFORM,
            "delete",
            self.endpoint(&format!("2/tweets/{}", encode(&post.id)))?,
        )
        .retry(Retry::Idempotent);
        let response = self.send(call).await?;
        let env: Envelope<Deleted> = response.json()?;
        match env.data {
            Some(Deleted { deleted: true }) => Ok(()),
            Some(Deleted { deleted: false }) => Err(Error::new(
                ErrorKind::NotFound,
                format!(
                    "x deleted nothing: post {} does not exist (any more)",
                    post.id
                ),
            )
            .with_platform(PLATFORM)
            .with_operation("delete")),
            None => Err(match env.errors.first() {
                Some(p) => problem_error(p, "delete"),
                None => response.error(ErrorKind::Unexpected, "x answered the delete without data"),
            }),
        }
    }

    /// Mentions after the cursor (a post id), oldest first. X pages mentions newest first, so
    /// every page back to the cursor is read (at most the 800 newest), then the oldest `limit`
    /// are returned and the cursor moves to the last of them.
    pub(crate) async fn read_mentions(&self, q: &InteractionQuery) -> Result<Page<Interaction>> {
        let me = self.user_id().await?;
        let limit = q.limit.clamp(1, 100);
        let url = self.endpoint(&format!("2/users/{}/mentions", encode(&me)))?;
        let mut tweets: BTreeMap<(u64, String), Tweet> = BTreeMap::new();
        let mut users: HashMap<String, User> = HashMap::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_SCAN_PAGES {
            let mut params: Vec<(&str, String)> = vec![
                ("max_results", "100".into()),
                (
                    "tweet.fields",
                    "created_at,author_id,conversation_id,referenced_tweets,lang".into(),
                ),
                ("expansions", "author_id".into()),
                ("user.fields", "username,name,public_metrics".into()),
            ];
            match (&q.cursor, q.since) {
                (Some(c), _) => params.push(("since_id", c.clone())),
                (None, Some(since)) => params.push((
                    "start_time",
                    since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                )),
                (None, None) => {}
            }
            if let Some(t) = &next {
                params.push(("pagination_token", t.clone()));
            }
            let call = Call::get(PLATFORM, "interactions", url.clone()).query(params);
            let env: Envelope<Vec<Tweet>> = self.send(call).await?.json()?;
            for u in env.includes.users {
                users.insert(u.id.clone(), u);
            }
            for t in env.data.unwrap_or_default() {
                tweets.insert(id_key(&t.id), t);
            }
            next = env.meta.next_token;
            if next.is_none() {
                break;
            }
        }
        let newest_seen = tweets.keys().next_back().map(|(_, id)| id.clone());
        let wanted: Vec<Interaction> = tweets
            .values()
            .filter(|t| t.author_id.as_deref() != Some(me.as_str()))
            .map(|t| self.interaction(t, &users))
            .filter(|i| q.wants(i.kind))
            .collect();
        let has_more = wanted.len() > limit;
        let items: Vec<Interaction> = wanted.into_iter().take(limit).collect();
        let next_cursor = if has_more {
            items.last().map(|i| i.reference.id.clone())
        } else {
            newest_seen.or_else(|| q.cursor.clone())
        };
        Ok(Page {
            items,
            next_cursor,
            has_more,
        })
    }

    fn interaction(&self, t: &Tweet, users: &HashMap<String, User>) -> Interaction {
        let referenced = |kind: &str| {
            t.referenced_tweets
                .iter()
                .find(|r| r.kind == kind)
                .map(|r| r.id.clone())
        };
        let (kind, about) = match (referenced("replied_to"), referenced("quoted")) {
            (Some(id), _) => (InteractionKind::Reply, Some(id)),
            (None, Some(id)) => (InteractionKind::Quote, Some(id)),
            (None, None) => (InteractionKind::Mention, None),
        };
        let author = author(t, users);
        let this = PostRef::new(PLATFORM, &t.id)
            .with_url(format!("https://x.com/{}/status/{}", author.handle, t.id));
        Interaction {
            reference: InteractionRef::new(PLATFORM, &t.id).with_post(this),
            kind,
            author,
            text: Some(t.text.clone()),
            created_at: created(t),
            post: about.map(|id| {
                PostRef::new(PLATFORM, &id).with_url(format!("https://x.com/i/web/status/{id}"))
            }),
            conversation: t.conversation_id.clone(),
            language: t.lang.clone().filter(|l| l != "und"),
        }
    }

    pub(crate) async fn read_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let mut found: HashMap<String, Tweet> = HashMap::new();
        let ids: Vec<&str> = posts.iter().map(|p| p.id.as_str()).collect();
        for chunk in ids.chunks(MAX_IDS) {
            let call = Call::get(PLATFORM, "post_metrics", self.endpoint("2/tweets")?).query([
                ("ids", chunk.join(",")),
                ("tweet.fields", "public_metrics".to_string()),
            ]);
            let env: Envelope<Vec<Tweet>> = self.send(call).await?.json()?;
            for p in &env.errors {
                tracing::debug!(
                    platform = PLATFORM,
                    resource = p.resource_id.as_deref().unwrap_or(""),
                    "x returned no metrics for a post (deleted or not visible)"
                );
            }
            for t in env.data.unwrap_or_default() {
                found.insert(t.id.clone(), t);
            }
        }
        let now = self.client.now();
        Ok(posts
            .iter()
            .filter_map(|p| {
                let t = found.get(&p.id)?;
                let m = t.public_metrics.clone().unwrap_or_default();
                let mut out = PostMetrics::new(p.clone(), now);
                out.impressions = m.impression_count;
                out.likes = m.like_count;
                out.reposts = m.retweet_count;
                out.replies = m.reply_count;
                out.quotes = m.quote_count;
                out.bookmarks = m.bookmark_count;
                Some(out)
            })
            .collect())
    }

    pub(crate) async fn read_recent(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let me = self.user_id().await?;
        let url = self.endpoint(&format!("2/users/{}/tweets", encode(&me)))?;
        let mut out: Vec<RecentPost> = Vec::new();
        let mut next: Option<String> = None;
        while out.len() < limit {
            let page = (limit - out.len()).clamp(5, 100);
            let mut params = vec![
                ("max_results", page.to_string()),
                ("tweet.fields", "created_at,referenced_tweets".to_string()),
            ];
            if let Some(t) = &next {
                params.push(("pagination_token", t.clone()));
            }
            let call = Call::get(PLATFORM, "recent_posts", url.clone()).query(params);
            let env: Envelope<Vec<Tweet>> = self.send(call).await?.json()?;
            for t in env.data.unwrap_or_default() {
                let in_reply_to = t
                    .referenced_tweets
                    .iter()
                    .find(|r| r.kind == "replied_to")
                    .map(|r| r.id.clone());
                out.push(RecentPost {
                    post: self.post_ref(&t.id),
                    created_at: created(&t),
                    text: t.text,
                    idempotency_key: None,
                    in_reply_to,
                });
            }
            next = env.meta.next_token;
            if next.is_none() {
                break;
            }
        }
        out.truncate(limit);
        Ok(out)
    }
}

/// The author of `t`, from the expanded users when X sent them (else only the id is known).
pub(super) fn author(t: &Tweet, users: &HashMap<String, User>) -> Author {
    let author_id = t.author_id.clone().unwrap_or_default();
    match users.get(&author_id) {
        Some(u) => Author {
            id: u.id.clone(),
            handle: u.username.clone(),
            display_name: u.name.clone(),
            followers: u.public_metrics.as_ref().and_then(|m| m.followers_count),
            url: Some(format!("https://x.com/{}", u.username)),
        },
        None => Author {
            id: author_id.clone(),
            handle: author_id,
            ..Author::default()
        },
    }
}

/// Percent-encodes a path segment (ids are digits; anything else must not break the path).
fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflakes_give_creation_times() {
        // 1212092628029698048 was created 2019-12-31T19:26:16.771Z.
        let t = snowflake_time("1212092628029698048").unwrap();
        assert_eq!(t.timestamp_millis(), 1_577_820_376_771);
        assert!(snowflake_time("abc").is_none());
        assert!(id_key("10") > id_key("9"));
    }
}
