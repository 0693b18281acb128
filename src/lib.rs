//! socialkit: one async library for social media management.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
pub mod error;
pub mod http;

pub use error::{Detail, Error, ErrorContext, ErrorKind, ErrorRecord, Result};
