//! Reading Nostr: the profile (kind 0), interactions (`#p` subscriptions with a `since`
//! cursor), counts for metrics, the account's recent notes, NIP-50 search.

use chrono::{DateTime, Utc};

use super::api::Filter;
use super::event::{
    Event, KIND_METADATA, KIND_REACTION, KIND_REPOST, KIND_TEXT_NOTE, hex32, to_bech32,
};
use super::{Nostr, PLATFORM};
use crate::model::{
    Author, Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, Page,
    PostMetrics, PostRef, Profile, RecentPost, SearchQuery,
};
use crate::{Error, Result};

/// Most events asked of a relay in one subscription.
const PAGE: usize = 500;
/// Most subscriptions one read makes while walking back through a busy window.
const MAX_ROUNDS: usize = 20;

fn secs(at: DateTime<Utc>) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0)
}

/// A forward cursor: `created_at:id,id…` — the second of the last event handed out and the
/// ids handed out in that second (events share seconds, and a relay may receive one later
/// in a second already read).
fn parse_cursor(c: &str) -> Result<(u64, Vec<String>)> {
    let bad =
        || Error::validation("the nostr cursor is not created_at:ids").with_platform(PLATFORM);
    let (t, ids) = c.split_once(':').ok_or_else(bad)?;
    let ids = ids
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Ok((t.parse().map_err(|_| bad())?, ids))
}

fn author(e: &Event) -> Author {
    Author {
        id: e.pubkey.clone(),
        handle: hex32(&e.pubkey)
            .map(|b| to_bech32("npub", &b))
            .unwrap_or_else(|| e.pubkey.clone()),
        display_name: None,
        followers: None,
        url: None,
    }
}

impl Nostr {
    /// Every event matching `filter` with `created_at >= since` (walking back with `until`
    /// when a relay returns a full page, so nothing between is skipped), oldest first.
    async fn all_since(&self, filter: Filter, since: u64) -> Result<Vec<Event>> {
        let mut out: Vec<Event> = Vec::new();
        let mut until: Option<u64> = None;
        let limit = super::page_limit(self.relay_info().await, PAGE);
        for _ in 0..MAX_ROUNDS {
            let mut f = filter.clone().since(since).limit(limit);
            f.until = until;
            let page = self.query(&[f], false).await?;
            // Relays may cap `limit` below what was asked without saying so: a page of 100 or
            // more is walked back from too (one more request when it was complete).
            let full = page.len() >= limit.min(100);
            let oldest = page.iter().map(|e| e.created_at).min();
            for e in page {
                if !out.iter().any(|o| o.id == e.id) {
                    out.push(e);
                }
            }
            match oldest {
                Some(t) if full && t > since && until != Some(t) => until = Some(t),
                _ => break,
            }
        }
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    pub(crate) async fn read_channel(&self) -> Result<Channel> {
        let me = self.keys.public_hex().to_string();
        let filter = Filter::default()
            .authors([me.clone()])
            .kinds([KIND_METADATA])
            .limit(1);
        let profile = self.query(&[filter], false).await?;
        let meta: serde_json::Value = profile
            .first()
            .and_then(|e| serde_json::from_str(&e.content).ok())
            .unwrap_or_default();
        let field = |k: &str| {
            meta.get(k)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let npub = self.keys.npub();
        let handle = field("name").unwrap_or_else(|| npub.clone());
        let mut c = Channel::new(PLATFORM, me, handle).with_profile(Profile {
            display_name: field("display_name").or_else(|| field("name")),
            bio: field("about"),
            avatar: field("picture"),
            website: field("website"),
        });
        c.url = Some(format!("nostr:{npub}"));
        Ok(c)
    }

    fn interaction_of(&self, e: &Event) -> Option<Interaction> {
        let me = self.keys.public_hex();
        if e.pubkey == me {
            return None;
        }
        let target = |id: &str| {
            PostRef::new(PLATFORM, id).with_meta("pubkey", me).with_url(
                hex32(id)
                    .map(|b| format!("nostr:{}", to_bech32("note", &b)))
                    .unwrap_or_default(),
            )
        };
        let (kind, post, text) = match e.kind {
            KIND_TEXT_NOTE => match e.reply_parent() {
                Some(parent) => (
                    InteractionKind::Reply,
                    Some(target(parent)),
                    Some(e.content.clone()),
                ),
                None => (InteractionKind::Mention, None, Some(e.content.clone())),
            },
            // NIP-18: the reposted note is the `e` tag; NIP-25: the last `e` tag is the target.
            KIND_REPOST => (
                InteractionKind::Repost,
                e.tags_named("e")
                    .last()
                    .and_then(|t| t.first())
                    .map(|id| target(id)),
                None,
            ),
            KIND_REACTION if e.content != "-" => (
                InteractionKind::Like,
                e.tags_named("e")
                    .last()
                    .and_then(|t| t.first())
                    .map(|id| target(id)),
                Some(e.content.clone()),
            ),
            _ => return None,
        };
        let root = e.thread_root().unwrap_or(&e.id).to_string();
        let reference = InteractionRef::new(PLATFORM, e.id.clone())
            .with_meta("pubkey", e.pubkey.clone())
            .with_meta("created_at", e.created_at.to_string())
            .with_meta(
                "root",
                if e.kind == KIND_TEXT_NOTE {
                    root.clone()
                } else {
                    e.id.clone()
                },
            )
            .with_post(
                PostRef::new(PLATFORM, e.id.clone())
                    .with_meta("pubkey", e.pubkey.clone())
                    .with_meta("root", root.clone()),
            );
        Some(Interaction {
            reference,
            kind,
            author: author(e),
            text,
            created_at: e.time(),
            conversation: post.as_ref().map(|_| root),
            post,
            language: None,
        })
    }

    pub(crate) async fn read_interactions(
        &self,
        query: &InteractionQuery,
    ) -> Result<Page<Interaction>> {
        let (since, seen) = match (&query.cursor, query.since) {
            (Some(c), _) => parse_cursor(c)?,
            (None, Some(s)) => (secs(s), Vec::new()),
            (None, None) => (0, Vec::new()),
        };
        let filter = Filter::default()
            .kinds([KIND_TEXT_NOTE, KIND_REPOST, KIND_REACTION])
            .tag('p', [self.keys.public_hex()]);
        let events = self.all_since(filter, since).await?;
        let fresh: Vec<&Event> = events
            .iter()
            .filter(|e| !(e.created_at == since && seen.contains(&e.id)))
            .collect();
        let limit = query.limit.max(1);
        let taken: Vec<&Event> = fresh.iter().take(limit).copied().collect();
        let next = match taken.last() {
            Some(last) => {
                let mut ids: Vec<&str> = if last.created_at == since {
                    seen.iter().map(String::as_str).collect()
                } else {
                    Vec::new()
                };
                ids.extend(
                    taken
                        .iter()
                        .filter(|e| e.created_at == last.created_at)
                        .map(|e| e.id.as_str()),
                );
                format!("{}:{}", last.created_at, ids.join(","))
            }
            None => format!("{since}:{}", seen.join(",")),
        };
        let items = taken
            .iter()
            .filter_map(|e| self.interaction_of(e))
            .filter(|i| query.wants(i.kind))
            .collect();
        Ok(Page {
            items,
            next_cursor: Some(next),
            has_more: fresh.len() > limit,
        })
    }

    pub(crate) async fn read_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let ids: Vec<String> = posts
            .iter()
            .filter(|p| hex32(&p.id).is_some())
            .map(|p| p.id.clone())
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let filter = Filter::default()
            .kinds([KIND_TEXT_NOTE, KIND_REPOST, KIND_REACTION])
            .tag('e', ids.clone());
        let related = self.all_since(filter, 0).await?;
        let now = self.client.now();
        Ok(posts
            .iter()
            .map(|post| {
                let about = |e: &&Event| e.tags_named("e").any(|t| t.first() == Some(&post.id));
                let count = |pred: &dyn Fn(&Event) -> bool| {
                    related.iter().filter(about).filter(|e| pred(e)).count() as u64
                };
                let mut m = PostMetrics::new(post.clone(), now);
                m.likes = Some(count(&|e| e.kind == KIND_REACTION && e.content != "-"));
                m.reposts = Some(count(&|e| e.kind == KIND_REPOST));
                m.replies = Some(count(&|e| {
                    e.kind == KIND_TEXT_NOTE && e.reply_parent() == Some(post.id.as_str())
                }));
                m.quotes = Some(count(&|e| {
                    e.kind == KIND_TEXT_NOTE && e.tag_value("q") == Some(post.id.as_str())
                }));
                m
            })
            .collect())
    }

    /// The account's newest notes, newest first; every relay must answer (this is what the
    /// engine reconciles with).
    pub(crate) async fn read_recent(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let filter = Filter::default()
            .authors([self.keys.public_hex()])
            .kinds([KIND_TEXT_NOTE])
            .limit(limit.clamp(1, PAGE));
        let events = self.query(&[filter], true).await?;
        Ok(events
            .iter()
            .take(limit)
            .map(|e| RecentPost {
                post: self
                    .post_ref(e, &[])
                    .with_meta("root", e.thread_root().unwrap_or(&e.id).to_string()),
                text: e.content.clone(),
                created_at: e.time(),
                idempotency_key: None,
                in_reply_to: e.reply_parent().map(str::to_string),
            })
            .collect())
    }

    /// NIP-50 search on the relays that list NIP-50; the cursor is the `until` of the next page.
    pub(crate) async fn run_search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        let limit = query.limit.clamp(1, 100);
        let mut filter = Filter::default().kinds([KIND_TEXT_NOTE]).limit(limit);
        filter.search = Some(query.text.clone());
        filter.since = query.since.map(secs);
        filter.until = match &query.cursor {
            Some(c) => Some(c.parse::<u64>().map_err(|_| {
                Error::validation("the nostr search cursor is not a time").with_platform(PLATFORM)
            })?),
            None => query.until.map(secs),
        };
        let infos = self.relay_info().await.to_vec();
        let mut events: Vec<Event> = Vec::new();
        for (relay, info) in self.config.relays.iter().zip(infos) {
            if !info.is_some_and(|i| i.supports(50)) {
                continue;
            }
            let mut conn = super::relay::Connection::open(relay, self.timeout()).await?;
            let found = conn.fetch(std::slice::from_ref(&filter)).await;
            conn.close().await;
            for e in found? {
                if !events.iter().any(|o| o.id == e.id) {
                    events.push(e);
                }
            }
        }
        events.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        let has_more = events.len() >= limit;
        let next = events
            .last()
            .map(|e| e.created_at.saturating_sub(1).to_string());
        let items = events
            .iter()
            .take(limit)
            .map(|e| {
                let root = e.thread_root().unwrap_or(&e.id).to_string();
                Interaction {
                    reference: InteractionRef::new(PLATFORM, e.id.clone())
                        .with_meta("pubkey", e.pubkey.clone())
                        .with_meta("created_at", e.created_at.to_string())
                        .with_meta("root", root.clone())
                        .with_post(
                            PostRef::new(PLATFORM, e.id.clone())
                                .with_meta("pubkey", e.pubkey.clone()),
                        ),
                    kind: InteractionKind::Post,
                    author: author(e),
                    text: Some(e.content.clone()),
                    created_at: e.time(),
                    post: None,
                    conversation: Some(root),
                    language: None,
                }
            })
            .collect();
        Ok(Page {
            items,
            next_cursor: if has_more { next } else { None },
            has_more,
        })
    }
}
