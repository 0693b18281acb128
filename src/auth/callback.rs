//! [`LocalCallback`]: the one-shot loopback HTTP server that receives an OAuth redirect on
//! `127.0.0.1` — what a command line or a desktop app registers as its redirect URI
//! (RFC 8252 §7.3, "Loopback Interface Redirection").
//!
//! It binds `127.0.0.1` on a given port or any free one, names the redirect URI, and waits
//! (bounded) for one `GET` to its path. The browser gets a small HTML page; the caller gets
//! the redirect's [`Callback`] (`code`, `state`, `error`, `iss` …) to complete the flow with
//! ([`PendingConnect::complete`](super::connect::PendingConnect::complete)). Other paths
//! (a browser's `/favicon.ico`) get a 404, other methods a 405, malformed requests a 400;
//! connections that open and send nothing (browsers pre-connect) do not hold up the
//! redirect, because every connection is read on its own task.
//!
//! ```
//! use std::time::Duration;
//! use socialkit::auth::connect::LocalCallback;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let callback = LocalCallback::bind(0).await.unwrap();
//! assert!(callback.redirect_uri().starts_with("http://127.0.0.1:"));
//! assert!(callback.redirect_uri().ends_with("/callback"));
//! // Nobody comes back: a Timeout error that says to start again.
//! let err = callback.wait(Duration::from_millis(10)).await.unwrap_err();
//! assert_eq!(err.kind(), socialkit::ErrorKind::Timeout);
//! # });
//! ```

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::connect::Callback;
use crate::error::{Error, ErrorKind, Result};

/// The path the redirect URI names unless another is given.
pub const DEFAULT_PATH: &str = "/callback";
/// The most a request head may be; longer ones get a 431.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A one-shot HTTP server on `127.0.0.1` that receives an OAuth redirect (see the
/// [module docs](self)).
#[derive(Debug)]
pub struct LocalCallback {
    listener: TcpListener,
    path: String,
    redirect: String,
}

/// What one connection sent.
enum Request {
    /// `GET` to the callback path, with its query.
    Callback(String),
    /// Anything else (already answered).
    Other,
}

impl LocalCallback {
    /// Listens on `127.0.0.1:port` (0: any free port) for `GET /callback`.
    pub async fn bind(port: u16) -> Result<LocalCallback> {
        Self::bind_path(port, DEFAULT_PATH).await
    }

    /// Listens on `127.0.0.1:port` (0: any free port) for `GET path` (`/` is added in front
    /// when missing).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let cb = socialkit::auth::connect::LocalCallback::bind_path(0, "oauth/x").await.unwrap();
    /// assert!(cb.redirect_uri().ends_with("/oauth/x"));
    /// # });
    /// ```
    pub async fn bind_path(port: u16, path: &str) -> Result<LocalCallback> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            Error::config(format!(
                "cannot listen on 127.0.0.1:{port} for the OAuth callback: {e}"
            ))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::config(format!("the OAuth callback listener: {e}")))?;
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        Ok(LocalCallback {
            listener,
            redirect: format!("http://{addr}{path}"),
            path,
        })
    }

    /// The redirect URI to register with the platform and to put in the authorization URL.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Waits at most `timeout` for the redirect and returns its query, parsed. The browser
    /// is answered with a page that says whether the authorization was given. A timeout is a
    /// [`Timeout`](ErrorKind::Timeout) error.
    pub async fn wait(&self, timeout: Duration) -> Result<Callback> {
        let query = self.wait_query(timeout).await?;
        Callback::parse(&query)
    }

    /// Like [`wait`](Self::wait), returning the raw query string (without `?`).
    pub async fn wait_query(&self, timeout: Duration) -> Result<String> {
        let mut connections: JoinSet<Request> = JoinSet::new();
        let serve = async {
            loop {
                tokio::select! {
                    accepted = self.listener.accept() => {
                        let (sock, _) = accepted.map_err(|e| {
                            Error::config(format!("the OAuth callback listener: {e}"))
                        })?;
                        let path = self.path.clone();
                        connections.spawn(async move { serve(sock, &path).await });
                    }
                    Some(done) = connections.join_next() => {
                        if let Ok(Request::Callback(query)) = done {
                            return Ok::<String, Error>(query);
                        }
                    }
                }
            }
        };
        let answer = tokio::time::timeout(timeout, serve).await;
        connections.abort_all();
        answer.map_err(|_| {
            Error::new(
                ErrorKind::Timeout,
                format!(
                    "no redirect arrived at {} within {} s; start the connection again",
                    self.redirect,
                    timeout.as_secs()
                ),
            )
            .with_operation("connect")
        })?
    }
}

/// Reads one request head and answers it.
async fn serve(mut sock: TcpStream, path: &str) -> Request {
    let head = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut sock)).await {
        Ok(Ok(head)) => head,
        Ok(Err(status)) => {
            respond(&mut sock, status, "").await;
            return Request::Other;
        }
        Err(_) => return Request::Other,
    };
    let mut parts = head.lines().next().unwrap_or("").split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if !target.starts_with('/') || parts.next().is_none_or(|v| !v.starts_with("HTTP/")) {
        respond(&mut sock, "400 Bad Request", "").await;
        return Request::Other;
    }
    let (p, query) = target.split_once('?').unwrap_or((target, ""));
    if p != path {
        respond(&mut sock, "404 Not Found", "").await;
        return Request::Other;
    }
    if method != "GET" {
        respond(&mut sock, "405 Method Not Allowed", "").await;
        return Request::Other;
    }
    let page = match Callback::parse(query) {
        Ok(c) if c.error.is_some() => page(
            "Not authorized",
            &format!(
                "The platform answered: {}. Return to the application; it says what to do.",
                escape(c.error.as_deref().unwrap_or_default())
            ),
        ),
        _ => page(
            "Authorization received",
            "You can close this tab and return to the application.",
        ),
    };
    respond(&mut sock, "200 OK", &page).await;
    Request::Callback(query.to_string())
}

/// The request head (up to the blank line), or the status to refuse it with.
async fn read_head(sock: &mut TcpStream) -> std::result::Result<String, &'static str> {
    let mut buf = vec![0u8; MAX_HEAD];
    let mut len = 0;
    loop {
        if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
        if len == buf.len() {
            return Err("431 Request Header Fields Too Large");
        }
        match sock.read(&mut buf[len..]).await {
            Ok(0) if len == 0 => return Err("400 Bad Request"),
            // A client that stops early: take what came if it holds a request line.
            Ok(0) => break,
            Ok(n) => len += n,
            Err(_) => return Err("400 Bad Request"),
        }
    }
    String::from_utf8(buf[..len].to_vec()).map_err(|_| "400 Bad Request")
}

async fn respond(sock: &mut TcpStream, status: &str, html: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
        html.len()
    );
    let _ = sock.write_all(head.as_bytes()).await;
    let _ = sock.write_all(html.as_bytes()).await;
    let _ = sock.shutdown().await;
}

fn page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>socialkit: {title}</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{text}</p></body></html>"
    )
}

fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '&' => "&amp;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends raw bytes and returns the whole answer.
    async fn send(port: u16, raw: &[u8]) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(raw).await.unwrap();
        // Half-close: the request is complete.
        s.shutdown().await.unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn returns_the_redirect_after_answering_strangers() {
        let cb = LocalCallback::bind(0).await.unwrap();
        let port = cb.port();
        let client = tokio::spawn(async move {
            // A pre-connect that never speaks must not hold up the redirect.
            let idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            let favicon = send(port, b"GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n").await;
            let post = send(port, b"POST /callback HTTP/1.1\r\nHost: x\r\n\r\n").await;
            let garbage = send(port, b"\x00\xff\xfe nonsense\r\n\r\n").await;
            let no_version = send(port, b"GET /callback?code=x\r\n\r\n").await;
            let empty = send(port, b"").await;
            let ok = send(
                port,
                b"GET /callback?code=c0de&state=st8&iss=https%3A%2F%2Fpds.example HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            )
            .await;
            drop(idle);
            (favicon, post, garbage, no_version, empty, ok)
        });
        let got = cb.wait(Duration::from_secs(20)).await.unwrap();
        let (favicon, post, garbage, no_version, empty, ok) = client.await.unwrap();
        assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");
        assert!(garbage.starts_with("HTTP/1.1 400"), "{garbage}");
        assert!(no_version.starts_with("HTTP/1.1 400"), "{no_version}");
        assert!(empty.starts_with("HTTP/1.1 400"), "{empty}");
        assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
        assert!(ok.contains("Authorization received"), "{ok}");
        assert_eq!(got.code.as_deref(), Some("c0de"));
        assert_eq!(got.state.as_deref(), Some("st8"));
        assert_eq!(got.iss.as_deref(), Some("https://pds.example"));
    }

    #[tokio::test]
    async fn a_denial_is_returned_and_shown_escaped() {
        let cb = LocalCallback::bind_path(0, "/oauth").await.unwrap();
        let port = cb.port();
        let client = tokio::spawn(async move {
            send(
                port,
                b"GET /oauth?error=%3Cscript%3E&state=s HTTP/1.1\r\nHost: x\r\n\r\n",
            )
            .await
        });
        let got = cb.wait(Duration::from_secs(20)).await.unwrap();
        let page = client.await.unwrap();
        assert_eq!(got.error.as_deref(), Some("<script>"));
        assert!(page.contains("Not authorized") && page.contains("&lt;script&gt;"));
        assert!(!page.contains("<script>"));
    }

    #[tokio::test]
    async fn an_oversized_head_is_refused() {
        let cb = LocalCallback::bind(0).await.unwrap();
        let port = cb.port();
        let client = tokio::spawn(async move {
            let mut raw = b"GET /callback?code=".to_vec();
            // Exactly the most a head may be, with no end: all of it is read, then refused.
            raw.resize(MAX_HEAD, b'a');
            let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            s.write_all(&raw).await.unwrap();
            let mut answer = String::new();
            s.read_to_string(&mut answer).await.unwrap();
            let ok = send(port, b"GET /callback?code=small HTTP/1.1\r\n\r\n").await;
            (answer, ok)
        });
        let got = cb.wait(Duration::from_secs(20)).await.unwrap();
        let (answer, ok) = client.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
        assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
        assert_eq!(got.code.as_deref(), Some("small"));
    }

    #[tokio::test]
    async fn a_taken_port_is_a_config_error() {
        let first = LocalCallback::bind(0).await.unwrap();
        let err = LocalCallback::bind(first.port()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    }
}
