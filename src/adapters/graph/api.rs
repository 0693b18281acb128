//! Wire types every Graph API answers with: lists with cursors, ids, insights, publishing
//! limits, container status, and Meta's timestamps.
//!
//! Sources: list paging <https://developers.facebook.com/docs/graph-api/results> (cursor paging,
//! `next` omitted on the last page); errors
//! <https://developers.facebook.com/docs/graph-api/guides/error-handling>; container status
//! <https://developers.facebook.com/docs/instagram-api/guides/content-publishing> and
//! <https://developers.facebook.com/documentation/threads/reference/publishing>. Per-endpoint
//! status: `docs/api-audit.md`.
//!
//! Every field is optional or defaulted and numbers may come as strings: a malformed answer
//! gives `None`s or an [`Unexpected`](crate::ErrorKind::Unexpected) error, never a panic.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A list answer: `{"data":[…],"paging":{"cursors":{"before","after"},"next"}}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct List<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Where the next page starts.
    #[serde(default)]
    pub paging: Option<Paging>,
}

impl<T> List<T> {
    /// The cursor of the next page, when there is one (Graph omits `next` on the last page).
    pub fn after(&self) -> Option<&str> {
        let paging = self.paging.as_ref()?;
        paging.next.as_ref()?;
        paging.cursors.as_ref()?.after.as_deref()
    }
}

/// Graph paging.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Paging {
    /// The cursors.
    #[serde(default)]
    pub cursors: Option<Cursors>,
    /// The next page's URL (only its presence is used: the adapter builds its own URLs, so the
    /// token never follows a URL the server chose).
    #[serde(default)]
    pub next: Option<String>,
}

/// Graph cursors.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Cursors {
    /// Before the first item.
    #[serde(default)]
    pub before: Option<String>,
    /// After the last item.
    #[serde(default)]
    pub after: Option<String>,
}

/// `{"id": …}` and the fields some creates add (`post_id` of a photo, `permalink_url`).
#[derive(Debug, Clone, Deserialize)]
pub struct Created {
    /// The new object's id.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// The feed post a published photo made.
    #[serde(default, deserialize_with = "opt_id_string")]
    pub post_id: Option<String>,
    /// The link people open (when asked for with `fields=`).
    #[serde(default)]
    pub permalink_url: Option<String>,
    /// Creation time (when asked for).
    #[serde(default)]
    pub created_time: Option<String>,
}

/// `{"success": true}` (Threads adds `deleted_id`).
#[derive(Debug, Clone, Deserialize)]
pub struct Success {
    /// Whether it worked.
    #[serde(default)]
    pub success: bool,
}

/// An account as it appears in `from` / `owner` fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct From {
    /// Its id.
    #[serde(default, deserialize_with = "opt_id_string")]
    pub id: Option<String>,
    /// Its name (Facebook).
    #[serde(default)]
    pub name: Option<String>,
    /// Its username (Instagram, Threads).
    #[serde(default)]
    pub username: Option<String>,
}

/// An insights answer: `{"data":[{"name":"views","values":[{"value":12}]}, {"name":"likes",
/// "total_value":{"value":3}}]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Insights {
    /// One entry per metric.
    #[serde(default)]
    pub data: Vec<Insight>,
}

/// One metric of an insights answer.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Insight {
    /// The metric's name.
    #[serde(default)]
    pub name: String,
    /// Values by period (the last one is the latest).
    #[serde(default)]
    pub values: Vec<InsightValue>,
    /// The total (newer metrics).
    #[serde(default)]
    pub total_value: Option<InsightValue>,
}

/// A value of an insight.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InsightValue {
    /// The number (or something else for breakdown metrics).
    #[serde(default)]
    pub value: Value,
}

impl Insights {
    /// The value of metric `name` as a count: the total when given, else the latest value.
    pub fn value(&self, name: &str) -> Option<u64> {
        let m = self.data.iter().find(|m| m.name == name)?;
        m.total_value
            .as_ref()
            .and_then(|v| count(&v.value))
            .or_else(|| m.values.last().and_then(|v| count(&v.value)))
    }
}

/// A JSON number or numeric string as a count.
pub fn count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.is_finite())
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A publishing limit answer (Instagram `content_publishing_limit`, Threads
/// `threads_publishing_limit`): `{"data":[{"quota_usage":4,"config":{"quota_total":250,
/// "quota_duration":86400},"reply_quota_usage":1,"reply_config":{…}}]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishingLimit {
    /// Posts published in the window.
    pub quota_usage: Option<u64>,
    /// Posts allowed in the window.
    pub quota_total: Option<u64>,
    /// The window in seconds.
    pub quota_duration: Option<u64>,
    /// Replies published in the window (Threads).
    pub reply_quota_usage: Option<u64>,
    /// Replies allowed in the window (Threads).
    pub reply_quota_total: Option<u64>,
}

impl PublishingLimit {
    /// Reads the first entry of `data` (missing fields stay `None`).
    pub fn parse(v: &Value) -> PublishingLimit {
        let Some(e) = v.get("data").and_then(|d| d.get(0)) else {
            return PublishingLimit::default();
        };
        let get = |path: &[&str]| -> Option<u64> {
            let mut cur = e;
            for p in path {
                cur = cur.get(*p)?;
            }
            count(cur)
        };
        PublishingLimit {
            quota_usage: get(&["quota_usage"]),
            quota_total: get(&["config", "quota_total"]),
            quota_duration: get(&["config", "quota_duration"]),
            reply_quota_usage: get(&["reply_quota_usage"]),
            reply_quota_total: get(&["reply_config", "quota_total"]),
        }
    }

    /// Posts left in the window, when both numbers are known.
    pub fn posts_left(&self) -> Option<u64> {
        Some(self.quota_total?.saturating_sub(self.quota_usage?))
    }

    /// Replies left in the window, when both numbers are known.
    pub fn replies_left(&self) -> Option<u64> {
        Some(
            self.reply_quota_total?
                .saturating_sub(self.reply_quota_usage?),
        )
    }
}

/// The status of a media container (Instagram `status_code`, Threads `status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerStatus {
    /// Still processing.
    InProgress,
    /// Ready to publish.
    Finished,
    /// Already published.
    Published,
    /// Processing failed, with what the platform said.
    Error(String),
    /// Not published within 24 hours.
    Expired,
    /// A status this adapter does not know.
    Other(String),
}

impl ContainerStatus {
    /// From the status code and the platform's message.
    pub fn from_wire(code: &str, message: Option<&str>) -> ContainerStatus {
        match code.trim().to_ascii_uppercase().as_str() {
            "IN_PROGRESS" => ContainerStatus::InProgress,
            "FINISHED" => ContainerStatus::Finished,
            "PUBLISHED" => ContainerStatus::Published,
            "EXPIRED" => ContainerStatus::Expired,
            "ERROR" => ContainerStatus::Error(
                message
                    .map(|m| crate::http::redact::truncate_chars(m, 200))
                    .unwrap_or_else(|| "no reason given".into()),
            ),
            other => ContainerStatus::Other(crate::http::redact::truncate_chars(other, 40)),
        }
    }
}

/// Parses Meta's timestamps: `2025-01-31T12:00:00+0000` (Graph) and RFC 3339.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// Formats an instant as Graph does: `2025-01-31T12:00:00+0000`.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

/// Deserializes an id given as a string or a number.
pub(crate) fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(serde::de::Error::custom(
            "an id must be a string or a number",
        )),
    }
}

/// Deserializes an optional id given as a string or a number (anything else is `None`).
pub(crate) fn opt_id_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Deserializes an optional count given as a number or a string (anything else is `None`).
pub(crate) fn opt_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(count(&Value::deserialize(d)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_tolerate_junk() {
        let l: List<Value> = serde_json::from_str(r#"{"paging":{"cursors":null}}"#).unwrap();
        assert!(l.data.is_empty());
        assert_eq!(l.after(), None);
        // `after` without `next` is the last page.
        let l: List<Value> =
            serde_json::from_str(r#"{"data":[1],"paging":{"cursors":{"after":"x"}}}"#).unwrap();
        assert_eq!(l.after(), None);
    }

    #[test]
    fn created_ids_may_be_numbers() {
        let c: Created = serde_json::from_str(r#"{"id":17895695668004550}"#).unwrap();
        assert_eq!(c.id, "17895695668004550");
        assert!(serde_json::from_str::<Created>(r#"{"id":null}"#).is_err());
    }

    #[test]
    fn publishing_limit_tolerates_missing_parts() {
        for v in [
            serde_json::json!({}),
            serde_json::json!({"data": []}),
            serde_json::json!({"data": [null]}),
        ] {
            assert_eq!(PublishingLimit::parse(&v), PublishingLimit::default());
        }
        let l = PublishingLimit::parse(
            &serde_json::json!({"data":[{"quota_usage":"3","config":{"quota_total":2},"reply_quota_usage":5,"reply_config":{"quota_total":1000}}]}),
        );
        assert_eq!(l.posts_left(), Some(0));
        assert_eq!(l.replies_left(), Some(995));
    }
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn list() {
        use crate::adapters::graph::api::List;
        let l: List<serde_json::Value> = serde_json::from_str(
            r#"{"data":[{"id":"1"}],"paging":{"cursors":{"before":"b","after":"a"},"next":"https://…"}}"#,
        ).unwrap();
        assert_eq!(l.after(), Some("a"));
        let last: List<serde_json::Value> = serde_json::from_str(r#"{"data":[]}"#).unwrap();
        assert_eq!(last.after(), None);
    }

    #[test]
    fn list_after() {
        let l: crate::adapters::graph::api::List<u8> =
            serde_json::from_str(r#"{"data":[1],"paging":{"cursors":{"after":"c"},"next":"n"}}"#)
                .unwrap();
        assert_eq!(l.after(), Some("c"));
    }

    #[test]
    fn paging() {
        let p: crate::adapters::graph::api::Paging =
            serde_json::from_str(r#"{"next":"https://…"}"#).unwrap();
        assert!(p.cursors.is_none() && p.next.is_some());
    }

    #[test]
    fn cursors() {
        let c: crate::adapters::graph::api::Cursors =
            serde_json::from_str(r#"{"after":"QVFI"}"#).unwrap();
        assert_eq!(c.after.as_deref(), Some("QVFI"));
    }

    #[test]
    fn created() {
        let c: crate::adapters::graph::api::Created =
            serde_json::from_str(r#"{"id":"1","post_id":"9_1"}"#).unwrap();
        assert_eq!(c.post_id.as_deref(), Some("9_1"));
    }

    #[test]
    fn success() {
        let s: crate::adapters::graph::api::Success =
            serde_json::from_str(r#"{"success":true,"deleted_id":"1"}"#).unwrap();
        assert!(s.success);
    }

    #[test]
    fn from() {
        let f: crate::adapters::graph::api::From =
            serde_json::from_str(r#"{"id":17,"username":"bob"}"#).unwrap();
        assert_eq!(
            (f.id.as_deref(), f.username.as_deref()),
            (Some("17"), Some("bob"))
        );
    }

    #[test]
    fn insights() {
        use crate::adapters::graph::api::Insights;
        let i: Insights = serde_json::from_str(
            r#"{"data":[{"name":"views","period":"lifetime","values":[{"value":12}]},{"name":"likes","total_value":{"value":"3"}},{"name":"odd","values":[{"value":{"a":1}}]}]}"#,
        ).unwrap();
        assert_eq!(i.value("views"), Some(12));
        assert_eq!(i.value("likes"), Some(3));
        assert_eq!(i.value("odd"), None);
        assert_eq!(i.value("reach"), None);
    }

    #[test]
    fn insight() {
        let i: crate::adapters::graph::api::Insight =
            serde_json::from_str(r#"{"name":"views","values":[{"value":3}]}"#).unwrap();
        assert_eq!(i.name, "views");
    }

    #[test]
    fn insight_value() {
        let v: crate::adapters::graph::api::InsightValue =
            serde_json::from_str(r#"{"value":3}"#).unwrap();
        assert_eq!(v.value, 3);
    }

    #[test]
    fn insights_value() {
        let i: crate::adapters::graph::api::Insights = serde_json::from_str(
            r#"{"data":[{"name":"reach","values":[{"value":1},{"value":5}]}]}"#,
        )
        .unwrap();
        assert_eq!(i.value("reach"), Some(5));
    }

    #[test]
    fn count() {
        use crate::adapters::graph::api::count;
        assert_eq!(count(&serde_json::json!(5)), Some(5));
        assert_eq!(count(&serde_json::json!("7")), Some(7));
        assert_eq!(count(&serde_json::json!(-1)), None);
        assert_eq!(count(&serde_json::json!(null)), None);
    }

    #[test]
    fn publishing_limit() {
        use crate::adapters::graph::api::PublishingLimit;
        let l = PublishingLimit::parse(
            &serde_json::json!({"data":[{"quota_usage":50,"config":{"quota_total":50,"quota_duration":86400}}]}),
        );
        assert_eq!(l.posts_left(), Some(0));
        assert_eq!(l.replies_left(), None);
    }

    #[test]
    fn publishing_limit_parse() {
        let l = crate::adapters::graph::api::PublishingLimit::parse(
            &serde_json::json!({"data":[{"quota_usage":1}]}),
        );
        assert_eq!((l.quota_usage, l.quota_total), (Some(1), None));
    }

    #[test]
    fn publishing_limit_posts_left() {
        let l = crate::adapters::graph::api::PublishingLimit {
            quota_usage: Some(3),
            quota_total: Some(100),
            ..Default::default()
        };
        assert_eq!(l.posts_left(), Some(97));
    }

    #[test]
    fn publishing_limit_replies_left() {
        let l = crate::adapters::graph::api::PublishingLimit {
            reply_quota_usage: Some(1000),
            reply_quota_total: Some(1000),
            ..Default::default()
        };
        assert_eq!(l.replies_left(), Some(0));
    }

    #[test]
    fn container_status() {
        use crate::adapters::graph::api::ContainerStatus;
        assert_eq!(
            ContainerStatus::from_wire("FINISHED", None),
            ContainerStatus::Finished
        );
        assert!(
            matches!(ContainerStatus::from_wire("ERROR", Some("FAILED_DOWNLOADING_VIDEO")), ContainerStatus::Error(m) if m.contains("VIDEO"))
        );
    }

    #[test]
    fn container_status_from_wire() {
        use crate::adapters::graph::api::ContainerStatus;
        assert_eq!(
            ContainerStatus::from_wire("in_progress", None),
            ContainerStatus::InProgress
        );
    }

    #[test]
    fn parse_time() {
        use crate::adapters::graph::api::parse_time;
        let t = parse_time("2025-01-31T12:00:00+0000").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-01-31T12:00:00+00:00");
        assert_eq!(parse_time("2025-01-31T13:00:00+01:00"), Some(t));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn format_time() {
        let t = crate::adapters::graph::api::parse_time("2025-01-31T12:00:00Z").unwrap();
        assert_eq!(
            crate::adapters::graph::api::format_time(t),
            "2025-01-31T12:00:00+0000"
        );
    }
}
