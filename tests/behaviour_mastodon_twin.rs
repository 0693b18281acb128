//! The shared behaviour suite against the Mastodon twin: every check applies and passes.

use std::sync::Arc;

use async_trait::async_trait;
use socialkit::adapters::mastodon::twin::{Twin, TwinOptions};
use socialkit::adapters::mastodon::{Mastodon, default_capabilities};
use socialkit::model::{InteractionKind, PostRef};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{Platform, Result};

/// The twin as the suite sees it: the owner's adapter, a second account (bob) that
/// interacts, and an adapter with delete switched off for the "unsupported" check.
struct TwinHarness {
    twin: Twin,
    platform: Arc<Mastodon>,
    limited: Arc<Mastodon>,
    bob: String,
}

impl TwinHarness {
    async fn start(options: TwinOptions) -> TwinHarness {
        let twin = Twin::start_with(options).await.unwrap();
        let platform = Arc::new(Mastodon::connect(twin.config()).await.unwrap());
        let mut caps = default_capabilities();
        caps.delete = false;
        let limited = Arc::new(Mastodon::with_capabilities(
            twin.config(),
            socialkit::http::Client::default(),
            caps,
        ));
        let bob = twin.handle().add_account("bob");
        TwinHarness {
            twin,
            platform,
            limited,
            bob,
        }
    }
}

#[async_trait]
impl Harness for TwinHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.platform.clone()
    }

    fn limited_platform(&self) -> Option<Arc<dyn Platform>> {
        Some(self.limited.clone())
    }

    async fn induce_interaction(&self, post: &PostRef, kind: InteractionKind) -> Result<bool> {
        let h = self.twin.handle();
        match kind {
            InteractionKind::Reply => {
                h.reply(&post.id, &self.bob, "a reply from the twin");
            }
            InteractionKind::Mention => {
                h.mention(&self.bob, "a mention from the twin");
            }
            InteractionKind::Quote => {
                h.quote(&post.id, &self.bob, "a quote from the twin");
            }
            InteractionKind::Like => h.favourite(&post.id, &self.bob),
            InteractionKind::Repost => h.reblog(&post.id, &self.bob),
            InteractionKind::Follow => h.follow(&self.bob),
            _ => return Ok(false),
        }
        Ok(true)
    }

    async fn thread_parent(&self, post: &PostRef) -> Result<Option<String>> {
        self.twin
            .handle()
            .status(&post.id)
            .map(|s| s.in_reply_to_id)
            .ok_or_else(|| socialkit::Error::new(socialkit::ErrorKind::NotFound, "no such status"))
    }
}

fn assert_all_but_nothing_skipped(report: &socialkit::testkit::SuiteReport) {
    println!("{report}");
    report.assert_complete();
    assert_eq!(report.checks.len(), suite::CHECKS.len());
    assert!(report.skipped_for(SkipCause::Capability).is_empty());
    assert!(report.checks.iter().all(|c| c.outcome.is_passed()));
}

#[tokio::test]
async fn the_mastodon_twin_passes_the_whole_behaviour_suite() {
    let harness = TwinHarness::start(TwinOptions::default()).await;
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    assert_all_but_nothing_skipped(&report);
    // The cleanup deleted everything the suite published.
    let left = harness.platform.recent_posts(100).await.unwrap();
    assert!(left.is_empty(), "{} posts left", left.len());
}

#[tokio::test]
async fn the_suite_passes_with_snac_paging_and_synchronous_media() {
    let harness = TwinHarness::start(TwinOptions {
        min_id_is_lower_bound: true,
        media_processing_polls: 0,
        ..TwinOptions::default()
    })
    .await;
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    assert_all_but_nothing_skipped(&report);
}
