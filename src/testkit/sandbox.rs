//! The harness for the sandbox: a private simulated world, interactions made on demand, stored
//! posts inspected directly.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;

use super::Harness;
use crate::adapters::sandbox::{IncomingInteraction, Sandbox, SandboxConfig, SandboxWorld};
use crate::model::{InteractionKind, PostRef};
use crate::platform::Operation;
use crate::{Platform, Result};

/// The [`Harness`] of the sandbox: interactions are made with
/// [`Sandbox::receive`], thread parents read with [`Sandbox::inspect`], and
/// [`settle`](Harness::settle) lets a minute of simulated time pass (so the audience keeps
/// acting while the suite pages).
///
/// ```
/// use socialkit::testkit::{suite, SandboxHarness, SuiteOptions};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let report = suite::run(&SandboxHarness::new(), &SuiteOptions::default()).await;
/// report.assert_complete();
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct SandboxHarness {
    sandbox: Arc<Sandbox>,
    limited: Arc<Sandbox>,
}

impl Default for SandboxHarness {
    fn default() -> Self {
        Self::new()
    }
}

impl SandboxHarness {
    /// A harness on account `suite` of a new simulated world (starting Tuesday 2026-03-03,
    /// 09:00 UTC).
    ///
    /// ```
    /// let harness = socialkit::testkit::SandboxHarness::new();
    /// assert_eq!(harness.sandbox().handle(), "suite");
    /// ```
    pub fn new() -> Self {
        let start = chrono::DateTime::from_timestamp(1_772_528_400, 0).unwrap_or_default();
        let world = SandboxWorld::simulated(start);
        let build = |name: &str, config: SandboxConfig| {
            world
                .channel(name, config)
                .expect("a new world accepts the suite's fixed, valid accounts")
        };
        let sandbox = build("suite", SandboxConfig::default().with_seed(1));
        let limited = build("suite-limited", limited_config());
        SandboxHarness { sandbox, limited }
    }

    /// A harness on an existing sandbox account; the limited platform is account
    /// `<handle>-limited` of the same world.
    ///
    /// Fails when that account cannot be made (the handle is too long, or the account exists
    /// with another configuration).
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{SandboxConfig, SandboxWorld};
    /// use socialkit::testkit::{Harness, SandboxHarness};
    /// let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    /// let acme = world.channel("acme", SandboxConfig::default()).unwrap();
    /// let harness = SandboxHarness::with_sandbox(acme).unwrap();
    /// assert!(harness.limited_platform().is_some());
    /// assert_eq!(world.accounts(), ["acme", "acme-limited"]);
    /// ```
    pub fn with_sandbox(sandbox: Arc<Sandbox>) -> Result<Self> {
        let name = format!("{}-limited", sandbox.handle());
        let limited = sandbox.world().channel(&name, limited_config())?;
        Ok(SandboxHarness { sandbox, limited })
    }

    /// The sandbox under test.
    ///
    /// ```
    /// let harness = socialkit::testkit::SandboxHarness::new();
    /// assert_eq!(harness.sandbox().config().seed, 1);
    /// ```
    pub fn sandbox(&self) -> &Arc<Sandbox> {
        &self.sandbox
    }
}

/// An account without delete, edit or threads.
fn limited_config() -> SandboxConfig {
    SandboxConfig::default()
        .without(Operation::Delete)
        .without(Operation::Edit)
        .without(Operation::Thread)
}

#[async_trait]
impl Harness for SandboxHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.sandbox.clone()
    }

    fn limited_platform(&self) -> Option<Arc<dyn Platform>> {
        Some(self.limited.clone())
    }

    async fn induce_interaction(&self, post: &PostRef, kind: InteractionKind) -> Result<bool> {
        self.sandbox
            .receive(IncomingInteraction::new(kind).on(post.clone()))
            .map(|_| true)
    }

    async fn thread_parent(&self, post: &PostRef) -> Result<Option<String>> {
        self.sandbox.inspect(post).map(|p| p.reply_to)
    }

    async fn settle(&self) {
        // A world on a clock it does not own cannot be advanced; then there is nothing to wait
        // for either (the sandbox is consistent at once).
        let _ = self.sandbox.world().advance(Duration::minutes(1));
    }
}
