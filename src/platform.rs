//! The one trait every platform adapter implements, and its capabilities as data.
//!
//! [`Platform`] is object-safe and used as `Arc<dyn Platform>`. An adapter implements the three
//! required methods ([`capabilities`](Platform::capabilities), [`channel`](Platform::channel),
//! [`publish`](Platform::publish)) and whichever of the others its platform offers; each of those
//! has a default that returns [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) naming
//! the platform and the operation, and [`Capabilities`] says which ones are real.
//!
//! ```
//! use std::sync::Arc;
//! use socialkit::{Platform, PlatformExt, Registry};
//!
//! # tokio_test();
//! # fn tokio_test() { tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let platform: Arc<dyn Platform> = Registry::default().from_url("sandbox://acme").unwrap();
//! let published = platform.publish_text("Hello from socialkit").await.unwrap();
//! assert!(published.url().is_some());
//! # }) }
//! ```

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::model::{
    Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, MediaKind, Metric,
    Page, Part, PlatformId, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost,
    SearchLimits, SearchQuery, Visibility,
};
use crate::text::TextRule;
use crate::{Detail, Error, Result};

/// An operation a platform may or may not support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Operation {
    /// Publish a post.
    Publish,
    /// Publish a thread of several parts.
    Thread,
    /// Attach media.
    Media,
    /// Delete a post.
    Delete,
    /// Edit a published post.
    Edit,
    /// Read interactions.
    Interactions,
    /// Reply to an interaction.
    Reply,
    /// Read post metrics.
    PostMetrics,
    /// List the channel's recent posts (for reconciliation).
    RecentPosts,
    /// Search public posts (for listening).
    Search,
    /// Schedule natively on the platform.
    NativeScheduling,
}

impl Operation {
    /// The operation's name as errors show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Publish => "publish",
            Operation::Thread => "threads",
            Operation::Media => "media",
            Operation::Delete => "delete",
            Operation::Edit => "edit",
            Operation::Interactions => "interactions",
            Operation::Reply => "reply",
            Operation::PostMetrics => "post metrics",
            Operation::RecentPosts => "recent posts",
            Operation::Search => "search",
            Operation::NativeScheduling => "native scheduling",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a platform protects against a repeated publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Idempotency {
    /// No protection: a repeated call makes a second post. Reconcile by listing recent posts.
    None,
    /// The platform honours an idempotency key (Mastodon `Idempotency-Key`, Discord `nonce`).
    Key,
    /// The client chooses the record's key, so a repeat collides (Bluesky `rkey`).
    RecordKey,
    /// The same content has the same id by construction (Nostr).
    Natural,
}

/// Media limits of a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaLimits {
    /// Attachments per post (0 = no media).
    pub max_count: usize,
    /// Kinds accepted.
    pub kinds: Vec<MediaKind>,
    /// MIME types accepted; empty = any of the accepted kinds.
    pub mime_types: Vec<String>,
    /// Largest image in bytes.
    pub max_image_bytes: Option<u64>,
    /// Largest video in bytes.
    pub max_video_bytes: Option<u64>,
    /// Most videos per post (videos usually cannot be mixed with images).
    pub max_videos: usize,
    /// Longest alt text in characters.
    pub alt_text_max: Option<usize>,
    /// Whether alt text is required.
    pub alt_text_required: bool,
}

impl MediaLimits {
    /// No media at all.
    pub fn none() -> Self {
        MediaLimits {
            max_count: 0,
            kinds: Vec::new(),
            mime_types: Vec::new(),
            max_image_bytes: None,
            max_video_bytes: None,
            max_videos: 0,
            alt_text_max: None,
            alt_text_required: false,
        }
    }
}

/// What a platform can do, as data (the model is OpenDAL's `Capability`).
///
/// Declared once per adapter (some adapters refine it at runtime, e.g. Mastodon reads the
/// instance's limits). [`Capabilities::validate`] checks a post against it before any network
/// call; [`Capabilities::require`] turns a missing operation into an
/// [`Unsupported`](crate::ErrorKind::Unsupported) error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// The platform (stored as its name, `"mastodon"`).
    pub platform: PlatformId,
    /// The text limit and how it is counted.
    pub text: TextRule,
    /// Whether a post needs text (most do, unless it has media).
    pub text_required: bool,
    /// Whether a post needs media (Instagram).
    pub media_required: bool,
    /// Media limits.
    pub media: MediaLimits,
    /// Post threads: a post of several parts, published as a reply chain. Not the platform
    /// Threads (that is the `threads` adapter). Serialised as `post_threads`; `threads`, the
    /// field's former name, is still read.
    #[serde(alias = "threads")]
    pub post_threads: bool,
    /// The most parts in a thread.
    pub max_thread_parts: Option<usize>,
    /// Link cards.
    pub link_cards: bool,
    /// Content warnings.
    pub content_warning: bool,
    /// Visibilities the platform offers (empty = public only).
    pub visibilities: Vec<Visibility>,
    /// Delete.
    pub delete: bool,
    /// Edit.
    pub edit: bool,
    /// Reply to interactions.
    pub reply: bool,
    /// The interaction kinds that can be read.
    pub interactions: Vec<InteractionKind>,
    /// The post metrics the platform reports.
    pub metrics: Vec<Metric>,
    /// Native scheduling.
    pub native_scheduling: bool,
    /// How a repeated publish is prevented.
    pub idempotency: Idempotency,
    /// How long the platform remembers an idempotency key, in seconds; `None`: as long as the
    /// record exists (Bluesky record keys) or not limited. Mastodon keeps a key for up to an
    /// hour: a re-send with the key after that may make a second post, so the outbox does
    /// not count on the key once it may have expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_lifetime_secs: Option<u64>,
    /// Listing the channel's recent posts (for reconciliation).
    pub recent_posts: bool,
    /// [`recent_posts`](Platform::recent_posts) lists the channel's replies too, each with
    /// its [`in_reply_to`](crate::model::RecentPost::in_reply_to): an in-doubt reply can be
    /// reconciled by listing. Where it is `false` a reply is reconciled only by an idempotency
    /// key the platform honours.
    #[serde(default)]
    pub replies_in_recent_posts: bool,
    /// Search of public posts, with its limits (`None` = no search).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchLimits>,
}

impl Capabilities {
    /// Capabilities of a platform that can publish text under `text` and nothing else;
    /// adapters start from here and switch on what they have.
    ///
    /// ```
    /// use socialkit::platform::Capabilities;
    /// use socialkit::text::{Counting, TextRule};
    /// let caps = Capabilities::new("demo", TextRule::new(Counting::Graphemes, 100));
    /// assert!(!caps.delete);
    /// assert!(caps.require(socialkit::platform::Operation::Delete).is_err());
    /// ```
    pub fn new(platform: impl Into<PlatformId>, text: TextRule) -> Self {
        Capabilities {
            platform: platform.into(),
            text,
            text_required: true,
            media_required: false,
            media: MediaLimits::none(),
            post_threads: false,
            max_thread_parts: None,
            link_cards: false,
            content_warning: false,
            visibilities: Vec::new(),
            delete: false,
            edit: false,
            reply: false,
            interactions: Vec::new(),
            metrics: Vec::new(),
            native_scheduling: false,
            idempotency: Idempotency::None,
            key_lifetime_secs: None,
            recent_posts: false,
            replies_in_recent_posts: false,
            search: None,
        }
    }

    /// The capabilities a reply is checked against: a reply is a text answer, so a platform
    /// whose posts need media (Instagram, YouTube) still takes a reply without any.
    ///
    /// ```
    /// use socialkit::platform::Capabilities;
    /// use socialkit::text::{Counting, TextRule};
    /// let mut caps = Capabilities::new("demo", TextRule::new(Counting::Graphemes, 100));
    /// caps.media_required = true;
    /// assert!(caps.validate(&socialkit::model::Post::text("thanks")).is_err());
    /// assert!(caps.for_replies().validate(&socialkit::model::Post::text("thanks")).is_ok());
    /// ```
    pub fn for_replies(&self) -> Capabilities {
        Capabilities {
            media_required: false,
            ..self.clone()
        }
    }

    /// Whether the platform supports `op`.
    pub fn supports(&self, op: Operation) -> bool {
        match op {
            Operation::Publish => true,
            Operation::Thread => self.post_threads,
            Operation::Media => self.media.max_count > 0,
            Operation::Delete => self.delete,
            Operation::Edit => self.edit,
            Operation::Interactions => !self.interactions.is_empty(),
            Operation::Reply => self.reply,
            Operation::PostMetrics => !self.metrics.is_empty(),
            Operation::RecentPosts => self.recent_posts,
            Operation::Search => self.search.is_some(),
            Operation::NativeScheduling => self.native_scheduling,
        }
    }

    /// `Ok` when the platform supports `op`, else an `Unsupported` error naming both.
    pub fn require(&self, op: Operation) -> Result<()> {
        if self.supports(op) {
            Ok(())
        } else {
            Err(Error::unsupported(&self.platform, op.as_str()))
        }
    }

    /// Checks a post (already resolved for this platform, see [`Post::resolve`]) against the
    /// capabilities: empty parts, text length, links/hashtags/mentions, media count, kind,
    /// type, size and alt text, threads, content warnings, visibility. Nothing is sent.
    ///
    /// ```
    /// use socialkit::platform::Capabilities;
    /// use socialkit::text::{Counting, TextRule};
    /// use socialkit::model::Post;
    /// let caps = Capabilities::new("demo", TextRule::new(Counting::Graphemes, 10));
    /// let err = caps.validate(&Post::text("far too long for ten")).unwrap_err();
    /// assert_eq!(err.kind(), socialkit::ErrorKind::Validation);
    /// assert!(err.to_string().contains("10 over"));
    /// assert!(caps.validate(&Post::text("")).is_err());
    /// assert!(caps.validate(&Post::text("short")).is_ok());
    /// ```
    pub fn validate(&self, post: &Post) -> Result<()> {
        let parts = post.parts();
        if parts.len() > 1 {
            self.require(Operation::Thread)?;
            if let Some(max) = self.max_thread_parts {
                if parts.len() > max {
                    return Err(self.too_many("thread parts", parts.len(), max));
                }
            }
        }
        if post.content_warning.is_some() && !self.content_warning {
            return Err(Error::unsupported(&self.platform, "content warnings"));
        }
        if post.visibility != Visibility::Public && !self.visibilities.contains(&post.visibility) {
            return Err(Error::unsupported(
                &self.platform,
                &format!("{:?} visibility", post.visibility).to_lowercase(),
            ));
        }
        for (i, part) in parts.iter().enumerate() {
            self.validate_part(part).map_err(|e| {
                if parts.len() > 1 {
                    prefix_part(e, i)
                } else {
                    e
                }
            })?;
        }
        Ok(())
    }

    /// Validates a post and, when `opts.split_long_text` is set and the platform has threads,
    /// first splits every part whose text is too long into numbered parts at paragraph,
    /// sentence or word boundaries (see [`crate::text::split_thread`]); media and link stay
    /// with the first piece of their part. Adapters call this instead of
    /// [`Capabilities::validate`] at the start of a publish.
    ///
    /// ```
    /// use socialkit::platform::Capabilities;
    /// use socialkit::text::{Counting, TextRule};
    /// use socialkit::model::{Post, PublishOptions};
    /// let mut caps = Capabilities::new("demo", TextRule::new(Counting::Graphemes, 40));
    /// caps.post_threads = true;
    /// let long = Post::text("First sentence is here. Second sentence is here. Third one too.");
    /// assert!(caps.fit(long.clone(), &PublishOptions::default()).is_err());
    /// let opts = PublishOptions { split_long_text: true, ..PublishOptions::default() };
    /// let fitted = caps.fit(long, &opts).unwrap();
    /// assert!(fitted.parts().len() > 1);
    /// assert!(fitted.parts().iter().all(|p| p.text.chars().count() <= 40));
    /// ```
    pub fn fit(&self, post: Post, opts: &PublishOptions) -> Result<Post> {
        if !opts.split_long_text
            || !self.post_threads
            || post.parts().iter().all(|p| self.text.fits(&p.text))
        {
            self.validate(&post)?;
            return Ok(post);
        }
        let split = crate::text::SplitOptions {
            max_parts: self.max_thread_parts,
            ..crate::text::SplitOptions::default()
        };
        let mut parts: Vec<Part> = Vec::new();
        for part in post.parts() {
            if self.text.fits(&part.text) {
                parts.push(part);
                continue;
            }
            let pieces = crate::text::split_thread(&part.text, &self.text, &split)
                .map_err(|e| e.or_context(&self.platform, None, "publish"))?;
            for (i, text) in pieces.into_iter().enumerate() {
                if i == 0 {
                    parts.push(Part {
                        text,
                        ..part.clone()
                    });
                } else {
                    parts.push(Part::text(text));
                }
            }
        }
        let mut it = parts.into_iter();
        let first = it.next().unwrap_or_default();
        let fitted = Post {
            text: first.text,
            media: first.media,
            link: first.link,
            thread: it.collect(),
            ..post
        };
        self.validate(&fitted)?;
        Ok(fitted)
    }

    /// Checks one part (see [`Capabilities::validate`]).
    pub fn validate_part(&self, part: &Part) -> Result<()> {
        if part.is_empty() {
            return Err(Error::validation(format!(
                "the post is empty: {} needs text or media",
                self.platform
            ))
            .with_platform(&self.platform));
        }
        if self.text_required && part.text.trim().is_empty() && part.media.is_empty() {
            return Err(Error::validation(format!("{} needs text", self.platform))
                .with_platform(&self.platform));
        }
        if self.media_required && part.media.is_empty() {
            return Err(Error::validation(format!(
                "{} needs at least one image or video in every post",
                self.platform
            ))
            .with_platform(&self.platform));
        }
        self.text.check(self.platform.as_str(), &part.text)?;
        if part.link.is_some()
            && !self.link_cards
            && !part.text.contains(part.link.as_deref().unwrap_or_default())
        {
            // Platforms without cards get the link in the text; the adapter appends it, so
            // it has to fit.
            let with_link = format!("{} {}", part.text, part.link.as_deref().unwrap_or_default());
            self.text.check(self.platform.as_str(), &with_link)?;
        }
        self.validate_media(part)
    }

    fn validate_media(&self, part: &Part) -> Result<()> {
        let media = &part.media;
        if media.is_empty() {
            return Ok(());
        }
        self.require(Operation::Media)?;
        let limits = &self.media;
        if media.len() > limits.max_count {
            return Err(self.too_many("media", media.len(), limits.max_count));
        }
        let videos = media
            .iter()
            .filter(|m| matches!(m.kind, MediaKind::Video | MediaKind::Gif))
            .count();
        let mixes_video = limits.max_videos <= 1 && videos > 0 && videos < media.len();
        if videos > limits.max_videos || mixes_video {
            return Err(Error::validation(format!(
                "{} takes one video or GIF per post and cannot mix it with images",
                self.platform
            ))
            .with_platform(&self.platform));
        }
        for m in media {
            if !limits.kinds.contains(&m.kind) {
                return Err(Error::validation(format!(
                    "{} does not accept {:?} media",
                    self.platform, m.kind
                ))
                .with_platform(&self.platform)
                .with_detail(Detail::MediaType {
                    mime: m.mime.clone(),
                    accepted: limits.mime_types.clone(),
                }));
            }
            if !limits.mime_types.is_empty()
                && !limits
                    .mime_types
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(&m.mime))
            {
                return Err(Error::validation(format!(
                    "{} does not accept media of type {} (accepted: {})",
                    self.platform,
                    m.mime,
                    limits.mime_types.join(", ")
                ))
                .with_platform(&self.platform)
                .with_detail(Detail::MediaType {
                    mime: m.mime.clone(),
                    accepted: limits.mime_types.clone(),
                }));
            }
            let max = match m.kind {
                MediaKind::Video | MediaKind::Gif => {
                    limits.max_video_bytes.or(limits.max_image_bytes)
                }
                _ => limits.max_image_bytes,
            };
            if let (Some(size), Some(max)) = (m.size(), max) {
                if size > max {
                    return Err(Error::validation(format!(
                        "media is {size} bytes on {}, the limit is {max} ({} over)",
                        self.platform,
                        size - max
                    ))
                    .with_platform(&self.platform)
                    .with_detail(Detail::MediaTooLarge {
                        bytes: size,
                        limit: max,
                    }));
                }
            }
            let alt = m.alt.as_deref().unwrap_or("");
            if limits.alt_text_required && alt.trim().is_empty() {
                return Err(Error::validation(format!(
                    "{} requires alt text on media",
                    self.platform
                ))
                .with_platform(&self.platform));
            }
            if let Some(max) = limits.alt_text_max {
                let n = alt.chars().count();
                if n > max {
                    return Err(Error::too_long(
                        &self.platform,
                        n,
                        max,
                        "alt text characters",
                    ));
                }
            }
        }
        Ok(())
    }

    fn too_many(&self, what: &str, count: usize, limit: usize) -> Error {
        Error::validation(format!(
            "{count} {what} on {}, the limit is {limit} ({} over)",
            self.platform,
            count - limit
        ))
        .with_platform(&self.platform)
        .with_detail(Detail::TooMany {
            what: what.to_string(),
            count,
            limit,
        })
    }
}

fn prefix_part(e: Error, index: usize) -> Error {
    let message = format!("part {} of the thread: {}", index + 1, e.message());
    let mut out = Error::new(e.kind(), message);
    let c = e.context();
    if let Some(p) = &c.platform {
        out = out.with_platform(p);
    }
    if let Some(d) = e.detail() {
        out = out.with_detail(d.clone());
    }
    out
}

/// One social platform account, as socialkit talks to it.
///
/// Implement [`capabilities`](Platform::capabilities), [`channel`](Platform::channel) and
/// [`publish`](Platform::publish); override the others the platform supports. Every method
/// that writes validates the post with [`Capabilities::validate`] before any network call.
#[async_trait]
pub trait Platform: Send + Sync + fmt::Debug {
    /// What the platform can do. Declared once per adapter.
    fn capabilities(&self) -> &Capabilities;

    /// The platform's name (`"mastodon"`).
    fn name(&self) -> &str {
        self.capabilities().platform.as_str()
    }

    /// Checks a post (already resolved for this platform) as the platform will check it for
    /// `op` ([`Operation::Publish`] or [`Operation::Reply`]), without sending anything: the
    /// capabilities' rules and the platform's own (an adapter on the shared base checks with
    /// its [`fit`](crate::adapters::base::Adapter::fit): YouTube's title and description,
    /// a thumbnail beside the video). The engine checks with it when a post or a reply is
    /// submitted. The default validates against the capabilities; a reply is a text answer,
    /// so [`Capabilities::media_required`] does not apply to it.
    ///
    /// ```
    /// use socialkit::platform::{Capabilities, Operation, Platform};
    /// use socialkit::adapters::sandbox::Sandbox;
    /// let acme = Sandbox::from_url("sandbox://check-for").unwrap();
    /// assert!(acme.check_for(&socialkit::model::Post::text("ok"), Operation::Publish).is_ok());
    /// assert!(acme.check_for(&socialkit::model::Post::text(""), Operation::Reply).is_err());
    /// ```
    fn check_for(&self, post: &Post, op: Operation) -> Result<()> {
        if op == Operation::Reply {
            self.capabilities().for_replies().validate(post)
        } else {
            self.capabilities().validate(post)
        }
    }

    /// Reads what [`capabilities`](Platform::capabilities) depend on where the platform has to
    /// be asked (a Mastodon instance's limits and server software), once; afterwards
    /// `capabilities()` is final. The engine calls it before it checks a post for a channel,
    /// so a post gets the same answer every time. The default has nothing to read.
    async fn load_capabilities(&self) -> Result<()> {
        Ok(())
    }

    /// Who am I: the connected account, its public profile and its metrics.
    async fn channel(&self) -> Result<Channel>;

    /// Publishes a post (a thread as a reply chain). With an idempotency key in `opts`, a
    /// repeated call returns the first result where the platform supports it.
    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published>;

    /// Deletes a post.
    async fn delete(&self, post: &PostRef) -> Result<()> {
        let _ = post;
        Err(Error::unsupported(self.name(), Operation::Delete.as_str()))
    }

    /// Replaces the text (and where allowed the media) of a published post.
    async fn edit(&self, post: &PostRef, new: &Post) -> Result<Published> {
        let _ = (post, new);
        Err(Error::unsupported(self.name(), Operation::Edit.as_str()))
    }

    /// Reads interactions (comments, replies, mentions …), oldest first, resuming at the
    /// query's cursor.
    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        let _ = query;
        Err(Error::unsupported(
            self.name(),
            Operation::Interactions.as_str(),
        ))
    }

    /// Replies to an interaction.
    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let _ = (to, post, opts);
        Err(Error::unsupported(self.name(), Operation::Reply.as_str()))
    }

    /// Reads metrics of published posts.
    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let _ = posts;
        Err(Error::unsupported(
            self.name(),
            Operation::PostMetrics.as_str(),
        ))
    }

    /// Lists the channel's most recent posts, newest first (for reconciling a publish whose
    /// outcome is unknown).
    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let _ = limit;
        Err(Error::unsupported(
            self.name(),
            Operation::RecentPosts.as_str(),
        ))
    }

    /// Searches public posts (for listening): matches of `query`, newest first, each as an
    /// [`Interaction`] of kind [`InteractionKind::Post`] whose reference can be replied to.
    /// [`Capabilities::search`] says whether and how far back the platform searches; to run a
    /// boolean listening query over several platforms, see
    /// [`listen::search`](crate::listen::search).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use socialkit::adapters::sandbox::Sandbox;
    /// use socialkit::model::{InteractionKind, SearchQuery};
    /// use socialkit::{Platform, PlatformExt};
    /// let acme = Sandbox::from_url("sandbox://platform-doc-search").unwrap();
    /// assert!(acme.capabilities().search.is_some());
    /// let sent = acme.publish_text("Our #springsale starts today").await.unwrap();
    /// let page = acme.search(&SearchQuery::new("#springsale today")).await.unwrap();
    /// let hit = page.items.iter().find(|i| i.reference.post.as_ref() == Some(&sent.post)).unwrap();
    /// assert_eq!(hit.kind, InteractionKind::Post);
    /// # });
    /// ```
    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        let _ = query;
        Err(Error::unsupported(self.name(), Operation::Search.as_str()))
    }
}

/// Convenience calls for every [`Platform`].
#[async_trait]
pub trait PlatformExt: Platform {
    /// Publishes a text post.
    async fn publish_text(&self, text: &str) -> Result<Published> {
        self.publish(&Post::text(text), &PublishOptions::default())
            .await
    }

    /// Publishes a thread of texts.
    async fn publish_thread(&self, texts: &[&str]) -> Result<Published> {
        self.publish(
            &Post::thread(texts.iter().copied()),
            &PublishOptions::default(),
        )
        .await
    }

    /// Replies with a text.
    async fn reply_text(&self, to: &InteractionRef, text: &str) -> Result<Published> {
        self.reply(to, &Post::text(text), &PublishOptions::default())
            .await
    }

    /// Checks a post against the capabilities (after applying its variant for this
    /// platform), without sending anything.
    fn check(&self, post: &Post) -> Result<()> {
        self.capabilities()
            .validate(&post.resolve(self.name(), None))
    }
}

impl<P: Platform + ?Sized> PlatformExt for P {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Media;
    use crate::text::Counting;

    /// Capabilities stored before `PlatformId` existed (the platform as a string) read back.
    #[test]
    fn capabilities_keep_the_platform_name_on_the_wire() {
        let caps = Capabilities::new("threads", crate::text::rules::threads());
        let json = serde_json::to_value(&caps).unwrap();
        assert_eq!(json["platform"], "threads");
        let back: Capabilities = serde_json::from_value(json).unwrap();
        assert_eq!(back.platform, crate::model::PlatformId::Threads);
    }

    /// `post_threads` is written under its own name; capabilities written before the rename
    /// (`"threads": true`) read back with the flag set.
    #[test]
    fn post_threads_reads_its_former_name() {
        let mut caps = Capabilities::new("threads", crate::text::rules::threads());
        caps.post_threads = true;
        let mut json = serde_json::to_value(&caps).unwrap();
        assert_eq!(json["post_threads"], true);
        assert!(json.get("threads").is_none());
        let old = json.as_object_mut().unwrap();
        let flag = old.remove("post_threads").unwrap();
        old.insert("threads".into(), flag);
        let back: Capabilities = serde_json::from_value(json).unwrap();
        assert!(back.post_threads);
        assert_eq!(back, caps);
    }

    fn caps() -> Capabilities {
        let mut c = Capabilities::new("demo", TextRule::new(Counting::Graphemes, 20));
        c.media = MediaLimits {
            max_count: 2,
            kinds: vec![MediaKind::Image, MediaKind::Video],
            mime_types: vec!["image/png".into(), "video/mp4".into()],
            max_image_bytes: Some(10),
            max_video_bytes: Some(100),
            max_videos: 1,
            alt_text_max: Some(5),
            alt_text_required: false,
        };
        c
    }

    #[test]
    fn threads_are_unsupported_unless_declared() {
        let e = caps().validate(&Post::thread(["a", "b"])).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Unsupported);
        assert!(e.to_string().contains("demo does not support threads"));
    }

    #[test]
    fn media_checks() {
        let c = caps();
        let big = Post::text("x").with_media(Media::image_bytes("image/png", vec![0; 11]));
        assert!(c.validate(&big).unwrap_err().to_string().contains("1 over"));
        let jpeg = Post::text("x").with_media(Media::image_bytes("image/jpeg", vec![0; 1]));
        assert!(
            c.validate(&jpeg)
                .unwrap_err()
                .to_string()
                .contains("image/jpeg")
        );
        let three = Post::text("x")
            .with_media(Media::image_bytes("image/png", vec![0]))
            .with_media(Media::image_bytes("image/png", vec![0]))
            .with_media(Media::image_bytes("image/png", vec![0]));
        assert!(matches!(
            c.validate(&three).unwrap_err().detail(),
            Some(Detail::TooMany {
                count: 3,
                limit: 2,
                ..
            })
        ));
        let mixed = Post::text("x")
            .with_media(Media::image_bytes("image/png", vec![0]))
            .with_media(Media::from_bytes("video/mp4", vec![0]));
        assert!(c.validate(&mixed).is_err());
        let alt = Post::text("x")
            .with_media(Media::image_bytes("image/png", vec![0]).with_alt("too long"));
        assert!(c.validate(&alt).is_err());
    }

    #[test]
    fn thread_errors_name_the_part() {
        let mut c = caps();
        c.post_threads = true;
        let e = c
            .validate(&Post::thread(["ok", "this second part is far too long"]))
            .unwrap_err();
        assert!(e.to_string().contains("part 2 of the thread"), "{e}");
    }
}
