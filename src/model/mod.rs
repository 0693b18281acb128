//! The data socialkit works on: posts, channels, interactions, metrics and references.
//!
//! Everything here is plain data (`Serialize + Deserialize + Clone + Debug`) with no I/O, so a
//! store can keep it, an event can carry it and a UI can show it.

mod channel;
mod interaction;
mod media;
mod metrics;
mod platform_id;
mod post;
mod refs;
mod search;

pub use channel::{Channel, Profile};
pub use interaction::{Author, Interaction, InteractionKind, InteractionQuery, Page};
pub use media::{Media, MediaKind, MediaSource};
pub use metrics::{ChannelMetrics, EngagementRate, Metric, PostMetrics, RateBasis, Rating};
pub use platform_id::PlatformId;
pub use post::{Part, Post, PublishOptions, Published, RecentPost, Target, Variant, Visibility};
pub use refs::{InteractionRef, PostRef};
pub use search::{SearchLimits, SearchQuery};
