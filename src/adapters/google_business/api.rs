//! Business Profile API v4 wire types: only what socialkit reads or writes. Sources:
//! `accounts.locations.localPosts` <https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts>
//! (LocalPost, CallToAction, LocalPostEvent, LocalPostOffer, MediaItem), the posts guide
//! <https://developers.google.com/my-business/content/posts-data> (event and offer examples),
//! `accounts.locations.reviews` <https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews>
//! (Review, ReviewReply, the list's `averageRating`, `totalReviewCount`, `nextPageToken`), and
//! the common types `google.type.Date` and `google.type.TimeOfDay`; for the connect flow,
//! the Account Management API's `accounts.list` and the Business Information API's
//! `accounts.locations.list` (each type names its page).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A `LocalPost` as `localPosts.create` answers it, only what a publish reads (name, state,
/// search URL, creation time): the answer repeats the whole post (summary, call to action,
/// media), and reading less of it is a measurable part of a publish (`benches/publish.rs`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedLocalPost {
    /// `accounts/{a}/locations/{l}/localPosts/{p}`.
    #[serde(default)]
    pub name: String,
    /// `LIVE`, `REJECTED` or `PROCESSING`.
    #[serde(default)]
    pub state: Option<String>,
    /// The post on Google Search.
    #[serde(default)]
    pub search_url: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub create_time: Option<DateTime<Utc>>,
}

/// `LocalPost`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalPost {
    /// `accounts/{a}/locations/{l}/localPosts/{p}` (output).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The post's language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub language_code: String,
    /// The text (1,500 characters).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// `STANDARD`, `EVENT`, `OFFER` (`ALERT`, `PRODUCT` are not created by socialkit).
    #[serde(default)]
    pub topic_type: String,
    /// The button (ignored on offers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_to_action: Option<CallToAction>,
    /// Event data (events and offers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<LocalPostEvent>,
    /// Offer data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<LocalPostOffer>,
    /// Photos by URL (`sourceUrl` is the only field a LocalPost takes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaItem>,
    /// `LIVE`, `PROCESSING`, `REJECTED` (output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The post on Google Search (output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_url: Option<String>,
    /// Created (output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<DateTime<Utc>>,
}

/// `CallToAction`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToAction {
    /// `BOOK`, `ORDER`, `SHOP`, `LEARN_MORE`, `SIGN_UP`, `CALL`.
    pub action_type: String,
    /// Where the button goes (none for `CALL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `LocalPostEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalPostEvent {
    /// The event's name.
    pub title: String,
    /// When it runs, in the location's time.
    pub schedule: TimeInterval,
}

/// `TimeInterval`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeInterval {
    /// First day.
    pub start_date: Date,
    /// Start time.
    pub start_time: TimeOfDay,
    /// Last day.
    pub end_date: Date,
    /// End time.
    pub end_time: TimeOfDay,
}

/// `google.type.Date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day, 1–31.
    pub day: u32,
}

/// `google.type.TimeOfDay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeOfDay {
    /// 0–23.
    pub hours: u32,
    /// 0–59.
    pub minutes: u32,
    /// 0–59.
    #[serde(default)]
    pub seconds: u32,
    /// Nanoseconds.
    #[serde(default)]
    pub nanos: u32,
}

/// `LocalPostOffer`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalPostOffer {
    /// The code to use in store or online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    /// Where to redeem online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeem_online_url: Option<String>,
    /// Terms and conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_conditions: Option<String>,
}

/// `MediaItem` as a LocalPost takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaItem {
    /// `PHOTO`.
    pub media_format: String,
    /// A public URL Google fetches.
    pub source_url: String,
}

/// `localPosts.list` answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalPostList {
    /// The page.
    #[serde(default)]
    pub local_posts: Vec<LocalPost>,
    /// The next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// `Review`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// `accounts/{a}/locations/{l}/reviews/{r}`.
    #[serde(default)]
    pub name: String,
    /// The review id.
    #[serde(default)]
    pub review_id: String,
    /// Who wrote it.
    #[serde(default)]
    pub reviewer: Reviewer,
    /// `ONE` … `FIVE` (`STAR_RATING_UNSPECIFIED`).
    #[serde(default)]
    pub star_rating: String,
    /// The text (absent for a rating without words).
    #[serde(default)]
    pub comment: Option<String>,
    /// Written.
    #[serde(default)]
    pub create_time: Option<DateTime<Utc>>,
    /// Last changed.
    #[serde(default)]
    pub update_time: Option<DateTime<Utc>>,
    /// The owner's reply.
    #[serde(default)]
    pub review_reply: Option<ReviewReply>,
}

/// `Reviewer`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reviewer {
    /// The name shown.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The photo.
    #[serde(default)]
    pub profile_photo_url: Option<String>,
    /// Anonymous reviewer.
    #[serde(default)]
    pub is_anonymous: bool,
}

/// `ReviewReply`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewReply {
    /// The reply text (4,096 bytes).
    #[serde(default)]
    pub comment: String,
    /// Last changed (output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<DateTime<Utc>>,
}

/// `reviews.list` answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewList {
    /// The page, newest first with `orderBy=updateTime desc`.
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// Average star rating of all reviews, 1–5.
    #[serde(default)]
    pub average_rating: Option<f64>,
    /// How many reviews the location has.
    #[serde(default)]
    pub total_review_count: Option<u64>,
    /// The next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// Account Management API `accounts.list` answer
/// (<https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts/list>).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountList {
    /// The accounts the user owns or manages, the personal one first.
    #[serde(default)]
    pub accounts: Vec<BusinessAccount>,
    /// The next page (20 accounts a page at most).
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// An `Account` of the Account Management API
/// (<https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts#Account>).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessAccount {
    /// `accounts/{accountId}`.
    #[serde(default)]
    pub name: String,
    /// The account's name as shown.
    #[serde(default)]
    pub account_name: Option<String>,
    /// `PERSONAL`, `LOCATION_GROUP`, `USER_GROUP` or `ORGANIZATION`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// Business Information API `accounts.locations.list` answer
/// (<https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations/list>).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationList {
    /// The locations, with the fields of the request's `readMask`.
    #[serde(default)]
    pub locations: Vec<BusinessLocation>,
    /// The next page (100 locations a page at most).
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A `Location` of the Business Information API, with the fields socialkit asks for
/// (`readMask=name,title,languageCode`;
/// <https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations#Location>).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessLocation {
    /// `locations/{locationId}`.
    #[serde(default)]
    pub name: String,
    /// The business name.
    #[serde(default)]
    pub title: Option<String>,
    /// The location's language (BCP 47).
    #[serde(default)]
    pub language_code: Option<String>,
}
