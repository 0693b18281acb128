//! Storing interactions that arrive by other means than [`Inbox::sync`].

use super::{Inbox, InboxEvent, InboxItem};
use crate::error::Result;
use crate::model::Interaction;

impl Inbox {
    /// Stores interactions read by other means than [`sync`](Inbox::sync) (a webhook, a
    /// stream) as items of channel `channel`: threaded, classified, deduplicated. Returns how
    /// many were new; the cursor of the channel is not touched.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Mention,
    ///     author: Author::default(), text: Some("hi".into()), created_at: chrono::Utc::now(),
    ///     post: None, conversation: None, language: None,
    /// };
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert_eq!(inbox.ingest("acme", vec![i.clone()]).await.unwrap(), 1);
    /// assert_eq!(inbox.ingest("acme", vec![i]).await.unwrap(), 0);
    /// # });
    /// ```
    pub async fn ingest(&self, channel: &str, interactions: Vec<Interaction>) -> Result<usize> {
        let now = self.clock.now();
        let items: Vec<InboxItem> = interactions
            .into_iter()
            .map(|i| self.prepare(channel, i, now))
            .collect();
        let new = self
            .store
            .commit_page(channel, &items, None, &self.sla)
            .await?;
        if new > 0 {
            let _ = self.events.send(InboxEvent::Ingested {
                channel: channel.to_string(),
                count: new,
            });
        }
        Ok(new)
    }
}
