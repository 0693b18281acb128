//! Inbox rules as data: when an interaction matches a condition, tag it, assign it, set its
//! priority or its intent. Rules are serde data, so an app can store and edit them.
//!
//! ```
//! use socialkit::listen::classify::Rule;
//! let rules: Vec<Rule> = serde_json::from_str(r#"[
//!   {"name": "billing", "when": {"query": "invoice OR refund OR \"charged twice\""},
//!    "then": [{"tag": "billing"}, {"assign": "finance-team"}]},
//!   {"name": "vip", "when": {"any": [{"min_followers": 100000}, {"author": ["@bigcustomer"]}]},
//!    "then": ["raise_priority", {"tag": "vip"}]},
//!   {"name": "mastodon dms", "when": {"all": [{"channel": ["mastodon"]}, {"kind": ["direct_message"]}]},
//!    "then": [{"priority": "high"}]}
//! ]"#).unwrap();
//! assert_eq!(rules.len(), 3);
//! ```

use serde::{Deserialize, Serialize};

use super::{Intent, Priority};
use crate::listen::query::{Document, Query};
use crate::listen::sentiment::Language;
use crate::model::{Interaction, InteractionKind};

/// When a rule applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Always.
    Always,
    /// The text matches a listening query (keywords, phrases, hashtags, mentions, AND/OR/NOT).
    Query(Query),
    /// The author's handle or id is one of these (case-insensitive, `@` optional).
    Author(Vec<String>),
    /// The author has at least this many followers.
    MinFollowers(u64),
    /// The channel id or platform name is one of these (case-insensitive).
    Channel(Vec<String>),
    /// The interaction is of one of these kinds.
    Kind(Vec<InteractionKind>),
    /// The classified intent is one of these.
    Intent(Vec<Intent>),
    /// The compound sentiment is at most this.
    SentimentAtMost(f64),
    /// The compound sentiment is at least this.
    SentimentAtLeast(f64),
    /// The text's language is one of these.
    Language(Vec<Language>),
    /// All of these.
    All(Vec<Condition>),
    /// Any of these.
    Any(Vec<Condition>),
    /// Not this.
    Not(Box<Condition>),
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Adds a tag.
    Tag(String),
    /// Assigns to a member or team (the first assignment among matching rules wins).
    Assign(String),
    /// Sets the priority.
    Priority(Priority),
    /// Raises the priority one level.
    RaisePriority,
    /// Sets the intent.
    Intent(Intent),
}

/// A named rule: a condition and the actions taken when it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// A name people recognise (shown in the classification's reasons).
    pub name: String,
    /// When the rule applies.
    pub when: Condition,
    /// What it does, in order.
    pub then: Vec<Action>,
}

/// What a condition can look at.
pub(crate) struct Subject<'a> {
    pub interaction: Option<&'a Interaction>,
    pub channel: Option<&'a str>,
    pub doc: &'a Document,
    pub intent: Intent,
    pub compound: f64,
    pub language: Language,
}

impl Condition {
    pub(crate) fn holds(&self, s: &Subject<'_>) -> bool {
        let eq = |a: &str, b: &str| {
            a.trim_start_matches('@')
                .eq_ignore_ascii_case(b.trim_start_matches('@'))
        };
        match self {
            Condition::Always => true,
            Condition::Query(q) => q.matches_document(s.doc),
            Condition::Author(list) => s.interaction.is_some_and(|i| {
                list.iter().any(|h| {
                    eq(h, &i.author.handle) || (!i.author.id.is_empty() && eq(h, &i.author.id))
                })
            }),
            Condition::MinFollowers(n) => s
                .interaction
                .and_then(|i| i.author.followers)
                .is_some_and(|f| f >= *n),
            Condition::Channel(list) => list.iter().any(|c| {
                s.channel.is_some_and(|ch| eq(c, ch))
                    || s.interaction
                        .is_some_and(|i| eq(c, i.reference.platform.as_str()))
            }),
            Condition::Kind(kinds) => s.interaction.is_some_and(|i| kinds.contains(&i.kind)),
            Condition::Intent(intents) => intents.contains(&s.intent),
            Condition::SentimentAtMost(x) => s.compound <= *x,
            Condition::SentimentAtLeast(x) => s.compound >= *x,
            Condition::Language(langs) => langs.contains(&s.language),
            Condition::All(v) => v.iter().all(|c| c.holds(s)),
            Condition::Any(v) => v.iter().any(|c| c.holds(s)),
            Condition::Not(c) => !c.holds(s),
        }
    }
}

impl Priority {
    /// One level up (Urgent stays Urgent).
    ///
    /// ```
    /// use socialkit::listen::classify::Priority;
    /// assert_eq!(Priority::Normal.raised(), Priority::High);
    /// assert_eq!(Priority::Urgent.raised(), Priority::Urgent);
    /// ```
    pub fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Normal,
            Priority::Normal => Priority::High,
            Priority::High | Priority::Urgent => Priority::Urgent,
        }
    }
}
