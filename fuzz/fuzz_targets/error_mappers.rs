//! Every adapter's error mapper and the rate-limit header parsers on any status, headers and
//! body: an error of some kind, never a panic, and never a success kind.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::adapters::{
    bluesky::errors::BlueskyErrors, linkedin::errors::LinkedInErrors,
    mastodon::errors::MastodonErrors, x::errors::XErrors,
};
use socialkit::auth::OAuthErrorMapper;
use socialkit::auth::meta::GraphErrorMapper;
use socialkit::http::header::{HeaderMap, HeaderName, HeaderValue};
use socialkit::http::{
    DefaultErrorMapper, ErrorMapper, RateLimit, RateLimitStyle, Response, StatusCode,
};

const NAMES: [&str; 12] = [
    "retry-after",
    "x-rate-limit-reset",
    "x-rate-limit-remaining",
    "x-rate-limit-limit",
    "x-ratelimit-reset",
    "ratelimit-reset",
    "ratelimit-remaining",
    "x-app-usage",
    "x-business-use-case-usage",
    "x-ratelimit-reset-after",
    "content-type",
    "www-authenticate",
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let status = StatusCode::from_u16(100 + u16::from_le_bytes([data[0], data[1]]) % 500)
        .unwrap_or(StatusCode::BAD_REQUEST);
    let flags = data[2];
    let hv_len = usize::from(data[3] % 64).min(data.len() - 4);
    let value = String::from_utf8_lossy(&data[4..4 + hv_len])
        .replace(|c: char| !(' '..='~').contains(&c), "0");
    let body = data[4 + hv_len..].to_vec();
    let mut headers = HeaderMap::new();
    for (i, name) in NAMES.iter().enumerate() {
        if flags as usize & (1 << (i % 8)) != 0 && (i < 8 || flags & 0x80 != 0) {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), v);
            }
        }
    }
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    for style in [
        RateLimitStyle::Generic,
        RateLimitStyle::Mastodon,
        RateLimitStyle::Bluesky,
        RateLimitStyle::X,
        RateLimitStyle::Discord,
        RateLimitStyle::Reddit,
    ] {
        let _ = RateLimit::from_headers(&headers, style, now);
    }
    let _ = socialkit::http::discord_body_retry_after(&body, now);
    let _ = socialkit::http::telegram_body_retry_after(&body, now);
    let response = Response::new("fuzz", "fuzz", status, headers, body);
    let mappers: [&dyn ErrorMapper; 7] = [
        &DefaultErrorMapper,
        &XErrors,
        &LinkedInErrors,
        &MastodonErrors,
        &BlueskyErrors,
        &GraphErrorMapper,
        &OAuthErrorMapper,
    ];
    for m in mappers {
        let e = m.map(&response);
        let _ = format!("{e} {e:?}");
    }
});
