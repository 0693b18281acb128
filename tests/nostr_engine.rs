//! The engine publishing on Nostr through the twin relay when the relay's `OK` is lost (the
//! relay stored the note, the client never heard) and when the worker dies after the send:
//! the note is on the relay exactly once, and the delivery is Published with its id.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use socialkit::adapters::nostr::Nostr;
use socialkit::adapters::nostr::twin::{Fault, Twin};
use socialkit::clock::ManualClock;
use socialkit::engine::{AfterPublish, Engine, EngineConfig, Hooks};
use socialkit::model::{Post, Published};
use socialkit::platform::Platform;
use socialkit::store::{ChannelRecord, Delivery, DeliveryState, MemoryStore, Store};

const OWNER: &str = "olga";
const ALICE: &str = "1111111111111111111111111111111111111111111111111111111111111111";

/// Dies after the first platform call, before its result is stored.
#[derive(Debug)]
struct CrashOnce(AtomicUsize);

impl Hooks for CrashOnce {
    fn after_publish(&self, _: &Delivery, _: &socialkit::Result<Published>) -> AfterPublish {
        if self.0.swap(0, Ordering::SeqCst) > 0 {
            AfterPublish::Crash
        } else {
            AfterPublish::Store
        }
    }
}

fn engine(store: Arc<dyn Store>, clock: &ManualClock, crash: bool) -> Engine {
    let mut b = Engine::builder(store)
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            seed: Some(7),
            ..EngineConfig::default()
        });
    if crash {
        b = b.hooks(Arc::new(CrashOnce(AtomicUsize::new(1))));
    }
    b.build()
}

async fn publish_through(twin: &Twin, text: &str, crash: bool) -> Delivery {
    let platform: Arc<dyn Platform> = Arc::new(Nostr::new(twin.config(ALICE)).unwrap());
    let clock = ManualClock::new(Utc::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let record = || ChannelRecord::new("notes", "nostr");
    let first = engine(store.clone(), &clock, crash);
    let ws = first.create_workspace("acme", "ACME", OWNER).await.unwrap();
    first
        .connect(&ws, OWNER, record(), platform.clone())
        .await
        .unwrap();
    let sub = first
        .submit(&ws, OWNER, Post::text(text), &["notes".into()])
        .await
        .unwrap();
    let second = if crash {
        assert_eq!(first.run_once().await.unwrap().abandoned, 1);
        drop(first);
        let second = engine(store, &clock, false);
        second
            .connect(&ws, OWNER, record(), platform)
            .await
            .unwrap();
        second.recover().await.unwrap();
        second
    } else {
        first
    };
    second.run_simulated(&clock, 20).await.unwrap();
    second.delivery(&ws, &sub.deliveries[0].id).await.unwrap()
}

fn notes(twin: &Twin, text: &str) -> Vec<socialkit::adapters::nostr::event::Event> {
    let alice = Nostr::new(twin.config(ALICE)).unwrap();
    twin.handle()
        .by(alice.public_key(), 1)
        .into_iter()
        .filter(|e| e.content == text)
        .collect()
}

#[tokio::test]
async fn a_lost_ok_leaves_one_note_and_a_published_delivery() {
    let twin = Twin::start().await.unwrap();
    twin.handle().fault(Fault::LoseOk);
    let text = "Relay maintenance tonight";
    let d = publish_through(&twin, text, false).await;
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    let stored = notes(&twin, text);
    assert_eq!(stored.len(), 1, "exactly one note on the relay");
    assert_eq!(d.result.unwrap().post.id, stored[0].id);
}

#[tokio::test]
async fn a_crash_after_the_send_leaves_one_note() {
    let twin = Twin::start().await.unwrap();
    let text = "Crash-proof note";
    let d = publish_through(&twin, text, true).await;
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    let stored = notes(&twin, text);
    assert_eq!(stored.len(), 1, "exactly one note on the relay");
    assert_eq!(d.result.unwrap().post.id, stored[0].id);
}

#[tokio::test]
async fn a_relay_that_hangs_up_leaves_one_note_after_the_retry() {
    let twin = Twin::start().await.unwrap();
    // The connection closes before the relay stores anything: in doubt for the client; the
    // engine looks, finds nothing and sends again — the same event.
    twin.handle().fault(Fault::Hangup);
    let text = "Second try lands";
    let d = publish_through(&twin, text, false).await;
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    assert_eq!(notes(&twin, text).len(), 1);
    assert!(twin.handle().received() >= 2, "it was sent again");
}

#[tokio::test]
async fn a_reply_whose_ok_is_lost_is_on_the_relay_once() {
    use socialkit::adapters::nostr::event::{Keys, UnsignedEvent};
    use socialkit::model::InteractionQuery;
    let twin = Twin::start().await.unwrap();
    let alice = Arc::new(Nostr::new(twin.config(ALICE)).unwrap());
    // Bob mentions alice; the inbox read gives the interaction to answer.
    let bob = Keys::parse(&"22".repeat(32)).unwrap();
    let now = u64::try_from(Utc::now().timestamp()).unwrap();
    let mention = bob.sign(UnsignedEvent::text_note(
        now - 60,
        "hey, is the relay down?".to_string(),
        vec![vec!["p".into(), alice.public_key().into()]],
    ));
    twin.handle().insert(mention.clone()).unwrap();
    let page = alice
        .interactions(&InteractionQuery::default())
        .await
        .unwrap();
    let to = page.items[0].reference.clone();

    let clock = ManualClock::new(Utc::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let engine = engine(store, &clock, false);
    let ws = engine
        .create_workspace("acme", "ACME", OWNER)
        .await
        .unwrap();
    engine
        .connect(
            &ws,
            OWNER,
            ChannelRecord::new("notes", "nostr"),
            alice.clone(),
        )
        .await
        .unwrap();
    twin.handle().fault(Fault::LoseOk);
    let id = engine
        .reply(
            &ws,
            OWNER,
            &"notes".into(),
            to,
            Post::text("Back up now, sorry!"),
        )
        .await
        .unwrap();
    engine.run_simulated(&clock, 20).await.unwrap();
    let d = engine.delivery(&ws, &id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published, "{d:?}");
    let replies = notes(&twin, "Back up now, sorry!");
    assert_eq!(replies.len(), 1, "exactly one reply on the relay");
    assert_eq!(replies[0].reply_parent(), Some(mention.id.as_str()));
    assert!(
        replies[0]
            .tags
            .contains(&vec!["p".to_string(), bob.public_hex().to_string()])
    );
    assert!(replies[0].created_at > mention.created_at);
}
