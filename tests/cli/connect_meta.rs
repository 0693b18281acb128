#![cfg(any(feature = "facebook", feature = "threads"))]

//! `channel add --connect facebook | instagram | threads` run for real against the Graph
//! twins. The test plays the browser: it reads the authorization URL the binary prints and
//! follows it to the twin's consent dialog, which approves at once (granting what was asked
//! except the twin's `declined_scopes`) and redirects to the binary's local callback; or it
//! calls the callback itself with a forged state. The twins' login endpoints and their
//! sources are described in `src/adapters/graph/twin/login.rs`.

use std::path::Path;

use serde_json::Value;
use socialkit::adapters::graph::twin::{LinkedPage, TwinOptions};

use super::connect::{
    Run, blocking, channel_count, connect, follow, get, init, listed, query, stored,
};

/// The app the twins accept (their default `app_id` and `app_secret`).
fn app_env(prefix: &str, options: &TwinOptions) -> Vec<(&'static str, String)> {
    match prefix {
        "META" => vec![
            ("SOCIALKIT_META_APP_ID", options.app_id.clone()),
            ("SOCIALKIT_META_APP_SECRET", options.app_secret.clone()),
        ],
        _ => vec![
            ("SOCIALKIT_THREADS_APP_ID", options.app_id.clone()),
            ("SOCIALKIT_THREADS_APP_SECRET", options.app_secret.clone()),
        ],
    }
}

/// The browser comes back to the local callback with a state the binary never sent.
fn forged(authorize: &url::Url) {
    let redirect = query(authorize)["redirect_uri"].clone();
    let (status, _, answer) = get(&format!("{redirect}?state=forged&code=AQtwinCODE1"));
    assert!(status.contains(" 200"), "{answer}");
}

/// Every byte the store keeps on disk (the database and its journal), for a token in clear.
fn store_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("socialkit.db") && !name.ends_with(".keys") {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!all.is_empty(), "the store is on disk");
    all
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn never_printed(runs: &[&Run], secrets: &[&str]) {
    for run in runs {
        for text in [&run.stdout, &run.stderr] {
            for s in secrets {
                assert!(!text.contains(s), "{s} printed: {text}");
            }
        }
    }
}

/// Facebook: no app id stops before any URL; a forged state is refused before any token
/// request; two Pages are listed (nothing stored), then one is picked with `--account` and
/// its Page token sealed in the vault; a Page the user does not manage keeps nothing.
#[cfg(feature = "facebook")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_facebook_lists_pages_and_stores_the_chosen_one() {
    use socialkit::adapters::facebook::twin::FacebookTwin;
    let mut options = FacebookTwin::options();
    options.other_pages.push(LinkedPage::new(
        "1000002",
        "ACME Outlet",
        "EAAtwinOUTLETtoken",
    ));
    let twin = FacebookTwin::start_with(options.clone()).await.unwrap();
    let api = twin.url().to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let env = app_env("META", &options);
    let (p, a, h) = (path.clone(), api.clone(), twin.handle().clone());
    let (missing, forged_run, token_requests, list, pick, stranger) = blocking(move || {
        init(&p);
        let missing = connect(&p, &[], &["facebook", "--api", &a], |_| {
            panic!("no URL without the app id")
        });
        let forged_run = connect(&p, &env, &["facebook", "--api", &a], forged);
        let token_requests = h.requests_to("GET", "/oauth/access_token");
        let list = connect(&p, &env, &["facebook", "--api", &a, "--json"], |u| {
            let q = query(u);
            assert_eq!(u.path(), "/v23.0/dialog/oauth");
            assert_eq!(q["client_id"], "1234567890123456");
            assert_eq!(q["response_type"], "code");
            assert!(q["redirect_uri"].starts_with("http://127.0.0.1:"), "{u}");
            assert!(!q["state"].is_empty());
            assert!(
                !q.contains_key("code_challenge"),
                "Facebook Login takes no PKCE"
            );
            let scopes: Vec<&str> = q["scope"].split(',').collect();
            for s in [
                "pages_show_list",
                "pages_read_engagement",
                "pages_manage_posts",
            ] {
                assert!(scopes.contains(&s), "{scopes:?}");
            }
            follow(u);
        });
        let pick = connect(
            &p,
            &env,
            &[
                "facebook",
                "--api",
                &a,
                "--account",
                "1000001",
                "--id",
                "fb",
                "--json",
            ],
            |u| {
                follow(u);
            },
        );
        let stranger = connect(
            &p,
            &env,
            &["facebook", "--api", &a, "--account", "999"],
            |u| {
                follow(u);
            },
        );
        (missing, forged_run, token_requests, list, pick, stranger)
    })
    .await;
    assert_eq!(missing.status.code(), Some(3), "{}", missing.stderr);
    assert!(
        missing.stderr.contains("SOCIALKIT_META_APP_ID"),
        "{}",
        missing.stderr
    );
    assert_eq!(forged_run.status.code(), Some(3), "{}", forged_run.stderr);
    assert!(forged_run.stderr.contains("state"), "{}", forged_run.stderr);
    assert_eq!(token_requests, 0, "a forged state redeems no code");

    assert!(list.status.success(), "{}{}", list.stdout, list.stderr);
    let choices: Value = serde_json::from_str(&list.stdout).unwrap();
    let pages: Vec<(&str, &str)> = choices["choose_one"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["name"].as_str().unwrap()))
        .collect();
    assert_eq!(pages, [("1000001", "acme"), ("1000002", "ACME Outlet")]);
    assert_eq!(choices["choose_one"][0]["kind"], "facebook_page");
    assert!(list.stderr.contains("--account"), "{}", list.stderr);

    assert!(pick.status.success(), "{}{}", pick.stdout, pick.stderr);
    let row: Value = serde_json::from_str(&pick.stdout).unwrap();
    assert_eq!(row["id"], "fb");
    assert_eq!(row["platform"], "facebook");
    assert_eq!(row["handle"], "acme");
    let settings = stored(&path, "fb").await;
    assert_eq!(settings["page_id"], "1000001");
    assert_eq!(settings["token"], options.token.as_str());
    assert_eq!(settings["version"], "v23.0");
    assert!(
        settings.get("token_expires_at").is_none(),
        "a Page token from a long-lived user token does not expire: {settings}"
    );

    assert_eq!(stranger.status.code(), Some(4), "{}", stranger.stderr);
    assert!(
        stranger.stderr.contains("1000002 (ACME Outlet)"),
        "names what there is: {}",
        stranger.stderr
    );

    let p = path.clone();
    let channels = blocking(move || listed(&p)).await;
    assert_eq!(channels.len(), 1, "only the chosen Page: {channels:?}");
    assert_eq!(channels[0]["id"], "fb");
    assert_eq!(channels[0]["platform"], "facebook");
    assert_eq!(channels[0]["health"], "connected");
    let disk = store_bytes(&path);
    for secret in [
        options.token.as_str(),
        "EAAtwinOUTLETtoken",
        &options.user_token,
    ] {
        assert!(!holds(&disk, secret), "{secret} in clear in the store");
    }
    never_printed(
        &[&forged_run, &list, &pick, &stranger],
        &[
            &options.token,
            &options.user_token,
            &options.app_secret,
            "EAAtwinOUTLETtoken",
        ],
    );
}

/// Instagram through Facebook Login: a user who unticks `instagram_content_publish` is
/// refused with exit code 5 naming it, before the Pages are read; two linked accounts are
/// listed, the twin's is picked, and the linked Page's token is stored with its id.
#[cfg(all(feature = "facebook", feature = "instagram"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_instagram_checks_permissions_and_picks_a_linked_account() {
    use socialkit::adapters::instagram::twin::InstagramTwin;
    let mut options = InstagramTwin::options();
    let mut outlet = LinkedPage::new("1000002", "ACME Outlet", "EAAtwinOUTLETtoken");
    outlet.instagram = Some("17841400000000002".into());
    options.other_pages = vec![
        outlet,
        LinkedPage::new("1000003", "ACME Blog", "EAAtwinBLOGtoken"),
    ];
    let twin = InstagramTwin::start_with(options.clone()).await.unwrap();
    let stingy = InstagramTwin::start_with(TwinOptions {
        declined_scopes: vec!["instagram_content_publish".into()],
        ..options.clone()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let env = app_env("META", &options);
    let (p, a, s) = (
        path.clone(),
        twin.url().to_string(),
        stingy.url().to_string(),
    );
    let (refused, list, pick, count) = blocking(move || {
        init(&p);
        let refused = connect(&p, &env, &["instagram", "--api", &s], |u| {
            assert!(query(u)["scope"].contains("instagram_content_publish"));
            follow(u);
        });
        let list = connect(&p, &env, &["instagram", "--api", &a], |u| {
            follow(u);
        });
        let pick = connect(
            &p,
            &env,
            &[
                "instagram",
                "--api",
                &a,
                "--account",
                "17841400000000001",
                "--id",
                "ig",
            ],
            |u| {
                follow(u);
            },
        );
        (refused, list, pick, channel_count(&p))
    })
    .await;
    assert_eq!(refused.status.code(), Some(5), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("instagram_content_publish"),
        "names the permission: {}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("approve"),
        "says what to do: {}",
        refused.stderr
    );
    assert_eq!(
        stingy.handle().requests_to("GET", "/me/accounts"),
        0,
        "refused before the Pages are read"
    );

    assert!(list.status.success(), "{}{}", list.stdout, list.stderr);
    assert!(
        list.stdout.contains("Instagram account of acme")
            && list.stdout.contains("17841400000000002"),
        "{}",
        list.stdout
    );
    assert!(
        !list.stdout.contains("ACME Blog"),
        "no Instagram account: {}",
        list.stdout
    );

    assert!(pick.status.success(), "{}{}", pick.stdout, pick.stderr);
    assert!(
        pick.stdout.contains("Connected channel 'ig'"),
        "{}",
        pick.stdout
    );
    let settings = stored(&path, "ig").await;
    assert_eq!(settings["ig_user_id"], "17841400000000001");
    assert_eq!(settings["token"], options.token.as_str());
    assert_eq!(count, 1, "the refusal and the listing stored nothing");
    let disk = store_bytes(&path);
    assert!(
        !holds(&disk, &options.token),
        "the token in clear in the store"
    );
    never_printed(
        &[&refused, &list, &pick],
        &[&options.token, &options.user_token, &options.app_secret],
    );
}

/// Threads with its own app: the Meta app's variables are not taken for it; the
/// authorization window asks for the Threads permissions; the long-lived token is stored with
/// its expiry (the adapter refreshes it before then) and the user id Threads answered with; a
/// forged state redeems nothing; a withheld `threads_content_publish` keeps nothing.
#[cfg(feature = "threads")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_threads_stores_a_long_lived_token_with_its_expiry() {
    use socialkit::adapters::threads::twin::ThreadsTwin;
    let options = ThreadsTwin::options();
    let twin = ThreadsTwin::start_with(options.clone()).await.unwrap();
    let stingy = ThreadsTwin::start_with(TwinOptions {
        declined_scopes: vec!["threads_content_publish".into()],
        ..options.clone()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let env = app_env("THREADS", &options);
    let meta_only = app_env("META", &options);
    let (p, a, s, h) = (
        path.clone(),
        twin.url().to_string(),
        stingy.url().to_string(),
        twin.handle().clone(),
    );
    let (wrong_app, forged_run, token_requests, run, refused) = blocking(move || {
        init(&p);
        let wrong_app = connect(&p, &meta_only, &["threads", "--api", &a], |_| {
            panic!("the Meta app is not the Threads app")
        });
        let forged_run = connect(&p, &env, &["threads", "--api", &a], forged);
        let token_requests = h.requests_to("POST", "/oauth/access_token");
        let run = connect(
            &p,
            &env,
            &["threads", "--api", &a, "--json", "--id", "th"],
            |u| {
                let q = query(u);
                assert_eq!(u.path(), "/oauth/authorize");
                assert_eq!(q["response_type"], "code");
                assert_eq!(q["client_id"], "1234567890123456");
                let scopes: Vec<&str> = q["scope"].split(',').collect();
                assert!(
                    scopes.contains(&"threads_basic")
                        && scopes.contains(&"threads_content_publish")
                );
                follow(u);
            },
        );
        let refused = connect(&p, &env, &["threads", "--api", &s, "--id", "th2"], |u| {
            follow(u);
        });
        (wrong_app, forged_run, token_requests, run, refused)
    })
    .await;
    assert_eq!(wrong_app.status.code(), Some(3), "{}", wrong_app.stderr);
    assert!(
        wrong_app.stderr.contains("SOCIALKIT_THREADS_APP_ID"),
        "{}",
        wrong_app.stderr
    );
    assert_eq!(forged_run.status.code(), Some(3), "{}", forged_run.stderr);
    assert_eq!(token_requests, 0, "a forged state redeems no code");

    assert!(run.status.success(), "{}{}", run.stdout, run.stderr);
    let row: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(row["platform"], "threads");
    assert_eq!(row["handle"], "acme");
    assert_eq!(
        twin.handle().requests_to("GET", "/access_token"),
        1,
        "one th_exchange_token"
    );
    let settings = stored(&path, "th").await;
    assert_eq!(settings["user_id"], options.account_id.as_str());
    assert_eq!(
        settings["token"],
        options.token.as_str(),
        "the long-lived token"
    );
    let expires: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(settings["token_expires_at"].clone()).unwrap();
    let days = (expires - chrono::Utc::now()).num_days();
    assert!((58..=60).contains(&days), "about 60 days: {expires}");

    assert_eq!(refused.status.code(), Some(5), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("threads_content_publish"),
        "{}",
        refused.stderr
    );
    let p = path.clone();
    let channels = blocking(move || listed(&p)).await;
    assert_eq!(channels.len(), 1, "{channels:?}");
    assert_eq!(channels[0]["id"], "th");
    assert!(
        channels[0]["url"]
            .as_str()
            .unwrap()
            .starts_with("http+threads://127.0.0.1"),
        "{channels:?}"
    );
    assert!(!holds(&store_bytes(&path), &options.token));
    never_printed(
        &[&forged_run, &run, &refused],
        &[&options.token, &options.user_token, &options.app_secret],
    );
}
