//! Bluesky search (`app.bsky.feed.searchPosts`) against the twin, as Bluesky's AppView and as
//! the local dev AppView search: matching, paging, time and language filters, replies to
//! results, and the errors (a PDS without AppView included).
#![cfg(all(feature = "bluesky", feature = "testkit"))]

use std::collections::HashSet;

use chrono::{Duration, Utc};
use socialkit::adapters::bluesky::Bluesky;
use socialkit::adapters::bluesky::twin::{BlueskyTwin, Failure, TwinOptions, TwinSearch};
use socialkit::model::{Interaction, InteractionKind, SearchQuery};
use socialkit::{ErrorKind, Platform, PlatformExt};

async fn twin(search: TwinSearch) -> (BlueskyTwin, Bluesky) {
    let twin = BlueskyTwin::start_with(TwinOptions {
        search,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let alice = Bluesky::from_url(&twin.channel_url("alice.test").unwrap()).unwrap();
    (twin, alice)
}

async fn all(p: &Bluesky, q: SearchQuery) -> Vec<Interaction> {
    socialkit::testkit::search_all(p, q, 100).await.unwrap()
}

fn texts(found: &[Interaction]) -> Vec<&str> {
    found.iter().filter_map(|i| i.text.as_deref()).collect()
}

#[tokio::test]
async fn finds_every_term_maps_the_post_and_replies_to_it() {
    for mode in [TwinSearch::FullText, TwinSearch::Substring] {
        let (twin, alice) = twin(mode).await;
        twin.post("bob.test", "our anvil broke again #acme")
            .unwrap();
        twin.post("bob.test", "anvils are heavy #acme").unwrap();
        twin.post("bob.test", "an anvil without the tag").unwrap();
        twin.mention("bob.test", "alice.test", "my anvil arrived")
            .unwrap();
        let found = all(&alice, SearchQuery::new("anvil #acme")).await;
        assert_eq!(texts(&found), ["our anvil broke again #acme"], "{mode:?}");
        let hit = &found[0];
        assert_eq!(hit.kind, InteractionKind::Post);
        assert_eq!(hit.author.handle, "bob.test");
        assert!(hit.author.id.starts_with("did:plc:"));
        assert_eq!(hit.language.as_deref(), Some("en"));
        assert_eq!(hit.conversation.as_deref(), Some(hit.reference.id.as_str()));
        let post = hit.reference.post.as_ref().unwrap();
        assert!(post.meta("cid").is_some() && post.meta("root_uri").is_some());
        assert!(
            post.url
                .as_deref()
                .unwrap()
                .starts_with("https://bsky.app/profile/bob.test/post/")
        );

        let mentions = all(&alice, SearchQuery::new("@alice.test anvil")).await;
        assert_eq!(
            texts(&mentions),
            ["@alice.test my anvil arrived"],
            "{mode:?}"
        );
        assert!(all(&alice, SearchQuery::new("anvil zzqx")).await.is_empty());

        let r = alice
            .reply_text(&hit.reference, "Sorry to hear that!")
            .await
            .unwrap();
        let record = twin.record(&r.post.id).unwrap();
        assert_eq!(record["reply"]["parent"]["uri"], hit.reference.id.as_str());
        assert_eq!(record["reply"]["root"]["uri"], hit.reference.id.as_str());
    }
}

#[tokio::test]
async fn pages_newest_first_with_the_appview_cursor() {
    let (twin, alice) = twin(TwinSearch::FullText).await;
    let start = Utc::now() - Duration::hours(1);
    for i in 0..7 {
        twin.post_with(
            "bob.test",
            &format!("launch day {i} #launch"),
            Some("en"),
            start + Duration::minutes(i),
        )
        .unwrap();
    }
    let first = alice
        .search(&SearchQuery::new("#launch").limit(3))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 3);
    assert!(first.has_more && first.next_cursor.is_some());
    let found = all(&alice, SearchQuery::new("#launch").limit(3)).await;
    let expected: Vec<String> = (0..7)
        .rev()
        .map(|i| format!("launch day {i} #launch"))
        .collect();
    assert_eq!(texts(&found), expected);
    let ids: HashSet<&str> = found.iter().map(|i| i.reference.id.as_str()).collect();
    assert_eq!(ids.len(), 7);
    // A page larger than Bluesky allows is asked as 100, not refused.
    assert_eq!(
        all(&alice, SearchQuery::new("launch").limit(500))
            .await
            .len(),
        7
    );
}

#[tokio::test]
async fn time_range_and_language_hold_even_where_the_appview_ignores_them() {
    for mode in [TwinSearch::FullText, TwinSearch::Substring] {
        let (twin, alice) = twin(mode).await;
        let now = Utc::now();
        for (i, hours) in [50i64, 30, 20, 10, 2].iter().enumerate() {
            let lang = if i % 2 == 0 { "de" } else { "en" };
            twin.post_with(
                "bob.test",
                &format!("parcel number {i}"),
                Some(lang),
                now - Duration::hours(*hours),
            )
            .unwrap();
        }
        let window = all(
            &alice,
            SearchQuery::new("parcel")
                .since(now - Duration::hours(25))
                .until(now - Duration::hours(5))
                .limit(2),
        )
        .await;
        assert_eq!(
            texts(&window),
            ["parcel number 3", "parcel number 2"],
            "{mode:?}"
        );
        let german = all(&alice, SearchQuery::new("parcel").language("de")).await;
        assert_eq!(
            texts(&german),
            ["parcel number 4", "parcel number 2", "parcel number 0"],
            "{mode:?}"
        );
    }
}

#[tokio::test]
async fn errors_are_typed_and_bad_queries_send_nothing() {
    let (twin, alice) = twin(TwinSearch::FullText).await;
    let now = Utc::now();
    for q in [
        SearchQuery::new(""),
        SearchQuery::new("x").limit(0),
        SearchQuery::new("x")
            .since(now)
            .until(now - Duration::hours(1)),
        SearchQuery::new("x").cursor(" "),
    ] {
        let e = alice.search(&q).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{q:?}: {e}");
    }
    assert_eq!(twin.stats().calls("app.bsky.feed.searchPosts"), 0);
    twin.inject("app.bsky.feed.searchPosts", Failure::Status(503));
    twin.inject("app.bsky.feed.searchPosts", Failure::Status(503));
    twin.inject("app.bsky.feed.searchPosts", Failure::Status(503));
    let e = alice.search(&SearchQuery::new("x")).await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    let e = alice
        .search(&SearchQuery::new("x").cursor("garbage"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "the AppView's 400: {e}");

    let bare = BlueskyTwin::start_with(TwinOptions {
        appview: false,
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let alice = Bluesky::from_url(&bare.channel_url("alice.test").unwrap()).unwrap();
    let e = alice.search(&SearchQuery::new("x")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.to_string().contains("search"), "{e}");
}
