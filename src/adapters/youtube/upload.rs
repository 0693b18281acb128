//! Uploading a video: [`VideoUpload`] (what YouTube accepts, checked before any request) and
//! the resumable upload protocol. Sources: the `videos` resource (snippet and status limits)
//! and `videos.insert` <https://developers.google.com/youtube/v3/docs/videos/insert>, the
//! resumable upload guide
//! <https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol>,
//! `thumbnails.set` <https://developers.google.com/youtube/v3/docs/thumbnails/set>, and the
//! official Python client (`googleapiclient/http.py`, `HttpRequest.next_chunk`: a `308`'s
//! `Range` says what the server has; after an error the client asks with
//! `Content-Range: bytes */SIZE`).
//!
//! The protocol, as sent:
//!
//! 1. `POST upload/youtube/v3/videos?uploadType=resumable&part=snippet,status` with the
//!    video resource as JSON and `X-Upload-Content-Length` / `X-Upload-Content-Type`; the
//!    answer's `Location` is the session URI. This takes one `videos.insert` from the quota;
//!    no video exists yet, so this step is retried like a read.
//! 2. `PUT` the session URI with `Content-Range: bytes FIRST-LAST/SIZE` and one chunk (a
//!    multiple of 256 KiB, the last excepted): `308 Resume Incomplete` with
//!    `Range: bytes=0-N` means bytes up to N are stored, continue at N+1; `200`/`201` is the
//!    video resource.
//! 3. After a network failure, a timeout or a 5xx: `PUT` the session with an empty body and
//!    `Content-Range: bytes */SIZE`; the `308`'s `Range` (none: nothing stored) says where to
//!    continue, a `200`/`201` that the upload had completed. At most
//!    [`MAX_RESUMES`] resumptions in a row without progress, then the error is returned (no
//!    video exists until the last byte is stored, so the engine may upload again; a
//!    completion whose answer was lost is found by reconciliation).
//!
//! The whole video is read into memory once and chunks are slices of it (no copies).

use std::sync::Mutex;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::api::{Video, VideoSnippet, VideoStatus};
use super::quota::Cost;
use super::{
    MAX_DESCRIPTION_BYTES, MAX_TAGS, MAX_THUMBNAIL_BYTES, MAX_TITLE, PLATFORM, VIDEO_TYPES,
    Youtube, errors,
};
use crate::http::{Call, ErrorMapper, Response, Retry};
use crate::model::{Media, MediaKind, Post, Published, Visibility};
use crate::{Error, ErrorKind, Result};

/// Resumptions in a row without a byte of progress before an upload gives up.
pub const MAX_RESUMES: u32 = 5;

/// A video's privacy (`status.privacyStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    /// Everyone can find it.
    Public,
    /// Anyone with the link.
    Unlisted,
    /// Only the owner and whom they invite.
    Private,
}

impl Privacy {
    /// The API's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Privacy::Public => "public",
            Privacy::Unlisted => "unlisted",
            Privacy::Private => "private",
        }
    }
}

/// One video upload with everything YouTube takes with it.
///
/// ```
/// use socialkit::adapters::youtube::{Privacy, VideoUpload};
/// use socialkit::model::Media;
/// let mut v = VideoUpload::new("Anvil 2.0", Media::from_bytes("video/mp4", vec![0; 10]));
/// v.tags = vec!["anvils".into(), "forge tools".into()];
/// assert!(v.validate(chrono::Utc::now()).is_ok());
/// v.title = "x".repeat(101);
/// let e = v.validate(chrono::Utc::now()).unwrap_err();
/// assert_eq!(e.kind(), socialkit::ErrorKind::Validation);
/// assert!(e.to_string().contains("1 over"), "{e}");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct VideoUpload {
    /// At most 100 characters, no `<` or `>`.
    pub title: String,
    /// At most 5,000 bytes, no `<` or `>`.
    pub description: String,
    /// Keywords; 500 characters together (see [`tags_length`]).
    pub tags: Vec<String>,
    /// Who can see it.
    pub privacy: Privacy,
    /// When a private video becomes public (YouTube publishes it then).
    pub publish_at: Option<DateTime<Utc>>,
    /// Meant as a Short: square or vertical (checked when the video's size is known).
    pub short: bool,
    /// The video file.
    pub video: Media,
    /// A custom thumbnail (JPEG or PNG, at most 2 MB).
    pub thumbnail: Option<Media>,
}

/// The length of a tag list as YouTube counts it: the characters of every tag, two quotes
/// around a tag with a space, a comma between tags.
///
/// ```
/// use socialkit::adapters::youtube::upload::tags_length;
/// assert_eq!(tags_length(&["a".into(), "b c".into()]), 1 + 1 + 5);
/// ```
pub fn tags_length(tags: &[String]) -> usize {
    let chars: usize = tags
        .iter()
        .map(|t| t.chars().count() + if t.contains(' ') { 2 } else { 0 })
        .sum();
    chars + tags.len().saturating_sub(1)
}

fn too_long(what: &str, n: usize, max: usize, unit: &str) -> Error {
    Error::too_long(PLATFORM, n, max, unit)
        .with_operation("publish")
        .or_context(PLATFORM, None, what)
}

fn invalid(message: String) -> Error {
    Error::validation(message).with_platform(PLATFORM)
}

impl VideoUpload {
    /// A public upload with a title and nothing else.
    pub fn new(title: impl Into<String>, video: Media) -> Self {
        VideoUpload {
            title: title.into(),
            description: String::new(),
            tags: Vec::new(),
            privacy: Privacy::Public,
            publish_at: None,
            short: false,
            video,
            thumbnail: None,
        }
    }

    /// The upload for a post: the first line is the title, the rest the description; the
    /// video is its one video, an image beside it the thumbnail; `Unlisted` and `Direct`
    /// visibility make it unlisted and private; a `scheduled_at` still ahead of `now` makes
    /// it a private video YouTube publishes then; a square or vertical video is a Short.
    /// Checked as [`VideoUpload::validate`] checks (nothing is sent).
    ///
    /// ```
    /// use socialkit::adapters::youtube::{Privacy, VideoUpload};
    /// use socialkit::model::{Media, Post};
    /// let now = chrono::Utc::now();
    /// let post = Post::text("Title here\nThe description.")
    ///     .with_media(Media::from_bytes("video/mp4", vec![0; 4]).with_size(1080, 1920))
    ///     .scheduled_at(now + chrono::Duration::days(1));
    /// let v = VideoUpload::from_post(&post, now).unwrap();
    /// assert_eq!((v.title.as_str(), v.description.as_str()), ("Title here", "The description."));
    /// assert_eq!(v.privacy, Privacy::Private);
    /// assert!(v.publish_at.is_some() && v.short);
    /// ```
    pub fn from_post(post: &Post, now: DateTime<Utc>) -> Result<VideoUpload> {
        // The generic checks (thread, visibility, content warning, media types and sizes)
        // on the post without its thumbnail: one video and one image would read as "mixed".
        let caps = super::capabilities();
        caps.text.check(PLATFORM, &post.text)?;
        let videos: Vec<&Media> = post
            .media
            .iter()
            .filter(|m| m.kind == MediaKind::Video)
            .collect();
        let images: Vec<&Media> = post
            .media
            .iter()
            .filter(|m| m.kind != MediaKind::Video)
            .collect();
        let mut generic = post.clone();
        generic.media.retain(|m| m.kind == MediaKind::Video);
        if generic.media.is_empty() {
            return Err(invalid(
                "a YouTube post is a video: attach one video file (an image beside it becomes the thumbnail)"
                    .into(),
            ));
        }
        caps.validate(&generic)?;
        if videos.len() > 1 || images.len() > 1 {
            return Err(invalid(
                "a YouTube post takes one video and at most one thumbnail image".into(),
            ));
        }
        let (title, description) = match post.text.split_once('\n') {
            Some((t, d)) => (t.trim().to_string(), d.trim().to_string()),
            None => (post.text.trim().to_string(), String::new()),
        };
        let video = videos[0].clone();
        let short = matches!((video.width, video.height), (Some(w), Some(h)) if h >= w);
        let mut privacy = match post.visibility {
            Visibility::Unlisted => Privacy::Unlisted,
            Visibility::Direct => Privacy::Private,
            _ => Privacy::Public,
        };
        let publish_at = post
            .scheduled_at
            .filter(|at| *at > now + chrono::Duration::minutes(1));
        if publish_at.is_some() {
            if privacy != Privacy::Public {
                return Err(invalid(
                    "a scheduled YouTube video becomes public at its time: it cannot also be unlisted or private".into(),
                ));
            }
            privacy = Privacy::Private;
        }
        let upload = VideoUpload {
            title,
            description,
            tags: Vec::new(),
            privacy,
            publish_at,
            short,
            video,
            thumbnail: images.first().map(|m| (*m).clone()),
        };
        upload.validate(now)?;
        Ok(upload)
    }

    /// Checks the upload against YouTube's rules: title (1–100 characters), description
    /// (5,000 bytes), neither with `<` or `>`; tags (500 characters as [`tags_length`]
    /// counts); `publish_at` in the future and only on a private video; a video type; a
    /// Short not wider than high; a JPEG or PNG thumbnail of at most 2 MB.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<()> {
        if self.title.trim().is_empty() {
            return Err(invalid(
                "a YouTube video needs a title (the first line of the text)".into(),
            ));
        }
        let n = self.title.chars().count();
        if n > MAX_TITLE {
            return Err(too_long("title", n, MAX_TITLE, "title characters"));
        }
        if self.description.len() > MAX_DESCRIPTION_BYTES {
            return Err(too_long(
                "description",
                self.description.len(),
                MAX_DESCRIPTION_BYTES,
                "description bytes (UTF-8)",
            ));
        }
        for (field, text) in [("title", &self.title), ("description", &self.description)] {
            if text.contains(['<', '>']) {
                return Err(invalid(format!(
                    "YouTube does not allow < or > in the {field}"
                )));
            }
        }
        if self
            .tags
            .iter()
            .any(|t| t.trim().is_empty() || t.contains(['<', '>', ',']))
        {
            return Err(invalid(
                "a YouTube tag is empty or has <, > or a comma".into(),
            ));
        }
        let tags = tags_length(&self.tags);
        if tags > MAX_TAGS {
            return Err(too_long("tags", tags, MAX_TAGS, "tag characters"));
        }
        if let Some(at) = self.publish_at {
            if self.privacy != Privacy::Private {
                return Err(invalid(
                    "publishAt needs a private video (YouTube makes it public then)".into(),
                ));
            }
            if at <= now {
                return Err(invalid("the scheduled publish time is in the past".into()));
            }
        }
        let mime = self.video.mime.to_ascii_lowercase();
        if self.video.kind != MediaKind::Video
            || !(mime.starts_with("video/") || VIDEO_TYPES.contains(&mime.as_str()))
        {
            return Err(invalid(format!(
                "YouTube uploads a video file, not {}",
                self.video.mime
            )));
        }
        if self.short {
            if let (Some(w), Some(h)) = (self.video.width, self.video.height) {
                if w > h {
                    return Err(invalid(format!(
                        "a Short is square or vertical; this video is {w}x{h}"
                    )));
                }
            }
        }
        if let Some(t) = &self.thumbnail {
            let mime = t.mime.to_ascii_lowercase();
            if !matches!(mime.as_str(), "image/jpeg" | "image/png") {
                return Err(invalid(format!(
                    "a YouTube thumbnail is JPEG or PNG, not {}",
                    t.mime
                )));
            }
            if let Some(size) = t.size().filter(|s| *s > MAX_THUMBNAIL_BYTES) {
                return Err(invalid(format!(
                    "the thumbnail is {size} bytes, YouTube takes {MAX_THUMBNAIL_BYTES} ({} over)",
                    size - MAX_THUMBNAIL_BYTES
                )));
            }
        }
        Ok(())
    }

    /// The video resource of the insert request.
    pub(crate) fn resource(&self, category_id: &str, made_for_kids: bool) -> Video {
        Video {
            id: String::new(),
            snippet: Some(VideoSnippet {
                title: self.title.clone(),
                description: self.description.clone(),
                tags: self.tags.clone(),
                category_id: Some(category_id.to_string()),
                published_at: None,
                channel_id: None,
            }),
            status: Some(VideoStatus {
                privacy_status: self.privacy.as_str().to_string(),
                publish_at: self.publish_at,
                self_declared_made_for_kids: Some(made_for_kids),
                upload_status: None,
            }),
            statistics: None,
        }
    }
}

/// `Range: bytes=0-N` → `Some(N)`; absent or odd → `None` (nothing stored).
///
/// ```
/// use socialkit::adapters::youtube::upload::acknowledged_end;
/// assert_eq!(acknowledged_end(Some("bytes=0-262143")), Some(262143));
/// assert_eq!(acknowledged_end(None), None);
/// assert_eq!(acknowledged_end(Some("bytes=5-9")), None);
/// ```
pub fn acknowledged_end(range: Option<&str>) -> Option<u64> {
    let r = range?.trim().strip_prefix("bytes=")?;
    let (start, end) = r.split_once('-')?;
    if start.trim() != "0" {
        return None;
    }
    end.trim().parse().ok()
}

/// Reads a `308 Resume Incomplete` as "this much is stored" instead of an error.
#[derive(Default)]
struct ResumeReader {
    /// `Some(end)`: a 308 was read; `end` the last stored byte, if any.
    seen: Mutex<Option<Option<u64>>>,
}

impl ResumeReader {
    fn take(&self) -> Option<Option<u64>> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl ErrorMapper for ResumeReader {
    fn map(&self, response: &Response) -> Error {
        if response.status().as_u16() == 308 {
            let end = acknowledged_end(response.header("range"));
            *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(end);
            return response
                .error(ErrorKind::Unexpected, "resume incomplete")
                .with_retryable(false);
        }
        errors::map(response)
    }
}

/// What one `PUT` to the session came to.
enum Step {
    Done(Box<Video>),
    /// Stored up to here (exclusive).
    At(u64),
}

/// Failures after which the session is asked where it stands.
fn resumable(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout)
        || (e.kind() == ErrorKind::Platform && e.context().http_status.is_some_and(|s| s >= 500))
}

impl Youtube {
    /// Uploads a video (see the [module docs](self)), then sets its thumbnail. A thumbnail
    /// that fails does not fail the upload (the video exists): the reference then carries
    /// `thumbnail_error` in its meta, and [`Youtube::set_thumbnail`] can try again.
    pub async fn upload(&self, upload: &VideoUpload) -> Result<Published> {
        upload.validate(self.client().now())?;
        let data = Bytes::from(
            upload
                .video
                .read()
                .await
                .map_err(|e| e.or_context(PLATFORM, None, "publish"))?,
        );
        if data.is_empty() {
            return Err(invalid("the video file is empty".into()));
        }
        let session = self.start_session(upload, data.len()).await?;
        let video = self
            .send_chunks(&session, &data, &upload.video.mime)
            .await?;
        if video.id.is_empty() {
            return Err(Error::new(
                ErrorKind::Unexpected,
                "YouTube answered the upload without a video id",
            )
            .with_platform(PLATFORM)
            .with_operation("publish"));
        }
        let at = video
            .snippet
            .as_ref()
            .and_then(|s| s.published_at)
            .unwrap_or_else(|| self.client().now());
        let mut post = Youtube::video_ref(&video.id).with_meta("privacy", upload.privacy.as_str());
        if let Some(p) = upload.publish_at {
            post = post.with_meta("publish_at", p.to_rfc3339());
        }
        if upload.short {
            post = post.with_meta("short", "true");
        }
        if let Some(thumb) = &upload.thumbnail {
            if let Err(e) = self.set_thumbnail(&video.id, thumb).await {
                tracing::warn!(
                    platform = PLATFORM,
                    kind = e.kind().as_str(),
                    "the thumbnail was not set"
                );
                post = post.with_meta("thumbnail_error", e.to_string());
            }
        }
        Ok(Published::single(post, at))
    }

    /// Step 1: the session URI.
    async fn start_session(&self, upload: &VideoUpload, size: usize) -> Result<url::Url> {
        let url = self.config().endpoint("upload/youtube/v3/videos")?;
        let call = Call::post(PLATFORM, "publish", url)
            .query([("uploadType", "resumable"), ("part", "snippet,status")])
            .header("X-Upload-Content-Length", size.to_string())
            .header("X-Upload-Content-Type", &upload.video.mime)
            .json(&upload.resource(&self.config().category_id, self.config().made_for_kids))
            // Only a session is made here, no video: safe to send again.
            .retry(Retry::Idempotent);
        let response = self.send(call, Cost::UPLOAD).await?;
        let location = response.header("location").ok_or_else(|| {
            response.error(
                ErrorKind::Unexpected,
                "YouTube started no upload session (no Location header)",
            )
        })?;
        // Absolute as Google sends it; a relative one is read against the API host.
        self.config().base_url.join(location).map_err(|_| {
            response.error(
                ErrorKind::Unexpected,
                "YouTube's upload session URI is not a URL",
            )
        })
    }

    /// Steps 2 and 3: every chunk, resuming where the session says it stands.
    async fn send_chunks(&self, session: &url::Url, data: &Bytes, mime: &str) -> Result<Video> {
        let total = data.len() as u64;
        let chunk = self.config().chunk_size as u64;
        let mut offset: u64 = 0;
        let mut stalled: u32 = 0;
        loop {
            let end = (offset + chunk).min(total);
            let slice =
                data.slice(usize::try_from(offset).unwrap_or(0)..usize::try_from(end).unwrap_or(0));
            let range = format!("bytes {}-{}/{}", offset, end - 1, total);
            let call = Call::put(PLATFORM, "publish", session.clone())
                .header("Content-Range", range)
                .bytes(mime, slice)
                .retry(Retry::Never);
            let outcome = match self.put_session(call).await {
                Ok(step) => Ok(step),
                Err(e) if resumable(&e) => {
                    tracing::info!(
                        platform = PLATFORM,
                        kind = e.kind().as_str(),
                        offset,
                        "upload interrupted; asking the session where it stands"
                    );
                    self.backoff(stalled).await;
                    self.session_status(session, total).await.map_err(|_| e)
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok(Step::Done(video)) => return Ok(*video),
                Ok(Step::At(next)) => {
                    if next > offset {
                        stalled = 0;
                    } else {
                        stalled += 1;
                    }
                    offset = next.min(total);
                }
                Err(e) => {
                    stalled += 1;
                    if !resumable(&e) || stalled > MAX_RESUMES {
                        return Err(e);
                    }
                }
            }
            if stalled > MAX_RESUMES {
                return Err(Error::new(
                    ErrorKind::Network,
                    format!("the upload made no progress after {MAX_RESUMES} resumptions; no video was made"),
                )
                .with_platform(PLATFORM)
                .with_operation("publish"));
            }
        }
    }

    /// Waits before asking again after a failure: the client's retry backoff (0.5 s by
    /// default) doubled per failure in a row (the guide's exponential backoff), on the
    /// client's clock.
    async fn backoff(&self, failures: u32) {
        let wait = self
            .client()
            .config()
            .retry
            .backoff_cap(failures.saturating_add(1));
        self.client().clock().sleep(wait).await;
    }

    /// Step 3: where the session stands.
    async fn session_status(&self, session: &url::Url, total: u64) -> Result<Step> {
        let call = Call::put(PLATFORM, "publish", session.clone())
            .header("Content-Range", format!("bytes */{total}"))
            .bytes("application/octet-stream", Bytes::new())
            // The loop in `send_chunks` decides about another try.
            .retry(Retry::Never);
        self.put_session(call).await
    }

    async fn put_session(&self, call: Call) -> Result<Step> {
        let reader = ResumeReader::default();
        let free = Cost {
            units: 0,
            uploads: 0,
        };
        match self.send_mapped(call, free, &reader).await {
            Ok(response) => {
                let video: Video = response.json()?;
                Ok(Step::Done(Box::new(video)))
            }
            Err(e) => match reader.take() {
                Some(end) => Ok(Step::At(end.map_or(0, |n| n + 1))),
                None => Err(e),
            },
        }
    }

    /// Sets a video's custom thumbnail (`thumbnails.set`, 50 units): a JPEG or PNG of at
    /// most 2 MB. YouTube allows custom thumbnails only for verified channels (403
    /// `forbidden` otherwise).
    pub async fn set_thumbnail(&self, video_id: &str, image: &Media) -> Result<()> {
        let mime = image.mime.to_ascii_lowercase();
        if !matches!(mime.as_str(), "image/jpeg" | "image/png") {
            return Err(invalid(format!(
                "a YouTube thumbnail is JPEG or PNG, not {}",
                image.mime
            )));
        }
        let bytes = image.read().await?;
        if bytes.len() as u64 > MAX_THUMBNAIL_BYTES {
            return Err(invalid(format!(
                "the thumbnail is {} bytes, YouTube takes {MAX_THUMBNAIL_BYTES}",
                bytes.len()
            )));
        }
        let url = self.config().endpoint("upload/youtube/v3/thumbnails/set")?;
        let call = Call::post(PLATFORM, "thumbnail", url)
            .query([("videoId", video_id), ("uploadType", "media")])
            .bytes(&mime, bytes)
            // Setting the same image twice leaves one thumbnail.
            .retry(Retry::Idempotent);
        self.send(call, Cost::WRITE).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video() -> Media {
        Media::from_bytes("video/mp4", vec![0; 4])
    }

    #[test]
    fn limits_are_youtubes() {
        let now = Utc::now();
        let mut v = VideoUpload::new("t".repeat(100), video());
        assert!(v.validate(now).is_ok());
        // The description counts bytes: 2,500 two-byte letters fit, one more does not.
        v.description = "é".repeat(2500);
        assert!(v.validate(now).is_ok());
        v.description.push('a');
        assert!(v.validate(now).unwrap_err().to_string().contains("1 over"));
        v.description = "a <b>".into();
        assert!(v.validate(now).is_err());
        v.description.clear();
        // 500 tag characters with the quotes and commas.
        v.tags = vec!["a b".to_string(); 100];
        assert_eq!(tags_length(&v.tags), 100 * 5 + 99);
        assert!(v.validate(now).is_err());
        v.tags = vec!["abcd".to_string(); 100];
        assert_eq!(tags_length(&v.tags), 499);
        assert!(v.validate(now).is_ok());
        v.tags.clear();
        v.publish_at = Some(now + chrono::Duration::hours(1));
        assert!(v.validate(now).is_err(), "public with publishAt");
        v.privacy = Privacy::Private;
        assert!(v.validate(now).is_ok());
        v.publish_at = Some(now - chrono::Duration::hours(1));
        assert!(v.validate(now).is_err(), "publishAt in the past");
        v.publish_at = None;
        v.short = true;
        v.video = video().with_size(1920, 1080);
        assert!(v.validate(now).is_err(), "a landscape Short");
        v.video = video().with_size(1080, 1920);
        assert!(v.validate(now).is_ok());
        v.thumbnail = Some(Media::image_bytes("image/gif", vec![0]));
        assert!(v.validate(now).is_err());
        v.thumbnail = Some(Media::image_bytes(
            "image/png",
            vec![0; 2 * 1024 * 1024 + 1],
        ));
        assert!(v.validate(now).unwrap_err().to_string().contains("1 over"));
    }

    #[test]
    fn posts_become_uploads() {
        let now = Utc::now();
        let no_video = Post::text("Title");
        assert_eq!(
            VideoUpload::from_post(&no_video, now).unwrap_err().kind(),
            ErrorKind::Validation
        );
        let two = Post::text("T").with_media(video()).with_media(video());
        assert!(VideoUpload::from_post(&two, now).is_err());
        let with_thumb = Post::text("T\n\nD")
            .with_media(video())
            .with_media(Media::image_bytes("image/jpeg", vec![1]));
        let v = VideoUpload::from_post(&with_thumb, now).unwrap();
        assert_eq!(v.description, "D");
        assert!(v.thumbnail.is_some() && !v.short);
        let mut followers = Post::text("T").with_media(video());
        followers.visibility = Visibility::Followers;
        assert_eq!(
            VideoUpload::from_post(&followers, now).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
        let mut unlisted_later = Post::text("T")
            .with_media(video())
            .scheduled_at(now + chrono::Duration::days(1));
        unlisted_later.visibility = Visibility::Unlisted;
        assert!(VideoUpload::from_post(&unlisted_later, now).is_err());
        // A schedule already due is an ordinary public upload.
        let due = Post::text("T").with_media(video()).scheduled_at(now);
        let v = VideoUpload::from_post(&due, now).unwrap();
        assert_eq!((v.privacy, v.publish_at), (Privacy::Public, None));
    }
}
