//! Filters, sort orders, paging and saved views over inbox items.
//!
//! An [`InboxFilter`] is data (serde): state, assignee, channel, intent, sentiment, minimum
//! priority, tags, SLA standing, a text [`Query`] and a time range. A [`View`] is a named
//! filter with a [`SortOrder`]; [`View::presets`] has the usual ones. [`Inbox::view`] gives a
//! page of a view, [`Inbox::counts`] the number of items of each view (badges).
//!
//! Stores narrow first: [`InboxFilter::narrowing`] is the part a store can evaluate cheaply
//! ([`Narrowing`]: state, assignee, channel, intent, priority, time; SQLite has columns for
//! them), and the full filter then runs in Rust on what the store returned. Every store thus
//! gives the same items in the same order.

use std::cmp::Reverse;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::sla::SlaPolicy;
use super::{Inbox, InboxItem, ItemState};
use crate::error::Result;
use crate::listen::classify::{Intent, Priority};
use crate::listen::query::Query;
use crate::listen::sentiment::Polarity;

/// Whose items.
///
/// ```
/// use socialkit::inbox::AssigneeFilter;
/// let a: AssigneeFilter = serde_json::from_str(r#"{"member": "ann"}"#).unwrap();
/// assert_eq!(a, AssigneeFilter::Member("ann".into()));
/// assert_eq!(serde_json::to_string(&AssigneeFilter::Me).unwrap(), r#""me""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeFilter {
    /// Nobody's.
    Unassigned,
    /// Assigned to anybody.
    Anyone,
    /// The member looking (given to [`Inbox::view`]); nothing when nobody is given.
    Me,
    /// One member's.
    Member(String),
}

/// Where an item stands against its SLA.
///
/// ```
/// use socialkit::inbox::SlaFilter;
/// let f: SlaFilter = serde_json::from_str(r#"{"at_risk": {"within_minutes": 30}}"#).unwrap();
/// assert_eq!(f, SlaFilter::AtRisk { within_minutes: 30 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaFilter {
    /// A target is missed (raised already, or missed at the time of the query).
    Breached,
    /// Not breached, and a running target falls due within this much business time.
    AtRisk {
        /// Business minutes left at most.
        within_minutes: u32,
    },
}

/// A half-open range `[from, to)` of the instant the customer wrote.
///
/// ```
/// use socialkit::inbox::TimeRange;
/// let r = TimeRange { from: Some("2026-03-02T00:00:00Z".parse().unwrap()), to: None };
/// assert!(r.contains("2026-03-02T00:00:00Z".parse().unwrap()));
/// assert!(!r.contains("2026-03-01T23:59:59Z".parse().unwrap()));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    /// From this instant on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// Whether `t` is in the range.
    ///
    /// ```
    /// use socialkit::inbox::TimeRange;
    /// assert!(TimeRange::default().contains(chrono::Utc::now()));
    /// ```
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t < e)
    }
}

/// Which inbox items: every condition given must hold; a list matches any of its values
/// (tags: all of them); an empty filter matches everything. Conditions on the
/// classification never match unclassified items.
///
/// ```
/// use socialkit::inbox::{AssigneeFilter, InboxFilter, ItemState};
/// use socialkit::listen::classify::Intent;
/// let f: InboxFilter = serde_json::from_str(
///     r#"{"states": ["new", "pending"], "assignee": "unassigned", "intents": ["complaint"],
///         "text": "refund* OR broken"}"#,
/// ).unwrap();
/// assert_eq!(f.assignee, Some(AssigneeFilter::Unassigned));
/// assert_eq!(f.intents, [Intent::Complaint]);
/// assert_eq!(f.text.as_ref().unwrap().source(), "refund* OR broken");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InboxFilter {
    /// Workflow states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<ItemState>,
    /// Assignee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<AssigneeFilter>,
    /// Channel names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// Intents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intents: Vec<Intent>,
    /// Sentiment bands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sentiment: Vec<Polarity>,
    /// Priority at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_priority: Option<Priority>,
    /// Tags, all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// SLA standing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaFilter>,
    /// Text query on the interaction's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Query>,
    /// When the customer wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened: Option<TimeRange>,
}

/// What a filter is evaluated against besides the item.
///
/// ```
/// use socialkit::inbox::{FilterContext, sla::SlaPolicy};
/// let policy = SlaPolicy::default();
/// let ctx = FilterContext { me: Some("ann"), now: chrono::Utc::now(), sla: &policy };
/// assert_eq!(ctx.me, Some("ann"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FilterContext<'a> {
    /// The member looking, for [`AssigneeFilter::Me`].
    pub me: Option<&'a str>,
    /// The instant of the query.
    pub now: DateTime<Utc>,
    /// The SLA policy.
    pub sla: &'a SlaPolicy,
}

impl InboxFilter {
    /// Whether `item` matches, exactly.
    ///
    /// ```
    /// use socialkit::inbox::{FilterContext, InboxFilter, InboxItem, sla::SlaPolicy};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let now = chrono::Utc::now();
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Mention,
    ///     author: Author::default(), text: Some("my anvil is broken".into()), created_at: now,
    ///     post: None, conversation: None, language: None,
    /// };
    /// let item = InboxItem::new("acme", i, now);
    /// let ctx = FilterContext { me: None, now, sla: &SlaPolicy::default() };
    /// let f: InboxFilter = serde_json::from_str(r#"{"text": "broken", "channels": ["acme"]}"#).unwrap();
    /// assert!(f.matches(&item, &ctx));
    /// ```
    pub fn matches(&self, item: &InboxItem, ctx: &FilterContext<'_>) -> bool {
        self.narrowing(ctx.me).admits(item) && self.matches_beyond_narrowing(item, ctx)
    }

    /// The conditions [`narrowing`](Self::narrowing) leaves out.
    fn matches_beyond_narrowing(&self, item: &InboxItem, ctx: &FilterContext<'_>) -> bool {
        let c = item.classification.as_ref();
        if !self.sentiment.is_empty()
            && !c.is_some_and(|c| self.sentiment.contains(&c.sentiment.polarity()))
        {
            return false;
        }
        if !self.tags.is_empty() && !c.is_some_and(|c| self.tags.iter().all(|t| c.tags.contains(t)))
        {
            return false;
        }
        if let Some(q) = &self.text
            && !q.matches(&item.interaction)
        {
            return false;
        }
        match &self.sla {
            None => true,
            Some(SlaFilter::Breached) => breached(item, ctx),
            Some(SlaFilter::AtRisk { within_minutes }) => {
                !breached(item, ctx)
                    && ctx.sla.pending(item).first().is_some_and(|(_, due)| {
                        ctx.sla.hours.between(ctx.now, *due)
                            <= Duration::minutes(i64::from(*within_minutes))
                    })
            }
        }
    }

    /// The part of the filter a store evaluates cheaply, with [`AssigneeFilter::Me`] resolved
    /// to `me`. It admits every item the filter matches (and maybe more).
    ///
    /// ```
    /// use socialkit::inbox::{AssigneeFilter, InboxFilter};
    /// let f = InboxFilter { assignee: Some(AssigneeFilter::Me), ..Default::default() };
    /// assert_eq!(f.narrowing(Some("ann")).assignee, Some(Some("ann".to_string())));
    /// ```
    pub fn narrowing(&self, me: Option<&str>) -> Narrowing {
        let assignee = match &self.assignee {
            None | Some(AssigneeFilter::Anyone) => None,
            Some(AssigneeFilter::Unassigned) => Some(None),
            // Nobody looking: an id no member has, so nothing matches.
            Some(AssigneeFilter::Me) => Some(Some(me.unwrap_or("\u{0}").to_string())),
            Some(AssigneeFilter::Member(m)) => Some(Some(m.clone())),
        };
        Narrowing {
            states: self.states.clone(),
            assignee,
            assigned: self.assignee == Some(AssigneeFilter::Anyone),
            channels: self.channels.clone(),
            intents: self.intents.clone(),
            min_priority: self.min_priority,
            opened: self.opened.clone().unwrap_or_default(),
            resolved_since: None,
        }
    }
}

/// A breach recorded, or a target missed at `ctx.now` (what [`SlaPolicy::breaches`] finds,
/// without measuring the elapsed time).
fn breached(item: &InboxItem, ctx: &FilterContext<'_>) -> bool {
    use super::sla::SlaKind;
    !item.breaches.is_empty()
        || ctx.sla.applies(item)
            && [SlaKind::FirstResponse, SlaKind::Resolution]
                .into_iter()
                .any(|k| {
                    let end = ctx.sla.stopped_at(item, k).unwrap_or(ctx.now);
                    // Before the target has even elapsed in wall time nothing can be missed.
                    end - item.opened_at() >= ctx.sla.target(k)
                        && ctx.sla.due(item, k).is_some_and(|due| end >= due)
                })
}

/// The conditions a store evaluates itself; see [`InboxStore::select`](super::InboxStore::select).
/// [`Narrowing::admits`] is the exact meaning; a store may use a coarser test first (an index,
/// a column) but gives exactly the items `admits` accepts.
///
/// ```
/// use socialkit::inbox::{ItemState, Narrowing};
/// let n = Narrowing { states: vec![ItemState::New], ..Default::default() };
/// assert!(n.states.contains(&ItemState::New));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowing {
    /// Any of these states (empty: all).
    pub states: Vec<ItemState>,
    /// `Some(None)`: unassigned; `Some(Some(m))`: assigned to `m`.
    pub assignee: Option<Option<String>>,
    /// Assigned to somebody.
    pub assigned: bool,
    /// Any of these channels (empty: all).
    pub channels: Vec<String>,
    /// Any of these intents (empty: all).
    pub intents: Vec<Intent>,
    /// Priority at least.
    pub min_priority: Option<Priority>,
    /// When the customer wrote.
    pub opened: TimeRange,
    /// Resolved at or after this instant.
    pub resolved_since: Option<DateTime<Utc>>,
}

impl Narrowing {
    /// Whether `item` meets every condition.
    ///
    /// ```
    /// use socialkit::inbox::{InboxItem, ItemState, Narrowing};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let now = chrono::Utc::now();
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Mention,
    ///     author: Author::default(), text: Some("hi".into()), created_at: now,
    ///     post: None, conversation: None, language: None,
    /// };
    /// let item = InboxItem::new("acme", i, now);
    /// assert!(Narrowing { states: vec![ItemState::New], ..Default::default() }.admits(&item));
    /// assert!(!Narrowing { assigned: true, ..Default::default() }.admits(&item));
    /// ```
    pub fn admits(&self, item: &InboxItem) -> bool {
        let c = item.classification.as_ref();
        (self.states.is_empty() || self.states.contains(&item.state))
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| item.assignee.as_ref() == a.as_ref())
            && (!self.assigned || item.assignee.is_some())
            && (self.channels.is_empty() || self.channels.contains(&item.channel))
            && (self.intents.is_empty() || c.is_some_and(|c| self.intents.contains(&c.intent)))
            && self
                .min_priority
                .is_none_or(|p| c.is_some_and(|c| c.priority >= p))
            && self.opened.contains(item.opened_at())
            && self
                .resolved_since
                .is_none_or(|t| item.resolved_at.is_some_and(|r| r >= t))
    }
}

/// How a view is ordered; ties go by item key.
///
/// ```
/// use socialkit::inbox::SortOrder;
/// assert_eq!(serde_json::to_string(&SortOrder::SlaDueSoonest).unwrap(), r#""sla_due_soonest""#);
/// assert_eq!(SortOrder::default(), SortOrder::PriorityThenAge);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Highest priority first (unclassified last), then oldest first.
    #[default]
    PriorityThenAge,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
    /// The soonest running SLA target first; items without one last, oldest first.
    SlaDueSoonest,
}

impl SortOrder {
    /// Sorts `items` in this order.
    ///
    /// ```
    /// use socialkit::inbox::{SortOrder, sla::SlaPolicy};
    /// let mut items = Vec::new();
    /// SortOrder::Newest.sort(&mut items, &SlaPolicy::default());
    /// assert!(items.is_empty());
    /// ```
    pub fn sort(self, items: &mut [InboxItem], sla: &SlaPolicy) {
        let prio = |i: &InboxItem| i.classification.as_ref().map(|c| c.priority);
        match self {
            SortOrder::PriorityThenAge => items.sort_by(|a, b| {
                (Reverse(prio(a)), a.opened_at(), &a.key).cmp(&(
                    Reverse(prio(b)),
                    b.opened_at(),
                    &b.key,
                ))
            }),
            SortOrder::Newest => items.sort_by(|a, b| {
                (Reverse(a.opened_at()), &a.key).cmp(&(Reverse(b.opened_at()), &b.key))
            }),
            SortOrder::Oldest => {
                items.sort_by(|a, b| (a.opened_at(), &a.key).cmp(&(b.opened_at(), &b.key)))
            }
            SortOrder::SlaDueSoonest => {
                // `None` sorts after every instant when wrapped this way.
                items.sort_by_cached_key(|i| {
                    let due = sla.pending(i).first().map(|(_, d)| *d);
                    (due.is_none(), due, i.opened_at(), i.key.clone())
                })
            }
        }
    }
}

/// A saved view: a named filter and an order. Views are data; keep them as JSON or TOML.
///
/// ```
/// use socialkit::inbox::View;
/// let views = View::presets();
/// let json = serde_json::to_string(&views).unwrap();
/// let back: Vec<View> = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, views);
/// assert_eq!(views[0].name, "My open items");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// The name shown.
    pub name: String,
    /// Which items.
    #[serde(default)]
    pub filter: InboxFilter,
    /// In what order.
    #[serde(default)]
    pub sort: SortOrder,
}

impl View {
    /// A view of `filter` in `sort` order.
    ///
    /// ```
    /// use socialkit::inbox::{InboxFilter, SortOrder, View};
    /// let v = View::new("All", InboxFilter::default(), SortOrder::Newest);
    /// assert_eq!(v.sort, SortOrder::Newest);
    /// ```
    pub fn new(name: impl Into<String>, filter: InboxFilter, sort: SortOrder) -> Self {
        View {
            name: name.into(),
            filter,
            sort,
        }
    }

    /// The usual views: "My open items" (new or pending, mine, by priority), "Unassigned
    /// complaints" (open, nobody's, complaints, by priority), "At risk" (open, a target due
    /// within 30 business minutes, soonest first) and "Breached" (a target missed, soonest
    /// first).
    ///
    /// ```
    /// use socialkit::inbox::{SlaFilter, View};
    /// let p = View::presets();
    /// assert_eq!(p.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
    ///     ["My open items", "Unassigned complaints", "At risk", "Breached"]);
    /// assert_eq!(p[3].filter.sla, Some(SlaFilter::Breached));
    /// ```
    pub fn presets() -> Vec<View> {
        let open = vec![ItemState::New, ItemState::Pending];
        vec![
            View::new(
                "My open items",
                InboxFilter {
                    states: open.clone(),
                    assignee: Some(AssigneeFilter::Me),
                    ..InboxFilter::default()
                },
                SortOrder::PriorityThenAge,
            ),
            View::new(
                "Unassigned complaints",
                InboxFilter {
                    states: open.clone(),
                    assignee: Some(AssigneeFilter::Unassigned),
                    intents: vec![Intent::Complaint],
                    ..InboxFilter::default()
                },
                SortOrder::PriorityThenAge,
            ),
            View::new(
                "At risk",
                InboxFilter {
                    states: open,
                    sla: Some(SlaFilter::AtRisk { within_minutes: 30 }),
                    ..InboxFilter::default()
                },
                SortOrder::SlaDueSoonest,
            ),
            View::new(
                "Breached",
                InboxFilter {
                    sla: Some(SlaFilter::Breached),
                    ..InboxFilter::default()
                },
                SortOrder::SlaDueSoonest,
            ),
        ]
    }
}

/// Which page of a view: `limit` items after skipping `offset`.
///
/// ```
/// use socialkit::inbox::PageRequest;
/// assert_eq!(PageRequest::first(20), PageRequest { offset: 0, limit: 20 });
/// assert_eq!(PageRequest::first(20).next(), PageRequest { offset: 20, limit: 20 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Items to skip.
    pub offset: usize,
    /// Items at most.
    pub limit: usize,
}

impl PageRequest {
    /// The first `limit` items.
    ///
    /// ```
    /// assert_eq!(socialkit::inbox::PageRequest::first(5).limit, 5);
    /// ```
    pub fn first(limit: usize) -> Self {
        PageRequest { offset: 0, limit }
    }

    /// The page after this one.
    ///
    /// ```
    /// assert_eq!(socialkit::inbox::PageRequest::first(5).next().offset, 5);
    /// ```
    pub fn next(self) -> Self {
        PageRequest {
            offset: self.offset.saturating_add(self.limit),
            limit: self.limit,
        }
    }
}

/// A page of a view.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::clock::SystemClock;
/// use socialkit::inbox::{Inbox, InboxFilter, MemoryInboxStore, PageRequest, SortOrder, View};
/// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
/// let all = View::new("All", InboxFilter::default(), SortOrder::Newest);
/// let page = inbox.view(&all, None, PageRequest::first(10)).unwrap();
/// assert_eq!((page.items.len(), page.total), (0, 0));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ViewPage {
    /// The items of the page, in order.
    pub items: Vec<InboxItem>,
    /// How many items the whole view has.
    pub total: usize,
    /// The request this answers.
    pub page: PageRequest,
}

impl ViewPage {
    /// Whether items follow this page.
    ///
    /// ```
    /// use socialkit::inbox::{PageRequest, ViewPage};
    /// let p = ViewPage { items: Vec::new(), total: 3, page: PageRequest::first(0) };
    /// assert!(p.has_more());
    /// ```
    pub fn has_more(&self) -> bool {
        self.page.offset.saturating_add(self.items.len()) < self.total
    }
}

impl Inbox {
    fn filter_ctx<'a>(&'a self, me: Option<&'a str>) -> FilterContext<'a> {
        FilterContext {
            me,
            now: self.clock.now(),
            sla: &self.sla,
        }
    }

    /// Items matching `filter` for member `me`, in store order: the store narrows, the full
    /// filter runs on what it returned.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, InboxFilter, MemoryInboxStore};
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// assert!(inbox.filter(&InboxFilter::default(), None).unwrap().is_empty());
    /// ```
    pub fn filter(&self, filter: &InboxFilter, me: Option<&str>) -> Result<Vec<InboxItem>> {
        let ctx = self.filter_ctx(me);
        self.store.select(&filter.narrowing(me), &|i| {
            filter.matches_beyond_narrowing(i, &ctx)
        })
    }

    /// A page of `view` as member `me` sees it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore, PageRequest, View};
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// let page = inbox.view(&View::presets()[0], Some("ann"), PageRequest::first(25)).unwrap();
    /// assert_eq!(page.total, 0);
    /// assert!(!page.has_more());
    /// ```
    pub fn view(&self, view: &View, me: Option<&str>, page: PageRequest) -> Result<ViewPage> {
        let mut items = self.filter(&view.filter, me)?;
        let total = items.len();
        view.sort.sort(&mut items, &self.sla);
        let items = items
            .into_iter()
            .skip(page.offset)
            .take(page.limit)
            .collect();
        Ok(ViewPage { items, total, page })
    }

    /// How many items each view has for member `me` (badges), in the order given.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore, View};
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// let counts = inbox.counts(&View::presets(), Some("ann")).unwrap();
    /// assert_eq!(counts[0], ("My open items".to_string(), 0));
    /// ```
    pub fn counts(&self, views: &[View], me: Option<&str>) -> Result<Vec<(String, usize)>> {
        let ctx = self.filter_ctx(me);
        views
            .iter()
            .map(|v| {
                let n = self.store.count(&v.filter.narrowing(me), &|i| {
                    v.filter.matches_beyond_narrowing(i, &ctx)
                })?;
                Ok((v.name.clone(), n))
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
