//! # socialkit
//!
//! One async library for social media management: a core [`Platform`] trait over channels,
//! posts, interactions and metrics; an adapter per platform behind a cargo feature; text rules
//! that count like each platform counts; one HTTP layer with rate limits, retries and
//! redaction; and an in-process [sandbox](adapters::sandbox) that behaves like a real platform
//! so everything runs offline.
//!
//! ```
//! use socialkit::{PlatformExt, Registry};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let acme = Registry::default().from_url("sandbox://acme-docs").unwrap();
//! let published = acme.publish_thread(&["Our anvil is here.", "It weighs 50 kg."]).await.unwrap();
//! assert_eq!(published.parts.len(), 2);
//! # });
//! ```
//!
//! ## Layers
//!
//! The modules form layers, and a module imports only from its own layer and the layers
//! below it (checked by `tests/layers.rs`, which reads every `crate::…` path in `src/`):
//!
//! ```text
//!   bin, testkit                       tools and test support (the adapters' twins too)
//!        │
//!   inbox  listen  contacts  strategy  report
//!        │         features above the engine; each owns its tables (the inbox: its store
//!        │         trait and its SQLite tables, sharing the store's connection through
//!        │         store::SqliteHandle)
//!   engine                             outbox, scheduler, workflow, events, webhooks
//!        │
//!   store                              the engine's durable state; knows no feature above
//!        │
//!   adapters, registry                 one folder per platform; scheme → adapter
//!        │
//!   platform                           the Platform trait, Capabilities
//!        │
//!   auth                               OAuth 2.0 + PKCE, OAuth 1.0a, token refresh
//!        │
//!   http                               the one HTTP client: retries, rate limits, redaction
//!        │
//!   text                               counting rules, facets, thread splitting
//!        │
//!   model, error, clock, secret        plain data, the error type, time, secret strings
//! ```
//!
//! Two imports still reach up and are listed as exceptions in `tests/layers.rs` until they
//! move: `text::search` takes listening's document type, and the engine's crisis mode and
//! events take listening's crisis types.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The README's Rust code, compiled and run as doctests so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub mod adapters;
pub mod auth;
pub mod clock;
pub mod contacts;
pub mod engine;
pub mod error;
pub mod http;
pub mod inbox;
pub mod listen;
pub mod model;
pub mod platform;
pub mod registry;
pub mod report;
mod secret;
pub mod store;
pub mod strategy;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod text;

/// Decoders the fuzz targets (`fuzz/fuzz_targets/`) reach directly, below the public API.
/// Not part of the API: hidden from the docs, no stability promise.
#[doc(hidden)]
pub mod __fuzz {
    #[cfg(feature = "nostr")]
    pub use crate::adapters::nostr::api::RelayMessage;
}

pub use auth::Secret;
pub use error::{Detail, Error, ErrorContext, ErrorKind, ErrorRecord, Result};
pub use model::{
    Channel, Interaction, Media, PlatformId, Post, PostRef, PublishOptions, Published,
};
pub use platform::{Capabilities, Platform, PlatformExt};
pub use registry::{ChannelConfig, Registry};
