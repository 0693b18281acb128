//! Whether a failed request reached the server at all.
//!
//! A request that failed while the connection was being made (refused, no route, DNS, TLS
//! handshake, connect timeout) sent no byte of the request: the server cannot have acted on
//! it, so a write that failed this way is *not in doubt* and may simply be tried again. Every
//! other transport failure (reset after the request went out, lost or late answer) may hide a
//! write the server made. The client marks the first kind with [`NotSent`] in the error's
//! source chain; [`nothing_sent`] reads it.

use std::fmt;

use crate::Error;

/// The source of an [`Error`] for a request that never left the client: the connection
/// could not be made. Wraps the transport error (without its URL).
#[derive(Debug)]
pub struct NotSent(pub(crate) reqwest::Error);

impl fmt::Display for NotSent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "nothing was sent: {}", self.0)
    }
}

impl std::error::Error for NotSent {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// The source of an [`Error`] for a write over a non-HTTP transport (a websocket) whose
/// connection could not be made: like [`NotSent`], nothing left the client.
///
/// ```
/// use socialkit::http::{NotConnected, nothing_sent};
/// let e = socialkit::Error::new(socialkit::ErrorKind::Network, "refused")
///     .with_source(NotConnected::new("connection refused"));
/// assert!(nothing_sent(&e));
/// ```
#[derive(Debug)]
pub struct NotConnected(String);

impl NotConnected {
    /// A marker saying why the connection could not be made (no URL, no secret).
    pub fn new(why: impl Into<String>) -> Self {
        NotConnected(why.into())
    }
}

impl fmt::Display for NotConnected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "nothing was sent: {}", self.0)
    }
}

impl std::error::Error for NotConnected {}

/// Whether `err` (or an error it wraps) says that the request was never sent: the
/// connection could not be made, so the server cannot have acted on it.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use socialkit::http::{Call, Client, DefaultErrorMapper, nothing_sent};
/// // A port nobody listens on (bound, then closed): the connection is refused.
/// let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
/// let url = url::Url::parse(&format!("http://127.0.0.1:{port}/api/v1/statuses")).unwrap();
/// let err = Client::default()
///     .send(Call::post("mastodon", "publish", url), &DefaultErrorMapper)
///     .await
///     .unwrap_err();
/// assert!(nothing_sent(&err));
/// assert!(!nothing_sent(&socialkit::Error::new(socialkit::ErrorKind::Network, "reset")));
/// # });
/// ```
pub fn nothing_sent(err: &Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    // Bounded: error chains are short, and a cycle cannot be built with owned sources.
    for _ in 0..16 {
        let Some(e) = cur else { return false };
        if e.is::<NotSent>() || e.is::<NotConnected>() {
            return true;
        }
        cur = e.source();
    }
    false
}
