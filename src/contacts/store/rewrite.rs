//! The value rewrite of an erasure in a shared database ([`ContactStore::scrub`] on SQLite
//! and PostgreSQL): which value of which column changes, and how.
//!
//! A column value that is a JSON document (an object, an array or a string) is parsed, only
//! its string *values* are rewritten (whole words), and it is serialised again: field names
//! and map keys, numbers and booleans are never touched, so a handle that is a common word
//! (`text`, `id`, `author`) cannot rename a field and a numeric id cannot replace a number.
//! Where the record type of a column is known ([`Record`]), the rewrite goes through that
//! type ([`rewrite_record`]): a rewritten value the type refuses (an enum tag that equals
//! the handle, such as an interaction kind `mention`) is kept, so the row still reads back.
//! Any other value is plain text: whole words, as written and JSON-escaped.
//!
//! Columns that hold the store's own scopes and states (`workspace`, `state`, `status`,
//! `kind`, `health`, `intent`) are never rewritten: they name nothing about a person, and a
//! rewritten one would move a row out of its workspace or out of its state machine.
//!
//! [`ContactStore::scrub`]: super::ContactStore::scrub

use std::collections::BTreeSet;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{needle_forms, replace_words};
use crate::contacts::model::{AuditEntry, Contact, Identity, Touch};
use crate::inbox::InboxItem;
use crate::model::Post;
use crate::store::{
    Attempt, ChannelRecord, Comment, Delivery, HistoryEntry, Member, PostRecord, Workspace,
    rewrite_record,
};

/// Plain columns an erasure never rewrites (see the module docs).
const STRUCTURAL: &[&str] = &["workspace", "state", "status", "kind", "health", "intent"];

/// The rewrite of one erasure: every whole-word occurrence of any needle, longest first (so
/// a message text goes whole before a handle inside it), becomes the replacement.
#[derive(Debug, Clone)]
pub(crate) struct Scrubber {
    /// The needles as written, longest first.
    words: Vec<String>,
    /// The needles as written and JSON-escaped, longest first: what a column is searched
    /// for.
    forms: Vec<String>,
    with: String,
}

impl Scrubber {
    /// The rewrite of `needles` (blank ones dropped) into `with`.
    pub(crate) fn new(needles: &[String], with: &str) -> Self {
        let words: BTreeSet<String> = needles
            .iter()
            .filter(|n| !n.trim().is_empty())
            .cloned()
            .collect();
        let forms: BTreeSet<String> = words.iter().flat_map(|n| needle_forms(n)).collect();
        let longest_first = |set: BTreeSet<String>| {
            let mut v: Vec<String> = set.into_iter().collect();
            v.sort_by_key(|f| std::cmp::Reverse(f.len()));
            v
        };
        Scrubber {
            words: longest_first(words),
            forms: longest_first(forms),
            with: with.to_string(),
        }
    }

    /// What a column value must contain to be worth reading: each needle as written and
    /// JSON-escaped.
    pub(crate) fn forms(&self) -> &[String] {
        &self.forms
    }

    /// Whether column `column` of `table` may be rewritten at all.
    pub(crate) fn column(&self, column: &str) -> bool {
        !STRUCTURAL.contains(&column)
    }

    /// `text` with every whole-word occurrence of every one of `forms` replaced; `None`
    /// when there was none.
    fn words_in(&self, text: &str, forms: &[String]) -> Option<String> {
        let mut out: Option<String> = None;
        for f in forms {
            if let Some(n) = replace_words(out.as_deref().unwrap_or(text), f, &self.with) {
                out = Some(n);
            }
        }
        out
    }

    /// The new value of `text`, read from column `column` of `table`; `None` when it stays.
    pub(crate) fn value(&self, table: &str, column: &str, text: &str) -> Option<String> {
        if !self.column(column) {
            return None;
        }
        let new = match json_document(text) {
            Some(doc) => match Record::of(table, column) {
                Some(record) => {
                    let me = self.clone();
                    record
                        .rewrite(text, &move |s: &str| me.words_in(s, &me.words))
                        .unwrap_or_else(|| self.json(doc))
                }
                None => self.json(doc),
            },
            None => self.words_in(text, &self.forms),
        };
        new.filter(|n| n != text)
    }

    /// `doc` with its string values rewritten, serialised; `None` when none changed.
    fn json(&self, mut doc: Value) -> Option<String> {
        fn walk(v: &mut Value, s: &Scrubber) -> bool {
            match v {
                Value::String(text) => match s.words_in(text, &s.words) {
                    Some(new) => {
                        *text = new;
                        true
                    }
                    None => false,
                },
                Value::Array(a) => a.iter_mut().fold(false, |c, v| walk(v, s) | c),
                Value::Object(o) => o.values_mut().fold(false, |c, v| walk(v, s) | c),
                _ => false,
            }
        }
        if walk(&mut doc, self) {
            serde_json::to_string(&doc).ok()
        } else {
            None
        }
    }
}

/// `text` parsed, when it is a JSON object, array or string (a number or a word is text).
fn json_document(text: &str) -> Option<Value> {
    let first = text.trim_start().chars().next()?;
    if !matches!(first, '{' | '[' | '"') {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// The record types stored as JSON in the tables of socialkit's stores, by table and
/// column (the same names on SQLite and PostgreSQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    InboxItem,
    Touch,
    Identity,
    Contact,
    Audit,
    Delivery,
    Content,
    Post,
    History,
    Attempt,
    Comment,
    Workspace,
    Member,
    Channel,
}

impl Record {
    fn of(table: &str, column: &str) -> Option<Record> {
        Some(match (table, column) {
            ("inbox_item_data", "data") => Record::InboxItem,
            ("contact_touches", "data") => Record::Touch,
            ("contact_identities", "data") => Record::Identity,
            ("contact_contacts", "data") => Record::Contact,
            ("contact_audit", "data") => Record::Audit,
            ("deliveries", "data") => Record::Delivery,
            ("deliveries", "content") => Record::Content,
            ("posts", "data") => Record::Post,
            ("history", "data") => Record::History,
            ("attempts", "data") => Record::Attempt,
            ("comments", "data") => Record::Comment,
            ("workspaces", "data") => Record::Workspace,
            ("members", "data") => Record::Member,
            ("channels", "data") => Record::Channel,
            _ => return None,
        })
    }

    /// `text` rewritten through the record type: `Some(None)` when nothing changed, `None`
    /// when `text` is not such a record (then it is rewritten as untyped JSON).
    fn rewrite(self, text: &str, rewrite: &crate::store::TextRewrite) -> Option<Option<String>> {
        fn via<T: Serialize + DeserializeOwned>(
            text: &str,
            rewrite: &crate::store::TextRewrite,
        ) -> Option<Option<String>> {
            let mut record: T = serde_json::from_str(text).ok()?;
            let changed = rewrite_record(&mut record, rewrite).ok()?;
            if !changed {
                return Some(None);
            }
            serde_json::to_string(&record).ok().map(Some)
        }
        match self {
            Record::InboxItem => via::<InboxItem>(text, rewrite),
            Record::Touch => via::<Touch>(text, rewrite),
            Record::Identity => via::<Identity>(text, rewrite),
            Record::Contact => via::<Contact>(text, rewrite),
            Record::Audit => via::<AuditEntry>(text, rewrite),
            Record::Delivery => via::<Delivery>(text, rewrite),
            Record::Content => via::<Post>(text, rewrite),
            Record::Post => via::<PostRecord>(text, rewrite),
            Record::History => via::<HistoryEntry>(text, rewrite),
            Record::Attempt => via::<Attempt>(text, rewrite),
            Record::Comment => via::<Comment>(text, rewrite),
            Record::Workspace => via::<Workspace>(text, rewrite),
            Record::Member => via::<Member>(text, rewrite),
            Record::Channel => via::<ChannelRecord>(text, rewrite),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(needles: &[&str]) -> Scrubber {
        let n: Vec<String> = needles.iter().map(|n| n.to_string()).collect();
        Scrubber::new(&n, "erased-1")
    }

    #[test]
    fn field_names_and_numbers_stay() {
        let got = s(&["text", "id", "7"])
            .value(
                "events",
                "payload",
                r#"{"id":"id","text":"the text, id 7","n":7,"text list":["text"]}"#,
            )
            .unwrap();
        let v: Value = serde_json::from_str(&got).unwrap();
        assert_eq!(v["id"], "erased-1");
        assert_eq!(v["text"], "the erased-1, erased-1 erased-1");
        assert_eq!(v["n"], 7);
        assert_eq!(v["text list"][0], "erased-1");
    }

    #[test]
    fn plain_text_and_structural_columns() {
        let scrub = s(&["ann", "say \"hi\""]);
        assert_eq!(
            scrub.value("t", "note", "@ann and annie").as_deref(),
            Some("@erased-1 and annie")
        );
        assert_eq!(scrub.value("t", "note", "annie"), None);
        assert_eq!(scrub.value("t", "state", "ann"), None);
        assert_eq!(scrub.value("t", "workspace", "ann"), None);
        // A JSON string value holding the escaped form is unescaped before matching.
        let got = scrub.value("t", "data", r#"{"q":"they say \"hi\" ann"}"#);
        assert_eq!(got.as_deref(), Some(r#"{"q":"they erased-1 erased-1"}"#));
        // Not JSON: the escaped form is matched as written.
        assert_eq!(
            scrub.value("t", "note", r#"x say \"hi\" y"#).as_deref(),
            Some("x erased-1 y")
        );
    }

    #[test]
    fn a_typed_record_keeps_its_enum_tags() {
        use crate::contacts::model::IdentityKey;
        use crate::model::InteractionKind;
        let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let key = IdentityKey::new("x", "mention");
        let t = Touch::new("k1", key, "acme-x", InteractionKind::Mention, at);
        let text = serde_json::to_string(&t).unwrap();
        assert!(text.contains(r#""mention""#));
        let got = s(&["mention"])
            .value("contact_touches", "data", &text)
            .unwrap();
        let back: Touch = serde_json::from_str(&got).unwrap();
        assert_eq!(back.kind, InteractionKind::Mention);
        assert_eq!(back.identity.id, "erased-1");
        // Untyped, the same text would lose its tag: the type is what keeps it.
        let untyped = s(&["mention"]).value("elsewhere", "data", &text).unwrap();
        assert!(serde_json::from_str::<Touch>(&untyped).is_err());
    }
}
