//! X API v2 wire types: what socialkit sends and the parts of the answers it reads. Every
//! field X may leave out is optional, so a sparse answer never fails to parse.
//!
//! # Endpoints and sources
//!
//! Every shape here follows X's API v2 reference; the full audit (what is verified, what is not)
//! is `docs/api-audit.md`.
//!
//! | Endpoint | Types | Source |
//! |---|---|---|
//! | `POST /2/tweets` | [`CreateTweet`] → [`Envelope`]<[`Created`]> | <https://docs.x.com/x-api/posts/creation-of-a-post> (verified: request and response example) |
//! | `DELETE /2/tweets/{id}` | → [`Envelope`]<[`Deleted`]> | <https://developer.x.com/en/docs/x-api/tweets/manage-tweets/api-reference/delete-tweets-id> (verified) |
//! | `GET /2/users/me` | → [`Envelope`]<[`User`]> | <https://docs.x.com/x-api/users/user-lookup-me> (unverified) |
//! | `GET /2/users/{id}/mentions`, `/2/users/{id}/tweets` | → [`Envelope`]<`Vec<`[`Tweet`]`>`> with [`Includes`], [`Meta`] | <https://docs.x.com/x-api/posts/timelines/quickstart/user-mention-quickstart> (verified: example answer) |
//! | `GET /2/tweets?ids=` | → [`Envelope`]<`Vec<`[`Tweet`]`>`> ([`TweetMetrics`]) | <https://docs.x.com/x-api/posts/post-lookup-by-post-ids> (unverified) |
//! | `GET /2/tweets/search/recent` | → [`Envelope`]<`Vec<`[`Tweet`]`>`> | <https://docs.x.com/x-api/posts/recent-search> (unverified) |
//! | `POST /2/media/upload/initialize`, `/{id}/append`, `/{id}/finalize`, `GET /2/media/upload?command=STATUS` | [`InitUpload`] → [`Envelope`]<[`MediaUpload`]> ([`ProcessingInfo`]) | xdevplatform/samples `Media Upload/media_upload_v2.py`; <https://docs.x.com/x-api/media/quickstart/media-upload-chunked> (verified) |
//! | `POST /2/media/metadata` | alt text | <https://docs.x.com/x-api/media/metadata-create> (unverified) |
//! | errors | [`Problem`] | <https://docs.x.com/x-api/fundamentals/response-codes-and-errors> (problem `type` URIs as in the create-post example's `errors`) |

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The envelope of every v2 answer.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T> {
    /// The result.
    #[serde(default = "Option::default")]
    pub data: Option<T>,
    /// Expanded objects (authors).
    #[serde(default)]
    pub includes: Includes,
    /// Partial errors.
    #[serde(default)]
    pub errors: Vec<Problem>,
    /// Paging facts.
    #[serde(default)]
    pub meta: Meta,
}

/// Expanded objects.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Includes {
    /// Users (`expansions=author_id`).
    #[serde(default)]
    pub users: Vec<User>,
}

/// Paging facts of a list answer.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Meta {
    /// Items in this page.
    #[serde(default)]
    pub result_count: Option<u64>,
    /// The token of the next (older) page.
    #[serde(default)]
    pub next_token: Option<String>,
}

/// A problem (error) object: in an error answer or in `errors[]` of a 200.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Problem {
    /// The problem type URI.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Short title.
    #[serde(default)]
    pub title: Option<String>,
    /// Details.
    #[serde(default)]
    pub detail: Option<String>,
    /// Legacy message.
    #[serde(default)]
    pub message: Option<String>,
    /// The resource the problem is about.
    #[serde(default)]
    pub resource_id: Option<String>,
}

/// A post.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Tweet {
    /// Its id.
    pub id: String,
    /// Its text.
    #[serde(default)]
    pub text: String,
    /// When it was created (`tweet.fields=created_at`).
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// The author's id.
    #[serde(default)]
    pub author_id: Option<String>,
    /// The conversation (thread root) id.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// Posts it replies to or quotes.
    #[serde(default)]
    pub referenced_tweets: Vec<Referenced>,
    /// Its language.
    #[serde(default)]
    pub lang: Option<String>,
    /// Public counts.
    #[serde(default)]
    pub public_metrics: Option<TweetMetrics>,
}

/// A referenced post.
#[derive(Debug, Clone, Deserialize)]
pub struct Referenced {
    /// `replied_to`, `quoted` or `retweeted`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its id.
    pub id: String,
}

/// `public_metrics` of a post.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TweetMetrics {
    /// Reposts.
    #[serde(default)]
    pub retweet_count: Option<u64>,
    /// Replies.
    #[serde(default)]
    pub reply_count: Option<u64>,
    /// Likes.
    #[serde(default)]
    pub like_count: Option<u64>,
    /// Quotes.
    #[serde(default)]
    pub quote_count: Option<u64>,
    /// Impressions.
    #[serde(default)]
    pub impression_count: Option<u64>,
    /// Bookmarks.
    #[serde(default)]
    pub bookmark_count: Option<u64>,
}

/// A user.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct User {
    /// Its id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Username (handle without `@`).
    #[serde(default)]
    pub username: String,
    /// Bio.
    #[serde(default)]
    pub description: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub profile_image_url: Option<String>,
    /// Website.
    #[serde(default)]
    pub url: Option<String>,
    /// Counts.
    #[serde(default)]
    pub public_metrics: Option<UserMetrics>,
}

/// `public_metrics` of a user. X's current schema says `post_count` where older answers say
/// `tweet_count`: both are read (two fields, not an alias, so an answer with both parses).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserMetrics {
    /// Followers.
    #[serde(default)]
    pub followers_count: Option<u64>,
    /// Following.
    #[serde(default)]
    pub following_count: Option<u64>,
    /// Posts (older name).
    #[serde(default)]
    pub tweet_count: Option<u64>,
    /// Posts (current name).
    #[serde(default)]
    pub post_count: Option<u64>,
}

impl UserMetrics {
    /// Posts, by either name.
    pub fn posts(&self) -> Option<u64> {
        self.post_count.or(self.tweet_count)
    }
}

/// `POST /2/tweets` body.
#[derive(Debug, Clone, Serialize)]
pub struct CreateTweet {
    /// The text (left out when empty, for a media-only post).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Attached media.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaIds>,
    /// The post replied to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyTo>,
}

/// `media` of a create.
#[derive(Debug, Clone, Serialize)]
pub struct MediaIds {
    /// Media ids (1–4).
    pub media_ids: Vec<String>,
}

/// `reply` of a create.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyTo {
    /// The post replied to.
    pub in_reply_to_tweet_id: String,
}

/// `data` of a create.
#[derive(Debug, Clone, Deserialize)]
pub struct Created {
    /// The new post's id.
    pub id: String,
    /// Its text as stored.
    #[serde(default)]
    pub text: String,
}

/// `data` of a delete.
#[derive(Debug, Clone, Deserialize)]
pub struct Deleted {
    /// Whether it was deleted.
    pub deleted: bool,
}

/// `POST /2/media/upload/initialize` body.
#[derive(Debug, Clone, Serialize)]
pub struct InitUpload {
    /// MIME type (`video/mp4`).
    pub media_type: String,
    /// Size in bytes.
    pub total_bytes: u64,
    /// `tweet_image`, `tweet_gif` or `tweet_video`.
    pub media_category: String,
}

/// `data` of the media upload calls.
#[derive(Debug, Clone, Deserialize)]
pub struct MediaUpload {
    /// The media id.
    pub id: String,
    /// Seconds until the id expires.
    #[serde(default)]
    pub expires_after_secs: Option<u64>,
    /// Present while the media is processed.
    #[serde(default)]
    pub processing_info: Option<ProcessingInfo>,
}

/// Processing state of uploaded media.
#[derive(Debug, Clone, Deserialize)]
pub struct ProcessingInfo {
    /// `pending`, `in_progress`, `succeeded` or `failed`.
    #[serde(default)]
    pub state: String,
    /// Seconds to wait before asking again.
    #[serde(default)]
    pub check_after_secs: Option<u64>,
    /// Progress.
    #[serde(default)]
    pub progress_percent: Option<u64>,
    /// Why processing failed.
    #[serde(default)]
    pub error: Option<ProcessingError>,
}

/// Why processing failed.
#[derive(Debug, Clone, Deserialize)]
pub struct ProcessingError {
    /// A name (`InvalidMedia`).
    #[serde(default)]
    pub name: Option<String>,
    /// A message.
    #[serde(default)]
    pub message: Option<String>,
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn module() {
        use crate::adapters::x::api::{Envelope, Tweet};
        let e: Envelope<Vec<Tweet>> = serde_json::from_str(r#"{
          "data": [{"id": "1", "text": "hi", "public_metrics": {"like_count": 3}}],
          "errors": [{"resource_id": "2", "type": "https://api.x.com/2/problems/resource-not-found"}]
        }"#).unwrap();
        assert_eq!(
            e.data.unwrap()[0]
                .public_metrics
                .as_ref()
                .unwrap()
                .like_count,
            Some(3)
        );
        assert_eq!(e.errors.len(), 1);
    }
}
