//! Covering a boolean listening query with platform searches.
//!
//! A platform search is a conjunction: every word, `#hashtag` and `@handle` of
//! [`SearchQuery::text`] must appear. A [`Query`] is brought into disjunctive normal form over
//! its positive terms: each `OR` branch becomes one search, `AND` over `OR`s gives the cross
//! product. `NOT` terms are never sent (a platform's negation cannot be trusted to mean what the
//! query means); neither are `prefix*` terms (platforms search whole words). Both are applied
//! locally, like everything else, by matching every result against the full query.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::listen::query::{Expr, Query, Term};
use crate::model::SearchQuery;
use crate::platform::{Capabilities, Operation};

/// The most searches one query may need per platform, unless [`SearchOptions::max_searches`]
/// says otherwise.
pub const DEFAULT_MAX_SEARCHES: usize = 8;

/// Expansions larger than this are refused before they are built.
const RAW_LIMIT: usize = 1024;

/// What a listening run searches: the time range, the language and the budgets.
///
/// ```
/// use socialkit::listen::search::SearchOptions;
/// let o = SearchOptions::default()
///     .since("2026-11-01T00:00:00Z".parse().unwrap())
///     .until("2026-11-08T00:00:00Z".parse().unwrap())
///     .language("de")
///     .page_size(100)
///     .max_pages(3)
///     .max_searches(4);
/// assert_eq!((o.page_size, o.max_pages, o.max_searches), (100, 3, 4));
/// assert_eq!(o.language.as_deref(), Some("de"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchOptions {
    /// Only posts at or after this instant (clamped to how far back the platform searches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Only posts before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// Only posts in this language (BCP 47, `en`); posts whose language is unknown are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Results asked for per page (clamped to the platform's largest page).
    pub page_size: usize,
    /// Pages read per search at most; a search that still has older results within the range
    /// after them is reported as truncated.
    pub max_pages: usize,
    /// Searches one query may need per platform at most.
    pub max_searches: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            since: None,
            until: None,
            language: None,
            page_size: 40,
            max_pages: 10,
            max_searches: DEFAULT_MAX_SEARCHES,
        }
    }
}

impl SearchOptions {
    /// Only posts at or after `since`.
    pub fn since(mut self, since: DateTime<Utc>) -> Self {
        self.since = Some(since);
        self
    }

    /// Only posts before `until`.
    pub fn until(mut self, until: DateTime<Utc>) -> Self {
        self.until = Some(until);
        self
    }

    /// Only posts in `language`.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Sets the page size.
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = n;
        self
    }

    /// Sets the page budget per search.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = n;
        self
    }

    /// Sets the most searches per platform.
    pub fn max_searches(mut self, n: usize) -> Self {
        self.max_searches = n;
        self
    }
}

/// One search of a [`Cover`]: the tokens sent (all must appear in a result) and the branch of
/// the query it stands for.
///
/// ```
/// use socialkit::listen::{query::Query, search::Cover};
/// let c = Cover::of(&Query::parse(r#""free shipping" AND @acme -job"#).unwrap(), 8).unwrap();
/// assert_eq!(c.branches()[0].text(), "free shipping @acme");
/// assert_eq!(c.branches()[0].tokens(), ["free", "shipping", "@acme"]);
/// assert_eq!(c.branches()[0].hashtags().count(), 0);
/// assert_eq!(c.branches()[0].branch(), r#""free shipping" AND @acme AND NOT job"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    tokens: Vec<String>,
    branch: String,
}

impl Branch {
    /// The tokens sent: words, `#hashtags`, `@handles`.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The search text (the tokens joined by spaces).
    pub fn text(&self) -> String {
        self.tokens.join(" ")
    }

    /// The branch of the query this search covers, `NOT` and prefix terms included (those are
    /// checked locally).
    pub fn branch(&self) -> &str {
        &self.branch
    }

    /// The hashtags among the tokens (with `#`).
    pub fn hashtags(&self) -> impl Iterator<Item = &str> {
        self.tokens
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with('#'))
    }

    fn token_set(&self) -> BTreeSet<&str> {
        self.tokens.iter().map(String::as_str).collect()
    }
}

/// The searches that together find every match of a query, on any platform that searches
/// words: one per `OR` branch (after `AND` is distributed over `OR`), a branch whose tokens
/// include another's dropped (the broader search finds its results too).
///
/// A [`Validation`](ErrorKind::Validation) error says why a query cannot be covered: a branch
/// with nothing to search for (only `NOT` or `prefix*` terms), or more searches than `max`.
///
/// ```
/// use socialkit::listen::{query::Query, search::Cover};
/// let q = Query::parse("(#acme OR @acme) AND (outage OR down) -job").unwrap();
/// let c = Cover::of(&q, 8).unwrap();
/// let texts: Vec<String> = c.branches().iter().map(|b| b.text()).collect();
/// assert_eq!(texts, ["#acme outage", "#acme down", "@acme outage", "@acme down"]);
///
/// let e = Cover::of(&Query::parse("acme OR NOT job").unwrap(), 8).unwrap_err();
/// assert!(e.to_string().contains("NOT job"), "{e}");
/// let e = Cover::of(&Query::parse("(a OR b OR c) AND (d OR e OR f)").unwrap(), 8).unwrap_err();
/// assert!(e.to_string().contains("9 searches"), "{e}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    branches: Vec<Branch>,
}

/// One conjunction under construction: positive terms and negated sub-expressions.
#[derive(Clone, Default)]
struct Conj<'a> {
    pos: Vec<&'a Term>,
    neg: Vec<&'a Expr>,
}

fn size(e: &Expr) -> usize {
    match e {
        Expr::Term(_) => 1,
        Expr::Not(inner) => match inner.as_ref() {
            Expr::Not(x) => size(x),
            _ => 1,
        },
        Expr::Or(v) => v.iter().map(size).fold(0usize, usize::saturating_add),
        Expr::And(v) => v.iter().map(size).fold(1usize, usize::saturating_mul),
    }
}

fn dnf(e: &Expr) -> Vec<Conj<'_>> {
    match e {
        Expr::Term(t) => vec![Conj {
            pos: vec![t],
            neg: Vec::new(),
        }],
        Expr::Not(inner) => match inner.as_ref() {
            Expr::Not(x) => dnf(x),
            _ => vec![Conj {
                pos: Vec::new(),
                neg: vec![inner.as_ref()],
            }],
        },
        Expr::Or(v) => v.iter().flat_map(dnf).collect(),
        Expr::And(v) => {
            let mut acc = vec![Conj::default()];
            for child in v {
                let parts = dnf(child);
                let mut next = Vec::with_capacity(acc.len() * parts.len());
                for a in &acc {
                    for p in &parts {
                        let mut c = a.clone();
                        c.pos.extend(p.pos.iter().copied());
                        c.neg.extend(p.neg.iter().copied());
                        next.push(c);
                    }
                }
                acc = next;
            }
            acc
        }
    }
}

fn describe(c: &Conj<'_>) -> String {
    let mut parts: Vec<String> = c.pos.iter().map(|t| t.to_string()).collect();
    parts.extend(c.neg.iter().map(|e| format!("NOT {e}")));
    parts.join(" AND ")
}

fn tokens_of(t: &Term) -> Vec<String> {
    match t {
        Term::Word(w) => vec![w.clone()],
        Term::Phrase(ws) => ws.clone(),
        Term::Hashtag(h) => vec![format!("#{h}")],
        Term::Mention(m) => vec![format!("@{m}")],
        Term::Prefix(_) => Vec::new(),
    }
}

/// Keeps the branches no other branch's tokens are a subset of (the first of equal ones).
fn absorb(branches: Vec<Branch>) -> Vec<Branch> {
    let mut out: Vec<Branch> = Vec::new();
    for (i, b) in branches.iter().enumerate() {
        let set = b.token_set();
        let covered = branches.iter().enumerate().any(|(j, o)| {
            let other = o.token_set();
            j != i && other.is_subset(&set) && (other.len() < set.len() || j < i)
        });
        if !covered {
            out.push(b.clone());
        }
    }
    out
}

fn too_many(query: &Query, n: usize, max: usize) -> Error {
    Error::validation(format!(
        "the query `{query}` needs {n} searches per platform, more than the {max} allowed: \
         every AND over ORs multiplies the searches; split it into several queries or \
         move alternatives under one hashtag"
    ))
    .with_operation(Operation::Search.as_str())
}

impl Cover {
    /// The searches covering `query`, at most `max` of them.
    pub fn of(query: &Query, max: usize) -> Result<Cover> {
        let raw = size(query.expr());
        if raw > RAW_LIMIT {
            return Err(too_many(query, raw, max));
        }
        let mut branches = Vec::new();
        for conj in dnf(query.expr()) {
            let mut tokens: Vec<String> = Vec::new();
            for t in &conj.pos {
                for tok in tokens_of(t) {
                    if !tokens.contains(&tok) {
                        tokens.push(tok);
                    }
                }
            }
            if tokens.is_empty() {
                let why = if conj.pos.is_empty() {
                    "it is purely negative, and a platform search needs something to look for"
                } else {
                    "prefix terms are matched locally only (platforms search whole words)"
                };
                return Err(Error::validation(format!(
                    "the branch `{}` of the query `{query}` cannot be searched: {why}; add a word, \
                     #hashtag or @mention to it",
                    describe(&conj)
                ))
                .with_operation(Operation::Search.as_str()));
            }
            branches.push(Branch {
                tokens,
                branch: describe(&conj),
            });
        }
        let branches = absorb(branches);
        if branches.len() > max {
            return Err(too_many(query, branches.len(), max));
        }
        Ok(Cover { branches })
    }

    /// The searches, in query order.
    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }
}

/// The searches one platform runs for a query, with what is left to local filtering.
///
/// Built from a [`Cover`] and the platform's [`Capabilities::search`]:
/// - no search at all: an [`Unsupported`](ErrorKind::Unsupported) error naming the platform;
/// - hashtag-only platforms (`words: false`) get one search per branch with a hashtag, for
///   the hashtag of the branch that most branches share (the rest is checked locally); branches without one are listed in [`uncovered`](SearchPlan::uncovered),
///   and a query none of whose branches has a hashtag is an `Unsupported` error;
/// - `max_age_days` moves `since` forward to the oldest instant the platform searches
///   ([`clamped`](SearchPlan::clamped) says so);
/// - `time_range: false`: `since`/`until` are not sent, results are filtered locally (they
///   always are, in case a platform's range is looser than documented);
/// - `language: false`: the language is filtered locally.
///
/// ```
/// use socialkit::listen::{query::Query, search::{SearchOptions, SearchPlan}};
/// use socialkit::model::SearchLimits;
/// use socialkit::platform::Capabilities;
/// use socialkit::text::{Counting, TextRule};
/// let mut caps = Capabilities::new("photos", TextRule::new(Counting::Graphemes, 2200));
/// caps.search = Some(SearchLimits { words: false, max_age_days: Some(1), ..SearchLimits::default() });
/// let now = "2026-11-20T12:00:00Z".parse().unwrap();
/// let q = Query::parse("(#acme AND outage) OR broken").unwrap();
/// let plan = SearchPlan::new(&q, &caps, &SearchOptions::default(), now).unwrap();
/// assert_eq!(plan.searches.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(), ["#acme"]);
/// assert_eq!(plan.uncovered, ["broken"]);
/// assert_eq!(plan.since, Some("2026-11-19T12:00:00Z".parse().unwrap()));
///
/// let e = SearchPlan::new(&Query::parse("outage").unwrap(), &caps, &SearchOptions::default(), now).unwrap_err();
/// assert_eq!(e.kind(), socialkit::ErrorKind::Unsupported);
/// assert!(e.to_string().contains("photos searches hashtags only"), "{e}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPlan {
    /// The platform's name.
    pub platform: String,
    /// The searches, ready to send (without cursor).
    pub searches: Vec<SearchQuery>,
    /// Branches of the query this platform cannot search (their matches are not found here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncovered: Vec<String>,
    /// The effective start of the range (after clamping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// The end of the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// Whether `since` was moved forward (or set) because the platform searches only so far back.
    pub clamped: bool,
    /// Whether the platform leaves the time range to socialkit.
    pub local_time_filter: bool,
    /// The language filtered locally, when the platform cannot filter by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_language: Option<String>,
}

impl SearchPlan {
    /// The plan for `query` on a platform with `caps`, as of `now`.
    pub fn new(
        query: &Query,
        caps: &Capabilities,
        options: &SearchOptions,
        now: DateTime<Utc>,
    ) -> Result<SearchPlan> {
        let cover = Cover::of(query, options.max_searches)?;
        SearchPlan::from_cover(&cover, query, caps, options, now)
    }

    /// The plan for an already computed cover of `query` (compute the cover once, plan it for
    /// every platform).
    ///
    /// ```
    /// use socialkit::listen::{query::Query, search::{Cover, SearchOptions, SearchPlan}};
    /// use socialkit::model::SearchLimits;
    /// use socialkit::platform::Capabilities;
    /// use socialkit::text::{Counting, TextRule};
    /// let q = Query::parse("@acme AND (late OR lost)").unwrap();
    /// let cover = Cover::of(&q, 8).unwrap();
    /// let mut caps = Capabilities::new("demo", TextRule::new(Counting::Graphemes, 500));
    /// caps.search = Some(SearchLimits { time_range: false, max_page: 20, ..SearchLimits::default() });
    /// let since = "2026-11-01T00:00:00Z".parse().unwrap();
    /// let opts = SearchOptions::default().since(since).page_size(100);
    /// let plan = SearchPlan::from_cover(&cover, &q, &caps, &opts, chrono::Utc::now()).unwrap();
    /// assert_eq!(plan.searches.len(), 2);
    /// assert!(plan.searches.iter().all(|s| s.since.is_none() && s.limit == 20));
    /// assert!(plan.local_time_filter);
    /// assert_eq!(plan.since, Some(since));
    /// ```
    pub fn from_cover(
        cover: &Cover,
        query: &Query,
        caps: &Capabilities,
        options: &SearchOptions,
        now: DateTime<Utc>,
    ) -> Result<SearchPlan> {
        let platform = caps.platform.as_str();
        let Some(limits) = &caps.search else {
            return Err(Error::unsupported(platform, Operation::Search.as_str()));
        };
        let mut since = options.since;
        let until = options.until;
        let mut clamped = false;
        if let Some(days) = limits.max_age_days {
            let oldest = now - Duration::days(i64::from(days));
            if since.is_none_or(|s| s < oldest) {
                since = Some(oldest);
                clamped = true;
            }
        }
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                let why = if clamped {
                    format!(
                        "{platform} searches only the last {} days, so nothing before {u} can be found",
                        limits.max_age_days.unwrap_or_default()
                    )
                } else {
                    format!("since ({s}) is not before until ({u})")
                };
                return Err(Error::validation(format!("empty search range: {why}"))
                    .with_platform(platform)
                    .with_operation(Operation::Search.as_str()));
            }
        }
        let mut texts: Vec<String> = Vec::new();
        let mut uncovered = Vec::new();
        let mut candidates = Vec::new();
        // Hashtag-only platforms take one hashtag per search (Instagram's `ig_hashtag_search`
        // looks up one, and counts unique hashtags against a weekly quota): per branch, the
        // hashtag most branches share, so the fewest distinct hashtags are searched.
        let mut shared: HashMap<&str, usize> = HashMap::new();
        for tag in cover.branches().iter().flat_map(Branch::hashtags) {
            *shared.entry(tag).or_default() += 1;
        }
        let pick = |b: &'_ Branch| -> Option<String> {
            let mut best: Option<(&str, usize)> = None;
            for tag in b.hashtags() {
                let n = shared.get(tag).copied().unwrap_or(0);
                if best.is_none_or(|(_, m)| n > m) {
                    best = Some((tag, n));
                }
            }
            best.map(|(t, _)| t.to_string())
        };
        for b in cover.branches() {
            if limits.words {
                candidates.push(b.clone());
            } else if let Some(tag) = pick(b) {
                candidates.push(Branch {
                    tokens: vec![tag],
                    branch: b.branch.clone(),
                });
            } else {
                uncovered.push(b.branch.clone());
            }
        }
        for b in absorb(candidates) {
            let t = b.text();
            if !texts.contains(&t) {
                texts.push(t);
            }
        }
        if texts.is_empty() {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "{platform} searches hashtags only, and no branch of the query `{query}` has a \
                     hashtag (uncovered: {})",
                    uncovered.join("; ")
                ),
            )
            .with_platform(platform)
            .with_operation(Operation::Search.as_str()));
        }
        let limit = options.page_size.clamp(1, limits.max_page.max(1));
        let language = options
            .language
            .as_ref()
            .filter(|l| !l.trim().is_empty())
            .cloned();
        let searches = texts
            .into_iter()
            .map(|text| SearchQuery {
                text,
                since: since.filter(|_| limits.time_range),
                until: until.filter(|_| limits.time_range),
                language: language.clone().filter(|_| limits.language),
                cursor: None,
                limit,
            })
            .collect();
        Ok(SearchPlan {
            platform: platform.to_string(),
            searches,
            uncovered,
            since,
            until,
            clamped,
            local_time_filter: !limits.time_range,
            local_language: language.filter(|_| !limits.language),
        })
    }
}
