//! The real peers (from the env files `../shared/peers/start.sh` writes) and how to count
//! posts on them through their own APIs, without socialkit.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde_json::Value;

use crate::matrix::Server;

/// One running peer and the account the matrix posts as.
#[derive(Debug, Clone)]
pub enum Peer {
    /// snac, speaking the Mastodon client API.
    Snac {
        base: url::Url,
        token: String,
        account_id: String,
    },
    /// A Bluesky PDS (alone, or the one of the full network).
    Bluesky {
        server: Server,
        base: url::Url,
        handle: String,
        password: String,
        did: String,
    },
}

impl Peer {
    pub fn server(&self) -> Server {
        match self {
            Peer::Snac { .. } => Server::Snac,
            Peer::Bluesky { server, .. } => *server,
        }
    }

    pub fn base(&self) -> &url::Url {
        match self {
            Peer::Snac { base, .. } | Peer::Bluesky { base, .. } => base,
        }
    }

    /// The loopback address of the server, for the proxy to forward to.
    pub fn upstream(&self) -> SocketAddr {
        let port = self.base().port_or_known_default().unwrap_or(80);
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    /// `host:port` as the server knows itself (its `Host` header).
    pub fn host(&self) -> String {
        let b = self.base();
        format!(
            "{}:{}",
            b.host_str().unwrap_or("localhost"),
            b.port_or_known_default().unwrap_or(80)
        )
    }
}

fn peers_home() -> PathBuf {
    std::env::var_os("SOCIALKIT_PEERS_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/socialkit-peers")
        })
}

fn env_file(name: &str) -> Option<HashMap<String, String>> {
    let text = std::fs::read_to_string(peers_home().join(format!("run/{name}.env"))).ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
            .collect(),
    )
}

/// The peers that run. A missing one is reported (and with `CI=true` fails the test).
pub fn load() -> Vec<Peer> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    match env_file("mastodon-snac").and_then(|v| {
        Some(Peer::Snac {
            base: v.get("SOCIALKIT_MASTODON_URL")?.parse().ok()?,
            token: v.get("SOCIALKIT_MASTODON_ACCESS_TOKEN")?.clone(),
            account_id: v.get("SOCIALKIT_MASTODON_ACCOUNT_ID")?.clone(),
        })
    }) {
        Some(p) => out.push(p),
        None => missing.push("mastodon-snac"),
    }
    for (name, server) in [
        ("bluesky-pds", Server::Pds),
        ("bluesky-network", Server::Network),
    ] {
        match env_file(name).and_then(|v| {
            Some(Peer::Bluesky {
                server,
                base: v.get("SOCIALKIT_BLUESKY_PDS_URL")?.parse().ok()?,
                handle: v.get("SOCIALKIT_BLUESKY_HANDLE")?.clone(),
                password: v.get("SOCIALKIT_BLUESKY_PASSWORD")?.clone(),
                did: v.get("SOCIALKIT_BLUESKY_DID")?.clone(),
            })
        }) {
            Some(p) => out.push(p),
            None => missing.push(name),
        }
    }
    if !missing.is_empty() {
        let msg = format!(
            "SKIPPED for {}: peer not running (start it with ../shared/peers/start.sh {})",
            missing.join(", "),
            missing.join(" ")
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but {msg}");
        }
        println!("{msg}");
        eprintln!("{msg}");
    }
    out
}

/// A post as the server lists it: its id, text, what it answers and how many media it has.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    pub text: String,
    pub in_reply_to: Option<String>,
    pub media: usize,
}

/// The account's posts whose text contains `marker`, read from the server's own API (each
/// post once, by its id).
pub async fn posts_with(peer: &Peer, marker: &str) -> Vec<Listed> {
    let mut seen = std::collections::HashSet::new();
    listed_with(peer, marker)
        .await
        .into_iter()
        .filter(|l| seen.insert(l.id.clone()))
        .collect()
}

async fn listed_with(peer: &Peer, marker: &str) -> Vec<Listed> {
    let http = reqwest::Client::new();
    match peer {
        Peer::Snac {
            base,
            token,
            account_id,
        } => {
            // snac serves up to 256 of the account's public statuses here, newest first.
            let url = base
                .join(&format!("api/v1/accounts/{account_id}/statuses?limit=40"))
                .unwrap();
            let list: Vec<Value> = http
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("snac lists the statuses")
                .json()
                .await
                .expect("snac's status list is JSON");
            list.iter()
                .filter_map(|s| {
                    let text = s
                        .get("content")
                        .and_then(Value::as_str)
                        .filter(|c| !c.is_empty())
                        .or_else(|| s.get("text").and_then(Value::as_str))
                        .unwrap_or_default()
                        .to_string();
                    text.contains(marker).then(|| Listed {
                        id: s["id"].as_str().unwrap_or_default().to_string(),
                        text,
                        in_reply_to: s
                            .get("in_reply_to_id")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        media: s
                            .get("media_attachments")
                            .and_then(Value::as_array)
                            .map_or(0, Vec::len),
                    })
                })
                .collect()
        }
        Peer::Bluesky { base, did, .. } => {
            // The repository itself: every post record, whatever the AppView has indexed.
            let mut out = Vec::new();
            let mut cursor: Option<String> = None;
            for _ in 0..50 {
                let mut url = base.join("xrpc/com.atproto.repo.listRecords").unwrap();
                url.query_pairs_mut()
                    .append_pair("repo", did)
                    .append_pair("collection", "app.bsky.feed.post")
                    .append_pair("limit", "100");
                if let Some(c) = &cursor {
                    url.query_pairs_mut().append_pair("cursor", c);
                }
                let page: Value = http
                    .get(url)
                    .send()
                    .await
                    .expect("the PDS lists the records")
                    .json()
                    .await
                    .expect("listRecords is JSON");
                let records = page["records"].as_array().cloned().unwrap_or_default();
                for r in &records {
                    let v = &r["value"];
                    let text = v["text"].as_str().unwrap_or_default();
                    if text.contains(marker) {
                        out.push(Listed {
                            id: r["uri"].as_str().unwrap_or_default().to_string(),
                            text: text.to_string(),
                            in_reply_to: v["reply"]["parent"]["uri"].as_str().map(str::to_string),
                            media: v["embed"]["images"].as_array().map_or(0, Vec::len),
                        });
                    }
                }
                match page["cursor"].as_str() {
                    Some(c) if !records.is_empty() && cursor.as_deref() != Some(c) => {
                        cursor = Some(c.to_string())
                    }
                    _ => break,
                }
            }
            out
        }
    }
}
