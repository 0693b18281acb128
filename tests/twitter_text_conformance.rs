//! twitter-text's conformance suite, run against `socialkit::text::x`.
//!
//! The data is in `tests/data/twitter-text/` (`validate.yml`, `extract.yml`, `config-v*.json`,
//! copied from twitter-text with its Apache-2.0 licence; see the README there). Every case of
//! the sections below must pass; run with `--nocapture` to see the counts per section.

use std::path::{Path, PathBuf};

use serde_yaml::Value;
use socialkit::text::IndexUnit;
use socialkit::text::x::{
    TwitterTextConfig, extract_urls, extract_urls_with_indices, is_valid_url, parse,
};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/twitter-text")
}

fn read(file: &str) -> String {
    let path = data_dir().join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "twitter-text conformance data missing: cannot read {} ({e})",
            path.display()
        )
    })
}

fn section(file: &str, name: &str) -> Option<Vec<Value>> {
    let doc: Value = serde_yaml::from_str(&read(file))
        .unwrap_or_else(|e| panic!("{file} is not valid YAML: {e}"));
    doc.get("tests")?.get(name)?.as_sequence().cloned()
}

fn required(file: &str, name: &str) -> Vec<Value> {
    section(file, name).unwrap_or_else(|| panic!("{file} has no section `{name}`"))
}

fn text_of(case: &Value) -> String {
    case.get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn description(case: &Value) -> String {
    case.get("description")
        .and_then(Value::as_str)
        .unwrap_or("(no description)")
        .to_string()
}

/// Runs `check` on every case; panics listing the failures. Returns (passed, total).
fn run(
    label: &str,
    cases: &[Value],
    check: impl Fn(&Value) -> Result<(), String>,
) -> (usize, usize) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            check(case)
                .err()
                .map(|why| format!("  - {}: {why}", description(case)))
        })
        .collect();
    let total = cases.len();
    let passed = total - failures.len();
    println!("{label}: {passed}/{total} passed");
    assert!(
        failures.is_empty(),
        "{label}: {} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total > 0, "{label}: no cases");
    (passed, total)
}

fn check_parse(case: &Value, config: &TwitterTextConfig) -> Result<(), String> {
    let text = text_of(case);
    let expected = case.get("expected").ok_or("no expected value")?;
    let r = parse(&text, config);
    let field = |name: &str| {
        expected
            .get(name)
            .and_then(Value::as_u64)
            .map(|v| v as usize)
    };
    let got = [
        ("weightedLength", r.weighted_length),
        ("permillage", r.permillage),
        ("displayRangeStart", r.display_range_start),
        ("displayRangeEnd", r.display_range_end),
        ("validRangeStart", r.valid_range_start),
        ("validRangeEnd", r.valid_range_end),
    ];
    let mut wrong = Vec::new();
    for (name, value) in got {
        match field(name) {
            Some(want) if want == value => {}
            want => wrong.push(format!("{name}: expected {want:?}, got {value}")),
        }
    }
    let want_valid = expected.get("valid").and_then(Value::as_bool);
    if want_valid != Some(r.valid) {
        wrong.push(format!("valid: expected {want_valid:?}, got {}", r.valid));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}

fn check_bool(case: &Value, got: bool) -> Result<(), String> {
    match case.get("expected").and_then(Value::as_bool) {
        Some(want) if want == got => Ok(()),
        want => Err(format!("expected {want:?}, got {got}")),
    }
}

fn check_url_list(case: &Value) -> Result<(), String> {
    let text = text_of(case);
    let want: Vec<String> = case
        .get("expected")
        .and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let got: Vec<String> = extract_urls(&text).into_iter().map(|u| u.url).collect();
    if got == want {
        Ok(())
    } else {
        Err(format!("expected {want:?}, got {got:?}"))
    }
}

fn check_url_indices(case: &Value) -> Result<(), String> {
    let text = text_of(case);
    let want: Vec<(String, usize, usize)> = case
        .get("expected")
        .and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .map(|e| {
                    let url = e.get("url").and_then(Value::as_str).unwrap_or_default();
                    let idx = |k: usize| {
                        e.get("indices")
                            .and_then(|i| i.get(k))
                            .and_then(Value::as_u64)
                            .unwrap_or(u64::MAX) as usize
                    };
                    (url.to_string(), idx(0), idx(1))
                })
                .collect()
        })
        .unwrap_or_default();
    let got: Vec<(String, usize, usize)> = extract_urls_with_indices(&text, IndexUnit::Utf16)
        .into_iter()
        .map(|u| (u.url, u.start, u.end))
        .collect();
    if got == want {
        Ok(())
    } else {
        Err(format!("expected {want:?}, got {got:?}"))
    }
}

#[test]
fn weighted_tweets_counter_v2() {
    let cases = required("validate.yml", "WeightedTweetsCounterTest");
    run("WeightedTweetsCounterTest (v2)", &cases, |c| {
        check_parse(c, &TwitterTextConfig::v2())
    });
}

#[test]
fn weighted_tweets_with_discounted_emoji_v3() {
    let cases = required(
        "validate.yml",
        "WeightedTweetsWithDiscountedEmojiCounterTest",
    );
    run(
        "WeightedTweetsWithDiscountedEmojiCounterTest (v3)",
        &cases,
        |c| check_parse(c, &TwitterTextConfig::v3()),
    );
}

#[test]
fn unicode_directional_markers_v3() {
    let cases = required("validate.yml", "UnicodeDirectionalMarkerCounterTest");
    run("UnicodeDirectionalMarkerCounterTest (v3)", &cases, |c| {
        check_parse(c, &TwitterTextConfig::v3())
    });
}

/// The legacy v1 count: the `lengths` section where the data has one, else the `tweets`
/// validity section under config v1 (twitter-text's own conformance runner does the same).
#[test]
fn legacy_v1() {
    if let Some(cases) = section("validate.yml", "lengths") {
        run("lengths (v1)", &cases, |c| {
            let text = text_of(c);
            let got = parse(&text, &TwitterTextConfig::v1()).weighted_length;
            match c.get("expected").and_then(Value::as_u64) {
                Some(want) if want as usize == got => Ok(()),
                want => Err(format!("expected {want:?}, got {got}")),
            }
        });
    } else {
        println!("validate.yml has no `lengths` section: running `tweets` under config v1");
        let cases = required("validate.yml", "tweets");
        run("tweets (v1 validity)", &cases, |c| {
            check_bool(c, parse(&text_of(c), &TwitterTextConfig::v1()).valid)
        });
    }
}

#[test]
fn validate_urls() {
    let cases = required("validate.yml", "urls");
    run("urls (validity)", &cases, |c| {
        check_bool(c, is_valid_url(&text_of(c), true))
    });
}

#[test]
fn validate_urls_without_protocol() {
    let cases = required("validate.yml", "urls_without_protocol");
    run("urls_without_protocol (validity)", &cases, |c| {
        check_bool(c, is_valid_url(&text_of(c), false))
    });
}

#[test]
fn extract_urls_section() {
    run(
        "extract urls",
        &required("extract.yml", "urls"),
        check_url_list,
    );
}

#[test]
fn extract_urls_with_indices_section() {
    run(
        "extract urls_with_indices",
        &required("extract.yml", "urls_with_indices"),
        check_url_indices,
    );
}

#[test]
fn extract_urls_with_directional_markers_section() {
    run(
        "extract urls_with_directional_markers",
        &required("extract.yml", "urls_with_directional_markers"),
        check_url_indices,
    );
}

#[test]
fn extract_tco_urls_with_params_section() {
    run(
        "extract tco_urls_with_params",
        &required("extract.yml", "tco_urls_with_params"),
        check_url_list,
    );
}

#[test]
fn configs_match_the_json_files() {
    for (file, config) in [
        ("config-v1.json", TwitterTextConfig::v1()),
        ("config-v2.json", TwitterTextConfig::v2()),
        ("config-v3.json", TwitterTextConfig::v3()),
    ] {
        let parsed: TwitterTextConfig = serde_json::from_str(&read(file))
            .unwrap_or_else(|e| panic!("{file} does not parse as TwitterTextConfig: {e}"));
        assert_eq!(parsed, config, "{file}");
    }
}
