//! The delivery state machine, shared by every store.
//!
//! A delivery (one post to one channel) moves through
//! Draft → InReview → Approved | ChangesRequested → Scheduled → Publishing →
//! Published | Failed | Cancelled, and to Paused (and back) in crisis mode. Every store checks
//! each change against [`DeliveryState::can_move_to`] before it writes it, so no store accepts
//! an illegal transition.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, ErrorKind, Result};

/// Where a delivery stands.
///
/// ```
/// use socialkit::store::DeliveryState::*;
/// assert!(Draft.can_move_to(InReview));
/// assert!(!Draft.can_move_to(Published));
/// assert!(Published.is_terminal());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Being written; editors may change it.
    Draft,
    /// Waiting for an approver.
    InReview,
    /// An approver asked for changes; the editor revises and submits again.
    ChangesRequested,
    /// Approved, not yet scheduled.
    Approved,
    /// Waiting for its due time.
    Scheduled,
    /// A worker holds a lease on it and is (or was) calling the platform. Found at start-up
    /// or with an expired lease, it is *in doubt* and reconciled before any retry.
    Publishing,
    /// On the platform; the result is stored.
    Published,
    /// Stopped with a typed error.
    Failed,
    /// Withdrawn by a person.
    Cancelled,
    /// Held by crisis mode; resumes to the state it was paused from.
    Paused,
}

impl DeliveryState {
    /// Every state, in workflow order.
    pub const ALL: [DeliveryState; 10] = [
        DeliveryState::Draft,
        DeliveryState::InReview,
        DeliveryState::ChangesRequested,
        DeliveryState::Approved,
        DeliveryState::Scheduled,
        DeliveryState::Publishing,
        DeliveryState::Published,
        DeliveryState::Failed,
        DeliveryState::Cancelled,
        DeliveryState::Paused,
    ];

    /// The stable lowercase name, as stored.
    ///
    /// ```
    /// assert_eq!(socialkit::store::DeliveryState::InReview.as_str(), "in_review");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Draft => "draft",
            DeliveryState::InReview => "in_review",
            DeliveryState::ChangesRequested => "changes_requested",
            DeliveryState::Approved => "approved",
            DeliveryState::Scheduled => "scheduled",
            DeliveryState::Publishing => "publishing",
            DeliveryState::Published => "published",
            DeliveryState::Failed => "failed",
            DeliveryState::Cancelled => "cancelled",
            DeliveryState::Paused => "paused",
        }
    }

    /// Parses [`as_str`](DeliveryState::as_str)'s form.
    ///
    /// ```
    /// use socialkit::store::DeliveryState;
    /// assert_eq!(DeliveryState::parse("paused"), Some(DeliveryState::Paused));
    /// assert_eq!(DeliveryState::parse("gone"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        DeliveryState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Published, Cancelled: nothing moves them any more. (Failed can be retried.)
    pub fn is_terminal(self) -> bool {
        matches!(self, DeliveryState::Published | DeliveryState::Cancelled)
    }

    /// Draft … Scheduled: waiting for people or for time; what crisis mode pauses.
    ///
    /// ```
    /// use socialkit::store::DeliveryState;
    /// assert!(DeliveryState::Scheduled.is_pending());
    /// assert!(!DeliveryState::Publishing.is_pending());
    /// ```
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            DeliveryState::Draft
                | DeliveryState::InReview
                | DeliveryState::ChangesRequested
                | DeliveryState::Approved
                | DeliveryState::Scheduled
        )
    }

    /// Whether a delivery may be created in this state: a draft, one sent straight to review,
    /// or one scheduled directly by someone allowed to publish without review.
    pub fn can_start_in(self) -> bool {
        matches!(
            self,
            DeliveryState::Draft | DeliveryState::InReview | DeliveryState::Scheduled
        )
    }

    /// Whether `self → to` is a legal transition.
    ///
    /// `Publishing → Publishing` is legal: it is a new lease on an in-doubt delivery whose
    /// earlier lease expired. `Publishing → Paused` is a retry that lands while crisis mode
    /// holds the workspace. `Paused → s` is legal for every pending `s`; the store also checks
    /// that `s` is the state the delivery was paused from.
    pub fn can_move_to(self, to: DeliveryState) -> bool {
        use DeliveryState::*;
        match (self, to) {
            (Draft, InReview | Cancelled) => true,
            (InReview, Approved | ChangesRequested | Cancelled) => true,
            (ChangesRequested, Draft | InReview | Cancelled) => true,
            (Approved, Scheduled | Cancelled) => true,
            (Scheduled, Publishing | Cancelled | Failed) => true,
            (Publishing, Publishing | Published | Failed | Scheduled | Paused) => true,
            // Failed → Published: a person settles an in-doubt failure as made after all.
            (Failed, Scheduled | Cancelled | Published) => true,
            (s, Paused) if s.is_pending() => true,
            (Paused, s) if s.is_pending() => true,
            (Paused, Cancelled) => true,
            _ => false,
        }
    }

    /// `Ok` when `self → to` is legal, else a [`Conflict`](ErrorKind::Conflict) error.
    pub fn check_move(self, to: DeliveryState) -> Result<()> {
        if self.can_move_to(to) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Conflict,
                format!("a delivery cannot move from {self} to {to}"),
            ))
        }
    }
}

impl fmt::Display for DeliveryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::DeliveryState::{self, *};
    use proptest::prelude::*;

    /// The legal transitions, written out once more by hand.
    const LEGAL: &[(DeliveryState, DeliveryState)] = &[
        (Draft, InReview),
        (Draft, Cancelled),
        (InReview, Approved),
        (InReview, ChangesRequested),
        (InReview, Cancelled),
        (ChangesRequested, Draft),
        (ChangesRequested, InReview),
        (ChangesRequested, Cancelled),
        (Approved, Scheduled),
        (Approved, Cancelled),
        (Scheduled, Publishing),
        (Scheduled, Cancelled),
        (Scheduled, Failed),
        (Publishing, Publishing),
        (Publishing, Published),
        (Publishing, Failed),
        (Publishing, Scheduled),
        (Publishing, Paused),
        (Failed, Scheduled),
        (Failed, Cancelled),
        (Failed, Published),
        (Paused, Cancelled),
    ];

    fn legal(a: DeliveryState, b: DeliveryState) -> bool {
        LEGAL.contains(&(a, b))
            || (a.is_pending() && b == Paused)
            || (a == Paused && b.is_pending())
    }

    fn state() -> impl Strategy<Value = DeliveryState> {
        (0..DeliveryState::ALL.len()).prop_map(|i| DeliveryState::ALL[i])
    }

    proptest! {
        #[test]
        fn no_illegal_transition_is_accepted(a in state(), b in state()) {
            prop_assert_eq!(a.can_move_to(b), legal(a, b));
            prop_assert_eq!(a.check_move(b).is_ok(), legal(a, b));
        }

        #[test]
        fn terminal_states_never_move(b in state()) {
            prop_assert!(!Published.can_move_to(b));
            prop_assert!(!Cancelled.can_move_to(b));
        }
    }

    #[test]
    fn names_round_trip() {
        for s in DeliveryState::ALL {
            assert_eq!(DeliveryState::parse(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
    }
}
