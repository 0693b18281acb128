//! Search on the Meta adapters and LinkedIn against their twins: Threads keyword and topic-tag
//! search (modes, time window, paging, quota, permission), Instagram hashtag search (hashtags
//! only, the 24-hour window, no usernames, the 30-hashtags-per-7-days quota counted locally and
//! mapped from the platform), and Facebook Pages and LinkedIn answering Unsupported.
#![cfg(all(
    feature = "threads",
    feature = "instagram",
    feature = "facebook",
    feature = "linkedin",
    feature = "testkit"
))]

use chrono::{Duration, Utc};
use socialkit::adapters::threads::Threads;
use socialkit::adapters::threads::twin::ThreadsTwin;
use socialkit::model::{InteractionKind, SearchQuery};
use socialkit::{ErrorKind, Platform, PlatformExt};

#[tokio::test]
async fn threads_keyword_search_finds_public_posts_newest_first() {
    let twin = ThreadsTwin::start().await.unwrap();
    let h = twin.handle();
    let threads = Threads::new(twin.config()).unwrap();
    let old = h.public_post("bob", "The anvil outage is over", "TEXT_POST");
    h.set_created_at(&old, Utc::now() - Duration::hours(5));
    let new = h.public_post("carol", "Another ANVIL outage today?", "TEXT_POST");
    h.public_post("dave", "Anvils are great", "TEXT_POST");

    let page = threads
        .search(&SearchQuery::new("anvil outage"))
        .await
        .unwrap();
    let ids: Vec<&str> = page.items.iter().map(|i| i.reference.id.as_str()).collect();
    assert_eq!(ids, [new.as_str(), old.as_str()]);
    let first = &page.items[0];
    assert_eq!(first.kind, InteractionKind::Post);
    assert_eq!(first.author.handle, "carol");
    assert_eq!(
        first.author.url.as_deref(),
        Some("https://www.threads.net/@carol")
    );
    assert_eq!(first.text.as_deref(), Some("Another ANVIL outage today?"));
    assert!(first.reference.post.as_ref().unwrap().url.is_some());
    let sent = h
        .requests()
        .into_iter()
        .find(|(_, p)| p.contains("keyword_search"))
        .unwrap();
    assert_eq!(sent.0, "GET");
    assert_eq!(h.keyword_queries(), 1);

    // The window goes to Threads (`since` as Unix seconds).
    let recent = threads
        .search(&SearchQuery::new("anvil outage").since(Utc::now() - Duration::hours(1)))
        .await
        .unwrap();
    assert_eq!(recent.items.len(), 1);
    assert_eq!(recent.items[0].reference.id, new);
}

#[tokio::test]
async fn threads_one_hashtag_is_a_topic_tag_search_and_pages_continue() {
    let twin = ThreadsTwin::start().await.unwrap();
    let h = twin.handle();
    let threads = Threads::new(twin.config()).unwrap();
    for i in 0..5 {
        h.public_post("bob", &format!("post {i} #Anvils"), "TEXT_POST");
    }
    h.public_post("bob", "anvils without the tag", "TEXT_POST");
    let first = threads
        .search(&SearchQuery::new("#anvils").limit(3))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 3);
    assert!(first.has_more);
    let rest = threads
        .search(
            &SearchQuery::new("#anvils")
                .limit(3)
                .cursor(first.next_cursor.clone().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 2);
    assert!(!rest.has_more);
    let mut all: Vec<String> = first
        .items
        .iter()
        .chain(&rest.items)
        .map(|i| i.reference.id.clone())
        .collect();
    all.dedup();
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn threads_found_posts_can_be_replied_to() {
    let twin = ThreadsTwin::start().await.unwrap();
    let h = twin.handle();
    let threads = Threads::new(twin.config()).unwrap();
    let theirs = h.public_post("bob", "Where can I buy an anvil?", "TEXT_POST");
    let page = threads.search(&SearchQuery::new("anvil")).await.unwrap();
    let found = &page.items[0];
    let published = threads
        .reply_text(&found.reference, "Right here!")
        .await
        .unwrap();
    let node = h.node(&published.post.id).unwrap();
    assert_eq!(node.parent.as_deref(), Some(theirs.as_str()));
}

#[tokio::test]
async fn threads_search_quota_and_bad_queries() {
    let twin = ThreadsTwin::start().await.unwrap();
    let h = twin.handle();
    let threads = Threads::new(twin.config()).unwrap();
    h.public_post("bob", "anvil", "TEXT_POST");
    // Nothing is sent for an empty query or an empty window.
    let e = threads.search(&SearchQuery::new("   ")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let t = Utc::now();
    let e = threads
        .search(&SearchQuery::new("anvil").since(t).until(t))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(h.requests().len(), 0);
    // A query that finds nothing does not count.
    threads.search(&SearchQuery::new("hammer")).await.unwrap();
    assert_eq!(h.keyword_queries(), 0);
    // The 2,201st query of the day is refused by Threads.
    h.use_keyword_queries(2200);
    let e = threads
        .search(&SearchQuery::new("anvil"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.to_string().contains("2,200"), "{e}");
    assert!(!e.to_string().contains(&h.token()));
}

#[tokio::test]
async fn threads_without_approval_searches_only_own_posts() {
    let mut options = ThreadsTwin::options();
    options.public_search = false;
    let twin = ThreadsTwin::start_with(options).await.unwrap();
    let h = twin.handle();
    let threads = Threads::new(twin.config()).unwrap();
    h.public_post("bob", "an anvil of bob's", "TEXT_POST");
    let mine = threads.publish_text("our anvil").await.unwrap();
    let page = threads.search(&SearchQuery::new("anvil")).await.unwrap();
    let ids: Vec<&str> = page.items.iter().map(|i| i.reference.id.as_str()).collect();
    assert_eq!(ids, [mine.post.id.as_str()]);
}
