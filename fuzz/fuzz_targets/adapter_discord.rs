//! Discord adapter: every operation against arbitrary answers (bytes or JSON shapes) for each
//! request → a typed error or a value, never a panic; neither the bot token nor a webhook's
//! token (which Discord puts in the request path, `/webhooks/<id>/<token>`) shows in an error.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socialkit::adapters::discord::{Discord, DiscordConfig};

fuzz_target!(|data: &[u8]| {
    // Bits of the operation byte choose the channel: 0x20 a webhook (0x40: into a thread)
    // instead of a bot, 0x40 for a bot a forum channel.
    let op = data.first().copied().unwrap_or(0);
    let (webhook, flag) = (op & 0x20 != 0, op & 0x40 != 0);
    socialkit_fuzz::run(data, |addr| {
        let token = socialkit_fuzz::TOKEN;
        let url = match (webhook, flag) {
            (true, false) => format!("discord+webhook://42:{token}@{addr}?scheme=http"),
            (true, true) => format!("discord+webhook://42:{token}@{addr}?scheme=http&thread_id=7"),
            (false, forum) => {
                format!("discord://{token}@{addr}?scheme=http&channel_id=5&forum={forum}")
            }
        };
        let config = DiscordConfig::from_url_str(&url).ok()?;
        Some(Arc::new(Discord::with_client(
            config,
            socialkit_fuzz::client(),
        )))
    });
});
