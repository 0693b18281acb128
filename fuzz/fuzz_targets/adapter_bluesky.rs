//! Bluesky adapter: every operation (after the session is created) against arbitrary answers
//! (bytes or JSON shapes) for each request → a typed error or a value, never a panic.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socialkit::adapters::bluesky::{Bluesky, BlueskyConfig};

fuzz_target!(|data: &[u8]| {
    socialkit_fuzz::run(data, |addr| {
        let url = format!(
            "bluesky://alice.test:{}@{addr}?scheme=http",
            socialkit_fuzz::TOKEN
        );
        let config = BlueskyConfig::from_url(&url::Url::parse(&url).ok()?).ok()?;
        Some(Arc::new(Bluesky::with_client(
            config,
            socialkit_fuzz::client(),
        )))
    });
});
