//! Pinterest's wire types, from Pinterest's OpenAPI description of API v5
//! (<https://github.com/pinterest/api-description>, `v5/openapi.yaml` at release 5.23.0,
//! commit c05b189): `PinCreate`, `Pin`, the `PinMediaSource*` schemas, `MediaUploadCreate`,
//! `MediaUpload`, `Media` (`MediaUploadStatus`), `PinAnalyticsResponse`, `Account`, `Board`,
//! `BoardSection`, `Error` and the bookmark-paged list answers `{items, bookmark}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `PinCreate` (`POST /v5/pins`).
#[derive(Debug, Clone, Serialize)]
pub struct PinCreate {
    /// The board.
    pub board_id: String,
    /// The board section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub board_section_id: Option<String>,
    /// Title, ≤ 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description, ≤ 800.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Destination link, ≤ 2048.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Alt text, ≤ 500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
    /// The media.
    pub media_source: serde_json::Value,
}

/// `Pin`, the fields socialkit reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Pin {
    /// The id.
    pub id: String,
    /// Created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Board.
    #[serde(default)]
    pub board_id: Option<String>,
}

/// A bookmark-paged list.
#[derive(Debug, Clone, Deserialize)]
pub struct Paged<T> {
    /// The items.
    pub items: Vec<T>,
    /// The next page's bookmark.
    #[serde(default)]
    pub bookmark: Option<String>,
}

/// `MediaUpload` (`POST /v5/media` answer).
#[derive(Debug, Clone, Deserialize)]
pub struct MediaUpload {
    /// The media id.
    pub media_id: String,
    /// Where the file goes (an S3 form POST).
    #[serde(default)]
    pub upload_url: Option<String>,
    /// The form fields to send with the file.
    #[serde(default)]
    pub upload_parameters: BTreeMap<String, String>,
}

/// `Media` (`GET /v5/media/{media_id}`).
#[derive(Debug, Clone, Deserialize)]
pub struct Media {
    /// The media id.
    #[serde(default)]
    pub media_id: Option<String>,
    /// `registered`, `processing`, `succeeded`, `failed`.
    pub status: String,
}

/// `Account` (`GET /v5/user_account`).
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    /// The id.
    #[serde(default)]
    pub id: Option<String>,
    /// The user name.
    pub username: String,
    /// About.
    #[serde(default)]
    pub about: Option<String>,
    /// Avatar.
    #[serde(default)]
    pub profile_image: Option<String>,
    /// Website.
    #[serde(default)]
    pub website_url: Option<String>,
    /// Business name.
    #[serde(default)]
    pub business_name: Option<String>,
    /// Followers.
    #[serde(default)]
    pub follower_count: Option<u64>,
    /// Following.
    #[serde(default)]
    pub following_count: Option<u64>,
    /// Pins (created and saved).
    #[serde(default)]
    pub pin_count: Option<u64>,
}

/// A board (`Board`/`BoardBase`): id and name.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Board {
    /// The id.
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: String,
}

/// `BoardSection`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct BoardSection {
    /// The id.
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: String,
}

/// `PinAnalyticsMetricsResponse`, the part socialkit reads.
#[derive(Debug, Clone, Deserialize)]
pub struct PinAnalytics {
    /// Totals over the requested period.
    #[serde(default)]
    pub summary_metrics: BTreeMap<String, f64>,
    /// Lifetime totals (`TOTAL_COMMENTS`, `TOTAL_REACTIONS`).
    #[serde(default)]
    pub lifetime_metrics: BTreeMap<String, f64>,
}
