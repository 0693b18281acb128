//! A tiny in-memory platform for engine tests: it keeps what it publishes, honours
//! idempotency keys when told to, lists recent posts, fails on cue, and can be slow (for
//! shutdown tests). The fault-injection proofs use the sandbox.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use socialkit::clock::{SharedClock, SystemClock};
use socialkit::model::{Channel, Post, PostRef, PublishOptions, Published, RecentPost};
use socialkit::platform::{Capabilities, Idempotency, Platform};
use socialkit::text::{Counting, TextRule};
use socialkit::{Error, ErrorKind, Result};

/// What the next publish call does instead of succeeding.
#[derive(Debug, Clone)]
pub enum Cue {
    /// Fail with this error before anything is written.
    Fail(Error),
    /// Write the post, then answer with a timeout (the answer is lost).
    LoseAnswer,
}

/// An in-memory [`Platform`] with cues and delays, for paths the sandbox does not model.
#[derive(Debug, Clone)]
pub struct EchoPlatform {
    caps: Capabilities,
    clock: SharedClock,
    posts: Arc<Mutex<Vec<RecentPost>>>,
    cues: Arc<Mutex<VecDeque<Cue>>>,
    calls: Arc<Mutex<usize>>,
    delay: std::time::Duration,
}

impl EchoPlatform {
    /// A platform named `name` that honours idempotency keys.
    pub fn new(name: &str) -> Self {
        let mut caps = Capabilities::new(name, TextRule::new(Counting::Graphemes, 500));
        caps.idempotency = Idempotency::Key;
        caps.recent_posts = true;
        EchoPlatform {
            caps,
            clock: Arc::new(SystemClock),
            posts: Arc::default(),
            cues: Arc::default(),
            calls: Arc::default(),
            delay: std::time::Duration::ZERO,
        }
    }

    /// Sets how repeated publishes are prevented (`None`: not at all).
    pub fn with_idempotency(mut self, i: Idempotency) -> Self {
        self.caps.idempotency = i;
        self
    }

    /// Whether recent posts can be listed.
    pub fn with_recent_posts(mut self, yes: bool) -> Self {
        self.caps.recent_posts = yes;
        self
    }

    /// Sets the text limit.
    pub fn with_limit(mut self, max: usize) -> Self {
        self.caps.text = TextRule::new(Counting::Graphemes, max);
        self
    }

    /// Takes time from `clock`.
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Makes every publish call take `delay` (real time) before it writes.
    pub fn with_delay(mut self, delay: std::time::Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Queues what the next publish call does.
    pub fn cue(&self, cue: Cue) {
        self.cues
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(cue);
    }

    /// Everything published, oldest first.
    pub fn published(&self) -> Vec<RecentPost> {
        self.posts.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Publish calls made.
    pub fn calls(&self) -> usize {
        *self.calls.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Platform for EchoPlatform {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    async fn channel(&self) -> Result<Channel> {
        Ok(Channel::new(self.name(), "1", self.name()))
    }

    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published> {
        *self.calls.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.caps.validate(post)?;
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let cue = self
            .cues
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front();
        if let Some(Cue::Fail(e)) = &cue {
            return Err(e.clone());
        }
        let mut posts = self.posts.lock().unwrap_or_else(|p| p.into_inner());
        let keyed = self.caps.idempotency != Idempotency::None;
        if let (true, Some(k)) = (keyed, &opts.idempotency_key) {
            if let Some(old) = posts.iter().find(|p| p.idempotency_key.as_ref() == Some(k)) {
                return Ok(Published::single(old.post.clone(), old.created_at));
            }
        }
        let id = (posts.len() + 1).to_string();
        let at = self.clock.now();
        let r = PostRef::new(self.name(), &id)
            .with_url(format!("https://{}.invalid/{id}", self.name()));
        posts.push(RecentPost {
            post: r.clone(),
            text: post.text.clone(),
            created_at: at,
            idempotency_key: opts.idempotency_key.clone(),
            in_reply_to: None,
        });
        if let Some(Cue::LoseAnswer) = cue {
            return Err(
                Error::new(ErrorKind::Timeout, "the answer was lost").with_platform(self.name())
            );
        }
        Ok(Published::single(r, at))
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.caps
            .require(socialkit::platform::Operation::RecentPosts)?;
        let posts = self.posts.lock().unwrap_or_else(|p| p.into_inner());
        Ok(posts.iter().rev().take(limit).cloned().collect())
    }
}
