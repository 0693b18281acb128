//! Fault injection: make a sandbox account fail the way real platforms fail, deterministically,
//! so the engine's retry and exactly-once logic can be tested offline.
//!
//! ```
//! use socialkit::adapters::sandbox::{Call, Fault, SandboxConfig, SandboxWorld, Trigger};
//! use socialkit::{ErrorKind, Platform, PlatformExt};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
//! let acme = world.channel("acme", SandboxConfig::default()).unwrap();
//!
//! // The next publish creates the post but its answer is lost.
//! acme.faults().inject(Fault::LostAnswer, Trigger::next(Call::Publish, 1));
//! let err = acme.publish_text("Hello").await.unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Timeout);
//! assert_eq!(acme.recent_posts(10).await.unwrap().len(), 1, "the post exists anyway");
//! # });
//! ```

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::rng::Key;
use super::world::SandboxWorld;
use crate::{Error, ErrorKind, Result};

/// A call of the [`Platform`](crate::Platform) trait, as faults and call counts see it.
///
/// ```
/// use socialkit::adapters::sandbox::Call;
/// assert_eq!(Call::Publish.to_string(), "publish");
/// assert!(Call::Publish.is_write() && !Call::Interactions.is_write());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// [`Platform::channel`](crate::Platform::channel).
    Channel,
    /// [`Platform::publish`](crate::Platform::publish) (a thread is one call).
    Publish,
    /// [`Platform::delete`](crate::Platform::delete).
    Delete,
    /// [`Platform::edit`](crate::Platform::edit).
    Edit,
    /// [`Platform::interactions`](crate::Platform::interactions).
    Interactions,
    /// [`Platform::reply`](crate::Platform::reply).
    Reply,
    /// [`Platform::post_metrics`](crate::Platform::post_metrics).
    PostMetrics,
    /// [`Platform::recent_posts`](crate::Platform::recent_posts).
    RecentPosts,
    /// [`Platform::search`](crate::Platform::search).
    Search,
}

impl Call {
    /// The call's name as errors show it in their `operation` context.
    ///
    /// ```
    /// assert_eq!(socialkit::adapters::sandbox::Call::PostMetrics.as_str(), "post metrics");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Call::Channel => "channel",
            Call::Publish => "publish",
            Call::Delete => "delete",
            Call::Edit => "edit",
            Call::Interactions => "interactions",
            Call::Reply => "reply",
            Call::PostMetrics => "post metrics",
            Call::RecentPosts => "recent posts",
            Call::Search => "search",
        }
    }

    /// Whether the call changes state (a lost answer then leaves the change in place).
    ///
    /// ```
    /// assert!(socialkit::adapters::sandbox::Call::Delete.is_write());
    /// ```
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Call::Publish | Call::Delete | Call::Edit | Call::Reply
        )
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A way to fail.
///
/// ```
/// use socialkit::adapters::sandbox::Fault;
/// let f: Fault = serde_json::from_str(r#"{"type": "rate_limited", "retry_after_secs": 60}"#).unwrap();
/// assert_eq!(f, Fault::RateLimited { retry_after_secs: 60 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Fault {
    /// HTTP 429: [`RateLimited`](ErrorKind::RateLimited) with `retry_after` = now + the given
    /// seconds (on the world's clock). Nothing happens.
    RateLimited {
        /// Seconds until a retry is allowed.
        retry_after_secs: u64,
    },
    /// A 5xx answer: [`Platform`](ErrorKind::Platform), retryable. Nothing happens.
    ServerError {
        /// The HTTP status (500, 502, 503 …).
        status: u16,
    },
    /// The request times out before the platform receives it:
    /// [`Timeout`](ErrorKind::Timeout), nothing happens.
    Timeout,
    /// The platform does the work but the answer never arrives: the post *is* created (or
    /// deleted, edited, replied), and the call returns [`Timeout`](ErrorKind::Timeout). This is
    /// the case the engine has to reconcile.
    LostAnswer,
    /// A permanent refusal by policy: [`ContentRejected`](ErrorKind::ContentRejected), not
    /// retryable. Nothing happens.
    Rejected {
        /// The platform's reason.
        reason: String,
    },
    /// The credentials were revoked: [`Unauthenticated`](ErrorKind::Unauthenticated). Nothing
    /// happens.
    Unauthenticated,
}

impl Fault {
    /// The error the call returns, as of `now`.
    pub(crate) fn error(&self, now: DateTime<Utc>) -> Error {
        match self {
            Fault::RateLimited { retry_after_secs } => {
                let secs = i64::try_from(*retry_after_secs).unwrap_or(i64::MAX / 1000);
                let at = now
                    .checked_add_signed(Duration::seconds(secs.min(10 * 365 * 24 * 3600)))
                    .unwrap_or(now);
                Error::new(
                    ErrorKind::RateLimited,
                    format!("rate limit exceeded, try again in {retry_after_secs} s"),
                )
                .with_http_status(429)
                .with_platform_code("rate_limited")
                .with_retry_after(at)
            }
            Fault::ServerError { status } => Error::new(
                ErrorKind::Platform,
                format!("the sandbox failed on its side (HTTP {status})"),
            )
            .with_http_status(*status)
            .with_retryable(true),
            Fault::Timeout | Fault::LostAnswer => Error::new(
                ErrorKind::Timeout,
                "the request timed out; the outcome of a write is unknown",
            ),
            Fault::Rejected { reason } => Error::new(
                ErrorKind::ContentRejected,
                format!("the sandbox rejected the content: {reason}"),
            )
            .with_http_status(422)
            .with_platform_code("content_rejected")
            .with_platform_message(reason.clone())
            .with_retryable(false),
            Fault::Unauthenticated => Error::new(
                ErrorKind::Unauthenticated,
                "the access token is invalid or was revoked; reconnect the account",
            )
            .with_http_status(401)
            .with_platform_code("invalid_token"),
        }
    }

    /// Whether the call's work happens before the error (a lost answer).
    pub(crate) fn after_work(&self) -> bool {
        matches!(self, Fault::LostAnswer)
    }
}

/// When a fault fires, counting only the calls it applies to, from the moment it was injected.
///
/// ```
/// use socialkit::adapters::sandbox::{Call, Trigger, When};
/// let flaky = Trigger { call: Some(Call::Interactions), when: When::Probability { p: 0.2, seed: 7 } };
/// assert_eq!(flaky, Trigger::probability(Call::Interactions, 0.2, 7));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// The next `n` calls.
    Next(u32),
    /// Every call.
    Always,
    /// Each call with probability `p` (clamped to 0–1), decided by a random stream seeded with
    /// `seed` and the call's number, so the same calls fail in every run.
    Probability {
        /// The probability per call.
        p: f64,
        /// The seed of the decisions.
        seed: u64,
    },
    /// Only the `n`-th call (1 = the next one).
    AtCall(u64),
}

/// Which calls a fault applies to and when it fires.
///
/// ```
/// use socialkit::adapters::sandbox::{Call, Trigger, When};
/// let t = Trigger::next(Call::Publish, 2);
/// assert_eq!(t.call, Some(Call::Publish));
/// assert_eq!(t.when, When::Next(2));
/// assert_eq!(Trigger::any_call(When::Always).call, None);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    /// The call it applies to; `None` = every call.
    pub call: Option<Call>,
    /// When it fires.
    pub when: When,
}

impl Trigger {
    /// The next `n` calls of `call`.
    ///
    /// ```
    /// let t = socialkit::adapters::sandbox::Trigger::next(socialkit::adapters::sandbox::Call::Publish, 3);
    /// assert_eq!(t.when, socialkit::adapters::sandbox::When::Next(3));
    /// ```
    pub fn next(call: Call, n: u32) -> Self {
        Trigger {
            call: Some(call),
            when: When::Next(n),
        }
    }

    /// Every call of `call`, until removed.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{Call, Trigger, When};
    /// assert_eq!(Trigger::always(Call::Channel).when, When::Always);
    /// ```
    pub fn always(call: Call) -> Self {
        Trigger {
            call: Some(call),
            when: When::Always,
        }
    }

    /// Each call of `call` with probability `p`, from a random stream seeded with `seed`.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{Call, Trigger};
    /// let t = Trigger::probability(Call::Publish, 0.1, 42);
    /// assert_eq!(t.call, Some(Call::Publish));
    /// ```
    pub fn probability(call: Call, p: f64, seed: u64) -> Self {
        Trigger {
            call: Some(call),
            when: When::Probability { p, seed },
        }
    }

    /// Only the `n`-th call of `call` from now (1 = the next one).
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{Call, Trigger, When};
    /// assert_eq!(Trigger::at_call(Call::Reply, 2).when, When::AtCall(2));
    /// ```
    pub fn at_call(call: Call, n: u64) -> Self {
        Trigger {
            call: Some(call),
            when: When::AtCall(n),
        }
    }

    /// Calls of any kind.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{Trigger, When};
    /// assert_eq!(Trigger::any_call(When::Next(1)).call, None);
    /// ```
    pub fn any_call(when: When) -> Self {
        Trigger { call: None, when }
    }
}

/// The id of an injected fault, to remove it again.
///
/// ```
/// use socialkit::adapters::sandbox::{Call, Fault, Sandbox, Trigger};
/// let acme = Sandbox::from_url("sandbox://acme-faultid-doc").unwrap();
/// let a = acme.faults().inject(Fault::Timeout, Trigger::next(Call::Publish, 1));
/// let b = acme.faults().inject(Fault::Timeout, Trigger::next(Call::Publish, 1));
/// assert_ne!(a, b);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FaultId(u64);

#[derive(Debug, Clone)]
struct Rule {
    id: FaultId,
    fault: Fault,
    trigger: Trigger,
    /// Calls this rule applied to since it was injected.
    seen: u64,
    /// Times it fired.
    fired: u64,
}

impl Rule {
    fn fires(&mut self, call: Call) -> bool {
        if self.trigger.call.is_some_and(|c| c != call) {
            return false;
        }
        self.seen += 1;
        let fire = match &self.trigger.when {
            When::Next(n) => self.fired < u64::from(*n),
            When::Always => true,
            When::Probability { p, seed } => {
                let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
                Key::new(*seed).with(self.seen).unit() < p
            }
            When::AtCall(n) => self.seen == *n,
        };
        if fire {
            self.fired += 1;
        }
        fire
    }
}

/// The faults and call counts of one account (kept in the world, so every handle to the
/// account sees them).
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultPlan {
    rules: Vec<Rule>,
    calls: BTreeMap<Call, u64>,
    next_id: u64,
}

impl FaultPlan {
    /// Counts a call and returns the fault to apply, if one fires (the oldest rule wins; every
    /// applicable rule counts the call).
    pub(crate) fn on_call(&mut self, call: Call) -> Option<Fault> {
        *self.calls.entry(call).or_default() += 1;
        let mut chosen = None;
        for rule in &mut self.rules {
            if rule.fires(call) && chosen.is_none() {
                chosen = Some(rule.fault.clone());
            }
        }
        chosen
    }

    fn inject(&mut self, fault: Fault, trigger: Trigger) -> FaultId {
        self.next_id += 1;
        let id = FaultId(self.next_id);
        self.rules.push(Rule {
            id,
            fault,
            trigger,
            seen: 0,
            fired: 0,
        });
        id
    }
}

/// The fault controls of a sandbox account, from [`Sandbox::faults`](super::Sandbox::faults).
///
/// Faults live with the account in its world: every handle to the account (two `sandbox://acme`
/// built through the registry) sees the same faults and call counts.
///
/// ```
/// use socialkit::adapters::sandbox::{Call, Fault, SandboxConfig, SandboxWorld, Trigger};
/// use socialkit::{ErrorKind, Platform};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
/// let acme = world.channel("acme", SandboxConfig::default()).unwrap();
/// let faults = acme.faults();
/// let id = faults.inject(Fault::Unauthenticated, Trigger::always(Call::Channel));
/// assert_eq!(acme.channel().await.unwrap_err().kind(), ErrorKind::Unauthenticated);
/// assert_eq!((faults.fired(id), faults.calls(Call::Channel)), (1, 1));
/// assert!(faults.remove(id));
/// assert!(acme.channel().await.is_ok());
/// faults.clear();
/// # });
/// ```
#[derive(Clone)]
pub struct Faults {
    world: SandboxWorld,
    account: String,
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Faults")
            .field("account", &self.account)
            .finish()
    }
}

impl Faults {
    pub(crate) fn new(world: SandboxWorld, account: String) -> Self {
        Faults { world, account }
    }

    fn plan<R>(&self, f: impl FnOnce(&mut FaultPlan) -> R) -> Result<R> {
        self.world
            .with_account(&self.account, |a, _| f(&mut a.faults))
    }

    /// Injects `fault`, firing as `trigger` says. Faults fire after validation (which happens
    /// on the client, before any call reaches the platform) and before the work, except
    /// [`Fault::LostAnswer`], which fires after it.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{Call, Fault, Sandbox, Trigger};
    /// let acme = Sandbox::from_url("sandbox://acme-inject-doc").unwrap();
    /// acme.faults().inject(Fault::ServerError { status: 503 }, Trigger::next(Call::Publish, 2));
    /// ```
    pub fn inject(&self, fault: Fault, trigger: Trigger) -> FaultId {
        // The account exists for as long as a handle to it does.
        self.plan(|p| p.inject(fault, trigger))
            .unwrap_or(FaultId(0))
    }

    /// Removes an injected fault; `false` when there was none with that id.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{Call, Fault, Sandbox, Trigger};
    /// let acme = Sandbox::from_url("sandbox://acme-remove-doc").unwrap();
    /// let id = acme.faults().inject(Fault::Timeout, Trigger::always(Call::Publish));
    /// assert!(acme.faults().remove(id));
    /// assert!(!acme.faults().remove(id));
    /// ```
    pub fn remove(&self, id: FaultId) -> bool {
        self.plan(|p| {
            let before = p.rules.len();
            p.rules.retain(|r| r.id != id);
            p.rules.len() != before
        })
        .unwrap_or(false)
    }

    /// Removes every injected fault.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{Call, Fault, Sandbox, Trigger};
    /// let acme = Sandbox::from_url("sandbox://acme-clear-doc").unwrap();
    /// acme.faults().inject(Fault::Timeout, Trigger::always(Call::Publish));
    /// acme.faults().clear();
    /// ```
    pub fn clear(&self) {
        let _ = self.plan(|p| p.rules.clear());
    }

    /// How many times an injected fault has fired.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{Call, Fault, Sandbox, Trigger};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let acme = Sandbox::from_url("sandbox://acme-fired-doc").unwrap();
    /// let id = acme.faults().inject(Fault::Timeout, Trigger::next(Call::Publish, 1));
    /// assert!(acme.publish_text("a").await.is_err());
    /// assert!(acme.publish_text("b").await.is_ok());
    /// assert_eq!(acme.faults().fired(id), 1);
    /// # });
    /// ```
    pub fn fired(&self, id: FaultId) -> u64 {
        self.plan(|p| p.rules.iter().find(|r| r.id == id).map_or(0, |r| r.fired))
            .unwrap_or(0)
    }

    /// How many calls of `call` reached the account (failed ones included; calls refused by
    /// validation never reach it).
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{Call, Sandbox};
    /// use socialkit::PlatformExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let acme = Sandbox::from_url("sandbox://acme-calls-doc?max_chars=5").unwrap();
    /// acme.publish_text("ok").await.unwrap();
    /// acme.publish_text("far too long").await.unwrap_err(); // refused before it reaches the platform
    /// assert_eq!(acme.faults().calls(Call::Publish), 1);
    /// # });
    /// ```
    pub fn calls(&self, call: Call) -> u64 {
        self.plan(|p| p.calls.get(&call).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_n_fires_n_times() {
        let mut plan = FaultPlan::default();
        plan.inject(Fault::Timeout, Trigger::next(Call::Publish, 2));
        assert_eq!(plan.on_call(Call::Delete), None);
        assert_eq!(plan.on_call(Call::Publish), Some(Fault::Timeout));
        assert_eq!(plan.on_call(Call::Publish), Some(Fault::Timeout));
        assert_eq!(plan.on_call(Call::Publish), None);
        assert_eq!(plan.calls[&Call::Publish], 3);
    }

    #[test]
    fn at_call_counts_from_injection() {
        let mut plan = FaultPlan::default();
        plan.on_call(Call::Publish);
        plan.inject(Fault::Unauthenticated, Trigger::at_call(Call::Publish, 2));
        assert_eq!(plan.on_call(Call::Publish), None);
        assert_eq!(plan.on_call(Call::Publish), Some(Fault::Unauthenticated));
        assert_eq!(plan.on_call(Call::Publish), None);
    }

    #[test]
    fn probability_is_deterministic_and_roughly_right() {
        let run = || {
            let mut plan = FaultPlan::default();
            plan.inject(
                Fault::ServerError { status: 503 },
                Trigger::probability(Call::Interactions, 0.3, 9),
            );
            (0..1000)
                .map(|_| plan.on_call(Call::Interactions).is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let n = a.iter().filter(|x| **x).count();
        assert!((230..370).contains(&n), "{n}");
    }

    #[test]
    fn errors_are_typed() {
        let now: DateTime<Utc> = "2026-03-02T09:00:00Z".parse().unwrap();
        let e = Fault::RateLimited {
            retry_after_secs: 30,
        }
        .error(now);
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after(), Some(now + Duration::seconds(30)));
        let e = Fault::RateLimited {
            retry_after_secs: u64::MAX,
        }
        .error(now);
        assert!(e.retry_after().is_some());
        assert!(Fault::ServerError { status: 502 }.error(now).is_retryable());
        assert!(
            !Fault::Rejected {
                reason: "spam".into()
            }
            .error(now)
            .is_retryable()
        );
        assert_eq!(
            Fault::LostAnswer.error(now).kind(),
            Fault::Timeout.error(now).kind()
        );
    }
}
