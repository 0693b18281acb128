//! Listening: sentiment, intent, queries, platform search, volume and sentiment series, anomaly
//! detection and crisis signals.
//!
//! Everything here but [`search`] is synchronous and free of I/O, so it runs the same in a
//! request handler, a worker or a test; [`search`] is the one part that calls platforms:
//!
//! * [`sentiment`]: VADER's method in English and German.
//! * [`classify`]: intent (question, complaint, praise, spam, other), priority, and rules as
//!   data that tag, assign or prioritise interactions.
//! * [`query`]: listening queries (`"free shipping" AND (#acme OR @acme) NOT job`) parsed and
//!   matched against interactions.
//! * [`search`]: a query turned into the platform searches that cover it (`OR` branches,
//!   `NOT` applied locally, capabilities respected), run on many channels with paging and
//!   dedupe, and polled with serde high-water marks into the series and the crisis monitor.
//! * [`series`]: volume and sentiment per time bucket.
//! * [`anomaly`]: a seasonal baseline with a robust outlier test, streaming or batch.
//! * [`crisis`]: volume, negative share and reach combined under a false-alarm budget raise a
//!   crisis signal with its evidence and playbook; the engine's `CrisisSwitch` turns it into
//!   crisis mode.
//!
//! How the detectors and the sentiment analyzer are measured (NAB's scoring, cross-validated
//! anomaly settings, VADER's rated tweets, a differential test against `vaderSentiment`) lives
//! outside the library, in `tests/listen_*.rs` and `examples/{nab_score,vader_score}.rs`, with
//! the data under `tests/data/`.
//!
//! ```
//! use socialkit::listen::sentiment::{Analyzer, Language};
//! use socialkit::listen::classify::{Classifier, Intent};
//! assert!(Analyzer::new(Language::English).polarity_scores("Great service, thanks!").compound > 0.5);
//! let c = Classifier::new();
//! let r = c.classify_text("Where is my order? It is two weeks late!", None);
//! assert_eq!(r.intent, Intent::Complaint);
//! ```

pub mod anomaly;
pub mod classify;
pub mod crisis;
pub mod query;
pub mod search;
pub mod sentiment;
pub mod series;
