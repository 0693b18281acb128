//! Cadence per channel: posts per week from the platform benchmarks, within the team's
//! capacity (never over it).
//!
//! 1. Every selected channel gets its platform's minimum (selection already made sure the
//!    minimums fit).
//! 2. The rest of the capacity goes one post at a time to the channel with the largest
//!    `score × (recommended − planned) ÷ recommended` (ties to the higher-ranked channel), until
//!    every channel is at its recommended cadence or the capacity is used up.
//!
//! The recommended cadence is the platform's ([`facts`](super::facts)), or the small-page
//! cadence when the channel has fewer followers than a study's threshold (Facebook under 10k:
//! HubSpot). A channel is never planned above the recommendation: more posts than the
//! benchmark are an evaluation adjustment, not a default.
//!
//! ```
//! use socialkit::strategy::{Inputs, cadence::plan_cadence, select::select};
//! let inputs = Inputs::example();
//! let selection = select(&inputs, 4);
//! let c = plan_cadence(&inputs, &selection, 4);
//! assert!(c.iter().map(|c| c.posts_per_week).sum::<u32>() <= 4);
//! ```

use serde::{Deserialize, Serialize};

use super::inputs::Inputs;
use super::select::{Selection, facts_for};
use crate::model::PlatformId;

/// The cadence of one channel.
///
/// ```
/// use socialkit::strategy::{Inputs, cadence::plan_cadence, select::select};
/// let inputs = Inputs::example();
/// let c = plan_cadence(&inputs, &select(&inputs, 100), 100);
/// let li = c.iter().find(|c| c.platform == "linkedin").unwrap();
/// assert_eq!(li.posts_per_week, 2); // HubSpot: benefits plateau after 2/week
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelCadence {
    /// The channel id.
    pub channel: String,
    /// The platform whose facts plan it.
    pub platform: PlatformId,
    /// Planned posts per week.
    pub posts_per_week: u32,
    /// The platform's minimum.
    pub min_per_week: u32,
    /// The recommendation for this channel.
    pub recommended_per_week: u32,
    /// Above this more posts do not pay.
    pub max_per_week: u32,
    /// Why this number.
    pub reason: String,
    /// Source ids.
    pub sources: Vec<String>,
}

/// The cadence of every selected channel, in selection order, within `capacity` posts/week.
///
/// ```
/// use socialkit::strategy::{Inputs, cadence::plan_cadence, select::select};
/// let inputs = Inputs::example();
/// let c = plan_cadence(&inputs, &select(&inputs, 3), 3);
/// assert_eq!(c.iter().map(|c| c.posts_per_week).sum::<u32>(), 3);
/// ```
pub fn plan_cadence(inputs: &Inputs, selection: &Selection, capacity: u32) -> Vec<ChannelCadence> {
    let mut out: Vec<ChannelCadence> = Vec::new();
    let mut scores = Vec::new();
    for choice in selection.channels.iter().filter(|c| c.selected) {
        let Some(input) = inputs.channels.iter().find(|c| c.id == choice.channel) else {
            continue;
        };
        let facts = facts_for(inputs, &choice.platform);
        let (min, rec, max, small) = facts.cadence.for_followers(input.followers);
        let mut sources = facts.cadence.sources.clone();
        let mut why = facts.cadence.reason.clone();
        if small {
            if let Some(s) = &facts.cadence.small_page {
                why = format!(
                    "{} followers < {}: {}",
                    input.followers.unwrap_or(0),
                    s.followers_below,
                    s.reason
                );
                sources = s.sources.clone();
            }
        }
        out.push(ChannelCadence {
            channel: choice.channel.clone(),
            platform: choice.platform.clone(),
            posts_per_week: min,
            min_per_week: min,
            recommended_per_week: rec,
            max_per_week: max,
            reason: why,
            sources,
        });
        scores.push(choice.score.max(1e-6));
    }
    // Minimums first, in rank order, never over capacity.
    let mut used = 0u32;
    for c in &mut out {
        if used + c.posts_per_week > capacity {
            c.posts_per_week = capacity.saturating_sub(used);
        }
        used += c.posts_per_week;
    }
    // Then toward the recommendation, one post at a time.
    while used < capacity {
        let mut best: Option<(usize, f64)> = None;
        for (i, c) in out.iter().enumerate() {
            if c.posts_per_week >= c.recommended_per_week {
                continue;
            }
            let deficit = f64::from(c.recommended_per_week - c.posts_per_week)
                / f64::from(c.recommended_per_week.max(1));
            let key = scores[i] * deficit;
            if best.is_none_or(|(_, k)| key > k + 1e-12) {
                best = Some((i, key));
            }
        }
        let Some((i, _)) = best else { break };
        out[i].posts_per_week += 1;
        used += 1;
    }
    let full = used >= capacity;
    for c in &mut out {
        c.reason = if c.posts_per_week >= c.recommended_per_week {
            format!(
                "{}/week, the recommendation ({}-{}/week range): {}",
                c.posts_per_week, c.min_per_week, c.max_per_week, c.reason
            )
        } else if full {
            format!(
                "{}/week: capacity binds (all {capacity} posts/week are planned); recommended {}/week: {}",
                c.posts_per_week, c.recommended_per_week, c.reason
            )
        } else {
            format!("{}/week: {}", c.posts_per_week, c.reason)
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::select::select;

    #[test]
    fn never_over_capacity_and_never_over_recommendation() {
        let inputs = Inputs::example();
        for cap in 0..30 {
            let sel = select(&inputs, cap);
            let c = plan_cadence(&inputs, &sel, cap);
            assert!(c.iter().map(|c| c.posts_per_week).sum::<u32>() <= cap);
            assert!(c.iter().all(|c| c.posts_per_week <= c.recommended_per_week));
        }
    }

    #[test]
    fn small_facebook_pages_post_less() {
        let mut inputs = Inputs::example();
        inputs.channels[0].platform = "facebook".into();
        inputs.channels[0].followers = Some(3_000);
        let sel = select(&inputs, 50);
        let c = plan_cadence(&inputs, &sel, 50);
        let fb = c.iter().find(|c| c.platform == "facebook").unwrap();
        assert_eq!(fb.recommended_per_week, 2);
        assert!(fb.reason.contains("HubSpot"), "{}", fb.reason);
    }
}
