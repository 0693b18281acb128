//! Channel URLs and channel configs for every compiled-in platform: a platform or a typed
//! error, never a panic, and no error repeats the secret part of the URL.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::Registry;
use socialkit::registry::ChannelConfig;

const SCHEMES: [&str; 9] = [
    "x",
    "linkedin",
    "facebook",
    "instagram",
    "threads",
    "mastodon",
    "bluesky",
    "nostr",
    "sandbox",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let registry = Registry::default();
    let text = String::from_utf8_lossy(rest);
    if pick & 0x80 != 0 {
        if let Ok(settings) = serde_json::from_str::<serde_json::Value>(&text) {
            let config = ChannelConfig {
                platform: SCHEMES[usize::from(pick) % SCHEMES.len()].to_string(),
                settings,
            };
            let _ = registry.from_config(&config);
        }
        return;
    }
    // Half the time the text is the rest of a URL of a known scheme with a recognisable secret.
    let url = if pick & 0x40 != 0 {
        format!(
            "{}://sEcReT-fuzz@{text}",
            SCHEMES[usize::from(pick) % SCHEMES.len()]
        )
    } else {
        text.into_owned()
    };
    if let Err(e) = registry.from_url(&url) {
        if url.contains("sEcReT-fuzz") {
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("sEcReT-fuzz"), "the secret leaked: {shown}");
        }
    }
});
