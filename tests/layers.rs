//! The layers of the crate import only downward (the picture is in the crate docs,
//! `src/lib.rs`): every `crate::…` path in the library's source names a module of the same
//! layer or one below the file's own. Comments and doc comments are not read (doc examples
//! use the public API as users do).
//!
//! Checked by reading `src/`: each file belongs to the top-level module of its path
//! (`src/inbox/store/sqlite.rs` → `inbox`; an adapter's twin, test support, to `testkit`),
//! and each `crate::x` path (also inside `use crate::{…}` groups) names module `x`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may use its own layer and the ones below.
const LAYERS: &[&[&str]] = &[
    &["model", "error", "clock", "secret"],
    &["text"],
    &["http"],
    &["auth"],
    &["platform"],
    &["adapters", "registry"],
    &["store"],
    &["engine"],
    &["inbox", "listen", "contacts", "strategy", "report"],
    &["testkit", "bin"],
];

/// Imports that break the rule today, each to be removed by its own change. Keep this list
/// short and shrinking: (file, module it reaches up to).
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source without comments (line comments, doc comments, block comments) and without
/// the contents of string literals.
fn code_of(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'r' && (b[i..].starts_with(b"r\"") || b[i..].starts_with(b"r#")) {
            // A raw string: skip to its closing quote and hashes.
            let mut j = i + 1;
            let mut hashes = 0;
            while j < b.len() && b[j] == b'#' {
                hashes += 1;
                j += 1;
            }
            if j < b.len() && b[j] == b'"' {
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                j += 1;
                while j < b.len() && !b[j..].starts_with(&close) {
                    j += 1;
                }
                i = j + close.len();
                out.push_str("\"\"");
            } else {
                out.push('r');
                i += 1;
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal ('"', '\'' …): skip it.
            let mut j = i + 1;
            if b[j] == b'\\' {
                j += 1;
            }
            j += 1;
            while j < b.len() && b[j] != b'\'' {
                j += 1;
            }
            i = j + 1;
        } else {
            let ch = src[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The top-level modules `code` names through `crate::`.
fn crate_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `$crate::`-like or part of another word
        }
        let rest_trim = rest.trim_start();
        if let Some(group) = rest_trim.strip_prefix('{') {
            // `crate::{a, b::c, d::{e}}`: the first segment of each top-level entry.
            let mut depth = 0;
            let mut entry_start = true;
            let mut word = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        entry_start = true;
                        word.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && entry_start {
                    if c.is_alphanumeric() || c == '_' {
                        word.push(c);
                    } else if !word.is_empty() {
                        out.insert(std::mem::take(&mut word));
                        entry_start = false;
                    }
                }
            }
            if entry_start && !word.is_empty() {
                out.insert(word);
            }
        } else {
            let name: String = rest_trim
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn no_module_imports_a_module_above_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut exceptions_seen = BTreeSet::new();
    let mut unplaced = BTreeSet::new();
    for file in &files {
        let rel = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let module = rel
            .trim_start_matches("src/")
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        // A platform's twin (`src/adapters/<name>/twin.rs` or `twin/`, feature `testkit`) is
        // test support that lives beside its adapter: it is of the testkit layer.
        let module = if rel.contains("/twin.rs") || rel.contains("/twin/") {
            "testkit".to_string()
        } else {
            module
        };
        let Some(own) = layer_of(&module) else {
            unplaced.insert(module);
            continue;
        };
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for used in crate_modules(&code) {
            let Some(theirs) = layer_of(&used) else {
                // A crate-root re-export (`crate::Result`, `crate::Error` …): the bottom.
                continue;
            };
            if theirs > own {
                if KNOWN_EXCEPTIONS.contains(&(rel.as_str(), used.as_str())) {
                    exceptions_seen.insert((rel.clone(), used));
                } else {
                    violations.push(format!("{rel} ({module}) uses {used}"));
                }
            }
        }
    }
    assert!(
        unplaced.is_empty(),
        "modules missing from LAYERS (and from the picture in src/lib.rs): {unplaced:?}"
    );
    assert!(
        violations.is_empty(),
        "imports from a layer above:\n{}",
        violations.join("\n")
    );
    // An exception that no longer happens is removed from the list.
    for (file, module) in KNOWN_EXCEPTIONS {
        let there = root.join(file).exists();
        assert!(
            !there || exceptions_seen.contains(&(file.to_string(), module.to_string())),
            "{file} no longer uses {module}: remove it from KNOWN_EXCEPTIONS"
        );
    }
}

#[test]
fn the_checker_reads_paths_and_groups() {
    let code = code_of(
        "use crate::{model::Post, store::{A, B}, Result};\n\
         // use crate::engine::Engine;\n\
         let s = \"crate::inbox\";\n\
         fn f() -> crate::http::Client { todo!() }",
    );
    let found = crate_modules(&code);
    let want: BTreeSet<String> = ["model", "store", "Result", "http"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, want);
}
