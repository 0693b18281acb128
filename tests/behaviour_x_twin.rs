//! The shared behaviour suite against the X twin: every check that X's capabilities allow
//! passes; the ones X cannot do (edit, idempotency keys) are skipped for that reason only.

use std::sync::Arc;

use async_trait::async_trait;
use socialkit::adapters::x::X;
use socialkit::adapters::x::twin::{Twin, TwinOptions};
use socialkit::model::{InteractionKind, PostRef};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{Error, ErrorKind, Platform, Result};

/// The twin as the suite sees it: the owner's adapter and a second user (bob) who replies,
/// mentions and quotes.
struct TwinHarness {
    twin: Twin,
    platform: Arc<X>,
    bob: String,
}

impl TwinHarness {
    async fn start(options: TwinOptions) -> TwinHarness {
        let twin = Twin::start_with(options).await.unwrap();
        let platform = Arc::new(X::new(twin.config()));
        let bob = twin.handle().add_user("bob");
        TwinHarness {
            twin,
            platform,
            bob,
        }
    }
}

#[async_trait]
impl Harness for TwinHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.platform.clone()
    }

    async fn induce_interaction(&self, post: &PostRef, kind: InteractionKind) -> Result<bool> {
        let h = self.twin.handle();
        match kind {
            InteractionKind::Reply => h.reply(&post.id, &self.bob, "a reply from the twin"),
            InteractionKind::Mention => h.mention(&self.bob, "a mention from the twin"),
            InteractionKind::Quote => h.quote(&post.id, &self.bob, "a quote from the twin"),
            _ => return Ok(false),
        };
        Ok(true)
    }

    async fn thread_parent(&self, post: &PostRef) -> Result<Option<String>> {
        self.twin
            .handle()
            .tweet(&post.id)
            .map(|t| t.reply_to)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "no such post in the twin"))
    }
}

fn assert_green(report: &socialkit::testkit::SuiteReport) {
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
    assert_eq!(skipped, ["edit", "idempotency_key"], "{report}");
    let harness_skips = report.skipped_for(SkipCause::Harness);
    assert!(harness_skips.is_empty(), "{report}");
}

#[tokio::test]
async fn the_x_twin_passes_the_behaviour_suite() {
    let harness = TwinHarness::start(TwinOptions::default()).await;
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    assert_green(&report);
    // The cleanup deleted everything the suite published.
    assert!(harness.twin.handle().tweets().is_empty());
}

#[tokio::test]
async fn the_suite_passes_with_synchronous_media_and_a_refreshing_token() {
    let twin = Twin::start_with(TwinOptions {
        media_processing_polls: 0,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let platform = Arc::new(X::new(twin.config_with_refresh()));
    // The token is replaced before the run: the first call is refused, refreshed, resent.
    twin.handle().revoke_access_token();
    let bob = twin.handle().add_user("bob");
    let harness = TwinHarness {
        twin,
        platform,
        bob,
    };
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    assert_green(&report);
}

#[tokio::test]
async fn the_suite_passes_with_every_request_signed_with_oauth1() {
    let twin = Twin::start().await.unwrap();
    let platform = Arc::new(X::new(twin.config_oauth1()));
    let bob = twin.handle().add_user("bob");
    let harness = TwinHarness {
        twin,
        platform,
        bob,
    };
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    assert_green(&report);
    // The cleanup deleted everything the suite published, every call signed.
    assert!(harness.twin.handle().tweets().is_empty());
}
