//! A local twin of a Nostr relay, for tests (feature `testkit`).
//!
//! An axum app on `127.0.0.1:0` speaking the relay side of NIP-01 over a websocket at `/`,
//! and serving the NIP-11 document at `GET /` with `Accept: application/nostr+json`. Each
//! behaviour names its source (github.com/nostr-protocol/nips):
//!
//! - `["EVENT", e]` (NIP-01): the id is recomputed and the BIP-340 signature checked (`OK`
//!   false `invalid: …` otherwise); `created_at` more than 30 minutes ahead is refused
//!   (`invalid:`; nostr-rs-relay's `reject_future_seconds`, as the real peer runs it); content
//!   over `max_content_length` is refused (`invalid:`, NIP-11 limitation); an event stored
//!   already is answered `["OK", id, true, "duplicate: already have this event"]`; otherwise
//!   stored and `["OK", id, true, ""]`.
//! - kind 5 (NIP-09): the author's events named in `e` tags are deleted; a deletion by
//!   someone else deletes nothing (as the real relay does); the request itself is stored.
//! - `["REQ", sub, filters…]` (NIP-01): the stored events matching any filter, newest first,
//!   each filter's `limit` applied, then `["EOSE", sub]`; a `search` filter (NIP-50) is
//!   answered when the twin lists NIP-50, else `["CLOSED", sub, "unsupported: search"]`.
//! - `["CLOSE", sub]`: ends the subscription (nothing is live: every REQ ends at EOSE here).
//! - anything else: `["NOTICE", "…"]` (NIP-01).
//! - faults ([`TwinHandle`]): store an event but lose its `OK` (the answer never comes),
//!   refuse the next events with an `OK` false message of your choosing (`rate-limited:`,
//!   `blocked:` …), or close the connection without storing.
//!
//! ```
//! use socialkit::adapters::nostr::{Nostr, twin::Twin};
//! use socialkit::PlatformExt;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = Twin::start().await.unwrap();
//! let nostr = Nostr::new(twin.config(&"11".repeat(32))).unwrap();
//! let published = nostr.publish_text("Hello twin").await.unwrap();
//! assert_eq!(twin.handle().event(&published.post.id).unwrap().content, "Hello twin");
//! # });
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use url::Url;

use super::NostrConfig;
use super::api::{Filter, RelayInfo};
use super::event::{Event, KIND_DELETION};
use crate::Result;
use crate::testkit::twin::TwinServer;

/// How the twin behaves.
///
/// ```
/// let o = socialkit::adapters::nostr::twin::TwinOptions::default();
/// assert!(o.nip50);
/// ```
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// List NIP-50 and answer `search` filters.
    pub nip50: bool,
    /// NIP-11 `limitation.max_content_length` (characters), enforced.
    pub max_content_length: Option<u64>,
    /// Seconds ahead of now a `created_at` may be.
    pub reject_future_seconds: u64,
    /// NIP-11 `limitation.max_event_tags`, enforced (`invalid:`).
    pub max_event_tags: Option<u64>,
    /// NIP-11 `limitation.min_pow_difficulty`, enforced (`pow:`; NIP-13 leading zero bits of
    /// the id).
    pub min_pow_difficulty: Option<u64>,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            nip50: true,
            max_content_length: Some(8_196),
            reject_future_seconds: 1_800,
            max_event_tags: Some(100),
            min_pow_difficulty: None,
        }
    }
}

/// A fault for the next event(s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Store the event, send no `OK`.
    LoseOk,
    /// Refuse with `["OK", id, false, message]`.
    Refuse(String),
    /// Close the connection without storing or answering.
    Hangup,
}

#[derive(Default)]
struct World {
    events: Vec<Event>,
    faults: VecDeque<Fault>,
    received: usize,
}

/// Looks into and steers a running twin.
#[derive(Clone)]
pub struct TwinHandle {
    world: Arc<Mutex<World>>,
    options: Arc<TwinOptions>,
}

impl TwinHandle {
    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every stored event.
    pub fn events(&self) -> Vec<Event> {
        self.world().events.clone()
    }

    /// The stored event `id`.
    pub fn event(&self, id: &str) -> Option<Event> {
        self.world().events.iter().find(|e| e.id == id).cloned()
    }

    /// Stored events of `kind` by `pubkey`.
    pub fn by(&self, pubkey: &str, kind: u32) -> Vec<Event> {
        self.world()
            .events
            .iter()
            .filter(|e| e.pubkey == pubkey && e.kind == kind)
            .cloned()
            .collect()
    }

    /// `EVENT` messages received so far (re-sends included).
    pub fn received(&self) -> usize {
        self.world().received
    }

    /// Queues a fault for the next `EVENT`.
    pub fn fault(&self, fault: Fault) {
        self.world().faults.push_back(fault);
    }

    /// Stores `event` as if another client had published it (checked like any other).
    pub fn insert(&self, event: Event) -> std::result::Result<(), String> {
        match self.accept(&event) {
            Ok(_) => Ok(()),
            Err(m) => Err(m),
        }
    }

    /// NIP-01 checks, NIP-09 deletions, storage. `Ok(true)` when new, `Ok(false)` duplicate.
    fn accept(&self, e: &Event) -> std::result::Result<bool, String> {
        if e.verify().is_err() {
            return Err("invalid: event id or signature does not verify".into());
        }
        let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
        if e.created_at > now + self.options.reject_future_seconds {
            return Err("invalid: event creation date is too far off from the current time".into());
        }
        if let Some(max) = self.options.max_content_length {
            if e.content.chars().count() as u64 > max {
                return Err(format!("invalid: content is longer than {max} characters"));
            }
        }
        if let Some(max) = self.options.max_event_tags {
            if e.tags.len() as u64 > max {
                return Err(format!("invalid: too many tags (at most {max})"));
            }
        }
        if let Some(d) = self.options.min_pow_difficulty {
            let zeros = super::event::hex32(&e.id).map_or(0, |b| leading_zero_bits(&b));
            if u64::from(zeros) < d {
                return Err(format!("pow: difficulty {zeros} is less than {d}"));
            }
        }
        let mut w = self.world();
        if w.events.iter().any(|s| s.id == e.id) {
            return Ok(false);
        }
        if e.kind == KIND_DELETION {
            let targets: Vec<String> = e
                .tags_named("e")
                .filter_map(|t| t.first().cloned())
                .collect();
            w.events
                .retain(|s| !(s.pubkey == e.pubkey && targets.contains(&s.id)));
        }
        w.events.push(e.clone());
        Ok(true)
    }

    fn answer_req(&self, filters: &[Filter]) -> std::result::Result<Vec<Event>, String> {
        if filters.iter().any(|f| f.search.is_some()) && !self.options.nip50 {
            return Err("unsupported: search (NIP-50) is not supported".into());
        }
        let w = self.world();
        let mut newest: Vec<&Event> = w.events.iter().collect();
        newest.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        let mut out: Vec<Event> = Vec::new();
        for f in filters {
            let hits = newest
                .iter()
                .filter(|e| f.matches(e))
                .take(f.limit.unwrap_or(usize::MAX));
            for e in hits {
                if !out.iter().any(|o| o.id == e.id) {
                    out.push((*e).clone());
                }
            }
        }
        Ok(out)
    }

    fn info(&self) -> Value {
        let mut nips = vec![1, 9, 10, 11, 18, 25];
        if self.options.nip50 {
            nips.push(50);
        }
        let mut limitation =
            json!({"max_message_length": 131_072, "max_subscriptions": 20, "max_limit": 5_000});
        if let Some(max) = self.options.max_content_length {
            limitation["max_content_length"] = json!(max);
        }
        if let Some(max) = self.options.max_event_tags {
            limitation["max_event_tags"] = json!(max);
        }
        if let Some(d) = self.options.min_pow_difficulty {
            limitation["min_pow_difficulty"] = json!(d);
        }
        json!({
            "name": "socialkit twin relay",
            "description": "a twin of a NIP-01 relay for tests",
            "supported_nips": nips,
            "software": "socialkit::adapters::nostr::twin",
            "version": env!("CARGO_PKG_VERSION"),
            "limitation": limitation,
        })
    }
}

/// NIP-13: the number of leading zero bits of an id.
fn leading_zero_bits(id: &[u8; 32]) -> u32 {
    let mut n = 0;
    for b in id {
        if *b == 0 {
            n += 8;
        } else {
            return n + b.leading_zeros();
        }
    }
    n
}

/// A running twin relay.
pub struct Twin {
    server: TwinServer,
    handle: TwinHandle,
}

impl Twin {
    /// Starts a twin with the default options.
    pub async fn start() -> Result<Twin> {
        Self::start_with(TwinOptions::default()).await
    }

    /// Starts a twin with `options`.
    pub async fn start_with(options: TwinOptions) -> Result<Twin> {
        let handle = TwinHandle {
            world: Arc::new(Mutex::new(World::default())),
            options: Arc::new(options),
        };
        let app = Router::new()
            .route("/", get(root))
            .with_state(handle.clone());
        let server = TwinServer::start(app).await?;
        Ok(Twin { server, handle })
    }

    /// `ws://127.0.0.1:PORT/`.
    pub fn url(&self) -> Url {
        let mut u = self.server.base_url();
        let _ = u.set_scheme("ws");
        u
    }

    /// A config for `secret_key` on this relay, with a 2-second timeout.
    pub fn config(&self, secret_key: &str) -> NostrConfig {
        let mut c = NostrConfig::new(secret_key.to_string(), [self.url().as_str()])
            .unwrap_or_else(|e| panic!("twin config: {e}"));
        c.timeout_secs = 2;
        c
    }

    /// The handle.
    pub fn handle(&self) -> TwinHandle {
        self.handle.clone()
    }

    /// The NIP-11 document the twin serves.
    pub fn info(&self) -> RelayInfo {
        serde_json::from_value(self.handle.info()).unwrap_or_default()
    }
}

async fn root(
    State(h): State<TwinHandle>,
    headers: HeaderMap,
    ws: std::result::Result<
        WebSocketUpgrade,
        axum::extract::ws::rejection::WebSocketUpgradeRejection,
    >,
) -> Response {
    let wants_info = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/nostr+json"));
    match ws {
        Ok(ws) if !wants_info => ws
            .on_upgrade(move |socket| serve(socket, h))
            .into_response(),
        _ if wants_info => (
            [
                ("content-type", "application/nostr+json"),
                ("access-control-allow-origin", "*"),
            ],
            h.info().to_string(),
        )
            .into_response(),
        _ => (
            axum::http::StatusCode::BAD_REQUEST,
            "a nostr relay: connect with a websocket",
        )
            .into_response(),
    }
}

async fn serve(mut socket: WebSocket, h: TwinHandle) {
    while let Some(Ok(msg)) = socket.recv().await {
        let Message::Text(text) = msg else { continue };
        let answers = match handle_text(&h, text.as_str()) {
            Step::Answer(a) => a,
            Step::Hangup => return,
        };
        for a in answers {
            if socket
                .send(Message::Text(a.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

enum Step {
    Answer(Vec<Value>),
    Hangup,
}

fn handle_text(h: &TwinHandle, text: &str) -> Step {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Step::Answer(vec![json!([
            "NOTICE",
            "could not parse the message as a JSON array"
        ])]);
    };
    match items.first().and_then(Value::as_str) {
        Some("EVENT") => {
            let Some(event) = items
                .get(1)
                .cloned()
                .and_then(|v| serde_json::from_value::<Event>(v).ok())
            else {
                return Step::Answer(vec![json!([
                    "NOTICE",
                    "invalid: EVENT without a valid event"
                ])]);
            };
            let fault = {
                let mut w = h.world();
                w.received += 1;
                w.faults.pop_front()
            };
            match fault {
                Some(Fault::Hangup) => Step::Hangup,
                Some(Fault::Refuse(m)) => Step::Answer(vec![json!(["OK", event.id, false, m])]),
                Some(Fault::LoseOk) => {
                    let _ = h.accept(&event);
                    Step::Answer(Vec::new())
                }
                None => Step::Answer(vec![match h.accept(&event) {
                    Ok(true) => json!(["OK", event.id, true, ""]),
                    Ok(false) => {
                        json!(["OK", event.id, true, "duplicate: already have this event"])
                    }
                    Err(m) => json!(["OK", event.id, false, m]),
                }]),
            }
        }
        Some("REQ") => {
            let Some(sub) = items.get(1).and_then(Value::as_str).map(str::to_string) else {
                return Step::Answer(vec![json!(["NOTICE", "REQ without a subscription id"])]);
            };
            let filters: Vec<Filter> = items[2..]
                .iter()
                .filter_map(|v| serde_json::from_value(v.clone()).ok())
                .collect();
            match h.answer_req(&filters) {
                Ok(events) => {
                    let mut out: Vec<Value> = events
                        .into_iter()
                        .map(|e| json!(["EVENT", sub, e]))
                        .collect();
                    out.push(json!(["EOSE", sub]));
                    Step::Answer(out)
                }
                Err(m) => Step::Answer(vec![json!(["CLOSED", sub, m])]),
            }
        }
        Some("CLOSE") => Step::Answer(Vec::new()),
        _ => Step::Answer(vec![json!(["NOTICE", "unknown message type"])]),
    }
}

/// The behaviour suite's view of a Nostr account on any relay (the twin or a real one): the
/// account under test, and a second key ("bob") that replies, mentions, likes and reposts —
/// Nostr has no accounts to create, a key is enough.
pub struct RelayHarness {
    platform: Arc<super::Nostr>,
    bob: super::Nostr,
}

impl RelayHarness {
    /// A harness for `platform`, with `bob` interacting.
    pub fn new(platform: Arc<super::Nostr>, bob: super::Nostr) -> Self {
        RelayHarness { platform, bob }
    }

    /// The platform under test.
    pub fn nostr(&self) -> &Arc<super::Nostr> {
        &self.platform
    }
}

#[async_trait::async_trait]
impl crate::testkit::Harness for RelayHarness {
    fn platform(&self) -> Arc<dyn crate::Platform> {
        self.platform.clone()
    }

    async fn induce_interaction(
        &self,
        post: &crate::model::PostRef,
        kind: crate::model::InteractionKind,
    ) -> Result<bool> {
        use super::event::{KIND_REACTION, KIND_REPOST, UnsignedEvent};
        use crate::model::InteractionKind as K;
        let me = self.platform.public_key().to_string();
        // Never dated before the note it answers (the adapter may date a burst of notes a
        // few seconds ahead: Nostr counts seconds).
        let target_time = self
            .platform
            .fetch(&[Filter::default().ids([post.id.clone()])])
            .await?
            .first()
            .map_or(0, |e| e.created_at + 1);
        let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
        let now = self.bob.next_second(now.max(target_time), 1);
        let target = vec![
            vec!["e".to_string(), post.id.clone()],
            vec!["p".to_string(), me.clone()],
        ];
        let event = match kind {
            K::Reply => {
                let parent = super::publish::Parent {
                    id: post.id.clone(),
                    root: post.meta("root").unwrap_or(&post.id).to_string(),
                    pubkey: Some(me),
                    created_at: None,
                };
                let text = format!("a reply from bob {}", rand::random::<u32>());
                let (content, tags) =
                    super::publish::note_of(&crate::model::Part::text(text), Some(&parent))?;
                UnsignedEvent::text_note(now, content, tags)
            }
            K::Mention => UnsignedEvent::text_note(
                now,
                format!(
                    "hello nostr:{} ({})",
                    self.platform.keys.npub(),
                    rand::random::<u32>()
                ),
                vec![vec!["p".to_string(), me]],
            ),
            K::Like => UnsignedEvent {
                created_at: now,
                kind: KIND_REACTION,
                tags: target,
                content: "+".into(),
            },
            K::Repost => UnsignedEvent {
                created_at: now,
                kind: KIND_REPOST,
                tags: target,
                content: String::new(),
            },
            _ => return Ok(false),
        };
        let signed = self.bob.sign(event);
        self.bob.send_event(&signed, "interact").await?;
        Ok(true)
    }

    async fn thread_parent(&self, post: &crate::model::PostRef) -> Result<Option<String>> {
        let found = self
            .platform
            .fetch(&[Filter::default().ids([post.id.clone()])])
            .await?;
        let e = found.first().ok_or_else(|| {
            crate::Error::new(crate::ErrorKind::NotFound, "the relay has no such note")
        })?;
        Ok(e.reply_parent().map(str::to_string))
    }

    fn media_sample(&self) -> crate::model::Media {
        crate::model::Media::from_url(
            "image/png",
            "https://example.com/socialkit-suite/red-square.png",
        )
        .with_size(8, 8)
        .with_alt("A small red square (socialkit behaviour suite)")
    }
}
