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

mod instagram {
    use super::*;
    use socialkit::adapters::instagram::twin::{InstagramTwin, hashtag_id};
    use socialkit::adapters::instagram::{HASHTAGS_PER_WINDOW, Instagram};

    #[tokio::test]
    async fn hashtag_search_finds_the_last_day_without_usernames() {
        let twin = InstagramTwin::start().await.unwrap();
        let h = twin.handle();
        let ig = Instagram::new(twin.config()).unwrap();
        let older = h.public_post("bob", "Anvil day #Anvils", "IMAGE");
        h.set_created_at(&older, Utc::now() - Duration::hours(3));
        let newer = h.public_post("carol", "Heavy! #anvils #metal", "IMAGE");
        let stale = h.public_post("dave", "Last week #anvils", "IMAGE");
        h.set_created_at(&stale, Utc::now() - Duration::hours(30));
        h.public_post("erin", "no tag anvils", "IMAGE");

        let page = ig.search(&SearchQuery::new("#Anvils")).await.unwrap();
        let ids: Vec<&str> = page.items.iter().map(|i| i.reference.id.as_str()).collect();
        assert_eq!(ids, [newer.as_str(), older.as_str()]);
        let first = &page.items[0];
        assert_eq!(first.kind, InteractionKind::Post);
        assert_eq!(first.text.as_deref(), Some("Heavy! #anvils #metal"));
        // Instagram never tells who posted hashtag media.
        assert!(first.author.handle.is_empty());
        assert_eq!(h.requests_to("GET", "/ig_hashtag_search"), 1);
        assert_eq!(
            h.requests_to("GET", &format!("/{}/recent_media", hashtag_id("anvils"))),
            1
        );
        // The id is remembered: a second search asks recent_media only.
        ig.search(&SearchQuery::new("#anvils")).await.unwrap();
        assert_eq!(h.requests_to("GET", "/ig_hashtag_search"), 1);
        assert_eq!(h.hashtags_queried(), ["anvils"]);
        assert_eq!(ig.hashtags_left().await, HASHTAGS_PER_WINDOW - 1);

        // Found media cannot be commented on through the API.
        let e = ig
            .reply_text(&first.reference, "Nice anvil")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(e.to_string().contains("instagram"), "{e}");
    }

    #[tokio::test]
    async fn words_handles_and_several_hashtags_are_refused_before_sending() {
        let twin = InstagramTwin::start().await.unwrap();
        let h = twin.handle();
        let ig = Instagram::new(twin.config()).unwrap();
        assert!(!ig.capabilities().search.as_ref().unwrap().words);
        for (q, kind) in [
            ("anvil outage", ErrorKind::Unsupported),
            ("#anvils outage", ErrorKind::Unsupported),
            ("#anvils @bob", ErrorKind::Unsupported),
            ("#anvils #hammers", ErrorKind::Validation),
            ("#🔨", ErrorKind::Validation),
            ("", ErrorKind::Validation),
        ] {
            let e = ig.search(&SearchQuery::new(q)).await.unwrap_err();
            assert_eq!(e.kind(), kind, "{q}: {e}");
            assert!(e.to_string().contains("instagram"), "{q}: {e}");
        }
        assert!(h.requests().is_empty());
    }

    #[tokio::test]
    async fn pages_of_at_most_fifty_continue_with_after() {
        let twin = InstagramTwin::start().await.unwrap();
        let h = twin.handle();
        let ig = Instagram::new(twin.config()).unwrap();
        for i in 0..60 {
            h.public_post("bob", &format!("anvil {i} #anvils"), "IMAGE");
        }
        let first = ig
            .search(&SearchQuery::new("#anvils").limit(100))
            .await
            .unwrap();
        assert_eq!(first.items.len(), 50);
        assert!(first.has_more);
        let rest = ig
            .search(&SearchQuery::new("#anvils").cursor(first.next_cursor.clone().unwrap()))
            .await
            .unwrap();
        assert_eq!(rest.items.len(), 10);
        assert!(!rest.has_more);
    }

    #[tokio::test]
    async fn the_thirty_first_unique_hashtag_is_refused_before_sending() {
        let twin = InstagramTwin::start().await.unwrap();
        let h = twin.handle();
        let ig = Instagram::new(twin.config()).unwrap();
        for i in 0..30 {
            ig.search(&SearchQuery::new(format!("#tag{i}")))
                .await
                .unwrap();
        }
        assert_eq!(ig.hashtags_left().await, 0);
        h.reset_requests();
        let e = ig.search(&SearchQuery::new("#tag30")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.to_string().contains("30 unique hashtags"), "{e}");
        let wait = e.retry_after().unwrap() - Utc::now();
        assert!(wait > Duration::days(6) && wait <= Duration::days(7));
        assert!(h.requests().is_empty());
        // Hashtags already counted stay free.
        ig.search(&SearchQuery::new("#tag7")).await.unwrap();

        // A process that does not know the earlier queries by name asks Instagram, whose
        // refusal is mapped to the same kind.
        let fresh = Instagram::new(twin.config()).unwrap();
        // It learns the week's count from Instagram (`recently_searched_hashtags`).
        assert_eq!(fresh.hashtags_left().await, 0);
        let e = fresh.search(&SearchQuery::new("#tag31")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.to_string().contains("30 unique"), "{e}");
        assert_eq!(e.context().platform_code.as_deref(), Some("4"));
        assert!(!e.to_string().contains(&h.token()));
        // Its known hashtags are still free on the platform too.
        fresh.search(&SearchQuery::new("#tag3")).await.unwrap();
        assert_eq!(h.hashtags_queried().len(), 30);
    }

    #[tokio::test]
    async fn without_public_content_access_the_search_is_refused() {
        let mut options = InstagramTwin::options();
        options.public_search = false;
        let twin = InstagramTwin::start_with(options).await.unwrap();
        let ig = Instagram::new(twin.config()).unwrap();
        let e = ig.search(&SearchQuery::new("#anvils")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        // Nothing was counted locally for a refused lookup.
        assert_eq!(ig.hashtags_left().await, HASHTAGS_PER_WINDOW);
    }
}

/// Facebook Pages and LinkedIn have no public post search: `search` answers Unsupported,
/// naming the platform, and sends nothing.
#[tokio::test]
async fn facebook_and_linkedin_have_no_search() {
    use socialkit::adapters::facebook::Facebook;
    use socialkit::adapters::facebook::twin::FacebookTwin;
    use socialkit::adapters::linkedin::LinkedIn;
    use socialkit::adapters::linkedin::twin::Twin as LinkedInTwin;

    let fb_twin = FacebookTwin::start().await.unwrap();
    let fb = Facebook::new(fb_twin.config()).unwrap();
    let li_twin = LinkedInTwin::start().await.unwrap();
    let li = LinkedIn::with_client(li_twin.config(), socialkit::http::Client::default());
    let platforms: [(&dyn Platform, &str); 2] = [(&fb, "facebook"), (&li, "linkedin")];
    for (p, name) in platforms {
        assert!(p.capabilities().search.is_none(), "{name}");
        let e = p.search(&SearchQuery::new("#anvils")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{name}");
        assert_eq!(e.context().platform.as_deref(), Some(name));
        assert!(
            e.to_string()
                .contains(&format!("{name} does not support search")),
            "{e}"
        );
    }
    assert!(fb_twin.handle().requests().is_empty());
}
