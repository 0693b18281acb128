//! Rate-limit state parsed from response headers (and, for Discord and Telegram, bodies).
//!
//! Platforms use different header families, and they collide: Mastodon's `X-RateLimit-Reset`
//! is a timestamp, Discord's an epoch with fractions, and Reddit's `X-Ratelimit-Reset` (header
//! names are case-insensitive) counts seconds *remaining*. So the adapter names the family with a
//! [`RateLimitStyle`] and [`RateLimit::from_headers`] reads only that family (plus `Retry-After`,
//! which means the same everywhere).
//!
//! Malformed values are ignored field by field; parsing never panics.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::header::HeaderMap;
use super::serde_secs;

/// Which rate-limit header family a platform sends. Chosen by the adapter.
///
/// ```
/// use socialkit::http::RateLimitStyle;
/// assert_eq!(RateLimitStyle::default(), RateLimitStyle::Generic);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitStyle {
    /// Only `Retry-After` (seconds or HTTP-date). LinkedIn, Telegram and unknown servers.
    #[default]
    Generic,
    /// `X-RateLimit-Limit/Remaining/Reset`; Reset is an ISO-8601 timestamp or an epoch.
    Mastodon,
    /// `RateLimit-Limit/Remaining/Reset` (epoch seconds) and `RateLimit-Policy: 100;w=300`.
    Bluesky,
    /// `x-rate-limit-limit/remaining/reset` (epoch seconds) and the 24-hour caps
    /// `x-user-limit-24hour-*`, `x-app-limit-24hour-*`.
    X,
    /// `X-RateLimit-Limit/Remaining/Reset` (epoch, fractional), `-Reset-After` (seconds),
    /// `-Bucket`, `-Scope`, `-Global`.
    Discord,
    /// `X-Ratelimit-Used/Remaining/Reset`, where Reset is seconds until the window ends.
    Reddit,
    /// Meta's usage JSON headers `X-App-Usage`, `X-Page-Usage`, `X-Business-Use-Case-Usage`.
    Meta,
}

/// A secondary quota with its own counter and reset, such as X's 24-hour caps.
///
/// ```
/// let q = socialkit::http::Quota::default();
/// assert!(q.limit.is_none());
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    /// Requests allowed in the quota's window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window resets.
    pub reset_at: Option<DateTime<Utc>>,
}

impl Quota {
    fn is_empty(&self) -> bool {
        self.limit.is_none() && self.remaining.is_none() && self.reset_at.is_none()
    }

    fn exhausted_until(&self) -> Option<DateTime<Utc>> {
        if self.remaining == Some(0) {
            self.reset_at
        } else {
            None
        }
    }
}

/// What a platform said about its rate limits in one response.
///
/// Every field is optional: platforms send different subsets. Times are absolute (UTC); relative
/// values ("reset after 3.5 s") are turned into instants with the `now` given to
/// [`RateLimit::from_headers`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use socialkit::http::{RateLimit, RateLimitStyle, header::HeaderMap};
///
/// let now = Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap();
/// let mut h = HeaderMap::new();
/// h.insert("x-rate-limit-limit", "100".parse().unwrap());
/// h.insert("x-rate-limit-remaining", "0".parse().unwrap());
/// h.insert("x-rate-limit-reset", "1735733700".parse().unwrap()); // 12:15:00
/// let rl = RateLimit::from_headers(&h, RateLimitStyle::X, now).unwrap();
/// assert_eq!(rl.remaining, Some(0));
/// assert_eq!(rl.wait_until(), Some(Utc.with_ymd_and_hms(2025, 1, 1, 12, 15, 0).unwrap()));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Requests allowed in the current window.
    pub limit: Option<u64>,
    /// Requests left in the current window.
    pub remaining: Option<u64>,
    /// Requests used in the current window (Reddit).
    pub used: Option<u64>,
    /// When the current window resets.
    pub reset_at: Option<DateTime<Utc>>,
    /// The instant before which no retry should be made (`Retry-After`, Discord/Telegram bodies).
    pub retry_after: Option<DateTime<Utc>>,
    /// The window length (Bluesky's `RateLimit-Policy: 100;w=300`), serialized as seconds.
    #[serde(default, with = "serde_secs::optional")]
    pub window: Option<Duration>,
    /// The shared bucket id (Discord `X-RateLimit-Bucket`).
    pub bucket: Option<String>,
    /// The scope of a 429 (Discord `X-RateLimit-Scope`: `user`, `global`, `shared`).
    pub scope: Option<String>,
    /// Whether the limit hit is the global one (Discord `X-RateLimit-Global`).
    #[serde(default)]
    pub global: bool,
    /// The per-user 24-hour cap (X `x-user-limit-24hour-*`).
    pub user_daily: Option<Quota>,
    /// The per-app 24-hour cap (X `x-app-limit-24hour-*`).
    pub app_daily: Option<Quota>,
    /// The highest usage in percent over Meta's `call_count`, `total_cputime` and `total_time`.
    pub usage_percent: Option<f64>,
    /// When Meta says access comes back (`estimated_time_to_regain_access`, minutes from now).
    pub regain_access_at: Option<DateTime<Utc>>,
}

impl RateLimit {
    /// Parses the headers of the family `style` (and `Retry-After`). `None` when nothing was
    /// found. Malformed values are skipped.
    ///
    /// ```
    /// use chrono::Utc;
    /// use socialkit::http::{RateLimit, RateLimitStyle, header::HeaderMap};
    /// let mut h = HeaderMap::new();
    /// h.insert("x-ratelimit-remaining", "not a number".parse().unwrap());
    /// assert_eq!(RateLimit::from_headers(&h, RateLimitStyle::Reddit, Utc::now()), None);
    /// ```
    pub fn from_headers(
        headers: &HeaderMap,
        style: RateLimitStyle,
        now: DateTime<Utc>,
    ) -> Option<RateLimit> {
        let mut rl = RateLimit {
            retry_after: header(headers, "retry-after").and_then(|v| parse_retry_after(v, now)),
            ..RateLimit::default()
        };
        match style {
            RateLimitStyle::Generic => {}
            RateLimitStyle::Mastodon => {
                rl.limit = count(headers, "x-ratelimit-limit");
                rl.remaining = count(headers, "x-ratelimit-remaining");
                rl.reset_at = header(headers, "x-ratelimit-reset").and_then(parse_timestamp);
            }
            RateLimitStyle::Bluesky => {
                rl.limit = count(headers, "ratelimit-limit");
                rl.remaining = count(headers, "ratelimit-remaining");
                rl.reset_at = header(headers, "ratelimit-reset").and_then(parse_epoch);
                if let Some((limit, window)) = header(headers, "ratelimit-policy").map(parse_policy)
                {
                    rl.limit = rl.limit.or(limit);
                    rl.window = window;
                }
            }
            RateLimitStyle::X => {
                rl.limit = count(headers, "x-rate-limit-limit");
                rl.remaining = count(headers, "x-rate-limit-remaining");
                rl.reset_at = header(headers, "x-rate-limit-reset").and_then(parse_epoch);
                rl.user_daily = quota(
                    headers,
                    [
                        "x-user-limit-24hour-limit",
                        "x-user-limit-24hour-remaining",
                        "x-user-limit-24hour-reset",
                    ],
                );
                rl.app_daily = quota(
                    headers,
                    [
                        "x-app-limit-24hour-limit",
                        "x-app-limit-24hour-remaining",
                        "x-app-limit-24hour-reset",
                    ],
                );
            }
            RateLimitStyle::Discord => {
                rl.limit = count(headers, "x-ratelimit-limit");
                rl.remaining = count(headers, "x-ratelimit-remaining");
                // Reset-After is relative and so immune to clock skew: prefer it.
                rl.reset_at = header(headers, "x-ratelimit-reset-after")
                    .and_then(|v| after_secs(v, now))
                    .or_else(|| header(headers, "x-ratelimit-reset").and_then(parse_epoch));
                rl.bucket = header(headers, "x-ratelimit-bucket").map(short_string);
                rl.scope = header(headers, "x-ratelimit-scope").map(short_string);
                rl.global = header(headers, "x-ratelimit-global")
                    .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            }
            RateLimitStyle::Reddit => {
                rl.used = count(headers, "x-ratelimit-used");
                rl.remaining = count(headers, "x-ratelimit-remaining");
                rl.reset_at = header(headers, "x-ratelimit-reset").and_then(|v| after_secs(v, now));
                rl.limit = match (rl.used, rl.remaining) {
                    (Some(u), Some(r)) => u.checked_add(r),
                    _ => None,
                };
            }
            RateLimitStyle::Meta => {
                let mut usage: Option<f64> = None;
                let mut regain_minutes: Option<f64> = None;
                for name in ["x-app-usage", "x-page-usage"] {
                    if let Some(v) = header(headers, name) {
                        let (u, m) = super::meta_usage::app_usage(v);
                        usage = max_opt(usage, u);
                        regain_minutes = max_opt(regain_minutes, m);
                    }
                }
                if let Some(v) = header(headers, "x-business-use-case-usage") {
                    let (u, m) = super::meta_usage::business_usage(v);
                    usage = max_opt(usage, u);
                    regain_minutes = max_opt(regain_minutes, m);
                }
                rl.usage_percent = usage;
                rl.regain_access_at = regain_minutes
                    .filter(|m| *m > 0.0)
                    .and_then(|m| add_secs(now, m * 60.0));
            }
        }
        if rl == RateLimit::default() {
            None
        } else {
            Some(rl)
        }
    }

    /// The instant before which no request should be made, when the platform said so: the
    /// latest of `retry_after`, `regain_access_at`, and the reset of every quota that has no
    /// requests left. `None` when nothing says to wait. The instant may lie in the past.
    ///
    /// ```
    /// use chrono::{Duration, Utc};
    /// let now = Utc::now();
    /// let mut rl = socialkit::http::RateLimit::default();
    /// rl.remaining = Some(3);
    /// rl.reset_at = Some(now + Duration::seconds(60));
    /// assert_eq!(rl.wait_until(), None); // requests left: no need to wait
    /// rl.remaining = Some(0);
    /// assert_eq!(rl.wait_until(), rl.reset_at);
    /// ```
    pub fn wait_until(&self) -> Option<DateTime<Utc>> {
        let main = if self.remaining == Some(0) {
            self.reset_at
        } else {
            None
        };
        [
            self.retry_after,
            self.regain_access_at,
            main,
            self.user_daily.as_ref().and_then(Quota::exhausted_until),
            self.app_daily.as_ref().and_then(Quota::exhausted_until),
        ]
        .into_iter()
        .flatten()
        .max()
    }

    /// Whether some quota is used up (`remaining == 0`, a daily cap at 0, or Meta usage at or
    /// over 100 %).
    ///
    /// ```
    /// let mut rl = socialkit::http::RateLimit::default();
    /// assert!(!rl.is_exhausted());
    /// rl.usage_percent = Some(100.0);
    /// assert!(rl.is_exhausted());
    /// ```
    pub fn is_exhausted(&self) -> bool {
        self.remaining == Some(0)
            || self
                .user_daily
                .as_ref()
                .is_some_and(|q| q.remaining == Some(0))
            || self
                .app_daily
                .as_ref()
                .is_some_and(|q| q.remaining == Some(0))
            || self.usage_percent.is_some_and(|u| u >= 100.0)
    }
}

/// The instant a Discord 429 body asks to wait for: `{"retry_after": 1.234, "global": false}`
/// (float seconds from `now`). `None` for anything else.
///
/// ```
/// use chrono::{Duration, Utc};
/// let now = Utc::now();
/// let at = socialkit::http::discord_body_retry_after(br#"{"message":"You are being rate limited.","retry_after":1.5,"global":false}"#, now);
/// assert_eq!(at, Some(now + Duration::milliseconds(1500)));
/// assert_eq!(socialkit::http::discord_body_retry_after(b"<html>", now), None);
/// ```
pub fn discord_body_retry_after(body: &[u8], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let secs = value.get("retry_after")?.as_f64()?;
    add_secs(now, secs)
}

/// The instant a Telegram 429 body asks to wait for:
/// `{"ok":false,"error_code":429,"parameters":{"retry_after":N}}` (seconds from `now`).
///
/// ```
/// use chrono::{Duration, Utc};
/// let now = Utc::now();
/// let body = br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#;
/// assert_eq!(socialkit::http::telegram_body_retry_after(body, now), Some(now + Duration::seconds(7)));
/// ```
pub fn telegram_body_retry_after(body: &[u8], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let secs = value.get("parameters")?.get("retry_after")?.as_f64()?;
    add_secs(now, secs)
}

// ---- parsing helpers (all total: malformed input gives None) ----

/// Largest relative delay accepted, in seconds (one year). Larger values are treated as garbage.
const MAX_DELAY_SECS: f64 = 366.0 * 86_400.0;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let v = headers.get(name)?.to_str().ok()?.trim();
    (!v.is_empty()).then_some(v)
}

fn short_string(v: &str) -> String {
    v.chars().take(128).collect()
}

fn count(headers: &HeaderMap, name: &str) -> Option<u64> {
    header(headers, name).and_then(parse_count)
}

/// A quota from its `[limit, remaining, reset]` header names (spelled out, not formatted from
/// a prefix: this runs on every answer of X).
fn quota(headers: &HeaderMap, [limit, remaining, reset]: [&str; 3]) -> Option<Quota> {
    let q = Quota {
        limit: count(headers, limit),
        remaining: count(headers, remaining),
        reset_at: header(headers, reset).and_then(parse_epoch),
    };
    (!q.is_empty()).then_some(q)
}

/// A non-negative count; Reddit sends floats (`"598.0"`), which are floored.
fn parse_count(v: &str) -> Option<u64> {
    if let Ok(n) = v.parse::<u64>() {
        return Some(n);
    }
    let f = v.parse::<f64>().ok()?;
    (f.is_finite() && (0.0..1.0e18).contains(&f)).then(|| f.floor() as u64)
}

fn parse_secs(v: &str) -> Option<f64> {
    let f = v.parse::<f64>().ok()?;
    (f.is_finite() && (0.0..=MAX_DELAY_SECS).contains(&f)).then_some(f)
}

fn add_secs(now: DateTime<Utc>, secs: f64) -> Option<DateTime<Utc>> {
    if !(secs.is_finite() && (0.0..=MAX_DELAY_SECS).contains(&secs)) {
        return None;
    }
    let millis = (secs * 1000.0).round() as i64;
    now.checked_add_signed(chrono::Duration::try_milliseconds(millis)?)
}

fn after_secs(v: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    add_secs(now, parse_secs(v)?)
}

/// Epoch seconds, possibly fractional. Values of 10^11 and more (past year 5138) are taken as
/// epoch milliseconds, which some servers send.
fn parse_epoch(v: &str) -> Option<DateTime<Utc>> {
    let f = v.parse::<f64>().ok()?;
    if !f.is_finite() || f < 0.0 {
        return None;
    }
    let secs = if f >= 1.0e11 { f / 1000.0 } else { f };
    if secs >= 1.0e11 {
        return None;
    }
    let whole = secs.trunc();
    let nanos = ((secs - whole) * 1.0e9).round().clamp(0.0, 999_999_999.0) as u32;
    DateTime::from_timestamp(whole as i64, nanos)
}

/// Mastodon's reset: an ISO-8601 timestamp (`2025-01-01T12:05:00.000Z`) or an epoch.
fn parse_timestamp(v: &str) -> Option<DateTime<Utc>> {
    if let Some(at) = parse_epoch(v) {
        return Some(at);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(v) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(v, format) {
            return Some(naive.and_utc());
        }
    }
    None
}

/// `Retry-After`: delay-seconds (fractions tolerated) or an HTTP-date.
fn parse_retry_after(v: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if let Some(at) = after_secs(v, now) {
        return Some(at);
    }
    let at: DateTime<Utc> = httpdate::parse_http_date(v).ok()?.into();
    // A date in the past means "now".
    Some(at.max(now))
}

/// Bluesky's `RateLimit-Policy: 100;w=300` (possibly a list; the first policy counts).
fn parse_policy(v: &str) -> (Option<u64>, Option<Duration>) {
    let first = v.split(',').next().unwrap_or_default();
    let mut parts = first.split(';').map(str::trim);
    let limit = parts.next().and_then(parse_count);
    let window = parts
        .filter_map(|p| p.strip_prefix("w="))
        .filter_map(parse_secs)
        .find_map(serde_secs::duration_from_secs);
    (limit, window)
}

/// The larger of two optional numbers (either alone when the other is missing).
pub(super) fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                super::super::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn parse(pairs: &[(&str, &str)], style: RateLimitStyle) -> Option<RateLimit> {
        RateLimit::from_headers(&headers(pairs), style, now())
    }

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, h, m, s).unwrap()
    }

    // ---- Retry-After (all styles) ----

    #[test]
    fn retry_after_seconds() {
        let rl = parse(&[("Retry-After", "120")], RateLimitStyle::Generic).unwrap();
        assert_eq!(rl.retry_after, Some(at(12, 2, 0)));
        assert_eq!(rl.wait_until(), Some(at(12, 2, 0)));
    }

    #[test]
    fn retry_after_fractional_seconds() {
        let rl = parse(&[("Retry-After", "1.5")], RateLimitStyle::Generic).unwrap();
        assert_eq!(
            rl.retry_after,
            Some(now() + chrono::Duration::milliseconds(1500))
        );
    }

    #[test]
    fn retry_after_http_date() {
        let rl = parse(
            &[("Retry-After", "Wed, 01 Jan 2025 12:05:00 GMT")],
            RateLimitStyle::Generic,
        )
        .unwrap();
        assert_eq!(rl.retry_after, Some(at(12, 5, 0)));
    }

    #[test]
    fn retry_after_date_in_the_past_means_now() {
        let rl = parse(
            &[("Retry-After", "Wed, 01 Jan 2025 11:00:00 GMT")],
            RateLimitStyle::Generic,
        )
        .unwrap();
        assert_eq!(rl.retry_after, Some(now()));
    }

    #[test]
    fn retry_after_malformed_is_ignored() {
        for bad in [
            "-5",
            "soon",
            "NaN",
            "inf",
            "1e300",
            "Wed, 99 Foo 2025",
            "99999999999",
        ] {
            assert_eq!(
                parse(&[("Retry-After", bad)], RateLimitStyle::Generic),
                None,
                "{bad}"
            );
        }
    }

    #[test]
    fn non_utf8_header_value_is_ignored() {
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            super::super::header::HeaderValue::from_bytes(&[0xff, 0xfe]).unwrap(),
        );
        assert_eq!(
            RateLimit::from_headers(&h, RateLimitStyle::Generic, now()),
            None
        );
    }

    #[test]
    fn generic_ignores_family_headers() {
        let pairs = [("X-RateLimit-Remaining", "0"), ("RateLimit-Limit", "5")];
        assert_eq!(parse(&pairs, RateLimitStyle::Generic), None);
    }

    // ---- Mastodon ----

    #[test]
    fn mastodon_iso_reset() {
        let rl = parse(
            &[
                ("X-RateLimit-Limit", "300"),
                ("X-RateLimit-Remaining", "299"),
                ("X-RateLimit-Reset", "2025-01-01T12:05:00.000Z"),
            ],
            RateLimitStyle::Mastodon,
        )
        .unwrap();
        assert_eq!(rl.limit, Some(300));
        assert_eq!(rl.remaining, Some(299));
        assert_eq!(rl.reset_at, Some(at(12, 5, 0)));
        assert_eq!(rl.wait_until(), None);
    }

    #[test]
    fn mastodon_reset_with_offset_microseconds_and_epoch() {
        let cases = [
            (
                "2025-01-01T13:05:00.123456+01:00",
                at(12, 5, 0) + chrono::Duration::microseconds(123_456),
            ),
            ("2025-01-01T12:05:00", at(12, 5, 0)),
            ("2025-01-01 12:05:00", at(12, 5, 0)),
            ("1735733100", at(12, 5, 0)),
            (
                "1735733100.5",
                at(12, 5, 0) + chrono::Duration::milliseconds(500),
            ),
            ("1735733100000", at(12, 5, 0)),
        ];
        for (value, want) in cases {
            let rl = parse(&[("X-RateLimit-Reset", value)], RateLimitStyle::Mastodon).unwrap();
            assert_eq!(rl.reset_at, Some(want), "{value}");
        }
    }

    #[test]
    fn mastodon_exhausted_waits_for_reset() {
        let rl = parse(
            &[
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", "2025-01-01T12:05:00Z"),
            ],
            RateLimitStyle::Mastodon,
        )
        .unwrap();
        assert!(rl.is_exhausted());
        assert_eq!(rl.wait_until(), Some(at(12, 5, 0)));
    }

    #[test]
    fn mastodon_malformed_values() {
        let rl = parse(
            &[
                ("X-RateLimit-Limit", "-1"),
                ("X-RateLimit-Remaining", "lots"),
                ("X-RateLimit-Reset", "tomorrow-ish"),
                ("Retry-After", "30"),
            ],
            RateLimitStyle::Mastodon,
        )
        .unwrap();
        assert_eq!(rl.limit, None);
        assert_eq!(rl.remaining, None);
        assert_eq!(rl.reset_at, None);
        assert_eq!(rl.retry_after, Some(at(12, 0, 30)));
        assert_eq!(
            parse(&[("X-RateLimit-Reset", "")], RateLimitStyle::Mastodon),
            None
        );
    }

    // ---- Bluesky ----

    #[test]
    fn bluesky_headers_and_policy() {
        let rl = parse(
            &[
                ("RateLimit-Limit", "3000"),
                ("RateLimit-Remaining", "2999"),
                ("RateLimit-Reset", "1735733100"),
                ("RateLimit-Policy", "3000;w=300"),
            ],
            RateLimitStyle::Bluesky,
        )
        .unwrap();
        assert_eq!(rl.limit, Some(3000));
        assert_eq!(rl.remaining, Some(2999));
        assert_eq!(rl.reset_at, Some(at(12, 5, 0)));
        assert_eq!(rl.window, Some(Duration::from_secs(300)));
    }

    #[test]
    fn bluesky_policy_alone_gives_limit_and_window() {
        let rl = parse(
            &[("ratelimit-policy", "100;w=300, 1000;w=86400")],
            RateLimitStyle::Bluesky,
        )
        .unwrap();
        assert_eq!(rl.limit, Some(100));
        assert_eq!(rl.window, Some(Duration::from_secs(300)));
    }

    #[test]
    fn bluesky_malformed_policy_and_reset() {
        let rl = parse(
            &[
                ("RateLimit-Policy", "lots;w=forever"),
                ("RateLimit-Reset", "2025-01-01T12:00:00Z"),
                ("RateLimit-Remaining", "0"),
            ],
            RateLimitStyle::Bluesky,
        )
        .unwrap();
        assert_eq!(rl.limit, None);
        assert_eq!(rl.window, None);
        assert_eq!(rl.reset_at, None);
        assert_eq!(rl.remaining, Some(0));
        assert_eq!(rl.wait_until(), None);
        assert_eq!(
            parse(&[("RateLimit-Policy", ";;;")], RateLimitStyle::Bluesky),
            None
        );
    }

    #[test]
    fn bluesky_429_with_retry_after() {
        let rl = parse(
            &[
                ("RateLimit-Remaining", "0"),
                ("RateLimit-Reset", "1735733100"),
                ("Retry-After", "10"),
            ],
            RateLimitStyle::Bluesky,
        )
        .unwrap();
        // The later of both.
        assert_eq!(rl.wait_until(), Some(at(12, 5, 0)));
    }

    // ---- X ----

    #[test]
    fn x_window_and_daily_caps() {
        let rl = parse(
            &[
                ("x-rate-limit-limit", "100"),
                ("x-rate-limit-remaining", "42"),
                ("x-rate-limit-reset", "1735733700"),
                ("x-user-limit-24hour-limit", "17"),
                ("x-user-limit-24hour-remaining", "0"),
                ("x-user-limit-24hour-reset", "1735776000"),
                ("x-app-limit-24hour-limit", "10000"),
                ("x-app-limit-24hour-remaining", "9000"),
                ("x-app-limit-24hour-reset", "1735776000"),
            ],
            RateLimitStyle::X,
        )
        .unwrap();
        assert_eq!(rl.limit, Some(100));
        assert_eq!(rl.remaining, Some(42));
        assert_eq!(rl.reset_at, Some(at(12, 15, 0)));
        let user = rl.user_daily.clone().unwrap();
        assert_eq!(user.limit, Some(17));
        assert_eq!(user.remaining, Some(0));
        let midnight = Utc.with_ymd_and_hms(2025, 1, 2, 0, 0, 0).unwrap();
        assert_eq!(user.reset_at, Some(midnight));
        assert_eq!(rl.app_daily.as_ref().unwrap().remaining, Some(9000));
        assert!(rl.is_exhausted());
        assert_eq!(rl.wait_until(), Some(midnight));
    }

    #[test]
    fn x_ignores_other_families_and_garbage() {
        assert_eq!(
            parse(&[("X-RateLimit-Remaining", "0")], RateLimitStyle::X),
            None
        );
        let rl = parse(
            &[
                ("x-rate-limit-reset", "-3"),
                ("x-rate-limit-remaining", "1e400"),
                ("x-app-limit-24hour-reset", "nope"),
                ("x-rate-limit-limit", "15"),
            ],
            RateLimitStyle::X,
        )
        .unwrap();
        assert_eq!(rl.limit, Some(15));
        assert_eq!(rl.reset_at, None);
        assert_eq!(rl.remaining, None);
        assert_eq!(rl.app_daily, None);
    }

    // ---- Discord ----

    #[test]
    fn discord_all_headers() {
        let rl = parse(
            &[
                ("X-RateLimit-Limit", "5"),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", "1735732801.250"),
                ("X-RateLimit-Reset-After", "1.25"),
                ("X-RateLimit-Bucket", "abcd1234"),
                ("X-RateLimit-Scope", "shared"),
                ("X-RateLimit-Global", "true"),
                ("Retry-After", "2"),
            ],
            RateLimitStyle::Discord,
        )
        .unwrap();
        assert_eq!(rl.limit, Some(5));
        assert_eq!(rl.remaining, Some(0));
        assert_eq!(
            rl.reset_at,
            Some(now() + chrono::Duration::milliseconds(1250))
        );
        assert_eq!(rl.bucket.as_deref(), Some("abcd1234"));
        assert_eq!(rl.scope.as_deref(), Some("shared"));
        assert!(rl.global);
        assert_eq!(rl.wait_until(), Some(at(12, 0, 2)));
    }

    #[test]
    fn discord_epoch_reset_when_no_reset_after() {
        let rl = parse(
            &[("X-RateLimit-Reset", "1735732801.5")],
            RateLimitStyle::Discord,
        )
        .unwrap();
        assert_eq!(
            rl.reset_at,
            Some(now() + chrono::Duration::milliseconds(1500))
        );
        assert!(!rl.global);
    }

    #[test]
    fn discord_malformed() {
        let rl = parse(
            &[
                ("X-RateLimit-Reset-After", "-1"),
                ("X-RateLimit-Reset", "NaN"),
                ("X-RateLimit-Global", "yes please"),
                ("X-RateLimit-Bucket", "b"),
            ],
            RateLimitStyle::Discord,
        )
        .unwrap();
        assert_eq!(rl.reset_at, None);
        assert!(!rl.global);
        assert_eq!(rl.bucket.as_deref(), Some("b"));
    }

    #[test]
    fn discord_body_retry_after_shapes() {
        let n = now();
        assert_eq!(
            discord_body_retry_after(br#"{"retry_after":0.25,"global":true}"#, n),
            Some(n + chrono::Duration::milliseconds(250))
        );
        for bad in [
            &b"{}"[..],
            br#"{"retry_after":"soon"}"#,
            br#"{"retry_after":-1}"#,
            b"[1,2]",
            b"",
            b"\xff",
        ] {
            assert_eq!(discord_body_retry_after(bad, n), None);
        }
    }

    // ---- Reddit ----

    #[test]
    fn reddit_reset_is_seconds_remaining() {
        let rl = parse(
            &[
                ("x-ratelimit-used", "2"),
                ("x-ratelimit-remaining", "598.0"),
                ("x-ratelimit-reset", "300"),
            ],
            RateLimitStyle::Reddit,
        )
        .unwrap();
        assert_eq!(rl.used, Some(2));
        assert_eq!(rl.remaining, Some(598));
        assert_eq!(rl.limit, Some(600));
        assert_eq!(rl.reset_at, Some(at(12, 5, 0)));
    }

    #[test]
    fn reddit_and_mastodon_read_the_same_header_differently() {
        // The same header (names are case-insensitive), two meanings.
        let pairs = [("X-Ratelimit-Reset", "300")];
        let reddit = parse(&pairs, RateLimitStyle::Reddit).unwrap();
        let mastodon = parse(&pairs, RateLimitStyle::Mastodon).unwrap();
        assert_eq!(reddit.reset_at, Some(at(12, 5, 0)));
        assert_eq!(
            mastodon.reset_at,
            Some(Utc.with_ymd_and_hms(1970, 1, 1, 0, 5, 0).unwrap())
        );
    }

    #[test]
    fn reddit_malformed() {
        assert_eq!(
            parse(
                &[
                    ("x-ratelimit-used", "x"),
                    ("x-ratelimit-remaining", "-2"),
                    ("x-ratelimit-reset", "2025-01-01T00:00:00Z"),
                ],
                RateLimitStyle::Reddit
            ),
            None
        );
    }

    // ---- Meta ----

    #[test]
    fn meta_app_usage() {
        let rl = parse(
            &[(
                "X-App-Usage",
                r#"{"call_count":28,"total_time":25,"total_cputime":91}"#,
            )],
            RateLimitStyle::Meta,
        )
        .unwrap();
        assert_eq!(rl.usage_percent, Some(91.0));
        assert_eq!(rl.regain_access_at, None);
        assert!(!rl.is_exhausted());
    }

    #[test]
    fn meta_business_use_case_usage_with_regain_time() {
        let rl = parse(
            &[
                ("X-App-Usage", r#"{"call_count":10,"total_time":5,"total_cputime":5}"#),
                (
                    "X-Business-Use-Case-Usage",
                    r#"{"112233":[{"type":"pages","call_count":100,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":5},{"type":"instagram","call_count":"40","estimated_time_to_regain_access":0}],"445566":[{"type":"pages","call_count":2,"estimated_time_to_regain_access":12}]}"#,
                ),
            ],
            RateLimitStyle::Meta,
        )
        .unwrap();
        assert_eq!(rl.usage_percent, Some(100.0));
        assert_eq!(rl.regain_access_at, Some(at(12, 12, 0)));
        assert!(rl.is_exhausted());
        assert_eq!(rl.wait_until(), Some(at(12, 12, 0)));
    }

    #[test]
    fn meta_page_usage_counts_too() {
        let rl = parse(
            &[("X-Page-Usage", r#"{"call_count":77}"#)],
            RateLimitStyle::Meta,
        )
        .unwrap();
        assert_eq!(rl.usage_percent, Some(77.0));
    }

    #[test]
    fn meta_malformed_json() {
        for bad in [
            "not json",
            "[]",
            "{\"call_count\":\"many\"}",
            "{\"call_count\":-4}",
            "{",
            "null",
        ] {
            assert_eq!(
                parse(&[("X-App-Usage", bad)], RateLimitStyle::Meta),
                None,
                "{bad}"
            );
            assert_eq!(
                parse(&[("X-Business-Use-Case-Usage", bad)], RateLimitStyle::Meta),
                None,
                "{bad}"
            );
        }
        assert_eq!(
            parse(
                &[("X-Business-Use-Case-Usage", r#"{"1":"x","2":[1,"y"]}"#)],
                RateLimitStyle::Meta
            ),
            None
        );
    }

    // ---- Telegram body ----

    #[test]
    fn telegram_body() {
        let n = now();
        assert_eq!(
            telegram_body_retry_after(br#"{"ok":false,"parameters":{"retry_after":3}}"#, n),
            Some(n + chrono::Duration::seconds(3))
        );
        for bad in [
            &br#"{"ok":false}"#[..],
            br#"{"parameters":{"retry_after":null}}"#,
            br#"{"parameters":5}"#,
            b"<html>",
        ] {
            assert_eq!(telegram_body_retry_after(bad, n), None);
        }
    }

    // ---- misc ----

    #[test]
    fn serde_round_trip() {
        let rl = parse(
            &[
                ("RateLimit-Policy", "100;w=300"),
                ("RateLimit-Remaining", "5"),
            ],
            RateLimitStyle::Bluesky,
        )
        .unwrap();
        let json = serde_json::to_string(&rl).unwrap();
        assert!(json.contains("\"window\":300.0"), "{json}");
        let back: RateLimit = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rl);
    }

    #[test]
    fn first_value_of_a_repeated_header_counts() {
        let rl = parse(
            &[
                ("X-RateLimit-Remaining", "7"),
                ("X-RateLimit-Remaining", "9"),
            ],
            RateLimitStyle::Mastodon,
        )
        .unwrap();
        assert_eq!(rl.remaining, Some(7));
    }

    proptest::proptest! {
        #[test]
        fn from_headers_never_panics(
            values in proptest::collection::vec("\\PC{0,40}", 1..8),
            style_index in 0usize..7,
        ) {
            let styles = [
                RateLimitStyle::Generic,
                RateLimitStyle::Mastodon,
                RateLimitStyle::Bluesky,
                RateLimitStyle::X,
                RateLimitStyle::Discord,
                RateLimitStyle::Reddit,
                RateLimitStyle::Meta,
            ];
            let names = [
                "retry-after", "x-ratelimit-reset", "x-ratelimit-remaining", "ratelimit-policy",
                "x-rate-limit-reset", "x-ratelimit-reset-after", "x-app-usage",
                "x-business-use-case-usage",
            ];
            let mut h = HeaderMap::new();
            for (i, v) in values.iter().enumerate() {
                if let Ok(value) = super::super::header::HeaderValue::from_str(v) {
                    h.insert(names[i % names.len()], value);
                }
            }
            let rl = RateLimit::from_headers(&h, styles[style_index], now());
            if let Some(rl) = rl {
                let _ = rl.wait_until();
                let _ = rl.is_exhausted();
            }
        }

        #[test]
        fn body_helpers_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = discord_body_retry_after(&body, now());
            let _ = telegram_body_retry_after(&body, now());
        }
    }

    #[test]
    fn parse_helpers_never_panic_on_extremes() {
        for v in [
            "",
            " ",
            "0",
            "-0",
            "1e18",
            "1e19",
            "18446744073709551616",
            "9".repeat(400).as_str(),
            "0x10",
            "+5",
            "5.",
            ".5",
            "∞",
        ] {
            let _ = parse_count(v);
            let _ = parse_epoch(v);
            let _ = parse_timestamp(v);
            let _ = parse_retry_after(v, now());
            let _ = parse_policy(v);
            let _ = after_secs(v, now());
        }
        assert_eq!(add_secs(DateTime::<Utc>::MAX_UTC, 10.0), None);
    }
}
