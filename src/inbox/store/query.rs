//! The SQL of the inbox's queries, one text for SQLite and PostgreSQL: the columns of a row,
//! the conditions of a [`Narrowing`] and the order (with its keyset condition) of a
//! [`SortOrder`]. What differs between the two dialects — how an argument is written and bound,
//! and how a row's tags are tested — is a [`Binder`]; everything else is SQL both understand
//! (`TRUE`, row-value comparison, `COALESCE`).

use serde::Serialize;

use super::{Facts, PageCursor, us};
use crate::error::Result;
use crate::inbox::sla::SlaPolicy;
use crate::inbox::{InboxItem, Narrowing, SlaStanding, SortOrder};

/// Binds arguments of one statement in one dialect: each call records the value and returns
/// the placeholder that stands for it in the SQL text.
pub(crate) trait Binder {
    /// An integer argument.
    fn int(&mut self, v: i64) -> String;
    /// A text argument.
    fn text(&mut self, v: String) -> String;
    /// The condition "the row `i` has tag `tag`".
    fn has_tag(&mut self, tag: String) -> String;
}

/// The columns of `inbox_items`, in the order of [`Columns`].
pub(crate) const COLUMNS: &[&str] = &[
    "workspace",
    "key",
    "channel",
    "state",
    "assignee",
    "intent",
    "priority",
    "opened_at",
    "resolved_at",
    "first_response_at",
    "member",
    "polarity",
    "tags",
    "urgency",
    "breached",
    "awaiting_reply",
    "measured",
    "first_response_due",
    "resolution_due",
    "next_due",
    "first_response_time",
    "resolution_time",
];

/// `INSERT INTO inbox_items (…) VALUES (<marks>) <tail>`, with `mark(i)` the placeholder of
/// the `i`-th column (from 1).
pub(crate) fn insert_sql(mark: impl Fn(usize) -> String, tail: &str) -> String {
    let marks = (1..=COLUMNS.len()).map(mark).collect::<Vec<_>>().join(", ");
    format!(
        "INSERT INTO inbox_items ({}) VALUES ({marks}) {tail}",
        COLUMNS.join(", ")
    )
}

/// `ON CONFLICT (workspace, key) DO UPDATE SET` every column but the key.
pub(crate) fn upsert_tail() -> String {
    let updates = COLUMNS
        .iter()
        .filter(|c| **c != "workspace" && **c != "key")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("ON CONFLICT (workspace, key) DO UPDATE SET {updates}")
}

/// The serde name of a unit variant (`ItemState::New` → `new`).
pub(crate) fn tag<T: Serialize>(v: &T) -> Result<String> {
    match serde_json::to_value(v)? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

/// The values of an item's row in `inbox_items` but its workspace and key (the item's).
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    pub channel: String,
    pub state: String,
    pub assignee: Option<String>,
    pub intent: Option<String>,
    /// The rank of the priority, low 0 … urgent 3.
    pub priority: Option<i64>,
    pub polarity: Option<String>,
    pub tags: Option<Vec<String>>,
    pub facts: Facts,
}

impl Columns {
    /// The row of `item` under `sla`.
    pub(crate) fn of(item: &InboxItem, sla: &SlaPolicy) -> Result<Columns> {
        let c = item.classification.as_ref();
        Ok(Columns {
            channel: item.channel.clone(),
            state: tag(&item.state)?,
            assignee: item.assignee.clone(),
            intent: c.map(|c| tag(&c.intent)).transpose()?,
            priority: c.map(|c| c.priority as i64),
            polarity: c.map(|c| tag(&c.sentiment.polarity())).transpose()?,
            tags: c.map(|c| c.tags.clone()),
            facts: Facts::of(item, sla),
        })
    }
}

/// `column IN (…)` over `values`.
fn any_of(b: &mut impl Binder, column: &str, values: Vec<String>) -> String {
    let marks = values
        .into_iter()
        .map(|v| b.text(v))
        .collect::<Vec<_>>()
        .join(", ");
    format!(" AND {column} IN ({marks})")
}

/// The SQL of "missed at `at`" ([`Facts::breached_at`]).
fn breached_at(b: &mut impl Binder, at: i64) -> String {
    let (a1, a2) = (b.int(at), b.int(at));
    format!(
        "(i.breached = TRUE OR (i.measured = TRUE AND (
        (i.first_response_due IS NOT NULL
            AND COALESCE(i.first_response_at, i.resolved_at, {a1}) >= i.first_response_due)
        OR (i.resolution_due IS NOT NULL AND COALESCE(i.resolved_at, {a2}) >= i.resolution_due))))"
    )
}

/// The conditions of `n` but its text query, each starting with ` AND`, on the row `i`.
pub(crate) fn conditions(n: &Narrowing, b: &mut impl Binder) -> Result<String> {
    let mut sql = String::new();
    if !n.states.is_empty() {
        let states = n.states.iter().map(tag).collect::<Result<Vec<_>>>()?;
        sql += &any_of(b, "i.state", states);
    }
    match &n.assignee {
        None => {}
        Some(None) => sql += " AND i.assignee IS NULL",
        Some(Some(m)) => sql += &format!(" AND i.assignee = {}", b.text(m.clone())),
    }
    if n.assigned {
        sql += " AND i.assignee IS NOT NULL";
    }
    if !n.channels.is_empty() {
        sql += &any_of(b, "i.channel", n.channels.clone());
    }
    if !n.intents.is_empty() {
        let intents = n.intents.iter().map(tag).collect::<Result<Vec<_>>>()?;
        sql += &any_of(b, "i.intent", intents);
    }
    if let Some(p) = n.min_priority {
        sql += &format!(" AND i.priority >= {}", b.int(p as i64));
    }
    if !n.sentiment.is_empty() {
        let bands = n.sentiment.iter().map(tag).collect::<Result<Vec<_>>>()?;
        sql += &any_of(b, "i.polarity", bands);
    }
    for t in &n.tags {
        sql += &format!(" AND {}", b.has_tag(t.clone()));
    }
    if let Some(from) = n.opened.from {
        sql += &format!(" AND i.opened_at >= {}", b.int(us(from)));
    }
    if let Some(to) = n.opened.to {
        sql += &format!(" AND i.opened_at < {}", b.int(us(to)));
    }
    if let Some(since) = n.resolved_since {
        sql += &format!(" AND i.resolved_at >= {}", b.int(us(since)));
    }
    if n.measured {
        sql += " AND i.measured = TRUE";
    }
    if n.awaiting_reply {
        sql += " AND i.awaiting_reply = TRUE";
    }
    match &n.sla {
        None => {}
        Some(SlaStanding::Breached { at }) => {
            sql += " AND ";
            sql += &breached_at(b, us(*at));
        }
        Some(SlaStanding::AtRisk { at, due_by }) => {
            sql += " AND NOT ";
            sql += &breached_at(b, us(*at));
            sql += " AND i.next_due <> 9223372036854775807";
            if let Some(by) = due_by {
                sql += &format!(" AND i.next_due <= {}", b.int(us(*by)));
            }
        }
    }
    Ok(sql)
}

/// `ORDER BY` of `sort`, and the condition "after `after`" in it (a cursor of another order
/// counts as none).
pub(crate) fn order(
    sort: SortOrder,
    after: Option<&PageCursor>,
    b: &mut impl Binder,
) -> (String, String) {
    let (rank, order) = match sort {
        SortOrder::PriorityThenAge => (Some("i.urgency"), "i.urgency, i.opened_at, i.key"),
        SortOrder::Oldest => (None, "i.opened_at, i.key"),
        SortOrder::Newest => (None, "i.opened_at DESC, i.key"),
        SortOrder::SlaDueSoonest => (Some("i.next_due"), "i.next_due, i.opened_at, i.key"),
    };
    let Some((r, at, key)) = after.filter(|c| c.fits(sort)).map(|c| c.parts()) else {
        return (String::new(), format!(" ORDER BY {order}"));
    };
    let cond = match (sort, rank) {
        (SortOrder::Newest, _) => {
            let (a1, a2, k) = (b.int(at), b.int(at), b.text(key.to_string()));
            format!(" AND (i.opened_at < {a1} OR (i.opened_at = {a2} AND i.key > {k}))")
        }
        (_, Some(rank)) => {
            let (r, a, k) = (b.int(r), b.int(at), b.text(key.to_string()));
            format!(" AND ({rank}, i.opened_at, i.key) > ({r}, {a}, {k})")
        }
        (_, None) => {
            let (a, k) = (b.int(at), b.text(key.to_string()));
            format!(" AND (i.opened_at, i.key) > ({a}, {k})")
        }
    };
    (cond, format!(" ORDER BY {order}"))
}
