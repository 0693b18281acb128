//! What the Graph twin remembers: objects (posts, photos, comments, containers) and quotas.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

/// What kind of object a [`Node`] is.
///
/// ```
/// use socialkit::adapters::graph::twin::NodeKind;
/// assert_ne!(NodeKind::Post, NodeKind::Comment);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A post (a Facebook feed post, an Instagram media, a Threads post or reply).
    Post,
    /// A Facebook photo (published, or unpublished for a multi-photo post).
    Photo,
    /// A comment (Facebook, Instagram).
    Comment,
    /// A media container (Instagram, Threads).
    Container,
}

/// The processing state of a container.
///
/// ```
/// use socialkit::adapters::graph::twin::ContainerState;
/// assert_eq!(ContainerState::InProgress(2).code(), "IN_PROGRESS");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerState {
    /// Polls left before it is finished.
    InProgress(u32),
    /// Ready.
    Finished,
    /// Failed, with the reason.
    Error(String),
    /// Not published within 24 hours.
    Expired,
    /// Published as this media id.
    Published(String),
}

impl ContainerState {
    /// The status code Meta shows.
    ///
    /// ```
    /// assert_eq!(socialkit::adapters::graph::twin::ContainerState::Published("1".into()).code(), "PUBLISHED");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ContainerState::InProgress(_) => "IN_PROGRESS",
            ContainerState::Finished => "FINISHED",
            ContainerState::Error(_) => "ERROR",
            ContainerState::Expired => "EXPIRED",
            ContainerState::Published(_) => "PUBLISHED",
        }
    }
}

/// One object in the twin.
///
/// ```
/// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
/// use socialkit::PlatformExt;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = FacebookTwin::start().await.unwrap();
/// let p = Facebook::new(twin.config()).unwrap().publish_text("hi").await.unwrap();
/// let node = twin.handle().node(&p.post.id).unwrap();
/// assert_eq!(node.kind, socialkit::adapters::graph::twin::NodeKind::Post);
/// assert!(!node.deleted);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Its id.
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
    /// Who made it (an account id).
    pub author_id: String,
    /// That account's name or username.
    pub author_name: String,
    /// Its text (message, caption, comment).
    pub text: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// What it belongs to: the post of a comment, the post a Threads reply answers, the
    /// comment a reply answers.
    pub parent: Option<String>,
    /// A link attached (Facebook `link`, Threads `link_attachment`).
    pub link: Option<String>,
    /// Media URLs (or `upload:<bytes>` for uploaded files) with their type (`IMAGE`, `VIDEO`).
    pub media: Vec<(String, String)>,
    /// Attached photos (Facebook), carousel children (Instagram, Threads).
    pub children: Vec<String>,
    /// The media type (`TEXT_POST`, `IMAGE`, `VIDEO`, `CAROUSEL_ALBUM`, `REELS` …).
    pub media_type: String,
    /// Whether it is visible (a Facebook photo uploaded with `published=false` is not).
    pub published: bool,
    /// Whether it was deleted.
    pub deleted: bool,
    /// The link people open.
    pub permalink: String,
    /// Counters: likes, reactions, shares, views, reach, saved, quotes, reposts, clicks …
    pub counts: BTreeMap<String, u64>,
    /// For containers: their processing state.
    pub container: Option<ContainerState>,
    /// For containers: the parameters they were created with.
    pub params: BTreeMap<String, String>,
}

impl Node {
    /// A new node; the caller fills in what it needs.
    pub(crate) fn new(id: String, kind: NodeKind, author_id: &str, author_name: &str) -> Node {
        Node {
            id,
            kind,
            author_id: author_id.to_string(),
            author_name: author_name.to_string(),
            text: String::new(),
            created_at: Utc::now(),
            parent: None,
            link: None,
            media: Vec::new(),
            children: Vec::new(),
            media_type: String::new(),
            published: true,
            deleted: false,
            permalink: String::new(),
            counts: BTreeMap::new(),
            container: None,
            params: BTreeMap::new(),
        }
    }

    /// A counter (0 when never set).
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let p = Facebook::new(twin.config()).unwrap().publish_text("hi").await.unwrap();
    /// assert_eq!(twin.handle().node(&p.post.id).unwrap().count("shares"), 0);
    /// # });
    /// ```
    pub fn count(&self, name: &str) -> u64 {
        self.counts.get(name).copied().unwrap_or(0)
    }
}

/// The twin's whole state.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) next_id: u64,
    pub(crate) nodes: Vec<Node>,
    pub(crate) publishes: Vec<DateTime<Utc>>,
    pub(crate) replies: Vec<DateTime<Utc>>,
    pub(crate) container_polls: u32,
    pub(crate) fail_next_container: Option<String>,
    pub(crate) quota_total: u64,
    pub(crate) reply_quota_total: u64,
    pub(crate) extra_usage: u64,
    /// Threads keyword searches that found something (they count against the daily quota).
    pub(crate) keyword_queries: Vec<DateTime<Utc>>,
    /// Instagram hashtags queried, by name, with the time of their first query in the current
    /// 7-day window.
    pub(crate) hashtag_queries: BTreeMap<String, DateTime<Utc>>,
    /// Login: codes the consent dialog handed out and not yet redeemed.
    pub(crate) login_codes: BTreeMap<String, super::login::IssuedCode>,
    /// Login: the permissions granted to each token the login endpoints issued.
    pub(crate) login_grants: BTreeMap<String, Vec<String>>,
}

impl State {
    /// A fresh numeric id.
    pub(crate) fn id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    /// A live (not deleted) node.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id && !n.deleted)
    }

    /// A live node, mutable.
    pub fn node_mut(&mut self, id: &str) -> Option<&mut Node> {
        self.nodes.iter_mut().find(|n| n.id == id && !n.deleted)
    }

    /// Adds a node and returns its id.
    pub(crate) fn add(&mut self, node: Node) -> String {
        let id = node.id.clone();
        self.nodes.push(node);
        id
    }

    /// Live nodes matching `f`, newest first.
    pub fn newest_first<F: Fn(&Node) -> bool>(&self, f: F) -> Vec<&Node> {
        let mut v: Vec<&Node> = self.nodes.iter().filter(|n| !n.deleted && f(n)).collect();
        v.reverse();
        v
    }

    /// Live comments (or replies) on `parent`, oldest first.
    pub fn children_of(&self, parent: &str, kind: NodeKind) -> Vec<&Node> {
        self.nodes
            .iter()
            .filter(|n| !n.deleted && n.kind == kind && n.parent.as_deref() == Some(parent))
            .collect()
    }

    /// Publishes in the last 24 hours.
    pub fn publishes_in_window(&self, now: DateTime<Utc>) -> u64 {
        let from = now - chrono::Duration::hours(24);
        self.publishes.iter().filter(|t| **t > from).count() as u64
    }

    /// Replies in the last 24 hours.
    pub fn replies_in_window(&self, now: DateTime<Utc>) -> u64 {
        let from = now - chrono::Duration::hours(24);
        self.replies.iter().filter(|t| **t > from).count() as u64
    }

    /// Keyword searches counted in the last 24 hours.
    pub fn keyword_queries_in_window(&self, now: DateTime<Utc>) -> u64 {
        let from = now - chrono::Duration::hours(24);
        self.keyword_queries.iter().filter(|t| **t > from).count() as u64
    }

    /// The unique hashtags queried in the last 7 days.
    pub fn hashtags_in_window(&self, now: DateTime<Utc>) -> Vec<&str> {
        let from = now - chrono::Duration::days(7);
        self.hashtag_queries
            .iter()
            .filter(|(_, t)| **t > from)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// Creates a container with `params` that takes the configured number of polls.
    pub(crate) fn create_container(
        &mut self,
        owner: &str,
        owner_name: &str,
        params: &BTreeMap<String, String>,
    ) -> String {
        let id = self.id();
        let mut node = Node::new(id.clone(), NodeKind::Container, owner, owner_name);
        node.params = params.clone();
        node.container = Some(match self.fail_next_container.take() {
            Some(reason) => ContainerState::Error(reason),
            None if self.container_polls == 0 => ContainerState::Finished,
            None => ContainerState::InProgress(self.container_polls),
        });
        self.add(node)
    }

    /// The container's state after one more poll (IN_PROGRESS counts down to FINISHED).
    pub(crate) fn poll_container(&mut self, id: &str) -> Option<ContainerState> {
        let node = self.node_mut(id)?;
        let state = node.container.as_mut()?;
        if let ContainerState::InProgress(left) = state {
            *left = left.saturating_sub(1);
            if *left == 0 {
                *state = ContainerState::Finished;
                return Some(ContainerState::InProgress(0));
            }
        }
        Some(state.clone())
    }
}
