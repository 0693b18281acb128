//! Wire types of the Facebook Pages API (the fields socialkit asks for). Every field is
//! optional or defaulted: a partial answer never panics.
//!
//! # Endpoints and sources
//!
//! | Endpoint | Types | Source |
//! |---|---|---|
//! | `GET /{page-id}?fields=``PAGE_FIELDS` | `PageInfo` | <https://developers.facebook.com/docs/graph-api/reference/page> (verified) |
//! | `POST /{page-id}/feed`, `POST /{page-id}/photos` | → `{id}` | <https://developers.facebook.com/docs/pages/getting-started>, <https://developers.facebook.com/docs/graph-api/reference/page/feed> (verified); `/photos` unverified |
//! | `GET /{page-id}/posts?fields=``POST_FIELDS`, `GET /{post-id}` | `FeedPost` | <https://developers.facebook.com/docs/graph-api/reference/post> (verified) |
//! | `GET /{post-id}/comments?fields=``COMMENT_FIELDS`, `POST /{object-id}/comments` | `Comment` | <https://developers.facebook.com/docs/graph-api/reference/object/comments> (verified) |
//! | `GET /{post-id}?fields=``COUNT_FIELDS` | `Counts` | <https://developers.facebook.com/docs/graph-api/reference/v2.7/object/reactions> (verified: `reactions.summary(total_count)`) |
//! | `GET /{post-id}/insights?metric=``INSIGHT_METRICS` | graph `Insights` | <https://developers.facebook.com/docs/graph-api/reference/insights> (unverified metric names) |
//!
//! Every endpoint with its status: `docs/api-audit.md`.

use serde::Deserialize;

use crate::adapters::graph::api::{From, count, id_string, opt_count};

/// The fields `channel()` reads from `GET /{page-id}`.
pub(crate) const PAGE_FIELDS: &str =
    "id,name,username,link,about,website,picture{url},followers_count,fan_count";

/// The fields read for a listed post.
pub(crate) const POST_FIELDS: &str = "id,message,created_time,updated_time,permalink_url";

/// The fields read for a comment.
pub(crate) const COMMENT_FIELDS: &str =
    "id,message,created_time,from{id,name},parent{id},permalink_url";

/// The engagement counts of a post.
pub(crate) const COUNT_FIELDS: &str =
    "id,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares";

/// The post insights read (Meta replaced impressions with media views in 2025; reach is
/// `post_total_media_view_unique`).
pub(crate) const INSIGHT_METRICS: &str = "post_total_media_view_unique,post_clicks";

/// `GET /{page-id}?fields=…`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PageInfo {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub picture: Option<Picture>,
    #[serde(default, deserialize_with = "opt_count")]
    pub followers_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_count")]
    pub fan_count: Option<u64>,
}

/// `picture{url}` (Graph wraps it in `data`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Picture {
    #[serde(default)]
    pub data: Option<PictureData>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PictureData {
    #[serde(default)]
    pub url: Option<String>,
}

/// A post of the Page's feed.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FeedPost {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub created_time: Option<String>,
    #[serde(default)]
    pub updated_time: Option<String>,
    #[serde(default)]
    pub permalink_url: Option<String>,
}

/// A comment (or a reply to a comment, with `parent`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Comment {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub created_time: Option<String>,
    #[serde(default)]
    pub from: Option<From>,
    #[serde(default)]
    pub parent: Option<From>,
    #[serde(default)]
    pub permalink_url: Option<String>,
}

/// `reactions.summary(total_count)`, `comments.summary(total_count)` and `shares`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Counts {
    #[serde(default)]
    pub reactions: Option<Summarized>,
    #[serde(default)]
    pub comments: Option<Summarized>,
    #[serde(default)]
    pub shares: Option<serde_json::Value>,
}

impl Counts {
    /// Shares: Graph omits `shares` on a post nobody shared, which means zero.
    pub fn shares(&self) -> u64 {
        self.shares
            .as_ref()
            .and_then(|s| s.get("count"))
            .and_then(count)
            .unwrap_or(0)
    }
}

/// An edge with a summary.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Summarized {
    #[serde(default)]
    pub summary: Option<Summary>,
}

impl Summarized {
    pub fn total(&self) -> Option<u64> {
        self.summary.as_ref().and_then(|s| s.total_count)
    }
}

/// `summary.total_count`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Summary {
    #[serde(default, deserialize_with = "opt_count")]
    pub total_count: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tolerate_absent_parts() {
        let c: Counts = serde_json::from_str(r#"{"id":"1_2"}"#).unwrap();
        assert_eq!(c.shares(), 0);
        assert!(c.reactions.is_none());
        let c: Counts = serde_json::from_str(
            r#"{"reactions":{"data":[],"summary":{"total_count":"7"}},"comments":{"summary":{}},"shares":{"count":3}}"#,
        )
        .unwrap();
        assert_eq!(c.reactions.unwrap().total(), Some(7));
        assert_eq!(c.comments.unwrap().total(), None);
        assert_eq!(c.shares, Some(serde_json::json!({"count": 3})));
    }
}
