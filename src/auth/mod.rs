//! Credentials: secrets that never print, OAuth 2.0 authorization code + PKCE, tokens that
//! refresh themselves before they expire, and Meta's long-lived token exchanges.

mod pkce;
mod secret;

pub use pkce::{Pkce, State};
pub use secret::{Secret, constant_time_eq};
