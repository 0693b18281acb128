//! Test support for socialkit and its users (cargo feature `testkit`): one behaviour suite,
//! chosen by capabilities, that runs against any [`Platform`](crate::Platform) — the sandbox, every adapter's
//! twin, real servers.
//!
//! Implement [`Harness`] for what you test (or use [`SandboxHarness`]), run
//! [`suite::run`], and assert on the [`SuiteReport`]:
//!
//! ```
//! use socialkit::testkit::{suite, SandboxHarness, SuiteOptions};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let report = suite::run(&SandboxHarness::new(), &SuiteOptions::default()).await;
//! println!("{report}");
//! report.assert_ok();
//! # });
//! ```

mod checks;
mod harness;
mod report;
mod sandbox;
pub mod suite;
pub mod twin;

pub use harness::Harness;
pub use report::{CheckResult, Outcome, SkipCause, SuiteReport};
pub use sandbox::SandboxHarness;
pub use suite::SuiteOptions;

/// Every result of a search, page after page (newest first), for at most `max_pages` pages:
/// what a test of an adapter's [`search`](crate::Platform::search) usually wants to compare.
///
/// ```
/// use socialkit::adapters::sandbox::{SandboxConfig, SandboxWorld};
/// use socialkit::model::SearchQuery;
/// use socialkit::PlatformExt;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let world = SandboxWorld::simulated("2026-03-03T09:00:00Z".parse().unwrap());
/// let acme = world.channel("acme", SandboxConfig::default()).unwrap();
/// for i in 0..5 {
///     acme.publish_text(&format!("pageword {i}")).await.unwrap();
/// }
/// let found = socialkit::testkit::search_all(acme.as_ref(), SearchQuery::new("pageword").limit(2), 10)
///     .await
///     .unwrap();
/// assert_eq!(found.len(), 5);
/// # });
/// ```
pub async fn search_all(
    platform: &dyn crate::Platform,
    mut query: crate::model::SearchQuery,
    max_pages: usize,
) -> crate::Result<Vec<crate::Interaction>> {
    let mut out = Vec::new();
    for _ in 0..max_pages {
        let page = platform.search(&query).await?;
        out.extend(page.items);
        if !page.has_more {
            break;
        }
        query.cursor = page.next_cursor;
    }
    Ok(out)
}
