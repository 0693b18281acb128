//! The Business Profile OAuth preset on [`crate::auth::google`]. Source: "Basic setup"
//! <https://developers.google.com/my-business/content/basic-setup> (scope
//! `https://www.googleapis.com/auth/business.manage`).
//!
//! ```
//! let c = socialkit::adapters::google_business::oauth::config("app", "https://app.example/cb");
//! assert_eq!(c.scopes, ["https://www.googleapis.com/auth/business.manage"]);
//! assert_eq!(c.extra_authorize_params["access_type"], "offline");
//! ```

use super::PLATFORM;
use crate::auth::{OAuth2Client, OAuth2Config, google};

/// The scope socialkit asks for.
pub const SCOPES: [&str; 1] = ["https://www.googleapis.com/auth/business.manage"];

/// The OAuth configuration of a Google app for Business Profile.
pub fn config(client_id: &str, redirect_uri: &str) -> OAuth2Config {
    google::config(client_id, redirect_uri, &SCOPES)
}

/// An OAuth client for the connect flow.
pub fn client(client_id: &str, redirect_uri: &str) -> OAuth2Client {
    OAuth2Client::new(PLATFORM, config(client_id, redirect_uri))
}
