//! The shared behaviour suite against the Discord twin, as a bot in a text channel, as a bot
//! in a forum channel, and as a webhook: every check the capabilities allow passes; the ones
//! Discord cannot do are skipped for that reason only.

use std::sync::Arc;

use async_trait::async_trait;
use socialkit::adapters::discord::Discord;
use socialkit::adapters::discord::twin::Twin;
use socialkit::model::{InteractionKind, PostRef};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, SuiteReport, suite};
use socialkit::{Error, ErrorKind, Platform, Result};

/// The twin as the suite sees it: the adapter and a member (bob) who replies and mentions.
struct TwinHarness {
    twin: Twin,
    platform: Arc<Discord>,
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
                h.reply(&post.id, &self.bob, "a reply from the twin");
            }
            InteractionKind::Mention => {
                h.mention(&self.bob, "a mention from the twin");
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    async fn thread_parent(&self, post: &PostRef) -> Result<Option<String>> {
        self.twin
            .handle()
            .message(&post.id)
            .map(|m| m.reply_to)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "no such message in the twin"))
    }
}

async fn harness(config: fn(&Twin) -> socialkit::adapters::discord::DiscordConfig) -> TwinHarness {
    let twin = Twin::start().await.unwrap();
    let platform = Arc::new(Discord::new(config(&twin)));
    let bob = twin.handle().add_user("bob");
    TwinHarness {
        twin,
        platform,
        bob,
    }
}

fn skipped(report: &SuiteReport) -> Vec<&str> {
    let mut s: Vec<&str> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    s.sort();
    s
}

#[tokio::test]
async fn a_bot_in_a_text_channel_passes_the_behaviour_suite() {
    let h = harness(Twin::bot_config).await;
    let report = suite::run(&h, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    assert_eq!(skipped(&report), ["search"], "{report}");
    assert!(
        report.skipped_for(SkipCause::Harness).is_empty(),
        "{report}"
    );
    // The cleanup deleted everything the bot sent.
    assert!(
        h.twin
            .handle()
            .all_messages()
            .iter()
            .all(|m| m.author_id != "5000")
    );
}

#[tokio::test]
async fn a_bot_in_a_forum_channel_passes_the_behaviour_suite() {
    let h = harness(Twin::forum_config).await;
    let report = suite::run(&h, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    assert_eq!(
        skipped(&report),
        [
            "idempotency_key",
            "interactions_paging",
            "recent_posts",
            "reply_to_interaction",
            "search"
        ],
        "{report}"
    );
    assert!(
        h.twin
            .handle()
            .all_messages()
            .iter()
            .all(|m| m.author_id != "5000")
    );
}

#[tokio::test]
async fn a_webhook_passes_the_behaviour_suite() {
    let h = harness(Twin::webhook_config).await;
    let report = suite::run(&h, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    assert_eq!(
        skipped(&report),
        [
            "idempotency_key",
            "interactions_paging",
            "publish_thread",
            "recent_posts",
            "reply_to_interaction",
            "search"
        ],
        "{report}"
    );
    assert!(h.twin.handle().all_messages().is_empty());
}
