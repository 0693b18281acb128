//! Google Business Profile adapter: every operation against arbitrary answers (local posts,
//! post listings, review pages, review replies, Google error bodies) → a typed error or a
//! value, never a panic, never the token in an error.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socialkit::adapters::google_business::{GoogleBusiness, GoogleBusinessConfig};

fuzz_target!(|data: &[u8]| {
    socialkit_fuzz::run(data, |addr| {
        let url = format!(
            "google-business://{}@{addr}?scheme=http&account=1001&location=2002",
            socialkit_fuzz::TOKEN
        );
        let config = GoogleBusinessConfig::from_url_str(&url).ok()?;
        Some(Arc::new(GoogleBusiness::with_client(config, socialkit_fuzz::client())))
    });
});
