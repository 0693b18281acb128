//! X adapter: every operation against arbitrary answers (bytes or JSON shapes) for each
//! request → a typed error or a value, never a panic.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socialkit::adapters::x::{X, XConfig};

fuzz_target!(|data: &[u8]| {
    socialkit_fuzz::run(data, |addr| {
        let url = format!(
            "x://{}@{addr}?scheme=http&user_id=42",
            socialkit_fuzz::TOKEN
        );
        let config = XConfig::from_url_str(&url).ok()?;
        Some(Arc::new(X::with_client(config, socialkit_fuzz::client())))
    });
});
