//! The engine replying on X (no idempotency key) through its twin on 127.0.0.1: after a crash
//! between the call and storing the result, the reply is found in the channel's recent posts
//! by its `replied_to` target and text, and not sent again.

use std::sync::Arc;

use socialkit::adapters::x::X;
use socialkit::adapters::x::twin::Twin;
use socialkit::model::{InteractionKind, InteractionQuery};
use socialkit::platform::Platform;
use socialkit::store::{AttemptOutcome, DeliveryState};

use crate::common::*;

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
    let text = "It ships today, sorry for the wait";
    let (state, outcomes) = reply_through_a_crash(x, to, text).await;
    assert_eq!(state, DeliveryState::Published);
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
    assert_eq!(replies[0].text, text);
}
