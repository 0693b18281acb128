//! YouTube Data API v3 wire types: only the fields socialkit reads or writes. Sources: the
//! resource pages under <https://developers.google.com/youtube/v3/docs> — `videos`
//! (snippet, status, statistics), `channels` (snippet, statistics,
//! contentDetails.relatedPlaylists), `playlistItems`, `commentThreads` and `comments`; list
//! answers are `{"items": [...], "nextPageToken": "…"}`. Counts are uint64 sent as JSON
//! strings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// A list answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct List<T> {
    /// The page.
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    /// The next page, when there is one.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A count sent as a string (`"viewCount": "42"`); numbers are accepted too.
pub fn de_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        _ => None,
    })
}

/// `videos` resource.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    /// The video id (absent in an insert request).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Title, description, tags, category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<VideoSnippet>,
    /// Privacy, scheduled publish, made for kids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VideoStatus>,
    /// Counts (read only).
    #[serde(default, skip_serializing)]
    pub statistics: Option<VideoStatistics>,
}

/// `video.snippet`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoSnippet {
    /// At most 100 characters, no `<` or `>`.
    #[serde(default)]
    pub title: String,
    /// At most 5000 bytes, no `<` or `>`.
    #[serde(default)]
    pub description: String,
    /// At most 500 characters together (see `videos` docs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The category (`"22"`: People & Blogs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// When the video was published (read only).
    #[serde(default, skip_serializing)]
    pub published_at: Option<DateTime<Utc>>,
    /// The channel (read only).
    #[serde(default, skip_serializing)]
    pub channel_id: Option<String>,
}

/// `video.status`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoStatus {
    /// `public`, `unlisted` or `private`.
    #[serde(default)]
    pub privacy_status: String,
    /// When a private video becomes public (ISO 8601); needs `privacyStatus: private`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_at: Option<DateTime<Utc>>,
    /// The COPPA declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_declared_made_for_kids: Option<bool>,
    /// `uploaded`, `processed`, `failed`, `rejected`, `deleted` (read only).
    #[serde(default, skip_serializing)]
    pub upload_status: Option<String>,
}

/// `video.statistics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoStatistics {
    /// Views.
    #[serde(default, deserialize_with = "de_count")]
    pub view_count: Option<u64>,
    /// Likes (absent when the owner hides them).
    #[serde(default, deserialize_with = "de_count")]
    pub like_count: Option<u64>,
    /// Comments (absent when comments are off).
    #[serde(default, deserialize_with = "de_count")]
    pub comment_count: Option<u64>,
}

/// `channels` resource.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelResource {
    /// `UC…`.
    #[serde(default)]
    pub id: String,
    /// Title and handle.
    #[serde(default)]
    pub snippet: Option<ChannelSnippet>,
    /// Counts.
    #[serde(default)]
    pub statistics: Option<ChannelStatistics>,
    /// The uploads playlist.
    #[serde(default)]
    pub content_details: Option<ChannelContent>,
}

/// `channel.snippet`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSnippet {
    /// The channel's name.
    #[serde(default)]
    pub title: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// The handle (`@acme`).
    #[serde(default)]
    pub custom_url: Option<String>,
}

/// `channel.statistics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelStatistics {
    /// Views of all videos.
    #[serde(default, deserialize_with = "de_count")]
    pub view_count: Option<u64>,
    /// Subscribers (rounded to three significant figures by YouTube).
    #[serde(default, deserialize_with = "de_count")]
    pub subscriber_count: Option<u64>,
    /// The owner hides the subscriber count.
    #[serde(default)]
    pub hidden_subscriber_count: bool,
    /// Public videos.
    #[serde(default, deserialize_with = "de_count")]
    pub video_count: Option<u64>,
}

/// `channel.contentDetails`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelContent {
    /// `relatedPlaylists`.
    #[serde(default)]
    pub related_playlists: RelatedPlaylists,
}

/// `relatedPlaylists`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedPlaylists {
    /// The channel's uploads (`UU…`).
    #[serde(default)]
    pub uploads: Option<String>,
}

/// `playlistItems` resource.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaylistItem {
    /// Title, description, the video.
    #[serde(default)]
    pub snippet: PlaylistSnippet,
}

/// `playlistItem.snippet`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaylistSnippet {
    /// When the item was added.
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    /// The video's title.
    #[serde(default)]
    pub title: String,
    /// The video's description.
    #[serde(default)]
    pub description: String,
    /// `{"kind": "youtube#video", "videoId": "…"}`.
    #[serde(default)]
    pub resource_id: ResourceId,
}

/// `resourceId`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceId {
    /// The video.
    #[serde(default)]
    pub video_id: String,
}

/// `commentThreads` resource.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentThread {
    /// The thread id (the top-level comment's id).
    #[serde(default)]
    pub id: String,
    /// The top-level comment.
    #[serde(default)]
    pub snippet: ThreadSnippet,
    /// Some of the replies (`part=replies`).
    #[serde(default)]
    pub replies: Option<ThreadReplies>,
}

/// `commentThread.snippet`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadSnippet {
    /// The video commented on.
    #[serde(default)]
    pub video_id: Option<String>,
    /// The comment that opens the thread.
    #[serde(default)]
    pub top_level_comment: Comment,
    /// All replies, also those not in `replies`.
    #[serde(default)]
    pub total_reply_count: u64,
}

/// `commentThread.replies`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ThreadReplies {
    /// Replies, oldest first.
    #[serde(default)]
    pub comments: Vec<Comment>,
}

/// `comments` resource.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// The comment id.
    #[serde(default)]
    pub id: String,
    /// Author, text, times.
    #[serde(default)]
    pub snippet: CommentSnippet,
}

/// `comment.snippet`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentSnippet {
    /// The author's name.
    #[serde(default)]
    pub author_display_name: String,
    /// The author's channel (`{"value": "UC…"}`).
    #[serde(default)]
    pub author_channel_id: Option<AuthorChannel>,
    /// The author's channel URL.
    #[serde(default)]
    pub author_channel_url: Option<String>,
    /// The text as written.
    #[serde(default)]
    pub text_original: Option<String>,
    /// The text as shown.
    #[serde(default)]
    pub text_display: Option<String>,
    /// The comment a reply answers.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// The video.
    #[serde(default)]
    pub video_id: Option<String>,
    /// When it was written.
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
}

/// `authorChannelId`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthorChannel {
    /// `UC…`.
    #[serde(default)]
    pub value: String,
}
