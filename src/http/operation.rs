//! [`Operation`]: what an HTTP call is for, named in errors, spans and logs.

use std::fmt;

/// What a [`Call`](super::Call) is for. It names the call in errors
/// ([`ErrorContext::operation`](crate::ErrorContext::operation)), in the `tracing` span of
/// every request and in `Debug` output.
///
/// The operations of the [`Platform`](crate::Platform) trait and the steps adapters share have
/// their own variants; a step only one adapter makes is [`Operation::Other`] with its name.
/// Converting a name (`"publish".into()`) gives the variant of that name when there is one,
/// so a call site can name its operation either way; equality, order and hashing go by the
/// name, so `Other("publish")` equals [`Operation::Publish`].
///
/// ```
/// use socialkit::http::Operation;
/// assert_eq!(Operation::PostMetrics.as_str(), "post_metrics");
/// assert_eq!(Operation::from("publish"), Operation::Publish);
/// assert_eq!(Operation::from("relay information"), Operation::Other("relay information"));
/// assert!(Operation::Delete == "delete");
/// assert_eq!(Operation::Search.to_string(), "search");
/// ```
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Operation {
    /// Reading the connected account ([`Platform::channel`](crate::Platform::channel)):
    /// `"channel"`.
    Channel,
    /// Publishing a post or one part of a thread: `"publish"`.
    Publish,
    /// Replying to an interaction: `"reply"`.
    Reply,
    /// Editing a published post: `"edit"`.
    Edit,
    /// Deleting a published post: `"delete"`.
    Delete,
    /// Reading comments, mentions and other interactions: `"interactions"`.
    Interactions,
    /// Reading per-post metrics: `"post_metrics"`.
    PostMetrics,
    /// Reading the account's recent posts (reconciliation): `"recent_posts"`.
    RecentPosts,
    /// Searching the platform (listening): `"search"`.
    Search,
    /// A read that fits none of the above: `"read"`.
    Read,
    /// Uploading media: `"media_upload"`.
    MediaUpload,
    /// Polling media processing: `"media_status"`.
    MediaStatus,
    /// Signing in with a password: `"login"`.
    Login,
    /// Exchanging an authorization code for tokens: `"token_exchange"`.
    TokenExchange,
    /// Refreshing an access token: `"token_refresh"`.
    TokenRefresh,
    /// Reading the server's limits and settings: `"instance"`.
    Instance,
    /// Any other step, by its name.
    Other(&'static str),
}

impl Operation {
    /// Every operation with its own variant.
    pub const KNOWN: [Operation; 16] = [
        Operation::Channel,
        Operation::Publish,
        Operation::Reply,
        Operation::Edit,
        Operation::Delete,
        Operation::Interactions,
        Operation::PostMetrics,
        Operation::RecentPosts,
        Operation::Search,
        Operation::Read,
        Operation::MediaUpload,
        Operation::MediaStatus,
        Operation::Login,
        Operation::TokenExchange,
        Operation::TokenRefresh,
        Operation::Instance,
    ];

    /// The operation's name, as errors and spans show it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Operation::Channel => "channel",
            Operation::Publish => "publish",
            Operation::Reply => "reply",
            Operation::Edit => "edit",
            Operation::Delete => "delete",
            Operation::Interactions => "interactions",
            Operation::PostMetrics => "post_metrics",
            Operation::RecentPosts => "recent_posts",
            Operation::Search => "search",
            Operation::Read => "read",
            Operation::MediaUpload => "media_upload",
            Operation::MediaStatus => "media_status",
            Operation::Login => "login",
            Operation::TokenExchange => "token_exchange",
            Operation::TokenRefresh => "token_refresh",
            Operation::Instance => "instance",
            Operation::Other(name) => name,
        }
    }
}

impl From<&'static str> for Operation {
    fn from(name: &'static str) -> Operation {
        Operation::KNOWN
            .iter()
            .copied()
            .find(|o| o.as_str() == name)
            .unwrap_or(Operation::Other(name))
    }
}

impl From<Operation> for String {
    fn from(op: Operation) -> String {
        op.as_str().to_string()
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Operation {
    fn eq(&self, other: &Operation) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Operation {}

impl std::hash::Hash for Operation {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialOrd for Operation {
    fn partial_cmp(&self, other: &Operation) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Operation {
    fn cmp(&self, other: &Operation) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialEq<&str> for Operation {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Operation {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_name_converts_to_its_own_variant() {
        for op in Operation::KNOWN {
            assert_eq!(Operation::from(op.as_str()), op);
            assert!(!matches!(op, Operation::Other(_)));
        }
        assert_eq!(
            Operation::from("register_app"),
            Operation::Other("register_app")
        );
        assert_eq!(format!("{:?}", Operation::Publish), "\"publish\"");
        assert_eq!(Operation::Other("publish"), Operation::Publish);
    }
}
