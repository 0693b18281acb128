//! Running the behaviour suite: options, the run loop, and what the checks share.
//!
//! The checks, in the order they run (see [`CHECKS`]); each is chosen by the platform's
//! [`Capabilities`] and skipped with the reason when they do not apply:
//!
//! | check | needs | verifies |
//! |---|---|---|
//! | `channel_profile` | — | `channel()` names the platform, with an id and a handle |
//! | `publish_text` | — | a text post is published with one part |
//! | `publish_thread` | `threads` | parts in order, each replying to the one before |
//! | `publish_media_with_alt_text` | media (images) | an image with alt text is published |
//! | `publish_link_card` | `link_cards` | a post with a link card is published |
//! | `delete_then_delete_again` | `delete` | delete works, a second delete is `NotFound` |
//! | `edit` | `edit` | the edit keeps the id and changes the text |
//! | `interactions_paging` | interactions, an inducing harness | forward paging repeats and skips nothing while interactions arrive |
//! | `reply_to_interaction` | `reply`, a kind with text, an inducing harness | a reply to an interaction is published (and answers it) |
//! | `post_metrics` | metrics | one entry per post in order; declared metrics `Some`, others `None` |
//! | `recent_posts` | `recent_posts` | what was published is listed, newest first |
//! | `search` | `search` | a post with a unique word and hashtag is found (polling a while: indexing lags) with its author, text and reference; a word that exists nowhere finds nothing |
//! | `idempotency_key` | idempotency ≠ none | a repeated publish with the same key gives one post |
//! | `too_long_text_rejected` | — | `Validation` saying count and limit; nothing created |
//! | `empty_post_rejected` | — | `Validation` |
//! | `unsupported_operation` | an undeclared operation (or a limited platform) | `Unsupported` naming platform and operation |

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::Harness;
use super::checks;
use super::report::{CheckResult, Outcome, SkipCause, SuiteReport};
use crate::model::{Post, PostRef, PublishOptions, Published};
use crate::platform::Capabilities;
use crate::{Error, Platform};

/// The checks, in the order they run.
///
/// ```
/// assert_eq!(socialkit::testkit::suite::CHECKS[0], "channel_profile");
/// ```
pub const CHECKS: [&str; 16] = [
    "channel_profile",
    "publish_text",
    "publish_thread",
    "publish_media_with_alt_text",
    "publish_link_card",
    "delete_then_delete_again",
    "edit",
    "interactions_paging",
    "reply_to_interaction",
    "post_metrics",
    "recent_posts",
    "search",
    "idempotency_key",
    "too_long_text_rejected",
    "empty_post_rejected",
    "unsupported_operation",
];

/// Options of a suite run.
///
/// ```
/// let opts = socialkit::testkit::SuiteOptions {
///     only: vec!["publish_text".into(), "publish_thread".into()],
///     ..Default::default()
/// };
/// assert!(opts.cleanup);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteOptions {
    /// Run only these checks (all when empty).
    pub only: Vec<String>,
    /// Leave these checks out.
    pub skip: Vec<String>,
    /// Delete what the suite published at the end, where the platform can delete.
    pub cleanup: bool,
    /// Text every post of the suite starts with (a run id follows, so texts never repeat).
    pub label: String,
    /// Most pages the paging check reads before it gives up.
    pub max_pages: usize,
}

impl Default for SuiteOptions {
    fn default() -> Self {
        SuiteOptions {
            only: Vec::new(),
            skip: Vec::new(),
            cleanup: true,
            label: "socialkit suite".to_string(),
            max_pages: 50,
        }
    }
}

/// What a check concluded when it did not fail.
pub(crate) enum Verdict {
    Pass(Option<String>),
    Skip(SkipCause, String),
}

/// A check's failure, for people.
pub(crate) type Failure = String;

/// What every check gets: the platform, its capabilities, the harness, and helpers that keep
/// texts unique and remember what was published.
pub(crate) struct Ctx<'a> {
    pub harness: &'a dyn Harness,
    pub platform: Arc<dyn Platform>,
    pub caps: Capabilities,
    pub opts: &'a SuiteOptions,
    tag: String,
    counter: AtomicUsize,
    created: Mutex<Vec<PostRef>>,
}

impl Ctx<'_> {
    /// A unique text for `what`.
    pub fn text(&self, what: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{} {} {what} #{n}", self.opts.label, self.tag)
    }

    /// A word no text has ever had: `sk`, `what` (letters and digits only), the run id and a
    /// counter, in lower case (search indexes fold case and split at punctuation).
    pub fn token(&self, what: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let what: String = what
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        format!("sk{what}{}n{n}", self.tag)
    }

    /// The post as the platform can take it: on a platform that needs media in every post
    /// (Instagram), each part without media gets the harness's sample.
    pub fn fit(&self, mut post: Post) -> Post {
        if self.caps.media_required {
            let sample = self.harness.media_sample();
            if post.media.is_empty() {
                post.media.push(sample.clone());
            }
            for part in post.thread.iter_mut().filter(|p| p.media.is_empty()) {
                part.media.push(sample.clone());
            }
        }
        post
    }

    /// Publishes ([`fit`](Self::fit) first) and remembers every part for the cleanup.
    pub async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published, Failure> {
        let p = self
            .platform
            .publish(&self.fit(post.clone()), opts)
            .await
            .map_err(|e| failed("publish", &e))?;
        self.remember(&p);
        Ok(p)
    }

    /// Remembers a result for the cleanup.
    pub fn remember(&self, p: &Published) {
        if let Ok(mut created) = self.created.lock() {
            created.extend(p.parts.iter().cloned());
        }
    }
}

/// "what: error", for a failure caused by an error.
pub(crate) fn failed(what: &str, e: &Error) -> Failure {
    format!("{what} failed: {e}")
}

/// `Err(message)` unless `condition`.
pub(crate) fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), Failure> {
    if condition { Ok(()) } else { Err(message()) }
}

/// Runs the behaviour suite against `harness` and reports every check.
///
/// Never panics on a misbehaving platform: failures are recorded in the report; call
/// [`SuiteReport::assert_ok`] to fail a test.
///
/// ```
/// use socialkit::testkit::{suite, SandboxHarness, SuiteOptions};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let opts = SuiteOptions { skip: vec!["edit".into()], ..SuiteOptions::default() };
/// let report = suite::run(&SandboxHarness::new(), &opts).await;
/// assert!(report.get("edit").unwrap().outcome.is_skipped());
/// report.assert_ok();
/// # });
/// ```
pub async fn run(harness: &dyn Harness, opts: &SuiteOptions) -> SuiteReport {
    let platform = harness.platform();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let cx = Ctx {
        harness,
        caps: platform.capabilities().clone(),
        platform,
        opts,
        tag: format!("{:08x}", (nanos as u64) & 0xFFFF_FFFF),
        counter: AtomicUsize::new(0),
        created: Mutex::new(Vec::new()),
    };
    let mut results = Vec::with_capacity(CHECKS.len());
    for name in CHECKS {
        let excluded = (!opts.only.is_empty() && !opts.only.iter().any(|o| o == name))
            || opts.skip.iter().any(|s| s == name);
        let outcome = if excluded {
            Outcome::Skipped {
                cause: SkipCause::Excluded,
                reason: "left out by the options".to_string(),
            }
        } else {
            match checks::run(name, &cx).await {
                Ok(Verdict::Pass(note)) => Outcome::Passed { note },
                Ok(Verdict::Skip(cause, reason)) => Outcome::Skipped { cause, reason },
                Err(error) => Outcome::Failed { error },
            }
        };
        results.push(CheckResult {
            name: name.to_string(),
            outcome,
        });
    }
    if opts.cleanup && cx.caps.delete {
        let created = cx.created.lock().map(|c| c.clone()).unwrap_or_default();
        for post in created.iter().rev() {
            // Already deleted ones answer NotFound; nothing to do about other failures here.
            let _ = cx.platform.delete(post).await;
        }
    }
    SuiteReport {
        platform: cx.caps.platform.to_string(),
        checks: results,
    }
}
