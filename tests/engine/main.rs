//! Engine tests: the outbox under faults and crashes, the workflow, brand rules, crisis mode,
//! events and webhooks. One test binary (fast to build on small machines).

mod cache;
mod chaos;
mod common;
mod crash;
mod echo;
mod failures;
#[cfg(all(feature = "mastodon", feature = "testkit"))]
mod mastodon;
mod replies;
mod sandbox;
mod webhook;
mod workers;
mod workflow;
#[cfg(all(feature = "x", feature = "testkit"))]
mod x;
