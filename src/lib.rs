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
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod adapters;
pub mod auth;
pub mod clock;
pub mod engine;
pub mod error;
pub mod http;
pub mod inbox;
pub mod listen;
pub mod model;
pub mod platform;
pub mod registry;
pub mod report;
pub mod store;
pub mod strategy;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod text;

pub use auth::Secret;
pub use error::{Detail, Error, ErrorContext, ErrorKind, ErrorRecord, Result};
pub use model::{Channel, Interaction, Media, Post, PostRef, PublishOptions, Published};
pub use platform::{Capabilities, Platform, PlatformExt};
pub use registry::{ChannelConfig, Registry};
