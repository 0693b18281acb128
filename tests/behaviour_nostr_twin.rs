//! The shared behaviour suite against the Nostr twin relay: every check the capabilities
//! allow passes; only edit (Nostr notes are immutable) and link cards (a link is text in a
//! note) are skipped for a capability.

use std::sync::Arc;

use socialkit::Platform;
use socialkit::adapters::nostr::Nostr;
use socialkit::adapters::nostr::twin::{RelayHarness, Twin, TwinOptions};
use socialkit::testkit::{SkipCause, SuiteOptions, suite};

const ALICE: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const BOB: &str = "2222222222222222222222222222222222222222222222222222222222222222";

#[tokio::test]
async fn the_twin_relay_passes_the_behaviour_suite() {
    let twin = Twin::start().await.unwrap();
    let alice = Arc::new(Nostr::new(twin.config(ALICE)).unwrap());
    let bob = Nostr::new(twin.config(BOB)).unwrap();
    // The relay's NIP-11 limits first, as the engine does before it checks a post.
    alice.load_capabilities().await.unwrap();
    assert_eq!(alice.capabilities().text.max, 8_196);
    let h = RelayHarness::new(alice.clone(), bob);
    let report = suite::run(&h, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    let skipped: Vec<&str> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(skipped, ["publish_link_card", "edit"], "{report}");
    assert!(
        report.skipped_for(SkipCause::Harness).is_empty(),
        "{report}"
    );
    // The cleanup asked for every note of alice to be deleted (NIP-09), and the twin did.
    assert!(twin.handle().by(alice.public_key(), 1).is_empty());
}

#[tokio::test]
async fn without_nip50_search_is_skipped_for_the_relay_not_failed() {
    let twin = Twin::start_with(TwinOptions {
        nip50: false,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let alice = Arc::new(Nostr::new(twin.config(ALICE)).unwrap());
    alice.load_capabilities().await.unwrap();
    assert!(alice.capabilities().search.is_none());
    let h = RelayHarness::new(alice, Nostr::new(twin.config(BOB)).unwrap());
    let opts = SuiteOptions {
        only: vec!["search".into(), "publish_text".into()],
        ..SuiteOptions::default()
    };
    let report = suite::run(&h, &opts).await;
    println!("{report}");
    report.assert_ok();
    assert!(
        report.get("search").unwrap().outcome.is_skipped(),
        "{report}"
    );
}
