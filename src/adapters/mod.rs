//! Platform adapters, one folder per platform, each behind its own cargo feature. The
//! sandbox is always compiled: it is the embedded default.

#[cfg(feature = "mastodon")]
pub mod mastodon;
pub mod sandbox;

use crate::Registry;

/// Registers every adapter compiled in.
pub(crate) fn register_all(registry: &mut Registry) {
    sandbox::register(registry);
    #[cfg(feature = "mastodon")]
    mastodon::register(registry);
}
