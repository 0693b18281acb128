//! A fault-injecting HTTP/1.1 proxy on loopback, between socialkit and a real server.
//!
//! One request per connection: the proxy reads the whole request, decides (by method and
//! path) whether a fault applies, forwards it with `Connection: close`, reads the whole
//! answer and passes it on with `Connection: close` — or breaks it on purpose:
//!
//! | fault | the server | the client |
//! |---|---|---|
//! | [`Fault::LoseAnswer`] | processed the request | the connection is reset instead of the answer |
//! | [`Fault::ResetBefore`] | never saw it | the connection is reset after the request was sent |
//! | [`Fault::Stall`] | processed the request | no answer until the client gives up (its timeout) |
//! | [`Fault::BadGateway`] | processed the request | a 502 instead of the answer |
//! | [`Proxy::refuse`] | never saw it | the connection is refused: nothing was sent |
//!
//! Every fault that fired is reported on a channel ([`Proxy::fired_so_far`]): a test checks
//! that the fault it meant happened, and never waits for time — the stalled answer is held
//! until the client itself gives up.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

/// How a matching request is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded and processed; the answer is dropped and the client connection reset.
    LoseAnswer,
    /// Not forwarded; the client connection is reset after the request arrived.
    ResetBefore,
    /// Forwarded and processed; the answer is held until the client closes (its timeout).
    Stall,
    /// Forwarded and processed; the client gets a 502 instead.
    BadGateway,
}

impl Fault {
    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Fault::LoseAnswer => "lost answer",
            Fault::ResetBefore => "reset before",
            Fault::Stall => "slow answer",
            Fault::BadGateway => "502 after",
        }
    }
}

/// A rule: the `nth` (0-based) request with `method` whose path contains `path` is broken with
/// `fault`; once.
#[derive(Debug, Clone)]
pub struct Rule {
    pub method: &'static str,
    pub path: &'static str,
    pub nth: usize,
    pub fault: Fault,
}

/// What the proxy reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub fault: Fault,
    pub method: String,
    pub path: String,
    /// The server's status for the request, where it was forwarded.
    pub upstream_status: Option<u16>,
}

struct Shared {
    upstream: SocketAddr,
    upstream_host: String,
    rules: Mutex<Vec<(Rule, usize)>>,
    fired: mpsc::UnboundedSender<Fired>,
    /// Every request seen: method, path, and what became of it.
    log: Mutex<Vec<String>>,
}

/// A running proxy. Dropping it stops it.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// Stops the accept loop; it answers once its listener is closed.
    stop: Mutex<Option<oneshot::Sender<oneshot::Sender<()>>>>,
    fired: tokio::sync::Mutex<mpsc::UnboundedReceiver<Fired>>,
}

/// The most a request or answer head may be (a bound; real heads are far smaller).
const MAX_HEAD: usize = 64 * 1024;
/// The most a body may be.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// A bound on how long a stalled answer is held if the client never gives up.
const STALL_BOUND: Duration = Duration::from_secs(120);

impl Proxy {
    /// A proxy on 127.0.0.1 (a free port) in front of `upstream` (`host:port` of the real
    /// server, as its `Host` header should read).
    pub async fn start(upstream_host: &str, upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            upstream,
            upstream_host: upstream_host.to_string(),
            rules: Mutex::new(Vec::new()),
            fired: tx,
            log: Mutex::new(Vec::new()),
        });
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(accept_loop(listener, shared.clone(), stopped));
        Proxy {
            addr,
            shared,
            stop: Mutex::new(Some(stop)),
            fired: tokio::sync::Mutex::new(rx),
        }
    }

    /// `127.0.0.1:port` of the proxy.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Arms a rule.
    pub fn inject(&self, rule: Rule) {
        self.shared.rules.lock().unwrap().push((rule, 0));
    }

    /// Stops listening (the listening socket is closed when this returns): connections are
    /// refused until [`Proxy::accept_again`].
    pub async fn refuse(&self) {
        let stop = self.stop.lock().unwrap().take();
        if let Some(stop) = stop {
            let (ack, closed) = oneshot::channel();
            if stop.send(ack).is_ok() {
                let _ = closed.await;
            }
        }
    }

    /// Listens again on the same port.
    pub async fn accept_again(&self) {
        self.refuse().await;
        let listener = TcpListener::bind(self.addr)
            .await
            .unwrap_or_else(|e| panic!("cannot listen again on {}: {e}", self.addr));
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(accept_loop(listener, self.shared.clone(), stopped));
        *self.stop.lock().unwrap() = Some(stop);
    }

    /// Every request the proxy saw, in order, with what became of it (for failure reports).
    pub fn log(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Faults that fired and were not taken yet, without waiting.
    pub async fn fired_so_far(&self) -> Vec<Fired> {
        let mut rx = self.fired.lock().await;
        let mut out = Vec::new();
        while let Ok(f) = rx.try_recv() {
            out.push(f);
        }
        out
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<oneshot::Sender<()>>,
) {
    loop {
        tokio::select! {
            ack = &mut stop => {
                // Asked to stop, or the proxy was dropped: close the listener first.
                drop(listener);
                if let Ok(ack) = ack {
                    let _ = ack.send(());
                }
                return;
            }
            accepted = listener.accept() => {
                let Ok((client, _)) = accepted else { return };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(client, &shared).await;
                });
            }
        }
    }
}

/// One HTTP message read whole: its head (request or status line and headers) and body bytes
/// as they came (chunked bodies stay chunked).
struct Message {
    head: String,
    body: Vec<u8>,
}

impl Message {
    fn first_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The head with `Connection: close` (and `Host` replaced where given), then the body.
    fn rewritten(&self, host: Option<&str>) -> Vec<u8> {
        let mut out = String::new();
        for (i, line) in self.head.lines().enumerate() {
            if i > 0 {
                let name = line.split(':').next().unwrap_or_default().trim();
                if name.eq_ignore_ascii_case("connection")
                    || name.eq_ignore_ascii_case("keep-alive")
                    || (host.is_some() && name.eq_ignore_ascii_case("host"))
                {
                    continue;
                }
            }
            if line.is_empty() {
                continue;
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        if let Some(h) = host {
            out.push_str(&format!("Host: {h}\r\n"));
        }
        out.push_str("Connection: close\r\n\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// Reads one message from `s`: `None` on EOF before any byte. `request` says which framing
/// applies when neither length nor chunking is given (a request has no body; an answer runs
/// to EOF).
async fn read_message(s: &mut TcpStream, request: bool) -> std::io::Result<Option<Message>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_HEAD {
            return Err(std::io::Error::other("head too large"));
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            if buf.is_empty() {
                return Ok(None);
            }
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut body = buf[head_end..].to_vec();
    let msg = Message {
        head,
        body: Vec::new(),
    };
    let chunked = msg
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = msg
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok());
    if chunked {
        while !chunked_complete(&body)? {
            let n = s.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            body.extend_from_slice(&chunk[..n]);
            if body.len() > MAX_BODY {
                return Err(std::io::Error::other("body too large"));
            }
        }
    } else if let Some(len) = length {
        if len > MAX_BODY {
            return Err(std::io::Error::other("body too large"));
        }
        while body.len() < len {
            let n = s.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            body.extend_from_slice(&chunk[..n]);
        }
        body.truncate(len);
    } else if !request && !status_has_no_body(msg.first_line()) {
        loop {
            let n = s.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
            if body.len() > MAX_BODY {
                return Err(std::io::Error::other("body too large"));
            }
        }
    }
    Ok(Some(Message {
        head: msg.head,
        body,
    }))
}

fn status_has_no_body(status_line: &str) -> bool {
    let code = status_line.split_whitespace().nth(1).unwrap_or_default();
    code.starts_with('1') || code == "204" || code == "304"
}

/// Whether a chunked body is complete (its last, zero-size chunk and trailers are in).
fn chunked_complete(body: &[u8]) -> std::io::Result<bool> {
    let mut i = 0;
    loop {
        let Some(line_end) = find(&body[i..], b"\r\n") else {
            return Ok(false);
        };
        let size_text = String::from_utf8_lossy(&body[i..i + line_end]).into_owned();
        let size_hex = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| std::io::Error::other("bad chunk size"))?;
        i += line_end + 2;
        if size == 0 {
            // Trailers end with an empty line.
            return Ok(find(&body[i..], b"\r\n").is_some_and(|_| {
                body[i..].starts_with(b"\r\n") || find(&body[i..], b"\r\n\r\n").is_some()
            }));
        }
        if body.len() < i + size + 2 {
            return Ok(false);
        }
        i += size + 2;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Takes the fault for this request, if a rule matches (each rule fires once).
fn take_fault(shared: &Shared, method: &str, path: &str) -> Option<Fault> {
    let mut rules = shared.rules.lock().unwrap();
    for (rule, seen) in rules.iter_mut() {
        if rule.method == method && path.contains(rule.path) {
            let n = *seen;
            *seen += 1;
            if n == rule.nth {
                return Some(rule.fault);
            }
        }
    }
    None
}

fn reset(s: TcpStream) {
    // Linger 0: close with RST, so the client sees a reset rather than a clean end. (The
    // deprecation is about a *positive* linger blocking on drop; zero never blocks.)
    #[allow(deprecated)]
    let _ = s.set_linger(Some(Duration::ZERO));
    drop(s);
}

async fn serve(mut client: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let Some(request) = read_message(&mut client, true).await? else {
        return Ok(());
    };
    let mut words = request.first_line().split_whitespace();
    let method = words.next().unwrap_or_default().to_string();
    let path = words.next().unwrap_or_default().to_string();
    let fault = take_fault(shared, &method, &path);
    let short: String = path
        .split('?')
        .next()
        .unwrap_or_default()
        .chars()
        .take(60)
        .collect();
    let note = |what: String| {
        shared
            .log
            .lock()
            .unwrap()
            .push(format!("{method} {short} {what}"))
    };
    let fired = |fault: Fault, upstream_status: Option<u16>| {
        let _ = shared.fired.send(Fired {
            fault,
            method: method.clone(),
            path: path.clone(),
            upstream_status,
        });
    };
    if fault == Some(Fault::ResetBefore) {
        note("reset before".into());
        reset(client);
        fired(Fault::ResetBefore, None);
        return Ok(());
    }
    let mut upstream = TcpStream::connect(shared.upstream).await?;
    upstream
        .write_all(&request.rewritten(Some(&shared.upstream_host)))
        .await?;
    let Some(answer) = read_message(&mut upstream, false).await? else {
        reset(client);
        return Ok(());
    };
    drop(upstream);
    let status = answer
        .first_line()
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok());
    note(format!(
        "-> {} {}",
        status.unwrap_or(0),
        fault.map_or("passed on", Fault::name)
    ));
    match fault {
        None => {
            client.write_all(&answer.rewritten(None)).await?;
            client.shutdown().await?;
        }
        Some(Fault::LoseAnswer) => {
            fired(Fault::LoseAnswer, status);
            reset(client);
        }
        Some(Fault::Stall) => {
            fired(Fault::Stall, status);
            // Hold the answer until the client gives up and closes (its timeout).
            let mut sink = [0u8; 1024];
            let _ = tokio::time::timeout(STALL_BOUND, async {
                loop {
                    match client.read(&mut sink).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => continue,
                    }
                }
            })
            .await;
            drop(client);
        }
        Some(Fault::BadGateway) => {
            // Reported first: the client may have given up already (its timeout).
            fired(Fault::BadGateway, status);
            let body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
            let head = format!(
                "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            client.write_all(head.as_bytes()).await?;
            client.write_all(body.as_bytes()).await?;
            client.shutdown().await?;
        }
        Some(Fault::ResetBefore) => unreachable!("handled before forwarding"),
    }
    Ok(())
}
