//! The shared behaviour suite against the Pinterest twin: every check Pinterest's
//! capabilities allow passes; the rest are skipped for that reason only.

use std::sync::Arc;

use socialkit::Platform;
use socialkit::adapters::pinterest::Pinterest;
use socialkit::adapters::pinterest::twin::Twin;
use socialkit::model::Media;
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};

struct TwinHarness {
    platform: Arc<Pinterest>,
}

#[async_trait::async_trait]
impl Harness for TwinHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.platform.clone()
    }

    fn media_sample(&self) -> Media {
        Media::from_url("image/jpeg", "https://cdn.example/sample.jpg").with_alt("A sample anvil")
    }
}

#[tokio::test]
async fn the_pinterest_twin_passes_the_behaviour_suite() {
    let twin = Twin::start().await.unwrap();
    let harness = TwinHarness {
        platform: Arc::new(Pinterest::with_client(twin.config(), twin.client())),
    };
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
            "interactions_paging",
            "reply_to_interaction",
            "search",
            "idempotency_key"
        ],
        "{report}"
    );
    assert!(
        report.skipped_for(SkipCause::Harness).is_empty(),
        "{report}"
    );
    // The cleanup deleted every pin the suite made.
    assert!(twin.handle().pins().is_empty());
}
