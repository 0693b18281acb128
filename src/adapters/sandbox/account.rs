//! The state of one sandbox account (posts, interactions, idempotency keys, faults) and the
//! operations on it. Everything here runs under the world's lock with "now" given: no I/O, no
//! clock, no validation against capabilities (the [`Sandbox`](super::Sandbox) does that first).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::config::SandboxConfig;
use super::faults::FaultPlan;
use super::records::{IncomingInteraction, SandboxMedia, SandboxPost};
use super::rng::Key;
use super::simulation::{Event, HORIZON_HOURS, Message, PostSim, Simulation, later};
use crate::model::{
    Author, Channel, ChannelMetrics, Interaction, InteractionKind, InteractionQuery,
    InteractionRef, Page, Part, Post, PostMetrics, PostRef, Profile, Published, RecentPost,
    Visibility,
};
use crate::{Error, ErrorKind, Result};

/// The platform name.
const PLATFORM: &str = "sandbox";
/// The public base URL of the sandbox.
pub(crate) const BASE_URL: &str = "https://sandbox.invalid";
/// Hours of an account's life the simulation covers (ten years).
pub(crate) const CHANNEL_HOURS: i64 = 10 * 365 * 24;
/// The largest page of interactions.
const MAX_PAGE: usize = 200;

// Stream labels.
const POSTS: u64 = 11;
const INCOMING: u64 = 12;
const FOLLOWING: u64 = 13;

/// A post of the account.
#[derive(Debug, Clone)]
pub(crate) struct StoredPost {
    pub id: u64,
    pub text: String,
    pub media: Vec<SandboxMedia>,
    pub link: Option<String>,
    pub content_warning: Option<String>,
    pub visibility: Visibility,
    pub language: Option<String>,
    /// The id of the post it replies to (a post of the account, or `r<seq>` of an
    /// interaction).
    pub reply_to: Option<String>,
    /// The first post of its thread.
    pub root: u64,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub idempotency_key: Option<String>,
    /// `None` for posts no audience sees (direct messages).
    pub sim: Option<PostSim>,
    pub likes: u64,
    pub reposts: u64,
    pub replies: u64,
    pub quotes: u64,
}

/// What a publish replies to.
#[derive(Debug, Clone)]
pub(crate) enum ReplyTarget {
    /// Whatever the post's own `reply_to` says.
    FromPost,
    /// An interaction of the account (`reply`): a reply to its post, direct for a DM.
    Interaction { post_id: String, direct: bool },
}

/// One sandbox account.
#[derive(Debug)]
pub(crate) struct Account {
    pub config: SandboxConfig,
    key: Key,
    created_at: DateTime<Utc>,
    synced_to: DateTime<Utc>,
    posts: Vec<StoredPost>,
    interactions: Vec<Interaction>,
    keys: HashMap<String, Published>,
    follows: u64,
    pub faults: FaultPlan,
}

impl Account {
    pub(crate) fn new(config: SandboxConfig, now: DateTime<Utc>) -> Self {
        Account {
            key: Key::new(config.seed).with_str(&config.name),
            config,
            created_at: now,
            synced_to: now,
            posts: Vec::new(),
            interactions: Vec::new(),
            keys: HashMap::new(),
            follows: 0,
            faults: FaultPlan::default(),
        }
    }

    fn name(&self) -> &str {
        &self.config.name
    }

    pub(crate) fn simulation(&self) -> Simulation<'_> {
        Simulation {
            audience: &self.config.audience,
            key: self.key,
            handle: &self.config.name,
            followers: self.config.followers,
        }
    }

    fn followers(&self) -> u64 {
        self.config.followers.saturating_add(self.follows)
    }

    fn not_found(&self, what: String) -> Error {
        Error::new(ErrorKind::NotFound, what)
    }

    /// The account's posts, id order (deleted ones included).
    pub(crate) fn posts(&self) -> &[StoredPost] {
        &self.posts
    }

    /// Every interaction the account received, sequence order.
    pub(crate) fn received(&self) -> &[Interaction] {
        &self.interactions
    }

    /// When the account was created (its simulation's origin).
    pub(crate) fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// The account as the author of its posts.
    pub(crate) fn as_author(&self) -> Author {
        let name = self.name();
        Author {
            id: name.to_string(),
            handle: name.to_string(),
            display_name: Some(self.brand().to_string()),
            followers: Some(self.followers()),
            url: Some(format!("{BASE_URL}/@{name}")),
        }
    }

    /// The account's display name (its handle when it has none).
    pub(crate) fn brand(&self) -> &str {
        self.config.display_name.as_deref().unwrap_or(self.name())
    }

    // ---- the simulation -------------------------------------------------------------------

    /// Materializes every simulated interaction up to `now`, in timestamp order. Calling it
    /// more or less often gives the same interactions with the same sequence numbers.
    pub(crate) fn sync(&mut self, now: DateTime<Utc>) {
        if now <= self.synced_to {
            return;
        }
        let from = self.synced_to;
        let sim = self.simulation();
        let mut events = Vec::new();
        let mut buffer = Vec::new();
        for post in &self.posts {
            let Some(ps) = &post.sim else { continue };
            let end = post.deleted_at.map_or(now, |d| d.min(now));
            let horizon = later(ps.published_at, Duration::hours(HORIZON_HOURS));
            if end <= from || from >= horizon {
                continue;
            }
            let first = ((from - ps.published_at).num_seconds() / 3600 - 1).max(0);
            let last = ((end - ps.published_at).num_seconds() / 3600).min(HORIZON_HOURS - 1);
            for b in first..=last {
                sim.post_events(ps, b, &mut buffer);
            }
            events.extend(buffer.drain(..).filter(|e| e.at > from && e.at <= end));
        }
        let first = ((from - self.created_at).num_seconds() / 3600 - 1).max(0);
        let last = ((now - self.created_at).num_seconds() / 3600).min(CHANNEL_HOURS);
        for h in first..=last {
            sim.channel_events(self.created_at, h, &mut buffer);
        }
        events.extend(buffer.drain(..).filter(|e| e.at > from && e.at <= now));
        events.sort_by(|a, b| a.at.cmp(&b.at).then(a.order.cmp(&b.order)));
        for e in events {
            self.append(e);
        }
        self.synced_to = now;
    }

    /// Adds an interaction with the next sequence number.
    fn append(&mut self, e: Event) -> Interaction {
        let seq = self.interactions.len() as u64 + 1;
        let mut reference = InteractionRef::new(PLATFORM, format!("n{seq}"));
        if let Some(tone) = e.message.as_ref().and_then(|m| m.tone) {
            reference = reference.with_meta("mood", tone.as_str());
        }
        if e.kind.has_text() {
            reference = reference.with_post(
                PostRef::new(PLATFORM, format!("r{seq}"))
                    .with_url(format!("{BASE_URL}/@{}/r{seq}", e.author.handle)),
            );
        }
        let own = e
            .post
            .and_then(|id| self.posts.get((id as usize).wrapping_sub(1)));
        let interaction = Interaction {
            reference,
            kind: e.kind,
            author: e.author,
            text: e.message.as_ref().map(|m| m.text.clone()),
            created_at: e.at,
            post: own.map(|p| self.post_ref(p.id)),
            conversation: own.map(|p| p.root.to_string()),
            language: e.message.as_ref().and_then(|m| m.language.clone()),
        };
        if let Some(p) = e
            .post
            .and_then(|id| self.posts.get_mut((id as usize).wrapping_sub(1)))
        {
            match e.kind {
                InteractionKind::Like => p.likes += 1,
                InteractionKind::Repost => p.reposts += 1,
                InteractionKind::Reply | InteractionKind::Comment => p.replies += 1,
                InteractionKind::Quote => p.quotes += 1,
                _ => {}
            }
        }
        if e.kind == InteractionKind::Follow {
            self.follows += 1;
        }
        self.interactions.push(interaction.clone());
        interaction
    }

    /// Adds an interaction someone makes now.
    pub(crate) fn receive(
        &mut self,
        now: DateTime<Utc>,
        inc: IncomingInteraction,
    ) -> Result<Interaction> {
        let post = match (&inc.post, inc.kind) {
            (_, InteractionKind::Follow) | (None, _) => None,
            (Some(r), _) => Some(self.live_post(r)?.id),
        };
        let seq = self.interactions.len() as u64 + 1;
        let k = self.key.with(INCOMING).with(seq);
        let sim = self.simulation();
        let mut author = sim.person(k.with(1));
        if let Some(handle) = inc.author {
            author = Author {
                id: format!("u-{handle}"),
                url: Some(format!("{BASE_URL}/@{handle}")),
                display_name: None,
                followers: None,
                handle,
            };
        }
        let message = inc.kind.has_text().then(|| {
            let question = post
                .and_then(|id| self.posts.get((id as usize).wrapping_sub(1)))
                .and_then(|p| p.sim.as_ref())
                .is_some_and(|s| s.question);
            match inc.text {
                Some(text) => Message {
                    text,
                    language: inc.language.clone(),
                    tone: None,
                },
                None => sim.message(k.with(2), question),
            }
        });
        let at = now.max(self.synced_to);
        let interaction = self.append(Event {
            at,
            kind: inc.kind,
            post,
            author,
            message,
            order: (0, 0, seq),
        });
        Ok(interaction)
    }

    // ---- posts ----------------------------------------------------------------------------

    pub(crate) fn post_ref(&self, id: u64) -> PostRef {
        PostRef::new(PLATFORM, id.to_string())
            .with_url(format!("{BASE_URL}/@{}/{id}", self.name()))
            .with_meta("account", self.name())
    }

    /// The post a reference points to, if it exists (deleted or not).
    fn find_post(&self, r: &PostRef) -> Result<&StoredPost> {
        let missing =
            || self.not_found(format!("post {} does not exist on @{}", r.id, self.name()));
        if r.platform != PLATFORM || r.meta("account").is_some_and(|a| a != self.name()) {
            return Err(missing());
        }
        let id: usize = r.id.parse().map_err(|_| missing())?;
        self.posts
            .get(id.wrapping_sub(1))
            .filter(|_| id > 0)
            .ok_or_else(missing)
    }

    /// The post a reference points to, if it exists and is not deleted.
    fn live_post(&self, r: &PostRef) -> Result<&StoredPost> {
        let p = self.find_post(r)?;
        if p.deleted_at.is_some() {
            return Err(self.not_found(format!("post {} of @{} was deleted", r.id, self.name())));
        }
        Ok(p)
    }

    /// The idempotency key's earlier result, if the key was used.
    pub(crate) fn keyed(&self, key: Option<&str>) -> Option<Published> {
        key.and_then(|k| self.keys.get(k)).cloned()
    }

    /// Resolves what a new post replies to: a post of the account or a post of an
    /// interaction.
    fn reply_target(&self, r: &PostRef) -> Result<String> {
        if let Some(seq) = r.id.strip_prefix('r').and_then(|s| s.parse::<usize>().ok()) {
            if r.platform == PLATFORM && seq > 0 && seq <= self.interactions.len() {
                return Ok(r.id.clone());
            }
        }
        Ok(self.live_post(r)?.id.to_string())
    }

    /// Creates the posts of `post` (already validated and resolved), or returns the earlier
    /// result of `key`.
    pub(crate) fn publish(
        &mut self,
        now: DateTime<Utc>,
        post: &Post,
        media: Vec<Vec<SandboxMedia>>,
        key: Option<&str>,
        target: ReplyTarget,
    ) -> Result<Published> {
        if let Some(earlier) = self.keyed(key) {
            return Ok(earlier);
        }
        let (mut reply_to, direct) = match target {
            ReplyTarget::FromPost => (
                post.reply_to
                    .as_ref()
                    .map(|r| self.reply_target(r))
                    .transpose()?,
                post.visibility == Visibility::Direct,
            ),
            ReplyTarget::Interaction { post_id, direct } => (
                Some(post_id),
                direct || post.visibility == Visibility::Direct,
            ),
        };
        let parts: Vec<Part> = post.parts();
        let root = self.posts.len() as u64 + 1;
        let followers = self.followers() as f64;
        let mut refs = Vec::with_capacity(parts.len());
        let mut media = media.into_iter();
        for (i, part) in parts.into_iter().enumerate() {
            let id = self.posts.len() as u64 + 1;
            let part_media = media.next().unwrap_or_default();
            let sim = (!direct).then(|| {
                let a = &self.config.audience;
                let mut factor = if i > 0 { 0.3 } else { 1.0 };
                if reply_to.is_some() && i == 0 {
                    factor *= 0.1;
                }
                if !part_media.is_empty() {
                    factor *= 1.25;
                }
                if post.content_warning.is_some() {
                    factor *= 0.8;
                }
                factor *= match post.visibility {
                    Visibility::Unlisted => 0.5,
                    Visibility::Followers => 0.8,
                    _ => 1.0,
                };
                PostSim {
                    key: self.key.with(POSTS).with(id),
                    id,
                    published_at: now,
                    base: followers * a.reach_share * self.simulation().quality(id) * factor,
                    link: part.link.is_some() || part.text.contains("://"),
                    question: part.text.contains('?'),
                }
            });
            self.posts.push(StoredPost {
                id,
                text: part.text,
                media: part_media,
                link: part.link,
                content_warning: post.content_warning.clone(),
                visibility: if direct {
                    Visibility::Direct
                } else {
                    post.visibility
                },
                language: post.language.clone(),
                reply_to: reply_to.take(),
                root,
                created_at: now,
                edited_at: None,
                deleted_at: None,
                idempotency_key: if i == 0 {
                    key.map(str::to_string)
                } else {
                    None
                },
                sim,
                likes: 0,
                reposts: 0,
                replies: 0,
                quotes: 0,
            });
            reply_to = Some(id.to_string());
            refs.push(self.post_ref(id));
        }
        let published = Published {
            post: refs[0].clone(),
            parts: refs,
            published_at: now,
        };
        if let Some(k) = key {
            self.keys.insert(k.to_string(), published.clone());
        }
        Ok(published)
    }

    /// The target of a reply to interaction `to`.
    pub(crate) fn reply_target_of(&self, to: &InteractionRef) -> Result<ReplyTarget> {
        let missing = || {
            self.not_found(format!(
                "interaction {} does not exist on @{}",
                to.id,
                self.name()
            ))
        };
        if to.platform != PLATFORM {
            return Err(missing());
        }
        let seq: usize = to
            .id
            .strip_prefix('n')
            .and_then(|s| s.parse().ok())
            .ok_or_else(missing)?;
        let i = self
            .interactions
            .get(seq.wrapping_sub(1))
            .filter(|_| seq > 0)
            .ok_or_else(missing)?;
        match &i.reference.post {
            Some(p) if i.kind.has_text() => Ok(ReplyTarget::Interaction {
                post_id: p.id.clone(),
                direct: i.kind == InteractionKind::DirectMessage,
            }),
            _ => Err(Error::validation(format!(
                "a {:?} cannot be answered; reply to a comment, reply, mention, quote or direct message",
                i.kind
            ))
            .with_platform(PLATFORM)),
        }
    }

    pub(crate) fn delete(&mut self, now: DateTime<Utc>, r: &PostRef) -> Result<()> {
        let id = self.live_post(r)?.id;
        self.posts[id as usize - 1].deleted_at = Some(now);
        Ok(())
    }

    pub(crate) fn edit(
        &mut self,
        now: DateTime<Utc>,
        r: &PostRef,
        new: &Post,
        media: Vec<SandboxMedia>,
    ) -> Result<Published> {
        let id = self.live_post(r)?.id;
        let p = &mut self.posts[id as usize - 1];
        p.text = new.text.clone();
        p.media = media;
        p.link = new.link.clone();
        p.content_warning = new.content_warning.clone();
        p.edited_at = Some(now);
        let created = p.created_at;
        Ok(Published::single(self.post_ref(id), created))
    }

    /// The stored form of a post (deleted or not), for inspection by tests and harnesses.
    pub(crate) fn inspect(&self, r: &PostRef) -> Result<SandboxPost> {
        let p = self.find_post(r)?;
        Ok(SandboxPost {
            id: p.id.to_string(),
            text: p.text.clone(),
            media: p.media.clone(),
            link: p.link.clone(),
            content_warning: p.content_warning.clone(),
            visibility: p.visibility,
            language: p.language.clone(),
            reply_to: p.reply_to.clone(),
            thread_root: p.root.to_string(),
            created_at: p.created_at,
            edited_at: p.edited_at,
            deleted_at: p.deleted_at,
            idempotency_key: p.idempotency_key.clone(),
        })
    }

    pub(crate) fn recent_posts(&self, limit: usize) -> Vec<RecentPost> {
        self.posts
            .iter()
            .rev()
            .filter(|p| p.deleted_at.is_none())
            .take(limit)
            .map(|p| RecentPost {
                post: self.post_ref(p.id),
                text: p.text.clone(),
                created_at: p.created_at,
                idempotency_key: p.idempotency_key.clone(),
                in_reply_to: p.reply_to.clone(),
            })
            .collect()
    }

    // ---- reads ----------------------------------------------------------------------------

    pub(crate) fn interactions(
        &self,
        q: &InteractionQuery,
        readable: &[InteractionKind],
    ) -> Result<Page<Interaction>> {
        if q.limit == 0 {
            return Err(
                Error::validation("an interaction page needs a limit of at least 1")
                    .with_platform(PLATFORM),
            );
        }
        let limit = q.limit.min(MAX_PAGE);
        let after = match &q.cursor {
            None => 0,
            Some(c) => c
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= self.interactions.len())
                .ok_or_else(|| {
                    Error::validation(format!(
                        "'{c}' is not a cursor of @{}'s interactions",
                        self.name()
                    ))
                    .with_platform(PLATFORM)
                })?,
        };
        let since = if q.cursor.is_none() { q.since } else { None };
        let mut matching = self.interactions[after..]
            .iter()
            .enumerate()
            .filter(|(_, i)| q.wants(i.kind) && readable.contains(&i.kind))
            .filter(|(_, i)| since.is_none_or(|s| i.created_at >= s))
            .map(|(offset, i)| (after + offset + 1, i));
        let items: Vec<(usize, &Interaction)> = matching.by_ref().take(limit).collect();
        let has_more = matching.next().is_some();
        let next = match items.last() {
            Some((seq, _)) => *seq,
            None if q.cursor.is_some() => after,
            None => self.interactions.len(),
        };
        Ok(Page {
            items: items.into_iter().map(|(_, i)| i.clone()).collect(),
            next_cursor: Some(next.to_string()),
            has_more,
        })
    }

    pub(crate) fn post_metrics(
        &self,
        now: DateTime<Utc>,
        posts: &[PostRef],
    ) -> Result<Vec<PostMetrics>> {
        let sim = self.simulation();
        posts
            .iter()
            .map(|r| {
                let p = self.live_post(r)?;
                let views = p
                    .sim
                    .as_ref()
                    .map(|ps| sim.views(ps, now))
                    .unwrap_or_default();
                let mut m = PostMetrics::new(self.post_ref(p.id), now);
                m.impressions = Some(views.impressions);
                m.reach = Some(views.reach);
                m.likes = Some(p.likes);
                m.reposts = Some(p.reposts);
                m.replies = Some(p.replies);
                m.quotes = Some(p.quotes);
                m.clicks = Some(views.clicks);
                m.saves = Some(views.saves);
                Ok(m)
            })
            .collect()
    }

    pub(crate) fn channel(&self) -> Channel {
        let name = self.name();
        let following = 50 + self.key.with(FOLLOWING).below(450);
        let mut c = Channel::new(PLATFORM, name, name).with_profile(Profile {
            display_name: Some(
                self.config
                    .display_name
                    .clone()
                    .unwrap_or_else(|| name.into()),
            ),
            bio: Some(format!(
                "A sandbox account with a simulated audience (seed {}).",
                self.config.seed
            )),
            avatar: None,
            website: None,
        });
        c.url = Some(format!("{BASE_URL}/@{name}"));
        c.metrics = ChannelMetrics {
            followers: Some(self.followers()),
            following: Some(following),
            posts: Some(self.posts.iter().filter(|p| p.deleted_at.is_none()).count() as u64),
            ..ChannelMetrics::default()
        };
        c
    }
}
