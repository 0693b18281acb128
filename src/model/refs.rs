use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::PlatformId;

/// A reference to a published post on a platform: what [`delete`](crate::Platform::delete),
/// metrics and replies need.
///
/// `id` is the platform's own identifier (a Mastodon status id, a Bluesky AT-URI, an X post
/// id). `meta` holds the few extra facts a platform needs to address the post again (Bluesky's
/// `cid` and thread root, a Facebook page id), so callers never have to know them.
///
/// ```
/// use socialkit::model::PostRef;
/// let r = PostRef::new("sandbox", "42").with_url("https://sandbox.invalid/acme/42").with_meta("cid", "bafy");
/// assert_eq!(r.meta("cid"), Some("bafy"));
/// let json = serde_json::to_string(&r).unwrap();
/// assert_eq!(serde_json::from_str::<PostRef>(&json).unwrap(), r);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PostRef {
    /// The platform (stored as its name, `"mastodon"`, `"bluesky"` …).
    pub platform: PlatformId,
    /// The platform's own identifier of the post.
    pub id: String,
    /// A link people can open, where the platform has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Extra platform-native facts needed to address the post again.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
}

impl PostRef {
    /// A reference to post `id` on `platform`.
    pub fn new(platform: impl Into<PlatformId>, id: impl Into<String>) -> Self {
        PostRef {
            platform: platform.into(),
            id: id.into(),
            url: None,
            meta: BTreeMap::new(),
        }
    }

    /// Sets the link people can open.
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Adds a platform-native fact.
    pub fn with_meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.insert(key.into(), value.into());
        self
    }

    /// Reads a platform-native fact.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta.get(key).map(String::as_str)
    }
}

/// A reference to an interaction (a comment, a mention, a DM …) that can be replied to.
///
/// ```
/// use socialkit::model::{InteractionRef, PostRef};
/// let r = InteractionRef::new("sandbox", "c-7").with_post(PostRef::new("sandbox", "42"));
/// assert_eq!(r.post.as_ref().unwrap().id, "42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InteractionRef {
    /// The platform (stored as its name).
    pub platform: PlatformId,
    /// The platform's own identifier of the interaction (for a comment or reply: the post id
    /// of that comment; for a notification: the notification id).
    pub id: String,
    /// The post the interaction is, when it is itself a post (a reply, a mention, a quote):
    /// replying answers this post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<PostRef>,
    /// Extra platform-native facts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
}

impl InteractionRef {
    /// A reference to interaction `id` on `platform`.
    pub fn new(platform: impl Into<PlatformId>, id: impl Into<String>) -> Self {
        InteractionRef {
            platform: platform.into(),
            id: id.into(),
            post: None,
            meta: BTreeMap::new(),
        }
    }

    /// Sets the post the interaction is.
    pub fn with_post(mut self, post: PostRef) -> Self {
        self.post = Some(post);
        self
    }

    /// Adds a platform-native fact.
    pub fn with_meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.insert(key.into(), value.into());
        self
    }
}
