//! What the three Meta adapters ([Facebook Pages](crate::adapters::facebook),
//! [Instagram](crate::adapters::instagram), [Threads](crate::adapters::threads)) share, in one
//! place:
//!
//! - [`GraphSettings`]: the token (a [`Secret`](crate::auth::Secret)), the host and API version,
//!   where the token travels ([`TokenPlacement`]: the documented `access_token` parameter or a
//!   bearer header — either way the HTTP layer redacts it from every URL, log and error), the
//!   container wait ([`WaitPolicy`]) and the inbox scan size, read from a channel URL or serde;
//! - the Graph client (internal): versioned URLs, [`GraphErrorMapper`](crate::auth::meta::GraphErrorMapper),
//!   list paging with `after` cursors (built by the adapter, so the token never follows a URL
//!   the server chose), and the rate-limit state from `X-App-Usage` /
//!   `X-Business-Use-Case-Usage`: once Meta reports a limit with an
//!   `estimated_time_to_regain_access`, calls are refused locally with
//!   [`RateLimited`](crate::ErrorKind::RateLimited) and that `retry_after` until then;
//! - the container flow of Instagram and Threads (internal): create → poll the status with a
//!   bounded wait on the client's [`Clock`](crate::clock::Clock) (through the shared
//!   [`poll_until`](crate::http::poll_until)) → publish, with a ledger that keeps the container
//!   per idempotency key so a retried publish never posts twice;
//! - forward paging of comments gathered from many posts (internal);
//! - what Instagram's hashtag search and Threads' keyword search share (internal): checks
//!   before sending, page sizes, the time window, found posts as
//!   [`InteractionKind::Post`](crate::model::InteractionKind::Post) interactions;
//! - the wire types (the crate-private `api` module) and, with the `testkit` feature, the `twin`: one local Graph
//!   server with a personality per platform, on the shared `testkit::twin` scaffolding; each
//!   platform's twin is one `PlatformTwin` with its flavor (defaults, routes, config).
//!
//! ```
//! use socialkit::adapters::graph::{GraphSettings, TokenPlacement};
//! let s = GraphSettings::new("EAAB-token");
//! assert_eq!(s.token_in, TokenPlacement::Query);
//! assert_eq!(s.api_base("graph.facebook.com", "v23.0").unwrap().as_str(), "https://graph.facebook.com/v23.0/");
//! ```

// Built for any of the three adapters; with only one or two of them, some shared parts (the
// container flow, photo uploads, refresh grants) have no user.
#![cfg_attr(
    not(all(feature = "facebook", feature = "instagram", feature = "threads")),
    allow(dead_code, unused_imports)
)]

#[allow(
    dead_code,
    reason = "wire types mirror the documented shapes; not every field is read by the adapter"
)]
pub(crate) mod api;
pub(crate) mod client;
pub mod config;
pub(crate) mod container;
pub(crate) mod inbox;
pub(crate) mod search;
#[cfg(feature = "testkit")]
pub mod twin;

pub use config::{DEFAULT_SCAN_POSTS, GraphSettings, TokenPlacement, WaitPolicy};

use crate::auth::{Token, TokenManager};
use crate::http::Client;
use crate::model::{Media, MediaKind, MediaSource, RecentPost};
use crate::{Error, Result};
use client::Graph;

/// Builds the Graph client of one account from its settings.
pub(crate) fn graph(
    platform: &'static str,
    channel: &str,
    settings: &GraphSettings,
    http: Client,
    tokens: Option<TokenManager>,
    default_host: &str,
    default_version: &str,
) -> Result<Graph> {
    settings.check(platform)?;
    let base = settings
        .api_base(default_host, default_version)
        .map_err(|e| e.with_platform(platform))?;
    let tokens = tokens.unwrap_or_else(|| {
        TokenManager::builder(platform, Token::new(settings.token.clone()))
            .clock(http.clock().clone())
            .build()
    });
    Ok(Graph::new(
        platform,
        channel,
        http,
        base,
        tokens,
        settings.token_in,
    ))
}

/// Where a container account lives and publishes: its platform, id, settings, defaults and
/// container dialect.
pub(crate) struct AccountSpec<'a> {
    pub platform: &'static str,
    pub owner: &'a str,
    pub settings: &'a GraphSettings,
    pub default_host: &'a str,
    pub default_version: &'a str,
    pub dialect: container::Dialect,
}

/// The Graph client and the container flow of one Instagram or Threads account.
pub(crate) fn container_account(
    spec: AccountSpec<'_>,
    http: Client,
    tokens: Option<TokenManager>,
) -> Result<(Graph, container::Containers)> {
    let graph = graph(
        spec.platform,
        spec.owner,
        spec.settings,
        http,
        tokens,
        spec.default_host,
        spec.default_version,
    )?;
    let containers = container::Containers {
        graph: graph.clone(),
        owner: spec.owner.to_string(),
        dialect: spec.dialect,
        wait: spec.settings.container_wait.clone(),
    };
    Ok((graph, containers))
}

/// A reference to a post of `platform`, with its link when known.
pub(crate) fn post_ref(platform: &str, id: &str, url: Option<String>) -> crate::model::PostRef {
    let r = crate::model::PostRef::new(platform, id);
    match url {
        Some(u) => r.with_url(u),
        None => r,
    }
}

/// Which of Meta's refresh grants renews a long-lived token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshGrant {
    /// `th_refresh_token` on `graph.threads.net`.
    Threads,
    /// `ig_refresh_token` on `graph.instagram.com` (Instagram Login).
    Instagram,
}

/// How long before expiry a long-lived token is refreshed (Meta lets a token be refreshed once
/// it is a day old; it lives about 60 days).
pub(crate) const REFRESH_SKEW: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// A token manager that renews the settings' long-lived token with `grant` a week before
/// `token_expires_at` (or when Meta rejects it).
pub(crate) fn refreshing_tokens(
    platform: &'static str,
    settings: &GraphSettings,
    http: &Client,
    origin: url::Url,
    grant: RefreshGrant,
) -> TokenManager {
    let mut token = Token::new(settings.token.clone());
    if let Some(at) = settings.token_expires_at {
        token = token.with_expires_at(at);
    }
    let client = http.clone();
    TokenManager::builder(platform, token)
        .skew(REFRESH_SKEW)
        .clock(http.clock().clone())
        .refresher(crate::auth::refresh_fn(move |current: Token| {
            let (http, origin) = (client.clone(), origin.clone());
            async move {
                match grant {
                    RefreshGrant::Threads => {
                        crate::auth::meta::th_refresh_token(&http, &origin, &current.access_token)
                            .await
                    }
                    RefreshGrant::Instagram => {
                        crate::auth::meta::ig_refresh_token(&http, &origin, &current.access_token)
                            .await
                    }
                }
            }
        }))
        .build()
}

/// The public URL of `media`: Instagram and Threads fetch media themselves, so bytes and files
/// are refused before anything is sent.
pub(crate) fn public_url<'a>(platform: &str, media: &'a Media) -> Result<&'a str> {
    match &media.source {
        MediaSource::Url(u) if u.starts_with("https://") || u.starts_with("http://") => Ok(u),
        MediaSource::Url(_) => Err(Error::validation(format!(
            "{platform} needs media as a public http(s) URL"
        ))
        .with_platform(platform)),
        MediaSource::Bytes(_) | MediaSource::Path(_) => Err(Error::validation(format!(
            "{platform} needs a public URL for every image and video (it fetches the media itself): \
             upload the file somewhere public and give Media::from_url(…); bytes and local files cannot be sent"
        ))
        .with_platform(platform)),
    }
}

/// Whether `media` is a video for the container flow (GIFs are sent as images).
pub(crate) fn is_video(media: &Media) -> bool {
    media.kind == MediaKind::Video
}

/// The newest recent post whose text is `text` (trimmed), for reconciling a publish whose
/// answer was lost.
pub(crate) fn find_by_text(recent: &[RecentPost], text: &str) -> Option<String> {
    let want = text.trim();
    recent
        .iter()
        .find(|r| r.text.trim() == want)
        .map(|r| r.post.id.clone())
}

/// Runs `reads` four at a time and keeps their order; the first error wins.
pub(crate) async fn buffered<T, F>(reads: Vec<F>) -> Result<Vec<T>>
where
    F: std::future::Future<Output = Result<T>>,
{
    use futures::stream::{self, StreamExt, TryStreamExt};
    stream::iter(reads).buffered(4).try_collect().await
}

/// Orders ids the way Meta issues them: numeric ids by value (a longer id is newer), others
/// as text.
pub(crate) fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_only() {
        assert!(
            public_url(
                "instagram",
                &Media::from_url("image/jpeg", "https://x.example/a.jpg")
            )
            .is_ok()
        );
        let e = public_url("instagram", &Media::image_bytes("image/png", vec![1])).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation);
        assert!(e.to_string().contains("instagram needs a public URL"));
        assert!(
            public_url(
                "threads",
                &Media::from_url("image/jpeg", "file:///etc/passwd")
            )
            .is_err()
        );
        assert!(public_url("threads", &Media::from_path("image/jpeg", "/tmp/a.jpg")).is_err());
    }

    #[test]
    fn ids_order_numerically() {
        assert_eq!(id_order("9", "10"), std::cmp::Ordering::Less);
        assert_eq!(id_order("10", "10"), std::cmp::Ordering::Equal);
    }
}
