//! Tests of the sandbox's search: matching, the world-wide corpus, chatter, paging, filters,
//! replies to results, validation and determinism.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::ErrorKind;
use crate::PlatformExt;

fn start() -> DateTime<Utc> {
    "2026-03-03T09:00:00Z".parse().unwrap()
}

fn world() -> (SandboxWorld, Arc<Sandbox>, Arc<Sandbox>) {
    let world = SandboxWorld::simulated(start());
    let acme = world
        .channel("acme", SandboxConfig::default().with_seed(42))
        .unwrap();
    let globex = world
        .channel("globex", SandboxConfig::default().with_seed(7))
        .unwrap();
    (world, acme, globex)
}

async fn all(p: &Sandbox, q: SearchQuery) -> Vec<Interaction> {
    let mut out = Vec::new();
    let mut q = q;
    for _ in 0..10_000 {
        let page = p.search(&q).await.unwrap();
        out.extend(page.items);
        if !page.has_more {
            return out;
        }
        q.cursor = page.next_cursor;
    }
    panic!("paging did not end");
}

#[tokio::test]
async fn finds_whole_words_hashtags_and_handles_case_insensitively() {
    let (world, acme, globex) = world();
    let mine = acme
        .publish_text("Our ANVIL sale starts now #AnvilWeek")
        .await
        .unwrap();
    globex
        .publish_text("Rival anvils? Ours are better, @acme. #anvilweek")
        .await
        .unwrap();
    world.advance(Duration::minutes(5)).unwrap();

    let found = all(&acme, SearchQuery::new("anvil")).await;
    assert_eq!(found.len(), 1, "'anvils' is another word: {found:?}");
    let hit = &found[0];
    assert_eq!(hit.kind, InteractionKind::Post);
    assert_eq!(hit.author.handle, "acme");
    assert_eq!(
        hit.text.as_deref(),
        Some("Our ANVIL sale starts now #AnvilWeek")
    );
    assert_eq!(hit.reference.post.as_ref().unwrap().id, mine.post.id);

    let tagged = all(&acme, SearchQuery::new("#ANVILWEEK")).await;
    let authors: HashSet<&str> = tagged.iter().map(|i| i.author.handle.as_str()).collect();
    assert!(
        authors.contains("acme") && authors.contains("globex"),
        "{authors:?}"
    );

    let both = all(&acme, SearchQuery::new("@ACME #anvilweek better")).await;
    assert_eq!(both.len(), 1);
    assert_eq!(both[0].author.handle, "globex");
    // A word also matches inside a hashtag (as listening queries do); a hashtag only a hashtag.
    assert_eq!(all(&acme, SearchQuery::new("anvilweek")).await.len(), 2);
    assert!(all(&acme, SearchQuery::new("#anvil")).await.is_empty());
    assert!(
        all(&acme, SearchQuery::new("anvil zzqx-not-there"))
            .await
            .is_empty(),
        "every term is required"
    );
}

#[tokio::test]
async fn private_deleted_and_direct_content_is_not_found() {
    let (world, acme, _) = world();
    let gone = acme.publish_text("secretword one").await.unwrap();
    acme.delete(&gone.post).await.unwrap();
    for v in [
        Visibility::Unlisted,
        Visibility::Followers,
        Visibility::Direct,
    ] {
        acme.publish(
            &Post {
                visibility: v,
                ..Post::text("secretword two")
            },
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    }
    acme.receive(
        IncomingInteraction::new(InteractionKind::DirectMessage).text("secretword in a DM"),
    )
    .unwrap();
    world.advance(Duration::minutes(1)).unwrap();
    assert!(all(&acme, SearchQuery::new("secretword")).await.is_empty());
}

#[tokio::test]
async fn the_audience_and_its_chatter_are_found_and_name_the_brand() {
    let (world, acme, _) = world();
    acme.publish_text("Which colour should the next anvil have?")
        .await
        .unwrap();
    world.advance(Duration::days(3)).unwrap();
    let about = all(&acme, SearchQuery::new("#acme")).await;
    assert!(about.len() >= 3, "only {} posts use #acme", about.len());
    let chatter: Vec<&Interaction> = about
        .iter()
        .filter(|i| i.reference.id.starts_with("acme/c"))
        .collect();
    assert!(!chatter.is_empty());
    for c in &chatter {
        assert_ne!(c.author.handle, "acme");
        assert!(c.language.is_some() && c.reference.meta.contains_key("mood"));
        assert!(c.created_at <= world.now());
    }
    // Replies from the audience are public posts too.
    let received = all(&acme, SearchQuery::new("@acme")).await;
    assert!(
        received
            .iter()
            .any(|i| i.reference.id.starts_with("acme/r"))
    );
    // Newest first, no repeats.
    let times: Vec<_> = about.iter().map(|i| i.created_at).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    let ids: HashSet<&str> = about.iter().map(|i| i.reference.id.as_str()).collect();
    assert_eq!(ids.len(), about.len());
}

#[tokio::test]
async fn paging_is_newest_first_and_stable_while_new_posts_arrive() {
    let (world, acme, _) = world();
    for i in 0..12 {
        acme.publish_text(&format!("pagingword number {i}"))
            .await
            .unwrap();
        world.advance(Duration::minutes(1)).unwrap();
    }
    let first = acme
        .search(&SearchQuery::new("pagingword").limit(5))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 5);
    assert!(first.has_more);
    assert_eq!(first.items[0].text.as_deref(), Some("pagingword number 11"));
    // A newer post arrives between pages: the next page continues where the first stopped.
    acme.publish_text("pagingword number 12").await.unwrap();
    let mut q = SearchQuery::new("pagingword").limit(5);
    q.cursor = first.next_cursor.clone();
    let second = acme.search(&q).await.unwrap();
    assert_eq!(second.items[0].text.as_deref(), Some("pagingword number 6"));
    let rest = all(&acme, q).await;
    let texts: Vec<String> = first
        .items
        .iter()
        .chain(&rest)
        .map(|i| i.text.clone().unwrap())
        .collect();
    let expected: Vec<String> = (0..12)
        .rev()
        .map(|i| format!("pagingword number {i}"))
        .collect();
    assert_eq!(texts, expected);
    let last = acme
        .search(&SearchQuery::new("pagingword").limit(100))
        .await
        .unwrap();
    assert_eq!(last.items.len(), 13);
    assert!(!last.has_more);
}

#[tokio::test]
async fn since_until_and_language_filter() {
    let (world, acme, _) = world();
    acme.publish(
        &Post::text("filterword early").with_language("en"),
        &PublishOptions::default(),
    )
    .await
    .unwrap();
    world.advance(Duration::hours(2)).unwrap();
    let middle = world.now();
    acme.publish(
        &Post::text("filterword später").with_language("de"),
        &PublishOptions::default(),
    )
    .await
    .unwrap();
    world.advance(Duration::hours(2)).unwrap();
    acme.publish_text("filterword unknown language")
        .await
        .unwrap();

    let since = all(&acme, SearchQuery::new("filterword").since(middle)).await;
    assert_eq!(since.len(), 2);
    let until = all(&acme, SearchQuery::new("filterword").until(middle)).await;
    assert_eq!(until.len(), 1);
    assert_eq!(until[0].text.as_deref(), Some("filterword early"));
    let german = all(&acme, SearchQuery::new("filterword").language("de-AT")).await;
    let texts: Vec<&str> = german.iter().filter_map(|i| i.text.as_deref()).collect();
    assert_eq!(texts, ["filterword unknown language", "filterword später"]);
}

#[tokio::test]
async fn replies_to_results_reach_their_targets() {
    let (world, acme, globex) = world();
    globex
        .publish_text("Has anyone tried #acme anvils?")
        .await
        .unwrap();
    world.advance(Duration::days(2)).unwrap();
    let found = all(&acme, SearchQuery::new("#acme")).await;
    let theirs = found.iter().find(|i| i.author.handle == "globex").unwrap();
    let r = acme
        .reply_text(&theirs.reference, "Yes, they are great.")
        .await
        .unwrap();
    assert_eq!(
        acme.inspect(&r.post).unwrap().reply_to.as_deref(),
        Some("globex/1")
    );
    let chatter = found
        .iter()
        .find(|i| i.reference.id.starts_with("acme/c"))
        .unwrap();
    let r = acme
        .reply_text(&chatter.reference, "Thanks for the mention!")
        .await
        .unwrap();
    assert_eq!(
        acme.inspect(&r.post).unwrap().reply_to.as_deref(),
        Some(chatter.reference.id.as_str())
    );
    for bad in ["globex/99", "acme/c0.999", "nobody/1", "acme/r0", "acme/x"] {
        let e = acme
            .reply_text(&InteractionRef::new("sandbox", bad), "hello")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{bad}: {e}");
    }
}

#[tokio::test]
async fn bad_queries_are_refused_before_anything_is_read() {
    let (_, acme, _) = world();
    let cases = [
        SearchQuery::new("   "),
        SearchQuery::new("acme").limit(0),
        SearchQuery::new("acme").cursor("not-a-cursor"),
        SearchQuery::new("acme")
            .since(start())
            .until(start() - Duration::hours(1)),
    ];
    for q in cases {
        let e = acme.search(&q).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{q:?}: {e}");
    }
    assert_eq!(acme.faults().calls(Call::Search), 0);
    let bare = SandboxWorld::simulated(start())
        .channel("bare", SandboxConfig::default().without(Operation::Search))
        .unwrap();
    assert!(bare.capabilities().search.is_none());
    let e = bare.search(&SearchQuery::new("x")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("search"));
}

#[tokio::test]
async fn faults_apply_to_search() {
    let (_, acme, _) = world();
    acme.faults().inject(
        Fault::RateLimited {
            retry_after_secs: 30,
        },
        Trigger::next(Call::Search, 1),
    );
    let e = acme.search(&SearchQuery::new("acme")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(acme.search(&SearchQuery::new("acme")).await.is_ok());
    assert_eq!(acme.faults().calls(Call::Search), 2);
}

#[tokio::test]
async fn the_same_world_gives_the_same_results() {
    async fn run() -> Vec<Interaction> {
        let (world, acme, globex) = world();
        acme.publish_text("Launch day! #acme").await.unwrap();
        world.advance(Duration::hours(30)).unwrap();
        globex.publish_text("congrats @acme").await.unwrap();
        world.advance(Duration::days(4)).unwrap();
        let mut out = all(&acme, SearchQuery::new("acme").limit(7)).await;
        out.extend(all(&globex, SearchQuery::new("#acme").limit(3)).await);
        out
    }
    let a = run().await;
    assert!(a.len() > 5, "{}", a.len());
    assert_eq!(a, run().await);
}
