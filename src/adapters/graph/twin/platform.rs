//! [`PlatformTwin`]: the Graph twin as one platform shows it — its defaults, its
//! [`Flavor`] of routes, its config and channel URL. `FacebookTwin`, `InstagramTwin` and
//! `ThreadsTwin` are this type with their flavor.

use std::marker::PhantomData;
use std::time::Duration;

use url::Url;

use super::{GraphTwin, Personality, TwinHandle, TwinOptions};
use crate::Result;
use crate::adapters::graph::{GraphSettings, WaitPolicy};

/// The routes of one platform, boxed (made by a [`Flavor`]).
pub struct Routes(pub(crate) Box<dyn Personality>);

impl Routes {
    pub(crate) fn new(personality: impl Personality) -> Routes {
        Routes(Box::new(personality))
    }
}

impl std::fmt::Debug for Routes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Routes")
    }
}

/// What one platform adds to the shared Graph twin.
///
/// ```
/// use socialkit::adapters::graph::twin::Flavor;
/// use socialkit::adapters::threads::twin::ThreadsFlavor;
/// assert_eq!(ThreadsFlavor::SCHEME, "threads");
/// assert_eq!(ThreadsFlavor::options().publish_quota, 250);
/// ```
pub trait Flavor: Send + Sync + 'static {
    /// The adapter's config.
    type Config;
    /// The channel URL scheme (`threads`).
    const SCHEME: &'static str;
    /// The channel URL parameter that names the account (`user_id`).
    const ID_PARAM: &'static str;
    /// Further channel URL parameters (`&poll=0.005&wait=5`).
    const URL_EXTRA: &'static str;
    /// The platform's defaults.
    fn options() -> TwinOptions;
    /// The platform's routes.
    fn routes() -> Routes;
    /// The adapter's config for `account_id` with `graph` settings.
    fn config(account_id: String, graph: GraphSettings) -> Self::Config;
}

/// A running twin of one platform. Dropping it stops the server.
///
/// ```
/// use socialkit::adapters::threads::twin::ThreadsTwin;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = ThreadsTwin::start().await.unwrap();
/// assert_eq!(twin.url().host_str(), Some("127.0.0.1"));
/// # });
/// ```
pub struct PlatformTwin<F: Flavor> {
    twin: GraphTwin,
    flavor: PhantomData<F>,
}

impl<F: Flavor> std::fmt::Debug for PlatformTwin<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformTwin")
            .field("platform", &F::SCHEME)
            .field("twin", &self.twin)
            .finish()
    }
}

impl<F: Flavor> PlatformTwin<F> {
    /// The platform's default options.
    ///
    /// ```
    /// let o = socialkit::adapters::threads::twin::ThreadsTwin::options();
    /// assert_eq!((o.publish_quota, o.reply_quota), (250, 1000));
    /// ```
    pub fn options() -> TwinOptions {
        F::options()
    }

    /// Starts a twin with the default options.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = socialkit::adapters::instagram::twin::InstagramTwin::start().await.unwrap();
    /// assert!(twin.handle().requests().is_empty());
    /// # });
    /// ```
    pub async fn start() -> Result<Self> {
        Self::start_with(F::options()).await
    }

    /// Starts a twin.
    ///
    /// ```
    /// use socialkit::adapters::facebook::twin::FacebookTwin;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut options = FacebookTwin::options();
    /// options.followers = 10;
    /// let twin = FacebookTwin::start_with(options).await.unwrap();
    /// # let _ = twin;
    /// # });
    /// ```
    pub async fn start_with(options: TwinOptions) -> Result<Self> {
        Ok(PlatformTwin {
            twin: GraphTwin::start(options, F::routes().0).await?,
            flavor: PhantomData,
        })
    }

    /// The adapter's config, pointing at the twin (container polls every 5 ms, at most 5 s).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = socialkit::adapters::instagram::twin::InstagramTwin::start().await.unwrap();
    /// assert_eq!(twin.config().ig_user_id, "17841400000000001");
    /// # });
    /// ```
    pub fn config(&self) -> F::Config {
        let h = self.twin.handle();
        let mut graph = GraphSettings::new(h.token());
        graph.base_url = Some(self.twin.url());
        graph.container_wait = WaitPolicy::fast(Duration::from_millis(5), Duration::from_secs(5));
        F::config(h.account_id(), graph)
    }

    /// The channel URL: `SCHEME://TOKEN@127.0.0.1:PORT?ID_PARAM=…&scheme=http…`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = socialkit::adapters::threads::twin::ThreadsTwin::start().await.unwrap();
    /// let channel = socialkit::Registry::default().from_url(&twin.channel_url()).unwrap();
    /// assert_eq!(channel.name(), "threads");
    /// # });
    /// ```
    pub fn channel_url(&self) -> String {
        let h = self.twin.handle();
        format!(
            "{}://{}@{}?{}={}&scheme=http{}",
            F::SCHEME,
            h.token(),
            self.twin.addr(),
            F::ID_PARAM,
            h.account_id(),
            F::URL_EXTRA
        )
    }

    /// The base URL (`http://127.0.0.1:PORT/`).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = socialkit::adapters::facebook::twin::FacebookTwin::start().await.unwrap();
    /// assert_eq!(twin.url().scheme(), "http");
    /// # });
    /// ```
    pub fn url(&self) -> Url {
        self.twin.url()
    }

    /// The handle to inspect and steer the twin.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let twin = socialkit::adapters::threads::twin::ThreadsTwin::start().await.unwrap();
    /// assert_eq!(twin.handle().account_id(), twin.config().user_id);
    /// # });
    /// ```
    pub fn handle(&self) -> &TwinHandle {
        self.twin.handle()
    }
}
