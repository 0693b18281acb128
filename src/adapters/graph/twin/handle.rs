//! [`TwinHandle`]: inspect and steer a running Graph twin.

use std::sync::Arc;

use axum::http::Method;
use chrono::Utc;

use super::{ContainerState, Fault, FaultRule, Node, NodeKind, Shared};

/// Inspects and steers a running twin. Cheap to clone.
///
/// ```
/// use socialkit::adapters::facebook::twin::FacebookTwin;
/// use socialkit::adapters::graph::twin::Fault;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = FacebookTwin::start().await.unwrap();
/// let h = twin.handle().clone();
/// h.inject(Some("GET"), None, 1, Fault::html(502));
/// assert_eq!(h.requests().len(), 0);
/// # });
/// ```
#[derive(Clone)]
pub struct TwinHandle {
    pub(super) shared: Arc<Shared>,
}

impl std::fmt::Debug for TwinHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwinHandle")
            .field("account", &self.shared.options().account_id)
            .finish()
    }
}

impl TwinHandle {
    /// The account's access token.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// assert_eq!(twin.config().graph.token.expose(), h.token());
    /// # });
    /// ```
    pub fn token(&self) -> String {
        self.shared.options().token.clone()
    }

    /// The account's id.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// assert_eq!(h.account_id(), "1000001");
    /// # });
    /// ```
    pub fn account_id(&self) -> String {
        self.shared.options().account_id.clone()
    }

    /// Requests seen so far (faults included), as `(METHOD, path)`.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.publish_text("hi").await.unwrap();
    /// assert_eq!(h.requests()[0].0, "POST");
    /// # });
    /// ```
    pub fn requests(&self) -> Vec<(String, String)> {
        self.shared
            .log
            .all()
            .into_iter()
            .map(|s| (s.method, s.path))
            .collect()
    }

    /// How many requests used `method` on a path containing `path`.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.publish_text("hi").await.unwrap();
    /// assert_eq!(h.requests_to("POST", "/feed"), 1);
    /// # });
    /// ```
    pub fn requests_to(&self, method: &str, path: &str) -> usize {
        self.shared
            .log
            .all()
            .iter()
            .filter(|s| s.method.eq_ignore_ascii_case(method) && s.path.contains(path))
            .count()
    }

    /// Forgets the requests seen.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.publish_text("hi").await.unwrap();
    /// h.reset_requests();
    /// assert!(h.requests().is_empty());
    /// # });
    /// ```
    pub fn reset_requests(&self) {
        self.shared.log.reset();
    }

    /// An object (deleted ones too).
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// let p = page.publish_text("hi").await.unwrap();
    /// assert_eq!(h.node(&p.post.id).unwrap().text, "hi");
    /// # });
    /// ```
    pub fn node(&self, id: &str) -> Option<Node> {
        self.shared
            .state()
            .nodes
            .iter()
            .find(|n| n.id == id)
            .cloned()
    }

    /// Every object, oldest first.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.publish_text("hi").await.unwrap();
    /// assert_eq!(h.nodes().len(), 1);
    /// # });
    /// ```
    pub fn nodes(&self) -> Vec<Node> {
        self.shared.state().nodes.clone()
    }

    /// Live posts of the account, oldest first.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.publish_text("hi").await.unwrap();
    /// assert_eq!(h.posts().len(), 1);
    /// # });
    /// ```
    pub fn posts(&self) -> Vec<Node> {
        let owner = self.account_id();
        self.shared
            .state()
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Post && !n.deleted && n.author_id == owner)
            .cloned()
            .collect()
    }

    /// Answers the next `times` requests whose method is `method` (any when `None`) and whose
    /// path contains `path` (any when `None`) with `fault`.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// use socialkit::adapters::graph::twin::Fault;
    /// let page = Facebook::new(twin.config()).unwrap();
    /// h.inject(Some("POST"), Some("/feed"), 1, Fault::graph(368, None, "blocked"));
    /// assert_eq!(page.publish_text("hi").await.unwrap_err().kind(), socialkit::ErrorKind::ContentRejected);
    /// # });
    /// ```
    pub fn inject(&self, method: Option<&str>, path: Option<&str>, times: usize, fault: Fault) {
        if let Some(canned) = super::server::canned(&self.shared, &fault) {
            self.shared.canned.inject(method, path, times, canned);
            return;
        }
        let method = method.and_then(|m| Method::from_bytes(m.as_bytes()).ok());
        self.shared
            .special
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(FaultRule {
                method,
                path_contains: path.map(str::to_string),
                remaining: times,
                fault,
            });
    }

    /// Makes `author` comment `text` on `on` (a post or, for a reply to a comment, a comment);
    /// returns the comment's id. The author's id is derived from the name.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// let p = page.publish_text("hi").await.unwrap();
    /// let c = h.comment(&p.post.id, "bob", "hello");
    /// assert_eq!(h.node(&c).unwrap().parent.as_deref(), Some(p.post.id.as_str()));
    /// # });
    /// ```
    pub fn comment(&self, on: &str, author: &str, text: &str) -> String {
        let mut s = self.shared.state();
        let prefix = s
            .node(on)
            .filter(|n| n.id.contains('_'))
            .map(|n| n.id.rsplit('_').next().unwrap_or("0").to_string());
        let n = s.id();
        let id = match prefix {
            Some(p) => format!("{p}_{n}"),
            None => n,
        };
        let mut node = Node::new(id, NodeKind::Comment, &author_id(author), author);
        node.text = text.to_string();
        node.parent = Some(on.to_string());
        s.add(node)
    }

    /// Makes `author` reply `text` to the Threads post `to` (a reply is a post of its own);
    /// returns the reply's id.
    ///
    /// ```
    /// use socialkit::adapters::threads::{Threads, twin::ThreadsTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = ThreadsTwin::start().await.unwrap();
    /// let p = Threads::new(twin.config()).unwrap().publish_text("hi").await.unwrap();
    /// let r = twin.handle().reply(&p.post.id, "bob", "hello");
    /// assert_eq!(twin.handle().node(&r).unwrap().author_name, "bob");
    /// # });
    /// ```
    pub fn reply(&self, to: &str, author: &str, text: &str) -> String {
        let mut s = self.shared.state();
        let id = s.id();
        let mut node = Node::new(id.clone(), NodeKind::Post, &author_id(author), author);
        node.text = text.to_string();
        node.parent = Some(to.to_string());
        node.media_type = "TEXT_POST".into();
        node.permalink = format!("https://www.threads.net/@{author}/post/{id}");
        s.add(node)
    }

    /// Makes `author` publish `text` as a public post of `media_type` (`TEXT_POST` on Threads,
    /// `IMAGE` on Instagram) that searches can find; returns its id.
    ///
    /// ```
    /// use socialkit::adapters::threads::twin::ThreadsTwin;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = ThreadsTwin::start().await.unwrap();
    /// let id = twin.handle().public_post("bob", "anvils are heavy #anvils", "TEXT_POST");
    /// assert_eq!(twin.handle().node(&id).unwrap().author_name, "bob");
    /// # });
    /// ```
    pub fn public_post(&self, author: &str, text: &str, media_type: &str) -> String {
        let mut s = self.shared.state();
        let id = s.id();
        let mut node = Node::new(id.clone(), NodeKind::Post, &author_id(author), author);
        node.text = text.to_string();
        node.media_type = media_type.to_string();
        node.permalink = format!("https://twin.invalid/{author}/p/{id}");
        s.add(node)
    }

    /// Moves an object's creation time (to put a post outside a search window).
    ///
    /// ```
    /// use socialkit::adapters::threads::twin::ThreadsTwin;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = ThreadsTwin::start().await.unwrap();
    /// let id = twin.handle().public_post("bob", "old news", "TEXT_POST");
    /// let then = chrono::Utc::now() - chrono::Duration::days(3);
    /// twin.handle().set_created_at(&id, then);
    /// assert_eq!(twin.handle().node(&id).unwrap().created_at, then);
    /// # });
    /// ```
    pub fn set_created_at(&self, id: &str, at: chrono::DateTime<Utc>) {
        if let Some(n) = self.shared.state().node_mut(id) {
            n.created_at = at;
        }
    }

    /// Threads keyword searches counted against the 2,200-a-day quota in the last 24 hours.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = socialkit::adapters::threads::twin::ThreadsTwin::start().await.unwrap();
    /// assert_eq!(twin.handle().keyword_queries(), 0);
    /// # });
    /// ```
    pub fn keyword_queries(&self) -> u64 {
        self.shared.state().keyword_queries_in_window(Utc::now())
    }

    /// Counts `used` keyword searches now (to bring the quota near its end).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = socialkit::adapters::threads::twin::ThreadsTwin::start().await.unwrap();
    /// twin.handle().use_keyword_queries(2200);
    /// assert_eq!(twin.handle().keyword_queries(), 2200);
    /// # });
    /// ```
    pub fn use_keyword_queries(&self, used: u64) {
        let now = Utc::now();
        self.shared.state().keyword_queries = (0..used).map(|_| now).collect();
    }

    /// The unique Instagram hashtags queried in the last 7 days.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = socialkit::adapters::instagram::twin::InstagramTwin::start().await.unwrap();
    /// assert!(twin.handle().hashtags_queried().is_empty());
    /// # });
    /// ```
    pub fn hashtags_queried(&self) -> Vec<String> {
        self.shared
            .state()
            .hashtags_in_window(Utc::now())
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Sets a counter (`likes`, `shares`, `views`, `reach` …) of an object.
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let page = Facebook::new(twin.config()).unwrap();
    /// let p = page.publish_text("hi").await.unwrap();
    /// h.set_count(&p.post.id, "likes", 7);
    /// assert_eq!(h.node(&p.post.id).unwrap().count("likes"), 7);
    /// # });
    /// ```
    pub fn set_count(&self, id: &str, name: &str, value: u64) {
        if let Some(n) = self.shared.state().node_mut(id) {
            n.counts.insert(name.to_string(), value);
        }
    }

    /// How many status polls new containers stay `IN_PROGRESS` for.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.set_container_polls(0);
    /// ig.publish(&post, &PublishOptions::default()).await.unwrap();
    /// assert_eq!(h.requests_to("GET", &format!("/{}", h.containers()[0].id)), 1);
    /// # });
    /// ```
    pub fn set_container_polls(&self, polls: u32) {
        self.shared.state().container_polls = polls;
    }

    /// The next container fails processing with `reason` (status `ERROR`).
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.fail_next_container("ERROR: download failed");
    /// let e = ig.publish(&post, &PublishOptions::default()).await.unwrap_err();
    /// assert_eq!(e.kind(), socialkit::ErrorKind::ContentRejected);
    /// # });
    /// ```
    pub fn fail_next_container(&self, reason: &str) {
        self.shared.state().fail_next_container = Some(reason.to_string());
    }

    /// Makes a container `FINISHED` (when it is still in progress).
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.set_container_polls(1000);
    /// let mut config = twin.config();
    /// config.graph.container_wait.max_wait = std::time::Duration::from_millis(50);
    /// let slow = Instagram::new(config).unwrap();
    /// let opts = PublishOptions::with_key("k");
    /// assert!(slow.publish(&post, &opts).await.is_err());
    /// h.finish_container(&h.containers()[0].id);
    /// assert!(slow.publish(&post, &opts).await.is_ok());
    /// # });
    /// ```
    pub fn finish_container(&self, id: &str) {
        if let Some(n) = self.shared.state().node_mut(id) {
            if matches!(n.container, Some(ContainerState::InProgress(_))) {
                n.container = Some(ContainerState::Finished);
            }
        }
    }

    /// Marks a container `EXPIRED`.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.set_container_polls(1000);
    /// let mut config = twin.config();
    /// config.graph.container_wait.max_wait = std::time::Duration::from_millis(50);
    /// let slow = Instagram::new(config).unwrap();
    /// let opts = PublishOptions::with_key("k");
    /// assert!(slow.publish(&post, &opts).await.is_err());
    /// h.expire_container(&h.containers()[0].id);
    /// h.set_container_polls(0);
    /// slow.publish(&post, &opts).await.unwrap();
    /// assert_eq!(h.containers().len(), 2);
    /// # });
    /// ```
    pub fn expire_container(&self, id: &str) {
        if let Some(n) = self.shared.state().node_mut(id) {
            n.container = Some(ContainerState::Expired);
        }
    }

    /// Containers made so far (published ones included).
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// ig.publish(&post, &PublishOptions::default()).await.unwrap();
    /// assert_eq!(h.containers().len(), 1);
    /// # });
    /// ```
    pub fn containers(&self) -> Vec<Node> {
        self.shared
            .state()
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Container)
            .cloned()
            .collect()
    }

    /// Publishes counted against the quota in the last 24 hours.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// ig.publish(&post, &PublishOptions::default()).await.unwrap();
    /// assert_eq!(h.publishes(), 1);
    /// # });
    /// ```
    pub fn publishes(&self) -> u64 {
        self.shared.state().publishes_in_window(Utc::now())
    }

    /// Fills the publishing quota up to `used` posts.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.use_quota(100);
    /// let e = ig.publish(&post, &PublishOptions::default()).await.unwrap_err();
    /// assert_eq!(e.kind(), socialkit::ErrorKind::RateLimited);
    /// # });
    /// ```
    pub fn use_quota(&self, used: u64) {
        let mut s = self.shared.state();
        let now = Utc::now();
        s.publishes = (0..used).map(|_| now).collect();
    }

    /// The posts allowed per 24 hours.
    ///
    /// ```
    /// use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
    /// use socialkit::model::{Media, Post, PublishOptions};
    /// use socialkit::Platform;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = InstagramTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// let ig = Instagram::new(twin.config()).unwrap();
    /// let post = Post::text("x").with_media(Media::from_url("image/jpeg", "https://cdn.example/x.jpg"));
    /// h.set_quota(0);
    /// assert!(ig.publish(&post, &PublishOptions::default()).await.is_err());
    /// # });
    /// ```
    pub fn set_quota(&self, total: u64) {
        self.shared.state().quota_total = total;
    }

    /// Adds `percent` to the usage the headers report (to show a nearly used budget).
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// use socialkit::Platform;
    /// h.add_usage(90);
    /// let page = Facebook::new(twin.config()).unwrap();
    /// page.channel().await.unwrap();
    /// assert!(page.rate_limit().unwrap().usage_percent.unwrap() >= 90.0);
    /// # });
    /// ```
    pub fn add_usage(&self, percent: u64) {
        self.shared.state().extra_usage = percent;
    }

    /// The current account token (after a rotating refresh it changes).
    ///
    /// ```
    /// use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = FacebookTwin::start().await.unwrap();
    /// let h = twin.handle();
    /// use socialkit::Platform;
    /// h.set_token("EAAnewTOKEN");
    /// let page = Facebook::new(twin.config()).unwrap();
    /// assert!(page.channel().await.is_ok());
    /// # });
    /// ```
    pub fn set_token(&self, token: &str) {
        self.shared.options().token = token.to_string();
    }
}

/// A stable account id for a name (`bob` → a number), so tests need not keep ids.
///
/// ```
/// use socialkit::adapters::graph::twin::author_id;
/// assert_eq!(author_id("bob"), author_id("bob"));
/// assert_ne!(author_id("bob"), author_id("carol"));
/// ```
pub fn author_id(name: &str) -> String {
    let mut h: u64 = 1469598103934665603;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(1099511628211);
    }
    (h % 9_000_000_000 + 1_000_000_000).to_string()
}
