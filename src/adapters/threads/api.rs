//! Wire types of the Threads API (the fields socialkit asks for). Every field is optional or
//! defaulted: a partial answer never panics.
//!
//! # Endpoints and sources
//!
//! | Endpoint | Source |
//! |---|---|
//! | `POST /{user-id}/threads` (`media_type`, `text`, `reply_to_id`, …), `POST /{user-id}/threads_publish` | <https://developers.facebook.com/documentation/threads/reference/publishing>, <https://developers.facebook.com/documentation/threads/retrieve-and-manage-replies/create-replies> (verified) |
//! | `GET /{user-id}?fields=``USER_FIELDS`, `GET /{user-id}/threads_insights` | <https://developers.facebook.com/docs/threads/threads-profiles> (unverified) |
//! | `GET /{user-id}/threads`, `/replies`, `/{media-id}/conversation` (`fields=``POST_FIELDS`) | <https://developers.facebook.com/docs/threads/retrieve-and-discover-posts> (unverified) |
//! | `GET /{media-id}/insights?metric=``INSIGHT_METRICS` | <https://developers.facebook.com/docs/threads/insights> (unverified) |
//! | `GET /keyword_search?fields=``SEARCH_FIELDS` | <https://developers.facebook.com/docs/threads/keyword-search> (unverified) |
//! | `GET /{user-id}/threads_publishing_limit?fields=``LIMIT_FIELDS` | <https://developers.facebook.com/docs/threads/troubleshooting> (unverified) |
//!
//! Every endpoint with its status: `docs/api-audit.md`.

use serde::Deserialize;

use crate::adapters::graph::api::{From, id_string};

/// The fields `channel()` reads from `GET /{user-id}`.
pub(crate) const USER_FIELDS: &str =
    "id,username,name,threads_profile_picture_url,threads_biography";

/// The fields read for a listed post or reply.
pub(crate) const POST_FIELDS: &str = "id,text,timestamp,permalink,username,replied_to";

/// The fields read for a post found by `GET /keyword_search` (the `owner` field is never
/// returned there).
pub(crate) const SEARCH_FIELDS: &str = "id,text,media_type,permalink,timestamp,username";

/// The post insights read.
pub(crate) const INSIGHT_METRICS: &str = "views,likes,replies,reposts,quotes";

/// The publishing limit fields (posts and replies).
pub(crate) const LIMIT_FIELDS: &str = "quota_usage,config,reply_quota_usage,reply_config";

/// `GET /{user-id}?fields=…`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub threads_profile_picture_url: Option<String>,
    #[serde(default)]
    pub threads_biography: Option<String>,
}

/// A post or reply.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Thread {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub permalink: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub replied_to: Option<From>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_tolerate_missing_fields() {
        let t: Thread = serde_json::from_str(r#"{"id":"1","replied_to":{"id":"0"}}"#).unwrap();
        assert_eq!(t.replied_to.unwrap().id.as_deref(), Some("0"));
        assert!(serde_json::from_str::<Thread>(r#"{"text":"no id"}"#).is_err());
    }
}
