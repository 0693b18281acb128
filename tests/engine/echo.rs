//! A tiny in-memory platform for engine tests: it keeps what it publishes, honours
//! idempotency keys when told to, lists recent posts, fails on cue, and can hold its calls
//! at a gate the test opens (for shutdown tests). The fault-injection proofs use the sandbox.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio::sync::watch;

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

/// An in-memory [`Platform`] with cues and a gate, for paths the sandbox does not model.
#[derive(Debug, Clone)]
pub struct EchoPlatform {
    caps: Capabilities,
    clock: SharedClock,
    posts: Arc<Mutex<Vec<RecentPost>>>,
    cues: Arc<Mutex<VecDeque<Cue>>>,
    /// Publish calls made so far (a watch, for tests to wait on).
    calls: Arc<watch::Sender<usize>>,
    /// While `false`, publish calls wait before they write (see [`EchoPlatform::with_gate`]).
    gate: Arc<watch::Sender<bool>>,
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
            calls: Arc::new(watch::Sender::new(0)),
            gate: Arc::new(watch::Sender::new(true)),
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

    /// Makes every publish call wait, before it writes, until [`EchoPlatform::open_gate`].
    pub fn with_gate(self) -> Self {
        self.gate.send_replace(false);
        self
    }

    /// Lets the publish calls held at the gate (and all later ones) go on.
    pub fn open_gate(&self) {
        self.gate.send_replace(true);
    }

    /// Waits until `n` publish calls have been made (at most 30 s, then panics).
    pub async fn wait_for_calls(&self, n: usize) {
        let mut calls = self.calls.subscribe();
        tokio::time::timeout(
            std::time::Duration::from_secs(30),
            calls.wait_for(|c| *c >= n),
        )
        .await
        .unwrap_or_else(|_| panic!("{n} publish calls did not come within 30 s"))
        .expect("the platform is alive");
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
        *self.calls.borrow()
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
        self.calls.send_modify(|c| *c += 1);
        self.caps.validate(post)?;
        let mut gate = self.gate.subscribe();
        // Held until the test opens the gate (never, for a call that is to be abandoned).
        let _ = gate.wait_for(|open| *open).await;
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
