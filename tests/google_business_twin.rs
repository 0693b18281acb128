//! The Google Business Profile adapter against its twin: standard, event and offer posts,
//! delete, reviews read with a cursor, reply / update / delete the reply, the rating summary,
//! errors, token refresh, and reviews flowing into the unified inbox, answered through the
//! engine's outbox and measured against the SLA.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use socialkit::adapters::google_business::twin::Twin;
use socialkit::adapters::google_business::{
    Action, EventDetails, GoogleBusiness, LocalPostDraft, Topic,
};
use socialkit::clock::ManualClock;
use socialkit::engine::{Engine, EngineConfig};
use socialkit::inbox::{Inbox, ItemState, MemoryInboxStore, PageRequest};
use socialkit::model::{
    ChannelMetrics, InteractionKind, InteractionQuery, Media, Post, PublishOptions, Rating,
};
use socialkit::store::{ChannelRecord, MemoryStore};
use socialkit::{ErrorKind, Platform, PlatformExt};

#[tokio::test]
async fn standard_event_and_offer_posts_with_their_fields() {
    let twin = Twin::start().await.unwrap();
    let mut config = twin.config();
    config.time_zone = chrono_tz::America::New_York;
    let gbp = GoogleBusiness::new(config);
    let post = Post::text("New spring hours: open until 8pm")
        .with_link("https://acme.example/hours")
        .with_media(Media::from_url(
            "image/jpeg",
            "https://acme.example/shop.jpg",
        ));
    let standard = gbp
        .publish(&post, &PublishOptions::default())
        .await
        .unwrap();
    assert!(
        standard
            .post
            .id
            .starts_with("accounts/1001/locations/2002/localPosts/")
    );
    assert!(
        standard
            .url()
            .unwrap()
            .starts_with("https://local.google.com/")
    );
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 14, 0, 0).unwrap();
    let mut event = LocalPostDraft::standard("Forge open day");
    event.topic = Topic::Event(EventDetails {
        title: "Open day".into(),
        start,
        end: start + Duration::hours(5),
    });
    event.button = Some((Action::SignUp, Some("https://acme.example/rsvp".into())));
    gbp.publish_local_post(&event).await.unwrap();
    let mut offer = LocalPostDraft::standard("Two anvils for one");
    offer.topic = Topic::Offer {
        event: EventDetails {
            title: "BOGO anvils".into(),
            start,
            end: start + Duration::days(7),
        },
        coupon_code: Some("BOGO".into()),
        redeem_url: Some("https://acme.example/redeem".into()),
        terms: Some("While stocks last".into()),
    };
    gbp.publish_local_post(&offer).await.unwrap();
    let posts = twin.handle().posts();
    assert_eq!(posts.len(), 3);
    assert_eq!(posts[0]["topicType"], "STANDARD");
    assert_eq!(posts[0]["callToAction"]["actionType"], "LEARN_MORE");
    assert_eq!(
        posts[0]["media"][0]["sourceUrl"],
        "https://acme.example/shop.jpg"
    );
    assert_eq!(posts[1]["topicType"], "EVENT");
    // 14:00 UTC on 1 November 2026 is 09:00 in New York (EST, the day DST ended).
    assert_eq!(posts[1]["event"]["schedule"]["startTime"]["hours"], 9);
    assert_eq!(posts[1]["callToAction"]["actionType"], "SIGN_UP");
    assert_eq!(posts[2]["offer"]["couponCode"], "BOGO");
    assert!(posts[2].get("callToAction").is_none());
    // Listed newest first for reconciliation, then deleted.
    let recent = gbp.recent_posts(10).await.unwrap();
    assert_eq!(recent.len(), 3);
    assert_eq!(recent[2].text, "New spring hours: open until 8pm");
    gbp.delete(&standard.post).await.unwrap();
    let e = gbp.delete(&standard.post).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(twin.handle().posts().len(), 2);
}

#[tokio::test]
async fn bad_posts_are_refused_before_any_request() {
    let twin = Twin::start().await.unwrap();
    let gbp = GoogleBusiness::new(twin.config());
    for post in [
        Post::text("x".repeat(1501)),
        Post::text("photo bytes").with_media(Media::image_bytes("image/png", vec![1])),
        Post::text("bad link").with_link("javascript:alert(1)"),
        Post::thread(["a", "b"]),
    ] {
        let e = gbp
            .publish(&post, &PublishOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Validation | ErrorKind::Unsupported),
            "{e}"
        );
    }
    assert_eq!(twin.handle().log().count(), 0);
}

#[tokio::test]
async fn reviews_are_read_once_and_answered_updated_and_unanswered() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let gbp = GoogleBusiness::new(twin.config());
    let r1 = h.review("Ann", 5, "Best anvils in town", Duration::minutes(30));
    let r2 = h.review("Bob", 2, "Waited an hour", Duration::minutes(20));
    let page = gbp
        .interactions(&InteractionQuery::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].reference.id, r1, "oldest first");
    assert_eq!(page.items[0].kind, InteractionKind::Comment);
    assert_eq!(
        page.items[1]
            .reference
            .meta
            .get("star_rating")
            .map(String::as_str),
        Some("2")
    );
    let s = gbp.review_summary().await.unwrap();
    assert_eq!(
        (s.average_rating, s.total_review_count),
        (Rating::from_stars(3.5), Some(2))
    );

    // Reply, update the reply, delete it.
    let bob = page.items[1].reference.clone();
    gbp.reply_text(&bob, "Sorry, Bob: we added a second counter.")
        .await
        .unwrap();
    assert_eq!(
        h.review_by_id(&r2).unwrap().reply.as_deref(),
        Some("Sorry, Bob: we added a second counter.")
    );
    gbp.set_review_reply(&r2, "Sorry, Bob: a second counter opens Monday.")
        .await
        .unwrap();
    assert_eq!(
        h.review_by_id(&r2).unwrap().reply.as_deref(),
        Some("Sorry, Bob: a second counter opens Monday.")
    );
    gbp.delete_review_reply(&r2).await.unwrap();
    assert_eq!(h.review_by_id(&r2).unwrap().reply, None);
    assert_eq!(
        gbp.delete_review_reply(&r2).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );

    // The cursor: only what is new.
    let r3 = h.review("Cem", 4, "Friendly staff", Duration::minutes(1));
    let next = gbp
        .interactions(&InteractionQuery::default().cursor(page.next_cursor.unwrap()))
        .await
        .unwrap();
    let ids: Vec<&str> = next.items.iter().map(|i| i.reference.id.as_str()).collect();
    assert_eq!(ids, [r3.as_str()]);
}

/// `channel()` reports `reviews.list`'s `totalReviewCount` and `averageRating` as channel
/// metrics; a location has no followers, following or post count in the API.
#[tokio::test]
async fn rating_and_review_count_are_channel_metrics() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let gbp = GoogleBusiness::new(twin.config());
    let empty = gbp.channel().await.unwrap();
    assert_eq!(empty.id, "accounts/1001/locations/2002");
    assert_eq!(
        empty.metrics,
        ChannelMetrics {
            reviews: Some(0),
            ..ChannelMetrics::default()
        },
        "no rating before the first review, and zero reviews is known"
    );
    for (who, stars) in [("Ann", 5), ("Bob", 4), ("Cem", 4)] {
        h.review(who, stars, "fine", Duration::minutes(5));
    }
    let m = gbp.channel().await.unwrap().metrics;
    assert_eq!(m.reviews, Some(3));
    let rating = m.average_rating.unwrap();
    assert_eq!(rating.hundredths(), 433, "13 / 3 stars, to the hundredth");
    assert_eq!(format!("{rating:.1}"), "4.3");
    assert_eq!((m.followers, m.following, m.posts), (None, None, None));
    let asked = h.log().all();
    let last = asked.last().unwrap();
    assert_eq!(last.path, "/v4/accounts/1001/locations/2002/reviews");
    assert_eq!(last.query.as_deref(), Some("pageSize=1"));

    // Out of range or mistyped answers are no rating or an error, never a panic.
    let list = "/v4/accounts/1001/locations/2002/reviews";
    let canned = |body| socialkit::testkit::twin::Canned::json(200, body);
    h.faults().inject(
        Some("GET"),
        Some(list),
        1,
        canned(serde_json::json!({"averageRating": 7.5, "totalReviewCount": 3})),
    );
    let m = gbp.channel().await.unwrap().metrics;
    assert_eq!((m.reviews, m.average_rating), (Some(3), None));
    h.faults().inject(
        Some("GET"),
        Some(list),
        1,
        canned(serde_json::json!({"averageRating": "4.5", "totalReviewCount": 3})),
    );
    let e = gbp.channel().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unexpected, "{e}");
}

#[tokio::test]
async fn a_long_review_backlog_is_paged_without_loss() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let gbp = GoogleBusiness::new(twin.config());
    for i in 0..130 {
        h.review(&format!("r{i}"), 4, "ok", Duration::minutes(200 - i));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = None;
    for _ in 0..10 {
        let mut q = InteractionQuery::default().limit(50);
        if let Some(c) = &cursor {
            q = q.cursor(c);
        }
        let page = gbp.interactions(&q).await.unwrap();
        for i in page.items {
            assert!(seen.insert(i.reference.id), "read twice");
        }
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len(), 130);
}

#[tokio::test]
async fn documented_errors_and_token_refresh() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let gbp = GoogleBusiness::new(twin.config());
    h.set_verified(false);
    let e = gbp.publish_text("Hello").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("FAILED_PRECONDITION")
    );
    h.set_verified(true);
    h.faults().inject(
        Some("GET"),
        Some("/v4/accounts/1001/locations/2002/reviews"),
        1,
        socialkit::testkit::twin::Canned::json(429, serde_json::json!({"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}})),
    );
    let mut http = socialkit::http::HttpConfig::default();
    http.retry = socialkit::http::RetryPolicy::none();
    let once =
        GoogleBusiness::with_client(twin.config(), socialkit::http::Client::new(http).unwrap());
    let e = once.review_summary().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.retry_after().is_some());
    h.expire_token();
    gbp.publish_text("After a refresh").await.unwrap();
    assert_eq!(h.log().count_to("POST", "/token"), 1);
}

/// Reviews reach the unified inbox, the reply goes out through the engine's outbox, and the
/// first response is measured.
#[tokio::test]
async fn reviews_flow_into_the_inbox_and_its_sla() {
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let gbp: Arc<dyn Platform> = Arc::new(GoogleBusiness::new(twin.config()));
    let clock = ManualClock::new(Utc::now());
    let engine = Engine::builder(Arc::new(MemoryStore::new()))
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            seed: Some(3),
            ..EngineConfig::default()
        })
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    engine
        .connect(
            &ws,
            "olga",
            ChannelRecord::new("gbp", "google_business"),
            gbp.clone(),
        )
        .await
        .unwrap();
    let mut inbox = Inbox::new(
        Arc::new(MemoryInboxStore::default()),
        Arc::new(clock.clone()),
    )
    .with_engine(engine.clone(), ws.clone());
    inbox.connect("gbp", gbp);
    let review = h.review(
        "Dana",
        1,
        "The anvil arrived cracked. I want a refund!",
        Duration::minutes(5),
    );
    let report = inbox.sync().await.unwrap();
    assert_eq!(report.new, 1);
    let item = inbox
        .items(PageRequest::first(10))
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(item.interaction.reference.id, review);
    assert_eq!(item.state, ItemState::New);
    assert!(item.classification.is_some(), "classified like any comment");
    clock.advance(Duration::minutes(20));
    inbox
        .reply(
            &item.key,
            "olga",
            "We are sorry, Dana: a new anvil ships today.",
        )
        .await
        .unwrap();
    engine.run_once().await.unwrap();
    inbox.record_replies().await.unwrap();
    let done = inbox.item(&item.key).await.unwrap();
    assert!(done.first_response_at.is_some(), "{done:?}");
    assert_eq!(
        h.review_by_id(&review).unwrap().reply.as_deref(),
        Some("We are sorry, Dana: a new anvil ships today.")
    );
    // A second sync reads nothing new.
    assert_eq!(inbox.sync().await.unwrap().new, 0);
}

/// The connect flow with Google OAuth: the authorization URL (scope `business.manage`,
/// offline access, PKCE S256, state), a forged callback refused before any exchange, the
/// twin's token endpoint exchanging the code once, the locations the token manages listed
/// (who am I), and the chosen one stored in the vault with its refresh token sealed.
#[tokio::test]
async fn connecting_a_location_with_google_oauth_pkce_and_the_vault() {
    use socialkit::adapters::google_business::{connect, oauth};
    use socialkit::auth::connect::{AccountKind, Callback, ConnectError, PendingConnect, choose};
    use socialkit::auth::{OAuth2Client, google};
    use socialkit::store::vault::{ChannelSource, KeyRing};

    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let redirect = "http://127.0.0.1:8765/callback";
    let mut config =
        oauth::config(&h.client_id(), redirect).with_client_secret("GOCSPX-twin-secret");
    config.token_url = twin.base_url().join("token").unwrap();
    let client = OAuth2Client::new("google_business", config.clone());
    let http = socialkit::http::Client::default();

    let (url, pending) = PendingConnect::start(&client, true, Utc::now());
    assert!(url.as_str().starts_with(google::AUTHORIZE_URL));
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(
        q["scope"],
        "https://www.googleapis.com/auth/business.manage"
    );
    assert_eq!(q["access_type"], "offline");
    assert_eq!(q["prompt"], "consent");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], h.client_id());
    assert_eq!(q["redirect_uri"], redirect);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["state"], pending.state.as_str());
    let code = h.authorize(&q["code_challenge"]);

    // A callback with another state is refused before the code is exchanged.
    let forged = Callback::parse(&format!("code={code}&state=forged")).unwrap();
    let e = pending.complete(&client, &http, &forged).await.unwrap_err();
    assert_eq!(ConnectError::of(&e), Some(&ConnectError::StateMismatch));
    assert_eq!(h.log().count_to("POST", "/token"), 0, "nothing exchanged");

    // The real callback: the code is exchanged once, with the PKCE verifier.
    let cb = Callback::parse(&format!("code={code}&state={}", q["state"])).unwrap();
    let token = pending.complete(&client, &http, &cb).await.unwrap();
    assert_eq!(
        token.refresh_token.as_ref().map(|t| t.expose()),
        Some(h.refresh_token().as_str()),
        "offline access gives a refresh token"
    );
    assert!(token.expires_at.is_some());
    let e = pending.complete(&client, &http, &cb).await.unwrap_err();
    assert_eq!(ConnectError::of(&e), Some(&ConnectError::CodeRejected));

    // Who am I: the locations this token manages, to choose from.
    h.add_location("3003", "ACME Anvils Outlet");
    let found = connect::locations(&http, &config, &token, &twin.hosts())
        .await
        .unwrap();
    let listed: Vec<(&str, &str)> = found
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "accounts/1001/locations/2002",
                "ACME Anvils Main Street (ACME Anvils)"
            ),
            (
                "accounts/1001/locations/3003",
                "ACME Anvils Outlet (ACME Anvils)"
            )
        ]
    );
    assert!(
        found
            .iter()
            .all(|a| a.kind == AccountKind::GoogleBusinessLocation)
    );
    let accounts_call = h
        .log()
        .all()
        .into_iter()
        .find(|s| s.path == "/v1/accounts/1001/locations")
        .unwrap();
    assert!(
        accounts_call
            .query
            .as_deref()
            .unwrap_or_default()
            .contains("readMask=name%2Ctitle%2ClanguageCode")
    );
    let debug = format!("{found:?}");
    assert!(!debug.contains(token.access_token.expose()) && !debug.contains("1//gbp"));
    let chosen = choose(found, "accounts/1001/locations/2002").unwrap();
    assert_eq!(chosen.settings["language_code"], "en-US");

    // Stored: the vault row is sealed, opens to the refresh setup, and the channel works.
    let engine = Engine::builder(Arc::new(MemoryStore::new()))
        .vault(Arc::new(KeyRing::single("k1".parse().unwrap(), [7; 32])))
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    let shop = engine
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new("shop", "google_business"),
            ChannelSource::from(chosen),
        )
        .await
        .unwrap();
    let vault = engine.vault().unwrap();
    let row = vault
        .store()
        .get(&ws, &"shop".into())
        .await
        .unwrap()
        .unwrap();
    for secret in [
        token.access_token.expose(),
        h.refresh_token().as_str(),
        "GOCSPX-twin-secret",
    ] {
        assert!(!row.sealed.contains(secret), "sealed at rest");
    }
    assert_eq!(row.expires_at, token.expires_at);
    let ChannelSource::Config(stored) = vault.open(&ws, &"shop".into()).await.unwrap().source
    else {
        panic!("a connect flow stores a config")
    };
    assert_eq!(stored.platform, "google_business");
    assert_eq!(
        stored.settings["refresh"]["refresh_token"],
        h.refresh_token()
    );
    assert_eq!(stored.settings["refresh"]["client_id"], h.client_id());
    assert_eq!(
        stored.settings["refresh"]["client_secret"],
        "GOCSPX-twin-secret"
    );
    let me = shop.channel().await.unwrap();
    assert_eq!(me.id, "accounts/1001/locations/2002");
    assert_eq!(me.metrics.reviews, Some(0));

    // An hour later the stored refresh token renews the access token, and the vault keeps
    // the new one.
    let exchanges = h.log().count_to("POST", "/token");
    h.expire_token();
    shop.publish_text("Open late on Fridays").await.unwrap();
    assert_eq!(
        h.log().count_to("POST", "/token"),
        exchanges + 1,
        "one refresh"
    );
    let ChannelSource::Config(renewed) = vault.open(&ws, &"shop".into()).await.unwrap().source
    else {
        panic!("a connect flow stores a config")
    };
    assert_ne!(renewed.settings["token"], token.access_token.expose());
    assert_eq!(
        renewed.settings["refresh"]["refresh_token"],
        h.refresh_token()
    );
}

/// The connect flow's listings: a token without `business.manage` is `PermissionDenied`, a
/// resource name in another form `Unexpected`, and an account without locations lists none.
#[tokio::test]
async fn connect_listing_errors_are_typed() {
    use socialkit::adapters::google_business::{connect, oauth};
    use socialkit::auth::Token;
    use socialkit::testkit::twin::Canned;
    let twin = Twin::start().await.unwrap();
    let h = twin.handle();
    let config = oauth::config(&h.client_id(), "http://127.0.0.1/cb");
    let http = socialkit::http::Client::default();
    let token = Token::new(twin.config().token.expose());
    h.faults().inject(
        Some("GET"),
        Some("/v1/accounts"),
        1,
        Canned::json(
            403,
            serde_json::json!({"error": {"code": 403, "status": "PERMISSION_DENIED",
                "message": "Request had insufficient authentication scopes."}}),
        ),
    );
    let e = connect::locations(&http, &config, &token, &twin.hosts())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert!(!e.to_string().contains(token.access_token.expose()));
    h.faults().inject(
        Some("GET"),
        Some("/v1/accounts/1001/locations"),
        1,
        Canned::json(200, serde_json::json!({"locations": [{"name": "2002"}]})),
    );
    let e = connect::locations(&http, &config, &token, &twin.hosts())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unexpected, "{e}");
    h.faults().inject(
        Some("GET"),
        Some("/v1/accounts/1001/locations"),
        1,
        Canned::json(200, serde_json::json!({})),
    );
    let none = connect::locations(&http, &config, &token, &twin.hosts())
        .await
        .unwrap();
    assert!(none.is_empty());
}
