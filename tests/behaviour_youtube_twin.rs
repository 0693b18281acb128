//! The shared behaviour suite against the YouTube twin: every check YouTube's capabilities
//! allow passes; what YouTube cannot do is skipped for that reason only.

use std::sync::Arc;

use async_trait::async_trait;
use socialkit::adapters::youtube::Youtube;
use socialkit::adapters::youtube::twin::Twin;
use socialkit::model::{InteractionKind, Media, PostRef};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{Platform, Result};

/// The twin as the suite sees it: the channel's adapter and a viewer who comments.
struct TwinHarness {
    twin: Twin,
    platform: Arc<Youtube>,
}

#[async_trait]
impl Harness for TwinHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.platform.clone()
    }

    async fn induce_interaction(&self, post: &PostRef, kind: InteractionKind) -> Result<bool> {
        let h = self.twin.handle();
        match kind {
            InteractionKind::Comment => {
                h.comment(&post.id, "UCviewer", "a comment from the twin");
            }
            InteractionKind::Reply => {
                let thread = h.comment(&post.id, "UCviewer", "a question from the twin");
                h.reply(&thread, "UCother", "an answer from another viewer");
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A YouTube post is a video.
    fn media_sample(&self) -> Media {
        Media::from_bytes(
            "video/mp4",
            vec![0, 0, 0, 24, b'f', b't', b'y', b'p', b'm', b'p', b'4', b'2'],
        )
    }
}

#[tokio::test]
async fn the_youtube_twin_passes_the_behaviour_suite() {
    let twin = Twin::start().await.unwrap();
    let platform = Arc::new(Youtube::new(twin.config()));
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
            "publish_link_card",
            "edit",
            "search",
            "idempotency_key"
        ],
        "{report}"
    );
    // The cleanup deleted every video the suite uploaded.
    assert!(harness.twin.handle().videos().is_empty());
}
