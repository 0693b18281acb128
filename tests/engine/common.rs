//! Shared set-up.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use socialkit::clock::ManualClock;
use socialkit::engine::{Engine, EngineConfig, Hooks};
use socialkit::platform::Platform;
use socialkit::store::{ChannelRecord, Store, WorkspaceId};

pub const OWNER: &str = "olga";

pub fn t0() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

pub fn config() -> EngineConfig {
    EngineConfig {
        seed: Some(7),
        ..EngineConfig::default()
    }
}

pub fn engine(store: Arc<dyn Store>, clock: &ManualClock, hooks: Option<Arc<dyn Hooks>>) -> Engine {
    let mut b = Engine::builder(store)
        .clock(Arc::new(clock.clone()))
        .config(config());
    if let Some(h) = hooks {
        b = b.hooks(h);
    }
    b.build()
}

/// A workspace `acme` owned by OWNER (created once per store).
pub async fn workspace(engine: &Engine) -> WorkspaceId {
    match engine.create_workspace("acme", "ACME", OWNER).await {
        Ok(ws) => ws,
        Err(_) => WorkspaceId::new("acme"),
    }
}

pub async fn connect(engine: &Engine, ws: &WorkspaceId, id: &str, p: Arc<dyn Platform>) {
    engine
        .connect(ws, OWNER, ChannelRecord::new(id, p.name().to_string()), p)
        .await
        .unwrap();
}

use async_trait::async_trait;
use socialkit::adapters::sandbox::{Sandbox, SandboxConfig, SandboxWorld};
use socialkit::model::{Channel, Post, PublishOptions, Published, RecentPost};
use socialkit::platform::{Capabilities, Idempotency};

/// A sandbox world on the test's clock.
pub fn world(clock: &ManualClock) -> SandboxWorld {
    SandboxWorld::new(Arc::new(clock.clone()))
}

/// A quiet sandbox account (no simulated audience).
pub fn sandbox(world: &SandboxWorld, name: &str) -> Arc<Sandbox> {
    world
        .channel(name, SandboxConfig::default().with_followers(0))
        .unwrap()
}

/// A sandbox account seen through a platform that cannot dedupe: it declares no idempotency
/// and never passes the key on (publishes and replies), so only reconciliation by recent posts
/// prevents doubles.
#[derive(Debug)]
pub struct Unkeyed {
    pub inner: Arc<Sandbox>,
    caps: Capabilities,
}

impl Unkeyed {
    pub fn new(inner: Arc<Sandbox>) -> Self {
        let mut caps = inner.capabilities().clone();
        caps.idempotency = Idempotency::None;
        Unkeyed { inner, caps }
    }

    /// No key, and replies are not listed with their target (X, LinkedIn and Meta replies
    /// today): an in-doubt reply cannot be checked.
    pub fn blind(inner: Arc<Sandbox>) -> Self {
        let mut u = Unkeyed::new(inner);
        u.caps.replies_in_recent_posts = false;
        u
    }
}

#[async_trait]
impl Platform for Unkeyed {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
    async fn channel(&self) -> socialkit::Result<Channel> {
        self.inner.channel().await
    }
    async fn publish(&self, post: &Post, _: &PublishOptions) -> socialkit::Result<Published> {
        self.inner.publish(post, &PublishOptions::default()).await
    }
    async fn reply(
        &self,
        to: &socialkit::model::InteractionRef,
        post: &Post,
        _: &PublishOptions,
    ) -> socialkit::Result<Published> {
        self.inner.reply(to, post, &PublishOptions::default()).await
    }
    async fn recent_posts(&self, limit: usize) -> socialkit::Result<Vec<RecentPost>> {
        let mut listed = self.inner.recent_posts(limit).await?;
        if !self.caps.replies_in_recent_posts {
            for r in &mut listed {
                r.in_reply_to = None;
            }
        }
        Ok(listed)
    }
}

/// How many posts with exactly `text` the account has (faults cleared first).
pub async fn copies(account: &Sandbox, text: &str) -> usize {
    account.faults().clear();
    account
        .recent_posts(200)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.text == text)
        .count()
}

/// Dies after the first platform call, before its result is stored.
#[cfg(any(feature = "mastodon", feature = "x"))]
#[derive(Debug)]
pub struct CrashOnce(std::sync::atomic::AtomicUsize);

#[cfg(any(feature = "mastodon", feature = "x"))]
impl CrashOnce {
    /// A hook that crashes the first call only.
    pub fn new() -> Arc<Self> {
        Arc::new(CrashOnce(std::sync::atomic::AtomicUsize::new(1)))
    }
}

#[cfg(any(feature = "mastodon", feature = "x"))]
impl socialkit::engine::Hooks for CrashOnce {
    fn after_publish(
        &self,
        _: &socialkit::store::Delivery,
        _: &socialkit::Result<socialkit::Published>,
    ) -> socialkit::engine::AfterPublish {
        if self.0.swap(0, std::sync::atomic::Ordering::SeqCst) > 0 {
            socialkit::engine::AfterPublish::Crash
        } else {
            socialkit::engine::AfterPublish::Store
        }
    }
}

/// Queues a reply to `to` on `p`, crashes after the platform call (before the result is
/// stored), then starts a second engine on the same store, recovers and runs once. Returns
/// the delivery's final state and its attempt outcomes.
#[cfg(any(feature = "mastodon", feature = "x"))]
pub async fn reply_through_a_crash(
    p: Arc<dyn Platform>,
    to: socialkit::model::InteractionRef,
    text: &str,
) -> (
    socialkit::store::DeliveryState,
    Vec<socialkit::store::AttemptOutcome>,
) {
    let clock = ManualClock::new(Utc::now());
    let store: Arc<dyn Store> = Arc::new(socialkit::store::MemoryStore::new());
    let first = engine(store.clone(), &clock, Some(CrashOnce::new()));
    let ws = workspace(&first).await;
    connect(&first, &ws, "c", p.clone()).await;
    let id = first
        .reply(
            &ws,
            OWNER,
            &"c".into(),
            to,
            socialkit::model::Post::text(text),
        )
        .await
        .unwrap();
    assert_eq!(first.run_once().await.unwrap().abandoned, 1);
    drop(first);
    let second = engine(store, &clock, None);
    connect(&second, &ws, "c", p).await;
    second.recover().await.unwrap();
    second.run_once().await.unwrap();
    let d = second.delivery(&ws, &id).await.unwrap();
    let outcomes = second
        .store()
        .attempts(&ws, &id)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|a| a.outcome)
        .collect();
    (d.state, outcomes)
}
