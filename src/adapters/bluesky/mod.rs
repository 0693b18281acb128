//! Bluesky (AT Protocol) adapter. Work in progress.
pub mod api;
mod cursor;
mod tid;
#[cfg(feature = "testkit")]
pub mod twin;

pub use tid::Tid;
