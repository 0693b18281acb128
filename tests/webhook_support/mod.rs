//! A webhook receiver for the tests that kill processes (`events_crash` on SQLite,
//! `postgres_workers` on PostgreSQL): it records every event id it gets and how often, and
//! answers 503 to every `fail_every`-th request so the senders retry; and the tally of what it
//! got against what the store holds.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use socialkit::store::{Delivery, EventStatus, OutboxEvent};
use tokio::sync::watch;

/// What the receiver got: each event id and how many times it was accepted, and every
/// request (accepted or answered 503).
#[derive(Default)]
pub struct Got {
    pub by_id: HashMap<String, usize>,
    pub requests: usize,
}

/// Starts the receiver on loopback: its URL, what it got, and the number of requests so far.
pub async fn receiver(fail_every: usize) -> (String, Arc<Mutex<Got>>, watch::Receiver<usize>) {
    let got = Arc::new(Mutex::new(Got::default()));
    let (tx, count) = watch::channel(0usize);
    let sink = got.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let (sink, tx) = (sink.clone(), tx.clone());
            async move {
                let id = headers["socialkit-event-id"].to_str().unwrap().to_string();
                let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(parsed["id"], id.as_str());
                let mut g = sink.lock().unwrap();
                g.requests += 1;
                tx.send_replace(g.requests);
                if g.requests % fail_every == 0 {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                *g.by_id.entry(id).or_default() += 1;
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got, count)
}

/// The stored events against what the receiver accepted.
#[derive(Debug)]
pub struct Tally {
    /// Stored events whose id never reached the receiver.
    pub lost: Vec<String>,
    /// Stored events not Delivered.
    pub not_delivered: usize,
    /// Ids received that no stored event has.
    pub unknown: usize,
    /// Sends beyond the first of an id (at least once allows them).
    pub duplicates: usize,
    /// Published deliveries without a `published` event.
    pub without_event: usize,
    /// Distinct ids received.
    pub received: usize,
    /// Requests (503s included).
    pub requests: usize,
}

impl Tally {
    pub fn of(events: &[OutboxEvent], published: &[Delivery], got: &Got) -> Tally {
        let stored: HashSet<&str> = events.iter().map(|e| e.event.id.as_str()).collect();
        let published_events: HashSet<&str> = events
            .iter()
            .filter(|e| e.event.kind == "published")
            .filter_map(|e| e.event.payload["delivery"].as_str())
            .collect();
        Tally {
            lost: events
                .iter()
                .filter(|e| !got.by_id.contains_key(e.event.id.as_str()))
                .map(|e| e.event.id.to_string())
                .collect(),
            not_delivered: events
                .iter()
                .filter(|e| e.status != EventStatus::Delivered)
                .count(),
            unknown: got
                .by_id
                .keys()
                .filter(|k| !stored.contains(k.as_str()))
                .count(),
            duplicates: got.by_id.values().map(|n| n - 1).sum(),
            without_event: published
                .iter()
                .filter(|d| !published_events.contains(d.id.as_str()))
                .count(),
            received: got.by_id.len(),
            requests: got.requests,
        }
    }
}
