//! Wire types of the Instagram Graph API (the fields socialkit asks for). Every field is
//! optional or defaulted: a partial answer never panics.
//!
//! # Endpoints and sources
//!
//! | Endpoint | Source |
//! |---|---|
//! | `POST /{ig-user-id}/media`, `GET /{container}?fields=status_code`, `POST /{ig-user-id}/media_publish`, `GET /{ig-user-id}/content_publishing_limit?fields=``LIMIT_FIELDS` | <https://developers.facebook.com/docs/instagram-api/guides/content-publishing>, <https://developers.facebook.com/documentation/instagram-platform/instagram-graph-api/reference/ig-user/media_publish> (verified) |
//! | `GET /{ig-user-id}?fields=``USER_FIELDS` | <https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user> (unverified field list) |
//! | `GET /{ig-user-id}/media?fields=``MEDIA_FIELDS` | <https://developers.facebook.com/docs/graph-api/reference/shadow-ig-user/media> (verified edge) |
//! | `GET /{media-id}/comments?fields=``COMMENT_FIELDS`, `POST /{media-id}/comments`, `POST /{comment-id}/replies` | <https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments> (unverified) |
//! | `GET /{media-id}/insights?metric=``INSIGHT_METRICS` | <https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/insights> (unverified) |
//! | `GET /ig_hashtag_search`, `GET /{hashtag-id}/recent_media?fields=``SEARCH_FIELDS` | <https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-hashtag-search> (unverified) |
//!
//! Every endpoint with its status: `docs/api-audit.md`.

use serde::Deserialize;

use crate::adapters::graph::api::{From, List, id_string, opt_count};

/// The fields `channel()` reads from `GET /{ig-user-id}`.
pub(crate) const USER_FIELDS: &str = "id,username,name,biography,profile_picture_url,website,followers_count,follows_count,media_count";

/// The fields read for a listed media.
pub(crate) const MEDIA_FIELDS: &str = "id,caption,timestamp,permalink,comments_count";

/// The fields read for a comment, with its replies.
pub(crate) const COMMENT_FIELDS: &str = "id,text,timestamp,username,from{id,username},replies{id,text,timestamp,username,from{id,username}}";

/// The fields read for a media found by hashtag (`recent_media` never returns `username`).
pub(crate) const SEARCH_FIELDS: &str =
    "id,caption,media_type,permalink,timestamp,like_count,comments_count";

/// The media insights read (Postiz, Graph v21+).
pub(crate) const INSIGHT_METRICS: &str = "views,reach,saved,likes,comments,shares";

/// The publishing limit fields.
pub(crate) const LIMIT_FIELDS: &str = "quota_usage,config";

/// `GET /{ig-user-id}?fields=…`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub biography: Option<String>,
    #[serde(default)]
    pub profile_picture_url: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default, deserialize_with = "opt_count")]
    pub followers_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_count")]
    pub follows_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_count")]
    pub media_count: Option<u64>,
}

/// A media of the account (or one found by hashtag).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct MediaItem {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub permalink: Option<String>,
    #[serde(default, deserialize_with = "opt_count")]
    pub comments_count: Option<u64>,
}

/// The counts on a media (`like_count`, `comments_count`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct MediaCounts {
    #[serde(default, deserialize_with = "opt_count")]
    pub like_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_count")]
    pub comments_count: Option<u64>,
}

/// A comment with its first page of replies.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Comment {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub from: Option<From>,
    #[serde(default)]
    pub replies: Option<List<Comment>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_with_and_without_replies() {
        let c: Comment = serde_json::from_str(
            r#"{"id":"1","text":"hi","replies":{"data":[{"id":"2","text":"yo","from":{"id":"9","username":"bob"}}]}}"#,
        )
        .unwrap();
        assert_eq!(
            c.replies.unwrap().data[0]
                .from
                .as_ref()
                .unwrap()
                .username
                .as_deref(),
            Some("bob")
        );
        let bare: Comment = serde_json::from_str(r#"{"id":3}"#).unwrap();
        assert!(bare.replies.is_none() && bare.text.is_none());
    }
}
