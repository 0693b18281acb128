//! Threads adapter (Graph API): every operation against arbitrary answers (bytes or JSON shapes)
//! for each request → a typed error or a value, never a panic.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socialkit::adapters::threads::{Threads, ThreadsConfig};

fuzz_target!(|data: &[u8]| {
    socialkit_fuzz::run(data, |addr| {
        let url = format!(
            "threads://{}@{addr}?scheme=http&user_id=1784&wait=5",
            socialkit_fuzz::TOKEN
        );
        let config = ThreadsConfig::from_url_str(&url).ok()?;
        Some(Arc::new(
            Threads::with_client(config, socialkit_fuzz::client()).ok()?,
        ))
    });
});
