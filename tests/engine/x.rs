//! The engine replying on X (no idempotency key) through its twin on 127.0.0.1: after a crash
//! between the call and storing the result, the reply is found in the channel's recent posts
//! by its `replied_to` target and text, and not sent again.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use socialkit::adapters::x::X;
use socialkit::adapters::x::twin::Twin;
use socialkit::clock::ManualClock;
use socialkit::engine::{AfterPublish, Hooks};
use socialkit::model::{InteractionKind, InteractionQuery, Post};
use socialkit::platform::Platform;
use socialkit::store::{AttemptOutcome, Delivery, DeliveryState, MemoryStore, Store};
use socialkit::{Published, Result};

use crate::common::*;

/// Dies after the first platform call, before its result is stored.
#[derive(Debug)]
struct CrashOnce(AtomicUsize);

impl Hooks for CrashOnce {
    fn after_publish(&self, _: &Delivery, _: &Result<Published>) -> AfterPublish {
        if self.0.swap(0, Ordering::SeqCst) > 0 {
            AfterPublish::Crash
        } else {
            AfterPublish::Store
        }
    }
}

#[tokio::test]
async fn a_crashed_reply_on_x_is_reconciled_from_the_timeline_not_resent() {
    let twin = Twin::start().await.unwrap();
    let x: Arc<dyn Platform> = Arc::new(X::new(twin.config()));
    assert!(x.capabilities().replies_in_recent_posts);
    let h = twin.handle();
    let bob = h.add_user("bob");
    let mention_id = h.mention(&bob, "@me where is my parcel?");
    let page = x
        .interactions(&InteractionQuery::default().kinds([InteractionKind::Mention]))
        .await
        .unwrap();
    let to = page.items[0].reference.clone();

    let clock = ManualClock::new(chrono::Utc::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = engine(
        store.clone(),
        &clock,
        Some(Arc::new(CrashOnce(AtomicUsize::new(1)))),
    );
    let ws = workspace(&first).await;
    connect(&first, &ws, "x", x.clone()).await;
    let id = first
        .reply(
            &ws,
            OWNER,
            &"x".into(),
            to,
            Post::text("It ships today, sorry for the wait"),
        )
        .await
        .unwrap();
    assert_eq!(first.run_once().await.unwrap().abandoned, 1);
    drop(first);

    let second = engine(store, &clock, None);
    connect(&second, &ws, "x", x.clone()).await;
    second.recover().await.unwrap();
    let r = second.run_once().await.unwrap();
    assert_eq!(r.published, 1, "{r:?}");
    let d = second.delivery(&ws, &id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Published);
    let outcomes: Vec<AttemptOutcome> = second
        .store()
        .attempts(&ws, &id)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|a| a.outcome)
        .collect();
    assert!(
        matches!(outcomes.last(), Some(AttemptOutcome::Reconciled { .. })),
        "{outcomes:?}"
    );
    let replies: Vec<_> = h
        .tweets()
        .into_iter()
        .filter(|t| t.reply_to.as_deref() == Some(mention_id.as_str()))
        .collect();
    assert_eq!(replies.len(), 1, "exactly one reply on X");
    assert_eq!(replies[0].text, "It ships today, sorry for the wait");
}
