//! The sandbox: an in-process platform that behaves like a real one, so the whole library runs
//! offline — the embedded default.
//!
//! A sandbox account validates like a platform (500 graphemes by default, up to 4 images or 1
//! video, alt text, threads, link cards, content warnings, visibilities), stores posts with
//! sequential ids and URLs (`https://sandbox.invalid/@acme/17`), honours idempotency keys, lists
//! its recent posts, deletes, edits and replies, pages interactions with a cursor, and reports
//! metrics. A seeded [simulated audience](SandboxAudience) that is active at realistic hours in
//! its time zone reads, likes, reposts, replies (in a few languages, with questions, praise,
//! complaints and spam), quotes, mentions, writes DMs and follows as the world's clock moves,
//! and posts about the account in public (its name, `#hashtag` and campaign hashtags), which
//! [`search`](Platform::search) finds together with every account's public posts and the
//! audience's public replies (words, `#hashtags`, `@handles`, time range, language, newest
//! first). [Faults] make it fail the way real platforms fail.
//!
//! Through the registry, `sandbox://acme?seed=42&followers=1200&max_chars=500&world=default`
//! reaches account `acme` of the process-wide world `default` (on the system clock), so two
//! handles built from the same URL see the same posts, as with a real platform. Tests that run
//! in parallel therefore use their own account names or, better, their own [`SandboxWorld`]
//! (usually on a manual clock, which also makes them deterministic).
//!
//! ```
//! use chrono::Duration;
//! use socialkit::adapters::sandbox::{SandboxConfig, SandboxWorld};
//! use socialkit::model::InteractionQuery;
//! use socialkit::{Platform, PlatformExt};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let world = SandboxWorld::simulated("2026-03-03T17:00:00Z".parse().unwrap());
//! let acme = world.channel("acme", SandboxConfig::default().with_followers(5000)).unwrap();
//! let published = acme.publish_text("Which colour should our next anvil have?").await.unwrap();
//! assert_eq!(published.url(), Some("https://sandbox.invalid/@acme/1"));
//!
//! world.advance(Duration::hours(48)).unwrap();
//! let page = acme.interactions(&InteractionQuery::default()).await.unwrap();
//! assert!(!page.items.is_empty());
//! # });
//! ```

mod account;
mod audience;
mod config;
mod faults;
mod media;
mod png;
mod records;
mod rng;
mod search;
mod simulation;
mod texts;
mod world;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::DateTime;
use chrono::Utc;
use url::Url;

pub use audience::{ActivityProfile, EngagementRates, Mood, SandboxAudience};
pub use config::SandboxConfig;
pub use faults::{Call, Fault, FaultId, Faults, Trigger, When};
pub use png::sample_png;
pub use records::{IncomingInteraction, SandboxMedia, SandboxPost};
pub use world::SandboxWorld;

use self::account::{Account, ReplyTarget};
use crate::model::{
    Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, MediaKind, Metric,
    Page, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost, SearchLimits,
    SearchQuery, Visibility,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Operation, Platform};
use crate::text::{Counting, TextRule};
use crate::{Error, Registry, Result};

/// The platform's name.
const PLATFORM: &str = "sandbox";
/// Most posts per metrics call.
const MAX_METRICS_BATCH: usize = 100;
/// Most recent posts per call.
const MAX_RECENT: usize = 200;

/// One sandbox account: a [`Platform`] that runs in process.
///
/// Get one from a channel URL ([`Sandbox::from_url`], or the [`Registry`]), from a config
/// ([`Sandbox::from_config`]) or from your own world ([`SandboxWorld::channel`]).
///
/// ```
/// use socialkit::adapters::sandbox::Sandbox;
/// use socialkit::{ErrorKind, Platform, PlatformExt};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let acme = Sandbox::from_url("sandbox://acme-sandbox-doc?max_chars=20").unwrap();
/// let err = acme.publish_text("This text is longer than twenty graphemes").await.unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Validation);
/// assert!(err.to_string().contains("the limit is 20"));
/// assert!(acme.recent_posts(10).await.unwrap().is_empty(), "nothing was created");
/// # });
/// ```
pub struct Sandbox {
    world: SandboxWorld,
    config: SandboxConfig,
    capabilities: Capabilities,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("account", &self.config.name)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The capabilities of an account with `config`.
fn capabilities(config: &SandboxConfig) -> Capabilities {
    let mut c = Capabilities::new(
        PLATFORM,
        TextRule::new(Counting::Graphemes, config.max_chars),
    );
    c.media = MediaLimits {
        max_count: 4,
        kinds: vec![MediaKind::Image, MediaKind::Gif, MediaKind::Video],
        mime_types: [
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
            "video/mp4",
        ]
        .map(String::from)
        .to_vec(),
        max_image_bytes: Some(5 * 1024 * 1024),
        max_video_bytes: Some(50 * 1024 * 1024),
        max_videos: 1,
        alt_text_max: Some(1500),
        alt_text_required: false,
    };
    c.post_threads = true;
    c.max_thread_parts = Some(25);
    c.link_cards = true;
    c.content_warning = true;
    c.visibilities = vec![
        Visibility::Public,
        Visibility::Unlisted,
        Visibility::Followers,
        Visibility::Direct,
    ];
    c.delete = true;
    c.edit = true;
    c.reply = true;
    c.interactions = InteractionKind::ALL.to_vec();
    c.metrics = vec![
        Metric::Impressions,
        Metric::Reach,
        Metric::Likes,
        Metric::Reposts,
        Metric::Replies,
        Metric::Quotes,
        Metric::Clicks,
        Metric::Saves,
    ];
    c.idempotency = Idempotency::Key;
    c.recent_posts = true;
    c.replies_in_recent_posts = true;
    c.search = Some(SearchLimits {
        max_age_days: None,
        max_page: search::MAX_PAGE,
        words: true,
        time_range: true,
        language: true,
        authors: true,
    });
    for op in &config.without {
        match op {
            // Publishing is what a platform is; it cannot be switched off.
            Operation::Publish | Operation::NativeScheduling => {}
            Operation::Thread => {
                c.post_threads = false;
                c.max_thread_parts = None;
            }
            Operation::Media => c.media = MediaLimits::none(),
            Operation::Delete => c.delete = false,
            Operation::Edit => c.edit = false,
            Operation::Interactions => c.interactions.clear(),
            Operation::Reply => c.reply = false,
            Operation::PostMetrics => c.metrics.clear(),
            Operation::RecentPosts => {
                c.recent_posts = false;
                c.replies_in_recent_posts = false;
            }
            Operation::Search => c.search = None,
        }
    }
    c
}

impl Sandbox {
    pub(crate) fn new(world: SandboxWorld, config: SandboxConfig) -> Self {
        Sandbox {
            capabilities: capabilities(&config),
            world,
            config,
        }
    }

    /// The account of a `sandbox://NAME?…` URL (see [`SandboxConfig`]) in its process-wide
    /// world.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::Sandbox;
    /// let acme = Sandbox::from_url("sandbox://acme-from-url-doc?seed=4&followers=50").unwrap();
    /// assert_eq!((acme.handle(), acme.config().followers), ("acme-from-url-doc", 50));
    /// assert!(Sandbox::from_url("sandbox://acme?unknown=1").is_err());
    /// ```
    pub fn from_url(url: &str) -> Result<Arc<Sandbox>> {
        Self::from_config(SandboxConfig::from_url(url)?)
    }

    /// The account of `config` in the process-wide world `config.world`.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{Sandbox, SandboxConfig};
    /// let a = Sandbox::from_config(SandboxConfig::new("acme-from-config")).unwrap();
    /// let b = Sandbox::from_url("sandbox://acme-from-config").unwrap();
    /// assert!(a.world().same_as(b.world()));
    /// ```
    pub fn from_config(config: SandboxConfig) -> Result<Arc<Sandbox>> {
        config.check()?;
        SandboxWorld::named(&config.world).channel(&config.name.clone(), config)
    }

    /// The account's handle.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::Sandbox;
    /// let acme = Sandbox::from_url("sandbox://acme-accessors-doc?seed=8").unwrap();
    /// assert_eq!(acme.handle(), "acme-accessors-doc");
    /// assert_eq!(acme.config().seed, 8);
    /// assert!(acme.world().accounts().contains(&"acme-accessors-doc".to_string()));
    /// assert_eq!(acme.faults().calls(socialkit::adapters::sandbox::Call::Publish), 0);
    /// ```
    pub fn handle(&self) -> &str {
        &self.config.name
    }

    /// The account's configuration.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::Sandbox;
    /// let acme = Sandbox::from_url("sandbox://acme-accessors-doc?seed=8").unwrap();
    /// assert_eq!(acme.handle(), "acme-accessors-doc");
    /// assert_eq!(acme.config().seed, 8);
    /// assert!(acme.world().accounts().contains(&"acme-accessors-doc".to_string()));
    /// assert_eq!(acme.faults().calls(socialkit::adapters::sandbox::Call::Publish), 0);
    /// ```
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// The world the account lives in.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::Sandbox;
    /// let acme = Sandbox::from_url("sandbox://acme-accessors-doc?seed=8").unwrap();
    /// assert_eq!(acme.handle(), "acme-accessors-doc");
    /// assert_eq!(acme.config().seed, 8);
    /// assert!(acme.world().accounts().contains(&"acme-accessors-doc".to_string()));
    /// assert_eq!(acme.faults().calls(socialkit::adapters::sandbox::Call::Publish), 0);
    /// ```
    pub fn world(&self) -> &SandboxWorld {
        &self.world
    }

    /// The account's fault controls.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::Sandbox;
    /// let acme = Sandbox::from_url("sandbox://acme-accessors-doc?seed=8").unwrap();
    /// assert_eq!(acme.handle(), "acme-accessors-doc");
    /// assert_eq!(acme.config().seed, 8);
    /// assert!(acme.world().accounts().contains(&"acme-accessors-doc".to_string()));
    /// assert_eq!(acme.faults().calls(socialkit::adapters::sandbox::Call::Publish), 0);
    /// ```
    pub fn faults(&self) -> Faults {
        Faults::new(self.world.clone(), self.config.name.clone())
    }

    /// Makes someone interact with the account now (a reply, a like, a DM …), as the audience
    /// does on its own, and returns the interaction as [`interactions`](Platform::interactions)
    /// will list it. No fault applies: this is the other side of the platform.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{IncomingInteraction, Sandbox};
    /// use socialkit::model::InteractionKind;
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let acme = Sandbox::from_url("sandbox://acme-receive-doc").unwrap();
    /// let post = acme.publish_text("New anvils!").await.unwrap();
    /// let reply = acme
    ///     .receive(IncomingInteraction::new(InteractionKind::Reply).on(post.post).text("Price?"))
    ///     .unwrap();
    /// acme.reply_text(&reply.reference, "50 € incl. VAT").await.unwrap();
    /// # });
    /// ```
    pub fn receive(&self, incoming: IncomingInteraction) -> Result<Interaction> {
        self.world
            .with_account(&self.config.name, |a, now| a.receive(now, incoming))
            .and_then(|r| r)
            .map_err(|e| e.or_context(PLATFORM, Some(&self.config.name), "receive"))
    }

    /// A post as the sandbox stored it (deleted ones included), to check what a publish,
    /// edit or reply really did.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::Sandbox;
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let acme = Sandbox::from_url("sandbox://acme-inspect-doc").unwrap();
    /// let thread = acme.publish_thread(&["one", "two"]).await.unwrap();
    /// let second = acme.inspect(&thread.parts[1]).unwrap();
    /// assert_eq!(second.reply_to.as_deref(), Some(thread.parts[0].id.as_str()));
    /// # });
    /// ```
    pub fn inspect(&self, post: &PostRef) -> Result<SandboxPost> {
        self.world
            .with_account(&self.config.name, |a, _| a.inspect(post))
            .and_then(|r| r)
            .map_err(|e| e.or_context(PLATFORM, Some(&self.config.name), "inspect"))
    }

    /// Runs a call on the account: counts it, applies a fault that fires (before the work, or
    /// after it for a lost answer) and adds the context to errors.
    fn call<R>(
        &self,
        call: Call,
        work: impl FnOnce(&mut Account, DateTime<Utc>) -> Result<R>,
    ) -> Result<R> {
        self.world
            .with_account(&self.config.name, |account, now| {
                match account.faults.on_call(call) {
                    Some(fault) if fault.after_work() => {
                        let _ = work(account, now);
                        Err(fault.error(now))
                    }
                    Some(fault) => Err(fault.error(now)),
                    None => work(account, now),
                }
            })
            .and_then(|r| r)
            .map_err(|e| self.context(e, call))
    }

    fn context(&self, e: Error, call: Call) -> Error {
        e.or_context(PLATFORM, Some(&self.config.name), call.as_str())
    }

    /// Resolves, loads and validates a post, and checks its media files; nothing is sent and
    /// no state changes.
    async fn prepare(
        &self,
        post: &Post,
        opts: &PublishOptions,
        call: Call,
    ) -> Result<(Post, Vec<Vec<SandboxMedia>>)> {
        let check = async {
            let mut post = self
                .capabilities
                .fit(post.resolve(PLATFORM, Some(&self.config.name)), opts)?;
            if media::load(&mut post).await? {
                self.capabilities.validate(&post)?;
            }
            let stored = media::store(&post, &self.capabilities.media.mime_types)?;
            Ok((post, stored))
        };
        check.await.map_err(|e| self.context(e, call))
    }

    /// Replies to a [search](Platform::search) result: counted and faulted like any reply.
    fn reply_to_found(
        &self,
        to: &InteractionRef,
        post: &Post,
        media: Vec<Vec<SandboxMedia>>,
        key: Option<&str>,
    ) -> Result<Published> {
        let me = self.config.name.as_str();
        self.world
            .with_accounts(me, |accounts, now| {
                let target = search::reply_target(accounts, me, &to.id, now);
                let Some(a) = accounts.get_mut(me) else {
                    return Err(Error::new(
                        crate::ErrorKind::NotFound,
                        format!("sandbox account @{me} does not exist in this world"),
                    ));
                };
                let work = |a: &mut account::Account| {
                    if let Some(earlier) = a.keyed(key) {
                        return Ok(earlier);
                    }
                    let post_id = target?;
                    a.publish(
                        now,
                        post,
                        media,
                        key,
                        ReplyTarget::Interaction {
                            post_id,
                            direct: false,
                        },
                    )
                };
                match a.faults.on_call(Call::Reply) {
                    Some(fault) if fault.after_work() => {
                        let _ = work(a);
                        Err(fault.error(now))
                    }
                    Some(fault) => Err(fault.error(now)),
                    None => work(a),
                }
            })
            .and_then(|r| r)
            .map_err(|e| self.context(e, Call::Reply))
    }

    fn require(&self, op: Operation, call: Call) -> Result<()> {
        self.capabilities
            .require(op)
            .map_err(|e| self.context(e, call))
    }
}

#[async_trait]
impl Platform for Sandbox {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    async fn channel(&self) -> Result<Channel> {
        self.call(Call::Channel, |a, _| Ok(a.channel()))
    }

    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published> {
        let (post, media) = self.prepare(post, opts, Call::Publish).await?;
        let key = opts.idempotency_key.as_deref();
        self.call(Call::Publish, |a, now| {
            a.publish(now, &post, media, key, ReplyTarget::FromPost)
        })
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        self.require(Operation::Delete, Call::Delete)?;
        self.call(Call::Delete, |a, now| a.delete(now, post))
    }

    async fn edit(&self, post: &PostRef, new: &Post) -> Result<Published> {
        self.require(Operation::Edit, Call::Edit)?;
        if new.is_thread() {
            return Err(self.context(
                Error::validation("an edit replaces one post; a thread cannot be edited in")
                    .with_platform(PLATFORM),
                Call::Edit,
            ));
        }
        let (new, media) = self
            .prepare(new, &PublishOptions::default(), Call::Edit)
            .await?;
        let media = media.into_iter().next().unwrap_or_default();
        self.call(Call::Edit, |a, now| a.edit(now, post, &new, media))
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        self.require(Operation::Interactions, Call::Interactions)?;
        let readable = &self.capabilities.interactions;
        self.call(Call::Interactions, |a, _| a.interactions(query, readable))
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        self.require(Operation::Reply, Call::Reply)?;
        let (post, media) = self.prepare(post, opts, Call::Reply).await?;
        let key = opts.idempotency_key.as_deref();
        if to.id.contains('/') && to.platform == PLATFORM {
            // A search result: a public post anywhere in the world.
            return self.reply_to_found(to, &post, media, key);
        }
        self.call(Call::Reply, |a, now| {
            if let Some(earlier) = a.keyed(key) {
                return Ok(earlier);
            }
            let target = a.reply_target_of(to)?;
            a.publish(now, &post, media, key, target)
        })
    }

    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        self.require(Operation::Search, Call::Search)?;
        let plan = search::Plan::new(query).map_err(|e| self.context(e, Call::Search))?;
        let me = self.config.name.as_str();
        self.world
            .with_accounts(me, |accounts, now| {
                let fault = accounts
                    .get_mut(me)
                    .and_then(|a| a.faults.on_call(Call::Search));
                match fault {
                    Some(fault) => Err(fault.error(now)),
                    None => Ok(search::run(accounts, me, &plan, now)),
                }
            })
            .and_then(|r| r)
            .map_err(|e| self.context(e, Call::Search))
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        self.require(Operation::PostMetrics, Call::PostMetrics)?;
        if posts.len() > MAX_METRICS_BATCH {
            return Err(self.context(
                Error::validation(format!(
                    "at most {MAX_METRICS_BATCH} posts per metrics call, not {}",
                    posts.len()
                ))
                .with_platform(PLATFORM),
                Call::PostMetrics,
            ));
        }
        self.call(Call::PostMetrics, |a, now| a.post_metrics(now, posts))
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.require(Operation::RecentPosts, Call::RecentPosts)?;
        self.call(Call::RecentPosts, |a, _| {
            Ok(a.recent_posts(limit.min(MAX_RECENT)))
        })
    }
}

/// Registers the `sandbox` scheme: URLs as [`SandboxConfig::from_url`] reads them, settings as
/// [`SandboxConfig`]'s serde form.
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            let config = SandboxConfig::from_parsed_url(url)?;
            Ok(Sandbox::from_config(config)? as Arc<dyn Platform>)
        }),
        Arc::new(|settings: serde_json::Value| {
            let config: SandboxConfig = crate::registry::settings(PLATFORM, settings)?;
            Ok(Sandbox::from_config(config)? as Arc<dyn Platform>)
        }),
    );
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod search_tests;
