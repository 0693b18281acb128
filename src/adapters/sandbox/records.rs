//! What tests and simulations can see and do beyond the [`Platform`](crate::Platform) trait:
//! a stored post as the sandbox keeps it, and an interaction to make someone do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{InteractionKind, MediaKind, PostRef, Visibility};

/// A media attachment as the sandbox stored it (without the bytes).
///
/// ```
/// use socialkit::adapters::sandbox::{sample_png, Sandbox};
/// use socialkit::model::{Media, Post};
/// use socialkit::{Platform, PublishOptions};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let acme = Sandbox::from_url("sandbox://acme-records-doc").unwrap();
/// let post = Post::text("Look").with_media(Media::image_bytes("image/png", sample_png(2, 2, [0, 0, 0])).with_alt("Black"));
/// let p = acme.publish(&post, &PublishOptions::default()).await.unwrap();
/// let stored = acme.inspect(&p.post).unwrap();
/// assert_eq!(stored.media[0].alt.as_deref(), Some("Black"));
/// assert_eq!(stored.thread_root, stored.id);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxMedia {
    /// The kind.
    pub kind: MediaKind,
    /// The MIME type, checked against the file's content.
    pub mime: String,
    /// The size in bytes.
    pub bytes: u64,
    /// The alt text.
    pub alt: Option<String>,
}

/// A post as the sandbox stored it, from [`Sandbox::inspect`](super::Sandbox::inspect).
///
/// ```
/// use socialkit::adapters::sandbox::{sample_png, Sandbox};
/// use socialkit::model::{Media, Post};
/// use socialkit::{Platform, PublishOptions};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let acme = Sandbox::from_url("sandbox://acme-records-doc").unwrap();
/// let post = Post::text("Look").with_media(Media::image_bytes("image/png", sample_png(2, 2, [0, 0, 0])).with_alt("Black"));
/// let p = acme.publish(&post, &PublishOptions::default()).await.unwrap();
/// let stored = acme.inspect(&p.post).unwrap();
/// assert_eq!(stored.media[0].alt.as_deref(), Some("Black"));
/// assert_eq!(stored.thread_root, stored.id);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxPost {
    /// The post's id in its account.
    pub id: String,
    /// The text (after edits).
    pub text: String,
    /// The media.
    pub media: Vec<SandboxMedia>,
    /// The link card's URL.
    pub link: Option<String>,
    /// The content warning.
    pub content_warning: Option<String>,
    /// Who can see it (direct for an answer to a direct message).
    pub visibility: Visibility,
    /// The language.
    pub language: Option<String>,
    /// The id of the post it replies to: the previous part of its thread, a post of the
    /// account, or the post of an interaction (`r17`).
    pub reply_to: Option<String>,
    /// The id of the first post of its thread (its own id for a single post).
    pub thread_root: String,
    /// When it was published.
    pub created_at: DateTime<Utc>,
    /// When it was last edited.
    pub edited_at: Option<DateTime<Utc>>,
    /// When it was deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    /// The idempotency key it was published with (first part of a thread only).
    pub idempotency_key: Option<String>,
}

/// An interaction to make someone do now, with [`Sandbox::receive`](super::Sandbox::receive):
/// what the simulated audience does on its own, on demand, with a chosen text or author where
/// given.
///
/// ```
/// use socialkit::adapters::sandbox::IncomingInteraction;
/// use socialkit::model::{InteractionKind, PostRef};
/// let i = IncomingInteraction::new(InteractionKind::Reply)
///     .on(PostRef::new("sandbox", "1"))
///     .text("Where is my order?")
///     .by("ann")
///     .language("en");
/// assert_eq!(i.author.as_deref(), Some("ann"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingInteraction {
    /// The kind.
    pub kind: InteractionKind,
    /// The account's post it is about (ignored for a follow).
    pub post: Option<PostRef>,
    /// The text, for kinds with text; a simulated one in the audience's mood when `None`.
    pub text: Option<String>,
    /// The author's handle; a simulated person when `None`.
    pub author: Option<String>,
    /// The language of a chosen text.
    pub language: Option<String>,
}

impl IncomingInteraction {
    /// Someone does `kind`.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::IncomingInteraction;
    /// use socialkit::model::InteractionKind;
    /// let dm = IncomingInteraction::new(InteractionKind::DirectMessage).text("Hallo!").language("de");
    /// assert_eq!(dm.language.as_deref(), Some("de"));
    /// ```
    pub fn new(kind: InteractionKind) -> Self {
        IncomingInteraction {
            kind,
            post: None,
            text: None,
            author: None,
            language: None,
        }
    }

    /// … on `post`.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::IncomingInteraction;
    /// use socialkit::model::InteractionKind;
    /// let dm = IncomingInteraction::new(InteractionKind::DirectMessage).text("Hallo!").language("de");
    /// assert_eq!(dm.language.as_deref(), Some("de"));
    /// ```
    pub fn on(mut self, post: PostRef) -> Self {
        self.post = Some(post);
        self
    }

    /// … with this text.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::IncomingInteraction;
    /// use socialkit::model::InteractionKind;
    /// let dm = IncomingInteraction::new(InteractionKind::DirectMessage).text("Hallo!").language("de");
    /// assert_eq!(dm.language.as_deref(), Some("de"));
    /// ```
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// … as this handle.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::IncomingInteraction;
    /// use socialkit::model::InteractionKind;
    /// let dm = IncomingInteraction::new(InteractionKind::DirectMessage).text("Hallo!").language("de");
    /// assert_eq!(dm.language.as_deref(), Some("de"));
    /// ```
    pub fn by(mut self, handle: impl Into<String>) -> Self {
        self.author = Some(handle.into());
        self
    }

    /// … in this language.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::IncomingInteraction;
    /// use socialkit::model::InteractionKind;
    /// let dm = IncomingInteraction::new(InteractionKind::DirectMessage).text("Hallo!").language("de");
    /// assert_eq!(dm.language.as_deref(), Some("de"));
    /// ```
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }
}
