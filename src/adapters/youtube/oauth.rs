//! YouTube's OAuth preset on [`crate::auth::google`]: the scopes socialkit needs. Source:
//! "Authorization scopes" on the Data API's OAuth guide
//! <https://developers.google.com/youtube/v3/guides/auth/server-side-web-apps#identify-access-scopes>:
//! `youtube.upload` uploads videos and sets thumbnails, `youtube.force-ssl` reads, writes
//! and deletes comments and deletes videos, `youtube.readonly` reads channels and
//! statistics.
//!
//! ```
//! use socialkit::adapters::youtube::oauth;
//! use socialkit::auth::connect::PendingConnect;
//! let client = oauth::client("app.apps.googleusercontent.com", "https://app.example/cb");
//! let (url, pending) = PendingConnect::start(&client, true, chrono::Utc::now());
//! assert!(url.as_str().contains("youtube.upload"));
//! assert!(url.as_str().contains("access_type=offline"));
//! # let _ = pending;
//! ```

use super::PLATFORM;
use crate::auth::{OAuth2Client, OAuth2Config, google};

/// The scopes socialkit asks for.
pub const SCOPES: [&str; 3] = [
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.force-ssl",
    "https://www.googleapis.com/auth/youtube.readonly",
];

/// The OAuth configuration of a Google app for YouTube (offline access, PKCE-ready).
pub fn config(client_id: &str, redirect_uri: &str) -> OAuth2Config {
    google::config(client_id, redirect_uri, &SCOPES)
}

/// An OAuth client for the connect flow ([`crate::auth::connect::PendingConnect`]).
pub fn client(client_id: &str, redirect_uri: &str) -> OAuth2Client {
    OAuth2Client::new(PLATFORM, config(client_id, redirect_uri))
}
