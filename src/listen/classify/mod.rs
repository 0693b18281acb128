//! Intent and priority of interactions, by transparent rules.
//!
//! * **Intent**: spam (crypto and giveaway patterns, many links or hashtags, repetitive
//!   text), complaint (complaint cues such as "refund", "still waiting", "funktioniert nicht",
//!   or clearly negative sentiment), question (`?` or an opening interrogative in English or
//!   German), praise (praise cues with positive sentiment, or strongly positive text), other.
//!   Checked in that order; the first that holds wins.
//! * **Priority**: a 0–100 score from the intent (complaint 45, question 35, praise and other
//!   10, spam 0), negative sentiment (up to +25), the author's reach (up to +20 at a million
//!   followers, logarithmic), direct messages (+5) and urgency cues such as "lawyer", "hacked",
//!   "Notfall" (+20); Urgent from 70, High from 45, Normal from 20.
//! * **Rules** ([`Rule`]): data that tag, assign or re-prioritise by keyword query, author,
//!   reach, channel, kind, intent, sentiment or language; applied after the above, in order.
//!
//! Every [`Classification`] lists its reasons.
//!
//! ```
//! use socialkit::listen::classify::{Classifier, Intent, Priority, Rule};
//! let rules: Vec<Rule> = serde_json::from_str(
//!     r#"[{"name": "refunds", "when": {"query": "refund*"}, "then": [{"tag": "billing"}, {"assign": "ann"}]}]"#,
//! ).unwrap();
//! let c = Classifier::default().with_rules(rules);
//! let r = c.classify_text("I want a refund, the anvil arrived broken!", None);
//! assert_eq!(r.intent, Intent::Complaint);
//! assert_eq!(r.tags, ["billing"]);
//! assert_eq!(r.assignee.as_deref(), Some("ann"));
//! assert!(r.priority >= Priority::Normal);
//! assert_eq!(c.classify_text("Wie lange dauert der Versand?", None).intent, Intent::Question);
//! assert_eq!(c.classify_text("Free BTC airdrop!!! DM me https://x.example https://y.example", None).intent, Intent::Spam);
//! ```

mod cues;
mod rules;

use serde::{Deserialize, Serialize};

pub use cues::{Features, guess_language};
pub use rules::{Action, Condition, Rule};

use crate::listen::query::Document;
use crate::listen::sentiment::{Analyzer, Language, Scores};
use crate::model::{Interaction, InteractionKind};

/// What an interaction wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Asks something.
    Question,
    /// Complains about a problem.
    Complaint,
    /// Praises or thanks.
    Praise,
    /// Unsolicited promotion, scams, bots.
    Spam,
    /// Anything else.
    Other,
}

/// How soon an interaction should be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// When there is time.
    Low,
    /// In the normal course.
    Normal,
    /// Before the normal ones.
    High,
    /// Now.
    Urgent,
}

impl Priority {
    /// The bucket of a 0–100 priority score.
    ///
    /// ```
    /// use socialkit::listen::classify::Priority;
    /// assert_eq!(Priority::from_score(70.0), Priority::Urgent);
    /// assert_eq!(Priority::from_score(44.9), Priority::Normal);
    /// ```
    pub fn from_score(score: f64) -> Priority {
        if score >= 70.0 {
            Priority::Urgent
        } else if score >= 45.0 {
            Priority::High
        } else if score >= 20.0 {
            Priority::Normal
        } else {
            Priority::Low
        }
    }
}

/// The result of classifying one interaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The language the text was scored in.
    pub language: Language,
    /// VADER scores.
    pub sentiment: Scores,
    /// The intent.
    pub intent: Intent,
    /// The priority score, 0–100, before rules.
    pub priority_score: f64,
    /// The priority (after rules).
    pub priority: Priority,
    /// Tags added by rules.
    pub tags: Vec<String>,
    /// The member or team a rule assigned it to.
    pub assignee: Option<String>,
    /// Why: the cues and rules that decided, for people.
    pub reasons: Vec<String>,
    /// What was read off the text.
    pub features: Features,
}

/// Classifies interactions: sentiment in their language, intent, priority, rules.
///
/// ```
/// use socialkit::listen::classify::{Classifier, Intent};
/// let c = Classifier::default();
/// assert_eq!(c.classify_text("Thanks, the new release is awesome!", None).intent, Intent::Praise);
/// ```
#[derive(Debug, Clone)]
pub struct Classifier {
    english: Analyzer,
    german: Analyzer,
    rules: Vec<Rule>,
}

impl Default for Classifier {
    fn default() -> Self {
        Classifier {
            english: Analyzer::new(Language::English),
            german: Analyzer::new(Language::German),
            rules: Vec::new(),
        }
    }
}

impl Classifier {
    /// A classifier with the built-in English and German analyzers and no rules.
    pub fn new() -> Classifier {
        Classifier::default()
    }

    /// Uses `analyzer` for its language (for example one extended with brand words).
    pub fn with_analyzer(mut self, analyzer: Analyzer) -> Self {
        match analyzer.language() {
            Language::German => self.german = analyzer,
            _ => self.english = analyzer,
        }
        self
    }

    /// Sets the rules, applied in order after intent and priority.
    pub fn with_rules(mut self, rules: Vec<Rule>) -> Self {
        self.rules = rules;
        self
    }

    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Classifies a bare text (no author, kind or channel); `language` `None` guesses it.
    pub fn classify_text(&self, text: &str, language: Option<Language>) -> Classification {
        self.run(text, language, None, None)
    }

    /// Classifies an interaction; its `language` tag picks the lexicon (guessed when absent).
    pub fn classify(&self, interaction: &Interaction) -> Classification {
        self.classify_in(interaction, None)
    }

    /// Classifies an interaction received on `channel` (for rules by channel).
    pub fn classify_in(&self, interaction: &Interaction, channel: Option<&str>) -> Classification {
        let lang = interaction.language.as_deref().and_then(Language::from_tag);
        let text = interaction.text.as_deref().unwrap_or("");
        self.run(text, lang, Some(interaction), channel)
    }

    fn run(
        &self,
        text: &str,
        language: Option<Language>,
        interaction: Option<&Interaction>,
        channel: Option<&str>,
    ) -> Classification {
        let doc = Document::new(text);
        let language = language.unwrap_or_else(|| guess_language(text));
        let analyzer = match language {
            Language::German => &self.german,
            _ => &self.english,
        };
        let sentiment = analyzer.polarity_scores(text);
        let features = cues::features(text, &doc);
        let mut reasons = Vec::new();
        let kind = interaction.map(|i| i.kind);
        let intent = if kind.is_some_and(|k| !k.has_text()) {
            reasons.push("no text to answer (like, repost or follow)".to_string());
            Intent::Other
        } else {
            decide_intent(&features, sentiment.compound, &mut reasons)
        };
        let followers = interaction.and_then(|i| i.author.followers);
        let priority_score = priority_score(
            intent,
            sentiment.compound,
            followers,
            kind,
            &features,
            &mut reasons,
        );
        let mut c = Classification {
            language,
            sentiment,
            intent,
            priority_score,
            priority: if intent == Intent::Spam {
                Priority::Low
            } else {
                Priority::from_score(priority_score)
            },
            tags: Vec::new(),
            assignee: None,
            reasons,
            features,
        };
        self.apply_rules(&mut c, &doc, interaction, channel);
        c
    }

    fn apply_rules(
        &self,
        c: &mut Classification,
        doc: &Document,
        interaction: Option<&Interaction>,
        channel: Option<&str>,
    ) {
        for rule in &self.rules {
            let subject = rules::Subject {
                interaction,
                channel,
                doc,
                intent: c.intent,
                compound: c.sentiment.compound,
                language: c.language,
            };
            if !rule.when.holds(&subject) {
                continue;
            }
            c.reasons.push(format!("rule {:?} applied", rule.name));
            for action in &rule.then {
                match action {
                    Action::Tag(t) => {
                        if !c.tags.contains(t) {
                            c.tags.push(t.clone());
                        }
                    }
                    Action::Assign(who) => {
                        if c.assignee.is_none() {
                            c.assignee = Some(who.clone());
                        }
                    }
                    Action::Priority(p) => c.priority = *p,
                    Action::RaisePriority => c.priority = c.priority.raised(),
                    Action::Intent(i) => c.intent = *i,
                }
            }
        }
    }
}

fn decide_intent(f: &Features, compound: f64, reasons: &mut Vec<String>) -> Intent {
    let spam = cues::spam_score(f);
    if spam >= 2 {
        reasons.push(format!(
            "spam score {spam} (cues {:?}, {} links, {} hashtags{})",
            f.spam_cues,
            f.links,
            f.hashtags,
            if f.repetitive { ", repetitive" } else { "" }
        ));
        return Intent::Spam;
    }
    let question = f.question_marks > 0 || f.interrogative;
    let complaint = (!f.complaint_cues.is_empty() && compound < 0.3)
        || (f.complaint_cues.len() >= 2 && compound < 0.6)
        || compound <= -0.5
        || (question && compound <= -0.3);
    if complaint {
        reasons.push(format!(
            "complaint: cues {:?}, sentiment {compound:.2}",
            f.complaint_cues
        ));
        return Intent::Complaint;
    }
    if question {
        reasons.push(if f.question_marks > 0 {
            "question: '?'".to_string()
        } else {
            "question: opens with an interrogative".to_string()
        });
        return Intent::Question;
    }
    if (!f.praise_cues.is_empty() && compound >= 0.3) || compound >= 0.6 {
        reasons.push(format!(
            "praise: cues {:?}, sentiment {compound:.2}",
            f.praise_cues
        ));
        return Intent::Praise;
    }
    Intent::Other
}

fn priority_score(
    intent: Intent,
    compound: f64,
    followers: Option<u64>,
    kind: Option<InteractionKind>,
    f: &Features,
    reasons: &mut Vec<String>,
) -> f64 {
    if intent == Intent::Spam {
        return 0.0;
    }
    let mut score = match intent {
        Intent::Complaint => 45.0,
        Intent::Question => 35.0,
        _ => 10.0,
    };
    if kind.is_some_and(|k| !k.has_text()) {
        score = 0.0;
    }
    if compound < 0.0 {
        score += -compound * 25.0;
    }
    if let Some(n) = followers {
        let reach = ((n as f64 + 1.0).log10() / 6.0).clamp(0.0, 1.0) * 20.0;
        if reach >= 10.0 {
            reasons.push(format!("reach: {n} followers"));
        }
        score += reach;
    }
    if kind == Some(InteractionKind::DirectMessage) {
        score += 5.0;
    }
    if !f.urgent_cues.is_empty() {
        reasons.push(format!("urgent: {:?}", f.urgent_cues));
        score += 20.0;
    }
    score.clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests;
