//! One interactive flow in a real terminal: `socialkit worker` in a tmux pane shows its live
//! status line, prints each publish, and on Ctrl-C finishes in-flight work and stops.
//!
//! Needs `tmux` (`apt-get install -y tmux`); without it the test prints `SKIPPED: …` and
//! passes, except with `CI=true`. The captured screens are kept in
//! `target/tmux-worker-screen.txt` for a person to read.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    assert!(
        out.status.success(),
        "tmux {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Captures the pane until `done` holds (at most 60 s, looking every 100 ms).
fn wait_for(session: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if done(&screen) {
            return screen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no {what} on screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_worker_in_a_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true needs tmux"
        );
        println!("SKIPPED: tmux is not installed (apt-get install -y tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("socialkit");
    let run = |args: &[&str]| {
        let s = Command::new(&bin)
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            s.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&s.stderr)
        );
    };
    run(&["init", "--workspace", "acme", "--user", "olga"]);
    run(&["channel", "add", "sandbox://acme", "--id", "acme"]);
    run(&["post", "Live from a terminal", "--to", "acme"]);

    let session = format!("socialkit-test-{}", std::process::id());
    let command = format!(
        "cd {} && {} worker; echo EXIT=$?; sleep 30",
        dir.path().display(),
        bin.display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "100",
        "-y",
        "12",
        &command,
    ]);
    let running = wait_for(&session, "status line", |s| {
        s.contains("published on acme:") && s.contains("published 1 · failed 0 · Ctrl-C to stop")
    });
    tmux(&["send-keys", "-t", &session, "C-c"]);
    let stopped = wait_for(&session, "clean stop", |s| s.contains("EXIT="));
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();

    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmux-worker-screen.txt");
    let _ = std::fs::write(
        &target,
        format!("--- running ---\n{running}\n--- after Ctrl-C ---\n{stopped}"),
    );
    println!("--- running ---\n{running}\n--- after Ctrl-C ---\n{stopped}");
    assert!(running.contains("worker started on sqlite:socialkit.db (1 channels); Ctrl-C to stop"));
    assert!(stopped.contains("worker stopped"), "{stopped}");
    assert!(stopped.contains("published 1 · failed 0"), "{stopped}");
    assert!(stopped.contains("EXIT=0"), "{stopped}");
}
