//! The HTML report in a real browser: `socialkit demo` writes it, headless Chromium renders it
//! to a PNG, and the test fails on a render error, an empty screenshot or an empty chart.
//!
//! Needs Debian's `chromium` (`apt-get install -y chromium`; `.ci/run` installs it). Without it
//! the test prints `SKIPPED: …` and passes, except with `CI=true`, where it fails.
//! The screenshot stays at `target/report-screenshot.png` (and `…-de.png`) for a person to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// Renders `html` with headless Chromium: (the screenshot's bytes, the DOM after layout).
fn render(browser: &Path, html: &Path, png: &Path) -> (Vec<u8>, String) {
    let url = format!("file://{}", html.display());
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
    ];
    let shot = Command::new(browser)
        .args(common)
        .args([
            "--window-size=1100,4600",
            &format!("--screenshot={}", png.display()),
            &url,
        ])
        .output()
        .expect("chromium runs");
    assert!(
        shot.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let dom = Command::new(browser)
        .args(common)
        .args(["--dump-dom", &url])
        .output()
        .expect("chromium runs");
    assert!(dom.status.success(), "chromium --dump-dom failed");
    (
        std::fs::read(png).expect("a screenshot"),
        String::from_utf8_lossy(&dom.stdout).to_string(),
    )
}

/// The width and height of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// Every chart of the rendered DOM, as (name, marks).
fn charts(dom: &str) -> Vec<(String, usize)> {
    dom.split("data-chart=\"")
        .skip(1)
        .map(|rest| {
            let name = rest.split('"').next().unwrap().to_string();
            let marks = rest
                .split("data-marks=\"")
                .nth(1)
                .and_then(|m| m.split('"').next())
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            (name, marks)
        })
        .collect()
}

#[test]
fn the_demo_report_renders_in_chromium_with_no_empty_chart() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true needs chromium"
        );
        println!("SKIPPED: chromium is not installed (apt-get install -y chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    for lang in ["en", "de"] {
        let html = dir.path().join(format!("report-{lang}.html"));
        let status = Command::new(assert_cmd::cargo::cargo_bin("socialkit"))
            .current_dir(dir.path())
            .args(["demo", "--out", html.to_str().unwrap(), "--lang", lang])
            .status()
            .unwrap();
        assert!(status.success());
        let text = std::fs::read_to_string(&html).unwrap();
        assert!(!text.contains("<script"), "no JavaScript");
        assert!(
            !text.contains("src=\"http")
                && !text.contains("href=\"http://")
                && !text.contains("@import"),
            "no network fetches"
        );
        let name = if lang == "en" {
            "report-screenshot.png".to_string()
        } else {
            format!("report-screenshot-{lang}.png")
        };
        let png = target.join(name);
        let (bytes, dom) = render(&browser, &html, &png);
        let (w, h) = png_size(&bytes);
        assert_eq!((w, h), (1100, 4600));
        assert!(
            bytes.len() > 50_000,
            "a screenshot of {} bytes is blank",
            bytes.len()
        );
        let found = charts(&dom);
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "goal",
            "by-channel",
            "by-pillar",
            "heatmap",
            "listening",
            "response-times",
        ] {
            assert!(
                names.contains(&expected),
                "chart {expected} missing: {names:?}"
            );
        }
        for (name, marks) in &found {
            assert!(*marks > 0, "chart {name} is empty");
        }
        println!(
            "{lang}: {} charts rendered to {}",
            found.len(),
            png.display()
        );
    }
}
