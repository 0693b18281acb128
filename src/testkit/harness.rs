//! What the behaviour suite needs from the thing under test.

use std::sync::Arc;

use async_trait::async_trait;

use crate::adapters::sandbox::sample_png;
use crate::model::{InteractionKind, Media, PostRef};
use crate::{Error, Platform, Result};

/// The thing under test, as the behaviour suite sees it: a platform, plus hooks for what the
/// suite cannot do through the [`Platform`] trait alone (make someone else interact, look at a
/// post's reply parent, wait for indexing). Every hook has a default, so a minimal harness is
/// just [`platform`](Harness::platform); checks that need a missing hook are skipped with the
/// reason.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::testkit::{suite, Harness, SuiteOptions};
/// use socialkit::{Platform, Registry};
///
/// struct MyHarness(Arc<dyn Platform>);
///
/// #[async_trait::async_trait]
/// impl Harness for MyHarness {
///     fn platform(&self) -> Arc<dyn Platform> {
///         self.0.clone()
///     }
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let harness = MyHarness(Registry::default().from_url("sandbox://harness-doc").unwrap());
/// let report = suite::run(&harness, &SuiteOptions::default()).await;
/// report.assert_ok(); // checks needing the hooks are skipped, not failed
/// assert!(report.get("interactions_paging").unwrap().outcome.is_skipped());
/// # });
/// ```
#[async_trait]
pub trait Harness: Send + Sync {
    /// The platform under test.
    fn platform(&self) -> Arc<dyn Platform>;

    /// A platform of the same adapter that leaves at least one operation undeclared, for the
    /// "unsupported operation" check when [`platform`](Harness::platform) declares them all.
    fn limited_platform(&self) -> Option<Arc<dyn Platform>> {
        None
    }

    /// Makes someone else interact with `post` (reply, like …): a sandbox harness simulates
    /// it, a real-server harness uses a second account. `Ok(false)` when it cannot.
    async fn induce_interaction(&self, post: &PostRef, kind: InteractionKind) -> Result<bool> {
        let _ = (post, kind);
        Ok(false)
    }

    /// The id of the post `post` replies to (`None` for a post that replies to nothing), to
    /// check that threads are reply chains. An [`Unsupported`](crate::ErrorKind::Unsupported)
    /// error (the default) means the harness cannot tell.
    async fn thread_parent(&self, post: &PostRef) -> Result<Option<String>> {
        let _ = post;
        Err(Error::unsupported("this harness", "thread_parent"))
    }

    /// Waits until what was just written can be read (search indexes, timelines), within a
    /// bound the harness chooses. The default does not wait.
    async fn settle(&self) {}

    /// An image the platform accepts, with alt text.
    fn media_sample(&self) -> Media {
        Media::image_bytes("image/png", sample_png(8, 8, [200, 40, 40]))
            .with_size(8, 8)
            .with_alt("A small red square (socialkit behaviour suite)")
    }

    /// A link for the link-card check.
    fn link_sample(&self) -> String {
        "https://example.com/socialkit-suite".to_string()
    }
}
