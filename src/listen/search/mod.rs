//! Listening over platform search: a boolean [`Query`](crate::listen::query::Query) turned
//! into the platform searches that cover it, run on every channel, filtered with the full
//! query, and — for a long-running job — polled with high-water marks into the volume series
//! and the crisis monitor.
//!
//! * [`Cover`] / [`SearchPlan`] (`plan.rs`): each `OR` branch becomes one search (a
//!   conjunction of words, `#hashtags` and `@handles`); `AND` over `OR`s gives the cross
//!   product, capped ([`DEFAULT_MAX_SEARCHES`]). `NOT` and `prefix*` terms are never sent and
//!   phrases are sent as their words: the full query is matched locally on every result, so
//!   a query means the same on every platform. A plan respects the platform's
//!   [`SearchLimits`](crate::model::SearchLimits): hashtag-only platforms get the hashtag
//!   branches, `max_age_days` clamps `since`, a platform without time range or language
//!   filter is filtered locally.
//! * [`search`] (`run.rs`): runs the plans on every [`Source`] concurrently, pages back until
//!   `since` (or the page budget), dedupes across searches, and returns the matches oldest
//!   first with a [`ChannelReport`] per channel (searches, calls, pages, errors).
//! * [`Watcher`] / [`Listener`] (`watch.rs`): polling with a serde [`WatchState`] of marks,
//!   and the feed into [`Series`](crate::listen::series::Series) and
//!   [`CrisisMonitor`](crate::listen::crisis::CrisisMonitor). A rate limit on one channel
//!   leaves the others' results intact and that channel's mark where it was.
//!
//! ```
//! use socialkit::listen::{query::Query, search::Cover};
//! let q = Query::parse(r#"("free shipping" OR #acme) AND NOT job*"#).unwrap();
//! let cover = Cover::of(&q, 8).unwrap();
//! let texts: Vec<String> = cover.branches().iter().map(|b| b.text()).collect();
//! assert_eq!(texts, ["free shipping", "#acme"]);
//! ```

mod plan;
mod run;
mod watch;

pub use plan::{Branch, Cover, DEFAULT_MAX_SEARCHES, SearchOptions, SearchPlan};
pub use run::{ChannelReport, Found, Outcome, Source, search};
pub use watch::{Heard, Listener, Mark, WatchConfig, WatchState, Watcher};

#[cfg(test)]
mod tests;
