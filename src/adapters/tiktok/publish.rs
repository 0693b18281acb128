//! Publishing: creator info, the init of a video (file upload or pull from URL, Direct Post
//! or inbox) or a photo post, the chunk upload, and the status poll.
//!
//! Sources: <https://developers.tiktok.com/doc/content-posting-api-reference-query-creator-info>,
//! <https://developers.tiktok.com/doc/content-posting-api-reference-direct-post>,
//! <https://developers.tiktok.com/doc/content-posting-api-reference-upload-video>,
//! <https://developers.tiktok.com/doc/content-posting-api-reference-photo-post>,
//! <https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide>,
//! <https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status>.

use std::time::Duration;

use url::Url;

use super::api::{
    CreatorInfo, InitData, PhotoInit, PhotoSource, PostInfo, StatusData, VideoInit, VideoSource,
};
use super::config::{PostMode, PrivacyLevel};
use super::upload::ChunkPlan;
use super::{PLATFORM, TikTok, errors};
use crate::auth::Secret;
use crate::http::{Call, Poll, Retry, poll_until};
use crate::model::{Media, MediaKind, MediaSource, Post, PostRef, Published, Visibility};
use crate::{Error, ErrorKind, Result};

/// How long a publish waits for TikTok to finish processing.
pub(crate) const POLL_TIMEOUT: Duration = Duration::from_secs(600);
/// Between two status fetches (30 a minute are allowed per token).
pub(crate) const POLL_EVERY: Duration = Duration::from_secs(5);

fn invalid(m: impl Into<String>) -> Error {
    Error::validation(m)
        .with_platform(PLATFORM)
        .with_operation("publish")
}

/// What a TikTok post may carry: exactly one video, or 1–35 images given by URL (TikTok
/// pulls photos itself). Checked before anything is sent.
pub(crate) fn check_media(post: &Post) -> Result<()> {
    if !post.thread.is_empty() {
        return Err(invalid(
            "tiktok posts are single: a thread cannot be posted",
        ));
    }
    let videos = post
        .media
        .iter()
        .filter(|m| m.kind == MediaKind::Video)
        .count();
    if videos > 0 && post.media.len() > 1 {
        return Err(invalid(
            "tiktok: a post is one video, or images only; not a video with other media",
        ));
    }
    if videos == 0 {
        if let Some(m) = post
            .media
            .iter()
            .find(|m| !matches!(m.source, MediaSource::Url(_)))
        {
            let _ = m;
            return Err(invalid(
                "tiktok takes photos only by URL (PULL_FROM_URL from a verified domain): use Media::from_url",
            ));
        }
    }
    if post.link.is_some() {
        return Err(invalid(
            "tiktok posts have no link: put the link in the text",
        ));
    }
    Ok(())
}

impl TikTok {
    /// The creator's posting settings (`creator_info/query`): whether the account may post
    /// now (an error otherwise), its privacy options, the longest video it may post.
    pub async fn creator_info(&self) -> Result<CreatorInfo> {
        let url = self
            .config
            .endpoint("v2/post/publish/creator_info/query/")?;
        let call = Call::post(PLATFORM, "creator_info", url)
            .json(&serde_json::json!({}))
            .retry(Retry::Idempotent);
        self.api(call).await
    }

    /// The privacy level for `post`, checked against the audit and the creator's options.
    fn privacy(&self, post: &Post, info: &CreatorInfo) -> Result<PrivacyLevel> {
        let level = match post.visibility {
            Visibility::Followers => PrivacyLevel::FollowerOfCreator,
            _ => self.config.privacy,
        };
        if !self.config.audited && level != PrivacyLevel::SelfOnly {
            return Err(Error::new(
                ErrorKind::PermissionDenied,
                "tiktok: an unaudited app can only post privately (SELF_ONLY); nothing was sent",
            )
            .with_platform(PLATFORM)
            .with_operation("publish")
            .with_platform_code("unaudited_client_can_only_post_to_private_accounts"));
        }
        if !info.privacy_level_options.is_empty() && !info.privacy_level_options.contains(&level) {
            return Err(invalid(format!(
                "tiktok: the creator cannot post with privacy {} (options: {}); nothing was sent",
                level.as_str(),
                info.privacy_level_options
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .with_platform_code("privacy_level_option_mismatch"));
        }
        Ok(level)
    }

    fn post_info(&self, post: &Post, info: &CreatorInfo, video: bool) -> Result<PostInfo> {
        let text = (!post.text.is_empty()).then(|| post.text.clone());
        Ok(PostInfo {
            title: if video { text.clone() } else { None },
            description: if video { None } else { text },
            privacy_level: self.privacy(post, info)?,
            disable_comment: self.config.disable_comment || info.comment_disabled,
            disable_duet: video.then_some(self.config.disable_duet || info.duet_disabled),
            disable_stitch: video.then_some(self.config.disable_stitch || info.stitch_disabled),
        })
    }

    /// Publishes a checked post: creator info, init, upload, poll.
    pub(crate) async fn publish_post(&self, post: &Post) -> Result<Published> {
        let info = self.creator_info().await?;
        let direct = self.config.mode == PostMode::Direct;
        let init = match post.media.first() {
            Some(m) if m.kind == MediaKind::Video => self.init_video(post, m, &info).await?,
            Some(_) => self.init_photos(post, &info).await?,
            None => return Err(invalid("tiktok posts need a video or photos")),
        };
        self.wait_for(&init.publish_id, direct).await
    }

    async fn init_video(&self, post: &Post, media: &Media, info: &CreatorInfo) -> Result<InitData> {
        let direct = self.config.mode == PostMode::Direct;
        let path = if direct {
            "v2/post/publish/video/init/"
        } else {
            "v2/post/publish/inbox/video/init/"
        };
        let post_info = if direct {
            Some(self.post_info(post, info, true)?)
        } else {
            None
        };
        let url = self.config.endpoint(path)?;
        if let MediaSource::Url(video_url) = &media.source {
            let body = VideoInit {
                post_info,
                source_info: VideoSource::PullFromUrl {
                    video_url: video_url.clone(),
                },
            };
            let call = Call::post(PLATFORM, "video_init", url).json(&body);
            return self.api(call).await;
        }
        let bytes = media.read().await?;
        let plan = ChunkPlan::new(bytes.len() as u64, self.config.chunk_size)?;
        let body = VideoInit {
            post_info,
            source_info: VideoSource::FileUpload {
                video_size: plan.video_size,
                chunk_size: plan.chunk_size,
                total_chunk_count: plan.total_chunk_count,
            },
        };
        let call = Call::post(PLATFORM, "video_init", url).json(&body);
        let init: InitData = self.api(call).await?;
        let upload_url = init.upload_url.as_deref().ok_or_else(|| {
            Error::new(
                ErrorKind::Unexpected,
                "tiktok answered a FILE_UPLOAD init without an upload_url",
            )
            .with_platform(PLATFORM)
        })?;
        self.upload(upload_url, &media.mime, &bytes, &plan).await?;
        Ok(init)
    }

    /// Sends the chunks in order. A chunk is the same bytes at the same range each time, so
    /// it may be sent again after a network failure.
    async fn upload(
        &self,
        upload_url: &str,
        mime: &str,
        bytes: &[u8],
        plan: &ChunkPlan,
    ) -> Result<()> {
        let url = Url::parse(upload_url).map_err(|_| {
            Error::new(
                ErrorKind::Unexpected,
                "tiktok answered an upload_url that is not a URL",
            )
            .with_platform(PLATFORM)
        })?;
        let token = url
            .query_pairs()
            .find(|(k, _)| k == "upload_token")
            .map(|(_, v)| Secret::new(v.into_owned()));
        for (start, end) in plan.ranges() {
            let chunk = bytes[start as usize..end as usize].to_vec();
            let mut call = Call::put(PLATFORM, "upload_chunk", url.clone())
                .header("Content-Range", plan.content_range(start, end))
                .bytes(mime, chunk)
                .retry(Retry::Idempotent);
            if let Some(t) = &token {
                call = call.redact(t);
            }
            self.client.send(call, &errors::TikTokErrors).await?;
        }
        Ok(())
    }

    async fn init_photos(&self, post: &Post, info: &CreatorInfo) -> Result<InitData> {
        let direct = self.config.mode == PostMode::Direct;
        let images = post
            .media
            .iter()
            .filter_map(|m| match &m.source {
                MediaSource::Url(u) => Some(u.clone()),
                _ => None,
            })
            .collect();
        let body = PhotoInit {
            post_info: self.post_info(post, info, false)?,
            source_info: PhotoSource {
                source: "PULL_FROM_URL",
                photo_cover_index: 0,
                photo_images: images,
            },
            post_mode: if direct {
                "DIRECT_POST"
            } else {
                "MEDIA_UPLOAD"
            },
            media_type: "PHOTO",
        };
        let url = self.config.endpoint("v2/post/publish/content/init/")?;
        self.api(Call::post(PLATFORM, "photo_init", url).json(&body))
            .await
    }

    /// One status fetch.
    pub async fn publish_status(&self, publish_id: &str) -> Result<StatusData> {
        let url = self.config.endpoint("v2/post/publish/status/fetch/")?;
        let call = Call::post(PLATFORM, "status_fetch", url)
            .json(&serde_json::json!({ "publish_id": publish_id }))
            .retry(Retry::Idempotent);
        self.api(call).await
    }

    /// Polls until the post is done (`PUBLISH_COMPLETE`, or `SEND_TO_USER_INBOX` for an
    /// inbox upload) or `FAILED`.
    async fn wait_for(&self, publish_id: &str, direct: bool) -> Result<Published> {
        let clock = self.client.clock().clone();
        let what = format!("post {publish_id}");
        let done = poll_until(&clock, POLL_TIMEOUT, PLATFORM, &what, || async {
            let s = self.publish_status(publish_id).await?;
            Ok(match s.status.as_str() {
                "PUBLISH_COMPLETE" => Poll::Ready(s),
                "SEND_TO_USER_INBOX" if !direct => Poll::Ready(s),
                "FAILED" => {
                    return Err(errors::from_fail_reason(
                        s.fail_reason.as_deref().unwrap_or("unknown"),
                        publish_id,
                    ));
                }
                _ => Poll::Wait(POLL_EVERY),
            })
        })
        .await?;
        let post_id = done
            .publicaly_available_post_id
            .iter()
            .find_map(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
        let mut r = match &post_id {
            Some(id) => PostRef::new(PLATFORM, id.clone()),
            None => PostRef::new(PLATFORM, publish_id),
        };
        r = r
            .with_meta("publish_id", publish_id)
            .with_meta("status", done.status);
        Ok(Published::single(r, self.now()))
    }
}
