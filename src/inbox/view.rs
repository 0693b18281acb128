//! Filters, sort orders, paging and saved views over inbox items.
//!
//! An [`InboxFilter`] is data (serde): state, assignee, channel, intent, sentiment, minimum
//! priority, tags, SLA standing, a text [`Query`] and a time range. A [`View`] is a named
//! filter with a [`SortOrder`]; [`View::presets`] has the usual ones. [`Inbox::view`] gives a
//! page of a view, [`Inbox::counts`] the number of items of each view (badges).
//!
//! A filter becomes a store query ([`InboxFilter::narrowing`]: a [`Narrowing`], with the
//! member looking and the SLA standing at the query's instant resolved), which the store
//! evaluates where the items are: SQLite in SQL on its columns (all but the text query, which
//! runs on the rows SQL selects), a page at a time after a [`PageCursor`]. Every store gives
//! the same items in the same order.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::sla::SlaPolicy;
use super::store::{Facts, PageCursor, cmp_keys};
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
    /// Only items of contacts with an open retention signal (tagged [`SIGNAL_TAG`] by the
    /// contact layer, [`crate::contacts`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub has_signal: bool,
}

/// The tag the contact layer puts on every classified item of a contact with an open
/// retention signal (in its classification's tags, beside one [`SIGNAL_TAG_PREFIX`]`<rule>` tag per signal), and takes off when none is
/// open: what [`InboxFilter::has_signal`] filters on and [`InboxItem::signals`] reads.
pub const SIGNAL_TAG: &str = "retention-signal";

/// The prefix of the tag naming one open retention signal of the item's contact
/// (`signal:unanswered_complaint`).
pub const SIGNAL_TAG_PREFIX: &str = "signal:";

impl InboxItem {
    /// The open retention signals of the item's contact, by rule name, as the contact layer
    /// last marked them (the badge of a listed item).
    ///
    /// ```
    /// use socialkit::inbox::InboxItem;
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let now = chrono::Utc::now();
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Mention,
    ///     author: Author::default(), text: None, created_at: now,
    ///     post: None, conversation: None, language: None,
    /// };
    /// let mut item = InboxItem::new("acme", i, now);
    /// assert!(item.signals().is_empty());
    /// let mut c = socialkit::listen::classify::Classifier::default().classify(&item.interaction);
    /// c.tags.extend(["retention-signal".to_string(), "signal:gone_quiet".to_string()]);
    /// item.classification = Some(c);
    /// assert_eq!(item.signals(), ["gone_quiet"]);
    /// ```
    pub fn signals(&self) -> Vec<&str> {
        self.classification
            .iter()
            .flat_map(|c| &c.tags)
            .filter_map(|t| t.strip_prefix(SIGNAL_TAG_PREFIX))
            .collect()
    }
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
    /// Whether `item` matches (instants compared in whole microseconds, as stores do).
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
        self.narrowing(ctx)
            .admits_facts(item, &Facts::of(item, ctx.sla))
    }

    /// The store query of this filter for `ctx`: [`AssigneeFilter::Me`] resolved to
    /// `ctx.me`, the SLA standing to `ctx.now` (an "at risk" window to the latest due instant
    /// it admits, [`BusinessHours::latest_at`](super::sla::BusinessHours::latest_at)).
    ///
    /// ```
    /// use socialkit::inbox::{AssigneeFilter, FilterContext, InboxFilter, sla::SlaPolicy};
    /// let f = InboxFilter { assignee: Some(AssigneeFilter::Me), ..Default::default() };
    /// let ctx = FilterContext { me: Some("ann"), now: chrono::Utc::now(), sla: &SlaPolicy::default() };
    /// assert_eq!(f.narrowing(&ctx).assignee, Some(Some("ann".to_string())));
    /// ```
    pub fn narrowing(&self, ctx: &FilterContext<'_>) -> Narrowing {
        let assignee = match &self.assignee {
            None | Some(AssigneeFilter::Anyone) => None,
            Some(AssigneeFilter::Unassigned) => Some(None),
            // Nobody looking: an id no member has, so nothing matches.
            Some(AssigneeFilter::Me) => Some(Some(ctx.me.unwrap_or("\u{0}").to_string())),
            Some(AssigneeFilter::Member(m)) => Some(Some(m.clone())),
        };
        let sla = self.sla.as_ref().map(|s| match s {
            SlaFilter::Breached => SlaStanding::Breached { at: ctx.now },
            SlaFilter::AtRisk { within_minutes } => SlaStanding::AtRisk {
                at: ctx.now,
                due_by: ctx
                    .sla
                    .hours
                    .latest_at(ctx.now, Duration::minutes(i64::from(*within_minutes))),
            },
        });
        Narrowing {
            states: self.states.clone(),
            assignee,
            assigned: self.assignee == Some(AssigneeFilter::Anyone),
            channels: self.channels.clone(),
            intents: self.intents.clone(),
            min_priority: self.min_priority,
            sentiment: self.sentiment.clone(),
            tags: {
                let mut tags = self.tags.clone();
                if self.has_signal && !tags.iter().any(|t| t == SIGNAL_TAG) {
                    tags.push(SIGNAL_TAG.to_string());
                }
                tags
            },
            opened: self.opened.clone().unwrap_or_default(),
            resolved_since: None,
            measured: false,
            awaiting_reply: false,
            sla,
            text: self.text.clone(),
        }
    }
}

/// Where an item stands against its SLA at an instant, as a store evaluates it on the due
/// instants it keeps.
///
/// ```
/// use socialkit::inbox::SlaStanding;
/// let s = SlaStanding::Breached { at: chrono::Utc::now() };
/// assert!(matches!(s, SlaStanding::Breached { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlaStanding {
    /// A breach recorded, or a target missed at `at` (a running one past its due instant, a
    /// stopped one stopped at or after it).
    Breached {
        /// The instant of the query.
        at: DateTime<Utc>,
    },
    /// Not breached at `at`, and the soonest running target falls due at `due_by` at the
    /// latest (`None`: any time).
    AtRisk {
        /// The instant of the query.
        at: DateTime<Utc>,
        /// The latest due instant admitted.
        due_by: Option<DateTime<Utc>>,
    },
}

/// A store query: which items, every condition given must hold; see
/// [`InboxStore::page`](super::InboxStore::page). Stores evaluate all of it where the items
/// are (SQLite in SQL but for `text`), comparing instants in whole microseconds.
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
    /// Any of these sentiment bands (empty: all).
    pub sentiment: Vec<Polarity>,
    /// All of these tags.
    pub tags: Vec<String>,
    /// When the customer wrote.
    pub opened: TimeRange,
    /// Resolved at or after this instant.
    pub resolved_since: Option<DateTime<Utc>>,
    /// Only items the SLA measures ([`SlaPolicy::applies`]).
    pub measured: bool,
    /// Only items whose queued reply is not yet recorded as sent.
    pub awaiting_reply: bool,
    /// SLA standing.
    pub sla: Option<SlaStanding>,
    /// Text query on the interaction's text.
    pub text: Option<Query>,
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
        let mut keyed: Vec<((i64, i64), InboxItem)> = items
            .iter()
            .map(|i| (Facts::of(i, sla).sort_key(self), i.clone()))
            .collect();
        keyed.sort_by(|(a, x), (b, y)| cmp_keys(self, (a.0, a.1, &x.key), (b.0, b.1, &y.key)));
        for (slot, (_, item)) in items.iter_mut().zip(keyed) {
            *slot = item;
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

/// Which page of a view: `limit` items after `after` (the start when `None`).
///
/// ```
/// use socialkit::inbox::PageRequest;
/// assert_eq!(PageRequest::first(20), PageRequest { after: None, limit: 20 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Where the page before ended ([`ViewPage::next`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<PageCursor>,
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
        PageRequest { after: None, limit }
    }
}

/// A page of a view.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::clock::SystemClock;
/// use socialkit::inbox::{Inbox, InboxFilter, MemoryInboxStore, PageRequest, SortOrder, View};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
/// let all = View::new("All", InboxFilter::default(), SortOrder::Newest);
/// let page = inbox.view(&all, None, PageRequest::first(10)).await.unwrap();
/// assert!(page.items.is_empty());
/// assert_eq!(page.next, None);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ViewPage {
    /// The items of the page, in order.
    pub items: Vec<InboxItem>,
    /// The request of the page after this one, when items follow.
    pub next: Option<PageRequest>,
}

impl ViewPage {
    /// Whether items follow this page.
    ///
    /// ```
    /// use socialkit::inbox::ViewPage;
    /// assert!(!ViewPage { items: Vec::new(), next: None }.has_more());
    /// ```
    pub fn has_more(&self) -> bool {
        self.next.is_some()
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

    /// A page of `view` as member `me` sees it: the store filters, sorts and pages.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore, PageRequest, View};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// let page = inbox.view(&View::presets()[0], Some("ann"), PageRequest::first(25)).await.unwrap();
    /// assert!(page.items.is_empty());
    /// assert!(!page.has_more());
    /// # });
    /// ```
    pub async fn view(&self, view: &View, me: Option<&str>, page: PageRequest) -> Result<ViewPage> {
        let query = view.filter.narrowing(&self.filter_ctx(me));
        self.page_of(&query, view.sort, page).await
    }

    /// A page of the items `query` admits in `sort` order.
    pub(crate) async fn page_of(
        &self,
        query: &Narrowing,
        sort: SortOrder,
        page: PageRequest,
    ) -> Result<ViewPage> {
        let mut items = self
            .store
            .page(
                query,
                sort,
                page.after.as_ref(),
                page.limit.saturating_add(1),
                &self.sla,
            )
            .await?;
        let next = if items.len() > page.limit {
            items.truncate(page.limit);
            items.last().map(|last| PageRequest {
                after: Some(PageCursor::after(last, sort, &self.sla)),
                limit: page.limit,
            })
        } else {
            None
        };
        Ok(ViewPage { items, next })
    }

    /// How many items `view` has for member `me`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore, View};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// assert_eq!(inbox.count(&View::presets()[3], None).await.unwrap(), 0);
    /// # });
    /// ```
    pub async fn count(&self, view: &View, me: Option<&str>) -> Result<usize> {
        let query = view.filter.narrowing(&self.filter_ctx(me));
        self.store.count(&query, &self.sla).await
    }

    /// How many items each view has for member `me` (badges), in the order given.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::clock::SystemClock;
    /// use socialkit::inbox::{Inbox, MemoryInboxStore, View};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let inbox = Inbox::new(Arc::new(MemoryInboxStore::default()), Arc::new(SystemClock));
    /// let counts = inbox.counts(&View::presets(), Some("ann")).await.unwrap();
    /// assert_eq!(counts[0], ("My open items".to_string(), 0));
    /// # });
    /// ```
    pub async fn counts(&self, views: &[View], me: Option<&str>) -> Result<Vec<(String, usize)>> {
        let mut out = Vec::with_capacity(views.len());
        for v in views {
            out.push((v.name.clone(), self.count(v, me).await?));
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
