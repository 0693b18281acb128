//! Nostr: what a relay sends (NIP-01 relay messages, events to verify, NIP-11 documents,
//! `OK`/`CLOSED` refusal texts) and what a user configures (channel URLs, secret keys) → a
//! value or a typed error, never a panic; no error repeats a secret key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::__fuzz::RelayMessage;
use socialkit::adapters::nostr::RelayInfo;
use socialkit::adapters::nostr::event::Keys;
use socialkit::adapters::nostr::{NostrConfig, errors};

const KEY: &str = "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match RelayMessage::decode(text) {
        Ok(RelayMessage::Event { event, .. }) => {
            let _ = event.verify();
            let _ = (event.reply_parent(), event.thread_root(), event.time());
        }
        Ok(RelayMessage::Ok { message, .. } | RelayMessage::Closed { message, .. }) => {
            let e = errors::map_refusal(&message);
            let _ = (errors::is_duplicate(&message), e.kind());
        }
        _ => {}
    }
    let _ = serde_json::from_str::<RelayInfo>(text);
    let _ = Keys::parse(text);
    // A channel URL with a secret key: its errors never show the key.
    let url = format!("nostr://{KEY}@{text}");
    if let Err(e) = NostrConfig::from_url_str(&url) {
        assert!(!format!("{e} {e:?}").contains(KEY), "the key leaked: {e:?}");
    }
});
