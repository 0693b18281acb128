//! Exit codes and error output: what went wrong and what to do, never a debug dump.
//!
//! | code | meaning | what to do |
//! |---|---|---|
//! | 0 | success | |
//! | 1 | unexpected or platform error | try again; report a bug if it persists |
//! | 2 | usage error (clap: unknown flag, missing argument) | see `--help` |
//! | 3 | invalid input: content, time, file, campaign | fix the input |
//! | 4 | not found (channel, post, inbox item, workspace) | check the id (`channel list`, `queue`, `inbox list`) |
//! | 5 | not authorised: credentials rejected or role too low | reconnect the channel / ask an owner |
//! | 6 | temporary: rate limit, network, timeout | wait and try again |
//! | 7 | configuration or store problem | fix the config / `--store`, run `socialkit init` |
//! | 8 | conflict: not allowed in the current state | see `queue` for the state |
//! | 9 | not supported (by the platform, or not available yet) | see the message |

use socialkit::{Error, ErrorKind};

/// Unexpected failure.
pub const UNEXPECTED: u8 = 1;
/// Invalid input.
pub const INVALID: u8 = 3;
/// Not found.
pub const NOT_FOUND: u8 = 4;
/// Not authorised.
pub const AUTH: u8 = 5;
/// Temporary failure.
pub const TEMPORARY: u8 = 6;
/// Configuration or store.
pub const CONFIG: u8 = 7;
/// Conflict with the current state.
pub const CONFLICT: u8 = 8;
/// Not supported.
pub const UNSUPPORTED: u8 = 9;

/// The exit code of an error.
pub fn code(e: &Error) -> u8 {
    match e.kind() {
        ErrorKind::Validation | ErrorKind::ContentRejected | ErrorKind::Duplicate => INVALID,
        ErrorKind::NotFound => NOT_FOUND,
        ErrorKind::Unauthenticated | ErrorKind::PermissionDenied => AUTH,
        ErrorKind::RateLimited | ErrorKind::Network | ErrorKind::Timeout => TEMPORARY,
        ErrorKind::ConfigInvalid | ErrorKind::Storage => CONFIG,
        ErrorKind::Conflict => CONFLICT,
        ErrorKind::Unsupported => UNSUPPORTED,
        _ => UNEXPECTED,
    }
}

/// What a person should do about an error of this kind.
pub fn advice(e: &Error) -> String {
    match e.kind() {
        ErrorKind::Validation => "fix the input and run the command again".into(),
        ErrorKind::ContentRejected => {
            "the platform refused the content: change the text or media".into()
        }
        ErrorKind::Duplicate => "the platform already has this post: nothing to do".into(),
        ErrorKind::NotFound => {
            "check the id: `socialkit channel list`, `socialkit queue` or `socialkit inbox list`"
                .into()
        }
        ErrorKind::Unauthenticated => {
            "reconnect the account: `socialkit channel remove ID` then `socialkit channel add URL` with fresh credentials".into()
        }
        ErrorKind::PermissionDenied => {
            "your role does not allow this: ask a workspace owner (or pass --user)".into()
        }
        ErrorKind::RateLimited => match e.retry_after() {
            Some(at) => format!("wait until {} and try again", at.format("%Y-%m-%d %H:%M:%S UTC")),
            None => "wait a few minutes and try again".into(),
        },
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Platform => {
            "try again; the worker retries queued posts on its own".into()
        }
        ErrorKind::ConfigInvalid => {
            "fix the configuration (flags, SOCIALKIT_* variables, socialkit.toml)".into()
        }
        ErrorKind::Storage => {
            "check the store (--store sqlite:PATH); run `socialkit init` for a new one".into()
        }
        ErrorKind::Conflict => "see `socialkit queue` for where it stands".into(),
        ErrorKind::Unsupported => "this is not available here; see the message".into(),
        _ => "try again; if it keeps failing, report it with the message above".into(),
    }
}

/// Prints `e` on stderr (and, with `--json`, as JSON on stdout).
pub fn report(e: &Error, json: bool) {
    // `Display` of socialkit's error names kind, message and context; it never holds a
    // secret (the library redacts them).
    eprintln!("error: {e}");
    eprintln!("  what to do: {}", advice(e));
    if json {
        let v = serde_json::json!({
            "error": {
                "kind": e.kind().as_str(),
                "message": e.message(),
                "retryable": e.is_retryable(),
                "retry_after": e.retry_after(),
                "advice": advice(e),
                "exit_code": code(e),
            }
        });
        println!("{v}");
    }
}
