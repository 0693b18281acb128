//! The Mastodon adapter against a real server: snac2, which speaks the Mastodon client API, on
//! loopback (`../shared/peers/start.sh mastodon-snac`).
//!
//! Runs the shared behaviour suite as alice, with bob replying, favouriting and reblogging
//! through the same API (snac delivers between local users over its queue, in 1–10 s, so every
//! wait is a bounded poll), then a scenario with media, a thread, notifications of every kind
//! bob can make, metrics and an edit.
//!
//! What snac lacks is reported, and the twin (`tests/mastodon_twin.rs`) is the proof there:
//! `DELETE /api/v1/statuses/{id}` answers 404; a bad token gets 422 with no body on
//! `verify_credentials` instead of 401 (mapped to `Unauthenticated` all the same); an edit
//! changes the status id; `Idempotency-Key` is ignored (so the adapter never trusts it there:
//! `tests/fault_proxy` proves exactly once on snac through a fault-injecting proxy).
//!
//! Without the peer the test prints why it was skipped and passes, except with `CI=true`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use socialkit::adapters::mastodon::errors::MastodonErrors;
use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
use socialkit::auth::Secret;
use socialkit::http::{Call, Client, RateLimitStyle};
use socialkit::model::{InteractionKind, InteractionQuery, Media, Post, PostRef, PublishOptions};
use socialkit::platform::Idempotency;
use socialkit::testkit::{Harness, SkipCause, SuiteOptions, suite};
use socialkit::{ErrorKind, Platform, PlatformExt, Result};

const SKIPPED: &str = "SKIPPED: mastodon-snac peer not running (start it with ../shared/peers/start.sh mastodon-snac)";

/// The peer's env file, as `start.sh` wrote it.
fn env_file() -> PathBuf {
    let home = std::env::var_os("SOCIALKIT_PEERS_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/socialkit-peers")
        });
    home.join("run/mastodon-snac.env")
}

#[derive(Clone)]
struct Peer {
    url: String,
    alice: String,
    alice_id: String,
    alice_token: Secret,
    bob_token: Secret,
}

fn load_peer() -> Option<Peer> {
    let text = std::fs::read_to_string(env_file()).ok()?;
    let vars: HashMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        .collect();
    let get = |k: &str| vars.get(k).cloned().filter(|v| !v.is_empty());
    Some(Peer {
        url: get("SOCIALKIT_MASTODON_URL")?,
        alice: get("SOCIALKIT_MASTODON_USERNAME")?,
        alice_id: get("SOCIALKIT_MASTODON_ACCOUNT_ID")?,
        alice_token: Secret::new(get("SOCIALKIT_MASTODON_ACCESS_TOKEN")?),
        bob_token: Secret::new(get("SOCIALKIT_MASTODON_ACCESS_TOKEN_2")?),
    })
}

/// The peer, or `None` after printing why the test is skipped. With `CI=true` a missing
/// peer is a failure.
fn peer_or_skip() -> Option<Peer> {
    match load_peer() {
        Some(p) => Some(p),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but the mastodon-snac peer is not running: no {}",
                env_file().display()
            )
        }
        None => {
            println!("{SKIPPED}");
            eprintln!("{SKIPPED}");
            None
        }
    }
}

/// Polls `f` until it gives `Some`, for at most `bound`.
async fn poll<T, F, Fut>(bound: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if start.elapsed() > bound {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

const DELIVERY: Duration = Duration::from_secs(30);

/// Raw Mastodon API calls through socialkit's HTTP layer, for what the Platform trait does not
/// do (bob's favourites, reblogs and follows; reading a reply parent).
struct Api {
    http: Client,
    base: url::Url,
}

impl Api {
    fn url(&self, path: &str) -> url::Url {
        self.base.join(path).unwrap()
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, token: &Secret, path: &str) -> Result<T> {
        let call = Call::get("mastodon", "peer_test", self.url(path))
            .bearer(token)
            .rate_limit_style(RateLimitStyle::Mastodon);
        self.http.send(call, &MastodonErrors).await?.json()
    }

    /// Follow, favourite and reblog are idempotent on Mastodon, so a broken connection is
    /// retried (snac closes kept-alive connections without saying so; the pool may reuse one).
    async fn post(&self, token: &Secret, path: &str) -> Result<()> {
        let call = Call::post("mastodon", "peer_test", self.url(path))
            .bearer(token)
            .rate_limit_style(RateLimitStyle::Mastodon)
            .retry(socialkit::http::Retry::Idempotent);
        self.http.send(call, &MastodonErrors).await.map(drop)
    }

    /// POSTs until the status has reached the actor's timeline (snac answers 404 before).
    async fn post_when_visible(&self, token: &Secret, path: &str) -> Result<()> {
        let start = Instant::now();
        loop {
            match self.post(token, path).await {
                Err(e) if e.kind() == ErrorKind::NotFound && start.elapsed() < DELIVERY => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                other => return other,
            }
        }
    }
}

/// What bob did and alice has not yet been notified of: (notification type, status id).
type Pending = Mutex<Vec<(&'static str, String)>>;

struct SnacHarness {
    peer: Peer,
    alice: Arc<Mastodon>,
    limited: Arc<Mastodon>,
    bob: Mastodon,
    api: Api,
    pending: Pending,
}

impl SnacHarness {
    async fn new(peer: Peer) -> SnacHarness {
        let config = MastodonConfig::new(&peer.url, peer.alice_token.clone()).unwrap();
        let alice = Arc::new(Mastodon::connect(config.clone()).await.unwrap());
        let mut caps = alice.capabilities().clone();
        caps.delete = false;
        let limited = Arc::new(Mastodon::with_capabilities(
            config.clone(),
            Client::default(),
            caps,
        ));
        let bob =
            Mastodon::connect(MastodonConfig::new(&peer.url, peer.bob_token.clone()).unwrap())
                .await
                .unwrap();
        let api = Api {
            http: Client::default(),
            base: config.instance.clone(),
        };
        // Bob must know alice and follow her to see (and so favourite) her statuses.
        let _: serde_json::Value = api
            .get(
                &peer.bob_token,
                &format!("api/v1/accounts/lookup?acct={}", peer.alice),
            )
            .await
            .unwrap();
        api.post(
            &peer.bob_token,
            &format!("api/v1/accounts/{}/follow", peer.alice_id),
        )
        .await
        .unwrap();
        SnacHarness {
            peer,
            alice,
            limited,
            bob,
            api,
            pending: Mutex::new(Vec::new()),
        }
    }

    fn expect(&self, kind: &'static str, status: String) {
        self.pending.lock().unwrap().push((kind, status));
    }

    async fn alice_notifications(&self) -> Vec<Notification> {
        self.api
            .get(&self.peer.alice_token, "api/v1/notifications?limit=80")
            .await
            .unwrap_or_default()
    }

    async fn bob_mention(&self, reply_to: Option<&PostRef>, text: &str) -> Result<String> {
        let mut post = Post::text(format!("@{} {text}", self.alice_handle()));
        if let Some(to) = reply_to {
            post = post.in_reply_to(to.clone());
        }
        let p = self.bob.publish(&post, &PublishOptions::default()).await?;
        Ok(p.post.id)
    }

    fn alice_handle(&self) -> String {
        let host = url::Url::parse(&self.peer.url).unwrap();
        format!(
            "{}@{}:{}",
            self.peer.alice,
            host.host_str().unwrap_or("localhost"),
            host.port_or_known_default().unwrap_or(80)
        )
    }
}

/// The parts of a Mastodon Status this test reads straight from the server, independent of
/// the adapter's own wire types. Source: <https://docs.joinmastodon.org/entities/Status/>.
#[derive(Debug, serde::Deserialize)]
struct Status {
    id: String,
    #[serde(default)]
    in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    spoiler_text: String,
    /// Plain source text, present on the answer of an edit and of `GET` for one's own status.
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    edited_at: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    media_attachments: Vec<Attachment>,
    #[serde(default)]
    reblog: Option<Box<Status>>,
}

/// `null` read as the type's default (some servers send `null` where Mastodon sends `""`/`[]`).
fn null_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl Status {
    /// The status itself, or the boosted one when this is a boost.
    fn original(&self) -> &Status {
        self.reblog.as_deref().unwrap_or(self)
    }
}

/// A MediaAttachment's alt text. Source: <https://docs.joinmastodon.org/entities/MediaAttachment/>.
#[derive(Debug, serde::Deserialize)]
struct Attachment {
    #[serde(default)]
    description: Option<String>,
}

/// A Notification's type and status. Source: <https://docs.joinmastodon.org/entities/Notification/>.
#[derive(Debug, serde::Deserialize)]
struct Notification {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    status: Option<Status>,
}

#[async_trait]
impl Harness for SnacHarness {
    fn platform(&self) -> Arc<dyn Platform> {
        self.alice.clone()
    }

    fn limited_platform(&self) -> Option<Arc<dyn Platform>> {
        Some(self.limited.clone())
    }

    async fn induce_interaction(&self, post: &PostRef, kind: InteractionKind) -> Result<bool> {
        match kind {
            InteractionKind::Reply => {
                let id = self.bob_mention(Some(post), "a reply from bob").await?;
                self.expect("mention", id);
            }
            InteractionKind::Mention => {
                let id = self.bob_mention(None, "a mention from bob").await?;
                self.expect("mention", id);
            }
            InteractionKind::Like => {
                self.api
                    .post_when_visible(
                        &self.peer.bob_token,
                        &format!("api/v1/statuses/{}/favourite", post.id),
                    )
                    .await?;
                self.expect("favourite", post.id.clone());
            }
            InteractionKind::Repost => {
                self.api
                    .post_when_visible(
                        &self.peer.bob_token,
                        &format!("api/v1/statuses/{}/reblog", post.id),
                    )
                    .await?;
                self.expect("reblog", post.id.clone());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    async fn thread_parent(&self, post: &PostRef) -> Result<Option<String>> {
        let s: Status = self
            .api
            .get(
                &self.peer.alice_token,
                &format!("api/v1/statuses/{}", post.id),
            )
            .await?;
        Ok(s.in_reply_to_id)
    }

    /// Waits (at most 30 s) until alice has a notification for everything bob did.
    async fn settle(&self) {
        let pending: Vec<(&'static str, String)> = self.pending.lock().unwrap().clone();
        if pending.is_empty() {
            return;
        }
        let done = poll(DELIVERY, || async {
            let ns = self.alice_notifications().await;
            let all = pending.iter().all(|(kind, id)| {
                ns.iter().any(|n| {
                    n.kind == *kind
                        && n.status
                            .as_ref()
                            .is_some_and(|s| s.id == *id || s.original().id == *id)
                })
            });
            all.then_some(())
        })
        .await;
        if done.is_none() {
            eprintln!("settle: not every interaction by bob reached alice within {DELIVERY:?}");
        }
        self.pending.lock().unwrap().clear();
    }
}

#[tokio::test]
async fn mastodon_adapter_against_snac() {
    let Some(peer) = peer_or_skip() else {
        return;
    };
    let harness = SnacHarness::new(peer.clone()).await;
    let caps = harness.alice.capabilities().clone();
    assert_eq!(caps.text.max, 100_000, "the limit comes from the instance");
    assert_eq!(
        caps.idempotency,
        Idempotency::None,
        "snac ignores Idempotency-Key"
    );

    // ----- the shared behaviour suite -----
    let options = SuiteOptions {
        skip: vec!["delete_then_delete_again".into(), "edit".into()],
        cleanup: false,
        label: "socialkit peer suite".into(),
        ..SuiteOptions::default()
    };
    let started = Instant::now();
    let report = suite::run(&harness, &options).await;
    println!("{report}");
    println!("(suite took {:?})", started.elapsed());
    println!(
        "NOTE: delete_then_delete_again is left out: snac 2.75 has no DELETE /api/v1/statuses/{{id}} \
         (404); the twin proves delete (tests/behaviour_mastodon_twin.rs, tests/mastodon_twin.rs)."
    );
    println!(
        "NOTE: edit is left out of the suite: snac gives an edited status a new id (the suite \
         expects the id kept, as Mastodon does); the scenario below checks the edit on snac and the \
         twin proves the id is kept."
    );
    println!(
        "NOTE: idempotency_key is skipped by capability: snac ignores Idempotency-Key, so the \
         adapter declares Idempotency::None for it; the twin proves the key."
    );
    report.assert_ok();
    let skipped: Vec<&str> = report
        .skipped_for(SkipCause::Capability)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(skipped, ["idempotency_key"]);
    assert!(report.skipped_for(SkipCause::Harness).is_empty());

    // ----- a scenario: media, thread, bob's interactions, metrics, edit -----
    let alice = harness.alice.clone();
    let me = alice.channel().await.unwrap();
    assert_eq!(me.id, peer.alice_id);
    assert!(me.handle.starts_with(&format!("{}@", peer.alice)));
    assert!(me.metrics.followers.is_some());
    if me.metrics.followers == Some(0) {
        println!(
            "NOTE: snac reports followers_count 0 in verify_credentials although bob follows alice; \
             the twin proves the follower count."
        );
    }

    let png = socialkit::adapters::sandbox::sample_png(4, 4, [10, 120, 200]);
    let post = Post::text("peer scenario: a picture, then more")
        .with_media(Media::image_bytes("image/png", png).with_alt("A blue square"))
        .then("peer scenario: part two")
        .with_content_warning("peer test");
    let published = alice
        .publish(&post, &PublishOptions::with_key("peer-scenario"))
        .await
        .unwrap();
    assert_eq!(published.parts.len(), 2);
    let first: Status = harness
        .api
        .get(
            &peer.alice_token,
            &format!("api/v1/statuses/{}", published.post.id),
        )
        .await
        .unwrap();
    assert_eq!(first.media_attachments.len(), 1);
    assert_eq!(
        first.media_attachments[0].description.as_deref(),
        Some("A blue square")
    );
    assert_eq!(first.spoiler_text, "peer test");
    assert_eq!(
        harness
            .thread_parent(&published.parts[1])
            .await
            .unwrap()
            .as_deref(),
        Some(published.post.id.as_str())
    );

    let start = published.published_at;
    for kind in [
        InteractionKind::Like,
        InteractionKind::Repost,
        InteractionKind::Reply,
    ] {
        assert!(
            harness
                .induce_interaction(&published.post, kind)
                .await
                .unwrap()
        );
    }
    harness.settle().await;
    let seen = poll(DELIVERY, || async {
        let mut q = InteractionQuery::default().limit(5);
        q.since = Some(start);
        let mut all = Vec::new();
        loop {
            let page = alice.interactions(&q).await.ok()?;
            all.extend(page.items);
            q.cursor = page.next_cursor;
            if !page.has_more {
                break;
            }
        }
        let on_post: Vec<InteractionKind> = all
            .iter()
            .filter(|i| i.post.as_ref().is_some_and(|p| p.id == published.post.id))
            .map(|i| i.kind)
            .collect();
        [
            InteractionKind::Like,
            InteractionKind::Repost,
            InteractionKind::Reply,
        ]
        .iter()
        .all(|k| on_post.contains(k))
        .then_some(all)
    })
    .await
    .expect("bob's like, repost and reply reach alice's notifications");
    let reply = seen
        .iter()
        .find(|i| {
            i.kind == InteractionKind::Reply
                && i.post.as_ref().is_some_and(|p| p.id == published.post.id)
        })
        .unwrap();
    assert!(
        reply
            .text
            .as_deref()
            .unwrap_or("")
            .contains("a reply from bob"),
        "{:?}",
        reply.text
    );
    assert!(reply.author.handle.starts_with("bob@"));

    let last = Mutex::new(None);
    let metrics = poll(DELIVERY, || async {
        let m = alice
            .post_metrics(std::slice::from_ref(&published.post))
            .await
            .ok()?;
        let m = m.into_iter().next()?;
        *last.lock().unwrap() = Some(m.clone());
        // Replies: the thread's own second part and bob's reply.
        (m.likes == Some(1) && m.reposts == Some(1) && m.replies == Some(2)).then_some(m)
    })
    .await
    .unwrap_or_else(|| {
        panic!(
            "favourites/reblogs/replies reach 1/1/2: {:?}",
            last.lock().unwrap()
        )
    });
    assert_eq!(metrics.quotes, None, "snac does not report quotes");
    assert_eq!(metrics.impressions, None);

    // Edit: snac changes the id.
    let edited = alice
        .edit(
            &published.parts[1],
            &Post::text("peer scenario: part two, edited"),
        )
        .await
        .unwrap();
    let after: Status = harness
        .api
        .get(
            &peer.alice_token,
            &format!("api/v1/statuses/{}", edited.post.id),
        )
        .await
        .unwrap();
    assert!(after.edited_at.is_some());
    assert_eq!(
        after.text.as_deref(),
        Some("peer scenario: part two, edited")
    );
    if edited.post.id != published.parts[1].id {
        println!(
            "NOTE: snac gave the edited status a new id ({} -> {}); Mastodon keeps it (twin-proven).",
            published.parts[1].id, edited.post.id
        );
    }
    let recent = alice.recent_posts(20).await.unwrap();
    assert!(recent.iter().any(|r| r.text.contains("part two, edited")));

    // What snac lacks, said and checked.
    match alice.delete(&published.parts[0]).await {
        Err(e) if e.kind() == ErrorKind::NotFound => println!(
            "NOTE: snac 2.75 answers DELETE /api/v1/statuses/{{id}} with 404 (not implemented): \
             mapped to NotFound; the twin proves delete."
        ),
        Ok(()) => println!("NOTE: this snac deleted the status (newer than 2.75?)"),
        Err(e) => panic!("unexpected delete error: {e}"),
    }
    let bad = Mastodon::with_client(
        MastodonConfig::new(&peer.url, "not-a-valid-token").unwrap(),
        Client::default(),
    );
    let e = bad.channel().await.unwrap_err();
    assert!(
        !e.to_string().contains("not-a-valid-token")
            && !format!("{e:?}").contains("not-a-valid-token")
    );
    // snac answers verify_credentials with 422 and no body where Mastodon gives 401: it must
    // read as what it is, a token problem, with the advice to reconnect.
    assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}");
    assert!(e.to_string().contains("reconnect the account"), "{e}");
    // Through every construction path the same answer.
    let from_url = socialkit::Registry::default()
        .from_url(&format!(
            "mastodon://not-a-valid-token@{}?scheme=http",
            peer.url.trim_start_matches("http://").trim_end_matches('/')
        ))
        .unwrap();
    assert_eq!(
        from_url.channel().await.unwrap_err().kind(),
        ErrorKind::Unauthenticated
    );
    let e = bad.publish_text("never").await.unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Unauthenticated,
        "snac answers POST /api/v1/statuses with 401: {e}"
    );
}

/// What snac 2.75 does with search (the finding is written down in
/// `src/adapters/mastodon/search.rs`): `GET /api/v2/search?type=statuses` is implemented and
/// matches the whole `q` as one case-insensitive substring of the statuses in the user's own
/// timeline; it answers every match at once (`limit` ignored) and nothing for `offset` > 0.
/// `GET /api/v1/timelines/tag/{tag}` honours `limit` and `max_id`. The adapter (one term sent,
/// every term checked, whole words) finds exactly what the query means.
#[tokio::test]
async fn snac_search_statuses_and_hashtags() {
    use socialkit::model::SearchQuery;
    let Some(peer) = peer_or_skip() else {
        return;
    };
    let config = MastodonConfig::new(&peer.url, peer.alice_token.clone()).unwrap();
    let alice = Mastodon::connect(config.clone()).await.unwrap();
    let api = Api {
        http: Client::default(),
        base: config.instance.clone(),
    };
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000_000_000;
    let word = format!("zebrafish{n}");
    let tag = format!("sktag{n}");
    let first = alice
        .publish_text(&format!("{word} arrived #{tag}"))
        .await
        .unwrap();
    let second = alice
        .publish_text(&format!("more {word} news, no tag"))
        .await
        .unwrap();

    let raw = |q: String| {
        let api = &api;
        let token = peer.alice_token.clone();
        async move {
            let path = format!(
                "api/v2/search?type=statuses&{}",
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", &q)
                    .finish()
            );
            api.get::<serde_json::Value>(&token, &path).await
        }
    };
    let probe = match raw(word.clone()).await {
        Ok(v) => v,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            println!("SKIPPED: this snac has no GET /api/v2/search ({e})");
            return;
        }
        Err(e) => panic!("search failed: {e}"),
    };
    let count = |v: &serde_json::Value| v["statuses"].as_array().map_or(0, Vec::len);
    assert_eq!(count(&probe), 2, "{probe}");
    let partial = raw(word[..word.len() - 3].to_uppercase()).await.unwrap();
    println!(
        "FINDING: snac search for a prefix of the word, upper case: {} statuses (substring, case-insensitive)",
        count(&partial)
    );
    assert_eq!(count(&partial), 2);
    let two_terms = raw(format!("#{tag} {word}")).await.unwrap();
    println!(
        "FINDING: snac search for two non-adjacent terms: {} statuses (the whole query is one substring)",
        count(&two_terms)
    );
    let limited: serde_json::Value = api
        .get(
            &peer.alice_token,
            &format!("api/v2/search?type=statuses&q={word}&limit=1"),
        )
        .await
        .unwrap();
    println!(
        "FINDING: snac search with limit=1: {} statuses",
        count(&limited)
    );
    let offset: serde_json::Value = api
        .get(
            &peer.alice_token,
            &format!("api/v2/search?type=statuses&q={word}&offset=1"),
        )
        .await
        .unwrap();
    println!(
        "FINDING: snac search with offset=1: {} statuses",
        count(&offset)
    );
    assert_eq!(count(&offset), 0);

    // The adapter: every term, whole words, paging that ends.
    let both = alice
        .search(&SearchQuery::new(format!("{word} #{tag}")))
        .await
        .unwrap();
    let ids: Vec<&str> = both.items.iter().map(|i| i.reference.id.as_str()).collect();
    assert_eq!(ids, [first.post.id.as_str()]);
    let hit = &both.items[0];
    assert_eq!(
        hit.text.as_deref(),
        Some(format!("{word} arrived #{tag}").as_str())
    );
    assert!(hit.author.handle.starts_with(&format!("{}@", peer.alice)));
    let mut q = SearchQuery::new(word.clone()).limit(1);
    let mut all = Vec::new();
    for _ in 0..5 {
        let page = alice.search(&q).await.unwrap();
        all.extend(page.items.into_iter().map(|i| i.reference.id));
        if !page.has_more {
            break;
        }
        q.cursor = page.next_cursor;
    }
    assert_eq!(all, [second.post.id.clone(), first.post.id.clone()]);
    let prefix = alice
        .search(&SearchQuery::new(word[..word.len() - 3].to_string()))
        .await
        .unwrap();
    assert!(prefix.items.is_empty(), "a prefix is not a word");
    // Hashtags only: the tag timeline.
    let tagged = alice
        .search(&SearchQuery::new(format!("#{tag}")))
        .await
        .unwrap();
    let ids: Vec<&str> = tagged
        .items
        .iter()
        .map(|i| i.reference.id.as_str())
        .collect();
    assert_eq!(ids, [first.post.id.as_str()]);
}

/// The same post gets the same answer every time, whichever way the channel was built: the
/// engine loads the instance's limits before its first check (snac allows 100,000 characters,
/// Mastodon's default is 500), and the adapter reads the instance before its first write, so
/// its idempotency is the server's (snac: none).
#[tokio::test]
async fn limits_and_idempotency_are_the_instances_on_every_construction_path() {
    use socialkit::engine::Engine;
    use socialkit::store::{ChannelRecord, MemoryStore};
    let Some(peer) = peer_or_skip() else { return };
    let host = peer.url.trim_start_matches("http://").trim_end_matches('/');
    let token = peer.alice_token.expose().to_string();
    let config = MastodonConfig::new(&peer.url, token.as_str()).unwrap();
    let channels: Vec<(&str, Arc<dyn Platform>)> = vec![
        (
            "url",
            socialkit::Registry::default()
                .from_url(&format!("mastodon://{token}@{host}?scheme=http"))
                .unwrap(),
        ),
        ("new", Arc::new(Mastodon::new(config.clone()).unwrap())),
        (
            "connect",
            Arc::new(Mastodon::connect(config).await.unwrap()),
        ),
    ];
    let long = "a".repeat(501);
    for (how, channel) in channels {
        let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
        let ws = engine.create_workspace("w", "W", "olga").await.unwrap();
        engine
            .connect(
                &ws,
                "olga",
                ChannelRecord::new("c", "mastodon"),
                channel.clone(),
            )
            .await
            .unwrap();
        for round in 0..2 {
            // Submitted, not published: no worker runs.
            let sub = engine
                .submit(&ws, "olga", Post::text(long.clone()), &["c".into()])
                .await;
            assert!(sub.is_ok(), "{how}, round {round}: {sub:?}");
        }
        let caps = channel.capabilities();
        assert_eq!(caps.text.max, 100_000, "{how}");
        assert_eq!(
            caps.idempotency,
            Idempotency::None,
            "{how}: snac ignores the key"
        );
    }
}
