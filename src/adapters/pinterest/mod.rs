//! Pinterest, behind the cargo feature `pinterest`: pins on a business or personal account
//! through API v5 at `https://api.pinterest.com/v5/`. Sources: Pinterest's OpenAPI
//! description (<https://github.com/pinterest/api-description>, `v5/openapi.yaml`, release
//! 5.23.0, commit c05b189) for every route and shape, and the developer guides on
//! developers.pinterest.com (authentication, rate limits, video upload) named where used.
//!
//! - **Pins** `POST /v5/pins` on the configured board (and section), or on any board with
//!   [`Pinterest::publish_to`]: one image (`image_url` for a URL, `image_base64` for bytes,
//!   JPEG or PNG), a carousel of 2–5 images (`multiple_image_urls` / `multiple_image_base64`),
//!   or one video: registered with `POST /v5/media`, uploaded to the S3 form it answers
//!   (`upload_url` + `upload_parameters`), polled with `GET /v5/media/{id}` until
//!   `succeeded` (or `failed`), then pinned as `video_id` with the first frame as cover.
//! - **Text**: a text of several lines gives the pin's **title** (its first line, at most 100
//!   characters) and **description** (the rest, at most 800); a single line is the
//!   description. The post's link is the pin's destination (≤ 2,048), the first media's alt
//!   text its `alt_text` (≤ 500). All checked before sending.
//! - **Delete** `DELETE /v5/pins/{id}` (204; a second delete is `NotFound`).
//! - **Metrics** `GET /v5/pins/{id}/analytics` over the last 90 days (the longest the API
//!   allows): `IMPRESSION` → impressions, `SAVE` → saves, `OUTBOUND_CLICK` → clicks,
//!   `VIDEO_MRC_VIEW` → video views, lifetime `TOTAL_REACTIONS`/`TOTAL_COMMENTS` → likes and
//!   replies where given; the rest `None`.
//! - **Recent pins** `GET /v5/pins` (newest first, bookmark-paged) for the engine's
//!   reconciliation: Pinterest has no idempotency key.
//! - **Account** `GET /v5/user_account` (followers, following, pins); boards `GET
//!   /v5/boards`, sections `GET /v5/boards/{id}/sections`.
//! - **Tokens** live 30 days; refreshed with the refresh token ([`oauth`]).
//! - **Rate limits**: a 429 waits `Retry-After`, else a minute ([`errors`]).
//!
//! Not in the API for pins: comments and replies, search of other people's pins by keyword
//! for third-party apps, editing media. Not declared.
//!
//! Unverified (no live account was used): the meaning of each integer error `code`
//! (mapping is by status), whether a 429 carries `Retry-After`, the S3 upload's answer
//! on failure, the analytics answer's top-level key (`all` is read, the first key otherwise),
//! and that a pin appears in `GET /v5/pins` right after it is made.
//!
//! ```no_run
//! use socialkit::adapters::pinterest::Pinterest;
//! use socialkit::model::{Media, Post, PublishOptions};
//! use socialkit::Platform;
//! # async fn demo() -> socialkit::Result<()> {
//! let p = Pinterest::from_url_str("pinterest://pina_TOKEN@api.pinterest.com?board_id=549755885175")?;
//! let post = Post::text("Anvils of 2026\nOur five favourite anvils, forged in Sheffield.")
//!     .with_link("https://acme.example/anvils")
//!     .with_media(Media::from_url("image/jpeg", "https://acme.example/anvil.jpg").with_alt("A red anvil"));
//! let published = p.publish(&post, &PublishOptions::default()).await?;
//! println!("{}", published.post.id);
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
#[cfg(feature = "testkit")]
pub mod twin;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use url::Url;

pub use api::{Board, BoardSection};
pub use config::PinterestConfig;

use crate::adapters::base::Adapter;
use crate::auth::{Secret, Token, TokenManager};
use crate::http::{Call, Client, Multipart, Part, Poll, Response, Retry, poll_until};
use crate::model::{
    Channel, ChannelMetrics, Media, MediaKind, MediaSource, Metric, Post, PostMetrics, PostRef,
    Profile, PublishOptions, Published, RecentPost,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Operation, Platform};
use crate::text::{Counting, TextRule};
use crate::{Error, ErrorKind, Registry, Result};

use errors::PinterestErrors;

/// The platform's name.
pub const PLATFORM: &str = "pinterest";
/// Longest title (`PinCreate.title.maxLength`).
pub const MAX_TITLE: usize = 100;
/// Longest description (`PinCreate.description.maxLength`).
pub const MAX_DESCRIPTION: usize = 800;
/// Longest link (`PinCreate.link.maxLength`).
pub const MAX_LINK: usize = 2048;
/// Longest alt text (`PinCreate.alt_text.maxLength`).
pub const MAX_ALT: usize = 500;
/// Most images in a carousel (`PinMediaSourceImagesURL.items.maxItems`).
pub const MAX_CAROUSEL: usize = 5;
/// How long a video may take to process.
const VIDEO_TIMEOUT: Duration = Duration::from_secs(600);

/// Registers `pinterest`.
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(Arc::new(Pinterest::new(PinterestConfig::from_url(url)?)) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: PinterestConfig = crate::registry::settings(PLATFORM, value)?;
            config.validate()?;
            Ok(Arc::new(Pinterest::new(config)) as Arc<dyn Platform>)
        }),
    );
}

/// Pinterest's capabilities.
///
/// ```
/// let caps = socialkit::adapters::pinterest::capabilities();
/// assert!(caps.media_required && caps.delete && caps.link_cards);
/// assert_eq!(caps.media.max_count, 5);
/// assert_eq!(caps.media.alt_text_max, Some(500));
/// ```
pub fn capabilities() -> Capabilities {
    // Title, a newline and the description.
    let mut c = Capabilities::new(
        PLATFORM,
        TextRule::new(Counting::Chars, MAX_TITLE + 1 + MAX_DESCRIPTION),
    );
    c.text_required = false;
    c.media_required = true;
    c.media = MediaLimits {
        max_count: MAX_CAROUSEL,
        kinds: vec![MediaKind::Image, MediaKind::Video],
        mime_types: ["image/jpeg", "image/png", "video/mp4", "video/quicktime"]
            .map(String::from)
            .to_vec(),
        max_image_bytes: Some(20 * 1024 * 1024),
        max_video_bytes: Some(2 * 1024 * 1024 * 1024),
        max_videos: 1,
        alt_text_max: Some(MAX_ALT),
        alt_text_required: false,
    };
    c.link_cards = true;
    c.delete = true;
    c.metrics = vec![
        Metric::Impressions,
        Metric::Saves,
        Metric::Clicks,
        Metric::VideoViews,
        Metric::Likes,
        Metric::Replies,
    ];
    c.idempotency = Idempotency::None;
    c.recent_posts = true;
    c
}

/// One Pinterest account. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::pinterest::{Pinterest, PinterestConfig};
/// let p = Pinterest::new(PinterestConfig::new("pina_s3cret", "1234"));
/// assert!(!format!("{p:?}").contains("s3cret"));
/// ```
pub struct Pinterest {
    config: PinterestConfig,
    client: Client,
    tokens: TokenManager,
    caps: Capabilities,
    /// The fixed endpoints' URLs, built once.
    endpoints: crate::http::Endpoints,
}

impl fmt::Debug for Pinterest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pinterest")
            .field("base_url", &self.config.base_url.as_str())
            .field("board_id", &self.config.board_id)
            .field("token", &"***")
            .finish()
    }
}

fn invalid(m: impl Into<String>) -> Error {
    Error::validation(m)
        .with_platform(PLATFORM)
        .with_operation("publish")
}

/// The title and description of a text (see the [module docs](self)).
fn split_text(text: &str) -> (Option<&str>, Option<&str>) {
    let text = text.trim();
    match text.split_once('\n') {
        Some((title, rest)) => {
            let (t, d) = (title.trim(), rest.trim());
            ((!t.is_empty()).then_some(t), (!d.is_empty()).then_some(d))
        }
        None => (None, (!text.is_empty()).then_some(text)),
    }
}

/// Checks what the capabilities cannot: title and description limits, the link, the mix of
/// media.
fn check_pin(post: &Post) -> Result<()> {
    if !post.thread.is_empty() {
        return Err(invalid("a pin is single: a thread cannot be pinned"));
    }
    let (title, description) = split_text(&post.text);
    if let Some(t) = title.filter(|t| t.chars().count() > MAX_TITLE) {
        return Err(invalid(format!(
            "pinterest: the title (first line) has {} characters, {} over the limit of {MAX_TITLE}",
            t.chars().count(),
            t.chars().count() - MAX_TITLE
        )));
    }
    if let Some(d) = description.filter(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(invalid(format!(
            "pinterest: the description has {} characters, {} over the limit of {MAX_DESCRIPTION}",
            d.chars().count(),
            d.chars().count() - MAX_DESCRIPTION
        )));
    }
    if let Some(link) = &post.link {
        if link.len() > MAX_LINK || Url::parse(link).is_err() {
            return Err(invalid(format!(
                "pinterest: the link must be a URL of at most {MAX_LINK} characters"
            )));
        }
    }
    let videos = post
        .media
        .iter()
        .filter(|m| m.kind == MediaKind::Video)
        .count();
    if videos > 0 && post.media.len() > 1 {
        return Err(invalid(
            "pinterest: a pin is one video, or 1-5 images; not both",
        ));
    }
    if videos == 0 {
        let urls = post
            .media
            .iter()
            .filter(|m| matches!(m.source, MediaSource::Url(_)))
            .count();
        if urls != 0 && urls != post.media.len() {
            return Err(invalid(
                "pinterest: a carousel's images are all URLs or all bytes, not a mix",
            ));
        }
        if let Some(m) = post
            .media
            .iter()
            .find(|m| !matches!(m.mime.as_str(), "image/jpeg" | "image/png"))
        {
            return Err(invalid(format!(
                "pinterest takes JPEG or PNG images, not {}",
                m.mime
            )));
        }
    }
    Ok(())
}

impl Pinterest {
    /// An adapter with the default HTTP client. No network call is made here.
    pub fn new(config: PinterestConfig) -> Self {
        Self::with_client(config, Client::default())
    }

    /// An adapter from a channel URL (see [`config`]).
    pub fn from_url_str(url: &str) -> Result<Self> {
        Ok(Self::new(PinterestConfig::from_url_str(url)?))
    }

    /// Like [`Pinterest::new`], sending through `client`.
    pub fn with_client(config: PinterestConfig, client: Client) -> Self {
        let mut token = Token::new(config.access_token.clone());
        token.expires_at = config.expires_at;
        token.refresh_token = config.refresh_token.clone();
        let mut builder = TokenManager::builder(PLATFORM, token).clock(client.clock().clone());
        if let Some(r) = oauth::refresher(&config, &client) {
            builder = builder.refresher(r);
        }
        let tokens = builder.build();
        Self::with_tokens(config, client, tokens)
    }

    /// Like [`Pinterest::with_client`], with a token manager of your own.
    pub fn with_tokens(config: PinterestConfig, client: Client, tokens: TokenManager) -> Self {
        Pinterest {
            config,
            client,
            tokens,
            caps: capabilities(),
            endpoints: crate::http::Endpoints::default(),
        }
    }

    /// The config.
    pub fn config(&self) -> &PinterestConfig {
        &self.config
    }

    /// The token manager.
    pub fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    async fn send(&self, call: Call) -> Result<Response> {
        self.tokens
            .send(&self.client, &PinterestErrors, |t: &Secret| {
                call.clone().bearer(t)
            })
            .await
    }

    async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let operation = call.operation();
        let r = self.send(call).await?;
        r.json().map_err(|e| {
            r.error(
                ErrorKind::Unexpected,
                format!("pinterest answered {operation} with a body socialkit cannot read: {e}"),
            )
        })
    }

    fn get(&self, operation: &'static str, path: &str) -> Result<Call> {
        Ok(Call::get(PLATFORM, operation, self.config.endpoint(path)?).retry(Retry::Idempotent))
    }

    /// The account's boards (first page of up to 250).
    pub async fn boards(&self) -> Result<Vec<api::Board>> {
        let call = self.get("boards", "boards")?.query([("page_size", "250")]);
        let page: api::Paged<api::Board> = self.json(call).await?;
        Ok(page.items)
    }

    /// A board's sections (first page of up to 250).
    pub async fn board_sections(&self, board_id: &str) -> Result<Vec<api::BoardSection>> {
        if !config::is_id(board_id) {
            return Err(invalid("pinterest: a board id is digits"));
        }
        let call = self
            .get("board_sections", &format!("boards/{board_id}/sections"))?
            .query([("page_size", "250")]);
        let page: api::Paged<api::BoardSection> = self.json(call).await?;
        Ok(page.items)
    }

    /// Pins `post` on `board_id` (and `section`), checked like [`Platform::publish`].
    pub async fn publish_to(
        &self,
        post: &Post,
        board_id: &str,
        section: Option<&str>,
    ) -> Result<Published> {
        if !config::is_id(board_id) || section.is_some_and(|s| !config::is_id(s)) {
            return Err(invalid("pinterest: board and section ids are digits"));
        }
        let post = post.resolve(PLATFORM, None);
        let post = Adapter::fit(self, post, &PublishOptions::default(), Operation::Publish)?;
        self.pin(&post, board_id, section).await
    }

    async fn media_source(&self, post: &Post) -> Result<serde_json::Value> {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let first = post
            .media
            .first()
            .ok_or_else(|| invalid("pinterest pins need media"))?;
        if first.kind == MediaKind::Video {
            let media_id = self.upload_video(first).await?;
            return Ok(serde_json::json!({
                "source_type": "video_id", "media_id": media_id, "cover_image_key_frame_time": 0
            }));
        }
        if post.media.len() == 1 {
            return Ok(match &first.source {
                MediaSource::Url(u) => serde_json::json!({"source_type": "image_url", "url": u}),
                _ => serde_json::json!({
                    "source_type": "image_base64", "content_type": first.mime,
                    "data": b64(&first.read().await?)
                }),
            });
        }
        let mut items = Vec::new();
        for m in &post.media {
            items.push(match &m.source {
                MediaSource::Url(u) => serde_json::json!({"url": u}),
                _ => serde_json::json!({"content_type": m.mime, "data": b64(&m.read().await?)}),
            });
        }
        let source_type = if matches!(first.source, MediaSource::Url(_)) {
            "multiple_image_urls"
        } else {
            "multiple_image_base64"
        };
        Ok(serde_json::json!({"source_type": source_type, "items": items}))
    }

    /// Registers, uploads and waits for a video; its media id.
    async fn upload_video(&self, media: &Media) -> Result<String> {
        let bytes = media.read().await?;
        let call = Call::post(PLATFORM, "media_register", self.config.endpoint("media")?)
            .json(&serde_json::json!({"media_type": "video"}));
        let up: api::MediaUpload = self.json(call).await?;
        let upload_url = up.upload_url.as_deref().ok_or_else(|| {
            Error::new(
                ErrorKind::Unexpected,
                "pinterest registered the video without an upload_url",
            )
            .with_platform(PLATFORM)
        })?;
        let url = Url::parse(upload_url).map_err(|_| {
            Error::new(
                ErrorKind::Unexpected,
                "pinterest answered an upload_url that is not a URL",
            )
            .with_platform(PLATFORM)
        })?;
        let mut form = Multipart::new();
        for (k, v) in &up.upload_parameters {
            form = form.text(k.clone(), v.clone());
        }
        form = form.part(
            Part::bytes("file", bytes)
                .file_name("video")
                .mime(media.mime.clone()),
        );
        // The S3 form: no bearer token; its policy and signature are secrets for the logs.
        let mut call = Call::post(PLATFORM, "media_upload", url)
            .multipart(form)
            .retry(Retry::Idempotent);
        for key in [
            "policy",
            "x-amz-signature",
            "x-amz-security-token",
            "x-amz-credential",
        ] {
            if let Some(v) = up.upload_parameters.get(key) {
                call = call.redact(&Secret::new(v.clone()));
            }
        }
        self.client.send(call, &PinterestErrors).await?;
        let id = up.media_id.clone();
        let clock = self.client.clock().clone();
        poll_until(&clock, VIDEO_TIMEOUT, PLATFORM, "video processing", || async {
            let m: api::Media = self.json(self.get("media_status", &format!("media/{id}"))?).await?;
            Ok(match m.status.as_str() {
                "succeeded" => Poll::Ready(()),
                "failed" => {
                    return Err(Error::new(
                        ErrorKind::Validation,
                        "pinterest could not process the video (media status failed); check its format and length",
                    )
                    .with_platform(PLATFORM)
                    .with_operation("publish")
                    .with_platform_code("failed"));
                }
                _ => Poll::Wait(Duration::from_secs(5)),
            })
        })
        .await?;
        Ok(up.media_id)
    }

    async fn pin(&self, post: &Post, board_id: &str, section: Option<&str>) -> Result<Published> {
        let (title, description) = split_text(&post.text);
        let body = api::PinCreate {
            board_id: board_id.to_string(),
            board_section_id: section.map(str::to_string),
            title: title.map(str::to_string),
            description: description.map(str::to_string),
            link: post.link.clone(),
            alt_text: post.media.first().and_then(|m| m.alt.clone()),
            media_source: self.media_source(post).await?,
        };
        let call = Call::post(
            PLATFORM,
            "publish",
            self.endpoints
                .get("pins", || self.config.endpoint("pins"))?,
        )
        .json(&body);
        let pin: api::Pin = self.json(call).await?;
        Ok(Published::single(self.pin_ref(&pin), self.created(&pin)))
    }

    fn pin_ref(&self, pin: &api::Pin) -> PostRef {
        let mut r = PostRef::new(PLATFORM, pin.id.clone())
            .with_url(format!("https://www.pinterest.com/pin/{}/", pin.id));
        if let Some(b) = &pin.board_id {
            r = r.with_meta("board_id", b.clone());
        }
        r
    }

    fn created(&self, pin: &api::Pin) -> DateTime<Utc> {
        pin.created_at
            .as_deref()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|| self.client.now())
    }

    async fn analytics(&self, id: &str) -> Result<PostMetrics> {
        let now = self.client.now();
        let end = now.date_naive();
        let start = end - chrono::Duration::days(89);
        let call = self
            .get("post_metrics", &format!("pins/{id}/analytics"))?
            .query([
                ("start_date", start.to_string()),
                ("end_date", end.to_string()),
                (
                    "metric_types",
                    "IMPRESSION,SAVE,OUTBOUND_CLICK,VIDEO_MRC_VIEW".to_string(),
                ),
                ("app_types", "ALL".to_string()),
            ]);
        let answer: std::collections::BTreeMap<String, api::PinAnalytics> = self.json(call).await?;
        let mut m = PostMetrics::new(PostRef::new(PLATFORM, id), now);
        let a = answer.get("all").or_else(|| answer.values().next());
        if let Some(a) = a {
            let s = |k: &str| a.summary_metrics.get(k).map(|v| v.max(0.0) as u64);
            let l = |k: &str| a.lifetime_metrics.get(k).map(|v| v.max(0.0) as u64);
            m.impressions = s("IMPRESSION");
            m.saves = s("SAVE");
            m.clicks = s("OUTBOUND_CLICK");
            m.video_views = s("VIDEO_MRC_VIEW");
            m.likes = l("TOTAL_REACTIONS");
            m.replies = l("TOTAL_COMMENTS");
        }
        Ok(m)
    }
}

#[async_trait]
impl Adapter for Pinterest {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    fn fit(&self, post: Post, opts: &PublishOptions, op: Operation) -> Result<Post> {
        let _ = op;
        self.caps.text.check(PLATFORM, &post.text)?;
        let post = self.caps.fit(post, opts)?;
        check_pin(&post)?;
        Ok(post)
    }

    async fn channel(&self) -> Result<Channel> {
        let a: api::Account = self.json(self.get("channel", "user_account")?).await?;
        let id = a.id.clone().unwrap_or_else(|| a.username.clone());
        let mut c = Channel::new(PLATFORM, id, a.username.clone()).with_profile(Profile {
            display_name: a.business_name.clone(),
            bio: a.about,
            avatar: a.profile_image,
            website: a.website_url,
        });
        c.url = Some(format!("https://www.pinterest.com/{}/", a.username));
        c.metrics = ChannelMetrics {
            followers: a.follower_count,
            following: a.following_count,
            posts: a.pin_count,
            ..ChannelMetrics::default()
        };
        Ok(c)
    }

    async fn publish(&self, post: &Post, _opts: &PublishOptions) -> Result<Published> {
        let board = self.config.board_id.clone();
        let section = self.config.board_section_id.clone();
        self.pin(post, &board, section.as_deref()).await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        if !config::is_id(&post.id) {
            return Err(
                Error::new(ErrorKind::NotFound, "pinterest: a pin id is digits")
                    .with_platform(PLATFORM)
                    .with_operation("delete"),
            );
        }
        let call = Call::delete(
            PLATFORM,
            "delete",
            self.config.endpoint(&format!("pins/{}", post.id))?,
        );
        self.send(call).await?;
        Ok(())
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let mut out = Vec::new();
        for p in posts {
            let mut m = if config::is_id(&p.id) {
                self.analytics(&p.id).await?
            } else {
                PostMetrics::new(p.clone(), self.client.now())
            };
            m.post = p.clone();
            out.push(m);
        }
        Ok(out)
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let mut out = Vec::new();
        let mut bookmark: Option<String> = None;
        // Bounded: at most limit / 25 + 1 pages, and every page must move the bookmark.
        for _ in 0..=(limit / 25) {
            let size = (limit - out.len()).clamp(1, 250).to_string();
            let mut call = self
                .get("recent_posts", "pins")?
                .query([("page_size", size)]);
            if let Some(b) = &bookmark {
                call = call.query([("bookmark", b.as_str())]);
            }
            let page: api::Paged<api::Pin> = self.json(call).await?;
            for pin in &page.items {
                let text = match (&pin.title, &pin.description) {
                    (Some(t), Some(d)) if !t.is_empty() => format!("{t}\n{d}"),
                    (Some(t), _) if !t.is_empty() => t.clone(),
                    (_, Some(d)) => d.clone(),
                    _ => String::new(),
                };
                out.push(RecentPost {
                    post: self.pin_ref(pin),
                    text,
                    created_at: self.created(pin),
                    idempotency_key: None,
                    in_reply_to: None,
                });
            }
            if out.len() >= limit || page.bookmark.is_none() || page.bookmark == bookmark {
                break;
            }
            bookmark = page.bookmark;
        }
        out.truncate(limit);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_is_the_title_when_there_are_several() {
        assert_eq!(
            split_text("Title\nBody text"),
            (Some("Title"), Some("Body text"))
        );
        assert_eq!(
            split_text("Only a description"),
            (None, Some("Only a description"))
        );
        assert_eq!(split_text(""), (None, None));
    }

    #[test]
    fn limits_are_checked_before_sending() {
        let img = || crate::model::Media::from_url("image/jpeg", "https://x.example/a.jpg");
        let long_title = Post::text(format!("{}\nbody", "t".repeat(101))).with_media(img());
        assert!(
            check_pin(&long_title)
                .unwrap_err()
                .to_string()
                .contains("1 over")
        );
        let long_desc = Post::text("d".repeat(801)).with_media(img());
        assert_eq!(
            check_pin(&long_desc).unwrap_err().kind(),
            ErrorKind::Validation
        );
        let bad_link = Post::text("x").with_media(img()).with_link("not a url");
        assert!(check_pin(&bad_link).is_err());
        let gif = Post::text("x").with_media(crate::model::Media::from_url(
            "image/gif",
            "https://x.example/a.gif",
        ));
        assert!(check_pin(&gif).is_err());
        assert!(check_pin(&Post::text("ok\nfine").with_media(img())).is_ok());
    }
}
