//! The shared behaviour suite against the TikTok twin: every check TikTok's capabilities
//! allow passes; the ones TikTok's API cannot do (threads, delete, edit, interactions,
//! replies, search, an idempotency key, link cards) are skipped for that reason only.

use std::sync::Arc;

use async_trait::async_trait;
use socialkit::Platform;
use socialkit::adapters::tiktok::TikTok;
use socialkit::adapters::tiktok::twin::Twin;
use socialkit::model::Media;
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};

struct TwinHarness {
    platform: Arc<TikTok>,
}

#[async_trait]
impl Harness for TwinHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.platform.clone()
    }

    /// A (tiny) video: TikTok posts are a video or photos by URL.
    fn media_sample(&self) -> Media {
        Media::from_bytes("video/mp4", vec![3; 2048])
    }
}

#[tokio::test]
async fn the_tiktok_twin_passes_the_behaviour_suite() {
    let twin = Twin::start().await.unwrap();
    let platform = Arc::new(TikTok::with_client(twin.config(), twin.client()));
    let harness = TwinHarness { platform };
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
            "publish_link_card",
            "delete_then_delete_again",
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
    assert!(!twin.handle().videos().is_empty());
}
