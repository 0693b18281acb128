//! Reddit adapter: every operation against arbitrary answers (bytes or JSON shapes) for each
//! request (listings, `json.errors` envelopes, media leases, token answers) → a typed error
//! or a value, never a panic, never the token in an error.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socialkit::adapters::reddit::{Reddit, RedditConfig};

fuzz_target!(|data: &[u8]| {
    socialkit_fuzz::run(data, |addr| {
        let url = format!(
            "reddit://{}@{addr}?scheme=http&username=fuzz_user&user_agent=fuzz%3Asocialkit%3A1.0%20(by%20%2Fu%2Ffuzz_user)",
            socialkit_fuzz::TOKEN
        );
        let config = RedditConfig::from_url_str(&url).ok()?;
        Some(Arc::new(Reddit::with_client(config, socialkit_fuzz::client())))
    });
});
