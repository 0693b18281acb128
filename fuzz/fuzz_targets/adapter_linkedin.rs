//! LinkedIn adapter: every operation against arbitrary answers (bytes or JSON shapes) for each
//! request → a typed error or a value, never a panic. The first operation byte's bit 5 picks a
//! page author (Community Management) instead of a self-serve member.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socialkit::adapters::linkedin::{LinkedIn, LinkedInConfig};

fuzz_target!(|data: &[u8]| {
    let page = data.first().is_some_and(|b| b & 0x20 != 0);
    socialkit_fuzz::run(data, |addr| {
        let author = if page {
            "urn%3Ali%3Aorganization%3A5&scopes=w_organization_social,r_organization_social,rw_organization_admin"
        } else {
            "urn%3Ali%3Aperson%3Aabc&scopes=w_member_social,r_member_social"
        };
        let url = format!(
            "linkedin://{}@{addr}?scheme=http&author={author}&media_timeout=5",
            socialkit_fuzz::TOKEN
        );
        let config = LinkedInConfig::from_url_str(&url).ok()?;
        Some(Arc::new(LinkedIn::with_client(
            config,
            socialkit_fuzz::client(),
        )))
    });
});
