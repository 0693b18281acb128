//! The shared behaviour suite against the Telegram twin: every check that Telegram's
//! capabilities allow passes; the ones the Bot API cannot do (metrics, recent posts,
//! idempotency keys, search) are skipped for that reason only.

use std::sync::Arc;

use async_trait::async_trait;
use socialkit::adapters::telegram::Telegram;
use socialkit::adapters::telegram::twin::{Twin, TwinOptions};
use socialkit::model::{InteractionKind, PostRef};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{Error, ErrorKind, Platform, Result};

/// The twin as the suite sees it: the bot's adapter and a subscriber (bob) who comments,
/// mentions the bot, writes to it and reacts.
struct TwinHarness {
    twin: Twin,
    platform: Arc<Telegram>,
    bob: i64,
}

impl TwinHarness {
    async fn start(options: TwinOptions) -> TwinHarness {
        let twin = Twin::start_with(options).await.unwrap();
        let platform = Arc::new(Telegram::new(twin.config()));
        let bob = twin.handle().add_user("bob_subscriber");
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
        let id: i64 = post.id.parse().unwrap();
        match kind {
            InteractionKind::Reply => {
                h.comment(id, self.bob, "a comment from the twin");
            }
            InteractionKind::Mention => {
                h.mention(self.bob, "a mention from the twin");
            }
            InteractionKind::DirectMessage => {
                h.direct_message(self.bob, "a message from the twin");
            }
            InteractionKind::Like => h.react(id, self.bob, "👍"),
            _ => return Ok(false),
        }
        Ok(true)
    }

    async fn thread_parent(&self, post: &PostRef) -> Result<Option<String>> {
        let chat: i64 = post.meta("chat_id").unwrap().parse().unwrap();
        let id: i64 = post.id.parse().unwrap();
        self.twin
            .handle()
            .message(chat, id)
            .map(|m| m.reply_to.map(|r| r.to_string()))
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "no such message in the twin"))
    }
}

#[tokio::test]
async fn the_telegram_twin_passes_the_behaviour_suite() {
    let harness = TwinHarness::start(TwinOptions::default()).await;
    let report = suite::run(&harness, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    let mut skipped: Vec<&str> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        ["idempotency_key", "post_metrics", "recent_posts", "search"],
        "{report}"
    );
    assert!(
        report.skipped_for(SkipCause::Harness).is_empty(),
        "{report}"
    );
    // The cleanup deleted everything the suite sent to the channel.
    let channel = harness.twin.handle().channel_id();
    assert!(harness.twin.handle().messages(channel).is_empty());
}
