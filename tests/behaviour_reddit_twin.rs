//! The shared behaviour suite against the Reddit twin: every check that Reddit's
//! capabilities allow passes; the one Reddit cannot do (an idempotency key) is skipped for
//! that reason only.

use std::sync::Arc;

use async_trait::async_trait;
use socialkit::adapters::reddit::Reddit;
use socialkit::adapters::reddit::twin::Twin;
use socialkit::model::{InteractionKind, PostRef};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{Error, ErrorKind, Platform, Result};

/// The twin as the suite sees it: the account's adapter and a reader (bob) who comments,
/// mentions the account and writes to it.
struct TwinHarness {
    twin: Twin,
    platform: Arc<Reddit>,
    bob: String,
}

#[async_trait]
impl Harness for TwinHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.platform.clone()
    }

    async fn induce_interaction(&self, post: &PostRef, kind: InteractionKind) -> Result<bool> {
        let h = self.twin.handle();
        match kind {
            InteractionKind::Reply => {
                h.comment(&post.id, &self.bob, "a comment from the twin");
            }
            InteractionKind::Mention => {
                h.mention(&self.bob, "a mention from the twin");
            }
            InteractionKind::DirectMessage => {
                h.message(&self.bob, "hello", "a message from the twin");
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    async fn thread_parent(&self, post: &PostRef) -> Result<Option<String>> {
        self.twin
            .handle()
            .thing(&post.id)
            .map(|t| t.parent)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "no such thing in the twin"))
    }
}

#[tokio::test]
async fn the_reddit_twin_passes_the_behaviour_suite() {
    let twin = Twin::start().await.unwrap();
    let platform = Arc::new(Reddit::new(twin.script_config()));
    let bob = twin.handle().add_user("bob_reader");
    let harness = TwinHarness {
        twin,
        platform,
        bob,
    };
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    let skipped: Vec<&str> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(skipped, ["idempotency_key"], "{report}");
    // Every operation is real on reddit, so there is nothing unsupported to call.
    let harness_skips: Vec<&str> = report
        .skipped_for(SkipCause::Harness)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(harness_skips, ["unsupported_operation"], "{report}");
    // The cleanup deleted everything the suite posted.
    let me = harness.twin.handle().username();
    assert!(harness.twin.handle().things_by(&me).is_empty());
}
