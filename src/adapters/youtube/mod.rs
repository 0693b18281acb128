//! YouTube, behind the cargo feature `youtube`: a channel uploading videos and answering
//! comments through the YouTube Data API v3 at `https://www.googleapis.com/youtube/v3/`.
//! Sources (each module names what it took from where): the API reference
//! <https://developers.google.com/youtube/v3/docs>, the resumable upload guide
//! <https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol>, the
//! quota page <https://developers.google.com/youtube/v3/determine_quota_cost>, the error
//! reference <https://developers.google.com/youtube/v3/docs/errors>, Google's OAuth 2.0
//! pages ([`crate::auth::google`]), and the official Python client's `MediaFileUpload` /
//! `HttpRequest.next_chunk` (googleapis/google-api-python-client, `googleapiclient/http.py`)
//! for how a client resumes.
//!
//! - **Auth**: Google OAuth 2.0, authorization code with PKCE and offline access
//!   ([`oauth`], [`crate::auth::google`]); tokens live an hour and are refreshed before expiry
//!   and after a 401 through the channel's [`TokenManager`].
//! - **Publish** = upload one video (`videos.insert`, [`upload`]): the **first line of the
//!   text is the title** (at most 100 characters, no `<` or `>`), the rest the description
//!   (at most 5,000 UTF-8 bytes, no `<` or `>`); [`VideoUpload`] adds tags (500 characters
//!   together, counted as YouTube counts them), privacy (`Visibility::Public` → `public`,
//!   `Unlisted` → `unlisted`, `Direct` → `private`), a scheduled publish time (`publishAt`,
//!   the video private until then; a post whose `scheduled_at` is still ahead when it is
//!   published is scheduled this way), the thumbnail (`thumbnails.set`, an image beside the
//!   video: JPEG or PNG, at most 2 MB) and Shorts. The upload is the resumable protocol in
//!   chunks of [`YoutubeConfig::chunk_size`]; after a network failure the client asks the
//!   session how far it got (`Content-Range: bytes */N` → `308` with `Range`) and resumes from
//!   the last acknowledged byte.
//! - **Shorts** are not a field of the API: YouTube makes a video a Short when it is square
//!   or vertical and at most three minutes long ("Upload YouTube Shorts", YouTube Help
//!   <https://support.google.com/youtube/answer/12779649>). [`VideoUpload::short`] checks the
//!   dimensions it knows and is set from a vertical or square `Media::with_size`.
//! - **Interactions**: comment threads on the channel's videos
//!   (`commentThreads.list?allThreadsRelatedToChannelId=…&order=time`) as `Comment`, the
//!   replies listed with them as `Reply`, with a stored cursor (see [`read`](self#cursors));
//!   **reply** `comments.insert` with `snippet.parentId`; [`Youtube::delete_comment`]
//!   (`comments.delete`); [`Youtube::comment_replies`] pages through one thread's replies
//!   (`comments.list?parentId=`).
//! - **Metrics** `videos.list?part=statistics` (50 ids a call): views, likes, comments;
//!   impressions and reach are `None` (the Data API does not report them; YouTube Analytics
//!   does). The channel: subscribers (`None` when hidden), videos.
//! - **Delete** `videos.delete`.
//! - **Quota** ([`quota`]): the project's daily units and upload calls are counted before
//!   every call; a call that would exceed them is refused before it is sent with
//!   `RateLimited` and `retry_after` at midnight Pacific Time, so the engine waits for the
//!   reset instead of failing the post.
//! - **No idempotency key**: an upload whose outcome is unknown is reconciled by the engine
//!   through [`Platform::recent_posts`], which lists the uploads playlist
//!   (`playlistItems.list`, the title and description of each video).
//!
//! # Unverified
//!
//! No live Google project was used. Unverified: whether an owner's uploads playlist lists
//! private and scheduled videos at once after an upload (the reconciliation relies on it);
//! how long a `pageToken` of `commentThreads.list` stays valid (the cursor keeps one while it
//! pages back); that `order=time` orders threads by their top-level comment, so replies
//! added to a thread older than the cursor are not read by [`Platform::interactions`]
//! (read them with [`Youtube::comment_replies`]); the 10,000-character comment limit (from
//! YouTube Help, not the API reference); and how the upload server rounds what it
//! acknowledges (the client trusts the `Range` it is given, whatever it is).
//!
//! ```no_run
//! use socialkit::adapters::youtube::Youtube;
//! use socialkit::model::{Media, Post};
//! use socialkit::{Platform, model::PublishOptions};
//! # async fn demo() -> socialkit::Result<()> {
//! let yt = Youtube::from_url_str("youtube://ya29.TOKEN@www.googleapis.com")?;
//! let post = Post::text("Anvil 2.0 unboxing\nEverything in the box, in four minutes.")
//!     .with_media(Media::from_path("video/mp4", "unboxing.mp4"));
//! let published = yt.publish(&post, &PublishOptions::default()).await?;
//! println!("{}", published.url().unwrap_or_default());
//! # Ok(()) }
//! ```

#[allow(
    dead_code,
    reason = "wire types mirror the documented shapes; not every field is read by the adapter"
)]
pub(crate) mod api;
pub mod config;
pub mod errors;
pub mod oauth;
pub mod quota;
mod read;
#[cfg(feature = "testkit")]
pub mod twin;
pub mod upload;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::OnceCell;
use url::Url;

pub use config::YoutubeConfig;
pub use read::CommentCursor;
pub use upload::{Privacy, VideoUpload};

use crate::adapters::base::Adapter;
use crate::auth::{Secret, TokenManager, channel_tokens};
use crate::http::{Call, Client, ErrorMapper, Response};
use crate::model::{
    Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, MediaKind, Metric,
    Page, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost, Visibility,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Operation, Platform};
use crate::text::{Counting, TextRule};
use crate::{Error, Registry, Result};

use errors::YoutubeErrors;
use quota::{Cost, Quota};

/// The platform's name.
///
/// ```
/// assert_eq!(socialkit::adapters::youtube::PLATFORM, "youtube");
/// ```
pub const PLATFORM: &str = "youtube";
/// Longest title: 100 characters (`videos` resource, `snippet.title`).
pub const MAX_TITLE: usize = 100;
/// Longest description: 5,000 bytes (`snippet.description`).
pub const MAX_DESCRIPTION_BYTES: usize = 5000;
/// Longest tag list: 500 characters, commas between tags and quotes around tags with spaces
/// counted (`snippet.tags[]`).
pub const MAX_TAGS: usize = 500;
/// Longest comment: 10,000 characters (YouTube Help; unverified in the API reference).
pub const MAX_COMMENT: usize = 10_000;
/// Largest video: 256 GB ("Upload videos", YouTube Help; `videos.insert` accepts up to 256 GB).
pub const MAX_VIDEO_BYTES: u64 = 256 * 1024 * 1024 * 1024;
/// Largest thumbnail: 2 MB (`thumbnails.set`: "Maximum file size: 2MB").
pub const MAX_THUMBNAIL_BYTES: u64 = 2 * 1024 * 1024;
/// Video types `videos.insert` accepts ("Accepted Media MIME types: video/*,
/// application/octet-stream"); the common ones are listed for validation.
pub const VIDEO_TYPES: [&str; 9] = [
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/x-msvideo",
    "video/mpeg",
    "video/3gpp",
    "video/x-flv",
    "video/x-matroska",
    "application/octet-stream",
];

/// Registers `youtube`: the channel URLs of [`config`] and the serde form of
/// [`YoutubeConfig`].
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(Arc::new(Youtube::new(YoutubeConfig::from_url(url)?)) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: YoutubeConfig = crate::registry::settings(PLATFORM, value)?;
            config.validate()?;
            Ok(Arc::new(Youtube::new(config)) as Arc<dyn Platform>)
        }),
    );
}

/// YouTube's capabilities: one video per post (a JPEG or PNG beside it is the thumbnail),
/// title + description as the text.
///
/// ```
/// let caps = socialkit::adapters::youtube::capabilities();
/// assert!(caps.media_required && caps.delete && caps.reply && caps.native_scheduling);
/// assert_eq!(caps.media.max_videos, 1);
/// assert_eq!(caps.idempotency, socialkit::platform::Idempotency::None);
/// assert!(caps.search.is_none() && !caps.post_threads && !caps.edit);
/// ```
pub fn capabilities() -> Capabilities {
    // Title, a newline, a description: the exact rules are checked in `fit`.
    let rule = TextRule::new(Counting::Chars, MAX_TITLE + 1 + MAX_DESCRIPTION_BYTES)
        .with_max_bytes(MAX_TITLE * 4 + 1 + MAX_DESCRIPTION_BYTES);
    let mut c = Capabilities::new(PLATFORM, rule);
    c.media_required = true;
    let mut types: Vec<String> = VIDEO_TYPES.iter().map(|s| s.to_string()).collect();
    types.extend(["image/jpeg".to_string(), "image/png".to_string()]);
    c.media = MediaLimits {
        max_count: 2,
        kinds: vec![MediaKind::Video, MediaKind::Image],
        mime_types: types,
        max_image_bytes: Some(MAX_THUMBNAIL_BYTES),
        max_video_bytes: Some(MAX_VIDEO_BYTES),
        max_videos: 1,
        alt_text_max: None,
        alt_text_required: false,
    };
    c.visibilities = vec![Visibility::Unlisted, Visibility::Direct];
    c.delete = true;
    c.reply = true;
    c.interactions = vec![InteractionKind::Comment, InteractionKind::Reply];
    c.metrics = vec![Metric::VideoViews, Metric::Likes, Metric::Replies];
    c.native_scheduling = true;
    c.idempotency = Idempotency::None;
    c.recent_posts = true;
    c
}

/// One YouTube channel. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::youtube::{Youtube, YoutubeConfig};
/// use socialkit::Platform;
/// let yt = Youtube::new(YoutubeConfig::new("ya29.s3cret").unwrap());
/// assert_eq!(yt.capabilities().platform, "youtube");
/// assert!(!format!("{yt:?}").contains("s3cret"));
/// ```
pub struct Youtube {
    config: YoutubeConfig,
    client: Client,
    tokens: TokenManager,
    quota: Arc<Quota>,
    caps: Capabilities,
    channel: OnceCell<api::ChannelResource>,
}

impl fmt::Debug for Youtube {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Youtube")
            .field("base_url", &self.config.base_url.as_str())
            .field("channel_id", &self.config.channel_id)
            .field("token", &"***")
            .finish()
    }
}

impl Youtube {
    /// An adapter with the default HTTP client. No network call is made here.
    pub fn new(config: YoutubeConfig) -> Self {
        Self::with_client(config, Client::default())
    }

    /// An adapter from a channel URL (see [`config`]).
    pub fn from_url_str(url: &str) -> Result<Self> {
        Ok(Self::new(YoutubeConfig::from_url_str(url)?))
    }

    /// Like [`Youtube::new`], sending through `client` (its clock decides token expiry and
    /// the quota day). Tokens are refreshed when the config has a refresh setup.
    pub fn with_client(config: YoutubeConfig, client: Client) -> Self {
        let token_url = config.token_url.clone();
        let tokens = channel_tokens(
            PLATFORM,
            &config.token,
            config.expires_at,
            config.refresh.as_ref(),
            |r| {
                let mut c = oauth::config(&r.client_id, "");
                if let Some(t) = token_url {
                    c.token_url = t;
                }
                c
            },
            &client,
        );
        Self::with_tokens(config, client, tokens)
    }

    /// Like [`Youtube::with_client`], with a token manager of your own.
    pub fn with_tokens(config: YoutubeConfig, client: Client, tokens: TokenManager) -> Self {
        let quota = Arc::new(Quota::new(config.quota));
        Youtube {
            config,
            client,
            tokens,
            quota,
            caps: capabilities(),
            channel: OnceCell::new(),
        }
    }

    /// Shares one quota between the channels of one Cloud project (the quota belongs to the
    /// project, not the channel).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::adapters::youtube::{Youtube, YoutubeConfig, quota::{Quota, QuotaConfig}};
    /// let project = Arc::new(Quota::new(QuotaConfig::default()));
    /// let a = Youtube::new(YoutubeConfig::new("a").unwrap()).with_quota(project.clone());
    /// let b = Youtube::new(YoutubeConfig::new("b").unwrap()).with_quota(project.clone());
    /// assert!(Arc::ptr_eq(a.quota(), b.quota()));
    /// ```
    pub fn with_quota(mut self, quota: Arc<Quota>) -> Self {
        self.quota = quota;
        self
    }

    /// The quota this adapter spends.
    pub fn quota(&self) -> &Arc<Quota> {
        &self.quota
    }

    /// The config.
    pub fn config(&self) -> &YoutubeConfig {
        &self.config
    }

    /// The token manager.
    pub fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    pub(crate) fn api(&self, path: &str) -> Result<Url> {
        self.config.endpoint(&format!("youtube/v3/{path}"))
    }

    /// Sends `call` with the bearer token after taking `cost` from the quota; a
    /// `quotaExceeded` answer closes the quota day.
    pub(crate) async fn send(&self, call: Call, cost: Cost) -> Result<Response> {
        self.send_mapped(call, cost, &YoutubeErrors).await
    }

    /// [`Youtube::send`] with another mapper (the upload's 308 reader).
    pub(crate) async fn send_mapped(
        &self,
        call: Call,
        cost: Cost,
        mapper: &dyn ErrorMapper,
    ) -> Result<Response> {
        let now = self.client.now();
        self.quota.reserve(now, cost, call.operation().as_str())?;
        let result = self
            .tokens
            .send(&self.client, mapper, |token: &Secret| {
                call.clone().bearer(token)
            })
            .await;
        match result {
            Err(e) if errors::is_daily_quota(&e) => {
                let now = self.client.now();
                self.quota.exhausted(now);
                Err(e.with_retry_after(quota::next_reset(now)))
            }
            other => other,
        }
    }

    /// The channel resource (`channels.list?mine=true`, once).
    pub(crate) async fn channel_resource(&self) -> Result<&api::ChannelResource> {
        self.channel
            .get_or_try_init(|| async {
                let mut call = Call::get(PLATFORM, "channel", self.api("channels")?)
                    .query([("part", "snippet,statistics,contentDetails")]);
                call = match &self.config.channel_id {
                    Some(id) => call.query([("id", id.as_str())]),
                    None => call.query([("mine", "true")]),
                };
                let list: api::List<api::ChannelResource> =
                    self.send(call, Cost::LIST).await?.json()?;
                list.items
                    .into_iter()
                    .next()
                    .filter(|c| !c.id.is_empty())
                    .ok_or_else(|| {
                        Error::new(
                            crate::ErrorKind::NotFound,
                            "the Google account has no YouTube channel (channels.list is empty)",
                        )
                        .with_platform(PLATFORM)
                    })
            })
            .await
    }

    /// The reference of a video.
    pub(crate) fn video_ref(id: &str) -> PostRef {
        PostRef::new(PLATFORM, id).with_url(format!("https://www.youtube.com/watch?v={id}"))
    }
}

/// YouTube on the shared adapter base.
#[async_trait]
impl Adapter for Youtube {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// YouTube's own rules: one video, maybe a thumbnail, and the title and description
    /// limits (see [`VideoUpload::validate`]).
    fn fit(&self, post: Post, _opts: &PublishOptions, op: Operation) -> Result<Post> {
        match op {
            Operation::Reply => {
                let mut caps = self.caps.clone();
                caps.text = TextRule::new(Counting::Chars, MAX_COMMENT);
                caps.media_required = false;
                caps.media = MediaLimits::none();
                caps.validate(&post)?;
            }
            _ => {
                VideoUpload::from_post(&post, self.client.now())?;
            }
        }
        Ok(post)
    }

    async fn channel(&self) -> Result<Channel> {
        self.read_channel().await
    }

    async fn publish(&self, post: &Post, _opts: &PublishOptions) -> Result<Published> {
        let upload = VideoUpload::from_post(post, self.client.now())?;
        self.upload(&upload).await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        let call =
            Call::delete(PLATFORM, "delete", self.api("videos")?).query([("id", post.id.as_str())]);
        self.send(call, Cost::WRITE).await?;
        Ok(())
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        self.read_comments(query).await
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        _opts: &PublishOptions,
    ) -> Result<Published> {
        self.reply_to(to, post).await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        self.read_metrics(posts).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.read_recent(limit).await
    }
}
