//! Instagram adapter (Graph API): every operation against arbitrary answers (bytes or JSON shapes)
//! for each request → a typed error or a value, never a panic.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socialkit::adapters::instagram::{Instagram, InstagramConfig};

fuzz_target!(|data: &[u8]| {
    socialkit_fuzz::run(data, |addr| {
        let url = format!(
            "instagram://{}@{addr}?scheme=http&ig_user_id=1784&wait=5",
            socialkit_fuzz::TOKEN
        );
        let config = InstagramConfig::from_url_str(&url).ok()?;
        Some(Arc::new(
            Instagram::with_client(config, socialkit_fuzz::client()).ok()?,
        ))
    });
});
