//! Serde wire types of the XRPC methods and lexicon records the Bluesky adapter uses.
//!
//! Sources: the lexicons in bluesky-social/atproto, `lexicons/com/atproto/server/createSession.json`
//! ([`CreateSessionInput`], [`SessionOutput`]), `lexicons/com/atproto/repo/createRecord.json`,
//! `deleteRecord.json`, `getRecord.json`, `listRecords.json`, `uploadBlob.json`,
//! `lexicons/app/bsky/feed/post.json` ([`PostRecord`]), `lexicons/app/bsky/richtext/facet.json`
//! ([`Facet`], byte offsets in UTF-8), `lexicons/app/bsky/embed/*.json` ([`Embed`]),
//! `lexicons/app/bsky/notification/listNotifications.json`, `lexicons/app/bsky/feed/getAuthorFeed.json`,
//! `getPosts.json`, `searchPosts.json`, `lexicons/app/bsky/actor/getProfile.json`; errors
//! <https://atproto.com/specs/xrpc> ([`XrpcError`]). Per-endpoint status: `docs/api-audit.md`.
//!
//! Names follow the lexicons (`com.atproto.*`, `app.bsky.*`); fields are camelCase on the
//! wire. Every response type tolerates missing optional fields and ignores unknown ones, so
//! a newer PDS or AppView does not break parsing. Tokens arrive as plain strings here and are
//! moved into [`Secret`](crate::auth::Secret)s by the session code at once; the types that
//! carry them print `***` in `Debug`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The collection of Bluesky posts.
pub const POST_COLLECTION: &str = "app.bsky.feed.post";
/// The `$type` of a post record.
pub const POST_TYPE: &str = "app.bsky.feed.post";
/// The collection of the profile record (`rkey` = `self`).
pub const PROFILE_COLLECTION: &str = "app.bsky.actor.profile";

/// An XRPC error body: `{"error": "<Name>", "message": "..."}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct XrpcError {
    /// The error name from the method's lexicon (`ExpiredToken`, `InvalidRequest` …).
    #[serde(default)]
    pub error: Option<String>,
    /// A message for people.
    #[serde(default)]
    pub message: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// com.atproto.server.createSession / refreshSession

/// Input of `com.atproto.server.createSession`. `Debug` hides the password.
#[derive(Clone, Serialize, Deserialize)]
pub struct CreateSessionInput {
    /// A handle, email or DID.
    pub identifier: String,
    /// The app password.
    pub password: String,
}

impl fmt::Debug for CreateSessionInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateSessionInput")
            .field("identifier", &self.identifier)
            .field("password", &"***")
            .finish()
    }
}

/// Output of `createSession` and `refreshSession`. `Debug` hides both tokens.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionOutput {
    /// The access token (a JWT).
    pub access_jwt: String,
    /// The refresh token (a JWT).
    pub refresh_jwt: String,
    /// The account's handle.
    pub handle: String,
    /// The account's DID.
    pub did: String,
    /// Whether the account is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The account status when not active (`takendown`, `suspended`, `deactivated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl fmt::Debug for SessionOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionOutput")
            .field("access_jwt", &"***")
            .field("refresh_jwt", &"***")
            .field("handle", &self.handle)
            .field("did", &self.did)
            .field("active", &self.active)
            .field("status", &self.status)
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Records

/// `com.atproto.repo.strongRef`: a record's AT-URI and the CID of the exact version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrongRef {
    /// The AT-URI.
    pub uri: String,
    /// The CID.
    pub cid: String,
}

/// `app.bsky.feed.post#replyRef`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRef {
    /// The first post of the thread.
    pub root: StrongRef,
    /// The post replied to.
    pub parent: StrongRef,
}

/// `app.bsky.richtext.facet#byteSlice`: UTF-8 byte offsets, start inclusive, end exclusive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ByteSlice {
    /// Start (inclusive).
    pub byte_start: usize,
    /// End (exclusive).
    pub byte_end: usize,
}

/// A facet feature (the union of `app.bsky.richtext.facet#mention|#link|#tag`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type")]
pub enum FacetFeature {
    /// A mention of an account, by DID.
    #[serde(rename = "app.bsky.richtext.facet#mention")]
    Mention {
        /// The account's DID.
        did: String,
    },
    /// A link.
    #[serde(rename = "app.bsky.richtext.facet#link")]
    Link {
        /// The full URL.
        uri: String,
    },
    /// A hashtag, without `#`.
    #[serde(rename = "app.bsky.richtext.facet#tag")]
    Tag {
        /// The tag.
        tag: String,
    },
}

/// `app.bsky.richtext.facet`: an annotation of a byte range of the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facet {
    /// The byte range.
    pub index: ByteSlice,
    /// What the range is.
    pub features: Vec<FacetFeature>,
}

impl Facet {
    /// A facet with one feature over `byte_start..byte_end`.
    pub fn new(byte_start: usize, byte_end: usize, feature: FacetFeature) -> Self {
        Facet {
            index: ByteSlice {
                byte_start,
                byte_end,
            },
            features: vec![feature],
        }
    }
}

/// A CID link: `{"$link": "<cid>"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidLink {
    /// The CID.
    #[serde(rename = "$link")]
    pub link: String,
}

/// A blob reference as `uploadBlob` returns it and records embed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobRef {
    /// Always `"blob"`.
    #[serde(rename = "$type", default = "blob_type")]
    pub kind: String,
    /// The blob's CID.
    #[serde(rename = "ref")]
    pub reference: CidLink,
    /// The MIME type.
    pub mime_type: String,
    /// The size in bytes.
    pub size: u64,
}

fn blob_type() -> String {
    "blob".to_string()
}

/// Output of `com.atproto.repo.uploadBlob`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadBlobOutput {
    /// The uploaded blob.
    pub blob: BlobRef,
}

/// `app.bsky.embed.defs#aspectRatio`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AspectRatio {
    /// Width (≥ 1).
    pub width: u32,
    /// Height (≥ 1).
    pub height: u32,
}

/// `app.bsky.embed.images#image`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageEmbed {
    /// The image blob.
    pub image: BlobRef,
    /// Alt text; the lexicon requires the field, it may be empty.
    pub alt: String,
    /// The aspect ratio, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
}

/// `app.bsky.embed.external#external`: a link card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct External {
    /// The URL.
    pub uri: String,
    /// The card's title.
    pub title: String,
    /// The card's description.
    pub description: String,
    /// A thumbnail blob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb: Option<BlobRef>,
}

/// The embed union of a post (the kinds socialkit writes; others are read as `Other`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "$type")]
pub enum Embed {
    /// Up to four images.
    #[serde(rename = "app.bsky.embed.images")]
    Images {
        /// The images.
        images: Vec<ImageEmbed>,
    },
    /// A link card.
    #[serde(rename = "app.bsky.embed.external")]
    External {
        /// The card.
        external: External,
    },
    /// One video.
    #[serde(rename = "app.bsky.embed.video", rename_all = "camelCase")]
    Video {
        /// The mp4 blob.
        video: BlobRef,
        /// Alt text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alt: Option<String>,
        /// The aspect ratio.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        aspect_ratio: Option<AspectRatio>,
    },
    /// A quote of another record.
    #[serde(rename = "app.bsky.embed.record")]
    Record {
        /// The quoted record.
        record: StrongRef,
    },
    /// Any other embed (read only).
    #[serde(other)]
    Other,
}

/// An `app.bsky.feed.post` record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostRecord {
    /// Always `app.bsky.feed.post`.
    #[serde(rename = "$type", default = "post_type")]
    pub kind: String,
    /// The text (≤ 300 graphemes, ≤ 3000 UTF-8 bytes).
    #[serde(default)]
    pub text: String,
    /// When the post was created (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// Rich-text annotations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<Facet>,
    /// The thread position when the post is a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyRef>,
    /// Images, a video, a link card or a quote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embed: Option<Embed>,
    /// Languages (≤ 3, BCP-47).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub langs: Vec<String>,
}

fn post_type() -> String {
    POST_TYPE.to_string()
}

impl Default for PostRecord {
    fn default() -> Self {
        PostRecord {
            kind: post_type(),
            text: String::new(),
            created_at: String::new(),
            facets: Vec::new(),
            reply: None,
            embed: None,
            langs: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// com.atproto.repo.*

/// Input of `com.atproto.repo.createRecord` for a post.
#[derive(Debug, Clone, Serialize)]
pub struct CreateRecordInput<'a> {
    /// The DID of the repo.
    pub repo: &'a str,
    /// The collection NSID.
    pub collection: &'a str,
    /// The record key chosen by the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rkey: Option<&'a str>,
    /// The record.
    pub record: &'a PostRecord,
}

/// Output of `createRecord`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRecordOutput {
    /// The new record's AT-URI.
    pub uri: String,
    /// The new record's CID.
    pub cid: String,
    /// `valid` or `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_status: Option<String>,
}

/// Input of `com.atproto.repo.deleteRecord`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeleteRecordInput {
    /// The DID of the repo.
    pub repo: String,
    /// The collection.
    pub collection: String,
    /// The record key.
    pub rkey: String,
}

/// A commit reference (`com.atproto.repo.defs#commitMeta`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitMeta {
    /// The commit's CID.
    pub cid: String,
    /// The repo revision.
    pub rev: String,
}

/// Output of `deleteRecord`. The reference PDS leaves `commit` out when there was nothing to
/// delete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteRecordOutput {
    /// The commit that deleted the record.
    #[serde(default)]
    pub commit: Option<CommitMeta>,
}

/// Output of `getRecord`, and one item of `listRecords`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordOutput<T> {
    /// The AT-URI.
    pub uri: String,
    /// The CID (optional in `getRecord`'s lexicon).
    #[serde(default)]
    pub cid: Option<String>,
    /// The record.
    pub value: T,
}

/// Output of `com.atproto.repo.listRecords`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListRecordsOutput<T> {
    /// Where to continue (older records).
    #[serde(default)]
    pub cursor: Option<String>,
    /// The records, in reverse record-key order.
    #[serde(default = "Vec::new")]
    pub records: Vec<RecordOutput<T>>,
}

/// Output of `com.atproto.identity.resolveHandle`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveHandleOutput {
    /// The DID.
    pub did: String,
}

/// An `app.bsky.actor.profile` record (the fields socialkit reads).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRecord {
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The bio.
    #[serde(default)]
    pub description: Option<String>,
    /// The avatar blob.
    #[serde(default)]
    pub avatar: Option<BlobRef>,
}

// ---------------------------------------------------------------------------------------------
// app.bsky.* (AppView, proxied by the PDS)

/// `app.bsky.actor.defs#profileViewBasic` (the fields socialkit reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileViewBasic {
    /// The DID.
    pub did: String,
    /// The handle.
    #[serde(default)]
    pub handle: String,
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// `app.bsky.actor.defs#profileViewDetailed` (the fields socialkit reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileViewDetailed {
    /// The DID.
    pub did: String,
    /// The handle.
    #[serde(default)]
    pub handle: String,
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The bio.
    #[serde(default)]
    pub description: Option<String>,
    /// The avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
    /// Followers.
    #[serde(default)]
    pub followers_count: Option<u64>,
    /// Accounts followed.
    #[serde(default)]
    pub follows_count: Option<u64>,
    /// Posts.
    #[serde(default)]
    pub posts_count: Option<u64>,
}

/// `app.bsky.notification.listNotifications#notification`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The AT-URI of the record that caused it (the like, the reply …).
    pub uri: String,
    /// That record's CID.
    #[serde(default)]
    pub cid: String,
    /// Who.
    pub author: ProfileViewBasic,
    /// `like`, `repost`, `follow`, `mention`, `reply`, `quote`, …
    pub reason: String,
    /// The subject (for likes, reposts, replies and quotes: the channel's post).
    #[serde(default)]
    pub reason_subject: Option<String>,
    /// The record itself.
    #[serde(default)]
    pub record: serde_json::Value,
    /// Whether the channel has seen it.
    #[serde(default)]
    pub is_read: bool,
    /// When the AppView indexed it (the order of the list).
    pub indexed_at: String,
}

/// Output of `app.bsky.notification.listNotifications`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListNotificationsOutput {
    /// Where to continue (older notifications).
    #[serde(default)]
    pub cursor: Option<String>,
    /// Newest first.
    #[serde(default)]
    pub notifications: Vec<Notification>,
}

/// `app.bsky.feed.defs#postView` (the fields socialkit reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostView {
    /// The AT-URI.
    pub uri: String,
    /// The CID.
    #[serde(default)]
    pub cid: String,
    /// The author.
    #[serde(default)]
    pub author: ProfileViewBasic,
    /// The record.
    #[serde(default)]
    pub record: serde_json::Value,
    /// Replies.
    #[serde(default)]
    pub reply_count: Option<u64>,
    /// Reposts.
    #[serde(default)]
    pub repost_count: Option<u64>,
    /// Likes.
    #[serde(default)]
    pub like_count: Option<u64>,
    /// Quotes.
    #[serde(default)]
    pub quote_count: Option<u64>,
    /// Bookmarks.
    #[serde(default)]
    pub bookmark_count: Option<u64>,
    /// When indexed.
    #[serde(default)]
    pub indexed_at: Option<String>,
}

/// `app.bsky.feed.defs#feedViewPost` (the fields socialkit reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedViewPost {
    /// The post.
    pub post: PostView,
    /// Why it is in the feed when it is not simply the author's post (a repost, a pin).
    #[serde(default)]
    pub reason: Option<serde_json::Value>,
}

/// Output of `app.bsky.feed.getAuthorFeed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorFeedOutput {
    /// Where to continue (older posts).
    #[serde(default)]
    pub cursor: Option<String>,
    /// Newest first.
    #[serde(default)]
    pub feed: Vec<FeedViewPost>,
}

/// Output of `app.bsky.feed.getPosts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetPostsOutput {
    /// The posts found (deleted or invisible ones are left out).
    #[serde(default)]
    pub posts: Vec<PostView>,
}

/// The subset of any record socialkit reads from notifications (`text`, `reply`, `langs`,
/// `subject`, `embed`), parsed leniently.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LooseRecord {
    /// `$type`.
    #[serde(rename = "$type", default)]
    pub kind: Option<String>,
    /// A post's text.
    #[serde(default)]
    pub text: Option<String>,
    /// A post's reply refs.
    #[serde(default)]
    pub reply: Option<ReplyRef>,
    /// A post's languages.
    #[serde(default)]
    pub langs: Vec<String>,
    /// A like's or repost's subject.
    #[serde(default)]
    pub subject: Option<serde_json::Value>,
    /// When created.
    #[serde(default)]
    pub created_at: Option<String>,
}

impl LooseRecord {
    /// Parses any JSON value leniently (fields of the wrong type become absent).
    pub fn from_value(value: &serde_json::Value) -> LooseRecord {
        let get_str = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
        LooseRecord {
            kind: get_str("$type"),
            text: get_str("text"),
            reply: value
                .get("reply")
                .and_then(|r| serde_json::from_value(r.clone()).ok()),
            langs: value
                .get("langs")
                .and_then(|l| l.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            subject: value.get("subject").cloned(),
            created_at: get_str("createdAt"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn post_record_matches_the_lexicon_shape() {
        let blob = BlobRef {
            kind: "blob".into(),
            reference: CidLink {
                link: "bafkrei".into(),
            },
            mime_type: "image/png".into(),
            size: 15,
        };
        let record = PostRecord {
            text: "see https://example.com #rust".into(),
            created_at: "2026-11-28T00:00:00.000Z".into(),
            facets: vec![
                Facet::new(
                    4,
                    23,
                    FacetFeature::Link {
                        uri: "https://example.com".into(),
                    },
                ),
                Facet::new(24, 29, FacetFeature::Tag { tag: "rust".into() }),
            ],
            reply: Some(ReplyRef {
                root: StrongRef {
                    uri: "at://a/app.bsky.feed.post/1".into(),
                    cid: "c1".into(),
                },
                parent: StrongRef {
                    uri: "at://a/app.bsky.feed.post/2".into(),
                    cid: "c2".into(),
                },
            }),
            embed: Some(Embed::Images {
                images: vec![ImageEmbed {
                    image: blob,
                    alt: "".into(),
                    aspect_ratio: Some(AspectRatio {
                        width: 4,
                        height: 3,
                    }),
                }],
            }),
            langs: vec!["en".into()],
            ..PostRecord::default()
        };
        let v = serde_json::to_value(&record).unwrap();
        assert_eq!(
            v,
            json!({
                "$type": "app.bsky.feed.post",
                "text": "see https://example.com #rust",
                "createdAt": "2026-11-28T00:00:00.000Z",
                "facets": [
                    {"index": {"byteStart": 4, "byteEnd": 23},
                     "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"}]},
                    {"index": {"byteStart": 24, "byteEnd": 29},
                     "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "rust"}]}
                ],
                "reply": {
                    "root": {"uri": "at://a/app.bsky.feed.post/1", "cid": "c1"},
                    "parent": {"uri": "at://a/app.bsky.feed.post/2", "cid": "c2"}
                },
                "embed": {
                    "$type": "app.bsky.embed.images",
                    "images": [{
                        "image": {"$type": "blob", "ref": {"$link": "bafkrei"}, "mimeType": "image/png", "size": 15},
                        "alt": "",
                        "aspectRatio": {"width": 4, "height": 3}
                    }]
                },
                "langs": ["en"]
            })
        );
        let back: PostRecord = serde_json::from_value(v).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn external_and_unknown_embeds() {
        let e = Embed::External {
            external: External {
                uri: "https://example.com".into(),
                title: "Example".into(),
                description: "".into(),
                thumb: None,
            },
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["$type"], "app.bsky.embed.external");
        assert_eq!(v["external"]["title"], "Example");
        let other: Embed =
            serde_json::from_value(json!({"$type": "app.bsky.embed.recordWithMedia", "x": 1}))
                .unwrap();
        assert_eq!(other, Embed::Other);
    }

    #[test]
    fn session_debug_hides_tokens() {
        let s: SessionOutput = serde_json::from_value(json!({
            "accessJwt": "eyJaccess", "refreshJwt": "eyJrefresh", "handle": "a.test", "did": "did:plc:a"
        }))
        .unwrap();
        let d = format!("{s:?}");
        assert!(!d.contains("eyJ"), "{d}");
        let i = CreateSessionInput {
            identifier: "a.test".into(),
            password: "abcd-efgh".into(),
        };
        assert!(!format!("{i:?}").contains("abcd"));
    }

    #[test]
    fn loose_record_tolerates_garbage() {
        let r = LooseRecord::from_value(&json!({"text": 5, "reply": "x", "langs": [1, "en"]}));
        assert_eq!(r.text, None);
        assert_eq!(r.reply, None);
        assert_eq!(r.langs, vec!["en".to_string()]);
        let r = LooseRecord::from_value(&json!(null));
        assert_eq!(r, LooseRecord::default());
    }
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn module() {
        use crate::adapters::bluesky::api::{Facet, FacetFeature, PostRecord};
        let record = PostRecord {
            text: "hi @bob.test".into(),
            created_at: "2026-01-01T00:00:00.000Z".into(),
            facets: vec![Facet::new(
                3,
                12,
                FacetFeature::Mention {
                    did: "did:plc:bob".into(),
                },
            )],
            ..PostRecord::default()
        };
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["$type"], "app.bsky.feed.post");
        assert_eq!(json["facets"][0]["index"]["byteEnd"], 12);
        assert_eq!(
            json["facets"][0]["features"][0]["$type"],
            "app.bsky.richtext.facet#mention"
        );
    }

    #[test]
    fn post_collection() {
        assert_eq!(
            crate::adapters::bluesky::api::POST_COLLECTION,
            "app.bsky.feed.post"
        );
    }

    #[test]
    fn post_type() {
        assert_eq!(
            crate::adapters::bluesky::api::POST_TYPE,
            "app.bsky.feed.post"
        );
    }

    #[test]
    fn profile_collection() {
        assert_eq!(
            crate::adapters::bluesky::api::PROFILE_COLLECTION,
            "app.bsky.actor.profile"
        );
    }

    #[test]
    fn xrpc_error() {
        use crate::adapters::bluesky::api::*;
        let e: XrpcError =
            serde_json::from_str(r#"{"error":"ExpiredToken","message":"Token has expired"}"#)
                .unwrap();
        assert_eq!(e.error.as_deref(), Some("ExpiredToken"));
    }

    #[test]
    fn create_session_input() {
        use crate::adapters::bluesky::api::*;
        let i = CreateSessionInput {
            identifier: "a.test".into(),
            password: "pw".into(),
        };
        assert_eq!(serde_json::to_value(&i).unwrap()["identifier"], "a.test");
    }

    #[test]
    fn session_output() {
        use crate::adapters::bluesky::api::*;
        let s: SessionOutput = serde_json::from_str(
            r#"{"accessJwt":"a","refreshJwt":"r","handle":"a.test","did":"did:plc:a"}"#,
        )
        .unwrap();
        assert_eq!(s.did, "did:plc:a");
    }

    #[test]
    fn strong_ref() {
        use crate::adapters::bluesky::api::*;
        let r = StrongRef {
            uri: "at://did:plc:a/app.bsky.feed.post/3k".into(),
            cid: "bafy".into(),
        };
        assert_eq!(serde_json::to_value(&r).unwrap()["cid"], "bafy");
    }

    #[test]
    fn reply_ref() {
        use crate::adapters::bluesky::api::*;
        let p = StrongRef {
            uri: "at://a/app.bsky.feed.post/1".into(),
            cid: "c".into(),
        };
        let r = ReplyRef {
            root: p.clone(),
            parent: p,
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap()["root"]["uri"],
            "at://a/app.bsky.feed.post/1"
        );
    }

    #[test]
    fn byte_slice() {
        use crate::adapters::bluesky::api::*;
        let b = ByteSlice {
            byte_start: 0,
            byte_end: 5,
        };
        assert_eq!(
            serde_json::to_value(b).unwrap(),
            serde_json::json!({"byteStart": 0, "byteEnd": 5})
        );
    }

    #[test]
    fn facet_feature() {
        use crate::adapters::bluesky::api::*;
        let f = FacetFeature::Tag { tag: "rust".into() };
        assert_eq!(
            serde_json::to_value(&f).unwrap()["$type"],
            "app.bsky.richtext.facet#tag"
        );
    }

    #[test]
    fn facet() {
        use crate::adapters::bluesky::api::*;
        let f = Facet::new(
            0,
            4,
            FacetFeature::Link {
                uri: "https://x.y".into(),
            },
        );
        assert_eq!(f.features.len(), 1);
    }

    #[test]
    fn facet_new() {
        use crate::adapters::bluesky::api::*;
        let f = Facet::new(
            2,
            9,
            FacetFeature::Mention {
                did: "did:plc:b".into(),
            },
        );
        assert_eq!((f.index.byte_start, f.index.byte_end), (2, 9));
    }

    #[test]
    fn cid_link() {
        use crate::adapters::bluesky::api::*;
        let c: CidLink = serde_json::from_str(r#"{"$link":"bafkrei"}"#).unwrap();
        assert_eq!(c.link, "bafkrei");
    }

    #[test]
    fn blob_ref() {
        use crate::adapters::bluesky::api::*;
        let b: BlobRef = serde_json::from_str(
            r#"{"$type":"blob","ref":{"$link":"bafkrei"},"mimeType":"image/png","size":15}"#,
        )
        .unwrap();
        assert_eq!((b.mime_type.as_str(), b.size), ("image/png", 15));
    }

    #[test]
    fn upload_blob_output() {
        use crate::adapters::bluesky::api::*;
        let o: UploadBlobOutput = serde_json::from_str(r#"{"blob":{"$type":"blob","ref":{"$link":"bafkrei"},"mimeType":"image/png","size":15}}"#).unwrap();
        assert_eq!(o.blob.reference.link, "bafkrei");
    }

    #[test]
    fn aspect_ratio() {
        use crate::adapters::bluesky::api::*;
        assert_eq!(
            serde_json::to_value(AspectRatio {
                width: 4,
                height: 3
            })
            .unwrap(),
            serde_json::json!({"width": 4, "height": 3})
        );
    }

    #[test]
    fn image_embed() {
        use crate::adapters::bluesky::api::*;
        let blob = BlobRef {
            kind: "blob".into(),
            reference: CidLink {
                link: "bafkrei".into(),
            },
            mime_type: "image/png".into(),
            size: 1,
        };
        let i = ImageEmbed {
            image: blob,
            alt: "".into(),
            aspect_ratio: None,
        };
        assert_eq!(serde_json::to_value(&i).unwrap()["alt"], "");
    }

    #[test]
    fn external() {
        use crate::adapters::bluesky::api::*;
        let e = External {
            uri: "https://example.com".into(),
            title: "example.com".into(),
            ..External::default()
        };
        assert_eq!(serde_json::to_value(&e).unwrap()["description"], "");
    }

    #[test]
    fn embed() {
        use crate::adapters::bluesky::api::*;
        let e = Embed::Record {
            record: StrongRef {
                uri: "at://a/app.bsky.feed.post/1".into(),
                cid: "c".into(),
            },
        };
        assert_eq!(
            serde_json::to_value(&e).unwrap()["$type"],
            "app.bsky.embed.record"
        );
    }

    #[test]
    fn post_record() {
        use crate::adapters::bluesky::api::*;
        let r: PostRecord = serde_json::from_str(
            r#"{"$type":"app.bsky.feed.post","text":"hi","createdAt":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(r.text, "hi");
        assert!(r.facets.is_empty());
    }

    #[test]
    fn create_record_input() {
        use crate::adapters::bluesky::api::*;
        let record = PostRecord {
            text: "hi".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            ..PostRecord::default()
        };
        let i = CreateRecordInput {
            repo: "did:plc:a",
            collection: POST_COLLECTION,
            rkey: Some("3kzxy2a5bxq2c"),
            record: &record,
        };
        assert_eq!(serde_json::to_value(&i).unwrap()["rkey"], "3kzxy2a5bxq2c");
    }

    #[test]
    fn create_record_output() {
        use crate::adapters::bluesky::api::*;
        let o: CreateRecordOutput = serde_json::from_str(
            r#"{"uri":"at://a/app.bsky.feed.post/1","cid":"c","validationStatus":"valid"}"#,
        )
        .unwrap();
        assert_eq!(o.validation_status.as_deref(), Some("valid"));
    }

    #[test]
    fn delete_record_input() {
        use crate::adapters::bluesky::api::*;
        let i = DeleteRecordInput {
            repo: "did:plc:a".into(),
            collection: POST_COLLECTION.into(),
            rkey: "3k".into(),
        };
        assert_eq!(serde_json::to_value(&i).unwrap()["rkey"], "3k");
    }

    #[test]
    fn commit_meta() {
        use crate::adapters::bluesky::api::*;
        let c: CommitMeta = serde_json::from_str(r#"{"cid":"bafy","rev":"3k"}"#).unwrap();
        assert_eq!(c.rev, "3k");
    }

    #[test]
    fn delete_record_output() {
        use crate::adapters::bluesky::api::*;
        let none: DeleteRecordOutput = serde_json::from_str("{}").unwrap();
        assert!(none.commit.is_none(), "nothing was deleted");
    }

    #[test]
    fn record_output() {
        use crate::adapters::bluesky::api::*;
        let r: RecordOutput<PostRecord> = serde_json::from_str(r#"{"uri":"at://a/app.bsky.feed.post/1","cid":"c","value":{"text":"hi","createdAt":"2026-01-01T00:00:00Z"}}"#).unwrap();
        assert_eq!(r.value.text, "hi");
    }

    #[test]
    fn list_records_output() {
        use crate::adapters::bluesky::api::*;
        let l: ListRecordsOutput<serde_json::Value> =
            serde_json::from_str(r#"{"records":[]}"#).unwrap();
        assert!(l.records.is_empty() && l.cursor.is_none());
    }

    #[test]
    fn resolve_handle_output() {
        use crate::adapters::bluesky::api::*;
        let o: ResolveHandleOutput = serde_json::from_str(r#"{"did":"did:plc:b"}"#).unwrap();
        assert_eq!(o.did, "did:plc:b");
    }

    #[test]
    fn profile_record() {
        use crate::adapters::bluesky::api::*;
        let p: ProfileRecord = serde_json::from_str(r#"{"displayName":"ACME"}"#).unwrap();
        assert_eq!(p.display_name.as_deref(), Some("ACME"));
    }

    #[test]
    fn profile_view_basic() {
        use crate::adapters::bluesky::api::*;
        let p: ProfileViewBasic =
            serde_json::from_str(r#"{"did":"did:plc:b","handle":"bob.test"}"#).unwrap();
        assert_eq!(p.handle, "bob.test");
    }

    #[test]
    fn profile_view_detailed() {
        use crate::adapters::bluesky::api::*;
        let p: ProfileViewDetailed =
            serde_json::from_str(r#"{"did":"did:plc:a","handle":"a.test","followersCount":2}"#)
                .unwrap();
        assert_eq!((p.followers_count, p.posts_count), (Some(2), None));
    }

    #[test]
    fn notification() {
        use crate::adapters::bluesky::api::*;
        let n: Notification = serde_json::from_str(r#"{"uri":"at://b/app.bsky.feed.like/1","cid":"c","author":{"did":"did:plc:b","handle":"bob.test"},"reason":"like","reasonSubject":"at://a/app.bsky.feed.post/1","record":{},"isRead":false,"indexedAt":"2026-01-01T00:00:00.000Z"}"#).unwrap();
        assert_eq!(n.reason, "like");
    }

    #[test]
    fn list_notifications_output() {
        use crate::adapters::bluesky::api::*;
        let o: ListNotificationsOutput =
            serde_json::from_str(r#"{"notifications":[],"cursor":"2026-01-01T00:00:00.000Z"}"#)
                .unwrap();
        assert!(o.notifications.is_empty());
    }

    #[test]
    fn post_view() {
        use crate::adapters::bluesky::api::*;
        let v: PostView = serde_json::from_str(
            r#"{"uri":"at://a/app.bsky.feed.post/1","cid":"c","likeCount":3}"#,
        )
        .unwrap();
        assert_eq!((v.like_count, v.bookmark_count), (Some(3), None));
    }

    #[test]
    fn feed_view_post() {
        use crate::adapters::bluesky::api::FeedViewPost;
        let f: FeedViewPost = serde_json::from_str(r#"{"post":{"uri":"at://a/app.bsky.feed.post/1","cid":"c"},"reason":{"$type":"app.bsky.feed.defs#reasonRepost"}}"#).unwrap();
        assert!(f.reason.is_some(), "a repost");
    }

    #[test]
    fn author_feed_output() {
        use crate::adapters::bluesky::api::AuthorFeedOutput;
        let o: AuthorFeedOutput = serde_json::from_str(r#"{"feed":[]}"#).unwrap();
        assert!(o.feed.is_empty() && o.cursor.is_none());
    }

    #[test]
    fn get_posts_output() {
        use crate::adapters::bluesky::api::*;
        let o: GetPostsOutput = serde_json::from_str(r#"{"posts":[]}"#).unwrap();
        assert!(o.posts.is_empty());
    }

    #[test]
    fn loose_record() {
        use crate::adapters::bluesky::api::*;
        let r = LooseRecord::from_value(&serde_json::json!({"text": "hi", "langs": ["en"]}));
        assert_eq!((r.text.as_deref(), r.langs.len()), (Some("hi"), 1));
    }

    #[test]
    fn loose_record_from_value() {
        use crate::adapters::bluesky::api::*;
        let r = LooseRecord::from_value(&serde_json::json!({"text": 1}));
        assert_eq!(r.text, None);
    }
}
