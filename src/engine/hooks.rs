//! Test hooks: places where a test can make the engine behave as if the process died.

use std::fmt;

use crate::Result;
use crate::model::Published;
use crate::store::Delivery;

/// What the outbox does after the platform answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterPublish {
    /// Store the result (normal operation).
    Store,
    /// Behave as if the process died right now: store nothing, leave the delivery in
    /// Publishing. The next start (or the lease's end) finds it in doubt and reconciles.
    Crash,
}

/// Hooks into the outbox for crash and chaos tests. Production code installs none.
///
/// ```
/// use socialkit::engine::{AfterPublish, Hooks};
/// #[derive(Debug)]
/// struct CrashAlways;
/// impl Hooks for CrashAlways {
///     fn after_publish(&self, _: &socialkit::store::Delivery, _: &socialkit::Result<socialkit::Published>) -> AfterPublish {
///         AfterPublish::Crash
///     }
/// }
/// ```
pub trait Hooks: Send + Sync + fmt::Debug {
    /// Called after the platform call returned and before its outcome is stored.
    fn after_publish(&self, delivery: &Delivery, result: &Result<Published>) -> AfterPublish {
        let _ = (delivery, result);
        AfterPublish::Store
    }

    /// Called after a platform answered a token refresh and before the renewed token is
    /// written to the vault: the window in which a crash loses a rotated refresh token
    /// (see [`crate::auth::lifecycle`]). A test may stop the process here.
    fn before_token_write(
        &self,
        workspace: &crate::store::WorkspaceId,
        channel: &crate::store::ChannelId,
    ) {
        let _ = (workspace, channel);
    }
}
