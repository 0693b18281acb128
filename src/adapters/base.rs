//! The adapter base: what every platform adapter shares, so that a new adapter is its API
//! calls, its mapping and its twin.
//!
//! # How an adapter is built on it
//!
//! An adapter implements [`Adapter`] — the same calls as [`Platform`], with the same
//! signatures — and gets [`Platform`] from this module. The generated [`Platform`] is the
//! capability-check layer (the idea of Apache OpenDAL's capability check): every call is
//! checked against the adapter's [`Capabilities`] once, here, before the adapter sees it, and
//! no adapter repeats the check:
//!
//! - **writes** ([`publish`](Platform::publish), [`reply`](Platform::reply),
//!   [`edit`](Platform::edit)) first [load the capabilities](Adapter::load_capabilities) (a
//!   Mastodon instance's limits), then resolve the post's variant for the platform and
//!   [fit](Adapter::fit) it: split into a thread when [`PublishOptions::split_long_text`] asks
//!   for it, and validate. The adapter receives the resolved, checked post;
//! - **every other operation** ([`delete`](Platform::delete),
//!   [`interactions`](Platform::interactions), [`post_metrics`](Platform::post_metrics),
//!   [`recent_posts`](Platform::recent_posts), [`search`](Platform::search), and reply and edit
//!   before their post is read) is refused with [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) when the
//!   capabilities do not declare it: nothing is sent.
//!
//! An adapter overrides [`Adapter::fit`] only when its platform counts differently from
//! [`Capabilities::fit`] (Mastodon counts the content warning into every part) and
//! [`Adapter::context`] to name its channel in errors. The unsupported defaults of [`Adapter`]
//! are never reached for an operation the capabilities do not declare.
//!
//! ```
//! use async_trait::async_trait;
//! use socialkit::adapters::base::Adapter;
//! use socialkit::model::{Channel, Post, PostRef, PublishOptions, Published};
//! use socialkit::platform::Capabilities;
//! use socialkit::text::{Counting, TextRule};
//! use socialkit::{ErrorKind, Platform, PlatformExt};
//!
//! #[derive(Debug)]
//! struct Echo(Capabilities);
//!
//! #[async_trait]
//! impl Adapter for Echo {
//!     fn capabilities(&self) -> &Capabilities {
//!         &self.0
//!     }
//!     async fn channel(&self) -> socialkit::Result<Channel> {
//!         Ok(Channel::new("echo", "1", "me"))
//!     }
//!     async fn publish(&self, post: &Post, _: &PublishOptions) -> socialkit::Result<Published> {
//!         // Only checked posts arrive here.
//!         assert!(post.text.chars().count() <= 10);
//!         Ok(Published::single(PostRef::new("echo", "1"), chrono::Utc::now()))
//!     }
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let echo = Echo(Capabilities::new("echo", TextRule::new(Counting::Graphemes, 10)));
//! assert!(echo.publish_text("short").await.is_ok());
//! let e = echo.publish_text("far too long for ten").await.unwrap_err();
//! assert_eq!(e.kind(), ErrorKind::Validation);
//! // Echo declares no delete: refused before the adapter is asked. (With both traits in
//! // scope, name the one meant: `Adapter::delete` would skip the check.)
//! let e = Platform::delete(&echo, &PostRef::new("echo", "1")).await.unwrap_err();
//! assert_eq!(e.kind(), ErrorKind::Unsupported);
//! # });
//! ```

use std::fmt;

use async_trait::async_trait;

use crate::model::{
    Channel, Interaction, InteractionQuery, InteractionRef, Page, Post, PostMetrics, PostRef,
    PublishOptions, Published, RecentPost, SearchQuery,
};
use crate::platform::{Capabilities, Operation, Platform};
use crate::{Error, Result};

/// A platform adapter on the shared base: its API calls and mapping. [`Platform`] comes with
/// it, checking every call against [`Adapter::capabilities`] first (see the
/// [module docs](self)).
///
/// The write methods receive the post resolved for the platform and checked by
/// [`Adapter::fit`]; the others are called only for operations the capabilities declare.
#[async_trait]
pub trait Adapter: Send + Sync + fmt::Debug {
    /// What the platform can do. Declared once per adapter.
    fn capabilities(&self) -> &Capabilities;

    /// Reads what the capabilities depend on where the platform has to be asked (see
    /// [`Platform::load_capabilities`]); called before every write is checked.
    async fn load_capabilities(&self) -> Result<()> {
        Ok(())
    }

    /// The post (already resolved for the platform) as it goes out for `op` (publish, reply
    /// or edit): split into a numbered thread when `opts` asks and the text is too long, then
    /// validated. Nothing is sent.
    fn fit(&self, post: Post, opts: &PublishOptions, op: Operation) -> Result<Post> {
        if op == Operation::Reply {
            // A reply is a text answer: media is not required of it.
            return self.capabilities().for_replies().fit(post, opts);
        }
        self.capabilities().fit(post, opts)
    }

    /// Adds what the adapter knows (platform, channel, operation) to an error it refuses a
    /// call with before any request.
    fn context(&self, e: Error, op: Operation) -> Error {
        e.or_context(&self.capabilities().platform, None, op.as_str())
    }

    /// The error a call the capabilities do not declare is refused with (before any
    /// request). The default names the platform and the operation; an adapter overrides it to
    /// say why (a scope the token lacks).
    fn unsupported(&self, op: Operation) -> Error {
        Error::unsupported(&self.capabilities().platform, op.as_str())
    }

    /// See [`Platform::channel`].
    async fn channel(&self) -> Result<Channel>;

    /// See [`Platform::publish`]; `post` is resolved and checked.
    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published>;

    /// See [`Platform::delete`]; called only when the capabilities declare it.
    async fn delete(&self, post: &PostRef) -> Result<()> {
        let _ = post;
        Err(self.unsupported(Operation::Delete))
    }

    /// See [`Platform::edit`]; `new` is resolved and checked.
    async fn edit(&self, post: &PostRef, new: &Post) -> Result<Published> {
        let _ = (post, new);
        Err(self.unsupported(Operation::Edit))
    }

    /// See [`Platform::interactions`]; called only when the capabilities declare it.
    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        let _ = query;
        Err(self.unsupported(Operation::Interactions))
    }

    /// See [`Platform::reply`]; `post` is resolved and checked.
    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let _ = (to, post, opts);
        Err(self.unsupported(Operation::Reply))
    }

    /// See [`Platform::post_metrics`]; called only when the capabilities declare it.
    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let _ = posts;
        Err(self.unsupported(Operation::PostMetrics))
    }

    /// See [`Platform::recent_posts`]; called only when the capabilities declare it.
    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let _ = limit;
        Err(self.unsupported(Operation::RecentPosts))
    }

    /// See [`Platform::search`]; called only when the capabilities declare it.
    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        let _ = query;
        Err(self.unsupported(Operation::Search))
    }
}

/// `Ok` when the adapter's capabilities declare `op`, else the `Unsupported` error.
fn require<A: Adapter + ?Sized>(adapter: &A, op: Operation) -> Result<()> {
    if adapter.capabilities().supports(op) {
        Ok(())
    } else {
        Err(adapter.context(adapter.unsupported(op), op))
    }
}

/// A write's post as the adapter receives it: capabilities loaded, variant resolved, fitted.
async fn checked<A: Adapter + ?Sized>(
    adapter: &A,
    post: &Post,
    opts: &PublishOptions,
    op: Operation,
) -> Result<Post> {
    adapter.load_capabilities().await?;
    let resolved = post.resolve(adapter.capabilities().platform.as_str(), None);
    adapter
        .fit(resolved, opts, op)
        .map_err(|e| adapter.context(e, op))
}

/// The capability-check layer: every [`Adapter`] is a [`Platform`] whose calls are checked
/// against its capabilities before the adapter sees them.
#[async_trait]
impl<A: Adapter> Platform for A {
    fn capabilities(&self) -> &Capabilities {
        Adapter::capabilities(self)
    }

    async fn load_capabilities(&self) -> Result<()> {
        Adapter::load_capabilities(self).await
    }

    fn check_for(&self, post: &Post, op: Operation) -> Result<()> {
        Adapter::fit(self, post.clone(), &PublishOptions::default(), op)
            .map(|_| ())
            .map_err(|e| self.context(e, op))
    }

    async fn channel(&self) -> Result<Channel> {
        Adapter::channel(self).await
    }

    async fn publish(&self, post: &Post, opts: &PublishOptions) -> Result<Published> {
        let post = checked(self, post, opts, Operation::Publish).await?;
        Adapter::publish(self, &post, opts).await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        require(self, Operation::Delete)?;
        Adapter::delete(self, post).await
    }

    async fn edit(&self, post: &PostRef, new: &Post) -> Result<Published> {
        Adapter::load_capabilities(self).await?;
        require(self, Operation::Edit)?;
        let new = checked(self, new, &PublishOptions::default(), Operation::Edit).await?;
        Adapter::edit(self, post, &new).await
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        require(self, Operation::Interactions)?;
        Adapter::interactions(self, query).await
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        Adapter::load_capabilities(self).await?;
        require(self, Operation::Reply)?;
        let post = checked(self, post, opts, Operation::Reply).await?;
        Adapter::reply(self, to, &post, opts).await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        require(self, Operation::PostMetrics)?;
        Adapter::post_metrics(self, posts).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        require(self, Operation::RecentPosts)?;
        Adapter::recent_posts(self, limit).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Page<Interaction>> {
        require(self, Operation::Search)?;
        Adapter::search(self, query).await
    }
}
