use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Media, PostRef};

/// One part of a post: text, media and an optional link. A thread is a sequence of parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// The text.
    #[serde(default)]
    pub text: String,
    /// Attached media.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<Media>,
    /// A link shown as a card where the platform makes cards (Bluesky `embed.external`, a
    /// LinkedIn article, a Facebook link post).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl Part {
    /// A text-only part.
    pub fn text(text: impl Into<String>) -> Self {
        Part {
            text: text.into(),
            ..Part::default()
        }
    }

    /// Whether the part has neither text nor media nor link.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.media.is_empty() && self.link.is_none()
    }
}

/// Who may see a post, where the platform lets the author choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone.
    #[default]
    Public,
    /// Everyone, but kept out of public timelines (Mastodon `unlisted`).
    Unlisted,
    /// Followers only.
    Followers,
    /// Only the mentioned accounts.
    Direct,
}

/// Which channels a [`Variant`] applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Every channel of a platform (`"mastodon"`).
    Platform(String),
    /// One channel, by the id socialkit knows it under (a channel URL or a store id).
    Channel(String),
}

/// A per-platform or per-channel variant of a post: the fields it sets replace the post's own
/// for that target. A channel variant wins over a platform variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// Where the variant applies.
    pub target: Target,
    /// Replacement text of the first part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Replacement media of the first part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Vec<Media>>,
    /// Replacement link of the first part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Replacement follow-up parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Vec<Part>>,
    /// Replacement content warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_warning: Option<String>,
}

impl Variant {
    /// An empty variant for `target`.
    pub fn new(target: Target) -> Self {
        Variant {
            target,
            text: None,
            media: None,
            link: None,
            thread: None,
            content_warning: None,
        }
    }

    /// Sets the replacement text.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }
}

/// A post: text, media, link, a thread of further parts, and what it belongs to.
///
/// ```
/// use socialkit::model::{Media, Post, Target, Variant};
/// let post = Post::text("Our new anvil is here")
///     .with_media(Media::image_bytes("image/png", vec![1, 2, 3]).with_alt("An anvil"))
///     .then("It weighs 50 kg.")
///     .with_label("launch")
///     .with_variant(Variant::new(Target::Platform("x".into())).with_text("New anvil!"));
/// assert_eq!(post.parts().len(), 2);
/// assert_eq!(post.resolve("x", None).text, "New anvil!");
/// assert_eq!(post.resolve("mastodon", None).text, "Our new anvil is here");
/// let json = serde_json::to_string(&post).unwrap();
/// assert_eq!(serde_json::from_str::<Post>(&json).unwrap(), post);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// The text of the first part.
    #[serde(default)]
    pub text: String,
    /// Media of the first part.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<Media>,
    /// Link of the first part (a card where the platform makes cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Further parts, each published as a reply to the one before (a thread).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thread: Vec<Part>,
    /// BCP-47 / ISO 639-1 language of the text (`"en"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// A content warning / spoiler text shown before the post (Mastodon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_warning: Option<String>,
    /// Who may see it.
    #[serde(default)]
    pub visibility: Visibility,
    /// The post this one replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<PostRef>,
    /// Per-platform and per-channel variants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
    /// Free labels (`"paid"`, `"launch"`); brand rules read them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// The campaign the post belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// When to publish; `None` means now. Always UTC inside socialkit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_at: Option<DateTime<Utc>>,
}

impl Post {
    /// A text post.
    pub fn text(text: impl Into<String>) -> Self {
        Post {
            text: text.into(),
            ..Post::default()
        }
    }

    /// A thread from its parts' texts; the first becomes the post's own text.
    ///
    /// ```
    /// let t = socialkit::model::Post::thread(["one", "two", "three"]);
    /// assert_eq!(t.parts().iter().map(|p| p.text.as_str()).collect::<Vec<_>>(), ["one", "two", "three"]);
    /// ```
    pub fn thread<I, S>(texts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut it = texts.into_iter();
        let mut post = Post::text(it.next().map(Into::into).unwrap_or_default());
        post.thread = it.map(|t| Part::text(t)).collect();
        post
    }

    /// Adds media to the first part.
    pub fn with_media(mut self, media: Media) -> Self {
        self.media.push(media);
        self
    }

    /// Sets the link of the first part.
    pub fn with_link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }

    /// Appends a text part to the thread.
    pub fn then(mut self, text: impl Into<String>) -> Self {
        self.thread.push(Part::text(text));
        self
    }

    /// Appends a part to the thread.
    pub fn then_part(mut self, part: Part) -> Self {
        self.thread.push(part);
        self
    }

    /// Sets the language.
    pub fn with_language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Sets the content warning.
    pub fn with_content_warning(mut self, cw: impl Into<String>) -> Self {
        self.content_warning = Some(cw.into());
        self
    }

    /// Makes this post a reply to `to`.
    pub fn in_reply_to(mut self, to: PostRef) -> Self {
        self.reply_to = Some(to);
        self
    }

    /// Adds a variant.
    pub fn with_variant(mut self, variant: Variant) -> Self {
        self.variants.push(variant);
        self
    }

    /// Adds a label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.labels.push(label.into());
        self
    }

    /// Sets the campaign.
    pub fn with_campaign(mut self, campaign: impl Into<String>) -> Self {
        self.campaign = Some(campaign.into());
        self
    }

    /// Sets the time to publish.
    pub fn scheduled_at(mut self, at: DateTime<Utc>) -> Self {
        self.scheduled_at = Some(at);
        self
    }

    /// All parts in order: the first part, then the thread.
    pub fn parts(&self) -> Vec<Part> {
        let mut parts = Vec::with_capacity(1 + self.thread.len());
        parts.push(Part {
            text: self.text.clone(),
            media: self.media.clone(),
            link: self.link.clone(),
        });
        parts.extend(self.thread.iter().cloned());
        parts
    }

    /// Whether the post is a thread of more than one part.
    pub fn is_thread(&self) -> bool {
        !self.thread.is_empty()
    }

    /// The post as it goes to `platform` (and, when given, `channel`): the platform variant
    /// applied, then the channel variant. The result has no variants left.
    pub fn resolve(&self, platform: &str, channel: Option<&str>) -> Post {
        let mut out = self.clone();
        out.variants.clear();
        let platform_variant = self
            .variants
            .iter()
            .find(|v| matches!(&v.target, Target::Platform(p) if p == platform));
        let channel_variant = channel.and_then(|c| {
            self.variants
                .iter()
                .find(|v| matches!(&v.target, Target::Channel(id) if id == c))
        });
        for v in platform_variant.into_iter().chain(channel_variant) {
            if let Some(t) = &v.text {
                out.text = t.clone();
            }
            if let Some(m) = &v.media {
                out.media = m.clone();
            }
            if let Some(l) = &v.link {
                out.link = Some(l.clone());
            }
            if let Some(th) = &v.thread {
                out.thread = th.clone();
            }
            if let Some(cw) = &v.content_warning {
                out.content_warning = Some(cw.clone());
            }
        }
        out
    }
}

/// Options of one publish call.
///
/// ```
/// let o = socialkit::model::PublishOptions::with_key("delivery-42-attempt-1");
/// assert_eq!(o.idempotency_key.as_deref(), Some("delivery-42-attempt-1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishOptions {
    /// A key that makes a repeated call return the first result instead of posting again,
    /// where the platform supports it (Mastodon `Idempotency-Key`, a Bluesky record key, a
    /// Discord nonce). The engine always sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// Split a text that is too long into a numbered thread instead of failing.
    #[serde(default)]
    pub split_long_text: bool,
    /// The instant the first attempt with this idempotency key began; the engine sets it and
    /// keeps it for every retry with the key. Where a post's id is derived from its content
    /// and time (Nostr), the adapter dates the post with it, so a retry makes the very same
    /// post (the same id) instead of a second one. `None`: now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
}

impl PublishOptions {
    /// Options with an idempotency key.
    pub fn with_key(key: impl Into<String>) -> Self {
        PublishOptions {
            idempotency_key: Some(key.into()),
            ..PublishOptions::default()
        }
    }
}

/// The result of a publish: the first post, and every part of a thread in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// The first (or only) post.
    pub post: PostRef,
    /// Every part, the first included, in order.
    pub parts: Vec<PostRef>,
    /// When the platform says it was published.
    pub published_at: DateTime<Utc>,
}

impl Published {
    /// A result for a single post.
    pub fn single(post: PostRef, published_at: DateTime<Utc>) -> Self {
        Published {
            parts: vec![post.clone()],
            post,
            published_at,
        }
    }

    /// The link of the first post, when the platform gives one.
    pub fn url(&self) -> Option<&str> {
        self.post.url.as_deref()
    }
}

/// A post of the channel as listed by [`Platform::recent_posts`](crate::Platform::recent_posts),
/// used to reconcile a publish whose outcome is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentPost {
    /// The post.
    pub post: PostRef,
    /// Its text as the platform returns it.
    pub text: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The idempotency key it was published with, where the platform keeps one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// The platform's id of the post this one answers, where the adapter knows it. An adapter
    /// that fills it for every reply it lists declares
    /// [`Capabilities::replies_in_recent_posts`](crate::platform::Capabilities::replies_in_recent_posts);
    /// elsewhere `None` says nothing (the post may still be a reply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
}
