//! `channel add --connect x | linkedin | reddit` run for real against the platforms' twins.
//! The test plays the browser: it reads the authorization URL the binary prints, follows it
//! to the twin's consent page (X, LinkedIn; the twin approves at once and redirects) or
//! calls the local callback itself with the twin's code (Reddit), and then reads what the
//! binary sealed in the vault.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, ExitStatus, Stdio};
use std::sync::Arc;

use serde_json::Value;

use super::sk;

/// What one `channel add --connect` run gave.
pub(super) struct Run {
    pub(super) status: ExitStatus,
    pub(super) stdout: String,
    pub(super) stderr: String,
}

/// A plain HTTP/1.1 GET: the status line, the `Location` header, the whole answer.
pub(super) fn get(url: &str) -> (String, Option<String>, String) {
    let u = url::Url::parse(url).unwrap();
    let mut sock =
        std::net::TcpStream::connect((u.host_str().unwrap(), u.port().unwrap())).unwrap();
    let target = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    };
    write!(
        sock,
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        u.host_str().unwrap()
    )
    .unwrap();
    let mut answer = String::new();
    sock.read_to_string(&mut answer).unwrap();
    let status = answer.lines().next().unwrap_or("").to_string();
    let location = answer
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("location"))
        })
        .map(|(_, v)| v.trim().to_string());
    (status, location, answer)
}

/// The browser at a twin's consent page: follows the authorization URL to the twin, which
/// approves and redirects to the local callback; returns the callback's answer.
pub(super) fn follow(authorize: &url::Url) -> String {
    let (status, location, answer) = get(authorize.as_str());
    assert!(status.contains(" 302"), "the twin approves: {answer}");
    let (status, _, answer) = get(&location.expect("a redirect"));
    assert!(status.contains(" 200"), "{answer}");
    answer
}

/// Runs `socialkit channel add --connect …` in `dir` with `env`, plays `browser` with the
/// authorization URL once it is printed, and waits for the binary.
pub(super) fn connect(
    dir: &Path,
    env: &[(&str, String)],
    args: &[&str],
    browser: impl FnOnce(&url::Url),
) -> Run {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("socialkit"));
    cmd.current_dir(dir)
        .env_remove("SOCIALKIT_VAULT_KEYS")
        .args(["channel", "add", "--connect"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for v in ["X", "LINKEDIN", "REDDIT"] {
        cmd.env_remove(format!("SOCIALKIT_{v}_CLIENT_ID"))
            .env_remove(format!("SOCIALKIT_{v}_CLIENT_SECRET"));
    }
    for v in ["META", "THREADS"] {
        cmd.env_remove(format!("SOCIALKIT_{v}_APP_ID"))
            .env_remove(format!("SOCIALKIT_{v}_APP_SECRET"));
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            break; // ended before printing a URL (a refusal up front)
        }
        seen.push_str(&line);
        if line.trim_start().starts_with("http") && line.contains("state=") {
            browser(&url::Url::parse(line.trim()).unwrap());
            break;
        }
    }
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: seen + &rest,
    }
}

pub(super) fn query(url: &url::Url) -> std::collections::HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// The channel config the binary sealed in the vault of `dir` (workspace `acme`).
pub(super) async fn stored(dir: &Path, channel: &str) -> Value {
    use socialkit::store::vault::{ChannelSource, KeyRing, Vault};
    use socialkit::store::{SqliteStore, Store};
    let keys = std::fs::read_to_string(dir.join("socialkit.db.keys")).unwrap();
    let store = SqliteStore::open(dir.join("socialkit.db")).unwrap();
    let vault = Vault::new(
        store.vault().unwrap(),
        Arc::new(KeyRing::parse(&keys).unwrap()),
    );
    match vault
        .open(&"acme".into(), &channel.into())
        .await
        .unwrap()
        .source
    {
        ChannelSource::Config(c) => c.settings,
        ChannelSource::Url(_) => panic!("stored as a URL: no refreshable token slots"),
    }
}

/// `channel list --json` in `dir`.
pub(super) fn listed(dir: &Path) -> Vec<Value> {
    let out = sk(dir)
        .args(["--json", "channel", "list"])
        .assert()
        .success();
    match serde_json::from_slice::<Value>(&out.get_output().stdout).unwrap() {
        Value::Array(rows) => rows,
        other => panic!("not a list: {other}"),
    }
}

pub(super) fn channel_count(dir: &Path) -> usize {
    listed(dir).len()
}

pub(super) fn init(dir: &Path) {
    sk(dir)
        .args(["init", "--workspace", "acme", "--user", "olga"])
        .assert()
        .success();
}

pub(super) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

/// X: PKCE S256 at the consent page, the code exchanged, the refresh token and expiry
/// stored where the engine refreshes them, the client id from the environment; a user who
/// withholds `offline.access` keeps nothing; no client id stops before any URL.
#[cfg(feature = "x")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_x_stores_a_refreshable_token() {
    use socialkit::adapters::x::twin::{Twin, TwinOptions};
    let twin = Twin::start().await.unwrap();
    let api = twin.url().to_string();
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().to_path_buf();
    let (p, a) = (path.clone(), api.clone());
    let (missing, run) = blocking(move || {
        init(&p);
        let missing = connect(&p, &[], &["x", "--api", &a], |_| {
            panic!("no URL without a client id")
        });
        let env = [("SOCIALKIT_X_CLIENT_ID", "sk-test-app".to_string())];
        let run = connect(
            &p,
            &env,
            &["x", "--api", &a, "--json", "--id", "xacme"],
            |authorize| {
                let q = query(authorize);
                assert_eq!(authorize.path(), "/i/oauth2/authorize");
                assert_eq!(q["code_challenge_method"], "S256");
                assert_eq!(q["client_id"], "sk-test-app");
                assert!(q["scope"].contains("offline.access"));
                let page = follow(authorize);
                assert!(page.contains("Authorization received"), "{page}");
            },
        );
        (missing, run)
    })
    .await;
    assert_eq!(missing.status.code(), Some(3), "{}", missing.stderr);
    assert!(
        missing.stderr.contains("SOCIALKIT_X_CLIENT_ID"),
        "{}",
        missing.stderr
    );
    assert!(run.status.success(), "{}{}", run.stdout, run.stderr);
    let row: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(row["id"], "xacme");
    assert_eq!(row["platform"], "x");
    assert_eq!(row["handle"], "acme");
    let settings = stored(&path, "xacme").await;
    let (access, refresh) = {
        let g = twin.handle();
        (g.access_token(), g.refresh_token())
    };
    assert_eq!(settings["token"], access.as_str());
    assert_eq!(settings["refresh"]["refresh_token"], refresh.as_str());
    assert_eq!(settings["refresh"]["client_id"], "sk-test-app");
    assert!(settings["expires_at"].is_string(), "{settings}");
    assert_eq!(settings["username"], "acme");
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains(&access) && !text.contains(&refresh),
            "{text}"
        );
    }

    // A user who grants everything but offline.access: refused, nothing kept.
    let options = TwinOptions {
        granted_scopes: Some(
            ["tweet.read", "tweet.write", "users.read", "media.write"]
                .map(String::from)
                .to_vec(),
        ),
        ..TwinOptions::default()
    };
    let stingy = Twin::start_with(options).await.unwrap();
    let a = stingy.url().to_string();
    let p = path.clone();
    let (run, count) = blocking(move || {
        let env = [("SOCIALKIT_X_CLIENT_ID", "sk-test-app".to_string())];
        let run = connect(&p, &env, &["x", "--api", &a, "--id", "stingy"], |u| {
            follow(u);
        });
        (run, channel_count(&p))
    })
    .await;
    assert_eq!(run.status.code(), Some(5), "{}", run.stderr);
    assert!(run.stderr.contains("offline.access"), "{}", run.stderr);
    assert_eq!(count, 1, "only the first channel");
}

/// LinkedIn as a member (client secret from the environment, never printed) and as an
/// organization the member administers: listed by name and URN without `--account`
/// (nothing stored), then chosen; a URN the member does not administer keeps nothing.
#[cfg(feature = "linkedin")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_linkedin_as_member_and_as_an_organization() {
    use socialkit::adapters::linkedin::twin::{Twin, TwinOptions};
    let member = Twin::start_with(TwinOptions {
        refresh_token: Some("twin-li-refresh".into()),
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let mut org_scopes: Vec<String> = socialkit::adapters::linkedin::oauth::ORGANIZATION_SCOPES
        .map(String::from)
        .to_vec();
    org_scopes.push("openid".into());
    let admin = Twin::start_with(TwinOptions {
        scopes: org_scopes,
        administered: vec![
            ("urn:li:organization:2414183".into(), "Acme Anvils".into()),
            ("urn:li:organization:7777".into(), "Acme Outlet".into()),
        ],
        ..TwinOptions::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let (p, m, o) = (
        path.clone(),
        member.url().to_string(),
        admin.url().to_string(),
    );
    let env = vec![
        ("SOCIALKIT_LINKEDIN_CLIENT_ID", "li-app".to_string()),
        ("SOCIALKIT_LINKEDIN_CLIENT_SECRET", "li-s3cr3t".to_string()),
    ];
    let (as_member, listed, as_org, count) = blocking(move || {
        init(&p);
        let as_member = connect(&p, &env, &["linkedin", "--api", &m, "--id", "li"], |u| {
            let q = query(u);
            assert_eq!(u.path(), "/oauth/v2/authorization");
            assert!(!q.contains_key("code_challenge"), "LinkedIn takes no PKCE");
            assert!(q["scope"].contains("w_member_social"));
            follow(u);
        });
        let listed = connect(
            &p,
            &env,
            &["linkedin", "--api", &o, "--organization", "--json"],
            |u| {
                assert!(query(u)["scope"].contains("rw_organization_admin"));
                follow(u);
            },
        );
        let as_org = connect(
            &p,
            &env,
            &[
                "linkedin",
                "--api",
                &o,
                "--account",
                "urn:li:organization:7777",
                "--id",
                "outlet",
            ],
            |u| {
                follow(u);
            },
        );
        let stranger = connect(
            &p,
            &env,
            &[
                "linkedin",
                "--api",
                &o,
                "--account",
                "urn:li:organization:1",
            ],
            |u| {
                follow(u);
            },
        );
        assert_eq!(stranger.status.code(), Some(4), "{}", stranger.stderr);
        assert!(
            stranger
                .stderr
                .contains("urn:li:organization:2414183 (Acme Anvils)"),
            "names what there is: {}",
            stranger.stderr
        );
        (as_member, listed, as_org, channel_count(&p))
    })
    .await;
    assert!(
        as_member.status.success(),
        "{}{}",
        as_member.stdout,
        as_member.stderr
    );
    assert!(
        as_member.stdout.contains("Connected channel 'li'"),
        "{}",
        as_member.stdout
    );
    let li = stored(&path, "li").await;
    assert_eq!(li["token"], "twin-linkedin-token");
    assert_eq!(li["author"], "urn:li:person:twinmember");
    assert_eq!(li["refresh"]["refresh_token"], "twin-li-refresh");
    assert_eq!(li["refresh"]["client_secret"], "li-s3cr3t");
    assert!(li["expires_at"].is_string(), "{li}");

    assert!(listed.status.success(), "{}", listed.stderr);
    let choices: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(choices["choose_one"][0]["name"], "Acme Anvils");
    assert_eq!(choices["choose_one"][1]["id"], "urn:li:organization:7777");
    assert_eq!(choices["choose_one"][1]["name"], "Acme Outlet");
    assert!(listed.stderr.contains("--account"), "{}", listed.stderr);

    assert!(
        as_org.status.success(),
        "{}{}",
        as_org.stdout,
        as_org.stderr
    );
    let outlet = stored(&path, "outlet").await;
    assert_eq!(outlet["author"], "urn:li:organization:7777");
    assert_eq!(count, 2, "the listing stored nothing");
    for run in [&as_member, &listed, &as_org] {
        for text in [&run.stdout, &run.stderr] {
            assert!(
                !text.contains("li-s3cr3t") && !text.contains("twin-linkedin-token"),
                "{text}"
            );
        }
    }
}

/// Reddit: the browser comes back to the local callback with the twin's code (the twin has
/// no consent page); the permanent grant's refresh token is stored in the config's `auth`
/// slot; a forged state keeps nothing.
#[cfg(feature = "reddit")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_reddit_with_a_permanent_grant() {
    use socialkit::adapters::reddit::twin::{Twin, TwinOptions};
    let options = TwinOptions::default();
    let (client_id, secret) = (options.client_id.clone(), options.client_secret.clone());
    let twin = Twin::start_with(options).await.unwrap();
    let api = twin.url().to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let p = path.clone();
    let (forged, run, count) = blocking(move || {
        init(&p);
        let env = vec![
            ("SOCIALKIT_REDDIT_CLIENT_ID", client_id),
            ("SOCIALKIT_REDDIT_CLIENT_SECRET", secret),
        ];
        let args = [
            "reddit",
            "--api",
            &api,
            "--user-agent",
            "web:socialkit-test:1.0 (by /u/acme)",
            "--subreddit",
            "r/acme",
            "--id",
            "rd",
        ];
        let back = |state: &str, u: &url::Url| {
            let q = query(u);
            assert_eq!(q["duration"], "permanent");
            let (status, _, answer) = get(&format!(
                "{}?state={state}&code=twin-code",
                q["redirect_uri"]
            ));
            assert!(status.contains(" 200"), "{answer}");
        };
        let forged = connect(&p, &env, &args, |u| back("forged", u));
        let run = connect(&p, &env, &args, |u| back(&query(u)["state"], u));
        (forged, run, channel_count(&p))
    })
    .await;
    assert_eq!(forged.status.code(), Some(3), "{}", forged.stderr);
    assert!(forged.stderr.contains("state"), "{}", forged.stderr);
    assert!(run.status.success(), "{}{}", run.stdout, run.stderr);
    assert_eq!(count, 1, "the forged callback kept nothing");
    let settings = stored(&path, "rd").await;
    assert_eq!(settings["auth"]["type"], "token");
    assert!(
        settings["auth"]["refresh_token"]
            .as_str()
            .is_some_and(|r| r.starts_with("twin-refresh-")),
        "{settings}"
    );
    assert!(settings["auth"]["expires_at"].is_string(), "{settings}");
    assert_eq!(settings["subreddit"], "acme");
    assert!(settings.get("token").is_none());
}
