//! Recent search against the twin: finding a fresh post, paging backwards, time bounds, the
//! language filter and X's errors.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{Duration, Utc};
use socialkit::adapters::x::X;
use socialkit::adapters::x::twin::{Twin, XFault};
use socialkit::clock::ManualClock;
use socialkit::http::Client;
use socialkit::model::{InteractionKind, SearchQuery};
use socialkit::{ErrorKind, Platform, PlatformExt};

use super::manual_client;

async fn setup() -> (Twin, X) {
    let twin = Twin::start().await.unwrap();
    let x = X::with_client(twin.config(), manual_client().0);
    (twin, x)
}

fn searches(twin: &Twin) -> usize {
    twin.handle()
        .requests()
        .count_to("GET", "/2/tweets/search/recent")
}

#[tokio::test]
async fn a_published_post_is_found_by_a_unique_token() {
    let (twin, x) = setup().await;
    let token = format!("sk{}", Utc::now().timestamp_nanos_opt().unwrap());
    let published = x
        .publish_text(&format!("Launch day {token} is here"))
        .await
        .unwrap();
    let bob = twin.handle().add_user("bob");
    twin.handle().post(&bob, "nothing to see");
    let page = x.search(&SearchQuery::new(token.clone())).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(!page.has_more && page.next_cursor.is_none());
    let hit = &page.items[0];
    assert_eq!(hit.kind, InteractionKind::Post);
    assert_eq!(hit.reference.id, published.post.id);
    assert_eq!(hit.author.handle, "acme");
    assert_eq!(hit.language.as_deref(), Some("en"));
    assert_eq!(
        hit.post.as_ref().unwrap().url.as_deref(),
        Some(format!("https://x.com/acme/status/{}", published.post.id).as_str())
    );
    // What X received: operators and fields as documented.
    let seen = twin.handle().requests().all();
    let q = seen
        .iter()
        .rev()
        .find(|s| s.path == "/2/tweets/search/recent")
        .and_then(|s| s.query.clone())
        .unwrap();
    let params: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("query"), Some(format!("{token} -is:retweet").as_str()));
    assert_eq!(get("max_results"), Some("25"));
    assert_eq!(get("expansions"), Some("author_id"));
    assert_eq!(
        get("tweet.fields"),
        Some("created_at,lang,conversation_id,author_id,public_metrics")
    );
    assert_eq!(get("user.fields"), Some("username,name,public_metrics"));
}

#[tokio::test]
async fn pages_run_newest_first_and_continue_with_older_posts() {
    let (twin, x) = setup().await;
    let h = twin.handle();
    let bob = h.add_user("bob");
    let ids: Vec<String> = (0..25)
        .map(|i| h.post(&bob, &format!("the #AcmeLaunch went well, part {i}")))
        .collect();
    h.post(&bob, "#OtherLaunch part 99");
    let mut seen: Vec<String> = Vec::new();
    let mut q = SearchQuery::new("#acmelaunch").limit(10);
    let mut pages = 0;
    loop {
        let page = x.search(&q).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 10);
        seen.extend(page.items.iter().map(|i| i.reference.id.clone()));
        match page.next_cursor {
            Some(c) => {
                assert!(page.has_more);
                q = q.cursor(c);
            }
            None => {
                assert!(!page.has_more);
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(seen, expected, "every post once, newest first");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);
    // A page size below X's minimum of 10 is raised to 10, above 100 lowered to 100.
    let page = x
        .search(&SearchQuery::new("#acmelaunch").limit(1))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 10);
    let page = x
        .search(&SearchQuery::new("#acmelaunch").limit(1000))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 25);
}

#[tokio::test]
async fn time_bounds_and_the_seven_day_window() {
    let (twin, x) = setup().await;
    let h = twin.handle();
    let bob = h.add_user("bob");
    let now = Utc::now();
    let old = h.post(&bob, "outage report early");
    h.set_created_at(&old, now - Duration::days(3));
    let ancient = h.post(&bob, "outage report ancient");
    h.set_created_at(&ancient, now - Duration::days(9));
    let fresh = h.post(&bob, "outage report fresh");
    let ids = |p: &socialkit::model::Page<socialkit::model::Interaction>| {
        p.items
            .iter()
            .map(|i| i.reference.id.clone())
            .collect::<Vec<_>>()
    };
    // Everything X still has: not the 9-day-old post.
    let all = x.search(&SearchQuery::new("outage")).await.unwrap();
    assert_eq!(ids(&all), [fresh.clone(), old.clone()]);
    let recent = x
        .search(&SearchQuery::new("outage").since(now - Duration::days(1)))
        .await
        .unwrap();
    assert_eq!(ids(&recent), std::slice::from_ref(&fresh));
    let before = x
        .search(&SearchQuery::new("outage").until(now - Duration::days(2)))
        .await
        .unwrap();
    assert_eq!(ids(&before), std::slice::from_ref(&old));
    // A since older than the window is moved into it (X would refuse it).
    let wide = x
        .search(&SearchQuery::new("outage").since(now - Duration::days(30)))
        .await
        .unwrap();
    assert_eq!(ids(&wide), [fresh, old]);
    // A range wholly before the window: nothing, and no request.
    let n = searches(&twin);
    let gone = x
        .search(
            &SearchQuery::new("outage")
                .since(now - Duration::days(20))
                .until(now - Duration::days(8)),
        )
        .await
        .unwrap();
    assert!(gone.items.is_empty() && !gone.has_more);
    assert_eq!(searches(&twin), n);
    // until before since: a validation error, no request.
    let e = x
        .search(
            &SearchQuery::new("outage")
                .since(now - Duration::days(1))
                .until(now - Duration::days(2)),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(searches(&twin), n);
}

#[tokio::test]
async fn a_start_time_before_the_window_is_xs_400() {
    // A client whose clock runs a day behind X's computes a start_time 8 days back.
    let twin = Twin::start().await.unwrap();
    let clock = ManualClock::new(Utc::now() - Duration::days(1));
    let x = X::with_client(twin.config(), Client::default().with_clock(Arc::new(clock)));
    let e = x
        .search(&SearchQuery::new("outage").since(Utc::now() - Duration::days(30)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    assert_eq!(e.context().http_status, Some(400));
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("invalid-request")
    );
    // The twin's body is X's.
    let url = twin
        .url()
        .join("2/tweets/search/recent?query=outage&start_time=2020-01-01T00:00:00Z")
        .unwrap();
    let r = reqwest::Client::new()
        .get(url)
        .bearer_auth(twin.handle().access_token())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["title"], "Invalid Request");
    assert_eq!(
        body["detail"],
        "One or more parameters to your request was invalid."
    );
    assert_eq!(body["type"], "https://api.x.com/2/problems/invalid-request");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "Invalid 'start_time':'2020-01-01T00:00Z'. 'start_time' must be on or after "
        ),
        "{message}"
    );
    assert_eq!(
        body["errors"][0]["parameters"]["start_time"][0],
        "2020-01-01T00:00:00Z"
    );
    // end_time within 10 seconds of now, max_results out of range: 400s as well.
    let end = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for q in [
        format!("query=outage&end_time={end}"),
        "query=outage&max_results=5".to_string(),
        "query=has%3Amedia".to_string(),
        "query=".to_string(),
        format!("query={}", "a".repeat(513)),
    ] {
        let url = twin
            .url()
            .join(&format!("2/tweets/search/recent?{q}"))
            .unwrap();
        let r = reqwest::Client::new()
            .get(url)
            .bearer_auth(twin.handle().access_token())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{q}");
    }
}

#[tokio::test]
async fn language_hashtags_and_mentions_filter() {
    let (twin, x) = setup().await;
    let h = twin.handle();
    let bob = h.add_user("bob");
    let de = h.post(&bob, "Die #Acme Störung @acmehelp");
    h.set_lang(&de, "de");
    let en = h.post(&bob, "The #Acme outage @acmehelp");
    h.post(&bob, "The acme outage without a tag");
    let page = x
        .search(&SearchQuery::new("#acme @acmehelp").language("de"))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].reference.id, de);
    assert_eq!(page.items[0].language.as_deref(), Some("de"));
    let page = x
        .search(&SearchQuery::new("#acme @acmehelp"))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].reference.id, en);
    assert_eq!(page.items[0].author.handle, "bob");
}

#[tokio::test]
async fn errors_before_and_from_x() {
    let (twin, x) = setup().await;
    // Over 512 characters: refused before sending.
    let long = SearchQuery::new("acme ".repeat(120));
    let e = x.search(&long).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("512"), "{e}");
    assert_eq!(searches(&twin), 0);
    let e = x.search(&SearchQuery::new("  ")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(searches(&twin), 0);
    // A 429 carries X's reset.
    twin.handle().inject(
        Some("GET"),
        Some("/2/tweets/search/recent"),
        5,
        XFault::rate_limited(900),
    );
    let e = x.search(&SearchQuery::new("acme")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    let wait = e.retry_after().unwrap() - Utc::now();
    assert!(wait > Duration::seconds(880), "{wait}");
    twin.handle().faults().clear();
    // A revoked token: reconnect.
    twin.handle().revoke_access_token();
    let e = x.search(&SearchQuery::new("acme")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    // The capability says what X searches.
    let limits = x.capabilities().search.clone().unwrap();
    assert_eq!(limits.max_age_days, Some(7));
    assert_eq!(limits.max_page, 100);
}
