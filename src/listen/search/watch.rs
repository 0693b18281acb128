//! Streaming: high-water marks per (channel, query), and feeding new matches into the series
//! and the crisis monitor.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::plan::{Cover, SearchOptions};
use super::run::{Found, Outcome, Source, run_source};
use crate::error::Result;
use crate::listen::classify::Classifier;
use crate::listen::crisis::{CrisisConfig, CrisisMonitor, CrisisSignal};
use crate::listen::query::Query;
use crate::listen::series::Series;
use crate::model::Interaction;

/// How far a watcher has read one channel for one query: the newest match's instant and the
/// ids of the matches at that instant (and within the overlap before it), so the next poll,
/// which searches from that instant on, returns neither those again nor misses a post that
/// shares their timestamp.
///
/// ```
/// use socialkit::listen::search::Mark;
/// let m = Mark::default();
/// assert!(m.newest.is_none() && m.ids.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// The newest match's instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest: Option<DateTime<Utc>>,
    /// Ids (of the platform) of matches at or within the overlap before `newest`, with their
    /// instants.
    #[serde(default)]
    pub ids: BTreeMap<String, DateTime<Utc>>,
}

impl Mark {
    fn is_new(&self, i: &Interaction, overlap: Duration) -> bool {
        match self.newest {
            None => true,
            Some(n) => i.created_at >= n - overlap && !self.ids.contains_key(&i.reference.id),
        }
    }

    fn advance(&mut self, items: &[Interaction], overlap: Duration) {
        for i in items {
            self.ids.insert(i.reference.id.clone(), i.created_at);
            if self.newest.is_none_or(|n| i.created_at > n) {
                self.newest = Some(i.created_at);
            }
        }
        if let Some(n) = self.newest {
            self.ids.retain(|_, t| *t >= n - overlap);
        }
    }
}

/// A watcher's marks, channel → query source → [`Mark`]. Plain serde data: store it and pass
/// it to [`Watcher::with_state`] after a restart.
///
/// ```
/// use socialkit::listen::search::WatchState;
/// let s = WatchState::default();
/// let json = serde_json::to_string(&s).unwrap();
/// assert_eq!(serde_json::from_str::<WatchState>(&json).unwrap(), s);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchState {
    /// Marks by channel, then by query source text.
    #[serde(default)]
    pub marks: BTreeMap<String, BTreeMap<String, Mark>>,
}

impl WatchState {
    /// The mark of `channel` for `query`, if it was polled.
    ///
    /// ```
    /// use socialkit::listen::{query::Query, search::WatchState};
    /// let s: WatchState = serde_json::from_str(
    ///     r##"{"marks": {"demo": {"#acme": {"newest": "2026-11-20T12:00:00Z", "ids": {"42": "2026-11-20T12:00:00Z"}}}}}"##,
    /// ).unwrap();
    /// let m = s.mark("demo", &Query::parse("#acme").unwrap()).unwrap();
    /// assert!(m.ids.contains_key("42"));
    /// assert!(s.mark("other", &Query::parse("#acme").unwrap()).is_none());
    /// ```
    pub fn mark(&self, channel: &str, query: &Query) -> Option<&Mark> {
        self.marks.get(channel)?.get(query.source())
    }
}

/// How a watcher polls.
///
/// ```
/// use socialkit::listen::search::WatchConfig;
/// let c = WatchConfig::default();
/// assert_eq!(c.lookback_secs, 86_400);
/// assert_eq!(c.overlap_secs, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchConfig {
    /// How far back the first poll of a (channel, query) reaches, in seconds (default 1 day).
    pub lookback_secs: i64,
    /// How far before the newest match later polls search again, in seconds, for platforms
    /// whose search index shows posts late (default 0: from the newest match's instant).
    pub overlap_secs: i64,
    /// Language, page size, page budget and search cap (its `since`/`until` are not used:
    /// the marks set the range).
    pub options: SearchOptions,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            lookback_secs: 86_400,
            overlap_secs: 0,
            options: SearchOptions::default(),
        }
    }
}

/// Polls listening queries and returns only what is new since the last poll of each
/// (channel, query): nothing twice, nothing missed when posts share a timestamp.
///
/// A channel whose poll fails (a rate limit, a network error) reports its error and keeps its
/// mark, so the next poll resumes where it stood; its partial results are dropped (they would
/// come again). The other channels' matches are returned and their marks advance. When a
/// search stops at the page budget before reaching the mark, the report says `truncated`.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use socialkit::listen::{query::Query, search::{Source, WatchConfig, WatchState, Watcher}};
/// use socialkit::Registry;
/// let sandbox = Registry::default().from_url("sandbox://watch-doc").unwrap();
/// let sources = [Source::new("demo", sandbox)];
/// let q = Query::parse("@acme").unwrap();
/// let mut w = Watcher::new(WatchConfig::default());
/// assert_eq!(w.config().overlap_secs, 0);
/// let first = w.poll(&q, &sources, chrono::Utc::now()).await.unwrap();
/// // Store the marks, restart, go on.
/// let json = serde_json::to_string(w.state()).unwrap();
/// let mut w = Watcher::with_state(WatchConfig::default(), serde_json::from_str::<WatchState>(&json).unwrap());
/// let next = w.poll(&q, &sources, chrono::Utc::now()).await.unwrap();
/// assert!(next.matches.iter().all(|n| !first.matches.contains(n)));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Watcher {
    config: WatchConfig,
    state: WatchState,
}

impl Watcher {
    /// A watcher with no marks.
    pub fn new(config: WatchConfig) -> Self {
        Watcher::with_state(config, WatchState::default())
    }

    /// A watcher resuming from stored marks.
    pub fn with_state(config: WatchConfig, state: WatchState) -> Self {
        Watcher { config, state }
    }

    /// The marks (store them to resume after a restart).
    pub fn state(&self) -> &WatchState {
        &self.state
    }

    /// The settings.
    pub fn config(&self) -> &WatchConfig {
        &self.config
    }

    /// Polls `query` on every source (concurrently) and returns the new matches, oldest
    /// first. Only a query that cannot be covered at all is an error; a channel's failure is
    /// in its report.
    pub async fn poll(
        &mut self,
        query: &Query,
        sources: &[Source],
        now: DateTime<Utc>,
    ) -> Result<Outcome> {
        let cover = Cover::of(query, self.config.options.max_searches)?;
        let overlap = Duration::seconds(self.config.overlap_secs.max(0));
        let lookback = Duration::seconds(self.config.lookback_secs.max(0));
        let cover = &cover;
        let runs = futures::future::join_all(sources.iter().map(|s| {
            let mark = self.state.mark(&s.channel, query);
            let since = match mark.and_then(|m| m.newest) {
                Some(n) => n - overlap,
                None => now - lookback,
            };
            let options = SearchOptions {
                since: Some(since),
                until: None,
                ..self.config.options.clone()
            };
            async move { run_source(s, query, cover, &options, now).await }
        }))
        .await;
        let mut out = Outcome::default();
        for (mut run, source) in runs.into_iter().zip(sources) {
            if run.report.error.is_some() {
                run.report.matched = 0;
                out.channels.push(run.report);
                continue;
            }
            let mark = self
                .state
                .marks
                .entry(source.channel.clone())
                .or_default()
                .entry(query.source().to_string())
                .or_default();
            run.found.retain(|i| mark.is_new(i, overlap));
            mark.advance(&run.found, overlap);
            run.report.matched = run.found.len();
            out.matches.extend(run.found.into_iter().map(|i| Found {
                channel: source.channel.clone(),
                interaction: i,
            }));
            out.channels.push(run.report);
        }
        out.sort();
        Ok(out)
    }
}

/// What one [`Listener::poll`] heard.
///
/// ```
/// use socialkit::listen::search::Heard;
/// let h = Heard::default();
/// assert!(h.signals.is_empty() && h.sentiment.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Heard {
    /// The new matches and the per-channel reports.
    pub outcome: Outcome,
    /// The compound sentiment of each new match, in the order of `outcome.matches` (`None`
    /// for a post without text).
    pub sentiment: Vec<Option<f64>>,
    /// Crises raised by this poll.
    pub signals: Vec<CrisisSignal>,
}

/// A listening job for one query: polls it through a [`Watcher`], scores each new match's
/// sentiment, adds it to a volume/sentiment [`Series`] and a [`CrisisMonitor`], and returns
/// the crisis signals raised. Hand a signal to
/// [`escalate`](crate::engine::escalate) with the engine's
/// `CrisisSwitch` to pause publishing.
///
/// The monitor expects matches in time order; matches of a channel that comes back from a
/// failure with older posts are counted in the current bucket.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use socialkit::listen::crisis::CrisisConfig;
/// use socialkit::listen::query::Query;
/// use socialkit::listen::search::{Listener, Source, WatchConfig};
/// use socialkit::Registry;
/// let sandbox = Registry::default().from_url("sandbox://listener-doc").unwrap();
/// use socialkit::listen::{classify::Classifier, search::WatchState};
/// let mut l = Listener::new(Query::parse("#acme").unwrap(), WatchConfig::default(),
///     CrisisConfig::default(), chrono::Duration::hours(1)).unwrap()
///     .with_classifier(Classifier::default())
///     .with_state(WatchState::default());
/// assert_eq!(l.query().source(), "#acme");
/// assert_eq!(l.monitor().config().bucket_secs, 900);
/// let heard = l.poll(&[Source::new("demo", sandbox)], chrono::Utc::now()).await.unwrap();
/// assert_eq!(heard.sentiment.len(), heard.outcome.matches.len());
/// assert_eq!(l.series().buckets().iter().map(|b| b.count as usize).sum::<usize>(), heard.outcome.matches.len());
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Listener {
    query: Query,
    watcher: Watcher,
    classifier: Classifier,
    series: Series,
    monitor: CrisisMonitor,
}

impl Listener {
    /// A listener for `query` with a series of `bucket`-wide buckets.
    pub fn new(
        query: Query,
        watch: WatchConfig,
        crisis: CrisisConfig,
        bucket: Duration,
    ) -> Result<Listener> {
        Ok(Listener {
            query,
            watcher: Watcher::new(watch),
            classifier: Classifier::default(),
            series: Series::new(bucket)?,
            monitor: CrisisMonitor::new(crisis),
        })
    }

    /// Resumes from stored marks.
    pub fn with_state(mut self, state: WatchState) -> Self {
        self.watcher = Watcher::with_state(self.watcher.config.clone(), state);
        self
    }

    /// Scores with `classifier` (for example one with brand words added to its lexicon).
    pub fn with_classifier(mut self, classifier: Classifier) -> Self {
        self.classifier = classifier;
        self
    }

    /// The query.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// The watcher (its state holds the marks to store).
    pub fn watcher(&self) -> &Watcher {
        &self.watcher
    }

    /// The volume and sentiment series so far.
    pub fn series(&self) -> &Series {
        &self.series
    }

    /// The crisis monitor.
    pub fn monitor(&self) -> &CrisisMonitor {
        &self.monitor
    }

    /// Polls, scores, updates the series and the monitor (closing the buckets that ended by
    /// `now`), and returns what it heard.
    pub async fn poll(&mut self, sources: &[Source], now: DateTime<Utc>) -> Result<Heard> {
        let outcome = self.watcher.poll(&self.query, sources, now).await?;
        let mut sentiment = Vec::with_capacity(outcome.matches.len());
        let mut signals = Vec::new();
        for f in &outcome.matches {
            let i = &f.interaction;
            let compound = i
                .text
                .as_ref()
                .filter(|t| !t.trim().is_empty())
                .map(|_| self.classifier.classify(i).sentiment.compound);
            self.series.add(i.created_at, compound);
            signals.extend(self.monitor.observe(i, compound));
            sentiment.push(compound);
        }
        signals.extend(self.monitor.flush(now));
        Ok(Heard {
            outcome,
            sentiment,
            signals,
        })
    }
}
