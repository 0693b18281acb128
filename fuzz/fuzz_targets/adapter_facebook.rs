//! Facebook adapter (Graph API): every operation against arbitrary answers (bytes or JSON shapes)
//! for each request → a typed error or a value, never a panic.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socialkit::adapters::facebook::{Facebook, FacebookConfig};

fuzz_target!(|data: &[u8]| {
    socialkit_fuzz::run(data, |addr| {
        let url = format!(
            "facebook://{}@{addr}?scheme=http&page_id=1784",
            socialkit_fuzz::TOKEN
        );
        let config = FacebookConfig::from_url_str(&url).ok()?;
        Some(Arc::new(
            Facebook::with_client(config, socialkit_fuzz::client()).ok()?,
        ))
    });
});
