use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{InteractionRef, PostRef};

/// What kind of interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    /// A comment on a post (platforms with comments: Facebook, Instagram, LinkedIn).
    Comment,
    /// A reply to a post (platforms with replies: Mastodon, Bluesky, X).
    Reply,
    /// A mention of the channel in someone else's post.
    Mention,
    /// A quote of a post.
    Quote,
    /// A direct message.
    DirectMessage,
    /// A like / favourite / reaction.
    Like,
    /// A repost / reblog / share.
    Repost,
    /// A new follower.
    Follow,
    /// A public post found by [`search`](crate::Platform::search): written by anyone, not
    /// addressed to the channel. Not in [`InteractionKind::ALL`], which lists what an account
    /// receives.
    Post,
}

impl InteractionKind {
    /// Every kind an account receives (everything but [`InteractionKind::Post`]).
    pub const ALL: [InteractionKind; 8] = [
        InteractionKind::Comment,
        InteractionKind::Reply,
        InteractionKind::Mention,
        InteractionKind::Quote,
        InteractionKind::DirectMessage,
        InteractionKind::Like,
        InteractionKind::Repost,
        InteractionKind::Follow,
    ];

    /// Whether the interaction carries text one can answer (comment, reply, mention, quote, DM).
    pub fn has_text(self) -> bool {
        matches!(
            self,
            InteractionKind::Comment
                | InteractionKind::Reply
                | InteractionKind::Mention
                | InteractionKind::Quote
                | InteractionKind::DirectMessage
                | InteractionKind::Post
        )
    }
}

/// Who made an interaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// The platform's account id.
    pub id: String,
    /// The handle.
    pub handle: String,
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Followers, when known (priority uses the author's reach).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    /// The profile URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A comment, reply, mention, quote, direct message, like, repost or follow.
///
/// ```
/// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
/// let i = Interaction {
///     reference: InteractionRef::new("sandbox", "n1"),
///     kind: InteractionKind::Mention,
///     author: Author { id: "u1".into(), handle: "ann".into(), ..Default::default() },
///     text: Some("@acme where is my order?".into()),
///     created_at: chrono::Utc::now(),
///     post: None,
///     conversation: None,
///     language: None,
/// };
/// assert!(i.kind.has_text());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    /// The platform-native reference; replying uses it.
    pub reference: InteractionRef,
    /// The kind.
    pub kind: InteractionKind,
    /// Who made it.
    pub author: Author,
    /// The text, for kinds that carry text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// The channel's post it belongs to (the post replied to, liked, reposted, quoted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<PostRef>,
    /// The conversation / thread root it belongs to, where the platform says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    /// The language, where the platform says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// What interactions to read.
///
/// Paging goes forward in time: a page holds interactions oldest first, and its
/// [`Page::next_cursor`] resumes right after the newest one returned. Store the cursor and pass
/// it next time: nothing is read twice, nothing is missed.
///
/// ```
/// use socialkit::model::{InteractionKind, InteractionQuery};
/// let q = InteractionQuery::default().kinds([InteractionKind::Mention, InteractionKind::Reply]).limit(50);
/// assert!(q.wants(InteractionKind::Mention));
/// assert!(!q.wants(InteractionKind::Like));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionQuery {
    /// Which kinds; empty means every kind the platform can read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<InteractionKind>,
    /// Resume after this cursor (from an earlier [`Page::next_cursor`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Only interactions at or after this instant (used when there is no cursor yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// At most this many per page.
    pub limit: usize,
}

impl Default for InteractionQuery {
    fn default() -> Self {
        InteractionQuery {
            kinds: Vec::new(),
            cursor: None,
            since: None,
            limit: 40,
        }
    }
}

impl InteractionQuery {
    /// Restricts the kinds.
    pub fn kinds(mut self, kinds: impl IntoIterator<Item = InteractionKind>) -> Self {
        self.kinds = kinds.into_iter().collect();
        self
    }

    /// Sets the cursor.
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// Sets the page size.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Whether `kind` is asked for.
    pub fn wants(&self, kind: InteractionKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items, oldest first.
    pub items: Vec<T>,
    /// Where to resume. Always set when the platform gave a position, even on an empty page,
    /// so polling can continue from it.
    pub next_cursor: Option<String>,
    /// Whether more items are available right now after `next_cursor`.
    pub has_more: bool,
}

impl<T> Page<T> {
    /// An empty last page that resumes at `cursor`.
    pub fn empty(cursor: Option<String>) -> Self {
        Page {
            items: Vec::new(),
            next_cursor: cursor,
            has_more: false,
        }
    }
}
