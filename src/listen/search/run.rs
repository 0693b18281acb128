//! Running the searches of a plan: paging back to `since`, dedupe, local filtering.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::plan::{Cover, SearchOptions, SearchPlan};
use crate::error::{Error, ErrorKind, ErrorRecord, Result};
use crate::listen::query::Query;
use crate::model::{Interaction, PlatformId};
use crate::platform::{Operation, Platform};

/// A platform to listen on, under the name of its channel (the key of its high-water marks).
///
/// ```
/// use socialkit::listen::search::Source;
/// use socialkit::Registry;
/// let s = Source::new("acme-sandbox", Registry::default().from_url("sandbox://acme").unwrap());
/// assert_eq!(s.channel, "acme-sandbox");
/// ```
#[derive(Debug, Clone)]
pub struct Source {
    /// The channel's name; marks are kept per channel and query.
    pub channel: String,
    /// The platform.
    pub platform: Arc<dyn Platform>,
}

impl Source {
    /// `platform` listened to as `channel`.
    pub fn new(channel: impl Into<String>, platform: Arc<dyn Platform>) -> Self {
        Source {
            channel: channel.into(),
            platform,
        }
    }
}

/// A match and the channel whose search found it.
///
/// ```
/// use socialkit::listen::search::Found;
/// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
/// let f = Found { channel: "c".into(), interaction: Interaction {
///     reference: InteractionRef::new("sandbox", "1"), kind: InteractionKind::Post,
///     author: Author::default(), text: Some("hi".into()), created_at: chrono::Utc::now(),
///     post: None, conversation: None, language: None } };
/// assert_eq!(f.interaction.kind, InteractionKind::Post);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// The channel.
    pub channel: String,
    /// The post found.
    pub interaction: Interaction,
}

/// What one channel's searches did.
///
/// ```
/// use socialkit::listen::search::ChannelReport;
/// let r = ChannelReport::new("c", "sandbox");
/// assert!(r.is_complete());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelReport {
    /// The channel.
    pub channel: String,
    /// The platform's name.
    pub platform: String,
    /// The search texts sent.
    pub searches: Vec<String>,
    /// Branches of the query this platform cannot search.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncovered: Vec<String>,
    /// The effective start of the range searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Whether `since` was moved forward to the platform's oldest searchable instant.
    pub clamped: bool,
    /// Whether the time range was filtered locally.
    pub local_time_filter: bool,
    /// Search calls made (failed ones included).
    pub calls: usize,
    /// Pages received.
    pub pages: usize,
    /// Results received, duplicates across searches included.
    pub fetched: usize,
    /// Results that matched the full query (for a watcher: the new ones).
    pub matched: usize,
    /// Whether a search stopped at the page budget with older results in range left.
    pub truncated: bool,
    /// The error that stopped this channel, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorRecord>,
}

impl ChannelReport {
    /// An empty report.
    pub fn new(channel: impl Into<String>, platform: impl Into<String>) -> Self {
        ChannelReport {
            channel: channel.into(),
            platform: platform.into(),
            searches: Vec::new(),
            uncovered: Vec::new(),
            since: None,
            clamped: false,
            local_time_filter: false,
            calls: 0,
            pages: 0,
            fetched: 0,
            matched: 0,
            truncated: false,
            error: None,
        }
    }

    /// Whether everything in range was read: no error, no truncation, no uncovered branch.
    pub fn is_complete(&self) -> bool {
        self.error.is_none() && !self.truncated && self.uncovered.is_empty()
    }
}

/// The result of a listening run: matches oldest first, and per channel what was searched.
///
/// ```
/// use socialkit::listen::search::Outcome;
/// let o = Outcome::default();
/// assert!(o.matches.is_empty() && o.errors().next().is_none());
/// assert_eq!(o.interactions().count(), 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Matches of the full query, oldest first (ties by channel and id).
    pub matches: Vec<Found>,
    /// One report per channel, in the order of the sources.
    pub channels: Vec<ChannelReport>,
}

impl Outcome {
    /// The channels that failed, with their errors.
    pub fn errors(&self) -> impl Iterator<Item = (&str, &ErrorRecord)> {
        self.channels
            .iter()
            .filter_map(|c| c.error.as_ref().map(|e| (c.channel.as_str(), e)))
    }

    /// The matched interactions, oldest first.
    pub fn interactions(&self) -> impl Iterator<Item = &Interaction> {
        self.matches.iter().map(|f| &f.interaction)
    }

    pub(crate) fn sort(&mut self) {
        self.matches.sort_by(|a, b| {
            (
                a.interaction.created_at,
                &a.channel,
                &a.interaction.reference.id,
            )
                .cmp(&(
                    b.interaction.created_at,
                    &b.channel,
                    &b.interaction.reference.id,
                ))
        });
    }
}

/// Whether `tag` (of an interaction) is the language `want` (`en` takes `en-GB`).
fn same_language(tag: &str, want: &str) -> bool {
    let (tag, want) = (tag.to_ascii_lowercase(), want.to_ascii_lowercase());
    tag == want
        || (tag.len() > want.len()
            && tag.starts_with(&want)
            && matches!(tag.as_bytes()[want.len()], b'-' | b'_'))
}

/// What a channel's run found (before a watcher's marks apply).
pub(crate) struct ChannelRun {
    pub(crate) found: Vec<Interaction>,
    pub(crate) report: ChannelReport,
}

/// Runs `plan` on `platform`: each search paged back until a page's oldest result is older
/// than `since` (or there are no more, or the page budget is spent), results deduplicated by
/// reference and kept when in range, in language and matching the full query.
pub(crate) async fn run_plan(
    platform: &dyn Platform,
    channel: &str,
    query: &Query,
    plan: &SearchPlan,
    options: &SearchOptions,
) -> ChannelRun {
    let mut report = ChannelReport::new(channel, platform.name());
    report.searches = plan.searches.iter().map(|s| s.text.clone()).collect();
    report.uncovered = plan.uncovered.clone();
    report.since = plan.since;
    report.clamped = plan.clamped;
    report.local_time_filter = plan.local_time_filter;
    let mut seen: HashSet<(PlatformId, String)> = HashSet::new();
    let mut found = Vec::new();
    let keep = |i: &Interaction| {
        plan.since.is_none_or(|s| i.created_at >= s)
            && plan.until.is_none_or(|u| i.created_at < u)
            && match (&plan.local_language, &i.language) {
                (Some(want), Some(tag)) => same_language(tag, want),
                _ => true,
            }
            && query.matches(i)
    };
    'searches: for search in &plan.searches {
        let mut q = search.clone();
        let mut pages = 0;
        // Every result this search has returned, kept or not: a page with nothing new ends it.
        let mut read: HashSet<(PlatformId, String)> = HashSet::new();
        loop {
            if pages >= options.max_pages.max(1) {
                report.truncated = true;
                break;
            }
            report.calls += 1;
            let page = match platform.search(&q).await {
                Ok(p) => p,
                Err(e) => {
                    report.error = Some(
                        e.or_context(platform.name(), Some(channel), Operation::Search.as_str())
                            .to_record(),
                    );
                    break 'searches;
                }
            };
            pages += 1;
            report.pages += 1;
            report.fetched += page.items.len();
            let oldest = page.items.iter().map(|i| i.created_at).min();
            let mut progress = false;
            for i in page.items {
                let key = (i.reference.platform.clone(), i.reference.id.clone());
                progress |= read.insert(key.clone());
                if keep(&i) && seen.insert(key) {
                    found.push(i);
                }
            }
            let reached_since = matches!((oldest, plan.since), (Some(o), Some(s)) if o < s);
            let next = match page.next_cursor {
                Some(c) if page.has_more && progress && !reached_since => c,
                Some(c)
                    if page.has_more && !progress && q.cursor.as_deref() == Some(c.as_str()) =>
                {
                    // The same page again under the same cursor: a loop, not a result set.
                    // (Instagram repeats its cursor value on every page, with new items each
                    // time, so a repeated cursor alone is no error.)
                    let e = Error::new(
                        ErrorKind::Unexpected,
                        "the platform returned the same search page twice under the same cursor",
                    )
                    .with_platform(platform.name())
                    .with_channel(channel)
                    .with_operation(Operation::Search.as_str());
                    report.error = Some(e.to_record());
                    break 'searches;
                }
                _ => break,
            };
            q.cursor = Some(next);
        }
    }
    found.sort_by(|a, b| (a.created_at, &a.reference.id).cmp(&(b.created_at, &b.reference.id)));
    report.matched = found.len();
    ChannelRun { found, report }
}

/// Plans and runs one channel; a plan error becomes the channel's error.
pub(crate) async fn run_source(
    source: &Source,
    query: &Query,
    cover: &Cover,
    options: &SearchOptions,
    now: DateTime<Utc>,
) -> ChannelRun {
    let platform = source.platform.as_ref();
    match SearchPlan::from_cover(cover, query, platform.capabilities(), options, now) {
        Ok(plan) => run_plan(platform, &source.channel, query, &plan, options).await,
        Err(e) => {
            let mut report = ChannelReport::new(&source.channel, platform.name());
            report.error = Some(e.with_channel(&source.channel).to_record());
            ChannelRun {
                found: Vec::new(),
                report,
            }
        }
    }
}

/// Listens once: covers `query` with searches, runs them on every source (concurrently),
/// and returns the matches of the full query, oldest first, with a report per channel.
///
/// A query no platform could cover (a purely negative branch, too many searches) is a
/// [`Validation`](ErrorKind::Validation) error before anything is sent. A channel that cannot
/// run the query (no search, hashtags only) or fails on the way (rate limit, network) has its
/// typed error in its report and keeps the matches it had read; the other channels are not
/// affected.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use socialkit::listen::{query::Query, search::{search, SearchOptions, Source}};
/// use socialkit::Registry;
/// let sandbox = Registry::default().from_url("sandbox://listen-doc").unwrap();
/// let q = Query::parse("#acme -job").unwrap();
/// let out = search(&q, &[Source::new("demo", sandbox)], &SearchOptions::default(), chrono::Utc::now())
///     .await
///     .unwrap();
/// assert_eq!(out.channels.len(), 1);
/// // The sandbox either searches (a report with its searches) or says it cannot (a typed error).
/// let r = &out.channels[0];
/// assert!(r.error.is_some() || r.searches == ["#acme"]);
/// # });
/// ```
pub async fn search(
    query: &Query,
    sources: &[Source],
    options: &SearchOptions,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let cover = Cover::of(query, options.max_searches)?;
    let runs = futures::future::join_all(
        sources
            .iter()
            .map(|s| run_source(s, query, &cover, options, now)),
    )
    .await;
    let mut out = Outcome::default();
    for (run, source) in runs.into_iter().zip(sources) {
        out.matches.extend(run.found.into_iter().map(|i| Found {
            channel: source.channel.clone(),
            interaction: i,
        }));
        out.channels.push(run.report);
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::same_language;

    #[test]
    fn language_tags_compare_by_primary_subtag() {
        assert!(same_language("en-GB", "en"));
        assert!(same_language("EN", "en"));
        assert!(!same_language("eng", "en"));
        assert!(!same_language("de", "en"));
    }
}
