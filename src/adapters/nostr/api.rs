//! The wire messages between a client and a relay, and the relay information document.
//!
//! Sources (github.com/nostr-protocol/nips):
//! - NIP-01 "Communication between clients and relays": client → relay `["EVENT", event]`,
//!   `["REQ", subscription_id, filter…]`, `["CLOSE", subscription_id]`; relay → client
//!   `["EVENT", subscription_id, event]`, `["OK", event_id, true|false, message]`,
//!   `["EOSE", subscription_id]`, `["CLOSED", subscription_id, message]`, `["NOTICE",
//!   message]`; filters `{ids, authors, kinds, #<letter>, since, until, limit}`;
//! - NIP-42 `["AUTH", challenge]`; NIP-45 `["COUNT", …]` (read and ignored);
//! - NIP-50 the filter's `search` field;
//! - NIP-11 the relay information document (`GET` with `Accept: application/nostr+json`):
//!   `name`, `supported_nips`, `software`, `version`, `limitation.{max_message_length,
//!   max_subscriptions, max_limit, max_event_tags, max_content_length, min_pow_difficulty,
//!   auth_required, payment_required, restricted_writes, created_at_lower_limit,
//!   created_at_upper_limit}`.
//!
//! Decoding never panics: anything a relay sends that is not one of these is an
//! [`Unexpected`](crate::ErrorKind::Unexpected) error (fuzzed in `fuzz/fuzz_targets/adapter_nostr.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::PLATFORM;
use super::event::Event;
use crate::{Error, ErrorKind, Result};

/// A message from a relay (NIP-01, NIP-42).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayMessage {
    /// `["EVENT", subscription_id, event]`.
    Event {
        /// The subscription.
        subscription: String,
        /// The event (not yet verified).
        event: Box<Event>,
    },
    /// `["OK", event_id, accepted, message]` (NIP-01, formerly NIP-20).
    Ok {
        /// The event's id.
        id: String,
        /// Whether the relay accepted it.
        accepted: bool,
        /// `prefix: human text`, or empty.
        message: String,
    },
    /// `["EOSE", subscription_id]`: the stored events are all sent.
    Eose {
        /// The subscription.
        subscription: String,
    },
    /// `["CLOSED", subscription_id, message]`: the relay ended the subscription.
    Closed {
        /// The subscription.
        subscription: String,
        /// `prefix: human text`.
        message: String,
    },
    /// `["NOTICE", message]`.
    Notice(String),
    /// `["AUTH", challenge]` (NIP-42).
    Auth(String),
    /// A message of another type (`COUNT` …), kept by name.
    Other(String),
}

fn malformed(what: &str) -> Error {
    Error::new(
        ErrorKind::Unexpected,
        format!("the nostr relay sent a malformed message: {what}"),
    )
    .with_platform(PLATFORM)
}

fn string_at(items: &[Value], i: usize, what: &str) -> Result<String> {
    items
        .get(i)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| malformed(what))
}

impl RelayMessage {
    /// Decodes one websocket text frame from a relay.
    pub fn decode(text: &str) -> Result<RelayMessage> {
        let value: Value = serde_json::from_str(text).map_err(|_| malformed("not a JSON array"))?;
        let items = value
            .as_array()
            .ok_or_else(|| malformed("not a JSON array"))?;
        let kind = string_at(items, 0, "no message type")?;
        Ok(match kind.as_str() {
            "EVENT" => {
                let subscription = string_at(items, 1, "EVENT without a subscription id")?;
                let event = items
                    .get(2)
                    .cloned()
                    .and_then(|v| serde_json::from_value::<Event>(v).ok())
                    .ok_or_else(|| malformed("EVENT without a valid event"))?;
                RelayMessage::Event {
                    subscription,
                    event: Box::new(event),
                }
            }
            "OK" => RelayMessage::Ok {
                id: string_at(items, 1, "OK without an event id")?,
                accepted: items
                    .get(2)
                    .and_then(Value::as_bool)
                    .ok_or_else(|| malformed("OK without true or false"))?,
                // The message is required since NIP-01 absorbed NIP-20; older relays omit it.
                message: items
                    .get(3)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            },
            "EOSE" => RelayMessage::Eose {
                subscription: string_at(items, 1, "EOSE without a subscription id")?,
            },
            "CLOSED" => RelayMessage::Closed {
                subscription: string_at(items, 1, "CLOSED without a subscription id")?,
                message: items
                    .get(2)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            },
            "NOTICE" => RelayMessage::Notice(string_at(items, 1, "NOTICE without a message")?),
            "AUTH" => RelayMessage::Auth(string_at(items, 1, "AUTH without a challenge")?),
            other => RelayMessage::Other(other.chars().take(32).collect()),
        })
    }
}

/// A NIP-01 filter (with NIP-50 `search`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// Event ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    /// Authors' public keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authors: Option<Vec<String>>,
    /// Kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<u32>>,
    /// Single-letter tag queries: `#e`, `#p`, `#t` …
    #[serde(flatten)]
    pub tags: BTreeMap<String, Vec<String>>,
    /// `created_at >= since`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<u64>,
    /// `created_at <= until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<u64>,
    /// At most this many of the newest stored events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// NIP-50 full-text search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
}

impl Filter {
    /// Only these ids.
    pub fn ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }
    /// Only these authors.
    pub fn authors<S: Into<String>>(mut self, a: impl IntoIterator<Item = S>) -> Self {
        self.authors = Some(a.into_iter().map(Into::into).collect());
        self
    }
    /// Only these kinds.
    pub fn kinds(mut self, kinds: impl IntoIterator<Item = u32>) -> Self {
        self.kinds = Some(kinds.into_iter().collect());
        self
    }
    /// Events with a tag `letter` whose first value is one of `values`.
    pub fn tag<S: Into<String>>(
        mut self,
        letter: char,
        values: impl IntoIterator<Item = S>,
    ) -> Self {
        self.tags.insert(
            format!("#{letter}"),
            values.into_iter().map(Into::into).collect(),
        );
        self
    }
    /// Created at or after `since`.
    pub fn since(mut self, since: u64) -> Self {
        self.since = Some(since);
        self
    }
    /// Created at or before `until`.
    pub fn until(mut self, until: u64) -> Self {
        self.until = Some(until);
        self
    }
    /// At most `limit`.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Whether `event` matches everything but `search` (whose matching is the relay's own):
    /// what a client checks of what a relay sent.
    pub fn matches_loosely(&self, event: &Event) -> bool {
        Filter {
            search: None,
            ..self.clone()
        }
        .matches(event)
    }

    /// Whether `event` matches (the twin's reading of NIP-01's filter rules; `search` is a
    /// case-insensitive match of every word).
    pub fn matches(&self, event: &Event) -> bool {
        let within = |list: &Option<Vec<String>>, v: &str| {
            list.as_ref().is_none_or(|l| l.iter().any(|x| x == v))
        };
        within(&self.ids, &event.id)
            && within(&self.authors, &event.pubkey)
            && self.kinds.as_ref().is_none_or(|k| k.contains(&event.kind))
            && self.since.is_none_or(|s| event.created_at >= s)
            && self.until.is_none_or(|u| event.created_at <= u)
            && self.tags.iter().all(|(name, values)| {
                let letter = name.trim_start_matches('#');
                event
                    .tags_named(letter)
                    .any(|t| t.first().is_some_and(|v| values.contains(v)))
            })
            && self.search.as_ref().is_none_or(|q| {
                let content = event.content.to_lowercase();
                q.split_whitespace()
                    .all(|w| content.contains(&w.to_lowercase()))
            })
    }
}

/// `["EVENT", event]`.
pub fn event_message(event: &Event) -> String {
    serde_json::json!(["EVENT", event]).to_string()
}

/// `["REQ", subscription, filters…]`.
pub fn req_message(subscription: &str, filters: &[Filter]) -> String {
    let mut items = vec![Value::from("REQ"), Value::from(subscription)];
    items.extend(filters.iter().filter_map(|f| serde_json::to_value(f).ok()));
    Value::Array(items).to_string()
}

/// `["CLOSE", subscription]`.
pub fn close_message(subscription: &str) -> String {
    serde_json::json!(["CLOSE", subscription]).to_string()
}

/// The NIP-11 relay information document (the fields socialkit reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayInfo {
    /// The relay's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The NIPs it implements.
    #[serde(default)]
    pub supported_nips: Vec<u32>,
    /// Its software's URL.
    #[serde(default)]
    pub software: Option<String>,
    /// Its software's version.
    #[serde(default)]
    pub version: Option<String>,
    /// Its limits.
    #[serde(default)]
    pub limitation: Option<Limitation>,
}

impl RelayInfo {
    /// Whether the relay says it implements NIP `nip`.
    pub fn supports(&self, nip: u32) -> bool {
        self.supported_nips.contains(&nip)
    }
}

/// NIP-11 `limitation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limitation {
    /// Longest websocket message, in bytes.
    #[serde(default)]
    pub max_message_length: Option<u64>,
    /// Most open subscriptions per connection.
    #[serde(default)]
    pub max_subscriptions: Option<u64>,
    /// Largest `limit` honoured.
    #[serde(default)]
    pub max_limit: Option<u64>,
    /// Most tags on an event.
    #[serde(default)]
    pub max_event_tags: Option<u64>,
    /// Most characters of `content`.
    #[serde(default)]
    pub max_content_length: Option<u64>,
    /// Required NIP-13 proof-of-work difficulty.
    #[serde(default)]
    pub min_pow_difficulty: Option<u64>,
    /// NIP-42 authentication is required.
    #[serde(default)]
    pub auth_required: Option<bool>,
    /// Payment is required to write.
    #[serde(default)]
    pub payment_required: Option<bool>,
    /// Writes are restricted to some keys.
    #[serde(default)]
    pub restricted_writes: Option<bool>,
    /// Oldest `created_at` accepted, as seconds before now.
    #[serde(default)]
    pub created_at_lower_limit: Option<u64>,
    /// Newest `created_at` accepted, as seconds after now.
    #[serde(default)]
    pub created_at_upper_limit: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_type_decodes_and_junk_is_an_error() {
        let ev = r#"{"id":"a","pubkey":"b","created_at":1,"kind":1,"tags":[["e","x"]],"content":"c","sig":"d"}"#;
        assert!(matches!(
            RelayMessage::decode(&format!(r#"["EVENT","s1",{ev}]"#)).unwrap(),
            RelayMessage::Event { subscription, .. } if subscription == "s1"
        ));
        assert_eq!(
            RelayMessage::decode(r#"["EOSE","s1"]"#).unwrap(),
            RelayMessage::Eose {
                subscription: "s1".into()
            }
        );
        assert_eq!(
            RelayMessage::decode(r#"["CLOSED","s1","unsupported: search"]"#).unwrap(),
            RelayMessage::Closed {
                subscription: "s1".into(),
                message: "unsupported: search".into()
            }
        );
        assert_eq!(
            RelayMessage::decode(r#"["OK","id",true]"#).unwrap(),
            RelayMessage::Ok {
                id: "id".into(),
                accepted: true,
                message: String::new()
            }
        );
        assert_eq!(
            RelayMessage::decode(r#"["NOTICE","hi"]"#).unwrap(),
            RelayMessage::Notice("hi".into())
        );
        assert_eq!(
            RelayMessage::decode(r#"["AUTH","ch"]"#).unwrap(),
            RelayMessage::Auth("ch".into())
        );
        assert_eq!(
            RelayMessage::decode(r#"["COUNT","s",{"count":1}]"#).unwrap(),
            RelayMessage::Other("COUNT".into())
        );
        for junk in [
            "",
            "{}",
            "[]",
            "[1]",
            r#"["EVENT","s"]"#,
            r#"["EVENT","s",{"id":1}]"#,
            r#"["OK","id","yes"]"#,
            "[\"EOSE\"]",
        ] {
            let e = RelayMessage::decode(junk).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Unexpected, "{junk}");
        }
    }

    #[test]
    fn requests_are_nip01_arrays() {
        let f = Filter::default().authors(["ab"]).kinds([1, 6]);
        assert_eq!(
            req_message("sub", &[f]),
            r#"["REQ","sub",{"authors":["ab"],"kinds":[1,6]}]"#
        );
        assert_eq!(close_message("sub"), r#"["CLOSE","sub"]"#);
    }
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn module() {
        use crate::adapters::nostr::api::RelayMessage;
        let m = RelayMessage::decode(r#"["OK","ab",false,"blocked: no"]"#).unwrap();
        assert!(matches!(
            m,
            RelayMessage::Ok {
                accepted: false,
                ..
            }
        ));
        assert!(RelayMessage::decode(r#"["OK"]"#).is_err());
    }

    #[test]
    fn filter() {
        use crate::adapters::nostr::api::Filter;
        let f = Filter::default()
            .kinds([1])
            .tag('p', ["ab"])
            .since(10)
            .limit(5);
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kinds": [1], "#p": ["ab"], "since": 10, "limit": 5})
        );
    }

    #[test]
    fn relay_info() {
        let info: crate::adapters::nostr::api::RelayInfo = serde_json::from_str(
            r#"{"name":"r","supported_nips":[1,11,50],"limitation":{"max_content_length":8196}}"#,
        )
        .unwrap();
        assert!(info.supports(50));
        assert_eq!(info.limitation.unwrap().max_content_length, Some(8196));
    }
}
