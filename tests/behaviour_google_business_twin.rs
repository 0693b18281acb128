//! The shared behaviour suite against the Google Business Profile twin: every check its
//! capabilities allow passes; what the API cannot do is skipped for that reason only.

use std::sync::Arc;

use async_trait::async_trait;
use socialkit::adapters::google_business::GoogleBusiness;
use socialkit::adapters::google_business::twin::Twin;
use socialkit::model::{InteractionKind, Media, PostRef};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{Platform, Result};

struct TwinHarness {
    twin: Twin,
    platform: Arc<GoogleBusiness>,
}

#[async_trait]
impl Harness for TwinHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.platform.clone()
    }

    /// Reviews belong to the location, not to a post, and the suite's interaction checks
    /// look for interactions on the post they published: they cannot be induced here.
    /// `tests/google_business_twin.rs` covers reviews (cursor, paging, replies, the inbox).
    async fn induce_interaction(&self, _post: &PostRef, _kind: InteractionKind) -> Result<bool> {
        Ok(false)
    }

    /// Local posts take a photo by public URL.
    fn media_sample(&self) -> Media {
        Media::from_url("image/jpeg", "https://example.com/socialkit-suite.jpg")
    }
}

#[tokio::test]
async fn the_google_business_twin_passes_the_behaviour_suite() {
    let twin = Twin::start().await.unwrap();
    let platform = Arc::new(GoogleBusiness::new(twin.config()));
    let harness = TwinHarness { twin, platform };
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
            "edit",
            "post_metrics",
            "search",
            "idempotency_key"
        ],
        "{report}"
    );
    let harness_skips: Vec<&str> = report
        .skipped_for(SkipCause::Harness)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        harness_skips,
        ["interactions_paging", "reply_to_interaction"],
        "{report}"
    );
    // Reviews are read all the same.
    harness
        .twin
        .handle()
        .review("Customer", 4, "a review", chrono::Duration::zero());
    let page = harness
        .platform
        .interactions(&socialkit::model::InteractionQuery::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(
        harness.twin.handle().posts().is_empty(),
        "the cleanup deleted every post"
    );
}
