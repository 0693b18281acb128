//! The shared behaviour suite against the Bluesky twin: every check that applies passes; the
//! only one left out is `edit`, which Bluesky does not offer (declared in the capabilities).
#![cfg(all(feature = "bluesky", feature = "testkit"))]

use socialkit::Platform;
use socialkit::adapters::bluesky::twin::BlueskyTwinHarness;
use socialkit::testkit::{SkipCause, SuiteOptions, suite};

#[tokio::test]
async fn the_bluesky_twin_passes_the_behaviour_suite() {
    let harness = BlueskyTwinHarness::start().await.unwrap();
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    assert_eq!(report.checks.len(), suite::CHECKS.len());
    let skipped: Vec<&str> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(skipped, ["edit"]);
    assert_eq!(report.passed().len(), suite::CHECKS.len() - 1);
    // Nothing the suite published is left behind.
    let left = harness.bluesky().recent_posts(100).await.unwrap();
    assert!(left.is_empty(), "{} posts left", left.len());
}
