//! Mastodon search against the twin, in each way a server searches (Mastodon with and without
//! full-text search, snac): matching, hashtag timelines, paging, time and language filters,
//! replies to results, and the errors.
#![cfg(all(feature = "mastodon", feature = "testkit"))]

use std::collections::HashSet;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use socialkit::adapters::mastodon::twin::{Fault, Twin, TwinOptions, TwinSearch};
use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
use socialkit::http::{Client, HttpConfig, RetryPolicy};
use socialkit::model::{Interaction, InteractionKind, SearchQuery};
use socialkit::{ErrorKind, Platform, PlatformExt};

async fn twin(search: TwinSearch) -> (Twin, Mastodon, String) {
    let twin = Twin::start_with(TwinOptions {
        search,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let m = Mastodon::connect(twin.config()).await.unwrap();
    let bob = twin.handle().add_account("bob");
    (twin, m, bob)
}

async fn all(p: &Mastodon, q: SearchQuery) -> Vec<Interaction> {
    socialkit::testkit::search_all(p, q, 100).await.unwrap()
}

fn texts(found: &[Interaction]) -> Vec<&str> {
    found.iter().filter_map(|i| i.text.as_deref()).collect()
}

#[tokio::test]
async fn full_text_search_finds_every_term_and_maps_the_status() {
    let (twin, m, bob) = twin(TwinSearch::FullText).await;
    let h = twin.handle();
    h.post(&bob, "Our anvil broke again #acme");
    h.post(&bob, "Anvils are heavy #acme");
    h.post(&bob, "An anvil without the tag");
    h.post(&bob, "@acme my anvil arrived");
    let found = all(&m, SearchQuery::new("anvil #acme")).await;
    assert_eq!(texts(&found), ["Our anvil broke again #acme"]);
    let hit = &found[0];
    assert_eq!(hit.kind, InteractionKind::Post);
    assert!(
        hit.author.handle.starts_with("bob@"),
        "{}",
        hit.author.handle
    );
    assert_eq!(hit.language.as_deref(), Some("en"));
    assert_eq!(hit.conversation.as_deref(), Some(hit.reference.id.as_str()));
    assert!(hit.reference.post.as_ref().unwrap().url.is_some());
    // The server got one term; the adapter checked the hashtag.
    assert!(h.requests_to("GET", "/api/v2/search") >= 1);

    let mentions = all(&m, SearchQuery::new("@acme anvil")).await;
    assert_eq!(texts(&mentions), ["@acme my anvil arrived"]);
    assert!(all(&m, SearchQuery::new("anvil zzqx")).await.is_empty());

    // Replying to a result mentions its author and threads under it.
    let r = m.reply_text(&hit.reference, "Sorry! DM us.").await.unwrap();
    let reply = h.status(&r.post.id).unwrap();
    assert_eq!(
        reply.in_reply_to_id.as_deref(),
        Some(hit.reference.id.as_str())
    );
    assert!(reply.text.starts_with("@bob"), "{}", reply.text);
}

#[tokio::test]
async fn hashtag_queries_use_the_tag_timeline_and_page_by_max_id() {
    let (twin, m, bob) = twin(TwinSearch::Disabled).await;
    let h = twin.handle();
    for i in 0..7 {
        h.post(&bob, &format!("launch day {i} #Acme #launch"));
    }
    h.post(&bob, "only #acme here");
    // Without full-text search, words find nothing, hashtags still work.
    assert!(all(&m, SearchQuery::new("launch")).await.is_empty());
    let first = m
        .search(&SearchQuery::new("#acme #LAUNCH").limit(3))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 3);
    assert!(first.has_more);
    assert!(first.next_cursor.as_deref().unwrap().starts_with("tag:"));
    let found = all(&m, SearchQuery::new("#acme #launch").limit(3)).await;
    let expected: Vec<String> = (0..7)
        .rev()
        .map(|i| format!("launch day {i} #Acme #launch"))
        .collect();
    assert_eq!(texts(&found), expected);
    assert!(h.requests_to("GET", "/api/v1/timelines/tag/acme") >= 3);
    assert_eq!(h.requests_to("GET", "/api/v2/search"), 1);
}

#[tokio::test]
async fn offset_paging_time_range_and_language_are_applied() {
    let (twin, m, bob) = twin(TwinSearch::FullText).await;
    let h = twin.handle();
    let now = Utc::now();
    for (i, hours) in [50, 30, 20, 10, 2].iter().enumerate() {
        let lang = if i % 2 == 0 { Some("de") } else { Some("en") };
        h.post_with(
            &bob,
            &format!("parcel number {i}"),
            lang,
            "public",
            now - Duration::hours(*hours),
        );
    }
    h.post_with(&bob, "parcel unlisted", Some("en"), "unlisted", now);
    h.post_with(&bob, "parcel direct", Some("en"), "direct", now);
    let every = all(&m, SearchQuery::new("parcel").limit(2)).await;
    assert_eq!(
        texts(&every),
        [
            "parcel number 4",
            "parcel number 3",
            "parcel number 2",
            "parcel number 1",
            "parcel number 0"
        ]
    );
    let window = all(
        &m,
        SearchQuery::new("parcel")
            .since(now - Duration::hours(25))
            .until(now - Duration::hours(5))
            .limit(2),
    )
    .await;
    assert_eq!(texts(&window), ["parcel number 3", "parcel number 2"]);
    let german = all(&m, SearchQuery::new("parcel").language("de")).await;
    assert_eq!(
        texts(&german),
        ["parcel number 4", "parcel number 2", "parcel number 0"]
    );
    // A page that reaches before `since` is the last one: no request for older pages.
    h.reset_requests();
    let recent = m
        .search(
            &SearchQuery::new("parcel")
                .since(now - Duration::hours(15))
                .limit(3),
        )
        .await
        .unwrap();
    assert_eq!(texts(&recent.items), ["parcel number 4", "parcel number 3"]);
    assert!(!recent.has_more);
    let ids: HashSet<&str> = every.iter().map(|i| i.reference.id.as_str()).collect();
    assert_eq!(ids.len(), every.len());
}

#[tokio::test]
async fn snac_style_substring_search_is_made_to_mean_the_same() {
    let (twin, m, bob) = twin(TwinSearch::Substring).await;
    let h = twin.handle();
    m.publish_text("zebrafish arrived, thanks #acme")
        .await
        .unwrap();
    m.publish_text("zebrafishes are not zebrafish? #acme")
        .await
        .unwrap();
    m.publish_text("zebra crossing #acme").await.unwrap();
    h.post(&bob, "@acme the zebrafish is lovely");
    h.post(&bob, "zebrafish nobody tells acme about");
    // snac matches "zebra" inside "zebrafish"; the adapter keeps whole words only.
    let zebra = all(&m, SearchQuery::new("zebra").limit(1)).await;
    assert_eq!(texts(&zebra), ["zebra crossing #acme"]);
    // Two terms: snac would need them as one substring; the adapter sends one, checks both.
    let both = all(&m, SearchQuery::new("#acme zebrafish").limit(1)).await;
    assert_eq!(
        texts(&both),
        [
            "zebrafishes are not zebrafish? #acme",
            "zebrafish arrived, thanks #acme"
        ]
    );
    let mentioned = all(&m, SearchQuery::new("zebrafish @acme")).await;
    assert_eq!(texts(&mentioned), ["@acme the zebrafish is lovely"]);
    // snac ignores limit: one page holds every match, the next (offset > 0) is empty.
    let page = m
        .search(&SearchQuery::new("zebrafish").limit(1))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    assert!(page.has_more);
    let mut q = SearchQuery::new("zebrafish").limit(1);
    q.cursor = page.next_cursor;
    let next = m.search(&q).await.unwrap();
    assert!(next.items.is_empty() && !next.has_more);
}

#[tokio::test]
async fn bad_queries_fail_before_any_request_and_server_errors_are_typed() {
    let (twin, m, _) = twin(TwinSearch::FullText).await;
    let h = twin.handle();
    h.reset_requests();
    let now = Utc::now();
    for q in [
        SearchQuery::new(" "),
        SearchQuery::new("a").limit(0),
        SearchQuery::new("a")
            .since(now)
            .until(now - Duration::hours(1)),
        SearchQuery::new("word").cursor("tag:5"),
        SearchQuery::new("#tag").cursor("offset:5"),
        SearchQuery::new("word").cursor("nonsense"),
    ] {
        let e = m.search(&q).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{q:?}: {e}");
    }
    assert_eq!(h.requests(), 0);

    h.inject(
        Some("GET"),
        Some("/api/v2/search"),
        1,
        Fault::json(503, "busy"),
    );
    h.inject(
        Some("GET"),
        Some("/api/v2/search"),
        1,
        Fault::json(503, "busy"),
    );
    h.inject(
        Some("GET"),
        Some("/api/v2/search"),
        1,
        Fault::json(503, "busy"),
    );
    let e = m.search(&SearchQuery::new("x")).await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    h.clear_faults();
    h.inject(
        Some("GET"),
        Some("/api/v2/search"),
        1,
        Fault::RateLimited {
            reset_in: StdDuration::from_secs(60),
        },
    );
    let quick = Mastodon::with_client(
        twin.config(),
        Client::new({
            let mut c = HttpConfig::default();
            let mut r = RetryPolicy::default();
            r.max_attempts = 1;
            c.retry = r;
            c
        })
        .unwrap(),
    );
    let e = quick.search(&SearchQuery::new("x")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert!(e.retry_after().is_some());
    h.inject(Some("GET"), Some("/api/v2/search"), 1, Fault::MalformedJson);
    let e = quick.search(&SearchQuery::new("x")).await.unwrap_err();
    assert_ne!(e.kind(), ErrorKind::Validation, "{e}");

    let stranger =
        Mastodon::new(MastodonConfig::new(twin.url().as_str(), "wrong").unwrap()).unwrap();
    let e = stranger.search(&SearchQuery::new("x")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}");
    assert!(!e.to_string().contains("wrong"), "no token in errors");
}
