//! Optional webhooks: events POSTed as JSON to a workspace's URL, signed with HMAC-SHA256.
//!
//! Each request carries:
//! - `Socialkit-Timestamp`: Unix seconds when it was signed;
//! - `Socialkit-Signature`: `v1=` + hex HMAC-SHA256 of `"<timestamp>.<body>"` under the
//!   workspace's secret;
//! - `Socialkit-Event` (the event's type) and `Socialkit-Event-Id` (dedupe on it: a retried
//!   delivery repeats it).
//!
//! A receiver checks with [`verify`]: the signature (in constant time) and that the timestamp
//! is within a tolerance of its clock, so a captured request cannot be replayed later.
//! Failed deliveries (network errors, 408, 429, 5xx) are retried with exponential backoff;
//! other answers are final.

use std::fmt;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::sync::{Semaphore, broadcast, watch};
use tokio::task::JoinHandle;

use super::{Engine, Event, Permission};
use crate::http::{Backoff, Jitter};
use crate::store::WorkspaceId;
use crate::{Error, ErrorKind, Result};

const WEBHOOK_KEY: &str = "webhook";

/// The header with the signing time (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "Socialkit-Timestamp";
/// The header with the signature.
pub const SIGNATURE_HEADER: &str = "Socialkit-Signature";

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
    /// Only these event types (`"failed"`, `"needs_reauth"` …); empty = all.
    #[serde(default)]
    pub events: Vec<String>,
    /// Tries per event.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// The first retry's delay in milliseconds; each next one doubles.
    #[serde(default = "default_backoff")]
    pub backoff_ms: u64,
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
        }
    }

    /// The waits between tries: doubling from `backoff_ms` (up to 2¹⁶ times it), no jitter.
    ///
    /// ```
    /// let c = socialkit::engine::WebhookConfig::new("https://hooks.example/", "s");
    /// assert_eq!(c.backoff().cap(3), std::time::Duration::from_secs(4));
    /// ```
    pub fn backoff(&self) -> Backoff {
        let base = StdDuration::from_millis(self.backoff_ms);
        Backoff::new(base, base.saturating_mul(1 << 16), Jitter::None)
    }

    fn wants(&self, e: &Event) -> bool {
        self.events.is_empty() || self.events.iter().any(|n| n == e.kind.name())
    }
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("secret", &"***")
            .field("events", &self.events)
            .field("max_attempts", &self.max_attempts)
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

/// A running webhook sender; stop it with [`shutdown`](WebhookDispatcher::shutdown).
#[derive(Debug)]
pub struct WebhookDispatcher {
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
}

impl WebhookDispatcher {
    /// Stops taking events (sends already started finish in the background).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.handle.await;
    }
}

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

    async fn webhook(&self, ws: &WorkspaceId) -> Option<WebhookConfig> {
        let v = self.store().setting(ws, WEBHOOK_KEY).await.ok().flatten()?;
        serde_json::from_value(v).ok()
    }

    /// Starts sending events to the workspaces' webhooks (at most 16 sends at once).
    pub fn spawn_webhooks(&self) -> WebhookDispatcher {
        let (stop, mut stop_rx) = watch::channel(false);
        let mut rx = self.subscribe();
        let engine = self.clone();
        let client = reqwest::Client::builder()
            .timeout(StdDuration::from_secs(10))
            .build()
            .unwrap_or_default();
        let limit = Arc::new(Semaphore::new(16));
        let handle = tokio::spawn(async move {
            loop {
                let event = tokio::select! {
                    r = rx.recv() => r,
                    _ = stop_rx.changed() => return,
                };
                let event = match event {
                    Ok(e) => e,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "webhook sender fell behind; events lost");
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let Some(cfg) = engine.webhook(&event.workspace).await else {
                    continue;
                };
                if !cfg.wants(&event) {
                    continue;
                }
                let Ok(permit) = limit.clone().acquire_owned().await else {
                    return;
                };
                let (client, engine) = (client.clone(), engine.clone());
                tokio::spawn(async move {
                    send(&client, &engine, &cfg, &event).await;
                    drop(permit);
                });
            }
        });
        WebhookDispatcher { stop, handle }
    }
}

async fn send(client: &reqwest::Client, engine: &Engine, cfg: &WebhookConfig, event: &Event) {
    let Ok(body) = serde_json::to_vec(event) else {
        return;
    };
    for attempt in 1..=cfg.max_attempts.max(1) {
        let ts = engine.now().timestamp();
        let res = client
            .post(&cfg.url)
            .header("Content-Type", "application/json")
            .header(TIMESTAMP_HEADER, ts.to_string())
            .header(SIGNATURE_HEADER, sign(cfg.secret.as_bytes(), ts, &body))
            .header("Socialkit-Event", event.kind.name())
            .header("Socialkit-Event-Id", &event.id)
            .body(body.clone())
            .send()
            .await;
        let retry = match res {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => {
                let s = r.status().as_u16();
                s == 408 || s == 429 || s >= 500
            }
            Err(_) => true,
        };
        if !retry || attempt == cfg.max_attempts {
            tracing::warn!(event = %event.id, attempt, "webhook not delivered");
            return;
        }
        engine.inner.clock.sleep(cfg.backoff().cap(attempt)).await;
    }
}
