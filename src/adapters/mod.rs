//! Platform adapters, one folder per platform, each behind its own cargo feature. The
//! sandbox is always compiled: it is the embedded default. Every adapter but the sandbox is
//! built on [`base`]: it implements [`base::Adapter`] (its API calls and mapping) and gets
//! [`Platform`](crate::Platform) with the capability check from there.

pub mod base;

#[cfg(feature = "bluesky")]
pub mod bluesky;
#[cfg(feature = "discord")]
pub mod discord;
#[cfg(feature = "facebook")]
pub mod facebook;
#[cfg(feature = "google_business")]
pub mod google_business;
#[cfg(any(feature = "facebook", feature = "instagram", feature = "threads"))]
pub mod graph;
#[cfg(feature = "instagram")]
pub mod instagram;
#[cfg(feature = "linkedin")]
pub mod linkedin;
#[cfg(feature = "mastodon")]
pub mod mastodon;
#[cfg(feature = "nostr")]
pub mod nostr;
#[cfg(feature = "pinterest")]
pub mod pinterest;
#[cfg(feature = "reddit")]
pub mod reddit;
pub mod sandbox;
#[cfg(feature = "telegram")]
pub mod telegram;
#[cfg(feature = "threads")]
pub mod threads;
#[cfg(feature = "tiktok")]
pub mod tiktok;
#[cfg(feature = "x")]
pub mod x;
#[cfg(feature = "youtube")]
pub mod youtube;

use crate::Registry;

/// Registers every adapter compiled in.
pub(crate) fn register_all(registry: &mut Registry) {
    sandbox::register(registry);
    #[cfg(feature = "bluesky")]
    bluesky::register(registry);
    #[cfg(feature = "discord")]
    discord::register(registry);
    #[cfg(feature = "facebook")]
    facebook::register(registry);
    #[cfg(feature = "google_business")]
    google_business::register(registry);
    #[cfg(feature = "instagram")]
    instagram::register(registry);
    #[cfg(feature = "linkedin")]
    linkedin::register(registry);
    #[cfg(feature = "mastodon")]
    mastodon::register(registry);
    #[cfg(feature = "nostr")]
    nostr::register(registry);
    #[cfg(feature = "pinterest")]
    pinterest::register(registry);
    #[cfg(feature = "reddit")]
    reddit::register(registry);
    #[cfg(feature = "telegram")]
    telegram::register(registry);
    #[cfg(feature = "threads")]
    threads::register(registry);
    #[cfg(feature = "tiktok")]
    tiktok::register(registry);
    #[cfg(feature = "x")]
    x::register(registry);
    #[cfg(feature = "youtube")]
    youtube::register(registry);
}
