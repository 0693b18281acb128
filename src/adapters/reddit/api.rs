//! Reddit's wire types, as far as socialkit reads them. Sources: the API reference
//! <https://www.reddit.com/dev/api> (endpoints and parameters) and the JSON wiki
//! <https://github.com/reddit-archive/reddit/wiki/JSON> (the `Listing`, `t1` comment, `t3`
//! link and `t4` message objects); the `api_type=json` envelope and the media lease as PRAW
//! reads them (`praw/models/reddit/subreddit/subreddit.py` `submit`/`_submit_media`,
//! `praw/models/media.py` `_obtain_lease`, praw-dev/praw 7b69758).
//!
//! Every field socialkit does not need to understand a thing is optional, so a new or
//! missing field never fails a decode.

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// `{"kind": "Listing", "data": {"after", "before", "children": [thing…]}}` (wiki/JSON,
/// "listing").
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Listing {
    /// The listing's data.
    #[serde(default)]
    pub data: ListingData,
}

/// The data of a [`Listing`].
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListingData {
    /// The fullname to pass as `after` for the next (older) page; `None` at the end.
    #[serde(default)]
    pub after: Option<String>,
    /// The fullname to pass as `before` for the previous (newer) page.
    #[serde(default)]
    pub before: Option<String>,
    /// The things, newest first.
    #[serde(default)]
    pub children: Vec<Thing>,
}

/// One thing: `{"kind": "t1" | "t3" | "t4" …, "data": {…}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Thing {
    /// `t1` comment, `t2` account, `t3` link (post), `t4` message, `t5` subreddit.
    pub kind: String,
    /// Its fields.
    pub data: ThingData,
}

/// The fields of a comment, link or message that socialkit reads (wiki/JSON: "comment
/// implements votable | created", "link implements votable | created", "message implements
/// created").
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ThingData {
    /// Base-36 id.
    #[serde(default)]
    pub id: String,
    /// Fullname: `t3_` + id for a post, `t1_` for a comment, `t4_` for a message.
    #[serde(default)]
    pub name: String,
    /// The author's user name (`[deleted]` after a deletion).
    #[serde(default)]
    pub author: Option<String>,
    /// The author's fullname (`t2_…`).
    #[serde(default)]
    pub author_fullname: Option<String>,
    /// Creation time, epoch seconds in UTC.
    #[serde(default)]
    pub created_utc: Option<f64>,
    /// A post's title.
    #[serde(default)]
    pub title: Option<String>,
    /// A self post's Markdown body.
    #[serde(default)]
    pub selftext: Option<String>,
    /// A comment's or message's Markdown body.
    #[serde(default)]
    pub body: Option<String>,
    /// The path of a post or comment (`/r/…/comments/…`).
    #[serde(default)]
    pub permalink: Option<String>,
    /// A link post's URL (a self post's own permalink).
    #[serde(default)]
    pub url: Option<String>,
    /// Whether a post is a self (text) post.
    #[serde(default)]
    pub is_self: Option<bool>,
    /// The subreddit's name.
    #[serde(default)]
    pub subreddit: Option<String>,
    /// Upvotes minus downvotes.
    #[serde(default)]
    pub score: Option<i64>,
    /// Upvotes (fuzzed like the score).
    #[serde(default)]
    pub ups: Option<i64>,
    /// A post's comment count.
    #[serde(default)]
    pub num_comments: Option<u64>,
    /// A post's share of upvotes, 0–1.
    #[serde(default)]
    pub upvote_ratio: Option<f64>,
    /// What a comment answers (`t3_…` a post, `t1_…` a comment); a message's parent.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// The post a comment is under (`t3_…`).
    #[serde(default)]
    pub link_id: Option<String>,
    /// A message's subject; for inbox comments `comment reply`, `post reply` or
    /// `username mention`.
    #[serde(default)]
    pub subject: Option<String>,
    /// In the inbox: the item is a comment (reply or mention), not a private message.
    #[serde(default)]
    pub was_comment: Option<bool>,
    /// In the inbox: the comment's path with `?context=3`.
    #[serde(default)]
    pub context: Option<String>,
    /// Why a post is gone (`deleted` by its author, `moderator` …).
    #[serde(default)]
    pub removed_by_category: Option<String>,
    /// A comment's replies: `""` or a listing.
    #[serde(default)]
    pub replies: Option<serde_json::Value>,
}

impl ThingData {
    /// When it was created.
    pub fn created(&self) -> Option<DateTime<Utc>> {
        let secs = self.created_utc.filter(|s| s.is_finite())?;
        DateTime::from_timestamp_millis((secs * 1000.0).round() as i64)
    }

    /// Whether its author deleted it (the author and body read `[deleted]`).
    pub fn is_deleted(&self) -> bool {
        self.author.as_deref() == Some("[deleted]")
            || self.removed_by_category.as_deref() == Some("deleted")
    }
}

/// The `api_type=json` envelope of a write: `{"json": {"errors": [[code, message, field]…],
/// "data": {…}, "ratelimit"?: seconds}}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JsonEnvelope {
    /// The envelope.
    #[serde(default)]
    pub json: JsonBody,
}

/// The inside of a [`JsonEnvelope`].
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JsonBody {
    /// `[[code, message, field]…]`; empty on success.
    #[serde(default)]
    pub errors: Vec<Vec<serde_json::Value>>,
    /// What the write made.
    #[serde(default)]
    pub data: Option<WriteData>,
    /// Seconds until the action is allowed again, next to a `RATELIMIT` error.
    #[serde(default)]
    pub ratelimit: Option<f64>,
}

/// The data of a write: `/api/submit` (`url`, `id`, `name`; for image posts
/// `user_submitted_page` and `websocket_url` instead), `/api/comment` and
/// `/api/editusertext` (`things`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WriteData {
    /// The new post's URL.
    #[serde(default)]
    pub url: Option<String>,
    /// The new post's id.
    #[serde(default)]
    pub id: Option<String>,
    /// The new post's fullname.
    #[serde(default)]
    pub name: Option<String>,
    /// Media posts: where the post's link arrives once processed.
    #[serde(default)]
    pub websocket_url: Option<String>,
    /// Media posts: the account's submitted page.
    #[serde(default)]
    pub user_submitted_page: Option<String>,
    /// The comment made or edited.
    #[serde(default)]
    pub things: Vec<Thing>,
}

/// `GET /api/v1/me` (dev/api#GET_api_v1_me).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Me {
    /// User name.
    #[serde(default)]
    pub name: String,
    /// Base-36 id (the fullname is `t2_` + id).
    #[serde(default)]
    pub id: String,
    /// Karma.
    #[serde(default)]
    pub total_karma: Option<i64>,
    /// Avatar.
    #[serde(default)]
    pub icon_img: Option<String>,
    /// The profile's own subreddit (`u_<name>`).
    #[serde(default)]
    pub subreddit: Option<ProfileSubreddit>,
}

/// The profile subreddit inside [`Me`].
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileSubreddit {
    /// The display title.
    #[serde(default)]
    pub title: Option<String>,
    /// The profile's description.
    #[serde(default)]
    pub public_description: Option<String>,
    /// Followers of the profile.
    #[serde(default)]
    pub subscribers: Option<u64>,
}

/// `POST /api/media/asset.json`: the S3 upload lease (`praw/models/media.py`).
#[derive(Debug, Clone, Deserialize)]
pub struct MediaLease {
    /// Where and how to upload.
    pub args: LeaseArgs,
    /// The asset.
    #[serde(default)]
    pub asset: Option<LeaseAsset>,
}

/// The S3 form: a scheme-less `action` URL and the form `fields` to send before the file.
#[derive(Debug, Clone, Deserialize)]
pub struct LeaseArgs {
    /// `//bucket.s3-accelerate.amazonaws.com`.
    pub action: String,
    /// `[{"name", "value"}…]`, one of them `key`.
    pub fields: Vec<LeaseField>,
}

/// One form field of the lease.
#[derive(Debug, Clone, Deserialize)]
pub struct LeaseField {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// The asset of a lease.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LeaseAsset {
    /// The asset id.
    #[serde(default)]
    pub asset_id: Option<String>,
}

/// One link flair template (`GET /r/{sr}/api/link_flair_v2`, dev/api#GET_api_link_flair_v2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct LinkFlair {
    /// The template id (`flair_id` when submitting).
    pub id: String,
    /// Its text.
    #[serde(default)]
    pub text: String,
    /// Whether a poster may change the text (`flair_text`).
    #[serde(default)]
    pub text_editable: bool,
    /// Only moderators may select it.
    #[serde(default)]
    pub mod_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_decode() {
        let l: Listing = serde_json::from_str(
            r#"{"kind":"Listing","data":{"after":"t1_b","before":null,"children":[
                {"kind":"t1","data":{"id":"b","name":"t1_b","author":"bob","created_utc":1700000000.0,
                 "body":"hi","parent_id":"t3_a","link_id":"t3_a","subject":"post reply","was_comment":true,
                 "replies":""}},
                {"kind":"t4","data":{"id":"m","name":"t4_m","author":"eve","created_utc":1700000001,
                 "body":"dm","subject":"hello","was_comment":false}}]}}"#,
        )
        .unwrap();
        assert_eq!(l.data.children.len(), 2);
        assert_eq!(
            l.data.children[0].data.created().unwrap().timestamp(),
            1_700_000_000
        );
        let e: JsonEnvelope = serde_json::from_str(
            r#"{"json":{"errors":[["RATELIMIT","you are doing that too much. try again in 4 minutes.","ratelimit"]],"ratelimit":212.5}}"#,
        )
        .unwrap();
        assert_eq!(e.json.errors[0][0], "RATELIMIT");
        let s: JsonEnvelope = serde_json::from_str(
            r#"{"json":{"errors":[],"data":{"url":"https://www.reddit.com/r/t/comments/abc/x/","drafts_count":0,"id":"abc","name":"t3_abc"}}}"#,
        )
        .unwrap();
        assert_eq!(s.json.data.unwrap().name.as_deref(), Some("t3_abc"));
    }
}
