//! Optional webhooks: events POSTed as JSON to a workspace's URL, signed with HMAC-SHA256,
//! sent from the store's events outbox at least once.
//!
//! Each request carries:
//! - `Socialkit-Timestamp`: Unix seconds when it was signed;
//! - `Socialkit-Signature`: `v1=` + hex HMAC-SHA256 of `"<timestamp>.<body>"` under the
//!   workspace's secret;
//! - `Socialkit-Event` (the event's type), `Socialkit-Event-Id` (the event's id, `ev_…`,
//!   also the body's `id`) and `Socialkit-Attempt` (1 for the first send).
//!
//! A receiver checks with [`verify`]: the signature (in constant time) and that the timestamp
//! is within a tolerance of its clock, so a captured request cannot be replayed later.
//!
//! **Dedupe on the event id.** Delivery is at least once: a sender that crashed after the
//! receiver answered but before it recorded the answer, a receiver that answered too late, or
//! a replay sends the same event again — with the same id and the same body. Store the ids
//! you have handled (for longer than [`WebhookConfig::max_age_secs`]) and answer 2xx to one
//! you know. Order: events are sent oldest first, but a retry may overtake; order by the
//! body's `at`.
//!
//! **Retries.** A network error, a timeout, 408, 429 or 5xx is retried with the engine's
//! [`Backoff`](super::Backoff) — exponential (`backoff_ms` doubled per attempt, at most
//! `max_backoff_secs`) with equal jitter, and no sooner than a 429's `Retry-After`. Another
//! answer (a 4xx: the receiver refuses it) is not retried.
//!
//! **Dead letters and replay.** An event refused, or still failing after `max_attempts`
//! sends or `max_age_secs` after it was written, is *dead*: it stays in the outbox with its
//! last error. [`Engine::dead_letters`] lists them; [`Engine::replay`] sends one or all of
//! them again (same id), for example after the receiver is fixed.
//!
//! **Several processes.** Every process may run [`Engine::spawn_webhooks`] on the same store:
//! a sender claims due events under a lease ([`EngineConfig::webhook_lease`](super::EngineConfig::webhook_lease)),
//! so no two send the same event at once; events of a sender that died are claimed again when
//! its lease ends.

use std::fmt;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{Engine, Event, EventType, Permission};
use crate::http::{Backoff, Jitter};
use futures::StreamExt;

use crate::store::{
    EventFilter, EventOutcome, EventStatus, Finished, OutboxEvent, Replay, WorkspaceId,
};
use crate::{Error, ErrorKind, Result};

const WEBHOOK_KEY: &str = "webhook";

/// The header with the signing time (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "Socialkit-Timestamp";
/// The header with the signature.
pub const SIGNATURE_HEADER: &str = "Socialkit-Signature";
/// The header with the event's type.
pub const EVENT_HEADER: &str = "Socialkit-Event";
/// The header with the event's id: receivers dedupe on it (a retry or replay repeats it).
pub const EVENT_ID_HEADER: &str = "Socialkit-Event-Id";
/// The header with the attempt's number (1 for the first send).
pub const ATTEMPT_HEADER: &str = "Socialkit-Attempt";

/// Where a workspace's events go.
///
/// ```
/// let c = socialkit::engine::WebhookConfig::new("https://hooks.example/socialkit", "s3cret");
/// assert!(!format!("{c:?}").contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookConfig {
    /// The URL events are POSTed to.
    pub url: String,
    /// The signing secret.
    pub secret: String,
    /// Only these event types (stored as `"failed"`, `"needs_reauth"` …); empty = all.
    #[serde(default)]
    pub events: Vec<EventType>,
    /// Tries per event.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// The first retry's delay in milliseconds; each next one doubles (with jitter).
    #[serde(default = "default_backoff")]
    pub backoff_ms: u64,
    /// The longest delay between two tries, in seconds.
    #[serde(default = "default_max_backoff")]
    pub max_backoff_secs: u64,
    /// How long after it was written an event is still tried, in seconds; after it a failed
    /// send makes it dead.
    #[serde(default = "default_max_age")]
    pub max_age_secs: u64,
}

fn default_max_backoff() -> u64 {
    3600
}

fn default_max_age() -> u64 {
    3 * 86_400
}

fn default_attempts() -> u32 {
    5
}

fn default_backoff() -> u64 {
    1000
}

impl WebhookConfig {
    /// All events to `url`, signed with `secret`.
    pub fn new(url: impl Into<String>, secret: impl Into<String>) -> Self {
        WebhookConfig {
            url: url.into(),
            secret: secret.into(),
            events: Vec::new(),
            max_attempts: default_attempts(),
            backoff_ms: default_backoff(),
            max_backoff_secs: default_max_backoff(),
            max_age_secs: default_max_age(),
        }
    }

    /// Only events of these types (replacing any earlier filter).
    ///
    /// ```
    /// use socialkit::engine::{EventType, WebhookConfig};
    /// let c = WebhookConfig::new("https://hooks.example/sk", "s3cret")
    ///     .only([EventType::Failed, EventType::NeedsReauth]);
    /// assert_eq!(c.events, [EventType::Failed, EventType::NeedsReauth]);
    /// let stored: WebhookConfig = serde_json::from_str(
    ///     r#"{"url": "https://hooks.example/sk", "secret": "s3cret", "events": ["failed"]}"#,
    /// ).unwrap();
    /// assert_eq!(stored.events, [EventType::Failed]);
    /// ```
    pub fn only(mut self, types: impl IntoIterator<Item = EventType>) -> Self {
        self.events = types.into_iter().collect();
        self
    }

    fn wants(&self, kind: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|n| n.as_str() == kind)
    }

    /// The retry schedule, on the crate's one backoff type: doubling from `backoff_ms` up to
    /// `max_backoff_secs`, with equal jitter (each wait between half and all of its cap).
    ///
    /// ```
    /// let c = socialkit::engine::WebhookConfig::new("https://hooks.example/", "s");
    /// assert_eq!(c.backoff().cap(3), std::time::Duration::from_secs(4));
    /// ```
    pub fn backoff(&self) -> Backoff {
        Backoff::new(
            StdDuration::from_millis(self.backoff_ms),
            StdDuration::from_secs(self.max_backoff_secs),
            Jitter::Equal,
        )
    }
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("secret", &"***")
            .field("events", &self.events)
            .field("max_attempts", &self.max_attempts)
            .field("backoff_ms", &self.backoff_ms)
            .field("max_backoff_secs", &self.max_backoff_secs)
            .field("max_age_secs", &self.max_age_secs)
            .finish()
    }
}

/// The signature header value for `body` signed at `timestamp` (Unix seconds).
///
/// ```
/// let s = socialkit::engine::sign(b"secret", 1_700_000_000, br#"{"a":1}"#);
/// assert!(s.starts_with("v1=") && s.len() == 3 + 64);
/// ```
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "v1={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length; this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// Checks a webhook request: the signature over `"<timestamp>.<body>"` (constant time) and a
/// timestamp no further than `tolerance` from `now` (against replay).
///
/// ```
/// use socialkit::engine::{sign, verify};
/// let now = chrono::Utc::now();
/// let ts = now.timestamp();
/// let body = br#"{"type":"published"}"#;
/// let sig = sign(b"k", ts, body);
/// let five = chrono::Duration::minutes(5);
/// assert!(verify(b"k", &ts.to_string(), &sig, body, now, five).is_ok());
/// assert!(verify(b"k", &ts.to_string(), &sig, b"{}", now, five).is_err());
/// assert!(verify(b"k", &ts.to_string(), &sig, body, now + chrono::Duration::minutes(6), five).is_err());
/// ```
pub fn verify(
    secret: &[u8],
    timestamp: &str,
    signature: &str,
    body: &[u8],
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<()> {
    let denied = |why: &str| {
        Error::new(
            ErrorKind::Unauthenticated,
            format!("webhook rejected: {why}"),
        )
    };
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| denied("bad timestamp"))?;
    if (now.timestamp() - ts).abs() > tolerance.num_seconds() {
        return Err(denied("timestamp outside the tolerance (replay?)"));
    }
    let hex_sig = signature
        .trim()
        .strip_prefix("v1=")
        .ok_or_else(|| denied("unknown signature scheme"))?;
    let raw = hex::decode(hex_sig).map_err(|_| denied("signature is not hex"))?;
    mac(secret, ts, body)
        .verify_slice(&raw)
        .map_err(|_| denied("signature mismatch"))
}

/// What one round of webhook sending did ([`Engine::deliver_webhooks`]).
///
/// ```
/// let r = socialkit::engine::WebhookReport::default();
/// assert_eq!(r.claimed, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookReport {
    /// Events claimed.
    pub claimed: usize,
    /// Acknowledged by the receiver.
    pub delivered: usize,
    /// Not wanted (no webhook, or filtered out).
    pub skipped: usize,
    /// Failed, to be tried again.
    pub retried: usize,
    /// Failed for good: dead letters.
    pub dead: usize,
    /// Sent but the answer could not be stored (the lease ended): sent again later.
    pub unrecorded: usize,
}

/// A running webhook sender; stop it with [`shutdown`](WebhookDispatcher::shutdown).
#[derive(Debug)]
pub struct WebhookDispatcher {
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
}

impl WebhookDispatcher {
    /// Stops sending: the round in progress finishes (its answers are recorded), then the
    /// task ends.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.handle.await;
    }
}

/// Events claimed per round (one statement), whose answers are recorded together (one
/// statement) when the round ends.
const ROUND: usize = 64;
/// Requests in flight at once within a round.
const IN_FLIGHT: usize = 16;

impl Engine {
    /// Sets (or with `None` removes) the workspace's webhook (owners only).
    pub async fn set_webhook(
        &self,
        ws: &WorkspaceId,
        who: &str,
        config: Option<&WebhookConfig>,
    ) -> Result<()> {
        self.require(ws, who, Permission::Manage).await?;
        let v = match config {
            Some(c) => serde_json::to_value(c)?,
            None => serde_json::Value::Null,
        };
        self.store().put_setting(ws, WEBHOOK_KEY, &v).await
    }

    async fn webhook(&self, ws: &WorkspaceId) -> Result<Option<WebhookConfig>> {
        match self.store().setting(ws, WEBHOOK_KEY).await? {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => Ok(Some(serde_json::from_value(v)?)),
        }
    }

    /// The workspace's events in the outbox with their delivery state, oldest first
    /// (approvers and up).
    pub async fn events(
        &self,
        ws: &WorkspaceId,
        who: &str,
        filter: &EventFilter,
    ) -> Result<Vec<OutboxEvent>> {
        self.require(ws, who, Permission::Approve).await?;
        self.store().events(ws, filter).await
    }

    /// The workspace's dead letters: events whose webhook sends gave up, with their last
    /// error, oldest first, at most `limit` (approvers and up).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::engine::Engine;
    /// use socialkit::store::{MemoryStore, Replay};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let engine = Engine::builder(Arc::new(MemoryStore::new())).build();
    /// let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
    /// for letter in engine.dead_letters(&ws, "olga", 100).await.unwrap() {
    ///     println!("{} {}: {:?}", letter.event.id, letter.event.kind, letter.last_error);
    /// }
    /// // The receiver is fixed: send them all again, with their ids unchanged.
    /// assert_eq!(engine.replay(&ws, "olga", &Replay::AllDead).await.unwrap(), 0);
    /// # });
    /// ```
    pub async fn dead_letters(
        &self,
        ws: &WorkspaceId,
        who: &str,
        limit: usize,
    ) -> Result<Vec<OutboxEvent>> {
        let filter = EventFilter {
            limit: Some(limit),
            ..EventFilter::status(EventStatus::Dead)
        };
        self.events(ws, who, &filter).await
    }

    /// Sends dead letters again — one, or all of the workspace's — with their ids unchanged
    /// and their attempts counted from zero (owners only). Returns how many.
    pub async fn replay(&self, ws: &WorkspaceId, who: &str, which: &Replay) -> Result<usize> {
        self.require(ws, who, Permission::Manage).await?;
        let n = self.store().replay_events(ws, which, self.now()).await?;
        self.inner.events_written.notify_one();
        Ok(n)
    }

    /// One round of webhook sending: claims up to 64 due events of every workspace under a
    /// lease (one store call), sends them with up to 16 requests in flight, and records the
    /// answers together (one store call). For tests and for callers that drive sending
    /// themselves; [`spawn_webhooks`](Engine::spawn_webhooks) loops it.
    pub async fn deliver_webhooks(&self) -> Result<WebhookReport> {
        let now = self.now();
        let worker = &self.inner.holder;
        let claimed = self
            .store()
            .claim_events(now, worker, ROUND, self.inner.config.webhook_lease)
            .await?;
        let mut report = WebhookReport {
            claimed: claimed.len(),
            ..WebhookReport::default()
        };
        if claimed.is_empty() {
            return Ok(report);
        }
        let mut configs: std::collections::HashMap<WorkspaceId, Option<WebhookConfig>> =
            std::collections::HashMap::new();
        for e in &claimed {
            if !configs.contains_key(&e.event.workspace) {
                let c = self.webhook(&e.event.workspace).await?;
                configs.insert(e.event.workspace.clone(), c);
            }
        }
        let client = self.webhook_client();
        // Collected first: a lazy `map` inside the stream trips the compiler's Send check.
        let sends: Vec<_> = claimed
            .iter()
            .map(|e| {
                let cfg = configs.get(&e.event.workspace).and_then(Option::as_ref);
                self.send_one(client, cfg, e)
            })
            .collect();
        let outcomes: Vec<EventOutcome> = futures::stream::iter(sends)
            .buffered(IN_FLIGHT)
            .collect()
            .await;
        let mut done = Vec::with_capacity(claimed.len());
        for (e, outcome) in claimed.iter().zip(outcomes) {
            match &outcome {
                EventOutcome::Delivered => report.delivered += 1,
                EventOutcome::Skipped => report.skipped += 1,
                EventOutcome::Retry { .. } => report.retried += 1,
                EventOutcome::Dead { error } => {
                    tracing::warn!(event = %e.event.id, error = %error, "webhook event is dead; replay it with Engine::replay");
                    report.dead += 1;
                }
            }
            done.push(Finished::new(
                e.event.workspace.clone(),
                e.event.id.clone(),
                outcome,
            ));
        }
        let answers = match self.store().finish_events(worker, &done, self.now()).await {
            Ok(a) => a,
            Err(x) => {
                // Nothing recorded: the leases end and every event is sent again.
                tracing::warn!(error = %x, "webhook answers not recorded; the events will be sent again");
                report.unrecorded += done.len();
                return Ok(report);
            }
        };
        for (f, stored) in done.iter().zip(answers) {
            if let Err(x) = stored {
                tracing::warn!(event = %f.id, error = %x, "webhook answer not recorded; the event will be sent again");
                report.unrecorded += 1;
            }
        }
        Ok(report)
    }

    fn webhook_client(&self) -> &reqwest::Client {
        self.inner.webhook_client.get_or_init(|| {
            reqwest::Client::builder()
                .timeout(StdDuration::from_secs(10))
                .build()
                .unwrap_or_default()
        })
    }

    /// Sends one claimed event and decides what its answer means.
    async fn send_one(
        &self,
        client: &reqwest::Client,
        cfg: Option<&WebhookConfig>,
        e: &OutboxEvent,
    ) -> EventOutcome {
        let Some(cfg) = cfg.filter(|c| c.wants(&e.event.kind)) else {
            return EventOutcome::Skipped;
        };
        let body = match serde_json::to_vec(&Event::body_of(&e.event)) {
            Ok(b) => b,
            Err(x) => {
                return EventOutcome::Dead {
                    error: format!("the event cannot be encoded: {x}"),
                };
            }
        };
        let ts = self.now().timestamp();
        let res = client
            .post(&cfg.url)
            .header("Content-Type", "application/json")
            .header(TIMESTAMP_HEADER, ts.to_string())
            .header(SIGNATURE_HEADER, sign(cfg.secret.as_bytes(), ts, &body))
            .header(EVENT_HEADER, &e.event.kind)
            .header(EVENT_ID_HEADER, e.event.id.as_str())
            .header(ATTEMPT_HEADER, e.attempts.to_string())
            .body(body)
            .send()
            .await;
        let now = self.now();
        let (error, retry_after) = match res {
            Ok(r) if r.status().is_success() => return EventOutcome::Delivered,
            Ok(r) => {
                let s = r.status().as_u16();
                let error = format!("the receiver answered HTTP {s}");
                if !(s == 408 || s == 429 || s >= 500) {
                    return EventOutcome::Dead { error };
                }
                let after = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .map(|secs| now + Duration::seconds(secs.clamp(0, 86_400)));
                (error, after)
            }
            // The URL may carry a token: say what failed, not where.
            Err(x) if x.is_timeout() => ("the receiver did not answer in time".to_string(), None),
            Err(x) if x.is_connect() => ("the receiver could not be reached".to_string(), None),
            Err(_) => ("the request failed".to_string(), None),
        };
        let max_age = Duration::seconds(i64::try_from(cfg.max_age_secs).unwrap_or(i64::MAX));
        if e.attempts >= cfg.max_attempts.max(1) || now - e.event.created_at >= max_age {
            return EventOutcome::Dead { error };
        }
        let delay = {
            let mut rng = self.inner.rng.lock().unwrap_or_else(|p| p.into_inner());
            let d = cfg.backoff().delay(e.attempts, &mut *rng);
            Duration::from_std(d).unwrap_or_else(|_| Duration::hours(1))
        };
        let at = (now + delay).max(retry_after.unwrap_or(now));
        EventOutcome::Retry { at, error }
    }

    /// Starts sending the outbox's events to the workspaces' webhooks: rounds of
    /// [`deliver_webhooks`](Engine::deliver_webhooks) while there is due work, then a wait
    /// until this process writes events or `poll_interval` passes (events written by other
    /// processes, retries coming due). Any number of processes may run one on the same store.
    pub fn spawn_webhooks(&self) -> WebhookDispatcher {
        let (stop, mut stop_rx) = watch::channel(false);
        let engine = self.clone();
        let handle = tokio::spawn(async move {
            loop {
                if *stop_rx.borrow() {
                    return;
                }
                let busy = match engine.deliver_webhooks().await {
                    Ok(r) => r.claimed > 0,
                    Err(e) => {
                        tracing::warn!(error = %e, "webhook round failed");
                        false
                    }
                };
                if busy {
                    continue;
                }
                tokio::select! {
                    _ = stop_rx.changed() => return,
                    _ = engine.inner.events_written.notified() => {}
                    _ = tokio::time::sleep(engine.inner.config.poll_interval) => {}
                }
            }
        });
        WebhookDispatcher { stop, handle }
    }
}
