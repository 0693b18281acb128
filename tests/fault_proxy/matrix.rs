//! One cell of the matrix: a server, a write, a way to build the channel and a fault.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig};
use socialkit::adapters::mastodon::{Mastodon, MastodonConfig};
use socialkit::adapters::sandbox::sample_png;
use socialkit::engine::{Backoff, Engine, EngineConfig, EventKind};
use socialkit::http::Jitter;
use socialkit::model::{InteractionRef, Media, Post, PostRef};
use socialkit::store::{ChannelRecord, Delivery, DeliveryState, MemoryStore};
use socialkit::{ChannelConfig, ErrorKind, Platform, PlatformExt, Registry};

use crate::peers::{self, Listed, Peer};
use crate::proxy::{Fault, Proxy, Rule};

/// The client timeout of every channel in the matrix, in seconds: a stalled answer outlives
/// it.
const TIMEOUT_SECS: u64 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Snac,
    Pds,
    Network,
}

impl Server {
    pub fn name(self) -> &'static str {
        match self {
            Server::Snac => "snac (mastodon)",
            Server::Pds => "bluesky PDS",
            Server::Network => "bluesky network",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Post,
    Thread,
    Reply,
    Media,
    Delete,
}

impl Op {
    pub const ALL: [Op; 5] = [Op::Post, Op::Thread, Op::Reply, Op::Media, Op::Delete];

    pub fn name(self) -> &'static str {
        match self {
            Op::Post => "post",
            Op::Thread => "thread",
            Op::Reply => "reply",
            Op::Media => "media",
            Op::Delete => "delete",
        }
    }

    /// The request the fault hits: (method, path part, which one of them).
    fn target(self, server: Server) -> (&'static str, &'static str, usize) {
        match server {
            Server::Snac => match self {
                Op::Post | Op::Reply => ("POST", "/api/v1/statuses", 0),
                // The second part: the first is out when it breaks.
                Op::Thread => ("POST", "/api/v1/statuses", 1),
                Op::Media => ("POST", "/api/v2/media", 0),
                Op::Delete => ("DELETE", "/api/v1/statuses/", 0),
            },
            Server::Pds | Server::Network => match self {
                Op::Post | Op::Reply => ("POST", "com.atproto.repo.createRecord", 0),
                Op::Thread => ("POST", "com.atproto.repo.createRecord", 1),
                Op::Media => ("POST", "com.atproto.repo.uploadBlob", 0),
                Op::Delete => ("POST", "com.atproto.repo.deleteRecord", 0),
            },
        }
    }
}

/// How the channel is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// `Registry::default().from_url("mastodon://…")` (the README's way).
    Url,
    /// `Registry::default().from_config(&ChannelConfig { … })` (the serde form).
    Config,
    /// `Mastodon::new` / `Bluesky::new`.
    New,
    /// `Mastodon::connect` (reads the instance before it returns).
    Connect,
}

impl Path {
    pub fn for_server(server: Server) -> &'static [Path] {
        match server {
            Server::Snac => &[Path::Url, Path::Config, Path::New, Path::Connect],
            // Bluesky has no async constructor: the three sync ones.
            Server::Pds | Server::Network => &[Path::Url, Path::Config, Path::New],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Path::Url => "url",
            Path::Config => "config",
            Path::New => "new",
            Path::Connect => "connect",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub peer: Peer,
    pub op: Op,
    pub path: Path,
    /// `None`: the connection is refused (nothing sent).
    pub fault: Option<Fault>,
    /// In every text the cell writes, so its posts can be counted.
    pub marker: String,
}

/// What a cell found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Posts with the cell's text on the server, per part (delete: what is left).
    pub counts: Vec<usize>,
    /// The delivery's end state (or the adapter call's result, for delete).
    pub state: String,
    /// Whether everything held.
    pub held: bool,
    /// The server has no such write.
    pub not_applicable: bool,
    /// Why not, or what happened.
    pub detail: String,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.held || self.not_applicable
    }

    pub fn short(&self) -> String {
        if self.not_applicable {
            return "n/a".to_string();
        }
        let counts: Vec<String> = self.counts.iter().map(|c| c.to_string()).collect();
        let mark = if self.held { "" } else { " FAIL" };
        format!("{} {}{mark}", counts.join("+"), self.state)
    }

    fn na(why: &str) -> Outcome {
        Outcome {
            not_applicable: true,
            detail: why.to_string(),
            ..Outcome::default()
        }
    }

    fn fail(why: impl Into<String>) -> Outcome {
        Outcome {
            detail: why.into(),
            ..Outcome::default()
        }
    }
}

/// The channel for `cell`, through `proxy`, built the cell's way.
async fn channel(cell: &Cell, proxy: &Proxy) -> socialkit::Result<Arc<dyn Platform>> {
    let port = proxy.addr().port();
    let registry = Registry::default();
    match &cell.peer {
        Peer::Snac { token, .. } => {
            let instance = format!("http://127.0.0.1:{port}");
            let config = MastodonConfig::new(&instance, token.as_str())?
                .with_request_timeout(Duration::from_secs(TIMEOUT_SECS));
            Ok(match cell.path {
                Path::Url => registry.from_url(&format!(
                    "mastodon://{token}@127.0.0.1:{port}?scheme=http&timeout={TIMEOUT_SECS}"
                ))?,
                Path::Config => registry.from_config(&ChannelConfig {
                    platform: "mastodon".into(),
                    settings: json!({
                        "instance": instance,
                        "token": token,
                        "request_timeout_secs": TIMEOUT_SECS,
                    }),
                })?,
                Path::New => Arc::new(Mastodon::new(config)?),
                Path::Connect => Arc::new(Mastodon::connect(config).await?),
            })
        }
        Peer::Bluesky {
            handle, password, ..
        } => {
            let pds = format!("http://127.0.0.1:{port}");
            Ok(match cell.path {
                Path::Url => registry.from_url(&format!(
                    "bluesky://{handle}:{password}@127.0.0.1:{port}?scheme=http&timeout={TIMEOUT_SECS}"
                ))?,
                Path::Config => registry.from_config(&ChannelConfig {
                    platform: "bluesky".into(),
                    settings: json!({
                        "identifier": handle,
                        "app_password": password,
                        "pds": pds,
                        "request_timeout_secs": TIMEOUT_SECS,
                    }),
                })?,
                Path::New | Path::Connect => Arc::new(Bluesky::new(
                    BlueskyConfig::new(handle.as_str(), password.as_str())
                        .with_pds(pds.parse().expect("a loopback URL"))
                        .with_request_timeout_secs(TIMEOUT_SECS),
                )?),
            })
        }
    }
}

/// The same account, straight to the server (no proxy): for what a cell needs to exist
/// before it starts (a post to reply to, a post to delete).
fn direct(peer: &Peer) -> Arc<dyn Platform> {
    match peer {
        Peer::Snac { base, token, .. } => Arc::new(
            Mastodon::new(MastodonConfig::new(base.as_str(), token.as_str()).unwrap()).unwrap(),
        ),
        Peer::Bluesky {
            base,
            handle,
            password,
            ..
        } => Arc::new(
            Bluesky::new(
                BlueskyConfig::new(handle.as_str(), password.as_str()).with_pds(base.clone()),
            )
            .unwrap(),
        ),
    }
}

fn texts(cell: &Cell) -> Vec<String> {
    match cell.op {
        Op::Thread => vec![
            format!("Exactly once {} part one", cell.marker),
            format!("Exactly once {} part two", cell.marker),
        ],
        _ => vec![format!("Exactly once {} {}", cell.marker, cell.op.name())],
    }
}

fn post_of(cell: &Cell) -> Post {
    let t = texts(cell);
    let mut post = Post::text(t[0].clone());
    for more in &t[1..] {
        post = post.then(more.clone());
    }
    if cell.op == Op::Media {
        post = post.with_media(
            Media::image_bytes("image/png", sample_png(8, 8, [10, 120, 200]))
                .with_alt("a small blue square"),
        );
    }
    post
}

/// The engine's settings for the matrix: short waits (the defaults are for the internet),
/// with the lookup after an in-doubt attempt still well after the client's timeout, and a
/// five-second margin for clock skew: the servers share this machine's clock, and a wider
/// margin only widens what the look-up must read. Six cells post to one snac account at once,
/// and snac lists at most its last entries (it ignores `max_id`): with a one-minute margin a
/// busy run pushed more than that listing into the window, and the engine rightly answered
/// "cannot all be checked" (CI, session 4).
fn engine_config() -> EngineConfig {
    EngineConfig {
        backoff: Backoff::new(
            Duration::from_millis(500),
            Duration::from_secs(4),
            Jitter::Equal,
        ),
        reconcile_after: chrono::Duration::seconds(TIMEOUT_SECS as i64 + 4),
        reconcile_skew: chrono::Duration::seconds(5),
        poll_interval: Duration::from_millis(200),
        ..EngineConfig::default()
    }
}

/// Runs one cell and counts on the server.
pub async fn run(cell: &Cell) -> Outcome {
    let server = cell.peer.server();
    if cell.op == Op::Delete && server == Server::Snac {
        // snac 2.75 has no DELETE /api/v1/statuses/{id} (it answers 404).
        return Outcome::na("snac has no status delete");
    }
    let proxy = Proxy::start(&cell.peer.host(), cell.peer.upstream()).await;
    let (method, path, nth) = cell.op.target(server);
    if let Some(fault) = cell.fault {
        proxy.inject(Rule {
            method,
            path,
            nth,
            fault,
        });
    }
    // `connect` reads the instance; on a loaded machine that read may time out, which says
    // nothing about exactly-once: try it a few times (bounded).
    let mut built = channel(cell, &proxy).await;
    for _ in 0..3 {
        match &built {
            Err(e) if e.is_retryable() => built = channel(cell, &proxy).await,
            _ => break,
        }
    }
    let platform = match built {
        Ok(p) => p,
        Err(e) => return Outcome::fail(format!("building the channel failed: {e}")),
    };
    if cell.op == Op::Delete {
        return run_delete(cell, &proxy, platform).await;
    }

    // Real time: a request that timed out may still be running on the server, and only real
    // time lets it end before the engine looks (`EngineConfig::reconcile_after`).
    let engine = Engine::builder(Arc::new(MemoryStore::new()))
        .config(engine_config())
        .build();
    let mut events = engine.subscribe();
    let ws = engine
        .create_workspace("eo", "Exactly once", "olga")
        .await
        .unwrap();
    engine
        .connect(
            &ws,
            "olga",
            ChannelRecord::new("c", "peer"),
            platform.clone(),
        )
        .await
        .unwrap();

    // The reply's target exists before the cell starts.
    let parent = if cell.op == Op::Reply {
        match direct(&cell.peer)
            .publish_text(&format!("Exactly once {} parent", cell.marker))
            .await
        {
            Ok(p) => Some(p.post),
            Err(e) => return Outcome::fail(format!("the parent post failed: {e}")),
        }
    } else {
        None
    };

    let delivery_id = match &parent {
        Some(parent) => {
            let to = InteractionRef::new(platform.name(), format!("{}-mention", cell.marker))
                .with_post(parent.clone());
            let reply = Post::text(texts(cell)[0].clone());
            match engine.reply(&ws, "olga", &"c".into(), to, reply).await {
                Ok(id) => id,
                Err(e) => return Outcome::fail(format!("the reply was refused: {e}")),
            }
        }
        None => match engine
            .submit(&ws, "olga", post_of(cell), &["c".into()])
            .await
        {
            Ok(sub) => sub.deliveries[0].id.clone(),
            Err(e) => return Outcome::fail(format!("the post was refused: {e}")),
        },
    };

    if cell.fault.is_none() {
        // Refused: the first attempt cannot connect; it must not be in doubt.
        proxy.refuse().await;
        let first = engine.run_once().await.unwrap();
        let d = engine.delivery(&ws, &delivery_id).await.unwrap();
        proxy.accept_again().await;
        if first.claimed != 1 {
            return Outcome::fail(format!("the first round claimed {}", first.claimed));
        }
        let is_thread = cell.op == Op::Thread;
        // A refused single write is not in doubt; a thread stays in doubt on purpose (its
        // earlier parts may be out), but here none was.
        if d.in_doubt() != is_thread || d.state == DeliveryState::Published {
            return Outcome::fail(format!(
                "after a refused connection: state {:?}, in doubt {} (error {:?})",
                d.state,
                d.in_doubt(),
                d.error.as_ref().map(|e| e.message.clone())
            ));
        }
    }
    // The engine's own worker publishes, reconciles and retries; the test waits for the
    // delivery's final event (bounded, so a stuck cell fails instead of hanging).
    let worker = engine.spawn_worker();
    let ended = tokio::time::timeout(Duration::from_secs(180), async {
        loop {
            match events.recv().await {
                Ok(ev) => match ev.kind {
                    EventKind::Published { delivery, .. }
                    | EventKind::Replied { delivery, .. }
                    | EventKind::Failed { delivery, .. }
                        if delivery == delivery_id =>
                    {
                        return true;
                    }
                    _ => {}
                },
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return false,
            }
        }
    })
    .await
    .unwrap_or(false);
    let _ = worker.shutdown().await;
    let report = if ended {
        "ended"
    } else {
        "did not end within 180 s"
    };
    let d = engine.delivery(&ws, &delivery_id).await.unwrap();
    let fired = proxy.fired_so_far().await;
    let listed = peers::posts_with(&cell.peer, &cell.marker).await;
    let mut out = judge(cell, &d, &listed, parent.as_ref());
    if let Some(f) = cell.fault {
        if !fired.iter().any(|x| x.fault == f) {
            out.held = false;
            out.detail = format!("the fault {f:?} never fired ({report}); {}", out.detail);
        }
    }
    if !out.held {
        let history = engine
            .history(&ws, "olga", &d.id)
            .await
            .map(|h| format!("{h:?}"))
            .unwrap_or_default();
        out.detail = format!(
            "{}\n    requests: {}\n    history: {history}",
            out.detail,
            proxy.log().join(" | ")
        );
    }
    out
}

/// Exactly one of each part, the reply answering its parent, the media attached, the
/// delivery published with the part ids the server has.
fn judge(cell: &Cell, d: &Delivery, listed: &[Listed], parent: Option<&PostRef>) -> Outcome {
    let texts = texts(cell);
    let of = |t: &str| -> Vec<&Listed> { listed.iter().filter(|l| l.text.contains(t)).collect() };
    let counts: Vec<usize> = texts.iter().map(|t| of(t).len()).collect();
    let state = format!("{:?}", d.state).to_lowercase();
    let mut out = Outcome {
        counts: counts.clone(),
        state,
        ..Outcome::default()
    };
    let mut problems = Vec::new();
    if counts.iter().any(|c| *c != 1) {
        problems.push(format!("counts on the server {counts:?}, want one each"));
    }
    if d.state != DeliveryState::Published {
        problems.push(format!(
            "delivery {:?}: {:?}",
            d.state,
            d.error.as_ref().map(|e| e.message.clone())
        ));
    }
    if problems.is_empty() {
        let parts = d
            .result
            .as_ref()
            .map(|r| r.parts.clone())
            .unwrap_or_default();
        let ids: Vec<String> = texts.iter().map(|t| of(t)[0].id.clone()).collect();
        let got: Vec<String> = parts.iter().map(|p| p.id.clone()).collect();
        // snac's ids are as the API lists them; the PDS's are AT-URIs on both sides.
        if got != ids {
            problems.push(format!(
                "the delivery names {got:?}, the server has {ids:?}"
            ));
        }
        if cell.op == Op::Thread {
            let second = of(&texts[1])[0];
            if second.in_reply_to.as_deref() != Some(ids[0].as_str()) {
                problems.push("part two does not answer part one".to_string());
            }
        }
        if let Some(p) = parent {
            if of(&texts[0])[0].in_reply_to.as_deref() != Some(p.id.as_str()) {
                problems.push("the reply does not answer its parent".to_string());
            }
        }
        if cell.op == Op::Media && of(&texts[0])[0].media != 1 {
            problems.push("the post does not carry its image".to_string());
        }
    }
    out.held = problems.is_empty();
    out.detail = problems.join("; ");
    out
}

/// Delete through the adapter: the post is made straight on the server, deleted through the
/// proxy (with the fault), and must be gone — deleted once, by a call that says so or says it
/// is already gone.
async fn run_delete(cell: &Cell, proxy: &Proxy, platform: Arc<dyn Platform>) -> Outcome {
    let text = texts(cell)[0].clone();
    let made = match direct(&cell.peer).publish_text(&text).await {
        Ok(p) => p.post,
        Err(e) => return Outcome::fail(format!("the post to delete failed: {e}")),
    };
    let result = if cell.fault.is_none() {
        proxy.refuse().await;
        let first = platform.delete(&made).await;
        proxy.accept_again().await;
        match first {
            Err(e) if socialkit::http::nothing_sent(&e) => platform.delete(&made).await,
            Err(e) => return Outcome::fail(format!("a refused delete said {e}")),
            Ok(()) => return Outcome::fail("a refused delete succeeded"),
        }
    } else {
        match platform.delete(&made).await {
            // Outcome unknown (the adapter does not retry what it cannot tell): ask again.
            Err(e) if e.is_retryable() => platform.delete(&made).await,
            other => other,
        }
    };
    let state = match &result {
        Ok(()) => "deleted".to_string(),
        Err(e) if e.kind() == ErrorKind::NotFound => "already gone".to_string(),
        Err(e) => format!("error {}", e.kind()),
    };
    let fired = proxy.fired_so_far().await;
    let left = peers::posts_with(&cell.peer, &cell.marker).await.len();
    let mut problems = Vec::new();
    if let Some(f) = cell.fault {
        if !fired.iter().any(|x| x.fault == f) {
            problems.push(format!("the fault {f:?} never fired"));
        }
    }
    if left != 0 {
        problems.push(format!("{left} left on the server"));
    }
    if !matches!(&result, Ok(())) && !matches!(&result, Err(e) if e.kind() == ErrorKind::NotFound) {
        problems.push(format!("delete said {result:?}"));
    }
    Outcome {
        counts: vec![left],
        state,
        held: problems.is_empty(),
        not_applicable: false,
        detail: problems.join("; "),
    }
}
