//! socialkit: one async library for social media management.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod text;

pub use error::{Detail, Error, ErrorContext, ErrorKind, ErrorRecord, Result};
