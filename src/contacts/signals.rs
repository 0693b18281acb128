//! Retention signals: rules as data ([`SignalRule`]) evaluated over a contact's history at an
//! instant, each firing with its evidence (the inbox items that make it true).
//!
//! A rule fires once per evidence: [`Contacts::check_signals`](super::Contacts::check_signals)
//! records a fingerprint of the evidence, so a signal is raised again only when the evidence
//! changes (a new unanswered complaint, a new question).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::{ContactId, Touch};
use crate::listen::classify::Intent;

/// What a rule looks for.
///
/// ```
/// use socialkit::contacts::SignalRule;
/// let r: SignalRule = serde_json::from_str(r#"{"rule": "gone_quiet", "min_touches": 5, "quiet_days": 60}"#).unwrap();
/// assert_eq!(r, SignalRule::GoneQuiet { min_touches: 5, quiet_days: 60 });
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum SignalRule {
    /// A complaint with no response after `after_hours`. Checks look at contacts heard from
    /// in the 30 days before the complaint became due.
    UnansweredComplaint {
        /// Hours without a response.
        after_hours: u32,
    },
    /// Mean sentiment of the last `window_days` below that of the `window_days` before by at
    /// least `min_drop`, with at least `min_each` classified interactions in each window.
    FallingSentiment {
        /// The length of each window.
        window_days: u32,
        /// The drop (compound score, 0 … 2).
        min_drop: f64,
        /// Classified interactions needed in each window.
        min_each: usize,
    },
    /// A contact with at least `min_touches` interactions and none in `quiet_days`.
    GoneQuiet {
        /// Interactions before going quiet.
        min_touches: u64,
        /// Days of silence.
        quiet_days: u32,
    },
    /// At least `count` questions within `within_days`.
    RepeatedQuestions {
        /// How many.
        count: usize,
        /// Within how many days.
        within_days: u32,
    },
}

/// A rule with its name (what events and audit call it).
///
/// ```
/// use socialkit::contacts::NamedRule;
/// assert_eq!(NamedRule::defaults().len(), 4);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedRule {
    /// Its name.
    pub name: String,
    /// Its condition.
    #[serde(flatten)]
    pub rule: SignalRule,
}

impl NamedRule {
    /// A rule named `name`.
    pub fn new(name: impl Into<String>, rule: SignalRule) -> Self {
        NamedRule {
            name: name.into(),
            rule,
        }
    }

    /// One rule of each kind with common settings: a complaint unanswered for 24 hours,
    /// sentiment falling by 0.5 between two 30-day windows (3 each), 5 interactions then 60
    /// quiet days, 3 questions in 14 days.
    pub fn defaults() -> Vec<NamedRule> {
        vec![
            NamedRule::new(
                "unanswered_complaint",
                SignalRule::UnansweredComplaint { after_hours: 24 },
            ),
            NamedRule::new(
                "falling_sentiment",
                SignalRule::FallingSentiment {
                    window_days: 30,
                    min_drop: 0.5,
                    min_each: 3,
                },
            ),
            NamedRule::new(
                "gone_quiet",
                SignalRule::GoneQuiet {
                    min_touches: 5,
                    quiet_days: 60,
                },
            ),
            NamedRule::new(
                "repeated_questions",
                SignalRule::RepeatedQuestions {
                    count: 3,
                    within_days: 14,
                },
            ),
        ]
    }
}

/// A rule that fired for a contact, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// The contact.
    pub contact: ContactId,
    /// The rule's name.
    pub rule: String,
    /// When it was evaluated.
    pub at: DateTime<Utc>,
    /// The inbox item keys that make it true.
    pub evidence: Vec<String>,
    /// Why, for people (no personal data: counts, times, scores).
    pub detail: String,
}

impl Signal {
    /// The fingerprint of the evidence: the signal is raised once per fingerprint.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for e in &self.evidence {
            h.update(e.as_bytes());
            h.update([0x1f]);
        }
        hex::encode(&h.finalize()[..12])
    }
}

fn days(n: u32) -> Duration {
    Duration::days(i64::from(n))
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

impl SignalRule {
    /// The evidence and the reason if the rule holds over `history` (one contact's touches,
    /// oldest first) at `now`.
    ///
    /// ```
    /// use socialkit::contacts::{IdentityKey, SignalRule, Touch};
    /// use socialkit::listen::classify::Intent;
    /// use socialkit::model::InteractionKind;
    /// let now: chrono::DateTime<chrono::Utc> = "2026-05-02T12:00:00Z".parse().unwrap();
    /// let mut t = Touch::new("k1", IdentityKey::new("x", "7"), "acme-x", InteractionKind::Mention, now - chrono::Duration::hours(30));
    /// t.intent = Some(Intent::Complaint);
    /// let rule = SignalRule::UnansweredComplaint { after_hours: 24 };
    /// assert_eq!(rule.evaluate(&[t.clone()], now).unwrap().0, vec!["k1"]);
    /// t.first_response_at = Some(now - chrono::Duration::hours(29));
    /// assert!(rule.evaluate(&[t], now).is_none());
    /// ```
    pub fn evaluate(&self, history: &[Touch], now: DateTime<Utc>) -> Option<(Vec<String>, String)> {
        let past: Vec<&Touch> = history.iter().filter(|t| t.at <= now).collect();
        match *self {
            SignalRule::UnansweredComplaint { after_hours } => {
                let due = now - Duration::hours(i64::from(after_hours));
                let keys: Vec<String> = past
                    .iter()
                    .filter(|t| {
                        t.intent == Some(Intent::Complaint)
                            && t.at <= due
                            && t.first_response_at.is_none_or(|r| r > now)
                    })
                    .map(|t| t.key.clone())
                    .collect();
                (!keys.is_empty()).then(|| {
                    let detail = format!(
                        "{} complaint(s) without a response for {after_hours} hours",
                        keys.len()
                    );
                    (keys, detail)
                })
            }
            SignalRule::FallingSentiment {
                window_days,
                min_drop,
                min_each,
            } => {
                let recent_from = now - days(window_days);
                let before_from = recent_from - days(window_days);
                let scored = |from: DateTime<Utc>, to: DateTime<Utc>| -> Vec<&Touch> {
                    past.iter()
                        .copied()
                        .filter(|t| t.sentiment.is_some() && t.at >= from && t.at < to)
                        .collect()
                };
                let recent = scored(recent_from, now + Duration::microseconds(1));
                let before = scored(before_from, recent_from);
                if recent.len() < min_each.max(1) || before.len() < min_each.max(1) {
                    return None;
                }
                let m = |ts: &[&Touch]| {
                    mean(&ts.iter().filter_map(|t| t.sentiment).collect::<Vec<_>>())
                };
                let (a, b) = (m(&before), m(&recent));
                (a - b >= min_drop).then(|| {
                    (
                        recent.iter().map(|t| t.key.clone()).collect(),
                        format!(
                            "mean sentiment fell from {a:.2} to {b:.2} over {window_days} days"
                        ),
                    )
                })
            }
            SignalRule::GoneQuiet {
                min_touches,
                quiet_days,
            } => {
                let last = past.last()?;
                (past.len() as u64 >= min_touches && last.at < now - days(quiet_days)).then(|| {
                    (
                        vec![last.key.clone()],
                        format!(
                            "{} interactions, the last {} days ago",
                            past.len(),
                            (now - last.at).num_days()
                        ),
                    )
                })
            }
            SignalRule::RepeatedQuestions { count, within_days } => {
                let from = now - days(within_days);
                let keys: Vec<String> = past
                    .iter()
                    .filter(|t| t.intent == Some(Intent::Question) && t.at >= from)
                    .map(|t| t.key.clone())
                    .collect();
                (keys.len() >= count.max(1)).then(|| {
                    let detail = format!("{} questions in {within_days} days", keys.len());
                    (keys, detail)
                })
            }
        }
    }

    /// How far back the rule looks from `now`: contacts last heard before it cannot fire it
    /// (except [`SignalRule::GoneQuiet`], which looks for exactly those).
    pub(crate) fn horizon(&self) -> Duration {
        match *self {
            SignalRule::UnansweredComplaint { after_hours } => {
                Duration::hours(i64::from(after_hours)) + Duration::days(30)
            }
            SignalRule::FallingSentiment { window_days, .. } => days(window_days) * 2,
            SignalRule::GoneQuiet { quiet_days, .. } => days(quiet_days),
            SignalRule::RepeatedQuestions { within_days, .. } => days(within_days),
        }
    }
}
