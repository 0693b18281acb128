//! TikTok's wire types, each named after the reference page it comes from. Every answer of
//! `open.tiktokapis.com/v2` is `{"data": {…}, "error": {"code": "ok", "message": "",
//! "log_id": "…"}}`; `code` is `"ok"` on success.
//!
//! Sources (developers.tiktok.com/doc/…): `content-posting-api-reference-query-creator-info`,
//! `content-posting-api-reference-direct-post`, `content-posting-api-reference-upload-video`,
//! `content-posting-api-reference-photo-post`, `content-posting-api-reference-get-video-status`,
//! `tiktok-api-v2-get-user-info`, `tiktok-api-v2-video-query`, `tiktok-api-v2-video-list`,
//! `oauth-user-access-token-management`.

use serde::{Deserialize, Serialize};

use super::config::PrivacyLevel;

/// The `error` object of every answer.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApiError {
    /// `"ok"`, or the error code (`access_token_invalid`, `rate_limit_exceeded` …).
    #[serde(default)]
    pub code: String,
    /// What went wrong.
    #[serde(default)]
    pub message: String,
    /// TikTok's request id.
    #[serde(default)]
    pub log_id: String,
}

/// An answer: `data` and `error`.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T> {
    /// The payload (absent or `{}` on errors).
    pub data: Option<T>,
    /// The error (`code: "ok"` on success).
    #[serde(default)]
    pub error: ApiError,
}

/// `POST /v2/post/publish/creator_info/query/` → `data`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct CreatorInfo {
    /// The creator's avatar.
    #[serde(default)]
    pub creator_avatar_url: Option<String>,
    /// The creator's @name.
    #[serde(default)]
    pub creator_username: Option<String>,
    /// The display name.
    #[serde(default)]
    pub creator_nickname: Option<String>,
    /// The privacy levels this creator may choose.
    #[serde(default)]
    pub privacy_level_options: Vec<PrivacyLevel>,
    /// Comments are off in the creator's settings.
    #[serde(default)]
    pub comment_disabled: bool,
    /// Duets are off.
    #[serde(default)]
    pub duet_disabled: bool,
    /// Stitches are off.
    #[serde(default)]
    pub stitch_disabled: bool,
    /// Longest video this creator may post, seconds.
    #[serde(default)]
    pub max_video_post_duration_sec: Option<u64>,
}

/// `post_info` of the Direct Post video and photo init.
#[derive(Debug, Clone, Serialize)]
pub struct PostInfo {
    /// The video caption or the photo post's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The photo post's description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who sees it.
    pub privacy_level: PrivacyLevel,
    /// Comments off.
    pub disable_comment: bool,
    /// Duets off (video only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_duet: Option<bool>,
    /// Stitches off (video only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_stitch: Option<bool>,
}

/// `source_info` of a video init.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "source", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VideoSource {
    /// The bytes follow through `upload_url`.
    FileUpload {
        /// Bytes.
        video_size: u64,
        /// Bytes per chunk.
        chunk_size: u64,
        /// Chunks.
        total_chunk_count: u64,
    },
    /// TikTok downloads the video from a verified domain.
    PullFromUrl {
        /// The video's URL.
        video_url: String,
    },
}

/// The body of a video init (`post_info` only for Direct Post).
#[derive(Debug, Clone, Serialize)]
pub struct VideoInit {
    /// What the post says and who sees it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_info: Option<PostInfo>,
    /// Where the bytes come from.
    pub source_info: VideoSource,
}

/// `source_info` of a photo post (`PULL_FROM_URL` only).
#[derive(Debug, Clone, Serialize)]
pub struct PhotoSource {
    /// Always `PULL_FROM_URL`.
    pub source: &'static str,
    /// Index of the cover among `photo_images` (0-based).
    pub photo_cover_index: usize,
    /// The images' URLs (up to 35).
    pub photo_images: Vec<String>,
}

/// `POST /v2/post/publish/content/init/` body.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoInit {
    /// Title, description, privacy.
    pub post_info: PostInfo,
    /// The images.
    pub source_info: PhotoSource,
    /// `DIRECT_POST` or `MEDIA_UPLOAD`.
    pub post_mode: &'static str,
    /// `PHOTO`.
    pub media_type: &'static str,
}

/// The `data` of every init.
#[derive(Debug, Clone, Deserialize)]
pub struct InitData {
    /// The publish id to poll.
    pub publish_id: String,
    /// Where the bytes go (`FILE_UPLOAD` only).
    #[serde(default)]
    pub upload_url: Option<String>,
}

/// `POST /v2/post/publish/status/fetch/` → `data`.
#[derive(Debug, Clone, Deserialize)]
pub struct StatusData {
    /// `PROCESSING_UPLOAD`, `PROCESSING_DOWNLOAD`, `SEND_TO_USER_INBOX`, `PUBLISH_COMPLETE`,
    /// `FAILED`.
    pub status: String,
    /// Why it failed.
    #[serde(default)]
    pub fail_reason: Option<String>,
    /// The post ids once public (TikTok's spelling).
    #[serde(default)]
    pub publicaly_available_post_id: Vec<serde_json::Value>,
    /// Bytes received so far (`FILE_UPLOAD`).
    #[serde(default)]
    pub uploaded_bytes: Option<u64>,
    /// Bytes downloaded so far (`PULL_FROM_URL`).
    #[serde(default)]
    pub downloaded_bytes: Option<u64>,
}

/// `GET /v2/user/info/` → `data.user`.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    /// The user's id for this app.
    pub open_id: String,
    /// The @name.
    #[serde(default)]
    pub username: Option<String>,
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Avatar.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Bio (`user.info.profile`).
    #[serde(default)]
    pub bio_description: Option<String>,
    /// Profile link.
    #[serde(default)]
    pub profile_deep_link: Option<String>,
    /// Followers (`user.info.stats`).
    #[serde(default)]
    pub follower_count: Option<u64>,
    /// Following.
    #[serde(default)]
    pub following_count: Option<u64>,
    /// Public videos.
    #[serde(default)]
    pub video_count: Option<u64>,
}

/// `data` of `/v2/user/info/`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserData {
    /// The user.
    pub user: User,
}

/// The fields socialkit asks `/v2/user/info/` for.
pub const USER_FIELDS: &str = "open_id,union_id,avatar_url,display_name,username,bio_description,profile_deep_link,follower_count,following_count,video_count";

/// A video of `/v2/video/query/` and `/v2/video/list/`.
#[derive(Debug, Clone, Deserialize)]
pub struct Video {
    /// The video id.
    pub id: String,
    /// The caption.
    #[serde(default)]
    pub title: Option<String>,
    /// The description.
    #[serde(default)]
    pub video_description: Option<String>,
    /// Created, epoch seconds.
    #[serde(default)]
    pub create_time: Option<i64>,
    /// The share link.
    #[serde(default)]
    pub share_url: Option<String>,
    /// Views.
    #[serde(default)]
    pub view_count: Option<u64>,
    /// Likes.
    #[serde(default)]
    pub like_count: Option<u64>,
    /// Comments.
    #[serde(default)]
    pub comment_count: Option<u64>,
    /// Shares.
    #[serde(default)]
    pub share_count: Option<u64>,
}

/// The fields socialkit asks the video endpoints for.
pub const VIDEO_FIELDS: &str = "id,title,video_description,create_time,share_url,view_count,like_count,comment_count,share_count";

/// `data` of `/v2/video/query/` and `/v2/video/list/`.
#[derive(Debug, Clone, Deserialize)]
pub struct Videos {
    /// The videos.
    #[serde(default)]
    pub videos: Vec<Video>,
    /// The list cursor (epoch ms).
    #[serde(default)]
    pub cursor: Option<i64>,
    /// Whether more follow.
    #[serde(default)]
    pub has_more: bool,
}
