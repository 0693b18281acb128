//! Changes to deliveries as data, and the one function that applies them.
//!
//! Every store loads the deliveries a change targets, calls [`Change::apply`] (or
//! [`claim`] for the outbox) on each inside one transaction, and writes back the deliveries,
//! the audit entries and the attempt updates it returns. The rules live here once; a store
//! only moves rows.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Attempt, AttemptOutcome, Delivery, DeliveryState, HistoryEntry, Lease};
use crate::model::{Post, Published};
use crate::{Error, ErrorKind, ErrorRecord, Result};

/// How a publish attempt ended, as the outbox stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Finish {
    /// The platform answered with the post.
    Published(Published),
    /// Reconciliation found the post an in-doubt attempt had made.
    Reconciled(Published),
    /// Try again at `due_at`.
    Retry {
        /// The error of this attempt.
        error: ErrorRecord,
        /// When to try again.
        due_at: DateTime<Utc>,
        /// Whether it counts towards the attempt limit (a rate limit does not).
        counted: bool,
        /// Whether the post may exist all the same (timeout, lost answer, 5xx).
        in_doubt: bool,
        /// Reconcile only at the next attempt; never publish again.
        reconcile_only: bool,
        /// Reconciliation found that no earlier attempt made the post: the doubt is over.
        #[serde(default)]
        settled: bool,
    },
    /// Stop with a typed error.
    Fail {
        /// The error.
        error: ErrorRecord,
        /// Whether the post may exist all the same.
        in_doubt: bool,
        /// Reconciliation found that no earlier attempt made the post: the doubt is over.
        #[serde(default)]
        settled: bool,
    },
    /// Hand back unstarted, due at `due_at`.
    Release {
        /// When it is due again.
        due_at: DateTime<Utc>,
    },
}

/// A change to a delivery.
///
/// ```
/// use socialkit::store::{Change, DeliveryState};
/// let c = Change::Move { to: DeliveryState::Approved, due_at: None };
/// assert!(matches!(c, Change::Move { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // short-lived values, never stored in bulk
pub enum Change {
    /// A workflow move made by a person: to Draft, InReview, ChangesRequested, Approved,
    /// Scheduled (at `due_at`, else the planned time, else now) or Cancelled.
    Move {
        /// The target state.
        to: DeliveryState,
        /// When to publish, for a move to Scheduled.
        due_at: Option<DateTime<Utc>>,
    },
    /// Replaces the content of a draft (Draft or ChangesRequested).
    Edit {
        /// The new content, resolved for the delivery's channel.
        content: Box<Post>,
    },
    /// Crisis mode: a pending delivery is held.
    Pause,
    /// Crisis mode over: back to the state it was paused from.
    Resume,
    /// A person settles a delivery that failed in doubt (the outbox could not tell whether the
    /// platform made the post or reply): `Some` — it is there, with this result (to
    /// Published); `None` — it is not, send it again (to Scheduled, now, with a fresh key).
    Settle {
        /// What the person found on the platform.
        published: Option<Published>,
    },
    /// The outbox stores an attempt's outcome; applies only while the attempt holds the lease.
    Finish {
        /// The attempt (the lease's fencing token).
        attempt_id: String,
        /// How it ended.
        outcome: Finish,
    },
}

/// Who makes a change, when, why, and whether the workspace is paused.
#[derive(Debug, Clone)]
pub struct ChangeCtx<'a> {
    /// Now.
    pub now: DateTime<Utc>,
    /// Who.
    pub who: &'a str,
    /// Why.
    pub why: &'a str,
    /// Whether crisis mode holds the workspace (a retry then lands in Paused).
    pub workspace_paused: bool,
}

/// What a store writes back after applying a change to one delivery.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The audit entry.
    pub history: HistoryEntry,
    /// The attempt that ended, and how.
    pub attempt: Option<(String, AttemptOutcome)>,
}

fn conflict(msg: String) -> Error {
    Error::new(ErrorKind::Conflict, msg)
}

impl Change {
    /// Applies the change to `d` (in place) or refuses with a
    /// [`Conflict`](ErrorKind::Conflict) error, leaving `d` as it was.
    ///
    /// ```
    /// use socialkit::model::Post;
    /// use socialkit::store::{Change, ChangeCtx, Delivery, DeliveryState};
    /// let now = chrono::Utc::now();
    /// let mut d = Delivery::new("ws".into(), "p".into(), "c".into(), "x", Post::text("hi"), DeliveryState::Draft, None, now);
    /// let ctx = ChangeCtx { now, who: "ana", why: "ready", workspace_paused: false };
    /// Change::Move { to: DeliveryState::InReview, due_at: None }.apply(&mut d, &ctx).unwrap();
    /// assert_eq!(d.state, DeliveryState::InReview);
    /// assert!(Change::Move { to: DeliveryState::Scheduled, due_at: None }.apply(&mut d, &ctx).is_err());
    /// assert_eq!(d.state, DeliveryState::InReview);
    /// ```
    pub fn apply(&self, d: &mut Delivery, ctx: &ChangeCtx<'_>) -> Result<Applied> {
        let mut next = d.clone();
        let from = d.state;
        let mut attempt = None;
        match self {
            Change::Move { to, due_at } => {
                use DeliveryState::*;
                if !matches!(
                    to,
                    Draft | InReview | ChangesRequested | Approved | Scheduled | Cancelled
                ) {
                    return Err(conflict(format!(
                        "only the outbox moves a delivery to {to}"
                    )));
                }
                if from == Paused {
                    return Err(conflict(
                        "the workspace is paused (crisis mode); resume it first".into(),
                    ));
                }
                from.check_move(*to)?;
                next.state = *to;
                next.due_at = None;
                if *to == Scheduled {
                    if let Some(at) = due_at {
                        next.scheduled_for = Some(*at);
                    }
                    next.due_at = Some(next.scheduled_for.unwrap_or(ctx.now).max(ctx.now));
                    if from == Failed {
                        next.failures = 0;
                        next.reconcile_only = false;
                        if !next.in_doubt() {
                            next.key_generation += 1;
                        }
                    }
                }
            }
            Change::Edit { content } => {
                if !matches!(from, DeliveryState::Draft | DeliveryState::ChangesRequested) {
                    return Err(conflict(format!(
                        "only drafts can be edited; this delivery is {from}"
                    )));
                }
                next.content = (**content).clone();
            }
            Change::Pause => {
                from.check_move(DeliveryState::Paused)?;
                next.paused_from = Some(from);
                next.state = DeliveryState::Paused;
            }
            Change::Resume => {
                let back = d
                    .paused_from
                    .ok_or_else(|| conflict(format!("delivery {} is not paused", d.id)))?;
                from.check_move(back)?;
                next.state = back;
                next.paused_from = None;
            }
            Change::Settle { published } => {
                if from != DeliveryState::Failed || !d.in_doubt() {
                    return Err(conflict(format!(
                        "delivery {} is not failed in doubt; there is nothing to settle",
                        d.id
                    )));
                }
                next.in_doubt_since = None;
                next.reconcile_only = false;
                match published {
                    Some(p) => {
                        next.state = DeliveryState::Published;
                        next.result = Some(p.clone());
                        next.error = None;
                    }
                    None => {
                        next.key_generation += 1;
                        next.failures = 0;
                        next.state = DeliveryState::Scheduled;
                        next.due_at = Some(ctx.now);
                    }
                }
            }
            Change::Finish {
                attempt_id,
                outcome,
            } => {
                let holds = from == DeliveryState::Publishing
                    && d.lease
                        .as_ref()
                        .is_some_and(|l| &l.attempt_id == attempt_id);
                if !holds {
                    return Err(conflict(format!(
                        "attempt {attempt_id} no longer holds the lease on delivery {}",
                        d.id
                    )));
                }
                let since = d.lease.as_ref().map(|l| l.since).unwrap_or(ctx.now);
                next.lease = None;
                next.due_at = None;
                let recorded = finish(&mut next, outcome, since, ctx);
                attempt = Some((attempt_id.clone(), recorded));
            }
        }
        if next.state != from {
            from.check_move(next.state)?;
        }
        next.updated_at = ctx.now;
        let history = HistoryEntry {
            workspace: d.workspace.clone(),
            delivery: d.id.clone(),
            post: d.post.clone(),
            at: ctx.now,
            who: ctx.who.to_string(),
            from: Some(from),
            to: next.state,
            why: ctx.why.to_string(),
            attempt_id: attempt.as_ref().map(|(id, _)| id.clone()),
        };
        *d = next;
        Ok(Applied { history, attempt })
    }
}

fn finish(
    d: &mut Delivery,
    outcome: &Finish,
    since: DateTime<Utc>,
    ctx: &ChangeCtx<'_>,
) -> AttemptOutcome {
    match outcome {
        Finish::Published(p) | Finish::Reconciled(p) => {
            d.state = DeliveryState::Published;
            d.result = Some(p.clone());
            d.error = None;
            d.in_doubt_since = None;
            d.reconcile_only = false;
            if matches!(outcome, Finish::Published(_)) {
                AttemptOutcome::Published { result: p.clone() }
            } else {
                AttemptOutcome::Reconciled { result: p.clone() }
            }
        }
        Finish::Retry {
            error,
            due_at,
            counted,
            in_doubt,
            reconcile_only,
            settled,
        } => {
            if *settled {
                d.in_doubt_since = None;
            }
            if *counted {
                d.failures += 1;
            }
            if *in_doubt {
                d.in_doubt_since.get_or_insert(since);
            } else if !d.in_doubt() {
                // A definite "not published": the next attempt may use a fresh key.
                d.key_generation += 1;
            }
            d.reconcile_only = *reconcile_only;
            d.error = Some(error.clone());
            d.due_at = Some(*due_at);
            if ctx.workspace_paused {
                d.state = DeliveryState::Paused;
                d.paused_from = Some(DeliveryState::Scheduled);
            } else {
                d.state = DeliveryState::Scheduled;
            }
            AttemptOutcome::Failed {
                error: error.clone(),
                in_doubt: *in_doubt,
            }
        }
        Finish::Fail {
            error,
            in_doubt,
            settled,
        } => {
            if *settled {
                d.in_doubt_since = None;
            }
            if *in_doubt {
                d.in_doubt_since.get_or_insert(since);
            }
            d.state = DeliveryState::Failed;
            d.error = Some(error.clone());
            AttemptOutcome::Failed {
                error: error.clone(),
                in_doubt: *in_doubt,
            }
        }
        Finish::Release { due_at } => {
            d.due_at = Some(*due_at);
            d.state = if ctx.workspace_paused {
                d.paused_from = Some(DeliveryState::Scheduled);
                DeliveryState::Paused
            } else {
                DeliveryState::Scheduled
            };
            AttemptOutcome::Released
        }
    }
}

/// What claiming one delivery produced: the new attempt, the audit entry, and the earlier
/// attempt that was abandoned (an expired lease), if any.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The new attempt.
    pub attempt: Attempt,
    /// The audit entry.
    pub history: HistoryEntry,
    /// The earlier attempt whose lease expired: it ends as
    /// [`Abandoned`](AttemptOutcome::Abandoned).
    pub abandoned: Option<String>,
}

/// Moves a due delivery to Publishing under a fresh lease for `worker`. A delivery still in
/// Publishing (its lease expired: the worker died or hung) becomes in doubt; the idempotency
/// key does not change.
///
/// ```
/// use socialkit::model::Post;
/// use socialkit::store::{claim, Delivery, DeliveryState};
/// let now = chrono::Utc::now();
/// let mut d = Delivery::new("ws".into(), "p".into(), "c".into(), "x", Post::text("hi"), DeliveryState::Scheduled, None, now);
/// let c = claim(&mut d, now, "w1", chrono::Duration::seconds(60)).unwrap();
/// assert_eq!(d.state, DeliveryState::Publishing);
/// assert_eq!(c.attempt.key, d.idempotency_key());
/// // The worker dies; a minute later another one takes over, in doubt, with the same key.
/// let later = now + chrono::Duration::seconds(61);
/// let c2 = claim(&mut d, later, "w2", chrono::Duration::seconds(60)).unwrap();
/// assert!(d.in_doubt());
/// assert_eq!(c2.attempt.key, c.attempt.key);
/// assert_eq!(c2.abandoned.as_deref(), Some(c.attempt.id.as_str()));
/// ```
pub fn claim(
    d: &mut Delivery,
    now: DateTime<Utc>,
    worker: &str,
    lease: Duration,
) -> Result<Claimed> {
    let from = d.state;
    let due = d.due_at.is_some_and(|t| t <= now);
    let abandoned = match from {
        DeliveryState::Scheduled if due => None,
        DeliveryState::Publishing if due => d.lease.as_ref().map(|l| l.attempt_id.clone()),
        _ => {
            return Err(conflict(format!(
                "delivery {} is {from} and not due; it cannot be claimed",
                d.id
            )));
        }
    };
    if let Some(old) = &d.lease {
        d.in_doubt_since.get_or_insert(old.since);
    }
    d.attempts += 1;
    let attempt_id = format!("{}/{}", d.id, d.attempts);
    let until = now + lease;
    d.lease = Some(Lease {
        worker: worker.to_string(),
        attempt_id: attempt_id.clone(),
        since: now,
        until,
    });
    d.state = DeliveryState::Publishing;
    d.due_at = Some(until);
    d.updated_at = now;
    let why = match &abandoned {
        Some(old) => format!("lease of attempt {old} expired: in doubt, reconciling"),
        None if d.in_doubt() => "claimed; an earlier attempt is in doubt, reconciling".into(),
        None => "claimed".into(),
    };
    Ok(Claimed {
        attempt: Attempt {
            workspace: d.workspace.clone(),
            delivery: d.id.clone(),
            id: attempt_id.clone(),
            number: d.attempts,
            key: d.idempotency_key(),
            worker: worker.to_string(),
            started_at: now,
            finished_at: None,
            outcome: None,
        },
        history: HistoryEntry {
            workspace: d.workspace.clone(),
            delivery: d.id.clone(),
            post: d.post.clone(),
            at: now,
            who: format!("worker:{worker}"),
            from: Some(from),
            to: DeliveryState::Publishing,
            why,
            attempt_id: Some(attempt_id),
        },
        abandoned,
    })
}

/// The audit entry for a delivery's creation.
pub fn created(d: &Delivery, who: &str, why: &str) -> Result<HistoryEntry> {
    if !d.state.can_start_in() {
        return Err(conflict(format!(
            "a delivery cannot be created in state {}",
            d.state
        )));
    }
    Ok(HistoryEntry {
        workspace: d.workspace.clone(),
        delivery: d.id.clone(),
        post: d.post.clone(),
        at: d.created_at,
        who: who.to_string(),
        from: None,
        to: d.state,
        why: why.to_string(),
        attempt_id: None,
    })
}

/// Whether the channel's spacing lets a delivery go at `now`; when not, the instant it may.
pub fn spacing_defers(
    next_free: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    next_free.filter(|t| *t > now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DeliveryState::*;

    fn d(state: DeliveryState) -> Delivery {
        Delivery::new(
            "ws".into(),
            "p".into(),
            "c".into(),
            "x",
            Post::text("hi"),
            state,
            None,
            Utc::now(),
        )
    }

    fn ctx() -> ChangeCtx<'static> {
        ChangeCtx {
            now: Utc::now(),
            who: "t",
            why: "test",
            workspace_paused: false,
        }
    }

    fn err(kind: ErrorKind) -> ErrorRecord {
        Error::new(kind, "x").to_record()
    }

    #[test]
    fn stale_attempt_cannot_finish() {
        let mut x = d(Scheduled);
        let now = Utc::now();
        let c = claim(&mut x, now, "w", Duration::seconds(1)).unwrap();
        let later = now + Duration::seconds(2);
        let c2 = claim(&mut x, later, "w2", Duration::seconds(1)).unwrap();
        let stale = Change::Finish {
            attempt_id: c.attempt.id.clone(),
            outcome: Finish::Release { due_at: later },
        };
        assert!(stale.apply(&mut x, &ctx()).is_err());
        let fresh = Change::Finish {
            attempt_id: c2.attempt.id,
            outcome: Finish::Release { due_at: later },
        };
        assert!(fresh.apply(&mut x, &ctx()).is_ok());
        assert_eq!(x.state, Scheduled);
    }

    #[test]
    fn key_changes_only_after_a_definite_failure() {
        let mut x = d(Scheduled);
        let k1 = x.idempotency_key();
        let c = claim(&mut x, Utc::now(), "w", Duration::seconds(60)).unwrap();
        let retry = |id: String, in_doubt| Change::Finish {
            attempt_id: id,
            outcome: Finish::Retry {
                error: err(ErrorKind::Timeout),
                due_at: Utc::now(),
                counted: true,
                in_doubt,
                reconcile_only: false,
                settled: false,
            },
        };
        retry(c.attempt.id, true).apply(&mut x, &ctx()).unwrap();
        assert_eq!(x.idempotency_key(), k1, "in doubt: same key");
        let c = claim(&mut x, Utc::now(), "w", Duration::seconds(60)).unwrap();
        retry(c.attempt.id, false).apply(&mut x, &ctx()).unwrap();
        assert_eq!(
            x.idempotency_key(),
            k1,
            "still in doubt from before: same key"
        );
        let mut y = d(Scheduled);
        let c = claim(&mut y, Utc::now(), "w", Duration::seconds(60)).unwrap();
        retry(c.attempt.id, false).apply(&mut y, &ctx()).unwrap();
        assert_ne!(y.idempotency_key(), k1);
        assert!(y.idempotency_key().ends_with("-2"));
    }

    #[test]
    fn pause_and_resume_restore_the_state() {
        for s in [Draft, InReview, ChangesRequested, Approved, Scheduled] {
            let mut x = d(Draft);
            x.state = s;
            Change::Pause.apply(&mut x, &ctx()).unwrap();
            assert_eq!(x.state, Paused);
            Change::Resume.apply(&mut x, &ctx()).unwrap();
            assert_eq!(x.state, s);
        }
        let mut x = d(Draft);
        x.state = Published;
        assert!(Change::Pause.apply(&mut x, &ctx()).is_err());
    }

    #[test]
    fn a_retry_while_paused_lands_in_paused() {
        let mut x = d(Scheduled);
        let c = claim(&mut x, Utc::now(), "w", Duration::seconds(60)).unwrap();
        let mut cx = ctx();
        cx.workspace_paused = true;
        Change::Finish {
            attempt_id: c.attempt.id,
            outcome: Finish::Release { due_at: Utc::now() },
        }
        .apply(&mut x, &cx)
        .unwrap();
        assert_eq!(x.state, Paused);
        Change::Resume.apply(&mut x, &ctx()).unwrap();
        assert_eq!(x.state, Scheduled);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// One step a person, the crisis switch or the outbox may try.
        #[derive(Debug, Clone)]
        enum Step {
            Move(usize),
            Pause,
            Resume,
            Claim(i64),
            Finish(usize, bool),
        }

        fn step() -> impl Strategy<Value = Step> {
            prop_oneof![
                (0..DeliveryState::ALL.len()).prop_map(Step::Move),
                Just(Step::Pause),
                Just(Step::Resume),
                (0i64..600).prop_map(Step::Claim),
                (0usize..5, any::<bool>()).prop_map(|(k, stale)| Step::Finish(k, stale)),
            ]
        }

        fn outcome(k: usize, now: DateTime<Utc>) -> Finish {
            let error = Error::new(ErrorKind::Timeout, "x").to_record();
            match k {
                0 => Finish::Published(crate::model::Published::single(
                    crate::model::PostRef::new("x", "1"),
                    now,
                )),
                1 => Finish::Retry {
                    error,
                    due_at: now,
                    counted: true,
                    in_doubt: true,
                    reconcile_only: false,
                    settled: false,
                },
                2 => Finish::Fail {
                    error,
                    in_doubt: false,
                    settled: false,
                },
                3 => Finish::Reconciled(crate::model::Published::single(
                    crate::model::PostRef::new("x", "1"),
                    now,
                )),
                _ => Finish::Release { due_at: now },
            }
        }

        proptest! {
            /// Whatever is tried, in any order, every accepted change is a legal transition,
            /// a refused change leaves the delivery as it was, nothing leaves Published or
            /// Cancelled, and a Published delivery always has its result.
            #[test]
            fn random_histories_only_make_legal_moves(
                start in prop_oneof![Just(Draft), Just(InReview), Just(Scheduled)],
                steps in proptest::collection::vec(step(), 1..40),
            ) {
                let t0 = Utc::now();
                let mut d = Delivery::new("ws".into(), "p".into(), "c".into(), "x", Post::text("hi"), start, None, t0);
                let mut now = t0;
                let mut last_attempt: Option<String> = None;
                for s in steps {
                    now += Duration::seconds(1);
                    let before = d.clone();
                    let ctx = ChangeCtx { now, who: "t", why: "p", workspace_paused: false };
                    let result = match s {
                        Step::Move(i) => Change::Move { to: DeliveryState::ALL[i], due_at: None }
                            .apply(&mut d, &ctx).map(|_| ()),
                        Step::Pause => Change::Pause.apply(&mut d, &ctx).map(|_| ()),
                        Step::Resume => Change::Resume.apply(&mut d, &ctx).map(|_| ()),
                        Step::Claim(secs) => {
                            now += Duration::seconds(secs);
                            claim(&mut d, now, "w", Duration::seconds(60)).map(|c| {
                                last_attempt = Some(c.attempt.id);
                            })
                        }
                        Step::Finish(k, stale) => {
                            let id = match (&last_attempt, stale) {
                                (Some(a), false) => a.clone(),
                                _ => "stale/0".to_string(),
                            };
                            Change::Finish { attempt_id: id, outcome: outcome(k, now) }
                                .apply(&mut d, &ctx).map(|_| ())
                        }
                    };
                    match result {
                        Ok(()) => {
                            prop_assert!(
                                before.state == d.state || before.state.can_move_to(d.state),
                                "illegal {} -> {}", before.state, d.state
                            );
                            prop_assert!(!before.state.is_terminal() || before.state == d.state);
                        }
                        Err(_) => prop_assert_eq!(&before, &d),
                    }
                    if d.state == Published {
                        prop_assert!(d.result.is_some());
                    }
                    if d.state == Publishing {
                        prop_assert!(d.lease.is_some());
                    }
                }
            }
        }
    }
}
