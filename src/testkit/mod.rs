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
