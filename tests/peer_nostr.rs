//! The Nostr adapter against a real relay: nostr-rs-relay 0.8.12 on loopback
//! (`../shared/peers/start.sh nostr-relay`), with the two keys `start.sh` generated.
//!
//! Runs the shared behaviour suite as alice with bob (the second key) replying, mentioning,
//! liking and reposting, then checks on the real relay what the twin can only repeat from the
//! NIPs: a re-sent event is answered `duplicate:` (natural idempotency), a note dated too far
//! ahead is refused `invalid:` (Validation), reactions and reposts are read back as
//! interactions and counted as metrics, and a NIP-09 deletion removes the note.
//!
//! What the relay lacks is skipped with the reason printed: NIP-50 search (the relay does not
//! list it). Without the peer the test prints why it was skipped and passes, except with
//! `CI=true`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use socialkit::adapters::nostr::Filter;
use socialkit::adapters::nostr::twin::RelayHarness;
use socialkit::adapters::nostr::{Nostr, NostrConfig, relay_outcomes};
use socialkit::model::{InteractionKind, InteractionQuery, Post, PublishOptions};
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{ErrorKind, Platform};

const SKIPPED: &str =
    "SKIPPED: nostr-relay peer not running (start it with ../shared/peers/start.sh nostr-relay)";

fn env_file() -> PathBuf {
    let home = std::env::var_os("SOCIALKIT_PEERS_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/socialkit-peers")
        });
    home.join("run/nostr-relay.env")
}

struct Peer {
    relay: String,
    alice: String,
    bob: String,
}

fn load_peer() -> Option<Peer> {
    let text = std::fs::read_to_string(env_file()).ok()?;
    let vars: HashMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        .collect();
    let get = |k: &str| vars.get(k).cloned().filter(|v| !v.is_empty());
    Some(Peer {
        relay: get("SOCIALKIT_NOSTR_RELAY_URL")?,
        alice: get("SOCIALKIT_NOSTR_SECRET_KEY")?,
        bob: get("SOCIALKIT_NOSTR_SECRET_KEY_2")?,
    })
}

/// The peer, or `None` after printing why the test is skipped (a failure with `CI=true`).
/// A peer whose env file exists but whose relay does not answer counts as missing.
async fn peer_or_skip() -> Option<Peer> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let peer = load_peer();
    let up = match &peer {
        Some(p) => {
            let n = Nostr::new(NostrConfig::new(p.alice.clone(), [p.relay.as_str()]).ok()?).ok()?;
            n.fetch(&[Filter::default().limit(1)]).await.is_ok()
        }
        None => false,
    };
    match (peer, up) {
        (Some(p), true) => Some(p),
        _ if ci => panic!(
            "CI=true but the nostr-relay peer is not running (env file {})",
            env_file().display()
        ),
        _ => {
            println!("{SKIPPED}");
            eprintln!("{SKIPPED}");
            None
        }
    }
}

fn nostr(key: &str, relay: &str) -> Nostr {
    Nostr::new(NostrConfig::new(key.to_string(), [relay]).unwrap()).unwrap()
}

#[tokio::test]
async fn the_behaviour_suite_passes_on_nostr_rs_relay() {
    let Some(peer) = peer_or_skip().await else {
        return;
    };
    let alice = Arc::new(nostr(&peer.alice, &peer.relay));
    alice.load_capabilities().await.unwrap();
    let h = RelayHarness::new(alice.clone(), nostr(&peer.bob, &peer.relay));
    let report = suite::run(&h, &SuiteOptions::default()).await;
    println!("{report}");
    report.assert_ok();
    let mut skipped: Vec<&str> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    skipped.sort();
    // edit and link cards: Nostr has neither; search: nostr-rs-relay does not list NIP-50.
    assert_eq!(skipped, ["edit", "publish_link_card", "search"], "{report}");
    // Why each skip, in the relay's own words where it is the relay that lacks it.
    let info = alice.relay_info().await[0].clone().unwrap_or_default();
    println!(
        "relay: {} {} — supported_nips {:?}",
        info.software.as_deref().unwrap_or("?"),
        info.version.as_deref().unwrap_or("?"),
        info.supported_nips
    );
    assert!(
        !info.supports(50),
        "the relay lists NIP-50 now: expect search to run"
    );
    println!("skipped search: the relay's NIP-11 document does not list NIP-50 (search)");
    println!("skipped edit: Nostr notes are immutable (no edit in any NIP socialkit uses)");
    println!("skipped publish_link_card: a Nostr note carries a link as text, there are no cards");
    assert!(
        report.skipped_for(SkipCause::Harness).is_empty(),
        "{report}"
    );
}

#[tokio::test]
async fn the_real_relay_answers_duplicate_refuses_the_future_and_counts_reactions() {
    let Some(peer) = peer_or_skip().await else {
        return;
    };
    let alice = nostr(&peer.alice, &peer.relay);
    let bob = nostr(&peer.bob, &peer.relay);
    let tag = rand::random::<u32>();

    // Natural idempotency: the same key and instant sign the same event; the relay says so.
    let opts = PublishOptions {
        created_at: Some(chrono::Utc::now()),
        ..PublishOptions::with_key(format!("peer-{tag}"))
    };
    let text = format!("socialkit peer note {tag}");
    let first = alice.publish(&Post::text(&text), &opts).await.unwrap();
    let again = nostr(&peer.alice, &peer.relay)
        .publish(&Post::text(&text), &opts)
        .await
        .unwrap();
    assert_eq!(first.post.id, again.post.id);
    assert_eq!(relay_outcomes(&first.post)[0].1, "accepted");
    assert_eq!(
        relay_outcomes(&again.post)[0].1,
        "duplicate",
        "{:?}",
        again.post.meta
    );
    let stored = alice
        .fetch(&[Filter::default().authors([alice.public_key()]).kinds([1])])
        .await
        .unwrap();
    assert_eq!(stored.iter().filter(|e| e.content == text).count(), 1);

    // reject_future_seconds = 1800: two hours ahead is refused with `invalid:`.
    let future = PublishOptions {
        created_at: Some(chrono::Utc::now() + chrono::Duration::hours(2)),
        ..PublishOptions::default()
    };
    let e = alice
        .publish(&Post::text(format!("from the future {tag}")), &future)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    assert_eq!(e.context().platform_code.as_deref(), Some("invalid"), "{e}");

    // Bob likes and reposts; alice reads both and counts them.
    let h = RelayHarness::new(Arc::new(nostr(&peer.alice, &peer.relay)), bob);
    assert!(
        h.induce_interaction(&first.post, InteractionKind::Like)
            .await
            .unwrap()
    );
    assert!(
        h.induce_interaction(&first.post, InteractionKind::Repost)
            .await
            .unwrap()
    );
    assert!(
        h.induce_interaction(&first.post, InteractionKind::Reply)
            .await
            .unwrap()
    );
    let page = alice
        .interactions(&InteractionQuery {
            since: Some(first.published_at),
            limit: 100,
            ..InteractionQuery::default()
        })
        .await
        .unwrap();
    for kind in [
        InteractionKind::Like,
        InteractionKind::Repost,
        InteractionKind::Reply,
    ] {
        assert!(
            page.items
                .iter()
                .any(|i| i.kind == kind && i.post.as_ref().is_some_and(|p| p.id == first.post.id)),
            "{kind:?} not read back: {:?}",
            page.items
        );
    }
    let m = alice
        .post_metrics(std::slice::from_ref(&first.post))
        .await
        .unwrap();
    assert_eq!(
        (m[0].likes, m[0].reposts, m[0].replies),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(m[0].impressions, None);

    // NIP-09: the relay removes the author's note.
    alice.delete(&first.post).await.unwrap();
    let left = alice
        .fetch(&[Filter::default().ids([first.post.id.clone()])])
        .await
        .unwrap();
    assert!(left.is_empty(), "the relay still has the note");
    assert_eq!(
        alice.delete(&first.post).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}
