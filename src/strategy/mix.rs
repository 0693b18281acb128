//! Content pillars with target shares, from a selectable rule, and their assignment to slots.
//!
//! The rules are rules of thumb, not research (`strategy-notes.md` §1.2):
//! - **80/20** (default): 80 % inform, educate or entertain; 20 % promote (attributed to
//!   Hootsuite, `smmu-80-20`).
//! - **Thirds**: ⅓ promotional, ⅓ industry or curated, ⅓ personal interaction
//!   (`ferncolab-thirds`).
//! - **5-3-1**: per 9 posts 5 educate, 3 engage, 1 promote (the source says "per 10" but lists
//!   9, so the shares are over 9; `ferncolab-thirds`).
//! - **4-1-1**: 4 curated, 1 original, 1 promotional (`ferncolab-thirds`).
//! - **5-3-2**: 5 curated, 3 original, 2 personal per 10 posts (a common rule of thumb; no source
//!   in the notes).
//! - **Custom**: the user's own pillars and weights, normalized to sum 1.
//!
//! Pillars are assigned to a channel's slots in time order by largest deficit: slot *i* gets
//! the pillar whose `share × (i + 1) − count so far` is largest (ties to the earlier pillar), so
//! every prefix of the calendar stays within one post of the target shares.
//!
//! ```
//! use socialkit::strategy::mix::{assign_pillars, MixRule};
//! let pillars = MixRule::EightyTwenty.pillars().unwrap();
//! let seq = assign_pillars(&pillars, 10);
//! assert_eq!(seq.iter().filter(|&&p| p == 1).count(), 2);
//! ```

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A content-mix rule.
///
/// ```
/// use socialkit::strategy::mix::MixRule;
/// let r: MixRule = toml::from_str("rule = \"thirds\"").unwrap();
/// assert_eq!(r, MixRule::Thirds);
/// let c: MixRule = toml::from_str(r#"
///     rule = "custom"
///     pillars = [{ name = "how-to", weight = 3 }, { name = "offers", weight = 1 }]
/// "#).unwrap();
/// assert_eq!(c.pillars().unwrap()[0].share, 0.75);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum MixRule {
    /// 80 % value, 20 % promotion.
    #[default]
    EightyTwenty,
    /// Promotion, curated, interaction: a third each.
    Thirds,
    /// 5 curated, 3 original, 2 personal.
    FiveThreeTwo,
    /// 5 educate, 3 engage, 1 promote.
    FiveThreeOne,
    /// 4 curated, 1 original, 1 promotional.
    FourOneOne,
    /// The user's pillars.
    Custom {
        /// Pillars with weights.
        pillars: Vec<PillarSpec>,
    },
}

/// A user-defined pillar.
///
/// ```
/// let p = socialkit::strategy::mix::PillarSpec { name: "offers".into(), weight: 1.0, purpose: None };
/// assert_eq!(p.weight, 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PillarSpec {
    /// Its name (`"how-to"`).
    pub name: String,
    /// Its relative weight.
    pub weight: f64,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

/// A pillar with its target share of the posts.
///
/// ```
/// let p = &socialkit::strategy::mix::MixRule::FourOneOne.pillars().unwrap()[0];
/// assert_eq!(p.name, "curated");
/// assert!((p.share - 4.0 / 6.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pillar {
    /// Its name.
    pub name: String,
    /// Its share, 0–1; the shares of a mix sum to 1.
    pub share: f64,
    /// What it is for.
    pub purpose: String,
}

/// The content mix of a plan.
///
/// ```
/// let mix = socialkit::strategy::mix::ContentMix::from_rule(&Default::default()).unwrap();
/// assert!((mix.pillars.iter().map(|p| p.share).sum::<f64>() - 1.0).abs() < 1e-9);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentMix {
    /// The rule.
    pub rule: MixRule,
    /// Its pillars.
    pub pillars: Vec<Pillar>,
    /// Why these shares.
    pub reason: String,
    /// Source ids.
    pub sources: Vec<String>,
}

impl ContentMix {
    /// The mix of a rule.
    pub fn from_rule(rule: &MixRule) -> Result<Self> {
        let (reason, sources): (&str, &[&str]) = match rule {
            MixRule::EightyTwenty => (
                "80/20: 80% inform, educate or entertain, 20% promote (attributed to Hootsuite)",
                &["smmu-80-20"],
            ),
            MixRule::Thirds => (
                "rule of thirds: promotional, curated and interaction a third each",
                &["ferncolab-thirds"],
            ),
            MixRule::FiveThreeTwo => (
                "5-3-2: per 10 posts 5 curated, 3 original, 2 personal (rule of thumb; no source in the notes)",
                &[],
            ),
            MixRule::FiveThreeOne => (
                "5-3-1: 5 educate, 3 engage, 1 promote (the source says per 10 but lists 9; shares over 9)",
                &["ferncolab-thirds"],
            ),
            MixRule::FourOneOne => (
                "4-1-1: 4 curated, 1 original, 1 promotional",
                &["ferncolab-thirds"],
            ),
            MixRule::Custom { .. } => ("the organisation's own pillars and weights", &[]),
        };
        Ok(ContentMix {
            rule: rule.clone(),
            pillars: rule.pillars()?,
            reason: reason.to_string(),
            sources: sources.iter().map(|s| s.to_string()).collect(),
        })
    }
}

impl MixRule {
    /// The rule's pillars, shares normalized to sum 1. A custom rule needs at least one pillar,
    /// unique non-empty names, and finite non-negative weights that do not all vanish.
    ///
    /// ```
    /// use socialkit::strategy::mix::{MixRule, PillarSpec};
    /// let bad = MixRule::Custom { pillars: vec![PillarSpec { name: "a".into(), weight: -1.0, purpose: None }] };
    /// assert!(bad.pillars().is_err());
    /// ```
    pub fn pillars(&self) -> Result<Vec<Pillar>> {
        let fixed = |items: &[(&str, f64, &str)]| {
            items
                .iter()
                .map(|(n, w, p)| PillarSpec {
                    name: n.to_string(),
                    weight: *w,
                    purpose: Some(p.to_string()),
                })
                .collect::<Vec<_>>()
        };
        let specs = match self {
            MixRule::EightyTwenty => fixed(&[
                ("value", 8.0, "inform, educate or entertain"),
                ("promotion", 2.0, "promote products and offers"),
            ]),
            MixRule::Thirds => fixed(&[
                ("promotion", 1.0, "promote the business"),
                ("curated", 1.0, "industry news and others' content"),
                ("interaction", 1.0, "personal interaction with the audience"),
            ]),
            MixRule::FiveThreeTwo => fixed(&[
                ("curated", 5.0, "content from others"),
                ("original", 3.0, "own content, not sales"),
                ("personal", 2.0, "the people behind the brand"),
            ]),
            MixRule::FiveThreeOne => fixed(&[
                ("educate", 5.0, "teach something useful"),
                ("engage", 3.0, "invite conversation"),
                ("promote", 1.0, "promote products and offers"),
            ]),
            MixRule::FourOneOne => fixed(&[
                ("curated", 4.0, "others' content"),
                ("original", 1.0, "own content"),
                ("promotional", 1.0, "promote products and offers"),
            ]),
            MixRule::Custom { pillars } => pillars.clone(),
        };
        normalize(&specs)
    }
}

fn normalize(specs: &[PillarSpec]) -> Result<Vec<Pillar>> {
    if specs.is_empty() {
        return Err(Error::validation(
            "settings.mix: a custom mix needs at least one pillar",
        ));
    }
    let mut names = std::collections::BTreeSet::new();
    for s in specs {
        if s.name.trim().is_empty() || !names.insert(s.name.as_str()) {
            return Err(Error::validation(format!(
                "settings.mix: pillar names must be non-empty and unique (\"{}\")",
                s.name
            )));
        }
        if !s.weight.is_finite() || s.weight < 0.0 {
            return Err(Error::validation(format!(
                "settings.mix: pillar \"{}\" has weight {}, it must be a non-negative number",
                s.name, s.weight
            )));
        }
    }
    let sum: f64 = specs.iter().map(|s| s.weight).sum();
    if !(sum > 0.0 && sum.is_finite()) {
        return Err(Error::validation(
            "settings.mix: the pillar weights must not all be zero",
        ));
    }
    Ok(specs
        .iter()
        .map(|s| Pillar {
            name: s.name.clone(),
            share: s.weight / sum,
            purpose: s.purpose.clone().unwrap_or_default(),
        })
        .collect())
}

/// Pillar indexes for `n` slots in time order, by largest deficit (see the module docs).
///
/// ```
/// use socialkit::strategy::mix::{assign_pillars, MixRule};
/// let thirds = MixRule::Thirds.pillars().unwrap();
/// assert_eq!(assign_pillars(&thirds, 6), vec![0, 1, 2, 0, 1, 2]);
/// ```
pub fn assign_pillars(pillars: &[Pillar], n: usize) -> Vec<usize> {
    let mut counts = vec![0usize; pillars.len()];
    let mut out = Vec::with_capacity(n);
    if pillars.is_empty() {
        return out;
    }
    for i in 0..n {
        let mut best = 0;
        let mut best_deficit = f64::NEG_INFINITY;
        for (j, p) in pillars.iter().enumerate() {
            let deficit = p.share * (i + 1) as f64 - counts[j] as f64;
            if deficit > best_deficit + 1e-12 {
                best = j;
                best_deficit = deficit;
            }
        }
        counts[best] += 1;
        out.push(best);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_sums_to_one() {
        for r in [
            MixRule::EightyTwenty,
            MixRule::Thirds,
            MixRule::FiveThreeTwo,
            MixRule::FiveThreeOne,
            MixRule::FourOneOne,
        ] {
            let s: f64 = r.pillars().unwrap().iter().map(|p| p.share).sum();
            assert!((s - 1.0).abs() < 1e-9, "{r:?}");
        }
    }

    #[test]
    fn prefixes_stay_within_one_post_of_the_shares() {
        let p = MixRule::FiveThreeOne.pillars().unwrap();
        let seq = assign_pillars(&p, 200);
        let mut counts = [0usize; 3];
        for (i, &k) in seq.iter().enumerate() {
            counts[k] += 1;
            for j in 0..3 {
                let want = p[j].share * (i + 1) as f64;
                assert!((counts[j] as f64 - want).abs() <= 1.0, "{i} {j}");
            }
        }
    }
}
