//! The `socialkit` binary, run for real (assert_cmd) against sandbox channels in a temporary
//! directory; one test against the Mastodon twin when the `mastodon` and `testkit` features
//! are on.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

#[cfg(all(feature = "testkit", feature = "sqlite"))]
mod connect;
#[cfg(all(feature = "testkit", feature = "sqlite"))]
mod connect_meta;
#[cfg(all(feature = "postgres", feature = "testkit"))]
mod postgres;

/// The binary in `dir`, with no `SOCIALKIT_*` variables from the environment.
fn sk(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("socialkit").unwrap();
    c.current_dir(dir);
    for v in [
        "SOCIALKIT_STORE",
        "SOCIALKIT_WORKSPACE",
        "SOCIALKIT_USER",
        "SOCIALKIT_CONFIG",
        "SOCIALKIT_VAULT_KEYS",
        "SOCIALKIT_VAULT_KEY_FILE",
        "SOCIALKIT_APP_PASSWORD",
    ] {
        c.env_remove(v);
    }
    c
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}", String::from_utf8_lossy(out));
    })
}

/// A directory with an initialised workspace `acme` (owner olga) and channel `acme`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    sk(dir.path())
        .args(["init", "--workspace", "acme", "--user", "olga"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Created workspace 'acme'"));
    // Each process has its own sandbox world: what one command published, the next one's
    // sandbox does not see (the store remembers it).
    sk(dir.path())
        .args(["channel", "add", "sandbox://acme?seed=42", "--id", "acme"])
        .assert()
        .success();
    dir
}

fn example_campaign() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/campaign.toml").to_string()
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    sk(dir.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("Exit codes"))
        .stdout(predicate::str::contains("SOCIALKIT_"));
    sk(dir.path())
        .args(["post", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--submit-for-approval"))
        .stdout(predicate::str::contains("Europe/Berlin"));
    // A usage error is exit code 2 (clap).
    sk(dir.path()).args(["post"]).assert().code(2);
}

#[test]
fn completions_for_three_shells() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_socialkit()"),
        ("zsh", "#compdef socialkit"),
        ("fish", "complete -c socialkit"),
    ] {
        sk(dir.path())
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains(marker))
            .stdout(predicate::str::contains("inbox"));
    }
}

#[test]
fn config_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("socialkit.toml"),
        "store = \"sqlite:from-file.db\"\nworkspace = \"file-ws\"\nuser = \"fiona\"\n",
    )
    .unwrap();
    let out = sk(dir.path()).args(["--json", "init"]).assert().success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["workspace"], "file-ws");
    assert_eq!(v["store"], "sqlite:from-file.db");
    assert_eq!(v["owner"], "fiona");
    let out = sk(dir.path())
        .env("SOCIALKIT_WORKSPACE", "env-ws")
        .args(["--json", "init"])
        .assert()
        .success();
    assert_eq!(json_of(&out.get_output().stdout)["workspace"], "env-ws");
    let out = sk(dir.path())
        .env("SOCIALKIT_WORKSPACE", "env-ws")
        .args(["--json", "init", "--workspace", "flag-ws"])
        .assert()
        .success();
    assert_eq!(json_of(&out.get_output().stdout)["workspace"], "flag-ws");
    assert!(dir.path().join("from-file.db").exists());
}

#[test]
fn errors_say_what_to_do_with_meaningful_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    // No store yet: configuration (7), and what to run.
    sk(dir.path())
        .args(["queue"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("socialkit init"))
        .stderr(predicate::str::contains("what to do"));
    // PostgreSQL: without the feature, not supported (9), with how to get it; with it, a
    // server that is not there is a store problem (7) (tests/cli/postgres.rs runs the rest).
    if cfg!(feature = "postgres") {
        sk(dir.path())
            .args(["--store", "postgres://127.0.0.1:1/db", "queue"])
            .assert()
            .code(7)
            .stderr(predicate::str::contains("PostgreSQL"));
    } else {
        sk(dir.path())
            .args(["--store", "postgres://localhost/db", "queue"])
            .assert()
            .code(9)
            .stderr(predicate::str::contains("--features cli,postgres"));
    }
    let dir = workspace();
    // Unknown channel: not found (4).
    sk(dir.path())
        .args(["post", "hi", "--to", "nope"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("channel list"));
    // Bad time: invalid input (3), before anything is stored.
    sk(dir.path())
        .args(["post", "hi", "--to", "acme", "--at", "next tuesday"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("YYYY-MM-DD HH:MM Zone/Name"));
    sk(dir.path())
        .args(["post", "hi", "--to", "acme", "--media", "missing.png"])
        .assert()
        .code(3);
    // Too long for the channel: validation from the library, with what to do.
    let long = "x".repeat(600);
    sk(dir.path())
        .args(["post", &long, "--to", "acme"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("fix the input"));
    // --connect: a platform without a terminal flow is not supported (9), and says what to
    // do; a flow without its input is invalid (3).
    sk(dir.path())
        .args(["channel", "add", "--connect", "myspace"])
        .assert()
        .code(9)
        .stderr(predicate::str::contains("add the channel by URL"));
    sk(dir.path())
        .args(["channel", "add", "--connect", "bluesky"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("--handle"));
    // With --json the error is JSON on stdout, and no Rust debug dump anywhere.
    let out = sk(dir.path())
        .args(["--json", "approve", "p-missing"])
        .assert()
        .code(4);
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["error"]["kind"], "not_found");
    assert_eq!(v["error"]["exit_code"], 4);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        !stderr.contains("Error {") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn tokens_never_print() {
    let dir = workspace();
    // A URL with credentials the registry cannot build (feature off, or refused): the error
    // must not echo the secret.
    let out = sk(dir.path())
        .args(["channel", "add", "nosuch://SECRETTOKEN123@example.invalid"])
        .assert()
        .failure();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.get_output().stdout),
        String::from_utf8_lossy(&out.get_output().stderr)
    );
    assert!(!all.contains("SECRETTOKEN123"), "{all}");
    // Listing shows scheme and host only.
    let out = sk(dir.path())
        .args(["--json", "channel", "list"])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v[0]["url"], "sandbox://acme");
    assert!(!String::from_utf8_lossy(&out.get_output().stdout).contains("seed=42"));
}

#[test]
fn channel_add_list_remove() {
    let dir = workspace();
    sk(dir.path())
        .args([
            "channel",
            "add",
            "sandbox://second",
            "--min-spacing-minutes",
            "30",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Connected channel 'second'"));
    // The same id twice: conflict (8).
    sk(dir.path())
        .args(["channel", "add", "sandbox://second"])
        .assert()
        .code(8);
    let out = sk(dir.path())
        .args(["--json", "channel", "list", "--check"])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["acme", "second"]);
    assert_eq!(v[1]["health"], "connected (checked)");
    assert_eq!(v[1]["handle"], "second");
    assert_eq!(v[1]["min_spacing_secs"], 1800);
    // A channel with a post waiting cannot be removed; after publishing it can.
    sk(dir.path())
        .args(["post", "hello", "--to", "second"])
        .assert()
        .success();
    sk(dir.path())
        .args(["channel", "remove", "second"])
        .assert()
        .code(8)
        .stderr(predicate::str::contains("worker --once"));
    sk(dir.path()).args(["worker", "--once"]).assert().success();
    sk(dir.path())
        .args(["channel", "remove", "second"])
        .assert()
        .success();
    let out = sk(dir.path())
        .args(["--json", "channel", "list"])
        .assert()
        .success();
    assert_eq!(
        json_of(&out.get_output().stdout).as_array().unwrap().len(),
        1
    );
    sk(dir.path())
        .args(["channel", "remove", "second"])
        .assert()
        .code(4);
}

#[test]
fn post_queue_worker_and_approvals() {
    let dir = workspace();
    // A thread with an image and alt text, now.
    let png = dir.path().join("anvil.png");
    std::fs::write(
        &png,
        socialkit::adapters::sandbox::sample_png(32, 32, [200, 30, 30]),
    )
    .unwrap();
    let out = sk(dir.path())
        .args([
            "--json",
            "post",
            "Our anvil is here",
            "--to",
            "acme",
            "--media",
            png.to_str().unwrap(),
            "--alt",
            "A red anvil",
            "--thread",
            "It weighs 50 kg.",
        ])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v[0]["state"], "scheduled");
    // One for later, in a zone.
    let out = sk(dir.path())
        .args([
            "--json",
            "post",
            "Merry Christmas",
            "--to",
            "acme",
            "--at",
            "2099-12-24 09:00 Europe/Berlin",
        ])
        .assert()
        .success();
    assert_eq!(
        json_of(&out.get_output().stdout)[0]["scheduled_for"],
        "2099-12-24T08:00:00Z"
    );
    // One for review.
    let out = sk(dir.path())
        .args([
            "--json",
            "post",
            "Needs a look",
            "--to",
            "acme",
            "--submit-for-approval",
        ])
        .assert()
        .success();
    let review = json_of(&out.get_output().stdout)[0]["post"]
        .as_str()
        .unwrap()
        .to_string();
    // The worker publishes what is due: the thread, not the Christmas post, not the draft.
    let out = sk(dir.path())
        .args(["--json", "worker", "--once"])
        .assert()
        .success();
    assert_eq!(json_of(&out.get_output().stdout)["published"], 1);
    let out = sk(dir.path()).args(["--json", "queue"]).assert().success();
    let q = json_of(&out.get_output().stdout);
    let states: Vec<&str> = q
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["published", "scheduled", "in_review"]);
    assert!(
        q[0]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://sandbox.invalid/@acme/")
    );
    assert_eq!(q[2]["reason"], "submitted for review");
    // Reject sends it back with the reason; the queue says why.
    sk(dir.path())
        .args(["reject", &review, "--reason", "wrong price"])
        .assert()
        .success();
    let out = sk(dir.path())
        .args(["--json", "queue", "--state", "changes_requested"])
        .assert()
        .success();
    let q = json_of(&out.get_output().stdout);
    assert_eq!(q[0]["reason"], "wrong price");
    // Approving a post that is not in review is a conflict (8).
    sk(dir.path()).args(["approve", &review]).assert().code(8);
    // A second one for review, approved and published.
    let out = sk(dir.path())
        .args([
            "--json",
            "post",
            "Second try",
            "--to",
            "acme",
            "--submit-for-approval",
        ])
        .assert()
        .success();
    let second = json_of(&out.get_output().stdout)[0]["post"]
        .as_str()
        .unwrap()
        .to_string();
    sk(dir.path())
        .args(["approve", &second, "--reason", "looks good"])
        .assert()
        .success()
        .stdout(predicate::str::contains("approved"));
    sk(dir.path()).args(["worker", "--once"]).assert().success();
    let out = sk(dir.path())
        .args(["--json", "queue", "--post", &second])
        .assert()
        .success();
    assert_eq!(json_of(&out.get_output().stdout)[0]["state"], "published");
    // Tables for people.
    sk(dir.path())
        .args(["queue", "--channel", "acme"])
        .assert()
        .success()
        .stdout(predicate::str::contains("changes_requested"))
        .stdout(predicate::str::contains("wrong price"));
}

/// The long-running worker: publishes, prints what it did, and stops cleanly on SIGINT.
#[cfg(unix)]
#[test]
fn worker_runs_until_interrupted() {
    let dir = workspace();
    sk(dir.path())
        .args(["post", "Live", "--to", "acme"])
        .assert()
        .success();
    let bin = assert_cmd::cargo::cargo_bin("socialkit");
    let mut child = StdCommand::new(bin)
        .current_dir(dir.path())
        .arg("worker")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Wait for the publish line (bounded: the test fails rather than hangs).
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the worker printed nothing");
    assert!(
        line.starts_with("published on acme: https://sandbox.invalid/@acme/"),
        "{line}"
    );
    let status = StdCommand::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit {:?}", out.status);
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(
        rest.iter().any(|l| l.starts_with("published 1 · failed 0")),
        "{rest:?}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("worker stopped"));
}

#[test]
fn plan_prints_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let out = sk(dir.path())
        .args(["--json", "plan", &example_campaign()])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert!(!v["calendar"].as_array().unwrap().is_empty());
    assert_eq!(v["campaign"]["name"], "spring-range");
    sk(dir.path())
        .args(["plan", &example_campaign()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Content mix"))
        .stdout(predicate::str::contains("alpenglow-ig"));
    std::fs::write(dir.path().join("bad.toml"), "[organisation\n").unwrap();
    sk(dir.path()).args(["plan", "bad.toml"]).assert().code(3);
}

/// `run` with an incident, its report in three formats, and the inbox commands on the
/// imported items.
#[test]
fn run_report_and_inbox() {
    let dir = workspace();
    let out = sk(dir.path())
        .args([
            "--json",
            "run",
            &example_campaign(),
            "--report",
            "report.html",
            "--lang",
            "de",
            "--incident",
            "2026-04-08 10:00",
            "--import-inbox",
        ])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["campaign"], "spring-range");
    assert_eq!(
        v["published"].as_u64().unwrap() + v["failed"].as_u64().unwrap(),
        v["slots"].as_u64().unwrap()
    );
    assert!(
        v["crises"].as_u64().unwrap() >= 1,
        "the incident raises a crisis alarm: {v}"
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains(r#"<html lang="de">"#) && html.contains("Krisenalarm"));

    // The summary on the terminal in either language, with the report's own words.
    let text = |lang: &str| {
        let out = sk(dir.path())
            .args([
                "report",
                "--campaign",
                "spring-range",
                "--format",
                "text",
                "--lang",
                lang,
            ])
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let (de, en) = (text("de"), text("en"));
    assert!(de.contains("Empfohlene Anpassungen:"), "{de}");
    assert!(en.contains("Recommended adjustments:"), "{en}");
    let adjustments = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("  - "))
            .map(str::to_string)
            .collect()
    };
    let (de_lines, en_lines) = (adjustments(&de), adjustments(&en));
    assert_eq!(de_lines.len(), en_lines.len());
    assert!(
        !de_lines.is_empty(),
        "the incident run recommends changes: {en}"
    );
    assert!(
        de_lines.iter().zip(&en_lines).any(|(d, e)| d != e),
        "worded in German: {de}"
    );

    // The stored report, again, in every format.
    let out = sk(dir.path())
        .args([
            "report",
            "--campaign",
            "spring-range",
            "--format",
            "csv",
            "--table",
            "posts",
        ])
        .assert()
        .success();
    let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        socialkit::report::POSTS_COLUMNS.join(",")
    );
    assert_eq!(csv.lines().count() as u64, v["slots"].as_u64().unwrap() + 1);
    for (table, columns) in [
        ("inbox", socialkit::report::INBOX_COLUMNS.join(",")),
        (
            "evaluation",
            socialkit::report::EVALUATION_COLUMNS.join(","),
        ),
    ] {
        sk(dir.path())
            .args([
                "report",
                "--campaign",
                "spring-range",
                "--format",
                "csv",
                "--table",
                table,
            ])
            .assert()
            .success()
            .stdout(predicate::str::starts_with(columns));
    }
    let out = sk(dir.path())
        .args(["report", "--campaign", "spring-range", "--format", "json"])
        .assert()
        .success();
    let back = socialkit::report::CampaignReport::from_json(&String::from_utf8_lossy(
        &out.get_output().stdout,
    ))
    .unwrap();
    assert_eq!(back.campaign, "spring-range");
    sk(dir.path())
        .args([
            "report",
            "--campaign",
            "spring-range",
            "--out",
            "again.html",
        ])
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(dir.path().join("again.html"))
            .unwrap()
            .contains("Campaign report")
    );
    sk(dir.path())
        .args(["report", "--campaign", "autumn"])
        .assert()
        .code(4);

    // The inbox: list with filters, show, assign, resolve, saved views, reply.
    let out = sk(dir.path())
        .args([
            "--json",
            "inbox",
            "list",
            "--intent",
            "complaint",
            "--limit",
            "500",
        ])
        .assert()
        .success();
    let items = json_of(&out.get_output().stdout);
    let items = items.as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["intent"] == "complaint"));
    let key = items[0]["key"].as_str().unwrap().to_string();
    sk(dir.path())
        .args(["inbox", "show", &key])
        .assert()
        .success()
        .stdout(predicate::str::contains("complaint"));
    let out = sk(dir.path())
        .args(["--json", "inbox", "assign", &key, "ana"])
        .assert()
        .success();
    assert_eq!(json_of(&out.get_output().stdout)["assignee"], "ana");
    sk(dir.path())
        .args(["inbox", "list", "--assignee", "ana", "--save-view", "anas"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Saved view 'anas'"));
    let out = sk(dir.path())
        .args(["--json", "inbox", "list", "--view", "anas"])
        .assert()
        .success();
    assert_eq!(
        json_of(&out.get_output().stdout).as_array().unwrap().len(),
        1
    );
    let out = sk(dir.path())
        .args(["--json", "inbox", "views"])
        .assert()
        .success();
    let views = json_of(&out.get_output().stdout);
    assert!(
        views
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["view"] == "anas" && v["count"] == 1)
    );
    let out = sk(dir.path())
        .args(["--json", "inbox", "resolve", &key])
        .assert()
        .success();
    assert_eq!(json_of(&out.get_output().stdout)["state"], "resolved");
    sk(dir.path())
        .args(["inbox", "show", "not-a-key"])
        .assert()
        .code(3);
    sk(dir.path())
        .args(["inbox", "show", "a/b/c"])
        .assert()
        .code(4);

    // A reply needs the item's channel connected; then it is queued in the outbox, once.
    let channel = items[1]["channel"].as_str().unwrap().to_string();
    let key2 = items[1]["key"].as_str().unwrap().to_string();
    sk(dir.path())
        .args(["inbox", "reply", &key2, "Sorry!"])
        .assert()
        .code(4);
    sk(dir.path())
        .args([
            "channel",
            "add",
            &format!("sandbox://{channel}"),
            "--id",
            &channel,
        ])
        .assert()
        .success();
    let out = sk(dir.path())
        .args(["--json", "inbox", "reply", &key2, "Sorry!"])
        .assert()
        .success();
    let first = json_of(&out.get_output().stdout)["delivery"].clone();
    let out = sk(dir.path())
        .args(["--json", "inbox", "reply", &key2, "Sorry again!"])
        .assert()
        .success();
    assert_eq!(
        json_of(&out.get_output().stdout)["delivery"],
        first,
        "no second reply"
    );
    let out = sk(dir.path())
        .args(["--json", "queue", "--channel", &channel])
        .assert()
        .success();
    let q = json_of(&out.get_output().stdout);
    assert_eq!(q.as_array().unwrap().len(), 1);
    assert_eq!(q[0]["reply"], true);
    assert_eq!(q[0]["text"], "Sorry!");
}

#[test]
fn inbox_sync_and_listen_on_a_sandbox_channel() {
    let dir = workspace();
    let out = sk(dir.path())
        .args(["--json", "inbox", "sync"])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["failed"].as_array().unwrap().len(), 0);
    let out = sk(dir.path())
        .args([
            "--json",
            "listen",
            "#acme OR acme",
            "--days",
            "2",
            "--bucket-hours",
            "6",
        ])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["channels"][0]["channel"], "acme");
    assert!(v["channels"][0]["error"].is_null(), "{v}");
    assert_eq!(v["report"]["bucket_secs"], 6 * 3600);
    sk(dir.path()).args(["listen", "NOT"]).assert().code(3);
}

/// The same commands against the Mastodon twin (a local fake of the Mastodon API).
#[cfg(all(feature = "mastodon", feature = "testkit"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_and_worker_against_the_mastodon_twin() {
    use socialkit::adapters::mastodon::twin::Twin;
    let twin = Twin::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let url = twin.channel_url();
    let token = twin.token().to_string();
    let outputs = tokio::task::spawn_blocking(move || {
        let mut all = Vec::new();
        for args in [
            vec!["init"],
            vec!["channel", "add", url.as_str(), "--id", "masto"],
            vec!["channel", "list", "--check"],
            vec!["post", "Hello from the command line", "--to", "masto"],
            vec!["--json", "worker", "--once"],
            vec!["--json", "queue"],
        ] {
            let out = sk(&path).args(&args).assert().success();
            all.push(
                String::from_utf8_lossy(&out.get_output().stdout).to_string()
                    + &String::from_utf8_lossy(&out.get_output().stderr),
            );
        }
        all
    })
    .await
    .unwrap();
    assert!(
        outputs.iter().all(|o| !o.contains(&token)),
        "the token never prints"
    );
    assert!(outputs[2].contains("connected (checked)"), "{}", outputs[2]);
    let q: Value = serde_json::from_str(&outputs[5]).unwrap();
    assert_eq!(q[0]["state"], "published");
    assert_eq!(twin.handle().statuses_created(), 1);
    assert!(
        twin.handle()
            .statuses()
            .iter()
            .any(|s| s.text.contains("Hello from the command line"))
    );
}

/// Channels live in the vault: sealed in the store with the key `init` wrote (owner-only),
/// restored by every command; a store written by the CLI before the vault (channel URLs in
/// the clear setting `cli.channels`) is moved into the vault on first use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_are_sealed_in_the_vault_and_old_plaintext_channels_are_migrated() {
    use socialkit::store::{SqliteStore, Store};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let p = path.clone();
    tokio::task::spawn_blocking(move || {
        sk(&p)
            .args(["init", "--workspace", "acme", "--user", "olga"])
            .assert()
            .success()
            .stdout(predicate::str::contains("vault key"));
        sk(&p)
            .args(["channel", "add", "sandbox://acme?seed=4242", "--id", "acme"])
            .assert()
            .success();
    })
    .await
    .unwrap();
    let key_file = path.join("socialkit.db.keys");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is the owner's only");
    }
    for file in ["socialkit.db", "socialkit.db-wal"] {
        let raw = std::fs::read(path.join(file)).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&raw).contains("seed=4242"),
            "the channel URL is sealed ({file})"
        );
    }

    // A store as the CLI wrote it before the vault: the URL in the clear setting.
    {
        let store = SqliteStore::open(path.join("socialkit.db")).unwrap();
        store
            .put_setting(
                &"acme".into(),
                "cli.channels",
                &serde_json::json!({"old": {"url": "sandbox://old?seed=7"}}),
            )
            .await
            .unwrap();
    }
    let p = path.clone();
    let out = tokio::task::spawn_blocking(move || {
        let out = sk(&p)
            .args(["--json", "channel", "list"])
            .assert()
            .success();
        (
            String::from_utf8_lossy(&out.get_output().stdout).to_string(),
            String::from_utf8_lossy(&out.get_output().stderr).to_string(),
        )
    })
    .await
    .unwrap();
    assert!(
        out.1
            .contains("Moved channel 'old' into the encrypted vault"),
        "{}",
        out.1
    );
    let v: Value = serde_json::from_str(&out.0).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["acme", "old"]);
    assert_eq!(v[1]["health"], "connected");
    assert!(!out.0.contains("seed=7") && !out.1.contains("seed=7"));
    let store = SqliteStore::open(path.join("socialkit.db")).unwrap();
    assert_eq!(
        store.setting(&"acme".into(), "cli.channels").await.unwrap(),
        Some(serde_json::json!({})),
        "the clear copy is gone"
    );
    drop(store);

    // Without the key the channels cannot be opened: a clear error naming the key id.
    std::fs::write(
        &key_file,
        format!("k9:{}\n", socialkit::store::vault::KeyRing::generate_key()),
    )
    .unwrap();
    let p = path.clone();
    let out = tokio::task::spawn_blocking(move || {
        let out = sk(&p)
            .args(["--json", "channel", "list"])
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stdout).to_string()
    })
    .await
    .unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v[0]["health"].as_str().unwrap().contains("k1"),
        "names the missing key: {v}"
    );
}

/// `channel add --connect mastodon`: app registration on the instance, the authorization URL
/// (state + PKCE), a local callback server, the code exchange, the channel in the vault. The
/// Mastodon twin plays the instance; the test plays the browser (the twin approves with its
/// fixed code).
#[cfg(all(feature = "mastodon", feature = "testkit"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_mastodon_with_a_local_callback() {
    use socialkit::adapters::mastodon::twin::Twin;
    let twin = Twin::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let instance = twin.url().to_string();
    let p = path.clone();
    let (status, stdout, stderr) = tokio::task::spawn_blocking(move || {
        sk(&p).args(["init"]).assert().success();
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("socialkit"))
            .current_dir(&p)
            .env_remove("SOCIALKIT_VAULT_KEYS")
            .args([
                "channel",
                "add",
                "--connect",
                "mastodon",
                "--instance",
                &instance,
                "--id",
                "masto",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        // The URL to open is printed on the line after "Open this URL".
        let authorize = loop {
            let mut line = String::new();
            assert!(
                err.read_line(&mut line).unwrap() > 0,
                "no URL printed: {seen}"
            );
            seen.push_str(&line);
            if line.trim_start().starts_with("http") && line.contains("oauth/authorize") {
                break url::Url::parse(line.trim()).unwrap();
            }
        };
        let q: std::collections::HashMap<String, String> =
            authorize.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        // The browser comes back with the code and the state.
        let back = format!("{}?code=twin-code&state={}", q["redirect_uri"], q["state"]);
        let answer = http_get(&back);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status,
            String::from_utf8_lossy(&out.stdout).to_string(),
            seen + &rest,
        )
    })
    .await
    .unwrap();
    assert!(status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("Connected channel 'masto'"), "{stdout}");
    let p = path.clone();
    let list = tokio::task::spawn_blocking(move || {
        let out = sk(&p)
            .args(["--json", "channel", "list", "--check"])
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stdout).to_string()
    })
    .await
    .unwrap();
    let v: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(v[0]["id"], "masto");
    assert_eq!(v[0]["health"], "connected (checked)");
}

/// `channel add --connect bluesky`: the app password from the environment, checked by a
/// sign-in before the channel is kept; a wrong one keeps nothing.
#[cfg(all(feature = "bluesky", feature = "testkit"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_bluesky_with_an_app_password() {
    use socialkit::adapters::bluesky::twin::BlueskyTwin;
    let twin = BlueskyTwin::start().await.unwrap();
    let channel = url::Url::parse(&twin.channel_url("alice.test").unwrap()).unwrap();
    let password = channel.password().unwrap().to_string();
    let pds = format!(
        "http://{}:{}",
        channel.host_str().unwrap(),
        channel.port().unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let (bad, good, list) = tokio::task::spawn_blocking(move || {
        sk(&path).args(["init"]).assert().success();
        let add = |pw: &str| {
            sk(&path)
                .env("SOCIALKIT_APP_PASSWORD", pw)
                .args([
                    "channel",
                    "add",
                    "--connect",
                    "bluesky",
                    "--handle",
                    "alice.test",
                    "--pds",
                    &pds,
                    "--id",
                    "bsky",
                ])
                .assert()
        };
        let bad = add("wrong-password").code(5);
        let bad = String::from_utf8_lossy(&bad.get_output().stderr).to_string();
        let good = add(&password).success();
        let good = String::from_utf8_lossy(&good.get_output().stdout).to_string();
        let out = sk(&path)
            .args(["--json", "channel", "list"])
            .assert()
            .success();
        (
            bad,
            good,
            String::from_utf8_lossy(&out.get_output().stdout).to_string(),
        )
    })
    .await
    .unwrap();
    assert!(bad.contains("app password"), "{bad}");
    assert!(good.contains("Connected channel 'bsky'"), "{good}");
    let v: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(
        v.as_array().unwrap().len(),
        1,
        "the refused attempt kept nothing"
    );
    assert_eq!(v[0]["health"], "connected");
    assert_eq!(
        twin.stats().sessions_created,
        1,
        "one sign-in, with the right password"
    );
}

/// A plain HTTP/1.1 GET over a TCP socket (the browser's redirect to the local callback).
#[cfg(all(feature = "mastodon", feature = "testkit"))]
fn http_get(url: &str) -> String {
    use std::io::{Read, Write};
    let u = url::Url::parse(url).unwrap();
    let mut sock =
        std::net::TcpStream::connect((u.host_str().unwrap(), u.port().unwrap())).unwrap();
    let target = format!("{}?{}", u.path(), u.query().unwrap_or(""));
    write!(
        sock,
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        u.host_str().unwrap()
    )
    .unwrap();
    let mut answer = String::new();
    sock.read_to_string(&mut answer).unwrap();
    answer
}
