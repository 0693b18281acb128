//! `channel add --connect PLATFORM`: the platform's connect flow, run from a terminal.
//!
//! - `mastodon` (any Mastodon-API server): registers an app on `--instance`
//!   (`POST /api/v1/apps`) with a redirect to a local callback server on `127.0.0.1`, prints
//!   the authorization URL (state + PKCE S256), waits for the browser's redirect, checks the
//!   state, exchanges the code and checks the granted scopes ([`PendingConnect`]).
//! - `bluesky`: the app password (Settings → App passwords) from `SOCIALKIT_APP_PASSWORD` or a
//!   line on stdin; `channel add` signs in once to check it, and the session is kept in the
//!   vault from then on.
//!
//! Nothing is stored unless the flow completes and the credentials work.

use std::time::Duration;

use socialkit::store::vault::ChannelSource;
use socialkit::{Error, ErrorKind, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::channels::AddArgs;

/// Runs `platform`'s connect flow: the channel's source and a default id.
pub async fn run(platform: &str, args: &AddArgs) -> Result<(ChannelSource, String)> {
    match platform {
        "mastodon" => mastodon(args).await,
        "bluesky" => bluesky(args),
        other => Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "`--connect {other}` is not available from the command line: it connects mastodon (--instance URL) and bluesky (--handle, app password); for {other}, run the library's connect flow (socialkit::auth::connect) with your registered app, or add the channel by URL"
            ),
        )),
    }
}

#[cfg(feature = "mastodon")]
async fn mastodon(args: &AddArgs) -> Result<(ChannelSource, String)> {
    use socialkit::adapters::mastodon::MastodonConfig;
    use socialkit::adapters::mastodon::oauth::{AppRegistration, MastodonApp};
    use socialkit::auth::connect::{CONNECT_TIMEOUT, Callback, PendingConnect};

    let instance = args.instance.as_deref().ok_or_else(|| {
        Error::validation("--connect mastodon needs --instance URL (e.g. https://mastodon.social)")
    })?;
    let instance = if instance.contains("://") {
        instance.to_string()
    } else {
        format!("https://{instance}")
    };
    let instance = url::Url::parse(&instance)
        .map_err(|e| Error::validation(format!("--instance is not a URL: {e}")))?;
    let callback = LocalCallback::bind(args.port).await?;
    let http = socialkit::http::Client::default();
    let registered = MastodonApp::register(
        &http,
        &instance,
        &AppRegistration::new("socialkit", callback.redirect_uri()),
    )
    .await?;
    let oauth = registered.oauth_client()?;
    let (url, pending) = PendingConnect::start(&oauth, true, http.now());
    eprintln!(
        "Open this URL in a browser and approve socialkit:\n  {url}\nWaiting for the redirect to {} …",
        callback.redirect_uri()
    );
    let wait = CONNECT_TIMEOUT.to_std().unwrap_or(Duration::from_secs(900));
    let query = callback.wait(wait).await?;
    let token = pending
        .complete(&oauth, &http, &Callback::parse(&query)?)
        .await?;
    let config = MastodonConfig::new(instance.as_str(), token.access_token.clone())?;
    let host = instance.host_str().unwrap_or("instance").to_string();
    Ok((
        ChannelSource::Url(config.to_url()),
        format!("mastodon-{host}"),
    ))
}

#[cfg(not(feature = "mastodon"))]
async fn mastodon(_: &AddArgs) -> Result<(ChannelSource, String)> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "this socialkit was built without the mastodon feature",
    ))
}

fn bluesky(args: &AddArgs) -> Result<(ChannelSource, String)> {
    let handle = args.handle.as_deref().ok_or_else(|| {
        Error::validation("--connect bluesky needs --handle HANDLE (e.g. acme.bsky.social)")
    })?;
    let password = match std::env::var("SOCIALKIT_APP_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            eprintln!(
                "App password for {handle} (Bluesky: Settings → Privacy and security → App passwords), then Enter:"
            );
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Error::validation(format!("cannot read the app password: {e}")))?;
            line.trim().to_string()
        }
    };
    if password.is_empty() {
        return Err(Error::validation(
            "no app password given (SOCIALKIT_APP_PASSWORD or a line on stdin)",
        ));
    }
    let mut settings = serde_json::json!({ "identifier": handle, "app_password": password });
    if let Some(pds) = &args.pds {
        settings["pds"] = serde_json::json!(pds);
    }
    let source = ChannelSource::Config(socialkit::ChannelConfig {
        platform: "bluesky".into(),
        settings,
    });
    Ok((source, format!("bluesky-{handle}")))
}

/// A one-shot HTTP server on `127.0.0.1` that receives the OAuth redirect.
#[derive(Debug)]
pub struct LocalCallback {
    listener: TcpListener,
    redirect: String,
}

impl LocalCallback {
    /// Listens on `127.0.0.1:port` (0: any free port).
    pub async fn bind(port: u16) -> Result<LocalCallback> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            Error::config(format!(
                "cannot listen on 127.0.0.1:{port} for the callback: {e}"
            ))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::config(format!("callback listener: {e}")))?;
        Ok(LocalCallback {
            listener,
            redirect: format!("http://{addr}/callback"),
        })
    }

    /// The redirect URI to register.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect
    }

    /// Waits (at most `timeout`) for `GET /callback?…` and returns its query; other requests
    /// (a browser's favicon) get a 404.
    pub async fn wait(&self, timeout: Duration) -> Result<String> {
        let accept = async {
            loop {
                let (mut sock, _) = self
                    .listener
                    .accept()
                    .await
                    .map_err(|e| Error::config(format!("callback listener: {e}")))?;
                let mut buf = vec![0u8; 16 * 1024];
                let mut len = 0;
                while len < buf.len() && !buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf[len..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => len += n,
                    }
                }
                let head = String::from_utf8_lossy(&buf[..len]);
                let target = head
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("GET "))
                    .and_then(|l| l.split(' ').next())
                    .unwrap_or("");
                let (path, query) = target.split_once('?').unwrap_or((target, ""));
                if path == "/callback" {
                    let body =
                        "socialkit: connected. You can close this tab and return to the terminal.";
                    let _ = sock
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                                body.len()
                            )
                            .as_bytes(),
                        )
                        .await;
                    return Ok::<String, Error>(query.to_string());
                }
                let _ = sock
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .await;
            }
        };
        tokio::time::timeout(timeout, accept).await.map_err(|_| {
            Error::new(
                ErrorKind::Timeout,
                format!(
                    "no redirect arrived within {} minutes; run the command again",
                    timeout.as_secs() / 60
                ),
            )
        })?
    }
}
