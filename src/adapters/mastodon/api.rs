//! Wire types of the Mastodon client API, as the server sends them.
//!
//! Sources (the Mastodon API documentation; per-endpoint status in `docs/api-audit.md`):
//! [`Status`] <https://docs.joinmastodon.org/entities/Status>, [`Account`]
//! <https://docs.joinmastodon.org/entities/Account>, [`MediaAttachment`]
//! <https://docs.joinmastodon.org/entities/MediaAttachment>, [`Notification`]
//! <https://docs.joinmastodon.org/entities/Notification>, [`Instance`]
//! <https://docs.joinmastodon.org/entities/Instance> (`GET /api/v2/instance`), [`RegisteredApp`]
//! <https://docs.joinmastodon.org/methods/apps/#create>, [`TokenResponse`]
//! <https://docs.joinmastodon.org/methods/oauth/#token>, [`ErrorBody`]
//! <https://docs.joinmastodon.org/entities/Error>; requests: `POST /api/v1/statuses`
//! <https://docs.joinmastodon.org/methods/statuses/#create> (`Idempotency-Key` kept up to 1 hour),
//! `POST /api/v2/media` <https://docs.joinmastodon.org/methods/media/#v2>.
//!
//! Only the fields socialkit reads are declared; unknown fields are ignored and every field a
//! compatible server (snac, GoToSocial, Pleroma/Akkoma) may leave out has a default, so a
//! response that is valid JSON but sparse never fails to parse.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// Deserializes `null` as the type's default.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Accepts a count sent as a number or a numeric string (some compatibles send strings).
fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(lenient_opt_u64(d)?.unwrap_or(0))
}

/// Like [`lenient_u64`], keeping "absent or null" apart from zero.
fn lenient_opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        U(u64),
        I(i64),
        F(f64),
        S(String),
    }
    Ok(match Option::<N>::deserialize(d)? {
        None => None,
        Some(N::U(u)) => Some(u),
        Some(N::I(i)) => Some(i.max(0) as u64),
        Some(N::F(f)) => Some(if f.is_finite() && f > 0.0 {
            f as u64
        } else {
            0
        }),
        Some(N::S(s)) => s.trim().parse().ok(),
    })
}

/// Accepts a timestamp as RFC 3339 or a bare date (`"2026-11-28"`, which snac sends for
/// `last_status_at`); anything else becomes `None`.
fn lenient_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    Ok(s.and_then(|s| parse_time(&s)))
}

/// Parses an RFC 3339 instant or a bare date (midnight UTC).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Some(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

fn epoch() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}

fn time_or_epoch<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    Ok(lenient_time(d)?.unwrap_or_else(epoch))
}

/// A profile metadata field (`fields` on an account).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// The label.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// The value, as HTML.
    #[serde(default, deserialize_with = "null_default")]
    pub value: String,
    /// When the link in the value was verified, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
}

/// An account (`Account` entity).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The account id (a numeric string on Mastodon, hex on snac).
    pub id: String,
    /// The local username.
    #[serde(default, deserialize_with = "null_default")]
    pub username: String,
    /// `user` for local accounts, `user@domain` for remote ones.
    #[serde(default, deserialize_with = "null_default")]
    pub acct: String,
    /// The display name.
    #[serde(default, deserialize_with = "null_default")]
    pub display_name: String,
    /// The bio, as HTML.
    #[serde(default, deserialize_with = "null_default")]
    pub note: String,
    /// The profile page.
    #[serde(default, deserialize_with = "null_default")]
    pub url: String,
    /// The avatar image.
    #[serde(default, deserialize_with = "null_default")]
    pub avatar: String,
    /// Profile metadata fields.
    #[serde(default, deserialize_with = "null_default")]
    pub fields: Vec<Field>,
    /// Followers.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub followers_count: u64,
    /// Accounts followed.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub following_count: u64,
    /// Statuses posted.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub statuses_count: u64,
    /// Whether the account is a bot.
    #[serde(default, deserialize_with = "null_default")]
    pub bot: bool,
}

/// A media attachment (`MediaAttachment` entity).
///
/// `url` is `null` while the server is still processing the file (the 202 path of
/// `POST /api/v2/media`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaAttachment {
    /// The attachment id, used in `media_ids[]`.
    pub id: String,
    /// `image`, `gifv`, `video`, `audio` or `unknown`.
    #[serde(default, rename = "type", deserialize_with = "null_default")]
    pub kind: String,
    /// The processed file, `None` while processing.
    #[serde(default)]
    pub url: Option<String>,
    /// A preview image.
    #[serde(default)]
    pub preview_url: Option<String>,
    /// The alt text.
    #[serde(default)]
    pub description: Option<String>,
}

/// A mention inside a status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// The mentioned account's id.
    #[serde(default, deserialize_with = "null_default")]
    pub id: String,
    /// Its `acct`.
    #[serde(default, deserialize_with = "null_default")]
    pub acct: String,
    /// Its username.
    #[serde(default, deserialize_with = "null_default")]
    pub username: String,
}

/// The quote inside a status (Mastodon 4.5+: `quote: {state, quoted_status}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// `accepted`, `pending`, `rejected` …
    #[serde(default)]
    pub state: Option<String>,
    /// The quoted status (absent when not visible).
    #[serde(default)]
    pub quoted_status: Option<Box<Status>>,
    /// The quoted status id, when the server sends a shallow quote.
    #[serde(default)]
    pub quoted_status_id: Option<String>,
}

/// The fields of a created `Status` that publishing reads (`POST /api/v1/statuses`; the
/// answer is a whole `Status` entity, <https://docs.joinmastodon.org/methods/statuses/#create>):
/// everything else in it (the account, the rendered content, counts) is skipped unread
/// instead of being copied into strings nobody looks at.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreatedStatus {
    /// Status id.
    pub id: String,
    /// ActivityPub URI.
    #[serde(default)]
    pub uri: Option<String>,
    /// Web URL.
    #[serde(default)]
    pub url: Option<String>,
    /// When it was created (the epoch when missing or unreadable, as for [`Status`]).
    #[serde(default = "epoch", deserialize_with = "time_or_epoch")]
    pub created_at: DateTime<Utc>,
}

/// A status (`Status` entity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The status id.
    pub id: String,
    /// The federation id.
    #[serde(default)]
    pub uri: Option<String>,
    /// The link people open.
    #[serde(default)]
    pub url: Option<String>,
    /// The author.
    #[serde(default)]
    pub account: Account,
    /// When it was created.
    #[serde(default = "epoch", deserialize_with = "time_or_epoch")]
    pub created_at: DateTime<Utc>,
    /// When it was last edited.
    #[serde(default, deserialize_with = "lenient_time")]
    pub edited_at: Option<DateTime<Utc>>,
    /// The text as HTML.
    #[serde(default, deserialize_with = "null_default")]
    pub content: String,
    /// The plain source text; only on some answers (delete, snac).
    #[serde(default)]
    pub text: Option<String>,
    /// The content warning.
    #[serde(default, deserialize_with = "null_default")]
    pub spoiler_text: String,
    /// `public`, `unlisted`, `private` or `direct`.
    #[serde(default, deserialize_with = "null_default")]
    pub visibility: String,
    /// The language.
    #[serde(default)]
    pub language: Option<String>,
    /// The status this one replies to.
    #[serde(default)]
    pub in_reply_to_id: Option<String>,
    /// The account of the status replied to.
    #[serde(default)]
    pub in_reply_to_account_id: Option<String>,
    /// Attached media.
    #[serde(default, deserialize_with = "null_default")]
    pub media_attachments: Vec<MediaAttachment>,
    /// Mentions.
    #[serde(default, deserialize_with = "null_default")]
    pub mentions: Vec<Mention>,
    /// Replies.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub replies_count: u64,
    /// Reblogs (boosts).
    #[serde(default, deserialize_with = "lenient_u64")]
    pub reblogs_count: u64,
    /// Favourites.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub favourites_count: u64,
    /// Quotes (Mastodon 4.5+; `None` when the server does not report it).
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub quotes_count: Option<u64>,
    /// The boosted status, when this status is a boost.
    #[serde(default)]
    pub reblog: Option<Box<Status>>,
    /// The quote, when this status quotes another (Mastodon 4.5+).
    #[serde(default)]
    pub quote: Option<Quote>,
}

impl Status {
    /// The status itself, or the boosted one when this is a boost.
    pub fn original(&self) -> &Status {
        self.reblog.as_deref().unwrap_or(self)
    }

    /// The id of the status this one quotes, where the server says.
    pub fn quoted_id(&self) -> Option<&str> {
        let q = self.quote.as_ref()?;
        q.quoted_status
            .as_deref()
            .map(|s| s.id.as_str())
            .or(q.quoted_status_id.as_deref())
    }
}

/// A notification (`Notification` entity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The notification id: the paging cursor.
    pub id: String,
    /// `mention`, `status`, `reblog`, `follow`, `follow_request`, `favourite`, `poll`,
    /// `update`, `quote`, `quoted_update`, `admin.sign_up` …
    #[serde(rename = "type")]
    pub kind: String,
    /// When it happened.
    #[serde(default = "epoch", deserialize_with = "time_or_epoch")]
    pub created_at: DateTime<Utc>,
    /// Who did it.
    #[serde(default)]
    pub account: Account,
    /// The status it is about (their status for mentions and quotes, ours for favourites
    /// and reblogs).
    #[serde(default)]
    pub status: Option<Status>,
}

/// The `statuses` block of an instance's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusesConfig {
    /// The text limit (grapheme clusters over content warning + text).
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub max_characters: Option<u64>,
    /// Attachments per status.
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub max_media_attachments: Option<u64>,
    /// What one URL counts as.
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub characters_reserved_per_url: Option<u64>,
}

/// The `media_attachments` block of an instance's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaConfig {
    /// Accepted MIME types.
    #[serde(default)]
    pub supported_mime_types: Option<Vec<String>>,
    /// Largest image in bytes.
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub image_size_limit: Option<u64>,
    /// Largest video in bytes.
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub video_size_limit: Option<u64>,
    /// Longest alt text (Mastodon 4.4+).
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub description_limit: Option<u64>,
}

/// An instance's `configuration` block (the same shape in v2 and in v1 since Mastodon 3.4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceConfiguration {
    /// Status limits.
    #[serde(default)]
    pub statuses: Option<StatusesConfig>,
    /// Media limits.
    #[serde(default)]
    pub media_attachments: Option<MediaConfig>,
}

/// `GET /api/v2/instance` (and `/api/v1/instance`, which has the same `configuration` on
/// Mastodon 3.4+ plus `max_toot_chars` on Pleroma, Akkoma, Friendica and GoToSocial).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// The domain (v2) …
    #[serde(default)]
    pub domain: Option<String>,
    /// … or the `uri` (v1).
    #[serde(default)]
    pub uri: Option<String>,
    /// The software version string.
    #[serde(default)]
    pub version: Option<String>,
    /// Where the server's source code is (v2; GoToSocial names itself only here).
    #[serde(default)]
    pub source_url: Option<String>,
    /// Limits.
    #[serde(default)]
    pub configuration: Option<InstanceConfiguration>,
    /// The v1 text limit of compatibles.
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub max_toot_chars: Option<u64>,
    /// The v1 alt-text limit of some compatibles.
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub description_limit: Option<u64>,
}

/// The body of every Mastodon error: `{"error": "...", "error_description"?: "..."}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The message.
    #[serde(default)]
    pub error: Option<String>,
    /// The OAuth error description.
    #[serde(default)]
    pub error_description: Option<String>,
}

/// `POST /api/v1/apps` answer (`Application` with credentials).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredApp {
    /// The app's id.
    #[serde(default)]
    pub id: Option<String>,
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /oauth/token` answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The bearer token.
    pub access_token: String,
    /// `Bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
    /// The granted scopes.
    #[serde(default)]
    pub scope: Option<String>,
    /// Epoch seconds.
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub created_at: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snac_status_parses() {
        let json = r#"{"id":"179584546165340dc11ffa1a4ec20a3fac07f5d37e","uri":"http://localhost:8001/alice/p/1",
        "account":{"id":"b7","username":"alice","acct":"alice@localhost:8001","last_status_at":"2026-11-28","fields":[]},
        "created_at":"2026-11-28T05:57:41.000Z","content":"Hello","visibility":"public","spoiler_text":"cw",
        "media_attachments":[],"favourites_count":1,"reblogs_count":2,"replies_count":3,"in_reply_to_id":null,
        "reblog":null,"card":null,"language":"en","text":"Hello","edited_at":null,"poll":null}"#;
        let s: Status = serde_json::from_str(json).unwrap();
        assert_eq!(s.replies_count, 3);
        assert_eq!(s.quotes_count, None);
        assert_eq!(s.spoiler_text, "cw");
        assert_eq!(s.original().id, s.id);
    }

    #[test]
    fn nulls_and_strings_are_tolerated() {
        let s: Status = serde_json::from_str(
            r#"{"id":"1","content":null,"replies_count":"4","quotes_count":2,"media_attachments":null,"created_at":"garbage"}"#,
        )
        .unwrap();
        assert_eq!(s.content, "");
        assert_eq!(s.replies_count, 4);
        assert_eq!(s.quotes_count, Some(2));
        assert_eq!(s.created_at, epoch());
    }

    /// The create answer reads what a `Status` reads for id, links and time, whatever else
    /// the status carries.
    #[test]
    fn created_status_agrees_with_status() {
        for json in [
            r#"{"id":"1","uri":"https://m.example/u/1","url":"https://m.example/@a/1","created_at":"2026-01-02T03:04:05.000Z",
               "account":{"id":"9","acct":"a","fields":[]},"content":"<p>hi</p>","media_attachments":[],"reblog":null}"#,
            r#"{"id":"2","url":null,"created_at":"garbage"}"#,
        ] {
            let full: Status = serde_json::from_str(json).unwrap();
            let created: CreatedStatus = serde_json::from_str(json).unwrap();
            assert_eq!(
                (created.id, created.uri, created.url, created.created_at),
                (full.id, full.uri, full.url, full.created_at)
            );
        }
        assert!(serde_json::from_str::<CreatedStatus>(r#"{"url":"x"}"#).is_err());
    }

    #[test]
    fn notification_with_quote() {
        let n: Notification = serde_json::from_str(
            r#"{"id":"5","type":"quote","created_at":"2026-01-01T00:00:00Z","account":{"id":"a"},
            "status":{"id":"s2","quote":{"state":"accepted","quoted_status":{"id":"s1"}}}}"#,
        )
        .unwrap();
        assert_eq!(n.status.unwrap().quoted_id(), Some("s1"));
    }
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn module() {
        use crate::adapters::mastodon::api::Status;
        let s: Status = serde_json::from_str(
            r#"{"id":"1","content":"<p>hi</p>","created_at":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(s.id, "1");
        assert_eq!(s.favourites_count, 0);
        assert_eq!(s.quotes_count, None);
    }

    #[test]
    fn parse_time() {
        use crate::adapters::mastodon::api::parse_time;
        assert!(parse_time("2026-11-28T05:57:41.000Z").is_some());
        assert!(parse_time("2026-11-28").is_some());
        assert!(parse_time("soon").is_none());
    }

    #[test]
    fn field() {
        let f: crate::adapters::mastodon::api::Field =
            serde_json::from_str(r#"{"name":"Website","value":"<a href=\"https://acme.example\">acme.example</a>","verified_at":null}"#).unwrap();
        assert_eq!(f.name, "Website");
    }

    #[test]
    fn account() {
        let a: crate::adapters::mastodon::api::Account = serde_json::from_str(
            r#"{"id":"9","username":"ann","acct":"ann","followers_count":"12"}"#,
        )
        .unwrap();
        assert_eq!(a.followers_count, 12);
    }

    #[test]
    fn media_attachment() {
        let m: crate::adapters::mastodon::api::MediaAttachment = serde_json::from_str(
            r#"{"id":"22","type":"video","url":null,"preview_url":"https://m.example/p.png"}"#,
        )
        .unwrap();
        assert!(m.url.is_none(), "still processing");
        assert_eq!(m.kind, "video");
    }

    #[test]
    fn mention() {
        let m: crate::adapters::mastodon::api::Mention =
            serde_json::from_str(r#"{"id":"9","acct":"ann@other.example","username":"ann"}"#)
                .unwrap();
        assert_eq!(m.username, "ann");
    }

    #[test]
    fn quote() {
        let q: crate::adapters::mastodon::api::Quote =
            serde_json::from_str(r#"{"state":"accepted","quoted_status_id":"7"}"#).unwrap();
        assert_eq!(q.quoted_status_id.as_deref(), Some("7"));
    }

    #[test]
    fn status_original() {
        use crate::adapters::mastodon::api::Status;
        let boost: Status =
            serde_json::from_str(r#"{"id":"2","reblog":{"id":"1","content":"original"}}"#).unwrap();
        assert_eq!(boost.original().id, "1");
    }

    #[test]
    fn status_quoted_id() {
        use crate::adapters::mastodon::api::Status;
        let s: Status =
            serde_json::from_str(r#"{"id":"2","quote":{"quoted_status":{"id":"1"}}}"#).unwrap();
        assert_eq!(s.quoted_id(), Some("1"));
    }

    #[test]
    fn notification() {
        let n: crate::adapters::mastodon::api::Notification = serde_json::from_str(
            r#"{"id":"30","type":"favourite","created_at":"2026-01-01T00:00:00Z","account":{"id":"9","acct":"ann"},"status":{"id":"5"}}"#,
        ).unwrap();
        assert_eq!(n.kind, "favourite");
        assert_eq!(n.status.unwrap().id, "5");
    }

    #[test]
    fn statuses_config() {
        let c: crate::adapters::mastodon::api::StatusesConfig =
            serde_json::from_str(r#"{"max_characters":500,"characters_reserved_per_url":23}"#)
                .unwrap();
        assert_eq!(c.max_characters, Some(500));
        assert_eq!(c.max_media_attachments, None);
    }

    #[test]
    fn media_config() {
        let c: crate::adapters::mastodon::api::MediaConfig = serde_json::from_str(
            r#"{"supported_mime_types":["image/png"],"description_limit":1500}"#,
        )
        .unwrap();
        assert_eq!(c.description_limit, Some(1500));
    }

    #[test]
    fn instance_configuration() {
        let c: crate::adapters::mastodon::api::InstanceConfiguration =
            serde_json::from_str(r#"{"statuses":{"max_characters":1000}}"#).unwrap();
        assert_eq!(c.statuses.unwrap().max_characters, Some(1000));
    }

    #[test]
    fn instance() {
        let i: crate::adapters::mastodon::api::Instance =
            serde_json::from_str(r#"{"domain":"m.example","max_toot_chars":5000}"#).unwrap();
        assert_eq!(i.max_toot_chars, Some(5000));
    }

    #[test]
    fn error_body() {
        let e: crate::adapters::mastodon::api::ErrorBody =
            serde_json::from_str(r#"{"error":"The access token is invalid"}"#).unwrap();
        assert_eq!(e.error.as_deref(), Some("The access token is invalid"));
    }

    #[test]
    fn registered_app() {
        let a: crate::adapters::mastodon::api::RegisteredApp = serde_json::from_str(
            r#"{"id":"1","name":"acme","client_id":"cid","client_secret":"cs"}"#,
        )
        .unwrap();
        assert_eq!(a.client_id, "cid");
    }

    #[test]
    fn token_response() {
        let t: crate::adapters::mastodon::api::TokenResponse =
            serde_json::from_str(r#"{"access_token":"tok","token_type":"Bearer","scope":"read write","created_at":1700000000}"#).unwrap();
        assert_eq!(t.created_at, Some(1_700_000_000));
    }
}
