//! The outbox protocol (DESIGN §5): publish once, lose nothing.
//!
//! 1. Claiming a delivery stores Publishing with an attempt id and the idempotency key
//!    (`sk-<delivery>-<generation>`) before any network call ([`Store::claim_due`]).
//! 2. The adapter is called with that key.
//! 3. The result, or the typed failure, is stored — only if the attempt still holds the lease.
//!
//! A delivery whose earlier attempt's outcome is unknown — the answer timed out or was lost, a
//! 5xx came back, the worker died (found at start-up or when its lease expired) — is *in
//! doubt*. Its next attempt reconciles before it publishes:
//! - where the platform honours the key ([`Idempotency::Key`], [`RecordKey`](Idempotency::RecordKey),
//!   [`Natural`](Idempotency::Natural)), re-sending with the same key is the reconciliation:
//!   the platform returns the first post instead of making a second;
//! - elsewhere the channel's [`recent_posts`](Platform::recent_posts) are searched for the key
//!   or, failing that, the same text created since the in-doubt attempt began; found means
//!   Published, not found means publish; for a thread, the parts are followed reply by reply
//!   (where the listing shows what each post answers), and a thread cut short is finished
//!   from its last part found, so no part is sent twice and none is lost;
//! - a platform with neither cannot be checked: the delivery fails visibly ("outcome unknown")
//!   rather than risk a second post.
//!
//! A write whose request never left (the connection could not be made:
//! [`nothing_sent`](crate::http::nothing_sent)) is not in doubt: it is retried like any
//! retryable failure, without a lookup — except for a thread, whose earlier parts may be out.
//!
//! A reply ([`Delivery::reply_to`]) takes the same path with [`Platform::reply`]; its
//! reconciliation is reply-specific (see `reply.rs`).
//!
//! An in-doubt attempt is looked up no sooner than [`EngineConfig::reconcile_after`] after it
//! (default 60 s, longer than any request timeout): a request that timed out on the client
//! may still be running on the server, and a lookup before it ends would miss the post it is
//! making (proven against snac through a fault-injecting proxy, `tests/fault_proxy`).
//!
//! Failures: a rate limit defers the delivery to `retry_after` and does not count; retryable
//! failures back off exponentially with jitter up to [`EngineConfig::max_attempts`]
//! (the last in-doubt one is reconciled once more, never re-published; a failed reconciling
//! look-up backs off without counting, bounded by `max_total_attempts`); anything else fails
//! with its typed error; `Unauthenticated` also raises [`EventKind::NeedsReauth`].
//!
//! [`EngineConfig::max_attempts`]: super::EngineConfig::max_attempts
//! [`EngineConfig::reconcile_after`]: super::EngineConfig::reconcile_after

use futures::future::join_all;

use super::reply::{is_the_reply, reply_target};

use super::events::{OutcomeEvents, Recording};
use super::{AfterPublish, Engine, EventKind};
use crate::model::{PublishOptions, Published};
use crate::platform::{Idempotency, Platform};
use crate::store::{Change, Claim, Delivery, Finish, Selector, Stamp};
use crate::{Error, ErrorKind, Result};

/// What one round of the outbox did.
///
/// ```
/// let r = socialkit::engine::RunReport::default();
/// assert_eq!(r.claimed, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Deliveries claimed.
    pub claimed: usize,
    /// Published (reconciled ones included).
    pub published: usize,
    /// Found by reconciliation.
    pub reconciled: usize,
    /// Going to be tried again.
    pub retried: usize,
    /// Failed for good.
    pub failed: usize,
    /// Handed back unstarted.
    pub released: usize,
    /// Left in Publishing: a simulated crash, or a result the store refused (lease lost).
    pub abandoned: usize,
}

impl RunReport {
    fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Published => self.published += 1,
            Outcome::Reconciled => {
                self.published += 1;
                self.reconciled += 1;
            }
            Outcome::Retried => self.retried += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Released => self.released += 1,
            Outcome::Abandoned => self.abandoned += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{same_text, sent_as};

    #[test]
    fn texts_match_across_whitespace_and_rewritten_links() {
        assert!(same_text("Our anvil\n is here", "Our anvil is here"));
        assert!(same_text(
            "New anvil https://acme.example/anvil?utm_source=x",
            "New anvil https://t.co/abc123"
        ));
        assert!(same_text(
            "See https://acme.example/a/very/long/path",
            "See acme.example/a/very/lo…"
        ));
        assert!(!same_text("Our anvil is here", "Our anvil was here"));
        assert!(!same_text("Our anvil", "Our anvil https://t.co/x"));
    }

    #[test]
    fn a_link_appended_by_the_adapter_still_matches() {
        let link = Some("https://acme.example/anvil");
        assert!(sent_as("Our anvil https://t.co/x", "Our anvil", link));
        assert!(sent_as("Our anvil", "Our anvil", link));
        assert!(!sent_as("Our anvil https://t.co/x", "Our anvil", None));
        assert!(!sent_as("Our hammer https://t.co/x", "Our anvil", link));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Published,
    Reconciled,
    Retried,
    Failed,
    Released,
    Abandoned,
}

/// The result of reconciling an in-doubt delivery.
enum Reconciled {
    /// The earlier attempt made the post.
    Found(Published),
    /// The earlier attempt made the first parts of a thread (these), not the rest: the rest
    /// goes out as replies to the last part found.
    Partly(Published),
    /// It did not; publishing is safe.
    NotFound,
    /// Re-sending with the same key is safe (the platform dedupes).
    ResendSafe,
    /// No way to tell, and why.
    Unknowable(String),
}

/// The operation a delivery's platform call is, as errors name it.
fn op_of(d: &Delivery) -> &'static str {
    if d.is_reply() { "reply" } else { "publish" }
}

/// The event for a delivery that is on the platform: [`EventKind::Replied`] for a reply,
/// else [`EventKind::Published`].
pub(crate) fn published_event(d: &Delivery, result: &Published) -> EventKind {
    match &d.reply_to {
        Some(to) => EventKind::Replied {
            post: d.post.clone(),
            delivery: d.id.clone(),
            channel: d.channel.clone(),
            to: to.clone(),
            result: result.clone(),
        },
        None => EventKind::Published {
            post: d.post.clone(),
            delivery: d.id.clone(),
            channel: d.channel.clone(),
            result: result.clone(),
        },
    }
}

/// Whether an error of a write of `post` leaves its outcome unknown: the platform may have
/// made the post all the same. A request that never left (the connection could not be made:
/// [`nothing_sent`](crate::http::nothing_sent)) leaves no doubt — unless the post is a
/// thread, whose earlier parts may have been published before the failing request.
pub(crate) fn leaves_doubt(e: &Error, post: &crate::model::Post) -> bool {
    let unknown = matches!(
        e.kind(),
        ErrorKind::Timeout | ErrorKind::Network | ErrorKind::Platform | ErrorKind::Unexpected
    );
    unknown && (post.is_thread() || !crate::http::nothing_sent(e))
}

/// When the first attempt with the delivery's current key began: the start of the in-doubt
/// attempt while the delivery is in doubt (the store keeps it across restarts), else this
/// attempt's start.
fn first_attempt_at(d: &Delivery, claim: &Claim) -> chrono::DateTime<chrono::Utc> {
    d.in_doubt_since.unwrap_or(claim.attempt.started_at)
}

/// Whether a post listed by the platform has the text that was sent: the same words in the
/// same order, whitespace aside, and links compared only as "a link here" — platforms rewrite
/// them (X's t.co, Mastodon's shortened display, tracking redirects).
pub(crate) fn same_text(sent: &str, listed: &str) -> bool {
    fn words(s: &str) -> impl Iterator<Item = &str> {
        s.split_whitespace().map(|w| {
            let link =
                w.contains("://") || (w.contains('.') && w.contains('/') && !w.starts_with('/'));
            if link { "<link>" } else { w }
        })
    }
    words(sent).eq(words(listed))
}

/// The parts of `post`, a thread, among `recent` after its first part (in `found`): each the
/// reply to the one before with the part's text. All there: Found; some: Partly.
fn follow_thread(
    recent: &[crate::model::RecentPost],
    post: &crate::model::Post,
    mut found: Published,
) -> Reconciled {
    let parts = post.parts();
    for part in parts.iter().skip(1) {
        let Some(prev) = found.parts.last().map(|p| p.id.clone()) else {
            break;
        };
        let next = recent.iter().find(|r| {
            r.in_reply_to.as_deref() == Some(prev.as_str())
                && sent_as(&r.text, &part.text, part.link.as_deref())
        });
        match next {
            Some(r) => found.parts.push(r.post.clone()),
            None => return Reconciled::Partly(found),
        }
    }
    Reconciled::Found(found)
}

/// Whether a listed post is the one sent with `text` and, maybe, `link`: platforms without
/// link cards (Facebook photo posts, Instagram captions, Threads media posts, X) publish the
/// link appended to the text, so the listed text may carry it at its end.
pub(crate) fn sent_as(listed: &str, text: &str, link: Option<&str>) -> bool {
    same_text(text, listed) || link.is_some_and(|link| same_text(&format!("{text} {link}"), listed))
}

impl Engine {
    /// Claims one batch of due deliveries and publishes them concurrently. Returns what
    /// happened. A worker calls this in a loop; tests call it directly.
    pub async fn run_once(&self) -> Result<RunReport> {
        let cfg = &self.inner.config;
        let claims = self
            .inner
            .store
            .claim_due(self.now(), &cfg.worker, cfg.batch.max(1), cfg.lease)
            .await?;
        Ok(self.process_claims(claims).await)
    }

    /// Publishes deliveries already claimed (by [`Store::claim_due`](crate::store::Store::claim_due))
    /// concurrently and stores each outcome. For workers that claim on their own.
    pub async fn process_claims(&self, claims: Vec<Claim>) -> RunReport {
        let mut report = RunReport {
            claimed: claims.len(),
            ..RunReport::default()
        };
        for o in join_all(claims.into_iter().map(|c| self.process(c))).await {
            report.add(o);
        }
        report
    }

    /// Frees the leases this worker held before it (re)started, so its in-doubt deliveries
    /// are reconciled now rather than when the leases end. Returns how many it freed.
    pub async fn recover(&self) -> Result<usize> {
        let n = self
            .inner
            .store
            .expire_leases(&self.inner.config.worker, self.now())
            .await?;
        if n > 0 {
            tracing::info!(deliveries = n, "in-doubt deliveries found at start-up");
        }
        Ok(n)
    }

    /// Publishes one claimed delivery and stores the outcome.
    pub(crate) async fn process(&self, claim: Claim) -> Outcome {
        let mut settled = claim.delivery.clone();
        let mut d = &claim.delivery;
        let attempt = &claim.attempt.id;
        let Some(platform) = self.platform(&d.workspace, &d.channel) else {
            // Rebuilt from the vault, or waiting (for a reconnect; see restore.rs).
            let (outcome, why) = self.unconnected(d).await;
            return self.store_finish(d, attempt, outcome, &why).await;
        };
        if d.in_doubt() {
            match self.reconcile(platform.as_ref(), d).await {
                Ok(Reconciled::Found(p)) => {
                    let why = "reconciled: the in-doubt attempt had published it";
                    return self
                        .store_finish(d, attempt, Finish::Reconciled(p), why)
                        .await;
                }
                Ok(Reconciled::NotFound) if d.reconcile_only => {
                    let e = d.error.clone().map(Error::from).unwrap_or_else(|| {
                        Error::new(ErrorKind::Timeout, "the last attempt's outcome was unknown")
                    });
                    let why = "attempts exhausted; reconciliation found no post";
                    let outcome = Finish::Fail {
                        error: e.to_record(),
                        in_doubt: false,
                        settled: true,
                    };
                    return self.store_finish(d, attempt, outcome, why).await;
                }
                Ok(Reconciled::NotFound) => {
                    // No earlier attempt made the post: this one starts without doubt.
                    settled.in_doubt_since = None;
                    d = &settled;
                }
                Ok(Reconciled::ResendSafe) => {}
                Ok(Reconciled::Partly(done)) => {
                    let result = self.finish_thread(platform.as_ref(), d, &claim, done).await;
                    return self.after_call(d, &claim, platform.name(), result).await;
                }
                Ok(Reconciled::Unknowable(reason)) => {
                    let what = if d.is_reply() { "reply" } else { "post" };
                    let e = Error::new(
                        ErrorKind::Timeout,
                        format!(
                            "the outcome of an earlier attempt is unknown and {reason}; not \
                             retried, to avoid a second {what}; look at the channel and settle it"
                        ),
                    )
                    .or_context(
                        platform.name(),
                        Some(d.channel.as_str()),
                        op_of(d),
                    );
                    let outcome = Finish::Fail {
                        error: e.to_record(),
                        in_doubt: true,
                        settled: false,
                    };
                    let why = "in doubt and cannot be reconciled";
                    return self.store_finish(d, attempt, outcome, why).await;
                }
                Err(e) => {
                    // A stored channel whose credentials were refused waits for a reconnect.
                    if let Some((outcome, why)) = self.hold_for_reauth(d, &e).await {
                        return self.store_finish(d, attempt, outcome, &why).await;
                    }
                    // Could not look: stay in doubt, try the lookup again later.
                    let outcome = self.on_error(d, e, true, false);
                    return self
                        .store_finish(d, attempt, outcome, "reconciliation failed")
                        .await;
                }
            }
        }
        // The key's first attempt dates the post (content-addressed platforms sign the same
        // post again on a retry): kept while the delivery is in doubt.
        let opts = PublishOptions {
            created_at: Some(first_attempt_at(d, &claim)),
            ..PublishOptions::with_key(claim.attempt.key.clone())
        };
        let result = match &d.reply_to {
            Some(to) => platform.reply(to, &d.content, &opts).await,
            None => platform.publish(&d.content, &opts).await,
        };
        let name = platform.name().to_string();
        self.after_call(d, &claim, &name, result).await
    }

    /// Publishes the parts of a thread after the `done` ones, as replies to the last of them,
    /// and returns the whole thread. The key is the attempt's, marked with where the rest
    /// starts, so it never names a part already made.
    async fn finish_thread(
        &self,
        platform: &dyn Platform,
        d: &Delivery,
        claim: &Claim,
        done: Published,
    ) -> Result<Published> {
        let parts = d.content.parts();
        let n = done.parts.len();
        let (Some(last), Some(first)) = (done.parts.last().cloned(), parts.get(n).cloned()) else {
            return Ok(done);
        };
        let mut rest = d.content.clone();
        rest.text = first.text;
        rest.media = first.media;
        rest.link = first.link;
        rest.thread = parts[n + 1..].to_vec();
        rest.reply_to = Some(last);
        let opts = PublishOptions {
            created_at: Some(first_attempt_at(d, claim)),
            ..PublishOptions::with_key(format!("{}-from{n}", claim.attempt.key))
        };
        let more = platform.publish(&rest, &opts).await?;
        let mut all = done;
        all.parts.extend(more.parts);
        Ok(all)
    }

    /// Stores what a platform call gave for a claimed delivery.
    async fn after_call(
        &self,
        d: &Delivery,
        claim: &Claim,
        platform: &str,
        result: Result<Published>,
    ) -> Outcome {
        let attempt = &claim.attempt.id;
        if let Some(h) = &self.inner.hooks {
            if h.after_publish(d, &result) == AfterPublish::Crash {
                return Outcome::Abandoned;
            }
        }
        match result {
            Ok(p) => {
                let why = if d.is_reply() { "replied" } else { "published" };
                self.store_finish(d, attempt, Finish::Published(p), why)
                    .await
            }
            Err(e) => {
                let op = op_of(d);
                let e = e.or_context(platform, Some(d.channel.as_str()), op);
                // A stored channel whose credentials were refused waits for a reconnect.
                if let Some((outcome, why)) = self.hold_for_reauth(d, &e).await {
                    return self.store_finish(d, attempt, outcome, &why).await;
                }
                let why = format!("{op} failed: {e}");
                let outcome =
                    self.on_error(d, e, false, !d.in_doubt() && claim.delivery.in_doubt());
                self.store_finish(d, attempt, outcome, &why).await
            }
        }
    }

    /// Looks for the post an in-doubt attempt may have made. Where the channel lists recent
    /// posts, it looks there first (one read, and it settles the doubt even where a re-send
    /// would be refused); where the platform honours the key and cannot list (or has too many
    /// posts to look through), a re-send with the same key is the reconciliation.
    async fn reconcile(&self, platform: &dyn Platform, d: &Delivery) -> Result<Reconciled> {
        let caps = platform.capabilities();
        // The key protects a re-send only while the platform still remembers it (with a
        // margin for clock skew).
        let remembered = caps.key_lifetime_secs.is_none_or(|secs| {
            let first_sent = d.in_doubt_since.unwrap_or(d.created_at);
            let lifetime = chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX));
            self.now() < first_sent + lifetime - self.inner.config.reconcile_skew
        });
        let keyed = caps.idempotency != Idempotency::None && remembered;
        // A reply can be looked for only where the listing shows replies and their targets.
        let listable = caps.recent_posts && (!d.is_reply() || caps.replies_in_recent_posts);
        if listable {
            return match self.look_up(platform, d).await {
                // Too many posts to look through: the key still protects a re-send.
                Ok(Reconciled::Unknowable(_)) if keyed => Ok(Reconciled::ResendSafe),
                // A failed lookup is retried later rather than answered by a re-send: a
                // re-send that the platform refuses would leave the doubt unsettled.
                other => other,
            };
        }
        if keyed {
            return Ok(Reconciled::ResendSafe);
        }
        let why = if caps.idempotency != Idempotency::None {
            format!(
                "{} may have forgotten the idempotency key by now and offers no other way to check it",
                platform.name()
            )
        } else {
            format!("{} offers no way to check it", platform.name())
        };
        Ok(Reconciled::Unknowable(why))
    }

    /// Searches the channel's recent posts for the key or the text.
    async fn look_up(&self, platform: &dyn Platform, d: &Delivery) -> Result<Reconciled> {
        let key = d.idempotency_key();
        let since = d.in_doubt_since.unwrap_or(d.created_at) - self.inner.config.reconcile_skew;
        // Where the listing tells replies apart, a post is only the one sent if it answers
        // what the post answers (nothing, for a plain post): a reply with the same words is
        // another post.
        let targets_listed = platform.capabilities().replies_in_recent_posts;
        let answers_the_same = |r: &crate::model::RecentPost| {
            !targets_listed
                || r.in_reply_to.as_deref() == d.content.reply_to.as_ref().map(|p| p.id.as_str())
        };
        let max = self.inner.config.reconcile_max_window.max(1);
        let (mut n, mut seen) = (self.inner.config.reconcile_window.clamp(1, max), 0);
        loop {
            let recent = platform.recent_posts(n).await?;
            let by_key = recent
                .iter()
                .find(|r| r.idempotency_key.as_deref() == Some(key.as_str()));
            let by_text = || {
                recent.iter().find(|r| {
                    r.created_at >= since
                        && match &d.reply_to {
                            Some(to) => is_the_reply(r, reply_target(to), &d.content),
                            None => {
                                answers_the_same(r)
                                    && sent_as(&r.text, &d.content.text, d.content.link.as_deref())
                            }
                        }
                })
            };
            if let Some(r) = by_key.or_else(by_text) {
                let found = Published::single(r.post.clone(), r.created_at);
                if d.is_reply() || !d.content.is_thread() || !targets_listed {
                    return Ok(Reconciled::Found(found));
                }
                return Ok(follow_thread(&recent, &d.content, found));
            }
            // Conclusive when the list reaches back past the in-doubt attempt, or when the
            // platform had fewer posts than asked for (and more than the last time: it was not
            // capping).
            let reaches_back = recent.last().is_none_or(|r| r.created_at < since);
            let all_there = recent.len() < n && recent.len() > seen;
            if reaches_back || all_there {
                return Ok(Reconciled::NotFound);
            }
            if n >= max || recent.len() <= seen {
                let why = format!(
                    "more than {} posts were made on the channel since; they cannot all be checked",
                    recent.len()
                );
                return Ok(Reconciled::Unknowable(why));
            }
            seen = recent.len();
            n = (n * 2).min(max);
        }
    }

    /// Decides what a failed call means for the delivery.
    fn on_error(&self, d: &Delivery, e: Error, during_reconcile: bool, settled: bool) -> Finish {
        let cfg = &self.inner.config;
        let now = self.now();
        let record = e.to_record();
        let in_doubt = !during_reconcile && leaves_doubt(&e, &d.content);
        if d.attempts >= cfg.max_total_attempts {
            let still_doubt = in_doubt || d.in_doubt();
            return Finish::Fail {
                error: record,
                in_doubt: still_doubt,
                settled,
            };
        }
        if e.kind() == ErrorKind::RateLimited {
            let due = e
                .retry_after()
                .filter(|t| *t > now)
                .unwrap_or_else(|| now + self.backoff(d.failures + 1));
            return Finish::Retry {
                error: record,
                due_at: due,
                counted: false,
                in_doubt: false,
                reconcile_only: d.reconcile_only,
                settled,
            };
        }
        if e.is_retryable() && during_reconcile {
            // A failed look-up says nothing about the post: it does not use up the delivery's
            // counted failures, or an outage of the platform's read API would fail posts that
            // may well be published. The look-up is tried again with growing backoff, bounded
            // by `max_total_attempts`.
            let looks = d.attempts.saturating_sub(d.failures).max(1);
            return Finish::Retry {
                error: record,
                due_at: now + self.backoff(looks.min(cfg.max_total_attempts)),
                counted: false,
                in_doubt: false,
                reconcile_only: d.reconcile_only,
                settled,
            };
        }
        if e.is_retryable() {
            let exhausted = d.failures + 1 >= cfg.max_attempts;
            let doubt = in_doubt || d.in_doubt();
            if exhausted && (!doubt || d.reconcile_only || during_reconcile) {
                return Finish::Fail {
                    error: record,
                    in_doubt: doubt,
                    settled,
                };
            }
            let mut due_at = now + self.backoff(d.failures + 1);
            if in_doubt {
                // The request may still be running on the platform: look only after it
                // cannot be any more.
                due_at = due_at.max(now + cfg.reconcile_after);
            }
            return Finish::Retry {
                error: record,
                due_at,
                counted: true,
                in_doubt,
                // The last in-doubt attempt is followed by one reconciliation, no new post.
                reconcile_only: exhausted,
                settled,
            };
        }
        Finish::Fail {
            error: record,
            in_doubt: false,
            settled,
        }
    }

    fn backoff(&self, n: u32) -> chrono::Duration {
        let mut rng = self.inner.rng.lock().unwrap_or_else(|p| p.into_inner());
        let delay = self.inner.config.backoff.delay(n, &mut *rng);
        chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX)
    }

    /// Stores an attempt's outcome and tells subscribers.
    async fn store_finish(
        &self,
        d: &Delivery,
        attempt: &str,
        outcome: Finish,
        why: &str,
    ) -> Outcome {
        let stamp = Stamp::new(
            format!("worker:{}", self.inner.config.worker),
            why,
            self.now(),
        );
        let kind = match &outcome {
            Finish::Published(_) => Outcome::Published,
            Finish::Reconciled(_) => Outcome::Reconciled,
            Finish::Retry { .. } => Outcome::Retried,
            Finish::Fail { .. } => Outcome::Failed,
            Finish::Release { .. } => Outcome::Released,
        };
        let change = Change::Finish {
            attempt_id: attempt.to_string(),
            outcome: outcome.clone(),
        };
        // The outcome and its events commit together.
        let emitter = Recording::new(OutcomeEvents { outcome });
        let stored = self
            .inner
            .store
            .apply_emitting(
                &d.workspace,
                &Selector::Delivery(d.id.clone()),
                &change,
                &stamp,
                emitter.clone(),
            )
            .await;
        match stored {
            Ok((_, events)) => self.broadcast_recorded(&events, &emitter),
            Err(e) => {
                // The lease was lost (another worker took over) or the store failed: the
                // delivery stays in doubt and whoever holds it next reconciles.
                tracing::warn!(delivery = %d.id, error = %e, "outcome not stored; the delivery stays in doubt");
                return Outcome::Abandoned;
            }
        }
        kind
    }

    /// Runs the outbox in simulated time until nothing is due: claims and publishes what is
    /// due, then moves `clock` to the next due instant, up to `max_rounds` rounds. Returns the
    /// summed report. For tests and simulations with a [`ManualClock`](crate::clock::ManualClock)
    /// that is also the engine's clock.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::adapters::sandbox::{Call, Fault, SandboxConfig, SandboxWorld, Trigger};
    /// use socialkit::clock::ManualClock;
    /// use socialkit::engine::Engine;
    /// use socialkit::model::Post;
    /// use socialkit::store::{ChannelRecord, MemoryStore};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let clock = ManualClock::new("2026-03-02T09:00:00Z".parse().unwrap());
    /// let world = SandboxWorld::new(Arc::new(clock.clone()));
    /// let acme = world.channel("acme", SandboxConfig::default()).unwrap();
    /// // The first answer is lost: the post exists but the engine does not know.
    /// acme.faults().inject(Fault::LostAnswer, Trigger::next(Call::Publish, 1));
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).clock(Arc::new(clock.clone())).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// engine.connect(&ws, "olga", ChannelRecord::new("c", "sandbox"), acme.clone()).await.unwrap();
    /// engine.submit(&ws, "olga", Post::text("once"), &["c".into()]).await.unwrap();
    /// let report = engine.run_simulated(&clock, 10).await.unwrap();
    /// assert_eq!((report.published, report.reconciled), (1, 1));
    /// assert_eq!(acme.faults().calls(Call::Publish), 1, "found, not sent again");
    /// # });
    /// ```
    pub async fn run_simulated(
        &self,
        clock: &crate::clock::ManualClock,
        max_rounds: usize,
    ) -> Result<RunReport> {
        let mut total = RunReport::default();
        for _ in 0..max_rounds {
            let r = self.run_once().await?;
            total.claimed += r.claimed;
            total.published += r.published;
            total.reconciled += r.reconciled;
            total.retried += r.retried;
            total.failed += r.failed;
            total.released += r.released;
            total.abandoned += r.abandoned;
            if r.claimed == 0 {
                match self.inner.store.next_due().await? {
                    Some(t) if t > self.now() => clock.set(t),
                    Some(_) => {}
                    None => break,
                }
            }
        }
        Ok(total)
    }
}
