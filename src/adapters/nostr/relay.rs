//! One websocket connection to one relay: publish an event and wait for its `OK`, or run a
//! subscription until `EOSE` (NIP-01). Every wait has a deadline; every loop ends at it.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use url::Url;

use super::PLATFORM;
use super::api::{Filter, RelayMessage, close_message, event_message, req_message};
use super::errors::{is_duplicate, map_refusal};
use super::event::Event;
use crate::http::NotConnected;
use crate::{Error, ErrorKind, Result};

/// Most events one subscription collects.
const MAX_EVENTS: usize = 10_000;

/// What one relay said to one event.
#[derive(Debug)]
pub enum RelayOutcome {
    /// `["OK", id, true, …]`: stored.
    Accepted,
    /// `duplicate:`: the relay had it already (a re-send of the same event).
    Duplicate,
    /// `["OK", id, false, "prefix: …"]`: refused, with the mapped error.
    Rejected(Error),
    /// Sent, but no `OK` came (timeout, connection lost): the relay may have stored it.
    NoAnswer(Error),
    /// The connection could not be made: nothing was sent.
    NotSent(Error),
}

impl RelayOutcome {
    /// Whether the relay has the event.
    pub fn stored(&self) -> bool {
        matches!(self, RelayOutcome::Accepted | RelayOutcome::Duplicate)
    }

    /// A short word for people (and for [`PostRef::meta`](crate::model::PostRef::meta)).
    ///
    /// ```
    /// assert_eq!(socialkit::adapters::nostr::RelayOutcome::Accepted.describe(), "accepted");
    /// ```
    pub fn describe(&self) -> String {
        match self {
            RelayOutcome::Accepted => "accepted".into(),
            RelayOutcome::Duplicate => "duplicate".into(),
            RelayOutcome::Rejected(e) => format!(
                "rejected: {}",
                e.context()
                    .platform_message
                    .as_deref()
                    .unwrap_or(e.message())
            ),
            RelayOutcome::NoAnswer(_) => "no answer".into(),
            RelayOutcome::NotSent(_) => "not sent".into(),
        }
    }
}

fn network(what: &str, relay: &Url) -> Error {
    Error::new(
        ErrorKind::Network,
        format!("nostr relay {}: {what}", relay.host_str().unwrap_or("?")),
    )
    .with_platform(PLATFORM)
    .with_retryable(true)
}

/// An open connection.
pub(crate) struct Connection {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    url: Url,
    timeout: Duration,
}

impl Connection {
    /// Connects within `timeout`. A failure here sent nothing ([`NotConnected`]).
    pub(crate) async fn open(url: &Url, timeout: Duration) -> Result<Connection> {
        let connect = tokio_tungstenite::connect_async(url.as_str());
        match tokio::time::timeout(timeout, connect).await {
            Ok(Ok((ws, _))) => Ok(Connection {
                ws,
                url: url.clone(),
                timeout,
            }),
            Ok(Err(e)) => Err(network("could not connect", url)
                .with_source(NotConnected::new(short(&e.to_string())))),
            Err(_) => Err(network("connecting timed out", url)
                .with_source(NotConnected::new("connect timeout"))),
        }
    }

    async fn send(&mut self, text: String) -> Result<()> {
        match tokio::time::timeout(self.timeout, self.ws.send(Message::Text(text.into()))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(network("the connection broke while sending", &self.url)),
            Err(_) => Err(
                Error::new(ErrorKind::Timeout, "sending to the nostr relay timed out")
                    .with_platform(PLATFORM)
                    .with_retryable(true),
            ),
        }
    }

    /// The next relay message before `deadline` (pings and pongs are answered by the
    /// library; frames that are not relay messages are skipped).
    async fn next(&mut self, deadline: Instant) -> Result<RelayMessage> {
        loop {
            let frame = match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => {
                    return Err(Error::new(
                        ErrorKind::Timeout,
                        format!(
                            "nostr relay {} did not answer in time",
                            self.url.host_str().unwrap_or("?")
                        ),
                    )
                    .with_platform(PLATFORM)
                    .with_retryable(true));
                }
                Ok(None) | Ok(Some(Err(_))) => {
                    return Err(network("the connection closed", &self.url));
                }
                Ok(Some(Ok(frame))) => frame,
            };
            match frame {
                Message::Text(text) => match RelayMessage::decode(text.as_str()) {
                    Ok(m) => return Ok(m),
                    // A relay's garbage is skipped until the deadline, not trusted.
                    Err(e) => tracing::debug!(error = %e, "skipped a malformed relay message"),
                },
                Message::Close(_) => {
                    return Err(network("the relay closed the connection", &self.url));
                }
                _ => {}
            }
        }
    }

    /// Sends `event` and waits for its `OK`.
    pub(crate) async fn publish(&mut self, event: &Event) -> RelayOutcome {
        if let Err(e) = self.send(event_message(event)).await {
            return RelayOutcome::NoAnswer(e);
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.next(deadline).await {
                Ok(RelayMessage::Ok {
                    id,
                    accepted,
                    message,
                }) if id == event.id => {
                    return if is_duplicate(&message) {
                        RelayOutcome::Duplicate
                    } else if accepted {
                        RelayOutcome::Accepted
                    } else {
                        RelayOutcome::Rejected(map_refusal(&message))
                    };
                }
                Ok(_) => {}
                Err(e) => return RelayOutcome::NoAnswer(e),
            }
        }
    }

    /// Runs `filters` as one subscription and returns the stored events (verified; invalid
    /// ones are dropped) once the relay says `EOSE`, then closes the subscription.
    pub(crate) async fn fetch(&mut self, filters: &[Filter]) -> Result<Vec<Event>> {
        let sub = format!("sk{:016x}", rand::random::<u64>());
        self.send(req_message(&sub, filters)).await?;
        let deadline = Instant::now() + self.timeout;
        let mut events = Vec::new();
        loop {
            match self.next(deadline).await? {
                // Only verified events that match what was asked; a relay that floods is cut
                // off at MAX_EVENTS (and at the deadline).
                RelayMessage::Event {
                    subscription,
                    event,
                } if subscription == sub
                    && event.verify().is_ok()
                    && filters.iter().any(|f| f.matches_loosely(&event)) =>
                {
                    events.push(*event);
                    if events.len() >= MAX_EVENTS {
                        break;
                    }
                }
                RelayMessage::Eose { subscription } if subscription == sub => break,
                RelayMessage::Closed {
                    subscription,
                    message,
                } if subscription == sub => return Err(map_refusal(&message)),
                _ => {}
            }
        }
        let _ = self.send(close_message(&sub)).await;
        Ok(events)
    }

    /// Closes the connection politely.
    pub(crate) async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(1), self.ws.close(None)).await;
    }
}

fn short(s: &str) -> String {
    crate::http::redact::truncate_chars(&crate::http::redact::redact_text(s), 120)
}
