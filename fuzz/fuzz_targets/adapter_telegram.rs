//! Telegram adapter: every operation against arbitrary answers (bytes or JSON shapes) for each
//! Bot API request → a typed error or a value, never a panic; the bot token (which the Bot API
//! puts in the request path, `/bot<token>/<method>`) never shows in an error.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socialkit::adapters::telegram::{Telegram, TelegramConfig};

fuzz_target!(|data: &[u8]| {
    // Bit 0x20 of the operation byte: a channel with a linked discussion group (replies and
    // comments are read from it) or without one.
    let discussion = data.first().is_some_and(|op| op & 0x20 != 0);
    socialkit_fuzz::run(data, |addr| {
        let mut url = format!(
            "telegram://1:{}@{addr}?scheme=http&chat_id=-1001234567890&username=acme",
            socialkit_fuzz::TOKEN
        );
        if discussion {
            url.push_str("&discussion_chat_id=-1009876543210");
        }
        let config = TelegramConfig::from_url_str(&url).ok()?;
        Some(Arc::new(Telegram::with_client(
            config,
            socialkit_fuzz::client(),
        )))
    });
});
