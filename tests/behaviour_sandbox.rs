//! The shared behaviour suite against the sandbox: every check applies, and every one passes.

use socialkit::testkit::{SandboxHarness, SkipCause, SuiteOptions, suite};

#[tokio::test]
async fn the_sandbox_passes_the_whole_behaviour_suite() {
    let harness = SandboxHarness::new();
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_complete();
    assert_eq!(report.checks.len(), suite::CHECKS.len());
    assert!(report.skipped_for(SkipCause::Capability).is_empty());
    assert!(report.checks.iter().all(|c| c.outcome.is_passed()));
}

#[tokio::test]
async fn the_suite_cleans_up_after_itself() {
    use socialkit::Platform;
    let harness = SandboxHarness::new();
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    report.assert_ok();
    let left = harness.sandbox().recent_posts(200).await.unwrap();
    assert!(left.is_empty(), "{} posts left", left.len());
}

#[tokio::test]
async fn a_limited_sandbox_skips_for_capability_and_still_passes() {
    use socialkit::adapters::sandbox::{SandboxConfig, SandboxWorld};
    use socialkit::platform::Operation;
    let world = SandboxWorld::simulated("2026-03-03T09:00:00Z".parse().unwrap());
    let limited = world
        .channel(
            "bare",
            SandboxConfig::default()
                .without(Operation::Delete)
                .without(Operation::Thread)
                .without(Operation::Media)
                .without(Operation::RecentPosts),
        )
        .unwrap();
    let harness = SandboxHarness::with_sandbox(limited).unwrap();
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    let skipped: Vec<&str> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        skipped,
        [
            "publish_thread",
            "publish_media_with_alt_text",
            "delete_then_delete_again",
            "recent_posts"
        ]
    );
    let unsupported = report.get("unsupported_operation").unwrap();
    assert!(unsupported.outcome.is_passed());
}

#[tokio::test]
async fn options_leave_checks_out() {
    let report = suite::run(
        &SandboxHarness::new(),
        &SuiteOptions {
            only: vec!["publish_text".into()],
            ..SuiteOptions::default()
        },
    )
    .await;
    assert_eq!(report.passed().len(), 1);
    assert_eq!(
        report.skipped_for(SkipCause::Excluded).len(),
        suite::CHECKS.len() - 1
    );
}

/// A platform that gets two things wrong: a second delete succeeds, and paging ignores the
/// cursor. The suite must notice both.
#[derive(Debug)]
struct Broken(std::sync::Arc<socialkit::adapters::sandbox::Sandbox>);

#[async_trait::async_trait]
impl socialkit::Platform for Broken {
    fn capabilities(&self) -> &socialkit::Capabilities {
        self.0.capabilities()
    }
    async fn channel(&self) -> socialkit::Result<socialkit::Channel> {
        self.0.channel().await
    }
    async fn publish(
        &self,
        post: &socialkit::Post,
        opts: &socialkit::PublishOptions,
    ) -> socialkit::Result<socialkit::Published> {
        self.0.publish(post, opts).await
    }
    async fn delete(&self, _post: &socialkit::PostRef) -> socialkit::Result<()> {
        Ok(())
    }
    async fn interactions(
        &self,
        query: &socialkit::model::InteractionQuery,
    ) -> socialkit::Result<socialkit::model::Page<socialkit::Interaction>> {
        let mut q = query.clone();
        q.cursor = None;
        self.0.interactions(&q).await
    }
}

struct BrokenHarness(SandboxHarness);

#[async_trait::async_trait]
impl socialkit::testkit::Harness for BrokenHarness {
    fn platform(&self) -> std::sync::Arc<dyn socialkit::Platform> {
        std::sync::Arc::new(Broken(self.0.sandbox().clone()))
    }
    async fn induce_interaction(
        &self,
        post: &socialkit::PostRef,
        kind: socialkit::model::InteractionKind,
    ) -> socialkit::Result<bool> {
        self.0.induce_interaction(post, kind).await
    }
}

#[tokio::test]
async fn the_suite_catches_a_broken_platform() {
    let report = suite::run(
        &BrokenHarness(SandboxHarness::new()),
        &SuiteOptions::default(),
    )
    .await;
    println!("{report}");
    let failed: Vec<&str> = report.failed().iter().map(|c| c.name.as_str()).collect();
    assert!(failed.contains(&"delete_then_delete_again"), "{failed:?}");
    assert!(failed.contains(&"interactions_paging"), "{failed:?}");
}
