//! The shared behaviour suite against the LinkedIn twin, as a member and as an organization:
//! every check LinkedIn's capabilities allow passes; threads, edit and idempotency keys are
//! skipped because LinkedIn has none.

use std::sync::Arc;

use async_trait::async_trait;
use socialkit::adapters::linkedin::LinkedIn;
use socialkit::adapters::linkedin::twin::{Twin, TwinOptions};
use socialkit::model::{InteractionKind, PostRef};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{Error, ErrorKind, Platform, Result};

struct TwinHarness {
    twin: Twin,
    platform: Arc<LinkedIn>,
}

#[async_trait]
impl Harness for TwinHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.platform.clone()
    }

    async fn induce_interaction(&self, post: &PostRef, kind: InteractionKind) -> Result<bool> {
        if kind != InteractionKind::Comment {
            return Ok(false);
        }
        self.twin
            .handle()
            .add_comment(&post.id, "urn:li:person:bob", "a comment from the twin")
            .map(|_| true)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "no such post in the twin"))
    }

    async fn thread_parent(&self, post: &PostRef) -> Result<Option<String>> {
        let h = self.twin.handle();
        if let Some(c) = h.comment(&post.id) {
            return Ok(c.parent);
        }
        h.post(&post.id)
            .map(|_| None)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "no such post in the twin"))
    }
}

async fn run(options: TwinOptions) -> (TwinHarness, socialkit::testkit::SuiteReport) {
    let twin = Twin::start_with(options).await.unwrap();
    let platform = Arc::new(LinkedIn::new(twin.config()));
    let harness = TwinHarness { twin, platform };
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    let mut skipped: Vec<&str> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        // `search` passes where the platform declares it, and is skipped for that reason where
        // it does not (the suite fails on anything else).
        .filter(|c| c.name != "search")
        .map(|c| c.name.as_str())
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        ["edit", "idempotency_key", "publish_thread"],
        "{report}"
    );
    assert!(
        report.skipped_for(SkipCause::Harness).is_empty(),
        "{report}"
    );
    (harness, report)
}

#[tokio::test]
async fn the_linkedin_twin_passes_the_behaviour_suite_as_a_member() {
    let (harness, _) = run(TwinOptions::default()).await;
    assert!(
        harness.twin.handle().posts().is_empty(),
        "the cleanup deleted every post"
    );
}

#[tokio::test]
async fn the_linkedin_twin_passes_the_behaviour_suite_as_an_organization() {
    let (harness, report) = run(TwinOptions::organization()).await;
    assert!(report.get("post_metrics").unwrap().outcome.is_passed());
    assert!(harness.twin.handle().posts().is_empty());
}
