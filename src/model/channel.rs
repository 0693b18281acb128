use serde::{Deserialize, Serialize};

use super::{ChannelMetrics, PlatformId};

/// One connected account on one platform.
///
/// ```
/// use socialkit::model::{Channel, Profile};
/// let c = Channel::new("sandbox", "acme-1", "acme").with_profile(Profile {
///     display_name: Some("ACME".into()),
///     bio: Some("We make anvils".into()),
///     ..Profile::default()
/// });
/// assert_eq!(c.profile.display_name.as_deref(), Some("ACME"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    /// The platform (stored as its name, `"mastodon"` …).
    pub platform: PlatformId,
    /// The platform's own account id (a Mastodon account id, a Bluesky DID …).
    pub id: String,
    /// The handle people use (`acme@mastodon.social`, `acme.bsky.social`, `acme`).
    pub handle: String,
    /// The public profile, which a consistency check compares across channels.
    #[serde(default)]
    pub profile: Profile,
    /// The account's public page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Channel metrics (followers …); `None` fields are not reported by the platform.
    #[serde(default)]
    pub metrics: ChannelMetrics,
}

impl Channel {
    /// A channel with an empty profile and no metrics.
    pub fn new(
        platform: impl Into<PlatformId>,
        id: impl Into<String>,
        handle: impl Into<String>,
    ) -> Self {
        Channel {
            platform: platform.into(),
            id: id.into(),
            handle: handle.into(),
            profile: Profile::default(),
            url: None,
            metrics: ChannelMetrics::default(),
        }
    }

    /// Sets the public profile.
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }
}

/// The public profile of a channel: what a person sees and what a brand keeps consistent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The bio / description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// The avatar image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// The website linked from the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}
