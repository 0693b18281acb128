//! The Nostr adapter against twin relays: per-relay outcomes and the quorum, every refusal
//! prefix (NIP-01 `OK` messages) mapped to its kind, natural idempotency (a re-sent event is a
//! `duplicate:`, never a second note), a relay nobody listens on (nothing sent), replies and
//! threads with NIP-10 tags, deletion (NIP-09), and the secret key kept out of errors.

use socialkit::adapters::nostr::twin::{Fault, Twin};
use socialkit::adapters::nostr::{Nostr, NostrConfig, relay_outcomes};
use socialkit::http::nothing_sent;
use socialkit::model::{Post, PublishOptions};
use socialkit::{ErrorKind, Platform, PlatformExt};

const ALICE: &str = "1111111111111111111111111111111111111111111111111111111111111111";

/// What `relay` answered, from the post's outcomes.
fn answer(post: &socialkit::model::PostRef, relay: &Twin) -> String {
    relay_outcomes(post)
        .into_iter()
        .find(|(r, _)| r == relay.url().as_str())
        .map(|(_, o)| o)
        .unwrap_or_default()
}

fn two_relays(a: &Twin, b: &Twin, quorum: usize) -> Nostr {
    let mut c = NostrConfig::new(ALICE, [a.url().as_str(), b.url().as_str()]).unwrap();
    c.quorum = quorum;
    c.timeout_secs = 2;
    Nostr::new(c).unwrap()
}

#[tokio::test]
async fn each_relay_answers_and_the_quorum_decides() {
    let (a, b) = (Twin::start().await.unwrap(), Twin::start().await.unwrap());
    b.handle()
        .fault(Fault::Refuse("blocked: not on the allow list".into()));
    let one = two_relays(&a, &b, 1);
    let p = one.publish_text("to two relays").await.unwrap();
    assert_eq!(relay_outcomes(&p.post).len(), 2);
    assert_eq!(answer(&p.post, &a), "accepted");
    assert!(
        answer(&p.post, &b).starts_with("rejected: blocked:"),
        "{:?}",
        p.post.meta
    );

    b.handle()
        .fault(Fault::Refuse("blocked: not on the allow list".into()));
    let both = two_relays(&a, &b, 2);
    let e = both.publish_text("needs both").await.unwrap_err();
    // One relay has it: not a definite "no", so the engine retries the same event.
    assert_eq!(e.kind(), ErrorKind::Platform, "{e}");
    assert!(e.is_retryable());
    assert!(e.to_string().contains("1 of 2 relays"), "{e}");
    // The retry: relay a says duplicate, relay b stores it now.
    let opts = PublishOptions::with_key("k-both");
    b.handle().fault(Fault::Refuse("error: disk full".into()));
    assert!(both.publish(&Post::text("keyed"), &opts).await.is_err());
    let p = both.publish(&Post::text("keyed"), &opts).await.unwrap();
    assert_eq!(answer(&p.post, &a), "duplicate");
    assert_eq!(answer(&p.post, &b), "accepted");
}

#[tokio::test]
async fn every_refusal_prefix_maps_to_its_kind() {
    let twin = Twin::start().await.unwrap();
    let nostr = Nostr::new(twin.config(ALICE)).unwrap();
    let cases = [
        (
            "invalid: event creation date is too far off",
            ErrorKind::Validation,
            false,
        ),
        (
            "pow: difficulty 10 is less than 20",
            ErrorKind::ContentRejected,
            false,
        ),
        (
            "blocked: you are banned from posting here",
            ErrorKind::PermissionDenied,
            false,
        ),
        (
            "restricted: not a member",
            ErrorKind::PermissionDenied,
            false,
        ),
        (
            "auth-required: authenticate first",
            ErrorKind::Unauthenticated,
            false,
        ),
        ("rate-limited: slow down", ErrorKind::RateLimited, true),
        (
            "error: could not write to the database",
            ErrorKind::Platform,
            true,
        ),
    ];
    for (message, kind, retryable) in cases {
        twin.handle().fault(Fault::Refuse(message.into()));
        let e = nostr
            .publish_text(&format!("refused {message}"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{message}: {e}");
        assert_eq!(e.is_retryable(), retryable, "{message}");
        assert!(!e.to_string().contains(ALICE), "{e}");
    }
    assert!(twin.handle().by(nostr.public_key(), 1).is_empty());
}

#[tokio::test]
async fn a_resent_event_is_a_duplicate_not_a_second_note() {
    let twin = Twin::start().await.unwrap();
    let nostr = Nostr::new(twin.config(ALICE)).unwrap();
    let opts = PublishOptions {
        created_at: Some(chrono::Utc::now()),
        ..PublishOptions::with_key("sk-d1-1")
    };
    twin.handle().fault(Fault::LoseOk);
    let lost = nostr.publish(&Post::text("once"), &opts).await.unwrap_err();
    assert_eq!(lost.kind(), ErrorKind::Timeout, "{lost}");
    assert!(lost.is_retryable());
    // A second adapter (a restarted process) with the same key and instant.
    let again = Nostr::new(twin.config(ALICE)).unwrap();
    let p = again.publish(&Post::text("once"), &opts).await.unwrap();
    assert_eq!(relay_outcomes(&p.post)[0].1, "duplicate");
    assert_eq!(twin.handle().by(nostr.public_key(), 1).len(), 1);
    assert_eq!(twin.handle().received(), 2);
}

#[tokio::test]
async fn a_relay_nobody_listens_on_got_nothing() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nostr =
        Nostr::new(NostrConfig::new(ALICE, [format!("ws://127.0.0.1:{port}")]).unwrap()).unwrap();
    let e = nostr.publish_text("nowhere").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(nothing_sent(&e), "{e:?}");
    assert!(!format!("{e:?}").contains(ALICE));
}

#[tokio::test]
async fn threads_and_replies_carry_nip10_tags_and_deletes_are_nip09() {
    let twin = Twin::start().await.unwrap();
    let nostr = Nostr::new(twin.config(ALICE)).unwrap();
    let p = nostr
        .publish_thread(&["one", "two", "three"])
        .await
        .unwrap();
    let h = twin.handle();
    let ids: Vec<String> = p.parts.iter().map(|r| r.id.clone()).collect();
    let third = h.event(&ids[2]).unwrap();
    assert!(
        third
            .tags
            .contains(&vec!["e".into(), ids[0].clone(), "".into(), "root".into()])
    );
    assert!(
        third
            .tags
            .contains(&vec!["e".into(), ids[1].clone(), "".into(), "reply".into()])
    );
    assert!(
        third
            .tags
            .contains(&vec!["p".into(), nostr.public_key().to_string()])
    );
    let second = h.event(&ids[1]).unwrap();
    assert_eq!(second.reply_parent(), Some(ids[0].as_str()));
    assert!(second.created_at > h.event(&ids[0]).unwrap().created_at);

    nostr.delete(&p.parts[1]).await.unwrap();
    assert!(h.event(&ids[1]).is_none());
    let deletion = &h.by(nostr.public_key(), 5)[0];
    assert_eq!(deletion.tag_value("e"), Some(ids[1].as_str()));
    assert_eq!(deletion.tag_value("k"), Some("1"));
    let gone = nostr.delete(&p.parts[1]).await.unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
    let bad = socialkit::model::PostRef::new("nostr", "not-an-id");
    assert_eq!(
        nostr.delete(&bad).await.unwrap_err().kind(),
        ErrorKind::Validation
    );
}

#[tokio::test]
async fn media_must_be_urls_and_are_tagged_imeta() {
    let twin = Twin::start().await.unwrap();
    let nostr = Nostr::new(twin.config(ALICE)).unwrap();
    let bytes = Post::text("pic").with_media(socialkit::model::Media::image_bytes(
        "image/png",
        vec![1, 2],
    ));
    let e = nostr
        .publish(&bytes, &PublishOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(twin.handle().received(), 0, "nothing was sent");
    let url = Post::text("pic").with_media(
        socialkit::model::Media::from_url("image/jpeg", "https://cdn.example/p.jpg")
            .with_alt("A pier at dusk"),
    );
    let p = nostr
        .publish(&url, &PublishOptions::default())
        .await
        .unwrap();
    let e = twin.handle().event(&p.post.id).unwrap();
    assert_eq!(e.content, "pic\nhttps://cdn.example/p.jpg");
    let imeta: Vec<&[String]> = e.tags_named("imeta").collect();
    assert_eq!(
        imeta[0],
        [
            "url https://cdn.example/p.jpg",
            "m image/jpeg",
            "alt A pier at dusk"
        ]
    );
}

#[tokio::test]
async fn the_registry_builds_nostr_channels_from_urls_and_configs() {
    let twin = Twin::start().await.unwrap();
    let port = twin.url().port().unwrap();
    let registry = socialkit::Registry::default();
    let url = format!("nostr://{ALICE}@127.0.0.1:{port}?scheme=http&timeout=2");
    let platform = registry.from_url(&url).unwrap();
    assert_eq!(platform.name(), "nostr");
    let p = platform.publish_text("through the registry").await.unwrap();
    assert!(twin.handle().event(&p.post.id).is_some());
    assert!(!format!("{platform:?}").contains(ALICE));
    let config = socialkit::registry::ChannelConfig {
        platform: "nostr".into(),
        settings: serde_json::json!({"secret_key": ALICE, "relays": [twin.url().as_str()]}),
    };
    let from_config = registry.from_config(&config).unwrap();
    assert_eq!(from_config.channel().await.unwrap().id.len(), 64);
    let bad = registry
        .from_url("nostr://nsec1notakey@relay.example")
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::ConfigInvalid);
    assert!(!bad.to_string().contains("nsec1notakey"));
}

#[tokio::test]
async fn nip11_limits_refuse_before_anything_is_sent() {
    use socialkit::adapters::nostr::twin::TwinOptions;
    let pow = Twin::start_with(TwinOptions {
        min_pow_difficulty: Some(20),
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let nostr = Nostr::new(pow.config(ALICE)).unwrap();
    let e = nostr.publish_text("no work done").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentRejected, "{e}");
    assert_eq!(pow.handle().received(), 0, "refused before sending");

    let few_tags = Twin::start_with(TwinOptions {
        max_event_tags: Some(2),
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let nostr = Nostr::new(few_tags.config(ALICE)).unwrap();
    let e = nostr.publish_text("#one #two #three").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    assert!(e.to_string().contains("max_event_tags"), "{e}");
    assert_eq!(few_tags.handle().received(), 0);
    assert!(nostr.publish_text("#one #two").await.is_ok());
}

#[tokio::test]
async fn the_interaction_cursor_misses_nothing_that_shares_a_second() {
    use socialkit::adapters::nostr::event::{Keys, UnsignedEvent};
    use socialkit::model::InteractionQuery;
    let twin = Twin::start().await.unwrap();
    let alice = Nostr::new(twin.config(ALICE)).unwrap();
    let bob = Keys::parse(&"22".repeat(32)).unwrap();
    let t = 1_800_000_000 - 10_000_000; // a fixed second in the past
    let mention = |n: u32| {
        bob.sign(UnsignedEvent::text_note(
            t,
            format!("mention {n}"),
            vec![vec!["p".into(), alice.public_key().into()]],
        ))
    };
    for n in 0..3 {
        twin.handle().insert(mention(n)).unwrap();
    }
    let mut q = InteractionQuery {
        limit: 2,
        ..InteractionQuery::default()
    };
    let mut seen: Vec<String> = Vec::new();
    let page = alice.interactions(&q).await.unwrap();
    seen.extend(page.items.iter().map(|i| i.reference.id.clone()));
    assert_eq!(seen.len(), 2);
    assert!(page.has_more);
    q.cursor = page.next_cursor;
    // More arrive in the very same second, whatever their ids.
    for n in 3..8 {
        twin.handle().insert(mention(n)).unwrap();
    }
    for _ in 0..10 {
        let page = alice.interactions(&q).await.unwrap();
        seen.extend(page.items.iter().map(|i| i.reference.id.clone()));
        q.cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "nothing twice");
    assert_eq!(seen.len(), 8, "nothing missed");
    // The cursor is resumable as a string (the inbox stores it).
    assert!(q.cursor.unwrap().starts_with(&t.to_string()));
}

#[tokio::test]
async fn a_wss_relay_is_reached_over_rustls_and_a_failed_handshake_is_an_error() {
    // A listener that accepts and hangs up: the TLS client (rustls, webpki roots) is built
    // and starts its handshake, which fails — an error, not a panic, and nothing was sent.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    let nostr =
        Nostr::new(NostrConfig::new(ALICE, [format!("wss://127.0.0.1:{port}")]).unwrap()).unwrap();
    let e = nostr.publish_text("over tls").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(nothing_sent(&e), "{e:?}");
}
