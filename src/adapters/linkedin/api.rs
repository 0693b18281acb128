//! LinkedIn REST wire types (Posts, Images/Documents/Videos, Comments, Social Metadata,
//! share statistics). Optional wherever LinkedIn may leave a field out.
//!
//! # Endpoints and sources
//!
//! | Endpoint | Types | Source |
//! |---|---|---|
//! | `POST /rest/posts` | [`NewPost`] → 201, URN in `x-restli-id` | <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api> (verified) |
//! | `GET /rest/posts?q=author` (`X-RestLi-Method: FINDER`), `GET`/`DELETE /rest/posts/{urn}` (`X-RestLi-Method: DELETE`) | → [`Collection`]<[`PostEntity`]> | posts-api (verified); the Rest.li method header as linkedin-developers/linkedin-api-js-client `lib/utils/api-utils.ts` sends it |
//! | `POST /rest/{images,documents,videos}?action=initializeUpload`, `?action=finalizeUpload`; `GET /rest/{kind}/{urn}` | → [`Wrapped`]<[`UploadInit`]> ([`UploadInstruction`]); [`Asset`] | <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api>, `videos-api`, `documents-api` (verified) |
//! | `POST`/`GET`/`DELETE /{rest,v2}/socialActions/{target}/comments[/{id}]` | → [`Comment`], [`Collection`]<[`Comment`]> | <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api> (verified; nested target = parent comment as independent clients send it; `/v2` answers name the URN `$URN`) |
//! | `GET /rest/socialMetadata/{urn}` | → [`SocialMetadata`] | social-metadata-api (endpoint verified, sample body not) |
//! | `GET /rest/organizationalEntityShareStatistics` | → [`Collection`]<[`ShareStatistics`]> ([`Totals`]) | <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics> (endpoint verified; field names from a client library) |
//!
//! Every endpoint with its status and the audit's changes: `docs/api-audit.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /rest/posts` body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPost {
    /// Author URN.
    pub author: String,
    /// Little-text commentary.
    pub commentary: String,
    /// `PUBLIC`.
    pub visibility: String,
    /// Feed distribution.
    pub distribution: Value,
    /// `PUBLISHED`.
    pub lifecycle_state: String,
    /// Reshares allowed.
    pub is_reshare_disabled_by_author: bool,
    /// Media, multi-image or article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<Value>,
}

/// A post as `GET /rest/posts` returns it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostEntity {
    /// The post URN.
    #[serde(default)]
    pub id: String,
    /// Author URN.
    #[serde(default)]
    pub author: String,
    /// Commentary (little text).
    #[serde(default)]
    pub commentary: String,
    /// Creation time, epoch ms.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// Publication time, epoch ms.
    #[serde(default)]
    pub published_at: Option<i64>,
}

/// A collection answer (`elements` + `paging`).
#[derive(Debug, Clone, Deserialize)]
pub struct Collection<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub elements: Vec<T>,
}

/// `value` of an `initializeUpload` answer (images, documents, videos).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadInit {
    /// Upload URL (images, documents).
    #[serde(default)]
    pub upload_url: Option<String>,
    /// Image URN.
    #[serde(default)]
    pub image: Option<String>,
    /// Document URN.
    #[serde(default)]
    pub document: Option<String>,
    /// Video URN.
    #[serde(default)]
    pub video: Option<String>,
    /// Video byte ranges to PUT.
    #[serde(default)]
    pub upload_instructions: Vec<UploadInstruction>,
    /// Video upload token (often empty).
    #[serde(default)]
    pub upload_token: Option<String>,
}

/// One byte range of a video upload.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadInstruction {
    /// Where to PUT it.
    pub upload_url: String,
    /// First byte (inclusive).
    pub first_byte: u64,
    /// Last byte (inclusive).
    pub last_byte: u64,
}

/// `{"value": …}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Wrapped<T> {
    /// The value.
    pub value: T,
}

/// A media asset's state (`GET /rest/{images|documents|videos}/{urn}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Asset {
    /// `WAITING_UPLOAD`, `PROCESSING`, `AVAILABLE`, `PROCESSING_FAILED`.
    #[serde(default)]
    pub status: String,
}

/// A comment.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// Comment id.
    #[serde(default)]
    pub id: String,
    /// Comment URN (`urn:li:comment:(urn:li:activity:1,2)`; the unversioned `/v2` API names
    /// it `$URN`).
    #[serde(default, alias = "$URN")]
    pub comment_urn: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub actor: String,
    /// The post it is on.
    #[serde(default)]
    pub object: Option<String>,
    /// Its text.
    #[serde(default)]
    pub message: Option<Message>,
    /// When.
    #[serde(default)]
    pub created: Option<Stamp>,
    /// The comment it answers.
    #[serde(default)]
    pub parent_comment: Option<String>,
}

/// A comment's text.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Message {
    /// The text.
    #[serde(default)]
    pub text: String,
}

/// An audit stamp.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Stamp {
    /// Epoch ms.
    #[serde(default)]
    pub time: i64,
}

/// `GET /rest/socialMetadata/{urn}` (Social Metadata API:
/// <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/social-metadata-api>;
/// the stored copies confirm the endpoint and its summaries of reactions and comments, but not
/// the sample body, so every field here is optional and an absent one reads as 0).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SocialMetadata {
    /// Reactions by type.
    #[serde(default)]
    pub reaction_summaries: BTreeMap<String, ReactionSummary>,
    /// Comments.
    #[serde(default)]
    pub comment_summary: Option<CommentSummary>,
}

impl SocialMetadata {
    /// All reactions.
    pub fn reactions(&self) -> u64 {
        self.reaction_summaries.values().map(|r| r.count).sum()
    }
}

/// Count of one reaction type.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReactionSummary {
    /// How many.
    #[serde(default)]
    pub count: u64,
}

/// Comment counts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentSummary {
    /// All comments.
    #[serde(default)]
    pub count: u64,
}

/// One element of `organizationalEntityShareStatistics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareStatistics {
    /// `urn:li:share:…` posts.
    #[serde(default)]
    pub share: Option<String>,
    /// `urn:li:ugcPost:…` posts.
    #[serde(default)]
    pub ugc_post: Option<String>,
    /// The counts.
    #[serde(default)]
    pub total_share_statistics: Totals,
}

/// Share statistics counts (`totalShareStatistics`: `impressionCount`, `uniqueImpressionsCount`,
/// `clickCount`, `likeCount`, `commentCount`, `shareCount`, `engagement` — the names LinkedIn's
/// organization share statistics use, as client libraries read them, e.g. MemberJunction's
/// `LinkedInAnalytics`; every count optional: `None` = not reported).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Impressions.
    #[serde(default)]
    pub impression_count: Option<u64>,
    /// Unique impressions (reach).
    #[serde(default)]
    pub unique_impressions_count: Option<u64>,
    /// Clicks.
    #[serde(default)]
    pub click_count: Option<u64>,
    /// Reshares.
    #[serde(default)]
    pub share_count: Option<u64>,
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn module() {
        use crate::adapters::linkedin::api::SocialMetadata;
        let m: SocialMetadata = serde_json::from_str(r#"{
          "reactionSummaries": {"LIKE": {"reactionType": "LIKE", "count": 3}, "PRAISE": {"count": 2}},
          "commentSummary": {"count": 4, "topLevelCount": 3}
        }"#).unwrap();
        assert_eq!(m.reactions(), 5);
    }
}
