//! Bluesky (AT Protocol) adapter. Work in progress.
pub mod api;
mod tid;

pub use tid::Tid;
