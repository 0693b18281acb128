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
